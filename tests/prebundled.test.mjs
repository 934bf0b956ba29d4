// Pre-bundled inputs: a vendor bundle built with esbuild (with its source
// map) from real packages, imported by a tiny Worker, is broken down by
// package through its map, within 2% of what a direct build of the same
// code puts in the bundle for each package.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { importPackage, project } from "./helpers.mjs";

const api = await importPackage();
const esbuild = await import(createRequire(join(project, "package.json")).resolve("esbuild"));

const dir = join(project, "prebundled");
mkdirSync(join(dir, "src"), { recursive: true });
writeFileSync(
  join(dir, "src", "lib.js"),
  `export { Hono } from "hono";
export { z } from "zod";
export { sql, eq, and } from "drizzle-orm";
export { drizzle } from "drizzle-orm/d1";
`,
);
const worker = (from) => `import * as lib from "${from}";
export default { fetch() { return new Response(Object.keys(lib).join()); } };
`;
writeFileSync(join(dir, "src", "direct.js"), worker("./lib.js"));
writeFileSync(join(dir, "src", "prebundled.js"), worker("../vendor/vendor.mjs"));

const common = {
  absWorkingDir: project,
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  logLevel: "silent",
};

async function analyze(entry, outdir) {
  const result = await esbuild.build({ ...common, entryPoints: [entry], outdir, metafile: true });
  return api.analyzeBundle({ metafile: result.metafile, workingDir: project, lint: false });
}

describe("pre-bundled inputs", async () => {
  const vendorFormats = [
    ["a source map file", true],
    ["an inline source map", "inline"],
  ];
  const direct = await analyze("prebundled/src/direct.js", "prebundled/out/direct");
  const bytesOf = (report, name) => report.bundle.packages.filter((p) => p.name === name).reduce((s, p) => s + p.bytes, 0);

  for (const [label, sourcemap] of vendorFormats) {
    test(`a vendor bundle with ${label} is broken down by package within 2%`, async () => {
      await esbuild.build({ ...common, entryPoints: ["prebundled/src/lib.js"], outfile: "prebundled/vendor/vendor.mjs", sourcemap });
      assert.match(readFileSync(join(dir, "vendor", "vendor.mjs"), "utf8"), /sourceMappingURL=/);
      const pre = await analyze("prebundled/src/prebundled.js", "prebundled/out/pre");
      const figures = {};
      for (const name of ["hono", "zod"]) {
        const want = bytesOf(direct, name);
        const got = bytesOf(pre, name);
        figures[name] = { direct: want, prebundled: got, diff: `${(((got - want) / want) * 100).toFixed(2)}%` };
        assert.ok(want > 10_000, `${name} in the direct build: ${want}`);
        assert.ok(Math.abs(got - want) / want <= 0.02, `${name}: ${got} through the map vs ${want} directly`);
      }
      console.log(`pre-bundled (${label}): ${JSON.stringify(figures)}`);
      const hono = pre.bundle.packages.find((p) => p.name === "hono");
      assert.ok(hono.version, "the package's manifest was read");
      assert.ok(pre.bundle.modules.some((m) => m.path.startsWith("node_modules/hono/") && m.package === "hono"));
      // drizzle-orm's own maps point outside the package (`../../src/x.ts`):
      // no bogus package comes out of them; those bytes stay with the input.
      assert.ok(!pre.bundle.packages.some((p) => p.name === "src"), JSON.stringify(pre.bundle.packages.map((p) => p.name)));
      const vendor = pre.bundle.modules.find((m) => m.path === "prebundled/vendor/vendor.mjs");
      assert.ok(vendor && vendor.bytes > 0, "the remainder stays with the pre-bundled input");
      // Everything still adds up to the output.
      const b = pre.bundle;
      const total = b.packages.reduce((s, p) => s + p.bytes, 0) + b.firstPartyBytes + b.runtimeBytes;
      assert.equal(total, b.outputs.reduce((s, o) => s + o.bytes, 0));
    });
  }

  test("an input without a source map stays one row", async () => {
    await esbuild.build({ ...common, entryPoints: ["prebundled/src/lib.js"], outfile: "prebundled/vendor/vendor.mjs", sourcemap: false });
    const pre = await analyze("prebundled/src/prebundled.js", "prebundled/out/pre");
    assert.deepEqual(pre.bundle.packages, []);
    const vendor = pre.bundle.modules.find((m) => m.path === "prebundled/vendor/vendor.mjs");
    assert.ok(vendor.bytes > 100_000);
  });
});
