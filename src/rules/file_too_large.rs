//! `file-too-large`: declared here, reported for a source file over the size cap, which the
//! wrapper skips (`crate::analyze::analyze`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "file-too-large", Input, Info,
    "A source file over the size cap was not analyzed",
    by "crate::analyze::analyze", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it means",
            r#"
A source file selected for analysis is larger than the size cap (4 MiB unless
set), so it was not read and none of the source rules ran on it. Source files
that large are nearly always generated or minified code, whose findings would
not be actionable. The finding names the file, its size and the cap. It is an
`info` finding: it never changes the exit code.
"#,
        ),
        (
            "Why it matters",
            r#"
A skipped file is a blind spot: the report says so instead of silently
covering less than you asked for. The cap keeps a run's memory and time
bounded whatever the repository holds.
"#,
        ),
        (
            "Example",
            r#"
A finding for `src/generated/schema.js` (no line) with the message
`src/generated/schema.js was not analyzed: 6.3 MiB is over the 4 MiB limit for a source file (generated or minified code?)`.
"#,
        ),
        (
            "What to do",
            r#"
- Generated, vendored or minified code: exclude it with `ignore` in the config
  (`"ignore": ["src/generated/**", "**/*.min.js"]`).
- A large file you write by hand: raise the cap, with `--max-file-size MIB` on
  the command line, `maxFileSize` in the config (`"maxFileSize": "8 MiB"`), or
  `maxFileBytes` in the API's options (the command line and the API win over
  the config).
- Or turn the finding off: `"rules": { "file-too-large": "off" }`.
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
        "the condition is the wrapper's (a file over the cap: tests/cli.test.mjs and tests/hostile.test.mjs cover it)",
    ),
};
