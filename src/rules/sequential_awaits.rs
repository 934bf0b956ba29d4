//! `sequential-awaits`: two or more awaits of I/O in a row where the later
//! ones do not use what the earlier ones produced. Each waits for the
//! previous round trip; started together they cost one.
//!
//! Silent when a later await reads a name an earlier one bound (directly or
//! through the statements in between), when ordering is semantically required
//! (an earlier write, or a later write to what an earlier call read), and for
//! awaits already grouped by `Promise.all` (not a call the file knows as I/O).

use crate::model::collections::HashSet;

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use super::io_calls::{call_text, contains_await, effect, idents_in, io_call, Effect};
use crate::engine::context::{
    pat_names, target_of, unwrap_expr, Called, Condition, Effect as TargetEffect, Node, Target,
};
use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node as ProbeNode};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta};
use crate::model::report::{Category, Severity};

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "sequential-awaits",
        category: Category::Async,
        severity: Severity::Warning,
        summary:
            "Independent awaits of I/O one after the other: start them together with Promise.all.",
    },
    kind: crate::engine::declare::Kind::Source(|_| Box::new(SequentialAwaits)),
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
Two or more awaits of I/O in a row — consecutive statements of one block —
where the later ones do not use anything the earlier ones produced:

```ts
const user = await c.var.db.query.users.findFirst({ where: eq(users.id, id) });
const settings = await c.env.CACHE.get(`settings:${id}`, 'json');
```

