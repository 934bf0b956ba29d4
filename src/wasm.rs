//! The JS boundary: the only module that knows about wasm-bindgen. Values
//! cross it as JSON text (the wrapper's `JSON.stringify`/`JSON.parse` move a
//! whole value at once, where a JS object would be read or built one field
//! at a time through the boundary); the tsify derives on the types put their
//! TypeScript shapes in the generated .d.ts for the wrapper's types.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::analyses::bundle::{self, Metafile};
use crate::analyze::{self, AnalyzeInput};
use crate::engine::KeptWalks;
use crate::model::report::{self, Report};
use crate::render::{self, Format, RenderOptions};
use crate::rules;

/// Small blocks (most of a syntax tree's) from free lists per size class,
/// the rest from Rust's dlmalloc: see `crates/size-classes`.
#[global_allocator]
static ALLOCATOR: size_classes::SizeClasses<std::alloc::System> =
    size_classes::SizeClasses::new(std::alloc::System);

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

fn to_json<T: Serialize>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))
}

/// Reads `json` with the types' own field readers (`model::json::FromJson`),
/// not serde's derived visitors; an error says which value was `what` and
/// what is wrong.
fn read_json<T: crate::model::json::FromJson>(json: &str, what: &str) -> Result<T, JsError> {
    crate::model::json::read_str(json).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// The core's version (the package's version).
#[wasm_bindgen]
pub fn version() -> String {
    report::TOOL_VERSION.to_string()
}

/// Lints files and analyzes the bundle. `input` is an [`AnalyzeInput`] as
/// JSON text (UTF-8 bytes) and the result is the report (JSON report v1) as JSON text:
/// the wrapper's `JSON.stringify`/`JSON.parse` cross the boundary at once,
/// where a JS object would be read or built one field at a time.
/// `sources`, if given, holds the texts of `input.files` one after another
/// (UTF-8, lengths in `input.sourceLengths`): one copy into wasm memory
/// instead of a string conversion per file. `precomputed`, if given, holds
/// walks of some files made apart (`walkJson`, in another thread's
/// instance, or kept in a cache), which stand for the core's own.
/// `kept`: the token of this instance's own walks, kept by the last
/// `walkJson` of the same input (see there): they stand for the core's own
/// too; with an empty `input` (and no `sources`), that walk's input is this
/// call's (the wrapper says so when they are the same: not read twice).
/// Other analyses' kept walks stay (they may overlap in one process).
/// `deferred`: the files (ascending indices) whose texts are not in
/// `sources`, because their walks are given: the core asks `textOf(index)`
/// for the few it needs (a project-wide finding quotes its file), which
/// returns the text's UTF-8 bytes. `roles`: the roles the files' texts
/// gave in an earlier run, a byte per file (`lastFileRoles`): a file no
/// entry reaches and nothing walks is placed without its text.
#[wasm_bindgen(js_name = analyzeJson)]
#[allow(clippy::too_many_arguments)]
pub fn analyze_json(
    input: &[u8],
    sources: Option<Vec<u8>>,
    precomputed: Option<Vec<u8>>,
    kept: Option<u32>,
    deferred: Option<Vec<u32>>,
    text_of: Option<js_sys::Function>,
    roles: Option<Vec<u8>>,
) -> Result<String, JsError> {
    let deferred = deferred.unwrap_or_default();
    let roles = roles.unwrap_or_default();
    let Some(text_of) = text_of else {
        if !deferred.is_empty() {
            return Err(JsError::new("invalid input: deferred texts without textOf"));
        }
        return analyze_json_with(input, sources, precomputed, kept, &[], &roles);
    };
    crate::model::project::with_texts(
        move |index| {
            let bytes = text_of
                .call1(
                    &wasm_bindgen::JsValue::NULL,
                    &wasm_bindgen::JsValue::from(index as u32),
                )
                .ok()
                .and_then(|text| text.dyn_into::<js_sys::Uint8Array>().ok())
                .map(|text| text.to_vec())
                .unwrap_or_default();
            // The wrapper keeps the error of a text it could not give, and
            // throws it after the call (the run starts again).
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        },
        || analyze_json_with(input, sources, precomputed, kept, &deferred, &roles),
    )
}

fn analyze_json_with(
    input: &[u8],
    sources: Option<Vec<u8>>,
    precomputed: Option<Vec<u8>>,
    kept: Option<u32>,
    deferred: &[u32],
    roles: &[u8],
) -> Result<String, JsError> {
    let mine = kept.and_then(|wanted| {
        KEPT.with(|cell| {
            let mut kept = cell.borrow_mut();
            let at = kept.iter().position(|k| k.token == wanted)?;
            Some(kept.remove(at))
        })
    });
    let (walks, walk_input) = match mine {
        Some(k) => (k.walks, Some(k.input)),
        None => (KeptWalks::default(), None),
    };
    let input = match walk_input {
        Some(walk_input) if input.is_empty() && sources.is_none() => walk_input,
        _ => read_input(input, sources, deferred)?,
    };
    let (report, walked, text_roles) = analyze::analyze_with_roles(
        &input,
        precomputed.as_deref().unwrap_or_default(),
        walks,
        roles,
    )
    .map_err(|e| JsError::new(&e))?;
    WALKED.store(walked, std::sync::atomic::Ordering::Relaxed);
    TEXT_ROLES.with(|cell| *cell.borrow_mut() = text_roles);
    to_json(&report)
}

thread_local! {
    /// The roles the last `analyzeJson` read from the files' texts.
    static TEXT_ROLES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The role each file's text gave in the last `analyzeJson`, a byte per
/// file (255: none; only files no entry reaches have one): for the wrapper
/// to keep with the file and give the next analysis as `roles`.
#[wasm_bindgen(js_name = lastFileRoles)]
pub fn last_file_roles() -> Vec<u8> {
    TEXT_ROLES.with(|cell| cell.take())
}

/// How many files the last `analyzeJson` parsed and walked itself (the
/// others' walks were given): what the wrapper's cache saves, counted.
static WALKED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[wasm_bindgen(js_name = lastWalkCount)]
pub fn last_walk_count() -> u32 {
    WALKED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The walks of the files `only` (indices into `input.files`; `input` and
/// `sources` as for `analyzeJson`, where the other files' texts may be
/// empty), as records to hand `analyzeJson` as `precomputed`: (file index,
/// byte length, walk), LEB128 numbers. Another thread's instance or a
/// cache may compute them: see `analyze::walk`. With `next`, the files are
/// those it returns, one per call, until it returns a negative number:
/// threads that take files from one shared list as they go finish
/// together, whenever each started.
/// With `keep` (a token), the walks stay in this instance for the next
/// `analyzeJson` of the same input, given the same token, to merge as they
/// are (nothing written and read back); records are then returned only
/// `withRecords` (for a cache).
#[wasm_bindgen(js_name = walkJson)]
pub fn walk_json(
    input: &[u8],
    sources: Option<Vec<u8>>,
    only: Vec<u32>,
    next: Option<js_sys::Function>,
    keep: Option<u32>,
    with_records: Option<bool>,
) -> Result<Vec<u8>, JsError> {
    let input = read_input(input, sources, &[])?;
    let taken: Box<dyn Iterator<Item = u32>> = match next {
        None => Box::new(only.into_iter()),
        Some(next) => Box::new(std::iter::from_fn(move || {
            let file = next.call0(&JsValue::NULL).ok()?.as_f64()?;
            (file >= 0.0).then_some(file as u32)
        })),
    };
    let walked = match keep {
        None => analyze::walk(&input, taken),
        Some(token) => analyze::walk_kept(&input, taken, with_records.unwrap_or(false)).map(
            |(records, walks)| {
                let kept = Kept {
                    token,
                    walks,
                    input,
                };
                KEPT.with(|cell| {
                    let mut all = cell.borrow_mut();
                    all.retain(|k| k.token != token);
                    if all.len() == MAX_KEPT {
                        all.remove(0);
                    }
                    all.push(kept);
                });
                records
            },
        ),
    };
    walked.map_err(|e| JsError::new(&e))
}

/// The files `analyzeJson` of `input` (JSON as UTF-8 bytes, no sources
/// needed) likely walks: with the scope of what the Worker runs and an
/// entry among the files, those reached from the entries through
/// `specifiers`: for each file in order, the quoted strings after
/// `import`, `from` and `require(` in its text, separated by newlines, the
/// files separated by NUL; undefined when it walks every file. For the
/// threads to walk only these ahead.
#[wasm_bindgen(js_name = likelyWalked)]
pub fn likely_walked(input: &[u8], specifiers: &str) -> Result<Option<Vec<u32>>, JsError> {
    let input = read_input(input, None, &[])?;
    let specifiers: Vec<Vec<&str>> = specifiers
        .split('\0')
        .map(|file| file.lines().collect())
        .collect();
    Ok(analyze::likely_walked(&input, &specifiers))
}

/// What the last `walkJson` with a token left for `analyzeJson`.
struct Kept {
    token: u32,
    walks: KeptWalks,
    /// The walk's input, sources attached.
    input: AnalyzeInput,
}

/// How many analyses' kept walks wait at once (analyses that overlap in
/// one process, each waiting for its workers); past that the oldest are
/// dropped, and that analysis walks its files again.
const MAX_KEPT: usize = 4;

thread_local! {
    /// Walks kept by token, oldest first: each analyze call takes its own.
    static KEPT: std::cell::RefCell<Vec<Kept>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads an [`AnalyzeInput`] (JSON text) and attaches the sources.
/// `text` crosses as UTF-8 bytes (Node encodes a string natively, where
/// wasm-bindgen's string glue would read it a character at a time in JS).
fn read_input(
    text: &[u8],
    sources: Option<Vec<u8>>,
    deferred: &[u32],
) -> Result<AnalyzeInput, JsError> {
    let text = std::str::from_utf8(text)
        .map_err(|e| JsError::new(&format!("invalid input: not UTF-8 ({e})")))?;
    let mut input: AnalyzeInput = read_json(text, "invalid input")?;
    if let Some(project) = &mut input.project {
        // The module facts again, straight from the text: their `Json` keeps
        // the key order (`exports` conditions), which the `serde_json::Value`
        // of `model::json` loses (sorted objects).
        let facts: ModuleFactsOnly =
            serde_json::from_str(text).map_err(|e| JsError::new(&format!("invalid input: {e}")))?;
        project.modules = facts.project.modules;
    }
    if let Some(bytes) = sources {
        input
            .attach_sources(&bytes, deferred)
            .map_err(|e| JsError::new(&format!("invalid input: {e}")))?;
    }
    Ok(input)
}

/// `input.project.modules` alone (the rest of the input is skipped).
#[derive(Deserialize)]
struct ModuleFactsOnly {
    #[serde(default)]
    project: ProjectModules,
}

#[derive(Default, Deserialize)]
struct ProjectModules {
    #[serde(default)]
    modules: crate::model::modules::ModuleFacts,
}

/// The package folders a metafile's inputs live in; read their package.json
/// and pass them as `bundle.manifests`.
#[wasm_bindgen(js_name = packageRoots)]
pub fn package_roots(metafile: &str) -> Result<Vec<String>, JsError> {
    let metafile = Metafile::parse(metafile).map_err(|e| JsError::new(&e))?;
    Ok(bundle::package_roots(&metafile))
}

/// Where each of `paths` belongs, by the rule the bundle and startup
/// analyses use (`knowledge::packages::origin`), so that the wrapper never
/// re-derives it: per path `{"kind":"package","root","name"}`,
/// `{"kind":"runtime"}` or `{"kind":"firstParty"}`, as JSON text.
#[wasm_bindgen(js_name = pathOrigins)]
pub fn path_origins(paths: Vec<String>) -> String {
    use crate::knowledge::packages::{origin, Origin};
    // Written directly (strings escaped by serde_json): a `json!` value would
    // bring serde_json's Value serializer into the wasm for this alone.
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = String::from("[");
    for (i, path) in paths.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match origin(path) {
            Origin::Package { root, name } => {
                out.push_str(r#"{"kind":"package","root":"#);
                out.push_str(&quoted(root));
                out.push_str(r#","name":"#);
                out.push_str(&quoted(name));
                out.push('}');
            }
            Origin::Runtime => out.push_str(r#"{"kind":"runtime"}"#),
            Origin::FirstParty => out.push_str(r#"{"kind":"firstParty"}"#),
        }
    }
    out.push(']');
    out
}

/// The import chains from the entry to a package or file, shortest first,
/// each a list of metafile input paths (`perf-optimizer why`), as JSON text.
/// `perf-optimizer profile`'s routes when no scenario is given: `files` is
/// a JSON array of `{ path, source }` (the Worker's first-party sources);
/// returns a JSON array of paths (see [`analyze::discover_routes`]).
#[wasm_bindgen(js_name = discoverRoutes)]
pub fn discover_routes(files: &str) -> Result<String, JsError> {
    let files: Vec<crate::model::project::SourceFile> = read_json(files, "invalid source files")?;
    to_json(&analyze::discover_routes(&files))
}

#[wasm_bindgen]
pub fn why(metafile: &str, target: &str) -> Result<String, JsError> {
    let metafile = Metafile::parse(metafile).map_err(|e| JsError::new(&e))?;
    to_json(&bundle::graph::why(&metafile, target))
}

/// Every rule with its category, default severity and docs (`RuleInfo[]` as
/// JSON text).
#[wasm_bindgen]
pub fn rules() -> Result<String, JsError> {
    to_json(&rules::rule_infos())
}

/// Validates a config (JSON text); the error names the key and the problem.
/// Returns the config with its defaults filled in, as JSON text.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(json: &str) -> Result<String, JsError> {
    let config = analyze::parse_config(Some(json)).map_err(|e| JsError::new(&e))?;
    to_json(&config)
}

/// Renders a report (JSON text) in one of the formats; `options` is
/// `RenderOptions` as JSON text.
#[wasm_bindgen]
pub fn render(report: &str, format: &str, options: &str) -> Result<String, JsError> {
    let report: Report = read_json(report, "invalid report")?;
    let format: Format =
        crate::model::json::from_value(&serde_json::Value::String(format.to_string()))
            .map_err(|e| JsError::new(&format!("unknown format: {e}")))?;
    let options: RenderOptions = crate::model::json::from_str(options).unwrap_or_default();
    render::render(&report, format, &options).map_err(|e| JsError::new(&e))
}

/// The baseline file's text (pretty JSON, newline-terminated) for a report
/// (JSON text): write it for `--save-baseline`; pass it back as
/// `AnalyzeInput.baseline`.
#[wasm_bindgen(js_name = baselineFromReport)]
pub fn baseline_from_report(report: &str) -> Result<String, JsError> {
    let report: Report = read_json(report, "invalid report")?;
    Ok(crate::analyses::baseline::baseline_from_report(&report).to_json())
}

/// One newline-terminated JSON line to append to the `--history` file. The
/// caller supplies the report (JSON text), the time (ISO 8601) and the
/// commit, if known.
#[wasm_bindgen(js_name = historyLine)]
pub fn history_line(report: &str, time: &str, commit: Option<String>) -> Result<String, JsError> {
    let report: Report = read_json(report, "invalid report")?;
    Ok(crate::analyses::baseline::history_line(
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
