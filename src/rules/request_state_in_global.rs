//! `request-state-in-global`: a module-scope `let`/`var` reassigned, or a
//! module-scope array/object/Map/Set mutated, on the request path (inside a
//! request handler, a function nested in one, or a function of the file that
//! a handler calls). The isolate serves many requests with the same module
//! state: values leak between requests, race between concurrent ones, grow
//! until the 128 MB limit, and vanish when the isolate is recycled.
//!
//! Fine: writes at module scope (initialization), reads, lazy initialization
//! (`x ??= …`, `if (!x) x = …`, `if (x) return; … x = …`, also in a function
//! nested after the check: an async IIFE), WeakMaps/WeakSets, and deliberate caches —
//! a name containing "cache" or a comment mentioning "cache" on (or right
//! above) the declaration.

use crate::model::collections::Words;
use crate::model::collections::{HashMap, HashSet};
use crate::model::text::limit;

use swc_core::atoms::Atom;
use swc_core::common::{BytePos, Span};
use swc_core::ecma::ast::*;

use crate::engine::context::{
    array_pat_idents, expr_path, object_pat_idents, unwrap_expr, BindingKind, Frame, Node,
};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, START};
use crate::semantic::file::Bindings;

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "request-state-in-global", Memory, Warning,
    "Module-scope state written while handling a request: it leaks between requests and grows in the isolate.",
    |_| Box::<RequestStateInGlobal>::default()
);

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
Durable Object or entrypoint method, a Pages Function's `onRequest…` export, a
route callback such as `app.get(…, cb)`),
a function nested in one, or a function of the file that a handler calls or
registers (`app.get('/', handler)`).

A module-scope collection that holds promises — typed so (`Map<string,
Promise<T>>`, an entry type with a `Promise<…>` field) or given one on the
request path (`m.set(k, fetch(u))`, an async IIFE, a call of an async
function, `.then(…)`, `{ promise: p }`) — is a warning at its declaration,
even when it is a deliberate cache: requests then await promises that other
requests' I/O settles. A deliberate cache of plain values (a name containing
"cache", or a comment mentioning "cache" on the declaration line or the line
above) is info at its declaration, saying whether anything evicts its entries.
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
  `if (!x) x = …`, `if (x) return x; x = …`, also when the write is in a
  function nested after the check (an async IIFE, a callback):
  `if (initialized) return; await (async () => { await migrate(env); initialized = true; })();`.
- `WeakMap`/`WeakSet`/`WeakRef` state keyed by request objects.
- Deliberate caches of plain values (reported as info, see above). A
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
module-scope class instances are not tracked. A call stored in a collection
is known to return a promise when it calls an async function of the same
file (or `fetch`).
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Methods that change an array, Map or Set in place.
static MUTATORS: Words = Words::new(&[
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
]);
/// Mutators that remove entries: a collection that has them is evicted.
static EVICTORS: Words = Words::new(&["delete", "clear", "shift", "pop", "splice"]);
/// Router methods whose function arguments handle requests.
static ROUTE_METHODS: Words = Words::new(&[
    "get", "post", "put", "delete", "patch", "all", "use", "on", "options", "head",
]);

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
    /// (flat, with `memo_marks` where each function starts; a write checks
    /// those of all open functions: a nested one runs after the check)
    memo: Vec<Atom>,
    memo_marks: Vec<usize>,
    /// Declarations (any scope) bound to a promise: `const p = (async () =>
    /// …)()`; asked by what an identifier refers to.
    promises: Bindings,
    /// Async functions declared below module scope (`async function load`
    /// inside a handler); the module's own are `FileModel::is_async_function`.
    async_fns: Bindings,
}

