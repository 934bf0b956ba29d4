// The views of `perf-optimizer profile`: each route's CPU profile as a call
// tree in the JSON (`callTree`), the profile section of the Markdown report,
// and the HTML report's section per route with its flame graph, in headless
// Chromium (tests/browser.mjs). The fixture Worker has one CPU-heavy route
// (a hash loop in a named function), a cheap one, and one that the scenario
// (the config's) names with HTML: the name is user text, shown as text. A
// screenshot and the page are kept in tests/.tmp.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openOffline, skipBrowser } from "./browser.mjs";
import { cli, importPackage, project } from "./helpers.mjs";

const HOSTILE = "<img src=x onerror=globalThis.__pwned=1>";
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const WORKER = [
  "function hashLoop(rounds) {",
  "  let h = 2166136261;",
  "  for (let i = 0; i < rounds; i++) {",
  "    h ^= i & 0xff;",
  "    h = Math.imul(h, 16777619) >>> 0;",
  "  }",
  "  return h;",
  "}",
  "function sqrtSum(n) {",
  "  let s = 0;",
  "  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i)) % 1e9;",
  "  return s;",
  "}",
  "export default {",
  "  async fetch(request) {",
  "    const url = new URL(request.url);",
  '    if (url.pathname === "/hash") return new Response(String(hashLoop(8_000_000)));',
  '    if (url.pathname === "/odd") return new Response(String(sqrtSum(3_000_000)));',
  '    return new Response("home");',
  "  },",
  "};",
  "",
].join("\n");
const HASH_LINE = WORKER.split("\n").findIndex((l) => l.startsWith("function hashLoop")) + 1;

