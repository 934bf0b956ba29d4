//! Findings from a profile run (`perf-optimizer profile`): the measured
//! facts of the report's `profile` block, turned into diagnostics at the
//! source lines they come from.

use crate::model::profile::ProfileReport;
use crate::model::report::{docs_url, Category, Diagnostic, Severity};

pub const D1_FULL_SCAN: &str = "d1-full-scan";

/// `d1-full-scan`: each distinct statement whose query plan on the migrated
/// schema reads a table whole, at the line of the Worker's code that sent
/// it (a statement with no first-party line is reported without one).
pub fn findings(profile: &ProfileReport, severity: Severity) -> Vec<Diagnostic> {
    profile
        .queries
        .iter()
        .filter(|q| q.full_scan == Some(true))
        .filter_map(|q| {
            let table = q.table.as_deref()?;
            let plan = q.plan.as_deref().unwrap_or_default();
            let sql = if q.sql.chars().count() > 160 {
                format!("{}…", q.sql.chars().take(160).collect::<String>())
            } else {
                q.sql.clone()
            };
            Some(Diagnostic {
                group: None,
                related: Vec::new(),
                rule: D1_FULL_SCAN.into(),
                severity,
                category: Category::Database,
                message: format!(
                    "`{sql}` reads every row of {table} (SQLite's plan on the migrated schema: {plan}); sent {} time{} in the profile run",
                    q.count,
                    if q.count == 1 { "" } else { "s" }
                ),
                file: q.file.clone(),
                line: q.line,
                column: q.line.map(|_| 1),
                end_line: None,
                end_column: None,
                help: format!(
                    "Add an index on the column(s) the query filters or sorts {table} by (a migration: `CREATE INDEX {table}_<column>_idx ON {table} (<column>);`), or bound the query; D1 bills every row read, and the scan grows with the table."
                ),
                docs: docs_url(D1_FULL_SCAN),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::profile::{full_profile, ProfileQuery};

    fn query(sql: &str, full_scan: Option<bool>, table: Option<&str>) -> ProfileQuery {
        ProfileQuery {
            sql: sql.into(),
            count: 3,
            bindings: vec!["DB".into()],
            plan: Some(
                if full_scan == Some(true) {
                    "SCAN items"
                } else {
                    "SEARCH items USING INDEX items_name (name=?)"
                }
                .into(),
            ),
            full_scan,
            table: table.map(Into::into),
            file: Some("src/index.js".into()),
            line: Some(9),
        }
    }

    #[test]
    fn a_full_scan_is_reported_at_the_line_that_sent_it_and_an_index_search_is_not() {
        let mut p = full_profile();
        p.queries = vec![
            query(
                "SELECT id FROM items WHERE kind = ?",
                Some(true),
                Some("items"),
            ),
            query("SELECT id FROM items WHERE name = ?", Some(false), None),
            query("INSERT INTO items (name) VALUES (?)", None, None),
        ];
        let found = findings(&p, Severity::Warning);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.rule, "d1-full-scan");
        assert_eq!((d.file.as_deref(), d.line), (Some("src/index.js"), Some(9)));
        assert!(d.message.starts_with("`SELECT id FROM items WHERE kind = ?` reads every row of items (SQLite's plan on the migrated schema: SCAN items); sent 3 times"), "{}", d.message);
    }
}
