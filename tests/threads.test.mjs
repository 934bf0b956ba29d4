// Parallel lint and the incremental cache (issue #17): the report is the
// same, byte for byte, with one thread or several and with a cold or a warm
// cache; a warm run walks no file again, a run after one file changed walks
// that file only, and its dependents' findings follow the change. The
// counts come from PERF_OPTIMIZER_DEBUG's line on stderr. The corpus is the
// JavaScript of hono and zod as the scratch project installed them.
import assert from "node:assert/strict";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { cli, importPackage, project } from "./helpers.mjs";

const work = mkdtempSync(join(tmpdir(), "perf-threads-"));
after(() => rmSync(work, { recursive: true, force: true }));

const isJs = (name) => /\.(m|c)?js$/.test(name);

/** A folder with the JavaScript of `packages` (from the scratch project), a package.json and an empty node_modules (where the cache goes). */
function corpus(name, packages) {
  const dir = join(work, name);
  for (const pkg of packages) {
    cpSync(join(project, "node_modules", pkg), join(dir, pkg), { recursive: true, filter: (src) => statSync(src).isDirectory() || isJs(src) });
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true }));
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  return dir;
}

/** `lint . --all-files` in `dir` with `args`: the JSON report's text and the debug line's counts. */
function lint(dir, args) {
  const run = cli(["lint", ".", "--all-files", "--format", "json", ...args], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const line = /perf-optimizer: (\d+) files, (\d+) walked, (\d+) from the cache, (\d+) threads?/.exec(run.stderr);
  assert.ok(line, run.stderr);
  const [, files, walked, cached, threads] = line.map(Number);
  return { report: run.stdout, files, walked, cached, threads, lastReport: /\(nothing changed: the last report\)/.test(run.stderr) };
}

/** The first JavaScript file under `dir`, by name. */
function firstJs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") {
      const found = firstJs(path);
      if (found) return found;
    } else if (entry.isFile() && isJs(entry.name)) return path;
  }
  return null;
}

describe("parallel lint", () => {
  const dir = corpus("parallel", ["hono", "zod"]);
  const one = lint(dir, ["--threads", "1", "--no-cache"]);

  test("the report is the same with one thread and with several", () => {
    assert.ok(one.files > 100, `${one.files} files`);
    assert.equal(one.threads, 1);
    // At most one thread per 512 KiB of source: 2 or 3 here.
    const three = lint(dir, ["--threads", "3", "--no-cache"]);
    assert.ok(three.threads >= 2, `${three.threads} threads`);
    assert.equal(three.walked, three.files);
    assert.equal(three.report, one.report);
    assert.ok(JSON.parse(one.report).diagnostics.length > 0);
  });

  test("the config's `threads` sets the count; --threads wins; a tiny project gets one", () => {
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ threads: 2 }));
    try {
      const configured = lint(dir, ["--no-cache"]);
      assert.equal(configured.threads, 2);
      assert.equal(configured.report, one.report);
      assert.equal(lint(dir, ["--no-cache", "--threads", "1"]).threads, 1);
    } finally {
      rmSync(join(dir, "perf-optimizer.config.json"));
    }
    const tiny = join(work, "tiny");
    mkdirSync(tiny, { recursive: true });
    writeFileSync(join(tiny, "index.js"), "export default { async fetch() { return new Response('ok'); } };\n");
    assert.equal(lint(tiny, ["--threads", "8", "--no-cache"]).threads, 1);
  });

  test("workers started ahead of a walk that turns out small are stopped: the run ends with one thread", () => {
    // Many files (a worker is started while they are read) of little source
    // (under one thread's share): the spare worker must not keep the
    // process alive nor change the report.
    const many = join(work, "many-small");
    mkdirSync(many, { recursive: true });
    for (let i = 0; i < 400; i++) writeFileSync(join(many, `m${i}.js`), `export async function f${i}(ids) { for (const id of ids) await fetch(\`https://x.test/${i}/\${id}\`); }\n`);
    // A worker left running would hold the run past the timeout (killed: no exit code).
    const run = cli(["lint", ".", "--all-files", "--format", "json", "--threads", "4", "--no-cache"], { cwd: many, env: { PERF_OPTIMIZER_DEBUG: "1" }, timeout: 60_000 });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assert.match(run.stderr, /perf-optimizer: 400 files, 400 walked, 0 from the cache, 1 thread\b/);
    const alone = cli(["lint", ".", "--all-files", "--format", "json", "--threads", "1", "--no-cache"], { cwd: many });
    assert.equal(run.stdout, alone.stdout);
  });

  test("two analyses at once in one process each merge their own walks", async () => {
    // Each leaves its main thread's walks in the one instance while its
    // workers finish: the other's must not take or drop them.
    const api = await importPackage();
    const options = { cwd: dir, allFiles: true, threads: 2, cache: false };
    const alone = await api.lint([dir], { ...options, threads: 1 });
    assert.ok(alone.diagnostics.length > 0);
    const [first, second] = await Promise.all([api.lint([dir], options), api.lint([dir], options)]);
    assert.equal(api.lastAnalysisStats().threads, 2);
    for (const report of [first, second]) assert.deepEqual(report.diagnostics, alone.diagnostics);
  });

  test("a bad --threads or config value is refused with exit 2", () => {
    for (const bad of ["0", "257", "two"]) {
      const run = cli(["lint", ".", "--threads", bad], { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--threads takes a whole number from 1 to 256/);
    }
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ threads: 0 }));
    try {
      const run = cli(["lint", "."], { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /threads: expected a whole number from 1 to 256/);
    } finally {
      rmSync(join(dir, "perf-optimizer.config.json"));
    }
  });
});

