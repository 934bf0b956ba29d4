//! `drizzle-missing-index`: a filter, join or order-by column that no index
//! can serve — not the primary key, not unique, not the first column of an
//! index (or the next one after columns the query binds by equality), not
//! an expression index's expression — in a query that nothing else lets
//! the database look rows up by (no top-level conjunct of its condition is
//! served by an index; a boolean column is never reported). The database
//! reads the whole table for every such query; D1 bills every row read.
//! Checked once per project, with the Drizzle schema and the SQL
//! migrations; silent without a schema.

use crate::model::collections::HashSet;

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::query::{Op, QueryFact, QueryKind, RelationUse};
use crate::knowledge::schema::{ConfigStyle, Served, Table};
use crate::model::report::{Category, Severity};

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "drizzle-missing-index",
        category: Category::Database,
        severity: Severity::Warning,
        summary: "A query filters, joins or orders by a column that no index serves: the database scans the whole table.",
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
A Drizzle query (builder, relational API) or a raw D1 statement that filters,
joins or orders by a column no index can serve:

- not the primary key (a composite primary key serves its leading columns),
- not a `.unique()` column or a one-column unique constraint,
- not the first column of an `index()`/`uniqueIndex()`/`unique().on(...)` — a
  composite index serves a later column only when the query binds every column
  before it by equality (`(status, created_at)` serves
  `where status = ? order by created_at`, not `where created_at > ?`),
- not matched by an expression index (`.on(sql\`lower(${t.email})\`)` serves
  `eq(sql\`lower(${users.email})\`, …)`, not `eq(users.email, …)`).

`isNotNull`/`IS NOT NULL` counts as a range an index can serve (a
conjunct an index serves narrows the query), but a null test is not
reported on its own (see "Not reported").

The claim is that the database reads every row of the table, so a query is
reported only when nothing lets it look rows up: no top-level conjunct of
its condition (`and(...)`) is served by an index, the primary key or a
unique column. When one is (`where: and(eq(messages.emailId, id),
or(ne(messages.type, 'sent'), isNull(messages.type)))` with an index on
`email_id`), the database finds the matching rows through that index and
applies the other filters and the ORDER BY to those rows only: nothing is
reported. A condition bound to a `const` (`const base = and(...)`, then
`where: base`) is read where it is declared. So are joins: when one
condition of a join reaches the joined table through an index
(`and(eq(members.userId, users.id), eq(members.status, 'active'))` with a
unique `(user_id, org_id)` index), the others are applied to the rows it
finds.

A relation a relational query loads (`db.query.orders.findMany({ with: {
items: true } })`) is read as Drizzle reads it: the related rows are looked up
by the relation's key — its `references` when it declares
`fields`/`references`, else the `fields` of the `one(...)` on the other side
that points back (`items: many(orderItems)` is loaded by
`orderItems.orderId` from `order: one(orders, { fields: [orderItems.orderId],
references: [orders.id] })`). An unindexed key is reported at the relation's
key in `with`: the related table is scanned once per parent row.

The schema comes from the Drizzle tables (`sqliteTable`, `pgTable`,
`mysqlTable`) found among the analyzed files, wherever they are, and from the
SQL schema and migration files (drizzle-kit's `drizzle/`/`migrations/`,
wrangler's `migrations_dir`, Supabase's and Prisma's migrations, and the files
package.json scripts apply with `wrangler d1 execute --file`:
`CREATE TABLE … PRIMARY KEY/UNIQUE`,
`CREATE [UNIQUE] INDEX`, `DROP INDEX`, applied in file order). An index that
exists in either place counts. The finding names the table and the column and
gives the `index(...)` line to add to the schema, with the migration to
generate and apply.

It is checked once per project, after every file was analyzed.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Without an index the database reads every row of the table for each such query.
On D1 every row read is billed and counted against the daily read limit of the
Free plan, and a scan of a growing table makes the request slower every week; a
D1 database is a single SQLite instance, so a slow scan also delays every other
query waiting for it. On Postgres through Hyperdrive the sequential scan holds
one of the Worker's 6 simultaneous connections for longer.
"#,
        ),
        (
            "Bad",
            r#"
```ts
// schema.ts
export const orders = sqliteTable('orders', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp' }).notNull(),
});

// routes/users.ts
const rows = await db.select().from(orders).where(eq(orders.userId, id)).limit(50);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
export const orders = sqliteTable(
  'orders',
  { /* … */ },
  (t) => [index('orders_user_id_created_at_idx').on(t.userId, t.createdAt)],
);
```

then `npx drizzle-kit generate` (it writes
`CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at);`) and
`npx wrangler d1 migrations apply DB --remote` (D1) or `npx drizzle-kit migrate`.
"#,
        ),
        (
            "Not reported",
            r#"
- Queries that pin one row by the primary key or a unique column (other
  filters are applied to that row).
- Other filters and the ORDER BY of a query that another condition already
  narrows through an index: `where: eq(keys.userId, id), orderBy:
  desc(keys.createdAt)` with an index on `user_id` sorts only that user's
  rows. A composite index (`(user_id, created_at)`) would save the sort, but
  the table is not read whole.
- Filters on a joined table that is looked up by an indexed join column:
  only the joined rows are read. The same for the `from` table when the
  query is driven from a joined table an index narrows and the `from`
  table's join column is indexed (`from(kinds).innerJoin(activities,
  eq(kinds.activityId, activities.id)).where(eq(activities.userId, id))`
  with indexes on `activity.user_id` and `kinds.activity_id`).
- Tables small by their declaration, as `drizzle-unbounded-select` judges
  them: a primary key of at most 3 characters or from a declared list,
  reference tables of a naturally small set (categories, countries,
  currencies, roles, plans, …) and the application's settings (`settings`,
  `config`, `options` with no column naming an owner such as `user_id`),
  referring to no other table. Reading all of their rows is cheap.
- Full-text tables: a table some query searches with `MATCH` (`anime_search
  MATCH ?`, `` sql`${animeSearch} MATCH ${q}` ``) is SQLite's FTS5 virtual
  table, served by its own index; `CREATE INDEX` does not apply to it, even
  when the schema declares it as a plain table for its types.
- `isNull` (`IS NULL`) filters on their own: a soft-delete filter
  (`isNull(t.deletedAt)`) matches most of the table, so an index on it would
  not spare the read, and a `count()` of the live rows reads them all anyway.
  Next to another column the table has no index for, it is named with it and
  goes into the suggested index. (`isNotNull` on a column that is NULL in most
  rows picks few of them: an index serves it, and it is reported.)
- An ORDER BY when part of the condition cannot be read (a helper call, a
  parameter): it may be served by an index. An ORDER BY with nothing else
  unserved in a query without a limit: it returns every row it matches
  anyway, and an index would save the sort, not the reads
  (`drizzle-unbounded-select` is about such a query).
- Boolean columns (`boolean(...)`, `integer(..., { mode: 'boolean' })`,
  SQL `BOOLEAN`, an integer column `CHECK (x IN (0, 1))`): an index on a column with two values splits the table in
  halves, and the planner rarely uses it; that is not advice to give.
- Operators an index cannot serve anyway (`ne`, `notInArray`, `like`, `not(...)`)
  and filters written as `sql` expressions.
- Inserts.
- Tables the project's schema does not define: no schema, no finding.
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
SQL files are read statement by statement (sqlparser's tokenizer, so every
quoting style, comment and string is handled): `CREATE TABLE`,
`CREATE [UNIQUE] INDEX`, `DROP INDEX`/`DROP TABLE`,
`ALTER TABLE … RENAME TO`/`RENAME [COLUMN] … TO`/`ADD [COLUMN|CONSTRAINT]`/`DROP
[COLUMN]` (a renamed column keeps its indexes, a dropped one takes them with
it); other statements (triggers, views, pragmas) are skipped. Partial indexes (`.where(...)`) count as full indexes. Columns in `or(...)`
are checked one by one (when no other conjunct is served by an index). A
conjunct that may be left out (`cursor ? lt(...) : undefined`) does not
count as narrowing the query. Raw SQL is read from string literals and templates in
`prepare(...)`; statements built at run time are not. Drizzle's
`casing: 'snake_case'` is matched against the SQL migrations by name.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// How the query uses a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Filter,
    Order,
    Join,
}

struct Unserved {
    table: usize,
    column: String,
    usage: Use,
    /// Part of an `or` (the suggestion is then the column alone).
    alone: bool,
    /// `isNull`: not reported on its own (see [`null_tests`]).
    null_test: bool,
}

fn check(p: &Project<'_>, r: &mut Reporter<'_>) {
    // Full-text tables take no index: their `MATCH` is served by their own.
    let full_text = std::cell::OnceCell::new();
    for (fi, (_, facts)) in p.files.iter().enumerate() {
        for q in &facts.queries {
            if q.kind == QueryKind::Insert {
                continue;
            }
            let Some(main) = p.query_table(fi, q) else {
                continue;
            };
            let mut unserved = unserved_columns(p, fi, q, main);
            // A scan of a table small by its declaration reads a few rows.
            unserved.retain(|u| p.tables[u.table].bounded_by_design().is_none());
            if !unserved.is_empty() {
                let full_text: &Vec<usize> = full_text.get_or_init(|| p.full_text_tables());
                unserved.retain(|u| !full_text.contains(&u.table));
            }
            // One finding per table: its first unserved column, the others named.
            let mut seen_tables = Vec::new();
            for u in &unserved {
                if seen_tables.contains(&u.table) {
                    continue;
                }
                seen_tables.push(u.table);
                let same: Vec<&Unserved> = unserved.iter().filter(|x| x.table == u.table).collect();
                report(p, r, fi, q, main, &same);
            }
            for u in &q.relations {
                relation(p, r, fi, q, main, u);
            }
        }
    }
}

/// A relation the relational query loads (`with: { items: true }`): Drizzle
/// reads the related rows by the relation's key columns (`order_items.order_id
/// = orders.id`, once per parent row), so an unindexed key is a scan of the
/// related table for every row returned.
fn relation(
    p: &Project<'_>,
    r: &mut Reporter<'_>,
    fi: usize,
    q: &QueryFact,
    main: usize,
    u: &RelationUse,
) {
    let (parents, last) = u.path.split_at(u.path.len() - 1);
    let mut parent = main;
    // One parent row: a single-row query and `one` relations down to here.
    let mut single = q.single_row;
    for name in parents {
        match p.relation_lookup(parent, name) {
            Some((t, _, many)) => {
                parent = t;
                single &= !many;
            }
            None => return,
        }
    }
    let Some((target, cols, _)) = p.relation_lookup(parent, &last[0]) else {
        return;
    };
    let table = &p.tables[target];
    let all: HashSet<String> = cols.iter().cloned().collect();
    if cols.is_empty() || cols.iter().any(|c| table.serves(c, &all) == Served::Yes) {
        return;
    }
    let names: Vec<String> = cols.iter().map(|c| display(table, c)).collect();
    let per = if single {
        "for the row returned".to_string()
    } else {
        format!("once per {} row returned", p.tables[parent].name)
    };
    let message = format!(
        "`with: {{ {} }}` loads {} rows by {}, but no index on {} starts with it: {} reads every row of {} {per}",
        last[0],
        table.name,
        names.join(", "),
        table.name,
        p.engine(Some(table)),
        table.name,
    );
    r.report(p.path(fi), u.loc, message, help(p, table, &cols[..1]));
}

