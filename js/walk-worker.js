// A worker thread of a parallel lint: its own wasm instance (core.js's
// module scope is per thread) walks the files it takes from the shared
// queue and posts the walks back as the core's records (`walkJson`). A trap drops this thread's
// instance as on the main thread (core.js), and the files come back
// unwalked: the main thread then walks them itself.
import { parentPort } from "node:worker_threads";
import { callCore, useModule } from "./core.js";
import { takeNext } from "./threads.js";

parentPort.on("message", ({ json, sources, queue, wasmModule }) => {
  try {
    useModule(wasmModule);
    const records = callCore("a share of the files", (core) => core.walkJson(json, sources, new Uint32Array(0), takeNext(queue)));
    parentPort.postMessage({ records }, [records.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});
