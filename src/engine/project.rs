//! Project rules: checked once, after every file was walked, over the
//! database facts of all files and the schema.

use crate::model::report::{docs_url, Diagnostic, Severity};
use crate::model::rule::RuleMeta;
use crate::syntax::position::Loc;

/// Collects one project rule's findings with the configured severity.
pub struct Reporter<'a> {
    pub(super) meta: &'static RuleMeta,
    pub(super) severity: Severity,
    pub(super) out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    pub fn report(
        &mut self,
        file: &str,
        loc: Loc,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.out.push(Diagnostic {
            group: None,
            related: Vec::new(),
            rule: self.meta.id.into(),
            severity: self.severity,
            category: self.meta.category,
            message: message.into(),
            file: Some(file.into()),
            line: Some(loc.line),
            column: Some(loc.column),
            end_line: Some(loc.end_line),
            end_column: Some(loc.end_column),
            help: help.into(),
            docs: docs_url(self.meta.id),
        });
    }
}
