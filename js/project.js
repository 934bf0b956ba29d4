// Finds a Workers project: its wrangler config (wrangler.json, wrangler.jsonc
// or wrangler.toml, in wrangler's order of precedence), entry, compatibility
// flags and bindings.
import { existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { PerfOptimizerError } from "./core.js";
import { displayPath, factName, globMatcher, isBoolean, isDefaultWranglerConfig, isInside, lazyRequire, readUserFile, stripBom, textFact } from "./files.js";

export const WRANGLER_CONFIG_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/** Parses JSON with comments; errors name the file, line and problem. */
export function readJsonc(file, text = readUserFile(resolve(file), { encoding: "utf8" })) {
  text = stripBom(text);
  const errors = [];
  const { parse: parseJsonc, printParseErrorCode } = lazyRequire("jsonc-parser");
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const { error, offset } = errors[0];
    const before = text.slice(0, offset).split(/\r\n|\r|\n/);
    const where = `${displayPath(resolve(file))}:${before.length}:${before.at(-1).length + 1}`;
    throw new PerfOptimizerError(`${where}: invalid JSON: ${JSON_PROBLEMS[printParseErrorCode(error)] ?? "a syntax error"}`);
  }
  return value;
}

/** jsonc-parser's error codes in plain words. */
const JSON_PROBLEMS = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' between entries",
  CloseBraceExpected: "expected ',' or '}' (is a '}' missing?)",
  CloseBracketExpected: "expected ',' or ']' (is a ']' missing?)",
  EndOfFileExpected: "unexpected text after the end of the JSON value",
  InvalidCommentToken: "malformed comment",
  UnexpectedEndOfComment: "a comment that is never closed",
  UnexpectedEndOfString: "a string that is never closed",
  UnexpectedEndOfNumber: "a number cut short",
  InvalidUnicode: "malformed \\u escape",
  InvalidEscapeCharacter: "unknown escape sequence in a string",
  InvalidCharacter: "a control character inside a string",
};

/** How many folders up a search for a config goes at most. */
const MAX_LEVELS = 32;

/**
 * The folders a config search looks in, nearest first: `start` and its
 * parents up to the repository root (a folder with `.git`, included), or,
 * outside a repository, up to the outermost folder with a package.json or a
 * wrangler config (a stray config in /tmp or $HOME is not the project's);
 * at most MAX_LEVELS. Wrangler finds its config the same way upwards, ESLint
 * its own.
 */
export function searchDirs(start) {
  const dirs = [];
  let dir = resolve(start);
  for (let level = 0; level < MAX_LEVELS; level++) {
    dirs.push(dir);
    if (existsSync(join(dir, ".git"))) return dirs;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const outermost = dirs.findLastIndex((d) => existsSync(join(d, "package.json")) || findWranglerConfig(d));
  return dirs.slice(0, Math.max(outermost, 0) + 1);
}

/** The wrangler config in `dir`, or null: the first of WRANGLER_CONFIG_NAMES, as wrangler picks. */
export function findWranglerConfig(dir) {
  return wranglerConfigsIn(dir)[0] ?? null;
}

/** Every wrangler config in `dir`, in wrangler's order of precedence. */
function wranglerConfigsIn(dir) {
  return WRANGLER_CONFIG_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path));
}

/** What a run says about the wrangler configs of `dir`: which one is used when several are there. */
function precedenceNotes(dir) {
  const [used, ...ignored] = wranglerConfigsIn(dir).map((path) => relative(process.cwd(), path) || path);
  if (ignored.length === 0) return [];
  const all = [used, ...ignored];
  return [`${all.slice(0, -1).join(", ")} and ${all.at(-1)} are in one folder: ${used} is used, as wrangler does (it prefers wrangler.json, then wrangler.jsonc, then wrangler.toml); ${ignored.join(" and ")} ${ignored.length === 1 ? "is" : "are"} ignored`];
}

function readWranglerConfig(path) {
  const text = readUserFile(resolve(path), { what: "wrangler config", encoding: "utf8" });
  let config;
  // `wrangler.toml`, and templates of one (`wrangler.toml.template`).
  if (/\.toml(?:\.\w+)?$/.test(path)) {
    try {
      config = lazyRequire("smol-toml").parse(stripBom(text));
    } catch (error) {
      const where = error.line ? `:${error.line}` : "";
      throw new PerfOptimizerError(`${path}${where}: invalid TOML (${String(error.message).split("\n")[0]})`);
    }
  } else {
    config = readJsonc(path, text);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new PerfOptimizerError(`${relative(process.cwd(), path) || path}: a wrangler config must be an object`);
  }
  return config;
}

