// Attribution in one place: path → package (the core's rule, through
// js/attribution.js), and the run's outcome (js/outcome.js), from the
// installed tarball.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { importPackage } from "./helpers.mjs";

const attribution = await importPackage("attribution");
const outcome = await importPackage("outcome");

describe("path → package", () => {
  const cases = [
    ["node_modules/hono/dist/index.js", { kind: "package", root: "node_modules/hono", name: "hono" }],
    ["../node_modules/@aws-sdk/client-s3/dist-es/index.js", { kind: "package", root: "../node_modules/@aws-sdk/client-s3", name: "@aws-sdk/client-s3" }],
    // Nested copies: the package after the LAST node_modules/.
    ["node_modules/chanfana/node_modules/zod/lib/index.mjs", { kind: "package", root: "node_modules/chanfana/node_modules/zod", name: "zod" }],
    ["node_modules/@hono/zod-openapi/node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs",
      { kind: "package", root: "node_modules/@hono/zod-openapi/node_modules/@asteasolutions/zod-to-openapi", name: "@asteasolutions/zod-to-openapi" }],
    // pnpm's store layout.
    ["node_modules/.pnpm/zod@3.23.8/node_modules/zod/lib/index.mjs", { kind: "package", root: "node_modules/.pnpm/zod@3.23.8/node_modules/zod", name: "zod" }],
    ["node_modules/.pnpm/@scope+pkg@1.0.0/node_modules/@scope/pkg/index.js", { kind: "package", root: "node_modules/.pnpm/@scope+pkg@1.0.0/node_modules/@scope/pkg", name: "@scope/pkg" }],
    // A package root itself (what readManifests names).
    ["node_modules/@cloudflare/workers-types", { kind: "package", root: "node_modules/@cloudflare/workers-types", name: "@cloudflare/workers-types" }],
    ["src/index.ts", { kind: "firstParty" }],
    ["src/node_modules_helper.ts", { kind: "firstParty" }],
    [".wrangler/tmp/bundle-abc/middleware-loader.entry.ts", { kind: "runtime" }],
    ["node_modules/wrangler/templates/middleware/common.ts", { kind: "runtime" }],
    ["cloudflare-internal:env", { kind: "runtime" }],
  ];
  test("one answer per path, in order, for every layout", () => {
    assert.deepEqual(attribution.origins(cases.map(([p]) => p)), cases.map(([, o]) => o));
  });
  test("packageOf is the package half of the same answer", () => {
    for (const [path, o] of cases) assert.deepEqual(attribution.packageOf(path), o.kind === "package" ? o : null, path);
  });
  test("module-path comments name packages the same way", () => {
    const text = ["// node_modules/.pnpm/zod@3.23.8/node_modules/zod/lib/index.mjs", "x();", "// src/a.ts", "y();"].join("\n");
    assert.deepEqual(attribution.headerPackages(text), ["zod", "zod", null, null]);
  });
});

describe("outcome", () => {
  const report = (errors, passed) => ({ summary: { errors }, budgets: [{ name: "script size", metric: "raw", limit: 10240, actual: 12288, passed }] });
  test("exit code from severities and budgets; the API exports the same function", async () => {
    assert.equal(outcome.exitCode(report(0, true)), 0);
    assert.equal(outcome.exitCode(report(1, true)), 1);
    assert.equal(outcome.exitCode(report(0, false)), 1);
    assert.equal((await importPackage()).exitCode, outcome.exitCode);
  });
  test("budget text", () => {
    assert.equal(outcome.budgetText(report(0, false).budgets[0]), "budget exceeded: script size: 12.0 KiB > 10.0 KiB");
    assert.equal(outcome.budgetText({ name: "startup", metric: "startup", limit: 200, actual: 250.4, passed: false }), "budget exceeded: startup: 250 ms > 200 ms");
  });
  test("colour: explicit wins, never into a file", () => {
    const tty = { isTTY: true };
    assert.equal(outcome.useColor(tty, { color: false }), false);
    assert.equal(outcome.useColor({ isTTY: false }, { color: true }), true);
    assert.equal(outcome.useColor(tty, { output: "r.txt", force: true }), false);
  });
});
