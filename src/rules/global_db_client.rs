//! `global-db-client`: a Postgres client (`postgres(...)`, `new Pool(...)`,
//! `new Client(...)`, or a Drizzle instance that opens its own connection)
//! created at module scope, or stored in a module variable from inside a
//! function. Workers bind I/O objects such as sockets to the request that
//! opened them: a later request reusing the client fails ("Cannot perform
//! I/O on behalf of a different request") or hangs. D1 bindings are fine.
//!
//! A module variable assigned a new client on every call (a plain `=`),
//! never tested for being set (`if (!sql)`, `sql ??=`, `sql || …`) and read
//! only in the functions that assign it, keeps no client for a later
//! request: not reported (`request-state-in-global` reports the shared
//! variable).

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::model::collections::{HashMap, HashSet};

use crate::effects::drizzle::{pg_client_call, pg_client_new};
use crate::engine::context::{unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::drizzle::{redact_credentials, ClientKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "global-db-client", Database, Error,
    "A Postgres client (or a Drizzle instance over one) created at module scope and reused across requests.",
    |_| Box::<GlobalDbClient>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A Postgres client — `postgres(...)` (postgres.js), `new Pool(...)` /
`new Client(...)` (`pg`, `@neondatabase/serverless`), or a Drizzle instance that
opens its own connection (`drizzle(url)` from `drizzle-orm/postgres-js`,
`node-postgres`, `neon-serverless`) — created at module scope, or stored in a
module-scope variable from inside a function (`client ??= postgres(url)`,
`if (!client) client = postgres(url)`) and kept for later requests.

Not reported: a module variable assigned a new client on every call
(`sql = postgres(env.HYPERDRIVE.connectionString)` in the handler, a plain
`=`), never tested for being set and read only in the functions that assign
it: each request makes its own client, and nothing is reused
(`request-state-in-global` still reports the shared variable: make it a
local `const`). Nor a client a class field makes (`private db =
drizzle(new Pool(…))` in a Durable Object): it is the instance's, made when
the instance is.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
A Worker isolate serves many requests, but the I/O objects a request opens (the
client's socket) belong to that request. A later request that reuses the client
fails with "Cannot perform I/O on behalf of a different request" or hangs.
Module-scope work also runs during startup, which must finish within 1 s.
A D1 binding (`drizzle(env.DB)`) is not a connection and is fine anywhere.
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { env } from 'cloudflare:workers';
const sql = postgres(env.HYPERDRIVE.connectionString);
export const db = drizzle(sql);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
app.use(async (c, next) => {
  const sql = postgres(c.env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false });
  c.set('db', drizzle(sql));
  await next();
});
```

With Hyperdrive a client per request is cheap: Hyperdrive keeps the pooled
connections to the database.
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
    ],
    setup: r#"
# import postgres from 'postgres';
# import { drizzle } from 'drizzle-orm/postgres-js';
# @example
"#,
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct GlobalDbClient {
    /// How the file uses its names: read once, for the first client stored
    /// in a module variable from a function (most files have none).
    uses: Option<Uses>,
}

impl Rule for GlobalDbClient {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::New]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let (kind, span): (ClientKind, Span) = match node {
            Node::Call(call) => match pg_client_call(call, cx) {
                Some((kind, _)) => (kind, call.span),
                None => return,
            },
            Node::New(new) => match pg_client_new(new, cx) {
                Some((kind, _)) => (kind, new.span),
                None => return,
            },
            _ => return,
        };
        let lazily = cx.db.walk.assigned_to_module(span);
        if !cx.at_module_scope() && !lazily {
            return;
        }
        // A new client on every call, never kept for a later one.
        if lazily && !cx.at_module_scope() {
            let uses = self.uses.get_or_insert_with(|| {
                let mut uses = Uses::default();
                cx.file.model.program().visit_with(&mut uses);
                uses
            });
            if uses.replaced_per_call(span) {
                return;
            }
        }
        let text = redact_credentials(&cx.snippet(span));
        let what = match kind {
            ClientKind::Drizzle => "a Drizzle instance with its own Postgres connection",
            _ => "a Postgres client",
        };
        let where_ = if lazily {
            "is stored in a module-scope variable and reused by later requests"
        } else {
            "is created at module scope and shared by every request"
        };
        cx.report(
            span,
            format!("{text} creates {what} that {where_}: Workers cannot reuse a connection across requests"),
            "Create the client per request and pass it down, e.g. in a middleware: \
             `app.use(async (c, next) => { c.set('db', drizzle(postgres(c.env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false }))); await next(); })`, \
             then use `c.var.db`. I/O objects belong to the request that opened them; another request using \
             them fails with \"Cannot perform I/O on behalf of a different request\". With Hyperdrive a new \
             client per request is cheap: Hyperdrive keeps the pooled connections to the database.",
        );
    }
}

/// How the file's functions use each name: which assign it a value (and
/// where), which read it, which test whether it is set.
#[derive(Default)]
struct Uses {
    /// The functions (by span; the module is the empty span) around the
    /// walk.
    fns: Vec<(u32, u32)>,
    /// Right sides of plain `name = value` assignments made in a function:
    /// (the name, the function).
    assigned: HashMap<(u32, u32), (Atom, (u32, u32))>,
    /// The functions that assign each name with a plain `=`.
    writers: HashMap<Atom, HashSet<(u32, u32)>>,
    /// The functions (or the module) that read each name.
    readers: HashMap<Atom, HashSet<(u32, u32)>>,
    /// Names tested for being set: `!x`, `if (x)`, `x ?? …`, `x ||= …`,
    /// `x == null`.
    tested: HashSet<Atom>,
}

impl Uses {
    /// The assignment whose right side is at `span` replaces the variable
    /// on every call: a plain `=`, the variable never tested for being set,
    /// read only in functions that assign it.
    fn replaced_per_call(&self, span: Span) -> bool {
        let Some((name, _)) = self.assigned.get(&(span.lo.0, span.hi.0)) else {
            return false;
        };
        let writers = self.writers.get(name);
        !self.tested.contains(name)
            && self
                .readers
                .get(name)
                .is_none_or(|r| r.iter().all(|f| writers.is_some_and(|w| w.contains(f))))
    }

    fn here(&self) -> (u32, u32) {
        self.fns.last().copied().unwrap_or((0, 0))
    }

    fn test(&mut self, expr: &Expr) {
        match unwrap_expr(expr) {
            Expr::Ident(id) => {
                self.tested.insert(id.sym.clone());
            }
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.test(&u.arg),
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::LogicalAnd
                        | BinaryOp::LogicalOr
                        | BinaryOp::NullishCoalescing
                        | BinaryOp::EqEq
                        | BinaryOp::EqEqEq
                        | BinaryOp::NotEq
                        | BinaryOp::NotEqEq
                ) =>
            {
                self.test(&b.left);
                self.test(&b.right);
            }
            _ => {}
        }
    }

    fn in_fn(&mut self, span: Span, walk: impl FnOnce(&mut Uses)) {
        self.fns.push((span.lo.0, span.hi.0));
        walk(self);
        self.fns.pop();
    }
}

impl Visit for Uses {
    fn visit_function(&mut self, f: &Function) {
        self.in_fn(f.span, |u| f.visit_children_with(u));
    }

    fn visit_arrow_expr(&mut self, f: &ArrowExpr) {
        self.in_fn(f.span, |u| f.visit_children_with(u));
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
            if a.op == AssignOp::Assign {
                let here = self.here();
                let right = unwrap_expr(&a.right).span();
                self.assigned
                    .insert((right.lo.0, right.hi.0), (id.sym.clone(), here));
                self.writers.entry(id.sym.clone()).or_default().insert(here);
            } else {
                // `x ??= …`, `x ||= …`, `x += …`: reads it first.
                self.tested.insert(id.sym.clone());
            }
            a.right.visit_with(self);
            return;
        }
        a.visit_children_with(self);
    }

    fn visit_expr(&mut self, e: &Expr) {
        match e {
            Expr::Ident(id) => {
                let here = self.here();
                self.readers.entry(id.sym.clone()).or_default().insert(here);
            }
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.test(&u.arg),
            Expr::Bin(_) => self.test(e),
            Expr::Cond(c) => self.test(&c.test),
            _ => {}
        }
        e.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.test(&s.test);
        s.visit_children_with(self);
    }

    fn visit_export_named_specifier(&mut self, s: &ExportNamedSpecifier) {
        if let ModuleExportName::Ident(id) = &s.orig {
            self.readers.entry(id.sym.clone()).or_default().insert((0, 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    const RULE: &str = "global-db-client";

    #[test]
    fn fires_on_module_scope_clients() {
        assert_fires(
            RULE,
            r#"import postgres from 'postgres';
import { Pool } from 'pg';
import * as pg from 'pg';
import { drizzle } from 'drizzle-orm/postgres-js';
import { env } from 'cloudflare:workers';
const sql = postgres(env.HYPERDRIVE.connectionString);
const db = drizzle(sql);
const pool = new Pool({ connectionString: env.HYPERDRIVE.connectionString });
const client = new pg.Client(env.HYPERDRIVE.connectionString);
const db2 = drizzle(env.HYPERDRIVE.connectionString);
let cached;
export function getDb(env) {
  cached ??= postgres(env.HYPERDRIVE.connectionString);
  return drizzle(cached);
}
"#,
            &[
                (6, "postgres(env.HYPERDRIVE.connectionString) creates a Postgres client that is created at module scope"),
                (8, "new Pool"),
                (9, "new pg.Client"),
                (10, "a Drizzle instance with its own Postgres connection"),
                (13, "stored in a module-scope variable"),
            ],
        );
    }

    #[test]
    fn silent_per_request_and_on_d1() {
        assert_silent(
            RULE,
            r#"import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { drizzle as d1 } from 'drizzle-orm/d1';
import { env } from 'cloudflare:workers';
const local = d1(env.DB);
export default {
  async fetch(req, env) {
    const sql = postgres(env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false });
    const db = drizzle(sql);
    return Response.json(await db.select().from(users).limit(10));
  },
};
export function createDb(url) {
  const client = postgres(url);
  return drizzle(client);
}
// a Durable Object's field: the instance's pool, not the module's (auth-next)
export class Corp extends DurableObject {
  private db = drizzle(postgres(this.env.HYPERDRIVE.connectionString));
}
"#,
        );
    }

    /// A module variable assigned a new client on every request, never
    /// tested and read only where it is assigned, keeps nothing for a later
    /// request; one tested for being set (`??=`, `if (!sql)`), or
    /// read in another function, keeps the client across requests.
    #[test]
    fn per_request_assignments_are_not_kept() {
        assert_silent(
            RULE,
            r#"import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
let sql;
let db;
export default {
  async fetch(req, env) {
    sql = postgres(env.HYPERDRIVE.connectionString, { max: 5 });
    db = drizzle(sql);
    const rows = await db.execute('select 1');
    return Response.json(rows);
  },
};
"#,
        );
        assert_fires(
            RULE,
            r#"import postgres from 'postgres';
let a;
let b;
let c;
export default {
  async fetch(req, env) {
    a ??= postgres(env.URL);
    if (!b) b = postgres(env.URL);
    c = postgres(env.URL);
    return Response.json([await a`select 1`, await b`select 1`]);
  },
};
export function query() {
  return c`select 1`;
}
"#,
            &[
                (7, "stored in a module-scope variable and reused by later requests"),
                (8, "stored in a module-scope variable"),
                (9, "stored in a module-scope variable"),
            ],
        );
    }

    /// One problem, one finding: top-level-work's "eager SDK client" on the
    /// same call yields to this rule; with this rule off, it reports.
    #[test]
    fn top_level_work_defers_to_it() {
        use crate::rules::test_util::lint_rules;
        let source = r#"import postgres from 'postgres';
const sql = postgres(process.env.DATABASE_URL, { prepare: true });
export default { fetch: () => sql`select 1` };
"#;
        let both = lint_rules(&["global-db-client", "top-level-work"], source);
        assert_eq!(both, [(2, RULE.to_string())]);
        let alone = lint_rules(&["top-level-work"], source);
        assert_eq!(alone, [(2, "top-level-work".to_string())]);
    }
}
