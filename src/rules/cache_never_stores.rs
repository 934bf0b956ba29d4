//! `cache-never-stores`: a response handed to a cache that the cache cannot
//! store. The Cache API's `put` throws for a request other than GET and for
//! a 206 or `Vary: *` response, and silently stores nothing when the
//! response sets a cookie or says `private`/`no-store`; Cloudflare's cache in
//! front of a Worker does not store a response that sets a cookie either,
//! whatever its `Cache-Control` says.

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{method_name, one_line, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::model::collections::Words;
use crate::semantic::Declaration;

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "cache-never-stores", Async, Warning,
    "A response given to a cache that cannot store it: a cookie, `private`/`no-store`, a 206, or a `cache.put` for a request other than GET.",
    |_| Box::<CacheNeverStores>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
- A Cache API `cache.put(key, response)` (`caches.default`,
  `caches.open(…)`) of a response built in the same function that sets
  `Set-Cookie` (without `Cache-Control: private=Set-Cookie`), says
  `Cache-Control: private` or `no-store`, has status 206, or `Vary: *`.
- A `cache.put` keyed by the incoming request (`c.req.raw`, the handler's
  `request`) in a route for POST, PUT, PATCH or DELETE.
- A handler that marks its response cacheable for shared caches
  (`Cache-Control` with `public`, `max-age` or `s-maxage`) and sets a cookie
  on the same response (`c.header('Set-Cookie', …)`, `setCookie(c, …)`,
  `response.headers.append('Set-Cookie', …)`).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
The cache looks like it works — no error in development, where the Cache API
does nothing anyway — but every request still runs the full handler. The
Cache API throws on `put` for a non-GET request, a 206 response or `Vary: *`
(a write in `ctx.waitUntil` fails unseen), and stores nothing for a response
with `Set-Cookie`, `private` or `no-store`. Workers Caching and Cloudflare's
CDN do not store a response that sets a cookie either: a cookie usually means
the response belongs to one visitor.
"#,
        ),
        (
            "Bad",
            r#"
```ts
app.get('/catalog', async (c) => {
  const cache = caches.default;
  const hit = await cache.match(c.req.url);
  if (hit) return hit;
  const rows = await c.env.DB.prepare('SELECT id, name FROM items').all();
  const response = Response.json(rows.results, {
    headers: { 'Cache-Control': 'public, max-age=300', 'Set-Cookie': 'seen=1; Path=/' },
  });
  c.executionCtx.waitUntil(cache.put(c.req.url, response.clone()));
  return response;
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
app.get('/catalog', async (c) => {
  const cache = caches.default;
  const hit = await cache.match(c.req.url);
  if (hit) return hit;
  const rows = await c.env.DB.prepare('SELECT id, name FROM items').all();
  const response = Response.json(rows.results, {
    headers: { 'Cache-Control': 'public, max-age=300' },
  });
  c.executionCtx.waitUntil(cache.put(c.req.url, response.clone()));
  return response;
});
```

Set per-visitor cookies on a route that is not cached (or on the copy you
return after the `put`), and cache only GET requests.
"#,
        ),
        (
            "Not reported",
            r#"
- `Cache-Control: private=Set-Cookie` (the cache stores the response
  without the cookie).
- Responses that come from elsewhere (`fetch`, a helper): what they carry is
  not known.
- A cookie on a response whose `Cache-Control` keeps shared caches out
  (`private`, `no-store`, `no-cache`), and `put` keyed by a URL or a new GET
  `Request` in any route.
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
Headers are read where the function writes them as literals (a header name
in a variable is not followed). A cache key built from a URL that keeps
volatile query parameters (`utm_*`, timestamps), which makes every key new, is
not recognized yet.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// A header written in a function: `c.header(n, v)` (no receiver),
/// `x.headers.set/append(n, v)` (receiver `x`), `setCookie(c, …)`.
struct HeaderWrite {
    function: Span,
    receiver: Option<Atom>,
    /// Lowercase name.
    name: String,
    /// Lowercase value as written (quotes included).
    value: String,
    span: Span,
}

/// A Cache API put.
struct Put {
    function: Option<Span>,
    span: Span,
    /// Keyed by the request the handler received.
    key_is_request: bool,
    /// The response argument, when it names a variable (`response`,
    /// `response.clone()`) or is built inline.
    response: Option<Response>,
}

enum Response {
    Named(Ident),
    Inline(Span),
}

#[derive(Default)]
struct CacheNeverStores {
    /// Handlers of routes for methods other than GET, with the method.
    non_get: Vec<(Span, &'static str)>,
    headers: Vec<HeaderWrite>,
    puts: Vec<Put>,
}

impl Rule for CacheNeverStores {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn call_names(&self) -> Option<&'static Words> {
        static CALLS: Words = Words::new(&["post", "put", "patch", "delete", "header", "set", "append", "setCookie"]);
        Some(&CALLS)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        let function = match cx.function() {
            Some(Frame::Function { span, .. }) => Some(*span),
            _ => None,
        };
        let Some(method) = method_name(call) else {
            // `setCookie(c, name, value)` (hono/cookie).
            if let (Some(function), Callee::Expr(callee)) = (function, &call.callee) {
                if matches!(unwrap_expr(callee), Expr::Ident(id) if id.sym == "setCookie") && call.args.len() >= 2 {
                    self.headers.push(HeaderWrite {
                        function,
                        receiver: None,
                        name: "set-cookie".into(),
                        value: String::new(),
                        span: call.span,
                    });
                }
            }
            return;
        };
        let method = method.as_ref();
        if method == "put" && super::cache_write_blocks_response::is_cache_put(cx, call) {
            self.put(call, function, cx);
            return;
        }
        let route = match method {
            "post" => Some("post"),
            "put" => Some("put"),
            "patch" => Some("patch"),
            "delete" => Some("delete"),
            _ => None,
        };
        if let Some(route) = route {
            if let Some((_, _, handler)) = super::cacheable_route::route(call, route) {
                self.non_get.push((handler.span(), route));
            }
            return;
        }
        let Some(function) = function else { return };
        let (Some(name), Some(value)) = (call.args.first(), call.args.get(1)) else {
            return;
        };
        let Expr::Lit(Lit::Str(name)) = unwrap_expr(&name.expr) else {
            return;
        };
        let Callee::Expr(callee) = &call.callee else { return };
        let Expr::Member(m) = unwrap_expr(callee) else { return };
        let receiver = match (method, unwrap_expr(&m.obj)) {
            ("header", _) => None,
            ("set" | "append", Expr::Member(headers)) if matches!(&headers.prop, MemberProp::Ident(p) if p.sym == "headers") => {
                match unwrap_expr(&headers.obj) {
                    Expr::Ident(id) => Some(id.sym.clone()),
                    _ => return,
                }
            }
            _ => return,
        };
        let name = name.value.as_str().unwrap_or("").to_ascii_lowercase();
        if name == "set-cookie" || name == "cache-control" || name == "vary" {
            self.headers.push(HeaderWrite {
                function,
                receiver,
                name,
                value: cx.text(value.expr.span()).to_ascii_lowercase(),
                span: call.span,
            });
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        for put in std::mem::take(&mut self.puts) {
            let refused = put.function.and_then(|f| self.non_get.iter().find(|(h, _)| *h == f));
            if let (true, Some((_, method))) = (put.key_is_request, refused) {
                let text = one_line(&cx.snippet(put.span));
                cx.report(
                    put.span,
                    format!("`{text}` stores a response under the incoming {} request: the Cache API's `put` throws for any method but GET, so nothing is cached", method.to_ascii_uppercase()),
                    "Cache GET responses only; to cache a read the POST performs, key it by a GET request you build (`new Request(url)`), or keep the data in KV.",
                );
                continue;
            }
            if let Some(reason) = put.response.as_ref().and_then(|r| self.unstorable(r, put.function, cx)) {
                let text = one_line(&cx.snippet(put.span));
                cx.report(
                    put.span,
                    format!("`{text}` puts a response the Cache API cannot store: {reason}"),
                    "Build the cached copy without it: no `Set-Cookie` (or add `Cache-Control: private=Set-Cookie` to store it without the cookie), a shared `Cache-Control` such as `public, max-age=300`, a full 200 response and no `Vary: *`.",
                );
            }
        }
        self.cookies_on_cacheable(cx);
    }
}

impl CacheNeverStores {
    fn put(&mut self, call: &CallExpr, function: Option<Span>, cx: &LintContext<'_>) {
        let (Some(key), Some(response)) = (call.args.first(), call.args.get(1)) else {
            return;
        };
        let params = match cx.function() {
            Some(Frame::Function { params, request_param: true, .. }) => Some(params.clone()),
            _ => None,
        };
        let key_is_request = match unwrap_expr(&key.expr) {
            // `c.req.raw`
            Expr::Member(m) => {
                matches!(&m.prop, MemberProp::Ident(p) if p.sym == "raw")
                    && matches!(unwrap_expr(&m.obj), Expr::Member(r) if matches!(&r.prop, MemberProp::Ident(p) if p.sym == "req"))
            }
            Expr::Ident(id) => params.is_some_and(|p| p.first() == Some(&id.sym)),
            _ => false,
        };
        let mut value = unwrap_expr(&response.expr);
        // `response.clone()`
        if let Expr::Call(c) = value {
            if method_name(c).is_some_and(|m| m == "clone") && c.args.is_empty() {
                if let Callee::Expr(callee) = &c.callee {
                    if let Expr::Member(m) = unwrap_expr(callee) {
                        value = unwrap_expr(&m.obj);
                    }
                }
            }
        }
        let response = match value {
            Expr::Ident(id) => Some(Response::Named(id.clone())),
            Expr::New(_) | Expr::Call(_) if built_response(cx.text(value.span())) => Some(Response::Inline(value.span())),
            _ => None,
        };
        self.puts.push(Put {
            function,
            span: call.span,
            key_is_request,
            response,
        });
    }

    /// Why the response cannot be stored, if the function shows it.
    fn unstorable(&self, response: &Response, function: Option<Span>, cx: &LintContext<'_>) -> Option<String> {
        let (built, name) = match response {
            Response::Inline(span) => (cx.text(*span), None),
            Response::Named(id) => {
                let semantic = cx.semantic();
                let symbol = semantic.resolve(id)?;
                let Declaration::Variable { init: Some(init) } = semantic.symbol(symbol).declaration else {
                    return None;
                };
                let text = cx.text(init.span);
                // Only a response built here says what it carries.
                (built_response(text).then_some(text)?, Some(id.sym.clone()))
            }
        };
        let built = built.to_ascii_lowercase();
        let mut headers: Vec<(String, String)> = literal_headers(&built);
        if let (Some(name), Some(function)) = (&name, function) {
            headers.extend(
                self.headers
                    .iter()
                    .filter(|w| w.function == function && w.receiver.as_ref() == Some(name))
                    .map(|w| (w.name.clone(), w.value.clone())),
            );
        }
        let cache_control: Vec<&str> = headers.iter().filter(|(n, _)| n == "cache-control").map(|(_, v)| v.as_str()).collect();
        let keeps_cookie_out = cache_control.iter().any(|v| v.contains("private=set-cookie") || v.contains("private=\"set-cookie\""));
        if headers.iter().any(|(n, _)| n == "set-cookie") && !keeps_cookie_out {
            return Some("it sets `Set-Cookie`, and responses with a cookie are never stored".into());
        }
        if let Some(v) = cache_control.iter().find(|v| v.contains("no-store") || (v.contains("private") && !v.contains("private="))) {
            let directive = if v.contains("no-store") { "no-store" } else { "private" };
            return Some(format!("its `Cache-Control` says `{directive}`"));
        }
        if headers.iter().any(|(n, v)| n == "vary" && v.contains('*')) {
            return Some("it has `Vary: *`, for which `put` throws".into());
        }
        if status_206(&built) {
            return Some("its status is 206 (a partial response), for which `put` throws".into());
        }
        None
    }

    /// A handler that marks its response for shared caches and sets a
    /// cookie on it: reported at the cookie.
    fn cookies_on_cacheable(&self, cx: &mut LintContext<'_>) {
        for cookie in self.headers.iter().filter(|w| w.name == "set-cookie") {
            let shared = self.headers.iter().find(|w| {
                w.function == cookie.function && w.receiver == cookie.receiver && w.name == "cache-control" && shared_caching(&w.value)
            });
            if let Some(shared) = shared {
                let value = one_line(&cx.snippet(shared.span));
                cx.report(
                    cookie.span,
                    format!("this response sets a cookie, and also asks shared caches to keep it (`{value}`): Cloudflare's cache does not store a response that sets a cookie, so every request runs the handler"),
                    "Set per-visitor cookies on routes that are not cached (or in a middleware on the first visit only), and keep the cached route cookie-free.",
                );
            }
        }
    }
}

/// The text builds a response: `new Response(…)`, `Response.json(…)`,
/// `new Response(… )` after `await`.
fn built_response(text: &str) -> bool {
    let text = text.trim_start().trim_start_matches("await ").trim_start();
    text.starts_with("new Response(") || text.starts_with("Response.json(")
}

/// The `Cache-Control` value lets shared caches keep the response.
fn shared_caching(value: &str) -> bool {
    (value.contains("public") || value.contains("max-age") || value.contains("s-maxage"))
        && !value.contains("private")
        && !value.contains("no-store")
        && !value.contains("no-cache")
}

/// Header names and values written as an object literal in a built
/// response (`headers: { 'Set-Cookie': …, 'Cache-Control': '…' }`), from
/// its lowercase text: each known name in quotes or as a key, with the rest
/// of its line as the value.
fn literal_headers(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for name in ["set-cookie", "cache-control", "vary"] {
        for quote in ['\'', '"', '`'] {
            let needle = format!("{quote}{name}{quote}");
            for (at, _) in text.match_indices(&needle) {
                let rest = &text[at + needle.len()..];
                let Some(rest) = rest.trim_start().strip_prefix(':') else {
                    continue;
                };
                let rest = rest.trim_start();
                // A quoted value runs to its closing quote (it may hold
                // commas); anything else to the next property.
                let end = match rest.chars().next() {
                    Some(q @ ('\'' | '"' | '`')) => rest[1..].find(q).map_or(rest.len(), |e| e + 2),
                    _ => rest.find([',', '}', '\n']).unwrap_or(rest.len()),
                };
                found.push((name.to_string(), rest[..end].to_string()));
            }
        }
    }
    found
}

/// `status: 206` in a built response's options.
fn status_206(text: &str) -> bool {
    text.match_indices("status").any(|(at, _)| {
        let rest = text[at + "status".len()..].trim_start();
        rest.strip_prefix(':').is_some_and(|r| r.trim_start().starts_with("206"))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_silent, Case};

    #[test]
    fn fires_on_responses_the_cache_cannot_store() {
        Case::new()
            .rules(&["cache-never-stores"])
            .file(
                "src/index.ts",
                r#"const app = new Hono();
app.post("/search", async (c) => {
  const cache = caches.default;
  const response = Response.json(await search(await c.req.json()));
  await cache.put(c.req.raw, response.clone());
  return response;
});
app.get("/me", async (c) => {
  const response = new Response("hi", { headers: { "Cache-Control": "private, max-age=60" } });
  c.executionCtx.waitUntil(caches.default.put(c.req.url, response.clone()));
  return response;
});
app.get("/page", async (c) => {
  const response = new Response("page");
  response.headers.append("Set-Cookie", "seen=1");
  const cache = await caches.open("pages");
  c.executionCtx.waitUntil(cache.put(c.req.url, response.clone()));
  return response;
});
app.get("/video", async (c) => {
  await caches.default.put(c.req.url, new Response(part, { status: 206 }));
  return c.text("ok");
});
app.get("/home", async (c) => {
  c.header("Cache-Control", "public, max-age=600");
  setCookie(c, "visited", "1");
  return c.html(await render(c.env));
});
export default app;
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 5, "stores a response under the incoming POST request"),
                ("src/index.ts", 10, "its `Cache-Control` says `private`"),
                ("src/index.ts", 17, "it sets `Set-Cookie`"),
                ("src/index.ts", 21, "its status is 206"),
                ("src/index.ts", 26, "this response sets a cookie, and also asks shared caches"),
            ]);
    }

    #[test]
    fn silent_when_the_cache_can_store() {
        assert_silent(
            "cache-never-stores",
            r#"const app = new Hono();
app.post("/search", async (c) => {
  const key = new Request(new URL("/search-cache", c.req.url));
  const response = Response.json(await search(await c.req.json()), { headers: { "Cache-Control": "public, max-age=60" } });
  c.executionCtx.waitUntil(caches.default.put(key, response.clone()));
  return response;
});
app.get("/a", async (c) => {
  const response = new Response("x", { headers: { "Set-Cookie": "a=1", "Cache-Control": "public, max-age=60, private=Set-Cookie" } });
  c.executionCtx.waitUntil(caches.default.put(c.req.url, response.clone()));
  return response;
});
app.get("/b", async (c) => {
  const response = await fetch("https://origin.example.com/b");
  c.executionCtx.waitUntil(caches.default.put(c.req.url, response.clone()));
  return response;
});
app.get("/login", async (c) => {
  c.header("Cache-Control", "no-store");
  setCookie(c, "session", "x");
  return c.text("ok");
});
app.put("/items/:id", async (c) => {
  await c.env.KV.put(c.req.param("id"), await c.req.text());
  return c.text("ok");
});
export default app;
"#,
        );
    }
}
