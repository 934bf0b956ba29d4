// Loads perf-optimizer's own config: --config FILE, or in the project folder
// or the nearest folder above it, perf-optimizer.config.json / .jsonc / .mjs,
// or the `perfOptimizer` key of package.json. Two of these in one folder is
// an error (which one wins would be a guess). The core validates it; errors
// name the file and the key.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { callCore, PerfOptimizerError } from "./core.js";
import { displayPath, readUserFile } from "./files.js";
import { readJsonc, searchDirs } from "./project.js";

export const CONFIG_NAMES = ["perf-optimizer.config.json", "perf-optimizer.config.jsonc", "perf-optimizer.config.mjs"];

/** How long a config module may take to load (its top-level await, its default export's promise). */
export const CONFIG_LOAD_TIMEOUT_MS = 10_000;

/**
 * The files that decide the config for `dir` (or `explicitPath`), whether
 * they exist or not: what a watcher watches to see a config appear or change.
 */
export function configFiles(dir, explicitPath) {
  return explicitPath ? [resolve(explicitPath)] : [...CONFIG_NAMES.map((n) => join(dir, n)), join(dir, "package.json")];
}

/** The message of a thrown value, whatever was thrown (`throw "x"` has no message). */
const messageOf = (thrown) => (thrown instanceof Error ? thrown.message : String(thrown)).split("\n")[0];

/** Where in the config module `error` was thrown (`:3:9`), from its stack; "" when not in the module. */
function thrownAt(error, url) {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  const at = stack.split("\n").find((line) => line.includes(url));
  const match = at?.match(/:(\d+):(\d+)\)?\s*$/);
  return match ? `:${match[1]}:${match[2]}` : "";
}

/**
 * Imports a config module: its default export (awaited when a promise).
 * Bounded: a module whose loading can never finish (a top-level await or a
 * default export waiting on a promise nothing will settle: the event loop
 * runs dry) or does not finish within CONFIG_LOAD_TIMEOUT_MS is a named error,
 * as is a module that throws. Each change of the file is imported afresh
 * (watch mode): ESM caches a module by URL, so the URL carries the mtime.
 */
async function importConfig(path) {
  const shown = displayPath(path);
  const stat = statSync(path);
  const url = pathToFileURL(path).href;
  let onDrained;
  let timer;
  const stalled = new Promise((_, reject) => {
    onDrained = () => reject(new PerfOptimizerError(`config ${shown} never finishes loading: a top-level await or its default export waits on a promise that nothing settles`));
    process.once("beforeExit", onDrained);
    const late = new PerfOptimizerError(`config ${shown} did not finish loading within ${CONFIG_LOAD_TIMEOUT_MS / 1000} s (a top-level await or a default export promise that does not settle?)`);
    timer = setTimeout(() => reject(Object.assign(late, { abandonsPendingWork: true })), CONFIG_LOAD_TIMEOUT_MS);
    // Neither keeps the process alive: a run that ends otherwise is not held up.
    timer.unref();
  });
  const load = (async () => {
    const module = await import(`${url}?mtime=${stat.mtimeMs}&size=${stat.size}`);
    // Wrapped: returning the export itself would adopt it when it is a thenable.
    return { value: await module.default };
  })();
  // A module that fails after the race was lost is not an unhandled rejection.
  load.catch(() => {});
  try {
    return (await Promise.race([load, stalled])).value ?? {};
  } catch (error) {
    if (error instanceof PerfOptimizerError) throw error;
    if (error instanceof SyntaxError && !thrownAt(error, url)) throw new PerfOptimizerError(`config ${shown} is not valid JavaScript: ${messageOf(error)}`);
    if (error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "ERR_UNSUPPORTED_DIR_IMPORT") throw new PerfOptimizerError(`config ${shown} could not be loaded: ${messageOf(error)}`);
    throw new PerfOptimizerError(`config ${shown}${thrownAt(error, url)} threw: ${messageOf(error)}`);
  } finally {
    process.off("beforeExit", onDrained);
    clearTimeout(timer);
  }
}

async function readConfigFile(path) {
  if (!existsSync(path)) throw new PerfOptimizerError(`${displayPath(path)}: config file not found`);
  // A regular file of sane size (a FIFO or a directory is refused, not opened).
  readUserFile(path, { what: "config file" });
  if (path.endsWith(".mjs") || path.endsWith(".js")) return importConfig(path);
  return readJsonc(path);
}

/** The `perfOptimizer` key of the package.json in `dir`, or undefined. */
function packageJsonConfig(dir) {
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath)) return undefined;
  const pkg = readJsonc(pkgPath);
  return pkg && typeof pkg === "object" ? pkg.perfOptimizer : undefined;
}

/**
 * The config in folder `dir`: `{ path, value }` or null. Two configs in one
 * folder (files, or a file and package.json's key) are an error naming them.
 */
async function configIn(dir) {
  const found = CONFIG_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  const inPackage = packageJsonConfig(dir);
  const all = [...found.map(displayPath), ...(inPackage === undefined ? [] : [`${displayPath(join(dir, "package.json"))} (perfOptimizer)`])];
  if (all.length > 1) {
    const both = all.length === 2 ? "both" : "all";
    throw new PerfOptimizerError(`${all.slice(0, -1).join(", ")} and ${all.at(-1)} ${both} configure perf-optimizer: keep one, or name it with --config`);
  }
  if (found.length === 1) return { path: found[0], value: await readConfigFile(found[0]) };
  if (inPackage !== undefined) return { path: join(dir, "package.json"), value: inPackage };
  return null;
}

/**
 * Finds and validates the config. Returns `{ path, config, json }` where
 * `json` is what the core receives, or `{ path: null, config: {}, json: null }`.
 */
export async function loadConfig(dir, explicitPath) {
  let found = null;
  if (explicitPath) {
    found = { path: resolve(explicitPath), value: await readConfigFile(resolve(explicitPath)) };
  } else {
    // The nearest folder at or above `dir` with a config (as ESLint finds its own).
    for (const at of searchDirs(dir)) {
      found = await configIn(at);
      if (found) break;
    }
  }
  const { path, value } = found ?? { path: null };
  if (!path) return { path: null, config: {}, json: null };
  const shown = displayPath(path);
  const where = path.endsWith("package.json") ? `${shown} (perfOptimizer)` : shown;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PerfOptimizerError(`${where}: the config must be an object`);
  }
  const json = JSON.stringify(value);
  const config = (() => {
    try {
      return callCore(where, (core) => JSON.parse(core.validateConfig(json)));
    } catch (error) {
      throw new PerfOptimizerError(`${where}: ${error.message}`);
    }
  })();
  return { path, config, json };
}

/** Reads a file's text, or throws a one-line error naming it. */
export function readText(path) {
  return readUserFile(resolve(path), { what: "config file", encoding: "utf8" });
}
