// `perf-optimizer check` on a Vite project, zero-config: the CLI of the
// packed package finds the Vite config that uses @cloudflare/vite-plugin,
// runs the project's own `vite build` (or, with --no-build, reuses the last
// one), finds the Worker's output through .wrangler/deploy/config.json and
// the wrangler.json the plugin writes there, and analyzes it with the Vite
// plugin's code. On tests/fixtures/vite-worker (Vite 8.0.9, Rolldown) and
// its Vite 7.3.2 (Rollup) copy, installed by the test set-up (tests/scratch.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { project } from "./helpers.mjs";
import { viteFixtureDir } from "./scratch.mjs";

const fixture = viteFixtureDir(project);
const fixture7 = viteFixtureDir(project, { variant: "vite7" });
const fixture6 = viteFixtureDir(project, { variant: "vite6" });
const WORKER_ENV = "vite_fixture_worker";
const WORKER_PACKAGES = ["@asteasolutions/zod-to-openapi@8.5.0", "chanfana@3.4.0", "hono@4.13.19", "js-yaml@4.3.2", "moment@2.31.0", "zod@3.25.76", "zod@4.6.7"];
const work = mkdtempSync(join(tmpdir(), "perf-vite-check-"));
/** The vite installed in `dir` (8.0.9 and 7.3.2 here; the newest on the current toolchain's leg). */
const viteVersion = (dir) => JSON.parse(readFileSync(join(dir, "node_modules", "vite", "package.json"), "utf8")).version;
const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
after(() => rmSync(work, { recursive: true, force: true }));

/** The packed CLI, as installed in the fixture (and found from its cases/ folders above them). */
const bin = (dir) => join(dir.includes("/cases/") ? dir.slice(0, dir.indexOf("/cases/")) : dir, "node_modules", "perf-optimizer", "js", "cli.js");

