//! Module resolution: which file, package or runtime module an import
//! specifier names, the way wrangler's esbuild build resolves it, answered
//! from facts alone (the core reads no files): the project's file paths, its
//! tsconfig files and its package.json files (`model::modules`).
//!
//! The order, as esbuild applies it:
//! 1. runtime modules: `node:*`, `cloudflare:*`, `workerd:*`;
//! 2. relative paths (`./x`, `../x`), probed like esbuild and TypeScript:
//!    the exact file, `./x.js` → `x.ts`/`x.tsx` (`.mjs` → `.mts`, `.cjs` →
//!    `.cts`), the extensions `.tsx .ts .jsx .js .mts .cts .mjs .cjs`, then a
//!    folder's package.json main fields and `index.*`;
//! 3. the nearest tsconfig's `paths` (longest matching prefix; its targets
//!    in order), then its `baseUrl`;
//! 4. `#…` through the nearest package.json's `imports`;
//! 5. Node built-ins by their bare name (`buffer`, `fs/promises`);
//! 6. packages: a package of the project (a workspace package, or the
//!    project's own name) through its `exports` or main fields; any other
//!    is an external package.
//!
//! `exports` and `imports` conditions are those wrangler passes to esbuild
//! (`workerd`, `worker`, `browser`) plus `import` (or `require` for
//! `require()`) and `default`; the package's key order decides. With custom
//! conditions set, esbuild leaves out its `module` condition, so it is not
//! active here either.
//!
//! Without any tsconfig for the importing file, `@/x` and `~/x` fall back to
//! the two layouts project templates alias them to: `src/x`, then `x`, from
//! the nearest package's folder (or the working directory).

use std::cell::RefCell;

use super::imports::{package_name, subpath};
use crate::model::collections::HashMap;
use crate::model::modules::{Json, ModuleFacts};

/// What a specifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A file of the project: its index in the paths the resolver was built
    /// over.
    File(usize),
    /// A package that is not part of the project; `subpath` is `""` for the
    /// package itself, `get` for `lodash/get`.
    Package { name: String, subpath: String },
    /// A runtime module: `node:fs`, `cloudflare:workers`, `buffer`.
    BuiltIn(String),
    /// Nothing the facts know; the reason says why.
    Unresolved(String),
}

impl Resolution {
    pub fn file(&self) -> Option<usize> {
        match self {
            Resolution::File(i) => Some(*i),
            _ => None,
        }
    }
}

/// How the specifier is loaded: it picks the `import` or `require` condition.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    #[default]
    Import,
    Require,
}

/// The custom conditions wrangler passes to esbuild (`getBuildConditions`).
pub const WORKER_CONDITIONS: [&str; 3] = ["workerd", "worker", "browser"];

/// Probed after the exact path, in esbuild's order (its default
/// `resolveExtensions` for code), then the module variants TypeScript knows.
const EXTENSIONS: [&str; 8] = ["tsx", "ts", "jsx", "js", "mts", "cts", "mjs", "cjs"];
const INDEX_EXTENSIONS: [&str; 4] = ["tsx", "ts", "jsx", "js"];
/// `./x.js` names `x.ts` (TypeScript's NodeNext rule; esbuild does the same).
const TS_FOR_JS: [(&str, &[&str]); 4] = [
    (".js", &["ts", "tsx"]),
    (".jsx", &["tsx"]),
    (".mjs", &["mts"]),
    (".cjs", &["cts"]),
];

/// Folders packages build into; a workspace package's entry there maps back
/// to its source (`source_of_built`).
const BUILD_DIRS: &[&str] = &["dist", "build", "lib", "out", "esm", "cjs", "es"];

/// Node's built-in modules (what `node:` may be left off of).
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// `paths` entries: (pattern, targets), `*` still in both.
type PathsList = Vec<(String, Vec<String>)>;

/// A tsconfig's `paths` and `baseUrl` after its `extends` chain, with
/// every path relative to the working directory.
#[derive(Debug, Default, Clone)]
struct TsPaths {
    base_url: Option<String>,
    paths: PathsList,
}

/// One tsconfig's own settings with the chain it extends, before the
/// paths are made absolute.
#[derive(Default)]
struct Merged {
    base_url: Option<String>,
    /// The `paths` entries and the folder of the config that declared them.
    paths: Option<(PathsList, String)>,
}

