// The --html report in real headless Chromium (Debian's chromium package,
// installed by .ci/run; driven by playwright-core): it renders offline, shows
// the largest package, zooms into a package's modules, searches, and draws the
// history trend. A screenshot from the run is kept in tests/.tmp (and copied
// to docs/html-report.png with PERF_UPDATE_SCREENSHOT=1).
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cli, importPackage } from "./helpers.mjs";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`;
if (skip) console.log(`# skipping the HTML report browser tests: ${skip}`);

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

describe("--html report", { skip }, () => {
  let dir, htmlPath, report, context, page;
  const badRequests = [];

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

    const { chromium } = await import("playwright-core");
    // A fresh profile (--user-data-dir, which playwright takes as the first argument here).
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1400, height: 900 },
      offline: true,
    });
    // Anything but the file itself (or data: URLs) is a failure, and is not let through.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      badRequests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on("request", (req) => {
      const url = req.url();
      if (!url.startsWith("file:") && !url.startsWith("data:")) badRequests.push(url);
    });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
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
