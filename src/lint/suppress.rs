//! Suppression comments:
//! `// perf-optimizer-disable-next-line <rule>[, <rule>] -- reason`,
//! `// perf-optimizer-disable-line <rule>`, and a file-level
//! `/* perf-optimizer-disable <rule> */`. No rule name means every rule.
//! Unknown rule names are reported (`invalid-suppression`).

use swc_core::common::comments::SingleThreadedComments;

use super::position::LineIndex;
use super::START;
use crate::report::{docs_url, Category, Diagnostic, Severity};

pub(super) const PREFIX: &str = "perf-optimizer-disable";

pub(super) struct Suppressions {
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
        for r in &rules {
            if !known.contains(&r.as_str()) {
                s.problems.push((
                    line,
                    column,
                    format!("unknown rule `{r}` in a suppression comment"),
                ));
            }
        }
        match kind {
            "next" => s.lines.push((line + 1, rules)),
            "line" => s.lines.push((line, rules)),
            _ => s.file.push(rules),
        }
    }
    s
}

impl Suppressions {
    pub(super) fn covers(&self, d: &Diagnostic) -> bool {
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
