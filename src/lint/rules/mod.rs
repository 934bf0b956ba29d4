//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;

mod accumulating_spread;
mod await_in_loop;
mod barrel_reexport;
mod buffered_body;
mod console_in_loop;
#[cfg(test)]
pub(crate) mod cpu_examples;
mod excessive_logging;
mod floating_promise;
mod heavy_dependency;
mod io_calls;
mod json_deep_clone;
mod node_polyfill_import;
mod regex_in_loop;
mod request_state_in_global;
mod sequential_awaits;
mod subrequest_in_loop;
mod top_level_work;
mod unbounded_concurrency;

/// Rule ids reported by the engine itself rather than a rule.
pub const ENGINE_RULE_IDS: &[&str] = &["parse-error", "invalid-suppression", "unreadable-file"];

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
];

pub fn all() -> &'static [&'static RuleEntry] {
    RULES
}
