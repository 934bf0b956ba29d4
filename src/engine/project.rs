//! Project rules: checked once, after every file was walked, over the
//! database facts of all files and the schema.

use crate::effects::{FileFacts, Project};
use crate::model::limits::Limits;
use crate::model::project::{ProjectInfo, SourceFile};
use crate::model::report::{docs_url, Diagnostic, Severity};
use crate::model::rule::RuleMeta;
use crate::syntax::position::Loc;

/// A rule checked once per project from every file's facts.
pub struct ProjectRuleEntry {
    pub meta: RuleMeta,
    pub check: fn(&Project<'_>, &mut Reporter<'_>),
}

/// Collects one project rule's findings with the configured severity.
pub struct Reporter<'a> {
    meta: &'static RuleMeta,
    severity: Severity,
    out: &'a mut Vec<Diagnostic>,
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

/// Schema-aware checks over every file's facts, after all files are walked.
/// `rules` are the enabled project rules with their configured severities.
pub fn check_project(
    files: &[(String, FileFacts)],
    sources: &[&str],
    sql_files: &[SourceFile],
    project: &ProjectInfo,
    limits: Limits,
    rules: &[(&'static ProjectRuleEntry, Severity)],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules.is_empty() {
        return out;
    }
    let mut model = Project::new(files, sources, sql_files, project);
    model.limits = limits;
    for (entry, severity) in rules {
        let mut reporter = Reporter {
            meta: &entry.meta,
            severity: *severity,
            out: &mut out,
        };
        (entry.check)(&model, &mut reporter);
    }
    out
}
