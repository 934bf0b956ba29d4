// `perf-optimizer profile`: runs the Worker of wrangler's dry run locally in
// workerd (js/profile-runner.js, a child process with the project's
// Miniflare), drives it with a bounded scenario of requests and turns what
// the runner measured into the report's `profile` block: per route, wall
// and CPU time, subrequests, open connections, D1 queries and rows; the heap
// after a forced GC at the start and the end; the distinct SQL statements.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { callCore, PerfOptimizerError } from "./core.js";
import { displayPath } from "./files.js";
import { decodeMappings, originalPosition, sourcePath, originOf } from "./attribution.js";
import { mainOutput, projectMiniflare, thrownAt } from "./startup.js";

export const DEFAULT_REQUESTS = 100;
export const DEFAULT_MAX_SECONDS = 60;
/** No request waits longer than this for its response (nor past the run's cap). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Sampling interval of the CPU profile, in µs. */
const SAMPLE_INTERVAL_US = 100;

export const PROFILE_CAVEAT =
  "profile measured the Worker locally in workerd: another CPU than Cloudflare's edge, no CPU or connection limit enforced, subrequests answered by a local stub unless --allow-network; compare routes and changes, not the exact figures.";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** `--request "GET /items"` (or "/items") as a scenario request. */
export function parseRequestFlag(text) {
  const m = /^\s*(?:([A-Za-z]+)\s+)?(\/\S*)\s*$/.exec(text);
  if (!m || (m[1] && !METHODS.has(m[1].toUpperCase()))) {
    throw new PerfOptimizerError(`--request takes "METHOD /path" (GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS), got '${text}'`);
  }
  return { method: (m[1] ?? "GET").toUpperCase(), path: m[2] };
}

/**
 * GET routes without parameters read from the Worker's first-party sources
 * (`files`: `{ path, source }`) by the core: route literals of Hono,
 * itty-router and routers of that shape, under the prefix a Hono `route()`
 * mounts their router at. Always with `GET /`.
 */
export function discoverRoutes(files) {
  const paths = JSON.parse(callCore("the Worker's sources", (core) => core.discoverRoutes(JSON.stringify(files))));
  return paths.map((path) => ({ method: "GET", path }));
}

/**
 * The order the `count` requests are sent in: each request's share by its
 * weight (largest remainders), interleaved evenly (index into `requests`).
 */
export function schedule(requests, count) {
  const weights = requests.map((r) => r.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (count * w) / total);
  const counts = exact.map(Math.floor);
  let left = count - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i]++;
  }
  const slots = counts.flatMap((n, i) => Array.from({ length: n }, (_, j) => [(j + 0.5) / n, i]));
  return slots.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
}

/** The label of a scenario request in the report. */
const routeName = (r) => r.name ?? `${(r.method ?? "GET").toUpperCase()} ${r.path}`;

/** Quantile `q` of sorted numbers (nearest rank). */
function quantile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const spread = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: round(quantile(s, 0.5)), p95: round(quantile(s, 0.95)), max: round(s.at(-1) ?? 0) };
};
const countSpread = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), max: s.at(-1) ?? 0 };
};

/**
 * Whether a sample's frame is JavaScript running in the isolate (a function
 * of a script or module: the Worker's, its packages', the runtime's own JS
 * modules) or its garbage collection, not a native call of the runtime
 * ("(program)", `fetch`, `Headers.set`): locally, samples of those also
 * land while the thread runs the simulated D1 and the stub (measured: 60
 * D1 queries gave ~30 ms per request of such samples), which are not the
 * Worker's CPU on Cloudflare.
 */
const isJavaScript = (node) => Boolean(node?.callFrame.url) || node?.callFrame.functionName === "(garbage collector)";

/** Functions of the measurement itself (js/profile-runner.js): their samples are not the Worker's CPU. */
const isMeasurement = (name) => name.startsWith("__perfOptimizerMeasure");

/**
 * CPU ms per request from the run's V8 CPU profile: each sample lasts until
 * the next one, capped (workerd takes no samples while the isolate waits,
 * so a gap is not CPU time), and is shared by the requests in flight when it
 * was taken. Idle samples, the measurement's own code and the wrapper's
 * own frames (`__perfOptimizer…`, their self time) do not count.
 * Also each route's self time by profile node. Returns
 * `{ cpu: Map(index → ms), sampled: Set(index), selfByRoute: Map(route → Map(nodeId → ms)) }`.
 */
