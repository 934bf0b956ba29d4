//! `heap-growth`: the declaration of a finding about the isolate's heap
//! growing over a profile run (`crate::analyses::profile::findings`).

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "heap-growth", Memory, Error,
    "The isolate's heap after GC grew over a profile run at a rate that reaches the 128 MB limit (or is over a heap budget) (perf-optimizer profile)",
    by "crate::analyses::profile::findings", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " · **Needs:** `perf-optimizer profile`",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
The heap of the Worker's isolate, measured after a forced garbage collection
before the first request and after the last of a `perf-optimizer profile`
run, that

- is over the 128 MB memory limit at the end (an error, the rule's severity);
- or grew so that, at the run's rate, one isolate would reach the limit
  within 100,000 more requests (an error): only from a run of at least 20
  requests in which the heap grew by at least 1 MB. Below that the growth is
  the warm-up of a sound Worker (compiled code, inline caches, lazily built
  tables) or noise, and the rule stays silent;
- or is over a `heap` budget of the config (`{ "metric": "heap", "max":
  "32 MB" }`): a warning.

The finding points at the function that allocated most of what was still
live after the final collection: V8's sampling heap profiler runs over the
whole run (through workerd's inspector), its live samples are grouped by
function and mapped through the bundle's source map to the project's own
code; the message names the routes whose CPU samples ran that function.
Without such a function (the memory was allocated by a package, or the
profiler saw none) the finding is at project level.
"#,
        ),
        (
            "Why it matters",
            r#"
An isolate over 128 MB is stopped and its in-flight requests fail ("Worker
exceeded memory limit"); memory kept in a global outlives the request and
grows with the traffic, so the failure comes hours after a deploy.
"#,
        ),
        (
            "Bad",
            r#"
```js
const seen = [];
export default {
  async fetch(request) {
    seen.push(await request.clone().text()); // kept for the isolate's life
    return new Response("ok");
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```js
const seen = new Map(); // bounded: the oldest entry goes past 1,000
function remember(key, value) {
  seen.set(key, value);
  if (seen.size > 1000) seen.delete(seen.keys().next().value);
}
```
"#,
        ),
        (
            "Configuration",
            r#"
`"rules": { "heap-growth": "off" | "info" | "warn" | "error" }` (a budget
finding is a warning at most); the limit is the `memoryBytes` row of the
limits table; budget: `"budgets": [{ "metric": "heap", "max": "32 MB" }]` (the
heap is the isolate's: no `route`).
"#,
        ),
    ],
    setup: "",
    examples: super::PROFILE_RUN,
};
