//! Helpers shared by the async and limits rules: which calls do I/O, which
//! ones actually send a subrequest, what resource they touch, which names an
//! expression reads. Local looks at one node's children only.

pub(super) use crate::effects::hot_paths::number;
use crate::model::collections::HashSet;

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::VisitWith;

use crate::effects::drizzle::is_db_chain;
use crate::engine::context::{collapse_whitespace, method_name, unwrap_expr};
use crate::engine::LintContext;
use crate::knowledge::bindings::{returns_object_stub, LOCAL_METHODS};
use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node, Probe};

/// A span as a map key.
pub(super) fn key(span: Span) -> (u32, u32) {
    (span.lo.0, span.hi.0)
}

/// The call this call's method is called on: `a()` in `a().b()`.
pub(super) fn chained_on(call: &CallExpr) -> Option<&CallExpr> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    match unwrap_expr(&m.obj) {
        Expr::Call(inner) => Some(inner),
        _ => None,
    }
}

/// The calls further down a call chain, innermost last:
/// `from(…)` and `select()` in `db.select().from(t).where(w)`.
pub(super) fn inner_chain_calls(call: &CallExpr) -> Vec<&CallExpr> {
    let mut out = Vec::new();
    let mut current = call;
    while let Some(inner) = chained_on(current) {
        out.push(inner);
        current = inner;
    }
    out
}

/// A call that does I/O as far as the file can tell: a subrequest, an async
/// function of the file, a `.then` chain, or a method called on one of those
/// (`env.DB.prepare(q).bind(x).all()`).
/// A binding method that works locally (`prepare`, `bind`,
/// `writeDataPoint`) ends no I/O chain, but one may be built on it.
pub(super) fn io_call(cx: &LintContext<'_>, call: &CallExpr) -> bool {
    if method_name(call).is_some_and(|m| LOCAL_METHODS.contains(&m.as_ref())) {
        return false;
    }
    cx.returns_promise(call)
        || chained_on(call).is_some_and(|inner| subrequest_chain(cx, inner) || io_call(cx, inner))
}

/// A subrequest, or a method called on one (`env.DB.prepare(q).first()`).
pub(super) fn subrequest_chain(cx: &LintContext<'_>, call: &CallExpr) -> bool {
    cx.is_subrequest(call) || chained_on(call).is_some_and(|c| subrequest_chain(cx, c))
}

/// Where the subrequest of `call` (or of the call it is chained on) goes.
pub(super) fn subrequest_destination(
    cx: &LintContext<'_>,
    call: &CallExpr,
) -> Option<crate::effects::Destination> {
    cx.subrequest_to(call)
        .or_else(|| chained_on(call).and_then(|c| subrequest_destination(cx, c)))
}

/// "a request may make only 50 to the internet on the Free plan": the
/// budget a subrequest to `to` spends (both, when it is not known). On the
/// Free plan `fetch` and calls to Cloudflare services have separate budgets.
pub(super) fn subrequest_budget(
    limits: &crate::model::limits::Limits,
    to: Option<crate::effects::Destination>,
) -> String {
    use crate::effects::Destination;
    use crate::model::text::count;
    let (internet, services) = (limits.subrequests, limits.service_subrequests);
    let plan = limits.plan.name();
    if internet == services {
        return format!(
            "a request may make only {} on the {plan} plan",
            count(internet.into())
        );
    }
    match to {
        Some(Destination::Internet) => {
            format!("a request may make only {} to the internet on the {plan} plan", count(internet.into()))
        }
        Some(Destination::CloudflareService) => format!(
            "a request may make only {} to Cloudflare services on the {plan} plan",
            count(services.into())
        ),
        Some(Destination::Database) | None => format!(
            "a request may make only {} to the internet and {} to Cloudflare services on the {plan} plan",
            count(internet.into()),
            count(services.into())
        ),
    }
}

/// Methods that run a Drizzle query without an `await`.
const DRIZZLE_EXECUTE: &[&str] = &[
    "execute",
    "run",
    "all",
    "get",
    "then",
    "batch",
    "transaction",
];

/// `call` sends a subrequest when it runs: not a Drizzle builder that nobody
/// awaits (`db.batch(xs.map(x => db.insert(t).values(x)))`), not a D1
/// statement being prepared, not a Durable Object id lookup.
pub(super) fn sends_subrequest(cx: &LintContext<'_>, call: &CallExpr, awaited: bool) -> bool {
    if !subrequest_chain(cx, call) {
        return false;
    }
    let method = method_name(call).map(|m| m.as_ref());
    if is_db_chain(call, cx) {
        if !awaited && !method.is_some_and(|m| DRIZZLE_EXECUTE.contains(&m)) {
            return false;
        }
    } else if method.is_some_and(|m| LOCAL_METHODS.contains(&m)) {
        return false;
    }
    // `env.DO.get(env.DO.idFromName(x))` or `env.DO.get(id)` returns a stub,
    // locally.
    !method.is_some_and(|m| returns_object_stub(m, cx.is_object_id(call.args.first())))
}

