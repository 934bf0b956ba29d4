//! Budgets: the platform limits plus the user's size, growth and startup
//! budgets from the config, checked against a report.
//!
//! ```json
//! "budgets": [
//!   { "metric": "gzip", "max": "1 MB" },
//!   { "metric": "package", "name": "zod", "max": "60 kB" },
//!   { "metric": "gzip", "maxIncrease": "5%" },
//!   { "metric": "startup", "max": "200 ms" }
//! ]
//! ```
//!
//! Budgets whose measurement is missing are skipped, not failed: size budgets
//! without a bundle (`lint`), startup budgets without a startup measurement,
//! `maxIncrease` without a baseline (or when the baseline value is 0 and the
//! budget is a percentage).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::report::BudgetUnit;

/// What a budget measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[cfg_attr(
    target_arch = "wasm32",
    tsify(
        type = "\"raw\" | \"gzip\" | \"brotli\" | \"package\" | \"startup\" | \"cpu\" | \"heap\" | \"queries\""
    )
)]
pub enum Metric {
    /// Sum of the outputs' uncompressed bytes.
    Raw,
    Gzip,
    Brotli,
    /// One package's bytes in the bundle, all its versions together.
    Package,
    /// Startup time in ms (needs a startup measurement).
    Startup,
    /// CPU ms per request of a route (`perf-optimizer profile`; a
    /// `cpu-over-limit` warning past it, not a budget line).
    Cpu,
    /// The isolate's heap after GC at the end of a profile run, in bytes
    /// (`heap-growth` warning).
    Heap,
    /// D1 queries per request of a route (`queries-per-request` warning).
    Queries,
}

impl Metric {
    const ALL: [Metric; 8] = [
        Metric::Raw,
        Metric::Gzip,
        Metric::Brotli,
        Metric::Package,
        Metric::Startup,
        Metric::Cpu,
        Metric::Heap,
        Metric::Queries,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Raw => "raw",
            Metric::Gzip => "gzip",
            Metric::Brotli => "brotli",
            Metric::Package => "package",
            Metric::Startup => "startup",
            Metric::Cpu => "cpu",
            Metric::Heap => "heap",
            Metric::Queries => "queries",
        }
    }

    fn is_size(self) -> bool {
        matches!(
            self,
            Metric::Raw | Metric::Gzip | Metric::Brotli | Metric::Package
        )
    }

    /// Measured by `perf-optimizer profile`: checked as findings of its
    /// rules (`cpu-over-limit`, `heap-growth`, `queries-per-request`).
    pub fn is_profile(self) -> bool {
        matches!(self, Metric::Cpu | Metric::Heap | Metric::Queries)
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown metric {name:?} (expected raw, gzip, brotli, package, startup, cpu, heap, queries)"
                ))
            })
    }
}

/// A size, duration or percentage as written in the config: `"60 kB"`,
/// `"200 ms"`, `"5%"` or a plain number. Parsed against the metric when the
/// config is validated ([`check`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[cfg_attr(target_arch = "wasm32", tsify(type = "string | number"))]
pub enum Amount {
    Number(f64),
    Text(String),
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Number(n) => write!(f, "{n}"),
            Amount::Text(t) => write!(f, "{t:?}"),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Amount::Number(n) => s.serialize_f64(*n),
            Amount::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as \"60 kB\", a duration such as \"200 ms\", a percentage such as \"5%\" or a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                Ok(Amount::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Ok(Amount::Text(v.to_string()))
            }
        }
        d.deserialize_any(AmountVisitor)
    }
}

/// One budget as written in the config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Budget {
    pub metric: Metric,
    /// A label for the report; for the `package` metric, the package's name
    /// (unless `package` names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The package a `package` budget measures (alternative to `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The most the metric may be: a size, or for `startup` a duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Amount>,
    /// The most the metric may grow since the baseline: a size or a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_increase: Option<Amount>,
    /// For `cpu` and `queries`: the profile route it applies to (its name in
    /// the report, `GET /items`); without it, every route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

