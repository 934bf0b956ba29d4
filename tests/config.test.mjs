// Configs, baselines and the package's own docs, from the installed tarball:
// a user's mistake is a named error (exit 2, one line, no stack and no
// "internal error"), every search stays in the project, the esbuild plugin
// in watch mode sees config edits, and `explain` prints shipped docs
// (issue #16 items 8, 11 and 14).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { cli, importPackage, node, project } from "./helpers.mjs";

const scratch = () => mkdtempSync(join(tmpdir(), "perf-optimizer-config-"));
const CLONE = "export const c = JSON.parse(JSON.stringify(globalThis.y));\n";
const WRANGLER = 'name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n';

/** A Worker project: wrangler.toml (or `wrangler`), src/index.ts with a json-deep-clone finding. */
function worker({ wrangler = WRANGLER } = {}) {
  const dir = scratch();
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.ts"), `${CLONE}export default { async fetch() { return new Response(String(c)); } };\n`);
  if (wrangler !== null) writeFileSync(join(dir, "wrangler.toml"), wrangler);
  return dir;
}

const expectUsageError = (r, pattern) => {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |RuntimeError|unreachable|panicked|internal error|file:\/\//);
};

const timed = (run) => {
  const started = Date.now();
  const result = run();
  return { ...result, ms: Date.now() - started };
};

describe("config modules that fail: a named error", () => {
  const withConfig = (body) => {
    const dir = worker();
    writeFileSync(join(dir, "perf-optimizer.config.mjs"), body);
    return dir;
  };

  test("a config that throws: where and what, no stack", () => {
    const dir = withConfig('const limit = 3;\nthrow new Error("no budget for " + limit);\n');
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /^perf-optimizer: config perf-optimizer\.config\.mjs:2:7 threw: no budget for 3$/m);
    writeFileSync(join(dir, "perf-optimizer.config.mjs"), 'throw "a string";\n');
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /config perf-optimizer\.config\.mjs threw: a string$/m);
  });

  test("a config that is not valid JavaScript, or imports what is missing", () => {
    const dir = withConfig("export default {\n");
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /config perf-optimizer\.config\.mjs is not valid JavaScript: /);
    writeFileSync(join(dir, "perf-optimizer.config.mjs"), 'import "./gone.mjs";\nexport default {};\n');
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /config perf-optimizer\.config\.mjs could not be loaded: Cannot find module/);
  });

  test("a top-level await or default export that never settles: said at once (was exit 13, silent)", () => {
    for (const body of ["export default await new Promise(() => {});\n", "export default new Promise(() => {});\n"]) {
      const dir = withConfig(body);
      const r = timed(() => cli(["lint", "src"], { cwd: dir, timeout: 60_000 }));
      expectUsageError(r, /config perf-optimizer\.config\.mjs never finishes loading: a top-level await or its default export waits on a promise that nothing settles/);
      assert.ok(r.ms < 8_000, `${r.ms} ms`);
    }
  });

  test("a config still waiting after 10 s: a bounded wait, and the process does not linger", () => {
    const dir = withConfig("export default await new Promise((resolve) => setTimeout(() => resolve({}), 120_000));\n");
    const r = timed(() => cli(["lint", "src"], { cwd: dir, timeout: 60_000 }));
    expectUsageError(r, /config perf-optimizer\.config\.mjs did not finish loading within 10 s/);
    assert.ok(r.ms >= 9_500 && r.ms < 30_000, `${r.ms} ms`);
  });

  test("a config whose promise settles is used", () => {
    const dir = withConfig('export default await Promise.resolve({ rules: { "json-deep-clone": "off" } });\n');
    const r = cli(["lint", "src", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!JSON.parse(r.stdout).diagnostics.some((d) => d.rule === "json-deep-clone"));
  });
});

