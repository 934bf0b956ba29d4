//! The one entry point every front end uses: files + bundle + config → report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::baseline::{self, Baseline};
use crate::budget;
use crate::bundle::{self, InputSources, Metafile, PackageManifest};
use crate::config::Config;
use crate::lint::{known_rule_ids, Linter, SourceFile};
use crate::report::{docs_url, Category, Diagnostic, OutputSize, Report, Severity};

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
    pub startup: Option<crate::startup::StartupInput>,
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

impl AnalyzeInput {
    /// Fills in the texts of `files` from `bytes`, the files' sources one
    /// after another as `source_lengths` measures them. Invalid UTF-8 becomes
    /// U+FFFD, as Node's own decoding would do.
    pub fn attach_sources(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.source_lengths.len() != self.files.len() {
            return Err(format!(
                "sourceLengths has {} entries for {} files",
                self.source_lengths.len(),
                self.files.len()
            ));
        }
        let total: u64 = self.source_lengths.iter().map(|&n| u64::from(n)).sum();
        if total != bytes.len() as u64 {
            return Err(format!(
                "sourceLengths add up to {total} bytes, the sources buffer has {}",
                bytes.len()
            ));
        }
        let mut rest = bytes;
        for (file, &length) in self.files.iter_mut().zip(&self.source_lengths) {
            let (text, tail) = rest.split_at(length as usize);
            file.source = String::from_utf8_lossy(text).into_owned();
            rest = tail;
        }
        Ok(())
    }
}

/// Validates a config (JSON text); the error names the key.
pub fn parse_config(json: Option<&str>) -> Result<Config, String> {
    match json {
        Some(text) => Config::parse(text, &known_rule_ids()),
        None => Ok(Config::default()),
    }
}

pub fn analyze(input: &AnalyzeInput) -> Result<Report, String> {
    if let Some(json) = &input.replacements {
        crate::lint::rules::heavy_dependency::install_replacements(json)?;
    }
    let config = parse_config(input.config.as_deref()).map_err(|e| format!("config: {e}"))?;
    let baseline = input
        .baseline
        .as_deref()
        .map(Baseline::parse)
        .transpose()
        .map_err(|e| format!("baseline: {e}"))?;

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

    let bundle = match &input.bundle {
        Some(b) => {
            let mut metafile = Metafile::parse(&b.metafile)?;
            bundle::prebundled::expand(&mut metafile, &b.input_sources);
            let mut found = bundle::rules::findings(
                &metafile,
                &b.manifests,
                &input.files,
                &project,
                &config,
                &mut lint.diagnostics,
            );
            // Suppression comments at the first-party import apply too.
            crate::lint::suppress::retain_unsuppressed(&mut found, &lint.suppressions);
            lint.diagnostics.extend(found);
            Some(bundle::analyze(&metafile, b.outputs.clone(), &b.manifests))
        }
        None => None,
    };

    // Profiles of the same bundle, measured by the wrapper in workerd.
    let startup = match &input.startup {
        Some(profiles) => {
            let (startup, findings) = crate::startup::analyze(profiles, &config)?;
            lint.diagnostics.extend(findings);
            Some(startup)
        }
        None => None,
    };
    let mut report = Report::new(lint.diagnostics, bundle, Vec::new(), lint.files_analyzed);
    report.startup = startup;
    if let Some(baseline) = &baseline {
        report.baseline = Some(baseline::compare(&report, baseline));
    }
    budget::apply(&mut report, &config, baseline.as_ref())?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::baseline_from_report;

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
            source: String::new(),
        };
        let mut input = AnalyzeInput {
            files: vec![file("a.js"), file("b.js"), file("c.js")],
            source_lengths: vec![6, 0, 4],
            ..AnalyzeInput::default()
        };
        input.attach_sources(b"let a;\xffb\xc3\xa9").unwrap();
        let texts: Vec<&str> = input.files.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(texts, ["let a;", "", "\u{fffd}b\u{e9}"]);

        input.source_lengths = vec![6, 0];
        let e = input.attach_sources(b"let a;").unwrap_err();
        assert_eq!(e, "sourceLengths has 2 entries for 3 files");
        input.source_lengths = vec![6, 0, 5];
        let e = input.attach_sources(b"let a;\xffb\xc3\xa9").unwrap_err();
        assert!(
            e.contains("add up to 11 bytes, the sources buffer has 10"),
            "{e}"
        );
    }
}
