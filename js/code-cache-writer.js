// The process that compiles the core's optimized code for the cache
// (code-cache.js): `node code-cache-writer.js WASM DIR KEY`. Started detached
// after a CLI run that had no compiled code; writes DIR/KEY.bin or, when it
// cannot, DIR/KEY.failed, and removes its DIR/KEY.writing.
import v8 from "node:v8";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCompiledCode } from "./code-cache.js";

const [wasmPath, dir, key] = process.argv.slice(2);
try {
  writeCompiledCode(v8, readFileSync(wasmPath), dir, key);
} catch {
  try {
    writeFileSync(join(dir, `${key}.failed`), "");
  } catch {
    // The folder is gone: nothing to record.
  }
} finally {
  try {
    unlinkSync(join(dir, `${key}.writing`));
  } catch {
    // Already removed.
  }
}
