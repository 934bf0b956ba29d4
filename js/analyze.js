// Orchestration shared by the API, the CLI, the esbuild plugin and the
// wrangler hook: gather inputs (files, bundle, config), call the core once.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { availableParallelism } from "node:os";
import { loadConfig } from "./config.js";
import { callCore, PerfOptimizerError, tuneCompilerFor, usesCachedCode } from "./core.js";
import { collectFiles, displayPath, factName, globMatcher, isInside, isSourceFile, MAX_BUNDLE_BYTES, readSources, readUserFile, SKIPPED_DIRS, sourceReadCount, stripBom } from "./files.js";
import { installedPackages } from "./installed.js";
import { moduleFacts } from "./modules.js";
import { quotedSpecifiers } from "./specifiers.js";
import { cachingLine, CONVENTIONAL_MIGRATIONS, findEntries, findProjectDir, findWranglerConfig, loadProject, searchDirs, workspacePackages, workspaceProject } from "./project.js";
import { origins, prebundledSources } from "./attribution.js";
import { buildId, cacheDirFor, cachedReport, fileKey, hasWalks, joinRecords, keepReport, noteFactChange, openCache, openFileMemo, reportKey, runKey, textDigest } from "./cache.js";
// Loaded when files are to be walked: a run the cache answers starts no
// thread (nor loads node:worker_threads).
let threadsModule = null;
const threading = async () => (threadsModule ??= await import("./threads.js"));
// Loaded when a build, startup or profile run needs them: `lint` (and a
// warm run above all) starts without them and what they load (zlib,
// child_process, the source map reader).
const bundling = () => import("./bundle.js");

/**
 * The .sql files under `dir`, skipping dependencies and build output as the
 * source walk does; symbolic links are not followed.
 */
function sqlFilesUnder(dir, paths) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) sqlFilesUnder(abs, paths);
    else if (entry.isFile() && entry.name.endsWith(".sql")) paths.push(abs);
  }
}

/**
 * The SQL files that declare the schema: migrations folders (inside the
 * project, see loadProject, and the conventional ones at the repository's
 * root: a monorepo's `supabase/migrations` serves each of its Workers),
 * drizzle-kit output, and the files the project's scripts apply with
 * `wrangler d1 execute --file`.
 */
function sqlFilesOf(project, packageDirs = []) {
  const root = searchDirs(project.dir).at(-1);
  // The workspace packages the Worker depends on too: a monorepo's schema
  // package keeps its migrations beside its drizzle config.
  const conventional = [...new Set([project.dir, root, ...packageDirs])].flatMap((base) => CONVENTIONAL_MIGRATIONS.map((dir) => join(base, dir)));
  const dirs = new Set([...project.migrationsDirs, ...conventional]);
  const paths = [...(project.schemaFiles ?? [])];
  for (const dir of dirs) sqlFilesUnder(dir, paths);
  return readSources([...new Set(paths)].sort(), { counted: false }).files.map((file) => ({ path: file.path, source: file.source.toString("utf8") }));
}

/** The report with the project's notes (which wrangler config is used, what was left out) after its own. */
function withProjectNotes(report, project) {
  if (project?.notes?.length) report.notes = [...(report.notes ?? []), ...project.notes];
  return report;
}

/**
 * What the core needs to know about the project: bindings, flags, SQL schema,
 * and the tsconfig/package.json facts that resolve the imports of `files`.
 */
function projectInputs(project, files, packageDirs = []) {
  const modules = moduleFacts(files.map((file) => file.path));
  if (!project) return { project: { modules } };
  const { nodejsCompat, bindings, caching } = project;
  const settings = { workersCache: Boolean(caching?.workersCache), ...(caching?.placement ? { placement: caching.placement } : {}) };
  return { project: { nodejsCompat, ...bindings, ...settings, modules }, sqlFiles: sqlFilesOf(project, packageDirs) };
}

let replacementsText;
let heavyPackagesText;
/** The Workers heavy-package table `heavy-dependency` reads (data, kept out of the wasm). */
function heavyPackages() {
  heavyPackagesText ??= readFileSync(new URL("../data/workers-heavy-packages.json", import.meta.url), "utf8");
  return heavyPackagesText;
}
/** The e18e module-replacements snapshot the core names alternatives from (data, kept out of the wasm). */
function moduleReplacements() {
  replacementsText ??= readFileSync(new URL("../data/module-replacements.json", import.meta.url), "utf8");
  return replacementsText;
}

/**
 * Calls the core's `analyzeJson` with the texts of `input.files` (Buffers or
 * strings) packed into one UTF-8 buffer: one copy into wasm memory instead of
 * decoding every file into a JS string and encoding it back. The rest of the
 * input and the report cross as JSON text. `precomputed`: walks of some
 * files made apart (threads, cache), as the core's records.
 */
export function coreAnalyze(core, input, precomputed) {
  const texts = sourceTexts(input);
  return JSON.parse(core.analyzeJson(Buffer.from(coreInputJson(input, texts.map((text) => text.length))), Buffer.concat(texts), precomputed));
}

