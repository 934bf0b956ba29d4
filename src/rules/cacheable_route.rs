//! `cacheable-route`: a public GET route of the Worker's own router that
//! does I/O on every request (a database, KV, R2, a subrequest — in the
//! route or in the functions it calls, across files) and whose response
//! depends on the URL alone, returned with no caching header. A cache in
//! front of it would answer most requests without running the Worker.

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{method_name, target_of, unwrap_expr, Condition, Effect, Node, Target};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::model::report::Related;
use crate::syntax::probe::{self, Descend, Hooks, Node as Probed};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "cacheable-route", Async, Info,
    "A public GET route does I/O on every request and its response depends on the URL alone, but it sends no caching header.",
    |_| Box::new(CacheableRoute::default())
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A route `app.get('/path', handler)` (Hono, itty-router and routers of the
same shape) of the router a Worker entry file exports (`export default app`,
or `{ fetch: app.fetch }`), when:

- the handler does I/O: a D1, Postgres or Drizzle query, a KV, R2 or other
  binding call, or a subrequest — itself, or in a function it calls (in any
  file: the finding names the chain);
- its response depends on the URL alone: the handler reads no request
  header or cookie, no user, session or token from the context, no
  `request.cf` (location), and does not pass the raw request on;
- nothing in the file sets `Cache-Control`, and no middleware other than
  ones known not to authenticate (`cors`, `logger`, `secureHeaders`,
  `prettyJSON`, `timing`, `etag`, `requestId`, `poweredBy`,
  `trimTrailingSlash`) runs before it.

