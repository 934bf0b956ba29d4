// The Vite plugin (perf-optimizer/vite) on a Worker built by the real
// `vite build` with @cloudflare/vite-plugin 1.34.0: tests/fixtures/vite-worker,
// a Hono Worker with moment, zod 3 and chanfana 3 (which brings zod 4), and a
// tiny client that imports lodash; on Vite 8.0.9 (Rolldown) and on Vite 7.3.2
// (Rollup, whose chunks Vite's esbuild pass rewrites after rendering).
// Installed with the packed tarball by the test set-up (tests/scratch.mjs);
// nothing here needs the network.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { project } from "./helpers.mjs";
import { viteFixtureDir } from "./scratch.mjs";

const fixture = viteFixtureDir(project);
const fixture7 = viteFixtureDir(project, { variant: "vite7" });
const fixture6 = viteFixtureDir(project, { variant: "vite6" });
/** The Vite 7 fixture is set up for the first leg only (the current toolchain's leg runs Vite 8 at its newest). */
const hasVite7 = existsSync(fixture7);
const hasVite6 = existsSync(fixture6);
const WORKER_ENV = "vite_fixture_worker";
/** The Worker's packages (name@version), the same from Rolldown and Rollup: chanfana brings zod 4 and zod-to-openapi. */
const WORKER_PACKAGES = ["@asteasolutions/zod-to-openapi@8.5.0", "chanfana@3.4.0", "hono@4.13.19", "js-yaml@4.3.2", "moment@2.31.0", "zod@3.25.76", "zod@4.6.7"];
const workerDir = join(fixture, "dist", WORKER_ENV);
const work = mkdtempSync(join(tmpdir(), "perf-vite-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** 1-based line of the first line of `file` (in the fixture) containing `text`. */
const lineOf = (file, text) => {
  const line = readFileSync(join(fixture, file), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
  assert.ok(line > 0, `${file} has no line with ${text}`);
  return line;
};

/** Writes a Vite config into the fixture `dir`: @cloudflare/vite-plugin (unless `cloudflare: false`) and the plugin with `options` (source text). */
function viteConfig(name, { options = "{}", extra = "", cloudflare = true, dir = fixture, config = "", cloudflareOptions = "" } = {}) {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { defineConfig } from "vite";
import { cloudflare } from "@cloudflare/vite-plugin";
import perfOptimizer from "perf-optimizer/vite";
import { writeFileSync } from "node:fs";
${extra}
export default defineConfig({ ${config}plugins: [${cloudflare ? `cloudflare(${cloudflareOptions}), ` : ""}perfOptimizer(${options})${extra ? ", probe" : ""}] });
`,
  );
  return name;
}

/** Runs `vite build` in the fixture `dir` (the project's own vite) with config `config`. */
function viteBuild(config, dir = fixture) {
  const r = spawnSync(process.execPath, [join(dir, "node_modules", "vite", "bin", "vite.js"), "build", "--config", config], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: "1", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A perf-optimizer config in its own folder (for `configDir`). */
function configDir(config) {
  const dir = mkdtempSync(join(work, "config-"));
  writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify(config));
  return dir;
}

/** Every file under `dir`, relative to it. */
const filesUnder = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));

/** The report's "12.1 KiB" for `n` bytes (src/model/text.rs `human`). */
const human = (n) => (n < 1024 ? `${n} B` : n < 1023.95 * 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${+(n / 1048576).toFixed(2)} MiB`);

/**
 * Each module's part of a chunk as Rolldown wrote it, `[path, text]`: between
 * its `//#region <path>` and `//#endregion` lines (Rolldown 1.0, Vite 8.0),
 * or (Rolldown 1.3, Vite 8.4) from its `// <path>` line to the next module's
 * line or the end (without the source map comment); there, a line is a
 * module's when it names a file under `dir` or a virtual module (`\0…`).
 */
function writtenParts(code, dir) {
  const regions = [...code.matchAll(/^\/\/#region (.*)\n([^]*?)^\/\/#endregion\n/gm)].map((m) => [m[1], m[2]]);
  if (regions.length) return regions;
  const body = code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, "\n");
  const lines = [...body.matchAll(/^\/\/ (.+)$/gm)].filter((m) => m[1].startsWith("\\0") || existsSync(join(dir, m[1])));
  return lines.map((m, i) => [m[1], body.slice(m.index + m[0].length + 1, lines[i + 1]?.index ?? body.length)]);
}

/** `node_modules/x` (or a nested `…/node_modules/@s/y`) for a file in a package, else the path itself. */
function packageRootOr(path) {
  const at = path.lastIndexOf("node_modules/");
  if (at < 0) return path;
  const [first, second] = path.slice(at + 13).split("/");
  return path.slice(0, at + 13) + (first.startsWith("@") ? `${first}/${second}` : first);
}

// The build whose report the composition tests check. The truth it is
// checked against is taken from the files as written, independently of
// perf-optimizer's code: Rolldown writes each module between
// `//#region <path>` and `//#endregion` lines. A probe next to the plugin
// records which modules the client has. (Vite resolves the config afresh for
// each environment's build: one file each.)
const reportFile = join(work, "report.json");
const probeFile = (env) => join(work, `probe-${env}.json`);
const probe = `
const probe = {
  name: "probe",
  writeBundle(_, bundle) {
    const env = this.environment.name;
    const ids = Object.values(bundle).flatMap((chunk) => (chunk.type === "chunk" ? Object.keys(chunk.modules) : []));
    writeFileSync(${JSON.stringify(join(work, "probe-"))} + (env === "client" ? "client" : "worker") + ".json", JSON.stringify(ids));
  },
};`;
const composition = viteBuild(viteConfig("vite.report.mjs", { options: `{ onReport: (report, context) => writeFileSync(${JSON.stringify(reportFile)}, JSON.stringify({ report, context })) }`, extra: probe }));

describe("vite build with perf-optimizer/vite: the Worker environment", () => {
  const { report, context } = JSON.parse(readFileSync(reportFile, "utf8"));
  const seen = { worker: JSON.parse(readFileSync(probeFile("worker"), "utf8")), client: JSON.parse(readFileSync(probeFile("client"), "utf8")) };
  /** The bytes between each module's region lines in the Worker's files, per package folder and per first-party file. */
  const truth = { packages: new Map(), files: new Map() };
  for (const file of filesUnder(workerDir).filter((f) => f.endsWith(".js"))) {
    const parts = writtenParts(readFileSync(join(workerDir, file), "utf8"), fixture);
    for (const [path, body] of parts) {
      if (path.startsWith("\\0")) continue; // generated: the runtime
      const key = packageRootOr(path);
      const into = key === path ? truth.files : truth.packages;
      into.set(key, (into.get(key) ?? 0) + Buffer.byteLength(body));
    }
  }

  test("the build passes and reports the Worker environment, once", () => {
    assert.equal(composition.code, 0, composition.output);
    assert.deepEqual(context, { environment: WORKER_ENV });
  });

  test("the packages: names, versions and their bytes as written", () => {
    assert.deepEqual(report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort(), WORKER_PACKAGES);
    const reported = new Map(report.bundle.packages.flatMap((p) => p.paths.map((root) => [root, p.bytes])));
    assert.deepEqual(new Map([...reported].sort()), new Map([...truth.packages].sort()));
    assert.deepEqual(report.bundle.packages.find((p) => p.version === "4.6.7").paths, ["node_modules/chanfana/node_modules/zod"]);
  });

  test("the first-party files and their bytes", () => {
    const files = report.bundle.modules.filter((m) => !m.package);
    assert.deepEqual(new Map(files.map((m) => [m.path, m.bytes]).sort()), new Map([...truth.files].sort()));
    assert.deepEqual([...truth.files.keys()].sort(), ["src/time.ts", "src/worker.ts"]);
    const workerFiles = seen.worker.filter((id) => !id.startsWith("\0") && !id.includes("/node_modules/")).map((id) => relative(fixture, id));
    assert.deepEqual(workerFiles.sort(), ["src/time.ts", "src/worker.ts"]);
    assert.equal(report.bundle.firstPartyBytes, truth.files.get("src/time.ts") + truth.files.get("src/worker.ts"));
    assert.deepEqual(report.files.map((f) => f.path).sort(), ["src/time.ts", "src/worker.ts"]);
  });

  test("the outputs are the Worker's files on disk; nothing of the client is counted", () => {
    const onDisk = filesUnder(workerDir).filter((f) => f.endsWith(".js"));
    assert.deepEqual(
      report.bundle.outputs.map((o) => [o.path, o.bytes]).sort(),
      onDisk.map((f) => [relative(fixture, join(workerDir, f)).split("\\").join("/"), statSync(join(workerDir, f)).size]).sort(),
    );
    const total = report.bundle.outputs.reduce((s, o) => s + o.bytes, 0);
    const packages = report.bundle.packages.reduce((s, p) => s + p.bytes, 0);
    assert.equal(packages + report.bundle.firstPartyBytes + report.bundle.runtimeBytes, total);
    // The client has modules of its own (lodash, src/client.ts): none is in the Worker's report.
    assert.ok(seen.client.some((id) => id.endsWith("src/client.ts")), JSON.stringify(seen.client));
    assert.ok(seen.client.some((id) => id.includes("/node_modules/lodash/")), JSON.stringify(seen.client));
    const paths = new Set(report.bundle.modules.map((m) => m.path));
    for (const id of seen.client.filter((id) => !id.startsWith("\0"))) assert.ok(!paths.has(relative(fixture, id)), id);
    assert.ok(!report.bundle.packages.some((p) => p.name === "lodash"));
    assert.ok(!report.bundle.outputs.some((o) => o.path.includes("/client/")));
  });

  test("duplicates and findings come from the same analysis as the esbuild path", () => {
    assert.deepEqual(
      report.bundle.duplicates.map((d) => [d.name, [...d.versions].sort()]),
      [["zod", ["3.25.76", "4.6.7"]]],
    );
    // Every finding of the report: the Worker's bundle findings, at the import lines.
    const findings = report.diagnostics
      .map((d) => `${d.rule} ${d.message.match(/^`([^`]+)`/)?.[1]} ${d.file}:${d.line}`)
      .sort();
    assert.deepEqual(findings, [
      `duplicate-package zod src/worker.ts:${lineOf("src/worker.ts", 'from "chanfana"')}`,
      `heavy-dependency moment src/time.ts:${lineOf("src/time.ts", 'from "moment"')}`,
      `heavy-dependency zod src/worker.ts:${lineOf("src/worker.ts", 'from "chanfana"')}`,
    ]);
    assert.deepEqual(report.budgets.map((b) => [b.name, b.passed]), [["script size (free plan limit)", true]]);
  });
});

describe("vite build with perf-optimizer/vite: what the user sees", () => {
  const run = viteBuild("vite.config.mjs");

  test("findings are Vite warnings, at their file and line", () => {
    assert.equal(run.code, 0, run.output);
    const { report } = JSON.parse(readFileSync(reportFile, "utf8"));
    const zod4 = report.bundle.packages.find((p) => p.name === "zod" && p.version === "4.6.7").bytes;
    const warnings = run.output.split("\n").filter((l) => l.startsWith("[plugin perf-optimizer]"));
    const chanfana = lineOf("src/worker.ts", 'from "chanfana"');
    assert.deepEqual(
      warnings.map((w) => w.replace(/ \(.*$/, "").replace(/: use Intl.*$/, "")),
      [
        `[plugin perf-optimizer] src/time.ts:${lineOf("src/time.ts", 'from "moment"')}:1: \`moment\` is heavy for a Worker`,
        `[plugin perf-optimizer] src/worker.ts:${chanfana}:1: \`zod\` is bundled 2 times`,
        `[plugin perf-optimizer] src/worker.ts:${chanfana}:1: \`zod\` adds ${human(zod4)} to the bundle, via chanfana`,
      ],
    );
    assert.match(run.output, /\[duplicate-package\]\n {2}Align on one version of `zod`/);
  });

  test("the Worker's composition and the client's summary print at Vite's info level", () => {
    assert.match(run.output, new RegExp(`\\[perf-optimizer\\] Worker environment "${WORKER_ENV}":\\nBundle dist/${WORKER_ENV}/index\\.js`));
    assert.match(run.output, /Composition \(bytes in the output\)\n {2}zod@4\.6\.7 /);
    assert.match(run.output, /Duplicate packages\n {2}zod {2}4\.6\.7, 3\.25\.76/);
    assert.match(run.output, /\[perf-optimizer\] client environment: 3 files, [\d.]+ KiB: static assets, not counted against the Worker's size limit/);
  });
});

describe("vite build with perf-optimizer/vite: a minified Worker", () => {
  test("Rolldown minifies after rendering: the modules' bytes are scaled to the chunk, and the report says it is an estimate", () => {
    const file = join(work, "minified.json");
    const r = viteBuild(
      viteConfig("vite.minified.mjs", {
        config: `environments: { ${WORKER_ENV}: { build: { minify: true } } }, `,
        options: `{ onReport: (report) => writeFileSync(${JSON.stringify(file)}, JSON.stringify(report)) }`,
      }),
    );
    assert.equal(r.code, 0, r.output);
    const report = JSON.parse(readFileSync(file, "utf8"));
    const total = report.bundle.outputs.reduce((s, o) => s + o.bytes, 0);
    assert.equal(total, filesUnder(workerDir).filter((f) => f.endsWith(".js")).reduce((s, f) => s + statSync(join(workerDir, f)).size, 0));
    assert.equal(report.bundle.packages.reduce((s, p) => s + p.bytes, 0) + report.bundle.firstPartyBytes + report.bundle.runtimeBytes, total);
    assert.deepEqual(report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort(), WORKER_PACKAGES);
    assert.equal(report.notes.length, 1, JSON.stringify(report.notes));
    assert.match(report.notes[0], /^index\.js(, [^ ]+)? (was|were) changed after the modules were rendered \(a minifier\?\) .*scaled to the chunk's size, an estimate$/);
    assert.match(r.output, /note: index\.js.* an estimate/);
  });
});

describe("vite build with perf-optimizer/vite: a pre-bundled input", async () => {
  // A vendor bundle built by esbuild with its source map (hono and zod),
  // imported by a second Worker of the fixture (its own wrangler config).
  const dir = join(fixture, "prebundled");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "lib.js"), `export { Hono } from "hono";\nexport { z } from "zod";\n`);
  writeFileSync(join(dir, "vendored.ts"), `import * as lib from "./vendor.mjs";\nexport default { fetch() { return new Response(Object.keys(lib).join()); } };\n`);
  writeFileSync(join(dir, "wrangler.jsonc"), JSON.stringify({ name: "vendored", main: "./vendored.ts", compatibility_date: "2026-04-01" }));
  const esbuild = await import(createRequire(join(fixture, "package.json")).resolve("esbuild"));
  const vendor = await esbuild.build({
    absWorkingDir: fixture,
    entryPoints: ["prebundled/lib.js"],
    outfile: "prebundled/vendor.mjs",
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
  });
  const file = join(work, "vendored.json");
  const r = viteBuild(
    viteConfig("vite.vendored.mjs", {
      cloudflareOptions: `{ configPath: "prebundled/wrangler.jsonc" }`,
      options: `{ onReport: (report) => writeFileSync(${JSON.stringify(file)}, JSON.stringify(report)) }`,
    }),
  );

  test("is broken down by package through its source map, in esbuild's proportions", () => {
    assert.equal(r.code, 0, r.output);
    const report = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort(), ["hono@4.13.19", "zod@3.25.76"]);
    // What of vendor.mjs is in the Worker (Rolldown's region for it) is split
    // across its sources in proportion to what each has in the file: the
    // shares esbuild's metafile of the vendor build gives, within 2 points.
    const written = filesUnder(join(fixture, "dist", "vendored"))
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(fixture, "dist", "vendored", f), "utf8"))
      .join("");
    const region = writtenParts(written, fixture).find(([path]) => path === "prebundled/vendor.mjs")?.[1];
    assert.ok(region, "vendor.mjs is in the Worker");
    const own = report.bundle.modules.find((m) => m.path === "prebundled/vendor.mjs")?.bytes ?? 0;
    const bytesOf = (name) => report.bundle.packages.find((p) => p.name === name).bytes;
    assert.equal(bytesOf("hono") + bytesOf("zod") + own, Buffer.byteLength(region));
    assert.ok(own < 1000, `vendor.mjs keeps ${own} bytes the map gives no source`);
    const inVendor = (name) =>
      Object.entries(Object.values(vendor.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {})
        .filter(([path]) => path.startsWith(`node_modules/${name}/`))
        .reduce((sum, [, part]) => sum + part.bytesInOutput, 0);
    const share = (zod, hono) => zod / (zod + hono);
    const expected = share(inVendor("zod"), inVendor("hono"));
    const actual = share(bytesOf("zod"), bytesOf("hono"));
    assert.ok(Math.abs(actual - expected) < 0.02, `zod's share ${actual.toFixed(3)} vs ${expected.toFixed(3)} in esbuild's metafile`);
    const total = report.bundle.outputs.reduce((s, o) => s + o.bytes, 0);
    assert.equal(report.bundle.packages.reduce((s, p) => s + p.bytes, 0) + report.bundle.firstPartyBytes + report.bundle.runtimeBytes, total);
    assert.deepEqual(report.notes, []);
  });
});

describe("a CommonJS dependency in the Worker, on Rolldown and on Rollup", () => {
  for (const [leg, dir] of [
    ["Vite 8", fixture],
    ...(hasVite7 ? [["Vite 7", fixture7]] : []),
    ...(hasVite6 ? [["Vite 6", fixture6]] : []),
  ]) {
    test(`${leg}: commonjs-dependency at the import line`, () => {
      mkdirSync(join(dir, "cjs"), { recursive: true });
      writeFileSync(join(dir, "cjs", "worker.ts"), `import chunk from "lodash/chunk";\nexport default { fetch() { return new Response(String(chunk([1, 2, 3], 2).length)); } };\n`);
      writeFileSync(join(dir, "cjs", "wrangler.jsonc"), JSON.stringify({ name: "cjs", main: "./worker.ts", compatibility_date: "2026-04-01" }));
      const file = join(work, `cjs-${leg.replace(" ", "")}.json`);
      const r = viteBuild(
        viteConfig("vite.cjs.mjs", {
          dir,
          cloudflareOptions: `{ configPath: "cjs/wrangler.jsonc" }`,
          options: `{ onReport: (report) => writeFileSync(${JSON.stringify(file)}, JSON.stringify(report)) }`,
        }),
        dir,
      );
      assert.equal(r.code, 0, r.output);
      const report = JSON.parse(readFileSync(file, "utf8"));
      assert.deepEqual(
        report.diagnostics.map((d) => `${d.rule} ${d.file}:${d.line}`),
        ["commonjs-dependency cjs/worker.ts:1"],
      );
      assert.match(report.diagnostics[0].message, /^`lodash` is bundled as CommonJS/);
      assert.deepEqual(report.bundle.packages.map((p) => p.name), ["lodash"]);
    });
  }
});

describe("vite build with perf-optimizer/vite: budgets", () => {
  test("a budget below the Worker's size fails the build with the error", () => {
    const { report } = JSON.parse(readFileSync(reportFile, "utf8"));
    const gzip = report.bundle.outputs.reduce((s, o) => s + o.gzipBytes, 0);
    const dir = configDir({ budgets: [{ metric: "gzip", max: "100 kB" }] });
    const r = viteBuild(viteConfig("vite.budget.mjs", { options: `{ configDir: ${JSON.stringify(dir)} }` }));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`Worker environment "${WORKER_ENV}": budget exceeded: gzip size: ${(gzip / 1024).toFixed(1).replace(".", "\\.")} KiB > 97\\.7 KiB`));
    assert.match(r.output, /Build failed/);
  });

  test("a budget the Worker meets passes, and the client's lodash fires nothing", () => {
    const dir = configDir({ budgets: [{ metric: "gzip", max: "1 MB" }, { metric: "package", name: "lodash", max: "1 kB" }] });
    const r = viteBuild(viteConfig("vite.budget-met.mjs", { options: `{ configDir: ${JSON.stringify(dir)} }` }));
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /budget exceeded/);
    // lodash is the client's: 0 B of it in the Worker, and no finding names it.
    assert.match(r.output, /✓ package lodash {2}0 B \/ 1000 B/);
    assert.doesNotMatch(r.output, /\[plugin perf-optimizer\][^\n]*lodash/);
  });

  test("without @cloudflare/vite-plugin there is no Worker: nothing is analyzed, and the plugin says why", () => {
    const r = viteBuild(viteConfig("vite.client-only.mjs", { cloudflare: false }));
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /\[perf-optimizer\] @cloudflare\/vite-plugin is not in this Vite config: there is no Worker environment to analyze/);
    assert.doesNotMatch(r.output, /\[plugin perf-optimizer\]|Composition/);
  });
});

