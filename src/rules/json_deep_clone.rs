//! `json-deep-clone`: `JSON.parse(JSON.stringify(x))` serializes and parses
//! the whole value on every call; `structuredClone(x)` is built in and
//! cheaper in CPU time (and keeps Dates, Maps and Sets).

use swc_core::ecma::ast::*;

use crate::engine::context::{callee_is, unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "json-deep-clone", Cpu, Warning,
    "JSON.parse(JSON.stringify(x)) as a deep clone: use structuredClone(x).",
    |_| Box::new(JsonDeepClone)
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
`JSON.parse(JSON.stringify(x))` used to deep-copy a value.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
The round trip serializes the whole value to a string and parses it back, on
the request's CPU time (10 ms per request on the free plan), and holds both the
string and the copy in memory (128 MB per isolate). `structuredClone(x)` is
built into the runtime, copies without the intermediate string, and keeps
`Date`, `Map`, `Set`, typed arrays and cycles that JSON loses or rejects.
"#,
        ),
        (
            "Bad",
            r#"
```ts
// Never send card details back to the client.
const view = JSON.parse(JSON.stringify(order));
delete view.payload.card;
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const view = structuredClone(order);
delete view.payload.card;

// Often no copy is needed: build the view you return.
const { payload, ...rest } = order;
const view2 = { ...rest, payload: payload && { ...payload, card: undefined } };
```
"#,
        ),
        (
            "Not reported",
            r#"
- `JSON.parse(text)` and `JSON.stringify(x)` on their own.
- `JSON.parse(JSON.stringify(x), reviver)` (a reviver transforms, it is not a
  plain clone), and `JSON.stringify` with a replacer or indentation.
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
`structuredClone` throws on values containing functions (the JSON round trip
silently drops them), and both turn class instances into plain objects; check
the value is plain data.
A round trip split over two statements (`const s = JSON.stringify(x); … JSON.parse(s)`)
is not recognized.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct JsonDeepClone;

impl Rule for JsonDeepClone {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        static PARSE: crate::model::collections::Words =
            crate::model::collections::Words::new(&["parse"]);
        Some(&PARSE)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        if !callee_is(call, "JSON.parse") || call.args.len() != 1 {
            return;
        }
        let Expr::Call(inner) = unwrap_expr(&call.args[0].expr) else {
            return;
        };
        if !callee_is(inner, "JSON.stringify") || inner.args.len() != 1 {
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
