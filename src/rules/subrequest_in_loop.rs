//! `subrequest-in-loop`: fetch or a binding call inside a loop or a
//! per-element callback. Every iteration spends one of the request's
//! subrequests (on the Free plan 50 to the internet and 1,000 to Cloudflare
//! services; 10,000 on Paid); past the cap the call throws. Awaited one at a time, the calls also add up in latency: the
//! message says so, and `await-in-loop` defers to this finding.
//!
//! Silent inside `Promise.all(xs.map(cb))` callbacks (`unbounded-concurrency`
//! covers them), in retry and fallback loops, first matches (the call is
//! followed, in its block, by an unconditional exit of the loop) and loops
//! over a few constant items (`effects::hot_paths`), and for calls that do
//! not send anything yet
//! (Drizzle builders collected for `db.batch`, D1 `prepare`/`bind`, Durable
//! Object ids).

use crate::model::collections::HashSet;

use swc_core::ecma::ast::*;

use super::io_calls::{
    call_text, inner_chain_calls, key, sends_subrequest, subrequest_budget, subrequest_destination,
    CallShape,
};
use crate::model::limits::Limits;
use crate::effects::drizzle::is_db_chain;
use crate::engine::context::{method_name, target_of, unwrap_expr, Effect, LoopKind, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "subrequest-in-loop", Limits, Warning,
    "A fetch or binding call per loop iteration: each one counts against the request's subrequests (Free: 50 to the internet, 1,000 to Cloudflare services; Paid: 10,000).",
    |_| Box::<SubrequestInLoop>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A subrequest — `fetch`, a binding call (`env.KV.get`, `c.env.QUEUE.send`, a
Durable Object stub; a parameter, variable or class field typed as a binding
or a `Pick<…>` of one is the binding: `this.registry.get(k)` with `private
registry: R2Bucket`), a Kysely query run (`.execute()`, `.executeTakeFirst()` on a
`selectFrom`/`insertInto`/`updateTable`/`deleteFrom` chain), a D1 statement run (`.first()`, `.all()`, `.run()`), an
awaited Drizzle query, a call through a client of an SDK that calls HTTP —
inside a loop or a per-element callback (`forEach`, `map`, …). A call of a
function that makes one, in this file or another (through imports,
`this.method()`, instances held in variables and fields), counts too, and the
finding names the chain. One finding per loop: at its first such call, with
the loop's other calls (and their chains) as related places.

SDK clients: an object built by `new` or a factory of a package whose clients
send HTTP requests — @solana/web3.js `Connection`, stripe, openai,
@anthropic-ai/sdk, @octokit/* and octokit, @aws-sdk/client-* (`*Client`),
@supabase/supabase-js `createClient`, @upstash/redis, @upstash/qstash,
resend, twilio, @sendgrid/mail, @notionhq/client, @slack/web-api, algoliasearch,
@google/generative-ai, ethers providers, viem clients — and any package's
object built on such a client (`new SplGovernance(connection)`); a parameter,
variable or field typed with such a class (`connection: Connection`) holds
one. Members that
work locally (Stripe `webhooks`, Supabase `channel`, `getGenerativeModel`) are
not requests. An awaited function of any package given a client
(`await getAccount(connection, key)`) is one. SDKs that buffer and send later
(Sentry, analytics) and database drivers (left to the database rules) are not
in the table.

```ts
for (const item of input.items) {
  const stock = await c.env.CACHE.get(`stock:${item.sku}`);
}
```
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
On the Free plan a request may make 50 subrequests to the internet (`fetch`)
and 1,000 to Cloudflare services (KV, R2, D1, Queues, Durable Objects); on
Paid, 10,000 in all by default (Cloudflare's changelog of 2026-02-11). The
message names the budget the call spends. A loop that
makes one per item works in tests and throws in production the day a list
grows past the cap. Awaited one at a time, the calls also add up in latency;
the finding says so, and `await-in-loop` does not report the same call again.
"#,
        ),
        (
            "Bad",
            r#"
```ts
usersRoute.get('/:id/orders', async (c) => {
  const db = c.var.db;
  const userOrders = await db.select().from(orders).where(eq(orders.userId, c.req.param('id')));
  const history = [];
  for (const o of userOrders) {
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
    history.push({ ...o, items });
  }
  return c.json(history);
});
```

(With `drizzle-query-in-loop` on, as by default, that rule reports this query
and this one stays silent on it; a `fetch` or KV call in the loop is reported
here either way.)
"#,
        ),
        (
            "Good",
            r#"
```ts
usersRoute.get('/:id/orders', async (c) => {
  const db = c.var.db;
  const userOrders = await db.select().from(orders)
    .where(eq(orders.userId, c.req.param('id'))).limit(50);
  const ids = userOrders.map((o) => o.id);
  const items = ids.length === 0 ? [] : await db.select().from(orderItems)
    .where(inArray(orderItems.orderId, ids));
  // A fallback loop stops at the first mirror that answers.
  for (const mirror of c.env.MIRRORS.split(',')) {
    const res = await fetch(`${mirror}/rates`);
    if (res.ok) return c.json({ orders: userOrders, items, rates: await res.json() });
  }
  return c.json({ orders: userOrders, items });
});
```

Batch APIs: KV `get([...keys])` (up to 100 keys), D1 `env.DB.batch([...])`,
Drizzle `db.batch([...])` or `inArray`, Queues `sendBatch([...])`, R2 `list`.
"#,
        ),
        (
            "Not reported",
            r#"
- Callbacks of `Promise.all(xs.map(cb))`: `unbounded-concurrency` covers them.
- Loops over a few constant items, at most 10 in all (nested counts
  multiply): an array literal or a `const` bound to one (and grown by a few
  pushes where it is declared: `if (admin) hooks.push(admin)`), `.slice(0, n)`, a
  literal or constant bound (`for (let i = 0; i < 3; i++)`,
  `while (attempt < MAX_ATTEMPTS)` with `const MAX_ATTEMPTS = 3`), a list
  made from a known one (`FEEDS.filter(…)`, `.map(…)`, `.slice(1)`, either
  of two known ones (`one ? [one] : ALL`), `await
  Promise.all(FEEDS.map(…))`: at most its elements; `.flatMap((x) => [a, b])`:
  twice as many), `Object.keys`/`values`/`entries` of an object literal whose
  keys are written out (one per property, unless the code assigns more), and
  callbacks of `["a", "b"].forEach(...)`. A list another module declares
  (`import { SOURCES } from './config'`), or returns as it is from a
  function (`getAllSources()`), counts at its length when that module grows
  it nowhere in a function and it is not empty; so does a function's every
  `return` of a list it builds in its body (`const keys = [path]; if (x)
  keys.push(y); return [...new Set(keys)]`: at most 2). So does a parameter of a
  module function (not exported) when every call of it in the file gives a
  list of known length there (`enforceQuotas(env, [{ … }, { … }])`), and its
  name is used nowhere else.
- Retry and fallback loops: the body leaves the loop where the awaited call
  succeeded (`if (res.ok) return res`, `if (res.ok) return true`,
  `if (data) break`, `try { return await fetch(url); } catch {}`), so it
  usually runs once, whatever bounds it (`i < CONFIG.MAX_RETRIES`). An exit on
  a failure (`if (res.status >= 400) return null`) or on something not awaited
  in the loop keeps the loop per-item. A counting loop over attempts
  (`for (let attempt = 1; attempt <= maxRetries; attempt++)`, a counter or
  bound named for attempts, retries or tries) that can leave the loop is a
  retry too: it stops at the first attempt that works.
- Probes for a free name: a loop over no collection (`while (true)`,
  `for (;;)`, or a constant number of tries) that stops at the first lookup
  that finds nothing (`if ((await env.KV.get(id)) === null) break`, as its
  last statement: a loop that goes on to use what it found drains a list).
- A branch for one iteration of the loop: under a test of the first
  (`if (i === 0 && …)`) or under a flag the branch sets
  (`if (!started) { started = true; … }`).
- First matches: a call followed, in its block, by an unconditional exit of
  the loop (`return`, `break` of the loop, a `throw` no `try` in the loop
  catches), with no `continue` between them, runs at most once per run of the
  loop:
  `for (const key in ROUTES) { if (path.startsWith(key)) { const r = await fetch(…); return r; } }`.
  A call before the matching branch, or one followed only by a conditional
  exit (`if (!r.ok) return r`), still repeats per item.
- Calls that send nothing yet: Drizzle builders collected for `db.batch`,
  D1 `prepare`/`bind`, Durable Object `idFromName`/`idFromString`/`newUniqueId`
  and getting a stub (`get(id)`, `getByName(name)`: the call on the stub is the
  subrequest, and is reported), Analytics Engine `writeDataPoint`.
- A batch per iteration: `db.batch(stmts)` or `env.QUEUE.sendBatch(chunk)` in a
  loop over chunks is already the batched form, and so is any call in a
  counting loop that steps by a chunk: a literal of at least 10
  (`for (let i = 0; i < xs.length; i += 100)`) or a named step of at least 2
  (`i += batchSize` with `const batchSize = 6`, `i += CONFIG.CHUNK_SIZE`, each call sending
  `xs.slice(i, i + batchSize)`).
- A page of a KV or R2 listing (`list({ prefix, cursor })` in a loop that
  follows the cursor): each call reads up to 1,000 keys.
- Path walks are reported without the advice to send the calls together: a
  request whose URL reads a string the loop extends each iteration
  (`path += '/' + segment`, `current = current + '/' + segment`) addresses a
  child of the previous one's (one `MKCOL` per segment, each creating the
  parent of the next), so the requests may have to go in order; the finding
  says so and suggests bounding the depth.
- Paging and polling loops: a `while` or `do…while` loop whose condition
  reads a name the body assigns from an awaited response, directly or
  through a property of it (`const page = await res.json(); token =
  page.next;` … `while (token)`, `hasMore = data.has_more`), or a `while
  (true)` / `for (;;)` loop that sends the same request again after a pause
  (`await sleep(ms)`, `await new Promise((r) => setTimeout(r, ms))`; no
  page counter or cursor it moves on) until a test of the response ends it
  with a `break` (`return`, `throw`): `if (job.status !== 'running') break;`,
  polling until it is done; or a loop with a constant bound (`for (let p =
  0; p < MAX_PAGES; p++)`, `while (page <= 10)`) that moves a page counter or
  cursor on and stops at the last page (`if (!cursor) return items`, `if
  (repos.length < 100) break`). Each request needs the previous response, so the
  requests cannot be sent together and there is no batch form; a loop
  around the paging loop is still reported.
  A condition on anything else (`while (queue.length)` with a `shift()` per
  iteration) is a per-item loop.
- A queue handler's loop over `batch.messages` when the Worker's queue
  consumers take at most 10 messages a batch (`max_batch_size`, default 10).
- Callbacks passed to other functions (`mapLimit(ids, 6, cb)`).
- Code that runs only on a failure: a `catch` block, an error branch (an alert
  per failed item).
- A call of a helper whose subrequests run only under `if (option)`, `option`
  a parameter that defaults to `false` (`load(acct, actor, withStats = false)`),
  when the call leaves it out or passes `false` (directly or through another
  helper).
- Database queries that `drizzle-query-in-loop` reports: its finding (with the
  one-query fix) stands for them. With that rule off, this one reports them.
  Nor a query it reads as no query per element: one per chunk of a list
  (`inArray(t.id, chunk)`), a page, a loop that stops at the first free
  value (`while (true) { … if (!existing) break; … }`).
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
A chunked `Promise.all` inside a loop is left to the author. Worker
environment variables read as `env.NAME.method()` (strings) look like binding
calls. An SDK client is known from a table of packages (below); a client of a
package outside it, not built on one of them, is not.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// A loop that repeats at most this many times in all (nested counts
/// multiply) is not a cap risk: a fifth of the Free plan's 50.
pub(super) const SMALL_BOUND: f64 = 10.0;

#[derive(Default)]
struct SubrequestInLoop {
    /// Calls an `await` applies to directly.
    awaited: HashSet<(u32, u32)>,
    /// Inner calls of a chain already judged with its outermost call.
    chain_inner: HashSet<(u32, u32)>,
}

impl Rule for SubrequestInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Await, NodeKind::Call, NodeKind::OptCall]
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Await(a) => match unwrap_expr(&a.arg) {
                Expr::Call(c) => {
                    self.awaited.insert(key(c.span));
                }
                Expr::OptChain(o) => {
                    if let OptChainBase::Call(c) = &*o.base {
                        self.awaited.insert(key(c.span));
                    }
                }
                _ => {}
            },
            Node::Call(call) => self.check(call, cx),
            // `env.KV?.get(k)`: judged as `env.KV.get(k)` (a copy of the
            // call, made for the rare optional call only).
            Node::OptCall(call) => self.check(&plain_call(call), cx),
            _ => {}
        }
    }
}

/// The plain call an optional one makes when its object is there:
/// `env.KV?.get(k)` as `env.KV.get(k)`.
fn plain_call(call: &OptCall) -> CallExpr {
    let callee = match unwrap_expr(&call.callee) {
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => Box::new(Expr::Member(m.clone())),
            OptChainBase::Call(_) => call.callee.clone(),
        },
        _ => call.callee.clone(),
    };
    CallExpr {
        span: call.span,
        ctxt: call.ctxt,
        callee: Callee::Expr(callee),
        args: call.args.clone(),
        type_args: None,
    }
}

/// Methods that send many operations in one round trip: D1's and Drizzle's
/// `batch`, Queues' `sendBatch`.
const BATCH_METHODS: &[&str] = &["batch", "sendBatch"];

impl SubrequestInLoop {
    fn check(&mut self, call: &CallExpr, cx: &mut LintContext<'_>) {
        if self.chain_inner.contains(&key(call.span)) {
            return;
        }
        for inner in inner_chain_calls(call) {
            self.chain_inner.insert(key(inner.span));
        }
        // Code that runs only on a failure (a `catch`, an error branch) is
        // not a hot path.
        if cx.hot.is_cold(call.span) {
            return;
        }
        let awaited = self.awaited.contains(&key(call.span));
        // A call to a function of the project: reported if that function
        // (or one it calls, in any file) makes a subrequest.
        let helper = if sends_subrequest(cx, call, awaited) {
            // A batch per iteration (`db.batch(stmts)` over chunks of rows,
            // `env.QUEUE.sendBatch(chunk)`): the loop goes over batches,
            // which is the fix this rule would suggest.
            if method_name(call).is_some_and(|m| BATCH_METHODS.contains(&m.as_ref())) {
                return;
            }
            // A page of a list (`env.KV.list({ prefix, cursor })`): each call
            // reads up to a thousand keys, the batched read.
            if method_name(call).is_some_and(|m| m == "list") && passes_cursor(call) {
                return;
            }
            // A database query the loop does not repeat per element, as
            // drizzle-query-in-loop reads it: one per chunk of a list
            // (`inArray(t.id, chunk)`), a page, a retry that stops at the
            // first free slug.
            if cx.db.query_not_per_element(call.span) {
                return;
            }
            None
        } else if cx.repeating().is_none() {
            return;
        } else {
            let Some(target) = target_of(call) else {
                return;
            };
            Some(target)
        };
        // A paging loop (each request needs the previous response's token)
        // is one chain of requests: only a loop around it repeats them.
        let Some(repeat) = cx.hot.hot_repeat_past(cx.frames(), call.span, SMALL_BOUND, true) else {
            return;
        };
        if repeat.in_promise_combinator {
            return; // unbounded-concurrency reports Promise.all callbacks
        }
        // Awaited in a counting or for-of loop, the round trips also add up
        // (what await-in-loop says, which defers to this finding).
        let sequential = awaited
            && matches!(
                repeat.kind,
                Some(LoopKind::For | LoopKind::ForOf | LoopKind::ForIn)
            );
        let limits = cx.limits;
        // The calls of one loop share one cause and one fix: one finding.
        cx.grouped(repeat.span, |cx| match helper {
            None => {
                let text = call_text(cx, call, 60);
                let what = repeat.describe();
                let limit = subrequest_budget(&limits, subrequest_destination(cx, call));
                let latency = if sequential {
                    "; awaited one at a time, each iteration also waits for the previous round trip"
                } else {
                    ""
                };
                let concurrency = concurrency_sentence(sequential, limits);
                let line = cx.line_of(repeat.span);
                let related = cx.sdk_evidence(call);
                // Each URL extends the previous one's (`path += '/' +
                // seg`): the requests walk down a path and may have to go
                // in order (a parent folder created before its child), so
                // neither a batch nor starting them together is the fix.
                if let Some(name) = cx.hot.walks_path(repeat.span, call) {
                    let message = format!(
                        "`{text}` inside a {what} (line {line}): one subrequest per iteration, and {limit}{latency}; each iteration's URL extends `{name}` from the one before (a walk down a path), so the requests may have to go in order"
                    );
                    return cx.report_related(call.span, message, WALK_HELP.to_string(), related);
                }
                let hint = if related.is_empty() {
                    batch_hint(cx, call)
                } else {
                    "Use the API's call that takes many items at once if it has one (e.g. Solana `getMultipleAccountsInfo`), or move the fan-out into a Queue consumer."
                };
                cx.report_related(
                    call.span,
                    format!("`{text}` inside a {what} (line {line}): one subrequest per iteration, and {limit}{latency}"),
                    format!("{hint}{concurrency} {CAP}"),
                    related,
                )
            }
            // The chain follows the message; the help says the latency.
            // Written (with the loop's line) only if the helper makes a
            // subrequest: most calls in loops are to helpers that do not.
            Some(target) => {
                let shape = CallShape::of(call);
                let loop_span = repeat.span;
                cx.report_if_calls_late(
                    target,
                    Effect::Subrequest,
                    call.span,
                    loop_span,
                    std::rc::Rc::new(move |source, line| {
                        let text = shape.text(source, 60);
                        let what = repeat.describe();
                        // A helper's destination is known only from its
                        // chain: both budgets.
                        let limit = subrequest_budget(&limits, None);
                        let concurrency = concurrency_sentence(sequential, limits);
                        (
                            format!("`{text}` inside a {what} (line {line}) makes a subrequest per iteration, and {limit}"),
                            format!("Give the helper all items at once and make one call for them (an upstream endpoint that takes many ids, KV `get([...keys])`, Queues `sendBatch`), or move the fan-out into a Queue consumer.{concurrency} {CAP}"),
                        )
                    }),
                )
            }
        });
    }
}

/// An argument is an object with a `cursor` property.
fn passes_cursor(call: &CallExpr) -> bool {
    call.args.iter().any(|a| match unwrap_expr(&a.expr) {
        Expr::Object(o) => o.props.iter().any(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::Shorthand(id) => id.sym == "cursor",
                Prop::KeyValue(kv) => {
                    matches!(&kv.key, PropName::Ident(k) if k.sym == "cursor")
                        || matches!(&kv.key, PropName::Str(s) if s.value.as_str() == Some("cursor"))
                }
                _ => false,
            },
            PropOrSpread::Spread(_) => false,
        }),
        _ => false,
    })
}

const WALK_HELP: &str = "Bound the depth (reject paths with more segments than the plan's limit allows) so the loop can never exceed it, or use a call that takes the whole path at once if the API has one.";

const CAP: &str = "If the list is small by contract, cap it (e.g. `.max(40)` in the input schema) so it can never exceed the plan's limit.";

/// How to start awaited calls together (none unless `sequential`).
fn concurrency_sentence(sequential: bool, limits: Limits) -> String {
    if sequential {
        format!(
            " Where there is no batch API, start the calls together with a bound (`await Promise.all(chunk.map(...))` over chunks of {}).",
            limits.open_connections
        )
    } else {
        String::new()
    }
}

/// How to do the same work in one call, by what the call talks to.
fn batch_hint(cx: &LintContext<'_>, call: &CallExpr) -> &'static str {
    let method = method_name(call).map(|m| m.as_ref());
    if is_db_chain(call, cx) {
        "Query once for all rows: `inArray(table.column, ids)` in one select, or collect the statements and send them with `db.batch([...])`."
    } else if method.is_some_and(|m| matches!(m, "first" | "all" | "run" | "raw")) {
        "Query once for all rows (`WHERE id IN (...)`), or send the statements together with `env.DB.batch([...])`."
    } else if method == Some("get") {
        "Read all keys in one call: KV `get([...keys])` takes up to 100 keys and returns a Map."
    } else if method == Some("send") {
        "Send them together: Queues `sendBatch([...])` takes up to 100 messages."
    } else {
        "Make one call for all items (an upstream endpoint that takes many ids, an R2 `list`), or move the fan-out into a Queue consumer."
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    /// The project's subrequest-in-loop findings, and each as `file:line`.
    fn places(files: &[(&str, &str)]) -> (Vec<crate::model::report::Diagnostic>, Vec<String>) {
        let found = crate::rules::test_util::lint_project("subrequest-in-loop", files, &[], &Default::default());
        let lines = found
            .iter()
            .map(|d| format!("{}:{}", d.file.as_deref().unwrap_or(""), d.line.unwrap_or(0)))
            .collect();
        (found, lines)
    }

    /// `env.KV?.get(k)`, `env.BUCKET?.delete(k)` are the calls they make
    /// when the binding is there.
    #[test]
    fn fires_on_optional_calls_as_on_plain_ones() {
        assert_fires(
            "subrequest-in-loop",
            r#"export default {
  async fetch(request, env) {
    const keys = await request.json();
    for (const k of keys) {
      await env.KV?.get(k);
    }
    for (const k of keys) {
      await env.BUCKET?.delete(k);
    }
    return new Response("ok");
  },
};
"#,
            &[(5, "env.KV?.get(k)"), (8, "env.BUCKET?.delete(k)")],
        );
    }

    #[test]
    fn fires_per_iteration() {
        assert_fires(
            "subrequest-in-loop",
            r#"app.post("/", async (c) => {
  for (const item of input.items) {
    const stock = await c.env.CACHE.get(`stock:${item.sku}`);
  }
  const db = c.var.db;
  for (const o of userOrders) {
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
  }
  ids.forEach((id) => c.env.QUEUE.send({ id }));
  while (queue.length) {
    const next = queue.shift();
    await fetch(`${c.env.API}/items/${next}`);
  }
  for (const k of keys) {
    await env.DB.prepare("SELECT * FROM t WHERE k = ?").bind(k).first();
  }
});"#,
            &[
                (
                    3,
                    "`c.env.CACHE.get(`stock:${item.sku}`)` inside a for-of loop (line 2)",
                ),
                (7, "inside a for-of loop (line 6)"),
                (9, "`c.env.QUEUE.send({ id })` inside a forEach callback"),
                (12, "inside a while loop (line 10)"),
                (
                    15,
                    "`env.DB.prepare(\"SELECT * FROM t WHERE k = ?\").bind(k)",
                ),
            ],
        );
    }

    /// Getting a Durable Object stub sends nothing; a call on the stub is
    /// the subrequest, whether the id and the stub are named or inline.
    #[test]
    fn durable_object_stub_calls_are_the_subrequests() {
        let source = r#"app.post("/", async (c) => {
  for (const uid of members) {
    const doId = c.env.ROOMS.idFromName(`ws-${uid}`);
    const stub = c.env.ROOMS.get(doId);
    await stub.fetch(new Request("https://do/broadcast", { method: "POST" }));
  }
  for (const uid of members) {
    const stub = c.env.ROOMS.getByName(uid);
    await stub.notify(uid);
  }
  for (const uid of members) {
    await c.env.ROOMS.get(c.env.ROOMS.idFromName(uid)).fetch("https://do/x");
  }
  for (const key of keys) {
    const value = c.env.CACHE.get(key);
    await value;
  }
});"#;
        let expected = [
                (5, "`stub.fetch(…)` inside a for-of loop (line 2)"),
                (9, "`stub.notify(uid)`"),
                (12, "inside a for-of loop (line 11)"),
                (15, "`c.env.CACHE.get(key)`"),
            ];
        assert_fires("subrequest-in-loop", source, &expected);
        // With every rule on (some look ahead in a block before the walk
        // reaches the stub's declaration), the same findings.
        let all = crate::rules::test_util::Case::new().file("test.ts", source).run();
        let lines: Vec<u32> = all
            .iter()
            .filter(|d| d.rule == "subrequest-in-loop")
            .filter_map(|d| d.line)
            .collect();
        assert_eq!(lines, [5, 9, 12, 15]);
    }

    /// A Kysely query run (`executeTakeFirst()` on a `selectFrom` chain) is
    /// a database round trip: per item in a loop (exif-frame's data layer
    /// was not seen). A builder that is not run sends nothing.
    #[test]
    fn kysely_queries_run_in_loops() {
        assert_fires(
            "subrequest-in-loop",
            r#"export async function tags(db: Kysely<Database>, ids: number[]) {
  for (const id of ids) {
    await db.selectFrom("tag").select(["id", "name"]).where("id", "=", id).executeTakeFirst();
  }
  const built = [];
  for (const id of ids) built.push(db.selectFrom("tag").selectAll().where("id", "=", id));
  return built;
}
"#,
            &[(3, "inside a for-of loop (line 2)")],
        );
    }

    /// A class field typed as a binding (`private registry: R2Bucket`, or a
    /// constructor's `private kv: KVNamespace`) is the binding:
    /// `this.registry.get(k)` in a loop is one call per item
    /// (serverless-registry's garbage collector). A field of another type
    /// is not.
    #[test]
    fn class_fields_typed_as_bindings_are_bindings() {
        assert_fires(
            "subrequest-in-loop",
            r#"export class GarbageCollector {
  private registry: R2Bucket;
  private names: Map<string, string> = new Map();
  constructor(registry: R2Bucket, private kv: KVNamespace) {
    this.registry = registry;
  }
  async collect(keys: string[]) {
    for (const key of keys) {
      const manifest = await this.registry.get(key);
      await this.kv.get(key);
      this.names.get(key);
    }
  }
}
"#,
            &[(9, "`this.registry.get(key)` inside a for-of loop (line 8)")],
        );
    }

    /// A parameter whose every caller in the file gives a short list
    /// (HonoWarden's `enforceAuthRequestQuotas(c, name, [{ … }, { … }])`)
    /// holds at most that many: a loop over it is a few calls. Not when a
    /// caller gives a list of unknown length, the name is used otherwise
    /// (passed on: anyone may call it), the function is exported, or its
    /// parameters are not one name each (a destructured one: positions no
    /// longer match the arguments').
    #[test]
    fn parameters_every_caller_gives_a_short_list() {
        assert_fires(
            "subrequest-in-loop",
            r#"async function enforceQuotas(db: D1Database, quotas: Array<{ key: string }>) {
  for (const quota of quotas) {
    await db.prepare("INSERT INTO hits (key) VALUES (?)").bind(quota.key).run();
  }
}
async function notifyAll(urls: string[]) {
  for (const url of urls) await fetch(url);
}
async function passedOn(urls: string[]) {
  for (const url of urls) await fetch(url);
}
export async function exported(urls: string[]) {
  for (const url of urls) await fetch(url);
}
async function destructured({ a, b }: { a: number; b: number }, urls: string[], tags: string[]) {
  for (const url of urls) await fetch(url);
}
export default {
  async fetch(req: Request, env: { DB: D1Database }) {
    await destructured({ a: 1, b: 2 }, await req.json(), ["x"]);
    await enforceQuotas(env.DB, [{ key: "ip" }]);
    await enforceQuotas(env.DB, [{ key: "account" }, { key: "device" }]);
    await notifyAll(["https://a.example", "https://b.example"]);
    await notifyAll(await req.json());
    await passedOn(["https://a.example"]);
    queueMicrotask(() => passedOn);
    await exported(["https://a.example"]);
    return new Response("ok");
  },
};
"#,
            &[
                (7, "inside a for-of loop (line 7)"),
                (10, "inside a for-of loop (line 10)"),
                (13, "inside a for-of loop (line 13)"),
                (16, "inside a for-of loop (line 16)"),
            ],
        );
    }

    /// A part of a binding's type (`Pick<D1Database, 'prepare'>`), through
    /// a type alias of the file (HonoWarden's repositories: 30 of them) or
    /// with `| undefined`, is a binding's type too. Another `Pick` is not.
    #[test]
    fn picks_and_aliases_of_binding_types_are_bindings() {
        assert_fires(
            "subrequest-in-loop",
            r#"type CipherDatabase = Pick<D1Database, 'prepare'>;
export type BatchDatabase = Readonly<Pick<D1Database, 'batch' | 'prepare'>>;
type Other = Pick<Map<string, string>, 'get'>;
export async function load(db: CipherDatabase, batch: BatchDatabase | undefined, kv: Pick<KVNamespace, 'get'>, other: Other, ids: string[]) {
  for (const id of ids) await db.prepare("SELECT * FROM t WHERE id = ?").bind(id).first();
  for (const id of ids) await batch!.prepare("SELECT 1").first();
  for (const id of ids) await kv.get(id);
  for (const id of ids) await other.get(id);
}"#,
            &[
                (5, "inside a for-of loop (line 5)"),
                (6, "inside a for-of loop (line 6)"),
                (7, "`kv.get(id)`"),
            ],
        );
    }

    /// A parameter typed as a binding is one, whatever its name.
    #[test]
    fn names_typed_as_bindings_are_bindings() {
        assert_fires(
            "subrequest-in-loop",
            r#"export async function load(db: D1Database, kv: KVNamespace, ids: string[], rooms: DurableObjectNamespace) {
  for (const id of ids) {
    await db.prepare("SELECT * FROM t WHERE id = ?").bind(id).first();
  }
  for (const id of ids) await kv.get(id);
  for (const id of ids) {
    const stub = rooms.get(rooms.idFromName(id));
    await stub.fetch("https://do/x");
  }
  const list: string[] = [];
  for (const id of ids) list.push(id);
}"#,
            &[
                (3, "inside a for-of loop (line 2)"),
                (5, "`kv.get(id)`"),
                (8, "`stub.fetch(\"https://do/x\")`"),
            ],
        );
    }

    #[test]
    fn silent_when_covered_bounded_or_batched() {
        assert_silent(
            "subrequest-in-loop",
            r#"app.post("/", async (c) => {
  const results = await Promise.all(ids.map(async (id) => fetch(`/s/${id}`)));
  for (const region of ["us", "eu"]) {
    await fetch(`https://${region}.example`);
  }
  for (let i = 0; i < 3; i++) await c.env.CACHE.get(`k${i}`);
  const MAX_ATTEMPTS = 3;
  let attempt = 0;
  while (attempt < MAX_ATTEMPTS) {
    const r = await fetch(url);
    if (r.ok) break;
    attempt++;
  }
  ["a", "b"].forEach((k) => c.env.CACHE.delete(k));
  const db = c.var.db;
  const queries = [];
  for (const o of orders) queries.push(db.insert(items).values(o));
  await db.batch(queries);
  await db.batch(orders.map((o) => db.insert(items).values(o)));
  const stmts = keys.map((k) => c.env.DB.prepare("SELECT ?").bind(k));
  await c.env.DB.batch(stmts);
  for (const name of names) {
    const id = c.env.ROOMS.idFromName(name);
  }
  for (const x of xs) { total += x.price; }
  for (const x of xs) {
    try { total += parse(x); } catch (e) { await fetch("https://alerts.example", { method: "POST", body: String(e) }); }
  }
  await mapLimit(ids, 6, async (id) => fetch(`/z/${id}`));
  for (let i = 0; i < rows.length; i += 100) {
    const stmts = rows.slice(i, i + 100).map((r) => c.env.DB.prepare("INSERT INTO t VALUES (?)").bind(r.id));
    await c.env.DB.batch(stmts);
    await c.env.QUEUE.sendBatch(rows.slice(i, i + 100).map((r) => ({ body: r })));
  }
});"#,
        );
    }

    /// The subrequest is in a helper in another file, two calls down:
    /// reported at the loop's call, with the chain as evidence. A helper
    /// that makes none, or a loop over a literal list, stays silent.
    #[test]
    fn follows_calls_across_files() {
        use crate::rules::test_util::lint_project;
        let files = [
            (
                "src/routes/sync.ts",
                r#"import { saveItem, formatItem } from '../lib/items';
import * as driver from '../lib/driver';
export async function sync(items) {
  for (const item of items) {
    await saveItem(item);
    formatItem(item);
    await driver.get(item.id);
  }
  for (const region of ['us', 'eu']) await saveItem(region);
}
"#,
            ),
            (
                "src/lib/items.ts",
                r#"import { put } from './driver';
export async function saveItem(item) {
  return put(item);
}
export function formatItem(item) {
  return String(item.id);
}
"#,
            ),
            (
                "src/lib/driver.ts",
                r#"export async function put(item) {
  return fetch('https://api.example.com/items', { method: 'POST', body: JSON.stringify(item) });
}
export const get = async (id) => fetch(`https://api.example.com/items/${id}`);
"#,
            ),
        ];
        let found = lint_project("subrequest-in-loop", &files, &[], &Default::default());
        let lines: Vec<String> = found
            .iter()
            .map(|d| format!("{}:{} {}", d.file.as_deref().unwrap_or(""), d.line.unwrap_or(0), d.message))
            .collect();
        // One finding for the first loop: `driver.get` is its second call.
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert_eq!(
            lines[0],
            "src/routes/sync.ts:5 `saveItem(item)` inside a for-of loop (line 4) makes a subrequest per iteration, and a request may make only 50 to the internet and 1,000 to Cloudflare services on the Free plan: `saveItem` (through saveItem → put) calls `fetch('https://api.example.com/items', { method: 'POST', body:…` at src/lib/driver.ts:2; 1 other call in this loop does the same (related)",
        );
        let related: Vec<String> = found[0]
            .related
            .iter()
            .map(|r| format!("{}:{}:{} {}", r.file, r.line, r.column, r.message))
            .collect();
        assert_eq!(
            related,
            [
                "src/lib/items.ts:2:1 `saveItem` calls `put`",
                "src/lib/driver.ts:2:10 `put` calls `fetch('https://api.example.com/items', { method: 'POST', body:…`",
                "src/routes/sync.ts:7:11 also in this loop: `driver.get(item.id)`",
                "src/lib/driver.ts:4:34 `get` calls `fetch(`https://api.example.com/items/${id}`)`",
            ]
        );
    }

    /// A path with no origin is no URL in a Worker (browser code polls
    /// it); a variable's string or array methods are no binding calls.
    #[test]
    fn browser_fetches_and_variables_are_not_subrequests() {
        crate::rules::test_util::Case::new()
            .rules(&["subrequest-in-loop", "floating-promise"])
            .file(
                "app/routes/results.tsx",
                r#"export async function poll(env: Env, id: string, items: string[]) {
  while (true) {
    const res = await fetch(`/api/tests/${id}/status`);
    if ((await res.json()).done) break;
  }
  for (const item of items) {
    env.ALLOWED_ORIGINS.split(',').forEach((o) => console.log(o, item));
    env.MOCK_DATA.forEach((b: string) => console.log(b));
  }
  for (const item of items) await fetch(`//cdn.example.com/${item}`);
  for (const item of items) await fetch(`https://cdn.example.com/${item}`);
}
"#,
            )
            .assert_fires(&[("app/routes/results.tsx", 11, "inside a for-of loop (line 11)")]);
    }

    /// A loop over chunks is the batched form (each call covers a chunk);
    /// a fallback loop stops at the first candidate that has something.
    #[test]
    fn chunk_loops_and_first_found() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["subrequest-in-loop", "await-in-loop"])
            .file(
                "src/sync.ts",
                r#"export async function sync(env: Env, subscribers: string[], keys: string[]) {
  const chunkSize = 1000;
  for (let i = 0; i < subscribers.length; i += chunkSize) {
    await fetch(env.API, { method: 'POST', body: JSON.stringify(subscribers.slice(i, i + chunkSize)) });
  }
  for (let i = 0; i < subscribers.length; i = i + 100) {
    await env.QUEUE.sendBatch(subscribers.slice(i, i + 100).map((body) => ({ body })));
  }
  const batchSize = 6;
  for (let i = 0; i < subscribers.length; i += batchSize) {
    await fetch(env.API, { method: 'POST', body: JSON.stringify(subscribers.slice(i, i + batchSize)) });
  }
  let first;
  for (const key of keys) {
    const found = await env.BUCKET.head(key);
    if (found.size > 0) {
      first = key;
      break;
    }
  }
  let cursor: string | undefined;
  do {
    const page = await env.EVENTS.list({ prefix: 'event:', cursor });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  for (let i = 0; i < subscribers.length; i += 1) {
    await fetch(`${env.API}/${subscribers[i]}`);
  }
  const step = 1;
  for (let i = 0; i < subscribers.length; i += step) {
    await fetch(`${env.API}/${subscribers[i]}`);
  }
  for (let i = 0; i < subscribers.length; i += CONFIG.CHUNK_SIZE) {
    await fetch(env.API, { method: 'POST', body: JSON.stringify(subscribers.slice(i, i + CONFIG.CHUNK_SIZE)) });
  }
}
"#,
            )
            .assert_fires(&[
                ("src/sync.ts", 27, "inside a for loop (line 26)"),
                ("src/sync.ts", 31, "inside a for loop (line 30)"),
            ]);
    }

    /// A queue handler's loop over `batch.messages` repeats at most the
    /// consumers' `max_batch_size` times (from the wrangler config).
    #[test]
    fn queue_batches_are_as_large_as_the_consumer_allows() {
        use crate::model::project::ProjectInfo;
        use crate::rules::test_util::Case;
        let source = r#"export default {
  async queue(batch: MessageBatch<{ url: string }>, env: Env) {
    for (const message of batch.messages) {
      await fetch(message.body.url);
      message.ack();
    }
  },
};
"#;
        let project = |size: Option<u32>| ProjectInfo {
            queue_batch_size: size,
            ..ProjectInfo::default()
        };
        let case = |size: Option<u32>| {
            Case::new()
                .rules(&["subrequest-in-loop"])
                .project(project(size))
                .file("src/index.ts", source)
        };
        case(Some(1)).assert_silent();
        case(Some(10)).assert_silent();
        // Nor is it a chain of round trips (await-in-loop), nor an
        // unbounded fan-out.
        case(Some(1)).rules(&["await-in-loop"]).assert_silent();
        let fan_out = "export default {\n  async queue(batch, env) {\n    await Promise.all(batch.messages.map((m) => fetch(m.body.url)));\n  },\n};\n";
        let fan_out = |size: Option<u32>| {
            Case::new()
                .rules(&["unbounded-concurrency"])
                .project(project(size))
                .file("src/index.ts", fan_out)
        };
        fan_out(Some(10)).assert_silent();
        fan_out(Some(100)).assert_fires(&[("src/index.ts", 3, "batch.messages may hold up to 100 elements")]);
        case(Some(100)).assert_fires(&[("src/index.ts", 4, "inside a for-of loop (line 3)")]);
        // A consumer function the handler delegates to, known by its type.
        Case::new()
            .rules(&["subrequest-in-loop"])
            .project(project(Some(5)))
            .file(
                "src/queue.ts",
                "export async function consume(jobs: MessageBatch<Job>, env: Env) {\n  for (const m of jobs.messages) await fetch(m.body.url);\n}\n",
            )
            .assert_silent();
        // Without a consumer in the config the batch's size is unknown.
        case(None).assert_fires(&[("src/index.ts", 4, "inside a for-of loop (line 3)")]);
    }

    /// A helper that only calls binding methods that work locally (an
    /// Analytics Engine data point, a D1 statement prepared, a Durable
    /// Object id) makes no subrequest.
    #[test]
    fn helpers_of_local_binding_methods_send_nothing() {
        let (found, lines) = places(&[
            (
                "src/stats.ts",
                r#"export function track(env: Env, event: string) {
  env.APP_LOG.writeDataPoint({ blobs: [event], doubles: [1] });
}
export function statement(env: Env, id: string) {
  return env.DB.prepare('SELECT * FROM t WHERE id = ?').bind(id);
}
export function roomId(env: Env, name: string) {
  return env.ROOMS.idFromName(name);
}
export async function save(env: Env, event: string) {
  await env.EVENTS.put(event, '1');
}
"#,
            ),
            (
                "src/index.ts",
                r#"import { track, statement, roomId, save } from './stats';
export async function handle(env: Env, events: string[]) {
  events.forEach((e) => track(env, e));
  const statements = events.map((e) => statement(env, e));
  for (const e of events) roomId(env, e);
  for (const e of events) await save(env, e);
  return env.DB.batch(statements);
}
"#,
            ),
        ]);
        assert_eq!(lines, ["src/index.ts:6"], "{found:#?}");
    }

    /// A callback's subrequest counts for the function that creates it; a
    /// nested helper is found by name where it is declared.
    #[test]
    fn callbacks_and_nested_helpers_count() {
        let files = [
            (
                "src/a.ts",
                r#"import { pushAll } from './b';
export async function run(batches) {
  const ping = async (b) => { await notify(b); };
  for (const b of batches) {
    await pushAll(b);
    await ping(b);
  }
}
async function notify(b) {
  setTimeout(() => {}, 1);
}
"#,
            ),
            (
                "src/b.ts",
                r#"export async function pushAll(batch) {
  await Promise.all(batch.map(async (x) => { await fetch(`https://x.example/${x}`); }));
}
"#,
            ),
        ];
        let (found, lines) = places(&files);
        assert_eq!(lines, ["src/a.ts:5"], "{found:#?}");
    }

    /// `this.method()` names a method of the same class.
    #[test]
    fn follows_methods_of_the_class() {
        use crate::rules::test_util::lint_project;
        let files = [(
            "src/github.ts",
            r#"export class GitHubService {
  private async request(path: string) {
    const response = await fetch(`https://api.github.com${path}`);
    return response.json();
  }
  private label(repo) { return repo.name; }
  async details(repos) {
    for (const repo of repos) {
      this.label(repo);
      await this.request(`/repos/${repo.name}`);
    }
  }
}
"#,
        )];
        let found = lint_project("subrequest-in-loop", &files, &[], &Default::default());
        let lines: Vec<String> = found
            .iter()
            .map(|d| format!("{} {}", d.line.unwrap_or(0), d.message))
            .collect();
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(lines[0].starts_with("10 `this.request(`/repos/${repo.name}`)` inside a for-of loop (line 8)"), "{}", lines[0]);
        assert!(lines[0].ends_with("`this.request` calls `fetch(`https://api.github.com${path}`)` at src/github.ts:3"), "{}", lines[0]);
    }

    /// An instance of a project class, in a variable or a field: its
    /// method is followed into the class's file.
    #[test]
    fn follows_methods_of_instances() {
        let files = [
            (
                "src/sync.ts",
                r#"import { Driver } from './driver';
export class Sync {
  constructor(token) { this.driver = new Driver(token); }
  async run(ids) {
    for (const id of ids) await this.driver.load(id);
  }
}
export async function once(ids) {
  const driver = new Driver('t');
  for (const id of ids) await driver.load(id);
  const list = [];
  for (const id of ids) list.push(id);
}
"#,
            ),
            (
                "src/driver.ts",
                r#"export class Driver {
  constructor(token) { this.token = token; }
  async load(id) { return fetch(`https://api.example.com/${id}`, { headers: { authorization: this.token } }); }
}
"#,
            ),
        ];
        let (found, lines) = places(&files);
        assert_eq!(lines, ["src/sync.ts:5", "src/sync.ts:10"], "{found:#?}");
        assert!(found[0].message.ends_with("at src/driver.ts:3"), "{}", found[0].message);
    }

    /// In `export default { async fetch() { … } }`, a plain `fetch(url)` is
    /// the global one: the handler's method name is a key, not a binding
    /// (it was taken for a call of the handler, whose query made it a
    /// drizzle-query-in-loop finding instead).
    #[test]
    fn a_global_fetch_in_the_fetch_handler_is_the_global_one() {
        use crate::rules::test_util::Case;
        let handler = r#"export default {
  async fetch(request: Request, env: Env) {
    const ids: string[] = await request.json();
    for (const id of ids) await fetch(`https://api.example.com/items/${id}`);
    await env.DB.prepare('SELECT 1').first();
    return new Response('ok');
  },
};
"#;
        let places = Case::new()
            .rules(&["subrequest-in-loop", "drizzle-query-in-loop"])
            .file("src/index.ts", handler)
            .places();
        assert_eq!(places, [("src/index.ts".into(), 4, "subrequest-in-loop".into())]);
        // A function declared with a name is one a plain call names.
        let places = Case::new()
            .rules(&["subrequest-in-loop", "drizzle-query-in-loop"])
            .file(
                "src/index.ts",
                r#"async function load(env: Env, id: string) { return env.DB.prepare('SELECT * FROM t WHERE id = ?').bind(id).first(); }
export default {
  async fetch(request: Request, env: Env) {
    const ids: string[] = await request.json();
    const out = [];
    for (const id of ids) out.push(await load(env, id));
    return Response.json(out);
  },
};
"#,
            )
            .places();
        assert_eq!(places, [("src/index.ts".into(), 6, "drizzle-query-in-loop".into())]);
    }

    /// A database query that a loop runs once per chunk of a list, or to
    /// find a free slug, is no query per element (drizzle-query-in-loop's
    /// reading, which this rule shares): the saas template's chunked
    /// `inArray` updates, mardasa's slug probe. One per element is reported.
    #[test]
    fn database_queries_per_chunk_are_not_per_element() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/apps.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { and, eq, inArray } from 'drizzle-orm';
export async function touch(env: Env, clientIds: string[], base: string) {
  const db = createDb(env.DB);
  for (const chunk of chunkIds(clientIds)) {
    await db.update(apps).set({ seen: 1 }).where(inArray(apps.clientId, chunk));
  }
  let slug = base;
  let attempt = 1;
  while (true) {
    const existing = await db.select({ id: schools.id }).from(schools).where(eq(schools.slug, slug)).get();
    if (!existing) break;
    slug = `${base}-${++attempt}`;
  }
  for (const id of clientIds) {
    await db.update(apps).set({ seen: 1 }).where(eq(apps.clientId, id));
  }
}
"#,
            )
            .places();
        assert_eq!(places, [("src/apps.ts".into(), 16, "subrequest-in-loop".into())]);
    }

    /// A list that starts as a literal and grows by a push where it is
    /// declared (`if (admin) hooks.push(admin)`) has as many elements as
    /// pushes at most; one pushed in a loop, or given to a function, may
    /// have any number.
    #[test]
    fn lists_of_a_few_pushes_are_small() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/hooks.ts",
                r#"export async function notify(env: Env, mail: Mail, users: string[]) {
  const hooks: Hook[] = [];
  const admin = await env.KV.get('admin-hook', 'json');
  if (admin?.enabled) hooks.push(admin);
  const own = await env.KV.get(`hook:${mail.to}`, 'json');
  if (own?.enabled) hooks.push(own);
  for (const hook of hooks) await fetch(hook.url, { method: 'POST', body: mail.raw });
  const perUser: Hook[] = [];
  for (const user of users) perUser.push(await env.KV.get(`hook:${user}`, 'json'));
  for (const hook of perUser) await fetch(hook.url, { method: 'POST', body: mail.raw });
  const given: Hook[] = [];
  collect(given, users);
  for (const hook of given) await fetch(hook.url, { method: 'POST', body: mail.raw });
}
"#,
            )
            .places();
        assert_eq!(
            places,
            [
                ("src/hooks.ts".into(), 9, "subrequest-in-loop".into()),
                ("src/hooks.ts".into(), 10, "subrequest-in-loop".into()),
                ("src/hooks.ts".into(), 13, "subrequest-in-loop".into())
            ]
        );
    }

    /// A helper whose subrequests run only under `if (option)`, the option
    /// a parameter that defaults to `false` (wildebeest's
    /// `loadExternalMastodonAccount(acct, actor, loadStats = false)`): a
    /// call that leaves it out or passes `false`, directly or through
    /// another helper, makes none; one that passes `true` or a variable
    /// may.
    #[test]
    fn options_that_default_to_false_gate_a_helpers_subrequests() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/account.ts",
                r#"export async function loadAccount(acct: string, actor: Actor, loadStats: boolean = false) {
  const account = { acct, followers: 0 };
  if (loadStats === true) {
    account.followers = await countFollowers(actor);
  }
  return account;
}
async function countFollowers(actor: Actor) {
  const res = await fetch(actor.followers);
  return ((await res.json()) as { totalItems: number }).totalItems;
}
export async function withPosts(id: string, posts = false) {
  if (posts) [1].forEach(async () => await fetch(`https://x.example/${id}`));
  return id;
}
"#,
            )
            .file(
                "src/timeline.ts",
                r#"import { loadAccount, withPosts } from './account';
export async function timeline(rows: Row[]) {
  const out = [];
  for (const row of rows) out.push(await loadAccount(row.acct, row.actor));
  for (const row of rows) out.push(await loadAccount(row.acct, row.actor, false));
  for (const row of rows) out.push(await loadAccount(row.acct, row.actor, true));
  for (const row of rows) out.push(await loadAccount(row.acct, row.actor, row.stats));
  for (const row of rows) out.push(await toStatus(row));
  for (const row of rows) out.push(await withPosts(row.id));
  for (const row of rows) out.push(await withPosts(row.id, ...row.flags));
  return out;
}
async function toStatus(row: Row) {
  return { account: await loadAccount(row.acct, row.actor) };
}
"#,
            )
            .places();
        assert_eq!(
            places,
            [
                ("src/timeline.ts".into(), 6, "subrequest-in-loop".into()),
                ("src/timeline.ts".into(), 7, "subrequest-in-loop".into()),
                ("src/timeline.ts".into(), 10, "subrequest-in-loop".into())
            ]
        );
    }

    /// A list made from a known one (`FEEDS.filter(…)`, `.map`, `.slice(1)`)
    /// has at most its elements, and `Object.keys(MIRRORS)` one per
    /// property of the literal; not an object that gains properties, nor a
    /// list made from a parameter.
    #[test]
    fn lists_made_from_known_ones_are_small() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/feeds.ts",
                r#"const FEEDS = [{ url: 'https://a.example/rss', on: true }, { url: 'https://b.example/rss', on: false }];
const ACTIVE = FEEDS.filter((f) => f.on);
const MIRRORS = { eu: 'https://eu.example', us: 'https://us.example' };
const GROWN = { eu: 'https://eu.example' };
export async function poll(env: Env, extra: { url: string }[], name: string) {
  for (const feed of ACTIVE) await fetch(feed.url);
  for (const url of FEEDS.map((f) => f.url).slice(1)) await fetch(url);
  for (const [region, base] of Object.entries(MIRRORS)) await fetch(`${base}/${region}`);
  GROWN[name] = `https://${name}.example`;
  for (const base of Object.values(GROWN)) await fetch(base);
  for (const feed of extra.filter((f) => f.url)) await fetch(feed.url);
  // One of a list or all of a known one (the SaaS template's rebuild).
  const picked = name ? [name] : Object.keys(MIRRORS);
  for (const region of picked) await fetch(`https://${region}.example`);
  const either = name ? [name] : extra;
  for (const e of either) await fetch(`https://x.example/${e}`);
}
"#,
            )
            .places();
        assert_eq!(
            places,
            [
                ("src/feeds.ts".into(), 10, "subrequest-in-loop".into()),
                ("src/feeds.ts".into(), 11, "subrequest-in-loop".into()),
                ("src/feeds.ts".into(), 16, "subrequest-in-loop".into())
            ]
        );
    }

    /// The rows of a D1 query with a constant `LIMIT` are as many as the
    /// limit at most (a cleanup that takes 10 requests at a time): a few
    /// calls; a larger limit, the limit of a subquery only, or a bound one
    /// (`LIMIT ?`), is no such bound.
    #[test]
    fn rows_of_a_d1_query_with_a_constant_limit_are_that_many() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/scheduled.ts",
                r#"export async function cleanup(db: D1Database, n: number) {
  const pending = await db.prepare(`SELECT id, hash FROM deletion_requests WHERE status = 'pending' ORDER BY created_at LIMIT 5`).all();
  for (const request of pending.results) {
    await db.prepare('DELETE FROM visits WHERE hash = ?').bind(request.hash).run();
    await db.prepare('UPDATE deletion_requests SET status = ? WHERE id = ?').bind('done', request.id).run();
  }
  const many = await db.prepare('SELECT id FROM visits WHERE id IN (SELECT id FROM visits LIMIT 5) LIMIT 5000').all();
  for (const row of many.results) {
    await db.prepare('DELETE FROM visits WHERE id = ?').bind(row.id).run();
  }
  const asked = await db.prepare('SELECT id FROM visits LIMIT ?').bind(n).all();
  for (const row of asked.results) {
    await db.prepare('DELETE FROM visits WHERE id = ?').bind(row.id).run();
  }
}
"#,
            )
            .places();
        assert_eq!(
            places,
            [
                ("src/scheduled.ts".into(), 9, "subrequest-in-loop".into()),
                ("src/scheduled.ts".into(), 13, "subrequest-in-loop".into())
            ]
        );
    }

    /// A paging loop: each request needs the previous response's token (or
    /// `hasMore` flag), so the requests cannot run together and there is no
    /// batch form. A loop around it repeats the chain and is reported; a
    /// `while` whose condition is not read from a response is per item.
    #[test]
    fn paging_loops_are_one_chain() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/index.ts",
                r#"export default {
  async fetch(req: Request, env: { API: string }) {
    const items: string[] = [];
    let token = "";
    do {
      const url = new URL(env.API);
      if (token) url.searchParams.set("continuation-token", token);
      const res = await fetch(url);
      const page = (await res.json()) as { items: string[]; next?: string };
      items.push(...page.items);
      token = page.next ?? "";
    } while (token);
    let more = true;
    let offset = 0;
    while (more) {
      const data = await (await fetch(`${env.API}?offset=${offset}`)).json();
      offset += data.items.length;
      more = data.has_more;
    }
    let next;
    do {
      next = (await (await fetch(`${env.API}?after=${next}`)).json()).next;
    } while (next);
    const queue = [...items];
    while (queue.length) {
      const item = queue.shift();
      await fetch(`${env.API}/items/${item}`);
    }
    let done = false;
    while (!done) {
      const res = await fetch(`${env.API}/${items.pop()}`);
      done = items.length === 0;
    }
    for (const user of items) {
      let cursor;
      do {
        const page = await (await fetch(`${env.API}/${user}?cursor=${cursor}`)).json();
        cursor = page.cursor;
      } while (cursor);
    }
    let job;
    while (true) {
      job = await (await fetch(`${env.API}/jobs/1`)).json();
      if (job.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    for (;;) {
      const item = items.pop();
      if (!item) break;
      await fetch(`${env.API}/items/${item}`);
    }
    let url = env.API;
    while (true) {
      const page = await (await fetch(url)).json();
      if (!page.next) break;
      url = page.next;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    let n = 1;
    while (true) {
      const page = await (await fetch(`${env.API}?page=${n}`)).json();
      if (page.items.length === 0) break;
      await sleep(500);
      n += 1;
    }
    return Response.json(items);
  },
};
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 27, "inside a while loop (line 25)"),
                ("src/index.ts", 31, "inside a while loop (line 30)"),
                ("src/index.ts", 37, "inside a for-of loop (line 34)"),
                ("src/index.ts", 50, "inside a for loop (line 47)"),
                ("src/index.ts", 54, "inside a while loop (line 53)"),
                ("src/index.ts", 61, "inside a while loop (line 60)"),
            ]);
    }

    /// Paging with a constant bound that stops at the last page
    /// (ai-platform's Composio accounts, `MAX_PAGES = 20`, and GitHub
    /// repositories, `while (page <= 10)`): one chain of at most that many
    /// requests. Without the stop it is a loop of 20 requests that could
    /// run together.
    #[test]
    fn bounded_paging_that_stops_at_the_last_page_is_one_chain() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/index.ts",
                r#"const MAX_PAGES = 20;
export default {
  async fetch(req: Request, env: { API: string }) {
    const accounts: string[] = [];
    let cursor: string | undefined;
    for (let pageIndex = 0; pageIndex < MAX_PAGES; pageIndex++) {
      const response = parse(await (await fetch(`${env.API}?cursor=${cursor}`)).json());
      accounts.push(...response.items);
      cursor = response.nextCursor;
      if (!cursor) {
        return Response.json(accounts);
      }
    }
    let page = 1;
    while (page <= 10) {
      const res = await fetch(`${env.API}/repos?per_page=100&page=${page}`);
      const data = (await res.json()) as { repositories?: string[] };
      const repos = Array.isArray(data.repositories) ? data.repositories : [];
      accounts.push(...repos);
      if (repos.length < 100) {
        break;
      }
      page += 1;
    }
    for (let i = 0; i < MAX_PAGES; i++) {
      await fetch(`${env.API}/items/${i}`);
    }
    return Response.json(accounts);
  },
};
declare function parse(x: unknown): { items: string[]; nextCursor?: string };
"#,
            )
            .assert_fires(&[("src/index.ts", 26, "inside a for loop (line 25)")]);
    }

    /// A request whose URL extends a path each iteration (one `MKCOL` per
    /// segment, each creating the parent of the next) may have to go in
    /// order: reported for the cap, without the advice to start the calls
    /// together. A counter (`offset += 100`) or a string built anew per
    /// iteration is not a walk.
    #[test]
    fn path_walks_are_reported_without_concurrency_advice() {
        use crate::rules::test_util::Case;
        let found = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/index.ts",
                r#"export async function ensureDir(base: string, path: string, ids: string[]) {
  let current = "";
  for (const segment of path.split("/").filter(Boolean)) {
    current = current + "/" + segment;
    const res = await fetch(base + current, { method: "MKCOL" });
    if (![200, 201, 405].includes(res.status)) throw new Error("mkcol failed");
  }
  let dir = base;
  for (const segment of path.split("/")) {
    dir += `/${segment}`;
    await fetch(dir, { method: "MKCOL" });
  }
  let offset = 0;
  for (const id of ids) {
    await fetch(`${base}/${id}?offset=${offset}`);
    offset += 100;
  }
  for (const id of ids) {
    let url = base;
    url += "/" + id;
    await fetch(url);
  }
}
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 5, "each iteration's URL extends `current` from the one before"),
                ("src/index.ts", 11, "each iteration's URL extends `dir` from the one before"),
                ("src/index.ts", 15, "inside a for-of loop (line 14)"),
                ("src/index.ts", 21, "inside a for-of loop (line 18)"),
            ]);
        for d in &found[..2] {
            assert!(!d.help.contains("Promise.all"), "{d:?}");
        }
        for d in &found[2..] {
            assert!(!d.message.contains("extends"), "{d:?}");
            assert!(d.help.contains("Promise.all"), "{d:?}");
        }
    }

    #[test]
    fn silent_in_retry_and_fallback_loops() {
        assert_silent(
            "subrequest-in-loop",
            r#"export async function get(urls: string[], env: Env) {
  for (const url of urls) {
    try {
      return await fetch(url);
    } catch (e) {}
  }
  let tries = 0;
  let res;
  do {
    res = await fetch(urls[0]);
  } while (!res.ok && ++tries < 5);
  while (true) {
    const res = await env.API.fetch("https://api/x");
    if (res.status === 200) return res;
  }
}"#,
        );
    }

    /// A branch for the first iteration only (`if (i === 0 && …)`: lineai's
    /// scenario engine sends the first step at once) or under a flag the
    /// branch sets runs once per run of the loop; a branch for the others
    /// (`i > 0`) runs per element.
    #[test]
    fn branches_of_one_iteration_run_once() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/steps.ts",
                r#"export async function run(steps: { url: string; delay: number }[], rows: string[]) {
  for (let i = 0; i < steps.length; i++) {
    if (i === 0 && steps[i].delay === 0) {
      await fetch(steps[i].url);
    }
  }
  for (const [i, step] of steps.entries()) {
    if (0 === i) await fetch(step.url);
  }
  let announced = false;
  for (const row of rows) {
    if (!announced) {
      announced = true;
      await fetch("https://hooks.example.com/start");
    }
  }
  for (let i = 0; i < steps.length; i++) {
    if (i > 0) await fetch(steps[i].url);
  }
}
"#,
            )
            .places();
        assert_eq!(places, [("src/steps.ts".into(), 18, "subrequest-in-loop".into())]);
    }

    /// A probe for a free name stops at the first lookup that finds
    /// nothing (pastebin-worker's `while (true)`); a loop that goes on to
    /// use what it found drains a list, one call per item.
    #[test]
    fn silent_in_probes_for_a_free_name() {
        assert_silent(
            "subrequest-in-loop",
            r#"export async function create(env: Env, content: string) {
  let short;
  while (true) {
    short = crypto.randomUUID().slice(0, 6);
    if ((await env.PB.get(short)) === null) break;
  }
  let id;
  do {
    id = crypto.randomUUID().slice(0, 8);
  } while ((await env.PB.get(id)) !== null);
  for (;;) {
    const name = crypto.randomUUID();
    const taken = await env.PB.get(name);
    if (!taken) break;
  }
  await env.PB.put(short, content);
}"#,
        );
        assert_fires(
            "subrequest-in-loop",
            r#"export async function drain(env: Env) {
  let i = 0;
  while (true) {
    const job = await env.JOBS.get(`job:${i++}`);
    if (job === null) break;
    await fetch("https://api.example.com/run", { method: "POST", body: job });
  }
}"#,
            &[(4, "1 other call in this loop")],
        );
    }

    /// A first match: the call is followed, in its block, by an
    /// unconditional exit of the loop (`return`, `break`, `throw`), so it
    /// runs at most once per run of the loop.
    #[test]
    fn silent_in_first_match_loops() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["subrequest-in-loop", "await-in-loop"])
            .file(
                "src/index.ts",
                r#"const ROUTES: Record<string, string> = { '/a': 'x', '/b': 'y' };
const API_PERMISSIONS: Record<string, string> = { '/api/emails': 'read', '/api/config': 'admin' };

export default {
  async fetch(request: Request, env: Env) {
    const path = new URL(request.url).pathname;
    for (const [route, permission] of Object.entries(API_PERMISSIONS)) {
      if (path.startsWith(route)) {
        const ok = await env.AUTH.fetch(`https://auth/check/${permission}`);
        if (!ok) return new Response('Forbidden', { status: 403 });
        break;
      }
    }
    for (const key in ROUTES) {
      if (path.startsWith(key)) {
        const r = await fetch(`https://api.example.com/${ROUTES[key]}`);
        return r;
      }
    }
    for (const name of request.headers.get('x-flags')?.split(',') ?? []) {
      switch (name) {
        case 'purge':
          await env.CACHE.delete(path);
          throw new Error('purged');
      }
    }
    return new Response('Not found', { status: 404 });
  },
};
"#,
            )
            .assert_silent();
    }

    /// Not a first match: an exit only on a failure, an exit before the
    /// call, a `continue` between the call and the exit, a `throw` a `try`
    /// in the loop catches, a `break` of a `switch`, a `return` in a
    /// matching branch after a call made for every item.
    #[test]
    fn fires_when_the_exit_is_not_a_first_match() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/index.ts",
                r#"const u = (id: string) => `https://api.example.com/items/${id}`;

export default {
  async fetch(request: Request, env: Env) {
    const { ids, items } = await request.json<{ ids: string[]; items: { id: string; changed: boolean }[] }>();
    const out = [];
    for (const id of ids) {
      const r = await fetch(u(id));
      if (!r.ok) return r;
      out.push(await r.json());
    }
    for (const id of ids) {
      if (!id) return new Response('missing id', { status: 400 });
      await fetch(u(id), { method: 'DELETE' });
    }
    for (const item of items) {
      if (item.changed) {
        const res = await fetch(u(item.id), { method: 'PUT', body: JSON.stringify(item) });
        if (res.ok) continue;
        return new Response('sync failed', { status: 502 });
      }
    }
    for (const id of ids) {
      try {
        await env.QUEUE.send({ id });
        throw new Error('sent');
      } catch (e) {}
    }
    for (const item of items) {
      switch (item.id) {
        case 'a':
          await env.CACHE.delete(item.id);
          break;
      }
    }
    for (const id of ids) {
      const hit = await env.CACHE.get(id);
      if (hit === 'stop') {
        return new Response(hit);
      }
    }
    return Response.json(out);
  },
};
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 8, "inside a for-of loop (line 7)"),
                ("src/index.ts", 14, "inside a for-of loop (line 12)"),
                ("src/index.ts", 18, "inside a for-of loop (line 16)"),
                ("src/index.ts", 25, "inside a for-of loop (line 23)"),
                ("src/index.ts", 32, "inside a for-of loop (line 29)"),
                ("src/index.ts", 37, "inside a for-of loop (line 36)"),
            ]);
    }

    /// A retry bounded by a member of a config object (in the file or
    /// imported): the loop returns on the success check (`if (res.ok)
    /// return true`), so it runs once unless the call fails, whatever the
    /// bound. A per-item loop with the same bound is still reported.
    #[test]
    fn silent_in_retries_bounded_by_a_config_member() {
        use crate::rules::test_util::Case;
        let webhook = r#"export async function sendWebhook(url: string, init: RequestInit): Promise<boolean> {
  for (let i = 0; i < WEBHOOK_CONFIG.MAX_RETRIES; i++) {
    try {
      const response = await fetch(url, init);
      if (response.ok) return true;
    } catch (e) {}
    await new Promise((r) => setTimeout(r, 1000 * 2 ** i));
  }
  return false;
}
"#;
        Case::new()
            .rules(&["subrequest-in-loop", "await-in-loop"])
            .file(
                "src/webhook.ts",
                &format!("const WEBHOOK_CONFIG = {{ MAX_RETRIES: 3 }};\n{webhook}"),
            )
            .assert_silent();
        Case::new()
            .rules(&["subrequest-in-loop", "await-in-loop"])
            .file("src/config.ts", "export const WEBHOOK_CONFIG = { MAX_RETRIES: 3 };\n")
            .file(
                "src/webhook.ts",
                &format!("import {{ WEBHOOK_CONFIG }} from './config';\n{webhook}"),
            )
            .file(
                "src/index.ts",
                r#"import { sendWebhook } from './webhook';
import { WEBHOOK_CONFIG } from './config';
export default {
  async fetch(request: Request, env: Env) {
    await sendWebhook(env.HOOK_URL, { method: 'POST', body: await request.text() });
    const urls: string[] = await request.json();
    for (let i = 0; i < WEBHOOK_CONFIG.MAX_RETRIES * urls.length; i++) {
      const response = await fetch(urls[i % urls.length]);
      if (!response.ok) return false;
    }
    return new Response('ok');
  },
};
"#,
            )
            .assert_fires(&[("src/index.ts", 8, "inside a for loop (line 7)")]);
    }

    #[test]
    fn fires_in_per_item_loops_and_large_products() {
        assert_fires(
            "subrequest-in-loop",
            r#"export async function load(ids: string[], env: Env) {
  for (const id of ids) {
    const res = await fetch(`https://api/${id}`);
    if (res.status >= 400) return null;
  }
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) await env.CACHE.get(`${i}:${j}`);
  }
  for (const id of ids) {
    for (const region of ["us", "eu"]) await fetch(`https://${region}/${id}`);
  }
}"#,
            &[
                (3, "inside a for-of loop (line 2): one subrequest per iteration, and a request may make only 50 to the internet on the Free plan; awaited one at a time"),
                (7, "inside a for loop (line 6): one subrequest per iteration, and a request may make only 1,000 to Cloudflare services on the Free plan"),
                (10, "inside a for-of loop (line 9)"),
            ],
        );
    }
}

#[cfg(test)]
mod sdk_tests {
    use crate::rules::test_util::Case;

    /// Clients of an SDK that calls HTTP (a table of packages), objects
    /// built on one, and package functions given one.
    #[test]
    fn sdk_clients_make_subrequests() {
        let found = Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/dao.ts",
                r#"import { Connection, PublicKey } from '@solana/web3.js';
import { SplGovernance } from 'governance-idl-sdk';
import { getAccount } from '@solana/spl-token';
import Stripe from 'stripe';
export async function load(env: Env, ids: string[]) {
  const connection = new Connection(env.RPC_URL);
  const gov = new SplGovernance(connection, new PublicKey(env.PROGRAM));
  const stripe = new Stripe(env.KEY);
  for (const id of ids) {
    const key = new PublicKey(id);
    await connection.getAccountInfo(key);
    await gov.getProposalsforGovernance(key);
    await getAccount(connection, key);
    await stripe.customers.retrieve(id);
    await stripe.webhooks.constructEventAsync(id, 'sig', 'secret');
  }
}
"#,
            )
            .assert_fires(&[(
                "src/dao.ts",
                11,
                "`connection.getAccountInfo(key)` inside a for-of loop",
            )]);
        // One finding for the loop; the other calls and their evidence follow.
        let also: Vec<(u32, &str)> = found[0]
            .related
            .iter()
            .filter(|r| r.message.starts_with("also in this loop"))
            .map(|r| (r.line, r.message.as_str()))
            .collect();
        assert_eq!(
            also,
            [
                (12, "also in this loop: `gov.getProposalsforGovernance(key)`"),
                (13, "also in this loop: `getAccount(connection, key)`"),
                (14, "also in this loop: `stripe.customers.retrieve(id)`"),
            ]
        );
        assert!(found[0].message.ends_with("; 3 other calls in this loop do the same (related)"));
        assert!(
            found[0].related.iter().any(|r| r.message.contains(
                "`gov` is a client of governance-idl-sdk `SplGovernance` built on `connection` (@solana/web3.js `Connection`) that calls the Solana RPC over HTTP"
            )),
            "{:#?}",
            found[0].related
        );
    }

    /// Objects of packages outside the table, and package functions given
    /// no client, are not subrequests; nor is a shadowing local.
    #[test]
    fn other_packages_are_local() {
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/x.ts",
                r#"import { PublicKey } from '@solana/web3.js';
import { Parser } from 'some-parser';
import { derive } from 'some-sdk';
export async function load(ids: string[]) {
  const parser = new Parser();
  for (const id of ids) {
    const key = new PublicKey(id);
    await parser.parse(id);
    await derive(key);
    key.toBase58();
  }
}
"#,
            )
            .assert_silent();
    }

    /// A helper in another file that calls an SDK client: the loop that
    /// calls it makes a subrequest per iteration.
    #[test]
    fn helpers_calling_sdks_across_files() {
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/index.ts",
                r#"import { sendMail } from './mail';
export async function notify(users: { email: string }[]) {
  for (const u of users) await sendMail(u.email);
}
"#,
            )
            .file(
                "src/mail.ts",
                r#"import { Resend } from 'resend';
const resend = new Resend('re_123');
export async function sendMail(to: string) {
  return resend.emails.send({ from: 'a@b.c', to, subject: 'hi', html: '' });
}
"#,
            )
            .assert_fires(&[(
                "src/index.ts",
                3,
                "`sendMail` calls `resend.emails.send(",
            )]);
    }

    /// Instances given to a constructor: a field typed with a project class
    /// (a parameter property, a typed parameter stored in a field, a typed
    /// class property) or an untyped parameter whose every `new` passes an
    /// instance of one class.
    #[test]
    fn instances_through_constructors_and_fields() {
        let service = r#"export class GithubService {
  async getRepo(name: string) { return fetch(`https://api.github.com/repos/${name}`); }
  describe(name: string) { return name.toUpperCase(); }
}
"#;
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file("src/github.ts", service)
            .file(
                "src/typed.ts",
                r#"import { GithubService } from './github';
export class Typed {
  private other: GithubService;
  constructor(private svc: GithubService, other: GithubService) { this.other = other; }
  async run(names: string[]) {
    for (const n of names) await this.svc.getRepo(n);
    for (const n of names) await this.other.getRepo(n);
    for (const n of names) this.svc.describe(n);
  }
}
"#,
            )
            .file(
                "src/untyped.ts",
                r#"export class Score {
  constructor(service: any) { this.service = service; }
  async run(names: string[]) {
    for (const n of names) await this.service.getRepo(n);
  }
}
"#,
            )
            .file(
                "src/route.ts",
                r#"import { GithubService } from './github';
import { Score } from './untyped';
export async function handle(token: string, names: string[]) {
  const service = new GithubService();
  await new Score(service).run(names);
}
"#,
            )
            .assert_fires(&[
                ("src/typed.ts", 6, "`this.svc.getRepo` calls `fetch("),
                ("src/typed.ts", 7, "`this.other.getRepo` calls `fetch("),
                ("src/untyped.ts", 4, "`this.service.getRepo` calls `fetch("),
            ]);
    }

    /// An untyped field whose constructions disagree (or pass something
    /// unknown) names no class.
    #[test]
    fn constructions_that_disagree_name_no_class() {
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/a.ts",
                r#"export class A { async getRepo(n: string) { return fetch(n); } }
export class B { async getRepo(n: string) { return n; } }
"#,
            )
            .file(
                "src/score.ts",
                r#"import { A, B } from './a';
export class Score {
  constructor(service) { this.service = service; }
  async run(names: string[]) {
    for (const n of names) await this.service.getRepo(n);
  }
}
export const one = new Score(new A());
export const two = new Score(new B());
"#,
            )
            .assert_silent();
    }

    /// A parameter, field or variable typed with an SDK client class holds
    /// a client: helpers that take one make subrequests, across files.
    #[test]
    fn typed_sdk_clients() {
        Case::new()
            .rules(&["subrequest-in-loop"])
            .file(
                "src/chain.ts",
                r#"import { Connection, PublicKey } from '@solana/web3.js';
import Stripe from 'stripe';
export async function isNft(connection: Connection, mint: PublicKey) {
  const info = await connection.getParsedAccountInfo(mint);
  return info.value === null;
}
export function label(connection: Connection, mint: PublicKey) {
  return `${connection.rpcEndpoint}/${mint.toBase58()}`;
}
export class Billing {
  private stripe: Stripe;
  constructor(key: string) { this.stripe = makeStripe(key); }
  async charge(ids: string[]) {
    for (const id of ids) await this.stripe.charges.retrieve(id);
  }
}
declare function makeStripe(key: string): Stripe;
"#,
            )
            .file(
                "src/index.ts",
                r#"import { Connection, PublicKey } from '@solana/web3.js';
import { isNft, label } from './chain';
export async function scan(env: Env, mints: PublicKey[]) {
  const connection = new Connection(env.RPC_URL);
  for (const m of mints) {
    label(connection, m);
    if (await isNft(connection, m)) continue;
  }
}
"#,
            )
            .assert_fires(&[
                ("src/chain.ts", 14, "`this.stripe.charges.retrieve(id)` inside a for-of loop"),
                ("src/index.ts", 7, "`isNft` calls `connection.getParsedAccountInfo(mint)` at src/chain.ts:4"),
            ]);
    }
}
