//! The one test harness for every kind of finding: source rules, project
//! (database) rules, bundle findings and startup findings. A [`Case`] holds
//! the input (files, SQL files, the project's bindings, a config, a bundle's
//! metafile and package manifests, startup profiles) and runs the steps of
//! the pipeline it has input for: the lint (source and project rules), then
//! the bundle findings (which enrich the lint's findings on the same
//! import), then the startup findings (through the pipeline's own
//! [`super::startup_step`]).
//!
//! ```ignore
//! Case::new()
//!     .file("src/index.ts", SOURCE)
//!     .sql("migrations/0001.sql", SCHEMA)
//!     .project(d1_project())
//!     .rules(&["drizzle-missing-index"])
//!     .assert_fires(&[("src/index.ts", 4, "no index")]);
//! ```
//!
//! Naming a rule that is not declared fails at once (a misspelled id would
//! make every silence assertion pass), and so does naming a finding whose
//! input the case lacks (a bundle finding without a metafile, a startup
//! finding without profiles). Snapshots
//! (`file:line:column rule (severity): message` and the help) are reviewed
//! in the diff under src/rules/snapshots/; `UPDATE_SNAPSHOTS=1` writes them.

use crate::analyses::bundle::{Metafile, PackageManifest};
use crate::analyses::startup::StartupInput;
use crate::engine::declare::Kind;
use crate::engine::{Linter, SourceFile};
use crate::model::config::{Config, Level, RuleSetting};
use crate::model::project::{EntryPoint, FileScope, ProjectInfo};
use crate::model::report::{Category, Diagnostic};

/// Files of the example Workers, as `(path, source)` with the path under
/// examples/: `example_files!("worker", ["src/index.ts"])` is
/// `[("worker/src/index.ts", <examples/worker/src/index.ts>)]`.
macro_rules! example_files {
    ($dir:literal, [$($file:literal),* $(,)?]) => {
        [$((
            concat!($dir, "/", $file),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/", $dir, "/", $file)),
        )),*]
    };
}
pub(crate) use example_files;

/// The sources of examples/worker (the Worker with planted problems), but
/// src/lib/collation.ts, as `(path under examples/, source)`.
pub fn example_worker() -> [(&'static str, &'static str); 9] {
    example_files!(
        "worker",
        [
            "src/index.ts",
            "src/db.ts",
            "src/env.ts",
            "src/schema.ts",
            "src/lib/catalog.ts",
            "src/lib/format.ts",
            "src/lib/index.ts",
            "src/routes/orders.ts",
            "src/routes/users.ts",
        ]
    )
}

/// The sources of examples/worker-fixed (the corrected Worker).
pub fn example_worker_fixed() -> [(&'static str, &'static str); 10] {
    example_files!(
        "worker-fixed",
        [
            "src/index.ts",
            "src/db.ts",
            "src/env.ts",
            "src/schema.ts",
            "src/lib/catalog.ts",
            "src/lib/concurrency.ts",
            "src/lib/format.ts",
            "src/lib/index.ts",
            "src/routes/orders.ts",
            "src/routes/users.ts",
        ]
    )
}

/// One input to lint, and what to keep of its findings.
#[derive(Default)]
pub struct Case {
    files: Vec<SourceFile>,
    sql: Vec<SourceFile>,
    project: ProjectInfo,
    config: Config,
    /// Only these rules are on, and only their findings are kept.
    rules: Option<Vec<String>>,
    category: Option<Category>,
    bundle: Option<(Metafile, Vec<PackageManifest>)>,
    /// The lint's findings the bundle step sees, instead of linting.
    existing: Option<Vec<Diagnostic>>,
    startup: Option<StartupInput>,
    /// The Worker's entry points, for the startup step.
    entries: Vec<String>,
}

impl Case {
    pub fn new() -> Case {
        Case::default()
    }

    /// A source file (the path picks the syntax).
    pub fn file(mut self, path: &str, source: &str) -> Case {
        self.files.push(source_file(path, source));
        self
    }

