//! SQL: schema and migration files (tables, keys, indexes, in migration
//! order) and the raw statements of D1 `prepare('…')` calls.
//!
//! A lexer cut down from sqlparser's tokenizer ([`lex`]) does the lexing
//! (quoted identifiers in every style, strings, comments, drizzle-kit's
//! `--> statement-breakpoint`); one token walker ([`Walker`]) takes the few
//! statement shapes the analysis needs. sqlparser's full parser would add
//! about 1 MB to the wasm build for grammar this analysis never looks at.
//!
//! Nothing here is quadratic in the size of the SQL: parentheses are matched
//! once per statement (skipping a group is one step), and tables, columns
//! and indexes are found by name through maps, so a migrations folder of
//! thousands of statements reads in time proportional to its length.

mod lex;

use lex::{Keyword as K, Token, Whitespace, Word};

use super::query::{ColumnRef, Ends, Filter, Join, Op, QueryKind, TableRef};
use super::schema::{is_large_type, Column, Dialect, Index, IndexPart, Table};
use crate::model::collections::HashMap;
use crate::model::project::SourceFile;

// ----- the token walker -----

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

/// One statement: its tokens without whitespace and comments, and for each
/// `(` where its group closes (the end if it never does).
struct Statement {
    toks: Vec<Token>,
    close: Vec<usize>,
}

/// The statements of a text, split at top-level semicolons.
fn statements(text: &str) -> Vec<Statement> {
    let tokens = match lex::tokenize(text) {
        Ok(tokens) => tokens,
        // What lexed before a broken token still counts (a migration with
        // one statement the lexer cannot read keeps the others), but for
        // the statement it cut short.
        Err(lex::LexError { mut lexed }) => {
            let end = lexed
                .iter()
                .rposition(|t| matches!(t, Token::SemiColon))
                .map_or(0, |i| i + 1);
            lexed.truncate(end);
            lexed
        }
    };
    tokens
        .split(is_separator)
        .map(|piece| {
            let toks: Vec<Token> = piece
                .iter()
                .filter(|t| !matches!(t, Token::Whitespace(_)))
                .cloned()
                .collect();
            let mut close = vec![toks.len(); toks.len()];
            let mut open = Vec::new();
            for (i, t) in toks.iter().enumerate() {
                match t {
                    Token::LParen => open.push(i),
                    Token::RParen => {
                        if let Some(o) = open.pop() {
                            close[o] = i;
                        }
                    }
                    _ => {}
                }
            }
            Statement { toks, close }
        })
        .filter(|s| !s.toks.is_empty())
        .collect()
}

/// The one walker over a statement's tokens, for the schema reader and the
/// query reader alike: a position in a range of the statement (the whole
/// statement, a parenthesized group, a list item, a clause).
#[derive(Clone, Copy)]
struct Walker<'t> {
    toks: &'t [Token],
    close: &'t [usize],
    pos: usize,
    end: usize,
}

impl<'t> Walker<'t> {
    fn new(s: &'t Statement) -> Walker<'t> {
        Walker {
            toks: &s.toks,
            close: &s.close,
            pos: 0,
            end: s.toks.len(),
        }
    }

    /// The same statement from `pos` to `end`.
    fn range(&self, pos: usize, end: usize) -> Walker<'t> {
        Walker { pos, end, ..*self }
    }

    /// The tokens left in the range.
    fn tokens(&self) -> &'t [Token] {
        &self.toks[self.pos..self.end]
    }

    fn peek_at(&self, n: usize) -> Option<&'t Token> {
        self.tokens().get(n)
    }

    fn peek(&self) -> Option<&'t Token> {
        self.peek_at(0)
    }

    fn done(&self) -> bool {
        self.pos >= self.end
    }

    fn bump(&mut self) {
        self.pos = (self.pos + 1).min(self.end);
    }

    fn next(&mut self) -> Option<&'t Token> {
        let t = self.peek();
        self.bump();
        t
    }

    /// The next token is `t` (punctuation): consume it.
    fn eat(&mut self, t: &Token) -> bool {
        let here = self.peek() == Some(t);
        if here {
            self.bump();
        }
        here
    }

    fn at_kw(&self, k: K) -> bool {
        self.peek().is_some_and(|t| is_kw(t, k))
    }

    /// The next token is the (unquoted) keyword `k`: consume it.
    fn kw(&mut self, k: K) -> bool {
        self.kws(&[k])
    }

    /// The next tokens are the keywords `ks`: consume them all, or none.
    fn kws(&mut self, ks: &[K]) -> bool {
        let all = ks
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_some_and(|t| is_kw(t, *k)));
        if all {
            self.pos += ks.len();
        }
        all
    }

    /// An identifier (any word, quoted or not).
    fn ident(&mut self) -> Option<String> {
        let name = match self.peek()? {
            Token::Word(w) => w.value.clone(),
            Token::SingleQuotedString(s) => s.clone(),
            _ => return None,
        };
        self.bump();
        Some(name)
    }

    /// `schema.table` → `table`.
    fn object_name(&mut self) -> Option<String> {
        let mut name = self.ident()?;
        while self.eat(&Token::Period) {
            name = self.ident()?;
        }
        Some(name)
    }

    /// The parenthesized group that starts here, stepped over; its inside.
    fn group(&mut self) -> Option<Walker<'t>> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let close = self.close[self.pos].min(self.end);
        let inner = self.range(self.pos + 1, close);
        self.pos = (close + 1).min(self.end);
        Some(inner)
    }

    /// Steps over one token, or a whole group.
    fn skip(&mut self) {
        if self.group().is_none() {
            self.bump();
        }
    }

    /// Steps to the next top-level keyword among `stops` (or the end); what
    /// was stepped over.
    fn until(&mut self, stops: &[K]) -> Walker<'t> {
        let start = self.pos;
        while let Some(t) = self.peek() {
            if stops.iter().any(|k| is_kw(t, *k)) {
                break;
            }
            self.skip();
        }
        self.range(start, self.pos)
    }

    /// The items of the rest of the range, split at top-level commas (a
    /// trailing comma adds no item).
    fn items(mut self) -> impl Iterator<Item = Walker<'t>> {
        std::iter::from_fn(move || {
            if self.done() {
                return None;
            }
            let start = self.pos;
            while !self.done() && self.peek() != Some(&Token::Comma) {
                self.skip();
            }
            let item = self.range(start, self.pos);
            self.bump();
            Some(item)
        })
    }
}

