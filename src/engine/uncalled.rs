//! Findings inside functions the Worker never runs are left out: a
//! module-scope function its file never names (`semantic::uncalled`), and
//! that no analyzed file imports, is dead code. Reporting an N+1 there
//! claims a cost nobody pays. The report says what was left out.

use crate::effects::calls::FunctionFact;
use crate::effects::{FileFacts, Takes};
use crate::model::collections::{HashMap, HashSet};
use crate::model::report::Diagnostic;
use crate::semantic::file::FileModel;
use crate::semantic::uncalled::{name_uses, uncalled_functions, Uncalled};
use crate::syntax::START;

/// What the analyzed files import, for deciding whether an exported
/// function runs: known only when the files are those the Worker's entries
/// reach (another file may import anything from a file linted on its own).
pub(super) struct Imports<'a> {
    /// The analyzed file a specifier of an analyzed file names, if it is one.
    pub resolve: &'a dyn Fn(usize, &str) -> Option<usize>,
    /// Per analyzed file: it is a Worker entry (the runtime calls its exports).
    pub is_entry: &'a [bool],
}

/// Which exports of each file some file takes, as far as the facts say.
struct Taken {
    /// Per file, the exports imported or re-exported by name.
    names: HashMap<usize, HashSet<String>>,
    /// Files loaded whole (a namespace import, `import()`, `require()`).
    whole: HashSet<usize>,
    /// Names imported from specifiers that resolve to no analyzed file.
    unresolved: HashSet<String>,
    /// A relative specifier that resolves to nothing is loaded whole: any
    /// file's exports may be used.
    anything: bool,
}

fn taken(files: &[(String, FileFacts)], imports: &Imports<'_>) -> Taken {
    let mut out = Taken {
        names: HashMap::default(),
        whole: HashSet::default(),
        unresolved: HashSet::default(),
        anything: false,
    };
    // (barrel, module) for each `export * from` that resolves.
    let mut stars: Vec<(usize, usize)> = Vec::new();
    for (file, (_, facts)) in files.iter().enumerate() {
        for (spec, takes) in facts.loads() {
            match ((imports.resolve)(file, spec), takes) {
                (Some(target), Takes::Export(name)) => {
                    out.names
                        .entry(target)
                        .or_default()
                        .insert(name.to_string());
                }
                (Some(target), Takes::Whole) => {
                    out.whole.insert(target);
                }
                (Some(target), Takes::EveryExport) => stars.push((file, target)),
                (None, Takes::Export(name)) => {
                    out.unresolved.insert(name.to_string());
                }
                (None, _) => out.anything |= spec.starts_with('.'),
            }
        }
    }
    // `export * from './m'` passes on what the barrel's importers take: m
    // is whole when the barrel is (or is an entry the runtime reads), and
    // each name taken from the barrel may be m's. Through chains of
    // barrels, until nothing changes (each round adds, so it ends).
    let mut changed = !stars.is_empty();
    while changed {
        changed = false;
        for &(barrel, module) in &stars {
            let entry = imports.is_entry.get(barrel).copied().unwrap_or(true);
            if entry || out.whole.contains(&barrel) {
                changed |= out.whole.insert(module);
                continue;
            }
            let Some(names) = out.names.get(&barrel) else {
                continue;
            };
            let passed: Vec<String> = names
                .iter()
                .filter(|name| *name != "default")
                .filter(|name| !out.names.get(&module).is_some_and(|m| m.contains(*name)))
                .cloned()
                .collect();
            if !passed.is_empty() {
                changed = true;
                out.names.entry(module).or_default().extend(passed);
            }
        }
    }
    out
}

/// Whether the function runs for a reason outside its file: an entry's
/// export (the runtime calls it), or an export some file takes.
fn runs_from_outside(
    file: usize,
    function: &Uncalled,
    imports: Option<&Imports<'_>>,
    taken: &mut Option<Taken>,
    files: &[(String, FileFacts)],
) -> bool {
    if function.exported.is_empty() {
        return false;
    }
    let Some(imports) = imports else {
        return true;
    };
    if imports.is_entry.get(file).copied().unwrap_or(true) {
        return true;
    }
    let taken = taken.get_or_insert_with(|| self::taken(files, imports));
    taken.anything
        || taken.whole.contains(&file)
        || function.exported.iter().any(|name| {
            taken.unresolved.contains(name)
                || taken.names.get(&file).is_some_and(|n| n.contains(name))
        })
}

/// Whether (line, column) lies within `loc`.
pub(super) fn inside(loc: &crate::syntax::position::Loc, line: u32, column: u32) -> bool {
    (loc.line, loc.column) <= (line, column) && (line, column) <= (loc.end_line, loc.end_column)
}