    /// Several source files; see [`example_files!`].
    pub fn files<'a>(mut self, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Case {
        self.files
            .extend(files.into_iter().map(|(p, s)| source_file(p, s)));
        self
    }

    /// A SQL schema or migration file.
    pub fn sql(mut self, path: &str, source: &str) -> Case {
        self.sql.push(source_file(path, source));
        self
    }

    /// Several SQL files.
    pub fn sqls<'a>(mut self, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Case {
        self.sql
            .extend(files.into_iter().map(|(p, s)| source_file(p, s)));
        self
    }

    /// The project's bindings and flags (wrangler's).
    pub fn project(mut self, project: ProjectInfo) -> Case {
        self.project = project;
        self
    }

    /// The config, as JSON text (validated as the CLI does).
    pub fn config(mut self, json: &str) -> Case {
        self.config = Config::parse(json, &super::known_rule_ids()).expect("a valid config");
        self
    }

    /// Only `rules` on (as errors; every other source and project rule
    /// off), and only their findings (and parse errors) kept. Findings made
    /// outside the lint (bundle, startup) keep the severity the config or
    /// their declaration gives them. Panics on an undeclared id.
    pub fn rules(mut self, rules: &[&str]) -> Case {
        for rule in rules {
            assert_declared(rule);
        }
        self.rules = Some(rules.iter().map(|r| r.to_string()).collect());
        self
    }

    /// Only findings of `category` (and parse errors) kept.
    pub fn category(mut self, category: Category) -> Case {
        self.category = Some(category);
        self
    }

    /// A bundle: esbuild's metafile (JSON text) and the manifests of the
    /// packages in it. The case's files are the first-party sources.
    pub fn metafile(mut self, json: &str, manifests: Vec<PackageManifest>) -> Case {
        let metafile = Metafile::parse(json).expect("a valid metafile");
        self.bundle = Some((metafile, manifests));
        self
    }

    /// The lint's findings as the bundle step gets them, instead of linting
    /// the files (to test the bundle findings alone, or their merge with a
    /// given source finding). They are part of the result.
    pub fn lint_findings(mut self, existing: Vec<Diagnostic>) -> Case {
        self.existing = Some(existing);
        self
    }

    /// Startup profiles and the bundle's source map, as the pipeline takes
    /// them (`check --startup`). The case's files are the first-party
    /// sources (their suppression comments apply).
    pub fn startup(mut self, input: StartupInput) -> Case {
        self.startup = Some(input);
        self
    }

    /// A Worker entry point (the startup step describes its module instead
    /// of advising to defer it; rules know the file is an entry). The lint
    /// still takes every file.
    pub fn entry(mut self, path: &str) -> Case {
        self.entries.push(path.into());
        self
    }

    /// The findings, in report order: the lint's, then the bundle's, then
    /// the startup's.
    pub fn run(&self) -> Vec<Diagnostic> {
        let mut config = self.config.clone();
        if let Some(rules) = &self.rules {
            for d in super::all().chain(super::project()) {
                let level = if rules.iter().any(|r| r == d.meta.id) {
                    Level::Error
                } else {
                    Level::Off
                };
                // The case's own options for a rule it turns on stay.
                let setting = match config.rules.get(d.meta.id) {
                    Some(RuleSetting::WithOptions(_, o)) if level == Level::Error => {
                        RuleSetting::WithOptions(level, o.clone())
                    }
                    _ => RuleSetting::Level(level),
                };
                config.rules.insert(d.meta.id.into(), setting);
            }
            for rule in rules {
                // A finding made outside the lint needs its step's input.
                match super::declaration(rule).map(|d| d.kind) {
                    Some(Kind::Reported { by, .. }) if by.contains("bundle_findings") => assert!(
                        self.bundle.is_some(),
                        "`{rule}` is a bundle finding: the case needs a metafile"
                    ),
                    Some(Kind::Reported { by, .. }) if by.contains("startup") => assert!(
                        self.startup.is_some(),
                        "`{rule}` comes from startup profiles: the case needs `.startup(…)`"
                    ),
                    _ => {}
                }
            }
        }
        let (mut found, suppressions) = match &self.existing {
            Some(existing) => (existing.clone(), Vec::new()),
            None => {
                let registry = super::registry();
                let linter = Linter::new(&config, &self.project, &registry);
                // Every file is analyzed either way; entries are known to the
                // rules (`LintContext::is_entry`) when the case names them.
                let entries: Vec<EntryPoint> = self
                    .entries
                    .iter()
                    .map(|path| EntryPoint {
                        path: path.clone(),
                        ..EntryPoint::default()
                    })
                    .collect();
                let out = linter.lint_scoped(&self.files, &self.sql, &entries, FileScope::All);
                assert_same_when_precomputed(&linter, &self.files, &self.sql, &entries, &out);
                (out.diagnostics, out.suppressions)
            }
        };
        if let Some((metafile, manifests)) = &self.bundle {
            let mut bundle = super::bundle_step(
                metafile,
                manifests,
                &self.files,
                &self.project,
                &config,
                &mut found,
            );
            crate::engine::suppress::retain_unsuppressed(&mut bundle, &suppressions);
            found.extend(bundle);
        }
        if let Some(startup) = &self.startup {
            let entries: Vec<&str> = self.entries.iter().map(String::as_str).collect();
            let (_, findings) = super::startup_step(startup, &entries, &config, &suppressions)
                .expect("a valid startup input");
            found.extend(findings);
        }
        found.retain(|d| {
            d.rule == "parse-error"
                || self
                    .rules
                    .as_ref()
                    .is_none_or(|rules| rules.contains(&d.rule))
                    && self.category.is_none_or(|c| d.category == c)
        });
        found
    }

    /// `(file, line, rule)` of each finding, sorted.
    pub fn places(&self) -> Vec<(String, u32, String)> {
        places(&self.run())
    }

    /// Asserts the findings are exactly `expected` (file, line, message
    /// fragment), in report order. Returns them.
    pub fn assert_fires(&self, expected: &[(&str, u32, &str)]) -> Vec<Diagnostic> {
        let found = self.run();
        let got: Vec<(&str, u32, &str)> = found
            .iter()
            .map(|d| {
                (
                    d.file.as_deref().unwrap_or(""),
                    d.line.unwrap_or(0),
                    d.message.as_str(),
                )
            })
            .collect();
        let sources = self.sources();
        assert_eq!(
            got.len(),
            expected.len(),
            "expected {expected:?}, got {got:#?}\n{sources}"
        );
        for ((file, line, msg), (efile, eline, efrag)) in got.iter().zip(expected) {
            assert_eq!(
                (file, line),
                (efile, eline),
                "wrong place for {msg:?}\n{sources}"
            );
            assert!(
                msg.contains(efrag),
                "message {msg:?} lacks {efrag:?}\n{sources}"
            );
        }
        found
    }

    /// Asserts there is no finding.
    pub fn assert_silent(&self) {
        let found = self.run();
        assert!(
            found.is_empty(),
            "expected no finding, got {found:#?}\n{}",
            self.sources()
        );
    }

    /// Asserts the findings match the reviewed snapshot `name`.
    pub fn assert_snapshot(&self, name: &str) {
        assert_snapshot(name, &self.run());
    }

    /// The files, for failure messages.
    fn sources(&self) -> String {
        self.files
            .iter()
            .map(|f| format!("--- {} ---\n{}", f.path, f.source))
            .collect()
    }
}

