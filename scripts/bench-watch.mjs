// A watch rebuild's work, in one process (as the esbuild plugin in watch
// mode and the Vite plugin do it): the API's `lint` of the bench's file
// list with an empty cache, then again with nothing changed, then after one
// file changed, each the fastest of `rounds`. Spawned by scripts/bench.mjs
// (on each Node it measures) with the corpus as its working directory:
//   node bench-watch.mjs PKG_JS_DIR FILE_LIST CHANGED_FILE ROUNDS
// Prints one line of JSON: { cold, warm, oneChanged } in ms, and the files
// walked by the last run of each. The corpus's cache is cleared first and
// the changed file restored last.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkgJs, listFile, changed, roundsText] = process.argv.slice(2);
const { lint, lastAnalysisStats } = await import(pathToFileURL(join(pkgJs, "index.js")).href);
const files = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
const rounds = Number(roundsText);
const cacheDir = join(process.cwd(), "node_modules", ".cache", "perf-optimizer");
const changedText = readFileSync(changed, "utf8");

/** The fastest of `rounds` lints (after `before`, untimed) and what the last one walked. */
async function fastest(before) {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    before?.(i);
    const start = process.hrtime.bigint();
    await lint(files);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: Math.round(best), walked: lastAnalysisStats().walked };
}

try {
  const cold = await fastest(() => rmSync(cacheDir, { recursive: true, force: true }));
  const warm = await fastest();
  const oneChanged = await fastest((i) => writeFileSync(changed, `${changedText}\n// watch change ${i}\n`));
  console.log(JSON.stringify({ cold, warm, oneChanged }));
} finally {
  writeFileSync(changed, changedText);
}