It is information, not a defect: whether the answer may be a few seconds or
minutes old is yours to decide.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every request runs the Worker and waits for the round trip. A response that
carries `Cache-Control: public, max-age=60, stale-while-revalidate=600` can be
served by [Workers Cache](https://developers.cloudflare.com/workers/cache/)
(`"cache": { "enabled": true }` in the wrangler config) without running the
Worker at all: no CPU time, no database read, and the answer comes from the
nearest data center.
"#,
        ),
        (
            "Bad",
            r#"
```ts
# @entry
import { Hono } from 'hono';
const app = new Hono<{ Bindings: Env }>();

app.get('/products', async (c) => {
  const { results } = await c.env.DB.prepare('SELECT id, name, price FROM products').all();
  return c.json(results);
});

export default app;
```
"#,
        ),
        (
            "Good",
            r#"
```ts
# @entry
import { Hono } from 'hono';
const app = new Hono<{ Bindings: Env }>();

app.get('/products', async (c) => {
  const { results } = await c.env.DB.prepare('SELECT id, name, price FROM products').all();
  c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600');
  return c.json(results);
});

export default app;
```
"#,
        ),
        (
            "Not reported",
            r#"
- Routes that read a request header, a cookie, the user or session from the
  context, or `request.cf`: the response differs per caller.
- Files whose router has middleware that may authenticate (anything but the
  list above): a cache in front of the Worker would answer without running
  it, authentication included. The same for a route with such middleware
  of its own (`app.get('/admin', requireAuth, handler)`).
- Routers that are not the export of a Worker entry (a sub-router mounted
  elsewhere may sit behind middleware this file does not show), and a
  `fetch` wrapper around the router.
- Files that set `Cache-Control` anywhere, and Hono's `cache()` middleware.
- Routes with side effects: the handler, or a function it calls (in any
  file), writes — a query that inserts, updates or deletes, a KV or R2
  `put`/`delete`, a Queue `send`, a `fetch` with another method than GET or
  HEAD. A cached answer would skip them.
- Methods other than GET.
"#,
        ),
        (
            "With a profile",
            r#"
`perf-optimizer profile` checks the claim by measurement. A GET route whose
answers in the run (two or more) were all the same, carried no caching
header and no cookie, whose handler read no request header the answer could
depend on (the run watches the request's headers; `Host`, `Content-Type`,
conditional and tracing headers do not count, nor the `Origin` CORS
middleware reads: an answer that varies with it carries `Vary: Origin`, a
caching header), and which repeated the same
query with the same parameters, or the same subrequest, on each request is
confirmed: its finding gains a related location with the measured repeat
count. A route with no finding (a router this rule does not read) is
reported from the measurement alone, at the line that sent the repeated
query. Answers built from subrequests that the local stub answered are not
compared (the stub answers every request alike; `--allow-network` lets them
through).
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
Routes registered on sub-routers in other files are not judged (see above).
Whether a response may be cached at all (it changes on every write, or must
be fresh) is not known: the finding is information.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

const MESSAGE_HEAD: &str = "GET ";
const MESSAGE_TAIL: &str = " does I/O on every request and its response depends on the URL alone, but it sends no Cache-Control";

/// The finding's message for the route `path` (a pattern: `/items/:id`).
pub(super) fn route_message(path: &str) -> String {
    format!("{MESSAGE_HEAD}{path}{MESSAGE_TAIL}")
}

/// The route pattern a finding's message names (what a profile run's
/// evidence is matched by, `super::profile_evidence`); a finding about I/O
/// in a called function has the call chain after the message.
pub(super) fn message_route(message: &str) -> Option<&str> {
    Some(message.strip_prefix(MESSAGE_HEAD)?.split_once(MESSAGE_TAIL)?.0)
}

/// Middleware known not to authenticate or vary the response per caller.
const HARMLESS_MIDDLEWARE: &[&str] = &[
    "cors",
    "logger",
    "secureHeaders",
    "prettyJSON",
    "timing",
    "etag",
    "requestId",
    "poweredBy",
    "trimTrailingSlash",
    "appendTrailingSlash",
    "contextStorage",
];

/// Context keys (`c.get('user')`, `c.var.session`) that hold the caller.
const CALLER_KEYS: &[&str] = &[
    "user", "session", "auth", "jwt", "token", "account", "tenant", "org", "member", "viewer",
    "principal", "claims", "payload", "identity",
];

/// A GET route of the file.
struct Route {
    /// The router it is registered on, as written (`app`).
    router: swc_core::atoms::Atom,
    /// The path literal (where the finding points).
    path: Span,
    path_text: String,
    /// The handler function.
    handler: Span,
    /// The handler depends on the URL alone (no caller, header or `cf`).
    url_only: bool,
}

/// What a handler does: its first I/O call, and the calls of functions
/// that may do I/O elsewhere (read after the walk, when the facts that tell
/// a database query are all known, and only for the routes that qualify).
#[derive(Default)]
struct HandlerIo {
    io: Option<Span>,
    calls: Vec<Target>,
    /// It writes itself (a query that changes rows, a KV put, a Queue
    /// send, a POST): a cache in front of it would skip that.
    writes: bool,
}

/// What each of `handlers` does, in one walk of the file (however many
/// routes it has).
fn handlers_io(cx: &LintContext<'_>, handlers: &[Span]) -> Vec<HandlerIo> {
    struct Find<'c, 'a, 'h> {
        cx: &'c LintContext<'a>,
        handlers: &'h [Span],
        /// The handler the walk is in.
        inside: Option<usize>,
        found: Vec<HandlerIo>,
    }
    impl Hooks for Find<'_, '_, '_> {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            let Some(current) = self.inside else {
                let span = match node {
                    Probed::Arrow(a) => a.span,
                    Probed::Function(f) => f.span,
                    _ => return Descend::Children,
                };
                let Some(at) = self.handlers.iter().position(|h| *h == span) else {
                    return Descend::Children;
                };
                self.inside = Some(at);
                match node {
                    Probed::Arrow(a) => probe::children(a, self),
                    Probed::Function(f) => probe::children(f, self),
                    _ => {}
                }
                self.inside = None;
                return Descend::Skip;
            };
            if let Probed::Call(call) = node {
                let query = self.cx.db.query_at(call.span).map(|q| q.kind);
                let writes = self.cx.writes(call, query);
                let found = &mut self.found[current];
                found.writes |= writes;
                // A round trip: a subrequest or a method called on one
                // (`env.DB.prepare(q).first()`), not a local step (`prepare`).
                let local = method_name(call)
                    .is_some_and(|m| crate::knowledge::bindings::LOCAL_METHODS.contains(&m.as_ref()));
                if found.io.is_none() && !local && super::io_calls::subrequest_chain(self.cx, call) {
                    found.io = Some(call.span);
                } else if let Some(target) = target_of(call) {
                    if found.calls.len() < 8 {
                        found.calls.push(target);
                    }
                }
            }
            Descend::Children
        }
    }
    let mut find = Find {
        cx,
        handlers,
        inside: None,
        found: handlers.iter().map(|_| HandlerIo::default()).collect(),
    };
    probe::walk(cx.program(), &mut find);
    find.found
}

