//! `uncached-subrequest`: a request handler makes the same GET on every
//! request — a URL and headers that no value of the request goes into
//! (signing keys, OpenID configuration, feature flags, remote config) —
//! with nothing keeping the answer: no Cache API, no module-scope memory, no
//! `cf.cacheTtl`. Also jose's `createRemoteJWKSet` made in the function
//! that verifies with it, whose key cache then starts empty every call.

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::engine::context::{unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::syntax::probe::{self, Descend, Hooks, Node as Probed};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "uncached-subrequest", Async, Warning,
    "A request handler fetches the same URL on every request (keys, configuration, flags) and keeps nothing: cache the answer.",
    |_| Box::new(UncachedSubrequest::default())
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
In a request handler (a module Worker's `fetch`, a route callback or
middleware, a Pages Function), a subrequest that runs on every request and is
the same each time:

- `fetch(url)` or `fetch(url, init)` where the URL is a literal, a
  module-scope constant, an environment variable (`env.JWKS_URL`) or a
  template or `new URL(…)` of those, the method is GET, and the headers are
  constants too (no token or value taken from the request);
- jose's `createRemoteJWKSet(…)` called in a function that verifies with it
  (`jwtVerify(token, jwks)`), in a handler or a helper: the key set caches the
  keys, but a new one starts empty on every call.

Only subrequests the handler makes before any branch that can return are
counted (a fetch after `if (cached) return cached` does not run every time).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each one is a round trip before the response can be built, on every request,
and it counts against the subrequest limit (50 per request on the Free plan).
When the answer changes rarely — a JWKS, an OpenID discovery document,
feature flags, exchange rates — one fetch per isolate or per minute does
the same work: module-scope memory lives as long as the isolate, the Cache
API keeps a response in the data center, and `cf.cacheTtl` caches it on the
zone.
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { createRemoteJWKSet, jwtVerify } from 'jose';

export default {
  async fetch(request: Request, env: Env) {
    const flags = await (await fetch('https://config.example.com/flags.json')).json();
    const jwks = createRemoteJWKSet(new URL(env.JWKS_URL));
    const token = request.headers.get('Authorization')?.slice(7) ?? '';
    const { payload } = await jwtVerify(token, jwks);
    return Response.json({ user: payload.sub, beta: flags.beta });
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```ts
import { createRemoteJWKSet, jwtVerify } from 'jose';

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

export default {
  async fetch(request: Request, env: Env) {
    // Cached on the zone for five minutes.
    const flags = await (await fetch('https://config.example.com/flags.json', { cf: { cacheTtl: 300 } })).json();
    // One key set per isolate: it fetches the keys once and keeps them.
    jwks ??= createRemoteJWKSet(new URL(env.JWKS_URL));
    const token = request.headers.get('Authorization')?.slice(7) ?? '';
    const { payload } = await jwtVerify(token, jwks);
    return Response.json({ user: payload.sub, beta: flags.beta });
  },
};
```
"#,
        ),
        (
            "Not reported",
            r#"
- A URL, header or body built from the request (a path, a query value, the
  caller's token): the answer differs per request.
- Methods other than GET and HEAD, and fetches of service bindings.
- `fetch(url, { cf: { cacheTtl | cacheEverything | cacheTtlByStatus } })`.
- A handler that uses the Cache API (`caches`) or writes a module-scope
  variable or map (an in-memory cache), and fetches after a branch that
  can return early (the cache hit).
- Subrequests in `scheduled` and `queue` handlers (refreshing a cache there is
  the point), in helpers, and at module scope.
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
For `fetch`, only the handler's own statements are read, not helpers it
calls. Whether
the answer may be kept is the reader's call: an endpoint that returns the
time or a random value must not be cached.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct UncachedSubrequest {
    /// A request handler was entered; its body is the next statement list.
    entered: Option<Span>,
}

impl Rule for UncachedSubrequest {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Stmts, NodeKind::Call]
    }

    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        static JWT_VERIFY: crate::model::collections::Words =
            crate::model::collections::Words::new(&["jwtVerify"]);
        Some(&JWT_VERIFY)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Function(Frame::Function {
                span,
                request_param,
                ..
            }) => self.entered = request_param.then_some(*span),
            Node::Stmts(body) => {
                let Some(handler) = self.entered.take() else {
                    return;
                };
                let in_handler = matches!(cx.function(), Some(Frame::Function { span, .. }) if *span == handler);
                if in_handler && !keeps_answers(body, cx) {
                    for call in every_request_calls(body, cx, &constant_fetch) {
                        report(call, Repeated::Fetch, cx);
                    }
                }
            }
            // A key set made in a function and used there to verify: made
            // again on every call (not captured by a verifier it returns).
            Node::Call(call) => {
                let Some(key_set) = call.args.get(1).filter(|_| jose_call(call, "jwtVerify", cx)) else {
                    return;
                };
                let made_here = match unwrap_expr(&key_set.expr) {
                    Expr::Call(inner) if jose_call(inner, "createRemoteJWKSet", cx) => Some(inner.span),
                    Expr::Ident(id) => key_set_made_in_function(id, call.span, cx),
                    _ => None,
                };
                if let Some(made) = made_here {
                    report_span(made, Repeated::RemoteJwks, cx);
                }
            }
            _ => {}
        }
    }
}