/** `analyzeJson`'s input text (passed as UTF-8 bytes: Node encodes natively): `input` with each file's path and the byte length of its text (`lengths`) instead of the text. */
const coreInputJson = (input, lengths) => JSON.stringify({ ...input, files: (input.files ?? []).map((file) => ({ path: file.path })), sourceLengths: lengths });

/** A file's text as UTF-8 bytes. */
const sourceBytes = (file) => (typeof file.source === "string" ? Buffer.from(file.source, "utf8") : file.source);

/** The byte length of a file's text: known without reading it for a file the memo knows. */
const sourceLength = (file) => file.size ?? (typeof file.source === "string" ? Buffer.byteLength(file.source, "utf8") : file.source.length);

/** The files' texts as UTF-8 bytes. */
const sourceTexts = (input) => (input.files ?? []).map(sourceBytes);

/** `read`, the source files read in this run (`readCount` counts them). */
const readStats = (readCount) => (readCount ? { read: readCount() } : {});

let lastStats = null;

/** The token of the walks an analysis leaves in this thread's instance for its analyze call (one per analysis). */
let keepToken = 0;

/**
 * What the last analysis in this process walked: `files` given, `walked`
 * (parsed and walked in this run, on any thread), `cached` (walks read from
 * the cache), `threads` used (0 when nothing had to be walked),
 * `reportFromCache` (nothing changed since a run whose report the cache
 * kept: the core was not called) and `read` (the source files read: none
 * the cache's memo knows unchanged, when nothing changed). The
 * cache's tests count with it; with PERF_OPTIMIZER_DEBUG set, each run
 * prints it to stderr.
 */
export function lastAnalysisStats() {
  return lastStats;
}

/**
 * One analysis: the walks the cache has, the others made in `threads`
 * threads (or by the core's own call, with one thread and no cache), then
 * the core's one call that merges them in the files' order.
 */
async function analyzeOnce(input, label, { threads, cacheDir, readCount }) {
  const base = { ...input, files: (input.files ?? []).map((file) => ({ path: file.path })) };
  let run = null;
  let digests = [];
  let wholeKey = null;
  let json = null;
  if (cacheDir) {
    run = runKey(base);
    // Files the cache's memo knows unchanged have their digest and length
    // without being read: a run where nothing changed reads none.
    digests = input.files.map((file) => (file.digest ??= textDigest(sourceBytes(file))));
    // Nothing changed since a run with this input: its report, without
    // loading the core or the walks.
    json = coreInputJson(input, input.files.map((file) => file.size ?? sourceBytes(file).length));
    wholeKey = reportKey(run, json, digests);
    const kept = parsedOrNull(cachedReport(cacheDir, wholeKey));
    if (kept !== null) {
      lastStats = { files: digests.length, walked: 0, cached: digests.length, threads: 0, reportFromCache: true, ...readStats(readCount) };
      debugStats();
      return kept;
    }
  }
  // Texts are read as they are needed: those of the files walked here,
  // and the few the core asks for (`textOf`) of the files it has walks of.
  const lengths = input.files.map(sourceLength);
  const textOf = (i) => sourceBytes(input.files[i]);
  const keys = run === null ? [] : base.files.map((file, i) => fileKey(run, file.path, digests[i]));
  tuneCompilerFor(lengths.reduce((bytes, length) => bytes + length, 0));
  const { stopSpareWorkers, threadCount, walkInThreads } = await threading();
  const walks = new Map();
  const store = cacheDir ? openCache(cacheDir) : null;
  if (store) {
    keys.forEach((key, i) => {
      const walk = store.get(key);
      if (walk) walks.set(i, walk);
    });
  }
  const cached = walks.size;
  const inputJson = Buffer.from(json ?? coreInputJson(input, lengths));
  const sourceBytesOf = (files) => files.reduce((bytes, i) => bytes + lengths[i], 0);
  // A file whose role the memo kept was reached by no entry and not
  // analyzed in the run that read it: not walked ahead when only what the
  // Worker runs is analyzed (if an entry reaches it now, the analysis walks
  // it itself).
  const roles = input.scope === "reachable" ? keptRoles(input.files) : new Uint8Array(lengths.length).fill(ROLE_UNKNOWN);
  let missing = lengths.map((_, i) => i).filter((i) => !walks.has(i) && roles[i] === ROLE_UNKNOWN);
  // Walked apart (in threads, or for the cache): only what the analysis will likely need.
  if (missing.length > 0 && (store || threadCount(threads, sourceBytesOf(missing)) > 1)) missing = likelyNeeded(input, missing, inputJson, label);
  const n = threadCount(threads, sourceBytesOf(missing));
  let walkedApart = 0;
  let keep;
  let keptInput = null;
  let keptHere = [];
  if (missing.length > 0 && (n > 1 || store)) {
    keep = ++keepToken;
    const fresh = await walkInThreads(base, lengths, textOf, missing, n, label, { keep, withRecords: store !== null });
    walkedApart = fresh.walks.size + fresh.kept.length;
    keptHere = fresh.kept;
    for (const [i, walk] of fresh.walks) {
      walks.set(i, walk);
      store?.set(keys[i], walk);
    }
    // This thread's own walks wait in its instance; their records are for the cache only.
    for (const [i, walk] of fresh.mine) store?.set(keys[i], walk);
    keptInput = fresh.keptInput;
  }
  // Workers started ahead and not needed (few files to walk, or none) hold
  // their memory no longer than this.
  stopSpareWorkers();
  const precomputed = walks.size ? joinRecords(walks) : undefined;
  let walkedHere = 0;
  // Every file walked here or by the workers: the input this thread's
  // instance keeps with its walks is this one (the same bytes, so the same
  // sources too), and is not sent and read again.
  const walkedThis = keptInput !== null && keptInput.equals(inputJson);
  // The files the core has walks of (given, or kept in this thread's
  // instance), and those whose role the memo kept (no entry reached them):
  // their texts are not sent, the core asks for the few it needs.
  const walkedBefore = new Set(keptHere);
  const isDeferred = (i) => walks.has(i) || walkedBefore.has(i) || roles[i] !== ROLE_UNKNOWN;
  const deferred = Uint32Array.from(lengths.keys()).filter(isDeferred);
  let textError = null;
  const textForCore = (i) => {
    try {
      return textOf(i);
    } catch (error) {
      // Thrown after the call (a file that changed during the run starts it again).
      textError ??= error;
      return new Uint8Array(0);
    }
  };
  const analyzeCall = (sendInput) => {
    // Read here, not in the core's call: a file that changed during the run
    // throws its own error (the run starts again), not an internal one.
    const sources = sendInput ? Buffer.concat(lengths.flatMap((_, i) => (isDeferred(i) ? [] : [textOf(i)]))) : undefined;
    return callCore(label, (core) => {
      const result = sendInput
        ? core.analyzeJson(inputJson, sources, precomputed, keep, deferred, textForCore, roles)
        : core.analyzeJson(new Uint8Array(0), undefined, precomputed, keep, undefined, undefined, roles);
      walkedHere = core.lastWalkCount();
      keepRoles(input.files, core.lastFileRoles());
      return result;
    });
  };
  let text;
  try {
    text = analyzeCall(!walkedThis);
  } catch (error) {
    // The instance no longer has that input (more analyses overlapped in
    // this process than it keeps): sent after all.
    if (!walkedThis || !(error instanceof PerfOptimizerError) || error.message.startsWith("internal error")) throw error;
    text = analyzeCall(true);
  }
  if (textError) throw textError;
  store?.save();
  if (store) keepReport(cacheDir, wholeKey, text);
  lastStats = { files: lengths.length, walked: walkedApart + walkedHere, cached, threads: n, reportFromCache: false, ...readStats(readCount) };
  debugStats();
  return JSON.parse(text);
}

