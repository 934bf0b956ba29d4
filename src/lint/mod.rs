//! Source analysis: one swc parse and ONE traversal per file, every enabled
//! rule dispatched from the same walk (the shape of oxlint's and Biome's
//! analyzers). Rules never parse, never read files and never print.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use swc_core::common::comments::SingleThreadedComments;
use swc_core::common::{BytePos, Span, Spanned};
use swc_core::ecma::ast::{EsVersion, Program};
use swc_core::ecma::parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};

use crate::analyze::ProjectInfo;
use crate::config::Config;
use crate::report::{docs_url, Category, Diagnostic, Severity};

pub mod context;
pub mod declare;
#[cfg(test)]
mod declare_tests;
pub mod imports;
pub mod position;
pub mod rules;
pub(crate) mod suppress;
#[cfg(test)]
pub mod test_util;
mod walker;

pub use context::{Frame, LintContext, Node, NodeKind};
use position::LineIndex;

/// Offset of the first byte: swc treats `BytePos(0)` as "no position".
pub(crate) const START: u32 = 1;

/// One source file as the wrapper read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SourceFile {
    /// Relative to the working directory, `/`-separated.
    pub path: String,
    /// The text; left out when it travels in `analyzeJson`'s byte buffer
    /// (see [`crate::analyze::AnalyzeInput::source_lengths`]).
    #[serde(default)]
    pub source: String,
}

/// A rule's metadata: what `perf-optimizer rules` lists and docs/rules/<id>.md
/// documents.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// kebab-case, stable: a contract.
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
}

/// A rule: metadata plus the hooks it needs. One instance per file, so rules
/// may keep per-file state in `self`.
pub trait Rule {
    /// The node kinds `enter` and `exit` act on; the walker skips the others.
    fn interests(&self) -> &'static [NodeKind] {
        NodeKind::ALL
    }
    /// Called when the walk enters a node, before its children.
    fn enter(&mut self, _node: Node<'_>, _cx: &mut LintContext<'_>) {}
    /// The node kinds `exit` acts on (none unless the rule says so: most
    /// rules only enter, and most nodes would call them for nothing).
    fn exit_interests(&self) -> &'static [NodeKind] {
        &[]
    }
    /// Called when the walk leaves a node of [`Rule::exit_interests`], after
    /// its children.
    fn exit(&mut self, _node: Node<'_>, _cx: &mut LintContext<'_>) {}
    /// Called once after the whole file was walked.
    fn finish(&mut self, _cx: &mut LintContext<'_>) {}
}

/// A source rule's declaration (the name the rule files import; every kind
/// is one [`declare::Declaration`]).
pub type RuleEntry = declare::Declaration;

/// A rule's metadata as the `rules` command and the API return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub docs: String,
    /// `source`, `project` or `reported` (bundle, startup, engine, budgets).
    pub kind: String,
    pub options: Vec<RuleOptionInfo>,
}

/// One option of a rule, for the `rules` listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RuleOptionInfo {
    pub name: String,
    /// As the config writes it: `number`, `string`, `number | string`…
    #[serde(rename = "type")]
    pub ty: String,
    /// The default value.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub default: serde_json::Value,
    pub description: String,
}

/// Every finding of every kind, as declared (in id order: build.rs sorts
/// the declarations by file name, which is the id in snake case).
pub fn rule_infos() -> Vec<RuleInfo> {
    rules::declarations()
        .iter()
        .map(|d| RuleInfo {
            id: d.meta.id.into(),
            category: d.meta.category,
            severity: d.meta.severity,
            summary: d.meta.summary.into(),
            docs: docs_url(d.meta.id),
            kind: d.kind.as_str().into(),
            options: d
                .options
                .fields
                .iter()
                .map(|f| RuleOptionInfo {
                    name: f.name.into(),
                    ty: f.ty.into(),
                    default: serde_json::from_str(f.default).unwrap_or_default(),
                    description: f.description.into(),
                })
                .collect(),
        })
        .collect()
}

/// Every rule id the config and suppression comments may name, including
/// those reported outside the rule engine (bundle findings, parse errors).
pub fn known_rule_ids() -> Vec<&'static str> {
    rules::declarations()
        .iter()
        .filter(|d| {
            !matches!(
                d.kind,
                declare::Kind::Reported {
                    in_config: false,
                    ..
                }
            )
        })
        .map(|d| d.meta.id)
        .collect()
}

