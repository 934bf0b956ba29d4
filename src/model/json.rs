//! Reading JSON text into the model's types.

use serde::de::DeserializeOwned;

/// Reads JSON text into `T` through a `serde_json::Value`: every type's
/// derived `Deserialize` is then compiled for the one `&Value` deserializer
/// (which the config reader needs anyway) instead of also for the text
/// deserializer, whose parsing code is inlined into each type's visitor
/// (~5.6 KB of gzipped wasm). Syntax errors keep their line and column.
///
/// A `Value`'s objects are sorted by key: a type whose maps keep their key
/// order (`model::modules::Json`) must be read from the text (the analyze
/// input reads its module facts again, see `wasm::analyze_json`).
#[inline(never)]
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    T::deserialize(&value)
}
