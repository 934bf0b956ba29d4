// Loads the wasm core lazily (once per process) and calls into it. A trap
// (a panic or stack overflow inside the wasm) poisons an instance, so after
// one the instance is dropped and the next call loads a fresh one.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// node:v8 and node:vm are required when the wasm is about to load: a run
// the cache answers never loads them.
const require = createRequire(import.meta.url);
// wasm-bindgen's generated loader (CommonJS): it instantiates the wasm and
// keeps the instance in its own module scope.
const GLUE = fileURLToPath(new URL("../wasm/perf_optimizer.js", import.meta.url));
const PANIC_KEY = "__perfOptimizerPanic";

/** An error from perf-optimizer that the CLI prints as one line (exit 2). */
export class PerfOptimizerError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "PerfOptimizerError";
  }
}

let instance = null;
let compilerTuning = false;

/**
 * Below this much source, one run is too short for V8's optimizing wasm
 * compiler to pay off: tiering the hot functions up costs more CPU than the
 * faster code saves (measured on the bench corpus, 4.7 MB: 1.6 s -> 1.1 s;
 * the optimized code wins from about four times that size).
 */
const SHORT_RUN_BYTES = 16 * 1024 * 1024;

/** Lets the core tune V8 for a one-shot run. Process-wide, so only the CLI calls it. */
export function allowCompilerTuning() {
  compilerTuning = true;
}

/** Before the wasm loads: lazy validation, and for a short run V8's baseline compiler (Liftoff) only. */
export function tuneCompilerFor(sourceBytes) {
  if (!compilerTuning || instance) return;
  compilerTuning = false;
  // Our own module is valid: each function is checked when first compiled,
  // not all of them up front (~5 ms of start-up).
  const { setFlagsFromString } = require("node:v8");
  setFlagsFromString("--wasm-lazy-validation");
  if (sourceBytes < SHORT_RUN_BYTES) setFlagsFromString("--liftoff-only");
}

/**
 * A fresh copy of the loader, run outside Node's module registry: `require`
 * would keep every copy (and its instance's memory, tens of MB) reachable
 * from the requiring module's `children` even after `require.cache` forgets
 * it, so each trap would leak an instance. This copy is referenced from
 * `instance` only.
 */
function freshGlue() {
  const module = { exports: {} };
  const run = require("node:vm").compileFunction(readFileSync(GLUE, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], { filename: GLUE });
  run(module.exports, require, module, GLUE, dirname(GLUE));
  return module.exports;
}

function load() {
  instance ??= freshGlue();
  return instance;
}

/** Drops a trapped instance: it is never called again, and nothing else holds it. */
function discard() {
  instance = null;
}

/**
 * Calls `fn(core)`; turns traps into an internal error naming `what`, and
 * errors the core returns (bad metafile, bad config) into PerfOptimizerError.
 */
export function callCore(what, fn) {
  const core = load();
  try {
    return fn(core);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
      const panic = globalThis[PANIC_KEY];
      delete globalThis[PANIC_KEY];
      discard();
      const detail = panic ? String(panic).replace(/^panicked at [^:]+:\d+:\d+:\n?/, "") : error.message;
      throw new PerfOptimizerError(`internal error while analyzing ${what}: ${detail}`, { cause: error });
    }
    if (error instanceof Error && !(error instanceof TypeError)) {
      throw new PerfOptimizerError(error.message, { cause: error });
    }
    throw error;
  }
}

/** The raw core module, for functions that cannot fail. */
export function core() {
  return load();
}