#[derive(Default)]
struct CacheableRoute {
    routes: Vec<Route>,
    /// Routers with middleware that may authenticate (or cache).
    guarded: Vec<swc_core::atoms::Atom>,
}

/// `app.METHOD('/path', …, handler)` (`method` lowercase, as routers name
/// them): the router, the path literal and the handler function.
pub(super) fn route<'c>(call: &'c CallExpr, method: &str) -> Option<(&'c Ident, &'c Str, &'c Expr)> {
    if method_name(call)? != method || call.args.len() < 2 {
        return None;
    }
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    let Expr::Ident(router) = unwrap_expr(&m.obj) else {
        return None;
    };
    let Expr::Lit(Lit::Str(path)) = unwrap_expr(&call.args[0].expr) else {
        return None;
    };
    if !path.value.as_str().is_some_and(|p| p.starts_with('/')) {
        return None;
    }
    let handler = &call.args.last()?.expr;
    matches!(unwrap_expr(handler), Expr::Arrow(_) | Expr::Fn(_)).then_some((router, path, &**handler))
}

/// The GET route literals of a file and the prefixes its routers are
/// mounted under (`app.route('/api', posts)`, Hono): `(router, path)` and
/// `(prefix, router)`, in source order.
#[derive(Default)]
pub struct RouteLiterals {
    pub gets: Vec<(swc_core::atoms::Atom, String)>,
    pub mounts: Vec<(String, swc_core::atoms::Atom)>,
}

/// The [`RouteLiterals`] of `program` (one walk over its calls).
pub fn route_literals(program: &Program) -> RouteLiterals {
    use swc_core::ecma::visit::{Visit, VisitWith};
    struct Find(RouteLiterals);
    impl Visit for Find {
        fn visit_call_expr(&mut self, call: &CallExpr) {
            if let Some((router, path, _)) = route(call, "get") {
                if let Some(p) = path.value.as_str() {
                    self.0.gets.push((router.sym.clone(), p.to_string()));
                }
            } else if let (Some("route"), [prefix, router]) = (method_name(call).map(|m| m.as_ref()), call.args.as_slice()) {
                if let (Expr::Lit(Lit::Str(p)), Expr::Ident(r)) = (unwrap_expr(&prefix.expr), unwrap_expr(&router.expr)) {
                    if let Some(p) = p.value.as_str().filter(|p| p.starts_with('/')) {
                        self.0.mounts.push((p.to_string(), r.sym.clone()));
                    }
                }
            }
            call.visit_children_with(self);
        }
    }
    let mut find = Find(RouteLiterals::default());
    program.visit_with(&mut find);
    find.0
}

/// `app.use(…)` with anything but known-harmless middleware: the router.
pub(super) fn guarding_use(call: &CallExpr) -> Option<&Ident> {
    if method_name(call)? != "use" {
        return None;
    }
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    let Expr::Ident(router) = unwrap_expr(&m.obj) else {
        return None;
    };
    let harmless = call.args.iter().all(|arg| harmless_middleware(&arg.expr));
    (!harmless).then_some(router)
}

/// A path, or middleware known not to authenticate (`cors()`, `logger()`).
fn harmless_middleware(arg: &Expr) -> bool {
    match unwrap_expr(arg) {
        Expr::Lit(Lit::Str(_)) => true,
        Expr::Call(c) => matches!(&c.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
            Expr::Ident(id) if HARMLESS_MIDDLEWARE.contains(&id.sym.as_ref()))),
        _ => false,
    }
}

