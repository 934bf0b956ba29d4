//! Source analysis: one swc parse and ONE traversal per file, every enabled
//! rule dispatched from the same walk (the shape of oxlint's and Biome's
//! analyzers). Rules never parse, never read files and never print.

use swc_core::common::comments::SingleThreadedComments;

use crate::effects::{FileFacts, Project, SharedResolver};
use crate::model::collections::HashMap;
use crate::model::config::Config;
use crate::model::limits::Limits;
pub use crate::model::project::SourceFile;
use crate::model::project::{EntryPoint, FileScope, ProjectInfo, Role, Text};
use crate::model::report::FileEntry;
use crate::model::report::{docs_url, Category, Diagnostic, Severity};
pub use crate::model::rule::RuleMeta;
use crate::semantic::graph;
use crate::semantic::resolve::{normalize, Kind as LoadKind, Resolver};
use crate::syntax::position::LineIndex;
pub(crate) use crate::syntax::START;
use crate::syntax::{language, nesting, parse};

pub mod context;
pub mod declare;
pub mod project;
pub(crate) mod suppress;
mod browser;
mod uncalled;
mod walker;

pub use context::{Frame, LintContext, Node, NodeKind};
pub use project::Reporter;

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
    /// The callee names (a function's, or a method's) of the calls the rule
    /// acts on; `None`: every call. The walker hands a call only to the
    /// rules that may want it (most rules want few of the many calls).
    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        None
    }
    /// Called once after the whole file was walked.
    fn finish(&mut self, _cx: &mut LintContext<'_>) {}
    /// The rule asks `LintContext::hot` (retry and constant loops,
    /// failure-only code): the walker feeds it before the rules see a node.
    fn hot_paths(&self) -> bool {
        false
    }
}

/// A source rule's declaration (the name the rule files import; every kind
/// is one [`declare::Declaration`]).
pub type RuleEntry = declare::Declaration;

/// A project rule's declaration (the name the rule files import).
pub type ProjectRuleEntry = declare::Declaration;

/// The result of linting a set of files.
#[derive(Debug, Default)]
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    /// Files that were parsed and analyzed.
    pub files_analyzed: u32,
    /// Database facts per file, for the project-wide checks.
    pub db_facts: Vec<(String, FileFacts)>,
    /// Suppression comments per analyzed file, for findings made after the
    /// walk (the bundle's).
    pub(crate) suppressions: Vec<(String, suppress::Suppressions)>,
    /// Every file given, with its role and whether it was analyzed.
    pub files: Vec<FileEntry>,
    /// What the reader should know about the scope (said once).
    pub notes: Vec<String>,
    /// Files parsed and walked in this call (the others' walks were given:
    /// [`Precomputed`]).
    pub files_walked: u32,
    /// For each file no entry reaches and that is not analyzed, the role its
    /// path and text give (read from the text, or from a walk made apart),
    /// for the wrapper to keep with the file ([`Precomputed::with_roles`]);
    /// None for the others.
    pub text_roles: Vec<Option<Role>>,
}

/// A role as one byte, for the wrapper to keep ([`LintOutput::text_roles`]).
pub fn role_code(role: Role) -> u8 {
    ROLE_CODES
        .iter()
        .position(|&r| r == role)
        .unwrap_or(u8::MAX as usize) as u8
}

fn role_of_code(code: u8) -> Option<Role> {
    ROLE_CODES.get(usize::from(code)).copied()
}

const ROLE_CODES: [Role; 6] = [
    Role::Worker,
    Role::Test,
    Role::Script,
    Role::Client,
    Role::Node,
    Role::Unknown,
];

/// One file's walk: its findings, database facts, suppression comments
/// and the modules it loads; or its `parse-error`.
#[derive(Default)]
struct Walked {
    diagnostics: Vec<Diagnostic>,
    facts: FileFacts,
    suppressions: suppress::Suppressions,
    requests: Vec<graph::Request>,
    boundary: graph::Boundary,
    /// The file's role when no entry reaches it (from its path and text;
    /// set by walks made apart, `Linter::walk_apart`).
    role: Option<graph::FileRole>,
}

type WalkResult = Result<Walked, Box<Diagnostic>>;

crate::model::wire::wire_struct!(Walked {
    diagnostics,
    facts,
    suppressions,
    requests,
    boundary,
    role,
});

/// What a file's walk depends on besides the file (path and text), the
/// config (rules, options, limits), the project facts and the build: a walk
/// computed apart ([`Precomputed`]) stands for the engine's own only if it
/// was made with the same. (The Durable Object id marks a file's role pass
/// may hand the walk only spare it a scan: the result is the same.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalkParams {
    /// The queue batch bound of the entry the file is reached from.
    pub queue_batch: Option<u32>,
    /// The file is a Worker entry.
    pub is_entry: bool,
    /// Every importer is among the files ([`Linter::every_importer`]): the
    /// analysis may find that nothing imports an export (when it follows
    /// the entries' reach), so the walk lists the exported functions its
    /// file never calls too. (Not the scope: `--all-files` reuses the
    /// walks.)
    pub judge_exports: bool,
}

crate::model::wire::wire_struct!(WalkParams {
    queue_batch,
    is_entry,
    judge_exports
});

/// Walks of some of the files computed apart (by another instance, or
/// earlier and cached), each as [`Linter::walk_encoded`] wrote it, by file
/// index. One that was made with other [`WalkParams`] than the engine
/// needs, or that does not read back, is walked again.
#[derive(Default)]
pub struct Precomputed<'a> {
    walks: Vec<Option<&'a [u8]>>,
    /// Walks this instance made itself ([`Linter::walk_kept`]): taken as
    /// they are, with nothing to encode or decode.
    kept: std::cell::RefCell<Vec<Option<(WalkParams, WalkResult)>>>,
    /// The role each file's text gave in an earlier run (the wrapper keeps
    /// them: [`LintOutput::text_roles`]), for a file no entry reaches and
    /// nothing walks: placed without reading its text.
    roles: Vec<Option<Role>>,
}

/// Walks of some files that [`Linter::walk_kept`] made in this instance,
/// for [`Precomputed::with_kept`]: what another thread's walks cost to
/// write and read back, the walks of this one do not.
#[derive(Default)]
pub struct KeptWalks {
    walks: Vec<(usize, WalkParams, WalkResult)>,
}

