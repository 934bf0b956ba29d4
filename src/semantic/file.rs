//! What one file's walk knows at each node: where it is (functions, loops,
//! iteration callbacks, request handlers), which names are bound where, and
//! positions and snippets for messages. Built once per file, during the one
//! traversal; `engine::LintContext` wraps it for rules.

use swc_core::atoms::Atom;
use swc_core::common::{BytePos, Span};
use swc_core::ecma::ast::*;

use super::declared::{Declared, DeclaredNames};
use super::scope::{BindingKind, Frame, Repeat};
use super::{Declaration, InitKind, SemanticModel, SymbolFlags};
use crate::model::collections::HashSet;
use crate::model::project::ProjectInfo;
use crate::syntax::position::{LineIndex, Loc};
use crate::syntax::text::one_line;
use crate::syntax::START;

pub struct FileModel<'a> {
    pub path: &'a str,
    /// Bindings and flags from the wrangler config (empty without one).
    pub project: &'a ProjectInfo,
    pub source: &'a str,
    index: &'a LineIndex<'a>,
    pub(crate) frames: Vec<Frame>,
    /// Inside a class field's initializer (`private db = drizzle(…)`): it
    /// runs once per instance (a Durable Object's), not at module scope.
    pub(crate) class_fields: u32,
    program: &'a Program,
    /// What every identifier of the file refers to (scopes, symbols,
    /// references): built once, on the first question.
    semantic: std::cell::OnceCell<SemanticModel>,
    /// Which names the file declares, and where (cheaper than the model;
    /// answers most binding questions).
    declared: std::cell::OnceCell<std::cell::RefCell<DeclaredNames<'a>>>,
    /// Declarations bound to `drizzle(...)` results or a Hono context
    /// database (`c.var.db`): Drizzle database handles.
    pub db_handles: Bindings,
    /// The Worker's bindings object under another name: a request
    /// handler's second parameter (`fetch(request, e)`), `const e = env`.
    pub env_objects: Bindings,
    /// Bindings destructured from it (`const { CACHE } = env`,
    /// `fetch(request, { DB })`) or read into a name (`const db = env.DB`).
    pub env_parts: Bindings,
    /// The binding each name read from it stands for (`db` → `DB` for
    /// `const db = env.DB`); a name read from two bindings has none.
    pub env_aliases: crate::model::collections::HashMap<Atom, Option<Atom>>,
    /// Parameters named `env` that are not the bindings: typed as a
    /// primitive (`env: string`) or the element of an iteration callback.
    pub not_env: Bindings,
    /// Names of the module-scope functions declared `async` (`async
    /// function f`, `const f = async () => …`): a call of the module
    /// binding of such a name returns a promise.
    async_names: HashSet<Atom>,
    /// (name, where) of each `Promise.all(name)` / `Promise.allSettled(name)`
    /// of the file: one light walk, on the first question.
    combined: std::cell::OnceCell<Vec<(Atom, BytePos)>>,
}

/// Declarations the walk found to bind one kind of value, asked by what an
/// identifier refers to ([`FileModel::refers_to`]), never by its name: a
/// local of the same name elsewhere is another binding. Kept as the
/// declaring identifiers' starts by name, so a use of any other name is
/// answered without the semantic model.
#[derive(Debug, Clone, Default)]
pub struct Bindings(crate::model::collections::HashMap<Atom, Vec<u32>>);

