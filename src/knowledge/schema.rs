//! The schema model: tables, columns, keys and indexes, read from Drizzle
//! table definitions (`sqliteTable`, `pgTable`, `mysqlTable`) during the walk
//! and from SQL schema/migration files (see `sql.rs`), then merged by SQL
//! table name.

use crate::model::collections::HashSet;

use swc_core::ecma::ast::*;

use super::drizzle::{self, chain, member_prop, object_prop, prop_key, str_value};
use super::query::{table_ref, Relation, Relations};
use crate::syntax::ast::unwrap_expr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Unknown,
    Sqlite,
    Postgres,
    Mysql,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    /// The JS property in the Drizzle schema (empty for SQL-only tables).
    pub key: String,
    /// The SQL column name.
    pub name: String,
    /// `text`, `integer`, `jsonb`…: the Drizzle builder or the SQL type.
    pub sql_type: String,
    /// Can hold large values: text without a length, json/jsonb, blob/bytea.
    pub large: bool,
    pub primary: bool,
    pub unique: bool,
    pub references: bool,
    /// The declared length of a string column (`varchar(2)`, `{ length: 2 }`).
    pub max_chars: Option<u32>,
    /// Its values are a declared list (`text({ enum: [...] })`, a pgEnum).
    pub enumerated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IndexPart {
    Column(String),
    /// An expression index part (`lower(email)`) and the columns it reads.
    Expr {
        text: String,
        columns: Vec<String>,
    },
}

#[derive(Default, Debug, Clone, PartialEq)]
pub struct Index {
    pub name: Option<String>,
    pub parts: Vec<IndexPart>,
    pub unique: bool,
}

/// How the Drizzle table's extra-config callback is written, so that the
/// suggested `index(...)` line fits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigStyle {
    /// No third argument.
    #[default]
    None,
    /// `(t) => [ ... ]`
    Array,
    /// `(t) => ({ ... })`
    Object,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// SQL table name.
    pub name: String,
    /// The JS variable the Drizzle table is bound to (empty for SQL-only).
    pub var: String,
    pub dialect: Dialect,
    pub columns: Vec<Column>,
    /// A composite primary key (`primaryKey({ columns })`, `PRIMARY KEY (a, b)`).
    pub primary_key: Vec<String>,
    pub indexes: Vec<Index>,
    pub config: ConfigStyle,
    /// The extra-config callback's parameter (`t`).
    pub config_param: String,
    /// Where it is declared: the schema file (or SQL file) and line.
    pub file: String,
    pub line: u32,
}

/// Whether an index can serve a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Yes,
    No,
}

/// Last words of a column name that say it holds a document rather than a
/// short string: `content`, `body`, `post_html`, `featureDescription` (not
/// `content_type`, `message_id`).
const BODY_WORDS: &[&str] = &[
    "content",
    "body",
    "html",
    "markdown",
    "description",
    "notes",
    "payload",
    "text",
    "bio",
    "transcript",
    "comment",
    "message",
];

impl Column {
    /// Holds a boolean: `boolean(...)` (Postgres, MySQL), SQLite's
    /// `integer(..., { mode: 'boolean' })`, a SQL `BOOLEAN`/`BOOL` column.
    pub fn is_boolean(&self) -> bool {
        let ty = self.sql_type.to_ascii_lowercase();
        matches!(ty.split(['(', ' ']).next(), Some("boolean" | "bool"))
    }

    /// Plausibly holds values large enough to matter on every row: json,
    /// jsonb, blob, bytea and the long text types always; a plain unbounded
    /// `text` only when its name says it holds a document (see
    /// [`BODY_WORDS`]). SQLite stores every string as `text`, so the type
    /// alone says nothing about size: ids, names, URLs and timestamps are
    /// `text` too.
    pub fn plausibly_large(&self) -> bool {
        if !self.large {
            return false;
        }
        let ty = self.sql_type.to_ascii_lowercase();
        let base = ty.split(['(', ' ']).next().unwrap_or("");
        let plain_text = base == "text" || (base.contains("text") && !base.contains("long"));
        if !plain_text {
            return true;
        }
        let name = if self.key.is_empty() {
            &self.name
        } else {
            &self.key
        };
        // The last word names what it is: `content_type` is a type.
        snake_case(name)
            .rsplit('_')
            .next()
            .is_some_and(|w| BODY_WORDS.contains(&w))
    }
}

