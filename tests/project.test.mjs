// The project model end to end: the installed CLI on examples/monorepo (a
// Worker, a web client, tests, scripts, a shared workspace package and a
// Node tool) analyzes exactly what the Worker runs, and says what it skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cli } from "./helpers.mjs";

const monorepo = fileURLToPath(new URL("../examples/monorepo", import.meta.url));
const expected = JSON.parse(readFileSync(join(monorepo, "expected.json"), "utf8"));

const lint = (args) => {
  const run = cli(["lint", ...args, "--format", "json"], { cwd: monorepo });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return JSON.parse(run.stdout);
};
const findings = (report) => report.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`);

test("lint analyzes what the Worker runs: the expected findings and roles, exactly", () => {
  const report = lint([]);
  assert.deepEqual(findings(report), expected.findings);
  const roles = Object.fromEntries(report.files.map((f) => [f.path, f.role === "worker" ? `worker from ${f.entry}` : f.role]));
  assert.deepEqual(roles, expected.files);
  assert.ok(report.files.every((f) => f.analyzed === (f.role === "worker")));
  assert.equal(report.summary.files, 8);
  assert.equal(report.summary.skippedFiles, 8);
});

test("the pretty report says what was skipped, by role, and how to widen", () => {
  const run = cli(["lint"], { cwd: monorepo });
  assert.match(run.stdout, /Skipped 8 files the Worker does not run: 1 test, 3 script, 1 client, 1 node, 2 unknown \(--all-files analyzes them\)/);
});

test("--all-files analyzes every file; a file named on the command line is Worker code", () => {
  const all = lint(["--all-files"]);
  assert.equal(all.summary.files, 16);
  assert.equal(all.summary.skippedFiles, 0);
  for (const file of ["apps/api/scripts/seed.ts", "apps/web/src/main.tsx", "packages/shared/src/legacy.ts"]) {
    assert.ok(findings(all).some((f) => f.startsWith(`${file}:`)), `${file} in ${findings(all).join("\n")}`);
  }
  const named = lint(["packages/shared/src/legacy.ts"]);
  assert.deepEqual(findings(named), ["packages/shared/src/legacy.ts:4 subrequest-in-loop"]);
  assert.deepEqual(named.files, [{ path: "packages/shared/src/legacy.ts", role: "worker", entry: "packages/shared/src/legacy.ts", analyzed: true }]);
});

test("a folder with no Worker entry is analyzed whole, and the report says so once", () => {
  const report = lint(["packages"]);
  assert.equal(report.summary.files, 3);
  assert.equal(report.notes.length, 1);
  assert.match(report.notes[0], /^No Worker entry found among the files .*: all 3 files were analyzed\.$/);
});
