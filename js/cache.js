// The incremental cache: each file's walk (the core's per-file result: its
// findings, the facts the project-wide checks read, its suppressions and the
// modules it loads), keyed by everything the walk depends on, in
// node_modules/.cache/perf-optimizer (the convention of babel-loader and
// eslint-loader). The project-wide checks run again on every run, from the
// walks, so a changed file changes its dependents' findings too.
//
// Sixteen pack files (by the first hex digit of the walks' keys), each read
// whole and rewritten whole (to a temporary file, then renamed) when a run
// adds to it: a few reads instead of a file per source file, and a run
// after one changed file rewrites one sixteenth of the walks, not all of
// them. Entries not used for the longest are dropped beyond MAX_BYTES.
//
// Beside it, the last few whole reports, keyed by everything the core's
// call reads: a run where nothing changed reads its report back without
// loading the core (reports.bin). And a memo of the source files by their
// stat (files.json): where nothing changed, no source file is read.
import crypto, { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { version } from "./version.js";

const MAGIC = "perf-optimizer walks 2\n";
/** How many pack files the walks are spread over (by their keys' first 4 bits). */
const SHARDS = 16;
/** The pack file of shard `n` (0-15). */
const shardFile = (n) => `walks-${n.toString(16)}.bin`;
/** The one pack file of versions before the shards: removed when the packs are written. */
const OLD_PACK = "walks.bin";
/** The shard of a base64 key: its first character holds the top 6 bits. */
const shardOf = (key) => BASE64.indexOf(key[0]) >> 2;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** The packs' size bound (each shard's a sixteenth): entries unused for the most runs go first. */
export const MAX_BYTES = 64 * 1024 * 1024;
/**
 * Walks no run that wrote the pack used in this many such runs are dropped
 * when it is written: they were made for another config, version or text
 * since changed, and would only wait for a switch back. Without this a pack
 * grows to MAX_BYTES and every run that adds a walk rewrites it all (tens of
 * MB for one changed file); a project's few commands each use theirs.
 */
export const KEEP_RUNS = 8;
const WASM = fileURLToPath(new URL("../wasm/perf_optimizer_bg.wasm", import.meta.url));

function uleb(n) {
  const bytes = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** A LEB128 number at `at`: [value, the offset after it]. */
export function readUleb(bytes, at) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new Error("cut short");
    const b = bytes[at++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, at];
    scale *= 128;
  }
}

/** The core's walk records (file index, length, walk) as a Map of file index → walk. */
export function splitRecords(bytes, into = new Map()) {
  let at = 0;
  while (at < bytes.length) {
    const [file, afterFile] = readUleb(bytes, at);
    const [length, start] = readUleb(bytes, afterFile);
    into.set(file, bytes.subarray(start, start + length));
    at = start + length;
  }
  return into;
}

/** Walks by file index as the core's records, for `analyzeJson`'s `precomputed`. */
export function joinRecords(walks) {
  const parts = [];
  for (const [file, walk] of walks) parts.push(uleb(file), uleb(walk.length), walk);
  return Buffer.concat(parts);
}

/** The folder of the cache for a project in `dir`: its (or the nearest above's) node_modules/.cache/perf-optimizer, if a node_modules is there. */
export function cacheDirFor(dir) {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) return join(d, "node_modules", ".cache", "perf-optimizer");
    if (existsSync(join(d, "package.json")) || dirname(d) === d) return null;
  }
}

const sha1 = () => createHash("sha1");
/**
 * The SHA-1 of one string or buffer, base64: `crypto.hash` (Node 20.12+),
 * without a Hash object per call (half the time for a file's key).
 */
const sha1Of = crypto.hash ? (data) => crypto.hash("sha1", data, "base64") : (data) => sha1().update(data).digest("base64");

/**
 * What every file's walk depends on besides the file: the build (version,
 * and the wasm itself, which changes between builds of one version), the
 * config, the project facts (bindings, module resolution, installed
 * packages) and the data tables the rules read. Entry and queue-bound
 * parameters are kept inside each walk, and the core checks them.
 */
