//! What code does, as facts the rules share: the database facts each file's
//! walk records (`db_facts`), which values are databases and clients
//! (`drizzle`), which calls leave the Worker, and the same facts resolved
//! across files (`project`).

use std::ops::{Deref, DerefMut};

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::knowledge::drizzle::chain_has_context_db;
use crate::knowledge::query::{self, CallFact, ClientFact, ImportFact, QueryFact, ReExport};
use crate::knowledge::schema::Table;
use crate::semantic::file::FileModel;
use crate::syntax::ast::root_name;

pub mod bindings;
pub mod calls;
pub mod db_facts;
pub mod drizzle;
pub mod hot_paths;
pub mod project;
pub mod row_use;
pub mod sdk;
pub mod summaries;

pub use db_facts::WalkState;
pub use project::{Project, SharedResolver};

/// What one file's traversal learned about schemas and queries.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub imports: Vec<ImportFact>,
    /// (exported name, local name) of the file's own exports.
    pub exports: Vec<(String, String)>,
    pub reexports: Vec<ReExport>,
    /// Every function of the file and what it does itself (`calls`).
    pub functions: Vec<calls::FunctionFact>,
    /// The `require('x')` and `import('x')` calls of the file (the module
    /// graph reads them with its imports).
    pub requests: Vec<crate::semantic::graph::Request>,
    /// The first call evaluated at module scope (kept by the bundler, run
    /// at startup), if any.
    pub module_call: Option<calls::Evidence>,
    /// (variable or `this.field`, class as written) for each `new C()` held,
    /// and for each field or parameter typed with a class
    /// (`constructor(private svc: GithubService)`).
    pub instances: Vec<(String, String)>,
    /// (class, `this.field`, parameter index): a constructor stores an
    /// untyped parameter in a field (`constructor(svc) { this.svc = svc }`);
    /// what the field holds is what the `new` expressions pass.
    pub ctor_fields: Vec<(String, String, usize)>,
    /// (class as written, its arguments) of each `new C(…)`.
    pub news: Vec<(String, Vec<Option<calls::Arg>>)>,
    /// Findings that stand if a called function does what they need
    /// (resolved across files after the walk: `Project::deferred`).
    pub deferred: Vec<Deferred>,
    /// Drizzle tables defined in the file.
    pub tables: Vec<Table>,
    /// Drizzle `relations(...)` declared in the file.
    pub relations: Vec<crate::knowledge::query::Relations>,
    pub queries: Vec<QueryFact>,
    /// Postgres clients created in the file.
    pub clients: Vec<ClientFact>,
    /// Calls of module-level or imported functions from inside functions.
    pub calls: Vec<CallFact>,
    /// Module-scope functions nothing in the file calls: what is found in
    /// them is left out unless another file imports one
    /// (`engine::uncalled`). Set after the walk, for a file with findings.
    pub uncalled: Vec<crate::semantic::uncalled::Uncalled>,
    /// Code that runs only in a browser (`semantic::browser`): what is found
    /// there is left out (`engine::browser`). Set after the walk, for a file
    /// with findings.
    pub browser_only: Vec<crate::semantic::browser::BrowserOnly>,
    /// Methods of classes that extend nothing, where a finding is: what is
    /// found in one no analyzed file calls is left out (`engine::uncalled`).
    /// Set after the walk, when every importer is in view.
    pub methods: Vec<crate::semantic::uncalled::Method>,
    /// Lists declared at module scope that keep their length: (name,
    /// length). A file that imports one and loops over it knows the count.
    pub small_lists: Vec<(String, u32)>,
    /// Imported names the file loops over, with a finding in the file: the
    /// engine walks it again knowing their lengths, if the files that
    /// declare them say.
    pub looped_imports: Vec<String>,
    /// The collector's state while the file is walked.
    pub walk: WalkState,
}

/// What a file takes of a module it loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes<'a> {
    /// One export, by name (`import { x }`, `export { x } from`).
    Export(&'a str),
    /// The whole module: a namespace import, `import()` or `require()`
    /// whose use names no exports.
    Whole,
    /// `export * from`: every export but `default`, for the file's own
    /// importers to take by name.
    EveryExport,
}

