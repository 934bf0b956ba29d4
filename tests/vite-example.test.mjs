// examples/vite-worker (React client, Hono Worker with a D1 database, moment
// and chanfana's zod 4 next to the Worker's zod 3), installed from its lock
// file with the packed tarball by the test set-up (tests/scratch.mjs): its
// `vite build` with perf-optimizer/vite in its config, and `perf-optimizer
// check` on it, report exactly what examples/vite-worker/expected.json lists.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { project } from "./helpers.mjs";
import { viteExampleDir } from "./scratch.mjs";

const example = viteExampleDir(project);
const expected = JSON.parse(readFileSync(fileURLToPath(new URL("../examples/vite-worker/expected.json", import.meta.url)), "utf8"));

function run(args) {
  const r = spawnSync(process.execPath, args, {
    cwd: example,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: "1", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cli = (args) => run([join(example, "node_modules", "perf-optimizer", "js", "cli.js"), ...args]);

/** The report's facts expected.json lists. */
const facts = (report) => ({
  findings: report.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`),
  packages: report.bundle.packages.map((p) => `${p.name}@${p.version}`).sort(),
  files: report.bundle.modules.filter((m) => !m.package).map((m) => m.path).sort(),
  duplicates: report.bundle.duplicates.map((d) => d.name),
});
const { comment, ...expectedFacts } = expected;

describe("examples/vite-worker", () => {
  test("vite build (perf-optimizer/vite in vite.config.ts) prints the Worker's composition and its warnings", () => {
    const r = run([join(example, "node_modules", "vite", "bin", "vite.js"), "build"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const output = r.stdout + r.stderr;
    assert.match(output, /\[perf-optimizer\] Worker environment "todo_app":\nBundle dist\/todo_app\/index\.js/);
    assert.match(output, /Composition \(bytes in the output\)/);
    assert.match(output, /\[perf-optimizer\] client environment: \d+ files, [\d.]+ KiB: static assets, not counted against the Worker's size limit/);
    // Its warnings: the expected findings of warning severity, at their files and lines.
    const warned = output
      .split("\n")
      .map((l) => /^\[plugin perf-optimizer\] ([^:]+):(\d+):\d+: .* \[([\w-]+)\]$/.exec(l))
      .filter(Boolean)
      .map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    const reused = cli(["check", "--no-build", "--format", "json"]);
    assert.equal(reused.code, 0, reused.stderr);
    const report = JSON.parse(reused.stdout);
    assert.deepEqual(facts(report), expectedFacts);
    assert.deepEqual(warned.sort(), report.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.file}:${d.line} ${d.rule}`).sort());
  });

  test("perf-optimizer check builds it and reports exactly expected.json", () => {
    const r = cli(["check", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^perf-optimizer: vite\.config\.ts uses @cloudflare\/vite-plugin: running the project's vite build/);
    assert.deepEqual(facts(JSON.parse(r.stdout)), expectedFacts);
  });
});