/** `value` as shown in a message: JSON, cut short. */
const shownValue = (value) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/**
 * The migrations folders of a config's D1 databases (`migrations_dir`,
 * default `migrations`), resolved from `dir`, the config's folder. Only
 * folders inside `dir` are read: one outside it (`/`, `..`) would send the
 * search through the file system; it is left out with a note in `notes`. A
 * `migrations_dir` that is not a string is an error naming the key.
 */
function migrationsDirsOf(d1, dir, shownConfig, notes) {
  const dirs = [];
  d1.forEach((db, i) => {
    const value = db?.migrations_dir ?? "migrations";
    const key = `d1_databases[${i}].migrations_dir`;
    if (typeof value !== "string") throw new PerfOptimizerError(`${shownConfig}: ${key} must be a folder path (a string), got ${shownValue(value)}`);
    const abs = resolve(dir, value);
    const rel = relative(dir, abs);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      notes.push(`${shownConfig}: ${key} "${value}" is outside the project (${relative(process.cwd(), dir) || "."}): its migrations are not read, so the schema rules do not see them`);
    } else {
      dirs.push(abs);
    }
  });
  return dirs;
}

/**
 * Where SQL migrations live by convention, beside the wrangler config: D1's
 * and drizzle-kit's defaults, Supabase's and Prisma's. A Drizzle schema in
 * TypeScript often declares only what queries need, while the migrations
 * create the indexes: the schema rules read both.
 */
export const CONVENTIONAL_MIGRATIONS = ["drizzle", "migrations", "supabase/migrations", "prisma/migrations"];

