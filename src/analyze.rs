//! The one entry point every front end uses: files + bundle + config → report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyses::baseline::{self, Baseline};
use crate::analyses::budget;
use crate::analyses::bundle::{self, InputSources, Metafile, PackageManifest};
use crate::engine::{KeptWalks, Linter};
use crate::model::config::Config;
pub use crate::model::project::{EntryPoint, FileScope, ProjectInfo, SourceFile, Text};
use crate::model::report::{docs_url, Category, Diagnostic, OutputSize, Report, Severity};
use crate::rules::{self, known_rule_ids};

/// The bundle as the wrapper measured it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BundleInput {
    /// The metafile's JSON text, as esbuild or wrangler wrote it.
    pub metafile: String,
    /// Raw, gzip and brotli sizes of the metafile's code outputs.
    pub outputs: Vec<OutputSize>,
    /// package.json facts for each of `packageRoots(metafile)`.
    #[serde(default)]
    pub manifests: Vec<PackageManifest>,
    /// Pre-bundled inputs (metafile input path → bytes per original source,
    /// read from the input's own source map): their bytes are split across
    /// the sources' packages and folders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub input_sources: BTreeMap<String, InputSources>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyzeInput {
    /// First-party sources to lint.
    pub files: Vec<SourceFile>,
    /// The Worker's entry points: with the default `scope`, the files
    /// reachable from them are analyzed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<EntryPoint>,
    /// Which of `files` to analyze (the config's `allFiles` widens it to all).
    pub scope: FileScope,
    /// `files` are every module of the project that may import another (a
    /// lint of the whole project folder, which holds no component the core
    /// does not read: `.astro`, `.svelte`, `.vue`, `.mdx`): a function
    /// exported by a file no analyzed file imports never runs, and its
    /// findings are left out. Off, an export may be imported by code the
    /// analysis does not see.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub every_importer: bool,
    /// When the wrapper passes the sources as one UTF-8 buffer next to the
    /// input (`analyzeJson(input, sources)`): the byte length of each file's
    /// text in it, in the order of `files`. Saves decoding every file into a
    /// JS string and encoding it back into wasm memory.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_lengths: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleInput>,
    /// Files the wrapper could not hand over (too large, unreadable, or that
    /// crashed the core on their own); reported as `unreadable-file`.
    pub skipped: Vec<SkippedFile>,
    /// SQL schema and migration files (drizzle-kit's `drizzle/`, wrangler's
    /// `migrations_dir`), for the database rules' index knowledge.
    pub sql_files: Vec<SourceFile>,
    /// What the wrangler config says, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectInfo>,
    /// Startup profiles and the bundle's source map (`check --startup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<crate::analyses::startup::StartupInput>,
    /// The measurements of `perf-optimizer profile` (js/profile.js): the
    /// report's `profile` block, completed here with the plan's limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<crate::model::profile::ProfileReport>,
    /// The config as JSON text (validated here), if the project has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// A saved baseline's JSON text (`--baseline`): the report then carries
    /// the comparison (`baseline`) and growth budgets apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The e18e module-replacements data (data/module-replacements.json) as
    /// JSON text, for the lighter alternatives `heavy-dependency` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacements: Option<String>,
    /// The Workers heavy-package table (data/workers-heavy-packages.json) as
    /// JSON text, for `heavy-dependency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heavy_packages: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
    /// The size cap in bytes, when the file was skipped for being over it
    /// (reported as `file-too-large`, an info finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl AnalyzeInput {
    /// Fills in the texts of `files` from `bytes`, the files' sources one
    /// after another as `source_lengths` measures them, except the files
    /// `deferred` (indices, ascending), whose texts are not in `bytes`: they
    /// are read when first used (`Text::deferred`). Invalid UTF-8 becomes
    /// U+FFFD, as Node's own decoding would do.
    pub fn attach_sources(&mut self, bytes: &[u8], deferred: &[u32]) -> Result<(), String> {
        if self.source_lengths.len() != self.files.len() {
            return Err(format!(
                "sourceLengths has {} entries for {} files",
                self.source_lengths.len(),
                self.files.len()
            ));
        }
        if deferred.windows(2).any(|w| w[0] >= w[1])
            || deferred
                .last()
                .is_some_and(|&i| i as usize >= self.files.len())
        {
            return Err("the deferred files are not ascending indices of the files".into());
        }
        let mut later = deferred.iter().map(|&i| i as usize).peekable();
        let mut is_deferred = |i: usize| later.next_if_eq(&i).is_some();
        let sent: Vec<bool> = (0..self.files.len()).map(|i| !is_deferred(i)).collect();
        let total: u64 = self
            .source_lengths
            .iter()
            .zip(&sent)
            .filter(|(_, &sent)| sent)
            .map(|(&n, _)| u64::from(n))
            .sum();
        if total != bytes.len() as u64 {
            return Err(format!(
                "sourceLengths add up to {total} bytes, the sources buffer has {}",
                bytes.len()
            ));
        }
        let mut rest = bytes;
        for (i, (file, &length)) in self.files.iter_mut().zip(&self.source_lengths).enumerate() {
            if !sent[i] {
                file.source = Text::deferred(i);
                continue;
            }
            let (text, tail) = rest.split_at(length as usize);
            // Checked whole first: `from_utf8` reads a word at a time where
            // the text is ASCII; the lossy decoder reads byte by byte.
            file.source = match std::str::from_utf8(text) {
                Ok(text) => text.into(),
                Err(_) => String::from_utf8_lossy(text).into_owned().into(),
            };
            rest = tail;
        }
        Ok(())
    }
}

// ----- reading the input (the wasm's `analyzeJson`): per-field readers, see `model::json::FromJson` -----

mod read {
    use super::{AnalyzeInput, BundleInput, SkippedFile};
    use crate::analyses::bundle::prebundled::SourceBytes;
    use crate::analyses::bundle::{InputSources, PackageManifest};
    use crate::analyses::startup::{MappedPosition, StartupInput};
    use crate::model::json::{from_json_by_deserialize, from_json_struct};
    use crate::model::modules::ModuleFacts;
    use crate::model::project::{EntryPoint, FileScope, InstalledPackage, ProjectInfo, SourceFile};

    from_json_by_deserialize!(FileScope, ModuleFacts);

    from_json_struct! {
        AnalyzeInput { files: "files" opt, entries: "entries" opt, scope: "scope" opt, every_importer: "everyImporter" opt, source_lengths: "sourceLengths" opt, bundle: "bundle" opt, skipped: "skipped" opt, sql_files: "sqlFiles" opt, project: "project" opt, startup: "startup" opt, profile: "profile" opt, config: "config" opt, baseline: "baseline" opt, replacements: "replacements" opt, heavy_packages: "heavyPackages" opt }
        SourceFile { path: "path" req, source: "source" opt }
        EntryPoint { path: "path" req, declared_by: "declaredBy" req, queue_batch_size: "queueBatchSize" opt }
        BundleInput { metafile: "metafile" req, outputs: "outputs" req, manifests: "manifests" opt, input_sources: "inputSources" opt }
        PackageManifest { root: "root" req, name: "name" req, version: "version" opt }
        InputSources { sources: "sources" opt, unmapped_bytes: "unmappedBytes" opt }
        SourceBytes { path: "path" req, bytes: "bytes" req }
        SkippedFile { path: "path" req, reason: "reason" req, limit: "limit" opt }
        ProjectInfo { nodejs_compat: "nodejsCompat" opt, d1: "d1" opt, hyperdrive: "hyperdrive" opt, kv: "kv" opt, r2: "r2" opt, queue_batch_size: "queueBatchSize" opt, workers_cache: "workersCache" opt, placement: "placement" opt, modules: "modules" opt, installed: "installed" opt }
        InstalledPackage { specifier: "specifier" opt, scope: "scope" opt, path: "path" opt, entry: "entry" opt, bytes: "bytes" opt, modules: "modules" opt, complete: "complete" opt, cjs: "cjs" opt }
        StartupInput { profiles: "profiles" opt, bundle_file: "bundleFile" opt, positions: "positions" opt, sources: "sources" opt, sources_content: "sourcesContent" opt }
        MappedPosition { line: "line" req, column: "column" opt, source: "source" req, original_line: "originalLine" req }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::model::json::{from_str, read_str};
        use crate::model::project::InstalledPackage;
        use crate::model::report::OutputSize;

        #[test]
        fn field_readers_read_every_field_as_the_derive_does() {
            // Every field set (none left out by `skip_serializing_if`).
            let text = serde_json::json!({
                "files": [{"path": "src/a.ts", "source": "x"}],
                "entries": [{"path": "src/a.ts", "declaredBy": "wrangler.toml (main)", "queueBatchSize": 5}],
                "scope": "all",
                "sourceLengths": [1],
                "bundle": {
                    "metafile": "{}",
                    "outputs": [{"path": "o.js", "bytes": 1, "gzipBytes": 2, "brotliBytes": 3}],
                    "manifests": [{"root": "node_modules/p", "name": "p", "version": "1.0.0"}],
                    "inputSources": {"i.js": {"sources": [{"path": "s.ts", "bytes": 4}], "unmappedBytes": 5}}
                },
                "skipped": [{"path": "big.js", "reason": "too large", "limit": 6}],
                "sqlFiles": [{"path": "m.sql", "source": "create table t (a int);"}],
                "project": {
                    "nodejsCompat": true, "d1": ["DB"], "hyperdrive": ["HD"], "kv": ["KV"], "r2": ["R2"],
                    "queueBatchSize": 7, "workersCache": true, "placement": "smart",
                    "modules": {"tsconfigs": [{"path": "tsconfig.json", "baseUrl": "."}], "packages": [{"path": "package.json", "name": "app"}]},
                    "installed": [{"specifier": "m", "scope": ".", "path": "node_modules/m", "entry": "node_modules/m/i.js", "bytes": 8, "modules": 9, "complete": true, "cjs": true}]
                },
                "startup": {
                    "profiles": ["{}"], "bundleFile": "index.js",
                    "positions": [{"line": 1, "column": 2, "source": 0, "originalLine": 3}],
                    "sources": ["src/a.ts"], "sourcesContent": [null, "x"]
                },
                "config": "{}", "baseline": "{}", "replacements": "[]", "heavyPackages": "{}"
            })
            .to_string();
            let ours: AnalyzeInput = read_str(&text).unwrap();
            let derived: AnalyzeInput = from_str(&text).unwrap();
            assert_eq!(ours, derived);
            assert_eq!(
                ours.project.as_ref().unwrap().installed[0],
                InstalledPackage {
                    specifier: "m".into(),
                    scope: ".".into(),
                    path: "node_modules/m".into(),
                    entry: "node_modules/m/i.js".into(),
                    bytes: 8,
                    modules: 9,
                    complete: true,
                    cjs: true,
                }
            );
            assert!(!ours.project.as_ref().unwrap().modules.is_empty());
            assert_eq!(
                ours.bundle.as_ref().unwrap().outputs[0],
                OutputSize {
                    path: "o.js".into(),
                    bytes: 1,
                    gzip_bytes: 2,
                    brotli_bytes: 3,
                }
            );
            assert_eq!(
                ours.bundle.as_ref().unwrap().input_sources["i.js"].unmapped_bytes,
                5
            );
            assert_eq!(
                ours.startup.as_ref().unwrap().sources_content,
                [None, Some("x".into())]
            );
            // Round trip: what the derive writes, both read back alike.
            let again = serde_json::to_string(&ours).unwrap();
            assert_eq!(read_str::<AnalyzeInput>(&again).unwrap(), ours);
            // Everything left out.
            assert_eq!(
                read_str::<AnalyzeInput>("{}").unwrap(),
                AnalyzeInput::default()
            );
        }

        #[test]
        fn field_readers_fail_as_the_derive_does() {
            for text in [
                r#"{"files": [{"source": "x"}]}"#,
                r#"{"files": {}}"#,
                r#"{"scope": "some"}"#,
                r#"{"bundle": {"metafile": "{}", "outputs": [], "inputSources": []}}"#,
                r#"{"project": {"queueBatchSize": -1}}"#,
                r#"{"project": {"modules": {"tsconfigs": 3}}}"#,
                r#"{"startup": {"positions": [{"line": 1}]}}"#,
                r#"[]"#,
            ] {
                let ours = read_str::<AnalyzeInput>(text).map_err(|e| e.to_string());
                let derived = from_str::<AnalyzeInput>(text).map_err(|e| e.to_string());
                assert_eq!(ours, derived, "{text}");
                // (The module facts read leniently: `tsconfigs: 3` is none.)
                assert!(ours.is_err() || text.contains("tsconfigs"), "{text}");
            }
        }
    }
}

