//! Reading JSON text into the model's types.
//!
//! Every type's derived `Deserialize` is compiled for one deserializer,
//! [`Lean`] over a `serde_json::Value`, whatever the source: the input text,
//! the config (read key by key) or a rule's options. `Lean` reads a struct
//! only from an object, where serde_json's `&Value` also accepts an array
//! (the fields in order): that never happens in this JSON, and without it
//! no derived struct visitor's `visit_seq` is compiled (~10 KB of gzipped
//! wasm). An unknown field is skipped without visiting it. Otherwise it
//! behaves as `&Value` does, with the same messages.
//!
//! The analyze input and the report are read through [`FromJson`] instead:
//! per-field readers, smaller than serde's derived visitors.

use serde::de::{
    DeserializeOwned, DeserializeSeed, EnumAccess, Error as _, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Map, Value};

/// Reads JSON text into `T` through a `serde_json::Value` (see [`from_value`]):
/// the text deserializer's parsing code would otherwise be inlined into each
/// type's visitor (~5.6 KB of gzipped wasm). Syntax errors keep their line
/// and column.
///
/// A `Value`'s objects are sorted by key: a type whose maps keep their key
/// order (`model::modules::Json`) must be read from the text (the analyze
/// input reads its module facts again, see `wasm::analyze_json`).
#[inline(never)]
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let value: Value = serde_json::from_str(text)?;
    from_value(&value)
}

/// Reads `value` into `T`: the one way the core deserializes its types
/// (but for the [`FromJson`] ones, whose leaves read through it too).
pub fn from_value<'de, T: serde::Deserialize<'de>>(value: &'de Value) -> serde_json::Result<T> {
    T::deserialize(Lean(value))
}

/// A type read from a `Value` field by field, without a derived
/// `Deserialize`: the report's types (`model::report`), which the wasm reads
/// back for `render`, `baselineFromReport` and `historyLine`, and the
/// analyze input (`analyze::AnalyzeInput`). serde's derived visitors for
/// these trees were ~30 KB and ~22 KB of the wasm (before gzip); these
/// readers are a call per field. They accept what the derived
/// `Deserialize` accepts and give its messages (`missing field `x``,
/// `invalid type: …, expected …`); when a value has several faults, the
/// first one in field order is reported (serde: the first in key order).
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, Error>;
}

/// Reads JSON text into `T` through a `serde_json::Value` (see [`FromJson`]).
#[inline(never)]
pub fn read_str<T: FromJson>(text: &str) -> serde_json::Result<T> {
    let value: Value = serde_json::from_str(text)?;
    T::from_json(&value)
}

/// [`FromJson`] for types read as their `Deserialize` reads them (numbers,
/// strings, unit enums).
macro_rules! from_json_by_deserialize {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::model::json::FromJson for $ty {
            fn from_json(value: &serde_json::Value) -> serde_json::Result<Self> {
                $crate::model::json::from_value(value)
            }
        }
    )*};
}
pub(crate) use from_json_by_deserialize;

from_json_by_deserialize!(
    String,
    bool,
    u32,
    u64,
    i64,
    f64,
    crate::model::project::Text
);

/// [`FromJson`] for structs: each field with its JSON key and how a missing
/// key reads (`req`: an error, `opt`: the default, `skip`: never read).
macro_rules! from_json_struct {
    ($($ty:ident { $($field:ident: $key:literal $kind:ident),* $(,)? })*) => {$(
        impl $crate::model::json::FromJson for $ty {
            fn from_json(value: &serde_json::Value) -> serde_json::Result<Self> {
                let object = $crate::model::json::object(value, concat!("struct ", stringify!($ty)))?;
                Ok($ty { $($field: $crate::model::json::$kind(object, $key)?,)* })
            }
        }
    )*};
}
pub(crate) use from_json_struct;

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Array(items) => {
                // A loop, not `collect` into a `Result` (its adapter is
                // compiled per element type).
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(T::from_json(item)?);
                }
                Ok(out)
            }
            _ => Err(Error::invalid_type(unexpected(value), &"a sequence")),
        }
    }
}