/// Sets that stay small whatever the traffic: a table of one of them (its
/// name's last word, singular or plural) that refers to no other table is
/// reference data, edited by hand.
const BOUNDED_DOMAINS: &[&str] = &[
    "category",
    "country",
    "currency",
    "language",
    "locale",
    "region",
    "role",
    "permission",
    "plan",
    "tier",
    "timezone",
    "unit",
    // An issue tracker's statuses, priorities and types (allenlabs'
    // `issue_statuses`, `issue_priorities`): lists the app's admin edits;
    // only with no column naming another row ([`NAMED_BY_THEIR_ROWS`]).
    "status",
    "priority",
    "type",
    "kind",
];

/// Words of [`BOUNDED_DOMAINS`] that also name what rows of another table
/// have (an activity's kinds, `activity_kind.activity_id`): a table of
/// them is reference data only when no column refers to another row by
/// its name (`…_id`), declared a foreign key or not.
const NAMED_BY_THEIR_ROWS: &[&str] = &["status", "priority", "type", "kind"];

/// A column of few distinct values by its declaration (a declared list, a
/// boolean) or its name (`locale`, `lang`, `year`, `month`, `role_id`,
/// `type`, `status`, a [`BOUNDED_DOMAINS`] word).
pub fn few_values(column: &Column) -> bool {
    if column.enumerated || column.is_boolean() {
        return true;
    }
    let snake = snake_case(&column.name).to_ascii_lowercase();
    let word = snake.strip_suffix("_id").unwrap_or(&snake);
    let last = word.rsplit('_').next().unwrap_or(word);
    const FEW: &[&str] = &[
        "lang", "locale", "year", "month", "weekday", "type", "kind", "status", "state",
        "provider", "gateway",
    ];
    FEW.contains(&last) || BOUNDED_DOMAINS.contains(&last)
}

/// Tables of the application's settings (`settings`, `app_config`): a row
/// per setting, when no column names an owner.
const APP_SETTINGS: &[&str] = &["setting", "config", "configuration", "option"];

/// A column name that says whose the row is: `user_id`, `userId`,
/// `owner_id`, `org_id`, `tenant`, `account_email`.
fn names_an_owner(name: &str) -> bool {
    const OWNERS: &[&str] = &[
        "user",
        "account",
        "org",
        "organization",
        "owner",
        "tenant",
        "team",
        "member",
        "customer",
        "client",
        "project",
        "workspace",
        "company",
        "profile",
        "session",
        "device",
    ];
    let snake = snake_case(name).to_ascii_lowercase();
    snake.split('_').any(|word| {
        OWNERS.contains(&word) || OWNERS.iter().any(|o| word.strip_suffix('s') == Some(o))
    })
}

/// Tables of what an owner has a few of by nature (its table's last word,
/// singular or plural): a user's team memberships, roles, passkeys,
/// credentials, API keys, invitations, linked identities and providers,
/// preferences.
const FEW_PER_OWNER: &[&str] = &[
    "membership",
    "member",
    "role",
    "passkey",
    "credential",
    "authenticator",
    "key",
    "invitation",
    "invite",
    "identity",
    "provider",
    "preference",
];

/// Tables of what any one row of another table has a few of by nature,
/// read for that row: the weekly schedules, shifts or opening hours of one
/// employee or shop, the variants of one product or service (citame's
/// `employee_schedules WHERE employee_id = ?`). The parent may be any
/// table, so any column referring to a row of another counts (`…_id`).
const FEW_PER_PARENT: &[&str] = &["schedule", "shift", "hour", "variant"];

/// A column that refers to a row of another table by its name: `shop_id`,
/// `serviceId` (not the table's own `id`).
fn names_a_parent(name: &str) -> bool {
    let snake = snake_case(name).to_ascii_lowercase();
    snake.len() > 3 && snake.ends_with("_id")
}

/// A table name's word in the singular (`categories` → `category`, `roles` → `role`).
fn singular(word: &str) -> String {
    // `statuses`, `addresses`, `boxes`: `-es` after a sibilant (not
    // `responses`, `courses`: their `e` is the word's own).
    let sibilant_es = ["tuses", "sses", "xes", "ches", "shes"]
        .iter()
        .any(|end| word.ends_with(end));
    word.strip_suffix("ies")
        .map(|stem| format!("{stem}y"))
        .or_else(|| sibilant_es.then(|| word[..word.len() - 2].to_string()))
        .or_else(|| word.strip_suffix('s').map(str::to_string))
        .unwrap_or_else(|| word.to_string())
}

