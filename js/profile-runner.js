// Run as a child process by profile.js: starts the Worker of wrangler's dry
// run in workerd through the project's Miniflare, with the bindings of its
// wrangler config (local D1 with the migrations applied, KV, R2, Durable
// Objects, all in a temporary folder), drives it with the scenario's
// requests, and measures each request. Writes one JSON document to the
// result file named by the spec; the parent turns it into the report.
//   node profile-runner.js SPEC_JSON_FILE
//
// What is measured where:
//   - wall time: here, around each dispatchFetch;
//   - CPU: one V8 CPU profile of the whole run through workerd's inspector
//     (Miniflare's inspector proxy), its samples assigned to the requests in
//     flight when they were taken (the profile's clock and process.hrtime are
//     both CLOCK_MONOTONIC);
//   - heap: HeapProfiler.collectGarbage, then Runtime.getHeapUsage, before
//     the first request and after the last;
//   - subrequests, open connections and D1 queries: by the wrapper module
//     (WRAPPER below) inside the Worker, per request through
//     AsyncLocalStorage; outbound fetches go to the stub (or, allowed, to the
//     network) through Miniflare's outboundService, which counts them again.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { readUploadBundle } from "./upload-bundle.js";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
/**
 * The workerd process Miniflare started (a child of this process), by
 * /proc (Linux), or null: its CPU time is read around each request.
 */
function workerdPid() {
  if (process.platform !== "linux") return null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (m && Number(m[2]) === process.pid && /workerd/.test(m[1])) return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  return null;
}

/** Requests the wrapper answers itself to measure what the local dispatch of one costs (their median). */
const DISPATCH_PINGS = 7;

/** CPU time of each of a process's threads so far, in ns (the scheduler's own count, /proc/PID/task/TID/schedstat): thread id → ns. */
function threadCpuNs(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, BigInt(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]));
    } catch {
      // a thread that ended
    }
  }
  return threads;
}

/**
 * The CPU workerd used between two readings: all its threads' (`total`), and
 * the busiest thread's (`busiest`): the isolate runs a request's JavaScript
 * on one thread, so its CPU is at most the busiest thread's, which leaves out
 * the profiler's own thread and the I/O threads.
 */
function cpuBetween(before, after) {
  let total = 0n;
  let busiest = 0n;
  for (const [tid, ns] of after) {
    const used = ns - (before.get(tid) ?? 0n);
    total += used;
    if (used > busiest) busiest = used;
  }
  return { total, busiest };
}

/**
 * The stub's answer: a JSON object of `bytes` bytes (`{}` padded with one
 * string field) so that code reading it with `.json()` goes on; under 2
 * bytes, empty.
 */
function stubBody(bytes) {
  const head = '{"perfOptimizerStub":"';
  if (bytes < head.length + 2) return bytes >= 2 ? `{}${" ".repeat(bytes - 2)}` : "";
  return `${head}${"x".repeat(bytes - head.length - 2)}"}`;
}

/** When the run must end: `timeoutMs` after its first request (set then). */
let deadline = 0n;
const result = { ok: false, requests: [], outbound: { total: 0, peakOpen: 0, allowed: spec.allowNetwork }, notes: [] };
const write = () => writeFileSync(spec.resultFile, JSON.stringify(result));

const SETUP_MODULE = "__perf-optimizer-setup.mjs";
const WRAPPER_MODULE = "__perf-optimizer-entry.mjs";
const REQUEST_HEADER = "x-perf-optimizer-request";

