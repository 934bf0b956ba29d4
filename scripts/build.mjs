// `npm run build`: everything from a fresh clone with Rust and Node present.
// 1. the wasm32 target and the matching wasm-bindgen CLI (cached per machine),
// 2. the core as a size-optimized cdylib (LTO applies: see Cargo.toml),
// 3. wasm-bindgen (nodejs target: loads synchronously on Node 20),
// 4. wasm-opt -Os (until it converges), functions in name order from the `binaryen` npm package,
// 5. pkg/: the publishable package from pkg-template/, js/ and the wasm.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cacheDir, capture, ensureNpmPackages, root, run } from "./lib.mjs";

const TARGET = "wasm32-unknown-unknown";
// The wasm stack: swc's recursive descent needs more than the 1 MiB default
// for deeply nested input (a trap there would poison the instance).
const STACK_BYTES = 16 * 1024 * 1024;

function wasmBindgenVersion() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const match = toml.match(/wasm-bindgen = "=([0-9.]+)"/);
  if (!match) throw new Error("Cargo.toml must pin wasm-bindgen with `=`");
  return match[1];
}

function ensureTarget() {
  if (capture("rustup", ["target", "list", "--installed"]).split("\n").includes(TARGET)) return;
  console.log(`> rustup target add ${TARGET}`);
  run("rustup", ["target", "add", TARGET]);
}

/** The wasm-bindgen CLI matching the crate, installed once into the cache. */
function ensureWasmBindgen(version) {
  const onPath = capture("wasm-bindgen", ["--version"]).trim();
  if (onPath === `wasm-bindgen ${version}`) return "wasm-bindgen";
  const installRoot = join(cacheDir(), `wasm-bindgen-${version}`);
  const bin = join(installRoot, "bin", "wasm-bindgen");
  if (!existsSync(bin)) {
    console.log(`> cargo install wasm-bindgen-cli ${version} into ${installRoot} (once per machine, several minutes)`);
    // Not --locked: the crate mirror lags the lock file's pins.
    run("cargo", ["install", "wasm-bindgen-cli", "--version", version, "--root", installRoot]);
  }
  return bin;
}

function size(path) {
  const bytes = readFileSync(path);
  return `${(bytes.length / 1024).toFixed(0)} KB raw, ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(0)} KB gzip`;
}

export function build() {
  ensureNpmPackages();
  ensureTarget();
  const wasmBindgen = ensureWasmBindgen(wasmBindgenVersion());

  console.log("> cargo rustc (wasm32, release, LTO)");
  run("cargo", [
    "rustc", "--lib", "--release", "--target", TARGET, "--crate-type", "cdylib",
    "--", "-C", `link-arg=-zstack-size=${STACK_BYTES}`,
  ]);
  const rawWasm = join(root, "target", TARGET, "release", "perf_optimizer.wasm");

  const wasmDir = join(root, "target", "wasm-bindgen");
  rmSync(wasmDir, { recursive: true, force: true });
  run(wasmBindgen, ["--target", "nodejs", "--out-dir", wasmDir, "--out-name", "perf_optimizer", rawWasm]);

  const bgWasm = join(wasmDir, "perf_optimizer_bg.wasm");
  writeFileSync(bgWasm, sortableNames(readFileSync(bgWasm)));
  const wasmOpt = join(root, "node_modules", "binaryen", "bin", "wasm-opt");
  run(process.execPath, [
    // --low-memory-unused: Rust never places data in the first KiB (the
    // stack comes first and grows down from 16 MiB), so binaryen may fold
    // small constant offsets into loads and stores (~3 KB gzip).
    // -Os, not -Oz: a larger file that gzips smaller (0.7 KB; -O2 and -O3
    // gzip larger), and gzip is what the budget counts.
    // Not --ignore-implicit-traps (-0.3 KB gzip): it lets binaryen execute
    // a load before the bounds check that guards it, and such a load past
    // the end of memory traps (every file was 'memory access out of bounds').
    // --reorder-functions-by-name, after optimizing and before the names
    // are stripped: the functions of a module and the copies of a generic
    // function sit next to each other, where gzip's 32 KB window finds their
    // common code (-12.6 KB gzip; by use count, --reorder-functions, +4.7 KB).
    // --one-caller-inline-max-function-size 50: a function called from one
    // place is inlined there only if small (binaryen inlines it whatever its
    // size by default): the larger ones stay functions of their own, in name
    // order next to their kin (-6.1 KB gzip; 0: -5.9 KB, 200: -5.7 KB; same
    // CPU time for the CLI on the bench corpus, same findings).
    // --always-inline-max-function-size 10 (-Os: 2): V8's baseline compiler,
    // which runs the core, inlines nothing, so a call to a tiny function
    // (an accessor, a match on a node's kind) costs more than its body: the
    // CLI on the bench corpus, one thread, 2.7% less time (the mean of six
    // medians of 5 runs, interleaved: 1,441 -> 1,402 ms) for +7 KB gzip; 20:
    // the same time for +26 KB; 40: slower (1.5 MB more to compile).
    wasmOpt, "--low-memory-unused", "--one-caller-inline-max-function-size", "50", "-Os", "--always-inline-max-function-size", "10", "--converge",
    "--reorder-functions-by-name", "--strip-debug", "--strip-producers",
    "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
    bgWasm, "-o", bgWasm,
  ]);
  console.log(`  wasm: ${size(bgWasm)}`);

  assemble(wasmDir);
}

