//! `await-in-loop`: an await of I/O inside a loop whose iterations do not
//! depend on each other. Each iteration waits for the previous round trip;
//! the loop's latency is the sum of all of them.
//!
//! Iterations depend on each other (and the rule stays silent) when the
//! awaited call reads a variable that the loop body reassigns (cursor
//! pagination), and in `while`/`do-while` loops, whose condition usually
//! depends on the awaited result (polling, retries). Retry and fallback
//! loops (they exit when the awaited call succeeds) and loops over a few
//! constant items are not per-item loops (`effects::hot_paths`). A call of
//! a project function counts when its effect summary says it does I/O. A fetch or
//! binding call is `subrequest-in-loop`'s finding, which says the latency too.

use crate::model::collections::HashSet;

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{
    pat_names, target_of, unwrap_expr, Effect, LoopKind, Node, Target,
};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "await-in-loop", Async, Warning,
    "An await of I/O inside a loop whose iterations are independent: run them concurrently (bounded) or batch them.",
    |_| Box::<AwaitInLoop>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
An `await` of I/O — `fetch(…)`, a binding call (`env.CACHE.get`, `c.env.BUCKET.put`,
`env.QUEUE.send`), a Drizzle query on a known database, or a call of a project
function, in this file or another, that does such I/O itself or through what it
calls — directly inside a `for`, `for-of` or `for-in` loop whose iterations do
not depend on each other.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each iteration waits for the previous round trip, so the loop's latency is the
sum of all of them: 50 KV reads at 10 ms are half a second of wall time. Running
them together cuts that to a few round trips. Workers allow 6 simultaneous open
connections per request (more just queue), and a limited number of subrequests
(on the Free plan 50 to the internet and 1,000 to Cloudflare services; 10,000 on
Paid), so concurrency should be bounded, and a batch API is better still.
"#,
        ),
        (
            "Bad",
            r#"
```ts
for (const item of input.items) {
  const stock = await c.env.CACHE.get(`stock:${item.sku}`);
  if (stock !== null && Number(stock) < item.qty) return c.json({ error: 'out of stock' }, 409);
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
// One bulk KV read (up to 100 keys)
const stock = await c.env.CACHE.get(input.items.map((i) => `stock:${i.sku}`), 'text');

// Or bounded concurrency: chunks of 6
for (let i = 0; i < ids.length; i += 6) {
  await Promise.all(ids.slice(i, i + 6).map((id) => fetch(`${api}/shipments/${id}`)));
}

// A retry loop returns on success: it runs once unless the call fails.
for (let attempt = 0; attempt < 5; attempt++) {
  const res = await fetch(`${api}/reserve`, { method: 'POST', body: JSON.stringify(input) });
  if (res.ok) return c.json(await res.json());
  await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
}

// A few fixed keys: at most 6 awaits in all.
for (const region of ['us', 'eu', 'ap']) await c.env.CACHE.delete(`stock:${region}`);
```

D1/Drizzle: `db.batch([...])` or one `inArray` query instead of a query per row.
"#,
        ),
        (
            "Not reported",
            r#"
- Dependent iterations: the awaited call reads a variable the loop body
  reassigns (cursor pagination: `cursor = res.cursor`).
- `while` and `do-while` loops (polling, retries: the condition usually depends
  on the result).
- Retry and fallback loops: the body leaves the loop where the awaited call
  succeeded — `if (r.ok) return r`, `if (data) break`, `if (!error) return data`,
  or unconditionally after it (`try { return await op(); } catch {}`), so the
  loop usually runs once. A check of a failure (`if (!r.ok) return null`) or
  of something not awaited in the loop (`if (!id) return`) is an early exit of
  a per-item loop, which is still reported.
- First matches: an await followed, in its block, by an unconditional exit of
  the loop (`return`, `break`, `throw`; no `continue` between them) runs at
  most once per run of the loop:
  `for (const key in ROUTES) { if (path.startsWith(key)) { const r = await fetch(…); return r; } }`.
- Loops over a few constant items: an array literal (or a `const` bound to
  one, here or exported by another module), `.slice(0, n)`, a list made from
  a known one (`FEEDS.filter(…)`, `.map(…)`), `Object.keys` of an object
  literal, a counting loop
  bounded by a literal or a `const` (`i < 3`, `attempt < MAX_ATTEMPTS`),
  with at most 6 iterations in all — the
  simultaneous connections a Worker may open (nested counts multiply).
- `for await (… of stream)`.
- Awaits in code that runs only on a failure: a `catch` block, an error branch
  (an alert per failed item).
- Awaits of values that are not known I/O (`await Promise.resolve(x)`), and of
  project functions that do none (`await sha256(code)` over `crypto.subtle`).
- Awaits inside a function created in the loop (`queue.push(async () => …)`).
- Awaits of a database query that `drizzle-query-in-loop` reports: its finding
  (with the one-query fix) stands for them. With that rule off, this one
  reports them.
- Awaits of a fetch or binding call that `subrequest-in-loop` reports: its
  finding says both the subrequest cap and the latency (one problem, one
  finding). With that rule off, this one reports them.
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
Only I/O the project can recognize is reported: `env` bindings, `fetch`, a
Drizzle database, a client of an SDK that calls HTTP (see
`subrequest-in-loop`), and project functions that reach one of those; a
client passed in as an untyped parameter is not. An intended sequence (rate-limited API, ordered writes)
should be suppressed with a reason:
`// perf-optimizer-disable-next-line await-in-loop -- API allows 1 request at a time`.
"#,
        ),
    ],
    setup: r#"