// Runs before the Worker's own modules (imported first): outbound fetch is
// wrapped before any module can keep a reference to it. The measurement's
// own work is in functions named __perfOptimizerMeasure…: the CPU
// attribution (js/profile.js) leaves out the samples taken inside them.
const SETUP = `import { AsyncLocalStorage } from "node:async_hooks";
export const als = new AsyncLocalStorage();
const outside = { subrequests: 0, open: 0, peakOpen: 0, d1: [] };
/** Where each distinct SQL statement was first sent from (a stack, mapped by the parent). */
const sqlStacks = {};
export const records = { outside, sqlStacks };
export const __perfOptimizerCurrent = () => als.getStore() ?? outside;
export { outside };
const originalFetch = globalThis.fetch;
/** At most this many outbound URLs are kept per request (for the repeats of js/profile.js). */
const KEPT_FETCHES = 100;
/** \`METHOD url\` of an outbound fetch, the URL cut to 500 characters. */
function __perfOptimizerMeasureTarget(input, init) {
  try {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : String(input?.url ?? "");
    const method = String(init?.method ?? (typeof input === "object" && input?.method) ?? "GET").toUpperCase();
    return \`\${method} \${url.slice(0, 500)}\`;
  } catch {
    return null;
  }
}
/** The stack of a request's first outbound fetch (mapped by the parent to the line that made it). */
function __perfOptimizerMeasureFetchStack(record) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  record.fetchStack = String(new Error().stack ?? "");
  Error.stackTraceLimit = limit;
}
globalThis.fetch = function fetch(input, init) {
  const record = __perfOptimizerCurrent();
  if (record.fetchStack === undefined && record !== outside) __perfOptimizerMeasureFetchStack(record);
  if (record.fetches && record.fetches.length < KEPT_FETCHES) {
    const target = __perfOptimizerMeasureTarget(input, init);
    if (target !== null) record.fetches.push(target);
  }
  record.subrequests++;
  record.open++;
  if (record.open > record.peakOpen) record.peakOpen = record.open;
  let done = false;
  const close = () => { if (!done) { done = true; record.open--; } };
  let promise;
  try {
    promise = originalFetch(input, init);
  } catch (error) {
    close();
    throw error;
  }
  return promise.then((response) => { close(); return response; }, (error) => { close(); throw error; });
};
const patched = new WeakSet();
/** Counts the queries of a D1 binding at its fetcher (every method of the D1 API sends its statements there), with the rows its meta reports. */
/**
 * The SQL texts of a D1 request body (one statement, or a batch), and each
 * one's bound parameters as JSON text (cut to 500 characters).
 */
function __perfOptimizerMeasureSql(init) {
  try {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "null");
    const items = (Array.isArray(body) ? body : [body]).filter((item) => item && typeof item.sql === "string");
    return { sqls: items.map((item) => item.sql), params: items.map((item) => JSON.stringify(item.params ?? []).slice(0, 500)) };
  } catch {
    return { sqls: [], params: [] };
  }
}
/** Rows read and written from the meta of D1's answer (text). */
function __perfOptimizerMeasureRows(text, entry) {
  try {
    const parsed = JSON.parse(text);
    const results = Array.isArray(parsed) ? parsed : [parsed];
    entry.rowsRead = results.reduce((n, r) => n + (Number(r?.meta?.rows_read) || 0), 0);
    entry.rowsWritten = results.reduce((n, r) => n + (Number(r?.meta?.rows_written) || 0), 0);
    const failed = results.find((r) => r && r.success === false);
    if (failed) entry.error = String(failed.error ?? "D1 error");
  } catch {}
}
/** The stack of the code that sent a statement not seen before. */
function __perfOptimizerMeasureStack(sqls) {
  const fresh = sqls.filter((sql) => !Object.hasOwn(sqlStacks, sql));
  if (!fresh.length) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = String(new Error().stack ?? "");
  Error.stackTraceLimit = limit;
  for (const sql of fresh) sqlStacks[sql] = stack;
}
/**
 * Records which request headers the Worker reads (\`record.headersRead\`,
 * lower-case names; \`*\` when it iterates them all): a route that reads
 * no cookie, credential or client address answers every caller alike.
 */
export function __perfOptimizerWatchHeaders(headers, record) {
  const read = [];
  record.headersRead = read;
  const add = (name) => {
    if (read.length < 50 && !read.includes(name)) read.push(name);
  };
  const note = (name) => add(String(name).toLowerCase());
  try {
    for (const method of ["get", "has", "getAll", "getSetCookie"]) {
      const original = headers[method];
      if (typeof original !== "function") continue;
      headers[method] = function (name, ...rest) {
        note(method === "getSetCookie" ? "set-cookie" : name);
        return original.call(headers, name, ...rest);
      };
    }
    for (const method of ["entries", "keys", "values", "forEach", Symbol.iterator]) {
      const original = headers[method];
      if (typeof original !== "function") continue;
      headers[method] = function (...args) {
        add("*");
        return original.apply(headers, args);
      };
    }
    return true;
  } catch {
    add("*");
    return false;
  }
}
export function __perfOptimizerWatchD1(binding, name) {
  if (!binding || typeof binding !== "object" || patched.has(binding)) return patched.has(binding);
  const holders = [binding, binding.alwaysPrimarySession].filter((h) => h && typeof h === "object" && h.fetcher && typeof h.fetcher.fetch === "function");
  if (!holders.length) return false;
  for (const holder of holders) {
    const inner = holder.fetcher;
    holder.fetcher = {
      fetch: async function __perfOptimizerD1Fetch(input, init) {
        const record = __perfOptimizerCurrent();
        const entry = { binding: name, ...__perfOptimizerMeasureSql(init), rowsRead: null, rowsWritten: null, error: null };
        record.d1.push(entry);
        __perfOptimizerMeasureStack(entry.sqls);
        const response = await inner.fetch(input, init);
        const text = await response.clone().text().catch(() => null);
        if (text !== null) __perfOptimizerMeasureRows(text, entry);
        return response;
      },
    };
  }
  patched.add(binding);
  return true;
}
`;

