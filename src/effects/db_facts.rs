//! Query facts and the collector that records them during the one traversal:
//! which table a query touches, its filters (column and operator), order-by,
//! limit/single-row access and projection, and where it runs (awaited in a
//! loop, inside a transaction or a batch, in a handler). Also the Drizzle
//! tables, imports/exports, Postgres clients and helper calls of each file.

use crate::model::collections::Words;
use crate::model::collections::{HashMap, HashSet};

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use super::drizzle::{
    conn_source, d1_binding, is_db_expr, pg_client_call, pg_client_new, DbEvidence,
};
use super::FileContext as LintContext;
use crate::knowledge::drizzle::{
    self, chain_on_call, has_prop, member_prop, object_prop, sql_text, ClientKind, ConnSource,
    Segment,
};
use crate::knowledge::query::{
    key, table_ref, Api, CallFact, ClientFact, ColumnRef, Ends, Filter, ImportFact, Iteration,
    Join, Key, Op, QueryFact, QueryKind, ReExport, RelationUse, Role, RowUse, TableRef,
};
use crate::knowledge::schema::{read_drizzle_table, read_relations, table_fn_dialect, Dialect};
use crate::knowledge::sql;
use crate::semantic::file::Bindings;
use crate::semantic::node::{Node, NodeKind};
use crate::semantic::scope::{BindingKind, Frame, LoopKind, ITERATION_METHODS};
use crate::syntax::ast::{as_member, callee_is, callee_path, method_name, unwrap_expr, CallView};
use crate::syntax::position::Loc;

/// The collector's working state during the walk.
#[derive(Debug, Clone, Default)]
pub struct WalkState {
    /// Declarations of other names for a Drizzle database or transaction
    /// (`const d = db`, `const { db: database } = c.var`, a transaction
    /// callback's parameter), asked by what an identifier refers to.
    pub db_aliases: Bindings,
    awaited: HashSet<Key>,
    returned: HashSet<Key>,
    batched: HashSet<Key>,
    single_row: HashSet<Key>,
    covered: HashSet<Key>,
    module_assigned: HashSet<Key>,
    open_chains: Vec<Key>,
    pending_fns: HashMap<Key, PendingFn>,
    /// Fields assigned a Drizzle database (`this.client = drizzle(db)`).
    pub db_fields: HashSet<Atom>,
    /// Queries kept in a variable to be run or used later (`let q =
    /// db.select().from(t)`): the name and the query's outermost call.
    stored_queries: HashMap<Atom, Key>,
    /// The rows of a query awaited into a name (`const rows = await
    /// db.select()…`): the name and the query's outermost call.
    pub(crate) awaited_rows: HashMap<Atom, Key>,
    /// Dynamic imports (by the `import()` call) whose code names the exports
    /// it takes: `const { a } = await import('./m')`, `.then((m) => m.a)`.
    pub dynamic_names: HashMap<Key, Vec<String>>,
    fns: Vec<FnInfo>,
    /// (loop, what it iterates, its item's name); texts are made only for
    /// a query found inside.
    loops: Vec<(Key, Option<Span>, Option<Atom>)>,
    pub(crate) by_span: HashMap<Key, usize>,
    /// Index in `FileFacts::functions` of each function being walked.
    pub(crate) function_stack: Vec<usize>,
    /// Callbacks of React's effects (`useEffect(cb)`): (the callback, the
    /// hook), code that runs only in the browser (`semantic::browser`).
    pub(crate) effect_callbacks: Vec<(Span, &'static str)>,
    /// `if (option)` blocks: (the block, the function's index in
    /// `FileFacts::functions`, the option parameter's position).
    pub(crate) gates: Vec<(Span, usize, u32)>,
    /// The classes being walked (declared names), innermost last.
    pub(crate) classes: Vec<String>,
    /// The parameters of the constructors being walked: (name, index, the
    /// class its type names).
    pub(crate) ctor_params: Vec<Vec<(Atom, usize, Option<String>)>>,
    /// Queries whose row use was read so far (at most [`MAX_ROW_USES`]).
    row_uses: std::cell::Cell<u32>,
    /// Each local name's first import (index in `FileFacts::imports`): the
    /// walk asks of many calls what their callee imports.
    pub(crate) import_index: HashMap<String, usize>,
    /// The file imports a package of the SDK table (`knowledge::sdks`):
    /// without one, no call of the file goes through an SDK client.
    pub(crate) imports_sdk: bool,
    /// Conditions bound to a `const` (`const base = and(eq(t.a, x), …)`),
    /// by name: the declaring identifier's start, the filters read from it
    /// and whether part of it could not be read. A `where: base` (or
    /// `.where(base)`, `and(base, …)`) that refers to one reads them.
    conditions: HashMap<Atom, Vec<(u32, Vec<Filter>, bool)>>,
    /// Functions of the file walked so far, by span, and whether one of
    /// their `return`s (or an arrow's expression body) gives a Drizzle
    /// database (`return drizzle(env.DB, { schema })`): a call of one is a
    /// database, or, when none does, not one whatever its name says.
    returns_db: HashMap<Key, bool>,
    /// Some function of the file walked so far returns a database: only
    /// then is a plain call's callee looked up (the semantic model).
    pub(crate) some_returns_db: bool,
}

/// Queries per file whose rows are followed (`row_use`): each walks the file.
const MAX_ROW_USES: u32 = 32;

impl WalkState {
    /// The expression at `span` is awaited (`await x`).
    pub fn is_awaited(&self, span: swc_core::common::Span) -> bool {
        self.awaited.contains(&key(span))
    }

    /// Whether the function declared at `span` returns a Drizzle database,
    /// once the walk has been through it (`None` before: a function
    /// declaration called above it).
    pub fn returns_db(&self, span: Span) -> Option<bool> {
        self.returns_db.get(&key(span)).copied()
    }
}

#[derive(Debug, Clone, Default)]
struct PendingFn {
    role: Option<Role>,
    tx: bool,
    iteration: Option<(Option<Span>, Option<Atom>)>,
}

#[derive(Debug, Clone)]
struct FnInfo {
    span: Key,
    role: Role,
    tx: bool,
    iteration: Option<(Option<Span>, Option<Atom>)>,
}

impl WalkState {
    pub fn in_transaction(&self) -> bool {
        self.fns.iter().any(|f| f.tx)
    }

    /// The node is the right side of an assignment to a module-scope
    /// variable made inside a function (`client ??= postgres(url)`).
    pub fn assigned_to_module(&self, span: Span) -> bool {
        self.module_assigned.contains(&key(span))
    }
}

/// Router methods whose callbacks handle requests (as the walker knows them).
static ROUTE_METHODS: Words = Words::new(&[
    "get", "post", "put", "delete", "patch", "all", "on", "options", "head",
]);

// ----- the collector: called by the walker before the rules on enter, after
// them on exit -----

/// The node kinds `enter` and `exit` act on; the walker skips the others.
pub(crate) const INTERESTS: &[NodeKind] = &[
    NodeKind::Program,
    NodeKind::Stmt,
    NodeKind::Await,
    NodeKind::Return,
    NodeKind::VarDeclarator,
    NodeKind::Assign,
    NodeKind::Function,
    NodeKind::Loop,
    NodeKind::Call,
    NodeKind::OptCall,
    NodeKind::New,
];

pub(crate) fn enter(node: Node<'_>, cx: &mut LintContext<'_>) {
    match node {
        Node::Program(Program::Module(m)) => read_module_items(&m.body, cx),
        Node::Await(a) => {
            let arg = unwrap_expr(&a.arg);
            cx.db.walk.awaited.insert(key(arg.span()));
        }
        Node::Return(r) => {
            if let Some(arg) = &r.arg {
                mark_returned(arg, cx);
            }
            if let Some(f) = cx.db.walk.fns.last().map(|f| f.span) {
                let db = r.arg.as_deref().is_some_and(|arg| returns_db(arg, cx));
                *cx.db.walk.returns_db.entry(f).or_default() |= db;
                cx.db.walk.some_returns_db |= db;
            }
        }
        Node::VarDeclarator(d) => {
            // `const { a, b: c } = await import('./m')`: takes a and b.
            if let (Pat::Object(pattern), Some(Expr::Await(a))) =
                (&d.name, d.init.as_deref().map(unwrap_expr))
            {
                if let (Expr::Call(import), Some(names)) =
                    (unwrap_expr(&a.arg), pattern_keys(pattern))
                {
                    if matches!(import.callee, Callee::Import(_)) {
                        cx.db.walk.dynamic_names.insert(key(import.span), names);
                    }
                }
            }
            var_declarator(d, cx);
            if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                super::calls::record_instance(&name.id.sym, init, cx);
            }
        }
        Node::Assign(a) => {
            if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left {
                if let (Expr::This(_), MemberProp::Ident(field)) = (unwrap_expr(&m.obj), &m.prop) {
                    // `this.client = drizzle(db, { schema })`: a database,
                    // whatever the field is called.
                    let right = match unwrap_expr(&a.right) {
                        Expr::Await(w) => unwrap_expr(&w.arg),
                        other => other,
                    };
                    if matches!(right, Expr::Call(c) if crate::syntax::ast::callee_is(c, "drizzle"))
                    {
                        cx.db.walk.db_fields.insert(field.sym.clone());
                    }
                    super::calls::record_instance(&format!("this.{}", field.sym), &a.right, cx);
                    if let Some(client) = super::sdk::client_made_by(&a.right, cx) {
                        cx.client_fields.insert(field.sym.clone(), client);
                    }
                }
            }
            if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
                if !cx.at_module_scope() && cx.is_module_binding(&id.id) {
                    cx.db
                        .walk
                        .module_assigned
                        .insert(key(unwrap_expr(&a.right).span()));
                }
            }
        }
        Node::Function(frame) => {
            enter_function(frame, cx);
            super::calls::enter_function(frame, cx);
        }
        Node::Stmt(Stmt::If(i)) => {
            super::calls::enter_if(i, cx);
            capped_by_test(i, cx);
        }
        Node::Loop(stmt) => {
            let (item, items) = match stmt {
                Stmt::ForOf(f) => {
                    let item = match &f.left {
                        ForHead::VarDecl(v) => v.decls.first().and_then(|d| match &d.name {
                            Pat::Ident(i) => Some(i.id.sym.clone()),
                            _ => None,
                        }),
                        _ => None,
                    };
                    (item, Some(f.right.span()))
                }
                _ => (None, None),
            };
            cx.db.walk.loops.push((key(stmt.span()), items, item));
        }
        Node::Call(call) => {
            // `import('./m').then((m) => m.a)`: takes a.
            if let Some((import, names)) = then_of_import(call) {
                cx.db.walk.dynamic_names.insert(key(import.span), names);
            }
            enter_call(call, cx);
            super::calls::enter_call(call, cx);
        }
        // `db?.select().from(t)`: a query as `db.select().from(t)` is.
        Node::OptCall(call) => enter_any_call(call.into(), cx),
        Node::New(new) => {
            super::calls::enter_new(new, cx);
            if let Some((kind, conn)) = pg_client_new(new, cx) {
                record_client(kind, conn, new.span, cx);
            }
        }
        _ => {}
    }
}

