//! One declaration form for every finding, of every kind: a `pub static
//! RULE: Declaration` in the finding's own file under [`RULES_DIR`]. The
//! build script (build.rs) scans that folder and generates the module list
//! and the registry ([`crate::rules::declarations`]); nothing is
//! registered by hand. docs/rules/<id>.md is generated from the declaration's
//! [`Docs`] by a native test (`UPDATE_DOCS=1 cargo test --lib rule_docs`),
//! and every doc example runs as a test (see `declare_tests.rs`).
//!
//! The doc text is `#[cfg(test)]`: it never reaches the wasm.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::project::Reporter;
use super::{Rule, RuleMeta};
use crate::effects::Project;

/// Where the declarations live (build.rs has the same constant): one file
/// per finding. The only place this path is written in the core.
pub const RULES_DIR: &str = "src/rules";

/// A finding's declaration: what `perf-optimizer rules` lists, what the
/// config validates, what docs/rules/<id>.md documents, and how the engine
/// runs it.
pub struct Declaration {
    pub meta: RuleMeta,
    pub kind: Kind,
    /// The typed options: [`options`]`::<T>()` of a serde struct with
    /// `deny_unknown_fields` ([`NoOptions`] when there are none).
    pub options: OptionsDecl,
    /// The doc text (never compiled into the wasm).
    #[cfg(test)]
    pub docs: &'static Docs,
}

/// How a finding is made.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A source rule: visitor hooks in the one traversal; `create` gets the
    /// config's options (already validated against the declared type; see
    /// [`typed`]).
    Source(fn(Option<&Value>) -> Box<dyn Rule>),
    /// A project rule: checked once after every file was walked, from the
    /// facts the walk recorded and the schema.
    Project(fn(&Project<'_>, &mut Reporter<'_>)),
    /// Reported outside the rule engine, by the code `by` names (the bundle
    /// analysis, the startup attribution, the engine itself, the budgets).
    /// `in_config`: whether the config and suppression comments may name it.
    Reported { by: &'static str, in_config: bool },
}

/// The declaration of a finding reported outside the rule engine
/// ([`Kind::Reported`]), with no options; the file that uses it declares its
/// `DOCS` (tests):
/// `pub static RULE: Declaration = reported!("heap-growth", Memory, Error,
/// "summary", by "crate::analyses::profile::findings", in_config true);`
macro_rules! reported {
    ($id:literal, $category:ident, $severity:ident, $summary:literal, by $by:literal, in_config $in_config:literal) => {
        $crate::engine::declare::Declaration {
            meta: $crate::engine::RuleMeta {
                id: $id,
                category: $crate::model::report::Category::$category,
                severity: $crate::model::report::Severity::$severity,
                summary: $summary,
            },
            kind: $crate::engine::declare::Kind::Reported {
                by: $by,
                in_config: $in_config,
            },
            options: $crate::engine::declare::options::<$crate::engine::declare::NoOptions>(),
            #[cfg(test)]
            docs: &DOCS,
        }
    };
}
pub(crate) use reported;

/// The declaration of a source rule with no options ([`Kind::Source`]):
/// `make` builds the rule's visitor; the file declares its `DOCS` (tests):
/// `pub static RULE: RuleEntry = source!("await-in-loop", Async, Warning,
/// "summary", |_| Box::<AwaitInLoop>::default());`
macro_rules! source {
    ($id:literal, $category:ident, $severity:ident, $summary:literal, $make:expr) => {
        $crate::engine::declare::Declaration {
            meta: $crate::engine::RuleMeta {
                id: $id,
                category: $crate::model::report::Category::$category,
                severity: $crate::model::report::Severity::$severity,
                summary: $summary,
            },
            kind: $crate::engine::declare::Kind::Source($make),
            options: $crate::engine::declare::options::<$crate::engine::declare::NoOptions>(),
            #[cfg(test)]
            docs: &DOCS,
        }
    };
}
pub(crate) use source;

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Source(_) => "source",
            Kind::Project(_) => "project",
            Kind::Reported { .. } => "reported",
        }
    }
}

