// `perf-optimizer profile`: the Worker run locally in workerd (the scratch
// project's wrangler 4.86.0 and its Miniflare) and driven by a bounded
// scenario. The fixture Worker is written here: a D1 binding with a
// migration, a route that reads, one that writes, one that fans out to
// three outbound fetches, one that throws, one that never answers; its
// routes are registered on a small router of its own with literal paths.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { before, describe, test } from "node:test";
import { cli, project } from "./helpers.mjs";

const require = createRequire(import.meta.url);

function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const WORKER = [
  "const routes = new Map();",
  "const app = {",
  "  get(path, handler) { routes.set(`GET ${path}`, handler); },",
  "  post(path, handler) { routes.set(`POST ${path}`, handler); },",
  "};",
  'const HANG = "/hang";',
  'const STUCK = "/stuck";',
  'app.get("/items", async (request, env) => {',
  '  const { results } = await env.DB.prepare("SELECT id, name FROM items WHERE kind = ?").bind("a").all();',
  '  const total = await env.DB.prepare("SELECT count(*) AS n FROM items").first("n");',
  "  return Response.json({ results, total });",
  "});",
  'app.get("/items/:id", async () => new Response("one"));',
  'app.post("/add", async (request, env) => {',
  '  const same = await env.DB.prepare("SELECT id FROM items WHERE name = ?").bind("new").all();',
  '  await env.DB.prepare("INSERT INTO items (name, kind) VALUES (?, ?)").bind("new", "b").run();',
  '  return new Response(`added after ${same.results.length}`, { status: 201 });',
  "});",
  'app.get("/fanout", async () => {',
  "  const answers = await Promise.all([1, 2, 3].map((i) => fetch(`https://api.example.com/v1/${i}`)));",
  "  const bodies = await Promise.all(answers.map((a) => a.text()));",
  '  return new Response(bodies.map((b) => b.length).join(","));',
  "});",
  'app.get("/boom", async () => {',
  '  throw new Error("the boom route always throws");',
  "});",
  "app.get(HANG, () => new Promise((resolve) => setTimeout(() => resolve(new Response(\"late\")), 60000)));",
  "app.get(STUCK, () => new Promise(() => {}));",
  'const WIDE = "/wide";',
  "app.get(WIDE, async () => {",
  "  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => fetch(`https://api.example.com/w/${i}`)));",
  "  return new Response(String(answers.length));",
  "});",
  "export default {",
  "  async fetch(request, env) {",
  "    const url = new URL(request.url);",
  "    const handler = routes.get(`${request.method} ${url.pathname}`);",
  '    if (!handler) return new Response("home", { status: url.pathname === "/" ? 200 : 404 });',
  "    return handler(request, env);",
  "  },",
  "};",
  "",
].join("\n");
/** The 1-based line of WORKER that contains `text`. */
const lineOf = (text) => WORKER.split("\n").findIndex((l) => l.includes(text)) + 1;
const THROW_LINE = lineOf("throw new Error");

