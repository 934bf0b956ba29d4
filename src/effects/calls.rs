//! What each function does, for the effect summaries across files: the
//! first subrequest and the first database query it makes itself, and the
//! functions it calls (resolved to other files' functions after every file
//! was walked, in `summaries`). Recorded during the one traversal.

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::FileContext;
use crate::semantic::scope::Frame;
use crate::syntax::ast::{annotated_class, unwrap_expr};

/// Where a function does something: the call's span in its file (its
/// position and text are made only for the findings that quote it:
/// `Project::quote`).
pub type Evidence = Span;

/// A function of the file and what it does itself.
#[derive(Debug, Clone, Default)]
pub struct FunctionFact {
    /// Its name (declaration, method, or the variable it is bound to).
    pub name: Option<String>,
    /// Declared at the module's top level (not nested in another function).
    pub top_level: bool,
    /// A method or property of an object or class: a plain call
    /// (`fetch()`) never names it (a method is called on its object).
    pub is_method: bool,
    /// Where it is declared (its position is made only for findings).
    pub span: Span,
    /// The first call that leaves the Worker and is not a database query:
    /// `fetch`, a binding (KV, R2, Queue, Durable Object, service).
    pub subrequest: Option<Evidence>,
    /// The first database query it runs.
    pub query: Option<Evidence>,
    /// The first write it makes (`Effect::Write`).
    pub write: Option<Evidence>,
    /// The functions it calls, as written.
    pub calls: Vec<Target>,
}

/// A call's target as written: what the summaries resolve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
/// Atoms: made for most calls of every file, from the syntax tree's own
/// atoms (no string is copied).
pub enum Target {
    /// `save(x)`: a function of this file or an imported one.
    Name(Atom),
    /// `this.save(x)`: a method of the same class.
    This(Atom),
    /// `items.save(x)` with `import * as items`, `d.get()` with
    /// `const d = new Driver()`, `this.driver.get()` with
    /// `this.driver = new Driver()`.
    Member(Atom, Atom),
}

impl Target {
    /// As written, for messages: `save`, `this.save`, `items.save`.
    pub fn text(&self) -> String {
        match self {
            Target::Name(n) => n.to_string(),
            Target::This(m) => format!("this.{m}"),
            Target::Member(o, m) => format!("{o}.{m}"),
        }
    }
}

/// A function of the project: (file index, index in its `functions`).
pub type FunctionRef = (usize, usize);

/// Why a function has an effect: the functions from the called one down to
/// the one that does it, and where that one does it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub functions: Vec<FunctionRef>,
    pub evidence: Evidence,
}

/// What a call must lead to for a deferred finding to stand.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A subrequest that is not a database query.
    #[default]
    Subrequest,
    /// A database query.
    Query,
    /// Either: a round trip of any kind.
    Io,
    /// A write: a query that inserts, updates or deletes, a binding's
    /// `put`/`delete`/`send`, a `fetch` that posts. What a cache in front of
    /// the code would skip.
    Write,
}

/// Functions of the runtime and methods of its built-in objects (arrays,
/// maps, strings, promises, console, JSON, Math): a call to one is not
/// followed (no project function is found under these names, so this only
/// saves the bookkeeping). Sorted, to read; looked up in a hash set
/// ([`is_built_in`]).
const BUILT_INS: &[&str] = &[
    "Array",
    "Boolean",
    "Date",
    "Error",
    "Number",
    "Object",
    "String",
    "Symbol",
    "add",
    "all",
    "assign",
    "atob",
    "btoa",
    "catch",
    "clearTimeout",
    "concat",
    "debug",
    "decodeURIComponent",
    "encodeURIComponent",
    "endsWith",
    "entries",
    "error",
    "every",
    "filter",
    "finally",
    "find",
    "findIndex",
    "floor",
    "forEach",
    "from",
    "has",
    "includes",
    "indexOf",
    "info",
    "isArray",
    "join",
    "keys",
    "log",
    "map",
    "max",
    "min",
    "now",
    "parse",
    "parseFloat",
    "parseInt",
    "pop",
    "push",
    "race",
    "reduce",
    "reject",
    "replace",
    "require",
    "resolve",
    "round",
    "setTimeout",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "split",
    "startsWith",
    "stringify",
    "structuredClone",
    "then",
    "toFixed",
    "toISOString",
    "toLowerCase",
    "toString",
    "toUpperCase",
    "trim",
    "unshift",
    "values",
    "warn",
];

/// `name` is one of [`BUILT_INS`]: one hash and at most one comparison (a
/// binary search over the strings compared seven of them; this is asked of
/// most calls of every file).
fn is_built_in(name: &str) -> bool {
    static SET: std::sync::OnceLock<crate::model::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| BUILT_INS.iter().copied().collect())
        .contains(name)
}

