//! `connection-limit`: the declaration of a finding about a measured number
//! of simultaneous outbound connections, reported from a profile run
//! (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "connection-limit", Limits, Warning,
    "A route that had more outbound fetches open at once than a Worker may keep open (6), measured in a profile run (perf-optimizer profile)",
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
A route of the `perf-optimizer profile` scenario where one request had more
outbound fetches open at the same time than the 6 simultaneous open
connections a Worker may keep (the `openConnections` row of the limits
table, overridable with `limits.openConnections`). A fetch counts as open from
the call until its response arrives; the count is the most any one request of
the route had. The finding names the route; the source rule
`unbounded-concurrency` points at the code.
"#,
        ),
        (
            "Why it matters",
            r#"
In production the connections past the sixth wait until one closes, so a
fan-out takes several round trips instead of one and can time out; workerd
does not enforce the limit locally, so the wait only shows deployed.
"#,
        ),
        (
            "Bad",
            r#"
```js
// 8 fetches started together: 2 of them wait for a free connection
await Promise.all(ids.map((id) => fetch(`${API}/shipments/${id}`)));
```
"#,
        ),
        (
            "Good",
            r#"
```js
for (let i = 0; i < ids.length; i += 6) {
  await Promise.all(ids.slice(i, i + 6).map((id) => fetch(`${API}/shipments/${id}`)));
}
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "connection-limit": "off" | "info" | "warn" | "error" }`; the
limit follows `limits.openConnections` in the config.
"#,
        ),
    ],
    setup: "",
    examples: super::PROFILE_RUN,
};
