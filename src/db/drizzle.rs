//! Framework helpers: which expressions are Drizzle databases, D1 bindings or
//! Postgres clients, how a builder chain (`db.select().from(t).where(...)`)
//! unwinds, and small AST readers the database code shares.

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::lint::context::{is_context_db_var, unwrap_expr, BindingKind, Frame};
use crate::lint::LintContext;

/// Names that hold a Drizzle database (or transaction) by convention:
/// `db`, `c.var.db`, `this.db`, `c.get('db')`, a transaction's `tx`.
pub const DB_NAMES: &[&str] = &["db", "tx", "trx", "database", "drizzle", "orm"];

/// One call of a builder chain: `.where(cond)` is `{ name: "where", args }`.
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    pub name: &'a Atom,
    pub args: &'a [ExprOrSpread],
    pub span: Span,
}

/// Unwinds `root.a(x).b(y)` into its root (`root`) and its calls, innermost
/// first. A chain that starts with a plain call (`text('x').notNull()`) has
/// no root; its first segment is that call.
pub fn chain(call: &CallExpr) -> (Option<&Expr>, Vec<Segment<'_>>) {
    let mut segments = Vec::new();
    let root = walk_chain(call, |s| segments.push(s));
    segments.reverse();
    (root, segments)
}

/// The root of [`chain`] without collecting its segments (most calls are
/// not queries; this rules them out without allocating).
pub fn chain_root(call: &CallExpr) -> Option<&Expr> {
    walk_chain(call, |_| {})
}

/// Goes down a call chain from its outermost call, giving each segment to
/// `segment`; returns the root.
fn walk_chain<'a>(call: &'a CallExpr, mut segment: impl FnMut(Segment<'a>)) -> Option<&'a Expr> {
    let mut current = call;
    loop {
        let Callee::Expr(callee) = &current.callee else {
            return None;
        };
        let (name, next) = match unwrap_expr(callee) {
            Expr::Member(m) => {
                let MemberProp::Ident(p) = &m.prop else {
                    return None;
                };
                (&p.sym, Some(unwrap_expr(&m.obj)))
            }
            Expr::Ident(id) => (&id.sym, None),
            _ => return None,
        };
        segment(Segment {
            name,
            args: &current.args,
            span: current.span,
        });
        match next {
            Some(Expr::Call(inner)) => current = inner,
            other => return other,
        }
    }
}

/// A string literal or a template without substitutions.
pub fn str_value(expr: &Expr) -> Option<String> {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.first().map(|q| {
            q.cooked
                .as_ref()
                .map_or(q.raw.to_string(), |c| c.to_string_lossy().into_owned())
        }),
        _ => None,
    }
}

/// The SQL text of a string or template; substitutions become `?`.
pub fn sql_text(expr: &Expr) -> Option<String> {
    match unwrap_expr(expr) {
        Expr::Tpl(t) => {
            let mut out = String::new();
            for (i, q) in t.quasis.iter().enumerate() {
                out.push_str(&q.raw);
                if i < t.exprs.len() {
                    out.push('?');
                }
            }
            Some(out)
        }
        e => str_value(e),
    }
}

pub fn prop_key(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(i) => Some(i.sym.to_string()),
        PropName::Str(s) => s.value.as_str().map(str::to_string),
        _ => None,
    }
}

/// The value of `name: value` (or shorthand `name`) in an object literal.
pub fn object_prop<'a>(o: &'a ObjectLit, name: &str) -> Option<&'a Expr> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if prop_key(&kv.key).as_deref() == Some(name) => Some(&*kv.value),
            _ => None,
        },
        _ => None,
    })
}

/// The object has a property `name` (any form).
pub fn has_prop(o: &ObjectLit, name: &str) -> bool {
    o.props.iter().any(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) => prop_key(&kv.key).as_deref() == Some(name),
            Prop::Shorthand(id) => id.sym == name,
            Prop::Method(m) => prop_key(&m.key).as_deref() == Some(name),
            _ => false,
        },
        _ => false,
    })
}

