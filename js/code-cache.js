// The core's optimized machine code, kept between CLI runs.
//
// In a one-second run V8 executes the wasm on its baseline compiler
// (Liftoff): optimizing the hot functions (TurboFan) costs more than it saves
// before the run ends. The optimized code of the whole module, compiled once
// and loaded from disk (~10 ms), makes every later run faster (the bench
// corpus: one thread 583 -> 430 ms on Node 20, 537 -> 378 ms on Node 22;
// the 9-file example Worker 182 -> 167 ms). Node has no public API to keep
// compiled wasm (browsers keep it in their HTTP cache), so this uses V8's
// own serializer through two runtime functions (`%SerializeWasmModule`,
// `%DeserializeWasmModule`, behind `--allow-natives-syntax`):
//
// - V8 stamps the code with its version, the CPU's features and a hash of
//   the V8 flags set; it refuses code from another Node, CPU or flag set.
//   Both sides set exactly CODE_FLAGS before compiling or loading, and the
//   file's name is keyed by the wasm's bytes, Node's version and platform
//   and the flags Node was started with.
// - V8 checks nothing of the code itself, so the file carries a SHA-256 of
//   it, is written whole (a temporary file renamed), and is read only from
//   a folder of the user's own (a per-user cache folder, the file owned by
//   this user): anyone who could write it could already change the package.
// - The code is compiled by a separate process (code-cache-writer.js) after
//   a run that had none, once per key: a failure there (V8 aborts the
//   process if serialization fails) costs nothing but the cache, and is not
//   tried again for that key.
//
// Only the CLI uses it (the flags are process-wide; the API and the plugins
// leave V8 alone and, in their long-lived processes, V8 optimizes the hot
// code itself). PERF_OPTIMIZER_CODE_CACHE=0 turns it off; another value
// names the folder. `--no-cache` does not: like Node's compile cache of our
// JavaScript modules, this holds the tool's code, never a result.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The V8 flags under which the code is compiled and loaded (their hash is part of V8's stamp). */
export const CODE_FLAGS = ["--allow-natives-syntax", "--no-liftoff", "--no-wasm-lazy-compilation"];
/** The first bytes of a code file: this format, then the SHA-256 of the code. */
const MAGIC = Buffer.from("perf-optimizer wasm code 1\n");
const DIGEST_BYTES = 32;
/** A writer not done after this long has failed (V8 aborted it): its key is not tried again. */
const WRITER_TIMEOUT_MS = 10 * 60 * 1000;
/** Node options under which no writer is started. */
const DEBUGGING = /--(?:inspect|debug|cpu-prof|heap-prof|prof\b)/;
/** Code files kept per folder (one per tool version, Node version and flags in use). */
const KEPT_FILES = 4;

/** The folder of compiled code: PERF_OPTIMIZER_CODE_CACHE, or perf-optimizer/wasm-code in the user's cache folder; null when turned off. */
export function codeCacheDir(env = process.env, platform = process.platform, home = homedir()) {
  const set = env.PERF_OPTIMIZER_CODE_CACHE;
  if (set !== undefined && set !== "") return /^(0|false|off|no)$/i.test(set) ? null : set;
  const base =
    platform === "win32"
      ? env.LOCALAPPDATA || join(home, "AppData", "Local")
      : platform === "darwin"
        ? join(home, "Library", "Caches")
        : env.XDG_CACHE_HOME?.startsWith("/")
          ? env.XDG_CACHE_HOME
          : join(home, ".cache");
  return join(base, "perf-optimizer", "wasm-code");
}

const sha256 = (...parts) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** The name of the code for `wasmBytes` in this process: V8 accepts code only from the same Node, CPU and flags. */
export function codeKey(wasmBytes, env = process.env) {
  const node = JSON.stringify([process.version, process.platform, process.arch, process.execArgv, env.NODE_OPTIONS ?? "", CODE_FLAGS]);
  return sha256(sha256(wasmBytes), node).toString("hex").slice(0, 32);
}

/** Sets V8 flags one by one (`node:v8` is required by the caller). */
function setFlags(v8, flags) {
  for (const flag of flags) v8.setFlagsFromString(flag);
}

/** V8's runtime function `name`, callable once --allow-natives-syntax is set; null if this V8 has none. */
function runtimeFunction(name, params) {
  try {
    return new Function(...params, `return %${name}(${params.join(", ")});`);
  } catch {
    return null;
  }
}

/** Whether the open file `fd` is this user's (on systems with owners). */
function ownFile(fd) {
  const uid = process.getuid?.();
  return uid === undefined || fstatSync(fd).uid === uid;
}

