//! Which values of a file are clients of an SDK that calls HTTP
//! (`knowledge::sdks`), and which calls on them are subrequests.
//!
//! A client is made by `new` of a client class of a package in the table
//! (`new Connection(url)`), a factory of one (`createClient(url, key)`), a
//! local handle of one (`genAI.getGenerativeModel(…)`), or `new` of any
//! package's class given a client (`new SplGovernance(connection)`: it can
//! only use the connection to call the RPC). A call through a client
//! (`connection.getAccountInfo(k)`, `dbc.state.getPoolCurveProgress(p)`)
//! is a subrequest unless it goes through a member the table says is local;
//! an awaited call of a package function given a client
//! (`await getAccount(connection, address)`) is one too.

use swc_core::ecma::ast::*;

use super::FileContext;
use crate::knowledge::sdks::{package_of, sdk_for};
use crate::syntax::ast::unwrap_expr;

/// An HTTP client the file binds: its package and how it was made, for
/// messages (`@solana/web3.js \`Connection\``).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub package: String,
    pub what: String,
    /// What it sends requests to (`the Solana RPC`; `its API` when unknown).
    pub talks_to: &'static str,
}

/// The client `expr` makes or names, if it is one.
pub fn client_made_by(expr: &Expr, cx: &FileContext<'_>) -> Option<Client> {
    match unwrap_expr(expr) {
        Expr::Await(a) => client_made_by(&a.arg, cx),
        Expr::New(new) => {
            let (package, export, shown) = package_export(&new.callee, cx)?;
            if let Some(sdk) = sdk_for(&package).filter(|s| s.constructs(&export)) {
                return Some(Client {
                    what: format!("{package} `{shown}`"),
                    package,
                    talks_to: sdk.talks_to,
                });
            }
            let (on, talks_to) = new
                .args
                .iter()
                .flatten()
                .find_map(|a| client_in(&a.expr, cx))?;
            Some(Client {
                what: format!("{package} `{shown}` built on {on}"),
                package,
                talks_to,
            })
        }
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return None;
            };
            // A factory: `createClient(…)`, `Redis.fromEnv()`, `twilio(…)`.
            if let Some((package, export, shown)) = package_export(callee, cx) {
                return sdk_for(&package)
                    .filter(|s| s.factories.contains(&export.as_str()))
                    .map(|s| Client {
                        what: format!("{package} `{shown}()`"),
                        package,
                        talks_to: s.talks_to,
                    });
            }
            // A local handle of a client: `genAI.getGenerativeModel(…)`.
            let (client, through) = client_chain(callee, cx)?;
            let sdk = sdk_for(&client.package)?;
            through
                .iter()
                .any(|m| sdk.local.contains(&m.as_str()))
                .then_some(client)
        }
        // an alias: `const c = connection`
        other => client_of(other, cx),
    }
}

/// `expr` is a client (a name bound to one, `this.field` holding one, a
/// module that is one) or an object literal holding one: the client's
/// description and what it talks to.
fn client_in(expr: &Expr, cx: &FileContext<'_>) -> Option<(String, &'static str)> {
    match unwrap_expr(expr) {
        Expr::Object(o) => o.props.iter().find_map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => client_in(&kv.value, cx),
                Prop::Shorthand(id) => client_in(&Expr::Ident(id.clone()), cx),
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        }),
        e => client_of(e, cx).map(|c| match e {
            Expr::Ident(id) => (format!("`{}` ({})", id.sym, c.what), c.talks_to),
            _ => (c.what, c.talks_to),
        }),
    }
}

/// The client a TypeScript annotation promises (`connection: Connection`,
/// `private stripe: Stripe`): a client class of a package in the table.
pub fn annotated_client(ann: Option<&TsTypeAnn>, cx: &FileContext<'_>) -> Option<Client> {
    let class = crate::syntax::ast::annotated_class(ann)?;
    let import = cx.db.import_of(&class)?;
    let package = package_of(&import.source)?;
    let sdk = sdk_for(package)?;
    let export = import.imported.as_deref()?;
    sdk.constructs(export).then(|| Client {
        package: package.to_string(),
        what: format!("{package} `{class}`"),
        talks_to: sdk.talks_to,
    })
}

/// The client a name or `this.field` holds.
pub fn client_of(expr: &Expr, cx: &FileContext<'_>) -> Option<Client> {
    match unwrap_expr(expr) {
        Expr::Ident(id) => {
            if !cx.http_clients.is_empty() {
                if let Some(c) = cx
                    .semantic()
                    .resolve(id)
                    .and_then(|s| cx.http_clients.get(&s))
                {
                    return Some(c.clone());
                }
            }
            // `import sgMail from '@sendgrid/mail'`: the module is a client.
            let import = cx.db.import_of(&id.sym)?;
            let package = package_of(&import.source)?;
            (import.imported.as_deref().is_none_or(|i| i == "default")
                && sdk_for(package).is_some_and(|s| s.module_client))
            .then(|| Client {
                package: package.to_string(),
                what: format!("the {package} client"),
                talks_to: sdk_for(package).map_or("its API", |s| s.talks_to),
            })
        }
        Expr::Member(m) if matches!(unwrap_expr(&m.obj), Expr::This(_)) => {
            let MemberProp::Ident(field) = &m.prop else {
                return None;
            };
            cx.client_fields.get(&field.sym).cloned()
        }
        _ => None,
    }
}

