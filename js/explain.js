// `perf-optimizer explain RULE`: a rule's documentation, read from the
// docs/rules/RULE.md shipped in the package (the same text the findings link
// to), printed in the terminal. The core knows the rule ids: an unknown one
// is refused with its "did you mean".
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { callCore, PerfOptimizerError } from "./core.js";
import { readUserFile } from "./files.js";

const DOCS = new URL("../docs/rules/", import.meta.url);

/** The documentation of rule `id` (Markdown), or a PerfOptimizerError naming what is wrong. */
export function ruleDocs(id) {
  if (typeof id !== "string" || id === "") throw new PerfOptimizerError("explain needs a RULE (see `perf-optimizer rules`)");
  // The core's config check knows every rule id and the closest to a typo.
  try {
    callCore("explain", (core) => core.validateConfig(JSON.stringify({ rules: { [id]: "warn" } })));
  } catch (error) {
    // "unknown rule, did you mean `await-in-loop`? (run `perf-optimizer rules` for the list)"
    const reason = String(error.message).replace(/^rules\.[^:]*: /, "");
    throw new PerfOptimizerError(`explain ${/^[\w.-]+$/.test(id) ? id : JSON.stringify(id)}: ${reason}`);
  }
  const path = fileURLToPath(new URL(`${id}.md`, DOCS));
  // An id the core knows is a plain name (letters, digits, dashes): the path stays in docs/rules.
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(path)) throw new PerfOptimizerError(`explain: no documentation for ${id} in this package (docs/rules/${id}.md)`);
  return readUserFile(path, { what: "rule documentation", encoding: "utf8" });
}
