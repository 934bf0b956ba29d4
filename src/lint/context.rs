//! The shared context every rule sees: where the walk is (functions, loops,
//! iteration callbacks, request handlers), which names are bound where, and
//! helpers that answer the questions many rules ask ("does this call leave the
//! Worker?"). Built once per file, during the one traversal.

use std::cell::RefCell;
use std::rc::Rc;

use crate::collections::{HashMap, HashSet};

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use super::position::LineIndex;
use super::{RuleMeta, START};
use crate::analyze::ProjectInfo;
use crate::report::{docs_url, Diagnostic, Severity};

/// The nodes rules can hook. `Enter` and `exit` see the same set.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Program(&'a Program),
    /// A statement list: a block body, a function body or a switch case.
    Stmts(&'a [Stmt]),
    /// The module's top-level items.
    ModuleItems(&'a [ModuleItem]),
    Stmt(&'a Stmt),
    ExprStmt(&'a ExprStmt),
    Call(&'a CallExpr),
    New(&'a NewExpr),
    Await(&'a AwaitExpr),
    Import(&'a ImportDecl),
    ExportAll(&'a ExportAll),
    NamedExport(&'a NamedExport),
    VarDecl(&'a VarDecl),
    VarDeclarator(&'a VarDeclarator),
    Assign(&'a AssignExpr),
    Update(&'a UpdateExpr),
    Object(&'a ObjectLit),
    Array(&'a ArrayLit),
    Member(&'a MemberExpr),
    Return(&'a ReturnStmt),
    /// A function, arrow, method or constructor body is entered / left.
    Function(&'a Frame),
    /// A loop statement (its body is walked inside a `Frame::Loop`).
    Loop(&'a Stmt),
    /// An identifier: a reference, or a binding name in a pattern (property
    /// names of member expressions and object keys are not identifiers).
    Ident(&'a Ident),
}

/// The kind of a [`Node`], without its data: rules list the kinds they act on
/// so that the walker dispatches each node only to the rules that want it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Program,
    Stmts,
    ModuleItems,
    Stmt,
    ExprStmt,
    Call,
    New,
    Await,
    Import,
    ExportAll,
    NamedExport,
    VarDecl,
    VarDeclarator,
    Assign,
    Update,
    Object,
    Array,
    Member,
    Return,
    Function,
    Loop,
    /// Delivered only while `LintContext::wants_idents` is set: a rule that
    /// asks for identifiers sets it while it tracks names (identifiers are
    /// most of the nodes).
    Ident,
}

impl NodeKind {
    /// How many kinds there are.
    pub const COUNT: usize = NodeKind::Ident as usize + 1;
    /// Every kind: the default interest of a rule.
    pub const ALL: &'static [NodeKind] = &[
        NodeKind::Program,
        NodeKind::Stmts,
        NodeKind::ModuleItems,
        NodeKind::Stmt,
        NodeKind::ExprStmt,
        NodeKind::Call,
        NodeKind::New,
        NodeKind::Await,
        NodeKind::Import,
        NodeKind::ExportAll,
        NodeKind::NamedExport,
        NodeKind::VarDecl,
        NodeKind::VarDeclarator,
        NodeKind::Assign,
        NodeKind::Update,
        NodeKind::Object,
        NodeKind::Array,
        NodeKind::Member,
        NodeKind::Return,
        NodeKind::Function,
        NodeKind::Loop,
        NodeKind::Ident,
    ];
    /// The nodes `imports::module_ref` reads.
    pub const MODULE_REFS: &'static [NodeKind] = &[
        NodeKind::Import,
        NodeKind::NamedExport,
        NodeKind::ExportAll,
        NodeKind::Call,
    ];
}

impl Node<'_> {
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::Program(_) => NodeKind::Program,
            Node::Stmts(_) => NodeKind::Stmts,
            Node::ModuleItems(_) => NodeKind::ModuleItems,
            Node::Stmt(_) => NodeKind::Stmt,
            Node::ExprStmt(_) => NodeKind::ExprStmt,
            Node::Call(_) => NodeKind::Call,
            Node::New(_) => NodeKind::New,
            Node::Await(_) => NodeKind::Await,
            Node::Import(_) => NodeKind::Import,
            Node::ExportAll(_) => NodeKind::ExportAll,
            Node::NamedExport(_) => NodeKind::NamedExport,
            Node::VarDecl(_) => NodeKind::VarDecl,
            Node::VarDeclarator(_) => NodeKind::VarDeclarator,
            Node::Assign(_) => NodeKind::Assign,
            Node::Update(_) => NodeKind::Update,
            Node::Object(_) => NodeKind::Object,
            Node::Array(_) => NodeKind::Array,
            Node::Member(_) => NodeKind::Member,
            Node::Return(_) => NodeKind::Return,
            Node::Function(_) => NodeKind::Function,
            Node::Loop(_) => NodeKind::Loop,
            Node::Ident(_) => NodeKind::Ident,
        }
    }
}

/// What encloses the current node, innermost last.
#[derive(Debug, Clone)]
pub enum Frame {
    Function {
        span: Span,
        is_async: bool,
        /// A request handler: `fetch`/`scheduled`/`queue`/`email` of the default
        /// export or a Durable Object, or a route callback (`app.get(…, cb)`).
        is_handler: bool,
        /// Name when it has one (declaration, method, or variable it is bound to).
        name: Option<Atom>,
        /// Parameter names (shared: the walker passes the frame to the rules
        /// and keeps it on the stack).
        params: Rc<[Atom]>,
        /// Set when the function is the callback of an array method
        /// (`xs.map(cb)`): the method name.
        iteration_method: Option<Atom>,
        /// Set when the callback is `Promise.all(xs.map(cb))`-style.
        in_promise_combinator: bool,
    },
    Loop {
        span: Span,
        kind: LoopKind,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    For,
    ForIn,
    ForOf,
    ForAwaitOf,
    While,
    DoWhile,
}

/// Array methods whose callback runs once per element.
pub const ITERATION_METHODS: &[&str] = &[
    "map",
    "forEach",
    "filter",
    "reduce",
    "reduceRight",
    "flatMap",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "sort",
];

pub struct LintContext<'a> {
    pub path: &'a str,
    /// Bindings and flags from the wrangler config (empty without one).
    pub project: &'a ProjectInfo,
    pub source: &'a str,
    index: &'a LineIndex<'a>,
    pub(crate) frames: Vec<Frame>,
    /// Lexical scopes, innermost last; index 0 is the module scope.
    pub(crate) scopes: Vec<Scope>,
    /// Names bound to `drizzle(...)` results (Drizzle database handles).
    pub db_names: HashSet<Atom>,
    /// Names bound to Worker bindings (`const { CACHE } = env`) or to `env`.
    pub env_names: HashSet<Atom>,
    /// Module-scope functions declared `async` (calls return promises).
    pub async_functions: HashSet<Atom>,
    /// Facts for the project-wide database checks.
    pub db: crate::db::FileFacts,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) current_rule: Option<(&'static RuleMeta, Severity)>,
    /// Some rule needs to see identifiers right now (they are most of the
    /// nodes, so the walker skips them otherwise).
    pub(crate) wants_idents: bool,
}

#[derive(Debug, Default)]
pub struct Scope {
    pub bindings: HashMap<Atom, BindingKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    Const,
    Let,
    Var,
    Function,
    Class,
    Param,
    Import,
}

impl<'a> LintContext<'a> {
    pub(crate) fn new(
        path: &'a str,
        source: &'a str,
        index: &'a LineIndex<'a>,
        program: &Program,
        project: &'a ProjectInfo,
    ) -> LintContext<'a> {
        let mut cx = LintContext {
            path,
            project,
            source,
            index,
            frames: Vec::new(),
            scopes: vec![Scope::default()],
            db_names: HashSet::default(),
            env_names: ["env".into()].into_iter().collect(),
            async_functions: HashSet::default(),
            db: Default::default(),
            diagnostics: Vec::new(),
            wants_idents: false,
            current_rule: None,
        };
        // Module-scope declarations are known before the walk, as hoisting
        // makes them visible everywhere in the module.
        if let Program::Module(m) = program {
            for item in &m.body {
                match item {
                    ModuleItem::Stmt(s) => cx.declare_stmt(s),
                    ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => cx.declare_decl(&e.decl),
                    ModuleItem::ModuleDecl(ModuleDecl::Import(i)) => {
                        for s in &i.specifiers {
                            let local = match s {
                                ImportSpecifier::Named(n) => &n.local,
                                ImportSpecifier::Default(d) => &d.local,
                                ImportSpecifier::Namespace(n) => &n.local,
                            };
                            cx.declare(local.sym.clone(), BindingKind::Import);
                        }
                    }
                    _ => {}
                }
            }
        } else if let Program::Script(s) = program {
            for stmt in &s.body {
                cx.declare_stmt(stmt);
            }
        }
        cx
    }

    // ----- reporting -----

    /// Reports a finding of the rule being run at `span`.
    pub fn report(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        let Some((meta, severity)) = self.current_rule else {
            return;
        };
        let (line, column) = self.index.position(span.lo.0.saturating_sub(START));
        let (end_line, end_column) = self.index.position(span.hi.0.saturating_sub(START));
        self.diagnostics.push(Diagnostic {
            rule: meta.id.into(),
            severity,
            category: meta.category,
            message: message.into(),
            file: Some(self.path.into()),
            line: Some(line),
            column: Some(column),
            end_line: Some(end_line),
            end_column: Some(end_column),
            help: help.into(),
            docs: docs_url(meta.id),
        });
    }

    /// The source text of a node, for messages (`env.KV.get(key)`), shortened
    /// to one line of at most 60 characters.
    pub fn snippet(&self, span: Span) -> String {
        let lo = span.lo.0.saturating_sub(START) as usize;
        let hi = (span.hi.0.saturating_sub(START) as usize).min(self.source.len());
        one_line(self.source.get(lo..hi).unwrap_or(""))
    }

    /// Where a node is (1-based lines, UTF-16 columns), for facts reported
    /// after the walk.
    pub fn loc(&self, span: Span) -> crate::db::query::Loc {
        let (line, column) = self.index.position(span.lo.0.saturating_sub(START));
        let (end_line, end_column) = self.index.position(span.hi.0.saturating_sub(START));
        crate::db::query::Loc {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// 1-based line of a span's start.
    pub fn line_of(&self, span: Span) -> u32 {
        self.index.line(span.lo.0.saturating_sub(START))
    }

    // ----- where we are -----

    /// The frames from outermost to innermost.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// At module scope: no enclosing function.
    pub fn at_module_scope(&self) -> bool {
        !self
            .frames
            .iter()
            .any(|f| matches!(f, Frame::Function { .. }))
    }

    /// The innermost enclosing function, if any.
    pub fn function(&self) -> Option<&Frame> {
        self.frames
            .iter()
            .rev()
            .find(|f| matches!(f, Frame::Function { .. }))
    }

    /// The innermost loop or per-element callback that repeats the current
    /// node, without crossing a function boundary other than that callback.
    /// Returns a description ("for-of", "xs.map callback").
    pub fn repeating(&self) -> Option<Repeat> {
        match self.frames.last()? {
            Frame::Loop { kind, span } => Some(Repeat {
                span: *span,
                kind: Some(*kind),
                method: None,
                in_promise_combinator: false,
            }),
            Frame::Function {
                iteration_method: Some(m),
                span,
                in_promise_combinator,
                ..
            } => Some(Repeat {
                span: *span,
                kind: None,
                method: Some(m.clone()),
                in_promise_combinator: *in_promise_combinator,
            }),
            Frame::Function { .. } => None,
        }
    }

    /// Inside a request handler (at any depth of nested functions).
    pub fn in_handler(&self) -> bool {
        self.frames.iter().any(|f| {
            matches!(
                f,
                Frame::Function {
                    is_handler: true,
                    ..
                }
            )
        })
    }

    // ----- bindings -----

    pub(crate) fn declare(&mut self, name: Atom, kind: BindingKind) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.bindings.insert(name, kind);
        }
    }

    pub(crate) fn declare_pat(&mut self, pat: &Pat, kind: BindingKind) {
        if let Pat::Ident(b) = pat {
            return self.declare(b.id.sym.clone(), kind);
        }
        let mut names = Vec::new();
        pat_names(pat, &mut names);
        for n in names {
            self.declare(n, kind);
        }
    }

    pub(crate) fn declare_var(&mut self, v: &VarDecl) {
        let kind = match v.kind {
            VarDeclKind::Const => BindingKind::Const,
            VarDeclKind::Let => BindingKind::Let,
            VarDeclKind::Var => BindingKind::Var,
        };
        for d in &v.decls {
            self.declare_pat(&d.name, kind);
        }
    }

    pub(crate) fn declare_decl(&mut self, decl: &Decl) {
        match decl {
            Decl::Var(v) => self.declare_var(v),
            Decl::Fn(f) => {
                if f.function.is_async {
                    self.async_functions.insert(f.ident.sym.clone());
                }
                self.declare(f.ident.sym.clone(), BindingKind::Function)
            }
            Decl::Class(c) => self.declare(c.ident.sym.clone(), BindingKind::Class),
            Decl::Using(u) => {
                for d in &u.decls {
                    self.declare_pat(&d.name, BindingKind::Const);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn declare_stmt(&mut self, stmt: &Stmt) {
        if let Stmt::Decl(d) = stmt {
            self.declare_decl(d);
        }
    }

    /// Where `name` is bound from here: `Some((true, kind))` for a module-scope
    /// binding, `Some((false, kind))` for a local one, `None` for a global.
    pub fn resolve(&self, name: &Atom) -> Option<(bool, BindingKind)> {
        for (depth, scope) in self.scopes.iter().enumerate().rev() {
            if let Some(kind) = scope.bindings.get(name) {
                return Some((depth == 0, *kind));
            }
        }
        None
    }

    /// `name` is a module-scope binding not shadowed here.
    pub fn is_module_binding(&self, name: &Atom) -> bool {
        matches!(self.resolve(name), Some((true, _)))
    }

    // ----- what calls do -----

    /// Describes a call that leaves the Worker (a subrequest): `fetch(...)`,
    /// a binding call (`env.KV.get`, `c.env.BUCKET.put`, `this.env.Q.send`,
    /// a destructured binding), or a Drizzle query on a known database.
    /// Returns the callee's text for messages.
    pub fn subrequest(&self, call: &CallExpr) -> Option<String> {
        self.is_subrequest(call).then(|| self.snippet(call.span))
    }

    /// [`Self::subrequest`] without the text.
    pub fn is_subrequest(&self, call: &CallExpr) -> bool {
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        match &**callee {
            Expr::Ident(id) => id.sym == "fetch" && self.resolve(&id.sym).is_none(),
            Expr::Member(m) => {
                if !matches!(m.prop, MemberProp::Ident(_)) {
                    return false;
                }
                if let Some(root) = root_name(&m.obj) {
                    if self.is_binding_root(&m.obj)
                        || root.is_some_and(|id| self.db_names.contains(&id.sym))
                        || chain_has_context_db(&m.obj)
                    {
                        return true;
                    }
                }
                // globalThis.fetch / self.fetch
                matches!((&*m.obj, &m.prop), (Expr::Ident(obj), MemberProp::Ident(p))
                    if p.sym == "fetch" && (obj.sym == "globalThis" || obj.sym == "self"))
            }
            _ => false,
        }
    }

    /// `expr` is a Worker binding: `env.X`, `c.env.X`, `this.env.X`,
    /// `ctx.env.X`, or a name destructured from env.
    pub fn is_binding_root(&self, expr: &Expr) -> bool {
        match expr {
            // `env.X` (the object of `env.X.get`)
            Expr::Member(m) => match &*m.obj {
                Expr::Ident(id) => self.env_names.contains(&id.sym),
                Expr::Member(inner) => {
                    matches!(&inner.prop, MemberProp::Ident(p) if p.sym == "env")
                }
                _ => false,
            },
            // a binding destructured from env: `const { KV } = env; KV.get()`
            Expr::Ident(id) => self.env_names.contains(&id.sym) && id.sym != "env",
            _ => false,
        }
    }

    /// The call returns a promise as far as the file can tell: a subrequest,
    /// an async function of this file, or a `.then/.catch/.finally` chain.
    pub fn returns_promise(&self, call: &CallExpr) -> bool {
        if self.is_subrequest(call) {
            return true;
        }
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        match &**callee {
            Expr::Ident(id) => {
                self.async_functions.contains(&id.sym) && self.is_module_binding(&id.sym)
            }
            Expr::Member(m) => {
                matches!(&m.prop, MemberProp::Ident(p) if p.sym == "then" || p.sym == "catch" || p.sym == "finally")
                    && matches!(&*m.obj, Expr::Call(inner) if self.returns_promise(inner))
            }
            _ => false,
        }
    }
}

/// Where a repeated node repeats.
#[derive(Debug, Clone)]
pub struct Repeat {
    pub span: Span,
    pub kind: Option<LoopKind>,
    pub method: Option<Atom>,
    pub in_promise_combinator: bool,
}

impl Repeat {
    /// "for-of loop", "forEach callback".
    pub fn describe(&self) -> String {
        match (&self.kind, &self.method) {
            (Some(LoopKind::For), _) => "for loop".into(),
            (Some(LoopKind::ForIn), _) => "for-in loop".into(),
            (Some(LoopKind::ForOf), _) => "for-of loop".into(),
            (Some(LoopKind::ForAwaitOf), _) => "for-await-of loop".into(),
            (Some(LoopKind::While), _) => "while loop".into(),
            (Some(LoopKind::DoWhile), _) => "do-while loop".into(),
            (None, Some(m)) => format!("{m} callback"),
            (None, None) => "loop".into(),
        }
    }
}

/// The identifier (or `this`) a member/call chain starts from, without a
/// copy: `Some(Some(ident))`, `Some(None)` for `this`, `None` when the chain
/// has no such root.
fn root_name(expr: &Expr) -> Option<Option<&Ident>> {
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
fn chain_has_context_db(expr: &Expr) -> bool {
    chain_any(expr, is_context_db_var)
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
pub(crate) fn forget_callee_memo() {
    CALLEE_MEMO.with(|memo| memo.borrow_mut().take());
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

/// The span of any node, for rules that report on what they matched.
pub fn span_of<T: Spanned>(node: &T) -> Span {
    node.span()
}

/// `text` on one line (whitespace runs collapsed to a space), cut to at most
/// 60 characters with an ellipsis. Reads only as far as the cut: spans can
/// cover whole functions.
pub(crate) fn one_line(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    match collapse_whitespace(text, MAX_CHARS) {
        (line, false) => line,
        (line, true) => {
            let cut: String = line.chars().take(MAX_CHARS - 3).collect();
            format!("{cut}...")
        }
    }
}

/// `text` with each whitespace run collapsed to one space, read only until
/// it has more than `max_chars` characters (a long minified word is taken
/// only that far): the line, and whether it was cut there.
pub(crate) fn collapse_whitespace(text: &str, max_chars: usize) -> (String, bool) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        let mut end = word.len().min((max_chars + 1) * 4);
        while !word.is_char_boundary(end) {
            end -= 1;
        }
        line.push_str(&word[..end]);
        if line.len() > max_chars && line.chars().count() > max_chars {
            return (line, true);
        }
    }
    (line, false)
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_collapses_whitespace_and_cuts_at_60_characters() {
        assert_eq!(one_line("env.KV\n   .get(key)"), "env.KV .get(key)");
        let sixty = "a".repeat(60);
        assert_eq!(one_line(&sixty), sixty);
        let long = format!("{sixty} b");
        assert_eq!(one_line(&long), format!("{}...", "a".repeat(57)));
        // Non-ASCII counts characters, not bytes; a huge word is not copied whole.
        assert_eq!(one_line(&"é".repeat(60)), "é".repeat(60));
        assert_eq!(
            one_line(&"é".repeat(100_000)),
            format!("{}...", "é".repeat(57))
        );
        assert_eq!(one_line("  \n "), "");
    }
}
