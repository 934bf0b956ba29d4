//! `console-in-loop`: a `console.*` call inside a loop or a per-element
//! callback. Every call serializes its arguments on the request's CPU time
//! and emits one log event; in a loop over n items that is n events per
//! request, counted against the Workers Logs quota and crowding out the
//! lines that matter.

use crate::engine::context::{callee_path, Node};
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
    create: |_| Box::new(ConsoleInLoop),
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
        if method.contains('.') || cx.resolve(&"console".into()).is_some() {
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
