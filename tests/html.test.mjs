// The --html report in real headless Chromium (Debian's chromium package,
// installed by .ci/run; driven by playwright-core): it renders offline, shows
// the largest package, zooms into a package's modules, searches, and draws the
// history trend. A screenshot from the run is kept in tests/.tmp (and copied
// to docs/html-report.png with PERF_UPDATE_SCREENSHOT=1).
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openOffline, skipBrowser } from "./browser.mjs";
import { cli, importPackage } from "./helpers.mjs";

const skip = skipBrowser;
if (skip) console.log(`# skipping the HTML report browser tests: ${skip}`);

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

describe("--html report", { skip }, () => {
  let dir, htmlPath, report, context, page, badRequests;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "perf-html-"));
    htmlPath = join(dir, "report.html");
    const history = join(dir, "history.jsonl");
    // Two earlier runs; this run appends the third line.
    writeFileSync(
      history,
      [
        { time: "2026-01-05T10:00:00.000Z", commit: "a".repeat(40), bytes: 400_000, gzipBytes: 90_000, brotliBytes: 80_000 },
        { time: "2026-02-05T10:00:00.000Z", commit: "b".repeat(40), bytes: 600_000, gzipBytes: 130_000, brotliBytes: 110_000 },
      ]
        .map((e) => JSON.stringify(e) + "\n")
        .join(""),
    );
    const r = cli(["check", "--format", "json", "--html", htmlPath, "--history", history]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    report = JSON.parse(r.stdout);

    let errors;
    ({ context, page, errors, badRequests } = await openOffline(htmlPath, join(dir, "profile")));
    assert.deepEqual(errors, [], "no script errors");
  });

  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the file is self-contained", () => {
    const html = readFileSync(htmlPath, "utf8");
    assert.doesNotMatch(html, /<script[^>]+src=/i, "no external scripts");
    assert.doesNotMatch(html, /<link[^>]+href=/i, "no external styles");
    assert.match(html, /d3-hierarchy/, "d3-hierarchy is inlined");
    assert.ok(report.bundle.modules?.length > 0, "the report has per-module bytes");
  });

  test("renders the treemap with the largest package, the sizes and the findings", async () => {
    assert.equal(report.bundle.packages[0].name, "lodash", "lodash is the example's largest package");
    const first = page.locator('#treemap .cell[data-depth="1"]').first();
    assert.equal(await first.getAttribute("data-name"), "lodash");
    const label = page.locator('#treemap .cell[data-depth="1"][data-name="lodash"] > .label');
    assert.ok(await label.isVisible(), "the lodash label is shown");
    assert.equal(await label.textContent(), "lodash");
    assert.match(await page.locator("#sizes").textContent(), /index\.js.*KiB.*KiB/s);
    const findings = await page.locator("#findings-list li").count();
    assert.equal(findings, report.diagnostics.length);
    const deepClone = page.locator('#findings-list li[data-rule="json-deep-clone"]').first();
    assert.match(await deepClone.locator(".loc").textContent(), /^src\/routes\/orders\.ts:\d+:\d+$/);
    assert.ok((await deepClone.locator(".help").textContent()).length > 0, "the help is shown");
    mkdirSync(join(repoRoot, "tests", ".tmp"), { recursive: true });
    const shot = join(repoRoot, "tests", ".tmp", "html-report.png");
    await page.screenshot({ path: shot });
    if (process.env.PERF_UPDATE_SCREENSHOT) copyFileSync(shot, join(repoRoot, "docs", "html-report.png"));
  });

  test("a click on a package zooms into its modules; the breadcrumb zooms out", async () => {
    await page.locator('#treemap .cell[data-depth="1"][data-name="lodash"]').click();
    const crumbs = page.locator("#crumbs button");
    assert.deepEqual(await crumbs.allTextContents(), ["bundle", "lodash", "← back"]);
    const modules = page.locator('#treemap .cell[data-kind="module"]');
    assert.ok((await modules.count()) > 0, "module cells are shown");
    const names = await modules.evaluateAll((cells) => cells.map((c) => c.dataset.name));
    assert.ok(names.some((n) => /\.js$/.test(n)), `a module of lodash: ${names.join(", ")}`);
    assert.equal(await page.locator('#treemap .cell[data-name="moment"]').count(), 0, "other packages are out of view");
    await page.locator("#crumbs button", { hasText: "bundle" }).click();
    assert.equal(await page.locator('#treemap .cell[data-depth="1"][data-name="moment"]').count(), 1, "zoomed out again");
  });

  test("search filters the treemap and the findings", async () => {
    await page.fill("#search", "moment");
    const top = await page.locator('#treemap .cell[data-depth="1"]').evaluateAll((cells) => cells.map((c) => c.dataset.name));
    assert.deepEqual(top, ["moment"]);
    const shown = await page.locator("#findings-list li[data-rule]").allTextContents();
    assert.ok(shown.length > 0 && shown.length < report.diagnostics.length, `${shown.length} findings about moment`);
    for (const text of shown) assert.match(text.toLowerCase(), /moment/);
    await page.fill("#search", "");
    assert.ok((await page.locator('#treemap .cell[data-depth="1"]').count()) > 3);
    assert.equal(await page.locator("#findings-list li[data-rule]").count(), report.diagnostics.length);
  });

  test("the history is drawn as a trend of raw and gzip sizes", async () => {
    assert.match(await page.locator("#trend h2").textContent(), /3 runs/);
    const raw = await page.locator("#trend polyline.series-raw").getAttribute("points");
    const gzip = await page.locator("#trend polyline.series-gzip").getAttribute("points");
    assert.equal(raw.split(" ").length, 3);
    assert.equal(gzip.split(" ").length, 3);
  });

  test("no request left the file", () => {
    assert.deepEqual(badRequests, []);
  });
});

