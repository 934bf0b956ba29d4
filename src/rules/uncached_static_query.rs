//! `uncached-static-query`: a read query that nothing from the request goes
//! into (a settings row, a category list, a count), run unconditionally by a
//! request handler that keeps no answer anywhere. Every request pays a
//! database round trip for the same result.

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::effects::drizzle::{d1_binding, is_db_chain};
use crate::engine::context::{method_name, one_line, unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::drizzle::chain;
use crate::knowledge::sql;
use crate::syntax::probe::{self, Descend, Hooks, Node as Probed};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "uncached-static-query", Database, Info,
    "A request handler runs the same read query on every request (nothing from the request goes into it) and keeps no answer.",
    |_| Box::<UncachedStaticQuery>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A read query that a request handler (a `fetch` handler, a route callback, a
Pages Function) runs on every request — not in a branch, a loop or a
callback, and before anything that can return — when nothing from the
request goes into it:

- D1: `env.DB.prepare('SELECT …')` with `.all()`, `.first()` or `.raw()`,
  bound (if at all) to constants or environment values;
- Drizzle: `db.select(…).from(t)…`, `db.$count(t)` or
  `db.query.t.findMany/findFirst(…)` whose arguments use no local value of
  the handler (only tables, operators, literals and module constants).

Silent when the handler keeps answers (the Cache API, a module-scope
variable or collection it writes), sets `Cache-Control` on its response, or
reads the caller (a header, a cookie, the user or session), or when its router
has middleware that may authenticate (`app.use("/admin/*", auth)`): an
authenticated route is not one to cache.
It is information: whether the answer may be a little old is yours to decide.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every request waits for the same round trip to the database and back for an
answer that changes rarely: a D1 read from a Worker far from the database
takes tens of milliseconds, and each counts against D1's rows-read billing.
Kept in memory for a minute (per isolate), in KV, or in the route's cached
response, the answer costs nothing on most requests.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env) {
    const { results: categories } = await env.DB.prepare('SELECT id, name FROM categories ORDER BY name').all();
    const url = new URL(request.url);
    return Response.json({ categories, path: url.pathname });
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```ts
let categories: { at: number; rows: unknown[] } | undefined;

export default {
  async fetch(request: Request, env: Env) {
    if (!categories || Date.now() - categories.at > 60_000) {
      const { results } = await env.DB.prepare('SELECT id, name FROM categories ORDER BY name').all();
      categories = { at: Date.now(), rows: results };
    }
    const url = new URL(request.url);
    return Response.json({ categories: categories.rows, path: url.pathname });
  },
};
```
"#,
        ),
        (
            "Not reported",
            r#"
- Queries with a value from the request (a parameter, a user id, a page).
- Writes (`INSERT`, `UPDATE`, `DELETE`).
- Queries in a branch or after an early return, and in helpers (the
  handler's own statements are read).
- Handlers that keep answers or set `Cache-Control`, and handlers that
  read a header, a cookie, the user or the session.
- Routes with middleware of their own (`app.get('/admin', requireAuth,
  handler)`), routes of another method than GET (a POST writes), and routes
  of a router in a file that is not the Worker's entry: another file mounts
  it, maybe behind its own middleware (`app.use('/api/*', auth)`).
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
A query in a helper the handler calls is not followed. Whether the data may
be stale for a while is not known: the finding is information.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Judges a handler's body when its walk ends, when the facts about its
/// locals (which name holds a database) are known; reports when the file's
/// walk ends, when its routers' middleware is known.
#[derive(Default)]
struct UncachedStaticQuery {
    bodies: super::handler_bodies::HandlerBodies,
    /// Route callbacks: their router, the callback's span, and whether the
    /// route is one to cache at all (a GET with no middleware of its own).
    routes: Vec<(swc_core::atoms::Atom, Span, bool)>,
    /// Routers with middleware that may authenticate (`app.use(…)`).
    guarded: Vec<swc_core::atoms::Atom>,
    /// Queries found so far: the handler's span and the query's.
    found: Vec<(Span, Span)>,
}

impl Rule for UncachedStaticQuery {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Stmts, NodeKind::Call]
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Stmts]
    }

    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        static ROUTER_CALLS: crate::model::collections::Words =
            crate::model::collections::Words::new(&[
                "get", "post", "put", "patch", "delete", "all", "on", "use",
            ]);
        Some(&ROUTER_CALLS)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        if let Node::Call(call) = node {
            let Some(method) = method_name(call) else { return };
            if let Some(router) = super::cacheable_route::guarding_use(call) {
                self.guarded.push(router.sym.clone());
            } else if let Some((router, _, handler)) = super::cacheable_route::route(call, method.as_ref()) {
                // `app.get(path, requireAuth, handler)`: middleware of the
                // route's own may authenticate; a POST writes, its reads
                // are not answers to keep.
                let cacheable = matches!(method.as_ref(), "get" | "all")
                    && !super::cacheable_route::route_middleware(call);
                self.routes.push((router.sym.clone(), handler.span(), cacheable));
            }
            return;
        }
        self.bodies.enter(&node, cx);
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        let (routes, guarded) = (std::mem::take(&mut self.routes), std::mem::take(&mut self.guarded));
        // A route behind middleware that may authenticate (`app.use("/admin/*",
        // auth)`, whatever its path) is not one to cache, as cacheable-route judges.
        // A route of a router another file mounts (not the Worker's entry)
        // may sit behind that file's middleware (`app.use('/api/*', auth)`
        // before `app.route('/api/x', router)`), as cacheable-route judges.
        let entry = cx.is_entry;
        let not_to_cache = |handler: Span| {
            routes.iter().any(|(router, span, cacheable)| {
                *span == handler && (!cacheable || guarded.contains(router) || !entry)
            })
        };
        for (handler, query) in std::mem::take(&mut self.found) {
            if not_to_cache(handler) {
                continue;
            }
            let text = one_line(&cx.snippet(query));
            cx.report(
                query,
                format!("`{text}` runs on every request and nothing from the request goes into it: each request waits for a database round trip for the same answer"),
                "If the answer changes rarely (settings, categories, counts), keep it: in a module-scope variable with a time-to-live (per isolate), in KV (`get(key, { cacheTtl: 300 })`), or in the route's cached response (`Cache-Control: public, max-age=60`).",
            );
        }
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Stmts(body) = node else { return };
        let Some(handler) = self.bodies.exit() else {
            return;
        };
        // The whole query chains first (a chain's inner calls are parts of
        // it), then those with no input from the request.
        let mut queries = super::uncached_subrequest::every_request_calls(body, cx, &read_query);
        queries.retain(|q| request_free(q, cx) && !stored_builder(body, q));
        // A handler that reads the caller (a header, a cookie, the user)
        // is left alone: its route is not one to cache.
        if queries.is_empty()
            || !body.iter().all(super::cacheable_route::url_only)
            || super::uncached_subrequest::keeps_answers(body, cx)
            || cx.text(handler).to_ascii_lowercase().contains("cache-control")
        {
            return;
        }
        self.found.extend(queries.into_iter().map(|query| (handler, query.span)));
    }
}

