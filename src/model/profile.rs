//! `perf-optimizer profile`: the scenario as the config declares it
//! (`profile` key) and the measured block of the report (`profile`), which
//! the wrapper measures in workerd (js/profile.js) and the core completes
//! with the plan's limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::limits::Plan;

/// The largest request count of one run (`count`, `--requests`).
pub const MAX_REQUESTS: u32 = 10_000;
/// The most requests in flight at once (`concurrency`, `--concurrency`).
pub const MAX_CONCURRENCY: u32 = 64;
/// The longest run, in seconds (`maxSeconds`, `--max-seconds`).
pub const MAX_SECONDS: u32 = 600;

/// One request of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioRequest {
    /// How the route is named in the report (default: `METHOD path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// GET unless set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path and query, from `/`.
    pub path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Its share of the requests, relative to the others' (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// How the stub answers the Worker's outbound fetches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct StubConfig {
    /// Milliseconds before the stub answers (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u32>,
    /// Bytes of the stub's JSON response body (default 2: `{}`; a larger
    /// body is `{"perfOptimizerStub":"xxx…"}`; under 2, empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_bytes: Option<u32>,
}

/// The config's `profile` key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ProfileConfig {
    /// The requests, spread over `count` by weight. None: `GET /` and the
    /// parameter-free routes read from the source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<ScenarioRequest>,
    /// Requests in all (default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Requests in flight at once (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// The run's time cap in seconds (default 60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stub: Option<StubConfig>,
}

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl ProfileConfig {
    /// The checks serde's shapes do not make; errors name the key.
    pub fn check(&self) -> Result<(), String> {
        for (i, r) in self.requests.iter().enumerate() {
            let at = format!("profile.requests[{i}]");
            if !r.path.starts_with('/') {
                return Err(format!(
                    "{at}.path: expected a path from `/`, got {:?}",
                    r.path
                ));
            }
            if let Some(m) = &r.method {
                if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                    return Err(format!(
                        "{at}.method: expected one of {}, got {m:?}",
                        METHODS.join(", ")
                    ));
                }
            }
            if let Some(w) = r.weight {
                if !(w.is_finite() && w > 0.0) {
                    return Err(format!("{at}.weight: expected a number above 0, got {w}"));
                }
            }
        }
        let range = |key: &str, v: Option<u32>, min: u32, max: u32| match v {
            Some(n) if n < min || n > max => Err(format!(
                "profile.{key}: expected a whole number from {min} to {max}, got {n}"
            )),
            _ => Ok(()),
        };
        range("count", self.count, 1, MAX_REQUESTS)?;
        range("concurrency", self.concurrency, 1, MAX_CONCURRENCY)?;
        range("maxSeconds", self.max_seconds, 1, MAX_SECONDS)?;
        if let Some(stub) = &self.stub {
            range("stub.delayMs", stub.delay_ms, 0, 60_000)?;
            range("stub.bodyBytes", stub.body_bytes, 0, 16 * 1024 * 1024)?;
        }
        Ok(())
    }
}

/// p50, p95 and max of a measure over a route's requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Spread {
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

/// p50 and max of a count over a route's requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct CountSpread {
    pub p50: f64,
    pub max: f64,
}

/// D1 per request, from D1's result metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileD1 {
    pub queries: CountSpread,
    pub rows_read: CountSpread,
    pub rows_written: CountSpread,
}

/// Requests of a route that gave no response of the Worker's: it threw, or
/// was cut off by the time cap, or could not be sent; not in the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileError {
    /// "threw", "hung" (workerd cancelled a handler waiting on nothing),
    /// "timeout" (cut off by the time cap) or "failed" (not sent).
    pub kind: String,
    pub message: String,
    pub count: u32,
    /// Where it was thrown, in the sources (through the bundle's source map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// A function by self CPU time on a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TopFunction {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    pub self_ms: f64,
    pub share: f64,
}

