//! Hash maps and sets with FxHash: the keys are atoms, spans and short names
//! from one file, where SipHash's protection against crafted keys costs time
//! and buys nothing (swc uses the same hasher).

pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type HashSet<T> = rustc_hash::FxHashSet<T>;