/// What an unconditional call of the handler is.
#[derive(Clone, Copy)]
enum Repeated {
    Fetch,
    RemoteJwks,
}

fn report(call: &CallExpr, what: Repeated, cx: &mut LintContext<'_>) {
    report_span(call.span, what, cx);
}

fn report_span(span: Span, what: Repeated, cx: &mut LintContext<'_>) {
    let text = crate::engine::context::one_line(&cx.snippet(span));
    match what {
        Repeated::Fetch => cx.report(
            span,
            format!("`{text}` makes the same GET on every request: nothing from the request goes into it, and its answer is not kept"),
            "If the answer changes rarely (signing keys, configuration, flags, rates), keep it: at module scope with a time-to-live (it lives as long as the isolate), in the Cache API (`caches.default.match`, then `ctx.waitUntil(cache.put(…))` on a miss), or on the zone with `fetch(url, { cf: { cacheTtl: 300 } })`.",
        ),
        Repeated::RemoteJwks => cx.report(
            span,
            format!("`{text}` makes a new remote key set for each verification: its cache starts empty, so every call fetches the JWKS again"),
            "Create it once per isolate: at module scope, or lazily in a module-scope variable (`jwks ??= createRemoteJWKSet(new URL(env.JWKS_URL))`); it fetches the keys on first use and keeps them.",
        ),
    }
}

/// The handler keeps answers somewhere: it uses the Cache API, or writes a
/// module-scope variable or collection (`cache = …`, `cache.set(…)`).
pub(super) fn keeps_answers(body: &[Stmt], cx: &LintContext<'_>) -> bool {
    struct Keeps<'c, 'a> {
        cx: &'c LintContext<'a>,
        found: bool,
    }
    impl Hooks for Keeps<'_, '_> {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            match node {
                Probed::Ident(id) if id.sym == "caches" => {
                    self.found |= self.cx.semantic().is_global(id, "caches");
                }
                Probed::SimpleAssignTarget(SimpleAssignTarget::Ident(id)) => {
                    self.found |= self.cx.is_module_binding(&id.id);
                }
                Probed::SimpleAssignTarget(SimpleAssignTarget::Member(m)) => {
                    self.found |= matches!(&*m.obj, Expr::Ident(id) if self.cx.is_module_binding(id));
                }
                Probed::Call(call) => {
                    let writes = crate::engine::context::method_name(call)
                        .is_some_and(|m| matches!(m.as_ref(), "set" | "push" | "put"));
                    let on_module = matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
                        Expr::Member(m) if matches!(&*m.obj, Expr::Ident(id) if self.cx.is_module_binding(id))));
                    self.found |= writes && on_module;
                }
                _ => {}
            }
            if self.found {
                Descend::Skip
            } else {
                Descend::Children
            }
        }
    }
    let mut keeps = Keeps { cx, found: false };
    for stmt in body {
        probe::walk(stmt, &mut keeps);
    }
    keeps.found
}

