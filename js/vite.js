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
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { analyzeBuild } from "./analyze.js";
import { loadConfig } from "./config.js";
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

/** "cjs" when Rolldown (`inputFormat`) or Rollup's CommonJS plugin (`meta.commonjs`) says the module is CommonJS. */
function formatOf(info) {
  if (!info) return undefined;
  if (info.inputFormat === "cjs" || info.meta?.commonjs?.isCommonJS === true) return "cjs";
  if (info.inputFormat === "es" || info.meta?.commonjs?.isCommonJS === false) return "esm";
  return undefined;
}

/** A module's bytes in its chunk: its rendered code in UTF-8 (`renderedLength` counts UTF-16 units). */
const renderedBytes = (m) => (typeof m.code === "string" ? Buffer.byteLength(m.code) : Number(m.renderedLength) || 0);

/**
 * The metafile of one environment's output `bundle` (written to `outDir`),
 * paths relative to `root`: every chunk an output with its modules' rendered
 * bytes, every module of the graph an input with its imports (`moduleInfo`:
 * the plugin context's getModuleInfo; `specifiers`: importer id → resolved
 * id → specifier as written). Per-module code is what the bundler rendered
 * before minifying: when the chunk was minified after rendering, the modules'
 * bytes are scaled down to the chunk's real size (`scaled` lists those chunks).
 */
export function metafileOf(bundle, { root, outDir, moduleIds, moduleInfo, specifiers = new Map() }) {
  const inputs = {};
  const outputs = {};
  const scaled = [];
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
    const bytes = Buffer.byteLength(chunk.code ?? "");
    const parts = Object.entries(chunk.modules ?? {}).map(([id, m]) => [addInput(id), renderedBytes(m)]);
    const rendered = parts.reduce((sum, [, n]) => sum + n, 0);
    if (rendered > bytes) scaled.push(chunk.fileName);
    const factor = rendered > bytes ? bytes / rendered : 1;
    const chunkInputs = {};
    for (const [path, n] of parts) {
      chunkInputs[path] = { bytesInOutput: (chunkInputs[path]?.bytesInOutput ?? 0) + Math.floor(n * factor) };
    }
    outputs[outputPath(chunk.fileName)] = {
      bytes,
      inputs: chunkInputs,
      imports: [
        ...(chunk.imports ?? []).map((f) => ({ path: outputPath(f), kind: "import-statement" })),
        ...(chunk.dynamicImports ?? []).map((f) => ({ path: outputPath(f), kind: "dynamic-import" })),
      ],
      exports: chunk.exports ?? [],
      ...(chunk.isEntry && chunk.facadeModuleId ? { entryPoint: inputPath(chunk.facadeModuleId, root) } : {}),
    };
  }
  return { metafile: { inputs, outputs }, scaled };
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
function workerProject(outputConfig, root) {
  const configPath = typeof outputConfig.configPath === "string" ? outputConfig.configPath : null;
  try {
    return loadProject(configPath ? dirname(resolve(root, configPath)) : root);
  } catch {
    return null;
  }
}

/**
 * The Vite plugin.
 * @param {import("./vite.js").PerfOptimizerVitePluginOptions} [options]
 */
export default function perfOptimizer(options = {}) {
  let root = process.cwd();
  let logger = null;
  let logLevel = "info";
  // Per environment: importer id → resolved id → specifier as written.
  const specifiersByEnvironment = new Map();
  return {
    name: NAME,
    apply: "build",
    configResolved(config) {
      root = config.root;
      logger = config.logger;
      logLevel = config.logLevel ?? "info";
      if (!config.plugins.some((p) => p.name === CLOUDFLARE_PLUGIN)) {
        logger.warn(`[${NAME}] @cloudflare/vite-plugin is not in this Vite config: there is no Worker environment to analyze (perf-optimizer/vite analyzes the Worker environments that plugin builds)`);
      }
    },
    async buildEnd(error) {
      const environment = this.environment;
      if (error || !environment || environment.name === "client") return;
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
    async writeBundle(outputOptions, bundle) {
      const environment = this.environment;
      const name = environment?.name ?? "build";
      const outputConfig = workerOutputConfig(bundle);
      if (!outputConfig) {
        if (name === "client" && logLevel === "info") logger?.info(`[${NAME}] ${clientSummary(name, outputFiles(bundle))}`);
        return;
      }
      const outDir = resolve(root, outputOptions.dir ?? environment?.config?.build?.outDir ?? "dist");
      let messages;
      try {
        const configDir = resolve(options.configDir ?? root);
        const { config, json } = await loadConfig(configDir, options.config && resolve(options.config));
        const { metafile, scaled } = metafileOf(bundle, {
          root,
          outDir,
          moduleIds: [...this.getModuleIds()],
          moduleInfo: (id) => this.getModuleInfo(id),
          specifiers: specifiersByEnvironment.get(name),
        });
        const files = Object.values(bundle)
          .filter((f) => f.type === "chunk")
          .map((f) => ({ path: join(outDir, f.fileName), contents: Buffer.from(f.code ?? "") }));
        const report = analyzeBuild({
          metafileText: JSON.stringify(metafile),
          workingDir: root,
          outputFiles: files,
          configJson: json,
          maxFileBytes: config.maxFileSize,
          lint: options.lint ?? true,
          label: `the Vite build of the ${name} environment`,
          project: workerProject(outputConfig, root),
        });
        if (scaled.length) {
          report.notes = [
            ...(report.notes ?? []),
            `${scaled.join(", ")} ${scaled.length === 1 ? "was" : "were"} minified after the modules were rendered: each module's bytes are its rendered code scaled to the minified size`,
          ];
        }
        options.onReport?.(report, { environment: name });
        if (logLevel === "info") {
          const summary = render({ ...report, diagnostics: [] }, "pretty", { color: useColor(process.stdout, {}), quiet: false });
          logger?.info(`\n[${NAME}] Worker environment "${name}":\n${summary}`);
        }
        messages = toViteMessages(report);
      } catch (error) {
        messages = { errors: [error.message], warnings: [] };
      }
      for (const text of messages.warnings) this.warn(text);
      if (messages.errors.length) this.error(`Worker environment "${name}": ${messages.errors.join("\n")}`);
    },
  };
}

export { perfOptimizer };
