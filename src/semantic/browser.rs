//! Code that runs only in a browser, in a file the Worker's bundle also
//! holds (a server-rendered app's components and hooks): a module-scope
//! function, class or value whose code uses a global that workerd does not
//! have (`document`, `window`, `alert`, `new Worker(…)`) without checking
//! for it (`typeof window`), and the callbacks of React's effects
//! (`useEffect(cb)`), which never run while a page is rendered on the
//! server. What is found there is not a cost the Worker pays: the engine
//! leaves it out and says so (`engine::browser`).

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::file::FileModel;
use crate::syntax::position::Loc;
use crate::syntax::START;

/// Globals of browsers that workerd does not define: code that reads one
/// throws in a Worker, so it runs only in a browser (or never).
const BROWSER_GLOBALS: &[&str] = &[
    "HTMLElement",
    "Image",
    "IntersectionObserver",
    "MediaStream",
    "MutationObserver",
    "RTCPeerConnection",
    "ResizeObserver",
    "Worker",
    "XMLHttpRequest",
    "alert",
    "cancelAnimationFrame",
    "confirm",
    "document",
    "localStorage",
    "prompt",
    "requestAnimationFrame",
    "sessionStorage",
    "window",
];

/// React hooks whose callback runs only in the browser, after a render.
pub const EFFECT_HOOKS: &[&str] = &["useEffect", "useLayoutEffect", "useInsertionEffect"];

/// Code of a file that runs only in a browser.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrowserOnly {
    /// What it is, for the report: "`blurVideoTrack`", "a `useEffect` callback".
    pub what: String,
    /// Why: "uses the browser global `document`, …", "React runs it only in
    /// the browser, after a render".
    pub why: String,
    pub loc: Loc,
}

crate::model::wire::wire_struct!(BrowserOnly { what, why, loc });

/// The browser-only parts of a walked file where something may be reported
/// (`may_report`): module-scope declarations that use a browser global
/// unchecked, and `effects` (the spans of effect callbacks, with the hook's
/// name). The semantic model is asked only when the text names such a
/// global.
pub fn browser_only(
    program: &Program,
    model: &FileModel<'_>,
    effects: &[(Span, &'static str)],
    may_report: impl Fn(Span) -> bool,
) -> Vec<BrowserOnly> {
    let mut out: Vec<BrowserOnly> = effects
        .iter()
        .filter(|(span, _)| may_report(*span))
        .map(|&(span, hook)| BrowserOnly {
            what: format!("a `{hook}` callback"),
            why: "React runs it only in the browser, after a render".into(),
            loc: model.loc(span),
        })
        .collect();
    let Program::Module(module) = program else {
        return out;
    };
    let source = model.source;
    let mut declarations: Vec<(Span, String)> = Vec::new();
    for item in &module.body {
        match item {
            ModuleItem::Stmt(Stmt::Decl(decl))
            | ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl { decl, .. })) => {
                declared(decl, &mut declarations)
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(d)) => match &d.decl {
                DefaultDecl::Fn(f) => declarations.push((
                    f.function.span,
                    f.ident
                        .as_ref()
                        .map_or("the default export".into(), |i| format!("`{}`", i.sym)),
                )),
                DefaultDecl::Class(c) => declarations.push((
                    c.class.span,
                    c.ident
                        .as_ref()
                        .map_or("the default export".into(), |i| format!("`{}`", i.sym)),
                )),
                DefaultDecl::TsInterfaceDecl(_) => {}
            },
            _ => {}
        }
    }
    // Those where a finding may be, whose text names a browser global (a
    // word scan: most code names none, and the semantic model is built only
    // when asked).
    let text_of = |span: Span| {
        source
            .get(span.lo.0.saturating_sub(START) as usize..span.hi.0.saturating_sub(START) as usize)
            .unwrap_or_default()
    };
    declarations.retain(|(span, _)| {
        may_report(*span) && crate::syntax::text::has_any_word(text_of(*span), BROWSER_GLOBALS)
    });
    if declarations.is_empty() {
        return out;
    }
    // The runtime uses of a browser global the file does not declare, in
    // source order.
    let mut uses: Vec<(u32, &str)> = model
        .semantic()
        .unresolved_references()
        .filter(|r| r.flags.is_runtime())
        .filter_map(|r| {
            BROWSER_GLOBALS
                .iter()
                .find(|g| r.name == **g)
                .map(|g| (r.span.lo.0, *g))
        })
        .collect();
    uses.sort_unstable();
    for (span, what) in declarations {
        let first = uses.partition_point(|&(at, _)| at < span.lo.0);
        let Some(&(_, global)) = uses.get(first).filter(|&&(at, _)| at < span.hi.0) else {
            continue;
        };
        // Code that checks for the browser is written to run on the server
        // too; a component (it writes JSX) or a hook (`useTheme`) renders
        // on the server, its handlers and effects in the browser (effects
        // are left out above; a handler's findings are kept).
        let text = text_of(span);
        if checks_for_browser(text) || renders(text, &what) {
            continue;
        }
        out.push(BrowserOnly {
            what,
            why: format!(
                "uses the browser global `{global}`, which the Workers runtime does not define"
            ),
            loc: model.loc(span),
        });
    }
    out.sort_by_key(|b| (b.loc.line, b.loc.column));
    out
}

/// A React component or hook: JSX in its text (`</…>`, `<… />`), or a
/// name `useX`.
fn renders(text: &str, what: &str) -> bool {
    let hook = what
        .strip_prefix("`use")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
    hook || text.contains("</") || text.contains("/>")
}

/// `typeof window`, `typeof document !== 'undefined'`, `'window' in
/// globalThis`, `globalThis.window`: the code checks where it runs.
fn checks_for_browser(text: &str) -> bool {
    BROWSER_GLOBALS.iter().any(|g| {
        text.contains(&format!("typeof {g}"))
            || text.contains(&format!("globalThis.{g}"))
            || text.contains(&format!("'{g}' in"))
            || text.contains(&format!("\"{g}\" in"))
    })
}

/// The functions, classes and values a declaration declares, with their names.
fn declared(decl: &Decl, out: &mut Vec<(Span, String)>) {
    match decl {
        Decl::Fn(f) => out.push((f.function.span, format!("`{}`", f.ident.sym))),
        Decl::Class(c) => out.push((c.class.span, format!("`{}`", c.ident.sym))),
        Decl::Var(v) => {
            for d in &v.decls {
                if let (Pat::Ident(name), Some(init)) = (&d.name, d.init.as_deref()) {
                    out.push((
                        swc_core::common::Spanned::span(init),
                        format!("`{}`", name.id.sym),
                    ));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn browser_globals_are_sorted() {
        assert!(super::BROWSER_GLOBALS.windows(2).all(|w| w[0] < w[1]));
    }
}
