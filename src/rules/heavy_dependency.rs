//! `heavy-dependency`: a static import (or `require`, or `export … from`) of
//! a package that is heavy for a Worker or that the runtime makes
//! unnecessary. Everything imported statically is bundled and evaluated
//! before the first request (1 s startup limit), on every cold start.
//!
//! Whether an import is heavy comes from the e18e `module-replacements`
//! dataset (a lighter replacement exists; snapshotted in
//! data/module-replacements.json by scripts/update-replacements.mjs) or from
//! the package measured in node_modules or the metafile, never from its name
//! alone. A small table of Workers-specific cases (moment, lodash, aws-sdk,
//! …) gives the concrete fix for what is reported. A dynamic
//! `await import('m')` defers the cost to the request that needs it and is
//! never reported; type-only imports are erased and never reported.

use crate::model::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use swc_core::ecma::ast::ImportSpecifier;

use super::node_polyfill_import::polyfill_of;
use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry, RuleMeta};
use crate::model::report::{Category, Severity};
use crate::semantic::imports::{erased_when_compiled, module_ref, package_name, subpath, RefKind};

/// `heavy-dependency`'s default size threshold for the bundle form.
pub const HEAVY_THRESHOLD: u64 = 100 * 1024;

pub static RULE: RuleEntry = RuleEntry {
    meta: RuleMeta {
        id: "heavy-dependency",
        category: Category::ColdStart,
        severity: Severity::Warning,
        summary: "A static import of a package that is heavy for a Worker or replaced by a built-in (moment, lodash, axios, uuid, …).",
    },
    kind: crate::engine::declare::Kind::Source(|o| {
        crate::engine::declare::typed(o, |options: HeavyOptions| {
            Box::new(HeavyDependency { options })
        })
    }),
    options: crate::engine::declare::options::<HeavyOptions>(),
    #[cfg(test)]
    docs: &DOCS,
};

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A static import of a package that is heavy for a Worker or that the Workers
runtime makes unnecessary: `import … from 'm'`, `import 'm'`,
`export … from 'm'`, or `require('m')`.

One finding per package: where the same package is imported in several
files (or twice in one), the first import carries it and the others are its
related places.

