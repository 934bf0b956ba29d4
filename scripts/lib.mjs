// Shared helpers for the repo's build, test and demo scripts (Node built-ins only:
// these run before npm packages are installed).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs a command, streaming its output; exits the process if it fails. */
export function run(cmd, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
  if (result.error) {
    console.error(`${cmd}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`\`${cmd} ${args.join(" ")}\` failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  return Date.now() - started;
}

/** Runs a command and returns its stdout (empty string on failure). */
export function capture(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: "utf8", cwd: root, ...options });
  return result.status === 0 ? result.stdout : "";
}

/** Installs the workspace's npm packages when node_modules is missing or stale. */
export function ensureNpmPackages(dir = root) {
  const lock = join(dir, "package-lock.json");
  const marker = join(dir, "node_modules", ".package-lock.json");
  const fresh =
    existsSync(marker) &&
    (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs) &&
    statSync(marker).mtimeMs >= statSync(join(dir, "package.json")).mtimeMs;
  if (fresh) return;
  console.log(`> npm install (${dir === root ? "workspace" : dir})`);
  run("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir });
}

/** Where tools installed once per machine live (the wasm-bindgen CLI). */
export function cacheDir() {
  return process.env.PERF_OPTIMIZER_CACHE ?? join(homedir(), ".cache", "perf-optimizer");
}

/**
 * A Node.js `major` for this platform, from the npm registry (the package
 * `node-<platform>-<arch>@<major>`, whose `bin/node` is the official
 * binary), installed once into the cache dir: the path of its `node`.
 */
export function ensureNode(major) {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = join(cacheDir(), `node-${major}`);
  const bin = join(dir, "node_modules", name, "bin", process.platform === "win32" ? "node.exe" : "node");
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, description: `Node.js ${major} for perf-optimizer's tests` }));
    console.log(`> npm install ${name}@${major} (into ${dir})`);
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `${name}@${major}`], { cwd: dir });
  }
  return bin;
}
