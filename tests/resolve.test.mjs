// Module resolution through the wrapper: the tsconfig chain and package.json
// facts it reads reach the core, which follows imports through them.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { cli } from "./helpers.mjs";

/** Writes `files` (path → text) under a new scratch folder. */
function scratchTree(files) {
  const dir = mkdtempSync(join(tmpdir(), "perf-optimizer-resolve-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === "string" ? text : JSON.stringify(text));
  }
  return dir;
}

const helper = `import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
export function createDb(url: string) {
  return drizzle(postgres(url, { max: 5 }));
}
`;

const app = (specifier) => `import { Hono } from "hono";
import { createDb } from "${specifier}";
const app = new Hono();
app.use("*", async (c, next) => {
  c.set("db", createDb(c.env.HYPERDRIVE.connectionString));
  await next();
});
app.get("/orders", async (c) => {
  const db = createDb(c.env.HYPERDRIVE.connectionString);
  return c.json(await db.select().from(orders).limit(10));
});
export default app;
`;

const perCallFindings = (dir) => {
  const run = cli(["lint", ".", "--format", "json"], { cwd: dir });
  assert.equal(run.stderr, "");
  return JSON.parse(run.stdout).diagnostics.filter((d) => d.rule === "db-client-per-call");
};

describe("module resolution", () => {
  test("follows a helper through tsconfig paths inherited with extends (JSONC)", () => {
    const dir = scratchTree({
      "tsconfig.base.json": `{
        // comments and trailing commas: tsconfig files are JSONC
        "compilerOptions": { "baseUrl": ".", "paths": { "@db/*": ["packages/db/src/*"], }, },
      }`,
      "apps/api/tsconfig.json": { extends: "../../tsconfig.base", compilerOptions: { strict: true } },
      "apps/api/src/index.ts": app("@db/client"),
      "packages/db/src/client.ts": helper,
    });
    const found = perCallFindings(dir);
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["apps/api/src/index.ts", 9]]);
  });

  test("follows the aliases of the referenced project that includes the file (Cloudflare's Vite template)", () => {
    const dir = scratchTree({
      "tsconfig.json": { files: [], references: [{ path: "./tsconfig.app.json" }, { path: "./tsconfig.worker.json" }] },
      "tsconfig.app.json": { compilerOptions: { baseUrl: ".", paths: { "@/*": ["./src/*"] } }, include: ["src"] },
      "tsconfig.worker.json": { compilerOptions: { baseUrl: ".", paths: { "@/*": ["./worker/*"] } }, include: ["worker/**/*.ts"] },
      "wrangler.jsonc": { name: "app", main: "worker/index.ts", compatibility_date: "2025-01-01" },
      "worker/index.ts": app("@/db"),
      "worker/db.ts": helper,
      // The browser app's module of the same name: not the Worker's.
      "src/db.ts": "export function createDb(url: string) {\n  return url;\n}\n",
    });
    const found = perCallFindings(dir);
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["worker/index.ts", 9]]);
  });

  test("a folder whose files belong to two referenced projects takes the aliases of the project of most of them (React Router's tsconfig.node.json naming one file of app/)", () => {
    const dir = scratchTree({
      "tsconfig.json": { files: [], references: [{ path: "./tsconfig.node.json" }, { path: "./tsconfig.cloudflare.json" }] },
      "tsconfig.node.json": { include: ["vite.config.ts", "app/lib/domain.ts"] },
      "tsconfig.cloudflare.json": { compilerOptions: { baseUrl: ".", paths: { "~/*": ["./app/*"] } }, include: ["app/**/*", "workers/**/*"] },
      "wrangler.jsonc": { name: "app", main: "workers/app.ts", compatibility_date: "2025-01-01" },
      "workers/app.ts": "import '~/lib/handle';\nexport default { fetch() { return new Response(''); } };\n",
      "app/lib/domain.ts": "export const plans = ['basic', 'pro'];\n",
      "app/lib/handle.ts": app("~/lib/db"),
      "app/lib/db.ts": helper,
    });
    const found = perCallFindings(dir);
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["app/lib/handle.ts", 9]]);
  });

  test("a Worker linted from its own folder reads the workspace packages linked into node_modules, not installed ones", () => {
    const dir = scratchTree({
      "package.json": { name: "monorepo", private: true },
      "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - 'packages/*'\n",
      "apps/api/package.json": { name: "api", dependencies: { "@acme/db": "workspace:*", "third-party": "^1" } },
      "apps/api/wrangler.toml": 'name = "api"\nmain = "src/index.ts"\ncompatibility_date = "2025-01-01"\n',
      "apps/api/src/index.ts": app("@acme/db/client"),
      "packages/db/package.json": { name: "@acme/db", exports: { "./client": { types: "./dist/client.d.ts", import: "./dist/client.js" } } },
      "packages/db/src/client.ts": helper,
      // An installed package (a folder, not a link): not the project's code.
      "apps/api/node_modules/third-party/package.json": { name: "third-party", main: "index.js" },
      "apps/api/node_modules/third-party/index.js": "export const x = 1;\n",
    });
    mkdirSync(join(dir, "apps/api/node_modules/@acme"), { recursive: true });
    symlinkSync(join(dir, "packages/db"), join(dir, "apps/api/node_modules/@acme/db"), "dir");
    const run = cli(["lint", ".", "--format", "json"], { cwd: join(dir, "apps/api") });
    assert.equal(run.stderr, "");
    const report = JSON.parse(run.stdout);
    const found = report.diagnostics.filter((d) => d.rule === "db-client-per-call");
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["src/index.ts", 9]]);
    assert.ok(report.files.some((f) => f.path === "../../packages/db/src/client.ts" && f.analyzed), JSON.stringify(report.files));
    assert.ok(!report.files.some((f) => f.path.includes("third-party")));
    assert.ok(report.notes.includes("also read the workspace packages the Worker depends on: @acme/db (../../packages/db)"), report.notes.join("\n"));
  });

  test("follows a workspace package through its exports and the workerd condition", () => {
    const dir = scratchTree({
      "package.json": { name: "monorepo", private: true, workspaces: ["apps/*", "packages/*"] },
      "apps/api/package.json": { name: "api", dependencies: { "@acme/db": "*" } },
      "apps/api/src/index.ts": app("@acme/db/client"),
      "packages/db/package.json": {
        name: "@acme/db",
        exports: { "./client": { node: "./src/node.ts", workerd: "./src/client.ts", default: "./dist/client.js" } },
      },
      "packages/db/src/client.ts": helper,
      "packages/db/src/node.ts": "export function createDb(url: string) {\n  return url;\n}\n",
    });
    const found = perCallFindings(dir);
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["apps/api/src/index.ts", 9]]);
  });
});
