//! `buffered-body`: `await request.arrayBuffer()` (or `text()`, `blob()`,
//! `formData()`, `bytes()`; Hono `c.req.*`; an upstream response) whose
//! result is only passed on — stored in R2/KV, returned in a `Response`, sent
//! as a fetch body. The whole body sits in the isolate's 128 MB while a
//! stream would pass through. Reading the body to parse or inspect it is
//! fine: any other use of the variable keeps the rule silent.

use crate::model::collections::HashMap;
use crate::model::text::limit;

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::io_calls::{call_text, key};
use crate::engine::context::{expr_path, method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "buffered-body", Memory, Warning,
    "A request or response body read into memory only to be passed on: stream `.body` instead.",
    |_| Box::<BufferedBody>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A request or response body read whole into memory —
`await request.arrayBuffer()` / `.text()` / `.blob()` / `.formData()` /
`.bytes()`, Hono's `c.req.arrayBuffer()` …, or an upstream
`response.arrayBuffer()` after a `fetch` — whose result is only passed on:
stored (`env.BUCKET.put(key, buf)`), returned (`new Response(buf)`,
`c.body(buf)`), or sent on (`fetch(url, { body: buf })`).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
An isolate has 128 MB of memory, shared by every request it serves at the
same time. A buffered upload or download holds the whole body at once (a
100 MB upload ends the isolate); a stream passes through in small chunks.
Buffering also delays the first byte until the last one has arrived.
"#,
        ),
        (
            "Bad",
            r#"
```ts
ordersRoute.put('/:id/attachment', async (c) => {
  const key = `orders/${c.req.param('id')}/${crypto.randomUUID()}`;
  const body = await c.req.arrayBuffer();
  await c.env.UPLOADS.put(key, body);
  return c.json({ key }, 201);
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
ordersRoute.put('/:id/attachment', async (c) => {
  const body = c.req.raw.body;
  const length = Number(c.req.header('content-length'));
  if (!body || !Number.isSafeInteger(length) || length <= 0) {
    return c.json({ error: 'a Content-Length body is required' }, 411);
  }
  const key = `orders/${c.req.param('id')}/${crypto.randomUUID()}`;
  await c.env.UPLOADS.put(key, body); // streamed straight to R2
  return c.json({ key }, 201);
});
```

R2 `put` needs to know the length of a stream: a request with a
`Content-Length` header, or pipe through `new FixedLengthStream(n)`. `fetch`
and `new Response` take `request.body` / `response.body` as is.
"#,
        ),
        (
            "Not reported",
            r#"
- A body you then use: `JSON.parse(text)`, `text.includes(…)`, `text.split(…)`,
  a regex test, `buf.byteLength`, hashing it (`crypto.subtle.digest(…, buf)`),
  any other use of the variable besides passing it on.
- `await request.json()` (parsing is using it).
- Streams: `c.req.raw.body`, `request.body`, `response.body`.
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
The variable must be bound directly (`const buf = await request.arrayBuffer()`)
or the await written straight into the call; aliases (`const b = buf`) count as
other uses and keep the rule silent. Requests are recognized by name
(`request`, `req`, the `fetch` handler's first parameter, `c.req`,
`event.request`); responses when bound to an awaited `fetch` in the same file.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

const BUFFERING: &[&str] = &["arrayBuffer", "text", "blob", "formData", "bytes"];

#[derive(Default)]
struct BufferedBody {
    /// Per open function: the variables bound to a buffered body.
    functions: Vec<Vec<Buffered>>,
    /// How many variables `functions` holds: with none, identifiers and
    /// pass-on calls need no look (every identifier comes through here).
    tracked: usize,
    /// Names bound to `await fetch(...)` (upstream responses).
    responses: Vec<Atom>,
    /// Identifier spans seen as an argument of a pass-on call → that call.
    sink_args: HashMap<(u32, u32), String>,
}

struct Buffered {
    name: Atom,
    decl: (u32, u32),
    await_span: Span,
    call: String,
    stream: String,
    sinks: Vec<String>,
    other_uses: u32,
}

impl Rule for BufferedBody {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Ident,
            NodeKind::New,
            NodeKind::VarDeclarator,
        ]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Function(_) => self.functions.push(Vec::new()),
            Node::VarDeclarator(d) => {
                self.declarator(d, cx);
                cx.wants_idents = self.tracked > 0;
            }
            Node::Call(call) => {
                if let Some(sink) = sink_call(call, cx) {
                    if self.tracked == 0 && !call.args.iter().any(|a| awaits_body(&a.expr, &sink)) {
                        return;
                    }
                    let text = call_text(cx, call, 60);
                    for arg in &call.args {
                        self.sink_arg(&arg.expr, &sink, &text, cx);
                    }
                }
            }
            Node::New(new) => {
                let args = new.args.as_deref().unwrap_or(&[]);
                let (arg, sink) = match expr_path(&new.callee).as_deref() {
                    Some("Response") => (args.first(), Sink::Direct),
                    Some("Request") => (args.get(1), Sink::InitBody),
                    _ => return,
                };
                if let Some(a) = arg.filter(|a| self.tracked > 0 || awaits_body(&a.expr, &sink)) {
                    let text = cx.snippet(new.span);
                    self.sink_arg(&a.expr, &sink, &text, cx);
                }
            }
            Node::Ident(id) => {
                if self.tracked == 0 {
                    return;
                }
                let sink = self.sink_args.get(&key(id.span)).cloned();
                if let Some(b) = self
                    .functions
                    .iter_mut()
                    .rev()
                    .flat_map(|f| f.iter_mut())
                    .find(|b| b.name == id.sym)
                {
                    if key(id.span) == b.decl {
                        return;
                    }
                    match sink {
                        Some(s) => b.sinks.push(s),
                        None => b.other_uses += 1,
                    }
                }
            }
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function]
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Function(_) = node else { return };
        let Some(buffered) = self.functions.pop() else {
            return;
        };
        self.tracked -= buffered.len();
        cx.wants_idents = self.tracked > 0;
        for b in buffered {
            if b.other_uses > 0 || b.sinks.is_empty() {
                continue;
            }
            report(cx, b.await_span, &b.call, &b.sinks[0], &b.stream);
        }
    }
}

