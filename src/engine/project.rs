//! Project rules: checked once, after every file was walked, over the
//! database facts of all files and the schema.

use crate::model::report::{Diagnostic, Severity};
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
            line: Some(loc.line),
            column: Some(loc.column),
            end_line: Some(loc.end_line),
            end_column: Some(loc.end_column),
            ..self
                .meta
                .finding(self.severity, file, message.into(), help.into())
        });
    }
}
