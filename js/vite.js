// The Vite plugin, for Workers built with @cloudflare/vite-plugin. After each
// Worker environment's build (Vite 6+ Environment API) it turns that
// environment's output into the description an esbuild metafile gives
// (outputs → inputs with their bytes in the output, inputs → imports) and
// analyzes it with the same code as the esbuild plugin: composition,
// packages and first-party files, duplicates, alternatives, budgets and the
// source rules. The client environment's files are static assets: they are
// summarized on their own and never counted against the Worker's limits.
// Findings are Vite warnings; a finding of error severity or a budget
// exceeded fails `vite build` with an error, like the esbuild plugin.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeBuild } from "./analyze.js";
import { bytesPerSource } from "./attribution.js";
import { loadConfig } from "./config.js";
import { isInside, lazyRequire, MAX_BUNDLE_BYTES, readUserFile } from "./files.js";
import { render } from "./index.js";
import { loadProject } from "./project.js";
import { budgetText, failedBudgets, useColor } from "./outcome.js";

const NAME = "perf-optimizer";

/**
 * The name @cloudflare/vite-plugin gives its main plugin, and the file its
 * `output-config` plugin emits, in generateBundle, into the output of every
 * Worker environment (never of a child environment): the deploy config of
 * that Worker, whose `main` is the entry chunk's file name. The client
 * environment gets one only for an assets-only project, without `main`.
 */
const CLOUDFLARE_PLUGIN = "vite-plugin-cloudflare";
const WORKER_OUTPUT_CONFIG = "wrangler.json";

const toPosix = (p) => p.split(sep).join("/");

/**
 * A module id as a metafile input path: a file relative to `root` (its
 * query, `?commonjs-proxy` and the like, dropped: the bytes are the file's);
 * a virtual module (`\0…`, `virtual:…`) keeps a namespace, so that it counts
 * as generated code, as esbuild's `<runtime>` and wrangler's `wrangler:…` do.
 */
export function inputPath(id, root) {
  const virtual = id.startsWith("\0");
  const bare = virtual ? id.slice(1) : id;
  const file = bare.replace(/[?#].*$/, "");
  if (isAbsolute(file) && (!virtual || existsSync(file))) return toPosix(relative(root, file)) || file;
  if (/^[\w-]{2,}:/.test(bare)) return bare;
  return `vite:${bare}`;
}

/**
 * The specifiers as written in module `code` (after Vite's transforms, so
 * TypeScript is JavaScript): `from "x"`, `import "x"`, `import("x")`,
 * `require("x")`. The core finds an import's line by the specifier.
 */
export function specifiersIn(code) {
  const found = new Set();
  for (const m of code.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"])([^'"\n]+)\1/g)) found.add(m[2]);
  return [...found];
}

/**
 * "cjs" when Rolldown (`inputFormat`) or Rollup's CommonJS plugin
 * (`meta.commonjs.isCommonJS`: true, or "withRequireFunction" for a module
 * that is required) says the module is CommonJS.
 */
function formatOf(info) {
  if (!info) return undefined;
  const rollup = info.meta?.commonjs?.isCommonJS;
  if (info.inputFormat === "cjs" || rollup === true || rollup === "withRequireFunction") return "cjs";
  if (info.inputFormat === "es" || rollup === false) return "esm";
  return undefined;
}

/**
 * The names a bundler's marker comments give module `id`: its path from
 * Vite's root (or the cwd), `\0…` for a virtual module as Rolldown prints it.
 */
const markerNames = (id, root) => (id.startsWith("\0") ? [`\\0${id.slice(1)}`, id] : [toPosix(relative(root, id)), toPosix(relative(process.cwd(), id)), id]);

/**
 * A module's code as rendered, without the marker comments Rolldown writes
 * with it: `//#region <id>` … `//#endregion` around it (Rolldown 1.0), or a
 * `// <id>` line before it (Rolldown 1.3, as esbuild does). Bundler
 * annotations, which count as glue, like the `// <path>` lines of esbuild.
 * The `// <id>` line is dropped only when it names this module (`id`, `root`).
 */