if (hasVite7) describe("Vite 7 (Rollup): Vite's esbuild pass rewrites the chunk after rendering", () => {
  // The truth here: the chunk's own source map (build.sourcemap), each
  // mapped segment's bytes counted for its source file by the probe.
  const report7 = join(work, "report7.json");
  const map7 = join(work, "map7.json");
  const probe7 = `
import { decode } from "@jridgewell/sourcemap-codec";
const probe = {
  name: "probe",
  writeBundle(_, bundle) {
    if (this.environment.name === "client") return;
    const chunk = bundle["index.js"];
    const bytes = {};
    let source = null;
    const mappings = decode(chunk.map.mappings);
    chunk.code.split("\\n").forEach((line, i, lines) => {
      const segs = (mappings[i] ?? []).filter((s) => s.length >= 4).sort((a, b) => a[0] - b[0]);
      const eol = i + 1 < lines.length ? 1 : 0;
      const add = (from, to, extra) => { if (source !== null) bytes[source] = (bytes[source] ?? 0) + Buffer.byteLength(line.slice(from, to)) + extra; };
      if (!segs.length) return add(0, line.length, eol);
      add(0, segs[0][0], 0);
      segs.forEach((s, k) => { source = chunk.map.sources[s[1]]; add(s[0], k + 1 < segs.length ? segs[k + 1][0] : line.length, k + 1 < segs.length ? 0 : eol); });
    });
    writeFileSync(${JSON.stringify(map7)}, JSON.stringify(bytes));
  },
};`;
  const run = viteBuild(
    viteConfig("vite.report.mjs", {
      dir: fixture7,
      config: `environments: { ${WORKER_ENV}: { build: { sourcemap: true } } }, `,
      options: `{ onReport: (report) => writeFileSync(${JSON.stringify(report7)}, JSON.stringify(report)) }`,
      extra: probe7,
    }),
    fixture7,
  );

  test("the packages and files match the chunk's source map, bytes as deployed", () => {
    assert.equal(run.code, 0, run.output);
    const report = JSON.parse(readFileSync(report7, "utf8"));
    const map = JSON.parse(readFileSync(map7, "utf8"));
    // The map's sources are relative to dist/WORKER_ENV: per package folder, per file.
    const truth = new Map();
    for (const [source, bytes] of Object.entries(map)) {
      const key = packageRootOr(relative(fixture7, join(fixture7, "dist", WORKER_ENV, source)).split("\\").join("/"));
      truth.set(key, (truth.get(key) ?? 0) + bytes);
    }
    assert.deepEqual(report.notes, [], "measured through Vite's esbuild pass, not estimated");
    assert.deepEqual(report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort(), WORKER_PACKAGES);
    assert.deepEqual(report.bundle.modules.filter((m) => !m.package).map((m) => m.path).sort(), ["src/time.ts", "src/worker.ts"]);
    const output = report.bundle.outputs.find((o) => o.path.endsWith(`${WORKER_ENV}/index.js`));
    assert.equal(output.bytes, statSync(join(fixture7, "dist", WORKER_ENV, "index.js")).size);
    const total = report.bundle.outputs.reduce((s, o) => s + o.bytes, 0);
    assert.equal(report.bundle.packages.reduce((s, p) => s + p.bytes, 0) + report.bundle.firstPartyBytes + report.bundle.runtimeBytes, total);
    // Every byte the map gives a module's code is that module's here too,
    // except Rollup's glue around a module (its namespace objects), which the
    // map gives the module and the report the runtime: at most 1.5% or 160 B.
    for (const p of report.bundle.packages) {
      const expected = truth.get(p.paths[0]);
      assert.ok(Math.abs(p.bytes - expected) <= Math.max(160, expected * 0.015), `${p.name}@${p.version}: ${p.bytes} vs ${expected} in the map`);
    }
    assert.equal(report.bundle.modules.find((m) => m.path === "src/time.ts").bytes, truth.get("src/time.ts"));
    assert.ok(report.bundle.runtimeBytes < total * 0.005, `runtime ${report.bundle.runtimeBytes} of ${total}`);
  });

  test("an exceeded budget fails the Vite 7 build too", () => {
    const dir = configDir({ budgets: [{ metric: "gzip", max: "100 kB" }] });
    const r = viteBuild(viteConfig("vite.budget.mjs", { dir: fixture7, options: `{ configDir: ${JSON.stringify(dir)} }` }), fixture7);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`Worker environment "${WORKER_ENV}": budget exceeded: gzip size: [\\d.]+ KiB > 97\\.7 KiB`));
    assert.match(r.output, /\[plugin perf-optimizer\] src\/time\.ts:1:1: `moment` is heavy for a Worker/);
  });
});

describe("perf-optimizer/vite types", () => {
  test("a consumer of perf-optimizer/vite type-checks with tsc --strict", () => {
    writeFileSync(
      join(fixture, "consumer.ts"),
      `import type { Plugin } from "vite";
import perfOptimizer, { toViteMessages, type PerfOptimizerVitePluginOptions } from "perf-optimizer/vite";
import type { Report } from "perf-optimizer";

const options: PerfOptimizerVitePluginOptions = { configDir: ".", lint: true, onReport: (report: Report, { environment }) => void [report, environment.length] };
const plugin: Plugin = perfOptimizer(options);
declare const report: Report;
const { errors, warnings }: { errors: string[]; warnings: string[] } = toViteMessages(report);
void [plugin, errors, warnings];
`,
    );
    writeFileSync(
      join(fixture, "tsconfig.consumer.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", types: ["node"], skipLibCheck: false }, files: ["consumer.ts"] }),
    );
    const r = spawnSync(process.execPath, [join(fixture, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.consumer.json"], { cwd: fixture, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
