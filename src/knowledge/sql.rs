//! SQL: schema and migration files (tables, keys, indexes, in migration
//! order) and the raw statements of D1 `prepare('…')` calls.
//!
//! sqlparser's tokenizer does the lexing (quoted identifiers in every style,
//! strings, comments, drizzle-kit's `--> statement-breakpoint`); a small
//! reader over its tokens takes the few statement shapes the analysis needs.
//! sqlparser's full parser would add about 1 MB to the wasm build for
//! grammar this analysis never looks at.

use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::keywords::Keyword as K;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace, Word};

use super::query::{ColumnRef, Filter, Join, Op, QueryKind, TableRef};
use super::schema::{is_large_type, same_name, Column, Dialect, Index, IndexPart, Table};
use crate::model::project::SourceFile;

/// Lexical rules of the SQL D1 and Postgres migrations are written in:
/// identifiers quoted with `"`, `` ` `` or `[…]`, `?`/`$1` placeholders. A
/// dialect of our own, because sqlparser's dialects carry hooks into its full
/// parser that the wasm would then have to include.
#[derive(Debug)]
struct Lexer;

impl SqlDialect for Lexer {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '`' || ch == '"' || ch == '['
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_ascii_alphabetic() || ch == '_' || ch >= '\u{0080}'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        self.is_identifier_start(ch) || ch.is_ascii_digit() || ch == '$'
    }

    fn supports_dollar_placeholder(&self) -> bool {
        true
    }
}

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

/// The statements of a text as token lists (whitespace and comments
/// dropped), split at top-level semicolons.
fn statements(text: &str) -> Vec<Vec<Token>> {
    let Ok(tokens) = Tokenizer::new(&Lexer, text).tokenize() else {
        return Vec::new();
    };
    tokens
        .split(is_separator)
        .map(|piece| {
            piece
                .iter()
                .filter(|t| !matches!(t, Token::Whitespace(_)))
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|piece| !piece.is_empty())
        .collect()
}

/// A cursor over one statement's tokens.
struct Cursor<'t> {
    toks: &'t [Token],
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn new(toks: &'t [Token]) -> Cursor<'t> {
        Cursor { toks, pos: 0 }
    }

    fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&'t Token> {
        self.toks.get(self.pos + n)
    }

    fn next(&mut self) -> Option<&'t Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// The next token is the (unquoted) keyword `k`: consume it.
    fn kw(&mut self, k: K) -> bool {
        if self.peek().is_some_and(|t| is_kw(t, k)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The next tokens are the keywords `ks`: consume them all, or none.
    fn kws(&mut self, ks: &[K]) -> bool {
        if ks
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_some_and(|t| is_kw(t, *k)))
        {
            self.pos += ks.len();
            true
        } else {
            false
        }
    }

    fn eat(&mut self, t: &Token) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An identifier (any word, quoted or not).
    fn ident(&mut self) -> Option<String> {
        match self.peek()? {
            Token::Word(w) => {
                self.pos += 1;
                Some(w.value.clone())
            }
            Token::DoubleQuotedString(s) | Token::SingleQuotedString(s) => {
                self.pos += 1;
                Some(s.clone())
            }
            _ => None,
        }
    }

    /// `schema.table` → `table`.
    fn object_name(&mut self) -> Option<String> {
        let mut name = self.ident()?;
        while self.peek() == Some(&Token::Period) {
            self.pos += 1;
            name = self.ident()?;
        }
        Some(name)
    }

    /// Skips a parenthesized group if one starts here; returns its inner tokens.
    fn group(&mut self) -> Option<&'t [Token]> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let start = self.pos + 1;
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&self.toks[start..self.pos - 1]);
                    }
                }
                _ => {}
            }
        }
        Some(&self.toks[start..])
    }

    /// Skips to the next top-level keyword among `stops` (or the end).
    fn skip_to(&mut self, stops: &[K]) {
        while let Some(t) = self.peek() {
            if stops.iter().any(|k| is_kw(t, *k)) {
                return;
            }
            if self.group().is_none() {
                self.pos += 1;
            }
        }
    }
}

fn is_kw(t: &Token, k: K) -> bool {
    matches!(t, Token::Word(Word { keyword, quote_style: None, .. }) if *keyword == k)
}

