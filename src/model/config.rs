//! The user's configuration (perf-optimizer.config.json/.jsonc/.mjs, the
//! `perfOptimizer` key of package.json, or --config). The wrapper loads the
//! file; the core validates it so that every entry point reports the same
//! errors, each naming the key.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::budget::{self, Amount, Budget, Metric};
use super::limits::{Limits, Plan};
use super::report::{BudgetUnit, Severity};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Config {
    /// Which plan's limits apply (`free` unless set).
    pub plan: Plan,
    /// Rule id → "off" | "info" | "warn" | "error", or [level, options].
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, RuleSetting>"))]
    pub rules: BTreeMap<String, RuleSetting>,
    /// Globs of files not to analyze (applied by the wrapper).
    pub ignore: Vec<String>,
    /// Analyze every file given, not only what the Worker runs (the files
    /// reachable from its entries); `--all-files` on the command line.
    pub all_files: bool,
    /// Size, growth and startup budgets (see `budget.rs`), in addition to
    /// the platform limits.
    pub budgets: Vec<Budget>,
    /// Overrides of the platform limits table (e.g. `{ "cpuMs": 50 }`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub limits: BTreeMap<String, f64>,
    /// The size cap for source files, in bytes (written `"8 MiB"` or as a
    /// number of bytes; applied by the wrapper, after `--max-file-size` and
    /// the API's `maxFileBytes`, before the 4 MiB default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<u64>,
    /// How many threads analyze the files (1 to 256; applied by the
    /// wrapper, after `--threads` and the API's `threads`, before the
    /// machine's available parallelism).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
    /// The scenario of `perf-optimizer profile` (see `model::profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<super::profile::ProfileConfig>,
}

/// The config's keys, for the message about an unknown one.
const KEYS: &[&str] = &[
    "plan",
    "rules",
    "ignore",
    "allFiles",
    "maxFileSize",
    "threads",
    "budgets",
    "limits",
    "profile",
];

/// The largest `maxFileSize` (as `--max-file-size` takes at most 1024 MiB).
const MAX_FILE_SIZE: f64 = 1024.0 * 1024.0 * 1024.0;

/// `maxFileSize`: a size with its unit or a number of bytes, 1 B to 1 GiB.
fn max_file_size(value: &Value) -> Result<u64, String> {
    let amount = match value {
        Value::Number(n) => Amount::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Amount::Text(s.clone()),
        _ => {
            return Err(
                "maxFileSize: expected a size such as \"8 MiB\" or a number of bytes".into(),
            )
        }
    };
    let (bytes, _) = budget::amount(
        "maxFileSize",
        &amount,
        &[BudgetUnit::Bytes],
        BudgetUnit::Bytes,
    )?;
    if !(1.0..=MAX_FILE_SIZE).contains(&bytes) {
        return Err(format!(
            "maxFileSize: {amount} is not a size from 1 B to 1024 MiB"
        ));
    }
    Ok(bytes.round() as u64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    #[serde(alias = "warning")]
    Warn,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum RuleSetting {
    Level(Level),
    WithOptions(
        Level,
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))] serde_json::Value,
    ),
}

impl RuleSetting {
    pub fn level(&self) -> Level {
        match self {
            RuleSetting::Level(l) | RuleSetting::WithOptions(l, _) => *l,
        }
    }
    pub fn options(&self) -> Option<&serde_json::Value> {
        match self {
            RuleSetting::Level(_) => None,
            RuleSetting::WithOptions(_, o) => Some(o),
        }
    }
}

/// serde_json's message without " at line 1 column 9" (positions in the
/// wrapper's re-serialized JSON mean nothing to the user).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split(" at line ")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Deserializes one value of the config; the error names its key. (Key paths
/// by hand instead of serde_path_to_error: it cost ~10 KB of gzipped wasm.)
fn at<T: DeserializeOwned>(path: &str, value: &Value) -> Result<T, String> {
    super::json::from_value(value).map_err(|e| format!("{path}: {}", without_position(&e)))
}

