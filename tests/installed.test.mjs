// `lint` without a bundle: heavy-dependency measures what an import loads in
// node_modules (js/installed.js) and reports it over the threshold, with the
// figure; without node_modules it says nothing (no guess from the name).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cli, importPackage } from "./helpers.mjs";

const work = mkdtempSync(join(tmpdir(), "perf-installed-"));
after(() => rmSync(work, { recursive: true, force: true }));

function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** `n` bytes of CommonJS code. */
const cjsCode = (n) => `module.exports.x = ${JSON.stringify("x".repeat(n - 40))};\n`;

const SOURCES = {
  "package.json": JSON.stringify({ name: "installed-fixture", private: true, type: "module" }),
  "wrangler.toml": 'name = "installed"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n',
  "src/index.ts": [
    "import big from 'big-cjs';",
    "import small from 'small-cjs';",
    "import type { Huge } from 'huge-types';",
    "import { one } from 'big-esm';",
    "import { Client } from 'edge-client';",
    "import { render } from 'react-like-server';",
    "import { GraphError } from 'doc-examples/error';",
    "export default { fetch() { return new Response(String(big) + small + one + Client + render + GraphError); } };",
    "",
  ].join("\n"),
};

const PACKAGES = {
  // 150 kB: the entry (its `exports` under the worker condition) and what it requires.
  "node_modules/big-cjs/package.json": JSON.stringify({ name: "big-cjs", version: "1.0.0", exports: { ".": { worker: "./worker.js", node: "./node.js", default: "./index.js" } } }),
  "node_modules/big-cjs/worker.js": "module.exports = [require('./lib/a'), require('./lib/b.js')];\n",
  "node_modules/big-cjs/lib/a.js": cjsCode(80_000),
  "node_modules/big-cjs/lib/b.js": cjsCode(70_000),
  "node_modules/big-cjs/node.js": cjsCode(900_000),
  "node_modules/small-cjs/package.json": JSON.stringify({ name: "small-cjs", version: "1.0.0", main: "index.js" }),
  "node_modules/small-cjs/index.js": cjsCode(3_000),
  "node_modules/huge-types/package.json": JSON.stringify({ name: "huge-types", version: "1.0.0", main: "index.js" }),
  "node_modules/huge-types/index.js": cjsCode(500_000),
  // An entry that loads its runtime by the package's own name (Prisma's edge client does).
  "node_modules/edge-client/package.json": JSON.stringify({ name: "edge-client", version: "1.0.0", main: "index.js", exports: { ".": "./index.js", "./runtime/*": "./runtime/*.js" } }),
  "node_modules/edge-client/index.js": "module.exports = require('edge-client/runtime/edge');\n",
  "node_modules/edge-client/runtime/edge.js": cjsCode(120_000),
  // React's way: a production and a development build behind NODE_ENV; wrangler's bundle keeps the first.
  "node_modules/react-like-server/package.json": JSON.stringify({ name: "react-like-server", version: "1.0.0", main: "index.js" }),
  "node_modules/react-like-server/index.js": "if (process.env.NODE_ENV === 'production') {\n  module.exports = require('./cjs/server.production.min.js');\n} else {\n  module.exports = require('./cjs/server.development.js');\n}\n",
  "node_modules/react-like-server/cjs/server.production.min.js": cjsCode(60_000),
  "node_modules/react-like-server/cjs/server.development.js": cjsCode(400_000),
  // Imports in comments (graphql's JSDoc examples) load nothing: 10 modules, not 249.
  "node_modules/doc-examples/package.json": JSON.stringify({ name: "doc-examples", version: "1.0.0", main: "index.js" }),
  "node_modules/doc-examples/error/index.js": [
    "/**",
    " * import { parse } from 'doc-examples/language';",
    " * const { all } = require('../all');",
    " */",
    "// require('../all')",
    "module.exports = require('./GraphError.js');",
    "",
  ].join("\n"),
  "node_modules/doc-examples/error/GraphError.js": cjsCode(2_000),
  "node_modules/doc-examples/language/index.js": cjsCode(300_000),
  "node_modules/doc-examples/all.js": cjsCode(900_000),
  // ESM, named import: tree-shaking may keep little of it; only a bundle can tell.
  "node_modules/big-esm/package.json": JSON.stringify({ name: "big-esm", version: "1.0.0", type: "module", module: "index.js" }),
  "node_modules/big-esm/index.js": `export const one = 1;\nexport const big = ${JSON.stringify("x".repeat(300_000))};\n`,
};

const heavy = (dir) => {
  const run = cli(["lint", "src", "--format", "json"], { cwd: dir });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return JSON.parse(run.stdout).diagnostics.filter((d) => d.rule === "heavy-dependency");
};

describe("heavy-dependency without a bundle", () => {
  test("a big installed CommonJS package is reported with its measured size (its imports of itself by name included); small, type-only and ESM named imports, development builds behind NODE_ENV, and imports in comments are not", () => {
    const dir = join(work, "with");
    write(dir, { ...SOURCES, ...PACKAGES });
    const found = heavy(dir);
    assert.deepEqual(found.map((d) => `${d.file}:${d.line}`), ["src/index.ts:1", "src/index.ts:5"], JSON.stringify(found));
    assert.match(found[0].message, /^`big-cjs` loads 146\.5 KiB measured from node_modules, not bundled \(3 modules from `node_modules\/big-cjs\/worker\.js`; CommonJS/);
    assert.match(found[0].message, /more than the 100 KiB threshold/);
    // The runtime it requires by its own name is counted with it.
    assert.match(found[1].message, /^`edge-client` loads 117\.\d KiB measured from node_modules, not bundled \(2 modules from `node_modules\/edge-client\/index\.js`; CommonJS/);
  });

  test("the threshold is the rule's option", () => {
    const dir = join(work, "threshold");
    write(dir, { ...SOURCES, ...PACKAGES, "perf-optimizer.config.json": JSON.stringify({ rules: { "heavy-dependency": ["warning", { threshold: "200 kB" }] } }) });
    assert.deepEqual(heavy(dir), []);
  });

  test("without node_modules: silent", () => {
    const dir = join(work, "without");
    write(dir, SOURCES);
    assert.deepEqual(heavy(dir), []);
  });
});

describe("the specifiers read from a file's text", () => {
  test("one pass gives both: every quoted string for the reach guess, the plain-quoted bare ones for the packages", async () => {
    const { bareSpecifiers, quotedSpecifiers } = await importPackage("specifiers");
    const file = {
      path: "a.js",
      source: Buffer.from(
        [
          "import a from 'pkg-a';",
          'import { b } from "@scope/b/sub";',
          "import c from './c.js';",
          "const d = require('../d');",
          "const e = await import(`./locale/${lang}.js`);",
          "const f = await import(`pkg-f`);",
          "export * from '/abs/g.js';",
          "import a2 from 'pkg-a';",
        ].join("\n"),
      ),
    };
    assert.deepEqual(quotedSpecifiers(file), ["pkg-a", "@scope/b/sub", "./c.js", "../d", "./locale/${lang}.js", "pkg-f", "/abs/g.js"]);
    // Template imports are left to the core; paths are not packages.
    assert.deepEqual(bareSpecifiers(file), ["pkg-a", "@scope/b/sub"]);
    // Kept as one fact: the text is read once for both.
    assert.equal(Object.keys(file.facts).length, 1);
  });
});