/// Splits a token list at top-level commas.
fn split_commas(toks: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, t) in toks.iter().enumerate() {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

// ----- schema files -----

/// Tables, keys and indexes declared by schema and migration files, applied
/// in file-name order (migrations are numbered).
pub fn read_schema_files(files: &[SourceFile]) -> Vec<Table> {
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    crate::model::collections::sort_by(&mut sorted, |a, b| a.path.cmp(&b.path));
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

/// Applies one DDL statement; anything else is ignored.
fn apply(tables: &mut Vec<Table>, toks: &[Token], file: &str) -> Option<()> {
    let mut c = Cursor::new(toks);
    if c.kw(K::CREATE) {
        let unique = c.kw(K::UNIQUE);
        if c.kw(K::INDEX) {
            let _ = c.kws(&[K::IF, K::NOT, K::EXISTS]);
            let _ = c.kw(K::CONCURRENTLY);
            let name = if is_kw(c.peek()?, K::ON) {
                None
            } else {
                Some(c.object_name()?)
            };
            if !c.kw(K::ON) {
                return None;
            }
            let _ = c.kw(K::ONLY);
            let table = c.object_name()?;
            if c.kw(K::USING) {
                c.ident()?;
            }
            let parts = index_parts(c.group()?);
            table_mut(tables, &table, file).indexes.push(Index {
                name,
                parts,
                unique,
            });
            return Some(());
        }
        let _ = c.kw(K::TEMP) || c.kw(K::TEMPORARY);
        if !c.kw(K::TABLE) {
            return None;
        }
        let _ = c.kws(&[K::IF, K::NOT, K::EXISTS]);
        let name = c.object_name()?;
        let body = c.group()?;
        // A re-created table (SQLite's copy-and-rename migrations) starts over.
        tables.retain(|t| !same_name(&t.name, &name));
        let table = table_mut(tables, &name, file);
        for item in split_commas(body) {
            table_item(table, item);
        }
        return Some(());
    }
    if c.kw(K::DROP) {
        let index = c.kw(K::INDEX);
        if !index && !c.kw(K::TABLE) {
            return None;
        }
        let _ = c.kws(&[K::IF, K::EXISTS]);
        while let Some(n) = c.object_name() {
            if index {
                for t in tables.iter_mut() {
                    t.indexes
                        .retain(|i| !i.name.as_deref().is_some_and(|x| same_name(x, &n)));
                }
            } else {
                tables.retain(|t| !same_name(&t.name, &n));
            }
            if !c.eat(&Token::Comma) {
                break;
            }
        }
        return Some(());
    }
    if c.kws(&[K::ALTER, K::TABLE]) {
        let _ = c.kws(&[K::IF, K::EXISTS]);
        let _ = c.kw(K::ONLY);
        let name = c.object_name()?;
        if c.kws(&[K::RENAME, K::TO]) {
            let to = c.object_name()?;
            tables.retain(|t| !same_name(&t.name, &to));
            if let Some(t) = tables.iter_mut().find(|t| same_name(&t.name, &name)) {
                t.name = to;
            }
        } else if c.kw(K::ADD) {
            let _ = c.kw(K::COLUMN);
            let _ = c.kws(&[K::IF, K::NOT, K::EXISTS]);
            table_item(table_mut(tables, &name, file), &toks[c.pos..]);
        }
        return Some(());
    }
    None
}

/// One item of `CREATE TABLE (…)`: a column or a table constraint.
fn table_item(table: &mut Table, toks: &[Token]) -> Option<()> {
    let mut c = Cursor::new(toks);
    if c.kw(K::CONSTRAINT) {
        c.ident()?;
    }
    let (primary, unique) = if c.kws(&[K::PRIMARY, K::KEY]) {
        (true, false)
    } else if c.kw(K::UNIQUE) {
        let _ = c.kw(K::KEY) || c.kw(K::INDEX);
        if c.peek() != Some(&Token::LParen) {
            c.ident();
        }
        (false, true)
    } else if c.kws(&[K::FOREIGN, K::KEY]) {
        for p in index_parts(c.group()?) {
            if let IndexPart::Column(n) = p {
                if let Some(col) = table.columns.iter_mut().find(|x| same_name(&x.name, &n)) {
                    col.references = true;
                }
            }
        }
        return Some(());
    } else if is_inline_index(&c) {
        // `CHECK (…)`, MySQL's `KEY name (…)` / `INDEX name (…)`: not a column.
        return Some(());
    } else {
        return column_def(table, &mut c);
    };
    let parts = index_parts(c.group()?);
    if let [IndexPart::Column(only)] = parts.as_slice() {
        if let Some(col) = table.columns.iter_mut().find(|x| same_name(&x.name, only)) {
            if primary {
                col.primary = true;
            } else {
                col.unique = true;
            }
            return Some(());
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
    Some(())
}

/// `CHECK (…)`, `KEY [name] (…)`, `INDEX [name] (…)` — and not a column that
/// happens to be called `key` or `index`.
fn is_inline_index(c: &Cursor<'_>) -> bool {
    let Some(first) = c.peek() else { return false };
    let paren_at = |n: usize| c.peek_at(n) == Some(&Token::LParen);
    if is_kw(first, K::CHECK) {
        return paren_at(1);
    }
    (is_kw(first, K::KEY) || is_kw(first, K::INDEX))
        && (paren_at(1) || (matches!(c.peek_at(1), Some(Token::Word(_))) && paren_at(2)))
}

/// `name type[(n)] [PRIMARY KEY] [UNIQUE] [REFERENCES …] …`
fn column_def(table: &mut Table, c: &mut Cursor<'_>) -> Option<()> {
    let name = c.ident()?;
    let mut ty = match c.peek() {
        Some(Token::Word(w)) if !is_constraint_start(w) => {
            c.pos += 1;
            w.value.to_ascii_lowercase()
        }
        _ => String::new(),
    };
    // `character varying`, `double precision`
    while let Some(Token::Word(w)) = c.peek() {
        if is_constraint_start(w) || w.quote_style.is_some() {
            break;
        }
        c.pos += 1;
        ty.push(' ');
        ty.push_str(&w.value.to_ascii_lowercase());
    }
    if c.group().is_some() {
        ty.push_str("(n)");
    }
    let mut col = Column {
        name,
        large: is_large_type(&ty, Dialect::Unknown),
        sql_type: ty,
        ..Column::default()
    };
    while !c.done() {
        if c.kws(&[K::PRIMARY, K::KEY]) {
            col.primary = true;
        } else if c.kw(K::UNIQUE) {
            col.unique = true;
        } else if c.kw(K::REFERENCES) {
            col.references = true;
        } else if c.group().is_none() {
            c.pos += 1;
        }
    }
    table.columns.retain(|x| !same_name(&x.name, &col.name));
    table.columns.push(col);
    Some(())
}

fn is_constraint_start(w: &Word) -> bool {
    w.quote_style.is_none()
        && matches!(
            w.keyword,
            K::PRIMARY
                | K::UNIQUE
                | K::NOT
                | K::NULL
                | K::DEFAULT
                | K::REFERENCES
                | K::CHECK
                | K::CONSTRAINT
                | K::COLLATE
                | K::GENERATED
                | K::AUTOINCREMENT
                | K::AUTO_INCREMENT
        )
}

/// The parts of an index's `( … )`: columns or expressions.
fn index_parts(toks: &[Token]) -> Vec<IndexPart> {
    split_commas(toks)
        .into_iter()
        .filter(|item| !item.is_empty())
        .map(|item| {
            // A column with decorations (`email DESC`, `email COLLATE NOCASE`,
            // an operator class) is all words; an expression has calls or
            // operators.
            let plain = item[1..].iter().all(|t| matches!(t, Token::Word(_)));
            match (&item[0], plain) {
                (Token::Word(w), true) => IndexPart::Column(w.value.clone()),
                (Token::DoubleQuotedString(s), true) => IndexPart::Column(s.clone()),
                _ => IndexPart::Expr {
                    text: expr_text(item),
                    columns: expr_columns(item),
                },
            }
        })
        .collect()
}

/// The columns an expression reads (not function names, not operators).
fn expr_columns(toks: &[Token]) -> Vec<String> {
    columns_in(toks, &[]).into_iter().map(|c| c.key).collect()
}

/// A short text of an expression (`lower(email)`), for messages.
fn expr_text(toks: &[Token]) -> String {
    let mut out = String::new();
    for t in toks {
        match t {
            Token::Word(w) => {
                if out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                    out.push(' ');
                }
                out.push_str(&w.value);
            }
            Token::LParen => out.push('('),
            Token::RParen => out.push(')'),
            Token::Comma => out.push_str(", "),
            Token::Period => out.push('.'),
            _ => out.push_str(" … "),
        }
    }
    out
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

/// Clause keywords that end a WHERE/ON condition or a FROM list.
const CLAUSES: &[K] = &[
    K::WHERE,
    K::GROUP,
    K::HAVING,
    K::ORDER,
    K::LIMIT,
    K::OFFSET,
    K::UNION,
    K::EXCEPT,
    K::INTERSECT,
    K::WINDOW,
    K::RETURNING,
    K::ON,
    K::USING,
    K::JOIN,
    K::INNER,
    K::LEFT,
    K::RIGHT,
    K::FULL,
    K::CROSS,
    K::NATURAL,
    K::SET,
    K::FROM,
];

/// Reads one raw statement (`SELECT … FROM orders WHERE user_id = ?`).
pub fn read_query(text: &str) -> Option<SqlQuery> {
    let stmt = statements(text).into_iter().next()?;
    let mut c = Cursor::new(&stmt);
    let mut q = SqlQuery::default();
    let mut aliases: Vec<(String, String)> = Vec::new();
    if c.kw(K::SELECT) {
        q.kind = Some(QueryKind::Select);
        let _ = c.kw(K::DISTINCT) || c.kw(K::ALL);
        let start = c.pos;
        c.skip_to(&[K::FROM]);
        let projection = &stmt[start..c.pos];
        if !c.kw(K::FROM) {
            return Some(q);
        }
        let items = split_commas(projection);
        q.all_columns = items.iter().any(|i| i.last() == Some(&Token::Mul));
        let main = table_factor(&mut c, &mut aliases)?;
        q.table = Some(main);
        // Joins: `JOIN t ON …`, `LEFT [OUTER] JOIN t …`, `, t`.
        loop {
            let comma = c.eat(&Token::Comma);
            if !comma {
                let _ = c.kw(K::NATURAL);
                let _ = c.kw(K::LEFT)
                    || c.kw(K::RIGHT)
                    || c.kw(K::FULL)
                    || c.kw(K::INNER)
                    || c.kw(K::CROSS);
                let _ = c.kw(K::OUTER);
                if !c.kw(K::JOIN) {
                    break;
                }
            }
            let Some(t) = table_factor(&mut c, &mut aliases) else {
                break;
            };
            let mut on = Vec::new();
            if c.kw(K::ON) {
                Conditions::new(&aliases, &mut on).or(&mut c, true);
            } else if c.kw(K::USING) {
                c.group();
            }
            q.joins.push(Join {
                table: TableRef::Sql(t),
                on,
            });
        }
        if c.kw(K::WHERE) {
            q.has_where = true;
            Conditions::new(&aliases, &mut q.filters).or(&mut c, true);
        }
        let grouped = c.kws(&[K::GROUP, K::BY]);
        if grouped {
            c.skip_to(&[K::HAVING, K::ORDER, K::LIMIT]);
        }
        if c.kw(K::HAVING) {
            c.skip_to(&[K::ORDER, K::LIMIT]);
        }
        if c.kws(&[K::ORDER, K::BY]) {
            let start = c.pos;
            c.skip_to(&[K::LIMIT, K::OFFSET]);
            for item in split_commas(&stmt[start..c.pos]) {
                let mut ic = Cursor::new(item);
                if let Some(col) = column_ref(&mut ic, &aliases) {
                    if ic.done()
                        || ic.kw(K::ASC)
                        || ic.kw(K::DESC)
                        || ic.kw(K::NULLS)
                        || ic.kw(K::COLLATE)
                    {
                        q.order_by.push(col);
                    }
                }
            }
        }
        if c.kw(K::LIMIT) {
            q.limited = true;
            let one = matches!(c.next(), Some(Token::Number(n, _)) if n == "1");
            q.single_row |= one && (c.done() || c.kw(K::OFFSET));
        }
        let aggregate = !items.is_empty() && items.iter().all(|i| is_aggregate(i));
        q.single_row |= aggregate && !grouped;
    } else if c.kw(K::INSERT) || c.kw(K::REPLACE) {
        q.kind = Some(QueryKind::Insert);
        c.skip_to(&[K::INTO]);
        if c.kw(K::INTO) {
            q.table = c.object_name();
        }
    } else if c.kw(K::UPDATE) {
        q.kind = Some(QueryKind::Update);
        if c.kw(K::OR) {
            c.ident();
        }
        q.table = Some(table_factor(&mut c, &mut aliases)?);
        c.skip_to(&[K::WHERE]);
        if c.kw(K::WHERE) {
            q.has_where = true;
            Conditions::new(&aliases, &mut q.filters).or(&mut c, true);
        }
    } else if c.kw(K::DELETE) {
        q.kind = Some(QueryKind::Delete);
        let _ = c.kw(K::FROM);
        q.table = Some(table_factor(&mut c, &mut aliases)?);
        c.skip_to(&[K::WHERE]);
        if c.kw(K::WHERE) {
            q.has_where = true;
            Conditions::new(&aliases, &mut q.filters).or(&mut c, true);
        }
    } else {
        return None;
    }
    Some(q)
}

/// `t [AS] a`: the table's name, remembering its alias.
fn table_factor(c: &mut Cursor<'_>, aliases: &mut Vec<(String, String)>) -> Option<String> {
    if c.peek() == Some(&Token::LParen) {
        return None;
    }
    let table = c.object_name()?;
    aliases.push((table.clone(), table.clone()));
    let explicit = c.kw(K::AS);
    if let Some(Token::Word(w)) = c.peek() {
        let clause = w.quote_style.is_none() && CLAUSES.contains(&w.keyword);
        if explicit || !clause {
            c.pos += 1;
            aliases.push((w.value.clone(), table.clone()));
        }
    }
    Some(table)
}

/// `count(*)`, `sum(total) AS s`
fn is_aggregate(item: &[Token]) -> bool {
    let Some(Token::Word(w)) = item.first() else {
        return false;
    };
    let name = w.value.to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "count" | "sum" | "avg" | "min" | "max" | "total" | "group_concat"
    ) {
        return false;
    }
    let mut c = Cursor::new(&item[1..]);
    if c.group().is_none() {
        return false;
    }
    let _ = c.kw(K::AS);
    let _ = c.ident();
    c.done()
}

/// `user_id` (the statement's tables decide which) or `o.user_id`.
fn column_ref(c: &mut Cursor<'_>, aliases: &[(String, String)]) -> Option<ColumnRef> {
    let Some(Token::Word(first)) = c.peek() else {
        return None;
    };
    if c.peek_at(1) == Some(&Token::LParen) || is_operator_word(first) {
        return None;
    }
    let mut parts = vec![c.ident()?];
    while c.peek() == Some(&Token::Period) && matches!(c.peek_at(1), Some(Token::Word(_))) {
        c.pos += 1;
        parts.push(c.ident()?);
    }
    let col = parts.pop()?;
    Some(match parts.pop() {
        Some(qualifier) => {
            let table = aliases
                .iter()
                .find(|(a, _)| same_name(a, &qualifier))
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| qualifier.clone());
            ColumnRef {
                text: format!("{qualifier}.{col}"),
                table: TableRef::Sql(table),
                key: col,
            }
        }
        None => ColumnRef {
            table: TableRef::Sql(String::new()),
            text: col.clone(),
            key: col,
        },
    })
}

/// A keyword of an expression that is not a column: an operator, a literal,
/// a part of `CASE`, `CAST`, `COLLATE` or an ordering.
fn is_operator_word(w: &Word) -> bool {
    w.quote_style.is_none()
        && matches!(
            w.keyword,
            K::AND
                | K::OR
                | K::NOT
                | K::IS
                | K::NULL
                | K::IN
                | K::LIKE
                | K::GLOB
                | K::BETWEEN
                | K::CASE
                | K::WHEN
                | K::THEN
                | K::ELSE
                | K::END
                | K::EXISTS
                | K::TRUE
                | K::FALSE
                | K::SELECT
                | K::CAST
                | K::AS
                | K::COLLATE
                | K::ASC
                | K::DESC
        )
}

/// What an operand of a comparison is.
enum Operand {
    Column(ColumnRef),
    /// An expression: the columns it reads.
    Expr(Vec<ColumnRef>),
}

/// Flattens a WHERE/ON condition into per-column filters: a small
/// precedence reader (OR < AND < NOT < predicate).
struct Conditions<'a> {
    aliases: &'a [(String, String)],
    out: &'a mut Vec<Filter>,
}

impl<'a> Conditions<'a> {
    fn new(aliases: &'a [(String, String)], out: &'a mut Vec<Filter>) -> Conditions<'a> {
        Conditions { aliases, out }
    }

    fn or(&mut self, c: &mut Cursor<'_>, conjunct: bool) {
        let start = self.out.len();
        self.and(c, conjunct);
        while c.kw(K::OR) {
            self.and(c, false);
            for f in &mut self.out[start..] {
                f.conjunct = false;
            }
        }
    }

    fn and(&mut self, c: &mut Cursor<'_>, conjunct: bool) {
        self.not(c, conjunct);
        while c.kw(K::AND) {
            self.not(c, conjunct);
        }
    }

    fn not(&mut self, c: &mut Cursor<'_>, conjunct: bool) {
        if c.kw(K::NOT) {
            let start = self.out.len();
            self.not(c, false);
            for f in &mut self.out[start..] {
                f.op = Op::Other;
            }
            return;
        }
        self.predicate(c, conjunct);
    }

    fn push(
        &mut self,
        column: ColumnRef,
        other: Option<ColumnRef>,
        op: Op,
        conjunct: bool,
        via_expr: bool,
    ) {
        self.out.push(Filter {
            column,
            other,
            op,
            conjunct,
            optional: false,
            via_expr,
            value: None,
        });
    }

    fn predicate(&mut self, c: &mut Cursor<'_>, conjunct: bool) {
        // A parenthesized condition: `(a = 1 OR b = 2)`.
        if c.peek() == Some(&Token::LParen)
            && !matches!(c.peek_at(1), Some(t) if is_kw(t, K::SELECT))
        {
            let inner = c.group().unwrap_or(&[]);
            let mut ic = Cursor::new(inner);
            self.or(&mut ic, conjunct);
            if comparison(c.peek()).is_none() {
                return;
            }
        }
        if c.kw(K::EXISTS) {
            c.group();
            return;
        }
        let left = self.operand(c);
        let negated = c.kw(K::NOT);
        let (op, right) = if let Some(op) = comparison(c.peek()) {
            c.pos += 1;
            (op, Some(self.operand(c)))
        } else if c.kw(K::IN) {
            c.group();
            (Op::In, None)
        } else if c.kw(K::BETWEEN) {
            self.operand(c);
            let _ = c.kw(K::AND);
            self.operand(c);
            (Op::Range, None)
        } else if c.kw(K::IS) {
            let not = c.kw(K::NOT);
            let _ = c.kw(K::NULL);
            (if not { Op::Other } else { Op::IsNull }, None)
        } else if c.kw(K::LIKE) || c.kw(K::GLOB) || c.kw(K::REGEXP) || c.kw(K::MATCH) {
            self.operand(c);
            (Op::Other, None)
        } else {
            return;
        };
        let op = if negated { Op::Other } else { op };
        match (left, right) {
            (Operand::Column(l), Some(Operand::Column(r))) => {
                self.push(l, Some(r), op, conjunct, false)
            }
            (Operand::Column(l), _) => self.push(l, None, op, conjunct, false),
            (Operand::Expr(_), Some(Operand::Column(r))) => self.push(r, None, op, conjunct, false),
            (Operand::Expr(cols), _) => {
                for col in cols {
                    self.push(col, None, op, conjunct, true);
                }
            }
        }
    }

    /// `a`, `t.a`, `lower(a)`, `a + 1`, `?`, `'x'`, `(SELECT …)`.
    fn operand(&mut self, c: &mut Cursor<'_>) -> Operand {
        let mut terms = Vec::new();
        loop {
            terms.push(self.term(c));
            match c.peek() {
                Some(
                    Token::Plus
                    | Token::Minus
                    | Token::Mul
                    | Token::Div
                    | Token::Mod
                    | Token::StringConcat,
                ) => {
                    c.pos += 1;
                }
                _ => break,
            }
        }
        if terms.len() == 1 {
            return terms.pop().unwrap_or(Operand::Expr(Vec::new()));
        }
        let cols = terms
            .into_iter()
            .flat_map(|t| match t {
                Operand::Column(c) => vec![c],
                Operand::Expr(cols) => cols,
            })
            .collect();
        Operand::Expr(cols)
    }

    fn term(&mut self, c: &mut Cursor<'_>) -> Operand {
        if let Some(col) = column_ref(c, self.aliases) {
            return Operand::Column(col);
        }
        match c.peek() {
            // A function call or CAST(…): the columns it reads.
            Some(Token::Word(_)) if c.peek_at(1) == Some(&Token::LParen) => {
                c.pos += 1;
                let inner = c.group().unwrap_or(&[]);
                Operand::Expr(columns_in(inner, self.aliases))
            }
            Some(Token::LParen) => {
                let inner = c.group().unwrap_or(&[]);
                if inner.first().is_some_and(|t| is_kw(t, K::SELECT)) {
                    Operand::Expr(Vec::new())
                } else {
                    Operand::Expr(columns_in(inner, self.aliases))
                }
            }
            Some(t) if is_kw(t, K::CASE) => {
                c.skip_to(&[K::END]);
                let _ = c.kw(K::END);
                Operand::Expr(Vec::new())
            }
            Some(Token::Minus | Token::Plus) => {
                c.pos += 1;
                self.term(c)
            }
            Some(_) => {
                c.pos += 1;
                Operand::Expr(Vec::new())
            }
            None => Operand::Expr(Vec::new()),
        }
    }
}

