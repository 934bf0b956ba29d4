//! Cloudflare Workers platform limits: ONE dated table, each entry with its
//! source. Config can override any of them (`limits` in the config file).

use serde::{Deserialize, Serialize};

/// When the table below was last checked against the documentation.
pub const LIMITS_CHECKED: &str = "2026-12-06";
pub const LIMITS_SOURCE: &str = "https://developers.cloudflare.com/workers/platform/limits/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    #[default]
    Free,
    Paid,
}

impl Plan {
    /// "Free", "Paid": as Cloudflare's pages name the plans.
    pub fn name(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Paid => "Paid",
        }
    }
}

/// One plan's limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// The plan whose row of the table this is (before overrides).
    #[serde(skip)]
    pub plan: Plan,
    /// Uncompressed script size after bundling (64 MiB on all plans since 2026-09).
    pub script_bytes: u64,
    /// Global scope must evaluate within this (error 10021 past it).
    pub startup_ms: f64,
    /// Isolate memory.
    pub memory_bytes: u64,
    /// CPU time per request (free: 10 ms; paid: 30 s by default, up to 5 min).
    pub cpu_ms: f64,
    /// Simultaneous open connections per request.
    pub open_connections: u32,
    /// Subrequests to the internet (`fetch`) per request.
    pub subrequests: u32,
    /// Subrequests to Cloudflare services (KV, R2, D1, Durable Objects,
    /// Queues) per request: a separate, larger budget on the Free plan.
    pub service_subrequests: u32,
    /// D1 queries per Worker invocation.
    pub d1_queries: u32,
}

struct LimitRow {
    what: &'static str,
    free: f64,
    paid: f64,
    since: &'static str,
    source: &'static str,
}

/// The table. `since` is when the value took effect; `source` the page section.
const TABLE: &[LimitRow] = &[
    LimitRow {
        what: "scriptBytes",
        free: 64.0 * 1024.0 * 1024.0,
        paid: 64.0 * 1024.0 * 1024.0,
        since: "2026-09",
        source: "limits#worker-size",
    },
    LimitRow {
        what: "startupMs",
        free: 1000.0,
        paid: 1000.0,
        since: "2023-01",
        source: "limits#worker-startup-time",
    },
    LimitRow {
        what: "memoryBytes",
        free: 128.0 * 1000.0 * 1000.0,
        paid: 128.0 * 1000.0 * 1000.0,
        since: "2018-01",
        source: "limits#memory",
    },
    LimitRow {
        what: "cpuMs",
        free: 10.0,
        paid: 30_000.0,
        since: "2024-03",
        source: "limits#cpu-time",
    },
    LimitRow {
        what: "openConnections",
        free: 6.0,
        paid: 6.0,
        since: "2020-01",
        source: "limits#simultaneous-open-connections",
    },
    LimitRow {
        what: "subrequests",
        free: 50.0,
        paid: 10_000.0,
        since: "2026-02",
        source: "limits#subrequests",
    },
    // "Workers on the free plan remain limited to 50 external subrequests
    // and 1000 subrequests to Cloudflare services per invocation"
    // (changelog 2026-02-11); on Paid one budget of 10,000 by default.
    LimitRow {
        what: "serviceSubrequests",
        free: 1000.0,
        paid: 10_000.0,
        since: "2026-02",
        source: "limits#subrequests",
    },
    // D1's own limits page: "Queries per Worker invocation (read
    // subrequest limits): 1000 (Workers Paid) / 50 (Free)".
    LimitRow {
        what: "d1Queries",
        free: 50.0,
        paid: 1000.0,
        since: "2026-04",
        source: "d1/platform/limits",
    },
];

fn value(what: &str, plan: Plan) -> f64 {
    let row = TABLE
        .iter()
        .find(|r| r.what == what)
        .expect("every limit has a row");
    match plan {
        Plan::Free => row.free,
        Plan::Paid => row.paid,
    }
}