# import { Hono } from 'hono';
# const app = new Hono<{ Bindings: Env }>();
# app.post('/orders', async (c) => {
#   const input = await c.req.json();
# @example
#   return c.json({ ok: true });
# });
"#,
    examples: crate::engine::declare::Examples::Run,
};

/// Awaits repeated at most this many times in all (nested counts multiply)
/// are left alone: with no more than the 6 simultaneous connections a Worker
/// may open, running them together saves little.
fn few(cx: &LintContext<'_>) -> f64 {
    cx.limits.open_connections.into()
}

#[derive(Default)]
struct AwaitInLoop {
    /// Open loops, innermost last: the awaits found in each and the names
    /// reassigned inside it.
    loops: Vec<LoopState>,
}

/// An await in a loop: where, the call's text, the names its arguments
/// read, and for a call of a project function, that function: the await is
/// a round trip only if it does I/O, directly or through what it calls.
struct Awaited {
    span: Span,
    /// The awaited call's span (its query, if one, is known when the loop ends).
    call_span: Span,
    call: String,
    reads: Vec<Atom>,
    helper: Option<Target>,
}

#[derive(Default)]
struct LoopState {
    kind: Option<LoopKind>,
    /// The loop's span (none for a function's sentinel).
    span: Option<Span>,
    /// How many times the loop runs when that is known to be few (a retry
    /// loop, a constant count).
    times: Option<f64>,
    awaits: Vec<Awaited>,
    assigned: HashSet<Atom>,
}

