// `node scripts/bench-bundle.mjs`: how long perf-optimizer's bundle analysis
// takes on the bundle fixture (tests/fixtures/bundle-worker: moment, lodash,
// @aws-sdk/client-s3, hono, zod 3 + chanfana's zod 4), next to esbuild's own
// `analyzeMetafile` on the same metafile, in the same run. Uses the package
// in pkg/ (build it first: `node scripts/build.mjs`); scripts/bench.mjs calls
// `benchBundle()` after its build.
//
// The fixture is bundled once with esbuild (wrangler's settings); then, each
// a median of `runs` after one warm-up call:
//   - esbuild's analyzeMetafile(metafile text): its size table;
//   - the core's analysis (metafile text + measured outputs + package.json
//     facts → composition, duplicates, bundle findings), no linting: the
//     comparable work;
//   - the API's analyzeBundle({ lint: false }): the above plus what the
//     wrapper does around it (gzip and brotli of the output, reading the
//     packages' package.json).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { prepareBundleFixture } from "../tests/scratch.mjs";
import { root } from "./lib.mjs";

const pkgModule = (file) => import(pathToFileURL(join(root, "pkg", "js", file)).href);

/** Milliseconds of one call. */
async function once(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function median(runs, fn) {
  await fn(); // warm-up: loading the wasm, starting esbuild's service
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Times the bundle analysis on the fixture. `fixtureDir`: an installed copy
 * of the fixture (default: one prepared under the temp folder, `npm ci` the
 * first time). Prints the figures and returns them.
 */
export async function benchBundle({ fixtureDir, runs = 5, log = console.log } = {}) {
  const dir = fixtureDir ?? prepareBundleFixture(join(tmpdir(), "perf-optimizer-bench-bundle"));
  const esbuild = await import("esbuild");
  const { loadProject } = await pkgModule("project.js");
  const { wranglerLikeOptions, measureBytes, measureOutputs, readManifests } = await pkgModule("bundle.js");
  const { callCore } = await pkgModule("core.js");
  const { coreAnalyze } = await pkgModule("analyze.js");
  const { analyzeBundle } = await pkgModule("index.js");

  const outdir = mkdtempSync(join(tmpdir(), "perf-bench-bundle-"));
  try {
    const project = loadProject(dir);
    const result = await esbuild.build({ ...wranglerLikeOptions(project, outdir), write: false });
    const metafileText = JSON.stringify(result.metafile);
    const outputs = measureOutputs(result.metafile, dir, result.outputFiles, dir);
    const manifests = readManifests(metafileText, dir, "bench");
    const input = { files: [], bundle: { metafile: metafileText, outputs, manifests } };

    // The first call of each, as a CLI run makes it (the wasm's functions
    // compile lazily and start in V8's baseline tier).
    const esbuildFirstMs = await once(() => esbuild.analyzeMetafile(metafileText));
    const coreFirstMs = await once(() => callCore("bench", (core) => coreAnalyze(core, input)));
    let esbuildTable = "";
    const esbuildMs = await median(runs, async () => {
      esbuildTable = await esbuild.analyzeMetafile(metafileText);
    });
    let report;
    const coreMs = await median(runs, () => {
      report = callCore("bench", (core) => coreAnalyze(core, input));
    });
    // Steady state: once V8 has optimized the wasm (after ~20 calls).
    for (let i = 0; i < 20; i++) callCore("bench", (core) => coreAnalyze(core, input));
    const coreSteadyMs = await median(runs, () => callCore("bench", (core) => coreAnalyze(core, input)));
    const apiMs = await median(runs, () =>
      analyzeBundle({ metafile: metafileText, outputFiles: result.outputFiles, workingDir: dir, lint: false }),
    );

    // What the API adds: mostly compressing the output (gzip, brotli quality 9).
    const code = result.outputFiles.filter((f) => /\.(m|c)?js$/.test(f.path));
    const compressMs = await median(1, () => code.forEach((f) => measureBytes(f.path, f.contents)));

    const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
    const b = report.bundle;
    const figures = {
      metafileBytes: metafileText.length,
      inputs: Object.keys(result.metafile.inputs).length,
      outputBytes: outputs.reduce((s, o) => s + o.bytes, 0),
      gzipBytes: outputs.reduce((s, o) => s + o.gzipBytes, 0),
      packages: b.packages.length,
      esbuildFirstMs,
      esbuildMs,
      coreFirstMs,
      coreMs,
      coreSteadyMs,
      apiMs,
      compressMs,
      ratio: coreMs / esbuildMs,
    };
    log(`\nBundle analysis on the fixture (${figures.inputs} inputs, metafile ${kb(figures.metafileBytes)}, output ${kb(figures.outputBytes)} / ${kb(figures.gzipBytes)} gzip, ${figures.packages} packages), median of ${runs}:`);
    const row = (label, first, median) => log(`  ${label.padEnd(56)} ${first.toFixed(1).padStart(8)} ms first, ${median.toFixed(1).padStart(7)} ms median`);
    row(`esbuild analyzeMetafile (size table, ${esbuildTable.split("\n").length} lines)`, esbuildFirstMs, esbuildMs);
    row("perf-optimizer core (composition, duplicates, findings)", coreFirstMs, coreMs);
    log(`    after 20 more calls (V8 has optimized the wasm)${coreSteadyMs.toFixed(1).padStart(28)} ms median`);
    log(`  ${"perf-optimizer analyzeBundle (+ gzip/brotli, manifests)".padEnd(56)} ${"".padStart(17)} ${apiMs.toFixed(1).padStart(7)} ms median`);
    log(`    of which gzip + brotli (quality 9) of the output  ${compressMs.toFixed(1).padStart(32)} ms`);
    log(`  core / esbuild (medians): ${figures.ratio.toFixed(2)}x; first calls: ${(coreFirstMs / esbuildFirstMs).toFixed(2)}x`);
    return figures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchBundle();
}
