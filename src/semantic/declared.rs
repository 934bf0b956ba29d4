//! Which names a file declares, and where: cheaper than the semantic model
//! and enough for most of the rules' binding questions. Two light walks,
//! declaring identifiers only (no scopes, no references, no types):
//!
//! - the module items, once: what each binds at module scope (`var`s in
//!   top-level blocks included);
//! - the inside of one module item, when a question is first asked about a
//!   use in it: the names declared there (parameters, locals, nested
//!   functions and classes). A local's scope never leaves its module item,
//!   so only the item of the use can shadow a module binding there.
//!
//! So a name the use's item does not declare is the module binding of that
//! name, or a global when the module declares none. Anything less plain
//! (a name declared twice at module scope, `declare`, TypeScript
//! declarations, a `var` in a top-level block) is [`Declared::Unknown`]:
//! asked of the model, never answered wrongly. Debug builds check every
//! answer against the model (`FileModel::binding_at`).

use swc_core::atoms::Atom;
use swc_core::common::Spanned;
use swc_core::ecma::ast::*;

use super::scope::BindingKind;
use crate::model::collections::HashMap;
use crate::syntax::ast::pat_idents;
use crate::syntax::probe::{self, Descend, Hooks, Node};

/// What the light walks know of a name where it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// Declared nowhere in scope: a global.
    Nowhere,
    /// The module binding (declared once, plainly, at module scope; not in
    /// the use's module item).
    Module(BindingKind),
    /// Declared in the use's module item and not at module scope: a local
    /// (or a global, out of the local's scope), never a module binding.
    Local,
    /// Ask the semantic model.
    Unknown,
}

/// The names a file declares (see the module doc).
pub struct DeclaredNames<'a> {
    program: &'a Program,
    names: HashMap<Atom, Name>,
    /// Where each module item starts.
    starts: Vec<u32>,
    /// Module items whose inside has been walked.
    walked: Vec<bool>,
    /// The module item being walked.
    item: u32,
    /// In a parameter list (not in a function nested in a default value).
    in_params: bool,
}

/// One declared name.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Name {
    /// Declared at module scope: `Some(kind)` once and plainly, `None`
    /// otherwise (more than once, `declare`, TypeScript, hoisted `var`…).
    module: Option<Option<BindingKind>>,
    /// The first and last module item declaring the name inside (of those
    /// walked).
    local_items: Option<(u32, u32)>,
    /// Where the declaring identifiers that are not function parameters
    /// start: the first and the last (None: parameters only).
    non_params: Option<(u32, u32)>,
}

/// Widens an inclusive range to `at`.
fn widen(range: &mut Option<(u32, u32)>, at: u32) {
    *range = Some(match *range {
        Some((first, last)) => (first.min(at), last.max(at)),
        None => (at, at),
    });
}

