// Sizes of installed packages, for `heavy-dependency` when `lint` runs without
// a bundle: the bytes of the module an import loads and of every module it
// statically imports within the package, read from node_modules. Only I/O:
// the core decides what is reported (src/rules/heavy_dependency.rs). Without
// node_modules nothing is measured, and nothing is guessed.
//
// The package is found as Node and esbuild find it, from the importing
// file's folder upwards; its entry through package.json `exports` with the
// conditions wrangler builds with (workerd, worker, browser, then import and
// default, in the package's key order: the rules of src/semantic/resolve.rs),
// else `browser` (a string), `module`, `main`, `index.js`.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { displayPath } from "./files.js";
import { bareSpecifiers } from "./specifiers.js";

/** Conditions wrangler passes to esbuild, then what an `import` matches. */
const CONDITIONS = ["workerd", "worker", "browser", "import", "default"];
/** Bounds of one measurement: modules followed, and bytes counted. */
export const MAX_MODULES = 400;
export const MAX_BYTES = 8 * 1024 * 1024;
/** Extensions probed for an import without one (what esbuild probes for package code). */
const PROBES = ["", ".js", ".mjs", ".cjs", ".json", "/index.js", "/index.mjs", "/index.cjs"];

/**
 * A module only a development build loads: wrangler builds with
 * `process.env.NODE_ENV` set to "production", so in a file that tests it
 * (`if (process.env.NODE_ENV === 'production') module.exports =
 * require('./cjs/x.production.min.js'); else … require('./cjs/x.development.js')`,
 * React's way) the development branch is dropped from the bundle.
 */
const DEVELOPMENT_BUILD = /[./-]development(?:\.min)?\.[cm]?js$/;
const TESTS_NODE_ENV = /process\.env\.NODE_ENV/;

/** Relative specifiers of static imports and requires in package code. */
const RELATIVE = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*)["'](\.\.?\/[^"'\s]*|\.\.?)["']/g;
/** Bare specifiers of static imports and requires in package code. */
const STATIC_BARE = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*)["']([^"'./\s][^"'\s]*)["']/g;

const isFile = (path) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The package name of a bare specifier (`@scope/name`, `name`), or null. */
function packageName(spec) {
  if (spec.includes(":")) return null;
  const parts = spec.split("/");
  if (spec.startsWith("@")) return parts.length > 1 && parts[1] ? `${parts[0]}/${parts[1]}` : null;
  return parts[0] || null;
}

/** The target an `exports` value gives `key` for CONDITIONS (null: none). */
function exportsTarget(exports, key) {
  const pick = (t, star) => {
    if (typeof t === "string") return star == null ? t : t.replaceAll("*", star);
    if (Array.isArray(t)) {
      for (const item of t) {
        const found = pick(item, star);
        if (found) return found;
      }
      return null;
    }
    if (t && typeof t === "object") {
      for (const [k, v] of Object.entries(t)) {
        if (CONDITIONS.includes(k)) {
          const found = pick(v, star);
          if (found) return found;
        }
      }
    }
    return null;
  };
  const map = exports && typeof exports === "object" && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith(".")) ? exports : { ".": exports };
  if (key in map) return pick(map[key], null);
  let best = null;
  for (const [k, v] of Object.entries(map)) {
    const star = k.indexOf("*");
    if (star < 0) continue;
    const [prefix, suffix] = [k.slice(0, star), k.slice(star + 1)];
    if (key.length >= prefix.length + suffix.length && key.startsWith(prefix) && key.endsWith(suffix) && (!best || prefix.length > best.prefix.length)) {
      best = { prefix, value: v, star: key.slice(prefix.length, key.length - suffix.length) };
    }
  }
  return best ? pick(best.value, best.star) : null;
}

const probe = (base) => PROBES.map((p) => base + p).find(isFile) ?? null;

/** The file `name/sub` loads from the package in `dir`, or null. */
function entryOf(dir, sub) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    return null;
  }
  if (pkg.exports !== undefined && pkg.exports !== null) {
    const target = exportsTarget(pkg.exports, sub ? `./${sub}` : ".");
    return target ? probe(resolve(dir, target)) : null;
  }
  if (sub) return probe(resolve(dir, sub)) ?? mainOf(resolve(dir, sub));
  return mainOf(dir, pkg);
}

/**
 * The text at `index` is on a comment line (` * import { parse } from
 * 'graphql/language';` in a JSDoc example, `// require('./x')`): what the
 * line starts with says, as package code writes its imports and requires
 * on lines of their own.
 */