/** `perf-optimizer …args` in `dir`. */
function check(dir, args = []) {
  const r = spawnSync(process.execPath, [bin(dir), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `vite build` in `dir` with the config `config`. */
function viteBuild(dir, config) {
  const r = spawnSync(process.execPath, [join(dir.includes("/cases/") ? fixture : dir, "node_modules", "vite", "bin", "vite.js"), "build", "--config", config], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: "1", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** 1-based line of the first line of `file` (in `dir`) containing `text`. */
const lineOf = (dir, file, text) => readFileSync(join(dir, file), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

const findings = (report) => report.diagnostics.map((d) => `${d.rule} ${d.message.match(/^`([^`]+)`/)?.[1]} ${d.file}:${d.line}`).sort();
const packages = (report) => report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort();

/**
 * A copy of the fixture's project (sources, wrangler and Vite configs) in
 * a folder of the fixture, `cases/NAME`: its packages resolve from the
 * fixture's node_modules above it.
 */
function copyOfFixture(name, from = fixture) {
  const dir = join(from, "cases", name);
  rmSync(dir, { recursive: true, force: true });
  for (const file of ["src", "index.html", "wrangler.jsonc", "vite.config.mjs"]) cpSync(join(from, file), join(dir, file), { recursive: true });
  return dir;
}

describe("check on a Vite project (Vite 8)", () => {
  const json = check(fixture, ["--format", "json"]);
  const report = JSON.parse(json.stdout || "null");
  const chanfana = lineOf(fixture, "src/worker.ts", 'from "chanfana"');

  test("says it runs the project's vite build, runs it, and exits 0", () => {
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stderr.split("\n");
    assert.equal(lines[0], `perf-optimizer: vite.config.mjs uses @cloudflare/vite-plugin: running the project's vite build (vite ${viteVersion(fixture)}); --no-build analyzes the last build instead`);
    // Vite's own log follows on stderr (stdout is the report alone).
    assert.match(json.stderr, new RegExp(`building ${WORKER_ENV} environment for production`));
  });

  test("the Worker's output: its files, packages, your files and findings", () => {
    assert.deepEqual(
      report.bundle.outputs.map((o) => [o.path, o.bytes]).sort(),
      ["index.js", ...readdirJs(join(fixture, "dist", WORKER_ENV, "assets")).map((f) => `assets/${f}`)]
        .map((f) => [`dist/${WORKER_ENV}/${f}`, statSync(join(fixture, "dist", WORKER_ENV, f)).size])
        .sort(),
    );
    assert.deepEqual(packages(report), WORKER_PACKAGES);
    assert.deepEqual(report.bundle.modules.filter((m) => !m.package).map((m) => m.path).sort(), ["src/time.ts", "src/worker.ts"]);
    assert.deepEqual(findings(report), [
      `duplicate-package zod src/worker.ts:${chanfana}`,
      `heavy-dependency moment src/time.ts:${lineOf(fixture, "src/time.ts", 'from "moment"')}`,
      `heavy-dependency zod src/worker.ts:${chanfana}`,
    ]);
    assert.deepEqual(report.bundle.duplicates.map((d) => d.name), ["zod"]);
    // The client's lodash is a static asset: not in the Worker's report.
    assert.ok(!report.bundle.packages.some((p) => p.name === "lodash"));
    const total = report.bundle.outputs.reduce((s, o) => s + o.bytes, 0);
    assert.equal(report.bundle.packages.reduce((s, p) => s + p.bytes, 0) + report.bundle.firstPartyBytes + report.bundle.runtimeBytes, total);
  });

  test("the pretty report prints the composition, the findings and the budgets", () => {
    const r = check(fixture, ["--no-build"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Bundle dist/${WORKER_ENV}/index\\.js `, "m"));
    assert.match(r.stdout, /Composition \(bytes in the output\)\n {2}zod@4\.6\.7 /);
    assert.match(r.stdout, /Duplicate packages\n {2}zod {2}4\.6\.7, 3\.25\.76/);
    assert.match(r.stdout, /src\/time\.ts\n +1:1 +warning `moment` is heavy for a Worker/);
    assert.match(r.stdout, /Budgets\n {2}✓ script size \(free plan limit\)/);
  });

  test("the same report as the Vite plugin's for the same build", () => {
    const file = join(work, "plugin-report.json");
    writeFileSync(
      join(fixture, "vite.check-same.mjs"),
      `import { defineConfig } from "vite";
import { cloudflare } from "@cloudflare/vite-plugin";
import perfOptimizer from "perf-optimizer/vite";
import { writeFileSync } from "node:fs";
export default defineConfig({ plugins: [cloudflare(), perfOptimizer({ onReport: (report) => writeFileSync(${JSON.stringify(file)}, JSON.stringify(report)) })] });
`,
    );
    const built = viteBuild(fixture, "vite.check-same.mjs");
    assert.equal(built.code, 0, built.output);
    // The plugin's build, reused: check runs no build of its own.
    const r = check(fixture, ["--no-build", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /running the project's vite build|building .* environment/);
    const fromCheck = JSON.parse(r.stdout);
    const fromPlugin = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(fromCheck.bundle, fromPlugin.bundle);
    assert.deepEqual(fromCheck.diagnostics, fromPlugin.diagnostics);
    assert.deepEqual(fromCheck.budgets, fromPlugin.budgets);
  });

  test("--no-build reuses the output on disk and does not build", () => {
    const main = join(fixture, "dist", WORKER_ENV, "index.js");
    const before = statSync(main).mtimeMs;
    const r = check(fixture, ["--no-build", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(statSync(main).mtimeMs, before);
    assert.deepEqual(packages(JSON.parse(r.stdout)), WORKER_PACKAGES);
  });

  test("a budget exceeded is exit 1, with the budget named", () => {
    writeFileSync(join(fixture, "perf-optimizer.config.json"), JSON.stringify({ budgets: [{ metric: "gzip", max: "100 kB" }] }));
    try {
      const r = check(fixture, ["--no-build"]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /✗ gzip size {2}[\d.]+ KiB \/ 97\.7 KiB/);
    } finally {
      rmSync(join(fixture, "perf-optimizer.config.json"));
    }
  });

  test("--startup measures the built Worker in workerd, attributed to its packages", () => {
    const r = check(fixture, ["--startup", "--runs", "1", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr.split("\n")[0], new RegExp(`running the project's vite build \\(vite ${escaped(viteVersion(fixture))}, with hidden source maps for --startup\\)`));
    const report = JSON.parse(r.stdout);
    const startup = report.startup;
    assert.equal(startup.runs, 1);
    assert.ok(startup.totalMs > 0, JSON.stringify(startup));
    assert.equal(report.budgets.find((b) => b.metric === "startup")?.actual, startup.totalMs);
    // Attributed through the output's source maps to the Worker's packages.
    const names = startup.contributors.filter((c) => c.kind === "package").map((c) => c.name);
    assert.ok(names.some((n) => ["hono", "zod", "moment", "chanfana", "js-yaml"].includes(n)), JSON.stringify(startup.contributors));
    assert.deepEqual(packages(report), WORKER_PACKAGES);
    // Attributed through the map check's build wrote (hidden, unless the project or @cloudflare/vite-plugin asks for maps).
    assert.ok(existsSync(join(fixture, "dist", WORKER_ENV, "index.js.map")));
  });

  test("an output changed since its build is not analyzed with a stale record: exit 2", () => {
    const dir = copyOfFixture("stale");
    assert.equal(check(dir, ["--quiet"]).code, 0);
    appendFileSync(join(dir, "dist", WORKER_ENV, "index.js"), "\n// changed\n");
    const r = check(dir, ["--no-build"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, new RegExp(`^perf-optimizer: dist/${WORKER_ENV}/index\\.js: cannot analyze this output: dist/${WORKER_ENV}/index\\.js changed since perf-optimizer recorded its build`));
  });
});

describe("check on a Vite project: failures are exit 2 with the file and the problem", () => {
  test("a build record that names a file outside the Worker's output is not followed", () => {
    const dir = copyOfFixture("forged");
    assert.equal(check(dir, ["--quiet"]).code, 0);
    const recordFile = join(dir, "node_modules", ".cache", "perf-optimizer", "vite", `${WORKER_ENV}.json`);
    const record = JSON.parse(readFileSync(recordFile, "utf8"));
    record.files["wrangler.jsonc"] = "0".repeat(64);
    writeFileSync(recordFile, JSON.stringify(record));
    const r = check(dir, ["--no-build"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, new RegExp(`cannot analyze this output: its record names wrangler\\.jsonc, outside dist/${WORKER_ENV}`));
  });

  test("a Vite config that does not parse", () => {
    const dir = copyOfFixture("broken-config");
    writeFileSync(join(dir, "vite.config.mjs"), `import { cloudflare } from "@cloudflare/vite-plugin";\nexport default { plugins: [cloudflare()],\n`);
    const r = check(dir);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^perf-optimizer: vite build failed \(vite\.config\.mjs\): .*vite\.config\.mjs:\d+:\d+/m);
    assert.equal(r.stdout, "");
  });

  test("a Worker source that does not parse", () => {
    const dir = copyOfFixture("broken-source");
    appendFileSync(join(dir, "src", "time.ts"), "\nexport const = 1;\n");
    const r = check(dir, ["--quiet"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^perf-optimizer: vite build failed \(vite\.config\.mjs\): .*src\/time\.ts:\d+:\d+/m);
  });

  test("--no-build before any build: no Worker output, and where it was looked for", () => {
    const dir = copyOfFixture("unbuilt");
    const r = check(dir, ["--no-build"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^perf-optimizer: \.: no Worker output to analyze: \.wrangler\/deploy\/config\.json, which @cloudflare\/vite-plugin writes after a build, is missing/m);
  });

  test("an output built without perf-optimizer cannot be reused: exit 2, and what to run", () => {
    const dir = copyOfFixture("plain-build");
    writeFileSync(join(dir, "vite.config.mjs"), `import { defineConfig } from "vite";\nimport { cloudflare } from "@cloudflare/vite-plugin";\nexport default defineConfig({ plugins: [cloudflare()] });\n`);
    const built = viteBuild(dir, "vite.config.mjs");
    assert.equal(built.code, 0, built.output);
    assert.ok(existsSync(join(dir, ".wrangler", "deploy", "config.json")));
    const r = check(dir, ["--no-build"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /cannot analyze this output: perf-optimizer has no record of its build: .*; run perf-optimizer check without --no-build/);
    // Without --no-build, check builds it and analyzes it.
    const again = check(dir, ["--quiet", "--format", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(packages(JSON.parse(again.stdout)), WORKER_PACKAGES);
  });
});

// The Vite 7 and Vite 6 fixtures are set up for the first leg only.
for (const [leg, dir] of [["Vite 7", fixture7], ["Vite 6", fixture6]]) {
  if (existsSync(dir)) describe(`check on a ${leg} (Rollup) project`, () => {
    test("the same packages, files and findings", () => {
      const r = check(dir, ["--format", "json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr.split("\n")[0], new RegExp(`running the project's vite build \\(vite ${escaped(viteVersion(dir))}\\)`));
      const report = JSON.parse(r.stdout);
      assert.deepEqual(packages(report), WORKER_PACKAGES);
      assert.deepEqual(report.bundle.modules.filter((m) => !m.package).map((m) => m.path).sort(), ["src/time.ts", "src/worker.ts"]);
      assert.ok(findings(report).includes(`duplicate-package zod src/worker.ts:${lineOf(dir, "src/worker.ts", 'from "chanfana"')}`), findings(report).join("\n"));
      // The Worker's caching (from the project's wrangler config); on Vite 6
      // also that Vite's esbuild pass rewrote the chunk after rendering.
      const [caching, ...others] = [...report.notes].reverse();
      assert.match(caching, /^Caching \(.*wrangler\.jsonc?\): Workers Cache off, placement none; /);
      const rewritten = /^index\.js was changed after the modules were rendered \(a minifier\?\)/;
      assert.deepEqual(others.filter((n) => !(leg === "Vite 6" && rewritten.test(n))), [], JSON.stringify(report.notes));
    });
  });
}

describe("check --compare-esbuild: the same Worker built by Vite and by esbuild", () => {
  // The esbuild/wrangler path on the same sources: a copy of the Worker with
  // a wrangler config of its own and no Vite config, checked through
  // wrangler's dry run (esbuild inside wrangler 4.x).
  const dir = copyOfFixture("wrangler-build");
  rmSync(join(dir, "vite.config.mjs"));
  writeFileSync(join(dir, "wrangler.jsonc"), JSON.stringify({ name: "wrangler-build", main: "./src/worker.ts", compatibility_date: "2026-04-01" }));
  const wrangler = check(dir, ["--format", "json"]);
  const viaWrangler = JSON.parse(wrangler.stdout || "null");
  const compared = check(fixture, ["--no-build", "--compare-esbuild", "--format", "json"]);
  const report = JSON.parse(compared.stdout || "null");
  const notes = report?.notes ?? [];
  const byName = (r) => new Map(r.bundle.packages.map((p) => [`${p.name}@${p.version}`, p]));

  test("both paths list the same packages and first-party files", () => {
    assert.equal(wrangler.code, 0, wrangler.stderr);
    assert.equal(compared.code, 0, compared.stderr);
    assert.deepEqual([...byName(viaWrangler).keys()].sort(), WORKER_PACKAGES);
    assert.deepEqual(viaWrangler.bundle.modules.filter((m) => !m.package).map((m) => m.path).sort(), ["src/time.ts", "src/worker.ts"]);
    assert.match(notes[0], /^Compared with esbuild on the same entry \(wrangler's settings\): the same 7 packages, the same 2 files of yours; \d+ packages? differs? by more than 5% in bytes\.$/);
  });

  test("every package that differs by more than 5% is named with both sizes and measured reasons", () => {
    const vite = byName(report);
    const esbuild = byName(viaWrangler);
    const differing = [...vite.keys()].filter((k) => Math.abs(vite.get(k).bytes - esbuild.get(k).bytes) > 0.05 * esbuild.get(k).bytes);
    assert.ok(differing.length > 0);
    const kib = (n) => (n / 1024).toFixed(1);
    for (const key of differing) {
      const p = vite.get(key);
      const note = notes.find((n) => n.startsWith(`${p.name} (${p.paths[0]}): `));
      assert.ok(note, `${key} in\n${notes.join("\n")}`);
      const [, here, there] = /: ([\d.]+) KiB in the Vite build, ([\d.]+) KiB from esbuild/.exec(note);
      assert.equal(here, kib(p.bytes), note);
      // esbuild's bytes as wrangler's own dry run bundles them, within 1% (wrangler's esbuild, its settings).
      assert.ok(Math.abs(Number(there) - esbuild.get(key).bytes / 1024) <= 0.01 * (esbuild.get(key).bytes / 1024) + 0.1, `${note}\nwrangler: ${kib(esbuild.get(key).bytes)}`);
      assert.match(note, /(indentation|comments|modules only in|other code)/);
    }
  });

  test("a package resolved to another entry is explained by its modules, with their formats", () => {
    const moment = notes.find((n) => n.startsWith("moment (node_modules/moment): "));
    assert.ok(moment, notes.join("\n"));
    const viteModules = report.bundle.modules.filter((m) => m.package === "moment").map((m) => m.path);
    // (wrangler's build is in cases/wrangler-build: its paths are relative to that folder)
    const esbuildModules = viaWrangler.bundle.modules.filter((m) => m.package === "moment").map((m) => m.path.replace(/^(\.\.\/)+/, ""));
    assert.deepEqual(viteModules, ["node_modules/moment/dist/moment.js"]);
    assert.deepEqual(esbuildModules, ["node_modules/moment/moment.js"]);
    assert.match(moment, /modules only in esbuild's build: node_modules\/moment\/moment\.js \([\d.]+ KiB, CommonJS\)/);
    assert.match(moment, /modules only in the Vite build: node_modules\/moment\/dist\/moment\.js \([\d.]+ KiB, ESM\)/);
  });

  test("comment and indentation bytes are counted outside strings, templates and regular expressions", async () => {
    const { textShape } = await import(join(fixture, "node_modules", "perf-optimizer", "js", "compare.js"));
    const code = [
      "/* block */",
      'const a = "// not a comment", b = \'/* nor this */\';',
      "const r = /\\/\\*[/]x/g; // line",
      "\tconst t = `${a /* in a template expression */} // in a template`;",
      "  if (x) return /re/.test(y) / 2; //! kept",
    ].join("\n");
    const comments = ["/* block */", "// line", "/* in a template expression */", "//! kept"].reduce((s, c) => s + c.length, 0);
    assert.deepEqual(textShape(code), { comments, indentation: 3 });
  });
});

describe("check's Vite options in the types", () => {
  test("a consumer passing build, quiet and log type-checks", () => {
    writeFileSync(
      join(fixture, "consumer-check.ts"),
      `import { check, type Report } from "perf-optimizer";
const report: Promise<Report> = check(".", { build: false, quiet: true, log: (text: string) => void text, startup: false, compareEsbuild: true });
void report;
`,
    );
    writeFileSync(
      join(fixture, "tsconfig.consumer-check.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", types: ["node"], skipLibCheck: false }, files: ["consumer-check.ts"] }),
    );
    const r = spawnSync(process.execPath, [join(fixture, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.consumer-check.json"], { cwd: fixture, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

/** The .js files in `dir` (none if it does not exist). */
const readdirJs = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".js")) : []);
