//! Baselines: a small versioned snapshot of a report (sizes, packages,
//! finding counts) saved on the main branch, and the comparison of a later
//! report with it. Also the one-line history record (JSONL).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::report::{
    count_by_rule, BaselineDiff, FindingChange, OutputChange, OutputSize, PackageChange,
    PackageEntry, Report, Severity, SizeChange, SizeChanges, SizeTotals, ToolInfo,
};

pub const BASELINE_VERSION: u32 = 1;

/// The baseline file (`--save-baseline`), version 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    pub version: u32,
    pub tool: ToolInfo,
    pub outputs: Vec<OutputSize>,
    pub totals: SizeTotals,
    pub packages: Vec<BaselinePackage>,
    /// Rule id → number of findings.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub findings: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BaselinePackage {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub bytes: u64,
}

impl Baseline {
    /// Reads a baseline file; errors name the key (`outputs[0].bytes: …`).
    pub fn parse(json: &str) -> Result<Baseline, String> {
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| format!("not a perf-optimizer baseline ({e})"))?;
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(BASELINE_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "baseline version {v} is not supported (this perf-optimizer reads version {BASELINE_VERSION}); save it again with --save-baseline"
                ))
            }
            _ => return Err("not a perf-optimizer baseline (no \"version\")".into()),
        }
        let baseline: Baseline =
            crate::model::json::from_value(&value).map_err(|e| e.to_string())?;
        baseline.check_sizes()?;
        Ok(baseline)
    }

    /// Compressed sizes of 0 for content that is not empty cannot come from
    /// perf-optimizer (gzip and brotli never shrink bytes to nothing): a
    /// growth budget compared with them would be meaningless, or silently
    /// skipped. Names the key.
    fn check_sizes(&self) -> Result<(), String> {
        let sizes = std::iter::once((
            "totals".to_string(),
            self.totals.bytes,
            self.totals.gzip_bytes,
            self.totals.brotli_bytes,
        ))
        .chain(self.outputs.iter().enumerate().map(|(i, o)| {
            (
                format!("outputs[{i}]"),
                o.bytes,
                o.gzip_bytes,
                o.brotli_bytes,
            )
        }));
        for (at, bytes, gzip, brotli) in sizes {
            for (key, compressed) in [("gzipBytes", gzip), ("brotliBytes", brotli)] {
                if bytes > 0 && compressed == 0 {
                    return Err(format!(
                        "{at}.{key} is 0 for {bytes} bytes, not a size perf-optimizer measured; save the baseline again with --save-baseline"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The file's text: pretty JSON, newline-terminated, stable key order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a baseline serializes") + "\n"
    }
}

fn totals(outputs: &[OutputSize]) -> SizeTotals {
    SizeTotals {
        bytes: outputs.iter().map(|o| o.bytes).sum(),
        gzip_bytes: outputs.iter().map(|o| o.gzip_bytes).sum(),
        brotli_bytes: outputs.iter().map(|o| o.brotli_bytes).sum(),
    }
}

/// The baseline to save from a report.
pub fn baseline_from_report(report: &Report) -> Baseline {
    let (outputs, packages) = match &report.bundle {
        Some(b) => (
            b.outputs.clone(),
            b.packages
                .iter()
                .map(|p| BaselinePackage {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    bytes: p.bytes,
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Baseline {
        version: BASELINE_VERSION,
        tool: report.tool.clone(),
        totals: totals(&outputs),
        outputs,
        packages,
        findings: count_by_rule(&report.diagnostics),
    }
}

/// One size before and after.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// name → (versions, bytes), all versions together (also the Markdown
/// table's rows: one map type compiled for both).
pub(crate) fn by_name<'a>(
    packages: impl Iterator<Item = (&'a str, Option<&'a str>, u64)>,
) -> BTreeMap<&'a str, (Vec<String>, u64)> {
    let mut map: BTreeMap<&str, (Vec<String>, u64)> = BTreeMap::new();
    for (name, version, bytes) in packages {
        let entry = map.entry(name).or_default();
        if let Some(v) = version {
            if !entry.0.iter().any(|x| x == v) {
                entry.0.push(v.to_string());
            }
        }
        entry.1 += bytes;
    }
    map
}

fn entries(map: &BTreeMap<&str, (Vec<String>, u64)>, names: &[&str]) -> Vec<PackageEntry> {
    let mut out: Vec<PackageEntry> = names
        .iter()
        .map(|n| PackageEntry {
            name: n.to_string(),
            versions: map[n].0.clone(),
            bytes: map[n].1,
        })
        .collect();
    crate::model::collections::sort_by(&mut out, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Compares a report with a baseline.
pub fn compare(report: &Report, baseline: &Baseline) -> BaselineDiff {
    let (outputs, packages): (&[OutputSize], &[_]) = match &report.bundle {
        Some(b) => (&b.outputs, &b.packages),
        None => (&[], &[]),
    };

    // Outputs: same path first, then same file name when exactly one is left
    // on each side with that name.
    let mut matched: Vec<Option<usize>> = outputs
        .iter()
        .map(|o| baseline.outputs.iter().position(|b| b.path == o.path))
        .collect();
    for i in 0..outputs.len() {
        if matched[i].is_some() {
            continue;
        }
        let name = file_name(&outputs[i].path);
        let free = |j: &usize| !matched.contains(&Some(*j));
        let candidates: Vec<usize> = (0..baseline.outputs.len())
            .filter(free)
            .filter(|&j| file_name(&baseline.outputs[j].path) == name)
            .collect();
        let rivals = (0..outputs.len())
            .filter(|&k| matched[k].is_none() && file_name(&outputs[k].path) == name)
            .count();
        if candidates.len() == 1 && rivals == 1 {
            matched[i] = Some(candidates[0]);
        }
    }
    let mut output_changes = Vec::new();
    let mut new_outputs = Vec::new();
    for (o, m) in outputs.iter().zip(&matched) {
        match m {
            Some(j) => {
                let b = &baseline.outputs[*j];
                let SizeChanges {
                    bytes,
                    gzip_bytes,
                    brotli_bytes,
                } = SizeChanges::new(
                    totals(std::slice::from_ref(b)),
                    totals(std::slice::from_ref(o)),
                );
                output_changes.push(OutputChange {
                    path: o.path.clone(),
                    baseline_path: (b.path != o.path).then(|| b.path.clone()),
                    bytes,
                    gzip_bytes,
                    brotli_bytes,
                });
            }
            None => new_outputs.push(o.path.clone()),
        }
    }
    let removed_outputs = (0..baseline.outputs.len())
        .filter(|j| !matched.contains(&Some(*j)))
        .map(|j| baseline.outputs[j].path.clone())
        .collect();

    let now = by_name(
        packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_deref(), p.bytes)),
    );
    let before = by_name(
        baseline
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_deref(), p.bytes)),
    );
    let mut package_changes: Vec<PackageChange> = now
        .iter()
        .filter_map(|(name, (_, bytes))| {
            let (_, was) = before.get(name)?;
            (was != bytes).then(|| {
                let SizeChange {
                    before,
                    after,
                    delta,
                    percent,
                } = SizeChange::new(*was, *bytes);
                PackageChange {
                    name: name.to_string(),
                    before,
                    after,
                    delta,
                    percent,
                }
            })
        })
        .collect();
    crate::model::collections::sort_by(&mut package_changes, |a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    let added: Vec<&str> = now
        .keys()
        .filter(|n| !before.contains_key(*n))
        .copied()
        .collect();
    let removed: Vec<&str> = before
        .keys()
        .filter(|n| !now.contains_key(*n))
        .copied()
        .collect();

    let mut new_findings: Vec<FindingChange> = count_by_rule(&report.diagnostics)
        .into_iter()
        .filter_map(|(rule, after)| {
            let before = baseline.findings.get(&rule).copied().unwrap_or(0);
            (after > before).then_some(FindingChange {
                rule,
                before,
                after,
            })
        })
        .collect();
    crate::model::collections::sort_by(&mut new_findings, |a, b| {
        (b.after - b.before)
            .cmp(&(a.after - a.before))
            .then_with(|| a.rule.cmp(&b.rule))
    });

    BaselineDiff {
        tool_version: baseline.tool.version.clone(),
        totals: SizeChanges::new(baseline.totals, totals(outputs)),
        outputs: output_changes,
        new_outputs,
        removed_outputs,
        packages: package_changes,
        new_packages: entries(&now, &added),
        removed_packages: entries(&before, &removed),
        new_findings,
    }
}

/// One JSON line for the history file (`--history`), newline-terminated:
/// `{time, commit, bytes, gzipBytes, brotliBytes, packages, errors, warnings}`.
/// The wrapper supplies the time (ISO 8601) and the commit; the core never
/// reads the clock.
pub fn history_line(report: &Report, time: &str, commit: Option<&str>) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Line<'a> {
        time: &'a str,
        commit: Option<&'a str>,
        bytes: u64,
        gzip_bytes: u64,
        brotli_bytes: u64,
        packages: usize,
        errors: u32,
        warnings: u32,
        budgets_failed: usize,
    }
    let (outputs, packages) = match &report.bundle {
        Some(b) => (b.outputs.as_slice(), b.packages.len()),
        None => (&[][..], 0),
    };
    let t = totals(outputs);
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u32;
    let warnings = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count() as u32;
    let line = Line {
        time,
        commit,
        bytes: t.bytes,
        gzip_bytes: t.gzip_bytes,
        brotli_bytes: t.brotli_bytes,
        packages,
        errors,
        warnings,
        budgets_failed: report.budgets.iter().filter(|b| !b.passed).count(),
    };
    serde_json::to_string(&line).expect("a history line serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{BundleReport, Category, Diagnostic, PackageUsage};

    fn diag(rule: &str, severity: Severity) -> Diagnostic {
        Diagnostic {
            group: None,
            related: Vec::new(),
            rule: rule.into(),
            severity,
            category: Category::Async,
            message: "m".into(),
            file: Some("src/index.ts".into()),
            line: Some(1),
            column: Some(1),
            end_line: None,
            end_column: None,
            help: "h".into(),
            docs: String::new(),
        }
    }

    fn output(path: &str, bytes: u64) -> OutputSize {
        OutputSize {
            path: path.into(),
            bytes,
            gzip_bytes: bytes / 3,
            brotli_bytes: bytes / 4,
        }
    }

    fn package(name: &str, version: &str, bytes: u64) -> PackageUsage {
        PackageUsage {
            name: name.into(),
            version: Some(version.into()),
            bytes,
            modules: 1,
            paths: vec![],
            ..PackageUsage::default()
        }
    }

    fn report(
        outputs: Vec<OutputSize>,
        packages: Vec<PackageUsage>,
        diagnostics: Vec<Diagnostic>,
    ) -> Report {
        Report::new(
            diagnostics,
            Some(BundleReport {
                outputs,
                packages,
                ..BundleReport::default()
            }),
            vec![],
            2,
        )
    }

    fn main_branch() -> Report {
        report(
            vec![
                output("dist/index.js", 9_000),
                output("dist/chunk.js", 3_000),
            ],
            vec![
                package("hono", "4.6.0", 5_000),
                package("zod", "3.23.8", 2_000),
                package("lodash", "4.17.21", 1_000),
            ],
            vec![diag("await-in-loop", Severity::Error)],
        )
    }

    #[test]
    fn baseline_round_trips_and_is_versioned() {
        let b = baseline_from_report(&main_branch());
        assert_eq!(b.version, 1);
        assert_eq!(b.totals.bytes, 12_000);
        assert_eq!(b.totals.gzip_bytes, 4_000);
        assert_eq!(b.findings["await-in-loop"], 1);
        let text = b.to_json();
        assert!(
            text.starts_with("{\n  \"version\": 1,\n  \"tool\": {"),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        assert_eq!(Baseline::parse(&text).unwrap(), b);

        let e = Baseline::parse(r#"{"version":2}"#).unwrap_err();
        assert!(e.starts_with("baseline version 2 is not supported"), "{e}");
        let e = Baseline::parse("[1]").unwrap_err();
        assert!(e.starts_with("not a perf-optimizer baseline"), "{e}");
        let e =
            Baseline::parse(&text.replace("\"bytes\": 9000", "\"bytes\": \"big\"")).unwrap_err();
        assert!(e.starts_with("invalid type: string \"big\""), "{e}");
    }

    #[test]
    fn zero_compressed_sizes_for_content_are_refused() {
        let saved = baseline_from_report(&main_branch()).to_json();
        let edited = saved.replacen("\"gzipBytes\": 4000", "\"gzipBytes\": 0", 1);
        assert_ne!(saved, edited, "{saved}");
        let e = Baseline::parse(&edited).unwrap_err();
        assert!(
            e.starts_with("totals.gzipBytes is 0 for 12000 bytes"),
            "{e}"
        );
        let edited = saved.replacen("\"brotliBytes\": 2250", "\"brotliBytes\": 0", 1);
        let e = Baseline::parse(&edited).unwrap_err();
        assert!(
            e.starts_with("outputs[0].brotliBytes is 0 for 9000 bytes"),
            "{e}"
        );
        // A baseline of a run without a bundle (lint) is all zeros: valid.
        let lint = Report::new(vec![], None, vec![], 1);
        assert!(Baseline::parse(&baseline_from_report(&lint).to_json()).is_ok());
    }

    #[test]
    fn compare_reports_growth_new_and_removed() {
        let base = baseline_from_report(&main_branch());
        let pr = report(
            // The output moved to another folder; the chunk is gone; a new one appeared.
            vec![output("out/index.js", 9_900), output("out/worker.js", 600)],
            vec![
                package("hono", "4.6.0", 5_000),
                package("zod", "3.23.8", 2_000),
                package("zod", "4.1.0", 1_500),
                package("valibot", "1.0.0", 700),
            ],
            vec![
                diag("await-in-loop", Severity::Error),
                diag("await-in-loop", Severity::Error),
                diag("json-deep-clone", Severity::Warning),
            ],
        );
        let d = compare(&pr, &base);
        assert_eq!(d.totals.bytes, SizeChange::new(12_000, 10_500));
        assert_eq!(d.totals.bytes.delta, -1_500);
        assert_eq!(d.totals.bytes.percent, Some(-12.5));
        assert_eq!(d.outputs.len(), 1);
        assert_eq!(d.outputs[0].path, "out/index.js");
        assert_eq!(d.outputs[0].baseline_path.as_deref(), Some("dist/index.js"));
        assert_eq!(d.outputs[0].bytes.delta, 900);
        assert_eq!(d.outputs[0].bytes.percent, Some(10.0));
        assert_eq!(d.new_outputs, ["out/worker.js"]);
        assert_eq!(d.removed_outputs, ["dist/chunk.js"]);
        assert_eq!(d.packages.len(), 1);
        assert_eq!(d.packages[0].name, "zod");
        let p = &d.packages[0];
        assert_eq!(
            (p.before, p.after, p.delta, p.percent),
            (2_000, 3_500, 1_500, Some(75.0))
        );
        assert_eq!(d.new_packages.len(), 1);
        assert_eq!(d.new_packages[0].name, "valibot");
        assert_eq!(d.new_packages[0].versions, ["1.0.0"]);
        assert_eq!(d.removed_packages[0].name, "lodash");
        assert_eq!(
            d.new_findings,
            [
                FindingChange {
                    rule: "await-in-loop".into(),
                    before: 1,
                    after: 2
                },
                FindingChange {
                    rule: "json-deep-clone".into(),
                    before: 0,
                    after: 1
                },
            ]
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["outputs"][0]["baselinePath"], "dist/index.js");
        assert_eq!(json["outputs"][0]["gzipBytes"]["delta"], 300);
        assert_eq!(json["packages"][0]["delta"], 1_500);
        assert_eq!(json["newFindings"][0]["rule"], "await-in-loop");
    }

    #[test]
    fn ambiguous_file_names_are_not_matched() {
        let base = baseline_from_report(&report(
            vec![output("a/index.js", 1), output("b/index.js", 2)],
            vec![],
            vec![],
        ));
        let d = compare(
            &report(vec![output("c/index.js", 3)], vec![], vec![]),
            &base,
        );
        assert!(d.outputs.is_empty());
        assert_eq!(d.new_outputs, ["c/index.js"]);
        assert_eq!(d.removed_outputs.len(), 2);
        assert_eq!(SizeChange::new(0, 5).percent, None);
    }

    #[test]
    fn history_line_is_one_json_line() {
        let mut r = main_branch();
        r.diagnostics.push(diag("x", Severity::Warning));
        let line = history_line(&r, "2026-01-02T03:04:05Z", Some("abc123"));
        assert_eq!(
            line,
            "{\"time\":\"2026-01-02T03:04:05Z\",\"commit\":\"abc123\",\"bytes\":12000,\"gzipBytes\":4000,\"brotliBytes\":3000,\"packages\":3,\"errors\":1,\"warnings\":1,\"budgetsFailed\":0}\n"
        );
        let line = history_line(&Report::new(vec![], None, vec![], 0), "t", None);
        assert!(
            line.starts_with("{\"time\":\"t\",\"commit\":null,\"bytes\":0,"),
            "{line}"
        );
    }
}
