//! The report model (JSON report version 1, see DESIGN.md). Fields are only
//! ever added, never renamed.

use serde::{Deserialize, Serialize};

pub use super::project::Role;

pub const REPORT_VERSION: u32 = 1;
pub const TOOL_NAME: &str = "perf-optimizer";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const DOCS_BASE: &str =
    "https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/";

#[derive(
    Default, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    #[default]
    Async,
    Limits,
    Memory,
    Cpu,
    ColdStart,
    Database,
    Bundle,
    Startup,
    /// Problems with the input itself (unparsable files, bad suppressions).
    Input,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Async => "async",
            Category::Limits => "limits",
            Category::Memory => "memory",
            Category::Cpu => "cpu",
            Category::ColdStart => "cold-start",
            Category::Database => "database",
            Category::Bundle => "bundle",
            Category::Startup => "startup",
            Category::Input => "input",
        }
    }
}

#[derive(Default, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub rule: String,
    pub severity: Severity,
    pub category: Category,
    pub message: String,
    /// Relative to the working directory, `/`-separated. Absent for findings
    /// about the bundle that no first-party line pulls in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based, in UTF-16 code units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub help: String,
    pub docs: String,
    /// The evidence behind the finding, in order: where a called function
    /// makes the subrequest or query the finding is about (SARIF
    /// `relatedLocations`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The code several findings of one rule in one file are about (a
    /// loop's start offset): the engine merges them into one finding, the
    /// others kept as related evidence. Internal, never serialized.
    #[serde(skip)]
    pub group: Option<u32>,
}