impl FileFacts {
    /// Every module the file loads (a specifier as written) and what of it
    /// the file takes.
    pub fn loads(&self) -> impl Iterator<Item = (&str, Takes<'_>)> {
        let imports = self.imports.iter().map(|i| {
            let takes = match i.imported.as_deref() {
                Some(name) => Takes::Export(name),
                None => Takes::Whole,
            };
            (i.source.as_str(), takes)
        });
        let reexports = self.reexports.iter().map(|r| match r {
            ReExport::Named(_, imported, spec) => (spec.as_str(), Takes::Export(imported.as_str())),
            ReExport::Star(spec) => (spec.as_str(), Takes::EveryExport),
        });
        // A dynamic import whose code names what it takes takes those.
        let requests = self.requests.iter().flat_map(|r| {
            let spec = r.spec.as_str();
            let (named, whole) = match &r.names {
                Some(names) => (names.as_slice(), None),
                None => (&[][..], Some((spec, Takes::Whole))),
            };
            named
                .iter()
                .map(move |name| (spec, Takes::Export(name.as_str())))
                .chain(whole)
        });
        imports.chain(reexports).chain(requests)
    }

    pub fn import_of(&self, local: &str) -> Option<&ImportFact> {
        // Indexed during the walk; a scan after it (the index is dropped
        // with the walk state).
        if self.walk.import_index.is_empty() {
            self.imports.iter().find(|i| i.local == local)
        } else {
            self.walk.import_index.get(local).map(|&i| &self.imports[i])
        }
    }

    /// The query whose outermost call is at `span` (recorded when the walk
    /// entered that call).
    pub fn query_at(&self, span: Span) -> Option<&QueryFact> {
        self.walk
            .by_span
            .get(&query::key(span))
            .and_then(|i| self.queries.get(*i))
    }

    /// The call at `span` is a database query the walk found no query per
    /// element of its loop: one per chunk of a list (`inArray(t.id,
    /// chunk)`), a page, a probe for a free value (what
    /// drizzle-query-in-loop reads, and the other loop rules follow).
    pub fn query_not_per_element(&self, span: Span) -> bool {
        self.query_at(span)
            .is_some_and(|q| q.per_iteration.is_none())
    }

    /// Inside a `db.transaction(async (tx) => …)` callback.
    pub fn in_transaction(&self) -> bool {
        self.walk.in_transaction()
    }
}

/// A finding that stands only if something the walk of one file cannot
/// see holds in the project (decided after every file was walked:
/// `Project::deferred`).
#[derive(Clone)]
pub struct Deferred {
    pub condition: Condition,
    /// The rule that found it, with its configured severity. The finding
    /// is made (and placed: line and column) only when it stands: most
    /// deferred findings do not, and placing one is a pass over its file's
    /// line breaks.
    pub rule: (
        &'static crate::model::rule::RuleMeta,
        crate::model::report::Severity,
    ),
    /// What the finding is about.
    pub span: Span,
    /// Its message (which gets the evidence appended) and help.
    pub text: DeferredText,
    /// The group it belongs to (`Diagnostic::group`).
    pub group: Option<u32>,
    /// Evidence known when it was deferred (the chain found later is
    /// added after it).
    pub related: Vec<crate::model::report::Related>,
}

/// A deferred finding's message and help.
#[derive(Clone)]
pub enum DeferredText {
    /// Written when the finding was deferred.
    Written { message: String, help: String },
    /// Written only if the finding stands, from the file's source and the
    /// line of the span ("inside a for loop (line 12)").
    Late(LateText, Span),
}

/// A deferred finding's message and help from its file's source and a line
/// (see [`DeferredText::Late`]): writing them (snippets, numbers) cost more
/// than the rest of the walk at the calls a loop makes, and most of those
/// findings never stand.
pub type LateText = std::rc::Rc<dyn Fn(&str, u32) -> (String, String)>;

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Deferred");
        d.field("condition", &self.condition)
            .field("rule", &self.rule.0.id)
            .field("span", &self.span);
        match &self.text {
            DeferredText::Written { message, help } => {
                d.field("message", message).field("help", help)
            }
            DeferredText::Late(_, line_of) => d.field("late, line of", line_of),
        }
        .finish()
    }
}

