// The wrangler hook. Wrangler takes no esbuild plugins, so the hook checks the
// bundle wrangler itself produces: `wrangler deploy --dry-run --outdir <tmp>
// --metafile`, with the project's own wrangler. Wire it in as
//   "scripts": { "predeploy": "perf-optimizer check", "deploy": "wrangler deploy" }
// (npm runs predeploy before deploy and stops when it exits non-zero), or
// call `wranglerHook()` from your own deploy script. Projects with a custom
// `[build] command` that runs esbuild use perf-optimizer/esbuild instead.
import { check } from "./analyze.js";
import { render } from "./index.js";
import { exitCode, printFailure, useColor } from "./outcome.js";
import { writeFileSync } from "node:fs";

/** The report for the bundle `wrangler deploy` would upload from `dir`. */
export async function checkWranglerBundle({ dir = ".", config, entry, build, log } = {}) {
  return check(dir, { config, entry, build, log });
}

/**
 * Checks the project, prints the report and returns the exit code the deploy
 * step should honour (0 ok, 1 an error finding or a budget exceeded, 2 bad input).
 */
export async function wranglerHook({ dir = ".", config, format = "pretty", output, color, build } = {}) {
  try {
    const log = (text) => process.stderr.write(`perf-optimizer: ${text}\n`);
    const report = await checkWranglerBundle({ dir, config, build, log });
    const text = render(report, format, { color: useColor(process.stdout, { color, output }), quiet: false });
    if (output) writeFileSync(output, text);
    else process.stdout.write(text);
    return exitCode(report);
  } catch (error) {
    return printFailure(error);
  }
}