impl<T: FromJson> FromJson for std::collections::BTreeMap<String, T> {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Object(entries) => {
                let mut out = std::collections::BTreeMap::new();
                for (key, value) in entries {
                    out.insert(key.clone(), T::from_json(value)?);
                }
                Ok(out)
            }
            _ => Err(Error::invalid_type(unexpected(value), &"a map")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            _ => T::from_json(value).map(Some),
        }
    }
}

/// The object a struct is read from; `expected` names the struct.
pub fn object<'v>(
    value: &'v Value,
    expected: &'static str,
) -> Result<&'v Map<String, Value>, Error> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(Error::invalid_type(unexpected(value), &expected)),
    }
}

/// A field that must be present.
#[inline(never)]
pub fn req<T: FromJson>(object: &Map<String, Value>, key: &'static str) -> Result<T, Error> {
    match object.get(key) {
        Some(value) => T::from_json(value),
        None => Err(Error::missing_field(key)),
    }
}

/// A field that reads as its default when absent (`#[serde(default)]`, an `Option`).
#[inline(never)]
pub fn opt<T: FromJson + Default>(
    object: &Map<String, Value>,
    key: &'static str,
) -> Result<T, Error> {
    match object.get(key) {
        Some(value) => T::from_json(value),
        None => Ok(T::default()),
    }
}

/// A field that is never read (`#[serde(skip)]`).
pub fn skip<T: Default>(_: &Map<String, Value>, _: &'static str) -> Result<T, Error> {
    Ok(T::default())
}

/// The deserializer over a `&Value` (see the module docs).
#[derive(Clone, Copy)]
pub struct Lean<'de>(pub &'de Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Lean<'de> {
    fn invalid<'v, V: Visitor<'v>>(self, visitor: &V) -> Error {
        Error::invalid_type(unexpected(self.0), visitor)
    }
}

fn visit_array<'de, V: Visitor<'de>>(array: &'de [Value], visitor: V) -> Result<V::Value, Error> {
    let mut seq = Seq(array.iter());
    let out = visitor.visit_seq(&mut seq)?;
    if seq.0.len() == 0 {
        Ok(out)
    } else {
        Err(Error::invalid_length(
            array.len(),
            &"fewer elements in array",
        ))
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    object: &'de Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut map = Entries {
        iter: object.iter(),
        value: None,
    };
    let out = visitor.visit_map(&mut map)?;
    if map.iter.len() == 0 {
        Ok(out)
    } else {
        Err(Error::invalid_length(
            object.len(),
            &"fewer elements in map",
        ))
    }
}

/// `deserialize_*` methods that accept only the values their patterns match
/// (`$v` names the visitor in the arms).
macro_rules! only {
    ($v:ident; $($method:ident { $($pat:pat => $visit:expr),* })*) => {$(
        fn $method<V: Visitor<'de>>(self, $v: V) -> Result<V::Value, Error> {
            match self.0 {
                $($pat => $visit,)*
                _ => Err(self.invalid(&$v)),
            }
        }
    )*};
}

/// `deserialize_*` methods that read as another one does.
macro_rules! same_as {
    ($($method:ident($($arg:ident: $ty:ty),*) => $to:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
            self.$to(visitor)
        }
    )*};
}

