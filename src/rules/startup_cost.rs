//! `startup-cost`: the declaration of a finding about measured startup time, reported by the startup attribution
//! (`crate::analyses::startup::analyze`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "startup-cost", Startup, Warning,
    "A package or module that takes a large share of the measured startup time (with --startup)",
    by "crate::analyses::startup::analyze", in_config true
);

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
total instead. A `// perf-optimizer-disable-next-line startup-cost -- reason`
comment above the line a finding points to silences that finding.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the example is a startup measurement in workerd (tests/startup.test.mjs covers it end to end; the tests below, on recorded profiles)",
    ),
};

/// Startup profiles for tests, shared with the whole-pipeline tests
/// (`crate::analyze`): a bundle whose lines map to `src/loop.ts`, lodash
/// and `src/index.ts`.
#[cfg(test)]
pub(crate) mod profiles {
    use crate::analyses::startup::{MappedPosition, StartupInput};

    /// Positions where generated line i (as a tick line, and at column 0
    /// and 4 for function frames) maps to (source, line) of `map[i]`.
    pub fn positions(map: &[(u32, u32)]) -> Vec<MappedPosition> {
        map.iter()
            .enumerate()
            .flat_map(|(i, &(source, original_line))| {
                [None, Some(0), Some(4)].map(|column| MappedPosition {
                    line: i as u32,
                    column,
                    source,
                    original_line,
                })
            })
            .collect()
    }

    /// A profile: root → (program), (idle), GC, top-level (line ticks on
    /// bundle lines 1 and 3), a function at line 2 (0-based 1), and a
    /// node-internal frame under the function.
    pub fn profile() -> String {
        profile_with(1.0, &SAMPLES)
    }

    /// idle, 2 program, 1 gc, 8 top-level, 3 heavy, 1 internal.
    pub const SAMPLES: [u64; 16] = [2, 3, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 7];

    /// The profile's nodes with `samples`, each `ms` long.
    pub fn profile_with(ms: f64, samples: &[u64]) -> String {
        let us = ms * 1000.0;
        let mut deltas = vec![0.0];
        deltas.resize(samples.len(), us);
        serde_json::json!({
            "nodes": [
                {"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"children":[2,3,4,5]},
                {"id":2,"callFrame":{"functionName":"(idle)","url":"","lineNumber":-1,"columnNumber":-1}},
                {"id":3,"callFrame":{"functionName":"(program)","url":"","lineNumber":-1,"columnNumber":-1}},
                {"id":4,"callFrame":{"functionName":"(garbage collector)","url":"","lineNumber":-1,"columnNumber":-1}},
                {"id":5,"callFrame":{"functionName":"","url":"tmp/x/index.js","lineNumber":-1,"columnNumber":-1},"children":[6],
                 "positionTicks":[{"line":1,"ticks":6},{"line":3,"ticks":2}]},
                {"id":6,"callFrame":{"functionName":"heavy","url":"tmp/x/index.js","lineNumber":1,"columnNumber":4},"children":[7]},
                {"id":7,"callFrame":{"functionName":"EventEmitter","url":"node-internal:events","lineNumber":3,"columnNumber":0}}
            ],
            "samples": samples,
            "startTime": 0,
            "endTime": us * samples.len() as f64,
            "timeDeltas": deltas
        })
        .to_string()
    }

    /// Three runs of the 15 ms profile.
    pub fn input() -> StartupInput {
        StartupInput {
            profiles: vec![profile(), profile(), profile()],
            bundle_file: "index.js".into(),
            // line 1 → src/loop.ts:5, line 2 → lodash:10, line 3 → src/index.ts:1
            positions: positions(&[(0, 4), (1, 9), (2, 0)]),
            sources: vec![
                "src/loop.ts".into(),
                "node_modules/lodash/lodash.js".into(),
                "src/index.ts".into(),
            ],
            sources_content: vec![
                None,
                None,
                Some("import { x } from \"./loop\";\nimport _ from \"lodash\";\n".into()),
            ],
        }
    }

    /// Three runs of 150 ms, every part stable.
    pub fn slow_input() -> StartupInput {
        StartupInput {
            profiles: vec![profile_with(10.0, &SAMPLES); 3],
            ..input()
        }
    }

    /// Three runs of 150 ms; lodash shows in the first only (sampling
    /// noise: in the others its samples land in `(program)`).
    pub fn noisy_input() -> StartupInput {
        let mut noisy = SAMPLES;
        for s in noisy.iter_mut().filter(|s| **s >= 6) {
            *s = 3;
        }
        StartupInput {
            profiles: vec![
                profile_with(10.0, &SAMPLES),
                profile_with(10.0, &noisy),
                profile_with(10.0, &noisy),
            ],
            ..input()
        }
    }

    /// A startup budget that makes the 15 ms profile's parts material.
    pub const BUDGET_20MS: &str = r#"{"budgets":[{"metric":"startup","max":"20 ms"}]}"#;
}

/// The findings, through the test harness (the report's `startup` section
/// and budgets are tested through the whole pipeline, in `crate::analyze`).
#[cfg(test)]
mod tests {
    use super::profiles::*;
    use crate::model::report::{Category, Severity};
    use crate::rules::test_util::Case;

    fn case(input: crate::analyses::startup::StartupInput) -> Case {
        Case::new().startup(input).rules(&["startup-cost"])
    }

    /// A startup far under the limit: none of its parts is a finding (2 to
    /// 6 ms of a 15 ms startup change nothing against 1 s).
    #[test]
    fn small_parts_of_a_fast_startup_are_not_findings() {
        case(input()).assert_silent();
    }

