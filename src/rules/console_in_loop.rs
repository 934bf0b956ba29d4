//! `console-in-loop`: a `console.*` call inside a loop or a per-element
//! callback. Every call serializes its arguments on the request's CPU time
//! and emits one log event; in a loop over n items that is n events per
//! request, counted against the Workers Logs quota and crowding out the
//! lines that matter. A log on a failure (`catch`, `if (!res.ok)`), in a
//! retry or fallback loop, or over a few constant items is not a per-item
//! hot path (`effects::hot_paths`).

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use super::io_calls::io_call;
use crate::engine::context::{callee_is, callee_path, callee_root, method_name, unwrap_expr, Frame, Node};
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
    kind: crate::engine::declare::Kind::Source(|_| Box::<ConsoleInLoop>::default()),
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

Log the exceptional iterations only: a log in a `catch` or in a branch that
handles a failure is not reported.

```ts
for (const o of userOrders) {
  const res = await fetch(`https://erp.example/orders/${o.id}`);
  if (!res.ok) console.warn('erp sync failed', o.id, res.status);
}
```
"#,
        ),
        (
            "Not reported",
            r#"
- Console calls outside loops and callbacks.
- Calls in a function created inside a loop but not run per element
  (`queue.push(() => console.log(x))`).
- Methods of other loggers (`logger.info`), and a local `console` binding.
- Logs that run only on a failure: in a `catch` clause, in the branch of a
  failure check (`if (!res.ok)`, `if (error)`, `if (res.status >= 400)`, the
  `else` of `if (res.ok)`), in a branch that logs an error or a warning and
  returns, throws or skips to the next item (`if (!item.sku) {
  console.error('invalid', item); continue; }`), in `.catch(cb)` and
  `onError(cb)` callbacks.
- Logs in a retry or fallback loop (it exits where the awaited call succeeded,
  so it usually runs once) and in loops over at most 10 constant items (an
  array literal, `.slice(0, n)`, `LIST.filter(…)` of a known list,
  `Object.keys` of an object literal, `i < 3`; nested counts multiply).
- Logs in a first match: followed, in their block, by an unconditional exit
  of the loop (`if (path.startsWith(key)) { console.log(key); return r; }`),
  they run at most once per run of the loop.
- A short line — literals, a template, numbers, `.length`, `x.toString()` —
  in an iteration that awaits I/O itself (`fetch`, a binding, a query, an
  SDK client, an async function of the file or an imported one): the round
  trip costs milliseconds, the line microseconds, and the subrequest cap
  bounds the iterations. Still reported there: logging a name or property
  (an object, an array, a response body serialized per item:
  `console.log(proposals)`), and any log in a loop that does no I/O.
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
Knows how many iterations a loop runs only from literals and constants in the
file; a list that is small by contract (a validated input) is reported like a
request-sized one. Failures are recognized by the shape of the check (`ok`,
`success`, names with `err` or `fail`, an HTTP status), not by types.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// A loop over at most this many fixed items (nested counts multiply) logs
/// a handful of lines, as if they were written out.
const FEW: f64 = 10.0;

#[derive(Default)]
struct ConsoleInLoop {
    /// Open loops and functions, innermost last.
    open: Vec<Open>,
}

/// A loop or function being walked: whether it awaits I/O itself (outside
/// nested functions), and the logs that repeat with it, decided when it
/// ends.
struct Open {
    span: Span,
    function: bool,
    awaits_io: bool,
    logs: Vec<Log>,
}

struct Log {
    span: Span,
    /// Only literals, templates and scalars (`.length`, `x.toString()`):
    /// a line of text, not an object serialized.
    short: bool,
    message: String,
    help: String,
}

impl Rule for ConsoleInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Await,
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Loop,
        ]
    }

    /// Its calls are `console.*` calls (other kinds of node come as usual).
    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        Some(&crate::knowledge::CONSOLE_METHODS)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Loop(stmt) => self.open.push(Open::new(stmt.span(), false)),
            Node::Function(Frame::Function { span, .. }) => {
                self.open.push(Open::new(*span, true))
            }
            // The loops of the function that awaits, up to it.
            Node::Await(a) if awaits_io(&a.arg, cx) => {
                for open in self.open.iter_mut().rev() {
                    open.awaits_io = true;
                    if open.function {
                        break;
                    }
                }
            }
            Node::Call(call) => self.console_call(call, cx),
            _ => {}
        }
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Loop]
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        if !matches!(node, Node::Loop(_) | Node::Function(Frame::Function { .. })) {
            return;
        }
        let Some(open) = self.open.pop() else { return };
        for log in open.logs {
            // A line of text per iteration that waits for a round trip
            // anyway costs nothing next to it.
            if !(log.short && open.awaits_io) {
                cx.report(log.span, log.message, log.help);
            }
        }
    }
}

impl Open {
    fn new(span: Span, function: bool) -> Open {
        Open {
            span,
            function,
            awaits_io: false,
            logs: Vec::new(),
        }
    }
}

impl ConsoleInLoop {
    fn console_call(&mut self, call: &CallExpr, cx: &mut LintContext<'_>) {
        let Some(path) = callee_path(call) else {
            return;
        };
        let Some(method) = path.strip_prefix("console.") else {
            return;
        };
        if method.contains('.') || callee_root(call).is_none_or(|id| !cx.is_unbound(id)) {
            return;
        }
        if cx.hot.is_cold(call.span) {
            return; // logged on a failure only
        }
        let Some(repeat) = cx.hot.hot_repeat(cx.frames(), call.span, FEW) else {
            return;
        };
        let log = Log {
            span: call.span,
            short: call.args.iter().all(|a| a.spread.is_none() && scalar(&a.expr)),
            message: format!(
                "`{}` runs on every iteration of the {}: one log event (and one serialization of its arguments) per element",
                cx.snippet(call.span),
                repeat.describe()
            ),
            help: format!(
                "Gather what you need in the loop and log once after it (e.g. `console.{method}('processed', items.length, failures)`), \
                 or log only the exceptional iterations."
            ),
        };
        match self.open.iter_mut().rev().find(|o| o.span == repeat.span) {
            Some(open) => open.logs.push(log),
            None => cx.report(log.span, log.message, log.help),
        }
    }
}

/// An awaited call that is I/O: one the file knows (`fetch`, a binding, a
/// query, an SDK client, an async function of the file) or a function
/// imported from another module.
fn awaits_io(arg: &Expr, cx: &LintContext<'_>) -> bool {
    let Expr::Call(call) = unwrap_expr(arg) else {
        return false;
    };
    if io_call(cx, call) {
        return true;
    }
    match &call.callee {
        Callee::Expr(e) => match unwrap_expr(e) {
            Expr::Ident(id) => cx.db.import_of(&id.sym).is_some(),
            _ => false,
        },
        _ => false,
    }
}

/// A value that logs as a short line: a literal, a template, arithmetic or
/// a comparison, a `.length`/`.size`, a conversion (`x.toString()`,
/// `key.toBase58()`, `String(x)`). A name or a property may hold an object
/// or an array, serialized whole.
fn scalar(expr: &Expr) -> bool {
    match unwrap_expr(expr) {
        Expr::Lit(_) | Expr::Tpl(_) | Expr::Bin(_) | Expr::Unary(_) => true,
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if p.sym == "length" || p.sym == "size")
        }
        Expr::Call(c) => {
            method_name(c).is_some_and(|m| m.starts_with("to"))
                || callee_is(c, "String")
                || callee_is(c, "Number")
        }
        _ => false,
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
  do { console.warn('retry', i); } while (++i < orders.length);
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

    #[test]
    fn silent_on_failures_retries_and_fixed_lists() {
        assert_silent(
            "console-in-loop",
            r#"export async function sync(orders: Order[], endpoints: string[]) {
  for (const o of orders) {
    try {
      await save(o);
    } catch (err) {
      console.error('sync failed', o.id, err);
    }
    const res = await fetch(`/o/${o.id}`);
    if (!res.ok) {
      console.warn('fetch failed', o.id, res.status);
    }
    const { error } = await other(o);
    if (error) console.error(error);
    save(o).catch((e) => console.error(e));
    // an invalid item, logged and skipped (the e-commerce fulfilment lock)
    if (!o.sku || o.qty <= 0) {
      console.error('invalid allocation', o);
      errors.push(o);
      continue;
    }
  }
  for (const endpoint of endpoints) {
    console.log('trying', endpoint);
    const r = await fetch(endpoint);
    if (r.ok) return r;
  }
  for (const name of ['a', 'b']) console.log('cache', name);
  // the header row, once (a flag the branch sets: PackRat's catalog ETL)
  let headerDone = false;
  for (const o of orders) {
    if (!headerDone) {
      headerDone = true;
      console.log('columns', Object.keys(o));
      continue;
    }
  }
}
async function save(o: Order) {}
async function other(o: Order) { return { error: null }; }
"#,
        );
    }

    /// A log in a first match (followed, in its block, by an unconditional
    /// exit of the loop) runs once per run of the loop; one before the
    /// matching branch runs per item.
    #[test]
    fn first_matches_log_once() {
        assert_fires(
            "console-in-loop",
            r#"export function route(path: string, routes: Record<string, string>) {
  for (const key in routes) {
    console.log('checking', routes);
    if (path.startsWith(key)) {
      console.log('matched', routes[key], routes);
      return routes[key];
    }
  }
  return null;
}
"#,
            &[(3, "runs on every iteration of the for-in loop")],
        );
    }

    #[test]
    fn fires_on_per_item_success_paths() {
        assert_fires(
            "console-in-loop",
            r#"export async function sync(orders: Order[]) {
  for (const o of orders) {
    if (!o.id) return;
    const res = await fetch(`/o/${o.id}`);
    if (res.ok) {
      console.log('synced', o.id);
    } else {
      console.warn('failed', o.id);
    }
  }
}
"#,
            &[(6, "runs on every iteration of the for-of loop")],
        );
    }

    /// A short line in an iteration that awaits a round trip costs nothing
    /// next to it; an object or array logged per item still does, and so
    /// does any log in a loop that does no I/O.
    #[test]
    fn short_lines_beside_io_are_silent_objects_are_not() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["console-in-loop"])
            .file(
                "src/dao.ts",
                r#"import { Connection } from '@solana/web3.js';
import { loadProposals } from './gov';
export async function load(env: Env, ids: string[], keys: PublicKey[]) {
  const connection = new Connection(env.RPC_URL);
  for (const id of ids) {
    console.log(`Checking ${id}`);
    const info = await connection.getAccountInfo(id);
    console.log(`Found ${info.data.length} bytes for ${id}`, id.length);
    console.log(info);
  }
  for (const key of keys) {
    const proposals = await loadProposals(key);
    console.log('proposals for', key.toBase58(), proposals.length);
    console.log(proposals);
  }
  await Promise.all(ids.map(async (id) => {
    const r = await fetch(`https://api.example.com/${id}`);
    console.log(`fetched ${id}: ${r.status}`);
  }));
  for (const id of ids) {
    console.log(`parsed ${id}`);
    queue.push(async () => { await fetch(id); });
  }
}
"#,
            )
            .file("src/gov.ts", "export async function loadProposals(k) { return []; }\n")
            .assert_fires(&[
                ("src/dao.ts", 9, "`console.log(info)` runs on every iteration of the for-of loop"),
                ("src/dao.ts", 14, "`console.log(proposals)`"),
                ("src/dao.ts", 21, "`console.log(`parsed ${id}`)`"),
            ]);
    }
}
