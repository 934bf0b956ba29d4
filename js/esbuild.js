// The esbuild plugin: turns on the metafile, analyzes the bundle and its
// first-party sources when the build ends, and reports findings as esbuild
// messages, printed in esbuild's format. A finding of error severity or a
// budget exceeded is an esbuild error: the build fails.
import { relative, resolve, sep } from "node:path";
import { analyzeBuild } from "./analyze.js";
import { MAX_FILE_BYTES, readUserFile } from "./files.js";
import { configFiles, loadConfig } from "./config.js";
import { render } from "./index.js";
import { budgetText, failedBudgets, useColor } from "./outcome.js";

const NAME = "perf-optimizer";

/** esbuild's location: 1-based line, 0-based column in bytes. */
function location(diagnostic, workingDir, readLine) {
  if (!diagnostic.file || !diagnostic.line) return null;
  const lineText = readLine(resolve(process.cwd(), diagnostic.file), diagnostic.line);
  // The report's column counts UTF-16 units; esbuild's counts bytes.
  const prefix = lineText.slice(0, Math.max(0, (diagnostic.column ?? 1) - 1));
  const column = Buffer.byteLength(prefix);
  const sameLine = diagnostic.endLine === diagnostic.line && diagnostic.endColumn;
  const length = sameLine ? Buffer.byteLength(lineText.slice((diagnostic.column ?? 1) - 1, diagnostic.endColumn - 1)) : 0;
  // esbuild paths are relative to its working directory.
  const file = relative(workingDir, resolve(process.cwd(), diagnostic.file)).split(sep).join("/");
  return { file, namespace: "file", line: diagnostic.line, column, length, lineText, suggestion: "" };
}

function lineReader() {
  const cache = new Map();
  return (path, line) => {
    if (!cache.has(path)) {
      try {
        cache.set(path, readUserFile(path, { maxBytes: MAX_FILE_BYTES, encoding: "utf8" }).split(/\r\n|[\n\r\u2028\u2029]/));
      } catch {
        cache.set(path, []);
      }
    }
    return cache.get(path)[line - 1] ?? "";
  };
}

/** Turns a report into esbuild `{ errors, warnings }` (info findings are neither). */
export function toEsbuildMessages(report, workingDir = process.cwd()) {
  const readLine = lineReader();
  const errors = [];
  const warnings = [];
  for (const d of report.diagnostics) {
    // Info findings are not esbuild warnings: they are in the report (onReport)
    // and the summary printed at logLevel "info".
    if (d.severity === "info") continue;
    const message = {
      id: d.rule,
      pluginName: NAME,
      text: `${d.message} [${d.rule}]`,
      location: location(d, workingDir, readLine),
      notes: [d.help, d.docs].filter(Boolean).map((text) => ({ text })),
      detail: d,
    };
    (d.severity === "error" ? errors : warnings).push(message);
  }
  for (const b of failedBudgets(report)) {
    errors.push({
      id: "budget-exceeded",
      pluginName: NAME,
      text: budgetText(b),
      location: null,
      notes: [],
      detail: b,
    });
  }
  return { errors, warnings };
}

/** Prints messages the way esbuild does, honouring its log level and colour. */
async function print(build, { errors, warnings }, logLevel) {
  const color = useColor(process.stderr, { color: build.initialOptions.color });
  const show = [];
  if (logLevel !== "silent") show.push(["error", errors]);
  if (!["silent", "error"].includes(logLevel)) show.push(["warning", warnings]);
  for (const [kind, list] of show) {
    if (list.length === 0) continue;
    const text = await build.esbuild.formatMessages(list, { kind, color });
    process.stderr.write(text.join(""));
  }
}

/**
 * Hands the messages to esbuild the same way under build() and context(),
 * whichever of the two runs the plugin (esbuild does not tell a plugin):
 * the plugin prints them itself, in esbuild's format; the warnings join
 * `result.warnings` (on-end callbacks may modify the result, and esbuild
 * logs no such addition in either mode); the errors are returned, the only
 * way to fail the build, so they are in `result.errors` or the rejection's
 * `errors` in both modes. esbuild logs returned messages only on a
 * context's rebuilds (its build() runs on-end callbacks after it has
 * logged), so there an error shows twice; printing them only in one mode
 * would need to know the mode.
 */
async function handOver(build, result, messages, logLevel) {
  await print(build, messages, logLevel);
  result.warnings.push(...messages.warnings);
  return messages.errors.length ? { errors: messages.errors } : undefined;
}

/** The entry points' paths as given to esbuild (strings, `{ in }` objects or an `{ out: in }` map). */
function entryPaths(entryPoints) {
  if (Array.isArray(entryPoints)) return entryPoints.map((e) => (typeof e === "string" ? e : e?.in)).filter((e) => typeof e === "string");
  if (entryPoints && typeof entryPoints === "object") return Object.values(entryPoints).filter((e) => typeof e === "string");
  return [];
}

/** An esbuild (Go) regular expression matching exactly `paths`, with or without the `./` esbuild puts before a relative entry. */
const exactly = (paths) => new RegExp(`^(?:\\./)?(?:${paths.map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")).join("|")})$`);

/**
 * Watch mode sees the config: resolving an entry point hands esbuild the
 * config files (those that exist and those that could appear) as
 * `watchFiles`, so an edit to one triggers a rebuild, whose onEnd loads the
 * config afresh. The callback matches only the entry points' own paths: a
 * catch-all filter would send every import of the build through JS.
 */
function watchConfigFiles(build, files) {
  const entries = entryPaths(build.initialOptions.entryPoints);
  if (entries.length === 0) return;
  build.onResolve({ filter: exactly(entries) }, (args) => (args.kind === "entry-point" ? { watchFiles: files } : undefined));
}

/**
 * The esbuild plugin.
 * @param {import("./esbuild.js").PerfOptimizerPluginOptions} [options]
 */
export default function perfOptimizer(options = {}) {
  return {
    name: NAME,
    setup(build) {
      build.initialOptions.metafile = true;
      const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
      const logLevel = build.initialOptions.logLevel ?? "warning";
      const configDir = resolve(options.configDir ?? workingDir);
      const configPath = options.config && resolve(options.config);
      watchConfigFiles(build, configFiles(configDir, configPath));
      build.onEnd(async (result) => {
        if (result.errors.length > 0 || !result.metafile) return;
        try {
          const { config, json } = await loadConfig(configDir, configPath);
          // In watch and serve mode, each rebuild walks only the files
          // that changed: the others' walks are in the cache.
          const report = await analyzeBuild({
            threads: options.threads ?? config.threads,
            cache: options.cache,
            metafileText: JSON.stringify(result.metafile),
            workingDir,
            outputFiles: result.outputFiles,
            configJson: json,
            maxFileBytes: config.maxFileSize,
            lint: options.lint ?? true,
            label: "the esbuild build",
          });
          options.onReport?.(report);
          if (["info", "debug", "verbose"].includes(logLevel)) {
            const color = useColor(process.stderr, { color: build.initialOptions.color });
            const summary = render({ ...report, diagnostics: [] }, "pretty", { color, quiet: false });
            process.stderr.write(`\n[perf-optimizer]\n${summary}`);
          }
          return await handOver(build, result, toEsbuildMessages(report, workingDir), logLevel);
        } catch (error) {
          return await handOver(build, result, { errors: [{ pluginName: NAME, text: error.message, location: null, notes: [] }], warnings: [] }, logLevel);
        }
      });
    },
  };
}

export { perfOptimizer };
