//! SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
//!
//! Code scanning rejects the whole file when a result has no physical
//! location, so findings without a file and budget results are anchored at
//! the project file (`RenderOptions::project_file`, default `package.json`),
//! line 1.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::RenderOptions;
use crate::model::report::{docs_url, Diagnostic, Report, Severity, TOOL_NAME, TOOL_VERSION};
use crate::model::text;
use crate::rules::rule_infos;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/perf-optimizer/perf-optimizer";
pub const BUDGET_RULE: &str = "budget-exceeded";
const SRCROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// What a rule finds, for `shortDescription`.
fn summary(rule: &str) -> String {
    if let Some(info) = rule_infos().into_iter().find(|r| r.id == rule) {
        return info.summary;
    }
    match rule {
        BUDGET_RULE => "A size, growth or startup budget is exceeded".into(),
        "parse-error" => "A source file does not parse".into(),
        "invalid-suppression" => "A suppression comment names no known rule".into(),
        "unreadable-file" => "A file could not be analyzed".into(),
        other => {
            let words = other.replace('-', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(c) => std::iter::once(c.to_ascii_uppercase())
                    .chain(chars)
                    .collect(),
                None => String::new(),
            }
        }
    }
}

/// A relative path as a URI reference: `/`-separated, no `./`, reserved
/// characters percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// The subset of SARIF 2.1.0 written, as typed structs (field order = output
// order: `$schema`, `version`, `runs`, …).

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    original_uri_base_ids: BTreeMap<&'static str, UriBase>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    help_uri: String,
    help: Text,
    default_configuration: Configuration,
    properties: DescriptorProperties<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties<'a> {
    tags: [&'a str; 2],
}

#[derive(Serialize)]
struct UriBase {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    properties: Value,
}

/// Evidence for a result: where a called function does what it is about.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

