//! The bottom layer: data every other layer shares. The report and its parts,
//! the config as written, budgets as declared, the dated platform limits, a
//! rule's metadata, the source files and wrangler facts the wrapper read.
pub mod budget;
pub mod collections;
pub mod config;
pub mod json;
pub mod limits;
pub mod modules;
pub mod profile;
pub mod project;
pub mod report;
pub mod rule;
pub mod text;
pub mod wire;