describe("perf-optimizer profile: the call tree, the Markdown and the HTML views", () => {
  let dir, run, report, html;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "perf-optimizer-views-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "views-fixture", private: true, type: "module" }));
    writeFileSync(join(dir, "wrangler.toml"), 'name = "views-fixture"\nmain = "src/index.js"\ncompatibility_date = "2025-09-01"\n');
    writeFileSync(join(dir, "src", "index.js"), WORKER);
    const requests = [{ path: "/hash" }, { path: "/" }, { name: HOSTILE, path: "/odd" }];
    writeFileSync(join(dir, "perf-optimizer.config.json"), JSON.stringify({ profile: { requests, count: 9 } }));
    symlinkSync(join(project, "node_modules"), join(dir, "node_modules"), "dir");
    html = join(dir, "profile.html");
    run = cli(["profile", ".", "--format", "json", "--html", html], { cwd: dir, timeout: 180_000 });
    report = JSON.parse(run.stdout || "{}");
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const route = (name) => report.profile?.routes.find((r) => r.route === name);

  test("each route's CPU profile is a call tree: source-mapped, pruned, the hot function at its line", () => {
    assert.ok(report.profile, run.stderr);
    const tree = route("GET /hash").callTree;
    assert.ok(tree, JSON.stringify(route("GET /hash")));
    const { nodes } = tree;
    assert.equal(nodes[0].name, "(root)");
    assert.equal(nodes[0].parent, undefined);
    assert.ok(nodes.length >= 2 && nodes.length <= 200, `${nodes.length} nodes`);
    nodes.forEach((n, i) => {
      if (i > 0) assert.ok(Number.isInteger(n.parent) && n.parent < i, `node ${i} after its caller`);
      // Each node's time: its own plus its callees' (rounded to µs).
      const callees = nodes.filter((c) => c.parent === i).reduce((t, c) => t + c.totalMs, 0);
      assert.ok(Math.abs(n.totalMs - n.selfMs - callees) < 0.01, `node ${i}: ${JSON.stringify(n)}`);
      // Pruned: none under 0.5% of the route's CPU.
      assert.ok(n.totalMs >= nodes[0].totalMs * 0.005 - 0.001, `node ${i} is under 0.5%`);
      // The harness's own frames are not in it.
      assert.doesNotMatch(`${n.name} ${n.package ?? ""}`, /__perfOptimizer|__perf-optimizer-/);
    });
    const hot = nodes.find((n) => n.name === "hashLoop");
    assert.ok(hot, nodes.map((n) => n.name).join(", "));
    assert.deepEqual([hot.file, hot.line], ["src/index.js", HASH_LINE]);
    assert.ok(hot.totalMs >= 0.5 * nodes[0].totalMs, `hashLoop: ${hot.totalMs} of ${nodes[0].totalMs} ms`);
    // Siblings by total time, the largest first.
    for (let i = 0; i < nodes.length; i++) {
      const kids = nodes.filter((c) => c.parent === i).map((c) => c.totalMs);
      assert.deepEqual(kids, [...kids].sort((a, b) => b - a));
    }
  });

  test("the Markdown report has the profile table per route", async () => {
    const { render } = await importPackage();
    const md = render(report, "markdown");
    assert.match(md, /\n### Profile\n\n9 requests, concurrency 1, measured locally in workerd · CPU limit 10 ms per request \(Free plan\)\./);
    assert.match(md, /\n\| `GET \/hash` \| 3 \| 200×3 \| [\d.]+ \/ [\d.]+ \/ [\d.]+ \| /);
    assert.match(md, /\| `GET \/` \| 3 \| 200×3 \|/);
    assert.match(md, /\| `GET \/hash` \| `hashLoop` \| `src\/index\.js:1` \|/);
    // The route named with HTML: in a code span, where GitHub shows it as text.
    assert.match(md, /\n\| `<img src=x onerror=globalThis\.__pwned=1>` \| 3 \| 200×3 \|/);
    assert.match(md, /\n> Measured locally in workerd:/);
  });

  test("the HTML page is self-contained and carries the call trees", () => {
    const text = readFileSync(html, "utf8");
    assert.doesNotMatch(text, /<script[^>]+src=/i);
    const data = JSON.parse(/<script type="application\/json" id="perf-data">(.*?)<\/script>/s.exec(text)[1]);
    assert.deepEqual(data.report.profile.routes.map((r) => Boolean(r.callTree)), report.profile.routes.map((r) => Boolean(r.callTree)));
    assert.ok(!text.includes(HOSTILE), "the name with HTML in it is never in the page as markup");
    mkdirSync(join(repoRoot, "tests", ".tmp"), { recursive: true });
    copyFileSync(html, join(repoRoot, "tests", ".tmp", "profile-report.html"));
  });

  describe("in Chromium", { skip: skipBrowser }, () => {
    let context, page, errors, badRequests;
    before(async () => {
      ({ context, page, errors, badRequests } = await openOffline(html, join(dir, "browser")));
    });
    after(async () => {
      await context?.close();
    });

    test("a section per route with its figures, top functions and flame graph with the hot function", async () => {
      assert.deepEqual(errors, []);
      assert.deepEqual(await page.locator("#profile article.route h3").allTextContents(), ["GET /hash", "GET /", HOSTILE]);
      const hash = page.locator('#profile article.route[data-route="GET /hash"]');
      assert.match(await hash.locator(".figures").textContent(), /requests3status200×3/);
      assert.equal(await hash.locator('.functions tr[data-name="hashLoop"] .loc').textContent(), `src/index.js:${HASH_LINE}`);
      const frame = hash.locator('.flame .frame[data-name="hashLoop"]').first();
      assert.equal(await frame.textContent(), "hashLoop");
      assert.equal(await frame.getAttribute("data-line"), String(HASH_LINE));
      const [outer, inner] = await Promise.all([hash.locator(".flame").boundingBox(), frame.boundingBox()]);
      assert.ok(inner.width >= 0.4 * outer.width, `hashLoop is ${inner.width} of ${outer.width} px wide`);
      // A click zooms into it: full width; the root stays above as the way out.
      await frame.click();
      const zoomed = await hash.locator('.flame .frame[data-name="hashLoop"]').first().boundingBox();
      assert.ok(zoomed.width >= outer.width - 4, `zoomed: ${zoomed.width} of ${outer.width}`);
      await hash.locator(".flame .frame.root").click();
      assert.equal(await hash.locator(".flame .frame.ancestor").count(), 0);
    });

    test("a route name with HTML in it is shown as text", async () => {
      assert.equal(await page.evaluate(() => globalThis.__pwned), undefined);
      assert.equal(await page.locator("#profile img").count(), 0);
      assert.equal(await page.locator("#profile table.routes a").nth(2).textContent(), HOSTILE);
      const odd = page.locator("#profile article.route").nth(2);
      assert.equal(await odd.getAttribute("data-route"), HOSTILE);
      assert.match(await odd.locator(".flame .frame.root").textContent(), /^all of <img src=x onerror=globalThis\.__pwned=1> — [\d.]+ ms$/);
      assert.equal(await odd.locator('.flame .frame[data-name="sqrtSum"]').count(), 1);
      await page.locator("#profile").screenshot({ path: join(repoRoot, "tests", ".tmp", "profile-report.png") });
    });

    test("no request left the file", () => {
      assert.deepEqual(badRequests, []);
    });
  });
});

describe("callTree: a route's CPU profile as a pruned call tree", () => {
  /** A V8 CPU profile's nodes from `[id, name, url, line, children]`. */
  const profileNodes = (rows) => new Map(rows.map(([id, functionName, url, lineNumber, children]) => [id, { id, callFrame: { functionName, url, lineNumber, columnNumber: 0 }, children }]));
  const place = (frame) => (frame.url === "index.js" ? { name: frame.functionName, file: "src/a.js", line: frame.lineNumber + 1 } : { name: frame.functionName });

  test("merges a caller's calls of one place, splices out the harness, folds small calls into their caller", async () => {
    const { callTree } = await importPackage("profile");
    const nodes = profileNodes([
      [1, "(root)", "", -1, [2, 3, 9]],
      [2, "fetch", "__perf-optimizer-entry.mjs", 5, [4]],
      [4, "run", "", -1, [5]],
      [5, "handler", "index.js", 2, [6, 7, 8]],
      [6, "hot", "index.js", 9, []],
      [7, "hot", "index.js", 9, []],
      [8, "tiny", "index.js", 19, []],
      [3, "(program)", "", -1, []],
      [9, "__perfOptimizerRun", "__perf-optimizer-entry.mjs", 20, [10]],
      [10, "handler", "index.js", 2, []],
    ]);
    const self = new Map([[6, 60], [7, 30], [8, 0.1], [3, 5], [10, 4.9]]);
    assert.deepEqual(callTree(self, nodes, place), {
      nodes: [
        { name: "(root)", selfMs: 0, totalMs: 100 },
        { name: "handler", file: "src/a.js", line: 3, parent: 0, selfMs: 5, totalMs: 95 },
        { name: "hot", file: "src/a.js", line: 10, parent: 1, selfMs: 90, totalMs: 90 },
        { name: "(program)", parent: 0, selfMs: 5, totalMs: 5 },
      ],
      foldedNodes: 1,
    });
    assert.equal(callTree(new Map(), nodes, place), null);
  });

  test("keeps at most 200 nodes, callers before callees; equal siblings in a stable order", async () => {
    const { callTree, CALL_TREE_MAX_NODES } = await importPackage("profile");
    // A recursion 300 deep, all its time in the deepest call.
    const rows = [[0, "(root)", "", -1, [1]]];
    for (let i = 1; i <= 300; i++) rows.push([i, "walk", "index.js", 4, i < 300 ? [i + 1] : []]);
    const deep = callTree(new Map([[300, 7]]), profileNodes(rows), place);
    assert.equal(deep.nodes.length, CALL_TREE_MAX_NODES);
    assert.equal(deep.foldedNodes, 300 - (CALL_TREE_MAX_NODES - 1));
    deep.nodes.forEach((n, i) => assert.equal(n.parent, i === 0 ? undefined : i - 1));
    assert.deepEqual(deep.nodes.at(-1), { name: "walk", file: "src/a.js", line: 5, parent: CALL_TREE_MAX_NODES - 2, selfMs: 7, totalMs: 7 });
    // Siblings of equal time: by name and place, whatever the profile's order.
    const flat = (order) => callTree(new Map(order.map((id) => [id, 1])), profileNodes([[0, "(root)", "", -1, order], [1, "b", "index.js", 1, []], [2, "a", "index.js", 7, []], [3, "a", "index.js", 3, []]]), place);
    assert.deepEqual(flat([1, 2, 3]), flat([3, 2, 1]));
    assert.deepEqual(flat([1, 2, 3]).nodes.map((n) => `${n.name}:${n.line ?? ""}`), ["(root):", "a:4", "a:8", "b:2"]);
  });
});
