//! A pull-request comment (and the GitHub job summary): status, sizes with
//! deltas against the baseline, budgets, largest packages, changes since the
//! baseline and the findings. Starts with a hidden marker so that a CI step
//! can find and update its own comment.

use std::fmt::Write;

use super::RenderOptions;
use crate::model::report::{Diagnostic, Report, Severity, TOOL_NAME, TOOL_VERSION};
use crate::model::text;

/// The first line of every comment; CI steps look for it to update in place.
pub const MARKER: &str = "<!-- perf-optimizer -->";
/// Findings shown in the open table; the rest go in a collapsed `<details>`.
pub const TOP_FINDINGS: usize = 10;
/// Packages listed.
pub const TOP_PACKAGES: usize = 10;

/// Makes a message safe in a table cell: no line breaks, no cell separators,
/// no HTML outside `code spans` (inside them, entities would show literally).
/// Code spans are as CommonMark reads them: a run of n backticks opens one,
/// the next run of exactly n closes it (``a`b`` holds a backtick); a run
/// that nothing closes is literal text.
fn cell(s: &str) -> String {
    let runs = backtick_runs(s);
    let mut out = String::with_capacity(s.len());
    // The end of the open code span's closing run.
    let mut code_until: Option<usize> = None;
    let mut i = 0;
    for (at, len) in runs.iter().copied().chain(std::iter::once((s.len(), 0))) {
        escape_text(&s[i..at], code_until.is_some(), &mut out);
        if at == s.len() {
            break;
        }
        out.push_str(&s[at..at + len]);
        i = at + len;
        match code_until {
            Some(end) if end == i => code_until = None,
            Some(_) => {}
            None => {
                code_until = runs
                    .iter()
                    .find(|&&(other, n)| other > at && n == len)
                    .map(|&(other, n)| other + n);
            }
        }
    }
    out
}

