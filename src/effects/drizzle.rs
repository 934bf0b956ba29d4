//! Which values of a file are Drizzle databases, D1 bindings and Postgres
//! clients, from what the walk knows so far (bound names, imports).

use crate::model::collections::Words;
use swc_core::ecma::ast::*;

use super::FileContext;
use crate::knowledge::drizzle::*;
use crate::semantic::scope::Frame;
use crate::semantic::{Declaration, InitKind};
use crate::syntax::ast::{chain_any, unwrap_expr};

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
pub fn is_db_expr(expr: &Expr, cx: &FileContext<'_>, evidence: DbEvidence) -> bool {
    let expr = unwrap_expr(expr);
    if evidence == DbEvidence::Bound {
        return is_context_db_var(expr) || matches!(expr, Expr::Ident(id) if cx.is_db_handle(id));
    }
    if cx.is_binding_root(expr) {
        return false;
    }
    match expr {
        Expr::Ident(id) => {
            cx.is_db_handle(id)
                || cx.refers_to(&cx.db.walk.db_aliases, id)
                || (DB_NAMES.contains(id.sym.as_ref()) && !cx.bound_to_plain_value(id))
        }
        Expr::Member(m) => match &m.prop {
            MemberProp::Ident(p) => {
                DB_NAMES.contains(p.sym.as_ref())
                    || (matches!(unwrap_expr(&m.obj), Expr::This(_))
                        && cx.db.walk.db_fields.contains(&p.sym))
            }
            _ => false,
        },
        Expr::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return false;
            };
            match unwrap_expr(callee) {
                // c.get('db')
                Expr::Member(m) => {
                    matches!(&m.prop, MemberProp::Ident(p) if p.sym == "get")
                        && c.args.len() == 1
                        && str_value(&c.args[0].expr).is_some_and(|s| DB_NAMES.contains(s.as_str()))
                }
                // A function of the file the walk has been through: what it
                // returns (`const getDb = () => drizzle(env.DB)`, not
                // `() => env.KV`); else, a `createDb`/`getDb` by its name.
                Expr::Ident(id) => {
                    let by_name = is_db_factory_name(&id.sym);
                    // Most calls name no function that returns a database:
                    // the lookup (it builds the semantic model) only when
                    // one of the file's does, or the name says one might.
                    if by_name || cx.db.walk.some_returns_db {
                        local_returns_db(id, cx).unwrap_or(by_name)
                    } else {
                        false
                    }
                }
                _ => false,
            }
        }
        Expr::Await(a) => is_db_expr(&a.arg, cx, evidence),
        _ => false,
    }
}

/// Whether the function of this file that `id` names returns a Drizzle
/// database, when the walk has been through it (`None`: not a function of
/// the file, or one declared below the call).
fn local_returns_db(id: &Ident, cx: &FileContext<'_>) -> Option<bool> {
    let semantic = cx.semantic();
    let symbol = semantic.resolve(id)?;
    let span = match &semantic.symbol(symbol).declaration {
        Declaration::Function { span, .. } => *span,
        Declaration::Variable { init: Some(init) }
            if matches!(
                init.kind,
                InitKind::Arrow { .. } | InitKind::Function { .. }
            ) =>
        {
            init.span
        }
        _ => return None,
    };
    cx.db.walk.returns_db(span)
}

/// The call's chain starts at a database the file binds
/// ([`DbEvidence::Bound`]): `db.select().from(t)`, `c.var.db.query.users.findMany()`.
pub fn is_db_chain(call: &CallExpr, cx: &FileContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    chain_any(callee, |e| is_db_expr(e, cx, DbEvidence::Bound))
}

/// A D1 binding (`env.DB`, `c.env.DB`, `this.env.DB`, a destructured `DB`):
/// its name. With a wrangler config, only its `d1_databases` bindings count.
pub fn d1_binding(expr: &Expr, cx: &FileContext<'_>) -> Option<String> {
    let expr = unwrap_expr(expr);
    if !cx.is_binding_root(expr) {
        return None;
    }
    let name = match expr {
        Expr::Member(m) => match &m.prop {
            MemberProp::Ident(p) => p.sym.as_str().to_owned(),
            _ => return None,
        },
        Expr::Ident(id) => cx.binding_name_of(id).as_str().to_owned(),
        _ => return None,
    };
    if cx.project.d1.is_empty() || cx.project.d1.contains(&name) {
        Some(name)
    } else {
        None
    }
}

/// A Postgres client (or a Drizzle instance that opens its own connection)
/// created by this call: its kind and the connection argument.
pub fn pg_client_call<'a>(
    call: &'a CallExpr,
    cx: &FileContext<'_>,
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

/// `neon(url)` imported from `@neondatabase/serverless` (Neon's HTTP
/// driver): its connection argument.
pub fn neon_http_call<'a>(call: &'a CallExpr, cx: &FileContext<'_>) -> Option<Option<&'a Expr>> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Ident(id) = unwrap_expr(callee) else {
        return None;
    };
    let import = cx.db.import_of(&id.sym)?;
    (import.source == "@neondatabase/serverless" && import.imported.as_deref() == Some("neon"))
        .then(|| call.args.first().map(|a| &*a.expr))
}

/// `new Pool(...)` / `new Client(...)` / `new pg.Pool(...)`.
pub fn pg_client_new<'a>(
    new: &'a NewExpr,
    cx: &FileContext<'_>,
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

/// Properties of a Hyperdrive binding.
static HYPERDRIVE_PROPS: Words = Words::new(&[
    "connectionString",
    "host",
    "user",
    "password",
    "port",
    "database",
]);

/// Classifies a connection argument.
pub fn conn_source(expr: &Expr, cx: &FileContext<'_>) -> ConnSource {
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
            if HYPERDRIVE_PROPS.contains(prop) && cx.is_binding_root(&m.obj) {
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
            if let Some(i) = factory_param_index(id, cx) {
                return ConnSource::Param(i);
            }
            if cx.is_env_part(id) {
                return ConnSource::Plain(format!("`{}`", id.sym));
            }
            ConnSource::Unknown
        }
        _ => ConnSource::Unknown,
    }
}

/// `id` is a parameter of the outermost enclosing function (a module-level
/// helper), not shadowed by an inner function: its position.
fn factory_param_index(id: &Ident, cx: &FileContext<'_>) -> Option<usize> {
    let name = &id.sym;
    let mut functions = cx
        .frames()
        .iter()
        .filter(|f| matches!(f, Frame::Function { .. }));
    let Some(Frame::Function { params, span, .. }) = functions.next() else {
        return None;
    };
    // An inner function with the same parameter name shadows it.
    if functions.any(|f| matches!(f, Frame::Function { params, .. } if params.contains(name))) {
        return None;
    }
    let index = params.iter().position(|p| p == name)?;
    cx.is_local_param(id, *span).then_some(index)
}

/// The name of the outermost enclosing function, when the current node is
/// inside a module-level named function (a helper that may be a factory).
pub fn module_function_name(cx: &FileContext<'_>) -> Option<String> {
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
pub fn engine(cx: &FileContext<'_>) -> Engine {
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