/// `if (rows.length >= 5) throw …` on the rows of a query: the app caps
/// how many the filter may match (at least two; a check of one row or of
/// none is no cap).
pub(crate) fn capped_by_test(stmt: &IfStmt, cx: &mut LintContext<'_>) {
    if cx.db.walk.awaited_rows.is_empty() || stmt.alt.is_some() {
        return;
    }
    let leaves = match &*stmt.cons {
        Stmt::Throw(_) | Stmt::Return(_) => true,
        Stmt::Block(b) => matches!(b.stmts.last(), Some(Stmt::Throw(_) | Stmt::Return(_))),
        _ => false,
    };
    let Expr::Bin(b) = unwrap_expr(&stmt.test) else {
        return;
    };
    if !leaves || !matches!(b.op, BinaryOp::GtEq | BinaryOp::Gt) {
        return;
    }
    let Expr::Member(m) = unwrap_expr(&b.left) else {
        return;
    };
    let (Expr::Ident(rows), MemberProp::Ident(length)) = (unwrap_expr(&m.obj), &m.prop) else {
        return;
    };
    let cap = match unwrap_expr(&b.right) {
        Expr::Lit(Lit::Num(n)) => n.value,
        _ => return,
    };
    if length.sym != "length" || !(2.0..=1000.0).contains(&cap) {
        return;
    }
    let Some(&at) = cx.db.walk.awaited_rows.get(&rows.sym) else {
        return;
    };
    if let Some(q) = cx.db.queries.iter_mut().rev().find(|q| key(q.span) == at) {
        q.capped = true;
    }
}

/// The query kept in a variable that `expr` is, or extends: `q`,
/// `q.where(…)`, either branch of `cond ? q.where(…) : q`.
fn stored_root(expr: &Expr, cx: &LintContext<'_>) -> Option<Key> {
    match unwrap_expr(expr) {
        Expr::Ident(id) => cx.db.walk.stored_queries.get(&id.sym).copied(),
        Expr::Call(call) => match chain_on_call(call) {
            (Some(root), _) => match unwrap_expr(root) {
                Expr::Ident(id) => cx.db.walk.stored_queries.get(&id.sym).copied(),
                _ => None,
            },
            _ => None,
        },
        Expr::Cond(c) => {
            let at = stored_root(&c.cons, cx)?;
            (stored_root(&c.alt, cx)? == at).then_some(at)
        }
        _ => None,
    }
}

/// A query kept in a variable, used later: `q.orderBy(…).limit(20)` (or
/// `.get()`, `.then((r) => r[0])`) bounds it where it runs;
/// `inArray(t.id, q)`, `exists(q)` run it inside another query.
fn use_of_stored_query(call: &CallExpr, cx: &mut LintContext<'_>) {
    let stored = |e: &Expr, cx: &LintContext<'_>| match unwrap_expr(e) {
        Expr::Ident(id) => cx.db.walk.stored_queries.get(&id.sym).copied(),
        _ => None,
    };
    let find = |at: Key, cx: &mut LintContext<'_>| {
        let index = cx.db.queries.iter().rposition(|q| key(q.span) == at)?;
        Some(index)
    };
    if ["inArray", "notInArray", "exists", "notExists"]
        .iter()
        .any(|f| callee_is(call, f))
    {
        for arg in &call.args {
            if let Some(index) = stored(&arg.expr, cx).and_then(|at| find(at, cx)) {
                cx.db.queries[index].subquery = true;
            }
        }
        return;
    }
    let (Some(root), segments) = chain_on_call(call) else {
        return;
    };
    let Some(index) = stored(root, cx).and_then(|at| find(at, cx)) else {
        return;
    };
    for s in segments {
        let arg0 = s.args.first().map(|a| &*a.expr);
        let q = &mut cx.db.queries[index];
        match s.name.as_ref() {
            "limit" => {
                q.limited = true;
                q.single_row |= arg0.is_some_and(is_one);
            }
            "get" => q.single_row = true,
            "then" => q.single_row |= arg0.is_some_and(picks_first_row),
            "$dynamic" => q.dynamic = true,
            _ => {}
        }
    }
}

/// The keys an object pattern takes (`{ a, b: c, d = 1 }`: a, b, d); None
/// with a rest element or a computed key (it may take anything).
fn pattern_keys(pattern: &ObjectPat) -> Option<Vec<String>> {
    pattern
        .props
        .iter()
        .map(|p| match p {
            ObjectPatProp::Assign(a) => Some(a.key.sym.to_string()),
            ObjectPatProp::KeyValue(kv) => match &kv.key {
                PropName::Ident(i) => Some(i.sym.to_string()),
                PropName::Str(s) => s.value.as_str().map(str::to_string),
                _ => None,
            },
            ObjectPatProp::Rest(_) => None,
        })
        .collect()
}

/// `import('./m').then(cb)`: the import call and the exports the callback
/// takes: its parameter's keys (`({ a }) => …`), the members it reads of
/// its parameter when that is all it does with it (`(m) => m.a`), nothing
/// without a parameter.
fn then_of_import(call: &CallExpr) -> Option<(&CallExpr, Vec<String>)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    let (Expr::Call(import), MemberProp::Ident(then)) = (unwrap_expr(&m.obj), &m.prop) else {
        return None;
    };
    if then.sym != "then" || !matches!(import.callee, Callee::Import(_)) {
        return None;
    }
    let names = match unwrap_expr(&call.args.first()?.expr) {
        Expr::Arrow(a) => taken_by(a.params.first(), &*a.body)?,
        Expr::Fn(f) => taken_by(
            f.function.params.first().map(|p| &p.pat),
            f.function.body.as_ref()?,
        )?,
        _ => return None,
    };
    Some((import, names))
}

/// What a callback given a module takes of it (see [`then_of_import`]).
fn taken_by<N>(param: Option<&Pat>, body: &N) -> Option<Vec<String>>
where
    N: for<'h> swc_core::ecma::visit::VisitWith<crate::syntax::probe::Probe<'h>> + ?Sized,
{
    match param {
        None => Some(Vec::new()),
        Some(Pat::Object(pattern)) => pattern_keys(pattern),
        Some(Pat::Ident(module)) => members_read(body, &module.id.sym),
        Some(_) => None,
    }
}