/** The entry module: the Worker's own exports, its fetch handler measured. */
function wrapper(mainModule, d1Bindings) {
  return `import { als, records, __perfOptimizerWatchD1, __perfOptimizerWatchHeaders } from "./${SETUP_MODULE}";
import * as worker from "./${mainModule}";
export * from "./${mainModule}";
const D1 = ${JSON.stringify(d1Bindings)};
function __perfOptimizerMeasureWatch(env) {
  const watched = {};
  for (const name of D1) watched[name] = __perfOptimizerWatchD1(env?.[name], name);
  return watched;
}
async function __perfOptimizerRun(request, env, handle) {
  if (request.headers.get("x-perf-optimizer-records") === "1") {
    // Read once, at the end: the per-request records then go, so that the
    // final heap measurement does not count the measurement's own memory.
    const response = Response.json(records);
    for (const key of Object.keys(records)) if (key !== "outside" && key !== "sqlStacks") delete records[key];
    return response;
  }
  if (request.headers.get("x-perf-optimizer-ping") === "1") return new Response(null, { status: 204 });
  const id = request.headers.get(${JSON.stringify(REQUEST_HEADER)});
  const record = { subrequests: 0, open: 0, peakOpen: 0, d1: [], fetches: [], error: null, settled: false, d1Watched: __perfOptimizerMeasureWatch(env) };
  if (id === null) return handle(request);
  records[id] = record;
  const headers = new Headers(request.headers);
  headers.delete(${JSON.stringify(REQUEST_HEADER)});
  const inner = new Request(request, { headers });
  __perfOptimizerWatchHeaders(inner.headers, record);
  try {
    const response = await als.run(record, () => handle(inner));
    record.settled = true;
    return response;
  } catch (error) {
    record.settled = true;
    record.error = { name: String(error?.name ?? "Error"), message: String(error?.message ?? error), stack: String(error?.stack ?? "") };
    return new Response("perf-optimizer: the Worker threw", { status: 500, headers: { "x-perf-optimizer-threw": "1" } });
  }
}
const original = worker.default;
let wrapped;
if (typeof original === "function") {
  wrapped = class extends original {
    fetch(request) {
      return __perfOptimizerRun(request, this.env, (r) => super.fetch(r));
    }
  };
} else {
  wrapped = {
    ...original,
    fetch(request, env, ctx) {
      return __perfOptimizerRun(request, env, (r) => original.fetch.call(original, r, env, ctx));
    },
  };
}
export default wrapped;
`;
}

