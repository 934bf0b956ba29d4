//! The core's layers (src/lib.rs): each top-level module of src/ may use only
//! the modules listed before it, and within a layer the submodules must not
//! form a cycle. Read from the source text: every `crate::…` and `super::…`
//! path, in code and tests alike, counts as a use.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first, as src/lib.rs declares them.
fn layers() -> Vec<String> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: src/engine/mod.rs → [engine],
/// src/rules/bundle_findings/tests.rs → [rules, bundle_findings, tests].
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments (doc comments name modules in prose).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The absolute module paths a file uses (`crate::a::b`, `super::c`), as far
/// as two segments.
fn uses(file: &Path) -> BTreeSet<Vec<String>> {
    let text = code(&fs::read_to_string(file).expect("readable source"));
    let here = module_path(file);
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    for (at, _) in text
        .match_indices("crate::")
        .chain(text.match_indices("super::"))
    {
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        // Inside a string literal (an odd number of quotes before it on its
        // line): a name, not a use.
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..at].matches('"').count() % 2 == 1 {
            continue;
        }
        let mut rest = &text[at..];
        let mut path: Vec<String> = if rest.starts_with("crate::") {
            rest = &rest["crate::".len()..];
            Vec::new()
        } else {
            let mut base = here.clone();
            while let Some(tail) = rest.strip_prefix("super::") {
                base.pop();
                rest = tail;
            }
            base
        };
        // Up to two more segments: `engine::context` in `crate::engine::context::X`.
        for _ in 0..2 {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            path.push(name);
            match rest.strip_prefix("::") {
                Some(tail) => rest = tail,
                None => break,
            }
        }
        if !path.is_empty() {
            found.insert(path);
        }
    }
    found
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let layers = layers();
    assert!(layers.len() >= 8, "src/lib.rs lists the layers: {layers:?}");
    let rank: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let here = module_path(file);
        let Some(layer) = here.first() else { continue };
        let Some(&mine) = rank.get(layer.as_str()) else {
            violations.push(format!("{}: not in a layer of src/lib.rs", file.display()));
            continue;
        };
        for used in uses(file) {
            match rank.get(used[0].as_str()) {
                Some(&theirs) if theirs > mine => violations.push(format!(
                    "{}: the `{layer}` layer uses `{}` from the layer above it",
                    file.display(),
                    used.join("::")
                )),
                _ => {}
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_layer_has_a_cycle_among_its_modules() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    // layer → submodule → submodules of the same layer it uses.
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let here = module_path(file);
        // The layer's own mod.rs is its facade: it declares and re-exports
        // the submodules, so it is not a node of the graph.
        if here.len() < 2 {
            continue;
        }
        let edges = graph
            .entry(here[0].clone())
            .or_default()
            .entry(here[1].clone())
            .or_default();
        for used in uses(file) {
            if used.len() >= 2 && used[0] == here[0] && used[1] != here[1] {
                edges.insert(used[1].clone());
            }
        }
    }
    let mut cycles = Vec::new();
    for (layer, modules) in &graph {
        // Depth-first search for a back edge.
        fn visit(
            node: &str,
            modules: &BTreeMap<String, BTreeSet<String>>,
            stack: &mut Vec<String>,
            done: &mut BTreeSet<String>,
            cycles: &mut Vec<String>,
        ) {
            if done.contains(node) {
                return;
            }
            if let Some(i) = stack.iter().position(|n| n == node) {
                cycles.push(format!("{} → {node}", stack[i..].join(" → ")));
                return;
            }
            stack.push(node.to_string());
            for next in modules.get(node).into_iter().flatten() {
                if modules.contains_key(next) {
                    visit(next, modules, stack, done, cycles);
                }
            }
            stack.pop();
            done.insert(node.to_string());
        }
        let mut done = BTreeSet::new();
        for module in modules.keys() {
            let before = cycles.len();
            visit(module, modules, &mut Vec::new(), &mut done, &mut cycles);
            for c in &mut cycles[before..] {
                *c = format!("{layer}: {c}");
            }
        }
    }
    assert!(cycles.is_empty(), "cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_uses() {
    let file = src().join("engine").join("walker.rs");
    let found = uses(&file);
    assert!(
        found.iter().any(|p| p[0] == "effects"),
        "walker uses effects: {found:?}"
    );
    assert!(
        found.iter().any(|p| p == &["engine", "context"]),
        "{found:?}"
    );
}
