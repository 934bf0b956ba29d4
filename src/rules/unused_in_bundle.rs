//! `unused-in-bundle`: the declaration of a finding about the bundle, reported by the bundle analysis
//! (`crate::rules::bundle_findings::findings`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "unused-in-bundle", Bundle, Info,
    "A package imported from its root (a barrel) for a few names but bundled nearly whole.",
    by "crate::rules::bundle_findings::findings", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A package imported by first-party code from its root (a barrel: a root module
that re-exports ten or more modules) and bundled nearly whole: at least 80% of
its modules' source bytes are in the output, at least 30 kB and ten modules.
That happens when the package's `sideEffects` (missing or `true`) or its
module structure keep esbuild from dropping the exports you do not use. The
message gives the bytes; the help gives the deep import when known
(`date-fns/format`, `@mui/material/Button`, `react-icons/<set>/<Icon>`, …).
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { format } from 'some-utils';   // the barrel: every module is kept
```
"#,
        ),
        (
            "Good",
            r#"
```ts
import { format } from 'some-utils/format';
```
"#,
        ),
        (
            "Limits",
            r#"
Conservative by design: the metafile records which modules were bundled and
their bytes, not which exports were used, so only the "whole package kept"
case is reported, and only for packages that first-party code imports from
the root alone (a package also imported by subpath, such as `drizzle-orm` with
`drizzle-orm/d1`, may well use most of itself). CommonJS packages are left to `commonjs-dependency`.
"#,
        ),
    ],
    setup: "",
    examples: super::BUNDLE_METAFILE,
};