fn is_kw(t: &Token, k: K) -> bool {
    matches!(t, Token::Word(w) if keyword_in(w, &[k]))
}

/// An unquoted word among the keywords `ks`.
fn keyword_in(w: &Word, ks: &[K]) -> bool {
    w.quote_style.is_none() && ks.contains(&w.keyword)
}

/// SQL names compare without case (`same_name`): the key of a name in a map.
fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

// ----- schema files -----

/// Tables, keys and indexes declared by schema and migration files, applied
/// in file-name order (migrations are numbered).
pub fn read_schema_files(files: &[SourceFile]) -> Vec<Table> {
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    crate::model::collections::sort_by(&mut sorted, |a, b| apply_order(&a.path, &b.path));
    let mut schema = Schema::default();
    for file in sorted {
        for stmt in statements(&file.source) {
            schema.apply(Walker::new(&stmt), &file.path);
        }
    }
    schema.finish()
}

/// The order SQL files apply in: by path without `.sql`, runs of digits by
/// value, so a schema comes before its versions (`schema.sql`,
/// `schema-v2.sql`, `schema-v10.sql`: lineai applies 24 of them by hand)
/// and migrations in their order (`0002_…` before `0010_…`).
fn apply_order(a: &str, b: &str) -> std::cmp::Ordering {
    let stem = |p: &'_ str| {
        let cut = p.len().saturating_sub(4);
        if p.is_char_boundary(cut) && p[cut..].eq_ignore_ascii_case(".sql") {
            p[..cut].to_string()
        } else {
            p.to_string()
        }
    };
    let (a, b) = (stem(a), stem(b));
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    // Chunks of digits or of anything else, compared in turn.
    fn chunk<'s>(s: &mut &'s [u8]) -> (bool, &'s [u8]) {
        let digits = s.first().is_some_and(u8::is_ascii_digit);
        let n = s
            .iter()
            .take_while(|c| c.is_ascii_digit() == digits)
            .count();
        let (head, tail) = s.split_at(n);
        *s = tail;
        (digits, head)
    }
    while !x.is_empty() && !y.is_empty() {
        let ((dx, cx), (dy, cy)) = (chunk(&mut x), chunk(&mut y));
        let order = if dx && dy {
            let value = |c: &[u8]| {
                c.iter().fold(0u128, |n, d| {
                    n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
                })
            };
            value(cx).cmp(&value(cy)).then(cx.cmp(cy))
        } else {
            cx.cmp(cy)
        };
        if order.is_ne() {
            return order;
        }
    }
    x.len().cmp(&y.len())
}

/// Values in the order they were added, found by name in one step; a
/// removed value leaves a hole.
#[derive(Default)]
struct Named<T> {
    slots: Vec<Option<T>>,
    at: HashMap<String, usize>,
}

impl<T> Named<T> {
    fn slot(&self, name: &str) -> Option<usize> {
        self.at.get(&key(name)).copied()
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        let i = self.slot(name)?;
        self.slots[i].as_mut()
    }

    fn remove(&mut self, name: &str) {
        if let Some(i) = self.at.remove(&key(name)) {
            self.slots[i] = None;
        }
    }

    /// Adds `value` at the end, in place of the value of the same name.
    fn insert(&mut self, name: &str, value: T) -> usize {
        self.remove(name);
        self.at.insert(key(name), self.slots.len());
        self.slots.push(Some(value));
        self.slots.len() - 1
    }

    fn values(self) -> impl Iterator<Item = T> {
        self.slots.into_iter().flatten()
    }
}

/// A table as the statements so far leave it.
#[derive(Default)]
struct Draft {
    table: Table,
    columns: Named<Column>,
    indexes: Vec<Option<Index>>,
}

impl Draft {
    /// `ALTER TABLE … RENAME [COLUMN] old TO new`: the column, and every key
    /// and index that names it (drizzle-kit writes this for a renamed
    /// column; the index on it stays valid under the new name).
    fn rename_column(&mut self, old: &str, new: &str) {
        let Some(slot) = self.columns.at.remove(&key(old)) else {
            return;
        };
        self.columns.remove(new);
        self.columns.at.insert(key(new), slot);
        if let Some(column) = &mut self.columns.slots[slot] {
            column.name = new.to_string();
        }
        let rename = |c: &mut String| {
            if key(c) == key(old) {
                *c = new.to_string();
            }
        };
        self.table.primary_key.iter_mut().for_each(rename);
        for index in self.indexes.iter_mut().flatten() {
            for part in &mut index.parts {
                match part {
                    IndexPart::Column(c) => rename(c),
                    IndexPart::Expr { columns, .. } => columns.iter_mut().for_each(rename),
                }
            }
        }
    }

