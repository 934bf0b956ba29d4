//! Helpers for rule tests: lint a snippet with one rule and compare findings.

use super::{Linter, SourceFile};
use crate::config::{Config, Level, RuleSetting};
use crate::report::Diagnostic;

/// Lints `source` (as `path`, which picks the syntax) with only `rule` on.
pub fn lint_with(rule: &str, path: &str, source: &str) -> Vec<Diagnostic> {
    let mut config = Config::default();
    for entry in super::rules::all() {
        let level = if entry.meta.id == rule {
            Level::Error
        } else {
            Level::Off
        };
        config
            .rules
            .insert(entry.meta.id.into(), RuleSetting::Level(level));
    }
    let project = crate::analyze::ProjectInfo::default();
    let linter = Linter::new(&config, &project);
    let out = linter.lint_files(
        &[SourceFile {
            path: path.into(),
            source: source.into(),
        }],
        &[],
    );
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