/// The client a member/call chain starts from, and the member names from
/// it to the callee: (`dbc`, [`state`, `getPoolCurveProgress`]).
fn client_chain(callee: &Expr, cx: &FileContext<'_>) -> Option<(Client, Vec<String>)> {
    let mut through = Vec::new();
    let mut e = unwrap_expr(callee);
    loop {
        match e {
            Expr::Member(m) => {
                if let Some(c) = client_of(e, cx) {
                    through.reverse();
                    return Some((c, through));
                }
                if let MemberProp::Ident(p) = &m.prop {
                    through.push(p.sym.as_str().to_owned());
                }
                e = unwrap_expr(&m.obj);
            }
            Expr::Call(c) => match &c.callee {
                Callee::Expr(inner) => e = unwrap_expr(inner),
                _ => return None,
            },
            Expr::Ident(_) => {
                through.reverse();
                return client_of(e, cx).map(|c| (c, through));
            }
            _ => return None,
        }
    }
}

/// (package, export, as written) for a callee imported from a package:
/// `Connection` (named import), `Stripe` (default), `web3.Connection`
/// (namespace member), `Redis.fromEnv` (a static of an imported class).
fn package_export(callee: &Expr, cx: &FileContext<'_>) -> Option<(String, String, String)> {
    let (local, member) = match unwrap_expr(callee) {
        Expr::Ident(id) => (&id.sym, None),
        Expr::Member(m) => match (unwrap_expr(&m.obj), &m.prop) {
            (Expr::Ident(id), MemberProp::Ident(p)) => (&id.sym, Some(&p.sym)),
            _ => return None,
        },
        _ => return None,
    };
    let import = cx.db.import_of(local)?;
    let package = package_of(&import.source)?.to_string();
    let export = match (&import.imported, member) {
        (None, Some(m)) => m.to_string(),
        (None, None) => return None,
        (Some(i), None) => i.clone(),
        (Some(i), Some(m)) => format!("{i}.{m}"),
    };
    let shown = match member {
        Some(m) => format!("{local}.{m}"),
        None => local.to_string(),
    };
    Some((package, export, shown))
}

/// What makes `call` a subrequest through an SDK, for messages:
/// "`splGovernance` (governance-idl-sdk `SplGovernance` built on …) calls
/// the Solana RPC". `None` when it is no SDK call.
pub fn sdk_call(call: &CallExpr, cx: &FileContext<'_>) -> Option<String> {
    // Every client comes from an import of the table's packages.
    if !cx.db.walk.imports_sdk && cx.http_clients.is_empty() && cx.client_fields.is_empty() {
        return None;
    }
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    if let Some((client, through)) = client_chain(callee, cx) {
        let sdk = sdk_for(&client.package);
        if through.is_empty()
            || sdk.is_some_and(|s| through.iter().any(|m| s.local.contains(&m.as_str())))
        {
            return None;
        }
        return Some(format!(
            "`{}` is a client of {} that calls {} over HTTP",
            cx.snippet(root_span(callee)),
            client.what,
            client.talks_to
        ));
    }
    let (package, export, shown) = package_export(callee, cx)?;
    if let Some(sdk) = sdk_for(&package).filter(|s| s.functions.contains(&export.as_str())) {
        return Some(format!(
            "`{shown}` ({package}) calls {} over HTTP",
            sdk.talks_to
        ));
    }
    if !cx.db.walk.is_awaited(call.span) {
        return None;
    }
    let (on, talks_to) = call.args.iter().find_map(|a| client_in(&a.expr, cx))?;
    Some(format!("`{shown}` ({package}) calls {talks_to} with {on}"))
}

/// The span of the root of a member/call chain (`dbc` in `dbc.state.get()`,
/// `this.client` in `this.client.send()`).
fn root_span(callee: &Expr) -> swc_core::common::Span {
    use swc_core::common::Spanned;
    let mut e = unwrap_expr(callee);
    loop {
        match e {
            Expr::Member(m) if !matches!(unwrap_expr(&m.obj), Expr::This(_)) => {
                e = unwrap_expr(&m.obj)
            }
            Expr::Call(c) => match &c.callee {
                Callee::Expr(inner) => e = unwrap_expr(inner),
                _ => return e.span(),
            },
            _ => return e.span(),
        }
    }
}