fn unserved_columns(p: &Project<'_>, fi: usize, q: &QueryFact, main: usize) -> Vec<Unserved> {
    let eq_ops = [Op::Eq, Op::In, Op::IsNull];
    let bound = |t: usize| -> HashSet<String> {
        p.bound_columns(fi, q, main, t, true, &eq_ops)
            .into_iter()
            .collect()
    };
    let pinned = p.pins_one_row(fi, q, main);
    let mut out: Vec<Unserved> = Vec::new();
    let mut push = |u: Unserved| {
        match out
            .iter_mut()
            .find(|x| x.table == u.table && x.column == u.column)
        {
            // A column tested for null and for a value (`isNotNull(dao)`
            // and `ne(dao, '')`) is no mere null test.
            Some(x) => x.null_test &= u.null_test,
            None => out.push(u),
        }
    };
    // Join conditions: the joined table's column is looked up once per row.
    let mut join_pairs = Vec::new();
    for j in &q.joins {
        let Some(jt) = p.table(fi, &j.table, Some(main)) else {
            continue;
        };
        for f in &j.on {
            join_pairs.push((Some(jt), f));
        }
    }
    // eq(a.x, b.y) in a where: a join condition.
    for f in &q.filters {
        if !f.via_expr
            && p.column(fi, &f.column, q, main).is_some()
            && f.other.as_ref().and_then(|o| p.column(fi, o, q, main)).is_some()
        {
            join_pairs.push((None, f));
        }
    }
    // A table whose rows the query reaches through an index is not read
    // whole: its other filters are applied to the rows found, and an
    // ORDER BY sorts only those. A joined table is also reached through an
    // index on its join column.
    //
    // The main table too, when the query is driven from a joined table
    // that an index narrows (`eq(activities.userId, id)` with an index on
    // `user_id`) and the main table's join column is indexed: its rows are
    // looked up per joined row, not read whole.
    let entered = |t: usize| {
        served_conjunct(p, fi, q, main, t)
            || join_pairs.iter().any(|(_, f)| {
                let sides: Vec<(usize, String)> = [Some(&f.column), f.other.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(|c| p.column(fi, c, q, main))
                    .collect();
                let indexed = sides.iter().any(|(ct, c)| {
                    *ct == t && p.tables[t].serves(c, &HashSet::default()) == Served::Yes
                });
                indexed
                    && (t != main
                        || sides
                            .iter()
                            .any(|(ot, _)| *ot != main && served_conjunct(p, fi, q, main, *ot)))
            })
    };
    for f in &q.filters {
        if f.via_expr || !matches!(f.op, Op::Eq | Op::In | Op::IsNull | Op::Range) {
            continue;
        }
        if f.other.as_ref().and_then(|o| p.column(fi, o, q, main)).is_some() {
            continue;
        }
        let Some((t, c)) = p.column(fi, &f.column, q, main) else {
            continue;
        };
        if (t == main && pinned) || boolean(&p.tables[t], &c) || entered(t) {
            continue;
        }
        if p.tables[t].serves(&c, &bound(t)) == Served::No {
            push(Unserved {
                table: t,
                column: c,
                usage: Use::Filter,
                alone: !f.conjunct,
                // `IS NULL` only: a soft-delete column is NULL in most rows;
                // `IS NOT NULL` on a sparse column picks few (an index helps).
                null_test: f.op == Op::IsNull,
            });
        }
    }
    for (joined, f) in &join_pairs {
        let sides = [
            p.column(fi, &f.column, q, main),
            f.other.as_ref().and_then(|o| p.column(fi, o, q, main)),
        ];
        // The joined table's side, or the side that is not the main table.
        let side = sides
            .iter()
            .flatten()
            .find(|(t, _)| Some(*t) == *joined)
            .or_else(|| sides.iter().flatten().find(|(t, _)| *t != main));
        if let Some((t, c)) = side {
            // Another condition of the join reaches the table through an
            // index (`eq(m.userId, u.id)` with a unique (org, user) index):
            // this one (`eq(m.status, 'active')`) is applied to the rows
            // found.
            if entered(*t) {
                continue;
            }
            if p.tables[*t].serves(c, &HashSet::default()) == Served::No {
                push(Unserved {
                    table: *t,
                    column: c.clone(),
                    usage: Use::Join,
                    alone: true,
                    null_test: false,
                });
            }
        }
    }
    // An ORDER BY reads the whole table only when nothing else narrows it:
    // not when a filter is served by an index (SQLite sorts the rows it
    // found), nor when part of the condition could not be read.
    // Without a limit the query returns every row it matches anyway: an
    // index on the ORDER BY column would save the sort, not the reads.
    if !pinned
        && q.kind == QueryKind::Select
        && !q.opaque_where
        && !entered(main)
        && (q.limited || q.single_row)
    {
        let eq = bound(main);
        for o in &q.order_by {
            if let Some((t, c)) = p.column(fi, o, q, main) {
                if t == main
                    && !boolean(&p.tables[t], &c)
                    && p.tables[t].serves(&c, &eq) == Served::No
                {
                    push(Unserved {
                        table: t,
                        column: c,
                        usage: Use::Order,
                        alone: false,
                        null_test: false,
                    });
                }
            }
        }
    }
    null_tests(out)
}

/// Drops the `IS NULL` filters of a table that has nothing
/// else unserved: a soft-delete filter (`isNull(t.deletedAt)`) matches most
/// of the table, so an index on it would not spare the read (a
/// `count()` of live rows reads them all anyway). Next to another unserved
/// column they are named, and go into the suggested index.
fn null_tests(out: Vec<Unserved>) -> Vec<Unserved> {
    let alone = |t: usize| out.iter().all(|u| u.table != t || u.null_test);
    let keep: Vec<bool> = out.iter().map(|u| !alone(u.table)).collect();
    out.into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

/// The query reaches rows of table `t` through an index: a top-level
/// conjunct that always applies (not under a conditional) and that an index
/// serves — an equality, `IN` or `IS NULL` on a column an index starts
/// with (or continues after columns bound by equality), a range on such a
/// column, or a comparison of an indexed expression.
fn served_conjunct(p: &Project<'_>, fi: usize, q: &QueryFact, main: usize, t: usize) -> bool {
    let table = &p.tables[t];
    let eq: HashSet<String> = p
        .bound_columns(fi, q, main, t, false, &[Op::Eq, Op::In, Op::IsNull])
        .into_iter()
        .collect();
    q.filters.iter().any(|f| {
        if !f.conjunct
            || f.optional
            || !matches!(f.op, Op::Eq | Op::In | Op::IsNull | Op::Range)
            || f.other.as_ref().and_then(|o| p.column(fi, o, q, main)).is_some()
        {
            return false;
        }
        let Some((ft, c)) = p.column(fi, &f.column, q, main) else {
            return false;
        };
        ft == t
            && if f.via_expr {
                table.expression_index_on(&c).is_some()
            } else {
                table.serves(&c, &eq) == Served::Yes
            }
    })
}

/// A boolean column: an index on it would split the table in two halves,
/// not advice to give (see the docs' "Not reported").
fn boolean(table: &Table, column: &str) -> bool {
    table.column(column).is_some_and(|c| c.is_boolean())
}

fn report(
    p: &Project<'_>,
    r: &mut Reporter<'_>,
    fi: usize,
    q: &QueryFact,
    main: usize,
    cols: &[&Unserved],
) {
    let first = cols[0];
    let table = &p.tables[first.table];
    let name = |c: &str| display(table, c);
    let verb = |u: Use| match u {
        Use::Filter => "filtered on",
        Use::Order => "ordered by",
        Use::Join => "joined on",
    };
    let parts: Vec<String> = cols
        .iter()
        .map(|c| format!("{} is {}", name(&c.column), verb(c.usage)))
        .collect();
    let (what, it) = match parts.as_slice() {
        [one] => (one.clone(), "starts with it"),
        [init @ .., last] => (format!("{} and {last}", init.join(", ")), "serves them"),
        [] => return,
    };
    let engine = p.engine(Some(table));
    let scan = match engine {
        "D1" | crate::effects::project::DURABLE_OBJECT_SQLITE => format!(
            "{engine} reads every row of {} for this query (and bills each row read)",
            table.name
        ),
        "Postgres" => format!(
            "Postgres scans the whole {} table for this query",
            table.name
        ),
        e => format!("{e} scans the whole {} table for this query", table.name),
    };
    let expr_note = table
        .expression_index_on(&first.column)
        .map(|i| {
            format!(
                " (the expression index {} serves only queries on its expression)",
                i.name.as_deref().unwrap_or("on it")
            )
        })
        .unwrap_or_default();
    let message = format!(
        "{what} here, but no index on {} {it}{expr_note}: {scan}",
        table.name
    );
    let mut columns = suggested_columns(p, fi, q, main, first);
    // An equality on a key column (the primary key, a unique column) would
    // find the row by itself: bound here with the others, it is another
    // branch of the query (`'id' in c ? eq(t.id, c.id) : eq(t.name, c.name)`),
    // not a column of the index that branch needs.
    columns.retain(|c| {
        *c == first.column
            || !table
                .columns
                .iter()
                .any(|col| col.name == *c && (col.primary || col.unique))
    });
    r.report(p.path(fi), q.loc, message, help(p, table, &columns));
}

/// `orders.userId (user_id)` for Drizzle tables, `orders.user_id` for SQL.
fn display(table: &Table, sql: &str) -> String {
    let key = table.js_key(sql);
    if table.var.is_empty() || key == sql {
        format!(
            "{}.{}",
            if table.var.is_empty() {
                &table.name
            } else {
                &table.var
            },
            key
        )
    } else {
        format!("{}.{} ({sql})", table.var, key)
    }
}

/// The new index: the columns bound by equality, then the ordering (or
/// range) column — what lets one index serve the whole query.
fn suggested_columns(
    p: &Project<'_>,
    fi: usize,
    q: &QueryFact,
    main: usize,
    u: &Unserved,
) -> Vec<String> {
    if u.alone || u.usage == Use::Join || u.table != main {
        return vec![u.column.clone()];
    }
    let mut cols = p.bound_columns(fi, q, main, main, true, &[Op::Eq, Op::In, Op::IsNull]);
    let order = q.order_by.iter().find_map(|o| {
        p.column(fi, o, q, main)
            .filter(|(t, _)| *t == main)
            .map(|(_, c)| c)
    });
    let range = p
        .bound_columns(fi, q, main, main, true, &[Op::Range])
        .into_iter()
        .next();
    if let Some(last) = order.or(range) {
        if !cols.contains(&last) {
            cols.push(last);
        }
    }
    if !cols.contains(&u.column) {
        cols.push(u.column.clone());
    }
    cols
}

fn help(p: &Project<'_>, table: &Table, columns: &[String]) -> String {
    let index_name = format!("{}_{}_idx", table.name, columns.join("_"));
    let sql = format!(
        "CREATE INDEX {index_name} ON {} ({});",
        table.name,
        columns.join(", ")
    );
    let engine = p.engine(Some(table));
    let d1 = engine == "D1";
    let db = p
        .info
        .d1
        .first()
        .map(String::as_str)
        .unwrap_or("<DATABASE>");
    let apply = if d1 {
        format!("`npx wrangler d1 migrations apply {db} --remote`")
    } else if engine == crate::effects::project::DURABLE_OBJECT_SQLITE {
        "the Durable Object's `migrate(db, migrations)` (drizzle-orm/durable-sqlite/migrator) when it starts".to_string()
    } else {
        "`npx drizzle-kit migrate`".to_string()
    };
    if table.var.is_empty() {
        let create = if d1 {
            format!(" (`npx wrangler d1 migrations create {db} add_{index_name}`)")
        } else {
            String::new()
        };
        return format!("Add a migration{create} with `{sql}` and apply it with {apply}.");
    }
    let param = if table.config_param.is_empty() {
        "t"
    } else {
        &table.config_param
    };
    let on: Vec<String> = columns
        .iter()
        .map(|c| format!("{param}.{}", table.js_key(c)))
        .collect();
    let line = format!("index('{index_name}').on({})", on.join(", "));
    let fn_name = match table.dialect {
        crate::knowledge::schema::Dialect::Postgres => "pgTable",
        crate::knowledge::schema::Dialect::Mysql => "mysqlTable",
        _ => "sqliteTable",
    };
    let place = match table.config {
        ConfigStyle::Array => format!(
            "add `{line},` to the array returned by the third argument of `{fn_name}('{}', …)`",
            table.name
        ),
        ConfigStyle::Object => {
            let key = format!("{}Idx", table.js_key(&columns[0]));
            format!("add `{key}: {line},` to the object returned by the third argument of `{fn_name}('{}', …)`", table.name)
        }
        ConfigStyle::None => format!(
            "pass a third argument to `{fn_name}('{}', {{ … }}, ({param}) => [{line}])`",
            table.name
        ),
    };
    format!(
        "In {} (line {}), {place}. The schema change needs a migration: run `npx drizzle-kit generate` (it writes `{sql}`) and apply it with {apply}.",
        table.file, table.line
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{
        assert_project_fires, assert_project_silent, d1_project, pg_project, Case,
    };

    const RULE: &str = "drizzle-missing-index";

    const SCHEMA: &str = r#"import { index, integer, sqliteTable, text, uniqueIndex, primaryKey, unique } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  handle: text('handle').unique(),
  name: text('name'),
}, (t) => ({
  emailLower: uniqueIndex('users_email_lower').on(sql`lower(${t.email})`),
}));
export const orders = sqliteTable('orders', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  status: text('status').notNull(),
  total: integer('total'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('orders_status_created').on(t.status, t.createdAt)]);
export const memberships = sqliteTable('memberships', {
  orgId: text('org_id'),
  userId: text('user_id'),
  role: text('role'),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId] }), unique('m_role').on(t.role, t.orgId)]);
