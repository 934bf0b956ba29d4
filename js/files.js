// Collects the source files to lint: walks folders, honours .gitignore files
// and the config's `ignore` globs, skips dependencies, build output and
// declaration files, and reads each file once.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { createRequire } from "node:module";
import { PerfOptimizerError } from "./core.js";

// The .gitignore, TOML, JSONC, glob and source-map parsers are required on
// first use (Node caches them): a CLI run that needs none of them should not
// pay for parsing them (tens of milliseconds together).
export const lazyRequire = createRequire(import.meta.url);

/** picomatch's matcher for `globs` (loaded on first use). */
export const globMatcher = (globs, options) => lazyRequire("picomatch")(globs, options);

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"];
const SKIPPED_DIRS = new Set(["node_modules", ".wrangler", ".git", "dist", "build", "out", "coverage", ".next", ".open-next", ".turbo", ".cache"]);
/** Larger files are skipped (minified bundles, generated data), with a note. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export const isSourceFile = (path) =>
  SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(path);

const toPosix = (p) => p.split(sep).join("/");

/** A display path: relative to the working directory, `/`-separated. */
export const displayPath = (abs) => toPosix(relative(process.cwd(), abs)) || ".";

function gitignoreAt(dir) {
  const file = join(dir, ".gitignore");
  return existsSync(file) ? lazyRequire("ignore")().add(readFileSync(file, "utf8")) : null;
}

const WRANGLER_CONFIG = /^wrangler\.(json|jsonc|toml)$/;

/**
 * Expands files and folders into source file paths (absolute, sorted).
 * `ignoreGlobs` are matched against paths relative to `baseDir`. The
 * wrangler configs met in the folders are pushed onto `configs`.
 */
export function collectFiles(paths, { ignoreGlobs = [], baseDir = process.cwd(), configs = [] } = {}) {
  const matchesGlob = ignoreGlobs.length ? globMatcher(ignoreGlobs, { dot: true }) : null;
  const isIgnored = matchesGlob ? (abs) => matchesGlob(toPosix(relative(baseDir, abs))) : () => false;
  const out = new Set();
  const visit = (dir, rules) => {
    const here = gitignoreAt(dir);
    const stack = here ? [...rules, { dir, ig: here }] : rules;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw new PerfOptimizerError(`${displayPath(dir)}: cannot read folder (${error.code})`);
    }
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      const isDir = entry.isDirectory();
      if (isDir && SKIPPED_DIRS.has(entry.name)) continue;
      if (stack.some(({ dir: base, ig }) => ig.ignores(toPosix(relative(base, abs)) + (isDir ? "/" : "")))) continue;
      if (isIgnored(abs)) continue;
      if (isDir) visit(abs, stack);
      else if (entry.isFile() && isSourceFile(entry.name)) out.add(abs);
      else if (entry.isFile() && WRANGLER_CONFIG.test(entry.name)) configs.push(abs);
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new PerfOptimizerError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) visit(abs, []);
    else out.add(abs);
  }
  return [...out].sort();
}

/** A file's bytes, or its size when that is over MAX_FILE_BYTES (then it is not read). One open and one fstat. */
function readSmallFile(abs) {
  const fd = openSync(abs, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) return size;
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === size ? bytes : bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads files for the core: `{ files: [{ path, source }], skipped: [{ path, reason }] }`,
 * each `source` the file's bytes (a Buffer; the core decodes UTF-8).
 * Paths are display paths (relative to the working directory).
 */
export function readSources(absPaths) {
  const files = [];
  const skipped = [];
  for (const abs of absPaths) {
    const path = displayPath(abs);
    let bytes;
    try {
      bytes = readSmallFile(abs);
    } catch (error) {
      skipped.push({ path, reason: `cannot read (${error.code})` });
      continue;
    }
    if (typeof bytes === "number") {
      skipped.push({ path, reason: `${(bytes / 1048576).toFixed(1)} MiB is over the ${MAX_FILE_BYTES / 1048576} MiB limit for source analysis (generated or minified code?)` });
      continue;
    }
    if (bytes.includes(0)) {
      skipped.push({ path, reason: "binary content (NUL bytes), not source code" });
      continue;
    }
    files.push({ path, source: bytes });
  }
  return { files, skipped };
}