/// Resolves specifiers over one project's files and facts. Built once per
/// project (the file set is indexed once); every answer is cached per
/// (importing folder, specifier, kind). Every map has the one type
/// `HashMap<String, usize>` (each other type would add its own copy of the
/// hash table's code to the wasm).
pub struct Resolver<'a> {
    facts: &'a ModuleFacts,
    /// Normalized path → index of the file.
    files: HashMap<String, usize>,
    /// Folder of each `tsconfig.json` → index in `tsconfigs`.
    tsconfig_dirs: HashMap<String, usize>,
    /// Each `tsconfig.json`'s merged paths.
    tsconfigs: Vec<TsPaths>,
    /// Folder of each package.json → index in `facts.packages`.
    package_dirs: HashMap<String, usize>,
    /// Package name → index in `facts.packages` (the first one listed).
    package_names: HashMap<String, usize>,
    /// How far above the working directory the facts reach (`../..` is 2).
    max_up: usize,
    /// "folder\nspecifier\nkind" → index in `answers`.
    cache: RefCell<HashMap<String, usize>>,
    answers: RefCell<Vec<Resolution>>,
    /// The importing path as given → slot in `by_importer`: a second
    /// question from the same file is answered without building the
    /// folder's key.
    importers: RefCell<HashMap<String, usize>>,
    /// Per importer and kind: specifier → index in `answers`.
    by_importer: RefCell<Vec<[HashMap<String, usize>; 2]>>,
    /// Per importer, its normalized folder (normalized once, not per
    /// specifier).
    importer_dirs: RefCell<Vec<String>>,
}

impl<'a> Resolver<'a> {
    pub fn new<'p>(paths: impl Iterator<Item = &'p str>, facts: &'a ModuleFacts) -> Resolver<'a> {
        let mut files = HashMap::default();
        for (i, p) in paths.enumerate() {
            files.entry(normalize(p)).or_insert(i);
        }
        let mut package_dirs = HashMap::default();
        let mut package_names = HashMap::default();
        let mut max_up = 0;
        for (i, p) in facts.packages.iter().enumerate() {
            let dir = dir_of(&normalize(&p.path)).to_string();
            max_up = max_up.max(ups(&dir));
            if let Some(name) = &p.name {
                package_names.entry(name.clone()).or_insert(i);
            }
            package_dirs.entry(dir).or_insert(i);
        }
        let by_path: HashMap<String, usize> = facts
            .tsconfigs
            .iter()
            .enumerate()
            .map(|(i, t)| (normalize(&t.path), i))
            .collect();
        let mut tsconfig_dirs = HashMap::default();
        let mut tsconfigs = Vec::new();
        for (i, t) in facts.tsconfigs.iter().enumerate() {
            let path = normalize(&t.path);
            if !(path == "tsconfig.json" || path.ends_with("/tsconfig.json")) {
                continue;
            }
            let dir = dir_of(&path).to_string();
            if tsconfig_dirs.contains_key(&dir) {
                continue;
            }
            max_up = max_up.max(ups(&dir));
            let merged = merge(facts, &by_path, i, &dir, 0);
            tsconfig_dirs.insert(dir.clone(), tsconfigs.len());
            tsconfigs.push(finish(merged, &dir, facts.root.as_deref()));
        }
        // A project of a solution-style tsconfig.json governs the folders
        // it includes (`applies_to`), in place of that tsconfig.json.
        for (i, t) in facts.tsconfigs.iter().enumerate() {
            if t.applies_to.is_empty() {
                continue;
            }
            let dir = dir_of(&normalize(&t.path)).to_string();
            let merged = merge(facts, &by_path, i, &dir, 0);
            let index = tsconfigs.len();
            tsconfigs.push(finish(merged, &dir, facts.root.as_deref()));
            for folder in &t.applies_to {
                let folder = normalize(folder);
                max_up = max_up.max(ups(&folder));
                tsconfig_dirs.insert(folder, index);
            }
        }
        Resolver {
            facts,
            files,
            tsconfig_dirs,
            tsconfigs,
            package_dirs,
            package_names,
            max_up,
            cache: RefCell::new(HashMap::default()),
            answers: RefCell::new(Vec::new()),
            importers: RefCell::new(HashMap::default()),
            by_importer: RefCell::new(Vec::new()),
            importer_dirs: RefCell::new(Vec::new()),
        }
    }

