//! `drizzle-unbounded-select`: a list query with no `.limit()`, no
//! single-row access (`.get()`, `findFirst`, `.then(r => r[0])`,
//! `const [row] = await …`), no equality on the primary key or a unique
//! column and no range of both ends on a date or integer column — it returns
//! every matching row, however many the table grows to.
//! Also raw D1 `prepare('SELECT …')` without LIMIT run with `.all()`.

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::query::{Api, ColumnRef, Ends, Filter, Op, QueryFact, QueryKind};
use crate::model::report::{Category, Severity};
use crate::model::text::limit;

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "drizzle-unbounded-select",
        category: Category::Database,
        severity: Severity::Warning,
        summary: "A list query with no limit, no single-row access and no primary-key/unique equality: it returns every matching row.",
    },
    kind: crate::engine::declare::Kind::Project(check),
    options: crate::engine::declare::options::<crate::engine::declare::NoOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A list query that returns every matching row, however large the table grows:

- a Drizzle `db.select()…` with no `.limit()`, no single-row access (`.get()`,
  `.limit(1)`, `.then((r) => r[0])`, `const [row] = await …`,
  `(await …)[0]`) and no equality on the primary key or a unique column;
- `db.query.t.findMany({ … })` without `limit` (`findFirst` is fine);
- a raw D1 `env.DB.prepare('SELECT …')` without `LIMIT` run with `.all()`.

Primary keys and unique columns come from the project's schema (Drizzle and
SQL); without a schema for the table only queries with no equality filter at
all are reported.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every row is materialized in the Worker, which has 128 MB of memory per
isolate, and serialized into the response within the CPU time limit (10 ms on
the Free plan). On D1 every row read is billed. A query that returns 50 rows
today returns 50,000 after a year.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const rows = await db.select().from(orders).where(eq(orders.userId, id));
const { results } = await env.DB.prepare('SELECT * FROM orders WHERE status = ?').bind(s).all();
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const rows = await db
  .select({ id: orders.id, total: orders.total, createdAt: orders.createdAt })
  .from(orders)
  .where(and(eq(orders.userId, id), cursor ? lt(orders.createdAt, cursor) : undefined))
  .orderBy(desc(orders.createdAt))
  .limit(50);
const { results } = await env.DB.prepare('SELECT id FROM orders WHERE status = ? LIMIT ?').bind(s, 50).all();
```
"#,
        ),
        (
            "Not reported",
            r#"
- Aggregates without `groupBy` (`db.select({ n: count() })`, `SELECT count(*)`):
  one row, whatever else the projection selects (`{ id: t.id, n: count(t.x) }`);
  a window function (`count(*) over (…)`) is no aggregate.
- `inArray(column, ids)` lookups (a batch of known keys: the usual fix for N+1).
- A range of both ends on a date, time or integer column, in top-level
  conjuncts (`between(logs.date, from, to)`, or `gte(logs.date, from)` with
  `lt(logs.date, to)`; `BETWEEN ? AND ?` in SQL): the rows of a window. A
  text column counts when its name says it holds a date or time (`date`,
  `createdAt`, `logged_on`). With a `groupBy`, only when every key is such a
  column (`.groupBy(logs.date)`: at most one row per value in the range).
  Equality on a column of days or instants is the narrowest window
  (`eq(payments.date, day)`: one day's rows); not on a month or a year.
- A `groupBy` / `GROUP BY` (or `SELECT DISTINCT`) whose every key is a
  column of few values: a declared list (`text({ enum: [...] })`,
  `CHECK (status IN ('a', 'b'))` in a migration), a boolean, or a name that
  says so (`type`, `kind`, `status`, `locale`, `year`, `role`, …): one row
  per value; or a column the filter fixes (`WHERE user_id = ? GROUP BY
  user_id`: one row).
- Tables small by their declaration: a primary key of at most 3 characters
  (`varchar(2)` country codes) or from a declared list (`text({ enum })`),
  and reference tables of a naturally small set — categories, countries,
  currencies, languages, locales, regions, roles, permissions, plans, tiers,
  time zones, units, statuses, priorities, types, kinds (the table's name
  says which: `issue_statuses`) — that refer to no other
  table (a join table such as `user_roles` grows with its users and is
  reported), and the application's settings (`settings`, `app_config`,
  `options`) when no column names an owner (`user_id`, `orgId`).
- Rows the app caps: the code refuses to go past a count of the rows the
  query returned (`if (rows.length >= 5) throw …`, a literal of at least 2).
- Equality on every column of a unique key (the primary key, a unique
  index) but one that holds few values by its declaration or its name — a
  declared list, a boolean, a locale, language, year, month, role, type or
  status (`uniqueIndex().on(t.slug, t.locale)` with `eq(t.slug, s)`: a row
  per locale; `primaryKey(userId, roleId)` with `eq(userId, id)`).
- Equality on a column named `uuid` or `guid`, unique by declaration or
  not: it identifies a row, as `id` does.
- One owner's rows (equality on `user_id`, `teamId`, …) of a table of what
  an owner has a few of by nature: memberships, members, roles, passkeys,
  credentials, authenticators, API keys, invitations, linked identities,
  providers, preferences (the table's name says which); one row's
  schedules, shifts, opening hours or variants (equality on a column that
  refers to it: `employee_id`, `serviceId`).
- Subqueries, queries with a condition or a `groupBy` key the analysis
  cannot read (a variable, ``sql`strftime('%m', created_at)` ``, the name
  of an expression in the select list: `CASE … END AS bucket … GROUP BY
  bucket`), a raw SQL text with a substitution where a clause starts
  (`` `FROM t ${where} ORDER BY …` ``: its LIMIT is read after it),
  `.$dynamic()` queries, relational queries whose options spread an object
  written elsewhere (`{ columns, ...query }`: it may hold the `limit`), and
  queries repeated in a loop (reported by `drizzle-query-in-loop`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
A filter on one owner's foreign key (`eq(orders.userId, id)`) is still
reported: one user's rows grow with that user's history. So is an aggregate
with `groupBy` on another column, or a `SELECT DISTINCT` of one: it returns
one row per group, as many as the groups grow to (the message says so). A
one-sided range (`gte(logs.date, from)` alone) or one under `or(...)` bounds
nothing. How wide a window is (a day, or from 1970
to now) is not known: a range of both ends is taken as a window.
A query stored in a variable is judged where the variable is used in the
same file: a `.limit()`, `.get()` or `.then((r) => r[0])` chained on it
there bounds it, and `inArray(col, q)`/`exists(q)` makes it a subquery; a
query passed to another function and bounded there is not followed. A table
that is small by design but says so nowhere in its schema (a few settings
rows, a restaurant's menu) should be suppressed with a reason: `// perf-optimizer-disable-next-line drizzle-unbounded-select -- at most 10 plans`.
"#,
        ),
    ],
    setup: r#"
