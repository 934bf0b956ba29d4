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
    /// (see `AnalyzeInput::source_lengths`), or read only when first used
    /// ([`Text::deferred`]).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub source: Text,
}

/// A file's text, given, or read from the wrapper when first used: a run
/// whose files were walked before (the cache, the threads) needs few of
/// their texts, those of the files a project-wide finding quotes.
#[derive(Clone, Default)]
pub struct Text {
    text: std::cell::OnceCell<String>,
    /// The file's index for the texts' provider (`with_texts`), when the
    /// text was not given.
    deferred: Option<usize>,
}

impl Text {
    /// The text of file `index`, asked of the provider [`with_texts`] set
    /// on first use.
    pub fn deferred(index: usize) -> Self {
        Self {
            text: std::cell::OnceCell::new(),
            deferred: Some(index),
        }
    }

    /// The text, asked of the provider if it was deferred and not read yet
    /// (empty without a provider).
    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| match self.deferred {
            Some(index) => TEXTS.with(|texts| {
                texts
                    .borrow()
                    .as_ref()
                    .map(|of| of(index))
                    .unwrap_or_default()
            }),
            None => String::new(),
        })
    }

    /// Whether the text is at hand (given, or already read).
    pub fn is_read(&self) -> bool {
        self.text.get().is_some() || self.deferred.is_none()
    }
}

type TextProvider = Box<dyn Fn(usize) -> String>;

thread_local! {
    static TEXTS: std::cell::RefCell<Option<TextProvider>> = const { std::cell::RefCell::new(None) };
}

/// Runs `run` with `provider` answering the deferred texts ([`Text::deferred`])
/// by file index.
pub fn with_texts<R>(provider: impl Fn(usize) -> String + 'static, run: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            TEXTS.with(|texts| texts.borrow_mut().take());
        }
    }
    TEXTS.with(|texts| *texts.borrow_mut() = Some(Box::new(provider)));
    let _reset = Reset;
    run()
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self {
            text: std::cell::OnceCell::from(text),
            deferred: None,
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        text.to_owned().into()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.text.get(), self.deferred) {
            (None, Some(index)) => write!(f, "<text of file {index}, not read>"),
            _ => std::fmt::Debug::fmt(self.as_str(), f),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
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
    /// The largest `max_batch_size` of the Worker's queue consumers
    /// (Cloudflare's default 10 where a consumer sets none); absent with
    /// no consumer. A `queue(batch)` handler's loop over `batch.messages`
    /// repeats at most this many times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_batch_size: Option<u32>,
    /// Workers Cache (`cache.enabled` in the wrangler config, at the top
    /// level or in an environment) is on: a cache answers before the Worker
    /// runs, for responses whose `Cache-Control` allows it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub workers_cache: bool,
    /// The wrangler config's `placement` (top level or an environment), as
    /// written: `smart`, `region aws:us-east-1`, `host db.example.com`…;
    /// absent when the Worker runs where the request arrives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<String>,
    /// tsconfig and package.json facts for module resolution (optional:
    /// without them only relative specifiers resolve).
    #[serde(skip_serializing_if = "ModuleFacts::is_empty")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "{ tsconfigs?: { path: string; extends?: string[]; baseUrl?: string; paths?: Record<string, string[]> }[]; packages?: { path: string; name?: string; exports?: unknown; imports?: unknown; browser?: string; module?: string; main?: string }[]; root?: string }"
        )
    )]
    pub modules: ModuleFacts,
    /// Installed packages the files import, measured in node_modules by
    /// the wrapper when there is no bundle (`lint`): for `heavy-dependency`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub installed: Vec<InstalledPackage>,
}

/// What an import of an installed package loads, measured from its files
/// (not bundled): the module the specifier resolves to and the modules it
/// statically imports within the package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct InstalledPackage {
    /// The specifier as the sources write it: `moment`, `lodash/get`.
    pub specifier: String,
    /// The folder whose node_modules holds the package: the measurement
    /// applies to the files under it (relative to the working directory,
    /// `.` for the working directory itself).
    pub scope: String,
    /// The package folder: `node_modules/moment`.
    pub path: String,
    /// The module the specifier loads.
    pub entry: String,
    /// Bytes of the entry and the modules it statically imports.
    pub bytes: u64,
    pub modules: u32,
    /// False when the wrapper's bounds (modules, bytes) cut the count short:
    /// the package is at least `bytes`.
    pub complete: bool,
    /// The entry is CommonJS (no `import`/`export`): a bundler keeps all of it.
    pub cjs: bool,
}

/// A Worker entry point the wrapper found, and what declares it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EntryPoint {
    /// Relative to the working directory, `/`-separated, like `SourceFile::path`.
    pub path: String,
    /// What makes it an entry: `wrangler.toml (main)`, `Pages Functions`,
    /// `command line`, `astro.config.mjs`…
    pub declared_by: String,
    /// The largest `max_batch_size` of the queue consumers of the wrangler
    /// config that declares it (see `ProjectInfo::queue_batch_size`): the
    /// bound of a queue handler's batch in the files this entry reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_batch_size: Option<u32>,
}

/// Which of the given files are analyzed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum FileScope {
    /// What the Worker runs: the files reachable from the entries (all of
    /// them when no entry is among the files).
    #[default]
    Reachable,
    /// Every file (`--all-files`, or `allFiles` in the config).
    All,
    /// The files are the bundle's first-party inputs (the metafile is the
    /// authority): all are Worker code.
    Bundle,
}

/// What a file is, as far as the Worker is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reachable from a Worker entry: the Worker runs it.
    Worker,
    /// Tests, their helpers and mocks.
    Test,
    /// Scripts, tool configs, migrations and seeds: run at build time or by hand.
    Script,
    /// Browser code: a web frontend, components, an extension.
    Client,
    /// A Node program (a server, a CLI).
    Node,
    /// Not reachable from an entry and nothing says what it is.
    Unknown,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Test => "test",
            Role::Script => "script",
            Role::Client => "client",
            Role::Node => "node",
            Role::Unknown => "unknown",
        }
    }
}
