#!/usr/bin/env node
// The `perf-optimizer` command. Only node: built-ins are imported up front so
// that --version and --help never load the wasm core.
import { parseArgs } from "node:util";
import { appendFileSync, existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import nodeModule, { createRequire } from "node:module";

// Node 22.1+ keeps the compiled code of the modules loaded from here on
// (the core's wrapper) in its on-disk cache (the OS's temporary folder; off
// with NODE_DISABLE_COMPILE_CACHE): ~10 ms less for every later run.
nodeModule.enableCompileCache?.();

const USAGE = `Usage: perf-optimizer [command] [options]

Commands:
  check [DIR]          bundle as deployed + source rules + budgets (default);
                       in a Vite project, runs its \`vite build\` and analyzes
                       the Worker's output
  lint [PATH...]       source rules only, on files or folders
  bundle METAFILE      analyze an existing esbuild/wrangler metafile
  rules                list the rules, their category and docs
  explain RULE         print a rule's documentation
  startup [DIR]        check + startup measured in workerd (check --startup)
  profile [DIR]        check + the Worker run locally in workerd under a bounded
                       scenario of requests: per route CPU, wall time,
                       subrequests, connections, D1 queries; heap growth
  why TARGET [DIR]     import chains from the entry to a package or file
  help                 print this help

Options:
  --format FORMAT      pretty (default), json, sarif, markdown or github
  --output FILE        write the report to FILE instead of stdout
  --config FILE        config file (default: perf-optimizer.config.json(c)/.mjs,
                       or "perfOptimizer" in package.json)
  --entry FILE         entry point when there is no wrangler config (check, why);
                       bundled with esbuild and wrangler's settings
  --no-build           do not run the wrangler config's [build] command (which
                       wrangler's dry run runs, printed first); bundle main as
                       it is on disk with esbuild (check, why). In a Vite
                       project (vite.config with @cloudflare/vite-plugin):
                       do not run \`vite build\`, analyze its last output (check)
  --compare-esbuild    in a Vite project, also bundle the Worker's entry with
                       esbuild and wrangler's settings: the packages and files
                       each build has, and why a package's bytes differ by
                       more than 5% (comments, indentation, modules), measured
                       in both outputs (check)
  --all-files          lint every file, not only what the Worker runs (lint)
  --root DIR           folder the metafile's paths are relative to (bundle)
  --startup            measure startup in workerd (wrangler check startup) and
                       attribute it to packages and modules (check)
  --runs N             startup runs, the median is reported (default 5)
  --request "M /path"  a request of the profile's scenario (repeatable; default:
                       the config's profile.requests, else GET / and the
                       parameter-free GET routes read from the source)
  --requests N         requests in all, spread over the scenario by weight
                       (profile; default 100, at most 10000)
  --concurrency C      requests in flight at once (profile; default 1, max 64)
  --max-seconds S      the profile run's time cap (default 60, max 600)
  --allow-network      let the Worker's outbound fetches reach the network
                       (profile; by default a local stub answers them)
  --profile-dir DIR    keep the raw .cpuprofile of each startup run
  --baseline FILE      compare with a saved baseline
  --save-baseline FILE save this run as a baseline
  --history FILE       append one JSON line per run
  --html FILE          write a self-contained HTML report
  --max-file-size MIB  skip (and report) source files larger than this, in
                       MiB or with a unit ("512 KiB"); default: the
                       config's maxFileSize, else 4
  --threads N          threads that analyze the files (default: the config's
                       threads, else the machine's parallelism; one for a
                       small project)
  --no-cache           do not read or write the cache of each file's
                       analysis (node_modules/.cache/perf-optimizer)
  --no-color           no colours (also NO_COLOR=1)
  --quiet              only errors
  -v, --version        print the version
  -h, --help           print this help

Exit codes: 0 ok; 1 an error-severity finding or a budget exceeded;
2 bad usage, bad config, unreadable input, a build that fails or (startup)
a Worker that throws while its modules initialize.`;

const OPTIONS = {
  format: { type: "string" },
  output: { type: "string" },
  config: { type: "string" },
  entry: { type: "string" },
  "all-files": { type: "boolean" },
  root: { type: "string" },
  baseline: { type: "string" },
  startup: { type: "boolean" },
  runs: { type: "string" },
  request: { type: "string", multiple: true },
  requests: { type: "string" },
  concurrency: { type: "string" },
  "max-seconds": { type: "string" },
  "allow-network": { type: "boolean" },
  "profile-dir": { type: "string" },
  "save-baseline": { type: "string" },
  history: { type: "string" },
  html: { type: "string" },
  "max-file-size": { type: "string" },
  threads: { type: "string" },
  "no-cache": { type: "boolean" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" },
  "no-build": { type: "boolean" },
  "compare-esbuild": { type: "boolean" },
  quiet: { type: "boolean" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
};
const COMMANDS = new Set(["check", "lint", "bundle", "rules", "explain", "startup", "profile", "why"]);
const FORMATS = new Set(["pretty", "json", "sarif", "markdown", "github"]);

/** The edit distance between two short words (a swap of two neighbours counts one). */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word`, if it is close enough to be a typo. */
function closest(word, candidates) {
  const lower = word.toLowerCase();
  const extended = candidates.filter((c) => c.startsWith(lower));
  if (extended.length === 1) return extended[0];
  const [best] = candidates.map((c) => [c, distance(lower, c)]).sort((x, y) => x[1] - y[1]);
  return best && best[1] <= Math.ceil(best[0].length / 3) ? best[0] : undefined;
}

/** parseArgs' error as one plain sentence, with the option it may have meant. */
function optionError(error) {
  const name = /'(-[^' ]+)/.exec(error.message)?.[1] ?? "";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const known = Object.entries(OPTIONS).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
    const suggestion = name.startsWith("--") ? closest(name, known) : undefined;
    return `unknown option '${name}'${suggestion ? `, did you mean '${suggestion}'?` : ""} (see --help)`;
  }
  if (/argument missing/.test(error.message)) return `${name} needs a value (see --help)`;
  if (/does not take an argument/.test(error.message)) return `${name} takes no value (see --help)`;
  return `${error.message.split("\n")[0]} (see --help)`;
}

/** Ends the run with exit 2 and a one-line message (see outcome.js). */
async function fail(messageOrError) {
  const { printFailure } = await import("./outcome.js");
  process.exitCode = printFailure(messageOrError);
  // Work the user's code left pending (a config module still waiting on a
  // timer) must not hold the process open after the failure is reported.
  if (messageOrError?.abandonsPendingWork) process.exit();
}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return fail(optionError(error));
  }
  const { values, positionals } = parsed;
  if (values.version) {
    const { version } = await import("./version.js");
    process.stdout.write(`${version}\n`);
    return;
  }
  if (values.help || positionals[0] === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // A word that is neither a command nor a path is a mistyped command, not a folder.
  if (positionals.length > 0 && !COMMANDS.has(positionals[0]) && /^[a-z][a-z-]*$/i.test(positionals[0]) && !existsSync(positionals[0])) {
    const suggestion = closest(positionals[0], [...COMMANDS, "help"]);
    const what = suggestion ? `unknown command '${positionals[0]}', did you mean '${suggestion}'?` : `'${positionals[0]}' is neither a command nor a folder`;
    return fail(`${what} (commands: ${[...COMMANDS].join(", ")}; see --help)`);
  }
  let command = COMMANDS.has(positionals[0]) ? positionals.shift() : "check";
  if (command === "startup") {
    command = "check";
    values.startup = true;
  }
  if ((values.runs !== undefined || values["profile-dir"] !== undefined) && !values.startup) return fail("--runs and --profile-dir need --startup");
  const profileFlags = ["request", "requests", "concurrency", "max-seconds", "allow-network"].filter((f) => values[f] !== undefined);
  if (profileFlags.length && command !== "profile") return fail(`--${profileFlags[0]} is an option of profile (perf-optimizer profile [DIR])`);
  const wholeFlag = (flag, max) => {
    if (values[flag] === undefined) return undefined;
    const n = Number(values[flag]);
    return /^\d+$/.test(values[flag].trim()) && n >= 1 && n <= max ? n : null;
  };
  const profileCounts = { count: wholeFlag("requests", 10_000), concurrency: wholeFlag("concurrency", 64), maxSeconds: wholeFlag("max-seconds", 600) };
  for (const [flag, key, max] of [["requests", "count", 10_000], ["concurrency", "concurrency", 64], ["max-seconds", "maxSeconds", 600]]) {
    if (profileCounts[key] === null) return fail(`--${flag} takes a whole number from 1 to ${max}, got '${values[flag]}'`);
  }
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1 && runs <= 50)) return fail(`--runs takes a whole number from 1 to 50, got '${values.runs}'`);
  const maxFileBytes = values["max-file-size"] === undefined ? undefined : await sizeFlag(values["max-file-size"]);
  if (maxFileBytes === null) return fail(`--max-file-size takes a size in MiB from 0 to 1024, or with its unit as in the config ("512 KiB"), got '${values["max-file-size"]}'`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 256)) return fail(`--threads takes a whole number from 1 to 256, got '${values.threads}'`);
  const run = { threads, cache: values["no-cache"] ? false : undefined };
  const format = values.format ?? "pretty";
  if (!FORMATS.has(format)) return fail(`unknown format '${format}' (expected pretty, json, sarif, markdown or github)`);
  const { useColor } = await import("./outcome.js");
  const color = useColor(process.stdout, { color: values["no-color"] ? false : undefined, force: values.color, output: values.output });

  const api = await import("./index.js");
  (await import("./core.js")).allowCompilerTuning();
  outputs = await import("./outputs.js");
  try {
    // Before the run: a refused output path should not cost a build.
    for (const flag of ["output", "html", "save-baseline", "history"]) {
      if (values[flag] !== undefined) outputs.checkOutputPath(values[flag], `--${flag}`);
    }
    if (command === "rules") return printRules(api, format, values);
    if (command === "explain") return await printExplain(format, values, positionals);
    if (command === "why") return await printWhy(api, format, values, positionals);
    let report;
    if (command === "profile") {
      if (positionals.length > 1) return fail(`profile takes one folder, got ${positionals.length}`);
      const { parseRequestFlag, PROFILE_CAVEAT } = await import("./profile.js");
      const requests = values.request?.map(parseRequestFlag);
      report = await api.profile(positionals[0] ?? ".", { config: values.config, baseline: values.baseline, maxFileBytes, requests, ...profileCounts, allowNetwork: values["allow-network"], ...bundling(values) });
      if (!values.quiet) process.stderr.write(`perf-optimizer: note: ${PROFILE_CAVEAT}\n`);
    } else if (command === "check") {
      if (positionals.length > 1) return fail(`check takes one folder, got ${positionals.length}`);
      const startup = values.startup ? { startup: true, runs, profileDir: values["profile-dir"] } : {};
      report = await api.check(positionals[0] ?? ".", { config: values.config, entry: values.entry, baseline: values.baseline, maxFileBytes, compareEsbuild: values["compare-esbuild"], ...run, ...bundling(values), ...startup });
      if (report.startup && !values.quiet) process.stderr.write(`perf-optimizer: note: ${(await import("./startup.js")).STARTUP_CAVEAT}\n`);
    } else if (command === "lint") {
      report = await api.lint(positionals.length ? positionals : ["."], { config: values.config, baseline: values.baseline, allFiles: values["all-files"], maxFileBytes, ...run });
      if (report.summary.files === 0) {
        emit(api.render(report, format, { color, quiet: values.quiet }), values);
        return fail(report.diagnostics.length ? "no file could be analyzed" : "no source files found");
      }
    } else {
      if (positionals.length !== 1) return fail("bundle needs exactly one METAFILE");
      report = await api.analyzeMetafile(positionals[0], { config: values.config, root: values.root, baseline: values.baseline, maxFileBytes, ...run });
    }
    const renderOptions = { color, quiet: values.quiet, projectFile: await projectFile(command, positionals) };
    emit(api.render(report, format, renderOptions), values);
    if (format === "github" && process.env.GITHUB_STEP_SUMMARY) {
      appendFileSync(process.env.GITHUB_STEP_SUMMARY, api.render(report, "markdown", renderOptions));
    }
    if (values["save-baseline"]) outputs.writeOutput(values["save-baseline"], api.baselineFromReport(report));
    let history;
    if (values.history) {
      // Rewritten whole (not appended): a crash never leaves half a line.
      const before = existsSync(values.history) ? outputs.readOwnOutput(values.history) : "";
      history = `${before}${before && !before.endsWith("\n") ? "\n" : ""}${api.historyLine(report, { commit: gitCommit() })}`;
      outputs.writeOutput(values.history, history);
    }
    // The history already has this run's line: the trend ends with it.
    if (values.html) outputs.writeOutput(values.html, api.renderHtml(report, { history }));
    process.exitCode = api.exitCode(report);
    (await import("./core.js")).keepCompiledCode();
  } catch (error) {
    if (error?.name !== "PerfOptimizerError" && process.env.PERF_OPTIMIZER_DEBUG) console.error(error);
    return fail(error);
  }
}

/** How check and why bundle: --no-build, and what is about to run said on stderr. */
/**
 * `--max-file-size`: a number of MiB, or a size with its unit read as the
 * config's `maxFileSize` is (by the core: one parser); bytes, or null.
 */
async function sizeFlag(text) {
  if (/^\s*[\d.]+\s*$/.test(text)) {
    const mib = Number(text);
    return mib > 0 && mib <= 1024 ? Math.round(mib * 1024 * 1024) : null;
  }
  const { callCore } = await import("./core.js");
  try {
    return callCore("--max-file-size", (core) => JSON.parse(core.validateConfig(JSON.stringify({ maxFileSize: text }))).maxFileSize) ?? null;
  } catch {
    return null;
  }
}

function bundling(values) {
  return { build: !values["no-build"], quiet: Boolean(values.quiet), log: values.quiet ? undefined : (text) => process.stderr.write(`perf-optimizer: ${text}\n`) };
}

/** The current git commit, if the cwd is in a repository. */
function gitCommit() {
  // Required here: node:child_process (and the streams it loads) would cost every run ~9 ms to load.
  const { spawnSync } = createRequire(import.meta.url)("node:child_process");
  const r = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Where SARIF points project-level findings: the wrangler config (here or above, as check finds it) when there is one. */
async function projectFile(command, positionals) {
  const dir = command === "check" || command === "profile" ? positionals[0] ?? "." : ".";
  const { findProjectDir, findWranglerConfig } = await import("./project.js");
  const projectDir = findProjectDir(dir);
  const found = projectDir ? findWranglerConfig(projectDir) : [join(dir, "package.json")].find((p) => existsSync(p));
  return found ? relative(process.cwd(), found).split(sep).join("/") : undefined;
}

/** outputs.js, loaded by main() before any output is written. */
let outputs;

function emit(text, values) {
  if (values.output) outputs.writeOutput(values.output, text);
  else process.stdout.write(text);
}

async function printWhy(api, format, values, positionals) {
  if (positionals.length < 1 || positionals.length > 2) return fail("why needs a TARGET (a package or file) and an optional DIR");
  if (format !== "pretty" && format !== "json") return fail(`why prints pretty or json, not ${format}`);
  const [target, dir = "."] = positionals;
  const chains = await api.why(target, dir, { entry: values.entry, ...bundling(values) });
  if (format === "json") {
    emit(JSON.stringify(chains, null, 2) + "\n", values);
    // As in text: not found is exit 1.
    if (chains.length === 0) process.exitCode = 1;
    return;
  }
  if (chains.length === 0) {
    emit(`${target} is not in the bundle.\n`, values);
    process.exitCode = 1;
    return;
  }
  const lines = chains.map((c, i) => `${i + 1}. ${c.join("\n   → ")}`);
  emit(`${target} is in the bundle through ${chains.length} import chain${chains.length === 1 ? "" : "s"} (shortest first):\n\n${lines.join("\n\n")}\n`, values);
}

async function printExplain(format, values, positionals) {
  if (positionals.length !== 1) return fail("explain needs exactly one RULE (see `perf-optimizer rules`)");
  if (format !== "pretty" && format !== "markdown") return fail(`explain prints the rule's Markdown, not ${format}`);
  const { ruleDocs } = await import("./explain.js");
  emit(ruleDocs(positionals[0]), values);
}

function printRules(api, format, values) {
  if (format !== "pretty" && format !== "json") return fail(`rules prints pretty or json, not ${format}`);
  const rules = api.rules();
  if (format === "json") return emit(JSON.stringify(rules, null, 2) + "\n", values);
  const width = Math.max(...rules.map((r) => r.id.length));
  const lines = rules.map((r) => `${r.id.padEnd(width)}  ${r.category.padEnd(10)}  ${r.severity.padEnd(7)}  ${r.summary}`);
  emit(lines.join("\n") + "\n", values);
}

await main(process.argv.slice(2));