impl Rule for AwaitInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Assign,
            NodeKind::Await,
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Loop,
        ]
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Loop(stmt) => self.loops.push(LoopState {
                kind: loop_kind(stmt),
                span: Some(stmt.span()),
                times: cx.hot.loop_times(stmt.span()),
                ..LoopState::default()
            }),
            // A function inside a loop starts a new context: its awaits do not
            // block the loop. Track that by a sentinel with no kind.
            Node::Function(_) => self.loops.push(LoopState::default()),
            // Code that runs only on a failure (a `catch`, an error branch)
            // is not a hot path: an alert per failed item is not per item.
            Node::Await(a) if cx.hot.is_cold(a.span) => {}
            Node::Await(a) => {
                // The innermost loop that repeats the await more than a few
                // times, looking through retry and small constant loops and
                // the loops it runs at most once per run of (a first match).
                let max = few(cx);
                let mut times = 1.0;
                let hot = &cx.hot;
                let Some(state) = self.loops.iter_mut().rev().find(|s| {
                    let once = s.span.is_some_and(|l| hot.once_per_run(l, a.span));
                    times *= if once { 1.0 } else { s.times.unwrap_or(f64::INFINITY) };
                    s.kind.is_none() || times > max
                }) else {
                    return;
                };
                if !matches!(
                    state.kind,
                    Some(LoopKind::For | LoopKind::ForOf | LoopKind::ForIn)
                ) {
                    return;
                }
                let Expr::Call(call) = unwrap_expr(&a.arg) else {
                    return;
                };
                // A call of a project function (in any file) is judged by
                // its summary after the walk; other calls by what the file
                // knows returns a promise.
                let helper = if cx.is_subrequest(call) || names_local(call, cx) {
                    None
                } else {
                    target_of(call)
                };
                if helper.is_none() && !cx.returns_promise(call) {
                    return;
                }
                let mut reads = Vec::new();
                for arg in &call.args {
                    collect_idents(&arg.expr, &mut reads);
                }
                state.awaits.push(Awaited {
                    span: a.span,
                    call_span: call.span,
                    call: cx.snippet(call.span),
                    reads,
                    helper,
                });
            }
            Node::Assign(a) => {
                if let Some(state) = self.loops.last_mut() {
                    if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
                        state.assigned.insert(id.sym.clone());
                    } else if let AssignTarget::Pat(p) = &a.left {
                        let mut names = Vec::new();
                        match p {
                            AssignTargetPat::Array(arr) => {
                                pat_names(&Pat::Array(arr.clone()), &mut names)
                            }
                            AssignTargetPat::Object(o) => {
                                pat_names(&Pat::Object(o.clone()), &mut names)
                            }
                            AssignTargetPat::Invalid(_) => {}
                        }
                        state.assigned.extend(names);
                    }
                }
            }
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Loop]
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Function(_) => {
                self.loops.pop();
            }
            Node::Loop(_) => {
                let Some(state) = self.loops.pop() else {
                    return;
                };
                let what = match state.kind {
                    Some(LoopKind::ForOf) => "for-of",
                    Some(LoopKind::ForIn) => "for-in",
                    _ => "for",
                };
                for awaited in state.awaits {
                    if awaited.reads.iter().any(|r| state.assigned.contains(r)) {
                        continue; // the next iteration needs this one's result
                    }
                    // A database query once per chunk of a list (`inArray(t.id,
                    // chunk)`): the batched form, as drizzle-query-in-loop and
                    // subrequest-in-loop read it, not an await per element.
                    if cx.db.query_not_per_element(awaited.call_span) {
                        continue;
                    }
                    let message = format!(
                        "await of {} inside {what}: each iteration waits for the previous round trip",
                        awaited.call
                    );
                    let help = format!(
                            "Start the calls together and await them at once, with a bound on concurrency \
                             (e.g. `await Promise.all(chunk.map(...))` over chunks of {}), or use a batch API \
                             (KV bulk get, D1/Drizzle `db.batch`, R2 list).",
                            cx.limits.open_connections
                        );
                    match awaited.helper {
                        Some(helper) => cx.report_if_calls(helper, Effect::Io, awaited.span, message, help),
                        None => cx.report(awaited.span, message, help),
                    }
                }
                // Assignments in an inner loop also count for the outer one.
                if let Some(outer) = self.loops.last_mut() {
                    outer.assigned.extend(state.assigned);
                }
            }
            _ => {}
        }
    }
}

/// The call names a function by a local binding (`const load = …` inside
/// the handler): the summaries are found by name at module level, so a
/// local is judged by what the file knows of it instead.
fn names_local(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    matches!(&call.callee, Callee::Expr(callee)
        if matches!(unwrap_expr(callee), Expr::Ident(id) if !cx.is_module_binding(id) && !cx.is_unbound(id)))
}

fn loop_kind(stmt: &Stmt) -> Option<LoopKind> {
    Some(match stmt {
        Stmt::For(_) => LoopKind::For,
        Stmt::ForIn(_) => LoopKind::ForIn,
        Stmt::ForOf(f) if f.is_await => LoopKind::ForAwaitOf,
        Stmt::ForOf(_) => LoopKind::ForOf,
        Stmt::While(_) => LoopKind::While,
        Stmt::DoWhile(_) => LoopKind::DoWhile,
        _ => return None,
    })
}