/// A place that explains a finding.
#[derive(Default, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Related {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct OutputSize {
    pub path: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
    pub brotli_bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PackageUsage {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Bytes this package contributes to the output(s).
    pub bytes: u64,
    /// Number of its modules in the bundle.
    pub modules: u32,
    /// Where it lives (package root folders), more than one when nested copies exist.
    pub paths: Vec<String>,
    /// Estimated gzip size of its share of the output: `bytes` times the
    /// output's own gzip ratio (0 when the outputs were not measured).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub gzip_bytes: u64,
    /// Estimated brotli size, the same way.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub brotli_bytes: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Bytes in the output of one first-party folder (its files, not its subfolders).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FolderUsage {
    pub path: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DuplicatePackage {
    pub name: String,
    pub versions: Vec<String>,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BundleReport {
    pub outputs: Vec<OutputSize>,
    pub packages: Vec<PackageUsage>,
    pub duplicates: Vec<DuplicatePackage>,
    /// Bytes of first-party code (inputs outside node_modules).
    pub first_party_bytes: u64,
    /// Bytes of esbuild's runtime and shims that belong to no input.
    pub runtime_bytes: u64,
    /// Bytes in the output per module (package and first-party inputs),
    /// largest first; what the HTML report's treemap zooms into.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<ModuleSize>,
    /// `first_party_bytes` by folder, largest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderUsage>,
}

/// One input module's bytes in the output(s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ModuleSize {
    /// The input path as the metafile writes it.
    pub path: String,
    /// The package it belongs to; absent for first-party modules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// That package's version, to tell copies of one package apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BudgetResult {
    pub name: String,
    /// raw, gzip, brotli, package or startup.
    pub metric: String,
    pub limit: f64,
    pub actual: f64,
    pub passed: bool,
    /// `max`: `actual` is the measured value; `increase`: `actual` is the
    /// growth since the baseline.
    #[serde(default)]
    pub kind: BudgetKind,
    /// The unit of `limit` and `actual`.
    #[serde(default)]
    pub unit: BudgetUnit,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum BudgetKind {
    #[default]
    Max,
    Increase,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum BudgetUnit {
    #[default]
    Bytes,
    Ms,
    Percent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StartupContributor {
    pub name: String,
    pub kind: String,
    pub ms: f64,
    pub share: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The median of its ms over the runs (a run without it counts 0): what
    /// a `startup-cost` finding quotes.
    #[serde(default)]
    pub median_ms: f64,
    /// In how many runs it took at least the noise floor.
    #[serde(default)]
    pub seen_in_runs: u32,
    /// Code wrangler adds to the bundle (its middleware and facade, the
    /// nodejs_compat polyfills), not code the project imports.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub injected: bool,
    /// The Worker's entry module itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub entry: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StartupReport {
    pub total_ms: f64,
    pub runs: u32,
    pub limit_ms: f64,
    pub contributors: Vec<StartupContributor>,
    /// Engine time outside the bundle's code (compilation, garbage
    /// collection), in ms of the median run.
    #[serde(default)]
    pub engine_ms: f64,
    /// Bundle time the profile could not place on a module (the
    /// attribution's error), in ms of the median run.
    #[serde(default)]
    pub unattributed_ms: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
    /// Files analyzed.
    pub files: u32,
    /// Files given but not analyzed: the Worker does not run them (see
    /// `Report::files` for their roles).
    #[serde(default)]
    pub skipped_files: u32,
}

/// One file the run was given: what it is and whether it was analyzed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    pub path: String,
    pub role: Role,
    /// The Worker entry it is reachable from (the first one found), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    pub analyzed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub version: u32,
    pub tool: ToolInfo,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleReport>,
    #[serde(default)]
    pub budgets: Vec<BudgetResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<StartupReport>,
    /// Per-route measurements under local load (`perf-optimizer profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<super::profile::ProfileReport>,
    pub summary: Summary,
    /// The comparison with a saved baseline (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineDiff>,
    /// Every file given, with its role and entry: which were analyzed, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
    /// What the run wants the reader to know about its scope (said once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(
        mut diagnostics: Vec<Diagnostic>,
        bundle: Option<BundleReport>,
        budgets: Vec<BudgetResult>,
        files: u32,
    ) -> Report {
        sort_diagnostics(&mut diagnostics);
        let mut summary = Summary {
            files,
            ..Summary::default()
        };
        for d in &diagnostics {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        Report {
            version: REPORT_VERSION,
            tool: ToolInfo {
                name: TOOL_NAME.into(),
                version: TOOL_VERSION.into(),
            },
            diagnostics,
            bundle,
            budgets,
            startup: None,
            profile: None,
            summary,
            baseline: None,
            files: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The process exit code the report calls for (DESIGN.md): 1 for an
    /// error-severity finding or a budget exceeded, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.summary.errors > 0 || self.budgets.iter().any(|b| !b.passed) {
            1
        } else {
            0
        }
    }
}

/// The report's order: by file (findings without one last), then position,
/// then rule, then message. Total, so an unstable sort gives one order.
pub fn diagnostic_order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    (
        a.file.is_none(),
        &a.file,
        a.line,
        a.column,
        &a.rule,
        &a.message,
    )
        .cmp(&(
            b.file.is_none(),
            &b.file,
            b.line,
            b.column,
            &b.rule,
            &b.message,
        ))
}

pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    super::collections::sort_by(diagnostics, diagnostic_order);
}

pub fn docs_url(rule: &str) -> String {
    format!("{DOCS_BASE}{rule}.md")
}

/// Rule id → count, for baselines and summaries.
pub fn count_by_rule(diagnostics: &[Diagnostic]) -> std::collections::BTreeMap<String, u32> {
    let mut counts = std::collections::BTreeMap::new();
    for d in diagnostics {
        *counts.entry(d.rule.clone()).or_insert(0) += 1;
    }
    counts
}

// ----- the comparison with a saved baseline (`--baseline`) -----

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SizeChange {
    pub before: u64,
    pub after: u64,
    pub delta: i64,
    /// Growth in percent of `before` (two decimals); absent when `before` is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
}

impl SizeChange {
    pub fn new(before: u64, after: u64) -> SizeChange {
        let delta = after as i64 - before as i64;
        SizeChange {
            before,
            after,
            delta,
            percent: (before > 0)
                .then(|| (delta as f64 / before as f64 * 10_000.0).round() / 100.0),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SizeChanges {
    pub bytes: SizeChange,
    pub gzip_bytes: SizeChange,
    pub brotli_bytes: SizeChange,
}

impl SizeChanges {
    pub fn new(before: SizeTotals, after: SizeTotals) -> SizeChanges {
        SizeChanges {
            bytes: SizeChange::new(before.bytes, after.bytes),
            gzip_bytes: SizeChange::new(before.gzip_bytes, after.gzip_bytes),
            brotli_bytes: SizeChange::new(before.brotli_bytes, after.brotli_bytes),
        }
    }
}

/// An output present in both; matched by path, else by file name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct OutputChange {
    pub path: String,
    /// The baseline's path when it differs (matched by file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_path: Option<String>,
    // The three sizes as fields, not `#[serde(flatten)]` of SizeChanges:
    // flatten pulls serde's buffering deserializer into the wasm.
    pub bytes: SizeChange,
    pub gzip_bytes: SizeChange,
    pub brotli_bytes: SizeChange,
}

/// A package present in both whose size changed (all versions together).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PackageChange {
    pub name: String,
    /// The change of its bytes (inlined, not flattened: see OutputChange).
    pub before: u64,
    pub after: u64,
    pub delta: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
}

/// A package that appeared or disappeared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PackageEntry {
    pub name: String,
    pub versions: Vec<String>,
    pub bytes: u64,
}

/// A rule with more findings than in the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FindingChange {
    pub rule: String,
    pub before: u32,
    pub after: u32,
}