/// Rules whose finding sits on a declaration at module scope while its
/// cause is each of its related places in the same file (an
/// `unbounded-memory-cache`'s fills): left out when every such place is in
/// a function nothing runs.
pub(super) const CAUSED_WHERE_RELATED: &[&str] = &["unbounded-memory-cache"];

/// Removes from `diagnostics` those inside a function nothing runs, and
/// says which functions they were in (None when none was left out).
pub(super) fn leave_out_uncalled(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(String, FileFacts)],
    imports: Option<&Imports<'_>>,
) -> Option<String> {
    let uncalled_at = |facts: &FileFacts, line: u32, column: u32| {
        // In source order and disjoint: the last that starts at or before it.
        let list = &facts.uncalled;
        let after = list.partition_point(|u| (u.loc.line, u.loc.column) <= (line, column));
        after
            .checked_sub(1)
            .filter(|&f| inside(&list[f].loc, line, column))
    };
    // (diagnostic, file, function) for each finding inside an uncalled function.
    let mut hits = findings_in(
        diagnostics,
        files,
        |facts| !facts.uncalled.is_empty(),
        uncalled_at,
    );
    // A finding whose cause is where its related places are (a module-scope
    // cache filled in functions): one hit per place, and the finding stays
    // when any place is outside every uncalled function.
    let mut caused_outside: HashSet<usize> = HashSet::default();
    for (d, diagnostic) in diagnostics.iter().enumerate() {
        if !CAUSED_WHERE_RELATED.contains(&diagnostic.rule.as_str()) {
            continue;
        }
        let Some(file) = files
            .iter()
            .position(|(path, _)| Some(path) == diagnostic.file.as_ref())
        else {
            continue;
        };
        let facts = &files[file].1;
        for place in diagnostic
            .related
            .iter()
            .filter(|r| Some(&r.file) == diagnostic.file.as_ref())
        {
            match uncalled_at(facts, place.line, place.column) {
                Some(f) => hits.push((d, file, f)),
                None => {
                    caused_outside.insert(d);
                }
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    // Per file with a hit: which of its uncalled functions run after all
    // (taken from outside, or named by one that is).
    let mut taken = None;
    let mut runs: HashMap<usize, Vec<bool>> = HashMap::default();
    for &(_, file, _) in &hits {
        runs.entry(file).or_insert_with(|| {
            let list = &files[file].1.uncalled;
            let mut live: Vec<bool> = list
                .iter()
                .map(|u| runs_from_outside(file, u, imports, &mut taken, files))
                .collect();
            // What a running function names runs too: along the reversed
            // edges, each function once. (A caller not in the list runs.)
            let mut names: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
            for (c, u) in list.iter().enumerate() {
                for &d in &u.named_by {
                    match names.get_mut(d as usize) {
                        Some(callees) => callees.push(c),
                        None => live[c] = true,
                    }
                }
            }
            let mut queue: Vec<usize> = (0..list.len()).filter(|&c| live[c]).collect();
            while let Some(d) = queue.pop() {
                for &c in &names[d] {
                    if !live[c] {
                        live[c] = true;
                        queue.push(c);
                    }
                }
            }
            live
        });
    }
    // A finding with a place in a function that runs stays.
    let mut stays = caused_outside;
    stays.extend(
        hits.iter()
            .filter(|&&(_, file, f)| runs[&file][f])
            .map(|&(d, _, _)| d),
    );
    let mut dropped = vec![false; diagnostics.len()];
    let mut functions: Vec<(usize, usize)> = Vec::new();
    let mut named: HashSet<(usize, usize)> = HashSet::default();
    for &(d, file, f) in &hits {
        if !stays.contains(&d) {
            dropped[d] = true;
            if named.insert((file, f)) {
                functions.push((file, f));
            }
        }
    }
    let shown: Vec<String> = functions
        .iter()
        .map(|&(file, f)| {
            let u = &files[file].1.uncalled[f];
            format!("`{}` ({}:{})", u.name, files[file].0, u.loc.line)
        })
        .collect();
    let many = functions.len() > 1;
    let (them, its) = if many {
        ("them", "their")
    } else {
        ("it", "its")
    };
    left_out(
        diagnostics,
        &dropped,
        &shown,
        &format!(
            "inside {} that nothing calls ({its} file never names {them} and no file the Worker runs imports {them})",
            if many { "functions" } else { "a function" },
        ),
        ", ",
    )
}

/// (diagnostic, file, region) for each finding in a region of its file:
/// `region` finds it by line and column in the facts of a file that `has`
/// regions.
pub(super) fn findings_in(
    diagnostics: &[Diagnostic],
    files: &[(String, FileFacts)],
    has: impl Fn(&FileFacts) -> bool,
    region: impl Fn(&FileFacts, u32, u32) -> Option<usize>,
) -> Vec<(usize, usize, usize)> {
    let by_path: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, (_, facts))| has(facts))
        .map(|(i, (path, _))| (path.as_str(), i))
        .collect();
    if by_path.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (d, diagnostic) in diagnostics.iter().enumerate() {
        let (Some(path), Some(line), Some(column)) =
            (&diagnostic.file, diagnostic.line, diagnostic.column)
        else {
            continue;
        };
        let Some(&file) = by_path.get(path.as_str()) else {
            continue;
        };
        if let Some(r) = region(&files[file].1, line, column) {
            hits.push((d, file, r));
        }
    }
    hits
}

/// Drops the `dropped` findings of `diagnostics` and says so: "N findings
/// were left out `place`: " and the first four of `shown` (the code they
/// were in), joined with `separator`. None when none was dropped.
pub(super) fn left_out(
    diagnostics: &mut Vec<Diagnostic>,
    dropped: &[bool],
    shown: &[String],
    place: &str,
    separator: &str,
) -> Option<String> {
    let count = dropped.iter().filter(|&&d| d).count();
    if count == 0 {
        return None;
    }
    let mut keep = dropped.iter().map(|d| !d);
    diagnostics.retain(|_| keep.next().unwrap_or(true));
    let more = if shown.len() > 4 {
        format!("{separator}…")
    } else {
        String::new()
    };
    Some(format!(
        "{} {} {place}: {}{more}.",
        crate::model::text::count(count as u64),
        if count == 1 {
            "finding was left out"
        } else {
            "findings were left out"
        },
        shown[..shown.len().min(4)].join(separator)
    ))
}

/// Removes from `diagnostics` those inside a method no analyzed file calls
/// or names as a property (`semantic::uncalled::names_method`, over
/// `sources`, the analyzed files' texts), and says which methods they were
/// in. Only when every file that may call one is analyzed.
pub(super) fn leave_out_uncalled_methods(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(String, FileFacts)],
    sources: &[&crate::model::project::Text],
) -> Option<String> {
    // (diagnostic, file, method) for each finding inside a candidate method.
    let hits = findings_in(
        diagnostics,
        files,
        |facts| !facts.methods.is_empty(),
        |facts, line, column| {
            facts
                .methods
                .iter()
                .position(|m| inside(&m.loc, line, column))
        },
    );
    // Each method's name looked for once, in every analyzed file.
    let mut called: HashMap<&str, bool> = HashMap::default();
    let mut dropped = vec![false; diagnostics.len()];
    let mut methods: Vec<(usize, usize)> = Vec::new();
    for &(d, file, m) in &hits {
        let name = files[file].1.methods[m].name.as_str();
        let runs = *called.entry(name).or_insert_with(|| {
            sources
                .iter()
                .any(|text| crate::semantic::uncalled::names_method(text, name))
        });
        if !runs {
            dropped[d] = true;
            if !methods.contains(&(file, m)) {
                methods.push((file, m));
            }
        }
    }
    let shown: Vec<String> = methods
        .iter()
        .map(|&(file, m)| {
            let method = &files[file].1.methods[m];
            format!(
                "`{}.{}` ({}:{})",
                method.class, method.name, files[file].0, method.loc.line
            )
        })
        .collect();
    let many = methods.len() > 1;
    let them = if many { "them" } else { "it" };
    left_out(
        diagnostics,
        &dropped,
        &shown,
        &format!(
            "inside {} that nothing calls (no file the Worker runs calls {them} or names {them} as a property)",
            if many { "methods" } else { "a method" },
        ),
        ", ",
    )
}

