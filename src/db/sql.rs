//! SQL through sqlparser: schema and migration files (tables, keys, indexes,
//! in migration order) and the raw statements of D1 `prepare('…')` calls.

use sqlparser::ast::{
    self as sql, ColumnOption, Expr as SqlExpr, FunctionArg, FunctionArgExpr, FunctionArguments,
    SelectItem, SetExpr, Statement, TableConstraint, TableFactor,
};
use sqlparser::dialect::{Dialect as SqlDialect, GenericDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::query::{ColumnRef, Filter, Join, Op, QueryKind, TableRef};
use super::schema::{is_large_type, same_name, Column, Dialect, Index, IndexPart, Table};
use crate::lint::SourceFile;

/// drizzle-kit separates the statements of a migration with the comment
/// `--> statement-breakpoint`.
fn is_separator(t: &Token) -> bool {
    match t {
        Token::SemiColon => true,
        Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) => {
            comment.trim_start().starts_with("> statement-breakpoint")
        }
        _ => false,
    }
}

/// The statements the analysis reads. Each is parsed by sqlparser's own
/// parser for that statement; the dispatch is ours, so that the wasm build
/// carries only these parsers, not sqlparser's whole statement grammar.
#[derive(Debug)]
pub enum Sql {
    CreateTable(sql::CreateTable),
    CreateIndex(sql::CreateIndex),
    DropIndex(Vec<String>),
    DropTable(Vec<String>),
    /// `ALTER TABLE t RENAME TO u`
    RenameTable(String, String),
    /// `ALTER TABLE t ADD [COLUMN] …`
    AddColumn(String, sql::ColumnDef),
    /// `ALTER TABLE t ADD CONSTRAINT …`
    AddConstraint(String, TableConstraint),
    Query(Box<sql::Query>),
    Insert(String),
    Update(Statement),
    Delete(Statement),
}

/// Parses one statement with the dialects Workers databases speak, SQLite
/// (D1) first.
fn parse_tokens(tokens: &[Token]) -> Option<Sql> {
    let dialects: [&dyn SqlDialect; 3] =
        [&SQLiteDialect {}, &PostgreSqlDialect {}, &GenericDialect {}];
    dialects.iter().find_map(|d| {
        let mut p = Parser::new(*d).with_tokens(tokens.to_vec());
        let stmt = parse_one(&mut p)?;
        // The whole statement must have been read.
        let _ = p.consume_token(&Token::SemiColon);
        (p.peek_token_ref().token == Token::EOF).then_some(stmt)
    })
}

fn parse_one(p: &mut Parser<'_>) -> Option<Sql> {
    use sqlparser::keywords::Keyword as K;
    if p.parse_keyword(K::CREATE) {
        let unique = p.parse_keyword(K::UNIQUE);
        if p.parse_keyword(K::INDEX) {
            return p.parse_create_index(unique).ok().map(Sql::CreateIndex);
        }
        if unique {
            return None;
        }
        let temporary = p.parse_one_of_keywords(&[K::TEMP, K::TEMPORARY]).is_some();
        if !p.parse_keyword(K::TABLE) {
            return None;
        }
        return p
            .parse_create_table(false, temporary, false, None, false, false, None)
            .ok()
            .map(Sql::CreateTable);
    }
    if p.parse_keyword(K::DROP) {
        let kind = p.parse_one_of_keywords(&[K::INDEX, K::TABLE])?;
        let _ = p.parse_keywords(&[K::IF, K::EXISTS]);
        let names = p
            .parse_comma_separated(|p| p.parse_object_name(false))
            .ok()?
            .iter()
            .map(last_name)
            .collect();
        let _ = p.parse_one_of_keywords(&[K::CASCADE, K::RESTRICT]);
        return Some(if kind == K::INDEX {
            Sql::DropIndex(names)
        } else {
            Sql::DropTable(names)
        });
    }
    if p.parse_keywords(&[K::ALTER, K::TABLE]) {
        let _ = p.parse_keywords(&[K::IF, K::EXISTS]);
        let _ = p.parse_keyword(K::ONLY);
        let table = last_name(&p.parse_object_name(false).ok()?);
        if p.parse_keywords(&[K::RENAME, K::TO]) {
            let to = last_name(&p.parse_object_name(false).ok()?);
            return Some(Sql::RenameTable(table, to));
        }
        if p.parse_keyword(K::ADD) {
            if let Ok(Some(c)) = p.parse_optional_table_constraint() {
                return Some(Sql::AddConstraint(table, c));
            }
            let _ = p.parse_keyword(K::COLUMN);
            let _ = p.parse_keywords(&[K::IF, K::NOT, K::EXISTS]);
            return p.parse_column_def().ok().map(|c| Sql::AddColumn(table, c));
        }
        return None;
    }
    let first = p.peek_token();
    match &first.token {
        Token::Word(w) if w.keyword == K::SELECT || w.keyword == K::WITH => {
            p.parse_query().ok().map(Sql::Query)
        }
        Token::Word(w) if w.keyword == K::INSERT || w.keyword == K::REPLACE => {
            // INSERT [OR …] INTO t: only the table matters here.
            while !p.parse_keyword(K::INTO) {
                if p.next_token().token == Token::EOF {
                    return None;
                }
            }
            let table = last_name(&p.parse_object_name(false).ok()?);
            // The rest (values, upsert clauses) is not needed.
            while p.next_token().token != Token::EOF {}
            Some(Sql::Insert(table))
        }
        Token::Word(w) if w.keyword == K::UPDATE => {
            let t = p.next_token();
            p.parse_update(t).ok().map(Sql::Update)
        }
        Token::Word(w) if w.keyword == K::DELETE => {
            let t = p.next_token();
            p.parse_delete(t).ok().map(Sql::Delete)
        }
        _ => None,
    }
}

