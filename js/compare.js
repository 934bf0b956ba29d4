// One Worker built two ways: the Vite build (@cloudflare/vite-plugin) that
// `check` analyzed, and esbuild with wrangler's settings on the same entry.
// Both are attributed by the same rule (the core's, through each build's
// metafile); where a package's bytes differ by more than 5%, the reasons are
// measured in the two outputs, module by module (the bundlers' own marker
// comments delimit each module's part): bytes in comments, bytes of
// indentation, modules that only one build has; the rest is other code.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { originOf } from "./attribution.js";
import { loadEsbuild, wranglerLikeOptions } from "./bundle.js";
import { PerfOptimizerError } from "./core.js";
import { markedModules } from "./vite.js";

/** A package's bytes must differ by more than this share to be explained. */
export const THRESHOLD = 0.05;

const toPosix = (p) => p.split(sep).join("/");
const kib = (n) => (Math.abs(n) < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/**
 * The bytes of `code` (JavaScript as a bundler wrote it) in comments and in
 * indentation: a scan that knows strings, template literals and regular
 * expression literals well enough not to take their slashes for comments.
 */
export function textShape(code) {
  let comments = 0;
  let indentation = 0;
  let i = 0;
  const n = code.length;
  // The last significant character: after one of these (or nothing), `/` starts a regular expression.
  let last = "";
  let lastWord = "";
  const regexAfter = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);
  const regexAfterWord = new Set(["return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await", "delete", "throw", "new", "instanceof"]);
  const templateDepth = [];
  let lineStart = true;
  while (i < n) {
    const c = code[i];
    if (lineStart) {
      let j = i;
      while (j < n && (code[j] === " " || code[j] === "\t")) j++;
      indentation += j - i;
      i = j;
      lineStart = false;
      continue;
    }
    if (c === "\n") {
      lineStart = true;
      i++;
      continue;
    }
    if (c === "/" && code[i + 1] === "/") {
      const end = code.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      comments += Buffer.byteLength(code.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      comments += Buffer.byteLength(code.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n && code[i] !== c && code[i] !== "\n") i += code[i] === "\\" ? 2 : 1;
      i++;
      last = c;
      lastWord = "";
      continue;
    }
    if (c === "`" || (c === "}" && templateDepth.length && templateDepth.at(-1) === 0)) {
      if (c === "}") templateDepth.pop();
      i++;
      while (i < n && code[i] !== "`") {
        if (code[i] === "\\") i += 2;
        else if (code[i] === "$" && code[i + 1] === "{") {
          templateDepth.push(0);
          i += 2;
          break;
        } else i++;
      }
      if (code[i] === "`") i++;
      last = "`";
      lastWord = "";
      continue;
    }
    if (c === "/" && (regexAfter.has(last) || regexAfterWord.has(lastWord))) {
      i++;
      let inClass = false;
      while (i < n && code[i] !== "\n") {
        if (code[i] === "\\") i += 2;
        else if (code[i] === "[") (inClass = true), i++;
        else if (code[i] === "]") (inClass = false), i++;
        else if (code[i] === "/" && !inClass) break;
        else i++;
      }
      i++;
      last = "/";
      lastWord = "";
      continue;
    }
    if (c === "{" && templateDepth.length) templateDepth[templateDepth.length - 1]++;
    if (c === "}" && templateDepth.length) templateDepth[templateDepth.length - 1]--;
    if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(code[j])) j++;
      lastWord = code.slice(i, j);
      last = "a";
      i = j;
      continue;
    }
    if (c !== " " && c !== "\t" && c !== "\r") {
      last = c;
      lastWord = "";
    }
    i++;
  }
  return { comments, indentation };
}

/**
 * One build as the comparison sees it: per package (`name@version` as the
 * report names it, keyed by its folder), its bytes by the metafile, its
 * modules (paths relative to `root`) and their bytes, and the shape of its
 * text in the outputs (comments, indentation), measured in the parts the
 * bundler's marker comments delimit; per first-party file, its bytes.
 */