/// Names an expression or statement reads (every identifier in it, which
/// errs on the side of "depends").
pub(super) fn idents_in<N: for<'h> VisitWith<Probe<'h>>>(node: &N) -> HashSet<Atom> {
    let mut out = HashSet::default();
    probe::walk(node, &mut IdentCollector(&mut out));
    out
}

struct IdentCollector<'a>(&'a mut HashSet<Atom>);

impl Hooks for IdentCollector<'_> {
    fn kinds(&self) -> u64 {
        bit(Kind::Ident)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        if let Node::Ident(id) = node {
            self.0.insert(id.sym.clone());
        }
        Descend::Children
    }
}

/// The node contains an `await` outside nested functions.
pub(super) fn contains_await<N: for<'h> VisitWith<Probe<'h>>>(node: &N) -> bool {
    let mut finder = AwaitFinder(false);
    probe::walk(node, &mut finder);
    finder.0
}

struct AwaitFinder(bool);

impl Hooks for AwaitFinder {
    fn kinds(&self) -> u64 {
        bit(Kind::Await) | bit(Kind::ForOf) | bit(Kind::Function) | bit(Kind::Arrow)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            Node::Await(_) => {
                self.0 = true;
                Descend::Skip
            }
            Node::ForOf(f) => {
                self.0 |= f.is_await;
                Descend::Children
            }
            Node::Function(_) | Node::Arrow(_) => Descend::Skip,
            _ => Descend::Children,
        }
    }
}

/// What an I/O call touches, for deciding whether two of them may overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Effect {
    /// It may change state (KV put, insert, a POST, an unknown function).
    pub write: bool,
    /// The binding or database it talks to (`CACHE`, `db`, `fetch`); `None`
    /// for a function of the file (unknown).
    pub resource: Option<String>,
    /// The table, for Drizzle queries.
    pub table: Option<String>,
}

impl Effect {
    /// `later` must wait for `self`: `self` writes (the later call may read
    /// it, or should only run if the write succeeded), or `later` writes what
    /// `self` read.
    pub fn orders(&self, later: &Effect) -> bool {
        if self.write {
            return true;
        }
        later.write
            && match (&self.resource, &later.resource) {
                (Some(a), Some(b)) => {
                    a == b
                        && match (&self.table, &later.table) {
                            (Some(x), Some(y)) => x == y,
                            _ => true,
                        }
                }
                _ => true,
            }
    }
}

const WRITE_METHODS: &[&str] = &[
    "put",
    "delete",
    "insert",
    "update",
    "upsert",
    "set",
    "send",
    "sendBatch",
    "write",
    "create",
    "remove",
    "increment",
    "decrement",
    "run",
    "exec",
    "execute",
    "batch",
    "transaction",
    "post",
    "patch",
    "publish",
    "enqueue",
    "append",
    "replace",
    "clear",
    "destroy",
    "deleteAll",
    "setAlarm",
    "deleteAlarm",
    "createMultipartUpload",
    "resumeMultipartUpload",
    "upload",
    "uploadPart",
    "complete",
    "abort",
];
const READ_VERBS: &[&str] = &[
    "get", "load", "fetch", "find", "read", "list", "lookup", "query", "select", "count", "check",
    "resolve", "search", "has", "is", "verify", "validate", "parse", "compute", "render", "build",
];

/// The methods of Cloudflare's bindings that read or compute (KV, R2, D1,
/// Durable Object namespaces, Workers AI, Vectorize, Images, Browser
/// Rendering, Hyperdrive): any other method called on a binding is an RPC
/// method of a service or a Durable Object, judged by its name.
const BINDING_READ_METHODS: &[&str] = &[
    "get",
    "getWithMetadata",
    "list",
    "head",
    "prepare",
    "first",
    "all",
    "raw",
    "dump",
    "idFromName",
    "idFromString",
    "newUniqueId",
    "getByName",
    "query",
    "getByIds",
    "describe",
    "info",
    "input",
    "transform",
    "output",
    "launch",
    "connect",
];

/// Whether `name` starts with a read verb (`getUser`, `list`, `isReady`).
fn reads_by_name(name: &str) -> bool {
    READ_VERBS.iter().any(|v| {
        name.strip_prefix(v)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_uppercase))
    })
}