export function cpuPerRequest(profile, requests) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const measuring = new Map();
  /** Whether the node or one of its callers is the measurement's. */
  const inMeasurement = (id) => {
    if (!measuring.has(id)) {
      const n = nodes.get(id);
      measuring.set(id, !n || isMeasurement(n.callFrame.functionName) || (parent.has(id) && inMeasurement(parent.get(id))));
    }
    return measuring.get(id);
  };
  // Idle; the measurement's work and what it calls; the wrapper's own frames
  // (their self time; what they call is the Worker's).
  const isExcluded = (id) => {
    const name = nodes.get(id)?.callFrame.functionName ?? "";
    return name === "(idle)" || name.startsWith("__perfOptimizer") || inMeasurement(id);
  };
  const times = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const deltas = profile.timeDeltas.slice(1).filter((d) => d > 0).sort((a, b) => a - b);
  const cap = Math.max(2 * SAMPLE_INTERVAL_US, 3 * (quantile(deltas, 0.5) || SAMPLE_INTERVAL_US));
  const windows = requests.map((r) => ({ index: r.index, route: r.route, start: Number(BigInt(r.startNs) / 1000n), end: Number(BigInt(r.endNs) / 1000n) }));
  const cpu = new Map(windows.map((w) => [w.index, 0]));
  const js = new Map(windows.map((w) => [w.index, 0]));
  const sampled = new Set();
  const selfByRoute = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    if (isExcluded(id)) continue;
    const at = times[i];
    const next = i + 1 < times.length ? times[i + 1] : profile.endTime;
    const weight = Math.min(Math.max(0, next - at), cap) / 1000;
    const inFlight = windows.filter((w) => w.start <= at && at < w.end);
    for (const w of inFlight) {
      const share = weight / inFlight.length;
      cpu.set(w.index, cpu.get(w.index) + share);
      if (isJavaScript(nodes.get(id))) js.set(w.index, js.get(w.index) + share);
      sampled.add(w.index);
      if (!selfByRoute.has(w.route)) selfByRoute.set(w.route, new Map());
      const self = selfByRoute.get(w.route);
      self.set(id, (self.get(id) ?? 0) + share);
    }
  }
  return { cpu, sampled, selfByRoute, nodes, js };
}

/**
 * Where a profile frame is: a first-party file:line or a package, through
 * the bundle's source map; engine frames ("(garbage collector)",
 * "(program)") by name only.
 */
function frameOf(frame, bundleFile, lines, map, mainPath) {
  let entry = { name: frame.functionName || "(anonymous)" };
  if (frame.url && basename(frame.url) === bundleFile && lines) {
    const at = originalPosition(lines, frame.lineNumber, frame.columnNumber);
    const source = at && map.sources?.[at.source];
    if (source) {
      const abs = sourcePath(map, source, join(mainPath, ".."));
      const origin = originOf(abs);
      if (origin.kind === "package") entry.package = origin.name;
      else entry = { ...entry, file: displayPath(abs), line: at.line + 1 };
    }
  } else if (frame.url) {
    entry.package = frame.url.replace(/^node-internal:/, "node:").split(/[/]/)[0];
  }
  return entry;
}

/** A mapped frame's identity: its name and place. */
const frameKey = (entry) => `${entry.name}\0${entry.file ?? ""}\0${entry.line ?? ""}\0${entry.package ?? ""}`;

/**
 * The top functions of a route by self time: the profile's positions in the
 * bundle mapped through its source map to a first-party file:line or a
 * package; engine frames ("(garbage collector)", "(program)") by name.
 */
function topFunctions(self, nodes, bundleFile, lines, map, mainPath, total) {
  const byKey = new Map();
  for (const [id, ms] of self) {
    const entry = frameOf(nodes.get(id).callFrame, bundleFile, lines, map, mainPath);
    const key = frameKey(entry);
    const prev = byKey.get(key);
    byKey.set(key, { ...entry, selfMs: (prev?.selfMs ?? 0) + ms });
  }
  return [...byKey.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, 5)
    .filter((f) => f.selfMs > 0)
    .map((f) => ({ ...f, selfMs: round(f.selfMs), share: total > 0 ? round(f.selfMs / total) : 0 }));
}

