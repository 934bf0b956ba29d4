//! `cpu-over-limit`: the declaration of a finding about a route's measured
//! CPU time per request, reported from a profile run
//! (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "cpu-over-limit", Cpu, Error,
    "A route whose CPU time per request went over the plan's CPU limit (or a cpu budget), measured in a profile run (perf-optimizer profile)",
    by "crate::analyses::profile::findings", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " · **Needs:** `perf-optimizer profile`",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A route of the `perf-optimizer profile` scenario whose CPU time per request,
at the 95th percentile of its requests, is over the plan's CPU limit: 10 ms on
Free; on Paid the wrangler config's `limits.cpu_ms`, else 30 s (the `cpuMs`
row of the limits table, overridable with `limits.cpuMs`). That is an error
(the rule's severity). Under the limit but over a `cpu` budget of the config
(`{ "metric": "cpu", "max": "5 ms" }`, for every route, or with
`"route": "GET /items"` for one) it is a warning.

The p95, not the max: the limit applies to every request, and a route whose
p95 is over it fails at least one request in twenty; the max is often one
outlier (the first request compiling the route's code, a collection, the
machine's own noise). A route with fewer than 20 answered requests is
judged by its median instead: the p95 of so few is their slowest one.

The figure is `jsCpuMs`: the samples of the run's V8 CPU profile (through
workerd's inspector) that are JavaScript running in the isolate (the
Worker's, its packages', the runtime's JS modules such as the D1 client) or
its garbage collection, shared by the requests in flight when each was
taken. Samples of the runtime's native calls (`(program)`, `fetch`) are left
out: locally the same thread also runs the simulated D1 and the stub, and
their time lands there. So work inside native calls (`crypto.subtle`,
compression streams) is not counted, and a request of under a few ms may get
no sample: the figure undercounts and never overcounts much (a sample's
weight is capped), and an overrun it shows is one. Measured against a direct
V8 measurement of the same hash loop in Node it is within 25%. The finding
points at the route's hottest function of the project's own code in the CPU
profile (through the bundle's source map).

The local CPU is not Cloudflare's: compare routes and changes, and leave
headroom.
"#,
        ),
        (
            "Why it matters",
            r#"
Past the CPU limit a request fails with error 1102 ("Worker exceeded resource
limits"); workerd does not enforce the limit locally, so the route works in
development and fails deployed.
"#,
        ),
        (
            "Bad",
            r#"
```js
// a password hash on every request: tens of ms of CPU
const key = await pbkdf2(password, salt, 600_000);
```
"#,
        ),
        (
            "Good",
            r#"
```js
// verify once, then a signed session cookie: microseconds per request
const session = await verifySession(request.headers.get("cookie"), env.SECRET);
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "cpu-over-limit": "off" | "info" | "warn" | "error" }` (a budget
finding is a warning at most); the limit follows `plan`, the wrangler config's
`limits.cpu_ms` (Paid) and `limits.cpuMs` in the config; budgets:
`"budgets": [{ "metric": "cpu", "max": "5 ms", "route": "GET /items" }]`.
"#,
        ),
    ],
    setup: "",
    examples: super::PROFILE_RUN,
};
