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

/// The methods of the runtime's `console` (the Console API): the logging
/// rules act only on calls of these names.
pub static CONSOLE_METHODS: crate::model::collections::Words =
    crate::model::collections::Words::new(&[
        "assert",
        "clear",
        "count",
        "countReset",
        "debug",
        "dir",
        "dirxml",
        "error",
        "group",
        "groupCollapsed",
        "groupEnd",
        "info",
        "log",
        "profile",
        "profileEnd",
        "table",
        "time",
        "timeEnd",
        "timeLog",
        "timeStamp",
        "trace",
        "warn",
    ]);
