//! Findings about the bundle (`duplicate-package`, the bundle form of
//! `heavy-dependency`, `commonjs-dependency`, `node-polyfill`,
//! `unused-in-bundle`).
//!
//! Everything comes from the metafile's import graph (`inputs[x].imports[]`,
//! as esbuild resolved it) and its outputs' byte counts. A finding points at
//! the first-party import that pulls the package in: the metafile names the
//! importing input and the specifier as written (`original`); the line is
//! found by a plain scan of that file's text for the specifier in an
//! import/export/require statement (no second parse).

use std::collections::BTreeMap;

use super::heavy_dependency;
use super::node_polyfill_import::polyfill_of;
use crate::analyses::bundle::graph::Graph;
use crate::analyses::bundle::{manifests_by_root, Metafile, PackageManifest};
use crate::knowledge::packages::{self, Origin};
use crate::model::collections::HashMap;
use crate::model::config::Config;
use crate::model::project::{ProjectInfo, SourceFile};
use crate::model::report::{docs_url, Diagnostic};
use crate::model::text::bytes as human;

/// The findings this module reports (declared in the rules folder, each
/// as `Kind::Reported`; `heavy-dependency` is the source rule's id).
pub const BUNDLE_RULE_IDS: &[&str] = &[
    "duplicate-package",
    "commonjs-dependency",
    "node-polyfill",
    "unused-in-bundle",
];
/// A package with a lighter replacement (the e18e dataset) that the project
/// imports itself is reported from this size on even under the threshold (a
/// per-method `lodash/get` is not).
const KNOWN_HEAVY_MIN_BYTES: u64 = 10_000;
/// CommonJS packages smaller than this are not worth a finding unless the
/// ESM table knows them.
const CJS_MIN_BYTES: u64 = 10_000;

/// ESM alternatives or deep imports for CommonJS packages.
const ESM_ALTERNATIVES: &[(&str, &str)] = &[
    ("lodash", "`lodash-es` (named imports tree-shake), per-method `lodash/<name>` imports, es-toolkit or native methods"),
    ("moment", "`dayjs` (2 KiB, ESM) or tree-shakable `date-fns`; `Intl.DateTimeFormat` for formatting"),
    ("moment-timezone", "`Intl.DateTimeFormat` with `timeZone`, or `date-fns-tz`"),
    ("uuid", "the built-in `crypto.randomUUID()`"),
    ("underscore", "`lodash-es` named imports, es-toolkit or native methods"),
    ("axios", "the global `fetch`"),
    ("bluebird", "native `Promise`"),
    ("jsonwebtoken", "`jose` (ESM, Web Crypto)"),
    ("crypto-js", "Web Crypto (`crypto.subtle`)"),
    ("qs", "the global `URLSearchParams`"),
    ("classnames", "`clsx` (ESM)"),
    ("validator", "deep imports such as `validator/es/lib/isEmail`"),
    ("ramda", "named imports from `ramda/es` or `rambda`"),
];

/// Deep imports that avoid a barrel, for `unused-in-bundle`.
const DEEP_IMPORTS: &[(&str, &str)] = &[
    ("date-fns", "`date-fns/format` (one module per function)"),
    ("rxjs", "`rxjs/operators` and named imports"),
    (
        "@mui/material",
        "`@mui/material/Button` (one folder per component)",
    ),
    ("@mui/icons-material", "`@mui/icons-material/Delete`"),
    ("lucide-react", "`lucide-react/dist/esm/icons/<name>`"),
    ("react-icons", "`react-icons/<set>/<Icon>`"),
];

/// One copy of a package in the bundle (one package folder).
struct Copy<'m> {
    root: &'m str,
    name: String,
    version: Option<String>,
    bytes: u64,
    /// Sum of the source bytes of its bundled modules.
    input_bytes: u64,
    modules: u32,
    cjs: bool,
    nodes: Vec<usize>,
}

/// Where first-party code pulls a package in.
#[derive(Clone)]
struct Site<'m> {
    /// The importing first-party input.
    input: &'m str,
    specifier: &'m str,
    /// Package names between the import and the package (empty when direct).
    via: Vec<String>,
}

impl Site<'_> {
    fn describe(&self) -> String {
        if self.via.is_empty() {
            format!("from {}", self.input)
        } else {
            format!("via {}", self.via.join(" → "))
        }
    }
}

