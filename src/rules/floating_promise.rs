//! `floating-promise`: a call that returns a promise (fetch, a binding call,
//! an async function of the file) used as a bare statement — not awaited,
//! returned, stored, chained or handed to `waitUntil`. A Worker may cancel
//! the work once the response is sent. `void` does not change that. An
//! async callback of `forEach` is the same problem: nothing waits for it.

use swc_core::ecma::ast::*;

use super::io_calls::{call_text, io_call};
use crate::effects::drizzle::is_db_chain;
use crate::engine::context::{method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "floating-promise", Async, Warning,
    "A promise nobody awaits or hands to waitUntil: the Worker may cancel it when the response is sent.",
    |_| Box::<FloatingPromise>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A call that returns a promise used as a bare statement: not awaited, returned,
stored, chained with `.then`/`.catch`/`.finally`, nor passed to
`ctx.waitUntil` / `c.executionCtx.waitUntil` / `event.waitUntil`:

```ts
fetch(c.env.ANALYTICS_URL, { method: 'POST', body });   // fire-and-forget
void env.QUEUE.send(message);                            // still floating
items.forEach(async (item) => { await env.KV.put(item.id, item.value); });
```

Calls that return promises: `fetch`, binding calls (`env.KV.put`,
`c.env.QUEUE.send`, …), Drizzle queries, async functions of the file, async
IIFEs that make such a call (not one that feeds the stream a response returns:
`writer.write(…)`, `controller.enqueue(…)`, the AI SDK's `stream.update(…)` and
`stream.done()` keep it alive as long as the body).
An `async` callback of `forEach` is reported too: `forEach` drops the
promises it returns. A Drizzle query builder that is never awaited is reported
with its own message: it never runs at all.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Once the response is returned, the runtime may end the request's work: a
pending fetch or binding call that nobody waits for can be cancelled and its
errors are lost. `void` only tells linters the promise is intentionally
ignored; it does not keep the Worker alive. `waitUntil` does: the work
continues after the response without delaying it (up to 30 s).
"#,
        ),
        (
            "Bad",
            r#"
```ts
usersRoute.post('/', async (c) => {
  const user = await createUser(c);
  // fire-and-forget, analytics must never slow down signup
  fetch(c.env.ANALYTICS_URL, {
    method: 'POST',
    body: JSON.stringify({ event: 'signup', userId: user.id }),
  });
  return c.json({ id: user.id }, 201);
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
usersRoute.post('/', async (c) => {
  const user = await createUser(c);
  // Sent after the response; analytics must never slow down signup.
  c.executionCtx.waitUntil(
    fetch(c.env.ANALYTICS_URL, {
      method: 'POST',
      body: JSON.stringify({ event: 'signup', userId: user.id }),
    }),
  );
  return c.json({ id: user.id }, 201);
});
```

In a module Worker: `ctx.waitUntil(promise)` (the third `fetch` parameter); in
a service worker: `event.waitUntil(promise)`.
"#,
        ),
        (
            "Not reported",
            r#"
- Awaited, returned, assigned, pushed into an array, passed as an argument.
- Chained with `.then`, `.catch` or `.finally`.
- Inside `waitUntil(...)`, and in the `else` of a test for it (`if
  (ctx && typeof ctx.waitUntil === 'function') ctx.waitUntil(p); else p;`:
  a fallback with nothing to hand the promise to).
- Code at module scope.
- Durable Object storage writes (`this.ctx.storage.put(...)`), which the
  output gate makes durable without an await.
- Binding methods that return no promise: Analytics Engine `writeDataPoint`
  (the runtime sends the point), D1 `prepare`/`bind`, Durable Object
  `idFromName`/`getByName`.
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
Only calls the file knows to return promises are checked: an async function
imported from another module is not. A promise stored in a variable and never
awaited is not tracked.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct FloatingPromise {
    /// The `else` branches of `if (ctx && typeof ctx.waitUntil === 'function')`:
    /// the fallback where there is no `waitUntil` to hand the promise to.
    no_wait_until: Vec<swc_core::common::Span>,
}

/// Methods that start a Drizzle query; any other chain end is a builder that
/// runs only when awaited.
const DRIZZLE_RUNS: &[&str] = &["execute", "run", "all", "get", "batch", "transaction"];

impl Rule for FloatingPromise {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprStmt, NodeKind::Function, NodeKind::Stmt]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Stmt(Stmt::If(i)) => {
                if let (Some(alt), true) = (&i.alt, names_wait_until(&i.test)) {
                    self.no_wait_until.push(swc_core::common::Spanned::span(&**alt));
                }
            }
            Node::ExprStmt(stmt) => {
                if cx.at_module_scope()
                    || self
                        .no_wait_until
                        .iter()
                        .any(|s| s.lo <= stmt.span.lo && stmt.span.hi <= s.hi)
                {
                    return;
                }
                check_expr(&stmt.expr, false, cx);
            }
            Node::Function(Frame::Function {
                span,
                is_async: true,
                iteration_method: Some(m),
                ..
            }) if m == "forEach" => {
                cx.report(
                    *span,
                    "async callback of forEach: forEach ignores the promises it returns, so nothing waits for them and the Worker may cancel them",
                    "Wait for them: `await Promise.all(items.map(async (item) => { … }))` (bounded if each makes subrequests), or a `for (const item of items) { await … }` loop.",
                );
            }
            _ => {}
        }
    }
}

