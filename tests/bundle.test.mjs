// Bundle findings and `why` on the example Worker (moment, lodash (CommonJS),
// hono, drizzle-orm, zod), bundled by wrangler as deployed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cli, project } from "./helpers.mjs";

/** 1-based line of the first line of `file` (in the project) containing `text`. */
const lineOf = (file, text) => readFileSync(join(project, file), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

describe("bundle findings", () => {
  const run = cli(["check", "--format", "json"]);
  const report = JSON.parse(run.stdout || "{}");
  const findings = (rule, pkg) => report.diagnostics.filter((d) => d.rule === rule && d.message.startsWith(`\`${pkg}\``));

  // One problem, one finding: moment and lodash are bundled whole because
  // they are CommonJS; their size (heavy-dependency) is that finding's evidence.
  test("moment and lodash: commonjs-dependency at their import lines, the size (heavy-dependency) as evidence", () => {
    assert.equal(run.stderr, "");
    assert.deepEqual([...findings("heavy-dependency", "moment"), ...findings("heavy-dependency", "lodash")], []);
    const evidence = (d) => d.related.map((r) => r.message).filter((m) => m.startsWith("heavy-dependency: "));
    const moment = findings("commonjs-dependency", "moment");
    assert.deepEqual(moment.map((d) => `${d.file}:${d.line}`), [`src/lib/format.ts:${lineOf("src/lib/format.ts", "from 'moment'")}`]);
    assert.equal(evidence(moment[0]).length, 1, JSON.stringify(moment[0]));
    assert.match(evidence(moment[0])[0], /^heavy-dependency: `moment` .*\d+(\.\d)? KiB in the bundle/);
    const lodash = findings("commonjs-dependency", "lodash");
    assert.deepEqual(lodash.map((d) => `${d.file}:${d.line}`).sort(), [
      `src/routes/orders.ts:${lineOf("src/routes/orders.ts", "from 'lodash'")}`,
      `src/routes/users.ts:${lineOf("src/routes/users.ts", "from 'lodash'")}`,
    ]);
    for (const d of lodash) assert.match(evidence(d)[0] ?? "", /KiB in the bundle/, JSON.stringify(d));
    const lodashBytes = report.bundle.packages.find((p) => p.name === "lodash").bytes;
    assert.ok(lodashBytes > 100_000, `lodash ${lodashBytes}`);
  });

  test("commonjs-dependency for lodash, not for the ESM packages", () => {
    const lodash = report.diagnostics.filter((d) => d.rule === "commonjs-dependency" && d.message.startsWith("`lodash`"));
    assert.ok(lodash.length >= 1, JSON.stringify(report.diagnostics.filter((d) => d.category === "bundle")));
    assert.match(lodash[0].message, /CommonJS \([\d.]+ KiB/);
    assert.match(lodash[0].help, /lodash-es/);
    assert.ok(["src/routes/orders.ts", "src/routes/users.ts"].includes(lodash[0].file));
    for (const esm of ["hono", "drizzle-orm", "zod"]) {
      assert.equal(findings("commonjs-dependency", esm).length, 0, esm);
    }
  });

  test("composition adds up and carries folders and compression estimates", () => {
    const b = report.bundle;
    const total = b.packages.reduce((s, p) => s + p.bytes, 0) + b.firstPartyBytes + b.runtimeBytes;
    const out = b.outputs.reduce((s, o) => s + o.bytes, 0);
    assert.equal(total, out);
    assert.ok(b.folders.some((f) => f.path.endsWith("src/routes")), JSON.stringify(b.folders));
    assert.equal(b.folders.reduce((s, f) => s + f.bytes, 0), b.firstPartyBytes);
    for (const p of b.packages.filter((p) => p.bytes > 1000)) assert.ok(p.gzipBytes > 0 && p.gzipBytes < p.bytes && p.brotliBytes > 0, p.name);
  });

  test("rules lists the bundle rules", () => {
    const rules = JSON.parse(cli(["rules", "--format", "json"]).stdout);
    for (const id of ["duplicate-package", "commonjs-dependency", "node-polyfill", "unused-in-bundle"]) {
      assert.ok(rules.some((r) => r.id === id && r.category === "bundle"), id);
    }
  });
});

describe("perf-optimizer why", () => {
  test("prints the import chain from the entry to moment", () => {
    const run = cli(["why", "moment", "--format", "json"]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    const chains = JSON.parse(run.stdout);
    assert.ok(chains.length >= 1);
    const shortest = chains[0];
    assert.ok(shortest.at(-1).includes("node_modules/moment/"), shortest.join(" → "));
    assert.ok(shortest.some((p) => p.endsWith("src/lib/format.ts")), shortest.join(" → "));
    assert.ok(shortest.some((p) => p.endsWith("src/index.ts")), shortest.join(" → "));
    for (let i = 1; i < chains.length; i++) assert.ok(chains[i].length >= chains[i - 1].length, "shortest first");
  });

  test("pretty output and a package that is not bundled", () => {
    const run = cli(["why", "moment"]);
    assert.match(run.stdout, /moment is in the bundle through \d+ import chains?/);
    assert.match(run.stdout, /→ .*node_modules\/moment\//);
    const missing = cli(["why", "left-pad"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /left-pad is not in the bundle/);
    assert.equal(cli(["why"]).code, 2);
  });
});
