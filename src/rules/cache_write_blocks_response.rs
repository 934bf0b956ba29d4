//! `cache-write-blocks-response`: a request handler awaits a cache fill
//! (a Cache API `put`, or a KV `put` with a TTL of a key its read missed)
//! before it responds. The client waits for a write it does not need;
//! `ctx.waitUntil(…)` lets the write finish after the response is sent.

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::semantic::{Declaration, Init};
use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node as Probed};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "cache-write-blocks-response", Async, Warning,
    "A request handler awaits a cache write (Cache API put, KV fill with a TTL) before it responds: hand it to ctx.waitUntil.",
    |_| Box::new(CacheWriteBlocksResponse)
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
In a request handler (a module Worker's `fetch`, a route callback, a Pages
Function), an awaited write that only fills a cache:

- a Cache API `put`: `await caches.default.put(…)`, or `put` on a cache from
  `caches.default` / `await caches.open(…)`;
- a KV `put` with `expirationTtl` or `expiration` of the key the handler
  read from the same namespace with `get` and found missing: inside
  `if (!value) { … }`, or after `if (value) return …` (the fill of a KV read
  cache).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
The response waits for the write: a Cache API `put` stores the body in the
data center's cache, and a KV `put` is a write to a Cloudflare service. The
client needs neither: the response is already known. `ctx.waitUntil(promise)`
keeps the Worker alive until the write finishes after the response is sent
(Cloudflare's Cache API examples do so), so the request is as fast as the
cache miss allows.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const cache = caches.default;
    const hit = await cache.match(request);
    if (hit) return hit;
    const response = await fetch(request);
    await cache.put(request, response.clone());
    return response;
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
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const cache = caches.default;
    const hit = await cache.match(request);
    if (hit) return hit;
    const response = await fetch(request);
    ctx.waitUntil(cache.put(request, response.clone()));
    return response;
  },
};
```
"#,
        ),
        (
            "Not reported",
            r#"
- A write inside `waitUntil(…)`, or started without `await` and handed to it.
- Writes in `scheduled` and `queue` handlers, Durable Object alarms and other
  code with no response waiting (warming a cache there is the point).
- A KV `put` that is not a fill: no earlier `get` of the same key in the
  handler, a write of what the read found (an update), or no TTL (the
  handler stores data it may read back at once).
- A `caches` that is a local variable of the code (not the runtime's).
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
Only writes in the handler itself are checked, not in helpers it calls. A
cache object passed in as a parameter is not recognized as the Cache API.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct CacheWriteBlocksResponse;

/// The request handler the node is directly in (not in a nested callback).
fn handler_span(cx: &LintContext<'_>) -> Option<Span> {
    match cx.function()? {
        Frame::Function {
            span,
            request_param: true,
            ..
        } => Some(*span),
        _ => None,
    }
}

/// `caches` at `ident` is the runtime's global.
fn is_global_caches(cx: &LintContext<'_>, ident: &Ident) -> bool {
    ident.sym == "caches" && cx.semantic().is_global(ident, "caches")
}

/// `caches.default`, `caches.open(…)` or `await caches.open(…)`.
fn is_cache_expr(cx: &LintContext<'_>, expr: &Expr) -> bool {
    match unwrap_expr(expr) {
        Expr::Await(a) => is_cache_expr(cx, &a.arg),
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if p.sym == "default")
                && matches!(&*m.obj, Expr::Ident(id) if is_global_caches(cx, id))
        }
        Expr::Call(c) => {
            method_name(c).is_some_and(|m| m == "open")
                && matches!(&c.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
                    Expr::Member(m) if matches!(&*m.obj, Expr::Ident(id) if is_global_caches(cx, id))))
        }
        _ => false,
    }
}

/// `id` is a variable bound to the runtime's cache (`const cache =
/// caches.default`, `const cache = await caches.open("x")`).
fn bound_to_cache(cx: &LintContext<'_>, id: &Ident) -> bool {
    let semantic = cx.semantic();
    let Some(symbol) = semantic.resolve(id) else {
        return false;
    };
    let Declaration::Variable {
        init: Some(Init { span, .. }),
    } = semantic.symbol(symbol).declaration
    else {
        return false;
    };
    let written = cx.snippet(span);
    let (text, _) = crate::engine::context::collapse_whitespace(&written, 200);
    let text = text.strip_prefix("await ").unwrap_or(&text);
    if !(text == "caches.default" || text.starts_with("caches.open(")) {
        return false;
    }
    // Its `caches` is the global: the reference there resolves to no symbol.
    let at = written.find("caches").unwrap_or(0) as u32;
    semantic
        .resolve_at(span.lo + swc_core::common::BytePos(at))
        .is_none()
}

