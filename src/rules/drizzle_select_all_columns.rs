//! `drizzle-select-all-columns`: a list query that reads every column
//! (`db.select()` without a projection, `findMany` without `columns`,
//! `SELECT *`) of a table with plausibly large columns (json/jsonb, blob,
//! document-named text) that the code never reads from the rows. The columns
//! read are found by following the rows ([`crate::effects::row_use`]); rows
//! passed on whole, or used in a way not followed, are not reported.

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::query::{Api, QueryKind, RowUse};
use crate::knowledge::schema::{IndexPart, Table};
use crate::model::report::{Category, Severity};
use crate::model::text::limit;

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "drizzle-select-all-columns",
        category: Category::Database,
        severity: Severity::Info,
        summary: "A list query reads every column, including large json/blob/document columns the code never reads from the rows: select only the columns read.",
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
A list query that reads every column — `db.select()` with no projection,
`db.query.t.findMany(...)` without `columns`, raw `SELECT *` run with `.all()` —
of a table with plausibly large columns, when the code reads other columns
from the rows but not those. Plausibly large: `json`/`jsonb` (including
`text(..., { mode: 'json' })`), `blob`/`bytea`, long text types, and unbounded
`text` whose name ends in a word for a document (`content`, `body`, `html`,
`markdown`, `description`, `notes`, `payload`, `text`, `bio`, `transcript`,
`comment`, `message`). Key columns (primary, unique, referencing, indexed) do
not count.

