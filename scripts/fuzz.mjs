// `npm run fuzz -- --minutes N --seed S`: a seeded mutation fuzzer for the
// package's `lint`. It mutates seed files (tests/fixtures, examples/, and the
// shipped JS of a few installed packages) with byte flips, token deletion and
// duplication, deep nesting, long lines, unbalanced brackets and quotes,
// unicode (line terminators, lone surrogates, bidi controls) and huge
// literals, and lints each input in one long-lived process (scripts/fuzz/
// worker.mjs), checking that:
//   - nothing throws, and no report carries internal-error text (a trap),
//   - a bad input does not poison later calls (a known Worker keeps its findings),
//   - no input takes longer than --slow-ms (2 s), none hangs (--hang-ms, 60 s;
//     the process is killed and restarted past it), none crashes the process,
//   - RSS does not grow by more than --rss-mb (256 MB) after a warm-up,
//   - the rendered reports (pretty, Markdown, GitHub, SARIF) do not throw and
//     carry no raw control characters.
// Each failing input is written, with a smaller one that fails the same way
// where it can be cut down, to a folder under the OS temp dir, named by kind,
// seed and iteration; input I of seed S is rebuilt by `--seed S --replay I`.
// Exit code 1 when anything failed.
//
// Options: --minutes N | --seconds N | --iterations N (default: 10 minutes),
// --seed S (default: the time), --start I, --replay I, --package DIR (a built
// perf-optimizer package; default pkg/), --node-modules DIR (more seed
// packages), --out DIR, --slow-ms, --hang-ms, --rss-mb, --no-minimize, --quiet.
import { fork } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { loadSeeds, makeInput } from "./fuzz/mutate.mjs";
import { root } from "./lib.mjs";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string" }, seconds: { type: "string" }, iterations: { type: "string" },
    seed: { type: "string" }, start: { type: "string" }, replay: { type: "string" },
    package: { type: "string" }, "node-modules": { type: "string", multiple: true }, out: { type: "string" },
    "slow-ms": { type: "string" }, "hang-ms": { type: "string" }, "rss-mb": { type: "string" },
    "no-minimize": { type: "boolean" }, quiet: { type: "boolean" },
  },
});
const number = (value, fallback) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${value}`);
  return n;
};

const seed = number(args.seed, Date.now() % 2 ** 31) >>> 0;
const replay = args.replay !== undefined ? number(args.replay) : undefined;
const start = replay ?? number(args.start, 0);
// (Finite numbers: the options reach the worker as JSON.)
const end = replay !== undefined ? start + 1 : args.iterations ? start + number(args.iterations) : Number.MAX_SAFE_INTEGER;
const seconds = args.seconds ? number(args.seconds) : args.minutes ? number(args.minutes) * 60 : args.iterations || replay !== undefined ? Infinity : 600;
const packageDir = resolve(args.package ?? join(root, "pkg"));
if (!existsSync(join(packageDir, "js", "index.js"))) {
  console.error(`fuzz: no perf-optimizer package at ${packageDir} (run \`npm run build\` first, or pass --package DIR)`);
  process.exit(2);
}
const nodeModules = [
  ...(args["node-modules"] ?? []).map((d) => resolve(d)),
  join(root, "examples", "worker", "node_modules"),
  join(root, "tests", "fixtures", "bundle-worker", "node_modules"),
].filter((d) => existsSync(d));

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const out = resolve(args.out ?? join(tmpdir(), "perf-optimizer-fuzz", `seed-${seed}-${stamp}`));
const workDir = join(out, "work");
mkdirSync(workDir, { recursive: true });
const { seeds, packages } = loadSeeds(root, nodeModules);
// The same seed files rebuild the same inputs: a replay needs the same extra folders.
const seedFlags = (args["node-modules"] ?? []).map((d) => ` --node-modules ${resolve(d)}`).join("");
const startedAt = Date.now();
const deadline = Number.isFinite(seconds) ? startedAt + seconds * 1000 : Number.MAX_SAFE_INTEGER;
const slowMs = number(args["slow-ms"], 2000);
const hangMs = number(args["hang-ms"], 60_000);
const log = (line) => args.quiet || console.log(line);

log(`fuzz: seed ${seed}, ${seeds.length} seed files (${Object.entries(packages).map(([n, c]) => `${n} ${c}`).join(", ") || "no installed packages"}), package ${packageDir}`);
log(`fuzz: findings go to ${out}`);

const stats = { inputs: 0, bytes: 0, findings: 0, byKind: {}, signatures: new Map(), slowest: [], restarts: 0, peakRss: 0, baselineRss: null, endRss: null };

/** Writes a failing input (and its minimized form) with a note on how to rebuild it. */
function record(iteration, failure) {
  stats.byKind[failure.kind] = (stats.byKind[failure.kind] ?? 0) + 1;
  const signature = `${failure.kind}: ${failure.detail.split("\n")[0].replace(/\d+/g, "N").slice(0, 160)}`;
  const seen = stats.signatures.get(signature) ?? { count: 0, first: iteration };
  seen.count++;
  stats.signatures.set(signature, seen);
  if (seen.count > 5) return; // five examples of one failure are enough
  const input = makeInput(seeds, seed, iteration);
  const base = join(out, `${failure.kind}-seed${seed}-i${iteration}`);
  writeFileSync(`${base}${input.ext}`, input.bytes);
  if (failure.minimized) writeFileSync(`${base}.min${input.ext}`, Buffer.from(failure.minimized, "base64"));
  writeFileSync(
    `${base}.txt`,
    `${failure.kind} at iteration ${iteration} of seed ${seed}\nseed file: ${input.seed}\nmutations: ${input.mutations.join(", ")}\n` +
      `rebuild and rerun: npm run fuzz -- --seed ${seed} --replay ${iteration}${seedFlags}\n\n${failure.detail}\n`,
  );
  log(`  ${failure.kind} at iteration ${iteration} (${input.seed}; ${input.mutations.join(", ")}): ${failure.detail.split("\n")[0].slice(0, 200)}`);
}

