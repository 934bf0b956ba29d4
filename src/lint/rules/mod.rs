//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;

mod await_in_loop;
mod buffered_body;
mod floating_promise;
mod io_calls;
mod json_deep_clone;
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
