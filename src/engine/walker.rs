//! The one traversal: an swc `Visit` that keeps the context (frames, known
//! database and binding names) up to date and dispatches each node to
//! every enabled rule.

use crate::model::collections::Words;
use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use super::context::{
    callee_path, expr_path, is_context_db_var, pat_idents, pat_names, unwrap_expr, Frame,
    LintContext, LoopKind, Node, NodeKind, ITERATION_METHODS,
};
use super::{Rule, RuleMeta};
use crate::model::report::Severity;

/// Handler methods of `export default { … }` and of WorkerEntrypoint classes.
static HANDLER_METHODS: Words =
    Words::new(&["fetch", "scheduled", "queue", "email", "tail", "trace"]);

/// A Pages Function's exported handler: `onRequest`, or `onRequest` and an
/// HTTP method (`onRequestGet`, `onRequestPost`…).
fn is_pages_handler(name: &str) -> bool {
    name.strip_prefix("onRequest").is_some_and(|method| {
        matches!(
            method,
            "" | "Get" | "Post" | "Put" | "Patch" | "Delete" | "Head" | "Options"
        )
    })
}
/// The name a call's callee ends in: `f` of `f(…)`, `m` of `x.y.m(…)`.
fn callee_name(call: &CallExpr) -> Option<&str> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap_expr(callee) {
        Expr::Ident(id) => Some(&id.sym),
        Expr::Member(m) => match &m.prop {
            MemberProp::Ident(p) => Some(&p.sym),
            _ => None,
        },
        _ => None,
    }
}

/// Router methods whose callbacks handle requests (Hono, itty-router, Express).
static ROUTE_METHODS: Words = Words::new(&[
    "get", "post", "put", "delete", "patch", "all", "use", "on", "options", "head", "route",
]);

/// Which rules act on which node kinds: the same for every file of a run
/// (rules are instantiated per file from the same declarations and
/// options), so built once, from the first file's rules.
pub(super) struct Dispatch {
    /// For each node kind, the indices of the rules that act on it.
    by_kind: [Vec<usize>; NodeKind::COUNT],
    /// The same for leaving a node.
    exit_by_kind: [Vec<usize>; NodeKind::COUNT],
    /// The node kinds the database facts are read from.
    db_kinds: [bool; NodeKind::COUNT],
    /// The node kinds the hot paths are read from (none if no rule asks).
    hot_kinds: [bool; NodeKind::COUNT],
    /// For each rule, the callee names of the calls it acts on (`None`:
    /// all).
    call_names: Vec<Option<&'static Words>>,
}

impl Dispatch {
    pub(super) fn of(rules: &[Box<dyn Rule>]) -> Dispatch {
        let mut by_kind: [Vec<usize>; NodeKind::COUNT] = Default::default();
        let mut exit_by_kind: [Vec<usize>; NodeKind::COUNT] = Default::default();
        for (i, rule) in rules.iter().enumerate() {
            for kind in rule.interests() {
                by_kind[*kind as usize].push(i);
            }
            for kind in rule.exit_interests() {
                exit_by_kind[*kind as usize].push(i);
            }
        }
        let mut db_kinds = [false; NodeKind::COUNT];
        for kind in crate::effects::db_facts::INTERESTS {
            db_kinds[*kind as usize] = true;
        }
        let mut hot_kinds = [false; NodeKind::COUNT];
        if rules.iter().any(|r| r.hot_paths()) {
            for kind in crate::effects::hot_paths::INTERESTS {
                hot_kinds[*kind as usize] = true;
            }
        }
        Dispatch {
            by_kind,
            exit_by_kind,
            db_kinds,
            hot_kinds,
            call_names: rules.iter().map(|r| r.call_names()).collect(),
        }
    }
}

