// The programmatic API, the esbuild plugin and the wrangler hook, from the
// installed tarball, with the real esbuild and wrangler.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { importPackage, node, project } from "./helpers.mjs";

const api = await importPackage();
const esbuild = await import(createRequire(join(project, "package.json")).resolve("esbuild"));
const { default: perfOptimizer } = await importPackage("esbuild");
const wrangler = await importPackage("wrangler");

// The example Worker has one error-severity finding (a delete without where),
// which fails a build by design; most tests below downgrade it to a warning.
const warnOnlyDir = mkdtempSync(join(tmpdir(), "perf-warn-only-"));
const WARN_ONLY = { rules: { "drizzle-delete-without-where": "warn" } };
writeFileSync(join(warnOnlyDir, "perf-optimizer.config.json"), JSON.stringify(WARN_ONLY));
const warnOnly = () => perfOptimizer({ configDir: warnOnlyDir });

const buildOptions = (plugin, extra = {}) => ({
  absWorkingDir: project,
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  external: ["cloudflare:*", "node:*", "buffer"],
  outdir: mkdtempSync(join(tmpdir(), "perf-esbuild-")),
  logLevel: "silent",
  plugins: [plugin],
  ...extra,
});

describe("API", () => {
  test("check() returns the same report as the CLI", async () => {
    const report = await api.check(project);
    assert.equal(report.version, 1);
    assert.ok(report.bundle.packages.some((p) => p.name === "hono"));
    assert.equal(api.exitCode(report), report.summary.errors > 0 ? 1 : 0);
  });

  test("analyzeBundle() over an esbuild metafile and outputs", async () => {
    const result = await esbuild.build({ ...buildOptions({ name: "none", setup() {} }), metafile: true, write: false });
    const report = await api.analyzeBundle({ metafile: result.metafile, outputFiles: result.outputFiles, workingDir: project });
    assert.equal(report.bundle.outputs.length, 1);
    assert.equal(report.bundle.outputs[0].bytes, result.outputFiles.find((f) => f.path.endsWith(".js")).contents.length);
    assert.ok(report.bundle.packages.some((p) => p.name === "drizzle-orm"));
  });

  test("render() in every format the core knows", async () => {
    const report = await api.lint([join(project, "src")]);
    assert.match(api.render(report, "pretty"), /warnings?/);
    assert.equal(JSON.parse(api.render(report, "json")).version, 1);
  });

  test("heavy-dependency names the e18e alternative from the package's data file", async () => {
    // The e18e module-replacements snapshot ships as data/module-replacements.json
    // (not compiled into the wasm); an e18e-only entry proves it reaches the core.
    const dir = mkdtempSync(join(tmpdir(), "perf-e18e-"));
    writeFileSync(join(dir, "worker.ts"), 'import qs from "qs";\nexport default { fetch: (r) => new Response(qs.stringify({ a: 1 })) };\n');
    const report = await api.lint([join(dir, "worker.ts")]);
    const finding = report.diagnostics.find((d) => d.rule === "heavy-dependency");
    assert.ok(finding, JSON.stringify(report.diagnostics));
    assert.equal(finding.line, 1);
    assert.match(finding.message, /`qs` has lighter, maintained alternatives: `URLSearchParams`/);
    assert.match(finding.help, /e18e module-replacements \d/);
  });

  test("a panic inside the wasm is an internal error and the next call works", async () => {
    const { callCore } = await importPackage("core");
    assert.throws(() => callCore("a test input", (c) => c.__panicForTests()), /internal error while analyzing a test input: deliberate panic for tests/);
    const report = await api.lint([join(project, "src", "index.ts")]);
    assert.equal(report.summary.files, 1);
    // The module-level request state in index.ts is still found after the panic.
    assert.ok(report.diagnostics.some((d) => d.rule === "request-state-in-global" && d.file.endsWith("index.ts")), JSON.stringify(report.diagnostics));
  });
});