    /// What `spec`, imported by the file at `from` (a path relative to the
    /// working directory), names.
    pub fn resolve(&self, from: &str, spec: &str, kind: Kind) -> Resolution {
        let known = self.importers.borrow().get(from).copied();
        let slot = known.unwrap_or_else(|| {
            let mut by_importer = self.by_importer.borrow_mut();
            by_importer.push(Default::default());
            let from_dir = dir_of(&normalize(from)).to_string();
            self.importer_dirs.borrow_mut().push(from_dir);
            self.importers
                .borrow_mut()
                .insert(from.to_string(), by_importer.len() - 1);
            by_importer.len() - 1
        });
        if let Some(&i) = self.by_importer.borrow()[slot][kind as usize].get(spec) {
            return self.answers.borrow()[i].clone();
        }
        let i = self.answer_index(&self.importer_dirs.borrow()[slot], spec, kind);
        self.by_importer.borrow_mut()[slot][kind as usize].insert(spec.to_string(), i);
        self.answers.borrow()[i].clone()
    }

    /// The index in `answers` of what `spec` names from the (normalized)
    /// folder `dir`, through the per-folder cache.
    fn answer_index(&self, dir: &str, spec: &str, kind: Kind) -> usize {
        // Joined, not formatted: asked for every specifier of every file.
        let mut key = String::with_capacity(dir.len() + spec.len() + 3);
        for part in [dir, "\n", spec, "\n"] {
            key.push_str(part);
        }
        key.push(char::from(b'0' + kind as u8));
        if let Some(&i) = self.cache.borrow().get(&key) {
            return i;
        }
        let found = self.find(dir, spec, kind, 0);
        let mut answers = self.answers.borrow_mut();
        let i = answers.len();
        self.cache.borrow_mut().insert(key, i);
        answers.push(found);
        i
    }

    fn find(&self, dir: &str, spec: &str, kind: Kind, depth: u32) -> Resolution {
        if spec.is_empty() {
            return Resolution::Unresolved("empty specifier".into());
        }
        if ["node:", "cloudflare:", "workerd:"]
            .iter()
            .any(|p| spec.starts_with(p))
            || spec == "__STATIC_CONTENT_MANIFEST"
        {
            return Resolution::BuiltIn(spec.into());
        }
        if spec.starts_with('.') {
            let base = normalize(&join(dir, spec));
            return self.file_at(&base);
        }
        if spec.starts_with('/') {
            return Resolution::Unresolved(format!("`{spec}` is an absolute path"));
        }
        let (ts_dir, package) = self.nearest(dir);
        match ts_dir.map(|t| &self.tsconfigs[t]) {
            Some(ts) => {
                if let Some(found) = self.by_tsconfig(ts, spec) {
                    return Resolution::File(found);
                }
            }
            None => {
                if let Some(found) = self.alias_fallback(spec, package) {
                    return Resolution::File(found);
                }
            }
        }
        if spec.starts_with('#') {
            return self.package_import(spec, package, kind, depth);
        }
        let first = spec.split('/').next().unwrap_or(spec);
        if NODE_BUILTINS.contains(&first) {
            return Resolution::BuiltIn(spec.into());
        }
        let name = match package_name(spec) {
            Some(n) if !n.starts_with("@/") && !n.starts_with('~') => n,
            _ => {
                return Resolution::Unresolved(format!(
                    "no tsconfig `paths` entry matches `{spec}`"
                ))
            }
        };
        let sub = subpath(spec).unwrap_or("");
        match self.package_names.get(name) {
            Some(&p) => self.package_entry(p, sub, kind),
            None => Resolution::Package {
                name: name.into(),
                subpath: sub.into(),
            },
        }
    }

    /// The file at `base` (probed), or why there is none.
    fn file_at(&self, base: &str) -> Resolution {
        match self.probe(base) {
            Some(i) => Resolution::File(i),
            None => Resolution::Unresolved(format!("no project file at `{base}`")),
        }
    }

