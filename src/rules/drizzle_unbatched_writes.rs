//! `drizzle-unbatched-writes`: two or more independent writes awaited one
//! after another. Each is a round trip, and if a later one fails the earlier
//! ones stay committed. On D1 `db.batch([...])` sends them in one round trip
//! as one transaction; on Postgres a transaction makes them atomic.

use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::*;

use crate::effects::drizzle::{engine, is_db_expr, DbEvidence};
use super::io_calls::idents_in;
use crate::engine::context::{pat_names, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::drizzle::Engine;
use crate::knowledge::query::{key, Api, Key, QueryKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "drizzle-unbatched-writes", Database, Warning,
    "Independent database writes awaited one after another: one round trip each and not atomic; use db.batch([...]) on D1 or a transaction.",
    |_| Box::<UnbatchedWrites>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
Two or more independent writes (`db.insert/update/delete`, D1
`prepare('INSERT…').run()`) awaited one after another in the same block, outside
a transaction and outside `db.batch`. A write that uses a value returned by an
earlier one (`const [o] = await db.insert(…).returning()`, then `o.id`, also
inside a callback: `items.map((i) => ({ ...i, orderId: o.id }))`) starts a new
sequence: dependent writes cannot be sent together as they are.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each write is a round trip to the database, and they are not atomic: if the
second fails (or the Worker hits its CPU or wall-clock limit between them) the
first stays committed, leaving an order without its items. On D1
`db.batch([...])` sends all statements in one round trip and runs them as one
transaction. On Postgres, a transaction makes them atomic.
"#,
        ),
        (
            "Bad",
            r#"
```ts
await db.insert(orders).values(order);
await db.insert(orderItems).values(items);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
// D1
await db.batch([db.insert(orders).values(order), db.insert(orderItems).values(items)]);
// Postgres (Hyperdrive)
await db.transaction(async (tx) => {
  await tx.insert(orders).values(order);
  await tx.insert(orderItems).values(items);
});
```
"#,
        ),
        (
            "Not reported",
            r#"
Writes in `db.batch`, inside a transaction callback, in a helper function
whose every call in the file is inside a transaction callback and is given
a database (the transaction: `db.transaction(async (tx) => { await
rename(tx, id) })`), in different blocks
(`if` branches), dependent writes (one reads what an earlier one returned,
directly, through a value derived from it, or through an outer `let`
assigned from it: `userId = created.id`), writes with other I/O awaited between them
(a pending row, then what a model or an API said about it), and writes
repeated in a loop (reported by `drizzle-query-in-loop`).
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
The database kind comes from the wrangler config (D1 or Hyperdrive bindings)
or the file's imports; when neither tells, the help names both fixes. A
helper's calls are looked for in its own file only, by name: an exported
helper, or one called as a method (`repo.rename(tx, …)`), is reported even
when its callers run it inside a transaction.
"#,
        ),
    ],
    setup: r#"
# @d1 DB
# import { drizzle } from 'drizzle-orm/d1';
# app.post('/', async (c) => {
#   const db = drizzle(c.env.DB);
# @example
#   return c.json({ ok: true });
# });
"#,
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct UnbatchedWrites {
    /// Open statement lists, innermost last; `None` marks a function
    /// boundary whose expression body has no statement list.
    blocks: Vec<Option<Block>>,
    /// The functions being walked, innermost last: the name a plain call
    /// can name them by (not a method's).
    fns: Vec<Option<Atom>>,
    /// Findings in a named function, held until the file's calls of it
    /// are known: (function, where, message, help).
    held: Vec<(Atom, Span, String, String)>,
    /// Calls of plain names: (callee, inside a transaction callback and
    /// given a database, i.e. the transaction).
    calls: Vec<(Atom, bool)>,
}

#[derive(Default)]
struct Block {
    /// The spans of the list's statements and whether each is a plain
    /// expression statement or declaration (not control flow).
    children: Vec<(Key, bool)>,
    current: Option<usize>,
    writes: Vec<Write>,
    /// The statements that await something (at any depth), with the call
    /// awaited: one that awaits something other than a write ends a group,
    /// as a write after it may need what it returned (`const c = await
    /// classify(text)`). Whether a call is a write is known once the walk
    /// has entered it, so this is sorted out when the list is left.
    awaits: Vec<(usize, Option<Span>)>,
}