/// The statements of a file, split at top-level semicolons by sqlparser's
/// tokenizer. A statement the analysis does not read (a trigger, a pragma)
/// or cannot parse is skipped without losing the others.
pub fn statements(text: &str) -> Vec<Sql> {
    let Ok(tokens) = Tokenizer::new(&SQLiteDialect {}, text).tokenize() else {
        return Vec::new();
    };
    tokens
        .split(is_separator)
        .filter(|piece| !piece.iter().all(|t| matches!(t, Token::Whitespace(_))))
        .filter_map(parse_tokens)
        .collect()
}

fn last_name(name: &sql::ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// Tables, keys and indexes declared by schema and migration files, applied
/// in file-name order (migrations are numbered).
pub fn read_schema_files(files: &[SourceFile]) -> Vec<Table> {
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut tables: Vec<Table> = Vec::new();
    for file in sorted {
        for stmt in statements(&file.source) {
            apply(&mut tables, &stmt, &file.path);
        }
    }
    tables
}

fn table_mut<'a>(tables: &'a mut Vec<Table>, name: &str, file: &str) -> &'a mut Table {
    if let Some(i) = tables.iter().position(|t| same_name(&t.name, name)) {
        return &mut tables[i];
    }
    tables.push(Table {
        name: name.to_string(),
        file: file.to_string(),
        ..Table::default()
    });
    tables.last_mut().expect("just pushed")
}

fn apply(tables: &mut Vec<Table>, stmt: &Sql, file: &str) {
    match stmt {
        Sql::CreateTable(ct) => {
            let name = last_name(&ct.name);
            // A re-created table (SQLite's copy-and-rename migrations) starts over.
            tables.retain(|t| !same_name(&t.name, &name));
            let table = table_mut(tables, &name, file);
            for c in &ct.columns {
                add_column(table, c);
            }
            for constraint in &ct.constraints {
                add_constraint(table, constraint);
            }
        }
        Sql::CreateIndex(ci) => {
            let parts: Vec<IndexPart> = ci
                .columns
                .iter()
                .map(|c| index_part(&c.column.expr))
                .collect();
            let table = table_mut(tables, &last_name(&ci.table_name), file);
            table.indexes.push(Index {
                name: ci.name.as_ref().map(last_name),
                parts,
                unique: ci.unique,
            });
        }
        Sql::AddColumn(t, c) => add_column(table_mut(tables, t, file), c),
        Sql::AddConstraint(t, c) => add_constraint(table_mut(tables, t, file), c),
        Sql::RenameTable(from, to) => {
            tables.retain(|t| !same_name(&t.name, to));
            if let Some(t) = tables.iter_mut().find(|t| same_name(&t.name, from)) {
                t.name = to.clone();
            }
        }
        Sql::DropIndex(names) => {
            for t in tables.iter_mut() {
                t.indexes.retain(|i| {
                    !i.name
                        .as_deref()
                        .is_some_and(|x| names.iter().any(|n| same_name(x, n)))
                });
            }
        }
        Sql::DropTable(names) => tables.retain(|t| !names.iter().any(|n| same_name(&t.name, n))),
        _ => {}
    }
}

