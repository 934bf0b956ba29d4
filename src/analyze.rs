//! The one entry point every front end uses: files + bundle + config → report.

use serde::{Deserialize, Serialize};

use crate::bundle::{self, Metafile, PackageManifest};
use crate::config::Config;
use crate::limits::Limits;
use crate::lint::{known_rule_ids, Linter, SourceFile};
use crate::report::{docs_url, BudgetResult, Category, Diagnostic, OutputSize, Report, Severity};

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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyzeInput {
    /// First-party sources to lint.
    pub files: Vec<SourceFile>,
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
    /// The config as JSON text (validated here), if the project has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// The Worker's bindings and flags from its wrangler config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectInfo {
    pub nodejs_compat: bool,
    pub d1: Vec<String>,
    pub hyperdrive: Vec<String>,
    pub kv: Vec<String>,
    pub r2: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// Validates a config (JSON text); the error names the key.
pub fn parse_config(json: Option<&str>) -> Result<Config, String> {
    match json {
        Some(text) => Config::parse(text, &known_rule_ids()),
        None => Ok(Config::default()),
    }
}

pub fn analyze(input: &AnalyzeInput) -> Result<Report, String> {
    let config = parse_config(input.config.as_deref()).map_err(|e| format!("config: {e}"))?;
    let limits = Limits::for_plan(config.plan).with_overrides(&config.limits)?;

    let project = input.project.clone().unwrap_or_default();
    let linter = Linter::new(&config, &project);
    let mut lint = linter.lint_files(&input.files, &input.sql_files);
    lint.diagnostics.extend(input.skipped.iter().map(|s| {
        Diagnostic {
            rule: "unreadable-file".into(),
            severity: Severity::Warning,
            category: Category::Input,
            message: format!("{} was not analyzed: {}", s.path, s.reason),
            file: Some(s.path.clone()),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            help:
                "Exclude generated files with `ignore` in the config, or report the internal error."
                    .into(),
            docs: docs_url("unreadable-file"),
        }
    }));

    let mut budgets = Vec::new();
    let bundle = match &input.bundle {
        Some(b) => {
            let metafile = Metafile::parse(&b.metafile)?;
            let report = bundle::analyze(&metafile, b.outputs.clone(), &b.manifests);
            let total: u64 = report.outputs.iter().map(|o| o.bytes).sum();
            budgets.push(BudgetResult {
                name: format!("script size ({:?} plan limit)", config.plan).to_lowercase(),
                metric: "raw".into(),
                limit: limits.script_bytes as f64,
                actual: total as f64,
                passed: total <= limits.script_bytes,
            });
            Some(report)
        }
        None => None,
    };

    Ok(Report::new(
        lint.diagnostics,
        bundle,
        budgets,
        lint.files_analyzed,
    ))
}
