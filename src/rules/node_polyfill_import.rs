//! `node-polyfill-import`: an import of an npm polyfill of a Node built-in
//! (`buffer`, `events`, `stream-browserify`, …). With the `nodejs_compat`
//! flag the Workers runtime provides these modules natively as `node:…`;
//! the polyfill is bundled JavaScript that is parsed and evaluated at every
//! cold start.
//!
//! Two kinds of names: bare built-in names that are also npm packages
//! (`buffer`, `util`: which one you get depends on the bundler and the flag)
//! and packages that can only be the polyfill (`stream-browserify`).

use crate::engine::context::Node;
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::semantic::imports::{erased_when_compiled, module_ref, package_name};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "node-polyfill-import", ColdStart, Warning,
    "An npm polyfill of a Node built-in (`buffer`, `stream-browserify`, …): import `node:…` with nodejs_compat instead.",
    |_| Box::new(NodePolyfillImport)
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
Imports (`import`, `export … from`, `require`) of npm polyfills of Node
built-ins:

One finding per package: where the same package is imported in several
files (or twice in one), the first import carries it and the others are its
related places.

- names shared by a Node built-in and its npm polyfill: `buffer`, `process`,
  `events`, `util`, `assert`, `url`, `querystring`, `string_decoder`,
  `punycode`, `path` (also with a trailing slash or a subpath, e.g. `buffer/`,
  `process/browser`);
- packages that can only be the polyfill: `stream-browserify`,
  `readable-stream`, `path-browserify`, `crypto-browserify`, `os-browserify`,
  `browserify-zlib`, `https-browserify`, `stream-http`, `timers-browserify`,
  `tty-browserify`, `constants-browserify`, `domain-browser`,
  `querystring-es3`, and `vm-browserify` / `console-browserify` (no use in a
  Worker at all).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
With the `nodejs_compat` compatibility flag the Workers runtime provides these
modules natively as `node:buffer`, `node:stream`, `node:crypto`, … A polyfill is
JavaScript bundled into the script and evaluated at every cold start (1 s
startup limit); `crypto-browserify` alone pulls in dozens of modules. For the
shared names, which module you get depends on the build tool and the flag:
wrangler maps a bare `buffer` to the runtime's module when `nodejs_compat` is
on, while without the flag (or with a tool that does not do this mapping) the
npm package is bundled. `node:buffer` is unambiguous everywhere.

When the project's wrangler config does not set `nodejs_compat`, the help also
says to add it:

```toml
compatibility_flags = ["nodejs_compat"]
```
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { Buffer } from 'buffer';
import { Readable } from 'readable-stream';

export const toBase64 = (text: string) => Buffer.from(text).toString('base64');
export const lines = (items: string[]) => Readable.from(items);
```
"#,
        ),
        (
            "Good",
            r#"
```ts
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';

export const toBase64 = (text: string) => Buffer.from(text).toString('base64');
export const lines = (items: string[]) => Readable.from(items);
```

Often no import is needed at all: `crypto.subtle` instead of `crypto-browserify`,
`CompressionStream` instead of `browserify-zlib`, `fetch` instead of `stream-http`,
`URL`/`URLSearchParams` instead of `url`/`querystring`.
"#,
        ),
        (
            "Not reported",
            r#"
- `node:` imports (`node:buffer`, `node:events`).
- Type-only imports (`import type { Readable } from 'stream-browserify'`), and
  TypeScript imports whose names the file never uses (the compiler removes them).
- Dynamic `import('buffer')`.
- Lookalike packages (`buffer-layout`) and local files (`./util`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
Bare built-in names without an npm polyfill of the same name (`fs`, `crypto`,
`stream`) are not reported. Polyfills injected by a bundler plugin (not imported
in the source) are found by the bundle analysis, not by this rule.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Bare names shared by a Node built-in and its npm polyfill.
const SHARED_NAMES: &[&str] = &[
    "assert",
    "buffer",
    "events",
    "path",
    "process",
    "punycode",
    "querystring",
    "string_decoder",
    "url",
    "util",
];

/// npm polyfill packages → the built-in they stand for (`None`: none in Workers).
const POLYFILLS: &[(&str, Option<&str>)] = &[
    ("browserify-zlib", Some("node:zlib")),
    ("console-browserify", None),
    ("constants-browserify", Some("node:constants")),
    ("crypto-browserify", Some("node:crypto")),
    ("domain-browser", Some("node:domain")),
    ("https-browserify", Some("node:https")),
    ("os-browserify", Some("node:os")),
    ("path-browserify", Some("node:path")),
    ("querystring-es3", Some("node:querystring")),
    ("readable-stream", Some("node:stream")),
    ("stream-browserify", Some("node:stream")),
    ("stream-http", Some("node:http")),
    ("timers-browserify", Some("node:timers")),
    ("tty-browserify", Some("node:tty")),
    ("vm-browserify", None),
];

/// A lighter option than the Node module, when the platform has one.
fn web_alternative(builtin: &str) -> Option<&'static str> {
    Some(match builtin {
        "node:crypto" => {
            "Web Crypto (`crypto.subtle`, `crypto.getRandomValues`) needs no import at all"
        }
        "node:zlib" => "`CompressionStream`/`DecompressionStream` need no import at all",
        "node:http" | "node:https" => "the global `fetch` needs no import at all",
        "node:querystring" => "the global `URLSearchParams` needs no import at all",
        "node:url" => "the global `URL` needs no import at all",
        "node:punycode" => "`new URL()` converts IDN hostnames without it",
        _ => return None,
    })
}

/// What a polyfill import should become: `Some(Some("node:buffer"))`, or
/// `Some(None)` for a polyfill without a Workers counterpart; `None` when
/// `package` is not a polyfill. Also used by `heavy-dependency` to leave
/// these packages to this rule.
pub(crate) fn polyfill_of(package: &str) -> Option<Option<String>> {
    if SHARED_NAMES.contains(&package) {
        return Some(Some(format!("node:{package}")));
    }
    POLYFILLS
        .iter()
        .find(|(name, _)| *name == package)
        .map(|(_, builtin)| builtin.map(str::to_string))
}

struct NodePolyfillImport;

impl Rule for NodePolyfillImport {
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
        let Some(builtin) = polyfill_of(package) else {
            return;
        };
        // Named only in the import: the compiler removes it.
        if erased_when_compiled(node, &cx.file.model) {
            return;
        }
        let source = &import.source;
        let compat = cx.project.nodejs_compat;
        let enable = "add `compatibility_flags = [\"nodejs_compat\"]` to wrangler.toml \
                      (`\"compatibility_flags\": [\"nodejs_compat\"]` in wrangler.json) and ";

        let Some(builtin) = builtin else {
            let what = if package == "console-browserify" {
                "`console` is a global in Workers"
            } else {
                "Workers do not evaluate code at runtime (no `eval`, no `new Function`)"
            };
            cx.report(
                import.span,
                format!("`{source}` is a browserify polyfill with no use in a Worker: {what}"),
                format!("Remove the import of `{source}` and the dependency."),
            );
            return;
        };

        let shared = SHARED_NAMES.contains(&package);
        let message = if shared && compat {
            format!(
                "`{source}` names both Node's built-in and the npm polyfill of the same name: \
                 which one is bundled depends on the build tool; write `{builtin}`"
            )
        } else if shared {
            format!(
                "`{source}` resolves to the npm polyfill, bundled and evaluated at every cold start: \
                 use `{builtin}` (with nodejs_compat)"
            )
        } else {
            format!(
                "`{source}` bundles an npm polyfill of `{builtin}`, evaluated at every cold start: \
                 use `{builtin}` (with nodejs_compat)"
            )
        };
        let mut help = capitalize(&format!(
            "{}import from `{builtin}` instead of `{source}` (e.g. `{}`), then drop `{package}` from package.json.",
            if compat { "" } else { enable },
            example_import(&builtin),
        ));
        if let Some(web) = web_alternative(&builtin) {
            help.push_str(&format!(" Often {web}."));
        }
        cx.report(import.span, message, help);
    }
}