struct ModuleVar {
    /// The declaring identifier.
    id: BytePos,
    /// Its span, where findings about the variable itself are reported.
    decl: Span,
    /// Its type (annotation or `new Map<…>` arguments) holds promises.
    promise_typed: bool,
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
    /// Stores a promise (`m.set(k, fetch(u))`, `{ promise: p }`).
    promise: bool,
    /// Functions of the file called for the stored value (`m.set(k,
    /// load(k))`): a promise if one is async, which is known after the walk
    /// (it may be declared below).
    callees: Vec<Ident>,
    /// Removes entries (`delete`, `clear`, `shift`, `pop`, `splice`).
    evicts: bool,
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
            Node::Stmt(Stmt::Decl(Decl::Fn(f))) if f.function.is_async => {
                self.async_fns.insert(&f.ident);
            }
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
        let mut applies = |w: &Write| {
            self.vars.contains_key(&w.name)
                && on_request_path(w)
                && module_level(w)
                && var_of(&w.name).is_some_and(|(v, kind)| {
                    !v.weak
                        && if w.reassign {
                            kind != "const"
                        } else {
                            v.container
                        }
                })
        };
        let writes: Vec<&Write> = self
            .writes
            .iter()
            .filter(|w| applies(w))
            .collect();
        let vars: HashMap<Atom, (&ModuleVar, &'static str)> = writes
            .iter()
            .filter_map(|w| Some((w.name.clone(), var_of(&w.name)?)))
            .collect();
        // Collections that hold promises, and deliberate caches: one finding
        // at the declaration, in declaration order.
        let mut collections: Vec<(&Atom, &ModuleVar)> = Vec::new();
        for w in &writes {
            if let Some(&(v, _)) = vars.get(&w.name) {
                if !w.reassign && !collections.iter().any(|(n, _)| **n == w.name) {
                    collections.push((&w.name, v));
                }
            }
        }
        crate::model::collections::sort_by(&mut collections, |a, b| a.1.decl.lo.cmp(&b.1.decl.lo));
        // Decided before the findings are reported (they borrow `cx`).
        let promise_writes: HashSet<BytePos> = writes
            .iter()
            .filter(|o| o.promise || o.callees.iter().any(|id| self.is_async_fn(id, cx)))
            .map(|o| o.span.lo)
            .collect();
        let stores_promise = |o: &Write| promise_writes.contains(&o.span.lo);
        for (name, v) in collections {
            let of_name = || writes.iter().filter(|o| o.name == *name && !o.reassign);
            // Quote the write that stores a promise, else one that adds.
            let quoted = of_name()
                .find(|o| stores_promise(o))
                .or_else(|| of_name().find(|o| !o.evicts))
                .or_else(|| of_name().next());
            let Some(quoted) = quoted else { continue };
            let text = cx.snippet(quoted.span);
            if stores_promise(quoted) || v.promise_typed {
                reported.insert(name.clone());
                cx.report(
                    v.decl,
                    format!(
                        "module-scope `{name}` holds promises and is written while handling a request (`{text}`): a request that awaits a promise another request started depends on that request's I/O — Workers cancels it when that request ends (\"Cannot perform I/O on behalf of a different request\", or a hang) — and the entries outlive the request in the isolate"
                    ),
                    "Share results, not promises: deduplicate within one request (a Map local to the request), store only the resolved value (with its timestamp) after `await`, \
                     and use the Cache API or KV to reuse results across requests and isolates.",
                );
            } else if v.container && super::unbounded_memory_cache::map_read_back(cx.source, name) {
                // A cache read back by key: whether it is bounded is
                // `unbounded-memory-cache`'s to judge.
                reported.insert(name.clone());
            } else if v.exempt(name, cx.source) {
                reported.insert(name.clone());
                let evicted = self.writes.iter().any(|o| o.name == *name && o.evicts);
                let size = if evicted {
                    "entries are removed as they expire or overflow"
                } else {
                    "nothing removes entries, so it grows with every new key"
                };
                cx.report_info(
                    v.decl,
                    format!(
                        "module-scope cache `{name}` is written while handling a request (`{text}`): it belongs to one isolate (other isolates and a restarted one start empty) and {size}, within the isolate's {}",
                        limit(cx.limits.memory_bytes)
                    ),
                    "Fine for memoizing values: keep it bounded (check `.size` and evict the oldest entries), \
                     and use the Cache API or KV for results other isolates should reuse.",
                );
            }
        }
        for w in &writes {
            let Some(&(v, kind)) = vars.get(&w.name) else {
                continue;
            };
            // A cache reassigned (reset) is still a cache.
            if v.exempt(&w.name, cx.source) || !reported.insert(w.name.clone()) {
                continue;
            }
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
                    limit(cx.limits.memory_bytes)
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
        match d.init.as_deref().map(unwrap_expr) {
            Some(Expr::Arrow(a)) if a.is_async => {
                self.async_fns.insert(&name.id);
            }
            Some(Expr::Fn(f)) if f.function.is_async => {
                self.async_fns.insert(&name.id);
            }
            Some(init) if self.promise_value(init, cx) => {
                self.promises.insert(&name.id);
            }
            _ => {}
        }
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
        let type_args = d.init.as_deref().and_then(|i| match unwrap_expr(i) {
            Expr::New(n) => n.type_args.as_ref().map(|t| t.span),
            _ => None,
        });
        let promise_typed = name
            .type_ann
            .as_ref()
            .map(|t| t.span)
            .into_iter()
            .chain(type_args)
            .any(|span| mentions_promise(cx.text(span)));
        self.vars.entry(sym.clone()).or_default().push(ModuleVar {
            id: name.id.span.lo,
            decl: name.id.span,
            promise_typed,
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
                if ROUTE_METHODS.contains(method.sym.as_ref()) && call.args.len() >= 2 {
                    for a in &call.args {
                        if let Expr::Ident(id) = unwrap_expr(&a.expr) {
                            self.handler_call(id);
                        }
                    }
                }
                let method = method.sym.as_ref();
                if !cx.at_module_scope() && MUTATORS.contains(method) {
                    if let Some(root) = member_root(&m.obj) {
                        self.write(root, false, call.span, cx);
                        // The stored value: `set(k, v)`, `push(v)`, `add(v)`.
                        let value = match method {
                            "set" => call.args.get(1),
                            "push" | "unshift" | "add" => call.args.first(),
                            _ => None,
                        };
                        let promise = value.is_some_and(|v| self.promise_value(&v.expr, cx));
                        let mut callees = Vec::new();
                        if let Some(v) = value {
                            called_names(&v.expr, &mut callees);
                        }
                        if let Some(w) = self.writes.last_mut() {
                            w.promise = promise;
                            w.callees = callees;
                            w.evicts = EVICTORS.contains(method);
                        }
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
        // `if (x) return;` in this function or one around it: a nested
        // function (an async IIFE, a `.then` callback) made after the check
        // runs only in a call that found `x` unset, as the code after the
        // check does.
        if reassign && (self.guards.contains(name) || self.memo.contains(name)) {
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
            promise: false,
            callees: Vec::new(),
            evicts: false,
        });
    }

    /// A promise: an async function's call (an async IIFE, a local async
    /// function), `fetch(…)`, `new Promise(…)`, a `.then/.catch/.finally`
    /// chain, `Promise.all(…)`…, a name bound to one, or an object literal
    /// holding one (`{ promise: p, timestamp }`).
    fn promise_value(&self, e: &Expr, cx: &LintContext<'_>) -> bool {
        match unwrap_expr(e) {
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return false;
                };
                match unwrap_expr(callee) {
                    Expr::Fn(f) => f.function.is_async,
                    Expr::Arrow(a) => a.is_async,
                    Expr::Ident(id) => {
                        (id.sym == "fetch" && cx.is_unbound(id)) || self.is_async_fn(id, cx)
                    }
                    Expr::Member(m) => match (&m.prop, unwrap_expr(&m.obj)) {
                        (MemberProp::Ident(p), _)
                            if matches!(p.sym.as_ref(), "then" | "catch" | "finally") =>
                        {
                            true
                        }
                        (MemberProp::Ident(_), Expr::Ident(o)) => o.sym == "Promise",
                        _ => false,
                    },
                    _ => false,
                }
            }
            Expr::New(n) => expr_path(&n.callee).as_deref() == Some("Promise"),
            Expr::Ident(id) => cx.refers_to(&self.promises, id),
            Expr::Object(o) => o.props.iter().any(|p| match p {
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv) => self.promise_value(&kv.value, cx),
                    Prop::Shorthand(id) => cx.refers_to(&self.promises, id),
                    _ => false,
                },
                PropOrSpread::Spread(_) => false,
            }),
            _ => false,
        }
    }

