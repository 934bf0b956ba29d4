//! Findings from a profile run (`perf-optimizer profile`): the measured
//! facts of the report's `profile` block, turned into diagnostics at the
//! source lines they come from.

use crate::model::limits::Limits;
use crate::model::profile::ProfileReport;
use crate::model::report::{docs_url, Category, Diagnostic, Severity};

pub const D1_FULL_SCAN: &str = "d1-full-scan";
pub const SUBREQUEST_LIMIT: &str = "subrequest-limit";
pub const CONNECTION_LIMIT: &str = "connection-limit";

/// The profile's findings; `severity(id)` is the rule's severity as the
/// config sets it (None: off).
pub fn findings(
    profile: &ProfileReport,
    limits: &Limits,
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(s) = severity(D1_FULL_SCAN) {
        out.extend(full_scans(profile, s));
    }
    if let Some(s) = severity(SUBREQUEST_LIMIT) {
        out.extend(over_limit(
            profile,
            s,
            SUBREQUEST_LIMIT,
            limits.subrequests,
            |r| r.subrequests.map(|c| c.max as u32),
        ));
    }
    if let Some(s) = severity(CONNECTION_LIMIT) {
        out.extend(over_limit(
            profile,
            s,
            CONNECTION_LIMIT,
            limits.open_connections,
            |r| Some(r.peak_connections),
        ));
    }
    out
}

/// `subrequest-limit`, `connection-limit`: a route whose measured count
/// (the most in one request) went over the plan's limit. Project-level: the
/// run knows the route, not the line.
fn over_limit(
    profile: &ProfileReport,
    severity: Severity,
    rule: &str,
    limit: u32,
    measured: impl Fn(&crate::model::profile::ProfileRoute) -> Option<u32>,
) -> Vec<Diagnostic> {
    let plan = profile.plan.name();
    profile
        .routes
        .iter()
        .filter_map(|r| {
            let n = measured(r)?;
            if n <= limit {
                return None;
            }
            let (message, help) = if rule == SUBREQUEST_LIMIT {
                (
                    format!("{}: one request made {n} outbound fetches in the profile run, over the {limit} subrequests a request may make on the {plan} plan (the rest fail with \"Too many subrequests\")", r.route),
                    "Batch the calls (one request for many items), cache what repeats, or move the fan-out to a Queue consumer; the count is per incoming request.".to_string(),
                )
            } else {
                (
                    format!("{}: one request had {n} outbound fetches open at once in the profile run, over the {limit} simultaneous connections a Worker may keep open (the rest wait, and workerd does not enforce this locally)", r.route),
                    format!("Bound the concurrency to {limit}: run the fetches in chunks of {limit} (`for (let i = 0; i < ids.length; i += {limit}) await Promise.all(ids.slice(i, i + {limit}).map(f))`) or use a limiter such as p-limit."),
                )
            };
            Some(Diagnostic {
                group: None,
                related: Vec::new(),
                rule: rule.into(),
                severity,
                category: Category::Limits,
                message,
                file: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                help,
                docs: docs_url(rule),
            })
        })
        .collect()
}

/// `d1-full-scan`: each distinct statement whose query plan on the migrated
/// schema reads a table whole, at the line of the Worker's code that sent
/// it (a statement with no first-party line is reported without one).
fn full_scans(profile: &ProfileReport, severity: Severity) -> Vec<Diagnostic> {
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
    use crate::model::limits::Plan;
    use crate::model::profile::{full_profile, CountSpread, ProfileQuery};

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
        p.routes.clear();
        let found = findings(&p, &Limits::for_plan(Plan::Free), &|_| {
            Some(Severity::Warning)
        });
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.rule, "d1-full-scan");
        assert_eq!((d.file.as_deref(), d.line), (Some("src/index.js"), Some(9)));
        assert!(d.message.starts_with("`SELECT id FROM items WHERE kind = ?` reads every row of items (SQLite's plan on the migrated schema: SCAN items); sent 3 times"), "{}", d.message);
    }

    #[test]
    fn a_route_over_the_subrequest_or_connection_limit_is_reported_and_one_at_the_limit_is_not() {
        let mut p = full_profile();
        p.queries.clear();
        let mut over = p.routes[0].clone();
        over.route = "GET /fanout".into();
        over.subrequests = Some(CountSpread {
            p50: 51.0,
            max: 51.0,
        });
        over.peak_connections = 8;
        let mut at = p.routes[0].clone();
        at.route = "GET /six".into();
        at.subrequests = Some(CountSpread {
            p50: 50.0,
            max: 50.0,
        });
        at.peak_connections = 6;
        p.routes = vec![over, at];
        let found = findings(&p, &Limits::for_plan(Plan::Free), &|_| {
            Some(Severity::Warning)
        });
        let rules: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.rule.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert!(
            rules[0].0 == "subrequest-limit"
                && rules[0]
                    .1
                    .starts_with("GET /fanout: one request made 51 outbound fetches"),
            "{rules:?}"
        );
        assert!(
            rules[1].0 == "connection-limit"
                && rules[1]
                    .1
                    .starts_with("GET /fanout: one request had 8 outbound fetches open at once"),
            "{rules:?}"
        );
        // Paid: 10,000 subrequests; the 6 connections stay.
        let paid = findings(&p, &Limits::for_plan(Plan::Paid), &|_| {
            Some(Severity::Warning)
        });
        assert_eq!(
            paid.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(),
            ["connection-limit"]
        );
        // Off in the config: none.
        assert!(findings(&p, &Limits::for_plan(Plan::Free), &|_| None).is_empty());
    }
}
