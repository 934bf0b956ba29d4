//! What Drizzle code looks like: how a builder chain
//! (`db.select().from(t).where(...)`) unwinds, the names and context
//! variables that hold a database, Postgres drivers, and small AST readers
//! the database code shares. Which values of a file ARE databases is
//! `effects::drizzle`.

use crate::model::collections::Words;
use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::syntax::ast::{as_call, as_member, chain_any, unwrap_expr, CallView};

/// Names that hold a Drizzle database (or transaction) by convention:
/// `db`, `c.var.db`, `this.db`, `c.get('db')`, a transaction's `tx`.
pub static DB_NAMES: Words = Words::new(&["db", "tx", "trx", "database", "drizzle", "orm"]);

/// One call of a builder chain: `.where(cond)` is `{ name: "where", args }`.
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    pub name: &'a Atom,
    pub args: &'a [ExprOrSpread],
    pub span: Span,
}

/// Unwinds `root.a(x).b(y)` into its root (`root`) and its calls, innermost
/// first; an optional chain (`root?.a(x).b(y)`) unwinds the same. A chain
/// that starts with a plain call (`text('x').notNull()`) has no root; its
/// first segment is that call.
pub fn chain<'a>(call: impl Into<CallView<'a>>) -> (Option<&'a Expr>, Vec<Segment<'a>>) {
    let mut segments = Vec::new();
    let root = walk_chain(call.into(), false, |s| segments.push(s));
    segments.reverse();
    (root, segments)
}

/// [`chain`], except that a chain on the result of a plain call has that
/// call as its root (`getDb()` of `getDb().insert(t).values(v)`), not as
/// its first segment: a query on what a helper returns.
pub fn chain_on_call<'a>(call: impl Into<CallView<'a>>) -> (Option<&'a Expr>, Vec<Segment<'a>>) {
    let mut segments = Vec::new();
    let root = walk_chain(call.into(), true, |s| segments.push(s));
    segments.reverse();
    (root, segments)
}

/// The root of [`chain_on_call`] without collecting its segments (most
/// calls are not queries; this rules them out without allocating).
pub fn chain_root<'a>(call: impl Into<CallView<'a>>) -> Option<&'a Expr> {
    walk_chain(call.into(), true, |_| {})
}

/// Goes down a call chain from its outermost call, giving each segment to
/// `segment`; returns the root. With `call_root`, a plain call the chain
/// is made on (`f()` of `f().a()`) is the root.
fn walk_chain<'a>(
    call: CallView<'a>,
    call_root: bool,
    mut segment: impl FnMut(Segment<'a>),
) -> Option<&'a Expr> {
    let mut current = call;
    loop {
        let callee = unwrap_expr(current.callee?);
        let (name, next) = match callee {
            Expr::Ident(id) => (&id.sym, None),
            other => {
                let m = as_member(other)?;
                let MemberProp::Ident(p) = &m.prop else {
                    return None;
                };
                (&p.sym, Some(unwrap_expr(&m.obj)))
            }
        };
        segment(Segment {
            name,
            args: current.args,
            span: current.span,
        });
        let next = next?;
        match as_call(next) {
            Some(inner)
                if !(call_root
                    && inner
                        .callee
                        .is_some_and(|c| matches!(unwrap_expr(c), Expr::Ident(_)))) =>
            {
                current = inner
            }
            _ => return Some(next),
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

/// The SQL text of a string, a template or a tagged template (`` sql`…` ``);
/// substitutions become `?`.
pub fn sql_text(expr: &Expr) -> Option<String> {
    match unwrap_expr(expr) {
        Expr::Tpl(t) => Some(template_sql(t)),
        Expr::TaggedTpl(t) => Some(template_sql(&t.tpl)),
        e => str_value(e),
    }
}

/// A template's text, each substitution a `?`.
pub fn template_sql(t: &Tpl) -> String {
    let mut out = String::new();
    for (i, q) in t.quasis.iter().enumerate() {
        out.push_str(&q.raw);
        if i < t.exprs.len() {
            out.push('?');
        }
    }
    out
}

pub fn prop_key(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(i) => Some(i.sym.as_str().to_owned()),
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

/// The name after the last dot: `get` in `c.req.get` (and `c?.req.get`).
pub fn member_prop(expr: &Expr) -> Option<&Atom> {
    match &as_member(unwrap_expr(expr))?.prop {
        MemberProp::Ident(p) => Some(&p.sym),
        _ => None,
    }
}

// ----- databases and bindings -----

/// A Hono context variable holding a database: `c.var.db`, `c.get('db')`
/// (any name that reads as a database: `db`, `database`, `…Db`).
pub fn is_context_db_var(expr: &Expr) -> bool {
    let looks_like_db = |n: &str| {
        n == "db" || n == "database" || n == "orm" || n.ends_with("Db") || n.ends_with("DB")
    };
    match unwrap_expr(expr) {
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if looks_like_db(&p.sym))
                && matches!(unwrap_expr(&m.obj), Expr::Member(v)
                    if matches!(&v.prop, MemberProp::Ident(p) if p.sym == "var")
                        && matches!(unwrap_expr(&v.obj), Expr::Ident(_)))
        }
        Expr::Call(c) => {
            let Some(arg) = c.args.first() else {
                return false;
            };
            matches!(&c.callee, Callee::Expr(e) if matches!(unwrap_expr(e), Expr::Member(m)
                if matches!(&m.prop, MemberProp::Ident(p) if p.sym == "get")
                    && matches!(unwrap_expr(&m.obj), Expr::Ident(_))))
                && c.args.len() == 1
                && matches!(unwrap_expr(&arg.expr), Expr::Lit(Lit::Str(s))
                    if s.value.as_str().is_some_and(looks_like_db))
        }
        _ => false,
    }
}

/// A member/call chain passes through a Hono context database:
/// `c.var.db.select().from(t)`, `c.var.db.query.users`.
pub fn chain_has_context_db(expr: &Expr) -> bool {
    chain_any(expr, is_context_db_var)
}

/// `drizzle`, `createDb`, `getDB`, `makeDatabase`…
pub fn is_db_factory_name(name: &str) -> bool {
    name == "drizzle"
        || ["Db", "DB", "Database", "Drizzle"]
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s))
}