/// The type's name, without sqlparser's `Display` (which would pull the
/// printer of the whole SQL AST into the wasm).
fn type_name(t: &sql::DataType) -> String {
    use sql::DataType as T;
    match t {
        T::Text
        | T::String(_)
        | T::Clob(_)
        | T::CharacterLargeObject(_)
        | T::CharLargeObject(_) => "text".into(),
        T::TinyText => "tinytext".into(),
        T::MediumText => "mediumtext".into(),
        T::LongText => "longtext".into(),
        T::JSON => "json".into(),
        T::JSONB => "jsonb".into(),
        T::Bytea => "bytea".into(),
        T::Blob(_) | T::TinyBlob | T::Bytes(_) | T::Binary(_) | T::Varbinary(_) => "blob".into(),
        T::MediumBlob => "mediumblob".into(),
        T::LongBlob => "longblob".into(),
        T::Varchar(_) | T::Nvarchar(_) | T::CharacterVarying(_) | T::CharVarying(_) => {
            "varchar".into()
        }
        T::Char(_) | T::Character(_) => "char".into(),
        T::Custom(name, _) => last_name(name).to_ascii_lowercase(),
        _ => "other".into(),
    }
}

fn add_column(table: &mut Table, c: &sql::ColumnDef) {
    let ty = type_name(&c.data_type);
    let mut col = Column {
        name: c.name.value.clone(),
        large: is_large_type(&ty, Dialect::Unknown),
        sql_type: ty,
        ..Column::default()
    };
    for o in &c.options {
        match &o.option {
            ColumnOption::PrimaryKey(_) => col.primary = true,
            ColumnOption::Unique(_) => col.unique = true,
            ColumnOption::ForeignKey(_) => col.references = true,
            _ => {}
        }
    }
    table.columns.retain(|x| !same_name(&x.name, &col.name));
    table.columns.push(col);
}

fn add_constraint(table: &mut Table, constraint: &TableConstraint) {
    let (cols, unique, primary) = match constraint {
        TableConstraint::PrimaryKey(pk) => (&pk.columns, true, true),
        TableConstraint::Unique(u) => (&u.columns, true, false),
        TableConstraint::ForeignKey(fk) => {
            for c in &fk.columns {
                if let Some(col) = table
                    .columns
                    .iter_mut()
                    .find(|x| same_name(&x.name, &c.value))
                {
                    col.references = true;
                }
            }
            return;
        }
        _ => return,
    };
    let parts: Vec<IndexPart> = cols.iter().map(|c| index_part(&c.column.expr)).collect();
    if let [IndexPart::Column(only)] = parts.as_slice() {
        if let Some(col) = table.columns.iter_mut().find(|x| same_name(&x.name, only)) {
            if primary {
                col.primary = true;
            } else {
                col.unique = true;
            }
            return;
        }
    }
    if primary {
        table.primary_key = parts
            .iter()
            .filter_map(|p| match p {
                IndexPart::Column(c) => Some(c.clone()),
                IndexPart::Expr { .. } => None,
            })
            .collect();
    } else {
        table.indexes.push(Index {
            name: None,
            parts,
            unique,
        });
    }
}

fn index_part(expr: &SqlExpr) -> IndexPart {
    match expr {
        SqlExpr::Identifier(i) => IndexPart::Column(i.value.clone()),
        SqlExpr::CompoundIdentifier(parts) if !parts.is_empty() => {
            IndexPart::Column(parts[parts.len() - 1].value.clone())
        }
        SqlExpr::Nested(inner) => index_part(inner),
        other => {
            let mut columns = Vec::new();
            expr_columns(other, &mut columns);
            IndexPart::Expr {
                text: expr_text(other),
                columns,
            }
        }
    }
}

