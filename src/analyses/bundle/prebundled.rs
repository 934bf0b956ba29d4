//! Pre-bundled inputs: an input that is itself a bundle (OpenNext's
//! `handler.mjs`, a vendored SDK build) is one opaque row in the metafile.
//! The wrapper reads its source map and says how many bytes of it come from
//! each original source; here the input's `bytesInOutput` is split across
//! those sources in proportion, so that the sources' packages and folders
//! get their bytes like any other input. What the map does not cover (a
//! bundler's helpers) stays with the input, so the totals still add up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metafile::{Import, Input, Metafile, OutputInput};

/// One pre-bundled input's breakdown through its source map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct InputSources {
    /// Bytes of the input's generated code per original source; paths
    /// relative to the same folder as the metafile's.
    pub sources: Vec<SourceBytes>,
    /// Bytes of the input the map attributes to no source.
    pub unmapped_bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SourceBytes {
    pub path: String,
    pub bytes: u64,
}

/// The import kind of the edges from a pre-bundled input to its sources.
pub const SOURCE_MAP_IMPORT: &str = "source-map";

/// Splits each pre-bundled input's bytes in every output across its
/// original sources (added as inputs the pre-bundled one imports, so import
/// chains run through it); the input keeps what the map does not cover and
/// the rounding.
pub fn expand(metafile: &mut Metafile, prebundled: &BTreeMap<String, InputSources>) {
    for (input, split) in prebundled {
        let mapped: u64 = split.sources.iter().map(|s| s.bytes).sum();
        let total = mapped + split.unmapped_bytes;
        if total == 0 || !metafile.inputs.contains_key(input) {
            continue;
        }
        let sources: Vec<&SourceBytes> = split
            .sources
            .iter()
            .filter(|s| s.bytes > 0 && s.path != *input)
            .collect();
        for output in metafile.outputs.values_mut() {
            let Some(part) = output.inputs.get(input).copied() else {
                continue;
            };
            let whole = part.bytes_in_output;
            let mut given = 0;
            for s in &sources {
                let share = (whole as u128 * s.bytes as u128 / total as u128) as u64;
                if share == 0 {
                    continue;
                }
                given += share;
                output
                    .inputs
                    .entry(s.path.clone())
                    .or_insert(OutputInput { bytes_in_output: 0 })
                    .bytes_in_output += share;
            }
            output.inputs.insert(
                input.clone(),
                OutputInput {
                    bytes_in_output: whole - given,
                },
            );
        }
        for s in &sources {
            metafile
                .inputs
                .entry(s.path.clone())
                .or_insert_with(|| Input {
                    bytes: s.bytes,
                    ..Input::default()
                });
        }
        let imports = &mut metafile
            .inputs
            .get_mut(input)
            .expect("checked above")
            .imports;
        for s in &sources {
            if !imports.iter().any(|i| i.path == s.path) {
                imports.push(Import {
                    path: s.path.clone(),
                    kind: SOURCE_MAP_IMPORT.into(),
                    external: false,
                    original: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::bundle::{analyze, PackageManifest};

    const META: &str = r#"{
      "inputs": {
        "src/index.ts": {"bytes": 100, "imports": [{"path": "vendor/sdk.mjs", "kind": "import-statement"}]},
        "vendor/sdk.mjs": {"bytes": 1200, "imports": []},
        "node_modules/zod/lib/index.mjs": {"bytes": 300, "imports": []}
      },
      "outputs": {
        "dist/index.js": {"bytes": 1500, "entryPoint": "src/index.ts", "inputs": {
          "src/index.ts": {"bytesInOutput": 90},
          "vendor/sdk.mjs": {"bytesInOutput": 1001},
          "node_modules/zod/lib/index.mjs": {"bytesInOutput": 250}
        }}
      }
    }"#;

    fn sdk() -> BTreeMap<String, InputSources> {
        let s = |path: &str, bytes| SourceBytes {
            path: path.into(),
            bytes,
        };
        BTreeMap::from([(
            "vendor/sdk.mjs".to_string(),
            InputSources {
                sources: vec![
                    s("node_modules/hono/dist/index.js", 500),
                    s(
                        "node_modules/.pnpm/zod@3.23.8/node_modules/zod/lib/index.mjs",
                        300,
                    ),
                    s("node_modules/@scope/pkg/dist/a.js", 150),
                    s("vendor/src/client.ts", 50),
                ],
                unmapped_bytes: 100,
            },
        )])
    }

    #[test]
    fn splits_a_prebundled_input_across_its_sources_and_packages() {
        let mut meta = Metafile::parse(META).unwrap();
        expand(&mut meta, &sdk());
        let parts = &meta.outputs["dist/index.js"].inputs;
        // 1001 bytes over 1100 mapped+unmapped: floor(1001 * b / 1100).
        assert_eq!(
            parts["node_modules/hono/dist/index.js"].bytes_in_output,
            455
        );
        assert_eq!(
            parts["node_modules/.pnpm/zod@3.23.8/node_modules/zod/lib/index.mjs"].bytes_in_output,
            273
        );
        assert_eq!(
            parts["node_modules/@scope/pkg/dist/a.js"].bytes_in_output,
            136
        );
        assert_eq!(parts["vendor/src/client.ts"].bytes_in_output, 45);
        // The rest (unmapped share and rounding) stays with the input.
        assert_eq!(
            parts["vendor/sdk.mjs"].bytes_in_output,
            1001 - 455 - 273 - 136 - 45
        );
        assert_eq!(
            meta.inputs["vendor/sdk.mjs"].imports.len(),
            4,
            "the input imports its sources"
        );

        let manifests = [
            ("node_modules/hono", "hono", "4.6.0"),
            (
                "node_modules/.pnpm/zod@3.23.8/node_modules/zod",
                "zod",
                "3.23.8",
            ),
            ("node_modules/zod", "zod", "3.23.8"),
            ("node_modules/@scope/pkg", "@scope/pkg", "1.0.0"),
        ]
        .map(|(root, name, version)| PackageManifest {
            root: root.into(),
            name: name.into(),
            version: Some(version.into()),
        });
        let report = analyze(&meta, vec![], &manifests);
        let packages: Vec<_> = report
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.bytes, p.paths.len()))
            .collect();
        // zod: 273 through the map (pnpm layout) + 250 imported directly.
        assert_eq!(
            packages,
            [("zod", 523, 2), ("hono", 455, 1), ("@scope/pkg", 136, 1)]
        );
        let folders: Vec<_> = report
            .folders
            .iter()
            .map(|f| (f.path.as_str(), f.bytes))
            .collect();
        assert_eq!(folders, [("vendor", 92), ("src", 90), ("vendor/src", 45)]);
        let total: u64 = report.packages.iter().map(|p| p.bytes).sum::<u64>()
            + report.first_party_bytes
            + report.runtime_bytes;
        assert_eq!(total, 1500, "still adds up to the output");
        assert_eq!(report.runtime_bytes, 1500 - 90 - 1001 - 250);
    }

    #[test]
    fn import_chains_run_through_the_prebundled_input() {
        let mut meta = Metafile::parse(META).unwrap();
        expand(&mut meta, &sdk());
        let chains = crate::analyses::bundle::graph::why(&meta, "hono");
        assert_eq!(
            chains,
            [vec![
                "src/index.ts".to_string(),
                "vendor/sdk.mjs".into(),
                "node_modules/hono/dist/index.js".into()
            ]]
        );
    }

    #[test]
    fn ignores_unknown_inputs_and_empty_maps() {
        let mut meta = Metafile::parse(META).unwrap();
        let mut split = sdk();
        let sdk = split.remove("vendor/sdk.mjs").unwrap();
        split.insert("vendor/other.mjs".into(), sdk);
        split.insert("src/index.ts".into(), InputSources::default());
        expand(&mut meta, &split);
        assert_eq!(meta.inputs.len(), 3);
        assert_eq!(meta.outputs["dist/index.js"].inputs.len(), 3);
    }
}
