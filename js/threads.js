// Parallel lint: the files' walks spread over worker threads, one wasm
// instance each (js/walk-worker.js), files balanced by size; the main
// thread walks a share too. The core then merges the walks in its one
// analyze call, in the order of the files, so the report never depends on
// which thread finished first.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { callCore } from "./core.js";
import { splitRecords } from "./cache.js";

/**
 * Source to walk per thread. Starting a worker (a Node isolate and a wasm
 * instance) costs ~50 ms of CPU on this project's 2-core machine, the walk
 * of some 250 KB (the core walks ~4.6 MB/s on one thread: 1,062 ms for the
 * bench corpus's 4.9 MB); below about twice that, a thread saves less than
 * it costs. An estimate from those two figures: the break-even itself was not
 * measured on a quiet machine (see the README's Performance).
 */
export const MIN_BYTES_PER_THREAD = 512 * 1024;

/** The threads for `bytes` of source to walk: `requested` (or the machine's parallelism), fewer for little source. */
export function threadCount(requested, bytes) {
  const wanted = requested ?? availableParallelism();
  return Math.max(1, Math.min(wanted, Math.floor(bytes / MIN_BYTES_PER_THREAD)));
}

/**
 * `files` (indices) in `n` shares of about equal size: the largest file
 * first, each to the share with the least so far (the longest-processing-time
 * rule). Each share keeps the files' order.
 */
export function balance(files, sizes, n) {
  const shares = Array.from({ length: n }, () => ({ bytes: 0, files: [] }));
  for (const i of [...files].sort((a, b) => sizes[b] - sizes[a] || a - b)) {
    let least = shares[0];
    for (const s of shares) if (s.bytes < least.bytes) least = s;
    least.bytes += sizes[i];
    least.files.push(i);
  }
  return shares.map((s) => s.files.sort((a, b) => a - b)).filter((s) => s.length > 0);
}

/** The core's input for a walk of `only`: every file's path, the texts of `only` (the others empty). */
function walkInput(input, texts, only) {
  const mine = new Set(only);
  const lengths = texts.map((t, i) => (mine.has(i) ? t.length : 0));
  const json = JSON.stringify({ ...input, sourceLengths: lengths });
  return { json, sources: Buffer.concat(only.map((i) => texts[i])) };
}

/** Walks `only` on this thread's instance: the walks by file index. */
export function walkHere(input, texts, only, label, into = new Map()) {
  if (only.length === 0) return into;
  const { json, sources } = walkInput(input, texts, only);
  return splitRecords(callCore(label, (core) => core.walkJson(json, sources, Uint32Array.from(only))), into);
}

/** Walks `only` in a worker thread: the walks by file index, none if the worker fails (the core then walks those files itself). */
function walkInWorker(input, texts, only) {
  const { json, sources } = walkInput(input, texts, only);
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./walk-worker.js", import.meta.url));
    const done = (walks) => {
      worker.terminate();
      resolve(walks);
    };
    worker.once("message", (message) => done(message.records ? splitRecords(Buffer.from(message.records.buffer, message.records.byteOffset, message.records.byteLength)) : new Map()));
    worker.once("error", () => done(new Map()));
    worker.once("exit", () => resolve(new Map()));
    // Copied, not transferred: a small Buffer may be a view of Node's pool.
    worker.postMessage({ json, sources, only });
  });
}

/**
 * Walks the files `only` (indices into `texts`, the files' UTF-8 texts) in
 * `threads` shares: threads - 1 workers and this thread. Returns the walks
 * by file index; a share whose worker failed is missing.
 */
export async function walkInThreads(input, texts, only, threads, label) {
  const shares = balance(
    only,
    texts.map((t) => t.length),
    threads,
  );
  const pending = shares.slice(1).map((share) => walkInWorker(input, texts, share));
  let walks = new Map();
  try {
    walks = walkHere(input, texts, shares[0] ?? [], label);
  } catch {
    // A trap on this thread: the core walks this share itself (and the
    // caller's recovery finds the file that traps).
  }
  for (const result of await Promise.all(pending)) for (const [i, walk] of result) walks.set(i, walk);
  return walks;
}
