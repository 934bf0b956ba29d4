//! Findings inside functions the Worker never runs are left out: a
//! module-scope function its file never names (`semantic::uncalled`), and
//! that no analyzed file imports, is dead code. Reporting an N+1 there
//! claims a cost nobody pays. The report says what was left out.

use crate::effects::FileFacts;
use crate::model::collections::{HashMap, HashSet};
use crate::model::report::Diagnostic;
use crate::semantic::uncalled::Uncalled;

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
    /// (file, name) pairs imported or re-exported by name.
    names: HashSet<(usize, String)>,
    /// Files loaded whole (a namespace import, `export *`, `import()`, `require()`).
    whole: HashSet<usize>,
    /// Names imported from specifiers that resolve to no analyzed file.
    unresolved: HashSet<String>,
    /// A relative specifier that resolves to nothing is loaded whole: any
    /// file's exports may be used.
    anything: bool,
}

fn taken(files: &[(String, FileFacts)], imports: &Imports<'_>) -> Taken {
    let mut out = Taken {
        names: HashSet::default(),
        whole: HashSet::default(),
        unresolved: HashSet::default(),
        anything: false,
    };
    for (file, (_, facts)) in files.iter().enumerate() {
        let mut add = |spec: &str, name: Option<&str>| match ((imports.resolve)(file, spec), name) {
            (Some(target), Some(name)) => {
                out.names.insert((target, name.to_string()));
            }
            (Some(target), None) => {
                out.whole.insert(target);
            }
            (None, Some(name)) => {
                out.unresolved.insert(name.to_string());
            }
            (None, None) => out.anything |= spec.starts_with('.'),
        };
        for (spec, name) in facts.loads() {
            add(spec, name);
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
            taken.unresolved.contains(name) || taken.names.contains(&(file, name.clone()))
        })
}

/// Whether (line, column) lies within `loc`.
fn inside(loc: &crate::syntax::position::Loc, line: u32, column: u32) -> bool {
    (loc.line, loc.column) <= (line, column) && (line, column) <= (loc.end_line, loc.end_column)
}

/// Removes from `diagnostics` those inside a function nothing runs, and
/// says which functions they were in (None when none was left out).
pub(super) fn leave_out_uncalled(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(String, FileFacts)],
    imports: Option<&Imports<'_>>,
) -> Option<String> {
    let by_path: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, (_, facts))| !facts.uncalled.is_empty())
        .map(|(i, (path, _))| (path.as_str(), i))
        .collect();
    if by_path.is_empty() {
        return None;
    }
    // (diagnostic, file, function) for each finding inside an uncalled function.
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
        if let Some(f) = files[file]
            .1
            .uncalled
            .iter()
            .position(|u| inside(&u.loc, line, column))
        {
            hits.push((d, file, f));
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
            let mut changed = true;
            // Small lists (the file's dead functions): a few rounds at most.
            while changed {
                changed = false;
                for (c, u) in list.iter().enumerate() {
                    if !live[c]
                        && u.named_by
                            .iter()
                            .any(|&d| live.get(d as usize).copied().unwrap_or(true))
                    {
                        live[c] = true;
                        changed = true;
                    }
                }
            }
            live
        });
    }
    let mut dropped = vec![false; diagnostics.len()];
    let mut functions: Vec<(usize, usize)> = Vec::new();
    for &(d, file, f) in &hits {
        if !runs[&file][f] {
            dropped[d] = true;
            if !functions.contains(&(file, f)) {
                functions.push((file, f));
            }
        }
    }
    let count = dropped.iter().filter(|&&d| d).count();
    if count == 0 {
        return None;
    }
    let mut keep = dropped.iter().map(|d| !d);
    diagnostics.retain(|_| keep.next().unwrap_or(true));
    let shown: Vec<String> = functions
        .iter()
        .take(4)
        .map(|&(file, f)| {
            let u = &files[file].1.uncalled[f];
            format!("`{}` ({}:{})", u.name, files[file].0, u.loc.line)
        })
        .collect();
    let more = if functions.len() > 4 { ", …" } else { "" };
    let many = functions.len() > 1;
    Some(format!(
        "{} {} inside {} that nothing calls ({} file never names {} and no file the analysis reads imports {}): {}{more}.",
        crate::model::text::count(count as u64),
        if count == 1 { "finding was left out" } else { "findings were left out" },
        if many { "functions" } else { "a function" },
        if many { "their" } else { "its" },
        if many { "them" } else { "it" },
        if many { "them" } else { "it" },
        shown.join(", ")
    ))
}