/// `const query = db.select().from(t)`, not awaited: a Drizzle query built
/// and kept, run later where the code adds to it (a `where` of the
/// request's values, a `limit`), not here.
fn stored_builder(body: &[Stmt], query: &CallExpr) -> bool {
    let runs_here = method_name(query).is_some_and(|m| matches!(m.as_ref(), "all" | "first" | "raw" | "get" | "run" | "values" | "execute"));
    !runs_here
        && body.iter().any(|stmt| {
            matches!(stmt, Stmt::Decl(Decl::Var(v)) if v.decls.iter().any(|d| {
                matches!(d.init.as_deref().map(unwrap_expr), Some(Expr::Call(c)) if c.span == query.span)
            }))
        })
}

/// A read query: D1 `prepare(sql)` of a SELECT with a reading method, or
/// a Drizzle select (whatever its arguments).
fn read_query(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let Some(method) = method_name(call) else {
        return false;
    };
    match method.as_ref() {
        "all" | "first" | "raw" => {
            let (Some(root), segments) = chain(call) else {
                return false;
            };
            // prepare(sql), bind(…)…, then the reading method.
            let [prepare, binds @ .., _read] = &segments[..] else {
                return false;
            };
            prepare.name == "prepare"
                && binds.iter().all(|s| s.name == "bind")
                && prepare.args.first().is_some_and(|sql| read_sql(&sql.expr))
                && d1_binding(root, cx).is_some()
        }
        _ => drizzle_read(call, cx),
    }
}

