// The first run, as a new user meets it (issue #16 items 6, 7, 13, 15): the
// CLI's words for help, typos and broken configs; a project checked from a
// subfolder or by --entry alone; the wrangler config's build command said
// and skippable; a Worker that throws at startup; one size unit; one
// category per rule; the README's esbuild snippet.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { cli, node, project } from "./helpers.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A project in a temporary folder; `wrangler: true` links the scratch project's wrangler into it. */
function fixture(files, { wrangler = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "perf-optimizer-first-run-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (wrangler) {
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(join(project, "node_modules", "wrangler"), join(dir, "node_modules", "wrangler"), "dir");
  }
  return dir;
}

const WRANGLER_TOML = (main, extra = "") => `name = "first-run"\nmain = "${main}"\ncompatibility_date = "2025-09-01"\n${extra}`;
const PACKAGE_JSON = JSON.stringify({ name: "first-run", private: true, type: "module" });

const oneLineError = (run, pattern) => {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.equal(run.stderr.trim().split("\n").length, 1, `one line: ${run.stderr}`);
};

describe("CLI words", () => {
  test("help prints the usage; a mistyped command is not read as a folder", () => {
    const help = cli(["help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: perf-optimizer \[command\] \[options\]/);
    oneLineError(cli(["chekc"]), /^perf-optimizer: unknown command 'chekc', did you mean 'check'\?/);
    oneLineError(cli(["lnt", "src"]), /unknown command 'lnt', did you mean 'lint'\?/);
    // An existing folder named like a word is still the folder to check.
    const dir = fixture({ "worker/wrangler.toml": WRANGLER_TOML("src/index.js"), "worker/src/index.js": "export default { fetch() { return new Response('ok'); } };\n" });
    const asFolder = cli(["worker", "--format", "json"], { cwd: dir });
    assert.equal(asFolder.code, 0, asFolder.stderr);
    assert.equal(JSON.parse(asFolder.stdout).version, 1);
  });

  test("an unknown option is one whole sentence, with the option it may have meant", () => {
    const unknown = cli(["check", "--frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "perf-optimizer: unknown option '--frobnicate' (see --help)\n");
    oneLineError(cli(["check", "--formt", "json"]), /unknown option '--formt', did you mean '--format'\? \(see --help\)$/m);
    oneLineError(cli(["check", "--format"]), /--format needs a value/);
  });

  test("a broken JSON config: plain words, a relative path, line and column", () => {
    const dir = fixture({ "perf-optimizer.config.json": '{\n  "rules": { "await-in-loop": "off" }\n  "plan": "free"\n}\n', "src/a.ts": "export const a = 1;\n" });
    const run = cli(["lint", "src"], { cwd: dir });
    oneLineError(run, /^perf-optimizer: perf-optimizer\.config\.json:3:3: invalid JSON: expected ',' between entries$/m);
    assert.doesNotMatch(run.stderr, /CloseBraceExpected|CommaExpected/);
    assert.ok(!run.stderr.includes(dir), run.stderr);
  });

  test("an import that cannot be resolved before npm install says to install", () => {
    const dir = fixture({
      "package.json": JSON.stringify({ name: "fresh-clone", private: true, type: "module", dependencies: { hono: "^4.6.0" } }),
      "wrangler.toml": WRANGLER_TOML("src/index.ts"),
      "src/index.ts": 'import { Hono } from "hono";\nexport default new Hono();\n',
    });
    const run = cli(["check"], { cwd: dir });
    oneLineError(run, /Could not resolve "hono".*node_modules is missing: install the project's dependencies first \(npm install\)/);
  });
});

describe("check and why from a subfolder, and --entry alone", () => {
  test("check and why from src/ find the wrangler config above", () => {
    const cwd = join(project, "src");
    const run = cli(["check", "--format", "json"], { cwd });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.ok(report.summary.files >= 8, `files: ${report.summary.files}`);
    // Positions stay relative to the working directory.
    assert.ok(report.diagnostics.some((d) => d.file === "routes/orders.ts"), JSON.stringify(report.diagnostics.map((d) => d.file)));
    const why = cli(["why", "lodash"], { cwd });
    assert.equal(why.code, 0, why.stderr);
    assert.match(why.stdout, /lodash is in the bundle through \d+ import chains?/);
  });

  test("lint from a subfolder uses the project's config file", () => {
    const files = {
      "package.json": PACKAGE_JSON,
      "wrangler.toml": WRANGLER_TOML("src/index.ts"),
      "src/index.ts": "export default { fetch(req: Request) { const copy = JSON.parse(JSON.stringify({ a: 1 })); return new Response(String(copy.a)); } };\n",
    };
    const rulesOf = (run) => JSON.parse(run.stdout).diagnostics.map((d) => d.rule);
    const bare = fixture(files);
    assert.ok(rulesOf(cli(["lint", ".", "--format", "json"], { cwd: join(bare, "src") })).includes("json-deep-clone"));
    const configured = fixture({ ...files, "perf-optimizer.config.json": JSON.stringify({ rules: { "json-deep-clone": "off" } }) });
    const run = cli(["lint", ".", "--format", "json"], { cwd: join(configured, "src") });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!rulesOf(run).includes("json-deep-clone"), run.stdout);
  });

  test("--entry with wrangler installed but no wrangler config bundles the entry with esbuild", () => {
    const dir = fixture(
      {
        "package.json": PACKAGE_JSON,
        "src/index.ts": 'import { greet } from "./greet";\nexport default { fetch() { return new Response(greet("you")); } };\n',
        "src/greet.ts": "export const greet = (name: string) => `hello ${name}`;\n",
      },
      { wrangler: true },
    );
    const run = cli(["check", "--entry", "src/index.ts", "--format", "json"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.ok(report.bundle.outputs.some((o) => o.path.endsWith("index.js")), JSON.stringify(report.bundle.outputs));
    assert.deepEqual(report.files.filter((f) => f.analyzed !== false).map((f) => f.path).sort(), ["src/greet.ts", "src/index.ts"]);
  });

  test("no wrangler config and no entry: the message names --entry", () => {
    oneLineError(cli(["check"], { cwd: fixture({ "package.json": PACKAGE_JSON }) }), /no wrangler config .*here or above it; give the Worker's entry with --entry FILE/);
  });
});

describe("the wrangler config's build command", () => {
  const files = {
    "package.json": PACKAGE_JSON,
    "wrangler.toml": WRANGLER_TOML("dist/index.js", '[build]\ncommand = "node build.mjs"\n'),
    "build.mjs": [
      'import { appendFileSync, mkdirSync, copyFileSync } from "node:fs";',
      'appendFileSync("build-ran.log", "built\\n");',
      'mkdirSync("dist", { recursive: true });',
      'copyFileSync("src/index.js", "dist/index.js");',
      "",
    ].join("\n"),
    "src/index.js": "export default { fetch() { return new Response('ok'); } };\n",
  };

  test("check prints the command before wrangler's dry run runs it", () => {
    const dir = fixture(files, { wrangler: true });
    const run = cli(["check"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /running the build command of wrangler\.toml .*: node build\.mjs/);
    assert.equal(readFileSync(join(dir, "build-ran.log"), "utf8"), "built\n");
    // --quiet keeps stderr for errors.
    const quiet = cli(["check", "--quiet"], { cwd: dir });
    assert.equal(quiet.stderr, "");
  });

  test("--no-build analyzes the existing output and runs nothing", () => {
    const dir = fixture(files, { wrangler: true });
    oneLineError(cli(["check", "--no-build"], { cwd: dir }), /dist\/index\.js: entry point not found; the build command `node build\.mjs` of wrangler\.toml should make it: run it first, or drop --no-build/);
    spawnSync(process.execPath, ["build.mjs"], { cwd: dir });
    rmSync(join(dir, "build-ran.log"));
    const run = cli(["check", "--no-build", "--format", "json"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /--no-build: not running the build command `node build\.mjs`/);
    assert.ok(!existsSync(join(dir, "build-ran.log")), "the build command ran");
    assert.ok(JSON.parse(run.stdout).bundle.outputs.length >= 1);
  });
});

describe("startup of a Worker that throws while its modules initialize", () => {
  test("exit 2 with the Worker's own error and where it was thrown", () => {
    const dir = fixture(
      {
        "package.json": PACKAGE_JSON,
        "wrangler.toml": WRANGLER_TOML("src/index.js"),
        "src/index.js": 'import { boom } from "./lib.js";\nboom();\nexport default { fetch() { return new Response("ok"); } };\n',
        "src/lib.js": 'export function boom() {\n  throw new Error("config missing: API_URL");\n}\n',
      },
      { wrangler: true },
    );
    const run = cli(["startup", "--runs", "1"], { cwd: dir, timeout: 300_000 });
    oneLineError(run, /^perf-optimizer: src\/lib\.js:2:\d+: the Worker throws while its modules initialize.*Error: config missing: API_URL \(called from src\/index\.js:2:\d+\)/);
    assert.doesNotMatch(run.stdout, /✓/);
    // The same Worker once it initializes: measured as before.
    writeFileSync(join(dir, "src", "lib.js"), "export function boom() {\n  return 1;\n}\n");
    const fixed = cli(["startup", "--runs", "1", "--format", "json"], { cwd: dir, timeout: 300_000 });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(JSON.parse(fixed.stdout).startup.runs, 1);
  });
});

describe("one report, one vocabulary", () => {
  const baseline = join(mkdtempSync(join(tmpdir(), "perf-optimizer-baseline-")), "baseline.json");
  const saved = cli(["check", "--format", "json", "--save-baseline", baseline]);
  const compared = cli(["check", "--no-color", "--baseline", baseline]);

  test("--baseline without a growth budget shows the comparison", () => {
    assert.ok(saved.code === 0 || saved.code === 1, saved.stderr);
    assert.match(compared.stdout, /Since the baseline \(saved by perf-optimizer [^)]+\)\n {2}raw [\d.]+ KiB · gzip [\d.]+ KiB · brotli [\d.]+ KiB\n {2}no change/);
  });

  test("every size on the screen is in KiB, as wrangler prints it", () => {
    assert.match(compared.stdout, /Bundle index\.js {2}[\d.]+ KiB raw/);
    // Only the memory limit keeps the decimal unit Cloudflare documents it in.
    assert.doesNotMatch(compared.stdout.replaceAll("128 MB", ""), /\d kB\b|\d MB\b/);
    assert.match(compared.stdout, /KiB in the bundle/);
  });

  test("a rule has the same category in `rules` and in the report", () => {
    const categories = new Map(JSON.parse(cli(["rules", "--format", "json"]).stdout).map((r) => [r.id, r.category]));
    const report = JSON.parse(saved.stdout);
    assert.ok(report.diagnostics.some((d) => d.rule === "heavy-dependency"));
    for (const d of report.diagnostics) assert.equal(d.category, categories.get(d.rule), `${d.rule} at ${d.file}:${d.line}`);
  });
});

describe("esbuild", () => {
  test("info findings are not esbuild warnings; they stay in the report", () => {
    const dir = fixture({
      "package.json": PACKAGE_JSON,
      "src/index.js": "export default { async fetch(req) { const ids = await req.json(); const out = []; for (const id of ids) { console.log('loaded', id); out.push(id); } return new Response(String(out)); } };\n",
      "build.mjs": [
        `import * as esbuild from ${JSON.stringify(join(project, "node_modules", "esbuild", "lib", "main.js"))};`,
        `import perfOptimizer from ${JSON.stringify(join(project, "node_modules", "perf-optimizer", "js", "esbuild.js"))};`,
        "let report;",
        'const result = await esbuild.build({ entryPoints: ["src/index.js"], bundle: true, outdir: "dist", format: "esm", logLevel: "silent", plugins: [perfOptimizer({ onReport: (r) => (report = r) })] });',
        "console.log(JSON.stringify({ infos: report.diagnostics.filter((d) => d.severity === 'info').map((d) => d.rule), warnings: result.warnings.map((w) => w.detail?.severity ?? w.text) }));",
        "",
      ].join("\n"),
    });
    const run = node(["build.mjs"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const { infos, warnings } = JSON.parse(run.stdout);
    assert.ok(infos.includes("console-in-loop"), JSON.stringify(infos));
    assert.ok(!warnings.includes("info"), JSON.stringify(warnings));
  });

  test("the README's esbuild snippet builds a deployable module Worker", () => {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const snippet = /### esbuild plugin\n+```js\n([^]*?)```/.exec(readme)?.[1];
    assert.ok(snippet, "the README has an esbuild snippet");
    const dir = fixture({
      "package.json": PACKAGE_JSON,
      "src/index.ts": 'export default { async fetch(): Promise<Response> { return new Response("ok"); } };\n',
      "build.mjs": snippet
        .replace('from "esbuild"', `from ${JSON.stringify(join(project, "node_modules", "esbuild", "lib", "main.js"))}`)
        .replace('from "perf-optimizer/esbuild"', `from ${JSON.stringify(join(project, "node_modules", "perf-optimizer", "js", "esbuild.js"))}`),
    });
    const run = node(["build.mjs"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const out = readFileSync(join(dir, "dist", "index.js"), "utf8");
    assert.match(out, /export\s*\{[^}]*\bas default\b[^}]*\}|export default/, out);
    assert.doesNotMatch(out, /^\s*(?:"use strict";\s*)?\(\(\) => \{/, out);
  });
});
