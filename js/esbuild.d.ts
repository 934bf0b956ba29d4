import type { Plugin, PartialMessage } from "esbuild";
import type { Report } from "./index.js";

export interface PerfOptimizerPluginOptions {
  /** Config file (default: found in `configDir`). */
  config?: string;
  /** Where to look for the config (default: esbuild's absWorkingDir or the cwd). */
  configDir?: string;
  /** Lint the bundle's first-party sources (default true). */
  lint?: boolean;
  /** Threads that analyze the files (default: the config's `threads`, else every core). */
  threads?: number;
  /** false: no cache of each file's analysis in node_modules/.cache/perf-optimizer (default: used; a rebuild analyzes only changed files). */
  cache?: boolean;
  /** Called with the full report after each build. */
  onReport?: (report: Report) => void;
}

/**
 * The esbuild plugin: findings become esbuild warnings (errors for error-severity
 * findings and exceeded budgets, which fail the build).
 */
export default function perfOptimizer(options?: PerfOptimizerPluginOptions): Plugin;
export { perfOptimizer };

/** Converts a report into esbuild messages. */
export declare function toEsbuildMessages(
  report: Report,
  workingDir?: string,
): { errors: PartialMessage[]; warnings: PartialMessage[] };