/// A validated budget limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Bytes for size metrics, ms for startup.
    Max(f64),
    IncreaseBytes(f64),
    IncreasePercent(f64),
}

/// A validated budget: one per limit (a budget with both `max` and
/// `maxIncrease` gives two).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedBudget {
    /// The label the report shows.
    pub name: String,
    pub metric: Metric,
    /// For the `package` metric.
    pub package: Option<String>,
    pub limit: Limit,
    /// For `cpu` and `queries`: the route it applies to (None: every route).
    pub route: Option<String>,
}

const SIZE_UNITS: &str = "use B, kB, KiB, MB or MiB";

/// `"60 kB"` → (60000, Bytes); `"200 ms"` → (200, Ms); `"5%"` → (5, Percent);
/// `"1000"` → (1000, None). `None` when the text is not a number and a unit.
pub(crate) fn parse_amount(text: &str) -> Option<(f64, Option<BudgetUnit>)> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    // Not str::parse: see crates/float-text.
    let value = float_text::parse_f64(number)?;
    let (factor, unit) = match unit.trim_start() {
        "" => (1.0, None),
        "B" => (1.0, Some(BudgetUnit::Bytes)),
        "kB" | "KB" => (1000.0, Some(BudgetUnit::Bytes)),
        "KiB" => (1024.0, Some(BudgetUnit::Bytes)),
        "MB" => (1e6, Some(BudgetUnit::Bytes)),
        "MiB" => (1_048_576.0, Some(BudgetUnit::Bytes)),
        "ms" => (1.0, Some(BudgetUnit::Ms)),
        "s" => (1000.0, Some(BudgetUnit::Ms)),
        "%" => (1.0, Some(BudgetUnit::Percent)),
        _ => return None,
    };
    let value = value * factor;
    // Sizes are whole bytes ("0.1 KiB" is 102 B).
    let value = if unit == Some(BudgetUnit::Bytes) {
        value.round()
    } else {
        value
    };
    Some((value, unit))
}

/// Reads an amount for a budget key: `allowed` units fit, a plain number
/// means `number_means`.
pub(crate) fn amount(
    key: &str,
    amount: &Amount,
    allowed: &[BudgetUnit],
    number_means: BudgetUnit,
) -> Result<(f64, BudgetUnit), String> {
    let (value, unit) = match amount {
        Amount::Number(n) if n.is_finite() && *n >= 0.0 => (*n, number_means),
        Amount::Number(n) => return Err(format!("{key}: {n} is not a positive number")),
        Amount::Text(t) => match parse_amount(t) {
            Some((v, unit)) => (v, unit.unwrap_or(number_means)),
            None => {
                return Err(match number_means {
                    BudgetUnit::Ms => {
                        format!("{key}: invalid duration {t:?} (use ms or s, e.g. \"200 ms\")")
                    }
                    _ if allowed.contains(&BudgetUnit::Percent) => {
                        format!("{key}: invalid size or percentage {t:?} ({SIZE_UNITS}, or %)")
                    }
                    _ => format!("{key}: invalid size {t:?} ({SIZE_UNITS})"),
                })
            }
        },
    };
    if !allowed.contains(&unit) {
        return Err(match (unit, number_means) {
            (_, BudgetUnit::Ms) => {
                format!(
                    "{key}: the startup and cpu metrics take a duration such as \"200 ms\", not {amount}"
                )
            }
            (BudgetUnit::Percent, _) => {
                format!("{key}: a percentage only fits \"maxIncrease\"; \"max\" takes a size ({SIZE_UNITS})")
            }
            _ => format!("{key}: {amount} is not a size ({SIZE_UNITS})"),
        });
    }
    Ok((value, unit))
}

