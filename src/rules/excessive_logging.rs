//! `excessive-logging`: a console call on the request path that logs a whole
//! request or response object (`console.log(request)`, `console.log(c.req.raw)`)
//! or a whole parsed body (`console.log(JSON.stringify(body))` where `body`
//! came from `await request.json()`). The runtime serializes every logged
//! value on the request's own CPU time (10 ms on the free plan), on every
//! request. Logging a string and a few fields is fine, and so is a log that
//! runs only on a failure (a `catch`, an error branch: `effects::hot_paths`).

use crate::model::collections::{HashMap, HashSet};

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::engine::context::{callee_is, callee_path, callee_root, expr_path, method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::query::QueryKind;

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "excessive-logging", Cpu, Warning,
    "Logging whole request/response objects or whole parsed bodies on every request: log a few fields.",
    |_| Box::<ExcessiveLogging>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A `console.*` call inside a function (the request path) that logs, directly or
through `JSON.stringify`, a template literal, a concatenation or an object/array
literal:

- a whole request or response: `request`, `req`, `response`, `res`, `c.req`,
  `c.req.raw`, `c.res`, `event.request`, or the first parameter of a request
  handler (`fetch(request, env)`, `app.get('/', (c) => …)`);
- a whole body: a variable bound to `await request.json()` / `.text()` /
  `.formData()` / `.arrayBuffer()` / `c.req.parseBody()` / `JSON.parse(…)`, or
  such a call itself (`console.log(await request.text())`);
- every row of a table: a variable bound or assigned to an awaited select with
  no condition, no limit and no single-row access
  (`const rows = await db.select().from(orders)`).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
The runtime serializes every logged value, on the request's own CPU time (10 ms
per request on the free plan), on every request. A request object drags along
its headers and `cf` properties; a parsed body can be as large as the upload.
Very large log events are truncated by Workers Logs, and whole requests and bodies put personal data and credentials (cookies, `authorization` headers) into your logs.
"#,
        ),
        (
            "Bad",
            r#"
```ts
app.use('*', async (c, next) => {
  console.log(c.req.raw);
  await next();
});

app.post('/orders', async (c) => {
  const body = await c.req.json();
  console.log(`new order ${JSON.stringify(body)}`);
  // …
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
app.use('*', async (c, next) => {
  await next();
  console.log(c.req.method, new URL(c.req.url).pathname, c.res.status);
});

app.post('/orders', async (c) => {
  const body = await c.req.json();
  console.log('new order', body.userId, body.items?.length);
  const res = await fetch('https://erp.example/orders', { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) {
    // Only when the upstream call failed: the whole answer helps debugging.
    console.error('erp rejected the order', res.status, await res.text());
  }
  // …
});
```

Keep full dumps behind a debug flag (`if (c.env.DEBUG) console.log(body)`) — and
suppress the finding there with a reason.
"#,
        ),
        (
            "Not reported",
            r#"
- Strings and individual fields (`request.url`, `body.id`, `res.status`).
- `console.error(err)` (an error is not a request).
- Logging at module scope (runs once per isolate, not per request).
- Logs that run only on a failure: in a `catch` clause, in the branch of a
  failure check (`if (!res.ok)`, `if (error)`, `if (res.status >= 400)`, the
  `else` of `if (res.ok)`), after the success returned (`if (res.ok) return
  res;`, a `switch (res.status)` whose 2xx cases return), in a branch that
  logs with `console.error`/`console.warn` and then returns or throws (`if
  (!data?.items) { console.error('malformed', data); return []; }`), in
  `.catch(cb)` and `onError(cb)` callbacks.
- A name bound to an object literal (`const response = { ok: true }`): it is
  not a Response, whatever its name.
- Other loggers (`logger.info(request)`).
- A `scheduled` (cron) handler: it runs once per trigger, not per request.
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
Names are matched by convention (`request`, `req`, `response`, `res`): a
response called `r` is only caught when it is a handler's first parameter; a
`res` that is not a Response is reported all the same. Bodies are tracked by
variable name within the file, not by scope.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Names that hold a request or response by convention.
const MESSAGE_NAMES: &[&str] = &["request", "req", "response", "res"];
/// Methods that read a whole body: `await request.json()`.
const BODY_READERS: &[&str] = &[
    "json",
    "text",
    "formData",
    "arrayBuffer",
    "blob",
    "parseBody",
];

#[derive(Default)]
struct ExcessiveLogging {
    /// Names bound to a whole parsed body: `const body = await c.req.json()`.
    bodies: HashSet<Atom>,
    /// Names bound to an object literal: `const response = { ok: true }` is
    /// not a Response, whatever its name.
    literals: HashSet<Atom>,
    /// Names bound or assigned to an awaited query (`const rows = await
    /// db.select().from(t)`): the query calls, read once the walk has
    /// recorded them.
    rows: HashMap<Atom, Vec<Span>>,
}

impl Rule for ExcessiveLogging {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Call,
            NodeKind::VarDeclarator,
            NodeKind::Assign,
        ]
    }

    /// Its calls are `console.*` calls (other kinds of node come as usual).
    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        Some(&crate::knowledge::CONSOLE_METHODS)
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Assign(a) => {
                if let AssignTarget::Simple(SimpleAssignTarget::Ident(name)) = &a.left {
                    self.note_rows(&name.id.sym, &a.right);
                }
            }
            Node::VarDeclarator(d) => {
                if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                    if reads_body(init) && !cx.at_module_scope() {
                        self.bodies.insert(name.id.sym.clone());
                    }
                    self.note_rows(&name.id.sym, init);
                    if matches!(unwrap_expr(init), Expr::Object(_)) {
                        self.literals.insert(name.id.sym.clone());
                    }
                }
            }
            Node::Call(call) => {
                let Some(path) = callee_path(call) else {
                    return;
                };
                if !path.starts_with("console.")
                    || cx.at_module_scope()
                    || callee_root(call).is_none_or(|id| !cx.is_unbound(id))
                    || cx.hot.is_cold(call.span)
                    || in_cron_handler(cx)
                {
                    return;
                }
                let found = call
                    .args
                    .iter()
                    .find_map(|a| self.heavy_value(&a.expr, cx, false));
                let Some(what) = found else {
                    return;
                };
                cx.report(
                    call.span,
                    format!(
                        "`{}` {what} on every request: serializing it costs CPU time each time",
                        cx.snippet(call.span)
                    ),
                    format!(
                        "Log a string and the few fields you need, e.g. `{path}(request.method, new URL(request.url).pathname, response.status)` \
                         or `{path}('order', body.id, body.items?.length)`; keep full dumps behind a debug flag."
                    ),
                );
            }
            _ => {}
        }
    }
}