impl Table {
    /// A table of what an owner has a few of ([`FEW_PER_OWNER`]), read for
    /// one owner: `eq` (the columns bound by equality) holds a column that
    /// names an owner (`user_id`, `team_id`); or of what any row has a few
    /// of ([`FEW_PER_PARENT`]), read for one row it refers to.
    pub fn few_per_owner(&self, eq: &[String]) -> bool {
        let name = snake_case(&self.name).to_ascii_lowercase();
        // Its words from the last, `table` left out (`team_membership_table`).
        let mut words = name
            .rsplit(['_', '-', ' '])
            .filter(|w| !w.is_empty() && *w != "table");
        let Some(last) = words.next() else {
            return false;
        };
        let singular = singular(last);
        // Keys: an owner's API, SSH or access keys (not idempotency keys).
        let kind_ok = singular != "key"
            || words
                .next()
                .is_some_and(|w| matches!(w, "api" | "ssh" | "access" | "signing" | "public"));
        (FEW_PER_OWNER.contains(&singular.as_str())
            && kind_ok
            && eq.iter().any(|c| names_an_owner(c)))
            || (FEW_PER_PARENT.contains(&singular.as_str()) && eq.iter().any(|c| names_a_parent(c)))
    }

    /// Why the table cannot grow with traffic, when its declaration says
    /// so: a primary key of at most 3 characters or from a declared list
    /// (`varchar(2)` country codes, `text({ enum })`), or a table of a
    /// [`BOUNDED_DOMAINS`] set that refers to no other table (a join table
    /// such as `user_roles` refers to users, and grows with them).
    pub fn bounded_by_design(&self) -> Option<String> {
        let key: Vec<&Column> = if self.primary_key.is_empty() {
            self.columns.iter().filter(|c| c.primary).collect()
        } else {
            self.primary_key
                .iter()
                .filter_map(|k| self.column(k))
                .collect()
        };
        if let [only] = key.as_slice() {
            if only.enumerated {
                return Some(format!(
                    "its primary key {} takes values from a declared list",
                    only.name
                ));
            }
            if let Some(n) = only.max_chars.filter(|&n| n <= 3) {
                return Some(format!(
                    "its primary key {} is at most {n} characters",
                    only.name
                ));
            }
        }
        if self.columns.iter().any(|c| c.references) {
            return None;
        }
        let name = snake_case(&self.name).to_ascii_lowercase();
        let last = name.rsplit(['_', '-', ' ']).find(|w| !w.is_empty())?;
        let singular = singular(last);
        let refers_by_name = || {
            self.columns
                .iter()
                .any(|c| !c.primary && names_a_parent(&c.name))
        };
        if let Some(d) = BOUNDED_DOMAINS
            .iter()
            .find(|d| **d == singular || **d == last)
            .filter(|d| !NAMED_BY_THEIR_ROWS.contains(d) || !refers_by_name())
        {
            return Some(format!(
                "{} is reference data (a table of each {d}, referring to no other table)",
                self.name
            ));
        }
        // The application's own settings: a row per setting, not per user
        // or record (no column names an owner: `user_id`, `orgId`; a
        // `setting_id` is the setting's own key).
        let owned = self.columns.iter().any(|c| {
            let in_key = c.primary
                || (self.primary_key.iter())
                    .any(|k| self.column(k).is_some_and(|p| p.name == c.name));
            !in_key && names_an_owner(&c.name)
        });
        (APP_SETTINGS.contains(&singular.as_str()) && !owned).then(|| {
            format!(
                "{} holds the application's settings (a row per setting, referring to no other table or owner)",
                self.name
            )
        })
    }

