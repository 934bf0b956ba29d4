//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;
use crate::db::ProjectRuleEntry;

mod accumulating_spread;
mod await_in_loop;
mod barrel_reexport;
mod buffered_body;
mod console_in_loop;
#[cfg(test)]
pub(crate) mod cpu_examples;
mod db_client_per_call;
mod drizzle_delete_without_where;
mod drizzle_missing_index;
mod drizzle_query_in_loop;
mod drizzle_select_all_columns;
mod drizzle_transaction_with_fetch;
mod drizzle_unbatched_writes;
mod drizzle_unbounded_select;
mod excessive_logging;
mod floating_promise;
mod global_db_client;
pub(crate) mod heavy_dependency;
mod hyperdrive_bypassed;
mod io_calls;
mod json_deep_clone;
pub(crate) mod node_polyfill_import;
mod per_call;
mod regex_in_loop;
mod request_state_in_global;
mod sequential_awaits;
mod subrequest_in_loop;
mod top_level_work;
mod unbounded_concurrency;

/// Rule ids reported by the engine itself rather than a rule.
pub const ENGINE_RULE_IDS: &[&str] = &[
    "parse-error",
    "invalid-suppression",
    "unreadable-file",
    crate::startup::RULE_ID,
];

static RULES: &[&RuleEntry] = &[
    &await_in_loop::RULE,
    &json_deep_clone::RULE,
    &regex_in_loop::RULE,
    &accumulating_spread::RULE,
    &console_in_loop::RULE,
    &excessive_logging::RULE,
    &heavy_dependency::RULE,
    &node_polyfill_import::RULE,
    &barrel_reexport::RULE,
    &sequential_awaits::RULE,
    &floating_promise::RULE,
    &unbounded_concurrency::RULE,
    &subrequest_in_loop::RULE,
    &buffered_body::RULE,
    &top_level_work::RULE,
    &request_state_in_global::RULE,
    &drizzle_query_in_loop::RULE,
    &drizzle_unbatched_writes::RULE,
    &drizzle_delete_without_where::RULE,
    &drizzle_transaction_with_fetch::RULE,
    &global_db_client::RULE,
];

/// Rules checked once per project, from the facts every file's walk
/// recorded and the schema (see `crate::db`).
static PROJECT_RULES: &[&ProjectRuleEntry] = &[
    &drizzle_missing_index::RULE,
    &drizzle_unbounded_select::RULE,
    &drizzle_select_all_columns::RULE,
    &db_client_per_call::RULE,
    &hyperdrive_bypassed::RULE,
];

pub fn all() -> &'static [&'static RuleEntry] {
    RULES
}

pub fn project() -> &'static [&'static ProjectRuleEntry] {
    PROJECT_RULES
}
