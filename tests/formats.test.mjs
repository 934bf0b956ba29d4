// CI outputs from the installed CLI: SARIF validated against the official
// SARIF 2.1.0 schema, Markdown and GitHub annotations, baselines and history.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cli, project } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");
const schema = JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/sarif-schema-2.1.0.json", import.meta.url)), "utf8"));
const tmp = () => mkdtempSync(join(tmpdir(), "perf-formats-"));

describe("formats", () => {
  test("SARIF validates against the SARIF 2.1.0 schema", () => {
    const r = cli(["check", "--format", "sarif"]);
    assert.equal(r.stderr, "");
    const sarif = JSON.parse(r.stdout);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const run = sarif.runs[0];
    assert.ok(run.results.length > 0);
    const result = run.results.find((x) => x.ruleId === "json-deep-clone");
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, "src/routes/orders.ts");
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, "%SRCROOT%");
    assert.ok(run.tool.driver.rules.some((rule) => rule.id === "json-deep-clone" && rule.helpUri.endsWith("json-deep-clone.md")));
  });

  test("Markdown is a pull-request comment with the size table", () => {
    const md = cli(["check", "--format", "markdown"]).stdout;
    assert.match(md, /<!-- perf-optimizer -->/);
    assert.match(md, /\| `index\.js` \|/);
    assert.match(md, /json-deep-clone/);
  });

  test("GitHub format emits workflow commands and writes the step summary", () => {
    const summary = join(tmp(), "summary.md");
    writeFileSync(summary, "");
    const r = cli(["check", "--format", "github"], { env: { GITHUB_STEP_SUMMARY: summary } });
    assert.match(r.stdout, /^::warning file=src\/routes\/orders\.ts,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=.*json-deep-clone.*::JSON\.parse/m);
    assert.match(readFileSync(summary, "utf8"), /<!-- perf-optimizer -->/);
  });
});

describe("baselines, growth budgets and history", () => {
  test("a growth budget fails against a baseline from a smaller build", () => {
    const dir = tmp();
    const baselinePath = join(dir, "baseline.json");
    const history = join(dir, "history.jsonl");
    const saved = cli(["check", "--format", "json", "--save-baseline", baselinePath, "--history", history]);
    assert.equal(saved.stderr, "");
    const baseline = JSON.parse(readFileSync(baselinePath, "utf8"));
    assert.equal(baseline.version, 1);
    // The same Worker a release earlier: 20% smaller and without moment.
    for (const o of baseline.outputs) for (const k of ["bytes", "gzipBytes", "brotliBytes"]) o[k] = Math.round(o[k] * 0.8);
    for (const k of ["bytes", "gzipBytes", "brotliBytes"]) baseline.totals[k] = Math.round(baseline.totals[k] * 0.8);
    baseline.packages = baseline.packages.filter((p) => p.name !== "moment");
    writeFileSync(baselinePath, JSON.stringify(baseline));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ budgets: [{ metric: "gzip", maxIncrease: "5%" }, { metric: "package", name: "zod", max: "1 MB" }] }));

    const r = cli(["check", "--format", "json", "--baseline", baselinePath, "--config", join(dir, "config.json")]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    const growth = report.budgets.find((b) => b.kind === "increase");
    assert.equal(growth.passed, false);
    assert.ok(growth.actual > 20 && growth.actual < 30, `growth ${growth.actual}%`);
    assert.equal(report.budgets.find((b) => b.metric === "package").passed, true);
    assert.ok(report.baseline, "the diff is in the report");
    assert.ok(JSON.stringify(report.baseline).includes("moment"), "moment is a new package");

    const line = JSON.parse(readFileSync(history, "utf8").trim().split("\n")[0]);
    assert.ok(line.time && line.bytes > 0 && line.gzipBytes > 0);
  });

  test("bad budgets are exit 2 and name the key", () => {
    const dir = tmp();
    writeFileSync(join(dir, "c.json"), JSON.stringify({ budgets: [{ metric: "gzip", max: "12 XB" }] }));
    const r = cli(["check", "--config", join(dir, "c.json")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /budgets\[0\]\.max: invalid size "12 XB"/);
    writeFileSync(join(dir, "d.json"), JSON.stringify({ budgets: [{ metric: "gzipped", max: "1 MB" }] }));
    const r2 = cli(["check", "--config", join(dir, "d.json")]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /budgets\[0\]\.metric: unknown metric "gzipped"/);
  });
});
