//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;
use crate::db::ProjectRuleEntry;

mod await_in_loop;
mod db_client_per_call;
mod drizzle_delete_without_where;
mod drizzle_missing_index;
mod drizzle_query_in_loop;
mod drizzle_select_all_columns;
mod drizzle_transaction_with_fetch;
mod drizzle_unbatched_writes;
mod drizzle_unbounded_select;
mod global_db_client;
mod hyperdrive_bypassed;
mod json_deep_clone;

/// Rule ids reported by the engine itself rather than a rule.
pub const ENGINE_RULE_IDS: &[&str] = &["parse-error", "invalid-suppression", "unreadable-file"];

static RULES: &[&RuleEntry] = &[
    &await_in_loop::RULE,
    &json_deep_clone::RULE,
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
