//! Budgets checked against a report: the platform limits plus the user's
//! size, growth and startup budgets (declared in `model::budget`).

use crate::analyses::baseline::Baseline;
use crate::model::budget::*;
use crate::model::config::Config;
use crate::model::report::{BudgetKind, BudgetResult, BudgetUnit, Report};

/// The size a metric measures in a report, `None` without a bundle.
fn measure(report: &Report, metric: Metric, package: Option<&str>) -> Option<f64> {
    if metric == Metric::Startup {
        return report.startup.as_ref().map(|s| s.total_ms);
    }
    let bundle = report.bundle.as_ref()?;
    let sum =
        |f: fn(&crate::model::report::OutputSize) -> u64| bundle.outputs.iter().map(f).sum::<u64>();
    Some(match metric {
        Metric::Raw => sum(|o| o.bytes),
        Metric::Gzip => sum(|o| o.gzip_bytes),
        Metric::Brotli => sum(|o| o.brotli_bytes),
        _ => bundle
            .packages
            .iter()
            .filter(|p| Some(p.name.as_str()) == package)
            .map(|p| p.bytes)
            .sum(),
    } as f64)
}

/// The same size in a baseline.
fn measure_baseline(baseline: &Baseline, metric: Metric, package: Option<&str>) -> f64 {
    (match metric {
        Metric::Raw => baseline.totals.bytes,
        Metric::Gzip => baseline.totals.gzip_bytes,
        Metric::Brotli => baseline.totals.brotli_bytes,
        _ => baseline
            .packages
            .iter()
            .filter(|p| Some(p.name.as_str()) == package)
            .map(|p| p.bytes)
            .sum(),
    }) as f64
}

/// A growth budget on the bundle's size needs a baseline that measured a
/// bundle: one saved from `lint` has none, and comparing with its zeros would
/// fail every byte budget and skip every percentage one.
fn check_has_sizes(baseline: &Baseline, budget: &CheckedBudget) -> Result<(), String> {
    let sizes = matches!(budget.metric, Metric::Raw | Metric::Gzip | Metric::Brotli);
    if sizes && baseline.outputs.is_empty() && baseline.totals.bytes == 0 {
        return Err(format!(
            "baseline: no bundle sizes (saved from a run without a bundle, such as lint?): the growth budget \"{}\" has nothing to compare with; save the baseline from check or bundle",
            budget.name
        ));
    }
    Ok(())
}

/// Percentages with two decimals, so that what is shown is what was compared.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The budgets that apply to a report: the platform limits (script size; the
/// startup limit when startup was measured), then the config's budgets in
/// order. Budgets whose measurement is missing are skipped.
pub fn evaluate(
    config: &Config,
    report: &Report,
    baseline: Option<&Baseline>,
) -> Result<Vec<BudgetResult>, String> {
    let limits = config.platform_limits();
    let plan = format!("{:?}", config.plan).to_ascii_lowercase();
    let mut results = Vec::new();
    if let Some(actual) = measure(report, Metric::Raw, None) {
        let limit = limits.script_bytes as f64;
        results.push(BudgetResult {
            name: format!("script size ({plan} plan limit)"),
            metric: "raw".into(),
            limit,
            actual,
            passed: actual <= limit,
            kind: BudgetKind::Max,
            unit: BudgetUnit::Bytes,
        });
    }
    if let Some(actual) = measure(report, Metric::Startup, None) {
        results.push(BudgetResult {
            name: format!("startup time ({plan} plan limit)"),
            metric: "startup".into(),
            limit: limits.startup_ms,
            actual,
            passed: actual <= limits.startup_ms,
            kind: BudgetKind::Max,
            unit: BudgetUnit::Ms,
        });
    }
    for budget in check(&config.budgets)? {
        // Profile budgets are findings of the profile's rules (warnings).
        if budget.metric.is_profile() {
            continue;
        }
        let Some(actual) = measure(report, budget.metric, budget.package.as_deref()) else {
            continue;
        };
        let unit = match budget.metric {
            Metric::Startup => BudgetUnit::Ms,
            _ => BudgetUnit::Bytes,
        };
        let (limit, actual, kind, unit) = match budget.limit {
            Limit::Max(limit) => (limit, actual, BudgetKind::Max, unit),
            Limit::IncreaseBytes(limit) => {
                let Some(baseline) = baseline else { continue };
                check_has_sizes(baseline, &budget)?;
                let before = measure_baseline(baseline, budget.metric, budget.package.as_deref());
                (limit, actual - before, BudgetKind::Increase, unit)
            }
            Limit::IncreasePercent(limit) => {
                let Some(baseline) = baseline else { continue };
                check_has_sizes(baseline, &budget)?;
                let before = measure_baseline(baseline, budget.metric, budget.package.as_deref());
                if before == 0.0 {
                    continue;
                }
                let growth = round2((actual - before) / before * 100.0);
                (limit, growth, BudgetKind::Increase, BudgetUnit::Percent)
            }
        };
        results.push(BudgetResult {
            name: budget.name,
            metric: budget.metric.as_str().into(),
            limit,
            actual,
            passed: actual <= limit,
            kind,
            unit,
        });
    }
    Ok(results)
}