/**
 * Of the files `missing` (indices), those the analysis likely walks, for
 * the threads and the cache to walk ahead: when it analyzes what the
 * Worker runs and some files are not entries, those the entries reach
 * through the specifiers quoted in each file's text (core `likelyWalked`,
 * with the analysis's own resolution); all of them otherwise. Tests and
 * scripts no entry imports are not walked at all; a file the guess missed,
 * the analysis walks itself.
 */
function likelyNeeded(input, missing, inputJson, label) {
  if (input.scope !== "reachable" || !input.entries?.length) return missing;
  const entries = new Set(input.entries.map((entry) => entry.path));
  if (input.files.every((file) => entries.has(file.path))) return missing;
  const specifiers = input.files.map((file) => quotedSpecifiers(file).join("\n")).join("\0");
  let likely;
  try {
    likely = callCore(label, (core) => core.likelyWalked(inputJson, specifiers));
  } catch {
    // Only a guess: without it every file is walked (and the analysis reports what failed).
    return missing;
  }
  if (!likely) return missing;
  const needed = new Set(likely);
  return missing.filter((i) => needed.has(i));
}

/**
 * The fact of the role a file's path and text give (the core decides it:
 * a test, a script, client code...), for the files no entry reaches: kept
 * with the file memo, so a later run places them without reading them.
 * The core's rules can change with its build: the build names the fact.
 */
let roleFact;
const ROLE_UNKNOWN = 255;

/** The roles the memo kept for `files` (a byte each, ROLE_UNKNOWN where none), for the core's `roles`. */
function keptRoles(files) {
  roleFact ??= factName("file-role", buildId());
  return Uint8Array.from(files, (file) => {
    const kept = file.facts?.[roleFact];
    // [the path it was read under, the role's code]: checked, a damaged memo costs a read.
    return Array.isArray(kept) && kept[0] === file.path && Number.isInteger(kept[1]) && kept[1] >= 0 && kept[1] < ROLE_UNKNOWN ? kept[1] : ROLE_UNKNOWN;
  });
}

/**
 * Keeps the roles the core read from the files' texts (`codes`,
 * `lastFileRoles`: files no entry reached and not analyzed) with the files
 * the memo knows; a file analyzed this time loses the one it had.
 */
function keepRoles(files, codes) {
  roleFact ??= factName("file-role", buildId());
  files.forEach((file, i) => {
    const kept = file.facts?.[roleFact];
    const code = codes[i] ?? ROLE_UNKNOWN;
    if (!file.facts || (code === ROLE_UNKNOWN ? kept === undefined : kept?.[0] === file.path && kept?.[1] === code)) return;
    if (code === ROLE_UNKNOWN) delete file.facts[roleFact];
    else file.facts[roleFact] = [file.path, code];
    noteFactChange(file.facts);
  });
}

