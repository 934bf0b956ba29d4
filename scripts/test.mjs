// `npm test`: builds and runs every test. From a fresh clone it installs what
// it needs (npm packages, the wasm32 target, the wasm-bindgen CLI).
//   1. Rust: rustfmt, clippy -D warnings, cargo test (native),
//   2. the wasm package (scripts/build.mjs),
//   3. the wasm boundary under wasm-bindgen-test in Node,
//   4. end to end: the packed tarball installed into a scratch project with the
//      real esbuild and wrangler, exercised by node:test files in tests/.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.mjs";
import { prepareScratchProject } from "../tests/scratch.mjs";
import { cacheDir, ensureNpmPackages, root, run } from "./lib.mjs";

const step = (name) => console.log(`\n=== ${name}`);

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
const scratch = prepareScratchProject();
const files = readdirSync(join(root, "tests")).filter((f) => f.endsWith(".test.mjs")).map((f) => join("tests", f));
run(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  env: { ...process.env, PERF_E2E_DIR: scratch, WRANGLER_SEND_METRICS: "false" },
});