/**
 * Why the Worker did not start: workerd's own error line (`Uncaught
 * SyntaxError: …` on its stderr) when there is one, else Miniflare's.
 */
function startFailure(error, runtimeErrors) {
  const lines = runtimeErrors.split("\n").map((l) => l.replace(/\u001b\[[\d;]*m/g, "").trim());
  const uncaught = lines.find((l) => /\bUncaught\b/.test(l)) ?? lines.find((l) => /error/i.test(l) && !/^\s*at /.test(l));
  if (uncaught) {
    const text = uncaught.replace(/^.*?\bUncaught\s+(\(in promise\)\s*)?/, "").replace(/^.*?workerd\/[^:]+:\d+:\s*/, "");
    const match = /^([A-Z]\w*(?:Error|Exception)):\s*(.*)$/.exec(text);
    const stack = lines.filter((l) => /^at /.test(l)).join("\n");
    return match ? { name: match[1], message: match[2], stack } : { name: "Error", message: text, stack };
  }
  return { name: String(error?.name ?? "Error"), message: String(error?.message ?? error), stack: String(error?.stack ?? "") };
}

/** The response headers a cache decides by (Workers Cache, the Cache API, the CDN). */
const CACHING_HEADERS = ["cache-control", "cdn-cache-control", "cloudflare-cdn-cache-control", "expires", "vary"];

/**
 * What js/profile.js compares across a route's responses to tell whether
 * it could be cached: a digest of the body, its size, the caching headers,
 * whether it set a cookie.
 */
function responseFacts(response, body) {
  const caching = {};
  for (const name of CACHING_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) caching[name] = value.slice(0, 200);
  }
  return {
    bodyDigest: createHash("sha1").update(body).digest("base64"),
    bodyBytes: body.byteLength,
    caching,
    setCookie: response.headers.has("set-cookie"),
  };
}