"#;

    #[test]
    fn fires_on_unindexed_columns_with_the_schema_in_another_file() {
        let routes = r#"import { and, desc, eq, gt } from 'drizzle-orm';
import { orders, users, memberships } from '../schema';
import * as schema from '../schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.select().from(orders).where(eq(orders.userId, id)).limit(10);
  await db.select().from(orders).where(gt(orders.createdAt, since)).limit(10);
  await db.select().from(schema.orders).orderBy(desc(schema.orders.total)).limit(10);
  await db.query.orders.findMany({ where: (o, { eq }) => eq(o.userId, id), limit: 5 });
  await db.select().from(users).where(eq(users.email, email)).limit(1);
  await db.query.orders.findMany({ where: { userId: { in: ids } }, limit: 5 });
  await db.query.orders.findMany({ where: { status: 'open', createdAt: { gt: since } }, limit: 5 });
  await db.select().from(memberships).where(eq(memberships.userId, id)).limit(5);
  await db.select().from(users).innerJoin(orders, eq(orders.userId, users.id)).where(eq(users.handle, h));
  await c.env.DB.prepare('SELECT id FROM orders WHERE user_id = ? LIMIT 5').bind(id).all();
});
"#;
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes/orders.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes/orders.ts", 6, "orders.userId (user_id) is filtered on here, but no index on orders starts with it: D1 reads every row of orders"),
                ("src/routes/orders.ts", 7, "orders.createdAt (created_at) is filtered on"),
                ("src/routes/orders.ts", 8, "orders.total is ordered by"),
                ("src/routes/orders.ts", 9, "orders.userId (user_id) is filtered on"),
                ("src/routes/orders.ts", 10, "users.email is filtered on here, but no index on users starts with it (the expression index users_email_lower"),
                ("src/routes/orders.ts", 11, "orders.userId (user_id) is filtered on"),
                ("src/routes/orders.ts", 13, "memberships.userId (user_id) is filtered on"),
                ("src/routes/orders.ts", 14, "orders.userId (user_id) is joined on"),
                ("src/routes/orders.ts", 15, "orders.userId (user_id) is filtered on"),
            ],
        );
        let help = &found[0].help;
        assert!(help.contains("In src/schema.ts (line 11), add `index('orders_user_id_idx').on(t.userId),` to the array returned by the third argument of `sqliteTable('orders', …)`"), "{help}");
        assert!(
            help.contains("CREATE INDEX orders_user_id_idx ON orders (user_id);"),
            "{help}"
        );
        assert!(
            help.contains("npx wrangler d1 migrations apply DB --remote"),
            "{help}"
        );
        assert!(
            found[4]
                .help
                .contains("add `emailIdx: index('users_email_idx').on(t.email),` to the object"),
            "{}",
            found[4].help
        );
    }

    /// A schema that imports Drizzle's table function under another name
    /// (vre: `import { sqliteTable as table }`) is read as any other.
    #[test]
    fn reads_tables_declared_with_a_renamed_import() {
        let schema = r#"import { sqliteTable as table, integer, text } from 'drizzle-orm/sqlite-core';
export const votes = table('vote', { id: integer('id').primaryKey(), playlistId: text('playlist_id').notNull() });
"#;
        let routes = r#"import { eq } from 'drizzle-orm';
import { votes } from '../schema';
export async function byPlaylist(db, id) {
  return db.select().from(votes).where(eq(votes.playlistId, id)).limit(50);
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes/votes.ts", routes)],
            &[],
            &d1_project(),
            &[("src/routes/votes.ts", 4, "votes.playlistId (playlist_id) is filtered on")],
        );
        // Or through a namespace (jwa: `import * as t`, `t.sqliteTable`).
        let schema = r#"import * as t from 'drizzle-orm/sqlite-core';
export const votes = t.sqliteTable('vote', { id: t.integer('id').primaryKey(), playlistId: t.text('playlist_id').notNull() });
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes/votes.ts", routes)],
            &[],
            &d1_project(),
            &[("src/routes/votes.ts", 4, "votes.playlistId (playlist_id) is filtered on")],
        );
    }

    /// An `id` column built in another module (`{ id, … }` of a shared
    /// `text('id').primaryKey()`, jwa's tables) is the primary key by
    /// convention: a lookup by it is served.
    #[test]
    fn an_id_column_built_elsewhere_is_the_primary_key() {
        let columns = "import { text } from 'drizzle-orm/sqlite-core';\nexport const id = text('id').primaryKey().notNull();\n";
        let schema = r#"import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { id } from './columns';
export const sessions = sqliteTable('sessions', { id, userId: text('user_id').notNull(), expiresAt: integer('expires_at') });
"#;
        let routes = r#"import { and, eq, gt } from 'drizzle-orm';
import { sessions } from '../schema';
export async function get(db, sid, uid) {
  await db.select().from(sessions).where(and(eq(sessions.id, sid), gt(sessions.expiresAt, 0)));
  await db.select().from(sessions).where(eq(sessions.userId, uid)).limit(10);
}
"#;
        Case::new()
            .file("src/columns.ts", columns)
            .file("src/schema.ts", schema)
            .file("src/routes/sessions.ts", routes)
            .project(d1_project())
            .rules(&[RULE])
            .assert_fires(&[("src/routes/sessions.ts", 5, "sessions.userId (user_id) is filtered on")]);
    }

    /// A full-text table (FTS5, searched with `MATCH`) takes no index: the
    /// schema declares it as a plain table for its types (anisongdb's
    /// search), and `CREATE INDEX` fails on it. The same join on a plain
    /// table is reported.
    #[test]
    fn silent_on_full_text_tables() {
        let schema = r#"import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
export const songs = sqliteTable('songs', { id: integer('id').primaryKey(), animeId: integer('anime_id'), name: text('name') }, (t) => [index('idx_songs_anime_id').on(t.animeId)]);
export const animeSearch = sqliteTable('anime_search', { rowid: integer('rowid').primaryKey(), name: text('name'), animeId: integer('anime_id') });
export const animeTags = sqliteTable('anime_tags', { id: integer('id').primaryKey(), animeId: integer('anime_id'), tag: text('tag') });
"#;
        let routes = r#"import { eq, sql } from 'drizzle-orm';
import { songs, animeSearch, animeTags } from '../schema';
export async function search(db, q) {
  await db.select({ id: songs.id }).from(songs).innerJoin(animeSearch, eq(animeSearch.animeId, songs.animeId)).where(sql`anime_search MATCH ${q}`).limit(50);
  await db.select({ id: songs.id }).from(songs).innerJoin(animeTags, eq(animeTags.animeId, songs.animeId)).where(eq(animeTags.tag, q)).limit(50);
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes/search.ts", routes)],
            &[],
            &d1_project(),
            &[("src/routes/search.ts", 5, "animeTags.animeId (anime_id) is joined on")],
        );
    }

    /// A table small by its declaration (the application's settings, a
    /// table of plans) is read whole cheaply: no finding on its columns
    /// (shipaxxess' 16-row settings table drew 16). A settings table with
    /// an owner column grows with its owners and is reported.
    #[test]
    fn silent_on_tables_small_by_declaration() {
        let schema = r#"import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const settings = sqliteTable('settings', { id: integer('id').primaryKey(), key: text('key').notNull(), value: text('value') });
export const plans = sqliteTable('plans', { id: integer('id').primaryKey(), slug: text('slug').notNull() });
export const userSettings = sqliteTable('user_settings', { id: integer('id').primaryKey(), userId: text('user_id').notNull(), key: text('key') });
"#;
        let routes = r#"import { and, eq } from 'drizzle-orm';
import { settings, plans, userSettings } from '../schema';
export async function read(db, key, uid) {
  await db.update(settings).set({ value: 'x' }).where(eq(settings.key, key));
  await db.select().from(plans).where(eq(plans.slug, key)).limit(1);
  await db.select().from(userSettings).where(and(eq(userSettings.userId, uid), eq(userSettings.key, key))).limit(1);
}
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/routes/settings.ts", routes)],
            &[],
            &d1_project(),
            &[("src/routes/settings.ts", 6, "userSettings.userId (user_id) is filtered on")],
        );
    }

    /// `db?.select()…` (a `db | undefined`) is read as `db.select()…` is:
    /// its filter on an unindexed column is reported as the plain form's.
    #[test]
    fn reads_optional_chained_queries_as_plain_ones() {
        let routes = r#"import { eq } from 'drizzle-orm';
import { orders, users } from '../schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db?.select().from(orders).where(eq(orders.userId, id)).limit(10);
  await db.select().from(orders).where(eq(orders.userId, id)).limit(10);
  await db?.query.orders.findMany({ where: (o, { eq }) => eq(o.userId, id), limit: 5 });
  await db?.select().from(users).where(eq(users.id, id));
});
"#;
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes/orders.ts", routes)],
            &[],
            &d1_project(),
            &[
                ("src/routes/orders.ts", 5, "orders.userId (user_id) is filtered on here, but no index on orders starts with it"),
                ("src/routes/orders.ts", 6, "orders.userId (user_id) is filtered on here, but no index on orders starts with it"),
                ("src/routes/orders.ts", 7, "orders.userId (user_id) is filtered on"),
            ],
        );
    }

    #[test]
    fn suggests_a_composite_index_for_filter_and_order() {
        let routes = "import { orders } from './schema';\nexport async function list(db, id) {\n  return db.select().from(orders).where(eq(orders.userId, id)).orderBy(desc(orders.createdAt)).limit(50);\n}\n";
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/list.ts", routes)],
            &[],
            &d1_project(),
            &[("src/list.ts", 3, "orders.userId (user_id) is filtered on and orders.createdAt (created_at) is ordered by here, but no index on orders serves them")],
        );
        assert!(
            found[0]
                .help
                .contains("index('orders_user_id_created_at_idx').on(t.userId, t.createdAt)"),
            "{}",
            found[0].help
        );
    }

    /// Tables a Durable Object keeps in its own storage (Drizzle over
    /// `drizzle-orm/durable-sqlite`) are that object's SQLite, not D1, and
    /// its migrations run when the object starts (found on sprintjam's
    /// room worker).
    #[test]
    fn durable_object_sqlite_is_named_as_such() {
        let routes = "import { drizzle } from 'drizzle-orm/durable-sqlite';\nimport { orders } from './schema';\nexport async function mine(storage, id) {\n  return drizzle(storage).select().from(orders).where(eq(orders.userId, id)).limit(20);\n}\n";
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/room.ts", routes)],
            &[],
            &crate::model::project::ProjectInfo::default(),
            &[("src/room.ts", 4, "Durable Object SQLite reads every row of orders for this query")],
        );
        assert!(found[0].help.contains("`migrate(db, migrations)`"), "{}", found[0].help);
    }

    /// A join that reaches the joined table through an index on one of its
    /// conditions (the primary key's first column) applies the others
    /// (`eq(memberships.userId, users.id)`) to the rows found: no finding on
    /// them (found on sprintjam's auth worker, 5 wrong findings). A join
    /// whose every condition is unindexed is still reported.
    #[test]
    fn other_conditions_of_an_indexed_join_are_served() {
        let routes = "import { memberships, users, orders } from './schema';\nexport async function owners(db) {\n  return db.select().from(users).innerJoin(memberships, and(eq(memberships.orgId, users.id), eq(memberships.userId, users.id))).where(eq(users.id, '1'));\n}\nexport async function paid(db) {\n  return db.select().from(users).innerJoin(orders, and(eq(orders.userId, users.id), eq(orders.total, 0))).where(eq(users.id, '1'));\n}\n";
        assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/owners.ts", routes)],
            &[],
            &d1_project(),
            &[("src/owners.ts", 6, "orders.userId (user_id) is joined on")],
        );
    }

    /// A ternary between a primary-key lookup and another column's: the
    /// other branch needs an index on its own columns, not one that
    /// starts with the key (found on code-push-cloudflare-workers).
    #[test]
    fn the_index_for_one_branch_of_a_ternary_leaves_the_key_out() {
        let routes = "import { orders } from './schema';\nexport async function one(db, c) {\n  return db.query.orders.findFirst({ where: and('id' in c ? eq(orders.id, c.id) : eq(orders.userId, c.userId), isNull(orders.total)) });\n}\n";
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/one.ts", routes)],
            &[],
            &d1_project(),
            &[("src/one.ts", 3, "orders.userId (user_id) is filtered on")],
        );
        assert!(
            found[0]
                .help
                .contains("index('orders_user_id_total_idx').on(t.userId, t.total)"),
            "{}",
            found[0].help
        );
    }

    #[test]
    fn silent_when_an_index_serves_the_query() {
        let routes = r#"import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { orders, users, memberships } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  // primary key and unique columns
  await db.select().from(orders).where(eq(orders.id, id));
  await db.select().from(users).where(eq(users.handle, h));
  // the first column of a composite index, and the second after an equality on the first
  await db.select().from(orders).where(and(eq(orders.status, s), lt(orders.createdAt, t))).orderBy(desc(orders.createdAt)).limit(20);
  await db.select().from(orders).where(eq(orders.status, s)).orderBy(desc(orders.createdAt)).limit(20);
  // a single-row lookup by primary key needs nothing else
  await db.select().from(orders).where(and(eq(orders.id, id), eq(orders.total, 5)));
  // composite primary key prefix, and the composite unique's leading column
  await db.select().from(memberships).where(eq(memberships.orgId, o)).limit(5);
  await db.select().from(memberships).where(eq(memberships.role, r)).limit(5);
  // the expression index matches the expression
  await db.select().from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  // an index from a SQL migration
  await db.select().from(orders).where(eq(orders.userId, id)).limit(10);
  // not indexable anyway
  await db.select().from(orders).where(ne(orders.total, 0)).limit(10);
  // writes: inserts need no index
  await db.insert(orders).values(o);
  // unknown tables: no schema, no finding
  await db.select().from(invoices).where(eq(invoices.customerId, id));
  await c.env.DB.prepare('SELECT * FROM audit WHERE actor = ?').bind(a).all();
});
"#;
        assert_project_silent(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/routes.ts", routes)],
            &[(
                "drizzle/0003_orders_user.sql",
                "CREATE INDEX `orders_user_id` ON `orders` (`user_id`);",
            )],
            &d1_project(),
        );
    }

    #[test]
    fn indexes_from_sql_only_schemas_serve_raw_d1() {
        let sql = [("migrations/0001_init.sql", "CREATE TABLE logs (id INTEGER PRIMARY KEY, level TEXT, ts INTEGER);\nCREATE INDEX logs_ts ON logs (ts);")];
        let src = "export default { async fetch(req, env) {\n  await env.DB.prepare('SELECT id FROM logs WHERE ts > ? ORDER BY ts LIMIT 10').bind(1).all();\n  await env.DB.prepare('SELECT id FROM logs WHERE level = ? LIMIT 10').bind('x').all();\n} };\n";
        let found = assert_project_fires(
            RULE,
            &[("src/index.ts", src)],
            &sql,
            &d1_project(),
            &[("src/index.ts", 3, "logs.level is filtered on")],
        );
        assert!(
            found[0]
                .help
                .contains("`CREATE INDEX logs_level_idx ON logs (level);`"),
            "{}",
            found[0].help
        );
        assert!(
            found[0]
                .help
                .contains("npx wrangler d1 migrations create DB"),
            "{}",
            found[0].help
        );
    }

    /// drizzle-kit renames a column with `ALTER TABLE … RENAME COLUMN`: the
    /// index created on the old name serves the new one, and a dropped
    /// column's index serves nothing.
    #[test]
    fn migrations_that_rename_or_drop_a_column_keep_the_index_right() {
        let sql = [
            ("migrations/0001_init.sql", "CREATE TABLE `logs` (`id` integer PRIMARY KEY, `level` text, `ts` integer);\nCREATE INDEX `logs_ts` ON `logs` (`ts`);\nCREATE INDEX `logs_level` ON `logs` (`level`);"),
            ("migrations/0002_rename.sql", "ALTER TABLE `logs` RENAME COLUMN `ts` TO `created_at`;\n--> statement-breakpoint\nALTER TABLE `logs` ADD `ts` integer;\nALTER TABLE `logs` DROP COLUMN `level`;\nALTER TABLE `logs` ADD `level` text;"),
        ];
        // The index on the old `ts` now serves `created_at`; the new `ts` and
        // the re-added `level` have none.
        let src = "export default { async fetch(req, env) {\n  await env.DB.prepare('SELECT id FROM logs WHERE created_at > ? ORDER BY created_at LIMIT 10').bind(1).all();\n  await env.DB.prepare('SELECT id FROM logs WHERE ts > ? ORDER BY ts LIMIT 10').bind(1).all();\n  await env.DB.prepare('SELECT id FROM logs WHERE level = ? LIMIT 10').bind('x').all();\n} };\n";
        assert_project_fires(
            RULE,
            &[("src/index.ts", src)],
            &sql,
            &d1_project(),
            &[
                ("src/index.ts", 3, "logs.ts is filtered on"),
                ("src/index.ts", 4, "logs.level is filtered on"),
            ],
        );
    }

    #[test]
    fn follows_path_aliases_and_barrels() {
        let barrel = "export * from './schema';\n";
        let routes = "import { orders } from '@/db';\nexport const f = (db, id) => db.select().from(orders).where(eq(orders.userId, id)).limit(5);\n";
        assert_project_fires(
            RULE,
            &[
                ("src/db/schema.ts", SCHEMA),
                ("src/db/index.ts", barrel),
                ("src/routes.ts", routes),
            ],
            &[],
            &d1_project(),
            &[("src/routes.ts", 2, "orders.userId (user_id) is filtered on")],
        );
    }

    #[test]
    fn works_on_postgres_schemas() {
        let schema = "import { pgTable, text, uuid, index } from 'drizzle-orm/pg-core';\nexport const posts = pgTable('posts', { id: uuid('id').primaryKey(), authorId: uuid('author_id'), body: text('body') });\n";
        let q = "import { posts } from './schema';\nexport async function byAuthor(db, id) {\n  return db.select({ id: posts.id }).from(posts).where(eq(posts.authorId, id)).limit(20);\n}\n";
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", schema), ("src/q.ts", q)],
            &[],
            &pg_project(),
            &[("src/q.ts", 3, "Postgres scans the whole posts table")],
        );
        assert!(found[0].help.contains("pass a third argument to `pgTable('posts', { … }, (t) => [index('posts_author_id_idx').on(t.authorId)])`"), "{}", found[0].help);
        assert!(
            found[0].help.contains("npx drizzle-kit migrate"),
            "{}",
            found[0].help
        );
    }

    /// The schema in one file, the queries in another, on D1.
    fn case(schema_path: &str, schema: &str, path: &str, src: &str) -> Case {
        Case::new()
            .file(schema_path, schema)
            .file(path, src)
            .project(d1_project())
            .rules(&[RULE])
    }

    /// Tables and relations in one file, queries in another: `many(items)`
    /// is loaded by the `fields` of the `one(orders, …)` that points back.
    const RELATIONS: &str = r#"import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { relations } from 'drizzle-orm';