impl Deferred {
    /// The finding, placed in its file (`path`, its text `source`) with the
    /// line numbers its message names (`position` maps a byte offset to a
    /// 1-based line and column).
    pub fn placed(
        &self,
        path: &str,
        source: &str,
        position: impl Fn(u32) -> (u32, u32),
    ) -> crate::model::report::Diagnostic {
        let at =
            |pos: swc_core::common::BytePos| position(pos.0.saturating_sub(crate::syntax::START));
        let (message, help) = match &self.text {
            DeferredText::Written { message, help } => (message.clone(), help.clone()),
            DeferredText::Late(text, line_of) => text(source, at(line_of.lo).0),
        };
        let (meta, severity) = self.rule;
        let (line, column) = at(self.span.lo);
        let (end_line, end_column) = at(self.span.hi);
        crate::model::report::Diagnostic {
            group: self.group,
            related: self.related.clone(),
            line: Some(line),
            column: Some(column),
            end_line: Some(end_line),
            end_column: Some(end_column),
            ..meta.finding(severity, path, message, help)
        }
    }
}

#[derive(Debug, Clone)]
pub enum Condition {
    /// The called function, or one it calls in turn, has the effect: a loop
    /// that calls `saveItem(x)` is an N+1 when `saveItem` runs a query.
    Calls(calls::Target, calls::Effect),
    /// At least this many of the called functions have the effect (the
    /// first that has it is named): a `Promise.all(xs.map(cb))` whose
    /// callback calls helpers (one), awaits of helpers in a row (two).
    CallsAtLeast(Vec<calls::Target>, usize, calls::Effect),
    /// At least this many of the called functions have the first effect,
    /// and none has the second (awaits of helpers in a row, none of which
    /// writes what a later one may read).
    CallsAtLeastAndNone(Vec<calls::Target>, usize, calls::Effect, calls::Effect),
    /// `export * from 'source'` in this file: the re-exported module runs
    /// code at startup, and the Worker uses none of its exports, through
    /// this barrel or otherwise.
    UnusedStarExport(String),
    /// None of the called functions has the effect (a route that does I/O
    /// itself is cacheable unless one of its helpers writes).
    NoneCalls(Vec<calls::Target>, calls::Effect),
    /// The called function has the first effect, and none of the others
    /// has the second.
    CallsAndNone(
        calls::Target,
        calls::Effect,
        Vec<calls::Target>,
        calls::Effect,
    ),
}

/// `fetch(url, { method: "POST" })`: any method but GET/HEAD, or one not
/// written as a literal.
pub fn fetch_writes(call: &CallExpr) -> bool {
    let Some(init) = call.args.get(1) else {
        return false;
    };
    let Expr::Object(o) = crate::syntax::ast::unwrap_expr(&init.expr) else {
        return true;
    };
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else {
            return true; // `...init`: unknown
        };
        if let Prop::KeyValue(kv) = &**p {
            if matches!(&kv.key, PropName::Ident(k) if k.sym == "method") {
                return !matches!(crate::syntax::ast::unwrap_expr(&kv.value), Expr::Lit(Lit::Str(s))
                    if s.value.as_str().is_some_and(|m| m.eq_ignore_ascii_case("get") || m.eq_ignore_ascii_case("head")));
            }
        }
        if let Prop::Shorthand(id) = &**p {
            if id.sym == "method" {
                return true;
            }
        }
    }
    false
}

/// The first argument of `fetch` is a URL with no scheme (`'/api/x'`,
/// `` `/api/${id}` ``, `//host/x`): a Worker has no page to resolve it
/// against.
fn relative_url(arg: Option<&ExprOrSpread>) -> bool {
    let text = match arg.map(|a| crate::syntax::ast::unwrap_expr(&a.expr)) {
        Some(Expr::Lit(Lit::Str(s))) => s.value.as_str().map(str::to_owned),
        Some(Expr::Tpl(t)) => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .and_then(|c| c.as_str().map(str::to_owned)),
        _ => None,
    };
    text.is_some_and(|t| t.starts_with('/'))
}

