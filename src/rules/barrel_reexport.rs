//! `barrel-reexport`: `export * from '…'` in first-party code. A star
//! re-export makes every module behind the barrel part of the importer's
//! module graph: importing one helper from `./lib` loads and evaluates all
//! of `./lib`'s modules (their top-level code runs at startup), hides which
//! names exist, and drops colliding names silently. Re-exports of CommonJS
//! modules also copy every property at startup (esbuild's `__reExport`).
//!
//! Named re-exports (`export { a, b } from`) are fine: the list is explicit.
//! `export * as ns from` is not reported either: it exports one explicit
//! name, and bundlers tree-shake static `ns.member` accesses.

use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta};
use crate::model::report::{Category, Severity};
use crate::semantic::imports::{module_ref, RefKind};

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "barrel-reexport",
        category: Category::ColdStart,
        severity: Severity::Info,
        summary: "`export * from` in first-party code: re-export names explicitly or import modules directly.",
    },
    kind: crate::engine::declare::Kind::Source(|_| Box::new(BarrelReexport)),
    options: crate::engine::declare::options::<crate::engine::declare::NoOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
`export * from '…'` in first-party code (not in `.d.ts` files).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
A star re-export makes every module behind the barrel part of the importer's
module graph: importing one helper from `./lib` loads and evaluates all of
`./lib`'s modules, and their top-level code runs in the global scope at startup
(1 s limit), on every cold start. Which names the barrel exports is invisible
where it is written, colliding names are dropped silently, and re-exports of
CommonJS modules are copied property by property at startup.
"#,
        ),
        (
            "Bad",
            r#"
```ts
// src/lib/index.ts
export * from './format';
export * from './catalog';
```
"#,
        ),
        (
            "Good",
            r#"
```ts
// src/lib/index.ts
export { formatMoney, formatDate, encodeCursor, decodeCursor, type Cursor } from './format';
export { binFor, validateSkus } from './catalog';
```

Or import from the module directly where it is used
(`import { formatMoney } from './lib/format'`).
"#,
        ),
        (
            "Not reported",
            r#"
- Named re-exports: `export { a, b } from './x'`.
- `export * as ns from './x'`: it exports one explicit name, and bundlers
  tree-shake static `ns.member` accesses. (Passing `ns` around as a value keeps
  the whole module, as any namespace object does.)
- `export type * from './types'` (erased).
- Declaration files (`.d.ts`).
"#,
        ),
        (
            "Options",
            r#"
None. Raise it to `warn` when your barrels front modules with heavy top-level
work: `{ "rules": { "barrel-reexport": "warn" } }`.
"#,
        ),
        (
            "Known limits",
            r#"
The rule does not open the re-exported module, so it cannot tell whether that
module has side effects; named re-exports of a module with expensive top-level
code still evaluate it (see the startup analysis for what actually costs time).
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct BarrelReexport;

impl Rule for BarrelReexport {
    fn interests(&self) -> &'static [NodeKind] {
        NodeKind::MODULE_REFS
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        if !matches!(node, Node::ExportAll(_)) || cx.path.ends_with(".d.ts") {
            return;
        }
        let Some(export) = module_ref(node, cx) else {
            return; // `export type * from`
        };
        if export.kind != RefKind::ExportAll {
            return;
        }
        let source = &export.source;
        cx.report(
            export.span,
            format!(
                "`export * from '{source}'` re-exports a whole module: whatever is imported from this barrel, \
                 everything behind it is loaded and evaluated at startup"
            ),
            format!(
                "Name what the barrel exports (`export {{ usedName, otherName }} from '{source}'`), \
                 or import from the module directly where it is used."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent, lint_with};

    #[test]
    fn fires_on_star_reexports() {
        assert_fires(
            "barrel-reexport",
            "export * from './format';\nexport * from './catalog';\nexport * from 'some-package';\n",
            &[
                (1, "`export * from './format'` re-exports a whole module"),
                (2, "'./catalog'"),
                (3, "'some-package'"),
            ],
        );
    }

    #[test]
    fn silent_on_named_namespace_and_type_reexports() {
        assert_silent(
            "barrel-reexport",
            r#"export { formatMoney, formatDate, type Cursor } from './format';
export * as catalog from './catalog';
export type * from './types';
export { default } from './app';
import * as lib from './lib';
export const x = lib.x;
"#,
        );
    }

    #[test]
    fn silent_in_declaration_files() {
        let found = lint_with(
            "barrel-reexport",
            "types/index.d.ts",
            "export * from './env';\n",
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
