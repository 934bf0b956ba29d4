//! `queries-per-request`: the declaration of a finding about a route's
//! measured D1 queries per request, reported from a profile run
//! (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "queries-per-request", Database, Error,
    "A route that sent more D1 queries in one request than a Worker invocation may (or a queries budget), measured in a profile run (perf-optimizer profile)",
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
A route of the `perf-optimizer profile` scenario where one request sent more
D1 queries than a Worker invocation may: 50 on Free, 1,000 on Paid (D1's
limits page; the `d1Queries` row of the limits table, overridable with
`limits.d1Queries`): an error, the rule's severity. Under the limit but over a
`queries` budget of the config (`{ "metric": "queries", "max": 10 }`, for
every route, or with `"route": "GET /items"` for one): a warning. The count
is the most any one request of the route sent (each statement of a `batch`
counts), from the D1 binding's fetcher inside the Worker. The finding points
at the line that sent the route's most frequent statement.

Whether the count grows with the data (N+1) is not measured: the run has one
local database.
"#,
        ),
        (
            "Why it matters",
            r#"
Past the limit, the queries fail; each query is also a round trip to the
database, so a route that loops over rows with a query each is slow long
before it reaches the limit.
"#,
        ),
        (
            "Bad",
            r#"
```js
for (const id of ids) {
  rows.push(await env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(id).first());
}
```
"#,
        ),
        (
            "Good",
            r#"
```js
const { results: rows } = await env.DB.prepare(
  `SELECT * FROM items WHERE id IN (${ids.map(() => "?").join(",")})`,
).bind(...ids).all();
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "queries-per-request": "off" | "info" | "warn" | "error" }` (a
budget finding is a warning at most); the limit follows `plan` and
`limits.d1Queries`; budgets: `"budgets": [{ "metric": "queries", "max": 10,
"route": "GET /items" }]`.
"#,
        ),
    ],
    setup: "",
    examples: super::PROFILE_RUN,
};