fn comparison(t: Option<&Token>) -> Option<Op> {
    match t? {
        Token::Eq | Token::DoubleEq => Some(Op::Eq),
        Token::Lt | Token::Gt | Token::LtEq | Token::GtEq => Some(Op::Range),
        Token::Neq | Token::Spaceship => Some(Op::Other),
        _ => None,
    }
}

/// Column references inside an expression's tokens.
fn columns_in(toks: &[Token], aliases: &[(String, String)]) -> Vec<ColumnRef> {
    let mut out = Vec::new();
    let mut c = Cursor::new(toks);
    while !c.done() {
        match column_ref(&mut c, aliases) {
            Some(col) => out.push(col),
            None => {
                c.pos += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_drizzle_kit_migrations() {
        let files = [
            SourceFile {
                path: "migrations/0001_init.sql".into(),
                source: "-- Migration number: 0001\nCREATE TABLE `users` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`email` text NOT NULL, -- login; not unique here\n\t`bio` varchar(200)\n)\n--> statement-breakpoint\nCREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);\n--> statement-breakpoint\nCREATE TABLE `orders` (`id` integer, `user_id` text, `status` text DEFAULT 'a;b', `meta` jsonb, PRIMARY KEY(`id`), FOREIGN KEY (`user_id`) REFERENCES `users`(`id`));\nCREATE INDEX o_status ON orders (status, user_id);\nCREATE TRIGGER t AFTER INSERT ON orders BEGIN SELECT 1; END;\nCREATE INDEX o_lower ON orders (lower(status));".into(),
            },
            SourceFile {
                path: "migrations/0002_more.sql".into(),
                source: "DROP INDEX o_status;\nCREATE INDEX IF NOT EXISTS \"o_user\" ON \"orders\" USING btree (\"user_id\" DESC);\nALTER TABLE orders ADD COLUMN note text UNIQUE;\nCREATE TABLE \"teams\" (\"org\" uuid, key text, \"slug\" character varying(40), CHECK (length(slug) > 1), CONSTRAINT teams_pk PRIMARY KEY (\"org\", \"slug\"), UNIQUE (\"slug\", \"org\"));\nALTER TABLE teams RENAME TO groups;".into(),
            },
        ];
        let tables = read_schema_files(&files);
        let users = tables.iter().find(|t| t.name == "users").unwrap();
        assert!(users.columns[0].primary);
        assert!(users.indexes[0].unique);
        assert!(users.column("email").unwrap().large);
        assert!(!users.column("bio").unwrap().large);
        let orders = tables.iter().find(|t| t.name == "orders").unwrap();
        assert!(orders.column("id").unwrap().primary);
        assert!(orders.column("user_id").unwrap().references);
        assert!(orders.column("meta").unwrap().large);
        assert!(orders.column("note").unwrap().unique);
        let names: Vec<_> = orders
            .indexes
            .iter()
            .map(|i| i.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["o_lower", "o_user"]);
        assert!(
            matches!(&orders.indexes[0].parts[0], IndexPart::Expr { columns, text } if columns == &["status"] && text == "lower(status)")
        );
        assert_eq!(
            orders.indexes[1].parts,
            [IndexPart::Column("user_id".into())]
        );
        let groups = tables.iter().find(|t| t.name == "groups").unwrap();
        assert_eq!(groups.primary_key, ["org", "slug"]);
        assert!(groups.column("key").unwrap().large);
        assert_eq!(groups.columns.len(), 3);
        assert!(groups.indexes[0].unique);
    }

    #[test]
    fn reads_raw_queries() {
        let q = read_query("SELECT * FROM orders o WHERE o.user_id = ? AND status IN (?, ?) ORDER BY created_at DESC").unwrap();
        assert_eq!(q.table.as_deref(), Some("orders"));
        assert!(q.all_columns && !q.limited && q.has_where);
        assert_eq!(q.filters.len(), 2);
        assert_eq!(q.filters[0].column.table, TableRef::Sql("orders".into()));
        assert_eq!(q.filters[1].op, Op::In);
        assert!(q.filters.iter().all(|f| f.conjunct));
        assert_eq!(q.order_by[0].key, "created_at");
        let q = read_query("SELECT count(*) AS n FROM orders").unwrap();
        assert!(q.single_row);
        let q = read_query("SELECT status, count(*) FROM orders GROUP BY status").unwrap();
        assert!(!q.single_row);
        let q = read_query("SELECT id FROM orders LIMIT 1").unwrap();
        assert!(q.single_row && q.limited);
        let q = read_query("DELETE FROM orders").unwrap();
        assert_eq!(q.kind, Some(QueryKind::Delete));
        assert!(!q.has_where);
        let q = read_query(
            "SELECT a.id FROM users a LEFT JOIN orders b ON b.user_id = a.id WHERE (a.email = ? OR a.name = ?) AND NOT a.banned = 1 AND a.age BETWEEN 1 AND 2 AND lower(a.email) = ? AND a.x IS NULL LIMIT 10",
        )
        .unwrap();
        assert_eq!(q.joins.len(), 1);
        assert_eq!(q.joins[0].on[0].other.as_ref().unwrap().key, "id");
        let ops: Vec<_> = q
            .filters
            .iter()
            .map(|f| (f.column.key.as_str(), f.op, f.conjunct, f.via_expr))
            .collect();
        assert_eq!(
            ops,
            [
                ("email", Op::Eq, false, false),
                ("name", Op::Eq, false, false),
                ("banned", Op::Other, false, false),
                ("age", Op::Range, true, false),
                ("email", Op::Eq, true, true),
                ("x", Op::IsNull, true, false),
            ]
        );
        let q = read_query("UPDATE users SET name = ? WHERE id = ?").unwrap();
        assert_eq!(
            (q.kind, q.has_where, q.filters.len()),
            (Some(QueryKind::Update), true, 1)
        );
        let q = read_query("INSERT OR REPLACE INTO logs (msg) VALUES (?)").unwrap();
        assert_eq!(q.table.as_deref(), Some("logs"));
        assert!(read_query("PRAGMA foreign_keys = ON").is_none());
    }

    /// A table in one line: `name(col type flags, …) pk[…] [name: parts]…`
    /// with flags P(rimary) U(nique) R(eferences) L(arge) and `!` for a
    /// unique index.
    fn describe(tables: &[Table]) -> Vec<String> {
        let part = |p: &IndexPart| match p {
            IndexPart::Column(c) => c.clone(),
            IndexPart::Expr { text, columns } => format!("{{{text}|{}}}", columns.join("+")),
        };
        tables
            .iter()
            .map(|t| {
                let cols: Vec<String> = t
                    .columns
                    .iter()
                    .map(|c| {
                        let flags: String = [
                            (c.primary, 'P'),
                            (c.unique, 'U'),
                            (c.references, 'R'),
                            (c.large, 'L'),
                        ]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, f)| *f)
                        .collect();
                        format!(
                            "{} {}{}{flags}",
                            c.name,
                            c.sql_type,
                            if flags.is_empty() { "" } else { " " }
                        )
                    })
                    .collect();
                let mut out = format!("{}@{}({})", t.name, t.file, cols.join(", "));
                if !t.primary_key.is_empty() {
                    out += &format!(" pk[{}]", t.primary_key.join(","));
                }
                for i in &t.indexes {
                    let parts: Vec<String> = i.parts.iter().map(part).collect();
                    out += &format!(
                        " [{}{}: {}]",
                        i.name.as_deref().unwrap_or("-"),
                        if i.unique { "!" } else { "" },
                        parts.join(",")
                    );
                }
                out
            })
            .collect()
    }

    fn schema(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<SourceFile> = files
            .iter()
            .map(|(path, source)| SourceFile {
                path: path.to_string(),
                source: source.to_string(),
            })
            .collect();
        describe(&read_schema_files(&files))
    }

    /// A query in one line: `kind table +joins where[…] order[…] flags`.
    fn show(text: &str) -> String {
        let Some(q) = read_query(text) else {
            return "none".into();
        };
        let col = |c: &ColumnRef| match &c.table {
            TableRef::Sql(t) if !t.is_empty() => format!("{}@{t}", c.text),
            _ => c.text.clone(),
        };
        let filters = |fs: &[Filter]| {
            fs.iter()
                .map(|f| {
                    let op = match f.op {
                        Op::Eq => "=",
                        Op::In => " in",
                        Op::IsNull => " null",
                        Op::Range => " range",
                        Op::Other => " other",
                    };
                    let other = f
                        .other
                        .as_ref()
                        .map(|o| format!(" {}", col(o)))
                        .unwrap_or_default();
                    format!(
                        "{}{}{op}{other}{}",
                        if f.conjunct { "" } else { "|" },
                        col(&f.column),
                        if f.via_expr { " ~" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = format!("{:?} {}", q.kind, q.table.as_deref().unwrap_or("-"));
        for j in &q.joins {
            let TableRef::Sql(t) = &j.table else {
                unreachable!()
            };
            out += &format!(" +{t}[{}]", filters(&j.on));
        }
        if q.has_where {
            out += &format!(" where[{}]", filters(&q.filters));
        }
        if !q.order_by.is_empty() {
            out += &format!(
                " order[{}]",
                q.order_by.iter().map(col).collect::<Vec<_>>().join(", ")
            );
        }
        for (on, flag) in [
            (q.limited, "limited"),
            (q.single_row, "single"),
            (q.all_columns, "all"),
        ] {
            if on {
                out += " ";
                out += flag;
            }
        }
        out
    }

    #[test]
    fn schema_statements_in_every_spelling() {
        let quoting = schema(&[("a.sql", "CREATE TABLE [t1] ([a] text, \"b\" integer, `c` blob, 'd' text);\nCREATE TABLE \"main\".\"t2\" (id int);\nCREATE TABLE IF NOT EXISTS main.t3 (x text);\nCREATE TEMP TABLE t4 (y int);\nCREATE INDEX s.i1 ON public.t1 ([a]);\nCREATE INDEX IF NOT EXISTS `i2` ON [t1] (\"b\", `c`);\nCREATE UNIQUE INDEX CONCURRENTLY i3 ON ONLY t2 USING btree (id);\nCREATE INDEX ON t3 (x);")]);
        assert_eq!(
            quoting,
            [
                "t1@a.sql(a text L, b integer, c blob L, d text L) [i1: a] [i2: b,c]",
                "t2@a.sql(id int) [i3!: id]",
                "t3@a.sql(x text L) [-: x]",
                "t4@a.sql(y int)",
            ]
        );
        // Composite, expression and partial indexes (the WHERE is not read).
        let indexes = schema(&[("a.sql", "CREATE TABLE t (a text, b text, c int, d text);\nCREATE INDEX i ON t (a, lower(b), c DESC, d COLLATE NOCASE, (a + c), a || b, b text_pattern_ops);\nCREATE INDEX p ON t (c) WHERE d IS NULL;\nCREATE UNIQUE INDEX q ON t (a) WHERE c > 0;")]);
        assert_eq!(
            indexes,
            ["t@a.sql(a text L, b text L, c int, d text L) [i: a,{lower(b)|b},c,d,{(a … c)|a+c},{a … b|a+b},b] [p: c] [q!: a]"]
        );
        // RENAME COLUMN and DROP COLUMN are not read.
        let alter = schema(&[("a.sql", "CREATE TABLE t (a text, b int);\nCREATE TABLE keep (k int);\nALTER TABLE t ADD COLUMN c varchar(10) REFERENCES keep(k);\nALTER TABLE t ADD d integer PRIMARY KEY;\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;\nALTER TABLE t RENAME COLUMN b TO bb;\nALTER TABLE IF EXISTS ONLY t ADD CONSTRAINT u UNIQUE (b);\nALTER TABLE t ADD CONSTRAINT ab UNIQUE (a, b);\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t RENAME TO t2;\nALTER TABLE nope ADD COLUMN z text;\nCREATE INDEX ti ON t2 (bb);")]);
        assert_eq!(
            alter,
            [
                "t2@a.sql(b int U, c varchar(n) R, d integer P, a int) [-!: a,b] [ti: bb]",
                "keep@a.sql(k int)",
                "nope@a.sql(z text L)",
            ]
        );
        let drops = schema(&[("a.sql", "CREATE TABLE a (x int); CREATE TABLE b (y int); CREATE TABLE c (z int);\nCREATE INDEX ia ON a (x); CREATE INDEX ib ON b (y); CREATE INDEX IB2 ON b (y); CREATE UNIQUE INDEX ic ON c (z);\nDROP INDEX IF EXISTS ia, main.ib;\nDROP INDEX \"IC\";\nDROP TABLE IF EXISTS c, missing;\nCREATE TABLE a (x text, w int);\nDROP INDEX ib2;\nALTER TABLE b RENAME TO a;")]);
        assert_eq!(drops, ["a@a.sql(y int)"]);
        let comments = schema(&[("a.sql", "/* head */ CREATE /* c */ TABLE -- x\n t (a /* y */ text -- z\n, b int /* w */ PRIMARY /* v */ KEY)\n--> statement-breakpoint\n-- just a comment;\nINSERT INTO t VALUES ('x; CREATE TABLE evil (a text)');\nCREATE TABLE u (s text DEFAULT 'a;b)', n int CHECK (n > 0), e text DEFAULT \"x\");;;\nCREATE INDEX /* i */ ui ON u /* j */ (s) -- k\n;")]);
        assert_eq!(
            comments,
            [
                "t@a.sql(a text L, b int P)",
                "u@a.sql(s text L, n int, e text L) [ui: s]",
            ]
        );
        // Files apply in path order; a re-created table moves to the end, a
        // renamed one keeps its place.
        let order = schema(&[("b/0002.sql", "CREATE TABLE z (a int); ALTER TABLE x ADD COLUMN b text;"), ("b/0001.sql", "CREATE TABLE x (a int); CREATE TABLE y (a int);"), ("a/0009.sql", "CREATE TABLE w (a int);"), ("b/0003.sql", "CREATE TABLE x (c int); ALTER TABLE y RENAME TO Y2; ALTER TABLE z ADD COLUMN a text;")]);
        assert_eq!(
            order,
            [
                "w@a/0009.sql(a int)",
                "Y2@b/0001.sql(a int)",
                "z@b/0002.sql(a text L)",
                "x@b/0003.sql(c int)",
            ]
        );
        let constraints = schema(&[("a.sql", "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, key text, \"index\" int, a text NOT NULL UNIQUE, b text, c int, d character varying(40), e double precision, f decimal(10, 2), g TEXT(20), h, i mediumtext, CONSTRAINT pk PRIMARY KEY (b), UNIQUE KEY uk (c), UNIQUE INDEX (d, e), FOREIGN KEY (c, h) REFERENCES x(a, b), KEY k1 (a), INDEX (b), CHECK (c > 0), PRIMARY KEY (a, (lower(b))), UNIQUE ([h]));\nCREATE TABLE dup (a int, a text);\nCREATE TABLE v (a text REFERENCES t, b int CONSTRAINT nn NOT NULL, c text GENERATED ALWAYS AS (a) STORED)")]);
        assert_eq!(
            constraints,
            [
                "t@a.sql(id integer P, key text L, index int, a text UL, b text PL, c int UR, d character varying(n), e double precision, f decimal(n), g text(n), h  UR, i mediumtext L) pk[a] [-!: d,e]",
                "dup@a.sql(a text L)",
                "v@a.sql(a text RL, b int, c text L)",
            ]
        );
        let broken = schema(&[("a.sql", "CREATE TABLE t (a text, b int;\nCREATE TABLE u (x int));\nCREATE INDEX i ON u (x;\nCREATE TABLE v (y int")]);
        assert_eq!(
            broken,
            [
                "t@a.sql(a text L, b int)",
                "u@a.sql(x int) [i: x]",
                "v@a.sql(y int)",
            ]
        );
    }

    #[test]
    fn queries_in_every_shape() {
        let cases = [
            ("SELECT u.id, o.total FROM users AS u JOIN orders o ON o.user_id = u.id AND o.status = 'paid' INNER JOIN items i USING (id) LEFT OUTER JOIN x ON x.a = o.b, y WHERE u.id = ?",
             "Some(Select) users +orders[o.user_id@orders= u.id@users, o.status@orders=] +items[] +x[x.a@x= o.b@orders] +y[] where[u.id@users=]"),
            ("SELECT * FROM t WHERE a IN (1, 2) AND b NOT IN (?) AND c BETWEEN ? AND ? AND d LIKE 'x%' AND e NOT LIKE ? AND f IS NOT NULL AND g <> 1 AND h != 2 AND i >= 3 AND j IS NULL",
             "Some(Select) t where[a in, b other, c range, d other, e other, f other, g other, h other, i range, j null] all"),
            ("SELECT * FROM t WHERE a = 1 OR b = 2 OR c = 3", "Some(Select) t where[|a=, |b=, |c=] all"),
            ("SELECT * FROM t WHERE (a = 1 AND (b = 2 OR c = 3)) AND d = 4", "Some(Select) t where[a=, |b=, |c=, d=] all"),
            ("SELECT * FROM t WHERE NOT (a = 1 AND b = 2) AND c = 3", "Some(Select) t where[|a other, |b other, c=] all"),
            ("SELECT * FROM t WHERE id IN (SELECT x FROM u WHERE y = 1) AND EXISTS (SELECT 1 FROM v WHERE v.a = t.a) AND z = (SELECT max(q) FROM w)",
             "Some(Select) t where[id in, z=] all"),
            ("SELECT id FROM t WHERE a = ? LIMIT ?", "Some(Select) t where[a=] limited"),
            ("SELECT id FROM t LIMIT 1 OFFSET 5", "Some(Select) t limited single"),
            ("SELECT id FROM t LIMIT 1, 5", "Some(Select) t limited"),
            ("SELECT count(*), sum(total) AS s FROM orders WHERE user_id = ?", "Some(Select) orders where[user_id=] single"),
            ("SELECT COUNT(*) FROM orders", "Some(Select) orders single"),
            ("SELECT max(id) + 1 FROM t", "Some(Select) t"),
            ("SELECT count(*) n, status FROM t", "Some(Select) t"),
            ("SELECT t.* FROM t", "Some(Select) t all"),
            ("SELECT a * b FROM t", "Some(Select) t"),
            ("SELECT DISTINCT a FROM t ORDER BY a DESC, lower(b), t.c NULLS LAST, d COLLATE NOCASE, 2", "Some(Select) t order[a, t.c@t, d]"),
            ("SELECT \"id\" FROM \"orders\" WHERE \"user_id\" = ? AND `x` = ? AND [y] = ?", "Some(Select) orders where[user_id=, x=, y=]"),
            ("SELECT id FROM main.orders o WHERE main.orders.x = 1 AND o.y = 2", "Some(Select) orders where[orders.x@orders=, o.y@orders=]"),
            ("SELECT 1", "Some(Select) -"),
            ("WITH x AS (SELECT 1) SELECT * FROM x", "none"),
            ("SELECT * FROM t WHERE CASE WHEN a = 1 THEN b ELSE c END = 2 AND d = 3", "Some(Select) t where[d=] all"),
            ("SELECT * FROM t WHERE a + 1 = ? AND -b = ? AND ? = c AND lower(d) = lower(e) AND f = g AND cast(h AS int) = 1",
             "Some(Select) t where[a= ~, b=, c=, d= ~, f= g, h= ~, int= ~] all"),
            ("SELECT * /* c */ FROM -- x\n t WHERE a = 1; SELECT * FROM u", "Some(Select) t where[a=] all"),
            ("UPDATE OR IGNORE users SET name = ? WHERE id = ? AND (a = 1 OR b = 2)", "Some(Update) users where[id=, |a=, |b=]"),
            ("UPDATE users u SET name = ?", "Some(Update) users"),
            ("DELETE FROM orders AS o WHERE o.id = ?", "Some(Delete) orders where[o.id@orders=]"),
            ("INSERT INTO main.logs (msg) VALUES (?)", "Some(Insert) logs"),
            ("REPLACE INTO logs VALUES (?)", "Some(Insert) logs"),
            ("SELECT * FROM t GROUP BY a HAVING count(*) > 1 ORDER BY a LIMIT 1", "Some(Select) t order[a] limited single all"),
            ("SELECT * FROM t WHERE a = 1 GROUP BY a", "Some(Select) t where[a=] all"),
            ("SELECT * FROM t WHERE a = 1 UNION SELECT * FROM u", "Some(Select) t where[a=] all"),
            ("SELECT * FROM t NATURAL JOIN u CROSS JOIN v WHERE t.a = u.b", "Some(Select) t +u[] +v[] where[t.a@t= u.b@u] all"),
            ("SELECT * FROM (SELECT 1)", "none"),
            ("SELECT * FROM t WHERE ((a = 1)) = b", "Some(Select) t where[a=] all"),
            ("SELECT * FROM t WHERE a = 1 2 OR b = 2", "Some(Select) t where[a=] all"),
            ("SELECT * FROM t WHERE NOT NOT a = 1 AND x.y.z = 2", "Some(Select) t where[|a other, y.z@y=] all"),
            ("SELECT * FROM t WHERE a GLOB ? AND b REGEXP ? AND c MATCH ?", "Some(Select) t where[a other, b other, c other] all"),
            ("select * from t where a = $1 and b = :b and c = @c", "Some(Select) t where[a=, b=] all"),
        ];
        for (sql, want) in cases {
            assert_eq!(show(sql), want, "{sql}");
        }
    }
}
