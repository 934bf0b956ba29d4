//! What each function does, for the effect summaries across files: the
//! first subrequest and the first database query it makes itself, and the
//! functions it calls (resolved to other files' functions after every file
//! was walked, in `summaries`). Recorded during the one traversal. What it
//! does only under `if (option)`, `option` a parameter defaulting to
//! `false`, is kept apart (`Gated`), and each call records which of its
//! arguments may be truthy: a call that leaves the option unset does none
//! of it.

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
    /// What it does only when an option parameter that defaults to `false`
    /// is set (`if (loadStats) { … }` in `f(a, loadStats = false)`): a call
    /// that leaves the option out (or passes `false`) does none of it.
    pub gated: Vec<Gated>,
}

/// What a function does under `if (option)`, `option` its parameter at
/// `param` with a default of `false`.
#[derive(Debug, Clone, Default)]
pub struct Gated {
    pub param: u32,
    pub subrequest: Option<Evidence>,
    pub query: Option<Evidence>,
    pub write: Option<Evidence>,
    pub calls: Vec<Target>,
}

impl FunctionFact {
    /// The positions of its parameters that gate some of what it does.
    pub fn gated_params(&self) -> u32 {
        self.gated.iter().fold(0, |mask, g| mask | bit(g.param))
    }
}

/// The bit of parameter `position` in a mask of positions (none past 31).
pub fn bit(position: u32) -> u32 {
    1u32.checked_shl(position).unwrap_or(0)
}

/// A call as written: what it names (what the summaries resolve) and
/// which of its arguments may be truthy.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub called: Called,
    /// The positions of arguments that are given and not a falsy literal
    /// (`false`, `null`, `undefined`, `0`, `''`); from a spread on, all.
    /// An option parameter at any other position keeps its default.
    pub truthy_args: u32,
}

/// What a call names. Atoms: made for most calls of every file, from the
/// syntax tree's own atoms (no string is copied).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Called {
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
        match &self.called {
            Called::Name(n) => n.to_string(),
            Called::This(m) => format!("this.{m}"),
            Called::Member(o, m) => format!("{o}.{m}"),
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
    Some(Target {
        called: called_of(call)?,
        truthy_args: truthy_args(&call.args),
    })
}

/// [`Target::truthy_args`] of a call's arguments.
fn truthy_args(args: &[ExprOrSpread]) -> u32 {
    let mut mask = 0;
    for (i, arg) in args.iter().enumerate().take(32) {
        if arg.spread.is_some() {
            return mask | !(bit(i as u32) - 1);
        }
        let falsy = match unwrap_expr(&arg.expr) {
            Expr::Lit(Lit::Bool(b)) => !b.value,
            Expr::Lit(Lit::Null(_)) => true,
            Expr::Lit(Lit::Num(n)) => n.value == 0.0,
            Expr::Lit(Lit::Str(s)) => s.value.is_empty(),
            Expr::Ident(id) => id.sym == "undefined",
            Expr::Unary(u) => u.op == UnaryOp::Void,
            _ => false,
        };
        if !falsy {
            mask |= bit(i as u32);
        }
    }
    mask
}