describe("wrangler config mistakes: a named error, searches bounded to the project", () => {
  test("main = 5 (was an internal error)", () => {
    const dir = worker({ wrangler: 'name = "x"\nmain = 5\n' });
    expectUsageError(cli(["check"], { cwd: dir }), /^perf-optimizer: wrangler\.toml: `main` must be the entry point's path \(a string\), got 5$/m);
  });

  test("a wrangler config that is not an object", () => {
    const dir = worker({ wrangler: null });
    writeFileSync(join(dir, "wrangler.json"), "null\n");
    expectUsageError(cli(["check"], { cwd: dir }), /wrangler\.json: a wrangler config must be an object/);
  });

  test("a binding name that is not a string is left out (was \"invalid input\" from the core)", () => {
    const dir = worker({ wrangler: `${WRANGLER}kv_namespaces = [{ binding = 5, id = "x" }]\n` });
    const r = cli(["lint", "src", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  test('migrations_dir = "/" is not walked (was the whole file system): the run says what it left out', () => {
    const dir = worker({ wrangler: `${WRANGLER}[[d1_databases]]\nbinding = "DB"\ndatabase_name = "x"\ndatabase_id = "x"\nmigrations_dir = "/"\n` });
    for (const args of [["lint", "src"], ["check"]]) {
      const r = timed(() => cli([...args, "--format", "json"], { cwd: dir, timeout: 120_000 }));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.ms < 60_000, `${args[0]}: ${r.ms} ms`);
      const report = JSON.parse(r.stdout);
      assert.ok(
        report.notes.some((n) => n === 'wrangler.toml: d1_databases[0].migrations_dir "/" is outside the project (.): its migrations are not read, so the schema rules do not see them'),
        JSON.stringify(report.notes),
      );
    }
    writeFileSync(join(dir, "wrangler.toml"), `${WRANGLER}[[d1_databases]]\nbinding = "DB"\nmigrations_dir = 7\n`);
    expectUsageError(cli(["check"], { cwd: dir }), /wrangler\.toml: d1_databases\[0\]\.migrations_dir must be a folder path \(a string\), got 7/);
  });

  test("wrangler.json beside wrangler.jsonc and wrangler.toml: wrangler's choice, said (was silent)", () => {
    const dir = worker();
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "main.ts"), "export default { async fetch() { return new Response('other'); } };\n");
    writeFileSync(join(dir, "wrangler.json"), JSON.stringify({ name: "x", main: "src/index.ts", compatibility_date: "2025-09-01" }));
    writeFileSync(join(dir, "wrangler.jsonc"), '// the one wrangler ignores\n{ "name": "x", "main": "other/main.ts" }\n');
    const r = cli(["check", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.diagnostics.some((d) => d.rule === "json-deep-clone" && d.file === "src/index.ts"), "wrangler.json's main is bundled");
    const note = "wrangler.json, wrangler.jsonc and wrangler.toml are in one folder: wrangler.json is used, as wrangler does (it prefers wrangler.json, then wrangler.jsonc, then wrangler.toml); wrangler.jsonc and wrangler.toml are ignored";
    assert.ok(report.notes.includes(note), JSON.stringify(report.notes));
  });

  test("two perf-optimizer configs: an error naming both (was one silently ignored)", () => {
    const dir = worker();
    writeFileSync(join(dir, "perf-optimizer.config.json"), "{}");
    writeFileSync(join(dir, "perf-optimizer.config.jsonc"), "{}");
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /perf-optimizer\.config\.json and perf-optimizer\.config\.jsonc both configure perf-optimizer: keep one, or name it with --config/);
    rmSync(join(dir, "perf-optimizer.config.jsonc"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", perfOptimizer: {} }));
    expectUsageError(cli(["lint", "src"], { cwd: dir }), /perf-optimizer\.config\.json and package\.json \(perfOptimizer\) both configure perf-optimizer/);
    // --config says which: no ambiguity.
    assert.equal(cli(["lint", "src", "--config", "perf-optimizer.config.json"], { cwd: dir }).code, 0);
  });
});

describe("a byte order mark in JSON is read everywhere", () => {
  test("baseline, package.json, wrangler.toml and metafile", () => {
    const dir = worker({ wrangler: `\ufeff${WRANGLER}` });
    writeFileSync(join(dir, "package.json"), `\ufeff${JSON.stringify({ name: "x", perfOptimizer: { rules: { "json-deep-clone": "warn" } } })}`);
    const saved = cli(["check", "--save-baseline", "base.json", "--format", "json"], { cwd: dir });
    assert.equal(saved.code, 0, saved.stderr);
    writeFileSync(join(dir, "base.json"), `\ufeff${readFileSync(join(dir, "base.json"), "utf8")}`);
    const r = cli(["check", "--baseline", "base.json", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).baseline, "compared with the baseline");

    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "index.js"), "export default 1;\n");
    const metafile = { inputs: { "src/index.ts": { bytes: 10, imports: [] } }, outputs: { "out/index.js": { bytes: 18, inputs: { "src/index.ts": { bytesInOutput: 18 } }, imports: [], exports: ["default"], entryPoint: "src/index.ts" } } };
    writeFileSync(join(dir, "meta.json"), `\ufeff${JSON.stringify(metafile)}`);
    const b = cli(["bundle", "meta.json", "--root", ".", "--format", "json"], { cwd: dir });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).bundle.outputs[0].bytes, 18);
  });
});

