//! Module-scope functions nothing in their own file calls or names: code
//! the Worker never runs unless another file imports one of them. A
//! finding inside such a function is a claim about code that does not run
//! (the engine leaves it out once the project's imports are known).

use swc_core::common::Span;

use super::{Declaration, ExportTarget, InitKind, SemanticModel, SymbolFlags, SymbolId};
use crate::syntax::position::Loc;

/// A module-scope function (`function f`, `const f = () => …`) that no code
/// of its file names outside its own body, other than such functions and
/// its own `export`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncalled {
    pub name: String,
    /// The whole function.
    pub loc: Loc,
    /// The names it is exported under (none: only its file could call it).
    pub exported: Vec<String>,
    /// The others of the file's list whose bodies name it: it runs if one
    /// of them does.
    pub named_by: Vec<u32>,
}

crate::model::wire::wire_struct!(Uncalled {
    name,
    loc,
    exported,
    named_by
});

/// Export names a framework or the runtime calls by convention (a route
/// module's `GET` or `loader`, Pages Functions' `onRequest…`, a default
/// export a router loads by file name): a function exported under one of
/// them runs though no file imports it.
fn called_by_convention(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "default",
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
        "ALL",
        "fetch",
        "scheduled",
        "queue",
        "email",
        "tail",
        "trace",
        "test",
        "loader",
        "action",
        "clientLoader",
        "clientAction",
        "load",
        "actions",
        "handle",
        "handleFetch",
        "handleError",
        "reroute",
        "init",
        "middleware",
        "handler",
        "getStaticPaths",
        "getServerSideProps",
        "getStaticProps",
        "generateStaticParams",
        "generateMetadata",
        "meta",
        "links",
        "headers",
    ];
    // Pages Functions' `onRequest…`, Astro's `onRequest`, Qwik City's `onGet`.
    let on_event = name
        .strip_prefix("on")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase());
    NAMES.contains(&name) || on_event
}

/// The file's module-scope functions that nothing outside them names
/// (references inside a function's own body are its recursion; those in
/// another such function count only if that one runs). `loc` places a span.
/// `exports_run`: the file's exports are called from elsewhere whoever
/// imports them (a `"use server"` module's server actions, which the
/// browser calls). Only the functions where something may be reported
/// (`may_report` of the function's span) are listed, with those that name
/// them: the others cost nothing to keep, nor a place (`loc`) to make.
pub fn uncalled_functions(
    model: &SemanticModel,
    exports_run: bool,
    may_report: impl Fn(Span) -> bool,
    loc: impl Fn(Span) -> Loc,
) -> Vec<Uncalled> {
    let root = model.root_scope();
    // (symbol, the whole function), in source order: module-scope
    // functions never nest, so the spans are disjoint.
    let mut candidates: Vec<(SymbolId, Span)> = Vec::new();
    for (i, symbol) in model.symbols().iter().enumerate() {
        let mixed = SymbolFlags::CLASS
            | SymbolFlags::NAMESPACE
            | SymbolFlags::ENUM
            | SymbolFlags::IMPORT
            | SymbolFlags::AMBIENT
            | SymbolFlags::TYPE_ONLY;
        if symbol.scope != root || symbol.flags.intersects(mixed) {
            continue;
        }
        let span = match symbol.declaration {
            Declaration::Function { span, .. } => span,
            Declaration::Variable {
                init:
                    Some(super::Init {
                        span,
                        kind: InitKind::Function { .. } | InitKind::Arrow { .. },
                    }),
            } => span,
            _ => continue,
        };
        let id = SymbolId(i as u32);
        if model.is_written(id) {
            continue;
        }
        candidates.push((id, span));
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    candidates.sort_by_key(|(_, span)| span.lo);
    let n = candidates.len();
    let by_symbol: crate::model::collections::HashMap<SymbolId, usize> = candidates
        .iter()
        .enumerate()
        .map(|(c, (sym, _))| (*sym, c))
        .collect();
    let mut exported: Vec<Vec<(String, Span)>> = vec![Vec::new(); n];
    let mut live = vec![false; n];
    for export in model.exports() {
        let ExportTarget::Local(sym) = export.target else {
            continue;
        };
        if export.type_only {
            continue;
        }
        if let Some(&c) = by_symbol.get(&sym) {
            live[c] |= exports_run || called_by_convention(&export.name);
            exported[c].push((export.name.to_string(), export.span));
        }
    }
    // named_by[c]: the candidates whose bodies name candidate c.
    let mut named_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    let containing = |pos: swc_core::common::BytePos| {
        let after = candidates.partition_point(|(_, span)| span.lo <= pos);
        after.checked_sub(1).filter(|&c| candidates[c].1.hi >= pos)
    };
    for (c, (sym, span)) in candidates.iter().enumerate() {
        if live[c] {
            continue;
        }
        for reference in model.references(*sym) {
            let at = reference.span;
            let in_export = exported[c]
                .iter()
                .any(|(_, e)| e.lo <= at.lo && at.hi <= e.hi);
            if in_export || (span.lo <= at.lo && at.hi <= span.hi) {
                continue;
            }
            match containing(at.lo) {
                Some(d) => {
                    if named_by[c].last() != Some(&d) {
                        named_by[c].push(d);
                    }
                }
                None => {
                    live[c] = true;
                    break;
                }
            }
        }
    }
    // What a running function names runs too.
    let mut names: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, by) in named_by.iter().enumerate() {
        for &d in by {
            names[d].push(c);
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&c| live[c]).collect();
    while let Some(d) = queue.pop() {
        for &c in &names[d] {
            if !live[c] {
                live[c] = true;
                queue.push(c);
            }
        }
    }
    // Listed: where something may be reported, and what names those (it
    // decides whether they run).
    let mut listed: Vec<bool> = (0..n)
        .map(|c| !live[c] && may_report(candidates[c].1))
        .collect();
    let mut queue: Vec<usize> = (0..n).filter(|&c| listed[c]).collect();
    while let Some(c) = queue.pop() {
        for &d in &named_by[c] {
            if !live[d] && !listed[d] {
                listed[d] = true;
                queue.push(d);
            }
        }
    }
    let mut position = vec![u32::MAX; n];
    let mut out = Vec::new();
    for c in (0..n).filter(|&c| listed[c]) {
        position[c] = out.len() as u32;
        out.push(c);
    }
    out.iter()
        .map(|&c| {
            let (sym, span) = candidates[c];
            Uncalled {
                name: model.symbol(sym).name.to_string(),
                loc: loc(span),
                exported: exported[c].iter().map(|(name, _)| name.clone()).collect(),
                named_by: named_by[c].iter().map(|&d| position[d]).collect(),
            }
        })
        .collect()
}