# @d1 DB
# @file src/schema.ts
# import { integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
# export const orders = sqliteTable('orders', {
#   id: text('id').primaryKey(),
#   userId: text('user_id').notNull(),
#   status: text('status'),
#   total: integer('total'),
#   createdAt: integer('created_at'),
# }, (t) => [index('orders_user').on(t.userId, t.createdAt)]);
# @file src/index.ts
# import { and, eq, desc, lt } from 'drizzle-orm';
# import { drizzle } from 'drizzle-orm/d1';
# import { orders } from './schema';
# export default { async fetch(req: Request, env: Env) {
#   const db = drizzle(env.DB);
# @example
#   return new Response('ok');
# } };
"#,
    examples: crate::engine::declare::Examples::Run,
};

fn check(p: &Project<'_>, r: &mut Reporter<'_>) {
    for (fi, (path, facts)) in p.files.iter().enumerate() {
        for q in &facts.queries {
            if q.kind != QueryKind::Select
                || q.subquery
                || q.single_row
                || q.limited
                || q.dynamic
                || q.capped
            {
                continue;
            }
            // The N+1 rule already covers queries repeated per element.
            // A condition, or a grouping key, it cannot read: how many
            // rows or groups is not known.
            if q.per_iteration.is_some() || q.opaque_where || q.opaque_group {
                continue;
            }
            if q.api == Api::RawD1 && !matches!(q.exec.as_deref(), Some("all" | "raw")) {
                continue;
            }
            // `SELECT 1`, `SELECT datetime('now')`: no table, no rows to read.
            if q.api == Api::RawD1
                && q.table_text.is_empty()
                && !q.text.to_ascii_uppercase().contains("FROM")
            {
                continue;
            }
            // `inArray(col, ids)`: a lookup of known keys (the fix for N+1).
            let keyed = q
                .filters
                .iter()
                .any(|f| f.conjunct && !f.optional && !f.via_expr && f.op == Op::In);
            if keyed {
                continue;
            }
            let main = p.query_table(fi, q);
            // `between(t.date, from, to)`: a window of dates (or numbers),
            // and a `groupBy` on it returns one row per value in it.
            let windows = windowed_columns(p, fi, q, main);
            if !windows.is_empty() && q.group_by.iter().all(|g| windows.iter().any(|w| w.table == g.table && w.key == g.key)) {
                continue;
            }
            // `GROUP BY status` of a column whose values are a declared
            // list (an enum, `CHECK (status IN (…))`): a row per value.
            let listed = |g: &crate::knowledge::query::ColumnRef| {
                main.and_then(|m| p.column(fi, g, q, m))
                    .and_then(|(t, name)| p.tables[t].column(&name))
                    .is_some_and(crate::knowledge::schema::few_values)
            };
            if !q.group_by.is_empty() && q.group_by.iter().all(listed) {
                continue;
            }
            // `GROUP BY user_id` with `user_id = ?`: one group, one row.
            if let Some(m) = main.filter(|_| !q.group_by.is_empty()) {
                let fixed = p.bound_columns(fi, q, m, m, false, &[Op::Eq]);
                let is_fixed = |g: &crate::knowledge::query::ColumnRef| {
                    p.column(fi, g, q, m).is_some_and(|(t, name)| t == m && fixed.contains(&name))
                };
                if q.group_by.iter().all(is_fixed) {
                    continue;
                }
            }
            match main {
                Some(t) => {
                    // One row, or a table small by its declaration, or a
                    // unique key bound but for a column of few values.
                    if p.pins_one_row(fi, q, t)
                        || p.binds_row_identifier(fi, q, t)
                        || p.few_per_owner(fi, q, t)
                        || p.tables[t].bounded_by_design().is_some()
                        || p.few_rows_left(fi, q, t)
                    {
                        continue;
                    }
                }
                // Without the schema, any equality may be on a key.
                None => {
                    if q.filters
                        .iter()
                        .any(|f| f.conjunct && !f.optional && f.op == Op::Eq)
                    {
                        continue;
                    }
                }
            }
            report(p, r, path, q, main);
        }
    }
}

