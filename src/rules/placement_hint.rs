//! `placement-hint`: a request handler that waits for two or more round
//! trips, one after the other, to the same back end (a database, an API),
//! in a Worker whose wrangler config sets no `placement`. The Worker runs
//! where the request arrives; each round trip then crosses the distance to
//! the back end. Smart Placement (or a region/host hint) runs the Worker
//! near the back end instead.

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::effects::drizzle::{d1_binding, engine, is_db_chain};
use crate::engine::context::{one_line, unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::drizzle::{chain_root, Engine};
use crate::model::report::Related;
use crate::syntax::probe::{self, Descend, Hooks, Node as Probed};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "placement-hint", Async, Warning,
    "A handler makes two or more sequential round trips to one back end, and the wrangler config sets no placement to run the Worker near it.",
    |_| Box::<PlacementHint>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A request handler (a `fetch` handler, a route callback, a Pages Function)
whose own statements await two or more round trips to the same back end,
one after the other, when the Worker's wrangler config has no `placement`:

- the same D1 binding (`env.DB.prepare(…)…`), or the Drizzle database of a
  D1 Worker: **info** — a D1 database lives in one location (read replicas
  aside), so each query from a far-away Worker pays the distance;
- the Drizzle database of a Postgres Worker (Hyperdrive, Neon, …):
  **warning** — every query crosses to the database's region;
- the same API (`fetch` of URLs that start with the same environment
  variable or origin): **warning**.

One finding per file, at the first such handler; the message counts the
others.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
A Worker runs in the data center that received the request, which may be
far from its database. Three sequential queries from Sydney to a database in
Virginia cost three trans-Pacific round trips (about 200 ms each) before the
response starts. With `placement = { mode = "smart" }` Cloudflare runs the
Worker near the back end it talks to most, so the round trips are short and
only the one response crosses the distance. `region`, `host` or `hostname`
place it explicitly. For D1, read replication with the Sessions API
(`env.DB.withSession()`) serves reads from a replica near the Worker
instead.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env) {
    const user = await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(1).first();
    const orders = await env.DB.prepare('SELECT * FROM orders WHERE user_id = ?').bind(1).all();
    return Response.json({ user, orders: orders.results });
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env) {
    // One round trip for both queries.
    const [user, orders] = await env.DB.batch([
      env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(1),
      env.DB.prepare('SELECT * FROM orders WHERE user_id = ?').bind(1),
    ]);
    return Response.json({ user: user.results[0], orders: orders.results });
  },
};
```

Or keep the queries and add `placement = { mode = "smart" }` to the
wrangler config.
"#,
        ),
        (
            "Not reported",
            r#"
- Workers whose wrangler config sets `placement` (smart, region, host or
  hostname), at the top level or in an environment.
- Round trips that run together (`Promise.all`, `batch`), in a loop (see
  `drizzle-query-in-loop` and `subrequest-in-loop`), or in nested callbacks.
- One round trip per back end.
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
Round trips in helpers the handler calls are not counted. Whether the back
end is far from most visitors is not known: Smart Placement decides that
from measured traffic.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct PlacementHint {
    bodies: super::handler_bodies::HandlerBodies,
    /// Handlers with sequential round trips: the back end, the awaits.
    found: Vec<(BackEnd, Vec<Span>)>,
}

/// What a round trip goes to.
#[derive(Clone, PartialEq)]
enum BackEnd {
    D1(String),
    Database(Engine),
    Api(String),
}

impl BackEnd {
    fn describe(&self) -> String {
        match self {
            BackEnd::D1(binding) => format!("the D1 database `{binding}`"),
            BackEnd::Database(Engine::D1) => "the D1 database".into(),
            BackEnd::Database(_) => "the database".into(),
            BackEnd::Api(origin) => format!("`{origin}`"),
        }
    }

    fn is_d1(&self) -> bool {
        matches!(self, BackEnd::D1(_) | BackEnd::Database(Engine::D1))
    }
}

impl Rule for PlacementHint {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Stmts]
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Stmts]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        if cx.project.placement.is_some() {
            return;
        }
        self.bodies.enter(&node, cx);
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Stmts(body) = node else { return };
        if cx.project.placement.is_some() || self.bodies.exit().is_none() {
            return;
        }
        // The back end with the most round trips on one path, if two or more.
        let mut best: Option<(BackEnd, Vec<Span>)> = None;
        let mut judge = |trips: &Trips| {
            for (back_end, _) in trips {
                let spans: Vec<Span> = trips.iter().filter(|(b, _)| b == back_end).map(|(_, s)| *s).collect();
                if spans.len() >= 2 && best.as_ref().is_none_or(|(_, b)| spans.len() > b.len()) {
                    best = Some((back_end.clone(), spans));
                }
            }
        };
        sequences(body, Vec::new(), cx, &mut judge);
        if let Some(found) = best {
            self.found.push(found);
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        let Some((back_end, spans)) = self.found.first() else {
            return;
        };
        let others = self.found.len() - 1;
        let more = match others {
            0 => String::new(),
            1 => " (1 more handler in this file does too)".into(),
            n => format!(" ({n} more handlers in this file do too)"),
        };
        let related: Vec<Related> = spans
            .iter()
            .map(|&span| {
                let loc = cx.loc(span);
                Related {
                    file: cx.path.to_string(),
                    line: loc.line,
                    column: loc.column,
                    message: format!("round trip: `{}`", one_line(&cx.snippet(span))),
                }
            })
            .collect();
        let message = format!(
            "this handler waits for {} round trips to {}, one after the other{more}, and the wrangler config sets no `placement`: the Worker runs where the request arrives, so each round trip crosses the distance to the back end",
            spans.len(),
            back_end.describe()
        );
        let at = spans[1];
        if back_end.is_d1() {
            // Information: D1 has answers of its own (batch, read replicas).
            cx.report_related_info(
                at,
                message,
                "A D1 database lives in one location: add `placement = { mode = \"smart\" }` to the wrangler config to run the Worker near it, batch the queries (`env.DB.batch([...])`) into one round trip, or serve reads from a nearby replica with D1 read replication and `env.DB.withSession()`.",
                related,
            );
        } else {
            cx.report_related(
                at,
                message,
                "Add `placement = { mode = \"smart\" }` to the wrangler config (or `region`/`host`/`hostname` to name where the back end is) so the Worker runs near it; run independent calls together with `Promise.all`.",
                related,
            );
        }
    }
}