impl<'de> serde::Deserializer<'de> for Lean<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(o) => visit_object(o, visitor),
        }
    }

    only! { visitor;
        deserialize_i8 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_i16 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_i32 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_i64 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_i128 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_u8 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_u16 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_u32 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_u64 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_u128 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_f32 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_f64 { Value::Number(n) => n.deserialize_any(visitor) }
        deserialize_bool { Value::Bool(b) => visitor.visit_bool(*b) }
        deserialize_str { Value::String(s) => visitor.visit_borrowed_str(s) }
        deserialize_bytes {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => visit_array(a, visitor)
        }
        deserialize_unit { Value::Null => visitor.visit_unit() }
        deserialize_seq { Value::Array(a) => visit_array(a, visitor) }
        deserialize_map { Value::Object(o) => visit_object(o, visitor) }
    }

    // A struct only from an object (see the module docs).
    same_as! {
        deserialize_char() => deserialize_str;
        deserialize_string() => deserialize_str;
        deserialize_identifier() => deserialize_str;
        deserialize_byte_buf() => deserialize_bytes;
        deserialize_unit_struct(_name: &'static str) => deserialize_unit;
        deserialize_tuple(_len: usize) => deserialize_seq;
        deserialize_tuple_struct(_name: &'static str, _len: usize) => deserialize_seq;
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]) => deserialize_map;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(Variant {
                variant,
                value: None,
            }),
            Value::Object(o) => {
                let mut iter = o.iter();
                match (iter.next(), iter.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(Variant {
                        variant,
                        value: Some(value),
                    }),
                    _ => Err(Error::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            other => Err(Error::invalid_type(unexpected(other), &"string or map")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct Seq<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Lean(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    iter: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Key(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Lean(value)),
            None => Err(Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An object's key: a string, or a number written as one (`{"1": …}` into a
/// map keyed by integers).
struct Key<'de>(&'de str);

macro_rules! integer_keys {
    ($($method:ident $visit:ident $ty:ty,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(Error::custom(
                    "invalid value: expected key to be a number in quotes",
                )),
            }
        }
    )*};
}

impl<'de> serde::Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    integer_keys! {
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32, deserialize_i64 visit_i64 i64,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(Variant {
            variant: self.0,
            value: None,
        })
    }

    forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An enum's variant: its name, and its content unless it is a unit variant
/// written as a string.
struct Variant<'de> {
    variant: &'de str,
    value: Option<&'de Value>,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let name = serde::de::value::BorrowedStrDeserializer::<Error>::new(self.variant);
        seed.deserialize(name).map(|v| (v, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Some(value) => serde::Deserialize::deserialize(Lean(value)),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.value {
            Some(value) => seed.deserialize(Lean(value)),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(Value::Array(a)) if a.is_empty() => visitor.visit_unit(),
            Some(Value::Array(a)) => visit_array(a, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(other), &"tuple variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Some(Value::Object(o)) => visit_object(o, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(other), &"struct variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::{json, Value};

    use super::from_value;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        name: String,
        size: Option<u32>,
        #[serde(default)]
        kind: Kind,
        #[serde(default)]
        by_id: BTreeMap<u16, f64>,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Kind {
        #[default]
        Plain,
        Sized(u64),
        Pair(u8, u8),
        Named {
            id: String,
        },
    }

    /// What serde_json's own `&Value` deserializer reads, or its message.
    fn both<T: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(value: Value) {
        let lean = from_value::<T>(&value).map_err(|e| e.to_string());
        let reference = T::deserialize(&value).map_err(|e| e.to_string());
        assert_eq!(lean, reference, "{value}");
    }

    #[test]
    fn reads_as_serde_json_does() {
        both::<Item>(json!({"name": "a", "size": 3, "extra": [1, {"x": null}]}));
        both::<Item>(json!({"name": "a", "size": null, "kind": "plain"}));
        both::<Item>(json!({"name": "a", "kind": {"sized": 7}, "byId": {"1": 0.5, "20": -2}}));
        both::<Item>(json!({"name": "a", "kind": {"pair": [1, 2]}}));
        both::<Item>(json!({"name": "a", "kind": {"named": {"id": "x"}}}));
        // errors, with the same messages
        both::<Item>(json!({"size": 3}));
        both::<Item>(json!({"name": 3}));
        both::<Item>(json!({"name": "a", "size": -1}));
        both::<Item>(json!({"name": "a", "size": 1.5}));
        both::<Item>(json!({"name": "a", "kind": "other"}));
        both::<Item>(json!({"name": "a", "kind": {"sized": 1, "plain": null}}));
        both::<Item>(json!({"name": "a", "kind": true}));
        both::<Item>(json!({"name": "a", "byId": {"x": 1}}));
        both::<Item>(json!("a"));
        both::<Vec<Option<bool>>>(json!([true, null, false]));
        both::<(String, u8)>(json!(["a", 1]));
        both::<(String, u8)>(json!(["a", 1, 2]));
        both::<Value>(json!({"a": [1, -2, 3.5, "x", null, true]}));
    }

    #[test]
    fn reads_a_struct_only_from_an_object() {
        let err = from_value::<Item>(&json!(["a", 3])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: sequence, expected struct Item"
        );
    }
}
