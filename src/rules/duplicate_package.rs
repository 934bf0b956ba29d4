//! `duplicate-package`: the declaration of a finding about the bundle, reported by the bundle analysis
//! (`crate::rules::bundle_findings::findings`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "duplicate-package", Bundle, Warning,
    "One package bundled in two or more versions, each with the chain that pulls it in.",
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
One npm package bundled in two or more versions (two package folders with the
same `name` and different `version`, e.g. `node_modules/zod` and
`node_modules/@asteasolutions/zod-to-openapi/node_modules/zod`). The message
lists every copy with its bytes in the output and the chain that pulls it in:

```
`zod` is bundled 2 times (127 KiB in all): zod 4.1.0 (78.1 KiB) via chanfana →
@asteasolutions/zod-to-openapi, zod 3.25.76 (48.8 KiB) from your code
```

The finding points at the first-party import that brings in a copy through a
dependency (here `import { fromHono } from 'chanfana'`), else at the import of
the first copy.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Every copy is bundled, parsed and evaluated at every cold start, and two
copies of a schema library also mean two incompatible sets of classes
(`instanceof` fails across them).
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { z } from 'zod';              // zod 3
import { fromHono } from 'chanfana';  // depends on zod 4
```
"#,
        ),
        (
            "Good",
            r#"
Use the version your dependencies use (`npm install zod@4`), or force one
version in package.json:

```json
{ "overrides": { "zod": "^4.1.0" } }           // npm
{ "pnpm": { "overrides": { "zod": "^4.1.0" } } } // pnpm
{ "resolutions": { "zod": "^4.1.0" } }         // yarn
```

then check that the dependency still works with it.
"#,
        ),
        (
            "Limits",
            r#"
Copies are told apart by package folder and `version` from package.json;
packages without a readable package.json count as "(unknown version)". The
chain is the shortest import chain esbuild recorded in the metafile.
"#,
        ),
    ],
    setup: "",
    examples: super::BUNDLE_METAFILE,
};
