//! Findings from a profile run (`perf-optimizer profile`): the measured
//! facts of the report's `profile` block, turned into diagnostics at the
//! source lines they come from.

use crate::model::budget::{CheckedBudget, Limit, Metric};
use crate::model::limits::Limits;
use crate::model::profile::{ProfileReport, ProfileRoute};
use crate::model::report::{docs_url, Category, Diagnostic, Severity};

pub const D1_FULL_SCAN: &str = "d1-full-scan";
pub const SUBREQUEST_LIMIT: &str = "subrequest-limit";
pub const CONNECTION_LIMIT: &str = "connection-limit";
pub const CPU_OVER_LIMIT: &str = "cpu-over-limit";
pub const HEAP_GROWTH: &str = "heap-growth";
pub const QUERIES_PER_REQUEST: &str = "queries-per-request";

/// `cpu-over-limit` compares a route's p95 from this many answered requests
/// on (the nearest-rank p95 of fewer is their max), its median below.
pub const CPU_P95_MIN_REQUESTS: u32 = 20;
/// `heap-growth` projects the growth only from a run of at least this many
/// answered requests…
pub const HEAP_MIN_REQUESTS: u32 = 20;
/// …in which the heap after GC grew by at least this much (MB): a sound
/// Worker's warm-up (compiled code, inline caches, lazily built tables)
/// stays under it…
pub const HEAP_MIN_GROWTH_MB: f64 = 1.0;
/// …and only when, at the run's rate, the isolate would reach the memory
/// limit within this many more requests.
pub const HEAP_HORIZON_REQUESTS: f64 = 100_000.0;

/// The profile's findings; `severity(id)` is the rule's severity as the
/// config sets it (None: off); `budgets` the config's (checked) budgets, of
/// which the profile's metrics (`cpu`, `heap`, `queries`) apply here.
pub fn findings(
    profile: &ProfileReport,
    limits: &Limits,
    budgets: &[CheckedBudget],
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(s) = severity(CPU_OVER_LIMIT) {
        out.extend(
            profile
                .routes
                .iter()
                .filter_map(|r| cpu_over(profile, r, limits, budgets, s)),
        );
    }
    if let Some(s) = severity(HEAP_GROWTH) {
        out.extend(heap_growth(profile, limits, budgets, s));
    }
    if let Some(s) = severity(QUERIES_PER_REQUEST) {
        out.extend(
            profile
                .routes
                .iter()
                .filter_map(|r| queries_over(r, limits, budgets, s)),
        );
    }
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
/// (the most in one request) went over the plan's limit, at the line that
/// made the route's first fetch (`fetched_from`), else at project level.
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
            let at = r.fetched_from.as_ref().map(|at| (at.file.as_str(), at.line));
            Some(finding(rule, severity, Category::Limits, at, message, help))
        })
        .collect()
}

/// A finding of a profile rule at `at` (file, line) or at project level.
fn finding(
    rule: &str,
    severity: Severity,
    category: Category,
    at: Option<(&str, u32)>,
    message: String,
    help: String,
) -> Diagnostic {
    Diagnostic {
        group: None,
        related: Vec::new(),
        rule: rule.into(),
        severity,
        category,
        message,
        file: at.map(|(f, _)| f.to_string()),
        line: at.map(|(_, l)| l),
        column: at.map(|_| 1),
        end_line: None,
        end_column: None,
        help,
        docs: docs_url(rule),
    }
}

/// The budget of `metric` that applies to `route` (None: the isolate's):
/// the route's own, else the one for every route; its limit and label.
fn budget_for<'a>(
    budgets: &'a [CheckedBudget],
    metric: Metric,
    route: Option<&str>,
) -> Option<(f64, &'a str)> {
    let max = |b: &'a CheckedBudget| match b.limit {
        Limit::Max(v) => Some((v, b.name.as_str())),
        _ => None,
    };
    let of = |scoped: bool| {
        budgets
            .iter()
            .filter(|b| b.metric == metric && b.route.is_some() == scoped)
            .filter(|b| !scoped || b.route.as_deref() == route)
            .find_map(max)
    };
    of(true).or_else(|| of(false))
}

