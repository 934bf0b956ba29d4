//! The project's database facts across files: every file's facts plus the
//! merged schema (Drizzle tables and SQL migrations), with the resolution of
//! names, imports, re-exports and helper calls between files.

use std::cell::RefCell;

use swc_core::common::Span;

use super::calls::Chain;
use super::FileFacts;
use crate::knowledge::query::{self, CallFact, QueryFact, ReExport, TableRef};
use crate::knowledge::schema::{same_name, Dialect, Table};
use crate::knowledge::sql;
use crate::model::collections::HashMap;
use crate::model::limits::Limits;
use crate::model::project::{ProjectInfo, SourceFile, Text};
use crate::semantic::resolve::{Kind, Resolver};
use crate::syntax::position::Loc;

/// A span's byte range in its file's text (clamped to the text).
fn byte_range(span: Span, source: &str) -> (usize, usize) {
    let start = crate::syntax::START;
    let hi = (span.hi.0.saturating_sub(start) as usize).min(source.len());
    let lo = (span.lo.0.saturating_sub(start) as usize).min(hi);
    (lo, hi)
}

/// A Drizzle relation between two tables of the schema.
pub struct TableRelation {
    /// The table whose `relations(...)` declares it.
    pub table: usize,
    pub name: String,
    pub many: bool,
    pub target: usize,
    /// `fields`: SQL columns of `table`.
    pub fields: Vec<String>,
    /// `references`: SQL columns of `target`.
    pub references: Vec<String>,
    pub relation_name: Option<String>,
}

/// A place in a file as a finding quotes it.
pub struct Quote {
    pub line: u32,
    pub column: u32,
    pub text: String,
}

/// A class of the project: (file, its name there).
pub type ClassRef = (usize, String);

/// A file that loads another, and the name it takes (`None`: the whole
/// module).
pub type Load = (usize, Option<String>);

/// [`Project::engine`] of the SQLite tables a Durable Object keeps in its
/// own storage.
pub const DURABLE_OBJECT_SQLITE: &str = "Durable Object SQLite";

/// (file, function, effect, the option parameters a call sets among those
/// that gate some of what the function does).
type SummaryKey = (usize, usize, u8, u32);

/// Every file's facts plus the merged schema, with the resolution of names
/// across files.
pub struct Project<'a> {
    pub files: &'a [(String, FileFacts)],
    /// The text of each of `files`, for the few facts whose text a finding
    /// quotes (read then, if the text was deferred).
    pub(super) sources: &'a [&'a Text],
    pub info: &'a ProjectInfo,
    /// The platform limits that apply (plan and config overrides), for
    /// messages.
    pub limits: Limits,
    /// Drizzle tables (with what SQL files add) and SQL-only tables.
    pub tables: Vec<Table>,
    /// (file index, variable) of each Drizzle table, parallel to the first
    /// entries of `tables`.
    drizzle: Vec<(usize, String)>,
    /// Module resolution over the files (answers cached per folder and
    /// specifier), built on the first question the shared one leaves.
    modules: std::cell::OnceCell<Resolver<'a>>,
    /// The engine's resolution over every file it was given, if it made one.
    shared: Option<SharedResolver<'a>>,
    /// Drizzle `relations(...)` between schema tables.
    pub relations: Vec<TableRelation>,
    /// [`Project::sqlite_engine`], found on the first question.
    sqlite: std::cell::OnceCell<&'static str>,
    /// Effect summaries computed so far, by [`SummaryKey`].
    pub(super) summaries: RefCell<HashMap<SummaryKey, Option<Chain>>>,
    /// What a field set from a constructor parameter holds:
    /// (file, `this.field`) → (file, class) (see `Project::constructed_class`).
    pub(super) constructed: RefCell<HashMap<(usize, String), Option<ClassRef>>>,
    /// What loads each file (see `Project::importers`), built on first use.
    pub(super) importers: std::cell::OnceCell<Vec<Vec<Load>>>,
    /// Each file's functions by name (indices in order), built on first
    /// use: naming a call's target is a lookup, not a scan of the file's
    /// functions (which made a file of many functions quadratic).
    pub(super) functions_by_name: std::cell::OnceCell<Vec<HashMap<&'a str, Vec<usize>>>>,
}