/// The name after the last dot: `get` in `c.req.get`.
pub fn member_prop(expr: &Expr) -> Option<&Atom> {
    match unwrap_expr(expr) {
        Expr::Member(m) => match &m.prop {
            MemberProp::Ident(p) => Some(&p.sym),
            _ => None,
        },
        _ => None,
    }
}

// ----- databases and bindings -----

/// How sure a caller must be that an expression is a Drizzle database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbEvidence {
    /// What the file shows: a name bound to `drizzle(...)`, or a Hono
    /// context variable (`c.var.db`, `c.get('db')`). The I/O rules use
    /// this, in step with `LintContext::subrequest`.
    Bound,
    /// Also what is a database by convention: a `db`/`tx` name, an alias of
    /// one, `this.db`, a `createDb(...)`/`getDb(...)` helper's result. The
    /// database rules use this.
    Convention,
}

/// A Drizzle database or transaction, on the `evidence` asked for: a name
/// bound to `drizzle(...)` or a Hono context variable (`c.var.db`,
/// `c.get('db')`); by convention also an alias of one, a `db`/`tx`,
/// `this.db`, or a `createDb(...)`/`getDb(...)` helper's result.
pub fn is_db_expr(expr: &Expr, cx: &LintContext<'_>, evidence: DbEvidence) -> bool {
    let expr = unwrap_expr(expr);
    if evidence == DbEvidence::Bound {
        return is_context_db_var(expr)
            || matches!(expr, Expr::Ident(id) if cx.db_names.contains(&id.sym));
    }
    if cx.is_binding_root(expr) {
        return false;
    }
    match expr {
        Expr::Ident(id) => {
            cx.db_names.contains(&id.sym)
                || cx.db.walk.db_aliases.contains(&id.sym)
                || DB_NAMES.contains(&id.sym.as_ref())
        }
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if DB_NAMES.contains(&p.sym.as_ref()))
        }
        Expr::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return false;
            };
            match unwrap_expr(callee) {
                // c.get('db')
                Expr::Member(m) => {
                    matches!(&m.prop, MemberProp::Ident(p) if p.sym == "get")
                        && c.args.len() == 1
                        && str_value(&c.args[0].expr)
                            .is_some_and(|s| DB_NAMES.contains(&s.as_str()))
                }
                Expr::Ident(id) => is_db_factory_name(&id.sym),
                _ => false,
            }
        }
        Expr::Await(a) => is_db_expr(&a.arg, cx, evidence),
        _ => false,
    }
}

/// The call's chain starts at a database the file binds
/// ([`DbEvidence::Bound`]): `db.select().from(t)`, `c.var.db.query.users.findMany()`.
pub fn is_db_chain(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    crate::lint::context::chain_any(callee, |e| is_db_expr(e, cx, DbEvidence::Bound))
}

/// `drizzle`, `createDb`, `getDB`, `makeDatabase`…
pub fn is_db_factory_name(name: &str) -> bool {
    name == "drizzle"
        || ["Db", "DB", "Database", "Drizzle"]
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s))
}

/// A D1 binding (`env.DB`, `c.env.DB`, `this.env.DB`, a destructured `DB`):
/// its name. With a wrangler config, only its `d1_databases` bindings count.
pub fn d1_binding(expr: &Expr, cx: &LintContext<'_>) -> Option<String> {
    let expr = unwrap_expr(expr);
    if !cx.is_binding_root(expr) {
        return None;
    }
    let name = match expr {
        Expr::Member(m) => match &m.prop {
            MemberProp::Ident(p) => p.sym.to_string(),
            _ => return None,
        },
        Expr::Ident(id) => id.sym.to_string(),
        _ => return None,
    };
    if cx.project.d1.is_empty() || cx.project.d1.contains(&name) {
        Some(name)
    } else {
        None
    }
}

// ----- Postgres clients -----

/// How a Postgres connection is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `postgres(url, opts)` (postgres.js)
    PostgresJs,
    /// `new Pool(...)` / `new Client(...)` (node-postgres, Neon's websocket driver)
    NodePg,
    /// `drizzle(url | { connection })` with a Postgres driver: it builds the client itself.
    Drizzle,
}