    /// The project file `base` names: itself, its TypeScript source, with an
    /// extension, or a folder's entry.
    fn probe(&self, base: &str) -> Option<usize> {
        let get = |p: &str| self.files.get(p).copied();
        if let Some(i) = get(base) {
            return Some(i);
        }
        for (js, ts) in TS_FOR_JS {
            if let Some(stem) = base.strip_suffix(js) {
                if let Some(i) = ts.iter().find_map(|t| get(&format!("{stem}.{t}"))) {
                    return Some(i);
                }
            }
        }
        if let Some(i) = EXTENSIONS.iter().find_map(|e| get(&format!("{base}.{e}"))) {
            return Some(i);
        }
        if let Some(&p) = self.package_dirs.get(base) {
            if let Some(i) = self.main_field(p) {
                return Some(i);
            }
        }
        INDEX_EXTENSIONS
            .iter()
            .find_map(|e| get(&join(base, &format!("index.{e}"))))
    }

    /// A package's entry by the main fields esbuild reads for platform
    /// browser (`browser`, `module`, `main`).
    fn main_field(&self, p: usize) -> Option<usize> {
        let pkg = &self.facts.packages[p];
        let dir = dir_of(&normalize(&pkg.path)).to_string();
        let fields = || [&pkg.browser, &pkg.module, &pkg.main].into_iter().flatten();
        fields()
            .map(|f| normalize(&join(&dir, f)))
            .filter(|f| *f != dir)
            .find_map(|f| self.probe_file(&f))
            .or_else(|| fields().find_map(|f| self.source_of_built(&dir, f)))
    }

    /// The source a workspace package's built entry is compiled from, when
    /// the build output is not among the project files (not built, or
    /// ignored): `dist/x/index.js` → `src/x/index.ts`, else `x/index.ts`
    /// at the package's root. What wrangler bundles is the built file; its
    /// code is this source.
    fn source_of_built(&self, dir: &str, target: &str) -> Option<usize> {
        let target = normalize(target);
        let (first, rest) = target.split_once('/')?;
        if !BUILD_DIRS.contains(&first) {
            return None;
        }
        let stem = rest
            .rsplit_once('.')
            .filter(|(_, ext)| ["js", "mjs", "cjs", "jsx"].contains(ext))
            .map_or(rest, |(stem, _)| stem);
        ["src/", ""]
            .iter()
            .find_map(|prefix| self.probe_file(&normalize(&join(dir, &format!("{prefix}{stem}")))))
    }

    /// `probe` without the folder step (a main field naming its own folder
    /// must not loop).
    fn probe_file(&self, base: &str) -> Option<usize> {
        let get = |p: &str| self.files.get(p).copied();
        get(base)
            .or_else(|| {
                TS_FOR_JS.iter().find_map(|(js, ts)| {
                    let stem = base.strip_suffix(js)?;
                    ts.iter().find_map(|t| get(&format!("{stem}.{t}")))
                })
            })
            .or_else(|| EXTENSIONS.iter().find_map(|e| get(&format!("{base}.{e}"))))
            .or_else(|| {
                INDEX_EXTENSIONS
                    .iter()
                    .find_map(|e| get(&join(base, &format!("index.{e}"))))
            })
    }

    /// A tsconfig's `paths` (longest matching prefix first; its targets in
    /// order), then its `baseUrl`.
    fn by_tsconfig(&self, ts: &TsPaths, spec: &str) -> Option<usize> {
        let mut best: Option<(usize, &str, &[String])> = None;
        for (pattern, targets) in &ts.paths {
            let star = match pattern.split_once('*') {
                None if pattern == spec => match self.first_target(targets, "") {
                    Some(found) => return Some(found),
                    None => continue,
                },
                None => continue,
                Some((prefix, suffix)) => {
                    if spec.len() < prefix.len() + suffix.len()
                        || !spec.starts_with(prefix)
                        || !spec.ends_with(suffix)
                    {
                        continue;
                    }
                    (prefix.len(), &spec[prefix.len()..spec.len() - suffix.len()])
                }
            };
            if best.is_none_or(|(len, _, _)| star.0 > len) {
                best = Some((star.0, star.1, targets));
            }
        }
        if let Some((_, matched, targets)) = best {
            if let Some(found) = self.first_target(targets, matched) {
                return Some(found);
            }
        }
        let base = ts.base_url.as_ref()?;
        self.probe(&normalize(&join(base, spec)))
    }