describe("baselines that cannot be compared: a named error (was growth budgets silently off)", () => {
  const growth = { budgets: [{ metric: "gzip", maxIncrease: "5%" }] };

  test("a baseline with gzip 0", () => {
    const dir = worker();
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify(growth));
    assert.equal(cli(["check", "--save-baseline", "base.json"], { cwd: dir }).code, 0);
    const base = JSON.parse(readFileSync(join(dir, "base.json"), "utf8"));
    base.totals.gzipBytes = 0;
    writeFileSync(join(dir, "edited.json"), JSON.stringify(base, null, 2));
    expectUsageError(cli(["check", "--baseline", "edited.json"], { cwd: dir }), /baseline: totals\.gzipBytes is 0 for \d+ bytes, not a size perf-optimizer measured; save the baseline again with --save-baseline/);
  });

  test("a baseline saved from lint (no bundle) against a growth budget", () => {
    const dir = worker();
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify(growth));
    assert.equal(cli(["lint", "src", "--save-baseline", "lint-base.json"], { cwd: dir }).code, 0);
    expectUsageError(cli(["check", "--baseline", "lint-base.json"], { cwd: dir }), /baseline: no bundle sizes .*the growth budget "gzip size growth" has nothing to compare with/);
  });
});

describe("API: lint(path) stays in the path", () => {
  test('lint("dir") lints that folder from any cwd (a string was walked from "/")', () => {
    const dir = worker();
    const script = join(dir, "api.mjs");
    writeFileSync(script, `
      const api = await import(${JSON.stringify(join(project, "node_modules", "perf-optimizer", "js", "index.js"))});
      const report = await api.lint(${JSON.stringify(join(dir, "src"))});
      let refused;
      try { await api.lint(5); } catch (error) { refused = error; }
      console.log(JSON.stringify({ files: report.summary.files, rules: report.diagnostics.map((d) => d.rule), refused: refused?.name, message: refused?.message }));`);
    const r = timed(() => node([script], { cwd: "/" }));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.files, 1);
    assert.deepEqual(out.rules, ["json-deep-clone"]);
    assert.equal(out.refused, "PerfOptimizerError");
    assert.equal(out.message, "lint takes a path or a list of paths (strings), got 5");
    assert.ok(r.ms < 30_000, `${r.ms} ms`);
  });
});

describe("esbuild plugin in watch mode: config edits are seen", () => {
  const esbuildPath = createRequire(join(project, "package.json")).resolve("esbuild");
  const pluginPath = join(project, "node_modules", "perf-optimizer", "js", "esbuild.js");

  for (const kind of ["json", "mjs"]) {
    test(`perf-optimizer.config.${kind}: edited between rebuilds, the next report follows it`, () => {
      const dir = worker({ wrangler: null });
      const config = join(dir, `perf-optimizer.config.${kind}`);
      const text = kind === "json" ? 'JSON.stringify({ rules: { "json-deep-clone": severity } })' : '`export default { rules: { "json-deep-clone": "${severity}" } };\\n`';
      const script = join(dir, "watch.mjs");
      writeFileSync(script, `
        import { writeFileSync } from "node:fs";
        const esbuild = await import(${JSON.stringify(esbuildPath)});
        const { default: perfOptimizer } = await import(${JSON.stringify(pluginPath)});
        const write = (severity) => writeFileSync(${JSON.stringify(config)}, ${text});
        write("warn");
        const seen = [];
        let next;
        const report = () => new Promise((resolve, reject) => { const t = setTimeout(() => reject(new Error("no rebuild within 20 s after the config changed: " + JSON.stringify(seen))), 20_000); next = (s) => { clearTimeout(t); resolve(s); }; });
        const onReport = (r) => { const s = r.diagnostics.find((d) => d.rule === "json-deep-clone")?.severity ?? "none"; seen.push(s); next?.(s); };
        const first = report();
        const ctx = await esbuild.context({ absWorkingDir: ${JSON.stringify(dir)}, entryPoints: ["src/index.ts"], bundle: true, format: "esm", write: false,
          outdir: "out", logLevel: "silent", plugins: [perfOptimizer({ onReport })] });
        await ctx.watch();
        await first;
        // Only the config changes: no source file is touched.
        for (const severity of ["off", "error", "info"]) {
          await new Promise((r) => setTimeout(r, 300));
          const changed = report();
          write(severity);
          await changed;
        }
        await ctx.dispose();
        console.log(JSON.stringify(seen));`);
      const r = node([script], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), ["warning", "none", "error", "info"]);
    });
  }

  test("a config created while watching is picked up", () => {
    const dir = worker({ wrangler: null });
    const script = join(dir, "watch.mjs");
    const config = join(dir, "perf-optimizer.config.json");
    writeFileSync(script, `
      import { writeFileSync } from "node:fs";
      const esbuild = await import(${JSON.stringify(esbuildPath)});
      const { default: perfOptimizer } = await import(${JSON.stringify(pluginPath)});
      const seen = [];
      let next;
      const report = () => new Promise((resolve, reject) => { const t = setTimeout(() => reject(new Error("no rebuild: " + JSON.stringify(seen))), 20_000); next = () => { clearTimeout(t); resolve(); }; });
      const onReport = (r) => { seen.push(r.diagnostics.some((d) => d.rule === "json-deep-clone")); next?.(); };
      const first = report();
      const ctx = await esbuild.context({ absWorkingDir: ${JSON.stringify(dir)}, entryPoints: ["src/index.ts"], bundle: true, format: "esm", write: false,
        outdir: "out", logLevel: "silent", plugins: [perfOptimizer({ onReport })] });
      await ctx.watch();
      await first;
      await new Promise((r) => setTimeout(r, 300));
      const changed = report();
      writeFileSync(${JSON.stringify(config)}, JSON.stringify({ rules: { "json-deep-clone": "off" } }));
      await changed;
      await ctx.dispose();
      console.log(JSON.stringify(seen));`);
    const r = node([script], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [true, false]);
    assert.ok(existsSync(config));
  });
});

