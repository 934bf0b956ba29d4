//! `invalid-suppression`: declared here, reported by the lint engine for a suppression comment that names no known rule
//! (`crate::engine::suppress`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "invalid-suppression", Input, Warning,
    "A suppression comment names no known rule",
    by "crate::engine::suppress", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " (always)",
    intro: "",
    sections: &[
        (
            "What it means",
            r#"
A `perf-optimizer-disable` comment names a rule that does not exist (a typo, or
a rule that was renamed or removed). The comment then suppresses nothing, which
is rarely what its author wanted.
"#,
        ),
        (
            "Suppression comments",
            r#"
```ts
// perf-optimizer-disable-next-line <rule>[, <rule>] -- reason
// perf-optimizer-disable-line <rule>
/* perf-optimizer-disable <rule> */
```

- `perf-optimizer-disable-next-line` silences the named rules on the next line.
- `perf-optimizer-disable-line` silences them on the comment's own line
  (a trailing comment: `const re = new RegExp(p); // perf-optimizer-disable-line regex-in-loop`).
- `perf-optimizer-disable` (anywhere in the file, usually at the top) silences
  them for the whole file.
- Several rules are separated by commas or spaces; with no rule name the
  comment silences every rule (prefer naming them).
- Everything after ` -- ` is the reason, for the reader; always give one.
- Both `//` and `/* */` comments work for every form.
- Bundle findings (`duplicate-package`, `commonjs-dependency`, the bundle form
  of `heavy-dependency`, …) point at the first-party import that pulls the
  package in; a comment there silences them like any other finding.
- `startup-cost` findings (`--startup`) point at a module's hottest statement
  or a package's first import; a comment there silences them too.

```ts
// perf-optimizer-disable-next-line await-in-loop -- the carrier API allows one request at a time
for (const id of ids) await syncShipment(id);

/* perf-optimizer-disable console-in-loop, excessive-logging -- debug-only script */
```

Rule ids are listed by `perf-optimizer rules` and in [docs/rules](.).
"#,
        ),
        (
            "Example",
            r#"
```ts
// perf-optimizer-disable-next-line await-in-loops -- sequential by design
```

gives a finding at the comment's position with the message
``unknown rule `await-in-loops` in a suppression comment``.
"#,
        ),
        (
            "What to do",
            r#"
Correct the rule id (here `await-in-loop`), or delete the comment if the rule it
meant no longer exists.
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
        "the engine reports it (src/engine/suppress.rs covers it)",
    ),
};