/// Sets `report.budgets` from the config (and the baseline, for growth
/// budgets). Call again after adding a startup measurement to a report.
pub fn apply(
    report: &mut Report,
    config: &Config,
    baseline: Option<&Baseline>,
) -> Result<(), String> {
    report.budgets = evaluate(config, report, baseline)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::baseline::baseline_from_report;
    use crate::model::report::{BundleReport, OutputSize, PackageUsage, StartupReport};

    fn config(budgets: &str) -> Result<Config, String> {
        Config::parse(&format!(r#"{{"budgets":{budgets}}}"#), &[])
    }

    fn report(raw: u64, gzip: u64, packages: &[(&str, &str, u64)]) -> Report {
        let bundle = BundleReport {
            outputs: vec![OutputSize {
                path: "dist/index.js".into(),
                bytes: raw,
                gzip_bytes: gzip,
                brotli_bytes: gzip * 9 / 10,
            }],
            packages: packages
                .iter()
                .map(|(name, version, bytes)| PackageUsage {
                    name: name.to_string(),
                    version: Some(version.to_string()),
                    bytes: *bytes,
                    modules: 1,
                    paths: vec![format!("node_modules/{name}")],
                    ..PackageUsage::default()
                })
                .collect(),
            ..BundleReport::default()
        };
        Report::new(vec![], Some(bundle), vec![], 1)
    }

    fn results(budgets: &str, report: &Report, baseline: Option<&Baseline>) -> Vec<BudgetResult> {
        evaluate(&config(budgets).unwrap(), report, baseline).unwrap()
    }

    #[test]
    fn sizes_in_every_unit() {
        let cases = [
            ("12", 12.0),
            ("12 B", 12.0),
            ("12B", 12.0),
            ("1 kB", 1000.0),
            ("1 KB", 1000.0),
            ("1.5 kB", 1500.0),
            ("1 KiB", 1024.0),
            ("2 MB", 2e6),
            ("1 MiB", 1_048_576.0),
            ("0.5MiB", 524_288.0),
            ("  64 MiB ", 67_108_864.0),
        ];
        for (text, bytes) in cases {
            let (v, _) = amount(
                "max",
                &Amount::Text(text.into()),
                &[BudgetUnit::Bytes],
                BudgetUnit::Bytes,
            )
            .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(v, bytes, "{text}");
        }
        assert_eq!(parse_amount("200 ms"), Some((200.0, Some(BudgetUnit::Ms))));
        assert_eq!(parse_amount("1.5s"), Some((1500.0, Some(BudgetUnit::Ms))));
        assert_eq!(parse_amount("5%"), Some((5.0, Some(BudgetUnit::Percent))));
    }

    #[test]
    fn bad_sizes_are_refused() {
        for text in [
            "12 XB", "", "kB", "12 kb", "12 mb", "-1 kB", "1..2 kB", ".5 kB", "1 GB",
        ] {
            assert_eq!(parse_amount(text), None, "{text}");
        }
        let e = config(r#"[{"metric":"gzip","max":"1 MB"},{"metric":"raw","max":"2 MB"},{"metric":"raw","max":"12 XB"}]"#)
            .unwrap_err();
        assert_eq!(
            e,
            r#"budgets[2].max: invalid size "12 XB" (use B, kB, KiB, MB or MiB)"#
        );
        let e = config(r#"[{"metric":"raw","max":-5}]"#).unwrap_err();
        assert_eq!(e, "budgets[0].max: -5 is not a positive number");
        let e = config(r#"[{"metric":"raw","max":"5%"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].max: a percentage only fits"),
            "{e}"
        );
        let e = config(r#"[{"metric":"raw","max":"200 ms"}]"#).unwrap_err();
        assert!(
            e.starts_with(r#"budgets[0].max: "200 ms" is not a size"#),
            "{e}"
        );
        let e = config(r#"[{"metric":"raw","max":true}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].max: invalid type: boolean"),
            "{e}"
        );
    }

    #[test]
    fn unknown_metric_and_keys_name_the_key() {
        let e = config(r#"[{"metric":"gzipped","max":"1 MB"}]"#).unwrap_err();
        assert_eq!(
            e,
            r#"budgets[0].metric: unknown metric "gzipped" (expected raw, gzip, brotli, package, startup, cpu, heap, queries)"#
        );
        let e = config(r#"[{"metric":"gzip","maximum":"1 MB"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].maximum: unknown field `maximum`"),
            "{e}"
        );
        let e = config(r#"[{"max":"1 MB"}]"#).unwrap_err();
        assert!(e.starts_with("budgets[0]: missing field `metric`"), "{e}");
        let e = config(r#"[{"metric":"gzip"}]"#).unwrap_err();
        assert_eq!(e, r#"budgets[0]: set "max" or "maxIncrease""#);
        let e = config(r#"[{"metric":"package","max":"1 kB"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].name: the package metric needs"),
            "{e}"
        );
        let e = config(r#"[{"metric":"gzip","package":"zod","max":"1 kB"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].package: only the package metric"),
            "{e}"
        );
        let e = config(r#"[{"metric":"startup","max":"1 MB"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].max: the startup and cpu metrics take a duration"),
            "{e}"
        );
        let e = config(r#"[{"metric":"startup","max":"soon"}]"#).unwrap_err();
        assert!(
            e.starts_with(r#"budgets[0].max: invalid duration "soon""#),
            "{e}"
        );
        let e = config(r#"[{"metric":"startup","maxIncrease":"5%"}]"#).unwrap_err();
        assert!(
            e.starts_with("budgets[0].maxIncrease: growth budgets measure sizes"),
            "{e}"
        );
        let e = config(r#"[{"metric":"gzip","maxIncrease":"5 %%"}]"#).unwrap_err();
        assert!(
            e.starts_with(r#"budgets[0].maxIncrease: invalid size or percentage "5 %%""#),
            "{e}"
        );
    }

    #[test]
    fn without_budgets_the_platform_limit_applies() {
        let r = results("[]", &report(1000, 400, &[]), None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "script size (free plan limit)");
        assert_eq!(r[0].metric, "raw");
        assert_eq!(r[0].limit, 64.0 * 1024.0 * 1024.0);
        assert!(r[0].passed);
        let big = report(65 * 1024 * 1024, 1, &[]);
        assert!(!results("[]", &big, None)[0].passed);
        assert_eq!(
            big.exit_code(),
            0,
            "exit code follows the budgets set on the report"
        );
    }

    #[test]
    fn config_limit_overrides_apply() {
        let c = Config::parse(r#"{"limits":{"scriptBytes":500}}"#, &[]).unwrap();
        let r = evaluate(&c, &report(1000, 400, &[]), None).unwrap();
        assert_eq!(r[0].limit, 500.0);
        assert!(!r[0].passed);
    }

    #[test]
    fn size_budgets_pass_and_fail() {
        let r = results(
            r#"[{"metric":"gzip","max":"1 kB"},{"metric":"raw","max":"2 kB","name":"worker"},{"metric":"brotli","max":100}]"#,
            &report(1500, 1200, &[]),
            None,
        );
        let got: Vec<_> = r
            .iter()
            .map(|b| {
                (
                    b.name.as_str(),
                    b.metric.as_str(),
                    b.limit,
                    b.actual,
                    b.passed,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "script size (free plan limit)",
                    "raw",
                    67_108_864.0,
                    1500.0,
                    true
                ),
                ("gzip size", "gzip", 1000.0, 1200.0, false),
                ("worker", "raw", 2000.0, 1500.0, true),
                ("brotli size", "brotli", 100.0, 1080.0, false),
            ]
        );
        let mut rep = report(1500, 1200, &[]);
        apply(
            &mut rep,
            &config(r#"[{"metric":"gzip","max":"1 kB"}]"#).unwrap(),
            None,
        )
        .unwrap();
        assert_eq!(rep.exit_code(), 1);
    }

    #[test]
    fn package_budgets_sum_every_version() {
        let rep = report(
            100_000,
            30_000,
            &[
                ("zod", "3.23.8", 40_000),
                ("hono", "4.6.0", 20_000),
                ("zod", "4.1.0", 30_000),
            ],
        );
        let r = results(
            r#"[{"metric":"package","name":"zod","max":"60 kB"},{"metric":"package","package":"hono","name":"router","max":"60 kB"},{"metric":"package","name":"lodash","max":"1 kB"}]"#,
            &rep,
            None,
        );
        assert_eq!(r[1].name, "package zod");
        assert_eq!((r[1].actual, r[1].passed), (70_000.0, false));
        assert_eq!(r[2].name, "router");
        assert_eq!((r[2].actual, r[2].passed), (20_000.0, true));
        assert_eq!(
            (r[3].actual, r[3].passed),
            (0.0, true),
            "absent package weighs 0"
        );
    }

    #[test]
    fn growth_budgets_compare_with_the_baseline() {
        let before = baseline_from_report(&report(10_000, 4_000, &[("zod", "3.23.8", 1_000)]));
        let after = report(10_500, 4_400, &[("zod", "3.23.8", 1_500)]);
        let r = results(
            r#"[{"metric":"gzip","maxIncrease":"5%"},{"metric":"raw","maxIncrease":"1 kB"},{"metric":"package","name":"zod","maxIncrease":"600 B"},{"metric":"gzip","max":"10 kB","maxIncrease":"20%"}]"#,
            &after,
            Some(&before),
        );
        let got: Vec<_> = r[1..]
            .iter()
            .map(|b| (b.name.as_str(), b.limit, b.actual, b.passed, b.kind, b.unit))
            .collect();
        use BudgetKind::*;
        use BudgetUnit::*;
        assert_eq!(
            got,
            [
                ("gzip size growth", 5.0, 10.0, false, Increase, Percent),
                ("raw size growth", 1000.0, 500.0, true, Increase, Bytes),
                ("package zod growth", 600.0, 500.0, true, Increase, Bytes),
                ("gzip size", 10_000.0, 4_400.0, true, Max, Bytes),
                ("gzip size growth", 20.0, 10.0, true, Increase, Percent),
            ]
        );
        // Shrinking is negative growth.
        let smaller = report(9_000, 3_600, &[]);
        let r = results(
            r#"[{"metric":"gzip","maxIncrease":"5%"}]"#,
            &smaller,
            Some(&before),
        );
        assert_eq!((r[1].actual, r[1].passed), (-10.0, true));
    }

    #[test]
    fn budgets_without_a_measurement_are_skipped() {
        let budgets = r#"[{"metric":"gzip","maxIncrease":"5%"},{"metric":"startup","max":"200 ms"},{"metric":"package","name":"zod","maxIncrease":"5%"}]"#;
        // No baseline, no startup: only the platform limit.
        let r = results(budgets, &report(1000, 400, &[]), None);
        assert_eq!(r.len(), 1);
        // No bundle at all (lint only): nothing.
        let lint_only = Report::new(vec![], None, vec![], 3);
        assert!(results(budgets, &lint_only, None).is_empty());
        // A package absent from the baseline has no percentage growth.
        let base = baseline_from_report(&report(1000, 400, &[]));
        let r = results(
            budgets,
            &report(1000, 400, &[("zod", "3", 10)]),
            Some(&base),
        );
        assert_eq!(
            r.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
            ["script size (free plan limit)", "gzip size growth"]
        );
    }

    #[test]
    fn a_size_growth_budget_against_a_baseline_without_a_bundle_is_an_error() {
        // Saved from lint: no outputs, totals 0. Comparing with it would skip
        // every percentage budget and fail every byte budget.
        let lint_baseline = baseline_from_report(&Report::new(vec![], None, vec![], 3));
        for budget in [
            r#"[{"metric":"gzip","maxIncrease":"5%"}]"#,
            r#"[{"metric":"raw","maxIncrease":"1 kB","name":"worker growth"}]"#,
        ] {
            let e = evaluate(
                &config(budget).unwrap(),
                &report(1000, 400, &[]),
                Some(&lint_baseline),
            )
            .unwrap_err();
            assert!(e.starts_with("baseline: no bundle sizes"), "{e}");
            assert!(e.contains("growth"), "{e}");
        }
        // Without a bundle in the report (lint against lint) nothing is compared.
        let lint_only = Report::new(vec![], None, vec![], 3);
        let r = results(
            r#"[{"metric":"gzip","maxIncrease":"5%"}]"#,
            &lint_only,
            Some(&lint_baseline),
        );
        assert!(r.is_empty());
    }

    #[test]
    fn startup_budgets_need_a_measurement() {
        let mut rep = report(1000, 400, &[]);
        rep.startup = Some(StartupReport {
            total_ms: 250.0,
            runs: 5,
            limit_ms: 1000.0,
            contributors: vec![],
            engine_ms: 0.0,
            unattributed_ms: 0.0,
        });
        let r = results(
            r#"[{"metric":"startup","max":"200 ms"},{"metric":"startup","max":1000}]"#,
            &rep,
            None,
        );
        let got: Vec<_> = r
            .iter()
            .map(|b| (b.name.as_str(), b.limit, b.actual, b.passed, b.unit))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "script size (free plan limit)",
                    67_108_864.0,
                    1000.0,
                    true,
                    BudgetUnit::Bytes
                ),
                (
                    "startup time (free plan limit)",
                    1000.0,
                    250.0,
                    true,
                    BudgetUnit::Ms
                ),
                ("startup time", 200.0, 250.0, false, BudgetUnit::Ms),
                ("startup time", 1000.0, 250.0, true, BudgetUnit::Ms),
            ]
        );
    }

    #[test]
    fn config_round_trips() {
        let c = config(r#"[{"metric":"package","name":"zod","max":"60 kB"},{"metric":"gzip","maxIncrease":5000}]"#).unwrap();
        let json = serde_json::to_string(&c.budgets).unwrap();
        assert_eq!(
            json,
            r#"[{"metric":"package","name":"zod","max":"60 kB"},{"metric":"gzip","maxIncrease":5000.0}]"#
        );
        let again: Vec<Budget> = serde_json::from_str(&json).unwrap();
        assert_eq!(again, c.budgets);
    }
}