I/O means a call the file knows returns a promise: `fetch`, a binding call
(`env.KV.get`, `c.env.BUCKET.put`, a Durable Object stub), a Drizzle query, a
Kysely query run (`.execute()`, `.executeTakeFirst()`), a client of an SDK that calls HTTP, an async function of the file — or a
function that makes a subrequest or a query itself or through what it calls,
across files (an imported helper, `this.method()`, a method of an instance
held in a field: `await this.github.getCommits(repo)`); the finding then
names the chain. Plain statements between the awaits (`const key = …`,
`log(…)`) do not break the run, nor do `if` statements, blocks and loops that
neither await nor leave the block (`if (rows) all.push(...rows)`); a
`return`, `throw`, `break` or `continue` that may leave it, and other control
flow, do.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each await waits for the previous round trip to finish before the next one
starts, so the handler's latency is the sum of them. Started together they
cost the slowest one. A Worker may keep 6 connections open at a time, so two
or three independent reads fit in one round of latency.
"#,
        ),
        (
            "Bad",
            r#"
```ts
usersRoute.get('/:id', async (c) => {
  const id = c.req.param('id');
  const user = await c.var.db.query.users.findFirst({ where: eq(users.id, id) });
  const settings = await c.env.CACHE.get<UserSettings>(`settings:${id}`, 'json');
  if (!user) return c.json({ error: 'not found' }, 404);
  return c.json({ ...user, settings });
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
usersRoute.get('/:id', async (c) => {
  const id = c.req.param('id');
  const [user, settings] = await Promise.all([
    c.var.db.query.users.findFirst({ where: eq(users.id, id) }),
    c.env.CACHE.get<UserSettings>(`settings:${id}`, 'json'),
  ]);
  if (!user) return c.json({ error: 'not found' }, 404);
  return c.json({ ...user, settings });
});
```
"#,
        ),
        (
            "Not reported",
            r#"
- A later await that reads a name an earlier one bound, directly or through
  the statements in between (`const { id } = await a(); const key = k(id); await b(key)`),
  including destructuring and property reads.
- Ordering that matters: an earlier write (KV `put`, an insert/update/delete,
  a `POST`, `run()`, a D1 `prepare("INSERT …")`, a function of the file or an
  RPC method of a service binding or Durable Object stub whose name is not a
  read verb: `env.TRIGGER.updateCheckInterval(id)`) before anything, or a later write to the binding or
  table an earlier call read (`get` then `put` on the same KV namespace).
- Awaits already grouped by `Promise.all` / `allSettled`.
- Awaits of things that are not I/O (`await c.req.json()`, `await res.json()`,
  `await crypto.subtle.digest(…)`, an awaited variable holding a promise).
- Awaits separated by a statement that may leave the block (`if (!user)
  return`, `throw`, `break`: an early exit is often meant to skip the second
  call) or that awaits.
- Awaits of helpers that make no subrequest or query (fewer than two round
  trips in the run).
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
Only adjacent statements of one statement list are considered; awaits inside
expressions (`f(await a(), await b())`) are not. Whether two calls touch the
same data is judged by binding name and Drizzle table, not by key or URL, so
some independent calls after a write are left alone on purpose. A failure of
the first call no longer stops the second one once they run together: use
`Promise.allSettled` when that matters.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct SequentialAwaits;

/// One statement of a statement list, as this rule sees it.
enum Item {
    /// `const x = await io()`, `x = await io()` or `await io()`.
    Await(AwaitStmt),
    /// A statement without await or control flow: what it declares and reads.
    Plain {
        declared: Vec<Atom>,
        reads: HashSet<Atom>,
    },
    /// Anything else ends a run.
    Break,
}

struct AwaitStmt {
    await_span: Span,
    call: String,
    /// Longer text of the call, for the suggested fix.
    fix_call: String,
    /// What the result is bound to, for the suggested fix: `user`, `{ a }`,
    /// `""` for a bare `await`.
    target: String,
    declared_with: Option<VarDeclKind>,
    produced: Vec<Atom>,
    reads: HashSet<Atom>,
    effect: Effect,
    /// Not I/O the file knows: a call of a function that may be one (in
    /// any file), decided after the walk (`Condition::CallsAtLeast`).
    maybe: Option<Target>,
}

impl Rule for SequentialAwaits {
    fn interests(&self) -> &'static [NodeKind] {
        &[]
    }

    // At the block's end: what its declarations say is known then (`const
    // db = drizzle(c.env.DB)` makes `db` a database for the awaits after it).
    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Stmts]
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Stmts(stmts) = node else { return };
        let mut group: Vec<AwaitStmt> = Vec::new();
        let mut tainted: HashSet<Atom> = HashSet::default();
        for stmt in stmts {
            // With no await pending, only an await statement matters: skip
            // the walks over the statement's identifiers.
            match classify(stmt, !group.is_empty(), cx) {
                Item::Await(a) => {
                    let independent = !group.is_empty()
                        && a.reads.is_disjoint(&tainted)
                        && !group.iter().any(|g| g.effect.orders(&a.effect));
                    if !independent {
                        report(std::mem::take(&mut group), cx);
                        tainted.clear();
                    }
                    tainted.extend(a.produced.iter().cloned());
                    group.push(a);
                }
                Item::Plain { declared, reads } => {
                    if !group.is_empty() && !reads.is_disjoint(&tainted) {
                        // Anything it touches may now carry an earlier result.
                        tainted.extend(declared);
                        tainted.extend(reads);
                    }
                }
                Item::Break => {
                    report(std::mem::take(&mut group), cx);
                    tainted.clear();
                }
            }
        }
        report(group, cx);
    }
}