/// Where a client's connection settings come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnSource {
    /// `env.HYPERDRIVE.connectionString` (or its host/user/…): the binding name.
    Hyperdrive(String),
    /// A literal, a secret or a variable: what it is, for the message.
    Plain(String),
    /// The n-th parameter of the enclosing module-level function.
    Param(usize),
    Unknown,
}

/// A Postgres client (or a Drizzle instance that opens its own connection)
/// created by this call: its kind and the connection argument.
pub fn pg_client_call<'a>(
    call: &'a CallExpr,
    cx: &LintContext<'_>,
) -> Option<(ClientKind, Option<&'a Expr>)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Ident(id) = unwrap_expr(callee) else {
        return None;
    };
    let import = cx.db.import_of(&id.sym)?;
    let arg = call.args.first().map(|a| &*a.expr);
    if import.source == "postgres" {
        return Some((ClientKind::PostgresJs, arg));
    }
    if import.imported.as_deref() == Some("drizzle") && is_pg_drizzle_source(&import.source) {
        let arg = arg.map(unwrap_expr)?;
        return match arg {
            // drizzle(client) / drizzle(postgres(...)): the client is the connection.
            Expr::Call(_) | Expr::New(_) => None,
            Expr::Ident(i) if !looks_like_url_name(&i.sym) => None,
            Expr::Object(o) => {
                if has_prop(o, "client") {
                    None
                } else {
                    Some((
                        ClientKind::Drizzle,
                        object_prop(o, "connection").or(Some(arg)),
                    ))
                }
            }
            other => Some((ClientKind::Drizzle, Some(other))),
        };
    }
    None
}

/// `new Pool(...)` / `new Client(...)` / `new pg.Pool(...)`.
pub fn pg_client_new<'a>(
    new: &'a NewExpr,
    cx: &LintContext<'_>,
) -> Option<(ClientKind, Option<&'a Expr>)> {
    let arg = new.args.as_ref().and_then(|a| a.first()).map(|a| &*a.expr);
    let is_pg = |source: &str| {
        source == "pg" || source == "@neondatabase/serverless" || source == "pg-pool"
    };
    match unwrap_expr(&new.callee) {
        Expr::Ident(id) => {
            let import = cx.db.import_of(&id.sym)?;
            let name = import.imported.as_deref().unwrap_or("");
            (is_pg(&import.source) && (name == "Pool" || name == "Client"))
                .then_some((ClientKind::NodePg, arg))
        }
        Expr::Member(m) => {
            let Expr::Ident(ns) = unwrap_expr(&m.obj) else {
                return None;
            };
            let import = cx.db.import_of(&ns.sym)?;
            let prop = member_prop(&new.callee)?;
            (is_pg(&import.source) && (prop == "Pool" || prop == "Client"))
                .then_some((ClientKind::NodePg, arg))
        }
        _ => None,
    }
}

pub fn is_pg_drizzle_source(source: &str) -> bool {
    matches!(
        source,
        "drizzle-orm/postgres-js" | "drizzle-orm/node-postgres" | "drizzle-orm/neon-serverless"
    )
}

fn looks_like_url_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["url", "uri", "dsn", "connection", "conn"]
        .iter()
        .any(|s| lower.contains(s))
}

/// Properties of a Hyperdrive binding.
const HYPERDRIVE_PROPS: &[&str] = &[
    "connectionString",
    "host",
    "user",
    "password",
    "port",
    "database",
];

