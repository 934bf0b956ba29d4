// The project model end to end: the installed CLI on examples/monorepo (a
// Worker, a web client, tests, scripts, a shared workspace package and a
// Node tool) analyzes exactly what the Worker runs, and says what it skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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

test("lint from a root with no wrangler config knows what the Workers' configs under it bind", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-workspace-"));
  mkdirSync(join(root, "api", "src"), { recursive: true });
  writeFileSync(join(root, "api", "wrangler.jsonc"), '{\n  // the API Worker\n  "main": "src/index.ts",\n  "hyperdrive": [{ "binding": "HYPERDRIVE", "id": "x" }],\n}\n');
  writeFileSync(
    join(root, "api", "src", "index.ts"),
    "import { neon } from '@neondatabase/serverless';\nconst sql = neon(DATABASE_URL);\nexport default { async fetch() { return Response.json(await sql`select 1`); } };\n",
  );
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["api/src/index.ts:2 hyperdrive-bypassed"]);
  assert.match(report.diagnostics[0].message, /although the Worker has the Hyperdrive binding HYPERDRIVE/);
});

test("a queue handler's loop is bounded by its own Worker's consumers (max_batch_size)", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-queues-"));
  const consumer = "export default {\n  async queue(batch, env) {\n    for (const m of batch.messages) {\n      await fetch(m.body.url);\n    }\n  },\n};\n";
  const worker = (name, consumers) => {
    mkdirSync(join(root, name, "src"), { recursive: true });
    writeFileSync(join(root, name, "wrangler.jsonc"), JSON.stringify({ main: "src/index.ts", env: { prod: { queues: { consumers } } } }, null, 2));
    writeFileSync(join(root, name, "src", "index.ts"), consumer);
  };
  worker("one", [{ queue: "q1", max_batch_size: 1 }]);
  worker("many", [{ queue: "q2", max_batch_size: 100 }]);
  worker("default", [{ queue: "q3" }]); // Cloudflare's default batch: 10
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  // A batch of 1 is silent; 10 are within the subrequest budget but are
  // still 10 round trips in a row (more than the 6 connections); 100 spend
  // the budget.
  assert.deepEqual(findings(JSON.parse(run.stdout)), ["default/src/index.ts:4 await-in-loop", "many/src/index.ts:4 subrequest-in-loop"]);
});

test("entries: a module Worker without a config of its own is found by a handler only the runtime calls, at any of its `export default`s", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-handlers-"));
  const loop = "  for (const id of await ids()) await fetch(`https://api.example.com/${id}`);\n";
  const files = {
    // The real default export comes after a comment that names another.
    "cron/index.ts": `// A note: export default is the handler below.\nexport const label = "cron";\nexport default {\n  async scheduled(event, env) {\n${loop}  },\n};\n`,
    // fetch alone: a Bun or Deno server exports that too.
    "server/index.ts": `export default {\n  async fetch(req) {\n${loop}    return new Response("ok");\n  },\n};\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  const entries = report.files.filter((f) => f.entry === f.path).map((f) => f.path);
  assert.deepEqual(entries, ["cron/index.ts"]);
  assert.deepEqual(findings(report), ["cron/index.ts:5 subrequest-in-loop"]);
});

test("entries: a test suite's Worker is a fixture, and a component showing Worker code is no Worker", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-entries-"));
  const loop = "export async function sync(ids) {\n  for (const id of ids) await fetch(`https://api.example.com/${id}`);\n}\n";
  const files = {
    "app/wrangler.jsonc": JSON.stringify({ main: "src/server.ts" }),
    "app/src/server.ts": "import { sync } from './sync';\nexport default { async fetch(req) { await sync(await req.json()); return new Response('ok'); } };\n",
    "app/src/sync.ts": loop,
    // A demo page that shows an email Worker's code.
    "app/src/EmailDemo.tsx": "const code = `export default {\n  async email(message, env) {}\n}`;\nexport default function Demo() { return <pre>{code}</pre>; }\n",
    // vitest-pool-workers' Worker for the tests.
    "app/test/wrangler.jsonc": JSON.stringify({ main: "worker.ts" }),
    "app/test/worker.ts": "import { fixtures } from '../src/fixtures';\nexport default { async fetch() { await fixtures(['a']); return new Response('ok'); } };\n",
    "app/src/fixtures.ts": loop.replace("sync", "fixtures"),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["app/src/sync.ts:2 subrequest-in-loop"]);
  const roles = Object.fromEntries(report.files.map((f) => [f.path, f.role]));
  assert.equal(roles["app/src/EmailDemo.tsx"], "client");
  assert.equal(roles["app/test/worker.ts"], "test");
  assert.notEqual(roles["app/src/fixtures.ts"], "worker");
});

