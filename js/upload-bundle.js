// The upload bundle wrangler writes with `--outfile` (multipart form data:
// the metadata part and one part per module), read back into Miniflare's
// module list. Used by the child processes that run the Worker in workerd
// (startup-probe.js, profile-runner.js).
import { readFileSync } from "node:fs";

/** Miniflare module types by the MIME type wrangler gives each part. */
const TYPES = {
  "application/javascript+module": "ESModule",
  "application/javascript": "CommonJS",
  "application/wasm": "CompiledWasm",
  "text/plain": "Text",
  "application/octet-stream": "Data",
};
const TEXT_TYPES = new Set(["ESModule", "CommonJS", "Text"]);

/** `{ metadata, modules }`: wrangler's metadata part and the modules, as Miniflare takes them (paths from `/`). */
export async function readUploadBundle(path) {
  const bytes = readFileSync(path);
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
  return { metadata, modules };
}