/// How a pass-on call takes the body.
enum Sink {
    /// As an argument: `env.BUCKET.put(key, body)`, `new Response(body)`.
    Direct,
    /// As `body` of an init object: `fetch(url, { body })`.
    InitBody,
}

impl BufferedBody {
    fn declarator(&mut self, d: &VarDeclarator, cx: &LintContext<'_>) {
        let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) else {
            return;
        };
        let Expr::Await(a) = unwrap_expr(init) else {
            return;
        };
        let Expr::Call(call) = unwrap_expr(&a.arg) else {
            return;
        };
        if is_fetch(call, cx) {
            self.responses.push(name.id.sym.clone());
            return;
        }
        let Some(stream) = self.buffering(call, cx) else {
            return;
        };
        if let Some(f) = self.functions.last_mut() {
            self.tracked += 1;
            f.push(Buffered {
                name: name.id.sym.clone(),
                decl: key(name.id.span),
                await_span: a.span,
                call: cx.snippet(call.span),
                stream,
                sinks: Vec::new(),
                other_uses: 0,
            });
        }
    }

    /// `request.arrayBuffer()` and friends: returns the stream to use instead.
    fn buffering(&self, call: &CallExpr, cx: &LintContext<'_>) -> Option<String> {
        if !call.args.is_empty()
            || !method_name(call).is_some_and(|m| BUFFERING.contains(&m.as_ref()))
        {
            return None;
        }
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Member(m) = unwrap_expr(callee) else {
            return None;
        };
        let receiver = unwrap_expr(&m.obj);
        match receiver {
            Expr::Ident(id) => {
                let request =
                    id.sym == "request" || id.sym == "req" || is_request_param(&id.sym, cx);
                if request || self.responses.contains(&id.sym) {
                    return Some(format!("{}.body", id.sym));
                }
                None
            }
            Expr::Member(_) => {
                let path = expr_path(receiver)?;
                if path.ends_with(".req") {
                    Some(format!("{path}.raw.body"))
                } else if path.ends_with(".req.raw") || path.ends_with(".request") {
                    Some(format!("{path}.body"))
                } else {
                    None
                }
            }
            // (await fetch(url)).arrayBuffer()
            Expr::Await(a) => match unwrap_expr(&a.arg) {
                Expr::Call(c) if is_fetch(c, cx) => Some("response.body".into()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Records an identifier argument of a pass-on call; reports a buffered
    /// await written straight into the argument.
    fn sink_arg(&mut self, arg: &Expr, sink: &Sink, text: &str, cx: &mut LintContext<'_>) {
        match body_value(arg, sink) {
            Some(Body::Name(id)) => {
                self.sink_args.insert(key(id.span), text.to_string());
            }
            Some(Body::Expr(Expr::Await(a))) => {
                if let Expr::Call(call) = unwrap_expr(&a.arg) {
                    if let Some(stream) = self.buffering(call, cx) {
                        let buffered = cx.snippet(call.span);
                        report(cx, a.span, &buffered, text, &stream);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What a pass-on call takes as the body from one of its arguments.
enum Body<'a> {
    /// A variable: `put(key, buf)`, `{ body: buf }`, `{ body }`.
    Name(&'a Ident),
    Expr(&'a Expr),
}

/// The argument itself (`Sink::Direct`) or the `body` of an init object.
fn body_value<'a>(arg: &'a Expr, sink: &Sink) -> Option<Body<'a>> {
    let expr = |e: &'a Expr| match unwrap_expr(e) {
        Expr::Ident(id) => Body::Name(id),
        other => Body::Expr(other),
    };
    match (sink, unwrap_expr(arg)) {
        (Sink::Direct, e) => Some(expr(e)),
        (Sink::InitBody, Expr::Object(o)) => o.props.iter().find_map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) if matches!(&kv.key, PropName::Ident(k) if k.sym == "body") => {
                    Some(expr(&kv.value))
                }
                Prop::Shorthand(id) if id.sym == "body" => Some(Body::Name(id)),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    }
}

/// The value a sink takes from `arg` is awaited in place
/// (`put(k, await request.arrayBuffer())`): worth a look even when no
/// buffered variable is tracked.
fn awaits_body(arg: &Expr, sink: &Sink) -> bool {
    matches!(body_value(arg, sink), Some(Body::Expr(Expr::Await(_))))
}

/// A call that passes a body on: a binding call (`env.BUCKET.put(k, body)`,
/// `env.QUEUE.send(body)`), fetch (`{ body }`), Hono `c.body(x)` /
/// `c.newResponse(x)`.
fn sink_call(call: &CallExpr, cx: &LintContext<'_>) -> Option<Sink> {
    if is_fetch(call, cx) {
        return Some(Sink::InitBody);
    }
    if cx.is_subrequest(call) {
        return Some(Sink::Direct);
    }
    let hono = matches!(
        method_name(call).map(|m| m.as_ref()),
        Some("body" | "newResponse")
    ) && matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e), Expr::Member(m) if matches!(unwrap_expr(&m.obj), Expr::Ident(_))));
    hono.then_some(Sink::Direct)
}

/// `fetch(...)`, `globalThis.fetch(...)`, `env.SERVICE.fetch(...)`, `stub.fetch(...)`.
fn is_fetch(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    match &call.callee {
        Callee::Expr(e) => match unwrap_expr(e) {
            Expr::Ident(id) => id.sym == "fetch" && cx.is_unbound(id),
            Expr::Member(m) => matches!(&m.prop, MemberProp::Ident(p) if p.sym == "fetch"),
            _ => false,
        },
        _ => false,
    }
}

/// The first parameter of a request handler (`fetch(request, env, ctx)`).
fn is_request_param(name: &Atom, cx: &LintContext<'_>) -> bool {
    cx.frames().iter().any(|f| {
        matches!(f, Frame::Function { is_handler: true, params, name: Some(n), .. }
            if n == "fetch" && params.first() == Some(name))
    })
}

fn report(cx: &mut LintContext<'_>, span: Span, call: &str, sink: &str, stream: &str) {
    let memory = limit(cx.limits.memory_bytes);
    cx.report(
        span,
        format!("`await {call}` reads the whole body into memory only to pass it on to `{sink}`"),
        format!(
            "Stream it instead: pass `{stream}` (a ReadableStream) where the buffer goes, so the body never sits in the isolate's {memory}. \
             R2 `put` and fetch accept a stream; R2 needs a known length (a Content-Length on the request, or `new FixedLengthStream(n)`)."
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_when_only_passed_on() {
        assert_fires(
            "buffered-body",
            r#"app.put("/:id/attachment", async (c) => {
  const key = `orders/${c.req.param("id")}`;
  const body = await c.req.arrayBuffer();
  await c.env.UPLOADS.put(key, body, { httpMetadata: { contentType: "x" } });
  return c.json({ key }, 201);
});
export default {
  async fetch(request, env) {
    const upstream = await fetch("https://origin.example/file");
    const data = await upstream.arrayBuffer();
    const text = await request.text();
    await fetch("https://sink.example", { method: "POST", body: text });
    await env.BUCKET.put("raw", await request.blob());
    return new Response(data, { headers: upstream.headers });
  },
};
export async function proxy(req: Request) {
  const body = await req.arrayBuffer();
  return fetch("https://x.example", { method: "PUT", body });
}"#,
            &[
                (3, "`await c.req.arrayBuffer()` reads the whole body into memory only to pass it on to `c.env.UPLOADS.put("),
                (13, "`await request.blob()`"),
                (10, "`await upstream.arrayBuffer()`"),
                (11, "`await request.text()` reads the whole body"),
                (18, "`await req.arrayBuffer()`"),
            ],
        );
    }

    #[test]
    fn help_names_the_stream() {
        let found = crate::rules::test_util::lint_with(
            "buffered-body",
            "test.ts",
            "app.put('/', async (c) => { const b = await c.req.arrayBuffer(); await c.env.B.put('k', b); });",
        );
        assert!(
            found[0].help.contains("`c.req.raw.body`"),
            "{}",
            found[0].help
        );
    }

    #[test]
    fn silent_when_parsed_or_inspected() {
        assert_silent(
            "buffered-body",
            r#"export default {
  async fetch(request, env) {
    const text = await request.text();
    const data = JSON.parse(text);
    await env.KV.put("k", JSON.stringify(data));
    const raw = await request.text();
    if (!raw.includes("ok")) return new Response("bad", { status: 400 });
    await env.KV.put("raw", raw);
    const buf = await request.arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", buf);
    await env.BUCKET.put(hex(digest), buf);
    const form = await request.formData();
    return new Response(form.get("name"));
  },
};
app.put("/", async (c) => {
  await c.env.UPLOADS.put(key, c.req.raw.body);
  const json = await c.req.json();
  await c.env.KV.put("k", json);
  const t = await c.req.text();
  return c.text(`${t.length}`);
});"#,
        );
    }
}