An import is reported when a lighter replacement exists (the e18e
dataset, below) or when the package is measured heavy: in node_modules
without a bundle (see [Without a bundle](#without-a-bundle)), in the metafile
with one (see [Bundle form](#bundle-form)). A package's name alone never
decides.

1. **A Workers table** gives the message and the concrete fix for packages a
   Worker often gets wrong, with sizes measured on the published packages
   (`data/workers-heavy-packages.json`, shipped in the package as data and
   passed to the core, not compiled into the wasm). It says how to fix an
   import that is reported; it does not decide that one is. `aws-sdk`,
   `googleapis`, `moment-timezone`, `core-js`, `@babel/polyfill` and
   `better-sqlite3` are in this table but not in the e18e data, so they are
   reported only when measured over the threshold:

   | Package | Problem | Use instead |
   | --- | --- | --- |
   | `moment` | ~176 KiB unminified, ~59 KiB minified, ~381 KiB with all locales; CommonJS | `Intl.DateTimeFormat`, `date-fns`, Temporal |
   | `moment-timezone` | moment plus the time zone database | `Intl.DateTimeFormat` with `timeZone` |
   | `lodash` (root import) | ~533 KiB unminified, ~71 KiB minified; CommonJS, all of it for one function | native methods, `es-toolkit`, `lodash/pick` |
   | `lodash-es` (default import) | every function | named imports |
   | `underscore` | whole library | native methods, `es-toolkit` |
   | `aws-sdk` (v2) | several MB, Node http/crypto | R2 binding, `aws4fetch` |
   | `googleapis` | every Google API client | REST + `fetch`, `@googleapis/<api>` |
   | `axios` | ~75 KiB minified HTTP client | global `fetch` |
   | `node-fetch`, `cross-fetch`, `isomorphic-fetch` | `fetch` is a global | global `fetch` |
   | `uuid` | built in | `crypto.randomUUID()` (version 4 only: an import of `v7`, `v5`, … alone is not reported) |
   | `bluebird` | ~80 KiB minified | native `Promise` |
   | `request` | deprecated, Node http | global `fetch` |
   | `jsonwebtoken` | needs Node crypto/Buffer/stream polyfills | `jose`, Web Crypto |
   | `bcrypt` | native addon: cannot run | PBKDF2 via `crypto.subtle` |
   | `crypto-js` | ciphers reimplemented in JS | Web Crypto |
   | `core-js`, `@babel/polyfill` | polyfills V8 does not need | nothing |
   | `sqlite3`, `better-sqlite3` | native addons: cannot run | a D1 binding |
   | `dotenv` | no .env file at runtime | `[vars]`, secrets, `env.NAME` |
   | `express`, `body-parser` | Node http server and streams | Hono / itty-router, `request.json()` |

   (Sizes measured 2026-11 on moment 2.31.0, lodash 4.18.1, bluebird 3.7.2,
   axios 1.21.1. wrangler does not minify unless `minify = true`.)

2. **The e18e [`module-replacements`](https://github.com/es-tooling/module-replacements)
   dataset** (its native, preferred and micro-utilities manifests) decides
   that a lighter replacement exists; its text is the fix for packages
   missing from the Workers table:
   `object-assign` → `Object.assign`, `qs` → `URLSearchParams`,
   `chalk` → `util.styleText`/`picocolors`, …
   The snapshot lives in `data/module-replacements.json` (shipped in the
   package as data and passed to the core, not compiled into the wasm) and
   records the dataset version; regenerate it with
   `npm i -D module-replacements && node scripts/update-replacements.mjs`.
   Replacements that only exist in other runtimes (`Bun.*`, `Deno.*`) are left
   out of messages.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Everything imported statically is bundled into the script and evaluated in the
global scope before the first request, on every cold start. Startup must finish
within 1 s, and a bigger script is slower to deploy, fetch and parse. CommonJS
packages such as moment and lodash are bundled whole: esbuild cannot tree-shake
them. Some packages cannot work at all (native addons, Node `http`), or
duplicate what the runtime provides (`fetch`, `crypto.randomUUID`, Web Crypto).
"#,
        ),
        (
            "Bad",
            r#"
```ts
import moment from 'moment';
import _ from 'lodash';

export const formatDate = (d: Date) => moment(d).utc().format('YYYY-MM-DD');
export const publicUser = (u: User) => _.pick(u, ['id', 'email', 'name']);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const isoDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit',
});
export const formatDate = (d: Date) => isoDate.format(d);
export const publicUser = ({ id, email, name }: User) => ({ id, email, name });

// A heavy package needed only on a rare path: load it there.
export async function legacyReport(d: Date) {
  const { default: moment } = await import('moment');
  return moment(d).format('LLLL');
}
```
"#,
        ),
        (
            "Not reported",
            r#"
- Dynamic `await import('moment')`: the recommended way to keep a heavy package
  off the startup path. Never reported.
- Type-only imports: `import type { Moment } from 'moment'`,
  `import { type X } from 'lodash'`, `export type { … } from '…'`.
- A TypeScript import whose names the file never uses: the compiler removes
  it (`import qs from 'qs'` with no `qs` after it; a use in a type counts as a
  use, so that one is still reported).
- Deep lodash imports (`lodash/get`, `require('lodash/pick')`): one module each.
- Named and namespace imports of `lodash-es` (tree-shaken).
- Polyfills of Node built-ins (`buffer`, `string_decoder`, `readable-stream`, …):
  those are [`node-polyfill-import`](node-polyfill-import.md)'s.
- A `require` that is a local binding (a parameter named `require`).
"#,
        ),
        (
            "Options",
            r#"
`threshold` (bundle form, default 100 KiB): bytes, or a size such as
`"200 KiB"`; see [Bundle form](#bundle-form). Turn it off per import with
`// perf-optimizer-disable-next-line heavy-dependency -- reason`.
"#,
        ),
        (
            "Known limits",
            r#"
Without a bundle and without node_modules, packages missing from the e18e
data are not reported (no guess from the name); with a bundle, the
metafile reports what really shipped. TypeScript `import x = require('m')`
is not recognized.
"#,
        ),
        (
            "Without a bundle",
            r#"
When `lint` runs without a bundle, the wrapper measures each imported
package in node_modules (the copy Node and esbuild would find from the
importing file): the module the specifier loads (package.json `exports` with
the `workerd`, `worker`, `browser`, `import` conditions, else `browser`,
`module`, `main`) and every module it statically imports within the package,
up to 400 modules and 8 MB. A package the e18e data does not list is reported when that
measured size is over `threshold` and a bundler would keep all of it: it is
CommonJS, or the import binds the whole module (default, namespace,
`require`, a bare `import 'm'`). The message says the figure is
"measured from node_modules, not bundled"; named imports of an ESM package
are left to the bundle form, which sees what tree-shaking keeps.
"#,
        ),
        (
            "Bundle form",
            r#"
When perf-optimizer analyzes a bundle (`check`, `bundle`, the esbuild plugin),
the same rule id also reports, from the metafile, a package whose bytes in
the output pass a threshold (default 100 KiB; option `threshold`, bytes or a
size such as `"200 KiB"`) or that has a lighter replacement in the e18e data
(from 10 kB in the output), at the first-party import that pulls it in (a listed
package at each import; a package that is only over the threshold once, at the
import on the shortest chain from the entry), with its
bytes and the lighter alternative (Workers table, then e18e data). When the
source rule already reported that import, its message gets the bytes
(`(136.7 KiB in the bundle)`) instead of a second finding. When the package
is also bundled as CommonJS, the finding is the evidence (`related`) of the
[`commonjs-dependency`](commonjs-dependency.md) finding on that import, which
is why all of it ships: one problem, one finding.

```json
{ "rules": { "heavy-dependency": ["warning", { "threshold": "60 KiB" }] } }
```
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// `heavy-dependency`'s options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeavyOptions {
    /// Bundle form: a package from this many bytes in the output is reported.
    #[serde(deserialize_with = "crate::engine::declare::size")]
    pub threshold: u64,
}

impl Default for HeavyOptions {
    fn default() -> Self {
        HeavyOptions {
            threshold: HEAVY_THRESHOLD,
        }
    }
}

impl crate::engine::declare::RuleOptions for HeavyOptions {
    const FIELDS: &'static [crate::engine::declare::OptionField] =
        &[crate::engine::declare::OptionField {
            name: "threshold",
            ty: "number | string",
            default: "102400",
            description: "Bundle form: a package from this size in the output is reported (bytes, or a size such as \"200 KiB\").",
        }];
}

/// Which imports of a package count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Any import, deep ones (`aws-sdk/clients/s3`) included.
    Any,
    /// Only the package root: deep imports (`lodash/get`) load one module.
    RootOnly,
    /// Only a default import or `require()`: named imports tree-shake.
    DefaultOnly,
}

/// A package that is heavy for a Worker (data/workers-heavy-packages.json:
/// sizes measured on the published packages, the lighter way, a concrete
/// fix). Data, not code: the JS wrapper reads it, so the texts stay out of
/// the wasm and are updated without a rebuild.
struct Heavy {
    name: String,
    /// Completes "`moment` …" in the message.
    problem: String,
    /// Completes "… use …" in the message.
    instead: String,
    help: String,
    reach: Reach,
}

static HEAVY_TABLE: OnceLock<Vec<Heavy>> = OnceLock::new();

/// Installs the Workers heavy-package table (data/workers-heavy-packages.json,
/// read by the JS wrapper). The first table installed stays (the package's).
/// Read through `serde_json::Value`, whose reader the wasm has anyway: a
/// derived deserializer would cost more code than the texts it moves out.
pub(crate) fn install_heavy_packages(json: &str) -> Result<(), String> {
    if HEAVY_TABLE.get().is_some() {
        return Ok(());
    }
    let bad = |what: &str| format!("workers-heavy-packages data: {what}");
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let packages = value
        .get("packages")
        .and_then(|p| p.as_array())
        .ok_or_else(|| bad("no `packages` list"))?;
    let mut table = Vec::with_capacity(packages.len());
    for (i, entry) in packages.iter().enumerate() {
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("packages[{i}].{key}: expected a string")))
        };
        let reach = match text("reach")?.as_str() {
            "any" => Reach::Any,
            "rootOnly" => Reach::RootOnly,
            "defaultOnly" => Reach::DefaultOnly,
            other => return Err(bad(&format!("packages[{i}].reach: unknown `{other}`"))),
        };
        table.push(Heavy {
            name: text("name")?,
            problem: text("problem")?,
            instead: text("instead")?,
            help: text("help")?,
            reach,
        });
    }
    let _ = HEAVY_TABLE.set(table);
    Ok(())
}

/// The Workers heavy-package table (empty when none was installed). Native
/// builds (the tests) read the repository's copy.
fn heavy_packages() -> &'static [Heavy] {
    #[cfg(not(target_arch = "wasm32"))]
    if HEAVY_TABLE.get().is_none() {
        install_heavy_packages(include_str!("../../data/workers-heavy-packages.json"))
            .expect("data/workers-heavy-packages.json is valid");
    }
    HEAVY_TABLE.get().map_or(&[], Vec::as_slice)
}

