//! `barrel-reexport`: `export * from './x'` in first-party code when it
//! is the only reason `./x` is in the Worker: nothing the Worker runs uses
//! any of `./x`'s exports (through the barrel or directly), yet `./x` runs
//! code at module scope, which the bundler keeps and every cold start pays.
//! Decided across files after the walk (`effects::summaries`), on the files
//! the Worker runs; what the facts cannot follow (a namespace import of the
//! barrel, a dynamic import, a module that re-exports further) stays silent.
//!
//! Named re-exports (`export { a, b } from`) are fine: the list is explicit.
//! `export * as ns from` is not reported either: it exports one explicit
//! name, and bundlers tree-shake static `ns.member` accesses.

use crate::engine::context::{Condition, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::semantic::imports::{module_ref, RefKind};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "barrel-reexport", ColdStart, Info,
    "`export * from` in first-party code: re-export names explicitly or import modules directly.",
    |_| Box::new(BarrelReexport)
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
`export * from './x'` in first-party code (not in `.d.ts` files) where `./x`
is a file of the project that runs code at module scope (a call or `new` at
its top level), and no code the Worker runs uses any of `./x`'s exports: every
import from the barrel names other bindings, and nothing imports `./x`
directly. The finding names the exports and the top-level code.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
A star re-export puts the whole module in the importer's module graph. A module
whose exports are all unused is dropped by the bundler only when it has no side
effects; top-level calls (creating a client, compiling a schema, building a
table) are kept and run in the global scope on every cold start, within the
1 s startup limit, for nothing the Worker uses.
"#,
        ),
        (
            "Bad",
            r#"
```ts
# @file src/lib/index.ts
// src/lib/index.ts: the Worker imports only formatMoney from here
export * from './format';
export * from './telemetry'; // creates a tracer at startup; the Worker never uses it
```
"#,
        ),
        (
            "Good",
            r#"
```ts
# @file src/lib/index.ts
// src/lib/index.ts: only what the Worker uses
export * from './format';
```

Code that needs the tracer imports it from `./telemetry` directly.
"#,
        ),
        (
            "Not reported",
            r#"
- A re-exported module the Worker uses any export of, or imports directly.
- A re-exported module with no code at module scope (declarations only: the
  bundler drops what is unused), a type-only module, a package.
- A barrel nothing imports (an entry, or a module other programs import), a
  barrel imported as a namespace (`import * as lib`), re-exported with
  `export *` again, or loaded with `import()`: which names are used is not
  known.
- Named re-exports: `export { a, b } from './x'`; `export * as ns from './x'`;
  `export type * from './types'`; declaration files (`.d.ts`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
Module-scope code is judged by its shape (a call or `new` at the top level),
not by what it costs; the startup analysis (`perf-optimizer startup`) measures
that. Only the files the Worker runs are looked at.
"#,
        ),
    ],
    // The modules behind the barrel and the Worker's entry, for both examples.
    setup: r#"
# @example
# @file src/lib/format.ts
# export function formatMoney(n: number) { return `$${n.toFixed(2)}`; }
# @file src/lib/telemetry.ts
# export const tracer = createTracer({ exporter: 'otlp' });
# export function span(name: string) { return tracer.start(name); }
# @file src/index.ts
# import { formatMoney } from './lib';
# export default { fetch: () => new Response(formatMoney(1)) };
"#,
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
        cx.report_if(
            Condition::UnusedStarExport(source.clone()),
            export.span,
            format!("`export * from '{source}'` keeps {source} in the Worker for every importer of this barrel"),
            format!(
                "Drop the re-export of '{source}' (nothing the Worker runs needs it) and import from the module directly \
                 where another program needs it; if its top-level work is needed, move it into a function that runs on first use."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_silent, lint_project, lint_with};

    const RULE: &str = "barrel-reexport";

    /// The Worker's entry imports `helper` from the barrel `src/lib`.
    fn worker(barrel: &str, extra: &[(&'static str, &'static str)]) -> Vec<String> {
        let mut files = vec![
            (
                "src/index.ts",
                "import { helper } from './lib';\nexport default { fetch: () => new Response(helper()) };\n",
            ),
            ("src/lib/index.ts", barrel),
            ("src/lib/helper.ts", "export function helper() { return 'ok'; }\n"),
            (
                "src/lib/telemetry.ts",
                "export const tracer = createTracer();\nexport function span(n) { return tracer.start(n); }\n",
            ),
            ("src/lib/pure.ts", "export const LIMIT = 10;\nexport function twice(n) { return n * 2; }\n"),
        ];
        files.extend_from_slice(extra);
        lint_project(RULE, &files, &[], &Default::default())
            .iter()
            .map(|d| format!("{}:{} {}", d.file.as_deref().unwrap_or(""), d.line.unwrap_or(0), d.message))
            .collect()
    }

    #[test]
    fn fires_when_the_module_runs_code_and_nothing_uses_it() {
        let found = worker(
            "export * from './helper';\nexport * from './telemetry';\nexport * from './pure';\nexport * from 'some-package';\n",
            &[],
        );
        assert_eq!(
            found,
            ["src/lib/index.ts:2 `export * from './telemetry'` keeps ./telemetry in the Worker for every importer of this barrel: no code the Worker runs uses any of its exports (`tracer`, `span`), yet its top-level code runs at startup (`createTracer()` at src/lib/telemetry.ts:1)"]
        );
    }

    #[test]
    fn silent_when_its_exports_are_used_or_unknown() {
        let barrel = "export * from './helper';\nexport * from './telemetry';\n";
        // Used through the barrel, or imported directly.
        assert!(worker(barrel, &[("src/trace.ts", "import { span } from './lib';\nspan('x');\n")]).is_empty());
        assert!(worker(barrel, &[("src/trace.ts", "import { tracer } from './lib/telemetry';\n")]).is_empty());
        // A namespace import, a dynamic import or a star re-export of the barrel.
        assert!(worker(barrel, &[("src/ns.ts", "import * as lib from './lib';\nlib.helper();\n")]).is_empty());
        assert!(worker(barrel, &[("src/lazy.ts", "export const load = () => import('./lib');\n")]).is_empty());
        assert!(worker(barrel, &[("src/all.ts", "export * from './lib';\n")]).is_empty());
        // A barrel nothing imports: an entry or a public module.
        let found = lint_project(
            RULE,
            &[
                ("src/lib/index.ts", barrel),
                ("src/lib/helper.ts", "export function helper() { return 'ok'; }\n"),
                ("src/lib/telemetry.ts", "export const tracer = createTracer();\n"),
            ],
            &[],
            &Default::default(),
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn silent_on_named_namespace_and_type_reexports() {
        assert_silent(
            RULE,
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
        let found = lint_with(RULE, "types/index.d.ts", "export * from './env';\n");
        assert!(found.is_empty(), "{found:#?}");
    }
}
