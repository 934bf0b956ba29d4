// A hostile project (issue #16, "Also"): one Worker project holding the
// hostile cases of #16 at once, run through the installed CLI as a user
// would (lint, check with wrangler, bundle, configs), asserting for every
// run its exit code, that its messages name the file concerned, that its
// wall time and the process's peak memory stay bounded, and at the end that
// no file of the project (or outside it) changed.
//
// In the project: a file nested past the depth guard (and the two shapes the
// fuzzer found past it: `<><>…` fragments, `+-+-…` signs, code after a `//`
// comment that U+2028 ends, a regular expression where a property name is
// due, and a string with a bad escape), a file over
// --max-file-size, a FIFO (walked past, and named on the command line), a
// symlink to a file outside the project and one to `/`, a pre-bundled input
// whose `//# sourceMappingURL=` is /dev/zero, a D1 migrations_dir of `/`, a
// dense 0.9 MB file with findings on every line, a metafile claiming 1 GB, a
// metafile whose inputs are outside the project (`..`, absolute), the
// fuzzer's `x </a "./m((((…` and JSX `<a:b.c />` (a trap and a panic in the
// parser), 389 unclosed `Array<` before 300,000 items (103 s to parse), a
// config module that throws, the JSON config with a byte order mark, a file
// name with control characters and backticks, CR-only line endings, and
// valid modern syntax (standard decorators, `using`).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { bin, project } from "./helpers.mjs";

const CLONE = (name) => `export const ${name} = JSON.parse(JSON.stringify(globalThis.seed ?? {}));\n`;
// Control characters (a terminal title sequence, a bell), a backtick and a pipe in one name.
const EVIL_NAME = "evil\u001b]0;pwned\u0007 `tick` |.ts";

/** Every entry under `dir` (not node_modules): a file's hash, a link's target, a FIFO as such. Never opens a FIFO. */
function snapshot(dir, out = new Map(), base = dir) {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    const rel = relative(base, abs);
    if (rel === "node_modules") continue;
    const stat = lstatSync(abs);
    if (stat.isSymbolicLink()) out.set(rel, `link ${readlinkSync(abs)}`);
    else if (stat.isFIFO()) out.set(rel, "fifo");
    else if (stat.isDirectory()) snapshot(abs, out, base);
    else out.set(rel, createHash("sha256").update(readFileSync(abs)).digest("hex"));
  }
  return out;
}

let base;
let dir;
let outside;
let rssPreload;
let before_;
let outsideBefore;
const runs = [];

/**
 * Runs the installed CLI in the hostile project: exit code, output, wall
 * time and the process's peak RSS (process.resourceUsage, written on exit by
 * a preloaded script).
 */