impl Limits {
    pub fn for_plan(plan: Plan) -> Limits {
        Limits {
            plan,
            script_bytes: value("scriptBytes", plan) as u64,
            startup_ms: value("startupMs", plan),
            memory_bytes: value("memoryBytes", plan) as u64,
            cpu_ms: value("cpuMs", plan),
            open_connections: value("openConnections", plan) as u32,
            subrequests: value("subrequests", plan) as u32,
            service_subrequests: value("serviceSubrequests", plan) as u32,
            d1_queries: value("d1Queries", plan) as u32,
        }
    }

    /// Applies the config's `limits` overrides (keys as in the table:
    /// `scriptBytes`, `startupMs`, …); an unknown key is an error naming it.
    pub fn with_overrides(
        mut self,
        overrides: &std::collections::BTreeMap<String, f64>,
    ) -> Result<Limits, String> {
        for (key, &v) in overrides {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("limits.{key}: expected a positive number"));
            }
            match key.as_str() {
                "scriptBytes" => self.script_bytes = v as u64,
                "startupMs" => self.startup_ms = v,
                "memoryBytes" => self.memory_bytes = v as u64,
                "cpuMs" => self.cpu_ms = v,
                "openConnections" => self.open_connections = v as u32,
                "subrequests" => self.subrequests = v as u32,
                "serviceSubrequests" => self.service_subrequests = v as u32,
                "d1Queries" => self.d1_queries = v as u32,
                _ => {
                    let known: Vec<&str> = TABLE.iter().map(|r| r.what).collect();
                    return Err(format!(
                        "limits.{key}: unknown limit (expected {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(self)
    }
}

/// Where a limit comes from, for messages: "64 MiB (Workers limit since 2026-09, …)".
pub fn describe(what: &str) -> String {
    match TABLE.iter().find(|r| r.what == what) {
        Some(r) => match r.source.strip_prefix("limits#") {
            Some(anchor) => format!(
                "Workers limit since {}, checked {LIMITS_CHECKED}: {LIMITS_SOURCE}#{anchor}",
                r.since
            ),
            None => format!(
                "Cloudflare limit since {}, checked {LIMITS_CHECKED}: https://developers.cloudflare.com/{}/",
                r.since, r.source
            ),
        },
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_differ_where_the_platform_does() {
        let free = Limits::for_plan(Plan::Free);
        let paid = Limits::for_plan(Plan::Paid);
        assert_eq!(free.script_bytes, 64 * 1024 * 1024);
        assert_eq!(free.script_bytes, paid.script_bytes);
        assert_eq!(free.cpu_ms, 10.0);
        assert_eq!(paid.cpu_ms, 30_000.0);
        assert_eq!(free.subrequests, 50);
        assert_eq!(paid.subrequests, 10_000);
        assert_eq!(free.service_subrequests, 1000);
        assert_eq!(paid.service_subrequests, 10_000);
        assert_eq!(free.open_connections, 6);
        assert_eq!(free.startup_ms, 1000.0);
        assert_eq!(free.d1_queries, 50);
        assert_eq!(paid.d1_queries, 1000);
        assert!(describe("d1Queries")
            .ends_with("https://developers.cloudflare.com/d1/platform/limits/"));
    }

    #[test]
    fn overrides_replace_table_values() {
        let mut o = std::collections::BTreeMap::new();
        o.insert("cpuMs".to_string(), 50.0);
        let l = Limits::for_plan(Plan::Free).with_overrides(&o).unwrap();
        assert_eq!(l.cpu_ms, 50.0);
        assert_eq!(l.subrequests, 50);
        o.insert("cpuMillis".to_string(), 1.0);
        let e = Limits::for_plan(Plan::Free).with_overrides(&o).unwrap_err();
        assert!(
            e.starts_with("limits.cpuMillis: unknown limit (expected scriptBytes, "),
            "{e}"
        );
    }

    #[test]
    fn every_row_is_described() {
        for row in TABLE {
            assert!(describe(row.what).contains(row.since));
        }
    }
}