/** A kept report's object, or null (none kept, or a damaged one: the analysis runs). */
function parsedOrNull(text) {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** With PERF_OPTIMIZER_DEBUG set, what the last analysis walked, on stderr. */
function debugStats() {
  if (!process.env.PERF_OPTIMIZER_DEBUG) return;
  const { files, walked, cached, threads, reportFromCache, read } = lastStats;
  const whole = reportFromCache ? " (nothing changed: the last report)" : "";
  const reads = read === undefined ? "" : `, ${read} read`;
  const code = usesCachedCode() ? ", compiled code from the cache" : "";
  process.stderr.write(`perf-optimizer: ${files} files, ${walked} walked, ${cached} from the cache, ${threads} thread${threads === 1 ? "" : "s"}${reads}${code}${whole}\n`);
}

/**
 * Runs the core on `input`. If the core traps on some file (a bug in a rule,
 * or input deeper than its stack), the files are analyzed one by one to find
 * the culprits, which are then reported as skipped: one broken file must not
 * hide the findings in the others. `threads`: how many (default: the
 * machine's parallelism, fewer for little source); `cacheDir`: the
 * incremental cache's folder, if any.
 */
export async function analyzeWithRecovery(input, label, { threads, cacheDir, readCount } = {}) {
  input = { ...input, replacements: moduleReplacements(), heavyPackages: heavyPackages() };
  try {
    return await analyzeOnce(input, label, { threads, cacheDir, readCount });
  } catch (error) {
    if (!String(error.message).startsWith("internal error") || input.files.length === 0) throw error;
    const skipped = [...(input.skipped ?? [])];
    const files = [];
    for (const file of input.files) {
      try {
        callCore(file.path, (core) => coreAnalyze(core, { files: [file], config: input.config }));
        files.push(file);
      } catch (fileError) {
        skipped.push({ path: file.path, reason: fileError.message });
      }
    }
    return callCore(label, (core) => coreAnalyze(core, { ...input, files, skipped }));
  }
}

/** The cache folder for a run in `dir` (none with `cache: false`, `--no-cache`). */
const cacheFolder = (dir, cache) => (cache === false ? null : cacheDirFor(resolve(dir)));

/** The baseline file's text (the core validates it), or undefined. */
function readBaseline(path) {
  return path ? stripBom(readUserFile(resolve(path), { what: "baseline", encoding: "utf8" })) : undefined;
}

/**
 * First-party source inputs of a metafile (by the core's rule: no package,
 * not generated), absolute: `{ inside, outside }`, split by whether they
 * are inside `root` (following symbolic links).
 */
export function firstPartyInputs(metafile, workingDir, root) {
  const paths = Object.keys(metafile.inputs);
  const kinds = origins(paths).map((o) => o.kind);
  const inside = [];
  const outside = [];
  for (const p of paths.filter((p, i) => kinds[i] === "firstParty" && isSourceFile(p))) {
    const abs = resolve(workingDir, p);
    // Outside by its path (`..`, absolute): not even looked at.
    if (!isInside(root, abs, { followLinks: false })) {
      outside.push(abs);
      continue;
    }
    if (!existsSync(abs)) {
      throw new PerfOptimizerError(`${displayPath(abs)}: input listed in the metafile is missing on disk (is the metafile from another checkout?)`);
    }
    // Inside by its path, but a link to elsewhere: not read either.
    (isInside(root, abs) ? inside : outside).push(abs);
  }
  return { inside, outside };
}

/**
 * The folder whose files a metafile may make perf-optimizer read: the
 * repository (or outermost package) `workingDir` is in, as the config search
 * bounds itself (a monorepo's workspace packages are the Worker's code too).
 * Files outside it are read only when named on the command line.
 */
export const readableRoot = (workingDir) => searchDirs(workingDir).at(-1) ?? resolve(workingDir);

/** The note for first-party inputs outside the project, which were not read (or none). */
function outsideNote(outside, root) {
  if (!outside.length) return [];
  const shown = outside.slice(0, 3).map(displayPath).join(", ");
  const more = outside.length > 3 ? ` and ${outside.length - 3} more` : "";
  return [
    `${outside.length === 1 ? "1 source file" : `${outside.length} source files`} of the bundle ${outside.length === 1 ? "is" : "are"} outside the project (${displayPath(root)}) and ${outside.length === 1 ? "was" : "were"} not read, so the source rules did not run on ${outside.length === 1 ? "it" : "them"} (${shown}${more}); the bundle's sizes still count ${outside.length === 1 ? "it" : "them"}. Files outside the project are read only when named on the command line (\`perf-optimizer lint PATH\`).`,
  ];
}

/**
 * Analyzes a finished build: the metafile text, the folder its paths are
 * relative to, and (for esbuild with write: false) the output files.
 */
export async function analyzeBuild({ metafileText, workingDir, outputFiles, configJson = null, ignore = [], lint = true, label, outputBase, project, baseline, startup, profile, maxFileBytes, threads, cache }) {
  const { measureOutputs, parseMetafile, readManifests } = await bundling();
  label ??= "the bundle";
  const metafile = parseMetafile(metafileText, label);
  const outputs = measureOutputs(metafile, workingDir, outputFiles, outputBase, label);
  // The metafile's inputs are read only inside the project (`..` and
  // absolute paths in a metafile do not make the tool read elsewhere).
  const root = readableRoot(workingDir);
  // Inputs that are bundles themselves, broken down through their source maps.
  const inputSources = prebundledSources(metafile, workingDir, root);
  const sourcePaths = Object.values(inputSources).flatMap((i) => i.sources.map((s) => s.path));
  const manifests = readManifests(metafileText, workingDir, label, sourcePaths, root);
  let inside = [];
  let outside = [];
  if (lint) {
    const isIgnored = ignore.length ? globMatcher(ignore, { dot: true }) : () => false;
    const notIgnored = (p) => !isIgnored(relative(workingDir, p).split(sep).join("/"));
    const inputs = firstPartyInputs(metafile, workingDir, root);
    outside = inputs.outside.filter(notIgnored);
    inside = inputs.inside.filter(notIgnored);
  }
  // The metafile is the authority on what the Worker runs: all its first-party inputs.
  const entries = Object.values(metafile.outputs)
    .map((output) => output.entryPoint)
    .filter((entry) => typeof entry === "string" && !entry.includes(":"))
    .map((entry) => ({ path: displayPath(resolve(workingDir, entry)), declaredBy: "the bundle's entry point" }));
  if (project?.main) entries.unshift({ path: displayPath(project.main), declaredBy: "main" });
  const cacheDir = cacheFolder(project?.dir ?? workingDir, cache);
  const report = await withFileMemo(cacheDir, async (memo) => {
    const readsBefore = sourceReadCount();
    const sources = readSources(inside, { maxBytes: maxFileBytes, memo });
    const analyzed = await analyzeWithRecovery(
      { ...sources, entries, scope: "bundle", ...projectInputs(project, sources.files), bundle: { metafile: metafileText, outputs, manifests, inputSources }, config: configJson, baseline: readBaseline(baseline), startup, profile },
      label,
      { threads, cacheDir, readCount: () => sourceReadCount() - readsBefore },
    );
    memo?.save(inside);
    return analyzed;
  });
  report.notes = [...(report.notes ?? []), ...outsideNote(outside, root)];
  return withProjectNotes(report, project);
}

/**
 * `analysis(memo)` with the file memo of the cache in `cacheDir` (null
 * without a cache). A file that changed between its stat and the read of
 * its text makes the analysis run again without the memo, every file read
 * as it is now.
 */
async function withFileMemo(cacheDir, analysis) {
  const memo = cacheDir ? openFileMemo(cacheDir) : null;
  if (!memo) return analysis(null);
  try {
    return await analysis(memo);
  } catch (error) {
    if (!error?.changedDuringRun) throw error;
    return analysis(null);
  }
}

/** The folder with the installed packages of `dir`: its own node_modules or one above it. */
function hasNodeModules(dir) {
  return searchDirs(dir).some((d) => existsSync(join(d, "node_modules")));
}

/**
 * bundleProject, with a hint when a failure to resolve an import comes from
 * packages that are not installed (a fresh clone before `npm install`).
 */
async function bundleWithHints(project, options) {
  const { bundleProject } = await bundling();
  try {
    return await bundleProject(project, options);
  } catch (error) {
    if (!(error instanceof PerfOptimizerError) || !/Could not resolve/i.test(error.message) || !existsSync(join(project.dir, "package.json"))) throw error;
    const missing = !hasNodeModules(project.dir);
    const name = /Could not resolve "([^"]+)"/.exec(error.message)?.[1];
    let declared = false;
    try {
      const pkg = JSON.parse(readUserFile(join(project.dir, "package.json"), { encoding: "utf8" }));
      declared = Boolean(name) && [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies, pkg.peerDependencies].some((deps) => deps && Object.hasOwn(deps, packageName(name)));
    } catch {
      // an unreadable package.json gives no hint
    }
    if (!missing && !declared) throw error;
    const hint = missing
      ? "node_modules is missing: install the project's dependencies first (npm install)"
      : `\`${packageName(name)}\` is in package.json but not installed: run npm install`;
    throw new PerfOptimizerError(`${error.message} (${hint})`);
  }
}

