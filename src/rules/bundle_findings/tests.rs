use super::*;
use crate::analyses::bundle::graph::why;
use crate::model::report::{Category, Severity};
use crate::rules::test_util::{of, Case};

/// src/index.ts imports zod, lodash (CJS, 150 kB), moment and chanfana;
/// chanfana → @asteasolutions/zod-to-openapi → a nested zod 4; lodash pulls
/// in the `buffer` polyfill; date-fns is a barrel bundled whole.
const META: &str = r#"{
  "inputs": {
    "src/index.ts": {"bytes": 300, "imports": [
      {"path": "node_modules/zod/index.js", "kind": "import-statement", "original": "zod"},
      {"path": "node_modules/lodash/lodash.js", "kind": "import-statement", "original": "lodash"},
      {"path": "node_modules/chanfana/index.js", "kind": "import-statement", "original": "chanfana"},
      {"path": "src/lib/time.ts", "kind": "import-statement", "original": "./lib/time"},
      {"path": "node:crypto", "kind": "import-statement", "external": true}
    ], "format": "esm"},
    "src/lib/time.ts": {"bytes": 100, "imports": [
      {"path": "node_modules/moment/moment.js", "kind": "import-statement", "original": "moment"},
      {"path": "node_modules/date-fns/index.js", "kind": "import-statement", "original": "date-fns"}
    ], "format": "esm"},
    "node_modules/zod/index.js": {"bytes": 60000, "imports": [], "format": "esm"},
    "node_modules/lodash/lodash.js": {"bytes": 150000, "imports": [
      {"path": "node_modules/buffer/index.js", "kind": "require-call", "original": "buffer"}
    ], "format": "cjs"},
    "node_modules/buffer/index.js": {"bytes": 20000, "imports": [], "format": "cjs"},
    "node_modules/moment/moment.js": {"bytes": 40000, "imports": [], "format": "cjs"},
    "node_modules/chanfana/index.js": {"bytes": 5000, "imports": [
      {"path": "node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs", "kind": "import-statement", "original": "@asteasolutions/zod-to-openapi"}
    ], "format": "esm"},
    "node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs": {"bytes": 8000, "imports": [
      {"path": "node_modules/@asteasolutions/zod-to-openapi/node_modules/zod/index.js", "kind": "import-statement", "original": "zod"}
    ], "format": "esm"},
    "node_modules/@asteasolutions/zod-to-openapi/node_modules/zod/index.js": {"bytes": 90000, "imports": [], "format": "esm"},
    "node_modules/date-fns/index.js": {"bytes": 1000, "imports": [
      {"path": "node_modules/date-fns/a.js", "kind": "import-statement"}, {"path": "node_modules/date-fns/b.js", "kind": "import-statement"},
      {"path": "node_modules/date-fns/c.js", "kind": "import-statement"}, {"path": "node_modules/date-fns/d.js", "kind": "import-statement"},
      {"path": "node_modules/date-fns/e.js", "kind": "import-statement"}, {"path": "node_modules/date-fns/f.js", "kind": "import-statement"},
      {"path": "node_modules/date-fns/g.js", "kind": "import-statement"}, {"path": "node_modules/date-fns/h.js", "kind": "import-statement"},
      {"path": "node_modules/date-fns/i.js", "kind": "import-statement"}, {"path": "node_modules/date-fns/j.js", "kind": "import-statement"}
    ], "format": "esm"},
    "node_modules/date-fns/a.js": {"bytes": 4000, "imports": []}, "node_modules/date-fns/b.js": {"bytes": 4000, "imports": []},
    "node_modules/date-fns/c.js": {"bytes": 4000, "imports": []}, "node_modules/date-fns/d.js": {"bytes": 4000, "imports": []},
    "node_modules/date-fns/e.js": {"bytes": 4000, "imports": []}, "node_modules/date-fns/f.js": {"bytes": 4000, "imports": []},
    "node_modules/date-fns/g.js": {"bytes": 4000, "imports": []}, "node_modules/date-fns/h.js": {"bytes": 4000, "imports": []},
    "node_modules/date-fns/i.js": {"bytes": 4000, "imports": []}, "node_modules/date-fns/j.js": {"bytes": 4000, "imports": []}
  },
  "outputs": {
    "dist/index.js": {"bytes": 400000, "entryPoint": "src/index.ts", "inputs": {
      "src/index.ts": {"bytesInOutput": 250}, "src/lib/time.ts": {"bytesInOutput": 90},
      "node_modules/zod/index.js": {"bytesInOutput": 50000},
      "node_modules/lodash/lodash.js": {"bytesInOutput": 140000},
      "node_modules/buffer/index.js": {"bytesInOutput": 19000},
      "node_modules/moment/moment.js": {"bytesInOutput": 38000},
      "node_modules/chanfana/index.js": {"bytesInOutput": 4000},
      "node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs": {"bytesInOutput": 7000},
      "node_modules/@asteasolutions/zod-to-openapi/node_modules/zod/index.js": {"bytesInOutput": 80000},
      "node_modules/date-fns/index.js": {"bytesInOutput": 900},
      "node_modules/date-fns/a.js": {"bytesInOutput": 3900}, "node_modules/date-fns/b.js": {"bytesInOutput": 3900},
      "node_modules/date-fns/c.js": {"bytesInOutput": 3900}, "node_modules/date-fns/d.js": {"bytesInOutput": 3900},
      "node_modules/date-fns/e.js": {"bytesInOutput": 3900}, "node_modules/date-fns/f.js": {"bytesInOutput": 3900},
      "node_modules/date-fns/g.js": {"bytesInOutput": 3900}, "node_modules/date-fns/h.js": {"bytesInOutput": 3900},
      "node_modules/date-fns/i.js": {"bytesInOutput": 3900}, "node_modules/date-fns/j.js": {"bytesInOutput": 3900}
    }}
  }
}"#;

