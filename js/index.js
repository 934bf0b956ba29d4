// perf-optimizer's programmatic API. Everything returns the JSON report
// (version 1, see the README) that the CLI prints with --format json.
import { analyzeBuild, analyzeMetafile, check, lastAnalysisStats, lint, profile, why } from "./analyze.js";
import { callCore, core, PerfOptimizerError } from "./core.js";
import { displayPath } from "./files.js";
import { loadConfig } from "./config.js";
import { sep } from "node:path";
import { pathToFileURL } from "node:url";

export { check, lint, analyzeMetafile, lastAnalysisStats, loadConfig, PerfOptimizerError, profile, why };
export { renderHtml, parseHistory } from "./html.js";

/**
 * Analyzes an esbuild result: `metafile` (object or JSON text) and the output
 * files, read from disk relative to `workingDir` unless `outputFiles` (esbuild
 * `write: false`) are given.
 */
export async function analyzeBundle({ metafile, outputFiles, workingDir = process.cwd(), config, lint: lintSources = true, baseline, maxFileBytes, threads, cache }) {
  const metafileText = typeof metafile === "string" ? metafile : JSON.stringify(metafile);
  const { config: loaded, json } = await loadConfig(workingDir, config);
  return analyzeBuild({ metafileText, workingDir, outputFiles, configJson: json, lint: lintSources, label: "the bundle", baseline, maxFileBytes: maxFileBytes ?? loaded.maxFileSize, threads: threads ?? loaded.threads, cache });
}

/** The baseline file for a report (`--save-baseline`): a small versioned JSON. */
export function baselineFromReport(report) {
  return callCore("the report", (c) => c.baselineFromReport(JSON.stringify(report)));
}

/** One JSON line for the history file (`--history`): time, commit, sizes. */
export function historyLine(report, { time = new Date().toISOString(), commit } = {}) {
  return callCore("the report", (c) => c.historyLine(JSON.stringify(report), time, commit));
}

/** Every rule: id, category, default severity, summary, docs URL. */
export function rules() {
  return JSON.parse(core().rules());
}

/** Renders a report as pretty text, JSON, SARIF, Markdown or GitHub annotations. */
export function render(report, format = "pretty", options = {}) {
  // The report is already a JS object: stringifying it here saves copying it
  // back into the wasm (the same document as the core's JSON; numbers may
  // print without a trailing ".0").
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  const defaults = { color: false, quiet: false, srcRoot: pathToFileURL(process.cwd() + sep).href };
  return callCore("the report", (c) => c.render(JSON.stringify(report), format, JSON.stringify({ ...defaults, ...options })));
}

export { exitCode } from "./outcome.js";

/** The package version (without loading the wasm). */
export { version } from "./version.js";

export { displayPath };
