// `npm run bench:dense`: time per MB of the analysis of generated "dense"
// Worker files (0.5, 1 and 2 MB, a finding or more on every line), to see
// that time grows no faster than size (issue #16: a pass over all pairs of
// findings made 1 MB take ~58 s and 2 MB ~281 s). A measurement, not a test:
// each size runs once in a fresh process, through the built package (pkg/).
//   node scripts/bench-dense.mjs [--sizes 0.5,1,2]
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./lib.mjs";

const sizesArg = process.argv[process.argv.indexOf("--sizes") + 1];
const sizes = process.argv.includes("--sizes") ? sizesArg.split(",").map(Number) : [0.5, 1, 2];

/** One loop per line: awaits, subrequests, deep clones, regexes and logging in a loop. */
const LINE = (i) =>
  `    for (const k of keys) { const v${i} = await env.KV.get(k); await fetch("https://x/" + k); console.log(JSON.parse(JSON.stringify(v${i}))); new RegExp(k).test(v${i}); }\n`;

function denseWorker(megabytes) {
  const head = "export default {\n  async fetch(request, env) {\n    const keys = (await request.text()).split(\",\");\n";
  const tail = "    return new Response(\"ok\");\n  },\n};\n";
  const lines = [];
  let bytes = head.length + tail.length;
  for (let i = 0; bytes < megabytes * 1024 * 1024; i++) {
    const line = LINE(i);
    lines.push(line);
    bytes += line.length;
  }
  return { text: head + lines.join("") + tail, lines: lines.length };
}

const dir = join(tmpdir(), "perf-optimizer-bench-dense");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const api = join(root, "pkg", "js", "index.js");
const rows = [];
for (const mb of sizes) {
  const { text, lines } = denseWorker(mb);
  const file = join(dir, `dense-${mb}mb.js`);
  writeFileSync(file, text);
  // The file is analyzed whole: raise the per-file size cap above it.
  const script = `
    const api = await import(${JSON.stringify(api)});
    const start = performance.now();
    const report = await api.lint([${JSON.stringify(file)}], { allFiles: true, maxFileBytes: 64 * 1024 * 1024 });
    console.log(JSON.stringify({ ms: performance.now() - start, findings: report.diagnostics.length, files: report.summary.files }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`dense ${mb} MB: ${r.stderr}`);
  const { ms, findings, files } = JSON.parse(r.stdout.trim().split("\n").at(-1));
  if (files !== 1) throw new Error(`dense ${mb} MB: the file was not analyzed`);
  const realMb = Buffer.byteLength(text) / (1024 * 1024);
  rows.push({ mb: realMb, ms, findings, lines });
  console.log(`  ${realMb.toFixed(2)} MB  ${lines} lines  ${findings} findings  ${(ms / 1000).toFixed(2)} s  ${(ms / realMb / 1000).toFixed(2)} s/MB`);
}
if (rows.length > 1) {
  const [first, last] = [rows[0], rows.at(-1)];
  const growth = (last.ms / first.ms) / (last.mb / first.mb);
  console.log(`  time grew ${(last.ms / first.ms).toFixed(2)}x for ${(last.mb / first.mb).toFixed(2)}x the size (${growth.toFixed(2)}x per unit of size; 1 = linear)`);
}
rmSync(dir, { recursive: true, force: true });