/// A test of a call: is it one the caller wants.
pub(super) type CallTest = dyn Fn(&CallExpr, &LintContext<'_>) -> bool;

/// The calls of `body` that `wanted` accepts and that run on every request:
/// not in a nested function, a branch, a loop or a short-circuit, and
/// before any branch that can return or throw. The calls a wanted call is
/// made of (`env.DB.prepare(q)` in `env.DB.prepare(q).all()`) are not
/// looked at.
pub(super) fn every_request_calls<'b>(body: &'b [Stmt], cx: &LintContext<'_>, wanted: &CallTest) -> Vec<&'b CallExpr> {
    struct Unconditional<'c, 'a, 'b, 'w> {
        cx: &'c LintContext<'a>,
        wanted: &'w CallTest,
        found: Vec<&'b CallExpr>,
        /// A branch that can leave the handler was passed.
        stopped: bool,
    }
    impl<'b> Unconditional<'_, '_, 'b, '_> {
        fn stmt(&mut self, stmt: &'b Stmt) {
            if self.stopped {
                return;
            }
            match stmt {
                Stmt::Expr(s) => self.expr(&s.expr),
                Stmt::Return(r) => {
                    if let Some(arg) = &r.arg {
                        self.expr(arg);
                    }
                    self.stopped = true;
                }
                Stmt::Decl(Decl::Var(var)) => {
                    for d in &var.decls {
                        if let Some(init) = &d.init {
                            self.expr(init);
                        }
                    }
                }
                Stmt::Block(b) => b.stmts.iter().for_each(|s| self.stmt(s)),
                Stmt::Try(t) => {
                    t.block.stmts.iter().for_each(|s| self.stmt(s));
                    self.stopped |= t.handler.as_ref().is_some_and(|h| h.body.stmts.iter().any(leaves));
                }
                Stmt::If(s) => {
                    self.expr(&s.test);
                    self.stopped |= leaves(&s.cons) || s.alt.as_deref().is_some_and(leaves);
                }
                Stmt::Throw(_) => self.stopped = true,
                Stmt::Decl(_) | Stmt::Empty(_) | Stmt::Debugger(_) => {}
                // Loops, switches, labels: what they run is not every request's.
                other => self.stopped |= leaves(other),
            }
        }

        fn expr(&mut self, expr: &'b Expr) {
            match unwrap_expr(expr) {
                Expr::Await(a) => self.expr(&a.arg),
                Expr::Call(call) => {
                    if (self.wanted)(call, self.cx) {
                        self.found.push(call);
                        for arg in &call.args {
                            self.expr(&arg.expr);
                        }
                        return;
                    }
                    if let Callee::Expr(callee) = &call.callee {
                        self.expr(callee);
                    }
                    for arg in &call.args {
                        self.expr(&arg.expr);
                    }
                }
                Expr::Member(m) => self.expr(&m.obj),
                Expr::New(n) => n.args.iter().flatten().for_each(|a| self.expr(&a.expr)),
                Expr::Array(a) => a.elems.iter().flatten().for_each(|e| self.expr(&e.expr)),
                Expr::Object(o) => {
                    for prop in &o.props {
                        match prop {
                            PropOrSpread::Spread(s) => self.expr(&s.expr),
                            PropOrSpread::Prop(p) => {
                                if let Prop::KeyValue(kv) = &**p {
                                    self.expr(&kv.value);
                                }
                            }
                        }
                    }
                }
                Expr::Tpl(t) => t.exprs.iter().for_each(|e| self.expr(e)),
                Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
                    self.expr(&b.left)
                }
                Expr::Bin(b) => {
                    self.expr(&b.left);
                    self.expr(&b.right);
                }
                Expr::Cond(c) => self.expr(&c.test),
                // `x ??= f()` runs `f` only the first time.
                Expr::Assign(a)
                    if matches!(
                        a.op,
                        AssignOp::NullishAssign | AssignOp::OrAssign | AssignOp::AndAssign
                    ) => {}
                Expr::Assign(a) => self.expr(&a.right),
                Expr::Seq(s) => s.exprs.iter().for_each(|e| self.expr(e)),
                _ => {}
            }
        }
    }
    let mut walk = Unconditional {
        cx,
        wanted,
        found: Vec::new(),
        stopped: false,
    };
    body.iter().for_each(|s| walk.stmt(s));
    walk.found
}

/// The statement can leave the handler: it holds a `return` or `throw`
/// outside nested functions.
fn leaves(stmt: &Stmt) -> bool {
    struct Leaves(bool);
    impl Hooks for Leaves {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            match node {
                Probed::Return(_) | Probed::Stmt(Stmt::Throw(_)) => {
                    self.0 = true;
                    Descend::Skip
                }
                Probed::Function(_) | Probed::Arrow(_) | Probed::Class(_) => Descend::Skip,
                _ => Descend::Children,
            }
        }
    }
    let mut leaves = Leaves(false);
    probe::walk(stmt, &mut leaves);
    leaves.0
}

