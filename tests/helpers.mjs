// Helpers for the end-to-end tests: run the installed CLI in the scratch project.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const project = process.env.PERF_E2E_DIR;
if (!project) throw new Error("PERF_E2E_DIR is not set: run the tests with `npm test`");

export const bin = join(project, "node_modules", "perf-optimizer", "js", "cli.js");

/** Runs `perf-optimizer ...args` in `cwd` (the scratch project by default). */
export function cli(args, { cwd = project, env = {}, timeout } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    timeout,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs node with a script in the scratch project. */
export function node(args, { cwd = project, env = {} } = {}) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Imports the installed package's entry points. */
export const importPackage = (sub = "") =>
  import(join(project, "node_modules", "perf-optimizer", "js", sub ? `${sub}.js` : "index.js"));