/// Where a subrequest goes: each has its own budget on the Free plan
/// (`Limits::subrequests`, `Limits::service_subrequests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// `fetch`, an SDK client's HTTP call.
    Internet,
    /// A binding: KV, R2, D1, a Durable Object stub, a Queue, a service.
    CloudflareService,
    /// A database handle: D1 and Hyperdrive are Cloudflare services, a
    /// driver over HTTP (Neon, PlanetScale) goes to the internet.
    Database,
}

/// The methods that run a Kysely query (the builder sends nothing before).
const KYSELY_RUNS: &[&str] = &[
    "execute",
    "executeTakeFirst",
    "executeTakeFirstOrThrow",
    "stream",
];
/// The methods a Kysely query starts with (its table the first argument):
/// a select, then the writes ([`kysely_write`]).
pub(crate) const KYSELY_STARTS: &[&str] = &[
    "selectFrom",
    "insertInto",
    "updateTable",
    "deleteFrom",
    "replaceInto",
    "mergeInto",
];

/// `method` starts a Kysely query that writes.
pub(crate) fn kysely_write(method: &str) -> bool {
    KYSELY_STARTS[1..].contains(&method)
}

/// The methods that run a D1 statement.
const D1_RUNS: &[&str] = &["all", "first", "run", "raw"];

/// `call` runs a D1 statement: `x.prepare(sql)`, bound or not, then one of
/// [`D1_RUNS`], the SQL a literal that starts with a statement's verb.
pub(crate) fn d1_statement_run(call: &CallExpr) -> bool {
    let (_, segments) = crate::knowledge::drizzle::chain(call);
    let [prepare, binds @ .., _run] = &segments[..] else {
        return false;
    };
    prepare.name == "prepare"
        && binds.iter().all(|s| s.name == "bind")
        && prepare.args.first().is_some_and(|a| {
            let text = match crate::syntax::ast::unwrap_expr(&a.expr) {
                Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_owned),
                Expr::Tpl(t) => t
                    .quasis
                    .first()
                    .and_then(|q| q.cooked.as_ref())
                    .and_then(|c| c.as_str().map(str::to_owned)),
                _ => None,
            };
            text.is_some_and(|t| {
                let head: String = t
                    .trim_start()
                    .chars()
                    .take(7)
                    .collect::<String>()
                    .to_ascii_uppercase();
                ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE"]
                    .iter()
                    .any(|v| head.starts_with(v))
            })
        })
}

/// `call` runs a query a chain of Kysely's builder makes
/// (`db.selectFrom('theme').selectAll().where('id', '=', id).executeTakeFirst()`).
pub(crate) fn kysely_query(call: &CallExpr) -> bool {
    let (_, segments) = crate::knowledge::drizzle::chain(call);
    segments
        .iter()
        .any(|s| KYSELY_STARTS.contains(&s.name.as_ref()))
}

/// One file's semantic model with the facts recorded so far: what the
/// database collector and the rules read during the walk.
pub struct FileContext<'a> {
    pub model: FileModel<'a>,
    /// Facts for the project-wide database checks.
    pub db: FileFacts,
    /// [`FileContext::is_subrequest`] per call (by span): the collector and
    /// several rules ask it of the same calls.
    pub subrequests:
        std::cell::RefCell<crate::model::collections::HashMap<query::Key, Option<Destination>>>,
    /// The last answer of [`FileContext::subrequest_to`]: the rules at a
    /// call ask about it one after another.
    pub last_subrequest: std::cell::Cell<Option<(query::Key, Option<Destination>)>>,
    /// Names bound to clients of an SDK that calls HTTP (`effects::sdk`),
    /// by what they refer to.
    pub http_clients: crate::model::collections::HashMap<crate::semantic::SymbolId, sdk::Client>,
    /// `this.field = new Stripe(key)`: fields holding such clients.
    pub client_fields: crate::model::collections::HashMap<swc_core::atoms::Atom, sdk::Client>,
    /// Retry and small constant loops, failure-only code: fed by the walker
    /// when an enabled rule asks for it (`Rule::hot_paths`), shared by them.
    pub hot: hot_paths::HotPaths,
    /// Durable Object ids and stubs, names typed as bindings: one light walk
    /// of the whole file on the first question, so that the answer does not
    /// depend on how far the walk has come (rules look ahead in a block).
    pub binding_values: std::cell::OnceCell<bindings::BindingValues>,
    /// What the role's pass over the file's head saw of the Durable Object
    /// id methods' names (the binding values' walk is skipped without one).
    pub object_id_marks: crate::semantic::graph::ObjectIdMarks,
}