/** The package of a bare import specifier: `@scope/name/x` → `@scope/name`. */
const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** analyzeBuild on a project's bundle (check, profile), with what was measured running it (`startup`, `profile`). */
function analyzeProjectBundle(project, bundle, { config, json }, options, measured) {
  return analyzeBuild({
    threads: options.threads ?? config.threads,
    cache: options.cache,
    metafileText: bundle.metafileText,
    workingDir: bundle.workingDir,
    configJson: json,
    ignore: config.ignore ?? [],
    label: displayPath(project.main),
    // The bundle lives in a temporary folder: show its outputs by name.
    outputBase: bundle.outdir,
    project,
    baseline: options.baseline,
    ...measured,
    // The API's option (the CLI's --max-file-size) wins over the config.
    maxFileBytes: options.maxFileBytes ?? config.maxFileSize,
  });
}

/** `perf-optimizer check`: bundle as deployed, then bundle + lint + budgets. */
export async function check(dir = ".", options = {}) {
  const { parseMetafile, projectWrangler } = await bundling();
  const { profileStartup } = await import("./startup.js");
  // A Vite project with @cloudflare/vite-plugin: its own build, its Worker's output (--entry bundles with esbuild instead).
  if (!options.entry) {
    const { checkVite, findViteProject } = await import("./vite-check.js");
    const viteProject = findViteProject(dir);
    if (viteProject) return checkVite(viteProject, options);
  }
  const project = loadProject(dir, { entry: options.entry });
  const { config, json } = await loadConfig(project.dir, options.config);
  if (options.startup && !projectWrangler(project.dir)) {
    throw new PerfOptimizerError(
      `${displayPath(project.dir)}: cannot measure startup: wrangler is not installed in the project (npm install -D wrangler); \`wrangler check startup\` runs the Worker in workerd`,
    );
  }
  // --startup measures the bundle of wrangler's dry run: it needs a wrangler config, and its build command.
  if (options.startup && !project.configPath) {
    throw new PerfOptimizerError(`${displayPath(project.dir)}: cannot measure startup without a wrangler config: \`wrangler check startup\` runs the bundle of wrangler's dry run`);
  }
  if (options.startup && options.build === false && project.buildCommand) {
    throw new PerfOptimizerError(`--startup measures the bundle of wrangler's dry run, which runs the build command: it cannot be combined with --no-build`);
  }
  const bundle = await bundleWithHints(project, { startup: Boolean(options.startup), build: options.build !== false, log: options.log });
  try {
    // Only with `startup: true` does anything run the Worker (in workerd).
    const startup = options.startup
      ? profileStartup(project, bundle, parseMetafile(bundle.metafileText, "the bundle"), { runs: options.runs, profileDir: options.profileDir })
      : undefined;
    const report = await analyzeProjectBundle(project, bundle, { config, json }, options, { startup });
    if (project.configPath) report.notes = [...(report.notes ?? []), cachingLine(project, report)];
    return report;
  } finally {
    bundle.cleanup();
  }
}

