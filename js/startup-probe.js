// Run as a child process by startup.js: loads the upload bundle wrangler
// wrote (`--outfile worker.bundle`, multipart form data) into workerd through
// the project's Miniflare, imports the Worker's main module the way `wrangler
// check startup` does, and prints what happened as one JSON line:
// `{ ok: true }` or `{ ok: false, name, message, stack }`. wrangler's own
// command swallows an exception thrown while the module initializes; this
// probe is how perf-optimizer sees it.
//   node startup-probe.js MINIFLARE_ENTRY WORKER_BUNDLE
import { pathToFileURL } from "node:url";
import { readUploadBundle } from "./upload-bundle.js";

const [miniflareEntry, bundlePath] = process.argv.slice(2);
const { Miniflare, convertV4MiniflareOptions } = await import(pathToFileURL(miniflareEntry).href);
const { metadata, modules } = await readUploadBundle(bundlePath);
const probe = `export default {
  async fetch() {
    try {
      await import(${JSON.stringify(`./${metadata.main_module}`)});
      return Response.json({ ok: true });
    } catch (error) {
      return Response.json({ ok: false, name: String(error?.name ?? "Error"), message: String(error?.message ?? error), stack: String(error?.stack ?? "") });
    }
  },
};`;
// Miniflare 3 and 4's options; Miniflare 5 (wrangler 4.15x) has another
// shape and converts these with its convertV4MiniflareOptions.
const options = {
  compatibilityDate: metadata.compatibility_date,
  compatibilityFlags: metadata.compatibility_flags,
  modulesRoot: "/",
  modules: [{ type: "ESModule", path: `/perf-optimizer-probe-${process.pid}.mjs`, contents: probe }, ...modules],
};
const mf = new Miniflare(typeof convertV4MiniflareOptions === "function" ? convertV4MiniflareOptions(options) : options);
try {
  const response = await mf.dispatchFetch("https://startup.invalid/");
  const text = await response.text();
  try {
    process.stdout.write(`${JSON.stringify(JSON.parse(text))}\n`);
  } catch {
    process.stdout.write(`${JSON.stringify({ ok: false, name: "Error", message: text.split("\n")[0].slice(0, 400), stack: "" })}\n`);
  }
} finally {
  await mf.dispose();
}