/** A Worker project in a temp dir, with the scratch project's node_modules (its wrangler). */
function fixture(files = {}) {
  const dir = mkdtempSync(join(tmpdir(), "perf-optimizer-profile-"));
  write(dir, {
    "package.json": JSON.stringify({ name: "profile-fixture", private: true, type: "module" }, null, 2),
    "wrangler.toml": [
      'name = "profile-fixture"',
      'main = "src/index.js"',
      'compatibility_date = "2025-09-01"',
      "",
      "[[d1_databases]]",
      'binding = "DB"',
      'database_name = "items-db"',
      'database_id = "00000000-0000-4000-8000-000000000001"',
      'migrations_dir = "migrations"',
      "",
    ].join("\n"),
    "migrations/0001_items.sql": [
      "CREATE TABLE items (",
      "  id INTEGER PRIMARY KEY,",
      "  name TEXT NOT NULL,",
      "  kind TEXT NOT NULL",
      ");",
      "CREATE INDEX items_name ON items (name);",
      "INSERT INTO items (name, kind) VALUES ('a1', 'a'), ('a2', 'a'), ('b1', 'b');",
      "",
    ].join("\n"),
    "src/index.js": WORKER,
    ...files,
  });
  symlinkSync(join(project, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

const json = (run) => {
  try {
    return JSON.parse(run.stdout);
  } catch {
    assert.fail(`not JSON (exit ${run.code}):\n${run.stderr}\n${run.stdout.slice(0, 500)}`);
  }
};

describe("perf-optimizer profile", () => {
  let dir, run, report, routes;
  before(() => {
    dir = fixture();
    run = cli(["profile", ".", "--request", "GET /items", "--request", "POST /add", "--request", "GET /fanout", "--request", "GET /boom", "--requests", "20", "--format", "json"], { cwd: dir, timeout: 180_000 });
    report = json(run);
    routes = Object.fromEntries((report.profile?.routes ?? []).map((r) => [r.route, r]));
  });

  test("reports every route of the scenario, with counts that add up to the total", () => {
    const p = report.profile;
    assert.ok(p, run.stderr);
    assert.equal(p.scenario, "cli");
    assert.equal(p.requests, 20);
    assert.equal(p.completed, 20);
    assert.equal(p.concurrency, 1);
    assert.equal(p.plan, "free");
    assert.equal(p.cpuLimitMs, 10);
    assert.deepEqual(Object.keys(routes).sort(), ["GET /boom", "GET /fanout", "GET /items", "POST /add"]);
    assert.equal(p.routes.reduce((n, r) => n + r.requests, 0), 20);
    for (const r of p.routes) {
      const answered = Object.values(r.status).reduce((a, b) => a + b, 0);
      const failed = (r.errors ?? []).reduce((a, e) => a + e.count, 0);
      assert.equal(answered + failed, r.requests, JSON.stringify(r));
    }
    assert.deepEqual(routes["GET /items"].status, { 200: 5 });
    assert.deepEqual(routes["POST /add"].status, { 201: 5 });
    // The caveat, once, on stderr.
    assert.equal(run.stderr.match(/measured the Worker locally in workerd/g)?.length, 1, run.stderr);
  });

  test("measures wall and CPU time per route", () => {
    for (const name of ["GET /items", "POST /add", "GET /fanout"]) {
      const r = routes[name];
      assert.ok(r.wallMs.p50 > 0 && r.wallMs.p50 <= r.wallMs.p95 && r.wallMs.p95 <= r.wallMs.max, JSON.stringify(r.wallMs));
      assert.ok(r.cpuMs.p50 >= 0 && r.cpuMs.p50 <= r.cpuMs.p95 && r.cpuMs.p95 <= r.cpuMs.max, JSON.stringify(r.cpuMs));
      // CPU is a part of the wall time of the slowest request.
      assert.ok(r.cpuMs.max <= r.wallMs.max + 1, `${name}: ${JSON.stringify(r)}`);
      assert.ok(r.cpuSampledRequests >= 0 && r.cpuSampledRequests <= 5, JSON.stringify(r));
      // workerd's own CPU time per request (Linux, concurrency 1): always some.
      assert.ok(r.processCpuMs.p50 > 0 && r.processCpuMs.p50 <= r.processCpuMs.max, JSON.stringify(r.processCpuMs));
    }
  });

  test("counts D1 queries and their rows per request, from the migrated database", () => {
    const items = routes["GET /items"].d1;
    assert.deepEqual(items.queries, { p50: 2, max: 2 });
    assert.ok(items.rowsRead.p50 >= 3, JSON.stringify(items));
    assert.deepEqual(items.rowsWritten, { p50: 0, max: 0 });
    const add = routes["POST /add"].d1;
    assert.deepEqual(add.queries, { p50: 2, max: 2 });
    assert.ok(add.rowsWritten.p50 >= 1, JSON.stringify(add));
    assert.deepEqual(routes["GET /fanout"].d1.queries, { p50: 0, max: 0 });
    const sqls = Object.fromEntries(report.profile.queries.map((q) => [q.sql, q.count]));
    assert.equal(sqls["SELECT id, name FROM items WHERE kind = ?"], 5);
    assert.equal(sqls["SELECT count(*) AS n FROM items"], 5);
    assert.equal(sqls["INSERT INTO items (name, kind) VALUES (?, ?)"], 5);
    assert.equal(sqls["SELECT id FROM items WHERE name = ?"], 5);
    assert.ok(report.profile.notes.some((n) => /D1 DB: 1 migration applied to a temporary database/.test(n)), report.profile.notes.join("\n"));
  });

  test("gives each distinct SQL statement its query plan on the migrated schema and where it was sent from", () => {
    const q = Object.fromEntries(report.profile.queries.map((x) => [x.sql, x]));
    const byKind = q["SELECT id, name FROM items WHERE kind = ?"];
    assert.equal(byKind.plan, "SCAN items");
    assert.equal(byKind.fullScan, true);
    assert.equal(byKind.table, "items");
    assert.deepEqual([byKind.file, byKind.line], ["src/index.js", lineOf("WHERE kind = ?")]);
    const byName = q["SELECT id FROM items WHERE name = ?"];
    assert.match(byName.plan, /^SEARCH items USING (COVERING )?INDEX items_name/);
    assert.equal(byName.fullScan, false);
    assert.equal(byName.table, undefined);
    assert.deepEqual([byName.file, byName.line], ["src/index.js", lineOf("WHERE name = ?")]);
    assert.deepEqual(q["INSERT INTO items (name, kind) VALUES (?, ?)"].bindings, ["DB"]);
  });

  test("reports each full scan as a d1-full-scan finding at the line that sent it", () => {
    const scans = report.diagnostics.filter((d) => d.rule === "d1-full-scan");
    // count(*) reads the smaller items_name index whole (SCAN items USING COVERING INDEX): not a table scan.
    assert.match(report.profile.queries.find((q) => q.sql.includes("count(*)")).plan, /^SCAN items USING COVERING INDEX items_name$/);
    assert.deepEqual(scans.map((d) => [d.file, d.line, d.severity]), [["src/index.js", lineOf("WHERE kind = ?"), "warning"]]);
    assert.match(scans.find((d) => d.line === lineOf("WHERE kind = ?")).message, /^`SELECT id, name FROM items WHERE kind = \?` reads every row of items \(SQLite's plan on the migrated schema: SCAN items\); sent 5 times/);
    assert.equal(run.code, 0, "warnings only");
  });

  test("answers subrequests with the local stub and counts them, with the peak open at once", () => {
    const fanout = routes["GET /fanout"];
    assert.deepEqual(fanout.status, { 200: 5 });
    assert.deepEqual(fanout.subrequests, { p50: 3, max: 3 });
    assert.equal(fanout.peakConnections, 3);
    assert.deepEqual(routes["GET /items"].subrequests, { p50: 0, max: 0 });
    assert.equal(report.profile.outbound.requests, 15);
    assert.equal(report.profile.outbound.stubbed, true);
    assert.ok(report.profile.outbound.peakOpen >= 1);
    assert.ok(report.profile.notes.some((n) => n.includes("api.example.com")), report.profile.notes.join("\n"));
  });

  test("reports a throwing route with its error and source line, not in the figures", () => {
    const boom = routes["GET /boom"];
    assert.deepEqual(boom.status, {});
    assert.equal(boom.wallMs, undefined);
    assert.equal(boom.errors.length, 1, JSON.stringify(boom.errors));
    const [e] = boom.errors;
    assert.equal(e.kind, "threw");
    assert.equal(e.count, 5);
    assert.match(e.message, /Error: the boom route always throws/);
    assert.equal(e.file, "src/index.js");
    assert.equal(e.line, THROW_LINE);
  });

  test("measures the heap after a forced GC at the start and the end", () => {
    const h = report.profile.heap;
    assert.ok(h, JSON.stringify(report.profile.notes));
    assert.ok(h.startMb > 0 && h.endMb > 0, JSON.stringify(h));
    assert.equal(h.limitMb, 128);
    // From the unrounded sizes: within their rounding (±0.0005 MB each, ×50).
    assert.ok(Math.abs(h.growthMbPer1k - ((h.endMb - h.startMb) / 20) * 1000) <= 0.06, JSON.stringify(h));
  });

  test("prints a table per route in the pretty format", () => {
    const pretty = cli(["profile", ".", "--request", "GET /items", "--requests", "3"], { cwd: dir, timeout: 180_000 });
    assert.ok(/^Profile 3 requests, concurrency 1, measured locally in workerd/m.test(pretty.stdout), pretty.stdout + pretty.stderr);
    assert.match(pretty.stdout, /route\s+req\s+status\s+wall ms p50\/p95\/max/);
    assert.match(pretty.stdout, /GET \/items\s+3\s+200×3/);
  });
});

describe("perf-optimizer profile without a scenario", () => {
  test("profiles GET / and the parameter-free GET routes of the source, and says so", () => {
    const dir = fixture();
    const run = cli(["profile", ".", "--requests", "8", "--format", "json"], { cwd: dir, timeout: 180_000 });
    const report = json(run);
    const p = report.profile;
    assert.equal(p.scenario, "source");
    assert.deepEqual(p.routes.map((r) => r.route), ["GET /", "GET /boom", "GET /fanout", "GET /items"]);
    assert.equal(p.routes.reduce((n, r) => n + r.requests, 0), 8);
    assert.ok(p.notes.some((n) => /no scenario given/.test(n)), p.notes.join("\n"));
  });

  test("takes the scenario from the config, spread by weight", () => {
    const dir = fixture({
      "perf-optimizer.config.json": JSON.stringify({ profile: { requests: [{ name: "list", path: "/items", weight: 3 }, { path: "/", weight: 1 }], count: 8, concurrency: 2 } }),
    });
    const report = json(cli(["profile", ".", "--format", "json"], { cwd: dir, timeout: 180_000 }));
    const p = report.profile;
    assert.equal(p.scenario, "config");
    assert.equal(p.concurrency, 2);
    assert.deepEqual(p.routes.map((r) => [r.route, r.requests]), [["list", 6], ["GET /", 2]]);
  });

  test("a profile budget over is a warning of its rule at the route's line; a bad one is exit 2 naming the key", () => {
    const dir = fixture({ "perf-optimizer.config.json": JSON.stringify({ budgets: [{ metric: "queries", max: 1, route: "GET /items" }, { metric: "queries", max: 5 }] }) });
    const run = cli(["profile", ".", "--request", "GET /items", "--request", "GET /fanout", "--requests", "4", "--format", "json"], { cwd: dir, timeout: 180_000 });
    const over = json(run).diagnostics.filter((d) => d.rule === "queries-per-request");
    // Two statements once each per request: the first by text is the one named.
    assert.deepEqual(over.map((d) => [d.severity, d.file, d.line]), [["warning", "src/index.js", lineOf("SELECT count(*)")]]);
    assert.match(over[0].message, /^GET \/items: one request sent 2 D1 queries in the profile run, over the budget "D1 queries per request of GET \/items" \(1\)/);
    for (const [budget, message] of [
      [{ metric: "heap", max: "32 MB", route: "GET /" }, /budgets\[0\]\.route: only the cpu and queries metrics are per route/],
      [{ metric: "cpu", max: "5 MB" }, /budgets\[0\]\.max: the startup and cpu metrics take a duration/],
      [{ metric: "queries", max: "ten" }, /budgets\[0\]\.max: the queries metric takes a whole number of queries per request/],
    ]) {
      const bad = fixture({ "perf-optimizer.config.json": JSON.stringify({ budgets: [budget] }) });
      const failed = cli(["profile", "."], { cwd: bad, timeout: 60_000 });
      assert.equal(failed.code, 2, failed.stderr);
      assert.match(failed.stderr, message);
    }
  });

  test("a bad scenario in the config is exit 2 naming the key", () => {
    const dir = fixture({ "perf-optimizer.config.json": JSON.stringify({ profile: { requests: [{ path: "items" }] } }) });
    const run = cli(["profile", "."], { cwd: dir, timeout: 60_000 });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /profile\.requests\[0\]\.path: expected a path from `\/`/);
  });
});

describe("perf-optimizer profile, bounded", () => {
  test("a route that never answers is cut off by the time cap and reported", () => {
    const dir = fixture();
    const t0 = Date.now();
    const run = cli(["profile", ".", "--request", "GET /hang", "--requests", "5", "--max-seconds", "2", "--format", "json"], { cwd: dir, timeout: 120_000 });
    const seconds = (Date.now() - t0) / 1000;
    const p = json(run).profile;
    assert.equal(p.cutOff, true);
    assert.ok(p.completed < 5, JSON.stringify(p));
    const [hang] = p.routes;
    assert.equal(hang.errors[0].kind, "timeout");
    assert.deepEqual(hang.status, {});
    assert.ok(seconds < 60, `took ${seconds} s`);
  });

  test("a handler that waits on nothing is reported as hung, not averaged in", () => {
    const dir = fixture();
    const p = json(cli(["profile", ".", "--request", "GET /stuck", "--request", "GET /", "--requests", "4", "--format", "json"], { cwd: dir, timeout: 120_000 })).profile;
    const [stuck, home] = p.routes;
    assert.deepEqual(stuck.status, {});
    assert.equal(stuck.errors[0].kind, "hung");
    assert.equal(stuck.errors[0].count, 2);
    assert.equal(stuck.wallMs, undefined);
    assert.deepEqual(home.status, { 200: 2 });
  });

  test("a Worker that fails to start is exit 2 with its error", () => {
    const dir = fixture({ "src/index.js": 'const config = JSON.parse("{not json");\nexport default { fetch: () => new Response(String(config)) };\n' });
    const run = cli(["profile", ".", "--requests", "2"], { cwd: dir, timeout: 120_000 });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /perf-optimizer: .*cannot profile: the Worker failed to start in workerd: SyntaxError/);
    assert.equal(run.stdout, "");
  });

  test("a route over the subrequest and connection limits is reported (exit 1: subrequest-limit is an error)", () => {
    const dir = fixture();
    const run = cli(["profile", ".", "--request", "GET /wide", "--requests", "2", "--format", "json"], { cwd: dir, timeout: 120_000 });
    const report = json(run);
    const [wide] = report.profile.routes;
    assert.deepEqual(wide.subrequests, { p50: 60, max: 60 });
    assert.equal(wide.peakConnections, 60);
    // At the line of the route's first fetch.
    const found = report.diagnostics.filter((d) => d.category === "limits").map((d) => [d.rule, d.severity, d.file, d.line]);
    const at = lineOf("fetch(`https://api.example.com/w/");
    assert.deepEqual(found.sort(), [["connection-limit", "warning", "src/index.js", at], ["subrequest-limit", "error", "src/index.js", at]]);
    assert.match(report.diagnostics.find((d) => d.rule === "subrequest-limit").message, /^GET \/wide: one request made 60 outbound fetches in the profile run, over the 50 subrequests a request may make on the Free plan/);
    assert.equal(run.code, 1);
  });

  test("profile options are refused on other commands", () => {
    const run = cli(["check", ".", "--requests", "5"], { cwd: project });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--requests is an option of profile/);
  });
});

// Caching confirmed by measurement (#22): a Hono router the source rule
// reads, and routes of a plain dispatcher it does not.
const HONO_WORKER = [
  'import { Hono } from "hono";',
  'import { dispatch } from "./plain.js";',
  "const app = new Hono();",
  'app.get("/products", async (c) => {',
  '  const { results } = await c.env.DB.prepare("SELECT id, name FROM items WHERE kind = ?").bind("a").all();',
  "  return c.json(results);",
  "});",
  'app.get("/x/*", (c) => dispatch(c.req.raw, c.env));',
  "export default app;",
  "",
].join("\n");
const PLAIN = [
  "const one = (env, id) => env.DB.prepare(\"SELECT name FROM items WHERE id = ?\").bind(id).first();",
  "async function settings(request, env) {",
  '  const row = await env.DB.prepare("SELECT name, kind FROM items WHERE id = ?").bind(1).first();',
  "  return Response.json(row);",
  "}",
  "async function me(request, env) {",
  '  const who = request.headers.get("cookie") ?? "anonymous";',
  "  return Response.json({ who, row: await one(env, 2) });",
  "}",
  "async function cached(request, env) {",
  '  return Response.json(await one(env, 3), { headers: { "cache-control": "public, max-age=60" } });',
  "}",
  "async function clock(request, env) {",
  "  return Response.json({ row: await one(env, 1), id: crypto.randomUUID() });",
  "}",
  'const routes = { "/x/settings": settings, "/x/me": me, "/x/cached": cached, "/x/clock": clock };',
  "export function dispatch(request, env) {",
  "  const handler = routes[new URL(request.url).pathname];",
  '  return handler ? handler(request, env) : new Response("none", { status: 404 });',
  "}",
  "",
].join("\n");
const lineIn = (text, needle) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("perf-optimizer profile confirms caching", () => {
  let run, report;
  before(() => {
    const dir = fixture({ "src/index.js": HONO_WORKER, "src/plain.js": PLAIN });
    const routes = ["/products", "/x/settings", "/x/me", "/x/cached", "/x/clock"].flatMap((p) => ["--request", `GET ${p}`]);
    run = cli(["profile", ".", ...routes, "--requests", "15", "--format", "json"], { cwd: dir, timeout: 180_000 });
    report = json(run);
  });

  test("compares each route's answers and lists the I/O it repeated", () => {
    const routes = Object.fromEntries(report.profile.routes.map((r) => [r.path, r]));
    assert.deepEqual(routes["/products"].responses.compared, 3, JSON.stringify(routes["/products"]));
    assert.equal(routes["/products"].responses.identical, 3);
    assert.equal(routes["/products"].responses.cachingHeaders, undefined, "none: left out");
    assert.deepEqual(routes["/products"].repeats, [{ kind: "query", text: "SELECT id, name FROM items WHERE kind = ?", params: '["a"]', requests: 3 }]);
    assert.deepEqual(routes["/x/cached"].responses.cachingHeaders, ["cache-control: public, max-age=60"]);
    assert.ok(routes["/x/me"].responses.readHeaders.includes("cookie"), JSON.stringify(routes["/x/me"].responses));
    assert.equal(routes["/x/clock"].responses.identical, 1, JSON.stringify(routes["/x/clock"].responses));
  });

  test("a cacheable-route finding gains the measured repeat count", () => {
    const found = report.diagnostics.filter((d) => d.rule === "cacheable-route" && d.file === "src/index.js");
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0].line, lineIn(HONO_WORKER, '"/products"'));
    const evidence = found[0].related.find((r) => r.message.startsWith("profile:"));
    assert.ok(evidence, JSON.stringify(found[0].related));
    assert.match(evidence.message, /^profile: 3 of 3 requests to GET \/products got the same \d+ B answer with no caching header, and ran `SELECT id, name FROM items WHERE kind = \?` with the same parameters in 3 of them$/);
    assert.deepEqual([evidence.file, evidence.line], ["src/index.js", lineIn(HONO_WORKER, "WHERE kind = ?")]);
  });

  test("a route the source rule does not read is reported from the measurement, and the others stay silent", () => {
    const found = report.diagnostics.filter((d) => d.rule === "cacheable-route" && d.file !== "src/index.js");
    assert.deepEqual(found.map((d) => [d.file, d.line]), [["src/plain.js", lineIn(PLAIN, "bind(1).first()")]], JSON.stringify(found));
    assert.match(found[0].message, /^GET \/x\/settings is answered the same on every request and does I\/O each time, but it sends no Cache-Control \(profile: 3 of 3 requests/);
    assert.equal(found[0].severity, "info");
  });
});

// The fixture of issue #19's "Done when": a CPU-heavy route, one that leaks
// into a global, one whose query scans an unindexed column, one that sends a
// query per row (N+1, over D1's 50 queries per invocation on Free), one that
// fans out past the free subrequest cap, and a cheap one.
const HASH_ITERATIONS = 12_000_000;
const WORK = "function work(n) { let h = 2166136261; for (let i = 0; i < n; i++) { h ^= i & 255; h = Math.imul(h, 16777619) >>> 0; } return h; }";
const DONE = [
  WORK,
  "const kept = [];",
  "function retain(n) {",
  "  kept.push(Array.from({ length: n }, (_, i) => ({ i, label: `row ${i}` })));",
  "}",
  "export default {",
  "  async fetch(request, env) {",
  "    const { pathname } = new URL(request.url);",
  '    if (pathname === "/hash") return new Response(String(work(' + HASH_ITERATIONS + ")));",
  '    if (pathname === "/leak") {',
  "      retain(20000);",
  '      return new Response(String(kept.length));',
  "    }",
  '    if (pathname === "/scan") {',
  '      const { results } = await env.DB.prepare("SELECT id FROM events WHERE kind = ?").bind("click").all();',
  "      return Response.json(results.length);",
  "    }",
  '    if (pathname === "/each") {',
  "      const out = [];",
  "      for (let id = 1; id <= 60; id++) {",
  '        out.push(await env.DB.prepare("SELECT kind FROM events WHERE id = ?").bind(id).first("kind"));',
  "      }",
  "      return Response.json(out.length);",
  "    }",
  '    if (pathname === "/fanout") {',
  "      const answers = await Promise.all(Array.from({ length: 55 }, (_, i) => fetch(`https://api.example.com/f/${i}`)));",
  "      return new Response(String(answers.length));",
  "    }",
  '    return new Response("cheap");',
  "  },",
  "};",
  "",
].join("\n");
const doneLine = (text) => DONE.split("\n").findIndex((l) => l.includes(text)) + 1;

/**
 * The CPU `work(iterations)` takes in workerd, measured directly: Miniflare
 * (the scratch project's) runs it with no inspector attached, and the
 * kernel's count of workerd's busiest thread (/proc/PID/task/TID/schedstat)
 * for a request that runs it, less one that runs `work(0)`; medians of 8
 * pairs after 3 warm-ups, in ms.
 */
async function workerdCpuOfWork(iterations) {
  const { Miniflare } = await import(pathToFileURL(require.resolve("miniflare", { paths: [project] })).href);
  const script = `${WORK}\nexport default { fetch(request) { return new Response(String(work(new URL(request.url).pathname === "/work" ? ${iterations} : 0))); } };`;
  const mf = new Miniflare({ modules: true, script });
  try {
    await mf.ready;
    const pid = readdirSync("/proc").find((entry) => {
      try {
        const m = /^\d+ \((.*?)\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, "utf8"));
        return m && Number(m[2]) === process.pid && /workerd/.test(m[1]);
      } catch {
        return false;
      }
    });
    assert.ok(pid, "workerd's process");
    const threads = () =>
      new Map(
        readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
          try {
            return [[tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0])]];
          } catch {
            return []; // a thread that ended
          }
        }),
      );
    const busiest = async (path) => {
      const before = threads();
      await (await mf.dispatchFetch(`http://localhost${path}`)).text();
      return Math.max(...[...threads()].map(([tid, ns]) => ns - (before.get(tid) ?? 0))) / 1e6;
    };
    const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    for (let i = 0; i < 3; i++) await busiest("/work");
    const withWork = [];
    const without = [];
    for (let i = 0; i < 8; i++) {
      withWork.push(await busiest("/work"));
      without.push(await busiest("/none"));
    }
    return median(withWork) - median(without);
  } finally {
    await mf.dispose();
  }
}

