// The bundle analysis on a Worker with real npm dependencies:
// tests/fixtures/bundle-worker (moment, lodash, @aws-sdk/client-s3, hono,
// zod 3, and chanfana 3, which depends on zod 4), installed from its lock file
// by the test set-up (tests/scratch.mjs). Nothing here needs the network.
//   - `perf-optimizer check` bundles it with the real wrangler 4.86.0 dry run;
//   - the esbuild plugin analyzes a real esbuild build with wrangler's settings;
//   - both must find the same packages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { builtinModules, createRequire } from "node:module";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { cli, importPackage, project } from "./helpers.mjs";
import { bundleFixtureDir } from "./scratch.mjs";

const fixture = bundleFixtureDir(project);

/** 1-based line of the first line of `file` (in the fixture) containing `text`. */
const lineOf = (file, text) => {
  const line = readFileSync(join(fixture, file), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
  assert.ok(line > 0, `${file} has no line with ${text}`);
  return line;
};

/** The report's "12.1 KiB" for `n` bytes (src/model/text.rs `bytes`). */
const human = (n) => (n < 1024 ? `${n} B` : n < 1023.95 * 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${+(n / 1048576).toFixed(2)} MiB`);

/** `name@version` of every package a report lists, sorted. */
const packageIds = (report) => report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort();

/** The package name of a metafile input path (after its last node_modules/), or null. */
function packageOf(path) {
  const i = path.lastIndexOf("node_modules/");
  if (i < 0) return null;
  const [first, second] = path.slice(i + 13).split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

// wrangler's own shims for nodejs_compat (unenv's polyfills and Cloudflare's
// preset for it): only wrangler's bundle has them, an esbuild build leaves
// `node:*` external.
const WRANGLER_SHIMS = new Set(["unenv", "@cloudflare/unenv-preset"]);

const work = mkdtempSync(join(tmpdir(), "perf-fixture-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The metafile of wrangler's dry run of the fixture (what `check` analyzes); run once. */
let dryRun;
function wranglerMetafile() {
  if (dryRun) return dryRun;
  const wrangler = join(fixture, "node_modules", "wrangler", "bin", "wrangler.js");
  const outdir = join(work, "wrangler-out");
  const metafile = join(outdir, "meta.json");
  const r = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir, "--metafile", metafile], {
    cwd: fixture,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  dryRun = JSON.parse(readFileSync(metafile, "utf8"));
  return dryRun;
}

const started = process.hrtime.bigint();
const run = cli(["check", "--format", "json"], { cwd: fixture });
const checkMs = Number(process.hrtime.bigint() - started) / 1e6;
const report = JSON.parse(run.stdout || "{}");

describe("bundle fixture: check with wrangler's dry run", () => {
  const bundleFindings = (rule) => (report.diagnostics ?? []).filter((d) => d.rule === rule);
  const about = (rule, pkg) => bundleFindings(rule).filter((d) => d.message.startsWith(`\`${pkg}\``));

  test("runs cleanly", () => {
    assert.equal(run.stderr, "");
    assert.ok(report.bundle, run.stdout.slice(0, 500));
    assert.equal(bundleFindings("invalid-suppression").length, 0);
    // The figures for the closing note of the issue.
    const b = report.bundle;
    const out = b.outputs[0];
    console.log(
      `# fixture: ${human(out.bytes)} raw, ${human(out.gzipBytes)} gzip, ${human(out.brotliBytes)} brotli; check took ${checkMs.toFixed(0)} ms\n` +
        `# top packages: ${b.packages.slice(0, 8).map((p) => `${p.name}@${p.version} ${human(p.bytes)}`).join(", ")}\n` +
        `# duplicates: ${b.duplicates.map((d) => `${d.name} ${d.versions.join(" + ")} (${human(d.bytes)})`).join(", ")}`,
    );
  });

  test("duplicate-package: zod 3 and zod 4, the bytes of each copy, and the chain through chanfana", () => {
    const zod = report.bundle.packages.filter((p) => p.name === "zod");
    assert.deepEqual(zod.map((p) => p.version.split(".")[0]).sort(), ["3", "4"]);
    const v3 = zod.find((p) => p.version.startsWith("3."));
    const v4 = zod.find((p) => p.version.startsWith("4."));
    assert.equal(v3.version, "3.25.76");
    assert.ok(v3.paths.includes("node_modules/zod"), JSON.stringify(v3.paths));
    assert.ok(v4.paths.includes("node_modules/chanfana/node_modules/zod"), JSON.stringify(v4.paths));

    const dup = report.bundle.duplicates.find((d) => d.name === "zod");
    assert.deepEqual([...dup.versions].sort(), [v3.version, v4.version].sort());
    assert.equal(dup.bytes, v3.bytes + v4.bytes);

    const findings = about("duplicate-package", "zod");
    assert.equal(findings.length, 1, JSON.stringify(bundleFindings("duplicate-package")));
    const [d] = findings;
    assert.match(d.message, /^`zod` is bundled 2 times/);
    // Each copy with its version and bytes; zod 4 with the chain that pulls it in.
    assert.ok(d.message.includes(`zod 3.25.76 (${human(v3.bytes)}) from your code`), d.message);
    assert.ok(d.message.includes(`zod ${v4.version} (${human(v4.bytes)}) via chanfana`), d.message);
    assert.ok(d.message.includes(`(${human(dup.bytes)} in all)`), d.message);
    // At the first-party import of the package that brings the second copy.
    assert.equal(d.file, "src/index.ts");
    assert.equal(d.line, lineOf("src/index.ts", "from 'chanfana'"));
    assert.match(d.help, /overrides/);
  });

  test("heavy-dependency: moment and lodash as evidence of their commonjs-dependency finding, others on their own", () => {
    // One problem, one finding: both are CommonJS, which is why all of them ship.
    assert.deepEqual([...about("heavy-dependency", "moment"), ...about("heavy-dependency", "lodash")], []);
    const evidence = (d) => d.related.map((r) => r.message).filter((m) => m.startsWith("heavy-dependency: "));
    const [moment] = about("commonjs-dependency", "moment");
    assert.match(evidence(moment)[0] ?? "", /use Intl\.DateTimeFormat, date-fns or Temporal/, JSON.stringify(moment));
    assert.match(evidence(moment)[0], /\(\d+(\.\d)? KiB in the bundle\)$/);

    // src/routes/export.ts suppresses its lodash findings (comments).
    const lodash = about("commonjs-dependency", "lodash");
    assert.deepEqual(lodash.map((d) => `${d.file}:${d.line}`), [`src/routes/reports.ts:${lineOf("src/routes/reports.ts", "from 'lodash'")}`]);
    assert.match(evidence(lodash[0])[0] ?? "", /use native methods, es-toolkit, or a per-method import/, JSON.stringify(lodash[0]));
    const lodashBytes = report.bundle.packages.find((p) => p.name === "lodash").bytes;
    assert.ok(evidence(lodash[0])[0].endsWith(`(${human(lodashBytes)} in the bundle)`), evidence(lodash[0])[0]);

    // Over the 100 KiB threshold without a table entry: reported once, at the import.
    const s3 = about("heavy-dependency", "@aws-sdk/client-s3");
    assert.deepEqual(s3.map((d) => `${d.file}:${d.line}`), [`src/storage.ts:${lineOf("src/storage.ts", "from '@aws-sdk/client-s3'")}`]);
    assert.match(s3[0].message, /more than the 100 KiB threshold/);
    // zod 4 comes with chanfana: the finding and its help are about the chanfana import.
    const zod4 = about("heavy-dependency", "zod").find((d) => d.message.includes("via chanfana"));
    assert.equal(`${zod4.file}:${zod4.line}`, `src/index.ts:${lineOf("src/index.ts", "from 'chanfana'")}`);
    assert.match(zod4.help, /^`zod` comes with `chanfana`: load `chanfana` on the path that needs it with `await import\('chanfana'\)`/);
  });

  test("commonjs-dependency: exactly the packages the metafile says are CommonJS", () => {
    const metafile = wranglerMetafile();
    const cjs = [...new Set(Object.entries(metafile.inputs).filter(([, i]) => i.format === "cjs").map(([p]) => packageOf(p)))].sort();
    assert.deepEqual(cjs, ["lodash", "moment"]);
    const found = bundleFindings("commonjs-dependency");
    assert.deepEqual([...new Set(found.map((d) => d.message.match(/^`([^`]+)`/)[1]))].sort(), cjs);
    const moment = about("commonjs-dependency", "moment");
    assert.deepEqual(moment.map((d) => `${d.file}:${d.line}`), [`src/lib/dates.ts:${lineOf("src/lib/dates.ts", "from 'moment'")}`]);
    assert.match(moment[0].help, /dayjs/);
    // src/routes/export.ts turns the rule off for the file.
    const lodash = about("commonjs-dependency", "lodash");
    assert.deepEqual(lodash.map((d) => `${d.file}:${d.line}`), [`src/routes/reports.ts:${lineOf("src/routes/reports.ts", "from 'lodash'")}`]);
    assert.match(lodash[0].message, /bundled as CommonJS \([\d.]+ KiB, 1 module\)/);
  });

  test("suppression comments cover bundle findings at the import line", () => {
    // src/routes/export.ts: a file-level comment for commonjs-dependency, a
    // next-line one for heavy-dependency (whose bundle form would otherwise
    // stand in for the suppressed source finding).
    const inExport = (r) => r.diagnostics.filter((d) => d.file === "src/routes/export.ts" && d.message.startsWith("`lodash`")).map((d) => `${d.rule}:${d.line}`).sort();
    assert.deepEqual(inExport(report), []);
    // The same project without the comments has both findings there.
    const copy = join(work, "no-comments");
    cpSync(fixture, copy, { recursive: true, filter: (src) => !src.includes("node_modules") });
    symlinkSync(join(fixture, "node_modules"), join(copy, "node_modules"), "dir");
    const file = join(copy, "src", "routes", "export.ts");
    writeFileSync(file, readFileSync(file, "utf8").split("\n").filter((l) => !l.includes("perf-optimizer-disable")).join("\n"));
    const line = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes("from 'lodash'")) + 1;
    const unsuppressed = JSON.parse(cli(["check", "--format", "json"], { cwd: copy }).stdout);
    // One finding there: heavy-dependency is the evidence of commonjs-dependency.
    assert.deepEqual(inExport(unsuppressed), [`commonjs-dependency:${line}`]);
    const merged = unsuppressed.diagnostics.find((d) => d.file === "src/routes/export.ts" && d.rule === "commonjs-dependency");
    assert.ok(merged.related.some((r) => r.message.startsWith("heavy-dependency: `lodash`")), JSON.stringify(merged));
  });

  test("package bytes, first-party and runtime bytes add up to the output (within 0.1%)", () => {
    const b = report.bundle;
    const out = b.outputs.reduce((s, o) => s + o.bytes, 0);
    const total = b.packages.reduce((s, p) => s + p.bytes, 0) + b.firstPartyBytes + b.runtimeBytes;
    assert.ok(Math.abs(total - out) <= out * 0.001, `${total} vs ${out}`);
    const metafile = wranglerMetafile();
    const [codePath, code] = Object.entries(metafile.outputs).find(([p]) => p.endsWith(".js"));
    assert.equal(out, code.bytes, "the output measured is the one in the metafile");
    // The remainder is esbuild's: mostly the `// node_modules/x/y.js` comment
    // before each module (gone with minify), the rest its glue and wrangler's.
    const text = readFileSync(join(fixture, codePath), "utf8");
    const pathComments = text
      .split("\n")
      .filter((l) => /^\/\/ \S+\.[cm]?[jt]sx?$/.test(l))
      .reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
    assert.ok(pathComments <= b.runtimeBytes, `${pathComments} > ${b.runtimeBytes}`);
    assert.ok(b.runtimeBytes - pathComments < out * 0.005, `runtime ${b.runtimeBytes}, path comments ${pathComments}, output ${out}`);
  });
});

describe("bundle fixture: the esbuild plugin and wrangler's dry run", () => {
  test("find the same packages (names and versions)", async () => {
    const require = createRequire(join(project, "package.json"));
    const esbuild = await import(require.resolve("esbuild"));
    const { default: perfOptimizer } = await importPackage("esbuild");
    let fromPlugin;
    // wrangler's settings for a Worker (wrangler 4.86.0 `deploy`, its
    // bundleWorker()): ESM, esbuild's default platform ("browser", so
    // package.json `browser` maps apply), the workerd/worker/browser
    // conditions, kept names, NODE_ENV=production; with nodejs_compat the Node
    // built-ins are left to the runtime.
    const nodeEnv = '"production"';
    const result = await esbuild.build({
      absWorkingDir: fixture,
      entryPoints: ["src/index.ts"],
      bundle: true,
      format: "esm",
      target: "es2024",
      supported: { "import-source": true },
      conditions: ["workerd", "worker", "browser"],
      keepNames: true,
      define: { "process.env.NODE_ENV": nodeEnv, "global.process.env.NODE_ENV": nodeEnv, "globalThis.process.env.NODE_ENV": nodeEnv },
      loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
      external: ["cloudflare:*", "node:*", ...builtinModules.flatMap((m) => [m, `${m}/*`])],
      outdir: join(work, "esbuild-out"),
      write: false,
      sourcemap: true,
      logLevel: "silent",
      plugins: [perfOptimizer({ onReport: (r) => (fromPlugin = r) })],
    });
    assert.deepEqual(result.errors, []);
    assert.ok(fromPlugin?.bundle, "the plugin reported");

    const fromWrangler = report;
    // The packages agree by name and version. Their byte counts may differ a
    // little: wrangler adds its own wrapping (middleware, the nodejs_compat
    // polyfills from unenv), defines other globals, and esbuild's glue
    // between modules differs with them; so bytes are not compared.
    assert.deepEqual(packageIds(fromPlugin), packageIds(fromWrangler).filter((id) => !WRANGLER_SHIMS.has(id.slice(0, id.lastIndexOf("@")))));
    assert.deepEqual(
      fromPlugin.bundle.duplicates.map((d) => [d.name, [...d.versions].sort()]),
      fromWrangler.bundle.duplicates.map((d) => [d.name, [...d.versions].sort()]),
    );
    // And the same bundle findings, at the same places (`file` is relative
    // to the working directory: the test's for the plugin, the fixture for check).
    const where = (r, cwd) =>
      r.diagnostics
        .filter((d) => ["duplicate-package", "heavy-dependency", "commonjs-dependency"].includes(d.rule))
        .map((d) => `${d.rule} ${d.message.match(/^`([^`]+)`/)?.[1]} ${relative(fixture, resolve(cwd, d.file))}:${d.line}`)
        .sort();
    assert.deepEqual(where(fromPlugin, process.cwd()), where(fromWrangler, fixture));
  });
});