    /// `ALTER TABLE … DROP [COLUMN] name`: the column goes, and with it the
    /// indexes and the primary key that use it (as in PostgreSQL; SQLite
    /// refuses to drop an indexed column, so there it changes nothing more).
    fn drop_column(&mut self, name: &str) {
        self.columns.remove(name);
        let named = |c: &String| key(c) == key(name);
        let uses = |index: &Index| {
            index.parts.iter().any(|part| match part {
                IndexPart::Column(c) => named(c),
                IndexPart::Expr { columns, .. } => columns.iter().any(named),
            })
        };
        for slot in &mut self.indexes {
            if slot.as_ref().is_some_and(uses) {
                *slot = None;
            }
        }
        if self.table.primary_key.iter().any(named) {
            self.table.primary_key.clear();
        }
    }
}

/// The tables as the statements so far leave them.
#[derive(Default)]
struct Schema {
    tables: Named<Draft>,
    /// Index name → (table slot, index slot) of the indexes so named.
    index_at: HashMap<String, Vec<(usize, usize)>>,
}

impl Schema {
    /// The slot of the table called `name`, created if there is none.
    fn table(&mut self, name: &str, file: &str) -> usize {
        self.tables.slot(name).unwrap_or_else(|| {
            let table = Table {
                name: name.to_string(),
                file: file.to_string(),
                ..Table::default()
            };
            let draft = Draft {
                table,
                ..Draft::default()
            };
            self.tables.insert(name, draft)
        })
    }

    fn draft(&mut self, slot: usize) -> &mut Draft {
        self.tables.slots[slot].as_mut().expect("a live table")
    }

    /// Applies one DDL statement; anything else is ignored.
    fn apply(&mut self, mut c: Walker<'_>, file: &str) -> Option<()> {
        if c.kw(K::CREATE) {
            let unique = c.kw(K::UNIQUE);
            if c.kw(K::INDEX) {
                let _ = c.kws(&[K::IF, K::NOT, K::EXISTS]);
                let _ = c.kw(K::CONCURRENTLY);
                let name = if c.at_kw(K::ON) {
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
                let t = self.table(&table, file);
                if let Some(name) = &name {
                    let at = self.draft(t).indexes.len();
                    self.index_at.entry(key(name)).or_default().push((t, at));
                }
                let index = Index {
                    name,
                    parts,
                    unique,
                };
                self.draft(t).indexes.push(Some(index));
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
            self.tables.remove(&name);
            let t = self.table(&name, file);
            for item in body.items() {
                table_item(self.draft(t), item);
            }
        } else if c.kw(K::DROP) {
            let index = c.kw(K::INDEX);
            if !index && !c.kw(K::TABLE) {
                return None;
            }
            let _ = c.kws(&[K::IF, K::EXISTS]);
            while let Some(n) = c.object_name() {
                if index {
                    for (t, i) in self.index_at.remove(&key(&n)).into_iter().flatten() {
                        if let Some(draft) = &mut self.tables.slots[t] {
                            draft.indexes[i] = None;
                        }
                    }
                } else {
                    self.tables.remove(&n);
                }
                if !c.eat(&Token::Comma) {
                    break;
                }
            }
        } else if c.kws(&[K::ALTER, K::TABLE]) {
            let _ = c.kws(&[K::IF, K::EXISTS]);
            let _ = c.kw(K::ONLY);
            let name = c.object_name()?;
            if c.kws(&[K::RENAME, K::TO]) {
                let to = c.object_name()?;
                self.tables.remove(&to);
                if let Some(t) = self.tables.at.remove(&key(&name)) {
                    self.tables.at.insert(key(&to), t);
                    self.draft(t).table.name = to;
                }
            } else if c.kw(K::ADD) {
                let _ = c.kw(K::COLUMN);
                let _ = c.kws(&[K::IF, K::NOT, K::EXISTS]);
                let t = self.table(&name, file);
                table_item(self.draft(t), c);
            } else if c.kw(K::RENAME) {
                // RENAME [COLUMN] old TO new (RENAME TO is the table's, above)
                let _ = c.kw(K::COLUMN);
                let old = c.ident()?;
                if !c.kw(K::TO) {
                    return None;
                }
                let new = c.ident()?;
                let t = self.tables.slot(&name)?;
                self.draft(t).rename_column(&old, &new);
            } else if c.kw(K::DROP) {
                // DROP [COLUMN] [IF EXISTS] name; DROP CONSTRAINT … is not read.
                if c.at_kw(K::CONSTRAINT) {
                    return None;
                }
                let _ = c.kw(K::COLUMN);
                let _ = c.kws(&[K::IF, K::EXISTS]);
                let column = c.ident()?;
                let t = self.tables.slot(&name)?;
                self.draft(t).drop_column(&column);
            }
        }
        Some(())
    }

    fn finish(self) -> Vec<Table> {
        self.tables
            .values()
            .map(|d| Table {
                columns: d.columns.values().collect(),
                indexes: d.indexes.into_iter().flatten().collect(),
                ..d.table
            })
            .collect()
    }
}

/// One item of `CREATE TABLE (…)` or `ALTER TABLE … ADD`: a column or a
/// table constraint.
fn table_item(table: &mut Draft, mut c: Walker<'_>) -> Option<()> {
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
                if let Some(col) = table.columns.get_mut(&n) {
                    col.references = true;
                }
            }
        }
        return Some(());
    } else if is_inline_index(&c) {
        // `CHECK (…)`, MySQL's `KEY name (…)` / `INDEX name (…)`: not a column.
        return Some(());
    } else {
        return column_def(table, c);
    };
    let parts = index_parts(c.group()?);
    if let [IndexPart::Column(only)] = parts.as_slice() {
        if let Some(col) = table.columns.get_mut(only) {
            if primary {
                col.primary = true;
            } else {
                col.unique = true;
            }
            return Some(());
        }
    }
    if primary {
        table.table.primary_key = parts
            .iter()
            .filter_map(|p| match p {
                IndexPart::Column(c) => Some(c.clone()),
                IndexPart::Expr { .. } => None,
            })
            .collect();
    } else {
        table.indexes.push(Some(Index {
            name: None,
            parts,
            unique,
        }));
    }
    Some(())
}