const INDEX: &str = "import { z } from 'zod';\nimport _ from \"lodash\";\nimport {\n  fromHono,\n} from 'chanfana';\nimport { when } from './lib/time';\n";
const TIME: &str = "// time\nimport moment from 'moment';\nimport { format } from 'date-fns';\n";

fn manifests() -> Vec<PackageManifest> {
    let m = |root: &str, name: &str, v: &str| PackageManifest {
        root: root.into(),
        name: name.into(),
        version: Some(v.into()),
    };
    vec![
        m("node_modules/zod", "zod", "3.25.76"),
        m(
            "node_modules/@asteasolutions/zod-to-openapi/node_modules/zod",
            "zod",
            "4.1.0",
        ),
        m("node_modules/chanfana", "chanfana", "2.8.0"),
        m(
            "node_modules/@asteasolutions/zod-to-openapi",
            "@asteasolutions/zod-to-openapi",
            "8.0.0",
        ),
    ]
}

/// The bundle findings of `metafile` (JSON text) with the fixture's
/// sources and manifests, alone (no lint before them).
fn bundle(metafile: &str) -> Case {
    Case::new()
        .file("app/src/index.ts", INDEX)
        .file("app/src/lib/time.ts", TIME)
        .metafile(metafile, manifests())
        .lint_findings(Vec::new())
}

/// The fixture's bundle findings with `config` (JSON text).
fn case(config: &str, nodejs_compat: bool) -> Case {
    bundle(META).config(config).project(ProjectInfo {
        nodejs_compat,
        ..ProjectInfo::default()
    })
}

fn run(config: &str, nodejs_compat: bool) -> Vec<Diagnostic> {
    case(config, nodejs_compat).run()
}

fn at(d: &Diagnostic) -> (&str, Option<u32>) {
    (d.file.as_deref().unwrap_or(""), d.line)
}

/// Every bundle finding of the fixture, word for word, reviewed in the diff
/// (src/rules/snapshots/bundle-findings.snap).
#[test]
fn bundle_findings_snapshot() {
    case("{}", false).assert_snapshot("bundle-findings");
}