fn source_file(path: &str, source: &str) -> SourceFile {
    SourceFile {
        path: path.into(),
        source: source.into(),
    }
}

/// Every case is linted twice: once in one call, once with each file's
/// walk computed apart, encoded and read back (what the wrapper's threads
/// and its cache hand the core); both must find the same, and the second
/// must walk no file again.
pub fn assert_same_when_precomputed(
    linter: &Linter<'_>,
    files: &[SourceFile],
    sql: &[SourceFile],
    entries: &[EntryPoint],
    out: &crate::engine::LintOutput,
) {
    let all: Vec<u32> = (0..files.len() as u32).collect();
    let records = linter
        .walk_records(files, entries, FileScope::All, all.iter().copied())
        .expect("every file walks");
    let precomputed = crate::engine::Precomputed::parse(&records, files.len()).expect("records");
    let again = linter.lint_precomputed(files, sql, entries, FileScope::All, &precomputed);
    assert_eq!(again.files_walked, 0, "a precomputed walk was not used");
    assert_eq!(out.files_walked, files.len() as u32);
    assert_eq!(
        format!(
            "{:?}",
            (&again.diagnostics, &again.suppressions, &again.files)
        ),
        format!("{:?}", (&out.diagnostics, &out.suppressions, &out.files)),
        "the findings differ when the walks are computed apart"
    );
    assert_eq!(
        (again.files_analyzed, &again.notes),
        (out.files_analyzed, &out.notes)
    );
}