/// Awaited round trips in order, with their back end.
type Trips = Vec<(BackEnd, Span)>;

/// Calls `judge` with the awaited round trips of each path through a
/// handler's statements, in order (`before`: those of the statements that
/// led here). The branches of an `if` or a `switch` are paths of their own
/// (a request takes one); the statements after them go on without the
/// branches' round trips. Nested functions and loops are not read (their
/// round trips are other rules' business), nor `Promise.all` or `batch`
/// arguments (awaited together, not one by one).
fn sequences(stmts: &[Stmt], mut before: Trips, cx: &LintContext<'_>, judge: &mut dyn FnMut(&Trips)) {
    for stmt in stmts {
        match stmt {
            Stmt::If(i) => {
                awaits(&i.test, cx, &mut before);
                sequences(std::slice::from_ref(&*i.cons), before.clone(), cx, judge);
                if let Some(alt) = &i.alt {
                    sequences(std::slice::from_ref(&**alt), before.clone(), cx, judge);
                }
            }
            Stmt::Switch(s) => {
                awaits(&s.discriminant, cx, &mut before);
                for case in &s.cases {
                    sequences(&case.cons, before.clone(), cx, judge);
                }
            }
            Stmt::Block(b) => {
                sequences(&b.stmts, before.clone(), cx, judge);
            }
            Stmt::Try(t) => {
                sequences(&t.block.stmts, before.clone(), cx, judge);
            }
            Stmt::For(_) | Stmt::ForIn(_) | Stmt::ForOf(_) | Stmt::While(_) | Stmt::DoWhile(_) | Stmt::Labeled(_) => {}
            other => awaits(other, cx, &mut before),
        }
    }
    judge(&before);
}

/// The awaited round trips in `node`, in order, outside nested functions.
fn awaits<N: for<'h> swc_core::ecma::visit::VisitWith<probe::Probe<'h>> + ?Sized>(node: &N, cx: &LintContext<'_>, found: &mut Trips) {
    struct Awaits<'c, 'a, 'f> {
        cx: &'c LintContext<'a>,
        found: &'f mut Trips,
    }
    impl Hooks for Awaits<'_, '_, '_> {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            match node {
                Probed::Function(_) | Probed::Arrow(_) | Probed::Class(_) => Descend::Skip,
                Probed::Await(a) => {
                    if let Expr::Call(call) = unwrap_expr(&a.arg) {
                        if let Some(back_end) = back_end(call, self.cx) {
                            self.found.push((back_end, call.span));
                        }
                    }
                    Descend::Children
                }
                _ => Descend::Children,
            }
        }
    }
    probe::walk(node, &mut Awaits { cx, found });
}