/// A budget; a bad field is named (`budgets[2].max: invalid size …`).
fn budget_at(i: usize, value: &Value) -> Result<Budget, String> {
    let path = format!("budgets[{i}]");
    at(&path, value).map_err(|whole| {
        let Value::Object(fields) = value else {
            return whole;
        };
        for (key, v) in fields {
            let field = format!("{path}.{key}");
            let err = match key.as_str() {
                "metric" => at::<Metric>(&field, v).err(),
                "max" | "maxIncrease" => at::<Amount>(&field, v).err(),
                "name" | "package" | "route" => None,
                // serde's "unknown field" message, now at the field's own path
                _ => Some(format!("{field}: {}", &whole[path.len() + 2..])),
            };
            if let Some(err) = err {
                return err;
            }
        }
        whole
    })
}

impl Config {
    /// The platform limits that apply: the plan's row of the limits table
    /// with the config's overrides (validated when the config was parsed).
    pub fn platform_limits(&self) -> Limits {
        let plan = Limits::for_plan(self.plan);
        plan.with_overrides(&self.limits).unwrap_or(plan)
    }

    /// The severity of rule `id`'s findings: as the config sets it (`None`
    /// for "off"), else the rule's `default`.
    pub fn severity_of(&self, id: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(id) {
            Some(setting) => setting.level().severity(),
            None => Some(default),
        }
    }