/// `(file, line, rule)` of each finding, sorted.
pub fn places(found: &[Diagnostic]) -> Vec<(String, u32, String)> {
    let mut out: Vec<(String, u32, String)> = found
        .iter()
        .map(|d| {
            (
                d.file.clone().unwrap_or_default(),
                d.line.unwrap_or(0),
                d.rule.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `(file, line, rule)` tuples from literals, for comparing with [`places`].
pub fn owned_places(list: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    list.iter()
        .map(|(f, l, r)| (f.to_string(), *l, r.to_string()))
        .collect()
}

/// The findings of `rule`.
pub fn of<'d>(all: &'d [Diagnostic], rule: &str) -> Vec<&'d Diagnostic> {
    all.iter().filter(|d| d.rule == rule).collect()
}

/// Panics unless `rule` is declared: a misspelled id would make every
/// "silent" assertion pass.
pub fn assert_declared(rule: &str) {
    assert!(
        super::declaration(rule).is_some(),
        "`{rule}` is not a declared rule{}",
        crate::model::text::did_you_mean(rule, &super::known_rule_ids())
            .map(|best| format!(" (did you mean `{best}`?)"))
            .unwrap_or_default()
    );
}

/// Lints `source` as `test.ts` with only `rules` on: (line, rule) of each
/// finding, in report order.
pub fn lint_rules(rules: &[&str], source: &str) -> Vec<(u32, String)> {
    Case::new()
        .file("test.ts", source)
        .rules(rules)
        .run()
        .into_iter()
        .map(|d| (d.line.unwrap_or(0), d.rule))
        .collect()
}

/// A project with a D1 binding `DB` (D1 is the database).
pub fn d1_project() -> ProjectInfo {
    ProjectInfo {
        d1: vec!["DB".into()],
        ..ProjectInfo::default()
    }
}

/// A project with a Hyperdrive binding `HYPERDRIVE` (Postgres is the database).
pub fn pg_project() -> ProjectInfo {
    ProjectInfo {
        hyperdrive: vec!["HYPERDRIVE".into()],
        ..ProjectInfo::default()
    }
}

/// Lints `source` (as `path`, which picks the syntax) with only `rule` on.
pub fn lint_with(rule: &str, path: &str, source: &str) -> Vec<Diagnostic> {
    Case::new().file(path, source).rules(&[rule]).run()
}

/// Lints several files (and SQL schema/migration files) as one project with
/// only `rule` on.
pub fn lint_project(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
) -> Vec<Diagnostic> {
    project_case(rule, files, sql, project).run()
}

fn project_case(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
) -> Case {
    Case::new()
        .files(files.iter().copied())
        .sqls(sql.iter().copied())
        .project(project.clone())
        .rules(&[rule])
}

/// Asserts that `rule` fires exactly at `expected` (line, message fragment)
/// on `source` as `test.ts`.
pub fn assert_fires(rule: &str, source: &str, expected: &[(u32, &str)]) {
    let expected: Vec<(&str, u32, &str)> =
        expected.iter().map(|(l, m)| ("test.ts", *l, *m)).collect();
    Case::new()
        .file("test.ts", source)
        .rules(&[rule])
        .assert_fires(&expected);
}

/// Asserts that `rule` does not fire on `source` as `test.ts`.
pub fn assert_silent(rule: &str, source: &str) {
    Case::new()
        .file("test.ts", source)
        .rules(&[rule])
        .assert_silent();
}

/// Asserts that `rule` fires exactly at `expected` (file, line, message
/// fragment) on a multi-file project.
pub fn assert_project_fires(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
    expected: &[(&str, u32, &str)],
) -> Vec<Diagnostic> {
    project_case(rule, files, sql, project).assert_fires(expected)
}

/// Asserts that `rule` does not fire on a multi-file project.
pub fn assert_project_silent(
    rule: &str,
    files: &[(&str, &str)],
    sql: &[(&str, &str)],
    project: &ProjectInfo,
) {
    project_case(rule, files, sql, project).assert_silent();
}

/// Findings as a snapshot shows them: `file:line:column rule (severity):
/// message`, then the help indented. One line per finding, in report order.
pub fn render_snapshot(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = crate::model::text::location(d).unwrap_or_else(|| "(project)".into());
        let severity = format!("{:?}", d.severity).to_ascii_lowercase();
        out.push_str(&format!("{at} {} ({severity}): {}\n", d.rule, d.message));
        if !d.help.is_empty() {
            out.push_str(&format!("    help: {}\n", d.help));
        }
    }
    out
}

/// Compares `diagnostics` with the reviewed snapshot src/rules/snapshots/
/// `name`.snap; `UPDATE_SNAPSHOTS=1` writes it instead. Returns the problem
/// (`None` when they match), so callers can gather every mismatch.
pub fn check_snapshot(name: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/snapshots");
    let path = dir.join(format!("{name}.snap"));
    let actual = render_snapshot(diagnostics);
    let expected = std::fs::read_to_string(&path).ok();
    if expected.as_deref() == Some(actual.as_str()) {
        return None;
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(&dir).expect("snapshot folder");
        std::fs::write(&path, &actual).expect("snapshot written");
        return None;
    }
    Some(match expected {
        None => format!("{name}: no snapshot yet (review it with `UPDATE_SNAPSHOTS=1 cargo test --lib`)\n{actual}"),
        Some(expected) => format!(
            "{name}: the findings differ from src/rules/snapshots/{name}.snap (review, then `UPDATE_SNAPSHOTS=1 cargo test --lib`)\n--- expected\n{expected}--- actual\n{actual}"
        ),
    })
}

/// [`check_snapshot`], failing the test on a mismatch.
pub fn assert_snapshot(name: &str, diagnostics: &[Diagnostic]) {
    if let Some(problem) = check_snapshot(name, diagnostics) {
        panic!("{problem}");
    }
}