fn example_import(builtin: &str) -> String {
    match builtin {
        "node:buffer" => "import { Buffer } from 'node:buffer'".into(),
        "node:events" => "import { EventEmitter } from 'node:events'".into(),
        "node:stream" => "import { Readable } from 'node:stream'".into(),
        "node:util" => "import { promisify } from 'node:util'".into(),
        "node:process" => "import process from 'node:process'".into(),
        "node:string_decoder" => "import { StringDecoder } from 'node:string_decoder'".into(),
        other => {
            let name = other.trim_start_matches("node:");
            format!("import * as {name} from '{other}'")
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => std::iter::once(c.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::project::ProjectInfo;
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_polyfills() {
        assert_fires(
            "node-polyfill-import",
            r#"import { Buffer } from 'buffer';
import { Readable } from 'stream-browserify';
import type { Foo } from 'events';
const qs = require('querystring-es3');
import path from 'path-browserify';
import { EventEmitter } from 'events/';
import vm from 'vm-browserify';
import process from 'process/browser';
export const used = [Buffer, Readable, path, EventEmitter, vm, process];
"#,
            &[
                (1, "`buffer` resolves to the npm polyfill"),
                (
                    2,
                    "`stream-browserify` bundles an npm polyfill of `node:stream`",
                ),
                (
                    4,
                    "`querystring-es3` bundles an npm polyfill of `node:querystring`",
                ),
                (5, "`node:path`"),
                (6, "use `node:events`"),
                (7, "no use in a Worker"),
                (8, "use `node:process`"),
            ],
        );
    }

    #[test]
    fn help_adds_the_flag_only_without_nodejs_compat() {
        let source = "import { Buffer } from 'buffer';\nexport const bytes = Buffer.from('a');\n";
        let case = || {
            crate::rules::test_util::Case::new()
                .file("test.ts", source)
                .rules(&["node-polyfill-import"])
        };
        let without = case().run();
        assert_eq!(without.len(), 1);
        assert!(without[0]
            .help
            .contains("compatibility_flags = [\"nodejs_compat\"]"));
        assert!(without[0]
            .help
            .contains("import { Buffer } from 'node:buffer'"));

        let with = case()
            .project(ProjectInfo {
                nodejs_compat: true,
                ..ProjectInfo::default()
            })
            .run();
        assert_eq!(with.len(), 1);
        assert!(!with[0].help.contains("compatibility_flags"));
        assert!(with[0].message.contains("write `node:buffer`"));
    }

    #[test]
    fn silent_on_node_builtins_and_lookalikes() {
        assert_silent(
            "node-polyfill-import",
            r#"import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { Readable } from 'stream-browserify';
import { type Foo } from 'util';
import { Hono } from 'hono';
import { helper } from './util';
import { x } from 'buffer-layout';
const later = await import('buffer');
const { Buffer: B } = require('node:buffer');
function f(require: (m: string) => unknown) { return require('events'); }
"#,
        );
    }
}
