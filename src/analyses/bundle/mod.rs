//! Bundle analysis: what the deployed bundle is made of.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::knowledge::packages::{self, Origin};
use crate::model::report::{
    BundleReport, DuplicatePackage, FolderUsage, ModuleSize, OutputSize, PackageUsage,
};

pub mod graph;
pub mod metafile;
pub mod prebundled;

pub use metafile::Metafile;
pub use prebundled::InputSources;

/// What the wrapper read from a package's package.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PackageManifest {
    /// The package folder as the metafile writes it (see [`package_roots`]).
    pub root: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The manifests by package folder (the last one of a folder wins), built by
/// insertion: a `collect` into the map would compile a sort for this alone.
pub fn manifests_by_root(manifests: &[PackageManifest]) -> BTreeMap<&str, &PackageManifest> {
    let mut by_root = BTreeMap::new();
    for m in manifests {
        by_root.insert(m.root.as_str(), m);
    }
    by_root
}

/// The package folders of a metafile's inputs, for the wrapper to read their
/// package.json before calling [`analyze`].
pub fn package_roots(metafile: &Metafile) -> Vec<String> {
    let mut roots: Vec<String> = metafile
        .inputs
        .keys()
        .filter_map(|path| match packages::origin(path) {
            Origin::Package { root, .. } => Some(root.to_string()),
            _ => None,
        })
        .collect();
    crate::model::collections::sort_by(&mut roots, |a, b| a.cmp(b));
    roots.dedup();
    roots
}

/// Composition of the bundle. `outputs` are the sizes the wrapper measured
/// (raw, gzip, brotli) of the metafile's code outputs.
pub fn analyze(
    metafile: &Metafile,
    outputs: Vec<OutputSize>,
    manifests: &[PackageManifest],
) -> BundleReport {
    let manifest_by_root = manifests_by_root(manifests);

    // (name, version) → usage; BTreeMap keeps the output deterministic.
    let mut usage: BTreeMap<(String, Option<String>), PackageUsage> = BTreeMap::new();
    let mut modules: BTreeMap<&str, ModuleSize> = BTreeMap::new();
    let mut first_party_bytes = 0;
    let mut folders: BTreeMap<String, u64> = BTreeMap::new();
    let mut attributed = 0;
    let mut output_bytes = 0;
    for (_, output) in metafile.code_outputs() {
        output_bytes += output.bytes;
        for (path, part) in &output.inputs {
            attributed += part.bytes_in_output;
            match packages::origin(path) {
                Origin::Package { root, name } => {
                    let manifest = manifest_by_root.get(root);
                    let name = manifest.map_or(name, |m| m.name.as_str()).to_string();
                    let version = manifest.and_then(|m| m.version.clone());
                    let entry = usage
                        .entry((name.clone(), version.clone()))
                        .or_insert_with(|| PackageUsage {
                            name,
                            version,
                            ..PackageUsage::default()
                        });
                    entry.bytes += part.bytes_in_output;
                    entry.modules += 1;
                    let module = modules.entry(path).or_insert_with(|| ModuleSize {
                        path: path.to_string(),
                        package: Some(entry.name.clone()),
                        version: entry.version.clone(),
                        bytes: 0,
                    });
                    module.bytes += part.bytes_in_output;
                    if !entry.paths.iter().any(|p| p == root) {
                        entry.paths.push(root.to_string());
                    }
                }
                Origin::FirstParty => {
                    first_party_bytes += part.bytes_in_output;
                    modules
                        .entry(path)
                        .or_insert_with(|| ModuleSize {
                            path: path.to_string(),
                            ..ModuleSize::default()
                        })
                        .bytes += part.bytes_in_output;
                    let folder = path.rsplit_once('/').map_or(".", |(dir, _)| dir);
                    *folders.entry(folder.to_string()).or_default() += part.bytes_in_output;
                }
                Origin::Runtime => {}
            }
        }
    }
    let mut packages: Vec<PackageUsage> = usage.into_values().collect();
    // Compression estimates: each package's share of the output at the
    // output's own ratio (the wrapper measured gzip/brotli of whole outputs;
    // a package's text compresses about as well as the bundle it sits in).
    let raw: u64 = outputs.iter().map(|o| o.bytes).sum();
    let gzip: u64 = outputs.iter().map(|o| o.gzip_bytes).sum();
    let brotli: u64 = outputs.iter().map(|o| o.brotli_bytes).sum();
    if raw > 0 {
        for p in &mut packages {
            p.gzip_bytes = (p.bytes as u128 * gzip as u128 / raw as u128) as u64;
            p.brotli_bytes = (p.bytes as u128 * brotli as u128 / raw as u128) as u64;
        }
    }
    let mut folders: Vec<FolderUsage> = folders
        .into_iter()
        .map(|(path, bytes)| FolderUsage { path, bytes })
        .collect();
    crate::model::collections::sort_by(&mut folders, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path))
    });
    crate::model::collections::sort_by(&mut packages, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name))
    });
    let mut modules: Vec<ModuleSize> = modules.into_values().collect();
    crate::model::collections::sort_by(&mut modules, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path))
    });

    BundleReport {
        duplicates: duplicates(&packages),
        outputs,
        packages,
        first_party_bytes,
        // Everything not attributed to an input: esbuild's runtime helpers,
        // wrangler's shims and the glue between modules.
        runtime_bytes: output_bytes.saturating_sub(attributed - runtime_inputs(metafile)),
        modules,
        folders,
    }
}

