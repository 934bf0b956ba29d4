// Types of perf-optimizer's programmatic API. The report types are generated
// from the Rust core (tsify) and re-exported here.
import type { Report, RuleInfo, Format, Config, ScenarioRequest, StubConfig } from "../wasm/perf_optimizer.js";

export type {
  Report,
  Diagnostic,
  BundleReport,
  OutputSize,
  PackageUsage,
  ModuleSize,
  DuplicatePackage,
  BudgetResult,
  StartupReport,
  StartupContributor,
  ProfileReport,
  ProfileRoute,
  ProfileResponses,
  ProfileRepeat,
  ProfileError,
  ProfileHeap,
  ProfileQuery,
  ProfileOutbound,
  ProfileD1,
  ProfileConfig,
  ScenarioRequest,
  StubConfig,
  Spread,
  CountSpread,
  TopFunction,
  CallTree,
  CallNode,
  RouteQuery,
  SourceLine,
  HeapSite,
  Budget,
  Metric,
  Summary,
  Severity,
  Category,
  RuleInfo,
  Format,
  Config,
} from "../wasm/perf_optimizer.js";

/** An error the CLI prints as one line with exit code 2 (bad input, bad config). */
export declare class PerfOptimizerError extends Error {
  name: "PerfOptimizerError";
}

/** The size cap for source files, and how the files are analyzed (check, lint, analyzeBundle, analyzeMetafile). */
export interface SourceFileCap {
  /**
   * Threads that analyze the files, 1 to 256 (default: `threads` in the
   * config, else `os.availableParallelism()`; one for a small project,
   * where starting a thread costs more than it saves). The report is the
   * same with any number. The CLI's `--threads`.
   */
  threads?: number;
  /**
   * false: neither read nor write the cache of each file's analysis in
   * node_modules/.cache/perf-optimizer (the CLI's `--no-cache`). Default:
   * used when the project has a node_modules folder that is writable.
   */
  cache?: boolean;
  /**
   * The size cap for source files, in bytes (default: `maxFileSize` in the
   * config, else 4 MiB); a larger file is skipped and reported
   * (`file-too-large`, an info finding). The CLI's `--max-file-size`.
   */
  maxFileBytes?: number;
}

export interface CheckOptions extends SourceFileCap {
  /** Config file; default: perf-optimizer.config.json(c)/.mjs or package.json "perfOptimizer". */
  config?: string;
  /**
   * Entry point (relative to `dir`) when the project has no wrangler config:
   * bundled with esbuild and wrangler's settings.
   */
  entry?: string;
  /**
   * false: do not run the wrangler config's `[build] command` (wrangler's dry
   * run runs it); bundle `main` as it is on disk with esbuild. In a Vite
   * project (a vite.config that uses @cloudflare/vite-plugin): do not run
   * `vite build`, analyze the Worker output of the last one. Default true.
   */
  build?: boolean;
  /** Hears what is about to run that a user should know of (the build command, `vite build`). Default: silent. */
  log?: (text: string) => void;
  /** true: the log of the `vite build` check runs is not shown (default: on stderr). */
  quiet?: boolean;
  /**
   * In a Vite project: also bundle the Worker's entry with esbuild and
   * wrangler's settings, and say in the report's notes which packages and
   * files each build has and why a package's bytes differ by more than 5%
   * (comments, indentation, modules only one build has), measured in both outputs.
   */
  compareEsbuild?: boolean;
  /** A baseline saved with --save-baseline / baselineFromReport(), to compare with. */
  baseline?: string;
  /**
   * Measure startup: run `wrangler check startup` (workerd, locally) on the
   * deployed bundle and attribute the time to packages and modules. Needs
   * wrangler in the project. Default false: nothing runs the Worker.
   */
  startup?: boolean;
  /** Startup runs; the report gives the median (default 5). */
  runs?: number;
  /** Keep the raw `.cpuprofile` of each run in this folder (for DevTools). */
  profileDir?: string;
}

/** Bundles the Worker in `dir` as deployed and runs every check (what `perf-optimizer check` does). */
export declare function check(dir?: string, options?: CheckOptions): Promise<Report>;

export interface ProfileOptions extends SourceFileCap {
  /** Config file; its `profile` key is the default scenario. */
  config?: string;
  baseline?: string;
  /**
   * The scenario's requests (the CLI's `--request`); default: the config's
   * `profile.requests`, else `GET /` and the parameter-free GET routes read
   * from the source.
   */
  requests?: ScenarioRequest[];
  /** Requests in all, spread over the scenario by weight (1–10000; default 100). */
  count?: number;
  /** Requests in flight at once (1–64; default 1). */
  concurrency?: number;
  /** The run's time cap in seconds (1–600; default 60): requests still waiting then are cut off and reported. */
  maxSeconds?: number;
  /** How the local stub answers the Worker's outbound fetches (default: at once, with `{}`). */
  stub?: StubConfig;
  /** Let outbound fetches reach the network instead of the stub (default false). */
  allowNetwork?: boolean;
  /** Run the wrangler config's [build] command first, as wrangler's dry run does (default true). */
  build?: boolean;
  /** Hears what is about to run that the user should know of (the build command). */
  log?: (text: string) => void;
}

/**
 * Runs the Worker in `dir` locally in workerd (the project's wrangler and
 * Miniflare, local bindings, D1 migrations applied to a temporary database;
 * no deploy, no network) under a bounded scenario of requests, and returns
 * check's report with its `profile` block: per route wall and CPU time,
 * subrequests, open connections, D1 queries and rows; heap growth.
 */