struct Write {
    stmt: usize,
    span: Span,
    /// A template of the statement for the suggested batch.
    text: String,
    db: String,
    line: u32,
    raw_d1: bool,
    reads: Vec<Atom>,
    binds: Vec<Atom>,
}

impl Rule for UnbatchedWrites {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Await,
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Stmt,
            NodeKind::Stmts,
            NodeKind::VarDecl,
        ]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Function(frame) => {
                self.blocks.push(None);
                let name = match frame {
                    Frame::Function {
                        name, is_method, ..
                    } if !is_method => name.clone(),
                    _ => None,
                };
                self.fns.push(name);
            }
            Node::Stmts(stmts) => self.blocks.push(Some(Block {
                children: stmts
                    .iter()
                    .map(|s| {
                        (
                            key(s.span()),
                            matches!(s, Stmt::Expr(_) | Stmt::Decl(Decl::Var(_))),
                        )
                    })
                    .collect(),
                ..Block::default()
            })),
            Node::Stmt(stmt) => {
                // The list's statements are entered in order: only the next
                // one can be a direct child (others are nested in it).
                if let Some(Some(block)) = self.blocks.last_mut() {
                    let next = block.current.map_or(0, |i| i + 1);
                    if block
                        .children
                        .get(next)
                        .is_some_and(|(c, _)| *c == key(stmt.span()))
                    {
                        block.current = Some(next);
                    }
                }
            }
            Node::Await(a) => {
                let call = match crate::engine::context::unwrap_expr(&a.arg) {
                    Expr::Call(c) => Some(c.span),
                    _ => None,
                };
                // Every statement list open in this function holds it.
                for block in self.blocks.iter_mut().rev() {
                    let Some(block) = block else { break };
                    if let Some(i) = block.current {
                        block.awaits.push((i, call));
                    }
                }
            }
            Node::Call(call) => {
                if let Callee::Expr(callee) = &call.callee {
                    if let Expr::Ident(id) = crate::engine::context::unwrap_expr(callee) {
                        let in_tx = cx.db.in_transaction()
                            && call
                                .args
                                .iter()
                                .any(|a| is_db_expr(&a.expr, cx, DbEvidence::Convention));
                        self.calls.push((id.sym.clone(), in_tx));
                    }
                }
                let Some(q) = cx.db.query_at(call.span) else {
                    return;
                };
                if !q.is_write()
                    || !q.awaited
                    || q.in_batch
                    || q.in_transaction
                    || q.subquery
                    || q.per_iteration.is_some()
                {
                    return;
                }
                if q.api == Api::RawD1 && q.exec.is_none() {
                    return;
                }
                let Some(Some(block)) = self.blocks.last_mut() else {
                    return;
                };
                let Some(i) = block.current else { return };
                if !block.children[i].1 {
                    return;
                }
                let text = match (q.api, q.kind) {
                    (Api::RawD1, _) => format!("{}.prepare(…).bind(…)", q.db_text),
                    (_, QueryKind::Insert) => {
                        format!("{}.insert({}).values(…)", q.db_text, q.table_text)
                    }
                    (_, QueryKind::Update) => {
                        format!("{}.update({}).set(…).where(…)", q.db_text, q.table_text)
                    }
                    _ => format!("{}.delete({}).where(…)", q.db_text, q.table_text),
                };
                block.writes.push(Write {
                    stmt: i,
                    span: q.span,
                    text,
                    db: q.db_text.clone(),
                    line: q.loc.line,
                    raw_d1: q.api == Api::RawD1,
                    reads: q.reads.clone(),
                    binds: Vec::new(),
                });
            }
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Assign,
            NodeKind::Function,
            NodeKind::Stmts,
            NodeKind::VarDecl,
        ]
    }

    fn exit(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Function(_) => {
                self.blocks.pop();
                self.fns.pop();
            }
            // What a write's declaration binds, for later dependencies.
            Node::VarDecl(v) => {
                let Some(Some(block)) = self.blocks.last_mut() else {
                    return;
                };
                let Some(i) = block.current else { return };
                let derived = block.writes.iter().any(|w| !w.binds.is_empty());
                match block.writes.last_mut() {
                    Some(w) if w.stmt == i && w.binds.is_empty() => {
                        for d in &v.decls {
                            pat_names(&d.name, &mut w.binds);
                        }
                    }
                    Some(w) if w.stmt == i => {}
                    // A declaration after a write that reads what the write
                    // bound (`const orderId = order[0].id`): what it binds
                    // depends on that write too.
                    _ if derived => {
                        for d in &v.decls {
                            let Some(init) = &d.init else { continue };
                            let read = idents_in(&**init);
                            let mut names = Vec::new();
                            pat_names(&d.name, &mut names);
                            for w in &mut block.writes {
                                if w.binds.iter().any(|b| read.contains(b)) {
                                    w.binds.extend(names.iter().cloned());
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            // `userId = newUser.id` after a write bound `newUser`: what
            // reads `userId` later depends on that write too (an outer
            // `let` filled in one branch).
            Node::Assign(a) if a.op == AssignOp::Assign => {
                let (Some(Some(block)), AssignTarget::Simple(SimpleAssignTarget::Ident(target))) =
                    (self.blocks.last_mut(), &a.left)
                else {
                    return;
                };
                if block.writes.iter().all(|w| w.binds.is_empty()) {
                    return;
                }
                let read = idents_in(&a.right);
                for w in &mut block.writes {
                    if w.binds.iter().any(|b| read.contains(b)) {
                        w.binds.push(target.id.sym.clone());
                    }
                }
            }
            Node::Stmts(_) => {
                let Some(Some(block)) = self.blocks.pop() else {
                    return;
                };
                let awaits_between: Vec<usize> = block
                    .awaits
                    .iter()
                    .filter(|(_, call)| {
                        !call.is_some_and(|c| cx.db.query_at(c).is_some_and(|q| q.is_write()))
                    })
                    .map(|(i, _)| *i)
                    .collect();
                let function = self.fns.last().cloned().flatten();
                for (span, message, help) in groups(block.writes, &awaits_between, cx) {
                    match &function {
                        Some(f) => self.held.push((f.clone(), span, message, help)),
                        None => cx.report(span, message, help),
                    }
                }
            }
            _ => {}
        }
    }

    /// A helper's writes are reported unless every call of it in the file
    /// runs inside a transaction callback and hands it the transaction
    /// (`db.transaction(async (tx) => { await rename(tx, id) })`): they are
    /// atomic there already. An exported helper may be called elsewhere.
    fn finish(&mut self, cx: &mut LintContext<'_>) {
        for (function, span, message, help) in std::mem::take(&mut self.held) {
            let exported = cx
                .db
                .exports
                .iter()
                .any(|(_, local)| local.as_str() == function.as_ref());
            let mut calls = self.calls.iter().filter(|(c, _)| *c == function).peekable();
            let in_tx = calls.peek().is_some() && calls.all(|(_, tx)| *tx);
            if exported || !in_tx {
                cx.report(span, message, help);
            }
        }
    }
}

/// Groups consecutive independent writes; a finding (where, message, help)
/// for each group of two or more. `awaits_between`: the statements (sorted)
/// that await other I/O, which end a group.
fn groups(
    writes: Vec<Write>,
    awaits_between: &[usize],
    cx: &LintContext<'_>,
) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    let mut group: Vec<Write> = Vec::new();
    for w in writes {
        let depends = group
            .iter()
            .any(|g| g.binds.iter().any(|b| w.reads.contains(b)));
        // Another await after the group's last write, up to this write's statement.
        let interrupted = group.last().is_some_and(|last| {
            let from = awaits_between.partition_point(|&s| s <= last.stmt);
            awaits_between.get(from).is_some_and(|&s| s <= w.stmt)
        });
        if depends || interrupted {
            out.extend(finding(std::mem::take(&mut group), cx));
        }
        group.push(w);
    }
    out.extend(finding(group, cx));
    out
}

fn finding(group: Vec<Write>, cx: &LintContext<'_>) -> Option<(Span, String, String)> {
    if group.len() < 2 {
        return None;
    }
    let lines: Vec<String> = group.iter().map(|w| w.line.to_string()).collect();
    let list: Vec<String> = group.iter().map(|w| w.text.clone()).collect();
    let d1 = group.iter().any(|w| w.raw_d1);
    let engine = if d1 { Engine::D1 } else { engine(cx) };
    let (on, help) = match engine {
        Engine::D1 => (
            "to D1",
            format!(
                "Send them together: `await db.batch([{}])` — one round trip, and D1 runs a batch as a \
                 single transaction (all or nothing).",
                list.join(", ")
            ),
        ),
        Engine::Postgres => (
            "to Postgres",
            "Run them in one transaction so they commit together: `await db.transaction(async (tx) => { \
             await tx.insert(...); await tx.insert(...); })`, or combine them into one statement."
                .to_string(),
        ),
        Engine::Unknown => (
            "to the database",
            format!(
                "On D1 send them together with `await db.batch([{}])` (one round trip, one transaction); \
                 on Postgres wrap them in `db.transaction(async (tx) => ...)`.",
                list.join(", ")
            ),
        ),
    };
    let first = &group[0];
    let help = help.replace("db.batch(", &format!("{}.batch(", first.db));
    Some((
        first.span,
        format!(
            "{} writes awaited one after another (lines {}): a round trip each {on}, and not atomic",
            group.len(),
            lines.join(", ")
        ),
        help,
    ))
}

use swc_core::common::Spanned;

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{
        assert_fires, assert_silent, d1_project, lint_project, pg_project,
    };

    const RULE: &str = "drizzle-unbatched-writes";

    #[test]
    fn fires_on_sequential_independent_writes() {
        assert_fires(
            RULE,
            r#"import { drizzle } from 'drizzle-orm/d1';
app.post('/', async (c) => {
  const db = drizzle(c.env.DB);
  await db.insert(orders).values({ id, userId });
  const note = 'x';
  await db.insert(orderItems).values(items.map((i) => ({ orderId: id, ...i })));
  await db.update(users).set({ lastOrder: id }).where(eq(users.id, userId));
  return c.json({ id });
});
export default {
  async fetch(req, env) {
    await env.DB.prepare('INSERT INTO logs (msg) VALUES (?)').bind('a').run();
    await env.DB.prepare('UPDATE counters SET n = n + 1 WHERE id = 1').run();
  },
};
"#,
            &[
                (4, "3 writes awaited one after another (lines 4, 6, 7)"),
                (12, "2 writes"),
            ],
        );
    }

    /// A helper whose every call in the file runs inside a transaction
    /// callback, given the transaction, is atomic already (repro
    /// drizzle-tx-caller); one also called outside a transaction or
    /// exported (callable from other files) is reported, and so are writes
    /// in a handler. One called nowhere never runs: left out.
    #[test]
    fn helpers_only_called_with_a_transaction_are_silent() {
        let src = r#"import { drizzle } from 'drizzle-orm/postgres-js';
import { eq } from 'drizzle-orm';
async function renameActivity(db, id, name) {
  await db.update(activities).set({ name }).where(eq(activities.id, id));
  await db.delete(activityKinds).where(eq(activityKinds.activityId, id));
}
async function moveActivity(db, id, to) {
  await db.update(activities).set({ to }).where(eq(activities.id, id));
  await db.delete(activityKinds).where(eq(activityKinds.activityId, id));
}
async function unused(db, id) {
  await db.update(activities).set({ a: 1 }).where(eq(activities.id, id));
  await db.delete(activityKinds).where(eq(activityKinds.activityId, id));
}
export async function shared(db, id) {
  await db.update(activities).set({ a: 2 }).where(eq(activities.id, id));
  await db.delete(activityKinds).where(eq(activityKinds.activityId, id));
}
export default {
  async fetch(req, env) {
    const db = drizzle(env.HYPERDRIVE.connectionString);
    await db.transaction(async (tx) => {
      await renameActivity(tx, id, name);
      await moveActivity(tx, id, to);
      await shared(tx, id);
    });
    await moveActivity(db, id, to);
    await db.update(activities).set({ name }).where(eq(activities.id, id));
    await db.delete(activityKinds).where(eq(activityKinds.activityId, id));
    return new Response('ok');
  },
};
"#;
        assert_fires(
            RULE,
            src,
            &[
                // a handler's writes are reported as the walk leaves them,
                // a helper's once the file's calls of it are known
                (28, "2 writes awaited one after another (lines 28, 29)"),
                (8, "2 writes awaited one after another (lines 8, 9)"),
                (16, "2 writes awaited one after another (lines 16, 17)"),
            ],
        );
    }

    #[test]
    fn help_is_a_d1_batch_or_a_transaction() {
        let src = "app.post('/', async (c) => {\n  await c.var.db.insert(orders).values(o);\n  await c.var.db.insert(orderItems).values(i);\n});\n";
        let found = lint_project(RULE, &[("a.ts", src)], &[], &d1_project());
        assert!(found[0].help.contains("await c.var.db.batch([c.var.db.insert(orders).values(…), c.var.db.insert(orderItems).values(…)])"), "{}", found[0].help);
        let found = lint_project(RULE, &[("a.ts", src)], &[], &pg_project());
        assert!(
            found[0].help.contains("db.transaction(async (tx)"),
            "{}",
            found[0].help
        );
        assert!(found[0].message.contains("to Postgres"));
    }

    #[test]
    fn silent_on_batched_dependent_or_single_writes() {
        assert_silent(
            RULE,
            r#"app.post('/', async (c) => {
  const db = c.var.db;
  await db.batch([db.insert(orders).values(o), db.insert(orderItems).values(items)]);
  await db.transaction(async (tx) => {
    await tx.insert(orders).values(o);
    await tx.insert(orderItems).values(items);
  });
});
app.post('/dependent', async (c) => {
  const db = c.var.db;
  // the second needs the first's result
  const [order] = await db.insert(orders).values(o).returning();
  await db.insert(orderItems).values({ orderId: order.id });
});
app.post('/callback', async (c) => {
  const db = c.var.db;
  // the second reads the first's row inside a map callback
  const [activity] = await db.insert(activities).values({ id, name }).returning();
  await db.insert(activityKinds).values(body.kinds.map((k) => ({ name: k, activityId: activity.id })));
});
app.post('/derived', async (c) => {
  const db = c.var.db;
  // the second reads an outer `let` assigned from the first's result
  let userId: string;
  {
    const created = await db.insert(users).values(u).returning({ id: users.id }).then((rows) => rows[0]);
    userId = created.id;
    await db.insert(subscriptions).values({ userId, plan: 'free' });
  }
  // the second reads a value derived from the first's result
  const created = await db.insert(orders).values(o).returning();
  const orderId = created[0].id;
  const rows = items.map((item) => ({ ...item, orderId }));
  await db.insert(orderItems).values(rows);
});
app.post('/classified', async (c) => {
  const db = c.var.db;
  // a pending row first, then what a model said about it: other I/O between
  await db.insert(receipts).values({ id, status: 'pending' });
  const result = await classify(c.env, text);
  const vendor = result.vendor.trim();
  await db.update(receipts).set({ vendor, status: 'done' }).where(eq(receipts.id, id));
});
app.post('/single', async (c) => {
  const db = c.var.db;
  // one write, then a read; a conditional write in its own block
  await db.update(users).set({ seen: true }).where(eq(users.id, id));
  const u = await db.select().from(users).where(eq(users.id, id));
  if (flag) {
    await db.delete(sessions).where(eq(sessions.userId, id));
  }
  const stmt = c.env.DB.prepare('INSERT INTO logs (msg) VALUES (?)');
  await c.env.DB.batch([stmt.bind('a'), stmt.bind('b')]);
});
async function other(db) {
  await db.insert(a).values(x);
}
async function another(db) {
  await db.insert(b).values(y);
}
"#,
        );
    }
}
