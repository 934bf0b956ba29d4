//! What module resolution needs to know about the project, as the wrapper
//! read it: the tsconfig files that apply to the analyzed files (with the
//! configs they extend) and the package.json files nearest to them (the
//! project's own package and its workspace packages). The core never reads
//! files; `semantic::resolve` answers from these facts alone.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// The tsconfig and package.json facts of the project. Every part is
/// optional: without them, only relative specifiers resolve (and the
/// `@/`, `~/` convention, see `semantic::resolve`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ModuleFacts {
    /// The nearest `tsconfig.json` of each analyzed file's folder, and every
    /// config those extend (the core merges the `extends` chain).
    pub tsconfigs: Vec<TsConfigFile>,
    /// The nearest `package.json` of each analyzed file's folder.
    pub packages: Vec<PackageFacts>,
}

impl ModuleFacts {
    pub fn is_empty(&self) -> bool {
        self.tsconfigs.is_empty() && self.packages.is_empty()
    }
}

/// One tsconfig file as written (JSONC parsed by the wrapper).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct TsConfigFile {
    /// Relative to the working directory, `/`-separated.
    pub path: String,
    /// The paths of the configs it `extends`, in order (the wrapper found
    /// them: relative files, or packages in node_modules). Later ones win,
    /// the file's own options win over all.
    pub extends: Vec<String>,
    /// `compilerOptions.baseUrl` as written (relative to this file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// `compilerOptions.paths` as written: pattern → targets, in the file's
    /// order (relative to `baseUrl`, or to this file without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string[]>"))]
    pub paths: Option<Json>,
}

/// The resolution facts of one package.json.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct PackageFacts {
    /// Relative to the working directory, `/`-separated.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `exports` as written (key order matters: the first matching
    /// condition wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub exports: Option<Json>,
    /// `imports` as written (`#internal/*` → targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub imports: Option<Json>,
    /// The main fields esbuild reads for platform browser, when they are
    /// strings: `browser`, `module`, `main`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
}

/// A JSON value that keeps the order of object keys (`exports` conditions
/// are tried in the order the package lists them). Numbers and booleans,
/// which no resolution map uses, read as `Null`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Str(String),
    List(Vec<Json>),
    Map(Vec<(String, Json)>),
}

impl Json {
    /// The entries of an object, in order (none for other values).
    pub fn entries(&self) -> &[(String, Json)] {
        match self {
            Json::Map(entries) => entries,
            _ => &[],
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Str(v) => s.serialize_str(v),
            Json::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_key_order() {
        let text = r#"{"z":"1","a":["x",null,{"b":"2"}],"n":3}"#;
        let v: Json = serde_json::from_str(text).unwrap();
        let keys: Vec<&str> = v.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "n"]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"z":"1","a":["x",null,{"b":"2"}],"n":null}"#
        );
    }
}