export const users = sqliteTable('users', { id: integer('id').primaryKey() });
export const orders = sqliteTable('orders', {
  id: integer('id').primaryKey(),
  userId: integer('user_id').references(() => users.id),
});
export const items = sqliteTable('order_items', {
  id: integer('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => orders.id),
  foodId: integer('food_id').notNull(),
});
export const notes = sqliteTable('notes', {
  id: integer('id').primaryKey(),
  orderId: integer('order_id').notNull(),
}, (t) => [index('notes_order_id').on(t.orderId)]);
export const ordersRelations = relations(orders, ({ one, many }) => ({
  user: one(users, { fields: [orders.userId], references: [users.id] }),
  items: many(items),
  notes: many(notes),
}));
export const itemsRelations = relations(items, ({ one }) => ({
  order: one(orders, { fields: [items.orderId], references: [orders.id] }),
}));
export const notesRelations = relations(notes, ({ one }) => ({
  order: one(orders, { fields: [notes.orderId], references: [orders.id] }),
}));
export const usersRelations = relations(users, ({ many }) => ({ orders: many(orders) }));
"#;

    #[test]
    fn fires_on_a_relation_loaded_by_an_unindexed_key() {
        let routes = r#"import { db } from './db';
export async function list(userId: number) {
  return db.query.users.findFirst({
    with: {
      orders: {
        with: {
          items: true,
          user: true,
          notes: true,
        },
      },
    },
  });
}
"#;
        case("src/db/schema.ts", RELATIONS, "src/orders.ts", routes).assert_fires(&[
                ("src/orders.ts", 5, "`with: { orders }` loads orders rows by orders.userId (user_id), but no index on orders starts with it: D1 reads every row of orders for the row returned"),
                ("src/orders.ts", 7, "`with: { items }` loads order_items rows by items.orderId (order_id), but no index on order_items starts with it: D1 reads every row of order_items once per orders row returned"),
            ]);
    }

    #[test]
    fn silent_on_relations_served_by_a_key_or_an_index() {
        let routes = r#"export async function list(db) {
  return db.query.orders.findMany({ limit: 10, with: { user: true, notes: true, items: false } });
}
"#;
        case("src/db/schema.ts", RELATIONS, "src/orders.ts", routes).assert_silent();
        // The migration's index serves `order_items.order_id`.
        let items = "export const f = (db) => db.query.orders.findMany({ limit: 5, with: { items: true } });\n";
        case("src/db/schema.ts", RELATIONS, "src/items.ts", items)
            .sql(
                "drizzle/0002_items.sql",
                "CREATE INDEX `order_items_order_id` ON `order_items` (`order_id`);",
            )
            .assert_silent();
    }

    /// An `isNull` test alone is not reported: a soft-delete filter matches
    /// most rows, and a count of the live rows reads them all (the
    /// hono-practice user counts). Next to an unindexed column it is named
    /// with it. `isNotNull` on a sparse column picks few rows: reported
    /// (spark's tokens with a DAO, an audited must).
    #[test]
    fn null_tests_alone_are_not_reported() {
        let q = r#"import { and, count, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import { orders } from './schema';
export const g = (db, s) => db.select({ id: orders.id }).from(orders).where(and(eq(orders.status, s), isNull(orders.createdAt))).limit(5);
export const live = (db) => db.select({ total: count() }).from(orders).where(isNull(orders.total));
export const mine = (db, u) => db.select({ id: orders.id }).from(orders).where(and(eq(orders.userId, u), isNull(orders.total))).limit(5);
export const f = (db) => db.select({ id: orders.id }).from(orders).where(and(isNotNull(orders.total), ne(orders.total, 0))).limit(5);
export const h = (env) => env.DB.prepare('SELECT id FROM orders WHERE total IS NOT NULL LIMIT 5').all();
"#;
        case("src/schema.ts", SCHEMA, "src/q.ts", q).assert_fires(&[
            (
                "src/q.ts",
                5,
                "orders.userId (user_id) is filtered on and orders.total is filtered on here, but no index on orders serves them",
            ),
            ("src/q.ts", 6, "orders.total"),
            ("src/q.ts", 7, "total"),
        ]);
    }

    /// The `from` table is reached through its indexed join column when an
    /// index narrows the joined table (repro drizzle-idx); not when nothing
    /// narrows the joined table (the joined one, looked up by its primary
    /// key, is still entered), nor when the join column is unindexed.
    #[test]
    fn the_from_table_is_entered_through_an_indexed_join_column() {
        let schema = r#"import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const activities = sqliteTable('activity', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  name: text('name'),
  deletedAt: integer('deleted_at'),
}, (t) => [index('activity_user_id_idx').on(t.userId)]);
export const activityKinds = sqliteTable('activity_kind', {
  id: text('id').primaryKey(),
  activityId: text('activity_id').notNull(),
  name: text('name'),
  deletedAt: integer('deleted_at'),
}, (t) => [index('activity_kind_activity_id_idx').on(t.activityId)]);
export const notes = sqliteTable('note', {
  id: text('id').primaryKey(),
  activityId: text('activity_id').notNull(),
  body: text('body'),
});
"#;
        let q = r#"import { and, eq, isNull } from 'drizzle-orm';