    /// Parses and validates config JSON; errors name the key:
    /// `rules.await-in-loop: expected "off", "info", "warn" or "error"`.
    pub fn parse(json: &str, known_rules: &[&str]) -> Result<Config, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| without_position(&e))?;
        let Value::Object(fields) = value else {
            return Err("the config must be an object".into());
        };
        let mut config = Config::default();
        for (key, v) in &fields {
            match key.as_str() {
                "plan" => config.plan = at("plan", v)?,
                "ignore" => config.ignore = at("ignore", v)?,
                "allFiles" => config.all_files = at("allFiles", v)?,
                "maxFileSize" => config.max_file_size = Some(max_file_size(v)?),
                "threads" => match v.as_u64() {
                    Some(n @ 1..=256) => config.threads = Some(n as u32),
                    // Not the value in the message: a `Value`'s Display is
                    // serde_json's serializer (3 KB of wasm).
                    _ => return Err("threads: expected a whole number from 1 to 256".into()),
                },
                "limits" => config.limits = at("limits", v)?,
                "profile" => {
                    let profile: super::profile::ProfileConfig = at("profile", v)?;
                    profile.check()?;
                    config.profile = Some(profile);
                }
                "rules" => {
                    let Value::Object(rules) = v else {
                        return Err("rules: expected an object of rule id → level".into());
                    };
                    for (id, setting) in rules {
                        let setting = at(&format!("rules.{id}"), setting).map_err(|_| {
                            format!("rules.{id}: expected \"off\", \"info\", \"warn\", \"error\" or [level, options]")
                        })?;
                        config.rules.insert(id.clone(), setting);
                    }
                }
                "budgets" => {
                    let Value::Array(budgets) = v else {
                        return Err("budgets: expected an array".into());
                    };
                    for (i, b) in budgets.iter().enumerate() {
                        config.budgets.push(budget_at(i, b)?);
                    }
                }
                other => {
                    let hint = crate::model::text::did_you_mean(other, KEYS)
                        .map(|best| format!(", did you mean `{best}`?"))
                        .unwrap_or_default();
                    let keys: Vec<String> = KEYS.iter().map(|k| format!("`{k}`")).collect();
                    return Err(format!(
                        "unknown field `{other}`{hint} (expected one of {})",
                        keys.join(", ")
                    ));
                }
            }
        }
        budget::check(&config.budgets)?;
        Limits::for_plan(config.plan).with_overrides(&config.limits)?;
        for id in config.rules.keys() {
            if !known_rules.contains(&id.as_str()) {
                let hint = crate::model::text::did_you_mean(id, known_rules)
                    .map(|best| format!(", did you mean `{best}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "rules.{id}: unknown rule{hint} (run `perf-optimizer rules` for the list)"
                ));
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_levels_and_options() {
        let c = Config::parse(
            r#"{"plan":"paid","rules":{"a":"off","b":["warn",{"max":3}],"c":"warning"}}"#,
            &["a", "b", "c"],
        )
        .unwrap();
        assert_eq!(c.plan, Plan::Paid);
        assert_eq!(c.rules["a"].level(), Level::Off);
        assert_eq!(c.rules["b"].options().unwrap()["max"], 3);
        assert_eq!(c.rules["c"].level(), Level::Warn);
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"rules":{"a":"loud"}}"#, &["a"]).unwrap_err();
        assert!(e.starts_with("rules.a: expected"), "{e}");
        let e = Config::parse(r#"{"rulez":{}}"#, &[]).unwrap_err();
        assert!(e.contains("unknown field `rulez`"), "{e}");
        let e = Config::parse(r#"{"plan":"gold"}"#, &[]).unwrap_err();
        assert!(e.starts_with("plan: unknown variant `gold`"), "{e}");
        let e = Config::parse(r#"{"rules":{"nope":"off"}}"#, &[]).unwrap_err();
        assert!(e.starts_with("rules.nope: unknown rule"), "{e}");
        let e = Config::parse(r#"{"maxFilesize":"8 MiB"}"#, &[]).unwrap_err();
        assert!(
            e.starts_with("unknown field `maxFilesize`, did you mean `maxFileSize`?"),
            "{e}"
        );
    }

    /// The source-file cap, as the command line's `--max-file-size` sets it:
    /// a size with its unit or a number of bytes; anything else is an error
    /// naming the key.
    #[test]
    fn threads_is_a_whole_number_from_1_to_256() {
        let threads = |json: &str| Config::parse(json, &[]).map(|c| c.threads);
        assert_eq!(threads(r#"{"threads":4}"#), Ok(Some(4)));
        assert_eq!(threads(r#"{}"#), Ok(None));
        for bad in ["0", "257", "1.5", "\"2\"", "-1"] {
            assert_eq!(
                threads(&format!(r#"{{"threads":{bad}}}"#)),
                Err("threads: expected a whole number from 1 to 256".into())
            );
        }
    }

    #[test]
    fn max_file_size_takes_a_size() {
        let size = |json: &str| Config::parse(json, &[]).map(|c| c.max_file_size);
        assert_eq!(size(r#"{}"#), Ok(None));
        assert_eq!(size(r#"{"maxFileSize":"8 MiB"}"#), Ok(Some(8 << 20)));
        assert_eq!(size(r#"{"maxFileSize":"512 KiB"}"#), Ok(Some(512 << 10)));
        assert_eq!(size(r#"{"maxFileSize":"2MB"}"#), Ok(Some(2_000_000)));
        assert_eq!(size(r#"{"maxFileSize":1048576}"#), Ok(Some(1 << 20)));
        assert_eq!(size(r#"{"maxFileSize":"1000"}"#), Ok(Some(1000)));
        for (json, error) in [
            (
                r#"{"maxFileSize":true}"#,
                "maxFileSize: expected a size such as \"8 MiB\" or a number of bytes",
            ),
            (
                r#"{"maxFileSize":["8 MiB"]}"#,
                "maxFileSize: expected a size such as \"8 MiB\" or a number of bytes",
            ),
            (
                r#"{"maxFileSize":"lots"}"#,
                "maxFileSize: invalid size \"lots\" (use B, kB, KiB, MB or MiB)",
            ),
            (
                r#"{"maxFileSize":"200 ms"}"#,
                "maxFileSize: \"200 ms\" is not a size (use B, kB, KiB, MB or MiB)",
            ),
            (
                r#"{"maxFileSize":-1}"#,
                "maxFileSize: -1 is not a positive number",
            ),
            (
                r#"{"maxFileSize":0}"#,
                "maxFileSize: 0 is not a size from 1 B to 1024 MiB",
            ),
            (
                r#"{"maxFileSize":"2048 MiB"}"#,
                "maxFileSize: \"2048 MiB\" is not a size from 1 B to 1024 MiB",
            ),
        ] {
            assert_eq!(size(json), Err(error.to_string()), "{json}");
        }
        // What the wrapper reads back (validateConfig): bytes.
        let config = Config::parse(r#"{"maxFileSize":"1 KiB"}"#, &[]).unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert!(json.contains(r#""maxFileSize":1024"#), "{json}");
    }
}
