//! What names mean: lexical scopes and bindings, where the walk is (functions,
//! loops, handlers), the walk's node kinds, and the module references of a
//! file (imports, re-exports, `require`, dynamic `import()`).

pub mod file;
pub mod imports;
pub mod node;
pub mod resolve;
pub mod scope;