/// Identifiers an argument reads (shallow: identifiers and member roots).
fn collect_idents(expr: &Expr, out: &mut Vec<Atom>) {
    match unwrap_expr(expr) {
        Expr::Ident(id) => out.push(id.sym.clone()),
        Expr::Member(m) => collect_idents(&m.obj, out),
        Expr::Object(o) => {
            for p in &o.props {
                match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => collect_idents(&kv.value, out),
                        Prop::Shorthand(id) => out.push(id.sym.clone()),
                        _ => {}
                    },
                    PropOrSpread::Spread(s) => collect_idents(&s.expr, out),
                }
            }
        }
        Expr::Tpl(t) => t.exprs.iter().for_each(|e| collect_idents(e, out)),
        Expr::Bin(b) => {
            collect_idents(&b.left, out);
            collect_idents(&b.right, out);
        }
        Expr::Call(c) => c.args.iter().for_each(|a| collect_idents(&a.expr, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_independent_awaits_in_loops() {
        assert_fires(
            "await-in-loop",
            r#"export default {
  async fetch(req: Request, env: Env) {
    const out = [];
    for (const key of keys) {
      out.push(await env.CACHE.get(key));
    }
    for (let i = 0; i < ids.length; i++) {
      const r = await fetch(`https://api/${ids[i]}`);
    }
    return new Response("ok");
  },
};"#,
            &[
                (5, "await of env.CACHE.get(key) inside for-of"),
                (8, "inside for: each iteration"),
            ],
        );
    }

    /// A database query per chunk of a list is the batched form (the saas
    /// template's chunked `inArray` updates); one per element, in a
    /// counting loop too, is reported.
    #[test]
    fn chunked_queries_are_not_per_element() {
        assert_fires(
            "await-in-loop",
            r#"export async function touch(env: Env, ids: string[]) {
  const db = drizzle(env.DB);
  for (const chunk of chunkIds(ids)) {
    await db.update(apps).set({ seen: 1 }).where(inArray(apps.clientId, chunk));
  }
  for (let i = 0; i < ids.length; i++) {
    await db.update(apps).set({ seen: 1 }).where(eq(apps.clientId, ids[i]));
  }
  for (const id of ids) {
    await db.update(apps).set({ seen: 1 }).where(eq(apps.clientId, id));
  }
}"#,
            &[(7, "inside for"), (10, "inside for-of")],
        );
    }

    #[test]
    fn silent_when_iterations_depend_or_not_io() {
        assert_silent(
            "await-in-loop",
            r#"export default {
  async fetch(req: Request, env: Env) {
    let cursor = undefined;
    for (let page = 0; page < 10; page++) {
      const res = await env.CACHE.list({ cursor });
      cursor = res.cursor;
    }
    while (true) {
      const r = await fetch("https://api/poll");
      if (r.ok) break;
    }
    for (const x of xs) { await Promise.resolve(x); }
    for await (const chunk of stream) { await env.Q.send(chunk); }
    for (const k of keys) { queue.push(async () => await env.CACHE.get(k)); }
    for (const item of items) {
      try { total += item.price; } catch (error) { await env.ALERTS.send({ item, error: String(error) }); }
    }
    return new Response("ok");
  },
};"#,
        );
    }

    #[test]
    fn silent_in_retry_fallback_and_small_constant_loops() {
        assert_silent(
            "await-in-loop",
            r#"export async function get(u: string, endpoints: string[], env: Env) {
  for (let attempt = 0; attempt < 30; attempt++) {
    const r = await fetch(u);
    if (r.ok) return r;
    await sleep(attempt * 100);
  }
  for (const endpoint of endpoints) {
    try {
      const res = await fetch(endpoint);
      if (!res.ok) continue;
      return await res.json();
    } catch (err) {
      console.error(endpoint, err);
    }
  }
  for (const e of endpoints) {
    const { data, error } = await env.SVC.fetch(e);
    if (!error) break;
  }
  for (const region of ['us', 'eu', 'ap']) await env.CACHE.delete(region);
  const KEYS = ['a', 'b'];
  for (const k of KEYS) await env.CACHE.get(k);
  const MAX = 3;
  for (let i = 0; i < MAX; i++) await env.CACHE.get(`k${i}`);
  for (const id of endpoints.slice(0, 5)) await fetch(id);
  return null;
}
async function sleep(ms: number) { await new Promise((r) => setTimeout(r, ms)); }"#,
        );
    }

    /// A first match (the await is followed, in its block, by an
    /// unconditional exit of the loop) runs once per run of the loop; an
    /// await before the matching branch, or one a `continue` may repeat,
    /// runs per item.
    #[test]
    fn first_matches_run_once() {
        assert_fires(
            "await-in-loop",
            r#"const ROUTES: Record<string, string> = { '/a': 'x', '/b': 'y' };
export default {
  async fetch(request: Request, env: Env) {
    const path = new URL(request.url).pathname;
    for (const key in ROUTES) {
      if (path.startsWith(key)) {
        const r = await fetch(`https://api.example.com/${ROUTES[key]}`);
        return r;
      }
    }
    for (const key in ROUTES) {
      const cached = await env.CACHE.get(key);
      if (cached === path) {
        await env.CACHE.delete(key);
        break;
      }
    }
    for (const key in ROUTES) {
      if (path.endsWith(key)) {
        await env.CACHE.delete(key);
        if (path.length > 10) continue;
        throw new Error('short path');
      }
    }
    return new Response('Not found', { status: 404 });
  },
};"#,
            &[
                (12, "await of env.CACHE.get(key) inside for-in"),
                (20, "await of env.CACHE.delete(key) inside for-in"),
            ],
        );
    }

    #[test]
    fn fires_on_per_item_loops_with_unrelated_exits() {
        assert_fires(
            "await-in-loop",
            r#"export async function load(ids: string[], env: Env) {
  const out = [];
  for (const id of ids) {
    if (!id) return null;
    const r = await fetch(`https://api/${id}`);
    if (!r.ok) return null;
    out.push(await r.json());
  }
  for (let i = 0; i < 20; i++) await env.CACHE.get(`k${i}`);
  for (const a of ['x', 'y', 'z']) {
    for (const b of ['1', '2', '3']) await env.CACHE.get(a + b);
  }
  for (const id of ids) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`https://api/${id}`);
      if (res.ok) break;
    }
  }
  return out;
}"#,
            &[
                (5, "await of fetch(`https://api/${id}`) inside for-of"),
                (9, "inside for:"),
                (11, "inside for-of"),
                (15, "inside for-of"),
            ],
        );
    }

    /// One problem, one finding: where subrequest-in-loop reports the call
    /// (directly or through a helper that makes the subrequest), it says the
    /// latency too and this rule stays silent; with it off, this one reports.
    #[test]
    fn defers_to_subrequest_in_loop() {
        use crate::rules::test_util::lint_rules;
        let source = r#"export async function sync(items: string[], env: Env) {
  for (const item of items) {
    await fetch(`https://api/${item}`);
    await save(item);
  }
}
async function save(item: string) {
  return fetch('https://api/items', { method: 'POST', body: item });
}
"#;
        let both = lint_rules(&["await-in-loop", "subrequest-in-loop"], source);
        let lines: Vec<(u32, &str)> = both.iter().map(|(l, r)| (*l, r.as_str())).collect();
        // One finding for the loop (line 4's call is its related evidence).
        assert_eq!(lines, [(3, "subrequest-in-loop")]);
        let alone = lint_rules(&["await-in-loop"], source);
        let lines: Vec<(u32, &str)> = alone.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(lines, [(3, "await-in-loop"), (4, "await-in-loop")]);
    }

    /// An awaited async helper is a round trip only when it does I/O, in
    /// this file or through what it calls in another: one that hashes with
    /// `crypto.subtle` only computes.
    #[test]
    fn async_helpers_count_only_when_they_do_io() {
        use crate::rules::test_util::Case;
        Case::new()
            .file(
                "src/routes/codes.ts",
                r#"import { store } from '../lib/store';
export async function save(codes: string[], env: Env) {
  for (const code of codes) {
    const hash = await sha256(code);
    await store(env, hash);
    await record(env, hash);
  }
}
async function sha256(input: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16)).join('');
}
async function record(env: Env, hash: string) {
  return env.CACHE.put(hash, '1');
}
"#,
            )
            .file(
                "src/lib/store.ts",
                r#"export async function store(env: Env, hash: string) {
  await env.DB.prepare('INSERT INTO codes VALUES (?)').bind(hash).run();
}
"#,
            )
            .rules(&["await-in-loop"])
            .assert_fires(&[
                ("src/routes/codes.ts", 5, "await of store(env, hash) inside for-of"),
                ("src/routes/codes.ts", 6, "await of record(env, hash) inside for-of"),
            ]);
    }

    /// A call through an SDK client is I/O: with subrequest-in-loop off,
    /// this rule reports it; local members of the client are not I/O.
    #[test]
    fn sdk_clients_are_io() {
        use crate::rules::test_util::lint_rules;
        let source = r#"import { Connection } from '@solana/web3.js';
import Stripe from 'stripe';
export async function scan(env: Env, keys: string[], events: string[]) {
  const connection = new Connection(env.RPC_URL);
  const stripe = new Stripe(env.KEY);
  for (const k of keys) await connection.getAccountInfo(k);
  for (const e of events) await stripe.webhooks.constructEventAsync(e, 'sig', 'secret');
}
"#;
        let alone = lint_rules(&["await-in-loop"], source);
        let lines: Vec<(u32, &str)> = alone.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(lines, [(6, "await-in-loop")]);
        let both = lint_rules(&["await-in-loop", "subrequest-in-loop"], source);
        let lines: Vec<(u32, &str)> = both.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(lines, [(6, "subrequest-in-loop")]);
    }
}