/// `fetch` of a constant GET without a zone cache.
fn constant_fetch(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Ident(name) = unwrap_expr(callee) else {
        return false;
    };
    let Some(url) = call.args.first() else {
        return false;
    };
    name.sym == "fetch"
        && cx.semantic().is_global(name, "fetch")
        && url.spread.is_none()
        && call.args.len() <= 2
        && constant(&url.expr, cx)
        && call.args.get(1).is_none_or(|init| constant_get(&init.expr, cx))
}

/// `id` is a variable of the function that holds `at`, made there with
/// jose's `createRemoteJWKSet(…)`: where it is made.
fn key_set_made_in_function(id: &Ident, at: Span, cx: &LintContext<'_>) -> Option<Span> {
    use crate::semantic::{Declaration, InitKind};
    let semantic = cx.semantic();
    let symbol = semantic.resolve(id)?;
    let Declaration::Variable { init: Some(init) } = semantic.symbol(symbol).declaration else {
        return None;
    };
    let InitKind::Call { callee: Some(callee) } = init.kind else {
        return None;
    };
    let callee = semantic.reference(callee);
    let from_jose = callee.name == "createRemoteJWKSet"
        && callee
            .symbol
            .is_some_and(|s| imported_from_jose(cx, s, "createRemoteJWKSet"));
    let function_of = |lo| semantic.function_scope(semantic.scope_of(lo));
    let same_function = function_of(semantic.symbol(symbol).span.lo) == function_of(at.lo)
        && function_of(at.lo).is_some();
    (from_jose && same_function).then_some(init.span)
}

/// `call` calls jose's export `export_name`.
fn jose_call(call: &CallExpr, export_name: &str, cx: &LintContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Ident(name) = unwrap_expr(callee) else {
        return false;
    };
    if name.sym != export_name {
        return false;
    }
    cx.semantic()
        .resolve(name)
        .is_some_and(|symbol| imported_from_jose(cx, symbol, export_name))
}

/// `symbol` is `import { export_name } from 'jose'`.
fn imported_from_jose(cx: &LintContext<'_>, symbol: crate::semantic::SymbolId, export_name: &str) -> bool {
    cx.semantic().import_of(symbol).is_some_and(|import| {
        import.specifier.as_str() == Some("jose")
            && matches!(&import.imported, crate::semantic::ImportName::Named(n) if n == export_name)
    })
}

/// A value that is the same on every request: a literal, a module-scope
/// constant written in the code, an environment variable, and templates,
/// `+` and `new URL(…)` of those.
pub(super) fn constant(expr: &Expr, cx: &LintContext<'_>) -> bool {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Str(_) | Lit::Num(_) | Lit::Bool(_)) => true,
        Expr::Tpl(t) => t.exprs.iter().all(|e| constant(e, cx)),
        Expr::Bin(b) if b.op == BinaryOp::Add => constant(&b.left, cx) && constant(&b.right, cx),
        Expr::New(n) => {
            matches!(unwrap_expr(&n.callee), Expr::Ident(id) if id.sym == "URL")
                && n.args.as_ref().is_some_and(|args| {
                    !args.is_empty() && args.iter().all(|a| a.spread.is_none() && constant(&a.expr, cx))
                })
        }
        Expr::Ident(id) => {
            cx.module_binding(id) == Some(crate::engine::context::BindingKind::Const)
                && cx.bound_to_written_value(id)
        }
        member @ Expr::Member(_) => cx.is_binding_root(member),
        _ => false,
    }
}