/// What `stmt` is for the current group. With `pending` false (no group yet)
/// anything but an await statement is a cheap `Plain` with no reads.
fn classify(stmt: &Stmt, pending: bool, cx: &LintContext<'_>) -> Item {
    let nothing = || Item::Plain {
        declared: Vec::new(),
        reads: HashSet::default(),
    };
    match stmt {
        Stmt::Decl(Decl::Var(v)) => {
            if let [d] = v.decls.as_slice() {
                if let Some(init) = &d.init {
                    if let Some((await_span, call, maybe)) = awaited_io(init, cx) {
                        let mut produced = Vec::new();
                        pat_names(&d.name, &mut produced);
                        let target = match &d.name {
                            Pat::Ident(b) => b.id.sym.as_str().to_owned(),
                            other => cx.snippet(other.span()),
                        };
                        return Item::Await(AwaitStmt {
                            await_span,
                            call: call_text(cx, call, 60),
                            fix_call: call_text(cx, call, 120),
                            target,
                            declared_with: Some(v.kind),
                            produced,
                            reads: idents_in(&**init),
                            effect: effect(cx, call),
                            maybe,
                        });
                    }
                }
            }
            if !pending {
                return nothing();
            }
            if contains_await(stmt) {
                return Item::Break;
            }
            let mut declared = Vec::new();
            for d in &v.decls {
                pat_names(&d.name, &mut declared);
            }
            Item::Plain {
                declared,
                reads: idents_in(stmt),
            }
        }
        Stmt::Expr(e) => {
            let expr = unwrap_expr(&e.expr);
            if let Some((await_span, call, maybe)) = awaited_io(expr, cx) {
                return Item::Await(AwaitStmt {
                    await_span,
                    call: call_text(cx, call, 60),
                    fix_call: call_text(cx, call, 120),
                    target: String::new(),
                    declared_with: None,
                    produced: Vec::new(),
                    reads: idents_in(expr),
                    effect: effect(cx, call),
                    maybe,
                });
            }
            if let Expr::Assign(a) = expr {
                if let (AssignOp::Assign, AssignTarget::Simple(SimpleAssignTarget::Ident(id))) =
                    (a.op, &a.left)
                {
                    if let Some((await_span, call, maybe)) = awaited_io(&a.right, cx) {
                        return Item::Await(AwaitStmt {
                            await_span,
                            call: call_text(cx, call, 60),
                            fix_call: call_text(cx, call, 120),
                            target: id.id.sym.as_str().to_owned(),
                            declared_with: None,
                            produced: vec![id.id.sym.clone()],
                            reads: idents_in(&*a.right),
                            effect: effect(cx, call),
                            maybe,
                        });
                    }
                }
            }
            if !pending {
                return nothing();
            }
            if contains_await(stmt) {
                return Item::Break;
            }
            Item::Plain {
                declared: Vec::new(),
                reads: idents_in(stmt),
            }
        }
        // Declarations that run nothing where they stand.
        Stmt::Decl(Decl::Fn(_) | Decl::TsInterface(_) | Decl::TsTypeAlias(_)) | Stmt::Empty(_) => {
            nothing()
        }
        // `if (a) list.push(...a)`, `for (const x of a) m.set(x)`: control
        // flow that neither awaits nor leaves the block cannot skip or
        // delay what follows.
        Stmt::If(_) | Stmt::Block(_) | Stmt::For(_) | Stmt::ForOf(_) | Stmt::ForIn(_)
            if pending && !contains_await(stmt) && !leaves(stmt) =>
        {
            Item::Plain {
                declared: Vec::new(),
                reads: idents_in(stmt),
            }
        }
        _ => Item::Break,
    }
}

/// `stmt` may leave the statement list: a `return` or `throw` (outside
/// nested functions), or a `break`/`continue` of a statement that is not
/// itself a loop (or a labelled one), or a `for await`.
fn leaves(stmt: &Stmt) -> bool {
    struct Jumps {
        found: bool,
        loop_ok: bool,
    }
    impl Hooks for Jumps {
        fn kinds(&self) -> u64 {
            bit(Kind::Stmt) | bit(Kind::Function) | bit(Kind::Arrow)
        }
        fn enter(&mut self, node: ProbeNode<'_>) -> Descend {
            match node {
                ProbeNode::Function(_) | ProbeNode::Arrow(_) => Descend::Skip,
                ProbeNode::Stmt(Stmt::Return(_) | Stmt::Throw(_)) => {
                    self.found = true;
                    Descend::Skip
                }
                ProbeNode::Stmt(Stmt::Break(b)) => {
                    self.found |= !self.loop_ok || b.label.is_some();
                    Descend::Skip
                }
                ProbeNode::Stmt(Stmt::Continue(c)) => {
                    self.found |= !self.loop_ok || c.label.is_some();
                    Descend::Skip
                }
                _ => Descend::Children,
            }
        }
    }
    if matches!(stmt, Stmt::ForOf(f) if f.is_await) {
        return true;
    }
    let mut jumps = Jumps {
        found: false,
        loop_ok: matches!(stmt, Stmt::For(_) | Stmt::ForOf(_) | Stmt::ForIn(_)),
    };
    probe::walk(stmt, &mut jumps);
    jumps.found
}

