// Startup measurement: runs `wrangler check startup` (workerd, locally) on
// the bundle the deploy dry run produced, several times, and hands the CPU
// profiles and the bundle positions they name, mapped through the bundle's
// source map here, to the core, which attributes the time to packages and
// first-party modules (see src/analyses/startup.rs).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { callCore, PerfOptimizerError } from "./core.js";
import { displayPath } from "./files.js";
import { decodeMappings, headerPackages, originalPosition, packageRoot, repairedPath } from "./sourcemaps.js";

export const DEFAULT_RUNS = 5;

export const STARTUP_CAVEAT =
  "startup was measured locally in workerd: absolute times differ from Cloudflare's edge (another CPU); compare shares and changes, not the exact figure.";

/** The bundle's main output (the one with an entry point) as an absolute path. */
function mainOutput(metafile, workingDir) {
  const outputs = Object.entries(metafile.outputs).filter(([p]) => /\.(m|c)?js$/.test(p));
  const main = outputs.find(([, o]) => o.entryPoint) ?? outputs[0];
  if (!main) throw new PerfOptimizerError("the bundle has no JavaScript output to measure");
  return resolve(workingDir, main[0]);
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
  const profiles = [];
  for (let i = 1; i <= runs; i++) {
    const outfile = join(bundle.outdir, `startup-${i}.cpuprofile`);
    const args = [bundle.wrangler, "check", "startup", "--worker", bundle.workerBundle, "--outfile", outfile];
    if (project.configPath) args.push("--config", project.configPath);
    const result = spawnSync(process.execPath, args, {
      cwd: project.dir,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    if (result.status !== 0 || !existsSync(outfile)) {
      const text = `${result.stderr ?? ""}\n${result.stdout ?? ""}`;
      const why = text.split("\n").filter((l) => /error|✘|\[ERROR\]|exceeded/i.test(l)).slice(0, 3).join(" ").replace(/\s+/g, " ").trim();
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
  const mapDir = resolve(dirname(main), map.sourceRoot ?? "");
  const sources = (map.sources ?? []).map((s) => (/^[\w-]{2,}:/.test(s) ? s : displayPath(resolve(mapDir, s))));
  const sourcesContent = sources.map((s, i) => (s.includes("node_modules/") ? null : map.sourcesContent?.[i] ?? null));
  const bundleFile = basename(main);
  let lines;
  try {
    lines = decodeMappings(map);
  } catch (error) {
    throw new PerfOptimizerError(`cannot measure startup: the bundle's source map ${displayPath(`${main}.map`)} is invalid (${error.message})`);
  }
  const positions = mapProfilePositions(profiles, bundleFile, lines);
  placeStraySources(positions, sources, sourcesContent, main);
  return { profiles, bundleFile, positions, sources, sourcesContent };
}

/**
 * A package's own map that points outside the package (drizzle-orm's
 * `../../src/x.ts`), chained by esbuild into the bundle's map, names
 * `node_modules/src/x.ts`: such positions go to the same file inside the
 * package the bundle's module-path comment (`// node_modules/drizzle-orm/…`)
 * names at that line, when it is installed there.
 */
function placeStraySources(positions, sources, sourcesContent, main) {
  let headers;
  const isPackage = (root) => existsSync(resolve(root, "package.json"));
  const known = new Map();
  for (const p of positions) {
    const path = sources[p.source];
    const root = path && !/^[\w-]{2,}:/.test(path) ? packageRoot(path) : null;
    if (!root) continue;
    if (!known.has(root)) known.set(root, isPackage(root));
    if (known.get(root)) continue;
    try {
      headers ??= headerPackages(readFileSync(main, "utf8"));
    } catch {
      return;
    }
    const name = headers[p.line];
    const repaired = name ? repairedPath(path, root, new Map([[name, 1]]), isPackage) : undefined;
    if (!repaired) continue;
    let index = sources.indexOf(repaired);
    if (index === -1) {
      index = sources.push(repaired) - 1;
      sourcesContent.push(null);
    }
    p.source = index;
  }
}

/**
 * The bundle positions the profiles name (each line with ticks; each
 * function's start), mapped through the decoded source map `lines`: the
 * core aggregates the time by source and line.
 */
export function mapProfilePositions(profiles, bundleFile, lines) {
  const positions = [];
  const seen = new Set();
  const add = (line, column) => {
    const key = `${line}:${column ?? ""}`;
    if (line < 0 || seen.has(key)) return;
    seen.add(key);
    const at = originalPosition(lines, line, column);
    if (at) positions.push({ line, ...(column == null ? {} : { column }), source: at.source, originalLine: at.line });
  };
  for (const text of profiles) {
    let profile;
    try {
      profile = JSON.parse(text);
    } catch {
      continue; // the core reports the broken profile
    }
    for (const node of profile?.nodes ?? []) {
      const frame = node?.callFrame ?? {};
      if (!frame.url || !String(frame.url).endsWith(bundleFile)) continue;
      for (const tick of node.positionTicks ?? []) add(Math.max(0, tick.line - 1), null);
      if (frame.lineNumber >= 0) add(frame.lineNumber, Math.max(0, frame.columnNumber ?? 0));
    }
  }
  return positions;
}