/// Nothing from the request goes into the query: D1 bindings are constants
/// (literals, module constants, environment values); Drizzle arguments use
/// no local of the function.
fn request_free(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let (_, segments) = chain(call);
    segments.iter().all(|s| match s.name.as_ref() {
        "bind" => s.args.iter().all(|a| super::uncached_subrequest::constant(&a.expr, cx)),
        _ => s.args.iter().all(|a| no_local(&a.expr, cx)),
    })
}

/// SQL text written in the code that reads a table: `SELECT … FROM t` or
/// `WITH …`. A SELECT of no table (`SELECT 1`, a health probe; `SELECT
/// datetime('now')`) reads no data a cache could keep: the answer of a
/// probe must be fresh.
fn read_sql(expr: &Expr) -> bool {
    let text = match unwrap_expr(expr) {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().unwrap_or("").to_string(),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.iter().map(|q| q.raw.as_str()).collect(),
        _ => return false,
    };
    let head: String = text.trim_start().chars().take(6).collect::<String>().to_ascii_uppercase();
    if head.starts_with("WITH") {
        return true;
    }
    head.starts_with("SELECT") && sql::read_query(&text).is_some_and(|q| q.table.is_some())
}

/// `db.select(…).from(t)…`, `db.$count(t)` or `db.query.t.findMany(…)`.
fn drizzle_read(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let (root, segments) = chain(call);
    let Some(first) = segments.first() else {
        return false;
    };
    let reads = match first.name.as_ref() {
        "select" | "selectDistinct" | "$count" => true,
        "findMany" | "findFirst" => segments.len() == 1
            && matches!(root.map(unwrap_expr), Some(Expr::Member(m)) if matches!(unwrap_expr(&m.obj), Expr::Member(q) if matches!(&q.prop, MemberProp::Ident(p) if p.sym == "query"))),
        _ => false,
    };
    // A chain that is not awaited as is (`.prepare()`, `.toSQL()`) or that
    // writes is not a read.
    let plain = segments.iter().all(|s| {
        !matches!(
            s.name.as_ref(),
            "prepare" | "toSQL" | "insert" | "update" | "delete" | "$dynamic" | "as" | "then"
        )
    });
    reads && plain && is_db_chain(call, cx)
}