#[test]
fn duplicate_package_with_chains_at_the_dependency_import() {
    let all = run("{}", true);
    let dups = of(&all, "duplicate-package");
    assert_eq!(dups.len(), 1, "{all:#?}");
    let d = dups[0];
    assert_eq!(
        d.message,
        "`zod` is bundled 2 times (127 KiB in all): zod 4.1.0 (78.1 KiB) via chanfana → @asteasolutions/zod-to-openapi, zod 3.25.76 (48.8 KiB) from your code"
    );
    assert_eq!(
        at(d),
        ("app/src/index.ts", Some(3)),
        "the multi-line chanfana import starts on line 3"
    );
    assert!(d.help.contains("overrides"));
    assert_eq!(d.category, Category::Bundle);
}

#[test]
fn heavy_dependency_bundle_form_and_merge_with_the_source_finding() {
    let all = run("{}", true);
    let heavy = of(&all, "heavy-dependency");
    let mut places: Vec<_> = heavy.iter().map(|d| at(d)).collect();
    places.sort();
    // lodash (140 kB > 100 kB) and moment (in the Workers table, 38 kB);
    // zod 4 (80 kB) is under the threshold.
    assert_eq!(
        places,
        [
            ("app/src/index.ts", Some(2)),
            ("app/src/lib/time.ts", Some(2))
        ],
        "{heavy:#?}"
    );
    let lodash = heavy
        .iter()
        .find(|d| d.message.starts_with("`lodash`"))
        .unwrap();
    assert!(lodash.message.contains("136.7 KiB"), "{}", lodash.message);
    assert!(lodash.message.contains("es-toolkit"), "{}", lodash.message);

    // A lower threshold catches zod 4 through its chain.
    let all = run(
        r#"{"rules":{"heavy-dependency":["warning",{"threshold":"60 kB"}]}}"#,
        true,
    );
    let zod = of(&all, "heavy-dependency")
        .into_iter()
        .find(|d| d.message.starts_with("`zod`"))
        .expect("zod 4 over 60 kB");
    assert!(
        zod.message
            .contains("via chanfana → @asteasolutions/zod-to-openapi"),
        "{}",
        zod.message
    );
    // The help names what the project imports, not the nested package.
    assert!(
        zod.help
            .starts_with("`zod` comes with `chanfana`: load `chanfana` on the path that needs it with `await import('chanfana')`"),
        "{}",
        zod.help
    );

    // The source rule's finding on the same import is enriched, not doubled.
    let existing = vec![Diagnostic {
        group: None,
        related: Vec::new(),
        rule: "heavy-dependency".into(),
        severity: Severity::Warning,
        category: Category::ColdStart,
        message: "`moment` is heavy for a Worker".into(),
        file: Some("app/src/lib/time.ts".into()),
        line: Some(2),
        column: Some(1),
        end_line: None,
        end_column: None,
        help: String::new(),
        docs: String::new(),
    }];
    let all = case("{}", true).lint_findings(existing).run();
    let moment: Vec<_> = of(&all, "heavy-dependency")
        .into_iter()
        .filter(|d| d.message.starts_with("`moment`"))
        .collect();
    assert_eq!(moment.len(), 1, "{moment:#?}");
    assert_eq!(
        moment[0].message,
        "`moment` is heavy for a Worker (37.1 KiB in the bundle)"
    );
    assert_eq!(moment[0].category, Category::ColdStart);
}

#[test]
fn commonjs_dependency_for_cjs_packages_only() {
    let all = run("{}", true);
    let cjs = of(&all, "commonjs-dependency");
    let names: Vec<_> = cjs
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap())
        .collect();
    assert_eq!(names, ["lodash", "moment"], "{cjs:#?}");
    assert!(cjs[0].help.contains("lodash-es"));
    assert_eq!(at(cjs[0]), ("app/src/index.ts", Some(2)));
}

