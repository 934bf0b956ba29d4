// Collects the source files to lint: walks folders, honours .gitignore files
// and the config's `ignore` globs, skips dependencies, build output and
// declaration files, and reads each file once.
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { createRequire } from "node:module";
import { PerfOptimizerError } from "./core.js";

// The .gitignore, TOML, JSONC, glob and source-map parsers are required on
// first use (Node caches them): a CLI run that needs none of them should not
// pay for parsing them (tens of milliseconds together).
export const lazyRequire = createRequire(import.meta.url);

/** picomatch's matcher for `globs` (loaded on first use). */
export const globMatcher = (globs, options) => lazyRequire("picomatch")(globs, options);

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"];
export const SKIPPED_DIRS = new Set(["node_modules", ".wrangler", ".git", "dist", "build", "out", "coverage", ".next", ".open-next", ".turbo", ".cache"]);
/** Larger source files are skipped (minified bundles, generated data), with a note. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** The cap for bundles, their source maps and metafiles (a Worker may be up to 64 MiB). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;
/** The cap for configs, manifests, baselines, .gitignore files and the like. */
export const MAX_SMALL_FILE_BYTES = 16 * 1024 * 1024;

export const isSourceFile = (path) =>
  SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(path);

const toPosix = sep === "/" ? (p) => p : (p) => p.split(sep).join("/");

/** A display path: relative to the working directory, `/`-separated. */
export function displayPath(abs) {
  // Most paths are plain and under the working directory: a slice, not
  // `relative` (which resolves both paths again), for every file read.
  const cwd = process.cwd();
  if (abs.length > cwd.length + 1 && abs.startsWith(cwd) && abs[cwd.length] === sep && !abs.endsWith(sep) && !abs.includes(`${sep}.`) && !abs.includes(`${sep}${sep}`)) {
    return toPosix(abs.slice(cwd.length + 1));
  }
  return toPosix(relative(cwd, abs)) || ".";
}

function gitignoreAt(dir) {
  const file = join(dir, ".gitignore");
  return existsSync(file) ? lazyRequire("ignore")().add(readUserFile(file, { what: ".gitignore", encoding: "utf8" })) : null;
}

const WRANGLER_CONFIG = /^wrangler\.(json|jsonc|toml)$/;

/**
 * Expands files and folders into source file paths (absolute, sorted).
 * `ignoreGlobs` are matched against paths relative to `baseDir`. The
 * wrangler configs met in the folders are pushed onto `configs`; the
 * regular files named in `paths` themselves onto `named`. Every path
 * returned is a regular file when found (`readSources` need not check it
 * again) but those named in `paths` that are not (a FIFO, a device), which
 * go into `irregular`: their read says what they are.
 */
export function collectFiles(paths, { ignoreGlobs = [], baseDir = process.cwd(), configs = [], named = [], irregular = new Set() } = {}) {
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
    else {
      out.add(abs);
      if (stat.isFile()) named.push(abs);
      else irregular.add(abs);
    }
  }
  return [...out].sort();
}

const MIB = 1024 * 1024;
const mib = (bytes) => `${Number((bytes / MIB).toFixed(bytes < MIB ? 3 : 1))} MiB`;

function kindOf(stat) {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * The ONE way to read a user's file: only a regular file (a FIFO, device,
 * directory or socket is refused, never opened: reading one could hang or
 * never end), at most `maxBytes` of it. Throws a PerfOptimizerError naming
 * the file, with `reason` (the message without the path) and `tooLarge`
 * (when over the cap) for callers that report the file instead of failing.
 * `known`: the path was a regular file a moment ago (its folder's listing
 * or a stat said so: `collectFiles`), so the check of the open file is the
 * only one (O_NONBLOCK: a FIFO put in its place since does not block the
 * open).
 */
export function readUserFile(abs, { maxBytes = MAX_SMALL_FILE_BYTES, what = "file", encoding, known = false } = {}) {
  const refuse = (reason, extra = {}) =>
    Object.assign(new PerfOptimizerError(`${displayPath(abs)}: ${reason}`), { reason, ...extra });
  const check = (stat) => {
    if (!stat.isFile()) throw refuse(`cannot read ${what}: ${kindOf(stat)}, only regular files are read`);
    if (stat.size > maxBytes) throw refuse(`${mib(stat.size)} is over the ${mib(maxBytes)} limit for a ${what}`, { tooLarge: true });
  };
  let fd;
  try {
    if (!known) check(statSync(abs));
    // O_NONBLOCK: a file swapped for a FIFO after the check does not block the open.
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (error instanceof PerfOptimizerError) throw error;
    throw refuse(`cannot read ${what} (${error.code ?? error.message})`);
  }
  try {
    const stat = fstatSync(fd);
    check(stat);
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, bytes, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const content = read === stat.size ? bytes : bytes.subarray(0, read);
    return encoding ? content.toString(encoding) : content;
  } catch (error) {
    if (error instanceof PerfOptimizerError) throw error;
    throw refuse(`cannot read ${what} (${error.code ?? error.message})`);
  } finally {
    closeSync(fd);
  }
}

/** `text` without a leading byte order mark (editors on Windows write one; JSON.parse rejects it). */
export const stripBom = (text) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * Whether `abs` is `root` or inside it, following symbolic links (a missing
 * path is not); with `followLinks: false`, by the paths as written (`..`,
 * absolute paths), so that a folder linked from a package manager's store
 * stays inside.
 */
export function isInside(root, abs, { followLinks = true } = {}) {
  try {
    const rel = followLinks ? relative(realpathSync(root), realpathSync(abs)) : relative(resolve(root), resolve(abs));
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  } catch {
    return false;
  }
}

/**
 * Reads files for the core: `{ files: [{ path, source }], skipped: [{ path, reason }] }`,
 * each `source` the file's bytes (a Buffer; the core decodes UTF-8).
 * Paths are display paths (relative to the working directory).
 * `irregular`: given for the paths of `collectFiles`, those it did not find
 * regular files (the others are not checked again before their open).
 */
export function readSources(absPaths, { maxBytes = MAX_FILE_BYTES, irregular } = {}) {
  const files = [];
  const skipped = [];
  for (const abs of absPaths) {
    const path = displayPath(abs);
    let bytes;
    try {
      bytes = readUserFile(abs, { maxBytes, what: "source file", known: irregular !== undefined && !irregular.has(abs) });
    } catch (error) {
      if (!(error instanceof PerfOptimizerError)) throw error;
      // Over the cap: an info finding (file-too-large) naming the cap.
      skipped.push(error.tooLarge ? { path, reason: `${error.reason} (generated or minified code?)`, limit: maxBytes } : { path, reason: error.reason });
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