/// One route of the scenario, measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileRoute {
    /// `GET /items`, or the scenario's name for it.
    pub route: String,
    /// Requests sent (answered, failed or cut off).
    pub requests: u32,
    /// Responses by HTTP status.
    pub status: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProfileError>,
    /// Over the answered requests (none answered: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_ms: Option<Spread>,
    /// From the V8 CPU profile: the samples taken while the request was in
    /// flight (see `cpu_sampled_requests` for how many had any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<Spread>,
    /// Answered requests with at least one CPU sample of the Worker's code.
    #[serde(default)]
    pub cpu_sampled_requests: u32,
    /// CPU time of the whole workerd process while the request was the only
    /// one in flight (Linux, concurrency 1): the Worker's code, the
    /// runtime's own work and the local D1's SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_cpu_ms: Option<Spread>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subrequests: Option<CountSpread>,
    /// The most outbound fetches one request had open at once.
    #[serde(default)]
    pub peak_connections: u32,
    /// With a D1 binding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d1: Option<ProfileD1>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_functions: Vec<TopFunction>,
    /// The request's method and path as sent (the route's name may be the
    /// scenario's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What its 2xx answers show about caching it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responses: Option<ProfileResponses>,
    /// I/O it repeated with the same input in more than one request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<ProfileRepeat>,
    /// The route's part of the CPU profile as a call tree, for a flame graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_tree: Option<CallTree>,
    /// The part of `cpu_ms` that is JavaScript running in the isolate (the
    /// Worker's, its packages', the runtime's JS modules) or its garbage
    /// collection: not the samples of native calls ("(program)", `fetch`),
    /// which locally also land while the thread runs the simulated D1 and
    /// the stub. What `cpu-over-limit` compares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_cpu_ms: Option<Spread>,
    /// The statement the route sent most, with where it was sent from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_query: Option<RouteQuery>,
    /// The first-party line that made most of the route's outbound fetches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_from: Option<SourceLine>,
}

/// A route's CPU samples as a call tree: each frame mapped through the
/// bundle's source map to a first-party file:line or a package, the calls
/// of the same function from the same caller merged, over all of the
/// route's requests. Pruned: a node under 0.5% of the route's CPU, or past
/// the largest 200, is folded into its caller's self time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CallTree {
    /// Depth first, each node after its caller, callees by total time (the
    /// largest first); `nodes[0]` is the root (`(root)`, the route's CPU).
    pub nodes: Vec<CallNode>,
    /// Nodes folded into their callers by the pruning.
    #[serde(default)]
    pub folded_nodes: u32,
}

/// A function in a call tree: with one caller (its `parent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CallNode {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The caller's index in `nodes` (none for the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// CPU ms in the function itself (and in its folded callees).
    pub self_ms: f64,
    /// CPU ms in the function and everything it called.
    pub total_ms: f64,
}

/// A route's 2xx answers compared: could a cache keyed by the URL serve them?
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileResponses {
    /// 2xx answers compared.
    pub compared: u32,
    /// How many of them had the same body (the most common one).
    pub identical: u32,
    /// That body's size.
    pub body_bytes: u64,
    /// `name: value` of the caching headers they carried (Cache-Control,
    /// CDN-Cache-Control, Cloudflare-CDN-Cache-Control, Expires, Vary).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caching_headers: Vec<String>,
    /// Answers that set a cookie.
    #[serde(default)]
    pub set_cookie: u32,
    /// Request headers the Worker read (lower case; `*`: it iterated them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_headers: Vec<String>,
}

/// One piece of I/O a route repeated with the same input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileRepeat {
    /// "query" (the same SQL with the same parameters) or "subrequest"
    /// (`METHOD url`).
    pub kind: String,
    pub text: String,
    /// A query's bound parameters, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<String>,
    /// Requests of the route that sent it.
    pub requests: u32,
}

/// The D1 statement a route sent most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RouteQuery {
    pub sql: String,
    /// The most times one request sent it.
    pub max_per_request: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// A line of the Worker's own code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SourceLine {
    pub file: String,
    pub line: u32,
}

/// Where memory that was still live after the final GC was allocated (V8's
/// sampling heap profiler over the run), by function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct HeapSite {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Live bytes the sampling profiler attributes to it, in MB.
    pub mb: f64,
    /// The routes whose CPU samples ran it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