/// The columns the query's condition bounds at both ends, in top-level
/// conjuncts that always apply: `between(t.date, from, to)`, or
/// `gte(t.date, from)` and `lt(t.date, to)`. Only columns whose values are
/// ordered points — dates, times, integers (by the schema's type, or, for a
/// text column or a table without a schema, by a name that says date or
/// time: `date`, `createdAt`, `logged_on`) — make a window of rows; a range
/// of names or ids in text is no bound on how many rows it holds.
fn windowed_columns<'q>(
    p: &Project<'_>,
    fi: usize,
    q: &'q QueryFact,
    main: Option<usize>,
) -> Vec<&'q ColumnRef> {
    let ranges: Vec<&Filter> = q
        .filters
        .iter()
        .filter(|f| {
            f.conjunct && !f.optional && !f.via_expr && f.op == Op::Range && f.other.is_none()
        })
        .collect();
    let mut out: Vec<&ColumnRef> = Vec::new();
    // `eq(t.date, day)`: one day's rows (or one instant's), the narrowest
    // window. Not a month or a year number, which recurs.
    for f in &q.filters {
        if !(f.conjunct && !f.optional && !f.via_expr && f.op == Op::Eq && f.other.is_none()) {
            continue;
        }
        let schema = main.and_then(|m| {
            let (t, sql) = p.column(fi, &f.column, q, m)?;
            p.tables[t].column(&sql)
        });
        let day = match schema {
            Some(c) => names_a_day(&c.name) || date_type(&c.sql_type),
            None => names_a_day(&f.column.key),
        };
        if day && !out.iter().any(|c| c.table == f.column.table && c.key == f.column.key) {
            out.push(&f.column);
        }
    }
    for f in &ranges {
        let col = &f.column;
        let same = |g: &&&Filter| g.column.table == col.table && g.column.key == col.key;
        let both = f.ends == Ends::Both
            || (ranges.iter().filter(same).any(|g| g.ends == Ends::Lower)
                && ranges.iter().filter(same).any(|g| g.ends == Ends::Upper));
        if !both || out.iter().any(|c| c.table == col.table && c.key == col.key) {
            continue;
        }
        let schema = main.and_then(|m| {
            let (t, sql) = p.column(fi, col, q, m)?;
            p.tables[t].column(&sql)
        });
        let ordered = match schema {
            Some(c) => !c.is_boolean() && (point_type(&c.sql_type) || names_a_time(&c.name)),
            None => names_a_time(&col.key),
        };
        if ordered {
            out.push(col);
        }
    }
    out
}

/// An integer or date/time type (a Drizzle builder's name or SQL's).
fn point_type(ty: &str) -> bool {
    let ty = ty.to_ascii_lowercase();
    let base = ty.split(['(', ' ']).next().unwrap_or("");
    matches!(
        base,
        "integer"
            | "int"
            | "int2"
            | "int4"
            | "int8"
            | "tinyint"
            | "smallint"
            | "mediumint"
            | "bigint"
            | "serial"
            | "smallserial"
            | "bigserial"
            | "date"
            | "datetime"
            | "time"
            | "timetz"
            | "timestamp"
            | "timestamptz"
            | "year"
    )
}

/// A column name that says it holds a date or a time: `date`, `day`,
/// `created_at`, `createdAt`, `start_date`, `logged_on`, `timestamp`.
fn names_a_time(name: &str) -> bool {
    let snake = crate::knowledge::schema::snake_case(name);
    let last = snake.rsplit('_').next().unwrap_or("");
    let words = ["date", "day", "time", "timestamp", "datetime", "month", "week", "year"];
    words.contains(&last) || (snake.contains('_') && matches!(last, "at" | "on"))
}

/// A column name that says it holds a day or an instant: `date`, `day`,
/// `created_at`, `logged_on`, `timestamp` (not a month or a year).
fn names_a_day(name: &str) -> bool {
    let snake = crate::knowledge::schema::snake_case(name);
    let last = snake.rsplit('_').next().unwrap_or("");
    names_a_time(name) && !matches!(last, "time" | "month" | "week" | "year")
}

/// A date or time type (a Drizzle builder's name or SQL's).
fn date_type(ty: &str) -> bool {
    let ty = ty.to_ascii_lowercase();
    let base = ty.split(['(', ' ']).next().unwrap_or("");
    matches!(base, "date" | "datetime" | "timestamp" | "timestamptz")
}

