// The fuzzer's inputs: seed files, a seeded random source and the mutations.
// Input number `i` of a run with seed `S` depends on (S, i) and the seed
// files only, so any input can be rebuilt (`--replay I`) without the inputs
// before it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";

const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const MAX_SEED_BYTES = 256 * 1024;
/** A mutated input stops growing past this (the 4 MiB cap is the hostile e2e test's to check). */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** mulberry32: small, fast, good enough to pick mutations. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

/** The random source of input `iteration` of the run with `seed`. */
export const randomFor = (seed, iteration) => random(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(iteration + 1, 0xc2b2ae35));

function walk(dir, out, { skipNodeModules, limit = Infinity }) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return;
  }
  for (const entry of names) {
    if (out.length >= limit) return;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === ".git" || entry.name === ".wrangler" || (skipNodeModules && entry.name === "node_modules")) continue;
      walk(path, out, { skipNodeModules, limit });
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      if (statSync(path).size <= MAX_SEED_BYTES) out.push(path);
    }
  }
}

/** Packages whose shipped JS seeds the corpus, when a node_modules folder has them. */
const SEED_PACKAGES = ["hono", "zod", "drizzle-orm", "moment", "lodash", "itty-router", "cookie", "path-to-regexp"];
const FILES_PER_PACKAGE = 40;

/**
 * The seed corpus, in a stable order: tests/fixtures and examples/ sources,
 * plus up to 40 files of each of a few packages from the node_modules
 * folders given (those that exist).
 */
export function loadSeeds(root, nodeModulesDirs = []) {
  const paths = [];
  walk(join(root, "tests", "fixtures"), paths, { skipNodeModules: true });
  walk(join(root, "examples"), paths, { skipNodeModules: true });
  const packages = {};
  for (const dir of nodeModulesDirs) {
    for (const name of SEED_PACKAGES) {
      if (packages[name]) continue;
      const files = [];
      walk(join(dir, name), files, { skipNodeModules: true, limit: FILES_PER_PACKAGE });
      if (files.length) {
        packages[name] = files.length;
        paths.push(...files);
      }
    }
  }
  const seeds = paths.map((path) => ({ name: relative(root, path), ext: extname(path), bytes: readFileSync(path) }));
  return { seeds, packages };
}

// ---- mutations: each takes (text, rng) and returns text ----

const at = (text, rng) => rng.int(text.length + 1);
const insert = (text, pos, piece) => text.slice(0, pos) + piece + text.slice(pos);
const tokens = (text) => text.match(/[A-Za-z_$][\w$]*|\d+|\s+|[^\w\s]/g) ?? [];

const OPEN_CLOSE = [
  ["(", ")"], ["[", "]"], ["{", "}"], ["(a, ", ")"], ["f(", ")"], ["[0, ", "]"], ["{ a: ", " }"],
  ["() => ", ""], ["!", ""], ["-", ""], ["await ", ""], ["typeof ", ""], ["new ", ""],
  ["a ? ", " : b"], ["`${", "}`"], ["<div>", "</div>"], ["<>", "</>"], ["if (x) {", "}"],
  ["for (const x of y) {", "}"], ["function f() { return ", " }"], ["class C { m() {", "} }"],
  ["x.", ""], ["a + ", ""], ["Array<", ">"], ["/*", "*/"],
];

function nest(text, rng) {
  const [open, close] = rng.pick(OPEN_CLOSE);
  // Mostly around the depth guard (500), sometimes far past it.
  const depth = rng.pick([50, 200, 499, 500, 501, 1000, 3000, 10_000, 50_000]);
  const core = rng.pick(["x", "0", "a.b", "fetch(u)", ""]);
  return insert(text, at(text, rng), open.repeat(depth) + core + close.repeat(depth));
}

function longLine(text, rng) {
  const unit = rng.pick(["a+", "x,", "0,", " ", "/* */", "'s'+", "f(a)."]);
  const piece = unit.repeat(rng.pick([1_000, 50_000, 300_000]));
  if (rng.chance(0.2)) return text.replace(/\r?\n/g, ";");
  return insert(text, at(text, rng), piece);
}

function unbalanced(text, rng) {
  const piece = rng.pick(["(", ")", "[", "]", "{", "}", "'", '"', "`", "${", "/*", "*/", "//", "<", ">", "</", "/", "\\", "#", "@", "?.", "=>", "...", ";", ","]);
  let out = text;
  for (let n = 1 + rng.int(4); n > 0; n--) out = insert(out, at(out, rng), piece);
  return out;
}

const UNICODE = [
  "\u2028", "\u2029", "\r", "\r\n", "\u000b", "\u000c", "\u0085", "\u00a0", "\ufeff", "\u200b", "\u200d", "\u202e", "\u2066",
  "\ud800", "\udfff", "\ud83d", "\ud83d\ude00", "\u0301", "\u{10ffff}", "\u{1f600}", "é", "ß", "ǅ", "ℌ", "𝒳", "\u001b[31m", "\u0007", "\u0000",
  "'\\ud800'", '"\\udc00"', "\\u{D800}", "`\\ud83d`", "/\\ud800/u", "\\u0061", "a\\u200d",
];