/// The isolate's heap after a forced garbage collection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileHeap {
    pub start_mb: f64,
    pub end_mb: f64,
    pub growth_mb_per1k: f64,
    #[serde(default)]
    pub limit_mb: f64,
    /// The functions that allocated most of what was still live at the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retained: Vec<HeapSite>,
}

/// A distinct SQL statement the run sent to D1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileQuery {
    pub sql: String,
    pub count: u32,
    /// D1 bindings it was sent to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_scan: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The Worker's outbound fetches over the whole run, as the stub saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileOutbound {
    pub requests: u32,
    /// The most open at once, all requests together.
    pub peak_open: u32,
    /// Answered by the stub (false with `--allow-network`).
    pub stubbed: bool,
}

/// The report's `profile` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileReport {
    /// Whose limits the figures are compared with (set by the core).
    #[serde(default)]
    pub plan: Plan,
    /// Requests asked for.
    pub requests: u32,
    /// Requests sent before the run ended (fewer when the time cap cut it off).
    pub completed: u32,
    pub concurrency: u32,
    /// Where the requests came from: "config", "cli" or "source" (GET / and
    /// the parameter-free routes read from the source).
    pub scenario: String,
    /// The run hit its time cap.
    #[serde(default)]
    pub cut_off: bool,
    /// The plan's CPU limit per request (set by the core).
    #[serde(default)]
    pub cpu_limit_ms: f64,
    pub routes: Vec<ProfileRoute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap: Option<ProfileHeap>,
    #[serde(default)]
    pub queries: Vec<ProfileQuery>,
    #[serde(default)]
    pub outbound: ProfileOutbound,
    /// What the reader should know about how it was measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `limits.cpu_ms` of the wrangler config: the CPU limit on the Paid plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrangler_cpu_ms: Option<f64>,
}

impl ProfileReport {
    /// Fills in what the limits decide: the plan, the CPU limit, the heap limit.
    pub fn with_limits(mut self, limits: &super::limits::Limits) -> ProfileReport {
        self.plan = limits.plan;
        self.cpu_limit_ms = match (limits.plan, self.wrangler_cpu_ms) {
            (Plan::Paid, Some(ms)) if ms > 0.0 => ms,
            _ => limits.cpu_ms,
        };
        if let Some(heap) = &mut self.heap {
            heap.limit_mb = limits.memory_bytes as f64 / 1_000_000.0;
        }
        self
    }
}

// ----- reading it back (the report's `profile`, the analyze input's `profile`) -----

use super::json::{from_json_by_deserialize, from_json_struct};

from_json_by_deserialize!(Plan, Spread, CountSpread, ProfileD1, ProfileOutbound);

from_json_struct! {
    ProfileReport { plan: "plan" opt, requests: "requests" req, completed: "completed" req, concurrency: "concurrency" req, scenario: "scenario" req, cut_off: "cutOff" opt, cpu_limit_ms: "cpuLimitMs" opt, routes: "routes" req, heap: "heap" opt, queries: "queries" opt, outbound: "outbound" opt, notes: "notes" opt, wrangler_cpu_ms: "wranglerCpuMs" opt }
    ProfileRoute { route: "route" req, requests: "requests" req, status: "status" req, errors: "errors" opt, wall_ms: "wallMs" opt, cpu_ms: "cpuMs" opt, cpu_sampled_requests: "cpuSampledRequests" opt, process_cpu_ms: "processCpuMs" opt, subrequests: "subrequests" opt, peak_connections: "peakConnections" opt, d1: "d1" opt, top_functions: "topFunctions" opt, method: "method" opt, path: "path" opt, responses: "responses" opt, repeats: "repeats" opt, call_tree: "callTree" opt, js_cpu_ms: "jsCpuMs" opt, top_query: "topQuery" opt, fetched_from: "fetchedFrom" opt }
    ProfileResponses { compared: "compared" req, identical: "identical" req, body_bytes: "bodyBytes" req, caching_headers: "cachingHeaders" opt, set_cookie: "setCookie" opt, read_headers: "readHeaders" opt }
    ProfileRepeat { kind: "kind" req, text: "text" req, params: "params" opt, requests: "requests" req }
    CallTree { nodes: "nodes" req, folded_nodes: "foldedNodes" opt }
    CallNode { name: "name" req, file: "file" opt, line: "line" opt, package: "package" opt, parent: "parent" opt, self_ms: "selfMs" req, total_ms: "totalMs" req }
    RouteQuery { sql: "sql" req, max_per_request: "maxPerRequest" req, file: "file" opt, line: "line" opt }
    SourceLine { file: "file" req, line: "line" req }
    HeapSite { name: "name" req, file: "file" opt, line: "line" opt, package: "package" opt, mb: "mb" req, routes: "routes" opt }
    ProfileHeap { start_mb: "startMb" req, end_mb: "endMb" req, growth_mb_per1k: "growthMbPer1k" req, limit_mb: "limitMb" opt, retained: "retained" opt }
    ProfileError { kind: "kind" req, message: "message" req, count: "count" req, file: "file" opt, line: "line" opt }
    TopFunction { name: "name" req, file: "file" opt, line: "line" opt, package: "package" opt, self_ms: "selfMs" req, share: "share" req }
    ProfileQuery { sql: "sql" req, count: "count" req, bindings: "bindings" opt, plan: "plan" opt, full_scan: "fullScan" opt, table: "table" opt, file: "file" opt, line: "line" opt }
}