fn heavy_package(name: &str) -> Option<&'static Heavy> {
    heavy_packages().iter().find(|h| h.name == name)
}

/// data/module-replacements.json as scripts/update-replacements.mjs writes it.
#[derive(Deserialize)]
pub(crate) struct Snapshot {
    pub version: String,
    #[serde(rename = "urlPrefixes")]
    url_prefixes: HashMap<String, String>,
    pub modules: HashMap<String, Replacement>,
}

#[derive(Deserialize)]
pub(crate) struct Replacement {
    /// The manifest: `native`, `preferred` or `micro-utilities`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub replacements: Vec<String>,
    pub description: Option<String>,
    pub example: Option<String>,
    url: Option<String>,
}

impl Replacement {
    /// The replacements a Worker can use: other runtimes' APIs (`Bun.*`,
    /// `Deno.*`) are left out.
    fn worker_replacements(&self) -> Vec<&str> {
        self.replacements
            .iter()
            .map(String::as_str)
            .filter(|r| !r.starts_with("Bun.") && !r.starts_with("Deno."))
            .collect()
    }
}

impl Snapshot {
    /// The documentation URL of a module, `mdn:…` prefixes expanded.
    pub(crate) fn url(&self, r: &Replacement) -> Option<String> {
        let url = r.url.as_deref()?;
        if let Some((prefix, rest)) = url.split_once(':') {
            if let Some(base) = self.url_prefixes.get(prefix) {
                return Some(format!("{base}{rest}"));
            }
        }
        Some(url.to_string())
    }
}

