//! Test support for the CPU and cold-start rules: linting with a project
//! (wrangler flags), and the example Workers: examples/worker must trip
//! each rule where the README says, examples/worker-fixed must stay silent.

use crate::engine::{Linter, SourceFile};
use crate::model::config::{Config, Level, RuleSetting};
use crate::model::project::ProjectInfo;
use crate::model::report::Diagnostic;

/// The rules this module checks on the examples.
const RULES: &[&str] = &[
    "regex-in-loop",
    "accumulating-spread",
    "console-in-loop",
    "excessive-logging",
    "heavy-dependency",
    "node-polyfill-import",
    "barrel-reexport",
];

fn config_with(rules: &[&str]) -> Config {
    let mut config = Config::default();
    for entry in super::all() {
        let level = if rules.contains(&entry.meta.id) {
            Level::Error
        } else {
            Level::Off
        };
        config
            .rules
            .insert(entry.meta.id.into(), RuleSetting::Level(level));
    }
    config
}

fn lint(rules: &[&str], files: &[SourceFile], project: &ProjectInfo) -> Vec<Diagnostic> {
    let config = config_with(rules);
    let registry = crate::rules::registry();
    let linter = Linter::new(&config, project, &registry);
    linter
        .lint_files(files, &[])
        .diagnostics
        .into_iter()
        .filter(|d| rules.contains(&d.rule.as_str()) || d.rule == "parse-error")
        .collect()
}

/// Lints `source` as test.ts with only `rule` on and the given project.
pub(crate) fn lint_project(rule: &str, source: &str, project: &ProjectInfo) -> Vec<Diagnostic> {
    let file = SourceFile {
        path: "test.ts".into(),
        source: source.into(),
    };
    lint(&[rule], &[file], project)
}

macro_rules! example {
    ($dir:literal, $path:literal) => {
        SourceFile {
            path: concat!($dir, "/", $path).into(),
            source: include_str!(concat!("../../examples/", $dir, "/", $path)).into(),
        }
    };
}

fn findings(files: &[SourceFile]) -> Vec<(String, u32, String)> {
    let project = ProjectInfo {
        nodejs_compat: true,
        ..ProjectInfo::default()
    };
    let mut out: Vec<(String, u32, String)> = lint(RULES, files, &project)
        .into_iter()
        .map(|d| (d.file.unwrap_or_default(), d.line.unwrap_or(0), d.rule))
        .collect();
    out.sort();
    out
}

#[test]
fn example_worker_trips_every_rule() {
    let files = [
        example!("worker", "src/index.ts"),
        example!("worker", "src/lib/catalog.ts"),
        example!("worker", "src/lib/collation.ts"),
        example!("worker", "src/lib/format.ts"),
        example!("worker", "src/lib/index.ts"),
        example!("worker", "src/routes/orders.ts"),
        example!("worker", "src/routes/users.ts"),
        example!("worker", "src/db.ts"),
        example!("worker", "src/env.ts"),
        example!("worker", "src/schema.ts"),
    ];
    let got = findings(&files);
    let expected: Vec<(String, u32, String)> = [
        ("worker/src/index.ts", 15, "excessive-logging"),
        ("worker/src/lib/catalog.ts", 15, "regex-in-loop"),
        ("worker/src/lib/format.ts", 1, "node-polyfill-import"),
        ("worker/src/lib/format.ts", 2, "heavy-dependency"),
        ("worker/src/lib/index.ts", 3, "barrel-reexport"),
        ("worker/src/routes/orders.ts", 3, "heavy-dependency"),
        ("worker/src/routes/users.ts", 3, "heavy-dependency"),
        ("worker/src/routes/users.ts", 58, "console-in-loop"),
        ("worker/src/routes/users.ts", 69, "accumulating-spread"),
    ]
    .iter()
    .map(|(f, l, r)| (f.to_string(), *l, r.to_string()))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn example_worker_fixed_is_silent() {
    let files = [
        example!("worker-fixed", "src/index.ts"),
        example!("worker-fixed", "src/lib/catalog.ts"),
        example!("worker-fixed", "src/lib/concurrency.ts"),
        example!("worker-fixed", "src/lib/format.ts"),
        example!("worker-fixed", "src/lib/index.ts"),
        example!("worker-fixed", "src/routes/orders.ts"),
        example!("worker-fixed", "src/routes/users.ts"),
        example!("worker-fixed", "src/db.ts"),
        example!("worker-fixed", "src/env.ts"),
        example!("worker-fixed", "src/schema.ts"),
    ];
    assert_eq!(findings(&files), Vec::<(String, u32, String)>::new());
}