function cli(args, { timeout = 120_000 } = {}) {
  const rssFile = join(base, `rss-${runs.length}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--require", rssPreload, bin, ...args], {
    cwd: dir,
    timeout,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", PERF_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = {
    args,
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: Date.now() - started,
    rssMb: existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : null,
  };
  runs.push(result);
  return result;
}

/** Bounded: wall time and peak memory of one run. */
function bounded(r, { ms, rssMb }) {
  const what = r.args.join(" ").slice(0, 80);
  assert.ok(r.ms < ms, `${what}: ${r.ms} ms (bound ${ms})`);
  assert.ok(r.rssMb !== null, `${what}: no RSS figure (did the process exit normally?)`);
  assert.ok(r.rssMb < rssMb, `${what}: ${r.rssMb.toFixed(0)} MB peak RSS (bound ${rssMb})`);
}

/** A user's mistake: exit 2, one line naming `pattern`, no stack or internal-error text. */
function refused(r, pattern) {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |RuntimeError|unreachable|panicked|internal error|Maximum call stack/);
}

const NO_INTERNAL = /internal error|RuntimeError|unreachable|panicked|Maximum call stack|wasm-function/;

before(() => {
  base = mkdtempSync(join(tmpdir(), "perf-optimizer-hostile-"));
  dir = join(base, "project");
  outside = join(base, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.ts"), CLONE("outsideSecret"));
  writeFileSync(join(outside, "absolute.ts"), CLONE("outsideAbsolute"));
  mkdirSync(join(outside, "node_modules", "evilpkg"), { recursive: true });
  writeFileSync(join(outside, "node_modules", "evilpkg", "package.json"), JSON.stringify({ name: "leaked-name", version: "6.6.6" }));
  writeFileSync(join(outside, "node_modules", "evilpkg", "index.js"), "export const e = 1;\n//# sourceMappingURL=index.js.map\n");
  rssPreload = join(base, "rss.cjs");
  writeFileSync(
    rssPreload,
    'process.on("exit", () => require("node:fs").writeFileSync(process.env.PERF_RSS_FILE, String(process.resourceUsage().maxRSS)));\n',
  );
  const files = {
    "package.json": JSON.stringify({ name: "hostile", private: true, type: "module" }),
    // A migrations folder at `/`: never walked.
    "wrangler.toml": [
      'name = "hostile"',
      'main = "src/index.ts"',
      'compatibility_date = "2025-09-01"',
      "[[d1_databases]]",
      'binding = "DB"',
      'database_name = "hostile"',
      'database_id = "00000000-0000-0000-0000-000000000000"',
      'migrations_dir = "/"',
      "",
    ].join("\n"),
    // A byte order mark (Windows editors write one); the config must be read: it makes json-deep-clone an error.
    "perf-optimizer.config.json": '\ufeff{ "rules": { "json-deep-clone": "error" } }\n',
    "throws.config.mjs": 'const limit = 3;\nthrow new Error("no budget for " + limit);\n',
    "src/index.ts": [
      'import { modern } from "./modern";',
      'import { crOnly } from "./cr-only.js";',
      "const cache = JSON.parse(JSON.stringify(globalThis.seed ?? {}));",
      "export default {",
      "  async fetch(request: Request): Promise<Response> {",
      "    return new Response(String(modern() + crOnly + cache));",
      "  },",
      "};",
      "",
    ].join("\n"),
    // Valid modern syntax esbuild builds: standard decorators and `using`.
    "src/modern.ts": [
      "function logged<T>(method: T, _context: ClassMethodDecoratorContext): T {",
      "  return method;",
      "}",
      "class Service {",
      "  @logged",
      "  run(): number {",
      "    return 1;",
      "  }",
      "}",
      "export function modern(): number {",
      "  using resource = { [Symbol.dispose]() {} };",
      "  return new Service().run();",
      "}",
      "",
    ].join("\n"),
    // CR-only line endings: the finding is on line 3.
    "src/cr-only.js": `// one\r// two\r${CLONE("crOnly").trimEnd()}\r`,
    "src/deep.js": `export const x = ${"(".repeat(20_000)}1${")".repeat(20_000)};\n`,
    "src/fragments.jsx": `export const x = ${"<>".repeat(3_000)}x${"</>".repeat(3_000)};\n`,
    "src/signs.js": `export const x = ${"+-".repeat(50_000)}1;\n`,
    // Not valid: a regular expression where a property name is due, which the parser reads as division.
    "src/regex-key.js": `export const o = { a: 1, /${"a|".repeat(20_000)}b/ };\n`,
    // Not valid: a bad escape, after which the parser reads on as code.
    "src/bad-escape.jsx": `export const x = f({ m: "\\u00${"><div".repeat(3_000)}\n`,
    // `</` that closes no tag: `<` and a regular expression, then code nested deep.
    "src/less-regex.js": `x </ole "./m${"(".repeat(5_000)}\n`,
    // A JSX name with a namespace and a member: swc panicked on it.
    "src/jsx-ns.jsx": "export const x = <a:b.c />;\n",
    // 389 unclosed `Array<` before 300,000 items: 103 s in the parser.
    "src/generics.ts": `export const x = ${"Array<".repeat(389)}[${"1,".repeat(300_000)}];\n`,
    // A line comment ends at U+2028: what follows is code, nested deep.
    "src/comment.js": `// note\u2028export const x = ${"a = ".repeat(5_000)}1;\n`,
    // Dense: a loop with several findings on each of ~5,000 lines (0.9 MB):
    // time stays linear in size (#16 item 3).
    "src/dense.js": `export default {\n  async fetch(request, env) {\n    const keys = (await request.text()).split(",");\n${Array.from(
      { length: 5_000 },
      (_, i) => `    for (const k of keys) { const v${i} = await env.KV.get(k); await fetch("https://x/" + k); console.log(JSON.parse(JSON.stringify(v${i}))); }\n`,
    ).join("")}    return new Response("ok");\n  },\n};\n`,
    // 2.2 MB: over the 1 MiB cap the runs pass.
    "src/huge.js": `${CLONE("huge")}${"// padding\n".repeat(200_000)}`,
    [`src/${EVIL_NAME}`]: CLONE("evil"),
    // A pre-bundled input whose source map link would read forever.
    "lib/zero.js": "export const a = 1;\n//# sourceMappingURL=/dev/zero\n",
    "out/index.js": "const a = 1;\nexport { a };\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = files["out/index.js"];
  const metafile = (bytes) => ({
    inputs: { "lib/zero.js": { bytes: files["lib/zero.js"].length, imports: [] } },
    outputs: { "out/index.js": { bytes, entryPoint: "lib/zero.js", inputs: { "lib/zero.js": { bytesInOutput: 12 } }, imports: [], exports: ["a"] } },
  });
  writeFileSync(join(dir, "meta.json"), JSON.stringify(metafile(out.length)));
  writeFileSync(join(dir, "forged.json"), JSON.stringify(metafile(1_000_000_000)));
  // Inputs outside the project, by `..` and by an absolute path, and a
  // package outside it: none is read (its bytes still count).
  const far = {
    "../outside/secret.ts": 60,
    [join(outside, "absolute.ts")]: 60,
    "../outside/node_modules/evilpkg/index.js": 50,
  };
  writeFileSync(
    join(dir, "outside-meta.json"),
    JSON.stringify({
      inputs: { ...Object.fromEntries(Object.entries(far).map(([p, bytes]) => [p, { bytes, imports: [] }])), "lib/zero.js": { bytes: files["lib/zero.js"].length, imports: [] } },
      outputs: {
        "out/index.js": { bytes: out.length, entryPoint: "lib/zero.js", inputs: Object.fromEntries([...Object.keys(far), "lib/zero.js"].map((p) => [p, { bytesInOutput: 6 }])), imports: [], exports: ["a"] },
      },
    }),
  );
  assert.equal(spawnSync("mkfifo", [join(dir, "src", "pipe.ts")]).status, 0, "mkfifo");
  symlinkSync(join(outside, "secret.ts"), join(dir, "src", "outside.ts"));
  symlinkSync("/", join(dir, "src", "root"), "dir");
  // The scratch project's wrangler (and, through it, its esbuild).
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(project, "node_modules", "wrangler"), join(dir, "node_modules", "wrangler"), "dir");
  before_ = snapshot(dir);
  outsideBefore = snapshot(outside);
});