#[test]
fn node_polyfill_pulled_in_by_a_dependency() {
    let all = run("{}", true);
    let poly = of(&all, "node-polyfill");
    assert_eq!(poly.len(), 1, "{poly:#?}");
    assert!(
        poly[0].message.contains("`buffer` (18.6 KiB)"),
        "{}",
        poly[0].message
    );
    assert!(
        poly[0].message.contains("via lodash"),
        "{}",
        poly[0].message
    );
    assert_eq!(at(poly[0]), ("app/src/index.ts", Some(2)));

    // Without nodejs_compat: the polyfill, and the external node:crypto.
    let all = run("{}", false);
    let poly = of(&all, "node-polyfill");
    assert_eq!(poly.len(), 2, "{poly:#?}");
    assert!(poly
        .iter()
        .any(|d| d.message.contains("`node:crypto` but nodejs_compat is off")));
}

#[test]
fn unused_in_bundle_for_a_barrel_bundled_whole() {
    let all = run("{}", true);
    let unused = of(&all, "unused-in-bundle");
    assert_eq!(unused.len(), 1, "{unused:#?}");
    assert!(unused[0]
        .message
        .starts_with("`date-fns` is imported from its root"));
    assert!(unused[0].help.contains("date-fns/format"));
    assert_eq!(at(unused[0]), ("app/src/lib/time.ts", Some(3)));
}

#[test]
fn config_turns_bundle_rules_off_and_changes_severity() {
    let all = run(
        r#"{"rules":{"duplicate-package":"off","commonjs-dependency":"error","heavy-dependency":"off"}}"#,
        true,
    );
    assert!(of(&all, "duplicate-package").is_empty());
    assert!(of(&all, "heavy-dependency").is_empty());
    assert!(of(&all, "commonjs-dependency")
        .iter()
        .all(|d| d.severity == Severity::Error));
}

#[test]
fn must_not_fire_on_a_small_esm_bundle() {
    Case::new()
        .metafile(
            r#"{"inputs":{"src/a.ts":{"bytes":10,"imports":[{"path":"node_modules/hono/i.js","kind":"import-statement","original":"hono"}]},
            "node_modules/hono/i.js":{"bytes":9000,"imports":[],"format":"esm"},
            "node_modules/wrangler/templates/x.js":{"bytes":500,"imports":[{"path":"node_modules/buffer/index.js","kind":"import-statement"}]},
            "node_modules/buffer/index.js":{"bytes":500,"imports":[],"format":"cjs"}},
            "outputs":{"o.js":{"bytes":9000,"entryPoint":"src/a.ts","inputs":{"src/a.ts":{"bytesInOutput":10},"node_modules/hono/i.js":{"bytesInOutput":8000}}}}}"#,
            Vec::new(),
        )
        .assert_silent();
}

#[test]
fn why_lists_chains_shortest_first() {
    let meta = Metafile::parse(META).unwrap();
    assert_eq!(
        why(&meta, "moment"),
        [[
            "src/index.ts",
            "src/lib/time.ts",
            "node_modules/moment/moment.js"
        ]]
    );
    let zod = why(&meta, "zod");
    assert_eq!(zod.len(), 2);
    assert_eq!(zod[0], ["src/index.ts", "node_modules/zod/index.js"]);
    assert_eq!(zod[1].len(), 4, "{zod:?}");
    assert_eq!(
        why(&meta, "lib/time.ts"),
        [["src/index.ts", "src/lib/time.ts"]]
    );
    assert!(why(&meta, "left-pad").is_empty());
}

#[test]
fn import_line_scan() {
    assert_eq!(
        import_line("const x = require('lodash');", "lodash"),
        Some((1, 1))
    );
    assert_eq!(
        import_line("// lodash\n  export * from \"lodash\";", "lodash"),
        Some((2, 3))
    );
    assert_eq!(import_line("const s = 'lodash';", "lodash"), None);
    // Lines as JavaScript counts them: CR alone and U+2028 end a line too.
    for eol in ["\r", "\r\n", "\u{2028}"] {
        let src = format!("// a{eol}// b{eol}import x from 'lodash';");
        assert_eq!(import_line(&src, "lodash"), Some((3, 1)), "{eol:?}");
    }
}