/** `wrangler d1 execute <db> … --file <path>` in a package.json script: the SQL it applies. */
const D1_EXECUTE_FILE = /\bd1\s+execute\b[^&|;\n]*?--file(?:=|\s+)(["']?)([^\s"'&|;]+\.sql)\1/g;

/**
 * The `.sql` files beside `file` named after it and a separator
 * (`schema.sql`: `schema-v2.sql`, `schema_2024.sql`): regular files only,
 * as in a migrations folder (a link is not followed).
 */
function schemaVersions(file) {
  const stem = basename(file).replace(/\.sql$/i, "");
  let entries;
  try {
    entries = readdirSync(dirname(file), { withFileTypes: true });
  } catch {
    return [];
  }
  const version = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[-_.][\\w.-]*\\.sql$`, "i");
  return entries.filter((e) => e.isFile() && version.test(e.name)).map((e) => join(dirname(file), e.name));
}

/**
 * SQL files that the package.json scripts in `dirs` apply to a D1 database
 * with `wrangler d1 execute … --file` (a schema kept outside a migrations
 * folder, as `db/schema.sql`), and the later versions beside each, named
 * after it (`schema-v2.sql` … `schema-v24.sql` next to `schema.sql`: applied
 * by hand, one per release). Only files inside one of `dirs` or the working
 * directory are read; a script that cannot be read adds nothing.
 */
function d1ScriptFiles(dirs) {
  const inside = (file, dir) => {
    const rel = relative(dir, file);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  };
  const files = new Set();
  for (const dir of new Set(dirs)) {
    const scripts = packageJsonIn(dir)?.scripts;
    if (!scripts || typeof scripts !== "object") continue;
    for (const command of Object.values(scripts)) {
      if (typeof command !== "string") continue;
      for (const match of command.matchAll(D1_EXECUTE_FILE)) {
        const file = resolve(dir, match[2]);
        if (!(inside(file, process.cwd()) || dirs.some((d) => inside(file, d)))) continue;
        files.add(file);
        for (const version of schemaVersions(file)) files.add(version);
      }
    }
  }
  return [...files];
}

// Only string names: wrangler refuses any other, and the core expects strings.
const bindingNames = (list) => (Array.isArray(list) ? list.map((b) => b?.binding).filter((name) => typeof name === "string" && name !== "") : []);

/** Cloudflare's `max_batch_size` when a queue consumer sets none. */
const DEFAULT_QUEUE_BATCH = 10;

/**
 * The largest batch any queue consumer of `config` (top level or an
 * environment) receives, or null with no consumer: a `queue(batch)`
 * handler's loop over `batch.messages` repeats at most that many times.
 */
function queueBatchSize(config) {
  const sections = [config, ...Object.values(config.env && typeof config.env === "object" ? config.env : {})];
  const sizes = sections
    .flatMap((section) => (Array.isArray(section?.queues?.consumers) ? section.queues.consumers : []))
    .map((consumer) => (Number.isInteger(consumer?.max_batch_size) && consumer.max_batch_size > 0 ? consumer.max_batch_size : DEFAULT_QUEUE_BATCH));
  return sizes.length > 0 ? Math.max(...sizes) : null;
}

/** `placement` as written (`smart`, `region aws:us-east-1`, `host db.example.com`), or null for none or `mode = "off"`. */
function placementText(placement) {
  if (!placement || typeof placement !== "object") return null;
  if (placement.mode === "smart") return "smart";
  for (const key of ["region", "host", "hostname"]) {
    if (typeof placement[key] === "string") return `${key} ${placement[key]}`;
  }
  return null;
}

/**
 * Workers Cache and placement as the wrangler config sets them, at the top
 * level or in an environment: `{ workersCache, cacheSections, placement }`
 * (`cacheSections`: where `cache.enabled` is true, `top level` or `env.NAME`).
 */
function cachingSettings(config) {
  const envs = config.env && typeof config.env === "object" ? Object.entries(config.env) : [];
  const sections = [["top level", config], ...envs.map(([name, section]) => [`env.${name}`, section])];
  const cacheSections = sections.filter(([, section]) => section?.cache?.enabled === true).map(([name]) => name);
  const placement = sections.map(([, section]) => placementText(section?.placement)).find(Boolean) ?? null;
  return { workersCache: cacheSections.length > 0, cacheSections, placement };
}

/**
 * The project at `start`: `{ dir, configPath, name, main, buildCommand,
 * compatibilityFlags, nodejsCompat, bindings: { d1, hyperdrive, kv, r2,
 * queueBatchSize }, caching: { workersCache, cacheSections, placement },
 * migrationsDirs, schemaFiles }`. Its wrangler config is the nearest at or above `start`
 * (as wrangler finds it), and `dir` that config's folder. `entry` (relative
 * to `start`) overrides the config's `main`.
 */
export function loadProject(start, { entry } = {}) {
  start = resolve(start);
  if (!existsSync(start)) throw new PerfOptimizerError(`${displayPath(start)}: no such directory`);
  // The nearest wrangler config at or above `start`: its folder is the project's.
  const found = findProjectDir(start);
  const configPath = found && findWranglerConfig(found);
  const dir = configPath ? dirname(configPath) : start;
  const config = configPath ? readWranglerConfig(configPath) : {};
  const shownConfig = configPath ? displayPath(configPath) : null;
  if (!entry && config.main !== undefined && typeof config.main !== "string") {
    throw new PerfOptimizerError(`${displayPath(configPath)}: \`main\` must be the entry point's path (a string), got ${shownValue(config.main)}`);
  }
  if (!entry && !config.main) {
    throw new PerfOptimizerError(
      configPath
        ? `${displayPath(configPath)}: no \`main\` entry point (set main = "src/index.ts", or give the entry with --entry FILE)`
        : `${displayPath(start)}: no wrangler config (wrangler.toml, wrangler.json or wrangler.jsonc) here or above it; give the Worker's entry with --entry FILE`,
    );
  }
  // --entry is relative to the folder given; main to its config's folder.
  const mainPath = entry ? resolve(start, entry) : resolve(dir, config.main);
  const buildCommand = typeof config.build?.command === "string" && config.build.command.trim() ? config.build.command : null;
  // A build command may be what makes `main` (wrangler checks it after the build).
  if (!existsSync(mainPath) && (entry || !buildCommand)) {
    throw new PerfOptimizerError(`${displayPath(mainPath)}: entry point not found${entry ? " (--entry)" : ` (main in ${displayPath(configPath)})`}`);
  }
  const flags = Array.isArray(config.compatibility_flags) ? config.compatibility_flags : [];
  const d1 = Array.isArray(config.d1_databases) ? config.d1_databases : [];
  const notes = precedenceNotes(dir);
  const migrationsDirs = migrationsDirsOf(d1, dir, shownConfig, notes);
  return {
    dir,
    configPath,
    name: config.name ?? null,
    main: mainPath,
    entryGiven: Boolean(entry),
    // wrangler's dry run runs it before bundling (`[build] command`).
    buildCommand,
    compatibilityDate: config.compatibility_date ?? null,
    compatibilityFlags: flags,
    nodejsCompat: flags.includes("nodejs_compat") || flags.includes("nodejs_compat_v2"),
    bindings: {
      d1: bindingNames(d1),
      hyperdrive: bindingNames(config.hyperdrive),
      kv: bindingNames(config.kv_namespaces),
      r2: bindingNames(config.r2_buckets),
      queueBatchSize: queueBatchSize(config),
    },
    caching: cachingSettings(config),
    migrationsDirs,
    schemaFiles: d1ScriptFiles([dir, start]),
    notes,
  };
}

