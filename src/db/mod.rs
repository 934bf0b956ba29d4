//! Drizzle / D1 / Hyperdrive: the schema model and query facts. The lint
//! traversal records facts per file (`FileFacts`, see `query.rs`); the
//! schema-aware checks run once over all files in [`check_project`].

use crate::collections::HashMap;
use std::cell::RefCell;

use swc_core::common::Span;

use crate::analyze::ProjectInfo;
use crate::lint::{RuleMeta, SourceFile};
use crate::report::{docs_url, Diagnostic, Severity};

pub mod drizzle;
pub mod query;
pub mod schema;
pub mod sql;
#[cfg(test)]
mod tests;

use query::{CallFact, ClientFact, ImportFact, Loc, QueryFact, ReExport, TableRef, WalkState};
use schema::{same_name, Dialect, Table};

/// A span's byte range in its file's text (clamped to the text).
fn byte_range(span: Span, source: &str) -> (usize, usize) {
    let start = crate::lint::START;
    let hi = (span.hi.0.saturating_sub(start) as usize).min(source.len());
    let lo = (span.lo.0.saturating_sub(start) as usize).min(hi);
    (lo, hi)
}

/// What one file's traversal learned about schemas and queries.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub imports: Vec<ImportFact>,
    /// (exported name, local name) of the file's own exports.
    pub exports: Vec<(String, String)>,
    pub reexports: Vec<ReExport>,
    /// Drizzle tables defined in the file.
    pub tables: Vec<Table>,
    pub queries: Vec<QueryFact>,
    /// Postgres clients created in the file.
    pub clients: Vec<ClientFact>,
    /// Calls of module-level or imported functions from inside functions.
    pub calls: Vec<CallFact>,
    /// The collector's state while the file is walked.
    pub walk: WalkState,
}

impl FileFacts {
    pub fn import_of(&self, local: &str) -> Option<&ImportFact> {
        self.imports.iter().find(|i| i.local == local)
    }

    /// The query whose outermost call is at `span` (recorded when the walk
    /// entered that call).
    pub fn query_at(&self, span: Span) -> Option<&QueryFact> {
        self.walk
            .by_span
            .get(&query::key(span))
            .and_then(|i| self.queries.get(*i))
    }

    /// Inside a `db.transaction(async (tx) => …)` callback.
    pub fn in_transaction(&self) -> bool {
        self.walk.in_transaction()
    }
}

/// A project rule's declaration (the name the rule files import; every
/// kind is one [`crate::lint::declare::Declaration`]).
pub type ProjectRuleEntry = crate::lint::declare::Declaration;

/// Collects one project rule's findings with the configured severity.
pub struct Reporter<'a> {
    meta: &'static RuleMeta,
    severity: Severity,
    out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    pub fn report(
        &mut self,
        file: &str,
        loc: Loc,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.out.push(Diagnostic {
            rule: self.meta.id.into(),
            severity: self.severity,
            category: self.meta.category,
            message: message.into(),
            file: Some(file.into()),
            line: Some(loc.line),
            column: Some(loc.column),
            end_line: Some(loc.end_line),
            end_column: Some(loc.end_column),
            help: help.into(),
            docs: docs_url(self.meta.id),
        });
    }
}

/// Schema-aware checks over every file's facts, after all files are walked.
/// `rules` are the enabled project rules with their configured severities.
pub fn check_project(
    files: &[(String, FileFacts)],
    sources: &[&str],
    sql_files: &[SourceFile],
    project: &ProjectInfo,
    rules: &[(&'static ProjectRuleEntry, Severity)],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules.is_empty() {
        return out;
    }
    let model = Project::new(files, sources, sql_files, project);
    for (entry, severity) in rules {
        let mut reporter = Reporter {
            meta: &entry.meta,
            severity: *severity,
            out: &mut out,
        };
        if let crate::lint::declare::Kind::Project(check) = entry.kind {
            check(&model, &mut reporter);
        }
    }
    out
}

/// Every file's facts plus the merged schema, with the resolution of names
/// across files.
pub struct Project<'a> {
    pub files: &'a [(String, FileFacts)],
    /// The text of each of `files`, for the few facts whose text a finding
    /// quotes.
    sources: &'a [&'a str],
    pub info: &'a ProjectInfo,
    /// Drizzle tables (with what SQL files add) and SQL-only tables.
    pub tables: Vec<Table>,
    /// (file index, variable) of each Drizzle table, parallel to the first
    /// entries of `tables`.
    drizzle: Vec<(usize, String)>,
    /// Normalized file path → file index.
    by_path: HashMap<String, usize>,
    /// Resolved module specifiers, per (importing file, specifier).
    modules: RefCell<HashMap<(usize, String), Option<usize>>>,
}