import { activities, activityKinds, notes } from './schema';
export const kinds = (db, userId) => db.select({ id: activityKinds.id }).from(activityKinds)
  .innerJoin(activities, eq(activityKinds.activityId, activities.id))
  .where(and(eq(activities.userId, userId), isNull(activities.deletedAt), isNull(activityKinds.deletedAt))).limit(100);
export const named = (db, n) => db.select({ id: activityKinds.id }).from(activityKinds)
  .innerJoin(activities, eq(activityKinds.activityId, activities.id))
  .where(and(eq(activities.name, n), eq(activityKinds.name, n))).limit(100);
export const noted = (db, userId, b) => db.select({ id: notes.id }).from(notes)
  .innerJoin(activities, eq(notes.activityId, activities.id))
  .where(and(eq(activities.userId, userId), eq(notes.body, b))).limit(100);
"#;
        case("src/schema.ts", schema, "src/q.ts", q).assert_fires(&[
            ("src/q.ts", 6, "activityKinds.name is filtered on here, but no index on activity_kind starts with it"),
            ("src/q.ts", 9, "notes.body is filtered on here, but no index on note starts with it"),
        ]);
    }

    /// `keys` has an index on `user_id` (object form), `sessions` the same
    /// columns without one.
    const KEYS: &str = r#"import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const keys = sqliteTable('keys', { id: text('id').primaryKey(), userId: text('user_id').notNull(), createdAt: integer('created_at') }, (t) => ({ byUser: index('k_user').on(t.userId) }));
