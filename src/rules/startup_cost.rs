//! `startup-cost`: the declaration of a finding about measured startup time, reported by the startup attribution
//! (`crate::analyses::startup::analyze`); the checking logic stays there.

use crate::engine::declare::{options, Declaration, Kind, NoOptions};
use crate::engine::RuleMeta;
use crate::model::report::{Category, Severity};

pub static RULE: Declaration = Declaration {
    meta: RuleMeta {
        id: "startup-cost",
        category: Category::Startup,
        severity: Severity::Warning,
        summary: "A package or module that takes a large share of the measured startup time (with --startup)",
    },
    kind: Kind::Reported {
        by: "crate::analyses::startup::analyze",
        in_config: true,
    },
    options: options::<NoOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " · **Needs:** `--startup`",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A package or first-party module that takes a large, stable share of the
Worker's **measured** startup time (at most five findings). With
`perf-optimizer check --startup` (or `perf-optimizer startup`), the bundle
wrangler deploys is run in workerd by `wrangler check startup` several times
(`--runs`, default 5); the CPU profiles are mapped through the bundle's source
map to packages and modules (see "Startup" in the README for the method).

- A **module** finding points at the statement that took most of its time
  (the hot line of its top-level code, or the function it calls).
- A **package** finding points at the first first-party line that imports it.

Every finding gives the median milliseconds over the runs and the share of
startup. Local timings are not the edge's: compare shares and changes.

A contributor is reported only when it is **stable**, at least 2 ms (the noise
floor) in a majority of the runs, and **material**: a median of at least 10%
of startup, and at least 2% of the startup limit (20 ms of 1 s) or 10% of the
config's `startup` budget, whichever is less. A few ms of a startup far under
the limit are not a finding; they stay in the report's `startup.contributors`.

What the project cannot defer is described with its cost, at info, without
advice to load it lazily:

- code wrangler injects: its middleware and facade, and the nodejs_compat
  polyfills (`unenv`, `@cloudflare/unenv-preset`);
- the Worker's entry module itself (the app and its routes, which every
  request needs).
"#,
        ),
        (
            "Why it matters",
            r#"
A Worker must evaluate its global scope within the startup limit (1 s;
error 10021 "Script startup exceeded CPU time limit"), and every cold start
pays for it, on the request that caused it.
"#,
        ),
        (
            "Bad",
            r#"
```js
// src/catalog.js: runs on every cold start, before the first request
export const BIN_BY_SKU = {};
for (let i = 0; i < 300000; i++) BIN_BY_SKU[`sku-${i}`] = binOf(i);
```

```js
import { parse } from "heavy-parser"; // builds its tables at import
```
"#,
        ),
        (
            "Good",
            r#"
```js
let binBySku;
export function binFor(sku) {
  binBySku ??= buildTable(); // once per isolate, on first use, in a handler
  return binBySku[sku];
}
```

```js
export default {
  async fetch(request) {
    const { parse } = await import("heavy-parser"); // only where it is needed
    return Response.json(parse(await request.text()));
  },
};
```

Or precompute the data at build time, or choose a lighter package.
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "startup-cost": "off" | "info" | "warn" | "error" }`. A startup
budget (`{ "metric": "startup", "max": "200 ms" }`) fails the run on the
total instead.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the example is a startup measurement in workerd (tests/startup.test.mjs and src/startup.rs cover it)",
    ),
};
