//! `global-db-client`: a Postgres client (`postgres(...)`, `new Pool(...)`,
//! `new Client(...)`, or a Drizzle instance that opens its own connection)
//! created at module scope, or stored in a module variable from inside a
//! function. Workers bind I/O objects such as sockets to the request that
//! opened them: a later request reusing the client fails ("Cannot perform
//! I/O on behalf of a different request") or hangs. D1 bindings are fine.

use swc_core::common::Span;

use crate::effects::drizzle::{pg_client_call, pg_client_new};
use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::knowledge::drizzle::{redact_credentials, ClientKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "global-db-client", Database, Error,
    "A Postgres client (or a Drizzle instance over one) created at module scope and reused across requests.",
    |_| Box::new(GlobalDbClient)
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
module-scope variable from inside a function (`client ??= postgres(url)`).
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

struct GlobalDbClient;

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
"#,
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
