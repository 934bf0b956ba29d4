//! `unbounded-concurrency`: `Promise.all(xs.map(cb))` (or `allSettled`)
//! where `xs` has no known bound and `cb` makes subrequests. Every element
//! starts at once; a Worker has 6 simultaneous open connections, the rest
//! queue (or fail on timeouts), and each element spends one of the request's
//! subrequests.
//!
//! Fine: an array literal (or a const bound to one), `xs.slice(a, b)`,
//! `Array.from({ length: N })`, a receiver named like a chunk/batch, or a
//! `Promise.all` inside a loop (a chunked loop).

use crate::model::collections::{HashMap, HashSet};

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::io_calls::{call_text, inner_chain_calls, key, number, sends_subrequest};
use crate::engine::context::{
    callee_is, callee_path, method_name, target_of, unwrap_expr, Condition, Effect, Frame, Node, Target,
};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "unbounded-concurrency", Async, Warning,
    "Promise.all over an array of unknown size whose callback makes subrequests: bound the concurrency (6 open connections).",
    |_| Box::<UnboundedConcurrency>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
`Promise.all` / `Promise.allSettled` over `.map` (or `.flatMap`) of an array
of unknown size whose callback makes subrequests:

```ts
const results = await Promise.all(
  orderIds.map(async (id) => fetch(`${c.env.SHIPPING_API}/shipments/${id}`)),
);
```

The callback may be inline or a function of the file (`ids.map(loadUser)`)
that makes a fetch, binding call, Drizzle query or a call through a client
of an SDK that calls HTTP (`@solana/web3.js` `Connection`, Stripe, OpenAI, …:
see `subrequest-in-loop`). Functions it calls are followed into other files —
imported functions, `this.method()`, methods of an instance held in a
variable or a field (`this.github.getTree(repo)`, with `github` given to the
constructor) — and the finding names the chain down to the call that leaves
the Worker. Promises mapped into a variable and awaited together later are
the same fan-out:

