//! Without the `sql` feature (the published wasm, see Cargo.toml): SQL files
//! and raw D1 SQL are not read; Drizzle schemas in TypeScript still are.

use super::query::{ColumnRef, Filter, Join, QueryKind};
use super::schema::Table;
use crate::lint::SourceFile;

/// What a raw SQL statement does (never produced without the feature).
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

pub fn read_schema_files(_files: &[SourceFile]) -> Vec<Table> {
    Vec::new()
}

pub fn read_query(_text: &str) -> Option<SqlQuery> {
    None
}
