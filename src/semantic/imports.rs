//! Which module a node loads at startup: a static `import`, an
//! `export … from`, or a `require()` call. Type-only imports and exports
//! (erased by the compiler) and dynamic `import()` (deferred until called)
//! are not module references here.

use swc_core::common::Span;
use swc_core::ecma::ast::*;

use super::file::FileModel as LintContext;
use super::node::Node;
use crate::syntax::ast::unwrap_expr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `import … from 'm'` or `import 'm'`.
    Import,
    /// `export { a } from 'm'`, `export * as ns from 'm'`.
    ExportFrom,
    /// `export * from 'm'`.
    ExportAll,
    /// `require('m')` (the callee not shadowed by a local binding).
    Require,
}

/// A module a file loads when it is evaluated.
#[derive(Debug, Clone)]
pub struct ModuleRef {
    /// The specifier as written: `moment`, `lodash/get`, `./lib`, `node:buffer`.
    pub source: String,
    /// The whole statement (or the `require` call).
    pub span: Span,
    pub kind: RefKind,
    /// Binds the whole module object: a default or namespace import, or
    /// `require()`.
    pub whole_module: bool,
}

/// The module `node` loads, if it is one that stays in the emitted code.
pub fn module_ref(node: Node<'_>, cx: &LintContext<'_>) -> Option<ModuleRef> {
    match node {
        Node::Import(i) => {
            if i.type_only || i.phase != ImportPhase::Evaluation {
                return None;
            }
            // `import { type A, type B } from 'm'` is erased as well.
            let all_types = !i.specifiers.is_empty()
                && i.specifiers
                    .iter()
                    .all(|s| matches!(s, ImportSpecifier::Named(n) if n.is_type_only));
            if all_types {
                return None;
            }
            let whole_module = i.specifiers.iter().any(|s| {
                matches!(
                    s,
                    ImportSpecifier::Default(_) | ImportSpecifier::Namespace(_)
                )
            });
            Some(ModuleRef {
                source: str_value(&i.src)?,
                span: i.span,
                kind: RefKind::Import,
                whole_module,
            })
        }
        Node::NamedExport(e) => {
            let src = e.src.as_ref()?;
            let all_types = e.type_only
                || (!e.specifiers.is_empty()
                    && e.specifiers
                        .iter()
                        .all(|s| matches!(s, ExportSpecifier::Named(n) if n.is_type_only)));
            if all_types {
                return None;
            }
            let whole_module = e
                .specifiers
                .iter()
                .any(|s| !matches!(s, ExportSpecifier::Named(_)));
            Some(ModuleRef {
                source: str_value(src)?,
                span: e.span,
                kind: RefKind::ExportFrom,
                whole_module,
            })
        }
        Node::ExportAll(e) => {
            if e.type_only {
                return None;
            }
            Some(ModuleRef {
                source: str_value(&e.src)?,
                span: e.span,
                kind: RefKind::ExportAll,
                whole_module: false,
            })
        }
        Node::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return None; // `import()` and `super()`
            };
            let Expr::Ident(id) = unwrap_expr(callee) else {
                return None;
            };
            if id.sym != "require" || call.args.len() != 1 || !cx.is_unbound(id) {
                return None;
            }
            let source = match unwrap_expr(&call.args[0].expr) {
                Expr::Lit(Lit::Str(s)) => str_value(s)?,
                Expr::Tpl(t) if t.exprs.is_empty() => {
                    t.quasis.first()?.cooked.as_ref()?.as_str()?.to_string()
                }
                _ => return None,
            };
            Some(ModuleRef {
                source,
                span: call.span,
                kind: RefKind::Require,
                whole_module: true,
            })
        }
        _ => None,
    }
}

/// A TypeScript `import a, { b } from 'm'` whose names the file never
/// uses: the compiler (tsc, esbuild) removes it, so `m` is not loaded
/// (unless tsconfig's `verbatimModuleSyntax` keeps it: then this is a
/// missed finding, never a wrong one). Proved from the text: no use of
/// any of the names outside the statement (a use in a type, a comment or
/// a string counts as one). Not `import 'm'`, which is kept for its effects.
pub fn erased_when_compiled(node: Node<'_>, cx: &LintContext<'_>) -> bool {
    let Node::Import(import) = node else {
        return false;
    };
    let typescript = [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|ext| cx.path.ends_with(ext) && !cx.path.ends_with(".d.ts"));
    if !typescript || import.specifiers.is_empty() {
        return false;
    }
    let statement = [(
        import.span.lo.0.saturating_sub(crate::syntax::START),
        import.span.hi.0.saturating_sub(crate::syntax::START),
    )];
    import.specifiers.iter().all(|s| {
        let local = match s {
            ImportSpecifier::Named(n) => &n.local,
            ImportSpecifier::Default(d) => &d.local,
            ImportSpecifier::Namespace(n) => &n.local,
        };
        super::uncalled::name_uses(cx.source, &local.sym, &statement).all(|inside| inside.is_some())
    })
}

fn str_value(s: &Str) -> Option<String> {
    s.value.as_str().map(str::to_string)
}

/// The npm package a specifier names: `lodash` for `lodash/get`, `@scope/pkg`
/// for `@scope/pkg/sub`. `None` for relative and absolute paths, URLs and
/// runtime built-ins (`node:fs`, `cloudflare:workers`).
pub fn package_name(source: &str) -> Option<&str> {
    if source.is_empty()
        || source.starts_with('.')
        || source.starts_with('/')
        || source.starts_with('#')
        || source.contains(':')
    {
        return None;
    }
    let mut parts = source.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        Some(&source[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

/// The part of a specifier after its package name (`get` for `lodash/get`).
pub fn subpath(source: &str) -> Option<&str> {
    let pkg = package_name(source)?;
    source[pkg.len()..]
        .strip_prefix('/')
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(package_name("moment"), Some("moment"));
        assert_eq!(package_name("lodash/get"), Some("lodash"));
        assert_eq!(
            package_name("@aws-sdk/client-s3/dist"),
            Some("@aws-sdk/client-s3")
        );
        assert_eq!(package_name("@scope"), None);
        assert_eq!(package_name("./lib"), None);
        assert_eq!(package_name("node:buffer"), None);
        assert_eq!(package_name("cloudflare:workers"), None);
        assert_eq!(subpath("lodash/get"), Some("get"));
        assert_eq!(subpath("buffer/"), None);
        assert_eq!(subpath("lodash"), None);
    }
}
