//! Which statement list the walk is in is a request handler's own body:
//! rules that judge a handler's statements once its walk has ended (when
//! the facts about its locals are known) share this tracker.

use swc_core::common::Span;

use crate::engine::context::{Frame, Node};
use crate::engine::LintContext;

#[derive(Default)]
pub(super) struct HandlerBodies {
    /// A request handler was entered; its body is the next statement list.
    entered: Option<Span>,
    /// Per statement list being walked, the handler it is the body of.
    bodies: Vec<Option<Span>>,
}

impl HandlerBodies {
    /// Call on entering a `Function` or `Stmts` node.
    pub(super) fn enter(&mut self, node: &Node<'_>, cx: &LintContext<'_>) {
        match node {
            Node::Function(Frame::Function {
                span,
                request_param,
                ..
            }) => {
                self.entered = request_param.then_some(*span);
            }
            Node::Stmts(_) => {
                let handler = self.entered.take().filter(|handler| {
                    matches!(cx.function(), Some(Frame::Function { span, .. }) if span == handler)
                });
                self.bodies.push(handler);
            }
            _ => {}
        }
    }

    /// Call on leaving a `Stmts` node: the handler whose body ends here.
    pub(super) fn exit(&mut self) -> Option<Span> {
        self.bodies.pop().flatten()
    }
}
