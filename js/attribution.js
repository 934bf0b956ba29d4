// Attribution, in one place: which package or first-party file a byte of
// the bundle or a tick of a startup profile belongs to.
//   - path → package: asked of the core (`pathOrigins`, the same rule the
//     bundle and startup analyses apply), never re-derived here;
//   - source maps, decoded with @jridgewell/sourcemap-codec: where the bytes
//     of a pre-bundled input come from (an input that is itself a bundle:
//     OpenNext's handler.mjs, a vendored SDK build), and where a position of
//     the generated bundle comes from (startup profiles).
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { callCore } from "./core.js";
import { displayPath, isInside, lazyRequire, MAX_BUNDLE_BYTES, readUserFile } from "./files.js";

/**
 * Where each path belongs, per the core: `{ kind: "package", root, name }`,
 * `{ kind: "runtime" }` or `{ kind: "firstParty" }`. One call for the batch;
 * answers are cached (paths repeat across maps, comments and profiles).
 */
export function origins(paths) {
  const missing = [...new Set(paths.filter((p) => !originCache.has(p)))];
  if (missing.length) {
    const answers = callCore("the bundle's paths", (core) => JSON.parse(core.pathOrigins(missing)));
    missing.forEach((p, i) => originCache.set(p, answers[i]));
  }
  return paths.map((p) => originCache.get(p));
}
const originCache = new Map();

/** The origin of one path (see `origins`). */
export const originOf = (path) => origins([path])[0];

/** The package `{ root, name }` a path is in, or null. */
export function packageOf(path) {
  const o = originOf(path);
  return o.kind === "package" ? o : null;
}

/** The mappings' segments per generated line (the codec loads on first use). */
const decode = (mappings) => lazyRequire("@jridgewell/sourcemap-codec").decode(mappings);

const toPosix = (p) => p.split(sep).join("/");
const isCode = (p) => /\.(m|c)?js$/.test(p);
/** A source map source or input that names no file (`wrangler:…`, `webpack://…`). */
const isNamespaced = (p) => /^[\w-]{2,}:/.test(p);
/** Enough of a file's end to hold a `//# sourceMappingURL=` comment to a file. */
const TAIL_BYTES = 4096;

