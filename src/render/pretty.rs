//! The human-readable report for terminals: size summary, top packages with
//! bars, duplicates, findings grouped by file (ESLint-style), budgets and a
//! summary line.

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::RenderOptions;
use crate::model::report::{BaselineDiff, Diagnostic, PackageEntry, Report, Severity};
use crate::model::text;

/// Styles that collapse to plain text without colour. owo-colors' static
/// styles (`.red()`), not `Style`: its dynamic colours carry the CSS and xterm
/// colour tables into the wasm.
struct Paint {
    color: bool,
}

impl Paint {
    fn apply(&self, text: &str, styled: impl FnOnce(&str) -> String) -> String {
        if self.color {
            styled(text)
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.apply(t, |t| t.bold().to_string())
    }
    fn underline(&self, t: &str) -> String {
        self.apply(t, |t| t.underline().to_string())
    }
    fn dim(&self, t: &str) -> String {
        self.apply(t, |t| t.dimmed().to_string())
    }
    fn red(&self, t: &str) -> String {
        self.apply(t, |t| t.red().to_string())
    }
    fn yellow(&self, t: &str) -> String {
        self.apply(t, |t| t.yellow().to_string())
    }
    fn green(&self, t: &str) -> String {
        self.apply(t, |t| t.green().to_string())
    }
    fn cyan(&self, t: &str) -> String {
        self.apply(t, |t| t.cyan().to_string())
    }
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<7}", s.as_str());
        match s {
            Severity::Error => self.red(&label),
            Severity::Warning => self.yellow(&label),
            Severity::Info => self.cyan(&label),
        }
    }
}