/// Validates a config (JSON text); the error names the key. Rule ids and
/// their options are checked against the rules' declarations.
pub fn parse_config(json: Option<&str>) -> Result<Config, String> {
    config_with_ids(json, &known_rule_ids())
}

/// [`parse_config`] with the known rule ids at hand (the registry has them).
fn config_with_ids(json: Option<&str>, known_ids: &[&str]) -> Result<Config, String> {
    let Some(text) = json else {
        return Ok(Config::default());
    };
    let config = Config::parse(text, known_ids)?;
    for (id, setting) in &config.rules {
        if let (Some(options), Some(declaration)) = (setting.options(), rules::declaration(id)) {
            declaration
                .options
                .validate(options)
                .map_err(|e| format!("rules.{id}: {e}"))?;
        }
    }
    Ok(config)
}

pub fn analyze(input: &AnalyzeInput) -> Result<Report, String> {
    analyze_precomputed(input, &[]).map(|(report, _)| report)
}

/// The files the analysis of `input` analyzes: the config's `allFiles`
/// widens the reach of the entries to every file.
fn scope_of(input: &AnalyzeInput, config: &Config) -> FileScope {
    match input.scope {
        FileScope::Reachable if config.all_files => FileScope::All,
        scope => scope,
    }
}

/// The registry, the config and the project, with the data tables of
/// `input` installed: what every file's walk reads besides the file.
fn prepare(input: &AnalyzeInput) -> Result<(crate::engine::Registry, Config, ProjectInfo), String> {
    if let Some(json) = &input.replacements {
        crate::rules::heavy_dependency::install_replacements(json)?;
    }
    if let Some(json) = &input.heavy_packages {
        crate::rules::heavy_dependency::install_heavy_packages(json)?;
    }
    let registry = rules::registry();
    let config = config_with_ids(input.config.as_deref(), &registry.known_ids)
        .map_err(|e| format!("config: {e}"))?;
    Ok((registry, config, input.project.clone().unwrap_or_default()))
}

/// The walks of the files `only` (indices into `input.files`) with the
/// parameters they most likely get ([`crate::engine::likely_walk_params`]),
/// as records for [`analyze_precomputed`]: (file index, byte length, walk),
/// LEB128 numbers. Another instance (a thread) may compute them, or a
/// cache keep them: `input` must then hold the same config and project.
pub fn walk(input: &AnalyzeInput, only: impl IntoIterator<Item = u32>) -> Result<Vec<u8>, String> {
    let (registry, config, project) = prepare(input)?;
    let mut linter = Linter::new(&config, &project, &registry);
    linter.every_importer = input.every_importer;
    linter.walk_records(&input.files, &input.entries, scope_of(input, &config), only)
}

/// The files the analysis of `input` likely walks, for the threads to walk
/// ahead ([`crate::engine::likely_walked`]); None when it walks every file.
pub fn likely_walked(input: &AnalyzeInput, specifiers: &[Vec<&str>]) -> Option<Vec<u32>> {
    let none = crate::model::modules::ModuleFacts::default();
    let modules = input.project.as_ref().map_or(&none, |p| &p.modules);
    crate::engine::likely_walked(
        &input.files,
        &input.entries,
        input.scope,
        modules,
        specifiers,
    )
}

/// [`walk`] for walks this instance merges itself ([`analyze_with_kept`]):
/// kept as they are, written as records too only `with_records`.
pub fn walk_kept(
    input: &AnalyzeInput,
    only: impl IntoIterator<Item = u32>,
    with_records: bool,
) -> Result<(Vec<u8>, KeptWalks), String> {
    let (registry, config, project) = prepare(input)?;
    let mut linter = Linter::new(&config, &project, &registry);
    linter.every_importer = input.every_importer;
    linter.walk_kept(
        &input.files,
        &input.entries,
        scope_of(input, &config),
        only,
        with_records,
    )
}

/// [`analyze`], with the walks of some files computed apart ([`walk`]'s
/// records, concatenated, in any order); also says how many files were
/// walked here (the others' walks were given and fit).
pub fn analyze_precomputed(
    input: &AnalyzeInput,
    precomputed: &[u8],
) -> Result<(Report, u32), String> {
    analyze_with_kept(input, precomputed, KeptWalks::default())
}

/// [`analyze_precomputed`], with the walks this instance made itself
/// ([`walk_kept`]) standing for their files' records too.
pub fn analyze_with_kept(
    input: &AnalyzeInput,
    precomputed: &[u8],
    kept: KeptWalks,
) -> Result<(Report, u32), String> {
    analyze_with_roles(input, precomputed, kept, &[]).map(|(report, walked, _)| (report, walked))
}

/// [`analyze_with_kept`], given the roles the files' texts gave in an
/// earlier run (`roles`: a byte per file, [`crate::engine::role_code`], any
/// other byte for none): a file no entry reaches and nothing walks is
/// placed without its text. Also returns the roles the texts (or walks)
/// gave this time, for the wrapper to keep (u8::MAX where none).
pub fn analyze_with_roles(
    input: &AnalyzeInput,
    precomputed: &[u8],
    kept: KeptWalks,
    roles: &[u8],
) -> Result<(Report, u32, Vec<u8>), String> {
    let (registry, config, project) = prepare(input)?;
    let precomputed = crate::engine::Precomputed::parse(precomputed, input.files.len())?
        .with_kept(kept, input.files.len())
        .with_roles(roles);
    let baseline = input
        .baseline
        .as_deref()
        .map(Baseline::parse)
        .transpose()
        .map_err(|e| format!("baseline: {e}"))?;

    let mut linter = Linter::new(&config, &project, &registry);
    linter.every_importer = input.every_importer;
    let scope = scope_of(input, &config);
    let mut lint = linter.lint_precomputed(
        &input.files,
        &input.sql_files,
        &input.entries,
        scope,
        &precomputed,
    );
    let text_roles = lint
        .text_roles
        .iter()
        .map(|role| role.map_or(u8::MAX, crate::engine::role_code))
        .collect();
    lint.diagnostics.extend(
        input
            .skipped
            .iter()
            .filter_map(|s| skipped_finding(s, &config)),
    );

    let bundle = match &input.bundle {
        Some(b) => {
            let mut metafile = Metafile::parse(&b.metafile)?;
            bundle::prebundled::expand(&mut metafile, &b.input_sources);
            let mut found = rules::bundle_findings::findings(
                &metafile,
                &b.manifests,
                &input.files,
                &project,
                &config,
                &mut lint.diagnostics,
            );
            // Suppression comments at the first-party import apply too.
            crate::engine::suppress::retain_unsuppressed(&mut found, &lint.suppressions);
            lint.diagnostics.extend(found);
            // One problem, one finding: the size of a CommonJS package is
            // evidence of its commonjs-dependency finding.
            crate::engine::merge_same_cause(&mut lint.diagnostics);
            Some(bundle::analyze(&metafile, b.outputs.clone(), &b.manifests))
        }
        None => None,
    };
    crate::engine::merge_package_findings(&mut lint.diagnostics);

    // Profiles of the same bundle, measured by the wrapper in workerd.
    let startup = match &input.startup {
        Some(profiles) => {
            let entries: Vec<&str> = input.entries.iter().map(|e| e.path.as_str()).collect();
            let (startup, findings) =
                rules::startup_step(profiles, &entries, &config, &lint.suppressions)?;
            lint.diagnostics.extend(findings);
            Some(startup)
        }
        None => None,
    };
    let limits = config.platform_limits();
    let profile = input.profile.clone().map(|p| p.with_limits(&limits));
    if let Some(p) = &profile {
        lint.diagnostics
            .extend(rules::profile_step(p, &config, &lint.suppressions));
        rules::profile_confirmation(p, &config, &lint.suppressions, &mut lint.diagnostics);
    }
    let mut report = Report::new(lint.diagnostics, bundle, Vec::new(), lint.files_analyzed);
    report.summary.skipped_files = lint.files.iter().filter(|f| !f.analyzed).count() as u32;
    report.files = lint.files;
    report.notes = lint.notes;
    report.startup = startup;
    report.profile = profile;
    if let Some(baseline) = &baseline {
        report.baseline = Some(baseline::compare(&report, baseline));
    }
    budget::apply(&mut report, &config, baseline.as_ref())?;
    Ok((report, lint.files_walked, text_roles))
}

/// The GET routes `perf-optimizer profile` can request as written, read
/// from the Worker's first-party sources: each `x.get('/path', handler)`
/// literal (Hono, itty-router and routers of that shape) under the prefixes
/// its router is mounted at (`app.route('/api', x)`, matched by name),
/// without parameters, wildcards or patterns; always `/`. Sorted. A file
/// that does not parse, or nests deeper than the parser's guard, adds none.
pub fn discover_routes(files: &[crate::model::project::SourceFile]) -> Vec<String> {
    use crate::syntax::{nesting, parse};
    let found: Vec<rules::cacheable_route::RouteLiterals> = files
        .iter()
        .filter(|f| nesting::trouble(&f.path, &f.source).is_none())
        .filter_map(|f| parse(&f.path, &f.source, None).ok())
        .map(|program| rules::cacheable_route::route_literals(&program))
        .collect();
    let mut mounts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (prefix, router) in found.iter().flat_map(|f| &f.mounts) {
        mounts.entry(router.as_ref()).or_default().push(prefix);
    }
    let join = |prefix: &str, path: &str| {
        let joined = format!(
            "{}{}",
            prefix.trim_end_matches('/'),
            if path == "/" { "" } else { path }
        );
        if joined.is_empty() {
            "/".to_string()
        } else {
            joined
        }
    };
    let requestable = |path: &str| !path.contains([':', '*', '?', '{', '}', '(', ')', '[', ']']);
    let mut paths: std::collections::BTreeSet<String> = ["/".to_string()].into();
    for (router, path) in found.iter().flat_map(|f| &f.gets) {
        let prefixes = mounts
            .get(router.as_ref())
            .map_or(&[""][..], |p| p.as_slice());
        paths.extend(
            prefixes
                .iter()
                .map(|prefix| join(prefix, path))
                .filter(|p| requestable(p)),
        );
    }
    paths.into_iter().collect()
}

/// The finding for a file the wrapper skipped: `file-too-large` (info) for
/// one over the size cap, at the severity the config sets (none when it
/// turns the rule off); else `unreadable-file`, always a warning (as for a
/// file the depth guard reports).
fn skipped_finding(s: &SkippedFile, config: &Config) -> Option<Diagnostic> {
    let (rule, severity) = match s.limit {
        Some(_) => {
            let meta = rules::declaration("file-too-large")?.meta;
            (
                "file-too-large",
                config.severity_of(meta.id, meta.severity)?,
            )
        }
        None => ("unreadable-file", Severity::Warning),
    };
    Some(Diagnostic {
        group: None,
        related: Vec::new(),
        rule: rule.into(),
        severity,
        category: Category::Input,
        message: format!("{} was not analyzed: {}", s.path, s.reason),
        file: Some(s.path.clone()),
        line: None,
        column: None,
        end_line: None,
        end_column: None,
        help: skipped_help(s).into(),
        docs: docs_url(rule),
    })
}