impl<'a> DeclaredNames<'a> {
    /// The module-scope declarations of `program` (the insides of its items
    /// are walked on demand).
    pub fn of(program: &'a Program) -> DeclaredNames<'a> {
        let starts: Vec<u32> = match program {
            Program::Module(m) => m.body.iter().map(|i| i.span().lo.0).collect(),
            Program::Script(s) => s.body.iter().map(|s| s.span().lo.0).collect(),
        };
        let mut d = DeclaredNames {
            program,
            names: HashMap::default(),
            walked: vec![false; starts.len()],
            starts,
            item: 0,
            in_params: false,
        };
        d.walk_items(None);
        d
    }

    /// Walks every module item (`None`: their module-scope declarations) or
    /// the inside of one.
    fn walk_items(&mut self, inside: Option<usize>) {
        let range = |len: usize| inside.map_or(0..len, |i| i..i + 1);
        let program = self.program;
        match program {
            Program::Module(m) => {
                for item in &m.body[range(m.body.len())] {
                    self.module_item(item, inside.is_some());
                }
            }
            Program::Script(s) => {
                for stmt in &s.body[range(s.body.len())] {
                    self.stmt(stmt, inside.is_some());
                }
            }
        }
    }

    /// What the file declares of the identifier `name` that starts at `lo`.
    pub fn get(&mut self, name: &Atom, lo: u32) -> Declared {
        let known = self.names.get(name).copied();
        self.at(name, lo, known)
    }

    /// [`Self::get`] where only a module binding matters: a name the module
    /// does not declare is [`Declared::Local`] (a local or a global) without
    /// walking the item of the use.
    pub fn get_module(&mut self, name: &Atom, lo: u32) -> Declared {
        match self.names.get(name).copied() {
            known @ Some(Name {
                module: Some(_), ..
            }) => self.at(name, lo, known),
            _ => Declared::Local,
        }
    }

    /// [`Self::get`], `known` what the walks so far know of `name`.
    fn at(&mut self, name: &Atom, lo: u32, known: Option<Name>) -> Declared {
        if known.is_some_and(|n| n.module == Some(None)) {
            return Declared::Unknown;
        }
        let (item, fresh) = self.item_at(lo);
        let n = if fresh {
            self.names.get(name).copied()
        } else {
            known
        };
        let Some(n) = n else {
            return Declared::Nowhere;
        };
        let here = n
            .local_items
            .is_some_and(|(first, last)| first <= item && item <= last);
        match (n.module, here) {
            (Some(None), _) | (Some(Some(_)), true) => Declared::Unknown,
            (Some(Some(kind)), false) => Declared::Module(kind),
            (None, true) => Declared::Local,
            (None, false) => Declared::Nowhere,
        }
    }

    /// Every declaration of `name` from `lo` to `hi` (a function's span) is
    /// a parameter: inside a function with a parameter of that name, a use
    /// of it is a parameter.
    pub fn params_only(&mut self, name: &Atom, lo: u32, hi: u32) -> bool {
        self.item_at(lo);
        self.names.get(name).is_some_and(|n| {
            n.non_params
                .is_none_or(|(first, last)| last < lo || first >= hi)
        })
    }

    /// The identifier `name` at `lo` is a global or a parameter: the module
    /// does not declare the name, and the use's module item declares it only
    /// as parameters.
    pub fn param_or_global(&mut self, name: &Atom, lo: u32) -> bool {
        let (item, _) = self.item_at(lo);
        let item = item as usize;
        let start = self.starts.get(item).copied().unwrap_or(0);
        let end = self.starts.get(item + 1).copied().unwrap_or(u32::MAX);
        self.names.get(name).is_none_or(|n| {
            n.module.is_none()
                && n.non_params
                    .is_none_or(|(first, last)| last < start || first >= end)
        })
    }

    /// The module item at `lo`, its inside walked (now if `.1`).
    fn item_at(&mut self, lo: u32) -> (u32, bool) {
        let item = self.starts.partition_point(|&start| start <= lo).max(1) - 1;
        let fresh = self.walked.get(item) == Some(&false);
        if fresh {
            self.walked[item] = true;
            self.item = item as u32;
            self.walk_items(Some(item));
        }
        (item as u32, fresh)
    }

    fn name(&mut self, id: &Ident) -> &mut Name {
        self.names.entry(id.sym.clone()).or_default()
    }

    /// `id` is declared at module scope as `kind` (None: a kind the light
    /// walk leaves to the model).
    fn root(&mut self, id: &Ident, kind: Option<BindingKind>) {
        let n = self.name(id);
        n.module = match n.module {
            None => Some(kind),
            Some(_) => Some(None),
        };
        widen(&mut n.non_params, id.span.lo.0);
    }

    /// `id` is declared inside the module item being walked.
    fn local(&mut self, id: &Ident) {
        let (item, param) = (self.item, self.in_params);
        let n = self.name(id);
        widen(&mut n.local_items, item);
        if !param {
            widen(&mut n.non_params, id.span.lo.0);
        }
    }

    /// Walks `f` in a function (not in a parameter list).
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        let in_params = std::mem::replace(&mut self.in_params, false);
        f(self);
        self.in_params = in_params;
    }

