//! `db-client-per-call`: a helper that builds a new Postgres client (and a
//! Drizzle instance over it) on every call, called more than once on one
//! request's path — in a middleware and again in the route, or twice in one
//! function. Each call opens another connection; a Worker may hold only 6
//! connections open at once. With Hyperdrive, `end()` is not required (the
//! runtime closes the client's I/O when the invocation ends), so a missing
//! `end()` alone is not a finding.

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::drizzle::ClientKind;
use crate::knowledge::query::{CallFact, Role};
use crate::model::report::{Category, Severity};

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "db-client-per-call",
        category: Category::Database,
        severity: Severity::Warning,
        summary: "A helper that opens a new Postgres client on every call is called more than once on one request's path.",
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
A helper that creates a new Postgres client on every call (and a Drizzle
instance over it), e.g. `function createDb(url) { return drizzle(postgres(url)) }`,
called more than once on one request's path: in a middleware and again in a
route, or twice in the same function. The helper and its callers may be in
different files.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each call opens another connection, and a Worker may have only 6 simultaneous
open connections (later ones wait). With postgres.js each client may also open
up to `max` connections of its own: keep `max` within that limit (`max: 5`).
With Hyperdrive, calling `end()` is not required — the runtime closes the
client's I/O when the invocation ends — so a missing `end()` on its own is not
reported.
"#,
        ),
        (
            "Bad",
            r#"
```ts
app.use('*', async (c, next) => {
  const db = createDb(c.env.HYPERDRIVE.connectionString);
  c.set('user', await loadUser(db, c));
  await next();
});
app.get('/orders', async (c) => {
  const db = createDb(c.env.HYPERDRIVE.connectionString); // a second connection
  return c.json(await db.select().from(orders).limit(50));
});
```
"#,
        ),
        (
            "Good",
            r#"
```ts
type AppEnv = { Bindings: Env; Variables: { db: ReturnType<typeof createDb> } };
app.use('*', async (c, next) => {
  c.set('db', createDb(c.env.HYPERDRIVE.connectionString));
  await next();
});
app.get('/orders', async (c) => c.json(await c.var.db.select().from(orders).limit(50)));
```
"#,
        ),
        (
            "Not reported",
            r#"
One call per request (a middleware that `c.set`s the client, a scheduled
handler that creates its own), and helpers over D1 (`drizzle(env.DB)` opens no
connection).
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
The request path is approximated: any middleware call and any route call of the
same helper count as one path, and calls made through other helpers are not
followed.
"#,
        ),
    ],
    setup: r#"
# @hyperdrive HYPERDRIVE
# @file src/db.ts
# import postgres from 'postgres';
# import { drizzle } from 'drizzle-orm/postgres-js';
# export function createDb(url: string) {
#   return drizzle(postgres(url, { max: 5, fetch_types: false }));
# }
# @file src/index.ts
# import { Hono } from 'hono';
# import { createDb } from './db';
# const app = new Hono();
# @example
"#,
    examples: crate::engine::declare::Examples::Run,
};

/// (file, function name) of every helper that creates a client per call.
pub(crate) fn factories(p: &Project<'_>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (fi, (_, facts)) in p.files.iter().enumerate() {
        for c in &facts.clients {
            // Neon's HTTP driver holds no connection: building it is cheap.
            if c.module_scope || c.module_assigned || c.kind == ClientKind::NeonHttp {
                continue;
            }
            if let Some(name) = &c.factory {
                if !out.iter().any(|(f, n)| *f == fi && n == name) {
                    out.push((fi, name.clone()));
                }
            }
        }
    }
    out
}

/// Every call of a factory: (factory index, calling file, call).
pub(crate) fn factory_calls<'p>(
    p: &'p Project<'_>,
    factories: &[(usize, String)],
) -> Vec<(usize, usize, &'p CallFact)> {
    let mut out = Vec::new();
    for (fi, (_, facts)) in p.files.iter().enumerate() {
        for call in &facts.calls {
            let Some((file, local)) = p.resolve_local(fi, &call.callee, 0) else {
                continue;
            };
            if let Some(k) = factories
                .iter()
                .position(|(f, n)| *f == file && *n == local)
            {
                out.push((k, fi, call));
            }
        }
    }
    out
}