/// `CHECK (…)`, `KEY [name] (…)`, `INDEX [name] (…)` — and not a column that
/// happens to be called `key` or `index`.
fn is_inline_index(c: &Walker<'_>) -> bool {
    let paren_at = |n: usize| c.peek_at(n) == Some(&Token::LParen);
    if c.at_kw(K::CHECK) {
        return paren_at(1);
    }
    (c.at_kw(K::KEY) || c.at_kw(K::INDEX))
        && (paren_at(1) || (matches!(c.peek_at(1), Some(Token::Word(_))) && paren_at(2)))
}

/// `name type[(n)] [PRIMARY KEY] [UNIQUE] [REFERENCES …] …`
fn column_def(table: &mut Draft, mut c: Walker<'_>) -> Option<()> {
    let name = c.ident()?;
    let mut ty = match c.peek() {
        Some(Token::Word(w)) if !is_constraint_start(w) => {
            c.bump();
            w.value.to_ascii_lowercase()
        }
        _ => String::new(),
    };
    // `character varying`, `double precision`
    while let Some(Token::Word(w)) = c.peek() {
        if is_constraint_start(w) || w.quote_style.is_some() {
            break;
        }
        c.bump();
        ty.push(' ');
        ty.push_str(&w.value.to_ascii_lowercase());
    }
    // `varchar(2)`: the declared length, kept as the type's `(n)`.
    let mut max_chars = None;
    if let Some(mut group) = c.group() {
        ty.push_str("(n)");
        if let (Some(Token::Number(n, _)), true) = (group.next(), group.done()) {
            max_chars = n.parse().ok();
        }
    }
    let mut col = Column {
        name: name.clone(),
        large: is_large_type(&ty, Dialect::Unknown),
        sql_type: ty,
        max_chars,
        ..Column::default()
    };
    while !c.done() {
        if c.kws(&[K::PRIMARY, K::KEY]) {
            col.primary = true;
        } else if c.kw(K::UNIQUE) {
            col.unique = true;
        } else if c.kw(K::REFERENCES) {
            col.references = true;
        } else if c.kw(K::CHECK) {
            // `CHECK (status IN ('open', 'closed'))`: the values are a list.
            let mut numbers = Vec::new();
            let listed = c.group().is_some_and(|mut check| {
                check
                    .ident()
                    .is_some_and(|column| column.eq_ignore_ascii_case(&name))
                    && check.kw(K::IN)
                    && check.group().is_some_and(|values| {
                        values.items().all(|mut value| {
                            let token = value.next();
                            if let Some(Token::Number(n, _)) = &token {
                                numbers.push(n.clone());
                            }
                            matches!(
                                token,
                                Some(Token::SingleQuotedString(_) | Token::Number(..))
                            ) && value.done()
                        })
                    })
                    && check.done()
            });
            col.enumerated |= listed;
            // `is_active INTEGER CHECK (is_active IN (0, 1))`: SQLite's
            // boolean (it has no type of its own).
            numbers.sort();
            if listed && numbers == ["0", "1"] {
                col.sql_type = "boolean".into();
            }
        } else {
            c.skip();
        }
    }
    table.columns.insert(&name, col);
    Some(())
}

fn is_constraint_start(w: &Word) -> bool {
    use K::*;
    let words = [
        PRIMARY, UNIQUE, NOT, NULL, DEFAULT, REFERENCES, CHECK, CONSTRAINT, COLLATE, GENERATED,
    ];
    keyword_in(w, &words) || keyword_in(w, &[AUTOINCREMENT, AUTO_INCREMENT])
}

/// The parts of an index's `( … )`: columns or expressions.
fn index_parts(list: Walker<'_>) -> Vec<IndexPart> {
    list.items()
        .filter(|item| !item.done())
        .map(|item| {
            // A column with decorations (`email DESC`, `email COLLATE NOCASE`,
            // an operator class) is all words; an expression has calls or
            // operators.
            let toks = item.tokens();
            let plain = toks[1..].iter().all(|t| matches!(t, Token::Word(_)));
            match (&toks[0], plain) {
                (Token::Word(w), true) => IndexPart::Column(w.value.clone()),
                _ => IndexPart::Expr {
                    text: expr_text(toks),
                    columns: columns_in(item, &Aliases::default())
                        .into_iter()
                        .map(|c| c.key)
                        .collect(),
                },
            }
        })
        .collect()
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
    /// The GROUP BY items that are plain columns.
    pub group_by: Vec<ColumnRef>,
    /// A GROUP BY item that is not a plain column (an expression).
    pub opaque_group: bool,
    pub has_where: bool,
    /// Part of the statement stands where a clause should and cannot be
    /// read (a substitution, `FROM t ${where} ORDER BY …`): it may filter.
    pub opaque_where: bool,
    pub limited: bool,
    pub single_row: bool,
    pub all_columns: bool,
}