    /// Walks a parameter list.
    fn params(&mut self, f: impl FnOnce(&mut Self)) {
        let in_params = std::mem::replace(&mut self.in_params, true);
        f(self);
        self.in_params = in_params;
    }

    /// A module item: what it binds at module scope, or (`inside`) what it
    /// declares inside.
    fn module_item(&mut self, item: &ModuleItem, inside: bool) {
        let decl = match item {
            ModuleItem::Stmt(s) => return self.stmt(s, inside),
            ModuleItem::ModuleDecl(d) => d,
        };
        match decl {
            ModuleDecl::ExportDecl(e) => self.decl(&e.decl, inside),
            ModuleDecl::Import(i) if !inside => {
                for s in &i.specifiers {
                    let (local, type_only) = match s {
                        ImportSpecifier::Named(n) => (&n.local, n.is_type_only),
                        ImportSpecifier::Default(d) => (&d.local, false),
                        ImportSpecifier::Namespace(n) => (&n.local, false),
                    };
                    let kind = (!i.type_only && !type_only).then_some(BindingKind::Import);
                    self.root(local, kind);
                }
            }
            ModuleDecl::ExportDefaultDecl(d) if !inside => {
                let id = match &d.decl {
                    DefaultDecl::Fn(f) => f.ident.as_ref(),
                    DefaultDecl::Class(c) => c.ident.as_ref(),
                    DefaultDecl::TsInterfaceDecl(i) => Some(&i.id),
                };
                if let Some(id) = id {
                    self.root(id, None);
                }
            }
            ModuleDecl::TsImportEquals(i) if !inside => self.root(&i.id, None),
            // `export { x }`, `export * from`: no declaration.
            ModuleDecl::Import(_) | ModuleDecl::ExportNamed(_) | ModuleDecl::ExportAll(_) => {}
            other if inside => probe::walk(other, self),
            _ => {}
        }
    }

    fn stmt(&mut self, stmt: &Stmt, inside: bool) {
        match stmt {
            Stmt::Decl(d) => self.decl(d, inside),
            other if inside => probe::walk(other, self),
            // Blocks, loops, `if`…: their `var`s are module bindings.
            other => self.hoisted_vars(other),
        }
    }

    /// `var`s in the statements of a top-level block, loop, `if`, `try`…
    /// (not in functions): module bindings, left to the model.
    fn hoisted_vars(&mut self, stmt: &Stmt) {
        let var = |d: &mut Self, v: &VarDecl| {
            if v.kind == VarDeclKind::Var {
                for decl in &v.decls {
                    let mut ids = Vec::new();
                    pat_idents(&decl.name, &mut ids);
                    for id in ids {
                        d.root(id, None);
                    }
                }
            }
        };
        match stmt {
            Stmt::Decl(Decl::Var(v)) => var(self, v),
            Stmt::Block(b) => b.stmts.iter().for_each(|s| self.hoisted_vars(s)),
            Stmt::If(i) => {
                self.hoisted_vars(&i.cons);
                if let Some(alt) = &i.alt {
                    self.hoisted_vars(alt);
                }
            }
            Stmt::For(f) => {
                if let Some(VarDeclOrExpr::VarDecl(v)) = &f.init {
                    var(self, v);
                }
                self.hoisted_vars(&f.body);
            }
            Stmt::ForIn(ForInStmt { left, body, .. })
            | Stmt::ForOf(ForOfStmt { left, body, .. }) => {
                if let ForHead::VarDecl(v) = left {
                    var(self, v);
                }
                self.hoisted_vars(body);
            }
            Stmt::While(w) => self.hoisted_vars(&w.body),
            Stmt::DoWhile(w) => self.hoisted_vars(&w.body),
            Stmt::Labeled(l) => self.hoisted_vars(&l.body),
            Stmt::With(w) => self.hoisted_vars(&w.body),
            Stmt::Try(t) => {
                t.block.stmts.iter().for_each(|s| self.hoisted_vars(s));
                if let Some(h) = &t.handler {
                    h.body.stmts.iter().for_each(|s| self.hoisted_vars(s));
                }
                if let Some(f) = &t.finalizer {
                    f.stmts.iter().for_each(|s| self.hoisted_vars(s));
                }
            }
            Stmt::Switch(s) => {
                for case in &s.cases {
                    case.cons.iter().for_each(|s| self.hoisted_vars(s));
                }
            }
            _ => {}
        }
    }

