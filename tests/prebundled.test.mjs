// Pre-bundled inputs: a vendor bundle built with esbuild (with its source
// map) from real packages, imported by a tiny Worker, is broken down by
// package through its map, within 2% of what a direct build of the same
// code puts in the bundle for each package.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { encode } from "@jridgewell/sourcemap-codec";
import { importPackage, project } from "./helpers.mjs";

const api = await importPackage();
const maps = await importPackage("attribution");
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
      for (const name of ["hono", "zod", "drizzle-orm"]) {
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
      // drizzle-orm's own maps point outside the package (`../../src/x.ts`,
      // chained by esbuild into the vendor map): no bogus package `src`.
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

describe("source map byte counting", () => {
  test("finds the trailing source map comment, file or inline", () => {
    assert.equal(maps.sourceMappingURL("x();\n//# sourceMappingURL=a.js.map\n"), "a.js.map");
    assert.equal(maps.sourceMappingURL("x();\n//# sourceMappingURL=data:application/json;base64,e30=\n\n"), "data:application/json;base64,e30=");
    assert.equal(maps.sourceMappingURL("x(); // sourceMappingURL=a.js.map\ny();\n"), null);
    assert.equal(maps.sourceMappingURL("const s = '//# sourceMappingURL=a.js.map';\n"), null);
  });

  test("bytes run from segment to segment, UTF-8, newlines and comments included", () => {
    const text = [
      "var helper = 1;", // unmapped: before the first mapping
      "// node_modules/a/index.js", // a bundler's module-path comment: dropped
      "  const a = 'é';", // source 0 (indentation included)
      "  // a comment inside a", // no mapping: continues source 0
      "f(a); g();", // source 0 up to column 6, then source 1
      "//# sourceMappingURL=x.js.map",
    ].join("\n");
    const mappings = encode([[], [], [[2, 0, 0, 0]], [], [[0, 0, 1, 0], [6, 1, 0, 0]], []]);
    const { bytes, unmappedBytes } = maps.bytesPerSource(text, { mappings, sources: ["a.js", "b.js"] });
    const b = (s) => Buffer.byteLength(s);
    assert.equal(unmappedBytes, b("var helper = 1;\n"));
    assert.equal(bytes.get(0), b("  const a = 'é';\n") + b("  // a comment inside a\n") + b("f(a); "));
    assert.equal(bytes.get(1), b("g();\n"));
  });

  test("maps a generated position to its source line like the profile needs", () => {
    const lines = maps.decodeMappings({ mappings: encode([[[0, 0, 4, 0], [10, 1, 9, 0], [20]]]) });
    assert.deepEqual(maps.originalPosition(lines, 0, null), { source: 0, line: 4, column: 0 });
    assert.deepEqual(maps.originalPosition(lines, 0, 12), { source: 1, line: 9, column: 0 });
    assert.deepEqual(maps.originalPosition(lines, 0, 25), { source: 1, line: 9, column: 0 });
    assert.equal(maps.originalPosition(lines, 3, 0), null);
  });
});
