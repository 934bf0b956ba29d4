// Loads the wasm core lazily (once per process) and calls into it. A trap
// (a panic or stack overflow inside the wasm) poisons an instance, so after
// one the instance is dropped and the next call loads a fresh one.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compileInBackground, loadCompiledCode } from "./code-cache.js";

// node:v8 and node:vm are required when the wasm is about to load: a run
// the cache answers never loads them.
const require = createRequire(import.meta.url);
// wasm-bindgen's generated loader (CommonJS): it instantiates the wasm and
// keeps the instance in its own module scope.
const GLUE = fileURLToPath(new URL("../wasm/perf_optimizer.js", import.meta.url));
const WASM = fileURLToPath(new URL("../wasm/perf_optimizer_bg.wasm", import.meta.url));
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
/** The compiled module (from the code cache, this thread's compilation or the main thread's). */
let wasmModule = null;
let wasmFileBytes = null;
let codeFromCache = false;
/** Whether this run ran the wasm without compiled code and may have it compiled for later runs. */
let wantsCompiledCode = false;

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

/**
 * Before the wasm loads, for a run over `sourceBytes` of source: the
 * optimized code from the cache (code-cache.js) if it is there; else lazy
 * validation and, for a short run, V8's baseline compiler (Liftoff) only,
 * and the CLI has the code compiled for later runs when it ends
 * (`keepCompiledCode`).
 */
export function tuneCompilerFor(sourceBytes) {
  if (!compilerTuning || instance) return;
  compilerTuning = false;
  const v8 = require("node:v8");
  wasmModule = loadCompiledCode(v8, wasmBytes());
  codeFromCache = wasmModule !== null;
  // Back to V8's defaults for what CODE_FLAGS changed, if they were set:
  // other wasm in this process (undici's HTTP parser, for one) compiles as
  // usual; the loaded module has all its code already.
  v8.setFlagsFromString("--liftoff");
  v8.setFlagsFromString("--wasm-lazy-compilation");
  if (codeFromCache) return;
  // Our own module is valid: each function is checked when first compiled,
  // not all of them up front (~5 ms of start-up).
  v8.setFlagsFromString("--wasm-lazy-validation");
  if (sourceBytes < SHORT_RUN_BYTES) v8.setFlagsFromString("--liftoff-only");
  wantsCompiledCode = true;
}

/** Whether this process runs the optimized code from the cache (PERF_OPTIMIZER_DEBUG says so). */
export const usesCachedCode = () => codeFromCache;

/** At the end of a CLI run that ran the wasm without compiled code: has it compiled for the next (in another process). */
export function keepCompiledCode() {
  if (!wantsCompiledCode || !wasmModule) return;
  wantsCompiledCode = false;
  compileInBackground(WASM, wasmBytes());
}

/** The wasm's bytes, read once. */
function wasmBytes() {
  wasmFileBytes ??= readFileSync(WASM);
  return wasmFileBytes;
}

/**
 * The compiled module, made once per process and shared with the worker
 * threads (`useModule`): the code V8 compiles for one thread serves them all.
 */
export function compiledModule() {
  wasmModule ??= new WebAssembly.Module(wasmBytes());
  return wasmModule;
}

/** In a worker thread: the main thread's compiled module, before the first call. */
export function useModule(module) {
  if (module instanceof WebAssembly.Module) wasmModule ??= module;
}

/**
 * A fresh copy of the loader, run outside Node's module registry: `require`
 * would keep every copy (and its instance's memory, tens of MB) reachable
 * from the requiring module's `children` even after `require.cache` forgets
 * it, so each trap would leak an instance. This copy is referenced from
 * `instance` only.
 */
function freshGlue() {
  // The loader instantiates `module.wasmModule` (build.mjs patches it so).
  const module = { exports: {}, wasmModule: compiledModule() };
  const run = require("node:vm").compileFunction(readFileSync(GLUE, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], { filename: GLUE });
  run(module.exports, require, module, GLUE, dirname(GLUE));
  return module.exports;
}

function load() {
  // The CLI's first call may come before an analysis's (a config to
  // validate) or instead of one (a warm run's rendering): it sets the flags
  // and loads the code then. V8 accepts the cached code only under the flags
  // it was compiled with, so nothing may set a flag before.
  if (!instance) tuneCompilerFor(0);
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
