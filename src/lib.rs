//! perf-optimizer's analysis core. Pure Rust: it never touches the file system,
//! the network or the clock. `wasm.rs` is the only module that knows about JS.
pub mod analyze;
pub mod baseline;
pub mod budget;
pub mod bundle;
pub mod collections;
pub mod config;
pub mod db;
pub mod limits;
pub mod lint;
pub mod report;
pub mod semantic;
pub mod startup;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