/** A route's call tree keeps the nodes of at least this share of its CPU… */
export const CALL_TREE_MIN_SHARE = 0.005;
/** …and at most this many (the root included); the rest fold into their callers. */
export const CALL_TREE_MAX_NODES = 200;

/** The harness's own frames (js/profile-runner.js's modules and functions): left out of the call tree, their callees kept. */
const isHarnessFrame = (frame) => frame.functionName.startsWith("__perfOptimizer") || basename(frame.url ?? "").startsWith("__perf-optimizer-");

/**
 * A route's call tree (the report's `callTree`) from its self time by
 * profile node (`self`: Map(nodeId → ms)): each node's stack mapped frame by
 * frame (`place(callFrame)`), the harness's frames (and the built-ins they
 * call) spliced out, their callees kept under their caller, the same
 * place under the same caller merged. Pruned to the nodes of at least
 * CALL_TREE_MIN_SHARE of the route's CPU, at most CALL_TREE_MAX_NODES of
 * them (the largest); a pruned node's time is its caller's self time.
 * Nodes depth first, callees by total time (the largest first, then by
 * name and place). Null without samples.
 */
export function callTree(self, nodes, place) {
  const parentOf = new Map();
  for (const n of nodes.values()) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const root = { entry: { name: "(root)" }, key: "", up: null, self: 0, total: 0, children: new Map() };
  const at = new Map();
  /** The tree node of a profile node: its callers first (iteratively: stacks can be deep). */
  const treeNode = (id) => {
    const chain = [];
    for (let n = id; n !== undefined && !at.has(n); n = parentOf.get(n)) chain.push(n);
    for (const n of chain.reverse()) {
      const up = parentOf.has(n) ? at.get(parentOf.get(n)) : null;
      const frame = nodes.get(n).callFrame;
      if (!up) at.set(n, root);
      // The harness's frames, and the built-ins they call (AsyncLocalStorage's `run`, `Headers`).
      else if (isHarnessFrame(frame) || (!frame.url && isHarnessFrame(nodes.get(parentOf.get(n)).callFrame))) at.set(n, up);
      else {
        const entry = place(frame);
        const key = frameKey(entry);
        if (!up.children.has(key)) up.children.set(key, { entry, key, up, self: 0, total: 0, children: new Map() });
        at.set(n, up.children.get(key));
      }
    }
    return at.get(id);
  };
  for (const [id, ms] of self) {
    if (!(ms > 0) || !nodes.has(id)) continue;
    const node = treeNode(id);
    node.self += ms;
    for (let n = node; n; n = n.up) n.total += ms;
  }
  if (!(root.total > 0)) return null;
  const byTotal = (a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  // The largest nodes; a caller's total is at least its callee's, and the
  // caller sorts first on a tie (shallower), so the kept set hangs together.
  const all = [];
  for (const stack = [...root.children.values()].map((node) => ({ node, depth: 1 })); stack.length; ) {
    const x = stack.pop();
    all.push(x);
    for (const node of x.node.children.values()) stack.push({ node, depth: x.depth + 1 });
  }
  const minMs = root.total * CALL_TREE_MIN_SHARE;
  const kept = new Set(
    all
      .filter((x) => x.node.total >= minMs)
      .sort((a, b) => byTotal(a.node, b.node) || a.depth - b.depth)
      .slice(0, CALL_TREE_MAX_NODES - 1)
      .map((x) => x.node),
  );
  const out = [];
  const emit = (node, parent) => {
    const index = out.length;
    const row = { ...node.entry, ...(parent === undefined ? {} : { parent }), selfMs: node.self, totalMs: round(node.total) };
    out.push(row);
    for (const c of [...node.children.values()].sort(byTotal)) {
      if (kept.has(c)) emit(c, index);
      else row.selfMs += c.total;
    }
    row.selfMs = round(row.selfMs);
  };
  emit(root, undefined);
  return { nodes: out, foldedNodes: all.length - (out.length - 1) };
}

/** `firstPartyFrame` with its answers kept per stack (a route repeats the same stacks). */
function cachedFrames(bundleFile, map, main) {
  const known = new Map();
  return (stack) => {
    if (!stack) return null;
    if (!known.has(stack)) known.set(stack, firstPartyFrame(stack, bundleFile, map, main));
    return known.get(stack);
  };
}

/** The statement a route's requests sent most, the most times one request sent it, and where it was sent from. */
function topQuery(answered, sqlStacks, lineOf) {
  const totals = new Map();
  const most = new Map();
  for (const r of answered) {
    const per = new Map();
    for (const q of r.record?.d1 ?? []) for (const sql of q.sqls) per.set(sql, (per.get(sql) ?? 0) + 1);
    for (const [sql, n] of per) {
      totals.set(sql, (totals.get(sql) ?? 0) + n);
      most.set(sql, Math.max(most.get(sql) ?? 0, n));
    }
  }
  const [top] = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (!top) return null;
  return { sql: top[0], maxPerRequest: most.get(top[0]), ...(lineOf(sqlStacks?.[top[0]]) ?? {}) };
}

/** The line of the project's own code that made the first outbound fetch of most of a route's requests. */
function fetchedFrom(answered, lineOf) {
  const counts = new Map();
  for (const r of answered) {
    const at = lineOf(r.record?.fetchStack);
    if (!at) continue;
    const key = `${at.file}:${at.line}`;
    counts.set(key, { at, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0]?.at ?? null;
}

/**
 * Where the memory still live after the final collection was allocated:
 * V8's sampling heap profile, each sample at the innermost frame of the
 * project's own code on its stack (else its own frame), grouped by function,
 * the largest five; with the routes whose CPU samples ran that function.
 */
function heapRetained(heapProfile, cpu, routeNames, { bundleFile, lines, map, main }) {
  const mapped = (frame) => frameOf(frame, bundleFile, lines, map, main);
  const bySite = new Map();
  // The measurement's own allocations (its frames and what they call, but
  // the Worker's handler under the wrapper's __perfOptimizerRun) are left out.
  const visit = (node, site, measuring) => {
    const entry = mapped(node.callFrame);
    const ours = measuring || (entry.name.startsWith("__perfOptimizer") && entry.name !== "__perfOptimizerRun");
    const here = entry.file ? entry : site;
    if (node.selfSize > 0 && !ours && entry.name !== "__perfOptimizerRun") {
      const at = here ?? entry;
      const key = frameKey(at);
      bySite.set(key, { ...at, bytes: (bySite.get(key)?.bytes ?? 0) + node.selfSize });
    }
    for (const child of node.children ?? []) visit(child, here, ours);
  };
  visit(heapProfile.head, null, false);
  // The functions on the stacks of each route's CPU samples.
  const parent = new Map();
  for (const n of cpu.nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map();
  const routesOf = new Map();
  for (const [routeIndex, self] of cpu.selfByRoute) {
    for (const id of self.keys()) {
      for (let at = id; at !== undefined; at = parent.get(at)) {
        if (!keyOf.has(at)) keyOf.set(at, frameKey(mapped(cpu.nodes.get(at).callFrame)));
        const key = keyOf.get(at);
        if (!routesOf.has(key)) routesOf.set(key, new Set());
        routesOf.get(key).add(routeIndex);
      }
    }
  }
  return [...bySite]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 5)
    .map(([key, { bytes, ...site }]) => {
      const routes = [...(routesOf.get(key) ?? [])].sort((a, b) => a - b).map((i) => routeNames[i]);
      return { ...site, mb: round(bytes / 1e6), ...(site.file && routes.length ? { routes } : {}) };
    });
}

/**
 * The table a query plan reads whole (`SCAN items`, not through an index), or
 * null: SQLite's `EXPLAIN QUERY PLAN` details, one per step.
 */
export function fullScanTable(plan) {
  for (const detail of plan) {
    const m = /^SCAN (?:TABLE )?([^\s(]+)(?: AS \S+)?(.*)$/.exec(detail);
    if (!m || /^(CONSTANT|SUBQUERY)$/i.test(m[1])) continue;
    if (/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|VIRTUAL TABLE/i.test(m[2])) continue;
    return m[1];
  }
  return null;
}

/** The first frame of `stack` in the project's own code (through the source map): `{ file, line }` or null. */
function firstPartyFrame(stack, bundleFile, map, main) {
  if (!stack || !map) return null;
  for (const frame of thrownAt(stack, bundleFile, map, main)) {
    const m = /^(.*):(\d+):\d+$/.exec(frame);
    if (m && originOf(resolve(m[1])).kind === "firstParty") return { file: m[1], line: Number(m[2]) };
  }
  return null;
}

/** Runs js/profile-runner.js with `spec`; kills it (and workerd) past `limitMs`. */
function runRunner(specFile, cwd, limitMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./profile-runner.js", import.meta.url)), specFile], {
      cwd,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, limitMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, killed });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stderr: error.message, killed });
    });
  });
}

