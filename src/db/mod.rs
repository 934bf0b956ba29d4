//! Drizzle / D1 / Hyperdrive: the schema model and query facts. The lint
//! traversal records facts per file (`FileFacts`); the schema-aware checks run
//! once over all files in [`check_project`].

use crate::analyze::ProjectInfo;
use crate::lint::SourceFile;
use crate::report::Diagnostic;

/// What one file's traversal learned about schemas and queries.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {}

/// Schema-aware checks over every file's facts, after all files are walked.
pub fn check_project(
    _files: &[(String, FileFacts)],
    _sql_files: &[SourceFile],
    _project: &ProjectInfo,
) -> Vec<Diagnostic> {
    Vec::new()
}
