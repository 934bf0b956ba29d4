// The strings quoted after `import`, `from` or `require(` in a file's text:
// one pass of one regular expression, kept as a fact with the cache's file
// memo (files.js `textFact`), read two ways: every such string, for the
// guess of the files the Worker's entries reach (analyze.js), and the bare
// ones in plain quotes, for the installed packages the imports load
// (installed.js). A prefilter both ways: the core decides what a file
// imports.
import { factName, isStringList, textFact } from "./files.js";

const QUOTED = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'`])([^"'`\s]+)\1/g;
/** A string quoted with backticks is kept with a leading backtick (none can be inside one). */
const BACKTICK = "`";
const QUOTED_FACT = factName("quoted-specifiers", QUOTED);

/** QUOTED's strings of `source` (bytes or text), each once, in order, those in backticks marked. */
function quotedStrings(source) {
  const text = typeof source === "string" ? source : source.toString("utf8");
  return [...new Set(Array.from(text.matchAll(QUOTED), (match) => (match[1] === BACKTICK ? BACKTICK + match[2] : match[2])))];
}

const quotedOf = (file) => textFact(file, QUOTED_FACT, quotedStrings, isStringList);

/** Every string quoted after `import`, `from` or `require(` in `file`'s text. */
export const quotedSpecifiers = (file) => quotedOf(file).map((s) => (s.startsWith(BACKTICK) ? s.slice(1) : s));

/** The bare specifiers among them in plain quotes (not `./`, `../` or `/` paths, not templates). */
export const bareSpecifiers = (file) => quotedOf(file).filter((s) => !s.startsWith(BACKTICK) && !s.startsWith(".") && !s.startsWith("/"));
