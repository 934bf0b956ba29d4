//! `request-state-in-global`: a module-scope `let`/`var` reassigned, or a
//! module-scope array/object/Map/Set mutated, on the request path (inside a
//! request handler, a function nested in one, or a function of the file that
//! a handler calls). The isolate serves many requests with the same module
//! state: values leak between requests, race between concurrent ones, grow
//! until the 128 MB limit, and vanish when the isolate is recycled.
//!
//! Fine: writes at module scope (initialization), reads, lazy initialization
//! (`x ??= …`, `if (!x) x = …`), WeakMaps/WeakSets, and deliberate caches —
//! a name containing "cache" or a comment mentioning "cache" on (or right
//! above) the declaration.

use crate::model::collections::{HashMap, HashSet};
use crate::model::text::bytes;

use swc_core::atoms::Atom;
use swc_core::common::{BytePos, Span};
use swc_core::ecma::ast::*;

use crate::engine::context::{
    array_pat_idents, expr_path, object_pat_idents, unwrap_expr, BindingKind, Frame, Node,
};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta, START};
use crate::model::report::{Category, Severity};

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "request-state-in-global",
        category: Category::Memory,
        severity: Severity::Warning,
        summary: "Module-scope state written while handling a request: it leaks between requests and grows in the isolate.",
    },
    kind: crate::engine::declare::Kind::Source(|_| Box::<RequestStateInGlobal>::default()),
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
Module-scope state written while handling a request:

- a module-scope `let`/`var` reassigned (`count++`, `last = url`);
- a module-scope array, object, `Map` or `Set` changed in place (`.push`,
  `.set`, `.add`, `.delete`, `obj[k] = v`, …);

