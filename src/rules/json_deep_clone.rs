//! `json-deep-clone`: `JSON.parse(JSON.stringify(x))` serializes and parses
//! the whole value on every call; `structuredClone(x)` is built in and
//! cheaper in CPU time (and keeps Dates, Maps and Sets).

use swc_core::ecma::ast::*;

use crate::engine::context::{callee_path, unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta};
use crate::model::report::{Category, Severity};

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "json-deep-clone",
        category: Category::Cpu,
        severity: Severity::Warning,
        summary: "JSON.parse(JSON.stringify(x)) as a deep clone: use structuredClone(x).",
    },
    create: |_| Box::new(JsonDeepClone),
};

struct JsonDeepClone;

impl Rule for JsonDeepClone {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        if callee_path(call).as_deref() != Some("JSON.parse") || call.args.len() != 1 {
            return;
        }
        let Expr::Call(inner) = unwrap_expr(&call.args[0].expr) else {
            return;
        };
        if callee_path(inner).as_deref() != Some("JSON.stringify") || inner.args.len() != 1 {
            return;
        }
        let value = cx.snippet(inner.args[0].expr.span());
        cx.report(
            call.span,
            format!("JSON.parse(JSON.stringify({value})) deep-clones through a string"),
            format!("Use `structuredClone({value})`: no string round trip, and Dates, Maps and Sets survive."),
        );
    }
}

use swc_core::common::Spanned;

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_json_round_trip() {
        assert_fires(
            "json-deep-clone",
            "const copy = JSON.parse(JSON.stringify(order));\n",
            &[(1, "JSON.parse(JSON.stringify(order))")],
        );
    }

    #[test]
    fn silent_on_real_parsing() {
        assert_silent(
            "json-deep-clone",
            "const a = JSON.parse(text);\nconst b = JSON.stringify(x);\nconst c = JSON.parse(JSON.stringify(x), reviver);\n",
        );
    }
}