/// A test that reads `waitUntil` (`ctx?.waitUntil`, `typeof ctx.waitUntil
/// === 'function'`, `'waitUntil' in ctx`): code that checks whether it has one.
fn names_wait_until(test: &Expr) -> bool {
    match unwrap_expr(test) {
        Expr::Bin(b) => names_wait_until(&b.left) || names_wait_until(&b.right),
        Expr::Unary(u) => names_wait_until(&u.arg),
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if p.sym == "waitUntil")
                || names_wait_until(&m.obj)
        }
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => {
                matches!(&m.prop, MemberProp::Ident(p) if p.sym == "waitUntil")
                    || names_wait_until(&m.obj)
            }
            OptChainBase::Call(_) => false,
        },
        Expr::Lit(Lit::Str(s)) => s.value.as_str() == Some("waitUntil"),
        _ => false,
    }
}

fn check_expr(expr: &Expr, voided: bool, cx: &mut LintContext<'_>) {
    match unwrap_expr(expr) {
        Expr::Unary(u) if u.op == UnaryOp::Void => check_expr(&u.arg, true, cx),
        // `ok && notify()`, `a ?? load()`
        Expr::Bin(b)
            if matches!(
                b.op,
                BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
            ) =>
        {
            check_expr(&b.right, voided, cx)
        }
        Expr::Cond(c) => {
            check_expr(&c.cons, voided, cx);
            check_expr(&c.alt, voided, cx);
        }
        Expr::Seq(s) => {
            for e in &s.exprs {
                check_expr(e, voided, cx);
            }
        }
        Expr::Call(call) => check_call(call, voided, cx),
        _ => {}
    }
}

fn check_call(call: &CallExpr, voided: bool, cx: &mut LintContext<'_>) {
    let method = method_name(call).map(|m| m.as_str().to_owned());
    // Someone handles the outcome.
    if matches!(method.as_deref(), Some("then" | "catch" | "finally")) {
        return;
    }
    let async_iife = matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
        Expr::Arrow(ArrowExpr { is_async: true, .. })) || matches!(unwrap_expr(e), Expr::Fn(f) if f.function.is_async));
    if async_iife {
        // An async IIFE matters when it does I/O that nothing waits for; one
        // that feeds a stream the response returns (`writer.write(…)`,
        // `controller.enqueue(…)`) lives as long as the response body.
        let (io, feeds_stream) = iife_body(call, cx);
        if !io || feeds_stream {
            return;
        }
    } else if !io_call(cx, call) {
        return;
    }
    let text = call_text(cx, call, 60);
    let wrapped = format!("{}({text})", wait_until(cx));
    if is_db_chain(call, cx) && !method.as_deref().is_some_and(|m| DRIZZLE_RUNS.contains(&m)) {
        cx.report(
            call.span,
            format!("`{text}` is never awaited: a Drizzle query only runs when it is awaited, so this one does nothing"),
            format!("Await it (`await {text}`), or if it may finish after the response, `{wrapped}`."),
        );
        return;
    }
    let message = if voided {
        format!("`void {text}` still floats: `void` only silences the linter, and in a Worker the call may be cancelled once the response is sent")
    } else {
        format!("`{text}` is neither awaited nor passed to waitUntil: the Worker may cancel it once the response is sent")
    };
    cx.report(
        call.span,
        message,
        format!("To let it finish after the response without delaying it: `{wrapped}`; or `await` it if the response depends on it."),
    );
}