impl Bindings {
    /// `id` (a declaring identifier) binds a value of the kind.
    pub fn insert(&mut self, id: &Ident) {
        self.0.entry(id.sym.clone()).or_default().push(id.span.lo.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Some declaration of the kind has this name (in any scope).
    pub fn contains_name(&self, name: &Atom) -> bool {
        self.0.contains_key(name)
    }
}

impl<'a> FileModel<'a> {
    pub fn new(
        path: &'a str,
        source: &'a str,
        index: &'a LineIndex<'a>,
        program: &'a Program,
        project: &'a ProjectInfo,
    ) -> FileModel<'a> {
        let mut cx = FileModel {
            path,
            project,
            source,
            index,
            frames: Vec::new(),
            class_fields: 0,
            program,
            semantic: std::cell::OnceCell::new(),
            declared: std::cell::OnceCell::new(),
            db_handles: Bindings::default(),
            env_objects: Bindings::default(),
            env_parts: Bindings::default(),
            env_aliases: Default::default(),
            not_env: Bindings::default(),
            async_names: HashSet::default(),
            combined: std::cell::OnceCell::new(),
        };
        // Module-scope `async function`s (hoisted: callable from anywhere)
        // and `const f = async () => …`.
        let items: Box<dyn Iterator<Item = Option<&Decl>>> = match program {
            Program::Module(m) => Box::new(m.body.iter().map(|item| match item {
                ModuleItem::Stmt(Stmt::Decl(d)) => Some(d),
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => Some(&e.decl),
                _ => None,
            })),
            Program::Script(s) => Box::new(s.body.iter().map(|stmt| match stmt {
                Stmt::Decl(d) => Some(d),
                _ => None,
            })),
        };
        for decl in items.flatten() {
            match decl {
                Decl::Fn(f) if f.function.is_async => {
                    cx.async_names.insert(f.ident.sym.clone());
                }
                Decl::Var(v) => {
                    for d in &v.decls {
                        let is_async = match d.init.as_deref().map(crate::syntax::ast::unwrap_expr)
                        {
                            Some(Expr::Arrow(a)) => a.is_async,
                            Some(Expr::Fn(f)) => f.function.is_async,
                            _ => false,
                        };
                        if let (Pat::Ident(name), true) = (&d.name, is_async) {
                            cx.async_names.insert(name.id.sym.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        cx
    }

    /// The source text of a node, for messages (`env.KV.get(key)`), shortened
    /// to one line of at most 60 characters.
    pub fn snippet(&self, span: Span) -> String {
        let lo = span.lo.0.saturating_sub(START) as usize;
        let hi = (span.hi.0.saturating_sub(START) as usize).min(self.source.len());
        one_line(self.source.get(lo..hi).unwrap_or(""))
    }

    /// The whole source text of a node (for reading what it says, not for
    /// messages: see [`Self::snippet`]).
    pub fn text(&self, span: Span) -> &'a str {
        let lo = (span.lo.0.saturating_sub(START) as usize).min(self.source.len());
        let hi = (span.hi.0.saturating_sub(START) as usize).clamp(lo, self.source.len());
        self.source.get(lo..hi).unwrap_or("")
    }

    /// Where a node is (1-based lines, UTF-16 columns), for facts reported
    /// after the walk.
    pub fn loc(&self, span: Span) -> Loc {
        let (line, column) = self.index.position(span.lo.0.saturating_sub(START));
        let (end_line, end_column) = self.index.position(span.hi.0.saturating_sub(START));
        Loc {
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

    /// At module scope: no enclosing function, nor a class field's
    /// initializer (run for each instance).
    pub fn at_module_scope(&self) -> bool {
        self.class_fields == 0
            && !self
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
        self.frames.last()?.repeat()
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

    /// What `id` is bound to: `Some((true, kind))` for a module-scope
    /// binding, `Some((false, kind))` for a local one, `None` for a global
    /// (or an undeclared name). `id` may use the name or declare it. A type
    /// (interface, type alias, `import type`) is no binding: a value
    /// reference never resolves to one.
    pub fn binding(&self, id: &Ident) -> Option<(bool, BindingKind)> {
        self.binding_at(&id.sym, id.span.lo)
    }

    /// [`Self::binding`] of the identifier `name` that starts at `lo`. Most
    /// answers come from the declared names (a name declared nowhere, or
    /// only once at module scope); the rest from the semantic model.
    pub fn binding_at(&self, name: &Atom, lo: BytePos) -> Option<(bool, BindingKind)> {
        let quick = match self.declared().borrow_mut().get(name, lo.0) {
            Declared::Nowhere => Some(None),
            Declared::Module(kind) => Some(Some((true, kind))),
            Declared::Local | Declared::Unknown => None,
        };
        #[cfg(debug_assertions)]
        if let Some(quick) = quick {
            let model = self.model_binding(lo);
            debug_assert_eq!(quick, model, "`{name}` at {lo:?} in {}", self.path);
        }
        quick.unwrap_or_else(|| self.model_binding(lo))
    }

    /// What the semantic model says the identifier at `lo` is bound to.
    fn model_binding(&self, lo: BytePos) -> Option<(bool, BindingKind)> {
        let semantic = self.semantic();
        let symbol = semantic.symbol(semantic.resolve_at(lo)?);
        let flags = symbol.flags;
        if !flags.is_value() {
            return None;
        }
        let kind = if flags.intersects(SymbolFlags::IMPORT) {
            BindingKind::Import
        } else if flags.intersects(SymbolFlags::PARAM) {
            BindingKind::Param
        } else if flags.intersects(SymbolFlags::FUNCTION) {
            BindingKind::Function
        } else if flags.intersects(SymbolFlags::CLASS) {
            BindingKind::Class
        } else if flags.intersects(SymbolFlags::VAR) {
            BindingKind::Var
        } else if flags.intersects(SymbolFlags::LET | SymbolFlags::CATCH_PARAM) {
            BindingKind::Let
        } else {
            // const, using, enum, namespace
            BindingKind::Const
        };
        Some((symbol.scope == semantic.root_scope(), kind))
    }

    /// The kind of module-scope binding `id` names (None for a local, also
    /// one that shadows a module binding, and for a global).
    pub fn module_binding(&self, id: &Ident) -> Option<BindingKind> {
        self.module_binding_at(&id.sym, id.span.lo)
    }

    /// [`Self::module_binding`] of the identifier `name` that starts at
    /// `lo`: the declared names answer it unless the name is declared at
    /// module scope and also elsewhere (or in a way they leave to the model).
    pub fn module_binding_at(&self, name: &Atom, lo: BytePos) -> Option<BindingKind> {
        let quick = match self.declared().borrow_mut().get_module(name, lo.0) {
            Declared::Nowhere | Declared::Local => Some(None),
            Declared::Module(kind) => Some(Some(kind)),
            Declared::Unknown => None,
        };
        let of_module = |binding| match binding {
            Some((true, kind)) => Some(kind),
            _ => None,
        };
        #[cfg(debug_assertions)]
        if let Some(quick) = quick {
            let model = of_module(self.model_binding(lo));
            debug_assert_eq!(quick, model, "`{name}` at {lo:?} in {}", self.path);
        }
        quick.unwrap_or_else(|| of_module(self.model_binding(lo)))
    }

    /// The array `name` declared at `at` is passed to `Promise.all` or
    /// `Promise.allSettled` later in the same function (`const ps =
    /// xs.map(async …); await Promise.all(ps)`): its elements run
    /// together, as in `Promise.all(xs.map(…))`.
    pub fn combined_later(&self, name: &Atom, at: Span) -> bool {
        let combined = self.combined.get_or_init(|| {
            struct Finder(Vec<(Atom, BytePos)>);
            impl crate::syntax::probe::Hooks for Finder {
                fn kinds(&self) -> u64 {
                    crate::syntax::probe::bit(crate::syntax::probe::Kind::Call)
                }
                fn enter(
                    &mut self,
                    node: crate::syntax::probe::Node<'_>,
                ) -> crate::syntax::probe::Descend {
                    if let crate::syntax::probe::Node::Call(c) = node {
                        if is_promise_combinator(c) {
                            if let Some(Expr::Ident(id)) = c
                                .args
                                .first()
                                .map(|a| crate::syntax::ast::unwrap_expr(&a.expr))
                            {
                                self.0.push((id.sym.clone(), c.span.lo));
                            }
                        }
                    }
                    crate::syntax::probe::Descend::Children
                }
            }
            let mut finder = Finder(Vec::new());
            // Most files have no `Promise.all`: no walk for them.
            if crate::syntax::text::contains_by_rare_byte(self.source, "Promise.all", 0) {
                crate::syntax::probe::walk(self.program, &mut finder);
            }
            finder.0
        });
        if combined.is_empty() {
            return false;
        }
        let end = self
            .function()
            .map(|f| match f {
                Frame::Function { span, .. } => span.hi,
                Frame::Loop { span, .. } => span.hi,
            })
            .unwrap_or(BytePos(u32::MAX));
        combined
            .iter()
            .any(|(n, lo)| n == name && *lo > at.hi && *lo < end)
    }

    /// The file's syntax tree.
    pub fn program(&self) -> &'a Program {
        self.program
    }

    /// `id`, used inside `function` (a span) which has a parameter of its
    /// name, is a parameter of a function (not a local of the same name in
    /// between). Without the model when the file declares the name only as
    /// parameters inside that function.
    pub fn is_local_param(&self, id: &Ident, function: Span) -> bool {
        let model = || matches!(self.binding(id), Some((false, BindingKind::Param)));
        if self
            .declared()
            .borrow_mut()
            .params_only(&id.sym, function.lo.0, function.hi.0)
        {
            debug_assert!(model(), "`{}` in {}", id.sym, self.path);
            return true;
        }
        model()
    }

    /// `id` names a module-scope binding (not a local that shadows one, not
    /// a global).
    pub fn is_module_binding(&self, id: &Ident) -> bool {
        self.module_binding(id).is_some()
    }

    /// `id` names no binding of the file: a global (`fetch`, `console`,
    /// `RegExp`) unless shadowed.
    pub fn is_unbound(&self, id: &Ident) -> bool {
        self.binding(id).is_none()
    }

    /// The names the file declares (one light walk, on the first question).
    fn declared(&self) -> &std::cell::RefCell<DeclaredNames<'a>> {
        self.declared
            .get_or_init(|| std::cell::RefCell::new(DeclaredNames::of(self.program)))
    }

    /// The file's semantic model.
    pub fn semantic(&self) -> &SemanticModel {
        self.semantic
            .get_or_init(|| SemanticModel::build(self.program))
    }

    /// `id` refers to one of the declarations of `set` (it is one, or the
    /// semantic model resolves it to the symbol one declares). The model
    /// is asked only for a name the set holds.
    pub fn refers_to(&self, set: &Bindings, id: &Ident) -> bool {
        let Some(decls) = set.0.get(&id.sym) else {
            return false;
        };
        if decls.contains(&id.span.lo.0) {
            return true;
        }
        let semantic = self.semantic();
        semantic.resolve(id).is_some_and(|symbol| {
            decls
                .iter()
                .any(|&lo| semantic.resolve_at(BytePos(lo)) == Some(symbol))
        })
    }

    /// `id` refers to a Drizzle database handle the file binds
    /// (`const db = drizzle(env.DB)`, `const db = c.var.db`).
    pub fn is_db_handle(&self, id: &Ident) -> bool {
        self.refers_to(&self.db_handles, id)
    }

    /// `id` is the Worker's bindings object: a request handler's second
    /// parameter or an alias of it, or by convention a name `env` (a
    /// helper's `env` parameter, an import) that is bound to no plain
    /// value and is no parameter known not to be the bindings.
    pub fn is_env_object(&self, id: &Ident) -> bool {
        self.refers_to(&self.env_objects, id)
            || (id.sym == "env"
                && !self.bound_to_plain_value(id)
                && !self.refers_to(&self.not_env, id))
    }

    /// `id` refers to a binding destructured from the bindings object
    /// (`const { KV } = env`, `fetch(request, { KV })`).
    pub fn is_env_part(&self, id: &Ident) -> bool {
        self.refers_to(&self.env_parts, id)
    }

    /// The binding `id` stands for: the one it was read from (`const db =
    /// env.DB`: `DB`), else its own name (`const { DB } = env`).
    pub fn binding_name_of(&self, id: &Ident) -> Atom {
        match self.env_aliases.get(&id.sym) {
            Some(Some(binding)) => binding.clone(),
            _ => id.sym.clone(),
        }
    }

    /// Notes that `alias` (a declaring identifier) holds the binding `binding`.
    pub fn note_env_alias(&mut self, alias: &Ident, binding: &Atom) {
        self.env_parts.insert(alias);
        self.env_aliases
            .entry(alias.sym.clone())
            .and_modify(|b| {
                if b.as_ref() != Some(binding) {
                    *b = None;
                }
            })
            .or_insert_with(|| Some(binding.clone()));
    }

    /// `id` refers to a module-scope function declared `async` (a local of
    /// the same name does not).
    pub fn is_async_function(&self, id: &Ident) -> bool {
        self.async_names.contains(&id.sym) && self.is_module_binding(id)
    }

    /// `id` is bound in this file to a plain value: a literal, array,
    /// object, function, class or `new` expression. Such a name is neither a
    /// database (whatever `db`/`tx` suggest) nor the Worker's `env`.
    pub fn bound_to_plain_value(&self, id: &Ident) -> bool {
        // A global or a parameter is not (without the model).
        let quick = self
            .declared()
            .borrow_mut()
            .param_or_global(&id.sym, id.span.lo.0);
        debug_assert!(!quick || !self.model_plain_value(id), "`{}`", id.sym);
        !quick && self.model_plain_value(id)
    }

    /// [`Self::bound_to_plain_value`] asked of the semantic model.
    /// `id` is a variable initialized with a value the code writes out: a
    /// literal, a template, an object or array literal, an operator
    /// expression (not a parameter, a call's result, a member or a `new`).
    pub fn bound_to_written_value(&self, id: &Ident) -> bool {
        let semantic = self.semantic();
        semantic.resolve(id).is_some_and(|symbol| {
            matches!(
                semantic.symbol(symbol).declaration,
                Declaration::Variable { init: Some(ref init) } if matches!(init.kind, InitKind::Other)
            )
        })
    }

    fn model_plain_value(&self, id: &Ident) -> bool {
        let semantic = self.semantic();
        let Some(symbol) = semantic.resolve(id) else {
            return false;
        };
        match semantic.symbol(symbol).declaration {
            Declaration::Variable { init: Some(init) } => matches!(
                init.kind,
                InitKind::Other
                    | InitKind::Function { .. }
                    | InitKind::Arrow { .. }
                    | InitKind::Class
                    | InitKind::New { .. }
            ),
            Declaration::Function { .. } | Declaration::Class { .. } | Declaration::Ts { .. } => {
                true
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
                Expr::Ident(id) => self.is_env_object(id) || self.is_env_part(id),
                Expr::Member(inner) => {
                    matches!(&inner.prop, MemberProp::Ident(p) if p.sym == "env")
                }
                _ => false,
            },
            // a binding destructured from env: `const { KV } = env; KV.get()`
            Expr::Ident(id) => self.is_env_part(id),
            _ => false,
        }
    }
}

/// `Promise.all(…)` or `Promise.allSettled(…)`, read without building the
/// callee's text.
fn is_promise_combinator(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(m) = crate::syntax::ast::unwrap_expr(callee) else {
        return false;
    };
    matches!(crate::syntax::ast::unwrap_expr(&m.obj), Expr::Ident(o) if o.sym == "Promise")
        && matches!(&m.prop, MemberProp::Ident(p) if p.sym == "all" || p.sym == "allSettled")
}
