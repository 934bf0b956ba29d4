// The core's optimized code kept between CLI runs (js/code-cache.js, issue
// #17): a run without it has it compiled by a background process, the next
// runs load it and report exactly what a run without it reports; a damaged
// or refused file is never used and never written again; the folder can be
// moved or the cache turned off. Each test has a code folder of its own
// (PERF_OPTIMIZER_CODE_CACHE), so the user's cache is not touched.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cli, importPackage, project } from "./helpers.mjs";

const work = mkdtempSync(join(tmpdir(), "perf-code-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A folder with zod's JavaScript from the scratch project (1.3 MB: enough source for two threads). */
function corpus(name) {
  const dir = join(work, name);
  cpSync(join(project, "node_modules", "zod"), join(dir, "zod"), { recursive: true, filter: (src) => statSync(src).isDirectory() || /\.(m|c)?js$/.test(src) });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true }));
  return dir;
}

/** `lint . --all-files --no-cache` in `dir` with the code folder `codeDir`: the report and whether the cached code ran. */
function lint(dir, codeDir, args = []) {
  const run = cli(["lint", ".", "--all-files", "--no-cache", "--format", "json", ...args], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1", PERF_OPTIMIZER_CODE_CACHE: codeDir } });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  assert.match(run.stderr, /perf-optimizer: \d+ files/);
  return { report: run.stdout, cachedCode: /, compiled code from the cache/.test(run.stderr) };
}

/** Waits (at most 60 s) until the background writer is done: its `.writing` gone. */
async function writerDone(codeDir) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const names = existsSync(codeDir) ? readdirSync(codeDir) : [];
    if (names.length > 0 && !names.some((name) => name.endsWith(".writing"))) return names;
    assert.ok(Date.now() < deadline, `the writer did not finish: ${names.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("compiled code cache", () => {
  const dir = corpus("code");
  const plain = lint(dir, "0", ["--threads", "1"]);
  assert.notEqual(JSON.parse(plain.report).summary.files, 0);

  test("a run without code has it compiled; the next runs, on one thread or two, load it and report the same", async () => {
    const codeDir = join(work, "code-a");
    const first = lint(dir, codeDir, ["--threads", "1"]);
    assert.equal(first.cachedCode, false);
    assert.equal(first.report, plain.report);
    const names = await writerDone(codeDir);
    assert.equal(names.length, 1, names.join(", "));
    assert.match(names[0], /^[0-9a-f]{32}\.bin$/);
    if (process.platform !== "win32") assert.equal(statSync(codeDir).mode & 0o077, 0, "the folder is the user's alone");
    for (const threads of ["1", "2"]) {
      const next = lint(dir, codeDir, ["--threads", threads]);
      assert.equal(next.cachedCode, true, `--threads ${threads}`);
      assert.equal(next.report, plain.report, `--threads ${threads}`);
    }
    assert.deepEqual(readdirSync(codeDir), names, "nothing more written");
    // A config is validated by the core before the analysis: the first call loads the code.
    const configured = corpus("code-configured");
    writeFileSync(join(configured, "perf-optimizer.config.json"), JSON.stringify({ rules: { "console-in-loop": "off" } }));
    assert.equal(lint(configured, codeDir, ["--threads", "1"]).cachedCode, true, "with a config");
  });

  test("damaged code is not run: the file is marked failed and never written again", async () => {
    const codeDir = join(work, "code-b");
    lint(dir, codeDir, ["--threads", "1"]);
    const [name] = await writerDone(codeDir);
    const file = join(codeDir, name);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const damaged = lint(dir, codeDir, ["--threads", "1"]);
    assert.equal(damaged.cachedCode, false);
    assert.equal(damaged.report, plain.report);
    const key = name.slice(0, -".bin".length);
    assert.deepEqual(readdirSync(codeDir), [`${key}.failed`]);
    lint(dir, codeDir, ["--threads", "1"]);
    assert.deepEqual(readdirSync(codeDir), [`${key}.failed`], "no writer started again");
  });

  test("a writer that never finished (V8 aborted it) fails its key after ten minutes", async () => {
    const codeDir = join(work, "code-c");
    lint(dir, codeDir, ["--threads", "1"]);
    const [name] = await writerDone(codeDir);
    const key = name.slice(0, -".bin".length);
    rmSync(join(codeDir, name));
    const lock = join(codeDir, `${key}.writing`);
    writeFileSync(lock, "1");
    lint(dir, codeDir, ["--threads", "1"]);
    assert.deepEqual(readdirSync(codeDir), [`${key}.writing`], "a writer still at work is left alone");
    const old = (Date.now() - 11 * 60 * 1000) / 1000;
    utimesSync(lock, old, old);
    lint(dir, codeDir, ["--threads", "1"]);
    assert.deepEqual(readdirSync(codeDir).sort(), [`${key}.failed`, `${key}.writing`]);
  });

  test("no writer is started under a debugger or a profiler", async () => {
    const codeDir = join(work, "code-d");
    // (A port of the system's choosing, on loopback.)
    const run = cli(["lint", ".", "--all-files", "--no-cache", "--format", "json", "--threads", "1"], { cwd: dir, env: { PERF_OPTIMIZER_CODE_CACHE: codeDir, NODE_OPTIONS: "--inspect=127.0.0.1:0" } });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assert.match(run.stderr, /Debugger listening/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(existsSync(codeDir) ? readdirSync(codeDir) : [], []);
  });

  test("a code folder that cannot be made or written costs nothing: the run reports as without it, silently", async () => {
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "not a folder");
    const run = cli(["lint", ".", "--all-files", "--no-cache", "--format", "json", "--threads", "1"], { cwd: dir, env: { PERF_OPTIMIZER_CODE_CACHE: join(blocker, "code") } });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, plain.report);
  });

  test("PERF_OPTIMIZER_CODE_CACHE=0 writes nothing; the default folder is the user's cache folder", async () => {
    const { codeCacheDir } = await importPackage("code-cache");
    const off = join(work, "off");
    mkdirSync(off);
    const run = cli(["lint", ".", "--all-files", "--no-cache", "--format", "json", "--threads", "1"], { cwd: dir, env: { PERF_OPTIMIZER_CODE_CACHE: "0", XDG_CACHE_HOME: off } });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(readdirSync(off), []);
    assert.equal(codeCacheDir({}, "linux", "/home/u"), "/home/u/.cache/perf-optimizer/wasm-code");
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u"), "/xdg/perf-optimizer/wasm-code");
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "relative" }, "linux", "/home/u"), "/home/u/.cache/perf-optimizer/wasm-code");
    assert.equal(codeCacheDir({}, "darwin", "/Users/u"), "/Users/u/Library/Caches/perf-optimizer/wasm-code");
    assert.equal(codeCacheDir({ PERF_OPTIMIZER_CODE_CACHE: "off" }, "linux", "/home/u"), null);
    assert.equal(codeCacheDir({ PERF_OPTIMIZER_CODE_CACHE: "/somewhere" }, "linux", "/home/u"), "/somewhere");
  });
});