/// A route with middleware of its own between its path and its handler
/// that may authenticate (`app.get('/admin', requireAuth, handler)`).
pub(super) fn route_middleware(call: &CallExpr) -> bool {
    let n = call.args.len();
    n > 2 && !call.args[1..n - 1].iter().all(|arg| harmless_middleware(&arg.expr))
}

/// The handler's response depends on the URL alone: it reads no header,
/// cookie, caller from the context or `cf`, and sets no caching header
/// (checked for the whole file at the end).
pub(super) fn url_only<N: for<'h> swc_core::ecma::visit::VisitWith<probe::Probe<'h>> + ?Sized>(handler: &N) -> bool {
    struct Reads(bool);
    impl Hooks for Reads {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            let per_caller = match node {
                Probed::Member(m) => match &m.prop {
                    MemberProp::Ident(p) => {
                        // `c.req.raw`: the whole request passed on (headers included).
                        matches!(p.sym.as_ref(), "headers" | "cf" | "cookie" | "cookies" | "raw")
                            || (matches!(unwrap_expr(&m.obj), Expr::Member(o) if matches!(&o.prop, MemberProp::Ident(v) if v.sym == "var"))
                                && caller_key(&p.sym))
                    }
                    _ => false,
                },
                Probed::Call(call) => match method_name(call).map(|m| m.as_ref()) {
                    Some("header" | "cookie" | "getCookie" | "getSignedCookie") => true,
                    // `c.get('user')`
                    Some("get") => call.args.first().is_some_and(|a| matches!(unwrap_expr(&a.expr),
                        Expr::Lit(Lit::Str(s)) if s.value.as_str().is_some_and(caller_key))),
                    _ => matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
                        Expr::Ident(id) if matches!(id.sym.as_ref(), "getCookie" | "getSignedCookie"))),
                },
                _ => false,
            };
            self.0 |= per_caller;
            if self.0 {
                Descend::Skip
            } else {
                Descend::Children
            }
        }
    }
    let mut reads = Reads(false);
    probe::walk(handler, &mut reads);
    !reads.0
}

fn caller_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    CALLER_KEYS.iter().any(|k| key.contains(k))
}