describe("renderHtml (API)", () => {
  test("embeds the report safely and skips bad history lines", async () => {
    const { renderHtml, parseHistory } = await importPackage();
    assert.deepEqual(parseHistory('{"bytes":1}\nnot json\n\n[1]\n{"bytes":2}\n'), [{ bytes: 1 }, { bytes: 2 }]);
    const report = {
      version: 1,
      tool: { name: "perf-optimizer", version: "0" },
      diagnostics: [{ rule: "x", severity: "info", category: "bundle", message: "</script><script>alert(1)</script>", help: "", docs: "" }],
      budgets: [],
      summary: { errors: 0, warnings: 0, infos: 1, files: 0 },
    };
    const html = renderHtml(report, { history: [{ bytes: 1 }], title: "<b>t</b>" });
    assert.equal(html.match(/<\/script>/g).length, 3, "the data cannot close its script element");
    assert.match(html, /<title>&#60;b&#62;t&#60;\/b&#62;<\/title>/);
  });
});

describe("--html report of a profile", { skip }, () => {
  // User text in every field the profile view shows: route names (the
  // scenario's), function names, file paths, package names, error messages,
  // SQL, notes. None of it may become markup.
  const evil = (what) => `<img src=x onerror="globalThis.__pwned='${what}'"><b>${what}</b>`;
  const tree = {
    nodes: [
      { name: "(root)", selfMs: 0, totalMs: 10 },
      { name: evil("fn"), file: `src/${evil("file")}.ts`, line: 3, parent: 0, selfMs: 1, totalMs: 8 },
      { name: "leaf", package: evil("pkg"), parent: 1, selfMs: 7, totalMs: 7 },
      { name: "(garbage collector)", parent: 0, selfMs: 2, totalMs: 2 },
    ],
    foldedNodes: 3,
  };
  const report = {
    version: 1,
    tool: { name: "perf-optimizer", version: "0" },
    diagnostics: [],
    budgets: [],
    summary: { errors: 0, warnings: 0, infos: 0, files: 1 },
    profile: {
      plan: "free", requests: 4, completed: 4, concurrency: 1, scenario: "config", cutOff: false, cpuLimitMs: 10,
      routes: [
        { route: evil("route"), requests: 3, status: { 200: 3 }, wallMs: { p50: 9, p95: 12, max: 14 }, cpuMs: { p50: 8, p95: 10.5, max: 11 }, cpuSampledRequests: 3, subrequests: { p50: 0, max: 0 }, peakConnections: 0,
          topFunctions: [{ name: evil("top"), file: `src/${evil("file")}.ts`, line: 3, selfMs: 1, share: 0.1 }], callTree: tree },
        { route: "GET /boom", requests: 1, status: {}, errors: [{ kind: "threw", message: evil("error"), count: 1, file: "src/a.ts", line: 2 }], peakConnections: 0 },
      ],
      heap: { startMb: 1, endMb: 1.5, growthMbPer1k: 125, limitMb: 128 },
      queries: [{ sql: `SELECT '${evil("sql")}' FROM t`, count: 2, plan: "SCAN t", fullScan: true, table: "t", file: "src/a.ts", line: 9 }],
      outbound: { requests: 0, peakOpen: 0, stubbed: true },
      notes: [evil("note")],
    },
  };
  let dir, context, page, errors;
  before(async () => {
    const { renderHtml } = await importPackage();
    dir = mkdtempSync(join(tmpdir(), "perf-html-profile-"));
    writeFileSync(join(dir, "report.html"), renderHtml(report));
    ({ context, page, errors } = await openOffline(join(dir, "report.html"), join(dir, "browser")));
  });
  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every name is text, never markup", async () => {
    assert.deepEqual(errors, []);
    assert.equal(await page.evaluate(() => globalThis.__pwned), undefined);
    assert.equal(await page.locator("#profile img, #profile b").count(), 0);
    const text = await page.locator("#profile").textContent();
    for (const what of ["route", "top", "file", "error", "sql", "note", "fn"]) assert.ok(text.includes(evil(what)), `${what} shown as text`);
    assert.equal(await page.locator("#profile article.route").first().getAttribute("data-route"), evil("route"));
    const frames = page.locator("#profile .flame .frame");
    assert.deepEqual(await frames.evaluateAll((fs) => fs.map((f) => f.textContent)), [`all of ${evil("route")} — 10.0 ms`, evil("fn"), "leaf", "(garbage collector)"]);
    assert.match(await frames.nth(2).getAttribute("title"), /^leaf\n<img src=x .*<\/b>\n7\.0 ms total \(70\.0% of the route\), 7\.0 ms self$/s);
  });

  test("the route's figures: CPU over the limit marked, the errors with where they were thrown, the full scan", async () => {
    const first = page.locator("#profile article.route").first();
    assert.equal(await first.locator(".fig.over dt").textContent(), "CPU ms p50 / p95 / max");
    assert.equal(await page.locator("#profile table.routes td.over").textContent(), "8.0 / 10.5 / 11.0");
    const boom = page.locator('#profile article.route[data-route="GET /boom"]');
    assert.equal(await boom.locator(".errors .loc").textContent(), "src/a.ts:2");
    assert.equal(await boom.locator(".flame").count(), 0, "no samples, no flame graph");
    assert.equal(await page.locator('#profile table.queries tr[data-full-scan="true"] .loc').textContent(), "src/a.ts:9");
    assert.match(await page.locator("#profile .heap").textContent(), /^Heap after a forced GC: 1\.00 MB at the start, 1\.50 MB at the end \(\+125\.00 MB per 1,000 requests; limit 128 MB\)\.$/);
  });

  test("the flame graph zooms on a click and dims what the search does not match", async () => {
    const flame = page.locator("#profile .flame").first();
    const width = (await flame.boundingBox()).width;
    const fn = flame.locator(".frame[data-depth='1']").first();
    assert.ok(Math.abs((await fn.boundingBox()).width - 0.8 * width) < 3, "80% of the route");
    await fn.click();
    assert.ok((await flame.locator(".frame[data-name='leaf']").boundingBox()).width > 0.85 * width, "leaf: 7 of the 8 ms in view");
    assert.equal(await flame.locator(".frame.ancestor").count(), 1);
    assert.equal(await flame.locator(".frame[data-name='(garbage collector)']").count(), 0, "out of view");
    await flame.locator(".frame.root").click();
    assert.equal(await flame.locator(".frame[data-name='(garbage collector)']").count(), 1);
    await page.fill("#search", "garbage");
    assert.deepEqual(await flame.locator(".frame:not(.dim)").evaluateAll((fs) => fs.map((f) => f.dataset.name)), ["(garbage collector)"]);
    await page.fill("#search", "");
    assert.equal(await flame.locator(".frame.dim").count(), 0);
  });
});
