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

/// Each use of `name` in `source` as a name (not a property: `.name`,
/// `name:`; not where it is bound, `const name =`, nor a write, `name =`):
/// the index of the span of `functions` (byte ranges of the source, sorted
/// and disjoint) it is in, or None outside them all. A cheap proof that a
/// function runs spares building the semantic model; a word in a comment or
/// string proves it too (the finding is kept).
pub fn name_uses<'s>(
    source: &'s str,
    name: &'s str,
    functions: &'s [(u32, u32)],
) -> impl Iterator<Item = Option<usize>> + 's {
    let bytes = source.as_bytes();
    let is_name_byte = crate::syntax::text::is_word_byte;
    crate::syntax::text::occurrences(source, name)
        .filter(move |_| !name.is_empty())
        .filter(move |&at| {
            let end = at + name.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(end).copied();
            if before.is_some_and(|b| is_name_byte(b) || b == b'.')
                || after.is_some_and(|b| is_name_byte(b) || b == b':')
            {
                return false;
            }
            let next = bytes[end..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|i| end + i);
            !next
                .is_some_and(|i| bytes[i] == b'=' && !matches!(bytes.get(i + 1), Some(b'=' | b'>')))
        })
        .map(move |at| {
            let at = at as u32;
            let i = functions.partition_point(|&(start, _)| start <= at);
            (i > 0 && at < functions[i - 1].1).then(|| i - 1)
        })
}

/// A method of a module-scope class that extends nothing (a repository,
/// a service), where something may be reported: if no file the Worker runs
/// calls it or names it as a property, it never runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Method {
    pub class: String,
    pub name: String,
    /// The whole method.
    pub loc: Loc,
}

crate::model::wire::wire_struct!(Method { class, name, loc });

/// Names the runtime, a framework or a library calls by protocol
/// (`fetch`, `alarm`, `toJSON`, `then`, a stream's `transform`, React's
/// `render`), or event handlers by convention (`onMessage`, `handleEvent`):
/// never judged.
fn called_by_protocol(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "abort",
        "alarm",
        "cancel",
        "catch",
        "close",
        "connect",
        "dispose",
        "email",
        "fetch",
        "finally",
        "flush",
        "next",
        "pull",
        "queue",
        "render",
        "return",
        "scheduled",
        "start",
        "tail",
        "then",
        "throw",
        "toJSON",
        "toString",
        "trace",
        "transform",
        "valueOf",
        "write",
    ];
    NAMES.contains(&name)
        || name.starts_with("webSocket")
        || name.starts_with("component")
        || name.starts_with("handle")
        || name.starts_with("log")
        || (name.starts_with("on") && name[2..].starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The methods of `program`'s module-scope classes that extend nothing,
/// plain (not a getter, setter, constructor, private or computed one) and
/// not [`called_by_protocol`], where `may_report`.
pub fn candidate_methods(
    program: &swc_core::ecma::ast::Program,
    may_report: impl Fn(Span) -> bool,
    loc: impl Fn(Span) -> Loc,
) -> Vec<Method> {
    use swc_core::ecma::ast::*;
    let Program::Module(module) = program else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &module.body {
        let class = match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Class(c))) => c,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                decl: Decl::Class(c),
                ..
            })) => c,
            _ => continue,
        };
        if class.class.super_class.is_some() || !may_report(class.class.span) {
            continue;
        }
        for member in &class.class.body {
            let ClassMember::Method(m) = member else {
                continue;
            };
            let name = match &m.key {
                PropName::Ident(i) => i.sym.as_str(),
                PropName::Str(s) => match s.value.as_str() {
                    Some(name) => name,
                    None => continue,
                },
                _ => continue,
            };
            if m.kind != MethodKind::Method
                || called_by_protocol(name)
                || !may_report(m.function.span)
            {
                continue;
            }
            out.push(Method {
                class: class.ident.sym.to_string(),
                name: name.to_string(),
                loc: loc(m.function.span),
            });
        }
    }
    out
}

/// Whether `source` calls or names the method `name` anywhere: as a
/// property (`.name`, `?.name`), in a string (`obj['name']`), or in
/// an object pattern or literal (`const { name } = repo`, `{ name: … }`).
/// A method's own definition (`async name(…) {`) and an interface's
/// (`name(…): T;`) are not uses.
pub fn names_method(source: &str, name: &str) -> bool {
    let bytes = source.as_bytes();
    let is_name_byte = crate::syntax::text::is_word_byte;
    crate::syntax::text::occurrences(source, name).any(|at| {
        let end = at + name.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(is_name_byte) || after.is_some_and(is_name_byte) {
            return false;
        }
        if let (Some(q @ (b'\'' | b'"' | b'`')), Some(a)) = (before, after) {
            return a == q;
        }
        let previous = bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
        let next = bytes[end..].iter().find(|b| !b.is_ascii_whitespace());
        matches!(previous, Some(b'.'))
            || (matches!(previous, Some(b'{' | b','))
                && matches!(next, Some(b'}' | b',' | b'=' | b':')))
    })
}

#[cfg(test)]
mod tests {
    use super::name_uses;

    /// A call, a property read, a string key, an object pattern: uses. A
    /// definition (class, object literal, interface) or another name
    /// containing it: not.
    #[test]
    fn names_method_finds_uses_not_definitions() {
        use super::names_method;
        for uses in [
            "await repo.save(x)",
            "repo?.save()",
            "repo\n  .save()",
            "repo['save']()",
            "const { save } = repo;",
            "const { a, save: store } = repo;",
            "call({ save })",
        ] {
            assert!(names_method(uses, "save"), "{uses}");
        }
        for not in [
            "class R {\n  async save(x) { return x; }\n}",
            "class R {\n  a() {}\n  save() {}\n}",
            "interface S {\n  save(x: X): Promise<void>;\n}",
            "const o = { save() {} };",
            "repo.saveAll(); autosave(); save_it()",
        ] {
            assert!(!names_method(not, "save"), "{not}");
        }
    }

    fn named_outside(source: &str, name: &str, functions: &[(u32, u32)]) -> bool {
        name_uses(source, name, functions).any(|inside| inside.is_none())
    }

    /// The span of each line that declares a function (`function NAME` or
    /// `const NAME =`), as the walk records a named function.
    fn spans(source: &str) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut at = 0;
        for line in source.split_inclusive('\n') {
            if line.starts_with("function ") {
                out.push((at, at + line.len() as u32));
            } else if let Some(arrow) = line
                .strip_prefix("const ")
                .and_then(|rest| rest.find("= ("))
            {
                // The function is what follows `=`; its name is outside.
                out.push((at + 6 + arrow as u32 + 2, at + line.len() as u32));
            }
            at += line.len() as u32;
        }
        out
    }

    #[test]
    fn a_name_used_outside_the_named_functions_proves_it_runs() {
        let source = "function a() { b(); }\nfunction b() {}\nexports.a = a;\n";
        assert!(
            named_outside(source, "a", &spans(source)),
            "exports.a = a uses it"
        );
        assert!(
            !named_outside(source, "b", &spans(source)),
            "only a named function names b"
        );
        // A property, a key, a longer name, a binding or a write is no use.
        let source = "function c() {}\nx.c; ({ c: 1 }); cc(); c = null;\n";
        assert!(!named_outside(source, "c", &spans(source)));
        let source = "const d = () => {}\nexport default { fetch: d };\n";
        assert!(named_outside(source, "d", &spans(source)));
        let source = "const e = () => {}\n";
        assert!(!named_outside(source, "e", &spans(source)));
    }
}