async function main() {
  const require = createRequire(pathToFileURL(spec.wrangler).href);
  const { Miniflare, Log, LogLevel } = await import(pathToFileURL(spec.miniflare).href);
  // spec.wrangler is its bin script: the package's API is its main module.
  const wrangler = require(require.resolve("wrangler"));
  const { metadata, modules } = await readUploadBundle(spec.workerBundle);
  const fromConfig = wrangler.unstable_getMiniflareWorkerOptions(spec.configPath, spec.env ?? undefined);
  const workerOptions = { ...fromConfig.workerOptions };
  const config = wrangler.unstable_readConfig({ config: spec.configPath, env: spec.env ?? undefined }, { hideWarnings: true });
  const d1Bindings = Object.keys(workerOptions.d1Databases ?? {});
  if (typeof config.limits?.cpu_ms === "number") result.wranglerCpuMs = config.limits.cpu_ms;
  const flags = [...(metadata.compatibility_flags ?? workerOptions.compatibilityFlags ?? [])];
  // AsyncLocalStorage for the per-request records: nodejs_als only adds node:async_hooks.
  if (!flags.some((f) => f === "nodejs_compat" || f === "nodejs_als" || f === "nodejs_compat_v2")) flags.push("nodejs_als");
  const state = spec.stateDir;
  mkdirSync(state, { recursive: true });
  let open = 0;
  let runtimeErrors = "";
  const outbound = async function outbound(request) {
    result.outbound.total++;
    open++;
    result.outbound.peakOpen = Math.max(result.outbound.peakOpen, open);
    try {
      if (spec.allowNetwork) {
        const headers = new Headers(request.headers);
        return await fetch(request.url, { method: request.method, headers, body: request.body, duplex: "half", redirect: "manual" });
      }
      if (result.outbound.hosts.length < 20) {
        const host = new URL(request.url).host;
        if (!result.outbound.hosts.includes(host)) result.outbound.hosts.push(host);
      }
      await request.arrayBuffer().catch(() => {});
      if (spec.stub.delayMs > 0) await new Promise((r) => setTimeout(r, spec.stub.delayMs));
      return new Response(stubBody(spec.stub.bodyBytes), { status: 200, headers: { "content-type": "application/json" } });
    } finally {
      open--;
    }
  };
  result.outbound.hosts = [];
  const mf = new Miniflare({
    ...workerOptions,
    name: workerOptions.name ?? "worker",
    compatibilityDate: metadata.compatibility_date ?? workerOptions.compatibilityDate,
    compatibilityFlags: flags,
    modulesRoot: "/",
    modules: [
      { type: "ESModule", path: `/${WRAPPER_MODULE}`, contents: wrapper(metadata.main_module, d1Bindings) },
      { type: "ESModule", path: `/${SETUP_MODULE}`, contents: SETUP },
      ...modules,
    ],
    outboundService: outbound,
    unsafeInspectorProxy: true,
    inspectorPort: 0,
    host: "127.0.0.1",
    port: 0,
    defaultPersistRoot: state,
    d1Persist: join(state, "d1"),
    kvPersist: join(state, "kv"),
    r2Persist: join(state, "r2"),
    durableObjectsPersist: join(state, "do"),
    cachePersist: join(state, "cache"),
    log: new Log(LogLevel.NONE),
    handleRuntimeStdio(stdout, stderr) {
      // The Worker's console output is not the report's; workerd's errors
      // explain a Worker that fails to start.
      stdout.resume();
      stderr.on("data", (chunk) => {
        if (runtimeErrors.length < 64 * 1024) runtimeErrors += chunk;
      });
    },
  });
  let ws;
  try {
    try {
      await mf.ready;
    } catch (error) {
      result.startError = startFailure(error, runtimeErrors);
      return;
    }
    // D1: the project's migrations, applied in order to the temporary database.
    for (const db of config.d1_databases ?? []) {
      if (!d1Bindings.includes(db.binding)) continue;
      const dir = resolve(config.configPath ? join(config.configPath, "..") : ".", db.migrations_dir ?? "migrations");
      if (!existsSync(dir)) continue;
      const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
      const d1 = await mf.getD1Database(db.binding);
      for (const file of files) {
        const statements = wrangler.unstable_splitSqlQuery(readFileSync(join(dir, file), "utf8")).filter((s) => s.trim());
        try {
          if (statements.length) await d1.batch(statements.map((s) => d1.prepare(s)));
        } catch (error) {
          result.startError = { name: "MigrationError", message: `migration ${file} of ${db.binding} failed: ${error?.message ?? error}`, stack: "" };
          return;
        }
      }
      result.notes.push(`D1 ${db.binding}: ${files.length} migration${files.length === 1 ? "" : "s"} applied to a temporary database`);
    }
    // The Worker's modules must initialize: a first request imports them.
    const base = new URL("http://localhost/");
    const inspectorUrl = await mf.getInspectorURL();
    ws = new WebSocket(`${inspectorUrl.href.replace(/\/$/, "")}/${workerOptions.name ?? "worker"}`, { headers: { Origin: "http://127.0.0.1" } });
    await new Promise((res, rej) => {
      ws.once("open", res);
      ws.once("error", rej);
    });
    let nextId = 1;
    const pending = new Map();
    ws.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.id && pending.has(message.id)) {
        const { res, rej } = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) rej(new Error(`${message.error.message ?? "inspector error"}`));
        else res(message.result);
      }
    });
    const send = (method, params = {}, timeoutMs = 15_000) =>
      new Promise((res, rej) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          rej(new Error(`the inspector did not answer ${method} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        pending.set(id, { res: (v) => (clearTimeout(timer), res(v)), rej: (e) => (clearTimeout(timer), rej(e)) });
        ws.send(JSON.stringify({ id, method, params }));
      });
    // workerd runs the collection requested through the inspector when the
    // isolate is next entered: a request the wrapper answers by itself lets it run.
    // A ping can come before workerd has taken the request in: ping again
    // until the collection has answered.
    const heap = async () => {
      let done = false;
      const collected = send("HeapProfiler.collectGarbage").finally(() => (done = true));
      collected.catch(() => {});
      for (let i = 0; i < 100 && !done; i++) {
        await new Promise((r) => setTimeout(r, 50));
        if (!done) await (await mf.dispatchFetch(base, { headers: { "x-perf-optimizer-ping": "1" } })).arrayBuffer();
      }
      await collected;
      const usage = await send("Runtime.getHeapUsage");
      return usage.usedSize;
    };
    // A request the wrapper answers itself loads the Worker's modules
    // before the measurement (startup is `startup`'s business).
    const warm = await mf.dispatchFetch(base, { headers: { "x-perf-optimizer-ping": "1" } }).catch((error) => error);
    if (warm instanceof Error || warm.status !== 204) {
      const text = warm instanceof Error ? "" : await warm.text();
      result.startError = warm instanceof Error ? startFailure(warm, runtimeErrors) : { name: "Error", message: text.split("\n")[0].slice(0, 400), stack: text };
      return;
    }
    result.heapStart = await heap().catch((error) => (result.notes.push(`heap at start not measured: ${error.message}`), null));
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: spec.sampleIntervalUs });
    await send("Profiler.start");
    // Alone in flight, a request's share of workerd's CPU time is all of it.
    const pid = spec.concurrency === 1 ? workerdPid() : null;
    if (pid === null) result.notes.push(spec.concurrency === 1 ? "workerd's process CPU time not measured (no /proc, or workerd not found)" : "workerd's process CPU time is measured only with concurrency 1");
    const heapSampling = await send("HeapProfiler.startSampling", { samplingInterval: HEAP_SAMPLING_BYTES }).then(
      () => true,
      (error) => (result.notes.push(`no heap allocation profile: workerd's inspector refused HeapProfiler.startSampling (${error.message})`), false),
    );
    if (pid !== null) {
      // What any request costs workerd's busiest thread here, whatever the
      // Worker: requests the wrapper answers itself (the local dispatch,
      // not the Worker's CPU), the median of a few.
      const pings = [];
      for (let i = 0; i < DISPATCH_PINGS; i++) {
        const before = threadCpuNs(pid);
        await (await mf.dispatchFetch(base, { headers: { "x-perf-optimizer-ping": "1" } })).arrayBuffer();
        pings.push(cpuBetween(before, threadCpuNs(pid)).busiest);
      }
      pings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      result.dispatchCpuNs = String(pings[pings.length >> 1]);
    }
    const runStarted = process.hrtime.bigint();
    deadline = runStarted + BigInt(spec.timeoutMs) * 1_000_000n;
    let next = 0;
    let timedOut = false;
    const one = async (index) => {
      const r = spec.requests[spec.schedule[index]];
      const id = String(index);
      const headers = new Headers(r.headers ?? {});
      headers.set(REQUEST_HEADER, id);
      const entry = { route: spec.schedule[index], index, status: null, startNs: 0n, endNs: 0n, error: null, timedOut: false };
      const left = Number(deadline - process.hrtime.bigint()) / 1e6;
      const abort = new AbortController();
      const cap = Math.max(1, Math.min(spec.requestTimeoutMs, left));
      const timer = setTimeout(() => abort.abort(), cap);
      const cpuBefore = pid === null ? null : threadCpuNs(pid);
      entry.startNs = process.hrtime.bigint();
      try {
        const response = await mf.dispatchFetch(new URL(r.path, base), { method: r.method, headers, body: r.body ?? undefined, signal: abort.signal, redirect: "manual" });
        const body = new Uint8Array(await response.arrayBuffer());
        entry.status = response.status;
        Object.assign(entry, responseFacts(response, body));
        entry.threw = response.headers.get("x-perf-optimizer-threw") === "1";
      } catch (error) {
        if (abort.signal.aborted) {
          entry.timedOut = true;
          entry.error = { name: "Timeout", message: `no response within ${Math.round(cap)} ms`, stack: "" };
        } else {
          entry.error = { name: String(error?.name ?? "Error"), message: String(error?.message ?? error), stack: "" };
        }
      } finally {
        clearTimeout(timer);
        entry.endNs = process.hrtime.bigint();
        if (cpuBefore !== null) {
          const { total, busiest } = cpuBetween(cpuBefore, threadCpuNs(pid));
          entry.processCpuNs = String(total);
          entry.threadCpuNs = String(busiest);
        }
      }
      result.requests.push(entry);
    };
    const lane = async () => {
      while (next < spec.schedule.length) {
        if (process.hrtime.bigint() >= deadline) {
          timedOut = true;
          return;
        }
        const index = next++;
        await one(index);
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, lane));
    const runEnded = process.hrtime.bigint();
    const { profile } = await send("Profiler.stop", {}, 60_000);
    result.profile = profile;
    result.run = { startNs: String(runStarted), endNs: String(runEnded), timedOut, scheduled: spec.schedule.length };
    // The records the Worker kept, one per request (read before the final
    // heap measurement: reading them frees them).
    const records = await (await mf.dispatchFetch(base, { headers: { "x-perf-optimizer-records": "1" } })).json();
    result.heapEnd = await heap().catch((error) => (result.notes.push(`heap at end not measured: ${error.message}`), null));
    if (heapSampling) {
      // After the final collection: the sampled allocations still live.
      result.heapProfile = (await send("HeapProfiler.getSamplingProfile", {}, 60_000).catch(() => null))?.profile ?? null;
      await send("HeapProfiler.stopSampling").catch(() => {});
    }
    for (const entry of result.requests) {
      entry.record = records?.[String(entry.index)] ?? null;
      entry.startNs = String(entry.startNs);
      entry.endNs = String(entry.endNs);
    }
    result.outsideRecord = records?.outside ?? null;
    result.sqlStacks = records?.sqlStacks ?? {};
    result.plans = await queryPlans(mf, result.requests, records?.outside);
    result.ok = true;
  } finally {
    try {
      ws?.close();
    } catch {}
    await mf.dispose().catch(() => {});
  }
}