function unicode(text, rng) {
  let out = text;
  for (let n = 1 + rng.int(6); n > 0; n--) out = insert(out, at(out, rng), rng.pick(UNICODE));
  if (rng.chance(0.15)) out = out.replace(/\r?\n/g, rng.pick(["\r", "\u2028", "\u2029", "\r\n"]));
  return out;
}

function hugeLiteral(text, rng) {
  const n = rng.pick([1_000, 20_000, 200_000]);
  const literal = rng.pick([
    () => "9".repeat(n),
    () => `0x${"f".repeat(n)}n`,
    () => `1e${"9".repeat(Math.min(n, 400))}`,
    () => `"${"a".repeat(n)}"`,
    () => `\`${"${x}".repeat(n / 5)}\``,
    () => `/${"a|".repeat(n / 2)}b/`,
    () => `[${"0,".repeat(n / 2)}]`,
    () => `{${Array.from({ length: Math.min(n, 20_000) }, (_, i) => `k${i}: ${i}`).join(",")}}`,
    () => `"${"\\u00e9".repeat(n / 6)}"`,
    () => "a.".repeat(n / 2) + "b",
    () => "x = ".repeat(n / 4) + "1",
    () => "await ".repeat(n / 6) + "fetch(u)",
  ])();
  return insert(text, at(text, rng), ` ${literal} `);
}

function deleteTokens(text, rng) {
  const list = tokens(text);
  if (!list.length) return text;
  const start = rng.int(list.length);
  list.splice(start, 1 + rng.int(rng.chance(0.8) ? 3 : 50));
  return list.join("");
}

function duplicateTokens(text, rng) {
  const list = tokens(text);
  if (!list.length) return text;
  const start = rng.int(list.length);
  const span = list.slice(start, start + 1 + rng.int(30));
  const copies = rng.chance(0.9) ? 1 + rng.int(3) : 1 + rng.int(2_000);
  list.splice(start, 0, ...Array.from({ length: copies }, () => span).flat());
  return list.join("");
}

function swapLines(text, rng) {
  const lines = text.split("\n");
  if (lines.length < 2) return text;
  const a = rng.int(lines.length);
  const b = rng.int(lines.length);
  [lines[a], lines[b]] = [lines[b], lines[a]];
  if (rng.chance(0.3)) lines.splice(rng.int(lines.length), 0, ...lines.slice(a, a + 1 + rng.int(20)));
  return lines.join("\n");
}

function splice(text, rng, other) {
  return text.slice(0, at(text, rng)) + other.slice(rng.int(other.length + 1));
}

const TEXT_MUTATIONS = [
  ["nest", nest, 3], ["long-line", longLine, 1], ["unbalanced", unbalanced, 3], ["unicode", unicode, 3],
  ["huge-literal", hugeLiteral, 1], ["delete-tokens", deleteTokens, 4], ["duplicate-tokens", duplicateTokens, 3],
  ["swap-lines", swapLines, 2], ["splice", splice, 2],
];
const WEIGHTED = TEXT_MUTATIONS.flatMap(([name, fn, weight]) => Array.from({ length: weight }, () => [name, fn]));

/** Byte-level flips and raw invalid UTF-8 (a lone surrogate as bytes, a stray continuation byte). */
function flipBytes(bytes, rng) {
  const out = Buffer.from(bytes);
  if (!out.length) return out;
  for (let n = 1 + rng.int(8); n > 0; n--) {
    const pos = rng.int(out.length);
    out[pos] = rng.chance(0.5) ? rng.int(256) : out[pos] ^ (1 << rng.int(8));
  }
  if (rng.chance(0.3)) {
    const raw = rng.pick([[0xed, 0xa0, 0x80], [0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xff, 0xfe], [0xe2, 0x80, 0xa8]]);
    const pos = rng.int(out.length);
    return Buffer.concat([out.subarray(0, pos), Buffer.from(raw), out.subarray(pos)]);
  }
  return out;
}

const EXTENSIONS = [".js", ".ts", ".mjs", ".cjs", ".tsx", ".jsx", ".mts"];

/**
 * Input number `iteration`: one seed, one to four mutations.
 * Returns { bytes, ext, seed (its name), mutations (their names) }.
 */
export function makeInput(seeds, seed, iteration) {
  const rng = randomFor(seed, iteration);
  const base = rng.pick(seeds);
  const mutations = [];
  let bytes = base.bytes;
  for (let n = 1 + rng.int(4); n > 0 && bytes.length <= MAX_INPUT_BYTES; n--) {
    if (rng.chance(0.15)) {
      mutations.push("flip-bytes");
      bytes = flipBytes(bytes, rng);
      continue;
    }
    const [name, fn] = rng.pick(WEIGHTED);
    mutations.push(name);
    const text = bytes.toString("utf8");
    bytes = Buffer.from(fn(text, rng, rng.pick(seeds).bytes.toString("utf8")), "utf8");
  }
  if (bytes.length > MAX_INPUT_BYTES) bytes = bytes.subarray(0, MAX_INPUT_BYTES);
  const ext = rng.chance(0.8) ? base.ext : rng.pick(EXTENSIONS);
  return { bytes, ext, seed: base.name, mutations };
}
