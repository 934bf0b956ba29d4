import { readFileSync } from "node:fs";

/** The package's version, read without loading the wasm core. */
export const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
