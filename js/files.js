// Collects the source files to lint: walks folders, honours .gitignore files
// and the config's `ignore` globs, skips dependencies, build output and
// declaration files, and reads each file once.
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { createRequire } from "node:module";
import { PerfOptimizerError } from "./core.js";
import { noteFactChange, textDigest } from "./cache.js";

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

/** Framework component files: they import the project's modules, and the core does not read them. */
const COMPONENT_FILE = /\.(?:astro|svelte|vue|mdx|marko)$/;

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

/**
 * A wrangler config's file name: wrangler's own (`wrangler.json`,
 * `wrangler.jsonc`, `wrangler.toml`), one a script passes with `-c`
 * (`wrangler.cron.toml`, `wrangler-monitor.jsonc`) or a template a checkout
 * is set up from (`wrangler.example.json`, `wrangler.toml.template`): each
 * names a Worker's entry.
 */
const WRANGLER_CONFIG = /^wrangler(?:[.-][\w.-]+)?\.(?:json|jsonc|toml)(?:\.(?:template|example|sample|dist))?$/;

/** Whether the file `name` is a wrangler config wrangler reads without being told (not a variant or a template). */
export const isDefaultWranglerConfig = (name) => /^wrangler\.(?:json|jsonc|toml)$/.test(name);

/**
 * Expands files and folders into source file paths (absolute, sorted).
 * `ignoreGlobs` are matched against paths relative to `baseDir`. The
 * wrangler configs met in the folders are pushed onto `configs`; the
 * regular files named in `paths` themselves onto `named`. Every path
 * returned is a regular file when found (`readSources` need not check it
 * again) but those named in `paths` that are not (a FIFO, a device), which
 * go into `irregular`: their read says what they are. `stats`: a Map that
 * gets the stat of each path named in `paths` that is not a folder.
 * `components`: gets the component files met in the folders (Astro,
 * Svelte, Vue, MDX), which import modules the core never sees imported.
 */