/** Bytes between samples of V8's sampling heap profiler (its default). */
const HEAP_SAMPLING_BYTES = 32 * 1024;
/** `?` and `?NNN` parameters of a statement (outside string literals and quoted names). */
function parameterCount(sql) {
  const bare = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\x60[^\x60]*\x60|\[[^\]]*\]/g, "");
  let count = 0;
  let highest = 0;
  for (const m of bare.matchAll(/\?(\d*)/g)) {
    if (m[1]) highest = Math.max(highest, Number(m[1]));
    else count++;
  }
  return Math.max(count, highest);
}

/**
 * SQLite's `EXPLAIN QUERY PLAN` of each distinct statement the run sent, on
 * the local D1 database it was sent to (migrated, after the run), its
 * parameters bound to NULL: `{ [binding]: { [sql]: { plan } | { error } } }`.
 */
async function queryPlans(mf, requests, outsideRecord) {
  const byBinding = new Map();
  const entries = [...requests.flatMap((r) => r.record?.d1 ?? []), ...(outsideRecord?.d1 ?? [])];
  for (const q of entries) {
    if (!q.binding) continue;
    if (!byBinding.has(q.binding)) byBinding.set(q.binding, new Set());
    for (const sql of q.sqls) byBinding.get(q.binding).add(sql);
  }
  const plans = {};
  for (const [binding, sqls] of byBinding) {
    const db = await mf.getD1Database(binding);
    plans[binding] = {};
    for (const sql of [...sqls].slice(0, 200)) {
      if (!/^\s*(select|insert|update|delete|with|replace)\b/i.test(sql)) continue;
      try {
        const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...Array(parameterCount(sql)).fill(null)).all();
        plans[binding][sql] = { plan: results.map((row) => String(row.detail)) };
      } catch (error) {
        plans[binding][sql] = { error: String(error?.message ?? error).slice(0, 300) };
      }
    }
  }
  return plans;
}

try {
  await main();
} catch (error) {
  result.ok = false;
  result.failure = { name: String(error?.name ?? "Error"), message: String(error?.message ?? error), stack: String(error?.stack ?? "") };
} finally {
  write();
  if (!spec.keepState) rmSync(spec.stateDir, { recursive: true, force: true });
}
