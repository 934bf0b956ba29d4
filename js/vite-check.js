// `perf-optimizer check` on a Vite project: a Vite config that uses
// @cloudflare/vite-plugin. check runs the project's own `vite build` (its
// installed vite, never a global one; js/vite-build.js), with a plugin that
// records each Worker environment's build, then finds the Worker's output
// the way `wrangler deploy` does after a Vite build (.wrangler/deploy/
// config.json → the wrangler.json @cloudflare/vite-plugin writes into the
// Worker's output folder) and analyzes it with the Vite plugin's own code
// (vite.js, analyzeWorkerBuild). `--no-build` reuses the last build's output.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { failureLines, plainEnv } from "./buildlog.js";
import { projectWrangler } from "./bundle.js";
import { loadConfig } from "./config.js";
import { PerfOptimizerError } from "./core.js";
import { displayPath, readUserFile } from "./files.js";
import { cachingLine, findProjectDir } from "./project.js";
import { profileStartup } from "./startup.js";
import { analyzeWorkerBuild, CHECK_ENV, readBuildRecord, workerProject } from "./vite.js";

/** The names Vite looks for its config under, in its order. */
export const VITE_CONFIG_NAMES = ["vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.cjs", "vite.config.mts", "vite.config.cts"];

/** @cloudflare/vite-plugin's record of the last build's Workers, under Vite's root. */
const DEPLOY_CONFIG = join(".wrangler", "deploy", "config.json");

/**
 * The Vite project in `dir` (or in the project folder above it, where its
 * wrangler config is): `{ dir, configFile }` when its Vite config imports
 * @cloudflare/vite-plugin, else null.
 */
export function findViteProject(dir) {
  const start = resolve(dir);
  const projectDir = findProjectDir(start);
  for (const folder of projectDir && projectDir !== start ? [start, projectDir] : [start]) {
    const configFile = VITE_CONFIG_NAMES.map((name) => join(folder, name)).find((path) => existsSync(path));
    if (!configFile) continue;
    let text = "";
    try {
      text = readUserFile(configFile, { what: "Vite config", encoding: "utf8" });
    } catch {
      // not a regular file, or too large: not taken for a Vite Worker
    }
    return text.includes("@cloudflare/vite-plugin") ? { dir: folder, configFile } : null;
  }
  return null;
}

/** The project's vite: `{ entry, version }` (its package entry, from the project's node_modules), or null. */
function projectVite(dir) {
  try {
    const require = createRequire(join(dir, "package.json"));
    const manifest = require.resolve("vite/package.json");
    return { entry: require.resolve("vite"), version: JSON.parse(readFileSync(manifest, "utf8")).version };
  } catch {
    return null;
  }
}

/** Vite's (or Rolldown's) error message on one line: no escape codes, no code frame's rules, at most 600 characters. */
const oneLine = (message) =>
  stripVTControlCharacters(message)
    .split("\n")
    .map((l) => l.replace(/[│╭╰─┬┴]+/g, " ").trim())
    .filter(Boolean)
    .slice(0, 4)
    .join(" ")
    .replace(/\s+/g, " ")
    .slice(0, 600);

/**
 * Runs the project's `vite build` (js/vite-build.js), its log on stderr
 * (unless `quiet`). Returns Vite's resolved root. A failed build is a
 * PerfOptimizerError naming the config and what Vite said.
 */