impl KeptWalks {
    /// How many files' walks are kept.
    pub fn len(&self) -> usize {
        self.walks.len()
    }

    /// No walk is kept.
    pub fn is_empty(&self) -> bool {
        self.walks.is_empty()
    }
}

impl<'a> Precomputed<'a> {
    /// Reads `bytes`: records of (file index, byte length, the walk as
    /// [`Linter::walk_encoded`] wrote it), one after another.
    pub fn parse(bytes: &'a [u8], files: usize) -> Result<Precomputed<'a>, String> {
        fn no_rules(_: &str) -> Option<&'static RuleMeta> {
            None
        }
        let mut r = crate::model::wire::Visit::reader(bytes, &no_rules);
        let mut walks = vec![None; files];
        while !r.is_empty() {
            let file = r.read_uint();
            let len = r.read_count();
            let walk = r.bytes(len);
            match walks.get_mut(file as usize) {
                Some(slot) if r.ok() => *slot = Some(walk),
                _ => return Err("precomputed walks: not a list of (file, walk) records".into()),
            }
        }
        Ok(Precomputed {
            walks,
            kept: Default::default(),
            roles: Vec::new(),
        })
    }

    /// Adds the roles the files' texts gave before ([`role_code`], one per
    /// file; any other byte: not known).
    pub fn with_roles(mut self, codes: &[u8]) -> Self {
        self.roles = codes.iter().map(|&code| role_of_code(code)).collect();
        self
    }

    /// Adds the walks `kept` (of files among `files`, which they replace
    /// the records of).
    pub fn with_kept(mut self, kept: KeptWalks, files: usize) -> Self {
        let slots = self.kept.get_mut();
        slots.resize_with(files, || None);
        for (file, params, walk) in kept.walks {
            if let Some(slot) = slots.get_mut(file) {
                *slot = Some((params, walk));
            }
        }
        self
    }
}

/// A walk as [`Precomputed`] reads it: the parameters, then the walk
/// (its findings, facts with their late texts written, suppressions and
/// the modules it loads) or the file's `parse-error`.
fn encode_walk(result: &mut WalkResult, params: WalkParams, source: &str) -> Vec<u8> {
    use crate::model::wire::put;
    let mut out = Vec::new();
    put(&mut out, &mut { params });
    match result {
        Ok(walk) => {
            out.push(0);
            walk.facts.write_late_texts(source);
            put(&mut out, walk);
        }
        Err(diagnostic) => {
            out.push(1);
            put(&mut out, &mut **diagnostic);
        }
    }
    out
}

/// One record of [`Precomputed`]: (file index, byte length, walk).
fn put_record(out: &mut Vec<u8>, file: usize, walk: &[u8]) {
    crate::model::wire::put_uint(out, file as u64);
    crate::model::wire::put_uint(out, walk.len() as u64);
    out.extend_from_slice(walk);
}

/// Each entry that is among `files` (by normalized path): its file's index
/// and the queue batch bound of the wrangler config that declares it.
fn entries_among(files: &[SourceFile], entries: &[EntryPoint]) -> Vec<(usize, Option<u32>)> {
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (normalize(&f.path), i))
        .collect();
    entries
        .iter()
        .filter_map(|e| Some((*index.get(&normalize(&e.path))?, e.queue_batch_size)))
        .collect()
}

/// The files [`Linter::lint_scoped`] likely walks, for walks computed
/// apart: with [`FileScope::Reachable`] and an entry among the files, those
/// [`graph::likely_reached`] from the entries through each file's
/// `specifiers` (the resolution the module graph uses); otherwise (every
/// file analyzed) None. A file the engine needs and was not given a walk
/// for, it walks itself: its findings do not depend on this.
pub fn likely_walked(
    files: &[SourceFile],
    entries: &[EntryPoint],
    scope: FileScope,
    modules: &crate::model::modules::ModuleFacts,
    specifiers: &[Vec<&str>],
) -> Option<Vec<u32>> {
    if scope != FileScope::Reachable {
        return None;
    }
    let entry_files: Vec<usize> = entries_among(files, entries)
        .into_iter()
        .map(|(file, _)| file)
        .collect();
    if entry_files.is_empty() {
        return None;
    }
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let resolver = Resolver::new(paths.iter().copied(), modules);
    Some(graph::likely_reached(
        &resolver,
        &paths,
        &entry_files,
        specifiers,
    ))
}

/// The walk parameters each file most likely gets in [`Linter::lint_scoped`]
/// (before the module graph says which entry reaches it): whether it is an
/// entry, and the queue batch bound that all the entries share (none when
/// they differ). Walks computed apart use them; where the engine then
/// needs others, it walks the file itself.
pub fn likely_walk_params(
    files: &[SourceFile],
    entries: &[EntryPoint],
    scope: FileScope,
    every_importer: bool,
) -> Vec<WalkParams> {
    let among = entries_among(files, entries);
    let queue_batch = match among.first() {
        Some(&(_, first)) if scope != FileScope::Bundle && among.iter().all(|e| e.1 == first) => {
            first
        }
        _ => None,
    };
    (0..files.len())
        .map(|i| WalkParams {
            queue_batch,
            is_entry: among.iter().any(|e| e.0 == i),
            judge_exports: every_importer,
        })
        .collect()
}

/// The rules the engine can run, as the registry (`crate::rules`) lists them.
pub struct Registry {
    /// Every declaration, of every kind; the engine runs the source and
    /// project rules among them.
    pub declarations: &'static [&'static declare::Declaration],
    /// Every rule id, including those reported outside the engine (bundle
    /// findings, parse errors): what suppression comments may name.
    pub known_ids: Vec<&'static str>,
}

/// The enabled rules with their severities; built once per run, instantiated
/// per file.
pub struct Linter<'p> {
    enabled: Vec<(&'static RuleEntry, Severity, Option<serde_json::Value>)>,
    /// Every declaration: a precomputed walk's deferred findings name
    /// their rule by id.
    declarations: &'static [&'static declare::Declaration],
    /// Enabled project-wide (schema-aware) rules.
    project_rules: Vec<(&'static ProjectRuleEntry, Severity)>,
    project: &'p ProjectInfo,
    known_ids: &'p [&'static str],
    /// The platform limits that apply, for messages.
    limits: Limits,
    /// Which rules act on which node kinds (built with the first file's
    /// rules; the same for every file).
    dispatch: std::cell::OnceCell<walker::Dispatch>,
    /// The enabled rules' metadata and severities, in the order of the
    /// rules each file instantiates.
    severities: Vec<(&'static RuleMeta, Severity)>,
    /// The files are every module of the project that may import another
    /// (`AnalyzeInput::every_importer`): an export no analyzed file imports
    /// is imported by none.
    pub every_importer: bool,
}

