//! The wasm boundary, run in Node by wasm-bindgen-test-runner
//! (`cargo test --target wasm32-unknown-unknown`; scripts/test.mjs does it).
#![cfg(target_arch = "wasm32")]

use perf_optimizer::analyze::AnalyzeInput;
use perf_optimizer::model::project::SourceFile;
use perf_optimizer::model::report::Report;
use perf_optimizer::wasm;
use wasm_bindgen_test::wasm_bindgen_test;

/// `analyzeJson` as the wrapper calls it: JSON text in, JSON text out.
fn analyze(
    input: &AnalyzeInput,
    sources: Option<Vec<u8>>,
) -> Result<Report, wasm_bindgen::JsError> {
    let json = serde_json::to_string(input).unwrap();
    wasm::analyze_json(json.as_bytes(), sources, None, None, None, None, None)
        .map(|text| serde_json::from_str(&text).unwrap())
}

#[wasm_bindgen_test]
fn analyze_round_trips_through_js_values() {
    let input = AnalyzeInput {
        files: vec![SourceFile {
            path: "src/a.ts".into(),
            source: "const c = JSON.parse(JSON.stringify(x));\n".into(),
        }],
        ..AnalyzeInput::default()
    };
    let report = analyze(&input, None).unwrap();
    assert_eq!(report.version, 1);
    assert_eq!(report.summary.files, 1);
    assert_eq!(report.diagnostics[0].rule, "json-deep-clone");
    assert_eq!(report.diagnostics[0].line, Some(1));
}

/// Walks `walkJson` kept under a token stand for the core's own in the next
/// `analyzeJson` given that token, and in no other.
#[wasm_bindgen_test]
fn walks_kept_in_the_instance_stand_for_its_own() {
    let file = |path: &str, source: &str| SourceFile {
        path: path.into(),
        source: source.into(),
    };
    let input = AnalyzeInput {
        files: vec![
            file("src/a.ts", "const c = JSON.parse(JSON.stringify(x));\n"),
            file(
                "src/b.ts",
                "export async function f(ids) { for (const id of ids) await fetch(id); }\n",
            ),
        ],
        ..AnalyzeInput::default()
    };
    let json = serde_json::to_string(&input).unwrap();
    let alone = wasm::analyze_json(json.as_bytes(), None, None, None, None, None, None).unwrap();
    assert_eq!(wasm::last_walk_count(), 2);

    let records = wasm::walk_json(json.as_bytes(), None, vec![0, 1], None, Some(7), None).unwrap();
    assert!(records.is_empty(), "kept, not written");
    let merged =
        wasm::analyze_json(json.as_bytes(), None, None, Some(7), None, None, None).unwrap();
    assert_eq!(wasm::last_walk_count(), 0);
    assert_eq!(merged, alone);

    // Another token: the kept walks are not this analysis's, and they wait
    // for their own (analyses may overlap in one process).
    wasm::walk_json(json.as_bytes(), None, vec![0, 1], None, Some(8), Some(true)).unwrap();
    assert_eq!(
        wasm::analyze_json(json.as_bytes(), None, None, Some(9), None, None, None).unwrap(),
        alone
    );
    assert_eq!(wasm::last_walk_count(), 2);
    assert_eq!(
        wasm::analyze_json(json.as_bytes(), None, None, Some(8), None, None, None).unwrap(),
        alone
    );
    assert_eq!(wasm::last_walk_count(), 0);

    // An empty input: the kept walk's own, read once.
    wasm::walk_json(json.as_bytes(), None, vec![0, 1], None, Some(10), None).unwrap();
    assert_eq!(
        wasm::analyze_json(&[], None, None, Some(10), None, None, None).unwrap(),
        alone
    );
    assert_eq!(wasm::last_walk_count(), 0);
    // None kept under that token: an empty input is an error, not a trap.
    assert!(wasm::analyze_json(&[], None, None, Some(10), None, None, None).is_err());

    // Two analyses overlapping: each takes its own walks and input.
    wasm::walk_json(json.as_bytes(), None, vec![0, 1], None, Some(11), None).unwrap();
    wasm::walk_json(json.as_bytes(), None, vec![0, 1], None, Some(12), None).unwrap();
    for token in [11, 12] {
        assert_eq!(
            wasm::analyze_json(&[], None, None, Some(token), None, None, None).unwrap(),
            alone
        );
        assert_eq!(wasm::last_walk_count(), 0);
    }
}