/**
 * `perf-optimizer profile`: check's analysis of the bundle as deployed, plus
 * the Worker run locally in workerd under a bounded scenario of requests
 * (see js/profile.js): the report's `profile` block.
 */
export async function profile(dir = ".", options = {}) {
  const { parseMetafile, projectWrangler } = await bundling();
  const { buildScenario, profileWorker } = await import("./profile.js");
  const project = loadProject(dir);
  const { config, json } = await loadConfig(project.dir, options.config);
  const where = displayPath(project.dir) || ".";
  if (!projectWrangler(project.dir)) {
    throw new PerfOptimizerError(`${where}: cannot profile: wrangler is not installed in the project (npm install -D wrangler); the Worker runs in workerd through it`);
  }
  if (!project.configPath) throw new PerfOptimizerError(`${where}: cannot profile without a wrangler config: its bindings are what the Worker runs with`);
  if (options.build === false && project.buildCommand) {
    throw new PerfOptimizerError(`profile runs the bundle of wrangler's dry run, which runs the build command: it cannot be combined with --no-build`);
  }
  const bundle = await bundleWithHints(project, { startup: true, build: options.build !== false, log: options.log });
  try {
    const metafile = parseMetafile(bundle.metafileText, "the bundle");
    const root = readableRoot(bundle.workingDir);
    // The route literals of the Worker's own code, when no scenario is given.
    const { files } = readSources(firstPartyInputs(metafile, bundle.workingDir, root).inside, { maxBytes: options.maxFileBytes ?? config.maxFileSize });
    const scenario = buildScenario(config.profile ?? {}, { requests: options.requests, count: options.count, concurrency: options.concurrency, maxSeconds: options.maxSeconds, stub: options.stub }, files.map((f) => ({ path: f.path, source: String(f.source) })));
    const measured = await profileWorker(project, bundle, metafile, scenario, { allowNetwork: Boolean(options.allowNetwork) });
    return await analyzeProjectBundle(project, bundle, { config, json }, options, { profile: measured });
  } finally {
    bundle.cleanup();
  }
}