export const sessions = sqliteTable('sessions', { id: text('id').primaryKey(), userId: text('user_id').notNull(), createdAt: integer('created_at') });
"#;

    /// A filter served by an index narrows the query: SQLite sorts only the
    /// matching rows, so the ORDER BY column needs no index of its own.
    #[test]
    fn order_by_is_not_reported_when_a_filter_is_served() {
        let routes = r#"import { desc, eq } from 'drizzle-orm';
import { keys } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.keys.findMany({ where: eq(keys.userId, id), orderBy: desc(keys.createdAt), limit: 20 });
  await db.query.keys.findMany({ where: (k, { eq }) => eq(k.userId, id), orderBy: (k, { desc }) => [desc(k.createdAt)] });
  await db.select().from(keys).where(eq(keys.userId, id)).orderBy(desc(keys.createdAt)).limit(20);
});
"#;
        case("src/schema.ts", KEYS, "src/routes.ts", routes).assert_silent();
    }

    #[test]
    fn order_by_is_reported_when_nothing_narrows_the_query() {
        let routes = r#"import { desc, eq } from 'drizzle-orm';
import { keys, sessions } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.sessions.findMany({ where: eq(sessions.userId, id), orderBy: desc(sessions.createdAt), limit: 20 });
  await db.select().from(keys).orderBy(desc(keys.createdAt)).limit(50);
  await db.query.keys.findMany({ where: id ? eq(keys.userId, id) : undefined, orderBy: desc(keys.createdAt), limit: 20 });
  // No limit: every row is returned anyway; an index would save the sort only.
  await db.select().from(keys).orderBy(desc(keys.createdAt));
});
"#;
        case("src/schema.ts", KEYS, "src/routes.ts", routes).assert_fires(&[
            ("src/routes.ts", 5, "sessions.userId (user_id) is filtered on and sessions.createdAt (created_at) is ordered by here, but no index on sessions serves them: D1 reads every row of sessions"),
            ("src/routes.ts", 6, "keys.createdAt (created_at) is ordered by here, but no index on keys starts with it: D1 reads every row of keys"),
            // A filter that may be left out does not narrow every run.
            ("src/routes.ts", 7, "keys.createdAt (created_at) is ordered by here"),
        ]);
    }

    /// Messages with a composite index whose first column is `email_id`
    /// (array form), and the emails they belong to.
    const MESSAGES: &str = r#"import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const emails = sqliteTable('emails', { id: text('id').primaryKey(), owner: text('owner') });