describe("hostile input: memory stays bounded", () => {
  // A trap (a panic, or a stack overflow on input deeper than the guard
  // allows) poisons the wasm instance; the next call loads a fresh one. The
  // old one must then be garbage: before, every reload stayed reachable from
  // Node's module registry (~2 MB per trap here, ~16 MB after a large file).
  const pkgDir = join(project, "node_modules", "perf-optimizer");
  const rssAfter = (body) => {
    const script = join(mkdtempSync(join(tmpdir(), "perf-rss-")), "rss.mjs");
    writeFileSync(script, `const rss = () => process.memoryUsage().rss / 1048576;\n${body}`);
    const r = node([script]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1));
  };

  test("200 analyses that each end in a trap: RSS growth under 150 MB", () => {
    const { start, end } = rssAfter(`
      const { callCore } = await import(${JSON.stringify(join(pkgDir, "js", "core.js"))});
      const { coreAnalyze } = await import(${JSON.stringify(join(pkgDir, "js", "analyze.js"))});
      const source = "export async function f(env, keys) {\\n" + "  for (const k of keys) { await env.KV.get(k); }\\n".repeat(500) + "}\\n";
      const analyze = () => callCore("a.js", (c) => coreAnalyze(c, { files: [{ path: "a.js", source }], scope: "all" }));
      analyze();
      const start = rss();
      for (let i = 0; i < 200; i++) {
        analyze();
        try { callCore("a test input", (c) => c.__panicForTests()); } catch {}
      }
      const report = analyze();
      if (!report.diagnostics.some((d) => d.rule === "subrequest-in-loop")) throw new Error("the fresh instance does not analyze");
      console.log(JSON.stringify({ start, end: rss() }));`);
    // Measured: +23 MB (before: +400 MB).
    assert.ok(end - start < 150, `RSS grew from ${start.toFixed(0)} to ${end.toFixed(0)} MB`);
  });

  test("an esbuild context rebuilt 200 times over a project with a pathological file: the file is reported, RSS stays flat", () => {
    const dir = mkdtempSync(join(tmpdir(), "perf-deep-"));
    writeFileSync(join(dir, "index.js"), 'import { x } from "./deep.js";\nexport default { fetch: () => new Response(String(x)) };\n');
    // 100,000 chained additions: before the depth guard, a stack overflow.
    writeFileSync(join(dir, "deep.js"), `export const x = a${"+a".repeat(100_000)};\nvar a = 1;\n`);
    const { start, end, warnings } = rssAfter(`
      const esbuild = await import(${JSON.stringify(createRequire(join(project, "package.json")).resolve("esbuild"))});
      const { default: perfOptimizer } = await import(${JSON.stringify(join(pkgDir, "js", "esbuild.js"))});
      const ctx = await esbuild.context({ absWorkingDir: ${JSON.stringify(dir)}, entryPoints: ["index.js"], bundle: true, format: "esm", outdir: "out",
        write: false, logLevel: "silent", plugins: [perfOptimizer()] });
      let result = await ctx.rebuild();
      const start = rss();
      for (let i = 0; i < 200; i++) result = await ctx.rebuild();
      await ctx.dispose();
      console.log(JSON.stringify({ start, end: rss(), warnings: result.warnings.map((w) => w.text) }));`);
    assert.ok(warnings.some((w) => /deep\.js was not analyzed: nesting deeper than 500 levels/.test(w)), JSON.stringify(warnings));
    assert.ok(end - start < 150, `RSS grew from ${start.toFixed(0)} to ${end.toFixed(0)} MB`);
  });
});

