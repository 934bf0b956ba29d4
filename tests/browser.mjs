// Headless Chromium for the tests of the --html report (Debian's chromium
// package, installed by .ci/run; driven by playwright-core), offline: any
// request but the file itself (or a data: URL) is recorded and aborted.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";
/** A describe's `skip`: why the browser tests cannot run here, or false. */
export const skipBrowser = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`;

/**
 * Opens `htmlPath` in a fresh browser profile (`profileDir`) and waits for
 * the page's script to finish (`body[data-ready=true]`). Returns the
 * context (close it), the page, the script errors and the requests that
 * tried to leave the file.
 */
export async function openOffline(htmlPath, profileDir) {
  const { chromium } = await import("playwright-core");
  // A fresh profile (--user-data-dir, which playwright takes as the first argument here).
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 900 },
    offline: true,
  });
  const badRequests = [];
  const errors = [];
  // Anything but the file itself (or data: URLs) is a failure, and is not let through.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    badRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith("file:") && !url.startsWith("data:")) badRequests.push(url);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pathToFileURL(htmlPath).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
  return { context, page, errors, badRequests };
}
