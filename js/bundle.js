// Produces and measures the bundle exactly as deployed: wrangler's own dry
// run when the project has wrangler, else esbuild with wrangler's settings.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { builtinModules } from "node:module";
import { errorLines, esbuildErrors, failureLines, plainEnv } from "./buildlog.js";
import { callCore, PerfOptimizerError } from "./core.js";
import { displayPath, isInside, MAX_BUNDLE_BYTES, readUserFile } from "./files.js";
import { readJsonc } from "./project.js";
import { packageOf } from "./attribution.js";

/** wrangler's CLI script in the project, or null. */
export function projectWrangler(dir) {
  try {
    const require = createRequire(join(dir, "package.json"));
    const pkgPath = require.resolve("wrangler/package.json");
    const bin = join(dirname(pkgPath), "bin", "wrangler.js");
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** The project's esbuild (or ours), or null. */
export async function loadEsbuild(dir) {
  const wrangler = projectWrangler(dir);
  // wrangler's own esbuild, when the project has wrangler but not esbuild at its top level.
  for (const from of [join(dir, "package.json"), ...(wrangler ? [join(wrangler, "..", "..", "package.json")] : []), import.meta.url]) {
    try {
      const require = createRequire(from);
      return await import(require.resolve("esbuild"));
    } catch {
      // try the next place
    }
  }
  return null;
}

/**
 * Which bundler reproduces the deploy: wrangler's dry run when the project
 * has wrangler and a wrangler config, unless `build: false` and the config
 * has a `[build] command` (the dry run would run it); else esbuild with
 * wrangler's settings.
 */
function bundlerFor(project, { build = true } = {}) {
  const wrangler = projectWrangler(project.dir);
  return wrangler && project.configPath && (build || !project.buildCommand) ? wrangler : null;
}

/**
 * Bundles the project into a temporary folder. Returns `{ outdir,
 * metafileText, workingDir, tool, cleanup() }`; metafile paths are relative
 * to `workingDir`. `log(text)` hears what is about to run that the user
 * should know of (the config's `[build] command`); `build: false` runs no
 * build command and bundles `main` as it is on disk.
 */
export async function bundleProject(project, { keepDir, startup = false, build = true, log = () => {} } = {}) {
  const outdir = keepDir ?? mkdtempSync(join(tmpdir(), "perf-optimizer-"));
  const cleanup = () => keepDir || rmSync(outdir, { recursive: true, force: true });
  const wrangler = bundlerFor(project, { build });
  try {
    if (wrangler) {
      const metafilePath = join(outdir, "bundle-meta.json");
      const args = [wrangler, "deploy", "--dry-run", "--outdir", outdir, "--metafile", metafilePath];
      if (project.configPath) args.push("--config", project.configPath);
      if (project.entryGiven) args.push(project.main);
      if (project.buildCommand) log(`running the build command of ${displayPath(project.configPath)} (wrangler's dry run runs it; --no-build skips it): ${project.buildCommand}`);
      // For --startup: the upload bundle `wrangler check startup --worker`
      // takes, and the source map to attribute its profile.
      const workerBundle = startup ? join(outdir, "worker.bundle") : undefined;
      if (startup) args.push("--outfile", workerBundle, "--upload-source-maps");
      const result = spawnSync(process.execPath, args, {
        cwd: project.dir,
        encoding: "utf8",
        env: plainEnv({ ...process.env, WRANGLER_SEND_METRICS: "false" }),
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0 || !existsSync(metafilePath)) {
        throw new PerfOptimizerError(bundleFailure("wrangler", project, esbuildErrors(`${result.stderr ?? ""}\n${result.stdout ?? ""}`), result));
      }
      return { outdir, metafileText: readUserFile(metafilePath, { maxBytes: MAX_BUNDLE_BYTES, what: "metafile", encoding: "utf8" }), workingDir: project.dir, tool: "wrangler", wrangler, workerBundle, cleanup };
    }
    if (!existsSync(project.main)) {
      throw new PerfOptimizerError(`${displayPath(project.main)}: entry point not found; the build command \`${project.buildCommand}\` of ${displayPath(project.configPath)} should make it: run it first${build ? "" : ", or drop --no-build"}`);
    }
    if (project.buildCommand) {
      const why = build ? "wrangler is not installed, so its dry run does not run" : "--no-build: not running";
      log(`${why} the build command \`${project.buildCommand}\`; bundling ${displayPath(project.main)} as it is, with esbuild and wrangler's settings`);
    }
    const esbuild = await loadEsbuild(project.dir);
    if (!esbuild) {
      throw new PerfOptimizerError(`${relative(process.cwd(), project.dir) || "."}: neither wrangler nor esbuild is installed in the project (npm install -D wrangler)`);
    }
    let result;
    try {
      result = await esbuild.build(wranglerLikeOptions(project, outdir));
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      const errors = error.errors.map((e) => ({ text: e.text, file: e.location?.file ?? null, line: e.location?.line, column: e.location?.column }));
      throw new PerfOptimizerError(bundleFailure("esbuild", project, errors, { stderr: error.message }));
    }
    return { outdir, metafileText: JSON.stringify(result.metafile), workingDir: project.dir, tool: "esbuild", cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * The message for a bundle that failed: each esbuild error at its own place
 * (its path made relative to where the command runs), joined on one line;
 * without located errors, what the tool printed that reads as an error,
 * with the entry it was bundling.
 */
function bundleFailure(tool, project, errors, { stderr = "", stdout = "", status } = {}) {
  if (errors.length > 0) {
    const placed = errors.map((e) => {
      const path = e.file && resolve(project.dir, e.file);
      return path && existsSync(path) ? { ...e, file: relative(process.cwd(), path) } : e;
    });
    return `${tool} could not bundle the Worker: ${errorLines(placed).join("; ")}`;
  }
  const why = failureLines(`${stderr}\n${stdout}`).join(" ");
  const entry = relative(process.cwd(), project.main);
  return `${tool} could not bundle the Worker (entry ${entry})${why ? `: ${why}` : status === undefined ? "" : ` (exit ${status})`}`;
}

/**
 * esbuild options matching what wrangler (4.x `deploy`) uses for a Worker. Its
 * platform is esbuild's default, "browser": package.json `browser` maps apply
 * (@aws-sdk's fetch-based runtime config instead of the Node one), with the
 * workerd/worker/browser conditions; names are kept (`keep_names` defaults
 * to true) and NODE_ENV is "production".
 */
export function wranglerLikeOptions(project, outdir) {
  const nodeBuiltins = builtinModules.flatMap((m) => [m, `${m}/*`]);
  const nodeEnv = JSON.stringify(process.env.NODE_ENV || "production");
  return {
    absWorkingDir: project.dir,
    entryPoints: [project.main],
    bundle: true,
    format: "esm",
    target: "es2024",
    supported: { "import-source": true },
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    keepNames: true,
    define: {
      "navigator.userAgent": '"Cloudflare-Workers"',
      "process.env.NODE_ENV": nodeEnv,
      "global.process.env.NODE_ENV": nodeEnv,
      "globalThis.process.env.NODE_ENV": nodeEnv,
    },
    external: ["__STATIC_CONTENT_MANIFEST", "cloudflare:*", "node:*", ...(project.nodejsCompat ? nodeBuiltins : [])],
    outdir,
    metafile: true,
    sourcemap: true,
    minify: false,
    logLevel: "silent",
    loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx", ".wasm": "copy", ".bin": "copy", ".txt": "text", ".html": "text", ".sql": "text" },
  };
}

/** Raw, gzip and brotli bytes of one output file. */
export function measureBytes(path, bytes) {
  return {
    path,
    bytes: bytes.length,
    // wrangler reports gzip at zlib's default level (the size limit is on it).
    gzipBytes: gzipSync(bytes).length,
    // Brotli is informative: quality 9 is within ~10% of quality 11 and
    // about 20x faster (a 2 MB bundle: 0.15 s instead of 4 s on every build).
    brotliBytes: brotliCompressSync(bytes, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const isCode = (p) => /\.(m|c)?js$/.test(p);

/**
 * Measures the metafile's code outputs, read from disk relative to
 * `workingDir` or given as esbuild's `outputFiles`. Paths in the result are
 * display paths. A missing output is an error naming it.
 */
export function measureOutputs(metafile, workingDir, outputFiles, displayBase, label = "the metafile") {
  const byPath = new Map((outputFiles ?? []).map((f) => [resolve(f.path), f.contents]));
  return Object.keys(metafile.outputs)
    .filter(isCode)
    .map((out) => {
      const abs = resolve(workingDir, out);
      let bytes = byPath.get(abs);
      if (!bytes) {
        if (!existsSync(abs)) throw new PerfOptimizerError(`${relative(process.cwd(), abs)}: output file listed in the metafile is missing`);
        bytes = readUserFile(abs, { maxBytes: MAX_BUNDLE_BYTES, what: "output file" });
      }
      checkClaimedBytes(metafile.outputs[out], out, bytes.length, label);
      return measureBytes(relative(displayBase ?? process.cwd(), abs).split("\\").join("/"), bytes);
    });
}

/**
 * A metafile's sizes must fit the file it describes: an output's `bytes`,
 * and its inputs' `bytesInOutput` together, at most the output's real size
 * (a stale or forged metafile would otherwise drive every size finding).
 */
function checkClaimedBytes(output, out, actual, label) {
  const inconsistent = (claim) =>
    new PerfOptimizerError(`${label}: inconsistent metafile: ${claim} for ${out}, but the file has ${actual} bytes (is the metafile from another build?)`);
  if (typeof output?.bytes === "number" && output.bytes > actual) throw inconsistent(`it claims ${output.bytes} bytes`);
  const inInputs = Object.values(output?.inputs ?? {}).reduce((sum, part) => sum + (Number(part?.bytesInOutput) || 0), 0);
  if (inInputs > actual) throw inconsistent(`its inputs claim ${inInputs} bytes`);
}

/**
 * package.json facts (name, version) for the metafile's package roots, and
 * those of `extraPaths` (the original sources of pre-bundled inputs); a
 * package.json outside `within` is not read (the folder's name stands).
 */
export function readManifests(metafileText, workingDir, label, extraPaths = [], within = workingDir) {
  let roots = callCore(label, (core) => core.packageRoots(metafileText));
  if (extraPaths.length) {
    const extra = JSON.stringify({ inputs: Object.fromEntries(extraPaths.map((p) => [p, { bytes: 0 }])), outputs: {} });
    roots = [...new Set([...roots, ...callCore(label, (core) => core.packageRoots(extra))])].sort();
  }
  return roots.map((root) => {
    const file = resolve(workingDir, root, "package.json");
    let pkg = {};
    try {
      // Not outside the project (by the path: packages may be links into a
      // package manager's store): a metafile's paths do not make the tool read elsewhere.
      if (isInside(within, file, { followLinks: false })) pkg = readJsonc(file) ?? {};
    } catch {
      // A package without a readable package.json keeps its folder name.
    }
    const name = typeof pkg.name === "string" ? pkg.name : packageOf(root)?.name ?? root;
    return { root, name, version: typeof pkg.version === "string" ? pkg.version : undefined };
  });
}

/** Parses metafile text enough for the JS side (the core validates it fully). */
export function parseMetafile(text, label) {
  let metafile;
  try {
    metafile = JSON.parse(text);
  } catch (error) {
    throw new PerfOptimizerError(`${label}: not valid JSON (${error.message})${text.trim().length && !text.trim().endsWith("}") ? "; the file looks truncated" : ""}`);
  }
  if (!metafile || typeof metafile !== "object" || typeof metafile.inputs !== "object" || typeof metafile.outputs !== "object" || !metafile.inputs || !metafile.outputs) {
    throw new PerfOptimizerError(`${label}: not an esbuild metafile (expected "inputs" and "outputs" objects)`);
  }
  return metafile;
}