#[wasm_bindgen_test]
fn sources_can_travel_as_one_byte_buffer() {
    let file = |path: &str| SourceFile {
        path: path.into(),
        source: Default::default(),
    };
    let a = "const c = JSON.parse(JSON.stringify(x));\n";
    let b = "// é\nconst d = JSON.parse(JSON.stringify(y));\n";
    let input = AnalyzeInput {
        files: vec![file("src/a.ts"), file("src/b.ts")],
        source_lengths: vec![a.len() as u32, b.len() as u32],
        ..AnalyzeInput::default()
    };
    let bytes = [a.as_bytes(), b.as_bytes()].concat();
    let report = analyze(&input, Some(bytes)).unwrap();
    let found: Vec<(Option<&str>, Option<u32>)> = report
        .diagnostics
        .iter()
        .map(|d| (d.file.as_deref(), d.line))
        .collect();
    assert_eq!(
        found,
        [(Some("src/a.ts"), Some(1)), (Some("src/b.ts"), Some(2))]
    );

    let short = analyze(&input, Some(a.as_bytes().to_vec()));
    let message =
        js_sys::Error::from(wasm_bindgen::JsValue::from(short.err().expect("error"))).message();
    assert!(String::from(message).starts_with("invalid input: sourceLengths add up to"));
}

#[wasm_bindgen_test]
fn bad_metafile_is_an_error_not_a_trap() {
    let err = wasm::package_roots("{\"inputs\": {").err().expect("error");
    let message = wasm_bindgen::JsValue::from(err);
    let text = js_sys::Error::from(message).message();
    assert!(String::from(text).contains("truncated"));
}

#[wasm_bindgen_test]
fn deep_nesting_parses_with_the_raised_stack() {
    // ~700 nested parentheses trap with wasm's default 1 MiB stack; the
    // test runner uses the default, so keep the depth below that here.
    // The release build's deeper limit is tested end to end in JS.
    let depth = 200;
    let source = format!("const x = {}1{};\n", "(".repeat(depth), ")".repeat(depth));
    let input = AnalyzeInput {
        files: vec![SourceFile {
            path: "deep.js".into(),
            source: source.into(),
        }],
        ..AnalyzeInput::default()
    };
    let report = analyze(&input, None).unwrap();
    assert_eq!(report.summary.files, 1);
}

/// Texts `analyzeJson` is not given (`deferred`) are asked of `textOf`
/// only when the core needs them: a file whose walk is given is not asked
/// for; one it walks itself is. The report is the same.
#[wasm_bindgen_test]
fn deferred_texts_are_asked_for_only_when_needed() {
    let texts = [
        "const c = JSON.parse(JSON.stringify(x));\n",
        "export async function f(ids) { for (const id of ids) await fetch(id); }\n",
    ];
    let file = |path: &str, source: &str| SourceFile {
        path: path.into(),
        source: source.into(),
    };
    let input = AnalyzeInput {
        files: vec![file("src/a.ts", texts[0]), file("src/b.ts", texts[1])],
        ..AnalyzeInput::default()
    };
    let json = serde_json::to_string(&input).unwrap();
    let alone = wasm::analyze_json(json.as_bytes(), None, None, None, None, None, None).unwrap();
    let bare = AnalyzeInput {
        files: vec![file("src/a.ts", ""), file("src/b.ts", "")],
        source_lengths: texts.iter().map(|t| t.len() as u32).collect(),
        ..AnalyzeInput::default()
    };
    let bare = serde_json::to_string(&bare).unwrap();
    let (text_of, asked) = text_provider(&texts, "asked");
    for (walked_apart, asked_for) in [(vec![0, 1], vec![]), (vec![0], vec![1])] {
        let records =
            wasm::walk_json(json.as_bytes(), None, walked_apart, None, None, None).unwrap();
        let lazy = wasm::analyze_json(
            bare.as_bytes(),
            Some(Vec::new()),
            Some(records),
            None,
            Some(vec![0, 1]),
            Some(text_of.clone()),
            None,
        )
        .unwrap();
        assert_eq!(lazy, alone);
        assert_eq!(asked(), asked_for);
    }
    // Texts left out with no way to ask for them: refused.
    assert!(wasm::analyze_json(
        bare.as_bytes(),
        Some(Vec::new()),
        None,
        None,
        Some(vec![0, 1]),
        None,
        None
    )
    .is_err());
}

