//! `commonjs-dependency`: the declaration of a finding about the bundle, reported by the bundle analysis
//! (`crate::rules::bundle_findings::findings`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "commonjs-dependency", Bundle, Warning,
    "A package bundled as CommonJS: esbuild keeps all of it (no tree-shaking).",
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
A package whose modules esbuild bundled as CommonJS (the metafile's
`inputs[x].format` is `"cjs"`), with its bytes in the output and the ESM
alternative or deep import when one is known (lodash → lodash-es or
`lodash/<name>`, moment → dayjs / date-fns, uuid → `crypto.randomUUID()`,
axios → `fetch`, jsonwebtoken → jose, qs → `URLSearchParams`, …). Reported at
each first-party import of the package, or at the import that pulls it in
through a dependency (with the chain). A `heavy-dependency` finding on the
same import and package is merged into it as evidence (`related`), and the
finding takes the higher of the two severities.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
esbuild cannot tree-shake CommonJS: `import _ from 'lodash'` to use one
function ships all 540 kB of lodash, evaluated at every cold start.
"#,
        ),
        (
            "Bad",
            r#"
```ts
import _ from 'lodash';
const picked = _.pick(user, ['id', 'email']);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
import { pick } from 'lodash-es';      // ESM: only `pick` is bundled
// or: import pick from 'lodash/pick';  // one module
```
"#,
        ),
        (
            "Limits",
            r#"
Packages under 10 kB in the output are not reported unless the table knows
them; polyfills of Node built-ins are left to `node-polyfill`, and packages
pulled in only by wrangler's own shims are not reported.
"#,
        ),
    ],
    setup: "",
    examples: super::BUNDLE_METAFILE,
};
