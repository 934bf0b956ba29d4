//! The database rules on the example Workers: every planted problem of
//! examples/worker is found, examples/worker-fixed comes out clean.

use super::test_util::{
    example_files, example_worker, example_worker_fixed, of, owned_places, places, Case,
};
use crate::model::project::ProjectInfo;
use crate::model::report::Category;

/// What examples/*/wrangler.toml declares.
fn project() -> ProjectInfo {
    ProjectInfo {
        nodejs_compat: true,
        d1: vec!["DB".into()],
        kv: vec!["CACHE".into()],
        r2: vec!["UPLOADS".into()],
        hyperdrive: vec![],
        ..ProjectInfo::default()
    }
}

/// The database findings (and parse errors) with the default config.
fn database() -> Case {
    Case::new().project(project()).category(Category::Database)
}

#[test]
fn finds_the_planted_problems_in_the_example_worker() {
    let sql = example_files!("worker", ["migrations/0001_init.sql"]);
    let expected = owned_places(&[
        (
            "worker/src/routes/orders.ts",
            51,
            "drizzle-unbounded-select",
        ),
        (
            "worker/src/routes/orders.ts",
            84,
            "drizzle-unbatched-writes",
        ),
        (
            "worker/src/routes/orders.ts",
            125,
            "drizzle-transaction-with-fetch",
        ),
        (
            "worker/src/routes/orders.ts",
            141,
            "drizzle-delete-without-where",
        ),
        ("worker/src/routes/users.ts", 53, "drizzle-missing-index"),
        (
            "worker/src/routes/users.ts",
            53,
            "drizzle-select-all-columns",
        ),
        ("worker/src/routes/users.ts", 53, "drizzle-unbounded-select"),
        ("worker/src/routes/users.ts", 57, "drizzle-query-in-loop"),
    ]);
    assert_eq!(
        database().files(example_worker()).sqls(sql).places(),
        expected
    );
}

#[test]
fn the_fixed_example_worker_is_clean() {
    let sql = example_files!(
        "worker-fixed",
        [
            "migrations/0001_init.sql",
            "migrations/0002_orders_user_index.sql"
        ]
    );
    database()
        .files(example_worker_fixed())
        .sqls(sql)
        .assert_silent();
}

#[test]
fn the_index_from_the_fixed_migration_alone_is_enough() {
    // The worker's code and schema, with worker-fixed's 0002 migration.
    let files = example_files!("worker", ["src/schema.ts", "src/routes/users.ts"]);
    let sql = example_files!(
        "worker-fixed",
        [
            "migrations/0001_init.sql",
            "migrations/0002_orders_user_index.sql"
        ]
    );
    let found = database().files(files).sqls(sql).run();
    assert!(
        !found.iter().any(|d| d.rule == "drizzle-missing-index"),
        "{:#?}",
        places(&found)
    );
}