/**
 * A folder with no wrangler config of its own that holds Workers (a
 * monorepo linted from its root): the union of the flags, bindings and
 * migrations folders of the wrangler configs found under it (`configPaths`),
 * so that the rules know what those Workers bind. A config that cannot be
 * read adds nothing. Null when none can be read.
 */
export function workspaceProject(dir, configPaths) {
  const configs = [];
  const notes = [];
  for (const path of new Set(configPaths)) {
    try {
      const config = readWranglerConfig(path);
      const d1 = Array.isArray(config.d1_databases) ? config.d1_databases : [];
      const migrations = migrationsDirsOf(d1, dirname(path), relative(process.cwd(), path) || path, notes);
      configs.push({ dir: dirname(path), config, migrations });
    } catch {
      // lint goes on without what a broken config would add
    }
  }
  if (configs.length === 0) return null;
  const union = (of) => [...new Set(configs.flatMap(of))];
  const list = (value) => (Array.isArray(value) ? value : []);
  const flags = union(({ config }) => list(config.compatibility_flags));
  return {
    dir: resolve(dir),
    configPath: null,
    name: null,
    main: null,
    compatibilityDate: null,
    compatibilityFlags: flags,
    nodejsCompat: flags.includes("nodejs_compat") || flags.includes("nodejs_compat_v2"),
    bindings: {
      d1: union(({ config }) => bindingNames(config.d1_databases)),
      hyperdrive: union(({ config }) => bindingNames(config.hyperdrive)),
      kv: union(({ config }) => bindingNames(config.kv_namespaces)),
      r2: union(({ config }) => bindingNames(config.r2_buckets)),
      queueBatchSize: configs.map(({ config }) => queueBatchSize(config)).reduce((max, n) => (n === null ? max : Math.max(max ?? 0, n)), null),
    },
    caching: {
      workersCache: configs.some(({ config }) => cachingSettings(config).workersCache),
      cacheSections: [],
      placement: configs.map(({ config }) => cachingSettings(config).placement).find(Boolean) ?? null,
    },
    migrationsDirs: union(({ dir, migrations }) => [...migrations, ...CONVENTIONAL_MIGRATIONS.map((folder) => join(dir, folder))]),
    schemaFiles: d1ScriptFiles([resolve(dir), ...configs.map((c) => c.dir)]),
    notes,
  };
}

/** The nearest folder at or above `start` that has a wrangler config (see searchDirs). */
export function findProjectDir(start) {
  return searchDirs(start).find((dir) => findWranglerConfig(dir)) ?? null;
}

// Worker entries of a project, for `lint`: what the Worker runs is what
// these reach (the core follows the imports). Each entry says what declares
// it, so a reader can check the claim.

