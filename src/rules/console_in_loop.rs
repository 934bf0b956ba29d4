//! `console-in-loop`: a `console.*` call inside a loop or a per-element
//! callback. Every call serializes its arguments on the request's CPU time
//! and emits one log event; in a loop over n items that is n events per
//! request, counted against the Workers Logs quota and crowding out the
//! lines that matter.

use crate::engine::context::{callee_path, callee_root, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta};
use crate::model::report::{Category, Severity};

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "console-in-loop",
        category: Category::Cpu,
        severity: Severity::Info,
        summary:
            "A console.* call inside a loop or per-element callback: log once, after the loop.",
    },
    kind: crate::engine::declare::Kind::Source(|_| Box::new(ConsoleInLoop)),
    options: crate::engine::declare::options::<crate::engine::declare::NoOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A `console.*` call (`log`, `info`, `debug`, `warn`, `error`, …) inside a loop or
inside a per-element callback (`map`, `forEach`, `filter`, `reduce`, …).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every console call serializes its arguments on the request's CPU time (10 ms per
request on the free plan) and emits one log event. Inside a loop over n items
that is n events per request: Workers Logs and Logpush count (and bill) events,
live tails switch to sampling at high volume, and the one line that would
explain an incident drowns among thousands.
"#,
        ),
        (
            "Bad",
            r#"
```ts
for (const o of userOrders) {
  const items = itemsByOrder.get(o.id) ?? [];
  console.log('loaded order', o.id, items.length);
  history.push({ id: o.id, items });
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
for (const o of userOrders) {
  history.push({ id: o.id, items: itemsByOrder.get(o.id) ?? [] });
}
console.log('loaded orders', history.length);
```

Log the exceptional iterations only (`if (!ok) console.warn('sync failed', id)`
is still reported, at info level: suppress it with a reason if it is rare).
"#,
        ),
        (
            "Not reported",
            r#"
- Console calls outside loops and callbacks.
- Calls in a function created inside a loop but not run per element
  (`queue.push(() => console.log(x))`).
- Methods of other loggers (`logger.info`), and a local `console` binding.
"#,
        ),
        (
            "Options",
            r#"
None. Raise it to `warn` in the config to make it stricter:
`{ "rules": { "console-in-loop": "warn" } }`.
"#,
        ),
        (
            "Known limits",
            r#"
Does not know how many iterations a loop runs; a loop over three fixed items is
reported like one over a request-sized list.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct ConsoleInLoop;

impl Rule for ConsoleInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        let Some(path) = callee_path(call) else {
            return;
        };
        let Some(method) = path.strip_prefix("console.") else {
            return;
        };
        if method.contains('.') || callee_root(call).is_none_or(|id| !cx.is_unbound(id)) {
            return;
        }
        let Some(repeat) = cx.repeating() else {
            return;
        };
        cx.report(
            call.span,
            format!(
                "`{}` runs on every iteration of the {}: one log event (and one serialization of its arguments) per element",
                cx.snippet(call.span),
                repeat.describe()
            ),
            format!(
                "Gather what you need in the loop and log once after it (e.g. `console.{method}('processed', items.length, failures)`), \
                 or log only the exceptional iterations."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_in_loops_and_callbacks() {
        assert_fires(
            "console-in-loop",
            r#"export async function handle(orders: Order[]) {
  for (const o of orders) {
    console.log('loaded order', o.id);
  }
  orders.forEach((o) => console.debug(o.id));
  let i = 0;
  do { console.warn('retry', i); } while (++i < 3);
}
"#,
            &[
                (3, "`console.log('loaded order', o.id)` runs on every iteration of the for-of loop"),
                (5, "forEach callback"),
                (7, "do-while loop"),
            ],
        );
    }

    #[test]
    fn silent_outside_loops() {
        assert_silent(
            "console-in-loop",
            r#"export function handle(orders: Order[]) {
  console.log('orders', orders.length);
  for (const o of orders) {
    queue.push(() => console.log(o.id));
    logger.info(o.id);
  }
  const done = orders.map((o) => o.id);
  console.info('done', done.length);
}
function withLocal(console: Console, xs: string[]) { for (const x of xs) console.log(x); }
"#,
        );
    }
}
