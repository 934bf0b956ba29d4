//! perf-optimizer's analysis core. Pure Rust: it never touches the file system,
//! the network or the clock. `wasm.rs` is the only module that knows about JS.
//!
//! The modules are layers; each imports only from the layers listed before it
//! (`tests/layers.rs` fails the build otherwise):
//!
//! | layer       | what it holds |
//! |-------------|---------------|
//! | `model`     | report types, config, budgets as written, the dated limits table |
//! | `syntax`    | parsing (swc), line index, AST and text helpers |
//! | `semantic`  | scopes, bindings, frames, the walk's nodes, import references |
//! | `knowledge` | what APIs mean: Drizzle, SQL schemas and queries, npm packages |
//! | `effects`   | what code does: database facts per file, resolved across files |
//! | `analyses`  | bundle composition, startup attribution, budgets, baselines |
//! | `engine`    | the rule trait, the one traversal, suppressions, severities |
//! | `rules`     | one file per rule, and the registry |
//! | `analyze`   | orchestration: one input in, one report out |
//! | `render`    | pretty, JSON, SARIF, Markdown, GitHub |
//! | `wasm`      | the `#[wasm_bindgen]` boundary |
pub mod model;
pub mod syntax;
pub mod semantic;
pub mod knowledge;
pub mod effects;
pub mod analyses;
pub mod engine;
pub mod rules;
pub mod analyze;
pub mod render;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
