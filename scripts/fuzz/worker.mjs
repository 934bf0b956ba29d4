// The fuzzer's long-lived process (forked by scripts/fuzz.mjs): lints input
// after input through the package's API in one process and reports, per
// input, what went wrong. The parent watches it for hangs and crashes.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadSeeds, makeInput } from "./mutate.mjs";

const options = JSON.parse(process.argv[2]);
const { PerfOptimizerError, lint, render } = await import(pathToFileURL(join(options.packageDir, "js", "index.js")).href);
const { seeds } = loadSeeds(options.root, options.nodeModules);
const send = (message) => process.send?.(message);

mkdirSync(options.workDir, { recursive: true });
process.chdir(options.workDir);

// A Worker with known findings: after a bad input, it must still get them.
const CANARY = `import { helper } from "./helper";
const cache = JSON.parse(JSON.stringify(globalThis.seed ?? {}));
export default {
  async fetch(request, env) {
    const ids = [1, 2, 3];
    for (const id of ids) {
      await fetch("https://example.com/" + id);
    }
    return new Response(JSON.stringify(cache));
  },
};
`;
const canaryDir = join(options.workDir, "canary");
mkdirSync(canaryDir, { recursive: true });
writeFileSync(join(canaryDir, "index.js"), CANARY);
const signature = (report) => report.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column}`).sort().join(" ");
const canary = async () => signature(await lint([join(canaryDir, "index.js")], { cwd: canaryDir }));
const expected = await canary();
if (!expected) throw new Error("the canary Worker gives no findings: the fuzzer could not tell a poisoned core from a working one");

const INTERNAL = /internal error|panicked|RuntimeError|unreachable|RangeError|Maximum call stack|wasm-function/;
// No raw control characters in text meant for a terminal or a Markdown page
// (tab and newline are layout; ESC only with color, which is off here).
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What went wrong with one input: [{ kind, detail }]. */
async function check(bytes, ext) {
  const dir = join(options.workDir, "input");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const file = join(dir, `input${ext}`);
  writeFileSync(file, bytes);
  const failures = [];
  let report;
  const started = performance.now();
  try {
    report = await lint([file], { cwd: dir });
  } catch (error) {
    const kind = error instanceof PerfOptimizerError ? (INTERNAL.test(error.message) ? "internal-error" : "error-thrown") : "threw";
    failures.push({ kind, detail: `${error?.name}: ${error?.message}`.slice(0, 2000) });
  }
  const ms = performance.now() - started;
  if (ms > options.slowMs) failures.push({ kind: "slow", detail: `${Math.round(ms)} ms for ${bytes.length} bytes` });
  if (report) {
    // What the report says of this input (a rule's fixed help text may mention internal errors).
    const text = JSON.stringify([report.diagnostics.map((d) => [d.message, d.related]), report.notes]);
    const internal = INTERNAL.exec(text);
    if (internal) failures.push({ kind: "internal-error", detail: text.slice(Math.max(0, internal.index - 200), internal.index + 300) });
    for (const format of ["pretty", "markdown", "github", "sarif"]) {
      let out;
      try {
        out = render(report, format, { color: false });
      } catch (error) {
        failures.push({ kind: "render-threw", detail: `${format}: ${error?.name}: ${error?.message}`.slice(0, 2000) });
        continue;
      }
      // SARIF is JSON: escapes are its own.
      const raw = format === "sarif" ? null : RAW_CONTROL.exec(out);
      if (raw) {
        const code = raw[0].codePointAt(0).toString(16).padStart(4, "0");
        failures.push({ kind: "raw-control", detail: `${format}: U+${code} in ${JSON.stringify(out.slice(Math.max(0, raw.index - 80), raw.index + 40))}` });
      }
    }
  }
  return { failures, ms, unreadable: report?.diagnostics.some((d) => d.rule === "unreadable-file") ?? false, findings: report?.diagnostics.length ?? 0 };
}

/** A smaller input that fails with the same kind: chunks removed while it still does (bounded tries and time). */
async function minimize(bytes, ext, kind) {
  let best = bytes;
  const deadline = Date.now() + options.minimizeMs;
  let chunk = Math.max(1, best.length >> 1);
  while (chunk >= 1 && Date.now() < deadline) {
    let removed = false;
    for (let start = 0; start < best.length && Date.now() < deadline; start += chunk) {
      const candidate = Buffer.concat([best.subarray(0, start), best.subarray(start + chunk)]);
      if (!candidate.length) continue;
      const { failures } = await check(candidate, ext);
      send({ type: "alive" });
      if (failures.some((f) => f.kind === kind)) {
        best = candidate;
        removed = true;
        start -= chunk;
      }
    }
    if (!removed) chunk >>= 1;
  }
  return best;
}

const MINIMIZED = new Set(["threw", "error-thrown", "internal-error", "render-threw", "raw-control"]);
const gc = globalThis.gc ?? (() => {});
const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

let lastGoodCanary = options.start - 1;
let baselineRss = null;
let peakRss = rssMb();
let sinceCanary = 0;
for (let i = options.start; i < options.end && Date.now() < options.deadline; i++) {
  send({ type: "start", iteration: i });
  const input = makeInput(seeds, options.seed, i);
  const result = await check(input.bytes, input.ext);
  const failures = result.failures.map((f) => ({ ...f, minimized: undefined }));
  for (const failure of failures) {
    if (MINIMIZED.has(failure.kind) && options.minimizeMs > 0) failure.minimized = (await minimize(input.bytes, input.ext, failure.kind)).toString("base64");
  }
  sinceCanary++;
  if (failures.length || result.unreadable || sinceCanary >= options.canaryEvery) {
    sinceCanary = 0;
    let got;
    try {
      got = await canary();
    } catch (error) {
      got = `threw ${error?.message}`;
    }
    if (got !== expected) {
      failures.push({ kind: "poisoned", detail: `after inputs ${lastGoodCanary + 1}..${i} the canary Worker gives ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}` });
    } else {
      lastGoodCanary = i;
    }
  }
  if ((i - options.start) % options.rssEvery === options.rssEvery - 1) {
    gc();
    const rss = rssMb();
    peakRss = Math.max(peakRss, rss);
    if (i - options.start < options.warmup) baselineRss = Math.max(baselineRss ?? 0, rss);
    else if (baselineRss !== null && rss > baselineRss + options.rssGrowthMb) {
      failures.push({ kind: "rss-growth", detail: `RSS ${rss} MB after ${i - options.start + 1} inputs, ${baselineRss} MB after the first ${options.warmup}` });
      baselineRss = rss; // report growth again only past the next step
    }
  }
  send({ type: "result", iteration: i, ms: result.ms, bytes: input.bytes.length, findings: result.findings, failures, rss: peakRss, baselineRss });
}
gc();
send({ type: "done", rss: rssMb(), peakRss, baselineRss });