/// A rule's options: a serde struct (`deny_unknown_fields`, `default`) that
/// names its fields for the `rules` listing.
pub trait RuleOptions: DeserializeOwned + Default + 'static {
    /// (name, type, default) of each field.
    const FIELDS: &'static [OptionField];
}

/// One option as `perf-optimizer rules --format json` lists it.
#[derive(Debug, Clone, Copy)]
pub struct OptionField {
    pub name: &'static str,
    /// The type as the config writes it: `number`, `string`, `number | string`…
    pub ty: &'static str,
    /// The default, as JSON text.
    pub default: &'static str,
    pub description: &'static str,
}

/// The declared options type, erased: its fields and its validator.
#[derive(Clone, Copy)]
pub struct OptionsDecl {
    pub fields: &'static [OptionField],
    validate: fn(&Value) -> Result<(), String>,
}

impl OptionsDecl {
    /// Checks the config's options for this rule: an unknown option (with a
    /// "did you mean"), a wrong type.
    pub fn validate(&self, value: &Value) -> Result<(), String> {
        (self.validate)(value).map_err(|e| {
            let unknown = e
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next());
            match unknown {
                Some(name) => {
                    let names: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
                    let mut message = format!("unknown option `{name}`");
                    match crate::model::text::did_you_mean(name, &names) {
                        Some(best) => message.push_str(&format!(", did you mean `{best}`?")),
                        None if names.is_empty() => message.push_str(" (this rule has no options)"),
                        None => {
                            message.push_str(&format!(", expected one of `{}`", names.join("`, `")))
                        }
                    }
                    message
                }
                None => e,
            }
        })
    }
}

/// The declaration of options type `T`.
pub const fn options<T: RuleOptions>() -> OptionsDecl {
    OptionsDecl {
        fields: T::FIELDS,
        validate: validate_as::<T>,
    }
}

fn validate_as<T: RuleOptions>(value: &Value) -> Result<(), String> {
    crate::model::json::from_value::<T>(value)
        .map(|_| ())
        .map_err(|e| {
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string()
        })
}

/// Parses the config's options as `T` (validated when the config was
/// parsed; the default when absent) and builds the rule: the typed form of
/// [`Kind::Source`]'s `create`, e.g.
/// `Kind::Source(|o| typed(o, |options: HeavyOptions| Box::new(Heavy::new(options))))`.
pub fn typed<T: RuleOptions>(
    value: Option<&Value>,
    create: impl FnOnce(T) -> Box<dyn Rule>,
) -> Box<dyn Rule> {
    create(typed_value(value))
}

/// The options of rule `id` as the config sets them (the default when it
/// does not), for findings made outside the rule engine.
pub fn configured<T: RuleOptions>(config: &crate::model::config::Config, id: &str) -> T {
    typed_value(config.rules.get(id).and_then(|s| s.options()))
}

fn typed_value<T: RuleOptions>(value: Option<&Value>) -> T {
    value
        .and_then(|v| crate::model::json::from_value(v).ok())
        .unwrap_or_default()
}

/// A size option: bytes, or a size text such as `"200 KiB"` (the budgets'
/// syntax). For `#[serde(deserialize_with = "…")]`.
pub fn size<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_any(SizeVisitor)
}

/// A visitor rather than a `Value` round trip: less wasm.
struct SizeVisitor;

impl serde::de::Visitor<'_> for SizeVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("bytes or a size such as \"200 KiB\"")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<u64, E> {
        if v >= 0.0 {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<u64, E> {
        match crate::model::budget::parse_amount(text) {
            Some((v, None | Some(crate::model::report::BudgetUnit::Bytes))) => Ok(v as u64),
            _ => Err(E::custom(format!(
                "invalid size `{text}`, expected bytes or a size such as \"200 KiB\""
            ))),
        }
    }
}

/// The options of a rule that has none: only `{}` is accepted.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoOptions {}

impl RuleOptions for NoOptions {
    const FIELDS: &'static [OptionField] = &[];
}