export function buildShape({ metafile, workingDir, root, files }) {
  const rel = (p) => toPosix(relative(root, resolve(workingDir, p)));
  const packages = new Map();
  const firstParty = new Map();
  const inputs = new Set(Object.keys(metafile.inputs).map(rel));
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, part] of Object.entries(output.inputs ?? {})) {
      const path = rel(input);
      const origin = originOf(path);
      const bytes = Number(part.bytesInOutput) || 0;
      if (origin.kind === "firstParty") firstParty.set(path, (firstParty.get(path) ?? 0) + bytes);
      if (origin.kind !== "package") continue;
      const p = packages.get(origin.root) ?? { root: origin.root, name: origin.name, bytes: 0, modules: new Map(), formats: new Map(), comments: 0, indentation: 0, measured: 0 };
      p.bytes += bytes;
      if (bytes > 0) p.modules.set(path, (p.modules.get(path) ?? 0) + bytes);
      const format = metafile.inputs[input]?.format;
      if (format) p.formats.set(path, format);
      packages.set(origin.root, p);
    }
  }
  for (const file of files) {
    const code = file.contents.toString("utf8");
    const base = toPosix(relative(root, workingDir));
    const isModule = (name) => name.startsWith("\\0") || inputs.has(name) || inputs.has(toPosix(join(base, name)));
    for (const { path, text } of markedModules(code, isModule)) {
      const origin = originOf(rel(path));
      if (origin.kind !== "package") continue;
      const p = packages.get(origin.root);
      if (!p) continue;
      const shape = textShape(text);
      p.comments += shape.comments;
      p.indentation += shape.indentation;
      p.measured += Buffer.byteLength(text);
    }
  }
  return { packages, firstParty };
}

/**
 * What differs between the Vite build (`vite`) and esbuild's (`esbuild`),
 * both buildShape: `{ samePackages, onlyVite, onlyEsbuild, sameFiles,
 * filesOnlyVite, filesOnlyEsbuild, differences }`, `differences` the
 * packages whose bytes differ by more than THRESHOLD, each with its
 * measured reasons (`[{ what, vite, esbuild, delta }]`, largest first, and
 * `rest`: the difference they leave unexplained).
 */
export function compareShapes(vite, esbuild) {
  const roots = (s) => [...s.packages.keys()].sort();
  const onlyVite = roots(vite).filter((r) => !esbuild.packages.has(r));
  const onlyEsbuild = roots(esbuild).filter((r) => !vite.packages.has(r));
  const files = (s) => [...s.firstParty.keys()].filter((f) => s.firstParty.get(f) > 0).sort();
  const filesOnlyVite = files(vite).filter((f) => !esbuild.firstParty.get(f));
  const filesOnlyEsbuild = files(esbuild).filter((f) => !vite.firstParty.get(f));
  const differences = [];
  for (const root of roots(vite).filter((r) => esbuild.packages.has(r))) {
    const a = vite.packages.get(root);
    const b = esbuild.packages.get(root);
    if (Math.abs(a.bytes - b.bytes) <= THRESHOLD * Math.max(b.bytes, 1)) continue;
    const reasons = [];
    // Measured only where the markers delimited (nearly) all of the package in both outputs.
    const measured = (s) => s.bytes > 0 && s.measured >= 0.95 * s.bytes;
    if (measured(a) && measured(b)) {
      reasons.push({ what: "comments", vite: a.comments, esbuild: b.comments });
      reasons.push({ what: "indentation", vite: a.indentation, esbuild: b.indentation });
    }
    // Modules one build has and the other not (another entry of the package, another format, tree-shaking).
    const only = (x, y) => [...x.modules].filter(([path]) => !y.modules.has(path)).map(([path, bytes]) => ({ path, bytes, format: x.formats.get(path) }));
    const onlyA = only(a, b);
    const onlyB = only(b, a);
    if (onlyA.length) reasons.push({ what: "modules only in the Vite build", modules: onlyA, vite: onlyA.reduce((s, m) => s + m.bytes, 0), esbuild: 0 });
    if (onlyB.length) reasons.push({ what: "modules only in esbuild's build", modules: onlyB, vite: 0, esbuild: onlyB.reduce((s, m) => s + m.bytes, 0) });
    for (const r of reasons) r.delta = r.vite - r.esbuild;
    const kept = reasons.filter((r) => Math.abs(r.delta) >= Math.max(1024, 0.01 * b.bytes)).sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
    const delta = a.bytes - b.bytes;
    differences.push({ root, name: a.name, vite: a.bytes, esbuild: b.bytes, delta, reasons: kept, rest: delta - kept.reduce((s, r) => s + r.delta, 0) });
  }
  differences.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return { samePackages: onlyVite.length === 0 && onlyEsbuild.length === 0, packages: roots(vite).length, onlyVite, onlyEsbuild, sameFiles: filesOnlyVite.length === 0 && filesOnlyEsbuild.length === 0, files: files(vite).length, filesOnlyVite, filesOnlyEsbuild, differences };
}