    /// Three runs of 150 ms; lodash shows in one only (sampling noise):
    /// reported are the parts stable across runs, with their medians.
    #[test]
    fn only_parts_stable_across_runs_are_reported() {
        let found = case(noisy_input()).assert_fires(&[
            ("src/loop.ts", 5, "module `src/loop.ts`"),
            ("src/index.ts", 1, "module `src/index.ts`"),
        ]);
        assert_eq!(
            found[0].message,
            "module `src/loop.ts` takes 60 ms of the Worker's 150 ms startup (40%, median of the runs), most of it in the statement at line 5"
        );
        assert!(found[1].message.starts_with("module `src/index.ts` takes 20 ms"));
        // Stable in every run: lodash is reported as well, at its import.
        let found = case(slow_input()).assert_fires(&[
            ("src/loop.ts", 5, "module `src/loop.ts`"),
            ("src/index.ts", 2, "package `lodash`"),
            ("src/index.ts", 1, "module `src/index.ts`"),
        ]);
        assert!(
            found[1].message.starts_with("package `lodash` takes 40 ms"),
            "{found:?}"
        );
        assert!(found[1].help.contains("await import(\"lodash\")"));
    }

    /// wrangler's nodejs_compat polyfills and the entry's own module are
    /// described with their cost, at info, without advice to defer them.
    #[test]
    fn injected_code_and_the_entry_are_described_not_advised() {
        let mut i = slow_input();
        i.sources[1] = "node_modules/unenv/dist/runtime/node/buffer.mjs".into();
        let found = case(i).entry("src/index.ts").assert_fires(&[
            ("src/loop.ts", 5, "module `src/loop.ts`"),
            // No first-party source imports it: no place.
            ("", 0, "package `unenv`, which wrangler adds to the bundle (nodejs_compat polyfills), takes 40 ms"),
            ("src/index.ts", 1, "module `src/index.ts` (the Worker's entry) takes 20 ms"),
        ]);
        let severities: Vec<_> = found.iter().map(|d| d.severity).collect();
        assert_eq!(
            severities,
            [Severity::Warning, Severity::Info, Severity::Info],
            "{found:?}"
        );
        assert!(found[0].help.contains("lazily"));
        for d in &found[1..] {
            assert!(!d.help.contains("await import"), "{}", d.help);
            assert!(d.help.contains("ms"), "{}", d.help);
        }
    }

    /// Against a 20 ms startup budget, 2 to 6 ms of a 15 ms startup are
    /// material: each part (≥ 10%) is a finding.
    #[test]
    fn a_startup_budget_makes_small_parts_material() {
        let found = case(input()).config(BUDGET_20MS).assert_fires(&[
            ("src/loop.ts", 5, "module `src/loop.ts` takes 6 ms"),
            ("src/index.ts", 2, "package `lodash` takes 4 ms"),
            ("src/index.ts", 1, "module `src/index.ts` takes 2 ms"),
        ]);
        assert!(found
            .iter()
            .all(|d| d.category == Category::Startup && d.severity == Severity::Warning));
    }

    #[test]
    fn the_config_sets_the_severity() {
        let off =
            r#"{"rules":{"startup-cost":"off"},"budgets":[{"metric":"startup","max":"10 ms"}]}"#;
        case(input()).config(off).assert_silent();
        let found = case(slow_input())
            .config(r#"{"rules":{"startup-cost":"error"}}"#)
            .run();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|d| d.severity == Severity::Error));
    }

    /// A suppression comment at the line a finding points to silences it,
    /// as for any finding; the other parts stay.
    #[test]
    fn suppression_comments_apply() {
        let hot = "export const a = 1;\nexport const b = 2;\nexport const c = 3;\n// perf-optimizer-disable-next-line startup-cost -- a table every request reads\nexport const table = build();\n";
        case(slow_input())
            .file("src/loop.ts", hot)
            .assert_fires(&[
                ("src/index.ts", 2, "package `lodash`"),
                ("src/index.ts", 1, "module `src/index.ts`"),
            ]);
        // Another rule's comment does not count.
        case(slow_input())
            .file("src/loop.ts", &hot.replace("startup-cost", "await-in-loop"))
            .assert_fires(&[
                ("src/loop.ts", 5, "module `src/loop.ts`"),
                ("src/index.ts", 2, "package `lodash`"),
                ("src/index.ts", 1, "module `src/index.ts`"),
            ]);
    }

    /// What the findings say, word for word (src/rules/snapshots/
    /// startup-cost.snap): a module, a package at its import, the entry.
    #[test]
    fn startup_cost_snapshot() {
        case(slow_input())
            .entry("src/index.ts")
            .assert_snapshot("startup-cost");
    }

    /// A case that names `startup-cost` without profiles would be silent
    /// whatever the rule does.
    #[test]
    #[should_panic(expected = "`startup-cost` comes from startup profiles: the case needs `.startup(…)`")]
    fn a_startup_finding_needs_profiles() {
        Case::new()
            .file("src/index.ts", "export default {};\n")
            .rules(&["startup-cost"])
            .assert_silent();
    }

    #[test]
    #[should_panic(expected = "`startup-cst` is not a declared rule (did you mean `startup-cost`?)")]
    fn silence_of_a_misspelled_startup_rule_fails() {
        Case::new()
            .startup(input())
            .rules(&["startup-cst"])
            .assert_silent();
    }
}