fn check(p: &Project<'_>, r: &mut Reporter<'_>) {
    let factories = factories(p);
    if factories.is_empty() {
        return;
    }
    let calls = factory_calls(p, &factories);
    for (i, (k, fi, call)) in calls.iter().enumerate() {
        let name = &factories[*k].1;
        // Twice in one function.
        let earlier = calls[..i]
            .iter()
            .find(|(k2, f2, c2)| k2 == k && f2 == fi && c2.function == call.function);
        // In a middleware and again in a route.
        let middleware = (call.role == Role::Route)
            .then(|| {
                calls
                    .iter()
                    .find(|(k2, _, c2)| k2 == k && c2.role == Role::Middleware)
            })
            .flatten();
        let message = match (earlier, middleware) {
            (Some((_, f2, c2)), _) => format!(
                "{} opens a new Postgres connection, and this function already called {name}() at line {}",
                p.call_text(*fi, call),
                p.call_loc(*f2, c2).line
            ),
            (None, Some((_, f2, c2))) => format!(
                "{} opens a new Postgres connection on a request whose middleware already called {name}() ({}:{})",
                p.call_text(*fi, call),
                p.path(*f2),
                p.call_loc(*f2, c2).line
            ),
            (None, None) => continue,
        };
        r.report(
            p.path(*fi),
            p.call_loc(*fi, call),
            message,
            format!(
                "Create one client per request and pass it down: in the middleware \
                 `c.set('db', {name}(c.env.HYPERDRIVE.connectionString))`, then use `c.var.db` in the routes \
                 (declare `Variables: {{ db: ReturnType<typeof {name}> }}` on the Hono app). A Worker may have only 6 \
                 connections open at once; with postgres.js keep `max` within that (e.g. `postgres(url, {{ max: 5 }})`). \
                 With Hyperdrive, calling `end()` is not required: the runtime closes the client when the request ends."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::{assert_project_fires, assert_project_silent, pg_project};

    const RULE: &str = "db-client-per-call";

    const DB: &str = r#"import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
export function createDb(url: string) {
  const client = postgres(url, { max: 5, fetch_types: false });
  return drizzle(client);
}
"#;

    #[test]
    fn fires_when_middleware_and_route_both_create_clients() {
        let index = r#"import { Hono } from 'hono';
import { createDb } from './db';
const app = new Hono();
app.use('*', async (c, next) => {
  const db = createDb(c.env.HYPERDRIVE.connectionString);
  c.set('user', await db.query.users.findFirst({ where: eq(users.token, t) }));
  await next();
});
app.get('/orders', async (c) => {
  const db = createDb(c.env.HYPERDRIVE.connectionString);
  return c.json(await db.select().from(orders).limit(10));
});
app.get('/report', async (c) => {
  const a = await createDb(c.env.HYPERDRIVE.connectionString).select().from(orders).limit(5);
  const b = await createDb(c.env.HYPERDRIVE.connectionString).select().from(users).limit(5);
});
"#;
        assert_project_fires(
            RULE,
            &[("src/db.ts", DB), ("src/index.ts", index)],
            &[],
            &pg_project(),
            &[
                (
                    "src/index.ts",
                    10,
                    "whose middleware already called createDb() (src/index.ts:5)",
                ),
                (
                    "src/index.ts",
                    14,
                    "whose middleware already called createDb()",
                ),
                (
                    "src/index.ts",
                    15,
                    "this function already called createDb() at line 14",
                ),
            ],
        );
    }

    #[test]
    fn silent_with_one_client_per_request() {
        let index = r#"import { Hono } from 'hono';
import { createDb } from './db';
const app = new Hono();
app.use('*', async (c, next) => {
  c.set('db', createDb(c.env.HYPERDRIVE.connectionString));
  await next();
});
app.get('/orders', async (c) => c.json(await c.var.db.select().from(orders).limit(10)));
export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    const db = createDb(env.HYPERDRIVE.connectionString);
    await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  },
};
"#;
        assert_project_silent(
            RULE,
            &[("src/db.ts", DB), ("src/index.ts", index)],
            &[],
            &pg_project(),
        );
        // A D1 helper opens no connection.
        let d1 = "import { drizzle } from 'drizzle-orm/d1';\nexport const createDb = (d1) => drizzle(d1);\n";
        let twice = "import { createDb } from './db';\napp.get('/', async (c) => { createDb(c.env.DB); createDb(c.env.DB); });\n";
        assert_project_silent(
            RULE,
            &[("src/db.ts", d1), ("src/r.ts", twice)],
            &[],
            &ProjectInfo::default(),
        );
    }
}
