//! A rule's metadata, shared by the engine that runs rules and the outputs
//! that list them.

use super::report::{Category, Severity};

/// A rule's metadata: what `perf-optimizer rules` lists and docs/rules/<id>.md
/// documents.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// kebab-case, stable: a contract.
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
}