/// The call target of `call`, when it may be a project function: a name,
/// `this.m`, `this.field.m` or `object.m`. A global (`fetch`) names no
/// project function: the resolution after the walk finds none, so no
/// binding question is asked here (it would build the semantic model for
/// most files).
pub fn target_of(call: &CallExpr) -> Option<Target> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap_expr(callee) {
        Expr::Ident(id) if is_built_in(&id.sym) => None,
        Expr::Ident(id) => Some(Target::Name(id.sym.clone())),
        Expr::Member(m) => {
            let MemberProp::Ident(prop) = &m.prop else {
                return None;
            };
            if is_built_in(&prop.sym) {
                return None;
            }
            match unwrap_expr(&m.obj) {
                Expr::This(_) => Some(Target::This(prop.sym.clone())),
                // `this.driver.get()`: a method of the instance in a field.
                Expr::Member(inner) => match (unwrap_expr(&inner.obj), &inner.prop) {
                    (Expr::This(_), MemberProp::Ident(field)) => Some(Target::Member(
                        format!("this.{}", field.sym).into(),
                        prop.sym.clone(),
                    )),
                    _ => None,
                },
                Expr::Ident(obj) => Some(Target::Member(obj.sym.clone(), prop.sym.clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// An argument of a `new` expression, as far as instances go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A name: the class of the instance it holds, if any, is in `instances`.
    Var(String),
    /// `new C(…)` written in place: the class as written.
    New(String),
}

/// A constructor's parameters: `constructor(private svc: GithubService)`
/// holds a `GithubService` in `this.svc`; untyped parameters are kept for
/// `this.x = param` in the body (`record_field_from_param`).
pub(crate) fn enter_constructor(c: &Constructor, cx: &mut FileContext<'_>) {
    let class = cx.db.walk.classes.last().cloned();
    let mut params = Vec::new();
    for (index, p) in c.params.iter().enumerate() {
        match p {
            ParamOrTsParamProp::TsParamProp(prop) => {
                let TsParamPropParam::Ident(id) = &prop.param else {
                    continue;
                };
                let field = format!("this.{}", id.id.sym);
                if let Some(client) = super::sdk::annotated_client(id.type_ann.as_deref(), cx) {
                    cx.client_fields.insert(id.id.sym.clone(), client);
                }
                match annotated_class(id.type_ann.as_deref()) {
                    Some(class) => cx.db.instances.push((field, class)),
                    None => {
                        if let Some(class) = &class {
                            cx.db.ctor_fields.push((class.clone(), field, index));
                        }
                    }
                }
            }
            ParamOrTsParamProp::Param(p) => {
                if let Pat::Ident(id) = &p.pat {
                    params.push((
                        id.id.sym.clone(),
                        index,
                        annotated_class(id.type_ann.as_deref()),
                    ));
                }
            }
        }
    }
    cx.db.walk.ctor_params.push(params);
}

pub(crate) fn exit_constructor(cx: &mut FileContext<'_>) {
    cx.db.walk.ctor_params.pop();
}

/// `this.field = param` in a constructor: the field holds what the
/// parameter's type names, or what the `new` expressions pass for it.
fn record_field_from_param(field: &str, value: &Expr, cx: &mut FileContext<'_>) {
    let Expr::Ident(id) = unwrap_expr(value) else {
        return;
    };
    let Some(params) = cx.db.walk.ctor_params.last() else {
        return;
    };
    let Some((_, index, class)) = params.iter().find(|(name, _, _)| *name == id.sym) else {
        return;
    };
    let (index, class) = (*index, class.clone());
    match class {
        Some(class) => cx.db.instances.push((field.to_string(), class)),
        None => {
            if let Some(owner) = cx.db.walk.classes.last().cloned() {
                cx.db.ctor_fields.push((owner, field.to_string(), index));
            }
        }
    }
}

/// `const d = new Driver()`, `this.driver = new Driver()`: (the variable or
/// `this.field`, the class as written), so that `d.get()` names
/// `Driver`'s `get`.
pub(crate) fn record_instance(target: &str, value: &Expr, cx: &mut FileContext<'_>) {
    if target.starts_with("this.") {
        record_field_from_param(target, value, cx);
    }
    if let Expr::New(new) = unwrap_expr(value) {
        if let Expr::Ident(class) = unwrap_expr(&new.callee) {
            cx.db
                .instances
                .push((target.to_string(), class.sym.as_str().to_owned()));
        }
    }
}

pub(crate) fn enter_function(frame: &Frame, cx: &mut FileContext<'_>) {
    let Frame::Function {
        span,
        name,
        is_method,
        ..
    } = frame
    else {
        return;
    };
    let top_level = cx.db.walk.function_stack.is_empty();
    cx.db.walk.function_stack.push(cx.db.functions.len());
    cx.db.functions.push(FunctionFact {
        name: name.as_ref().map(|n| n.as_str().to_owned()),
        top_level,
        is_method: *is_method,
        span: *span,
        ..FunctionFact::default()
    });
}

/// An unnamed function (a callback: `items.map(async (x) => …)`,
/// `waitUntil(…)`) runs as part of the function that creates it: its
/// effects and calls count for that function too.
pub(crate) fn exit_function(cx: &mut FileContext<'_>) {
    let Some(done) = cx.db.walk.function_stack.pop() else {
        return;
    };
    let calls = &mut cx.db.functions[done].calls;
    if calls.len() > 1 {
        calls.sort_unstable();
        calls.dedup();
    }
    let Some(&parent) = cx.db.walk.function_stack.last() else {
        return;
    };
    let functions = &mut cx.db.functions;
    if functions[done].name.is_some() {
        return;
    }
    let child = std::mem::take(&mut functions[done].calls);
    let (subrequest, query, write) = (
        functions[done].subrequest,
        functions[done].query,
        functions[done].write,
    );
    let parent = &mut functions[parent];
    parent.subrequest = parent.subrequest.take().or(subrequest);
    parent.query = parent.query.take().or(query);
    parent.write = parent.write.take().or(write);
    // Deduplicated when the parent is left.
    parent.calls.extend(child);
}

/// `new C()` at module scope runs at startup (the bundler keeps it).
pub(crate) fn enter_new(new: &NewExpr, cx: &mut FileContext<'_>) {
    if cx.db.walk.function_stack.is_empty() && cx.db.module_call.is_none() {
        cx.db.module_call = Some(new.span);
    }
    // `new Calculator(service)`: what a constructor's fields may hold.
    if let (Expr::Ident(class), Some(args)) = (unwrap_expr(&new.callee), &new.args) {
        if !args.is_empty() && args.len() <= 8 {
            let args = args
                .iter()
                .map(|a| match unwrap_expr(&a.expr) {
                    Expr::Ident(id) => Some(Arg::Var(id.sym.as_str().to_owned())),
                    Expr::New(inner) => match unwrap_expr(&inner.callee) {
                        Expr::Ident(c) => Some(Arg::New(c.sym.as_str().to_owned())),
                        _ => None,
                    },
                    _ => None,
                })
                .collect::<Vec<_>>();
            if args.iter().any(Option::is_some) {
                cx.db.news.push((class.sym.as_str().to_owned(), args));
            }
        }
    }
}

pub(crate) fn enter_call(call: &CallExpr, cx: &mut FileContext<'_>) {
    if let Some(request) = crate::semantic::graph::call_request(call) {
        cx.db.requests.push(request);
    }
    let Some(&current) = cx.db.walk.function_stack.last() else {
        if cx.db.module_call.is_none() {
            cx.db.module_call = Some(call.span);
        }
        return;
    };
    // Failure-only code (a `catch`, `if (!res.ok)`): not what a call of the
    // function costs each time (a loop calling a helper that cleans up a
    // database row only when an API call fails makes no query per item).
    if cx.hot.is_cold(call.span) {
        return;
    }
    let query = cx.db.query_at(call.span).map(|q| q.kind);
    if cx.db.functions[current].write.is_none() && cx.writes(call, query) {
        cx.db.functions[current].write = Some(call.span);
    }
    if query.is_some() {
        if cx.db.functions[current].query.is_none() {
            cx.db.functions[current].query = Some(call.span);
        }
    } else if cx.sends_request(call) {
        if cx.db.functions[current].subrequest.is_none() {
            cx.db.functions[current].subrequest = Some(call.span);
        }
    } else if let Some(callee) = target_of(call) {
        // Duplicates are dropped when the function is left.
        cx.db.functions[current].calls.push(callee);
    }
}

use crate::model::wire::{wire_enum, wire_struct};
wire_struct!(FunctionFact {
    name,
    top_level,
    is_method,
    span,
    subrequest,
    query,
    write,
    calls,
});
wire_enum!(Target { 0 => Name(a), 1 => This(a), 2 => Member(a, b) });
wire_enum!(Effect { 0 => Subrequest, 1 => Query, 2 => Io, 3 => Write });
wire_enum!(Arg { 0 => Var(a), 1 => New(a) });

impl Default for Target {
    fn default() -> Self {
        Target::Name(Atom::default())
    }
}

impl Default for Arg {
    fn default() -> Self {
        Arg::Var(String::new())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_ins_are_sorted() {
        assert!(super::BUILT_INS.windows(2).all(|w| w[0] < w[1]));
    }
}
