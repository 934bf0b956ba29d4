//! Builds a [`SemanticModel`] in one walk of the AST.
//!
//! Declarations are recorded where they occur (`var` in its function, the
//! rest in their block); references are only collected during the walk and
//! resolved after it, when every scope knows all its bindings. That makes
//! hoisting (a function called before its declaration, a `var` in a nested
//! block, a closure using a later `const`) fall out without a pre-pass.
//!
//! Strict-mode scoping throughout (modules are strict): a function declared
//! in a block belongs to the block, also in scripts. `arguments` is not
//! declared, so it resolves as a global.

use swc_core::atoms::{Atom, Wtf8Atom};
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use super::model::Import;
use super::model::*;
use crate::model::collections::sort_by;

impl SemanticModel {
    /// The model of a parsed file.
    pub fn build(program: &Program) -> SemanticModel {
        let kind = match program {
            Program::Module(_) => ScopeKind::Module,
            Program::Script(_) => ScopeKind::Script,
        };
        // Sized from the source length (on the bench corpus, one reference
        // per ~40 bytes): fewer regrowths while walking.
        let len = program.span().hi.0.saturating_sub(program.span().lo.0) as usize;
        let m = SemanticModel {
            scopes: Vec::with_capacity(len / 256 + 1),
            symbols: Vec::with_capacity(len / 128),
            references: Vec::with_capacity(len / 48),
            idents: Vec::with_capacity(len / 36),
            ..SemanticModel::default()
        };
        let mut binder = Binder {
            m,
            current: ScopeId(0),
            var_scope: ScopeId(0),
            path: Vec::new(),
            exporting: false,
            pending_exports: Vec::new(),
            pending_requires: Vec::new(),
        };
        binder.m.scopes.push(Scope {
            kind,
            parent: None,
            span: program.span(),
            has_values: false,
            has_types: false,
        });
        program.visit_with(&mut binder);
        binder.finish()
    }
}

const ROOT: ScopeId = ScopeId(0);

/// A reference not recorded yet (see [`Binder::shape`]).
const PENDING: ReferenceId = ReferenceId(u32::MAX);

struct Binder {
    m: SemanticModel,
    current: ScopeId,
    /// Where `var` declarations go: the innermost function, static block,
    /// namespace or the root.
    var_scope: ScopeId,
    /// The destructuring path of the binding being declared.
    path: Vec<PathSeg>,
    /// Declarations at module scope are exported (inside `export <decl>`).
    exporting: bool,
    /// Exports by reference (`export { x }`, `export default x`), resolved
    /// with the references.
    pending_exports: Vec<(usize, ReferenceId)>,
    /// `require("m")` requests (index) and their callee reference.
    pending_requires: Vec<(usize, ReferenceId)>,
}

/// Which namespace a reference resolves in.
fn is_type_ref(flags: ReferenceFlags) -> bool {
    flags.intersects(ReferenceFlags::TYPE)
}

/// Redeclaring in the same scope joins the existing symbol: `var` over a
/// var, parameter or function, function overloads, TS declaration merging
/// (interfaces, namespaces, enums with classes and functions). Anything else
/// is an error in JS, or a named function expression's own name shadowed by a
/// parameter: the new symbol replaces the old binding.
fn mergeable(old: SymbolFlags, new: SymbolFlags) -> bool {
    use SymbolFlags as F;
    let var_like = F::VAR | F::FUNCTION | F::PARAM;
    if (old.intersects(var_like) && new.intersects(F::VAR))
        || (old.intersects(F::VAR | F::FUNCTION) && new.intersects(F::FUNCTION))
    {
        return true;
    }
    let mergers = F::INTERFACE | F::NAMESPACE | F::ENUM;
    let joins = mergers | F::CLASS | F::FUNCTION;
    (old.intersects(mergers) || new.intersects(mergers))
        && old.intersects(joins)
        && new.intersects(joins)
}

/// `(x)`, `x as T`, `x!`, `x satisfies T`, `<T>x` → `x`. (The lint has
/// the same helper, `unwrap_expr`; it belongs to this layer or below.)
pub(crate) fn strip(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(x) => &x.expr,
            Expr::TsNonNull(x) => &x.expr,
            Expr::TsSatisfies(x) => &x.expr,
            Expr::TsTypeAssertion(x) => &x.expr,
            Expr::TsConstAssertion(x) => &x.expr,
            _ => return e,
        }
    }
}

fn str_atom(s: &Wtf8Atom) -> Atom {
    s.clone()
        .try_into_atom()
        .unwrap_or_else(|w| Atom::from(w.to_string_lossy()))
}

fn export_name(name: &ModuleExportName) -> Atom {
    match name {
        ModuleExportName::Ident(i) => i.sym.clone(),
        ModuleExportName::Str(s) => str_atom(&s.value),
    }
}

fn import_name(name: &ModuleExportName) -> ImportName {
    let name = export_name(name);
    if name == "default" {
        ImportName::Default
    } else {
        ImportName::Named(name)
    }
}

