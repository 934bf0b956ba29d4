//! What names mean. `model`: what every identifier of a file refers to
//! (scopes, symbols, references, declarations, imports and exports), built
//! once per parse by `binder` (like oxc_semantic, biome_js_semantic). Also
//! where the walk is (functions, loops, handlers), the walk's node kinds, and
//! the module references of a file.

mod binder;
pub mod browser;
pub mod declared;
pub mod file;
pub mod graph;
pub mod imports;
mod model;
pub mod node;
pub mod resolve;
pub mod scope;
#[cfg(test)]
mod tests;
pub mod uncalled;

pub use model::*;