fn report(p: &Project<'_>, r: &mut Reporter<'_>, path: &str, q: &QueryFact, main: Option<usize>) {
    let table = main.map(|t| &p.tables[t]);
    let name = if q.table_text.is_empty() {
        "the table"
    } else {
        &q.table_text
    };
    let engine = p.engine(table);
    let billing = match engine {
        "D1" => ", and D1 bills every row read",
        crate::effects::project::DURABLE_OBJECT_SQLITE => {
            ", and Durable Object SQLite bills every row read"
        }
        _ => "",
    };
    let memory = limit(p.limits.memory_bytes);
    // Grouped (`GROUP BY`, `SELECT DISTINCT`): a row per group.
    let rows = if q.group_by.is_empty() {
        format!("every matching row of {name}")
    } else {
        let keys: Vec<&str> = q.group_by.iter().map(|g| g.text.as_str()).collect();
        format!("a row per distinct `{}` of {name}, as many as its rows hold", keys.join("`, `"))
    };
    let (message, help) = match q.api {
        Api::RawD1 => (
            format!("{} returns {rows}: the SQL has no LIMIT and runs with .all()", q.text),
            format!(
                "Add `LIMIT ?` (and `.bind(..., 50)`), paging with a cursor (`WHERE id > ? ORDER BY id LIMIT ?`), \
                 or use `.first()` when one row is expected. All rows are held in the Worker's {memory} of memory{billing}."
            ),
        ),
        Api::Relational => (
            format!(
                "{} returns {rows}: no limit, not findFirst, no equality on a primary key or unique column",
                q.text
            ),
            format!(
                "Add `limit: 50` (with `offset` or a cursor in `where` for the next page), or use `{}.query.{name}.findFirst(...)` \
                 when one row is expected. All rows are held in the Worker's {memory} of memory{billing}.",
                q.db_text
            ),
        ),
        Api::Builder => {
            let order = q
                .order_by
                .first()
                .map(|c| c.text.clone())
                .or_else(|| {
                    table.and_then(|t| {
                        t.columns
                            .iter()
                            .find(|c| c.primary)
                            .map(|c| format!("{}.{}", q.table_text, t.js_key(&c.name)))
                    })
                })
                .unwrap_or_else(|| format!("{}.id", q.table_text));
            (
                format!(
                    "{} returns {rows}: no .limit(), no single-row access, no equality on a primary key or unique column",
                    q.text
                ),
                format!(
                    "Bound it: `.orderBy(desc({order})).limit(50)` and page with a cursor \
                     (`.where(lt({order}, cursor))`), or `.limit(1)`/`.get()` when one row is expected. All rows \
                     are held in the Worker's {memory} of memory{billing}."
                ),
            )
        }
    };
    r.report(path, q.loc, message, help);
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::{
        assert_fires, assert_project_fires, assert_project_silent, d1_project, pg_project,
    };

    const RULE: &str = "drizzle-unbounded-select";

    const SCHEMA: &str = r#"import { integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
});
export const orders = sqliteTable('orders', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  status: text('status'),
}, (t) => [index('orders_user').on(t.userId)]);
"#;

    #[test]
    fn fires_on_list_queries_without_bound() {
        let routes = r#"import { eq, desc } from 'drizzle-orm';
import { orders, users } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  const mine = await db.select().from(orders).where(eq(orders.userId, id));
  const all = await db.select({ id: users.id }).from(users);
  const named = await db.query.users.findMany({ where: eq(users.name, n) });
  const raw = await c.env.DB.prepare('SELECT id FROM orders WHERE status = ?').bind(s).all();
  const some = await db.query.orders.findMany({ where: uid ? (o, { eq }) => eq(o.userId, uid) : undefined });
});
"#;
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                (
                    "src/routes.ts",
                    5,
                    "returns every matching row of orders: no .limit()",
                ),
                ("src/routes.ts", 6, "every matching row of users"),
                ("src/routes.ts", 7, "db.query.users.findMany"),
                (
                    "src/routes.ts",
                    8,
                    "the SQL has no LIMIT and runs with .all()",
                ),
                // Every order when `uid` is absent.
                ("src/routes.ts", 9, "db.query.orders.findMany"),
            ],
        );
        assert!(
            found[0]
                .help
                .contains("`.orderBy(desc(orders.id)).limit(50)`"),
            "{}",
            found[0].help
        );
        assert!(found[0].help.contains("D1 bills every row read"));
        assert!(found[2].help.contains("`limit: 50`"));
    }

    /// `db?.select()…` (a `db | undefined`) is read as `db.select()…` is:
    /// reported where the plain form is, silent where it is.
    #[test]
    fn reads_optional_chained_queries_as_plain_ones() {
        let routes = r#"import { eq } from 'drizzle-orm';
import { orders } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  const mine = await db?.select().from(orders).where(eq(orders.userId, id));
  const plain = await db.select().from(orders).where(eq(orders.userId, id));
  const one = await db?.select().from(orders).where(eq(orders.userId, id)).limit(50);
  const named = await db?.query.orders.findMany({ where: eq(orders.userId, id) });
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes.ts", 5, "db?.select().from(orders).where(eq(orders.userId, id)) returns every matching row of orders: no .limit()"),
                ("src/routes.ts", 6, "db.select().from(orders).where(eq(orders.userId, id)) returns every matching row of orders: no .limit()"),
                ("src/routes.ts", 8, "db?.query.orders.findMany"),
            ],
        );
    }

    /// The relational queries' object filters (drizzle-orm 1.0) read as the
    /// operator calls do; a spread or shorthand in the options names what
    /// is written elsewhere (a `limit` a caller passes).
    #[test]
    fn reads_object_filters_and_options_written_elsewhere() {
        let routes = r#"app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.orders.findMany({ where: { userId: id } });
  await db.query.orders.findMany({ where: { OR: [{ userId: id }, { status: { like: s } }] } });
  await db.query.orders.findMany({ where: { userId: { in: ids } } });
  await db.query.orders.findMany({ where: { userId: { ne: id } } });
  await db.query.users.findMany({ where: { id } });
  await db.query.users.findMany({ where: { email: { eq: e } } });
  await db.query.users.findMany({ where: { AND: [{ email: e }, { name: n }] } });
  await db.query.orders.findMany({ where: { userId: id }, limit });
  await db.query.orders.findMany({ columns: { id: true }, ...query });
  await db.query.orders.findMany({ where });
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes.ts", 3, "db.query.orders.findMany"),
                ("src/routes.ts", 4, "db.query.orders.findMany"),
                ("src/routes.ts", 6, "db.query.orders.findMany"),
            ],
        );
    }

    /// A column named `uuid` identifies a row, declared unique or not
    /// (shipaxxess' labels); a payment gateway is a column of few values.
    #[test]
    fn row_identifiers_by_name_and_few_gateways() {
        let schema = r#"import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
export const labels = sqliteTable('labels', { id: integer('id').primaryKey(), uuid: text('uuid').notNull(), batchUuid: text('batch_uuid') });
export const payments = sqliteTable('payments', { id: integer('id').primaryKey(), gateway: text('gateway').notNull(), amount: integer('amount') });
"#;
        let routes = r#"import { eq, sum } from 'drizzle-orm';
import { labels, payments } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.select().from(labels).where(eq(labels.uuid, id));
  await db.select().from(labels).where(eq(labels.batchUuid, id));
  await db.select({ gateway: payments.gateway, total: sum(payments.amount) }).from(payments).groupBy(payments.gateway);
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[("src/routes.ts", 6, "every matching row of labels")],
        );
    }

    /// One owner's rows of what an owner has a few of (memberships, API
    /// keys, passkeys: the saas template's settings pages) are no unbounded
    /// list; one owner's rows of what grows (versions) are, and so are the
    /// memberships of a table read by another column.
    #[test]
    fn an_owners_few_things() {
        let schema = r#"import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
export const teamMembershipTable = sqliteTable('team_membership', { id: text('id').primaryKey(), teamId: text('team_id').notNull(), userId: text('user_id').notNull(), roleId: text('role_id') });
export const apiKeyTable = sqliteTable('api_keys', { id: text('id').primaryKey(), userId: text('user_id').notNull(), name: text('name') });
export const entryVersionTable = sqliteTable('entry_version', { id: text('id').primaryKey(), entryId: text('entry_id').notNull(), userId: text('user_id') });
export const idempotencyKeys = sqliteTable('idempotency_keys', { id: text('id').primaryKey(), userId: text('user_id').notNull() });
"#;
        let routes = r#"import { eq } from 'drizzle-orm';
import { teamMembershipTable, apiKeyTable, entryVersionTable, idempotencyKeys } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.teamMembershipTable.findMany({ where: { userId } });
  await db.select().from(apiKeyTable).where(eq(apiKeyTable.userId, id));
  await db.query.entryVersionTable.findMany({ where: { userId: id } });
  await db.query.teamMembershipTable.findMany({ where: { roleId } });
  await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, id));
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes.ts", 7, "every matching row of entryVersionTable"),
                ("src/routes.ts", 8, "every matching row of teamMembershipTable"),
                ("src/routes.ts", 9, "every matching row of idempotencyKeys"),
            ],
        );
    }

    /// What one row of another table has a few of by nature: an
    /// employee's weekly schedule, a service's variants (citame's booking
    /// API, raw D1 SQL). The same parent's rows of what grows (its
    /// appointments) stay a finding, and so does a schedule table read by
    /// a column that refers to no row.
    #[test]
    fn a_rows_few_things() {
        let routes = r#"export async function page(env, employeeId, serviceId, day) {
  const { results: schedules } = await env.DB.prepare('SELECT * FROM employee_schedules WHERE employee_id = ? ORDER BY day_of_week').bind(employeeId).all();
  const { results: variants } = await env.DB.prepare('SELECT * FROM service_variants WHERE service_id = ?').bind(serviceId).all();
  const { results: booked } = await env.DB.prepare('SELECT * FROM appointments WHERE employee_id = ?').bind(employeeId).all();
  const { results: today } = await env.DB.prepare('SELECT * FROM employee_schedules WHERE day_of_week = ?').bind(day).all();
  return [schedules, variants, booked, today];
}
"#;
        let sql = "CREATE TABLE employee_schedules (id INTEGER PRIMARY KEY, employee_id INTEGER NOT NULL, day_of_week INTEGER NOT NULL, start_time TEXT);
                   CREATE TABLE service_variants (id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL, name TEXT);
                   CREATE TABLE appointments (id INTEGER PRIMARY KEY, employee_id INTEGER NOT NULL, starts_at TEXT);