/// The receiver of `x.put(…)`, when the call is a Cache API `put`.
pub(super) fn is_cache_put(cx: &LintContext<'_>, call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return false;
    };
    match unwrap_expr(&m.obj) {
        Expr::Ident(id) => bound_to_cache(cx, id),
        other => is_cache_expr(cx, other),
    }
}

/// `{ expirationTtl }` or `{ expiration }` among a KV put's options.
fn has_ttl(call: &CallExpr) -> bool {
    let Some(options) = call.args.get(2) else {
        return false;
    };
    let Expr::Object(object) = unwrap_expr(&options.expr) else {
        return false;
    };
    object.props.iter().any(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) => matches!(&kv.key, PropName::Ident(k) if k.sym == "expirationTtl" || k.sym == "expiration"),
            Prop::Shorthand(id) => id.sym == "expirationTtl" || id.sym == "expiration",
            _ => false,
        },
        PropOrSpread::Spread(_) => false,
    })
}

/// `env.X.get(key)` / `env.X.put(key, …)`: the namespace and key as written.
fn kv_call<'c>(cx: &LintContext<'_>, call: &'c CallExpr, method: &str) -> Option<(String, &'c Expr)> {
    if method_name(call).is_none_or(|m| m != method) {
        return None;
    }
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    let key = call.args.first()?;
    if key.spread.is_some() || !cx.is_binding_root(unwrap_expr(&m.obj)) {
        return None;
    }
    Some((cx.snippet(m.obj.span()), &key.expr))
}

