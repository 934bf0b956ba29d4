//! `schema-setup-per-request`: `CREATE TABLE IF NOT EXISTS` (or an index,
//! view or trigger) sent to the database on every use instead of once: a
//! helper that creates the schema, called before the queries of each data
//! method or handler, or a handler that creates it before its own queries,
//! with no flag that makes it run once per isolate. Each run is a round
//! trip to D1 (or Postgres) before the real query, on every request.
//!
//! Not reported: a Durable Object's constructor (it runs once per object;
//! DO SQLite's `sql.exec` is local anyway), setup behind a once-flag
//! (`if (!this.ready)`, `ready ??= init()`, a function that sets a flag or
//! returns early on one), setup routes and functions (`/migrate`,
//! `setup()`, `seed()`), and setup nothing calls with a query of its own.

use crate::model::collections::Words;

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::engine::context::{method_name, unwrap_expr, Node};
use crate::knowledge::drizzle::sql_text as sql_text_of;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "schema-setup-per-request", Database, Warning,
    "`CREATE TABLE IF NOT EXISTS` run before the queries of every request instead of once: a database round trip each time.",
    |_| Box::<SchemaSetupPerRequest>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
Statements that create the schema (`CREATE TABLE IF NOT EXISTS`, `CREATE
INDEX`, `CREATE VIEW`, `CREATE TRIGGER`, `CREATE VIRTUAL TABLE`) sent with
D1's `exec`/`prepare(…).run()`, Drizzle's `db.run(sql…)`, or a Postgres
client's `query`/`unsafe`/`` sql`…` ``, where they run on every use:

- in a helper (`init()`, `ensureSchema()`) that a function of the same file
  calls before queries of its own (each data method of a store class calling
  `await this.init()`), or that a request handler calls;
- in a request handler (`fetch`, a route callback, a Pages Function) before
  its own queries, or in a middleware (`app.use('*', …)`), which runs before
  every request.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