/// The report's `baseline` field: what changed since the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BaselineDiff {
    /// The perf-optimizer version that wrote the baseline.
    pub tool_version: String,
    /// All outputs together.
    pub totals: SizeChanges,
    /// Outputs in both, in the report's order.
    pub outputs: Vec<OutputChange>,
    pub new_outputs: Vec<String>,
    pub removed_outputs: Vec<String>,
    /// Packages in both whose size changed, largest change first.
    pub packages: Vec<PackageChange>,
    /// Largest first.
    pub new_packages: Vec<PackageEntry>,
    /// Largest first.
    pub removed_packages: Vec<PackageEntry>,
    /// Rules whose finding count grew, most new findings first.
    pub new_findings: Vec<FindingChange>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SizeTotals {
    pub bytes: u64,
    pub gzip_bytes: u64,
    pub brotli_bytes: u64,
}

// ----- reading a report back (the wasm's `render`, `baselineFromReport`, `historyLine`) -----

use super::json::{from_json_by_deserialize, from_json_struct};

from_json_by_deserialize!(Severity, Category, Role, BudgetKind, BudgetUnit);

from_json_struct! {
    Report { version: "version" req, tool: "tool" req, diagnostics: "diagnostics" req, bundle: "bundle" opt, budgets: "budgets" opt, startup: "startup" opt, profile: "profile" opt, summary: "summary" req, baseline: "baseline" opt, files: "files" opt, notes: "notes" opt }
    Diagnostic { rule: "rule" req, severity: "severity" req, category: "category" req, message: "message" req, file: "file" opt, line: "line" opt, column: "column" opt, end_line: "endLine" opt, end_column: "endColumn" opt, help: "help" req, docs: "docs" req, related: "related" opt, group: "group" skip }
    Related { file: "file" req, line: "line" req, column: "column" req, message: "message" req }
    ToolInfo { name: "name" req, version: "version" req }
    BundleReport { outputs: "outputs" req, packages: "packages" req, duplicates: "duplicates" req, first_party_bytes: "firstPartyBytes" req, runtime_bytes: "runtimeBytes" req, modules: "modules" opt, folders: "folders" opt }
    OutputSize { path: "path" req, bytes: "bytes" req, gzip_bytes: "gzipBytes" req, brotli_bytes: "brotliBytes" req }
    PackageUsage { name: "name" req, version: "version" opt, bytes: "bytes" req, modules: "modules" req, paths: "paths" req, gzip_bytes: "gzipBytes" opt, brotli_bytes: "brotliBytes" opt }
    FolderUsage { path: "path" req, bytes: "bytes" req }
    DuplicatePackage { name: "name" req, versions: "versions" req, bytes: "bytes" req }
    ModuleSize { path: "path" req, package: "package" opt, version: "version" opt, bytes: "bytes" req }
    BudgetResult { name: "name" req, metric: "metric" req, limit: "limit" req, actual: "actual" req, passed: "passed" req, kind: "kind" opt, unit: "unit" opt }
    StartupReport { total_ms: "totalMs" req, runs: "runs" req, limit_ms: "limitMs" req, contributors: "contributors" req, engine_ms: "engineMs" opt, unattributed_ms: "unattributedMs" opt }
    StartupContributor { name: "name" req, kind: "kind" req, ms: "ms" req, share: "share" req, file: "file" opt, line: "line" opt, median_ms: "medianMs" opt, seen_in_runs: "seenInRuns" opt, injected: "injected" opt, entry: "entry" opt }
    Summary { errors: "errors" req, warnings: "warnings" req, infos: "infos" req, files: "files" req, skipped_files: "skippedFiles" opt }
    FileEntry { path: "path" req, role: "role" req, entry: "entry" opt, analyzed: "analyzed" req }
    BaselineDiff { tool_version: "toolVersion" req, totals: "totals" req, outputs: "outputs" req, new_outputs: "newOutputs" req, removed_outputs: "removedOutputs" req, packages: "packages" req, new_packages: "newPackages" req, removed_packages: "removedPackages" req, new_findings: "newFindings" req }
    SizeChanges { bytes: "bytes" req, gzip_bytes: "gzipBytes" req, brotli_bytes: "brotliBytes" req }
    SizeChange { before: "before" req, after: "after" req, delta: "delta" req, percent: "percent" opt }
    OutputChange { path: "path" req, baseline_path: "baselinePath" opt, bytes: "bytes" req, gzip_bytes: "gzipBytes" req, brotli_bytes: "brotliBytes" req }
    PackageChange { name: "name" req, before: "before" req, after: "after" req, delta: "delta" req, percent: "percent" opt }
    PackageEntry { name: "name" req, versions: "versions" req, bytes: "bytes" req }
    FindingChange { rule: "rule" req, before: "before" req, after: "after" req }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::json::{from_str, read_str};

    /// A report with every field set (none left out by `skip_serializing_if`).
    fn full_report() -> Report {
        let change = SizeChange {
            before: 10,
            after: 12,
            delta: 2,
            percent: Some(20.0),
        };
        Report {
            version: 1,
            tool: ToolInfo {
                name: "perf-optimizer".into(),
                version: "9.9.9".into(),
            },
            diagnostics: vec![Diagnostic {
                rule: "r".into(),
                severity: Severity::Warning,
                category: Category::ColdStart,
                message: "m".into(),
                file: Some("src/a.ts".into()),
                line: Some(3),
                column: Some(4),
                end_line: Some(5),
                end_column: Some(6),
                help: "h".into(),
                docs: "d".into(),
                related: vec![Related {
                    file: "src/b.ts".into(),
                    line: 7,
                    column: 8,
                    message: "there".into(),
                }],
                group: None,
            }],
            bundle: Some(BundleReport {
                outputs: vec![OutputSize {
                    path: "out.js".into(),
                    bytes: 1,
                    gzip_bytes: 2,
                    brotli_bytes: 3,
                }],
                packages: vec![PackageUsage {
                    name: "p".into(),
                    version: Some("1.0.0".into()),
                    bytes: 4,
                    modules: 5,
                    paths: vec!["node_modules/p/i.js".into()],
                    gzip_bytes: 6,
                    brotli_bytes: 7,
                }],
                duplicates: vec![DuplicatePackage {
                    name: "q".into(),
                    versions: vec!["1".into(), "2".into()],
                    bytes: 8,
                }],
                first_party_bytes: 9,
                runtime_bytes: 10,
                modules: vec![ModuleSize {
                    path: "src/a.ts".into(),
                    package: Some("p".into()),
                    version: Some("1.0.0".into()),
                    bytes: 11,
                }],
                folders: vec![FolderUsage {
                    path: "src".into(),
                    bytes: 12,
                }],
            }),
            budgets: vec![BudgetResult {
                name: "b".into(),
                metric: "gzip".into(),
                limit: 1.5,
                actual: 2.5,
                passed: false,
                kind: BudgetKind::Increase,
                unit: BudgetUnit::Percent,
            }],
            startup: Some(StartupReport {
                total_ms: 1.25,
                runs: 3,
                limit_ms: 400.0,
                contributors: vec![StartupContributor {
                    name: "c".into(),
                    kind: "module".into(),
                    ms: 0.5,
                    share: 0.25,
                    file: Some("src/a.ts".into()),
                    line: Some(2),
                    median_ms: 0.75,
                    seen_in_runs: 2,
                    injected: true,
                    entry: true,
                }],
                engine_ms: 0.125,
                unattributed_ms: 0.0625,
            }),
            profile: Some(crate::model::profile::full_profile()),
            summary: Summary {
                errors: 1,
                warnings: 2,
                infos: 3,
                files: 4,
                skipped_files: 5,
            },
            baseline: Some(BaselineDiff {
                tool_version: "0.1.0".into(),
                totals: SizeChanges {
                    bytes: change,
                    gzip_bytes: change,
                    brotli_bytes: change,
                },
                outputs: vec![OutputChange {
                    path: "out.js".into(),
                    baseline_path: Some("old.js".into()),
                    bytes: change,
                    gzip_bytes: change,
                    brotli_bytes: change,
                }],
                new_outputs: vec!["new.js".into()],
                removed_outputs: vec!["gone.js".into()],
                packages: vec![PackageChange {
                    name: "p".into(),
                    before: 1,
                    after: 2,
                    delta: 1,
                    percent: Some(100.0),
                }],
                new_packages: vec![PackageEntry {
                    name: "n".into(),
                    versions: vec!["1".into()],
                    bytes: 3,
                }],
                removed_packages: vec![PackageEntry {
                    name: "o".into(),
                    versions: vec!["2".into()],
                    bytes: 4,
                }],
                new_findings: vec![FindingChange {
                    rule: "r".into(),
                    before: 0,
                    after: 1,
                }],
            }),
            files: vec![FileEntry {
                path: "src/a.ts".into(),
                role: Role::Worker,
                entry: Some("src/index.ts".into()),
                analyzed: true,
            }],
            notes: vec!["note".into()],
        }
    }

    #[test]
    fn field_readers_read_every_field_as_the_derive_does() {
        let report = full_report();
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(read_str::<Report>(&json).unwrap(), report);
        assert_eq!(from_str::<Report>(&json).unwrap(), report);
        // The least report: every optional field left out.
        let least = Report::new(Vec::new(), None, Vec::new(), 0);
        let json = serde_json::to_string(&least).unwrap();
        assert_eq!(read_str::<Report>(&json).unwrap(), least);
    }

    #[test]
    fn field_readers_fail_as_the_derive_does() {
        let mut value = serde_json::to_value(full_report()).unwrap();
        let both = |value: &serde_json::Value| {
            let text = value.to_string();
            let ours = read_str::<Report>(&text).unwrap_err().to_string();
            let derived = from_str::<Report>(&text).unwrap_err().to_string();
            assert_eq!(ours, derived);
            ours
        };
        value["diagnostics"][0]
            .as_object_mut()
            .unwrap()
            .remove("help");
        assert_eq!(both(&value), "missing field `help`");
        value["diagnostics"][0]["help"] = "h".into();
        value["diagnostics"][0]["line"] = "3".into();
        assert_eq!(both(&value), "invalid type: string \"3\", expected u32");
        value["diagnostics"][0]["line"] = serde_json::Value::Null;
        value["bundle"] = 5.into();
        assert_eq!(
            both(&value),
            "invalid type: integer `5`, expected struct BundleReport"
        );
        value["bundle"] = serde_json::Value::Null;
        value["notes"] = "x".into();
        assert_eq!(
            both(&value),
            "invalid type: string \"x\", expected a sequence"
        );
        value["notes"] = serde_json::json!([]);
        value["summary"]["skippedFiles"] = serde_json::Value::Null;
        assert_eq!(both(&value), "invalid type: null, expected u32");
        value["summary"]["skippedFiles"] = 1.into();
        value["diagnostics"][0]["severity"] = "fatal".into();
        both(&value);
    }
}
