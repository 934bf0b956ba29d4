//! What a database query is, however it was written (a Drizzle chain or SQL
//! text): the table it touches, its filters (column and operator), joins,
//! order-by, limit and projection, and where it runs. Also the facts a file's
//! walk records about Drizzle tables, imports, clients and helper calls.

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::{Expr, MemberProp};

use super::drizzle::{ClientKind, ConnSource};
use crate::syntax::ast::unwrap_expr;
use crate::syntax::position::Loc;

/// A span as a map key.
pub type Key = (u32, u32);

pub fn key(span: Span) -> Key {
    (span.lo.0, span.hi.0)
}

/// The table a query or column names, as written in the file; resolved
/// against the schema after every file was walked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TableRef {
    /// An identifier: a table variable defined here or imported.
    Local(String),
    /// `schema.orders` with `import * as schema`.
    Member(String, String),
    /// `db.query.orders`: a key of the schema given to `drizzle()`.
    Relational(String),
    /// A SQL table name (raw SQL); empty: the statement's own table(s).
    Sql(String),
}

/// `orders` / `schema.orders` as a table reference.
pub fn table_ref(expr: &Expr) -> Option<TableRef> {
    match unwrap_expr(expr) {
        Expr::Ident(id) => Some(TableRef::Local(id.sym.as_str().to_owned())),
        Expr::Member(m) => match (unwrap_expr(&m.obj), &m.prop) {
            (Expr::Ident(ns), MemberProp::Ident(p)) => Some(TableRef::Member(
                ns.sym.as_str().to_owned(),
                p.sym.as_str().to_owned(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// One relation of a Drizzle `relations(table, ({ one, many }) => ({ … }))`
/// declaration (relational queries v1).
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Relation {
    /// The key the relational API loads it by (`with: { items: true }`).
    pub name: String,
    /// `many(…)` (else `one(…)`).
    pub many: bool,
    /// The related table as written.
    pub target: TableRef,
    /// `fields: [orders.userId]`: columns (JS keys) of the declaring table.
    pub fields: Vec<String>,
    /// `references: [users.id]`: columns (JS keys) of the related table.
    pub references: Vec<String>,
    /// `relationName`, which pairs the two sides of a relation.
    pub relation_name: Option<String>,
}

/// A `relations(table, …)` declaration of a file.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Relations {
    pub table: TableRef,
    pub relations: Vec<Relation>,
}

/// A relation a relational query loads (`with: { items: { with: { food: true } } }`).
#[derive(Default, Debug, Clone, PartialEq)]
pub struct RelationUse {
    /// Relation names from the query's table: `["items", "food"]`.
    pub path: Vec<String>,
    /// Where its key is written.
    pub loc: Loc,
}

#[derive(Default, Debug, Clone, PartialEq)]
pub struct ColumnRef {
    pub table: TableRef,
    /// JS property (`userId`) or, for raw SQL, the column name.
    pub key: String,
    /// As written (`orders.userId`), for messages.
    pub text: String,
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`, `=`
    Eq,
    /// `inArray`, `IN (…)`
    In,
    IsNull,
    /// `gt`/`lt`/`between`…: an index serves them as a range.
    Range,
    /// `ne`, `like`, `not`…: no index lookup.
    #[default]
    Other,
}

/// The ends a range filter ([`Op::Range`]) sets on its column.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// Not a range, or not read.
    #[default]
    Unknown,
    /// `gt`, `gte`, `>`, `>=`: a lower end only.
    Lower,
    /// `lt`, `lte`, `<`, `<=`: an upper end only.
    Upper,
    /// `between`, `BETWEEN`: both ends.
    Both,
    /// `isNotNull`, `IS NOT NULL`: no end, only not null.
    NotNull,
}

impl Ends {
    /// The ends as seen from the other side of the comparison (`gt(x, col)`
    /// is `col < x`).
    pub fn flipped(self) -> Ends {
        match self {
            Ends::Lower => Ends::Upper,
            Ends::Upper => Ends::Lower,
            e => e,
        }
    }
}

#[derive(Default, Debug, Clone, PartialEq)]
pub struct Filter {
    pub column: ColumnRef,
    /// The other operand when it may also be a column (`eq(a.x, b.y)`).
    pub other: Option<ColumnRef>,
    pub op: Op,
    /// A top-level conjunct of the condition (not under `or`/`not`).
    pub conjunct: bool,
    /// Under a conditional (`cursor ? lt(...) : undefined`).
    pub optional: bool,
    /// The column is inside a `sql` expression, not compared directly.
    pub via_expr: bool,
    /// The compared value as written (`o.id`), for suggestions.
    pub value: Option<String>,
    /// For a range, its ends.
    pub ends: Ends,
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    #[default]
    Select,
    Insert,
    Update,
    Delete,
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `db.select().from(t)…`, `db.insert(t)…`
    #[default]
    Builder,
    /// `db.query.t.findMany({...})`
    Relational,
    /// `env.DB.prepare('SELECT …')…`
    RawD1,
}

#[derive(Default, Debug, Clone, PartialEq)]
pub struct Join {
    pub table: TableRef,
    pub on: Vec<Filter>,
}

/// Where a query repeats: the loop or callback and what it iterates.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Iteration {
    /// "for-of loop", "map callback in Promise.all"
    pub describe: String,
    /// The iterated collection as written (`userOrders`).
    pub items: Option<String>,
    /// The element's name (`o`).
    pub item: Option<String>,
}

#[derive(Default, Debug, Clone)]
pub struct QueryFact {
    pub span: Span,
    pub loc: Loc,
    /// The query as written (shortened).
    pub text: String,
    /// The database (or D1 binding) it runs on, as written (`c.var.db`).
    pub db_text: String,
    pub kind: QueryKind,
    pub api: Api,
    pub table: Option<TableRef>,
    /// The table as written (`orders`).
    pub table_text: String,
    pub joins: Vec<Join>,
    pub filters: Vec<Filter>,
    pub order_by: Vec<ColumnRef>,
    /// The columns of its `groupBy`/`GROUP BY` that read as columns.
    pub group_by: Vec<ColumnRef>,
    /// A `groupBy`/`GROUP BY` key the collector cannot read as a column
    /// (`sql\`strftime('%m', created_at)\``): how many groups is not known.
    pub opaque_group: bool,
    /// The relations a relational query loads with it (`with`).
    pub relations: Vec<RelationUse>,
    pub has_where: bool,
    /// The condition is a variable or call the collector cannot read.
    pub opaque_where: bool,
    pub limited: bool,
    /// `.get()`, `findFirst`, `.limit(1)`, `.then(r => r[0])`, `const [x] =`,
    /// an aggregate without GROUP BY, D1 `.first()`.
    pub single_row: bool,
    /// No projection: `db.select()`, `findMany` without `columns`, `SELECT *`.
    pub all_columns: bool,
    /// `.offset(...)`: page-by-page reading.
    pub paged: bool,
    /// `.$dynamic()`: clauses may be added elsewhere.
    pub dynamic: bool,
    /// The D1 method that runs it (`all`, `first`, `run`, `raw`).
    pub exec: Option<String>,
    pub awaited: bool,
    pub in_batch: bool,
    pub in_transaction: bool,
    /// Inside another query (`inArray(col, db.select()…)`).
    pub subquery: bool,
    /// The code refuses to go past a count of its rows (`if (rows.length >=
    /// 5) throw …` on what it returned): the app caps the table's rows for
    /// this filter.
    pub capped: bool,
    pub per_iteration: Option<Iteration>,
    pub in_handler: bool,
    /// Identifiers its arguments read (for dependencies between writes).
    pub reads: Vec<Atom>,
    /// What the code does with the rows (found only for list queries that
    /// read every column).
    pub row_use: RowUse,
    /// The tables (as written: an SQL name or a table's variable) its text
    /// searches with `MATCH`: full-text tables ([`searched_tables`]).
    pub searched: Vec<String>,
}

/// The names before each `MATCH` of a query's text (SQL keywords are in any
/// case): a word (`anime_search MATCH`) or an interpolated name
/// (`${animeSearch} MATCH`).
pub fn searched_tables(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut out = Vec::new();
    for at in 0..bytes.len().saturating_sub(4) {
        if !bytes[at..at + 5].eq_ignore_ascii_case(b"match") {
            continue;
        }
        // `MATCH` as a word of its own.
        if (at > 0 && is_word(bytes[at - 1])) || bytes.get(at + 5).copied().is_some_and(is_word) {
            continue;
        }
        let before = text[..at].trim_end();
        let before = before.strip_suffix('}').unwrap_or(before);
        let start = before
            .bytes()
            .rposition(|b| !is_word(b))
            .map_or(0, |i| i + 1);
        let name = before[start..].trim_start_matches('$');
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// What the code does with the rows a query returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RowUse {
    /// Not followed, or used in a way the analysis does not read.
    #[default]
    Unknown,
    /// Passed on whole: returned, given to a function (`c.json(rows)`),
    /// spread or stored: every column may be used.
    Whole,
    /// Only these columns (JS keys, or SQL names for raw SQL) are read from
    /// the rows, sorted.
    Columns(Vec<String>),
}

impl QueryFact {
    pub fn is_write(&self) -> bool {
        self.kind != QueryKind::Select
    }
}

#[derive(Default, Debug, Clone, PartialEq)]
pub struct ImportFact {
    pub local: String,
    /// `Some("x")` for `{ x }`, `Some("default")`, `None` for `* as ns`.
    pub imported: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReExport {
    /// `export { a as b } from './x'`: (exported, imported, source)
    Named(String, String, String),
    /// `export * from './x'`
    Star(String),
}

/// A request path position of a helper call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    None,
    /// Inside a middleware (`app.use(...)`, `createMiddleware(...)`).
    Middleware,
    /// Inside a route or handler.
    Route,
}

/// A Postgres client created somewhere in the file.
#[derive(Default, Debug, Clone)]
pub struct ClientFact {
    pub kind: ClientKind,
    pub loc: Loc,
    pub text: String,
    pub source: ConnSource,
    pub module_scope: bool,
    /// Stored in a module-scope variable from inside a function (lazy singleton).
    pub module_assigned: bool,
    /// The module-level function it is created in (a factory helper).
    pub factory: Option<String>,
}

/// A call of a module-level or imported function from inside a function
/// (a candidate call of a client factory).
#[derive(Default, Debug, Clone)]
pub struct CallFact {
    pub callee: String,
    /// Where the call is; its text and line are made only for the few calls
    /// a finding names ([`crate::effects::Project::call_text`]).
    pub span: Span,
    pub args: Vec<ConnSource>,
    /// The innermost enclosing function.
    pub function: Key,
    pub role: Role,
}

use crate::model::wire::{wire_enum, wire_struct};
wire_enum!(TableRef {
    0 => Local(a),
    1 => Member(a, b),
    2 => Relational(a),
    3 => Sql(a),
});
wire_struct!(Relation {
    name,
    many,
    target,
    fields,
    references,
    relation_name,
});
wire_struct!(Relations { table, relations });
wire_struct!(RelationUse { path, loc });
wire_struct!(ColumnRef { table, key, text });
wire_enum!(Op { 0 => Eq, 1 => In, 2 => IsNull, 3 => Range, 4 => Other });
wire_struct!(Filter {
    column,
    other,
    op,
    conjunct,
    optional,
    via_expr,
    value,
    ends,
});
wire_enum!(Ends { 0 => Unknown, 1 => Lower, 2 => Upper, 3 => Both, 4 => NotNull });
wire_enum!(QueryKind { 0 => Select, 1 => Insert, 2 => Update, 3 => Delete });
wire_enum!(Api { 0 => Builder, 1 => Relational, 2 => RawD1 });
wire_struct!(Join { table, on });
wire_struct!(Iteration {
    describe,
    items,
    item
});
wire_struct!(QueryFact {
    span,
    loc,
    text,
    db_text,
    kind,
    api,
    table,
    table_text,
    joins,
    filters,
    order_by,
    group_by,
    opaque_group,
    relations,
    has_where,
    opaque_where,
    limited,
    single_row,
    all_columns,
    paged,
    dynamic,
    exec,
    awaited,
    in_batch,
    in_transaction,
    subquery,
    capped,
    per_iteration,
    in_handler,
    reads,
    row_use,
    searched,
});
wire_enum!(RowUse { 0 => Unknown, 1 => Whole, 2 => Columns(a) });
wire_struct!(ImportFact {
    local,
    imported,
    source
});
wire_enum!(ReExport { 0 => Named(a, b, c), 1 => Star(a) });
wire_enum!(Role { 0 => None, 1 => Middleware, 2 => Route });
wire_struct!(ClientFact {
    kind,
    loc,
    text,
    source,
    module_scope,
    module_assigned,
    factory,
});
wire_struct!(CallFact {
    callee,
    span,
    args,
    function,
    role,
});

impl Default for TableRef {
    fn default() -> Self {
        TableRef::Local(String::new())
    }
}

impl Default for ReExport {
    fn default() -> Self {
        ReExport::Star(String::new())
    }
}