pub(super) fn walk(
    program: &Program,
    rules: Vec<Box<dyn Rule>>,
    dispatch: &Dispatch,
    severities: &[(&'static RuleMeta, Severity)],
    cx: &mut LintContext<'_>,
) {
    let mut walker = Walker {
        rules,
        by_kind: &dispatch.by_kind,
        exit_by_kind: &dispatch.exit_by_kind,
        call_names: &dispatch.call_names,
        db_kinds: &dispatch.db_kinds,
        hot_kinds: &dispatch.hot_kinds,
        severities,
        cx,
        pending: None,
        handler_object: false,
        handler_class: false,
        in_promise_combinator_arg: false,
    };
    crate::syntax::ast::forget_callee_memo();
    walker.enter(Node::Program(program));
    program.visit_children_with(&mut walker);
    walker.exit(Node::Program(program));
    for (i, rule) in walker.rules.iter_mut().enumerate() {
        walker.cx.current_rule = Some(walker.severities[i]);
        rule.finish(walker.cx);
    }
    walker.cx.current_rule = None;
}

/// What the walker knows about the next function it enters, from its parent
/// (the call it is an argument of, the property or variable it is bound to).
#[derive(Default, Clone)]
struct PendingFn {
    name: Option<Atom>,
    is_handler: bool,
    /// A method of a Durable Object or entrypoint class: its parameters are
    /// the caller's arguments (the bindings are `this.env`).
    class_method: bool,
    /// A method or property of an object or class: named by a key, not a binding.
    is_method: bool,
    iteration_method: Option<Atom>,
    in_promise_combinator: bool,
}

struct Walker<'r, 'c, 'a> {
    rules: Vec<Box<dyn Rule>>,
    /// For each node kind, the indices of the rules that act on it.
    by_kind: &'r [Vec<usize>; NodeKind::COUNT],
    call_names: &'r [Option<&'static Words>],
    /// The same for leaving a node.
    exit_by_kind: &'r [Vec<usize>; NodeKind::COUNT],
    /// The node kinds the database facts are read from.
    db_kinds: &'r [bool; NodeKind::COUNT],
    /// The node kinds the hot paths are read from (none if no rule asks).
    hot_kinds: &'r [bool; NodeKind::COUNT],
    severities: &'r [(&'static RuleMeta, Severity)],
    cx: &'c mut LintContext<'a>,
    pending: Option<PendingFn>,
    /// Walking the object literal of `export default { … }`.
    handler_object: bool,
    /// Walking a class whose methods handle requests (Durable Object, entrypoint).
    handler_class: bool,
    /// Walking the arguments of `Promise.all(…)` and friends.
    in_promise_combinator_arg: bool,
}

