//! `d1-full-scan`: the declaration of a finding about a measured query plan,
//! reported from a profile run (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "d1-full-scan", Database, Warning,
    "A D1 query whose SQLite plan reads a whole table, seen in a profile run (perf-optimizer profile)",
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
A SQL statement the Worker sent to D1 during `perf-optimizer profile` whose
query plan reads a table whole. Each distinct statement of the run gets
SQLite's `EXPLAIN QUERY PLAN`, on the local D1 database with the project's
migrations applied; a step `SCAN <table>` (not `SCAN … USING INDEX`, not
`SEARCH`) is a full scan. The finding points at the line of the Worker's own
code that sent the statement (the stack of the D1 call, through the bundle's
source map, past the frames of packages such as drizzle-orm), and quotes the
plan and how often the run sent it.

The plan is the local schema's: an index that exists only in production, or a
table whose statistics differ, can make production's plan differ.
"#,
        ),
        (
            "Why it matters",
            r#"
D1 bills every row a query reads, and a full scan reads them all: its cost and
its latency grow with the table. On a request path that is every request.
"#,
        ),
        (
            "Bad",
            r#"
```sql
-- migrations/0001_orders.sql
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);
```

```js
// plan: SCAN orders
await env.DB.prepare("SELECT id, total FROM orders WHERE user_id = ?").bind(userId).all();
```
"#,
        ),
        (
            "Good",
            r#"
```sql
-- migrations/0002_orders_user_id.sql
CREATE INDEX orders_user_id_idx ON orders (user_id);
```

```js
// plan: SEARCH orders USING INDEX orders_user_id_idx (user_id=?)
await env.DB.prepare("SELECT id, total FROM orders WHERE user_id = ?").bind(userId).all();
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "d1-full-scan": "off" | "info" | "warn" | "error" }`. A
`// perf-optimizer-disable-next-line d1-full-scan -- reason` comment above the
line a finding points to silences that finding (a scan of a table that stays
small, on purpose).
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the example is a profile run in workerd with a migrated local D1 (tests/profile.test.mjs covers it end to end; the tests in crate::analyses::profile, on a recorded profile block)",
    ),
};
