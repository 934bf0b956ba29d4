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

/// Top functions listed per route in the profile's collapsed table.
const TOP_FUNCTIONS: usize = 5;
/// Distinct queries listed besides the full scans.
const TOP_QUERIES: usize = 10;

/// A route's figure against the CPU limit: bold when over it.
fn over_limit(text: String, value: f64, limit: f64) -> String {
    if limit > 0.0 && value > limit {
        format!("**{text}**")
    } else {
        text
    }
}

/// `perf-optimizer profile`: the per-route table, the errors, the heap, the
/// outbound fetches, the full scans and the other queries, the top
/// functions, and how it was measured.
fn profile(out: &mut String, report: &Report) {
    let Some(p) = &report.profile else { return };
    let cut = if p.cut_off {
        format!(", cut off by the time cap after {}", p.completed)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n### Profile\n\n{} requests{cut}, concurrency {}, measured locally in workerd · CPU limit {} ms per request ({} plan).\n",
        text::count(u64::from(p.requests)),
        p.concurrency,
        p.cpu_limit_ms,
        p.plan.name()
    );
    out.push_str("| Route | Requests | Status | Wall ms | CPU ms | workerd CPU ms | Subrequests | Peak connections | D1 queries | Rows read | Rows written |\n");
    out.push_str(
        "| :--- | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for r in &p.routes {
        let status: Vec<String> = r.status.iter().map(|(k, n)| format!("{k}×{n}")).collect();
        let failed: u32 = r.errors.iter().map(|e| e.count).sum();
        let mut status = if status.is_empty() {
            "–".to_string()
        } else {
            cell(&status.join(" "))
        };
        if failed > 0 {
            let _ = write!(status, " · ❌ {failed} failed");
        }
        let cpu = over_limit(
            text::spread(&r.cpu_ms),
            r.cpu_ms.map_or(0.0, |c| c.max),
            p.cpu_limit_ms,
        );
        let _ = writeln!(
            out,
            "| {} | {} | {status} | {} | {cpu} | {} | {} | {} | {} | {} | {} |",
            code(&r.route),
            r.requests,
            text::spread(&r.wall_ms),
            text::spread(&r.process_cpu_ms),
            text::count_spread(r.subrequests),
            r.peak_connections,
            text::count_spread(r.d1.map(|d| d.queries)),
            text::count_spread(r.d1.map(|d| d.rows_read)),
            text::count_spread(r.d1.map(|d| d.rows_written)),
        );
    }
    out.push_str("\nTimes are p50 / p95 / max over the answered requests, counts p50 / max; **bold**: over the CPU limit.\n");
    let errors: Vec<String> = (p.routes.iter())
        .flat_map(|r| r.errors.iter().map(move |e| (r, e)))
        .map(|(r, e)| {
            let at = text::file_line(e.file.as_deref(), e.line)
                .map(|l| format!(" at {}", code(&l)))
                .unwrap_or_default();
            format!(
                "- {}: {} ×{}: {}{at}",
                code(&r.route),
                cell(&e.kind),
                e.count,
                cell(&e.message)
            )
        })
        .collect();
    if !errors.is_empty() {
        out.push_str("\nRequests that gave no response of the Worker's (not in the figures):\n\n");
        for line in errors {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push('\n');
    if let Some(h) = &p.heap {
        let _ = writeln!(
            out,
            "Heap after a forced GC: {:.2} MB at the start, {:.2} MB at the end ({:+.2} MB per 1,000 requests; limit {} MB).  ",
            h.start_mb, h.end_mb, h.growth_mb_per1k, h.limit_mb
        );
    }
    let o = &p.outbound;
    let how = if o.stubbed {
        "answered by the local stub, none left the machine"
    } else {
        "sent to the network (`--allow-network`)"
    };
    let _ = writeln!(
        out,
        "Outbound fetches: {} {how}; at most {} open at once.",
        o.requests, o.peak_open
    );
    profile_queries(out, p);
    profile_functions(out, p);
    let _ = writeln!(
        out,
        "\n> Measured locally in workerd: another CPU than Cloudflare's edge, no CPU or connection limit enforced{}. Compare routes and changes, not the exact figures.",
        if o.stubbed {
            ", subrequests answered by a local stub"
        } else {
            ""
        }
    );
    if !p.notes.is_empty() {
        out.push_str(">\n");
    }
    for note in &p.notes {
        let _ = writeln!(out, "> - {}", cell(note));
    }
}

fn query_row(out: &mut String, q: &crate::model::profile::ProfileQuery, scan: bool) {
    let at = text::file_line(q.file.as_deref(), q.line)
        .map(|l| code(&l))
        .unwrap_or_else(|| "–".into());
    let plan = q.plan.as_deref().map(code).unwrap_or_else(|| "–".into());
    let table = if scan {
        format!(" {} |", code(q.table.as_deref().unwrap_or("?")))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "| {} |{table} {} | {at} | {plan} |",
        code(&q.sql),
        q.count
    );
}

fn profile_queries(out: &mut String, p: &crate::model::profile::ProfileReport) {
    let (scans, rest): (Vec<_>, Vec<_>) =
        (p.queries.iter()).partition(|q| q.full_scan == Some(true));
    if !scans.is_empty() {
        out.push_str("\n#### Full table scans\n\n");
        out.push_str(
            "| Query | Table | Sent | Sent from | Plan |\n| :--- | :--- | ---: | :--- | :--- |\n",
        );
        for q in scans {
            query_row(out, q, true);
        }
    }
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "\n<details>\n<summary>{}</summary>\n\n| Query | Sent | Sent from | Plan |\n| :--- | ---: | :--- | :--- |",
            plural(rest.len(), "other D1 query", "other D1 queries")
        );
        for q in rest.iter().take(TOP_QUERIES) {
            query_row(out, q, false);
        }
        if rest.len() > TOP_QUERIES {
            let _ = writeln!(out, "\n{} more.", rest.len() - TOP_QUERIES);
        }
        out.push_str("\n</details>\n");
    }
}