/// A short text of an index expression (`lower(email)`), for messages.
fn expr_text(expr: &SqlExpr) -> String {
    match expr {
        SqlExpr::Identifier(i) => i.value.clone(),
        SqlExpr::CompoundIdentifier(parts) => {
            parts.last().map(|p| p.value.clone()).unwrap_or_default()
        }
        SqlExpr::Nested(e) => expr_text(e),
        SqlExpr::Function(f) => {
            let mut args = Vec::new();
            if let FunctionArguments::List(list) = &f.args {
                for a in &list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a {
                        args.push(expr_text(e));
                    }
                }
            }
            format!("{}({})", last_name(&f.name), args.join(", "))
        }
        _ => "…".into(),
    }
}

/// The column names an expression reads (for expression indexes).
fn expr_columns(expr: &SqlExpr, out: &mut Vec<String>) {
    match expr {
        SqlExpr::Identifier(i) => out.push(i.value.clone()),
        SqlExpr::CompoundIdentifier(parts) => {
            if let Some(p) = parts.last() {
                out.push(p.value.clone());
            }
        }
        SqlExpr::Nested(e)
        | SqlExpr::UnaryOp { expr: e, .. }
        | SqlExpr::Cast { expr: e, .. }
        | SqlExpr::Collate { expr: e, .. } => expr_columns(e, out),
        SqlExpr::BinaryOp { left, right, .. } => {
            expr_columns(left, out);
            expr_columns(right, out);
        }
        SqlExpr::Function(f) => {
            if let FunctionArguments::List(list) = &f.args {
                for a in &list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a {
                        expr_columns(e, out);
                    }
                }
            }
        }
        _ => {}
    }
}

// ----- raw statements (D1 prepare) -----

/// What a raw SQL statement does, in the terms of the query facts.
#[derive(Debug, Default)]
pub struct SqlQuery {
    pub kind: Option<QueryKind>,
    pub table: Option<String>,
    pub joins: Vec<Join>,
    pub filters: Vec<Filter>,
    pub order_by: Vec<ColumnRef>,
    pub has_where: bool,
    pub limited: bool,
    pub single_row: bool,
    pub all_columns: bool,
}

/// Reads one raw statement (`SELECT … FROM orders WHERE user_id = ?`).
pub fn read_query(text: &str) -> Option<SqlQuery> {
    let stmt = statements(text).into_iter().next()?;
    let mut q = SqlQuery::default();
    let mut aliases: Vec<(String, String)> = Vec::new();
    match &stmt {
        Sql::Query(query) => {
            q.kind = Some(QueryKind::Select);
            let SetExpr::Select(select) = &*query.body else {
                return Some(q);
            };
            let from = select.from.first()?;
            let main = factor_name(&from.relation, &mut aliases)?;
            q.table = Some(main.clone());
            for j in &from.joins {
                let Some(t) = factor_name(&j.relation, &mut aliases) else {
                    continue;
                };
                let mut on = Vec::new();
                if let Some(sql::JoinConstraint::On(e)) = join_constraint(&j.join_operator) {
                    conditions(e, true, &aliases, &mut on);
                }
                q.joins.push(Join {
                    table: TableRef::Sql(t),
                    on,
                });
            }
            if let Some(w) = &select.selection {
                q.has_where = true;
                conditions(w, true, &aliases, &mut q.filters);
            }
            q.all_columns = select.projection.iter().any(|p| {
                matches!(
                    p,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            });
            let grouped =
                !matches!(&select.group_by, sql::GroupByExpr::Expressions(e, _) if e.is_empty());
            let aggregate = !select.projection.is_empty()
                && select.projection.iter().all(|p| match p {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        is_aggregate(e)
                    }
                    _ => false,
                });
            q.single_row = aggregate && !grouped;
            if let Some(order) = &query.order_by {
                if let sql::OrderByKind::Expressions(exprs) = &order.kind {
                    for o in exprs {
                        if let Some(c) = column_ref(&o.expr, &aliases) {
                            q.order_by.push(c);
                        }
                    }
                }
            }
            if let Some(limit) = &query.limit_clause {
                q.limited = true;
                let one = |e: &SqlExpr| matches!(e, SqlExpr::Value(v) if matches!(&v.value, sql::Value::Number(n, _) if n == "1"));
                q.single_row |= match limit {
                    sql::LimitClause::LimitOffset { limit: Some(l), .. } => one(l),
                    sql::LimitClause::OffsetCommaLimit { limit, .. } => one(limit),
                    _ => false,
                };
            }
        }
        Sql::Insert(table) => {
            q.kind = Some(QueryKind::Insert);
            q.table = Some(table.clone());
        }
        Sql::Update(Statement::Update(up)) => {
            q.kind = Some(QueryKind::Update);
            q.table = factor_name(&up.table.relation, &mut aliases);
            if let Some(w) = &up.selection {
                q.has_where = true;
                conditions(w, true, &aliases, &mut q.filters);
            }
        }
        Sql::Delete(Statement::Delete(del)) => {
            q.kind = Some(QueryKind::Delete);
            let from = match &del.from {
                sql::FromTable::WithFromKeyword(t) | sql::FromTable::WithoutKeyword(t) => t,
            };
            q.table = from
                .first()
                .and_then(|t| factor_name(&t.relation, &mut aliases));
            if let Some(w) = &del.selection {
                q.has_where = true;
                conditions(w, true, &aliases, &mut q.filters);
            }
        }
        _ => return None,
    }
    Some(q)
}