export const messages = sqliteTable('message', {
  id: text('id').primaryKey(),
  emailId: text('email_id').notNull(),
  receivedAt: integer('received_at').notNull(),
  type: text('type'),
  subject: text('subject'),
}, (t) => [index('m_email_time').on(t.emailId, t.receivedAt, t.type)]);
"#;

    /// The conjunct on `email_id` is served: the `or` on `type` and the
    /// ORDER BY apply to that email's rows only.
    #[test]
    fn residual_filters_are_not_reported_when_a_conjunct_is_served() {
        let routes = r#"import { and, desc, eq, isNull, ne, or } from 'drizzle-orm';
import { emails, messages } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.messages.findMany({ where: and(eq(messages.emailId, id), or(ne(messages.type, 'sent'), isNull(messages.type))), orderBy: [desc(messages.receivedAt)], limit: 20 });
  await db.select().from(messages).where(and(eq(messages.emailId, id), or(ne(messages.type, 'sent'), isNull(messages.type)))).orderBy(desc(messages.receivedAt)).limit(20);
  await db.select().from(messages).where(and(eq(messages.emailId, id), eq(messages.subject, s))).limit(20);
  // a range on the index's first column narrows it too
  await db.select().from(messages).where(and(gt(messages.emailId, after), eq(messages.subject, s))).limit(20);
  // the joined table is looked up by its indexed join column
  await db.select().from(emails).innerJoin(messages, eq(messages.emailId, emails.id)).where(isNull(messages.type)).limit(20);
});
"#;
        case("src/schema.ts", MESSAGES, "src/routes.ts", routes).assert_silent();
    }

    #[test]
    fn filters_are_reported_when_no_conjunct_is_served() {
        let routes = r#"import { and, desc, eq, isNull, or } from 'drizzle-orm';
import { messages } from './schema';
app.get('/', async (c) => {
  const db = c.var.db;
  await db.query.messages.findMany({ where: or(eq(messages.type, 'x'), isNull(messages.type)), limit: 20 });
  await db.select().from(messages).where(and(eq(messages.subject, s), isNull(messages.type))).limit(20);
  await db.select().from(messages).where(and(id ? eq(messages.emailId, id) : undefined, eq(messages.subject, s))).limit(20);
});
"#;
        case("src/schema.ts", MESSAGES, "src/routes.ts", routes).assert_fires(&[
            ("src/routes.ts", 5, "messages.type is filtered on here, but no index on message starts with it: D1 reads every row of message"),
            ("src/routes.ts", 6, "messages.subject is filtered on and messages.type is filtered on here"),
            // The served conjunct is optional: without it the query reads every row.
            ("src/routes.ts", 7, "messages.subject is filtered on here"),
        ]);
    }

    /// A `where` bound to a `const` is read where it is declared (by what
    /// the name refers to, not by the name); one that cannot be read does
    /// not make an ORDER BY a full read.
    #[test]
    fn a_condition_bound_to_a_const_is_read() {
        let routes = r#"import { and, desc, eq } from 'drizzle-orm';
import { messages } from './schema';
export async function list(db, id) {
  const base = and(eq(messages.emailId, id));
  await db.select().from(messages).where(and(base, eq(messages.subject, 's'))).limit(5);
  return db.query.messages.findMany({ where: base, orderBy: [desc(messages.receivedAt)] });
}
export async function bySubject(db, s) {
  const base = eq(messages.subject, s);
  return db.select().from(messages).where(and(base, eq(messages.type, 't'))).limit(5);
}
export async function given(db, base) {
  return db.select().from(messages).where(base).orderBy(desc(messages.subject)).limit(5);
}
export async function built(db, s) {
  return db.query.messages.findMany({ where: filterFor(s), orderBy: desc(messages.subject), limit: 5 });
}
"#;
        case("src/schema.ts", MESSAGES, "src/routes.ts", routes).assert_fires(&[(
            "src/routes.ts",
            10,
            "messages.subject is filtered on and messages.type is filtered on here",
        )]);
    }

    /// An index on a boolean is not advice to give: the column is not
    /// reported, the others are.
    #[test]
    fn boolean_columns_are_not_reported() {
        let schema = r#"import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const monitors = sqliteTable('monitors', {
  id: text('id').primaryKey(),
  name: text('name'),
  isRunning: integer('is_running', { mode: 'boolean' }).notNull(),
  retries: integer('retries'),
  createdAt: integer('created_at', { mode: 'timestamp' }),
});
"#;
        let routes = r#"import { desc, eq } from 'drizzle-orm';
