//! What the wrapper read: source files and the Worker's wrangler facts.

use serde::{Deserialize, Serialize};

use super::modules::ModuleFacts;

/// One source file as the wrapper read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SourceFile {
    /// Relative to the working directory, `/`-separated.
    pub path: String,
    /// The text; left out when it travels in `analyzeJson`'s byte buffer
    /// (see `AnalyzeInput::source_lengths`).
    #[serde(default)]
    pub source: String,
}

/// The Worker's bindings and flags from its wrangler config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectInfo {
    pub nodejs_compat: bool,
    pub d1: Vec<String>,
    pub hyperdrive: Vec<String>,
    pub kv: Vec<String>,
    pub r2: Vec<String>,
    /// tsconfig and package.json facts for module resolution (optional:
    /// without them only relative specifiers resolve).
    #[serde(skip_serializing_if = "ModuleFacts::is_empty")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "{ tsconfigs?: { path: string; extends?: string[]; baseUrl?: string; paths?: Record<string, string[]> }[]; packages?: { path: string; name?: string; exports?: unknown; imports?: unknown; browser?: string; module?: string; main?: string }[] }"
        )
    )]
    pub modules: ModuleFacts,
}