/// Where a walked file's findings are and may go (the walk's own, its
/// deferred ones, the project rules' at its queries and calls), sorted:
/// whether a piece of code holds one is two binary searches.
pub(super) struct Reportable {
    anchors: Vec<u32>,
    places: Vec<(u32, u32)>,
}

impl Reportable {
    /// None when nothing may be reported in the file.
    pub(super) fn of(facts: &FileFacts, diagnostics: &[Diagnostic]) -> Option<Reportable> {
        let mut anchors: Vec<u32> = (facts.deferred.iter().map(|d| d.span.lo.0))
            .chain(facts.queries.iter().map(|q| q.span.lo.0))
            .chain(facts.calls.iter().map(|c| c.span.lo.0))
            .collect();
        let mut places: Vec<(u32, u32)> = diagnostics
            .iter()
            .filter_map(|d| d.line.zip(d.column))
            .collect();
        for d in diagnostics {
            if CAUSED_WHERE_RELATED.contains(&d.rule.as_str()) {
                places.extend(d.related.iter().map(|r| (r.line, r.column)));
            }
        }
        if anchors.is_empty() && places.is_empty() {
            return None;
        }
        anchors.sort_unstable();
        places.sort_unstable();
        Some(Reportable { anchors, places })
    }

    /// Something may be reported inside `span`.
    pub(super) fn within(&self, span: swc_core::common::Span, model: &FileModel<'_>) -> bool {
        let first = self.anchors.partition_point(|&a| a < span.lo.0);
        self.anchors.get(first).is_some_and(|&a| a <= span.hi.0)
            || (!self.places.is_empty() && {
                let loc = model.loc(span);
                let first = self.places.partition_point(|&p| p < (loc.line, loc.column));
                self.places
                    .get(first)
                    .is_some_and(|&p| p <= (loc.end_line, loc.end_column))
            })
    }
}

