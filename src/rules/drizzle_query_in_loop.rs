//! `drizzle-query-in-loop`: a database query awaited once per loop iteration
//! or per element of `Promise.all(xs.map(...))`: N+1 queries, each a round
//! trip to D1 or through Hyperdrive. Retry and fallback loops, first matches
//! and loops over a few constant items run the query once or a few times, not
//! per item (`effects::hot_paths`): silent there.

use swc_core::common::Span;
use swc_core::ecma::ast::CallExpr;

use super::per_call::{Finding, PerCall};
use crate::engine::context::{target_of, Effect, LoopKind, Node, Repeat};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::query::{Api, Iteration, Op, QueryFact, QueryKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "drizzle-query-in-loop", Database, Warning,
    "A database query awaited once per loop iteration or per element of Promise.all(xs.map(...)) (N+1 queries).",
    |_| Box::new(QueryInLoop)
);

/// The per-call [`check`], with the quiet loops (`effects::hot_paths`)
/// computed for it.
struct QueryInLoop;

impl Rule for QueryInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::OptCall]
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            // `db?.select()…`: the query, as `db.select()…` is.
            Node::OptCall(call) => {
                if let Some(f) = check_query(call.span, cx) {
                    cx.report(f.span, f.message, f.help);
                }
            }
            _ => PerCall(check).enter(node, cx),
        }
    }
}