impl ExcessiveLogging {
    /// What makes a logged value heavy ("logs the whole request object"),
    /// looking through templates, concatenations, object/array literals and
    /// `JSON.stringify`.
    /// `name = await <call>`: the call may be a query (known once walked).
    fn note_rows(&mut self, name: &Atom, value: &Expr) {
        if let Expr::Await(a) = unwrap_expr(value) {
            if let Expr::Call(call) = unwrap_expr(&a.arg) {
                self.rows.entry(name.clone()).or_default().push(call.span);
            }
        }
    }

    /// `name` holds every row of a table: an awaited select with no
    /// condition, no limit and no single-row access.
    fn whole_table(&self, name: &Atom, cx: &LintContext<'_>) -> bool {
        self.rows.get(name).is_some_and(|calls| {
            calls.iter().any(|span| {
                cx.db.query_at(*span).is_some_and(|q| {
                    q.kind == QueryKind::Select && !q.has_where && !q.limited && !q.single_row
                })
            })
        })
    }

    fn heavy_value(&self, expr: &Expr, cx: &LintContext<'_>, stringified: bool) -> Option<String> {
        let verb = if stringified { "stringifies" } else { "logs" };
        let expr = unwrap_expr(expr);
        let literal = matches!(expr, Expr::Ident(id) if self.literals.contains(&id.sym));
        if let Some(kind) = message_object(expr, cx).filter(|_| !literal) {
            return Some(format!("{verb} the whole {kind}"));
        }
        match expr {
            Expr::Ident(id) if self.bodies.contains(&id.sym) => {
                Some(format!("{verb} the whole parsed body `{}`", id.sym))
            }
            Expr::Ident(id) if self.whole_table(&id.sym, cx) => Some(format!(
                "{verb} every row of a table (`{}`, a select with no condition or limit)",
                id.sym
            )),
            e if reads_body(e) => Some(format!("{verb} the whole {}", body_read(e, cx))),
            Expr::Await(a) => self.heavy_value(&a.arg, cx, stringified),
            Expr::Call(c) if callee_is(c, "JSON.stringify") => c
                .args
                .first()
                .and_then(|a| self.heavy_value(&a.expr, cx, true)),
            Expr::Tpl(t) => t
                .exprs
                .iter()
                .find_map(|e| self.heavy_value(e, cx, stringified)),
            Expr::Bin(b) if b.op == BinaryOp::Add => self
                .heavy_value(&b.left, cx, stringified)
                .or_else(|| self.heavy_value(&b.right, cx, stringified)),
            Expr::Object(o) => o.props.iter().find_map(|p| match p {
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv) => self.heavy_value(&kv.value, cx, stringified),
                    Prop::Shorthand(id) => {
                        self.heavy_value(&Expr::Ident(id.clone()), cx, stringified)
                    }
                    _ => None,
                },
                PropOrSpread::Spread(s) => self.heavy_value(&s.expr, cx, stringified),
            }),
            Expr::Array(a) => a
                .elems
                .iter()
                .flatten()
                .find_map(|e| self.heavy_value(&e.expr, cx, stringified)),
            _ => None,
        }
    }
}