fn join_constraint(op: &sql::JoinOperator) -> Option<&sql::JoinConstraint> {
    use sql::JoinOperator::*;
    match op {
        Join(c) | Inner(c) | Left(c) | LeftOuter(c) | Right(c) | RightOuter(c) | FullOuter(c) => {
            Some(c)
        }
        _ => None,
    }
}

/// A table factor's name, remembering its alias.
fn factor_name(f: &TableFactor, aliases: &mut Vec<(String, String)>) -> Option<String> {
    let TableFactor::Table { name, alias, .. } = f else {
        return None;
    };
    let table = last_name(name);
    aliases.push((table.clone(), table.clone()));
    if let Some(a) = alias {
        aliases.push((a.name.value.clone(), table.clone()));
    }
    Some(table)
}

fn is_aggregate(e: &SqlExpr) -> bool {
    match e {
        SqlExpr::Function(f) => {
            let name = last_name(&f.name).to_ascii_lowercase();
            matches!(
                name.as_str(),
                "count" | "sum" | "avg" | "min" | "max" | "total" | "group_concat"
            )
        }
        SqlExpr::Nested(e) => is_aggregate(e),
        _ => false,
    }
}

/// A column: `user_id` (the query's tables decide which) or `o.user_id`.
fn column_ref(e: &SqlExpr, aliases: &[(String, String)]) -> Option<ColumnRef> {
    match e {
        SqlExpr::Identifier(i) => Some(ColumnRef {
            table: TableRef::Sql(String::new()),
            key: i.value.clone(),
            text: i.value.clone(),
        }),
        SqlExpr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            let qualifier = &parts[parts.len() - 2].value;
            let table = aliases
                .iter()
                .find(|(a, _)| same_name(a, qualifier))
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| qualifier.clone());
            let col = parts[parts.len() - 1].value.clone();
            Some(ColumnRef {
                text: format!("{qualifier}.{col}"),
                table: TableRef::Sql(table),
                key: col,
            })
        }
        SqlExpr::Nested(inner) => column_ref(inner, aliases),
        _ => None,
    }
}