/// Classifies a connection argument.
pub fn conn_source(expr: &Expr, cx: &LintContext<'_>) -> ConnSource {
    let expr = unwrap_expr(expr);
    match expr {
        // Never echo the literal: it may hold a password.
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => {
            ConnSource::Plain("a literal connection string".into())
        }
        Expr::Member(m) => {
            let prop = match &m.prop {
                MemberProp::Ident(p) => p.sym.as_ref(),
                _ => return ConnSource::Unknown,
            };
            if HYPERDRIVE_PROPS.contains(&prop) && cx.is_binding_root(&m.obj) {
                let binding = member_prop(&m.obj)
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                return ConnSource::Hyperdrive(binding);
            }
            // env.DATABASE_URL, c.env.DATABASE_URL, process.env.DATABASE_URL
            let process_env = matches!(unwrap_expr(&m.obj), Expr::Member(inner)
                if matches!(unwrap_expr(&inner.obj), Expr::Ident(p) if p.sym == "process")
                    && matches!(&inner.prop, MemberProp::Ident(p) if p.sym == "env"));
            if cx.is_binding_root(expr) || process_env {
                let is_hyperdrive = cx.project.hyperdrive.iter().any(|h| h == prop);
                if !is_hyperdrive {
                    return ConnSource::Plain(format!("`{}`", cx.snippet(m.span)));
                }
            }
            ConnSource::Unknown
        }
        Expr::Object(o) => {
            for key in ["connectionString", "connection", "url", "host"] {
                if let Some(v) = object_prop(o, key) {
                    return conn_source(v, cx);
                }
            }
            ConnSource::Unknown
        }
        Expr::Bin(b) => conn_source(&b.left, cx),
        Expr::Ident(id) => {
            if let Some(i) = factory_param_index(&id.sym, cx) {
                return ConnSource::Param(i);
            }
            if cx.env_names.contains(&id.sym) && id.sym != "env" {
                return ConnSource::Plain(format!("`{}`", id.sym));
            }
            ConnSource::Unknown
        }
        _ => ConnSource::Unknown,
    }
}

/// `name` is a parameter of the outermost enclosing function (a module-level
/// helper), not shadowed by an inner function: its position.
fn factory_param_index(name: &Atom, cx: &LintContext<'_>) -> Option<usize> {
    if !matches!(cx.resolve(name), Some((false, BindingKind::Param))) {
        return None;
    }
    let mut functions = cx
        .frames()
        .iter()
        .filter(|f| matches!(f, Frame::Function { .. }));
    let Some(Frame::Function { params, .. }) = functions.next() else {
        return None;
    };
    // An inner function with the same parameter name shadows it.
    if functions.any(|f| matches!(f, Frame::Function { params, .. } if params.contains(name))) {
        return None;
    }
    params.iter().position(|p| p == name)
}

/// The name of the outermost enclosing function, when the current node is
/// inside a module-level named function (a helper that may be a factory).
pub fn module_function_name(cx: &LintContext<'_>) -> Option<String> {
    match cx
        .frames()
        .iter()
        .find(|f| matches!(f, Frame::Function { .. }))?
    {
        Frame::Function { name: Some(n), .. } => Some(n.to_string()),
        _ => None,
    }
}

/// Which database a file's queries go to, as far as the project and the
/// file's imports tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    D1,
    Postgres,
    Unknown,
}

pub fn engine(cx: &LintContext<'_>) -> Engine {
    let p = cx.project;
    if !p.d1.is_empty() && p.hyperdrive.is_empty() {
        return Engine::D1;
    }
    if !p.hyperdrive.is_empty() && p.d1.is_empty() {
        return Engine::Postgres;
    }
    for i in &cx.db.imports {
        if i.source == "drizzle-orm/d1" || i.source == "drizzle-orm/sqlite-core" {
            return Engine::D1;
        }
        if is_pg_drizzle_source(&i.source)
            || i.source == "postgres"
            || i.source == "pg"
            || i.source == "drizzle-orm/pg-core"
        {
            return Engine::Postgres;
        }
    }
    Engine::Unknown
}

/// Hides the password of connection URLs in a snippet
/// (`postgres://app:s3cret@host` → `postgres://app:***@host`): messages end
/// up in CI logs and SARIF uploads.
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c == '\'' || c == '"' || c == '`' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..=colon]);
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_credentials;

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact_credentials("new Client('postgres://app:s3cret@db.example.com:5432/app')"),
            "new Client('postgres://app:***@db.example.com:5432/app')"
        );
        assert_eq!(
            redact_credentials("fetch('https://api.example.com/x')"),
            "fetch('https://api.example.com/x')"
        );
    }
}