/// A clause keyword, which ends a FROM item.
fn is_clause(w: &Word) -> bool {
    use K::*;
    let words = [
        WHERE, GROUP, HAVING, ORDER, LIMIT, OFFSET, UNION, EXCEPT, INTERSECT, WINDOW, RETURNING,
        ON, USING, JOIN, INNER, LEFT, RIGHT, FULL, CROSS, NATURAL, SET, FROM,
    ];
    keyword_in(w, &words)
}

/// A statement's table names and aliases (by `key`) → the table.
type Aliases = HashMap<String, String>;

/// Reads one raw statement (`SELECT … FROM orders WHERE user_id = ?`).
pub fn read_query(text: &str) -> Option<SqlQuery> {
    let stmt = statements(text).into_iter().next()?;
    let mut c = Walker::new(&stmt);
    let mut q = SqlQuery::default();
    let mut aliases = Aliases::default();
    if c.kw(K::INSERT) || c.kw(K::REPLACE) {
        q.kind = Some(QueryKind::Insert);
        let _ = c.until(&[K::INTO]);
        if c.kw(K::INTO) {
            q.table = c.object_name();
        }
        return Some(q);
    }
    if !c.kw(K::SELECT) {
        q.kind = Some(if c.kw(K::UPDATE) {
            if c.kw(K::OR) {
                c.ident();
            }
            QueryKind::Update
        } else if c.kw(K::DELETE) {
            let _ = c.kw(K::FROM);
            QueryKind::Delete
        } else {
            return None;
        });
        q.table = Some(table_factor(&mut c, &mut aliases)?);
        let _ = c.until(&[K::WHERE]);
        where_clause(&mut c, &aliases, &mut q);
        return Some(q);
    }
    q.kind = Some(QueryKind::Select);
    let distinct = c.kw(K::DISTINCT);
    let _ = distinct || c.kw(K::ALL);
    let projection = c.until(&[K::FROM]);
    if !c.kw(K::FROM) {
        return Some(q);
    }

    q.all_columns = projection
        .items()
        .any(|i| i.tokens().last() == Some(&Token::Mul));
    q.table = Some(table_factor(&mut c, &mut aliases)?);
    // Joins: `JOIN t ON …`, `LEFT [OUTER] JOIN t …`, `, t`.
    while c.eat(&Token::Comma) || {
        let _ = c.kw(K::NATURAL);
        let _ =
            c.kw(K::LEFT) || c.kw(K::RIGHT) || c.kw(K::FULL) || c.kw(K::INNER) || c.kw(K::CROSS);
        let _ = c.kw(K::OUTER);
        c.kw(K::JOIN)
    } {
        let Some(t) = table_factor(&mut c, &mut aliases) else {
            break;
        };
        let mut on = Vec::new();
        if c.kw(K::ON) {
            condition(&mut c, &aliases, &mut on);
        } else if c.kw(K::USING) {
            c.group();
        }
        let table = TableRef::Sql(t);
        q.joins.push(Join { table, on });
    }
    // `SELECT DISTINCT a, b`: a row per value of (a, b), as `GROUP BY a, b`
    // (read once the tables' aliases are known).
    if distinct {
        let columns: Option<Vec<ColumnRef>> = projection
            .items()
            .map(|mut item| column_ref(&mut item, &aliases).filter(|_| item.done()))
            .collect();
        q.group_by.extend(columns.unwrap_or_default());
    }
    // A substitution where a clause starts (`FROM t ${where} ORDER BY`, the
    // `${where}` read as `?`): what it holds is not known, the clauses
    // after it are read.
    let clauses = [K::WHERE, K::GROUP, K::HAVING, K::ORDER, K::LIMIT];
    if c.peek()
        .is_some_and(|t| !clauses.iter().any(|k| is_kw(t, *k)))
    {
        q.opaque_where = true;
        let _ = c.until(&clauses);
    }
    where_clause(&mut c, &aliases, &mut q);
    let grouped = c.kws(&[K::GROUP, K::BY]);
    if grouped {
        // `CASE … END AS status_group`, `strftime('%H', t) AS hour`: a
        // GROUP BY of such a name groups by an expression, not a column.
        let expression_names: Vec<&str> = projection
            .items()
            .filter_map(|item| match item.tokens() {
                [expr @ .., as_kw, Token::Word(name)] if expr.len() > 1 && is_kw(as_kw, K::AS) => {
                    Some(name.value.as_str())
                }
                _ => None,
            })
            .collect();
        for mut item in c.until(&[K::HAVING, K::ORDER, K::LIMIT]).items() {
            if let [Token::Word(w)] = item.tokens() {
                if expression_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&w.value))
                {
                    q.opaque_group = true;
                    continue;
                }
            }
            match column_ref(&mut item, &aliases) {
                Some(col) if item.done() => q.group_by.push(col),
                _ => q.opaque_group = true,
            }
        }
    }
    if c.kw(K::HAVING) {
        let _ = c.until(&[K::ORDER, K::LIMIT]);
    }
    if c.kws(&[K::ORDER, K::BY]) {
        for mut item in c.until(&[K::LIMIT, K::OFFSET]).items() {
            if let Some(col) = column_ref(&mut item, &aliases) {
                if item.done()
                    || item.kw(K::ASC)
                    || item.kw(K::DESC)
                    || item.kw(K::NULLS)
                    || item.kw(K::COLLATE)
                {
                    q.order_by.push(col);
                }
            }
        }
    }
    // Past what could not be read (a substitution inside a clause), the
    // statement's own LIMIT still bounds it.
    let _ = c.until(&[K::LIMIT]);
    if c.kw(K::LIMIT) {
        q.limited = true;
        let one = matches!(c.next(), Some(Token::Number(n, _)) if n == "1");
        q.single_row |= one && (c.done() || c.kw(K::OFFSET));
    }
    // Any aggregate (not over a window) without GROUP BY: one row.
    let aggregate = !projection.done() && projection.items().any(is_aggregate);
    q.single_row |= aggregate && !grouped;
    Some(q)
}