/// A `fetch` init of a GET whose headers are constants and that the zone
/// does not cache (`cf.cacheTtl`, `cacheEverything`, `cacheTtlByStatus`).
fn constant_get(init: &Expr, cx: &LintContext<'_>) -> bool {
    let Expr::Object(object) = unwrap_expr(init) else {
        return false;
    };
    object.props.iter().all(|prop| {
        let PropOrSpread::Prop(prop) = prop else {
            return false;
        };
        let Prop::KeyValue(kv) = &**prop else {
            return false;
        };
        let key = match &kv.key {
            PropName::Ident(k) => k.sym.as_str(),
            PropName::Str(s) => s.value.as_str().unwrap_or(""),
            _ => return false,
        };
        let value = unwrap_expr(&kv.value);
        match key {
            "method" => matches!(value, Expr::Lit(Lit::Str(s)) if matches!(s.value.as_str(), Some("GET" | "get" | "HEAD" | "head"))),
            "headers" => match value {
                Expr::Object(h) => h.props.iter().all(|p| matches!(p, PropOrSpread::Prop(p)
                    if matches!(&**p, Prop::KeyValue(kv) if constant(&kv.value, cx)))),
                _ => false,
            },
            "cf" => match value {
                Expr::Object(cf) => !cf.props.iter().any(|p| matches!(p, PropOrSpread::Prop(p)
                    if matches!(&**p, Prop::KeyValue(kv) if matches!(&kv.key, PropName::Ident(k)
                        if matches!(k.sym.as_ref(), "cacheTtl" | "cacheEverything" | "cacheTtlByStatus"))))),
                _ => false,
            },
            "redirect" | "signal" => true,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_the_same_get_every_request() {
        assert_fires(
            "uncached-subrequest",
            r#"import { createRemoteJWKSet, jwtVerify } from "jose";
const FLAGS_URL = "https://config.example.com/flags.json";
export default {
  async fetch(request, env, ctx) {
    const flags = await (await fetch(FLAGS_URL)).json();
    const discovery = await fetch(`${env.ISSUER}/.well-known/openid-configuration`, { headers: { Accept: "application/json" } });
    const jwks = createRemoteJWKSet(new URL(env.JWKS_URL));
    const { payload } = await jwtVerify(request.headers.get("Authorization") ?? "", jwks);
    return Response.json({ flags, payload });
  },
};
app.use("*", async (c, next) => {
  const rates = await fetch(new URL("/latest", c.env.RATES_API), { method: "GET" }).then((r) => r.json());
  c.set("rates", rates);
  await next();
});
export async function verifyAccess(token, team) {
  const keys = createRemoteJWKSet(new URL(`https://${team}.cloudflareaccess.com/cdn-cgi/access/certs`));
  return jwtVerify(token, keys, { issuer: team });
}
"#,
            &[
                (5, "`fetch(FLAGS_URL)` makes the same GET on every request"),
                (6, "`fetch(`${env.ISSUER}/.well-known/openid-configuration`"),
                (7, "`createRemoteJWKSet(new URL(env.JWKS_URL))` makes a new remote key set for each verification"),
                (13, "`fetch(new URL(\"/latest\", c.env.RATES_API), { method: \"GET...` makes the same GET"),
                (18, "makes a new remote key set for each verification"),
            ],
        );
    }

    #[test]
    fn silent_on_per_request_cached_or_conditional_fetches() {
        assert_silent(
            "uncached-subrequest",
            r#"import { createRemoteJWKSet, jwtVerify } from "jose";
let jwks;
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    // From the request: path, query, the caller's token.
    await fetch(`${env.ORIGIN}${url.pathname}`);
    await fetch(env.API, { headers: { Authorization: request.headers.get("Authorization") } });
    // Not a GET, a service binding, cached on the zone.
    await fetch(env.HOOK, { method: "POST", body: "{}" });
    await env.AUTH.fetch("https://auth/keys");
    await fetch(env.KEYS, { cf: { cacheTtl: 300 } });
    // After a branch that returns: not every request.
    if (url.pathname === "/health") return new Response("ok");
    await fetch(env.STATUS_URL);
    return new Response("done");
  },
  async scheduled(event, env) {
    await fetch(env.WARM_URL);
  },
};
app.get("/lazy", async (c) => {
  // Once per isolate.
  jwks ??= createRemoteJWKSet(new URL(c.env.JWKS_URL));
  return c.json(await jwtVerify(c.req.header("x"), jwks));
});
// A verifier made once: the key set lives in its closure.
export function makeVerifier(url) {
  const keys = createRemoteJWKSet(new URL(url));
  return (token) => jwtVerify(token, keys);
}
const verify = makeVerifier(JWKS_URL);
app.get("/flags", async (c) => {
  const cache = caches.default;
  const hit = await cache.match(c.req.url);
  const res = await fetch(c.env.FLAGS_URL);
  return hit ?? res;
});
const keys = new Map();
app.get("/keys", async (c) => {
  const res = await fetch(c.env.KEYS_URL);
  keys.set("k", await res.json());
  return c.json(keys.get("k"));
});
app.get("/branch", async (c) => {
  const v = c.req.query("v") ? await fetch(c.env.A) : null;
  const w = c.env.USE_B && (await fetch(c.env.B));
  for (const u of [1, 2]) await fetch(c.env.C);
  return c.json({ v, w });
});
"#,
        );
    }
}
