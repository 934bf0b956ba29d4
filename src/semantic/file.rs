//! What one file's walk knows at each node: where it is (functions, loops,
//! iteration callbacks, request handlers), which names are bound where, and
//! positions and snippets for messages. Built once per file, during the one
//! traversal; `engine::LintContext` wraps it for rules.

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::scope::{BindingKind, Frame, Repeat, Scope};
use super::{Declaration, InitKind, SemanticModel, SymbolId};
use crate::model::collections::HashSet;
use crate::model::project::ProjectInfo;
use crate::syntax::ast::pat_names;
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
    /// Lexical scopes, innermost last; index 0 is the module scope.
    pub(crate) scopes: Vec<Scope>,
    program: &'a Program,
    /// What every identifier of the file refers to: built once, on the first
    /// question (most files of a project never ask one yet).
    semantic: std::cell::OnceCell<SemanticModel>,
    /// Symbols bound to `drizzle(...)` results or a Hono context database
    /// (`c.var.db`): Drizzle database handles. Asked by what an identifier
    /// refers to, so a shadowing `const db = []` is not one.
    pub db_symbols: HashSet<SymbolId>,
    /// Names bound to Worker bindings (`const { CACHE } = env`) or to `env`.
    pub env_names: HashSet<Atom>,
    /// Module-scope functions declared `async` (calls return promises).
    pub async_functions: HashSet<Atom>,
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
            scopes: vec![Scope::default()],
            program,
            semantic: std::cell::OnceCell::new(),
            db_symbols: HashSet::default(),
            env_names: ["env".into()].into_iter().collect(),
            async_functions: HashSet::default(),
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

    /// The source text of a node, for messages (`env.KV.get(key)`), shortened
    /// to one line of at most 60 characters.
    pub fn snippet(&self, span: Span) -> String {
        let lo = span.lo.0.saturating_sub(START) as usize;
        let hi = (span.hi.0.saturating_sub(START) as usize).min(self.source.len());
        one_line(self.source.get(lo..hi).unwrap_or(""))
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

    /// The file's syntax tree.
    pub fn program(&self) -> &'a Program {
        self.program
    }

    /// The file's semantic model (built on first use, once).
    pub fn semantic(&self) -> &SemanticModel {
        self.semantic
            .get_or_init(|| SemanticModel::build(self.program))
    }

    /// `id` refers to a Drizzle database handle the file binds
    /// (`const db = drizzle(env.DB)`, `const db = c.var.db`).
    pub fn is_db_handle(&self, id: &Ident) -> bool {
        !self.db_symbols.is_empty()
            && self
                .semantic()
                .resolve(id)
                .is_some_and(|s| self.db_symbols.contains(&s))
    }

    /// `id` is bound in this file to a plain value: a literal, array,
    /// object, function, class or `new` expression. Such a name is neither a
    /// database (whatever `db`/`tx` suggest) nor the Worker's `env`.
    pub fn bound_to_plain_value(&self, id: &Ident) -> bool {
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

    /// `name` is a module-scope binding not shadowed here.
    pub fn is_module_binding(&self, name: &Atom) -> bool {
        matches!(self.resolve(name), Some((true, _)))
    }

    /// `expr` is a Worker binding: `env.X`, `c.env.X`, `this.env.X`,
    /// `ctx.env.X`, or a name destructured from env.
    pub fn is_binding_root(&self, expr: &Expr) -> bool {
        match expr {
            // `env.X` (the object of `env.X.get`)
            Expr::Member(m) => match &*m.obj {
                Expr::Ident(id) => {
                    self.env_names.contains(&id.sym) && !self.bound_to_plain_value(id)
                }
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
}
