//! Startup attribution: the CPU profiles `wrangler check startup` writes
//! (V8 `.cpuprofile`, one per run), mapped through the bundle's source map
//! to packages and first-party modules.
//!
//! Method: **line ticks**. esbuild hoists every ESM module's top-level code
//! into the bundle's one top-level function, whose frame carries no line;
//! but V8 records per-line ticks (`positionTicks`) for every frame, the
//! top-level one included. Each line of the generated bundle belongs to one
//! input module, so the source map places those ticks on modules and
//! statements. Samples of functions use the tick lines too, or the
//! function's position when there are none. Samples inside code that is
//! not the bundle's (workerd's `node-internal:` modules) go to the nearest
//! bundle frame that called them. What remains is the engine's own time
//! (compilation, garbage collection: `(program)`, `(garbage collector)`),
//! reported as `engineMs`, and bundle time without any position
//! (`unattributedMs`): that is the method's error.
//!
//! Pure: the wrapper runs wrangler, reads the files and decodes the source
//! map (it hands over each profile position already mapped to its source
//! and line: `positions`); the core only aggregates.

use crate::model::collections::HashMap;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::knowledge::packages::{origin, Origin};
use crate::model::config::Config;
use crate::model::report::{
    docs_url, Category, Diagnostic, Severity, StartupContributor, StartupReport,
};

/// Declared in the rules folder (`startup_cost.rs`).
pub const RULE_ID: &str = "startup-cost";

/// Contributors with at least this share of startup get a finding.
const FINDING_SHARE: f64 = 0.10;
/// At most this many findings.
const MAX_FINDINGS: usize = 5;
/// The noise floor: a contributor shows in a run when it takes at least
/// this much of it, and is stable when it shows in a majority of the runs
/// (samples are 1 ms apart or so: below this, one run's sampling decides).
const NOISE_MS: f64 = 2.0;
/// Material against the platform's startup limit: this share of it
/// (20 ms of 1 s). A few ms of a startup far under the limit change
/// nothing a user notices.
const MATERIAL_OF_LIMIT: f64 = 0.02;
/// Material against the user's startup budget: this share of it.
const MATERIAL_OF_BUDGET: f64 = 0.10;
/// The group of wrangler's and esbuild's own code (middleware, facade,
/// module glue).
const RUNTIME_GROUP: &str = "(bundler runtime)";

/// What the wrapper hands over after running `wrangler check startup`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct StartupInput {
    /// The `.cpuprofile` JSON text of each run.
    pub profiles: Vec<String>,
    /// The bundle's main module file name (`index.js`): profile frames whose
    /// URL ends with it are the bundle's.
    pub bundle_file: String,
    /// Every bundle position the profiles name (tick lines, function
    /// starts), mapped by the wrapper through the bundle's source map.
    pub positions: Vec<MappedPosition>,
    /// The source map's `sources`, as display paths (relative to the
    /// working directory, `/`-separated).
    pub sources: Vec<String>,
    /// The source map's `sourcesContent` for first-party sources (others
    /// may be null): used to find the import line of a package.
    pub sources_content: Vec<Option<String>>,
}