fn profile_functions(out: &mut String, p: &crate::model::profile::ProfileReport) {
    if p.routes.iter().all(|r| r.top_functions.is_empty()) {
        return;
    }
    out.push_str("\n<details>\n<summary>Top functions by self CPU time</summary>\n\n");
    out.push_str(
        "| Route | Function | Where | Self ms | Share |\n| :--- | :--- | :--- | ---: | ---: |\n",
    );
    for r in &p.routes {
        for f in r.top_functions.iter().take(TOP_FUNCTIONS) {
            let at = text::file_line(f.file.as_deref(), f.line)
                .or_else(|| f.package.clone())
                .map(|l| code(&l))
                .unwrap_or_else(|| "–".into());
            let _ = writeln!(
                out,
                "| {} | {} | {at} | {:.1} | {:.0}% |",
                code(&r.route),
                code(&f.name),
                f.self_ms,
                f.share * 100.0
            );
        }
    }
    out.push_str("\n</details>\n");
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
    profile(&mut out, report);
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

    /// `md` is `expected`, line by line (the first line that differs named).
    fn assert_lines(md: &str, expected: &str) {
        let (got, want): (Vec<&str>, Vec<&str>) =
            (md.lines().collect(), expected.lines().collect());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got.len(), want.len(), "{md}");
    }

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
        assert_lines(&md, &expected);
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

    /// A profile run: the full block, a route that only failed, a second
    /// query (not a scan), names with Markdown and HTML in them.
    fn profiled() -> Report {
        use crate::model::profile::*;
        let mut p = full_profile();
        p.plan = crate::model::limits::Plan::Free;
        p.cut_off = false;
        p.notes.push("a `code` note".into());
        p.routes[0].route = "GET /a|<b>".into();
        p.routes[0].cpu_ms = Some(Spread {
            p50: 4.0,
            p95: 9.5,
            max: 12.25,
        });
        p.routes[0].top_functions[0].name = "<img src=x>".into();
        p.routes.push(ProfileRoute {
            route: "GET /boom".into(),
            requests: 2,
            status: Default::default(),
            errors: vec![ProfileError {
                kind: "threw".into(),
                message: "Error: a | b <c>".into(),
                count: 2,
                file: Some("src/b.ts".into()),
                line: Some(9),
            }],
            ..ProfileRoute::default()
        });
        p.queries.push(ProfileQuery {
            sql: "select `x` from t where id = ?".into(),
            count: 1,
            bindings: vec!["DB".into()],
            plan: Some("SEARCH t USING INTEGER PRIMARY KEY (rowid=?)".into()),
            full_scan: Some(false),
            table: None,
            file: Some("src/a.ts".into()),
            line: Some(4),
        });
        let mut r = Report::new(Vec::new(), None, vec![], 1);
        r.profile = Some(p);
        r
    }

    #[test]
    fn profile_section_line_by_line() {
        let md = render(&profiled(), &RenderOptions::default());
        let expected = format!(
            "{MARKER}
## ⚡ perf-optimizer

✅ No findings in 1 file.

### Profile

4 requests, concurrency 1, measured locally in workerd · CPU limit 10 ms per request (Free plan).

| Route | Requests | Status | Wall ms | CPU ms | workerd CPU ms | Subrequests | Peak connections | D1 queries | Rows read | Rows written |
| :--- | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| `GET /a\\|<b>` | 4 | 200×3 · ❌ 1 failed | 1.0 / 2.0 / 3.0 | **4.0 / 9.5 / 12.2** | 1.5 / 1.7 / 1.9 | 1 / 2 | 2 | 0 / 0 | 0 / 0 | 0 / 0 |
| `GET /boom` | 2 | – · ❌ 2 failed | - | - | - | - | 0 | - | - | - |

Times are p50 / p95 / max over the answered requests, counts p50 / max; **bold**: over the CPU limit.

Requests that gave no response of the Worker's (not in the figures):

- `GET /a\\|<b>`: threw ×1: Error: x at `src/a.ts:3`
- `GET /boom`: threw ×2: Error: a \\| b &lt;c&gt; at `src/b.ts:9`

Heap after a forced GC: 1.00 MB at the start, 2.00 MB at the end (+250.00 MB per 1,000 requests; limit 128 MB).  
Outbound fetches: 4 answered by the local stub, none left the machine; at most 2 open at once.

#### Full table scans

| Query | Table | Sent | Sent from | Plan |
| :--- | :--- | ---: | :--- | :--- |
| `select 1` | `t` | 2 | – | `SCAN t` |

<details>
<summary>1 other D1 query</summary>

| Query | Sent | Sent from | Plan |
| :--- | ---: | :--- | :--- |
| `select  x  from t where id = ?` | 1 | `src/a.ts:4` | `SEARCH t USING INTEGER PRIMARY KEY (rowid=?)` |

</details>

<details>
<summary>Top functions by self CPU time</summary>

| Route | Function | Where | Self ms | Share |
| :--- | :--- | :--- | ---: | ---: |
| `GET /a\\|<b>` | `<img src=x>` | `src/a.ts:1` | 0.2 | 40% |

</details>

> Measured locally in workerd: another CPU than Cloudflare's edge, no CPU or connection limit enforced, subrequests answered by a local stub. Compare routes and changes, not the exact figures.
>
> - n
> - a `code` note

<sub>perf-optimizer {TOOL_VERSION}</sub>
"
        );
        assert_lines(&md, &expected);
    }

    #[test]
    fn profile_section_without_measures() {
        let mut r = profiled();
        let p = r.profile.as_mut().unwrap();
        p.cut_off = true;
        p.completed = 3;
        p.heap = None;
        p.queries.clear();
        p.notes.clear();
        p.outbound.stubbed = false;
        for route in &mut p.routes {
            route.errors.clear();
            route.top_functions.clear();
        }
        let md = render(&r, &RenderOptions::default());
        assert!(
            md.contains("\n4 requests, cut off by the time cap after 3, concurrency 1,"),
            "{md}"
        );
        for absent in ["Heap", "#### Full", "<details>", "no response", "\n>\n"] {
            assert!(!md.contains(absent), "{absent}: {md}");
        }
        assert!(md.contains("Outbound fetches: 4 sent to the network (`--allow-network`); at most 2 open at once.\n"));
        assert!(
            md.contains("no CPU or connection limit enforced. Compare"),
            "{md}"
        );
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
