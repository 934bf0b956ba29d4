//! `parse-error`: declared here, reported by the lint engine when a file does not parse
//! (`crate::engine::Linter::lint_files`); the checking logic stays there.

use crate::engine::declare::{options, Declaration, Kind, NoOptions};
use crate::engine::RuleMeta;
use crate::model::report::{Category, Severity};

pub static RULE: Declaration = Declaration {
    meta: RuleMeta {
        id: "parse-error",
        category: Category::Input,
        severity: Severity::Error,
        summary: "A source file does not parse",
    },
    kind: Kind::Reported {
        by: "crate::engine::Linter::lint_files",
        in_config: true,
    },
    options: options::<NoOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " (always)",
    intro: "",
    sections: &[
        (
            "What it means",
            r#"
A source file could not be parsed as JavaScript or TypeScript. The finding
names the file, the position of the first syntax error and the parser's
message. Such a file gets no other findings: every source rule needs the
syntax tree.

The syntax is picked from the file name: `.ts`, `.mts`, `.cts` as TypeScript,
`.tsx` as TypeScript with JSX, `.d.ts` as a declaration file, everything else
(`.js`, `.mjs`, `.cjs`, `.jsx`) as JavaScript with JSX. Recoverable errors
count too: the tree would not be what the author wrote.
"#,
        ),
        (
            "Why it matters",
            r#"
A file the analyzer cannot read is a file whose problems go unreported; the
finding makes the gap visible instead of silently skipping it. It is an error
so that CI notices.
"#,
        ),
        (
            "Example",
            r#"
A finding at `src/routes/orders.ts`, line 12, column 5, with the message
`src/routes/orders.ts could not be parsed: Expected ',', got 'const'`.
"#,
        ),
        (
            "What to do",
            r#"
- Fix the syntax error (the TypeScript compiler or your editor shows the same
  place); the file's other findings appear once it parses.
- JSX in a `.js`/`.ts` file: rename it to `.jsx`/`.tsx`.
- Generated or vendored code that is not meant to be analyzed: exclude it with
  `ignore` in the config (for example `"ignore": ["src/generated/**"]`).
- Syntax the parser does not support yet (a new proposal): report it, and
  exclude the file meanwhile.
"#,
        ),
        (
            "Options",
            r#"
None. A parse error cannot be suppressed with a comment (comments are read by
the parser); use `ignore` for files that should not be analyzed.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the engine reports it for any file that does not parse (src/lint tests cover it)",
    ),
};
