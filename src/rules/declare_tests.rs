//! Tests over every declaration: docs/rules/<id>.md is generated from it
//! (`UPDATE_DOCS=1 cargo test --lib rule_docs` writes them; otherwise a
//! stale page fails), and every doc example runs: the `Bad` one must fire
//! the rule, the `Good` one must not, and what the `Bad` one reports is a
//! reviewed snapshot (src/rules/snapshots/<id>.snap).

use std::path::Path;

use super::declarations;
use super::test_util::lint_project;
use crate::engine::declare::{Declaration, Examples, Kind, RULES_DIR};
use crate::model::project::ProjectInfo;
use crate::model::report::Diagnostic;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rule_docs_are_generated_from_the_declarations() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let dir = root().join("docs/rules");
    let mut stale = Vec::new();
    for decl in declarations() {
        let path = dir.join(format!("{}.md", decl.meta.id));
        let text = decl.docs.render(&decl.meta);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    // No page without a declaration.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".md");
        if !declarations().iter().any(|d| d.meta.id == id) {
            stale.push(format!("docs/rules/{name} (no declaration in {RULES_DIR})"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (run `UPDATE_DOCS=1 cargo test --lib rule_docs`):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_declaration_is_complete() {
    let ids: Vec<&str> = declarations().iter().map(|d| d.meta.id).collect();
    // `rule_infos` relies on build.rs's file-name order being id order.
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "declarations in id order, no duplicate: {ids:?}"
    );
    for decl in declarations() {
        let id = decl.meta.id;
        assert!(
            id.starts_with(|c: char| c.is_ascii_lowercase())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}: kebab-case (digits allowed after the first letter: d1-full-scan)"
        );
        assert!(!decl.meta.summary.is_empty(), "{id}: summary");
        let headings: Vec<&str> = decl.docs.sections.iter().map(|(h, _)| *h).collect();
        match decl.docs.examples {
            Examples::Run => {
                assert!(
                    matches!(decl.kind, Kind::Source(_) | Kind::Project(_)),
                    "{id}: only source and project rules' examples can run"
                );
                assert!(decl.docs.example("Bad").is_some(), "{id}: a Bad example");
                assert!(decl.docs.example("Good").is_some(), "{id}: a Good example");
            }
            Examples::NotRunnable(why) => {
                assert!(
                    matches!(decl.kind, Kind::Reported { .. }),
                    "{id}: a source or project rule's examples must run"
                );
                assert!(!why.is_empty(), "{id}: say why the examples cannot run");
                assert!(
                    headings.contains(&"Bad") || headings.contains(&"Example"),
                    "{id}: an example, {headings:?}"
                );
            }
        }
    }
}

/// An example's files, SQL files and bindings, from its hidden lines.
struct Example {
    files: Vec<(String, String)>,
    sql: Vec<(String, String)>,
    project: ProjectInfo,
    /// Files marked `# @entry`: Worker entries.
    entries: Vec<String>,
}

fn example(language: &str, code: &str) -> Example {
    let default = match language {
        "js" | "javascript" => "test.js",
        "tsx" => "test.tsx",
        _ => "test.ts",
    };
    let mut files: Vec<(String, String)> = vec![(default.into(), String::new())];
    let mut project = ProjectInfo::default();
    let mut entries = Vec::new();
    for line in code.lines() {
        let line = match line.strip_prefix("# @") {
            Some(directive) => {
                let (what, arg) = directive.split_once(' ').unwrap_or((directive, ""));
                match what {
                    "file" => files.push((arg.trim().into(), String::new())),
                    "example" => panic!("`# @example` belongs in the setup"),
                    "d1" => project.d1.push(arg.trim().into()),
                    "hyperdrive" => project.hyperdrive.push(arg.trim().into()),
                    // The file so far is a Worker entry.
                    "entry" => entries.push(files.last().expect("a file").0.clone()),
                    other => panic!("unknown example directive `# @{other}`"),
                }
                continue;
            }
            None if line == "#" => "",
            None => line.strip_prefix("# ").unwrap_or(line),
        };
        let text = &mut files.last_mut().expect("a file").1;
        text.push_str(line);
        text.push('\n');
    }
    files.retain(|(path, text)| path != default || !text.trim().is_empty());
    let (sql, files) = files.into_iter().partition(|(p, _)| p.ends_with(".sql"));
    Example {
        files,
        sql,
        project,
        entries,
    }
}

fn run_example(decl: &Declaration, heading: &str) -> Vec<Diagnostic> {
    let (language, code) = decl.docs.example_in_setup(heading).expect("an example");
    let ex = example(language, &code);
    if ex.entries.is_empty() {
        return lint_project(
            decl.meta.id,
            &as_refs(&ex.files),
            &as_refs(&ex.sql),
            &ex.project,
        );
    }
    let mut case = super::test_util::Case::new()
        .files(as_refs(&ex.files))
        .sqls(as_refs(&ex.sql))
        .project(ex.project.clone())
        .rules(&[decl.meta.id]);
    for entry in &ex.entries {
        case = case.entry(entry);
    }
    case.run()
}

fn as_refs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect()
}

#[test]
fn doc_examples_fire_and_stay_silent() {
    let mut failures = Vec::new();
    for decl in declarations() {
        if decl.docs.examples != Examples::Run {
            continue;
        }
        let id = decl.meta.id;
        let bad = run_example(decl, "Bad");
        let parse_errors: Vec<&Diagnostic> =
            bad.iter().filter(|d| d.rule == "parse-error").collect();
        if !parse_errors.is_empty() {
            failures.push(format!(
                "{id}: Bad does not parse: {}",
                parse_errors[0].message
            ));
        } else if !bad.iter().any(|d| d.rule == id) {
            failures.push(format!("{id}: Bad does not fire"));
        }
        // What the Bad example reports, word for word, is reviewed in the
        // diff (src/rules/snapshots/<id>.snap).
        failures.extend(super::test_util::check_snapshot(id, &bad));
        let good = run_example(decl, "Good");
        if let Some(d) = good.first() {
            failures.push(format!("{id}: Good reports {}: {}", d.rule, d.message));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[should_panic(expected = "`await-in-lop` is not a declared rule (did you mean `await-in-loop`?)")]
fn silence_of_a_misspelled_rule_fails() {
    super::test_util::assert_silent("await-in-lop", "const x = 1;");
}