/** A Worker project (wrangler.toml, a cache folder) whose entry imports a store, beside a test and a seed script no entry imports; each of the three makes subrequests in a loop. */
function workerWithTestsAndScripts(name) {
  const dir = join(work, name);
  for (const sub of ["src", "test", "scripts"]) mkdirSync(join(dir, sub), { recursive: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  writeFileSync(join(dir, "wrangler.toml"), `name = "${name}"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n`);
  const looped = "for (const id of ids) await fetch(`https://x.test/${id}`);";
  writeFileSync(join(dir, "src/index.ts"), "import { save } from './store';\nexport default { async fetch(request: Request) { await save(await request.json()); return new Response('ok'); } };\n");
  writeFileSync(join(dir, "src/store.ts"), `export async function save(ids: string[]) { ${looped} }\n`);
  writeFileSync(join(dir, "test/store.test.ts"), `import { save } from '../src/store';\nexport async function t(ids: string[]) { ${looped} await save(ids); }\n`);
  writeFileSync(join(dir, "scripts/seed.ts"), `export async function seed(ids: string[]) { ${looped} }\n`);
  return dir;
}

describe("incremental cache", () => {
  test("cold and warm runs give the same report; a warm run walks nothing, one changed file is walked alone", () => {
    const dir = corpus("cached", ["zod"]);
    const uncached = lint(dir, ["--no-cache", "--threads", "2"]);
    const cold = lint(dir, ["--threads", "2"]);
    assert.equal(cold.cached, 0);
    assert.equal(cold.walked, cold.files);
    assert.equal(cold.report, uncached.report);
    assert.equal(cold.lastReport, false);
    const warm = lint(dir, []);
    assert.equal(warm.walked, 0);
    assert.equal(warm.cached, warm.files);
    assert.equal(warm.report, uncached.report);
    // Nothing changed: the report the cold run kept, without the core.
    assert.equal(warm.lastReport, true);
    // --no-cache neither reads nor writes it.
    assert.equal(lint(dir, ["--no-cache"]).cached, 0);

    const changed = firstJs(join(dir, "zod"));
    appendFileSync(changed, "\nexport async function perfOptimizerProbe(ids) { for (const id of ids) { await fetch(`https://x.test/${id}`); } }\n");
    const after = lint(dir, []);
    assert.equal(after.walked, 1);
    assert.equal(after.cached, after.files - 1);
    assert.equal(after.lastReport, false);
    assert.equal(after.report, lint(dir, ["--no-cache"]).report);
    assert.notEqual(after.report, warm.report);
  });

  test("a file whose stat is unchanged is not read again; one that changed, or changed just before its entry was made, is", async () => {
    const { RACY_MS } = await importPackage("cache");
    const dir = join(work, "memo");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "memo", private: true }));
    writeFileSync(join(dir, "a.js"), "import { z } from 'zod';\nexport async function a(ids) { for (const id of ids) await fetch(`https://x.test/${id}`); }\n");
    writeFileSync(join(dir, "b.js"), "export const b = 1;\n");
    const reads = (run) => Number(/, (\d+) read/.exec(run.stderr)?.[1]);
    const lintRun = () => cli(["lint", ".", "--all-files", "--format", "json"], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    // Written just now: the entries made from them are not trusted yet.
    const first = lintRun();
    assert.equal(reads(first), 2, first.stderr);
    assert.equal(reads(lintRun()), 2);
    await new Promise((resolve) => setTimeout(resolve, RACY_MS + 100));
    // Older than that when the entries are made: trusted from the next run on.
    assert.equal(reads(lintRun()), 2);
    const warm = lintRun();
    assert.equal(reads(warm), 0, warm.stderr);
    assert.match(warm.stderr, /nothing changed/);
    assert.equal(warm.stdout, first.stdout);
    // A write that keeps the size and puts the modification time back still moves the change time.
    const b = join(dir, "b.js");
    const { atime, mtime } = statSync(b);
    writeFileSync(b, "export const c = 1;\n");
    utimesSync(b, atime, mtime);
    const changed = lintRun();
    // Not the last report (b.js was read and its digest changed); a.js's
    // walk comes from the cache, and its text is not read (the core asks
    // only for texts a project-wide finding quotes).
    assert.doesNotMatch(changed.stderr, /nothing changed/);
    assert.equal(reads(changed), 1, changed.stderr);
    assert.equal(changed.stdout, cli(["lint", ".", "--all-files", "--format", "json", "--no-cache"], { cwd: dir }).stdout);
    // Facts of the wrong shape are read again from the text, not trusted.
    const memoFile = join(dir, "node_modules", ".cache", "perf-optimizer", "files.json");
    const memo = JSON.parse(readFileSync(memoFile, "utf8"));
    for (const entry of Object.values(memo.files)) for (const name of Object.keys(entry[4])) entry[4][name] = 42;
    writeFileSync(memoFile, JSON.stringify(memo));
    const reshaped = lintRun();
    assert.equal(reshaped.code, changed.code, reshaped.stderr);
    assert.equal(reshaped.stdout, changed.stdout);
    // A damaged memo is no memo: every file is read, the report is the same.
    writeFileSync(memoFile, "{ not json");
    const damaged = lintRun();
    assert.equal(reads(damaged), 2);
    assert.equal(damaged.stdout, changed.stdout);
  });

  test("a text that is not the one the memo knew (changed mid-run) starts the run again without the memo", () => {
    const dir = join(work, "memo-mismatch");
    mkdirSync(join(dir, "node_modules", ".cache", "perf-optimizer"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "memo-mismatch", private: true }));
    const a = join(dir, "a.js");
    writeFileSync(a, "export async function a(ids) { for (const id of ids) await fetch(`https://x.test/${id}`); }\n");
    // An entry whose stat matches, made "long after" the file's last change, with another text's digest and facts.
    const s = statSync(a);
    const signature = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    const files = { [a]: [signature, createHash("sha1").update("another text").digest("base64"), s.size, Date.now() + 60_000, {}] };
    writeFileSync(join(dir, "node_modules", ".cache", "perf-optimizer", "files.json"), JSON.stringify({ format: "perf-optimizer files 1", files }));
    const run = cli(["lint", ".", "--all-files", "--format", "json"], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    const uncached = cli(["lint", ".", "--all-files", "--format", "json", "--no-cache"], { cwd: dir });
    assert.equal(run.code, uncached.code, run.stderr);
    assert.equal(run.stdout, uncached.stdout);
    assert.match(JSON.parse(run.stdout).diagnostics.map((d) => d.rule).join(" "), /subrequest-in-loop/);
    // The run with the memo was abandoned at the read (it would have saved the facts it computed).
    const memo = JSON.parse(readFileSync(join(dir, "node_modules", ".cache", "perf-optimizer", "files.json"), "utf8"));
    assert.deepEqual(memo.files[a][4], {});
  });

  test("a text the core asks for that is not the one the memo knew starts the run again without the memo", () => {
    // A finding across files (the loop here, the fetch in load.js) is placed
    // after the walks: the core asks for the text of its file, not sent
    // because the memo knew the file unchanged and the cache had its walk.
    const dir = join(work, "deferred-mismatch");
    mkdirSync(join(dir, "src"), { recursive: true });
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "deferred-mismatch", private: true }));
    writeFileSync(join(dir, "wrangler.toml"), 'name = "d"\nmain = "src/index.js"\ncompatibility_date = "2025-09-01"\n');
    const index = join(dir, "src/index.js");
    writeFileSync(index, "// one two\nimport { load } from './load.js';\nexport default { async fetch(request) {\n  const out = [];\n  for (const id of (await request.json()).ids) out.push(await load(id));\n  return Response.json(out);\n} };\n");
    writeFileSync(join(dir, "src/load.js"), "export async function load(id) { return (await fetch(`https://x.test/${id}`)).json(); }\n");
    const run = (args = []) => cli(["lint", ".", "--format", "json", ...args], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    run();
    // The same length, one line more (the finding moves down a line), and a
    // memo entry that trusts the new stat with the old text's digest: a
    // change the stat cannot tell (within its clock's granularity).
    writeFileSync(index, readFileSync(index, "utf8").replace("// one two\n", "//\n// one2\n"));
    const memoPath = join(dir, "node_modules", ".cache", "perf-optimizer", "files.json");
    const memo = JSON.parse(readFileSync(memoPath, "utf8"));
    const s = statSync(index);
    memo.files[index][0] = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    memo.files[index][3] = Date.now() + 60_000;
    writeFileSync(memoPath, JSON.stringify(memo));
    // The other file changed for real: no report kept for this input.
    appendFileSync(join(dir, "src/load.js"), "// more\n");
    const changed = run();
    const uncached = run(["--no-cache"]);
    assert.equal(changed.code, uncached.code, changed.stderr);
    assert.equal(changed.stdout, uncached.stdout);
    const found = JSON.parse(changed.stdout).diagnostics.map((d) => `${d.rule} ${d.file}:${d.line}`);
    assert.deepEqual(found, ["subrequest-in-loop src/index.js:6"]);
  });

  test("only the files the Worker's entries reach are walked for the cache: tests and scripts no entry imports are not", () => {
    const dir = workerWithTestsAndScripts("reachable");
    const run = (args) => cli(["lint", ".", "--format", "json", ...args], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    const cold = run([]);
    assert.match(cold.stderr, /perf-optimizer: 4 files, 2 walked, 0 from the cache/, cold.stderr);
    const uncached = run(["--no-cache"]);
    assert.equal(cold.stdout, uncached.stdout);
    const analyzed = JSON.parse(cold.stdout).files.filter((file) => file.analyzed).map((file) => file.path);
    assert.deepEqual(analyzed, ["src/index.ts", "src/store.ts"]);
    // With every file linted, the other two are walked, the Worker's come from the cache.
    assert.match(run(["--all-files"]).stderr, /perf-optimizer: 4 files, 2 walked, 2 from the cache/);
  });

  test("after a change, the files no entry reaches are placed by the roles the memo kept, their texts not read", async () => {
    const { RACY_MS } = await importPackage("cache");
    const dir = workerWithTestsAndScripts("roles");
    const reads = (run) => Number(/, (\d+) read/.exec(run.stderr)?.[1]);
    const run = (args = []) => cli(["lint", ".", "--format", "json", ...args], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    run();
    // Past the racy window: the memo's entries (and the roles kept with them) are trusted.
    await new Promise((resolve) => setTimeout(resolve, RACY_MS + 100));
    run();
    appendFileSync(join(dir, "src/store.ts"), "export const more = 1;\n");
    const changed = run();
    assert.equal(reads(changed), 1, changed.stderr);
    assert.equal(changed.stdout, run(["--no-cache"]).stdout);
    const roles = Object.fromEntries(JSON.parse(changed.stdout).files.map((file) => [file.path, file.role]));
    assert.deepEqual(roles, { "scripts/seed.ts": "script", "src/index.ts": "worker", "src/store.ts": "worker", "test/store.test.ts": "test" });
    // Every file analyzed: the same report as without the cache.
    const all = run(["--all-files"]);
    assert.equal(all.stdout, run(["--all-files", "--no-cache"]).stdout);
    assert.equal(JSON.parse(all.stdout).files.filter((file) => file.analyzed).length, 4);
  });

  test("walks unused for KEEP_RUNS runs that wrote their pack are dropped from it; used ones stay", async () => {
    const { openCache, KEEP_RUNS } = await importPackage("cache");
    const dir = join(work, "pack-ages");
    // Keys that begin alike: one pack file holds them all.
    const key = (name) => {
      for (let i = 0; ; i++) {
        const k = createHash("sha1").update(`${name} ${i}`).digest("base64");
        if (k[0] === "A") return k;
      }
    };
    let cache = openCache(dir);
    cache.set(key("stale"), Buffer.from("made for another config"));
    cache.set(key("used"), Buffer.from("used by every run"));
    assert.equal(cache.save(), true);
    for (let run = 2; run <= KEEP_RUNS + 1; run++) {
      cache = openCache(dir);
      assert.ok(cache.get(key("used")));
      cache.set(key(`run ${run}`), Buffer.from(`walk of run ${run}`));
      assert.equal(cache.save(), true);
    }
    cache = openCache(dir);
    assert.equal(cache.get(key("stale")), undefined);
    assert.equal(cache.get(key("used")).toString(), "used by every run");
    assert.ok(cache.get(key(`run ${KEEP_RUNS + 1}`)));
    // The oldest run's walk is KEEP_RUNS - 1 runs old: still there.
    assert.ok(cache.get(key("run 2")));
  });

  test("a run that adds one walk rewrites one pack file of the sixteen, and finds every walk after", async () => {
    const { openCache } = await importPackage("cache");
    const dir = join(work, "pack-shards");
    const key = (name) => createHash("sha1").update(name).digest("base64");
    let cache = openCache(dir);
    for (let i = 0; i < 200; i++) cache.set(key(`walk ${i}`), Buffer.from(`walk ${i}`));
    assert.equal(cache.save(), true);
    const packs = () => readdirSync(dir).filter((name) => /^walks-[0-9a-f]\.bin$/.test(name)).sort();
    assert.equal(packs().length, 16);
    const inodes = () => packs().map((name) => statSync(join(dir, name)).ino);
    const before = inodes();
    cache = openCache(dir);
    for (let i = 0; i < 200; i++) assert.equal(cache.get(key(`walk ${i}`)).toString(), `walk ${i}`);
    cache.set(key("one more"), Buffer.from("one more"));
    assert.equal(cache.save(), true);
    const after = inodes();
    assert.equal(after.filter((ino, n) => ino !== before[n]).length, 1);
    cache = openCache(dir);
    assert.equal(cache.get(key("one more")).toString(), "one more");
    for (let i = 0; i < 200; i++) assert.equal(cache.get(key(`walk ${i}`)).toString(), `walk ${i}`);
  });

  test("a change in one file changes its dependents' findings (the project-wide facts are recomputed)", () => {
    const dir = join(work, "dependents");
    mkdirSync(join(dir, "src"), { recursive: true });
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "dependents", private: true, type: "module" }));
    writeFileSync(join(dir, "wrangler.toml"), 'name = "dependents"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n');
    writeFileSync(
      join(dir, "src/index.ts"),
      "import { save } from './store';\nexport default {\n  async fetch(request: Request) {\n    const ids: string[] = await request.json();\n    for (const id of ids) {\n      await save(id);\n    }\n    return new Response('ok');\n  },\n};\n",
    );
    const store = join(dir, "src/store.ts");
    writeFileSync(store, "export async function save(id: string) {\n  await fetch(`https://api.example.com/items/${id}`, { method: 'POST' });\n}\n");
    const rules = (report) => JSON.parse(report).diagnostics.map((d) => `${d.rule} ${d.file}:${d.line}`);
    const cold = lint(dir, []);
    assert.ok(rules(cold.report).includes("subrequest-in-loop src/index.ts:6"), rules(cold.report).join("\n"));
    writeFileSync(store, "export async function save(id: string) {\n  return id.length;\n}\n");
    const after = lint(dir, []);
    assert.equal(after.walked, 1);
    assert.ok(!rules(after.report).some((r) => r.startsWith("subrequest-in-loop")), rules(after.report).join("\n"));
    assert.equal(after.report, lint(dir, ["--no-cache"]).report);
  });

  test("the kept report answers only the same input: a config, a file's text, the files linted", () => {
    const dir = join(work, "kept");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "kept", private: true }));
    writeFileSync(join(dir, "a.js"), "export async function a(ids) { for (const id of ids) await fetch(`https://x.test/${id}`); }\n");
    writeFileSync(join(dir, "b.js"), "export const b = 1;\n");
    const first = lint(dir, []);
    assert.equal(lint(dir, []).lastReport, true);
    // A damaged file of kept reports is no report: the analysis runs.
    const kept = join(dir, "node_modules", ".cache", "perf-optimizer", "reports.bin");
    writeFileSync(kept, readFileSync(kept).subarray(0, 200));
    const damaged = lint(dir, []);
    assert.equal(damaged.lastReport, false);
    assert.equal(damaged.report, first.report);
    assert.equal(lint(dir, []).lastReport, true);
    // A rule turned off: the walks and the report are made again.
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ rules: { "subrequest-in-loop": "off" } }));
    const configured = lint(dir, []);
    assert.equal(configured.lastReport, false);
    assert.notEqual(configured.report, first.report);
    assert.equal(configured.report, lint(dir, ["--no-cache"]).report);
    rmSync(join(dir, "perf-optimizer.config.json"));
    // Back as it was: the first run's report, kept beside the other.
    const back = lint(dir, []);
    assert.equal(back.lastReport, true);
    assert.equal(back.report, first.report);
    // Fewer files named: another input, another report.
    const one = cli(["lint", "a.js", "--all-files", "--format", "json"], { cwd: dir, env: { PERF_OPTIMIZER_DEBUG: "1" } });
    assert.doesNotMatch(one.stderr, /nothing changed/);
    assert.equal(JSON.parse(one.stdout).summary.files, 1);
  });

  test("no cache through a link: a project cannot make it write elsewhere", () => {
    const dir = join(work, "linked");
    const elsewhere = join(work, "elsewhere");
    mkdirSync(join(dir, "node_modules", ".cache"), { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(dir, "node_modules", ".cache", "perf-optimizer"), "dir");
    writeFileSync(join(dir, "index.js"), "export default { async fetch() { return new Response('ok'); } };\n");
    lint(dir, []);
    const second = lint(dir, []);
    assert.equal(second.cached, 0);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  test("no cache where node_modules/.cache cannot be made: the run goes on without one", () => {
    const dir = join(work, "unwritable");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "node_modules", ".cache"), "a file, not a folder");
    writeFileSync(join(dir, "index.js"), "export default { async fetch() { for (const u of ['a', 'b']) await fetch(u); return new Response(''); } };\n");
    const first = lint(dir, []);
    const second = lint(dir, []);
    assert.equal(second.cached, 0);
    assert.equal(second.walked, second.files);
    assert.equal(second.report, first.report);
  });
});