import { monitors } from './schema';
export default { async scheduled(event, env) {
  const db = drizzle(env.DB);
  await db.select().from(monitors).where(eq(monitors.isRunning, true));
  await db.query.monitors.findMany({ where: eq(monitors.isRunning, false), orderBy: desc(monitors.isRunning) });
  await db.select().from(monitors).where(eq(monitors.retries, 3)).limit(5);
  await db.select().from(monitors).where(eq(monitors.isRunning, true)).orderBy(desc(monitors.createdAt)).limit(5);
} };
"#;
        let found = case("src/schema.ts", schema, "src/cron.ts", routes).assert_fires(&[
            ("src/cron.ts", 7, "monitors.retries is filtered on here"),
            ("src/cron.ts", 8, "monitors.createdAt (created_at) is ordered by here, but no index on monitors starts with it"),
        ]);
        assert!(
            found[1]
                .help
                .contains("index('monitors_is_running_created_at_idx').on(t.isRunning, t.createdAt)"),
            "{}",
            found[1].help
        );
        let pg = "import { boolean, pgTable, text, uuid } from 'drizzle-orm/pg-core';\nexport const flags = pgTable('flags', { id: uuid('id').primaryKey(), enabled: boolean('enabled').notNull(), owner: text('owner') });\n";
        let q = "import { eq } from 'drizzle-orm';\nimport { flags } from './schema';\nexport const on = (db) => db.select().from(flags).where(eq(flags.enabled, true)).limit(50);\nexport const mine = (db, o) => db.select().from(flags).where(eq(flags.owner, o)).limit(50);\n";
        Case::new()
            .file("src/schema.ts", pg)
            .file("src/q.ts", q)
            .project(pg_project())
            .rules(&[RULE])
            .assert_fires(&[("src/q.ts", 4, "flags.owner is filtered on")]);
        // SQLite's boolean: an integer column CHECKed to 0 and 1 (the
        // e-commerce product worker's `is_active`); three values are no boolean.
        let sql = "CREATE TABLE products (id TEXT PRIMARY KEY, is_active INTEGER CHECK (is_active IN (0,1)) DEFAULT 1, tier INTEGER CHECK (tier IN (0, 1, 2)));\n";
        let raw = "export async function count(env) {\n  await env.DB.prepare('SELECT COUNT(*) AS n FROM products WHERE is_active = 1').first();\n  await env.DB.prepare('SELECT id FROM products WHERE tier = ? LIMIT 20').bind(2).all();\n}\n";
        Case::new()
            .file("src/q.ts", raw)
            .sql("migrations/0001_init.sql", sql)
            .project(d1_project())
            .rules(&[RULE])
            .assert_fires(&[("src/q.ts", 3, "tier")]);
    }
}