/// `await <I/O call>` (through parentheses and TS casts), or `await` of a
/// call of a function that may do I/O: its target, for the summaries.
fn awaited_io<'e>(
    expr: &'e Expr,
    cx: &LintContext<'_>,
) -> Option<(Span, &'e CallExpr, Option<Target>)> {
    let Expr::Await(a) = unwrap_expr(expr) else {
        return None;
    };
    let Expr::Call(call) = unwrap_expr(&a.arg) else {
        return None;
    };
    // An async function of this file returns a promise, but whether it
    // does I/O is its summary's to say (it may only validate input).
    let own_function =
        matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e), Expr::Ident(id) if cx.is_async_function(id)));
    if !own_function && io_call(cx, call) {
        return Some((a.span, call, None));
    }
    // `this.x()`, `this.service.x()`, an imported or module function, a
    // method of a namespace or an instance: followed after the walk.
    let target = target_of(call)?;
    let followed = match &target.called {
        Called::Name(name) => {
            cx.db.import_of(name).is_some()
                || matches!(&call.callee, Callee::Expr(e)
                    if matches!(unwrap_expr(e), Expr::Ident(id) if cx.is_module_binding(id)))
        }
        Called::This(_) => true,
        Called::Member(object, _) => {
            object.starts_with("this.")
                || cx.db.import_of(object).is_some()
                || cx.db.instances.iter().any(|(held, _)| **held == **object)
        }
    };
    followed.then_some((a.span, call, Some(target)))
}