/// The roles the texts of files no entry reaches gave (`lastFileRoles`),
/// given back (`roles`): those files' texts are not asked for again, and
/// the report is the same.
#[wasm_bindgen_test]
fn roles_kept_from_an_earlier_run_spare_the_texts() {
    use perf_optimizer::model::project::{EntryPoint, FileScope};
    let texts = [
        "export default { async fetch() { return new Response('ok'); } };\n",
        "import { test } from 'vitest';\ntest('x', () => {});\n",
        "#!/usr/bin/env node\nconsole.log('seed');\n",
    ];
    let paths = ["src/index.ts", "src/a.test.ts", "tools/seed.ts"];
    let bare = AnalyzeInput {
        files: paths
            .iter()
            .map(|p| SourceFile {
                path: (*p).into(),
                source: Default::default(),
            })
            .collect(),
        source_lengths: texts.iter().map(|t| t.len() as u32).collect(),
        entries: vec![EntryPoint {
            path: "src/index.ts".into(),
            declared_by: "wrangler.toml (main)".into(),
            queue_batch_size: None,
        }],
        scope: FileScope::Reachable,
        ..AnalyzeInput::default()
    };
    let bare = serde_json::to_string(&bare).unwrap();
    let (text_of, asked) = text_provider(&texts, "askedRoles");
    let run = |roles: Option<Vec<u8>>| {
        wasm::analyze_json(
            bare.as_bytes(),
            Some(texts[0].as_bytes().to_vec()),
            None,
            None,
            Some(vec![1, 2]),
            Some(text_of.clone()),
            roles,
        )
        .unwrap()
    };
    let first = run(None);
    // The test and the script are placed by their texts, read on demand.
    assert_eq!(asked(), [1, 2]);
    let roles = wasm::last_file_roles();
    assert_eq!(roles.len(), 3);
    assert_eq!(roles[0], u8::MAX, "the entry's role is no text's");
    assert!(roles[1] != u8::MAX && roles[2] != u8::MAX);
    let again = run(Some(roles));
    assert_eq!(asked(), Vec::<u32>::new());
    assert_eq!(again, first);
    let report: serde_json::Value = serde_json::from_str(&again).unwrap();
    let roles: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["worker", "test", "script"]);
}

/// A `textOf` for `analyzeJson` that gives `texts` by index and notes each
/// index asked for (in the global `log`), and a function that returns the
/// indices asked for since it was last called.
fn text_provider(texts: &[&str], log: &str) -> (js_sys::Function, impl Fn() -> Vec<u32>) {
    let text_of = js_sys::Function::new_with_args(
        "i",
        &format!(
            "(globalThis.{log} ??= []).push(i); return new TextEncoder().encode({}[i]);",
            serde_json::to_string(texts).unwrap()
        ),
    );
    let log = log.to_string();
    let asked = move || {
        let asked = js_sys::eval(&format!("globalThis.{log} ?? []")).unwrap();
        js_sys::eval(&format!("globalThis.{log} = []")).unwrap();
        js_sys::Array::from(&asked)
            .iter()
            .map(|i| i.as_f64().unwrap() as u32)
            .collect()
    };
    (text_of, asked)
}