/// The expression uses no variable of the function it is in (only
/// module-scope names, imports, globals and literals).
fn no_local(expr: &Expr, cx: &LintContext<'_>) -> bool {
    struct Locals<'c, 'a> {
        cx: &'c LintContext<'a>,
        found: bool,
    }
    impl Hooks for Locals<'_, '_> {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            if let Probed::Ident(id) = node {
                let semantic = self.cx.semantic();
                self.found |= semantic
                    .resolve(id)
                    .is_some_and(|s| semantic.symbol(s).scope != semantic.root_scope());
            }
            if self.found {
                Descend::Skip
            } else {
                Descend::Children
            }
        }
    }
    let mut locals = Locals { cx, found: false };
    probe::walk(expr, &mut locals);
    !locals.found
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::Case;

    /// A query built and kept (`const query = db.select()…`, not awaited)
    /// runs later, where the request's values may go into it (cygnus'
    /// category filter): not here.
    #[test]
    fn silent_on_queries_kept_to_run_later() {
        Case::new()
            .rules(&["uncached-static-query"])
            .file(
                "src/index.ts",
                r#"import { drizzle } from "drizzle-orm/d1";
import { desc, eq } from "drizzle-orm";
import { songs } from "./schema";
export default {
  async fetch(req: Request, env: Env) {
    const cat = new URL(req.url).searchParams.get("category");
    const db = drizzle(env.DB);
    const query = db.select({ id: songs.id }).from(songs);
    const filtered = cat ? query.where(eq(songs.categoryId, Number(cat))) : query;
    const rows = await filtered.orderBy(desc(songs.id)).limit(20).all();
    return Response.json(rows);
  },
};
"#,
            )
            .assert_silent();
    }

    #[test]
    fn fires_on_static_reads_on_every_request() {
        Case::new()
            .rules(&["uncached-static-query"])
            .entry("src/index.ts")
            .file(
                "src/index.ts",
                r#"import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { eq, asc } from "drizzle-orm";
import { categories, settings } from "./schema";
const app = new Hono();
app.get("/shop/:id", async (c) => {
  const db = drizzle(c.env.DB);
  const cats = await db.select().from(categories).orderBy(asc(categories.name));
  const site = await db.query.settings.findFirst({ where: eq(settings.key, "site") });
  const total = await c.env.DB.prepare("SELECT COUNT(*) AS n FROM products").first("n");
  const product = await c.env.DB.prepare("SELECT * FROM products WHERE id = ?").bind(c.req.param("id")).first();
  return c.json({ cats, site, total, product });
});
export default app;
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 8, "runs on every request and nothing from the request goes into it"),
                ("src/index.ts", 9, "runs on every request"),
                ("src/index.ts", 10, "runs on every request"),
            ]);
    }

    #[test]
    fn silent_on_request_inputs_writes_branches_and_kept_answers() {
        Case::new()
            .rules(&["uncached-static-query"])
            .entry("src/index.ts")
            .file(
                "src/index.ts",
                r#"import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { users } from "./schema";
let cached;
const app = new Hono();
app.get("/u/:id", async (c) => {
  const db = drizzle(c.env.DB);
  const id = c.req.param("id");
  const user = await db.select().from(users).where(eq(users.id, id));
  await c.env.DB.prepare("INSERT INTO hits (at) VALUES (1)").run();
  if (c.req.query("all")) {
    return c.json(await c.env.DB.prepare("SELECT * FROM users").all());
  }
  return c.json(user);
});
app.get("/settings", async (c) => {
  if (!cached) cached = await c.env.DB.prepare("SELECT * FROM settings").all();
  return c.json(cached);
});
app.get("/admin", async (c) => {
  const rows = await c.env.DB.prepare("SELECT * FROM settings").all();
  return c.json({ rows, who: c.get("user") });
});
app.get("/cats", async (c) => {
  const rows = await c.env.DB.prepare("SELECT * FROM categories").all();
  c.header("Cache-Control", "public, max-age=60");
  return c.json(rows);
});
export async function helper(env) {
  return env.DB.prepare("SELECT * FROM categories").all();
}
const admin = new Hono();
admin.use("/businesses/*", async (c, next) => {
  if (!(await c.env.KV.get(getCookie(c, "session")))) return c.json({ error: "unauthorized" }, 401);
  await next();
});
admin.get("/businesses", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT id, slug FROM tenants ORDER BY id DESC LIMIT 100").all();
  return c.json(results);
});
app.get("/health", async (c) => {
  try {
    await c.env.DB.prepare("SELECT 1").first();
    await c.env.DB.prepare(`SELECT datetime('now') AS now`).first();
    return c.json({ status: "healthy" });
  } catch {
    return c.json({ status: "unhealthy" }, 503);
  }
});
// the route's own middleware may authenticate (Oconner's admin lists)
app.get("/admin/reels", requireAuth, async (c) => {
  const rows = await c.env.DB.prepare("SELECT * FROM reels LIMIT 100").all();
  return c.json(rows);
});
// a POST writes: its reads are no answers to keep
app.post("/jobs/run-due", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT id FROM jobs WHERE status = 'due' LIMIT 100").all();
  await c.env.DB.prepare("UPDATE jobs SET status = 'done' WHERE status = 'due'").run();
  return c.json({ ran: results.length });
});
"#,
            )
            .assert_silent();
    }

    /// A router another file mounts may sit behind that file's middleware
    /// (`app.use('/api/*', requireAuth)` before `app.route('/api/customers',
    /// router)`): its routes are judged in the Worker's entry only.
    #[test]
    fn routes_of_a_router_mounted_elsewhere_are_not_judged() {
        let router = r#"import { Hono } from "hono";
const router = new Hono();
router.get("/", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT id, email FROM customers LIMIT 100").all();
  return c.json(results);
});
export default router;
"#;
        let entry = r#"import { Hono } from "hono";
import customers from "./customers";
const app = new Hono();
app.route("/api/customers", customers);
app.get("/categories", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT id, name FROM categories").all();
  return c.json(results);
});
export default app;
"#;
        Case::new()
            .rules(&["uncached-static-query"])
            .entry("src/index.ts")
            .file("src/index.ts", entry)
            .file("src/customers.ts", router)
            .assert_fires(&[("src/index.ts", 6, "runs on every request")]);
    }
}
