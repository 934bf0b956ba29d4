//! What each function does, for the effect summaries across files: the
//! first subrequest and the first database query it makes itself, and the
//! functions it calls (resolved to other files' functions after every file
//! was walked, in `summaries`). Recorded during the one traversal.

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::FileContext;
use crate::semantic::scope::Frame;
use crate::syntax::ast::unwrap_expr;
use crate::syntax::text::collapse_whitespace;

/// Where a function does something, as a finding quotes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub line: u32,
    pub column: u32,
    /// The call as written, on one line (shortened).
    pub text: String,
}

/// A function of the file and what it does itself.
#[derive(Debug, Clone, Default)]
pub struct FunctionFact {
    /// Its name (declaration, method, or the variable it is bound to).
    pub name: Option<String>,
    /// Declared at the module's top level (not nested in another function).
    pub top_level: bool,
    pub line: u32,
    /// The first call that leaves the Worker and is not a database query:
    /// `fetch`, a binding (KV, R2, Queue, Durable Object, service).
    pub subrequest: Option<Evidence>,
    /// The first database query it runs.
    pub query: Option<Evidence>,
    /// The functions it calls, as written.
    pub calls: Vec<Target>,
}

/// A call's target as written: what the summaries resolve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// `save(x)`: a function of this file or an imported one.
    Name(String),
    /// `this.save(x)`: a method of the same class.
    This(String),
    /// `items.save(x)` with `import * as items`, `d.get()` with
    /// `const d = new Driver()`, `this.driver.get()` with
    /// `this.driver = new Driver()`.
    Member(String, String),
}

impl Target {
    /// As written, for messages: `save`, `this.save`, `items.save`.
    pub fn text(&self) -> String {
        match self {
            Target::Name(n) => n.clone(),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A subrequest that is not a database query.
    Subrequest,
    /// A database query.
    Query,
}

/// The call target of `call`, when it may be a project function: an
/// identifier that is not a global the runtime provides, `this.m`, or a
/// member of an identifier.
pub fn target_of(call: &CallExpr, cx: &FileContext<'_>) -> Option<Target> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap_expr(callee) {
        Expr::Ident(id) => {
            // An unbound name is a global (fetch, setTimeout, structuredClone).
            is_bound(cx, id).then(|| Target::Name(id.sym.to_string()))
        }
        Expr::Member(m) => {
            let MemberProp::Ident(prop) = &m.prop else {
                return None;
            };
            match unwrap_expr(&m.obj) {
                Expr::This(_) => Some(Target::This(prop.sym.to_string())),
                // `this.driver.get()`: a method of the instance in a field.
                Expr::Member(inner) => match (unwrap_expr(&inner.obj), &inner.prop) {
                    (Expr::This(_), MemberProp::Ident(field)) => Some(Target::Member(
                        format!("this.{}", field.sym),
                        prop.sym.to_string(),
                    )),
                    _ => None,
                },
                Expr::Ident(obj) if is_bound(cx, obj) => {
                    Some(Target::Member(obj.sym.to_string(), prop.sym.to_string()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `const d = new Driver()`, `this.driver = new Driver()`: (the variable or
/// `this.field`, the class as written), so that `d.get()` names
/// `Driver`'s `get`.
pub(crate) fn record_instance(target: &str, value: &Expr, cx: &mut FileContext<'_>) {
    if let Expr::New(new) = unwrap_expr(value) {
        if let Expr::Ident(class) = unwrap_expr(&new.callee) {
            cx.db
                .instances
                .push((target.to_string(), class.sym.to_string()));
        }
    }
}

/// `id` names a binding of the file (a declaration or an import), not a
/// global.
fn is_bound(cx: &FileContext<'_>, id: &Ident) -> bool {
    !cx.is_unbound(id)
}

pub(crate) fn enter_function(frame: &Frame, cx: &mut FileContext<'_>) {
    let Frame::Function { span, name, .. } = frame else {
        return;
    };
    let top_level = cx.db.walk.function_stack.is_empty();
    let line = cx.loc(*span).line;
    cx.db.walk.function_stack.push(cx.db.functions.len());
    cx.db.functions.push(FunctionFact {
        name: name.as_ref().map(|n| n.to_string()),
        top_level,
        line,
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
    let (subrequest, query) = (
        functions[done].subrequest.clone(),
        functions[done].query.clone(),
    );
    let parent = &mut functions[parent];
    parent.subrequest = parent.subrequest.take().or(subrequest);
    parent.query = parent.query.take().or(query);
    for target in child {
        if !parent.calls.contains(&target) {
            parent.calls.push(target);
        }
    }
}

/// Where `span` is and its text, shortened, as a finding quotes it.
fn evidence(span: Span, cx: &FileContext<'_>) -> Evidence {
    let loc = cx.loc(span);
    Evidence {
        line: loc.line,
        column: loc.column,
        text: match collapse_whitespace(&cx.snippet(span), 60) {
            (text, true) => format!("{text}…"),
            (text, false) => text,
        },
    }
}

/// `new C()` at module scope runs at startup (the bundler keeps it).
pub(crate) fn enter_new(new: &NewExpr, cx: &mut FileContext<'_>) {
    if cx.db.walk.function_stack.is_empty() && cx.db.module_call.is_none() {
        cx.db.module_call = Some(evidence(new.span, cx));
    }
}

pub(crate) fn enter_call(call: &CallExpr, cx: &mut FileContext<'_>) {
    if let Some(request) = crate::semantic::graph::call_request(call) {
        cx.db.requests.push(request);
    }
    let Some(&current) = cx.db.walk.function_stack.last() else {
        if cx.db.module_call.is_none() {
            cx.db.module_call = Some(evidence(call.span, cx));
        }
        return;
    };
    if cx.db.query_at(call.span).is_some() {
        if cx.db.functions[current].query.is_none() {
            cx.db.functions[current].query = Some(evidence(call.span, cx));
        }
    } else if cx.is_subrequest(call) {
        if cx.db.functions[current].subrequest.is_none() {
            cx.db.functions[current].subrequest = Some(evidence(call.span, cx));
        }
    } else if let Some(callee) = target_of(call, cx) {
        // Duplicates are dropped when the function is left.
        cx.db.functions[current].calls.push(callee);
    }
}