/// "1.2 MB"-style sizes in decimal units, as wrangler and esbuild print KiB:
/// binary units, one decimal.
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn bar(share: f64, width: usize) -> String {
    let filled = (share * width as f64).round() as usize;
    let filled = filled.min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let p = Paint {
        color: options.color,
    };
    let mut out = String::new();

    if let Some(bundle) = &report.bundle {
        if !options.quiet {
            for o in &bundle.outputs {
                let _ = writeln!(
                    out,
                    "{} {}  {} raw · {} gzip · {} brotli",
                    p.bold("Bundle"),
                    o.path,
                    p.bold(&format_bytes(o.bytes as f64)),
                    format_bytes(o.gzip_bytes as f64),
                    format_bytes(o.brotli_bytes as f64),
                );
            }
            let total: u64 = bundle.outputs.iter().map(|o| o.bytes).sum();
            if !bundle.packages.is_empty() || bundle.first_party_bytes > 0 {
                let _ = writeln!(out, "\n{}", p.bold("Composition (bytes in the output)"));
                let name_width = bundle
                    .packages
                    .iter()
                    .take(10)
                    .map(|pkg| pkg.name.len() + pkg.version.as_ref().map_or(0, |v| v.len() + 1))
                    .max()
                    .unwrap_or(0)
                    .max("(runtime & shims)".len());
                let row = |label: String, bytes: u64, out: &mut String| {
                    let share = if total > 0 {
                        bytes as f64 / total as f64
                    } else {
                        0.0
                    };
                    let _ = writeln!(
                        out,
                        "  {label:<name_width$}  {}  {:>10}  {:>5.1}%",
                        p.cyan(&bar(share, 20)),
                        format_bytes(bytes as f64),
                        share * 100.0
                    );
                };
                for pkg in bundle.packages.iter().take(10) {
                    let label = match &pkg.version {
                        Some(v) => format!("{}@{v}", pkg.name),
                        None => pkg.name.clone(),
                    };
                    row(label, pkg.bytes, &mut out);
                }
                if bundle.packages.len() > 10 {
                    let rest: u64 = bundle.packages[10..].iter().map(|x| x.bytes).sum();
                    row(
                        format!("{} more packages", bundle.packages.len() - 10),
                        rest,
                        &mut out,
                    );
                }
                row("(your code)".into(), bundle.first_party_bytes, &mut out);
                row("(runtime & shims)".into(), bundle.runtime_bytes, &mut out);
            }
            if !bundle.duplicates.is_empty() {
                let _ = writeln!(out, "\n{}", p.bold("Duplicate packages"));
                for d in &bundle.duplicates {
                    let _ = writeln!(
                        out,
                        "  {}  {}  {}",
                        p.yellow(&d.name),
                        d.versions.join(", "),
                        format_bytes(d.bytes as f64)
                    );
                }
            }
            out.push('\n');
        }
    }

    if let Some(diff) = &report.baseline {
        if !options.quiet {
            render_baseline(diff, &p, &mut out);
        }
    }

    if let Some(startup) = &report.startup {
        if !options.quiet {
            render_startup(startup, &p, &mut out);
        }
    }

    if let Some(profile) = &report.profile {
        if !options.quiet {
            render_profile(profile, &p, &mut out);
        }
    }

    render_diagnostics(&report.diagnostics, &p, options, &mut out);

    if !report.budgets.is_empty() {
        let _ = writeln!(out, "{}", p.bold("Budgets"));
        for b in &report.budgets {
            let mark = if b.passed {
                p.green("✓")
            } else {
                p.red("✗")
            };
            let _ = writeln!(
                out,
                "  {mark} {}  {} / {}",
                b.name,
                crate::model::text::budget_actual(b),
                crate::model::text::budget_limit(b)
            );
        }
        out.push('\n');
    }

    for note in &report.notes {
        let _ = writeln!(out, "{}", p.dim(&format!("note: {note}")));
    }
    if let Some(line) = super::skipped_line(report) {
        let _ = writeln!(out, "{}", p.dim(&line));
    }
    let s = &report.summary;
    let failed_budgets = report.budgets.iter().filter(|b| !b.passed).count();
    let counts = format!(
        "{} error{}, {} warning{}, {} info in {} file{}{}",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        s.files,
        plural(s.files),
        if failed_budgets > 0 {
            format!(
                "; {failed_budgets} budget{} exceeded",
                plural(failed_budgets as u32)
            )
        } else {
            String::new()
        }
    );
    let line = if report.exit_code() != 0 {
        p.red(&format!("✗ {counts}"))
    } else if s.warnings > 0 {
        p.yellow(&format!("⚠ {counts}"))
    } else {
        p.green(&format!("✓ {counts}"))
    };
    let _ = writeln!(out, "{}", p.bold(&line));
    out
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What changed since the baseline (`--baseline`), with or without a growth
/// budget: sizes, packages and rules with more findings.
fn render_baseline(d: &BaselineDiff, p: &Paint, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {}",
        p.bold("Since the baseline"),
        p.dim(&format!("(saved by perf-optimizer {})", d.tool_version))
    );
    let t = &d.totals;
    let _ = writeln!(
        out,
        "  raw {} · gzip {} · brotli {}",
        text::size_change(t.bytes.after, Some(&t.bytes)),
        text::size_change(t.gzip_bytes.after, Some(&t.gzip_bytes)),
        text::size_change(t.brotli_bytes.after, Some(&t.brotli_bytes)),
    );
    let list = |entries: &[PackageEntry]| {
        entries
            .iter()
            .map(|e| format!("{} ({})", e.name, text::bytes(e.bytes)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !d.new_packages.is_empty() {
        let _ = writeln!(out, "  new packages: {}", list(&d.new_packages));
    }
    if !d.removed_packages.is_empty() {
        let _ = writeln!(out, "  removed packages: {}", list(&d.removed_packages));
    }
    if !d.packages.is_empty() {
        let changed: Vec<String> = d
            .packages
            .iter()
            .take(5)
            .map(|c| format!("{} {}", c.name, text::signed_bytes(c.delta)))
            .collect();
        let _ = writeln!(out, "  changed packages: {}", changed.join(", "));
    }
    if !d.new_findings.is_empty() {
        let more: Vec<String> = d
            .new_findings
            .iter()
            .map(|f| format!("{} {} → {}", f.rule, f.before, f.after))
            .collect();
        let _ = writeln!(out, "  more findings: {}", more.join(", "));
    }
    if d.new_packages.is_empty()
        && d.removed_packages.is_empty()
        && d.packages.is_empty()
        && d.new_findings.is_empty()
        && t.bytes.delta == 0
    {
        let _ = writeln!(out, "  {}", p.dim("no change"));
    }
    out.push('\n');
}

use crate::model::text::{count_spread as count_text, spread as spread_text};

/// The per-route table of `perf-optimizer profile`.
fn render_profile(s: &crate::model::profile::ProfileReport, p: &Paint, out: &mut String) {
    let cut = if s.cut_off {
        format!(", cut off by the time cap after {}", s.completed)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {} requests{cut}, concurrency {}, measured locally in workerd (CPU limit {} ms per request on the {} plan)",
        p.bold("Profile"),
        s.requests,
        s.concurrency,
        s.cpu_limit_ms,
        s.plan.name()
    );
    let header = [
        "route",
        "req",
        "status",
        "wall ms p50/p95/max",
        "cpu ms p50/p95/max",
        "js cpu ms",
        "workerd cpu ms",
        "subreq p50/max",
        "conn",
        "D1 queries",
        "rows read",
        "rows written",
    ];
    let rows: Vec<[String; 12]> = s
        .routes
        .iter()
        .map(|r| {
            let status: Vec<String> = r.status.iter().map(|(k, n)| format!("{k}×{n}")).collect();
            [
                r.route.clone(),
                r.requests.to_string(),
                if status.is_empty() {
                    "-".into()
                } else {
                    status.join(" ")
                },
                spread_text(&r.wall_ms),
                spread_text(&r.cpu_ms),
                spread_text(&r.js_cpu_ms),
                spread_text(&r.process_cpu_ms),
                count_text(r.subrequests),
                r.peak_connections.to_string(),
                count_text(r.d1.map(|d| d.queries)),
                count_text(r.d1.map(|d| d.rows_read)),
                count_text(r.d1.map(|d| d.rows_written)),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut text = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            text.push(' ');
            if i == 0 || i == 2 {
                text.push_str(c);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(c);
            }
            text.push(' ');
        }
        text.trim_end().to_string()
    };
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let _ = writeln!(out, "{}", p.dim(&line(&head)));
    for (r, cells) in s.routes.iter().zip(&rows) {
        let _ = writeln!(out, "{}", line(cells));
        if let Some(a) = r.responses.as_ref().filter(|a| a.compared > 1) {
            let headers = if a.caching_headers.is_empty() {
                "no caching header".to_string()
            } else {
                a.caching_headers.join("; ")
            };
            let _ = writeln!(
                out,
                "    {}",
                p.dim(&format!(
                    "answers: {} of {} the same ({} B), {headers}",
                    a.identical, a.compared, a.body_bytes
                ))
            );
        }
        for e in &r.errors {
            let at = match (&e.file, e.line) {
                (Some(f), Some(l)) => format!(" at {f}:{l}"),
                (Some(f), None) => format!(" at {f}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "    {} {}×{}: {}{at} (not in the figures)",
                p.red("✗"),
                e.kind,
                e.count,
                e.message
            );
        }
    }
    if let Some(h) = &s.heap {
        let _ = writeln!(
            out,
            "  heap after GC: {:.2} MB at the start, {:.2} MB at the end ({:+.2} MB per 1,000 requests; limit {} MB)",
            h.start_mb, h.end_mb, h.growth_mb_per1k, h.limit_mb
        );
    }
    let o = &s.outbound;
    if o.requests > 0 || o.stubbed {
        let how = if o.stubbed {
            "answered by the local stub, none left the machine"
        } else {
            "sent to the network (--allow-network)"
        };
        let _ = writeln!(
            out,
            "  outbound fetches: {} {how}; at most {} open at once",
            o.requests, o.peak_open
        );
    }
    for q in s.queries.iter().take(10) {
        let at = match (&q.file, q.line) {
            (Some(f), Some(l)) => format!("  ({f}:{l})"),
            _ => String::new(),
        };
        let scan = match (&q.table, q.full_scan) {
            (Some(t), Some(true)) => format!("  {}", p.yellow(&format!("full scan of {t}"))),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {}×  {}{scan}{at}", q.count, p.dim(&q.sql));
    }
    for note in &s.notes {
        let _ = writeln!(out, "  {}", p.dim(&format!("note: {note}")));
    }
    out.push('\n');
}

/// Startup by package and module (with `--startup`).
fn render_startup(s: &crate::model::report::StartupReport, p: &Paint, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {} median of {} run{} (limit {} ms, measured locally in workerd)",
        p.bold("Startup"),
        p.bold(&format!("{:.1} ms", s.total_ms)),
        s.runs,
        if s.runs == 1 { "" } else { "s" },
        s.limit_ms
    );
    let width = s
        .contributors
        .iter()
        .take(10)
        .map(|c| c.name.len() + if c.kind == "package" { 0 } else { 9 })
        .max()
        .unwrap_or(0)
        .max(21);
    let mut row = |label: &str, ms: f64, share: f64, at: String| {
        let _ = writeln!(
            out,
            "  {label:<width$}  {}  {:>8.1} ms  {:>5.1}%{at}",
            p.cyan(&bar(share, 20)),
            ms,
            share * 100.0
        );
    };
    for c in s.contributors.iter().take(10) {
        let mut at = match c.line {
            Some(l) if c.kind == "module" => format!("  line {l}"),
            _ => String::new(),
        };
        if c.injected {
            at.push_str("  added by wrangler");
        } else if c.entry {
            at.push_str("  the entry");
        }
        // (A report from before runs were counted has none.)
        let counted = s.contributors.iter().any(|c| c.seen_in_runs > 0);
        if counted && c.seen_in_runs as usize * 2 <= s.runs as usize {
            at.push_str("  (noise: not in most runs)");
        }
        let label = if c.kind == "package" {
            c.name.clone()
        } else {
            format!("{} (module)", c.name)
        };
        row(&label, c.ms, c.share, at);
    }
    if s.contributors.len() > 10 {
        let rest: f64 = s.contributors[10..].iter().map(|c| c.ms).sum();
        let share: f64 = s.contributors[10..].iter().map(|c| c.share).sum();
        row(
            &format!("{} more", s.contributors.len() - 10),
            rest,
            share,
            String::new(),
        );
    }
    let share = |ms: f64| {
        if s.total_ms > 0.0 {
            ms / s.total_ms
        } else {
            0.0
        }
    };
    row(
        "(engine: compile, GC)",
        s.engine_ms,
        share(s.engine_ms),
        String::new(),
    );
    if s.unattributed_ms > 0.0 {
        row(
            "(unattributed)",
            s.unattributed_ms,
            share(s.unattributed_ms),
            String::new(),
        );
    }
    out.push('\n');
}

fn render_diagnostics(diags: &[Diagnostic], p: &Paint, options: &RenderOptions, out: &mut String) {
    let mut current: Option<&str> = None;
    for d in diags {
        if options.quiet && d.severity != Severity::Error {
            continue;
        }
        let file = d.file.as_deref().unwrap_or("(bundle)");
        if current != Some(file) {
            let _ = writeln!(out, "{}", p.bold(&p.underline(file)));
            current = Some(file);
        }
        let pos = match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{l}:{c}"),
            (Some(l), None) => format!("{l}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}  {} {}  {}",
            p.dim(&format!("{pos:>7}")),
            p.severity(d.severity),
            d.message,
            p.dim(&d.rule)
        );
        for r in &d.related {
            let _ = writeln!(
                out,
                "           {} {}:{}:{} {}",
                p.dim("via:"),
                r.file,
                r.line,
                r.column,
                r.message
            );
        }
        if !d.help.is_empty() {
            let _ = writeln!(out, "           {} {}", p.dim("help:"), d.help);
        }
    }
    if current.is_some() {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{BudgetResult, Category};

    fn sample() -> Report {
        Report::new(
            vec![Diagnostic {
                group: None,
                related: Vec::new(),
                rule: "await-in-loop".into(),
                severity: Severity::Warning,
                category: Category::Async,
                message: "await of env.KV.get(k) inside for-of".into(),
                file: Some("src/index.ts".into()),
                line: Some(12),
                column: Some(5),
                end_line: Some(12),
                end_column: Some(30),
                help: "Use Promise.all".into(),
                docs: String::new(),
            }],
            None,
            vec![BudgetResult {
                name: "script size".into(),
                metric: "raw".into(),
                limit: 1024.0 * 1024.0,
                actual: 2048.0,
                passed: true,
                kind: Default::default(),
                unit: Default::default(),
            }],
            1,
        )
    }

    #[test]
    fn plain_output_has_no_escape_codes() {
        let text = render(&sample(), &RenderOptions::default());
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains(
            "src/index.ts\n     12:5  warning await of env.KV.get(k) inside for-of  await-in-loop"
        ));
        assert!(text.contains("✓ script size  2"), "{text}");
        assert!(text.contains("⚠ 0 errors, 1 warning, 0 info in 1 file"));
    }

    #[test]
    fn color_output_is_colored() {
        let text = render(
            &sample(),
            &RenderOptions {
                color: true,
                ..RenderOptions::default()
            },
        );
        assert!(text.contains('\u{1b}'));
    }

    /// Startup rows say what the project cannot defer and what is noise.
    #[test]
    fn startup_rows_mark_injected_entry_and_unstable_parts() {
        use crate::model::report::{StartupContributor, StartupReport};
        let part = |name: &str, kind: &str, seen: u32| StartupContributor {
            name: name.into(),
            kind: kind.into(),
            ms: 30.0,
            share: 0.2,
            file: None,
            line: None,
            median_ms: 30.0,
            seen_in_runs: seen,
            injected: name == "unenv",
            entry: name == "src/index.ts",
        };
        let mut report = sample();
        report.startup = Some(StartupReport {
            total_ms: 150.0,
            runs: 3,
            limit_ms: 1000.0,
            contributors: vec![
                part("unenv", "package", 3),
                part("src/index.ts", "module", 3),
                part("hono", "package", 1),
            ],
            engine_ms: 0.0,
            unattributed_ms: 0.0,
        });
        let text = render(&report, &RenderOptions::default());
        let row = |name: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap_or_default()
                .to_string()
        };
        assert!(row("unenv").ends_with("added by wrangler"), "{text}");
        assert!(
            row("src/index.ts (module)").ends_with("the entry"),
            "{text}"
        );
        assert!(row("hono").ends_with("(noise: not in most runs)"), "{text}");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(format_bytes(512.0), "512 B");
        assert_eq!(format_bytes(840921.0), "821.2 KiB");
        assert_eq!(format_bytes(64.0 * 1048576.0), "64.0 MiB");
    }

    #[test]
    fn the_baseline_comparison_shows_without_a_growth_budget() {
        let mut report = crate::render::test_fixture::fixture();
        // No growth budget: the comparison is still the reason for --baseline.
        report.budgets.clear();
        let text = render(&report, &RenderOptions::default());
        for expected in [
            "Since the baseline",
            "  raw 500.3 KiB ▲ +9.8 KiB (+2%) · gzip",
            "new packages: drizzle-orm (24.4 KiB)",
            "removed packages: lodash (3.9 KiB)",
            "more findings: await-in-loop 0 → 1",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        // Every size on the screen in KiB, as wrangler prints them.
        assert!(!text.contains(" kB") && !text.contains(" MB"), "{text}");
        let quiet = render(
            &report,
            &RenderOptions {
                quiet: true,
                ..RenderOptions::default()
            },
        );
        assert!(!quiet.contains("Since the baseline"));
    }
}
