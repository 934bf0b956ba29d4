//! `node-polyfill`: the declaration of a finding about the bundle, reported by the bundle analysis
//! (`crate::rules::bundle_findings::findings`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "node-polyfill", Bundle, Warning,
    "An npm polyfill of a Node built-in in the bundle that nodejs_compat makes unnecessary, or nodejs_compat missing where the code needs it.",
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
In the bundle itself (the metafile), whoever imports it:

- npm polyfills of Node built-ins that were bundled (`buffer`, `process`,
  `events`, `util`, `stream-browserify`, `readable-stream`,
  `crypto-browserify`, `path-browserify`, … — the list of
  [node-polyfill-import](node-polyfill-import.md)), with their bytes and the
  chain that pulls them in. With `nodejs_compat` the runtime provides
  `node:buffer`, `node:stream`, … natively;
- `nodejs_compat` missing where the code needs it: external `node:*` imports
  in the metafile while the flag is off.

When the first-party import is already reported by the source rule
`node-polyfill-import`, that finding gets the bytes instead of a second one.
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { Buffer } from 'buffer/';   // the npm polyfill is bundled
```
"#,
        ),
        (
            "Good",
            r#"
```toml
# wrangler.toml
compatibility_flags = ["nodejs_compat"]
```

```ts
import { Buffer } from 'node:buffer';
```

If a dependency imports the polyfill, alias it in wrangler.toml
(`[alias] "buffer" = "node:buffer"`) or upgrade the dependency.
"#,
        ),
        (
            "Limits",
            r#"
Polyfills that wrangler itself injects (unenv, `@cloudflare/unenv-preset`,
wrangler's templates) are not the project's doing and are not reported.
"#,
        ),
    ],
    setup: "",
    examples: super::BUNDLE_METAFILE,
};
