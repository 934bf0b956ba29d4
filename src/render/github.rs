//! GitHub Actions workflow commands: one annotation per finding
//! (`::error file=…,line=…::message`) and per exceeded budget, then a plain
//! summary line for the log. The job summary is the Markdown format.

use std::fmt::Write;

use super::RenderOptions;
use crate::model::report::{Report, Severity, TOOL_NAME};
use crate::model::text;

/// Escapes a command's message (`%`, CR, LF), as @actions/core does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(report: &Report, _options: &RenderOptions) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_property(file)));
            let fields = [
                ("line", d.line),
                ("col", d.column),
                ("endLine", d.end_line),
                ("endColumn", d.end_column),
            ];
            for (key, value) in fields {
                if let Some(v) = value {
                    props.push(format!("{key}={v}"));
                }
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{TOOL_NAME} ({})", d.rule))
        ));
        let message = if d.help.is_empty() {
            d.message.clone()
        } else {
            format!("{}\n{}", d.message, d.help)
        };
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(d.severity),
            props.join(","),
            escape_data(&message)
        );
    }
    for b in report.budgets.iter().filter(|b| !b.passed) {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("{TOOL_NAME} budget exceeded")),
            escape_data(&text::budget_message(b))
        );
    }
    let s = &report.summary;
    let failed = report.budgets.iter().filter(|b| !b.passed).count();
    let n = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "{TOOL_NAME}: {}, {}, {} in {}; {failed} of {} exceeded",
        n(s.errors as usize, "error", "errors"),
        n(s.warnings as usize, "warning", "warnings"),
        n(s.infos as usize, "info", "infos"),
        n(s.files as usize, "file", "files"),
        n(report.budgets.len(), "budget", "budgets"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_fixture::fixture;

    #[test]
    fn fixture_annotations_line_by_line() {
        let out = render(&fixture(), &RenderOptions::default());
        let want = [
            "::error file=src/my routes/index.ts,line=12,col=5,endLine=12,endColumn=30,title=perf-optimizer (await-in-loop)::`await` inside a `for…of` loop runs the fetches one by one%0ACollect the promises and `await Promise.all(...)`.",
            "::warning file=src/util.ts,line=3,col=10,endLine=3,endColumn=40,title=perf-optimizer (json-deep-clone)::`JSON.parse(JSON.stringify(a | b))` deep-clones <State> through a string%0AUse `structuredClone(state)`:%0Ait is faster.",
            "::notice file=src/util.ts,line=20,col=3,endLine=20,endColumn=30,title=perf-optimizer (json-deep-clone)::copies 100%25 of `config`, again%0AUse `structuredClone(config)`.",
            "::warning title=perf-optimizer (duplicate-package)::zod is bundled twice (3.23.8, 4.1.0)%0AAlign the versions so that one copy is bundled.",
            "::error title=perf-optimizer budget exceeded::gzip size is 117.6 KiB, over its 97.7 KiB budget",
            "perf-optimizer: 1 error, 2 warnings, 1 info in 3 files; 1 of 3 budgets exceeded",
        ];
        let got: Vec<&str> = out.lines().collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got.len(), want.len());
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn escapes_follow_github_rules() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
