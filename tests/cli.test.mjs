// The CLI, installed from the packed tarball into a scratch Workers project.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cli, importPackage, project } from "./helpers.mjs";

const scratch = () => mkdtempSync(join(tmpdir(), "perf-optimizer-case-"));

describe("perf-optimizer check", () => {
  const run = cli(["check", "--format", "json"]);
  const report = JSON.parse(run.stdout || "{}");

  test("produces a version 1 JSON report", () => {
    assert.equal(run.stderr, "");
    assert.equal(report.version, 1);
    assert.equal(report.tool.name, "perf-optimizer");
    assert.ok(report.summary.files >= 8, `files analyzed: ${report.summary.files}`);
    assert.equal(run.code, report.summary.errors > 0 || report.budgets.some((b) => !b.passed) ? 1 : 0);
  });

  test("measures the bundle wrangler deploys, within 1% of what wrangler prints", () => {
    const outdir = scratch();
    const wrangler = spawnSync(process.execPath, [join(project, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", outdir], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(wrangler.stdout + wrangler.stderr);
    assert.ok(match, `wrangler printed no size:\n${wrangler.stdout}${wrangler.stderr}`);
    const [raw, gzip] = [Number(match[1]) * 1024, Number(match[2]) * 1024];
    const output = report.bundle.outputs.find((o) => o.path.endsWith("index.js"));
    assert.ok(output, JSON.stringify(report.bundle.outputs));
    assert.ok(Math.abs(output.bytes - raw) / raw < 0.01, `raw ${output.bytes} vs wrangler ${raw}`);
    assert.ok(Math.abs(output.gzipBytes - gzip) / gzip < 0.01, `gzip ${output.gzipBytes} vs wrangler ${gzip}`);
    assert.ok(output.brotliBytes > 0 && output.brotliBytes < output.gzipBytes);
  });

  test("lists the largest packages with versions from their package.json", () => {
    const names = report.bundle.packages.map((p) => p.name);
    for (const name of ["lodash", "drizzle-orm", "moment", "hono", "zod"]) assert.ok(names.includes(name), `${name} in ${names}`);
    const lodash = report.bundle.packages.find((p) => p.name === "lodash");
    assert.match(lodash.version, /^4\./);
    assert.ok(lodash.bytes > 100_000 && lodash.modules >= 1);
    assert.deepEqual(lodash.paths, ["node_modules/lodash"]);
    const sorted = [...report.bundle.packages].sort((a, b) => b.bytes - a.bytes);
    assert.deepEqual(report.bundle.packages, sorted);
  });

  test("checks the size against the plan's limit", () => {
    const size = report.budgets.find((b) => b.metric === "raw");
    assert.equal(size.limit, 64 * 1024 * 1024);
    assert.equal(size.passed, true);
  });

  test("reports source findings with 1-based positions relative to the cwd", () => {
    const d = report.diagnostics.find((x) => x.rule === "json-deep-clone");
    assert.ok(d, "json-deep-clone finding");
    assert.equal(d.file, "src/routes/orders.ts");
    const line = readFileSync(join(project, d.file), "utf8").split("\n")[d.line - 1];
    assert.ok(line.slice(d.column - 1).startsWith("JSON.parse"), line);
  });

  test("pretty output is a readable table and the summary line", () => {
    const pretty = cli(["check", "--no-color"]);
    // The size as wrangler's dry run bundled it (821.x KiB with wrangler 4.86; newer ones add a little of unenv).
    const bytes = report.bundle.outputs.find((o) => o.path.endsWith("index.js")).bytes;
    assert.match(pretty.stdout, new RegExp(`Bundle index\\.js {2}${(bytes / 1024).toFixed(1).replace(".", "\\.")} KiB raw`));
    assert.ok(bytes > 800 * 1024 && bytes < 860 * 1024, `${bytes} bytes`);
    assert.match(pretty.stdout, /lodash@4\.\d+\.\d+ +█/);
    assert.match(pretty.stdout, /✓ script size \(free plan limit\)/);
    assert.match(pretty.stdout, /\d+ errors?, \d+ warnings?, \d+ info in \d+ files/);
    assert.doesNotMatch(pretty.stdout, /\u001b\[/);
  });

  test("--output writes the report to a file", () => {
    const file = join(scratch(), "report.json");
    const r = cli(["check", "--format", "json", "--output", file]);
    assert.equal(r.stdout, "");
    assert.equal(JSON.parse(readFileSync(file, "utf8")).version, 1);
  });

  test("a budget exceeded exits 1", () => {
    const dir = scratch();
    writeFileSync(join(dir, "tiny.json"), JSON.stringify({ limits: { scriptBytes: 1000 } }));
    const r = cli(["check", "--config", join(dir, "tiny.json"), "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).budgets[0].passed, false);
  });
});

describe("other commands", () => {
  test("--version does not load the wasm", () => {
    const r = cli(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test("rules lists every rule, as text and JSON", () => {
    const json = JSON.parse(cli(["rules", "--format", "json"]).stdout);
    assert.ok(json.some((r) => r.id === "await-in-loop" && r.category === "async" && r.docs.endsWith("await-in-loop.md")));
    assert.match(cli(["rules"]).stdout, /^await-in-loop +async +warning/m);
  });

  test("rules --format json lists every kind with its options and docs", () => {
    const json = JSON.parse(cli(["rules", "--format", "json"]).stdout);
    const byId = new Map(json.map((r) => [r.id, r]));
    const kinds = { "await-in-loop": "source", "drizzle-missing-index": "project", "duplicate-package": "reported", "startup-cost": "reported", "parse-error": "reported", "budget-exceeded": "reported" };
    for (const [id, kind] of Object.entries(kinds)) {
      const rule = byId.get(id);
      assert.ok(rule, id);
      assert.equal(rule.kind, kind, id);
      assert.deepEqual(Object.keys(rule).sort(), ["category", "docs", "id", "kind", "options", "severity", "summary"], id);
      assert.ok(rule.docs.endsWith(`docs/rules/${id}.md`), rule.docs);
    }
    assert.deepEqual(byId.get("await-in-loop").options, []);
    const [threshold] = byId.get("heavy-dependency").options;
    assert.deepEqual({ name: threshold.name, type: threshold.type, default: threshold.default }, { name: "threshold", type: "number | string", default: 102400 });
  });

  test("bundle analyzes an existing metafile", () => {
    const outdir = scratch();
    spawnSync(process.execPath, [join(project, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", outdir, "--metafile", join(outdir, "meta.json")], {
      cwd: project,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const r = cli(["bundle", join(outdir, "meta.json"), "--root", project, "--format", "json"]);
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    assert.ok(report.bundle.packages.some((p) => p.name === "moment"));
  });

  test("lint reports every parsable file and names the broken one", () => {
    const dir = scratch();
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "ok.ts"), "export const c = JSON.parse(JSON.stringify(x));\n");
    writeFileSync(join(dir, "src", "broken.ts"), "export const = ;\n");
    const r = cli(["lint", "src", "--format", "json"], { cwd: dir });
    const report = JSON.parse(r.stdout);
    assert.equal(report.summary.files, 1);
    assert.ok(report.diagnostics.some((d) => d.rule === "json-deep-clone" && d.file === "src/ok.ts"));
    const parse = report.diagnostics.find((d) => d.rule === "parse-error");
    assert.equal(parse.file, "src/broken.ts");
    assert.equal(parse.line, 1);
    // A file the parser cannot read is a warning: never why a check fails.
    assert.equal(parse.severity, "warning");
    assert.match(parse.message, /^src\/broken\.ts:1:14: not valid TypeScript, so this file was not analyzed: /);
    assert.equal(r.code, 0);
  });

  test("deeply nested input neither traps nor poisons the run", () => {
    const dir = scratch();
    // 400 levels parse and are analyzed.
    writeFileSync(join(dir, "deep.js"), `export const x = ${"(".repeat(400)}1${")".repeat(400)};\n`);
    // Deeper input would exhaust the stack: the depth guard reports it
    // before the parse, with where the limit was passed.
    writeFileSync(join(dir, "deeper.js"), `export const x = ${"(".repeat(20000)}1${")".repeat(20000)};\n`);
    writeFileSync(join(dir, "after.js"), "export const c = JSON.parse(JSON.stringify(y));\n");
    const r = cli(["lint", ".", "--format", "json"], { cwd: dir });
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    assert.ok(report.diagnostics.some((d) => d.file === "after.js" && d.rule === "json-deep-clone"));
    const skipped = report.diagnostics.filter((d) => d.rule === "unreadable-file");
    assert.deepEqual(skipped.map((d) => [d.file, d.severity, d.line, d.column]), [["deeper.js", "warning", 1, 517]]);
    assert.match(skipped[0].message, /^deeper\.js was not analyzed: nesting deeper than 500 levels \(expressions, brackets or JSX\) at 1:517$/);
  });

  test("every shape of hostile nesting is reported, not crashed on", () => {
    const dir = scratch();
    const n = 5000;
    const shapes = {
      "parens.js": `x = ${"(".repeat(n)}1${")".repeat(n)};`,
      "arrays.js": `x = ${"[".repeat(n)}1${"]".repeat(n)};`,
      "objects.js": `x = ${"{a:".repeat(n)}1${"}".repeat(n)};`,
      "functions.js": `${"function f(){".repeat(n)}${"}".repeat(n)}`,
      "jsx.jsx": `x = ${"<a>".repeat(n)}${"</a>".repeat(n)};`,
      "templates.js": `x = ${"`${".repeat(n)}1${"}`".repeat(n)};`,
      "binary.js": `x = a${"+a".repeat(100_000)};`,
      "calls.js": `x = f${"()".repeat(100_000)};`,
      "ok.js": "export const c = JSON.parse(JSON.stringify(y));",
    };
    for (const [name, text] of Object.entries(shapes)) writeFileSync(join(dir, name), `${text}\n`);
    const r = cli(["lint", ".", "--all-files", "--format", "json"], { cwd: dir });
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    const deep = report.diagnostics.filter((d) => d.rule === "unreadable-file").map((d) => d.file).sort();
    assert.deepEqual(deep, Object.keys(shapes).filter((f) => f !== "ok.js").sort());
    assert.ok(report.diagnostics.every((d) => d.rule !== "unreadable-file" || /nesting deeper than 500 levels/.test(d.message)));
    assert.ok(report.diagnostics.some((d) => d.file === "ok.js" && d.rule === "json-deep-clone"));
  });
});

describe("bad input: one clear line and exit 2", () => {
  const expectUsageError = (r, pattern) => {
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at |RuntimeError|unreachable|panicked/);
  };

  test("unknown flag", () => expectUsageError(cli(["check", "--frobnicate"]), /unknown option '--frobnicate'/));
  test("unknown format", () => expectUsageError(cli(["check", "--format", "xml"]), /unknown format 'xml'/));

  test("no wrangler config and no entry", () => {
    expectUsageError(cli(["check"], { cwd: scratch() }), /no wrangler config .* here or above it; give the Worker's entry with --entry FILE/);
  });

  test("an entry that fails to bundle", () => {
    const dir = scratch();
    writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\nmain = "index.ts"\ncompatibility_date = "2025-09-01"\n');
    writeFileSync(join(dir, "index.ts"), 'import { nope } from "./missing";\nexport default { fetch() { return new Response(nope) } };\n');
    expectUsageError(cli(["check", "--entry", "index.ts"], { cwd: dir }), /esbuild could not bundle the Worker: index\.ts:1:21: Could not resolve "\.\/missing"/);
  });

  test("esbuild's log as wrangler prints it: each error at its place, plain text", async () => {
    const { esbuildErrors, failureLines } = await importPackage("buildlog");
    const esc = (code) => `\u001b[${code}m`;
    const marker = (kind) => `${esc(31)}✘ ${esc("41;31")}[${esc("41;97")}${kind}${esc("41;31")}]${esc(0)} `;
    const log = [
      `${marker("ERROR")}${esc(1)}Build failed with 3 errors:${esc(0)}`,
      "",
      `  ${marker("ERROR")}${esc(1)}Unexpected ";"${esc(0)}`,
      "  ",
      "      src/helper.ts:2:12:",
      `  ${esc(37)}      2 │   const x = ${esc(32)};${esc(37)}`,
      `          ╵             ${esc(32)}^${esc(0)}`,
      "",
      `  ${marker("ERROR")}${esc(1)}Could not resolve "./missing"${esc(0)}`,
      "",
      "      src/lib/a b.ts:1:21:",
      '        1 │ import { nope } from "./missing";',
      "",
      "  You can mark the path as external.",
      "",
      `  ${marker("ERROR")}${esc(1)}No loader is configured for ".node" files${esc(0)}`,
      "",
      `${esc(33)}▲ [WARNING]${esc(0)} a warning`,
      "",
      "      src/w.ts:9:1:",
    ].join("\n");
    assert.deepEqual(esbuildErrors(log), [
      { text: 'Unexpected ";"', file: "src/helper.ts", line: 2, column: 12 },
      { text: 'Could not resolve "./missing"', file: "src/lib/a b.ts", line: 1, column: 21 },
      { text: 'No loader is configured for ".node" files', file: null, line: null, column: null },
    ]);
    assert.deepEqual(failureLines(log), ['src/helper.ts:2:12: Unexpected ";"', 'src/lib/a b.ts:1:21: Could not resolve "./missing"', 'No loader is configured for ".node" files']);
    assert.deepEqual(failureLines(`${esc(31)}Error: config is broken${esc(0)}\nsome output`), ["Error: config is broken"]);
  });

  // A syntax error in a file the entry imports: the build tool's own place
  // and text, never the entry's name, and no escape codes even when colour
  // is forced; wrangler's run (the project's wrangler) and esbuild's.
  for (const tool of ["wrangler", "esbuild"]) {
    test(`a syntax error in an imported file, from ${tool}`, () => {
      const dir = scratch();
      if (tool === "wrangler") symlinkSync(join(project, "node_modules"), join(dir, "node_modules"), "dir");
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n');
      writeFileSync(join(dir, "src", "index.ts"), 'import { helper } from "./helper";\nexport default { fetch() { return new Response(helper()); } };\n');
      writeFileSync(join(dir, "src", "helper.ts"), 'export function helper() {\n  const x = ;\n  return "x";\n}\n');
      const r = cli(["check"], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
      expectUsageError(r, new RegExp(`${tool} could not bundle the Worker: src/helper\\.ts:2:12: Unexpected ";"`));
      assert.doesNotMatch(r.stderr, /\u001b/);
      assert.doesNotMatch(r.stderr, /index\.ts/);
    });
  }

  test("invalid wrangler.toml", () => {
    const dir = scratch();
    writeFileSync(join(dir, "wrangler.toml"), 'name = "x\nmain = 1\n');
    expectUsageError(cli(["check"], { cwd: dir }), /wrangler\.toml.*invalid TOML/);
  });

  test("malformed and truncated metafiles", () => {
    const dir = scratch();
    writeFileSync(join(dir, "meta.json"), '{"inputs": {"a.js": {"bytes": 1');
    expectUsageError(cli(["bundle", "meta.json"], { cwd: dir }), /meta\.json: not valid JSON .*truncated/);
    writeFileSync(join(dir, "meta2.json"), '{"inputs": {}}');
    expectUsageError(cli(["bundle", "meta2.json"], { cwd: dir }), /meta2\.json: not an esbuild metafile/);
    writeFileSync(join(dir, "meta3.json"), '{"inputs": {}, "outputs": {"out.js": {"bytes": 10, "inputs": {}}}}');
    expectUsageError(cli(["bundle", "meta3.json"], { cwd: dir }), /out\.js: output file listed in the metafile is missing/);
    expectUsageError(cli(["bundle", "nope.json"], { cwd: dir }), /nope\.json: cannot read metafile \(ENOENT\)/);
  });

  test("bad config names the key", () => {
    const dir = scratch();
    writeFileSync(join(dir, "c.json"), JSON.stringify({ rules: { "await-in-loop": "loud" } }));
    expectUsageError(cli(["lint", ".", "--config", join(dir, "c.json")], { cwd: dir }), /c\.json: rules\.await-in-loop: expected "off", "info", "warn", "error"/);
    writeFileSync(join(dir, "c2.json"), '{ "plan": "free", }x');
    expectUsageError(cli(["lint", ".", "--config", join(dir, "c2.json")], { cwd: dir }), /c2\.json:1:\d+: invalid JSON: /);
  });

  test("an unknown rule or option in the config: did you mean", () => {
    const dir = scratch();
    writeFileSync(join(dir, "c.json"), JSON.stringify({ rules: { "await-in-lop": "warn" } }));
    expectUsageError(cli(["lint", ".", "--config", join(dir, "c.json")], { cwd: dir }), /c\.json: rules\.await-in-lop: unknown rule, did you mean `await-in-loop`\?/);
    writeFileSync(join(dir, "c2.json"), JSON.stringify({ rules: { "heavy-dependency": ["warn", { treshold: "60 kB" }] } }));
    expectUsageError(cli(["lint", ".", "--config", join(dir, "c2.json")], { cwd: dir }), /c2\.json: rules\.heavy-dependency: unknown option `treshold`, did you mean `threshold`\?/);
    writeFileSync(join(dir, "c3.json"), JSON.stringify({ rules: { "heavy-dependency": ["warn", { threshold: true }] } }));
    expectUsageError(cli(["lint", ".", "--config", join(dir, "c3.json")], { cwd: dir }), /c3\.json: rules\.heavy-dependency: invalid type: boolean `true`/);
  });

  test("missing lint path", () => expectUsageError(cli(["lint", "does-not-exist"]), /does-not-exist: no such file or directory/));
});

describe("hostile input: bounded reads, protected files, inert text", () => {
  const expectUsageError = (r, pattern) => {
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at |RuntimeError|unreachable|panicked|internal error/);
  };
  const CLONE = "export const c = JSON.parse(JSON.stringify(globalThis.y));\n";
  /** A folder with one source file with a finding. */
  const sources = () => {
    const dir = scratch();
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "index.ts"), CLONE);
    return dir;
  };
  const hasTempFiles = (dir) => readdirSync(dir).some((f) => f.endsWith(".tmp"));

  test("outputs never overwrite a source, a config or a file of someone else's", () => {
    const dir = sources();
    const before = readFileSync(join(dir, "src", "index.ts"), "utf8");
    for (const flag of ["--output", "--html", "--save-baseline", "--history"]) {
      expectUsageError(cli(["lint", "src", flag, "src/index.ts"], { cwd: dir }), /^perf-optimizer: src\/index\.ts: will not write .* to a file with a source or config extension/);
    }
    assert.equal(readFileSync(join(dir, "src", "index.ts"), "utf8"), before);
    writeFileSync(join(dir, "notes.json"), '{ "mine": true }\n');
    writeFileSync(join(dir, "README.md"), "# my project\n");
    expectUsageError(cli(["lint", "src", "--save-baseline", "notes.json"], { cwd: dir }), /notes\.json: exists and is not a perf-optimizer output/);
    expectUsageError(cli(["lint", "src", "--format", "markdown", "--output", "README.md"], { cwd: dir }), /README\.md: exists and is not a perf-optimizer output/);
    expectUsageError(cli(["lint", "src", "--output", "src"], { cwd: dir }), /src: is not a regular file/);
    assert.equal(readFileSync(join(dir, "notes.json"), "utf8"), '{ "mine": true }\n');
    assert.equal(readFileSync(join(dir, "README.md"), "utf8"), "# my project\n");
  });

  test("outputs replace their own earlier versions, whole, in every format", () => {
    const dir = sources();
    for (const format of ["json", "sarif", "markdown", "github", "pretty"]) {
      for (let run = 0; run < 2; run++) {
        const r = cli(["lint", "src", "--format", format, "--output", `report.${format}`, "--html", "report.html", "--save-baseline", "baseline.json", "--history", "history.jsonl"], { cwd: dir });
        assert.equal(r.stderr, "", `${format}, run ${run}`);
      }
    }
    assert.equal(readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n").length, 10);
    assert.equal(JSON.parse(readFileSync(join(dir, "baseline.json"), "utf8")).version, 1);
    assert.ok(!hasTempFiles(dir));
  });

  test("a FIFO, a device or a folder is never read as a file", () => {
    const dir = sources();
    spawnSync("mkfifo", [join(dir, "src", "pipe.ts"), join(dir, "pipe.json")]);
    // Named as input: reported by name, the other file analyzed; no hang.
    const r = cli(["lint", "src/pipe.ts", "src/index.ts", "--format", "json"], { cwd: dir, timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const skipped = JSON.parse(r.stdout).diagnostics.find((d) => d.rule === "unreadable-file");
    assert.equal(skipped.message, "src/pipe.ts was not analyzed: cannot read source file: a FIFO, only regular files are read");
    expectUsageError(cli(["lint", "src/index.ts", "--config", "pipe.json"], { cwd: dir, timeout: 60_000 }), /pipe\.json: cannot read config file: a FIFO, only regular files are read/);
    expectUsageError(cli(["lint", "src/index.ts", "--config", "src"], { cwd: dir }), /src: cannot read config file: a directory, only regular files are read/);
    expectUsageError(cli(["lint", "src/index.ts", "--config", "missing.json"], { cwd: dir }), /missing\.json: config file not found/);
    expectUsageError(cli(["lint", "src/index.ts", "--baseline", "/dev/zero"], { cwd: dir, timeout: 60_000 }), /\/dev\/zero: cannot read baseline: a device, only regular files are read/);
  });

  test("a NUL written in a template literal is source code; a binary file is reported as such", () => {
    const dir = sources();
    // Valid code esbuild builds: a NUL byte as a map key's separator.
    writeFileSync(join(dir, "src", "nul.ts"), "export async function f(keys: string[]) {\n  for (const k of keys) await fetch(`https://x/${k}\0${k}`);\n}\n");
    // Not text: a wasm module's header and bytes that are not UTF-8.
    writeFileSync(join(dir, "src", "blob.js"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xfe, 0x80, 0]));
    const r = cli(["lint", "src/nul.ts", "src/blob.js", "--format", "json"], { cwd: dir });
    const found = JSON.parse(r.stdout).diagnostics.map((d) => [d.file, d.rule, d.message.split(":")[0]]);
    assert.deepEqual(
      found.filter(([file]) => file === "src/nul.ts").map(([, rule]) => rule),
      ["subrequest-in-loop"],
    );
    assert.deepEqual(
      found.filter(([file]) => file === "src/blob.js"),
      [["src/blob.js", "unreadable-file", "src/blob.js was not analyzed"]],
    );
  });

  test("source files over the size cap are an info finding with the cap, which the flag and the config set", () => {
    const dir = sources();
    writeFileSync(join(dir, "src", "big.ts"), `${CLONE}${"// padding\n".repeat(30_000)}`);
    const overCap = "src/big.ts was not analyzed: 0.315 MiB is over the 0.25 MiB limit for a source file (generated or minified code?)";
    /** The over-cap findings of a run, and whether big.ts was analyzed. */
    const capped = (args) => {
      const r = cli(["lint", "src", "--all-files", "--format", "json", ...args], { cwd: dir });
      assert.equal(r.stderr, "");
      const report = JSON.parse(r.stdout);
      return {
        code: r.code,
        tooLarge: report.diagnostics.filter((d) => d.rule === "file-too-large").map((d) => [d.file, d.severity, d.message]),
        analyzed: report.diagnostics.some((d) => d.file === "src/big.ts" && d.rule === "json-deep-clone"),
        unreadable: report.diagnostics.filter((d) => d.rule === "unreadable-file"),
      };
    };
    // An info finding (it was a warning) naming the file and the cap.
    // With every other finding an error, the exit code shows the info one
    // does not count: 1 for index.ts's error, and 0 once that is off.
    const strict = { rules: { "json-deep-clone": "error" } };
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify(strict));
    assert.deepEqual(capped(["--max-file-size", "0.25"]), { code: 1, tooLarge: [["src/big.ts", "info", overCap]], analyzed: false, unreadable: [] });
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ rules: { "json-deep-clone": "off" } }));
    assert.equal(capped(["--max-file-size", "0.25"]).code, 0);
    // The config's maxFileSize: a size with its unit, or bytes; the flag wins.
    for (const maxFileSize of ["256 KiB", 262_144]) {
      writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ ...strict, maxFileSize }));
      assert.deepEqual(capped([]).tooLarge, [["src/big.ts", "info", overCap]], String(maxFileSize));
      assert.deepEqual(capped(["--max-file-size", "1"]), { code: 1, tooLarge: [], analyzed: true, unreadable: [] }, String(maxFileSize));
    }
    rmSync(join(dir, "perf-optimizer.config.json"));
    assert.deepEqual(capped([]), { code: 0, tooLarge: [], analyzed: true, unreadable: [] });
    expectUsageError(cli(["lint", "src", "--max-file-size", "lots"], { cwd: dir }), /--max-file-size takes a size in MiB/);
    expectUsageError(cli(["lint", "src", "--max-file-size", "5 parsecs"], { cwd: dir }), /--max-file-size takes a size in MiB .*got '5 parsecs'/);
    // With a unit, as the config writes it.
    assert.deepEqual(capped(["--max-file-size", "256 KiB"]).tooLarge, [["src/big.ts", "info", overCap]]);
    // A wrong value or a misspelt key stops the run, naming the key.
    for (const [config, error] of [
      [{ maxFileSize: true }, 'perf-optimizer.config.json: maxFileSize: expected a size such as "8 MiB" or a number of bytes'],
      [{ maxFileSize: "lots" }, 'perf-optimizer.config.json: maxFileSize: invalid size "lots" (use B, kB, KiB, MB or MiB)'],
      [{ maxFileSize: 0 }, "perf-optimizer.config.json: maxFileSize: 0 is not a size from 1 B to 1024 MiB"],
      [{ maxFilesize: "1 MiB" }, "perf-optimizer.config.json: unknown field `maxFilesize`, did you mean `maxFileSize`?"],
    ]) {
      writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify(config));
      const r = cli(["lint", "src"], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`perf-optimizer: ${error}`), r.stderr);
    }
  });

  test("a metafile's source map links stay inside the project, and its sizes must fit its files", () => {
    const dir = scratch();
    mkdirSync(join(dir, "lib"));
    mkdirSync(join(dir, "out"));
    // Pre-bundled inputs whose source map comments point at /dev/zero and out of the project.
    writeFileSync(join(dir, "lib", "zero.js"), "export const a = 1;\n//# sourceMappingURL=/dev/zero\n");
    writeFileSync(join(dir, "lib", "escape.js"), "export const b = 2;\n//# sourceMappingURL=../../../../../../../../etc/passwd\n");
    const out = "const a = 1;\nconst b = 2;\nexport { a, b };\n";
    writeFileSync(join(dir, "out", "index.js"), out);
    const metafile = (bytes) => ({
      inputs: { "lib/zero.js": { bytes: 50 }, "lib/escape.js": { bytes: 60 } },
      outputs: { "out/index.js": { bytes, entryPoint: "lib/zero.js", inputs: { "lib/zero.js": { bytesInOutput: 12 }, "lib/escape.js": { bytesInOutput: 12 } }, imports: [], exports: ["a", "b"] } },
    });
    writeFileSync(join(dir, "meta.json"), JSON.stringify(metafile(out.length)));
    const r = cli(["bundle", "meta.json", "--format", "json"], { cwd: dir, timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).bundle.outputs[0].bytes, out.length);
    writeFileSync(join(dir, "forged.json"), JSON.stringify(metafile(1_000_000_000)));
    expectUsageError(cli(["bundle", "forged.json"], { cwd: dir }), new RegExp(`forged\\.json: inconsistent metafile: it claims 1000000000 bytes for out/index\\.js, but the file has ${out.length} bytes`));
  });

  test("control characters in file names and snippets are escaped in pretty, GitHub and Markdown output", () => {
    const dir = scratch();
    // A name with an escape sequence (retitles a terminal), a newline, a `|` and a backtick;
    // a snippet with a raw ESC in a string.
    const name = "evil\u001b]0;pwned\u0007\n| `x`.ts";
    writeFileSync(join(dir, name), 'export const c = JSON.parse(JSON.stringify("\u001b[2J" + globalThis.y));\n');
    for (const format of ["pretty", "github", "markdown"]) {
      const r = cli(["lint", ".", "--all-files", "--format", format], { cwd: dir });
      assert.equal(r.stderr, "", format);
      assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/, `${format}: a raw control character`);
      assert.match(r.stdout, /evil\\u\{1b\}\]0;pwned\\u\{7\}\\u\{a\}/, format);
      assert.match(r.stdout, /\\u\{1b\}\[2J/, format);
    }
    const md = cli(["lint", ".", "--all-files", "--format", "markdown"], { cwd: dir }).stdout;
    // Each finding's table row stays one row: its `|` is escaped.
    const row = md.split("\n").find((l) => l.includes("json-deep-clone") && l.startsWith("|"));
    assert.ok(row, md);
    assert.equal(row.split(/(?<!\\)\|/).length, 6, row);
  });

  test("a JSON config with a byte order mark is read", () => {
    const dir = sources();
    writeFileSync(join(dir, "perf-optimizer.config.json"), '\ufeff{ "rules": { "json-deep-clone": "off" } }\n');
    const r = cli(["lint", "src", "--format", "json"], { cwd: dir });
    assert.equal(r.stderr, "");
    assert.ok(!JSON.parse(r.stdout).diagnostics.some((d) => d.rule === "json-deep-clone"));
  });

  test("rules and why refuse formats they cannot print; why --format json exits 1 when the target is not found", () => {
    expectUsageError(cli(["rules", "--format", "sarif"]), /rules prints pretty or json, not sarif/);
    const r = cli(["why", "no-such-package-anywhere", "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
