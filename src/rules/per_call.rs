//! Rules that judge each call on its own (often the database query it
//! starts) and report at most one finding there: the walk hook they all
//! need, written once.

use swc_core::common::Span;
use swc_core::ecma::ast::CallExpr;

use crate::engine::context::{Effect, Node, Target};
use crate::engine::{LintContext, NodeKind, Rule};

/// What a per-call check found: where, the message and the help; with
/// `needs`, it stands only if the called function (in any file) has the
/// effect (see `LintContext::report_if_calls`).
pub(super) struct Finding {
    pub span: Span,
    pub message: String,
    pub help: String,
    pub needs: Option<(Target, Effect)>,
}

/// A stateless rule made of one check run on every call the walk enters.
pub(super) struct PerCall(pub fn(&CallExpr, &LintContext<'_>) -> Option<Finding>);

impl Rule for PerCall {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        match (self.0)(call, cx) {
            Some(Finding {
                needs: Some((target, effect)),
                span,
                message,
                help,
            }) => cx.report_if_calls(target, effect, span, message, help),
            Some(f) => cx.report(f.span, f.message, f.help),
            None => {}
        }
    }
}