    /// A module-scope declaration: its names, or (`inside`) what its
    /// initializers, bodies and defaults declare.
    fn decl(&mut self, decl: &Decl, inside: bool) {
        match decl {
            Decl::Var(v) => {
                let kind = match v.kind {
                    VarDeclKind::Var => BindingKind::Var,
                    VarDeclKind::Let => BindingKind::Let,
                    VarDeclKind::Const => BindingKind::Const,
                };
                let kind = (!v.declare).then_some(kind);
                for d in &v.decls {
                    self.root_pat(&d.name, kind, inside);
                    if inside {
                        probe::walk(&d.init, self);
                    }
                }
            }
            Decl::Using(u) => {
                for d in &u.decls {
                    self.root_pat(&d.name, Some(BindingKind::Const), inside);
                    if inside {
                        probe::walk(&d.init, self);
                    }
                }
            }
            Decl::Fn(f) if inside => probe::walk(&f.function, self),
            Decl::Fn(f) => {
                let plain = !f.declare && f.function.body.is_some();
                self.root(&f.ident, plain.then_some(BindingKind::Function));
            }
            Decl::Class(c) if inside => probe::walk(&c.class, self),
            Decl::Class(c) => self.root(&c.ident, (!c.declare).then_some(BindingKind::Class)),
            // TypeScript declarations: left to the model.
            other if inside => probe::walk(other, self),
            Decl::TsInterface(i) => self.root(&i.id, None),
            Decl::TsTypeAlias(t) => self.root(&t.id, None),
            Decl::TsEnum(e) => self.root(&e.id, None),
            Decl::TsModule(m) => {
                if let TsModuleName::Ident(id) = &m.id {
                    self.root(id, None);
                }
            }
        }
    }

    /// The names a module-scope binding pattern declares (`kind` None: left
    /// to the model), or (`inside`) what its defaults and computed keys
    /// declare.
    fn root_pat(&mut self, pat: &Pat, kind: Option<BindingKind>, inside: bool) {
        match pat {
            Pat::Ident(b) => {
                if !inside {
                    self.root(&b.id, kind);
                }
            }
            Pat::Array(a) => {
                for p in a.elems.iter().flatten() {
                    self.root_pat(p, kind, inside);
                }
            }
            Pat::Rest(r) => self.root_pat(&r.arg, kind, inside),
            Pat::Object(o) => {
                for prop in &o.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => {
                            if inside {
                                probe::walk(&kv.key, self);
                            }
                            self.root_pat(&kv.value, kind, inside);
                        }
                        ObjectPatProp::Assign(a) if inside => probe::walk(&a.value, self),
                        ObjectPatProp::Assign(a) => self.root(&a.key.id, kind),
                        ObjectPatProp::Rest(r) => self.root_pat(&r.arg, kind, inside),
                    }
                }
            }
            Pat::Assign(a) => {
                self.root_pat(&a.left, kind, inside);
                if inside {
                    probe::walk(&a.right, self);
                }
            }
            Pat::Expr(e) if inside => probe::walk(e, self),
            Pat::Expr(_) | Pat::Invalid(_) => {}
        }
    }
}