#[test]
fn every_bundle_rule_is_known_and_documented() {
    let known = crate::rules::known_rule_ids();
    for id in BUNDLE_RULE_IDS {
        assert!(known.contains(id), "{id}");
        let doc = format!("{}/docs/rules/{id}.md", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&doc).unwrap_or_else(|_| panic!("{doc} is missing"));
        assert!(text.starts_with(&format!("# {id}")));
    }
}

#[test]
fn subpath_imports_and_threshold_only_packages_stay_quiet() {
    // date-fns also imported by subpath: not unused-in-bundle.
    let text = META.replace(
        r#"{"path": "node_modules/date-fns/index.js", "kind": "import-statement", "original": "date-fns"}"#,
        r#"{"path": "node_modules/date-fns/index.js", "kind": "import-statement", "original": "date-fns"},
      {"path": "node_modules/date-fns/a.js", "kind": "import-statement", "original": "date-fns/a"}"#,
    );
    let all = bundle(&text).run();
    assert!(of(&all, "unused-in-bundle").is_empty(), "{all:#?}");
    // zod 3 over a 40 kB threshold, imported once: one finding, not one per import.
    let all = bundle(&text)
        .config(r#"{"rules":{"heavy-dependency":["warning",{"threshold":40000}]}}"#)
        .run();
    let zod: Vec<_> = of(&all, "heavy-dependency")
        .into_iter()
        .filter(|d| d.message.starts_with("`zod`"))
        .collect();
    assert_eq!(zod.len(), 2, "one per copy: {zod:#?}");
}

#[test]
fn every_bundle_finding_has_the_category_its_rule_declares() {
    // One source: the report and the `rules` listing agree on each rule's category.
    let all = run("{}", true);
    assert!(!of(&all, "heavy-dependency").is_empty(), "{all:#?}");
    for d in &all {
        let declared = crate::rules::declaration(&d.rule).map(|r| r.meta.category);
        assert_eq!(Some(d.category), declared, "{}", d.rule);
    }
}

/// A package with a lighter replacement (js-yaml → yaml) under the
/// threshold is reported where the project imports it itself, not when a
/// dependency pulls it in (the project cannot switch it).
#[test]
fn a_replaceable_package_under_the_threshold_counts_only_when_imported_directly() {
    let meta = |importer: &str| {
        format!(
            r#"{{"inputs":{{"src/a.ts":{{"bytes":10,"imports":[{{"path":"node_modules/{importer}/i.js","kind":"import-statement","original":"{importer}"}}]}},
            "node_modules/chanfana/i.js":{{"bytes":900,"imports":[{{"path":"node_modules/js-yaml/i.js","kind":"import-statement","original":"js-yaml"}}],"format":"esm"}},
            "node_modules/js-yaml/i.js":{{"bytes":40000,"imports":[],"format":"esm"}}}},
            "outputs":{{"o.js":{{"bytes":41000,"entryPoint":"src/a.ts","inputs":{{"src/a.ts":{{"bytesInOutput":10}},"node_modules/chanfana/i.js":{{"bytesInOutput":900}},"node_modules/js-yaml/i.js":{{"bytesInOutput":40000}}}}}}}}}}"#
        )
    };
    let heavy = |importer: &str| {
        let found = Case::new()
            .file("src/a.ts", &format!("import x from '{importer}';\n"))
            .metafile(&meta(importer), Vec::new())
            .lint_findings(Vec::new())
            .run();
        of(&found, "heavy-dependency")
            .into_iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(heavy("chanfana"), Vec::<String>::new());
    let direct = heavy("js-yaml");
    assert_eq!(direct.len(), 1, "{direct:?}");
    assert!(
        direct[0].starts_with("`js-yaml` adds 39.1 KiB to the bundle"),
        "{direct:?}"
    );
}