/// The properties read of `name` in `body` (`m.a`, `m.b()`), when it is
/// used no other way (not passed on, not `m[key]`).
fn members_read<N>(body: &N, name: &Atom) -> Option<Vec<String>>
where
    N: for<'h> swc_core::ecma::visit::VisitWith<crate::syntax::probe::Probe<'h>> + ?Sized,
{
    use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node};
    struct Reads<'n> {
        name: &'n Atom,
        uses: usize,
        members: Vec<String>,
        other: bool,
    }
    impl Hooks for Reads<'_> {
        fn kinds(&self) -> u64 {
            bit(Kind::Ident) | bit(Kind::Member)
        }
        fn enter(&mut self, node: Node<'_>) -> Descend {
            match node {
                Node::Ident(i) if i.sym == *self.name => self.uses += 1,
                Node::Member(m) if matches!(unwrap_expr(&m.obj), Expr::Ident(o) if o.sym == *self.name) => {
                    match &m.prop {
                        MemberProp::Ident(p) => self.members.push(p.sym.to_string()),
                        _ => self.other = true,
                    }
                }
                _ => {}
            }
            Descend::Children
        }
    }
    let mut reads = Reads {
        name,
        uses: 0,
        members: Vec::new(),
        other: false,
    };
    probe::walk(body, &mut reads);
    (!reads.other && reads.uses == reads.members.len()).then(|| {
        reads.members.sort();
        reads.members.dedup();
        reads.members
    })
}

/// A computed member access (the walker calls this for those only, not for
/// every member expression): `(await q)[0]` reads a single row.
pub(crate) fn computed_member(m: &MemberExpr, cx: &mut LintContext<'_>) {
    if let (Expr::Await(a), MemberProp::Computed(c)) = (unwrap_expr(&m.obj), &m.prop) {
        if matches!(&*c.expr, Expr::Lit(Lit::Num(n)) if n.value == 0.0) {
            cx.db
                .walk
                .single_row
                .insert(key(unwrap_expr(&a.arg).span()));
        }
    }
}

pub(crate) fn exit(node: Node<'_>, cx: &mut LintContext<'_>) {
    match node {
        Node::Call(call) if cx.db.walk.open_chains.last() == Some(&key(call.span)) => {
            cx.db.walk.open_chains.pop();
        }
        Node::OptCall(call) if cx.db.walk.open_chains.last() == Some(&key(call.span)) => {
            cx.db.walk.open_chains.pop();
        }
        Node::Function(_) => {
            if let Some(f) = cx.db.walk.fns.pop() {
                // Walked through: no `return` of a database is a function
                // that returns none.
                cx.db.walk.returns_db.entry(f.span).or_default();
            }
            super::calls::exit_function(cx);
        }
        Node::Loop(_) => {
            cx.db.walk.loops.pop();
        }
        _ => {}
    }
}