/// The back end a call goes to: a D1 query, a Drizzle query, or a `fetch`
/// of a URL that starts with an environment variable or an origin.
fn back_end(call: &CallExpr, cx: &LintContext<'_>) -> Option<BackEnd> {
    if let Some(root) = chain_root(call) {
        if let Some(binding) = d1_binding(root, cx) {
            let text = cx.text(call.span);
            // `env.DB.prepare(…)…`, not `env.KV.get()` on a non-D1 binding.
            return (text.contains(".prepare(") && !text.contains(".batch(")).then_some(BackEnd::D1(binding));
        }
    }
    if let Callee::Expr(callee) = &call.callee {
        if let Expr::Ident(id) = unwrap_expr(callee) {
            if id.sym == "fetch" && cx.semantic().is_global(id, "fetch") {
                return call.args.first().and_then(|url| origin(&url.expr, cx)).map(BackEnd::Api);
            }
        }
    }
    let batch = crate::engine::context::method_name(call).is_some_and(|m| m == "batch");
    (!batch && is_db_chain(call, cx)).then(|| BackEnd::Database(engine(cx)))
}

/// Where a URL goes, when it names it: an environment variable it starts
/// with (`${env.API}/users`), or the origin of a literal.
fn origin(url: &Expr, cx: &LintContext<'_>) -> Option<String> {
    match unwrap_expr(url) {
        Expr::Lit(Lit::Str(s)) => literal_origin(s.value.as_str()?),
        Expr::Tpl(t) => {
            let head = t.quasis.first().map(|q| q.raw.as_str()).unwrap_or("");
            if head.is_empty() {
                let first = t.exprs.first()?;
                cx.is_binding_root(unwrap_expr(first)).then(|| one_line(&cx.snippet(swc_core::common::Spanned::span(&**first))))
            } else {
                literal_origin(head)
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::Add => origin(&b.left, cx),
        _ => None,
    }
}

/// `https://api.example.com/x` → `https://api.example.com`.
fn literal_origin(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("{}{host}", &url[..url.len() - rest.len()]))
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::Case;

    fn d1() -> ProjectInfo {
        ProjectInfo {
            d1: vec!["DB".into()],
            ..ProjectInfo::default()
        }
    }

    #[test]
    fn fires_on_sequential_round_trips_without_placement() {
        Case::new()
            .rules(&["placement-hint"])
            .project(d1())
            .file(
                "src/index.ts",
                r#"export default {
  async fetch(request, env) {
    const user = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(1).first();
    const orders = await env.DB.prepare("SELECT * FROM orders WHERE user_id = ?").bind(1).all();
    return Response.json({ user, orders });
  },
};
"#,
            )
            .file(
                "src/api.ts",
                r#"app.get("/profile", async (c) => {
  if (!c.req.query("x")) return c.text("no");
  const me = await fetch(`${c.env.API_URL}/me`);
  const prefs = await fetch(`${c.env.API_URL}/prefs`);
  const other = await fetch("https://cdn.example.com/x.json");
  return c.json({ me: await me.json(), prefs: await prefs.json(), other: await other.json() });
});
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 4, "this handler waits for 2 round trips to the D1 database `DB`"),
                ("src/api.ts", 4, "this handler waits for 2 round trips to `c.env.API_URL`"),
            ]);
    }

    #[test]
    fn silent_with_placement_parallel_batched_or_single_trips() {
        let source = r#"export default {
  async fetch(request, env) {
    const a = await env.DB.prepare("SELECT 1").first();
    const b = await env.DB.prepare("SELECT 2").first();
    return Response.json({ a, b });
  },
};
"#;
        Case::new()
            .rules(&["placement-hint"])
            .project(ProjectInfo {
                placement: Some("smart".into()),
                ..d1()
            })
            .file("src/index.ts", source)
            .assert_silent();
        Case::new()
            .rules(&["placement-hint"])
            .project(d1())
            .file(
                "src/index.ts",
                r#"export default {
  async fetch(request, env) {
    const [a, b] = await Promise.all([env.DB.prepare("SELECT 1").first(), env.DB.prepare("SELECT 2").first()]);
    const rows = await env.DB.batch([env.DB.prepare("SELECT 3"), env.DB.prepare("SELECT 4")]);
    const kv = await env.CACHE.get("k");
    for (const id of [1, 2]) await env.DB.prepare("SELECT ?").bind(id).first();
    const later = async () => [await env.DB.prepare("SELECT 6").first(), await env.DB.prepare("SELECT 7").first()];
    // One branch per request: one round trip each.
    if (request.method === "HEAD") {
      return Response.json(await env.DB.prepare("SELECT 8").first());
    }
    if (kv === "x") return Response.json(await env.DB.prepare("SELECT 9").all());
    try {
      const y = await env.DB.prepare("SELECT 10").first();
      if (!y) return new Response(null);
    } catch (error) {
      console.error(await env.DB.prepare("SELECT 11").first());
    }
    return Response.json({ a, b, rows, kv, later });
  },
};
"#,
            )
            .assert_silent();
    }
}