/// `WHERE …`, if it is next.
fn where_clause(c: &mut Walker<'_>, aliases: &Aliases, q: &mut SqlQuery) {
    if c.kw(K::WHERE) {
        q.has_where = true;
        condition(c, aliases, &mut q.filters);
    }
}

/// `t [AS] a`: the table's name, remembering its alias.
fn table_factor(c: &mut Walker<'_>, aliases: &mut Aliases) -> Option<String> {
    if c.peek() == Some(&Token::LParen) {
        return None;
    }
    let table = c.object_name()?;
    aliases.entry(key(&table)).or_insert_with(|| table.clone());
    let explicit = c.kw(K::AS);
    if let Some(Token::Word(w)) = c.peek() {
        if explicit || !is_clause(w) {
            c.bump();
            aliases
                .entry(key(&w.value))
                .or_insert_with(|| table.clone());
        }
    }
    Some(table)
}

/// `count(*)`, `sum(total) AS s`
fn is_aggregate(mut item: Walker<'_>) -> bool {
    let Some(Token::Word(w)) = item.next() else {
        return false;
    };
    let name = w.value.to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "count" | "sum" | "avg" | "min" | "max" | "total" | "group_concat"
    ) || item.group().is_none()
    {
        return false;
    }
    let _ = item.kw(K::AS);
    let _ = item.ident();
    item.done()
}

