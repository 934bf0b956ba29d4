//! The semantic model of one file: scopes, symbols, references, how each
//! symbol was bound, imports and exports. Built once per parse by
//! [`SemanticModel::build`] (see `binder.rs`), then only queried.
//!
//! Identity: an identifier occurrence is keyed by its `span.lo`. Every
//! identifier token of one parse starts at a distinct byte, so the start is a
//! stable, 4-byte key that rules get from the node they already hold, without
//! pointers into the AST. The model keeps one Vec of `(lo, slot)` sorted by
//! `lo` (pushed in visit order, which is nearly source order, and sorted once
//! at the end): lookups are a binary search, and building it costs a push per
//! identifier instead of a hash-map insert.

use swc_core::atoms::{Atom, Wtf8Atom};
use swc_core::common::{BytePos, Span};
use swc_core::ecma::ast::Ident;

use crate::model::collections::HashMap;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            /// The position in the model's table (dense, from 0).
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A declared name: one per declaration site, shared by redeclarations
    /// (`var x; var x`) and TypeScript declaration merging.
    SymbolId
);
id_type!(
    /// A lexical scope.
    ScopeId
);
id_type!(
    /// One identifier occurrence that uses a name.
    ReferenceId
);

macro_rules! flags_type {
    ($(#[$doc:meta])* $name:ident: $repr:ty { $($(#[$fdoc:meta])* $flag:ident = $bit:expr;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $repr);
        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name(1 << $bit);)*
            pub const NONE: $name = $name(0);
            /// Has any of the flags of `other`.
            pub fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }
            /// Has all of the flags of `other`.
            pub fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }
        }
        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
        }
        impl std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, other: $name) {
                self.0 |= other.0;
            }
        }
    };
}

flags_type!(
    /// How a symbol was declared. Merged symbols carry the union.
    SymbolFlags: u32 {
        VAR = 0;
        LET = 1;
        CONST = 2;
        /// `using` / `await using` (also CONST).
        USING = 3;
        FUNCTION = 4;
        CLASS = 5;
        PARAM = 6;
        CATCH_PARAM = 7;
        IMPORT = 8;
        /// TS `enum` (a value and a type).
        ENUM = 9;
        ENUM_MEMBER = 10;
        /// TS `namespace` / `module` (a value and a type).
        NAMESPACE = 11;
        INTERFACE = 12;
        TYPE_ALIAS = 13;
        TYPE_PARAM = 14;
        /// Lives only in the type namespace: `import type`, `import { type X }`,
        /// `export type`, interfaces, type aliases, type parameters.
        TYPE_ONLY = 15;
        /// `declare …` (ambient: no runtime value of its own).
        AMBIENT = 16;
        /// A destructuring default applies on its path (`{ DB = fallback }`).
        DEFAULTED = 17;
        /// Declared by an `export` declaration at module scope.
        EXPORTED = 18;
    }
);

impl SymbolFlags {
    /// Kinds that (also) name a type.
    pub const TYPE_MEANING: SymbolFlags = SymbolFlags(
        Self::CLASS.0
            | Self::ENUM.0
            | Self::NAMESPACE.0
            | Self::IMPORT.0
            | Self::INTERFACE.0
            | Self::TYPE_ALIAS.0
            | Self::TYPE_PARAM.0,
    );

    /// The symbol has a runtime value (is in the value namespace).
    pub fn is_value(self) -> bool {
        !self.intersects(Self::TYPE_ONLY)
    }

    /// The symbol names a type (is in the type namespace).
    pub fn is_type(self) -> bool {
        self.intersects(Self::TYPE_MEANING)
    }
}

flags_type!(
    /// How a reference uses its symbol.
    ReferenceFlags: u8 {
        READ = 0;
        /// Assignment target, update operand, for-in/of target. Compound
        /// assignment and `x++` are READ | WRITE.
        WRITE = 1;
        /// A type position resolved in the type namespace (`x: Foo`); not a
        /// runtime use.
        TYPE = 2;
        /// `typeof x` in a type: resolved in the value namespace, not a
        /// runtime use.
        TYPE_QUERY = 3;
    }
);

impl ReferenceFlags {
    /// The reference runs: not in a type position.
    pub fn is_runtime(self) -> bool {
        !self.intersects(Self::TYPE | Self::TYPE_QUERY)
    }
}