/// Where a class's name is bound.
#[derive(Clone, Copy)]
enum ClassName<'a> {
    Anonymous,
    /// A class expression's name, inside the class.
    Own(&'a Ident),
    /// A declaration's name, in the enclosing scope (`declare class` when set).
    Outer(&'a Ident, bool),
}

/// The root of a static member chain (`a.b["c"]`), its keys appended to
/// `keys`; None (keys partly appended) for anything else.
enum ChainRoot {
    Ident,
    This,
}

fn member_chain(e: &Expr, keys: &mut Vec<PathSeg>) -> Option<ChainRoot> {
    match strip(e) {
        Expr::Ident(_) => Some(ChainRoot::Ident),
        Expr::This(_) => Some(ChainRoot::This),
        Expr::Member(m) => {
            let root = member_chain(&m.obj, keys)?;
            let key = match &m.prop {
                MemberProp::Ident(p) => p.sym.clone(),
                MemberProp::Computed(c) => match &*c.expr {
                    Expr::Lit(Lit::Str(s)) => str_atom(&s.value),
                    _ => return None,
                },
                MemberProp::PrivateName(_) => return None,
            };
            keys.push(PathSeg::Key(key));
            Some(root)
        }
        _ => None,
    }
}

fn callee_is_ident(callee: &Expr) -> bool {
    matches!(strip(callee), Expr::Ident(_))
}

impl Binder {
    // ----- scopes -----

    /// Runs `f` in a new scope of `kind` covering `span`.
    fn scoped(&mut self, kind: ScopeKind, span: Span, f: impl FnOnce(&mut Self)) {
        let id = ScopeId(self.m.scopes.len() as u32);
        self.m.scopes.push(Scope {
            kind,
            parent: Some(self.current),
            span,
            has_values: false,
            has_types: false,
        });
        let saved = (self.current, self.var_scope);
        self.current = id;
        if kind.is_function() || matches!(kind, ScopeKind::StaticBlock | ScopeKind::TsModule) {
            self.var_scope = id;
        }
        f(self);
        (self.current, self.var_scope) = saved;
    }

    /// [`Self::scoped`] when `needed` (TS type parameters), else just `f`.
    fn scoped_if(&mut self, needed: bool, span: Span, f: impl FnOnce(&mut Self)) {
        if needed {
            self.scoped(ScopeKind::TsType, span, f)
        } else {
            f(self)
        }
    }

    // ----- symbols and references -----

    fn add_ref(&mut self, id: &Ident, flags: ReferenceFlags) -> ReferenceId {
        let r = ReferenceId(self.m.references.len() as u32);
        self.m.references.push(Reference {
            name: id.sym.clone(),
            span: id.span,
            scope: self.current,
            flags,
            symbol: None,
        });
        self.m.idents.push((id.span.lo.0, Slot::Ref(r)));
        r
    }

    fn path_range(&mut self) -> PathRange {
        if self.path.is_empty() {
            return PathRange::default();
        }
        let start = self.m.paths.len() as u32;
        self.m.paths.extend_from_slice(&self.path);
        PathRange {
            start,
            len: self.path.len() as u32,
        }
    }

    fn declare(
        &mut self,
        id: &Ident,
        mut flags: SymbolFlags,
        declaration: Declaration,
        scope: ScopeId,
    ) -> SymbolId {
        let exported = self.exporting && scope == ROOT;
        if exported {
            flags |= SymbolFlags::EXPORTED;
        }
        let (value, ty) = (flags.is_value(), flags.is_type());
        let key = (scope, id.sym.clone());
        let existing = value
            .then(|| self.m.values.get(&key))
            .flatten()
            .or_else(|| ty.then(|| self.m.types.get(&key)).flatten())
            .copied();
        let sym = match existing {
            Some(old) if mergeable(self.m.symbols[old.index()].flags, flags) => {
                let symbol = &mut self.m.symbols[old.index()];
                let type_only = symbol.flags.contains(SymbolFlags::TYPE_ONLY)
                    && flags.contains(SymbolFlags::TYPE_ONLY);
                symbol.flags |= flags;
                if !type_only {
                    symbol.flags.0 &= !SymbolFlags::TYPE_ONLY.0;
                }
                old
            }
            _ => {
                let path = self.path_range();
                let sym = SymbolId(self.m.symbols.len() as u32);
                self.m.symbols.push(Symbol {
                    name: id.sym.clone(),
                    flags,
                    scope,
                    span: id.span,
                    declaration,
                    path,
                });
                sym
            }
        };
        let s = &mut self.m.scopes[scope.index()];
        s.has_values |= value;
        s.has_types |= ty;
        if ty {
            self.m.types.insert(key.clone(), sym);
        }
        if value {
            self.m.values.insert(key, sym);
        }
        self.m.idents.push((id.span.lo.0, Slot::Decl(sym)));
        if exported {
            self.m.exports.push(Export {
                name: id.sym.clone(),
                target: ExportTarget::Local(sym),
                type_only: !flags.is_value(),
                span: id.span,
            });
        }
        sym
    }

    // ----- binding patterns -----

    /// Declares every name a binding pattern binds, with its path; visits
    /// defaults, computed keys and type annotations as uses.
    fn bind_pat(
        &mut self,
        pat: &Pat,
        flags: SymbolFlags,
        decl: Declaration,
        scope: ScopeId,
        defaulted: bool,
    ) {
        let flags = if defaulted {
            flags | SymbolFlags::DEFAULTED
        } else {
            flags
        };
        match pat {
            Pat::Ident(b) => {
                self.declare(&b.id, flags, decl, scope);
                b.type_ann.visit_with(self);
            }
            Pat::Array(a) => {
                for (i, elem) in a.elems.iter().enumerate() {
                    let Some(p) = elem else { continue };
                    let i = i as u32;
                    self.path.push(match p {
                        Pat::Rest(_) => PathSeg::RestFrom(i),
                        _ => PathSeg::Index(i),
                    });
                    self.bind_pat(p, flags, decl, scope, false);
                    self.path.pop();
                }
                a.type_ann.visit_with(self);
            }
            Pat::Rest(r) => {
                self.bind_pat(&r.arg, flags, decl, scope, false);
                r.type_ann.visit_with(self);
            }
            Pat::Object(o) => {
                for prop in &o.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => {
                            let seg = self.key_seg(&kv.key);
                            self.path.push(seg);
                            self.bind_pat(&kv.value, flags, decl, scope, false);
                            self.path.pop();
                        }
                        ObjectPatProp::Assign(a) => {
                            self.path.push(PathSeg::Key(a.key.id.sym.clone()));
                            let flags = if a.value.is_some() {
                                flags | SymbolFlags::DEFAULTED
                            } else {
                                flags
                            };
                            self.declare(&a.key.id, flags, decl, scope);
                            self.path.pop();
                            a.key.type_ann.visit_with(self);
                            a.value.visit_with(self);
                        }
                        ObjectPatProp::Rest(r) => {
                            self.path.push(PathSeg::Rest);
                            self.bind_pat(&r.arg, flags, decl, scope, false);
                            self.path.pop();
                        }
                    }
                }
                o.type_ann.visit_with(self);
            }
            Pat::Assign(a) => {
                self.bind_pat(&a.left, flags, decl, scope, true);
                a.right.visit_with(self);
            }
            Pat::Expr(e) => e.visit_with(self),
            Pat::Invalid(_) => {}
        }
    }

    /// The path step of an object pattern key (visiting a computed key).
    fn key_seg(&mut self, key: &PropName) -> PathSeg {
        match key {
            PropName::Ident(i) => PathSeg::Key(i.sym.clone()),
            PropName::Str(s) => PathSeg::Key(str_atom(&s.value)),
            PropName::Num(n) => PathSeg::Key(Atom::from(n.value.to_string())),
            PropName::Computed(c) => {
                c.expr.visit_with(self);
                PathSeg::Computed
            }
            PropName::BigInt(_) => PathSeg::Computed,
        }
    }

    // ----- assignment targets -----

    /// An assignment pattern: names are written, defaults and member
    /// targets' objects are read.
    fn assign_pat(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(b) => {
                self.add_ref(&b.id, ReferenceFlags::WRITE);
            }
            Pat::Array(a) => self.assign_array(a),
            Pat::Rest(r) => self.assign_pat(&r.arg),
            Pat::Object(o) => self.assign_object(o),
            Pat::Assign(a) => {
                a.right.visit_with(self);
                self.assign_pat(&a.left);
            }
            Pat::Expr(e) => self.write_expr(e, ReferenceFlags::WRITE),
            Pat::Invalid(_) => {}
        }
    }

    fn assign_array(&mut self, a: &ArrayPat) {
        for p in a.elems.iter().flatten() {
            self.assign_pat(p);
        }
    }

    fn assign_object(&mut self, o: &ObjectPat) {
        for prop in &o.props {
            match prop {
                ObjectPatProp::KeyValue(kv) => {
                    if let PropName::Computed(c) = &kv.key {
                        c.expr.visit_with(self);
                    }
                    self.assign_pat(&kv.value);
                }
                ObjectPatProp::Assign(a) => {
                    a.value.visit_with(self);
                    self.add_ref(&a.key.id, ReferenceFlags::WRITE);
                }
                ObjectPatProp::Rest(r) => self.assign_pat(&r.arg),
            }
        }
    }

    /// An expression in a write position: an identifier (through parentheses
    /// and TS wrappers) is written with `flags`; anything else is visited.
    fn write_expr(&mut self, e: &Expr, flags: ReferenceFlags) {
        match e {
            Expr::Ident(i) => {
                self.add_ref(i, flags);
            }
            Expr::Paren(p) => self.write_expr(&p.expr, flags),
            Expr::TsNonNull(x) => self.write_expr(&x.expr, flags),
            Expr::TsAs(x) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            Expr::TsSatisfies(x) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            Expr::TsTypeAssertion(x) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            _ => e.visit_with(self),
        }
    }

    // ----- declarations -----

    /// Describes an initializer before it is visited: identifiers are
    /// [`PENDING`] until [`Self::visit_init`] knows their reference. With
    /// `keys`, a member chain's keys start the declared symbols' path
    /// (`const kv = env.KV`).
    fn shape(&mut self, e: &Expr, keys: bool) -> InitKind {
        let stripped = strip(e);
        let call = |c: &CallExpr| InitKind::Call {
            callee: matches!(&c.callee, Callee::Expr(f) if callee_is_ident(f)).then_some(PENDING),
        };
        match stripped {
            Expr::Ident(_) => InitKind::Ident(PENDING),
            Expr::Member(_) if keys => {
                let len = self.path.len();
                match member_chain(stripped, &mut self.path) {
                    Some(ChainRoot::Ident) => InitKind::Member(PENDING),
                    Some(ChainRoot::This) => InitKind::ThisMember,
                    None => {
                        self.path.truncate(len);
                        InitKind::Other
                    }
                }
            }
            Expr::Call(c) => call(c),
            Expr::Await(a) => match strip(&a.arg) {
                Expr::Call(c) => call(c),
                _ => InitKind::Other,
            },
            Expr::New(n) => InitKind::New {
                callee: callee_is_ident(&n.callee).then_some(PENDING),
            },
            Expr::Fn(f) => InitKind::Function {
                is_async: f.function.is_async,
            },
            Expr::Arrow(a) => InitKind::Arrow {
                is_async: a.is_async,
            },
            Expr::Class(_) => InitKind::Class,
            _ => InitKind::Other,
        }
    }

    /// Visits an initializer of [`Self::shape`] `kind`: the first reference
    /// the walk records in it is its leftmost identifier.
    fn visit_init(&mut self, e: &Expr, kind: InitKind) -> Init {
        let first = ReferenceId(self.m.references.len() as u32);
        e.visit_with(self);
        let kind = match kind {
            InitKind::Ident(_) => InitKind::Ident(first),
            InitKind::Member(_) => InitKind::Member(first),
            InitKind::Call { callee } => InitKind::Call {
                callee: callee.map(|_| first),
            },
            InitKind::New { callee } => InitKind::New {
                callee: callee.map(|_| first),
            },
            kind => kind,
        };
        Init {
            span: e.span(),
            kind,
        }
    }

    /// Binds a pattern, then visits the expression it is bound from and
    /// records it in the new symbols' declarations. In this order the walk
    /// records identifiers in source order, so `finish` rarely sorts.
    fn bind_then_visit(
        &mut self,
        pat: &Pat,
        flags: SymbolFlags,
        scope: ScopeId,
        source: Option<(&Expr, InitKind)>,
        declaration: impl Fn(Option<Init>) -> Declaration,
    ) {
        let from = self.m.symbols.len();
        let placeholder = declaration(None);
        self.bind_pat(pat, flags, placeholder, scope, false);
        let to = self.m.symbols.len();
        let Some((e, kind)) = source else { return };
        let init = self.visit_init(e, kind);
        // Symbols a default expression declared live in other scopes.
        for s in &mut self.m.symbols[from..to] {
            if s.scope == scope && s.declaration == placeholder {
                s.declaration = declaration(Some(init));
            }
        }
    }

    fn var_flags(&self, kind: VarDeclKind) -> (SymbolFlags, ScopeId) {
        match kind {
            VarDeclKind::Var => (SymbolFlags::VAR, self.var_scope),
            VarDeclKind::Let => (SymbolFlags::LET, self.current),
            VarDeclKind::Const => (SymbolFlags::CONST, self.current),
        }
    }

    fn declarators(&mut self, decls: &[VarDeclarator], flags: SymbolFlags, scope: ScopeId) {
        for d in decls {
            let source = d.init.as_deref().map(|e| (e, self.shape(e, true)));
            self.bind_then_visit(&d.name, flags, scope, source, |init| {
                Declaration::Variable { init }
            });
            self.path.clear();
        }
    }

    /// Parameter `index` of the function whose scope is the current one.
    fn param(&mut self, pat: &Pat, index: usize, defaulted: bool) {
        let function = self.current;
        let decl = Declaration::Param {
            function,
            index: index as u32,
        };
        self.bind_pat(pat, SymbolFlags::PARAM, decl, function, defaulted);
    }

    fn function(&mut self, f: &Function, own_name: Option<&Ident>) {
        f.decorators.visit_with(self);
        self.scoped(ScopeKind::Function, f.span, |b| {
            if let Some(id) = own_name {
                b.declare(
                    id,
                    SymbolFlags::FUNCTION,
                    Declaration::Function {
                        span: f.span,
                        is_async: f.is_async,
                        is_generator: f.is_generator,
                    },
                    b.current,
                );
            }
            f.type_params.visit_with(b);
            f.this_param.visit_with(b);
            for (index, p) in f.params.iter().enumerate() {
                p.decorators.visit_with(b);
                b.param(&p.pat, index, false);
            }
            f.return_type.visit_with(b);
            if let Some(body) = &f.body {
                body.stmts.visit_with(b);
            }
        });
    }

    /// A class; decorators run outside it, the heritage inside (where a
    /// class expression's own name is visible).
    fn class(&mut self, c: &Class, name: ClassName) -> Option<SymbolId> {
        c.decorators.visit_with(self);
        let outer = match name {
            ClassName::Outer(id, declare) => Some(self.class_decl_symbol(id, c, declare)),
            _ => None,
        };
        self.scoped(ScopeKind::Class, c.span, |b| {
            if let ClassName::Own(id) = name {
                b.declare(
                    id,
                    SymbolFlags::CLASS,
                    Declaration::Class { span: c.span },
                    b.current,
                );
            }
            c.type_params.visit_with(b);
            c.super_class.visit_with(b);
            c.super_type_params.visit_with(b);
            c.implements.visit_with(b);
            c.body.visit_with(b);
        });
        outer
    }

    fn fn_decl_symbol(&mut self, id: &Ident, f: &Function, declare: bool) -> SymbolId {
        let flags = if declare {
            SymbolFlags::FUNCTION | SymbolFlags::AMBIENT
        } else {
            SymbolFlags::FUNCTION
        };
        let decl = Declaration::Function {
            span: f.span,
            is_async: f.is_async,
            is_generator: f.is_generator,
        };
        self.declare(id, flags, decl, self.current)
    }

    fn class_decl_symbol(&mut self, id: &Ident, c: &Class, declare: bool) -> SymbolId {
        let flags = if declare {
            SymbolFlags::CLASS | SymbolFlags::AMBIENT
        } else {
            SymbolFlags::CLASS
        };
        self.declare(id, flags, Declaration::Class { span: c.span }, self.current)
    }

    /// `N` or `N.a.b` in a type position: the leftmost name is the reference.
    fn entity_ref(&mut self, name: &TsEntityName, flags: ReferenceFlags) {
        match name {
            TsEntityName::Ident(i) => {
                self.add_ref(i, flags);
            }
            TsEntityName::TsQualifiedName(q) => self.entity_ref(&q.left, flags),
        }
    }

    fn namespace_body(&mut self, body: &TsNamespaceBody) {
        match body {
            TsNamespaceBody::TsModuleBlock(b) => b.body.visit_with(self),
            TsNamespaceBody::TsNamespaceDecl(n) => {
                let flags = SymbolFlags::NAMESPACE;
                self.declare(&n.id, flags, Declaration::Ts { span: n.span }, self.current);
                self.scoped(ScopeKind::TsModule, n.span, |b| b.namespace_body(&n.body));
            }
        }
    }

    /// `export { x }` outside the module scope: only the uses.
    fn export_refs(&mut self, n: &NamedExport) {
        if n.src.is_some() {
            return;
        }
        for spec in &n.specifiers {
            if let ExportSpecifier::Named(s) = spec {
                if let ModuleExportName::Ident(orig) = &s.orig {
                    self.add_ref(orig, ReferenceFlags::READ);
                }
            }
        }
    }

    fn request(&mut self, src: &Str, kind: RequestKind, type_only: bool) -> Wtf8Atom {
        self.m.requests.push(ModuleRequest {
            specifier: src.value.clone(),
            kind,
            type_only,
            span: src.span,
        });
        src.value.clone()
    }

    /// An export of whatever `expr` is: a name (resolved later) or a value.
    fn export_expr(&mut self, name: &str, expr: &Expr, span: Span) {
        let first = ReferenceId(self.m.references.len() as u32);
        expr.visit_with(self);
        let index = self.m.exports.len();
        let target = match strip(expr) {
            Expr::Ident(i) => {
                self.pending_exports.push((index, first));
                ExportTarget::Global(i.sym.clone())
            }
            e => ExportTarget::Expr(e.span()),
        };
        self.m.exports.push(Export {
            name: name.into(),
            target,
            type_only: false,
            span,
        });
    }

    fn push_default(&mut self, target: ExportTarget, type_only: bool, span: Span) {
        self.m.exports.push(Export {
            name: "default".into(),
            target,
            type_only,
            span,
        });
    }

    // ----- resolution -----

    fn finish(mut self) -> SemanticModel {
        let m = &mut self.m;
        for i in 0..m.references.len() {
            // The name moves into the lookup key and back: no refcount churn.
            let r = &mut m.references[i];
            let (scope, types) = (r.scope, is_type_ref(r.flags));
            let mut key = (scope, std::mem::take(&mut r.name));
            let symbol = m.lookup_key(&mut key, types);
            let r = &mut m.references[i];
            r.name = key.1;
            r.symbol = symbol;
        }
        // `export { T }` may name a type.
        for (index, r) in std::mem::take(&mut self.pending_exports) {
            let reference = &m.references[r.index()];
            let symbol = reference
                .symbol
                .or_else(|| m.lookup_in(reference.scope, &reference.name, true));
            if let Some(sym) = symbol {
                m.references[r.index()].symbol = Some(sym);
                let export = &mut m.exports[index];
                export.target = ExportTarget::Local(sym);
                export.type_only |= !m.symbols[sym.index()].flags.is_value();
            }
        }
        // A `require` that is declared (a parameter, an import) is not Node's.
        if !self.pending_requires.is_empty() {
            let mut shadowed = self
                .pending_requires
                .iter()
                .filter_map(|&(index, callee)| m.references[callee.index()].symbol.map(|_| index));
            let mut next = shadowed.next();
            let mut index = 0;
            m.requests.retain(|_| {
                let keep = next != Some(index);
                if !keep {
                    next = shadowed.next();
                }
                index += 1;
                keep
            });
        }
        let sorted = m.idents.windows(2).all(|w| w[0].0 <= w[1].0);
        #[cfg(test)]
        {
            m.walk_sorted = sorted;
        }
        if !sorted {
            sort_by(&mut m.idents, |a, b| a.0.cmp(&b.0));
        }
        m.scopes_by_start = (0..m.scopes.len() as u32).map(ScopeId).collect();
        let scopes = &m.scopes;
        let starts_sorted = m
            .scopes_by_start
            .windows(2)
            .all(|w| scopes[w[0].index()].span.lo <= scopes[w[1].index()].span.lo);
        if !starts_sorted {
            sort_by(&mut m.scopes_by_start, |a, b| {
                (scopes[a.index()].span.lo, a.0).cmp(&(scopes[b.index()].span.lo, b.0))
            });
        }
        // References per symbol: a counting sort into one flat table.
        let mut start = vec![0u32; m.symbols.len() + 1];
        for r in &m.references {
            if let Some(s) = r.symbol {
                start[s.index() + 1] += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut fill = start.clone();
        let mut refs_of = vec![ReferenceId(0); *start.last().unwrap_or(&0) as usize];
        for (i, r) in m.references.iter().enumerate() {
            if let Some(s) = r.symbol {
                refs_of[fill[s.index()] as usize] = ReferenceId(i as u32);
                fill[s.index()] += 1;
            }
        }
        m.ref_start = start;
        m.refs_of = refs_of;
        self.m
    }
}

impl Visit for Binder {
    // ----- names -----

    /// Every identifier the walk reaches unguided is a value read; the hooks
    /// below steer declarations, writes, labels and type positions away.
    fn visit_ident(&mut self, id: &Ident) {
        self.add_ref(id, ReferenceFlags::READ);
    }

    /// Reached only through patterns the binder did not steer: never a use.
    fn visit_binding_ident(&mut self, b: &BindingIdent) {
        b.type_ann.visit_with(self);
    }

    fn visit_labeled_stmt(&mut self, s: &LabeledStmt) {
        s.body.visit_with(self);
    }

    fn visit_break_stmt(&mut self, _: &BreakStmt) {}

    fn visit_continue_stmt(&mut self, _: &ContinueStmt) {}

    // ----- declarations -----

    fn visit_var_decl(&mut self, v: &VarDecl) {
        let (mut flags, scope) = self.var_flags(v.kind);
        if v.declare {
            flags |= SymbolFlags::AMBIENT;
        }
        self.declarators(&v.decls, flags, scope);
    }

    fn visit_using_decl(&mut self, u: &UsingDecl) {
        let flags = SymbolFlags::CONST | SymbolFlags::USING;
        self.declarators(&u.decls, flags, self.current);
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        self.fn_decl_symbol(&f.ident, &f.function, f.declare);
        self.function(&f.function, None);
    }

    fn visit_fn_expr(&mut self, f: &FnExpr) {
        self.function(&f.function, f.ident.as_ref());
    }

    fn visit_function(&mut self, f: &Function) {
        self.function(f, None);
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.scoped(ScopeKind::Arrow, a.span, |b| {
            a.type_params.visit_with(b);
            for (index, p) in a.params.iter().enumerate() {
                b.param(p, index, false);
            }
            a.return_type.visit_with(b);
            match &*a.body {
                ArrowFunctionBody::FunctionBody(body) => body.stmts.visit_with(b),
                ArrowFunctionBody::Expr(e) => e.visit_with(b),
            }
        });
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.class(&c.class, ClassName::Outer(&c.ident, c.declare));
    }

    fn visit_class_expr(&mut self, c: &ClassExpr) {
        let name = c
            .ident
            .as_ref()
            .map_or(ClassName::Anonymous, ClassName::Own);
        self.class(&c.class, name);
    }

    fn visit_class(&mut self, c: &Class) {
        self.class(c, ClassName::Anonymous);
    }

    fn visit_constructor(&mut self, c: &Constructor) {
        c.key.visit_with(self);
        self.scoped(ScopeKind::Function, c.span, |b| {
            for (index, p) in c.params.iter().enumerate() {
                match p {
                    ParamOrTsParamProp::Param(p) => {
                        p.decorators.visit_with(b);
                        b.param(&p.pat, index, false);
                    }
                    ParamOrTsParamProp::TsParamProp(p) => {
                        p.decorators.visit_with(b);
                        match &p.param {
                            TsParamPropParam::Ident(id) => {
                                let decl = Declaration::Param {
                                    function: b.current,
                                    index: index as u32,
                                };
                                b.declare(&id.id, SymbolFlags::PARAM, decl, b.current);
                                id.type_ann.visit_with(b);
                            }
                            TsParamPropParam::Assign(a) => {
                                a.right.visit_with(b);
                                b.param(&a.left, index, true);
                            }
                        }
                    }
                }
            }
            if let Some(body) = &c.body {
                body.stmts.visit_with(b);
            }
        });
    }

    fn visit_static_block(&mut self, s: &StaticBlock) {
        self.scoped(ScopeKind::StaticBlock, s.span, |b| {
            s.body.stmts.visit_with(b)
        });
    }

    fn visit_block_stmt(&mut self, s: &BlockStmt) {
        self.scoped(ScopeKind::Block, s.span, |b| s.stmts.visit_with(b));
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        self.scoped(ScopeKind::For, s.span, |b| {
            s.init.visit_with(b);
            s.test.visit_with(b);
            s.update.visit_with(b);
            s.body.visit_with(b);
        });
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.scoped(ScopeKind::For, s.span, |b| {
            b.for_head(&s.left, &s.right, false);
            s.body.visit_with(b);
        });
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.scoped(ScopeKind::For, s.span, |b| {
            b.for_head(&s.left, &s.right, true);
            s.body.visit_with(b);
        });
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        self.scoped(ScopeKind::Catch, c.span, |b| {
            if let Some(p) = &c.param {
                let flags = SymbolFlags::CATCH_PARAM;
                b.bind_pat(p, flags, Declaration::CatchParam, b.current, false);
            }
            c.body.stmts.visit_with(b);
        });
    }

    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        s.discriminant.visit_with(self);
        self.scoped(ScopeKind::Switch, s.span, |b| s.cases.visit_with(b));
    }

    // ----- writes -----

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        let flags = if a.op == AssignOp::Assign {
            ReferenceFlags::WRITE
        } else {
            ReferenceFlags::READ | ReferenceFlags::WRITE
        };
        match &a.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                self.add_ref(&b.id, flags);
            }
            AssignTarget::Simple(SimpleAssignTarget::Paren(p)) => self.write_expr(&p.expr, flags),
            AssignTarget::Simple(SimpleAssignTarget::TsAs(x)) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            AssignTarget::Simple(SimpleAssignTarget::TsSatisfies(x)) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            AssignTarget::Simple(SimpleAssignTarget::TsNonNull(x)) => {
                self.write_expr(&x.expr, flags)
            }
            AssignTarget::Simple(SimpleAssignTarget::TsTypeAssertion(x)) => {
                self.write_expr(&x.expr, flags);
                x.type_ann.visit_with(self);
            }
            AssignTarget::Simple(other) => other.visit_with(self),
            AssignTarget::Pat(AssignTargetPat::Array(p)) => self.assign_array(p),
            AssignTarget::Pat(AssignTargetPat::Object(p)) => self.assign_object(p),
            AssignTarget::Pat(AssignTargetPat::Invalid(_)) => {}
        }
        a.right.visit_with(self);
    }

    fn visit_update_expr(&mut self, u: &UpdateExpr) {
        self.write_expr(&u.arg, ReferenceFlags::READ | ReferenceFlags::WRITE);
    }

    // ----- modules -----

    fn visit_import_decl(&mut self, d: &ImportDecl) {
        let specifier = self.request(&d.src, RequestKind::Import, d.type_only);
        for s in &d.specifiers {
            let (local, imported, type_only, span) = match s {
                ImportSpecifier::Named(n) => {
                    let imported = match &n.imported {
                        Some(name) => import_name(name),
                        None => ImportName::Named(n.local.sym.clone()),
                    };
                    (&n.local, imported, d.type_only || n.is_type_only, n.span)
                }
                ImportSpecifier::Default(x) => (&x.local, ImportName::Default, d.type_only, x.span),
                ImportSpecifier::Namespace(x) => {
                    (&x.local, ImportName::Namespace, d.type_only, x.span)
                }
            };
            let mut flags = SymbolFlags::IMPORT;
            if type_only {
                flags |= SymbolFlags::TYPE_ONLY;
            }
            let index = self.m.imports.len() as u32;
            let symbol = self.declare(local, flags, Declaration::Import(index), self.current);
            self.m.imports.push(Import {
                symbol,
                specifier: specifier.clone(),
                imported,
                type_only,
                span,
            });
        }
    }

    fn visit_ts_import_equals_decl(&mut self, d: &TsImportEqualsDecl) {
        let saved = self.exporting;
        self.exporting = d.is_export && self.current == ROOT;
        let mut flags = SymbolFlags::IMPORT;
        if d.is_type_only {
            flags |= SymbolFlags::TYPE_ONLY;
        }
        match &d.module_ref {
            TsModuleRef::TsExternalModuleRef(r) => {
                let specifier = self.request(&r.expr, RequestKind::Require, d.is_type_only);
                let index = self.m.imports.len() as u32;
                let symbol = self.declare(&d.id, flags, Declaration::Import(index), self.current);
                self.m.imports.push(Import {
                    symbol,
                    specifier,
                    imported: ImportName::Require,
                    type_only: d.is_type_only,
                    span: d.span,
                });
            }
            TsModuleRef::TsEntityName(n) => {
                // `import x = N.y`: an alias of a namespace member.
                self.declare(&d.id, flags, Declaration::Ts { span: d.span }, self.current);
                self.entity_ref(n, ReferenceFlags::READ);
            }
        }
        self.exporting = saved;
    }

    fn visit_export_decl(&mut self, e: &ExportDecl) {
        let saved = self.exporting;
        self.exporting = self.current == ROOT;
        e.decl.visit_with(self);
        self.exporting = saved;
    }

    fn visit_named_export(&mut self, n: &NamedExport) {
        if self.current != ROOT {
            // An ambient module's or namespace's exports are not the file's.
            return self.export_refs(n);
        }
        let Some(src) = &n.src else {
            for spec in &n.specifiers {
                let ExportSpecifier::Named(s) = spec else {
                    continue;
                };
                let ModuleExportName::Ident(orig) = &s.orig else {
                    continue;
                };
                let r = self.add_ref(orig, ReferenceFlags::READ);
                let name = s.exported.as_ref().map_or(orig.sym.clone(), export_name);
                self.pending_exports.push((self.m.exports.len(), r));
                self.m.exports.push(Export {
                    name,
                    target: ExportTarget::Global(orig.sym.clone()),
                    type_only: n.type_only || s.is_type_only,
                    span: s.span,
                });
            }
            return;
        };
        let specifier = self.request(src, RequestKind::ReExport, n.type_only);
        for spec in &n.specifiers {
            let (name, imported, type_only, span) = match spec {
                ExportSpecifier::Named(s) => {
                    let exported = s.exported.as_ref().unwrap_or(&s.orig);
                    let type_only = n.type_only || s.is_type_only;
                    (
                        export_name(exported),
                        import_name(&s.orig),
                        type_only,
                        s.span,
                    )
                }
                ExportSpecifier::Namespace(s) => (
                    export_name(&s.name),
                    ImportName::Namespace,
                    n.type_only,
                    s.span,
                ),
                ExportSpecifier::Default(s) => (
                    s.exported.sym.clone(),
                    ImportName::Default,
                    n.type_only,
                    n.span,
                ),
            };
            self.m.exports.push(Export {
                name,
                target: ExportTarget::ReExport {
                    specifier: specifier.clone(),
                    imported,
                },
                type_only,
                span,
            });
        }
    }

    fn visit_export_all(&mut self, e: &ExportAll) {
        if self.current != ROOT {
            return;
        }
        let specifier = self.request(&e.src, RequestKind::ReExport, e.type_only);
        self.m.export_stars.push(ExportStar {
            specifier,
            type_only: e.type_only,
            span: e.span,
        });
    }

    fn visit_export_default_decl(&mut self, d: &ExportDefaultDecl) {
        match &d.decl {
            DefaultDecl::Fn(f) => match &f.ident {
                Some(id) => {
                    let sym = self.fn_decl_symbol(id, &f.function, false);
                    self.function(&f.function, None);
                    self.push_default(ExportTarget::Local(sym), false, d.span);
                }
                None => {
                    self.function(&f.function, None);
                    self.push_default(ExportTarget::Expr(f.function.span), false, d.span);
                }
            },
            DefaultDecl::Class(c) => match &c.ident {
                Some(id) => {
                    if let Some(sym) = self.class(&c.class, ClassName::Outer(id, false)) {
                        self.push_default(ExportTarget::Local(sym), false, d.span);
                    }
                }
                None => {
                    self.class(&c.class, ClassName::Anonymous);
                    self.push_default(ExportTarget::Expr(c.class.span), false, d.span);
                }
            },
            DefaultDecl::TsInterfaceDecl(i) => {
                i.visit_with(self);
                let key = (self.current, i.id.sym.clone());
                if let Some(sym) = self.m.types.get(&key).copied() {
                    self.push_default(ExportTarget::Local(sym), true, d.span);
                }
            }
        }
    }

    fn visit_export_default_expr(&mut self, e: &ExportDefaultExpr) {
        if self.current != ROOT {
            return e.expr.visit_with(self);
        }
        self.export_expr("default", &e.expr, e.span);
    }

    fn visit_ts_export_assignment(&mut self, e: &TsExportAssignment) {
        if self.current != ROOT {
            return e.expr.visit_with(self);
        }
        self.export_expr("export=", &e.expr, e.span);
    }

    fn visit_ts_namespace_export_decl(&mut self, _: &TsNamespaceExportDecl) {}

    /// `import("m")` and `require("m")` with a literal specifier.
    fn visit_call_expr(&mut self, c: &CallExpr) {
        if let Some(Expr::Lit(Lit::Str(s))) = c.args.first().map(|a| &*a.expr) {
            match &c.callee {
                Callee::Import(_) => {
                    self.request(s, RequestKind::Dynamic, false);
                }
                Callee::Expr(f) if matches!(&**f, Expr::Ident(i) if i.sym == "require") => {
                    // Kept if `require` is the global (the callee is the
                    // next reference).
                    let callee = ReferenceId(self.m.references.len() as u32);
                    self.pending_requires.push((self.m.requests.len(), callee));
                    self.request(s, RequestKind::Require, false);
                }
                _ => {}
            }
        }
        // Type arguments before arguments, in source order.
        c.callee.visit_with(self);
        c.type_args.visit_with(self);
        c.args.visit_with(self);
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        n.callee.visit_with(self);
        n.type_args.visit_with(self);
        n.args.visit_with(self);
    }

    fn visit_class_prop(&mut self, p: &ClassProp) {
        p.decorators.visit_with(self);
        p.key.visit_with(self);
        p.type_ann.visit_with(self);
        p.value.visit_with(self);
    }

    fn visit_private_prop(&mut self, p: &PrivateProp) {
        p.decorators.visit_with(self);
        p.type_ann.visit_with(self);
        p.value.visit_with(self);
    }

    // ----- JSX -----

    /// `<Foo>` and `<foo.Bar>` use a name; `<div>` and `<my-element>` do not.
    fn visit_jsx_element_name(&mut self, n: &JSXElementName) {
        match n {
            JSXElementName::Ident(i) => {
                let intrinsic = i.sym.starts_with(|c: char| c.is_ascii_lowercase())
                    || i.sym.contains('-')
                    || i.sym == "this";
                if !intrinsic {
                    self.add_ref(i, ReferenceFlags::READ);
                }
            }
            JSXElementName::JSXMemberExpr(m) => m.obj.visit_with(self),
            JSXElementName::JSXNamespacedName(_) => {}
        }
    }

    fn visit_jsx_object(&mut self, o: &JSXObject) {
        match o {
            JSXObject::Ident(i) if i.sym != "this" => {
                self.add_ref(i, ReferenceFlags::READ);
            }
            JSXObject::Ident(_) => {}
            JSXObject::JSXMemberExpr(m) => m.obj.visit_with(self),
        }
    }

    // ----- TypeScript -----

    fn visit_ts_type_ref(&mut self, t: &TsTypeRef) {
        self.entity_ref(&t.type_name, ReferenceFlags::TYPE);
        t.type_params.visit_with(self);
    }

    fn visit_ts_type_query(&mut self, q: &TsTypeQuery) {
        match &q.expr_name {
            TsTypeQueryExpr::TsEntityName(n) => self.entity_ref(n, ReferenceFlags::TYPE_QUERY),
            TsTypeQueryExpr::Import(i) => i.type_args.visit_with(self),
        }
        q.type_args.visit_with(self);
    }

    fn visit_ts_import_type(&mut self, i: &TsImportType) {
        i.type_args.visit_with(self);
    }

    fn visit_ts_type_predicate(&mut self, p: &TsTypePredicate) {
        p.type_ann.visit_with(self);
    }

    /// `implements X`, `interface A extends B.C`: type uses of the root.
    fn visit_ts_expr_with_type_args(&mut self, e: &TsExprWithTypeArgs) {
        let mut root = &*e.expr;
        while let Expr::Member(m) = root {
            root = &m.obj;
        }
        match root {
            Expr::Ident(i) => {
                self.add_ref(i, ReferenceFlags::TYPE);
            }
            _ => e.expr.visit_with(self),
        }
        e.type_args.visit_with(self);
    }

    fn visit_ts_type_param(&mut self, p: &TsTypeParam) {
        let flags = SymbolFlags::TYPE_PARAM | SymbolFlags::TYPE_ONLY;
        self.declare(
            &p.name,
            flags,
            Declaration::Ts { span: p.span },
            self.current,
        );
        p.constraint.visit_with(self);
        p.default.visit_with(self);
    }

    fn visit_ts_interface_decl(&mut self, i: &TsInterfaceDecl) {
        let mut flags = SymbolFlags::INTERFACE | SymbolFlags::TYPE_ONLY;
        if i.declare {
            flags |= SymbolFlags::AMBIENT;
        }
        self.declare(&i.id, flags, Declaration::Ts { span: i.span }, self.current);
        self.scoped_if(i.type_params.is_some(), i.span, |b| {
            i.type_params.visit_with(b);
            i.extends.visit_with(b);
            i.body.visit_with(b);
        });
    }

    fn visit_ts_type_alias_decl(&mut self, t: &TsTypeAliasDecl) {
        let mut flags = SymbolFlags::TYPE_ALIAS | SymbolFlags::TYPE_ONLY;
        if t.declare {
            flags |= SymbolFlags::AMBIENT;
        }
        self.declare(&t.id, flags, Declaration::Ts { span: t.span }, self.current);
        self.scoped_if(t.type_params.is_some(), t.span, |b| {
            t.type_params.visit_with(b);
            t.type_ann.visit_with(b);
        });
    }

    fn visit_ts_enum_decl(&mut self, e: &TsEnumDecl) {
        let mut flags = SymbolFlags::ENUM;
        if e.declare {
            flags |= SymbolFlags::AMBIENT;
        }
        self.declare(&e.id, flags, Declaration::Ts { span: e.span }, self.current);
        self.scoped(ScopeKind::TsEnum, e.span, |b| {
            for m in &e.members {
                if let TsEnumMemberId::Ident(id) = &m.id {
                    let decl = Declaration::Ts { span: m.span };
                    b.declare(id, SymbolFlags::ENUM_MEMBER, decl, b.current);
                }
                m.init.visit_with(b);
            }
        });
    }

    fn visit_ts_module_decl(&mut self, d: &TsModuleDecl) {
        if let TsModuleName::Ident(id) = &d.id {
            if !d.global {
                let mut flags = SymbolFlags::NAMESPACE;
                if d.declare {
                    flags |= SymbolFlags::AMBIENT;
                }
                self.declare(id, flags, Declaration::Ts { span: d.span }, self.current);
            }
        }
        if let Some(body) = &d.body {
            let saved = self.exporting;
            self.exporting = false;
            self.scoped(ScopeKind::TsModule, d.span, |b| b.namespace_body(body));
            self.exporting = saved;
        }
    }

    fn visit_ts_property_signature(&mut self, p: &TsPropertySignature) {
        if p.computed {
            p.key.visit_with(self);
        }
        p.type_ann.visit_with(self);
    }

    fn visit_ts_getter_signature(&mut self, p: &TsGetterSignature) {
        if p.computed {
            p.key.visit_with(self);
        }
        p.type_ann.visit_with(self);
    }

    fn visit_ts_setter_signature(&mut self, p: &TsSetterSignature) {
        if p.computed {
            p.key.visit_with(self);
        }
        p.param.visit_with(self);
    }

    fn visit_ts_method_signature(&mut self, m: &TsMethodSignature) {
        if m.computed {
            m.key.visit_with(self);
        }
        self.scoped_if(m.type_params.is_some(), m.span, |b| {
            m.type_params.visit_with(b);
            m.params.visit_with(b);
            m.type_ann.visit_with(b);
        });
    }

    // Signatures: type parameters first, in source order.
    fn visit_ts_fn_type(&mut self, t: &TsFnType) {
        self.scoped_if(t.type_params.is_some(), t.span, |b| {
            t.type_params.visit_with(b);
            t.params.visit_with(b);
            t.type_ann.visit_with(b);
        });
    }

    fn visit_ts_constructor_type(&mut self, t: &TsConstructorType) {
        self.scoped_if(t.type_params.is_some(), t.span, |b| {
            t.type_params.visit_with(b);
            t.params.visit_with(b);
            t.type_ann.visit_with(b);
        });
    }

    fn visit_ts_call_signature_decl(&mut self, t: &TsCallSignatureDecl) {
        self.scoped_if(t.type_params.is_some(), t.span, |b| {
            t.type_params.visit_with(b);
            t.params.visit_with(b);
            t.type_ann.visit_with(b);
        });
    }

    fn visit_ts_construct_signature_decl(&mut self, t: &TsConstructSignatureDecl) {
        self.scoped_if(t.type_params.is_some(), t.span, |b| {
            t.type_params.visit_with(b);
            t.params.visit_with(b);
            t.type_ann.visit_with(b);
        });
    }

    fn visit_ts_mapped_type(&mut self, t: &TsMappedType) {
        self.scoped(ScopeKind::TsType, t.span, |b| t.visit_children_with(b));
    }

    /// Parameter names of function types and signatures bind nothing.
    fn visit_ts_fn_param(&mut self, p: &TsFnParam) {
        match p {
            TsFnParam::Ident(b) => b.type_ann.visit_with(self),
            TsFnParam::Array(a) => a.type_ann.visit_with(self),
            TsFnParam::Rest(r) => r.type_ann.visit_with(self),
            TsFnParam::Object(o) => o.type_ann.visit_with(self),
        }
    }

    /// `[name: string]`: the label binds nothing.
    fn visit_ts_tuple_element(&mut self, t: &TsTupleElement) {
        t.ty.visit_with(self);
    }
}

impl Binder {
    fn for_head(&mut self, left: &ForHead, right: &Expr, of: bool) {
        let kind = self.shape(right, false);
        let (decls, flags, scope) = match left {
            ForHead::VarDecl(v) => {
                let (flags, scope) = self.var_flags(v.kind);
                (&v.decls, flags, scope)
            }
            ForHead::UsingDecl(u) => (
                &u.decls,
                SymbolFlags::CONST | SymbolFlags::USING,
                self.current,
            ),
            ForHead::Pat(p) => {
                self.assign_pat(p);
                self.visit_init(right, kind);
                return;
            }
        };
        // One declarator (`for (const [k, v] of m)`).
        let span = right.span();
        for d in decls {
            self.bind_then_visit(&d.name, flags, scope, Some((right, kind)), |init| {
                Declaration::ForInOf {
                    of,
                    right: init.unwrap_or(Init {
                        span,
                        kind: InitKind::Other,
                    }),
                }
            });
        }
    }
}
