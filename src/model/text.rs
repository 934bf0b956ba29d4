//! Wording and number formats the findings and renderers share, so that every format says
//! the same thing the same way.

use super::profile::{CountSpread, Spread};
use super::report::{BudgetKind, BudgetResult, BudgetUnit, Diagnostic, SizeChange};

const MIB: u64 = 1024 * 1024;

/// Drops a fraction's trailing zeros: "60.0" → "60", "1.50" → "1.5".
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Binary units, as wrangler prints sizes ("512 B", "12.1 KiB", "1.19 MiB",
/// "64 MiB"): every size on one screen in the same unit as the bundle's.
pub fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    if n < 1024 {
        format!("{n} B")
    } else if (n as f64) < 1023.95 * KIB {
        format!("{} KiB", trim(format!("{:.1}", n as f64 / KIB)))
    } else {
        format!("{} MiB", trim(format!("{:.2}", n as f64 / MIB as f64)))
    }
}

/// A platform limit as Cloudflare documents it: "128 MB" (memory is given
/// in decimal megabytes), "64 MiB"; any other value as a size.
pub fn limit(n: u64) -> String {
    const MB: u64 = 1000 * 1000;
    if n >= MB && n.is_multiple_of(MB) && !n.is_multiple_of(MIB) {
        format!("{} MB", n / MB)
    } else {
        bytes(n)
    }
}

/// A count with thousands separators: "10,000".
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// "+1.2 KiB", "-300 B", "0 B".
pub fn signed_bytes(delta: i64) -> String {
    let sign = match delta.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    format!("{sign}{}", bytes(delta.unsigned_abs()))
}

/// A size and its change since the baseline: `12.3 KiB ▲ +1.2 KiB (+10.8%)`;
/// the size alone when it did not change.
pub fn size_change(after: u64, change: Option<&SizeChange>) -> String {
    let mut s = bytes(after);
    if let Some(c) = change.filter(|c| c.delta != 0) {
        let arrow = if c.delta > 0 { "▲" } else { "▼" };
        s = format!("{s} {arrow} {}", signed_bytes(c.delta));
        if let Some(p) = c.percent {
            s = format!("{s} ({})", signed_percent(p));
        }
    }
    s
}

/// "+2.4%", "-0.6%", "0%".
pub fn signed_percent(p: f64) -> String {
    let s = trim(format!("{:.1}", p.abs()));
    if s == "0" {
        "0%".into()
    } else if p > 0.0 {
        format!("+{s}%")
    } else {
        format!("-{s}%")
    }
}

/// A budget's limit or actual value in its unit.
pub fn amount(value: f64, unit: BudgetUnit) -> String {
    match unit {
        BudgetUnit::Bytes => bytes(value.max(0.0).round() as u64),
        BudgetUnit::Ms => format!("{} ms", trim(format!("{value:.1}"))),
        BudgetUnit::Percent => format!("{}%", trim(format!("{value:.2}"))),
    }
}

/// A budget's actual value, signed for growth: "120.4 KiB", "+12%", "+3 KiB".
pub fn budget_actual(b: &BudgetResult) -> String {
    match (b.kind, b.unit) {
        (BudgetKind::Increase, BudgetUnit::Percent) => signed_percent(b.actual),
        (BudgetKind::Increase, _) => signed_bytes(b.actual.round() as i64),
        _ => amount(b.actual, b.unit),
    }
}

/// A budget's limit: "100 KiB"; "+5%" for growth.
pub fn budget_limit(b: &BudgetResult) -> String {
    match b.kind {
        BudgetKind::Increase => format!("+{}", amount(b.limit, b.unit)),
        BudgetKind::Max => amount(b.limit, b.unit),
    }
}

/// One sentence about a budget: "gzip size is 120.4 KiB, over its 100 KiB
/// budget" / "gzip size growth is +12% since the baseline, within its +5%
/// budget".
pub fn budget_message(b: &BudgetResult) -> String {
    let since = match b.kind {
        BudgetKind::Increase => " since the baseline",
        BudgetKind::Max => "",
    };
    let verdict = if b.passed { "within" } else { "over" };
    format!(
        "{} is {}{since}, {verdict} its {} budget",
        b.name,
        budget_actual(b),
        budget_limit(b)
    )
}

/// `file:line:column`, as much of it as the diagnostic has.
pub fn location(d: &Diagnostic) -> Option<String> {
    let file = d.file.as_deref()?;
    Some(match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    })
}

/// `file:line`, or `file` without a line; None without a file.
pub fn file_line(file: Option<&str>, line: Option<u32>) -> Option<String> {
    let file = file?;
    Some(match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    })
}

/// A profile's `p50 / p95 / max` with one decimal; "-" when not measured.
pub fn spread(s: &Option<Spread>) -> String {
    s.map(|s| format!("{:.1} / {:.1} / {:.1}", s.p50, s.p95, s.max))
        .unwrap_or_else(|| "-".into())
}

/// A profile's `p50 / max` of a count; "-" when not measured.
pub fn count_spread(s: Option<CountSpread>) -> String {
    s.map(|s| format!("{} / {}", s.p50, s.max))
        .unwrap_or_else(|| "-".into())
}

/// The closest of `candidates` to `word` (edit distance at most a third of
/// its length, at least 1), for "did you mean".
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1000 B");
        assert_eq!(bytes(1024), "1 KiB");
        assert_eq!(bytes(12_345), "12.1 KiB");
        assert_eq!(bytes(61_440), "60 KiB");
        assert_eq!(bytes(1_048_570), "1 MiB");
        assert_eq!(bytes(1_048_520), "1023.9 KiB");
        assert_eq!(limit(128_000_000), "128 MB");
        assert_eq!(limit(64 * MIB), "64 MiB");
        assert_eq!(bytes(1_250_000), "1.19 MiB");
        assert_eq!(bytes(64 * MIB), "64 MiB");
        assert_eq!(count(0), "0");
        assert_eq!(count(950), "950");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(signed_bytes(-300), "-300 B");
        assert_eq!(signed_bytes(1_200), "+1.2 KiB");
        assert_eq!(signed_bytes(0), "0 B");
        assert_eq!(signed_percent(2.44), "+2.4%");
        assert_eq!(signed_percent(-0.6), "-0.6%");
        assert_eq!(signed_percent(0.01), "0%");
        assert_eq!(amount(200.0, BudgetUnit::Ms), "200 ms");
        assert_eq!(amount(12.5, BudgetUnit::Percent), "12.5%");
    }

    #[test]
    fn budget_sentences() {
        let mut b = BudgetResult {
            name: "gzip size".into(),
            metric: "gzip".into(),
            limit: 100_000.0,
            actual: 120_400.0,
            passed: false,
            kind: BudgetKind::Max,
            unit: BudgetUnit::Bytes,
        };
        assert_eq!(
            budget_message(&b),
            "gzip size is 117.6 KiB, over its 97.7 KiB budget"
        );
        b.name = "gzip size growth".into();
        b.kind = BudgetKind::Increase;
        b.unit = BudgetUnit::Percent;
        b.limit = 5.0;
        b.actual = 12.0;
        assert_eq!(
            budget_message(&b),
            "gzip size growth is +12% since the baseline, over its +5% budget"
        );
    }

    #[test]
    fn did_you_mean_picks_the_closest() {
        assert_eq!(
            did_you_mean("await-in-lop", &["await-in-loop", "regex-in-loop"]),
            Some("await-in-loop")
        );
        assert_eq!(did_you_mean("treshold", &["threshold"]), Some("threshold"));
        assert_eq!(did_you_mean("zzz", &["threshold"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