/** The comparison in sentences, for the report's notes. */
export function comparisonNotes(c) {
  const notes = [];
  const list = (xs) => xs.join(", ");
  const head = `Compared with esbuild on the same entry (wrangler's settings):`;
  const packages = c.samePackages ? `the same ${c.packages} packages` : `packages only in the Vite build: ${list(c.onlyVite) || "none"}; only in esbuild's: ${list(c.onlyEsbuild) || "none"}`;
  const files = c.sameFiles ? `the same ${c.files} files of yours` : `files only in the Vite build: ${list(c.filesOnlyVite) || "none"}; only in esbuild's: ${list(c.filesOnlyEsbuild) || "none"}`;
  notes.push(`${head} ${packages}, ${files}; ${c.differences.length ? `${c.differences.length} ${c.differences.length === 1 ? "package differs" : "packages differ"} by more than ${THRESHOLD * 100}% in bytes` : `no package differs by more than ${THRESHOLD * 100}% in bytes`}.`);
  for (const d of c.differences) {
    const pct = d.esbuild > 0 ? `${d.delta > 0 ? "+" : ""}${((d.delta / d.esbuild) * 100).toFixed(0)}%` : "new";
    const signed = (n) => `${n > 0 ? "+" : "-"}${kib(Math.abs(n))}`;
    const FORMATS = { cjs: "CommonJS", esm: "ESM" };
    const moduleList = (modules) =>
      modules.length <= 3
        ? modules.map((m) => `${m.path} (${kib(m.bytes)}${m.format ? `, ${FORMATS[m.format] ?? m.format}` : ""})`).join(", ")
        : `${modules.length} modules (${kib(modules.reduce((s, m) => s + m.bytes, 0))})`;
    const why = d.reasons.map((r) => (r.modules ? `${r.what}: ${moduleList(r.modules)}` : `${r.what} ${kib(r.vite)} here, ${kib(r.esbuild)} in esbuild's (${signed(r.delta)})`));
    if (d.reasons.length === 0 || Math.abs(d.rest) >= Math.max(1024, 0.01 * d.esbuild)) why.push(`other code ${signed(d.rest)} (how each bundler writes and tree-shakes it)`);
    notes.push(`${d.name} (${d.root}): ${kib(d.vite)} in the Vite build, ${kib(d.esbuild)} from esbuild (${pct}): ${why.join("; ")}.`);
  }
  return notes;
}

/**
 * Bundles the Worker `project` (its wrangler config's main) with the
 * project's esbuild and wrangler's settings, into a temporary folder, and
 * compares it with the Vite build `build` (vite.js, a record of one).
 */
export async function compareWithEsbuild(build, project) {
  if (!project?.main) throw new PerfOptimizerError("--compare-esbuild: the Worker's wrangler config has no main to bundle with esbuild");
  const esbuild = await loadEsbuild(project.dir);
  if (!esbuild) throw new PerfOptimizerError("--compare-esbuild: esbuild is not installed in the project (wrangler brings it: npm install -D wrangler)");
  const outdir = mkdtempSync(join(tmpdir(), "perf-optimizer-compare-"));
  try {
    let result;
    try {
      result = await esbuild.build(wranglerLikeOptions(project, outdir));
    } catch (error) {
      throw new PerfOptimizerError(`--compare-esbuild: esbuild could not bundle ${project.main}: ${String(error.message).split("\n")[0]}`);
    }
    const files = Object.keys(result.metafile.outputs)
      .filter((p) => /\.(m|c)?js$/.test(p))
      .map((p) => ({ path: resolve(project.dir, p), contents: readFileSync(resolve(project.dir, p)) }));
    const esbuildShape = buildShape({ metafile: result.metafile, workingDir: project.dir, root: build.root, files });
    const viteShape = buildShape({ metafile: build.metafile, workingDir: build.root, root: build.root, files: build.files });
    return compareShapes(viteShape, esbuildShape);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
