// Startup measurement: runs `wrangler check startup` (workerd, locally) on
// the bundle the deploy dry run produced, several times, and hands the CPU
// profiles and the bundle positions they name (mapped through the bundle's
// source map by attribution.js) to the core, which attributes the time to
// packages and first-party modules (see src/analyses/startup.rs).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { failureLines, plainEnv } from "./buildlog.js";
import { PerfOptimizerError } from "./core.js";
import { displayPath } from "./files.js";
import { decodeMappings, originalPosition, sourcePath, startupPositions } from "./attribution.js";

export const DEFAULT_RUNS = 5;

export const STARTUP_CAVEAT =
  "startup was measured locally in workerd: absolute times differ from Cloudflare's edge (another CPU); compare shares and changes, not the exact figure.";

/** The bundle's main output (the one with an entry point) as an absolute path. */
export function mainOutput(metafile, workingDir) {
  const outputs = Object.entries(metafile.outputs).filter(([p]) => /\.(m|c)?js$/.test(p));
  const main = outputs.find(([, o]) => o.entryPoint) ?? outputs[0];
  if (!main) throw new PerfOptimizerError("the bundle has no JavaScript output to measure");
  return resolve(workingDir, main[0]);
}

/** The Miniflare that comes with the project's wrangler, or null. */
export function projectMiniflare(project, bundle) {
  for (const from of [bundle.wrangler, join(project.dir, "package.json")]) {
    try {
      return createRequire(from).resolve("miniflare");
    } catch {
      // try the next place
    }
  }
  return null;
}

/**
 * Imports the Worker's main module once in workerd (js/startup-probe.js):
 * `wrangler check startup` reports a Worker that throws while its modules
 * initialize as a fast startup. Returns null when it initializes, else the
 * failure in one line: the Worker's own error and where it was thrown, in
 * the sources (through the bundle's source map). Skipped without Miniflare.
 */
function probeStartup(project, bundle, main, map) {
  const miniflare = projectMiniflare(project, bundle);
  if (!miniflare) return null;
  const result = spawnSync(process.execPath, [fileURLToPath(new URL("./startup-probe.js", import.meta.url)), miniflare, bundle.workerBundle], {
    cwd: project.dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  let outcome;
  try {
    outcome = JSON.parse(result.stdout.trim().split("\n").at(-1));
  } catch {
    const why = result.error ? result.error.message : (result.stderr ?? "").trim().split("\n").at(-1);
    return `cannot measure startup: the Worker could not be loaded in workerd${why ? ` (${why.slice(0, 300)})` : ""}`;
  }
  if (outcome.ok) return null;
  const frames = thrownAt(outcome.stack, basename(main), map, main);
  const error = `${outcome.name}: ${outcome.message}`.replace(/\s+/g, " ").slice(0, 500);
  const where = frames.length ? `${frames[0]}: ` : "";
  const via = frames.length > 1 ? ` (called from ${frames.slice(1, 4).join(" ← ")})` : "";
  return `${where}the Worker throws while its modules initialize, so it cannot start (nor deploy): ${error}${via}; startup was not measured`;
}

/** The stack's frames in the bundle file, as `file:line:column` of the sources, innermost first. */
export function thrownAt(stack, bundleFile, map, main) {
  let lines;
  try {
    lines = decodeMappings(map);
  } catch {
    return [];
  }
  const frames = [];
  for (const match of String(stack).matchAll(/([^\s(/]+):(\d+):(\d+)\)?\s*$/gm)) {
    if (match[1] !== bundleFile) continue;
    const at = originalPosition(lines, Number(match[2]) - 1, Number(match[3]) - 1);
    if (!at || !map.sources?.[at.source]) continue;
    frames.push(`${displayPath(sourcePath(map, map.sources[at.source], dirname(main)))}:${at.line + 1}:${at.column + 1}`);
  }
  return frames;
}

/**
 * Runs `wrangler check startup` `runs` times on `bundle.workerBundle` and
 * returns the core's input (profiles, source map): `startup` of the analyze input.
 */
export function profileStartup(project, bundle, metafile, { runs = DEFAULT_RUNS, profileDir } = {}) {
  if (!bundle.wrangler || !bundle.workerBundle || !existsSync(bundle.workerBundle)) {
    throw new PerfOptimizerError(
      `${displayPath(project.dir) || "."}: cannot measure startup: wrangler is not installed in the project (npm install -D wrangler); \`wrangler check startup\` runs the Worker in workerd`,
    );
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new PerfOptimizerError(`--runs must be a whole number from 1 to 50, got ${runs}`);
  const main = mainOutput(metafile, bundle.workingDir);
  let map;
  try {
    map = JSON.parse(readFileSync(`${main}.map`, "utf8"));
  } catch (error) {
    throw new PerfOptimizerError(`cannot measure startup: the bundle's source map ${displayPath(`${main}.map`)} is missing or unreadable (${error.code ?? error.message})`);
  }
  const crash = probeStartup(project, bundle, main, map);
  if (crash) throw new PerfOptimizerError(crash);
  const profiles = [];
  for (let i = 1; i <= runs; i++) {
    const outfile = join(bundle.outdir, `startup-${i}.cpuprofile`);
    const args = [bundle.wrangler, "check", "startup", "--worker", bundle.workerBundle, "--outfile", outfile];
    if (project.configPath) args.push("--config", project.configPath);
    const result = spawnSync(process.execPath, args, {
      cwd: project.dir,
      encoding: "utf8",
      env: plainEnv({ ...process.env, WRANGLER_SEND_METRICS: "false" }),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    if (result.status !== 0 || !existsSync(outfile)) {
      const why = failureLines(`${result.stderr ?? ""}\n${result.stdout ?? ""}`).join(" ");
      throw new PerfOptimizerError(
        `cannot measure startup: \`wrangler check startup\` failed${why ? `: ${why.slice(0, 400)}` : result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}`,
      );
    }
    profiles.push(readFileSync(outfile, "utf8"));
    if (profileDir) {
      mkdirSync(profileDir, { recursive: true });
      copyFileSync(outfile, join(profileDir, `startup-${i}.cpuprofile`));
    }
  }
  try {
    return { profiles, ...startupPositions(profiles, main, map) };
  } catch (error) {
    if (error instanceof PerfOptimizerError) throw error;
    throw new PerfOptimizerError(`cannot measure startup: the bundle's source map ${displayPath(`${main}.map`)} is invalid (${error.message})`);
  }
}
