// Parallel lint: the files' walks spread over worker threads, one wasm
// instance each (js/walk-worker.js), each taking the next file from one
// shared queue, largest first; the main thread walks too. The core then merges the walks in its one
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
 * The files to walk, largest first, in shared memory: every thread takes the
 * next one as it goes (`takeNext`), so that a worker that starts late (a
 * Node isolate and a wasm instance: ~150 ms here) walks fewer and all
 * finish together; large files first, so that none is left to one thread
 * at the end. Which thread walks a file never changes its walk.
 */
export function sharedQueue(files, sizes) {
  const order = [...files].sort((a, b) => sizes[b] - sizes[a] || a - b);
  const queue = new Int32Array(new SharedArrayBuffer(4 * (order.length + 1)));
  queue.set(order, 1);
  return queue;
}

/** A function that takes the next file of a `sharedQueue` (slot 0 counts those taken): its index, or -1 when none is left. */
export function takeNext(queue) {
  return () => {
    const at = Atomics.add(queue, 0, 1) + 1;
    return at < queue.length ? queue[at] : -1;
  };
}

/** The core's input for a walk of `only`: every file's path, the texts of `only` (the others empty). */
function walkInput(input, texts, only) {
  const mine = new Set(only);
  const lengths = texts.map((t, i) => (mine.has(i) ? t.length : 0));
  const json = JSON.stringify({ ...input, sourceLengths: lengths });
  return { json, sources: Buffer.concat(only.map((i) => texts[i])) };
}

/** Walks the files this thread takes from `queue` on its instance, into `into` (walks by file index). */
function walkHere(json, sources, queue, label, into) {
  return splitRecords(callCore(label, (core) => core.walkJson(json, sources, new Uint32Array(0), takeNext(queue))), into);
}

/** Starts a worker that walks the files it takes from `queue`: its walks by file index, none if the worker fails (the core then walks those files itself). */
function walkInWorker(json, sources, queue) {
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
    worker.postMessage({ json, sources, queue });
  });
}

/**
 * Walks the files `only` (indices into `texts`, the files' UTF-8 texts) in
 * `threads` threads: threads - 1 workers and this one, each taking the next
 * file from one shared queue. Returns the walks by file index; the files a
 * failed thread took are missing.
 */
export async function walkInThreads(input, texts, only, threads, label) {
  const queue = sharedQueue(
    only,
    texts.map((t) => t.length),
  );
  const { json, sources } = walkInput(input, texts, only);
  const pending = Array.from({ length: threads - 1 }, () => walkInWorker(json, sources, queue));
  let walks = new Map();
  try {
    walkHere(json, sources, queue, label, walks);
  } catch {
    // A trap on this thread: the core walks the files it took itself (and
    // the caller's recovery finds the file that traps).
    walks = new Map();
  }
  for (const result of await Promise.all(pending)) for (const [i, walk] of result) walks.set(i, walk);
  return walks;
}