/// A whole request, response or request context: `request`, `c.req`,
/// `c.req.raw`, `event.request`, or the first parameter of a handler.
fn message_object(expr: &Expr, cx: &LintContext<'_>) -> Option<&'static str> {
    match expr {
        Expr::Ident(id) => {
            let name = id.sym.as_ref();
            if let Some(kind) = name_kind(name) {
                // `const response = `Server received ${m}``: a value the
                // code writes is no request or response, whatever its name.
                return (!cx.bound_to_written_value(id)).then_some(kind);
            }
            // `fetch(r, env)` / `app.get('/', (c) => …)`: the first parameter.
            let first_param_of_handler = cx.frames().iter().rev().any(|f| {
                matches!(f, Frame::Function { request_param: true, params, .. } if params.first() == Some(&id.sym))
            });
            (first_param_of_handler && cx.binding(id).is_some_and(|(module, _)| !module))
                .then_some("request context (the handler's first parameter)")
        }
        Expr::Member(_) => {
            let path = expr_path(expr)?;
            if path.ends_with(".req.raw") {
                return Some("request object");
            }
            let last = path.rsplit('.').next()?;
            if path.contains('.') {
                name_kind(last)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn name_kind(name: &str) -> Option<&'static str> {
    if !MESSAGE_NAMES.contains(&name) {
        return None;
    }
    Some(if name.starts_with("req") {
        "request object"
    } else {
        "response object"
    })
}

/// `await request.json()`, `c.req.text()`, `JSON.parse(text)`.
fn reads_body(expr: &Expr) -> bool {
    let expr = match unwrap_expr(expr) {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    let Expr::Call(call) = expr else { return false };
    if callee_is(call, "JSON.parse") {
        return true;
    }
    call.args.is_empty() && method_name(call).is_some_and(|m| BODY_READERS.contains(&m.as_ref()))
}

/// Whose body a [`reads_body`] call reads: "request body" (`request.text()`,
/// `c.req.json()`), "response body" (`res.text()`), "parsed JSON"
/// (`JSON.parse(…)`), or "body" when the receiver says neither.
fn body_read(expr: &Expr, cx: &LintContext<'_>) -> &'static str {
    let expr = match unwrap_expr(expr) {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    let Expr::Call(call) = expr else { return "body" };
    if callee_is(call, "JSON.parse") {
        return "parsed JSON";
    }
    let Some(mut receiver) = method_receiver(call) else {
        return "body";
    };
    // `res.clone().text()`: the clone's body is the response's.
    while let Expr::Call(c) = receiver {
        match method_receiver(c) {
            Some(inner) if method_name(c).is_some_and(|m| m == "clone") => receiver = inner,
            _ => return "body",
        }
    }
    match message_object(receiver, cx) {
        Some(kind) if kind.starts_with("response") => "response body",
        Some(_) => "request body",
        None => "body",
    }
}

/// `x` of `x.method(…)`.
fn method_receiver(call: &CallExpr) -> Option<&Expr> {
    match &call.callee {
        Callee::Expr(f) => match unwrap_expr(f) {
            Expr::Member(m) => Some(unwrap_expr(&m.obj)),
            _ => None,
        },
        _ => None,
    }
}

/// Inside the `scheduled` handler of a Worker (at any depth): a cron
/// trigger, not a request.
fn in_cron_handler(cx: &LintContext<'_>) -> bool {
    cx.frames.iter().any(|f| {
        matches!(f, Frame::Function { is_handler: true, name: Some(name), .. } if name == "scheduled")
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_whole_objects() {
        assert_fires(
            "excessive-logging",
            r#"app.use('*', async (c, next) => {
  console.log(c.req.raw);
  console.log(c.req);
  console.log(c);
  await next();
});
export default {
  async fetch(request: Request, env: Env) {
    console.log(request);
    const body = await request.json();
    console.log(JSON.stringify(body));
    console.info(`payload ${JSON.stringify(body, null, 2)}`);
    console.log({ request });
    const res = await fetch('https://api');
    console.log(res);
    console.log(await request.text());
    const parsed = JSON.parse(raw);
    console.debug('parsed', parsed);
    return new Response('ok');
  },
};
"#,
            &[
                (
                    2,
                    "`console.log(c.req.raw)` logs the whole request object on every request",
                ),
                (3, "logs the whole request object"),
                (4, "the handler's first parameter"),
                (9, "`console.log(request)` logs the whole request object"),
                (11, "stringifies the whole parsed body `body`"),
                (12, "stringifies the whole parsed body"),
                (13, "logs the whole request object"),
                (15, "logs the whole response object"),
                (16, "logs the whole request body"),
                (18, "logs the whole parsed body `parsed`"),
            ],
        );
    }

    /// A response's body is the response's, not the request's; logged after
    /// the success statuses returned (`if (res.ok) return`, a `switch` on
    /// the status whose 2xx cases return) it is a failure's (found on
    /// cloudflare/wildebeest's web push delivery).
    #[test]
    fn response_bodies_and_logs_after_success_returned() {
        assert_fires(
            "excessive-logging",
            r#"export async function push(url: string, res0: Response) {
  const res = await fetch(url, { method: 'POST' });
  console.log(await res.text());
  switch (res.status) {
    case 200:
    case 201:
      return 'ok';
    case 410:
      return 'gone';
  }
  console.warn(`push failed: ${res.status} ${await res.text()}`);
  return 'error';
}
export async function send(url: string) {
  const res = await fetch(url);
  console.log(await res.clone().text());
  if (res.ok) return res;
  console.error('send failed', await res.text());
  return null;
}
export async function check(url: string) {
  const res = await fetch(url);
  switch (res.status) {
    case 200:
      break;
  }
  console.log(await res.json());
}
"#,
            &[
                (3, "logs the whole response body"),
                (16, "logs the whole response body"),
                (27, "logs the whole response body"),
            ],
        );
    }

    /// The first parameter of an entrypoint's RPC method is the caller's
    /// argument, not a request; its `fetch` method's is the request.
    #[test]
    fn rpc_arguments_are_not_requests() {
        assert_fires(
            "excessive-logging",
            r#"import { WorkerEntrypoint } from "cloudflare:workers";
export class BooksService extends WorkerEntrypoint {
  async getBook(bookId, options) {
    console.log("getBook called", { bookId }, options);
    return this.env.DB.prepare("SELECT 1").bind(bookId).first();
  }
  async fetch(incoming) {
    console.log("fetch", incoming);
    const response = `received ${incoming.url}`;
    console.log("response sent:", response);
    return new Response(response);
  }
}
"#,
            &[(8, "request context")],
        );
    }

    #[test]
    fn silent_on_strings_and_fields() {
        assert_silent(
            "excessive-logging",
            r#"app.onError((err, c) => {
  console.error(err);
  return c.json({ error: 'internal error' }, 500);
});
export default {
  async fetch(request: Request, env: Env) {
    console.log(request.method, request.url);
    console.log('loaded order', order.id, items.length);
    const body = await request.json();
    console.log('order', body.id, JSON.stringify(body.items.length));
    console.log(JSON.stringify({ id: body.id }));
    console.log(`status ${res.status}`);
    logger.log(request);
    return new Response('ok');
  },
};
const config = JSON.parse(CONFIG);
console.log(config);
export function later() { console.log(config); }
"#,
        );
    }

    #[test]
    fn silent_on_failure_paths_and_plain_objects() {
        assert_silent(
            "excessive-logging",
            r#"export default {
  async fetch(request: Request, env: Env) {
    const res = await fetch('https://api');
    if (!res.ok) {
      console.error('upstream failed', await res.text());
      return new Response('bad gateway', { status: 502 });
    }
    const body = await request.json();
    const { data, error } = await env.SVC.get(body.id);
    if (error) console.error('lookup failed', body, error);
    try {
      await env.Q.send(body);
    } catch (e) {
      console.error('send failed', request, e);
    }
    env.Q.send(body).catch(() => console.log(JSON.stringify(body)));
    if (res.status >= 400) console.log(res);
    const results = await res.json();
    if (!results?.response?.items) {
      console.error('API response is malformed:', results, request);
      return new Response('bad', { status: 502 });
    }
    const response = { success: true, id: body.id };
    console.log('returning', response);
    return Response.json(response);
  },
};
"#,
        );
    }

    /// Every row of a table, logged; a filtered or limited query is not
    /// flagged (it may be one row).
    #[test]
    fn fires_on_logging_every_row_of_a_table() {
        assert_fires(
            "excessive-logging",
            r#"app.get('/applications', async (c) => {
  const db = drizzle(c.env.DB);
  let applications;
  if (c.req.query('project')) {
    applications = await db.select().from(applicationsTable).where(eq(applicationsTable.projectId, 1)).all();
  } else {
    applications = await db.select().from(applicationsTable).orderBy(desc(applicationsTable.id)).all();
  }
  console.log(applications);
  const user = await db.select().from(users).where(eq(users.id, 1));
  console.log(user);
  const recent = await db.select().from(users).limit(10);
  console.log(recent);
  return c.json({ applications });
});
"#,
            &[(9, "logs every row of a table (`applications`")],
        );
    }

    /// A cron trigger is not a request; the same log in `fetch` fires.
    #[test]
    fn silent_in_a_cron_handler() {
        let cron = r#"export default {
  async scheduled(event, env) {
    const response = await fetch(env.REFRESH_API, { method: 'POST' });
    console.log(`refreshed: ${JSON.stringify(await response.text())}`);
  },
};
"#;
        assert_silent("excessive-logging", cron);
        assert_fires(
            "excessive-logging",
            &cron.replace("scheduled(event, env)", "fetch(event, env)"),
            &[(4, "on every request")],
        );
    }

    #[test]
    fn fires_on_success_paths() {
        assert_fires(
            "excessive-logging",
            r#"export default {
  async fetch(request: Request, env: Env) {
    const res = await fetch('https://api');
    if (res.ok) {
      console.log(res);
    }
    return res;
  },
};
"#,
            &[(5, "logs the whole response object")],
        );
    }
}
