// The scratch project the end-to-end tests run in: outside the repo, with the
// packed perf-optimizer tarball, the real esbuild and wrangler (4.86.0, the
// newest that runs on Node 20), TypeScript, and a copy of examples/worker.
// Next to it, `bundle-worker`, `vite-worker`, `vite7-worker`, `vite6-worker` and `vite-example`
// (examples/vite-worker with its lock file and the tarball):
// tests/fixtures/bundle-worker and tests/fixtures/vite-worker (on Vite 8, and
// on Vite 7 and Vite 6 with the package.json and lock file of its vite7/ and
// vite6/ folders) with
// their real npm dependencies installed from their lock files, and the
// tarball in the Vite ones (the network is needed here, at set-up, and never
// by the tests themselves).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { root, run } from "../scripts/lib.mjs";

/**
 * The newest wrangler and @cloudflare/vite-plugin (npm's `latest`), for the
 * leg on the current toolchain (Node 22): what a team starting today gets;
 * with the newest @cloudflare/workers-types, which that wrangler asks for.
 */
export const CURRENT_TOOLS = ["wrangler@latest", "@cloudflare/vite-plugin@latest", "@cloudflare/workers-types@latest"];

/**
 * `current`: the scratch project for the leg on the current toolchain, in
 * its own folder: the newest wrangler in the Worker project, and the newest
 * wrangler and @cloudflare/vite-plugin (Vite 8 at its newest) in the Vite
 * fixture and the Vite example; neither the bundle fixture nor the Vite 7
 * one (their tests are not in that leg).
 */
export function prepareScratchProject({ current = false } = {}) {
  const base = join(tmpdir(), current ? "perf-optimizer-e2e-current" : "perf-optimizer-e2e");
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  run("npm", ["pack", "./pkg", "--pack-destination", base, "--silent"]);
  const tarball = readdirSync(base).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack produced no tarball");

  const project = join(base, "worker");
  cpSync(join(root, "examples", "worker"), project, {
    recursive: true,
    filter: (src) => !/node_modules|\.wrangler|package-lock\.json$/.test(src),
  });
  const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
  pkg.devDependencies = {
    ...pkg.devDependencies,
    "perf-optimizer": `file:../${tarball}`,
    ...(current ? { wrangler: "latest", "@cloudflare/workers-types": "latest" } : {}),
    esbuild: "0.27.3",
    typescript: "^5.9.0",
    "@types/node": "^20.19.0",
  };
  writeFileSync(join(project, "package.json"), JSON.stringify(pkg, null, 2));
  npmInstall(["--no-audit", "--no-fund", "--loglevel=error"], project);
  if (!existsSync(join(project, "node_modules", "perf-optimizer", "wasm", "perf_optimizer_bg.wasm"))) {
    throw new Error("the tarball did not install the wasm");
  }
  if (!current) prepareBundleFixture(join(base, "bundle-worker"));
  prepareViteFixture(join(base, "vite-worker"), join(base, tarball), { current });
  if (!current) {
    for (const variant of ["vite7", "vite6"]) prepareViteFixture(join(base, `${variant}-worker`), join(base, tarball), { variant });
  }
  prepareViteExample(join(base, "vite-example"), join(base, tarball), { current });
  return project;
}

/** The bundle fixture's folder next to the scratch project `project`. */
export const bundleFixtureDir = (project) => join(project, "..", "bundle-worker");

/**
 * Copies tests/fixtures/bundle-worker (sources, package.json, package-lock.json)
 * to `dest` and installs its dependencies with `npm ci`: moment, lodash,
 * @aws-sdk/client-s3, hono, zod 3, chanfana 3 (zod 4) and wrangler 4.86.0.
 */
export const prepareBundleFixture = (dest) => prepareFixture("bundle-worker", dest);

/** The Vite fixture's folder next to the scratch project `project` (`variant`: `vite7` or `vite6`, the one on that Vite). */
export const viteFixtureDir = (project, { variant = null } = {}) => join(project, "..", variant ? `${variant}-worker` : "vite-worker");