/// What created a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Script,
    /// A `function` (declaration, expression, method, accessor, constructor):
    /// its parameters and body share it.
    Function,
    /// An arrow function: parameters and body.
    Arrow,
    Block,
    /// `for (let …;;)`, `for (const x of …)`: the head's bindings.
    For,
    /// `catch (e) { … }`: the parameter and the body.
    Catch,
    /// `class { … }`; a class expression's own name lives here.
    Class,
    StaticBlock,
    /// `switch (…) { … }`: the cases share one block.
    Switch,
    /// TS `namespace N { … }` / `declare module "m" { … }`.
    TsModule,
    /// TS `enum E { … }`: its members.
    TsEnum,
    /// TS type parameters of an interface, type alias, function type or mapped
    /// type.
    TsType,
}

impl ScopeKind {
    /// `var` declarations and `this` stop here.
    pub fn is_function(self) -> bool {
        matches!(self, ScopeKind::Function | ScopeKind::Arrow)
    }
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    /// The node that creates it (the whole function for a function scope).
    pub span: Span,
    /// Declares a value / a type directly (lets resolution skip the table).
    pub(crate) has_values: bool,
    pub(crate) has_types: bool,
}

/// One step from a value to a part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// `{ key }`, `{ key: x }`, `.key` of a member initializer.
    Key(Atom),
    /// `{ [expr]: x }`: a key known only at run time.
    Computed,
    /// `[, x]`: element 1.
    Index(u32),
    /// `{ a, ...rest }`: the remaining properties.
    Rest,
    /// `[a, ...rest]`: the elements from this index on.
    RestFrom(u32),
}

/// A range in the model's path arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PathRange {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// The shape of an initializer, enough to follow values without the AST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitKind {
    /// `x` (also through parentheses, `as`, `satisfies`, `!`).
    Ident(ReferenceId),
    /// `x.a.b`: a static member chain from an identifier; the symbol's path
    /// starts with the chain's keys (`a`, `b`).
    Member(ReferenceId),
    /// `this.a.b`: likewise from `this`.
    ThisMember,
    /// `f(…)` or `await f(…)`; `callee` is set when `f` is an identifier.
    Call {
        callee: Option<ReferenceId>,
    },
    /// `new F(…)`.
    New {
        callee: Option<ReferenceId>,
    },
    Function {
        is_async: bool,
    },
    Arrow {
        is_async: bool,
    },
    Class,
    Other,
}

/// A variable's initializer (or a for-of's iterated expression).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Init {
    pub span: Span,
    pub kind: InitKind,
}

/// How a symbol was bound (its first declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declaration {
    /// `var`/`let`/`const`/`using`; `init` is None for `let x;`.
    Variable {
        init: Option<Init>,
    },
    /// Parameter `index` of the function whose scope is `function`.
    Param {
        function: ScopeId,
        index: u32,
    },
    CatchParam,
    /// `for (const x of right)` / `for (const k in right)`.
    ForInOf {
        of: bool,
        right: Init,
    },
    /// An import binding: index into [`SemanticModel::imports`].
    Import(u32),
    /// A function declaration (or a named function expression's own name);
    /// `span` is the whole function.
    Function {
        span: Span,
        is_async: bool,
        is_generator: bool,
    },
    /// A class declaration or named class expression; `span` is the class.
    Class {
        span: Span,
    },
    /// TS enum, enum member, namespace, interface, type alias, type parameter.
    Ts {
        span: Span,
    },
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: Atom,
    pub flags: SymbolFlags,
    pub scope: ScopeId,
    /// The declaring identifier (the first one, for merged symbols).
    pub span: Span,
    pub declaration: Declaration,
    pub(crate) path: PathRange,
}

#[derive(Debug, Clone)]
pub struct Reference {
    pub name: Atom,
    /// The identifier.
    pub span: Span,
    /// The innermost scope where it occurs.
    pub scope: ScopeId,
    pub flags: ReferenceFlags,
    /// None: a global or an undeclared name.
    pub symbol: Option<SymbolId>,
}

/// What a destructured (or member-initialized) symbol's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A declared name (`const { DB } = env`, `const kv = env.KV`).
    Symbol(SymbolId),
    /// An undeclared name (`const { X } = globalThis`): the reference.
    Global(ReferenceId),
    /// `this` (`const { DB } = this.env`).
    This,
    /// Argument `index` of the function whose scope is `function`.
    Param { function: ScopeId, index: u32 },
    /// The caught value.
    Catch,
    /// Each element of (for-of) or key of (for-in) the expression at `span`.
    Iteration { of: bool, span: Span },
    /// Any other expression (a call, a literal…) at `span`.
    Expr(Span),
}