/// `stream.done()`, `uiStream.update(x)`: a method of a name that says it
/// is a stream.
fn on_a_stream(call: &CallExpr) -> bool {
    matches!(&call.callee, Callee::Expr(e) if matches!(unwrap_expr(e),
        Expr::Member(m) if matches!(unwrap_expr(&m.obj),
            Expr::Ident(o) if o.sym.to_ascii_lowercase().contains("stream"))))
}

/// Whether an async IIFE's body makes an I/O call, and whether it writes to
/// a stream (`writer.write`, `controller.enqueue`).
fn iife_body(call: &CallExpr, cx: &LintContext<'_>) -> (bool, bool) {
    use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node as Probed};
    struct Body<'c, 'a> {
        cx: &'c LintContext<'a>,
        io: bool,
        feeds_stream: bool,
    }
    impl Hooks for Body<'_, '_> {
        fn kinds(&self) -> u64 {
            bit(Kind::Call)
        }

        fn enter(&mut self, node: Probed<'_>) -> Descend {
            if let Probed::Call(c) = node {
                match method_name(c).map(|m| m.as_ref()) {
                    Some("write" | "enqueue") => self.feeds_stream = true,
                    // The AI SDK's streamable values (`const stream =
                    // createStreamableValue()`; `stream.update(text)`,
                    // `stream.done()`): the response streams them.
                    Some("update" | "append" | "done") if on_a_stream(c) => self.feeds_stream = true,
                    _ => self.io |= io_call(self.cx, c),
                }
            }
            Descend::Children
        }
    }
    let Callee::Expr(callee) = &call.callee else {
        return (false, false);
    };
    let mut body = Body {
        cx,
        io: false,
        feeds_stream: false,
    };
    match unwrap_expr(callee) {
        Expr::Arrow(a) => probe::walk(&*a.body, &mut body),
        Expr::Fn(f) => {
            if let Some(b) = &f.function.body {
                probe::walk(b, &mut body);
            }
        }
        _ => {}
    }
    (body.io, body.feeds_stream)
}