export function runKey({ config, project, replacements, heavyPackages }) {
  return sha1()
    .update(JSON.stringify([version, wasmBuild(), config ?? null, project ?? null]))
    .update("\0")
    .update(replacements ?? "")
    .update("\0")
    .update(heavyPackages ?? "")
    .digest();
}

/** The wasm's size and modification time: it changes between builds of one version. */
function wasmBuild() {
  try {
    const s = statSync(WASM);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    // no wasm file: the version alone
    return "";
  }
}

/** The build of perf-optimizer (version and wasm): what a fact the core computed depends on besides its input. */
export const buildId = () => `${version}:${wasmBuild()}`;

/** The key of one file's walk: the run's key, its path and its text's digest (`textDigest`). */
export function fileKey(run, path, digest) {
  return sha1Of(`${run.toString("base64")}\0${path}\0${digest}`);
}

/**
 * Whether the cache can be used in the folder `dir`: made if missing, and
 * a real folder in a real parent (not writable: the run goes on without
 * one). A project cannot point the cache elsewhere with a link.
 */
function usableFolder(dir) {
  if (!dir) return false;
  try {
    mkdirSync(dir, { recursive: true });
    return !lstatSync(dirname(dir)).isSymbolicLink() && !lstatSync(dir).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The path of the file `name` in the usable cache folder `dir`, or null when something other than a regular file is there (a link, a FIFO: never read). */
function fileIn(dir, name) {
  const path = join(dir, name);
  try {
    if (!lstatSync(path).isFile()) return null;
  } catch {
    // not written yet
  }
  return path;
}

/** The path of the file `name` in the cache folder `dir`, or null when the cache cannot be used there (`usableFolder`, `fileIn`). */
const cacheFile = (dir, name) => (usableFolder(dir) ? fileIn(dir, name) : null);

/** Writes `bytes` to `path` through a temporary file and a rename (a reader never sees half a file); whether it did. */
function replaceFile(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

const REPORTS_MAGIC = "perf-optimizer reports 1\n";
const REPORTS = "reports.bin";
/** The reports kept: a project's few commands (lint, check, the plugin's build) each find their last one. */
const KEEP_REPORTS = 4;

/**
 * The key of a whole analysis: the run's key, the core's input as JSON
 * text (every file's path, the entries, config, baseline, SQL files...) and
 * each file's text's digest, in the order of the files: the same key, the
 * same report.
 */
export function reportKey(run, inputJson, digests) {
  return sha1().update(run).update(inputJson).update("\0").update(digests.join("\0")).digest();
}

/** The reports kept in `path`: [key (20 bytes), report text] pairs, newest first. */
function readReports(path) {
  const out = [];
  try {
    const bytes = readFileSync(path);
    if (bytes.toString("latin1", 0, REPORTS_MAGIC.length) !== REPORTS_MAGIC) return out;
    let at = REPORTS_MAGIC.length;
    while (at + 20 < bytes.length) {
      const key = bytes.subarray(at, at + 20);
      const [length, start] = readUleb(bytes, at + 20);
      if (start + length > bytes.length) break;
      out.push([key, bytes.subarray(start, start + length)]);
      at = start + length;
    }
  } catch {
    // none yet, or a damaged file: nothing kept
  }
  return out;
}

/** The report (the core's JSON text) an analysis with `key` made before, kept in the cache folder `dir`, or null. */
export function cachedReport(dir, key) {
  const path = cacheFile(dir, REPORTS);
  if (!path) return null;
  const found = readReports(path).find(([k]) => k.equals(key));
  return found ? found[1].toString("utf8") : null;
}

/** A report larger than this is not kept (reading it back would cost about what it saves). */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;

/** Keeps `report` (the core's JSON text) as the answer to `key`, with the last few others. */
export function keepReport(dir, key, report) {
  const path = report.length <= MAX_REPORT_BYTES ? cacheFile(dir, REPORTS) : null;
  if (!path) return false;
  const kept = readReports(path).filter(([k]) => !k.equals(key)).slice(0, KEEP_REPORTS - 1);
  const parts = [Buffer.from(REPORTS_MAGIC, "latin1")];
  for (const [k, text] of [[key, Buffer.from(report, "utf8")], ...kept]) parts.push(k, uleb(text.length), text);
  return replaceFile(path, Buffer.concat(parts));
}

/** Whether the cache folder `dir` holds walks (any pack file). */
export function hasWalks(dir) {
  return Array.from({ length: SHARDS }, (_, n) => n).some((n) => existsSync(join(dir, shardFile(n))));
}

/**
 * The cache in `dir`, or null when it cannot be used (not writable: the
 * run goes on without one). `get(key)` → the walk or undefined; `set(key,
 * walk)`; `save()` writes the packs the run added to.
 */
export function openCache(dir) {
  // The folder checked once, each pack file on its own.
  if (!usableFolder(dir)) return null;
  const paths = Array.from({ length: SHARDS }, (_, n) => fileIn(dir, shardFile(n)));
  if (paths.some((path) => !path)) return null;
  /** key → { walk, run } */
  const entries = new Map();
  // The run number: one past the last run that wrote any pack.
  let lastRun = 0;
  for (const path of paths) {
    try {
      const bytes = readFileSync(path);
      if (bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) continue;
      let [shardRun, at] = readUleb(bytes, MAGIC.length);
      lastRun = Math.max(lastRun, shardRun);
      while (at < bytes.length) {
        const key = bytes.toString("base64", at, at + 20);
        let used;
        let length;
        [used, at] = readUleb(bytes, at + 20);
        [length, at] = readUleb(bytes, at);
        if (at + length > bytes.length) break;
        entries.set(key, { walk: bytes.subarray(at, at + length), run: used });
        at += length;
      }
    } catch {
      // no pack yet, or a damaged one: that shard starts empty
    }
  }
  const run = lastRun + 1;
  /** The shards this run added walks to. */
  const added = new Set();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entry.run = run;
      return entry.walk;
    },
    set(key, walk) {
      entries.set(key, { walk: Buffer.from(walk), run });
      added.add(shardOf(key));
    },
    /**
     * Writes the packs this run added walks to (one it only read from is
     * left alone: the ages it changed matter only for what is dropped),
     * without the walks unused for KEEP_RUNS runs. Returns whether it
     * wrote.
     */
    save() {
      if (added.size === 0) return false;
      const shards = new Map([...added].map((n) => [n, []]));
      for (const entry of entries) shards.get(shardOf(entry[0]))?.push(entry);
      let wrote = true;
      for (const [n, shard] of shards) {
        shard.sort((a, b) => b[1].run - a[1].run);
        const parts = [Buffer.from(MAGIC, "latin1"), uleb(run)];
        let total = 0;
        for (const [key, { walk, run: lastUsed }] of shard) {
          // Newest first: all the rest are as old.
          if (run - lastUsed >= KEEP_RUNS) break;
          total += walk.length + 28;
          if (total > MAX_BYTES / SHARDS) break;
          parts.push(Buffer.from(key, "base64"), uleb(lastUsed), uleb(walk.length), walk);
        }
        wrote = replaceFile(paths[n], Buffer.concat(parts)) && wrote;
      }
      rmSync(join(dir, OLD_PACK), { force: true });
      return wrote;
    },
    get size() {
      return entries.size;
    },
  };
}

/** Facts objects of the memo's entries that were given a new value in this run (`noteFactChange`): the memo is written. */
const changedFacts = new WeakSet();
/** Notes that a file's `facts` (from the memo) changed: the memo is written at the end of the run. */
export const noteFactChange = (facts) => changedFacts.add(facts);

const MEMO = "files.json";
const MEMO_FORMAT = "perf-optimizer files 1";
/**
 * A file changed within this long before its entry was made may change
 * again without its stat showing it (a file system whose times have a
 * coarse grain, two writes in one tick): its entry is not trusted, and the
 * next run reads it and makes the entry again (git's "racy clean" rule).
 */
export const RACY_MS = 2000;
/** The most entries kept: those of the files of this run first. */
const MAX_MEMO_ENTRIES = 20_000;

/** What says a file is unchanged: its identity, size and both times (a write, even one that restores the modification time, moves the change time). */
const signature = (stat) => `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;

/** The SHA-1 of a file's text (base64), what its cache keys are made from. */
export const textDigest = (bytes) => sha1Of(bytes);

/**
 * The files' memo in the cache folder `dir` (null when the cache cannot be
 * used there): for each source file read before, its stat, the digest and
 * length of its text and facts read from the text (`textFact` in files.js).
 * A file whose stat is the same (ESLint's `--cache-strategy metadata`,
 * with the change time too) is not read again until its text is needed:
 * a run where nothing changed reads no source file. `lookup(abs, stat)`:
 * the trusted entry `{ digest, length, facts }` or null; `record(abs, stat,
 * digest, length)`: a new entry, its `facts` object returned to fill (the
 * old entry's, when the text is the same);
 * `save(paths)`: writes the memo if an entry was made or given a fact, the
 * entries of `paths` first.
 */
export function openFileMemo(dir) {
  const path = cacheFile(dir, MEMO);
  if (!path) return null;
  /** abs → [signature, digest, length, recordedAt, facts] */
  let entries = {};
  try {
    // A memo larger than this is no memo of ours (it is about 230 bytes a file).
    if (statSync(path).size > MAX_BYTES) throw new Error("too large");
    const data = JSON.parse(readFileSync(path, "utf8"));
    if (data?.format === MEMO_FORMAT && data.files && typeof data.files === "object") entries = data.files;
  } catch {
    // none yet, or a damaged one: start empty
  }
  const now = Date.now();
  let recorded = false;
  /** The facts of the entries looked up, with how many they had. */
  const looked = [];
  return {
    has: (abs) => Object.hasOwn(entries, abs),
    lookup(abs, stat) {
      const entry = entries[abs];
      if (!Array.isArray(entry) || entry[0] !== signature(stat)) return null;
      const [, digest, length, recordedAt, facts] = entry;
      const settled = recordedAt - RACY_MS;
      if (!(stat.mtimeMs < settled && stat.ctimeMs < settled) || typeof digest !== "string" || !Number.isInteger(length)) return null;
      if (!facts || typeof facts !== "object" || Array.isArray(facts)) entry[4] = {};
      looked.push([entry[4], Object.keys(entry[4]).length]);
      return { digest, length, facts: entry[4] };
    },
    record(abs, stat, digest, length) {
      // Facts are read from the text: the same text (a file read again
      // while its entry was in the racy window, or touched) keeps them.
      const old = entries[abs];
      const kept = Array.isArray(old) && old[1] === digest ? old[4] : null;
      const facts = kept && typeof kept === "object" && !Array.isArray(kept) ? kept : {};
      entries[abs] = [signature(stat), digest, length, now, facts];
      recorded = true;
      return facts;
    },
    save(paths) {
      if (!recorded && looked.every(([facts, count]) => !changedFacts.has(facts) && Object.keys(facts).length === count)) return false;
      const ordered = {};
      for (const abs of paths) if (Object.hasOwn(entries, abs)) ordered[abs] = entries[abs];
      let count = Object.keys(ordered).length;
      for (const [abs, entry] of Object.entries(entries)) {
        if (count >= MAX_MEMO_ENTRIES) break;
        if (!Object.hasOwn(ordered, abs)) {
          ordered[abs] = entry;
          count++;
        }
      }
      return replaceFile(path, JSON.stringify({ format: MEMO_FORMAT, files: ordered }));
    },
  };
}