impl<'a> Deref for FileContext<'a> {
    type Target = FileModel<'a>;
    fn deref(&self) -> &FileModel<'a> {
        &self.model
    }
}

impl DerefMut for FileContext<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.model
    }
}

impl FileContext<'_> {
    // ----- what calls do -----

    /// Describes a call that leaves the Worker (a subrequest): `fetch(...)`,
    /// a binding call (`env.KV.get`, `c.env.BUCKET.put`, `this.env.Q.send`,
    /// a destructured binding), or a Drizzle query on a known database.
    /// Returns the callee's text for messages.
    pub fn subrequest(&self, call: &CallExpr) -> Option<String> {
        self.is_subrequest(call).then(|| self.snippet(call.span))
    }

    /// [`Self::subrequest`] without the text (answered once per call).
    pub fn is_subrequest(&self, call: &CallExpr) -> bool {
        self.subrequest_to(call).is_some()
    }

    /// The call writes ([`calls::Effect::Write`]): a query (`query`: the
    /// kind of the one at the call, if any) that inserts, updates or
    /// deletes; a binding's `put`, `delete`, `send`, `sendBatch` or `batch`;
    /// a `fetch` with a method other than GET or HEAD ([`fetch_writes`]).
    pub fn writes(&self, call: &CallExpr, query: Option<query::QueryKind>) -> bool {
        if let Some(kind) = query {
            return kind != query::QueryKind::Select;
        }
        const WRITES: &[&str] = &[
            "put",
            "delete",
            "send",
            "sendBatch",
            "batch",
            "createMultipartUpload",
        ];
        let writes = match crate::syntax::ast::method_name(call) {
            Some(m) => WRITES.contains(&m.as_ref()),
            None => {
                matches!(&call.callee, Callee::Expr(f)
                if matches!(crate::syntax::ast::unwrap_expr(f), Expr::Ident(id) if id.sym == "fetch"))
                    && fetch_writes(call)
            }
        };
        writes && self.sends_request(call)
    }

    /// `call` reaches outside the Worker when it runs: a subrequest, not a
    /// binding method that works locally (a D1 statement prepared, a
    /// Durable Object id or stub, an Analytics Engine data point).
    pub fn sends_request(&self, call: &CallExpr) -> bool {
        if !self.is_subrequest(call) {
            return false;
        }
        let Some(method) = crate::syntax::ast::method_name(call) else {
            return true;
        };
        !crate::knowledge::bindings::LOCAL_METHODS.contains(&method.as_ref())
            && !crate::knowledge::bindings::returns_object_stub(
                method,
                self.is_object_id(call.args.first()),
            )
    }

    /// Where the subrequest `call` makes goes, if it makes one.
    pub fn subrequest_to(&self, call: &CallExpr) -> Option<Destination> {
        let key = query::key(call.span);
        if let Some((last, answer)) = self.last_subrequest.get() {
            if last == key {
                return answer;
            }
        }
        let known = self.subrequests.borrow().get(&key).copied();
        let answer = known.unwrap_or_else(|| {
            let answer = self.leaves_the_worker(call);
            self.subrequests.borrow_mut().insert(key, answer);
            answer
        });
        self.last_subrequest.set(Some((key, answer)));
        answer
    }

    fn leaves_the_worker(&self, call: &CallExpr) -> Option<Destination> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let internet = |yes: bool| yes.then_some(Destination::Internet);
        match &**callee {
            // `fetch('/api/x')`: a path alone is no URL in a Worker (it
            // throws); only browser code fetches it.
            Expr::Ident(id) if id.sym == "fetch" && relative_url(call.args.first()) => None,
            Expr::Ident(id) if id.sym == "fetch" => internet(self.is_unbound(id)),
            Expr::Ident(_) => internet(sdk::sdk_call(call, self).is_some()),
            Expr::Member(m) => {
                let MemberProp::Ident(method) = &m.prop else {
                    return None;
                };
                // `env.ALLOWED.split(',')`, `env.MOCK_DATA.forEach(…)`: a
                // variable's string or array method, which no binding has.
                if crate::knowledge::bindings::VALUE_METHODS.contains(method.sym.as_ref()) {
                    return None;
                }
                // A Kysely query run: `db.selectFrom('t')…executeTakeFirst()`.
                if KYSELY_RUNS.contains(&method.sym.as_ref()) && kysely_query(call) {
                    return Some(Destination::Database);
                }
                if let Some(root) = root_name(&m.obj) {
                    if self.is_binding_root(&m.obj)
                        || root.is_some_and(|id| self.is_binding_value(id))
                        || self.is_typed_field(&m.obj)
                    {
                        return Some(Destination::CloudflareService);
                    }
                    if root.is_some_and(|id| self.is_db_handle(id)) || chain_has_context_db(&m.obj)
                    {
                        return Some(Destination::Database);
                    }
                }
                // A D1 statement run on a name the file cannot type (a
                // JavaScript helper's `db` parameter, given `c.env.DB`):
                // `db.prepare('SELECT …').bind(id).first()`.
                if D1_RUNS.contains(&method.sym.as_ref()) && d1_statement_run(call) {
                    return Some(Destination::CloudflareService);
                }
                // globalThis.fetch / self.fetch
                internet(
                    matches!((&*m.obj, &m.prop), (Expr::Ident(obj), MemberProp::Ident(p))
                    if p.sym == "fetch" && (obj.sym == "globalThis" || obj.sym == "self"))
                        || sdk::sdk_call(call, self).is_some(),
                )
            }
            _ => None,
        }
    }

    /// `arg` is a Durable Object id: a call of a namespace's id method
    /// (`env.ROOMS.idFromName(x)`) or a name bound to one.
    pub fn is_object_id(&self, arg: Option<&ExprOrSpread>) -> bool {
        match arg.map(|a| crate::syntax::ast::unwrap_expr(&a.expr)) {
            Some(Expr::Call(c)) => bindings::object_id_call(c),
            Some(Expr::Ident(id)) => self.refers_to(&self.binding_values().object_ids, id),
            _ => false,
        }
    }

    /// `id` refers to a value that reaches the outside of the Worker when
    /// called: a Durable Object stub (`const stub = env.ROOMS.get(id)`), or a
    /// name typed as a binding (`db: D1Database`).
    fn is_binding_value(&self, id: &Ident) -> bool {
        let values = self.binding_values();
        self.refers_to(&values.object_stubs, id) || self.refers_to(&values.typed, id)
    }

    /// `this.registry` where the class declares `registry: R2Bucket`.
    fn is_typed_field(&self, expr: &Expr) -> bool {
        let Expr::Member(m) = crate::syntax::ast::unwrap_expr(expr) else {
            return false;
        };
        let (Expr::This(_), MemberProp::Ident(field)) =
            (crate::syntax::ast::unwrap_expr(&m.obj), &m.prop)
        else {
            return false;
        };
        self.binding_values().typed_fields.contains(&field.sym)
    }

    fn binding_values(&self) -> &bindings::BindingValues {
        self.binding_values.get_or_init(|| {
            let typescript = [".ts", ".tsx", ".mts", ".cts"]
                .iter()
                .any(|e| self.path.ends_with(e));
            bindings::BindingValues::of(
                self.program(),
                self.source,
                typescript,
                self.object_id_marks,
            )
        })
    }

    /// The call returns a promise as far as the file can tell: a subrequest,
    /// an async function of this file, or a `.then/.catch/.finally` chain.
    pub fn returns_promise(&self, call: &CallExpr) -> bool {
        // On a binding, these return a value at once: a D1 statement, a
        // Durable Object id or stub; Analytics Engine's `writeDataPoint`
        // returns nothing (the runtime sends the point).
        if crate::syntax::ast::method_name(call)
            .is_some_and(|m| crate::knowledge::bindings::LOCAL_METHODS.contains(&m.as_ref()))
        {
            return false;
        }
        if self.is_subrequest(call) {
            return true;
        }
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        match &**callee {
            Expr::Ident(id) => self.is_async_function(id),
            Expr::Member(m) => {
                matches!(&m.prop, MemberProp::Ident(p) if p.sym == "then" || p.sym == "catch" || p.sym == "finally")
                    && matches!(&*m.obj, Expr::Call(inner) if self.returns_promise(inner))
            }
            _ => false,
        }
    }
}