```ts
const pending = repos.map(async (repo) => this.github.getTree(repo));
const trees = await Promise.all(pending);
```
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every element starts at once. A Worker keeps at most 6 connections open at a
time; the rest wait in a queue and can run into timeouts, so a request for
500 ids is slow and fragile. Each element is also a subrequest, and a request
may make only 50 to the internet and 1,000 to Cloudflare services on the Free
plan (10,000 on Paid): past that, calls throw.
(`subrequest-in-loop` leaves these callbacks to this rule.)
"#,
        ),
        (
            "Bad",
            r#"
```ts
ordersRoute.post('/sync-shipping', async (c) => {
  const { orderIds } = z.object({ orderIds: z.array(z.string()) }).parse(await c.req.json());
  const results = await Promise.all(
    orderIds.map(async (id) => {
      const res = await fetch(`${c.env.SHIPPING_API}/shipments/${id}`);
      return { id, ok: res.ok };
    }),
  );
  return c.json({ results });
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const syncSchema = z.object({ orderIds: z.array(z.string()).max(100) });

ordersRoute.post('/sync-shipping', async (c) => {
  const { orderIds } = syncSchema.parse(await c.req.json());
  const results = [];
  for (let i = 0; i < orderIds.length; i += 6) {
    const chunk = orderIds.slice(i, i + 6);
    results.push(...(await Promise.all(chunk.map((id) => fetchShipment(c, id)))));
  }
  return c.json({ results });
});
```

A small limiter (`mapLimit(items, 6, fn)`, p-limit) works as well; cap the
input size too, so the total stays under the plan's subrequest limit.
"#,
        ),
        (
            "Not reported",
            r#"
- An array literal, or a name bound to one (`REGIONS.map(...)`).
- A constant bound: `xs.slice(a, b)`, `Array.from({ length: 4 }, …)`.
- A receiver named like a chunk or batch (`chunk.map`, `batch.map`).
- A `Promise.all` inside a loop (a chunked loop).
- Callbacks that make no subrequest (`crypto.subtle.digest`, parsing).
- `db.batch(xs.map(...))` and other non-`Promise.all` calls.
- A fan-out of database queries that `drizzle-query-in-loop` reports: its
  finding (with the one-query fix) stands for it. With that rule off, this one
  reports it.
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
Bounds enforced elsewhere (a schema's `.max(5)`, an earlier `if (ids.length > 5)`)
are not seen. A helper is followed only where its target is plain: a function
name, `this.method`, `object.method` of a namespace import or of an instance
whose class the project shows (a `new`, a type annotation, or what every `new`
passes to the constructor).
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// A list of at most this many elements is not an unbounded fan-out.
const SMALL_LIST: f64 = 10.0;

#[derive(Default)]
struct UnboundedConcurrency {
    candidates: Vec<Candidate>,
    /// Callback function span → candidate.
    callbacks: HashMap<(u32, u32), usize>,
    /// Open functions: the candidate whose callback it is, and its name.
    open: Vec<(Option<usize>, Option<Atom>)>,
    /// Named functions of the file → the first subrequest they make.
    fn_io: HashMap<Atom, String>,
    /// Names bound to array literals.
    literal_arrays: HashSet<Atom>,
    /// Names bound to one page of a KV or R2 listing (`const list = await
    /// env.KV.list(…)`): its `keys` (`objects`) hold at most 1,000.
    list_pages: HashSet<Atom>,
    chain_inner: HashSet<(u32, u32)>,
}

/// The most keys (objects) one KV (R2) `list()` call returns.
const LIST_PAGE: u32 = 1000;

struct Candidate {
    span: Span,
    combinator: String,
    receiver: String,
    /// "has no bound", or "may hold up to 100 elements" when the file
    /// knows a bound larger than a few.
    bound: String,
    /// The first subrequest found in the callback.
    io: Option<String>,
    /// Functions of the file the callback calls (or is).
    calls: Vec<Atom>,
    /// Every call of the callback that may name a project function (in any
    /// file): the finding stands if one of them makes a subrequest.
    targets: Vec<Target>,
}

impl UnboundedConcurrency {
    /// `list.keys` (`list.objects`) of a name bound to a KV (R2) `list()`.
    fn is_list_page(&self, items: &Expr) -> bool {
        matches!(unwrap_expr(items), Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
            if matches!(p.sym.as_ref(), "keys" | "objects")
                && matches!(unwrap_expr(obj), Expr::Ident(id) if self.list_pages.contains(&id.sym)))
    }
}

impl Rule for UnboundedConcurrency {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::Function, NodeKind::VarDeclarator]
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::VarDeclarator(d) => {
                if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                    match unwrap_expr(init) {
                        Expr::Array(_) => {
                            self.literal_arrays.insert(name.id.sym.clone());
                        }
                        // `const ps = xs.map(async …)`, later `Promise.all(ps)`.
                        Expr::Call(map) if cx.combined_later(&name.id.sym, d.span) => {
                            self.fan_out("Promise.all".into(), map, map.span, cx)
                        }
                        Expr::Await(a) => match unwrap_expr(&a.arg) {
                            Expr::Call(list)
                                if method_name(list).is_some_and(|m| m == "list")
                                    && cx.subrequest_to(list)
                                        == Some(crate::effects::Destination::CloudflareService) =>
                            {
                                self.list_pages.insert(name.id.sym.clone());
                            }
                            _ => {}
                        },
                        _ => {}
                    }
                }
            }
            Node::Function(frame) => {
                let Frame::Function { span, name, .. } = frame else {
                    return;
                };
                let candidate = self.callbacks.get(&key(*span)).copied();
                self.open.push((candidate, name.clone()));
            }
            Node::Call(call) => {
                self.promise_all(call, cx);
                self.callback_call(call, cx);
            }
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function]
    }

    fn exit(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        if let Node::Function(_) = node {
            self.open.pop();
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        for c in std::mem::take(&mut self.candidates) {
            let io =
                c.io.clone()
                    .or_else(|| c.calls.iter().find_map(|n| self.fn_io.get(n).cloned()));
            let receiver = &c.receiver;
            let help = format!(
                    "A Worker keeps at most {open} connections open at a time (the rest queue and may time out), and each element spends one subrequest ({budget}). \
                     Bound it: run chunks of {open} — `for (let i = 0; i < {receiver}.length; i += {open}) results.push(...await {}({receiver}.slice(i, i + {open}).map(cb)));` — or use a limiter such as p-limit, and cap the input size (e.g. `z.array(...).max(100)`).",
                    c.combinator,
                    open = cx.limits.open_connections,
                    budget = super::io_calls::subrequest_budget(&cx.limits, None),
                );
            match io {
                Some(io) => cx.report(
                    c.span,
                    format!(
                        "{}({receiver}.map(...)) starts `{io}` for every element of {receiver} at once, and {}",
                        c.combinator, c.bound
                    ),
                    help,
                ),
                // A function the callback calls makes the subrequest (the
                // chain is appended to the message).
                None if !c.targets.is_empty() => cx.report_if(
                    Condition::CallsAtLeast(c.targets, 1, Effect::Subrequest),
                    c.span,
                    format!(
                        "{}({receiver}.map(...)) runs its callback for every element of {receiver} at once, and {}",
                        c.combinator, c.bound
                    ),
                    help,
                ),
                None => {}
            }
        }
    }
}