/**
 * The wasm with its function names (the "name" section, which wasm-opt
 * strips at the end) rewritten for `--reorder-functions-by-name`: without the
 * symbol hash (`::h0123…`) and the crate hashes (`core[0123…]::`), a trait
 * method first (`<T as Trait>::f` sorts as `Trait::f T`), so that the copies
 * of a generic function and the impls of one trait method sort next to each
 * other; the function index, padded, keeps names unique and equal keys in
 * the linker's order. Their common code then falls within gzip's window:
 * 4.9 KB gzip less than binaryen's order of the raw names (2.7 KB of it from
 * putting the trait method first, 0.2 KB from the padding).
 */
export function sortableNames(wasm) {
  const leb = (at) => {
    let value = 0, shift = 0, byte;
    do {
      byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  };
  const uleb = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return Buffer.from(out);
  };
  const withLength = (bytes) => Buffer.concat([uleb(bytes.length), bytes]);
  const parts = [wasm.subarray(0, 8)];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = leb(at + 1);
    const end = start + size;
    let body = wasm.subarray(start, end);
    const [nameLength, nameStart] = leb(start);
    if (id === 0 && wasm.toString("utf8", nameStart, nameStart + nameLength) === "name") {
      const subsections = [wasm.subarray(start, nameStart + nameLength)];
      for (let sub = nameStart + nameLength; sub < end; ) {
        const subId = wasm[sub];
        const [subSize, subStart] = leb(sub + 1);
        let subBody = wasm.subarray(subStart, subStart + subSize);
        if (subId === 1) {
          let [count, p] = leb(subStart);
          const names = [uleb(count)];
          while (count--) {
            const [index, q] = leb(p);
            const [length, r] = leb(q);
            const name = wasm
              .toString("utf8", r, r + length)
              .replace(/::h[0-9a-f]{16}$/, "")
              .replace(/\[[0-9a-f]{16}\]/g, "");
            const impl = /^<&*(.+?) as (.+?)>::(.+)$/.exec(name);
            const key = impl ? `${impl[2]}::${impl[3]} ${impl[1]}` : name.replace(/^[<&]+/, "");
            // Padded: functions of one key stay in the linker's order.
            names.push(uleb(index), withLength(Buffer.from(`${key} #${String(index).padStart(6, "0")}`)));
            p = r + length;
          }
          subBody = Buffer.concat(names);
        }
        subsections.push(Buffer.from([subId]), withLength(subBody));
        sub = subStart + subSize;
      }
      body = Buffer.concat(subsections);
    }
    parts.push(Buffer.from([id]), withLength(body));
    at = end;
  }
  return Buffer.concat(parts);
}

/**
 * wasm-bindgen's loader compiles the wasm itself; js/core.js hands it the
 * compiled module instead (the code cache's, or one compiled once and shared
 * with the worker threads) as `module.wasmModule`. Loaded by plain
 * `require`, it compiles the bytes as before.
 */
function moduleFromLoader(glue) {
  const compile = /^const wasmPath = `\$\{__dirname\}\/perf_optimizer_bg\.wasm`;\nconst wasmBytes = require\('fs'\)\.readFileSync\(wasmPath\);\nconst wasmModule = new WebAssembly\.Module\(wasmBytes\);$/m;
  if (!compile.test(glue)) throw new Error("wasm-bindgen's loader no longer compiles the wasm as build.mjs expects: update moduleFromLoader");
  return glue.replace(compile, "const wasmModule = module.wasmModule ?? new WebAssembly.Module(require('fs').readFileSync(`${__dirname}/perf_optimizer_bg.wasm`));");
}

/** pkg/ = pkg-template/ + js/ + the wasm, with the version from Cargo.toml. */
function assemble(wasmDir) {
  const pkg = join(root, "pkg");
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg);
  cpSync(join(root, "pkg-template"), pkg, { recursive: true });
  cpSync(join(root, "js"), join(pkg, "js"), { recursive: true });
  mkdirSync(join(pkg, "wasm"));
  for (const file of readdirSync(wasmDir)) {
    if (/\.(js|d\.ts|wasm)$/.test(file)) cpSync(join(wasmDir, file), join(pkg, "wasm", file));
  }
  const gluePath = join(pkg, "wasm", "perf_optimizer.js");
  writeFileSync(gluePath, moduleFromLoader(readFileSync(gluePath, "utf8")));
  // The generated loader is CommonJS in an ESM package.
  writeFileSync(join(pkg, "wasm", "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n");
  const version = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
  const manifestPath = join(pkg, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  manifest.version = version;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  if (existsSync(join(root, "LICENSE"))) cpSync(join(root, "LICENSE"), join(pkg, "LICENSE"));
  // The wasm includes code derived from sqlparser (Apache-2.0): its license and notice ship with it.
  cpSync(join(root, "licenses"), join(pkg, "licenses"), { recursive: true });
  cpSync(join(root, "data", "module-replacements.json"), join(pkg, "data", "module-replacements.json"));
  cpSync(join(root, "data", "workers-heavy-packages.json"), join(pkg, "data", "workers-heavy-packages.json"));
  if (existsSync(join(root, "docs", "rules"))) cpSync(join(root, "docs", "rules"), join(pkg, "docs", "rules"), { recursive: true });
  console.log(`> pkg/ assembled (perf-optimizer ${version})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  // --js-only: reassemble pkg/ from js/ and the last wasm build (fast iteration).
  if (process.argv.includes("--js-only")) assemble(join(root, "target", "wasm-bindgen"));
  else build();
  console.log(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
