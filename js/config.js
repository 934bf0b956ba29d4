// Loads perf-optimizer's own config: --config FILE, or in the project folder
// or the nearest folder above it, perf-optimizer.config.json / .jsonc / .mjs,
// or the `perfOptimizer` key of package.json. The core validates it; errors
// name the file and the key.
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { callCore, PerfOptimizerError } from "./core.js";
import { readUserFile } from "./files.js";
import { readJsonc, searchDirs } from "./project.js";

export const CONFIG_NAMES = ["perf-optimizer.config.json", "perf-optimizer.config.jsonc", "perf-optimizer.config.mjs"];

async function readConfigFile(path) {
  if (!existsSync(path)) throw new PerfOptimizerError(`${path}: config file not found`);
  // A regular file of sane size (a FIFO or a directory is refused, not opened).
  readUserFile(path, { what: "config file" });
  if (path.endsWith(".mjs") || path.endsWith(".js")) {
    try {
      const module = await import(pathToFileURL(path).href);
      return module.default ?? {};
    } catch (error) {
      throw new PerfOptimizerError(`${path}: could not load (${error.message})`);
    }
  }
  return readJsonc(path);
}

/**
 * Finds and validates the config. Returns `{ path, config, json }` where
 * `json` is what the core receives, or `{ path: null, config: {}, json: null }`.
 */
export async function loadConfig(dir, explicitPath) {
  let path = explicitPath ? resolve(explicitPath) : null;
  let value;
  if (path) {
    value = await readConfigFile(path);
  } else {
    // The nearest config at or above `dir` (as ESLint finds its own).
    for (const at of searchDirs(dir)) {
      path = CONFIG_NAMES.map((n) => join(at, n)).find((p) => existsSync(p)) ?? null;
      if (path) {
        value = await readConfigFile(path);
        break;
      }
      const pkgPath = join(at, "package.json");
      if (existsSync(pkgPath)) {
        const pkg = readJsonc(pkgPath);
        if (pkg && pkg.perfOptimizer !== undefined) {
          path = pkgPath;
          value = pkg.perfOptimizer;
          break;
        }
      }
    }
  }
  if (!path) return { path: null, config: {}, json: null };
  const shown = relative(process.cwd(), path) || path;
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
