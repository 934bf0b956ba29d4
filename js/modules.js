// Module resolution facts for the core (`project.modules` of its input): the
// tsconfig.json nearest to each analyzed file with every config it
// `extends`, and the package.json nearest to each analyzed file (the
// project's own and its workspace packages). This module only finds and
// reads files; the core merges the `extends` chain and resolves
// (src/semantic/resolve.rs), so the rules are tested in one place.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { displayPath, globMatcher, readUserFile, stripBom } from "./files.js";
import { readJsonc } from "./project.js";

/**
 * The nearest file called one of `names` at or above `dir` (the first of
 * them where a folder has several); `seen` remembers the answer of every
 * folder walked. A name is looked up, not the folder listed: a folder of
 * node_modules lists hundreds of entries (the bench corpus's ~150 folders:
 * 6 ms listed, under 1 ms looked up).
 */
function nearest(dir, names, seen) {
  const walked = [];
  let found = null;
  for (let d = dir; ; ) {
    if (seen.has(d)) {
      found = seen.get(d);
      break;
    }
    walked.push(d);
    const name = names.find((n) => existsSync(join(d, n)));
    if (name) {
      found = join(d, name);
      break;
    }
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of walked) seen.set(d, found);
  return found;
}

const isFile = (path) => existsSync(path) && statSync(path).isFile();

/**
 * The file `extends: spec` names, by TypeScript's rules: a relative path
 * (`.json` optional), or a package's file found from `dir` in node_modules
 * (`pkg/file.json`, `pkg/file`, `pkg` → its tsconfig.json).
 */
function extendsPath(spec, dir) {
  if (spec.startsWith(".") || isAbsolute(spec)) {
    const abs = resolve(dir, spec);
    return [abs, `${abs}.json`].find(isFile) ?? null;
  }
  const require = createRequire(join(dir, "tsconfig.json"));
  for (const candidate of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      const found = require.resolve(candidate);
      if (found.endsWith(".json")) return found;
    } catch {
      // not this form
    }
  }
  return null;
}

/** Reads the tsconfig at `path` and the configs it extends into `out` (absolute path → facts). */
function readTsconfig(path, out) {
  if (out.has(path)) return;
  let config;
  try {
    config = readJsonc(path);
  } catch {
    // A tsconfig that does not parse adds no facts; TypeScript reports it.
    return;
  }
  const facts = { path: displayPath(path), extends: [], appliesTo: [] };
  out.set(path, facts);
  const options = config?.compilerOptions ?? {};
  if (typeof options.baseUrl === "string") facts.baseUrl = options.baseUrl;
  if (options.paths && typeof options.paths === "object") facts.paths = options.paths;
  const list = typeof config?.extends === "string" ? [config.extends] : Array.isArray(config?.extends) ? config.extends : [];
  for (const spec of list.filter((s) => typeof s === "string")) {
    const target = extendsPath(spec, dirname(path)) ?? svelteKitTsconfig(spec, dirname(path), out);
    if (!target) continue;
    facts.extends.push(displayPath(target));
    readTsconfig(target, out);
  }
}

