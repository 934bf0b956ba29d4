//! Helpers for rule tests: lint a snippet with one rule and compare findings.

use crate::engine::{Linter, SourceFile};
use crate::model::config::{Config, Level, RuleSetting};
use crate::model::project::ProjectInfo;
use crate::model::report::Diagnostic;

/// A config with only `rules` on (as errors).
fn only(rules: &[&str]) -> Config {
    let mut config = Config::default();
    for rule in rules {
        assert_declared(rule);
    }
    let ids = super::all()
        .map(|e| e.meta.id)
        .chain(super::project().map(|e| e.meta.id));
    for id in ids {
        let level = if rules.contains(&id) {
            Level::Error
        } else {
            Level::Off
        };
        config.rules.insert(id.into(), RuleSetting::Level(level));
    }
    config
}

/// Panics unless `rule` is a declared source or project rule: a misspelled
/// id would make every "silent" assertion pass.
pub fn assert_declared(rule: &str) {
    let declared = super::all()
        .chain(super::project())
        .any(|d| d.meta.id == rule);
    assert!(
        declared,
        "`{rule}` is not a declared source or project rule{}",
        crate::model::text::did_you_mean(rule, &super::known_rule_ids())
            .map(|best| format!(" (did you mean `{best}`?)"))
            .unwrap_or_default()
    );
}

/// Lints `source` as `test.ts` with only `rules` on: (line, rule) of each
/// finding, in report order.
pub fn lint_rules(rules: &[&str], source: &str) -> Vec<(u32, String)> {
    let project = ProjectInfo::default();
    let registry = crate::rules::registry();
    let linter = Linter::new(&only(rules), &project, &registry);
    let file = SourceFile {
        path: "test.ts".into(),
        source: source.into(),
    };
    let out = linter.lint_files(&[file], &[]);
    out.diagnostics
        .into_iter()
        .map(|d| (d.line.unwrap_or(0), d.rule))
        .collect()
}

/// A project with a D1 binding `DB` (D1 is the database).
pub fn d1_project() -> ProjectInfo {
    ProjectInfo {
        d1: vec!["DB".into()],
        ..ProjectInfo::default()
    }
}

/// A project with a Hyperdrive binding `HYPERDRIVE` (Postgres is the database).
pub fn pg_project() -> ProjectInfo {
    ProjectInfo {
        hyperdrive: vec!["HYPERDRIVE".into()],
        ..ProjectInfo::default()
    }
}

/// Lints `source` (as `path`, which picks the syntax) with only `rule` on.
pub fn lint_with(rule: &str, path: &str, source: &str) -> Vec<Diagnostic> {
    lint_project(rule, &[(path, source)], &[], &ProjectInfo::default())
}

/// Lints several files (and SQL schema/migration files) as one project with
/// only `rule` on.
pub fn lint_project(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
) -> Vec<Diagnostic> {
    let config = only(&[rule]);
    let registry = crate::rules::registry();
    let linter = Linter::new(&config, project, &registry);
    let to_files = |list: &[(&str, &str)]| -> Vec<SourceFile> {
        list.iter()
            .map(|(path, source)| SourceFile {
                path: path.to_string(),
                source: source.to_string(),
            })
            .collect()
    };
    let out = linter.lint_files(&to_files(files), &to_files(sql));
    out.diagnostics
        .into_iter()
        .filter(|d| d.rule == rule || d.rule == "parse-error")
        .collect()
}

/// Asserts that `rule` fires exactly at `expected` (line, message fragment).
pub fn assert_fires(rule: &str, source: &str, expected: &[(u32, &str)]) {
    let found = lint_with(rule, "test.ts", source);
    let got: Vec<(u32, &str)> = found
        .iter()
        .map(|d| (d.line.unwrap_or(0), d.message.as_str()))
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "{rule}: expected {expected:?}, got {got:#?}\n--- source ---\n{source}"
    );
    for ((line, msg), (eline, efrag)) in got.iter().zip(expected) {
        assert_eq!(line, eline, "{rule}: wrong line for {msg:?}\n{source}");
        assert!(
            msg.contains(efrag),
            "{rule}: message {msg:?} lacks {efrag:?}\n{source}"
        );
    }
}

/// Asserts that `rule` does not fire on `source`.
pub fn assert_silent(rule: &str, source: &str) {
    let found = lint_with(rule, "test.ts", source);
    assert!(
        found.is_empty(),
        "{rule}: expected no finding, got {found:#?}\n{source}"
    );
}

/// Asserts that `rule` fires exactly at `expected` (file, line, message
/// fragment) on a multi-file project.
pub fn assert_project_fires(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
    expected: &[(&str, u32, &str)],
) -> Vec<Diagnostic> {
    let found = lint_project(rule, files, sql, project);
    let got: Vec<(&str, u32, &str)> = found
        .iter()
        .map(|d| {
            (
                d.file.as_deref().unwrap_or(""),
                d.line.unwrap_or(0),
                d.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "{rule}: expected {expected:?}, got {got:#?}"
    );
    for ((file, line, msg), (efile, eline, efrag)) in got.iter().zip(expected) {
        assert_eq!(
            (file, line),
            (efile, eline),
            "{rule}: wrong place for {msg:?}"
        );
        assert!(
            msg.contains(efrag),
            "{rule}: message {msg:?} lacks {efrag:?}"
        );
    }
    found
}

/// Asserts that `rule` does not fire on a multi-file project.
pub fn assert_project_silent(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
) {
    let found = lint_project(rule, files, sql, project);
    assert!(
        found.is_empty(),
        "{rule}: expected no finding, got {found:#?}"
    );
}

/// Findings as a snapshot shows them: `file:line:column rule (severity):
/// message`, then the help indented. One line per finding, in report order.
pub fn render_snapshot(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = crate::model::text::location(d).unwrap_or_else(|| "(project)".into());
        let severity = format!("{:?}", d.severity).to_ascii_lowercase();
        out.push_str(&format!("{at} {} ({severity}): {}\n", d.rule, d.message));
        if !d.help.is_empty() {
            out.push_str(&format!("    help: {}\n", d.help));
        }
    }
    out
}

/// Compares `diagnostics` with the reviewed snapshot src/rules/snapshots/
/// `name`.snap; `UPDATE_SNAPSHOTS=1` writes it instead. Returns the problem
/// (`None` when they match), so callers can gather every mismatch.
pub fn check_snapshot(name: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/snapshots");
    let path = dir.join(format!("{name}.snap"));
    let actual = render_snapshot(diagnostics);
    let expected = std::fs::read_to_string(&path).ok();
    if expected.as_deref() == Some(actual.as_str()) {
        return None;
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(&dir).expect("snapshot folder");
        std::fs::write(&path, &actual).expect("snapshot written");
        return None;
    }
    Some(match expected {
        None => format!("{name}: no snapshot yet (review it with `UPDATE_SNAPSHOTS=1 cargo test --lib`)\n{actual}"),
        Some(expected) => format!(
            "{name}: the findings differ from src/rules/snapshots/{name}.snap (review, then `UPDATE_SNAPSHOTS=1 cargo test --lib`)\n--- expected\n{expected}--- actual\n{actual}"
        ),
    })
}

/// [`check_snapshot`], failing the test on a mismatch.
pub fn assert_snapshot(name: &str, diagnostics: &[Diagnostic]) {
    if let Some(problem) = check_snapshot(name, diagnostics) {
        panic!("{problem}");
    }
}