/// Flattens a WHERE/ON expression into per-column filters.
fn conditions(e: &SqlExpr, conjunct: bool, aliases: &[(String, String)], out: &mut Vec<Filter>) {
    use sql::BinaryOperator as B;
    let mut push = |col: ColumnRef, other: Option<ColumnRef>, op: Op, via_expr: bool| {
        out.push(Filter {
            column: col,
            other,
            op,
            conjunct,
            optional: false,
            via_expr,
            value: None,
        })
    };
    match e {
        SqlExpr::Nested(inner) => conditions(inner, conjunct, aliases, out),
        SqlExpr::BinaryOp {
            left,
            op: B::And,
            right,
        } => {
            conditions(left, conjunct, aliases, out);
            conditions(right, conjunct, aliases, out);
        }
        SqlExpr::BinaryOp {
            left,
            op: B::Or,
            right,
        } => {
            conditions(left, false, aliases, out);
            conditions(right, false, aliases, out);
        }
        SqlExpr::BinaryOp { left, op, right } => {
            let kind = match op {
                B::Eq => Op::Eq,
                B::Gt | B::GtEq | B::Lt | B::LtEq => Op::Range,
                _ => Op::Other,
            };
            let (l, r) = (column_ref(left, aliases), column_ref(right, aliases));
            match (l, r) {
                (Some(l), r) => push(l, r, kind, false),
                (None, Some(r)) => push(r, None, kind, false),
                (None, None) => {
                    let mut cols = Vec::new();
                    expr_columns(left, &mut cols);
                    for c in cols {
                        push(
                            ColumnRef {
                                table: TableRef::Sql(String::new()),
                                text: c.clone(),
                                key: c,
                            },
                            None,
                            kind,
                            true,
                        );
                    }
                }
            }
        }
        SqlExpr::In { expr, negated, .. } => {
            if let Some(c) = column_ref(expr, aliases) {
                push(c, None, if *negated { Op::Other } else { Op::In }, false);
            }
        }
        SqlExpr::Between { expr, negated, .. } => {
            if let Some(c) = column_ref(expr, aliases) {
                push(c, None, if *negated { Op::Other } else { Op::Range }, false);
            }
        }
        SqlExpr::IsNull(expr) => {
            if let Some(c) = column_ref(expr, aliases) {
                push(c, None, Op::IsNull, false);
            }
        }
        SqlExpr::IsNotNull(expr) | SqlExpr::Like { expr, .. } | SqlExpr::ILike { expr, .. } => {
            if let Some(c) = column_ref(expr, aliases) {
                push(c, None, Op::Other, false);
            }
        }
        SqlExpr::UnaryOp { expr, .. } => conditions(expr, false, aliases, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_drizzle_kit_migrations() {
        let files = [
            SourceFile {
                path: "migrations/0001_init.sql".into(),
                source: "CREATE TABLE `users` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`email` text NOT NULL\n);\n--> statement-breakpoint\nCREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);\n--> statement-breakpoint\nCREATE TABLE `orders` (`id` integer, `user_id` text, `status` text, PRIMARY KEY(`id`), FOREIGN KEY (`user_id`) REFERENCES `users`(`id`));\nCREATE INDEX o_status ON orders (status, user_id);\nCREATE TRIGGER t AFTER INSERT ON orders BEGIN SELECT 1; END;\nCREATE INDEX o_lower ON orders (lower(status));".into(),
            },
            SourceFile {
                path: "migrations/0002_more.sql".into(),
                source: "DROP INDEX o_status;\nCREATE INDEX \"o_user\" ON \"orders\" USING btree (\"user_id\");".into(),
            },
        ];
        let tables = read_schema_files(&files);
        let users = tables.iter().find(|t| t.name == "users").unwrap();
        assert!(users.columns[0].primary);
        assert!(users.indexes[0].unique);
        let orders = tables.iter().find(|t| t.name == "orders").unwrap();
        assert!(orders.column("id").unwrap().primary);
        assert!(orders.column("user_id").unwrap().references);
        let names: Vec<_> = orders
            .indexes
            .iter()
            .map(|i| i.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["o_lower", "o_user"]);
        assert!(
            matches!(&orders.indexes[0].parts[0], IndexPart::Expr { columns, .. } if columns == &["status"])
        );
    }

    #[test]
    fn reads_raw_queries() {
        let q = read_query("SELECT * FROM orders o WHERE o.user_id = ? AND status IN (?, ?) ORDER BY created_at DESC").unwrap();
        assert_eq!(q.table.as_deref(), Some("orders"));
        assert!(q.all_columns && !q.limited && q.has_where);
        assert_eq!(q.filters.len(), 2);
        assert_eq!(q.filters[0].column.table, TableRef::Sql("orders".into()));
        assert_eq!(q.filters[1].op, Op::In);
        assert_eq!(q.order_by[0].key, "created_at");
        let q = read_query("SELECT count(*) AS n FROM orders").unwrap();
        assert!(q.single_row);
        let q = read_query("SELECT id FROM orders LIMIT 1").unwrap();
        assert!(q.single_row && q.limited);
        let q = read_query("DELETE FROM orders").unwrap();
        assert_eq!(q.kind, Some(QueryKind::Delete));
        assert!(!q.has_where);
    }
}