export declare function profile(dir?: string, options?: ProfileOptions): Promise<Report>;

export interface LintOptions extends SourceFileCap {
  config?: string;
  /** Folder the config and `ignore` globs are relative to (default: the cwd). */
  cwd?: string;
  baseline?: string;
  /**
   * Lint every file given, not only what the Worker runs (the files
   * reachable from its entries: wrangler `main`, Pages Functions, framework
   * server files, files named in `paths`). Also `allFiles` in the config.
   */
  allFiles?: boolean;
}

/**
 * The import chains from the Worker's entry to `target` (a package name such
 * as `"moment"`, or a file path), shortest first, as esbuild resolved them
 * when bundling `dir` as deployed. Each chain is a list of metafile input
 * paths, relative to the project folder (what `perf-optimizer why` prints).
 */
/**
 * What the last analysis in this process walked: the files given, how many
 * were parsed and walked (on any thread), how many walks came from the
 * cache, the threads used (0 when nothing had to be walked), and whether
 * the whole report came from the cache (nothing changed since a run whose
 * report it kept: the core was not called), and how many source files
 * were read (files the cache knows unchanged by their stat are not read
 * when nothing changed).
 */
export declare function lastAnalysisStats(): { files: number; walked: number; cached: number; threads: number; reportFromCache: boolean; read?: number } | null;

export declare function why(target: string, dir?: string, options?: Pick<CheckOptions, "entry" | "build" | "log">): Promise<string[][]>;

/** The source rules over files and folders. */
export declare function lint(paths?: string | string[], options?: LintOptions): Promise<Report>;

/** An esbuild metafile (the subset perf-optimizer reads). */
export interface Metafile {
  inputs: Record<string, { bytes: number; imports?: unknown[]; format?: string }>;
  outputs: Record<string, { bytes: number; inputs?: Record<string, { bytesInOutput: number }>; entryPoint?: string }>;
}

export interface AnalyzeBundleOptions extends SourceFileCap {
  /** The metafile, as an object or JSON text. */
  metafile: Metafile | string;
  /** esbuild's `outputFiles` (with `write: false`); otherwise outputs are read from disk. */
  outputFiles?: ReadonlyArray<{ path: string; contents: Uint8Array }>;
  /** The folder the metafile's paths are relative to (esbuild's absWorkingDir). */
  workingDir?: string;
  config?: string;
  /** Also lint the bundle's first-party sources (default true). */
  lint?: boolean;
  baseline?: string;
}

/** Analyzes an esbuild result: sizes, packages, duplicates, budgets and source findings. */
export declare function analyzeBundle(options: AnalyzeBundleOptions): Promise<Report>;

export interface AnalyzeMetafileOptions extends SourceFileCap {
  config?: string;
  /** The folder the metafile's paths are relative to. */
  root?: string;
  lint?: boolean;
  baseline?: string;
}

/** The baseline file's text for a report (what --save-baseline writes). */
export declare function baselineFromReport(report: Report): string;

/** One JSON line for the history file (what --history appends). */
export declare function historyLine(report: Report, options?: { time?: string; commit?: string }): string;

/** `perf-optimizer bundle METAFILE`. */
export declare function analyzeMetafile(metafilePath: string, options?: AnalyzeMetafileOptions): Promise<Report>;

/** Every rule: id, category, default severity, summary and docs URL. */
export declare function rules(): RuleInfo[];

export interface RenderOptions {
  color?: boolean;
  /** Only error-severity findings. */
  quiet?: boolean;
  /** SARIF: the file project-level findings point at (default package.json). */
  projectFile?: string;
  /** SARIF: the file URL of the source root (default: the cwd). */
  srcRoot?: string;
}

/** Renders a report as pretty text, JSON, SARIF, Markdown or GitHub workflow commands. */
export declare function render(report: Report, format?: Format, options?: RenderOptions): string;

/** One line of a history file (`--history`): the run's time, commit and sizes. */
export interface HistoryEntry {
  time?: string;
  commit?: string;
  bytes: number;
  gzipBytes?: number;
  brotliBytes?: number;
  [key: string]: unknown;
}

export interface HtmlOptions {
  /** The history to draw as a trend: the JSONL text of a `--history` file, or its parsed entries. */
  history?: string | ReadonlyArray<HistoryEntry>;
  /** The page title (default "perf-optimizer report"). */
  title?: string;
}

/**
 * The self-contained HTML report (what --html writes): a zoomable treemap of
 * the bundle by package and module, sizes, the findings, search, and the
 * size trend when a history is given. Inline JS and CSS only; opens offline.
 */
export declare function renderHtml(report: Report, options?: HtmlOptions): string;

/** The entries of a history file's JSONL text; lines that are not JSON objects are skipped. */
export declare function parseHistory(history: string | ReadonlyArray<HistoryEntry> | undefined): HistoryEntry[];

/** 1 when the report has an error-severity finding or a budget exceeded, else 0. */
export declare function exitCode(report: Report): 0 | 1;

export interface LoadedConfig {
  /** The file the config came from, or null. */
  path: string | null;
  config: Partial<Config>;
  json: string | null;
}

/** Finds and validates the config for a project folder. */
export declare function loadConfig(dir: string, explicitPath?: string): Promise<LoadedConfig>;

/** The package version. */
export declare const version: string;

/** A path relative to the working directory, `/`-separated. */
export declare function displayPath(absolutePath: string): string;