static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();

/// Installs the e18e snapshot (data/module-replacements.json, read by the JS
/// wrapper). It is data, not code: kept out of the wasm, it is updated
/// without a rebuild. The first snapshot installed stays (it is the package's).
pub(crate) fn install_replacements(json: &str) -> Result<(), String> {
    if SNAPSHOT.get().is_none() {
        let snapshot =
            crate::model::json::from_str(json).map_err(|e| format!("module-replacements data: {e}"))?;
        let _ = SNAPSHOT.set(snapshot);
    }
    Ok(())
}

/// The e18e module-replacements snapshot, if installed. Native builds (the
/// tests) read the repository's copy.
pub(crate) fn replacements() -> Option<&'static Snapshot> {
    #[cfg(not(target_arch = "wasm32"))]
    if SNAPSHOT.get().is_none() {
        install_replacements(include_str!("../../data/module-replacements.json"))
            .expect("data/module-replacements.json is valid");
    }
    SNAPSHOT.get()
}

/// Whether the e18e dataset lists a lighter replacement for `package` (a
/// native API, a preferred package or one line of code).
pub(crate) fn has_lighter_replacement(package: &str) -> bool {
    replacements().is_some_and(|data| data.modules.contains_key(package))
}

/// The lighter alternative to `package` from the Workers table or the e18e
/// data, for the bundle form of this rule.
pub(crate) fn heavy_alternative(package: &str) -> Option<String> {
    if let Some(h) = heavy_package(package) {
        return Some(h.instead.clone());
    }
    let entry = replacements()?.modules.get(package)?;
    let names = entry.worker_replacements();
    if names.is_empty() {
        Some("native code (see the e18e module-replacements entry)".into())
    } else {
        Some(or_list(&names))
    }
}

struct HeavyDependency {
    options: HeavyOptions,
}

/// The measurement of what `specifier` loads from the node_modules nearest
/// above `file` (the folder Node and esbuild would find it in).
fn installed<'p>(
    project: &'p crate::model::project::ProjectInfo,
    file: &str,
    specifier: &str,
) -> Option<&'p crate::model::project::InstalledPackage> {
    use crate::semantic::resolve::normalize;
    let file = normalize(file);
    let ups = |p: &str| p.split('/').take_while(|s| *s == "..").count();
    let contains = |scope: &str| {
        let scope = normalize(scope);
        let scope = scope.trim_start_matches("./");
        if scope.is_empty() || scope == "." {
            ups(&file) == 0
        } else if scope.split('/').all(|s| s == "..") {
            ups(&file) <= ups(scope)
        } else {
            file.starts_with(&format!("{scope}/"))
        }
    };
    project
        .installed
        .iter()
        .filter(|m| m.specifier == specifier && contains(&m.scope))
        .max_by_key(|m| (m.scope.len(), ups(&m.scope) == 0))
}

/// ` (150 KiB measured from node_modules, not bundled)`, for a message.
fn measured_tag(m: &crate::model::project::InstalledPackage) -> String {
    format!(
        "{}{} measured from node_modules, not bundled",
        if m.complete { "" } else { "at least " },
        crate::model::text::bytes(m.bytes)
    )
}