/**
 * `npm install …args` in `cwd`, from the cache where it can; once more
 * against the registry if that fails (the newest `wrangler@latest` can be
 * newer than the cached metadata: npm then finds no such version); and
 * then without peer resolution, when the newest wrangler names as its
 * optional peer a `@cloudflare/workers-types` the registry does not have
 * yet (`No matching version found for @cloudflare/workers-types@^5.…`).
 */
function npmInstall(args, cwd) {
  for (const mode of [["--prefer-offline"], ["--prefer-online"]]) {
    if (spawnSync("npm", ["install", ...mode, ...args], { stdio: "inherit", cwd }).status === 0) return;
    console.error(`npm install ${mode[0]} failed: trying again`);
  }
  run("npm", ["install", "--prefer-online", "--legacy-peer-deps", ...args], { cwd });
}

/**
 * Copies tests/fixtures/vite-worker to `dest`, installs its dependencies with
 * `npm ci` (vite 8.0.9 with Rolldown, or with `variant` `vite7` vite 7.3.2 or
 * `vite6` vite 6.4.6 with Rollup,
 * and @cloudflare/vite-plugin 1.34.0, the release built on wrangler 4.86.0;
 * hono, moment, zod 3, chanfana 3 (zod 4) in the Worker, lodash in the
 * client) and the packed perf-optimizer `tarball`, which its vite.config.mjs
 * imports as `perf-optimizer/vite`.
 */
export function prepareViteFixture(dest, tarball, { variant = null, current = false } = {}) {
  // On the current toolchain: the newest tools over the lock file's, in the same install.
  prepareFixture("vite-worker", dest, variant, { install: !current });
  const tools = current ? [...CURRENT_TOOLS, "vite@latest"] : [];
  npmInstall(["--no-save", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...tools], dest);
  return dest;
}

/** The Vite example's folder next to the scratch project `project`. */
export const viteExampleDir = (project) => join(project, "..", "vite-example");

/**
 * Copies examples/vite-worker (React client, Hono Worker with D1) to `dest`
 * and installs its dependencies from its lock file, with the packed
 * perf-optimizer `tarball` in place of the repo's pkg/ (`file:../../pkg`).
 */
export function prepareViteExample(dest, tarball, { current = false } = {}) {
  rmSync(dest, { recursive: true, force: true });
  cpSync(join(root, "examples", "vite-worker"), dest, { recursive: true, filter: (src) => !/node_modules|\.wrangler|\/dist$|perf-report\.html$/.test(src) });
  const pkg = JSON.parse(readFileSync(join(dest, "package.json"), "utf8"));
  pkg.devDependencies["perf-optimizer"] = `file:${tarball}`;
  writeFileSync(join(dest, "package.json"), JSON.stringify(pkg, null, 2));
  // On the current toolchain: the newest tools over the lock file's, in the same install.
  npmInstall(["--no-audit", "--no-fund", "--loglevel=error", ...(current ? [...CURRENT_TOOLS, "vite@latest"] : [])], dest);
  return dest;
}

/**
 * Copies tests/fixtures/NAME (sources, package.json, package-lock.json) to
 * `dest` and installs its dependencies with `npm ci`; with `variant`, the
 * package.json and package-lock.json of its folder VARIANT replace the
 * fixture's own. Reuses an install whose lock file is unchanged.
 */
function prepareFixture(name, dest, variant = null, { install = true } = {}) {
  const source = join(root, "tests", "fixtures", name);
  const manifests = variant ? join(source, variant) : source;
  const lock = readFileSync(join(manifests, "package-lock.json"), "utf8");
  const installed = join(dest, "node_modules", ".package-lock.json");
  const fresh = existsSync(installed) && existsSync(join(dest, "package-lock.json")) && readFileSync(join(dest, "package-lock.json"), "utf8") === lock;
  if (!fresh) rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(source, dest, { recursive: true, filter: (src) => !/node_modules|\.wrangler|\/dist$|\/vite[67]$/.test(src) });
  if (variant) for (const file of ["package.json", "package-lock.json"]) cpSync(join(manifests, file), join(dest, file));
  if (!fresh && install) run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dest });
  return dest;
}
