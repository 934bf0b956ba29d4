//! `drizzle-select-all-columns`: a list query that reads every column
//! (`db.select()` without a projection, `findMany` without `columns`,
//! `SELECT *`) of a table with large columns (text, json/jsonb, blob). Every
//! row carries them from the database into the Worker's memory whether the
//! response uses them or not.

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::query::{Api, QueryKind};
use crate::knowledge::schema::{IndexPart, Table};
use crate::model::report::{Category, Severity};
use crate::model::text::bytes;

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "drizzle-select-all-columns",
        category: Category::Database,
        severity: Severity::Info,
        summary: "A list query reads every column of a table with large text/json/blob columns: select only the columns needed.",
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
of a table that has large columns: `text` without a length, `json`/`jsonb`
(including `text(..., { mode: 'json' })`), `blob`/`bytea`. Key columns (primary,
unique, referencing, indexed) do not count as large. The finding names the
large columns and gives a projection of the others.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every row carries those columns from the database through the network (D1's
or Hyperdrive's) into the Worker's 128 MB of memory and usually into the
response, whether the page shows them or not: a list of 50 orders with their
JSON payloads and notes can weigh megabytes.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const userOrders = await db.select().from(orders).where(eq(orders.userId, id)).limit(50);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const userOrders = await db
  .select({ id: orders.id, status: orders.status, total: orders.total, createdAt: orders.createdAt })
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
Single-row queries (`findFirst`, `.get()`, `.limit(1)`, a primary-key lookup),
tables without large columns, and tables the schema does not define.
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
SQLite has one `text` type for short and long strings, so a short text column
without a declared length counts as large; add `{ length: n }` in the schema or
suppress the finding.
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

/// Large columns that are not keys: keys and indexed columns are short.
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
        .filter(|c| c.large && !c.primary && !c.unique && !c.references && !indexed(&c.name))
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
            let Some(t) = p.query_table(fi, q) else {
                continue;
            };
            let table = &p.tables[t];
            let large = large_columns(table);
            if large.is_empty() {
                continue;
            }
            let small: Vec<String> = table
                .columns
                .iter()
                .map(|c| table.js_key(&c.name))
                .filter(|k| !large.contains(k))
                .take(4)
                .collect();
            let name = &q.table_text;
            let (what, help) = match q.api {
                Api::Builder => {
                    let fields: Vec<String> =
                        small.iter().map(|k| format!("{k}: {name}.{k}")).collect();
                    (
                        format!("{}.select() has no projection", q.db_text),
                        format!(
                            "Select only what the response needs: `{}.select({{ {} }}).from({name})`.",
                            q.db_text,
                            fields.join(", ")
                        ),
                    )
                }
                Api::Relational => {
                    let fields: Vec<String> = small.iter().map(|k| format!("{k}: true")).collect();
                    (
                        format!("{name}.findMany has no `columns`"),
                        format!(
                            "Select only what the response needs: `{}.query.{name}.findMany({{ columns: {{ {} }}, ... }})`.",
                            q.db_text,
                            fields.join(", ")
                        ),
                    )
                }
                Api::RawD1 => (
                    "SELECT * reads every column".to_string(),
                    format!(
                        "Name the columns the response needs: `SELECT {} FROM {name} ...`.",
                        small
                            .iter()
                            .map(|k| table.sql_name(k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            };
            r.report(
                path,
                q.loc,
                format!(
                    "{what}: every row of this list brings the large columns {} of {}",
                    large.join(", "),
                    table.name
                ),
                format!(
                    "{help} Large columns cost transfer time and Worker memory ({}) on every row.",
                    bytes(p.limits.memory_bytes)
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
    fn fires_on_list_queries_over_large_columns() {
        let q = r#"import { posts } from './schema';
export async function list(db, id) {
  const a = await db.select().from(posts).where(eq(posts.authorId, id)).limit(20);
  const b = await db.query.posts.findMany({ limit: 20 });
}
"#;
        let found = assert_project_fires(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/q.ts", q)],
            &[],
            &ProjectInfo::default(),
            &[
                ("src/q.ts", 3, "db.select() has no projection: every row of this list brings the large columns body, meta of posts"),
                ("src/q.ts", 4, "posts.findMany has no `columns`"),
            ],
        );
        assert!(found[0].help.contains("`db.select({ id: posts.id, authorId: posts.authorId, title: posts.title }).from(posts)`"), "{}", found[0].help);
        assert!(
            found[1]
                .help
                .contains("columns: { id: true, authorId: true, title: true }"),
            "{}",
            found[1].help
        );
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
        assert_project_silent(
            RULE,
            &[("src/schema.ts", SCHEMA), ("src/q.ts", q)],
            &[],
            &ProjectInfo::default(),
        );
    }

    #[test]
    fn fires_on_raw_d1_select_star() {
        let sql = [("migrations/0001.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT);\nCREATE INDEX notes_owner ON notes (owner);")];
        let src = "export default { async fetch(req, env) {\n  const { results } = await env.DB.prepare('SELECT * FROM notes WHERE owner = ? LIMIT 50').bind(u).all();\n} };\n";
        let found = assert_project_fires(
            RULE,
            &[("src/index.ts", src)],
            &sql,
            &ProjectInfo::default(),
            &[("src/index.ts", 2, "SELECT * reads every column: every row of this list brings the large columns body of notes")],
        );
        assert!(
            found[0].help.contains("`SELECT id, owner FROM notes ...`"),
            "{}",
            found[0].help
        );
    }
}
