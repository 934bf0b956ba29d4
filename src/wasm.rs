//! The JS boundary: the only module that knows about wasm-bindgen. Types cross
//! it as tsify types, so the generated .d.ts describes them.

use serde::Serialize;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::analyze::{self, AnalyzeInput};
use crate::bundle::{self, Metafile};
use crate::config::Config;
use crate::lint;
use crate::report::{self, Format, RenderOptions, Report};

/// Where the panic hook leaves the message for the wrapper: a panic aborts
/// the instance (a trap), so it cannot be returned.
const PANIC_KEY: &str = "__perfOptimizerPanic";

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &JsValue::from_str(PANIC_KEY),
            &JsValue::from_str(&info.to_string()),
        );
    }));
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The core's version (the package's version).
#[wasm_bindgen]
pub fn version() -> String {
    report::TOOL_VERSION.to_string()
}

/// Lints files and analyzes the bundle; returns the report (JSON report v1).
/// `sources`, if given, holds the texts of `input.files` one after another
/// (UTF-8, lengths in `input.sourceLengths`): one copy into wasm memory
/// instead of a string conversion per file.
#[wasm_bindgen]
pub fn analyze(input: Ts<AnalyzeInput>, sources: Option<Vec<u8>>) -> Result<Ts<Report>, JsError> {
    let mut input = input
        .to_rust()
        .map_err(|e| JsError::new(&format!("invalid input: {e}")))?;
    if let Some(bytes) = sources {
        input
            .attach_sources(&bytes)
            .map_err(|e| JsError::new(&format!("invalid input: {e}")))?;
    }
    let report = analyze::analyze(&input).map_err(|e| JsError::new(&e))?;
    Ts::from_rust(&report).map_err(|e| JsError::new(&e.to_string()))
}

/// The package folders a metafile's inputs live in; read their package.json
/// and pass them as `bundle.manifests`.
#[wasm_bindgen(js_name = packageRoots)]
pub fn package_roots(metafile: &str) -> Result<Vec<String>, JsError> {
    let metafile = Metafile::parse(metafile).map_err(|e| JsError::new(&e))?;
    Ok(bundle::package_roots(&metafile))
}

/// The import chains from the entry to a package or file, shortest first,
/// each a list of metafile input paths (`perf-optimizer why`).
#[wasm_bindgen(unchecked_return_type = "string[][]")]
pub fn why(metafile: &str, target: &str) -> Result<JsValue, JsError> {
    let metafile = Metafile::parse(metafile).map_err(|e| JsError::new(&e))?;
    to_js(&bundle::rules::why(&metafile, target))
}

/// Every rule with its category, default severity and docs.
#[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&lint::rule_infos())
}

/// Validates a config (JSON text); the error names the key and the problem.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(json: &str) -> Result<Ts<Config>, JsError> {
    let config = analyze::parse_config(Some(json)).map_err(|e| JsError::new(&e))?;
    Ts::from_rust(&config).map_err(|e| JsError::new(&e.to_string()))
}

/// Renders a report in one of the formats.
#[wasm_bindgen]
pub fn render(
    report: Ts<Report>,
    format: Ts<Format>,
    options: Ts<RenderOptions>,
) -> Result<String, JsError> {
    let report = report
        .to_rust()
        .map_err(|e| JsError::new(&format!("invalid report: {e}")))?;
    let format = format
        .to_rust()
        .map_err(|e| JsError::new(&format!("unknown format: {e}")))?;
    let options = options.to_rust().unwrap_or_default();
    report::render(&report, format, &options).map_err(|e| JsError::new(&e))
}

/// The baseline file's text (pretty JSON, newline-terminated) for a report:
/// write it for `--save-baseline`; pass it back as `AnalyzeInput.baseline`.
#[wasm_bindgen(js_name = baselineFromReport)]
pub fn baseline_from_report(report: Ts<Report>) -> Result<String, JsError> {
    let report = report
        .to_rust()
        .map_err(|e| JsError::new(&format!("invalid report: {e}")))?;
    Ok(crate::baseline::baseline_from_report(&report).to_json())
}

/// One newline-terminated JSON line to append to the `--history` file. The
/// caller supplies the time (ISO 8601) and the commit, if known.
#[wasm_bindgen(js_name = historyLine)]
pub fn history_line(
    report: Ts<Report>,
    time: &str,
    commit: Option<String>,
) -> Result<String, JsError> {
    let report = report
        .to_rust()
        .map_err(|e| JsError::new(&format!("invalid report: {e}")))?;
    Ok(crate::baseline::history_line(
        &report,
        time,
        commit.as_deref(),
    ))
}

/// Panics on purpose, for the wrapper's tests of trap recovery.
#[wasm_bindgen(js_name = __panicForTests)]
pub fn panic_for_tests() {
    panic!("deliberate panic for tests");
}