    fn first_target(&self, targets: &[String], matched: &str) -> Option<usize> {
        targets
            .iter()
            .find_map(|t| self.probe(&normalize(&t.replacen('*', matched, 1))))
    }

    /// `@/x` and `~/x` in a project without a tsconfig: `src/x`, then `x`,
    /// from the nearest package's folder or the working directory.
    fn alias_fallback(&self, spec: &str, package: Option<usize>) -> Option<usize> {
        let rest = spec
            .strip_prefix("@/")
            .or_else(|| spec.strip_prefix("~/"))?;
        let root = match package {
            Some(p) => dir_of(&normalize(&self.facts.packages[p].path)).to_string(),
            None => String::new(),
        };
        [join(&root, &join("src", rest)), join(&root, rest)]
            .iter()
            .find_map(|base| self.probe(&normalize(base)))
    }

    /// `#internal/x` through the nearest package.json's `imports`.
    fn package_import(
        &self,
        spec: &str,
        package: Option<usize>,
        kind: Kind,
        depth: u32,
    ) -> Resolution {
        let Some(p) = package else {
            return Resolution::Unresolved(format!("no package.json declares `{spec}`"));
        };
        let pkg = &self.facts.packages[p];
        let dir = dir_of(&normalize(&pkg.path)).to_string();
        let target = pkg
            .imports
            .as_ref()
            .and_then(|m| map_target(m.entries(), spec, &conditions(kind)));
        match target {
            Some(t) if t.starts_with("./") => self.file_at(&normalize(&join(&dir, &t))),
            Some(t) if !t.starts_with('#') && depth < 4 => self.find(&dir, &t, kind, depth + 1),
            _ => Resolution::Unresolved(format!(
                "`{}` has no `imports` entry for `{spec}`",
                pkg.path
            )),
        }
    }

    /// A package of the project: through its `exports` (the Worker
    /// conditions, then `types` when that names a source file: TypeScript's
    /// view of the same import), or its main fields and subpaths.
    fn package_entry(&self, p: usize, sub: &str, kind: Kind) -> Resolution {
        let pkg = &self.facts.packages[p];
        let dir = dir_of(&normalize(&pkg.path)).to_string();
        let name = pkg.name.as_deref().unwrap_or_default();
        let Some(exports) = &pkg.exports else {
            if !sub.is_empty() {
                return self.file_at(&normalize(&join(&dir, sub)));
            }
            return match self
                .main_field(p)
                .or_else(|| self.probe_file(&join(&dir, "index")))
            {
                Some(i) => Resolution::File(i),
                None => {
                    Resolution::Unresolved(format!("`{name}` has no entry among the project files"))
                }
            };
        };
        let key = if sub.is_empty() {
            ".".to_string()
        } else {
            format!("./{sub}")
        };
        let entries: Vec<(String, Json)>;
        let map: &[(String, Json)] = match exports {
            Json::Map(e) if e.first().is_some_and(|(k, _)| k.starts_with('.')) => e,
            other => {
                entries = vec![(".".to_string(), other.clone())];
                &entries
            }
        };
        let Some(target) = map_target(map, &key, &conditions(kind)) else {
            return Resolution::Unresolved(format!(
                "`{name}` does not export `{key}` for the Worker conditions"
            ));
        };
        if let Some(i) = self.probe_file(&normalize(&join(&dir, &target))) {
            return Resolution::File(i);
        }
        let source = map_target(map, &key, &["types"])
            .filter(|t| !t.contains(".d.") && *t != target)
            .and_then(|t| self.probe_file(&normalize(&join(&dir, &t))))
            .or_else(|| self.source_of_built(&dir, &target));
        match source {
            Some(i) => Resolution::File(i),
            None => Resolution::Unresolved(format!(
                "`{name}` exports `{key}` as `{target}`, which is not a project file (built output?)"
            )),
        }
    }

