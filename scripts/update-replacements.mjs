// `node scripts/update-replacements.mjs [PATH]`: regenerates
// data/module-replacements.json, the snapshot of the e18e `module-replacements`
// dataset that the `heavy-dependency` rule embeds (include_str!).
//
// PATH is the installed package (default: node_modules/module-replacements at
// the repo root). Only what the rule needs is kept: for every module of the
// native and preferred manifests, which manifest lists it,
// the readable names of its replacements, and one documentation URL.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { root } from "./lib.mjs";

// Not "micro-utilities": one-line packages (is-number, …) cost a Worker
// almost nothing, and their 150 entries would push the wasm past its 500 KB
// gzip budget.
const MANIFESTS = ["native", "preferred"];

const pkgDir = resolve(process.argv[2] ?? join(root, "node_modules", "module-replacements"));
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

let pkg;
try {
  pkg = readJson(join(pkgDir, "package.json"));
} catch {
  console.error(`module-replacements not found at ${pkgDir}; run \`npm i -D module-replacements\` or pass its path`);
  process.exit(2);
}

/**
 * The package's `resolveDocUrl` prefixes (restated: its entry point is ESM-only
 * and may change shape). URLs are stored as `mdn:<id>` and expanded by the
 * reader with `urlPrefixes`, which keeps the snapshot small.
 */
const URL_PREFIXES = {
  mdn: "https://developer.mozilla.org/en-US/docs/",
  node: "https://nodejs.org/",
  e18e: "https://e18e.dev/docs/replacements/",
};
function docUrl(url) {
  if (!url) return undefined;
  if (typeof url === "string") return url;
  return URL_PREFIXES[url.type] ? `${url.type}:${url.id}` : undefined;
}

/** `spread_syntax` → `spread syntax`; API names (`String.prototype.padStart`) stay. */
const readable = (id) => (/^[a-z]+(_[a-z]+)+$/.test(id) ? id.replaceAll("_", " ") : id);

const modules = {};
for (const manifest of MANIFESTS) {
  const { mappings = {}, replacements = {} } = readJson(join(pkgDir, "manifests", `${manifest}.json`));
  for (const [name, mapping] of Object.entries(mappings)) {
    if (modules[name]) continue; // first manifest wins (native before preferred)
    const entry = { type: manifest, replacements: [] };
    let url = docUrl(mapping.url);
    for (const id of mapping.replacements ?? []) {
      const r = replacements[id];
      if (!r) {
        entry.replacements.push(readable(id));
        continue;
      }
      url ??= docUrl(r.url);
      switch (r.type) {
        case "documented":
          entry.replacements.push(r.replacementModule);
          break;
        case "native":
          entry.replacements.push(readable(r.id));
          break;
        case "simple":
          entry.description ??= r.description;
          if (r.example) entry.example ??= r.example;
          break;
        case "removal":
          entry.description ??= r.description;
          break;
      }
    }
    if (url) entry.url = url;
    modules[name] = entry;
  }
}

// One module per line: small, reviewable diffs when the dataset moves.
const names = Object.keys(modules).sort();
const lines = names.map((n, i) => `    ${JSON.stringify(n)}: ${JSON.stringify(modules[n])}${i < names.length - 1 ? "," : ""}`);
const text = [
  "{",
  `  "source": "module-replacements",`,
  `  "version": ${JSON.stringify(pkg.version)},`,
  `  "license": ${JSON.stringify(pkg.license ?? "MIT")},`,
  `  "manifests": ${JSON.stringify(MANIFESTS)},`,
  `  "urlPrefixes": ${JSON.stringify(URL_PREFIXES)},`,
  `  "modules": {`,
  ...lines,
  "  }",
  "}",
  "",
].join("\n");

mkdirSync(join(root, "data"), { recursive: true });
const out = join(root, "data", "module-replacements.json");
writeFileSync(out, text);
console.log(`wrote ${out}: ${names.length} modules from module-replacements ${pkg.version} (${text.length} bytes)`);