/** The URL of the file's trailing `//# sourceMappingURL=` comment, or null. */
export function sourceMappingURL(text) {
  const at = text.lastIndexOf("sourceMappingURL=");
  if (at < 3) return null;
  const m = /^sourceMappingURL=([^\s'"]+)\s*$/.exec(text.slice(at));
  const before = text.slice(Math.max(0, at - 8), at);
  return m && /\/\/[#@][ \t]*$/.test(before) ? m[1] : null;
}

/** The end of a file: enough to see whether it ends with a source map comment. */
function tailOf(file) {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return { text: buf.toString("utf8"), whole: length === size };
  } finally {
    closeSync(fd);
  }
}

/**
 * The source map a file links to with its trailing comment (a file next to
 * it or an inline `data:` URL), as `{ map, dir }` where `dir` is the folder
 * its sources are relative to; null when there is none or it is unreadable.
 */
export function linkedSourceMap(file, text, root) {
  const url = sourceMappingURL(text);
  if (!url) return null;
  try {
    if (url.startsWith("data:")) {
      const comma = url.indexOf(",");
      const meta = url.slice(5, comma);
      const body = url.slice(comma + 1);
      const json = meta.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
      return { map: JSON.parse(json), dir: dirname(file) };
    }
    const mapFile = url.startsWith("file:") ? fileURLToPath(url) : resolve(dirname(file), decodeURIComponent(url));
    // Only a map inside the project or beside the file (a hoisted package's
    // map sits outside the project), not `/dev/zero` or `../../elsewhere`;
    // and only a regular file of bounded size.
    if (!existsSync(mapFile) || !(isInside(root, mapFile) || isInside(dirname(file), mapFile))) return null;
    return { map: JSON.parse(readUserFile(mapFile, { maxBytes: MAX_BUNDLE_BYTES, what: "source map", encoding: "utf8" })), dir: dirname(mapFile) };
  } catch {
    return null;
  }
}

/**
 * A source's absolute path: `sourceRoot` + source, relative to `dir` (the
 * map's folder). `file:` URLs are paths; other URLs (`webpack://pkg/./x`)
 * keep their path part, relative to `dir`.
 */
export function sourcePath(map, source, dir) {
  let s = `${map.sourceRoot ? `${map.sourceRoot.replace(/\/?$/, "/")}` : ""}${source ?? ""}`;
  if (s.startsWith("file:")) return fileURLToPath(s);
  s = s.replace(/^[a-z][\w+.-]*:\/\/[^/]*\/?/i, "");
  return isAbsolute(s) ? s : resolve(dir, s);
}

/**
 * Decoded mappings: per generated line, the segments that have a source,
 * as `[column, sourceIndex, originalLine, originalColumn]`, sorted by column.
 * Throws on a map it cannot read (an index map with `sections`).
 */
export function decodeMappings(map) {
  if (typeof map?.mappings !== "string") throw new Error("the source map has no mappings");
  return decode(map.mappings).map((segs) => segs.filter((s) => s.length >= 4).sort((a, b) => a[0] - b[0]));
}

/**
 * Where generated position (0-based `line`, optional 0-based UTF-16
 * `column`) comes from: the line's last mapped segment at or before the
 * column (without a column, or before the first one: the line's first),
 * as `{ source, line, column }` (0-based), or null.
 */
export function originalPosition(lines, line, column) {
  const segs = lines[line];
  if (!segs?.length) return null;
  let seg = segs[0];
  if (column != null) {
    for (const s of segs) {
      if (s[0] > column) break;
      seg = s;
    }
  }
  return { source: seg[1], line: seg[2], column: seg[3] };
}

/**
 * A bundler's module-path comment (`// node_modules/x/index.js` at column
 * 0) or the source map comment: dropped when the file is bundled again.
 */
const isDroppedComment = (line) => /^\/\/ \S/.test(line) || /^\/\/[#@] ?source(Mapping)?URL=/.test(line);

/**
 * Bytes (UTF-8) of generated code per source index of `map` over the file
 * `text`: each mapped segment runs to the next segment, newlines included;
 * lines without a mapping continue the code before them (a comment inside a
 * module, a multi-line string), except a bundler's module-path comments,
 * which count nowhere (a bundler drops them when it bundles the file
 * again). Code after a segment without a source, or before the first
 * mapping (a bundler's helpers), is `unmappedBytes`.
 */
export function bytesPerSource(text, map) {
  const all = decode(map.mappings);
  const bytes = new Map();
  let unmapped = 0;
  // The segment code without a mapping of its own continues (a comment
  // inside a module, the rest of a multi-line statement).
  let current = null;
  // The path in the last module-path comment (`// node_modules/drizzle-orm/
  // sql/sql.js`, esbuild's, unminified), per source index; named as
  // packages at the end, in one batch.
  let header = null;
  const headers = new Map();
  const add = (seg, n) => {
    if (seg && seg.length >= 4) {
      bytes.set(seg[1], (bytes.get(seg[1]) ?? 0) + n);
      if (header) {
        const h = headers.get(seg[1]) ?? new Map();
        h.set(header, (h.get(header) ?? 0) + n);
        headers.set(seg[1], h);
      }
    } else unmapped += n;
  };
  let start = 0;
  for (let i = 0; start <= text.length; i++) {
    let end = text.indexOf("\n", start);
    const last = end === -1;
    if (last) end = text.length;
    const line = text.slice(start, end);
    const eol = last ? 0 : 1;
    const segs = (all[i] ?? []).slice().sort((a, b) => a[0] - b[0]);
    const ascii = Buffer.byteLength(line) === line.length;
    const size = (a, b) => (ascii ? b - a : Buffer.byteLength(line.slice(a, b)));
    if (!segs.length) {
      if (isDroppedComment(line)) {
        if (line.startsWith("// ")) header = line.slice(3).trim();
      } else add(current, size(0, line.length) + eol);
    } else {
      for (let k = 0; k < segs.length; k++) {
        const from = k === 0 ? 0 : Math.min(segs[k][0], line.length);
        const to = k + 1 < segs.length ? Math.min(segs[k + 1][0], line.length) : line.length;
        add(segs[k], Math.max(0, size(from, to)) + (k + 1 === segs.length ? eol : 0));
      }
      current = segs[segs.length - 1];
    }
    if (last) break;
    start = end + 1;
  }
  return { bytes, unmappedBytes: unmapped, headers: headersByPackage(headers) };
}

/** `index → (comment path → bytes)` as `index → (package name → bytes)`. */
function headersByPackage(headers) {
  const named = new Map();
  for (const [index, paths] of headers) {
    const found = origins([...paths.keys()]);
    const byName = new Map();
    [...paths].forEach(([, n], i) => {
      if (found[i].kind === "package") byName.set(found[i].name, (byName.get(found[i].name) ?? 0) + n);
    });
    if (byName.size) named.set(index, byName);
  }
  return named;
}

/**
 * The breakdown of a metafile's pre-bundled inputs through their source
 * maps, for the core (`bundle.inputSources`): `{ [input]: { sources: [{
 * path, bytes }], unmappedBytes } }`, paths relative to `workingDir` like the
 * metafile's. An input counts as pre-bundled when its map has sources from
 * another package than its own, or (outside node_modules) two or more
 * sources; a compiled file with one source of its own stays as it is.
 * Only inputs inside `root` are read (the others stay one row each).
 */
export function prebundledSources(metafile, workingDir, root = workingDir) {
  const inOutput = new Set();
  for (const [out, o] of Object.entries(metafile.outputs ?? {})) {
    if (!isCode(out)) continue;
    for (const [p, part] of Object.entries(o.inputs ?? {})) if (part?.bytesInOutput > 0) inOutput.add(p);
  }
  const result = {};
  const packages = new Map();
  const isPackage = (root) => {
    if (!packages.has(root)) packages.set(root, existsSync(resolve(workingDir, root, "package.json")));
    return packages.get(root);
  };
  for (const input of inOutput) {
    if (!isCode(input) || originOf(input).kind === "runtime") continue;
    const file = resolve(workingDir, input);
    // (Packages may be links into a package manager's store: by the path.)
    if (!isInside(root, file, { followLinks: false })) continue;
    let text;
    try {
      const tail = tailOf(file);
      if (!tail.text.includes("sourceMappingURL=")) {
        // An inline map longer than the tail: its comment starts earlier.
        if (tail.whole || !/^[A-Za-z0-9+/=]+\s*$/.test(tail.text.slice(-200))) continue;
      }
      text = readUserFile(file, { maxBytes: MAX_BUNDLE_BYTES, encoding: "utf8" });
    } catch {
      continue;
    }
    const linked = linkedSourceMap(file, text, workingDir);
    if (!linked || typeof linked.map.mappings !== "string" || !Array.isArray(linked.map.sources)) continue;
    const paths = linked.map.sources.map((s) => toPosix(relative(workingDir, sourcePath(linked.map, s, linked.dir))));
    const ownRoot = packageOf(input)?.root;
    const roots = new Set(origins(paths).map((o) => o.root));
    // (A package's own compiled file whose map points outside it, to no
    // installed package, is not a bundle either.)
    const bundled = ownRoot ? [...roots].some((r) => r && r !== ownRoot && isPackage(r)) : new Set(paths).size > 1 || [...roots].some(Boolean);
    if (!bundled) continue;
    let counted;
    try {
      counted = bytesPerSource(text, linked.map);
    } catch {
      continue; // an unreadable map: the input stays one row
    }
    const byPath = new Map();
    for (const [index, bytes] of counted.bytes) {
      let path = paths[index];
      // A package's own map that points outside the package (drizzle-orm's
      // `../../src/x.ts`), composed into the bundle's map, names a folder
      // that is no package: placed in the package the bundle's module-path
      // comments name around its code when that one is installed there,
      // else its bytes stay with the input.
      const pkg = path === undefined ? null : packageOf(path);
      if (pkg && !isPackage(pkg.root)) path = repairedPath(path, pkg, counted.headers.get(index), isPackage);
      if (path === undefined) counted.unmappedBytes += bytes;
      else byPath.set(path, (byPath.get(path) ?? 0) + bytes);
    }
    if (!byPath.size) continue;
    result[input] = {
      sources: [...byPath].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1)),
      unmappedBytes: counted.unmappedBytes,
    };
  }
  return result;
}

/**
 * `X/node_modules/src/a.ts` (in `pkg`, no such package) → `X/node_modules/P/src/a.ts`
 * where P is the package the module-path comments most often name over the
 * source's code (`headers`: name → bytes) and is installed at
 * `X/node_modules/P`; undefined when there is none.
 */
export function repairedPath(path, pkg, headers, isPackage) {
  if (!headers?.size) return undefined;
  const [name] = [...headers].sort((a, b) => b[1] - a[1])[0];
  const base = pkg.root.slice(0, pkg.root.length - pkg.name.length);
  if (!isPackage(base + name)) return undefined;
  return base + name + "/" + path.slice(base.length);
}

/** Per line of a bundle, the package its last module-path comment names (or null). */
export function headerPackages(text) {
  const paths = [];
  let header = null;
  for (const line of text.split("\n")) {
    if (/^\/\/ \S/.test(line)) header = line.slice(3).trim();
    paths.push(header);
  }
  const unique = [...new Set(paths.filter(Boolean))];
  const names = new Map(origins(unique).map((o, i) => [unique[i], o.kind === "package" ? o.name : null]));
  return paths.map((p) => (p ? names.get(p) : null));
}

/**
 * What the core needs to attribute startup profiles (`startup` of the
 * analyze input, without the profiles): the bundle positions the profiles
 * name, mapped through `map`, the source map of the bundle file `main`;
 * its sources as display paths, with the text of the first-party ones (the
 * core quotes their import lines). Throws on a map it cannot decode.
 */
export function startupPositions(profiles, main, map) {
  const dir = dirname(main);
  const sources = (map.sources ?? []).map((s) => (isNamespaced(s) ? s : displayPath(sourcePath(map, s, dir))));
  const firstParty = origins(sources).map((o) => o.kind === "firstParty");
  const sourcesContent = sources.map((_, i) => (firstParty[i] ? map.sourcesContent?.[i] ?? null : null));
  const bundleFile = basename(main);
  const positions = mapProfilePositions(profiles, bundleFile, decodeMappings(map));
  placeStraySources(positions, sources, sourcesContent, main);
  return { bundleFile, positions, sources, sourcesContent };
}

/**
 * A package's own map that points outside the package (drizzle-orm's
 * `../../src/x.ts`), chained by esbuild into the bundle's map, names
 * `node_modules/src/x.ts`: such positions go to the same file inside the
 * package the bundle's module-path comment (`// node_modules/drizzle-orm/…`)
 * names at that line, when it is installed there.
 */
function placeStraySources(positions, sources, sourcesContent, main) {
  let headers;
  const isPackage = (root) => existsSync(resolve(root, "package.json"));
  const known = new Map();
  for (const p of positions) {
    const path = sources[p.source];
    const pkg = path ? packageOf(path) : null;
    if (!pkg) continue;
    const { root } = pkg;
    if (!known.has(root)) known.set(root, isPackage(root));
    if (known.get(root)) continue;
    try {
      headers ??= headerPackages(readUserFile(main, { maxBytes: MAX_BUNDLE_BYTES, encoding: "utf8" }));
    } catch {
      return;
    }
    const name = headers[p.line];
    const repaired = name ? repairedPath(path, pkg, new Map([[name, 1]]), isPackage) : undefined;
    if (!repaired) continue;
    let index = sources.indexOf(repaired);
    if (index === -1) {
      index = sources.push(repaired) - 1;
      sourcesContent.push(null);
    }
    p.source = index;
  }
}

/**
 * The bundle positions the profiles name (each line with ticks; each
 * function's start), mapped through the decoded source map `lines`: the
 * core aggregates the time by source and line.
 */
export function mapProfilePositions(profiles, bundleFile, lines) {
  const positions = [];
  const seen = new Set();
  const add = (line, column) => {
    const key = `${line}:${column ?? ""}`;
    if (line < 0 || seen.has(key)) return;
    seen.add(key);
    const at = originalPosition(lines, line, column);
    if (at) positions.push({ line, ...(column == null ? {} : { column }), source: at.source, originalLine: at.line });
  };
  for (const text of profiles) {
    let profile;
    try {
      profile = JSON.parse(text);
    } catch {
      continue; // the core reports the broken profile
    }
    for (const node of profile?.nodes ?? []) {
      const frame = node?.callFrame ?? {};
      if (!frame.url || !String(frame.url).endsWith(bundleFile)) continue;
      for (const tick of node.positionTicks ?? []) add(Math.max(0, tick.line - 1), null);
      if (frame.lineNumber >= 0) add(frame.lineNumber, Math.max(0, frame.columnNumber ?? 0));
    }
  }
  return positions;
}