/// The declaration of a rule id.
pub fn declaration(id: &str) -> Option<&'static declare::Declaration> {
    rules::declarations()
        .iter()
        .copied()
        .find(|d| d.meta.id == id)
}

/// The result of linting a set of files.
#[derive(Debug, Default)]
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    /// Files that were parsed and analyzed.
    pub files_analyzed: u32,
    /// Database facts per file, for the project-wide checks.
    pub db_facts: Vec<(String, crate::db::FileFacts)>,
    /// Suppression comments per analyzed file, for findings made after the
    /// walk (the bundle's).
    pub(crate) suppressions: Vec<(String, suppress::Suppressions)>,
}

/// The enabled rules with their severities; built once per run, instantiated
/// per file.
pub struct Linter<'p> {
    enabled: Vec<(&'static RuleEntry, Severity, Option<serde_json::Value>)>,
    /// Enabled project-wide (schema-aware) rules.
    project_rules: Vec<(&'static crate::db::ProjectRuleEntry, Severity)>,
    project: &'p ProjectInfo,
}

impl<'p> Linter<'p> {
    pub fn new(config: &Config, project: &'p ProjectInfo) -> Linter<'p> {
        let enabled = rules::all()
            .filter_map(|entry| {
                let setting = config.rules.get(entry.meta.id);
                let severity = match setting {
                    Some(s) => s.level().severity()?,
                    None => entry.meta.severity,
                };
                Some((entry, severity, setting.and_then(|s| s.options()).cloned()))
            })
            .collect();
        let project_rules = rules::project()
            .filter_map(|entry| {
                let severity = match config.rules.get(entry.meta.id) {
                    Some(s) => s.level().severity()?,
                    None => entry.meta.severity,
                };
                Some((entry, severity))
            })
            .collect();
        Linter {
            enabled,
            project_rules,
            project,
        }
    }

    /// Lints every file, then runs the project-wide database checks with the
    /// SQL schema/migration files.
    pub fn lint_files(&self, files: &[SourceFile], sql_files: &[SourceFile]) -> LintOutput {
        let mut out = LintOutput::default();
        let mut suppressions = Vec::new();
        let mut sources: Vec<&str> = Vec::new();
        for file in files {
            match self.walk_file(file) {
                Ok((diagnostics, facts, suppressed)) => {
                    out.files_analyzed += 1;
                    out.diagnostics.extend(diagnostics);
                    out.db_facts.push((file.path.clone(), facts));
                    sources.push(&file.source);
                    suppressions.push(suppressed);
                }
                Err(diagnostic) => out.diagnostics.push(*diagnostic),
            }
        }
        // Project findings point into files: their suppression comments apply.
        let project = crate::db::check_project(
            &out.db_facts,
            &sources,
            sql_files,
            self.project,
            &self.project_rules,
        );
        out.suppressions = out
            .db_facts
            .iter()
            .map(|(path, _)| path.clone())
            .zip(suppressions)
            .collect();
        let mut project = project;
        suppress::retain_unsuppressed(&mut project, &out.suppressions);
        out.diagnostics.extend(project);
        out
    }

    /// Parses and walks one file. A file that does not parse is one
    /// `parse-error` diagnostic naming the file and the problem.
    pub fn lint_file(
        &self,
        file: &SourceFile,
    ) -> Result<(Vec<Diagnostic>, crate::db::FileFacts), Box<Diagnostic>> {
        self.walk_file(file).map(|(d, facts, _)| (d, facts))
    }

    fn walk_file(
        &self,
        file: &SourceFile,
    ) -> Result<
        (
            Vec<Diagnostic>,
            crate::db::FileFacts,
            suppress::Suppressions,
        ),
        Box<Diagnostic>,
    > {
        let index = LineIndex::new(&file.source);
        let comments = SingleThreadedComments::default();
        // Comments matter only for suppressions: without one in the text the
        // parser need not keep (and intern) every comment.
        let keep_comments = suppress::mentions_suppression(&file.source);
        let program = parse(&file.path, &file.source, keep_comments.then_some(&comments)).map_err(
            |(span, message)| {
                let (line, column) = index.position(span.lo.0.saturating_sub(START));
                Box::new(Diagnostic {
                    rule: "parse-error".into(),
                    severity: Severity::Error,
                    category: Category::Input,
                    message: format!("{} could not be parsed: {message}", file.path),
                    file: Some(file.path.clone()),
                    line: Some(line),
                    column: Some(column),
                    end_line: None,
                    end_column: None,
                    help: "Fix the syntax error; the file's other findings appear once it parses."
                        .into(),
                    docs: docs_url("parse-error"),
                })
            },
        )?;

        let rules: Vec<Box<dyn Rule>> = self
            .enabled
            .iter()
            .filter_map(|(entry, _, options)| match entry.kind {
                declare::Kind::Source(create) => Some(create(options.as_ref())),
                _ => None,
            })
            .collect();
        let severities: Vec<(&'static RuleMeta, Severity)> =
            self.enabled.iter().map(|(e, s, _)| (&e.meta, *s)).collect();
        let mut cx = LintContext::new(&file.path, &file.source, &index, &program, self.project);
        walker::walk(&program, rules, &severities, &mut cx);

        let suppressions = if keep_comments {
            suppress::collect(&comments, &index, &known_rule_ids())
        } else {
            suppress::Suppressions::default()
        };
        let mut diagnostics = std::mem::take(&mut cx.diagnostics);
        defer_to_specific(&mut diagnostics);
        diagnostics.retain(|d| !suppressions.covers(d));
        diagnostics.extend(suppressions.problems(&file.path));
        let mut facts = std::mem::take(&mut cx.db);
        facts.walk = Default::default();
        Ok((diagnostics, facts, suppressions))
    }
}

/// (generic rule, more specific rule): where both report the same await or
/// call, only the specific rule's finding is kept. A more specific rule that
/// is off (or has nothing to say there) leaves the generic one alone; one that
/// a comment suppresses still silences the generic one.
const DEFERS_TO: &[(&str, &str)] = &[
    ("await-in-loop", "drizzle-query-in-loop"),
    ("subrequest-in-loop", "drizzle-query-in-loop"),
];

/// Drops the generic findings of [`DEFERS_TO`] that enclose a specific
/// rule's finding and end where it ends: `await db.select()…` (await-in-loop)
/// around the query `db.select()…` (drizzle-query-in-loop).
fn defer_to_specific(diagnostics: &mut Vec<Diagnostic>) {
    let start = |d: &Diagnostic| (d.line, d.column);
    let end = |d: &Diagnostic| (d.end_line, d.end_column);
    let covered = |d: &Diagnostic| {
        DEFERS_TO
            .iter()
            .filter(|(generic, _)| *generic == d.rule)
            .any(|(_, specific)| {
                diagnostics.iter().any(|s| {
                    s.rule == *specific
                        && s.file == d.file
                        && start(d) <= start(s)
                        && end(d) == end(s)
                })
            })
    };
    let keep: Vec<bool> = diagnostics.iter().map(|d| !covered(d)).collect();
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
}

/// Picks the syntax from the file name: TS for .ts/.mts/.cts, TSX for .tsx,
/// JS with JSX for the rest.
fn syntax_for(path: &str) -> Syntax {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax {
            decorators: true,
            dts: path.ends_with(".d.ts"),
            ..TsSyntax::default()
        }),
        "tsx" => Syntax::Typescript(TsSyntax {
            tsx: true,
            decorators: true,
            ..TsSyntax::default()
        }),
        _ => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            import_attributes: true,
            ..EsSyntax::default()
        }),
    }
}

/// Parses a file as a module or script (whichever it is).
pub fn parse(
    path: &str,
    source: &str,
    comments: Option<&SingleThreadedComments>,
) -> Result<Program, (Span, String)> {
    let end = BytePos(START + source.len() as u32);
    let input = StringInput::new(source, BytePos(START), end);
    let mut parser = Parser::new(
        syntax_for(path),
        input,
        comments.map(|c| c as &dyn swc_core::common::comments::Comments),
    );
    let _ = EsVersion::latest();
    let program = parser
        .parse_program()
        .map_err(|e| (e.span(), e.kind().msg().into_owned()))?;
    // Recoverable errors still mean the AST is not what the author wrote.
    if let Some(e) = parser.take_errors().into_iter().next() {
        return Err((e.span(), e.kind().msg().into_owned()));
    }
    Ok(program)
}

/// Rule id → count, for baselines and summaries.
pub fn count_by_rule(diagnostics: &[Diagnostic]) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for d in diagnostics {
        *counts.entry(d.rule.clone()).or_insert(0) += 1;
    }
    counts
}
