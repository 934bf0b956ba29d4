//! `subrequest-limit`: the declaration of a finding about a measured count of
//! subrequests, reported from a profile run (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "subrequest-limit", Limits, Error,
    "A route that made more outbound fetches in one request than the plan allows, measured in a profile run (perf-optimizer profile)",
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
A route of the `perf-optimizer profile` scenario where one request made more
outbound fetches (`fetch`, answered locally by the stub) than a request may
make on the plan: 50 on Free, 10,000 on Paid (the `subrequests` row of the
limits table, overridable with `limits.subrequests`). The count is the most
any one request of the route made; the finding names the route (a run knows
the route, not the line: the source rules `subrequest-in-loop` and
`unbounded-concurrency` point at the code).
"#,
        ),
        (
            "Why it matters",
            r#"
Past the limit, `fetch` throws ("Too many subrequests") in production; locally
workerd lets it through, so the route works in development and fails deployed.
"#,
        ),
        (
            "Bad",
            r#"
```js
// one fetch per id: 80 ids, 80 subrequests
const rows = await Promise.all(ids.map((id) => fetch(`${API}/items/${id}`)));
```
"#,
        ),
        (
            "Good",
            r#"
```js
// one request for many items
const rows = await (await fetch(`${API}/items?ids=${ids.join(",")}`)).json();
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "subrequest-limit": "off" | "info" | "warn" | "error" }`; the
limit follows `plan` and `limits.subrequests` in the config.
"#,
        ),
    ],
    setup: "",
    examples: super::PROFILE_RUN,
};
