//! The context every rule sees: the file's model and facts (what the walk
//! knows at the node, through `Deref`), and reporting with the severity of
//! the rule being run.

use std::ops::{Deref, DerefMut};

use swc_core::common::Span;
use swc_core::ecma::ast::Program;

pub use crate::effects::calls::{target_of, Called, Effect, Target};
pub use crate::effects::Condition;
use crate::effects::{Deferred, DeferredText, FileContext};
use crate::model::limits::Limits;
use crate::model::project::ProjectInfo;
use crate::model::report::{Diagnostic, Severity};
use crate::model::rule::RuleMeta;
use crate::semantic::file::FileModel;
use crate::syntax::position::LineIndex;

// What rules use most, in one place.
pub use crate::knowledge::drizzle::is_context_db_var;
pub use crate::semantic::node::{Node, NodeKind};
pub use crate::semantic::scope::{BindingKind, Frame, LoopKind, Repeat, ITERATION_METHODS};
pub use crate::syntax::ast::{
    array_pat_idents, callee_is, callee_path, callee_root, chain_any, expr_path, member_root,
    method_name, object_pat_idents, pat_idents, pat_names, unwrap_expr,
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
    /// The group findings reported now belong to ([`Self::grouped`]).
    group: Option<u32>,
    /// The file is a Worker entry (a wrangler config's `main`, a Pages
    /// Function, a framework's server entry): what it exports is the Worker.
    pub is_entry: bool,
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
                last_subrequest: Default::default(),
                http_clients: Default::default(),
                client_fields: Default::default(),
                hot: crate::effects::hot_paths::HotPaths::new(project.queue_batch_size),
                binding_values: Default::default(),
                object_id_marks: Default::default(),
            },
            diagnostics: Vec::new(),
            current_rule: None,
            limits,
            wants_idents: false,
            group: None,
            is_entry: false,
        }
    }

    /// Runs `report` with every finding it reports (now or deferred) in the
    /// group of `about` (a loop): the engine merges a rule's findings of one
    /// group into one, the others kept as its related evidence.
    pub fn grouped<R>(&mut self, about: Span, report: impl FnOnce(&mut Self) -> R) -> R {
        self.group = Some(about.lo.0);
        let result = report(self);
        self.group = None;
        result
    }

    /// Reports a finding of the rule being run at `span`.
    pub fn report(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        if let Some(diagnostic) = self.finding(span, message.into(), help.into()) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Reports a finding of the rule being run that the rule itself rates
    /// info, whatever its configured severity (a case worth knowing about,
    /// not a problem).
    pub fn report_info(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        if let Some(mut diagnostic) = self.finding(span, message.into(), help.into()) {
            diagnostic.severity = crate::model::report::Severity::Info;
            self.diagnostics.push(diagnostic);
        }
    }

    /// [`Self::report`] with evidence: related places and what they show.
    pub fn report_related(
        &mut self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        related: Vec<crate::model::report::Related>,
    ) {
        if let Some(mut diagnostic) = self.finding(span, message.into(), help.into()) {
            diagnostic.related = related;
            self.diagnostics.push(diagnostic);
        }
    }

    /// [`Self::report_related`] that the rule itself rates information.
    pub fn report_related_info(
        &mut self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        related: Vec<crate::model::report::Related>,
    ) {
        if let Some(mut diagnostic) = self.finding(span, message.into(), help.into()) {
            diagnostic.related = related;
            diagnostic.severity = crate::model::report::Severity::Info;
            self.diagnostics.push(diagnostic);
        }
    }

    /// Why `call` (or a call it is chained on) is a subrequest when an SDK
    /// makes it so (`effects::sdk`): the evidence a finding names.
    pub fn sdk_evidence(
        &self,
        call: &swc_core::ecma::ast::CallExpr,
    ) -> Vec<crate::model::report::Related> {
        let mut current = Some(call);
        while let Some(c) = current {
            if let Some(why) = crate::effects::sdk::sdk_call(c, &self.file) {
                let loc = self.loc(c.span);
                return vec![crate::model::report::Related {
                    file: self.path.to_string(),
                    line: loc.line,
                    column: loc.column,
                    message: why,
                }];
            }
            // `a()` in `a().b()`
            current = match &c.callee {
                swc_core::ecma::ast::Callee::Expr(e) => match unwrap_expr(e) {
                    swc_core::ecma::ast::Expr::Member(m) => match unwrap_expr(&m.obj) {
                        swc_core::ecma::ast::Expr::Call(inner) => Some(inner),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            };
        }
        Vec::new()
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
        let text = DeferredText::Written {
            message: message.into(),
            help: help.into(),
        };
        self.defer(condition, span, text);
    }

    /// [`Self::report_if_calls`] whose message and help are written only if
    /// the finding stands, by `text` from the file's source and the line of
    /// `line_of` (most such findings never stand).
    pub fn report_if_calls_late(
        &mut self,
        target: Target,
        effect: Effect,
        span: Span,
        line_of: Span,
        text: crate::effects::LateText,
    ) {
        self.defer(
            Condition::Calls(target, effect),
            span,
            DeferredText::Late(text, line_of),
        );
    }

    fn defer(&mut self, condition: Condition, span: Span, text: DeferredText) {
        self.defer_related(condition, span, text, Vec::new());
    }

    fn defer_related(
        &mut self,
        condition: Condition,
        span: Span,
        text: DeferredText,
        related: Vec<crate::model::report::Related>,
    ) {
        if let Some(rule) = self.current_rule {
            self.file.db.deferred.push(Deferred {
                condition,
                rule,
                span,
                text,
                group: self.group,
                related,
            });
        }
    }

    /// [`Self::report_if`] with the evidence known now.
    pub fn report_if_related(
        &mut self,
        condition: Condition,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        related: Vec<crate::model::report::Related>,
    ) {
        let text = DeferredText::Written {
            message: message.into(),
            help: help.into(),
        };
        self.defer_related(condition, span, text, related);
    }

    fn finding(&self, span: Span, message: String, help: String) -> Option<Diagnostic> {
        let mut diagnostic = self.unplaced(message, help)?;
        let loc = self.loc(span);
        diagnostic.line = Some(loc.line);
        diagnostic.column = Some(loc.column);
        diagnostic.end_line = Some(loc.end_line);
        diagnostic.end_column = Some(loc.end_column);
        Some(diagnostic)
    }

    /// A finding of the rule being run, not yet placed in its file.
    fn unplaced(&self, message: String, help: String) -> Option<Diagnostic> {
        let (meta, severity) = self.current_rule?;
        Some(Diagnostic {
            group: self.group,
            ..meta.finding(severity, self.path, message, help)
        })
    }
}
