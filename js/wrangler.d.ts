import type { Report, Format } from "./index.js";

export interface WranglerCheckOptions {
  /** The Workers project folder (default "."). */
  dir?: string;
  config?: string;
  entry?: string;
  /** false: do not run the wrangler config's `[build] command`; bundle `main` as it is (esbuild). */
  build?: boolean;
  /** Hears what is about to run (the build command). Default: silent. */
  log?: (text: string) => void;
}

/** The report for the bundle `wrangler deploy` would upload (its own dry run). */
export declare function checkWranglerBundle(options?: WranglerCheckOptions): Promise<Report>;

export interface WranglerHookOptions {
  dir?: string;
  config?: string;
  format?: Format;
  /** Write the report here instead of stdout. */
  output?: string;
  color?: boolean;
  /** false: do not run the wrangler config's `[build] command` (printed on stderr before it runs). */
  build?: boolean;
}

/**
 * Checks, prints the report and resolves to the exit code a deploy step should
 * honour: 0 ok, 1 an error finding or a budget exceeded, 2 bad input.
 */
export declare function wranglerHook(options?: WranglerHookOptions): Promise<0 | 1 | 2>;