fn called_of(call: &CallExpr) -> Option<Called> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap_expr(callee) {
        Expr::Ident(id) if is_built_in(&id.sym) => None,
        Expr::Ident(id) => Some(Called::Name(id.sym.clone())),
        Expr::Member(m) => {
            let MemberProp::Ident(prop) = &m.prop else {
                return None;
            };
            if is_built_in(&prop.sym) {
                return None;
            }
            match unwrap_expr(&m.obj) {
                Expr::This(_) => Some(Called::This(prop.sym.clone())),
                // `this.driver.get()`: a method of the instance in a field.
                Expr::Member(inner) => match (unwrap_expr(&inner.obj), &inner.prop) {
                    (Expr::This(_), MemberProp::Ident(field)) => Some(Called::Member(
                        format!("this.{}", field.sym).into(),
                        prop.sym.clone(),
                    )),
                    _ => None,
                },
                Expr::Ident(obj) => Some(Called::Member(obj.sym.clone(), prop.sym.clone())),
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
    let fact = &mut cx.db.functions[done];
    dedup_calls(&mut fact.calls);
    for gated in &mut fact.gated {
        dedup_calls(&mut gated.calls);
    }
    let Some(&parent) = cx.db.walk.function_stack.last() else {
        return;
    };
    let functions = &mut cx.db.functions;
    if functions[done].name.is_some() {
        return;
    }
    let mut child = std::mem::take(&mut functions[done].calls);
    let (mut subrequest, mut query, mut write) = (
        functions[done].subrequest,
        functions[done].query,
        functions[done].write,
    );
    // The callback's own options: its callers' arguments are not known.
    for gated in std::mem::take(&mut functions[done].gated) {
        subrequest = subrequest.or(gated.subrequest);
        query = query.or(gated.query);
        write = write.or(gated.write);
        child.extend(gated.calls);
    }
    // Made under the parent's `if (option)`: gated as its calls there are.
    let gate = gate_of(&cx.db.walk.gates, parent, functions[done].span);
    let parent = &mut functions[parent];
    let (p_subrequest, p_query, p_write, p_calls) = slots(parent, gate);
    *p_subrequest = p_subrequest.take().or(subrequest);
    *p_query = p_query.take().or(query);
    *p_write = p_write.take().or(write);
    // Deduplicated when the parent is left.
    p_calls.extend(child);
}

/// Sorts `calls` and keeps one per called function, with the arguments
/// any of its calls may set.
fn dedup_calls(calls: &mut Vec<Target>) {
    if calls.len() > 1 {
        calls.sort_unstable();
        calls.dedup_by(|later, kept| {
            let same = later.called == kept.called;
            if same {
                kept.truthy_args |= later.truthy_args;
            }
            same
        });
    }
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
    if let Some(mut request) = crate::semantic::graph::call_request(call) {
        request.names = cx
            .db
            .walk
            .dynamic_names
            .remove(&crate::knowledge::query::key(call.span));
        cx.db.requests.push(request);
    }
    if let Some(effect) = effect_callback(call) {
        cx.db.walk.effect_callbacks.push(effect);
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
    let writes = cx.writes(call, query);
    let sends = query.is_none() && cx.sends_request(call);
    let callee = if query.is_none() && !sends {
        target_of(call)
    } else {
        None
    };
    let gate = gate_of(&cx.db.walk.gates, current, call.span);
    let fact = &mut cx.db.functions[current];
    let (subrequest, found_query, write, calls) = slots(fact, gate);
    if write.is_none() && writes {
        *write = Some(call.span);
    }
    if query.is_some() {
        found_query.get_or_insert(call.span);
    } else if sends {
        subrequest.get_or_insert(call.span);
    } else if let Some(callee) = callee {
        // Duplicates are dropped when the function is left.
        calls.push(callee);
    }
}

/// `useEffect(() => …)` (or `React.useEffect`, `useLayoutEffect`,
/// `useInsertionEffect`): the callback's span and the hook.
fn effect_callback(call: &CallExpr) -> Option<(Span, &'static str)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let name = match unwrap_expr(callee) {
        Expr::Ident(id) => &id.sym,
        Expr::Member(MemberExpr {
            prop: MemberProp::Ident(p),
            ..
        }) => &p.sym,
        _ => return None,
    };
    let hook = crate::semantic::browser::EFFECT_HOOKS
        .iter()
        .find(|h| *name == **h)?;
    match unwrap_expr(&call.args.first()?.expr) {
        Expr::Arrow(f) => Some((f.span, hook)),
        Expr::Fn(f) => Some((f.function.span, hook)),
        _ => None,
    }
}

/// The option parameter whose test gates `at` in the function at `current`
/// (an `if (option)` around it: [`enter_if`]).
fn gate_of(gates: &[(Span, usize, u32)], current: usize, at: Span) -> Option<u32> {
    gates
        .iter()
        .rev()
        .find(|(span, function, _)| *function == current && span.lo <= at.lo && at.hi <= span.hi)
        .map(|&(_, _, param)| param)
}

/// Where a function's first subrequest, query and write and its calls are
/// recorded.
type Slots<'f> = (
    &'f mut Option<Evidence>,
    &'f mut Option<Evidence>,
    &'f mut Option<Evidence>,
    &'f mut Vec<Target>,
);

/// The slots of `fact` for what it does under the option at `gate`
/// (its [`Gated`] entry), or always (None).
fn slots(fact: &mut FunctionFact, gate: Option<u32>) -> Slots<'_> {
    let (subrequest, query, write, calls) = match gate {
        Some(param) => {
            let gated = gated_entry(fact, param);
            (
                &mut gated.subrequest,
                &mut gated.query,
                &mut gated.write,
                &mut gated.calls,
            )
        }
        None => (
            &mut fact.subrequest,
            &mut fact.query,
            &mut fact.write,
            &mut fact.calls,
        ),
    };
    (subrequest, query, write, calls)
}