    /// A column by JS key or SQL name.
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.key == key)
            .or_else(|| self.columns.iter().find(|c| c.name == key))
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(key))
            })
    }

    /// The SQL name of a column given by JS key or SQL name.
    pub fn sql_name(&self, key: &str) -> String {
        self.column(key)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| key.to_string())
    }

    /// The JS key of a column given by SQL name (the name itself for SQL-only
    /// tables).
    pub fn js_key(&self, sql: &str) -> String {
        match self.column(sql) {
            Some(c) if !c.key.is_empty() => c.key.clone(),
            _ => sql.to_string(),
        }
    }

    /// The key sequences an index lookup can use: the primary key, unique
    /// columns and every index, each as its parts in order.
    fn access_paths(&self) -> Vec<Vec<IndexPart>> {
        let mut paths = Vec::new();
        for c in &self.columns {
            if c.primary || c.unique {
                paths.push(vec![IndexPart::Column(c.name.clone())]);
            }
        }
        if !self.primary_key.is_empty() {
            paths.push(
                self.primary_key
                    .iter()
                    .map(|c| IndexPart::Column(c.clone()))
                    .collect(),
            );
        }
        for i in &self.indexes {
            paths.push(i.parts.clone());
        }
        paths
    }

    /// A single row per value: a one-column primary key, a unique column or a
    /// unique one-column index. `cols` are SQL names bound by equality; the
    /// composite primary key counts when all its columns are bound.
    pub fn pins_one_row(&self, eq: &HashSet<String>) -> bool {
        let unique_single = self
            .columns
            .iter()
            .any(|c| (c.primary || c.unique) && eq.iter().any(|e| same_name(e, &c.name)));
        let composite = |cols: &[String]| {
            !cols.is_empty() && cols.iter().all(|c| eq.iter().any(|e| same_name(e, c)))
        };
        let unique_index = self.indexes.iter().any(|i| {
            i.unique
                && i.parts.iter().all(|p| match p {
                    IndexPart::Column(c) => eq.iter().any(|e| same_name(e, c)),
                    IndexPart::Expr { .. } => false,
                })
        });
        unique_single || composite(&self.primary_key) || unique_index
    }

    /// The column a query that binds `eq` leaves free in a unique key (the
    /// primary key, a unique index) of which it binds every other column,
    /// when that column holds few values by its declaration or its name: a
    /// declared list, a boolean, or a locale, a language, a year, a month, a
    /// role, a type, a status… (`unique(slug, locale)` with `eq(slug, s)`:
    /// one row per locale).
    pub fn few_rows_left(&self, eq: &HashSet<String>) -> Option<&Column> {
        let bound = |c: &String| eq.iter().any(|e| same_name(e, c));
        let mut keys: Vec<Vec<&String>> = Vec::new();
        if !self.primary_key.is_empty() {
            keys.push(self.primary_key.iter().collect());
        }
        for index in self.indexes.iter().filter(|i| i.unique) {
            let columns: Option<Vec<&String>> = (index.parts.iter())
                .map(|p| match p {
                    IndexPart::Column(c) => Some(c),
                    IndexPart::Expr { .. } => None,
                })
                .collect();
            keys.extend(columns);
        }
        keys.into_iter().find_map(|key| {
            let free: Vec<&&String> = key.iter().filter(|c| !bound(c)).collect();
            let [free] = free.as_slice() else {
                return None;
            };
            let column = self.column(free)?;
            few_values(column).then_some(column)
        })
    }

    /// Can an index serve a plain comparison or ordering on `column` (SQL
    /// name), given the columns the query binds by equality? A composite
    /// index serves a column when every column before it is bound.
    pub fn serves(&self, column: &str, eq: &HashSet<String>) -> Served {
        for path in self.access_paths() {
            for part in &path {
                match part {
                    IndexPart::Column(c) if same_name(c, column) => return Served::Yes,
                    IndexPart::Column(c) if eq.iter().any(|e| same_name(e, c)) => continue,
                    _ => break,
                }
            }
        }
        Served::No
    }

    /// An expression index whose leading part reads `column`.
    pub fn expression_index_on(&self, column: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| {
            matches!(i.parts.first(), Some(IndexPart::Expr { columns, .. })
                if columns.iter().any(|c| same_name(c, column)))
        })
    }

    /// Merges what a SQL file says about the same table.
    pub(crate) fn merge_sql(&mut self, sql: &Table) {
        for sc in &sql.columns {
            // drizzle's `casing: 'snake_case'` maps `userId` to `user_id`.
            let found = self.columns.iter_mut().find(|c| {
                same_name(&c.name, &sc.name)
                    || (c.name == c.key && same_name(&snake_case(&c.key), &sc.name))
            });
            if let Some(c) = found {
                if c.name != sc.name {
                    let old = std::mem::replace(&mut c.name, sc.name.clone());
                    rename_in_keys(&mut self.primary_key, &mut self.indexes, &old, &sc.name);
                    return self.merge_sql(sql);
                }
                c.primary |= sc.primary;
                c.unique |= sc.unique;
                c.references |= sc.references;
                c.enumerated |= sc.enumerated;
                c.max_chars = c.max_chars.or(sc.max_chars);
            } else {
                self.columns.push(sc.clone());
            }
        }
        if self.primary_key.is_empty() {
            self.primary_key = sql.primary_key.clone();
        }
        for i in &sql.indexes {
            if !self.indexes.contains(i) {
                self.indexes.push(i.clone());
            }
        }
    }
}

