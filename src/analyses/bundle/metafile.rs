//! esbuild's metafile (also what `wrangler deploy --metafile` writes).
//! https://esbuild.github.io/api/#metafile

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Metafile {
    pub inputs: BTreeMap<String, Input>,
    pub outputs: BTreeMap<String, Output>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Input {
    pub bytes: u64,
    #[serde(default)]
    pub imports: Vec<Import>,
    /// "cjs" or "esm" when esbuild could tell.
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Import {
    pub path: String,
    pub kind: String,
    #[serde(default)]
    pub external: bool,
    /// The specifier as written in the source, when it differs from `path`.
    #[serde(default)]
    pub original: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub bytes: u64,
    #[serde(default)]
    pub inputs: BTreeMap<String, OutputInput>,
    #[serde(default)]
    pub entry_point: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OutputInput {
    pub bytes_in_output: u64,
}

impl Metafile {
    /// Parses the metafile text; the error names what is wrong and where.
    pub fn parse(text: &str) -> Result<Metafile, String> {
        let metafile: Metafile = crate::model::json::from_str(text).map_err(|e| {
            if e.is_eof() {
                format!("the metafile is truncated ({e})")
            } else {
                format!("not an esbuild metafile: {e}")
            }
        })?;
        Ok(metafile)
    }

    /// JavaScript outputs (source maps and other assets are not code).
    pub fn code_outputs(&self) -> impl Iterator<Item = (&String, &Output)> {
        self.outputs.iter().filter(|(path, _)| is_code(path))
    }
}

pub fn is_code(path: &str) -> bool {
    [".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_minimal_metafile() {
        let m = Metafile::parse(
            r#"{"inputs":{"src/a.ts":{"bytes":10,"imports":[{"path":"node_modules/x/i.js","kind":"import-statement","original":"x"}],"format":"esm"}},
               "outputs":{"out/a.js":{"bytes":20,"inputs":{"src/a.ts":{"bytesInOutput":8}},"entryPoint":"src/a.ts","imports":[],"exports":["default"]},
                          "out/a.js.map":{"bytes":5,"inputs":{}}}}"#,
        )
        .unwrap();
        assert_eq!(
            m.inputs["src/a.ts"].imports[0].original.as_deref(),
            Some("x")
        );
        assert_eq!(m.code_outputs().count(), 1);
    }

    #[test]
    fn names_the_problem_in_a_bad_metafile() {
        let err = Metafile::parse(r#"{"inputs":{}}"#).unwrap_err();
        assert!(err.contains("missing field `outputs`"), "{err}");
        let err = Metafile::parse(r#"{"inputs":{"a":{"bytes":1"#).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let err = Metafile::parse(r#"[1,2]"#).unwrap_err();
        assert!(err.contains("not an esbuild metafile"), "{err}");
    }
}
