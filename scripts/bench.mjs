// `npm run bench`: measures perf-optimizer against ESLint and oxlint on the
// same files in the same run, plus start-up and package size. Not part of
// `npm test` (timings are not assertions).
//   corpus: the JavaScript of drizzle-orm, hono and zod (examples/worker's
//   node_modules), copied out of node_modules so no tool skips it.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "./build.mjs";
import { benchBundle } from "./bench-bundle.mjs";
import { ensureNpmPackages, root } from "./lib.mjs";

if (!process.argv.includes("--no-build")) build();
const example = join(root, "examples", "worker");
ensureNpmPackages(example);

const corpus = join(tmpdir(), "perf-optimizer-bench");
rmSync(corpus, { recursive: true, force: true });
let files = 0;
let bytes = 0;
const fileList = [];
const isJs = (name) => /\.(m|c)?js$/.test(name);
for (const pkg of ["drizzle-orm", "hono", "zod"]) {
  cpSync(join(example, "node_modules", pkg), join(corpus, pkg), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || isJs(src),
  });
}
(function count(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) count(p);
    else if (isJs(e.name)) { files += 1; bytes += statSync(p).size; fileList.push(p); }
  }
})(corpus);

/**
 * Runs each command `rounds` times, interleaved (A B C A B C ...), so that a
 * slow spell of this shared machine hits every tool alike; prints and returns
 * the medians.
 */
function timeInterleaved(commands, rounds = 7) {
  const samples = commands.map(() => []);
  const last = [];
  for (let round = 0; round < rounds; round++) {
    commands.forEach(({ cmd, args }, i) => {
      const start = process.hrtime.bigint();
      last[i] = spawnSync(cmd, args, { cwd: corpus, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      samples[i].push(Number(process.hrtime.bigint() - start) / 1e6);
      if (last[i].error) throw last[i].error;
    });
  }
  return commands.map(({ label }, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    const ms = sorted[Math.floor(sorted.length / 2)];
    console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  (median of ${rounds}; fastest ${sorted[0].toFixed(0)}; exit ${last[i].status})`);
    return { median: ms, fastest: sorted[0], all: samples[i] };
  });
}

const bin = (pkg, file) => join(root, "node_modules", pkg, file);
console.log(`\nCorpus: ${files} JavaScript files, ${(bytes / 1048576).toFixed(1)} MiB (drizzle-orm, hono, zod)\n`);
const [ours, eslint, oxlint] = timeInterleaved([
  {
    label: "perf-optimizer lint (every rule)",
    cmd: process.execPath,
    args: [join(root, "pkg", "js", "cli.js"), "lint", ...fileList, "--format", "json", "--output", join(tmpdir(), "perf-bench.json")],
  },
  {
    label: "eslint (no-await-in-loop, no-console)",
    cmd: process.execPath,
    args: [
      bin("eslint", "bin/eslint.js"), "--no-config-lookup", "--no-ignore", "--rule", "no-await-in-loop: error", "--rule", "no-console: error",
      "--format", "json", "-o", join(tmpdir(), "eslint-bench.json"), ".",
    ],
  },
  {
    label: "oxlint --threads 1 (the same two rules)",
    cmd: process.execPath,
    args: [bin("oxlint", "bin/oxlint"), "--threads", "1", "-A", "all", "-D", "no-await-in-loop", "-D", "no-console", "."],
  },
]);
const report = JSON.parse(readFileSync(join(tmpdir(), "perf-bench.json"), "utf8"));
console.log(`\n  perf-optimizer analyzed ${report.summary.files} files, ${report.diagnostics.length} findings`);
const ratio = (a, b) => (a / b).toFixed(1);
console.log(`  perf-optimizer is ${ratio(eslint.median, ours.median)}x faster than ESLint (medians; fastest runs: ${ratio(eslint.fastest, ours.fastest)}x); oxlint is ${ratio(ours.median, oxlint.median)}x faster than perf-optimizer`);
console.log(`  per round (ESLint / perf-optimizer, runs next to each other): ${eslint.all.map((t, i) => ratio(t, ours.all[i])).join(", ")}`);

console.log("\nStart-up (median of 15):");
const median = (cmd, args) => {
  const s = [];
  for (let i = 0; i < 15; i++) {
    const t = process.hrtime.bigint();
    spawnSync(cmd, args);
    s.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return s.sort((a, b) => a - b)[7];
};
const nodeOnly = median(process.execPath, ["-e", "0"]);
const version = median(process.execPath, [join(root, "pkg", "js", "cli.js"), "--version"]);
const rules = median(process.execPath, [join(root, "pkg", "js", "cli.js"), "rules"]);
console.log(`  node -e 0                   ${nodeOnly.toFixed(1)} ms`);
console.log(`  perf-optimizer --version    ${version.toFixed(1)} ms (+${(version - nodeOnly).toFixed(1)} ms; does not load the wasm)`);
console.log(`  perf-optimizer rules        ${rules.toFixed(1)} ms (+${(rules - nodeOnly).toFixed(1)} ms; loads the wasm once)`);

const wasm = readFileSync(join(root, "pkg", "wasm", "perf_optimizer_bg.wasm"));
const gzipBytes = gzipSync(wasm, { level: 9 }).length;
console.log(`\nPackage: wasm ${wasm.length.toLocaleString("en")} bytes raw, ${gzipBytes.toLocaleString("en")} bytes gzip (${(gzipBytes / 1000).toFixed(0)} KB; the budget is 500 KB)`);
rmSync(corpus, { recursive: true, force: true });

console.log("\nBundle analysis (tests/fixtures/bundle-worker) against esbuild's analyzeMetafile:");
await benchBundle();