fn report(group: Vec<AwaitStmt>, cx: &mut LintContext<'_>) {
    if group.len() < 2 {
        return;
    }
    // Calls the file knows as I/O, and the others' targets: enough of them
    // must do I/O (across files) for two awaits to be round trips.
    let known = group.iter().filter(|g| g.maybe.is_none()).count();
    let maybes: Vec<Target> = group.iter().filter_map(|g| g.maybe.clone()).collect();
    let (first, last) = (&group[0], &group[group.len() - 1]);
    let span = Span::new(first.await_span.lo, last.await_span.hi);
    let message = if group.len() == 2 {
        format!(
            "`await {}` and `await {}` run one after the other, but the second does not use the first's result",
            first.call, last.call
        )
    } else {
        let calls: Vec<String> = group.iter().map(|g| format!("`{}`", g.call)).collect();
        format!(
            "{} independent awaits run one after the other: {}",
            group.len(),
            calls.join(", ")
        )
    };
    let keyword = if group
        .iter()
        .any(|g| g.declared_with.is_none() && !g.target.is_empty())
    {
        "" // assigns existing variables
    } else if group
        .iter()
        .any(|g| matches!(g.declared_with, Some(VarDeclKind::Let | VarDeclKind::Var)))
    {
        "let "
    } else {
        "const "
    };
    let targets: Vec<&str> = group.iter().map(|g| g.target.as_str()).collect();
    let calls: Vec<&str> = group.iter().map(|g| g.fix_call.as_str()).collect();
    let help = if targets.iter().all(|t| t.is_empty()) {
        format!(
            "Start them together and wait once: `await Promise.all([{}]);` (total latency is the slowest call, not the sum).",
            calls.join(", ")
        )
    } else {
        format!(
            "Start them together and wait once: `{keyword}[{}] = await Promise.all([{}]);` (total latency is the slowest call, not the sum).",
            targets.join(", "),
            calls.join(", ")
        )
    };
    // Helpers are judged after the walk: enough of them must do I/O, and
    // none may write (what a later await reads may be what it wrote:
    // `await m.verifyAll(); await m.getHealthy()`).
    if maybes.is_empty() {
        cx.report(span, message, help);
    } else {
        cx.report_if(
            Condition::CallsAtLeastAndNone(
                maybes,
                2usize.saturating_sub(known),
                TargetEffect::Io,
                TargetEffect::Write,
            ),
            span,
            message,
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_independent_awaits() {
        assert_fires(
            "sequential-awaits",
            r#"export default {
  async fetch(req: Request, env: Env) {
    const user = await env.USERS.get(id);
    const settings = await env.CACHE.get(`settings:${id}`, "json");
    return Response.json({ user, settings });
  },
};
app.get("/:id", async (c) => {
  const id = c.req.param("id");
  const user = await c.var.db.query.users.findFirst({ where: eq(users.id, id) });
  const settings = await c.env.CACHE.get<UserSettings>(`settings:${id}`, "json");
  if (!user) return c.json({ error: "not found" }, 404);
  return c.json({ user, settings });
});
export async function three(env) {
  const a = await fetch("https://a.example");
  const label = "b";
  const { b } = await env.KV.get(label, "json");
  await env.KV.get("c");
}"#,
            &[
                (
                    3,
                    "`await env.USERS.get(id)` and `await env.CACHE.get(`settings:",
                ),
                (10, "the second does not use the first's result"),
                (16, "3 independent awaits run one after the other"),
            ],
        );
    }

    /// A database the handler builds (`const db = drizzle(c.env.DB)`, or
    /// with a factory named for one: `createDb(c.env.DB)`, teklin's) is one
    /// from the statement on (mardasa, cygnus: the block was read before
    /// its declarations, and a local `db` was not known); a helper named
    /// for something else (`getUserFromDb`) makes no database.
    #[test]
    fn fires_on_a_database_built_in_the_handler() {
        assert_fires(
            "sequential-awaits",
            r#"import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
app.get('/a/:id', async (c) => {
  const db = drizzle(c.env.DB);
  const id = c.req.param('id');
  const row = await db.select().from(payments).where(eq(payments.id, id)).limit(1);
  const settings = await c.env.CACHE.get(`settings:${id}`);
  return c.json({ row, settings });
});
app.get('/b/:id', async (c) => {
  const db = createDb(c.env.DB);
  const rows = await db.select().from(lessons).where(eq(lessons.userId, c.req.param('id'))).limit(20);
  const total = await db.select({ n: count() }).from(lessons).get();
  const user = getUserFromDb(c.env.DB);
  const a = await user.select();
  const b = await user.select();
  return c.json({ rows, total, a, b });
});"#,
            &[
                (6, "the second does not use the first's result"),
                (12, "the second does not use the first's result"),
            ],
        );
    }

    /// Kysely queries run one after the other (exif-frame's theme detail:
    /// three independent queries), not when the second uses the first.
    #[test]
    fn fires_on_independent_kysely_queries() {
        assert_fires(
            "sequential-awaits",
            r#"export async function detail(db: Kysely<Database>, id: number) {
  const theme = await db.selectFrom("theme").selectAll().where("id", "=", id).executeTakeFirst();
  const tags = await db.selectFrom("tag").select(["name"]).where("themeId", "=", id).execute();
  const owner = await db.selectFrom("member").select(["name"]).where("id", "=", theme!.ownerId).executeTakeFirst();
  return { theme, tags, owner };
}"#,
            &[(2, "the second does not use the first's result")],
        );
        // A Kysely instance a middleware put on the context's env, read
        // through a local (exif-frame's theme patch): the database's, not a
        // binding's RPC that may write.
        assert_fires(
            "sequential-awaits",
            r#"app.patch('/themes/:id', async (context) => {
  const db = context.env.db;
  const updated = await db.updateTable('theme').set({ name: 'x' }).where('id', '=', 1).executeTakeFirstOrThrow();
  const author = await db.selectFrom('member').select(['id']).where('id', '=', 1).executeTakeFirstOrThrow();
  const tags = await db.selectFrom('themeTag').select(['id']).where('themeId', '=', 2).execute();
  return context.json({ updated, author, tags });
});"#,
            &[(4, "the second does not use the first's result")],
        );
    }

    #[test]
    fn help_suggests_promise_all() {
        let found = crate::rules::test_util::lint_with(
            "sequential-awaits",
            "test.ts",
            "export async function f(env) {\n  const a = await fetch(x);\n  const b = await env.KV.get(k);\n}\n",
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .help
                .contains("const [a, b] = await Promise.all([fetch(x), env.KV.get(k)]);"),
            "{}",
            found[0].help
        );
    }

    #[test]
    fn silent_when_dependent() {
        assert_silent(
            "sequential-awaits",
            r#"export async function f(env, c) {
  const res = await fetch(url);
  const cached = await env.KV.get(res.headers.get("etag"));
}
export async function g(env) {
  const { id } = await env.KV.get("current", "json");
  const key = `user:${id}`;
  const user = await env.USERS.get(key);
}
export async function h(env) {
  const [a, b] = await Promise.all([env.KV.get("a"), env.KV.get("b")]);
  const text = await res.text();
  const parsed = await c.req.json();
}
async function i(env) {
  let page = await env.KV.list();
  page = await env.KV.list({ cursor: page.cursor });
}"#,
        );
    }

    /// An RPC method of a service binding or Durable Object stub is judged
    /// by its name: one that changes state (`updateCheckInterval`) comes
    /// before what follows; two reads (`getUser`) are independent.
    #[test]
    fn rpc_methods_of_bindings_are_judged_by_name() {
        assert_silent(
            "sequential-awaits",
            r#"export async function resume(env: Env, id: string) {
  await env.MONITOR_TRIGGER.updateCheckInterval(id, 60);
  await env.MONITOR_TRIGGER.resumeDo(id);
  return new Response("ok");
}"#,
        );
        assert_fires(
            "sequential-awaits",
            r#"export async function both(env: Env, a: string, b: string) {
  const first = await env.USERS.getUser(a);
  const second = await env.USERS.getUser(b);
  return Response.json({ first, second });
}"#,
            &[(2, "")],
        );
    }

    #[test]
    fn silent_when_order_is_required() {
        assert_silent(
            "sequential-awaits",
            r#"async function kv(env, k, v) {
  await env.KV.put(k, v);
  const x = await env.KV.get(k);
}
async function sql(c, user) {
  await c.var.db.insert(users).values(user);
  const rows = await c.var.db.select().from(users);
}
async function twoWrites(db, order, items) {
  await c.var.db.insert(orders).values(order);
  await c.var.db.insert(orderItems).values(items);
}
async function readThenWrite(env) {
  const old = await env.KV.get("k");
  await env.KV.put("k2", "v");
}
async function post(env) {
  await fetch(url, { method: "POST", body });
  const r = await fetch(other);
}
async function d1(env) {
  await env.DB.prepare("INSERT INTO t VALUES (?)").bind(1).run();
  const row = await env.DB.prepare("SELECT * FROM t").first();
}"#,
        );
    }

    #[test]
    fn silent_across_control_flow_and_non_io() {
        assert_silent(
            "sequential-awaits",
            r#"async function f(env) {
  const user = await env.USERS.get(id);
  if (!user) return null;
  const settings = await env.CACHE.get(id);
}
async function g() {
  const a = await sleep(1);
  const b = await crypto.subtle.digest("SHA-256", data);
}
export async function h(env) {
  const a = await env.KV.get("a");
}"#,
        );
    }

    /// D1 statements chained on `prepare` and `bind` are round trips.
    #[test]
    fn d1_statements_are_round_trips() {
        crate::rules::test_util::Case::new()
            .rules(&["sequential-awaits"])
            .file(
                "src/stats.ts",
                r#"export async function stats(env: Env, where: string) {
  const total = await env.DB.prepare(`SELECT COUNT(*) AS n FROM t ${where}`).first();
  const rows = await env.DB.prepare('SELECT * FROM t LIMIT ?').bind(20).all();
  return { total, rows };
}
"#,
            )
            .assert_fires(&[("src/stats.ts", 2, "run one after the other")]);
    }

    /// An async function of the same file counts when its summary says it
    /// does I/O, not for being async: one that only validates its input is
    /// no round trip.
    #[test]
    fn own_async_functions_count_by_what_they_do() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["sequential-awaits"])
            .file(
                "src/auth.ts",
                r#"async function parseKeyId(header: string) {
  if (!/^[1-9]\d*$/.test(header)) throw new Error('bad key id');
  return Number(header);
}
async function loadKey(env: Env, key: string) {
  return env.KEYS.get(key);
}
async function loadOrg(env: Env, org: string) {
  return env.ORGS.get(org);
}
export async function auth(env: Env, header: string, key: string) {
  const id = await parseKeyId(header);
  const apiKey = await loadKey(env, key);
  return { id, apiKey };
}
export async function both(env: Env, key: string, org: string) {
  const apiKey = await loadKey(env, key);
  const orgRow = await loadOrg(env, org);
  return { apiKey, orgRow };
}
"#,
            )
            .assert_fires(&[(
                "src/auth.ts",
                17,
                "`await loadKey(env, key)` and `await loadOrg(env, org)` run one after the other, but the second does not use the first's result: `loadKey` calls `env.KEYS.get(key)` at src/auth.ts:6",
            )]);
    }

    /// Awaits of helpers in other files (functions, methods of an instance
    /// held in a field) that do I/O, with plain control flow between them
    /// that cannot leave the block; silent when a helper does no I/O, when
    /// a later call reads an earlier result, or when a branch may return.
    #[test]
    fn follows_helpers_across_files() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["sequential-awaits"])
            .file(
                "src/github.ts",
                r#"export class GithubService {
  async getCommits(repo: string) { return this.request(`/repos/${repo}/commits`); }
  async getLanguages(repo: string) { return this.request(`/repos/${repo}/languages`); }
  async getOwner(repo: string) { return repo.split('/')[0]; }
  private async request(path: string) { return fetch(`https://api.github.com${path}`); }
}
export async function loadUser(id: string) { return fetch(`https://api.github.com/users/${id}`); }
"#,
            )
            .file(
                "src/score.ts",
                r#"import { GithubService, loadUser } from './github';
export class Score {
  constructor(private github: GithubService) {}
  async repo(repo: string, all: string[]) {
    const commits = await this.github.getCommits(repo);
    if (commits) all.push(...commits);
    for (const c of commits) all.push(c);
    const languages = await this.github.getLanguages(repo);
    return [commits, languages];
  }
  async user(id: string) {
    const user = await loadUser(id);
    const owner = await this.github.getOwner(id);
    return [user, owner];
  }
  async dependent(repo: string) {
    const commits = await this.github.getCommits(repo);
    const languages = await this.github.getLanguages(commits[0]);
    return languages;
  }
  async early(repo: string) {
    const commits = await this.github.getCommits(repo);
    if (!commits) return null;
    return this.github.getLanguages(repo);
  }
  async guarded(repo: string) {
    const commits = await this.github.getCommits(repo);
    if (!commits.length) { throw new Error('none'); }
    const languages = await this.github.getLanguages(repo);
    return [commits, languages];
  }
}
"#,
            )
            .assert_fires(&[(
                "src/score.ts",
                5,
                "`await this.github.getCommits(repo)` and `await this.github.getLanguages(repo)` run one after the other, but the second does not use the first's result: `this.github.getCommits` (through getCommits → request) calls `fetch(",
            )]);
    }

    /// A D1 binding given to a JavaScript helper as a parameter (`db`, no
    /// type to say so): its statements are round trips all the same (the
    /// e-commerce cart model's debug query before the real lookup).
    #[test]
    fn d1_statements_on_an_untyped_parameter() {
        assert_fires(
            "sequential-awaits",
            r#"export async function findActiveCart(db, guestId) {
  const all = await db.prepare(`SELECT cart_id FROM carts WHERE status = 'active' LIMIT 10`).all();
  const existing = await db.prepare('SELECT * FROM carts WHERE guest_session_id = ? LIMIT 1').bind(guestId).first();
  const parsed = await parser.prepare('not sql').run();
  return existing || all;
}"#,
            &[(2, "the second does not use the first's result")],
        );
    }

    /// A helper that writes keeps the awaits after it in order: what it
    /// wrote may be what the next one reads (auth-next's directors: a
    /// health check that updates a flag, then a read by that flag).
    #[test]
    fn helpers_that_write_keep_the_order() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&["sequential-awaits"])
            .file(
                "src/manager.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
export class Manager {
  constructor(private readonly db: ReturnType<typeof drizzle>, private readonly corpId: string) {}
  async getHealthy() { return this.db.select().from(directors).where(eq(directors.isHealthy, true)).limit(50); }
  async getWallets() { return this.db.select().from(wallets).where(eq(wallets.corpId, this.corpId)).limit(50); }
  async verifyAll() { await this.db.update(directors).set({ isHealthy: false }).where(eq(directors.corpId, this.corpId)); }
}
"#,
            )
            .file(
                "src/index.ts",
                r#"import { Manager } from './manager';
export async function access(db, corpId: string) {
  const m = new Manager(db, corpId);
  const verified = await m.verifyAll();
  const healthy = await m.getHealthy();
  const wallets = await m.getWallets();
  return { verified, healthy, wallets };
}
export async function read(db, corpId: string) {
  const m = new Manager(db, corpId);
  const healthy = await m.getHealthy();
  const wallets = await m.getWallets();
  return { healthy, wallets };
}
"#,
            )
            .assert_fires(&[("src/index.ts", 11, "the second does not use the first's result")]);
    }
}