export function moduleText(code, id, root = process.cwd()) {
  if (typeof code !== "string") return code;
  const text = code.replace(/^\/\/#region [^\n]*\n/, "").replace(/(^|\n)\/\/#endregion\n?$/, "$1");
  if (id === undefined || !text.startsWith("// ")) return text;
  const end = text.indexOf("\n");
  const line = end < 0 ? text.slice(3) : text.slice(3, end);
  return markerNames(id, root).includes(line) ? (end < 0 ? "" : text.slice(end + 1)) : text;
}

/** A module's bytes as rendered: its code in UTF-8 without the markers (`renderedLength` counts UTF-16 units). */
const renderedBytes = (id, m, root) => (typeof m.code === "string" ? Buffer.byteLength(moduleText(m.code, id, root)) : Number(m.renderedLength) || 0);

/** The same key for a chunk in renderChunk (whose file name may hold hash placeholders) and in writeBundle. */
export const chunkKey = (chunk) => Object.keys(chunk.modules ?? {}).join("\n");

/** Rollup's and Rolldown's hash placeholders (`!~{001}~`), as long as the hashes that replace them. */
const PLACEHOLDER = /!~\{[\w$]+\}~/g;

/** Runs of blank lines (kept: one line break). */
const BLANK_LINES = /\n(?:[ \t]*\n)+/g;

/** The source map comment the bundler appends after renderChunk (with `build.sourcemap`). */
const MAP_COMMENT = /(^|\n)\/\/# sourceMappingURL=[^\n]*\n?$/;

/** Whether `final` is `rendered` with its hash placeholders filled in (and a source map comment appended). */
export function sameCode(rendered, final) {
  if (!MAP_COMMENT.test(rendered)) final = final.replace(MAP_COMMENT, "$1");
  if (rendered.length !== final.length) return false;
  let at = 0;
  for (const m of rendered.matchAll(PLACEHOLDER)) {
    if (rendered.slice(at, m.index) !== final.slice(at, m.index)) return false;
    at = m.index + m[0].length;
  }
  return rendered.slice(at) === final.slice(at);
}

/**
 * Where each module's rendered code sits in the rendered chunk, in the
 * chunk's order: `[{ id, start, end }]` (string offsets), or null when one
 * is not found as it is.
 */
export function moduleRanges(code, modules) {
  const ranges = [];
  let from = 0;
  for (const [id, text] of modules) {
    if (!text) continue;
    let at = code.indexOf(text, from);
    if (at < 0) at = code.indexOf(text);
    if (at < 0) return null;
    ranges.push({ id, start: at, end: at + text.length });
    from = at + text.length;
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/**
 * Bytes per module of `final`, which a transform made from `rendered` with
 * the source map `map` (final positions → rendered positions): each mapped
 * segment belongs to the module whose range holds its rendered position
 * (glue between modules belongs to none); measured by bytesPerSource, as
 * pre-bundled inputs are.
 */
export function bytesThroughMap(final, map, rendered, ranges) {
  const { decode, encode } = lazyRequire("@jridgewell/sourcemap-codec");
  const lineStarts = [0];
  for (let i = rendered.indexOf("\n"); i >= 0; i = rendered.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const moduleAt = (offset) => {
    let lo = 0;
    let hi = ranges.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid].start <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && offset < ranges[found].end ? found : -1;
  };
  const lines = decode(map.mappings).map((segs) =>
    segs.map((s) => {
      const index = s.length >= 4 ? moduleAt((lineStarts[s[2]] ?? Infinity) + s[3]) : -1;
      return index < 0 ? [s[0]] : [s[0], index, 0, 0];
    }),
  );
  const { bytes } = bytesPerSource(final, { mappings: encode(lines) });
  return new Map([...bytes].map(([index, n]) => [ranges[index].id, n]));
}

/**
 * Vite's own esbuild pass over a chunk (Vite 6 and 7 transpile each
 * rendered chunk to the build target, and minify with it, in renderChunk;
 * vite:esbuild-transpile), with the options it gives esbuild, plus a source
 * map: `{ code, map }`, or null when Vite has no such pass.
 */
async function viteEsbuildPass(vite, config, code, fileName) {
  // Vite on Rolldown (8, rolldown-vite) has no such pass: Rolldown lowers and minifies.
  if (vite?.rolldownVersion || typeof vite?.transformWithEsbuild !== "function" || config.esbuild === false) return null;
  const target = config.build?.target;
  const minify = config.build?.minify === "esbuild";
  if ((!target || target === "esnext") && !minify) return null;
  const esbuildOptions = config.esbuild || {};
  const options = {
    ...esbuildOptions,
    loader: "js",
    target: target || undefined,
    format: "esm",
    supported: { "dynamic-import": true, "import-meta": true, ...esbuildOptions.supported },
    ...(minify
      ? esbuildOptions.minifyIdentifiers != null || esbuildOptions.minifySyntax != null || esbuildOptions.minifyWhitespace != null
        ? {
            minify: false,
            minifyIdentifiers: esbuildOptions.minifyIdentifiers ?? true,
            minifySyntax: esbuildOptions.minifySyntax ?? true,
            minifyWhitespace: esbuildOptions.minifyWhitespace ?? true,
            treeShaking: true,
          }
        : { minify: true, treeShaking: true }
      : { minify: false, minifyIdentifiers: false, minifySyntax: false, minifyWhitespace: false, treeShaking: false }),
  };
  try {
    return await vite.transformWithEsbuild(code, fileName, options, undefined, config);
  } catch {
    return null;
  }
}

/**
 * Each module's bytes in the chunk as written, and how they were measured:
 *   - "rendered": the chunk holds the modules' code as the bundler
 *     rendered it, or Rolldown marks each module's part of the chunk (see
 *     regionBytes), or nearly (see locatedBytes);
 *   - "esbuild": Vite's esbuild pass changed the chunk after rendering
 *     (Vite 6/7 with Rollup: down-levelling drops comments, or minify):
 *     the pass is run again with a source map; when it gives exactly the
 *     chunk as written, its map places every byte in its module;
 *   - "scaled": another change after rendering (a minifier): see
 *     locatedBytes (an estimate; the report says so).
 */
export async function chunkModuleBytes(chunk, rendered, { vite, config, root = process.cwd() } = {}) {
  const modules = Object.entries(chunk.modules ?? {});
  const asRendered = new Map(modules.map(([id, m]) => [id, renderedBytes(id, m, root)]));
  const code = chunk.code ?? "";
  if (!rendered || sameCode(rendered.code, code)) return { bytes: asRendered, how: "rendered" };
  const regions = regionBytes(code, modules, root);
  if (regions) return { bytes: regions, how: "rendered" };
  const pass = await viteEsbuildPass(vite, config, rendered.code, chunk.fileName);
  const ranges = pass?.map && sameCode(pass.code, code) ? moduleRanges(rendered.code, rendered.modules) : null;
  if (ranges) {
    try {
      const bytes = bytesThroughMap(code, typeof pass.map === "string" ? JSON.parse(pass.map) : pass.map, rendered.code, ranges);
      return { bytes: new Map(modules.map(([id]) => [id, bytes.get(id) ?? 0])), how: "esbuild" };
    } catch {
      // an unreadable map: measured as below
    }
  }
  return locatedBytes(code, rendered.modules, asRendered);
}

/**
 * Each module's bytes in `code`, the chunk as written, from the marker
 * comments Rolldown writes with every module (unless it minifies): the
 * `//#region <module>` … `//#endregion` lines around it (Rolldown 1.0), or
 * the `// <module>` line before it (Rolldown 1.3: its part runs to the next
 * module's line, or to the chunk's end without the source map comment).
 * Rolldown's own account of which bytes are whose, after everything it did
 * past renderChunk (its runtime helpers formatted, blank lines dropped,
 * names deconflicted). Null when a module with code has no marker (no such
 * lines, or another bundler).
 */
export function regionBytes(code, modules, root) {
  const known = new Set(modules.flatMap(([id]) => markerNames(id, root)));
  const found = new Map();
  for (const { path, text } of markedModules(code, (name) => known.has(name))) found.set(path, (found.get(path) ?? 0) + Buffer.byteLength(text));
  if (found.size === 0) return null;
  const bytes = new Map();
  for (const [id, m] of modules) {
    const name = markerNames(id, root).find((n) => found.has(n));
    if (name === undefined && renderedBytes(id, m, root) > 0) return null;
    bytes.set(id, name === undefined ? 0 : found.get(name));
  }
  return bytes;
}

/**
 * The modules' parts of a bundle's code, as the bundler marked them: `[{
 * path, text }]` between `//#region <path>` and `//#endregion` lines
 * (Rolldown 1.0), else from a `// <path>` line to the next module's line or
 * the end without the source map comment (Rolldown 1.3, and esbuild when it
 * does not minify); `isModule(path)` tells which `// …` lines name a module.
 */
export function markedModules(code, isModule) {
  const regions = [...code.matchAll(/^\/\/#region ([^\n]*)\n([^]*?)^\/\/#endregion$/gm)].map((m) => ({ path: m[1], text: m[2] }));
  if (regions.length) return regions;
  const body = code.replace(MAP_COMMENT, "$1");
  const lines = [...body.matchAll(/^\/\/ ([^\n]+)$/gm)].filter((m) => isModule(m[1]));
  return lines.map((m, i) => ({ path: m[1], text: body.slice(Math.min(m.index + m[0].length + 1, body.length), lines[i + 1]?.index ?? body.length) }));
}

/**
 * Each module's bytes in `code`, the chunk as written, when the bundler
 * touched it after renderChunk (Rolldown formats its runtime helpers, drops
 * blank lines and renames an export or two): a module whose rendered code is
 * in the chunk as it is (or without its blank lines, when the chunk has none
 * there) counts those bytes; the others their rendered bytes, scaled down to
 * what the chunk has left when they do not fit ("scaled" when they are more
 * than 1% of the chunk: a minifier ran, and the sizes are an estimate).
 */
export function locatedBytes(code, renderedModules, asRendered) {
  const withoutBlankLines = (text) => text.replace(BLANK_LINES, "\n");
  let compactCode = null;
  const bytes = new Map();
  const unfound = [];
  for (const [id, text] of renderedModules) {
    if (!text) {
      bytes.set(id, 0);
    } else if (code.includes(text)) {
      bytes.set(id, Buffer.byteLength(text));
    } else {
      const compact = withoutBlankLines(text);
      compactCode ??= withoutBlankLines(code);
      if (compactCode.includes(compact)) bytes.set(id, Buffer.byteLength(compact));
      else unfound.push(id);
    }
  }
  const size = Buffer.byteLength(code);
  const left = size - [...bytes.values()].reduce((sum, n) => sum + n, 0);
  // Without their blank lines when the chunk has dropped them.
  const texts = new Map(renderedModules);
  const estimate = (id) => (compactCode !== null && texts.get(id) ? Buffer.byteLength(withoutBlankLines(texts.get(id))) : asRendered.get(id) ?? 0);
  const wanted = unfound.reduce((sum, id) => sum + estimate(id), 0);
  const factor = wanted > left ? Math.max(0, left) / wanted : 1;
  for (const id of unfound) bytes.set(id, Math.floor(estimate(id) * factor));
  for (const id of asRendered.keys()) if (!bytes.has(id)) bytes.set(id, asRendered.get(id));
  // A few renamed lines in small modules are no estimate worth a note; a minified chunk is.
  return { bytes, how: factor < 1 && wanted > size / 100 ? "scaled" : "rendered" };
}

/**
 * The metafile of one environment's output `bundle` (written to `outDir`),
 * paths relative to `root`: every chunk an output with its modules' bytes
 * (`moduleBytes`: file name → module id → bytes, see chunkModuleBytes),
 * every module of the graph an input with its imports (`moduleInfo`: the
 * plugin context's getModuleInfo; `specifiers`: importer id → resolved id →
 * specifier as written).
 */
export function metafileOf(bundle, { root, outDir, moduleIds, moduleInfo, moduleBytes, specifiers = new Map() }) {
  const inputs = {};
  const outputs = {};
  const outputPath = (fileName) => toPosix(relative(root, join(outDir, fileName)));
  const addInput = (id) => {
    const path = inputPath(id, root);
    if (inputs[path]) return path;
    const info = moduleInfo(id);
    const input = { bytes: 0, imports: [] };
    inputs[path] = input;
    if (info?.isExternal) return path;
    input.bytes = fileBytes(id, info);
    const format = formatOf(info);
    if (format) input.format = format;
    const written = specifiers.get(id);
    for (const [ids, kind] of [
      [info?.importedIds ?? [], "import-statement"],
      [info?.dynamicallyImportedIds ?? [], "dynamic-import"],
    ]) {
      for (const target of ids) {
        const external = Boolean(moduleInfo(target)?.isExternal) || !moduleInfo(target);
        const to = external ? target : inputPath(target, root);
        const original = written?.get(target);
        input.imports.push({ path: to, kind, ...(external ? { external: true } : {}), ...(original && original !== to ? { original } : {}) });
      }
    }
    return path;
  };
  for (const id of moduleIds) addInput(id);
  for (const chunk of Object.values(bundle)) {
    if (chunk.type !== "chunk") continue;
    const bytes = moduleBytes.get(chunk.fileName) ?? new Map();
    const chunkInputs = {};
    for (const id of Object.keys(chunk.modules ?? {})) {
      const path = addInput(id);
      chunkInputs[path] = { bytesInOutput: (chunkInputs[path]?.bytesInOutput ?? 0) + (bytes.get(id) ?? 0) };
    }
    outputs[outputPath(chunk.fileName)] = {
      bytes: Buffer.byteLength(chunk.code ?? ""),
      inputs: chunkInputs,
      imports: [
        ...(chunk.imports ?? []).map((f) => ({ path: outputPath(f), kind: "import-statement" })),
        ...(chunk.dynamicImports ?? []).map((f) => ({ path: outputPath(f), kind: "dynamic-import" })),
      ],
      exports: chunk.exports ?? [],
      ...(chunk.isEntry && chunk.facadeModuleId ? { entryPoint: inputPath(chunk.facadeModuleId, root) } : {}),
    };
  }
  return { inputs, outputs };
}

/** The input's size: the file on disk, or the module's code for a virtual one. */
function fileBytes(id, info) {
  const file = id.startsWith("\0") ? null : id.replace(/[?#].*$/, "");
  try {
    if (file && isAbsolute(file)) return statSync(file).size;
  } catch {
    // a module that is no file: its code
  }
  return typeof info?.code === "string" ? Buffer.byteLength(info.code) : 0;
}

/** The deploy config @cloudflare/vite-plugin emitted into this output, when it names an entry chunk of it. */
export function workerOutputConfig(bundle) {
  const asset = bundle[WORKER_OUTPUT_CONFIG];
  if (asset?.type !== "asset") return null;
  let config;
  try {
    config = JSON.parse(typeof asset.source === "string" ? asset.source : Buffer.from(asset.source).toString("utf8"));
  } catch {
    return null;
  }
  const main = typeof config?.main === "string" ? bundle[config.main] : undefined;
  return main?.type === "chunk" ? config : null;
}

/** Every file of an output and its bytes (chunks and assets). */
function outputFiles(bundle) {
  return Object.values(bundle).map((file) => ({
    fileName: file.fileName,
    bytes: file.type === "chunk" ? Buffer.byteLength(file.code ?? "") : typeof file.source === "string" ? Buffer.byteLength(file.source) : file.source?.length ?? 0,
  }));
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** One line about the client's files: static assets, not part of the Worker. */
export function clientSummary(name, files) {
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  return `${name} environment: ${files.length} ${files.length === 1 ? "file" : "files"}, ${kib(bytes)}: static assets, not counted against the Worker's size limit`;
}

/** A finding as one warning line: `file:line:column: message [rule]`, then help and docs. */
function findingText(d) {
  const at = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ""}: ` : "";
  return [`${at}${d.message} [${d.rule}]`, ...[d.help, d.docs].filter(Boolean).map((t) => `  ${t}`)].join("\n");
}

/**
 * What fails the build (findings of error severity, budgets not met) and
 * what is a warning (warning findings); info findings are neither: they are
 * in the report (`onReport`) and the size summary.
 */
export function toViteMessages(report) {
  const errors = [];
  const warnings = [];
  for (const d of report.diagnostics) {
    if (d.severity === "error") errors.push(findingText(d));
    else if (d.severity === "warning") warnings.push(findingText(d));
  }
  for (const b of failedBudgets(report)) errors.push(budgetText(b));
  return { errors, warnings };
}

/** The project of the Worker: its wrangler config (where @cloudflare/vite-plugin read it), else none. */
export function workerProject(outputConfig, root) {
  const configPath = typeof outputConfig?.configPath === "string" ? outputConfig.configPath : null;
  try {
    return loadProject(configPath ? dirname(resolve(root, configPath)) : root);
  } catch {
    return null;
  }
}

/** The project's vite module (the one running the build), or null. */
async function projectVite(root) {
  try {
    return await import(pathToFileURL(createRequire(join(root, "package.json")).resolve("vite")).href);
  } catch {
    return null;
  }
}

/**
 * Set by `perf-optimizer check` in the `vite build` it runs: the plugin in
 * the project's Vite config steps aside (check analyzes that build itself,
 * with its own options, and a budget it finds exceeded is exit 1, not a
 * failed build).
 */
export const CHECK_ENV = "PERF_OPTIMIZER_VITE_CHECK";

/**
 * Where the description of a Worker environment's last build is kept (see
 * writeBuildRecord), under Vite's `root`: node_modules/.cache, with Vite's
 * own caches.
 */
export const recordDir = (root) => join(root, "node_modules", ".cache", "perf-optimizer", "vite");

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/**
 * Saves what perf-optimizer knows of a Worker environment's build that the
 * files on disk do not say (the module graph, each module's bytes in each
 * chunk: the metafile), with a hash of every chunk written, so that
 * `perf-optimizer check --no-build` can analyze the output later and tell a
 * stale record from the output it describes. Returns the record's path.
 */
export function writeBuildRecord(build) {
  const dir = recordDir(build.root);
  mkdirSync(dir, { recursive: true });
  const record = {
    version: 1,
    environment: build.name,
    root: build.root,
    outDir: toPosix(relative(build.root, build.outDir)),
    outputConfig: build.outputConfig,
    metafile: build.metafile,
    scaled: build.scaled,
    files: Object.fromEntries(build.files.map((f) => [toPosix(relative(build.root, f.path)), sha256(f.contents)])),
  };
  const file = join(dir, `${build.name.replace(/[^\w.-]/g, "_")}.json`);
  writeFileSync(file, JSON.stringify(record));
  return file;
}

/**
 * The record of the build whose output is `outDir` (absolute), checked
 * against the files on disk: `{ build }`, or `{ problem }` saying why there
 * is none to use.
 */
export function readBuildRecord(root, outDir) {
  root = resolve(root);
  const dir = recordDir(root);
  const wanted = toPosix(relative(root, outDir));
  let names = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    // no record at all
  }
  for (const name of names) {
    let record;
    try {
      record = JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch {
      continue;
    }
    if (record?.version !== 1 || record.root !== root || record.outDir !== wanted) continue;
    const files = [];
    for (const [path, hash] of Object.entries(record.files ?? {})) {
      // A record is data: it names files of the output folder, nothing else is read.
      if (!isInside(outDir, resolve(root, path), { followLinks: false })) return { problem: `its record names ${path}, outside ${wanted}` };
      let contents;
      try {
        contents = readUserFile(resolve(root, path), { maxBytes: MAX_BUNDLE_BYTES, what: "output file" });
      } catch {
        return { problem: `${path} is missing (the output changed since perf-optimizer recorded its build)` };
      }
      if (sha256(contents) !== hash) return { problem: `${path} changed since perf-optimizer recorded its build (a \`vite build\` without perf-optimizer/vite?)` };
      files.push({ path: resolve(root, path), contents });
    }
    return { build: { name: record.environment, root, outDir, outputConfig: record.outputConfig, metafile: record.metafile, scaled: record.scaled ?? [], files } };
  }
  return { problem: "perf-optimizer has no record of its build: it was not built by `perf-optimizer check` nor with perf-optimizer/vite in the Vite config" };
}

/**
 * What a Worker environment's build is, for the analysis: `{ name, root,
 * outDir, outputConfig, metafile, files, scaled }` (`files`: its chunks as
 * written; `scaled`: chunks whose modules' bytes are estimates), or null for
 * an output that is no Worker's (the client's). `context` is the plugin
 * context of writeBundle; `state` what the plugin saw earlier in the build.
 */
async function describeWorkerBuild(context, outputOptions, bundle, { root, rendered, specifiers }) {
  const environment = context.environment;
  const outputConfig = workerOutputConfig(bundle);
  if (!outputConfig) return null;
  const name = environment?.name ?? "build";
  const outDir = resolve(root, outputOptions.dir ?? environment?.config?.build?.outDir ?? "dist");
  const vite = await projectVite(root);
  const moduleBytes = new Map();
  const scaled = [];
  for (const chunk of Object.values(bundle)) {
    if (chunk.type !== "chunk") continue;
    const { bytes, how } = await chunkModuleBytes(chunk, rendered?.get(chunkKey(chunk)), { vite, config: environment?.config, root });
    moduleBytes.set(chunk.fileName, bytes);
    if (how === "scaled") scaled.push(chunk.fileName);
  }
  const metafile = metafileOf(bundle, {
    root,
    outDir,
    moduleIds: [...context.getModuleIds()],
    moduleInfo: (id) => context.getModuleInfo(id),
    moduleBytes,
    specifiers,
  });
  const files = Object.values(bundle)
    .filter((f) => f.type === "chunk")
    .map((f) => ({ path: join(outDir, f.fileName), contents: Buffer.from(f.code ?? "") }));
  return { name, root, outDir, outputConfig, metafile, files, scaled };
}

/**
 * Analyzes a Worker environment's build (describeWorkerBuild, or a record
 * of one) as the esbuild path analyzes a bundle: the Vite plugin and
 * `perf-optimizer check` on a Vite project call this alone.
 */
export async function analyzeWorkerBuild(build, { configJson = null, maxFileBytes, lint = true, label, baseline, startup, ignore, threads, cache } = {}) {
  const report = await analyzeBuild({
    threads,
    cache,
    metafileText: JSON.stringify(build.metafile),
    workingDir: build.root,
    outputFiles: build.files,
    configJson,
    maxFileBytes,
    lint,
    label: label ?? `the Vite build of the ${build.name} environment`,
    project: workerProject(build.outputConfig, build.root),
    baseline,
    startup,
    ignore,
  });
  if (build.scaled.length) {
    report.notes = [
      ...(report.notes ?? []),
      `${build.scaled.join(", ")} ${build.scaled.length === 1 ? "was" : "were"} changed after the modules were rendered (a minifier?) in a way perf-optimizer cannot follow: each module's bytes are its rendered code scaled to the chunk's size, an estimate`,
    ];
  }
  return report;
}

/**
 * The plugin's hooks. `analyze`: analyze each Worker environment after its
 * build and report the Vite way (the plugin); `record`: keep the build's
 * record for `check --no-build`; `sourcemap`: give the Worker environments
 * hidden source maps (check --startup attributes startup through them).
 */
function createPlugin(options, { analyze = true, record = true, sourcemap = false } = {}) {
  let root = process.cwd();
  let logger = null;
  let logLevel = "info";
  // Per environment: importer id → resolved id → specifier as written.
  const specifiersByEnvironment = new Map();
  // Per environment: chunk key → the chunk as the bundler rendered it, before any renderChunk transform.
  const renderedByEnvironment = new Map();
  const isClient = (environment) => !environment || environment.name === "client";
  return {
    name: NAME,
    apply: "build",
    ...(sourcemap
      ? {
          configEnvironment(name, config) {
            if (name !== "client" && !config.build?.sourcemap) return { build: { sourcemap: "hidden" } };
          },
        }
      : {}),
    configResolved(config) {
      root = config.root;
      logger = config.logger;
      logLevel = config.logLevel ?? "info";
      if (analyze && !config.plugins.some((p) => p.name === CLOUDFLARE_PLUGIN)) {
        logger.warn(`[${NAME}] @cloudflare/vite-plugin is not in this Vite config: there is no Worker environment to analyze (perf-optimizer/vite analyzes the Worker environments that plugin builds)`);
      }
    },
    async buildEnd(error) {
      const environment = this.environment;
      if (error || isClient(environment)) return;
      // The specifiers of the first-party modules (where the core looks for import lines).
      const byImporter = new Map();
      for (const id of this.getModuleIds()) {
        if (id.startsWith("\0") || id.includes("/node_modules/")) continue;
        const info = this.getModuleInfo(id);
        const targets = new Set([...(info?.importedIds ?? []), ...(info?.dynamicallyImportedIds ?? [])]);
        if (!info || info.isExternal || typeof info.code !== "string" || targets.size === 0) continue;
        const written = new Map();
        for (const specifier of specifiersIn(info.code)) {
          const resolved = await this.resolve(specifier, id).catch(() => null);
          const target = resolved && (targets.has(resolved.id) ? resolved.id : targets.has(specifier) ? specifier : null);
          if (target && !written.has(target)) written.set(target, specifier);
        }
        byImporter.set(id, written);
      }
      specifiersByEnvironment.set(environment.name, byImporter);
    },
    renderChunk: {
      // First, before any transform of the chunk (Vite's esbuild pass, a minifier).
      order: "pre",
      handler(code, chunk) {
        if (isClient(this.environment)) return null;
        const name = this.environment.name;
        if (!renderedByEnvironment.has(name)) renderedByEnvironment.set(name, new Map());
        const modules = Object.entries(chunk.modules ?? {}).map(([id, m]) => [id, moduleText(m.code, id, root)]);
        renderedByEnvironment.get(name).set(chunkKey(chunk), { code, modules });
        return null;
      },
    },
    async writeBundle(outputOptions, bundle) {
      const name = this.environment?.name ?? "build";
      let build = null;
      let messages = { errors: [], warnings: [] };
      try {
        build = await describeWorkerBuild(this, outputOptions, bundle, { root, rendered: renderedByEnvironment.get(name), specifiers: specifiersByEnvironment.get(name) });
        if (build && record) {
          try {
            writeBuildRecord(build);
          } catch (error) {
            // The plugin's own analysis does not need the record (only a later `check --no-build` does); check's build does.
            if (!analyze) throw error;
          }
        }
      } catch (error) {
        messages.errors.push(error.message);
      }
      if (!build) {
        if (analyze && name === "client" && logLevel === "info") logger?.info(`[${NAME}] ${clientSummary(name, outputFiles(bundle))}`);
      } else if (analyze) {
        try {
          const configDir = resolve(options.configDir ?? root);
          const { config, json } = await loadConfig(configDir, options.config && resolve(options.config));
          const report = await analyzeWorkerBuild(build, { configJson: json, maxFileBytes: config.maxFileSize, lint: options.lint ?? true, threads: options.threads ?? config.threads, cache: options.cache });
          options.onReport?.(report, { environment: name });
          if (logLevel === "info") {
            const summary = render({ ...report, diagnostics: [] }, "pretty", { color: useColor(process.stdout, {}), quiet: false });
            logger?.info(`\n[${NAME}] Worker environment "${name}":\n${summary}`);
          }
          messages = toViteMessages(report);
        } catch (error) {
          messages = { errors: [error.message], warnings: [] };
        }
      }
      for (const text of messages.warnings) this.warn(text);
      if (messages.errors.length) this.error(`Worker environment "${name}": ${messages.errors.join("\n")}`);
    },
  };
}

/**
 * The Vite plugin. Under `perf-optimizer check` (which runs `vite build`
 * with its own instance) it does nothing: check analyzes that build.
 * @param {import("./vite.js").PerfOptimizerVitePluginOptions} [options]
 */
export default function perfOptimizer(options = {}) {
  if (process.env[CHECK_ENV]) return { name: `${NAME}:inactive-under-check`, apply: "build" };
  return createPlugin(options);
}

/** The plugin `perf-optimizer check` adds to the `vite build` it runs: it records each Worker environment's build, and analyzes nothing. */
export const checkPlugin = ({ sourcemap = false } = {}) => createPlugin({}, { analyze: false, record: true, sourcemap });

export { perfOptimizer };
