//! A rule's metadata, shared by the engine that runs rules and the outputs
//! that list them.

use super::report::{docs_url, Category, Diagnostic, Severity};

/// A rule's metadata: what `perf-optimizer rules` lists and docs/rules/<id>.md
/// documents.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// kebab-case, stable: a contract.
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
}

impl RuleMeta {
    /// A finding of this rule at `severity` in `file`, not yet placed (no
    /// line or column), with no evidence.
    pub fn finding(
        &self,
        severity: Severity,
        file: &str,
        message: String,
        help: String,
    ) -> Diagnostic {
        Diagnostic {
            group: None,
            related: Vec::new(),
            rule: self.id.into(),
            severity,
            category: self.category,
            message,
            file: Some(file.into()),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            help,
            docs: docs_url(self.id),
        }
    }
}
