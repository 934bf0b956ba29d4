//! What APIs and packages mean, independent of any one file: Drizzle's query
//! builder and schema declarations, SQL schemas and queries, npm package
//! paths, the runtime's binding methods that send nothing.

pub mod bindings;
pub mod drizzle;
pub mod packages;
pub mod query;
pub mod schema;
pub mod sdks;
pub mod sql;
