//! Reading the AST: unwrapping, dotted paths, chains and pattern names.
//! Purely syntactic: nothing here knows what a name is bound to.

use std::cell::RefCell;
use std::rc::Rc;

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

/// The identifier (or `this`) a member/call chain starts from, without a
/// copy: `Some(Some(ident))`, `Some(None)` for `this`, `None` when the chain
/// has no such root.
pub fn root_name(expr: &Expr) -> Option<Option<&Ident>> {
    match expr {
        Expr::Ident(id) => Some(Some(id)),
        Expr::Member(m) => root_name(&m.obj),
        Expr::This(_) => Some(None),
        Expr::Call(c) => match &c.callee {
            Callee::Expr(e) => root_name(e),
            _ => None,
        },
        Expr::Paren(p) => root_name(&p.expr),
        Expr::TsNonNull(n) => root_name(&n.expr),
        Expr::TsAs(a) => root_name(&a.expr),
        _ => None,
    }
}

/// The name a member/call chain starts from: `env` in `env.KV.get`, `this`
/// for `this.x.y()`.
pub fn member_root(expr: &Expr) -> Option<Atom> {
    root_name(expr).map(|root| root.map_or_else(|| "this".into(), |id| id.sym.clone()))
}

/// Some link of the member/call chain `expr` (itself, its object, its
/// callee, and so on down to the root) satisfies `test`.
pub fn chain_any(expr: &Expr, test: impl Fn(&Expr) -> bool) -> bool {
    let mut e = unwrap_expr(expr);
    loop {
        if test(e) {
            return true;
        }
        e = match e {
            Expr::Member(m) => unwrap_expr(&m.obj),
            Expr::Call(c) => match &c.callee {
                Callee::Expr(x) => unwrap_expr(x),
                _ => return false,
            },
            _ => return false,
        };
    }
}

/// A call as the chain readers see it, plain (`a.b(x)`) or a link of an
/// optional chain (`a?.b(x)`, `a?.b.c(x)`, whose calls swc parses as
/// `OptCall`s, not `CallExpr`s): its span, callee and arguments.
#[derive(Clone, Copy)]
pub struct CallView<'a> {
    pub span: Span,
    /// `None` for `super(…)` and `import(…)`.
    pub callee: Option<&'a Expr>,
    pub args: &'a [ExprOrSpread],
}

impl<'a> From<&'a CallExpr> for CallView<'a> {
    fn from(call: &'a CallExpr) -> Self {
        CallView {
            span: call.span,
            callee: match &call.callee {
                Callee::Expr(e) => Some(e),
                _ => None,
            },
            args: &call.args,
        }
    }
}

impl<'a> From<&'a OptCall> for CallView<'a> {
    fn from(call: &'a OptCall) -> Self {
        CallView {
            span: call.span,
            callee: Some(&call.callee),
            args: &call.args,
        }
    }
}

/// The call `expr` is, plain or in an optional chain: `f(x)`, `a?.b(x)`.
pub fn as_call(expr: &Expr) -> Option<CallView<'_>> {
    match expr {
        Expr::Call(c) => Some(c.into()),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Call(c) => Some(c.into()),
            OptChainBase::Member(_) => None,
        },
        _ => None,
    }
}

/// The member access `expr` is, plain or in an optional chain: `a.b`,
/// `a?.b`, the `.c` of `a?.b.c`.
pub fn as_member(expr: &Expr) -> Option<&MemberExpr> {
    match expr {
        Expr::Member(m) => Some(m),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => Some(m),
            OptChainBase::Call(_) => None,
        },
        _ => None,
    }
}

/// The callee as a dotted path when it is one: `Promise.all`, `console.log`,
/// `fetch`, `db.select`.
///
/// Memoized for the last call asked about: most rules ask for the callee of
/// the call the walk is at, and building the path allocates.
pub fn callee_path(call: &CallExpr) -> Option<Rc<str>> {
    CALLEE_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((at, span, path)) = &*memo {
            if std::ptr::eq(*at, call) && *span == call.span {
                return path.clone();
            }
        }
        let path = match &call.callee {
            // Built in a reused buffer: one allocation (the Rc) per call.
            Callee::Expr(e) => PATH_BUFFER.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                buffer.clear();
                push_expr_path(e, &mut buffer).then(|| Rc::from(buffer.as_str()))
            }),
            _ => None,
        };
        *memo = Some((call, call.span, path.clone()));
        path
    })
}

type CalleeMemo = Option<(*const CallExpr, Span, Option<Rc<str>>)>;