impl UnboundedConcurrency {
    /// `Promise.all(xs.map(cb))` over an unbounded `xs`: a candidate.
    fn promise_all(&mut self, call: &CallExpr, cx: &LintContext<'_>) {
        let combinator = match callee_path(call).as_deref() {
            Some(p @ ("Promise.all" | "Promise.allSettled")) => p.to_string(),
            _ => return,
        };
        let Some(arg) = call.args.first() else { return };
        let Expr::Call(map) = unwrap_expr(&arg.expr) else {
            return;
        };
        self.fan_out(combinator, map, call.span, cx);
    }

    /// `xs.map(cb)` whose promises `combinator` awaits together, reported at
    /// `span`: a candidate when `xs` has no known bound.
    fn fan_out(&mut self, combinator: String, map: &CallExpr, span: Span, cx: &LintContext<'_>) {
        if !matches!(
            method_name(map).map(|m| m.as_ref()),
            Some("map" | "flatMap")
        ) {
            return;
        }
        let Callee::Expr(callee) = &map.callee else {
            return;
        };
        let Expr::Member(m) = unwrap_expr(callee) else {
            return;
        };
        // A list the file knows is small (a queue handler's batch of at
        // most 10 messages) starts a few calls, not an unbounded number.
        if self.bounded(&m.obj)
            || cx.hot.list_len(&m.obj).is_some_and(|n| n <= SMALL_LIST)
            || in_loop(cx)
        {
            return;
        }
        let Some(cb) = map.args.first() else { return };
        let index = self.candidates.len();
        let mut calls = Vec::new();
        match unwrap_expr(&cb.expr) {
            Expr::Arrow(a) => {
                self.callbacks.insert(key(a.span), index);
            }
            Expr::Fn(f) => {
                self.callbacks.insert(key(f.function.span), index);
            }
            Expr::Ident(id) if cx.is_module_binding(id) => calls.push(id.sym.clone()),
            _ => return,
        }
        let receiver = cx.snippet(m.obj.span());
        let bound = match cx.hot.list_len(&m.obj) {
            Some(n) => format!("{receiver} may hold up to {n} elements"),
            None if self.is_list_page(&m.obj) => format!(
                "{receiver} holds up to {} (one page of a KV or R2 listing)",
                crate::model::text::count(LIST_PAGE.into())
            ),
            None => format!("{receiver} has no bound"),
        };
        self.candidates.push(Candidate {
            span,
            combinator,
            bound,
            receiver,
            io: None,
            calls,
            targets: Vec::new(),
        });
    }

