//! One realistic report every renderer's tests render.

use crate::analyses::baseline::{baseline_from_report, compare};
use crate::model::report::*;

fn diag(
    rule: &str,
    severity: Severity,
    category: Category,
    message: &str,
    at: Option<(&str, u32, u32, u32, u32)>,
    help: &str,
) -> Diagnostic {
    Diagnostic {
        group: None,
        related: Vec::new(),
        rule: rule.into(),
        severity,
        category,
        message: message.into(),
        file: at.map(|a| a.0.to_string()),
        line: at.map(|a| a.1),
        column: at.map(|a| a.2),
        end_line: at.map(|a| a.3),
        end_column: at.map(|a| a.4),
        help: help.into(),
        docs: docs_url(rule),
    }
}

fn output(path: &str, bytes: u64, gzip: u64, brotli: u64) -> OutputSize {
    OutputSize {
        path: path.into(),
        bytes,
        gzip_bytes: gzip,
        brotli_bytes: brotli,
    }
}

fn package(name: &str, version: &str, bytes: u64) -> PackageUsage {
    PackageUsage {
        name: name.into(),
        version: Some(version.into()),
        bytes,
        modules: 3,
        paths: vec![format!("node_modules/{name}")],
        ..PackageUsage::default()
    }
}

fn budget(
    name: &str,
    metric: &str,
    limit: f64,
    actual: f64,
    kind: BudgetKind,
    unit: BudgetUnit,
) -> BudgetResult {
    BudgetResult {
        name: name.into(),
        metric: metric.into(),
        limit,
        actual,
        passed: actual <= limit,
        kind,
        unit,
    }
}

/// Four findings (error, warning, info, one without a file), two outputs,
/// a duplicate package, three budgets (one failed) and a baseline diff.
pub fn fixture() -> Report {
    let diagnostics = vec![
        diag(
            "duplicate-package",
            Severity::Warning,
            Category::Bundle,
            "zod is bundled twice (3.23.8, 4.1.0)",
            None,
            "Align the versions so that one copy is bundled.",
        ),
        diag(
            "json-deep-clone",
            Severity::Info,
            Category::Cpu,
            "copies 100% of `config`, again",
            Some(("src/util.ts", 20, 3, 20, 30)),
            "Use `structuredClone(config)`.",
        ),
        diag(
            "await-in-loop",
            Severity::Error,
            Category::Async,
            "`await` inside a `for…of` loop runs the fetches one by one",
            Some(("src/my routes/index.ts", 12, 5, 12, 30)),
            "Collect the promises and `await Promise.all(...)`.",
        ),
        diag(
            "json-deep-clone",
            Severity::Warning,
            Category::Cpu,
            "`JSON.parse(JSON.stringify(a | b))` deep-clones <State> through a string",
            Some(("src/util.ts", 3, 10, 3, 40)),
            "Use `structuredClone(state)`:\nit is faster.",
        ),
    ];
    let bundle = BundleReport {
        outputs: vec![
            output("dist/index.js", 500_000, 118_000, 96_000),
            output("dist/chunk-abc.js", 12_300, 2_400, 2_000),
        ],
        packages: vec![
            package("zod", "3.23.8", 60_200),
            package("hono", "4.6.0", 40_000),
            package("zod", "4.1.0", 30_000),
            package("drizzle-orm", "0.36.0", 25_000),
        ],
        duplicates: vec![DuplicatePackage {
            name: "zod".into(),
            versions: vec!["3.23.8".into(), "4.1.0".into()],
            bytes: 90_200,
        }],
        first_party_bytes: 300_000,
        runtime_bytes: 57_100,
        ..BundleReport::default()
    };
    let budgets = vec![
        budget(
            "script size (free plan limit)",
            "raw",
            67_108_864.0,
            512_300.0,
            BudgetKind::Max,
            BudgetUnit::Bytes,
        ),
        budget(
            "gzip size",
            "gzip",
            100_000.0,
            120_400.0,
            BudgetKind::Max,
            BudgetUnit::Bytes,
        ),
        budget(
            "gzip size growth",
            "gzip",
            5.0,
            2.5,
            BudgetKind::Increase,
            BudgetUnit::Percent,
        ),
    ];
    let mut report = Report::new(diagnostics, Some(bundle), budgets, 3);

    // The main branch: index.js 10 kB smaller, no drizzle, lodash instead,
    // no await-in-loop yet.
    let main = Report::new(
        vec![diag(
            "json-deep-clone",
            Severity::Warning,
            Category::Cpu,
            "m",
            Some(("src/util.ts", 3, 10, 3, 40)),
            "h",
        )],
        Some(BundleReport {
            outputs: vec![
                output("dist/index.js", 490_000, 115_000, 94_000),
                output("dist/chunk-abc.js", 12_300, 2_400, 2_000),
            ],
            packages: vec![
                package("zod", "3.23.8", 60_200),
                package("hono", "4.6.0", 40_000),
                package("zod", "4.1.0", 20_000),
                package("lodash", "4.17.21", 4_000),
            ],
            ..BundleReport::default()
        }),
        vec![],
        3,
    );
    report.baseline = Some(compare(&report, &baseline_from_report(&main)));
    report
}