fn runtime_inputs(metafile: &Metafile) -> u64 {
    metafile
        .code_outputs()
        .flat_map(|(_, o)| o.inputs.iter())
        .filter(|(path, _)| packages::origin(path) == Origin::Runtime)
        .map(|(_, part)| part.bytes_in_output)
        .sum()
}

fn duplicates(packages: &[PackageUsage]) -> Vec<DuplicatePackage> {
    let mut by_name: BTreeMap<&str, Vec<&PackageUsage>> = BTreeMap::new();
    for p in packages {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    let mut out: Vec<DuplicatePackage> = by_name
        .into_iter()
        .filter(|(_, copies)| copies.len() > 1)
        .map(|(name, copies)| DuplicatePackage {
            name: name.to_string(),
            versions: copies
                .iter()
                .map(|p| p.version.clone().unwrap_or_else(|| "unknown".into()))
                .collect(),
            bytes: copies.iter().map(|p| p.bytes).sum(),
        })
        .collect();
    crate::model::collections::sort_by(&mut out, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = r#"{
      "inputs": {
        "src/index.ts": {"bytes": 100, "imports": []},
        "node_modules/hono/dist/index.js": {"bytes": 400, "imports": []},
        "node_modules/hono/dist/router.js": {"bytes": 300, "imports": []},
        "node_modules/zod/lib/index.mjs": {"bytes": 900, "imports": []},
        "node_modules/chanfana/node_modules/zod/lib/index.mjs": {"bytes": 800, "imports": []}
      },
      "outputs": {
        "dist/index.js": {"bytes": 2100, "inputs": {
          "src/index.ts": {"bytesInOutput": 90},
          "node_modules/hono/dist/index.js": {"bytesInOutput": 350},
          "node_modules/hono/dist/router.js": {"bytesInOutput": 250},
          "node_modules/zod/lib/index.mjs": {"bytesInOutput": 700},
          "node_modules/chanfana/node_modules/zod/lib/index.mjs": {"bytesInOutput": 600}
        }},
        "dist/index.js.map": {"bytes": 5000, "inputs": {}}
      }
    }"#;

    fn manifests() -> Vec<PackageManifest> {
        vec![
            PackageManifest {
                root: "node_modules/hono".into(),
                name: "hono".into(),
                version: Some("4.6.0".into()),
            },
            PackageManifest {
                root: "node_modules/zod".into(),
                name: "zod".into(),
                version: Some("3.23.8".into()),
            },
            PackageManifest {
                root: "node_modules/chanfana/node_modules/zod".into(),
                name: "zod".into(),
                version: Some("4.1.0".into()),
            },
        ]
    }

    #[test]
    fn attributes_bytes_to_packages_and_finds_duplicates() {
        let meta = Metafile::parse(META).unwrap();
        assert_eq!(
            package_roots(&meta),
            [
                "node_modules/chanfana/node_modules/zod",
                "node_modules/hono",
                "node_modules/zod"
            ]
        );
        let report = analyze(&meta, vec![], &manifests());
        let names: Vec<_> = report
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.bytes))
            .collect();
        assert_eq!(names, [("zod", 700), ("hono", 600), ("zod", 600)]);
        assert_eq!(report.packages[1].modules, 2);
        assert_eq!(report.first_party_bytes, 90);
        let modules: Vec<_> = report
            .modules
            .iter()
            .map(|m| (m.path.as_str(), m.package.as_deref(), m.bytes))
            .collect();
        assert_eq!(
            modules,
            [
                ("node_modules/zod/lib/index.mjs", Some("zod"), 700),
                (
                    "node_modules/chanfana/node_modules/zod/lib/index.mjs",
                    Some("zod"),
                    600
                ),
                ("node_modules/hono/dist/index.js", Some("hono"), 350),
                ("node_modules/hono/dist/router.js", Some("hono"), 250),
                ("src/index.ts", None, 90),
            ]
        );
        assert_eq!(report.modules[1].version.as_deref(), Some("4.1.0"));
        assert_eq!(report.runtime_bytes, 2100 - 90 - 600 - 700 - 600);
        assert_eq!(report.duplicates.len(), 1);
        assert_eq!(report.duplicates[0].versions, ["3.23.8", "4.1.0"]);
        assert_eq!(report.duplicates[0].bytes, 1300);
        let total: u64 = report.packages.iter().map(|p| p.bytes).sum::<u64>()
            + report.first_party_bytes
            + report.runtime_bytes;
        assert_eq!(total, 2100, "package bytes add up to the output");
    }
}