thread_local! {
    static CALLEE_MEMO: RefCell<CalleeMemo> = const { RefCell::new(None) };
    static PATH_BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Forgets the memoized callee: a new file's nodes may reuse old addresses.
pub fn forget_callee_memo() {
    CALLEE_MEMO.with(|memo| memo.borrow_mut().take());
}

/// `callee_path(call) == Some(path)`, read off the callee without building
/// (or memoizing) its path: most calls are not the one a rule looks for.
pub fn callee_is(call: &CallExpr, path: &str) -> bool {
    match &call.callee {
        Callee::Expr(e) => expr_path_is(e, path),
        _ => false,
    }
}

/// `expr_path(expr) == Some(path)`, without building the path.
fn expr_path_is(expr: &Expr, path: &str) -> bool {
    match expr {
        Expr::Ident(id) => &*id.sym == path,
        Expr::This(_) => path == "this",
        Expr::Member(m) => {
            let MemberProp::Ident(p) = &m.prop else {
                return false;
            };
            path.strip_suffix(&*p.sym)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|rest| expr_path_is(&m.obj, rest))
        }
        Expr::Paren(p) => expr_path_is(&p.expr, path),
        Expr::TsNonNull(n) => expr_path_is(&n.expr, path),
        _ => false,
    }
}

/// A dotted path for identifiers and static member chains.
pub fn expr_path(expr: &Expr) -> Option<String> {
    let mut path = String::new();
    push_expr_path(expr, &mut path).then_some(path)
}

/// Appends `expr`'s dotted path to `out`; false if it has none.
fn push_expr_path(expr: &Expr, out: &mut String) -> bool {
    match expr {
        Expr::Ident(id) => out.push_str(&id.sym),
        Expr::This(_) => out.push_str("this"),
        Expr::Member(m) => {
            let MemberProp::Ident(p) = &m.prop else {
                return false;
            };
            if !push_expr_path(&m.obj, out) {
                return false;
            }
            out.push('.');
            out.push_str(&p.sym);
        }
        Expr::Paren(p) => return push_expr_path(&p.expr, out),
        Expr::TsNonNull(n) => return push_expr_path(&n.expr, out),
        _ => return false,
    }
    true
}

/// The method name of a member call: `get` in `env.KV.get(k)`.
pub fn method_name(call: &CallExpr) -> Option<&Atom> {
    match &call.callee {
        Callee::Expr(e) => match &**e {
            Expr::Member(m) => match &m.prop {
                MemberProp::Ident(p) => Some(&p.sym),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Names a pattern binds.
pub fn pat_names(pat: &Pat, out: &mut Vec<Atom>) {
    match pat {
        Pat::Ident(b) => out.push(b.id.sym.clone()),
        Pat::Array(a) => {
            for p in a.elems.iter().flatten() {
                pat_names(p, out);
            }
        }
        Pat::Rest(r) => pat_names(&r.arg, out),
        Pat::Object(o) => {
            for p in &o.props {
                match p {
                    ObjectPatProp::KeyValue(kv) => pat_names(&kv.value, out),
                    ObjectPatProp::Assign(a) => out.push(a.key.sym.clone()),
                    ObjectPatProp::Rest(r) => pat_names(&r.arg, out),
                }
            }
        }
        Pat::Assign(a) => pat_names(&a.left, out),
        _ => {}
    }
}

/// The identifiers a pattern binds (or, as an assignment target, writes).
pub fn pat_idents<'p>(pat: &'p Pat, out: &mut Vec<&'p Ident>) {
    match pat {
        Pat::Ident(b) => out.push(&b.id),
        Pat::Array(a) => array_pat_idents(a, out),
        Pat::Rest(r) => pat_idents(&r.arg, out),
        Pat::Object(o) => object_pat_idents(o, out),
        Pat::Assign(a) => pat_idents(&a.left, out),
        _ => {}
    }
}

/// [`pat_idents`] of `[a, b]`.
pub fn array_pat_idents<'p>(a: &'p ArrayPat, out: &mut Vec<&'p Ident>) {
    for p in a.elems.iter().flatten() {
        pat_idents(p, out);
    }
}

/// [`pat_idents`] of `{ a, b: c }`.
pub fn object_pat_idents<'p>(o: &'p ObjectPat, out: &mut Vec<&'p Ident>) {
    for p in &o.props {
        match p {
            ObjectPatProp::KeyValue(kv) => pat_idents(&kv.value, out),
            ObjectPatProp::Assign(a) => out.push(&a.key.id),
            ObjectPatProp::Rest(r) => pat_idents(&r.arg, out),
        }
    }
}

/// The identifier a call's callee chain starts from: `console` in
/// `console.log(…)`, `fetch` in `fetch(…)`.
pub fn callee_root(call: &CallExpr) -> Option<&Ident> {
    match &call.callee {
        Callee::Expr(e) => root_name(e)?,
        _ => None,
    }
}

/// Strips parentheses and TS wrappers (`(x as T)!`).
pub fn unwrap_expr(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(a) => &a.expr,
            Expr::TsNonNull(n) => &n.expr,
            Expr::TsSatisfies(s) => &s.expr,
            Expr::TsTypeAssertion(t) => &t.expr,
            Expr::TsConstAssertion(c) => &c.expr,
            _ => return expr,
        }
    }
}

