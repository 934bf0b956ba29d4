//! Findings in code that runs only in a browser (`semantic::browser`: a
//! server-rendered app's component code the Worker's bundle holds but
//! never runs) are left out; the report says what was left out and why.

use crate::effects::FileFacts;
use crate::model::collections::HashMap;
use crate::model::report::Diagnostic;

/// Removes from `diagnostics` those inside browser-only code, and says
/// where that code is (None when nothing was left out).
pub(super) fn leave_out_browser_only(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(String, FileFacts)],
) -> Option<String> {
    let by_path: HashMap<&str, &FileFacts> = files
        .iter()
        .filter(|(_, facts)| !facts.browser_only.is_empty())
        .map(|(path, facts)| (path.as_str(), facts))
        .collect();
    if by_path.is_empty() {
        return None;
    }
    // (file, index in its browser_only) of each part that held a finding.
    let mut parts: Vec<(&str, usize)> = Vec::new();
    let before = diagnostics.len();
    diagnostics.retain(|d| {
        let (Some(path), Some(line), Some(column)) = (&d.file, d.line, d.column) else {
            return true;
        };
        let Some(facts) = by_path.get(path.as_str()) else {
            return true;
        };
        match facts
            .browser_only
            .iter()
            .position(|b| super::uncalled::inside(&b.loc, line, column))
        {
            Some(part) => {
                if let Some((&key, _)) = by_path.get_key_value(path.as_str()) {
                    if !parts.contains(&(key, part)) {
                        parts.push((key, part));
                    }
                }
                false
            }
            None => true,
        }
    });
    let count = before - diagnostics.len();
    if count == 0 {
        return None;
    }
    let shown: Vec<String> = parts
        .iter()
        .take(4)
        .map(|&(path, part)| {
            let b = &by_path[path].browser_only[part];
            format!("{} ({path}:{}: {})", b.what, b.loc.line, b.why)
        })
        .collect();
    let more = if parts.len() > 4 { "; …" } else { "" };
    Some(format!(
        "{} {} in code that runs only in a browser: {}{more}.",
        crate::model::text::count(count as u64),
        if count == 1 {
            "finding was left out"
        } else {
            "findings were left out"
        },
        shown.join("; ")
    ))
}