The columns read are found by following the rows: the variable the query is
bound to (`const rows = await …`, D1's `const { results } = await ….all()`),
`rows.map((r) => r.id)`, `for (const r of rows)`, destructuring (`const { id,
name } = row`, `({ id }) => …`), `rows.find(…)`, `rows[0]`, `filter`/`sort`/
`slice`, and, for a query returned by a function, the calls of that function
in the same file. The finding names the unread large columns and gives a
projection of exactly the columns read.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every row carries those columns from the database through the network (D1's
or Hyperdrive's) into the Worker's 128 MB of memory, although nothing reads
them: a list of 50 orders with their JSON payloads and notes can weigh
megabytes.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const userOrders = await db.select().from(orders).where(eq(orders.userId, id)).limit(50);
return userOrders.map((o) => ({ id: o.id, status: o.status, total: o.total }));
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const userOrders = await db
  .select({ id: orders.id, status: orders.status, total: orders.total })
  .from(orders)
  .where(eq(orders.userId, id))
  .limit(50);
// relational API
await db.query.orders.findMany({ columns: { id: true, status: true }, limit: 50 });
```
"#,
        ),
        (
            "Not reported",
            r#"
- Rows passed on whole: returned, sent (`c.json(rows)`, `Response.json`,
  `JSON.stringify`), spread into an object, given to another function or
  stored: every column may be used.
- Rows whose every use is not followed (the columns read are unknown).
- Code that reads every large column.
- Single-row queries (`findFirst`, `.get()`, `.limit(1)`, a primary-key lookup),
  tables without plausibly large columns (ids, names, URLs and timestamps are
  `text` in SQLite, and are not large), and tables the schema does not define.
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
Rows returned from a function are followed only to the callers in the same
file; a query returned to another file (a service called by a controller) is
treated as passed on whole. Whether a `text` column is large is judged by its
name; a document column with another name (`summary`, `data`) is not seen.
"#,
        ),
    ],
    setup: r#"
# @hyperdrive HYPERDRIVE
# @file src/schema.ts
# import { pgTable, text, uuid, jsonb, integer, timestamp, varchar, index } from 'drizzle-orm/pg-core';
# export const orders = pgTable('orders', {
#   id: uuid('id').primaryKey(),
#   userId: uuid('user_id').notNull(),
#   status: varchar('status', { length: 20 }),
#   total: integer('total'),
#   createdAt: timestamp('created_at'),
#   notes: text('notes'),
#   meta: jsonb('meta'),
# }, (t) => [index('orders_user').on(t.userId)]);
# @file src/orders.ts
# import { eq } from 'drizzle-orm';
# import { orders } from './schema';
# export async function list(db, id) {
# @example
# }
"#,
    examples: crate::engine::declare::Examples::Run,
};

/// Plausibly large columns that are not keys: keys and indexed columns are
/// short.
fn large_columns(t: &Table) -> Vec<String> {
    let indexed = |name: &str| {
        t.primary_key.iter().any(|c| c == name)
            || t.indexes.iter().any(|i| {
                i.parts
                    .iter()
                    .any(|p| matches!(p, IndexPart::Column(c) if c == name))
            })
    };
    t.columns
        .iter()
        .filter(|c| {
            c.plausibly_large() && !c.primary && !c.unique && !c.references && !indexed(&c.name)
        })
        .map(|c| t.js_key(&c.name))
        .collect()
}

fn check(p: &Project<'_>, r: &mut Reporter<'_>) {
    for (fi, (path, facts)) in p.files.iter().enumerate() {
        for q in &facts.queries {
            if q.kind != QueryKind::Select || !q.all_columns || q.single_row || q.subquery {
                continue;
            }
            if q.api == Api::RawD1 && !matches!(q.exec.as_deref(), Some("all" | "raw")) {
                continue;
            }
            // Rows passed on whole (returned, sent as JSON, given to a
            // function) may use every column; an unknown use may too.
            let RowUse::Columns(read) = &q.row_use else {
                continue;
            };
            let Some(t) = p.query_table(fi, q) else {
                continue;
            };
            let table = &p.tables[t];
            // The columns read, as the schema names them (relations and
            // other properties are not columns).
            let read: Vec<String> = table
                .columns
                .iter()
                .map(|c| table.js_key(&c.name))
                .filter(|k| {
                    read.iter()
                        .any(|r| table.column(r).is_some_and(|c| table.js_key(&c.name) == *k))
                })
                .collect();
            let unread: Vec<String> = large_columns(table)
                .into_iter()
                .filter(|k| !read.contains(k))
                .collect();
            if unread.is_empty() {
                continue;
            }
            let name = &q.table_text;
            let (what, help) = if read.is_empty() {
                (
                    "the code reads no column of the rows".to_string(),
                    "Count the rows in the database instead (`count()`, `SELECT count(*)`)."
                        .to_string(),
                )
            } else {
                let help = match q.api {
                    Api::Builder => {
                        let fields: Vec<String> =
                            read.iter().map(|k| format!("{k}: {name}.{k}")).collect();
                        format!(
                            "Select only the columns the code reads: `{}.select({{ {} }}).from({name})`.",
                            q.db_text,
                            fields.join(", ")
                        )
                    }
                    Api::Relational => {
                        let fields: Vec<String> =
                            read.iter().map(|k| format!("{k}: true")).collect();
                        format!(
                            "Select only the columns the code reads: `{}.query.{name}.findMany({{ columns: {{ {} }}, ... }})`.",
                            q.db_text,
                            fields.join(", ")
                        )
                    }
                    Api::RawD1 => format!(
                        "Name only the columns the code reads: `SELECT {} FROM {name} ...`.",
                        read.iter()
                            .map(|k| table.sql_name(k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                (format!("the code reads only {}", read.join(", ")), help)
            };
            let query = match q.api {
                Api::Builder => format!("{}.select() has no projection", q.db_text),
                Api::Relational => format!("{name}.findMany has no `columns`"),
                Api::RawD1 => "SELECT * reads every column".to_string(),
            };
            r.report(
                path,
                q.loc,
                format!(
                    "{query}: every row of this list brings the large columns {} of {}, but {what}",
                    unread.join(", "),
                    table.name
                ),
                format!(
                    "{help} Large columns cost transfer time and Worker memory ({}) on every row.",
                    limit(p.limits.memory_bytes)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::{assert_project_fires, assert_project_silent};

    const RULE: &str = "drizzle-select-all-columns";

    fn silent(schema: &str, q: &str) {
        assert_project_silent(
            RULE,
            &[("src/schema.ts", schema), ("src/q.ts", q)],
            &[],
            &ProjectInfo::default(),
        );
    }

    const SCHEMA: &str = r#"import { pgTable, text, uuid, jsonb, varchar, index } from 'drizzle-orm/pg-core';
export const posts = pgTable('posts', {
  id: uuid('id').primaryKey(),
  authorId: uuid('author_id').notNull(),
  title: varchar('title', { length: 200 }),
  body: text('body'),
  meta: jsonb('meta'),
}, (t) => [index('posts_author').on(t.authorId)]);
export const tags = pgTable('tags', {
  id: uuid('id').primaryKey(),
  label: varchar('label', { length: 40 }),
});
"#;

    #[test]
    fn fires_when_large_columns_are_not_read() {
        let q = r#"import { posts } from './schema';
export async function list(db, id) {
  const a = await db.select().from(posts).where(eq(posts.authorId, id)).limit(20);
  const b = await db.query.posts.findMany({ limit: 20 });
  const titles = a.filter((p) => p.title).map((p) => p.title);
  for (const { id, title } of b) out.push(id + title);
  return titles;
}
export async function one(db) {
  const rows = await db.select().from(posts).limit(20);
  const first = rows.find((r) => r.authorId === x);
  if (!rows.length || first == null) return null;
  if (first) first.title;
  return first.title + rows[1].meta.x;
}
async function load(db) {
  return db.select().from(posts).limit(5);
}
export async function caller(db) {
  const rows = await load(db);
  return rows.map(({ id }) => id);
}
"#;
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/q.ts", q)],
            &[],
            &ProjectInfo::default(),
            &[
                ("src/q.ts", 3, "db.select() has no projection: every row of this list brings the large columns body, meta of posts, but the code reads only title"),
                ("src/q.ts", 4, "posts.findMany has no `columns`: every row of this list brings the large columns body, meta of posts, but the code reads only id, title"),
                ("src/q.ts", 10, "the large columns body of posts, but the code reads only authorId, title, meta"),
                ("src/q.ts", 17, "the large columns body, meta of posts, but the code reads only id"),
            ],
        );
        assert!(
            found[0]
                .help
                .contains("`db.select({ title: posts.title }).from(posts)`"),
            "{}",
            found[0].help
        );
        assert!(
            found[1]
                .help
                .contains("columns: { id: true, title: true }"),
            "{}",
            found[1].help
        );
    }

    #[test]
    fn silent_when_rows_are_passed_on_or_read_whole_or_unknown() {
        let q = r#"import { posts, tags } from './schema';
app.get('/a', async (c) => {
  const rows = await c.var.db.select().from(posts).limit(20);
  return c.json(rows);
});
app.get('/b', async (c) => {
  const rows = await c.var.db.select().from(posts).limit(20);
  return c.json(rows.map((r) => ({ ...r, extra: 1 })));
});
app.get('/c', async (c) => {
  const rows = await c.var.db.select().from(posts).limit(20);
  return c.json(rows.map((r) => ({ id: r.id, body: r.body, meta: r.meta })));
});
app.get('/d', async (c) => {
  return c.json(await c.var.db.select().from(posts).limit(20));
});
app.get('/e', async (c) => {
  const rows = await c.var.db.select().from(posts).limit(20);
  return c.json(rows.map(toDto));
});
export async function service(db) {
  return db.select().from(posts).limit(20);
}
export async function stored(db, cache) {
  const rows = await db.select().from(posts).limit(20);
  cache.rows = rows.filter((r) => r.id);
}
export async function whole(db) {
  const rows = await db.select().from(posts).limit(20);
  return rows.map(({ id, ...rest }) => rest);
}
export async function small(db) {
  const rows = await db.select().from(tags).limit(100);
  return rows.map((t) => t.id);
}
"#;
        silent(SCHEMA, q);
    }

    #[test]
    fn short_text_columns_are_not_large() {
        let schema = r#"import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
export const tokens = sqliteTable('tokens', {
  mint: text('mint').primaryKey(),
  name: text('name').notNull(),
  imageUrl: text('imageUrl'),
  createdAt: text('created_at'),
});
"#;
        let q = "import { tokens } from './schema';\nexport async function f(db) {\n  const rows = await db.select().from(tokens).limit(10);\n  return rows.map((t) => t.mint);\n}\n";
        silent(schema, q);
    }

    #[test]
    fn silent_with_projection_single_row_or_small_columns() {
        let q = r#"import { posts, tags } from './schema';
export async function list(db, id) {
  await db.select({ id: posts.id, title: posts.title }).from(posts).limit(20);
  await db.select().from(posts).where(eq(posts.id, id)).limit(1);
  await db.query.posts.findFirst({ where: eq(posts.id, id) });
  await db.query.posts.findMany({ columns: { id: true, title: true }, limit: 20 });
  await db.select().from(tags).limit(100);
}
"#;
        silent(SCHEMA, q);
    }

    #[test]
    fn fires_on_raw_d1_select_star() {
        let sql = [("migrations/0001.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT);\nCREATE INDEX notes_owner ON notes (owner);")];
        let src = "export default { async fetch(req, env) {\n  const { results } = await env.DB.prepare('SELECT * FROM notes WHERE owner = ? LIMIT 50').bind(u).all();\n  return Response.json(results.map((n) => n.id));\n} };\n";
        let found = assert_project_fires(
            RULE,
            &[("src/index.ts", src)],
            &sql,
            &ProjectInfo::default(),
            &[("src/index.ts", 2, "SELECT * reads every column: every row of this list brings the large columns body of notes, but the code reads only id")],
        );
        assert!(
            found[0].help.contains("`SELECT id FROM notes ...`"),
            "{}",
            found[0].help
        );
    }
}
