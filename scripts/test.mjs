// `npm test`: builds and runs every test. From a fresh clone it installs what
// it needs (npm packages, the wasm32 target, the wasm-bindgen CLI).
//   1. Rust: rustfmt, clippy -D warnings, cargo test (native),
//   2. the wasm package (scripts/build.mjs),
//   3. the wasm boundary under wasm-bindgen-test in Node,
//   4. end to end: the packed tarball installed into a scratch project with the
//      real esbuild and wrangler, exercised by node:test files in tests/,
//   5. the same for wrangler and Vite on the current toolchain: Node 22 (from
//      the npm registry, cached), the newest wrangler and @cloudflare/vite-plugin.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { build } from "./build.mjs";
import { prepareScratchProject } from "../tests/scratch.mjs";
import { cacheDir, capture, ensureNpmPackages, root, run } from "./lib.mjs";

const step = (name) => console.log(`\n=== ${name}`);

/**
 * Runs the script `file` in the background, its output kept in a log file;
 * resolves to the JSON it writes to the file named by its argument (a
 * failure prints the log and ends the run). Stopped if this run ends first.
 */
function inBackground(file) {
  const dir = mkdtempSync(join(tmpdir(), "perf-optimizer-setup-"));
  const log = join(dir, "log.txt");
  const result = join(dir, "result.json");
  const out = openSync(log, "w");
  const child = spawn(process.execPath, [file, result], { cwd: root, stdio: ["ignore", out, out] });
  const stop = () => child.exitCode === null && child.kill();
  process.on("exit", stop);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      process.off("exit", stop);
      process.stdout.write(readFileSync(log, "utf8"));
      if (code !== 0) {
        console.error(`\`${file}\` failed with exit code ${code}`);
        process.exit(1);
      }
      resolve(JSON.parse(readFileSync(result, "utf8")));
    });
  });
}

step("rustfmt");
run("cargo", ["fmt", "--check"]);
step("clippy");
run("cargo", ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
step("cargo test (native)");
// The parser's test reads the shipped JavaScript of installed packages.
ensureNpmPackages();
// --workspace: the small crates' own tests too (crates/float-text against core).
run("cargo", ["test", "--workspace", "--quiet"]);

step("build the package");
build();

step("wasm-bindgen-test (the wasm boundary in Node)");
const version = /wasm-bindgen = "=([0-9.]+)"/.exec((await import("node:fs")).readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
const runner = join(cacheDir(), `wasm-bindgen-${version}`, "bin", "wasm-bindgen-test-runner");
run("cargo", ["test", "--target", "wasm32-unknown-unknown", "--test", "wasm_boundary"], {
  env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: runner },
});

step("end-to-end tests");
// The current toolchain's set-up (downloads and installs) runs meanwhile.
const currentSetup = inBackground(join(root, "scripts", "current-toolchain.mjs"));
const scratch = prepareScratchProject();
const files = readdirSync(join(root, "tests")).filter((f) => f.endsWith(".test.mjs")).map((f) => join("tests", f));
run(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  env: { ...process.env, PERF_E2E_DIR: scratch, WRANGLER_SEND_METRICS: "false" },
});

// The tests that exercise wrangler and Vite, on what a team starting today
// gets: wrangler 4.15x needs Node 22. Whole files for --startup, the Vite
// plugin, check on Vite projects and the Vite example; of cli.test.mjs and
// api.test.mjs, the suites of `check` (wrangler's dry run) and of the wrangler
// hook. (Every --startup run loads the Worker through Miniflare first: 5 on
// this leg, 4 on the first.)
step("end-to-end tests on the current toolchain (Node 22, the newest wrangler and @cloudflare/vite-plugin)");
const started = Date.now();
const { node: node22, project: current } = await currentSetup;
console.log(`(set up in the background; waited ${((Date.now() - started) / 1000).toFixed(0)} s for it)`);
const versionOf = (dir, name) => JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;
const viteDir = join(current, "..", "vite-worker");
console.log(`Node ${capture(node22, ["--version"]).trim()}, wrangler ${versionOf(current, "wrangler")}, @cloudflare/vite-plugin ${versionOf(viteDir, "@cloudflare/vite-plugin")}, vite ${versionOf(viteDir, "vite")}`);
// Node 22 first on PATH: what npm scripts and bins (`#!/usr/bin/env node`) run with.
const env = { ...process.env, PATH: `${dirname(node22)}${delimiter}${process.env.PATH}`, PERF_E2E_DIR: current, WRANGLER_SEND_METRICS: "false" };
run(node22, ["--test", "--test-concurrency=1", ...["startup", "vite", "vite-check", "vite-example"].map((f) => join("tests", `${f}.test.mjs`))], { env });
run(node22, ["--test", "--test-concurrency=1", "--test-name-pattern=^perf-optimizer check$|^wrangler hook$", ...["cli", "api"].map((f) => join("tests", `${f}.test.mjs`))], { env });
console.log(`current toolchain leg: ${((Date.now() - started) / 1000).toFixed(0)} s`);