/// (offset, length) of each run of backticks in `s`.
fn backtick_runs(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let start = i;
            while i < bytes.len() && bytes[i] == b'`' {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    runs
}

/// Text between backtick runs, for a table cell.
fn escape_text(text: &str, in_code: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' if in_code => out.push(' '),
            '\n' => out.push_str("<br>"),
            '&' if !in_code => out.push_str("&amp;"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Text as a code span in a table cell.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if matches!(c, '`' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!("`{}`", s.replace('|', "\\|"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

fn status(report: &Report) -> String {
    let s = &report.summary;
    let failed = report.budgets.iter().filter(|b| !b.passed).count();
    let total = s.errors + s.warnings + s.infos;
    let files = plural(s.files as usize, "file", "files");
    if total == 0 && failed == 0 {
        let budgets = if report.budgets.is_empty() {
            String::new()
        } else {
            format!(
                ", {} met",
                plural(report.budgets.len(), "budget", "budgets")
            )
        };
        return format!("✅ No findings in {files}{budgets}.");
    }
    let lead = if s.errors > 0 || failed > 0 {
        "❌"
    } else {
        "⚠️"
    };
    let mut counts = [
        plural(s.errors as usize, "error", "errors"),
        plural(s.warnings as usize, "warning", "warnings"),
        plural(s.infos as usize, "info", "infos"),
    ];
    if s.errors > 0 {
        counts[0] = format!("**{}**", counts[0]);
    }
    let mut line = format!("{lead} {} in {files}", counts.join(", "));
    if failed > 0 {
        let _ = write!(
            line,
            " · **{failed} of {} exceeded**",
            plural(report.budgets.len(), "budget", "budgets")
        );
    } else if !report.budgets.is_empty() {
        let _ = write!(
            line,
            " · {} met",
            plural(report.budgets.len(), "budget", "budgets")
        );
    }
    line
}

fn sizes(out: &mut String, report: &Report) {
    let Some(bundle) = &report.bundle else { return };
    if bundle.outputs.is_empty() {
        return;
    }
    let diff = report.baseline.as_ref();
    out.push_str("\n### Bundle size\n\n");
    out.push_str("| Output | Raw | Gzip | Brotli |\n| :--- | ---: | ---: | ---: |\n");
    for o in &bundle.outputs {
        let change = diff.and_then(|d| d.outputs.iter().find(|c| c.path == o.path));
        let is_new = diff.is_some_and(|d| d.new_outputs.contains(&o.path));
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {} |",
            code(&o.path),
            if is_new { " (new)" } else { "" },
            text::size_change(o.bytes, change.map(|c| &c.bytes)),
            text::size_change(o.gzip_bytes, change.map(|c| &c.gzip_bytes)),
            text::size_change(o.brotli_bytes, change.map(|c| &c.brotli_bytes)),
        );
    }
    if bundle.outputs.len() > 1 || diff.is_some_and(|d| !d.removed_outputs.is_empty()) {
        let sum = |f: fn(&crate::model::report::OutputSize) -> u64| {
            bundle.outputs.iter().map(f).sum::<u64>()
        };
        let t = diff.map(|d| &d.totals);
        let _ = writeln!(
            out,
            "| **Total** | **{}** | **{}** | **{}** |",
            text::size_change(sum(|o| o.bytes), t.map(|t| &t.bytes)),
            text::size_change(sum(|o| o.gzip_bytes), t.map(|t| &t.gzip_bytes)),
            text::size_change(sum(|o| o.brotli_bytes), t.map(|t| &t.brotli_bytes)),
        );
    }
    if let Some(d) = diff {
        if !d.removed_outputs.is_empty() {
            let removed: Vec<String> = d.removed_outputs.iter().map(|p| code(p)).collect();
            let _ = writeln!(out, "\nRemoved since the baseline: {}", removed.join(", "));
        }
    }
}

fn budgets(out: &mut String, report: &Report) {
    if report.budgets.is_empty() {
        return;
    }
    out.push_str("\n### Budgets\n\n");
    out.push_str("| | Budget | Limit | Actual |\n| :---: | :--- | ---: | ---: |\n");
    for b in &report.budgets {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            if b.passed { "✅" } else { "❌" },
            cell(&b.name),
            text::budget_limit(b),
            text::budget_actual(b),
        );
    }
}

fn startup(out: &mut String, report: &Report) {
    let Some(s) = &report.startup else { return };
    let _ = writeln!(
        out,
        "\n### Startup\n\n{:.1} ms, median of {} local runs in workerd (limit {} ms).\n",
        s.total_ms, s.runs, s.limit_ms
    );
    out.push_str("| Package or module | Time | Share |\n| :--- | ---: | ---: |\n");
    for c in s.contributors.iter().take(10) {
        let name = if c.kind == "package" {
            code(&c.name)
        } else {
            format!("{} (module)", code(&c.name))
        };
        let _ = writeln!(out, "| {name} | {:.1} ms | {:.1}% |", c.ms, c.share * 100.0);
    }
}

fn packages(out: &mut String, report: &Report) {
    let Some(bundle) = &report.bundle else { return };
    if bundle.packages.is_empty() {
        return;
    }
    // One row per package name, all versions together.
    let by_name = crate::analyses::baseline::by_name(
        (bundle.packages.iter()).map(|p| (p.name.as_str(), p.version.as_deref(), p.bytes)),
    );
    let mut rows: Vec<_> = by_name.into_iter().collect();
    crate::model::collections::sort_by(&mut rows, |a, b| {
        b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(b.0))
    });
    let total: u64 = bundle.outputs.iter().map(|o| o.bytes).sum();
    let diff = report.baseline.as_ref();

    out.push_str("\n### Largest packages\n\n");
    if diff.is_some() {
        out.push_str(
            "| Package | Version | Size | Share | Change |\n| :--- | :--- | ---: | ---: | ---: |\n",
        );
    } else {
        out.push_str("| Package | Version | Size | Share |\n| :--- | :--- | ---: | ---: |\n");
    }
    for (name, (versions, bytes)) in rows.iter().take(TOP_PACKAGES) {
        let share = if total > 0 {
            format!("{:.1}%", *bytes as f64 / total as f64 * 100.0)
        } else {
            "–".into()
        };
        let mut row = format!(
            "| {} | {} | {} | {share} |",
            code(name),
            cell(&versions.join(", ")),
            text::bytes(*bytes)
        );
        if let Some(d) = diff {
            let change = if d.new_packages.iter().any(|p| p.name == *name) {
                "new".to_string()
            } else if let Some(c) = d.packages.iter().find(|p| p.name == *name) {
                let arrow = if c.delta > 0 { "▲" } else { "▼" };
                format!("{arrow} {}", text::signed_bytes(c.delta))
            } else {
                String::new()
            };
            if change.is_empty() {
                row.push_str(" |");
            } else {
                let _ = write!(row, " {change} |");
            }
        }
        out.push_str(&row);
        out.push('\n');
    }
    if rows.len() > TOP_PACKAGES {
        let _ = writeln!(
            out,
            "\n{} more.",
            plural(rows.len() - TOP_PACKAGES, "package", "packages")
        );
    }
}

fn changes(out: &mut String, report: &Report) {
    let Some(d) = &report.baseline else { return };
    let mut lines = Vec::new();
    let list = |entries: &[crate::model::report::PackageEntry]| {
        entries
            .iter()
            .map(|p| {
                let versions = if p.versions.is_empty() {
                    String::new()
                } else {
                    format!(" {}", p.versions.join(", "))
                };
                format!(
                    "{}{} ({})",
                    code(&p.name),
                    cell(&versions),
                    text::bytes(p.bytes)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !d.new_packages.is_empty() {
        lines.push(format!("- New packages: {}", list(&d.new_packages)));
    }
    if !d.removed_packages.is_empty() {
        lines.push(format!("- Removed packages: {}", list(&d.removed_packages)));
    }
    if !d.new_findings.is_empty() {
        let f: Vec<String> = d
            .new_findings
            .iter()
            .map(|f| format!("{} {} → {}", code(&f.rule), f.before, f.after))
            .collect();
        lines.push(format!("- More findings: {}", f.join(", ")));
    }
    if lines.is_empty() {
        return;
    }
    out.push_str("\n### Since the baseline\n\n");
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
}

fn finding_rows(out: &mut String, findings: &[&Diagnostic]) {
    out.push_str("| | Rule | Location | Finding |\n| :---: | :--- | :--- | :--- |\n");
    for d in findings {
        let location = text::location(d)
            .map(|l| code(&l))
            .unwrap_or_else(|| "–".into());
        let _ = writeln!(
            out,
            "| {} | [{}]({}) | {location} | {} |",
            icon(d.severity),
            cell(&d.rule),
            d.docs,
            cell(&d.message),
        );
    }
}

fn findings(out: &mut String, report: &Report) {
    if report.diagnostics.is_empty() {
        return;
    }
    // Errors first, then warnings, then infos; the report's order within.
    let mut sorted: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    crate::model::collections::sort_by(&mut sorted, |a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| crate::model::report::diagnostic_order(a, b))
    });

    out.push_str("\n### Findings\n\n");
    let (top, rest) = sorted.split_at(sorted.len().min(TOP_FINDINGS));
    finding_rows(out, top);
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "\n<details>\n<summary>{} more {}</summary>\n",
            rest.len(),
            if rest.len() == 1 {
                "finding"
            } else {
                "findings"
            }
        );
        finding_rows(out, rest);
        out.push_str("\n</details>\n");
    }
}

pub fn render(report: &Report, _options: &RenderOptions) -> String {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    let _ = writeln!(out, "## ⚡ {TOOL_NAME}\n");
    out.push_str(&status(report));
    out.push('\n');
    sizes(&mut out, report);
    budgets(&mut out, report);
    packages(&mut out, report);
    startup(&mut out, report);
    changes(&mut out, report);
    findings(&mut out, report);
    let _ = write!(out, "\n<sub>{TOOL_NAME} {TOOL_VERSION}");
    if let Some(d) = &report.baseline {
        let _ = write!(
            out,
            " · compared with a baseline from {TOOL_NAME} {}",
            d.tool_version
        );
    }
    out.push_str("</sub>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{Category, Diagnostic};
    use crate::render::test_fixture::fixture;

    #[test]
    fn fixture_comment_line_by_line() {
        let md = render(&fixture(), &RenderOptions::default());
        let expected = format!(
            "{MARKER}
## ⚡ perf-optimizer

❌ **1 error**, 2 warnings, 1 info in 3 files · **1 of 3 budgets exceeded**

### Bundle size

| Output | Raw | Gzip | Brotli |
| :--- | ---: | ---: | ---: |
| `dist/index.js` | 488.3 KiB ▲ +9.8 KiB (+2%) | 115.2 KiB ▲ +2.9 KiB (+2.6%) | 93.8 KiB ▲ +2 KiB (+2.1%) |
| `dist/chunk-abc.js` | 12 KiB | 2.3 KiB | 2 KiB |
| **Total** | **500.3 KiB ▲ +9.8 KiB (+2%)** | **117.6 KiB ▲ +2.9 KiB (+2.6%)** | **95.7 KiB ▲ +2 KiB (+2.1%)** |

### Budgets

| | Budget | Limit | Actual |
| :---: | :--- | ---: | ---: |
| ✅ | script size (free plan limit) | 64 MiB | 500.3 KiB |
| ❌ | gzip size | 97.7 KiB | 117.6 KiB |
| ✅ | gzip size growth | +5% | +2.5% |

### Largest packages

| Package | Version | Size | Share | Change |
| :--- | :--- | ---: | ---: | ---: |
| `zod` | 3.23.8, 4.1.0 | 88.1 KiB | 17.6% | ▲ +9.8 KiB |
| `hono` | 4.6.0 | 39.1 KiB | 7.8% | |
| `drizzle-orm` | 0.36.0 | 24.4 KiB | 4.9% | new |

### Since the baseline

- New packages: `drizzle-orm` 0.36.0 (24.4 KiB)
- Removed packages: `lodash` 4.17.21 (3.9 KiB)
- More findings: `await-in-loop` 0 → 1, `duplicate-package` 0 → 1, `json-deep-clone` 1 → 2

### Findings

| | Rule | Location | Finding |
| :---: | :--- | :--- | :--- |
| ❌ | [await-in-loop](https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/await-in-loop.md) | `src/my routes/index.ts:12:5` | `await` inside a `for…of` loop runs the fetches one by one |
| ⚠️ | [json-deep-clone](https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/json-deep-clone.md) | `src/util.ts:3:10` | `JSON.parse(JSON.stringify(a \\| b))` deep-clones &lt;State&gt; through a string |
| ⚠️ | [duplicate-package](https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/duplicate-package.md) | – | zod is bundled twice (3.23.8, 4.1.0) |
| ℹ️ | [json-deep-clone](https://github.com/perf-optimizer/perf-optimizer/blob/main/docs/rules/json-deep-clone.md) | `src/util.ts:20:3` | copies 100% of `config`, again |

<sub>perf-optimizer {TOOL_VERSION} · compared with a baseline from perf-optimizer {TOOL_VERSION}</sub>
"
        );
        let (got, want): (Vec<&str>, Vec<&str>) =
            (md.lines().collect(), expected.lines().collect());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got.len(), want.len(), "{md}");
    }

    #[test]
    fn many_findings_collapse() {
        let d = |line| Diagnostic {
            group: None,
            related: Vec::new(),
            rule: "await-in-loop".into(),
            severity: if line == 15 {
                Severity::Error
            } else {
                Severity::Warning
            },
            category: Category::Async,
            message: "m".into(),
            file: Some("a.ts".into()),
            line: Some(line),
            column: Some(1),
            end_line: None,
            end_column: None,
            help: "h".into(),
            docs: "d".into(),
        };
        let report = Report::new((1..=15).map(d).collect(), None, vec![], 1);
        let md = render(&report, &RenderOptions::default());
        let lines: Vec<&str> = md.lines().collect();
        let table = lines
            .iter()
            .position(|l| l.starts_with("| | Rule"))
            .unwrap();
        assert_eq!(
            lines[table + 2],
            "| ❌ | [await-in-loop](d) | `a.ts:15:1` | m |",
            "errors first"
        );
        assert_eq!(lines[table + 12], "");
        assert_eq!(lines[table + 13], "<details>");
        assert_eq!(lines[table + 14], "<summary>5 more findings</summary>");
        let rows = lines.iter().filter(|l| l.starts_with("| ⚠️ ")).count();
        assert_eq!(rows, 14);
        assert!(md.contains("\n</details>\n"));
        assert!(!md.contains("### Bundle size"));
        assert!(!md.contains("### Budgets"));
    }

    #[test]
    fn cells_escape_outside_code_only() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(
            cell("`Array<T> | U` <b>&"),
            "`Array<T> \\| U` &lt;b&gt;&amp;"
        );
        assert_eq!(cell("one\ntwo `x\ny`"), "one<br>two `x y`");
        assert_eq!(cell("odd ` <i>"), "odd ` &lt;i&gt;");
        // A code span that holds a backtick (a template literal) is fenced
        // with two; the `<` inside it stays code, the `|` is escaped.
        assert_eq!(
            cell("``fetch(`${a}|<b>`)`` in a <loop>"),
            "``fetch(`${a}\\|<b>`)`` in a &lt;loop&gt;"
        );
        assert_eq!(code("a`b|c"), "`a b\\|c`");
    }

    #[test]
    fn clean_report() {
        let mut r = fixture();
        r.diagnostics.clear();
        r.summary = Default::default();
        r.summary.files = 1;
        r.budgets.retain(|b| b.passed);
        r.baseline = None;
        let md = render(&r, &RenderOptions::default());
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], MARKER);
        assert_eq!(lines[3], "✅ No findings in 1 file, 2 budgets met.");
        assert!(md.contains("| Package | Version | Size | Share |\n"));
        assert!(!md.contains("### Findings"));
        assert!(!md.contains("▲"));
    }
}
