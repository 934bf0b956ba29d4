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
use swc_core::ecma::visit::{Visit, VisitWith};

use super::scope::BindingKind;
use crate::model::collections::HashMap;
use crate::syntax::ast::pat_idents;

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
            other if inside => other.visit_with(self),
            _ => {}
        }
    }

    fn stmt(&mut self, stmt: &Stmt, inside: bool) {
        match stmt {
            Stmt::Decl(d) => self.decl(d, inside),
            other if inside => other.visit_with(self),
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
                        d.init.visit_with(self);
                    }
                }
            }
            Decl::Using(u) => {
                for d in &u.decls {
                    self.root_pat(&d.name, Some(BindingKind::Const), inside);
                    if inside {
                        d.init.visit_with(self);
                    }
                }
            }
            Decl::Fn(f) if inside => f.function.visit_with(self),
            Decl::Fn(f) => {
                let plain = !f.declare && f.function.body.is_some();
                self.root(&f.ident, plain.then_some(BindingKind::Function));
            }
            Decl::Class(c) if inside => c.class.visit_with(self),
            Decl::Class(c) => self.root(&c.ident, (!c.declare).then_some(BindingKind::Class)),
            // TypeScript declarations: left to the model.
            other if inside => other.visit_with(self),
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
                                kv.key.visit_with(self);
                            }
                            self.root_pat(&kv.value, kind, inside);
                        }
                        ObjectPatProp::Assign(a) if inside => a.value.visit_with(self),
                        ObjectPatProp::Assign(a) => self.root(&a.key.id, kind),
                        ObjectPatProp::Rest(r) => self.root_pat(&r.arg, kind, inside),
                    }
                }
            }
            Pat::Assign(a) => {
                self.root_pat(&a.left, kind, inside);
                if inside {
                    a.right.visit_with(self);
                }
            }
            Pat::Expr(e) if inside => e.visit_with(self),
            Pat::Expr(_) | Pat::Invalid(_) => {}
        }
    }
}

/// Inside a module item every declaring identifier is a local. References
/// are skipped (the walk never reaches them as identifiers), and so are
/// types, which declare no values.
impl Visit for DeclaredNames<'_> {
    /// Parameters and body; also a named function expression's own name.
    fn visit_function(&mut self, f: &Function) {
        self.nested(|d| f.visit_children_with(d));
    }

    fn visit_fn_expr(&mut self, f: &FnExpr) {
        self.nested(|d| f.visit_children_with(d));
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.nested(|d| {
            d.params(|d| a.params.visit_with(d));
            a.body.visit_with(d);
        });
    }

    fn visit_param(&mut self, p: &Param) {
        p.decorators.visit_with(self);
        self.params(|d| p.pat.visit_with(d));
    }

    fn visit_ts_param_prop(&mut self, p: &TsParamProp) {
        p.decorators.visit_with(self);
        self.params(|d| p.param.visit_with(d));
    }

    fn visit_constructor(&mut self, c: &Constructor) {
        self.nested(|d| c.visit_children_with(d));
    }

    /// A class's members, and a class expression's own name.
    fn visit_class(&mut self, c: &Class) {
        self.nested(|d| c.visit_children_with(d));
    }

    fn visit_class_expr(&mut self, c: &ClassExpr) {
        self.nested(|d| c.visit_children_with(d));
    }

    fn visit_ident(&mut self, id: &Ident) {
        self.local(id);
    }

    fn visit_binding_ident(&mut self, b: &BindingIdent) {
        self.local(&b.id);
    }

    /// The common expressions directly (a reference, literal or member
    /// name declares nothing).
    fn visit_expr(&mut self, e: &Expr) {
        match e {
            Expr::Ident(_) | Expr::Lit(_) | Expr::This(_) => {}
            Expr::Member(m) => {
                m.obj.visit_with(self);
                if let MemberProp::Computed(c) = &m.prop {
                    c.expr.visit_with(self);
                }
            }
            Expr::Call(c) => {
                if let Callee::Expr(callee) = &c.callee {
                    callee.visit_with(self);
                }
                for a in &c.args {
                    a.expr.visit_with(self);
                }
            }
            Expr::Bin(b) => {
                b.left.visit_with(self);
                b.right.visit_with(self);
            }
            Expr::Assign(a) => {
                a.left.visit_with(self);
                a.right.visit_with(self);
            }
            Expr::Cond(c) => {
                c.test.visit_with(self);
                c.cons.visit_with(self);
                c.alt.visit_with(self);
            }
            Expr::Unary(u) => u.arg.visit_with(self),
            Expr::Await(a) => a.arg.visit_with(self),
            Expr::Paren(p) => p.expr.visit_with(self),
            Expr::Object(o) => o.props.visit_with(self),
            Expr::Array(a) => {
                for e in a.elems.iter().flatten() {
                    e.expr.visit_with(self);
                }
            }
            Expr::New(n) => {
                n.callee.visit_with(self);
                for a in n.args.iter().flatten() {
                    a.expr.visit_with(self);
                }
            }
            _ => e.visit_children_with(self),
        }
    }

    fn visit_stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Expr(e) => e.expr.visit_with(self),
            Stmt::Return(r) => r.arg.visit_with(self),
            Stmt::If(i) => {
                i.test.visit_with(self);
                i.cons.visit_with(self);
                i.alt.visit_with(self);
            }
            _ => s.visit_children_with(self),
        }
    }

    /// `x = …`, `x++` write a name; they do not declare it.
    fn visit_simple_assign_target(&mut self, t: &SimpleAssignTarget) {
        if !matches!(t, SimpleAssignTarget::Ident(_)) {
            t.visit_children_with(self);
        }
    }

    /// `{ x }` in an object literal reads `x`.
    fn visit_prop(&mut self, p: &Prop) {
        match p {
            Prop::Shorthand(_) => {}
            Prop::KeyValue(kv) => {
                if let PropName::Computed(c) = &kv.key {
                    c.expr.visit_with(self);
                }
                kv.value.visit_with(self);
            }
            _ => p.visit_children_with(self),
        }
    }

    fn visit_jsx_element_name(&mut self, _: &JSXElementName) {}

    fn visit_ts_entity_name(&mut self, _: &TsEntityName) {}

    fn visit_ts_type(&mut self, _: &TsType) {}

    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}

    fn visit_ts_type_param_decl(&mut self, _: &TsTypeParamDecl) {}

    fn visit_ts_type_param_instantiation(&mut self, _: &TsTypeParamInstantiation) {}
}
