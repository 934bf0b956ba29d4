//! `budget-exceeded`: the declaration of a budget result (the report's `budgets`), reported as a finding by SARIF, the GitHub annotations and the esbuild plugin
//! (`crate::analyses::budget`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "budget-exceeded", Limits, Error,
    "A size, growth or startup budget is exceeded",
    by "crate::analyses::budget", in_config false
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: r#"
A size, growth or startup budget is exceeded: the bundle is over the Workers
script size limit of your plan, or over a budget from the config's `budgets`.

It is not a source rule: it comes from the budgets (the JSON report's
`budgets`, entries with `"passed": false`). SARIF and the GitHub annotations
report each exceeded budget under this id; the exit code is 1.
"#,
    sections: &[
        (
            "Why it matters on Workers",
            r#"
A Worker over the script size limit (64 MiB uncompressed on every plan since
2026-09) is refused at deploy. Long before that, size costs cold starts: the
whole script is parsed and its global scope evaluated before the first request
is served, within the 1 s startup limit. Budgets catch growth in the pull
request that causes it, not at deploy.
"#,
        ),
        (
            "Bad",
            r#"
```jsonc
{ "budgets": [{ "metric": "gzip", "max": "100 KiB" }] }
```

with a bundle of 120.4 KiB gzip:

```
gzip size is 120.4 KiB, over its 100 KiB budget
```
"#,
        ),
        (
            "Good",
            r#"
Shrink the bundle — follow the bundle findings (heavy dependencies,
duplicates, polyfills), import less of a package, lazy-load what a route needs
— or, if the growth is intended, raise the budget in the config.
"#,
        ),
        (
            "Options",
            r#"
See [Budgets in docs/ci.md](../ci.md#budgets): `metric` (`raw`, `gzip`,
`brotli`, `package`, `startup`), `max`, `maxIncrease` (needs `--baseline`),
`name`; the platform limits can be overridden with `limits`.
"#,
        ),
        (
            "Known limits",
            r#"
- Budgets whose measurement is missing are skipped: size budgets without a
  bundle, `startup` budgets without a startup measurement, `maxIncrease`
  without a baseline, and percentage growth of a package the baseline did not
  have.
- In SARIF, a budget has no source line; it points at line 1 of the project's
  wrangler config (or package.json), because code scanning refuses results
  without a location.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the example is a config and a bundle size (src/analyses/budget.rs covers it)",
    ),
};
