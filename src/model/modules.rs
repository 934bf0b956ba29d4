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
///
/// All three types read through [`Json`] (`serde(from)`): one deserializer
/// for the whole part instead of one derived per struct, which keeps the
/// wasm small.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", from = "Json")]
pub struct ModuleFacts {
    /// The nearest `tsconfig.json` of each analyzed file's folder, and every
    /// config those extend (the core merges the `extends` chain).
    pub tsconfigs: Vec<TsConfigFile>,
    /// The nearest `package.json` of each analyzed file's folder.
    pub packages: Vec<PackageFacts>,
    /// The absolute folder the paths are relative to (`/`-separated): a
    /// config above it whose `paths` lead back into it (`../../apps/api/src`
    /// from `apps/api`) names its files by their own paths (`src`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

impl ModuleFacts {
    pub fn is_empty(&self) -> bool {
        self.tsconfigs.is_empty() && self.packages.is_empty()
    }
}

/// One tsconfig file as written (JSONC parsed by the wrapper).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
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
    pub paths: Option<Json>,
    /// Folders (relative, `/`-separated) whose files this config governs
    /// though it is not their nearest `tsconfig.json`: a project that a
    /// solution-style `tsconfig.json` (`references`, no `paths`) lists and
    /// whose `include` covers them, as TypeScript assigns a file to the
    /// first referenced project that includes it (the wrapper matched the
    /// globs). Empty for the rest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
}

/// The resolution facts of one package.json.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageFacts {
    /// Relative to the working directory, `/`-separated.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `exports` as written (key order matters: the first matching
    /// condition wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exports: Option<Json>,
    /// `imports` as written (`#internal/*` → targets).
    #[serde(skip_serializing_if = "Option::is_none")]
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

    /// The value of `key` in an object (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.entries()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text of `key`, when it is a string.
    fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Json::as_str).map(str::to_string)
    }

    /// The value of `key`, unless it is missing or `null`.
    fn value(&self, key: &str) -> Option<Json> {
        self.get(key).filter(|v| **v != Json::Null).cloned()
    }

    /// The items of a list (a lone value counts as a list of one).
    fn items(&self) -> &[Json] {
        match self {
            Json::List(items) => items,
            Json::Null => &[],
            one => std::slice::from_ref(one),
        }
    }
}

impl From<Json> for ModuleFacts {
    fn from(v: Json) -> ModuleFacts {
        let list = |key: &str| v.get(key).map_or(&[][..], Json::items);
        ModuleFacts {
            tsconfigs: list("tsconfigs").iter().map(TsConfigFile::from).collect(),
            packages: list("packages").iter().map(PackageFacts::from).collect(),
            root: v.text("root"),
        }
    }
}

impl From<&Json> for TsConfigFile {
    fn from(v: &Json) -> TsConfigFile {
        // A list of strings; other items are skipped.
        let texts = |key: &str| -> Vec<String> {
            v.get(key)
                .map_or(&[][..], Json::items)
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect()
        };
        TsConfigFile {
            path: v.text("path").unwrap_or_default(),
            extends: texts("extends"),
            base_url: v.text("baseUrl"),
            paths: v.value("paths"),
            applies_to: texts("appliesTo"),
        }
    }
}

impl From<&Json> for PackageFacts {
    fn from(v: &Json) -> PackageFacts {
        PackageFacts {
            path: v.text("path").unwrap_or_default(),
            name: v.text("name"),
            exports: v.value("exports"),
            imports: v.value("imports"),
            browser: v.text("browser"),
            module: v.text("module"),
            main: v.text("main"),
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
    fn facts_read_from_json() {
        let text = r##"{"tsconfigs":[{"path":"tsconfig.json","extends":"base.json","baseUrl":".","paths":{"@/*":["src/*"]}}],
            "packages":[{"path":"package.json","name":"app","exports":null,"imports":{"#a":"./a.ts"},"main":3}],"extra":1}"##;
        let facts: ModuleFacts = serde_json::from_str(text).unwrap();
        assert_eq!(facts.tsconfigs[0].extends, ["base.json"]);
        assert_eq!(facts.tsconfigs[0].base_url.as_deref(), Some("."));
        assert!(facts.tsconfigs[0].paths.is_some());
        let p = &facts.packages[0];
        assert_eq!(
            (p.name.as_deref(), &p.exports, &p.main),
            (Some("app"), &None, &None)
        );
        assert!(p.imports.is_some());
        let empty: ModuleFacts = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty());
    }

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