/** Framework configs and the server files they run in the Worker (globs relative to the config's folder). */
const FRAMEWORK_ENTRIES = [
  { config: /^astro\.config\.[cm]?[jt]s$/, globs: ["src/pages/**", "src/middleware.*", "src/middleware/**", "src/actions/**"] },
  // SvelteKit: server hooks and routes, universal hooks and loads (they run
  // on the server to render too), param matchers, remote functions.
  {
    config: /^svelte\.config\.[cm]?[jt]s$/,
    globs: ["src/hooks.server.*", "src/hooks.{js,ts}", "src/routes/**/+{page,layout}{.server,}.{js,ts}", "src/routes/**/+server.*", "src/params/*.{js,ts}", "src/**/*.remote.{js,ts}"],
  },
  // Remix's classic compiler builds a custom server (`server: './server.ts'`, a Worker's fetch) around the app.
  { config: /^(react-router|remix)\.config\.[cm]?[jt]s$/, globs: ["app/entry.server.*", "app/root.*", "app/routes/**", "app/routes.*"], server: /\bserver\s*:\s*["'`]([^"'`]+)["'`]/ },
  // The same app with no config of its own: the Vite config loads the plugin
  // (the Worker imports the server build, which the checkout does not hold).
  {
    config: /^vite\.config\.[cm]?[jt]s$/,
    loads: /['"](?:@react-router\/dev\/vite|@remix-run\/dev)['"]/,
    globs: ["app/entry.server.*", "app/root.*", "app/routes/**", "app/routes.*"],
  },
  // Next.js: the app router's server files (metadata routes and generated
  // images too), pages, middleware (`proxy` since Next 16), instrumentation.
  // Not a static export (`output: "export"`): its pages run at build time
  // only, and the Worker beside it is another program.
  {
    config: /^next\.config\.[cm]?[jt]s$/,
    unless: /\boutput\s*:\s*["'`]export["'`]/,
    globs: [
      "{src/,}app/**/{route,page,layout,template,default,not-found,sitemap,robots,manifest,opengraph-image,twitter-image,icon,apple-icon}.*",
      "{src/,}pages/**",
      "{src/,}{middleware,proxy,instrumentation}.*",
    ],
  },
  // Nitro, and Nuxt on it: the server's handlers, middleware, plugins and
  // tasks, and its utils (auto-imported: used without an import).
  { config: /^nuxt\.config\.[cm]?[jt]s$/, globs: ["server/{api,routes,middleware,plugins,tasks,utils}/**/*.{js,ts,mjs,mts}"] },
  { config: /^nitro\.config\.[cm]?[jt]s$/, globs: ["{,server/}{api,routes,middleware,plugins,tasks,utils}/**/*.{js,ts,mjs,mts}"] },
  // TanStack Start (a Vite plugin; `app.config.ts` before v1 on Vite): the
  // Worker's server entry renders every route of the route tree, and runs
  // their server functions (`createServerFn`) and server route handlers.
  {
    config: /^(vite|app)\.config\.[cm]?[jt]s$/,
    loads: /['"]@tanstack\/(?:react|solid)-start(?:\/plugin\/vite|\/config)?['"]|['"]@tanstack\/start(?:\/config)?['"]/,
    globs: ["{src,app}/routes/**/*.{js,jsx,ts,tsx}", "{src,app}/{server,start,router,client-entry}.{js,jsx,ts,tsx}", "{src,app}/ssr.{js,jsx,ts,tsx}"],
  },
  // Vike (a Vite plugin, so only a Vite config that loads it): the hooks
  // its server runs for each page (`renderPage` in the Worker's fetch).
  {
    config: /^vite\.config\.[cm]?[jt]s$/,
    loads: /['"](?:vike\/plugin|vite-plugin-ssr\/plugin)['"]/,
    globs: ["{src/,}{pages,renderer}/**/+{data,onBeforeRender,onRenderHtml,guard,onBeforeRoute,onCreatePageContext}{,.server}.*"],
  },
];
/**
 * The file a framework config names as its server (`server: './server.ts'`
 * in remix.config.js), as one of `paths` (display paths; the extension may
 * be left out), or null.
 */
function configServer(configPath, server, paths, toDisplay) {
  let written;
  try {
    written = server.exec(readUserFile(configPath, { what: "framework config", encoding: "utf8" }))?.[1];
  } catch {
    return null;
  }
  if (!written) return null;
  const base = toDisplay(resolve(dirname(configPath), written));
  return ["", ".ts", ".js", ".mts", ".mjs", ".tsx", ".jsx"].map((ext) => base + ext).find((candidate) => paths.includes(candidate)) ?? null;
}

/** Whether the text of the config file at `path` matches `loads` (a plugin it loads, a setting; an unreadable one does not). */
function configLoads(path, loads) {
  try {
    return loads.test(readUserFile(path, { what: "framework config", encoding: "utf8" }));
  } catch {
    return false;
  }
}

/** A test file by its name (`date.test.ts`, `api.spec.mjs`). */
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

/** OpenNext's config for Cloudflare (`@opennextjs/cloudflare`): the Next.js app beside it runs in a Worker. */
const OPEN_NEXT_CONFIG = /^open-next\.config\.[cm]?[jt]s$/;
/** A Pages Function: a file under functions/ that exports an onRequest handler. */
const PAGES_HANDLER = /export\s+(?:async\s+)?(?:const|let|function)\s+onRequest/;
/**
 * A module Worker deployed without a config beside it: its default export has
 * a handler only the Workers runtime calls (`fetch` alone is not enough: Bun
 * and Deno servers export that too).
 */
const WORKER_HANDLERS = /^export default\s*\{[^]{0,400}?\b(?:async\s+)?(?:scheduled|queue|email|tail)\s*\(/;
/** The bytes after an `export default` that WORKER_HANDLERS may read. */
const HANDLERS_WINDOW = 1024;
/**
 * WORKER_HANDLERS at one of the `export default`s of a text (bytes or a
 * string): only the bytes after each are decoded, not the whole text (a
 * few ms over a large tree).
 */
function hasWorkerHandlers(source) {
  for (let at = source.indexOf("export default"); at !== -1; at = source.indexOf("export default", at + 1)) {
    const after = typeof source === "string" ? source.slice(at, at + HANDLERS_WINDOW) : source.toString("latin1", at, at + HANDLERS_WINDOW);
    if (WORKER_HANDLERS.test(after)) return true;
  }
  return false;
}
/** The two tests as facts of a file's text, kept with the cache's file memo. */
const PAGES_FACT = factName("pages-handler", PAGES_HANDLER);
const HANDLERS_FACT = factName("worker-handlers", WORKER_HANDLERS, HANDLERS_WINDOW);

/** The entry paths one wrangler config declares: `main` and each environment's. */
function configEntries(configPath) {
  const config = readWranglerConfig(configPath);
  const dir = dirname(configPath);
  const name = relative(process.cwd(), configPath).split("\\").join("/");
  const entries = [];
  // Each entry carries its own Worker's queue batch bound.
  const batch = queueBatchSize(config);
  const push = (entry) => entries.push(batch === null ? entry : { ...entry, queueBatchSize: batch });
  if (typeof config.main === "string") {
    const abs = resolve(dir, config.main);
    push({ abs, declaredBy: `${name} (main)` });
    // `main` is what a custom build writes (`dist/worker.js` after
    // `[build] command = "npm run build"`): the build's own entry is the source.
    if (typeof config.build?.command === "string" && isBuildOutput(dir, abs)) {
      for (const source of buildEntries(dir, config.build.command)) push({ abs: source, declaredBy: `${name} ([build] command's entry)` });
    }
  }
  for (const [env, settings] of Object.entries(config.env ?? {})) {
    if (typeof settings?.main === "string") push({ abs: resolve(dir, settings.main), declaredBy: `${name} (env.${env}.main)` });
  }
  if (typeof config.pages_build_output_dir === "string") {
    push({ abs: resolve(dir, config.pages_build_output_dir, "_worker.js"), declaredBy: `${name} (pages_build_output_dir)` });
  }
  return entries;
}

/** Folders a build writes to (and `lint` does not read). */
const BUILD_OUTPUT = /^(?:dist|build|out|\.output|\.wrangler)$/;

/** Whether `abs` is no source file of `dir`: missing, or in a build's output folder. */
function isBuildOutput(dir, abs) {
  return !existsSync(abs) || relative(dir, abs).split(/[\\/]/).slice(0, -1).some((segment) => BUILD_OUTPUT.test(segment));
}

/**
 * The source entries of a build command run in `dir`: a package.json script
 * it runs (`npm run build`, `pnpm build`, `yarn build`) is read for the
 * command; webpack's entry (`--config FILE` or webpack.config.*: `entry:
 * "./src/worker.js"` or the first of `entry: { … }`), or the first source
 * file esbuild, bun build or rollup's `-i` is given.
 */
function buildEntries(dir, command, depth = 0) {
  const script = /\b(?:npm\s+run|pnpm(?:\s+run)?|yarn(?:\s+run)?|bun\s+run)\s+([\w:.-]+)/.exec(command);
  if (script && depth < 3) {
    const text = packageJsonIn(dir)?.scripts?.[script[1]];
    return typeof text === "string" ? buildEntries(dir, text, depth + 1) : [];
  }
  const sourceArg = (args) => args.split(/\s+/).find((arg) => !arg.startsWith("-") && /\.[cm]?[jt]sx?$/.test(arg));
  const bundler = /\b(?:esbuild|bun\s+build|rollup\s+(?:-i|--input))\s+([^&|;]*)/.exec(command);
  if (bundler) {
    const file = sourceArg(bundler[1]);
    return file ? [resolve(dir, file)] : [];
  }
  if (!/\bwebpack\b/.test(command)) return [];
  const given = /--config(?:\s+|=)(\S+)/.exec(command)?.[1];
  const configs = given ? [given] : ["webpack.config.js", "webpack.config.cjs", "webpack.config.mjs", "webpack.config.ts"];
  for (const configName of configs) {
    let text;
    try {
      text = readUserFile(resolve(dir, configName), { what: "webpack config", encoding: "utf8" });
    } catch {
      continue;
    }
    const entry = /\bentry\s*:\s*(?:\{[^}]*?:\s*)?(["'`])([^"'`]+)\1/.exec(text)?.[2];
    return entry ? [resolve(dir, entry)] : [];
  }
  return [];
}

/** Scripts in the package.json of `dir` that name the entry on wrangler's command line (`wrangler deploy src/index.ts`). */
function scriptEntries(dir) {
  const pkg = packageJsonIn(dir);
  const entries = [];
  for (const [name, command] of Object.entries(pkg?.scripts ?? {})) {
    if (typeof command !== "string") continue;
    for (const match of command.matchAll(/\bwrangler\s+(dev|deploy|publish)\b([^&|;]*)/g)) {
      const script = match[2].split(/\s+/).find((arg) => !arg.startsWith("-") && /\.[cm]?[jt]sx?$/.test(arg));
      // `wrangler dev scripts/generate-test-data.ts`: a tool run locally in workerd, never deployed.
      if (match[1] === "dev" && script && inScriptFolder(script)) continue;
      if (script) entries.push({ abs: resolve(dir, script), declaredBy: `package.json (scripts.${name})` });
    }
  }
  return entries;
}

/**
 * The Worker entries among `files` (`{ path, source }`, display paths) of a
 * `lint` run: the `main` of every wrangler config found (`configPaths`) or,
 * when `main` is what a `[build]` command writes, that build's own entry
 * (webpack's `entry`, the file esbuild is given), each environment's `main`, Pages Functions (`functions/**` exporting
 * `onRequest…`) and `_worker.js`, the script named by `wrangler dev|deploy
 * FILE` in the package.json beside a wrangler config, the server files of framework configs
 * next to a wrangler config (Astro, SvelteKit, React Router / Remix and the
 * custom server remix.config.js names, Next.js via OpenNext) or, for
 * OpenNext, next to its own config
 * (open-next.config.ts), module Workers whose default export has a
 * scheduled/queue/email/tail handler, and the files named on the command line
 * (`explicit`, absolute). Returns `[{ path, declaredBy }]`.
 */
export function findEntries(files, { configPaths = [], explicit = [] } = {}) {
  // The working directory itself is "" here (a prefix), not displayPath's ".".
  const toDisplay = (abs) => {
    const path = displayPath(abs);
    return path === "." ? "" : path;
  };
  const entries = explicit.map((abs) => ({ path: toDisplay(abs), declaredBy: "command line" }));
  const configDirs = new Set();
  // wrangler's own configs first: a variant or template naming the same
  // entry adds nothing, and one that cannot be read (a template's
  // placeholders) is passed over.
  const isDefault = (path) => isDefaultWranglerConfig(basename(path));
  const configs = [...new Set(configPaths)].sort((a, b) => isDefault(b) - isDefault(a));
  for (const configPath of configs) {
    const dir = dirname(configPath);
    // The Worker a test suite runs (vitest-pool-workers' test/wrangler.jsonc)
    // is a fixture: what only it reaches is test code.
    if (inTestFolder(toDisplay(dir))) continue;
    let declared;
    try {
      declared = configEntries(configPath);
    } catch (error) {
      if (isDefault(configPath)) throw error;
      continue;
    }
    for (const { abs, ...entry } of [...declared, ...scriptEntries(dir)]) {
      const path = toDisplay(abs);
      if (!isDefault(configPath) && entries.some((e) => e.path === path)) continue;
      entries.push({ path, ...entry });
    }
    configDirs.add(dir);
  }
  const paths = files.map((f) => f.path);
  // An OpenNext app deploys to Workers whichever folder its wrangler config
  // is in (a monorepo's infra package): its Next.js server files are entries.
  const frameworkDirs = new Set(configDirs);
  for (const path of paths) if (OPEN_NEXT_CONFIG.test(basename(path))) frameworkDirs.add(resolve(dirname(path)));
  for (const dir of frameworkDirs) {
    let names;
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const { config, loads, unless, globs, server } of FRAMEWORK_ENTRIES) {
      const configName = names.find((n) => config.test(n));
      if (!configName) continue;
      if (loads && !configLoads(join(dir, configName), loads)) continue;
      if (unless && configLoads(join(dir, configName), unless)) continue;
      const prefix = toDisplay(dir);
      const declaredBy = `${prefix ? `${prefix}/` : ""}${configName}`;
      const matches = globMatcher(globs.map((g) => (prefix ? `${prefix}/${g}` : g)));
      // A test beside the server files (`utils/date.test.ts`) is no entry;
      // a file two configs declare (react-router.config.ts and the Vite
      // config that loads its plugin) is one entry, the first's.
      const taken = new Set(entries.map((e) => e.path));
      for (const path of paths.filter((p) => matches(p) && !TEST_FILE.test(p) && !taken.has(p))) entries.push({ path, declaredBy });
      const serverPath = server && configServer(join(dir, configName), server, paths, toDisplay);
      if (serverPath) entries.push({ path: serverPath, declaredBy: `${declaredBy} (server)` });
    }
  }
  // Folders a wrangler config declares the entries of (display paths).
  const declared = [...configDirs].map((dir) => toDisplay(dir));
  const underConfig = (path) => declared.some((dir) => dir === "" || path.startsWith(`${dir}/`));
  for (const file of files) {
    const segments = file.path.split("/");
    if (segments.at(-1) === "_worker.js" || segments.at(-1) === "_worker.ts") entries.push({ path: file.path, declaredBy: "Pages (_worker.js)" });
    else if (segments.includes("functions") && textFact(file, PAGES_FACT, (source) => PAGES_HANDLER.test(source.toString("utf8")), isBoolean)) entries.push({ path: file.path, declaredBy: "Pages Functions" });
    // A module Worker with no config of its own: not a file under a config
    // (its `main` is the entry), nor a component that shows such code.
    else if (!underConfig(file.path) && !/\.[jt]sx$/.test(file.path) && textFact(file, HANDLERS_FACT, hasWorkerHandlers, isBoolean)) {
      entries.push({ path: file.path, declaredBy: "a Worker's handlers (export default { scheduled|queue|email|tail })" });
    }
  }
  return entries;
}

/** Folders of tests and their fixtures (as the core's file roles name them). */
const TEST_FOLDER = /^(?:__tests__|__fixtures__|tests?|e2e|tests?-e2e|e2e-tests?|specs?|fixtures?|cypress|playwright)$/;
const inTestFolder = (path) => path.split("/").some((segment) => TEST_FOLDER.test(segment));
/** Whether `path` is under a folder of scripts or tools (as the core's file roles name them). */
const inScriptFolder = (path) => path.split(/[\\/]/).slice(0, -1).some((segment) => /^(?:scripts?|tools?|bin)$/.test(segment));

/**
 * The Worker's caching in one line: Workers Cache on or off, placement, and
 * how many routes `cacheable-route` found.
 */
export function cachingLine(project, report) {
  const { workersCache, cacheSections, placement } = project.caching;
  const routes = (report.diagnostics ?? []).filter((d) => d.rule === "cacheable-route").length;
  const cache = workersCache ? `on (${cacheSections.join(", ")})` : "off";
  const cacheable = routes === 0 ? "no route found that a cache could answer" : `${routes} GET route${routes === 1 ? "" : "s"} a cache could answer (cacheable-route)`;
  return `Caching (${displayPath(project.configPath)}): Workers Cache ${cache}, placement ${placement ?? "none"}; ${cacheable}.`;
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/** The package.json of `dir`, parsed; null if there is none or it cannot be read. */
function packageJsonIn(dir) {
  try {
    return JSON.parse(stripBom(readUserFile(join(dir, "package.json"), { encoding: "utf8" })));
  } catch {
    return null;
  }
}

/** The names of the packages a package.json in `dir` depends on (none if it cannot be read). */
function dependencyNames(dir) {
  const manifest = packageJsonIn(dir);
  return DEPENDENCY_FIELDS.flatMap((field) => (manifest?.[field] && typeof manifest[field] === "object" ? Object.keys(manifest[field]) : []));
}

/**
 * The monorepo's own packages that the project in `dir` depends on, directly
 * or through each other: those npm, pnpm, yarn and bun link into a
 * node_modules folder (at `dir` or above, up to `root`) whose real folder is
 * inside `root` (the repository), outside `dir` and in no node_modules
 * folder. Their code is the Worker's as much as its own: wrangler bundles it.
 * `{ name, dir }` each, in the order found.
 */
export function workspacePackages(dir, root) {
  const project = resolve(dir);
  const found = new Map();
  const queue = [project];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const name of dependencyNames(at)) {
      if (found.has(name)) continue;
      for (let d = at; ; d = dirname(d)) {
        const link = join(d, "node_modules", name);
        let linked = null;
        try {
          linked = lstatSync(link);
        } catch {
          // not installed here: look above
        }
        if (linked) {
          const real = linked.isSymbolicLink() ? realpathSync(link) : null;
          if (real && !real.split(sep).includes("node_modules") && isInside(root, real) && !isInside(project, real)) {
            found.set(name, real);
            queue.push(real);
          }
          break;
        }
        if (d === root || dirname(d) === d) break;
      }
    }
  }
  return [...found].map(([name, packageDir]) => ({ name, dir: packageDir }));
}
