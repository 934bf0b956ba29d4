//! The rule registry: one file per rule, each adds one line here.

use super::RuleEntry;

mod accumulating_spread;
mod await_in_loop;
mod barrel_reexport;
mod console_in_loop;
#[cfg(test)]
pub(crate) mod cpu_examples;
mod excessive_logging;
mod heavy_dependency;
mod json_deep_clone;
mod node_polyfill_import;
mod regex_in_loop;

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
];

pub fn all() -> &'static [&'static RuleEntry] {
    RULES
}