impl<'a> Project<'a> {
    pub fn new(
        files: &'a [(String, FileFacts)],
        sources: &'a [&'a str],
        sql_files: &[SourceFile],
        info: &'a ProjectInfo,
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
        let by_path = files
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (normalize(p), i))
            .collect();
        Project {
            files,
            sources,
            info,
            tables,
            drizzle,
            by_path,
            modules: RefCell::new(HashMap::default()),
        }
    }

    pub fn path(&self, file: usize) -> &str {
        &self.files[file].0
    }

    /// A call's text as messages quote it (one line, credentials redacted).
    pub fn call_text(&self, file: usize, call: &CallFact) -> String {
        let source = self.sources.get(file).copied().unwrap_or_default();
        let (lo, hi) = byte_range(call.span, source);
        drizzle::redact_credentials(&crate::lint::context::one_line(&source[lo..hi]))
    }

    /// Where a call is (what `LintContext::loc` gives during the walk).
    pub fn call_loc(&self, file: usize, call: &CallFact) -> Loc {
        let source = self.sources.get(file).copied().unwrap_or_default();
        let index = crate::lint::position::LineIndex::new(source);
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

    /// The file a module specifier points to: relative paths, and path
    /// aliases (`@/db/schema`, `~/schema`) by suffix.
    pub fn resolve_module(&self, from: usize, spec: &str) -> Option<usize> {
        let cache_key = (from, spec.to_string());
        if let Some(found) = self.modules.borrow().get(&cache_key) {
            return *found;
        }
        let found = self.find_module(from, spec);
        self.modules.borrow_mut().insert(cache_key, found);
        found
    }

    fn find_module(&self, from: usize, spec: &str) -> Option<usize> {
        let (base, by_suffix) = if spec.starts_with('.') {
            let dir = match self.path(from).rfind('/') {
                Some(i) => &self.path(from)[..i],
                None => "",
            };
            (normalize(&format!("{dir}/{spec}")), false)
        } else if let Some(rest) = spec
            .strip_prefix("@/")
            .or_else(|| spec.strip_prefix("~/"))
            .or_else(|| spec.strip_prefix('#'))
        {
            (normalize(rest), true)
        } else {
            return None;
        };
        let stem = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".mjs"))
            .unwrap_or(&base);
        let mut candidates = vec![base.clone()];
        for ext in ["ts", "tsx", "js", "jsx", "mts", "mjs", "cts", "cjs"] {
            candidates.push(format!("{stem}.{ext}"));
        }
        for ext in ["ts", "tsx", "js"] {
            candidates.push(format!("{base}/index.{ext}"));
        }
        for c in &candidates {
            if let Some(i) = self.by_path.get(c) {
                return Some(*i);
            }
            if by_suffix {
                let suffix = format!("/{c}");
                // In file order, so that the answer is deterministic.
                let found = self
                    .files
                    .iter()
                    .position(|(p, _)| normalize(p).ends_with(&suffix));
                if found.is_some() {
                    return found;
                }
            }
        }
        None
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
            Some(Dialect::Sqlite) => "D1",
            Some(Dialect::Postgres) => "Postgres",
            Some(Dialect::Mysql) => "MySQL",
            _ if !self.info.d1.is_empty() && self.info.hyperdrive.is_empty() => "D1",
            _ if !self.info.hyperdrive.is_empty() && self.info.d1.is_empty() => "Postgres",
            _ => "the database",
        }
    }
}

/// `src/routes/../schema` → `src/schema`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}