function runViteBuild(project, { log, quiet, sourcemap }) {
  const config = displayPath(project.configFile);
  const vite = projectVite(project.dir);
  if (!vite) throw new PerfOptimizerError(`${displayPath(project.configFile)}: uses @cloudflare/vite-plugin, but vite is not installed in the project (npm install); or analyze an earlier build with --no-build`);
  log?.(`${config} uses @cloudflare/vite-plugin: running the project's vite build (vite ${vite.version}${sourcemap ? ", with hidden source maps for --startup" : ""}); --no-build analyzes the last build instead`);
  const scratch = mkdtempSync(join(tmpdir(), "perf-optimizer-vite-"));
  try {
    const resultFile = join(scratch, "result.json");
    const args = [fileURLToPath(new URL("./vite-build.js", import.meta.url)), vite.entry, project.configFile, resultFile, ...(sourcemap ? ["--sourcemap"] : [])];
    const result = spawnSync(process.execPath, args, {
      cwd: project.dir,
      encoding: "utf8",
      env: { ...plainEnv({ ...process.env, WRANGLER_SEND_METRICS: "false" }), [CHECK_ENV]: "1" },
      stdio: ["ignore", quiet ? "pipe" : process.stderr.fd ?? 2, quiet ? "pipe" : process.stderr.fd ?? 2],
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    let outcome = null;
    try {
      outcome = JSON.parse(readFileSync(resultFile, "utf8"));
    } catch {
      // the child died before it could say
    }
    if (result.status === 0 && outcome?.ok) return outcome.root ?? project.dir;
    const said = outcome?.message
      ? `${outcome.where ? `${displayPath(outcome.where)}: ` : ""}${oneLine(outcome.message)}`
      : failureLines(`${result.stderr ?? ""}\n${result.stdout ?? ""}`).join(" ") || (result.error ? result.error.message : `exit ${result.status}`);
    throw new PerfOptimizerError(`vite build failed (${displayPath(project.configFile)}): ${said}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The Workers of the last Vite build under `root`, as @cloudflare/vite-plugin
 * recorded them for `wrangler deploy`: `[{ outputConfigPath, outputConfig,
 * outDir, main }]`, the entry Worker first.
 */
export function workerOutputs(root, configFile) {
  const deployConfigPath = join(root, DEPLOY_CONFIG);
  const hint = `has ${basename(configFile)} been built (\`vite build\`, or perf-optimizer check without --no-build)?`;
  if (!existsSync(deployConfigPath)) {
    throw new PerfOptimizerError(`${displayPath(root) || "."}: no Worker output to analyze: ${displayPath(deployConfigPath)}, which @cloudflare/vite-plugin writes after a build, is missing (${hint})`);
  }
  let deployConfig;
  try {
    deployConfig = JSON.parse(readUserFile(deployConfigPath, { encoding: "utf8" }));
  } catch (error) {
    throw new PerfOptimizerError(`${displayPath(deployConfigPath)}: unreadable (${error.message})`);
  }
  const paths = [deployConfig?.configPath, ...(deployConfig?.auxiliaryWorkers ?? []).map((w) => w?.configPath)].filter((p) => typeof p === "string");
  const workers = [];
  for (const path of paths) {
    const outputConfigPath = resolve(dirname(deployConfigPath), path);
    if (!existsSync(outputConfigPath)) {
      throw new PerfOptimizerError(`${displayPath(outputConfigPath)}: missing, though ${displayPath(deployConfigPath)} names it as a Worker's output (${hint})`);
    }
    let outputConfig;
    try {
      outputConfig = JSON.parse(readUserFile(outputConfigPath, { encoding: "utf8" }));
    } catch (error) {
      throw new PerfOptimizerError(`${displayPath(outputConfigPath)}: unreadable (${error.message})`);
    }
    // An assets-only project's config (the client's output) has no main: no Worker.
    if (typeof outputConfig?.main !== "string") continue;
    workers.push({ outputConfigPath, outputConfig, outDir: dirname(outputConfigPath), main: resolve(dirname(outputConfigPath), outputConfig.main) });
  }
  if (workers.length === 0) {
    throw new PerfOptimizerError(`${displayPath(root) || "."}: the Vite build has no Worker environment to analyze (${displayPath(deployConfigPath)} names only static assets)`);
  }
  return workers;
}

/**
 * `check` on a Vite project (findViteProject): the project's `vite build`
 * (unless `build: false`), then the entry Worker's output analyzed as the
 * Vite plugin analyzes it; `startup: true` measures that output in workerd.
 */
export async function checkVite(project, options = {}) {
  const { config, json } = await loadConfig(project.dir, options.config);
  const startup = Boolean(options.startup);
  if (startup && !projectWrangler(project.dir)) {
    throw new PerfOptimizerError(`${displayPath(project.dir) || "."}: cannot measure startup: wrangler is not installed in the project (npm install -D wrangler); \`wrangler check startup\` runs the Worker in workerd`);
  }
  const root = options.build === false ? project.dir : runViteBuild(project, { log: options.log, quiet: options.quiet, sourcemap: startup });
  const [worker, ...others] = workerOutputs(root, project.configFile);
  const { build, problem } = readBuildRecord(root, worker.outDir);
  if (!build) throw new PerfOptimizerError(`${displayPath(worker.main)}: cannot analyze this output: ${problem}; run perf-optimizer check without --no-build`);
  const profile = startup ? startupOf(root, worker, build, options) : undefined;
  const report = await analyzeWorkerBuild(build, {
    threads: options.threads ?? config.threads,
    cache: options.cache,
    configJson: json,
    maxFileBytes: options.maxFileBytes ?? config.maxFileSize,
    label: displayPath(worker.main),
    baseline: options.baseline,
    startup: profile,
    ignore: config.ignore ?? [],
  });
  if (options.compareEsbuild) {
    const { compareWithEsbuild, comparisonNotes } = await import("./compare.js");
    const comparison = await compareWithEsbuild(build, workerProject(build.outputConfig, root));
    report.notes = [...(report.notes ?? []), ...comparisonNotes(comparison)];
  }
  const workerConfig = workerProject(build.outputConfig, root);
  if (workerConfig?.configPath) report.notes = [...(report.notes ?? []), cachingLine(workerConfig, report)];
  if (others.length) {
    report.notes = [...(report.notes ?? []), `Only the entry Worker (${displayPath(worker.outDir)}) was analyzed; the build has ${others.length} more: ${others.map((w) => displayPath(w.outDir)).join(", ")}`];
  }
  return report;
}

/**
 * Startup of the Worker's output in workerd: wrangler's dry run of the
 * output's wrangler.json (no bundling: @cloudflare/vite-plugin sets
 * `no_bundle`) writes the upload bundle `wrangler check startup` runs;
 * the profiles are attributed through the output's source maps.
 */
function startupOf(root, worker, build, options) {
  const wrangler = projectWrangler(root);
  const outdir = mkdtempSync(join(tmpdir(), "perf-optimizer-startup-"));
  try {
    const workerBundle = join(outdir, "worker.bundle");
    const result = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--config", worker.outputConfigPath, "--outfile", workerBundle], {
      cwd: root,
      encoding: "utf8",
      env: plainEnv({ ...process.env, WRANGLER_SEND_METRICS: "false" }),
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0 || !existsSync(workerBundle)) {
      const why = failureLines(`${result.stderr ?? ""}\n${result.stdout ?? ""}`).join(" ");
      throw new PerfOptimizerError(`cannot measure startup: wrangler's dry run of ${displayPath(worker.outputConfigPath)} failed${why ? `: ${why}` : ` (exit ${result.status})`}`);
    }
    if (!existsSync(`${worker.main}.map`)) {
      throw new PerfOptimizerError(`cannot measure startup: ${displayPath(worker.main)} has no source map (${displayPath(`${worker.main}.map`)}); run check --startup without --no-build (it builds with hidden source maps), or set build.sourcemap for the Worker's environment`);
    }
    const project = { dir: root, configPath: worker.outputConfigPath };
    const bundle = { outdir, workingDir: root, wrangler, workerBundle };
    return profileStartup(project, bundle, build.metafile, { runs: options.runs, profileDir: options.profileDir });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