/// `createDb(…)`, `getDatabase(…)`, `initDB(…)`, `useDrizzle(…)`: a plain
/// call whose name says it makes or gets the database (a verb, then
/// `Db`/`DB`/`Database`/`Drizzle`; not `getUserFromDb`).
pub fn makes_a_database(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Ident(f) = unwrap_expr(callee) else {
        return false;
    };
    let name = f.sym.as_ref();
    [
        "create", "get", "init", "make", "new", "use", "open", "connect",
    ]
    .iter()
    .filter_map(|verb| name.strip_prefix(verb))
    .any(|rest| matches!(rest, "Db" | "DB" | "Database" | "Drizzle"))
}

// ----- Postgres clients -----

/// How a Postgres connection is made.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `postgres(url, opts)` (postgres.js)
    #[default]
    PostgresJs,
    /// `new Pool(...)` / `new Client(...)` (node-postgres, Neon's websocket driver)
    NodePg,
    /// `drizzle(url | { connection })` with a Postgres driver: it builds the client itself.
    Drizzle,
    /// `neon(url)` of `@neondatabase/serverless`: Neon's HTTP driver, one
    /// `fetch` per query (no socket, so it cannot go through Hyperdrive).
    NeonHttp,
}

/// Where a client's connection settings come from.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub enum ConnSource {
    /// `env.HYPERDRIVE.connectionString` (or its host/user/…): the binding name.
    Hyperdrive(String),
    /// A literal, a secret or a variable: what it is, for the message.
    Plain(String),
    /// The n-th parameter of the enclosing module-level function.
    Param(usize),
    #[default]
    Unknown,
}

pub fn is_pg_drizzle_source(source: &str) -> bool {
    matches!(
        source,
        "drizzle-orm/postgres-js" | "drizzle-orm/node-postgres" | "drizzle-orm/neon-serverless"
    )
}

pub fn looks_like_url_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["url", "uri", "dsn", "connection", "conn"]
        .iter()
        .any(|s| lower.contains(s))
}

/// Which database a file's queries go to, as far as the project and the
/// file's imports tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    D1,
    Postgres,
    Unknown,
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

use crate::model::wire::wire_enum;
wire_enum!(ClientKind { 0 => PostgresJs, 1 => NodePg, 2 => Drizzle, 3 => NeonHttp });
wire_enum!(ConnSource {
    0 => Hyperdrive(a),
    1 => Plain(a),
    2 => Param(a),
    3 => Unknown,
});

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