describe("esbuild plugin", () => {
  test("build(): findings are esbuild warnings with locations", async () => {
    const result = await esbuild.build(buildOptions(warnOnly()));
    assert.ok(result.metafile, "the plugin turns on the metafile");
    const clone = result.warnings.find((w) => w.id === "json-deep-clone");
    assert.ok(clone, JSON.stringify(result.warnings.map((w) => w.text)));
    assert.equal(clone.pluginName, "perf-optimizer");
    assert.equal(clone.location.file, "src/routes/orders.ts");
    assert.ok(clone.location.lineText.slice(clone.location.column).startsWith("JSON.parse"));
  });

  test("build(): esbuild prints the warnings itself", () => {
    const script = `
      import * as esbuild from "esbuild";
      import perfOptimizer from "perf-optimizer/esbuild";
      await esbuild.build({ entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "neutral",
        conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["cloudflare:*", "node:*", "buffer"],
        outdir: ${JSON.stringify(mkdtempSync(join(tmpdir(), "perf-print-")))}, logLevel: "warning", color: false,
        plugins: [perfOptimizer({ configDir: ${JSON.stringify(warnOnlyDir)} })] });`;
    const file = join(project, "print-build.mjs");
    writeFileSync(file, script);
    const r = node([file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /▲ \[WARNING\] JSON\.parse\(JSON\.stringify\(order\)\) deep-clones through a string \[json-deep-clone\] \[plugin perf-optimizer\]/);
    assert.match(r.stderr, /src\/routes\/orders\.ts:\d+:\d+:/);
  });

  test("context().rebuild(): warnings are returned and printed on every rebuild", async () => {
    const ctx = await esbuild.context(buildOptions(warnOnly()));
    try {
      const first = await ctx.rebuild();
      const second = await ctx.rebuild();
      for (const r of [first, second]) assert.ok(r.warnings.some((w) => w.id === "json-deep-clone"));
    } finally {
      await ctx.dispose();
    }
    const script = `
      import * as esbuild from "esbuild";
      import perfOptimizer from "perf-optimizer/esbuild";
      const ctx = await esbuild.context({ entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "neutral",
        conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["cloudflare:*", "node:*", "buffer"],
        outdir: ${JSON.stringify(mkdtempSync(join(tmpdir(), "perf-print-")))}, logLevel: "warning", color: false,
        plugins: [perfOptimizer({ configDir: ${JSON.stringify(warnOnlyDir)} })] });
      await ctx.rebuild();
      await ctx.dispose();`;
    const file = join(project, "print-context.mjs");
    writeFileSync(file, script);
    const r = node([file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[json-deep-clone\] \[plugin perf-optimizer\]/);
  });

  test("build() and context().rebuild() hand over and print the same messages", async () => {
    // Warnings: in the result and printed once, the same way in both modes.
    const built = await esbuild.build(buildOptions(warnOnly()));
    const ctx = await esbuild.context(buildOptions(warnOnly()));
    let rebuilt;
    try {
      rebuilt = await ctx.rebuild();
    } finally {
      await ctx.dispose();
    }
    const ours = (r) => r.warnings.filter((w) => w.pluginName === "perf-optimizer").map((w) => `${w.id} ${w.location?.file}:${w.location?.line}:${w.location?.column}`);
    assert.ok(ours(built).length > 0);
    assert.deepEqual(ours(rebuilt), ours(built));
    // Errors: returned, so both modes fail with them.
    const failure = async (run) => run().then(() => assert.fail("the build passed"), (e) => e.errors.map((m) => m.id).sort());
    const fromBuild = await failure(() => esbuild.build(buildOptions(perfOptimizer())));
    const fromContext = await failure(async () => {
      const c = await esbuild.context(buildOptions(perfOptimizer()));
      try {
        return await c.rebuild();
      } finally {
        await c.dispose();
      }
    });
    assert.ok(fromBuild.includes("drizzle-delete-without-where"));
    assert.deepEqual(fromContext, fromBuild);
    // What reaches the terminal: the same lines for both calls.
    const printed = (call) => {
      const file = join(project, `print-${call}.mjs`);
      writeFileSync(file, `
        import * as esbuild from "esbuild";
        import perfOptimizer from "perf-optimizer/esbuild";
        const options = { entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "neutral",
          conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["cloudflare:*", "node:*", "buffer"],
          outdir: ${JSON.stringify(mkdtempSync(join(tmpdir(), "perf-print-")))}, logLevel: "warning", color: false,
          plugins: [perfOptimizer({ configDir: ${JSON.stringify(warnOnlyDir)} })] };
        if (${JSON.stringify(call)} === "build") await esbuild.build(options);
        else { const ctx = await esbuild.context(options); await ctx.rebuild(); await ctx.dispose(); }`);
      const r = node([file]);
      assert.equal(r.code, 0, r.stderr);
      return r.stderr;
    };
    const viaBuild = printed("build");
    assert.match(viaBuild, /\[json-deep-clone\] \[plugin perf-optimizer\]/);
    assert.equal(viaBuild.split("[json-deep-clone]").length, 2, "printed once");
    assert.equal(printed("context"), viaBuild);
  });

  test("an error-severity finding fails the build, at its line", async () => {
    await assert.rejects(
      esbuild.build(buildOptions(perfOptimizer())),
      (error) => error.errors.some((e) => e.id === "drizzle-delete-without-where" && e.location?.file === "src/routes/orders.ts"),
    );
  });

  test("a bundle over the size limit fails the build with an esbuild error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "perf-limit-"));
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ limits: { scriptBytes: 10000 } }));
    await assert.rejects(
      esbuild.build(buildOptions(perfOptimizer({ configDir: dir }))),
      (error) => error.errors.some((e) => e.pluginName === "perf-optimizer" && /budget exceeded: script size/.test(e.text)),
    );
  });

  test("the size summary prints at esbuild's info log level", () => {
    const script = `
      import * as esbuild from "esbuild";
      import perfOptimizer from "perf-optimizer/esbuild";
      await esbuild.build({ entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "neutral",
        conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["cloudflare:*", "node:*", "buffer"],
        outdir: ${JSON.stringify(mkdtempSync(join(tmpdir(), "perf-info-")))}, logLevel: "info", color: false,
        plugins: [perfOptimizer({ configDir: ${JSON.stringify(warnOnlyDir)} })] });`;
    const file = join(project, "info-build.mjs");
    writeFileSync(file, script);
    const r = node([file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[perf-optimizer\]\nBundle .*index\.js/);
    assert.match(r.stderr, /Composition/);
  });
});