/// The `waitUntil` reachable from here: `c.executionCtx.waitUntil` in a Hono
/// route, `ctx.waitUntil` in a module handler, `event.waitUntil` in a
/// service worker.
pub(crate) fn wait_until(cx: &LintContext<'_>) -> &'static str {
    let params = cx.frames().iter().filter_map(|f| match f {
        Frame::Function { params, .. } => Some(params),
        _ => None,
    });
    let mut found = "ctx.waitUntil";
    for ps in params {
        for p in ps.iter() {
            match p.as_ref() {
                "c" => found = "c.executionCtx.waitUntil",
                "ctx" => found = "ctx.waitUntil",
                "event" => found = "event.waitUntil",
                "context" => found = "context.waitUntil",
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_floating_calls() {
        assert_fires(
            "floating-promise",
            r#"app.post("/", async (c) => {
  await c.var.db.insert(users).values(user);
  fetch(c.env.ANALYTICS_URL, { method: "POST", body });
  return c.json({ id: user.id }, 201);
});
export default {
  async fetch(req, env, ctx) {
    void fetch("https://log.example", { method: "POST" });
    env.QUEUE.send({ id });
    track(req);
    ok && env.KV.put("k", "v");
    return new Response("ok");
  },
};
async function track(req) { await fetch("https://t.example"); }
export async function g(db) {
  const db2 = drizzle(env.DB);
  db2.insert(users).values(u);
  items.forEach(async (item) => { await env.KV.put(item.id, item); });
}"#,
            &[
                (3, "`fetch(c.env.ANALYTICS_URL, { method: \"POST\", body })` is neither awaited nor passed to waitUntil"),
                (8, "`void fetch(\"https://log.example\", { method: \"POST\" })` still floats"),
                (9, "`env.QUEUE.send({ id })` is neither awaited"),
                (10, "`track(req)` is neither awaited"),
                (11, "`env.KV.put(\"k\", \"v\")`"),
                (18, "a Drizzle query only runs when it is awaited"),
                (19, "async callback of forEach"),
            ],
        );
    }

    #[test]
    fn help_names_the_right_wait_until() {
        let hono = crate::rules::test_util::lint_with(
            "floating-promise",
            "test.ts",
            "app.get('/', async (c) => { fetch(u); return c.text('x'); });",
        );
        assert!(hono[0].help.contains("c.executionCtx.waitUntil(fetch(u))"));
        let module = crate::rules::test_util::lint_with(
            "floating-promise",
            "test.ts",
            "export default { async fetch(req, env, ctx) { fetch(u); return new Response(); } };",
        );
        assert!(module[0].help.contains("ctx.waitUntil(fetch(u))"));
    }

    /// The `else` of a test for `waitUntil` is a fallback with nothing to
    /// hand the promise to (memorial-website's Astro route); the `then`
    /// branch and code after the `if` are still checked.
    #[test]
    fn the_fallback_where_there_is_no_wait_until() {
        assert_fires(
            "floating-promise",
            r#"export async function POST({ locals }) {
  const ctx = locals.runtime?.ctx;
  if (ctx && typeof ctx.waitUntil === "function") {
    ctx.waitUntil(regenerate());
    fetch("https://log.example/started");
  } else {
    regenerate();
  }
  if ("waitUntil" in locals) locals.waitUntil(regenerate()); else fetch("https://x.example");
  fetch("https://log.example/done");
  return new Response("ok");
}
async function regenerate() { await fetch("https://api.example/regenerate"); }
"#,
            &[(5, "is neither awaited"), (10, "is neither awaited")],
        );
    }

    /// An async IIFE that does I/O floats; one that feeds the stream the
    /// response returns lives as long as the body, and one without I/O
    /// has nothing to lose.
    #[test]
    fn async_iifes_that_do_io() {
        assert_fires(
            "floating-promise",
            r#"export default {
  async fetch(req, env) {
    (async () => { await fetch(env.LOG_URL, { method: "POST" }); })();
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    (async () => {
      for await (const chunk of await env.AI.run("@cf/model", { stream: true })) await writer.write(chunk);
      await writer.close();
    })();
    (async () => { for await (const item of source) buffer.push(item); })();
    // the AI SDK's streamable value, returned to the client (thisisooo)
    const stream = createStreamableValue();
    (async () => {
      for await (const text of textStream) stream.update(text);
      await env.DB.prepare("UPDATE article SET done = 1").run();
      stream.done();
    })();
    (async () => { await env.DB.prepare("UPDATE article SET seen = 1").run(); })();
    return new Response(readable);
  },
};
"#,
            &[
                (3, "is neither awaited nor passed to waitUntil"),
                (18, "is neither awaited nor passed to waitUntil"),
            ],
        );
    }

    #[test]
    fn silent_when_handled() {
        assert_silent(
            "floating-promise",
            r#"app.post("/", async (c) => {
  c.executionCtx.waitUntil(fetch(c.env.ANALYTICS_URL, { method: "POST" }));
  await fetch(a);
  const p = fetch(b);
  fetch(d).catch(() => {});
  env.KV.get(k).then((v) => console.log(v));
  promises.push(fetch(e));
  await next();
  console.log("done");
  return fetch(f);
});
export default {
  async fetch(req, env, ctx) {
    ctx.waitUntil(env.KV.put("k", "v"));
    event.waitUntil(fetch(x));
    ctx.waitUntil((async () => { await fetch(y); })());
    const stmt = env.DB.prepare("SELECT 1");
    env.USAGE.writeDataPoint({ blobs: [req.url], doubles: [1] });
    env.DB.prepare("SELECT 1").bind(1);
    const room = env.ROOMS.getByName("lobby");
    await Promise.all([fetch(a), fetch(b)]);
    items.forEach((item) => console.log(item));
    this.ctx.storage.put("k", 1);
    return fetch(req);
  },
};
const arrow = async () => fetch(x);
setup();"#,
        );
    }
}