/// A generated position of the bundle and where the source map places it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct MappedPosition {
    /// 0-based line of the bundle.
    pub line: u32,
    /// 0-based column; absent for a line tick (the line's first mapping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Index into `sources`.
    pub source: u32,
    /// 0-based line in the source.
    pub original_line: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    nodes: Vec<ProfileNode>,
    #[serde(default)]
    start_time: f64,
    #[serde(default)]
    end_time: f64,
    #[serde(default)]
    samples: Vec<u64>,
    #[serde(default)]
    time_deltas: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileNode {
    id: u64,
    call_frame: CallFrame,
    #[serde(default)]
    children: Vec<u64>,
    #[serde(default)]
    position_ticks: Vec<PositionTick>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallFrame {
    #[serde(default)]
    function_name: String,
    #[serde(default)]
    url: String,
    /// 0-based; -1 for none.
    #[serde(default)]
    line_number: i64,
    #[serde(default)]
    column_number: i64,
}

#[derive(Debug, Deserialize)]
struct PositionTick {
    /// 1-based.
    line: u32,
    ticks: u32,
}

/// Where time went in the generated bundle: 0-based line, optional column.
type GenPos = (u32, Option<u32>);

/// One run's measurement, in ms.
#[derive(Debug, Default)]
struct RunTimes {
    /// Every non-idle sample.
    total: f64,
    /// Engine time outside any bundle frame.
    engine: f64,
    /// Bundle time without any position.
    unattributed: f64,
    hits: HashMap<GenPos, f64>,
}

fn read_profile(text: &str, bundle_file: &str) -> Result<RunTimes, String> {
    let p: Profile =
        crate::model::json::from_str(text).map_err(|e| format!("not a CPU profile ({e})"))?;
    let index: HashMap<u64, usize> = p.nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut parent: Vec<Option<usize>> = vec![None; p.nodes.len()];
    for (i, n) in p.nodes.iter().enumerate() {
        for c in &n.children {
            if let Some(&ci) = index.get(c) {
                parent[ci] = Some(i);
            }
        }
    }
    let is_bundle =
        |n: &ProfileNode| !n.call_frame.url.is_empty() && n.call_frame.url.ends_with(bundle_file);
    // Sample i lasts until sample i+1 (DevTools' convention); the last one
    // until the profile's end.
    let mut times = Vec::with_capacity(p.samples.len());
    let mut t = p.start_time;
    for d in &p.time_deltas {
        t += d;
        times.push(t);
    }
    let mut self_ms = vec![0.0f64; p.nodes.len()];
    let mut run = RunTimes::default();
    for (i, id) in p.samples.iter().enumerate() {
        let Some(&ni) = index.get(id) else { continue };
        let start = times.get(i).copied().unwrap_or(p.start_time);
        let end = times.get(i + 1).copied().unwrap_or(p.end_time.max(start));
        let d = ((end - start) / 1000.0).max(0.0);
        if p.nodes[ni].call_frame.function_name == "(idle)" {
            continue;
        }
        run.total += d;
        let mut at = Some(ni);
        while let Some(k) = at {
            if is_bundle(&p.nodes[k]) {
                break;
            }
            at = parent[k];
        }
        match at {
            Some(k) => self_ms[k] += d,
            None => run.engine += d,
        }
    }
    for (k, ms) in self_ms.into_iter().enumerate() {
        if ms == 0.0 {
            continue;
        }
        let node = &p.nodes[k];
        let ticks: u32 = node.position_ticks.iter().map(|t| t.ticks).sum();
        if ticks > 0 {
            // Ticks without a line (builtins called from the frame) are
            // spread in proportion to the located ones.
            for t in &node.position_ticks {
                let key = (t.line.saturating_sub(1), None);
                *run.hits.entry(key).or_default() += ms * t.ticks as f64 / ticks as f64;
            }
        } else if node.call_frame.line_number >= 0 {
            let key = (
                node.call_frame.line_number as u32,
                Some(node.call_frame.column_number.max(0) as u32),
            );
            *run.hits.entry(key).or_default() += ms;
        } else {
            run.unattributed += ms;
        }
    }
    Ok(run)
}

#[derive(Default)]
struct Group {
    ms: f64,
    /// Its ms in each run.
    per_run: Vec<f64>,
    package: bool,
    /// Original 0-based line → ms, for modules' hottest statement.
    lines: BTreeMap<u32, f64>,
    path: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    crate::model::collections::sort_by(&mut v, |a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The first line (1-based) of a first-party source that imports `package`.
fn import_site(input: &StartupInput, package: &str) -> Option<(String, u32)> {
    let quoted = [format!("\"{package}\""), format!("'{package}'")];
    let sub = [format!("\"{package}/"), format!("'{package}/")];
    for (i, path) in input.sources.iter().enumerate() {
        if origin(path) != Origin::FirstParty {
            continue;
        }
        let Some(Some(text)) = input.sources_content.get(i) else {
            continue;
        };
        for (n, l) in crate::syntax::position::js_lines(text).enumerate() {
            let imports = l.contains("import") || l.contains("require(") || l.contains(" from ");
            if imports
                && quoted
                    .iter()
                    .chain(sub.iter())
                    .any(|q| l.contains(q.as_str()))
            {
                return Some((path.clone(), n as u32 + 1));
            }
        }
    }
    None
}

/// The report's `startup` section from the profiles, and the `startup-cost`
/// findings (the caller's budgets then cover startup too).
/// `default_severity` is `startup-cost`'s declared one (the config may
/// change it).
pub fn analyze(
    input: &StartupInput,
    entries: &[&str],
    config: &Config,
    default_severity: Severity,
) -> Result<(StartupReport, Vec<Diagnostic>), String> {
    if input.profiles.is_empty() {
        return Err("no startup profile to analyze".into());
    }
    let runs = input
        .profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            read_profile(p, &input.bundle_file).map_err(|e| format!("profile {}: {e}", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mapped: HashMap<GenPos, (u32, u32)> = input
        .positions
        .iter()
        .map(|p| ((p.line, p.column), (p.source, p.original_line)))
        .collect();

    let all_total: f64 = runs.iter().map(|r| r.total).sum();
    let total_ms = median(runs.iter().map(|r| r.total).collect());
    // Shares over all runs; ms scaled to the median run.
    let scale = if all_total > 0.0 {
        total_ms / all_total
    } else {
        0.0
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut unattributed: f64 = runs.iter().map(|r| r.unattributed).sum();
    let engine: f64 = runs.iter().map(|r| r.engine).sum();
    for (r, run) in runs.iter().enumerate() {
        for (&pos, &ms) in &run.hits {
            let Some(&(source, line)) = mapped.get(&pos) else {
                unattributed += ms;
                continue;
            };
            let Some(path) = input.sources.get(source as usize) else {
                unattributed += ms;
                continue;
            };
            let (name, package) = match origin(path) {
                Origin::Package { name, .. } => (name.to_string(), true),
                Origin::Runtime => (RUNTIME_GROUP.to_string(), false),
                Origin::FirstParty => (path.clone(), false),
            };
            let g = groups.entry(name).or_default();
            g.ms += ms;
            g.package = package;
            g.path = path.clone();
            g.per_run.resize(runs.len(), 0.0);
            g.per_run[r] += ms;
            if !package {
                *g.lines.entry(line).or_default() += ms;
            }
        }
    }
    let share_of = |ms: f64| if all_total > 0.0 { ms / all_total } else { 0.0 };
    let mut contributors: Vec<StartupContributor> = groups
        .into_iter()
        .map(|(name, g)| {
            let (file, line) = if g.package {
                match import_site(input, &name) {
                    Some((f, l)) => (Some(f), Some(l)),
                    None => (None, None),
                }
            } else if name.starts_with('(') {
                (None, None)
            } else {
                let hottest = g
                    .lines
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(l, _)| l + 1);
                (Some(g.path.clone()), hottest)
            };
            let injected = name == RUNTIME_GROUP
                || g.package
                    && crate::knowledge::packages::INJECTED_PACKAGES.contains(&name.as_str());
            let entry = !g.package
                && entries
                    .iter()
                    .any(|e| crate::semantic::resolve::normalize(e) == g.path);
            StartupContributor {
                kind: if g.package { "package" } else { "module" }.into(),
                ms: round1(g.ms * scale),
                share: (share_of(g.ms) * 10_000.0).round() / 10_000.0,
                file,
                line,
                median_ms: round1(median(g.per_run.clone())),
                seen_in_runs: g.per_run.iter().filter(|ms| **ms >= NOISE_MS).count() as u32,
                injected,
                entry,
                name,
            }
        })
        .collect();
    crate::model::collections::sort_by(&mut contributors, |a, b| {
        b.ms.total_cmp(&a.ms).then_with(|| a.name.cmp(&b.name))
    });

    let severity = config.severity_of(RULE_ID, default_severity);
    let limits = config.platform_limits();
    // Material: against the limit, or against the user's tightest startup
    // budget when that asks for more.
    let budget = crate::model::budget::check(&config.budgets)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.metric == crate::model::budget::Metric::Startup)
        .filter_map(|b| match b.limit {
            crate::model::budget::Limit::Max(ms) => Some(ms),
            _ => None,
        })
        .min_by(f64::total_cmp);
    let material = budget.map_or(limits.startup_ms * MATERIAL_OF_LIMIT, |b| {
        (b * MATERIAL_OF_BUDGET).min(limits.startup_ms * MATERIAL_OF_LIMIT)
    });
    let reported = |c: &&StartupContributor| {
        let stable = c.seen_in_runs as usize * 2 > runs.len();
        stable
            && c.median_ms >= material.max(NOISE_MS)
            && total_ms > 0.0
            && c.median_ms / total_ms >= FINDING_SHARE
            && (!c.name.starts_with('(') || c.injected)
    };
    let findings = match severity {
        Some(severity) => contributors
            .iter()
            .filter(reported)
            .take(MAX_FINDINGS)
            .map(|c| finding(c, total_ms, severity))
            .collect(),
        None => Vec::new(),
    };
    let startup = StartupReport {
        total_ms: round1(total_ms),
        runs: runs.len() as u32,
        limit_ms: limits.startup_ms,
        contributors,
        engine_ms: round1(engine * scale),
        unattributed_ms: round1(unattributed * scale),
    };
    Ok((startup, findings))
}

fn finding(c: &StartupContributor, total_ms: f64, severity: Severity) -> Diagnostic {
    let pct = (c.median_ms / total_ms * 100.0).round();
    let ms = c.median_ms;
    let total = round1(total_ms);
    let cost = format!("{ms} ms of the Worker's {total} ms startup ({pct}%, median of the runs)");
    let at_line = c
        .line
        .map(|l| format!(", most of it in the statement at line {l}"))
        .unwrap_or_default();
    // What the project cannot defer is described, not advised on: info.
    let (message, help, severity) = if c.injected {
        let what = if c.kind == "package" {
            format!(
                "package `{}`, which wrangler adds to the bundle (nodejs_compat polyfills),",
                c.name
            )
        } else {
            "wrangler's and esbuild's own code (middleware, facade, module glue)".to_string()
        };
        (
            format!("{what} takes {cost}"),
            format!("Not code the project imports, so not something to load lazily: it costs {ms} ms of every cold start, and goes only with what makes wrangler add it (nodejs_compat, for the polyfills)."),
            Severity::Info,
        )
    } else if c.entry {
        (
            format!("module `{}` (the Worker's entry) takes {cost}{at_line}", c.name),
            format!("This is the entry's own top-level code (the app and its routes, which every request needs): deferring it would not save the {ms} ms each cold start pays. Only work there that not every request needs (a table built, a schema compiled) is worth moving into the handler that uses it."),
            Severity::Info,
        )
    } else if c.kind == "package" {
        (
            format!("package `{}` takes {cost}", c.name),
            format!(
                "Load it where it is needed with `const m = await import(\"{}\")` inside the handler, so that startup does not evaluate it, or replace it with a lighter package.",
                c.name
            ),
            severity,
        )
    } else {
        (
            format!("module `{}` takes {cost}{at_line}", c.name),
            "Move the work out of the global scope: compute it lazily in the handler on first use (and keep it in a module variable), precompute it at build time, or load the module with `await import()`.".to_string(),
            severity,
        )
    };
    Diagnostic {
        group: None,
        related: Vec::new(),
        rule: RULE_ID.into(),
        severity,
        category: Category::Startup,
        message,
        file: c.file.clone(),
        line: c.line,
        column: c.line.map(|_| 1),
        end_line: None,
        end_column: None,
        help,
        docs: docs_url(RULE_ID),
    }
}
