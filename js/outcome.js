// How a run ends, decided in one place for the CLI, the API, the wrangler
// hook and the esbuild plugin: the exit code, how an exceeded budget and a
// failure read, and whether output is coloured.
import { PerfOptimizerError } from "./core.js";

/** 0: no errors and every budget met; 1: an error finding or a budget exceeded; 2: bad usage or input. */
export const EXIT = Object.freeze({ ok: 0, findings: 1, usage: 2 });

/** The report's budgets that were not met. */
export const failedBudgets = (report) => (report.budgets ?? []).filter((b) => !b.passed);

/** 1 when the report has an error-severity finding or a budget exceeded, else 0. */
export function exitCode(report) {
  return report.summary.errors > 0 || failedBudgets(report).length > 0 ? EXIT.findings : EXIT.ok;
}

const amount = (n, metric) => (metric === "startup" ? `${n.toFixed(0)} ms` : `${(n / 1024).toFixed(1)} KiB`);

/** One line for a budget that was not met: `budget exceeded: script size: 12.0 KiB > 9.8 KiB`. */
export const budgetText = (b) => `budget exceeded: ${b.name}: ${amount(b.actual, b.metric)} > ${amount(b.limit, b.metric)}`;

/** The one-line message for an error that ends a run (exit 2). */
export function failureText(error) {
  if (error instanceof PerfOptimizerError || error?.name === "PerfOptimizerError") return error.message;
  return `internal error: ${error?.message ?? error}`;
}

/** Prints a failure as every entry point does (`perf-optimizer: …` on stderr); returns exit code 2. */
export function printFailure(error) {
  process.stderr.write(`perf-optimizer: ${typeof error === "string" ? error : failureText(error)}\n`);
  return EXIT.usage;
}

/**
 * Whether to colour what goes to `stream`: an explicit `color` wins; never
 * into a file (`output`) or with NO_COLOR; else with `force` (--color),
 * FORCE_COLOR or a terminal.
 */
export function useColor(stream, { color, output, force = false } = {}) {
  if (color !== undefined && color !== null) return Boolean(color);
  if (output || "NO_COLOR" in process.env) return false;
  return force || process.env.FORCE_COLOR > "0" || stream.isTTY === true;
}