/// What an import binding takes from its module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportName {
    /// `import { x }` / `import { x as y }` / `import { "a-b" as y }`.
    Named(Atom),
    /// `import x from` / `import { default as x }`.
    Default,
    /// `import * as ns from`.
    Namespace,
    /// TS `import x = require("m")`: the whole `module.exports`.
    Require,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub symbol: SymbolId,
    /// The module specifier as written (`"./db"`, `"drizzle-orm/d1"`).
    pub specifier: Wtf8Atom,
    pub imported: ImportName,
    /// `import type` or `import { type x }`.
    pub type_only: bool,
    /// The import specifier (`x as y`).
    pub span: Span,
}

/// What an export name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTarget {
    /// A module-scope symbol (`export const x`, `export { x as y }`,
    /// `export default x`, `export default function f() {}`).
    Local(SymbolId),
    /// `export { x }` / `export default x` of an undeclared name.
    Global(Atom),
    /// `export default <expression>` or an anonymous default function or
    /// class; `span` is the expression.
    Expr(Span),
    /// `export { x as y } from "m"`, `export * as ns from "m"`.
    ReExport {
        specifier: Wtf8Atom,
        imported: ImportName,
    },
}

#[derive(Debug, Clone)]
pub struct Export {
    /// The exported name; `default` for default exports, `export=` for TS
    /// `export = x`.
    pub name: Atom,
    pub target: ExportTarget,
    pub type_only: bool,
    pub span: Span,
}

/// `export * from "m"`: every name of `m` but `default`.
#[derive(Debug, Clone)]
pub struct ExportStar {
    pub specifier: Wtf8Atom,
    pub type_only: bool,
    pub span: Span,
}

/// How a module is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `import … from "m"` and `import "m"`.
    Import,
    /// `export … from "m"`.
    ReExport,
    /// `import("m")` with a literal specifier.
    Dynamic,
    /// `require("m")` (the global `require`) and TS `import x = require("m")`.
    Require,
}

/// Every module specifier the file names, for the module graph.
#[derive(Debug, Clone)]
pub struct ModuleRequest {
    pub specifier: Wtf8Atom,
    pub kind: RequestKind,
    pub type_only: bool,
    pub span: Span,
}

/// What an identifier occurrence is in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Ref(ReferenceId),
    Decl(SymbolId),
}

/// The semantic model of one file. See the module doc.
#[derive(Debug, Default)]
pub struct SemanticModel {
    pub(crate) scopes: Vec<Scope>,
    /// Value-namespace bindings by (scope, name): one table for the file
    /// rather than one per scope, so a scope costs no allocation.
    pub(crate) values: HashMap<(ScopeId, Atom), SymbolId>,
    /// Type-namespace bindings (TS). A class, enum, namespace or import is in
    /// both tables.
    pub(crate) types: HashMap<(ScopeId, Atom), SymbolId>,
    pub(crate) symbols: Vec<Symbol>,
    pub(crate) references: Vec<Reference>,
    /// `(ident span.lo, slot)`, sorted by `lo`.
    pub(crate) idents: Vec<(u32, Slot)>,
    /// Scope ids ordered by `span.lo`, for [`Self::scope_of`].
    pub(crate) scopes_by_start: Vec<ScopeId>,
    /// Per symbol, its references: `refs_of[ref_start[s]..ref_start[s+1]]`.
    pub(crate) ref_start: Vec<u32>,
    pub(crate) refs_of: Vec<ReferenceId>,
    pub(crate) paths: Vec<PathSeg>,
    pub(crate) imports: Vec<Import>,
    pub(crate) exports: Vec<Export>,
    pub(crate) export_stars: Vec<ExportStar>,
    pub(crate) requests: Vec<ModuleRequest>,
    /// The walk recorded identifiers in order (`finish` did not sort).
    #[cfg(test)]
    pub(crate) walk_sorted: bool,
}

/// Const aliases are followed at most this far (a guard, not a real limit).
const MAX_ALIAS_DEPTH: usize = 64;