/** Writes `files` (path → text) under a new temporary folder; returns it. */
function project(files) {
  const root = mkdtempSync(join(tmpdir(), "perf-entries-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("entries: a config named for `-c` and a template name Workers; a template that cannot be read is passed over", () => {
  const loop = (name) => `export async function ${name}(ids) {\n  for (const id of ids) await fetch(\`https://api.example.com/\${id}\`);\n}\n`;
  const root = project({
    // A checkout's template (copied to wrangler.json to deploy) and a second Worker's config, deployed with -c.
    "wrangler.example.json": JSON.stringify({ main: "src/index.ts" }),
    "infra/wrangler-cron.jsonc": '{ "main": "../src/cron.ts" }',
    "worker/wrangler.toml.template": 'name = "{{ NAME }}"\nmain = "src/index.ts"\n',
    "worker/wrangler.broken.toml.template": "name = {{ NAME }}\n",
    "src/index.ts": "import { sync } from './sync';\nexport default { async fetch(req) { await sync(await req.json()); return new Response('ok'); } };\n",
    "src/sync.ts": loop("sync"),
    "src/cron.ts": "import { sweep } from './sweep';\nexport default { async scheduled() { await sweep(await ids()); } };\n",
    "src/sweep.ts": loop("sweep"),
    "worker/src/index.ts": "import { load } from './load';\nexport default { async fetch(req) { await load(await req.json()); return new Response('ok'); } };\n",
    "worker/src/load.ts": loop("load"),
    "src/unused.ts": loop("unused"),
  });
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["src/sweep.ts:2 subrequest-in-loop", "src/sync.ts:2 subrequest-in-loop", "worker/src/load.ts:2 subrequest-in-loop"]);
  const entries = Object.fromEntries(report.files.filter((f) => f.entry === f.path).map((f) => [f.path, f.role]));
  assert.deepEqual(entries, { "src/cron.ts": "worker", "src/index.ts": "worker", "worker/src/index.ts": "worker" });
  assert.equal(report.files.find((f) => f.path === "src/unused.ts").analyzed, false);
});

test("entries: an OpenNext app's routes, its wrangler config in another package of the monorepo", () => {
  const root = project({
    "packages/infra/wrangler.jsonc": '{ "main": "../app/.open-next/worker.js" }',
    "packages/app/open-next.config.ts": "import { defineCloudflareConfig } from '@opennextjs/cloudflare';\nexport default defineCloudflareConfig();\n",
    "packages/app/next.config.ts": "export default {};\n",
    "packages/app/src/app/api/sync/route.ts": "export async function POST(req: Request) {\n  for (const id of await req.json()) await fetch(`https://api.example.com/${id}`);\n  return new Response('ok');\n}\n",
    "packages/app/src/components/Chart.tsx": '"use client";\nexport function Chart() { return null; }\n',
    // Metadata routes and the middleware (`proxy` since Next 16) run in the Worker too.
    "packages/app/src/app/blog/opengraph-image.tsx": "export default async function Image() {\n  for (const id of await ids()) await fetch(`https://img.example.com/${id}`);\n  return null;\n}\n",
    "packages/app/src/proxy.ts": "export async function proxy(req: Request) {\n  for (const h of await hooks()) await fetch(h);\n}\n",
  });
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), [
    "packages/app/src/app/api/sync/route.ts:2 subrequest-in-loop",
    "packages/app/src/app/blog/opengraph-image.tsx:2 subrequest-in-loop",
    "packages/app/src/proxy.ts:2 subrequest-in-loop",
  ]);
  const route = report.files.find((f) => f.path === "packages/app/src/app/api/sync/route.ts");
  assert.deepEqual([route.role, route.entry], ["worker", route.path]);
  assert.equal(report.files.find((f) => f.path === "packages/app/src/components/Chart.tsx").analyzed, false);
});

