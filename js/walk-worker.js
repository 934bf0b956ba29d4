// A worker thread of a parallel lint: its own wasm instance (core.js's
// module scope is per thread) walks the files it is given and posts the
// walks back as the core's records (`walkJson`). A trap drops this thread's
// instance as on the main thread (core.js), and the files come back
// unwalked: the main thread then walks them itself.
import { parentPort } from "node:worker_threads";
import { callCore } from "./core.js";

parentPort.on("message", ({ json, sources, only }) => {
  try {
    const records = callCore("a share of the files", (core) => core.walkJson(json, sources, Uint32Array.from(only)));
    parentPort.postMessage({ records }, [records.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});
