//! The context every rule sees: the file's model and facts (what the walk
//! knows at the node, through `Deref`), and reporting with the severity of
//! the rule being run.

use std::ops::{Deref, DerefMut};

use swc_core::common::Span;
use swc_core::ecma::ast::Program;

pub use crate::effects::calls::{target_of, Effect, Target};
pub use crate::effects::Condition;
use crate::effects::{Deferred, FileContext};
use crate::model::limits::Limits;
use crate::model::project::ProjectInfo;
use crate::model::report::{docs_url, Diagnostic, Severity};
use crate::model::rule::RuleMeta;
use crate::semantic::file::FileModel;
use crate::syntax::position::LineIndex;

// What rules use most, in one place.
pub use crate::knowledge::drizzle::is_context_db_var;
pub use crate::semantic::node::{Node, NodeKind};
pub use crate::semantic::scope::{BindingKind, Frame, LoopKind, Repeat, ITERATION_METHODS};
pub use crate::syntax::ast::{
    array_pat_idents, callee_path, callee_root, chain_any, expr_path, member_root, method_name,
    object_pat_idents, pat_idents, pat_names, unwrap_expr,
};
pub use crate::syntax::text::{collapse_whitespace, one_line};

pub struct LintContext<'a> {
    pub file: FileContext<'a>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) current_rule: Option<(&'static RuleMeta, Severity)>,
    /// The platform limits that apply (plan and config overrides), for
    /// messages.
    pub limits: Limits,
    /// Some rule needs to see identifiers right now (they are most of the
    /// nodes, so the walker skips them otherwise).
    pub(crate) wants_idents: bool,
}

impl<'a> Deref for LintContext<'a> {
    type Target = FileContext<'a>;
    fn deref(&self) -> &FileContext<'a> {
        &self.file
    }
}

impl DerefMut for LintContext<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.file
    }
}

impl<'a> LintContext<'a> {
    pub(crate) fn new(
        path: &'a str,
        source: &'a str,
        index: &'a LineIndex<'a>,
        program: &'a Program,
        project: &'a ProjectInfo,
        limits: Limits,
    ) -> LintContext<'a> {
        LintContext {
            file: FileContext {
                model: FileModel::new(path, source, index, program, project),
                db: Default::default(),
                subrequests: Default::default(),
                hot: Default::default(),
            },
            diagnostics: Vec::new(),
            current_rule: None,
            limits,
            wants_idents: false,
        }
    }

    /// Reports a finding of the rule being run at `span`.
    pub fn report(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        if let Some(diagnostic) = self.finding(span, message.into(), help.into()) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Reports a finding about a call to `target` that stands only if the
    /// function it names (in this file or another), or one it calls in turn,
    /// has `effect`; decided after every file was walked, and the message
    /// then names the chain (`: \`save\` runs \`db.insert(…)\` at src/db.ts:12`).
    pub fn report_if_calls(
        &mut self,
        target: Target,
        effect: Effect,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report_if(Condition::Calls(target, effect), span, message, help);
    }

    /// Reports a finding that stands only if `condition` holds in the
    /// project (decided after every file was walked).
    pub fn report_if(
        &mut self,
        condition: Condition,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        if let Some(diagnostic) = self.finding(span, message.into(), help.into()) {
            self.file.db.deferred.push(Deferred {
                condition,
                diagnostic,
            });
        }
    }

    fn finding(&self, span: Span, message: String, help: String) -> Option<Diagnostic> {
        let (meta, severity) = self.current_rule?;
        let loc = self.loc(span);
        Some(Diagnostic {
            related: Vec::new(),
            rule: meta.id.into(),
            severity,
            category: meta.category,
            message,
            file: Some(self.path.into()),
            line: Some(loc.line),
            column: Some(loc.column),
            end_line: Some(loc.end_line),
            end_column: Some(loc.end_column),
            help,
            docs: docs_url(meta.id),
        })
    }
}