/// The engine's module resolution (over every file it was given, analyzed
/// or not, built for the module graph) with where each of its files sits
/// among the analyzed ones: the project's questions are answered from its
/// answers, so no specifier is resolved twice. An answer that is an
/// analyzed file is the one a resolution over the analyzed files alone
/// gives (they are a subset, tried in the same order); any other answer is
/// asked of that resolution.
pub struct SharedResolver<'a> {
    pub resolver: &'a Resolver<'a>,
    /// For each of the resolver's files, its index among the analyzed files.
    pub analyzed: &'a [Option<usize>],
}

impl<'a> Project<'a> {
    pub fn new(
        files: &'a [(String, FileFacts)],
        sources: &'a [&'a Text],
        sql_files: &[SourceFile],
        info: &'a ProjectInfo,
        shared: Option<SharedResolver<'a>>,
    ) -> Project<'a> {
        let mut tables = Vec::new();
        let mut drizzle = Vec::new();
        for (i, (_, facts)) in files.iter().enumerate() {
            for t in &facts.tables {
                tables.push(t.clone());
                drizzle.push((i, t.var.clone()));
            }
        }
        for st in sql::read_schema_files(sql_files) {
            let mut merged = false;
            for t in tables.iter_mut().take(drizzle.len()) {
                if same_name(&t.name, &st.name) {
                    t.merge_sql(&st);
                    merged = true;
                }
            }
            if !merged {
                tables.push(st);
            }
        }
        let mut p = Project {
            files,
            sources,
            info,
            limits: Limits::for_plan(Default::default()),
            tables,
            drizzle,
            relations: Vec::new(),
            modules: std::cell::OnceCell::new(),
            shared,
            summaries: RefCell::default(),
            constructed: RefCell::default(),
            importers: Default::default(),
            functions_by_name: Default::default(),
            sqlite: Default::default(),
        };
        p.relations = p.schema_relations();
        p
    }

    /// What runs the project's SQLite tables: D1, or a Durable Object's own
    /// storage when the code opens Drizzle on it (`drizzle-orm/durable-sqlite`)
    /// and never on D1 (`drizzle-orm/d1`, a D1 binding).
    fn sqlite_engine(&self) -> &'static str {
        self.sqlite.get_or_init(|| {
            let imports = |source: &str| {
                self.files
                    .iter()
                    .any(|(_, facts)| facts.imports.iter().any(|i| i.source.starts_with(source)))
            };
            if imports("drizzle-orm/durable-sqlite")
                && !imports("drizzle-orm/d1")
                && self.info.d1.is_empty()
            {
                DURABLE_OBJECT_SQLITE
            } else {
                "D1"
            }
        })
    }

    /// Every `relations(...)` of the project between tables of the schema,
    /// with columns as SQL names.
    fn schema_relations(&self) -> Vec<TableRelation> {
        let mut out = Vec::new();
        for (fi, (_, facts)) in self.files.iter().enumerate() {
            for rs in &facts.relations {
                let Some(table) = self.table(fi, &rs.table, None) else {
                    continue;
                };
                for r in &rs.relations {
                    let Some(target) = self.table(fi, &r.target, None) else {
                        continue;
                    };
                    let sql = |t: usize, keys: &[String]| -> Vec<String> {
                        keys.iter().map(|k| self.tables[t].sql_name(k)).collect()
                    };
                    out.push(TableRelation {
                        table,
                        name: r.name.clone(),
                        many: r.many,
                        target,
                        fields: sql(table, &r.fields),
                        references: sql(target, &r.references),
                        relation_name: r.relation_name.clone(),
                    });
                }
            }
        }
        out
    }

    /// What loading the relation `name` of `table` reads: the related table,
    /// the columns its rows are looked up by (SQL names) and whether it is a
    /// `many`. As Drizzle
    /// normalizes a relation: its own `references` when it declares
    /// `fields`/`references`, else the `fields` of the other side's
    /// `one(...)` that points back (paired by `relationName` when given).
    pub fn relation_lookup(&self, table: usize, name: &str) -> Option<(usize, Vec<String>, bool)> {
        let r = self
            .relations
            .iter()
            .find(|r| r.table == table && r.name == name)?;
        if !r.references.is_empty() {
            return Some((r.target, r.references.clone(), r.many));
        }
        let back: Vec<&TableRelation> = self
            .relations
            .iter()
            .filter(|b| {
                b.table == r.target
                    && b.target == table
                    && !b.fields.is_empty()
                    && !b.references.is_empty()
                    && (r.relation_name.is_none() || b.relation_name == r.relation_name)
            })
            .collect();
        // Drizzle pairs the sides only when exactly one candidate is left.
        match back.as_slice() {
            [b] => Some((r.target, b.fields.clone(), r.many)),
            _ => None,
        }
    }

    pub fn path(&self, file: usize) -> &str {
        &self.files[file].0
    }

    /// The text of `file` (read now if it was deferred).
    pub(super) fn source(&self, file: usize) -> &'a str {
        self.sources.get(file).map_or("", |text| text.as_str())
    }

    /// A call's text as messages quote it (one line, credentials redacted).
    pub fn call_text(&self, file: usize, call: &CallFact) -> String {
        let source = self.source(file);
        let (lo, hi) = byte_range(call.span, source);
        crate::knowledge::drizzle::redact_credentials(&crate::syntax::text::one_line(
            &source[lo..hi],
        ))
    }

    /// The tables a query of the project searches with `MATCH` (`anime_search
    /// MATCH ?`, `` sql`${animeSearch} MATCH ${q}` ``: [`QueryFact::searched`]):
    /// SQLite's full-text tables (FTS5), virtual tables no `CREATE INDEX`
    /// applies to, searched through their own index. The schema may declare
    /// them as plain tables.
    pub fn full_text_tables(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for (_, facts) in self.files.iter() {
            for name in facts.queries.iter().flat_map(|q| &q.searched) {
                let found =
                    (self.tables.iter()).position(|t| t.var == *name || same_name(&t.name, name));
                if let Some(t) = found.filter(|t| !out.contains(t)) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Where `span` is in `file` and its text on one line, shortened: what a
    /// finding quotes as evidence (made only for findings).
    pub fn quote(&self, file: usize, span: Span) -> Quote {
        let source = self.source(file);
        let (lo, hi) = byte_range(span, source);
        let (line, column) = crate::syntax::position::LineIndex::new(source).position(lo as u32);
        let text = match crate::syntax::text::collapse_whitespace(&source[lo..hi], 60) {
            (text, true) => format!("{text}…"),
            (text, false) => text,
        };
        Quote { line, column, text }
    }

    /// Where a call is (what `LintContext::loc` gives during the walk).
    pub fn call_loc(&self, file: usize, call: &CallFact) -> Loc {
        let source = self.source(file);
        let index = crate::syntax::position::LineIndex::new(source);
        let (lo, hi) = byte_range(call.span, source);
        let (line, column) = index.position(lo as u32);
        let (end_line, end_column) = index.position(hi as u32);
        Loc {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The project file a module specifier of `from` names (through
    /// tsconfig `paths`, package `imports`/`exports` and workspace
    /// packages: `semantic::resolve`), if it is one.
    pub fn resolve_module(&self, from: usize, spec: &str) -> Option<usize> {
        if let Some(shared) = &self.shared {
            let found = shared
                .resolver
                .resolve(self.path(from), spec, Kind::Import)
                .file()
                .and_then(|file| shared.analyzed.get(file).copied().flatten());
            if found.is_some() {
                return found;
            }
        }
        self.modules
            .get_or_init(|| {
                Resolver::new(
                    self.files.iter().map(|(p, _)| p.as_str()),
                    &self.info.modules,
                )
            })
            .resolve(self.path(from), spec, Kind::Import)
            .file()
    }

    /// Where an exported name is defined: (file, local name), following
    /// re-exports and imports.
    pub fn resolve_export(&self, file: usize, name: &str, depth: u32) -> Option<(usize, String)> {
        if depth > 8 {
            return None;
        }
        let facts = &self.files[file].1;
        if let Some((_, local)) = facts.exports.iter().find(|(e, _)| e == name) {
            return self.resolve_local(file, local, depth + 1);
        }
        for r in &facts.reexports {
            match r {
                ReExport::Named(exported, imported, source) if exported == name => {
                    let target = self.resolve_module(file, source)?;
                    return self.resolve_export(target, imported, depth + 1);
                }
                ReExport::Star(source) => {
                    if let Some(target) = self.resolve_module(file, source) {
                        if let Some(found) = self.resolve_export(target, name, depth + 1) {
                            return Some(found);
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Where a local name of `file` is defined: itself, or the definition
    /// its import points to.
    pub fn resolve_local(&self, file: usize, local: &str, depth: u32) -> Option<(usize, String)> {
        match self.files[file].1.import_of(local) {
            Some(import) => {
                let imported = import.imported.as_deref()?;
                let target = self.resolve_module(file, &import.source)?;
                self.resolve_export(target, imported, depth + 1)
            }
            None => Some((file, local.to_string())),
        }
    }

    /// The Drizzle table defined as `var` in `file`.
    fn drizzle_table(&self, file: usize, var: &str) -> Option<usize> {
        self.drizzle
            .iter()
            .position(|(f, v)| *f == file && v == var)
    }

    /// The Drizzle table with this variable name, when the project has one
    /// (or several that agree on the SQL table).
    fn drizzle_table_named(&self, var: &str) -> Option<usize> {
        let mut found = self
            .drizzle
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| v == var)
            .map(|(i, _)| i);
        let first = found.next()?;
        found
            .all(|i| same_name(&self.tables[i].name, &self.tables[first].name))
            .then_some(first)
    }

    /// The table a reference in `file` names. `main` is the query's own
    /// table, for raw SQL's unqualified columns.
    pub fn table(&self, file: usize, r: &TableRef, main: Option<usize>) -> Option<usize> {
        match r {
            TableRef::Local(name) => {
                if let Some(t) = self.drizzle_table(file, name) {
                    return Some(t);
                }
                let import = self.files[file].1.import_of(name)?;
                let imported = import.imported.as_deref()?;
                match self.resolve_local(file, name, 0) {
                    Some((f, local)) => self.drizzle_table(f, &local),
                    None => self.drizzle_table_named(imported),
                }
            }
            TableRef::Member(ns, key) => {
                let import = self.files[file].1.import_of(ns)?;
                if import.imported.is_some() {
                    return None;
                }
                match self
                    .resolve_module(file, &import.source)
                    .and_then(|m| self.resolve_export(m, key, 0))
                {
                    Some((f, local)) => self.drizzle_table(f, &local),
                    None => self.drizzle_table_named(key),
                }
            }
            TableRef::Relational(key) => self.drizzle_table_named(key),
            TableRef::Sql(name) if name.is_empty() => main,
            TableRef::Sql(name) => self.tables.iter().position(|t| same_name(&t.name, name)),
        }
    }

    /// The table and SQL column a column reference names. Raw SQL's
    /// unqualified columns belong to the first of the query's tables that
    /// has them.
    pub fn column(
        &self,
        file: usize,
        c: &query::ColumnRef,
        q: &QueryFact,
        main: usize,
    ) -> Option<(usize, String)> {
        let t = match &c.table {
            TableRef::Sql(n) if n.is_empty() => std::iter::once(main)
                .chain(
                    q.joins
                        .iter()
                        .filter_map(|j| self.table(file, &j.table, Some(main))),
                )
                .find(|t| self.tables[*t].column(&c.key).is_some())?,
            r => self.table(file, r, Some(main))?,
        };
        let col = self.tables[t].column(&c.key)?;
        Some((t, col.name.clone()))
    }

    /// The schema table a query reads or writes, when the schema has it.
    pub fn query_table(&self, file: usize, q: &QueryFact) -> Option<usize> {
        q.table.as_ref().and_then(|t| self.table(file, t, None))
    }

    /// The query's equalities on its table `main` (not the optional ones)
    /// pin one row: a primary key, a unique column or a unique index.
    pub fn pins_one_row(&self, file: usize, q: &QueryFact, main: usize) -> bool {
        let eq = self.bound_columns(file, q, main, main, false, &[query::Op::Eq]);
        self.tables[main].pins_one_row(&eq.into_iter().collect())
    }

    /// The query binds by equality a column of `main` that identifies a row
    /// by its name, declared unique or not: `uuid`, `guid` (filled with a
    /// fresh random value per row, as `id` is).
    pub fn binds_row_identifier(&self, file: usize, q: &QueryFact, main: usize) -> bool {
        self.bound_columns(file, q, main, main, false, &[query::Op::Eq])
            .iter()
            .any(|c| c.eq_ignore_ascii_case("uuid") || c.eq_ignore_ascii_case("guid"))
    }

    /// The query reads one owner's rows of a table of what an owner has a
    /// few of ([`crate::knowledge::schema::Table::few_per_owner`]).
    pub fn few_per_owner(&self, file: usize, q: &QueryFact, main: usize) -> bool {
        let eq = self.bound_columns(file, q, main, main, false, &[query::Op::Eq]);
        self.tables[main].few_per_owner(&eq)
    }

    /// The query binds every column of a unique key of `main` but one of
    /// few values ([`crate::knowledge::schema::Table::few_rows_left`]).
    pub fn few_rows_left(&self, file: usize, q: &QueryFact, main: usize) -> bool {
        let eq = self.bound_columns(file, q, main, main, false, &[query::Op::Eq]);
        !eq.is_empty()
            && self.tables[main]
                .few_rows_left(&eq.into_iter().collect())
                .is_some()
    }

    /// SQL columns of `table` the query binds by equality in a top-level
    /// conjunct (`eq`, `inArray`, `isNull`; optional ones only if asked).
    pub fn bound_columns(
        &self,
        file: usize,
        q: &QueryFact,
        main: usize,
        table: usize,
        with_optional: bool,
        ops: &[query::Op],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in &q.filters {
            if !f.conjunct || f.via_expr || (f.optional && !with_optional) || !ops.contains(&f.op) {
                continue;
            }
            if let Some((t, col)) = self.column(file, &f.column, q, main) {
                if t == table && !out.contains(&col) {
                    out.push(col);
                }
            }
        }
        out
    }

    /// "D1" / "Postgres" / "the database", for messages.
    pub fn engine(&self, table: Option<&Table>) -> &'static str {
        match table.map(|t| t.dialect) {
            Some(Dialect::Sqlite) => self.sqlite_engine(),
            Some(Dialect::Postgres) => "Postgres",
            Some(Dialect::Mysql) => "MySQL",
            _ if !self.info.d1.is_empty() && self.info.hyperdrive.is_empty() => "D1",
            _ if !self.info.hyperdrive.is_empty() && self.info.d1.is_empty() => "Postgres",
            _ => "the database",
        }
    }
}
