//! The semantic layer: what every identifier of a file refers to, built once
//! per parse and queried by the rules (like oxc_semantic, biome_js_semantic).
mod binder;
mod model;
#[cfg(test)]
mod tests;

pub use model::*;