fn read_module_items(items: &[ModuleItem], cx: &mut LintContext<'_>) {
    let facts = &mut cx.db;
    for item in items {
        let ModuleItem::ModuleDecl(decl) = item else {
            continue;
        };
        match decl {
            ModuleDecl::Import(i) => {
                let source = i.src.value.as_str().unwrap_or_default().to_string();
                for s in &i.specifiers {
                    let (local, imported) = match s {
                        ImportSpecifier::Named(n) => {
                            let imported = match &n.imported {
                                Some(ModuleExportName::Ident(id)) => id.sym.as_str().to_owned(),
                                Some(ModuleExportName::Str(s)) => {
                                    s.value.as_str().unwrap_or_default().to_string()
                                }
                                None => n.local.sym.as_str().to_owned(),
                            };
                            (n.local.sym.as_str().to_owned(), Some(imported))
                        }
                        ImportSpecifier::Default(d) => {
                            (d.local.sym.as_str().to_owned(), Some("default".into()))
                        }
                        ImportSpecifier::Namespace(n) => (n.local.sym.as_str().to_owned(), None),
                    };
                    facts
                        .walk
                        .import_index
                        .entry(local.clone())
                        .or_insert(facts.imports.len());
                    facts.walk.imports_sdk |= crate::knowledge::sdks::sdk_for(&source).is_some();
                    facts.imports.push(ImportFact {
                        local,
                        imported,
                        source: source.clone(),
                    });
                }
            }
            ModuleDecl::ExportDecl(e) => match &e.decl {
                Decl::Var(v) => {
                    for d in &v.decls {
                        if let Pat::Ident(i) = &d.name {
                            facts
                                .exports
                                .push((i.id.sym.as_str().to_owned(), i.id.sym.as_str().to_owned()));
                        }
                    }
                }
                Decl::Fn(f) => facts.exports.push((
                    f.ident.sym.as_str().to_owned(),
                    f.ident.sym.as_str().to_owned(),
                )),
                Decl::Class(c) => facts.exports.push((
                    c.ident.sym.as_str().to_owned(),
                    c.ident.sym.as_str().to_owned(),
                )),
                _ => {}
            },
            ModuleDecl::ExportNamed(n) => {
                for s in &n.specifiers {
                    let ExportSpecifier::Named(named) = s else {
                        continue;
                    };
                    let name = |n: &ModuleExportName| match n {
                        ModuleExportName::Ident(id) => id.sym.as_str().to_owned(),
                        ModuleExportName::Str(s) => {
                            s.value.as_str().unwrap_or_default().to_string()
                        }
                    };
                    let orig = name(&named.orig);
                    let exported = named
                        .exported
                        .as_ref()
                        .map(name)
                        .unwrap_or_else(|| orig.clone());
                    match &n.src {
                        Some(src) => facts.reexports.push(ReExport::Named(
                            exported,
                            orig,
                            src.value.as_str().unwrap_or_default().to_string(),
                        )),
                        None => facts.exports.push((exported, orig)),
                    }
                }
            }
            ModuleDecl::ExportAll(a) => facts.reexports.push(ReExport::Star(
                a.src.value.as_str().unwrap_or_default().to_string(),
            )),
            ModuleDecl::ExportDefaultExpr(e) => {
                if let Expr::Ident(id) = unwrap_expr(&e.expr) {
                    facts
                        .exports
                        .push(("default".into(), id.sym.as_str().to_owned()));
                }
            }
            ModuleDecl::ExportDefaultDecl(d) => {
                if let DefaultDecl::Fn(f) = &d.decl {
                    if let Some(id) = &f.ident {
                        facts
                            .exports
                            .push(("default".into(), id.sym.as_str().to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A returned value is a Drizzle database: `drizzle(env.DB)`, a name bound
/// to one, another helper's database (awaited or not).
fn returns_db(expr: &Expr, cx: &LintContext<'_>) -> bool {
    let expr = match unwrap_expr(expr) {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    is_db_expr(expr, cx, DbEvidence::Convention)
}

fn mark_returned(expr: &Expr, cx: &mut LintContext<'_>) {
    let expr = match unwrap_expr(expr) {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    cx.db.walk.returned.insert(key(expr.span()));
}

fn var_declarator(d: &VarDeclarator, cx: &mut LintContext<'_>) {
    let Some(init) = &d.init else { return };
    let init = unwrap_expr(init);
    let awaited = match init {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    // `const getDb = () => drizzle(env.DB)`: its body is what it returns.
    if let Expr::Arrow(arrow) = init {
        if let ArrowFunctionBody::Expr(body) = &*arrow.body {
            let db = returns_db(body, cx);
            cx.db.walk.returns_db.insert(key(arrow.span), db);
            cx.db.walk.some_returns_db |= db;
        }
    }
    match &d.name {
        Pat::Ident(name) => {
            if is_db_expr(awaited, cx, DbEvidence::Convention) {
                cx.db.walk.db_aliases.insert(&name.id);
            }
            // `const rows = await db.select()…`: its rows, by name; `const q
            // = db.select().from(t)` (not awaited): a query built here and
            // run, or used as a subquery, where the name is.
            // `const filtered = cat ? query.where(…) : query`, `const q2 =
            // query.orderBy(…)` (not awaited): the same query, run where the
            // new name is.
            if !matches!(init, Expr::Await(_)) && !cx.db.walk.stored_queries.is_empty() {
                if let Some(at) = stored_root(init, cx) {
                    cx.db.walk.stored_queries.insert(name.id.sym.clone(), at);
                }
            }
            if let Expr::Call(call) = awaited {
                let query = crate::knowledge::drizzle::chain_root(call)
                    .is_some_and(|root| is_db_expr(root, cx, DbEvidence::Convention));
                if query {
                    let by_name = if matches!(init, Expr::Await(_)) {
                        &mut cx.db.walk.awaited_rows
                    } else {
                        &mut cx.db.walk.stored_queries
                    };
                    by_name.insert(name.id.sym.clone(), key(call.span));
                }
            }
            if let Expr::Call(call) = init {
                if is_condition_call(call)
                    && matches!(cx.binding(&name.id), Some((_, BindingKind::Const)))
                {
                    let mut filters = Vec::new();
                    let opaque = conditions(init, true, false, false, &[], cx, &mut filters);
                    cx.db
                        .walk
                        .conditions
                        .entry(name.id.sym.clone())
                        .or_default()
                        .push((name.id.span.lo.0, filters, opaque));
                }
            }
            if cx.at_module_scope() {
                if let Expr::Call(call) = init {
                    if let Some(table) = drizzle_table(&name.id.sym, call, cx) {
                        cx.db.tables.push(table);
                    } else if is_drizzle_relations(call, cx) {
                        cx.db.relations.extend(read_relations(call));
                    }
                }
            }
        }
        // const [order] = await db.select()…
        Pat::Array(a) if a.elems.len() == 1 => {
            cx.db.walk.single_row.insert(key(awaited.span()));
        }
        // const { db } = c.var / const { db: database } = c.var
        Pat::Object(o) => {
            for p in &o.props {
                let alias = match p {
                    ObjectPatProp::Assign(a) if drizzle::DB_NAMES.contains(a.key.sym.as_ref()) => {
                        Some(&a.key.id)
                    }
                    ObjectPatProp::KeyValue(kv) => match (&kv.key, &*kv.value) {
                        (PropName::Ident(k), Pat::Ident(v))
                            if drizzle::DB_NAMES.contains(k.sym.as_ref()) =>
                        {
                            Some(&v.id)
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(n) = alias {
                    cx.db.walk.db_aliases.insert(n);
                }
            }
        }
        _ => {}
    }
}

/// `relations(...)` imported from drizzle-orm.
fn is_drizzle_relations(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Ident(id) = unwrap_expr(callee) else {
        return false;
    };
    cx.db.import_of(&id.sym).is_some_and(|i| {
        i.imported.as_deref() == Some("relations") && i.source.starts_with("drizzle-orm")
    })
}

/// `const orders = sqliteTable('orders', {...}, (t) => [...])`
fn drizzle_table(
    var: &Atom,
    call: &CallExpr,
    cx: &LintContext<'_>,
) -> Option<crate::knowledge::schema::Table> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let dialect = match unwrap_expr(callee) {
        // `sqliteTable(…)`, or the function imported under another name
        // (`import { sqliteTable as table } from 'drizzle-orm/sqlite-core'`).
        Expr::Ident(id) => table_fn_dialect(&id.sym).or_else(|| {
            let import = cx.db.import_of(&id.sym)?;
            if !import.source.starts_with("drizzle-orm") {
                return None;
            }
            table_fn_dialect(import.imported.as_deref()?)
        })?,
        // `t.sqliteTable(…)` of `import * as t from 'drizzle-orm/sqlite-core'`
        Expr::Member(m)
            if member_prop(callee).is_some_and(|p| table_fn_dialect(p).is_some())
                && matches!(unwrap_expr(&m.obj), Expr::Ident(ns)
                    if cx.db.import_of(&ns.sym).is_some_and(|i| i.imported.is_none() && i.source.starts_with("drizzle-orm"))) =>
        {
            member_prop(callee).and_then(|p| table_fn_dialect(p))?
        }
        // pgSchema('app').table(...) / mySchema.table(...)
        Expr::Member(m) if member_prop(callee).is_some_and(|p| p == "table") => {
            let source = match unwrap_expr(&m.obj) {
                Expr::Ident(id) => cx.db.import_of(&id.sym).map(|i| i.source.clone()),
                _ => None,
            };
            match source.as_deref() {
                Some(s) if s.contains("mysql") => Dialect::Mysql,
                _ => Dialect::Postgres,
            }
        }
        _ => return None,
    };
    let mut table = read_drizzle_table(var, call, dialect)?;
    table.file = cx.path.to_string();
    table.line = cx.line_of(call.span);
    Some(table)
}

fn enter_function(frame: &Frame, cx: &mut LintContext<'_>) {
    let Frame::Function { span, .. } = frame else {
        return;
    };
    let pending = cx
        .db
        .walk
        .pending_fns
        .remove(&key(*span))
        .unwrap_or_default();
    let parent_role = cx.db.walk.fns.last().map(|f| f.role).unwrap_or_default();
    cx.db.walk.fns.push(FnInfo {
        span: key(*span),
        role: pending.role.unwrap_or(parent_role),
        tx: pending.tx,
        iteration: pending.iteration,
    });
}

/// The span the walker gives a function argument's frame.
fn fn_span(expr: &Expr) -> Option<Span> {
    match unwrap_expr(expr) {
        Expr::Arrow(a) => Some(a.span),
        Expr::Fn(f) => Some(f.function.span),
        _ => None,
    }
}

fn first_param(expr: &Expr) -> Option<Atom> {
    first_param_ident(expr).map(|id| id.sym.clone())
}

/// The callback's first parameter, when it is a plain name.
fn first_param_ident(expr: &Expr) -> Option<&Ident> {
    let pat = match unwrap_expr(expr) {
        Expr::Arrow(a) => a.params.first()?,
        Expr::Fn(f) => &f.function.params.first()?.pat,
        _ => return None,
    };
    match pat {
        Pat::Ident(i) => Some(&i.id),
        _ => None,
    }
}

fn enter_call(call: &CallExpr, cx: &mut LintContext<'_>) {
    enter_any_call(call.into(), cx);
    if !cx.db.walk.stored_queries.is_empty() {
        use_of_stored_query(call, cx);
    }
    if callee_is(call, "createMiddleware") {
        for arg in &call.args {
            if let Some(s) = fn_span(&arg.expr) {
                cx.db.walk.pending_fns.entry(key(s)).or_default().role = Some(Role::Middleware);
            }
        }
    }

    if let Some((kind, conn)) = pg_client_call(call, cx) {
        record_client(kind, conn, call.span, cx);
    } else if let Some(conn) = super::drizzle::neon_http_call(call, cx) {
        record_client(ClientKind::NeonHttp, conn, call.span, cx);
    }

    // Calls of module-level or imported functions, for factory resolution.
    if let Callee::Expr(callee) = &call.callee {
        if let Expr::Ident(id) = unwrap_expr(callee) {
            let module_level = |cx: &LintContext<'_>| {
                matches!(
                    cx.module_binding(id),
                    Some(
                        BindingKind::Import
                            | BindingKind::Function
                            | BindingKind::Const
                            | BindingKind::Let
                            | BindingKind::Var
                    )
                )
            };
            if !cx.at_module_scope() && !cx.db.walk.fns.is_empty() && module_level(cx) {
                if let Some(f) = cx.db.walk.fns.last() {
                    let fact = CallFact {
                        callee: id.sym.as_str().to_owned(),
                        span: call.span,
                        args: call.args.iter().map(|a| conn_source(&a.expr, cx)).collect(),
                        function: f.span,
                        role: f.role,
                    };
                    cx.db.calls.push(fact);
                }
            }
        }
    }
}

/// What a call, plain or optional (`db?.batch([...])`), tells of its
/// callbacks (route, middleware, per element, transaction, batch) and the
/// query it starts.
fn enter_any_call(call: CallView<'_>, cx: &mut LintContext<'_>) {
    let k = key(call.span);
    // Arrow bodies are returned values: `xs.map((x) => db.select()…)`.
    for arg in call.args {
        if let Expr::Arrow(a) = unwrap_expr(&arg.expr) {
            if let ArrowFunctionBody::Expr(body) = &*a.body {
                mark_returned(body, cx);
            }
        }
    }
    let member = call.callee.and_then(|e| as_member(unwrap_expr(e)));
    let method = member.and_then(|m| match &m.prop {
        MemberProp::Ident(p) => Some(p.sym.clone()),
        _ => None,
    });
    let receiver = member.map(|m| &*m.obj);
    let fn_args = call
        .args
        .iter()
        .filter_map(|a| fn_span(&a.expr).map(|s| (s, &*a.expr)));

    if let Some(m) = &method {
        let m = m.as_ref();
        // Route callbacks and middleware.
        if (ROUTE_METHODS.contains(m) || m == "use") && call.args.len() >= 2 {
            let role = if m == "use" {
                Role::Middleware
            } else {
                Role::Route
            };
            for (s, _) in fn_args.clone() {
                cx.db.walk.pending_fns.entry(key(s)).or_default().role = Some(role);
            }
        }
        // Per-element callbacks: what they iterate.
        if ITERATION_METHODS.contains(m) {
            if let (Some(first), Some(recv)) = (call.args.first(), receiver) {
                if let Some(s) = fn_span(&first.expr) {
                    let items = Some(recv.span());
                    let item = first_param(&first.expr);
                    cx.db.walk.pending_fns.entry(key(s)).or_default().iteration =
                        Some((items, item));
                }
            }
        }
        let on_db = |cx: &LintContext<'_>| {
            receiver.is_some_and(|r| is_db_expr(r, cx, DbEvidence::Convention))
        };
        let on_d1 = |cx: &LintContext<'_>| receiver.is_some_and(|r| d1_binding(r, cx).is_some());
        if m == "transaction" && on_db(cx) {
            if let Some(callback) = call.args.first() {
                if let Some(s) = fn_span(&callback.expr) {
                    cx.db.walk.pending_fns.entry(key(s)).or_default().tx = true;
                }
                // `tx` in `db.transaction(async (tx) => …)`
                if let Some(tx) = first_param_ident(&callback.expr) {
                    cx.db.walk.db_aliases.insert(tx);
                }
            }
        }
        if m == "batch" && (on_db(cx) || on_d1(cx)) {
            if let Some(arg) = call.args.first() {
                match unwrap_expr(&arg.expr) {
                    Expr::Array(a) => {
                        for e in a.elems.iter().flatten() {
                            cx.db.walk.batched.insert(key(unwrap_expr(&e.expr).span()));
                        }
                    }
                    Expr::Call(map) => {
                        for a in &map.args {
                            if let Expr::Arrow(arrow) = unwrap_expr(&a.expr) {
                                if let ArrowFunctionBody::Expr(body) = &*arrow.body {
                                    cx.db.walk.batched.insert(key(unwrap_expr(body).span()));
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    if !cx.db.walk.covered.contains(&k) {
        if let Some(mut fact) = read_query(call, cx) {
            fact.searched = crate::knowledge::query::searched_tables(cx.text(call.span));
            let (_, segments) = chain_on_call(call);
            for s in &segments {
                cx.db.walk.covered.insert(key(s.span));
            }
            cx.db.walk.by_span.insert(k, cx.db.queries.len());
            cx.db.queries.push(fact);
            cx.db.walk.open_chains.push(k);
        }
    }
}

fn record_client(kind: ClientKind, conn: Option<&Expr>, span: Span, cx: &mut LintContext<'_>) {
    let source = conn.map_or(ConnSource::Unknown, |c| conn_source(c, cx));
    let fact = ClientFact {
        kind,
        loc: cx.loc(span),
        text: drizzle::redact_credentials(&cx.snippet(span)),
        source,
        module_scope: cx.at_module_scope(),
        module_assigned: cx.db.walk.module_assigned.contains(&key(span)),
        factory: super::drizzle::module_function_name(cx),
    };
    cx.db.clients.push(fact);
}

// ----- reading one query chain -----

static SELECT_STARTS: Words = Words::new(&["select", "selectDistinct", "selectDistinctOn"]);
const AGGREGATES: &[&str] = &[
    "count",
    "countDistinct",
    "sum",
    "sumDistinct",
    "avg",
    "avgDistinct",
    "min",
    "max",
];

fn read_query(call: CallView<'_>, cx: &LintContext<'_>) -> Option<QueryFact> {
    // The same tests as below, on the root alone: most calls stop here.
    let root = drizzle::chain_root(call)?;
    let relational_root =
        as_member(root).is_some_and(|m| member_prop(&m.obj).is_some_and(|p| p == "query"));
    if !relational_root
        && !is_db_expr(root, cx, DbEvidence::Convention)
        && d1_binding(root, cx).is_none()
    {
        return None;
    }
    let (root, segments) = chain_on_call(call);
    let root = root?;
    let first = segments.first()?;
    let mut fact = QueryFact {
        span: call.span,
        // Filled in below once the call is known to be a query.
        loc: Loc::default(),
        text: String::new(),
        db_text: String::new(),
        kind: QueryKind::Select,
        api: Api::Builder,
        table: None,
        table_text: String::new(),
        joins: Vec::new(),
        filters: Vec::new(),
        order_by: Vec::new(),
        group_by: Vec::new(),
        opaque_group: false,
        relations: Vec::new(),
        has_where: false,
        opaque_where: false,
        limited: false,
        single_row: false,
        all_columns: false,
        paged: false,
        dynamic: false,
        row_use: RowUse::Unknown,
        searched: Vec::new(),
        exec: None,
        awaited: false,
        in_batch: false,
        in_transaction: false,
        subquery: false,
        capped: false,
        per_iteration: None,
        in_handler: cx.in_handler(),
        reads: Vec::new(),
    };

    // db.query.orders.findMany({...})
    let relational = as_member(root).and_then(|m| {
        let q = as_member(unwrap_expr(&m.obj))?;
        match &m.prop {
            MemberProp::Ident(table)
                if member_prop(&m.obj).is_some_and(|p| p == "query")
                    && is_db_expr(&q.obj, cx, DbEvidence::Convention) =>
            {
                Some(table.sym.as_str().to_owned())
            }
            _ => None,
        }
    });
    if let Some(table) = relational {
        if first.name != "findMany" && first.name != "findFirst" {
            return None;
        }
        if let Some(q) = as_member(root).and_then(|m| as_member(unwrap_expr(&m.obj))) {
            fact.db_text = cx.snippet(q.obj.span());
        }
        read_relational(&mut fact, &table, first, cx);
    } else if is_db_expr(root, cx, DbEvidence::Convention) {
        let start = segments.iter().take(2).position(|s| {
            SELECT_STARTS.contains(s.name.as_ref())
                || matches!(s.name.as_ref(), "insert" | "update" | "delete")
        })?;
        // Drizzle's `insert`/`update`/`delete` take the table alone; a
        // `client.d1.database.delete(id, { account_id })` is an HTTP API's.
        if matches!(
            segments[start].name.as_ref(),
            "insert" | "update" | "delete"
        ) && segments[start].args.len() != 1
        {
            return None;
        }
        fact.db_text = cx.snippet(root.span());
        read_builder(&mut fact, &segments[start..], cx);
        // A Drizzle table is an object, not a string (`knex.select().from('t')`).
        fact.table.as_ref()?;
    } else if d1_binding(root, cx).is_some() && first.name == "prepare" {
        let text = sql_text(&first.args.first()?.expr)?;
        fact.db_text = cx.snippet(root.span());
        read_raw(&mut fact, &text, &segments[1..])?;
    } else {
        return None;
    }
    fact.loc = cx.loc(call.span);
    fact.text = cx.snippet(call.span);

    let walk = &cx.db.walk;
    let k = key(call.span);
    fact.awaited = walk.awaited.contains(&k);
    fact.in_batch = walk.batched.contains(&k);
    fact.single_row |= walk.single_row.contains(&k);
    fact.in_transaction = walk.in_transaction();
    fact.subquery = !walk.open_chains.is_empty();
    fact.per_iteration = iteration(&fact, walk.returned.contains(&k), cx);
    for s in &segments {
        for a in s.args {
            collect_reads(&a.expr, &mut fact.reads);
        }
    }
    // Each answer walks the file once: a file with more such queries than
    // the cap gets `Unknown` for the rest (the rule stays silent there), so
    // that the cost stays linear in the file's size.
    if fact.kind == QueryKind::Select
        && fact.all_columns
        && !fact.single_row
        && !fact.subquery
        && cx.db.walk.row_uses.get() < MAX_ROW_USES
    {
        cx.db.walk.row_uses.set(cx.db.walk.row_uses.get() + 1);
        fact.row_use = super::row_use::row_use(
            cx.program(),
            cx.semantic(),
            call.span,
            fact.api == Api::RawD1,
        );
    }
    Some(fact)
}

fn read_builder(fact: &mut QueryFact, segments: &[Segment<'_>], cx: &LintContext<'_>) {
    let mut grouped = false;
    let mut aggregate = false;
    for (i, s) in segments.iter().enumerate() {
        let arg0 = s.args.first().map(|a| &*a.expr);
        match s.name.as_ref() {
            n if i == 0 && SELECT_STARTS.contains(n) => {
                fact.kind = QueryKind::Select;
                let projection = if n == "selectDistinctOn" {
                    s.args.get(1).map(|a| &*a.expr)
                } else {
                    arg0
                };
                fact.all_columns = projection.is_none();
                aggregate = projection.is_some_and(is_aggregate_projection);
            }
            "insert" | "update" | "delete" if i == 0 => {
                fact.kind = match s.name.as_ref() {
                    "insert" => QueryKind::Insert,
                    "update" => QueryKind::Update,
                    _ => QueryKind::Delete,
                };
                if let Some(t) = arg0 {
                    set_table(fact, t, cx);
                }
            }
            "from" => {
                if let Some(t) = arg0 {
                    set_table(fact, t, cx);
                }
            }
            "innerJoin" | "leftJoin" | "rightJoin" | "fullJoin" => {
                if let Some(table) = arg0.and_then(table_ref) {
                    let mut on = Vec::new();
                    if let Some(cond) = s.args.get(1) {
                        conditions(&cond.expr, true, false, false, &[], cx, &mut on);
                    }
                    fact.joins.push(Join { table, on });
                }
            }
            "where" => {
                if let Some(cond) = arg0 {
                    fact.has_where = true;
                    fact.opaque_where |=
                        conditions(cond, true, false, false, &[], cx, &mut fact.filters);
                }
            }
            "orderBy" => {
                for a in s.args {
                    order_column(&a.expr, &[], cx, &mut fact.order_by);
                }
            }
            "limit" => {
                fact.limited = true;
                fact.single_row |= arg0.is_some_and(is_one);
            }
            "offset" => fact.paged = true,
            "groupBy" => {
                grouped = true;
                for a in s.args {
                    let before = fact.group_by.len();
                    order_column(&a.expr, &[], cx, &mut fact.group_by);
                    fact.opaque_group |= fact.group_by.len() == before;
                }
            }
            "get" => fact.single_row = true,
            "$dynamic" => fact.dynamic = true,
            "all" | "values" | "execute" | "run" => fact.exec = Some(s.name.to_string()),
            "then" => fact.single_row |= arg0.is_some_and(picks_first_row),
            _ => {}
        }
    }
    fact.single_row |= aggregate && !grouped;
}

fn read_relational(fact: &mut QueryFact, table: &str, seg: &Segment<'_>, cx: &LintContext<'_>) {
    fact.api = Api::Relational;
    fact.table = Some(TableRef::Relational(table.to_string()));
    fact.table_text = table.to_string();
    fact.single_row = seg.name == "findFirst";
    fact.all_columns = true;
    let Some(Expr::Object(o)) = seg.args.first().map(|a| unwrap_expr(&a.expr)) else {
        return;
    };
    let this = TableRef::Relational(table.to_string());
    // `{ columns, limit }`: shorthand properties name them too.
    if has_prop(o, "columns") {
        fact.all_columns = false;
    }
    if has_prop(o, "limit") {
        fact.limited = true;
        fact.single_row |= object_prop(o, "limit").is_some_and(is_one);
    }
    if has_prop(o, "offset") {
        fact.paged = true;
    }
    // `{ columns, ...query }`: what the spread holds (a `where`, a `limit`,
    // `columns`) is written elsewhere, as `.$dynamic()` clauses are.
    if o.props.iter().any(|p| matches!(p, PropOrSpread::Spread(_))) {
        fact.dynamic = true;
        fact.all_columns = false;
    }
    if let Some(w) = object_prop(o, "where") {
        fact.has_where = true;
        fact.opaque_where |= relational_where(w, &this, false, cx, &mut fact.filters);
    } else if has_prop(o, "where") {
        // `{ where }`: a condition made elsewhere.
        fact.has_where = true;
        fact.opaque_where = true;
    }
    if let Some(order) = object_prop(o, "orderBy") {
        let (params, body) = callback(order, &this);
        order_column(body, &params, cx, &mut fact.order_by);
    }
    if let Some(with) = object_prop(o, "with") {
        relation_uses(with, &mut Vec::new(), cx, &mut fact.relations);
    }
}

/// The relations a `with: { items: { with: { food: true } } }` loads, nested.
fn relation_uses(
    with: &Expr,
    path: &mut Vec<String>,
    cx: &LintContext<'_>,
    out: &mut Vec<RelationUse>,
) {
    let Expr::Object(o) = unwrap_expr(with) else {
        return;
    };
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        let Some(name) = drizzle::prop_key(&kv.key) else {
            continue;
        };
        let value = unwrap_expr(&kv.value);
        if matches!(value, Expr::Lit(Lit::Bool(b)) if !b.value) {
            continue;
        }
        path.push(name);
        out.push(RelationUse {
            path: path.clone(),
            loc: cx.loc(kv.key.span()),
        });
        if let Some(inner) = match value {
            Expr::Object(o) => object_prop(o, "with"),
            _ => None,
        } {
            relation_uses(inner, path, cx, out);
        }
        path.pop();
    }
}

/// `(t, { eq }) => eq(t.x, 1)` → ([(t, table)], body); other expressions as is.
/// A relational query's `where`: a callback or a condition, or one of them
/// only when a value is there (`uid ? (t, { eq }) => eq(t.userId, uid) :
/// undefined`: every row without it), whose filters are then optional.
/// Returns true when part of it cannot be read.
fn relational_where(
    w: &Expr,
    this: &TableRef,
    optional: bool,
    cx: &LintContext<'_>,
    out: &mut Vec<Filter>,
) -> bool {
    match unwrap_expr(w) {
        Expr::Cond(c) => {
            relational_where(&c.cons, this, true, cx, out)
                | relational_where(&c.alt, this, true, cx, out)
        }
        Expr::Object(o) => object_filters(o, this, true, optional, false, cx, out),
        _ => {
            let (params, body) = callback(w, this);
            conditions(body, true, optional, false, &params, cx, out)
        }
    }
}

/// The operators of a column's filter in an object `where` of the
/// relational queries' second version (`{ age: { gt: 10 } }`).
const OBJECT_OPERATORS: &[&str] = &[
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "notIn",
    "like",
    "notLike",
    "ilike",
    "notIlike",
    "isNull",
    "isNotNull",
    "arrayOverlaps",
    "arrayContained",
    "arrayContains",
    "OR",
    "AND",
    "NOT",
];

/// An object `where` of the relational queries' second version (drizzle-orm
/// 1.0): `{ clientId: { in: chunk }, status: 'open', OR: [{ … }, { … }],
/// NOT: { … }, RAW: (t) => sql`…` }`, its keys conjuncts. A key whose value
/// is an object of other keys filters by a relation (an `EXISTS`): no
/// filter on this table. Returns true when part of it cannot be read.
fn object_filters(
    o: &ObjectLit,
    this: &TableRef,
    conjunct: bool,
    optional: bool,
    negated: bool,
    cx: &LintContext<'_>,
    out: &mut Vec<Filter>,
) -> bool {
    let mut opaque = false;
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else {
            opaque = true; // `...filters`
            continue;
        };
        let (key, value) = match &**p {
            Prop::KeyValue(kv) => match drizzle::prop_key(&kv.key) {
                Some(key) => (key, &*kv.value),
                None => {
                    opaque = true;
                    continue;
                }
            },
            // `{ userId }`: the column equals the local of that name.
            Prop::Shorthand(id) => {
                let value = Expr::Ident(id.clone());
                opaque |=
                    column_filters(&id.sym, &value, this, conjunct, optional, negated, cx, out);
                continue;
            }
            _ => {
                opaque = true;
                continue;
            }
        };
        opaque |= match key.as_str() {
            "AND" | "OR" => {
                let and = key == "AND";
                match unwrap_expr(value) {
                    Expr::Array(a) => a.elems.iter().fold(false, |opaque, e| {
                        opaque
                            | match e
                                .as_ref()
                                .map(|e| (e.spread.is_some(), unwrap_expr(&e.expr)))
                            {
                                Some((false, Expr::Object(o))) => object_filters(
                                    o,
                                    this,
                                    and && conjunct,
                                    optional,
                                    negated,
                                    cx,
                                    out,
                                ),
                                _ => true,
                            }
                    }),
                    _ => true,
                }
            }
            "NOT" => match unwrap_expr(value) {
                Expr::Object(o) => object_filters(o, this, false, optional, true, cx, out),
                _ => true,
            },
            "RAW" => {
                let (params, body) = callback(value, this);
                conditions(body, conjunct, optional, negated, &params, cx, out)
            }
            _ => column_filters(&key, value, this, conjunct, optional, negated, cx, out),
        };
    }
    opaque
}

/// The filters on the column `key` of an object `where`: a value (`status:
/// 'open'`, equality) or an object of operators (`{ in: ids }`, `{ gt: 1,
/// lt: 9 }`). A value that may be absent (`cond ? x : undefined`) makes an
/// optional filter. Returns true when part of it cannot be read.
#[allow(clippy::too_many_arguments)]
fn column_filters(
    key: &str,
    value: &Expr,
    this: &TableRef,
    conjunct: bool,
    optional: bool,
    negated: bool,
    cx: &LintContext<'_>,
    out: &mut Vec<Filter>,
) -> bool {
    let column = || ColumnRef {
        table: this.clone(),
        key: key.to_owned(),
        text: key.to_owned(),
    };
    let filter = |op: Op, value: Option<&Expr>, ends: Ends, conjunct: bool| Filter {
        column: column(),
        other: None,
        op: if negated { Op::Other } else { op },
        conjunct,
        optional,
        via_expr: false,
        value: value.map(|v| cx.snippet(v.span())),
        ends,
    };
    let Expr::Object(o) = unwrap_expr(value) else {
        match unwrap_expr(value) {
            Expr::Ident(id) if id.sym == "undefined" => {}
            Expr::Cond(c) => {
                return column_filters(key, &c.cons, this, conjunct, true, negated, cx, out)
                    | column_filters(key, &c.alt, this, conjunct, true, negated, cx, out);
            }
            v => out.push(filter(Op::Eq, Some(v), Ends::Unknown, conjunct)),
        }
        return false;
    };
    let operators: Vec<(String, &Expr)> = o
        .props
        .iter()
        .filter_map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => Some((drizzle::prop_key(&kv.key)?, &*kv.value)),
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        })
        .collect();
    if operators.len() != o.props.len() {
        return true;
    }
    if !operators
        .iter()
        .all(|(op, _)| OBJECT_OPERATORS.contains(&op.as_str()))
    {
        // A relation's filter (`posts: { title: … }`): rows of this table
        // with related rows, no condition on its columns.
        return false;
    }
    let mut opaque = false;
    for (name, operand) in operators {
        match name.as_str() {
            "OR" | "AND" | "NOT" => {
                let (conjunct, negated) = match name.as_str() {
                    "AND" => (conjunct, negated),
                    "OR" => (false, negated),
                    _ => (false, true),
                };
                let parts: Vec<&Expr> = match unwrap_expr(operand) {
                    Expr::Array(a) => a.elems.iter().flatten().map(|e| &*e.expr).collect(),
                    e => vec![e],
                };
                for part in parts {
                    opaque |= column_filters(key, part, this, conjunct, optional, negated, cx, out);
                }
            }
            "eq" => out.push(filter(Op::Eq, Some(operand), Ends::Unknown, conjunct)),
            "in" => out.push(filter(Op::In, Some(operand), Ends::Unknown, conjunct)),
            // `isNull: true` (`false` reads as `isNotNull`).
            "isNull" if !matches!(unwrap_expr(operand), Expr::Lit(Lit::Bool(b)) if !b.value) => {
                out.push(filter(Op::IsNull, None, Ends::Unknown, conjunct))
            }
            "isNull" | "isNotNull" => out.push(filter(Op::Range, None, Ends::NotNull, conjunct)),
            "gt" | "gte" | "lt" | "lte" => {
                out.push(filter(Op::Range, Some(operand), ends(&name), conjunct))
            }
            _ => out.push(filter(Op::Other, Some(operand), Ends::Unknown, conjunct)),
        }
    }
    opaque
}

fn callback<'a>(expr: &'a Expr, this: &TableRef) -> (Vec<(Atom, TableRef)>, &'a Expr) {
    if let Expr::Arrow(a) = unwrap_expr(expr) {
        if let ArrowFunctionBody::Expr(body) = &*a.body {
            let params = match a.params.first() {
                Some(Pat::Ident(i)) => vec![(i.id.sym.clone(), this.clone())],
                _ => Vec::new(),
            };
            return (params, body);
        }
    }
    (Vec::new(), expr)
}

fn read_raw(fact: &mut QueryFact, text: &str, segments: &[Segment<'_>]) -> Option<()> {
    let q = sql::read_query(text)?;
    fact.api = Api::RawD1;
    fact.kind = q.kind?;
    fact.table_text = q.table.clone().unwrap_or_default();
    fact.table = q.table.map(TableRef::Sql);
    fact.joins = q.joins;
    fact.filters = q.filters;
    fact.order_by = q.order_by;
    fact.group_by = q.group_by;
    fact.opaque_group = q.opaque_group;
    fact.has_where = q.has_where || q.opaque_where;
    fact.opaque_where |= q.opaque_where;
    fact.limited = q.limited;
    fact.single_row = q.single_row;
    fact.all_columns = q.all_columns;
    for s in segments {
        match s.name.as_ref() {
            "first" => {
                fact.single_row = true;
                fact.exec = Some("first".into());
            }
            "all" | "raw" | "run" => fact.exec = Some(s.name.to_string()),
            _ => {}
        }
    }
    Some(())
}

fn set_table(fact: &mut QueryFact, expr: &Expr, cx: &LintContext<'_>) {
    fact.table = table_ref(expr);
    fact.table_text = cx.snippet(expr.span());
}

/// `orders.userId`, `schema.orders.userId`, or `t.userId` for a callback's
/// table parameter.
fn column_ref(expr: &Expr, params: &[(Atom, TableRef)], cx: &LintContext<'_>) -> Option<ColumnRef> {
    let Expr::Member(m) = unwrap_expr(expr) else {
        return None;
    };
    let MemberProp::Ident(p) = &m.prop else {
        return None;
    };
    let table = match unwrap_expr(&m.obj) {
        Expr::Ident(id) => params
            .iter()
            .find(|(n, _)| *n == id.sym)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| TableRef::Local(id.sym.as_str().to_owned())),
        other => table_ref(other)?,
    };
    Some(ColumnRef {
        table,
        key: p.sym.as_str().to_owned(),
        text: cx.snippet(m.span),
    })
}

fn operator(name: &str) -> Option<Op> {
    Some(match name {
        "eq" => Op::Eq,
        "inArray" => Op::In,
        "isNull" => Op::IsNull,
        // `x IS NOT NULL` is the range `x > NULL` to an index (Postgres
        // b-trees, SQLite's planner, and a partial index `WHERE x IS NOT NULL`).
        "gt" | "gte" | "lt" | "lte" | "between" | "isNotNull" => Op::Range,
        "ne" | "notInArray" | "notBetween" | "like" | "ilike" | "notLike" | "notIlike"
        | "arrayContains" | "arrayContained" | "arrayOverlaps" => Op::Other,
        _ => return None,
    })
}

/// The ends of a Drizzle range operator (see [`operator`]).
fn ends(name: &str) -> Ends {
    match name {
        "gt" | "gte" => Ends::Lower,
        "lt" | "lte" => Ends::Upper,
        "between" => Ends::Both,
        "isNotNull" => Ends::NotNull,
        _ => Ends::Unknown,
    }
}

/// Flattens a Drizzle condition into filters. Returns true when part of it
/// cannot be read (a variable, a helper call).
fn conditions(
    expr: &Expr,
    conjunct: bool,
    optional: bool,
    negated: bool,
    params: &[(Atom, TableRef)],
    cx: &LintContext<'_>,
    out: &mut Vec<Filter>,
) -> bool {
    match unwrap_expr(expr) {
        Expr::Call(c) => {
            let name = match &c.callee {
                Callee::Expr(e) => match unwrap_expr(e) {
                    Expr::Ident(id) => id.sym.clone(),
                    other => match member_prop(other) {
                        Some(p) => p.clone(),
                        None => return true,
                    },
                },
                _ => return true,
            };
            match name.as_ref() {
                "and" => {
                    let mut opaque = false;
                    for a in &c.args {
                        if a.spread.is_some() {
                            opaque = true;
                            continue;
                        }
                        opaque |= conditions(&a.expr, conjunct, optional, negated, params, cx, out);
                    }
                    opaque
                }
                "or" => {
                    let mut opaque = false;
                    for a in &c.args {
                        opaque |= conditions(&a.expr, false, optional, negated, params, cx, out);
                    }
                    opaque
                }
                "not" => c
                    .args
                    .iter()
                    .any(|a| conditions(&a.expr, false, optional, true, params, cx, out)),
                "exists" | "notExists" => false,
                n => {
                    let Some(op) = operator(n) else { return true };
                    let op = if negated { Op::Other } else { op };
                    let ends = if op == Op::Range {
                        ends(n)
                    } else {
                        Ends::Unknown
                    };
                    let left = c.args.first().map(|a| &*a.expr);
                    let right = c.args.get(1).map(|a| &*a.expr);
                    let lcol = left.and_then(|l| column_ref(l, params, cx));
                    let rcol = right.and_then(|r| column_ref(r, params, cx));
                    let mut push = |column: ColumnRef,
                                    other: Option<ColumnRef>,
                                    value: Option<&Expr>,
                                    via_expr: bool,
                                    ends: Ends| {
                        out.push(Filter {
                            column,
                            other,
                            op,
                            conjunct,
                            optional,
                            via_expr,
                            value: value.map(|v| cx.snippet(v.span())),
                            ends,
                        })
                    };
                    match (lcol, rcol) {
                        (Some(l), r) => push(l, r, right, false, ends),
                        // gt(x, t.col): the column is on the other side.
                        (None, Some(r)) => push(r, None, left, false, ends.flipped()),
                        (None, None) => {
                            // eq(sql`lower(${users.email})`, x)
                            if let Some(Expr::TaggedTpl(t)) = left.map(unwrap_expr) {
                                for e in &t.tpl.exprs {
                                    if let Some(col) = column_ref(e, params, cx) {
                                        push(col, None, right, true, ends);
                                    }
                                }
                            }
                        }
                    }
                    false
                }
            }
        }
        Expr::TaggedTpl(t) => {
            for e in &t.tpl.exprs {
                if let Some(col) = column_ref(e, params, cx) {
                    out.push(Filter {
                        column: col,
                        other: None,
                        op: Op::Other,
                        conjunct,
                        optional,
                        via_expr: true,
                        value: None,
                        ends: Ends::Unknown,
                    });
                }
            }
            false
        }
        Expr::Cond(c) => {
            conditions(&c.cons, conjunct, true, negated, params, cx, out)
                | conditions(&c.alt, conjunct, true, negated, params, cx, out)
        }
        Expr::Bin(b)
            if matches!(
                b.op,
                BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
            ) =>
        {
            conditions(&b.right, conjunct, true, negated, params, cx, out)
        }
        Expr::Ident(id) if id.sym == "undefined" => false,
        // `const base = and(...)` read where it was declared; the filters
        // take the place they are used in (under `or`, `not`, a conditional).
        Expr::Ident(id) => match const_condition(id, cx) {
            Some((filters, opaque)) => {
                out.extend(filters.iter().map(|f| Filter {
                    conjunct: f.conjunct && conjunct,
                    optional: f.optional || optional,
                    op: if negated { Op::Other } else { f.op },
                    ..f.clone()
                }));
                opaque
            }
            None => true,
        },
        Expr::Lit(_) => false,
        _ => true,
    }
}

/// `and(...)`, `or(...)`, `not(...)`, `eq(...)`…: a call that builds a
/// Drizzle condition, as [`conditions`] reads it.
fn is_condition_call(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Ident(id) = unwrap_expr(callee) else {
        return false;
    };
    matches!(id.sym.as_ref(), "and" | "or" | "not") || operator(&id.sym).is_some()
}

/// The filters of the `const` condition `id` refers to (and whether part
/// of it could not be read), when the walk recorded its declaration.
fn const_condition<'w>(id: &Ident, cx: &'w LintContext<'_>) -> Option<(&'w [Filter], bool)> {
    let decls = cx.db.walk.conditions.get(&id.sym)?;
    let semantic = cx.semantic();
    let symbol = semantic.resolve(id)?;
    decls
        .iter()
        .find(|(lo, ..)| semantic.resolve_at(swc_core::common::BytePos(*lo)) == Some(symbol))
        .map(|(_, filters, opaque)| (filters.as_slice(), *opaque))
}

/// `desc(t.createdAt)`, `asc(x)`, `t.createdAt`, `[desc(...), ...]`.
fn order_column(
    expr: &Expr,
    params: &[(Atom, TableRef)],
    cx: &LintContext<'_>,
    out: &mut Vec<ColumnRef>,
) {
    match unwrap_expr(expr) {
        Expr::Array(a) => {
            for e in a.elems.iter().flatten() {
                order_column(&e.expr, params, cx, out);
            }
        }
        Expr::Call(c) if callee_is(c, "asc") || callee_is(c, "desc") => {
            if let Some(a) = c.args.first() {
                order_column(&a.expr, params, cx, out);
            }
        }
        e => {
            if let Some(col) = column_ref(e, params, cx) {
                out.push(col);
            }
        }
    }
}

fn is_one(expr: &Expr) -> bool {
    matches!(unwrap_expr(expr), Expr::Lit(Lit::Num(n)) if n.value == 1.0)
}

/// `{ n: count() }`, `{ total: sum(t.x) }`, `{ n: sql\`count(*)\` }`:
/// a field that aggregates (not over a window), so without a GROUP BY the
/// query returns one row, whatever else it selects.
fn is_aggregate_projection(expr: &Expr) -> bool {
    let Expr::Object(o) = unwrap_expr(expr) else {
        return false;
    };
    o.props.iter().any(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) => match unwrap_expr(&kv.value) {
                Expr::Call(c) => callee_path(c).is_some_and(|n| AGGREGATES.contains(&&*n)),
                Expr::TaggedTpl(t) => {
                    let text: String = t
                        .tpl
                        .quasis
                        .iter()
                        .map(|q| q.raw.as_str().to_ascii_lowercase())
                        .collect::<Vec<_>>()
                        .join(" ");
                    !text.contains(" over")
                        && !text.contains(")over")
                        && AGGREGATES
                            .iter()
                            .any(|a| text.contains(&format!("{}(", a.to_ascii_lowercase())))
                }
                _ => false,
            },
            _ => false,
        },
        _ => false,
    })
}

/// `.then((rows) => rows[0])`, `.then(([row]) => row)`, `.then((r) => r.at(0))`.
fn picks_first_row(expr: &Expr) -> bool {
    let Expr::Arrow(a) = unwrap_expr(expr) else {
        return false;
    };
    if matches!(a.params.first(), Some(Pat::Array(_))) {
        return true;
    }
    let ArrowFunctionBody::Expr(body) = &*a.body else {
        return false;
    };
    let mut body = unwrap_expr(body);
    if let Expr::Bin(b) = body {
        body = unwrap_expr(&b.left);
    }
    match body {
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Computed(c) if matches!(&*c.expr, Expr::Lit(Lit::Num(n)) if n.value == 0.0))
        }
        Expr::Call(c) => method_name(c).is_some_and(|m| m == "at" || m == "shift"),
        _ => false,
    }
}

/// Is the query run once per element of a loop or `Promise.all(xs.map(...))`?
fn iteration(fact: &QueryFact, returned: bool, cx: &LintContext<'_>) -> Option<Iteration> {
    let rep = cx.repeating()?;
    let walk = &cx.db.walk;
    match rep.kind {
        Some(kind @ (LoopKind::For | LoopKind::ForOf | LoopKind::ForIn | LoopKind::ForAwaitOf)) => {
            // Paging (`.offset()`, or a limited query in a counting loop)
            // depends on the previous page.
            if !fact.awaited || fact.paged || (kind == LoopKind::For && fact.limited) {
                return None;
            }
            let (items, item) = walk
                .loops
                .iter()
                .rev()
                .find(|(k, ..)| *k == key(rep.span))
                .map(|(_, items, item)| (*items, item.clone()))
                .unwrap_or_default();
            if chunked(fact, item.as_ref()) {
                return None;
            }
            Some(Iteration {
                describe: rep.describe(),
                items: items.map(|s| cx.snippet(s)),
                item: item.map(|a| a.as_str().to_owned()),
            })
        }
        Some(_) => None,
        None => {
            if !(fact.awaited || (returned && rep.in_promise_combinator)) {
                return None;
            }
            let (items, item) = walk
                .fns
                .last()
                .and_then(|f| f.iteration.clone())
                .unwrap_or_default();
            if chunked(fact, item.as_ref()) {
                return None;
            }
            let describe = if rep.in_promise_combinator {
                format!("{} inside Promise.all", rep.describe())
            } else {
                rep.describe()
            };
            Some(Iteration {
                describe,
                items: items.map(|s| cx.snippet(s)),
                item: item.map(|a| a.as_str().to_owned()),
            })
        }
    }
}

/// The query takes the whole element as its list (`inArray(t.id, chunk)`):
/// the loop goes over chunks of a list, one query per chunk — the batching
/// that D1's limit on bound parameters asks for, not a query per row.
fn chunked(fact: &QueryFact, item: Option<&Atom>) -> bool {
    item.is_some_and(|item| {
        fact.filters
            .iter()
            .any(|f| f.op == Op::In && f.value.as_deref() == Some(item.as_ref()))
    })
}

/// Identifiers an argument reads, in callbacks too
/// (`kinds.map((k) => ({ activityId: activity.id }))` reads `activity`).
fn collect_reads(expr: &Expr, out: &mut Vec<Atom>) {
    match unwrap_expr(expr) {
        Expr::Arrow(_) | Expr::Fn(_) => {
            struct Idents<'o>(&'o mut Vec<Atom>);
            impl swc_core::ecma::visit::Visit for Idents<'_> {
                fn visit_ident(&mut self, id: &Ident) {
                    self.0.push(id.sym.clone());
                }
            }
            use swc_core::ecma::visit::VisitWith;
            expr.visit_with(&mut Idents(out));
        }
        Expr::Ident(id) => out.push(id.sym.clone()),
        Expr::Member(m) => collect_reads(&m.obj, out),
        Expr::Object(o) => {
            for p in &o.props {
                match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => collect_reads(&kv.value, out),
                        Prop::Shorthand(id) => out.push(id.sym.clone()),
                        _ => {}
                    },
                    PropOrSpread::Spread(s) => collect_reads(&s.expr, out),
                }
            }
        }
        Expr::Array(a) => {
            for e in a.elems.iter().flatten() {
                collect_reads(&e.expr, out);
            }
        }
        Expr::Tpl(t) => t.exprs.iter().for_each(|e| collect_reads(e, out)),
        Expr::Bin(b) => {
            collect_reads(&b.left, out);
            collect_reads(&b.right, out);
        }
        Expr::Cond(c) => {
            collect_reads(&c.test, out);
            collect_reads(&c.cons, out);
            collect_reads(&c.alt, out);
        }
        Expr::Call(c) => {
            if let Callee::Expr(e) = &c.callee {
                collect_reads(e, out);
            }
            c.args.iter().for_each(|a| collect_reads(&a.expr, out));
        }
        Expr::Await(a) => collect_reads(&a.arg, out),
        _ => {}
    }
}