use crate::model::wire::{wire_enum, Visit, Wire};

wire_enum!(Condition {
    0 => Calls(target, effect),
    1 => CallsAtLeast(targets, n, effect),
    2 => UnusedStarExport(source),
    3 => NoneCalls(targets, effect),
    4 => CallsAndNone(target, effect, targets, none),
    5 => CallsAtLeastAndNone(targets, n, effect, none),
});

impl FileFacts {
    /// Writes the message and help of the deferred findings whose text is
    /// written late ([`DeferredText::Late`]), as [`Deferred::placed`] would:
    /// a closure does not cross to another instance, its text does.
    pub fn write_late_texts(&mut self, source: &str) {
        let index = std::cell::OnceCell::new();
        for deferred in &mut self.deferred {
            if let DeferredText::Late(text, line_of) = &deferred.text {
                let index = index.get_or_init(|| crate::syntax::position::LineIndex::new(source));
                let line = index.line(line_of.lo.0.saturating_sub(crate::syntax::START));
                let (message, help) = text(source, line);
                deferred.text = DeferredText::Written { message, help };
            }
        }
    }
}

/// Every fact but the walk's state. Late texts must have been written
/// ([`FileFacts::write_late_texts`]).
impl Wire for FileFacts {
    fn wire(&mut self, v: &mut Visit<'_>) {
        self.imports.wire(v);
        self.exports.wire(v);
        self.reexports.wire(v);
        self.functions.wire(v);
        self.requests.wire(v);
        self.module_call.wire(v);
        self.instances.wire(v);
        self.ctor_fields.wire(v);
        self.news.wire(v);
        self.deferred.wire(v);
        self.tables.wire(v);
        self.relations.wire(v);
        self.queries.wire(v);
        self.clients.wire(v);
        self.calls.wire(v);
        self.uncalled.wire(v);
        self.browser_only.wire(v);
        self.methods.wire(v);
        self.small_lists.wire(v);
        self.looped_imports.wire(v);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::UnusedStarExport(String::new())
    }
}

impl Default for Deferred {
    fn default() -> Self {
        Deferred {
            condition: Condition::default(),
            rule: (
                &crate::model::wire::UNKNOWN_RULE,
                crate::model::report::Severity::Info,
            ),
            span: Span::default(),
            text: DeferredText::Written {
                message: String::new(),
                help: String::new(),
            },
            group: None,
            related: Vec::new(),
        }
    }
}

impl Wire for Deferred {
    fn wire(&mut self, v: &mut Visit<'_>) {
        self.condition.wire(v);
        let mut id = self.rule.0.id.to_string();
        v.string(&mut id);
        if v.reading() {
            self.rule.0 = v.rule(&id);
        }
        self.rule.1.wire(v);
        self.span.wire(v);
        match &mut self.text {
            DeferredText::Written { message, help } => {
                message.wire(v);
                help.wire(v);
            }
            DeferredText::Late(..) => {
                unreachable!("late texts are written before a walk is encoded")
            }
        }
        self.group.wire(v);
        self.related.wire(v);
    }
}