impl Walker<'_, '_, '_> {
    /// Gives `node` to the database facts and the rules that act on its
    /// kind. Checked here, inline, because most nodes go to nobody.
    #[inline(always)]
    fn enter(&mut self, node: Node<'_>) {
        let kind = node.kind() as usize;
        if self.db_kinds[kind] || self.hot_kinds[kind] || !self.by_kind[kind].is_empty() {
            self.enter_node(node, kind);
        }
    }

    #[inline(always)]
    fn exit(&mut self, node: Node<'_>) {
        let kind = node.kind() as usize;
        if self.db_kinds[kind] || !self.exit_by_kind[kind].is_empty() {
            self.exit_node(node, kind);
        }
    }

    fn enter_node(&mut self, node: Node<'_>, kind: usize) {
        // Database facts first, so rules see the query they are entering.
        if self.db_kinds[kind] {
            crate::effects::db_facts::enter(node, self.cx);
        }
        if self.hot_kinds[kind] {
            self.cx.hot.enter(node);
        }
        let by_kind = self.by_kind;
        match node {
            Node::Call(call) => self.enter_call(&by_kind[kind], call),
            _ => self.hand_to_rules(&by_kind[kind], node, false),
        }
    }

    /// Gives a call to the rules `which` that may want its callee's name
    /// (`Rule::call_names`): most rules want few of the many calls.
    fn enter_call(&mut self, which: &[usize], call: &CallExpr) {
        let callee = callee_name(call);
        for &i in which {
            let (Some(rule), Some(&severity)) = (self.rules.get_mut(i), self.severities.get(i))
            else {
                continue;
            };
            if let Some(Some(names)) = self.call_names.get(i) {
                if !callee.is_some_and(|n| names.contains(n)) {
                    continue;
                }
            }
            self.cx.current_rule = Some(severity);
            rule.enter(Node::Call(call), self.cx);
        }
    }

    /// Gives `node` to the rules `which`, entering or `leaving` it, each
    /// with its severity set. Each rule and its severity are taken with
    /// `get` (inlined), where indexing the vectors calls out (the walk makes
    /// about a million of these calls).
    #[inline(always)]
    fn hand_to_rules(&mut self, which: &[usize], node: Node<'_>, leaving: bool) {
        for &i in which {
            let (Some(rule), Some(&severity)) = (self.rules.get_mut(i), self.severities.get(i))
            else {
                continue;
            };
            self.cx.current_rule = Some(severity);
            if leaving {
                rule.exit(node, self.cx);
            } else {
                rule.enter(node, self.cx);
            }
        }
    }

    fn exit_node(&mut self, node: Node<'_>, kind: usize) {
        let exit_by_kind = self.exit_by_kind;
        self.hand_to_rules(&exit_by_kind[kind], node, true);
        if self.db_kinds[kind] {
            crate::effects::db_facts::exit(node, self.cx);
        }
    }

    /// Runs `body` inside a function frame and its own scope.
    fn function<F: FnOnce(&mut Self)>(
        &mut self,
        span: Span,
        is_async: bool,
        pats: Vec<&Pat>,
        own_name: Option<Atom>,
        body: F,
    ) {
        let pending = self.pending.take().unwrap_or_default();
        let name = own_name.or(pending.name.clone());
        // `export const onRequestGet = async (ctx) => …` handles requests.
        let pages = self.cx.at_module_scope() && name.as_deref().is_some_and(is_pages_handler);
        let mut params = Vec::new();
        for pat in &pats {
            pat_names(pat, &mut params);
        }
        self.env_params(&pats, &pending);
        // `batch: MessageBatch<T>`: a queue consumer's batch, whatever the
        // function is called (`export async function consume(batch, env)`).
        for pat in &pats {
            if let Pat::Ident(p) = param_pat(pat) {
                if crate::syntax::ast::annotated_class(p.type_ann.as_deref()).as_deref()
                    == Some("MessageBatch")
                {
                    self.cx.hot.note_queue_batch(&p.id.sym);
                }
            }
        }
        let request_param = pages
            || (pending.is_handler
                && match name.as_deref() {
                    None => !pending.class_method, // a route callback
                    Some(n) => n == "fetch",
                });
        let flags: Vec<(u32, Atom)> = pats
            .iter()
            .enumerate()
            .take(32)
            .filter_map(|(i, pat)| match pat {
                Pat::Assign(a) if matches!(&*a.right, Expr::Lit(Lit::Bool(b)) if !b.value) => {
                    match &*a.left {
                        Pat::Ident(id) => Some((i as u32, id.id.sym.clone())),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect();
        let positional = pats.iter().all(|pat| match param_pat(pat) {
            Pat::Ident(_) => true,
            Pat::Assign(a) => matches!(&*a.left, Pat::Ident(_)),
            _ => false,
        });
        let frame = Frame::Function {
            span,
            is_async,
            is_handler: pending.is_handler || pages,
            request_param,
            name,
            is_method: pending.is_method,
            params: params.into(),
            positional,
            iteration_method: pending.iteration_method,
            in_promise_combinator: pending.in_promise_combinator,
            flags: (!flags.is_empty()).then(|| flags.into()),
        };
        self.cx.frames.push(frame.clone());
        self.enter(Node::Function(&frame));
        body(self);
        self.exit(Node::Function(&frame));
        self.cx.frames.pop();
    }

    /// What the parameters of the function entered say about the Worker's
    /// bindings: a handler's second parameter is the bindings object
    /// whatever it is called (or destructures it: `{ DB }`); a parameter
    /// named `env` typed as a primitive (`env: string`), or the element of
    /// an iteration callback, is not.
    fn env_params(&mut self, pats: &[&Pat], pending: &PendingFn) {
        if pending.is_handler && !pending.class_method {
            match pats.get(1).map(|p| param_pat(p)) {
                Some(Pat::Ident(b)) => self.cx.env_objects.insert(&b.id),
                Some(p @ Pat::Object(_)) => {
                    let mut ids = Vec::new();
                    pat_idents(p, &mut ids);
                    for id in ids {
                        self.cx.env_parts.insert(id);
                    }
                }
                _ => {}
            }
        }
        for pat in pats {
            if let Pat::Ident(b) = param_pat(pat) {
                if b.id.sym == "env"
                    && (pending.iteration_method.is_some()
                        || b.type_ann
                            .as_deref()
                            .is_some_and(|t| primitive_type(&t.type_ann)))
                {
                    self.cx.not_env.insert(&b.id);
                }
            }
        }
    }

    fn in_loop<F: FnOnce(&mut Self)>(&mut self, stmt: &Stmt, kind: LoopKind, span: Span, body: F) {
        self.cx.frames.push(Frame::Loop { span, kind });
        self.enter(Node::Loop(stmt));
        body(self);
        self.exit(Node::Loop(stmt));
        self.cx.frames.pop();
    }
}

fn param_pats(params: &[Param]) -> Vec<&Pat> {
    params.iter().map(|p| &p.pat).collect()
}

/// A parameter without its default (`env = {}`).
fn param_pat(pat: &Pat) -> &Pat {
    match pat {
        Pat::Assign(a) => &a.left,
        other => other,
    }
}

/// A type no bindings object has: a primitive, a literal, a union of them,
/// an array or a function.
fn primitive_type(t: &TsType) -> bool {
    match t {
        TsType::TsKeywordType(k) => !matches!(
            k.kind,
            TsKeywordTypeKind::TsAnyKeyword
                | TsKeywordTypeKind::TsUnknownKeyword
                | TsKeywordTypeKind::TsObjectKeyword
        ),
        TsType::TsLitType(_) | TsType::TsArrayType(_) | TsType::TsFnOrConstructorType(_) => true,
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
            u.types.iter().all(|t| primitive_type(t))
        }
        TsType::TsParenthesizedType(p) => primitive_type(&p.type_ann),
        _ => false,
    }
}

fn prop_name(key: &PropName) -> Option<Atom> {
    match key {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => s.value.as_str().map(Atom::from),
        _ => None,
    }
}

impl Visit for Walker<'_, '_, '_> {
    fn visit_module_items(&mut self, items: &[ModuleItem]) {
        self.enter(Node::ModuleItems(items));
        for item in items {
            item.visit_with(self);
        }
        self.exit(Node::ModuleItems(items));
    }

    /// A script's body is the module scope.
    fn visit_script(&mut self, script: &Script) {
        self.enter(Node::Stmts(&script.body));
        for s in &script.body {
            s.visit_with(self);
        }
        self.exit(Node::Stmts(&script.body));
    }

    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        self.enter(Node::Stmts(stmts));
        for s in stmts {
            s.visit_with(self);
        }
        self.exit(Node::Stmts(stmts));
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        self.enter(Node::Stmt(stmt));
        match stmt {
            Stmt::For(f) => {
                f.init.visit_with(self);
                self.in_loop(stmt, LoopKind::For, f.span, |w| {
                    f.test.visit_with(w);
                    f.update.visit_with(w);
                    f.body.visit_with(w);
                });
            }
            Stmt::ForOf(f) => {
                f.right.visit_with(self);
                let kind = if f.is_await {
                    LoopKind::ForAwaitOf
                } else {
                    LoopKind::ForOf
                };
                self.in_loop(stmt, kind, f.span, |w| {
                    f.left.visit_with(w);
                    f.body.visit_with(w);
                });
            }
            Stmt::ForIn(f) => {
                f.right.visit_with(self);
                self.in_loop(stmt, LoopKind::ForIn, f.span, |w| {
                    f.left.visit_with(w);
                    f.body.visit_with(w);
                });
            }
            Stmt::While(w) => {
                self.in_loop(stmt, LoopKind::While, w.span, |v| w.visit_children_with(v))
            }
            Stmt::DoWhile(d) => self.in_loop(stmt, LoopKind::DoWhile, d.span, |v| {
                d.visit_children_with(v)
            }),
            // A branch the build drops (`if (process.env.NODE_ENV ===
            // 'development')`) is not in the Worker: neither its code nor
            // what it imports.
            Stmt::If(i) => match crate::syntax::ast::build_constant(&i.test) {
                Some(true) => i.cons.visit_with(self),
                Some(false) => i.alt.visit_with(self),
                None => stmt.visit_children_with(self),
            },
            _ => stmt.visit_children_with(self),
        }
        self.exit(Node::Stmt(stmt));
    }

    /// `process.env.NODE_ENV === 'production' ? a : b`: only the branch the
    /// build keeps (see `visit_stmt`).
    fn visit_cond_expr(&mut self, c: &CondExpr) {
        match crate::syntax::ast::build_constant(&c.test) {
            Some(true) => c.cons.visit_with(self),
            Some(false) => c.alt.visit_with(self),
            None => c.visit_children_with(self),
        }
    }

    fn visit_expr_stmt(&mut self, node: &ExprStmt) {
        self.enter(Node::ExprStmt(node));
        node.visit_children_with(self);
        self.exit(Node::ExprStmt(node));
    }

    fn visit_return_stmt(&mut self, node: &ReturnStmt) {
        self.enter(Node::Return(node));
        node.visit_children_with(self);
        self.exit(Node::Return(node));
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        self.enter(Node::Call(call));
        // Only a direct argument of Promise.all is "in" it.
        let in_promise_combinator = std::mem::replace(&mut self.in_promise_combinator_arg, false);
        // Before the callee's own calls replace the memoized path of this one.
        let path = callee_path(call);
        call.callee.visit_with(self);

        // What the callback arguments of this call are.
        let method = match &call.callee {
            Callee::Expr(e) => match &**e {
                Expr::Member(m) => match &m.prop {
                    MemberProp::Ident(p) => Some(p.sym.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let is_iteration = method
            .as_ref()
            .is_some_and(|m| ITERATION_METHODS.contains(m.as_ref()))
            || path.as_deref() == Some("Array.from");
        let is_route = method
            .as_ref()
            .is_some_and(|m| ROUTE_METHODS.contains(m.as_ref()))
            && call.args.len() >= 2;
        let args_in_combinator = matches!(
            path.as_deref(),
            Some("Promise.all" | "Promise.allSettled" | "Promise.race" | "Promise.any")
        );
        for (i, arg) in call.args.iter().enumerate() {
            let is_fn = matches!(unwrap_expr(&arg.expr), Expr::Arrow(_) | Expr::Fn(_));
            if is_fn {
                let iteration = is_iteration && (i == 0 || path.as_deref() == Some("Array.from"));
                self.pending = Some(PendingFn {
                    name: None,
                    is_handler: is_route,
                    iteration_method: if iteration {
                        if path.as_deref() == Some("Array.from") {
                            Some("Array.from".into())
                        } else {
                            method.clone()
                        }
                    } else {
                        None
                    },
                    in_promise_combinator: iteration && in_promise_combinator,
                    class_method: false,
                    is_method: false,
                });
            }
            let saved = self.in_promise_combinator_arg;
            self.in_promise_combinator_arg = args_in_combinator;
            arg.visit_with(self);
            self.in_promise_combinator_arg = saved;
            self.pending = None;
        }
        call.type_args.visit_with(self);
        self.in_promise_combinator_arg = in_promise_combinator;
        self.exit(Node::Call(call));
    }

    fn visit_opt_call(&mut self, node: &OptCall) {
        self.enter(Node::OptCall(node));
        node.visit_children_with(self);
        self.exit(Node::OptCall(node));
    }

    fn visit_new_expr(&mut self, node: &NewExpr) {
        self.enter(Node::New(node));
        node.visit_children_with(self);
        self.exit(Node::New(node));
    }

    fn visit_await_expr(&mut self, node: &AwaitExpr) {
        self.enter(Node::Await(node));
        node.visit_children_with(self);
        self.exit(Node::Await(node));
    }

    fn visit_import_decl(&mut self, node: &ImportDecl) {
        self.enter(Node::Import(node));
        self.exit(Node::Import(node));
    }

    fn visit_export_all(&mut self, node: &ExportAll) {
        self.enter(Node::ExportAll(node));
        self.exit(Node::ExportAll(node));
    }

    fn visit_named_export(&mut self, node: &NamedExport) {
        self.enter(Node::NamedExport(node));
        self.exit(Node::NamedExport(node));
    }

    fn visit_var_decl(&mut self, node: &VarDecl) {
        self.enter(Node::VarDecl(node));
        node.visit_children_with(self);
        self.exit(Node::VarDecl(node));
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
            // const connection = new Connection(url): an HTTP client.
            if matches!(
                unwrap_expr(init),
                Expr::New(_) | Expr::Call(_) | Expr::Await(_) | Expr::Ident(_)
            ) {
                if let Some(client) = crate::effects::sdk::client_made_by(init, &self.cx.file) {
                    if let Some(symbol) = self.cx.semantic().symbol_of_decl(&name.id) {
                        self.cx.file.http_clients.insert(symbol, client);
                    }
                }
            }
        }
        if let Some(init) = &d.init {
            let init = unwrap_expr(init);
            let init = match init {
                Expr::Await(a) => unwrap_expr(&a.arg),
                other => other,
            };
            match (&d.name, init) {
                // const db = drizzle(env.DB, …), or a factory named for one
                // (`createDb(c.env.DB)`, `getDatabase(env)`)
                (Pat::Ident(name), Expr::Call(c))
                    if crate::syntax::ast::callee_is(c, "drizzle")
                        || crate::knowledge::drizzle::makes_a_database(c) =>
                {
                    self.cx.db_handles.insert(&name.id);
                }
                // const db = c.var.db / c.get('db') (Hono context variable)
                (Pat::Ident(name), e) if is_context_db_var(e) => {
                    self.cx.db_handles.insert(&name.id);
                }
                // const e = env (not `const env = this.env`: `env` is one by name)
                (Pat::Ident(name), Expr::Ident(e)) if is_env_object_expr(e, self.cx) => {
                    self.cx.env_objects.insert(&name.id);
                }
                // const db = env.DB / c.env.DB / this.env.DB
                (Pat::Ident(name), Expr::Member(m)) if is_env_expr(&m.obj, self.cx) => {
                    if let MemberProp::Ident(binding) = &m.prop {
                        self.cx.note_env_alias(&name.id, &binding.sym);
                    }
                }
                // const { KV, DB } = env / c.env / this.env
                (Pat::Object(_), e) if is_env_expr(e, self.cx) => {
                    let mut ids = Vec::new();
                    pat_idents(&d.name, &mut ids);
                    for id in ids {
                        self.cx.env_parts.insert(id);
                    }
                }
                (Pat::Ident(name), Expr::Arrow(_) | Expr::Fn(_)) => {
                    self.pending = Some(PendingFn {
                        name: Some(name.id.sym.clone()),
                        ..PendingFn::default()
                    });
                }
                _ => {}
            }
        }
        self.enter(Node::VarDeclarator(d));
        // `const ps = xs.map(async …)` later given to `Promise.all(ps)`: the
        // callbacks run together, as in `Promise.all(xs.map(…))`.
        let saved = self.in_promise_combinator_arg;
        if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
            if let Expr::Call(c) = unwrap_expr(init) {
                if matches!(
                    crate::syntax::ast::method_name(c).map(|m| m.as_ref()),
                    Some("map" | "flatMap")
                ) && self.cx.combined_later(&name.id.sym, d.span)
                {
                    self.in_promise_combinator_arg = true;
                }
            }
        }
        d.visit_children_with(self);
        self.in_promise_combinator_arg = saved;
        self.pending = None;
        self.exit(Node::VarDeclarator(d));
    }

    fn visit_assign_expr(&mut self, node: &AssignExpr) {
        self.enter(Node::Assign(node));
        node.visit_children_with(self);
        self.exit(Node::Assign(node));
    }

    fn visit_update_expr(&mut self, node: &UpdateExpr) {
        self.enter(Node::Update(node));
        node.visit_children_with(self);
        self.exit(Node::Update(node));
    }

    fn visit_object_lit(&mut self, node: &ObjectLit) {
        self.enter(Node::Object(node));
        node.visit_children_with(self);
        self.exit(Node::Object(node));
    }

    fn visit_array_lit(&mut self, node: &ArrayLit) {
        self.enter(Node::Array(node));
        node.visit_children_with(self);
        self.exit(Node::Array(node));
    }

    fn visit_ident(&mut self, node: &Ident) {
        // Only a rule that tracks names asks for identifiers, and only while
        // it tracks some (see `LintContext::wants_idents`).
        if self.cx.wants_idents {
            self.enter(Node::Ident(node));
        }
    }

    fn visit_member_expr(&mut self, node: &MemberExpr) {
        if matches!(node.prop, MemberProp::Computed(_)) {
            crate::effects::db_facts::computed_member(node, self.cx);
        }
        self.enter(Node::Member(node));
        node.visit_children_with(self);
        self.exit(Node::Member(node));
    }

    // ----- functions -----

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        let params = param_pats(&f.function.params);
        self.function(
            f.function.span,
            f.function.is_async,
            params,
            Some(f.ident.sym.clone()),
            |w| f.function.visit_children_with(w),
        );
    }

    fn visit_fn_expr(&mut self, f: &FnExpr) {
        let params = param_pats(&f.function.params);
        let name = f.ident.as_ref().map(|i| i.sym.clone());
        self.function(f.function.span, f.function.is_async, params, name, |w| {
            f.function.visit_children_with(w)
        });
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        let params = a.params.iter().collect();
        self.function(a.span, a.is_async, params, None, |w| {
            a.visit_children_with(w)
        });
    }

    fn visit_method_prop(&mut self, m: &MethodProp) {
        let name = prop_name(&m.key);
        let is_handler = self.handler_object
            && name
                .as_ref()
                .is_some_and(|n| HANDLER_METHODS.contains(n.as_ref()));
        let saved = std::mem::replace(&mut self.handler_object, false);
        self.pending = Some(PendingFn {
            name: name.clone(),
            is_handler,
            is_method: true,
            ..PendingFn::default()
        });
        let params = param_pats(&m.function.params);
        self.function(m.function.span, m.function.is_async, params, name, |w| {
            m.function.visit_children_with(w)
        });
        self.handler_object = saved;
    }

    fn visit_key_value_prop(&mut self, kv: &KeyValueProp) {
        let name = prop_name(&kv.key);
        let is_handler = self.handler_object
            && name
                .as_ref()
                .is_some_and(|n| HANDLER_METHODS.contains(n.as_ref()));
        let saved = std::mem::replace(&mut self.handler_object, false);
        if matches!(unwrap_expr(&kv.value), Expr::Arrow(_) | Expr::Fn(_)) {
            self.pending = Some(PendingFn {
                name,
                is_handler,
                is_method: true,
                ..PendingFn::default()
            });
        }
        kv.visit_children_with(self);
        self.pending = None;
        self.handler_object = saved;
    }

    fn visit_export_default_expr(&mut self, e: &ExportDefaultExpr) {
        let saved = self.handler_object;
        self.handler_object = matches!(unwrap_expr(&e.expr), Expr::Object(_));
        e.visit_children_with(self);
        self.handler_object = saved;
    }

    fn visit_class(&mut self, class: &Class) {
        let saved = self.handler_class;
        self.handler_class = class
            .super_class
            .as_deref()
            .and_then(expr_path)
            .is_some_and(|s| {
                matches!(
                    s.rsplit('.').next(),
                    Some("DurableObject" | "WorkerEntrypoint" | "WorkflowEntrypoint")
                )
            });
        class.visit_children_with(self);
        self.handler_class = saved;
    }

    fn visit_class_method(&mut self, m: &ClassMethod) {
        let name = prop_name(&m.key);
        self.pending = Some(PendingFn {
            name: name.clone(),
            is_handler: self.handler_class && m.kind == MethodKind::Method && !m.is_static,
            class_method: true,
            is_method: true,
            ..PendingFn::default()
        });
        let params = param_pats(&m.function.params);
        self.function(m.function.span, m.function.is_async, params, name, |w| {
            m.function.visit_children_with(w)
        });
    }

    /// `async #load() { … }`: runs when called, like any method.
    fn visit_private_method(&mut self, m: &PrivateMethod) {
        let name: Atom = format!("#{}", m.key.name).into();
        self.pending = Some(PendingFn {
            name: Some(name.clone()),
            is_handler: false,
            class_method: true,
            is_method: true,
            ..PendingFn::default()
        });
        let params = param_pats(&m.function.params);
        self.function(
            m.function.span,
            m.function.is_async,
            params,
            Some(name),
            |w| m.function.visit_children_with(w),
        );
    }

    /// `{ get total() { … } }`: runs when read, not where it is written.
    fn visit_getter_prop(&mut self, g: &GetterProp) {
        self.accessor(&g.key, &g.function);
    }

    /// `{ set total(v) { … } }`: runs when written.
    fn visit_setter_prop(&mut self, s: &SetterProp) {
        self.accessor(&s.key, &s.function);
    }

    /// `connection: Connection` (a parameter or variable typed with an SDK
    /// client class) holds an HTTP client.
    fn visit_binding_ident(&mut self, b: &BindingIdent) {
        if b.type_ann.is_some() {
            if let Some(client) =
                crate::effects::sdk::annotated_client(b.type_ann.as_deref(), &self.cx.file)
            {
                if let Some(symbol) = self.cx.semantic().symbol_of_decl(&b.id) {
                    self.cx.file.http_clients.insert(symbol, client);
                }
            }
        }
        b.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.cx
            .db
            .walk
            .classes
            .push(c.ident.sym.as_str().to_owned());
        c.visit_children_with(self);
        self.cx.db.walk.classes.pop();
    }

    /// `private svc: GithubService;`: the field holds an instance of the
    /// class its type names.
    fn visit_class_prop(&mut self, p: &ClassProp) {
        if let PropName::Ident(name) = &p.key {
            if let Some(client) =
                crate::effects::sdk::annotated_client(p.type_ann.as_deref(), &self.cx.file)
            {
                self.cx.file.client_fields.insert(name.sym.clone(), client);
            }
        }
        if let (PropName::Ident(name), Some(class)) = (
            &p.key,
            crate::syntax::ast::annotated_class(p.type_ann.as_deref()),
        ) {
            self.cx
                .db
                .instances
                .push((format!("this.{}", name.sym), class));
        }
        // What a field's initializer makes is the instance's, not the module's.
        let per_instance = !p.is_static;
        self.cx.file.model.class_fields += u32::from(per_instance);
        p.visit_children_with(self);
        self.cx.file.model.class_fields -= u32::from(per_instance);
    }

    fn visit_constructor(&mut self, c: &Constructor) {
        crate::effects::calls::enter_constructor(c, &mut self.cx.file);
        self.visit_constructor_inner(c);
        crate::effects::calls::exit_constructor(&mut self.cx.file);
    }
}

impl Walker<'_, '_, '_> {
    /// An object literal's getter or setter: a function of its own.
    fn accessor(&mut self, key: &PropName, function: &Function) {
        self.pending = Some(PendingFn {
            name: prop_name(key),
            is_method: true,
            ..PendingFn::default()
        });
        let params = param_pats(&function.params);
        self.function(function.span, false, params, prop_name(key), |w| {
            function.visit_children_with(w)
        });
    }

    fn visit_constructor_inner(&mut self, c: &Constructor) {
        let params = c
            .params
            .iter()
            .filter_map(|p| match p {
                ParamOrTsParamProp::Param(p) => Some(&p.pat),
                ParamOrTsParamProp::TsParamProp(_) => None,
            })
            .collect();
        self.pending = Some(PendingFn {
            is_method: true,
            ..PendingFn::default()
        });
        self.function(c.span, false, params, Some("constructor".into()), |w| {
            c.visit_children_with(w)
        });
    }
}

/// The identifier is the bindings object (not one destructured from it).
fn is_env_object_expr(id: &Ident, cx: &LintContext<'_>) -> bool {
    cx.is_env_object(id)
}

/// The bindings object, or a binding destructured from it.
fn is_env_expr(e: &Expr, cx: &LintContext<'_>) -> bool {
    match unwrap_expr(e) {
        Expr::Ident(id) => cx.is_env_object(id) || cx.is_env_part(id),
        Expr::Member(m) => matches!(&m.prop, MemberProp::Ident(p) if p.sym == "env"),
        _ => false,
    }
}