/** SvelteKit's config beside a project's tsconfig. */
const SVELTE_CONFIG_NAMES = ["svelte.config.js", "svelte.config.mjs", "svelte.config.ts"];
/** `alias: { … }` in a SvelteKit config: its string pairs (`"@/*": "./src/*"`, `$db: 'src/db'`). */
const KIT_ALIAS_BLOCK = /\balias\s*:\s*\{([^{}]*)\}/;
const KIT_ALIAS_PAIR = /["'`]?([^"'`\s:,{}]+)["'`]?\s*:\s*["'`]([^"'`]+)["'`]/g;

/**
 * `extends: "./.svelte-kit/tsconfig.json"` before SvelteKit has generated
 * it (a fresh checkout; the folder is not committed): its aliases as
 * SvelteKit writes them — `$lib` for src/lib and each `kit.alias` of
 * svelte.config.js (a name, or a `name/*` pattern) — recorded in `out` as
 * that file's facts. Null for any other missing config.
 */
function svelteKitTsconfig(spec, dir, out) {
  if (!/^\.\/\.svelte-kit\/tsconfig(\.json)?$/.test(spec)) return null;
  const config = SVELTE_CONFIG_NAMES.map((name) => join(dir, name)).find(isFile);
  if (!config) return null;
  const generated = join(dir, ".svelte-kit", "tsconfig.json");
  if (out.has(generated)) return generated;
  const aliases = { $lib: "src/lib" };
  try {
    const block = KIT_ALIAS_BLOCK.exec(readUserFile(config, { what: "SvelteKit config", encoding: "utf8" }))?.[1] ?? "";
    for (const [, name, target] of block.matchAll(KIT_ALIAS_PAIR)) aliases[name] = target;
  } catch {
    // An unreadable config: `$lib` alone.
  }
  // Relative to .svelte-kit/, where the generated file is.
  const fromGenerated = (target) => `../${target.replace(/^\.\//, "")}`;
  const paths = {};
  for (const [name, target] of Object.entries(aliases)) {
    if (name.endsWith("/*")) {
      paths[name] = [fromGenerated(target)];
    } else {
      paths[name] = [fromGenerated(target)];
      paths[`${name}/*`] = [`${fromGenerated(target)}/*`];
    }
  }
  out.set(generated, { path: displayPath(generated), extends: [], appliesTo: [], paths });
  return generated;
}

/** The config a `references` entry names: a file, or a folder's tsconfig.json. */
function referencePath(spec, dir) {
  const abs = resolve(dir, spec);
  return existsSync(abs) && statSync(abs).isDirectory() ? join(abs, "tsconfig.json") : abs;
}

/**
 * For a solution-style tsconfig.json (`references`, and no `paths` of its
 * own: Cloudflare's Vite templates put the Worker's aliases in
 * tsconfig.worker.json), its referenced projects in order, each with a test
 * of whether its `include` (`files`) covers a file (absolute path); empty
 * for any other config.
 */
function referencedProjects(path) {
  let config;
  try {
    config = readJsonc(path);
  } catch {
    return [];
  }
  if (!Array.isArray(config?.references) || config.compilerOptions?.paths) return [];
  const projects = [];
  for (const reference of config.references) {
    if (typeof reference?.path !== "string") continue;
    const target = referencePath(reference.path, dirname(path));
    let project;
    try {
      project = readJsonc(target);
    } catch {
      continue;
    }
    const base = dirname(target);
    const listed = Array.isArray(project?.files) ? project.files.filter((f) => typeof f === "string").map((f) => resolve(base, f)) : [];
    // TypeScript's default include is every file; a pattern without a
    // wildcard or an extension names a folder.
    const include = Array.isArray(project?.include) ? project.include : listed.length ? [] : ["**/*"];
    const globs = include.filter((g) => typeof g === "string").map((g) => g.replace(/^\.\//, "").replace(/\/$/, "")).map((g) => (/[*?]|\.[a-z]+$/i.test(g) ? g : `${g}/**`));
    const matches = globs.length ? globMatcher(globs, { dot: true }) : () => false;
    const covers = (file) => {
      const inside = relative(base, file);
      return listed.includes(file) || (!inside.startsWith("..") && !isAbsolute(inside) && matches(inside.split(sep).join("/")));
    };
    projects.push({ target, covers });
  }
  return projects;
}

/** What resolution needs from a package.json: name, exports, imports, main fields. */
function packageFacts(path) {
  let pkg;
  try {
    pkg = JSON.parse(stripBom(readUserFile(path, { encoding: "utf8" })));
  } catch {
    return null;
  }
  if (!pkg || typeof pkg !== "object") return null;
  const text = (value) => (typeof value === "string" ? value : undefined);
  return {
    path: displayPath(path),
    name: text(pkg.name),
    exports: pkg.exports ?? undefined,
    imports: pkg.imports ?? undefined,
    browser: text(pkg.browser),
    module: text(pkg.module),
    main: text(pkg.main),
  };
}

/** The target of the referenced project (of `projects`, in order) that most of `files` belong to (each to the first that covers it), or undefined. */
function projectOfMost(projects, files) {
  const counts = new Map();
  for (const file of files) {
    const project = projects.find(({ covers }) => covers(file));
    if (project) counts.set(project, (counts.get(project) ?? 0) + 1);
  }
  let best;
  for (const [project, count] of counts) if (!best || count > counts.get(best)) best = project;
  return best?.target;
}

const TSCONFIG_NAMES = ["tsconfig.json", "jsconfig.json"];

/** `{ tsconfigs, packages }` for the files at `paths` (relative to the working directory). */
export function moduleFacts(paths) {
  const tsSeen = new Map();
  const packageSeen = new Map();
  const tsconfigs = new Map();
  const packages = new Map();
  // Each folder once (and resolved once): a project has many files per folder.
  const byFolder = new Map();
  // Each solution-style tsconfig.json's projects, read once.
  const references = new Map();
  for (const path of paths) {
    const abs = resolve(path);
    const dir = dirname(abs);
    if (!byFolder.has(dir)) byFolder.set(dir, []);
    byFolder.get(dir).push(abs);
  }
  for (const dir of [...byFolder.keys()].sort()) {
    // A JavaScript project's jsconfig.json (SvelteKit's, say) as esbuild
    // reads it: where a folder has both, tsconfig.json.
    const tsconfig = nearest(dir, TSCONFIG_NAMES, tsSeen);
    if (tsconfig) readTsconfig(tsconfig, tsconfigs);
    // TypeScript's rule: a file belongs to the first referenced project
    // that includes it. The resolution is per folder: a folder whose files
    // belong to several projects (React Router's tsconfig.node.json names
    // app/lib/domain.ts, tsconfig.cloudflare.json all of app/) takes the
    // project of most of them.
    if (tsconfig && !references.has(tsconfig)) references.set(tsconfig, referencedProjects(tsconfig));
    const project = tsconfig && projectOfMost(references.get(tsconfig), byFolder.get(dir));
    if (project) {
      readTsconfig(project, tsconfigs);
      tsconfigs.get(project)?.appliesTo.push(displayPath(dir));
    }
    const pkg = nearest(dir, ["package.json"], packageSeen);
    if (pkg && !packages.has(pkg)) packages.set(pkg, packageFacts(pkg));
  }
  // The folder the paths are relative to: a config above it whose `paths`
  // lead back into it names its files by their own paths.
  const root = process.cwd().split(sep).join("/");
  return { tsconfigs: [...tsconfigs.values()], packages: [...packages.values()].filter(Boolean), root };
}