    /// The nearest tsconfig (index in `tsconfigs`) and package.json (index
    /// in the facts) at or above `dir`. Not cached: the answers that need
    /// it are.
    fn nearest(&self, dir: &str) -> (Option<usize>, Option<usize>) {
        let mut ts = None;
        let mut package = None;
        let mut at = Some(dir.to_string());
        while let Some(d) = at {
            if ts.is_none() {
                ts = self.tsconfig_dirs.get(&d).copied();
            }
            if package.is_none() {
                package = self.package_dirs.get(&d).copied();
            }
            if ts.is_some() && package.is_some() {
                break;
            }
            at = parent(&d, self.max_up);
        }
        (ts, package)
    }
}

/// Conditions for a load of `kind` (besides `default`, which always applies).
fn conditions(kind: Kind) -> [&'static str; 4] {
    let [a, b, c] = WORKER_CONDITIONS;
    match kind {
        Kind::Import => [a, b, c, "import"],
        Kind::Require => [a, b, c, "require"],
    }
}

/// The target an `exports`/`imports` map gives `key` (exact entry first,
/// then the `*` pattern with the longest prefix, then a legacy `./dir/`
/// folder entry), with `*` replaced.
fn map_target(map: &[(String, Json)], key: &str, conds: &[&str]) -> Option<String> {
    if let Some((_, t)) = map.iter().find(|(k, _)| k == key) {
        return pick(t, None, conds).flatten();
    }
    let mut best: Option<(usize, &str, &Json)> = None;
    for (k, t) in map {
        if let Some((prefix, suffix)) = k.split_once('*') {
            if key.len() >= prefix.len() + suffix.len()
                && key.starts_with(prefix)
                && key.ends_with(suffix)
                && best.is_none_or(|(len, _, _)| prefix.len() > len)
            {
                best = Some((
                    prefix.len(),
                    &key[prefix.len()..key.len() - suffix.len()],
                    t,
                ));
            }
        }
    }
    if let Some((_, star, t)) = best {
        return pick(t, Some(star), conds).flatten();
    }
    let (k, t) = map
        .iter()
        .filter(|(k, _)| k.ends_with('/') && key.starts_with(k.as_str()))
        .max_by_key(|(k, _)| k.len())?;
    let rest = &key[k.len()..];
    pick(t, None, conds).flatten().map(|t| format!("{t}{rest}"))
}

/// A conditional target: `None` when nothing matches, `Some(None)` when the
/// match is `null` (excluded), else the path.
fn pick(target: &Json, star: Option<&str>, conds: &[&str]) -> Option<Option<String>> {
    match target {
        Json::Null => Some(None),
        Json::Str(s) => Some(Some(match star {
            Some(m) => s.replace('*', m),
            None => s.clone(),
        })),
        Json::List(items) => items
            .iter()
            .find_map(|t| pick(t, star, conds).filter(Option::is_some)),
        Json::Map(entries) => entries
            .iter()
            .filter(|(k, _)| k == "default" || conds.contains(&k.as_str()))
            .find_map(|(_, t)| pick(t, star, conds)),
    }
}