/// The functions of a walked file that nothing in it calls, where
/// something may be reported (`reportable`; None: nowhere):
/// [`uncalled_functions`], asked of the
/// semantic model only when needed. Most files' rules build no model, and a
/// function that the module's code outside its named functions uses, or
/// one such function does, needs none. `exports_run`: the file's exports
/// run whoever imports them (not judged, or `"use server"` actions).
pub(super) fn in_walk(
    facts: &FileFacts,
    reportable: Option<&Reportable>,
    model: &FileModel<'_>,
    source: &str,
    exports_run: bool,
) -> Vec<Uncalled> {
    let named = |f: &&FunctionFact| f.top_level && !f.is_method && f.name.is_some();
    if !facts.functions.iter().any(|f| named(&f)) {
        return Vec::new();
    }
    let Some(reportable) = reportable else {
        return Vec::new();
    };
    let may_report = |span| reportable.within(span, model);
    let exported: HashSet<&str> = facts
        .exports
        .iter()
        .map(|(_, local)| local.as_str())
        .collect();
    let mut functions: Vec<(u32, u32, &str)> = facts
        .functions
        .iter()
        .filter(named)
        .map(|f| {
            (
                f.span.lo.0.saturating_sub(START),
                f.span.hi.0.saturating_sub(START),
                f.name.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    functions.sort_unstable();
    let spans: Vec<(u32, u32)> = functions.iter().map(|&(lo, hi, _)| (lo, hi)).collect();
    let mut proof = Proof {
        source,
        functions: &functions,
        spans: &spans,
        exported: &exported,
        exports_run,
        known: HashMap::default(),
        scans: 0,
    };
    // Those that may not run and have something to report, each proven to
    // run without the model, or the model asked.
    let needs_model = facts.functions.iter().filter(named).any(|f| {
        let name = f.name.as_deref().unwrap_or_default();
        !(exports_run && exported.contains(name)) && may_report(f.span) && !proof.runs(name, 0)
    });
    if !needs_model {
        return Vec::new();
    }
    uncalled_functions(model.semantic(), exports_run, may_report, |span| {
        model.loc(span)
    })
}

/// Proofs from the text that a module function runs: a use of its name
/// outside the module's named functions, or inside one that runs.
struct Proof<'a> {
    source: &'a str,
    /// The named module functions: (start, end, name), sorted.
    functions: &'a [(u32, u32, &'a str)],
    spans: &'a [(u32, u32)],
    exported: &'a HashSet<&'a str>,
    exports_run: bool,
    known: HashMap<&'a str, bool>,
    /// Scans of the text so far: past a few, the model costs less.
    scans: u32,
}

impl<'a> Proof<'a> {
    const MAX_SCANS: u32 = 24;
    const MAX_DEPTH: u32 = 4;

    fn runs(&mut self, name: &'a str, depth: u32) -> bool {
        if let Some(&known) = self.known.get(name) {
            return known;
        }
        if self.exports_run && self.exported.contains(name) {
            return true;
        }
        if self.scans >= Self::MAX_SCANS || depth > Self::MAX_DEPTH {
            return false;
        }
        self.scans += 1;
        // Unproven while it is asked (a cycle proves nothing).
        self.known.insert(name, false);
        let mut callers: Vec<usize> = Vec::new();
        let mut outside = false;
        for inside in name_uses(self.source, name, self.spans) {
            match inside {
                None => {
                    outside = true;
                    break;
                }
                Some(i) => {
                    if self.functions[i].2 != name && !callers.contains(&i) {
                        callers.push(i);
                    }
                }
            }
        }
        let runs = outside
            || callers
                .into_iter()
                .any(|i| self.runs(self.functions[i].2, depth + 1));
        self.known.insert(name, runs);
        runs
    }
}
