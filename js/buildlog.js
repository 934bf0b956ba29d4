// What a failed build said, passed on as the tool said it: each esbuild error
// with its own file:line:column and text (wrangler prints esbuild's messages),
// never the entry's name in their place, and never a terminal escape code.
import { stripVTControlCharacters } from "node:util";

/** Errors quoted in one failure message; the rest are counted. */
const MAX_ERRORS = 5;

/** A child process's environment that asks every tool for plain text. */
export const plainEnv = (env = process.env) => ({ ...env, NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" });

/** One message line in esbuild's log format: `✘ [ERROR] text` (or `X [ERROR]`, `▲ [WARNING]`). */
const MARKER = /^\s*(?:\S+\s+)?\[(ERROR|WARNING)\]\s+(.*)$/;
/** esbuild's location line below a message: `    src/a.ts:2:12:` (line 1-based, column 0-based). */
const LOCATION = /^\s+(\S(?:.*\S)?):(\d+):(\d+):\s*$/;
/** wrangler's summary before the list, which says nothing of its own. */
const SUMMARY = /^Build failed with \d+ errors?:?$/;

/**
 * The esbuild errors in a log esbuild formatted (wrangler's output): `{ text,
 * file, line, column }` each, `file` null when the message has no location.
 */
export function esbuildErrors(log) {
  const lines = stripVTControlCharacters(log).split(/\r?\n/);
  const errors = [];
  let current = null;
  for (const line of lines) {
    const marker = MARKER.exec(line);
    if (marker) {
      current = null;
      if (marker[1] !== "ERROR" || SUMMARY.test(marker[2].trim())) continue;
      current = { text: marker[2].trim(), file: null, line: null, column: null };
      errors.push(current);
      continue;
    }
    const location = current && current.file === null ? LOCATION.exec(line) : null;
    if (location) Object.assign(current, { file: location[1], line: Number(location[2]), column: Number(location[3]) });
  }
  return errors;
}

/** `file:line:column: text`, esbuild's way of naming a place (its column is 0-based). */
export const errorLine = (e) => (e.file ? `${e.file}:${e.line}:${e.column}: ${e.text}` : e.text);

/**
 * The errors of a failed build as lines for a failure message, at most
 * MAX_ERRORS of them, then how many more there were.
 */
export function errorLines(errors) {
  const lines = errors.slice(0, MAX_ERRORS).map(errorLine);
  if (errors.length > MAX_ERRORS) lines.push(`… and ${errors.length - MAX_ERRORS} more`);
  return lines;
}

/**
 * What a failed tool said, for a one-paragraph message: its esbuild errors
 * when it printed some, else its lines that read as errors (at most three),
 * without escape codes; "" when it said nothing of use.
 */
export function failureLines(log) {
  const errors = esbuildErrors(log);
  if (errors.length > 0) return errorLines(errors);
  return stripVTControlCharacters(log)
    .split(/\r?\n/)
    .filter((l) => /error|✘|exceeded/i.test(l))
    .slice(0, 3)
    .map((l) => l.replace(/\s+/g, " ").trim().slice(0, 400));
}