";
        assert_project_fires(
            RULE,
            &[("src/api.ts", routes)],
            &[("migrations/0001.sql", sql)],
            &d1_project(),
            &[
                ("src/api.ts", 4, "every matching row of appointments"),
                ("src/api.ts", 5, "every matching row of employee_schedules"),
            ],
        );
    }

    /// One day's rows (equality on a column of days) are a window, as a
    /// range of both ends is (mardasa's daily reports); a query kept in a
    /// variable and extended under a condition is bounded where it runs
    /// (cygnus' song list).
    #[test]
    fn one_day_and_queries_extended_under_a_condition() {
        let schema = r#"import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
export const payments = sqliteTable('payments', { id: text('id').primaryKey(), schoolId: integer('school_id').notNull(), date: text('date').notNull(), month: integer('month'), paidAt: integer('paid_at', { mode: 'timestamp' }) });
"#;
        let routes = r#"import { and, eq, desc } from 'drizzle-orm';
import { payments } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.select().from(payments).where(and(eq(payments.date, day), eq(payments.schoolId, id)));
  await db.select().from(payments).where(and(eq(payments.month, m), eq(payments.schoolId, id)));
  const query = db.select({ id: payments.id }).from(payments);
  const filtered = id ? query.where(eq(payments.schoolId, id)) : query;
  const rows = await filtered.orderBy(desc(payments.id)).limit(20).offset(0).all();
  const other = db.select({ id: payments.id }).from(payments);
  const mine = other.where(eq(payments.schoolId, id));
  const all = await mine.orderBy(desc(payments.id));
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes.ts", 6, "every matching row of payments"),
                ("src/routes.ts", 10, "every matching row of payments"),
            ],
        );
    }

    #[test]
    fn silent_when_bounded_or_keyed() {
        let routes = r#"import { eq, and, inArray, count, sql } from 'drizzle-orm';
import { orders, users } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.select().from(orders).where(eq(orders.userId, id)).limit(50);
  await db.select().from(users).where(eq(users.id, id));
  await db.select().from(users).where(eq(users.email, e));
  await db.select().from(users).where(and(eq(users.email, e), eq(users.name, n)));
  await db.select().from(orders).where(eq(orders.userId, id)).get();
  await db.select().from(orders).where(eq(orders.userId, id)).then((rows) => rows[0]);
  const [first] = await db.select().from(orders).where(eq(orders.status, s));
  const one = (await db.select().from(orders))[0];
  await db.query.orders.findFirst({ where: eq(orders.userId, id) });
  await db.query.orders.findMany({ where: eq(orders.userId, id), limit: 20 });
  await db.select().from(orders).where(inArray(orders.userId, ids));
  await db.select({ n: count() }).from(orders);
  await db.select({ s: orders.status, n: count() }).from(orders).groupBy(orders.status);
  await db.select({ u: orders.userId, n: count() }).from(orders).where(eq(orders.userId, id)).groupBy(orders.userId);
  await db.select({ id: orders.id, n: count(orders.status) }).from(orders);
  await db.select({ m: sql`strftime('%m', created_at)`, n: count() }).from(orders).groupBy(sql`strftime('%m', created_at)`);
  await c.env.DB.prepare('SELECT status, count(*) AS n FROM orders').all();
  await c.env.DB.prepare("SELECT strftime('%m', created_at) AS m, count(*) FROM orders GROUP BY strftime('%m', created_at)").all();
  await c.env.DB.prepare('SELECT * FROM orders WHERE user_id = ? LIMIT 50').bind(id).all();
  await c.env.DB.prepare('SELECT * FROM orders WHERE user_id = ?').bind(id).first();
  await c.env.DB.prepare('SELECT count(*) AS n FROM orders').all();
  await c.env.DB.prepare('SELECT 1').all();
  await c.env.DB.prepare("SELECT datetime('now') AS now").all();
  await db.delete(orders).where(inArray(orders.id, db.select({ id: orders.id }).from(orders).where(eq(orders.status, 'x'))));
  await db.batch([db.select().from(users).where(eq(users.id, id)).limit(1)]);
  await db.select().from(orders).where(filters);
  // not Drizzle: a query builder over table names
  await db.select('*').from('orders');
});
"#;
        assert_project_silent(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes.ts", routes)],
            &[],
            &ProjectInfo::default(),
        );
    }

    #[test]
    fn tables_small_by_declaration_are_silent_and_join_tables_are_not() {
        let schema = r#"import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
export const foodCategory = sqliteTable('FoodCategory', { id: integer('id').primaryKey(), name: text('name') });
export const food = sqliteTable('Food', { id: integer('id').primaryKey(), name: text('name'), categoryId: integer('category_id').references(() => foodCategory.id) });
export const userRoles = sqliteTable('user_roles', { id: integer('id').primaryKey(), userId: integer('user_id').references(() => users.id), role: text('role') });
export const statuses = sqliteTable('statuses', { code: text('code', { enum: ['open', 'done'] }).primaryKey(), label: text('label') });
export const currencies = sqliteTable('currencies', { code: text('code', { length: 3 }).primaryKey(), name: text('name') });
export const users = sqliteTable('users', { id: integer('id').primaryKey(), countryCode: text('country_code', { length: 2 }) });
export const settings = sqliteTable('settings', { id: integer('id').primaryKey(), settingId: text('setting_id').notNull(), value: text('value') });
export const userSettings = sqliteTable('user_settings', { id: integer('id').primaryKey(), userId: text('user_id').notNull(), key: text('key') });
"#;
        let routes = r#"import { foodCategory, food, userRoles, statuses, currencies, settings, userSettings } from './schema';
export async function prefs(db) {
  return [await db.select().from(settings).all(), await db.select().from(userSettings).all()];
}
export async function menu(db, env) {
  const categories = await db.select().from(foodCategory);
  const all = await db.query.foodCategory.findMany();
  const states = await db.select().from(statuses);
  const money = await db.select().from(currencies);
  const { results } = await env.DB.prepare('SELECT * FROM drops_by_country').all();
  const { results: langs } = await env.DB.prepare('SELECT * FROM languages').all();
  const dishes = await db.select().from(food);
  const roles = await db.select().from(userRoles);
  const { results: hits } = await env.DB.prepare('SELECT * FROM hits_by_page').all();
  const { results: issueStates } = await env.DB.prepare('SELECT * FROM issue_statuses').all();
  const { results: priorities } = await env.DB.prepare('SELECT * FROM issue_priorities').all();
  const { results: responses } = await env.DB.prepare('SELECT * FROM survey_responses').all();
  return [categories, all, states, money, results, langs, dishes, roles, hits, issueStates, priorities, responses];
}
"#;
        let sql = "CREATE TABLE drops_by_country (country_code VARCHAR(2) NOT NULL, count INT NOT NULL, PRIMARY KEY (country_code));
                   CREATE TABLE languages (id INTEGER PRIMARY KEY, name TEXT);
                   CREATE TABLE hits_by_page (path TEXT PRIMARY KEY, count INT);
                   CREATE TABLE issue_statuses (id INTEGER PRIMARY KEY, name TEXT, is_closed INTEGER);
                   CREATE TABLE issue_priorities (id INTEGER PRIMARY KEY, name TEXT, position INTEGER);
                   CREATE TABLE survey_responses (id INTEGER PRIMARY KEY, answer TEXT);
";
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/menu.ts", routes)],
            &[("migrations/0001.sql", sql)],
            &ProjectInfo::default(),
            &[
                ("src/menu.ts", 3, "every matching row of userSettings"),
                ("src/menu.ts", 12, "every matching row of food"),
                ("src/menu.ts", 13, "every matching row of userRoles"),
                ("src/menu.ts", 14, "every matching row of hits_by_page"),
                ("src/menu.ts", 17, "every matching row of survey_responses"),
            ],
        );
    }

    /// The app caps the rows a filter matches when it refuses to go past a
    /// count of them (`if (rows.length >= 5) throw …`: 5 passkeys per
    /// user, the SaaS template). A check for any row (`> 0`) is no cap.
    #[test]
    fn rows_the_app_caps_by_their_count() {
        let routes = r#"import { eq } from 'drizzle-orm';
import { orders } from './schema';
export async function add(db, uid) {
  const existing = await db.select().from(orders).where(eq(orders.userId, uid));
  if (existing.length >= 5) {
    throw new Error('at most 5 orders');
  }
  const mine = await db.select().from(orders).where(eq(orders.status, uid));
  if (mine.length > 0) return mine;
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/add.ts", routes)],
            &[],
            &ProjectInfo::default(),
            &[("src/add.ts", 8, "every matching row of orders")],
        );
    }

    /// A query kept in a variable is judged where it runs: bounded by a
    /// `.limit()` added there (the SaaS template's `let q = …; if (s) q =
    /// q.where(…); await q.orderBy(…).limit(20)`), a subquery when given to
    /// `inArray` (id's expired users). Run as it is, it is reported.
    #[test]
    fn queries_kept_in_variables_are_judged_where_they_run() {
        let routes = r#"import { and, eq, inArray, desc } from 'drizzle-orm';
import { orders, users } from './schema';
export async function list(db, s) {
  let q = db.select().from(orders);
  if (s) q = q.where(eq(orders.status, s));
  const page = await q.orderBy(desc(orders.id)).limit(20);
  const gone = db.select({ id: users.id }).from(users).where(eq(users.name, 'x'));
  await db.delete(orders).where(inArray(orders.userId, gone));
  const all = db.select().from(orders);
  return [page, await all];
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/list.ts", routes)],
            &[],
            &ProjectInfo::default(),
            &[("src/list.ts", 9, "every matching row of orders")],
        );
    }

    /// A database in a class field is one whatever the field is called
    /// (`this.client = drizzle(db)`: saitamau-maximum/id's repositories hid
    /// 39 findings behind the name `client`).
    #[test]
    fn a_database_in_a_class_field_of_any_name() {
        let routes = r#"import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { orders } from './schema';
export class OrderRepository {
  private readonly client;
  constructor(db: D1Database) { this.client = drizzle(db); }
  async list(userId: string) {
    return await this.client.select().from(orders).where(eq(orders.userId, userId)).all();
  }
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/repo.ts", routes)],
            &[],
            &ProjectInfo::default(),
            &[("src/repo.ts", 8, "every matching row of orders")],
        );
    }

    /// Every column of a unique key bound but one of few values: a row per
    /// locale of a slug (the SaaS template's translations), a role per user
    /// (a composite primary key), a summary per year. A free column of many
    /// values (an event id) still grows.
    #[test]
    fn unique_keys_bound_but_for_a_column_of_few_values() {
        let schema = r#"import { integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
export const pages = sqliteTable('pages', { id: integer('id').primaryKey(), slug: text('slug').notNull(), locale: text('locale').notNull(), body: text('body') }, (t) => [uniqueIndex('pages_slug_locale').on(t.slug, t.locale)]);
export const userRoles = sqliteTable('user_roles', { userId: text('user_id').notNull(), roleId: integer('role_id').notNull() }, (t) => [primaryKey({ columns: [t.userId, t.roleId] })]);
export const summaries = sqliteTable('summaries', { id: integer('id').primaryKey(), userId: text('user_id').notNull(), year: integer('year').notNull() }, (t) => [uniqueIndex('summaries_user_year').on(t.userId, t.year)]);
export const bookmarks = sqliteTable('bookmarks', { id: integer('id').primaryKey(), userId: text('user_id').notNull(), eventId: text('event_id').notNull() }, (t) => [uniqueIndex('bookmarks_user_event').on(t.userId, t.eventId)]);
"#;
        let routes = r#"import { eq } from 'drizzle-orm';
import { pages, userRoles, summaries, bookmarks } from './schema';
export async function load(db, slug, uid) {
  await db.select().from(pages).where(eq(pages.slug, slug));
  await db.query.userRoles.findMany({ where: eq(userRoles.userId, uid) });
  await db.select().from(summaries).where(eq(summaries.userId, uid));
  await db.select().from(bookmarks).where(eq(bookmarks.userId, uid));
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/load.ts", routes)],
            &[],
            &ProjectInfo::default(),
            &[("src/load.ts", 7, "every matching row of bookmarks")],
        );
    }

    const LOGS: &str = r#"import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const activityLogs = sqliteTable('activity_log', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  activityId: text('activity_id').notNull(),
  date: text('date').notNull(),
  quantity: integer('quantity'),
  memo: text('memo'),
}, (t) => [index('activity_log_user_id_date_idx').on(t.userId, t.date)]);
"#;

    /// A range of both ends on a date (a text column named `date`) or an
    /// integer column is a window of rows; a `groupBy` on that column
    /// returns one row per value in it (the hono-practice activity logs).
    #[test]
    fn ranges_of_both_ends_on_dates_or_integers_are_bounded() {
        let routes = r#"import { and, between, eq, gte, lt, lte, sql } from 'drizzle-orm';
import { activityLogs } from './schema';
export async function logs(db, env, userId, from, to) {
  await db.select({ id: activityLogs.id, date: activityLogs.date }).from(activityLogs)
    .where(and(eq(activityLogs.userId, userId), between(activityLogs.date, from, to)));
  await db.select({ date: activityLogs.date, total: sql`sum(${activityLogs.quantity})` }).from(activityLogs)
    .where(and(eq(activityLogs.userId, userId), between(activityLogs.date, from, to)))
    .groupBy(activityLogs.date);
  await db.select().from(activityLogs).where(and(gte(activityLogs.date, from), lt(activityLogs.date, to)));
  await db.select().from(activityLogs).where(and(gte(activityLogs.quantity, 1), lte(activityLogs.quantity, 10)));
  await db.query.activityLogs.findMany({ where: (l, { between }) => between(l.date, from, to) });
  await env.DB.prepare('SELECT id FROM activity_log WHERE user_id = ? AND date BETWEEN ? AND ?').bind(userId, from, to).all();
  await env.DB.prepare('SELECT date, sum(quantity) AS n FROM activity_log WHERE date >= ? AND date < ? GROUP BY date').bind(from, to).all();
}
"#;
        assert_project_silent(
            RULE,
            &[("src/schema.ts", LOGS), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
        );
    }

    /// A `GROUP BY` (or `SELECT DISTINCT`) of a column whose values are a
    /// declared list (a Drizzle `enum`, `CHECK (col IN (…))` in a
    /// migration) returns a row per value (the anki-app dashboard's
    /// difficulty counts); of another column, a row per value of it, as many
    /// as the rows hold: reported, and said so.
    #[test]
    fn groups_of_a_listed_column_are_bounded() {
        let sql = "CREATE TABLE stats (user_id TEXT NOT NULL, question_id TEXT NOT NULL, last_difficulty TEXT CHECK(last_difficulty IN ('easy', 'medium', 'hard')), PRIMARY KEY (user_id, question_id));\n";
        let routes = r#"export async function dashboard(env, userId) {
  await env.DB.prepare('SELECT last_difficulty, COUNT(*) AS n FROM stats WHERE user_id = ? AND last_difficulty IS NOT NULL GROUP BY last_difficulty').bind(userId).all();
  await env.DB.prepare('SELECT question_id, COUNT(*) AS n FROM stats GROUP BY question_id').all();
  await env.DB.prepare('SELECT DISTINCT s.last_difficulty FROM stats s WHERE s.user_id = ?').bind(userId).all();
  await env.DB.prepare('SELECT DISTINCT question_id FROM stats').all();
}
"#;
        assert_project_fires(
            RULE,
            &[("src/routes.ts", routes)],
            &[("migrations/0001.sql", sql)],
            &d1_project(),
            &[
                ("src/routes.ts", 3, "returns a row per distinct `question_id` of stats, as many as its rows hold"),
                ("src/routes.ts", 5, "returns a row per distinct `question_id` of stats"),
            ],
        );
    }

    /// What a window does not cover: one end only, a range under `or`, or
    /// that may be left out, a range of text that is not a date, and a
    /// `groupBy` on another column.
    #[test]
    fn one_sided_or_alternative_ranges_are_not_bounds() {
        let routes = r#"import { and, between, eq, gte, lt, or, sql } from 'drizzle-orm';
import { activityLogs } from './schema';
export async function logs(db, env, userId, from, to) {
  await db.select().from(activityLogs).where(and(eq(activityLogs.userId, userId), gte(activityLogs.date, from)));
  await db.select().from(activityLogs).where(or(between(activityLogs.date, from, to), eq(activityLogs.userId, userId)));
  await db.select().from(activityLogs).where(and(gte(activityLogs.date, from), to ? lt(activityLogs.date, to) : undefined));
  await db.select().from(activityLogs).where(between(activityLogs.memo, 'a', 'm'));
  await db.select({ a: activityLogs.activityId, n: sql`count(*)` }).from(activityLogs)
    .where(between(activityLogs.date, from, to)).groupBy(activityLogs.activityId);
  await env.DB.prepare('SELECT id FROM activity_log WHERE date >= ?').bind(from).all();
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", LOGS), ("src/routes.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes.ts", 4, "returns every matching row of activityLogs"),
                ("src/routes.ts", 5, "returns every matching row of activityLogs"),
                ("src/routes.ts", 6, "returns every matching row of activityLogs"),
                ("src/routes.ts", 7, "returns every matching row of activityLogs"),
                ("src/routes.ts", 8, "returns a row per distinct `activityLogs.activityId` of activityLogs"),
                ("src/routes.ts", 10, "the SQL has no LIMIT"),
            ],
        );
    }

    #[test]
    fn works_on_postgres_schemas() {
        let schema = "import { pgTable, text, uuid } from 'drizzle-orm/pg-core';\nexport const posts = pgTable('posts', { id: uuid('id').primaryKey(), slug: text('slug').unique(), authorId: uuid('author_id') });\n";
        let q = "import { posts } from './schema';\nexport async function f(db, a, s) {\n  await db.select({ id: posts.id }).from(posts).where(eq(posts.authorId, a));\n  await db.select({ id: posts.id }).from(posts).where(eq(posts.slug, s));\n}\n";
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/q.ts", q)],
            &[],
            &pg_project(),
            &[("src/q.ts", 3, "every matching row of posts")],
        );
        assert!(!found[0].help.contains("D1"), "{}", found[0].help);
    }

    #[test]
    fn without_a_schema_only_unfiltered_lists_fire() {
        assert_fires(
            RULE,
            "export async function f(db) {\n  await db.select().from(invoices);\n  await db.select().from(invoices).where(eq(invoices.customerId, id));\n}\n",
            &[(2, "db.select().from(invoices) returns every matching row of invoices")],
        );
    }
}