/// A tsconfig's `baseUrl` and `paths` after the configs it extends (later
/// ones win, its own settings win over all). `baseUrl` is relative to the
/// config that sets it; `${configDir}` is the folder of the config in use.
fn merge(
    facts: &ModuleFacts,
    by_path: &HashMap<String, usize>,
    i: usize,
    leaf_dir: &str,
    depth: u32,
) -> Merged {
    let config = &facts.tsconfigs[i];
    let dir = dir_of(&normalize(&config.path)).to_string();
    let mut merged = Merged::default();
    if depth < 16 {
        for e in &config.extends {
            if let Some(&j) = by_path.get(&normalize(e)) {
                let base = merge(facts, by_path, j, leaf_dir, depth + 1);
                if base.base_url.is_some() {
                    merged.base_url = base.base_url;
                }
                if base.paths.is_some() {
                    merged.paths = base.paths;
                }
            }
        }
    }
    let place = |p: &str| match p.strip_prefix("${configDir}") {
        Some(rest) => normalize(&join(leaf_dir, rest)),
        None => normalize(&join(&dir, p)),
    };
    if let Some(b) = &config.base_url {
        merged.base_url = Some(place(b));
    }
    if let Some(paths) = &config.paths {
        let entries = paths
            .entries()
            .iter()
            .map(|(pattern, targets)| {
                let list = match targets {
                    Json::Str(s) => vec![s.clone()],
                    Json::List(items) => items
                        .iter()
                        .filter_map(|t| match t {
                            Json::Str(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                (pattern.clone(), list)
            })
            .collect();
        merged.paths = Some((entries, dir));
    }
    merged
}

/// `paths` targets relative to `baseUrl` when there is one, else to the
/// config that declared them.
fn finish(merged: Merged, leaf_dir: &str, root: Option<&str>) -> TsPaths {
    let back = |path: String| match root {
        Some(root) if path.starts_with("..") => reenter(&path, root),
        _ => path,
    };
    let paths = match merged.paths {
        Some((entries, declared_in)) => {
            let base = merged.base_url.clone().unwrap_or(declared_in);
            entries
                .into_iter()
                .map(|(pattern, targets)| {
                    let targets = targets
                        .iter()
                        .map(|t| match t.strip_prefix("${configDir}") {
                            Some(rest) => join(leaf_dir, rest),
                            None => back(normalize(&join(&base, t))),
                        })
                        .collect();
                    (pattern, targets)
                })
                .collect()
        }
        None => Vec::new(),
    };
    TsPaths {
        base_url: merged.base_url.map(back),
        paths,
    }
}

/// A normalized path that leaves the working directory `root` (absolute)
/// and comes back into it, named from it: `../../apps/api/src/*` from
/// `/repo/apps/api` is `src/*`, `../../apps/web/x` is `../web/x`.
fn reenter(path: &str, root: &str) -> String {
    let ups = path.split('/').take_while(|p| *p == "..").count();
    let root: Vec<&str> = root.split('/').filter(|p| !p.is_empty()).collect();
    if ups == 0 || ups > root.len() {
        return path.to_string();
    }
    let rest: Vec<&str> = path.split('/').skip(ups).collect();
    // The folders left, from the outermost: each one the path goes back
    // into cancels one `..`.
    let left = &root[root.len() - ups..];
    let back = left.iter().zip(&rest).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; ups - back];
    parts.extend(&rest[back..]);
    parts.join("/")
}

/// `src/routes/../schema` → `src/schema`; leading `..` are kept
/// (`../pkg/x` stays), `.` and empty segments dropped. Paths relative to
/// the working directory, `/`-separated, as files and metafile inputs are.
pub fn normalize(path: &str) -> String {
    // Most paths are plain already (no `.`, `..` or empty segment but a
    // leading `/`): copied without splitting.
    let rest = path.trim_start_matches('/');
    // One pass for `//` and `/.` (`str::contains` twice steps through the
    // path twice: the resolver normalizes every path it tries).
    if !rest.starts_with('.')
        && !rest.ends_with('/')
        && !rest
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'))
    {
        return rest.to_string();
    }
    // The segments kept, written into one string as they come (no list of
    // them to join): `..` takes back the last one written.
    let mut out = String::with_capacity(rest.len());
    let last = |out: &str| out.rfind('/').map_or(0, |i| i + 1);
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if !out.is_empty() && &out[last(&out)..] != ".." => {
                out.truncate(last(&out).saturating_sub(1));
            }
            p => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(p);
            }
        }
    }
    out
}

/// `a/b` + `c` → `a/b/c`; an empty folder is the working directory.
fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        [dir, "/", rest].concat()
    }
}

/// The folder of a normalized path (`""` for the working directory).
fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// How many `..` a normalized folder starts with.
fn ups(dir: &str) -> usize {
    dir.split('/').take_while(|s| *s == "..").count()
}

/// The folder above `dir`, going above the working directory at most
/// `max_up` levels.
fn parent(dir: &str, max_up: usize) -> Option<String> {
    if dir.is_empty() {
        return (max_up > 0).then(|| "..".to_string());
    }
    if dir.split('/').all(|s| s == "..") {
        return (ups(dir) < max_up).then(|| format!("{dir}/.."));
    }
    Some(dir_of(dir).to_string())
}

crate::model::wire::wire_enum!(Kind { 0 => Import, 1 => Require });

#[cfg(test)]
mod tests;