impl HeavyDependency {
    /// Whether what the import loads, measured in node_modules, is over the
    /// threshold and a bundler would keep all of it: CommonJS, or the whole
    /// module imported (default, namespace, `require`, a bare `import 'm'`).
    fn keeps_too_much(
        &self,
        m: &crate::model::project::InstalledPackage,
        import: &crate::semantic::imports::ModuleRef,
        node: Node<'_>,
    ) -> bool {
        let side_effect_only = matches!(node, Node::Import(i) if i.specifiers.is_empty());
        m.bytes >= self.options.threshold && (m.cjs || import.whole_module || side_effect_only)
    }

    /// A package the e18e data does not list: reported when what the import loads,
    /// measured in node_modules, is over the threshold and a bundler would
    /// keep it (CommonJS, or the whole module imported). Silent without a
    /// measurement: no guess from the name.
    fn measured(
        &self,
        import: &crate::semantic::imports::ModuleRef,
        node: Node<'_>,
        cx: &mut LintContext<'_>,
    ) {
        let Some(m) = installed(cx.project, cx.path, &import.source) else {
            return;
        };
        if !self.keeps_too_much(m, import, node) {
            return;
        }
        let source = &import.source;
        let why = if m.cjs {
            "CommonJS, so the bundle keeps all of it"
        } else {
            "the import binds the whole module"
        };
        let message = format!(
            "`{source}` loads {} ({} module{} from `{}`; {why}): more than the {} threshold",
            measured_tag(m),
            m.modules,
            if m.modules == 1 { "" } else { "s" },
            m.entry,
            crate::model::text::bytes(self.options.threshold)
        );
        let help = format!(
            "Check what you use of `{source}`: import only that (a deep import, or named imports from an ESM build), load it on the path that needs it with `await import('{source}')`, or pick a lighter package. `perf-optimizer check` measures what the bundle keeps."
        );
        cx.report(import.span, message, help);
    }
}

impl Rule for HeavyDependency {
    fn interests(&self) -> &'static [NodeKind] {
        NodeKind::MODULE_REFS
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Some(import) = module_ref(node, cx) else {
            return;
        };
        let Some(package) = package_name(&import.source) else {
            return;
        };
        if polyfill_of(package).is_some() {
            return; // node-polyfill-import's
        }
        // Named only in the import: the compiler removes it.
        if erased_when_compiled(node, &cx.file.model) {
            return;
        }
        // `crypto.randomUUID()` makes version 4 UUIDs only: an import of
        // uuid's other versions (`import { v7 } from 'uuid'`) has no
        // built-in replacement.
        if package == "uuid" && names_only_other_than(node, "v4") {
            return;
        }
        let source = &import.source;

        if let Some(heavy) = heavy_package(package) {
            let counts = match heavy.reach {
                Reach::Any => true,
                Reach::RootOnly => subpath(source).is_none(),
                Reach::DefaultOnly => {
                    import.kind == RefKind::Require
                        || matches!(node, Node::Import(i) if i.specifiers.iter().any(|s| matches!(s, ImportSpecifier::Default(_))))
                }
            };
            // The table says how to fix it; whether the import is heavy comes
            // from the e18e dataset (a lighter replacement exists) or from
            // the package measured in node_modules, never from the name alone.
            let measured = installed(cx.project, cx.path, source);
            let heavy_by_size = measured.is_some_and(|m| self.keeps_too_much(m, &import, node));
            if counts && (has_lighter_replacement(package) || heavy_by_size) {
                let measured = measured
                    .map(|m| format!(" ({})", measured_tag(m)))
                    .unwrap_or_default();
                cx.report(
                    import.span,
                    format!(
                        "`{source}` {}: use {}{measured}",
                        heavy.problem, heavy.instead
                    ),
                    &heavy.help,
                );
            }
            return;
        }