/// What to do about a skipped file: only a crash of the core is ours to fix
/// (a FIFO, a 6 MiB bundle or NUL bytes are not an internal error).
fn skipped_help(s: &SkippedFile) -> &'static str {
    if s.limit.is_some() {
        "Generated or minified code? Exclude it with `ignore` in the config; a large source file is analyzed with a higher cap (`--max-file-size`, or `maxFileSize` in the config). The other files are analyzed."
    } else if s.reason.starts_with("internal error") {
        "This is a bug in perf-optimizer: please report it with the file. The other files are analyzed."
    } else {
        "Generated or not source code? Exclude it with `ignore` in the config; the other files are analyzed."
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::baseline::baseline_from_report;

    /// A source file of a test's input.
    fn file(path: &str, source: impl Into<crate::model::project::Text>) -> SourceFile {
        SourceFile {
            path: path.into(),
            source: source.into(),
        }
    }

    /// A skipped file's help says "report it" only for a crash of the core
    /// (it said so for a FIFO, a too-large file and NUL bytes too).
    #[test]
    fn skipped_files_are_reported_with_help_that_fits_the_reason() {
        let skipped = |reason: &str| SkippedFile {
            path: "src/x.js".into(),
            reason: reason.into(),
            limit: None,
        };
        let report = analyze(&AnalyzeInput {
            skipped: vec![
                skipped("cannot read source file: a FIFO, only regular files are read"),
                skipped("internal error while analyzing src/x.js: unreachable"),
            ],
            ..AnalyzeInput::default()
        })
        .unwrap();
        let helps: Vec<_> = report.diagnostics.iter().map(|d| d.help.as_str()).collect();
        assert_eq!(helps.len(), 2);
        assert!(
            helps[0].starts_with("Generated or not source code?"),
            "{}",
            helps[0]
        );
        assert!(!helps[0].contains("bug"), "{}", helps[0]);
        assert!(
            helps[1].starts_with("This is a bug in perf-optimizer"),
            "{}",
            helps[1]
        );
    }

    /// A file over the size cap is an info finding naming the file and the
    /// cap (it was a warning), which never changes the exit code, and which
    /// the config can set like any rule.
    #[test]
    fn a_file_over_the_size_cap_is_an_info_finding() {
        let run = |config: Option<&str>| {
            analyze(&AnalyzeInput {
                skipped: vec![SkippedFile {
                    path: "src/big.js".into(),
                    reason: "6.3 MiB is over the 4 MiB limit for a source file (generated or minified code?)".into(),
                    limit: Some(4 << 20),
                }],
                config: config.map(str::to_string),
                ..AnalyzeInput::default()
            })
            .unwrap()
        };
        let report = run(None);
        let [d] = &report.diagnostics[..] else {
            panic!("{:?}", report.diagnostics)
        };
        assert_eq!(
            (d.rule.as_str(), d.severity),
            ("file-too-large", Severity::Info)
        );
        assert_eq!(
            d.message,
            "src/big.js was not analyzed: 6.3 MiB is over the 4 MiB limit for a source file (generated or minified code?)"
        );
        assert_eq!(d.file.as_deref(), Some("src/big.js"));
        assert!(d.help.contains("maxFileSize"), "{}", d.help);
        assert_eq!((report.summary.infos, report.summary.warnings), (1, 0));
        assert_eq!(report.exit_code(), 0);
        assert!(run(Some(r#"{"rules":{"file-too-large":"off"}}"#))
            .diagnostics
            .is_empty());
        let strict = run(Some(r#"{"rules":{"file-too-large":"error"}}"#));
        assert_eq!(strict.exit_code(), 1);
    }

    /// 389 unclosed `Array<` before 300,000 list items took 103 s in the
    /// parser (found by the fuzzer): the guard reports the file instead, at
    /// once. (A loose bound: the parse took minutes, the guard a few ms.)
    #[test]
    fn many_unclosed_type_arguments_are_reported_not_parsed_for_minutes() {
        let hostile = format!(
            "export const x = {}[{}];\n",
            "Array<".repeat(389),
            "1,".repeat(300_000)
        );
        let started = std::time::Instant::now();
        let report = analyze(&AnalyzeInput {
            files: vec![SourceFile {
                path: "src/gen.ts".into(),
                source: hostile.into(),
            }],
            scope: FileScope::All,
            ..AnalyzeInput::default()
        })
        .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert!(seconds < 10.0, "{seconds} s");
        let messages: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| (d.rule.as_str(), d.message.as_str()))
            .collect();
        assert!(
            matches!(messages[..], [("unreadable-file", m)] if m.starts_with("src/gen.ts was not analyzed: too many unclosed `<`")),
            "{messages:?}"
        );
    }

    /// Messages quote the limits that apply (plan and overrides), from the
    /// one limits table, never literals.
    #[test]
    fn messages_take_limits_from_the_config() {
        let source = "export default { async fetch(req, env) {\n  for (const id of ids) { await env.KV.get(id); }\n  const body = await req.arrayBuffer();\n  await env.BUCKET.put('k', body);\n  return new Response('ok');\n} };\nconst ids = await load();\n";
        let run = |config: &str| {
            let report = analyze(&AnalyzeInput {
                files: vec![SourceFile {
                    path: "src/index.ts".into(),
                    source: source.into(),
                }],
                config: Some(config.into()),
                ..AnalyzeInput::default()
            })
            .unwrap();
            report
                .diagnostics
                .iter()
                .map(|d| format!("{} {} {}", d.rule, d.message, d.help))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let free = run("{}");
        assert!(
            free.contains("only 1,000 to Cloudflare services on the Free plan"),
            "{free}"
        );
        assert!(free.contains("chunks of 6"), "{free}");
        assert!(free.contains("the isolate's 128 MB"), "{free}");
        let paid =
            run(r#"{"plan":"paid","limits":{"memoryBytes":256000000,"openConnections":10}}"#);
        assert!(paid.contains("only 10,000 on the Paid plan"), "{paid}");
        assert!(paid.contains("chunks of 10"), "{paid}");
        assert!(paid.contains("the isolate's 256 MB"), "{paid}");
    }

    /// A project: the Worker (entry, a route, a workspace package), and
    /// beside it a test, a seed script, a web client, a Node server and a
    /// file nothing imports, each with a loop that awaits a fetch.
    fn monorepo() -> Vec<SourceFile> {
        let looped = "export async function run(ids: string[]) {\n  for (const id of ids) { await fetch(`https://x/${id}`); }\n}\n";
        vec![
            file("apps/admin/server.ts", format!("import express from 'express';\n{looped}export const app = express();\n")),
            file("apps/api/src/index.ts", "import { run } from './routes/run';\nimport { share } from '@acme/shared';\nimport type { T } from './types';\nexport default { async fetch() { await run([]); await share([]); return new Response('ok'); } };\n"),
            file("apps/api/src/routes/run.ts", looped),
            file("apps/api/src/types.ts", "export type T = string;\n"),
            file("apps/api/test/run.test.ts", format!("import {{ run }} from '../src/routes/run';\n{looped}")),
            file("apps/api/scripts/seed.ts", looped),
            file("apps/web/src/main.ts", format!("import {{ createRoot }} from 'react-dom/client';\n{looped}")),
            file("packages/shared/src/index.ts", looped.replace("run", "share")),
            file("packages/shared/src/unused.ts", looped),
        ]
    }

    fn monorepo_input(scope: FileScope, entries: &[&str], config: &str) -> AnalyzeInput {
        let modules: crate::model::modules::ModuleFacts = serde_json::from_str(
            r#"{"packages":[{"path":"packages/shared/package.json","name":"@acme/shared","exports":{".":"./src/index.ts"}}]}"#,
        )
        .unwrap();
        AnalyzeInput {
            files: monorepo(),
            entries: entries
                .iter()
                .map(|p| EntryPoint {
                    path: (*p).into(),
                    declared_by: "apps/api/wrangler.toml (main)".into(),
                    ..EntryPoint::default()
                })
                .collect(),
            scope,
            project: Some(ProjectInfo {
                modules,
                ..ProjectInfo::default()
            }),
            config: Some(config.into()),
            ..AnalyzeInput::default()
        }
    }

    /// What the Worker runs from its entry, the first of `files`, with the default config.
    fn from_entry(files: Vec<SourceFile>) -> AnalyzeInput {
        AnalyzeInput {
            entries: vec![EntryPoint {
                path: files[0].path.clone(),
                ..EntryPoint::default()
            }],
            files,
            scope: FileScope::Reachable,
            config: Some("{}".into()),
            ..AnalyzeInput::default()
        }
    }

    /// The report's note that says `text`.
    /// An exported function with a fetch per element of its argument.
    fn looped_export(name: &str) -> String {
        format!("export async function {name}(ids: string[]) {{\n  for (const id of ids) {{ await fetch(`https://x/${{id}}`); }}\n}}\n")
    }

    fn note_containing<'r>(report: &'r Report, text: &str) -> &'r str {
        report
            .notes
            .iter()
            .find(|n| n.contains(text))
            .unwrap_or_else(|| panic!("a note with {text:?} in {:?}", report.notes))
    }

    fn findings_and_roles(report: &Report) -> (Vec<String>, Vec<String>) {
        let findings = report
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {}",
                    d.file.as_deref().unwrap_or(""),
                    d.line.unwrap_or(0),
                    d.rule
                )
            })
            .collect();
        let roles = report
            .files
            .iter()
            .map(|f| {
                format!(
                    "{} {}{}{}",
                    f.path,
                    f.role.name(),
                    f.entry
                        .as_deref()
                        .map(|e| format!(" from {e}"))
                        .unwrap_or_default(),
                    if f.analyzed { "" } else { " (skipped)" }
                )
            })
            .collect();
        (findings, roles)
    }

    /// A branch the build drops (`process.env.NODE_ENV` is "production" in
    /// a deployed Worker, Vite's `import.meta.env.DEV` false) is not in the
    /// Worker: what only it imports is not reached, its code not analyzed.
    #[test]
    fn branches_the_build_drops_are_not_what_the_worker_runs() {
        let entry = r#"export default {
  async fetch(request, env) {
    if (process.env.NODE_ENV === 'development') {
      const { local } = await import('./dev');
      for (const x of request.items) console.log(x);
      return local();
    }
    const other = process.env.NODE_ENV !== 'production' ? await import('./debug') : null;
    if (import.meta.env.DEV) await import('./vite-dev');
    if (process.env.NODE_ENV === 'production' || other) await import('./prod');
    for (const id of request.ids) await fetch(`https://api.example.com/${id}`);
    return new Response(String(other));
  },
};
"#;
        let loop_fetch = "export async function f(ids) {\n  for (const id of ids) await fetch(`https://a.example/${id}`);\n}\n";
        let input = AnalyzeInput {
            files: vec![
                file("src/index.ts", entry),
                file("src/dev.ts", loop_fetch),
                file("src/debug.ts", loop_fetch),
                file("src/vite-dev.ts", loop_fetch),
                file("src/prod.ts", loop_fetch),
            ],
            entries: vec![EntryPoint {
                path: "src/index.ts".into(),
                ..EntryPoint::default()
            }],
            scope: FileScope::Reachable,
            config: Some(r#"{"rules":{"console-in-loop":"warn"}}"#.into()),
            ..AnalyzeInput::default()
        };
        let (findings, roles) = findings_and_roles(&analyze(&input).unwrap());
        assert_eq!(
            findings,
            [
                "src/index.ts:11 subrequest-in-loop",
                "src/prod.ts:2 subrequest-in-loop"
            ]
        );
        assert!(
            roles
                .iter()
                .any(|r| r.starts_with("src/dev.ts") && r.ends_with("(skipped)")),
            "{roles:?}"
        );
    }

    #[test]
    fn routes_to_profile_are_read_from_the_sources() {
        let files = [
            file(
                "src/index.ts",
                "import { posts } from './posts';\nconst app = new Hono();\napp.get('/health', (c) => c.text('ok'));\napp.get('/items/:id', (c) => c.text('one'));\napp.route('/api/posts', posts);\napp.get('/files/*', (c) => c.text('f'));\nconst v = c.req.get('/not-a-route');\nheaders.get('/x');\nexport default app;\n",
            ),
            file(
                "src/posts.ts",
                "export const posts = new Hono();\nposts.get('/', (c) => c.json([]));\nposts.get('/latest', async (c) => c.json([]));\n",
            ),
            file("src/broken.ts", "app.get('/lost', () => {"),
        ];
        assert_eq!(
            discover_routes(&files),
            ["/", "/api/posts", "/api/posts/latest", "/health"]
        );
    }

    /// By default only what the Worker runs is analyzed: the files reachable
    /// from its entries, through relative imports and workspace packages
    /// (type-only imports are erased, so they do not count).
    #[test]
    fn analyzes_what_the_worker_runs() {
        let report = analyze(&monorepo_input(
            FileScope::Reachable,
            &["apps/api/src/index.ts"],
            "{}",
        ))
        .unwrap();
        let (findings, roles) = findings_and_roles(&report);
        assert_eq!(
            findings,
            [
                "apps/api/src/routes/run.ts:2 subrequest-in-loop",
                "packages/shared/src/index.ts:2 subrequest-in-loop"
            ]
        );
        assert_eq!(
            roles,
            [
                "apps/admin/server.ts node (skipped)",
                "apps/api/src/index.ts worker from apps/api/src/index.ts",
                "apps/api/src/routes/run.ts worker from apps/api/src/index.ts",
                "apps/api/src/types.ts unknown (skipped)",
                "apps/api/test/run.test.ts test (skipped)",
                "apps/api/scripts/seed.ts script (skipped)",
                "apps/web/src/main.ts client (skipped)",
                "packages/shared/src/index.ts worker from apps/api/src/index.ts",
                "packages/shared/src/unused.ts unknown (skipped)",
            ]
        );
        assert_eq!((report.summary.files, report.summary.skipped_files), (3, 6));
        assert!(report.notes.is_empty());
    }

    /// A Next.js app on the Worker: a client component's handlers run in
    /// the browser, and so does what only it imports; the server actions
    /// it calls (`"use server"`) and what the server also imports run in the
    /// Worker.
    #[test]
    fn client_components_are_browser_code_server_actions_are_not() {
        let looped = looped_export;
        let input = AnalyzeInput {
            files: vec![
                file(
                    "app/page.tsx",
                    "import Form from './form';\nimport { shared } from '../lib/shared';\nexport default function Page() { return <Form />; }\n",
                ),
                file(
                    "app/form.tsx",
                    "'use client';\nimport { save } from './actions';\nimport { shared } from '../lib/shared';\nimport { ping } from '../lib/ping';\nexport default function Form() {\n  return <form onSubmit={async (e) => { const copy = JSON.parse(JSON.stringify(e)); for (const id of copy.ids) { await fetch(`/api/${id}`); } await save(copy); }} />;\n}\n",
                ),
                file("app/actions.ts", format!("'use server';\n{}", looped("save"))),
                file("lib/shared.ts", looped("shared")),
                file("lib/ping.ts", looped("ping")),
            ],
            entries: vec![EntryPoint {
                path: "app/page.tsx".into(),
                declared_by: "next (app router)".into(),
                ..EntryPoint::default()
            }],
            scope: FileScope::Reachable,
            config: Some("{}".into()),
            ..AnalyzeInput::default()
        };
        let report = analyze(&input).unwrap();
        let (findings, roles) = findings_and_roles(&report);
        assert_eq!(
            findings,
            [
                "app/actions.ts:3 subrequest-in-loop",
                "lib/shared.ts:2 subrequest-in-loop"
            ]
        );
        assert_eq!(
            roles,
            [
                "app/page.tsx worker from app/page.tsx",
                "app/form.tsx client (skipped)",
                "app/actions.ts worker from app/page.tsx",
                "lib/shared.ts worker from app/page.tsx",
                "lib/ping.ts client (skipped)",
            ]
        );
    }

    /// A finding inside a function nothing calls is about code the Worker
    /// never runs: left out, with a note naming the function. Not when an
    /// analyzed file imports it (by name or whole), a framework calls it by
    /// its export name, the file is an entry, or the analysis does not see
    /// every importer (no entry: another file may import anything).
    /// A list declared at module scope after functions (zod refinements,
    /// helpers) is a module list too (rr-saas' `planData` after its schemas).
    #[test]
    fn a_list_declared_after_functions_is_known_to_importers() {
        let input = from_entry(vec![
            file(
                "src/index.ts",
                "import { PLANS } from './plans';\nexport default { async fetch(r: Request) {\n  await Promise.all(PLANS.map((p) => fetch(`https://x/${p}`)));\n  return new Response('');\n} };\n",
            ),
            file(
                "src/plans.ts",
                "export const check = (x: string) => x.length > 0;\nexport const PLANS = ['basic', 'pro'] as const;\n",
            ),
        ]);
        assert_eq!(
            findings_and_roles(&analyze(&input).unwrap()).0,
            Vec::<String>::new()
        );
    }

    /// A package's finding is one however many files import it: the first
    /// import keeps it, the others are related places (shipaxxess imports
    /// `uuid` in 13 files: 13 findings said one thing).
    #[test]
    fn one_finding_per_package_imported_in_many_files() {
        let user = |name: &str| {
            format!("import {{ v4 }} from 'uuid';\nexport const {name} = () => v4();\n")
        };
        let input = from_entry(vec![
            file(
                "src/index.ts",
                "import { a } from './a';\nimport { b } from './b';\nimport { v4 } from 'uuid';\nexport default { async fetch() { return new Response(a() + b() + v4()); } };\n",
            ),
            file("src/a.ts", user("a")),
            file("src/b.ts", user("b")),
        ]);
        let report = analyze(&input).unwrap();
        let found: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "heavy-dependency")
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].file.as_deref(), Some("src/index.ts"));
        assert!(
            found[0]
                .message
                .ends_with("(and 2 more imports of it: related)"),
            "{}",
            found[0].message
        );
        let places: Vec<String> = found[0]
            .related
            .iter()
            .map(|r| format!("{}:{} {}", r.file, r.line, r.message))
            .collect();
        assert_eq!(
            places,
            [
                "src/a.ts:1 also imported here",
                "src/b.ts:1 also imported here"
            ]
        );
    }

    /// A module-scope cache is reported where it is declared, but its cost
    /// is where it is filled: when every fill keyed by the request is in a
    /// function nothing runs, the finding is left out with the function
    /// named (memorial-website's `collectionRefsCache`, filled only in
    /// `resolveCollectionRef`). A fill in code that runs keeps it.
    #[test]
    fn a_cache_filled_only_in_functions_nothing_calls_is_left_out() {
        let module = |called: &str| {
            format!(
                "const refs: Record<string, string> = {{}};\n\
                 async function resolveRef(req: Request) {{\n  const id = new URL(req.url).searchParams.get('id')!;\n  if (!refs[id]) refs[id] = await (await fetch(`https://x/${{id}}`)).text();\n  return refs[id];\n}}\n\
                 async function other(req: Request) {{\n  const userId = req.headers.get('x-user')!;\n  if (!refs[userId]) refs[userId] = 'u';\n  return refs[userId];\n}}\n\
                 export default {{ async fetch(req: Request) {{ return new Response({called}); }} }};\n"
            )
        };
        let rules = |report: &Report| -> Vec<String> {
            report
                .diagnostics
                .iter()
                .filter(|d| d.rule == "unbounded-memory-cache")
                .map(|d| {
                    format!(
                        "{}:{}",
                        d.file.as_deref().unwrap_or(""),
                        d.line.unwrap_or(0)
                    )
                })
                .collect()
        };
        let report = analyze(&from_entry(vec![file("src/index.ts", module("'ok'"))])).unwrap();
        assert_eq!(
            rules(&report),
            Vec::<String>::new(),
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "nothing calls");
        assert!(
            note.contains("`resolveRef`") && note.contains("`other`"),
            "{note}"
        );
        let report = analyze(&from_entry(vec![file(
            "src/index.ts",
            module("await other(req)"),
        )]))
        .unwrap();
        assert_eq!(
            rules(&report),
            ["src/index.ts:1"],
            "{:#?}",
            report.diagnostics
        );
    }

    /// A dynamic import whose code names what it takes (`const { a } = await
    /// import('./m')`, `import('./m').then((m) => m.a)`) takes those exports
    /// only: a loop in another export nothing calls is left out (capgo's
    /// `invalids_ip.ts`). A module passed on whole keeps every export.
    #[test]
    fn dynamic_imports_take_the_exports_their_code_names() {
        let looped = looped_export;
        let input = |entry: &str| {
            let mut input = from_entry(vec![
                file("src/index.ts", entry),
                file(
                    "src/util.ts",
                    format!("{}{}", looped("info"), looped("infos")),
                ),
                file("src/lib.ts", format!("{}{}", looped("a"), looped("b"))),
            ]);
            input.every_importer = true;
            input
        };
        let named = "export default { async fetch(r: Request) {\n  const info = await import('./util').then((m) => m.info);\n  const { a } = await import('./lib');\n  await info([]); await a([]);\n  return new Response('');\n} };\n";
        let report = analyze(&input(named)).unwrap();
        assert_eq!(
            findings_and_roles(&report).0,
            [
                "src/lib.ts:2 subrequest-in-loop",
                "src/util.ts:2 subrequest-in-loop"
            ],
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "nothing calls");
        assert!(note.contains("`infos`") && note.contains("`b`"), "{note}");
        // The module passed on: any export may run.
        let whole = "export default { async fetch(r: Request) {\n  const util = await import('./util');\n  const { a } = await import('./lib');\n  await util.info([]); await a([]);\n  return new Response('');\n} };\n";
        let report = analyze(&input(whole)).unwrap();
        assert_eq!(
            findings_and_roles(&report).0,
            [
                "src/lib.ts:2 subrequest-in-loop",
                "src/util.ts:2 subrequest-in-loop",
                "src/util.ts:5 subrequest-in-loop"
            ]
        );
    }

    /// `export * from './m'` in a barrel passes on what the barrel's
    /// importers take: an export of m that nothing takes by name, through
    /// the barrel or directly, never runs (bitwobbly's shared package index
    /// re-exports a GitHub client only another app calls). Through a barrel
    /// of barrels too; a namespace import of the barrel takes every export.
    #[test]
    fn exports_no_importer_takes_through_a_barrel_are_left_out() {
        let looped = looped_export;
        let input = |entry: &str| {
            let mut input = from_entry(vec![
                file("src/index.ts", entry),
                file(
                    "lib/index.ts",
                    "export * from './inner';\nexport * from './github';\n",
                ),
                file("lib/inner.ts", "export * from './util';\n"),
                file("lib/util.ts", looped("used")),
                file(
                    "lib/github.ts",
                    format!("{}{}", looped("unused"), looped("alsoUsed")),
                ),
            ]);
            input.every_importer = true;
            input
        };
        let by_name = "import { used, alsoUsed } from '../lib';\nexport default { async fetch(r: Request) { await used([]); await alsoUsed([]); return new Response(''); } };\n";
        let report = analyze(&input(by_name)).unwrap();
        assert_eq!(
            findings_and_roles(&report).0,
            [
                "lib/github.ts:5 subrequest-in-loop",
                "lib/util.ts:2 subrequest-in-loop"
            ],
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "nothing calls");
        assert!(note.contains("`unused` (lib/github.ts:1)"), "{note}");
        // The barrel taken whole: any export may run.
        let whole = "import * as lib from '../lib';\nexport default { async fetch(r: Request) { await lib.used([]); return new Response(''); } };\n";
        let report = analyze(&input(whole)).unwrap();
        assert_eq!(
            findings_and_roles(&report).0,
            [
                "lib/github.ts:2 subrequest-in-loop",
                "lib/github.ts:5 subrequest-in-loop",
                "lib/util.ts:2 subrequest-in-loop"
            ]
        );
    }

    /// A method of a class that extends nothing, which no analyzed file
    /// calls or names as a property (an interface declaring it is no call),
    /// never runs: what is found in it is left out when every importer is
    /// in view (found on code-push-cloudflare-workers' storage provider).
    /// Kept: methods called, destructured, named by protocol (`onMessage`),
    /// and those of a class that extends another (RPC of a Durable Object).
    #[test]
    fn findings_in_methods_nothing_calls_are_left_out() {
        let looped = |name: &str| {
            format!("  async {name}(ids: string[]) {{\n    for (const id of ids) {{ await fetch(`https://x/${{id}}`); }}\n  }}\n")
        };
        let repo = format!(
            "import type {{ Store }} from './store';\nexport class Repo implements Store {{\n{}{}{}{}}}\nexport class Room extends DurableObject {{\n{}}}\n",
            looped("used"),
            looped("unused"),
            looped("viaDestructure"),
            looped("onMessage"),
            looped("rpcOnly")
        );
        let entry = "import { Repo } from './repo';\nimport { pick } from './other';\nexport default { async fetch(r: Request) { const repo = new Repo(); await repo.used([]); pick(repo); return new Response(''); } };\n";
        let other = "import type { Repo } from './repo';\nexport function pick(r: Repo) { const { viaDestructure } = r; return viaDestructure; }\n";
        let store = "export interface Store {\n  unused(ids: string[]): Promise<void>;\n}\n";
        let mut input = from_entry(vec![
            file("src/index.ts", entry),
            file("src/repo.ts", repo.as_str()),
            file("src/other.ts", other),
            file("src/store.ts", store),
        ]);
        input.every_importer = true;
        let report = analyze(&input).unwrap();
        let (findings, _) = findings_and_roles(&report);
        assert_eq!(
            findings,
            [
                "src/repo.ts:4 subrequest-in-loop",
                "src/repo.ts:10 subrequest-in-loop",
                "src/repo.ts:13 subrequest-in-loop",
                "src/repo.ts:18 subrequest-in-loop"
            ],
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "a method that nothing calls");
        assert!(note.starts_with("1 finding was left out"), "{note}");
        assert!(note.contains("`Repo.unused` (src/repo.ts:6)"), "{note}");
        // Without every importer in view, a method is not judged.
        input.every_importer = false;
        assert_eq!(findings_and_roles(&analyze(&input).unwrap()).0.len(), 5);
    }

    /// A server-rendered app's bundle holds its components' code, but a
    /// function that uses `document` unchecked, or a `useEffect` callback,
    /// runs only in the browser: what is found there is left out, with a
    /// note (found on cloudflare/orange). Code that checks for the browser
    /// (`typeof window`), a component (it renders on the server too, though
    /// a handler of it uses `document`) and the server's own code are kept.
    #[test]
    fn findings_in_browser_only_code_are_left_out() {
        let blur = "export default function blurVideoTrack(track: MediaStreamTrack) {\n  return new Observable((subscriber) => {\n    (async () => {\n      const video = document.createElement('video');\n      for (const f of frames) await fetch(f);\n    })();\n  });\n}\n";
        let hook = "import { useEffect } from 'react';\nexport function useFeeds(urls: string[]) {\n  useEffect(() => {\n    for (const u of urls) fetch(u).then(() => {});\n  }, [urls]);\n  return urls;\n}\n";
        let both = "export async function load(ids: string[]) {\n  if (typeof window !== 'undefined') return window.location.href;\n  for (const id of ids) await fetch(id);\n}\nexport function Page({ ids }: { ids: string[] }) {\n  for (const id of ids) console.log(id, { ids });\n  return <button onClick={() => document.title = 'x'} />;\n}\n";
        let entry = "import blur from './blur';\nimport { useFeeds } from './hook';\nimport { load } from './both';\nexport default { async fetch(r: Request) { for (const id of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(String)) await fetch(id); blur; useFeeds; await load([]); return new Response(''); } };\n";
        let input = from_entry(vec![
            file("src/index.ts", entry),
            file("src/blur.ts", blur),
            file("src/hook.ts", hook),
            file("src/both.tsx", both),
        ]);
        let report = analyze(&input).unwrap();
        let (findings, _) = findings_and_roles(&report);
        assert_eq!(
            findings,
            [
                "src/both.tsx:3 subrequest-in-loop",
                "src/both.tsx:6 console-in-loop",
                "src/index.ts:4 subrequest-in-loop"
            ],
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "only in a browser");
        assert!(
            note.contains(
                "`blurVideoTrack` (src/blur.ts:1: uses the browser global `document`, which the Workers runtime does not define)"
            ),
            "{note}"
        );
        assert!(
            note.contains("a `useEffect` callback (src/hook.ts:3"),
            "{note}"
        );
        assert!(note.starts_with("3 findings were left out"), "{note}");
    }

    #[test]
    fn findings_in_functions_nothing_calls_are_left_out() {
        let looped = |name: &str| {
            format!("async function {name}(ids: string[]) {{\n  for (const id of ids) {{ await fetch(`https://x/${{id}}`); }}\n}}\n")
        };
        let db = [
            format!("export {}", looped("used")),
            format!("export {}", looped("exportedNobodyImports")),
            looped("helper"),
            "export async function viaHelper(ids: string[]) { await helper(ids); }\n".into(),
            looped("dead"),
            format!("{}async function callsDeadOnly() {{ await deadChain([]); }}\n", looped("deadChain")),
            "async function selfish(ids: string[]) { for (const id of ids) { await fetch(id); } await selfish(ids); }\n".into(),
            format!("export {}", looped("GET")),
            "export const aliased = async (ids: string[]) => { for (const id of ids) { await fetch(id); } };\n".into(),
            "const named = async (ids: string[]) => { for (const id of ids) { await fetch(id); } };\nexport { named as renamed };\n".into(),
            "export async function loopsOverHelper(ids: string[]) { for (const id of ids) { await helperElsewhere(id); } }\n".into(),
            "import { helperElsewhere } from './other';\n".into(),
        ]
        .concat();
        let entry = "import { used, viaHelper, renamed } from './db';\nasync function handle(r: Request) { await used([]); await viaHelper([]); await renamed([]); return new Response(''); }\nexport default { fetch: handle };\nexport async function runsByEntry(ids: string[]) { for (const id of ids) { await fetch(id); } }\n";
        // A function only another one calls, which module code uses: runs.
        let other = format!("export async function helperElsewhere(id: string) {{ await fetch(id); }}\n{}async function outer() {{ await innerLoop([]); }}\n(globalThis as any).registry = {{ outer }};\n", looped("innerLoop"));
        let input = |entry_source: &str, entries: bool| AnalyzeInput {
            files: vec![
                file("src/index.ts", entry_source),
                file("src/db.ts", db.clone()),
                file("src/other.ts", other.clone()),
            ],
            entries: if entries {
                vec![EntryPoint {
                    path: "src/index.ts".into(),
                    ..EntryPoint::default()
                }]
            } else {
                Vec::new()
            },
            scope: FileScope::Reachable,
            every_importer: true,
            config: Some("{}".into()),
            ..AnalyzeInput::default()
        };
        let lines = |report: &Report| -> Vec<String> {
            report
                .diagnostics
                .iter()
                .filter(|d| d.rule == "subrequest-in-loop")
                .map(|d| {
                    format!(
                        "{}:{}",
                        d.file.as_deref().unwrap_or(""),
                        d.line.unwrap_or(0)
                    )
                })
                .collect()
        };
        let report = analyze(&input(entry, true)).unwrap();
        // Walks made apart (threads, the cache) are made for the same
        // judgement of exports: none is walked again, the report is the same.
        let records = walk(&input(entry, true), 0..3).expect("walks");
        let (apart, walked) = analyze_precomputed(&input(entry, true), &records).unwrap();
        let json = super::precomputed_tests::report_json;
        assert_eq!((walked, json(&apart)), (0, json(&report)));
        assert_eq!(
            lines(&report),
            [
                "src/db.ts:2",
                "src/db.ts:8",
                "src/db.ts:20",
                "src/db.ts:23",
                "src/index.ts:4",
                "src/other.ts:3"
            ],
            "{:#?}",
            report.diagnostics
        );
        let note = note_containing(&report, "nothing calls");
        for name in ["exportedNobodyImports", "dead", "deadChain", "selfish"] {
            assert!(note.contains(&format!("`{name}`")), "{note}");
        }
        assert!(
            note.starts_with("6 findings were left out inside functions"),
            "{note}"
        );
        // Kept: a route handler a framework calls by its export name (GET),
        // and a function imported under another name.
        assert!(db.lines().nth(18).unwrap().contains("GET"));
        assert!(db.lines().nth(22).unwrap().contains("const named"));
        // A namespace import of the module: any of its exports may run.
        let whole = entry.replace(
            "import { used, viaHelper, renamed } from './db';",
            "import * as db from './db';\nconst { used, viaHelper, renamed } = db;",
        );
        let report = analyze(&input(&whole, true)).unwrap();
        assert_eq!(
            lines(&report),
            [
                "src/db.ts:2",
                "src/db.ts:5",
                "src/db.ts:8",
                "src/db.ts:20",
                "src/db.ts:22",
                "src/db.ts:23",
                "src/db.ts:25",
                "src/index.ts:5",
                "src/other.ts:3"
            ]
        );
        // No entry: every file is analyzed, and any of them may be imported
        // by code the analysis does not see: exports are kept.
        // Every function that runs or may: the exported ones too.
        let every_export = [
            "src/db.ts:2",
            "src/db.ts:5",
            "src/db.ts:8",
            "src/db.ts:20",
            "src/db.ts:22",
            "src/db.ts:23",
            "src/db.ts:25",
            "src/index.ts:4",
            "src/other.ts:3",
        ];
        let report = analyze(&input(entry, false)).unwrap();
        assert_eq!(lines(&report), every_export);
        let note = note_containing(&report, "nothing calls");
        assert!(
            note.starts_with("3 findings were left out inside functions"),
            "{note}"
        );
        // Not every importer among the files (some named on the command
        // line, components the core does not read): exports are kept.
        let partial = AnalyzeInput {
            every_importer: false,
            ..input(entry, true)
        };
        let report = analyze(&partial).unwrap();
        assert_eq!(lines(&report), every_export);
    }

    /// A function of another module that builds its list in its body (a
    /// literal, a few pushes where it is declared, `[...new Set(xs)]`)
    /// returns at most that many (capgo's candidate keys: at most 3); one
    /// whose list grows in a loop, or that returns a number, does not.
    #[test]
    fn functions_returning_lists_they_build_give_their_length() {
        let input = from_entry(vec![
            file(
                "src/index.ts",
                "import { candidateKeys, allKeys, limit, some } from './keys';
export default { async fetch(r: Request, env: Env) {
  for (const k of candidateKeys(r.url)) { const o = await env.BUCKET.head(k); if (!o) continue; }
  for (const k of allKeys(r.url)) { await env.BUCKET.head(k); }
  for (const k of limit()) { await env.BUCKET.head(k); }
  for (const k of some(r.url, r.url.split('/'))) { await env.BUCKET.head(k); }
  return new Response('');
} };
",
            ),
            file(
                "src/keys.ts",
                "export function candidateKeys(path: string): string[] {
  const candidates = [path];
  if (path.includes('%')) {
    const decoded = decodeURIComponent(path);
    if (decoded !== path) candidates.push(decoded);
    candidates.push(encodeURI(path));
  }
  if (!path) return [];
  return [...new Set(candidates)];
}
export function allKeys(path: string) {
  const keys = [path];
  for (const part of path.split('/')) keys.push(part);
  return keys;
}
const MAX = 3;
export function limit() { return MAX; }
export function some(path: string, parts: string[]) {
  if (!path) return [path, path];
  parts.forEach((p) => p.trim());
  return parts;
}
",
            ),
        ]);
        let report = analyze(&input).unwrap();
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "subrequest-in-loop")
            .map(|d| {
                format!(
                    "{}:{}",
                    d.file.as_deref().unwrap_or(""),
                    d.line.unwrap_or(0)
                )
            })
            .collect();
        // A return after a callback (`parts.forEach(…)`) counts too: `some`
        // returns a list of any length.
        assert_eq!(
            found,
            ["src/index.ts:4", "src/index.ts:5", "src/index.ts:6"],
            "{:#?}",
            report.diagnostics
        );
    }

    /// A loop over a list another module declares and keeps at a known
    /// length (a constants module) repeats that many times: two categories
    /// make two subrequests, not one per item (life-tracker's setup). A list
    /// that module grows in a function, or one of unknown length, is per
    /// item.
    #[test]
    fn loops_over_imported_constant_lists_know_their_length() {
        let input = from_entry(vec![
                file(
                    "src/index.ts",
                    "import { CATEGORIES, hooks, rows, allSources, getHooks, registry } from './constants';\nexport default { async fetch(r: Request) {\n  for (const c of CATEGORIES) { await fetch(`https://x/${c.name}`); }\n  await Promise.all(CATEGORIES.map(async (c) => { await fetch(`https://y/${c.name}`); }));\n  for (const h of hooks) { await fetch(h); }\n  for (const row of rows) { await fetch(row); }\n  const sources = allSources();\n  for (const s of sources) { await fetch(s.name); }\n  for (const s of allSources()) { await fetch(s.name); }\n  for (const h of getHooks()) { await fetch(h); }\n  for (const r of registry) { await fetch(r); }\n  return new Response('');\n} };\n",
                ),
                file(
                    "src/constants.ts",
                    "export const CATEGORIES = [{ name: 'a' }, { name: 'b' }] as const;\nexport const hooks = ['https://h/1'];\nexport function addHook(h: string) { hooks.push(h); }\nexport const rows = await loadRows();\nexport function allSources() { return CATEGORIES; }\nexport const getHooks = () => hooks;\nexport const registry = [];\n",
                ),
        ]);
        let report = analyze(&input).unwrap();
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "subrequest-in-loop")
            .map(|d| {
                format!(
                    "{}:{}",
                    d.file.as_deref().unwrap_or(""),
                    d.line.unwrap_or(0)
                )
            })
            .collect();
        // A function returning the list as it is, called directly or through
        // a name, gives its count; one returning a list grown elsewhere not,
        // nor an empty list (a registry other modules fill).
        assert_eq!(
            found,
            [
                "src/index.ts:5",
                "src/index.ts:6",
                "src/index.ts:10",
                "src/index.ts:11"
            ],
            "{:#?}",
            report.diagnostics
        );
        // The same from walks made apart (threads, the cache): the walk
        // made again is the engine's own.
        let records = walk(&input, 0..2).expect("walks");
        let (apart, _) = analyze_precomputed(&input, &records).unwrap();
        let json = super::precomputed_tests::report_json;
        assert_eq!(json(&apart), json(&report));
    }

    /// A queue handler's batch is bounded by the consumers of the wrangler
    /// config that declares its Worker's entry, not another Worker's.
    #[test]
    fn queue_batches_follow_each_workers_config() {
        let consumer = "export default {\n  async queue(batch, env) {\n    for (const m of batch.messages) {\n      await fetch(m.body.url);\n    }\n  },\n};\n";
        let file = |path: &str| SourceFile {
            path: path.into(),
            source: consumer.into(),
        };
        let entry = |path: &str, size: u32| EntryPoint {
            path: path.into(),
            declared_by: format!("{}/wrangler.jsonc (main)", path.split('/').next().unwrap()),
            queue_batch_size: Some(size),
        };
        let input = AnalyzeInput {
            files: vec![file("one/index.ts"), file("many/index.ts")],
            entries: vec![entry("one/index.ts", 1), entry("many/index.ts", 100)],
            scope: FileScope::Reachable,
            config: Some("{}".into()),
            ..AnalyzeInput::default()
        };
        let report = analyze(&input).unwrap();
        let (findings, _) = findings_and_roles(&report);
        assert_eq!(findings, ["many/index.ts:4 subrequest-in-loop"]);
    }

    /// `allFiles` (or `--all-files`) widens the scope; with no entry among
    /// the files every file is analyzed but those whose path or text says
    /// they are tests, scripts, browser or Node code (a Worker runs none of
    /// them), and the report says so once.
    #[test]
    fn all_files_analyze_everything_and_no_entry_all_but_other_code() {
        let all = analyze(&monorepo_input(
            FileScope::Reachable,
            &["apps/api/src/index.ts"],
            r#"{"allFiles":true}"#,
        ))
        .unwrap();
        assert_eq!((all.summary.files, all.summary.skipped_files), (9, 0));
        assert_eq!(all.diagnostics.len(), 8, "{:?}", findings_and_roles(&all).0);
        assert!(all.notes.is_empty());
        let none = analyze(&monorepo_input(
            FileScope::Reachable,
            &["apps/api/src/gone.ts"],
            "{}",
        ))
        .unwrap();
        assert_eq!((none.summary.files, none.summary.skipped_files), (5, 4));
        assert_eq!(
            none.notes,
            ["No Worker entry found among the files (a wrangler config's `main`, Pages Functions or a framework's server entry): 5 files were analyzed; 4 test, script, browser or Node files were not (`--all-files` lints them)."]
        );
        let (findings, roles) = findings_and_roles(&none);
        assert_eq!(
            findings,
            [
                "apps/api/src/routes/run.ts:2 subrequest-in-loop",
                "packages/shared/src/index.ts:2 subrequest-in-loop",
                "packages/shared/src/unused.ts:2 subrequest-in-loop"
            ]
        );
        assert_eq!(
            roles,
            [
                "apps/admin/server.ts node (skipped)",
                "apps/api/src/index.ts unknown",
                "apps/api/src/routes/run.ts unknown",
                "apps/api/src/types.ts unknown",
                "apps/api/test/run.test.ts test (skipped)",
                "apps/api/scripts/seed.ts script (skipped)",
                "apps/web/src/main.ts client (skipped)",
                "packages/shared/src/index.ts unknown",
                "packages/shared/src/unused.ts unknown"
            ]
        );
        // The bundle's inputs are all Worker code, whatever their path says.
        let bundle = analyze(&monorepo_input(
            FileScope::Bundle,
            &["apps/api/src/index.ts"],
            "{}",
        ))
        .unwrap();
        assert_eq!(bundle.summary.files, 9);
        assert!(bundle
            .files
            .iter()
            .all(|f| f.role == crate::model::project::Role::Worker && f.analyzed));
        assert!(bundle.notes.is_empty());
    }

    #[test]
    fn unknown_rules_and_options_get_a_did_you_mean() {
        let e = parse_config(Some(r#"{"rules":{"await-in-lop":"off"}}"#)).unwrap_err();
        assert_eq!(
            e,
            "rules.await-in-lop: unknown rule, did you mean `await-in-loop`? (run `perf-optimizer rules` for the list)"
        );
        let e =
            parse_config(Some(r#"{"rules":{"await-in-loop":["warn",{"max":3}]}}"#)).unwrap_err();
        assert_eq!(
            e,
            "rules.await-in-loop: unknown option `max` (this rule has no options)"
        );
        let e = parse_config(Some(r#"{"rules":{"await-in-loop":["warn",3]}}"#)).unwrap_err();
        assert!(
            e.starts_with("rules.await-in-loop: invalid type: integer `3`"),
            "{e}"
        );
        // Typed options: heavy-dependency's size threshold.
        let c = parse_config(Some(
            r#"{"rules":{"heavy-dependency":["warn",{"threshold":"60 kB"}]}}"#,
        ))
        .unwrap();
        let options: crate::rules::heavy_dependency::HeavyOptions =
            crate::engine::declare::configured(&c, "heavy-dependency");
        assert_eq!(options.threshold, 60_000);
        let e = parse_config(Some(
            r#"{"rules":{"heavy-dependency":["warn",{"treshold":1}]}}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "rules.heavy-dependency: unknown option `treshold`, did you mean `threshold`?"
        );
        let e = parse_config(Some(
            r#"{"rules":{"heavy-dependency":["warn",{"threshold":true}]}}"#,
        ))
        .unwrap_err();
        assert!(
            e.starts_with("rules.heavy-dependency: invalid type: boolean `true`"),
            "{e}"
        );
        let e = parse_config(Some(
            r#"{"rules":{"heavy-dependency":["warn",{"threshold":"big"}]}}"#,
        ))
        .unwrap_err();
        assert!(e.contains("invalid size `big`"), "{e}");
        // The budget is not a rule the config can turn off.
        let e = parse_config(Some(r#"{"rules":{"budget-exceeded":"off"}}"#)).unwrap_err();
        assert!(e.starts_with("rules.budget-exceeded: unknown rule"), "{e}");
        assert!(parse_config(Some(r#"{"rules":{"parse-error":"off"}}"#)).is_ok());
    }

    const META: &str = r#"{
      "inputs": {
        "src/index.ts": {"bytes": 100, "imports": []},
        "node_modules/zod/lib/index.mjs": {"bytes": 900, "imports": []}
      },
      "outputs": {
        "dist/index.js": {"bytes": 1000, "inputs": {
          "src/index.ts": {"bytesInOutput": 100},
          "node_modules/zod/lib/index.mjs": {"bytesInOutput": 800}
        }}
      }
    }"#;

    fn input(gzip: u64, config: &str, baseline: Option<String>) -> AnalyzeInput {
        AnalyzeInput {
            bundle: Some(BundleInput {
                metafile: META.into(),
                outputs: vec![OutputSize {
                    path: "dist/index.js".into(),
                    bytes: 1000,
                    gzip_bytes: gzip,
                    brotli_bytes: gzip / 2,
                }],
                manifests: vec![],
                ..BundleInput::default()
            }),
            config: Some(config.into()),
            baseline,
            ..AnalyzeInput::default()
        }
    }

    #[test]
    fn budgets_and_baseline_reach_the_report() {
        let config = r#"{"budgets":[{"metric":"package","name":"zod","max":"1 kB"},{"metric":"gzip","maxIncrease":"10%"}]}"#;
        let main = analyze(&input(400, config, None)).unwrap();
        assert!(main.baseline.is_none());
        let names: Vec<_> = main.budgets.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            ["script size (free plan limit)", "package zod"],
            "no growth budget without a baseline"
        );
        assert_eq!(main.exit_code(), 0);

        let saved = baseline_from_report(&main).to_json();
        let pr = analyze(&input(460, config, Some(saved))).unwrap();
        let diff = pr.baseline.as_ref().unwrap();
        assert_eq!(diff.totals.gzip_bytes.delta, 60);
        let growth = &pr.budgets[2];
        assert_eq!(
            (growth.name.as_str(), growth.actual, growth.passed),
            ("gzip size growth", 15.0, false)
        );
        assert_eq!(pr.exit_code(), 1);
        let json = serde_json::to_value(&pr).unwrap();
        assert_eq!(json["baseline"]["totals"]["gzipBytes"]["percent"], 15.0);
        assert_eq!(json["budgets"][2]["kind"], "increase");
        assert_eq!(json["budgets"][2]["unit"], "percent");
    }

    #[test]
    fn bad_config_and_baseline_are_input_errors() {
        let e = analyze(&input(
            100,
            r#"{"budgets":[{"metric":"gzipped","max":1}]}"#,
            None,
        ))
        .unwrap_err();
        assert!(
            e.starts_with("config: budgets[0].metric: unknown metric \"gzipped\""),
            "{e}"
        );
        let e = analyze(&input(100, "{}", Some("{\"version\":9}".into()))).unwrap_err();
        assert!(
            e.starts_with("baseline: baseline version 9 is not supported"),
            "{e}"
        );
    }

    #[test]
    fn sources_travel_in_one_buffer() {
        let file = |path: &str| SourceFile {
            path: path.into(),
            source: Text::default(),
        };
        let mut input = AnalyzeInput {
            files: vec![file("a.js"), file("b.js"), file("c.js")],
            source_lengths: vec![6, 0, 4],
            ..AnalyzeInput::default()
        };
        input.attach_sources(b"let a;\xffb\xc3\xa9", &[]).unwrap();
        let texts: Vec<&str> = input.files.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(texts, ["let a;", "", "\u{fffd}b\u{e9}"]);

        input.source_lengths = vec![6, 0];
        let e = input.attach_sources(b"let a;", &[]).unwrap_err();
        assert_eq!(e, "sourceLengths has 2 entries for 3 files");
        input.source_lengths = vec![6, 0, 5];
        let e = input
            .attach_sources(b"let a;\xffb\xc3\xa9", &[])
            .unwrap_err();
        assert!(
            e.contains("add up to 11 bytes, the sources buffer has 10"),
            "{e}"
        );
    }
}

/// Suppression comments apply to the findings made from the bundle.
#[cfg(test)]
mod bundle_suppression_tests {
    use crate::analyses::bundle::PackageManifest;
    use crate::analyze::{analyze, AnalyzeInput, BundleInput, ProjectInfo};
    use crate::engine::SourceFile;
    use crate::model::report::OutputSize;

    /// lodash (CommonJS, 60 kB) imported by two files; `src/b.ts` carries
    /// `header` above its import.
    fn run(header: &str) -> Vec<(String, String, Option<u32>)> {
        let meta = r#"{
          "inputs": {
            "src/index.ts": {"bytes": 100, "imports": [
              {"path": "src/a.ts", "kind": "import-statement", "original": "./a"},
              {"path": "src/b.ts", "kind": "import-statement", "original": "./b"}]},
            "src/a.ts": {"bytes": 100, "imports": [
              {"path": "node_modules/lodash/lodash.js", "kind": "import-statement", "original": "lodash"}]},
            "src/b.ts": {"bytes": 100, "imports": [
              {"path": "node_modules/lodash/lodash.js", "kind": "import-statement", "original": "lodash"}]},
            "node_modules/lodash/lodash.js": {"bytes": 540000, "imports": [], "format": "cjs"}
          },
          "outputs": {
            "dist/index.js": {"bytes": 61000, "entryPoint": "src/index.ts", "inputs": {
              "src/index.ts": {"bytesInOutput": 300},
              "src/a.ts": {"bytesInOutput": 300},
              "src/b.ts": {"bytesInOutput": 300},
              "node_modules/lodash/lodash.js": {"bytesInOutput": 60000}
            }}
          }
        }"#;
        let files = vec![
            SourceFile {
                path: "src/a.ts".into(),
                source: "import _ from 'lodash';\nexport const a = _.uniq([1]);\n".into(),
            },
            SourceFile {
                path: "src/b.ts".into(),
                source: format!("{header}import _ from 'lodash';\nexport const b = _.uniq([2]);\n")
                    .into(),
            },
        ];
        let report = analyze(&AnalyzeInput {
            files,
            bundle: Some(BundleInput {
                metafile: meta.into(),
                outputs: vec![OutputSize {
                    path: "dist/index.js".into(),
                    bytes: 61000,
                    gzip_bytes: 20000,
                    brotli_bytes: 15000,
                }],
                manifests: vec![PackageManifest {
                    root: "node_modules/lodash".into(),
                    name: "lodash".into(),
                    version: Some("4.18.1".into()),
                }],
                input_sources: Default::default(),
            }),
            project: Some(ProjectInfo {
                nodejs_compat: true,
                ..ProjectInfo::default()
            }),
            ..AnalyzeInput::default()
        })
        .unwrap();
        let mut found: Vec<_> = report
            .diagnostics
            .into_iter()
            .filter(|d| d.rule == "commonjs-dependency" || d.rule == "heavy-dependency")
            // `rule+evidence rule`: a finding merged into another is its evidence.
            .map(|d| {
                let rule = d.related.iter().fold(d.rule, |r, e| {
                    format!("{r}+{}", e.message.split(':').next().unwrap_or_default())
                });
                (rule, d.file.unwrap_or_default(), d.line)
            })
            .collect();
        found.sort();
        found
    }

    fn at(rule: &str, file: &str, line: u32) -> (String, String, Option<u32>) {
        (rule.into(), file.into(), Some(line))
    }

    #[test]
    fn bundle_findings_honour_suppression_comments() {
        // One problem, one finding: lodash's size (heavy-dependency) is the
        // evidence of its commonjs-dependency finding on the same import.
        let both = "commonjs-dependency+heavy-dependency";
        assert_eq!(run(""), [at(both, "src/a.ts", 1), at(both, "src/b.ts", 1)]);
        // Next line: the bundle-only finding goes; so does `heavy-dependency`,
        // whose bundle form would otherwise stand in for the suppressed
        // source finding.
        assert_eq!(
            run("// perf-optimizer-disable-next-line commonjs-dependency, heavy-dependency -- migrating\n"),
            [at(both, "src/a.ts", 1)]
        );
        // One of the two suppressed: the other stands alone.
        assert_eq!(
            run("// perf-optimizer-disable-next-line heavy-dependency -- size known\n"),
            [
                at("commonjs-dependency", "src/b.ts", 2),
                at(both, "src/a.ts", 1)
            ]
        );
        // File level, one rule; the other file keeps its findings.
        assert_eq!(
            run("/* perf-optimizer-disable commonjs-dependency */\n"),
            [
                at(both, "src/a.ts", 1),
                at("heavy-dependency", "src/b.ts", 2)
            ]
        );
        // Another line's or another rule's comment does not count.
        assert_eq!(
            run("// perf-optimizer-disable-next-line heavy-dependency\n\n").len(),
            2
        );
        assert_eq!(
            run("// perf-optimizer-disable-next-line duplicate-package\n").len(),
            2
        );
    }
}

/// The startup analysis through the whole pipeline: the report's `startup`
/// section and budgets (the `startup-cost` findings are tested through the
/// test harness, in `crate::rules::startup_cost`).
#[cfg(test)]
mod startup_tests {
    use crate::analyses::startup::*;
    use crate::model::report::Report;
    use crate::rules::startup_cost::profiles::*;

    /// The whole analysis of the profiles alone, with `config` (JSON text).
    fn apply(startup: &StartupInput, config: Option<&str>) -> Result<Report, String> {
        crate::analyze::analyze(&crate::analyze::AnalyzeInput {
            startup: Some(startup.clone()),
            config: config.map(str::to_string),
            ..Default::default()
        })
    }

    /// A startup far under the limit: its parts are listed in the report
    /// (none is a finding).
    #[test]
    fn small_parts_of_a_fast_startup_are_listed() {
        let report = apply(&input(), None).unwrap();
        assert_eq!(report.startup.as_ref().unwrap().contributors.len(), 3);
    }

    /// Three runs of 150 ms; lodash shows in one only (sampling noise): the
    /// report gives each part's median and the runs it shows in.
    #[test]
    fn medians_and_runs_seen_are_in_the_report() {
        let report = apply(&noisy_input(), None).unwrap();
        let s = report.startup.as_ref().unwrap();
        assert_eq!(s.total_ms, 150.0);
        let lodash = s.contributors.iter().find(|c| c.name == "lodash").unwrap();
        assert_eq!((lodash.median_ms, lodash.seen_in_runs), (0.0, 1));
        let loop_ = s
            .contributors
            .iter()
            .find(|c| c.name == "src/loop.ts")
            .unwrap();
        assert_eq!((loop_.median_ms, loop_.seen_in_runs), (60.0, 3));
    }

    /// wrangler's nodejs_compat polyfills and the entry's own module are
    /// marked as such in the report.
    #[test]
    fn injected_code_and_the_entry_are_marked() {
        let mut i = slow_input();
        i.sources[1] = "node_modules/unenv/dist/runtime/node/buffer.mjs".into();
        let source = |path: &str, source: &str| crate::analyze::SourceFile {
            path: path.into(),
            source: source.into(),
        };
        let report = crate::analyze::analyze(&crate::analyze::AnalyzeInput {
            startup: Some(i),
            entries: vec![crate::analyze::EntryPoint {
                path: "src/index.ts".into(),
                declared_by: "wrangler.toml (main)".into(),
                ..Default::default()
            }],
            // The pipeline hands the lint's suppression comments to the
            // startup step: the one at src/loop.ts:5 silences its finding.
            files: vec![
                source("src/index.ts", "import { x } from \"./loop\";\n"),
                source(
                    "src/loop.ts",
                    "\n\n\n// perf-optimizer-disable-next-line startup-cost\nexport const x = 1;\n",
                ),
            ],
            ..Default::default()
        })
        .unwrap();
        let s = report.startup.as_ref().unwrap();
        assert!(s
            .contributors
            .iter()
            .any(|c| c.name == "unenv" && c.injected));
        assert!(s
            .contributors
            .iter()
            .any(|c| c.name == "src/index.ts" && c.entry));
        let rules: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| (d.rule.as_str(), d.file.as_deref(), d.line))
            .collect();
        assert_eq!(
            rules,
            [
                ("startup-cost", Some("src/index.ts"), Some(1)),
                ("startup-cost", None, None)
            ]
        );
    }

    #[test]
    fn attributes_line_ticks_to_modules_and_packages() {
        let report = apply(&input(), Some(BUDGET_20MS)).unwrap();
        let s = report.startup.as_ref().unwrap();
        assert_eq!(s.runs, 3);
        // 15 non-idle samples of 1 ms (the last lasts until endTime).
        assert_eq!(s.total_ms, 15.0);
        assert_eq!(s.engine_ms, 3.0);
        assert_eq!(s.unattributed_ms, 0.0);
        let names: Vec<_> = s
            .contributors
            .iter()
            .map(|c| (c.name.as_str(), c.kind.as_str(), c.ms))
            .collect();
        assert_eq!(
            names,
            vec![
                ("src/loop.ts", "module", 6.0),
                ("lodash", "package", 4.0),
                ("src/index.ts", "module", 2.0)
            ]
        );
        assert_eq!(s.contributors[0].line, Some(5));
        assert_eq!(s.contributors[1].file.as_deref(), Some("src/index.ts"));
        assert_eq!(s.contributors[1].line, Some(2));
        let sum: f64 = s.contributors.iter().map(|c| c.ms).sum::<f64>() + s.engine_ms;
        assert!((sum - s.total_ms).abs() < 0.01);
        assert_eq!(s.limit_ms, 1000.0);
        // The three findings (each ≥ 10%, and material against the 20 ms
        // budget: see `crate::rules::startup_cost`) count in the summary;
        // the budgets are the platform limit and the user's.
        assert_eq!(report.diagnostics.len(), 3);
        assert_eq!(report.summary.warnings, 3);
        assert_eq!(report.budgets.len(), 2);
        assert_eq!(report.budgets[0].metric, "startup");
        assert!(report.budgets.iter().all(|b| b.passed));
    }

    #[test]
    fn positions_the_map_does_not_place_are_unattributed() {
        let mut i = input();
        // The wrapper found no mapping for bundle line 2 (the lodash line).
        i.positions.retain(|p| p.line != 1);
        let s = apply(&i, None).unwrap().startup.unwrap();
        assert_eq!(s.unattributed_ms, 4.0);
        assert!(!s.contributors.iter().any(|c| c.name == "lodash"));
        let sum: f64 = s.contributors.iter().map(|c| c.ms).sum::<f64>() + s.engine_ms;
        assert!((sum + s.unattributed_ms - s.total_ms).abs() < 0.01);
    }

    #[test]
    fn budgets_and_config_apply() {
        let config =
            r#"{"rules":{"startup-cost":"off"},"budgets":[{"metric":"startup","max":"10 ms"}]}"#;
        let report = apply(&input(), Some(config)).unwrap();
        assert!(report.diagnostics.is_empty());
        assert_eq!(report.exit_code(), 1);
        assert!(!report.budgets[1].passed);
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut i = input();
        i.profiles = vec!["{".into()];
        assert!(apply(&i, None)
            .unwrap_err()
            .starts_with("profile 1: not a CPU profile"));
        i.profiles.clear();
        assert!(apply(&i, None).is_err());
    }
}

/// A walk computed apart (another thread's instance, the wrapper's cache)
/// stands for the engine's own: the report is the same, byte for byte.
#[cfg(test)]
mod precomputed_tests {
    use super::*;
    use crate::model::project::{EntryPoint, FileScope, ProjectInfo, SourceFile};

    /// The JavaScript and TypeScript files under `dir` (relative to the
    /// crate), sorted, without node_modules.
    fn sources_under(dir: &str, out: &mut Vec<SourceFile>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join(dir)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    if name != "node_modules" {
                        stack.push(path);
                    }
                } else if [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts"]
                    .iter()
                    .any(|e| name.ends_with(e))
                {
                    let Ok(source) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    let rel = path.strip_prefix(root).unwrap_or(&path);
                    out.push(SourceFile {
                        path: rel.to_string_lossy().replace('\\', "/"),
                        source: source.into(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
    }

    pub(super) fn report_json(report: &Report) -> String {
        serde_json::to_string(report).expect("a report serializes")
    }

    /// `input` analyzed in one call, then with the walks of the files
    /// `precomputed` selects given from [`walk`]: the same report, and only
    /// the other files walked (or more where the walk's parameters differ).
    fn assert_same(input: &AnalyzeInput, precomputed: impl Fn(usize) -> bool) -> u32 {
        let (one_call, walked_all) = analyze_precomputed(input, &[]).expect("analyzes");
        let only: Vec<u32> = (0..input.files.len() as u32)
            .filter(|&i| precomputed(i as usize))
            .collect();
        let records = walk(input, only.iter().copied()).expect("walks");
        let (apart, walked) = analyze_precomputed(input, &records).expect("analyzes");
        assert_eq!(report_json(&apart), report_json(&one_call));
        assert!(walked <= walked_all);
        // The same walks kept in the instance (as the main thread keeps its
        // own), half of them, the other half as records: the same report,
        // the same files walked again; the records written alongside are
        // the same bytes.
        let (kept_records, _) = walk_kept(input, only.iter().copied(), true).expect("walks");
        assert_eq!(kept_records, records);
        let (mine, theirs) = only.split_at(only.len() / 2);
        let (_, kept) = walk_kept(input, mine.iter().copied(), false).expect("walks");
        assert_eq!(kept.len(), mine.len());
        let theirs = walk(input, theirs.iter().copied()).expect("walks");
        let (merged, walked_merged) = analyze_with_kept(input, &theirs, kept).expect("analyzes");
        assert_eq!(report_json(&merged), report_json(&one_call));
        assert_eq!(walked_merged, walked);
        // The texts of the files walked apart not given, read when the core
        // asks: the same report; the files walked again are read, and a
        // file the analysis only counts on its walk for is not.
        let (lazy, read) = analyze_deferred(input, &records, &only);
        assert_eq!(report_json(&lazy), report_json(&one_call));
        assert!(read.iter().all(|i| only.contains(&(*i as u32))));
        if walked == 0 && !only.is_empty() {
            assert!(
                read.len() < only.len(),
                "{} of {} texts read",
                read.len(),
                only.len()
            );
        }
        walked
    }

    /// [`analyze_precomputed`] of `input` with the texts of the files
    /// `deferred` left out ([`Text::deferred`]), given by a provider when
    /// the core asks for them: the report and the files whose texts it read.
    fn analyze_deferred(
        input: &AnalyzeInput,
        records: &[u8],
        deferred: &[u32],
    ) -> (Report, Vec<usize>) {
        let mut lazy = input.clone();
        for &i in deferred {
            lazy.files[i as usize].source = Text::deferred(i as usize);
        }
        let texts: Vec<String> = input.files.iter().map(|f| f.source.to_string()).collect();
        let read = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let reads = read.clone();
        let (report, _) = crate::model::project::with_texts(
            move |i| {
                reads.borrow_mut().push(i);
                texts[i].clone()
            },
            || analyze_precomputed(&lazy, records),
        )
        .expect("analyzes");
        let mut read = read.take();
        read.sort_unstable();
        read.dedup();
        (report, read)
    }

    fn corpus() -> Vec<SourceFile> {
        let mut files = Vec::new();
        sources_under("examples", &mut files);
        sources_under("tests/fixtures", &mut files);
        assert!(files.len() > 50, "the corpus is there");
        files
    }

    /// The project's checks answered from the engine's module resolution
    /// find what they find with a resolution of their own (the example
    /// Worker: imports across files, Drizzle, deferred loop findings), with
    /// all its files analyzed and with some of them left out.
    #[test]
    fn project_checks_find_the_same_from_the_engines_resolution() {
        use crate::effects::SharedResolver;
        use crate::semantic::resolve::Resolver;
        let files: Vec<SourceFile> = crate::rules::test_util::example_worker()
            .iter()
            .map(|(path, source)| SourceFile {
                path: (*path).into(),
                source: (*source).into(),
            })
            .collect();
        let project = ProjectInfo {
            d1: vec!["DB".into()],
            ..ProjectInfo::default()
        };
        let config = Config::default();
        let registry = crate::rules::registry();
        let linter = Linter::new(&config, &project, &registry);
        let lint = linter.lint_scoped(&files, &[], &[], FileScope::All);
        assert!(lint.db_facts.len() > 5, "the example's files are analyzed");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let resolver = Resolver::new(paths.iter().copied(), &project.modules);
        // Every analyzed file, then the first few only (the others' answers
        // are left to the project's own resolution).
        for keep in [lint.db_facts.len(), 4] {
            let facts = &lint.db_facts[..keep];
            let sources: Vec<&Text> = facts
                .iter()
                .map(|(path, _)| {
                    let file = files.iter().find(|f| &f.path == path).expect("a file");
                    &file.source
                })
                .collect();
            let analyzed: Vec<Option<usize>> = files
                .iter()
                .map(|f| facts.iter().position(|(path, _)| path == &f.path))
                .collect();
            let own = format!("{:?}", linter.check_project_with(facts, &sources, None));
            let shared = SharedResolver {
                resolver: &resolver,
                analyzed: &analyzed,
            };
            let from_shared = linter.check_project_with(facts, &sources, Some(shared));
            assert_eq!(format!("{from_shared:?}"), own);
            if keep == lint.db_facts.len() {
                assert!(
                    own.contains("rule"),
                    "the example has project findings: {own}"
                );
            }
        }
    }

    #[test]
    fn precomputed_walks_give_the_same_report_in_every_scope() {
        let files = corpus();
        let entry = |path: &str, batch| EntryPoint {
            path: path.into(),
            declared_by: "test".into(),
            queue_batch_size: batch,
        };
        let project = ProjectInfo {
            d1: vec!["DB".into()],
            kv: vec!["CACHE".into()],
            queue_batch_size: Some(25),
            ..ProjectInfo::default()
        };
        for scope in [FileScope::Reachable, FileScope::All, FileScope::Bundle] {
            for entries in [
                vec![],
                vec![
                    entry("examples/worker/src/index.ts", None),
                    entry("examples/monorepo/apps/api/src/index.ts", None),
                ],
                vec![entry("examples/worker/src/index.ts", Some(100))],
            ] {
                let input = AnalyzeInput {
                    files: files.clone(),
                    entries,
                    scope,
                    project: Some(project.clone()),
                    ..AnalyzeInput::default()
                };
                // Every file, half of them, none. With `--all-files`, the
                // files no entry reaches get no queue bound: those made with
                // the entries' bound are walked again.
                let exact = scope != FileScope::All || input.entries.len() != 1;
                let walked = assert_same(&input, |_| true);
                assert!(!exact || walked == 0, "{scope:?}: {walked} walked again");
                let walked = assert_same(&input, |i| i % 2 == 0);
                assert!(!exact || walked <= input.files.len().div_ceil(2) as u32);
                assert_same(&input, |_| false);
            }
        }
    }

    /// A walk made with other parameters (here: not as an entry) is not
    /// used: the engine walks that file itself.
    #[test]
    fn a_walk_made_with_other_parameters_is_walked_again() {
        let files = corpus();
        let entry = files
            .iter()
            .position(|f| f.path == "examples/worker/src/index.ts")
            .expect("the example's entry");
        let input = AnalyzeInput {
            files: files.clone(),
            scope: FileScope::All,
            ..AnalyzeInput::default()
        };
        let all: Vec<u32> = (0..files.len() as u32).collect();
        let records = walk(&input, all.iter().copied()).expect("walks");
        let with_entry = AnalyzeInput {
            entries: vec![EntryPoint {
                path: files[entry].path.clone(),
                declared_by: "test".into(),
                queue_batch_size: None,
            }],
            ..input.clone()
        };
        let (report, walked) = analyze_precomputed(&with_entry, &records).expect("analyzes");
        assert_eq!(walked, 1);
        assert_eq!(
            report_json(&report),
            report_json(&analyze(&with_entry).expect("analyzes"))
        );
    }

    /// Records cut short are refused as a whole; a walk that does not
    /// read back is walked again.
    #[test]
    fn damaged_records_are_refused_or_walked_again() {
        let input = AnalyzeInput {
            files: corpus(),
            scope: FileScope::All,
            ..AnalyzeInput::default()
        };
        let records = walk(&input, [0, 1]).expect("walks");
        assert!(analyze_precomputed(&input, &records[..records.len() - 1]).is_err());
        // The first record with its walk's last byte dropped (and its
        // length one less): it does not read back whole.
        let mut r = crate::model::wire::Visit::reader(&records, &|_| None);
        let (file, len) = (r.read_uint(), r.read_uint() as usize);
        let header = records.len() - r.remaining();
        let mut damaged = Vec::new();
        crate::model::wire::put_uint(&mut damaged, file);
        crate::model::wire::put_uint(&mut damaged, len as u64 - 1);
        damaged.extend_from_slice(&records[header..header + len - 1]);
        let (report, walked) = analyze_precomputed(&input, &damaged).expect("analyzes");
        assert_eq!(walked, input.files.len() as u32);
        assert_eq!(report_json(&report), report_json(&analyze(&input).unwrap()));
    }

    /// The files the threads walk ahead are those the entries reach
    /// through the quoted specifiers (tests and scripts no entry imports
    /// are left out); the analysis walks none of the others, and walks
    /// itself what the guess missed: the report is the same.
    #[test]
    fn likely_walked_files_are_those_the_entries_reach() {
        let file = |path: &str, source: &str| SourceFile {
            path: path.into(),
            source: source.into(),
        };
        let looped = "for (const id of ids) await fetch(`https://a.example/${id}`);";
        let input = AnalyzeInput {
            files: vec![
                file(
                    "src/index.ts",
                    "import { a } from './a';\nexport default { async fetch(r: Request) { const m = await import('./lazy'); return new Response(String(a + m.x)); } };\n",
                ),
                file("src/a.ts", &format!("// moved: from './ghost'\nimport {{ b }} from '../lib/b';\nexport const a = b;\nexport async function f(ids: string[]) {{ {looped} }}\n")),
                file("lib/b.ts", "export const b = 1;\n"),
                file("src/lazy.ts", "export const x = 2;\n"),
                file("test/a.test.ts", &format!("import {{ a }} from '../src/a';\nexport async function t(ids: string[]) {{ {looped} }}\n")),
                file("scripts/seed.ts", &format!("export async function seed(ids: string[]) {{ {looped} }}\n")),
            ],
            entries: vec![EntryPoint {
                path: "src/index.ts".into(),
                ..EntryPoint::default()
            }],
            scope: FileScope::Reachable,
            ..AnalyzeInput::default()
        };
        let specifiers: Vec<Vec<&str>> = vec![
            vec!["./a", "./lazy"],
            vec!["./ghost", "../lib/b"],
            vec![],
            vec![],
            vec!["../src/a"],
            vec![],
        ];
        let likely = likely_walked(&input, &specifiers).expect("an entry among the files");
        assert_eq!(likely, vec![0, 1, 2, 3]);
        // The analysis walks exactly those: with their walks made ahead, none.
        let report = analyze(&input).expect("analyzes");
        let analyzed: Vec<u32> = (0..input.files.len() as u32)
            .filter(|&i| report.files[i as usize].analyzed)
            .collect();
        assert_eq!(analyzed, likely);
        let records = walk(&input, likely.iter().copied()).expect("walks");
        let (ahead, walked) = analyze_precomputed(&input, &records).expect("analyzes");
        assert_eq!(walked, 0);
        assert_eq!(report_json(&ahead), report_json(&report));
        // A guess that missed a file: the analysis walks it itself.
        let records = walk(&input, [0, 1, 3]).expect("walks");
        let (missed, walked) = analyze_precomputed(&input, &records).expect("analyzes");
        assert_eq!(walked, 1);
        assert_eq!(report_json(&missed), report_json(&report));
        // Every file analyzed: no guess.
        let all = AnalyzeInput {
            scope: FileScope::All,
            ..input.clone()
        };
        assert_eq!(likely_walked(&all, &specifiers), None);
        let no_entry = AnalyzeInput {
            entries: vec![],
            ..input
        };
        assert_eq!(likely_walked(&no_entry, &specifiers), None);
    }
}
