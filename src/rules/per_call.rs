//! Rules that judge each call on its own (often the database query it
//! starts) and report at most one finding there: the walk hook they all
//! need, written once.

use swc_core::common::Span;
use swc_core::ecma::ast::CallExpr;

use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule};

/// What a per-call check found: where, the message and the help.
pub(super) struct Finding {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// A stateless rule made of one check run on every call the walk enters.
pub(super) struct PerCall(pub fn(&CallExpr, &LintContext<'_>) -> Option<Finding>);

impl Rule for PerCall {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        if let Some(f) = (self.0)(call, cx) {
            cx.report(f.span, f.message, f.help);
        }
    }
}