/** Runs the worker from `from`; resolves with the next iteration to run (past a hang or a crash), or null when done. */
function runWorker(from) {
  return new Promise((done) => {
    const options = {
      root, packageDir, nodeModules, workDir, seed, start: from, end, deadline, slowMs,
      minimizeMs: args["no-minimize"] ? 0 : 20_000, canaryEvery: 20, rssEvery: 50, warmup: 200, rssGrowthMb: number(args["rss-mb"], 256),
    };
    const child = fork(fileURLToPath(new URL("./fuzz/worker.mjs", import.meta.url)), [JSON.stringify(options)], {
      execArgv: ["--expose-gc", "--stack-size=984"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    stopChild = () => child.kill("SIGKILL");
    let current = from;
    let stderr = "";
    let finished = false;
    let timer = null;
    const watch = () => {
      clearTimeout(timer);
      // Every input, and every try while minimizing, answers within hangMs.
      timer = setTimeout(() => {
        record(current, { kind: "hang", detail: `no answer within ${hangMs} ms: the process was killed` });
        child.kill("SIGKILL");
      }, hangMs);
    };
    watch();
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let answered = false;
    child.on("message", (message) => {
      answered = true;
      watch();
      if (message.type === "start") current = message.iteration;
      if (message.type === "result") {
        stats.inputs++;
        stats.bytes += message.bytes;
        stats.findings += message.findings;
        stats.peakRss = Math.max(stats.peakRss, message.rss);
        stats.baselineRss ??= message.baselineRss;
        stats.slowest = [...stats.slowest, { iteration: message.iteration, ms: Math.round(message.ms), bytes: message.bytes }].sort((a, b) => b.ms - a.ms).slice(0, 5);
        for (const failure of message.failures) record(message.iteration, failure);
        current = message.iteration + 1;
        if (!args.quiet && stats.inputs % 500 === 0) log(`fuzz: ${stats.inputs} inputs, ${rate()}/s, failures ${JSON.stringify(stats.byKind)}`);
      }
      if (message.type === "done") {
        finished = true;
        stats.endRss = message.rss;
        stats.baselineRss ??= message.baselineRss;
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (finished || stopping) return done(null);
      if (!answered && signal !== "SIGKILL") {
        // It never started (the package does not load, the canary gives nothing): not an input's fault.
        console.error(`fuzz: the worker could not start (${signal ?? `exit code ${code}`}):\n${stderr.trim()}`);
        process.exit(2);
      }
      if (signal !== "SIGKILL") record(current, { kind: "crash", detail: `the process exited (${signal ?? `code ${code}`}): ${stderr.trim().split("\n").slice(-6).join("\n")}` });
      stats.restarts++;
      done(current + 1 < end && Date.now() < deadline ? current + 1 : null);
    });
  });
}

// Ctrl-C (or a kill) ends the run with its summary.
let stopping = false;
let stopChild = () => {};
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopping = true;
    stopChild();
  });
}

const rate = () => (stats.inputs / ((Date.now() - startedAt) / 1000)).toFixed(1);

if (replay !== undefined) {
  const input = makeInput(seeds, seed, replay);
  const path = join(out, `replay-seed${seed}-i${replay}${input.ext}`);
  writeFileSync(path, input.bytes);
  log(`fuzz: input ${replay} (${input.seed}; ${input.mutations.join(", ")}): ${path}`);
}

let next = start;
while (next !== null) next = await runWorker(next);

const elapsed = (Date.now() - startedAt) / 1000;
const failures = Object.values(stats.byKind).reduce((a, b) => a + b, 0);
const summary = {
  seed, inputs: stats.inputs, seconds: Math.round(elapsed), perSecond: Number(rate()), megabytes: Math.round(stats.bytes / 1e6),
  findingsReported: stats.findings, failures, byKind: stats.byKind,
  distinct: [...stats.signatures].map(([signature, { count, first }]) => ({ signature, count, first })),
  slowest: stats.slowest, restarts: stats.restarts, rssMb: { afterWarmup: stats.baselineRss, peak: stats.peakRss, end: stats.endRss }, out,
};
writeFileSync(join(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `fuzz: ${summary.inputs} inputs (${summary.megabytes} MB) in ${summary.seconds} s, ${summary.perSecond}/s, seed ${seed}; ` +
    `RSS ${stats.baselineRss ?? "?"} MB after warm-up, peak ${stats.peakRss} MB; ` +
    (failures ? `${failures} failures: ${Object.entries(stats.byKind).map(([k, n]) => `${k} ${n}`).join(", ")} (${out})` : "no failures"),
);
for (const { signature, count, first } of summary.distinct) console.log(`  ${count}x ${signature} (first at iteration ${first})`);
process.exitCode = failures ? 1 : 0;