/// Figures in messages: `12.3`, `0.42`.
fn ms(x: f64) -> String {
    let digits = if x >= 10.0 { 1 } else { 2 };
    let text = format!("{x:.digits$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `cpu-over-limit`: a route whose CPU per request (p95) is over the plan's
/// CPU limit (the rule's severity, error by default) or over a `cpu` budget
/// (a warning at most). The figure is the Worker's CPU (workerd's, less the
/// runtime's own per-request cost) where it was measured, else the sampled
/// V8 profile's; the message says which. At the route's hottest function of
/// the project's own code.
fn cpu_over(
    profile: &ProfileReport,
    r: &ProfileRoute,
    limits: &Limits,
    budgets: &[CheckedBudget],
    severity: Severity,
) -> Option<Diagnostic> {
    let answered: u32 = r.status.values().sum();
    // The JavaScript samples of the V8 CPU profile: the Worker's CPU as
    // Cloudflare counts it, less native calls (which locally also run the
    // simulated D1 and the stub); they undercount short requests and never
    // overcount much (a sample's weight is capped), so an overrun they show
    // is one.
    //
    // The p95 of fewer than CPU_P95_MIN_REQUESTS requests is their max (one
    // outlier, a collection, the machine's noise): their median then.
    let spread = r.js_cpu_ms.as_ref()?;
    let (p95, quantile) = if answered >= CPU_P95_MIN_REQUESTS {
        (spread.p95, "p95")
    } else {
        (spread.p50, "median")
    };
    let limit = if profile.cpu_limit_ms > 0.0 {
        profile.cpu_limit_ms
    } else {
        limits.cpu_ms
    };
    let plan = profile.plan.name();
    let (against, severity) = if p95 > limit {
        (
            format!(
                "over the {} ms of CPU a request may use on the {plan} plan",
                ms(limit)
            ),
            severity,
        )
    } else {
        let (budget, name) = budget_for(budgets, Metric::Cpu, Some(&r.route))?;
        if p95 <= budget {
            return None;
        }
        (
            format!("over the budget \"{name}\" ({} ms)", ms(budget)),
            severity.min(Severity::Warning),
        )
    };
    let hot = r
        .top_functions
        .iter()
        .find(|f| f.file.is_some() && f.line.is_some());
    let at = hot.map(|f| (f.file.as_deref().unwrap_or_default(), f.line.unwrap_or(1)));
    let hottest = hot
        .map(|f| {
            format!(
                "; its hottest function of the project's own code is {} ({:.0}% of the route's sampled CPU time)",
                f.name,
                f.share * 100.0
            )
        })
        .unwrap_or_default();
    Some(finding(
        CPU_OVER_LIMIT,
        severity,
        Category::Cpu,
        at,
        format!(
            "{}: {} ms of CPU per request ({quantile} of {answered} requests: the JavaScript samples of the V8 CPU profile, without the runtime's native calls), {against}{hottest}",
            r.route,
            ms(p95)
        ),
        "Do less per request: cache what does not change between requests (in a global, the Cache API or KV), move heavy work to a Queue consumer or a Workflow, or use a faster primitive (crypto.subtle, a WebAssembly build); the local CPU is another machine than Cloudflare's edge, so leave headroom.".into(),
    ))
}

/// `heap-growth`: the heap after GC at the end of the run over the memory
/// limit (measured), or growing at a rate that reaches it within
/// HEAP_HORIZON_REQUESTS requests (from a run of at least HEAP_MIN_REQUESTS
/// requests that grew by HEAP_MIN_GROWTH_MB or more): the rule's severity;
/// over a `heap` budget: a warning at most. At the function that allocated
/// most of what stayed live, when the sampling heap profiler saw one.
fn heap_growth(
    profile: &ProfileReport,
    limits: &Limits,
    budgets: &[CheckedBudget],
    severity: Severity,
) -> Option<Diagnostic> {
    let heap = profile.heap.as_ref()?;
    let limit = if heap.limit_mb > 0.0 {
        heap.limit_mb
    } else {
        limits.memory_bytes as f64 / 1e6
    };
    let grown = heap.end_mb - heap.start_mb;
    let n = profile.completed;
    let figures = format!(
        "the heap after GC went from {} MB to {} MB over {n} requests ({} MB per 1,000)",
        ms(heap.start_mb),
        ms(heap.end_mb),
        ms(heap.growth_mb_per1k)
    );
    let (claim, severity) = if heap.end_mb > limit {
        (
            format!(
                "{figures}: over the isolate's {} MB memory limit",
                ms(limit)
            ),
            severity,
        )
    } else if n >= HEAP_MIN_REQUESTS && grown >= HEAP_MIN_GROWTH_MB && {
        let left = (limit - heap.end_mb) / (grown / f64::from(n));
        left <= HEAP_HORIZON_REQUESTS
    } {
        let left = ((limit - heap.end_mb) / (grown / f64::from(n))).floor();
        (
            format!(
                "{figures}: at that rate one isolate reaches the {} MB memory limit after about {} more requests, and is then stopped",
                ms(limit),
                crate::model::text::count(left as u64)
            ),
            severity,
        )
    } else {
        let (budget, name) = budget_for(budgets, Metric::Heap, None)?;
        if heap.end_mb * 1e6 <= budget {
            return None;
        }
        (
            format!(
                "{figures}: over the budget \"{name}\" ({} MB)",
                ms(budget / 1e6)
            ),
            severity.min(Severity::Warning),
        )
    };
    let site = heap
        .retained
        .iter()
        .find(|s| s.file.is_some() && s.line.is_some());
    let at = site.map(|s| (s.file.as_deref().unwrap_or_default(), s.line.unwrap_or(1)));
    let whose = site
        .map(|s| {
            let routes = if s.routes.is_empty() {
                String::new()
            } else {
                format!(", run by {}", s.routes.join(", "))
            };
            format!(
                "; most of what stayed live was allocated in {} ({} MB sampled{routes})",
                s.name,
                ms(s.mb)
            )
        })
        .unwrap_or_else(|| {
            "; no function of the project's own code stood out in the heap profile".into()
        });
    Some(finding(
        HEAP_GROWTH,
        severity,
        Category::Memory,
        at,
        format!("{claim}{whose}"),
        "Memory kept in a global (a module-level array, Map or cache) lives as long as the isolate and grows with every request: bound it (an LRU with a size cap), key it by something finite, or keep per-request data in the request's scope; use the Cache API or KV for a cache that outlives the isolate.".into(),
    ))
}

/// `queries-per-request`: a route whose requests sent more D1 queries than
/// a Worker invocation may (the most in one request: each request must stay
/// under it) — the rule's severity — or more than a `queries` budget — a
/// warning at most. At the line that sent the route's most frequent
/// statement.
fn queries_over(
    r: &ProfileRoute,
    limits: &Limits,
    budgets: &[CheckedBudget],
    severity: Severity,
) -> Option<Diagnostic> {
    let most = r.d1.as_ref()?.queries.max;
    let limit = f64::from(limits.d1_queries);
    let plan = limits.plan.name();
    let (against, severity) = if most > limit {
        (format!("over the {limit} queries a Worker invocation may send to D1 on the {plan} plan (the rest fail)"), severity)
    } else {
        let (budget, name) = budget_for(budgets, Metric::Queries, Some(&r.route))?;
        if most <= budget {
            return None;
        }
        (
            format!("over the budget \"{name}\" ({budget})"),
            severity.min(Severity::Warning),
        )
    };
    let top = r.top_query.as_ref();
    let at = top.and_then(|q| Some((q.file.as_deref()?, q.line?)));
    let which = top
        .map(|q| {
            let sql: String = q.sql.chars().take(120).collect();
            format!(
                "; most of them were `{sql}` ({} in one request)",
                q.max_per_request
            )
        })
        .unwrap_or_default();
    Some(finding(
        QUERIES_PER_REQUEST,
        severity,
        Category::Database,
        at,
        format!("{}: one request sent {most} D1 queries in the profile run, {against}{which}", r.route),
        "Fetch in one query what a loop fetches row by row (`WHERE id IN (…)`, a JOIN), send independent statements together with `env.DB.batch([...])`, or cache what does not change.".into(),
    ))
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
            // The runner names a statement's file and line together.
            let at = q.file.as_deref().zip(q.line);
            Some(finding(
                D1_FULL_SCAN,
                severity,
                Category::Database,
                at,
                format!(
                    "`{sql}` reads every row of {table} (SQLite's plan on the migrated schema: {plan}); sent {} time{} in the profile run",
                    q.count,
                    if q.count == 1 { "" } else { "s" }
                ),
                format!(
                    "Add an index on the column(s) the query filters or sorts {table} by (a migration: `CREATE INDEX {table}_<column>_idx ON {table} (<column>);`), or bound the query; D1 bills every row read, and the scan grows with the table."
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::limits::Plan;
    use crate::model::profile::{full_profile, CountSpread, ProfileQuery};
    use std::collections::BTreeMap;

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
        let found = findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| {
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
        let found = findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| {
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
        let paid = findings(&p, &Limits::for_plan(Plan::Paid), &[], &|_| {
            Some(Severity::Warning)
        });
        assert_eq!(
            paid.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(),
            ["connection-limit"]
        );
        // Off in the config: none.
        assert!(findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| None).is_empty());
    }

    fn budgets(json: &str) -> Vec<CheckedBudget> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let b: Vec<crate::model::budget::Budget> = crate::model::json::from_value(&value).unwrap();
        crate::model::budget::check(&b).unwrap()
    }

    fn rules_of(found: &[Diagnostic]) -> Vec<(&str, Severity, Option<u32>)> {
        found
            .iter()
            .map(|d| (d.rule.as_str(), d.severity, d.line))
            .collect()
    }

    /// A profile whose one route took `p95` ms of the Worker's CPU per request.
    fn cpu_profile(p95: f64) -> ProfileReport {
        let mut p = full_profile();
        p.routes[0].status = BTreeMap::from([("200".to_string(), CPU_P95_MIN_REQUESTS)]);
        p.plan = Plan::Free;
        p.cpu_limit_ms = 10.0;
        p.queries.clear();
        p.heap = None;
        p.routes[0].d1 = None;
        p.routes[0].js_cpu_ms = Some(crate::model::profile::Spread {
            p50: p95 / 2.0,
            p95,
            max: p95 * 3.0,
        });
        p
    }

    #[test]
    fn with_few_requests_the_median_is_compared_not_the_max() {
        // 3 requests: the p95 (24 ms) is the slowest one; the median (9 ms) is under 10.
        let mut p = cpu_profile(24.0);
        p.routes[0].status = BTreeMap::from([("200".to_string(), 3)]);
        p.routes[0].js_cpu_ms = Some(crate::model::profile::Spread {
            p50: 9.0,
            p95: 24.0,
            max: 24.0,
        });
        let limits = Limits::for_plan(Plan::Free);
        assert!(findings(&p, &limits, &[], &|_| Some(Severity::Error)).is_empty());
        p.routes[0].js_cpu_ms = Some(crate::model::profile::Spread {
            p50: 15.0,
            p95: 24.0,
            max: 24.0,
        });
        let found = findings(&p, &limits, &[], &|_| Some(Severity::Error));
        assert!(
            found[0]
                .message
                .starts_with("GET /: 15 ms of CPU per request (median of 3 requests:"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn cpu_over_the_limit_is_an_error_at_the_hottest_function_and_over_a_budget_a_warning() {
        let p = cpu_profile(12.5);
        let found = findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("cpu-over-limit", Severity::Error, Some(1))]
        );
        assert_eq!(found[0].file.as_deref(), Some("src/a.ts"));
        assert!(found[0].message.starts_with("GET /: 12.5 ms of CPU per request (p95 of 20 requests: the JavaScript samples of the V8 CPU profile, without the runtime's native calls), over the 10 ms of CPU a request may use on the Free plan; its hottest function of the project's own code is f (40%"), "{}", found[0].message);
        // Under the limit: silent, unless over a budget (a warning, the route's own first).
        let p = cpu_profile(6.0);
        assert!(findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| Some(
            Severity::Error
        ))
        .is_empty());
        let b = budgets(
            r#"[{"metric":"cpu","max":"8 ms"},{"metric":"cpu","max":"5 ms","route":"GET /"}]"#,
        );
        let found = findings(&p, &Limits::for_plan(Plan::Free), &b, &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("cpu-over-limit", Severity::Warning, Some(1))]
        );
        assert!(
            found[0]
                .message
                .contains("over the budget \"CPU per request of GET /\" (5 ms)"),
            "{}",
            found[0].message
        );
        let b = budgets(
            r#"[{"metric":"cpu","max":"8 ms"},{"metric":"cpu","max":"5 ms","route":"GET /other"}]"#,
        );
        assert!(findings(&p, &Limits::for_plan(Plan::Free), &b, &|_| Some(
            Severity::Error
        ))
        .is_empty());
        // Paid: the wrangler config's limits.cpu_ms, else 30 s.
        let mut paid = cpu_profile(60.0).with_limits(&Limits::for_plan(Plan::Paid));
        assert_eq!(paid.cpu_limit_ms, 50.0);
        assert_eq!(
            findings(&paid, &Limits::for_plan(Plan::Paid), &[], &|_| Some(
                Severity::Error
            ))
            .len(),
            1
        );
        paid.wrangler_cpu_ms = None;
        let paid = paid.with_limits(&Limits::for_plan(Plan::Paid));
        assert!(
            findings(&paid, &Limits::for_plan(Plan::Paid), &[], &|_| Some(
                Severity::Error
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_rule_turned_off_reports_nothing() {
        let p = cpu_profile(11.0);
        assert!(findings(&p, &Limits::for_plan(Plan::Free), &[], &|id| (id
            != "cpu-over-limit")
            .then_some(Severity::Error))
        .is_empty());
    }

    fn heap_profile(start: f64, end: f64, completed: u32) -> ProfileReport {
        let mut p = full_profile();
        p.queries.clear();
        p.routes.clear();
        p.completed = completed;
        let heap = p.heap.as_mut().unwrap();
        heap.start_mb = start;
        heap.end_mb = end;
        heap.growth_mb_per1k = (end - start) / f64::from(completed) * 1000.0;
        p
    }

    #[test]
    fn heap_growth_that_reaches_the_limit_is_reported_where_it_was_allocated_and_noise_is_not() {
        let limits = Limits::for_plan(Plan::Free);
        // 3 MB over 40 requests: 128 MB after ~1,600 more.
        let found = findings(&heap_profile(2.0, 5.0, 40), &limits, &[], &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("heap-growth", Severity::Error, Some(5))]
        );
        assert!(found[0].message.starts_with("the heap after GC went from 2 MB to 5 MB over 40 requests (75 MB per 1,000): at that rate one isolate reaches the 128 MB memory limit after about 1,640 more requests"), "{}", found[0].message);
        assert!(
            found[0]
                .message
                .ends_with("allocated in keep (0.5 MB sampled, run by GET /)"),
            "{}",
            found[0].message
        );
        // Too few requests, too small a growth, too slow: silent.
        assert!(
            findings(&heap_profile(2.0, 5.0, 10), &limits, &[], &|_| Some(
                Severity::Error
            ))
            .is_empty()
        );
        assert!(
            findings(&heap_profile(2.0, 2.9, 40), &limits, &[], &|_| Some(
                Severity::Error
            ))
            .is_empty()
        );
        assert!(
            findings(&heap_profile(2.0, 3.5, 10_000), &limits, &[], &|_| Some(
                Severity::Error
            ))
            .is_empty()
        );
        // Over the limit at the end: always; over a budget: a warning.
        assert_eq!(
            findings(&heap_profile(130.0, 130.0, 5), &limits, &[], &|_| Some(
                Severity::Error
            ))
            .len(),
            1
        );
        let b = budgets(r#"[{"metric":"heap","max":"4 MB"}]"#);
        let found = findings(&heap_profile(2.0, 4.5, 10), &limits, &b, &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("heap-growth", Severity::Warning, Some(5))]
        );
        assert!(
            found[0]
                .message
                .contains("over the budget \"heap after GC\" (4 MB)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn queries_over_the_d1_limit_or_a_budget_are_reported_at_the_line_that_sent_most() {
        let mut p = full_profile();
        p.queries.clear();
        p.heap = None;
        p.routes[0].js_cpu_ms = None;
        p.routes[0].d1.as_mut().unwrap().queries = CountSpread {
            p50: 51.0,
            max: 51.0,
        };
        let found = findings(&p, &Limits::for_plan(Plan::Free), &[], &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("queries-per-request", Severity::Error, Some(2))]
        );
        assert!(found[0].message.starts_with("GET /: one request sent 51 D1 queries in the profile run, over the 50 queries a Worker invocation may send to D1 on the Free plan"), "{}", found[0].message);
        assert!(findings(&p, &Limits::for_plan(Plan::Paid), &[], &|_| Some(
            Severity::Error
        ))
        .is_empty());
        let b = budgets(r#"[{"metric":"queries","max":10}]"#);
        let found = findings(&p, &Limits::for_plan(Plan::Paid), &b, &|_| {
            Some(Severity::Error)
        });
        assert_eq!(
            rules_of(&found),
            [("queries-per-request", Severity::Warning, Some(2))]
        );
    }

    #[test]
    fn profile_budgets_are_validated_naming_the_key() {
        let check = |json: &str| {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            let b: Vec<crate::model::budget::Budget> =
                crate::model::json::from_value(&value).unwrap();
            crate::model::budget::check(&b).map(|_| ())
        };
        assert!(check(r#"[{"metric":"cpu","max":"5 ms","route":"GET /"},{"metric":"heap","max":"32 MB"},{"metric":"queries","max":10}]"#).is_ok());
        assert!(
            check(r#"[{"metric":"heap","max":"32 MB","route":"GET /"}]"#)
                .unwrap_err()
                .starts_with("budgets[0].route: only the cpu and queries metrics are per route")
        );
        assert!(check(r#"[{"metric":"cpu","max":"5 MB"}]"#)
            .unwrap_err()
            .starts_with("budgets[0].max: the startup and cpu metrics take a duration"));
        assert!(check(r#"[{"metric":"queries","max":"ten"}]"#)
            .unwrap_err()
            .starts_with("budgets[0].max: the queries metric takes a whole number"));
        assert!(check(r#"[{"metric":"queries","max":2.5}]"#).is_err());
        assert!(check(r#"[{"metric":"heap","max":"5 ms"}]"#)
            .unwrap_err()
            .starts_with("budgets[0].max:"));
        assert!(check(r#"[{"metric":"cpu","maxIncrease":"5%"}]"#).unwrap_err().starts_with("budgets[0].maxIncrease: growth budgets measure sizes (raw, gzip, brotli, package), not cpu"));
        assert!(check(r#"[{"metric":"cpu","max":"5 ms","route":" "}]"#)
            .unwrap_err()
            .starts_with("budgets[0].route: empty route"));
    }
}
