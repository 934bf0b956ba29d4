//! `hyperdrive-bypassed`: a Postgres client built from a plain connection
//! string (a literal, a `DATABASE_URL` secret) instead of a Hyperdrive
//! binding. Every request then opens a new TCP + TLS + auth handshake to the
//! database (several round trips across the internet) and no read is
//! cached; Hyperdrive keeps pooled connections near the database and can
//! cache reads.

use crate::effects::Project;
use crate::engine::RuleMeta;
use crate::engine::{ProjectRuleEntry, Reporter};
use crate::knowledge::drizzle::{ClientKind, ConnSource};
use crate::model::report::{Category, Severity};

use super::db_client_per_call::{factories, factory_calls};

pub static RULE: ProjectRuleEntry = ProjectRuleEntry {
    meta: RuleMeta {
        id: "hyperdrive-bypassed",
        category: Category::Database,
        severity: Severity::Warning,
        summary: "A Postgres client connects with a plain connection string instead of a Hyperdrive binding.",
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
A Postgres client built from a plain connection string — a literal
`'postgres://…'`, a secret such as `env.DATABASE_URL` or
`process.env.DATABASE_URL` — instead of a Hyperdrive binding's
`env.HYPERDRIVE.connectionString`: either although the Worker has a Hyperdrive
binding (from wrangler.toml/json/jsonc), or in a Postgres Worker with no
Hyperdrive at all. A helper that takes the connection string as a parameter is
reported where it is called with a plain string.

Neon's HTTP driver (`neon(url)` of `@neondatabase/serverless`, one `fetch` per
query) cannot use Hyperdrive: it is reported only when the Worker binds
Hyperdrive anyway, whatever its connection string.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Connecting directly costs every request a new TCP connection, TLS handshake and
Postgres authentication across the internet — several round trips before the
first query — and nothing is cached. Hyperdrive keeps a pool of warm
connections close to the database, so a request's connection is ready at once,
and it caches read queries. Direct connections also count against the Worker's
6 simultaneous connections for as long as the handshake takes.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const sql = postgres(env.DATABASE_URL);
```
"#,
        ),
        (
            "Good",
            r#"
```toml
# wrangler.toml — after `npx wrangler hyperdrive create my-db --connection-string="postgres://…"`
[[hyperdrive]]
binding = "HYPERDRIVE"
id = "<id printed by the command>"
```

```ts
const sql = postgres(env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false });
```
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
Connection settings passed through several layers of helpers, or built from
pieces at run time, are not traced.
"#,
        ),
    ],
    setup: r#"
# @hyperdrive HYPERDRIVE
# import postgres from 'postgres';
# export default { async fetch(req: Request, env: Env) {
# @example
# } };
"#,
    examples: crate::engine::declare::Examples::Run,
};

fn check(p: &Project<'_>, r: &mut Reporter<'_>) {
    let help = help(p);
    for (path, facts) in p.files.iter() {
        for c in &facts.clients {
            if c.kind == ClientKind::NeonHttp {
                // Without Hyperdrive, Neon's HTTP driver is a sound choice.
                if let Some(binding) = p.info.hyperdrive.first() {
                    r.report(path, c.loc, neon_message(&c.text, binding), neon_help(binding));
                }
            } else if let ConnSource::Plain(what) = &c.source {
                r.report(path, c.loc, message(p, &c.text, what), help.clone());
            }
        }
    }
    // Helpers that take the connection string as a parameter: their callers.
    let mut params: Vec<(usize, String, usize)> = Vec::new();
    for (fi, (_, facts)) in p.files.iter().enumerate() {
        for c in &facts.clients {
            if let (ConnSource::Param(i), Some(name)) = (&c.source, &c.factory) {
                params.push((fi, name.clone(), *i));
            }
        }
    }
    if params.is_empty() {
        return;
    }
    let factories = factories(p);
    for (k, fi, call) in factory_calls(p, &factories) {
        let (ff, name) = &factories[k];
        let Some((_, _, i)) = params.iter().find(|(f, n, _)| f == ff && n == name) else {
            continue;
        };
        if let Some(ConnSource::Plain(what)) = call.args.get(*i) {
            r.report(
                p.path(fi),
                p.call_loc(fi, call),
                message(p, &p.call_text(fi, call), what),
                help.clone(),
            );
        }
    }
}

fn message(p: &Project<'_>, text: &str, what: &str) -> String {
    match p.info.hyperdrive.first() {
        Some(binding) => format!(
            "{text} connects to Postgres with {what} although the Worker has the Hyperdrive binding {binding}"
        ),
        None => format!("{text} connects to Postgres directly with {what}, without Hyperdrive"),
    }
}

fn neon_message(text: &str, binding: &str) -> String {
    format!(
        "{text} sends every query over HTTPS to Neon (Neon's HTTP driver cannot go through Hyperdrive) although the Worker has the Hyperdrive binding {binding}: no pooled connection near the database and no query cache"
    )
}

fn neon_help(binding: &str) -> String {
    format!(
        "Query through the binding with a TCP driver: `drizzle(postgres(env.{binding}.connectionString, {{ max: 5, fetch_types: false }}))` \
         (drizzle-orm/postgres-js), created per request. Hyperdrive keeps warm connections near the database and caches read queries. \
         If the HTTP driver is deliberate, remove the unused binding from the wrangler config."
    )
}

fn help(p: &Project<'_>) -> String {
    let why =
        "Hyperdrive keeps a pool of warm connections near the database (no new TCP, TLS and auth \
               handshake on every request) and caches read queries.";
    match p.info.hyperdrive.first() {
        Some(binding) => format!(
            "Connect through the binding: `postgres(env.{binding}.connectionString, {{ max: 5, fetch_types: false }})` \
             (node-postgres: `new Client({{ connectionString: env.{binding}.connectionString }})`). {why}"
        ),
        None => format!(
            "Create a Hyperdrive configuration (`npx wrangler hyperdrive create my-db --connection-string=\"postgres://...\"`), \
             bind it in wrangler.toml (`[[hyperdrive]]` with `binding = \"HYPERDRIVE\"` and the id it prints), and connect with \
             `postgres(env.HYPERDRIVE.connectionString, {{ max: 5, fetch_types: false }})`. {why}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::{assert_project_fires, assert_project_silent, pg_project};

    const RULE: &str = "hyperdrive-bypassed";

    #[test]
    fn fires_on_plain_connection_strings() {
        let src = r#"import postgres from 'postgres';
import { Client } from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
export default {
  async fetch(req, env) {
    const sql = postgres(env.DATABASE_URL);
    const client = new Client({ connectionString: 'postgres://app:s3cret@db.example.com/app' });
    const db = drizzle(process.env.DATABASE_URL);
  },
};
"#;
        let found = assert_project_fires(
            RULE,
            &[("src/index.ts", src)],
            &[],
            &pg_project(),
            &[
                ("src/index.ts", 6, "postgres(env.DATABASE_URL) connects to Postgres with `env.DATABASE_URL` although the Worker has the Hyperdrive binding HYPERDRIVE"),
                ("src/index.ts", 7, "connects to Postgres with a literal connection string although"),
                ("src/index.ts", 8, "`process.env.DATABASE_URL`"),
            ],
        );
        assert!(found[0]
            .help
            .contains("postgres(env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false })"));
    }

    #[test]
    fn fires_at_the_call_of_a_helper_without_hyperdrive() {
        let db = "import postgres from 'postgres';\nimport { drizzle } from 'drizzle-orm/postgres-js';\nexport function createDb(url: string) {\n  return drizzle(postgres(url));\n}\n";
        let index = "import { createDb } from './db';\napp.use('*', async (c, next) => {\n  c.set('db', createDb(c.env.DATABASE_URL));\n  await next();\n});\n";
        let found = assert_project_fires(
            RULE,
            &[("src/db.ts", db), ("src/index.ts", index)],
            &[],
            &ProjectInfo::default(),
            &[("src/index.ts", 3, "createDb(c.env.DATABASE_URL) connects to Postgres directly with `c.env.DATABASE_URL`, without Hyperdrive")],
        );
        assert!(found[0].help.contains("npx wrangler hyperdrive create"));
    }

    #[test]
    fn silent_through_hyperdrive() {
        let db = "import postgres from 'postgres';\nimport { drizzle } from 'drizzle-orm/postgres-js';\nexport function createDb(url: string) {\n  return drizzle(postgres(url, { max: 5 }));\n}\n";
        let index = r#"import { createDb } from './db';
import { Pool } from 'pg';
app.use('*', async (c, next) => {
  c.set('db', createDb(c.env.HYPERDRIVE.connectionString));
  const pool = new Pool({ connectionString: c.env.HYPERDRIVE.connectionString });
  const other = new Pool({ host: c.env.HYPERDRIVE.host, user: c.env.HYPERDRIVE.user });
  await next();
});
"#;
        assert_project_silent(
            RULE,
            &[("src/db.ts", db), ("src/index.ts", index)],
            &[],
            &pg_project(),
        );
    }

    #[test]
    fn neon_http_bypasses_a_hyperdrive_binding() {
        let db = "export const DATABASE_URL = 'postgresql://app:s3cret@ep-x.neon.tech/db';\n";
        let hub = "import { neon } from '@neondatabase/serverless';\nimport { drizzle } from 'drizzle-orm/neon-http';\nimport { DATABASE_URL } from './src/db';\nconst sql = neon(DATABASE_URL);\nexport const db = drizzle(sql);\n";
        let found = crate::rules::test_util::Case::new()
            .file("src/db/index.ts", db)
            .file("hub.config.ts", hub)
            .project(pg_project())
            .rules(&[RULE, "global-db-client", "db-client-per-call"])
            .assert_fires(&[(
                "hub.config.ts",
                4,
                "neon(DATABASE_URL) sends every query over HTTPS to Neon (Neon's HTTP driver cannot go through Hyperdrive) although the Worker has the Hyperdrive binding HYPERDRIVE",
            )]);
        assert!(found[0].help.contains("env.HYPERDRIVE.connectionString"));
    }

    #[test]
    fn neon_http_without_hyperdrive_is_fine() {
        let src = "import { neon } from '@neondatabase/serverless';\nexport function db(env) {\n  return neon(env.DATABASE_URL);\n}\napp.get('/', (c) => db(c.env)`select 1`);\n";
        crate::rules::test_util::Case::new()
            .file("src/index.ts", src)
            .project(ProjectInfo::default())
            .rules(&[RULE, "global-db-client", "db-client-per-call"])
            .assert_silent();
    }
}
