//! The CPU and cold-start rules on the example Workers: examples/worker
//! trips each rule where the README says, examples/worker-fixed stays
//! silent.

use super::test_util::{example_files, example_worker, example_worker_fixed, owned_places, Case};
use crate::model::project::ProjectInfo;

/// The rules this module checks on the examples.
const RULES: &[&str] = &[
    "regex-in-loop",
    "accumulating-spread",
    "console-in-loop",
    "excessive-logging",
    "heavy-dependency",
    "node-polyfill-import",
    "barrel-reexport",
];

fn case() -> Case {
    Case::new().rules(RULES).project(ProjectInfo {
        nodejs_compat: true,
        ..ProjectInfo::default()
    })
}

#[test]
fn example_worker_trips_every_rule() {
    let files = example_worker()
        .into_iter()
        .chain(example_files!("worker", ["src/lib/collation.ts"]));
    let expected = owned_places(&[
        ("worker/src/index.ts", 15, "excessive-logging"),
        ("worker/src/lib/catalog.ts", 15, "regex-in-loop"),
        ("worker/src/lib/format.ts", 1, "node-polyfill-import"),
        ("worker/src/lib/format.ts", 2, "heavy-dependency"),
        ("worker/src/lib/index.ts", 3, "barrel-reexport"),
        // (One finding in the report: `analyze` merges a package's imports.)
        ("worker/src/routes/orders.ts", 3, "heavy-dependency"),
        ("worker/src/routes/users.ts", 3, "heavy-dependency"),
        ("worker/src/routes/users.ts", 58, "console-in-loop"),
        ("worker/src/routes/users.ts", 69, "accumulating-spread"),
    ]);
    assert_eq!(case().files(files).places(), expected);
}

#[test]
fn example_worker_fixed_is_silent() {
    case().files(example_worker_fixed()).assert_silent();
}