    /// A call inside an open function: a subrequest, or a call to a function
    /// of the file.
    fn callback_call(&mut self, call: &CallExpr, cx: &LintContext<'_>) {
        // Only a callback of a candidate or a named function records
        // anything (its inner chain calls are in the same functions).
        if !self.open.iter().any(|(c, n)| c.is_some() || n.is_some()) {
            return;
        }
        if self.chain_inner.contains(&key(call.span)) {
            return;
        }
        for inner in inner_chain_calls(call) {
            self.chain_inner.insert(key(inner.span));
        }
        // Promise.all awaits what the callback returns, Drizzle builders too.
        if let Some(io) = sends_subrequest(cx, call, true).then(|| call_text(cx, call, 60)) {
            for (candidate, name) in &self.open {
                if let Some(i) = candidate {
                    self.candidates[*i].io.get_or_insert_with(|| io.clone());
                }
                if let Some(n) = name {
                    self.fn_io.entry(n.clone()).or_insert_with(|| io.clone());
                }
            }
        } else if let (Callee::Expr(e), true) = (
            &call.callee,
            // What a call leads to matters only inside a fan-out's callback.
            self.open.iter().any(|(candidate, _)| candidate.is_some()),
        ) {
            if let Some(target) = target_of(call) {
                for (candidate, _) in &self.open {
                    if let Some(i) = candidate {
                        let targets = &mut self.candidates[*i].targets;
                        if targets.len() < 16 && !targets.contains(&target) {
                            targets.push(target.clone());
                        }
                    }
                }
            }
            if let Expr::Ident(id) = unwrap_expr(e) {
                if cx.is_module_binding(id) {
                    for (candidate, _) in &self.open {
                        if let Some(i) = candidate {
                            self.candidates[*i].calls.push(id.sym.clone());
                        }
                    }
                }
            }
        }
    }

    /// The receiver of `.map` has a size fixed in the code, or is a chunk.
    fn bounded(&self, expr: &Expr) -> bool {
        match unwrap_expr(expr) {
            Expr::Array(_) => true,
            Expr::Ident(id) => {
                let lower = id.sym.to_ascii_lowercase();
                self.literal_arrays.contains(&id.sym)
                    || lower.contains("chunk")
                    || lower.contains("batch")
            }
            Expr::Call(c) => {
                let method = method_name(c).map(|m| m.as_ref());
                let receiver = match &c.callee {
                    Callee::Expr(e) => match unwrap_expr(e) {
                        Expr::Member(m) => Some(&m.obj),
                        _ => None,
                    },
                    _ => None,
                };
                match (method, receiver) {
                    (Some("slice"), _) => c.args.len() >= 2,
                    // xs.filter(f) is at most as long as xs
                    (Some("filter" | "sort" | "toSorted" | "reverse" | "toReversed"), Some(r)) => {
                        self.bounded(r)
                    }
                    _ => {
                        // Array.from({ length: N }), Array.from([...])
                        callee_is(c, "Array.from")
                            && c.args.first().is_some_and(|a| match unwrap_expr(&a.expr) {
                                Expr::Object(o) => o.props.iter().any(|p| {
                                    matches!(p, PropOrSpread::Prop(p) if matches!(&**p,
                                        Prop::KeyValue(kv) if matches!(&kv.key, PropName::Ident(k) if k.sym == "length")
                                            && number(&kv.value).is_some()))
                                }),
                                other => self.bounded(other),
                            })
                    }
                }
            }
            _ => false,
        }
    }
}

/// Inside a loop of the current function (a chunked loop).
fn in_loop(cx: &LintContext<'_>) -> bool {
    // Frames are functions and loops: the innermost one decides.
    matches!(cx.frames().last(), Some(Frame::Loop { .. }))
}

