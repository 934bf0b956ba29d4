//! Suppression comments:
//! `// perf-optimizer-disable-next-line <rule>[, <rule>] -- reason`,
//! `// perf-optimizer-disable-line <rule>`, and a file-level
//! `/* perf-optimizer-disable <rule> */`. No rule name means every rule.
//! Unknown rule names are reported (`invalid-suppression`).
//!
//! The same comments cover findings made outside the lint pass that point
//! into a first-party file (the bundle's, at the import that pulls a package
//! in): see [`retain_unsuppressed`].

use swc_core::common::comments::SingleThreadedComments;

use crate::model::report::{docs_url, Category, Diagnostic, Severity};
use crate::syntax::position::LineIndex;
use crate::syntax::START;

pub(super) const PREFIX: &str = "perf-optimizer-disable";

/// The text contains a suppression comment. Looks for PREFIX's 'z', a rare
/// byte in code, with `match_indices` (memchr, a word at a time) instead of a
/// substring search over every byte: this runs on every file.
pub(super) fn mentions_suppression(source: &str) -> bool {
    const Z_AT: usize = 11; // "perf-optimi" precedes the 'z'
    debug_assert_eq!(PREFIX.as_bytes()[Z_AT], b'z');
    crate::syntax::text::contains_by_rare_byte(source, PREFIX, Z_AT)
}

#[derive(Debug, Default)]
pub(crate) struct Suppressions {
    /// (line, rules; empty = all)
    lines: Vec<(u32, Vec<String>)>,
    /// File-level: rules (empty vector inside = all rules).
    file: Vec<Vec<String>>,
    problems: Vec<(u32, u32, String)>,
}

pub(super) fn collect(
    comments: &SingleThreadedComments,
    index: &LineIndex<'_>,
    known: &[&str],
) -> Suppressions {
    let mut s = Suppressions {
        lines: Vec::new(),
        file: Vec::new(),
        problems: Vec::new(),
    };
    let (leading, trailing) = comments.borrow_all();
    let all = leading.values().chain(trailing.values()).flatten();
    for comment in all {
        let text = comment.text.trim();
        let Some(rest) = text.strip_prefix(PREFIX) else {
            continue;
        };
        let (line, column) = index.position(comment.span.lo.0.saturating_sub(START));
        // `-- reason` ends the rule list.
        let rest = rest.split(" --").next().unwrap_or("");
        let (kind, names) = if let Some(r) = rest.strip_prefix("-next-line") {
            ("next", r)
        } else if let Some(r) = rest.strip_prefix("-line") {
            ("line", r)
        } else if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            ("file", rest)
        } else {
            continue;
        };
        let rules: Vec<String> = names
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        // One finding per comment, whatever it lists (the fuzzer made one
        // comment of 300,000 unknown names: a finding each took 1 GB).
        let unknown: Vec<&str> = rules
            .iter()
            .map(String::as_str)
            .filter(|r| !known.contains(r))
            .collect();
        if !unknown.is_empty() {
            s.problems
                .push((line, column, unknown_rules_message(&unknown)));
        }
        match kind {
            "next" => s.lines.push((line + 1, rules)),
            "line" => s.lines.push((line, rules)),
            _ => s.file.push(rules),
        }
    }
    s
}

/// `unknown rule `a` …`, or for several the first three (each cut to 60
/// characters) and how many more.
fn unknown_rules_message(unknown: &[&str]) -> String {
    let shown: Vec<String> = unknown
        .iter()
        .take(3)
        .map(|r| match r.char_indices().nth(60) {
            Some((at, _)) => format!("`{}…`", &r[..at]),
            None => format!("`{r}`"),
        })
        .collect();
    match unknown.len() {
        1 => format!("unknown rule {} in a suppression comment", shown[0]),
        n if n <= 3 => format!(
            "unknown rules {} in a suppression comment",
            shown.join(", ")
        ),
        n => format!(
            "unknown rules {} and {} more in a suppression comment",
            shown.join(", "),
            n - 3
        ),
    }
}

impl Suppressions {
    pub(crate) fn covers(&self, d: &Diagnostic) -> bool {
        let rule_matches = |rules: &Vec<String>| rules.is_empty() || rules.contains(&d.rule);
        if self.file.iter().any(rule_matches) {
            return true;
        }
        let Some(line) = d.line else { return false };
        self.lines
            .iter()
            .any(|(l, rules)| *l == line && rule_matches(rules))
    }

    pub(super) fn problems(&self, path: &str) -> Vec<Diagnostic> {
        self.problems
            .iter()
            .map(|(line, column, message)| Diagnostic {
                group: None,
                related: Vec::new(),
                rule: "invalid-suppression".into(),
                severity: Severity::Warning,
                category: Category::Input,
                message: message.clone(),
                file: Some(path.into()),
                line: Some(*line),
                column: Some(*column),
                end_line: None,
                end_column: None,
                help: "Use a rule id from `perf-optimizer rules`.".into(),
                docs: docs_url("invalid-suppression"),
            })
            .collect()
    }
}

/// Drops the findings made after the walk (the bundle's, at first-party
/// import lines) that a suppression comment of their file covers. The
/// comments were read during the walk: no file is parsed again.
pub(crate) fn retain_unsuppressed(
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &[(String, Suppressions)],
) {
    diagnostics.retain(|d| {
        !suppressions
            .iter()
            .any(|(path, s)| d.file.as_deref() == Some(path.as_str()) && s.covers(d))
    });
}

crate::model::wire::wire_struct!(Suppressions {
    lines,
    file,
    problems
});

#[cfg(test)]
mod tests {
    #[test]
    fn finds_suppression_comments_by_their_z() {
        use super::mentions_suppression;
        assert!(mentions_suppression(
            "// perf-optimizer-disable-next-line x"
        ));
        assert!(mentions_suppression("z = 1; /* perf-optimizer-disable */"));
        assert!(!mentions_suppression(
            "const zod = z.object({}); // perf-optimizer"
        ));
        assert!(!mentions_suppression("optimizer-disable z"));
        assert!(!mentions_suppression(""));
    }
}

#[cfg(test)]
mod unknown_rules_tests {
    use super::unknown_rules_message;

    #[test]
    fn one_finding_per_comment_names_the_first_three() {
        assert_eq!(
            unknown_rules_message(&["await-in-loops"]),
            "unknown rule `await-in-loops` in a suppression comment"
        );
        assert_eq!(
            unknown_rules_message(&["a", "b"]),
            "unknown rules `a`, `b` in a suppression comment"
        );
        let many: Vec<String> = (0..300_000).map(|i| format!("[{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            unknown_rules_message(&many),
            "unknown rules `[0`, `[1`, `[2` and 299997 more in a suppression comment"
        );
        let long = "x".repeat(100);
        assert_eq!(
            unknown_rules_message(&[&long]),
            format!(
                "unknown rule `{}…` in a suppression comment",
                "x".repeat(60)
            )
        );
    }
}