/// A result's location; without a diagnostic position, line 1 of `file`.
fn location(file: &str, d: Option<&Diagnostic>) -> [Location; 1] {
    [Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(file),
                uri_base_id: SRCROOT,
            },
            region: Region {
                start_line: d.and_then(|d| d.line).unwrap_or(1),
                start_column: d.and_then(|d| d.column),
                end_line: d.and_then(|d| d.end_line),
                end_column: d.and_then(|d| d.end_column),
            },
        },
    }]
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let project_file = options.project_file.as_deref().unwrap_or("package.json");
    let failed: Vec<_> = report.budgets.iter().filter(|b| !b.passed).collect();

    // Every rule that appears, sorted by id; results point into this list.
    let mut ids: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
    if !failed.is_empty() {
        ids.push(BUDGET_RULE);
    }
    crate::model::collections::sort_by(&mut ids, |a, b| a.cmp(b));
    ids.dedup();
    let infos = rule_infos();
    let rules: Vec<Descriptor> = ids
        .iter()
        .map(|&id| {
            let (severity, category) = infos
                .iter()
                .find(|r| r.id == id)
                .map(|r| (r.severity, r.category.as_str()))
                .or_else(|| {
                    report
                        .diagnostics
                        .iter()
                        .find(|d| d.rule == id)
                        .map(|d| (d.severity, d.category.as_str()))
                })
                .unwrap_or((Severity::Error, "bundle"));
            Descriptor {
                id,
                name: id,
                short_description: Text { text: summary(id) },
                help_uri: docs_url(id),
                help: Text {
                    text: format!("See {}", docs_url(id)),
                },
                default_configuration: Configuration {
                    level: level(severity),
                },
                properties: DescriptorProperties {
                    tags: ["performance", category],
                },
            }
        })
        .collect();
    let index = |id: &str| ids.iter().position(|&r| r == id).unwrap_or(0);

    let mut results: Vec<SarifResult> = report
        .diagnostics
        .iter()
        .map(|d| SarifResult {
            rule_id: &d.rule,
            rule_index: index(&d.rule),
            level: level(d.severity),
            message: Text {
                text: if d.help.is_empty() {
                    d.message.clone()
                } else {
                    format!("{}\n\n{}", d.message, d.help)
                },
            },
            locations: match &d.file {
                Some(file) => location(file, Some(d)),
                None => location(project_file, None),
            },
            related_locations: d
                .related
                .iter()
                .enumerate()
                .map(|(id, r)| RelatedLocation {
                    id,
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&r.file),
                            uri_base_id: SRCROOT,
                        },
                        region: Region {
                            start_line: r.line,
                            start_column: Some(r.column),
                            end_line: None,
                            end_column: None,
                        },
                    },
                    message: Text {
                        text: r.message.clone(),
                    },
                })
                .collect(),
            properties: json!({ "category": d.category.as_str() }),
        })
        .collect();
    results.extend(failed.iter().map(|b| SarifResult {
        rule_id: BUDGET_RULE,
        rule_index: index(BUDGET_RULE),
        level: "error",
        message: Text {
            text: format!(
                "Budget exceeded: {}.\n\nReduce the bundle (see the other findings) or raise the budget in the config's \"budgets\".",
                text::budget_message(b)
            ),
        },
        locations: location(project_file, None),
        related_locations: Vec::new(),
        properties: json!({ "metric": b.metric, "limit": b.limit, "actual": b.actual }),
    }));

    let root = UriBase {
        uri: options.src_root.as_ref().map(|u| {
            if u.ends_with('/') {
                u.clone()
            } else {
                format!("{u}/")
            }
        }),
        description: Text {
            text: "The working directory perf-optimizer ran in".into(),
        },
    };
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: TOOL_VERSION,
                    semantic_version: TOOL_VERSION,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            original_uri_base_ids: BTreeMap::from([(SRCROOT, root)]),
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_string_pretty(&log).expect("SARIF serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_fixture::fixture;

    fn sarif(options: &RenderOptions) -> Value {
        serde_json::from_str(&render(&fixture(), options)).unwrap()
    }

    #[test]
    fn top_level_and_driver() {
        let s = sarif(&RenderOptions::default());
        assert_eq!(s["version"], "2.1.0");
        assert_eq!(s["$schema"], SCHEMA_URI);
        let runs = s["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].is_null());
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "perf-optimizer");
        assert_eq!(driver["version"], TOOL_VERSION);
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        let ids: Vec<&str> = driver["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "await-in-loop",
                BUDGET_RULE,
                "duplicate-package",
                "json-deep-clone"
            ]
        );
        let rule = &driver["rules"][0];
        assert_eq!(
            rule["helpUri"],
            "https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/await-in-loop.md"
        );
        // The rule's default severity, not the severity it was reported with.
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
        assert_eq!(run["results"][0]["level"], "error");
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
        assert_eq!(
            driver["rules"][2]["shortDescription"]["text"],
            "One package bundled in two or more versions, each with the chain that pulls it in."
        );
        assert_eq!(
            driver["rules"][2]["defaultConfiguration"]["level"],
            "warning"
        );
    }

    #[test]
    fn results_point_at_files_and_rules() {
        let s = sarif(&RenderOptions {
            src_root: Some("file:///home/runner/work/app".into()),
            ..RenderOptions::default()
        });
        let run = &s["runs"][0];
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///home/runner/work/app/"
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 5, "4 diagnostics + 1 failed budget");
        let r = &results[0];
        assert_eq!(r["ruleId"], "await-in-loop");
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["message"]["text"],
            "`await` inside a `for…of` loop runs the fetches one by one\n\nCollect the promises and `await Promise.all(...)`."
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/my%20routes/index.ts");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            loc["region"],
            json!({"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 30})
        );
        assert_eq!(results[1]["level"], "warning");
        assert_eq!(results[2]["level"], "note");
        assert_eq!(results[2]["ruleIndex"], 3);
        // No file: anchored at the project file, line 1.
        let r = &results[3];
        assert_eq!(r["ruleId"], "duplicate-package");
        assert_eq!(r["ruleIndex"], 2);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "package.json");
        assert_eq!(loc["region"], json!({"startLine": 1}));
        let r = &results[4];
        assert_eq!(r["ruleId"], BUDGET_RULE);
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(r["level"], "error");
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Budget exceeded: gzip size is 117.6 KiB, over its 97.7 KiB budget."));
        // Every result has a physical location (code scanning rejects the file otherwise).
        for r in results {
            assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
            assert!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
                    >= 1
            );
        }
    }

    #[test]
    fn project_file_option_and_uris() {
        let s = sarif(&RenderOptions {
            project_file: Some("apps\\api\\wrangler.toml".into()),
            ..RenderOptions::default()
        });
        assert_eq!(
            s["runs"][0]["results"][4]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"],
            "apps/api/wrangler.toml"
        );
        assert_eq!(uri("./a b/c:d%.ts"), "a%20b/c%3Ad%25.ts");
        assert_eq!(uri("src/é.ts"), "src/%C3%A9.ts");
    }

    #[test]
    fn empty_report_is_valid_sarif() {
        let r = Report::new(vec![], None, vec![], 0);
        let s: Value = serde_json::from_str(&render(&r, &RenderOptions::default())).unwrap();
        assert_eq!(s["runs"][0]["results"], json!([]));
        assert_eq!(s["runs"][0]["tool"]["driver"]["rules"], json!([]));
    }

    #[test]
    fn deterministic() {
        let o = RenderOptions::default();
        assert_eq!(render(&fixture(), &o), render(&fixture(), &o));
    }
}