impl SemanticModel {
    // ----- tables -----

    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.index()]
    }

    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.index()]
    }

    /// The module or script scope.
    pub fn root_scope(&self) -> ScopeId {
        ScopeId(0)
    }

    pub fn all_references(&self) -> &[Reference] {
        &self.references
    }

    pub fn reference(&self, id: ReferenceId) -> &Reference {
        &self.references[id.index()]
    }

    // ----- identifiers -----

    fn slot_at(&self, lo: BytePos) -> Option<Slot> {
        let i = self
            .idents
            .binary_search_by_key(&lo.0, |&(key, _)| key)
            .ok()?;
        Some(self.idents[i].1)
    }

    /// The reference an identifier occurrence starting at `lo` is, if it is
    /// one (declarations, property names, labels are not).
    pub fn reference_at(&self, lo: BytePos) -> Option<ReferenceId> {
        match self.slot_at(lo)? {
            Slot::Ref(r) => Some(r),
            Slot::Decl(_) => None,
        }
    }

    /// The symbol a reference identifier resolves to (None for globals,
    /// undeclared names and non-references).
    pub fn symbol_of_ref(&self, ident: &Ident) -> Option<SymbolId> {
        self.reference(self.reference_at(ident.span.lo)?).symbol
    }

    /// The symbol a declaring identifier declares (`x` in `const x = 1`,
    /// `function x`, `import { x }`, a parameter…).
    pub fn symbol_of_decl(&self, ident: &Ident) -> Option<SymbolId> {
        match self.slot_at(ident.span.lo)? {
            Slot::Decl(s) => Some(s),
            Slot::Ref(_) => None,
        }
    }

    /// The symbol an identifier names, whether it declares or uses it.
    pub fn resolve(&self, ident: &Ident) -> Option<SymbolId> {
        self.resolve_at(ident.span.lo)
    }

    /// [`Self::resolve`] by the identifier's start.
    pub fn resolve_at(&self, lo: BytePos) -> Option<SymbolId> {
        match self.slot_at(lo)? {
            Slot::Decl(s) => Some(s),
            Slot::Ref(r) => self.reference(r).symbol,
        }
    }

    /// `ident` is a reference to the global `name`: it reads `name` and no
    /// declaration in scope shadows it (`fetch`, `caches`, `globalThis`).
    pub fn is_global(&self, ident: &Ident, name: &str) -> bool {
        ident.sym == *name
            && self
                .reference_at(ident.span.lo)
                .is_some_and(|r| self.reference(r).symbol.is_none())
    }

    /// References that resolve to no declaration (globals, undeclared names).
    pub fn unresolved_references(&self) -> impl Iterator<Item = &Reference> {
        self.references.iter().filter(|r| r.symbol.is_none())
    }

    // ----- symbols -----

    /// Every reference to `sym`, in source order.
    pub fn references(&self, sym: SymbolId) -> impl Iterator<Item = &Reference> + '_ {
        let start = self.ref_start[sym.index()] as usize;
        let end = self.ref_start[sym.index() + 1] as usize;
        self.refs_of[start..end].iter().map(|r| self.reference(*r))
    }

    /// Some reference assigns `sym` after its declaration (`x = …`, `x++`,
    /// `[x] = …`, `for (x of …)`).
    pub fn is_written(&self, sym: SymbolId) -> bool {
        self.references(sym)
            .any(|r| r.flags.intersects(ReferenceFlags::WRITE))
    }

    /// The value symbol `name` visible in `scope` (walking out to the root).
    pub fn lookup(&self, scope: ScopeId, name: &str) -> Option<SymbolId> {
        self.lookup_in(scope, &Atom::from(name), false)
    }

    /// The type symbol `name` visible in `scope`.
    pub fn lookup_type(&self, scope: ScopeId, name: &str) -> Option<SymbolId> {
        self.lookup_in(scope, &Atom::from(name), true)
    }

    /// The value symbol `name` declared directly in `scope`.
    pub fn binding(&self, scope: ScopeId, name: &str) -> Option<SymbolId> {
        self.values.get(&(scope, Atom::from(name))).copied()
    }

    /// The type symbol `name` declared directly in `scope`.
    pub fn type_binding(&self, scope: ScopeId, name: &str) -> Option<SymbolId> {
        self.types.get(&(scope, Atom::from(name))).copied()
    }

    pub(crate) fn lookup_in(&self, scope: ScopeId, name: &Atom, types: bool) -> Option<SymbolId> {
        self.lookup_key(&mut (scope, name.clone()), types)
    }

    /// Walks `key.0` out to the root; `key.0` ends at the scope searched last.
    pub(crate) fn lookup_key(&self, key: &mut (ScopeId, Atom), types: bool) -> Option<SymbolId> {
        loop {
            let s = self.scope(key.0);
            let (has, map) = if types {
                (s.has_types, &self.types)
            } else {
                (s.has_values, &self.values)
            };
            if has {
                if let Some(sym) = map.get(key) {
                    return Some(*sym);
                }
            }
            key.0 = s.parent?;
        }
    }

    /// The symbol's destructuring/member path from its [`Source`].
    pub fn path(&self, sym: SymbolId) -> &[PathSeg] {
        let p = self.symbol(sym).path;
        &self.paths[p.start as usize..(p.start + p.len) as usize]
    }

    /// Follows `const` aliases: `const d = db; const e = d` → `alias_root(e)
    /// == db`. Stops at a symbol that is not a `const` bound to a plain
    /// identifier (a `let`/`var` may be reassigned, so it is its own root).
    pub fn alias_root(&self, sym: SymbolId) -> SymbolId {
        let mut current = sym;
        for _ in 0..MAX_ALIAS_DEPTH {
            match self.alias_of(current) {
                Some(next) if next != current => current = next,
                _ => break,
            }
        }
        current
    }

    /// The symbol a `const x = y` aliases directly.
    pub fn alias_of(&self, sym: SymbolId) -> Option<SymbolId> {
        let s = self.symbol(sym);
        if !s.flags.contains(SymbolFlags::CONST) || s.path.len != 0 {
            return None;
        }
        match s.declaration {
            Declaration::Variable {
                init:
                    Some(Init {
                        kind: InitKind::Ident(r),
                        ..
                    }),
            } => self.reference(r).symbol,
            _ => None,
        }
    }

    /// Where a symbol's value is read from when it is a part of another
    /// value: `const { DB } = env` → (Symbol(env), [Key(DB)]);
    /// `const { env: { DB: db } } = c` → (Symbol(c), [Key(env), Key(DB)]);
    /// `const kv = env.KV` → (Symbol(env), [Key(KV)]); a parameter
    /// (destructured or not) → (Param, path). None for plain bindings
    /// (`const d = db` is an alias: see [`Self::alias_root`]).
    /// Sources are not followed: apply `alias_root` / recurse as needed.
    pub fn destructured_from(&self, sym: SymbolId) -> Option<(Source, &[PathSeg])> {
        let s = self.symbol(sym);
        let path = self.path(sym);
        let source = match s.declaration {
            Declaration::Param { function, index } => Source::Param { function, index },
            _ if path.is_empty() => return None,
            Declaration::Variable { init: Some(init) } => match init.kind {
                InitKind::Ident(r) | InitKind::Member(r) => match self.reference(r).symbol {
                    Some(s) => Source::Symbol(s),
                    None => Source::Global(r),
                },
                InitKind::ThisMember => Source::This,
                _ => Source::Expr(init.span),
            },
            Declaration::CatchParam => Source::Catch,
            Declaration::ForInOf { of, right } => Source::Iteration {
                of,
                span: right.span,
            },
            _ => return None,
        };
        Some((source, path))
    }

    // ----- scopes -----

    /// The innermost scope containing `pos`.
    pub fn scope_of(&self, pos: BytePos) -> ScopeId {
        // The last scope starting at or before pos, then out to one that
        // contains it.
        let i = self
            .scopes_by_start
            .partition_point(|s| self.scope(*s).span.lo <= pos);
        let mut current = match i.checked_sub(1) {
            Some(i) => Some(self.scopes_by_start[i]),
            None => return self.root_scope(),
        };
        while let Some(s) = current {
            let scope = self.scope(s);
            if scope.span.lo <= pos && pos < scope.span.hi {
                return s;
            }
            current = scope.parent;
        }
        self.root_scope()
    }

    /// The innermost function (or arrow) scope enclosing `scope`, itself
    /// included; None at module scope.
    pub fn function_scope(&self, scope: ScopeId) -> Option<ScopeId> {
        let mut current = Some(scope);
        while let Some(s) = current {
            if self.scope(s).kind.is_function() {
                return Some(s);
            }
            current = self.scope(s).parent;
        }
        None
    }

    // ----- modules -----

    /// Every import binding, in source order.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The import `sym` is bound by, if it is an import binding.
    pub fn import_of(&self, sym: SymbolId) -> Option<&Import> {
        match self.symbol(sym).declaration {
            Declaration::Import(i) => self.imports.get(i as usize),
            _ => None,
        }
    }

    /// Named and default exports, in source order.
    pub fn exports(&self) -> &[Export] {
        &self.exports
    }

    /// The export named `name` (`"default"` for the default export).
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == *name)
    }

    /// `export * from "m"` entries.
    pub fn export_stars(&self) -> &[ExportStar] {
        &self.export_stars
    }

    /// Every module specifier the file names (static imports, re-exports,
    /// literal dynamic imports and `require` calls), in source order.
    pub fn module_requests(&self) -> &[ModuleRequest] {
        &self.requests
    }
}
