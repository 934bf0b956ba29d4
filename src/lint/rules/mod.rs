//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;

mod await_in_loop;
mod json_deep_clone;

/// Rule ids reported by the engine itself rather than a rule.
pub const ENGINE_RULE_IDS: &[&str] = &["parse-error", "invalid-suppression", "unreadable-file"];

static RULES: &[&RuleEntry] = &[&await_in_loop::RULE, &json_deep_clone::RULE];

pub fn all() -> &'static [&'static RuleEntry] {
    RULES
}