describe("wrangler hook", () => {
  test("checkWranglerBundle() analyzes wrangler's own dry-run bundle", async () => {
    const report = await wrangler.checkWranglerBundle({ dir: project });
    assert.ok(report.bundle.outputs[0].bytes > 100_000);
  });

  test("as predeploy it stops the deploy when a budget is exceeded", () => {
    const pkgPath = join(project, "package.json");
    const original = readFileSync(pkgPath, "utf8");
    const pkg = JSON.parse(original);
    pkg.scripts = { predeploy: "perf-optimizer check --config tiny.json", deploy: "echo DEPLOYED" };
    writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
    writeFileSync(join(project, "tiny.json"), JSON.stringify({ limits: { scriptBytes: 1000 } }));
    try {
      const failing = spawnSync("npm", ["run", "deploy"], { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.notEqual(failing.status, 0);
      assert.doesNotMatch(failing.stdout, /DEPLOYED/);
      assert.match(failing.stdout, /✗ script size/);
      writeFileSync(join(project, "tiny.json"), JSON.stringify(WARN_ONLY));
      const passing = spawnSync("npm", ["run", "deploy"], { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(passing.status, 0, passing.stderr);
      assert.match(passing.stdout, /DEPLOYED/);
    } finally {
      writeFileSync(pkgPath, original);
    }
  });

  test("wranglerHook() returns the exit code and prints the report", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "perf-hook-")), "r.json");
    assert.equal(await wrangler.wranglerHook({ dir: project, format: "json", output: out }), 1, "the example has an error finding");
    assert.equal(await wrangler.wranglerHook({ dir: project, format: "json", output: out, config: join(warnOnlyDir, "perf-optimizer.config.json") }), 0);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).version, 1);
  });
});

describe("types", () => {
  test("a consumer importing all three entry points type-checks with tsc --strict", () => {
    const dir = project;
    writeFileSync(
      join(dir, "consumer.ts"),
      `import { check, lint, analyzeBundle, profile, rules, render, exitCode, type Report, type Diagnostic, type ProfileOptions, type ProfileRoute } from "perf-optimizer";
import perfOptimizer, { type PerfOptimizerPluginOptions } from "perf-optimizer/esbuild";
import { checkWranglerBundle, wranglerHook } from "perf-optimizer/wrangler";
import type { Plugin } from "esbuild";

async function main(): Promise<number> {
  const report: Report = await check(".", { config: undefined });
  const first: Diagnostic | undefined = report.diagnostics[0];
  const line: number | undefined = first?.line;
  const lintReport = await lint(["src"]);
  const bundleReport = await analyzeBundle({ metafile: { inputs: {}, outputs: {} } });
  const text: string = render(report, "markdown");
  const ids: string[] = rules().map((r) => r.id);
  const options: PerfOptimizerPluginOptions = { config: "perf.json", lint: true };
  const plugin: Plugin = perfOptimizer(options);
  const hooked: Report = await checkWranglerBundle({ dir: "." });
  const code: 0 | 1 | 2 = await wranglerHook({ dir: ".", format: "json" });
  const profileOptions: ProfileOptions = { requests: [{ method: "GET", path: "/items", weight: 2 }], count: 20, concurrency: 2, maxSeconds: 10, stub: { delayMs: 5 } };
  const profiled = async (): Promise<number | undefined> => {
    const routes: ProfileRoute[] = (await profile(".", profileOptions)).profile?.routes ?? [];
    return routes[0]?.cpuMs?.p95;
  };
  void [line, lintReport, bundleReport, text, ids, plugin, hooked, code, profiled];
  return exitCode(report);
}
void main();
`,
    );
    writeFileSync(
      join(dir, "tsconfig.consumer.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", types: ["node"], skipLibCheck: false }, files: ["consumer.ts"] }),
    );
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    const r = node([tsc, "-p", "tsconfig.consumer.json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
