// Finds a Workers project: its wrangler config (wrangler.json, wrangler.jsonc
// or wrangler.toml, in wrangler's order of precedence), entry, compatibility
// flags and bindings.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { PerfOptimizerError } from "./core.js";
import { lazyRequire } from "./files.js";

export const WRANGLER_CONFIG_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/** Parses JSON with comments; errors name the file, line and problem. */
export function readJsonc(file, text = readFileSync(file, "utf8")) {
  const errors = [];
  const { parse: parseJsonc, printParseErrorCode } = lazyRequire("jsonc-parser");
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const { error, offset } = errors[0];
    const line = text.slice(0, offset).split("\n").length;
    throw new PerfOptimizerError(`${file}:${line}: invalid JSON (${printParseErrorCode(error)})`);
  }
  return value;
}

/** The wrangler config in `dir`, or null. */
export function findWranglerConfig(dir) {
  for (const name of WRANGLER_CONFIG_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

function readWranglerConfig(path) {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".toml")) {
    try {
      return lazyRequire("smol-toml").parse(text);
    } catch (error) {
      const where = error.line ? `:${error.line}` : "";
      throw new PerfOptimizerError(`${path}${where}: invalid TOML (${String(error.message).split("\n")[0]})`);
    }
  }
  return readJsonc(path, text);
}

const bindingNames = (list) => (Array.isArray(list) ? list.map((b) => b?.binding).filter(Boolean) : []);

/**
 * The project in `dir`: `{ dir, configPath, name, main, compatibilityFlags,
 * nodejsCompat, bindings: { d1, hyperdrive, kv, r2 }, migrationsDirs }`.
 * `main` may come from `entry` when the config has none.
 */
export function loadProject(dir, { entry } = {}) {
  dir = resolve(dir);
  if (!existsSync(dir)) throw new PerfOptimizerError(`${dir}: no such directory`);
  const configPath = findWranglerConfig(dir);
  const config = configPath ? readWranglerConfig(configPath) : {};
  const main = entry ?? config.main;
  if (!main) {
    throw new PerfOptimizerError(
      configPath
        ? `${relative(process.cwd(), configPath) || configPath}: no \`main\` entry point (set main = "src/index.ts")`
        : `${relative(process.cwd(), dir) || "."}: no wrangler config (wrangler.toml, wrangler.json or wrangler.jsonc) and no entry given`,
    );
  }
  const mainPath = resolve(dir, main);
  if (!existsSync(mainPath)) {
    throw new PerfOptimizerError(`${relative(process.cwd(), mainPath)}: entry point not found${configPath ? ` (main in ${relative(process.cwd(), configPath)})` : ""}`);
  }
  const flags = Array.isArray(config.compatibility_flags) ? config.compatibility_flags : [];
  const d1 = Array.isArray(config.d1_databases) ? config.d1_databases : [];
  return {
    dir,
    configPath,
    name: config.name ?? null,
    main: mainPath,
    compatibilityDate: config.compatibility_date ?? null,
    compatibilityFlags: flags,
    nodejsCompat: flags.includes("nodejs_compat") || flags.includes("nodejs_compat_v2"),
    bindings: {
      d1: bindingNames(d1),
      hyperdrive: bindingNames(config.hyperdrive),
      kv: bindingNames(config.kv_namespaces),
      r2: bindingNames(config.r2_buckets),
    },
    migrationsDirs: d1.map((db) => resolve(dir, db.migrations_dir ?? "migrations")),
  };
}

/** The nearest folder at or above `start` that has a wrangler config. */
export function findProjectDir(start) {
  let dir = resolve(start);
  for (;;) {
    if (findWranglerConfig(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
