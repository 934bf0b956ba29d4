// The files the CLI writes (--output, --html, --save-baseline, --history):
// never over a file that is not one of ours (a source file, a config, a
// README), and always whole: through a temporary file in the same folder,
// renamed over the target, so a crash leaves the old file or the new one.
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PerfOptimizerError } from "./core.js";
import { readUserFile } from "./files.js";

/** Extensions of files we never write over, whatever they contain. */
const PROTECTED_EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|toml|jsonc|ya?ml|lock|sql|wasm|css|scss|vue|svelte|astro|go|rs|py|sh|env)$/i;

/** The marker `--html` pages carry (html.js writes it). */
export const HTML_MARKER = '<meta name="generator" content="perf-optimizer">';
const MARKDOWN_MARKER = "<!-- perf-optimizer -->";

const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** One line of a `--history` file. */
const isHistoryLine = (v) => isObject(v) && "time" in v && "gzipBytes" in v;

/**
 * Whether `text` is something perf-optimizer wrote: a report in any format,
 * an HTML page, a baseline or a history file (recognized by shape, not name).
 */
export function isOwnOutput(text) {
  if (text.trim() === "") return true;
  if (text.includes(HTML_MARKER) || text.startsWith(MARKDOWN_MARKER)) return true;
  const json = parseJson(text);
  if (isObject(json)) {
    // The JSON report, a baseline, SARIF.
    if (typeof json.version === "number" && isObject(json.summary) && Array.isArray(json.diagnostics)) return true;
    if (typeof json.version === "number" && isObject(json.tool) && isObject(json.totals) && Array.isArray(json.outputs)) return true;
    if (json.runs?.[0]?.tool?.driver?.name === "perf-optimizer") return true;
    return isHistoryLine(json);
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  // History: one JSON object per run.
  if (lines.every((l) => isHistoryLine(parseJson(l)))) return true;
  // The github format: workflow commands, then the summary line.
  if (lines.every((l) => l.startsWith("::") || l.startsWith("perf-optimizer: "))) return true;
  // The pretty format ends with its summary line.
  return /^(?:\u001b\[[\d;]*m)*[✗⚠✓] \d+ errors?, \d+ warnings?, \d+ info in \d+ files?/.test(lines.at(-1) ?? "");
}

/** Larger existing files are not ours (reports and histories stay far below this). */
const MAX_OWN_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Checks before the run that `path` (given to `flag`) may be written: a new
 * file in an existing folder, or a previous perf-optimizer output. Throws a
 * PerfOptimizerError (exit 2) naming the file otherwise.
 */
export function checkOutputPath(path, flag) {
  const refuse = (why) => {
    throw new PerfOptimizerError(`${path}: ${why}; ${flag} only writes new files or files perf-optimizer wrote before`);
  };
  if (PROTECTED_EXTENSIONS.test(path)) refuse(`will not write ${flag} output to a file with a source or config extension`);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if (error.code !== "ENOENT") refuse(`cannot check the file (${error.code})`);
    const dir = dirname(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PerfOptimizerError(`${path}: cannot write ${flag} output: folder ${dir} does not exist`);
    return;
  }
  if (!stat.isFile()) refuse("is not a regular file");
  let text;
  try {
    text = readOwnOutput(path);
  } catch {
    refuse("exists and is not a perf-optimizer output");
  }
  if (!isOwnOutput(text)) refuse("exists and is not a perf-optimizer output");
}

/** Writes `text` to `path` whole: a temporary file in the same folder, then a rename over `path`. */
export function writeOutput(path, text) {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { flag: "wx" });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new PerfOptimizerError(`${path}: cannot write (${error.code ?? error.message})`);
  }
}

/** A previous output's text (checked by checkOutputPath before the run). */
export function readOwnOutput(path) {
  return readUserFile(path, { maxBytes: MAX_OWN_OUTPUT_BYTES, what: "previous output", encoding: "utf8" });
}