describe("Trust: a run changes no file of the user's", () => {
  /** path → sha256 of every file under `dir`. */
  const hashes = (dir) =>
    Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath ?? e.path, e.name))
        .map((path) => [relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex")]),
    );

  test("check, lint, bundle, rules and explain with every output flag: only the named outputs appear", () => {
    const dir = worker();
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ budgets: [{ metric: "gzip", maxIncrease: "50%" }] }));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", private: true }));
    mkdirSync(join(dir, "migrations"));
    writeFileSync(join(dir, "migrations", "0001.sql"), "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    const before = hashes(dir);
    const runs = [
      ["check", "--save-baseline", "base.json", "--history", "history.jsonl", "--html", "report.html", "--output", "report.txt"],
      ["check", "--baseline", "base.json", "--history", "history.jsonl", "--html", "report.html", "--output", "report.txt", "--format", "sarif"],
      ["lint", "src", "--output", "lint.json", "--format", "json"],
      ["rules", "--output", "rules.txt"],
      ["explain", "await-in-loop", "--output", "explain.md"],
    ];
    for (const args of runs) {
      const r = cli(args, { cwd: dir });
      assert.ok(r.code === 0 || r.code === 1, `${args.join(" ")}: ${r.code} ${r.stderr}`);
    }
    const after = hashes(dir);
    for (const [path, hash] of Object.entries(before)) assert.equal(after[path], hash, `${path} changed`);
    const created = Object.keys(after).filter((path) => !(path in before)).sort();
    assert.deepEqual(created, ["base.json", "explain.md", "history.jsonl", "lint.json", "report.html", "report.txt", "rules.txt"]);
  });
});

describe("perf-optimizer explain RULE and the package's links", () => {
  const installed = join(project, "node_modules", "perf-optimizer");

  test("prints the rule's documentation shipped in the package", () => {
    const r = cli(["explain", "await-in-loop"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(installed, "docs", "rules", "await-in-loop.md"), "utf8"));
    assert.match(r.stdout, /^# await-in-loop\n/);
    assert.match(r.stdout, /## Bad/);
  });

  test("an unknown rule: exit 2 with did you mean; no path escapes docs/rules", () => {
    expectUsageError(cli(["explain", "await-in-lop"]), /^perf-optimizer: explain await-in-lop: unknown rule, did you mean `await-in-loop`\?/);
    expectUsageError(cli(["explain", "../../package"]), /explain "..\/..\/package": unknown rule/);
    expectUsageError(cli(["explain"]), /explain needs exactly one RULE/);
    expectUsageError(cli(["explain", "await-in-loop", "--format", "json"]), /explain prints the rule's Markdown, not json/);
  });

  test("every rule's docs ship in the package, at the URL the findings link to, which package.json declares", async () => {
    const api = await importPackage();
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    const repo = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
    assert.equal(pkg.homepage, `${repo}#readme`);
    assert.equal(pkg.bugs.url, `${repo}/issues`);
    assert.ok(pkg.files.includes("docs"), JSON.stringify(pkg.files));
    const rules = api.rules();
    assert.ok(rules.length > 20);
    for (const rule of rules) {
      assert.equal(rule.docs, `${repo}/blob/main/docs/rules/${rule.id}.md`);
      assert.ok(existsSync(join(installed, "docs", "rules", `${rule.id}.md`)), rule.id);
    }
    const help = cli(["--help"]);
    assert.match(help.stdout, /explain RULE/);
  });
});
