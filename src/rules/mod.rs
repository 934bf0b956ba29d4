//! The rules: one file per rule, and the registry that lists them for the
//! engine, the `rules` command, config validation and suppressions.

use serde::{Deserialize, Serialize};

use crate::engine::{ProjectRuleEntry, Registry, RuleEntry};
use crate::model::report::{docs_url, Category, Severity};

mod accumulating_spread;
mod await_in_loop;
mod barrel_reexport;
mod buffered_body;
pub mod bundle_findings;
mod console_in_loop;
#[cfg(test)]
pub(crate) mod cpu_examples;
mod db_client_per_call;
#[cfg(test)]
mod db_tests;
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
#[cfg(test)]
pub mod test_util;
mod top_level_work;
mod unbounded_concurrency;

/// Rule ids reported by the engine itself rather than a rule.
pub const ENGINE_RULE_IDS: &[&str] = &[
    "parse-error",
    "invalid-suppression",
    "unreadable-file",
    crate::analyses::startup::RULE_ID,
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

/// The registry as the engine takes it.
pub fn registry() -> Registry {
    Registry {
        source: RULES,
        project: PROJECT_RULES,
        known_ids: known_rule_ids(),
    }
}

/// A rule's metadata as the `rules` command and the API return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub docs: String,
}

pub fn rule_infos() -> Vec<RuleInfo> {
    all()
        .iter()
        .map(|r| &r.meta)
        .chain(project().iter().map(|r| &r.meta))
        .chain(bundle_findings::BUNDLE_RULES.iter())
        .map(|meta| RuleInfo {
            id: meta.id.into(),
            category: meta.category,
            severity: meta.severity,
            summary: meta.summary.into(),
            docs: docs_url(meta.id),
        })
        .chain(std::iter::once(RuleInfo {
            id: crate::analyses::startup::RULE_ID.into(),
            category: Category::Startup,
            severity: Severity::Warning,
            summary: crate::analyses::startup::RULE_SUMMARY.into(),
            docs: docs_url(crate::analyses::startup::RULE_ID),
        }))
        .collect()
}

/// Every rule id, including those reported outside the rule engine (bundle
/// findings, parse errors), for config and suppression validation.
pub fn known_rule_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = all().iter().map(|r| r.meta.id).collect();
    ids.extend(project().iter().map(|r| r.meta.id));
    ids.extend_from_slice(ENGINE_RULE_IDS);
    ids.extend(bundle_findings::BUNDLE_RULES.iter().map(|m| m.id));
    ids
}