/// The file's module items: the router is the Worker's export
/// (`export default app`, `export default { fetch: app.fetch }`), and no
/// string of the file names `Cache-Control` (a helper or middleware may set
/// it).
fn exported_routers(program: &Program) -> Vec<swc_core::atoms::Atom> {
    let Program::Module(module) = program else {
        return Vec::new();
    };
    let mut routers = Vec::new();
    for item in &module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) = item else {
            continue;
        };
        match unwrap_expr(&e.expr) {
            Expr::Ident(id) => routers.push(id.sym.clone()),
            Expr::Object(o) => {
                for prop in &o.props {
                    let PropOrSpread::Prop(p) = prop else { continue };
                    let Prop::KeyValue(kv) = &**p else { continue };
                    let is_fetch = matches!(&kv.key, PropName::Ident(k) if k.sym == "fetch");
                    if let (true, Expr::Member(m)) = (is_fetch, unwrap_expr(&kv.value)) {
                        if let (Expr::Ident(id), MemberProp::Ident(f)) = (unwrap_expr(&m.obj), &m.prop) {
                            if f.sym == "fetch" {
                                routers.push(id.sym.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    routers
}

fn sets_cache_control(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("cache-control") || lower.contains("cachecontrol")
}

impl Rule for CacheableRoute {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        static ROUTER_CALLS: crate::model::collections::Words =
            crate::model::collections::Words::new(&["get", "use"]);
        Some(&ROUTER_CALLS)
    }

    fn enter(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        if let Some((router, path, handler)) = route(call, "get") {
            // Behind middleware of the route's own that may authenticate.
            if route_middleware(call) {
                return;
            }
            self.routes.push(Route {
                router: router.sym.clone(),
                path: path.span,
                path_text: path.value.as_str().unwrap_or("").to_string(),
                handler: handler.span(),
                url_only: url_only(handler),
            });
            return;
        }
        if let Some(router) = guarding_use(call) {
            self.guarded.push(router.sym.clone());
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        if self.routes.is_empty() || !cx.is_entry || sets_cache_control(cx.source) {
            return;
        }
        let exported = exported_routers(cx.program());
        let guarded = std::mem::take(&mut self.guarded);
        let routes: Vec<Route> = std::mem::take(&mut self.routes)
            .into_iter()
            .filter(|r| r.url_only && exported.contains(&r.router) && !guarded.contains(&r.router))
            .collect();
        let handlers: Vec<Span> = routes.iter().map(|r| r.handler).collect();
        for (route, HandlerIo { io, calls, writes }) in routes.into_iter().zip(handlers_io(cx, &handlers)) {
            // A route with side effects is no cache's to answer.
            if writes {
                continue;
            }
            let path = route.path_text;
            let message = route_message(&path);
            let help = if cx.project.workers_cache {
                "If its answer may be a little old, let Workers Cache (on for this Worker) answer: `c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600')` on the response, and it is served without running the Worker."
            } else {
                "If its answer may be a little old, let a cache answer: `c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600')` on the response, with `\"cache\": { \"enabled\": true }` in the wrangler config (Workers Cache serves it without running the Worker), or the Cache API (`caches.default`) keyed by the URL."
            };
            match io {
                Some(io) => {
                    let loc = cx.loc(io);
                    let related = vec![Related {
                        file: cx.path.to_string(),
                        line: loc.line,
                        column: loc.column,
                        message: format!("I/O: `{}`", crate::engine::context::one_line(&cx.snippet(io))),
                    }];
                    if calls.is_empty() {
                        cx.report_related(route.path, message, help, related);
                    } else {
                        // Unless a function it calls writes.
                        let condition = Condition::NoneCalls(calls, Effect::Write);
                        cx.report_if_related(condition, route.path, message, help, related);
                    }
                }
                None => cx.grouped(route.path, |cx| {
                    for target in &calls {
                        let condition = Condition::CallsAndNone(target.clone(), Effect::Io, calls.clone(), Effect::Write);
                        cx.report_if(condition, route.path, message.clone(), help);
                    }
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_silent, Case};

    #[test]
    fn fires_on_public_get_routes_doing_io() {
        Case::new()
            .rules(&["cacheable-route"])
            .entry("src/index.ts")
            .file(
                "src/index.ts",
                r#"import { Hono } from "hono";
import { cors } from "hono/cors";
import { listPosts } from "./posts";
const app = new Hono();
app.use("*", cors());
app.get("/products/:id", async (c) => {
  const row = await c.env.DB.prepare("SELECT * FROM products WHERE id = ?").bind(c.req.param("id")).first();
  return c.json(row);
});
app.get("/posts", async (c) => c.json(await listPosts(c.env)));
app.get("/health", (c) => c.text("ok"));
app.post("/products", async (c) => c.json(await c.env.DB.prepare("INSERT INTO products DEFAULT VALUES").run()));
export default app;
"#,
            )
            .file(
                "src/posts.ts",
                "export async function listPosts(env) {\n  return (await env.KV.get('posts', 'json')) ?? [];\n}\n",
            )
            .assert_fires(&[
                ("src/index.ts", 6, "GET /products/:id does I/O on every request"),
                ("src/index.ts", 10, "GET /posts does I/O on every request"),
            ]);
    }

    /// A route with side effects (a write in the handler or in a function
    /// it calls, in any file: a KV put, a Queue send, a query that changes
    /// rows, a POST) is no cache's to answer: a cached answer would skip
    /// them (rss-to-telegram's manual `/check-updates` trigger). A helper
    /// that only reads keeps the finding, its I/O as evidence.
    #[test]
    fn silent_on_routes_with_side_effects() {
        entry_case(
            r#"import { Hono } from "hono";
import { checkAndSend, logHit, readTitle } from "./jobs";
const app = new Hono();
app.get("/visit", async (c) => { await c.env.KV.put("visits", "1"); return c.json(await c.env.KV.get("page")); });
app.get("/check-updates", async (c) => c.json(await checkAndSend(c.env)));
app.get("/page", async (c) => { const page = await c.env.KV.get("page"); await logHit(c.env); return c.json(page); });
app.get("/ping", async (c) => c.json(await (await fetch("https://hooks.example/ping", { method: "POST" })).json()));
app.get("/mark", async (c) => c.json(await c.env.DB.prepare("UPDATE pages SET views = views + 1").run()));
app.get("/title", async (c) => { const page = await c.env.KV.get("page"); return c.json({ page, title: await readTitle(c.env) }); });
export default app;
"#,
        )
        .file(
                "src/jobs.ts",
                "export async function checkAndSend(env) {\n  const feed = await fetch('https://feed.example/rss');\n  await env.QUEUE.send({ feed: await feed.text() });\n  return { sent: 1 };\n}\nexport async function logHit(env) { await env.KV.put('hits', String(Date.now())); }\nexport async function readTitle(env) { return env.KV.get('title'); }\n",
            )
            .assert_fires(&[("src/index.ts", 9, "GET /title does I/O on every request")]);
    }

    fn entry_case(source: &str) -> Case {
        Case::new()
            .rules(&["cacheable-route"])
            .entry("src/index.ts")
            .file("src/index.ts", source)
    }

    #[test]
    fn silent_on_per_caller_guarded_cached_or_sub_routers() {
        // The caller, a header, cf, the raw request passed on.
        entry_case(
            r#"const app = new Hono();
app.get("/me", async (c) => c.json(await c.env.DB.prepare("SELECT 1 WHERE id = ?").bind(c.get("userId")).first()));
app.get("/lang", async (c) => c.json(await c.env.KV.get(c.req.header("Accept-Language"))));
app.get("/near", async (c) => c.json(await c.env.KV.get(c.req.raw.cf.colo)));
app.get("/feed", async (c) => c.json(await c.env.KV.get(`feed:${c.var.session.id}`)));
app.get("/box/:id", async (c) => c.env.BOX.get(c.env.BOX.idFromName(c.req.param("id"))).fetch(c.req.raw));
export default app;
"#,
        )
        .assert_silent();
        // Middleware that may authenticate.
        entry_case(
            r#"const app = new Hono();
app.use("/api/*", jwt({ secret: "s" }));
app.get("/api/products", async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
export default { fetch: app.fetch };
"#,
        )
        .assert_silent();
        // The route's own middleware (Oconner's admin lists); `cors()` is
        // harmless and the public route beside it is reported.
        entry_case(
            r#"const app = new Hono();
app.get("/admin/reels", requireAuth, async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
app.get("/reels", cors(), async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
export default app;
"#,
        )
        .assert_fires(&[("src/index.ts", 3, "GET /reels does I/O on every request")]);
        // A caching header set somewhere in the file.
        entry_case(
            r#"const app = new Hono();
const cached = (c, body) => c.json(body, 200, { "Cache-Control": "public, max-age=60" });
app.get("/products", async (c) => cached(c, await c.env.DB.prepare("SELECT 1").all()));
export default app;
"#,
        )
        .assert_silent();
        // A sub-router (mounted elsewhere), and a fetch wrapper.
        entry_case(
            r#"export const products = new Hono();
products.get("/", async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
const app = new Hono();
app.get("/x", async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
export default {
  async fetch(request, env, ctx) {
    if (request.headers.get("x-key") !== env.KEY) return new Response("no", { status: 401 });
    return app.fetch(request, env, ctx);
  },
};
"#,
        )
        .assert_silent();
        // A router exported by a file that is no Worker entry (a route
        // module the entry mounts, maybe behind its middleware).
        assert_silent(
            "cacheable-route",
            r#"const routes = new Hono();
routes.get("/products", async (c) => c.json(await c.env.DB.prepare("SELECT 1").all()));
export default routes;
"#,
        );
    }
}