/// `user_id` (the statement's tables decide which) or `o.user_id`.
fn column_ref(c: &mut Walker<'_>, aliases: &Aliases) -> Option<ColumnRef> {
    let Some(Token::Word(first)) = c.peek() else {
        return None;
    };
    if c.peek_at(1) == Some(&Token::LParen) || is_operator_word(first) {
        return None;
    }
    let mut parts = vec![c.ident()?];
    while c.peek() == Some(&Token::Period) && matches!(c.peek_at(1), Some(Token::Word(_))) {
        c.bump();
        parts.push(c.ident()?);
    }
    let col = parts.pop()?;
    Some(match parts.pop() {
        Some(qualifier) => ColumnRef {
            text: format!("{qualifier}.{col}"),
            table: TableRef::Sql(aliases.get(&key(&qualifier)).unwrap_or(&qualifier).clone()),
            key: col,
        },
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
    use K::*;
    let words = [
        AND, OR, NOT, IS, NULL, IN, LIKE, GLOB, BETWEEN, CASE, WHEN, THEN, ELSE, END, EXISTS, TRUE,
        FALSE, SELECT, CAST, AS, COLLATE, ASC, DESC,
    ];
    keyword_in(w, &words)
}

/// Column references inside an expression.
fn columns_in(mut c: Walker<'_>, aliases: &Aliases) -> Vec<ColumnRef> {
    let mut out = Vec::new();
    while !c.done() {
        match column_ref(&mut c, aliases) {
            Some(col) => out.push(col),
            None => c.bump(),
        }
    }
    out
}

/// Flattens a WHERE/ON condition into per-column filters.
fn condition(c: &mut Walker<'_>, aliases: &Aliases, out: &mut Vec<Filter>) {
    let mut reader = Conditions {
        aliases,
        out,
        under: Vec::new(),
    };
    reader.or(c, true);
    // One pass over the filters for every OR and NOT, however nested.
    let under = reader.under;
    let mut edges = vec![[0i32; 2]; out.len() + 1];
    for (start, end, not) in under {
        edges[start][usize::from(not)] += 1;
        edges[end][usize::from(not)] -= 1;
    }
    let mut depth = [0; 2];
    for (f, edge) in out.iter_mut().zip(edges) {
        depth = [depth[0] + edge[0], depth[1] + edge[1]];
        f.conjunct &= depth[0] == 0;
        if depth[1] > 0 {
            f.op = Op::Other;
        }
    }
}

/// What an operand of a comparison is.
enum Operand {
    Column(ColumnRef),
    /// An expression: the columns it reads.
    Expr(Vec<ColumnRef>),
}

/// A small precedence reader (OR < AND < NOT < predicate).
struct Conditions<'a> {
    aliases: &'a Aliases,
    out: &'a mut Vec<Filter>,
    /// The ranges of `out` under an OR (not conjuncts: `false`) or a NOT
    /// (no index lookup: `true`), applied once at the end.
    under: Vec<(usize, usize, bool)>,
}

impl Conditions<'_> {
    fn or(&mut self, c: &mut Walker<'_>, conjunct: bool) {
        let start = self.out.len();
        self.and(c, conjunct);
        while c.kw(K::OR) {
            self.and(c, false);
            self.under.push((start, self.out.len(), false));
        }
    }

    fn and(&mut self, c: &mut Walker<'_>, conjunct: bool) {
        self.not(c, conjunct);
        while c.kw(K::AND) {
            self.not(c, conjunct);
        }
    }

    fn not(&mut self, c: &mut Walker<'_>, conjunct: bool) {
        if c.kw(K::NOT) {
            let start = self.out.len();
            self.not(c, false);
            self.under.push((start, self.out.len(), true));
            return;
        }
        self.predicate(c, conjunct);
    }

    fn push(
        &mut self,
        column: ColumnRef,
        other: Option<ColumnRef>,
        (op, ends): (Op, Ends),
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
            ends,
        });
    }

    fn predicate(&mut self, c: &mut Walker<'_>, conjunct: bool) {
        // A parenthesized condition: `(a = 1 OR b = 2)`.
        if c.peek() == Some(&Token::LParen)
            && !matches!(c.peek_at(1), Some(t) if is_kw(t, K::SELECT))
        {
            if let Some(mut inner) = c.group() {
                self.or(&mut inner, conjunct);
            }
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
        let ends = match c.peek() {
            Some(Token::Gt | Token::GtEq) => Ends::Lower,
            Some(Token::Lt | Token::LtEq) => Ends::Upper,
            _ => Ends::Unknown,
        };
        let (op, right, ends) = if let Some(op) = comparison(c.peek()) {
            c.bump();
            (op, Some(self.operand(c)), ends)
        } else if c.kw(K::IN) {
            c.group();
            (Op::In, None, ends)
        } else if c.kw(K::BETWEEN) {
            self.operand(c);
            let _ = c.kw(K::AND);
            self.operand(c);
            (Op::Range, None, Ends::Both)
        } else if c.kw(K::IS) {
            let not = c.kw(K::NOT);
            let _ = c.kw(K::NULL);
            // `IS NOT NULL` is the range `> NULL` to an index.
            if not {
                (Op::Range, None, Ends::NotNull)
            } else {
                (Op::IsNull, None, ends)
            }
        } else if c.kw(K::LIKE) || c.kw(K::GLOB) || c.kw(K::REGEXP) || c.kw(K::MATCH) {
            self.operand(c);
            (Op::Other, None, ends)
        } else {
            return;
        };
        let (op, ends) = if negated {
            (Op::Other, Ends::Unknown)
        } else {
            (op, ends)
        };
        match (left, right) {
            (Operand::Column(l), Some(Operand::Column(r))) => {
                self.push(l, Some(r), (op, ends), conjunct, false)
            }
            (Operand::Column(l), _) => self.push(l, None, (op, ends), conjunct, false),
            // `? < col`: the column is on the other side.
            (Operand::Expr(_), Some(Operand::Column(r))) => {
                self.push(r, None, (op, ends.flipped()), conjunct, false)
            }
            (Operand::Expr(cols), _) => {
                for col in cols {
                    self.push(col, None, (op, ends), conjunct, true);
                }
            }
        }
    }

    /// `a`, `t.a`, `lower(a)`, `a + 1`, `?`, `'x'`, `(SELECT …)`.
    fn operand(&mut self, c: &mut Walker<'_>) -> Operand {
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
                ) => c.bump(),
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

    fn term(&mut self, c: &mut Walker<'_>) -> Operand {
        if let Some(col) = column_ref(c, self.aliases) {
            return Operand::Column(col);
        }
        let cols = match c.peek() {
            // A function call or CAST(…): the columns it reads.
            Some(Token::Word(_)) if c.peek_at(1) == Some(&Token::LParen) => {
                c.bump();
                c.group()
            }
            Some(Token::LParen) => c.group().filter(|inner| !inner.at_kw(K::SELECT)),
            Some(t) if is_kw(t, K::CASE) => {
                let _ = c.until(&[K::END]);
                let _ = c.kw(K::END);
                None
            }
            Some(Token::Minus | Token::Plus) => {
                c.bump();
                return self.term(c);
            }
            _ => {
                c.bump();
                None
            }
        };
        Operand::Expr(
            cols.map(|inner| columns_in(inner, self.aliases))
                .unwrap_or_default(),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A GROUP BY of a name the projection gives an expression (`CASE …
    /// END AS status_group`, `strftime('%H', t) AS hour`) groups by that
    /// expression (lineai's analytics); a column's alias stays the column.
    #[test]
    fn group_by_an_expressions_name_is_no_column() {
        let q = read_query("SELECT CASE WHEN status_code < 300 THEN '2xx' ELSE '5xx' END as status_group, COUNT(*) as count FROM logs WHERE created_at >= ? GROUP BY status_group ORDER BY status_group").unwrap();
        assert!(q.opaque_group && q.group_by.is_empty());
        let q = read_query("SELECT CAST(strftime('%H', sent_at) AS INTEGER) as hour, direction, COUNT(*) FROM messages GROUP BY hour, direction").unwrap();
        assert!(q.opaque_group);
        let q = read_query("SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id").unwrap();
        assert!(!q.opaque_group && q.group_by.len() == 1);
    }

    /// A schema before its versions, numbers by value, migrations in order.
    #[test]
    fn sql_files_apply_in_version_order() {
        let mut paths = vec![
            "db/schema-v10.sql",
            "db/schema-v2.sql",
            "db/schema.sql",
            "migrations/0010_a.sql",
            "migrations/0002_b.sql",
            "a/x.sql",
            "db/unused.sql",
        ];
        paths.sort_by(|a, b| apply_order(a, b));
        assert_eq!(
            paths,
            [
                "a/x.sql",
                "db/schema.sql",
                "db/schema-v2.sql",
                "db/schema-v10.sql",
                "db/unused.sql",
                "migrations/0002_b.sql",
                "migrations/0010_a.sql"
            ]
        );
        let tables = read_schema_files(&[
            SourceFile {
                path: "db/schema-v2.sql".into(),
                source: "CREATE INDEX i ON t (a);".into(),
            },
            SourceFile {
                path: "db/schema.sql".into(),
                source: "CREATE TABLE t (a int);".into(),
            },
        ]);
        assert_eq!(tables[0].indexes.len(), 1);
    }

    /// A substitution where a clause starts (`${where}`, read as `?`)
    /// hides what it holds, not the clauses after it: the statement's
    /// LIMIT still bounds it (contractor-quote's audit log). A subquery's
    /// LIMIT bounds only the subquery.
    #[test]
    fn clauses_after_a_substitution_are_read() {
        let q =
            read_query("SELECT id FROM audit_events ? ORDER BY created_at DESC LIMIT ? OFFSET ?")
                .unwrap();
        assert!(q.limited && q.opaque_where && !q.has_where);
        assert_eq!(q.order_by.len(), 1);
        let q =
            read_query("SELECT id FROM quotes WHERE a = ? ORDER BY created_at LIMIT 50").unwrap();
        assert!(q.limited && !q.opaque_where);
        let q = read_query("SELECT id FROM quotes WHERE id IN (SELECT id FROM x LIMIT 5)").unwrap();
        assert!(!q.limited);
        let q = read_query("SELECT id FROM quotes ?").unwrap();
        assert!(!q.limited && q.opaque_where);
    }

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
                source: (*source).into(),
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

    /// A Postgres dump (Supabase's baseline migrations): `ARRAY['a[]', …]`
    /// inside a `DO $$ … $$` block is an array, not a bracket-quoted name,
    /// and a statement the lexer cannot read loses only itself.
    #[test]
    fn postgres_dumps_and_broken_statements() {
        let dump = schema(&[(
            "supabase/migrations/0001_baseline.sql",
            "CREATE TABLE IF NOT EXISTS \"public\".\"roles\" (\"id\" uuid, \"name\" text);\n\
             ALTER TABLE ONLY \"public\".\"roles\"\n    ADD CONSTRAINT \"roles_name_key\" UNIQUE (\"name\");\n\
             DO $$\nDECLARE\n  procs text[] := ARRAY[\n    'public.f(public.key_mode[])',\n    'public.g()'\n  ];\nBEGIN\n  RAISE NOTICE 'skip %', procs;\nEND\n$$;\n\
             CREATE INDEX \"roles_id_idx\" ON \"public\".\"roles\" USING \"btree\" (\"id\");\n",
        )]);
        assert_eq!(
            dump,
            ["roles@supabase/migrations/0001_baseline.sql(id uuid, name text UL) [roles_id_idx: id]"]
        );
        let broken = schema(&[(
            "a.sql",
            "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCREATE TABLE u (b int);\nINSERT INTO t VALUES ('unterminated);\n",
        )]);
        assert_eq!(broken, ["t@a.sql(a int) [i: a]", "u@a.sql(b int)"]);
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
        // RENAME COLUMN renames the column; DROP COLUMN drops it and the
        // indexes that use it.
        let alter = schema(&[("a.sql", "CREATE TABLE t (a text, b int);\nCREATE TABLE keep (k int);\nALTER TABLE t ADD COLUMN c varchar(10) REFERENCES keep(k);\nALTER TABLE t ADD d integer PRIMARY KEY;\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;\nALTER TABLE t RENAME COLUMN b TO bb;\nALTER TABLE IF EXISTS ONLY t ADD CONSTRAINT u UNIQUE (bb);\nALTER TABLE t ADD CONSTRAINT ab UNIQUE (a, bb);\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t RENAME TO t2;\nALTER TABLE nope ADD COLUMN z text;\nCREATE INDEX ti ON t2 (bb);")]);
        assert_eq!(
            alter,
            [
                "t2@a.sql(bb int U, c varchar(n) R, d integer P) [ti: bb]",
                "keep@a.sql(k int)",
                "nope@a.sql(z text L)",
            ]
        );
        // drizzle-kit's column rename: the index follows the column, so a
        // query on the new name is served; a dropped column takes its
        // indexes and the primary key with it.
        let renamed = schema(&[("m.sql", "CREATE TABLE `users` (`id` integer, `email` text, `org` integer, PRIMARY KEY(`id`, `org`));\nCREATE INDEX `users_email_idx` ON `users` (`email`);\nCREATE INDEX `users_lower` ON `users` (lower(`email`), `org`);\n--> statement-breakpoint\nALTER TABLE `users` RENAME COLUMN `email` TO `mail`;\nALTER TABLE users RENAME COLUMN missing TO other;\nALTER TABLE nope RENAME COLUMN a TO b;")]);
        assert_eq!(
            renamed,
            ["users@m.sql(id integer, mail text L, org integer) pk[id,org] [users_email_idx: mail] [users_lower: {lower(email)|mail},org]"]
        );
        let dropped = schema(&[("m.sql", "CREATE TABLE t (id int, a text, b text, PRIMARY KEY (id, a));\nCREATE INDEX ia ON t (a);\nCREATE INDEX ib ON t (b);\nALTER TABLE t DROP COLUMN IF EXISTS a;\nALTER TABLE t DROP CONSTRAINT t_pk;\nALTER TABLE t DROP missing;")]);
        assert_eq!(dropped, ["t@m.sql(id int, b text L) [ib: b]"]);
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
             "Some(Select) t where[a in, b other, c range, d other, e other, f range, g other, h other, i range, j null] all"),
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
            // Any aggregate without GROUP BY: one row (SQLite takes `status` from one of them).
            ("SELECT count(*) n, status FROM t", "Some(Select) t single"),
            ("SELECT count(*) OVER (PARTITION BY status) FROM t", "Some(Select) t"),
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