/// The class a TypeScript annotation names (`svc: GithubService`), if it
/// is a plain reference.
pub fn annotated_class(ann: Option<&TsTypeAnn>) -> Option<String> {
    match &*ann?.type_ann {
        TsType::TsTypeRef(TsTypeRef {
            type_name: TsEntityName::Ident(id),
            ..
        }) => Some(id.sym.as_str().to_owned()),
        _ => None,
    }
}

/// The value a condition has in the deployed Worker when the build decides
/// it: bundlers replace `process.env.NODE_ENV` with `"production"`
/// (wrangler and Vite in a build, unless told otherwise) and Vite's
/// `import.meta.env.DEV`/`PROD` with `false`/`true`, then drop the dead
/// branch and whatever it imports (esbuild bundles no `import()` there).
/// `None`: decided at run time.
pub fn build_constant(test: &Expr) -> Option<bool> {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => build_constant(&u.arg).map(|v| !v),
        Expr::Bin(b) => match b.op {
            BinaryOp::LogicalAnd => match (build_constant(&b.left), build_constant(&b.right)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            BinaryOp::LogicalOr => match (build_constant(&b.left), build_constant(&b.right)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            BinaryOp::EqEqEq | BinaryOp::EqEq | BinaryOp::NotEqEq | BinaryOp::NotEq => {
                let equal =
                    mode_equals(&b.left, &b.right).or_else(|| mode_equals(&b.right, &b.left))?;
                Some(if matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq) {
                    equal
                } else {
                    !equal
                })
            }
            _ => None,
        },
        e => match import_meta_env(e)? {
            "DEV" => Some(false),
            "PROD" => Some(true),
            _ => None,
        },
    }
}

/// Whether the build's mode (`process.env.NODE_ENV`, `import.meta.env.MODE`:
/// "production") equals the string `value`, when `mode` reads it.
fn mode_equals(mode: &Expr, value: &Expr) -> Option<bool> {
    let Expr::Lit(Lit::Str(s)) = unwrap_expr(value) else {
        return None;
    };
    let reads_mode = expr_path(unwrap_expr(mode)).is_some_and(|p| p == "process.env.NODE_ENV")
        || import_meta_env(unwrap_expr(mode)) == Some("MODE");
    reads_mode.then(|| s.value.as_str() == Some("production"))
}

/// `X` of `import.meta.env.X`.
fn import_meta_env(expr: &Expr) -> Option<&str> {
    let Expr::Member(outer) = expr else {
        return None;
    };
    let Expr::Member(env) = unwrap_expr(&outer.obj) else {
        return None;
    };
    let is_import_meta =
        matches!(unwrap_expr(&env.obj), Expr::MetaProp(m) if m.kind == MetaPropKind::ImportMeta);
    let env_named = matches!(&env.prop, MemberProp::Ident(p) if &*p.sym == "env");
    match &outer.prop {
        MemberProp::Ident(p) if is_import_meta && env_named => Some(&p.sym),
        _ => None,
    }
}

#[cfg(test)]
mod build_constant_tests {
    use super::build_constant;
    use swc_core::ecma::ast::{Expr, ModuleItem, Stmt};

    fn value(condition: &str) -> Option<bool> {
        let program = crate::syntax::parse("t.ts", &format!("({condition});"), None).unwrap();
        let swc_core::ecma::ast::Program::Module(m) = program else {
            unreachable!()
        };
        let ModuleItem::Stmt(Stmt::Expr(e)) = &m.body[0] else {
            unreachable!()
        };
        let e: &Expr = &e.expr;
        build_constant(e)
    }

    #[test]
    fn the_build_mode_decides_these_conditions_and_not_others() {
        assert_eq!(value("process.env.NODE_ENV === 'development'"), Some(false));
        assert_eq!(value("'production' == process.env.NODE_ENV"), Some(true));
        assert_eq!(value("process.env.NODE_ENV !== 'production'"), Some(false));
        assert_eq!(value("!(process.env.NODE_ENV === 'test')"), Some(true));
        assert_eq!(value("import.meta.env.DEV"), Some(false));
        assert_eq!(value("import.meta.env.PROD && ready"), None);
        assert_eq!(value("import.meta.env.DEV && ready"), Some(false));
        assert_eq!(
            value("import.meta.env.MODE === 'development' || debug"),
            None
        );
        assert_eq!(value("process.env.DEBUG === 'true'"), None);
        assert_eq!(value("env.NODE_ENV === 'development'"), None);
        assert_eq!(value("NODE_ENV === 'development'"), None);
    }
}