/// A profile block with every field set (none left out by `skip_serializing_if`).
#[cfg(test)]
pub(crate) fn full_profile() -> ProfileReport {
    ProfileReport {
        plan: Plan::Paid,
        requests: 4,
        completed: 4,
        concurrency: 1,
        scenario: "cli".into(),
        cut_off: true,
        cpu_limit_ms: 10.0,
        routes: vec![ProfileRoute {
            route: "GET /".into(),
            requests: 4,
            status: BTreeMap::from([("200".to_string(), 3)]),
            errors: vec![ProfileError {
                kind: "threw".into(),
                message: "Error: x".into(),
                count: 1,
                file: Some("src/a.ts".into()),
                line: Some(3),
            }],
            wall_ms: Some(Spread {
                p50: 1.0,
                p95: 2.0,
                max: 3.0,
            }),
            cpu_ms: Some(Spread {
                p50: 0.5,
                p95: 0.7,
                max: 0.9,
            }),
            cpu_sampled_requests: 3,
            process_cpu_ms: Some(Spread {
                p50: 1.5,
                p95: 1.7,
                max: 1.9,
            }),
            subrequests: Some(CountSpread { p50: 1.0, max: 2.0 }),
            peak_connections: 2,
            d1: Some(ProfileD1::default()),
            top_functions: vec![TopFunction {
                name: "f".into(),
                file: Some("src/a.ts".into()),
                line: Some(1),
                package: None,
                self_ms: 0.2,
                share: 0.4,
            }],
            method: Some("GET".into()),
            path: Some("/".into()),
            responses: Some(ProfileResponses {
                compared: 3,
                identical: 3,
                body_bytes: 10,
                caching_headers: vec!["vary: accept".into()],
                set_cookie: 1,
                read_headers: vec!["accept".into()],
            }),
            repeats: vec![ProfileRepeat {
                kind: "query".into(),
                text: "select 1".into(),
                params: Some("[1]".into()),
                requests: 3,
            }],
            call_tree: Some(CallTree {
                nodes: vec![
                    CallNode {
                        name: "(root)".into(),
                        file: None,
                        line: None,
                        package: None,
                        parent: None,
                        self_ms: 0.0,
                        total_ms: 0.5,
                    },
                    CallNode {
                        name: "f".into(),
                        file: Some("src/a.ts".into()),
                        line: Some(1),
                        package: None,
                        parent: Some(0),
                        self_ms: 0.2,
                        total_ms: 0.3,
                    },
                    CallNode {
                        name: "parse".into(),
                        file: None,
                        line: None,
                        package: Some("zod".into()),
                        parent: Some(1),
                        self_ms: 0.1,
                        total_ms: 0.1,
                    },
                ],
                folded_nodes: 2,
            }),
            js_cpu_ms: Some(Spread {
                p50: 0.4,
                p95: 0.6,
                max: 0.8,
            }),
            top_query: Some(RouteQuery {
                sql: "select 1".into(),
                max_per_request: 2,
                file: Some("src/a.ts".into()),
                line: Some(2),
            }),
            fetched_from: Some(SourceLine {
                file: "src/a.ts".into(),
                line: 4,
            }),
        }],
        heap: Some(ProfileHeap {
            start_mb: 1.0,
            end_mb: 2.0,
            growth_mb_per1k: 250.0,
            limit_mb: 128.0,
            retained: vec![HeapSite {
                name: "keep".into(),
                file: Some("src/a.ts".into()),
                line: Some(5),
                package: None,
                mb: 0.5,
                routes: vec!["GET /".into()],
            }],
        }),
        queries: vec![ProfileQuery {
            sql: "select 1".into(),
            count: 2,
            bindings: vec!["DB".into()],
            plan: Some("SCAN t".into()),
            full_scan: Some(true),
            table: Some("t".into()),
            file: None,
            line: None,
        }],
        outbound: ProfileOutbound {
            requests: 4,
            peak_open: 2,
            stubbed: true,
        },
        notes: vec!["n".into()],
        wrangler_cpu_ms: Some(50.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Result<ProfileConfig, String> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let c: ProfileConfig = crate::model::json::from_value(&value).map_err(|e| e.to_string())?;
        c.check().map(|()| c)
    }

    #[test]
    fn a_scenario_reads_and_bad_fields_are_named() {
        let c = config(r#"{"requests":[{"name":"list","method":"get","path":"/items","headers":{"a":"b"},"body":"x","weight":2}],"count":20,"concurrency":2,"maxSeconds":5,"stub":{"delayMs":3,"bodyBytes":10}}"#).unwrap();
        assert_eq!(c.requests[0].weight, Some(2.0));
        assert_eq!(c.count, Some(20));
        assert!(config(r#"{"requests":[{"path":"items"}]}"#)
            .unwrap_err()
            .starts_with("profile.requests[0].path"));
        assert!(config(r#"{"requests":[{"path":"/","method":"BREW"}]}"#)
            .unwrap_err()
            .starts_with("profile.requests[0].method"));
        assert!(config(r#"{"requests":[{"path":"/","weight":0}]}"#)
            .unwrap_err()
            .starts_with("profile.requests[0].weight"));
        assert!(config(r#"{"count":0}"#)
            .unwrap_err()
            .starts_with("profile.count"));
        assert!(config(r#"{"concurrency":65}"#)
            .unwrap_err()
            .starts_with("profile.concurrency"));
        assert!(config(r#"{"requests":[{"path":"/","verb":"GET"}]}"#)
            .unwrap_err()
            .contains("unknown field `verb`"));
    }

    #[test]
    fn the_report_block_reads_back_as_written() {
        let report = full_profile();
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains("\"growthMbPer1k\":250.0"), "{text}");
        assert!(
            text.contains("\"callTree\":{\"nodes\":[{\"name\":\"(root)\",\"selfMs\":0.0,\"totalMs\":0.5},{\"name\":\"f\",\"file\":\"src/a.ts\",\"line\":1,\"parent\":0,"),
            "{text}"
        );
        assert!(text.contains("\"foldedNodes\":2}"), "{text}");
        let back: ProfileReport = crate::model::json::read_str(&text).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn the_call_tree_is_optional() {
        let mut report = full_profile();
        let mut value = serde_json::to_value(&report).unwrap();
        let route = &mut value["routes"][0];
        route.as_object_mut().unwrap().remove("callTree");
        let back: ProfileReport = crate::model::json::FromJson::from_json(&value).unwrap();
        report.routes[0].call_tree = None;
        assert_eq!(back, report);
        assert!(!serde_json::to_string(&back).unwrap().contains("callTree"));
        // A node without its times is refused, naming the field.
        value["routes"][0]["callTree"] = serde_json::json!({ "nodes": [{ "name": "(root)" }] });
        let err = <ProfileReport as crate::model::json::FromJson>::from_json(&value).unwrap_err();
        assert!(err.to_string().contains("selfMs"), "{err}");
    }
}