/// Validates the config's budgets; errors name the key
/// (`budgets[2].max: invalid size "12 XB" (use B, kB, KiB, MB or MiB)`).
pub fn check(budgets: &[Budget]) -> Result<Vec<CheckedBudget>, String> {
    let mut out = Vec::new();
    for (i, b) in budgets.iter().enumerate() {
        let at = format!("budgets[{i}]");
        let package = match (b.metric, &b.package, &b.name) {
            (Metric::Package, Some(p), _) | (Metric::Package, None, Some(p)) => {
                if p.trim().is_empty() {
                    return Err(format!("{at}.name: empty package name"));
                }
                Some(p.clone())
            }
            (Metric::Package, None, None) => {
                return Err(format!(
                    "{at}.name: the package metric needs the package's name, e.g. \"name\": \"zod\""
                ))
            }
            (_, Some(_), _) => {
                return Err(format!(
                    "{at}.package: only the package metric takes a package"
                ))
            }
            _ => None,
        };
        let label = match (&package, &b.package, &b.name) {
            (Some(_), Some(_), Some(label)) => label.clone(),
            (Some(p), _, _) => format!("package {p}"),
            (None, _, Some(label)) => label.clone(),
            (None, _, None) => match (b.metric, &b.route) {
                (Metric::Startup, _) => "startup time".to_string(),
                (Metric::Cpu, Some(r)) => format!("CPU per request of {r}"),
                (Metric::Cpu, None) => "CPU per request".to_string(),
                (Metric::Heap, _) => "heap after GC".to_string(),
                (Metric::Queries, Some(r)) => format!("D1 queries per request of {r}"),
                (Metric::Queries, None) => "D1 queries per request".to_string(),
                (m, _) => format!("{} size", m.as_str()),
            },
        };
        let route = match &b.route {
            Some(_) if !matches!(b.metric, Metric::Cpu | Metric::Queries) => {
                return Err(format!(
                    "{at}.route: only the cpu and queries metrics are per route (the heap is the isolate's)"
                ))
            }
            Some(r) if r.trim().is_empty() => {
                return Err(format!(
                    "{at}.route: empty route (a route's name in the profile, e.g. \"GET /items\")"
                ))
            }
            r => r.clone(),
        };
        if b.max.is_none() && b.max_increase.is_none() {
            return Err(format!("{at}: set \"max\" or \"maxIncrease\""));
        }
        if let Some(max) = &b.max {
            let key = format!("{at}.max");
            let (value, _) = if b.metric == Metric::Queries {
                match max {
                    Amount::Number(n) if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 => {
                        (*n, BudgetUnit::Bytes)
                    }
                    _ => {
                        return Err(format!(
                            "{key}: the queries metric takes a whole number of queries per request, not {max}"
                        ))
                    }
                }
            } else if b.metric.is_size() || b.metric == Metric::Heap {
                amount(
                    &format!("{at}.max"),
                    max,
                    &[BudgetUnit::Bytes],
                    BudgetUnit::Bytes,
                )?
            } else {
                amount(&key, max, &[BudgetUnit::Ms], BudgetUnit::Ms)?
            };
            out.push(CheckedBudget {
                name: label.clone(),
                metric: b.metric,
                package: package.clone(),
                limit: Limit::Max(value),
                route: route.clone(),
            });
        }
        if let Some(increase) = &b.max_increase {
            let key = format!("{at}.maxIncrease");
            if !b.metric.is_size() {
                return Err(format!(
                    "{key}: growth budgets measure sizes (raw, gzip, brotli, package), not {}",
                    b.metric.as_str()
                ));
            }
            let (value, unit) = amount(
                &key,
                increase,
                &[BudgetUnit::Bytes, BudgetUnit::Percent],
                BudgetUnit::Bytes,
            )?;
            out.push(CheckedBudget {
                name: format!("{label} growth"),
                metric: b.metric,
                package: package.clone(),
                limit: match unit {
                    BudgetUnit::Percent => Limit::IncreasePercent(value),
                    _ => Limit::IncreaseBytes(value),
                },
                route: None,
            });
        }
    }
    Ok(out)
}