/// Inside a module item every declaring identifier is a local. References
/// are skipped (the walk never reaches them as identifiers), and so are
/// types, which declare no values.
impl Hooks for DeclaredNames<'_> {
    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            // Parameters and body; also a named function expression's own name.
            Node::Function(f) => self.nested(|d| probe::children(f, d)),
            Node::FnExpr(f) => self.nested(|d| probe::children(f, d)),
            Node::Arrow(a) => self.nested(|d| {
                d.params(|d| probe::walk(&a.params, d));
                probe::walk(&a.body, d);
            }),
            Node::Param(p) => {
                probe::walk(&p.decorators, self);
                self.params(|d| probe::walk(&p.pat, d));
            }
            Node::TsParamProp(p) => {
                probe::walk(&p.decorators, self);
                self.params(|d| probe::walk(&p.param, d));
            }
            Node::Constructor(c) => self.nested(|d| probe::children(c, d)),
            // A class's members, and a class expression's own name.
            Node::Class(c) => self.nested(|d| probe::children(c, d)),
            Node::ClassExpr(c) => self.nested(|d| probe::children(c, d)),
            Node::Ident(id) => self.local(id),
            Node::BindingIdent(b) => self.local(&b.id),
            Node::Expr(e) => self.expr(e),
            Node::Stmt(s) => match s {
                Stmt::Expr(e) => probe::walk(&e.expr, self),
                Stmt::Return(r) => probe::walk(&r.arg, self),
                Stmt::If(i) => {
                    probe::walk(&i.test, self);
                    probe::walk(&i.cons, self);
                    probe::walk(&i.alt, self);
                }
                _ => return Descend::Children,
            },
            // `x = …`, `x++` write a name; they do not declare it.
            Node::SimpleAssignTarget(t) => {
                if !matches!(t, SimpleAssignTarget::Ident(_)) {
                    return Descend::Children;
                }
            }
            // `{ x }` in an object literal reads `x`.
            Node::Prop(p) => match p {
                Prop::Shorthand(_) => {}
                Prop::KeyValue(kv) => {
                    if let PropName::Computed(c) = &kv.key {
                        probe::walk(&c.expr, self);
                    }
                    probe::walk(&kv.value, self);
                }
                _ => return Descend::Children,
            },
            Node::JsxElementName(_)
            | Node::TsEntityName(_)
            | Node::TsType(_)
            | Node::TsTypeAnn(_)
            | Node::TsTypeParamDecl(_)
            | Node::TsTypeParamInstantiation(_) => {}
            _ => return Descend::Children,
        }
        Descend::Skip
    }
}

impl DeclaredNames<'_> {
    /// The common expressions directly (a reference, literal or member
    /// name declares nothing).
    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Ident(_) | Expr::Lit(_) | Expr::This(_) => {}
            Expr::Member(m) => {
                probe::walk(&m.obj, self);
                if let MemberProp::Computed(c) = &m.prop {
                    probe::walk(&c.expr, self);
                }
            }
            Expr::Call(c) => {
                if let Callee::Expr(callee) = &c.callee {
                    probe::walk(callee, self);
                }
                for a in &c.args {
                    probe::walk(&a.expr, self);
                }
            }
            Expr::Bin(b) => {
                probe::walk(&b.left, self);
                probe::walk(&b.right, self);
            }
            Expr::Assign(a) => {
                probe::walk(&a.left, self);
                probe::walk(&a.right, self);
            }
            Expr::Cond(c) => {
                probe::walk(&c.test, self);
                probe::walk(&c.cons, self);
                probe::walk(&c.alt, self);
            }
            Expr::Unary(u) => probe::walk(&u.arg, self),
            Expr::Await(a) => probe::walk(&a.arg, self),
            Expr::Paren(p) => probe::walk(&p.expr, self),
            Expr::Object(o) => probe::walk(&o.props, self),
            Expr::Array(a) => {
                for e in a.elems.iter().flatten() {
                    probe::walk(&e.expr, self);
                }
            }
            Expr::New(n) => {
                probe::walk(&n.callee, self);
                for a in n.args.iter().flatten() {
                    probe::walk(&a.expr, self);
                }
            }
            _ => probe::children(e, self),
        }
    }
}