/// The function's [`Gated`] entry for the option at `param`, made if new.
fn gated_entry(fact: &mut FunctionFact, param: u32) -> &mut Gated {
    let at = match fact.gated.iter().position(|g| g.param == param) {
        Some(at) => at,
        None => {
            fact.gated.push(Gated {
                param,
                ..Gated::default()
            });
            fact.gated.len() - 1
        }
    };
    &mut fact.gated[at]
}

/// `if (option) { … }` in a function whose parameter `option` defaults to
/// `false` (`async function load(id, withStats = false)`): what the block
/// does, the function does only when a call sets the option. Tests read:
/// `option`, `option === true`, `option == true`, `!!option`, `option && …`.
pub(crate) fn enter_if(stmt: &IfStmt, cx: &mut FileContext<'_>) {
    let Some(Frame::Function {
        flags: Some(flags), ..
    }) = cx.model.function()
    else {
        return;
    };
    let Some(name) = option_tested(&stmt.test) else {
        return;
    };
    let Some(&(param, _)) = flags.iter().find(|(_, n)| n == name) else {
        return;
    };
    let Some(&current) = cx.db.walk.function_stack.last() else {
        return;
    };
    cx.db
        .walk
        .gates
        .push((swc_core::common::Spanned::span(&*stmt.cons), current, param));
}

/// The name a test requires to be truthy: `x`, `x === true`, `!!x`, `x && y`.
fn option_tested(test: &Expr) -> Option<&Atom> {
    match unwrap_expr(test) {
        Expr::Ident(id) => Some(&id.sym),
        Expr::Bin(b) if matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq) => {
            let is_true = |e: &Expr| matches!(unwrap_expr(e), Expr::Lit(Lit::Bool(t)) if t.value);
            match (unwrap_expr(&b.left), unwrap_expr(&b.right)) {
                (Expr::Ident(id), other) | (other, Expr::Ident(id)) if is_true(other) => {
                    Some(&id.sym)
                }
                _ => None,
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            option_tested(&b.left).or_else(|| option_tested(&b.right))
        }
        Expr::Unary(u) if u.op == UnaryOp::Bang => match unwrap_expr(&u.arg) {
            Expr::Unary(inner) if inner.op == UnaryOp::Bang => option_tested(&inner.arg),
            _ => None,
        },
        _ => None,
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
    gated,
});
wire_struct!(Gated {
    param,
    subrequest,
    query,
    write,
    calls,
});
wire_struct!(Target {
    called,
    truthy_args,
});
wire_enum!(Called { 0 => Name(a), 1 => This(a), 2 => Member(a, b) });
wire_enum!(Effect { 0 => Subrequest, 1 => Query, 2 => Io, 3 => Write });
wire_enum!(Arg { 0 => Var(a), 1 => New(a) });

impl Default for Called {
    fn default() -> Self {
        Called::Name(Atom::default())
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
