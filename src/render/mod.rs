//! The report's renderers: one model, many formats. Pure and deterministic.

use serde::{Deserialize, Serialize};

use crate::model::report::Report;

pub mod github;
pub mod markdown;
pub mod pretty;
pub mod safe;
pub mod sarif;
#[cfg(test)]
pub(crate) mod test_fixture;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pretty,
    Json,
    Sarif,
    Markdown,
    Github,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    /// Where findings without a file of their own and budget results are
    /// anchored in formats that need a location (SARIF): the wrangler config
    /// or package.json, relative to the working directory. Default
    /// `package.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_file: Option<String>,
    /// The working directory as an absolute `file:///…/` URI, for SARIF's
    /// `originalUriBaseIds` (`%SRCROOT%`). Optional: code scanning resolves
    /// relative paths against the repository root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_root: Option<String>,
}

/// Renders the report in a format. Pure and deterministic.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> Result<String, String> {
    match format {
        // Compact: the JS layer prints `--format json` itself
        // (`JSON.stringify(report, null, 2)`), so the wasm carries one
        // serializer of the report, not a second, pretty one.
        Format::Json => serde_json::to_string(report)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        // Text read from the user's files reaches a terminal or a Markdown
        // page in these: control characters are shown escaped.
        Format::Pretty => Ok(pretty::render(&safe::escaped(report), options)),
        Format::Sarif => Ok(sarif::render(report, options)),
        Format::Markdown => Ok(markdown::render(&safe::escaped(report), options)),
        Format::Github => Ok(github::render(&safe::escaped(report), options)),
    }
}

/// "Skipped 30 files the Worker does not run: 20 test, 8 script, 2 client
/// (--all-files analyzes them)", when the run skipped any.
pub fn skipped_line(report: &Report) -> Option<String> {
    let skipped = report.summary.skipped_files;
    if skipped == 0 {
        return None;
    }
    let mut by_role: Vec<(crate::model::report::Role, u32)> = Vec::new();
    for f in report.files.iter().filter(|f| !f.analyzed) {
        match by_role.iter_mut().find(|(role, _)| *role == f.role) {
            Some((_, n)) => *n += 1,
            None => by_role.push((f.role, 1)),
        }
    }
    crate::model::collections::sort_by(&mut by_role, |a, b| a.cmp(b));
    let roles: Vec<String> = by_role
        .iter()
        .map(|(role, n)| format!("{n} {}", role.name()))
        .collect();
    Some(format!(
        "Skipped {skipped} file{} the Worker does not run: {} (--all-files analyzes them)",
        if skipped == 1 { "" } else { "s" },
        roles.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{FileEntry, Role};

    #[test]
    fn the_skipped_files_by_role() {
        let mut report = Report::new(Vec::new(), None, Vec::new(), 1);
        assert_eq!(skipped_line(&report), None);
        let file = |path: &str, role, analyzed| FileEntry {
            path: path.into(),
            role,
            entry: None,
            analyzed,
        };
        report.files = vec![
            file("src/index.ts", Role::Worker, true),
            file("test/a.test.ts", Role::Test, false),
            file("web/b.tsx", Role::Client, false),
            file("test/c.test.ts", Role::Test, false),
        ];
        report.summary.skipped_files = 3;
        assert_eq!(
            skipped_line(&report).unwrap(),
            "Skipped 3 files the Worker does not run: 2 test, 1 client (--all-files analyzes them)"
        );
    }
}