        let entry = replacements().and_then(|data| Some((data, data.modules.get(package)?)));
        let Some((data, entry)) = entry else {
            self.measured(&import, node, cx);
            return;
        };
        let names = entry.worker_replacements();
        let docs = data
            .url(entry)
            .map(|u| format!(" See {u} (e18e module-replacements {}).", data.version))
            .unwrap_or_default();
        let (message, help) = match (entry.kind.as_str(), names.is_empty()) {
            ("micro-utilities", _) => (
                format!(
                    "`{package}` is a micro-utility: a dependency (and a module to evaluate at startup) for one line of code"
                ),
                match &entry.example {
                    Some(example) => format!(
                        "Inline it: `{}`, then remove `{package}`.{docs}",
                        one_line(example)
                    ),
                    None => format!(
                        "{} Then remove `{package}`.{docs}",
                        entry.description.as_deref().unwrap_or("Inline it.")
                    ),
                },
            ),
            ("native", false) => (
                format!(
                    "`{package}` re-implements what the runtime has built in: use {}",
                    or_list(&names)
                ),
                format!(
                    "Replace `{package}` with the built-in `{}`, then remove the dependency.{docs}",
                    names[0]
                ),
            ),
            (_, false) => (
                format!(
                    "`{package}` has lighter, maintained alternatives: {}",
                    or_list(&names)
                ),
                format!("Switch to {}.{docs}", or_list(&names)),
            ),
            (_, true) => (
                format!("`{package}` can be replaced by native code"),
                format!(
                    "{}{docs}",
                    entry
                        .description
                        .as_deref()
                        .unwrap_or("Use the built-in equivalent and remove the dependency.")
                ),
            ),
        };
        cx.report(import.span, message, help);
    }
}

/// Whether `node` is an `import { … }` of named exports only, none of them `name`.
fn names_only_other_than(node: Node<'_>, name: &str) -> bool {
    let Node::Import(import) = node else {
        return false;
    };
    !import.specifiers.is_empty()
        && import.specifiers.iter().all(|s| match s {
            ImportSpecifier::Named(named) => {
                let imported = match &named.imported {
                    Some(swc_core::ecma::ast::ModuleExportName::Ident(id)) => id.sym.as_str(),
                    Some(swc_core::ecma::ast::ModuleExportName::Str(s)) => {
                        s.value.as_str().unwrap_or_default()
                    }
                    None => named.local.sym.as_str(),
                };
                imported != name
            }
            _ => false,
        })
}

fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn one_line(code: &str) -> String {
    code.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::project::{InstalledPackage, ProjectInfo};
    use crate::rules::test_util::{assert_fires, assert_silent, Case};

    #[test]
    fn snapshot_parses_and_covers_the_workers_table() {
        let data = replacements().unwrap();
        assert!(!data.version.is_empty());
        assert!(data.modules.len() > 500);
        let moment = &data.modules["moment"];
        assert_eq!(moment.kind, "preferred");
        assert_eq!(
            data.url(moment).as_deref(),
            Some("https://e18e.dev/docs/replacements/moment")
        );
        assert!(data
            .url(&data.modules["left-pad"])
            .unwrap()
            .starts_with("https://developer.mozilla.org/"));
    }

    /// A package of the Workers table that the e18e dataset also lists: the
    /// table's concrete fix in the message, whatever is installed.
    #[test]
    fn fires_on_heavy_packages() {
        assert_fires(
            "heavy-dependency",
            r#"import moment from 'moment';
import _ from 'lodash';
import { pick } from 'lodash';
import axios from 'axios';
import { v4 as uuidv4 } from 'uuid';
export { default as fetch } from 'node-fetch';
import lodashEs from 'lodash-es';
import jwt from 'jsonwebtoken';
export const used = [moment, _, pick, axios, uuidv4, lodashEs, jwt];
"#,
            &[
                (1, "`moment` is heavy for a Worker (~176 KiB unminified"),
                // (One finding in the report: `analyze` merges a package's imports.)
                (2, "`lodash` is heavy"),
                (3, "`lodash` is heavy"),
                (4, "`axios` is not needed in a Worker"),
                (5, "crypto.randomUUID()"),
                (6, "`node-fetch` is not needed"),
                (7, "default import pulls in all of lodash-es"),
                (8, "use jose or Web Crypto"),
            ],
        );
    }

    /// A package only the hand-kept Workers table names is heavy when it is
    /// measured so in node_modules (the table then gives the fix), and is
    /// never reported from its name alone.
    #[test]
    fn the_workers_table_alone_decides_nothing() {
        let src = "const AWS = require('aws-sdk');\nimport S3 from 'aws-sdk/clients/s3';\nimport 'core-js/stable';\nimport Database from 'better-sqlite3';\nimport tz from 'moment-timezone';\nexport const used = [S3, Database, tz];\n";
        installed_case(&[("src/index.ts", src)], vec![]).assert_silent();
        let found = installed_case(
            &[("src/index.ts", src)],
            vec![
                measured("aws-sdk", ".", 3_000_000, true),
                measured("aws-sdk/clients/s3", ".", 900_000, true),
                measured("core-js/stable", ".", 400_000, true),
                measured("better-sqlite3", ".", 30_000, true),
                measured("moment-timezone", ".", 60_000, true),
            ],
        )
        .assert_fires(&[
            ("src/index.ts", 1, "`aws-sdk` (AWS SDK v2) is heavy"),
            ("src/index.ts", 2, "`aws-sdk/clients/s3`"),
            ("src/index.ts", 3, "`core-js/stable`"),
        ]);
        assert!(found[0].message.ends_with("(2.86 MiB measured from node_modules, not bundled)"), "{}", found[0].message);
    }

    /// A TypeScript import whose names the file never uses is removed by
    /// the compiler (found on code-push-cloudflare-workers: an unused
    /// `import qs from 'qs'`); a JavaScript one, or a side-effect import,
    /// still loads the package.
    #[test]
    fn silent_on_imports_the_compiler_removes() {
        use crate::rules::test_util::Case;
        let unused = "import moment from 'moment';\nimport { pick } from 'lodash';\nexport const x = 1; // moments\n";
        let case = |path: &str| Case::new().rules(&["heavy-dependency"]).file(path, unused).places();
        assert_eq!(case("src/a.ts"), []);
        assert_eq!(case("src/a.tsx"), []);
        assert_eq!(
            case("src/a.js"),
            [("src/a.js".into(), 1, "heavy-dependency".into()), ("src/a.js".into(), 2, "heavy-dependency".into())]
        );
        let used = "import moment from 'moment';\nimport 'lodash';\nexport const d = (x: Date) => moment(x);\n";
        assert_eq!(
            Case::new().rules(&["heavy-dependency"]).file("src/b.ts", used).places(),
            [("src/b.ts".into(), 1, "heavy-dependency".into()), ("src/b.ts".into(), 2, "heavy-dependency".into())]
        );
    }

    #[test]
    fn fires_from_the_dataset() {
        assert_fires(
            "heavy-dependency",
            r#"import leftPad from 'left-pad';
import chalk from 'chalk';
import objectAssign from 'object-assign';
export const used = [leftPad, chalk, objectAssign];
"#,
            &[
                (1, "`left-pad` re-implements what the runtime has built in: use `String.prototype.padStart`"),
                (2, "`chalk` has lighter, maintained alternatives: `util.styleText`, `picocolors` or `ansis`"),
                (3, "use `Object.assign`"),
            ],
        );
    }

    #[test]
    fn help_is_concrete() {
        let found = crate::rules::test_util::lint_with(
            "heavy-dependency",
            "test.ts",
            "import isNumber from 'is-number';\nimport moment from 'moment';\nimport b from 'bcrypt';\nexport const used = [isNumber, moment, b];\n",
        );
        // Micro-utilities (is-number) are not in the snapshot: they cost a Worker nothing.
        assert_eq!(found.len(), 2);
        assert!(found[0].help.contains("await import('moment')"));
        assert!(found[0].help.contains("Intl.DateTimeFormat"));
        assert!(found[0]
            .message
            .contains("use Intl.DateTimeFormat, date-fns or Temporal"));
        assert!(!found[1].message.contains("Bun."));
        assert!(found[1].help.contains("PBKDF2"));
    }

    #[test]
    fn silent_on_light_or_deferred_imports() {
        assert_silent(
            "heavy-dependency",
            r#"import type { Moment } from 'moment';
import { type LoDashStatic } from 'lodash';
export type { AxiosInstance } from 'axios';
import get from 'lodash/get';
const pick = require('lodash/pick');
import { groupBy, pick as pick2 } from 'lodash-es';
import * as es from 'lodash-es';
import { format } from 'date-fns';
import { Buffer } from 'buffer';
import { StringDecoder } from 'string_decoder';
import { helper } from './moment';
import { v7 as uuidv7, validate } from 'uuid';
import { Hono } from 'hono';
export async function later() {
  const { default: moment } = await import('moment');
  const _ = await import('lodash');
  return moment().format() + _.VERSION;
}
function local(require: (m: string) => unknown) { return require('moment'); }
"#,
        );
    }

    fn measured(specifier: &str, scope: &str, bytes: u64, cjs: bool) -> InstalledPackage {
        InstalledPackage {
            specifier: specifier.into(),
            scope: scope.into(),
            path: format!("{scope}/node_modules/{specifier}"),
            entry: format!("{scope}/node_modules/{specifier}/index.js"),
            bytes,
            modules: 3,
            complete: true,
            cjs,
        }
    }

    fn installed_case(files: &[(&str, &str)], installed: Vec<InstalledPackage>) -> Case {
        Case::new()
            .rules(&["heavy-dependency"])
            .files(files.iter().copied())
            .project(ProjectInfo {
                installed,
                ..ProjectInfo::default()
            })
    }

    /// Without a bundle, a package the e18e data does not list is reported when what
    /// the import loads, measured in node_modules, is over the threshold
    /// and a bundler keeps it all: CommonJS, or the whole module imported.
    #[test]
    fn fires_on_a_big_installed_package() {
        let found = installed_case(
            &[
                ("src/index.ts", "import big from 'big-cjs';\nimport * as esm from 'big-esm';\nimport 'big-esm/polyfill';\nexport default { fetch() { return new Response(big + esm); } };\n"),
                ("src/lib/a.ts", "import { one } from 'big-cjs';\nexport const a = one;\n"),
            ],
            vec![
                measured("big-cjs", ".", 250_000, true),
                measured("big-esm", ".", 180_000, false),
                measured("big-esm/polyfill", ".", 120_000, false),
            ],
        )
        .assert_fires(&[
            ("src/index.ts", 1, "`big-cjs` loads 244.1 KiB measured from node_modules, not bundled (3 modules from `./node_modules/big-cjs/index.js`; CommonJS"),
            ("src/index.ts", 2, "`big-esm` loads 175.8 KiB measured from node_modules, not bundled (3 modules from `./node_modules/big-esm/index.js`; the import binds the whole module): more than the 100 KiB threshold"),
            ("src/index.ts", 3, "`big-esm/polyfill` loads 117.2 KiB"),
            ("src/lib/a.ts", 1, "`big-cjs` loads 244.1 KiB"),
        ]);
        assert!(found[0].help.contains("await import('big-cjs')"));
        // The threshold is the rule's option; an incomplete count is a floor.
        let mut partial = measured("big-cjs", ".", 9_000_000, true);
        partial.complete = false;
        installed_case(&[("src/index.ts", "import big from 'big-cjs';\nexport default big;\n")], vec![partial])
            .config(r#"{"rules":{"heavy-dependency":["warn",{"threshold":"10 MB"}]}}"#)
            .assert_silent();
        let mut partial = measured("big-cjs", ".", 9_000_000, true);
        partial.complete = false;
        installed_case(&[("src/index.ts", "import big from 'big-cjs';\nexport default big;\n")], vec![partial])
            .assert_fires(&[("src/index.ts", 1, "loads at least 8.58 MiB measured from node_modules")]);
    }

    /// A small package, named imports of an ESM package (tree-shaken), a
    /// type-only or dynamic import, a package measured under another
    /// folder's node_modules, and no measurement at all: silent.
    #[test]
    fn silent_on_small_type_only_or_unmeasured_packages() {
        installed_case(
            &[
                ("apps/api/src/index.ts", "import small from 'small';\nimport { pick } from 'big-esm';\nimport type { Big } from 'big-cjs';\nimport { type Other } from 'big-cjs';\nimport huge from 'unmeasured';\nexport async function later() { return (await import('big-cjs')).default; }\n"),
                ("apps/web/src/main.ts", "import big from 'big-cjs';\n"),
            ],
            vec![
                measured("small", ".", 4_000, true),
                measured("big-esm", ".", 400_000, false),
                measured("big-cjs", "apps/api", 400_000, true),
                measured("big-cjs", "apps/other", 400_000, true),
            ],
        )
        .file("apps/api/src/unused.ts", "export {};\n")
        .assert_fires(&[]);
    }

    /// The nearest node_modules above the importing file wins (a nested
    /// copy over the hoisted one); the workers-table finding gets the
    /// measured size.
    #[test]
    fn nearest_installed_copy_and_table_findings_take_the_measurement() {
        installed_case(
            &[
                ("apps/api/src/index.ts", "import big from 'big-cjs';\nimport moment from 'moment';\nexport const used = [big, moment];\n"),
                ("src/index.ts", "import big from 'big-cjs';\nexport default big;\n"),
            ],
            vec![
                measured("big-cjs", ".", 120_000, true),
                measured("big-cjs", "apps/api", 300_000, true),
                measured("moment", "../..", 180_000, true),
            ],
        )
        .assert_fires(&[
            ("apps/api/src/index.ts", 1, "`big-cjs` loads 293 KiB"),
            ("apps/api/src/index.ts", 2, "`moment` is heavy for a Worker (~176 KiB unminified, ~59 KiB minified, ~381 KiB with all locales; CommonJS, so none of it is tree-shaken): use Intl.DateTimeFormat, date-fns or Temporal (175.8 KiB measured from node_modules, not bundled)"),
            ("src/index.ts", 1, "`big-cjs` loads 117.2 KiB"),
        ]);
    }
}
