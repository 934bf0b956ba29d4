//! `unreadable-file`: declared here, reported for a file the wrapper could not hand to the core
//! (`crate::analyze::analyze`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "unreadable-file", Input, Warning,
    "A file could not be analyzed",
    by "crate::analyze::analyze", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " (always)",
    intro: "",
    sections: &[
        (
            "What it means",
            r#"
A file that was selected for analysis was skipped, so none of the source rules
ran on it. The message gives the reason (a file over the size cap is
`file-too-large`, an info finding):

- **binary content**: NUL bytes in text that is not UTF-8, or more than one
  byte in a thousand (and more than eight): not source code (a NUL written in a string or template
  literal is valid code, and analyzed);
- **cannot read**: the file system refused it (permissions, a broken link, a
  file removed during the run), with the error code;
- **nesting deeper than 500 levels**: brackets, operators or JSX nested (or
  chained, as in `a + a + a + ...`) deeper than the analyzer follows; the
  finding gives the line and column where the limit was passed. Such code is
  generated or hostile; parsing it could exhaust the analyzer's stack;
- **too many unclosed `<`** (TypeScript): after `a<` the parser tries to read
  type arguments and, when that fails, reads the code after it again; with
  hundreds of unclosed `<` before a long stretch of code that would take
  minutes. Such code is generated or hostile;
- **crashed the analyzer**: the analysis core failed on this file on its own
  (an internal error). The other files are still analyzed.
"#,
        ),
        (
            "Why it matters",
            r#"
A skipped file is a blind spot: the report says so instead of silently
covering less than you asked for.
"#,
        ),
        (
            "Example",
            r#"
A finding for `src/data.bin.js` (no line) with the message
`src/data.bin.js was not analyzed: binary content (NUL bytes), not source code`.
"#,
        ),
        (
            "What to do",
            r#"
- Generated, vendored or binary files: exclude them with `ignore` in the config
  (`"ignore": ["src/generated/**", "**/*.min.js"]`).
- A read error: fix the permissions or the link, or exclude the path.
- A crash: please report it with the file (or a reduced version of it); exclude
  the file meanwhile.
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the condition is the wrapper's (a file binary, unreadable or crashing: tests/cli.test.mjs covers it)",
    ),
};
