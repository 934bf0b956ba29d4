// Run as a child process by startup.js: loads the upload bundle wrangler
// wrote (`--outfile worker.bundle`, multipart form data) into workerd through
// the project's Miniflare, imports the Worker's main module the way `wrangler
// check startup` does, and prints what happened as one JSON line:
// `{ ok: true }` or `{ ok: false, name, message, stack }`. wrangler's own
// command swallows an exception thrown while the module initializes; this
// probe is how perf-optimizer sees it.
//   node startup-probe.js MINIFLARE_ENTRY WORKER_BUNDLE
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Miniflare module types by the MIME type wrangler gives each part. */
const TYPES = {
  "application/javascript+module": "ESModule",
  "application/javascript": "CommonJS",
  "application/wasm": "CompiledWasm",
  "text/plain": "Text",
  "application/octet-stream": "Data",
};
const TEXT_TYPES = new Set(["ESModule", "CommonJS", "Text"]);

const [miniflareEntry, bundlePath] = process.argv.slice(2);
const { Miniflare, convertV4MiniflareOptions } = await import(pathToFileURL(miniflareEntry).href);
const bytes = readFileSync(bundlePath);
const firstLine = bytes.toString("latin1", 0, Math.min(bytes.length, 200)).split(/\r?\n/)[0];
const form = await new Response(bytes, { headers: { "content-type": `multipart/form-data; boundary=${firstLine.slice(2)}` } }).formData();
const metadata = JSON.parse(form.get("metadata"));
const modules = [];
for (const [name, value] of form) {
  if (name === "metadata" || typeof value === "string") continue;
  const type = TYPES[String(value.type).split(";")[0]];
  if (!type) continue;
  const content = new Uint8Array(await value.arrayBuffer());
  modules.push({ type, path: `/${name}`, contents: TEXT_TYPES.has(type) ? new TextDecoder().decode(content) : content });
}
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