/// Classifies an I/O call.
pub(super) fn effect(cx: &LintContext<'_>, call: &CallExpr) -> Effect {
    let mut chain = vec![call];
    chain.extend(inner_chain_calls(call));
    let innermost = *chain.last().unwrap_or(&call);

    // fetch(url, init): a write unless the method is GET/HEAD.
    if let Callee::Expr(c) = &innermost.callee {
        let is_fetch = match unwrap_expr(c) {
            Expr::Ident(id) => id.sym == "fetch",
            Expr::Member(m) => matches!(&m.prop, MemberProp::Ident(p) if p.sym == "fetch"),
            _ => false,
        };
        if is_fetch {
            let stub = !matches!(unwrap_expr(c), Expr::Ident(_));
            return Effect {
                write: stub || crate::effects::fetch_writes(innermost),
                resource: Some("fetch".into()),
                table: None,
            };
        }
    }

    // A Kysely query (`db.selectFrom('t')…execute()`) is a database's,
    // whatever holds the instance (`c.env.db`, set by a middleware).
    let kysely = crate::effects::kysely_query(call);
    let db = kysely || is_db_chain(call, cx);
    let mut write = false;
    let mut table = None;
    for c in &chain {
        let Some(m) = method_name(c) else { continue };
        if WRITE_METHODS.contains(&m.as_ref()) || (kysely && crate::effects::kysely_write(m)) {
            write = true;
        }
        if kysely && crate::effects::KYSELY_STARTS.contains(&m.as_ref()) {
            table = c.args.first().and_then(|a| match unwrap_expr(&a.expr) {
                Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_owned),
                _ => None,
            });
        }
        if m == "prepare" {
            write |= sql_writes(c);
        }
        if db && matches!(m.as_ref(), "insert" | "update" | "delete" | "from") {
            table = c.args.first().and_then(|a| match unwrap_expr(&a.expr) {
                Expr::Ident(id) => Some(id.sym.as_str().to_owned()),
                _ => None,
            });
        }
    }
    // db.query.users.findFirst(…)
    if db && table.is_none() {
        if let Callee::Expr(c) = &innermost.callee {
            if let Expr::Member(m) = unwrap_expr(c) {
                if let Expr::Member(t) = unwrap_expr(&m.obj) {
                    if matches!(unwrap_expr(&t.obj), Expr::Member(q)
                        if matches!(&q.prop, MemberProp::Ident(p) if p.sym == "query"))
                    {
                        if let MemberProp::Ident(p) = &t.prop {
                            table = Some(p.sym.as_str().to_owned());
                        }
                    }
                }
            }
        }
    }

    let resource = if db {
        Some("db".into())
    } else if cx.is_subrequest(innermost) {
        binding_name(innermost)
    } else if crate::effects::d1_statement_run(call) {
        // `db.prepare(sql)…first()` on a name the file cannot type: the
        // statement says whether it writes.
        Some("d1".into())
    } else {
        None
    };
    // An RPC method of a service binding or a Durable Object stub
    // (`env.TRIGGER.updateCheckInterval(id, 60)`): by its name, as a
    // function of the project is (it may change state the next call uses).
    if !db && resource.as_deref().is_some_and(|r| r != "d1") && !write {
        if let Some(m) = method_name(innermost) {
            let m = m.as_ref();
            if m != "run" && !BINDING_READ_METHODS.contains(&m) {
                write = !reads_by_name(m);
            }
        }
    }
    // A function or method of the project: judge by its name.
    if resource.is_none() {
        let name = match &innermost.callee {
            Callee::Expr(e) => match unwrap_expr(e) {
                Expr::Ident(id) => Some(id.sym.as_str().to_owned()),
                Expr::Member(m) => match &m.prop {
                    MemberProp::Ident(p) => Some(p.sym.as_str().to_owned()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        write = !name.is_some_and(|n| reads_by_name(&n));
    }
    Effect {
        write,
        resource,
        table,
    }
}

/// `CACHE` in `env.CACHE.get(k)` / `c.env.CACHE.get(k)` / `CACHE.get(k)`.
fn binding_name(call: &CallExpr) -> Option<String> {
    let Callee::Expr(c) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(c) else {
        return None;
    };
    match unwrap_expr(&m.obj) {
        Expr::Ident(id) => Some(id.sym.as_str().to_owned()),
        Expr::Member(b) => match &b.prop {
            MemberProp::Ident(p) => Some(p.sym.as_str().to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// `env.DB.prepare("INSERT …")`: SQL that is not a plain read.
fn sql_writes(call: &CallExpr) -> bool {
    let Some(arg) = call.args.first() else {
        return true;
    };
    let text = match unwrap_expr(&arg.expr) {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().unwrap_or("").to_string(),
        Expr::Tpl(t) => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .to_string(),
        _ => return true,
    };
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    !matches!(first.as_str(), "SELECT" | "WITH" | "PRAGMA" | "EXPLAIN")
}

/// A call as text of at most `max` characters, shortening the arguments
/// first: `fetch(c.env.ANALYTICS_URL, …)`, then `fetch(…)`.
pub(super) fn call_text(cx: &LintContext<'_>, call: &CallExpr, max: usize) -> String {
    CallShape::of(call).text(cx.source, max)
}

/// Where a call's parts are: what [`call_text`] reads, kept to write the
/// text later (a deferred finding's message is written only if it stands).
#[derive(Clone, Copy)]
pub(super) struct CallShape {
    span: Span,
    /// The callee's span (`None` for `super(…)` and `import(…)`).
    callee: Option<Span>,
    first_arg: Option<Span>,
    args: usize,
}

impl CallShape {
    pub(super) fn of(call: &CallExpr) -> CallShape {
        CallShape {
            span: call.span,
            callee: match &call.callee {
                Callee::Expr(e) => Some(e.span()),
                _ => None,
            },
            first_arg: call.args.first().map(|a| a.expr.span()),
            args: call.args.len(),
        }
    }

    /// [`call_text`] of the call in `source`, its file's text.
    pub(super) fn text(&self, source: &str, max: usize) -> String {
        let slice = |span: Span| {
            let lo = span.lo.0.saturating_sub(crate::engine::START) as usize;
            let hi = (span.hi.0.saturating_sub(crate::engine::START) as usize).min(source.len());
            source.get(lo..hi).unwrap_or("")
        };
        // Texts longer than any kept below are cut short (a call may span a
        // whole file): a cut text fails every length test that follows.
        let one_line = |span: Span| collapse_whitespace(slice(span), max + 20).0;
        let full = one_line(self.span);
        if full.chars().count() <= max {
            return full;
        }
        let Some(callee) = self.callee.map(one_line) else {
            return crate::engine::context::one_line(slice(self.span));
        };
        if let Some(first) = self.first_arg {
            let rest = if self.args > 1 { ", …" } else { "" };
            let short = format!("{callee}({}{rest})", one_line(first));
            if short.chars().count() <= max {
                return short;
            }
        }
        let short = if self.args == 0 {
            format!("{callee}()")
        } else {
            format!("{callee}(…)")
        };
        if short.chars().count() <= max + 20 {
            short
        } else {
            crate::engine::context::one_line(slice(self.span))
        }
    }
}

/// The example Workers: the broken one trips every rule of this family at the
/// known places; the fixed one trips none.
#[cfg(test)]
mod examples {
    use crate::rules::test_util::{example_worker, example_worker_fixed, owned_places, Case};

    const RULES: &[&str] = &[
        "sequential-awaits",
        "floating-promise",
        "unbounded-concurrency",
        "subrequest-in-loop",
        "buffered-body",
        "top-level-work",
        "request-state-in-global",
    ];

    /// examples/worker's sources, as paths under its src/.
    fn broken_worker() -> Case {
        Case::new()
            .files(example_worker().map(|(path, source)| (&path["worker/src/".len()..], source)))
    }

    #[test]
    fn broken_worker_trips_each_rule() {
        let expected = owned_places(&[
            ("index.ts", 14, "request-state-in-global"),
            ("lib/catalog.ts", 3, "top-level-work"),
            ("routes/orders.ts", 75, "subrequest-in-loop"),
            ("routes/orders.ts", 102, "unbounded-concurrency"),
            ("routes/orders.ts", 113, "buffered-body"),
            ("routes/users.ts", 29, "floating-promise"),
            ("routes/users.ts", 40, "sequential-awaits"),
            ("routes/users.ts", 57, "subrequest-in-loop"),
        ]);
        assert_eq!(broken_worker().rules(RULES).places(), expected);
    }

    /// With every rule on, the N+1 in routes/users.ts is reported once, by
    /// drizzle-query-in-loop; the KV read in a loop in routes/orders.ts (not
    /// a query) is reported once, by subrequest-in-loop (await-in-loop
    /// defers to it).
    #[test]
    fn broken_worker_reports_its_n_plus_1_once() {
        let places = broken_worker().places();
        let at = |file: &str, line: u32| -> Vec<&str> {
            places
                .iter()
                .filter(|(f, l, r)| f == file && *l == line && r.ends_with("-in-loop"))
                .map(|(_, _, r)| r.as_str())
                .collect()
        };
        assert_eq!(at("routes/users.ts", 57), ["drizzle-query-in-loop"]);
        assert_eq!(at("routes/orders.ts", 75), ["subrequest-in-loop"]);
    }

    #[test]
    fn fixed_worker_is_clean() {
        Case::new()
            .files(
                example_worker_fixed()
                    .map(|(path, source)| (&path["worker-fixed/src/".len()..], source)),
            )
            .rules(RULES)
            .assert_silent();
    }
}
