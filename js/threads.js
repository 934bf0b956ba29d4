// Parallel lint: the files' walks spread over worker threads, one wasm
// instance each (js/walk-worker.js), each taking the next file from one
// shared queue, largest first; the main thread walks too. The core then merges the walks in its one
// analyze call, in the order of the files, so the report never depends on
// which thread finished first.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { callCore, compiledModule } from "./core.js";
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

/** The core's input for a walk of `only` (ascending indices; JSON as UTF-8 bytes): every file's path, the texts of `only` (`textOf(i)`, `lengths[i]` bytes; the others empty). */
function walkInput(input, lengths, textOf, only) {
  const mine = new Set(only);
  const json = Buffer.from(JSON.stringify({ ...input, sourceLengths: lengths.map((length, i) => (mine.has(i) ? length : 0)) }));
  return { json, sources: Buffer.concat(only.map(textOf)) };
}

/**
 * Walks the files this thread takes from `queue` on its instance, kept there
 * under the token `keep` for the core's analyze call to merge as they are;
 * their records (only `withRecords`, for a cache) go into `into`.
 */
function walkHere(json, sources, queue, label, { keep, withRecords }, into) {
  const take = takeNext(queue);
  const taken = [];
  const next = () => {
    const file = take();
    if (file >= 0) taken.push(file);
    return file;
  };
  splitRecords(callCore(label, (core) => core.walkJson(json, sources, new Uint32Array(0), next, keep, withRecords)), into);
  return taken;
}

/**
 * Workers started ahead of a walk (`prestartWorkers`), waiting for their
 * share: a worker's start (a Node isolate and its built-in modules, ~150 ms
 * of CPU on this project's machine) then overlaps the main thread's reading
 * of the files and the project, instead of delaying its share of the walk.
 */
const spare = [];

function startWorker() {
  const worker = new Worker(new URL("./walk-worker.js", import.meta.url));
  // Until it is given a share, a spare worker neither keeps the process
  // alive nor fails it: one that dies is replaced when a share is handed out.
  worker.unref();
  worker.on("error", () => {});
  worker.once("exit", () => (worker.gone = true));
  return worker;
}

/**
 * Starts `count` workers now for a walk that is likely to follow: the ones
 * not needed when it comes are stopped (`stopSpareWorkers`). A worker loads
 * no wasm until it is handed its share, after the main thread has set V8's
 * flags for the run (core.js `tuneCompilerFor`).
 */
export function prestartWorkers(count) {
  try {
    while (spare.length < count) spare.push(startWorker());
  } catch {
    // No thread now (a resource limit): the walk starts its workers itself, or walks alone.
  }
}

/** Stops the workers started ahead and not handed a share. */
export function stopSpareWorkers() {
  for (const worker of spare.splice(0)) worker.terminate();
}

/** A started worker: a spare one if one is still alive, else a new one. */
function takeWorker() {
  for (let worker = spare.pop(); worker; worker = spare.pop()) {
    if (!worker.gone) return worker;
  }
  return startWorker();
}

/** Starts a worker that walks the files it takes from `queue`: its walks by file index, none if the worker fails (the core then walks those files itself). */
function walkInWorker(json, sources, queue) {
  return new Promise((resolve) => {
    const worker = takeWorker();
    worker.ref();
    const done = (walks) => {
      worker.terminate();
      resolve(walks);
    };
    worker.once("message", (message) => done(message.records ? splitRecords(Buffer.from(message.records.buffer, message.records.byteOffset, message.records.byteLength)) : new Map()));
    worker.once("error", () => done(new Map()));
    worker.once("exit", () => resolve(new Map()));
    // Copied, not transferred: a small Buffer may be a view of Node's pool.
    // The module is shared: its compiled code serves every thread.
    worker.postMessage({ json, sources, queue, wasmModule: compiledModule() });
  });
}

/**
 * Walks the files `only` (ascending indices into the files, whose UTF-8
 * texts `textOf(i)` gives, `lengths[i]` bytes long) in `threads` threads:
 * threads - 1 workers and this one, each taking the next file from one
 * shared queue. This thread's walks stay in its instance under the token
 * `keep` (the next `analyzeJson` with that token merges them as they are).
 * Returns the workers' walks by file index (`walks`), this thread's
 * records, only `withRecords` (`mine`), the files this thread walked
 * (`kept`, indices) and the input its instance keeps with them
 * (`keptInput`, the core's JSON input as bytes; null if it failed); the
 * files a failed thread took are missing.
 */
export async function walkInThreads(input, lengths, textOf, only, threads, label, { keep, withRecords = false }) {
  const queue = sharedQueue(only, lengths);
  const { json, sources } = walkInput(input, lengths, textOf, only);
  const pending = Array.from({ length: threads - 1 }, () => walkInWorker(json, sources, queue));
  let mine = new Map();
  let kept = [];
  let keptInput = null;
  try {
    kept = walkHere(json, sources, queue, label, { keep, withRecords }, mine);
    keptInput = json;
  } catch {
    // A trap on this thread: the instance and its kept walks are gone; the
    // core walks the files it took itself (and the caller's recovery finds
    // the file that traps).
    mine = new Map();
  }
  const walks = new Map();
  for (const result of await Promise.all(pending)) for (const [i, walk] of result) walks.set(i, walk);
  return { walks, mine, kept, keptInput };
}