    /// `id` refers to an async function of the file, wherever declared.
    fn is_async_fn(&self, id: &Ident, cx: &LintContext<'_>) -> bool {
        cx.is_async_function(id) || cx.refers_to(&self.async_fns, id)
    }
}

/// The functions called by name for a value: `load(k)`, or in an object
/// literal's properties (`{ promise: load(k) }`).
fn called_names(e: &Expr, out: &mut Vec<Ident>) {
    match unwrap_expr(e) {
        Expr::Call(c) => {
            if let Callee::Expr(callee) = &c.callee {
                if let Expr::Ident(id) = unwrap_expr(callee) {
                    out.push(id.clone());
                }
            }
        }
        Expr::Object(o) => {
            for p in &o.props {
                if let PropOrSpread::Prop(p) = p {
                    if let Prop::KeyValue(kv) = &**p {
                        called_names(&kv.value, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A type's text names `Promise` (`Map<string, { promise?: Promise<T> }>`).
fn mentions_promise(text: &str) -> bool {
    text.match_indices("Promise").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + "Promise".len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
            && matches!(after, Some('<'))
    })
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
    use crate::model::report::Severity;
    use crate::rules::test_util::{assert_fires, assert_silent, Case};

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
let userCache = new Map();
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
    userCache = new Map();
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

    /// A once-per-isolate init flag written inside an async IIFE (or a
    /// callback) after `if (flag) return;` is lazy initialization, as the
    /// same write directly after the check is; a guard in another function
    /// does not cover a write.
    #[test]
    fn init_flags_written_in_nested_functions() {
        assert_silent(
            "request-state-in-global",
            r#"let dbInitialized = false;
let dbInitPromise: Promise<void> | null = null;
let ready = false;
async function ensureDatabaseInitialized(env: { DB: D1Database }): Promise<void> {
  if (dbInitialized) return;
  if (!dbInitPromise) {
    dbInitPromise = (async () => {
      await env.DB.prepare("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)").run();
      dbInitialized = true;
    })().finally(() => {
      dbInitPromise = null;
    });
  }
  await dbInitPromise;
}
async function warm(env) {
  if (ready) return;
  await env.DB.prepare("SELECT 1").run().then(() => {
    ready = true;
  });
}
export default {
  async fetch(request: Request, env: { DB: D1Database }) {
    await ensureDatabaseInitialized(env);
    await warm(env);
    return new Response("ok");
  },
};
"#,
        );
        assert_fires(
            "request-state-in-global",
            r#"let initialized = false;
let lastUrl = "";
function check() {
  if (initialized) return;
}
export default {
  async fetch(request: Request, env) {
    check();
    await (async () => {
      initialized = true;
    })();
    await (async () => {
      lastUrl = request.url;
    })();
    return new Response("ok");
  },
};
"#,
            &[
                (10, "`initialized` is a module-scope `let` written while handling a request"),
                (13, "`lastUrl` is a module-scope `let` written while handling a request"),
            ],
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

    /// A Map of in-flight promises shared by requests: a warning at its
    /// declaration, whether the promise is stored directly, in an entry
    /// object, or only typed; a plain-value cache is info.
    #[test]
    fn promises_in_module_state_and_caches() {
        let src = r#"// Cache with a short TTL
const balanceCache = new Map<string, { balance: number; timestamp: number; promise?: Promise<number> }>();
const inflight = new Map();
const pending: Map<string, Promise<Response>> = new Map();
const userCache = new Map<string, { name: string; at: number }>();
// cache of rendered templates
const rendered = new Map();
const parsed = new Map(); // cache: schema by name
const promised = new Map<string, string>(); // cache of PromiseLike-free strings
async function load(key) { return (await fetch(key)).json(); }
function cleanup() {
  for (const [k, v] of userCache) if (Date.now() - v.at > 1000) userCache.delete(k);
}
export default {
  async fetch(req: Request) {
    const key = new URL(req.url).pathname;
    const p = (async () => { const r = await fetch(key); return r.json(); })();
    balanceCache.set(key, { balance: 0, timestamp: Date.now(), promise: p });
    inflight.set(key, load(key));
    pending.get(key);
    pending.delete(key);
    cleanup();
    userCache.set(key, { name: "x", at: Date.now() });
    rendered.set("a", "b");
    parsed.set("x", 1);
    promised.set("x", "y");
    return new Response(await p);
  },
};
"#;
        let found = case("src/index.ts", src)
            .assert_fires(&[
                (2, "module-scope `balanceCache` holds promises and is written while handling a request (`balanceCache.set(key, { balance: 0, timestamp: Date.now()...`): a request that awaits a promise another request started depends on that request's I/O"),
                (3, "module-scope `inflight` holds promises and is written while handling a request (`inflight.set(key, load(key))`)"),
                (4, "module-scope `pending` holds promises"),
                (5, "module-scope cache `userCache` is written while handling a request (`userCache.set(key, { name: \"x\", at: Date.now() })`): it belongs to one isolate (other isolates and a restarted one start empty) and entries are removed as they expire or overflow"),
                (7, "module-scope cache `rendered` is written while handling a request (`rendered.set(\"a\", \"b\")`): it belongs to one isolate (other isolates and a restarted one start empty) and nothing removes entries"),
                (8, "module-scope cache `parsed`"),
                (9, "module-scope cache `promised`"),
            ].map(|(l, m)| ("src/index.ts", l, m)));
        let severities: Vec<Severity> = found.iter().map(|d| d.severity).collect();
        assert_eq!(
            severities,
            [
                Severity::Error,
                Severity::Error,
                Severity::Error,
                Severity::Info,
                Severity::Info,
                Severity::Info,
                Severity::Info
            ]
        );
    }

    fn case(path: &str, source: &str) -> Case {
        Case::new()
            .file(path, source)
            .rules(&["request-state-in-global"])
    }

    /// An async function declared below the handler that stores its call.
    /// Promises are asked by what a name refers to: a local sync function
    /// (or a local `fetch`) named like an async one stores no promise; an
    /// async function declared inside the handler does.
    #[test]
    fn promises_are_asked_by_binding() {
        let src = r#"const labels = new Map();
const pages = new Map();
const inflight = new Map();
async function load(url: string) { return (await fetch(url)).json(); }
export default {
  async fetch(req: Request) {
    const load = (url: string) => url.toUpperCase();
    const fetch = (url: string) => url.length;
    labels.set(req.url, load(req.url));
    pages.set(req.url, fetch(req.url));
    async function get(url: string) { return globalThis.fetch(url); }
    inflight.set(req.url, get(req.url));
    return new Response("ok");
  },
};
"#;
        case("src/index.ts", src).assert_fires(&[
            ("src/index.ts", 3, "module-scope `inflight` holds promises"),
            ("src/index.ts", 9, "module-scope `labels` is changed while handling a request"),
            ("src/index.ts", 10, "module-scope `pages` is changed while handling a request"),
        ]);
    }

    #[test]
    fn promise_of_an_async_function_declared_below() {
        let src = r#"const inflight = new Map();
const seen = new Map();
export default {
  async fetch(req: Request) {
    inflight.set(req.url, { at: Date.now(), promise: load(req.url) });
    seen.set(req.url, label(req.url));
    return Response.json(await inflight.get(req.url).promise);
  },
};
async function load(url: string) { return (await fetch(url)).json(); }
function label(url: string) { return url.toUpperCase(); }
"#;
        case("src/index.ts", src)
            .assert_fires(&[
                ("src/index.ts", 1, "module-scope `inflight` holds promises"),
                ("src/index.ts", 6, "module-scope `seen` is changed while handling a request"),
            ]);
    }

    /// Promises kept only while the request runs are not module state.
    #[test]
    fn silent_on_request_local_promises() {
        let src = r#"const cacheTtl = 1000;
export default {
  async fetch(req: Request) {
    const inflight = new Map<string, Promise<Response>>();
    inflight.set(req.url, fetch(req.url));
    return inflight.get(req.url);
  },
};
"#;
        case("src/index.ts", src)
            .assert_silent();
    }

    /// A Pages Function's `onRequest…` export handles requests: writes in it,
    /// and in a function it calls, are on the request path; the same code
    /// under another name is not.
    #[test]
    fn pages_functions_handlers() {
        let handler = r#"// Enhanced cache with a short TTL
const governanceCache = new Map<string, { power: number; timestamp: number; promise?: Promise<number> }>();
let hits = 0;
function cleanupCache() {
  for (const [k, v] of governanceCache.entries()) if (Date.now() - v.timestamp > 30000) governanceCache.delete(k);
}
export const onRequestGet: PagesFunction<Env> = async (ctx) => {
  cleanupCache();
  hits++;
  const promise = (async () => (await fetch(ctx.env.RPC_URL)).json())();
  governanceCache.set("k", { power: 0, timestamp: Date.now(), promise });
  return Response.json(await promise);
};
"#;
        case("functions/api/governance.ts", handler)
            .assert_fires(&[
                ("functions/api/governance.ts", 2, "module-scope `governanceCache` holds promises"),
                ("functions/api/governance.ts", 9, "`hits` is a module-scope `let` written while handling a request"),
            ]);
        let helper = handler.replace("onRequestGet", "loadGovernance");
        case("functions/api/governance.ts", &helper)
            .assert_silent();
    }
}