struct Analysis<'m> {
    graph: Graph<'m>,
    /// Each node's origin, computed once (the rules ask for it per edge).
    origins: Vec<Origin<'m>>,
    /// The first-party nodes.
    first_party: Vec<usize>,
    copies: Vec<Copy<'m>>,
    parent: Vec<Option<usize>>,
    metafile: &'m Metafile,
}

impl<'m> Analysis<'m> {
    fn new(metafile: &'m Metafile, manifests: &[PackageManifest]) -> Analysis<'m> {
        let graph = Graph::new(metafile);
        let by_root = manifests_by_root(manifests);
        let mut bytes_of: HashMap<&str, u64> = HashMap::default();
        for (_, output) in metafile.code_outputs() {
            for (path, part) in &output.inputs {
                *bytes_of.entry(path.as_str()).or_default() += part.bytes_in_output;
            }
        }
        let mut copies: BTreeMap<&str, Copy> = BTreeMap::new();
        for (i, path) in graph.nodes.iter().enumerate() {
            let Origin::Package { root, name } = packages::origin(path) else {
                continue;
            };
            let Some(&b) = bytes_of.get(path) else {
                continue; // not in any output
            };
            let manifest = by_root.get(root);
            let copy = copies.entry(root).or_insert_with(|| Copy {
                root,
                name: manifest.map_or(name, |m| m.name.as_str()).to_string(),
                version: manifest.and_then(|m| m.version.clone()),
                bytes: 0,
                input_bytes: 0,
                modules: 0,
                cjs: false,
                nodes: Vec::new(),
            });
            copy.bytes += b;
            copy.input_bytes += metafile.inputs[*path].bytes;
            copy.modules += 1;
            copy.cjs |= metafile.inputs[*path].format.as_deref() == Some("cjs");
            copy.nodes.push(i);
        }
        let parent = graph.bfs(|_| false);
        let origins: Vec<Origin> = graph.nodes.iter().map(|p| packages::origin(p)).collect();
        let first_party = (0..origins.len())
            .filter(|n| origins[*n] == Origin::FirstParty)
            .collect();
        Analysis {
            graph,
            origins,
            first_party,
            copies: copies.into_values().collect(),
            parent,
            metafile,
        }
    }

    fn root_of(&self, node: usize) -> Option<&'m str> {
        match self.origins[node] {
            Origin::Package { root, .. } => Some(root),
            _ => None,
        }
    }

    fn name_of_root(&self, root: &str) -> String {
        self.copies.iter().find(|c| c.root == root).map_or_else(
            || {
                root.rsplit("node_modules/")
                    .next()
                    .unwrap_or(root)
                    .to_string()
            },
            |c| c.name.clone(),
        )
    }

    /// First-party imports of the copy itself.
    fn direct_sites(&self, copy: &Copy) -> Vec<Site<'m>> {
        let mut sites = Vec::new();
        for &from in &self.first_party {
            for &(to, spec) in &self.graph.edges[from] {
                if self.root_of(to) == Some(copy.root)
                    && !sites
                        .iter()
                        .any(|s: &Site| s.input == self.graph.nodes[from] && s.specifier == spec)
                {
                    sites.push(Site {
                        input: self.graph.nodes[from],
                        specifier: spec,
                        via: Vec::new(),
                    });
                }
            }
        }
        sites
    }

    /// The shortest chain from the entry to the copy, cut at its last
    /// first-party module (`input` is empty when no first-party code is on it).
    fn shortest_site(&self, copy: &Copy) -> Option<Site<'m>> {
        let path = copy
            .nodes
            .iter()
            .filter_map(|n| self.graph.path_to(&self.parent, *n))
            .min_by_key(|p| p.len())?;
        let last_fp = path
            .iter()
            .rposition(|n| self.origins[*n] == Origin::FirstParty);
        let start = last_fp.map_or(0, |i| i + 1);
        let mut via: Vec<String> = Vec::new();
        let mut last_root = None;
        for &n in &path[start..path.len() - 1] {
            let root = self.root_of(n);
            if root != last_root && root != Some(copy.root) {
                if let Some(r) = root {
                    via.push(self.name_of_root(r));
                }
            }
            last_root = root;
        }
        Some(match last_fp {
            Some(i) if i + 1 < path.len() => Site {
                input: self.graph.nodes[path[i]],
                specifier: self.graph.specifier(path[i], path[i + 1]),
                via,
            },
            _ => Site {
                input: "",
                specifier: "",
                via,
            },
        })
    }

    /// Direct first-party imports, else the shortest chain's.
    fn sites(&self, copy: &Copy) -> Vec<Site<'m>> {
        let direct = self.direct_sites(copy);
        if !direct.is_empty() {
            return direct;
        }
        self.shortest_site(copy).into_iter().collect()
    }

    /// Whether the package is only there because of wrangler's shims.
    fn pulled_by_runtime(&self, copy: &Copy) -> bool {
        let Some(path) = copy
            .nodes
            .iter()
            .filter_map(|n| self.graph.path_to(&self.parent, *n))
            .min_by_key(|p| p.len())
        else {
            return false;
        };
        // Only what comes after the project's own code counts: wrangler's
        // middleware wraps the entry, so runtime modules precede it.
        let start = path
            .iter()
            .rposition(|n| self.origins[*n] == Origin::FirstParty)
            .map_or(0, |i| i + 1);
        path[start..].iter().any(|n| {
            let p = self.graph.nodes[*n];
            packages::origin(p) == Origin::Runtime && !self.graph.entries.contains(n)
                || packages::INJECTED_PACKAGES.iter().any(|s| {
                    self.root_of(*n)
                        .is_some_and(|r| r.ends_with(&format!("node_modules/{s}")))
                })
        })
    }
}