/** `perf-optimizer lint`: the source rules over files and folders (`paths`: one path or a list). */
export async function lint(paths = ["."], options = {}) {
  // One path as a string is one path (iterating it would lint "/", "s", "r", "c").
  if (typeof paths === "string") paths = [paths];
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string")) {
    throw new PerfOptimizerError(`lint takes a path or a list of paths (strings), got ${JSON.stringify(paths) ?? String(paths)}`);
  }
  const baseDir = resolve(options.cwd ?? ".");
  const { config, json, path: configFile } = await loadConfig(baseDir, options.config);
  const configPaths = [];
  // `ignore` globs are relative to the config's folder (found here or above).
  const ignoreBase = configFile && !options.config ? dirname(configFile) : baseDir;
  const named = [];
  const irregular = new Set();
  const stats = new Map();
  const components = [];
  const absPaths = collectFiles(paths, { ignoreGlobs: config.ignore ?? [], baseDir: ignoreBase, configs: configPaths, named, irregular, stats, components });
  const threads = options.threads ?? config.threads;
  // The project's cache, as lintFiles finds it (a folder linted inside the
  // project has no node_modules of its own).
  const projectDir = findProjectDir(baseDir);
  // A Worker of a monorepo linted from its own folder: the workspace
  // packages it imports are its code too (what the entries do not reach
  // stays unanalyzed). Not when files are named: then those are linted.
  const linked = named.length === 0 && projectDir ? workspacePackages(projectDir, readableRoot(projectDir)) : [];
  if (linked.length) {
    const known = new Set(absPaths);
    const theirs = collectFiles(linked.map((p) => p.dir), { ignoreGlobs: config.ignore ?? [], baseDir: ignoreBase, configs: [], named: [], irregular, stats, components });
    absPaths.push(...theirs.filter((p) => !known.has(p)));
  }
  // The files are every module that may import another: the whole
  // project's folders were walked, and no component the core cannot read
  // imports from them. Then an export nothing imports never runs.
  const projectRoot = projectDir ?? baseDir;
  const everyImporter = named.length === 0 && components.length === 0 && paths.some((p) => isInside(resolve(p), projectRoot));
  await prestartFor(absPaths.length, threads, options.cache === false ? null : cacheDirFor(projectDir ?? baseDir));
  try {
    return await lintFiles(paths, absPaths, options, { config, json, baseDir, projectDir, configPaths, threads, named, irregular, stats, linked, everyImporter });
  } finally {
    threadsModule?.stopSpareWorkers();
  }
}

/** `lint` of the files `absPaths` found from `paths` (`named`: the regular files among `paths`). */
async function lintFiles(paths, absPaths, options, { config, json, baseDir, projectDir, configPaths, threads, named, irregular, stats, linked = [], everyImporter = false }) {
  let project = null;
  // Files outside the linted folders that their relative imports reach.
  const outside = [];
  try {
    project = projectDir ? loadProject(projectDir) : null;
  } catch {
    // lint works on plain folders; a config `check` cannot build from (a
    // Pages project's, with no `main`) still declares entries and bindings:
    // read as a workspace's configs are, below.
    const found = projectDir && findWranglerConfig(projectDir);
    if (found && !configPaths.includes(found)) configPaths.push(found);
  }
  if (project?.configPath) configPaths.push(project.configPath);
  // A monorepo linted from a folder without a config: what its Workers bind.
  project ??= workspaceProject(baseDir, configPaths);
  const cacheDir = cacheFolder(project?.dir ?? projectDir ?? baseDir, options.cache);
  const report = await withFileMemo(cacheDir, async (memo) => {
    const readsBefore = sourceReadCount();
    // The named files' stats from collectFiles, for the memo: not taken again.
    const maxBytes = options.maxFileBytes ?? config.maxFileSize;
    const { files, skipped } = readSources(absPaths, { maxBytes, irregular, memo, stats: memo ? stats : undefined });
    // A Worker in a folder of its repository imports the repository's
    // files around it (`../../uptime.config`): wrangler bundles them, so
    // they are read too. Not when files are named: then those are linted.
    if (named.length === 0) {
      const read = new Set(absPaths);
      const where = { root: readableRoot(projectDir ?? baseDir), linted: paths.map((p) => resolve(p)) };
      // What the files read so far import, then what those import.
      for (let from = 0; from < files.length && outside.length < MAX_OUTSIDE_FILES; ) {
        const more = importedOutside(files.slice(from), read, { ...where, budget: MAX_OUTSIDE_FILES - outside.length });
        from = files.length;
        if (more.length === 0) break;
        const found = readSources(more, { maxBytes, memo });
        files.push(...found.files);
        skipped.push(...found.skipped);
        absPaths.push(...more);
        outside.push(...more);
      }
    }
    // Files named on the command line are Worker code by the user's word.
    const entries = findEntries(files, { configPaths, explicit: named });
    const scope = options.allFiles ? "all" : "reachable";
    const inputs = projectInputs(project, files, linked.map((p) => p.dir));
    // No bundle: heavy-dependency measures what the imports load in node_modules.
    inputs.project.installed = installedPackages(files);
    const analyzed = await analyzeWithRecovery(
      { files, skipped, entries, scope, ...(everyImporter ? { everyImporter } : {}), ...inputs, config: json, baseline: readBaseline(options.baseline) },
      paths.join(", "),
      { threads, cacheDir, readCount: () => sourceReadCount() - readsBefore },
    );
    // After the analysis: with the facts read from the texts on the way.
    memo?.save(absPaths);
    return analyzed;
  });
  if (linked.length) {
    const list = linked.map((p) => `${p.name} (${displayPath(p.dir)})`).join(", ");
    report.notes = [...(report.notes ?? []), `also read the workspace packages the Worker depends on: ${list}`];
  }
  if (outside.length) {
    const shown = outside.slice(0, 4).map(displayPath).join(", ");
    const more = outside.length > 4 ? `, and ${outside.length - 4} more` : "";
    report.notes = [...(report.notes ?? []), `also read ${outside.length === 1 ? "a file" : `${outside.length} files`} of the repository outside the linted folder that its files import: ${shown}${more}`];
  }
  return withProjectNotes(report, project);
}