describe("esbuild plugin in watch mode", () => {
  test("a rebuild analyzes only the files that changed, and reports as a fresh run would", async () => {
    // Inside the scratch project: its node_modules resolves the imports and holds the cache.
    const dir = mkdtempSync(join(project, "threads-watch-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(project, "src"), join(dir, "src"), { recursive: true });
    // The example's one error-severity finding would fail the build.
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ rules: { "drizzle-delete-without-where": "warn" } }));
    const esbuild = await import(createRequire(join(project, "package.json")).resolve("esbuild"));
    const { default: perfOptimizer } = await importPackage("esbuild");
    const api = await importPackage();
    const reports = [];
    const options = (plugin) => ({
      absWorkingDir: dir,
      entryPoints: ["src/index.ts"],
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      external: ["cloudflare:*", "node:*", "buffer"],
      outdir: join(dir, "dist"),
      logLevel: "silent",
      plugins: [plugin],
    });
    const ctx = await esbuild.context(options(perfOptimizer({ onReport: (report) => reports.push(JSON.stringify(report)) })));
    try {
      await ctx.rebuild();
      const first = api.lastAnalysisStats();
      assert.ok(first.files > 3, JSON.stringify(first));
      await ctx.rebuild();
      assert.equal(first.reportFromCache, false);
      assert.deepEqual(api.lastAnalysisStats(), { ...first, walked: 0, cached: first.files, threads: 0, reportFromCache: true });
      assert.equal(reports[1], reports[0]);
      appendFileSync(join(dir, "src", "lib", "format.ts"), "\nexport async function probe(urls: string[]) { for (const u of urls) await fetch(u); }\n");
      await ctx.rebuild();
      const changed = api.lastAnalysisStats();
      assert.equal(changed.walked, 1, JSON.stringify(changed));
      assert.equal(changed.cached, changed.files - 1);
    } finally {
      await ctx.dispose();
    }
    // A fresh build without the cache reports the same.
    let fresh;
    await esbuild.build(options(perfOptimizer({ cache: false, onReport: (report) => (fresh = JSON.stringify(report)) })));
    assert.equal(api.lastAnalysisStats().cached, 0);
    assert.equal(reports[2], fresh);
  });
});