fn rename_in_keys(pk: &mut [String], indexes: &mut [Index], old: &str, new: &str) {
    for c in pk.iter_mut().filter(|c| *c == old) {
        *c = new.to_string();
    }
    for i in indexes.iter_mut() {
        for p in i.parts.iter_mut() {
            match p {
                IndexPart::Column(c) if c == old => *c = new.to_string(),
                IndexPart::Expr { columns, .. } => {
                    for c in columns.iter_mut().filter(|c| *c == old) {
                        *c = new.to_string();
                    }
                }
                _ => {}
            }
        }
    }
}

/// SQL identifiers compare case-insensitively.
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `someName` → `some_name` (drizzle's `casing: 'snake_case'`).
pub fn snake_case(key: &str) -> String {
    let mut out = String::new();
    for (i, ch) in key.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

// ----- Drizzle table definitions -----

/// The table-defining functions and their dialects.
pub fn table_fn_dialect(name: &str) -> Option<Dialect> {
    match name {
        "sqliteTable" | "sqliteTableCreator" => Some(Dialect::Sqlite),
        "pgTable" | "pgTableCreator" => Some(Dialect::Postgres),
        "mysqlTable" | "mysqlTableCreator" => Some(Dialect::Mysql),
        _ => None,
    }
}

/// Reads `sqliteTable('orders', { ... }, (t) => [ ... ])` (and pgTable,
/// mysqlTable, `schema.table(...)` of `pgSchema`). `var` is the variable it
/// is bound to.
pub fn read_drizzle_table(var: &str, call: &CallExpr, dialect: Dialect) -> Option<Table> {
    let name = str_value(&call.args.first()?.expr)?;
    let Expr::Object(cols) = unwrap_expr(&call.args.get(1)?.expr) else {
        return None;
    };
    let mut table = Table {
        name,
        var: var.to_string(),
        dialect,
        ..Table::default()
    };
    for prop in &cols.props {
        let PropOrSpread::Prop(p) = prop else {
            continue;
        };
        let (key, value) = match &**p {
            Prop::KeyValue(kv) => match prop_key(&kv.key) {
                Some(key) => (key, Some(&*kv.value)),
                None => continue,
            },
            // `{ id, … }`: a column built elsewhere (a shared `id` column).
            Prop::Shorthand(id) => (id.sym.to_string(), None),
            _ => continue,
        };
        match value.and_then(|v| read_column(&key, v, dialect)) {
            Some(col) => table.columns.push(col),
            // A column declared in another module (`id`, or `id:
            // columns.id`): by convention, the row's id, its primary key
            // (jwa's shared `text('id').primaryKey()`). Others are not
            // guessed.
            None if key == "id"
                && value
                    .is_none_or(|v| matches!(unwrap_expr(v), Expr::Ident(_) | Expr::Member(_))) =>
            {
                table.columns.push(Column {
                    key: key.clone(),
                    name: key,
                    primary: true,
                    ..Column::default()
                });
            }
            None => {}
        }
    }
    if let Some(config) = call.args.get(2) {
        read_extra_config(&mut table, &config.expr);
    }
    Some(table)
}

/// Reads `relations(orders, ({ one, many }) => ({ user: one(users, { fields:
/// [orders.userId], references: [users.id] }), items: many(orderItems) }))`.
pub fn read_relations(call: &CallExpr) -> Option<Relations> {
    let table = table_ref(&call.args.first()?.expr)?;
    let body = match unwrap_expr(&call.args.get(1)?.expr) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::Expr(e) => unwrap_expr(e),
            ArrowFunctionBody::FunctionBody(b) => unwrap_expr(returned_expr(&b.stmts)?),
        },
        _ => return None,
    };
    let Expr::Object(o) = body else { return None };
    let mut relations = Vec::new();
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        let (Some(name), Expr::Call(c)) = (prop_key(&kv.key), unwrap_expr(&kv.value)) else {
            continue;
        };
        let Callee::Expr(callee) = &c.callee else {
            continue;
        };
        // `one(...)`, `many(...)`, or `helpers.one(...)`.
        let kind = match unwrap_expr(callee) {
            Expr::Ident(id) => id.sym.as_str().to_owned(),
            e => member_prop(e).map(|a| a.to_string()).unwrap_or_default(),
        };
        if kind != "one" && kind != "many" {
            continue;
        }
        let Some(target) = c.args.first().and_then(|a| table_ref(&a.expr)) else {
            continue;
        };
        let config = match c.args.get(1).map(|a| unwrap_expr(&a.expr)) {
            Some(Expr::Object(o)) => Some(o),
            _ => None,
        };
        let keys = |name: &str| -> Vec<String> {
            match config.and_then(|o| object_prop(o, name)).map(unwrap_expr) {
                Some(Expr::Array(a)) => a
                    .elems
                    .iter()
                    .flatten()
                    .filter_map(|e| member_prop(&e.expr).map(|p| p.to_string()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        relations.push(Relation {
            name,
            many: kind == "many",
            target,
            fields: keys("fields"),
            references: keys("references"),
            relation_name: config
                .and_then(|o| object_prop(o, "relationName"))
                .and_then(str_value),
        });
    }
    Some(Relations { table, relations })
}

/// One column: `text('user_id').notNull().references(() => users.id)`.
fn read_column(key: &str, value: &Expr, dialect: Dialect) -> Option<Column> {
    let Expr::Call(call) = unwrap_expr(value) else {
        return None;
    };
    // `text('user_id')` (or `t.text(...)`) is the innermost call; the
    // modifiers follow it.
    let (_, segments) = chain(call);
    let builder = segments.first()?;
    let ty = builder.name.to_string();
    let builder_args = builder.args;
    let segs = &segments[1..];
    let name = builder_args
        .first()
        .and_then(|a| str_value(&a.expr))
        .unwrap_or_else(|| key.to_string());
    let options = builder_args
        .iter()
        .find_map(|a| match unwrap_expr(&a.expr) {
            Expr::Object(o) => Some(o),
            _ => None,
        });
    let mode = options.and_then(|o| drizzle::object_prop(o, "mode").and_then(str_value));
    let json_mode = mode.as_deref() == Some("json");
    // `integer('done', { mode: 'boolean' })`: SQLite stores 0 and 1.
    let bool_mode = mode.as_deref() == Some("boolean");
    let max_chars = options.and_then(|o| match unwrap_expr(drizzle::object_prop(o, "length")?) {
        Expr::Lit(Lit::Num(n)) if n.value >= 0.0 && n.value <= u32::MAX as f64 => {
            Some(n.value as u32)
        }
        _ => None,
    });
    let enumerated = options.is_some_and(|o| drizzle::object_prop(o, "enum").is_some());
    let bounded =
        enumerated || options.is_some_and(|o| drizzle::object_prop(o, "length").is_some());
    let mut col = Column {
        key: key.to_string(),
        name,
        large: is_large_type(&ty, dialect) && !bounded || json_mode,
        sql_type: if json_mode {
            "json".into()
        } else if bool_mode {
            "boolean".into()
        } else {
            ty
        },
        max_chars,
        enumerated,
        ..Column::default()
    };
    for s in segs {
        match s.name.as_ref() {
            "primaryKey" => col.primary = true,
            "unique" => col.unique = true,
            "references" => col.references = true,
            _ => {}
        }
    }
    Some(col)
}

/// Types whose values can be large.
pub fn is_large_type(ty: &str, dialect: Dialect) -> bool {
    let ty = ty.to_ascii_lowercase();
    let base = ty.split(['(', ' ']).next().unwrap_or("");
    match base {
        "json" | "jsonb" | "blob" | "bytea" | "longtext" | "mediumtext" | "longblob"
        | "mediumblob" => true,
        // A sized text is bounded; plain text is not.
        "text" => !ty.contains('('),
        "varchar" | "char" | "character" => false,
        _ => dialect == Dialect::Unknown && base.contains("text"),
    }
}

/// `(t) => [index('x').on(t.a), ...]` / `(t) => ({ x: index('x').on(t.a) })`
/// / a function body returning either.
fn read_extra_config(table: &mut Table, expr: &Expr) {
    let (param, body) = match unwrap_expr(expr) {
        Expr::Arrow(a) => {
            let param = a.params.first().and_then(|p| match p {
                Pat::Ident(i) => Some(i.id.sym.as_str().to_owned()),
                _ => None,
            });
            let body = match &*a.body {
                ArrowFunctionBody::Expr(e) => Some(&**e),
                ArrowFunctionBody::FunctionBody(b) => returned_expr(&b.stmts),
            };
            (param, body)
        }
        Expr::Fn(f) => {
            let param = f.function.params.first().and_then(|p| match &p.pat {
                Pat::Ident(i) => Some(i.id.sym.as_str().to_owned()),
                _ => None,
            });
            let body = f
                .function
                .body
                .as_ref()
                .and_then(|b| returned_expr(&b.stmts));
            (param, body)
        }
        _ => return,
    };
    table.config_param = param.unwrap_or_else(|| "t".into());
    let Some(body) = body else { return };
    let items: Vec<&Expr> = match unwrap_expr(body) {
        Expr::Array(a) => {
            table.config = ConfigStyle::Array;
            a.elems.iter().flatten().map(|e| &*e.expr).collect()
        }
        Expr::Object(o) => {
            table.config = ConfigStyle::Object;
            o.props
                .iter()
                .filter_map(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => Some(&*kv.value),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        }
        _ => return,
    };
    for item in items {
        read_constraint(table, item);
    }
}

fn returned_expr(stmts: &[Stmt]) -> Option<&Expr> {
    stmts.iter().find_map(|s| match s {
        Stmt::Return(r) => r.arg.as_deref(),
        _ => None,
    })
}

/// `index('n').on(t.a, t.b)`, `uniqueIndex('n').on(...)`, `unique().on(...)`,
/// `primaryKey({ columns: [t.a, t.b] })`, `primaryKey(t.a, t.b)`.
fn read_constraint(table: &mut Table, item: &Expr) {
    let Expr::Call(call) = unwrap_expr(item) else {
        return;
    };
    let (root, segments) = chain(call);
    let Some(first) = segments.first() else {
        return;
    };
    if root.is_some() {
        return;
    }
    let kind = first.name.as_ref();
    let name = first.args.first().and_then(|a| str_value(&a.expr));
    match kind {
        "index" | "uniqueIndex" | "unique" => {
            let on = segments
                .iter()
                .find(|s| s.name == "on" || s.name == "using");
            let Some(on) = on else { return };
            let args = if on.name == "using" {
                on.args.get(1..).unwrap_or(&[])
            } else {
                on.args
            };
            let parts: Vec<IndexPart> = args
                .iter()
                .filter_map(|a| index_part(table, &a.expr))
                .collect();
            if !parts.is_empty() {
                table.indexes.push(Index {
                    name,
                    parts,
                    unique: kind != "index",
                });
            }
        }
        "primaryKey" => {
            let mut cols = Vec::new();
            for a in first.args {
                match unwrap_expr(&a.expr) {
                    Expr::Object(o) => {
                        if let Some(Expr::Array(arr)) =
                            drizzle::object_prop(o, "columns").map(unwrap_expr)
                        {
                            for e in arr.elems.iter().flatten() {
                                if let Some(c) = column_of(table, &e.expr) {
                                    cols.push(c);
                                }
                            }
                        }
                    }
                    e => {
                        if let Some(c) = column_of(table, e) {
                            cols.push(c);
                        }
                    }
                }
            }
            if cols.len() == 1 {
                if let Some(c) = table.columns.iter_mut().find(|c| c.name == cols[0]) {
                    c.primary = true;
                }
            } else if !cols.is_empty() {
                table.primary_key = cols;
            }
        }
        _ => {}
    }
}

/// `t.email` → the column's SQL name.
fn column_of(table: &Table, expr: &Expr) -> Option<String> {
    let Expr::Member(m) = unwrap_expr(expr) else {
        return None;
    };
    let MemberProp::Ident(p) = &m.prop else {
        return None;
    };
    table.column(&p.sym).map(|c| c.name.clone())
}

/// One part of `.on(...)`: a column (`t.email`, `t.email.desc()`) or an
/// expression (`sql\`lower(${t.email})\``).
fn index_part(table: &Table, expr: &Expr) -> Option<IndexPart> {
    let expr = unwrap_expr(expr);
    if let Some(c) = column_of(table, expr) {
        return Some(IndexPart::Column(c));
    }
    match expr {
        // t.email.desc() / .asc() / .nullsFirst()
        Expr::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return None;
            };
            let Expr::Member(m) = unwrap_expr(callee) else {
                return None;
            };
            column_of(table, &m.obj).map(IndexPart::Column)
        }
        Expr::TaggedTpl(t) => {
            let mut text = String::new();
            let mut columns = Vec::new();
            for (i, q) in t.tpl.quasis.iter().enumerate() {
                text.push_str(&q.raw);
                if let Some(e) = t.tpl.exprs.get(i) {
                    match column_of(table, e) {
                        Some(c) => {
                            text.push_str(&c);
                            columns.push(c);
                        }
                        None => text.push('?'),
                    }
                }
            }
            Some(IndexPart::Expr {
                text: text.trim().to_string(),
                columns,
            })
        }
        _ => None,
    }
}

use crate::model::wire::{wire_enum, wire_struct, Visit, Wire};
wire_enum!(Dialect { 0 => Unknown, 1 => Sqlite, 2 => Postgres, 3 => Mysql });
wire_struct!(Column {
    key,
    name,
    sql_type,
    large,
    primary,
    unique,
    references,
    max_chars,
    enumerated,
});
impl Wire for IndexPart {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut tag = u8::from(matches!(self, IndexPart::Expr { .. }));
        v.tag(&mut tag, 2);
        if v.reading() {
            *self = match tag {
                0 => IndexPart::Column(String::new()),
                _ => IndexPart::Expr {
                    text: String::new(),
                    columns: Vec::new(),
                },
            };
        }
        match self {
            IndexPart::Column(name) => name.wire(v),
            IndexPart::Expr { text, columns } => {
                text.wire(v);
                columns.wire(v);
            }
        }
    }
}
impl Default for IndexPart {
    fn default() -> Self {
        IndexPart::Column(String::new())
    }
}
wire_struct!(Index {
    name,
    parts,
    unique
});
wire_enum!(ConfigStyle { 0 => None, 1 => Array, 2 => Object });
wire_struct!(Table {
    name,
    var,
    dialect,
    columns,
    primary_key,
    indexes,
    config,
    config_param,
    file,
    line,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cols: &[(&str, bool, bool)], indexes: &[&[&str]]) -> Table {
        Table {
            name: "t".into(),
            columns: cols
                .iter()
                .map(|(n, pk, uq)| Column {
                    key: n.to_string(),
                    name: n.to_string(),
                    primary: *pk,
                    unique: *uq,
                    ..Column::default()
                })
                .collect(),
            indexes: indexes
                .iter()
                .map(|cols| Index {
                    name: None,
                    parts: cols
                        .iter()
                        .map(|c| IndexPart::Column(c.to_string()))
                        .collect(),
                    unique: false,
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn composite_index_serves_its_prefix_only() {
        let t = table(
            &[
                ("id", true, false),
                ("a", false, false),
                ("b", false, false),
                ("e", false, true),
            ],
            &[&["a", "b"]],
        );
        let none = HashSet::default();
        let a: HashSet<String> = ["a".to_string()].into_iter().collect();
        assert_eq!(t.serves("id", &none), Served::Yes);
        assert_eq!(t.serves("e", &none), Served::Yes);
        assert_eq!(t.serves("a", &none), Served::Yes);
        assert_eq!(t.serves("b", &none), Served::No);
        assert_eq!(t.serves("b", &a), Served::Yes);
        assert!(t.pins_one_row(&["ID".to_string()].into_iter().collect()));
        assert!(!t.pins_one_row(&a));
    }

    #[test]
    fn plausibly_large_columns() {
        let col = |key: &str, ty: &str| Column {
            key: key.into(),
            name: snake_case(key),
            sql_type: ty.into(),
            large: true,
            ..Column::default()
        };
        for (key, ty) in [
            ("content", "text"),
            ("featureDescription", "text"),
            ("post_html", "TEXT"),
            ("meta", "json"),
            ("meta", "jsonb"),
            ("image", "blob"),
            ("avatar", "bytea"),
            ("name", "longtext"),
        ] {
            assert!(col(key, ty).plausibly_large(), "{key} {ty}");
        }
        for (key, ty) in [
            ("name", "text"),
            ("imageUrl", "text"),
            ("createdAt", "TEXT"),
            ("contentType", "text"),
            ("messageId", "text"),
            ("title", "varchar"),
        ] {
            let mut c = col(key, ty);
            c.large = ty != "varchar";
            assert!(!c.plausibly_large(), "{key} {ty}");
        }
    }

    #[test]
    fn boolean_columns() {
        let col = |ty: &str| Column {
            sql_type: ty.into(),
            ..Column::default()
        };
        for ty in ["boolean", "BOOLEAN", "bool", "boolean not null"] {
            assert!(col(ty).is_boolean(), "{ty}");
        }
        for ty in ["integer", "text", "booleans", ""] {
            assert!(!col(ty).is_boolean(), "{ty}");
        }
    }

    #[test]
    fn large_types() {
        assert!(is_large_type("text", Dialect::Sqlite));
        assert!(is_large_type("jsonb", Dialect::Postgres));
        assert!(!is_large_type("varchar(255)", Dialect::Postgres));
        assert!(!is_large_type("integer", Dialect::Sqlite));
        assert_eq!(snake_case("userId"), "user_id");
    }
}