/// The bundle's findings, with config severities applied. `existing` are the
/// source rules' diagnostics: a bundle finding on an import the source rule
/// already reported (same rule, file and package) enriches that one instead.
pub fn findings(
    metafile: &Metafile,
    manifests: &[PackageManifest],
    files: &[SourceFile],
    project: &ProjectInfo,
    config: &Config,
    existing: &mut [Diagnostic],
) -> Vec<Diagnostic> {
    let a = Analysis::new(metafile, manifests);
    let mut out = Vec::new();
    // Severity and category come from the rule's declaration: one source
    // for the report and the `rules` listing.
    let emit = |rule: &'static str,
                site: Option<&Site>,
                message: String,
                help: String,
                out: &mut Vec<Diagnostic>| {
        let meta = crate::rules::declaration(rule)
            .expect("declared bundle rule")
            .meta;
        let Some(severity) = config.severity_of(rule, meta.severity) else {
            return;
        };
        let category = meta.category;
        let (file, line, column) = match site {
            Some(s) if !s.input.is_empty() => locate(s.input, s.specifier, files),
            _ => (None, None, None),
        };
        out.push(Diagnostic {
            group: None,
            related: Vec::new(),
            rule: rule.into(),
            severity,
            category,
            message,
            file,
            line,
            column,
            end_line: None,
            end_column: None,
            help,
            docs: docs_url(rule),
        });
    };

    // duplicate-package
    let mut by_name: BTreeMap<&str, Vec<&Copy>> = BTreeMap::new();
    for c in &a.copies {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    for (name, copies) in &by_name {
        let versions: Vec<Option<&String>> = copies.iter().map(|c| c.version.as_ref()).collect();
        let mut distinct = versions.clone();
        crate::model::collections::sort_by(&mut distinct, |a, b| a.cmp(b));
        distinct.dedup();
        if copies.len() < 2 || distinct.len() < 2 {
            continue;
        }
        let described: Vec<(String, Option<Site>)> = copies
            .iter()
            .map(|c| {
                let site = a.shortest_site(c);
                let from = site.as_ref().map_or_else(String::new, |s| {
                    if s.via.is_empty() {
                        " from your code".to_string()
                    } else {
                        format!(" {}", s.describe())
                    }
                });
                (
                    format!(
                        "{} {} ({}){from}",
                        name,
                        c.version.as_deref().unwrap_or("(unknown version)"),
                        human(c.bytes)
                    ),
                    site,
                )
            })
            .collect();
        let total: u64 = copies.iter().map(|c| c.bytes).sum();
        // Point at the import that brings in a copy through a dependency.
        let site = described
            .iter()
            .filter_map(|(_, s)| s.as_ref())
            .find(|s| !s.via.is_empty() && !s.input.is_empty())
            .or_else(|| described.iter().filter_map(|(_, s)| s.as_ref()).next());
        emit(
            "duplicate-package",
            site,
            format!(
                "`{name}` is bundled {} times ({} in all): {}",
                copies.len(),
                human(total),
                described.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(", ")
            ),
            format!(
                "Align on one version of `{name}`: upgrade or downgrade your own dependency to the version your dependencies use, or force one with `\"overrides\": {{ \"{name}\": \"<version>\" }}` (npm), `\"pnpm\": {{ \"overrides\": … }}` / `\"resolutions\"` (pnpm, yarn) in package.json, then check that the dependency still works with it."
            ),
            &mut out,
        );
    }

    // heavy-dependency (bundle form)
    let threshold = crate::engine::declare::configured::<heavy_dependency::HeavyOptions>(
        config,
        "heavy-dependency",
    )
    .threshold;
    for c in &a.copies {
        let known = heavy_dependency::heavy_alternative(&c.name);
        // A package with a lighter replacement counts from 10 kB where the
        // project imports it itself: switching is then its own change (one
        // a dependency pulls in counts from the threshold, like any other).
        let listed = heavy_dependency::has_lighter_replacement(&c.name)
            && c.bytes >= KNOWN_HEAVY_MIN_BYTES
            && !a.direct_sites(c).is_empty();
        if c.bytes < threshold && !listed {
            continue;
        }
        if polyfill_of(&c.name).is_some() {
            continue; // node-polyfill's
        }
        // A listed package at each import (like the source rule); one over
        // the threshold only once, at the shortest chain's import.
        let sites = if listed {
            a.sites(c)
        } else {
            a.shortest_site(c).into_iter().collect()
        };
        for site in sites {
            let tag = format!("{} in the bundle", human(c.bytes));
            if enrich(existing, "heavy-dependency", &site, files, &c.name, &tag) {
                continue;
            }
            let (message, help) = match &known {
                Some(alt) => (
                    format!(
                        "`{}` adds {} to the bundle{}: use {alt}",
                        c.name,
                        human(c.bytes),
                        via_text(&site)
                    ),
                    format!("Replace `{}` with {alt}.", c.name),
                ),
                None => (
                    format!(
                        "`{}` adds {} to the bundle{} (more than the {} threshold)",
                        c.name,
                        human(c.bytes),
                        via_text(&site),
                        human(threshold)
                    ),
                    match site.via.first() {
                        // Pulled in by a dependency: that one is what the
                        // project imports, and what it can defer or replace.
                        Some(direct) => format!(
                            "`{}` comes with `{direct}`: load `{direct}` on the path that needs it with `await import('{direct}')`, use a lighter alternative to it, or check whether a newer `{direct}` needs less; `perf-optimizer why {}` shows the chain.",
                            c.name, c.name
                        ),
                        None => format!(
                            "Check what you use of `{}`: import only that (a deep import or named imports), load it on the path that needs it with `await import('{}')`, or pick a lighter package; `perf-optimizer why {}` shows what pulls it in.",
                            c.name, c.name, c.name
                        ),
                    },
                ),
            };
            emit("heavy-dependency", Some(&site), message, help, &mut out);
        }
    }

    // commonjs-dependency
    for c in &a.copies {
        let alt = ESM_ALTERNATIVES
            .iter()
            .find(|(n, _)| *n == c.name)
            .map(|(_, a)| *a);
        if !c.cjs || (c.bytes < CJS_MIN_BYTES && alt.is_none()) || c.bytes == 0 {
            continue;
        }
        if polyfill_of(&c.name).is_some() || a.pulled_by_runtime(c) {
            continue;
        }
        for site in a.sites(c) {
            let instead = match alt {
                Some(alt) => format!("use {alt}"),
                None => format!("look for an ESM build of `{}` (a `module` or `exports.import` entry in a newer version) or a deep import of the part you use", c.name),
            };
            emit(
                "commonjs-dependency",
                Some(&site),
                format!(
                    "`{}` is bundled as CommonJS ({}, {} module{}{}): esbuild cannot tree-shake it, so all of it ships",
                    c.name,
                    human(c.bytes),
                    c.modules,
                    if c.modules == 1 { "" } else { "s" },
                    via_text(&site)
                ),
                format!("To keep only what you use, {instead}."),
                &mut out,
            );
        }
    }

    // node-polyfill
    for c in &a.copies {
        let Some(builtin) = polyfill_of(&c.name) else {
            continue;
        };
        if c.bytes == 0 || a.pulled_by_runtime(c) {
            continue;
        }
        let builtin = builtin.unwrap_or_else(|| "nothing (the runtime has it)".into());
        for site in a.sites(c) {
            let tag = format!("{} in the bundle", human(c.bytes));
            if enrich(
                existing,
                "node-polyfill-import",
                &site,
                files,
                &c.name,
                &tag,
            ) {
                continue;
            }
            let (message, help) = if project.nodejs_compat {
                (
                    format!(
                        "The npm polyfill `{}` ({}) is bundled{} although nodejs_compat provides `{builtin}`",
                        c.name,
                        human(c.bytes),
                        via_text(&site)
                    ),
                    format!(
                        "Import `{builtin}` instead of `{}`; if a dependency imports it, alias it in wrangler.toml (`[alias] \"{}\" = \"{builtin}\"`) or upgrade the dependency.",
                        c.name, c.name
                    ),
                )
            } else {
                (
                    format!(
                        "The npm polyfill `{}` ({}) is bundled{}: with nodejs_compat the runtime provides `{builtin}`",
                        c.name,
                        human(c.bytes),
                        via_text(&site)
                    ),
                    format!(
                        "Add `compatibility_flags = [\"nodejs_compat\"]` to wrangler.toml and import `{builtin}` instead of `{}`.",
                        c.name
                    ),
                )
            };
            emit("node-polyfill", Some(&site), message, help, &mut out);
        }
    }
    if !project.nodejs_compat {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (i, input) in metafile.inputs.values().enumerate() {
            for imp in input
                .imports
                .iter()
                .filter(|i| i.external && i.path.starts_with("node:"))
            {
                let from = a.graph.nodes[i];
                if packages::origin(from) == Origin::Runtime
                    || seen.contains(&(from, imp.path.as_str()))
                {
                    continue;
                }
                seen.push((from, imp.path.as_str()));
                let site = if packages::origin(from) == Origin::FirstParty {
                    Some(Site {
                        input: from,
                        specifier: imp.original.as_deref().unwrap_or(&imp.path),
                        via: Vec::new(),
                    })
                } else {
                    let root = a.root_of(i);
                    a.copies
                        .iter()
                        .find(|c| Some(c.root) == root)
                        .and_then(|c| a.shortest_site(c))
                };
                let who = match packages::origin(from) {
                    Origin::Package { .. } => {
                        format!("`{}` imports", a.name_of_root(a.root_of(i).unwrap_or("")))
                    }
                    _ => format!("{from} imports"),
                };
                emit(
                    "node-polyfill",
                    site.as_ref(),
                    format!("{who} `{}` but nodejs_compat is off: the Worker fails to deploy or throws at startup", imp.path),
                    "Add `compatibility_flags = [\"nodejs_compat\"]` (and a recent compatibility_date) to wrangler.toml.".into(),
                    &mut out,
                );
            }
        }
    }

    // unused-in-bundle
    for c in &a.copies {
        if c.cjs || c.bytes < 30_000 || c.modules < 10 || c.input_bytes == 0 {
            continue;
        }
        let kept = c.bytes as f64 / c.input_bytes as f64;
        if kept < 0.8 {
            continue;
        }
        let sites = a.direct_sites(c);
        // A package also imported by subpath (`drizzle-orm/d1`) may well use
        // most of itself: only report packages imported from the root alone.
        let is_root = |spec: &str| {
            !spec.contains('/') || spec.starts_with('@') && spec.matches('/').count() == 1
        };
        if !sites.iter().all(|s| is_root(s.specifier)) {
            continue;
        }
        // The root module must be a barrel: many re-exports.
        let barrel = c.nodes.iter().any(|n| a.graph.edges[*n].len() >= 10);
        if sites.is_empty() || !barrel {
            continue;
        }
        let deep = DEEP_IMPORTS
            .iter()
            .find(|(n, _)| *n == c.name)
            .map(|(_, d)| *d);
        for site in sites {
            emit(
                "unused-in-bundle",
                Some(&site),
                format!(
                    "`{}` is imported from its root (a barrel of {} modules) and {:.0}% of it is bundled ({}): its `sideEffects` or its module structure keep esbuild from dropping what you do not use",
                    c.name,
                    c.modules,
                    kept * 100.0,
                    human(c.bytes)
                ),
                match deep {
                    Some(d) => format!("Import from the module you need, e.g. {d}."),
                    None => format!("Import from the module you need (`{}/<subpath>` when its package.json `exports` allows) or check the package's `sideEffects` field.", c.name),
                },
                &mut out,
            );
        }
    }
    let _ = a.metafile;
    out
}

fn via_text(site: &Site) -> String {
    if site.via.is_empty() {
        String::new()
    } else {
        format!(", {}", site.describe())
    }
}

/// Appends `tag` to a source finding of `rule` on the same import; true when
/// there was one.
fn enrich(
    existing: &mut [Diagnostic],
    rule: &str,
    site: &Site,
    files: &[SourceFile],
    package: &str,
    tag: &str,
) -> bool {
    if site.input.is_empty() || !site.via.is_empty() {
        return false;
    }
    let Some(file) = find_file(site.input, files) else {
        return false;
    };
    let mut found = false;
    for d in existing.iter_mut().filter(|d| {
        d.rule == rule
            && d.file.as_deref() == Some(file.path.as_str())
            && (d.message.starts_with(&format!("`{}`", site.specifier))
                || d.message.starts_with(&format!("`{package}`")))
    }) {
        found = true;
        if !d.message.contains(tag) {
            d.message = format!("{} ({tag})", d.message);
        }
    }
    found
}

/// The source file for a metafile input: the same path, or the file whose
/// path ends with it (the metafile is relative to the project folder, the
/// files to the working directory). Not module resolution: esbuild already
/// resolved the input, only the two path spaces differ; the paths are
/// normalized the way the resolver normalizes them.
fn find_file<'f>(input: &str, files: &'f [SourceFile]) -> Option<&'f SourceFile> {
    let input = crate::semantic::resolve::normalize(input);
    let mut tail = input.as_str();
    while let Some(rest) = tail.strip_prefix("../") {
        tail = rest;
    }
    files
        .iter()
        .find(|f| f.path == tail)
        .or_else(|| files.iter().find(|f| f.path.ends_with(&format!("/{tail}"))))
        .or_else(|| {
            files
                .iter()
                .find(|f| tail.ends_with(&format!("/{}", f.path)))
        })
}