use swc_core::common::Spanned;

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_unbounded_fan_out() {
        assert_fires(
            "unbounded-concurrency",
            r#"app.post("/sync", async (c) => {
  const { orderIds } = syncSchema.parse(await c.req.json());
  const results = await Promise.all(
    orderIds.map(async (id) => {
      const res = await fetch(`${c.env.SHIPPING_API}/shipments/${id}`);
      return res.ok;
    }),
  );
  await Promise.allSettled(keys.filter(Boolean).map((k) => c.env.CACHE.delete(k)));
  await Promise.all(users.map(loadUser));
  await Promise.all(rows.map(function (r) { return c.var.db.select().from(t).where(eq(t.id, r.id)); }));
});
async function loadUser(u) {
  return env.USERS.get(u.id);
}"#,
            &[
                (3, "Promise.all(orderIds.map(...)) starts `fetch(`${c.env.SHIPPING_API}/shipments/${id}`)`"),
                (9, "Promise.allSettled(keys.filter(Boolean).map(...))"),
                (10, "starts `env.USERS.get(u.id)` for every element of users"),
                (11, "c.var.db.select().from(t).where(eq(t.id, r.id))"),
            ],
        );
    }

    /// A fan-out of one query per element is the N+1 that
    /// drizzle-query-in-loop reports (its fix, one query for all, ends the
    /// fan-out too): one finding. With that rule off, this one reports it.
    /// A list made from a known one by an awaited `Promise.all` of its
    /// `map` has its length (rr-saas' Stripe setup: two plans, then a
    /// price per product).
    #[test]
    fn results_of_a_known_fan_out_are_known() {
        assert_fires(
            "unbounded-concurrency",
            r#"const PLANS = [{ name: 'a' }, { name: 'b' }] as const;
export async function setup(ids: string[]) {
  const products = await Promise.all(PLANS.map(async (p) => (await fetch(`https://api.example/${p.name}`)).json()));
  await Promise.all(products.map((p) => fetch(`https://api.example/prices/${p.id}`)));
  const rows = await Promise.all(ids.map((id) => fetch(`https://api.example/${id}`)));
  await Promise.all(rows.map((r) => fetch(r.url)));
}
"#,
            &[(5, "ids has no bound"), (6, "rows has no bound")],
        );
    }

    /// One page of a KV (R2) listing holds at most 1,000 keys (objects):
    /// the message says so rather than "no bound" (found on ccbikai/Sink).
    #[test]
    fn a_list_page_holds_up_to_a_thousand() {
        assert_fires(
            "unbounded-concurrency",
            r#"export default {
  async fetch(request: Request, env: Env) {
    const list = await env.KV.list({ prefix: 'link:' });
    const links = await Promise.all(list.keys.map(async (k) => env.KV.get(k.name)));
    return Response.json(links);
  },
};
"#,
            &[(4, "and list.keys holds up to 1,000 (one page of a KV or R2 listing)")],
        );
    }

    #[test]
    fn defers_to_drizzle_query_in_loop() {
        use crate::rules::test_util::lint_rules;
        let source = r#"app.get("/", async (c) => {
  const db = c.var.db;
  const rows = await Promise.all(ids.map((id) => db.select().from(users).where(eq(users.id, id))));
  const pages = await Promise.all(urls.map((u) => fetch(u)));
  return c.json({ rows, pages });
});"#;
        let both = lint_rules(&["unbounded-concurrency", "drizzle-query-in-loop"], source);
        let lines: Vec<(u32, &str)> = both.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(lines, [(3, "drizzle-query-in-loop"), (4, "unbounded-concurrency")]);
        let alone = lint_rules(&["unbounded-concurrency"], source);
        let lines: Vec<(u32, &str)> = alone.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(lines, [(3, "unbounded-concurrency"), (4, "unbounded-concurrency")]);
    }

    #[test]
    fn silent_when_bounded_or_not_io() {
        assert_silent(
            "unbounded-concurrency",
            r#"const REGIONS = ["us", "eu", "ap"];
async function f(env, ids) {
  await Promise.all(["a", "b"].map((k) => env.KV.get(k)));
  // the rows of a query with a constant limit
  const repos = await db.query.repos.findMany({ where: (r, { eq }) => eq(r.userId, u), limit: 5 });
  await Promise.all(repos.map((r) => fetch(`https://api.github.com/repos/${r.name}`)));
  const top = await db.select().from(repos).orderBy(desc(repos.stars)).limit(4);
  await Promise.all(top.map((r) => fetch(`https://api.github.com/repos/${r.name}`)));
  // logged first: logging changes no list
  const keys = [a, b].filter((k) => k !== null);
  console.error("cleaning up", keys, JSON.stringify(keys));
  await Promise.allSettled(keys.map((key) => env.BUCKET.delete(key)));
  await Promise.all(REGIONS.map((r) => fetch(`https://${r}.example`)));
  await Promise.all(ids.slice(0, 5).map((id) => env.KV.get(id)));
  await Promise.all(Array.from({ length: 4 }, (_, i) => fetch(`/p/${i}`)));
  for (let i = 0; i < ids.length; i += 6) {
    await Promise.all(ids.slice(i, i + 6).map((id) => fetch(`/x/${id}`)));
  }
  for (const chunk of chunks) {
    await Promise.all(chunk.map((id) => fetch(`/y/${id}`)));
  }
  await Promise.all(batch.map((id) => env.KV.get(id)));
  await Promise.all(files.map(async (f) => crypto.subtle.digest("SHA-256", await f.arrayBuffer())));
  await Promise.all(ids.map(format));
  await mapLimit(ids, 6, async (id) => fetch(`/z/${id}`));
  await Promise.all(workers);
  await db.batch(ids.map((id) => db.insert(t).values({ id })));
}
function format(x) { return String(x); }"#,
        );
    }

    /// The callback's helpers are followed into other files (methods of an
    /// instance held in a field included); promises mapped into a variable
    /// and awaited together later are a fan-out too.
    #[test]
    fn follows_helpers_across_files_and_mapped_variables() {
        use crate::rules::test_util::Case;
        let found = Case::new()
            .rules(&["unbounded-concurrency", "subrequest-in-loop"])
            .file(
                "src/github.ts",
                r#"export class GithubService {
  async getTree(repo: string) { return this.request(`/repos/${repo}/tree`); }
  private async request(path: string) { return fetch(`https://api.github.com${path}`); }
  label(repo: string) { return repo.trim(); }
}
"#,
            )
            .file(
                "src/score.ts",
                r#"import { GithubService } from './github';
export class Score {
  constructor(private github: GithubService) {}
  async all(repos: string[]) {
    return Promise.all(repos.map(async (r) => this.github.getTree(r)));
  }
  async later(repos: string[]) {
    const pending = repos.map(async (repo) => {
      const tree = await this.github.getTree(repo);
      return tree;
    });
    const labels = repos.map((r) => this.github.label(r));
    const results = await Promise.all(pending);
    return [results, labels];
  }
  async local(repos: string[]) {
    return Promise.all(repos.map(async (r) => this.github.label(r)));
  }
}
"#,
            )
            .assert_fires(&[
                ("src/score.ts", 5, "Promise.all(repos.map(...)) runs its callback for every element of repos at once, and repos has no bound: `this.github.getTree` (through getTree → request) calls `fetch("),
                ("src/score.ts", 8, "Promise.all(repos.map(...)) runs its callback"),
            ]);
        assert!(
            found[0].related.iter().any(|r| r.file == "src/github.ts" && r.line == 3),
            "{:#?}",
            found[0].related
        );
    }
}