/** At most this many files are read from outside the linted folders (`importedOutside`). */
const MAX_OUTSIDE_FILES = 200;
/** What a relative specifier without a source extension may name, as esbuild probes it. */
const PROBES = [".ts", ".tsx", ".mts", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.tsx", "/index.js"];
/** A path with an extension that is no script's (`./styles.css`, `./data.json`): imported as it is when it exists. */
const OTHER_FILE = /\.(?![cm]?[jt]sx?$)[a-z0-9]+$/i;

/**
 * The source files inside `root` (the repository), outside the linted
 * folders `linted`, that a relative import of `files` names and `read`
 * does not hold (added to it), at most `budget`: `./x`, `./x.js` for
 * `./x.ts` (TypeScript's ESM spelling), `./dir` for its index. Resolved
 * through links, which must stay inside `root` too.
 */
function importedOutside(files, read, { root, linted, budget }) {
  const found = [];
  for (const file of files) {
    const dir = dirname(resolve(file.path));
    for (const spec of quotedSpecifiers(file)) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const base = resolve(dir, spec);
      // Most name a linted file: no probe.
      if (linted.some((dir) => isInside(dir, base, { followLinks: false }))) continue;
      const candidates = isSourceFile(base) ? [base, base.replace(/\.([cm]?)js(x?)$/, ".$1ts$2")] : PROBES.map((ext) => base + ext);
      if (candidates.some((c) => read.has(c)) || (OTHER_FILE.test(base) && isRegularInside(base, root))) continue;
      const abs = candidates.find((c) => isRegularInside(c, root));
      if (!abs) continue;
      read.add(abs);
      found.push(abs);
      if (found.length >= budget) return found;
    }
  }
  return found;
}

/** `path` is a regular file whose real path lies inside `root`, outside node_modules. */
function isRegularInside(path, root) {
  try {
    const real = realpathSync(path);
    return statSync(real).isFile() && isInside(root, real) && !real.split(sep).includes("node_modules");
  } catch {
    return false;
  }
}

/**
 * About how many files make a thread's worth of walking (`MIN_BYTES_PER_THREAD`
 * of source, at the 4 KB a file of the bench corpus): known before the files
 * are read, their sizes are not.
 */
const FILES_PER_THREAD = 128;

/**
 * Starts the workers a walk of `fileCount` files will likely want while the
 * files and the project are read, unless a cache (in `cacheDir`) likely
 * holds most walks: then few files are walked, if any.
 */
async function prestartFor(fileCount, threads, cacheDir) {
  const workers = Math.min((threads ?? availableParallelism()) - 1, Math.floor(fileCount / FILES_PER_THREAD) - 1);
  if (workers < 1 || (cacheDir && hasWalks(cacheDir))) return;
  (await threading()).prestartWorkers(workers);
}

/** `perf-optimizer bundle METAFILE`: analyze an existing metafile. */
export async function analyzeMetafile(metafilePath, options = {}) {
  const { parseMetafile } = await bundling();
  const abs = resolve(metafilePath);
  const label = displayPath(abs);
  const text = stripBom(readUserFile(abs, { maxBytes: MAX_BUNDLE_BYTES, what: "metafile", encoding: "utf8" }));
  const metafile = parseMetafile(text, label);
  const workingDir = resolve(options.root ?? guessWorkingDir(metafile, abs));
  const { config, json } = await loadConfig(workingDir, options.config);
  let project = null;
  try {
    project = loadProject(workingDir);
  } catch {
    // a bare metafile needs no project
  }
  const maxFileBytes = options.maxFileBytes ?? config.maxFileSize;
  return analyzeBuild({ metafileText: text, workingDir, configJson: json, lint: options.lint ?? true, label, project, baseline: options.baseline, maxFileBytes, threads: options.threads ?? config.threads, cache: options.cache });
}

/** The folder a metafile's paths are relative to: the cwd, or the metafile's folder or its parent. */
function guessWorkingDir(metafile, metafilePath) {
  const candidates = [process.cwd(), resolve(metafilePath, ".."), resolve(metafilePath, "..", "..")];
  const outputs = Object.keys(metafile.outputs);
  return candidates.find((dir) => outputs.every((o) => existsSync(resolve(dir, o)))) ?? process.cwd();
}


/**
 * `perf-optimizer why TARGET`: bundles the Worker in `dir` as deployed and
 * returns the import chains from the entry to TARGET (a package name or a
 * file), shortest first, as metafile input paths (relative to the project).
 */
export async function why(target, dir = ".", options = {}) {
  const project = loadProject(dir, { entry: options.entry });
  const bundle = await bundleWithHints(project, { build: options.build !== false, log: options.log });
  try {
    return callCore(displayPath(project.main), (core) => JSON.parse(core.why(bundle.metafileText, target)));
  } finally {
    bundle.cleanup();
  }
}