/// The variable an `if` test says is empty (`!v`, `v == null`,
/// `v === undefined`), or, with `false`, is present (`v`, `v != null`).
fn tested_var(test: &Expr) -> Option<(&Atom, bool)> {
    let nullish = |e: &Expr| match unwrap_expr(e) {
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Ident(id) => id.sym == "undefined",
        _ => false,
    };
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => match unwrap_expr(&u.arg) {
            Expr::Ident(id) => Some((&id.sym, true)),
            _ => None,
        },
        Expr::Ident(id) => Some((&id.sym, false)),
        Expr::Bin(b) if nullish(&b.right) => {
            let Expr::Ident(id) = unwrap_expr(&b.left) else {
                return None;
            };
            match b.op {
                BinaryOp::EqEq | BinaryOp::EqEqEq => Some((&id.sym, true)),
                BinaryOp::NotEq | BinaryOp::NotEqEq => Some((&id.sym, false)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The statement always leaves the function (`return …`, `throw …`, or a
/// block that ends so).
fn always_exits(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(always_exits),
        _ => false,
    }
}

/// Whether the KV `put` at `at` in the handler at `function` writes a key
/// that the handler read from the same namespace and found missing: the
/// read is `const v = await ns.get(key)` in the handler, and the put is
/// inside `if (!v) { … }` or after `if (v) return …`. Asked only of the rare
/// awaited KV puts with a TTL, so the handler is found again in the tree.
fn fills_a_miss(cx: &LintContext<'_>, function: Span, namespace: &str, key: &str, at: Span) -> bool {
    struct Handler<'c, 'a, 'q> {
        cx: &'c LintContext<'a>,
        function: Span,
        put: (&'q str, &'q str, Span),
        found: Option<bool>,
    }
    impl Hooks for Handler<'_, '_, '_> {
        fn kinds(&self) -> u64 {
            bit(Kind::Function) | bit(Kind::Arrow)
        }
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            if self.found.is_some() {
                return Descend::Skip;
            }
            let body = match node {
                Probed::Function(f) if f.span == self.function => f.body.as_ref().map(|b| &b.stmts[..]),
                Probed::Arrow(a) if a.span == self.function => match &*a.body {
                    ArrowFunctionBody::FunctionBody(b) => Some(&b.stmts[..]),
                    _ => None,
                },
                _ => return Descend::Children,
            };
            self.found = Some(body.is_some_and(|stmts| missed_in(self.cx, stmts, self.put)));
            Descend::Skip
        }
    }
    let mut handler = Handler {
        cx,
        function,
        put: (namespace, key, at),
        found: None,
    };
    probe::walk(cx.program(), &mut handler);
    handler.found == Some(true)
}

/// In a handler's statements: the variables read from `namespace`/`key`,
/// then whether `at` is where one of them is known to be missing.
fn missed_in(cx: &LintContext<'_>, stmts: &[Stmt], (namespace, key, at): (&str, &str, Span)) -> bool {
    struct Body<'c, 'a, 'q> {
        cx: &'c LintContext<'a>,
        namespace: &'q str,
        key: &'q str,
        at: Span,
        reads: Vec<Atom>,
        /// Second pass: the branches.
        branches: bool,
        missed: bool,
    }
    impl Hooks for Body<'_, '_, '_> {
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            match node {
                // Nested functions run at other times.
                Probed::Function(_) | Probed::Arrow(_) | Probed::Class(_) => return Descend::Skip,
                Probed::VarDeclarator(decl) if !self.branches => {
                    if let (Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) {
                        let mut value = unwrap_expr(init);
                        if let Expr::Await(a) = value {
                            value = unwrap_expr(&a.arg);
                        }
                        if let Expr::Call(call) = value {
                            if let Some((namespace, key)) = kv_call(self.cx, call, "get") {
                                if namespace == self.namespace && self.cx.snippet(key.span()) == self.key {
                                    self.reads.push(name.id.sym.clone());
                                }
                            }
                        }
                    }
                }
                Probed::If(stmt) if self.branches => {
                    if let Some((var, empty)) = tested_var(&stmt.test) {
                        if self.reads.contains(var) {
                            let within = |s: Span| s.lo <= self.at.lo && self.at.hi <= s.hi;
                            self.missed |= if empty {
                                within(stmt.cons.span())
                            } else {
                                stmt.alt.is_none() && always_exits(&stmt.cons) && stmt.span.hi <= self.at.lo
                            };
                        }
                    }
                }
                _ => {}
            }
            Descend::Children
        }
    }
    let mut body = Body {
        cx,
        namespace,
        key,
        at,
        reads: Vec::new(),
        branches: false,
        missed: false,
    };
    for stmt in stmts {
        probe::walk(stmt, &mut body);
    }
    if body.reads.is_empty() {
        return false;
    }
    body.branches = true;
    for stmt in stmts {
        probe::walk(stmt, &mut body);
    }
    body.missed
}