describe("perf-optimizer profile: the findings of issue #19 on their routes and lines", () => {
  let run, report, routes;
  before(() => {
    const dir = fixture({
      "src/index.js": DONE,
      "migrations/0001_items.sql": [
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);",
        "INSERT INTO events (kind) VALUES " + Array.from({ length: 60 }, (_, i) => `('${i % 3 ? "view" : "click"}')`).join(", ") + ";",
        "",
      ].join("\n"),
    });
    const requests = ["GET /hash", "GET /leak", "GET /scan", "GET /each", "GET /fanout", "GET /cheap"].flatMap((r) => ["--request", r]);
    run = cli(["profile", ".", ...requests, "--requests", "36", "--format", "json"], { cwd: dir, timeout: 240_000 });
    report = json(run);
    routes = Object.fromEntries(report.profile.routes.map((r) => [r.route, r]));
  });

  const found = (rule) => report.diagnostics.filter((d) => d.rule === rule);

  test("the CPU-heavy route is over the Free plan's 10 ms, at its hottest function", () => {
    // The route with 60 D1 queries may be over too (the D1 client's own
    // JavaScript, ~0.2 ms a query here); the cheap route never is.
    const cpu = found("cpu-over-limit").find((d) => d.message.startsWith("GET /hash:"));
    assert.ok(cpu, JSON.stringify(found("cpu-over-limit")));
    assert.deepEqual(found("cpu-over-limit").filter((d) => !/^GET \/(hash|each):/.test(d.message)), []);
    assert.deepEqual([cpu.file, cpu.line, cpu.severity], ["src/index.js", doneLine("function work"), "error"]);
    assert.match(cpu.message, /^GET \/hash: [\d.]+ ms of CPU per request \(median of 6 requests: the JavaScript samples of the V8 CPU profile, without the runtime's native calls\), over the 10 ms of CPU a request may use on the Free plan; its hottest function of the project's own code is work/);
  });

  test("the route that keeps memory in a global is heap-growth, where the kept memory was allocated", () => {
    const [heap, ...more] = found("heap-growth");
    assert.equal(more.length, 0);
    assert.deepEqual([heap.file, heap.line, heap.severity], ["src/index.js", doneLine("kept.push(Array.from"), "error"]);
    assert.match(heap.message, /^the heap after GC went from [\d.]+ MB to [\d.]+ MB over 36 requests .*: at that rate one isolate reaches the 128 MB memory limit after about [\d,]+ more requests, and is then stopped; most of what stayed live was allocated in/);
    assert.match(heap.message, /run by GET \/leak\)$/);
    assert.ok(report.profile.heap.endMb - report.profile.heap.startMb > 2, JSON.stringify(report.profile.heap));
  });

  test("the unindexed query is d1-full-scan and the query per row is queries-per-request, each at its line", () => {
    assert.deepEqual(found("d1-full-scan").map((d) => [d.file, d.line]), [["src/index.js", doneLine("WHERE kind = ?")]]);
    const [many, ...more] = found("queries-per-request");
    assert.equal(more.length, 0);
    assert.deepEqual([many.file, many.line, many.severity], ["src/index.js", doneLine("WHERE id = ?"), "error"]);
    assert.match(many.message, /^GET \/each: one request sent 60 D1 queries in the profile run, over the 50 queries a Worker invocation may send to D1 on the Free plan \(the rest fail\); most of them were `SELECT kind FROM events WHERE id = \?` \(60 in one request\)$/);
    assert.deepEqual(routes["GET /each"].topQuery, { sql: "SELECT kind FROM events WHERE id = ?", maxPerRequest: 60, file: "src/index.js", line: doneLine("WHERE id = ?") });
  });

  test("the fan-out is over the free subrequest cap and the connection limit, at the fetch", () => {
    const at = ["src/index.js", doneLine("fetch(`https://api.example.com/f/")];
    assert.deepEqual(found("subrequest-limit").map((d) => [d.file, d.line, d.severity]), [[...at, "error"]]);
    assert.deepEqual(found("connection-limit").map((d) => [d.file, d.line]), [at]);
    assert.match(found("subrequest-limit")[0].message, /^GET \/fanout: one request made 55 outbound fetches/);
  });

  test("nothing on the cheap route, and every finding names its own route", () => {
    assert.equal(report.diagnostics.filter((d) => /GET \/cheap/.test(d.message)).length, 0);
    const lines = new Set(report.diagnostics.map((d) => d.line));
    assert.ok(!lines.has(doneLine('return new Response("cheap")')));
    for (const [rule, route] of [["cpu-over-limit", "GET /hash"], ["queries-per-request", "GET /each"], ["subrequest-limit", "GET /fanout"]]) {
      assert.ok(found(rule)[0].message.startsWith(`${route}:`), found(rule)[0].message);
    }
    assert.equal(run.code, 1, "errors: exit 1");
  });

  test("the measured CPU of the hash loop matches a direct V8 measurement of the same code within 25%", async () => {
    // Direct: the same loop in the same V8 (workerd's, without a profiler),
    // by the kernel's count of the isolate thread's CPU: a request that runs
    // it less one that does not. Node's V8 is another build, for the log
    // only: workerd runs this loop ~13% slower than Node 20 with no profiler
    // at all.
    const direct = await workerdCpuOfWork(HASH_ITERATIONS);
    const work = new Function(`${WORK}; return work;`)();
    for (let i = 0; i < 3; i++) work(HASH_ITERATIONS);
    const before = process.cpuUsage();
    for (let i = 0; i < 8; i++) work(HASH_ITERATIONS);
    const used = process.cpuUsage(before);
    const node = (used.user + used.system) / 1000 / 8;
    const hash = routes["GET /hash"];
    const measured = hash.jsCpuMs.p50;
    const ratio = measured / direct;
    console.log(`hash loop: jsCpuMs p50 ${measured} ms, cpuMs p50 ${hash.cpuMs.p50} ms (${hash.cpuSampledRequests} of ${hash.requests} requests sampled), processCpuMs p50 ${hash.processCpuMs.p50} ms; workerd without a profiler ${direct.toFixed(2)} ms: ratio ${ratio.toFixed(2)}; Node ${process.version} ${node.toFixed(2)} ms`);
    // The JavaScript samples are a part of all the samples, on every route.
    for (const r of report.profile.routes) assert.ok(r.jsCpuMs.p50 <= r.cpuMs.p50 + 0.001 && r.jsCpuMs.max <= r.cpuMs.max + 0.001, JSON.stringify(r));
    assert.ok(Math.abs(ratio - 1) <= 0.25, `measured ${measured} ms, direct ${direct.toFixed(2)} ms (ratio ${ratio.toFixed(2)})`);
  });
});
