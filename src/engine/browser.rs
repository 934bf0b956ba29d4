//! Findings in code that runs only in a browser (`semantic::browser`: a
//! server-rendered app's component code the Worker's bundle holds but
//! never runs) are left out; the report says what was left out and why.

use crate::effects::FileFacts;
use crate::model::report::Diagnostic;

/// Removes from `diagnostics` those inside browser-only code, and says
/// where that code is (None when nothing was left out).
pub(super) fn leave_out_browser_only(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(String, FileFacts)],
) -> Option<String> {
    let hits = super::uncalled::findings_in(
        diagnostics,
        files,
        |facts| !facts.browser_only.is_empty(),
        |facts, line, column| {
            facts
                .browser_only
                .iter()
                .position(|b| super::uncalled::inside(&b.loc, line, column))
        },
    );
    if hits.is_empty() {
        return None;
    }
    // Each part that held a finding, once, in the order found.
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut dropped = vec![false; diagnostics.len()];
    for &(d, file, part) in &hits {
        dropped[d] = true;
        if !parts.contains(&(file, part)) {
            parts.push((file, part));
        }
    }
    let shown: Vec<String> = parts
        .iter()
        .map(|&(file, part)| {
            let b = &files[file].1.browser_only[part];
            format!("{} ({}:{}: {})", b.what, files[file].0, b.loc.line, b.why)
        })
        .collect();
    super::uncalled::left_out(
        diagnostics,
        &dropped,
        &shown,
        "in code that runs only in a browser",
        "; ",
    )
}