/** The thrown error of a request in one line, and where it was thrown in the sources. */
function errorOf(error, bundleFile, map, main) {
  const frames = error.stack && map ? thrownAt(error.stack, bundleFile, map, main) : [];
  const [file, line] = frames.length ? [frames[0].replace(/:\d+:\d+$/, ""), Number(/:(\d+):\d+$/.exec(frames[0])[1])] : [undefined, undefined];
  return { message: `${error.name}: ${error.message}`.replace(/\s+/g, " ").slice(0, 300), file, line };
}

/**
 * Profiles the Worker: `scenario` is `{ requests, count, concurrency,
 * maxSeconds, stub, source }`; returns the analyze input's `profile` (the
 * report's block without the plan's limits, which the core adds).
 */
export async function profileWorker(project, bundle, metafile, scenario, { allowNetwork = false, env } = {}) {
  if (!bundle.wrangler || !bundle.workerBundle) {
    throw new PerfOptimizerError(`${displayPath(project.dir) || "."}: cannot profile: wrangler is not installed in the project (npm install -D wrangler); the Worker runs in workerd through it`);
  }
  const miniflare = projectMiniflare(project, bundle);
  if (!miniflare) throw new PerfOptimizerError(`${displayPath(project.dir) || "."}: cannot profile: the project's wrangler has no Miniflare to run the Worker with`);
  const main = mainOutput(metafile, bundle.workingDir);
  let map = null;
  try {
    map = JSON.parse(readFileSync(`${main}.map`, "utf8"));
  } catch {
    // without a source map, positions stay in the bundle
  }
  const lines = map ? (() => {
    try {
      return decodeMappings(map);
    } catch {
      return null;
    }
  })() : null;
  const order = schedule(scenario.requests, scenario.count);
  const work = mkdtempSync(join(tmpdir(), "perf-optimizer-run-"));
  try {
    const spec = {
      miniflare,
      wrangler: bundle.wrangler,
      configPath: project.configPath,
      env: env ?? null,
      workerBundle: bundle.workerBundle,
      resultFile: join(work, "result.json"),
      stateDir: join(work, "state"),
      timeoutMs: scenario.maxSeconds * 1000,
      requestTimeoutMs: Math.min(REQUEST_TIMEOUT_MS, scenario.maxSeconds * 1000),
      allowNetwork,
      stub: { delayMs: scenario.stub?.delayMs ?? 0, bodyBytes: scenario.stub?.bodyBytes ?? 2 },
      sampleIntervalUs: SAMPLE_INTERVAL_US,
      concurrency: scenario.concurrency,
      requests: scenario.requests.map((r) => ({ method: (r.method ?? "GET").toUpperCase(), path: r.path, headers: r.headers ?? {}, body: r.body ?? null })),
      schedule: order,
    };
    const specFile = join(work, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    // Start-up, migrations and the final GC come on top of the run's cap.
    const { code, stderr, killed } = await runRunner(specFile, project.dir, scenario.maxSeconds * 1000 + 90_000);
    let result;
    try {
      result = JSON.parse(readFileSync(spec.resultFile, "utf8"));
    } catch {
      const why = killed ? "it did not end in time and was stopped" : stderr.trim().split("\n").filter(Boolean).at(-1) ?? `exit ${code}`;
      throw new PerfOptimizerError(`cannot profile: the Worker could not be run in workerd (${why.slice(0, 300)})`);
    }
    const bundleFile = basename(main);
    if (result.startError) {
      const e = errorOf(result.startError, bundleFile, map, main);
      const where = e.file ? `${e.file}:${e.line}: ` : "";
      throw new PerfOptimizerError(`${where}cannot profile: the Worker failed to start in workerd: ${e.message}`);
    }
    if (!result.ok) {
      throw new PerfOptimizerError(`cannot profile: ${result.failure?.message ?? "the run failed"}`.slice(0, 500));
    }
    return summarize(result, scenario, { bundleFile, lines, map, main, allowNetwork });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A distinct query with its plan (on the first binding it was sent to) and where it was first sent from. */
function withPlan(query, result, { bundleFile, map, main }) {
  const out = { ...query };
  const found = query.bindings.map((b) => result.plans?.[b]?.[query.sql]).find(Boolean);
  if (found?.plan) {
    out.plan = found.plan.join("; ");
    const table = fullScanTable(found.plan);
    out.fullScan = table !== null;
    if (table) out.table = table;
  }
  const at = firstPartyFrame(result.sqlStacks?.[query.sql], bundleFile, map, main);
  if (at) Object.assign(out, at);
  return out;
}

/**
 * What a route's answered requests show about caching it: how many 2xx
 * bodies were compared and how many were the same (the most common body),
 * the caching headers they carried, how many set a cookie, and the request
 * headers the Worker read (a cache keyed by the URL is right only if the
 * answer depends on nothing else).
 */
function responsesOf(answered) {
  const ok = answered.filter((r) => r.status >= 200 && r.status < 300 && typeof r.bodyDigest === "string");
  if (!ok.length) return null;
  const byDigest = new Map();
  for (const r of ok) byDigest.set(r.bodyDigest, [...(byDigest.get(r.bodyDigest) ?? []), r]);
  const same = [...byDigest.values()].sort((a, b) => b.length - a.length)[0];
  const cachingHeaders = new Set();
  for (const r of ok) for (const [name, value] of Object.entries(r.caching ?? {})) cachingHeaders.add(`${name}: ${value}`);
  const readHeaders = new Set(answered.flatMap((r) => r.record?.headersRead ?? []));
  return {
    compared: ok.length,
    identical: same.length,
    bodyBytes: same[0].bodyBytes,
    cachingHeaders: [...cachingHeaders].sort().slice(0, 5),
    setCookie: ok.filter((r) => r.setCookie).length,
    readHeaders: [...readHeaders].sort().slice(0, 20),
  };
}

/**
 * The I/O a route repeated with the same input in more than one request:
 * a SQL statement with the same bound parameters, a subrequest to the same
 * URL (`{ kind, text, params?, requests }`, most repeated first, at most 5).
 */
function repeatsOf(answered) {
  const seen = new Map();
  const note = (key, repeat, index) => {
    const prev = seen.get(key) ?? { ...repeat, requests: new Set() };
    prev.requests.add(index);
    seen.set(key, prev);
  };
  for (const r of answered) {
    for (const q of r.record?.d1 ?? []) {
      q.sqls.forEach((sql, i) => {
        const params = q.params?.[i] ?? "[]";
        note(`q\0${sql}\0${params}`, { kind: "query", text: sql, ...(params === "[]" ? {} : { params }) }, r.index);
      });
    }
    for (const target of r.record?.fetches ?? []) note(`s\0${target}`, { kind: "subrequest", text: target }, r.index);
  }
  return [...seen.values()]
    .filter((x) => x.requests.size > 1)
    .map((x) => ({ ...x, requests: x.requests.size }))
    .sort((a, b) => b.requests - a.requests || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, 5);
}

/**
 * A request's sampled CPU, at most the CPU of workerd's busiest thread while
 * the request was the only one in flight (`threadCpuNs`, concurrency 1 on
 * Linux; the isolate runs its JavaScript on one thread) less what the local
 * dispatch of any request costs it (`dispatchCpuNs`: requests the wrapper
 * answers itself): a sample's weight is the wall time to the next one,
 * which a busy machine stretches while the thread waits for a core; the
 * scheduler's own count cannot be stretched so.
 */
function bounded(r, ms, dispatchNs) {
  const used = r.threadCpuNs ?? r.processCpuNs;
  if (used === undefined) return ms;
  const worker = Number(used) - (r.threadCpuNs !== undefined && dispatchNs !== undefined ? Number(dispatchNs) : 0);
  return Math.min(ms, Math.max(0, worker) / 1e6);
}

/** A route's `jsCpuMs`, `topQuery` and `fetchedFrom` (each when measured). */
function routeAttribution(answered, result, lineOf, js) {
  const out = {};
  if (result.profile) out.jsCpuMs = spread(answered.map((r) => bounded(r, js.get(r.index) ?? 0, result.dispatchCpuNs)));
  const query = topQuery(answered, result.sqlStacks, lineOf);
  if (query) out.topQuery = query;
  const fetched = fetchedFrom(answered, lineOf);
  if (fetched) out.fetchedFrom = fetched;
  return out;
}

/** The report's `profile` block from the runner's result. */
function summarize(result, scenario, { bundleFile, lines, map, main, allowNetwork }) {
  const { cpu, sampled, selfByRoute, nodes, js } = result.profile ? cpuPerRequest(result.profile, result.requests) : { cpu: new Map(), sampled: new Set(), selfByRoute: new Map(), nodes: new Map() };
  const lineOf = cachedFrames(bundleFile, map, main);
  const d1Bound = result.requests.some((r) => r.record && Object.keys(r.record.d1Watched ?? {}).length > 0);
  const d1Watched = result.requests.every((r) => !r.record || Object.values(r.record.d1Watched ?? {}).every(Boolean));
  const queries = new Map();
  const routes = scenario.requests.map((request, routeIndex) => {
    const sent = result.requests.filter((r) => r.route === routeIndex);
    const status = {};
    const errors = new Map();
    const answered = [];
    for (const r of sent) {
      let failure = null;
      if (r.record?.error || r.threw) failure = { kind: "threw", ...errorOf(r.record?.error ?? { name: "Error", message: "the Worker threw", stack: "" }, bundleFile, map, main) };
      else if (r.timedOut) failure = { kind: "timeout", message: r.error.message };
      else if (r.error) failure = { kind: "failed", message: `${r.error.name}: ${r.error.message}`.slice(0, 300) };
      // workerd cancels a request whose handler waits on nothing that can settle it (500).
      else if (r.record && r.record.settled === false) failure = { kind: "hung", message: "the handler's promise never settled and nothing was left to wait on: workerd cancelled the request" };
      if (failure) {
        const key = `${failure.kind}\0${failure.message}\0${failure.file ?? ""}`;
        const prev = errors.get(key);
        errors.set(key, { ...failure, count: (prev?.count ?? 0) + 1 });
        continue;
      }
      status[String(r.status)] = (status[String(r.status)] ?? 0) + 1;
      answered.push(r);
    }
    for (const r of sent) {
      for (const q of r.record?.d1 ?? []) {
        for (const sql of q.sqls) {
          const prev = queries.get(sql) ?? { sql, count: 0, bindings: [] };
          prev.count++;
          if (q.binding && !prev.bindings.includes(q.binding)) prev.bindings.push(q.binding);
          queries.set(sql, prev);
        }
      }
    }
    const route = { route: routeName(request), method: (request.method ?? "GET").toUpperCase(), path: request.path, requests: sent.length, status };
    const errorList = [...errors.values()].map(({ kind, message, count, file, line }) => ({ kind, message, count, ...(file ? { file, line } : {}) }));
    if (errorList.length) route.errors = errorList;
    if (answered.length) {
      route.wallMs = spread(answered.map((r) => Number(BigInt(r.endNs) - BigInt(r.startNs)) / 1e6));
      if (result.profile) route.cpuMs = spread(answered.map((r) => bounded(r, cpu.get(r.index) ?? 0, result.dispatchCpuNs)));
      route.cpuSampledRequests = answered.filter((r) => sampled.has(r.index)).length;
      if (answered.every((r) => r.processCpuNs !== undefined)) route.processCpuMs = spread(answered.map((r) => Number(r.processCpuNs) / 1e6));
      route.subrequests = countSpread(answered.map((r) => r.record?.subrequests ?? 0));
      route.peakConnections = Math.max(0, ...answered.map((r) => r.record?.peakOpen ?? 0));
      if (d1Bound && d1Watched) {
        const per = (f) => countSpread(answered.map((r) => (r.record?.d1 ?? []).reduce((n, q) => n + f(q), 0)));
        route.d1 = { queries: per((q) => q.sqls.length), rowsRead: per((q) => q.rowsRead ?? 0), rowsWritten: per((q) => q.rowsWritten ?? 0) };
      }
      const responses = responsesOf(answered);
      if (responses) route.responses = responses;
      const repeats = repeatsOf(answered);
      if (repeats.length) route.repeats = repeats;
      const self = selfByRoute.get(routeIndex);
      if (self) {
        const total = answered.reduce((n, r) => n + (cpu.get(r.index) ?? 0), 0);
        const top = topFunctions(self, nodes, bundleFile, lines, map, main, total);
        if (top.length) route.topFunctions = top;
        const tree = callTree(self, nodes, (frame) => frameOf(frame, bundleFile, lines, map, main));
        if (tree) route.callTree = tree;
      }
      Object.assign(route, routeAttribution(answered, result, lineOf, js));
    } else {
      route.peakConnections = 0;
    }
    return route;
  });
  const notes = [...result.notes];
  if (scenario.source === "source") {
    notes.push(`no scenario given (config \`profile.requests\` or --request): profiled GET / and the parameter-free GET routes read from the source (${scenario.requests.length} in all)`);
  }
  const answeredAll = routes.reduce((n, r) => n + Object.values(r.status).reduce((a, b) => a + b, 0), 0);
  const sampledAll = routes.reduce((n, r) => n + (r.cpuSampledRequests ?? 0), 0);
  if (result.profile && sampledAll < answeredAll) {
    notes.push(`the V8 CPU profile has samples in ${sampledAll} of ${answeredAll} answered requests (workerd's profiler samples sparsely): cpuMs undercounts short requests; processCpuMs is workerd's whole CPU time per request`);
  }
  if (d1Bound && !d1Watched) notes.push("the D1 binding's queries could not be counted (its client has no fetcher to watch in this workerd version)");
  if (result.outbound.hosts?.length && !allowNetwork) notes.push(`outbound fetches answered by the stub, to: ${result.outbound.hosts.join(", ")}`);
  const completed = result.requests.length;
  const block = {
    requests: scenario.count,
    completed,
    concurrency: scenario.concurrency,
    scenario: scenario.source,
    cutOff: Boolean(result.run?.timedOut) || result.requests.some((r) => r.timedOut),
    routes,
    queries: [...queries.values()].sort((a, b) => b.count - a.count || (a.sql < b.sql ? -1 : 1)).map((q) => withPlan(q, result, { bundleFile, map, main })),
    outbound: { requests: result.outbound.total, peakOpen: result.outbound.peakOpen, stubbed: !allowNetwork },
    notes,
  };
  if (typeof result.heapStart === "number" && typeof result.heapEnd === "number") {
    const mb = (bytes) => bytes / 1e6;
    block.heap = {
      startMb: round(mb(result.heapStart)),
      endMb: round(mb(result.heapEnd)),
      growthMbPer1k: completed ? round(((mb(result.heapEnd) - mb(result.heapStart)) / completed) * 1000) : 0,
    };
    if (result.heapProfile?.head) {
      const retained = heapRetained(result.heapProfile, { nodes, selfByRoute }, routes.map((r) => r.route), { bundleFile, lines, map, main });
      if (retained.length) block.heap.retained = retained;
    }
  }
  if (typeof result.wranglerCpuMs === "number") block.wranglerCpuMs = result.wranglerCpuMs;
  return block;
}

/**
 * The scenario of a run: the CLI's/API's requests, else the config's, else
 * `GET /` and the routes read from `files`; counts and caps from the
 * options, the config, the defaults.
 */
export function buildScenario(configProfile = {}, options = {}, files = []) {
  let requests;
  let source;
  if (options.requests?.length) {
    requests = options.requests;
    source = "cli";
  } else if (configProfile.requests?.length) {
    requests = configProfile.requests;
    source = "config";
  } else {
    requests = discoverRoutes(files);
    source = "source";
  }
  const count = options.count ?? configProfile.count ?? DEFAULT_REQUESTS;
  const concurrency = options.concurrency ?? configProfile.concurrency ?? 1;
  const maxSeconds = options.maxSeconds ?? configProfile.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const whole = (n, min, max) => Number.isInteger(n) && n >= min && n <= max;
  if (!whole(count, 1, 10_000)) throw new PerfOptimizerError(`the request count must be a whole number from 1 to 10000, got ${count}`);
  if (!whole(concurrency, 1, 64)) throw new PerfOptimizerError(`the concurrency must be a whole number from 1 to 64, got ${concurrency}`);
  if (!whole(maxSeconds, 1, 600)) throw new PerfOptimizerError(`the time cap must be a whole number of seconds from 1 to 600, got ${maxSeconds}`);
  return { requests, count, concurrency, maxSeconds, stub: options.stub ?? configProfile.stub ?? {}, source };
}