/// (file, line, column) of the import of `specifier` in `input`; the file
/// alone when the line cannot be found.
fn locate(
    input: &str,
    specifier: &str,
    files: &[SourceFile],
) -> (Option<String>, Option<u32>, Option<u32>) {
    let Some(file) = find_file(input, files) else {
        return (Some(input.to_string()), None, None);
    };
    match import_line(&file.source, specifier) {
        Some((line, column)) => (Some(file.path.clone()), Some(line), Some(column)),
        None => (Some(file.path.clone()), None, None),
    }
}

/// 1-based (line, column) of the statement that imports `specifier`: the
/// line with the quoted specifier and `import`/`export`/`require`/`from`;
/// for a multi-line `import {…} from`, the line where the statement starts.
pub(crate) fn import_line(source: &str, specifier: &str) -> Option<(u32, u32)> {
    let quoted = ['\'', '"', '`'].map(|q| format!("{q}{specifier}{q}"));
    let lines: Vec<&str> = crate::syntax::position::js_lines(source).collect();
    let is_statement = |l: &str| {
        ["import", "export", "require", "from"]
            .iter()
            .any(|k| l.contains(k))
    };
    let hit = lines
        .iter()
        .position(|l| quoted.iter().any(|q| l.contains(q.as_str())) && is_statement(l))?;
    let mut line = hit;
    let starts = |l: &str| {
        let t = l.trim_start();
        t.starts_with("import") || t.starts_with("export") || l.contains("require")
    };
    if !starts(lines[hit]) {
        // `} from 'x'`: walk back to the `import {` line (at most 50 lines).
        if let Some(back) = (hit.saturating_sub(50)..hit)
            .rev()
            .find(|i| starts(lines[*i]))
        {
            line = back;
        }
    }
    let text = lines[line];
    let column = text.len() - text.trim_start().len();
    let column = text[..column].encode_utf16().count();
    Some((line as u32 + 1, column as u32 + 1))
}

#[cfg(test)]
mod tests;