/**
 * The compiled module for `wasmBytes` from the cache, or null (none, turned
 * off, refused by V8 or damaged: a refused or damaged file is marked failed
 * and not written again). Sets CODE_FLAGS; the caller sets its own after.
 */
export function loadCompiledCode(v8, wasmBytes, dir = codeCacheDir()) {
  if (!dir) return null;
  const key = codeKey(wasmBytes);
  const file = join(dir, `${key}.bin`);
  let code;
  try {
    const fd = openSync(file, "r");
    try {
      if (!ownFile(fd)) return null;
      const size = fstatSync(fd).size;
      code = Buffer.allocUnsafe(size);
      if (readSync(fd, code, 0, size, 0) !== size) code = null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const body = code?.subarray(MAGIC.length + DIGEST_BYTES);
  const intact = code && code.subarray(0, MAGIC.length).equals(MAGIC) && sha256(body).equals(code.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES));
  let module = null;
  if (intact) {
    setFlags(v8, CODE_FLAGS);
    const deserialize = runtimeFunction("DeserializeWasmModule", ["code", "wire"]);
    try {
      // V8 wants the code as an ArrayBuffer of its own and the wire bytes as a typed array.
      const codeBuffer = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
      module = deserialize?.(codeBuffer, new Uint8Array(wasmBytes.buffer, wasmBytes.byteOffset, wasmBytes.byteLength)) ?? null;
    } catch {
      module = null;
    }
  }
  if (!(module instanceof WebAssembly.Module)) {
    markFailed(dir, key);
    return null;
  }
  return module;
}

function markFailed(dir, key) {
  try {
    writeFileSync(join(dir, `${key}.failed`), "");
    unlinkSync(join(dir, `${key}.bin`));
  } catch {
    // Nothing to mark or remove.
  }
}

/**
 * After a run without compiled code: starts a process that compiles the
 * module at `wasmPath` and writes its code to the cache, unless the code is
 * there, being written, or failed before. The process is detached, holds
 * none of this one's streams and does not keep it alive.
 */
export function compileInBackground(wasmPath, wasmBytes, dir = codeCacheDir()) {
  // The writer runs under this process's Node options: not under a debugger
  // (--inspect-brk would hold it forever) or a profiler (a stray profile).
  if (!dir || DEBUGGING.test(`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`)) return false;
  const key = codeKey(wasmBytes);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const ending of [".bin", ".failed"]) {
      try {
        statSync(join(dir, `${key}${ending}`));
        return false;
      } catch {
        // Not there.
      }
    }
    const lock = join(dir, `${key}.writing`);
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
    } catch {
      // Another run is writing it, or its writer died: after a while, that key failed.
      if (Date.now() - statSync(lock).mtimeMs > WRITER_TIMEOUT_MS) markFailed(dir, key);
      return false;
    }
    // Required here: node:child_process costs a run ~9 ms to load.
    const { spawn } = createRequire(import.meta.url)("node:child_process");
    const writer = fileURLToPath(new URL("./code-cache-writer.js", import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, writer, wasmPath, dir, key], { detached: true, stdio: "ignore", windowsHide: true });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/**
 * In the writer process: compiles `wasmBytes` with every function optimized,
 * serializes the code and writes it as `key`.bin in `dir` (whole or not at
 * all), then keeps the newest KEPT_FILES code files.
 */
export function writeCompiledCode(v8, wasmBytes, dir, key) {
  setFlags(v8, CODE_FLAGS);
  const serialize = runtimeFunction("SerializeWasmModule", ["module"]);
  if (!serialize) throw new Error("this Node cannot serialize wasm code");
  const module = new WebAssembly.Module(wasmBytes);
  const body = Buffer.from(serialize(module));
  const temporary = join(dir, `${key}.${process.pid}.tmp`);
  writeFileSync(temporary, Buffer.concat([MAGIC, sha256(body), body]), { mode: 0o600 });
  // rename is atomic: a reader sees the whole file or none.
  renameSync(temporary, join(dir, `${key}.bin`));
  keepNewest(dir);
}

function keepNewest(dir) {
  try {
    const files = readdirSync(dir)
      .filter((name) => name.endsWith(".bin"))
      .map((name) => ({ name, time: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.time - a.time);
    for (const { name } of files.slice(KEPT_FILES)) unlinkSync(join(dir, name));
  } catch {
    // Another process removed one first, or has it open (Windows): the next writer prunes.
  }
}