impl Rule for CacheWriteBlocksResponse {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Await]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Await(awaited) = node else {
            return;
        };
                let Expr::Call(call) = unwrap_expr(&awaited.arg) else {
                    return;
                };
                if method_name(call).is_none_or(|m| m != "put") {
                    return;
                }
                let Some(function) = handler_span(cx) else {
                    return;
                };
                let what = if is_cache_put(cx, call) {
                    "a Cache API write"
                } else if let Some((namespace, key)) = kv_call(cx, call, "put") {
                    let key = cx.snippet(key.span());
                    if !has_ttl(call) || !fills_a_miss(cx, function, &namespace, &key, call.span) {
                        return;
                    }
                    "a KV cache fill"
                } else {
                    return;
                };
                let text = crate::engine::context::one_line(&cx.snippet(call.span));
                let wait_until = super::floating_promise::wait_until(cx);
                cx.report(
                    awaited.span,
                    format!("`await {text}` makes the response wait for {what} the client does not need"),
                    format!("Let it finish after the response: `{wait_until}({text})` instead of awaiting it."),
                );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_awaited_cache_writes_in_handlers() {
        assert_fires(
            "cache-write-blocks-response",
            r#"export default {
  async fetch(request, env, ctx) {
    const cached = await env.CACHE.get(request.url);
    if (cached) return new Response(cached);
    const body = await (await fetch(request)).text();
    await env.CACHE.put(request.url, body, { expirationTtl: 300 });
    const cache = await caches.open("pages");
    await cache.put(request, new Response(body));
    await caches.default.put(request.url, new Response(body));
    return new Response(body);
  },
};
app.get("/rates", async (c) => {
  let rates = await c.env.KV.get("rates", "json");
  if (!rates) {
    rates = await (await fetch("https://rates.example/latest")).json();
    await c.env.KV.put("rates", JSON.stringify(rates), { expirationTtl: 3600 });
  }
  return c.json(rates);
});
app.get("/jwks", async (c) => {
  const res = await fetch(c.env.JWKS_URL);
  await (await caches.open("jwks")).put(c.req.url, res.clone());
  return res;
});
"#,
            &[
                (6, "`await env.CACHE.put(request.url, body, { expirationTtl: 300 })` makes the response wait for a KV cache fill"),
                (8, "a Cache API write"),
                (9, "`await caches.default.put(request.url, new Response(body))`"),
                (17, "makes the response wait for a KV cache fill"),
                (23, "a Cache API write"),
            ],
        );
        let found = crate::rules::test_util::lint_with(
            "cache-write-blocks-response",
            "src/index.ts",
            "app.get('/x', async (c) => {\n  const r = await fetch('https://a.example');\n  await caches.default.put(c.req.url, r.clone());\n  return r;\n});\n",
        );
        assert!(found[0].help.contains("c.executionCtx.waitUntil(caches.default.put(c.req.url, r.clone()))"), "{}", found[0].help);
    }

    #[test]
    fn silent_on_writes_that_do_not_block_a_response() {
        assert_silent(
            "cache-write-blocks-response",
            r#"export default {
  async fetch(request, env, ctx) {
    const cache = caches.default;
    const response = await fetch(request);
    ctx.waitUntil(cache.put(request, response.clone()));
    ctx.waitUntil((async () => { await cache.put(request.url, response.clone()); })());
    // Stored data, not a cache: no read of the key before, no TTL, or an
    // update of what the read found.
    await env.KV.put(`user:${id}`, JSON.stringify(user), { expirationTtl: 60 });
    const count = Number(await env.KV.get("count")) + 1;
    await env.KV.put("count", String(count));
    const run = await env.KV.get(`run:${id}`, "json");
    if (!run) return new Response("not found", { status: 404 });
    run.status = "complete";
    await env.KV.put(`run:${id}`, JSON.stringify(run), { expirationTtl: 86400 });
    return response;
  },
  async scheduled(event, env, ctx) {
    const cache = await caches.open("warm");
    await cache.put("https://example.com/", await fetch("https://example.com/"));
  },
  async queue(batch, env) {
    const v = await env.KV.get("k");
    if (!v) await env.KV.put("k", "v", { expirationTtl: 60 });
  },
};
app.get("/local", async (c) => {
  // A local `caches`, not the runtime's.
  const caches = { default: new Map() };
  const local = caches.default;
  await local.put(c.req.url, 1);
  await caches.default.put(c.req.url, 1);
  return c.text("ok");
});
async function helper(cache, request, response) {
  await cache.put(request, response);
}
"#,
        );
    }
}