/// A loop that repeats a query at most this many times in all (nested
/// counts multiply) makes no N+1: the bound `subrequest-in-loop` (which
/// stands back for this rule's findings) uses.
const FEW: f64 = super::subrequest_in_loop::SMALL_BOUND;

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A database query — a Drizzle builder or relational query, a raw D1
`prepare(…)…all()/first()/run()` — awaited in every iteration of a `for`,
`for-of`, `for-in` or `for await` loop, in an array callback
(`xs.forEach(async (x) => await …)`), or returned per element to
`Promise.all(xs.map(...))`: the N+1 pattern.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each query is a round trip to D1 or, through Hyperdrive, to Postgres: 50 orders
are 50 round trips where one query would do. Awaited in a loop their latencies
add up; in `Promise.all` they compete for the 6 simultaneous connections a
Worker may have open, and each counts as a subrequest.
"#,
        ),
        (
            "Bad",
            r#"
```ts
for (const o of userOrders) {
  const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const items = await db
  .select({ orderId: orderItems.orderId, sku: orderItems.sku, qty: orderItems.qty })
  .from(orderItems)
  .where(inArray(orderItems.orderId, userOrders.map((o) => o.id)));
// or a join, or the relational API: db.query.orders.findMany({ with: { items: true } })
// or, on D1, one round trip for many statements: await db.batch(ids.map((id) => db.select()…))
```
"#,
        ),
        (
            "Not reported",
            r#"
- Queries built in a loop and sent together (`db.batch(stmts)`).
- Code that runs only on a failure: a `catch` that inserts a failed batch's
  rows one at a time to find the bad one.
- A buffer flushed once it holds a chunk (`if (batch.length >= BATCH_SIZE)
  { await db.insert(t).values([...batch]); batch.length = 0; }`, a constant
  of at least 2): the batched form.
- A branch for one iteration of the loop: under a test of the first
  (`if (i === 0 && …)`) or under a flag the branch sets
  (`if (!started) { started = true; … }`).
- A probe for a free name: a loop over no collection, or over a constant
  number of tries, that stops at the first lookup that finds nothing
  (`for (let i = 0; i < 32; i++) { … if (!clash) return candidate; }`).
- Paging loops (`.offset(...)`, a limited query in a counting `for` loop) and
  `while`/`do-while` loops, whose iterations depend on the previous result.
- A query per chunk: the loop goes over chunks of a list and each query takes
  the whole chunk (`for (const chunk of chunks(ids, 90)) … inArray(t.id, chunk)`,
  or `where: { id: { in: chunk } }` in the relational queries' object filters),
  the batching D1's limit of 100 bound parameters per query asks for.
- Retry loops: the body leaves the loop where the query succeeded
  (`try { await stmt.run(); return c.text('created'); } catch (e) { if (isUnique(e)) continue; throw e; }`,
  `if (row) return row`), so it usually runs once, whatever bounds it; and a
  counting loop over attempts that can leave the loop
  (`for (let attempt = 1; attempt <= maxRetries; attempt++) { … if (!taken) return code; }`).
- First matches: a query followed, in its block, by an unconditional exit of
  the loop (`return`, `break` of the loop, a `throw` no `try` in the loop
  catches), with no `continue` between them, runs at most once per run of the
  loop (`if (path.startsWith(route)) { const ok = await checkPermission(db, p); if (!ok) return deny(); break; }`).
- Loops over a few constant items, at most 10 in all (nested counts
  multiply): an array literal or a `const` bound to one (and grown by a few
  pushes where it is declared: `if (admin) hooks.push(admin)`), `.slice(0, n)`, a
  list made from a known one (`ROLES.filter(…)`, `.map(…)`), `Object.keys`
  of an object literal, a literal or constant bound
  (`for (let i = 0; i < 3; i++)`). A list another
  module declares (`import { CATEGORIES } from './constants'`), or returns
  as it is from a function (`getAllSources()`), counts at its length when
  that module grows it nowhere in a function and it is not empty; so does a
  function's every `return` of a list it builds in its body (a literal and
  a few pushes, `[...new Set(keys)]`).
- A helper whose only query is in failure-only code (a `catch`, `if (!res.ok)`:
  `catch (e) { if (revoked(e)) await dropConnection(db, id); throw e; }`): a
  call of it costs no query when it succeeds. The same holds for the
  subrequests the loop rules follow into helpers.
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
Only queries the file can recognize (a `drizzle(...)` result, `db`/`tx`,
`c.var.db`, a D1 binding, the result of a helper that returns `drizzle(...)`
or is named like `getDb`; `db?.select()` as `db.select()`) are seen, and only
when the loop or callback directly
contains the `await`. Where this rule reports a query, `await-in-loop` and
`subrequest-in-loop` stay silent on it; a call it does not recognize as a query
is theirs to report.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

fn check(call: &CallExpr, cx: &LintContext<'_>) -> Option<Finding> {
    // Code that runs only on a failure (a `catch` that retries a failed
    // batch's rows one at a time to find the bad one) is not a hot path,
    // as for subrequest-in-loop.
    if cx.hot.is_cold(call.span) {
        return None;
    }
    if cx.db.query_at(call.span).is_none() {
        return helper_per_element(call, cx);
    }
    check_query(call.span, cx)
}

/// The query whose outermost call (plain or optional) is at `at`, when it
/// runs per element.
fn check_query(at: Span, cx: &LintContext<'_>) -> Option<Finding> {
    let q = cx.db.query_at(at)?;
    if q.subquery {
        return None;
    }
    let it = hot_iteration(q.per_iteration.as_ref()?, at, cx)?;
    let over = it
        .items
        .as_ref()
        .map(|i| format!(" over {i}"))
        .unwrap_or_default();
    Some(Finding {
        span: q.span,
        message: format!(
            "{} runs once per element in a {}{over}: N+1 queries, one round trip each",
            q.text, it.describe
        ),
        help: help(q, &it),
        needs: None,
    })
}

/// The loop or callback that repeats the code at `at` per item, looking
/// through retry and fallback loops, first matches and loops over a few
/// constant items (`effects::hot_paths`) to the ones around them: `None`
/// when only those repeat it.
fn hot_repeat(at: Span, cx: &LintContext<'_>) -> Option<Repeat> {
    cx.hot.hot_repeat(cx.frames(), at, FEW)
}

/// The query's iteration, when a loop that repeats it per item is around
/// it: the innermost loop's (as the facts describe it), or, past a quiet
/// loop, the one around that repeats it (without the elements, which the
/// facts know for the innermost loop only). `while` loops page or retry.
fn hot_iteration(it: &Iteration, at: Span, cx: &LintContext<'_>) -> Option<Iteration> {
    let repeat = hot_repeat(at, cx)?;
    if cx.repeating().is_some_and(|inner| inner.span == repeat.span) {
        return Some(it.clone());
    }
    match repeat.kind {
        Some(LoopKind::While | LoopKind::DoWhile) => None,
        _ => Some(Iteration {
            describe: if repeat.in_promise_combinator {
                format!("{} inside Promise.all", repeat.describe())
            } else {
                repeat.describe()
            },
            items: None,
            item: None,
        }),
    }
}

/// A call awaited once per element (in a `for`/`for-of` loop, or a
/// callback of `xs.map(...)` given to `Promise.all`) to a function of the
/// project: an N+1 if that function, or one it calls in any file, runs a
/// query. `while` loops page or retry: their iterations depend on each other.
fn helper_per_element(call: &CallExpr, cx: &LintContext<'_>) -> Option<Finding> {
    let repeat = hot_repeat(call.span, cx)?;
    let per_element = match repeat.kind {
        Some(LoopKind::For | LoopKind::ForOf | LoopKind::ForIn | LoopKind::ForAwaitOf) => {
            cx.db.walk.is_awaited(call.span)
        }
        Some(LoopKind::While | LoopKind::DoWhile) => false,
        None => repeat.in_promise_combinator || cx.db.walk.is_awaited(call.span),
    };
    if !per_element {
        return None;
    }
    let target = target_of(call)?;
    Some(Finding {
        span: call.span,
        message: format!(
            "`{}` is called once per element in a {}: N+1 queries, one round trip each",
            cx.snippet(call.span),
            repeat.describe()
        ),
        help: "Give the helper all elements at once and load them in one query (`inArray(column, ids)`), \
               or collect the statements and send them together with `db.batch([...])` on D1."
            .into(),
        needs: Some((target, Effect::Query)),
    })
}

fn help(q: &QueryFact, it: &Iteration) -> String {
    let it = Some(it);
    let items = it
        .and_then(|i| i.items.clone())
        .unwrap_or_else(|| "items".into());
    let item = it
        .and_then(|i| i.item.clone())
        .unwrap_or_else(|| "x".into());
    // The equality on the loop element becomes one IN over all elements.
    let keyed = q
        .filters
        .iter()
        .find(|f| f.op == Op::Eq && f.conjunct && !f.via_expr && f.value.is_some());
    let values = keyed
        .and_then(|f| f.value.as_ref())
        .map(|v| format!("{items}.map(({item}) => {v})"))
        .unwrap_or_else(|| "ids".into());
    match (q.api, q.kind) {
        (Api::RawD1, _) => format!(
            "Send the statements together: `await {db}.batch({items}.map(({item}) => {db}.prepare(sql).bind(...)))` \
             is one round trip; or select all rows at once with `WHERE col IN (...)` (D1 allows 100 bound \
             parameters per statement).",
            db = q.db_text
        ),
        (_, QueryKind::Insert) => format!(
            "Insert all rows with one statement: `await {db}.insert({table}).values({items}.map(({item}) => ({{ ... }})))` \
             (in chunks that stay under D1's 100 bound parameters), or send them together with `{db}.batch([...])`.",
            db = q.db_text,
            table = q.table_text
        ),
        (_, QueryKind::Update | QueryKind::Delete) => format!(
            "Send the statements together with `await {db}.batch({items}.map(({item}) => ...))` (one round trip on D1), \
             or express them as one statement with `inArray(...)`.",
            db = q.db_text
        ),
        (_, QueryKind::Select) => {
            let one_query = match keyed {
                Some(f) if q.api == Api::Builder => format!(
                    "`const rows = await {db}.select().from({table}).where(inArray({col}, {values}))`",
                    db = q.db_text,
                    table = q.table_text,
                    col = f.column.text
                ),
                Some(f) => format!(
                    "`const rows = await {db}.query.{table}.findMany({{ where: inArray({col}, {values}) }})`",
                    db = q.db_text,
                    table = q.table_text,
                    col = f.column.text
                ),
                None => "one query with `inArray(column, ids)`".into(),
            };
            format!(
                "Load them in one query before the loop and group in memory: {one_query}; or use a join \
                 (`.leftJoin(...)`) or the relational `with` option; or send the queries together with \
                 `{db}.batch([...])` on D1.",
                db = q.db_text
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    const RULE: &str = "drizzle-query-in-loop";

    #[test]
    fn fires_on_queries_awaited_per_element() {
        assert_fires(
            RULE,
            r#"import { eq } from 'drizzle-orm';
import { orderItems, orders } from './schema';
app.get('/users/:id/orders', async (c) => {
  const db = c.var.db;
  const userOrders = await db.select({ id: orders.id }).from(orders).limit(50);
  for (const o of userOrders) {
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
  }
  const all = await Promise.all(userOrders.map((o) => db.query.orderItems.findMany({ where: eq(orderItems.orderId, o.id) })));
  await Promise.all(userOrders.map(async (o) => {
    await c.env.DB.prepare('SELECT * FROM order_items WHERE order_id = ?').bind(o.id).all();
  }));
  for (const row of rows) {
    await db.insert(orderItems).values(row);
  }
});
"#,
            &[
                (7, "runs once per element in a for-of loop over userOrders"),
                (9, "map callback inside Promise.all over userOrders"),
                (11, "env.DB.prepare"),
                (14, "db.insert(orderItems)"),
            ],
        );
    }

    /// A binding read into a name (`const db = env.DB`) is the binding.
    #[test]
    fn fires_on_a_binding_read_into_a_name() {
        assert_fires(
            RULE,
            r#"export default {
  async fetch(request, env) {
    const db = env.DB;
    const ids = await request.json();
    for (const id of ids) {
      await db.prepare('DELETE FROM items WHERE id = ?').bind(id).run();
    }
    return new Response('ok');
  },
};
"#,
            &[(6, "db.prepare")],
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
    for (const id of ids) {
      await pg.query.posts.findFirst({ where: eq(posts.id, id) });
    }
    ids.forEach(async (id) => {
      await pg.update(posts).set({ seen: true }).where(eq(posts.id, id));
    });
  },
};
"#,
            &[
                (7, "pg.query.posts.findFirst"),
                (10, "forEach callback over ids"),
            ],
        );
    }

    #[test]
    fn help_suggests_in_array_over_the_loop() {
        let found = crate::rules::test_util::lint_with(
            RULE,
            "t.ts",
            "export async function f(db, userOrders) {\n  for (const o of userOrders) {\n    await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));\n  }\n}\n",
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .help
                .contains("db.select().from(orderItems).where(inArray(orderItems.orderId, userOrders.map((o) => o.id)))"),
            "{}",
            found[0].help
        );
    }

    /// The generic loop rules defer to this one on the queries it reports,
    /// and still report what it does not (a KV read, a query when this rule
    /// is off).
    #[test]
    fn generic_loop_rules_defer_to_it() {
        use crate::rules::test_util::lint_rules;
        let source = r#"app.get('/users/:id/orders', async (c) => {
  const db = c.var.db;
  for (const o of userOrders) {
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
    const stock = await c.env.CACHE.get(`stock:${o.sku}`);
  }
  for (const k of keys) {
    await c.env.DB.prepare('SELECT * FROM t WHERE k = ?').bind(k).first();
  }
});
"#;
        let generic = ["await-in-loop", "subrequest-in-loop"];
        let mut all = lint_rules(&[RULE, generic[0], generic[1]], source);
        all.sort();
        let expected: Vec<(u32, String)> = [
            (4, RULE),
            (5, "subrequest-in-loop"),
            (8, RULE),
        ]
        .iter()
        .map(|(l, r)| (*l, r.to_string()))
        .collect();
        assert_eq!(all, expected);
        // Suppressing the N+1 finding does not bring the generic ones back.
        let suppressed = source.replace(
            "    const items",
            "    // perf-optimizer-disable-next-line drizzle-query-in-loop -- at most 3 orders\n    const items",
        );
        let mut quiet = lint_rules(&[RULE, generic[0], generic[1]], &suppressed);
        quiet.sort();
        let lines: Vec<(u32, &str)> = quiet.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(
            lines,
            [(6, "subrequest-in-loop"), (9, RULE)]
        );
        // With the N+1 rule off, the generic rules report the queries too
        // (await-in-loop only when subrequest-in-loop is off as well: one
        // problem, one finding: the first loop's two calls are one finding).
        let mut alone = lint_rules(&generic, source);
        alone.sort();
        let lines: Vec<(u32, &str)> = alone.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(
            lines,
            [(4, "subrequest-in-loop"), (8, "subrequest-in-loop")]
        );
        let latency = lint_rules(&[generic[0]], source);
        let lines: Vec<(u32, &str)> = latency.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(
            lines,
            [(4, "await-in-loop"), (5, "await-in-loop"), (8, "await-in-loop")]
        );
    }

    #[test]
    fn silent_on_batched_and_single_queries() {
        assert_silent(
            RULE,
            r#"app.get('/', async (c) => {
  const db = c.var.db;
  // built in the loop, sent once
  const stmts = [];
  for (const o of list) stmts.push(db.insert(orderItems).values(o));
  await db.batch(items.map((i) => db.insert(orderItems).values(i)));
  // one query for all
  const rows = await db.select().from(orderItems).where(inArray(orderItems.orderId, ids));
  // paginating: iterations depend on each other
  for (let page = 0; ; page++) {
    const batch = await db.select().from(orders).limit(100).offset(page * 100);
    if (batch.length < 100) break;
  }
  while (cursor) {
    const r = await db.select().from(orders).where(gt(orders.id, cursor)).limit(100);
    cursor = r.at(-1)?.id;
  }
  // one query per chunk of ids (D1 binds at most 100 parameters)
  for (const chunk of chunks(ids, 90)) {
    await db.update(orders).set({ seen: true }).where(and(inArray(orders.id, chunk), eq(orders.userId, uid)));
  }
  await Promise.all(chunks(ids, 90).map((part) => db.delete(orders).where(inArray(orders.id, part))));
  // the same with the relational queries' object filters (drizzle-orm 1.0)
  for (const chunk of chunkIds(ids)) {
    await db.query.orders.findMany({ columns: { id: true }, where: { id: { in: chunk } } });
  }
  // a map over an array, not a query
  for (const k of keys) cache.delete(k);
  for (const k of keys) await map.get(k);
});
"#,
        );
    }

    /// A counting loop over attempts stops at the first that works (a short
    /// code not taken yet): a retry, whatever its exit tests. A counting
    /// loop over items is not.
    #[test]
    fn attempts_are_retries() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&[RULE])
            .file(
                "src/codes.ts",
                r#"import { eq } from 'drizzle-orm';
import { links } from './schema';
export async function uniqueHash(db, maxRetries: number) {
  for (let attempt = 1; attempt <= maxRetries; attempt++) {
    const hash = randomHash(attempt <= 5 ? 8 : 10);
    const existing = await db.select().from(links).where(eq(links.hash, hash)).get();
    if (!existing) {
      return hash;
    }
  }
  throw new Error('no unique hash');
}
export async function all(db, ids: string[]) {
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    const row = await db.select().from(links).where(eq(links.hash, ids[i])).get();
    if (!row) return null;
    out.push(row);
  }
  return out;
}
"#,
            )
            .places();
        assert_eq!(places, [("src/codes.ts".into(), 16, RULE.into())]);
    }

    /// A buffer flushed once it holds a chunk (PackRat's catalog import:
    /// `if (batch.length >= BATCH_SIZE) { await save([...batch]);
    /// batch.length = 0; }`) is the batched form; a flush that keeps the
    /// buffer, or at a size of 1, is per element.
    #[test]
    fn a_buffer_flushed_per_chunk_is_no_query_per_element() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&[RULE])
            .file(
                "src/etl.ts",
                r#"import { items } from './schema';
export const BATCH_SIZE = 100;
export async function load(db, rows) {
  let batch = [];
  const logs = [];
  for (const r of rows) {
    batch.push(r);
    if (batch.length >= BATCH_SIZE) {
      await db.insert(items).values([...batch]);
      batch = [];
    }
    logs.push(r);
    if (logs.length > 1) {
      await db.insert(items).values(logs);
    }
  }
}
"#,
            )
            .places();
        assert_eq!(places, [("src/etl.ts".into(), 14, RULE.into())]);
    }

    /// After a batch fails, its rows inserted one at a time in the `catch`
    /// (to find the bad one: Tuvix's feed items) run only on the failure;
    /// the same loop on the normal path is N+1.
    #[test]
    fn a_failed_batch_retried_row_by_row_is_no_hot_path() {
        use crate::rules::test_util::Case;
        let places = Case::new()
            .rules(&[RULE])
            .file(
                "src/items.ts",
                r#"import { items } from './schema';
export async function save(db, rows) {
  try {
    await db.batch(rows.map((r) => db.insert(items).values(r)));
  } catch (error) {
    for (const r of rows) {
      try {
        await db.insert(items).values(r);
      } catch (e) {
        console.error('bad row', r.id, e);
      }
    }
  }
  for (const r of rows) await db.insert(items).values(r);
}
"#,
            )
            .places();
        assert_eq!(places, [("src/items.ts".into(), 14, RULE.into())]);
    }

    /// A helper whose only query is in failure-only code (a `catch` that
    /// drops a revoked connection) makes no query per call: a loop over it
    /// is not N+1. One that queries on its normal path is.
    #[test]
    fn queries_only_on_failure_are_not_per_call() {
        use crate::rules::test_util::Case;
        let helpers = r#"import { eq } from 'drizzle-orm';
import { connections } from './schema';
export async function withErrors(db, id, run) {
  try {
    return await run();
  } catch (error) {
    if (String(error).includes('invalid_grant')) await dropConnection(db, id);
    throw error;
  }
}
async function dropConnection(db, id) {
  await db.delete(connections).where(eq(connections.id, id));
}
export async function lookup(db, id) {
  try {
    return await db.select().from(connections).where(eq(connections.id, id));
  } catch {
    return null;
  }
}
"#;
        let places = Case::new()
            .rules(&[RULE])
            .file("src/helpers.ts", helpers)
            .file(
                "src/index.ts",
                r#"import { withErrors, lookup } from './helpers';
export async function inline(db, id, parts) {
  const out = [];
  for (const part of parts) out.push(await withErrors(db, id, () => gmail.attachment(part.id)));
  for (const part of parts) out.push(await lookup(db, part.id));
  return out;
}
"#,
            )
            .places();
        assert_eq!(places, [("src/index.ts".into(), 5, RULE.into())]);
    }

    /// Quiet loops (`effects::hot_paths`) run a query once, not per item:
    /// a retry on a UNIQUE collision (its bound a `let`, not a constant),
    /// a first match with D1 and with Drizzle, a helper that queries called
    /// in a first match, a loop over a few constant items.
    #[test]
    fn silent_in_retries_and_first_matches() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE, "subrequest-in-loop", "await-in-loop"])
            .file(
                "src/index.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { permissions, users } from './schema';
import { checkPermission } from './auth';

const API_PERMISSIONS: Record<string, string> = { '/api/emails': 'read', '/api/config': 'admin' };

export default {
  async fetch(request: Request, env: Env) {
    const url = new URL(request.url);
    const db = drizzle(env.DB);
    const name = url.searchParams.get('name') ?? 'user';
    let maxAttempts = Number(env.MAX_ATTEMPTS ?? 5);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        await env.DB.prepare('INSERT INTO address(name) VALUES(?)').bind(name + attempt).run();
        return new Response('created');
      } catch (e) {
        if (String(e).includes('UNIQUE')) continue;
        throw e;
      }
    }
    for (const [route, permission] of Object.entries(API_PERMISSIONS)) {
      if (url.pathname.startsWith(route)) {
        const ok = await checkPermission(db, permission);
        if (!ok) return new Response('Forbidden', { status: 403 });
        break;
      }
    }
    for (const [route, permission] of Object.entries(API_PERMISSIONS)) {
      if (url.pathname.startsWith(route)) {
        const row = await db.select().from(permissions).where(eq(permissions.name, permission)).get();
        return Response.json(row);
      }
    }
    for (const key in API_PERMISSIONS) {
      if (url.pathname === key) {
        const row = await env.DB.prepare('SELECT * FROM permissions WHERE name = ?').bind(API_PERMISSIONS[key]).first();
        if (!row) throw new Error('no permission');
        return Response.json(row);
      }
    }
    for (const role of ['admin', 'member']) {
      await db.update(users).set({ seen: true }).where(eq(users.role, role));
    }
    return new Response('Not found', { status: 404 });
  },
};
"#,
            )
            .file(
                "src/auth.ts",
                r#"import { eq } from 'drizzle-orm';
import { permissions } from './schema';
export async function checkPermission(db, permission: string) {
  const row = await db.select().from(permissions).where(eq(permissions.name, permission)).get();
  return row !== undefined;
}
"#,
            )
            .assert_silent();
    }

    /// A probe for a free name over a constant number of tries stops at the
    /// first that finds nothing (allenlabs' sign-up picks a login); a
    /// counted loop over a list's elements that stops at the first missing
    /// one is a query per element.
    #[test]
    fn a_probe_for_a_free_name_is_no_query_per_element() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE])
            .file(
                "src/auth.ts",
                r#"import { eq } from 'drizzle-orm';
import { users } from './schema';
export async function pickAvailableLogin(db, base: string) {
  for (let i = 0; i < 32; i++) {
    const candidate = i === 0 ? base : `${base}${i}`;
    const clash = await db.query.users.findFirst({ where: eq(users.login, candidate) });
    if (!clash) return candidate;
  }
  return `${base}${Date.now()}`;
}
export async function firstMissing(db, logins: string[]) {
  for (let i = 0; i < logins.length; i++) {
    const found = await db.query.users.findFirst({ where: eq(users.login, logins[i]) });
    if (!found) return logins[i];
  }
}
"#,
            )
            .assert_fires(&[("src/auth.ts", 13, "")]);
    }

    /// Still N+1: a per-item loop around a quiet one (reported at the
    /// per-item loop's description), an exit only on a failure, a
    /// `continue` before the exit, a retry whose exit comes before the
    /// query.
    #[test]
    fn fires_past_quiet_loops_and_conditional_exits() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE])
            .file(
                "src/index.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { orders, users } from './schema';

export default {
  async fetch(request: Request, env: Env) {
    const db = drizzle(env.DB);
    const ids: string[] = await request.json();
    for (const id of ids) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await db.insert(orders).values({ id, attempt });
          break;
        } catch (e) {}
      }
    }
    for (const id of ids) {
      const user = await db.select().from(users).where(eq(users.id, id)).get();
      if (!user) return new Response('unknown user', { status: 404 });
    }
    for (const id of ids) {
      if (id.startsWith('tmp:')) {
        await env.DB.prepare('DELETE FROM orders WHERE id = ?').bind(id).run();
        if (id.endsWith(':keep')) continue;
        return new Response('deleted');
      }
    }
    return new Response('ok');
  },
};
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 12, "runs once per element in a for-of loop:"),
                ("src/index.ts", 18, "runs once per element in a for-of loop over ids"),
                ("src/index.ts", 23, "runs once per element in a for-of loop over ids"),
            ]);
    }

    /// `db?.select()…` (a `db | undefined`, WuChenDi/shortener) is the
    /// query `db.select()…` is: swc parses its calls as an optional chain,
    /// not as calls. Both forms are reported alike, inserts and updates too.
    #[test]
    fn fires_on_optional_chained_queries_as_on_plain_ones() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE])
            .file(
                "src/index.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
export const links = sqliteTable('links', { hash: text('hash').primaryKey(), url: text('url') });
export default { async fetch(req: Request, env: Env) {
  const db = drizzle(env.DB);
  const ids: string[] = await req.json();
  const a = await Promise.all(ids.map(async (id) => db?.select().from(links).where(eq(links.url, id)).get()));
  const b = await Promise.all(ids.map(async (id) => db.select().from(links).where(eq(links.url, id)).get()));
  for (const id of ids) {
    await db?.insert(links).values({ hash: id, url: id });
    await db?.update(links).set({ url: id }).where(eq(links.hash, id));
    await db?.query.links.findFirst({ where: eq(links.url, id) });
  }
  const one = await db?.select().from(links).where(eq(links.url, ids[0])).get();
  return Response.json({ a, b, one });
} };
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 8, "db?.select().from(links).where(eq(links.url, id)).get() runs once per element in a map callback inside Promise.all over ids"),
                ("src/index.ts", 9, "db.select().from(links).where(eq(links.url, id)).get() runs once per element in a map callback inside Promise.all over ids"),
                ("src/index.ts", 11, "db?.insert(links)"),
                ("src/index.ts", 12, "db?.update(links)"),
                ("src/index.ts", 13, "db?.query.links.findFirst"),
            ]);
    }

    /// A call of a helper that returns the database is one: `getDb()` of
    /// this file (an arrow or a function), one imported from another file
    /// (`return drizzle(env.DB, { schema })`), in a loop or per element of
    /// `Promise.all(xs.map(…))`; and so is a helper whose name does not say
    /// it (`connect`) when its body returns `drizzle(…)`.
    #[test]
    fn fires_on_queries_on_a_helper_that_returns_the_database() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE])
            .file(
                "src/index.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { groups, members } from './schema';
import { getDb } from './db';
export default { async fetch(req: Request, env: Env) {
  const names: string[] = await req.json();
  const localDb = () => drizzle(env.DB);
  const connect = () => drizzle(env.DB);
  for (const name of names) {
    await localDb().insert(groups).values({ name });
  }
  for (const name of names) {
    await connect().insert(groups).values({ name });
  }
  for (const name of names) {
    await getDb(env).insert(members).values({ name });
  }
  await Promise.all(names.map(async (g) => {
    await getDb(env).insert(members).values({ name: g });
  }));
  return new Response('ok');
} };
"#,
            )
            .file(
                "src/db.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';
export function getDb(env: Env) {
  return drizzle(env.DB, { schema });
}
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 9, "localDb().insert(groups).values({ name }) runs once per element in a for-of loop over names"),
                ("src/index.ts", 12, "connect().insert(groups)"),
                ("src/index.ts", 15, "getDb(env).insert(members)"),
                ("src/index.ts", 18, "map callback inside Promise.all over names"),
            ]);
    }

    /// A helper's database used once (outside any loop) is no N+1; a
    /// helper named like one that returns something else (`() => env.KV`,
    /// a function that returns a KV namespace) is no database.
    #[test]
    fn silent_on_a_helper_database_used_once_or_a_helper_that_is_no_database() {
        use crate::rules::test_util::Case;
        Case::new()
            .rules(&[RULE])
            .file(
                "src/index.ts",
                r#"import { drizzle } from 'drizzle-orm/d1';
import { groups } from './schema';
export default { async fetch(req: Request, env: Env) {
  const keys: string[] = await req.json();
  const getDb = () => drizzle(env.DB);
  const kvDb = () => env.KV;
  function cacheDb() { return env.CACHE; }
  await getDb().insert(groups).values({ name: keys[0] });
  for (const key of keys) {
    await kvDb().delete(key);
    await cacheDb().delete(groups);
  }
  return new Response('ok');
} };
"#,
            )
            .assert_silent();
    }

    /// The query is in a helper in another file: the loop that awaits the
    /// helper per element is the N+1, with the helper's query as evidence.
    #[test]
    fn follows_helpers_across_files() {
        use crate::rules::test_util::lint_project;
        let files = [
            (
                "src/routes/import.ts",
                r#"import { saveItem, describe } from '../lib/items';
export async function importAll(db, items) {
  for (const item of items) {
    await saveItem(db, item);
    await describe(item);
  }
  await Promise.all(items.map((item) => saveItem(db, item)));
  let page = 0;
  while (page < 10) { await saveItem(db, page); page++; }
}
"#,
            ),
            (
                "src/lib/items.ts",
                r#"import { items } from './schema';
export async function saveItem(db, item) {
  return db.insert(items).values(item);
}
export async function describe(item) {
  return `item ${item.id}`;
}
"#,
            ),
        ];
        let found = lint_project(RULE, &files, &[], &Default::default());
        let lines: Vec<String> = found
            .iter()
            .map(|d| format!("{}:{} {}", d.file.as_deref().unwrap_or(""), d.line.unwrap_or(0), d.message))
            .collect();
        assert_eq!(
            lines,
            [
                "src/routes/import.ts:4 `saveItem(db, item)` is called once per element in a for-of loop: N+1 queries, one round trip each: `saveItem` runs `db.insert(items).values(item)` at src/lib/items.ts:3",
                "src/routes/import.ts:7 `saveItem(db, item)` is called once per element in a map callback: N+1 queries, one round trip each: `saveItem` runs `db.insert(items).values(item)` at src/lib/items.ts:3",
            ]
        );
    }
}
