//! `drizzle-delete-without-where`: a `delete` or `update` with no condition
//! touches every row of the table: a full-table write (every row read and
//! written, billed per row on D1) that is almost never intended.

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::CallExpr;

use super::per_call::Finding;
use super::words::identifier_words;
use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::semantic::scope::Frame;
use crate::knowledge::query::{Api, QueryKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "drizzle-delete-without-where", Database, Error,
    "A delete or update without a where clause: it deletes or updates every row of the table.",
    |_| Box::new(DeleteWithoutWhere::default())
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A Drizzle `db.delete(table)` or `db.update(table).set(…)` with no `.where(...)`,
and a raw D1 `DELETE`/`UPDATE` statement with no `WHERE`: it deletes or updates
every row of the table. (Both deletes and updates are reported under this id.)
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Besides the data it destroys, a whole-table write reads and writes every row:
billed per row on D1, holding locks on Postgres, and on a large table long
enough to run into the Worker's time limits half done.
"#,
        ),
        (
            "Bad",
            r#"
```ts
await db.delete(orderItems);
await db.update(orders).set({ status: 'cancelled' });
```
"#,
        ),
        (
            "Good",
            r#"
```ts
await db
  .delete(orderItems)
  .where(inArray(orderItems.orderId, db.select({ id: orders.id }).from(orders).where(eq(orders.status, 'cancelled'))));
```

If clearing a table is intended, say so:
`// perf-optimizer-disable-next-line drizzle-delete-without-where -- resets the staging table`.
"#,
        ),
        (
            "Not reported",
            r#"
Whole-table writes in a function or route whose name says it empties tables
on purpose — `clear`, `reset`, `truncate`, `wipe`, `purge`, `flush`, `empty`,
`teardown` (`resetDatabase()`, `app.delete('/test/clear-sessions', …)`), or
`all` with a removing verb (`removeAllRunningSessions()`, `deleteAll`) —
unless the name also says which rows were meant (`clearExpiredSessions`,
`purgeOldLogs`, `resetForUser`: the missing condition is then the bug).

A delete of every row that the same function follows with inserts into the
table (`tx.delete(roomUsers).run()`, then `tx.insert(roomUsers)` per user: a
Durable Object saving its state) replaces the rows on purpose.

`.$dynamic()` queries (their `where` may be added elsewhere) and `delete` calls
on anything that is not a Drizzle database (`map.delete(k)`, `env.KV.delete(k)`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Words that say a function or route empties tables on purpose.
const CLEARING_WORDS: &[&str] = &["clear", "reset", "truncate", "wipe", "purge", "flush", "empty", "teardown", "nuke"];
/// Words that say only some rows were meant (`clearExpired`): the missing
/// condition is then a bug.
const SELECTING_WORDS: &[&str] = &[
    "expired", "old", "stale", "outdated", "inactive", "unused", "before", "older", "after", "by", "for", "one", "single",
];

/// Verbs that, with the word `all`, say every row goes (`removeAllSessions`).
const REMOVING_VERBS: &[&str] = &["remove", "delete", "drop", "destroy", "abort", "cancel"];

/// Whether a function or route name says it empties tables on purpose:
/// `resetDatabase`, `/clear-sessions`, `truncateAll`, `removeAllRunningSessions`;
/// not `clearExpired`.
fn clears_on_purpose(name: &str) -> bool {
    let words: Vec<String> = identifier_words(name).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    (has(CLEARING_WORDS) || (has(&["all"]) && has(REMOVING_VERBS))) && !has(SELECTING_WORDS)
}

/// The rule: [`check`] on every call, but not inside a function or a
/// route handler whose name or path says it clears tables on purpose.
#[derive(Default)]
struct DeleteWithoutWhere {
    /// Handlers of routes whose path says they clear (`app.delete('/reset', …)`).
    clearing_routes: Vec<Span>,
    /// Whole-table deletes found, with the table and the innermost
    /// function: reported at the end of the file unless that function
    /// inserts into the same table after it.
    deletes: Vec<(Finding, String, Option<Span>)>,
    /// Inserts seen: (table, where).
    inserts: Vec<(String, Span)>,
}

/// The innermost function around the node being walked.
fn function_span(cx: &LintContext<'_>) -> Option<Span> {
    match cx.function() {
        Some(Frame::Function { span, .. }) => Some(*span),
        _ => None,
    }
}

impl Rule for DeleteWithoutWhere {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Node::Call(call) = node else { return };
        for method in ["get", "post", "put", "patch", "delete", "all"] {
            if let Some((_, path, handler)) = super::cacheable_route::route(call, method) {
                if path.value.as_str().is_some_and(clears_on_purpose) {
                    self.clearing_routes.push(handler.span());
                }
                return;
            }
        }
        if let Some(q) = cx.db.query_at(call.span) {
            if q.kind == QueryKind::Insert {
                self.inserts.push((q.table_text.clone(), q.span));
            }
        }
        let Some(found) = check(call, cx) else { return };
        let in_clearing_route = self.clearing_routes.iter().any(|h| h.contains(found.span));
        let in_clearing_function = cx.file.frames().iter().any(|f| {
            matches!(f, Frame::Function { name: Some(name), .. } if clears_on_purpose(name))
        });
        if !in_clearing_route && !in_clearing_function {
            let table = cx
                .db
                .query_at(call.span)
                .filter(|q| q.kind == QueryKind::Delete)
                .map(|q| q.table_text.clone())
                .unwrap_or_default();
            self.deletes.push((found, table, function_span(cx)));
        }
    }

    /// A delete of every row that the same function follows with inserts
    /// into the table (`tx.delete(roomUsers).run()`, then a `tx.insert(roomUsers)`
    /// per user, in it or in a callback of it) replaces the table's rows on
    /// purpose: not reported.
    fn finish(&mut self, cx: &mut LintContext<'_>) {
        for (found, table, function) in std::mem::take(&mut self.deletes) {
            let replaced = !table.is_empty()
                && self.inserts.iter().any(|(t, at)| {
                    *t == table
                        && at.lo > found.span.lo
                        && function.is_none_or(|f| f.contains(*at))
                });
            if !replaced {
                cx.report(found.span, found.message, found.help);
            }
        }
    }
}

fn check(call: &CallExpr, cx: &LintContext<'_>) -> Option<Finding> {
    let q = cx.db.query_at(call.span)?;
    let verb = match q.kind {
        QueryKind::Delete => "deletes",
        QueryKind::Update => "updates",
        _ => return None,
    };
    if q.has_where || q.dynamic {
        return None;
    }
    let table = &q.table_text;
    let (message, help) = if q.api == Api::RawD1 {
        (
                format!("{} has no WHERE clause: it {verb} every row of {table}", q.text),
                format!(
                    "Add the condition that selects the rows, e.g. `... WHERE id = ?` with `.bind(id)`. If clearing every row \
                     is intended, say so and suppress this finding: \
                     `// perf-optimizer-disable-next-line drizzle-delete-without-where -- clears {table} on purpose`."
                ),
            )
    } else {
        let example = match q.kind {
            QueryKind::Delete => {
                format!("{}.delete({table}).where(eq({table}.id, id))", q.db_text)
            }
            _ => format!(
                "{}.update({table}).set({{ ... }}).where(eq({table}.id, id))",
                q.db_text
            ),
        };
        (
                format!("{} has no .where(): it {verb} every row of {table}", q.text),
                format!(
                    "Add the condition that selects the rows: `{example}`. If touching every row is intended, say so \
                     and suppress this finding: \
                     `// perf-optimizer-disable-next-line drizzle-delete-without-where -- all rows on purpose`."
                ),
            )
    };
    Some(Finding {
        span: q.span,
        message,
        help,
        needs: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    const RULE: &str = "drizzle-delete-without-where";

    #[test]
    fn fires_on_unconditional_delete_and_update() {
        assert_fires(
            RULE,
            r#"app.delete('/admin/items', async (c) => {
  await c.var.db.delete(orderItems);
  await c.var.db.update(orders).set({ status: 'cancelled' });
  await tx.delete(schema.sessions).returning();
  await c.env.DB.prepare('DELETE FROM sessions').run();
  await c.env.DB.prepare(`UPDATE users SET active = 0`).run();
});
"#,
            &[
                (2, "c.var.db.delete(orderItems) has no .where(): it deletes every row of orderItems"),
                (3, "it updates every row of orders"),
                (4, "every row of schema.sessions"),
                (5, "has no WHERE clause: it deletes every row of sessions"),
                (6, "it updates every row of users"),
            ],
        );
    }

    #[test]
    fn deliberate_clears_are_silent_and_selective_names_are_not() {
        assert_fires(
            RULE,
            r#"app.delete('/test/clear', async (c) => {
  await c.var.db.delete(sessions);
});
router.delete('/clear-sessions', secureHeaders(), async (c) => {
  await c.var.db.delete(sessions);
});
export async function resetDatabase(db) {
  await db.delete(users);
  await db.update(counters).set({ n: 0 });
}
const truncateAll = async (db) => { await db.delete(users); };
app.post('/sessions/clear-expired', async (c) => {
  await c.var.db.delete(sessions);
});
export async function purgeOldLogs(db) {
  await db.delete(logs);
}
app.delete('/items', async (c) => {
  await c.var.db.delete(items);
});
/** Remove all running session markers (abort all). */
export function removeAllRunningSessions(db) {
  return db.delete(runningSessions).run();
}
export async function deleteAllOldTokens(db) {
  await db.delete(tokens);
}
export async function removeSession(db) {
  await db.delete(sessions);
}
"#,
            &[
                (13, "every row of sessions"),
                (16, "every row of logs"),
                (19, "every row of items"),
                (26, "every row of tokens"),
                (29, "every row of sessions"),
            ],
        );
    }

    /// Every row deleted, then the table filled again in the same function
    /// (a Durable Object saving its state: sprintjam's room worker):
    /// replaced on purpose. A delete followed by inserts into another
    /// table, or in another function, is still reported.
    #[test]
    fn a_table_replaced_in_the_same_function_is_silent() {
        assert_fires(
            RULE,
            r#"export function save(db, room) {
  db.transaction((tx) => {
    tx.delete(roomUsers).run();
    room.users.forEach((user, i) => {
      tx.insert(roomUsers).values({ userName: user, ordinal: i }).run();
    });
    tx.delete(roomVotes).run();
    tx.insert(roomUsers).values({ userName: 'x' }).run();
  });
}
app.post('/tickets/drop', async (c) => {
  await c.var.db.delete(roomTickets);
});
app.post('/tickets/fill', async (c) => {
  await c.var.db.insert(roomTickets).values({ id: 1 });
});
"#,
            &[(7, "deletes every row of roomVotes"), (12, "deletes every row of roomTickets")],
        );
    }

    #[test]
    fn fires_on_postgres_through_hyperdrive() {
        assert_fires(
            RULE,
            r#"import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
export default {
  async fetch(req, env) {
    const pg = drizzle(postgres(env.HYPERDRIVE.connectionString, { max: 5 }));
    await pg.delete(sessions).where(lt(sessions.expiresAt, new Date()));
    await pg.update(users).set({ plan: 'free' }).returning();
  },
};
"#,
            &[(7, "pg.update(users).set({ plan: 'free' }).returning() has no .where(): it updates every row of users")],
        );
    }

    #[test]
    fn silent_with_a_condition_or_outside_drizzle() {
        assert_silent(
            RULE,
            r#"app.delete('/x', async (c) => {
  const db = c.var.db;
  await db.delete(orderItems).where(inArray(orderItems.orderId, ids));
  await db.update(orders).set({ status: 'paid' }).where(eq(orders.id, id));
  await c.env.DB.prepare('DELETE FROM sessions WHERE expires_at < ?').bind(now).run();
  let q = db.delete(orders).$dynamic();
  map.delete(key);
  await c.env.CACHE.delete(key);
  await c.env.BUCKET.delete(key);
  // The Cloudflare API client deletes a whole database by id: not Drizzle.
  await client.d1.database.delete(databaseId, { account_id: accountId });
  cache.delete(orders);
  headers.delete('x');
  await db.delete('sessions');
});
"#,
        );
    }
}