test("entries: a Next.js static export (output: 'export') runs its pages at build time: not Worker code beside the wrangler config's own Worker", () => {
  const loop = "export default async function Page() {\n  for (const id of await ids()) await fetch(`https://api.example.com/${id}`);\n  return null;\n}\n";
  const files = {
    "wrangler.toml": 'name = "w"\nmain = "src/worker.ts"\n[assets]\ndirectory = "out"\n',
    "src/worker.ts": "export default { async fetch(req, env) { return env.ASSETS.fetch(req); } };\n",
    "src/app/posts/page.tsx": loop,
  };
  const run = (root) => {
    const result = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  const exported = run(project({ ...files, "next.config.ts": "const config = { output: 'export', images: { unoptimized: true } };\nexport default config;\n" }));
  assert.deepEqual(findings(exported), []);
  assert.equal(exported.files.find((f) => f.path === "src/app/posts/page.tsx").analyzed, false);
  // A server build's pages run in the Worker.
  const served = run(project({ ...files, "next.config.ts": "export default {};\n" }));
  assert.deepEqual(findings(served), ["src/app/posts/page.tsx:2 subrequest-in-loop"]);
});

test("entries: Vike's server hooks (+data, +onRenderHtml) beside a Vite config that loads vike/plugin", () => {
  const loop = "export async function data() {\n  for (const id of await ids()) await fetch(`https://api.example.com/${id}`);\n}\n";
  const files = {
    "wrangler.toml": 'name = "w"\nmain = "src/worker/index.ts"\n',
    "src/worker/index.ts": "import { renderPage } from 'vike/server';\nexport default { async fetch(req) { return new Response((await renderPage({ urlOriginal: req.url })).httpResponse.body); } };\n",
    "src/pages/index/+data.ts": loop,
    "src/pages/index/+Page.tsx": "export default function Page() { return null; }\n",
  };
  const run = (root) => {
    const result = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  const vike = run(project({ ...files, "vite.config.ts": "import vike from 'vike/plugin';\nexport default { plugins: [vike()] };\n" }));
  assert.deepEqual(findings(vike), ["src/pages/index/+data.ts:2 subrequest-in-loop"]);
  assert.equal(vike.files.find((f) => f.path === "src/pages/index/+data.ts").entry, "src/pages/index/+data.ts");
  // A Vite config without Vike declares no such hooks.
  const plain = run(project({ ...files, "vite.config.ts": "export default { plugins: [] };\n" }));
  assert.deepEqual(findings(plain), []);
});

test("entries: SvelteKit's routes, remote functions and param matchers; `$lib` and kit.alias resolved before .svelte-kit/ is generated", () => {
  const loop = (name) => `export async function ${name}(ids: string[]) {\n  for (const id of ids) await fetch(\`https://api.example.com/\${id}\`);\n}\n`;
  const root = project({
    "wrangler.jsonc": '{ "name": "w", "main": ".svelte-kit/cloudflare/_worker.js" }\n',
    "svelte.config.js": "import adapter from '@sveltejs/adapter-cloudflare';\nexport default { kit: { adapter: adapter(), alias: { '@/*': './src/*', $db: 'src/db' } } };\n",
    // The tsconfig SvelteKit writes: it extends a file `svelte-kit sync` generates.
    "tsconfig.json": '{ "extends": "./.svelte-kit/tsconfig.json", "compilerOptions": { "strict": true } }\n',
    "src/routes/api/+server.ts": "import { sync } from '$lib/server/sync';\nexport async function POST({ request }) { await sync(await request.json()); return new Response('ok'); }\n",
    "src/routes/dashboard/data.remote.ts": "import { query } from '$app/server';\nimport { load } from '@/lib/load';\nexport const stats = query(async () => load(['a']));\n",
    "src/params/slug.ts": "import { check } from '$db/check';\nexport function match(param: string) { return check(param); }\n",
    "src/lib/server/sync.ts": loop("sync"),
    "src/lib/load.ts": loop("load"),
    "src/db/check.ts": "export function check(p: string) { return p.length > 0; }\n",
    "src/lib/unused.ts": loop("unused"),
  });
  const run = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["src/lib/load.ts:2 subrequest-in-loop", "src/lib/server/sync.ts:2 subrequest-in-loop"]);
  const roles = Object.fromEntries(report.files.map((f) => [f.path, f.role === "worker" ? `worker from ${f.entry}` : f.role]));
  assert.equal(roles["src/db/check.ts"], "worker from src/params/slug.ts");
  assert.equal(roles["src/lib/unused.ts"], "unknown");
});

test("entries: TanStack Start's routes (server functions, server handlers) beside a Vite config that loads its plugin", () => {
  const loop = "export async function listAll(ids: string[]) {\n  for (const id of ids) await fetch(`https://api.example.com/${id}`);\n}\n";
  const files = {
    "wrangler.jsonc": '{ "name": "w", "main": "@tanstack/react-start/server-entry" }\n',
    "src/routes/users.tsx": "import { createFileRoute } from '@tanstack/react-router';\nimport { createServerFn } from '@tanstack/react-start';\nimport { listAll } from '../lib/users';\nexport const getUsers = createServerFn({ method: 'GET' }).handler(async () => listAll(['a']));\nexport const Route = createFileRoute('/users')({ loader: () => getUsers(), component: () => null });\n",
    "src/lib/users.ts": loop,
  };
  const run = (root) => {
    const result = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  const start = run(project({ ...files, "vite.config.ts": "import { tanstackStart } from '@tanstack/react-start/plugin/vite';\nexport default { plugins: [tanstackStart()] };\n" }));
  assert.deepEqual(findings(start), ["src/lib/users.ts:2 subrequest-in-loop"]);
  assert.equal(start.files.find((f) => f.path === "src/routes/users.tsx").entry, "src/routes/users.tsx");
  // A Vite config without TanStack Start declares no routes: `main` names a
  // package, so no entry is found and every file is analyzed.
  const plain = run(project({ ...files, "vite.config.ts": "export default { plugins: [] };\n" }));
  assert.ok(plain.notes.some((n) => n.startsWith("No Worker entry found")), JSON.stringify(plain.notes));
});

test("entries: a Nitro or Nuxt server's handlers, middleware and auto-imported utils; a Pages config without `main` still declares them", () => {
  const loop = (name) => `export async function ${name}(ids: string[]) {\n  for (const id of ids) await fetch(\`https://api.example.com/\${id}\`);\n}\n`;
  const files = {
    // Deployed to Pages: `check` cannot build from it, lint still reads it.
    "wrangler.toml": 'name = "n"\npages_build_output_dir = "dist/output/public"\n',
    "server/api/latest.ts": "export default defineEventHandler(async (event) => fetchAll(await readBody(event)));\n",
    "server/utils/fetch-all.ts": loop("fetchAll"),
    "server/utils/date.test.ts": loop("inTest"),
    "src/main.ts": loop("client"),
  };
  const run = (root) => {
    const result = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  for (const config of ["nitro.config.ts", "nuxt.config.ts"]) {
    const report = run(project({ ...files, [config]: "export default {};\n" }));
    assert.deepEqual(findings(report), ["server/utils/fetch-all.ts:2 subrequest-in-loop"], config);
    assert.equal(report.files.find((f) => f.path === "server/api/latest.ts").entry, "server/api/latest.ts", config);
  }
});

test("entries: a React Router app whose Vite config loads its plugin, the Worker importing a server build the checkout does not hold", () => {
  const root = project({
    "wrangler.json": '{ "name": "w", "main": "./workers/app.ts" }\n',
    "vite.config.ts": "import { reactRouter } from '@react-router/dev/vite';\nexport default { plugins: [reactRouter()] };\n",
    "workers/app.ts": "import { createRequestHandler } from 'react-router';\n// @ts-ignore: written by the build\nimport * as build from '../build/server';\nconst handler = createRequestHandler(build);\nexport default { fetch: (req: Request) => handler(req) };\n",
    "app/routes/dashboard.tsx": "import { loadStats } from '../lib/stats';\nexport async function loader() { return loadStats(['a']); }\nexport default function Dashboard() { return null; }\n",
    "app/lib/stats.ts": "export async function loadStats(ids: string[]) {\n  for (const id of ids) await fetch(`https://api.example.com/${id}`);\n}\n",
  });
  const run = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["app/lib/stats.ts:2 subrequest-in-loop"]);
  assert.equal(report.files.find((f) => f.path === "app/routes/dashboard.tsx").entry, "app/routes/dashboard.tsx");
});

test("a Worker in a folder of its repository: the repository files it imports are read too (not those it does not import, not when files are named)", () => {
  const loop = "export async function notify(hooks: string[]) {\n  for (const h of hooks) await fetch(h, { method: 'POST' });\n}\n";
  const root = project({
    "package.json": '{ "name": "repo", "private": true }\n',
    "shared/notify.ts": loop,
    "shared/config.ts": "export const config = { hooks: ['https://a.example'] };\n",
    "site/page.ts": loop,
    "worker/package.json": '{ "name": "worker", "private": true }\n',
    "worker/wrangler.toml": 'name = "w"\nmain = "src/index.ts"\n',
    "worker/src/index.ts": "import { notify } from '../../shared/notify.js';\nimport { config } from '../../shared/config';\nimport styles from './styles.css';\nexport default { async fetch(req: Request) { await notify(await req.json()); return new Response(String(config) + styles); } };\n",
    "worker/src/styles.css": "body {}\n",
  });
  const run = (args) => {
    const result = cli(["lint", ...args, "--format", "json", "--no-cache"], { cwd: join(root, "worker") });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  const report = run(["."]);
  assert.deepEqual(findings(report), ["../shared/notify.ts:2 subrequest-in-loop"]);
  assert.deepEqual(report.notes.filter((n) => n.includes("outside the linted folder")), ["also read 2 files of the repository outside the linted folder that its files import: ../shared/notify.ts, ../shared/config.ts"]);
  // A file named on the command line is what is linted.
  assert.deepEqual(findings(run(["src/index.ts"])), []);
});

test("entries: the custom server remix.config.js names (`server: './server.ts'`) and what it imports", () => {
  const root = project({
    "wrangler.toml": 'name = "w"\nmain = "./build/index.js"\n',
    "remix.config.js": "module.exports = {\n  server: './server.ts',\n  serverConditions: ['worker'],\n};\n",
    "server.ts": "import { sync } from './app/sync.server';\nexport default { async fetch(req: Request) { await sync(await req.json()); return new Response('ok'); } };\n",
    "app/sync.server.ts": "export async function sync(ids: string[]) {\n  for (const id of ids) await fetch(`https://api.example.com/${id}`);\n}\n",
    "app/root.tsx": "export default function App() { return null; }\n",
  });
  const run = cli(["lint", "--format", "json", "--no-cache"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["app/sync.server.ts:2 subrequest-in-loop"]);
  assert.equal(report.files.find((f) => f.path === "server.ts").entry, "server.ts");
});

test("entries: a `main` a custom build writes is found through the build's own entry (webpack, esbuild)", () => {
  const loop = "export async function sync(ids) {\n  for (const id of ids) await fetch(`https://api.example.com/${id}`);\n}\n";
  const worker = "import { sync } from './sync.js';\nexport default { async fetch(req) { await sync(await req.json()); return new Response('ok'); } };\n";
  const root = project({
    "webpacked/wrangler.toml": 'name = "w"\nmain = "./dist/worker.js"\n[build]\ncommand = "npm run build"\n',
    "webpacked/package.json": JSON.stringify({ scripts: { build: "npx webpack --config webpack.config.cjs" } }),
    "webpacked/webpack.config.cjs": 'module.exports = {\n  entry: "./src/server-workers.js",\n  target: ["webworker", "es2022"],\n};\n',
    "webpacked/src/server-workers.js": worker,
    "webpacked/src/sync.js": loop,
    "webpacked/src/server-node.js": loop.replace("sync", "serve"),
    "esbuilt/wrangler.jsonc": '{ "main": "build/index.js", "build": { "command": "esbuild src/index.ts --bundle --outfile=build/index.js" } }',
    "esbuilt/src/index.ts": worker,
    "esbuilt/src/sync.js": loop,
  });
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["esbuilt/src/sync.js:2 subrequest-in-loop", "webpacked/src/sync.js:2 subrequest-in-loop"]);
  const entries = report.files.filter((f) => f.entry === f.path).map((f) => f.path);
  assert.deepEqual(entries, ["esbuilt/src/index.ts", "webpacked/src/server-workers.js"]);
  assert.equal(report.files.find((f) => f.path === "webpacked/src/server-node.js").analyzed, false);
});

test("entries: `wrangler dev` of a file in a scripts folder is a local tool, not a Worker", () => {
  const loop = (name) => `export default { async fetch(req) {\n  for (const id of await req.json()) await fetch(\`https://api.example.com/\${id}\`);\n  return new Response('${name}');\n} };\n`;
  const root = project({
    "package.json": JSON.stringify({ scripts: { dev: "wrangler dev src/index.ts", "generate-test-data": "wrangler dev scripts/generate-test-data.ts", deploy: "wrangler deploy tools/ops.ts" } }),
    "wrangler.toml": 'name = "w"\n',
    "src/index.ts": loop("app"),
    "scripts/generate-test-data.ts": loop("gen"),
    "tools/ops.ts": loop("ops"),
  });
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  // Deployed with `wrangler deploy`, a file is a Worker wherever it is.
  assert.deepEqual(findings(report), ["src/index.ts:2 subrequest-in-loop", "tools/ops.ts:2 subrequest-in-loop"]);
});

test("a finding in a function nothing calls is left out, with a note; kept while some importer may be unseen", () => {
  const loop = (name) => `export async function ${name}(ids) {\n  for (const id of ids) await fetch(\`https://api.example.com/\${id}\`);\n}\n`;
  const files = {
    "wrangler.jsonc": '{ "main": "src/index.ts" }',
    "package.json": "{}",
    "src/index.ts": "import { used } from './db';\nexport default { async fetch(req) { await used(await req.json()); return new Response('ok'); } };\n",
    "src/db.ts": loop("used") + loop("nobodyImports"),
  };
  const run = (root, args = []) => {
    const result = cli(["lint", ...args, "--format", "json", "--no-cache"], { cwd: root });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return JSON.parse(result.stdout);
  };
  const root = project(files);
  const whole = run(root);
  assert.deepEqual(findings(whole), ["src/db.ts:2 subrequest-in-loop"]);
  assert.ok(whole.notes.some((n) => n.startsWith("1 finding was left out inside a function that nothing calls") && n.includes("`nobodyImports` (src/db.ts:4)")), whole.notes.join("\n"));
  // Files named, or a folder inside the project: another file may import it.
  assert.deepEqual(findings(run(root, ["src/index.ts", "src/db.ts"])), ["src/db.ts:2 subrequest-in-loop", "src/db.ts:5 subrequest-in-loop"]);
  assert.deepEqual(findings(run(root, ["src"])), ["src/db.ts:2 subrequest-in-loop", "src/db.ts:5 subrequest-in-loop"]);
  // An Astro page imports it: the core does not read the page.
  const astro = project({ ...files, "src/pages/index.astro": "---\nimport { nobodyImports } from '../db';\nawait nobodyImports([]);\n---\n<p>hi</p>\n" });
  assert.deepEqual(findings(run(astro)), ["src/db.ts:2 subrequest-in-loop", "src/db.ts:5 subrequest-in-loop"]);
});

test("with no Worker entry, tests, scripts, browser and Node code are set aside, and the report says how many", () => {
  const loop = (name) => `export async function ${name}(ids) {\n  for (const id of ids) await fetch(\`https://api.example.com/\${id}\`);\n}\n`;
  const root = project({
    "src/sync.ts": loop("sync"),
    "scripts/seed.ts": loop("seed"),
    "src/sync.test.ts": loop("check"),
    "src/App.tsx": `"use client";\n${loop("load")}`,
  });
  const run = cli(["lint", "--format", "json"], { cwd: root });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(findings(report), ["src/sync.ts:2 subrequest-in-loop"]);
  assert.deepEqual(report.notes, ["No Worker entry found among the files (a wrangler config's `main`, Pages Functions or a framework's server entry): 1 file was analyzed; 3 test, script, browser or Node files were not (`--all-files` lints them)."]);
  const all = JSON.parse(cli(["lint", "--all-files", "--format", "json"], { cwd: root }).stdout);
  assert.equal(all.diagnostics.length, 4);
});

test("the schema a package.json script applies with `wrangler d1 execute --file` is read, from the Worker's folder and from the root, with its later versions beside it", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-d1-script-"));
  mkdirSync(join(root, "db"), { recursive: true });
  mkdirSync(join(root, "worker"), { recursive: true });
  writeFileSync(join(root, "db", "schema.sql"), 'CREATE TABLE IF NOT EXISTS "OrderDetail" ("Id" TEXT PRIMARY KEY, "OrderId" INTEGER NOT NULL, "Quantity" INTEGER NOT NULL);\n');
  writeFileSync(join(root, "db", "unused.sql"), 'CREATE INDEX "OrderDetail_OrderId" ON "OrderDetail" ("OrderId");\n');
  writeFileSync(join(root, "worker", "wrangler.toml"), 'name = "orders"\nmain = "index.ts"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "orders"\ndatabase_id = "x"\n');
  writeFileSync(
    join(root, "worker", "index.ts"),
    "export default {\n  async fetch(request: Request, env: { DB: D1Database }) {\n    const id = new URL(request.url).searchParams.get('id');\n    const { results } = await env.DB.prepare('SELECT OrderId, Quantity FROM OrderDetail WHERE OrderId = ?1').bind(id).all();\n    return Response.json(results);\n  },\n};\n",
  );
  const missingIndex = (cwd, args) => {
    const run = cli(["lint", ...args, "--format", "json"], { cwd });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    return findings(JSON.parse(run.stdout)).filter((f) => f.includes("missing-index"));
  };
  // No script names the schema: nothing is known of OrderDetail.
  assert.deepEqual(missingIndex(join(root, "worker"), []), []);
  writeFileSync(join(root, "worker", "package.json"), JSON.stringify({ scripts: { "local:init": "wrangler d1 execute orders --file=../db/schema.sql --local", seed: "wrangler d1 execute orders --command 'select 1'" } }));
  assert.deepEqual(missingIndex(root, []), ["worker/index.ts:4 drizzle-missing-index"]);
  assert.deepEqual(missingIndex(root, ["worker"]), ["worker/index.ts:4 drizzle-missing-index"]);
  // The root's script names the same file (quoted, with a space): read once, same finding.
  writeFileSync(join(root, "package.json"), JSON.stringify({ scripts: { "db:init": 'wrangler d1 execute orders --file "./db/schema.sql"' } }));
  assert.deepEqual(missingIndex(root, []), ["worker/index.ts:4 drizzle-missing-index"]);
  // A later version of that schema beside it (applied by hand) is read too: it adds the index.
  writeFileSync(join(root, "db", "schema-v2.sql"), 'CREATE INDEX IF NOT EXISTS "OrderDetail_OrderId" ON "OrderDetail" ("OrderId");\n');
  assert.deepEqual(missingIndex(root, []), []);
});

test("a monorepo's migrations at the repository root (supabase/migrations) declare the indexes of a Worker in a subfolder", () => {
  const root = mkdtempSync(join(tmpdir(), "perf-root-migrations-"));
  mkdirSync(join(root, ".git"));
  mkdirSync(join(root, "supabase", "migrations"), { recursive: true });
  mkdirSync(join(root, "workers", "api"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "name": "repo", "private": true }\n');
  writeFileSync(join(root, "workers", "api", "wrangler.toml"), 'name = "api"\nmain = "index.ts"\n\n[[hyperdrive]]\nbinding = "HYPERDRIVE"\nid = "x"\n');
  writeFileSync(join(root, "workers", "api", "schema.ts"), "import { pgTable, uuid, text } from 'drizzle-orm/pg-core';\nexport const notes = pgTable('notes', { id: uuid('id').primaryKey(), orgId: uuid('org_id').notNull(), body: text('body') });\n");
  writeFileSync(
    join(root, "workers", "api", "index.ts"),
    "import { drizzle } from 'drizzle-orm/postgres-js';\nimport postgres from 'postgres';\nimport { eq } from 'drizzle-orm';\nimport { notes } from './schema';\nexport default {\n  async fetch(request: Request, env: { HYPERDRIVE: Hyperdrive }) {\n    const db = drizzle(postgres(env.HYPERDRIVE.connectionString));\n    const [note] = await db.select().from(notes).where(eq(notes.orgId, new URL(request.url).searchParams.get('org')!)).limit(1);\n    return Response.json(note);\n  },\n};\n",
  );
  const missingIndex = () => {
    const run = cli(["lint", ".", "--format", "json", "--no-cache"], { cwd: join(root, "workers", "api") });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    return findings(JSON.parse(run.stdout)).filter((f) => f.includes("missing-index"));
  };
  assert.deepEqual(missingIndex(), ["index.ts:8 drizzle-missing-index"]);
  writeFileSync(join(root, "supabase", "migrations", "20250101_notes.sql"), "CREATE INDEX notes_org_idx ON public.notes (org_id);\n");
  assert.deepEqual(missingIndex(), []);
});

// examples/caching-worker: every caching pattern reported once at its line,
// nothing on the silent cases (a POST, a per-caller route, a bounded cache,
// a storable response written in waitUntil).
test("the caching example reports exactly its planted patterns", () => {
  const dir = fileURLToPath(new URL("../examples/caching-worker", import.meta.url));
  const want = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")).findings;
  const run = cli(["lint", "--format", "json"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(findings(JSON.parse(run.stdout)), want);
});