after(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("a hostile project", () => {
  const unreadable = (report) => Object.fromEntries(report.diagnostics.filter((d) => d.rule === "unreadable-file").map((d) => [d.file, d.message]));

  test("lint: each hostile file reported by name, the rest analyzed, in bounded time and memory", () => {
    const r = cli(["lint", ".", "src/pipe.ts", "--all-files", "--max-file-size", "1", "--format", "json"]);
    assert.equal(r.stderr, "");
    // The BOM config was read: json-deep-clone is an error, so exit 1.
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.doesNotMatch(r.stdout, NO_INTERNAL);
    const tooDeep = (file, at) => `${file} was not analyzed: nesting deeper than 500 levels (expressions, brackets or JSX) at ${at}`;
    assert.deepEqual(unreadable(report), {
      "src/deep.js": tooDeep("src/deep.js", "1:517"),
      // Line 2: U+2028 ends the comment, and a line.
      "src/comment.js": tooDeep("src/comment.js", "2:2016"),
      "src/fragments.jsx": tooDeep("src/fragments.jsx", "1:18"),
      "src/bad-escape.jsx": tooDeep("src/bad-escape.jsx", "1:1270"),
      "src/regex-key.js": tooDeep("src/regex-key.js", "1:1022"),
      "src/signs.js": tooDeep("src/signs.js", "1:18"),
      "src/less-regex.js": tooDeep("src/less-regex.js", "1:512"),
      "src/generics.ts": "src/generics.ts was not analyzed: too many unclosed `<` (type arguments or comparisons) before too much code to parse in reasonable time at 1:12245",
      "src/pipe.ts": "src/pipe.ts was not analyzed: cannot read source file: a FIFO, only regular files are read",
    });
    // Over the cap: an info finding naming the file and the cap.
    assert.deepEqual(
      report.diagnostics.filter((d) => d.rule === "file-too-large").map((d) => [d.file, d.severity, d.message]),
      [["src/huge.js", "info", "src/huge.js was not analyzed: 2.1 MiB is over the 1 MiB limit for a source file (generated or minified code?)"]],
    );
    // swc's panic on `<a:b.c` is a syntax error at the name instead.
    assert.deepEqual(
      report.diagnostics.filter((d) => d.rule === "parse-error").map((d) => d.message),
      ["src/jsx-ns.jsx:1:18: not valid JavaScript, so this file was not analyzed: A JSX element name cannot have both a namespace and a member (`a:b.c`)"],
    );
    // None is called an internal error, in its message or its help.
    for (const d of report.diagnostics.filter((d) => d.rule === "unreadable-file")) assert.doesNotMatch(`${d.message} ${d.help}`, /internal error|a bug in perf-optimizer/);
    const dense = new Set(report.diagnostics.filter((d) => d.file === "src/dense.js").map((d) => d.line));
    assert.ok(dense.size >= 5_000, `${dense.size} lines of src/dense.js with findings`);
    assert.ok(report.notes.some((n) => /^wrangler\.toml: d1_databases\[0\]\.migrations_dir "\/" is outside the project/.test(n)), JSON.stringify(report.notes));
    const findings = report.diagnostics.filter((d) => d.rule === "json-deep-clone" && d.file !== "src/dense.js").map((d) => [d.file, d.line, d.severity]);
    assert.deepEqual(findings.sort(), [
      ["src/cr-only.js", 3, "error"],
      [`src/${EVIL_NAME}`, 1, "error"],
      ["src/index.ts", 3, "error"],
    ].sort());
    // Valid syntax parses; nothing outside the project is read (not the
    // linked file, not `/` through the linked folder).
    assert.ok(!report.diagnostics.some((d) => d.rule === "parse-error" && d.file !== "src/jsx-ns.jsx"), JSON.stringify(report.diagnostics.filter((d) => d.rule === "parse-error")));
    assert.doesNotMatch(r.stdout, /outsideSecret|outside\.ts|src\/root/);
    assert.ok(report.files.every((f) => !f.path.startsWith("..") && !f.path.startsWith("/")), JSON.stringify(report.files));
    bounded(r, { ms: 30_000, rssMb: 600 });
  });

  test("lint, pretty: names with control characters are escaped, never raw", () => {
    const r = cli(["lint", "src", "--all-files", "--max-file-size", "1"]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.match(r.stdout, /evil\\u\{1b\}\]0;pwned\\u\{7\} `tick` \|\.ts/);
    bounded(r, { ms: 30_000, rssMb: 600 });
  });

  test("check: wrangler's bundle with modern syntax and CR-only lines, the right lines, exit 1", () => {
    const r = cli(["check", "--max-file-size", "1", "--format", "json"], { timeout: 180_000 });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.doesNotMatch(r.stdout, NO_INTERNAL);
    const findings = report.diagnostics.filter((d) => d.rule === "json-deep-clone").map((d) => [d.file, d.line]);
    assert.deepEqual(findings.sort(), [["src/cr-only.js", 3], ["src/index.ts", 3]]);
    assert.ok(report.notes.some((n) => /migrations_dir "\/" is outside the project/.test(n)), JSON.stringify(report.notes));
    assert.ok(!report.diagnostics.some((d) => d.rule === "parse-error" || d.rule === "unreadable-file"), JSON.stringify(report.diagnostics));
    bounded(r, { ms: 120_000, rssMb: 300 });
  });

  test("check: outputs pointed at the project's own files are refused before anything runs", () => {
    const refusals = [
      ["--output", "src/index.ts", "will not write"],
      ["--html", "wrangler.toml", "will not write"],
      ["--history", "src/modern.ts", "will not write"],
      ["--save-baseline", "perf-optimizer.config.json", "exists and is not a perf-optimizer output"],
    ];
    for (const [flag, target, why] of refusals) {
      const r = cli(["check", flag, target]);
      refused(r, new RegExp(`^perf-optimizer: ${target.replaceAll(".", "\\.")}: ${why}`));
      bounded(r, { ms: 15_000, rssMb: 200 });
    }
  });

  test("bundle: a source map link to /dev/zero is not followed; a metafile claiming 1 GB is refused", () => {
    const r = cli(["bundle", "meta.json", "--format", "json"], { timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).bundle.outputs[0].bytes, readFileSync(join(dir, "out", "index.js")).length);
    bounded(r, { ms: 30_000, rssMb: 200 });
    const forged = cli(["bundle", "forged.json"]);
    refused(forged, /forged\.json: inconsistent metafile: it claims 1000000000 bytes for out\/index\.js/);
    bounded(forged, { ms: 15_000, rssMb: 200 });
  });

  test("bundle: a metafile's inputs outside the project are not read, and a note says so", () => {
    const r = cli(["bundle", "outside-meta.json", "--format", "json"], { timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    // Not linted (each would have a json-deep-clone finding), not quoted.
    assert.deepEqual(report.diagnostics.filter((d) => d.rule === "json-deep-clone"), []);
    assert.doesNotMatch(r.stdout, /outsideSecret|outsideAbsolute|leaked-name|6\.6\.6/);
    const note = report.notes.find((n) => n.startsWith("2 source files of the bundle are outside the project"));
    assert.ok(note, JSON.stringify(report.notes));
    assert.match(note, /\.\.\/outside\/secret\.ts/);
    assert.match(note, /read only when named on the command line/);
    // Their bytes still count, from the metafile; the package keeps its folder's name.
    assert.ok(report.bundle.packages.some((p) => p.name === "evilpkg" && p.bytes === 6), JSON.stringify(report.bundle.packages));
    bounded(r, { ms: 30_000, rssMb: 200 });
  });

  test("a config module that throws: where and what", () => {
    const r = cli(["lint", "src", "--config", "throws.config.mjs"]);
    refused(r, /^perf-optimizer: config throws\.config\.mjs:2:7 threw: no budget for 3$/m);
    bounded(r, { ms: 15_000, rssMb: 200 });
  });

  test("afterwards: every file of the project and outside it is unchanged", (t) => {
    assert.ok(runs.length >= 9, `${runs.length} runs`);
    for (const r of runs) t.diagnostic(`${r.args.join(" ").slice(0, 70)}: exit ${r.code}, ${r.ms} ms, ${r.rssMb?.toFixed(0)} MB peak RSS`);
    const after_ = snapshot(dir);
    for (const [path, hash] of before_) assert.equal(after_.get(path), hash, `${path} changed`);
    // Nothing new but wrangler's own state folder.
    const added = [...after_.keys()].filter((p) => !before_.has(p) && !p.startsWith(".wrangler"));
    assert.deepEqual(added, []);
    assert.deepEqual(snapshot(outside), outsideBefore);
  });
});