export function collectFiles(paths, { ignoreGlobs = [], baseDir = process.cwd(), configs = [], named = [], irregular = new Set(), stats, components = [] } = {}) {
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
      else if (entry.isFile() && COMPONENT_FILE.test(entry.name)) components.push(abs);
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
      stats?.set(abs, stat);
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
export function readUserFile(abs, { maxBytes = MAX_SMALL_FILE_BYTES, what = "file", encoding, known = false, onStat } = {}) {
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
    onStat?.(stat);
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

/** Source files whose text this process has read (the cache's tests count with it). */
let sourcesRead = 0;
export const sourceReadCount = () => sourcesRead;

/**
 * Reads files for the core: `{ files: [{ path, source }], skipped: [{ path, reason }] }`,
 * each `source` the file's bytes (a Buffer; the core decodes UTF-8).
 * Paths are display paths (relative to the working directory).
 * `irregular`: given for the paths of `collectFiles`, those it did not find
 * regular files (the others are not checked again before their open).
 * `memo`: the cache's file memo (cache.js `openFileMemo`): each file then
 * has `digest` and `size` (its text's SHA-1 and length) and `facts`
 * (`textFact`); a file the memo knows unchanged is not read here, its
 * `source` is read when first asked for (and must still have that digest).
 * `stats`: stats of some of the paths taken a moment ago (`collectFiles`),
 * not taken again for the memo. `counted`: whether `sourceReadCount`
 * counts these reads (not for SQL files).
 */
export function readSources(absPaths, { maxBytes = MAX_FILE_BYTES, irregular, memo, stats, counted = true } = {}) {
  const files = [];
  const skipped = [];
  for (const abs of absPaths) {
    const path = displayPath(abs);
    const regular = irregular !== undefined && !irregular.has(abs);
    const known = memo && !irregular?.has(abs) && memo.has(abs) ? memoEntry(memo, abs, maxBytes, stats?.get(abs)) : null;
    if (known) {
      files.push(unreadFile(path, abs, known, maxBytes));
      continue;
    }
    let bytes;
    let stat;
    try {
      bytes = readUserFile(abs, { maxBytes, what: "source file", known: regular, onStat: (s) => (stat = s) });
    } catch (error) {
      if (!(error instanceof PerfOptimizerError)) throw error;
      // Over the cap: an info finding (file-too-large) naming the cap.
      skipped.push(error.tooLarge ? { path, reason: `${error.reason} (generated or minified code?)`, limit: maxBytes } : { path, reason: error.reason });
      continue;
    }
    if (counted) sourcesRead++;
    if (isBinary(bytes)) {
      skipped.push({ path, reason: "binary content (NUL bytes), not source code" });
      continue;
    }
    const file = { path, source: bytes };
    if (memo) {
      file.digest = textDigest(bytes);
      file.size = bytes.length;
      // The stat of the open file, taken before its read: a write during
      // the read leaves an entry that does not match the next stat.
      file.facts = memo.record(abs, stat, file.digest, bytes.length);
    }
    files.push(file);
  }
  return { files, skipped };
}

/**
 * Binary content, not source: NUL bytes in text that is not UTF-8, or more
 * than a few of them. A NUL written in a string or template literal (a
 * map key's separator) is valid code that esbuild builds.
 */
function isBinary(bytes) {
  const first = bytes.indexOf(0);
  if (first === -1) return false;
  if (!isUtf8(bytes)) return true;
  let nuls = 0;
  for (let at = first; at !== -1; at = bytes.indexOf(0, at + 1)) {
    if (++nuls > 8 && nuls * 1000 > bytes.length) return true;
  }
  return false;
}

/** The memo's trusted entry for the regular file `abs` within `maxBytes`, or null (then the file is read). */
function memoEntry(memo, abs, maxBytes, stat) {
  try {
    stat ??= statSync(abs);
  } catch {
    return null;
  }
  return stat.isFile() && stat.size <= maxBytes ? memo.lookup(abs, stat) : null;
}

/**
 * A source file the memo knows: its text is read on first use. A text
 * that is no longer the one the memo knew, or a file that can no longer be
 * read (it changed or went away during the run), throws an error with
 * `changedDuringRun`: the run starts again without the memo, and reads
 * (or skips) every file as it is then.
 */
function unreadFile(path, abs, { digest, length, facts }, maxBytes) {
  let bytes = null;
  const changed = (why) => Object.assign(new PerfOptimizerError(`${path}: ${why} while it was analyzed`), { changedDuringRun: true });
  return {
    path,
    digest,
    size: length,
    facts,
    get source() {
      if (bytes === null) {
        let read;
        try {
          read = readUserFile(abs, { maxBytes, what: "source file" });
        } catch {
          throw changed("became unreadable");
        }
        sourcesRead++;
        if (textDigest(read) !== digest) throw changed("changed");
        bytes = read;
      }
      return bytes;
    },
  };
}

/**
 * A fact of a file's text, `compute(source)`: kept in the file's `facts`
 * (and with them in the cache's file memo), so that a file known unchanged
 * is not read for it. `name` says what `compute` computes (`factName`);
 * `valid` checks the shape of a value the memo had.
 */
export function textFact(file, name, compute, valid) {
  const facts = (file.facts ??= {});
  // A fact from the memo is checked for its shape: a damaged memo costs a read, never a crash.
  if (!Object.hasOwn(facts, name) || !valid(facts[name])) {
    facts[name] = compute(file.source);
    noteFactChange(facts);
  }
  return facts[name];
}

/** Fact shapes for `textFact`. */
export const isBoolean = (value) => typeof value === "boolean";
export const isStringList = (value) => Array.isArray(value) && value.every((item) => typeof item === "string");

/** A fact's name: `label` and a digest of what decides its value (the regular expressions it tests), so a changed test is a new fact. */
export const factName = (label, ...tests) => `${label}:${textDigest(tests.map(String).join("\0")).slice(0, 8)}`;