impl<'p> Linter<'p> {
    pub fn new(config: &Config, project: &'p ProjectInfo, registry: &'p Registry) -> Linter<'p> {
        let of_kind = |source: bool| {
            registry.declarations.iter().copied().filter(move |d| {
                matches!(
                    (source, &d.kind),
                    (true, declare::Kind::Source(_)) | (false, declare::Kind::Project(_))
                )
            })
        };
        let enabled: Vec<_> = of_kind(true)
            .filter_map(|entry| {
                let setting = config.rules.get(entry.meta.id);
                let severity = match setting {
                    Some(s) => s.level().severity()?,
                    None => entry.meta.severity,
                };
                Some((entry, severity, setting.and_then(|s| s.options()).cloned()))
            })
            .collect();
        let project_rules = of_kind(false)
            .filter_map(|entry| {
                let severity = match config.rules.get(entry.meta.id) {
                    Some(s) => s.level().severity()?,
                    None => entry.meta.severity,
                };
                Some((entry, severity))
            })
            .collect();
        let severities = enabled.iter().map(|(e, s, _)| (&e.meta, *s)).collect();
        Linter {
            enabled,
            declarations: registry.declarations,
            severities,
            dispatch: std::cell::OnceCell::new(),
            project_rules,
            project,
            known_ids: &registry.known_ids,
            limits: config.platform_limits(),
            every_importer: false,
        }
    }

    /// Lints every file, then runs the project-wide database checks with the
    /// SQL schema/migration files.
    pub fn lint_files(&self, files: &[SourceFile], sql_files: &[SourceFile]) -> LintOutput {
        self.lint_scoped(files, sql_files, &[], FileScope::All)
    }

    /// Lints the files `scope` selects: with [`FileScope::Reachable`], those
    /// reachable from `entries` through the modules each file loads (every
    /// file when no entry is among them, said in a note). Every file gets a
    /// role in `LintOutput::files`. Then runs the project-wide database
    /// checks over the analyzed files with the SQL schema/migration files.
    pub fn lint_scoped(
        &self,
        files: &[SourceFile],
        sql_files: &[SourceFile],
        entries: &[EntryPoint],
        scope: FileScope,
    ) -> LintOutput {
        self.lint_precomputed(files, sql_files, entries, scope, &Precomputed::default())
    }

    /// [`Self::lint_scoped`], with the walks of `precomputed` standing for
    /// the engine's own where they were made with the same parameters.
    pub fn lint_precomputed(
        &self,
        files: &[SourceFile],
        sql_files: &[SourceFile],
        entries: &[EntryPoint],
        scope: FileScope,
        precomputed: &Precomputed<'_>,
    ) -> LintOutput {
        let walks = std::cell::Cell::new(0u32);
        // The walk of file `i` made apart (kept in this instance, or given)
        // with `params`, if there is one.
        let made_before = |i: usize, params: WalkParams| {
            let kept = precomputed
                .kept
                .borrow_mut()
                .get_mut(i)
                .and_then(Option::take);
            if let Some((made_with, result)) = kept {
                if made_with == params {
                    return Some(result);
                }
            }
            precomputed
                .walks
                .get(i)
                .copied()
                .flatten()
                .and_then(|bytes| self.decode_walk(bytes, params))
        };
        // The parameters each file was walked with (a walk made again uses them).
        let used_params: std::cell::RefCell<Vec<Option<WalkParams>>> =
            std::cell::RefCell::new(vec![None; files.len()]);
        let walk = |i: usize, requests: bool, params: WalkParams, marks| {
            used_params.borrow_mut()[i] = Some(params);
            made_before(i, params).unwrap_or_else(|| {
                walks.set(walks.get() + 1);
                self.walk_file(&files[i], requests, params, marks, &[])
            })
        };
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let (entry_files, entry_batches): (Vec<usize>, Vec<Option<u32>>) =
            entries_among(files, entries).into_iter().unzip();
        let mut walked: Vec<Option<WalkResult>> = files.iter().map(|_| None).collect();
        let mut reached: Vec<Option<graph::Reached>> = vec![None; files.len()];
        // Built for the module graph; the project's checks ask it again.
        let resolver = (scope != FileScope::Bundle && !entry_files.is_empty())
            .then(|| Resolver::new(paths.iter().copied(), &self.project.modules));
        if let Some(resolver) = &resolver {
            // A queue handler's batch is as large as the consumers of the
            // wrangler config that declares the file's entry allow.
            reached = graph::reach(resolver, &paths, &entry_files, |i, n| {
                let params = WalkParams {
                    queue_batch: entry_batches[n],
                    is_entry: entry_files[n] == i,
                    judge_exports: self.every_importer,
                };
                let mut result = walk(i, true, params, graph::ObjectIdMarks::Unknown);
                let loads = match &mut result {
                    Ok(walk) => (std::mem::take(&mut walk.requests), walk.boundary),
                    Err(_) => Default::default(),
                };
                walked[i] = Some(result);
                loads
            });
        }
        let mut out = LintOutput::default();
        // Every file (`--all-files`, a bundle's inputs); without an entry, the
        // files whose text says they are no tests, scripts, browser or Node
        // code (what the Worker may run).
        let analyze_all = scope != FileScope::Reachable;
        let no_entry = scope == FileScope::Reachable && entry_files.is_empty();
        let analyze_rest = analyze_all || no_entry;
        // The parameters of the walk of a file the analysis walks though no
        // entry reaches it.
        let rest_params = |i: usize| WalkParams {
            queue_batch: None,
            is_entry: entry_files.contains(&i),
            judge_exports: self.every_importer,
        };
        let mut text_roles = vec![None; files.len()];
        let mut set_aside = 0usize;
        for (i, file) in files.iter().enumerate() {
            // The index (into `entry_files`) of the entry the file is reached from.
            let (entry, client_only) = match (scope, reached[i]) {
                (FileScope::Bundle, _) => ((!entry_files.is_empty()).then_some(0), false),
                (_, Some(r)) if r.client_only => (None, true),
                (_, Some(r)) => (Some(r.entry), false),
                (_, None) => (None, false),
            };
            let mut analyze_this = analyze_all;
            let (role, object_ids) = if client_only {
                (Role::Client, graph::ObjectIdMarks::Unknown)
            } else if entry.is_some() || scope == FileScope::Bundle {
                (Role::Worker, graph::ObjectIdMarks::Unknown)
            } else {
                if walked[i].is_none() && analyze_rest {
                    walked[i] = made_before(i, rest_params(i));
                    used_params.borrow_mut()[i] = Some(rest_params(i));
                }
                // A file walked before is placed by its walk, one nothing
                // walks by the role its text gave before: its text not read.
                let given = precomputed.roles.get(i).copied().flatten();
                let known = match (&walked[i], given) {
                    (
                        Some(Ok(Walked {
                            role: Some(role), ..
                        })),
                        _,
                    ) => *role,
                    (_, Some(role)) if !analyze_all && !file.source.is_read() => graph::FileRole {
                        role,
                        object_ids: graph::ObjectIdMarks::Unknown,
                    },
                    _ => graph::FileRole::of(&file.path, &file.source),
                };
                analyze_this |= no_entry && matches!(known.role, Role::Unknown | Role::Worker);
                if !analyze_this {
                    // Not analyzed: the wrapper may place it by this next time.
                    text_roles[i] = Some(known.role);
                    set_aside += usize::from(no_entry);
                }
                (known.role, known.object_ids)
            };
            if client_only && !analyze_rest {
                // Walked for its imports only: browser code is not analyzed.
                walked[i] = None;
            }
            if entry.is_none() && scope == FileScope::Reachable && !analyze_this {
                // Walked ahead (a guess) or before: not analyzed after all.
                walked[i] = None;
            }
            if walked[i].is_none() && analyze_this {
                walked[i] = Some(walk(i, false, rest_params(i), object_ids));
            }
            out.files.push(FileEntry {
                path: file.path.clone(),
                role,
                entry: entry.map(|n| files[entry_files[n]].path.clone()),
                analyzed: walked[i].is_some(),
            });
        }
        if no_entry && !files.is_empty() {
            let analyzed = files.len() - set_aside;
            let set_aside_part = if set_aside == 0 {
                String::new()
            } else {
                format!(
                    "; {} test, script, browser or Node file{} not (`--all-files` lints {})",
                    crate::model::text::count(set_aside as u64),
                    if set_aside == 1 { " was" } else { "s were" },
                    if set_aside == 1 { "it" } else { "them" }
                )
            };
            out.notes.push(format!(
                "No Worker entry found among the files (a wrangler config's `main`, Pages Functions or a framework's server entry): {}{} file{} analyzed{set_aside_part}.",
                if set_aside == 0 { "all " } else { "" },
                crate::model::text::count(analyzed as u64),
                if analyzed == 1 { " was" } else { "s were" },
            ));
        }
        // Loops over lists other files declare, walked again knowing them.
        let again = self.with_imported_lists(
            files,
            &paths,
            &mut walked,
            &used_params.borrow(),
            resolver.as_ref(),
        );
        walks.set(walks.get() + again);
        let mut suppressions = Vec::new();
        let mut sources: Vec<&Text> = Vec::new();
        // Each file's index among the analyzed ones (those with facts).
        let mut analyzed = vec![None; files.len()];
        for ((file, result), slot) in files.iter().zip(walked).zip(&mut analyzed) {
            match result {
                None => {}
                Some(Ok(walk)) => {
                    *slot = Some(out.db_facts.len());
                    out.files_analyzed += 1;
                    out.diagnostics.extend(walk.diagnostics);
                    out.db_facts.push((file.path.clone(), walk.facts));
                    sources.push(&file.source);
                    suppressions.push(walk.suppressions);
                }
                Some(Err(diagnostic)) => out.diagnostics.push(*diagnostic),
            }
        }
        // Project findings point into files: their suppression comments apply.
        let project = check_project(
            &out.db_facts,
            &sources,
            sql_files,
            self.project,
            self.limits,
            &self.project_rules,
            resolver.as_ref().map(|resolver| SharedResolver {
                resolver,
                analyzed: &analyzed,
            }),
        );
        out.suppressions = out
            .db_facts
            .iter()
            .map(|(path, _)| path.clone())
            .zip(suppressions)
            .collect();
        let mut project = project;
        suppress::retain_unsuppressed(&mut project, &out.suppressions);
        if !project.is_empty() {
            // Deferred findings (a loop's call to a helper that makes a
            // subrequest) are specific findings too.
            out.diagnostics.extend(project);
            defer_to_specific(&mut out.diagnostics);
        }
        // Findings in functions nothing calls: what the Worker never runs.
        let mut is_entry = vec![false; out.db_facts.len()];
        for &e in &entry_files {
            if let Some(a) = analyzed[e] {
                is_entry[a] = true;
            }
        }
        let db_facts = &out.db_facts;
        let resolve = |from: usize, spec: &str| {
            let resolver = resolver.as_ref()?;
            resolver
                .resolve(&db_facts[from].0, spec, LoadKind::Import)
                .file()
                .and_then(|file| analyzed[file])
        };
        // What imports an export is known when the files are the project's
        // every module and the analysis follows them from the entries.
        let imports = (self.every_importer && scope == FileScope::Reachable && resolver.is_some())
            .then_some(uncalled::Imports {
                resolve: &resolve,
                is_entry: &is_entry,
            });
        if let Some(note) =
            uncalled::leave_out_uncalled(&mut out.diagnostics, db_facts, imports.as_ref())
        {
            out.notes.push(note);
        }
        if imports.is_some() {
            if let Some(note) =
                uncalled::leave_out_uncalled_methods(&mut out.diagnostics, db_facts, &sources)
            {
                out.notes.push(note);
            }
        }
        if let Some(note) = browser::leave_out_browser_only(&mut out.diagnostics, db_facts) {
            out.notes.push(note);
        }
        merge_groups(&mut out.diagnostics);
        out.files_walked = walks.get();
        out.text_roles = text_roles;
        out
    }

    /// Walks again the files that loop over a list another file declares at
    /// module scope and keeps at a known length (`const ROLES = ['admin',
    /// 'user']` in a constants module), knowing that length: a loop over two
    /// roles makes two queries, not N+1. Returns how many were walked again.
    fn with_imported_lists(
        &self,
        files: &[SourceFile],
        paths: &[&str],
        walked: &mut [Option<WalkResult>],
        params: &[Option<WalkParams>],
        shared: Option<&Resolver<'_>>,
    ) -> u32 {
        let mut own = None;
        let mut again = Vec::new();
        for (i, result) in walked.iter().enumerate() {
            let (Some(Ok(walk)), Some(params)) = (result, params[i]) else {
                continue;
            };
            let mut known = Vec::new();
            for name in &walk.facts.looped_imports {
                // `f()`: the list a call of the imported `f` returns.
                let call = name.ends_with("()");
                let local = name.strip_suffix("()").unwrap_or(name);
                let Some(import) = walk
                    .facts
                    .imports
                    .iter()
                    .find(|import| import.local == local)
                else {
                    continue;
                };
                let Some(imported) = import.imported.as_deref() else {
                    continue;
                };
                let resolver = match shared {
                    Some(resolver) => resolver,
                    None => own.get_or_insert_with(|| {
                        Resolver::new(paths.iter().copied(), &self.project.modules)
                    }),
                };
                let Some(Some(Ok(declaring))) = resolver
                    .resolve(paths[i], &import.source, LoadKind::Import)
                    .file()
                    .and_then(|target| walked.get(target))
                else {
                    continue;
                };
                let facts = &declaring.facts;
                let length = facts
                    .exports
                    .iter()
                    .find(|(exported, _)| exported == imported)
                    .and_then(|(_, declared)| {
                        let declared = if call {
                            format!("{declared}()")
                        } else {
                            declared.clone()
                        };
                        facts.small_lists.iter().find(|(list, _)| *list == declared)
                    })
                    .map(|(_, length)| *length);
                if let Some(length) = length {
                    known.push((name.clone(), length));
                }
            }
            if !known.is_empty() {
                again.push((i, params, known));
            }
        }
        let count = again.len() as u32;
        for (i, params, known) in again {
            walked[i] = Some(self.walk_file(
                &files[i],
                false,
                params,
                graph::ObjectIdMarks::Unknown,
                &known,
            ));
        }
        count
    }

    /// [`check_project`] with this linter's project rules and limits: the
    /// tests compare its findings with and without the engine's resolution.
    #[cfg(test)]
    pub(crate) fn check_project_with(
        &self,
        files: &[(String, FileFacts)],
        sources: &[&Text],
        shared: Option<SharedResolver<'_>>,
    ) -> Vec<Diagnostic> {
        check_project(
            files,
            sources,
            &[],
            self.project,
            self.limits,
            &self.project_rules,
            shared,
        )
    }

    /// The walks of the files `only` (indices into `files`, taken one at a
    /// time: another thread may be handing them out) with the parameters
    /// they most likely get ([`likely_walk_params`]), as [`Precomputed`]
    /// reads them: records of (file index, byte length, walk), LEB128
    /// numbers.
    pub fn walk_records(
        &self,
        files: &[SourceFile],
        entries: &[EntryPoint],
        scope: FileScope,
        only: impl IntoIterator<Item = u32>,
    ) -> Result<Vec<u8>, String> {
        let params = likely_walk_params(files, entries, scope, self.every_importer);
        let mut out = Vec::new();
        for i in only {
            let i = i as usize;
            let file = files.get(i).ok_or("walk: no such file")?;
            let walk = self.walk_encoded(file, params[i]);
            put_record(&mut out, i, &walk);
        }
        Ok(out)
    }

    /// [`Self::walk_records`] for walks this instance merges itself
    /// ([`Precomputed::with_kept`]): the walks are kept as they are, and
    /// written as records too only `with_records` (for a cache).
    pub fn walk_kept(
        &self,
        files: &[SourceFile],
        entries: &[EntryPoint],
        scope: FileScope,
        only: impl IntoIterator<Item = u32>,
        with_records: bool,
    ) -> Result<(Vec<u8>, KeptWalks), String> {
        let params = likely_walk_params(files, entries, scope, self.every_importer);
        let mut records = Vec::new();
        let mut kept = KeptWalks::default();
        for i in only {
            let i = i as usize;
            let file = files.get(i).ok_or("walk: no such file")?;
            let mut result = self.walk_apart(file, params[i]);
            if with_records {
                let walk = encode_walk(&mut result, params[i], &file.source);
                put_record(&mut records, i, &walk);
            }
            kept.walks.push((i, params[i], result));
        }
        Ok((records, kept))
    }

    /// Walks `file` with `params` as [`Self::lint_scoped`] would, and
    /// writes the result for [`Precomputed`]: the parameters, then the walk
    /// (its findings, facts with their late texts written, suppressions
    /// and the modules it loads) or the file's `parse-error`.
    pub fn walk_encoded(&self, file: &SourceFile, params: WalkParams) -> Vec<u8> {
        let mut result = self.walk_apart(file, params);
        encode_walk(&mut result, params, &file.source)
    }

    /// A walk made apart from the analysis that merges it (in another
    /// thread, or for the cache): it says the file's role too, so that a
    /// file no entry reaches is placed without its text.
    fn walk_apart(&self, file: &SourceFile, params: WalkParams) -> WalkResult {
        let mut result = self.walk_file(file, true, params, graph::ObjectIdMarks::Unknown, &[]);
        if let Ok(walk) = &mut result {
            walk.role = Some(graph::FileRole::of(&file.path, &file.source));
        }
        result
    }

    /// A walk [`Self::walk_encoded`] wrote, if it was made with `params`
    /// and reads back whole.
    fn decode_walk(&self, bytes: &[u8], params: WalkParams) -> Option<WalkResult> {
        let rules = |id: &str| {
            self.declarations
                .iter()
                .find(|d| d.meta.id == id)
                .map(|d| &d.meta)
        };
        let mut r = crate::model::wire::Visit::reader(bytes, &rules);
        if r.take::<WalkParams>() != params || !r.ok() {
            return None;
        }
        let result = match r.take::<bool>() {
            false => Ok(r.take::<Walked>()),
            true => Err(Box::new(r.take::<Diagnostic>())),
        };
        r.finish(result)
    }

    /// Parses and walks one file. A file that does not parse is one
    /// `parse-error` diagnostic naming the file and the problem.
    /// With `requests`, also reads which modules the file loads.
    /// `entry`: the batch bound of the file's entry, if it has one (else the
    /// project's), and whether the file is a Worker entry itself.
    /// `object_ids`: what the file's role pass saw of the Durable Object id
    /// methods' names, if it ran.
    fn walk_file(
        &self,
        file: &SourceFile,
        requests: bool,
        WalkParams {
            queue_batch,
            is_entry,
            judge_exports,
        }: WalkParams,
        object_ids: graph::ObjectIdMarks,
        known_lists: &[(String, u32)],
    ) -> WalkResult {
        let index = LineIndex::new(&file.source);
        let comments = SingleThreadedComments::default();
        // Comments matter only for suppressions: without one in the text the
        // parser need not keep (and intern) every comment.
        let keep_comments = suppress::mentions_suppression(&file.source);
        if let Some(trouble) = nesting::trouble(&file.path, &file.source) {
            // Parsing it would overflow the stack, or take minutes: the file
            // is reported instead.
            let (offset, what) = match trouble {
                nesting::Trouble::TooDeep(at) => (
                    at,
                    format!(
                        "nesting deeper than {} levels (expressions, brackets or JSX)",
                        nesting::MAX_DEPTH
                    ),
                ),
                nesting::Trouble::TooManyRetries(at) => (
                    at,
                    "too many unclosed `<` (type arguments or comparisons) before too much code to parse in reasonable time".into(),
                ),
            };
            let (line, column) = index.position(offset as u32);
            return Err(Box::new(Diagnostic {
                group: None,
                related: Vec::new(),
                rule: "unreadable-file".into(),
                severity: Severity::Warning,
                category: Category::Input,
                message: format!("{} was not analyzed: {what} at {line}:{column}", file.path),
                file: Some(file.path.clone()),
                line: Some(line),
                column: Some(column),
                end_line: None,
                end_column: None,
                help: "Generated or hostile code? Exclude it with `ignore` in the config; the other files are analyzed.".into(),
                docs: docs_url("unreadable-file"),
            }));
        }
        let program = parse(&file.path, &file.source, keep_comments.then_some(&comments)).map_err(
            |(span, message)| {
                let (line, column) = index.position(span.lo.0.saturating_sub(START));
                Box::new(Diagnostic {
                    group: None,
                    related: Vec::new(),
                    rule: "parse-error".into(),
                    // esbuild reports real syntax errors when it builds; a
                    // file this parser cannot read is a gap in the report,
                    // never the reason a deploy fails.
                    severity: Severity::Warning,
                    category: Category::Input,
                    message: format!(
                        "{path}:{line}:{column}: not valid {}, so this file was not analyzed: {message}",
                        language(&file.path),
                        path = file.path
                    ),
                    file: Some(file.path.clone()),
                    line: Some(line),
                    column: Some(column),
                    end_line: None,
                    end_column: None,
                    help: "Fix the syntax there (your editor shows the same place); the file's other findings appear once it parses. If esbuild builds the file as it is, exclude it with `ignore` in the config and report the parse failure.".into(),
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
        let mut cx = LintContext::new(
            &file.path,
            &file.source,
            &index,
            &program,
            self.project,
            self.limits,
        );
        if queue_batch.is_some() {
            cx.hot = crate::effects::hot_paths::HotPaths::new(queue_batch);
        }
        cx.is_entry = is_entry;
        cx.object_id_marks = object_ids;
        for (name, len) in known_lists {
            cx.hot.know_list(name.as_str(), f64::from(*len));
        }
        let dispatch = self.dispatch.get_or_init(|| walker::Dispatch::of(&rules));
        walker::walk(&program, rules, dispatch, &self.severities, &mut cx);

        let suppressions = if keep_comments {
            suppress::collect(&comments, &index, self.known_ids)
        } else {
            suppress::Suppressions::default()
        };
        let mut diagnostics = std::mem::take(&mut cx.diagnostics);
        defer_to_specific(&mut diagnostics);
        diagnostics.retain(|d| !suppressions.covers(d));
        diagnostics.extend(suppressions.problems(&file.path));
        let mut facts = std::mem::take(&mut cx.db);
        let effect_callbacks = std::mem::take(&mut facts.walk.effect_callbacks);
        facts.walk = Default::default();
        let boundary = graph::boundary_of(&program);
        // Where a finding can land (the walk's own, a deferred one, the
        // project rules' at queries and calls): which functions never run.
        let exports_run = boundary == graph::Boundary::Server || !judge_exports;
        let reportable = uncalled::Reportable::of(&facts, &diagnostics);
        facts.uncalled = uncalled::in_walk(
            &facts,
            reportable.as_ref(),
            &cx.model,
            &file.source,
            exports_run,
        );
        if let Some(reportable) = &reportable {
            facts.browser_only = crate::semantic::browser::browser_only(
                &program,
                &cx.model,
                &effect_callbacks,
                |span| reportable.within(span, &cx.model),
            );
            if judge_exports {
                facts.methods = crate::semantic::uncalled::candidate_methods(
                    &program,
                    |span| reportable.within(span, &cx.model),
                    |span| cx.model.loc(span),
                );
            }
        }
        facts.small_lists = cx.hot.module_lists();
        let returning = crate::effects::hot_paths::functions_returning(
            &program,
            &facts.small_lists,
            &cx.hot.returned_lists(),
        );
        facts.small_lists.extend(returning);
        // An imported list looped over, where a finding may hang on its
        // length: the engine may know it (`Linter::with_imported_lists`).
        if !diagnostics.is_empty() || !facts.deferred.is_empty() {
            let mut looped: Vec<String> = cx
                .hot
                .unknown_lengths()
                .filter(|name| {
                    let local = name.strip_suffix("()").unwrap_or(name);
                    facts
                        .imports
                        .iter()
                        .any(|i| i.local == local && i.imported.is_some())
                })
                .map(|name| name.to_string())
                .collect();
            looped.sort();
            facts.looped_imports = looped;
            // A parameter looped over whose every caller, in this file, gives
            // a short list (`enforceQuotas(c, [{ … }, { … }])`): walked again
            // knowing it, when the function is the module's own (not
            // exported) and its name is used nowhere but in those calls.
            if !known_lists.iter().any(|(name, _)| name.contains(':')) {
                let known: Vec<(String, u32)> = cx
                    .hot
                    .looped_params()
                    .into_iter()
                    .filter(|(function, _, _, calls)| {
                        let own: Vec<&crate::effects::calls::FunctionFact> = facts
                            .functions
                            .iter()
                            .filter(|f| {
                                f.top_level
                                    && !f.is_method
                                    && f.name.as_deref() == Some(function.as_str())
                            })
                            .collect();
                        let [own] = own.as_slice() else {
                            return false;
                        };
                        let exported = facts
                            .exports
                            .iter()
                            .any(|(_, declared)| declared == function.as_str());
                        // Every use of the name outside the function is a
                        // call counted (one inside it, a recursive call, is
                        // counted too and then matches no use outside).
                        let body = [(
                            own.span.lo.0.saturating_sub(crate::syntax::START),
                            own.span.hi.0.saturating_sub(crate::syntax::START),
                        )];
                        !exported
                            && crate::semantic::uncalled::name_uses(&file.source, function, &body)
                                .filter(Option::is_none)
                                .count()
                                == *calls as usize
                    })
                    .map(|(function, param, len, _)| (format!("{function}:{param}"), len as u32))
                    .collect();
                if !known.is_empty() {
                    let mut lists = known_lists.to_vec();
                    lists.extend(known);
                    return self.walk_file(
                        file,
                        requests,
                        WalkParams {
                            queue_batch,
                            is_entry,
                            judge_exports,
                        },
                        object_ids,
                        &lists,
                    );
                }
            }
        }
        let requests = if requests {
            graph::module_requests(&program, facts.requests.clone())
        } else {
            Vec::new()
        };
        Ok(Walked {
            diagnostics,
            facts,
            suppressions,
            requests,
            boundary,
            role: None,
        })
    }
}

/// (generic rule, more specific rule, how the generic finding covers the
/// specific one): where both report the same problem, only the specific
/// rule's finding is kept. A more specific rule that is off (or has nothing
/// to say there) leaves the generic one alone; one that a comment suppresses
/// still silences the generic one.
const DEFERS_TO: &[(&str, &str, Covers)] = &[
    ("await-in-loop", "drizzle-query-in-loop", Covers::SameEnd),
    ("await-in-loop", "subrequest-in-loop", Covers::SameEnd),
    (
        "subrequest-in-loop",
        "drizzle-query-in-loop",
        Covers::SameEnd,
    ),
    // `Promise.all(ids.map((id) => db.select()…))`: the fan-out of queries
    // is the N+1, whose fix (one query for all) also ends the fan-out.
    (
        "unbounded-concurrency",
        "drizzle-query-in-loop",
        Covers::Inside,
    ),
    // A database client at module scope: the problem is sharing it across
    // requests, not the startup cost of building it.
    ("top-level-work", "global-db-client", Covers::SameEnd),
    // A module-scope cache that holds promises: sharing them across
    // requests is the graver problem, and its fix replaces the cache.
    (
        "unbounded-memory-cache",
        "request-state-in-global",
        Covers::SameEnd,
    ),
];

/// Where a generic finding stands for the same problem as a specific one.
#[derive(Clone, Copy, PartialEq)]
enum Covers {
    /// It encloses the specific finding and ends where it ends: `await
    /// db.select()…` (await-in-loop) around the query (drizzle-query-in-loop).
    SameEnd,
    /// The specific finding is anywhere inside it: a query in the callback
    /// of the `Promise.all(…)` that unbounded-concurrency reports.
    Inside,
}

/// Drops the generic findings of [`DEFERS_TO`] that cover a specific rule's
/// finding.
fn defer_to_specific(diagnostics: &mut Vec<Diagnostic>) {
    // (specific rule, file) → the specific findings' (start, end), sorted:
    // one pass to index, a binary search per generic finding, instead of
    // comparing every pair.
    type Pos = (Option<u32>, Option<u32>);
    type Spans = Vec<(Pos, Pos)>;
    let mut specific: std::collections::BTreeMap<(&str, Option<&str>), Spans> =
        std::collections::BTreeMap::new();
    for s in diagnostics.iter() {
        if DEFERS_TO.iter().any(|(_, rule, _)| *rule == s.rule) {
            specific
                .entry((s.rule.as_str(), s.file.as_deref()))
                .or_default()
                .push(((s.line, s.column), (s.end_line, s.end_column)));
        }
    }
    for spans in specific.values_mut() {
        crate::model::collections::sort_by(spans, |a, b| a.cmp(b));
    }
    let covered: Vec<bool> = diagnostics
        .iter()
        .map(|d| {
            let (start, end) = ((d.line, d.column), (d.end_line, d.end_column));
            DEFERS_TO
                .iter()
                .filter(|(generic, ..)| *generic == d.rule)
                .any(|(_, rule, covers)| {
                    let Some(spans) = specific.get(&(*rule, d.file.as_deref())) else {
                        return false;
                    };
                    // The specific findings that start inside this one.
                    let from = spans.partition_point(|(s, _)| *s < start);
                    let inside = spans[from..].iter().take_while(|(s, _)| *s <= end);
                    match covers {
                        Covers::SameEnd => inside.clone().any(|(_, e)| *e == end),
                        Covers::Inside => inside.clone().any(|(_, e)| *e <= end),
                    }
                })
        })
        .collect();
    let mut covered = covered.into_iter();
    diagnostics.retain(|_| !covered.next().unwrap_or(false));
}

/// One finding per group ([`LintContext::grouped`]): a rule's findings in
/// one file about the same code (a loop with several calls that make
/// subrequests) become the first of them, with the others as related
/// evidence, in the order of the file. One cause, one fix, one finding.
fn merge_groups(diagnostics: &mut Vec<Diagnostic>) {
    let mut groups: std::collections::BTreeMap<(&str, Option<&str>, u32), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if let Some(group) = d.group {
            groups
                .entry((d.rule.as_str(), d.file.as_deref(), group))
                .or_default()
                .push(i);
        }
    }
    let mut merges: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    if merges.is_empty() {
        return;
    }
    let mut drop = vec![false; diagnostics.len()];
    for members in &mut merges {
        members.sort_by_key(|&i| (diagnostics[i].line, diagnostics[i].column));
        let (&primary, others) = members.split_first().expect("a merged group has members");
        let mut related = Vec::with_capacity(others.len());
        let mut severity = diagnostics[primary].severity;
        for &i in others.iter() {
            let other = &diagnostics[i];
            drop[i] = true;
            severity = severity.max(other.severity);
            // The message starts with the call: "`save(x)` inside a for loop…".
            let call = other
                .message
                .split(" inside a")
                .next()
                .unwrap_or(&other.message);
            related.push(crate::model::report::Related {
                file: other.file.clone().unwrap_or_default(),
                line: other.line.unwrap_or(0),
                column: other.column.unwrap_or(0),
                message: format!("also in this loop: {call}"),
            });
            // Its own evidence (the chain to the subrequest) follows it.
            related.extend(other.related.iter().cloned());
        }
        let d = &mut diagnostics[primary];
        let n = others.len();
        d.message.push_str(&format!(
            "; {} other call{} in this loop {} the same (related)",
            crate::model::text::count(n as u64),
            if n == 1 { "" } else { "s" },
            if n == 1 { "does" } else { "do" }
        ));
        d.severity = severity;
        d.related.extend(related);
    }
    let mut drop = drop.into_iter();
    diagnostics.retain(|_| !drop.next().unwrap_or(false));
}

/// Rules whose finding is about a package, wherever it is imported: the
/// same claim (the same message) at several imports is one finding.
const PER_PACKAGE: &[&str] = &["heavy-dependency", "node-polyfill-import"];

/// One finding per package for the [`PER_PACKAGE`] rules: the first import
/// (in file order) keeps it, the others are its related places (a project
/// that imports `uuid` in 13 files has one thing to fix, not 13). After the
/// bundle's findings (a CommonJS package's size is evidence at each import
/// of its `commonjs-dependency`: [`merge_same_cause`]).
pub fn merge_package_findings(diagnostics: &mut Vec<Diagnostic>) {
    let mut first: HashMap<(&str, &str), usize> = HashMap::default();
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if d.file.is_none() || !PER_PACKAGE.contains(&d.rule.as_str()) {
            continue;
        }
        match first.entry((d.rule.as_str(), d.message.as_str())) {
            std::collections::hash_map::Entry::Occupied(e) => moves.push((*e.get(), i)),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    if moves.is_empty() {
        return;
    }
    let mut drop = vec![false; diagnostics.len()];
    let mut counts: HashMap<usize, usize> = HashMap::default();
    for &(primary, other) in &moves {
        drop[other] = true;
        *counts.entry(primary).or_default() += 1;
        let place = crate::model::report::Related {
            file: diagnostics[other].file.clone().unwrap_or_default(),
            line: diagnostics[other].line.unwrap_or(0),
            column: diagnostics[other].column.unwrap_or(0),
            message: "also imported here".into(),
        };
        let severity = diagnostics[other].severity;
        let d = &mut diagnostics[primary];
        d.severity = d.severity.max(severity);
        d.related.push(place);
    }
    for (primary, n) in counts {
        diagnostics[primary].message.push_str(&format!(
            " (and {} more import{} of it: related)",
            crate::model::text::count(n as u64),
            if n == 1 { "" } else { "s" }
        ));
    }
    let mut drop = drop.into_iter();
    diagnostics.retain(|_| !drop.next().unwrap_or(false));
}

/// (evidence rule, primary rule): where both report the same package at the
/// same import, one problem has one finding: the primary keeps its place
/// and message, takes the higher of the two severities, and carries the
/// other as `related` evidence. Unlike [`DEFERS_TO`], the other finding says
/// something the primary does not (the size and the lighter package), so it
/// is kept, as evidence.
const MERGES_INTO: &[(&str, &str)] = &[
    // A CommonJS package is bundled whole: that is why it is heavy, and what
    // the fix (an ESM build, a deep import) addresses.
    ("heavy-dependency", "commonjs-dependency"),
];

/// The package a finding about an import is about: its message starts with
/// the specifier or the package name in backticks.
fn package_of(d: &Diagnostic) -> Option<&str> {
    let quoted = d.message.strip_prefix('`')?.split('`').next()?;
    crate::semantic::imports::package_name(quoted)
}

/// Applies [`MERGES_INTO`] to findings that suppression comments already
/// filtered (a suppressed primary leaves the other finding standing).
pub fn merge_same_cause(diagnostics: &mut Vec<Diagnostic>) {
    let mut merged = vec![false; diagnostics.len()];
    for (evidence_rule, primary_rule) in MERGES_INTO {
        for e in 0..diagnostics.len() {
            let d = &diagnostics[e];
            if merged[e] || d.rule != *evidence_rule || d.line.is_none() {
                continue;
            }
            let Some(package) = package_of(d) else {
                continue;
            };
            let primary = diagnostics.iter().position(|p| {
                p.rule == *primary_rule
                    && p.file == d.file
                    && p.line == d.line
                    && package_of(p) == Some(package)
            });
            let Some(p) = primary else {
                continue;
            };
            let evidence = crate::model::report::Related {
                file: d.file.clone().unwrap_or_default(),
                line: d.line.unwrap_or(0),
                column: d.column.unwrap_or(1),
                message: format!("{evidence_rule}: {}", d.message),
            };
            let severity = d.severity;
            let primary = &mut diagnostics[p];
            primary.severity = primary.severity.max(severity);
            primary.related.push(evidence);
            merged[e] = true;
        }
    }
    let mut merged = merged.into_iter();
    diagnostics.retain(|_| !merged.next().unwrap_or(false));
}

/// Schema-aware checks over every file's facts, after all files are walked,
/// and the deferred findings whose calls lead to the effect they need (the
/// effect summaries across files). `rules` are the enabled project rules
/// with their configured severities.
pub fn check_project(
    files: &[(String, FileFacts)],
    sources: &[&Text],
    sql_files: &[SourceFile],
    project: &ProjectInfo,
    limits: Limits,
    rules: &[(&'static ProjectRuleEntry, Severity)],
    shared: Option<SharedResolver<'_>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let deferred = files.iter().any(|(_, facts)| !facts.deferred.is_empty());
    if rules.is_empty() && !deferred {
        return out;
    }
    let mut model = Project::new(files, sources, sql_files, project, shared);
    model.limits = limits;
    if deferred {
        out.extend(model.deferred());
    }
    for (entry, severity) in rules {
        let mut reporter = Reporter {
            meta: &entry.meta,
            severity: *severity,
            out: &mut out,
        };
        if let declare::Kind::Project(check) = entry.kind {
            check(&model, &mut reporter);
        }
    }
    out
}
