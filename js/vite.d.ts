import type { Plugin } from "vite";
import type { Report } from "./index.js";

export interface PerfOptimizerVitePluginOptions {
  /** Config file (default: found in `configDir`). */
  config?: string;
  /** Where to look for the config (default: Vite's `root`). */
  configDir?: string;
  /** Lint the Worker's first-party sources (default true). */
  lint?: boolean;
  /** Threads that analyze the files (default: the config's `threads`, else every core). */
  threads?: number;
  /** false: no cache of each file's analysis in node_modules/.cache/perf-optimizer (default: used; a rebuild analyzes only changed files). */
  cache?: boolean;
  /** Called with the full report of each Worker environment after its build. */
  onReport?: (report: Report, context: { environment: string }) => void;
}

/**
 * The Vite plugin for Workers built with @cloudflare/vite-plugin: after the
 * build of each Worker environment (not the client's), the Worker's output is
 * analyzed like the esbuild plugin's bundle. Findings become Vite warnings;
 * findings of error severity and exceeded budgets fail `vite build`.
 */
export default function perfOptimizer(options?: PerfOptimizerVitePluginOptions): Plugin;
export { perfOptimizer };

/** Converts a report into the texts of Vite warnings and of the error that fails the build. */
export declare function toViteMessages(report: Report): { errors: string[]; warnings: string[] };