inside a request handler (`fetch`/`scheduled`/`queue` of the default export, a
Durable Object or entrypoint method, a route callback such as `app.get(…, cb)`),
a function nested in one, or a function of the file that a handler calls or
registers (`app.get('/', handler)`).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
One isolate serves many requests, in sequence and concurrently, and keeps
module state between them. A value written by one request is seen by the next
(including other users'), concurrent requests race on it, collections keep
growing until they hit the 128 MB memory limit, and everything silently resets
when the isolate is recycled or another one takes the traffic — so counters
and "last seen" values are wrong in both directions.
"#,
        ),
        (
            "Bad",
            r#"
```ts
let requestCount = 0;

app.use('*', async (c, next) => {
  requestCount++;
  await next();
  c.header('x-served-by', `orders-service#${requestCount}`);
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
  c.header('x-served-by', 'orders-service');
});
```

Keep per-request data in the request (locals, Hono `c.set`/`c.var`); keep
shared counters in a Durable Object, KV or Workers Analytics Engine.
"#,
        ),
        (
            "Not reported",
            r#"
- Writes at module scope (initializing a table).
- Reads of module constants and Maps.
- Lazy initialization: `client ??= new Client()`, `x ||= …`,
  `if (!x) x = …`, `if (x) return x; x = …`.
- `WeakMap`/`WeakSet`/`WeakRef` state keyed by request objects.
- Deliberate caches: a name containing "cache" (`userCache`), or a comment
  mentioning "cache" on the declaration line or the line above it. A
  suppression comment works too.
- A local that shadows the module name.
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
Functions of the file count as on the request path only when a handler calls
or registers them directly (one level). Handlers referenced indirectly
(`export default { fetch: app.fetch }`, a shorthand `{ scheduled }`) are not
recognized, so writes in them are not reported. Mutating methods are
recognized by name on a module-scope array/object literal or `new Map/Set/Array/Object`;
module-scope class instances are not tracked.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Methods that change an array, Map or Set in place.
const MUTATORS: &[&str] = &[
    "push",
    "pop",
    "shift",
    "unshift",
    "splice",
    "set",
    "add",
    "delete",
    "clear",
    "sort",
    "reverse",
    "fill",
    "copyWithin",
];
/// Router methods whose function arguments handle requests.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "all", "use", "on", "options", "head",
];

/// What a name is bound to is asked of the semantic model only for the
/// writes that could be reported (after the walk): most files never build it.
#[derive(Default)]
struct RequestStateInGlobal {
    /// Declarators of a name outside functions, in source order (a module
    /// variable if the declaring identifier is bound at module scope).
    vars: HashMap<Atom, Vec<ModuleVar>>,
    writes: Vec<Write>,
    /// Names called or registered by a handler, where the callee or
    /// argument identifier starts: functions of the file if module-scope.
    handler_calls: HashMap<Atom, Vec<BytePos>>,
    /// Names tested for absence by the enclosing `if` statements.
    /// (flat, with `guard_marks` where each `if` starts: no allocation per
    /// statement)
    guards: Vec<Atom>,
    guard_marks: Vec<usize>,
    /// Per open function: names it returns early on (`if (x) return x;`).
    /// (flat, with `memo_marks` where each function starts)
    memo: Vec<Atom>,
    memo_marks: Vec<usize>,
}

struct ModuleVar {
    /// The declaring identifier.
    id: BytePos,
    /// An array/object literal or a new Map/Set/Array/Object.
    container: bool,
    /// A WeakMap/WeakSet.
    weak: bool,
    /// Where the declaration starts in the source: a comment there may
    /// document a cache (checked only for variables that are written).
    offset: usize,
}

impl ModuleVar {
    /// `let`, `var` or `const` when the declaring identifier is bound at
    /// module scope.
    fn kind(&self, name: &Atom, cx: &LintContext<'_>) -> Option<&'static str> {
        Some(match cx.module_binding_at(name, self.id)? {
            BindingKind::Let => "let",
            BindingKind::Var => "var",
            _ => "const",
        })
    }

    /// A WeakMap/WeakSet or a documented cache.
    fn exempt(&self, name: &str, source: &str) -> bool {
        self.weak
            || name.to_ascii_lowercase().contains("cache")
            || documented_cache(source, self.offset)
    }
}

struct Write {
    name: Atom,
    /// The written identifier (a reported write is to a module variable).
    id: BytePos,
    span: Span,
    /// Reassignment (vs. mutation of the value).
    reassign: bool,
    in_handler: bool,
    /// The outermost named function the write is in.
    in_fn: Option<Atom>,
}

impl Rule for RequestStateInGlobal {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Assign,
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Stmt,
            NodeKind::Update,
            NodeKind::VarDeclarator,
        ]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::VarDeclarator(d) => self.declarator(d, cx),
            Node::Function(_) => self.memo_marks.push(self.memo.len()),
            Node::Stmt(Stmt::If(i)) => {
                self.guard_marks.push(self.guards.len());
                absence_tests(&i.test, &mut self.guards);
                if !self.memo_marks.is_empty()
                    && (matches!(&*i.cons, Stmt::Return(_) | Stmt::Throw(_))
                        || matches!(&*i.cons, Stmt::Block(b) if matches!(b.stmts.last(), Some(Stmt::Return(_) | Stmt::Throw(_)))))
                {
                    presence_tests(&i.test, &mut self.memo);
                }
            }
            Node::Assign(a) => {
                if cx.at_module_scope() {
                    return;
                }
                let lazy = matches!(a.op, AssignOp::NullishAssign | AssignOp::OrAssign);
                match &a.left {
                    AssignTarget::Simple(SimpleAssignTarget::Ident(id)) if !lazy => {
                        self.write(&id.id, true, a.span, cx)
                    }
                    AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                        if let Some(root) = member_root(&m.obj) {
                            self.write(root, false, a.span, cx);
                        }
                    }
                    AssignTarget::Pat(p) => {
                        let mut ids = Vec::new();
                        match p {
                            AssignTargetPat::Array(arr) => array_pat_idents(arr, &mut ids),
                            AssignTargetPat::Object(o) => object_pat_idents(o, &mut ids),
                            AssignTargetPat::Invalid(_) => {}
                        }
                        for id in ids {
                            self.write(id, true, a.span, cx);
                        }
                    }
                    _ => {}
                }
            }
            Node::Update(u) => {
                if cx.at_module_scope() {
                    return;
                }
                match unwrap_expr(&u.arg) {
                    Expr::Ident(id) => self.write(id, true, u.span, cx),
                    Expr::Member(m) => {
                        if let Some(root) = member_root(&m.obj) {
                            self.write(root, false, u.span, cx);
                        }
                    }
                    _ => {}
                }
            }
            Node::Call(call) => self.call(call, cx),
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Stmt]
    }

    fn exit(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        match node {
            Node::Stmt(Stmt::If(_)) => {
                if let Some(mark) = self.guard_marks.pop() {
                    self.guards.truncate(mark);
                }
            }
            Node::Function(_) => {
                if let Some(mark) = self.memo_marks.pop() {
                    self.memo.truncate(mark);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        let mut reported: HashSet<Atom> = HashSet::default();
        let module_level = |w: &Write| {
            matches!(
                cx.module_binding_at(&w.name, w.id),
                Some(BindingKind::Let | BindingKind::Var | BindingKind::Const)
            )
        };
        let on_request_path = |w: &Write| {
            w.in_handler
                || w.in_fn.as_ref().is_some_and(|f| {
                    self.handler_calls.get(f).is_some_and(|ids| {
                        ids.iter()
                            .any(|&id| cx.module_binding_at(f, id).is_some())
                    })
                })
        };
        // The module variable a name is: its last declarator bound at module
        // scope, with its kind (asked once per name).
        let mut vars: HashMap<Atom, Option<(&ModuleVar, &'static str)>> = HashMap::default();
        let mut var_of = |name: &Atom| {
            *vars.entry(name.clone()).or_insert_with(|| {
                self.vars.get(name).and_then(|decls| {
                    decls
                        .iter()
                        .rev()
                        .find_map(|v| v.kind(name, cx).map(|kind| (v, kind)))
                })
            })
        };
        let mut exempt: HashMap<Atom, bool> = HashMap::default();
        let mut applies = |w: &Write| {
            self.vars.contains_key(&w.name)
                && on_request_path(w)
                && module_level(w)
                && var_of(&w.name).is_some_and(|(v, kind)| {
                    (if w.reassign {
                        kind != "const"
                    } else {
                        v.container
                    }) && !*exempt
                        .entry(w.name.clone())
                        .or_insert_with(|| v.exempt(&w.name, cx.source))
                })
        };
        let writes: Vec<&Write> = self.writes.iter().filter(|w| applies(w)).collect();
        let vars: HashMap<Atom, (&ModuleVar, &'static str)> = writes
            .iter()
            .filter_map(|w| Some((w.name.clone(), var_of(&w.name)?)))
            .collect();
        for w in &writes {
            if !reported.insert(w.name.clone()) {
                continue;
            }
            let Some(&(_, kind)) = vars.get(&w.name) else {
                continue;
            };
            let more = writes.iter().filter(|o| o.name == w.name).count() - 1;
            let text = cx.snippet(w.span);
            let more = match more {
                0 => String::new(),
                1 => " (and 1 more write)".into(),
                n => format!(" (and {n} more writes)"),
            };
            let place = match (&w.in_fn, w.in_handler) {
                (Some(f), false) => format!(" in `{f}()`, which a request handler calls"),
                _ => String::new(),
            };
            let name = &w.name;
            let message = if w.reassign {
                format!(
                    "`{name}` is a module-scope `{}` written while handling a request (`{}`{place}){more}: every request this isolate serves shares it, concurrent requests race on it, and it resets whenever the isolate is recycled",
                    kind, text
                )
            } else {
                format!(
                    "module-scope `{name}` is changed while handling a request (`{}`{place}){more}: its contents leak between requests and keep growing in the isolate's {}",
                    text,
                    bytes(cx.limits.memory_bytes)
                )
            };
            cx.report(
                w.span,
                message,
                format!(
                    "Keep per-request data in the request (a local, or Hono `c.set`/`c.var`); keep shared counters and state in a Durable Object, KV or Workers Analytics Engine. \
                     If `{name}` is a deliberate cache, make that explicit (name it `…Cache` or say \"cache\" in a comment on its declaration) and bound its size."
                ),
            );
        }
    }
}

impl RequestStateInGlobal {
    fn declarator(&mut self, d: &VarDeclarator, cx: &LintContext<'_>) {
        let Pat::Ident(name) = &d.name else { return };
        let sym = &name.id.sym;
        if !cx.at_module_scope() {
            return;
        }
        let ctor = d.init.as_deref().and_then(|i| match unwrap_expr(i) {
            Expr::New(n) => expr_path(&n.callee),
            _ => None,
        });
        let container = d
            .init
            .as_deref()
            .is_some_and(|i| matches!(unwrap_expr(i), Expr::Array(_) | Expr::Object(_)))
            || matches!(ctor.as_deref(), Some("Map" | "Set" | "Array" | "Object"));
        let weak = matches!(ctor.as_deref(), Some("WeakMap" | "WeakSet" | "WeakRef"));
        self.vars.entry(sym.clone()).or_default().push(ModuleVar {
                id: name.id.span.lo,
                container,
                weak,
            offset: d.span.lo.0.saturating_sub(START) as usize,
        });
    }

    fn call(&mut self, call: &CallExpr, cx: &LintContext<'_>) {
        let Callee::Expr(callee) = &call.callee else {
            return;
        };
        match unwrap_expr(callee) {
            // A function of the file called from a handler.
            Expr::Ident(id) if cx.in_handler() => self.handler_call(id),
            Expr::Member(m) => {
                let MemberProp::Ident(method) = &m.prop else {
                    return;
                };
                // app.get("/", handler): `handler` handles requests.
                if ROUTE_METHODS.contains(&method.sym.as_ref()) && call.args.len() >= 2 {
                    for a in &call.args {
                        if let Expr::Ident(id) = unwrap_expr(&a.expr) {
                            self.handler_call(id);
                        }
                    }
                }
                if !cx.at_module_scope() && MUTATORS.contains(&method.sym.as_ref()) {
                    if let Some(root) = member_root(&m.obj) {
                        self.write(root, false, call.span, cx);
                    }
                }
            }
            _ => {}
        }
    }

    /// A handler calls or registers `id` (a function of the file if it is
    /// bound at module scope: asked in `finish`).
    fn handler_call(&mut self, id: &Ident) {
        self.handler_calls
            .entry(id.sym.clone())
            .or_default()
            .push(id.span.lo);
    }

    /// `id` is written (reported if it is a module-scope variable: asked in
    /// `finish`).
    fn write(&mut self, id: &Ident, reassign: bool, span: Span, cx: &LintContext<'_>) {
        let name = &id.sym;
        if reassign
            && (self.guards.contains(name)
                || self
                    .memo_marks
                    .last()
                    .is_some_and(|&m| self.memo[m..].contains(name)))
        {
            return; // lazy initialization
        }
        let in_fn = cx.frames().iter().find_map(|f| match f {
            Frame::Function { name, .. } => Some(name.clone()),
            _ => None,
        });
        self.writes.push(Write {
            name: name.clone(),
            id: id.span.lo,
            span,
            reassign,
            in_handler: cx.in_handler(),
            in_fn: in_fn.flatten(),
        });
    }
}

/// The identifier a member chain starts from (members only, no calls).
fn member_root(expr: &Expr) -> Option<&Ident> {
    match unwrap_expr(expr) {
        Expr::Ident(id) => Some(id),
        Expr::Member(m) => member_root(&m.obj),
        _ => None,
    }
}

/// `!x`, `x == null`, `x === undefined`, `typeof x === "undefined"`, joined
/// by `||`/`&&`.
fn absence_tests(test: &Expr, out: &mut Vec<Atom>) {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => {
            if let Expr::Ident(id) = unwrap_expr(&u.arg) {
                out.push(id.sym.clone());
            }
        }
        Expr::Bin(b) => match b.op {
            BinaryOp::LogicalOr | BinaryOp::LogicalAnd => {
                absence_tests(&b.left, out);
                absence_tests(&b.right, out);
            }
            BinaryOp::EqEq | BinaryOp::EqEqEq => {
                let empty = |e: &Expr| match unwrap_expr(e) {
                    Expr::Lit(Lit::Null(_)) => true,
                    Expr::Ident(id) => id.sym == "undefined",
                    Expr::Lit(Lit::Str(s)) => s.value.as_str() == Some("undefined"),
                    _ => false,
                };
                let subject = |e: &Expr| match unwrap_expr(e) {
                    Expr::Ident(id) => Some(id.sym.clone()),
                    Expr::Unary(u) if u.op == UnaryOp::TypeOf => match unwrap_expr(&u.arg) {
                        Expr::Ident(id) => Some(id.sym.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                if empty(&b.right) {
                    out.extend(subject(&b.left));
                } else if empty(&b.left) {
                    out.extend(subject(&b.right));
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// `if (x) return x;`: the names the test reads directly.
fn presence_tests(test: &Expr, out: &mut Vec<Atom>) {
    match unwrap_expr(test) {
        Expr::Ident(id) => out.push(id.sym.clone()),
        Expr::Bin(b) => {
            presence_tests(&b.left, out);
            presence_tests(&b.right, out);
        }
        Expr::Unary(u) => presence_tests(&u.arg, out),
        _ => {}
    }
}

/// A comment mentioning "cache" on the declaration's line or on a comment
/// line right above it.
fn documented_cache(source: &str, offset: usize) -> bool {
    let offset = offset.min(source.len());
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = &source[start..end];
    let comment_mentions_cache = |l: &str| {
        l.find("//")
            .or_else(|| l.find("/*"))
            .is_some_and(|i| l[i..].to_ascii_lowercase().contains("cache"))
    };
    if comment_mentions_cache(line) {
        return true;
    }
    if start == 0 {
        return false;
    }
    let prev_end = start - 1;
    let prev_start = source[..prev_end].rfind('\n').map_or(0, |i| i + 1);
    let prev = source[prev_start..prev_end].trim_start();
    (prev.starts_with("//") || prev.starts_with("/*") || prev.starts_with('*'))
        && prev.to_ascii_lowercase().contains("cache")
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_request_writes() {
        assert_fires(
            "request-state-in-global",
            r#"let requestCount = 0;
const seen = new Set<string>();
const log = [];
var last;
app.use("*", async (c, next) => {
  requestCount++;
  await next();
  c.header("x-served-by", `#${requestCount}`);
});
export default {
  async fetch(req, env) {
    seen.add(req.url);
    requestCount += 1;
    track(req);
    return new Response("ok");
  },
};
function track(req) {
  log.push(req.url);
}
app.get("/x", remember);
function remember(c) {
  last = c.req.url;
  return c.text("ok");
}"#,
            &[
                (6, "`requestCount` is a module-scope `let` written while handling a request (`requestCount++`) (and 1 more write)"),
                (12, "module-scope `seen` is changed while handling a request (`seen.add(req.url)`)"),
                (19, "`log.push(req.url)` in `track()`, which a request handler calls"),
                (23, "`last` is a module-scope `var`"),
            ],
        );
    }

    #[test]
    fn silent_on_caches_lazy_init_and_locals() {
        assert_silent(
            "request-state-in-global",
            r#"const BIN_BY_SKU: Record<string, string> = {};
for (let i = 0; i < 100; i++) BIN_BY_SKU[`sku-${i}`] = "A";
const userCache = new Map();
// cache of rendered templates, bounded by the template count
const rendered = new Map();
const parsed = new Map(); // cache: schema by name
const byRequest = new WeakMap();
const LIMITS = { free: 50 };
let client;
let db;
let config;
function getClient(env) {
  if (client) return client;
  client = new Client(env.URL);
  return client;
}
export default {
  async fetch(req, env) {
    userCache.set(req.url, 1);
    rendered.set("a", "b");
    parsed.set("x", 1);
    byRequest.set(req, {});
    db ??= drizzle(env.DB);
    if (!config) config = JSON.parse(env.CONFIG);
    const requestCount = 0;
    let local = [];
    local.push(1);
    const limit = LIMITS.free;
    getClient(env);
    return new Response(String(BIN_BY_SKU["sku-1"]));
  },
};
function setupAtStartup() { LIMITS.free = 60; }
"#,
        );
    }

    #[test]
    fn shadowing_local_is_not_the_global() {
        assert_silent(
            "request-state-in-global",
            r#"let count = 0;
export default {
  async fetch(req) {
    let count = 1;
    count++;
    return new Response(String(count));
  },
};"#,
        );
    }

    /// A `var` belongs to the enclosing function (or the module), not to the
    /// block it is written in: the semantic model hoists it (the walk's old
    /// per-block scope maps kept it in the block).
    #[test]
    fn var_in_a_block_is_hoisted() {
        // Module level: `hits` is a module-scope `var`.
        assert_fires(
            "request-state-in-global",
            r#"if (globalThis.DEBUG) { var hits = []; }
export default {
  async fetch(req) {
    hits.push(req.url);
    return new Response("ok");
  },
};"#,
            &[(4, "module-scope `hits` is changed while handling a request")],
        );
        // In a handler: the block's `var count` is the handler's own.
        assert_silent(
            "request-state-in-global",
            r#"let count = 0;
export default {
  async fetch(req) {
    if (req.method === "POST") { var count = 1; }
    count++;
    return new Response(String(count));
  },
};"#,
        );
    }
}