/// The doc text of a finding: docs/rules/<id>.md is generated from it.
/// Layout: `# id`, the category/severity line (from the declaration, plus
/// `header_note`), `intro` if any, then each section as `## heading`.
#[cfg(test)]
pub struct Docs {
    /// Appended to the category/severity line (e.g. ` · **Needs:** \`--startup\``).
    pub header_note: &'static str,
    /// Paragraphs before the first section.
    pub intro: &'static str,
    /// (heading, markdown body). Code blocks may hold hidden lines for the
    /// example tests: `# ` + code (part of the test, not of the page), and
    /// `# @file path` (the lines after it are that file; a `.sql` file is a
    /// schema/migration), `# @d1 NAME` / `# @hyperdrive NAME` (bindings).
    pub sections: &'static [(&'static str, &'static str)],
    /// Hidden context shared by the Bad and the Good example (same syntax
    /// as hidden lines: bindings, other files, an enclosing handler); the
    /// example goes where the line `# @example` is (at the end without one).
    pub setup: &'static str,
    /// Whether the examples run as tests.
    pub examples: Examples,
}

/// Whether a declaration's doc examples run as tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Examples {
    /// The first code block of the `Bad` section must fire the rule, the
    /// first of `Good` must not.
    Run,
    /// The examples cannot run as a source test (a bundle, a measurement,
    /// an engine condition): why.
    NotRunnable(&'static str),
}

#[cfg(test)]
impl Docs {
    /// docs/rules/<id>.md.
    pub fn render(&self, meta: &RuleMeta) -> String {
        let mut out = format!(
            "# {}\n\n**Category:** {} · **Default severity:** {}{}\n\n",
            meta.id,
            meta.category.as_str(),
            meta.severity.as_str(),
            self.header_note
        );
        if !self.intro.is_empty() {
            out.push_str(self.intro.trim());
            out.push_str("\n\n");
        }
        for (heading, body) in self.sections {
            out.push_str(&format!("## {heading}\n\n"));
            // Hidden lines exist only in code blocks the examples run.
            let mut runnable = false;
            let mut shown: Vec<&str> = Vec::new();
            for line in body.trim().lines() {
                if let Some(fence) = line.strip_prefix("```") {
                    runnable = !runnable && RUNNABLE.contains(&fence.trim());
                } else if runnable && is_hidden(line) {
                    continue;
                }
                shown.push(line);
            }
            out.push_str(&shown.join("\n"));
            out.push_str("\n\n");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    /// The example of a section inside [`Docs::setup`], as the tests run it.
    pub fn example_in_setup(&self, heading: &str) -> Option<(&'static str, String)> {
        let (language, code) = self.example(heading)?;
        let setup = self.setup.trim();
        if setup.is_empty() {
            return Some((language, code));
        }
        let code = if setup.lines().any(|l| l == "# @example") {
            setup
                .lines()
                .map(|l| if l == "# @example" { code.as_str() } else { l })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!("{setup}\n{code}")
        };
        Some((language, code))
    }

    /// The first code block of a section in a language the examples run
    /// ([`RUNNABLE`]), hidden lines included, with the fence's language.
    pub fn example(&self, heading: &str) -> Option<(&'static str, String)> {
        let (_, body) = self.sections.iter().find(|(h, _)| *h == heading)?;
        let mut lines = body.lines().skip_while(|l| {
            !l.strip_prefix("```")
                .is_some_and(|fence| RUNNABLE.contains(&fence.trim()))
        });
        let language = lines.next()?.trim_start_matches('`').trim();
        let code: Vec<&str> = lines.take_while(|l| !l.starts_with("```")).collect();
        Some((language, code.join("\n")))
    }
}

/// The code block languages an example runs in (and may hide lines in).
#[cfg(test)]
const RUNNABLE: &[&str] = &["ts", "js", "tsx", "jsx", "typescript", "javascript"];

#[cfg(test)]
fn is_hidden(line: &str) -> bool {
    line == "#" || line.starts_with("# ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_options_accepts_only_an_empty_object() {
        let decl = options::<NoOptions>();
        assert!(decl.validate(&serde_json::json!({})).is_ok());
        let e = decl.validate(&serde_json::json!({ "max": 3 })).unwrap_err();
        assert_eq!(e, "unknown option `max` (this rule has no options)");
        assert!(decl.validate(&serde_json::json!(3)).is_err());
    }
}