function inComment(text, index) {
  const lineStart = text.lastIndexOf("\n", index) + 1;
  return COMMENT_LINE.test(text.slice(lineStart, index));
}
const COMMENT_LINE = /^\s*(?:\*|\/\/|\/\*)/;

/** A folder's entry by its package.json main fields, else index.js. */
function mainOf(dir, pkg) {
  if (!pkg) {
    try {
      pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    } catch {
      pkg = {};
    }
  }
  for (const field of ["browser", "module", "main"]) {
    if (typeof pkg[field] === "string") {
      const found = probe(resolve(dir, pkg[field]));
      if (found) return found;
    }
  }
  return probe(join(dir, "index"));
}

/**
 * The entry's bytes and those of the modules it statically imports within
 * the package (relative imports, and imports of the package by its own name,
 * the way Prisma's edge client loads its runtime; not a development build a
 * production bundle drops: `DEVELOPMENT_BUILD`), breadth first, bounded by
 * MAX_MODULES and MAX_BYTES (`complete` is false when a bound cut it short).
 */
function measure(entry, root, name) {
  const seen = new Set([entry]);
  const queue = [entry];
  let bytes = 0;
  let cjs = false;
  let esm = false;
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    const size = statSync(file).size;
    bytes += size;
    if (bytes >= MAX_BYTES) return { bytes, modules: i + 1, complete: false, cjs };
    if (!/\.[cm]?js$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    if (i === 0) {
      esm = /^\s*(import|export)\b/m.test(text) || file.endsWith(".mjs");
      cjs = !esm;
    }
    const production = TESTS_NODE_ENV.test(text);
    const targets = [...text.matchAll(RELATIVE)]
      .filter((match) => !inComment(text, match.index) && !(production && DEVELOPMENT_BUILD.test(match[1])))
      .map((match) => probe(resolve(dirname(file), match[1])));
    for (const match of text.matchAll(STATIC_BARE)) {
      if (packageName(match[1]) === name && !inComment(text, match.index)) targets.push(entryOf(root, match[1].slice(name.length + 1)));
    }
    for (const target of targets) {
      if (!target || seen.has(target) || !target.startsWith(root)) continue;
      if (seen.size >= MAX_MODULES) return { bytes, modules: queue.length, complete: false, cjs };
      seen.add(target);
      queue.push(target);
    }
  }
  return { bytes, modules: queue.length, complete: true, cjs };
}

/** The folders at or above `dir` that have a node_modules, nearest first; `cache` keeps each folder's answer. */
function moduleRoots(dir, cache) {
  let roots = cache.get(dir);
  if (roots) return roots;
  const parent = dirname(dir);
  const above = parent === dir ? [] : moduleRoots(parent, cache);
  roots = existsSync(join(dir, "node_modules")) ? [dir, ...above] : above;
  cache.set(dir, roots);
  return roots;
}

/** `node_modules/<name>` in the nearest of `roots` that has it, or null. */
function findPackage(roots, name) {
  for (const scope of roots) {
    const dir = join(scope, "node_modules", name);
    if (existsSync(join(dir, "package.json"))) return { dir, scope };
  }
  return null;
}

/**
 * The installed packages the `files` (path, source) import: one record per
 * package folder and specifier, `{ specifier, scope, path, entry, bytes,
 * modules, complete, cjs }`, paths as display paths. `scope` is the folder
 * whose node_modules holds the package: the record applies to the files
 * under it.
 */
export function installedPackages(files) {
  const rootsOf = new Map();
  const rootsOfPath = new Map();
  const found = new Map();
  const measured = new Map();
  for (const file of files) {
    // No node_modules above the file: nothing to measure, not even its text to read.
    const folder = dirname(file.path);
    let roots = rootsOfPath.get(folder);
    if (!roots) rootsOfPath.set(folder, (roots = moduleRoots(resolve(folder), rootsOf)));
    if (roots.length === 0) continue;
    for (const specifier of bareSpecifiers(file)) {
      const name = packageName(specifier);
      if (!name) continue;
      const where = `${roots[0]}\n${name}`;
      if (!found.has(where)) found.set(where, findPackage(roots, name));
      const pkg = found.get(where);
      if (!pkg) continue;
      const key = `${pkg.dir}\n${specifier}`;
      if (measured.has(key)) continue;
      measured.set(key, null);
      const entry = entryOf(pkg.dir, specifier.slice(name.length + 1));
      if (!entry) continue;
      const size = measure(entry, pkg.dir, name);
      measured.set(key, { specifier, scope: displayPath(pkg.scope), path: displayPath(pkg.dir), entry: displayPath(entry), ...size });
    }
  }
  return [...measured.values()].filter(Boolean);
}