`IF NOT EXISTS` makes the statement harmless, not free: each run is a round
trip to the database (D1 runs it on the database's primary, wherever the
Worker is) before the query the request needs, and a write statement that
takes the schema lock. An isolate serves many requests: the schema needs
creating once, by a migration, not on each of them.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export class EventStore {
  constructor(private db: D1Database) {}
  private async init() {
    await this.db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, json TEXT)');
  }
  async get(id: string) {
    await this.init();
    return this.db.prepare('SELECT json FROM events WHERE id = ?').bind(id).first();
  }
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
export class EventStore {
  private ready?: Promise<unknown>;
  constructor(private db: D1Database) {}
  private init() {
    // Once per isolate (better: a migration, `wrangler d1 migrations apply`).
    this.ready ??= this.db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, json TEXT)');
    return this.ready;
  }
  async get(id: string) {
    await this.init();
    return this.db.prepare('SELECT json FROM events WHERE id = ?').bind(id).first();
  }
}
```
"#,
        ),
        (
            "Not reported",
            r#"
- A Durable Object's constructor (and its `blockConcurrencyWhile`): it runs
  once per object, and DO SQLite (`ctx.storage.sql.exec`) is local.
- Setup behind a once-flag: `if (!this.ready) await this.init()`,
  `ready ??= init()`, a function that returns early on a flag or sets one
  (`initialized = true`).
- Setup routes and functions (a route whose path, or a function whose name,
  says setup, migrate, install, seed, init or bootstrap), and setup that no
  function with queries of its own calls.
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
Calls are followed within the file, by the called function's name: a
function's plain call (`init(db)`), a method's call on `this`
(`this.init()`). A helper in another file, a method called on another
object (`store.init()`), or one called through a variable, is not followed.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// The methods that send SQL text: D1's `exec`/`prepare`, Drizzle's
/// `run`/`execute`, a Postgres client's `query`/`unsafe`.
static SENDS_SQL: Words = Words::new(&["exec", "prepare", "run", "execute", "query", "unsafe"]);

/// Words of a function's name or a route's path that say it sets things up.
const SETUP_WORDS: &[&str] = &[
    "setup", "migrate", "migration", "migrations", "install", "seed", "init", "initialize",
    "bootstrap", "provision", "reset",
];

#[derive(Default)]
pub struct SchemaSetupPerRequest {
    /// Calls that create the schema, found by the walk.
    sites: Vec<Span>,
}

impl Rule for SchemaSetupPerRequest {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::Await]
    }

    fn call_names(&self) -> Option<&'static Words> {
        Some(&SENDS_SQL)
    }

    fn enter(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        match node {
            Node::Call(call) if creates_schema(call) => self.sites.push(call.span),
            // postgres.js: `await sql`CREATE TABLE …``.
            Node::Await(a) => {
                if let Expr::TaggedTpl(t) = unwrap_expr(&a.arg) {
                    if is_schema_sql(&crate::knowledge::drizzle::template_sql(&t.tpl)) {
                        self.sites.push(t.span);
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        if self.sites.is_empty() {
            return;
        }
        // Only files that create a schema are read again, for the functions
        // around each statement, their callers and their flags.
        let mut functions = Functions {
            sites: &self.sites,
            ..Default::default()
        };
        cx.program().visit_with(&mut functions);
        let list = functions.list;
        let has_queries = |f: &FnFacts| {
            f.sends_queries
                || cx.db.queries.iter().any(|q| {
                f.span.lo <= q.span.lo && q.span.hi <= f.span.hi && !is_schema_sql(&q.text)
            })
        };
        let mut findings = Vec::new();
        for f in &list {
            let Some(&site) = f.sites.first() else { continue };
            if f.in_constructor || f.sets_flag {
                continue;
            }
            // (A helper's own name, `init`, `ensureSchema`, says what it
            // does, not how often: its callers' names and routes do.)
            // A middleware runs it before every request; a handler, before
            // its own queries.
            let own = !f.setup
                && match f.handler {
                    Handler::Middleware => true,
                    Handler::Route => has_queries(f),
                    Handler::No => false,
                };
            let callers: Vec<&FnFacts> = match &f.name {
                Some(name) => {
                    let called_as = if f.is_method { Atom::from(format!("this.{name}")) } else { name.clone() };
                    list
                    .iter()
                    .filter(|g| {
                        g.span != f.span
                            && g.calls.contains(&called_as)
                            && !g.in_constructor
                            && !g.sets_flag
                            && !g.setup
                            && (g.handler != Handler::No || has_queries(g))
                    })
                    .collect()
                }
                None => Vec::new(),
            };
            if !own && callers.is_empty() {
                continue;
            }
            let text = crate::syntax::text::one_line(&cx.snippet(site));
            let (text, _) = crate::syntax::text::collapse_whitespace(&text, 80);
            let engine = match crate::effects::drizzle::engine(cx) {
                crate::knowledge::drizzle::Engine::D1 => "D1",
                crate::knowledge::drizzle::Engine::Postgres => "Postgres",
                crate::knowledge::drizzle::Engine::Unknown => "the database",
            };
            let message = match (own, callers.as_slice(), &f.name) {
                (false, [first, rest @ ..], Some(name)) => {
                    let caller = first.name.as_ref().map_or_else(|| "a request handler".to_string(), |n| format!("`{n}`"));
                    let (more, verb) = match rest.len() {
                        0 => (String::new(), "calls"),
                        1 => (" and 1 other function".to_string(), "call"),
                        n => (format!(" and {n} other functions"), "call"),
                    };
                    let before = if has_queries(first) { "before its own queries" } else { "on every request" };
                    format!("`{text}` runs on every call of `{name}`, which {caller}{more} {verb} {before}: a round trip to {engine} each time, for a schema that needs creating once")
                }
                _ if f.handler == Handler::Middleware => format!("`{text}` runs in a middleware, before every request it sees: a round trip to {engine} each time, for a schema that needs creating once"),
                _ => format!("`{text}` runs on every request this handler serves, before its queries: a round trip to {engine} each time, for a schema that needs creating once"),
            };
            findings.push((site, message));
        }
        for (site, message) in findings {
            cx.report(
                site,
                message,
                "Create the schema once, in a migration (`wrangler d1 migrations apply`, drizzle-kit), and drop the statement; or run it once per isolate behind a flag kept at module scope or on the instance (`ready ??= init()`, `if (!this.ready) { await this.init(); this.ready = true; }`).",
            );
        }
    }
}

/// A call that sends a statement creating the schema: its first argument's
/// text (a string, a template, or `sql` tagged template) starts with
/// `CREATE TABLE`, `CREATE INDEX`, …; not a Durable Object's local SQLite
/// (`ctx.storage.sql.exec`, `this.sql.exec`).
fn creates_schema(call: &CallExpr) -> bool {
    let Some(method) = method_name(call) else { return false };
    if !SENDS_SQL.contains(method.as_ref()) {
        return false;
    }
    if let Callee::Expr(callee) = &call.callee {
        if let Expr::Member(m) = &**callee {
            let local_sqlite = match unwrap_expr(&m.obj) {
                Expr::Member(inner) => matches!(&inner.prop, MemberProp::Ident(p) if p.sym == "sql"),
                Expr::Ident(id) => id.sym == "sql" && method.as_ref() == "exec",
                _ => false,
            };
            if local_sqlite {
                return false;
            }
        }
    }
    sql_text(call).is_some_and(|text| is_schema_sql(&text))
}

/// The SQL text a call sends as its first argument: a string, a template,
/// or a `sql` tagged template.
fn sql_text(call: &CallExpr) -> Option<String> {
    sql_text_of(&call.args.first()?.expr)
}

/// A call that sends SQL reading or writing rows (`SELECT`, `INSERT`,
/// `UPDATE`, `DELETE`, `REPLACE`, `WITH`).
fn sends_row_sql(call: &CallExpr) -> bool {
    if !method_name(call).is_some_and(|m| SENDS_SQL.contains(m.as_ref())) {
        return false;
    }
    sql_text(call).is_some_and(|text| {
        let first = text.split_ascii_whitespace().next().unwrap_or("").to_ascii_uppercase();
        matches!(first.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "WITH")
    })
}

/// SQL that starts (past blanks and `--` comments) with `CREATE` and a
/// schema object: `TABLE`, `INDEX`, `UNIQUE INDEX`, `VIEW`, `TRIGGER`,
/// `VIRTUAL TABLE` (`IF NOT EXISTS` or not).
fn is_schema_sql(text: &str) -> bool {
    let mut rest = text.trim_start();
    while let Some(comment) = rest.strip_prefix("--") {
        rest = comment.split_once('\n').map_or("", |(_, after)| after).trim_start();
    }
    let mut words = rest.split_ascii_whitespace().map(|w| w.to_ascii_uppercase());
    if words.next().as_deref() != Some("CREATE") {
        return false;
    }
    let mut object = words.next();
    if matches!(object.as_deref(), Some("UNIQUE" | "VIRTUAL" | "TEMP" | "TEMPORARY")) {
        object = words.next();
    }
    matches!(object.as_deref(), Some("TABLE" | "INDEX" | "VIEW" | "TRIGGER"))
}

/// Whether a function handles requests, and how.
#[derive(Default, Clone, Copy, PartialEq)]
enum Handler {
    #[default]
    No,
    /// `fetch`, a Pages Function, a route's callback.
    Route,
    /// Runs before every request it matches, whatever the route.
    Middleware,
}

/// A function of the file, as this rule reads it.
#[derive(Default)]
struct FnFacts {
    span: Span,
    /// Its name: a declaration's, a method's key, or the variable or
    /// property it is bound to.
    name: Option<Atom>,
    /// A constructor, or inside one (a `blockConcurrencyWhile` callback).
    in_constructor: bool,
    /// A request handler: `fetch` of an object or class, a Pages Function
    /// (`onRequest…`), a route callback (`app.get(path, cb)`), or a
    /// middleware (`app.use('*', mw)`).
    handler: Handler,
    /// Its name, or its route's path, says it sets things up.
    setup: bool,
    /// It sets a flag (`ready = true`, `x ??= …`) or returns early on one:
    /// what it does runs once.
    sets_flag: bool,
    /// The schema statements directly in it, not under a once-flag.
    sites: Vec<Span>,
    /// The names it calls directly (`init()`; `this.init()` as
    /// `this.init`), not under a once-flag.
    calls: Vec<Atom>,
    /// A method (of a class or an object): called as `this.name()`.
    is_method: bool,
    /// It sends SQL that reads or writes rows (`prepare('SELECT …')`), as
    /// the query facts may not know its database handle (`this.db`).
    sends_queries: bool,
    /// Its parameters and the names it declares: a test of one of them
    /// (`if (!client) return`) checks this call's data, not a flag.
    locals: Vec<Atom>,
}

/// Collects [`FnFacts`]s: one visit of a file that creates a schema.
#[derive(Default)]
struct Functions<'s> {
    sites: &'s [Span],
    list: Vec<FnFacts>,
    /// Indices into `list` of the functions entered.
    stack: Vec<usize>,
    /// Inside an `if` on a flag, or the right side of `??=`/`||=`, in the
    /// innermost function.
    guarded: u32,
    /// What the next function entered is: its name, a handler, setup.
    next: Option<(Option<Atom>, Handler, bool)>,
    /// The next function entered is a method (`this.name()` calls it).
    next_is_method: bool,
    in_constructor: u32,
}

impl Functions<'_> {
    fn enter(&mut self, span: Span, body: impl FnOnce(&mut Self)) {
        let (name, handler, route_setup) = self.next.take().unwrap_or((None, Handler::No, false));
        let setup = route_setup || name.as_ref().is_some_and(|n| names_setup(n));
        let named_handler = name.as_ref().is_some_and(|n| n == "fetch" || n.starts_with("onRequest"));
        let is_method = std::mem::take(&mut self.next_is_method);
        self.list.push(FnFacts {
            span,
            is_method,
            handler: if handler == Handler::No && named_handler { Handler::Route } else { handler },
            setup,
            name,
            in_constructor: self.in_constructor > 0,
            ..Default::default()
        });
        self.stack.push(self.list.len() - 1);
        let guarded = std::mem::take(&mut self.guarded);
        body(self);
        self.guarded = guarded;
        self.stack.pop();
    }

    /// The next function entered is named so (a declaration, a method).
    fn name_next(&mut self, name: Option<Atom>) {
        self.next = Some((name, Handler::No, false));
    }

    fn current(&mut self) -> Option<&mut FnFacts> {
        let i = *self.stack.last()?;
        self.list.get_mut(i)
    }

    /// The names the innermost function declares (none at module scope).
    fn locals(&self) -> &[Atom] {
        self.stack.last().map_or(&[], |&i| &self.list[i].locals)
    }

    /// Notes the names a pattern binds as the innermost function's own.
    fn declare(&mut self, pat: &Pat) {
        let mut names = Vec::new();
        crate::syntax::ast::pat_names(pat, &mut names);
        if let Some(f) = self.current() {
            f.locals.extend(names);
        }
    }
}

/// A name made of words (`ensureSchema`, `run_migrations`) one of which says setup.
fn names_setup(name: &str) -> bool {
    let snake = crate::knowledge::schema::snake_case(name);
    snake
        .split(['_', '-', '/', '.', ':'])
        .any(|w| SETUP_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// A test of a flag: `x`, `!this.ready`, `state.initialized === false`,
/// where the name is none of the function's `locals`.
fn tests_a_flag(test: &Expr, locals: &[Atom]) -> bool {
    match unwrap_expr(test) {
        Expr::Ident(id) => !locals.contains(&id.sym),
        Expr::Member(m) => {
            matches!(m.prop, MemberProp::Ident(_) | MemberProp::PrivateName(_))
                && match unwrap_expr(&m.obj) {
                    Expr::This(_) => true,
                    e => tests_a_flag(e, locals),
                }
        }
        Expr::Unary(u) if u.op == UnaryOp::Bang => tests_a_flag(&u.arg, locals),
        Expr::Bin(b) if matches!(b.op, BinaryOp::EqEqEq | BinaryOp::NotEqEq | BinaryOp::EqEq | BinaryOp::NotEq) => {
            let constant = |e: &Expr| matches!(unwrap_expr(e), Expr::Lit(Lit::Bool(_) | Lit::Null(_))) || matches!(unwrap_expr(e), Expr::Ident(id) if id.sym == "undefined");
            (tests_a_flag(&b.left, locals) && constant(&b.right)) || (constant(&b.left) && tests_a_flag(&b.right, locals))
        }
        _ => false,
    }
}

/// An assignment's target that outlives the call: `this.ready`, a name the
/// function does not declare.
fn outlives_the_call(target: &AssignTarget, locals: &[Atom]) -> bool {
    match target {
        AssignTarget::Simple(SimpleAssignTarget::Ident(id)) => !locals.contains(&id.sym),
        AssignTarget::Simple(SimpleAssignTarget::Member(m)) => match unwrap_expr(&m.obj) {
            Expr::This(_) => true,
            Expr::Ident(id) => !locals.contains(&id.sym),
            _ => false,
        },
        _ => false,
    }
}

/// The key of a method or property as a name.
fn key_name(key: &PropName) -> Option<Atom> {
    match key {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => Some(Atom::from(s.value.to_string_lossy().as_ref())),
        _ => None,
    }
}

/// What a call registers its function arguments as: a route's handler
/// (`app.get('/setup', cb)`: its path) or a middleware (`app.use('*', mw)`,
/// `app.use(mw)`: it runs before every request it matches).
enum Registered {
    Route(String),
    Middleware(String),
}

fn registered(call: &CallExpr) -> Option<Registered> {
    let method = method_name(call)?;
    // A string or a template (its substitutions as `?`).
    let path = call.args.first().and_then(|a| sql_text_of(&a.expr));
    match method.as_ref() {
        "get" | "post" | "put" | "patch" | "delete" | "all" | "on" | "options" | "head" => path.map(Registered::Route),
        "use" => Some(Registered::Middleware(path.unwrap_or_default())),
        _ => None,
    }
}

impl Visit for Functions<'_> {
    fn visit_fn_decl(&mut self, n: &FnDecl) {
        self.name_next(Some(n.ident.sym.clone()));
        n.function.visit_with(self);
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        self.declare(&n.name);
        n.name.visit_with(self);
        if let (Pat::Ident(name), Some(init)) = (&n.name, &n.init) {
            if matches!(unwrap_expr(init), Expr::Arrow(_) | Expr::Fn(_)) {
                self.name_next(Some(name.id.sym.clone()));
            }
        }
        n.init.visit_with(self);
    }

    fn visit_class_method(&mut self, n: &ClassMethod) {
        self.next_is_method = true;
        self.name_next(key_name(&n.key));
        n.function.visit_with(self);
    }

    fn visit_private_method(&mut self, n: &PrivateMethod) {
        self.next_is_method = true;
        self.name_next(Some(n.key.name.clone()));
        n.function.visit_with(self);
    }

    fn visit_method_prop(&mut self, n: &MethodProp) {
        self.next_is_method = true;
        self.name_next(key_name(&n.key));
        n.function.visit_with(self);
    }

    fn visit_key_value_prop(&mut self, n: &KeyValueProp) {
        if matches!(unwrap_expr(&n.value), Expr::Arrow(_) | Expr::Fn(_)) {
            self.next_is_method = true;
            self.name_next(key_name(&n.key));
        }
        n.value.visit_with(self);
    }

    fn visit_constructor(&mut self, n: &Constructor) {
        self.in_constructor += 1;
        self.name_next(Some(Atom::from("constructor")));
        let span = n.span;
        self.enter(span, |s| {
            for p in &n.params {
                if let ParamOrTsParamProp::Param(p) = p {
                    s.declare(&p.pat);
                }
            }
            n.params.visit_with(s);
            n.body.visit_with(s);
        });
        self.in_constructor -= 1;
    }

    fn visit_function(&mut self, n: &Function) {
        self.enter(n.span, |s| {
            for p in &n.params {
                s.declare(&p.pat);
            }
            n.visit_children_with(s);
        });
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        self.enter(n.span, |s| {
            for p in &n.params {
                s.declare(p);
            }
            n.visit_children_with(s);
        });
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        if self.sites.contains(&n.span) && self.guarded == 0 {
            if let Some(f) = self.current() {
                f.sites.push(n.span);
            }
        }
        if sends_row_sql(n) {
            if let Some(f) = self.current() {
                f.sends_queries = true;
            }
        }
        // The name called: a function's (`init()`), or a method's on `this`
        // (`this.init()`, kept as `this.init`); not another object's
        // (`sentry.init()` is no call of this file's `init`).
        let called = match &n.callee {
            Callee::Expr(e) => match unwrap_expr(e) {
                Expr::Ident(id) => Some(id.sym.clone()),
                Expr::Member(m) if matches!(unwrap_expr(&m.obj), Expr::This(_)) => match &m.prop {
                    MemberProp::Ident(p) => Some(Atom::from(format!("this.{}", p.sym))),
                    MemberProp::PrivateName(p) => Some(Atom::from(format!("this.{}", p.name))),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if let (Some(name), 0) = (called, self.guarded) {
            if let Some(f) = self.current() {
                if !f.calls.contains(&name) {
                    f.calls.push(name);
                }
            }
        }
        n.callee.visit_with(self);
        let registered = registered(n);
        for arg in &n.args {
            if matches!(unwrap_expr(&arg.expr), Expr::Arrow(_) | Expr::Fn(_)) {
                match &registered {
                    Some(Registered::Route(path)) => self.next = Some((None, Handler::Route, names_setup(path))),
                    Some(Registered::Middleware(path)) => self.next = Some((None, Handler::Middleware, names_setup(path))),
                    None => {}
                }
            }
            arg.visit_with(self);
        }
    }

    fn visit_tagged_tpl(&mut self, n: &TaggedTpl) {
        if self.sites.contains(&n.span) && self.guarded == 0 {
            if let Some(f) = self.current() {
                f.sites.push(n.span);
            }
        }
        n.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        n.test.visit_with(self);
        let flag = tests_a_flag(&n.test, self.locals());
        // `if (this.ready) return;`: what follows runs once.
        if flag && matches!(&*n.cons, Stmt::Return(_)) || matches!(&*n.cons, Stmt::Block(b) if flag && matches!(b.stmts.as_slice(), [Stmt::Return(_)])) {
            if let Some(f) = self.current() {
                f.sets_flag = true;
            }
        }
        self.guarded += u32::from(flag);
        n.cons.visit_with(self);
        n.alt.visit_with(self);
        self.guarded -= u32::from(flag);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        let lasting = outlives_the_call(&n.left, self.locals());
        let once = matches!(n.op, AssignOp::NullishAssign | AssignOp::OrAssign);
        let sets_true = matches!(unwrap_expr(&n.right), Expr::Lit(Lit::Bool(b)) if b.value);
        if lasting && (once || sets_true) {
            if let Some(f) = self.current() {
                f.sets_flag = true;
            }
        }
        n.left.visit_with(self);
        let guard = u32::from(once && lasting);
        self.guarded += guard;
        n.right.visit_with(self);
        self.guarded -= guard;
    }

    fn visit_bin_expr(&mut self, n: &BinExpr) {
        // `ready ?? init()`, `ready || init()`: the right side runs once.
        let once = matches!(n.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) && tests_a_flag(&n.left, self.locals());
        n.left.visit_with(self);
        self.guarded += u32::from(once);
        n.right.visit_with(self);
        self.guarded -= u32::from(once);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::rules::test_util::{assert_fires, assert_silent};

    /// A store whose every data method first runs the schema (the Nostr
    /// relay's D1 backend), and a handler that creates its table before
    /// its own queries.
    #[test]
    fn fires_where_the_schema_runs_before_each_use() {
        let _ = &RULE;
        assert_fires(
            "schema-setup-per-request",
            r#"export class D1Backend {
  constructor(private db: D1Database) {}
  private async init() {
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, json TEXT);
      CREATE INDEX IF NOT EXISTS idx_events ON events(id);
    `);
  }
  async add(id: string, json: string) {
    await this.init();
    await this.db.prepare("INSERT OR REPLACE INTO events (id, json) VALUES (?, ?)").bind(id, json).run();
  }
  async get(id: string) {
    await this.init();
    return this.db.prepare("SELECT json FROM events WHERE id = ?").bind(id).first();
  }
}
export default {
  async fetch(request: Request, env: Env) {
    await env.DB.prepare("CREATE TABLE IF NOT EXISTS visits (path TEXT, at INTEGER)").run();
    await env.DB.prepare("INSERT INTO visits (path, at) VALUES (?, ?)").bind(new URL(request.url).pathname, Date.now()).run();
    return new Response("ok");
  },
};
app.use("*", async (c, next) => {
  await c.env.DB.batch([
    c.env.DB.prepare(`CREATE TABLE IF NOT EXISTS webhook_logs (id TEXT PRIMARY KEY, payload TEXT)`),
  ]);
  await next();
});
app.get("/passes/:id", async (c) => {
  const client = await c.env.DB.prepare("SELECT * FROM clients WHERE id = ?").bind(c.req.param("id")).first();
  if (!client) return c.text("no", 403);
  let found = false;
  await c.env.DB.exec("CREATE TABLE IF NOT EXISTS pass_tokens (token TEXT)");
  found = true;
  return c.json(await c.env.DB.prepare("SELECT token FROM pass_tokens").first());
});"#,
            // The last: a test of the request's own data (`if (!client)
            // return`) and a local set to true are no once-flags.
            &[
                (4, "which `add` and 1 other function call before"),
                (20, "every request this handler serves"),
                (27, "in a middleware, before every request"),
                (35, "every request this handler serves"),
            ],
        );
    }

    /// Once per isolate or object: a Durable Object's constructor, a flag
    /// around the call, `??=`, a function that sets or checks its own
    /// flag; setup routes and functions; setup no querying function calls
    /// (another object's method of the same name, `sentry.init()`, is no
    /// call of it); a Durable Object's local SQLite.
    #[test]
    fn silent_when_the_schema_runs_once() {
        assert_silent(
            "schema-setup-per-request",
            r#"import { DurableObject } from "cloudflare:workers";
export class Room extends DurableObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      await env.DB.exec("CREATE TABLE IF NOT EXISTS rooms (id TEXT)");
    });
  }
  async fetch(request: Request) {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS messages (id TEXT)");
    return new Response(JSON.stringify(this.ctx.storage.sql.exec("SELECT * FROM messages LIMIT 10").toArray()));
  }
}
let ready: Promise<unknown> | undefined;
let initialized = false;
export class Store {
  private ready = false;
  constructor(private db: D1Database) {}
  private async init() {
    await this.db.exec("CREATE TABLE IF NOT EXISTS a (id TEXT)");
  }
  private async ensure() {
    if (initialized) return;
    await this.db.exec("CREATE TABLE IF NOT EXISTS b (id TEXT)");
    initialized = true;
  }
  private schema() {
    ready ??= this.db.exec("CREATE TABLE IF NOT EXISTS c (id TEXT)");
    return ready;
  }
  async get(id: string) {
    if (!this.ready) {
      await this.init();
      this.ready = true;
    }
    await this.ensure();
    await this.schema();
    return this.db.prepare("SELECT * FROM a WHERE id = ?").bind(id).first();
  }
}
async function createTables(db: D1Database) {
  await db.exec("CREATE TABLE IF NOT EXISTS d (id TEXT)");
}
async function setup(db: D1Database) {
  await createTables(db);
  await db.prepare("INSERT INTO d (id) VALUES ('first')").run();
}
async function init(db: D1Database) {
  await db.exec("CREATE TABLE IF NOT EXISTS f (id TEXT)");
}
app.get("/f", async (c) => {
  sentry.init({ dsn: c.env.DSN });
  return c.json(await c.env.DB.prepare("SELECT * FROM f LIMIT 10").all());
});
app.post("/admin/migrate", async (c) => {
  await c.env.DB.exec("CREATE TABLE IF NOT EXISTS e (id TEXT)");
  await c.env.DB.prepare("INSERT INTO e (id) VALUES ('x')").run();
  return c.text("ok");
});"#,
        );
    }
}