#[test]
fn config_severities_apply_to_project_rules() {
    let files = example_files!("worker", ["src/schema.ts", "src/routes/users.ts"]);
    let found = Case::new()
        .files(files)
        .project(project())
        .config(r#"{"rules":{"drizzle-missing-index":"off","drizzle-unbounded-select":"error"}}"#)
        .run();
    assert!(!found.iter().any(|d| d.rule == "drizzle-missing-index"));
    let unbounded = of(&found, "drizzle-unbounded-select");
    assert_eq!(unbounded.len(), 1);
    assert_eq!(unbounded[0].severity, crate::model::report::Severity::Error);
}

#[test]
fn suppression_comments_apply_to_project_rules() {
    let schema = "import { sqliteTable, text } from 'drizzle-orm/sqlite-core';\nexport const logs = sqliteTable('logs', { id: text('id').primaryKey(), body: text('body') });\n";
    let q = "import { logs } from './schema';\nexport async function all(db) {\n  // perf-optimizer-disable-next-line drizzle-unbounded-select -- the table holds a handful of rows\n  const rows = await db.select().from(logs);\n  return rows.map((l) => l.id);\n}\n";
    let found = database().file("schema.ts", schema).file("q.ts", q).run();
    assert_eq!(
        places(&found),
        owned_places(&[("q.ts", 4, "drizzle-select-all-columns")])
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let src = r#"import { sqliteTable, index, text } from 'drizzle-orm/sqlite-core';
export const a = sqliteTable();
export const b = sqliteTable('b');
export const c = sqliteTable('c', {}, 5);
export const d = sqliteTable('d', { x: text() }, (t) => [index().on(), index('i').on(sql``), ...extra]);
export const e = sqliteTable(`e`, { [k]: text('k'), ...more, y: 5 }, function (t) { return { p: primaryKey() }; });
async function f(db, env) {
  db.select().from();
  db.select().from(a).where();
  db.query.b.findMany();
  db.query.b.findMany(opts);
  db.query.b.findFirst({ where: (t) => t, orderBy: 5 });
  env.DB.prepare();
  env.DB.prepare('');
  env.DB.prepare('garbage ;;; (').all();
  env.DB.prepare(`SELECT * FROM ${table}`).all();
  for (const q of ['SELECT', 'SELECT * FROM', 'UPDATE', 'DELETE FROM', 'SELECT * FROM (SELECT 1)',
    'SELECT * FROM t WHERE (((', 'SELECT * FROM t WHERE a BETWEEN', 'SELECT * FROM t WHERE NOT NOT',
    'SELECT * FROM t ORDER BY', 'SELECT * FROM t LIMIT', 'INSERT INTO', 'SELECT * FROM t WHERE a IN (']) {}
  env.DB.prepare('SELECT * FROM t WHERE (((').all();
  env.DB.prepare('SELECT * FROM t WHERE a BETWEEN').all();
  env.DB.prepare('SELECT * FROM t WHERE x = ) AND ( OR').all();
  env.DB.prepare('SELECT').all();
  env.DB.prepare('UPDATE').run();
  env.DB.prepare('DELETE FROM').run();
  env.DB.prepare('SELECT * FROM t ORDER BY').all();
  env.DB.prepare('SELECT * FROM t LIMIT').all();
  db.delete();
  db.update().set();
  db.insert().values();
  db.transaction();
  db.batch();
  for (const x of xs) await db.select().from(a).where(eq());
  await db.select().from(a).where(and(...conds, eq(a.x)));
}
"#;
    let found = database()
        .file("odd.ts", src)
        .sql("drizzle/0000.sql", "CREATE TABLE;\n--> statement-breakpoint\nCREATE INDEX ON;\nDROP INDEX nope;\nALTER TABLE missing RENAME TO other;\nCREATE UNIQUE INDEX u ON x ((lower(a)), b DESC);\nCREATE TABLE t (a int, (;\nCREATE INDEX i ON t;\nCREATE TABLE u (\nALTER TABLE;\nDROP TABLE;\n)))(((;")
        .run();
    assert!(!found.iter().any(|d| d.rule == "parse-error"), "{found:#?}");
}

/// A database helper imported through a tsconfig alias is followed to the
/// file the app's tsconfig names, not to another app's file with the same
/// tail (what the old suffix guess picked: the first such file).
#[test]
fn follows_a_helper_through_the_tsconfig_alias_of_its_app() {
    use crate::model::modules::{ModuleFacts, TsConfigFile};
    use crate::rules::test_util::{assert_project_fires, assert_project_silent, pg_project};
    const RULE: &str = "db-client-per-call";
    let decoy = "export function createDb(url: string) {\n  return url;\n}\n";
    let helper = "import postgres from 'postgres';\nimport { drizzle } from 'drizzle-orm/postgres-js';\nexport function createDb(url: string) {\n  return drizzle(postgres(url, { max: 5 }));\n}\n";
    let index = "import { Hono } from 'hono';\nimport { createDb } from '@/lib/client';\nconst app = new Hono();\napp.use('*', async (c, next) => {\n  c.set('db', createDb(c.env.HYPERDRIVE.connectionString));\n  await next();\n});\napp.get('/orders', async (c) => {\n  const db = createDb(c.env.HYPERDRIVE.connectionString);\n  return c.json(await db.select().from(orders).limit(10));\n});\n";
    let files = [
        ("apps/admin/src/lib/client.ts", decoy),
        ("apps/api/src/lib/client.ts", helper),
        ("apps/api/src/index.ts", index),
    ];
    let alias = |dir: &str| TsConfigFile {
        path: format!("{dir}/tsconfig.json"),
        paths: Some(serde_json::from_str(r#"{"@/*":["./src/*"]}"#).unwrap()),
        ..TsConfigFile::default()
    };
    let mut project = pg_project();
    project.modules = ModuleFacts {
        tsconfigs: vec![alias("apps/admin"), alias("apps/api")],
        ..ModuleFacts::default()
    };
    assert_project_fires(
        RULE,
        &files,
        &[],
        &project,
        &[(
            "apps/api/src/index.ts",
            9,
            "whose middleware already called createDb()",
        )],
    );
    // Without the tsconfig the alias means nothing at the root: no guess.
    assert_project_silent(RULE, &files, &[], &pg_project());
}

/// What an identifier refers to decides whether it is a database, not its
/// name: a local `const db = []` that shadows the Drizzle handle is an array
/// (the reproduced misreading of the name sets this model replaced).
#[test]
fn a_shadowing_local_is_not_the_database() {
    use super::test_util::lint_rules;
    let rules = [
        "drizzle-query-in-loop",
        "subrequest-in-loop",
        "await-in-loop",
    ];
    let handle = "import { drizzle } from 'drizzle-orm/d1';\n\
        import { users } from './schema';\n\
        export default { async fetch(req, env) {\n\
          const db = drizzle(env.DB);\n\
          for (const id of ids) { await db.select().from(users); }\n\
          return new Response('ok');\n\
        } };\n";
    let found = lint_rules(&rules, handle);
    assert!(
        found.iter().any(|(line, _)| *line == 5),
        "the handle's query in a loop is reported: {found:?}"
    );
    let shadowed = "import { drizzle } from 'drizzle-orm/d1';\n\
        const database = drizzle(globalThis.DB);\n\
        const db = drizzle(globalThis.DB);\n\
        export default { async fetch(req, env) {\n\
          const db = [];\n\
          for (const id of ids) { await db.select(id); }\n\
          return new Response(String(db.length));\n\
        } };\n\
        export const tx = [1, 2];\n\
        export async function list(ids) { for (const id of ids) { await tx.select(id); } }\n";
    assert_eq!(lint_rules(&rules, shadowed), vec![]);
}

/// Likewise for the Worker's `env`: a local object named `env` holds no
/// bindings, so calls on it are not subrequests.
#[test]
fn a_local_object_named_env_is_not_the_worker_env() {
    use super::test_util::lint_rules;
    let rules = ["subrequest-in-loop", "await-in-loop"];
    let handler = "export default { async fetch(req, env) {\n\
          for (const k of keys) { await env.CACHE.get(k); }\n\
          return new Response('ok');\n\
        } };\n";
    assert_eq!(
        lint_rules(&rules, handler),
        vec![(2, "subrequest-in-loop".to_string())]
    );
    let local = "export function warm(keys) {\n\
          const env = { CACHE: new Map() };\n\
          for (const k of keys) { env.CACHE.get(k); }\n\
        }\n";
    assert_eq!(lint_rules(&rules, local), vec![]);
}

/// The Worker's bindings are asked by what a name refers to: a handler's
/// second parameter whatever its name, a binding destructured from it and
/// an alias of it are the bindings; a local of the same name elsewhere, and
/// a parameter named `env` that is not the bindings (an iteration
/// callback's element, a primitive), are not.
#[test]
fn the_env_bindings_are_asked_by_binding() {
    let rules = ["subrequest-in-loop", "await-in-loop"];
    let found = |source: &str| finding_lines(&rules, source);
    // The handler's bindings under another name, destructured and aliased.
    let handler = "export default { async fetch(req, e) {\n\
          const { CACHE } = e;\n\
          const bindings = e;\n\
          for (const k of keys) { await CACHE.get(k); }\n\
          for (const k of keys) { await bindings.STORE.get(k); }\n\
          for (const k of keys) { await e.STORE.get(k); }\n\
          return new Response('ok');\n\
        } };\n";
    assert_eq!(found(handler), vec![4, 5, 6]);
    // `fetch(req, { CACHE })` destructures them in the parameter list.
    let param = "export default { async fetch(req, { CACHE }) {\n\
          for (const k of keys) { await CACHE.get(k); }\n\
          return new Response('ok');\n\
        } };\n";
    assert_eq!(found(param), vec![2]);
    // A local `CACHE` (another binding of the name) and a parameter named
    // like the handler's (`e`) in another function are not the bindings.
    let shadowed = "export default { async fetch(req, e) {\n\
          const { CACHE } = e;\n\
          return new Response(await CACHE.get('k'));\n\
        } };\n\
        export function warm(keys, e) {\n\
          const CACHE = new Map();\n\
          for (const k of keys) { CACHE.get(k); }\n\
          for (const k of keys) { e.STORE.get(k); }\n\
        }\n";
    assert_eq!(found(shadowed), Vec::<u32>::new());
    // A helper's `env` parameter is the bindings by convention…
    let helper = "export async function warm(env, keys) {\n\
          for (const k of keys) { await env.CACHE.get(k); }\n\
        }\n";
    assert_eq!(found(helper), vec![2]);
    // …but not an iteration callback's element, nor a primitive.
    let not_env = "export function all(envs) {\n\
          return envs.map((env) => env.cache.get('k'));\n\
        }\n\
        export function count(env: string[], n: number) {\n\
          let t = 0;\n\
          for (let i = 0; i < n; i++) { t += env.length.valueOf(); }\n\
          return t;\n\
        }\n";
    assert_eq!(found(not_env), Vec::<u32>::new());
}

/// Drizzle aliases are asked by binding: `const d = db` and a transaction's
/// `tx` are the database; a local of the alias's name elsewhere is not.
#[test]
fn drizzle_aliases_are_asked_by_binding() {
    let rules = ["drizzle-query-in-loop"];
    let lines = |source: &str| finding_lines(&rules, source);
    let aliased = "import { drizzle } from 'drizzle-orm/d1';\n\
        import { users } from './schema';\n\
        export default { async fetch(req, env) {\n\
          const database = drizzle(env.DB);\n\
          const store = database;\n\
          for (const id of ids) { await store.select().from(users); }\n\
          return new Response('ok');\n\
        } };\n\
        export function other(ids) {\n\
          const store = [];\n\
          for (const id of ids) { store.select(id); }\n\
        }\n";
    assert_eq!(lines(aliased), vec![6]);
}

/// A call of a module-scope async function that does I/O is a round trip;
/// a local function of the same name is not.
#[test]
fn async_functions_are_asked_by_binding() {
    let rules = ["await-in-loop"];
    let lines = |source: &str| finding_lines(&rules, source);
    let module = "const load = async (id) => fetch(id);\n\
        export async function run(ids) {\n\
          for (const id of ids) { await load(id); }\n\
        }\n";
    let shadowed = "const load = async (id) => fetch(id);\n\
        export async function run(ids) {\n\
          const load = (id) => id;\n\
          for (const id of ids) { await load(id); }\n\
        }\n";
    assert_eq!(lines(module), vec![3]);
    assert_eq!(lines(shadowed), Vec::<u32>::new());
}

/// The lines of the findings of `rules` in one file.
fn finding_lines(rules: &[&str], source: &str) -> Vec<u32> {
    super::test_util::lint_rules(rules, source)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}
