//! `drizzle-transaction-with-fetch`: a subrequest (fetch, a KV/R2/queue or
//! service binding call) inside a transaction callback. The transaction and
//! its connection stay open (and its locks held) for the whole round trip to
//! another service; on Postgres that connection is one of only 6 a Worker
//! may have open at once.

use swc_core::ecma::ast::*;

use super::per_call::{Finding, PerCall};
use crate::effects::drizzle::{is_db_expr, DbEvidence};
use crate::engine::context::unwrap_expr;
use crate::syntax::ast::root_name;
use crate::engine::{LintContext, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "drizzle-transaction-with-fetch", Database, Warning,
    "A subrequest (fetch or binding call) inside a database transaction holds the transaction and its connection open.",
    |_| Box::new(PerCall(check))
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A subrequest — `fetch(...)`, a KV/R2/Queue/service binding call — inside the
callback of `db.transaction(async (tx) => …)`.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
The transaction stays open, with its locks and its connection, for the whole
round trip to the other service — hundreds of milliseconds for a payment API,
and forever if it hangs. On Postgres through Hyperdrive that connection is one
of the 6 a Worker may have open at once, and rows locked by the transaction
block other requests. If the transaction then rolls back, the external effect
(the charge) has happened anyway.
"#,
        ),
        (
            "Bad",
            r#"
```ts
await db.transaction(async (tx) => {
  const order = await tx.query.orders.findFirst({ where: eq(orders.id, id) });
  const res = await fetch(`${env.PAYMENTS_API}/charges`, { method: 'POST', body });
  await tx.update(orders).set({ status: 'paid' }).where(eq(orders.id, id));
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const [order] = await db.select({ total: orders.total }).from(orders).where(eq(orders.id, id)).limit(1);
const res = await fetch(`${env.PAYMENTS_API}/charges`, {
  method: 'POST',
  headers: { 'idempotency-key': id },
  body,
});
await db
  .update(orders)
  .set({ status: 'paid' })
  .where(and(eq(orders.id, id), eq(orders.status, 'pending')));
```

On D1, `db.batch([...])` is the atomic unit: one round trip, nothing held open.
"#,
        ),
        (
            "Not reported",
            r#"
The transaction's own statements (`tx.…`) and database calls.
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
Only subrequests written inside the callback are seen, not those made by
functions it calls.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

fn check(call: &CallExpr, cx: &LintContext<'_>) -> Option<Finding> {
    if !cx.db.in_transaction() || cx.db.query_at(call.span).is_some() {
        return None;
    }
    let what = cx.subrequest(call)?;
    // Statements of the transaction itself (or of the database) are fine.
    if let Callee::Expr(callee) = &call.callee {
        if let Expr::Member(m) = unwrap_expr(callee) {
            if is_db_expr(&m.obj, cx, DbEvidence::Convention)
                || root_name(&m.obj)
                    .flatten()
                    .is_some_and(|r| cx.refers_to(&cx.db.walk.db_aliases, r))
            {
                return None;
            }
        }
    }
    Some(Finding {
        span: call.span,
        message: format!("{what} runs inside a database transaction: the transaction and its connection stay open until this subrequest returns"),
        help: "Make the subrequest before the transaction starts (or after it commits) and keep only database \
             statements inside, e.g. charge first with an idempotency key, then \
             `await db.update(orders).set({ status: 'paid' }).where(and(eq(orders.id, id), eq(orders.status, 'pending')))`. \
             On D1, `db.batch([...])` is the atomic unit: one round trip, nothing held open."
            .into(),
        needs: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    const RULE: &str = "drizzle-transaction-with-fetch";

    #[test]
    fn fires_on_subrequests_in_transactions() {
        assert_fires(
            RULE,
            r#"app.post('/:id/pay', async (c) => {
  const result = await c.var.db.transaction(async (tx) => {
    const order = await tx.query.orders.findFirst({ where: eq(orders.id, id) });
    const res = await fetch(`${c.env.PAYMENTS_API}/charges`, { method: 'POST' });
    await c.env.CACHE.put(`order:${id}`, 'paid');
    await tx.update(orders).set({ status: 'paid' }).where(eq(orders.id, id));
  });
});
export async function pay(db, env) {
  await db.transaction(async (trx) => {
    await trx.insert(payments).values(p);
    await env.QUEUE.send({ id });
  });
}
"#,
            &[
                (4, "fetch(`${c.env.PAYMENTS_API}/charges`"),
                (5, "c.env.CACHE.put"),
                (12, "env.QUEUE.send"),
            ],
        );
    }

    #[test]
    fn fires_on_postgres_transactions() {
        assert_fires(
            RULE,
            r#"import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
export default {
  async fetch(req, env) {
    const pg = drizzle(postgres(env.HYPERDRIVE.connectionString, { max: 5 }));
    await pg.transaction(async (t) => {
      await t.insert(audit).values({ at: new Date() });
      const r = await env.AUTH.fetch(req);
    });
  },
};
"#,
            &[(8, "env.AUTH.fetch(req) runs inside a database transaction")],
        );
    }

    #[test]
    fn silent_outside_transactions() {
        assert_silent(
            RULE,
            r#"app.post('/:id/pay', async (c) => {
  const db = c.var.db;
  const [order] = await db.select().from(orders).where(eq(orders.id, id)).limit(1);
  const res = await fetch(`${c.env.PAYMENTS_API}/charges`, { method: 'POST' });
  await db.transaction(async (tx) => {
    await tx.update(orders).set({ status: 'paid' }).where(eq(orders.id, id));
    await tx.insert(payments).values({ id });
  });
  await c.env.CACHE.put('k', 'v');
  await db.batch([db.update(orders).set({ status: 'paid' }).where(eq(orders.id, id))]);
});
"#,
        );
    }
}
