//! `unbounded-memory-cache`: a module-scope `Map`, `Set` or object used as a cache
//! on the request path — filled under a key that comes from the request or
//! names a user, a client or a record, and read back later — that nothing
//! bounds: no entry is ever deleted, its size is never checked, it is never
//! reset. Module state lives as long as the isolate, so such a cache grows
//! with every distinct key toward the isolate's memory limit.
//!
//! A cache keyed by configuration (a connection string, an environment
//! value, a version) has few keys and is fine; so is one with any eviction.

use swc_core::atoms::Atom;
use swc_core::common::{BytePos, Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{method_name, unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::model::collections::Words;
use crate::model::report::Related;
use crate::model::text::limit;

use super::words::identifier_words;

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "unbounded-memory-cache", Memory, Warning,
    "A module-scope cache filled per request with keys from the request, and nothing that removes entries: it grows until the isolate's memory limit.",
    |_| Box::<UnboundedMemoryCache>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A module-scope `new Map()`, `new Set()` or empty object literal that a
function fills (`cache.set(key, value)`, `seen.add(key)`,
`cache[key] = value`) and reads back (`cache.get(key)`, `cache.has(key)`,
`cache[key]`), when:

- the key comes from the request or names a caller or a record: the key's
  text (or the initializer of the local it is read from) mentions the
  request, a path or query, a header or cookie, an IP address, a user,
  email, token or session, or an id;
- nothing bounds it: no `delete`/`clear` (or `delete cache[key]`), no check
  of its `.size` (or `Object.keys(cache)`), no reassignment that resets it.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Module state lives as long as the isolate, which serves many requests. A
cache keyed by something every caller brings (an IP, a user id, a URL) gains
an entry with each new caller and never loses one: the isolate's memory
(128 MB, shared with everything else it holds) fills up, garbage collection
gets slower on the way, and at the limit the isolate is restarted, cache and
in-flight requests included.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const profiles = new Map<string, Profile>();

export default {
  async fetch(request: Request, env: Env) {
    const userId = new URL(request.url).searchParams.get('user') ?? '';
    let profile = profiles.get(userId);
    if (!profile) {
      profile = await env.DB.prepare('SELECT * FROM profiles WHERE id = ?').bind(userId).first<Profile>();
      profiles.set(userId, profile!);
    }
    return Response.json(profile);
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const MAX_ENTRIES = 500;
const profiles = new Map<string, Profile>();

export default {
  async fetch(request: Request, env: Env) {
    const userId = new URL(request.url).searchParams.get('user') ?? '';
    let profile = profiles.get(userId);
    if (!profile) {
      profile = await env.DB.prepare('SELECT * FROM profiles WHERE id = ?').bind(userId).first<Profile>();
      profiles.set(userId, profile!);
      // A Map keeps insertion order: drop the oldest entry.
      if (profiles.size > MAX_ENTRIES) profiles.delete(profiles.keys().next().value!);
    }
    return Response.json(profile);
  },
};
```
"#,
        ),
        (
            "Not reported",
            r#"
- Caches with any eviction or size check (an LRU, a TTL that deletes
  expired entries, a periodic `clear()`), and caches that are reset.
- Caches keyed by configuration or code: a connection string, an
  environment value, a version, a constant.
- Collections that are written but never read back (see
  `request-state-in-global`), WeakMaps, Durable Object fields, and writes at
  module scope.
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
Whether a key comes from the request is read from its text (and the
initializer of the local it names), not traced through calls: a helper
`remember(key, value)` called with request data is not seen, and a key
named like a request value but bounded by other means may be reported.
Eviction anywhere in the file counts, even if it cannot run.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Words in a key's text that say it comes from the request or names a
/// caller or a record (compared with the key's words, camelCase split).
static REQUEST_KEY_WORDS: Words = Words::new(&[
    "request", "req", "pathname", "path", "search", "query", "param", "params",
    "header", "headers", "cookie", "cookies", "body", "ip", "user", "email", "token", "session",
    "id", "ids", "uuid", "account", "customer", "visitor", "device", "phone", "address",
]);

/// A module-scope cache candidate.
struct Candidate {
    name: Atom,
    /// The declaring identifier (where the finding points).
    decl: Span,
    kind: Collection,
}

#[derive(Clone, Copy, PartialEq)]
enum Collection {
    /// `new Map()`: filled by `set(key, …)`.
    Map,
    /// `new Set()`: filled by `add(key)`, read by `has(key)`.
    Set,
    /// `{}`: filled by `cache[key] = …`.
    Object,
}

/// A write that adds an entry under a computed key, inside a function.
struct Fill {
    name: Atom,
    /// The identifier written to (a module binding when reported).
    object: BytePos,
    span: Span,
    key: Span,
    /// The key is a plain identifier: its initializer is read too.
    key_ident: Option<Ident>,
}

#[derive(Default)]
struct UnboundedMemoryCache {
    candidates: Vec<Candidate>,
    fills: Vec<Fill>,
}

impl Rule for UnboundedMemoryCache {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::VarDeclarator, NodeKind::Call, NodeKind::Assign]
    }

    fn call_names(&self) -> Option<&'static Words> {
        static FILLS: Words = Words::new(&["set", "add"]);
        Some(&FILLS)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::VarDeclarator(d) => {
                if !cx.at_module_scope() {
                    return;
                }
                let (Pat::Ident(name), Some(init)) = (&d.name, d.init.as_deref()) else {
                    return;
                };
                // `new Map()`, `new Set()`, or an empty object literal.
                let kind = match unwrap_expr(init) {
                    Expr::New(n) => match unwrap_expr(&n.callee) {
                        Expr::Ident(c) if c.sym == "Map" => Collection::Map,
                        Expr::Ident(c) if c.sym == "Set" => Collection::Set,
                        _ => return,
                    },
                    Expr::Object(o) if o.props.is_empty() => Collection::Object,
                    _ => return,
                };
                self.candidates.push(Candidate {
                    name: name.id.sym.clone(),
                    decl: name.id.span,
                    kind,
                });
            }
            Node::Call(call) => {
                if self.candidates.is_empty() || cx.at_module_scope() {
                    return;
                }
                let Some(method) = method_name(call) else { return };
                let method = if method == "set" {
                    Collection::Map
                } else if method == "add" {
                    Collection::Set
                } else {
                    return;
                };
                let Callee::Expr(callee) = &call.callee else { return };
                let Expr::Member(m) = unwrap_expr(callee) else { return };
                let (Expr::Ident(object), Some(key)) = (unwrap_expr(&m.obj), call.args.first()) else {
                    return;
                };
                self.fill(object, method, &key.expr, call.span);
            }
            Node::Assign(a) => {
                if self.candidates.is_empty() || cx.at_module_scope() || a.op != AssignOp::Assign {
                    return;
                }
                let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left else {
                    return;
                };
                let (Expr::Ident(object), MemberProp::Computed(key)) = (unwrap_expr(&m.obj), &m.prop) else {
                    return;
                };
                self.fill(object, Collection::Object, &key.expr, a.span);
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        let fills = std::mem::take(&mut self.fills);
        for candidate in std::mem::take(&mut self.candidates) {
            let name = candidate.name.as_str();
            let mine = |f: &&Fill| {
                f.name == candidate.name
                    && cx.module_binding_at(&f.name, f.object).is_some()
            };
            let fills_of: Vec<&Fill> = fills.iter().filter(mine).collect();
            // The fills whose key comes from the request; the first is named.
            let from_request: Vec<&&Fill> = fills_of.iter().filter(|f| request_key(f, cx)).collect();
            let Some(fill) = from_request.first() else {
                continue;
            };
            if !read_back(cx.source, &candidate, fills_of.len()) || bounded(cx.source, name) {
                continue;
            }
            let key = crate::engine::context::one_line(&cx.snippet(fill.key));
            // Each fill: the finding is about the code that fills it (left
            // out when none of it runs: `engine::uncalled`).
            let related = from_request
                .iter()
                .map(|f| {
                    let at = cx.loc(f.span);
                    Related {
                        file: cx.path.to_string(),
                        line: at.line,
                        column: at.column,
                        message: format!("filled here, keyed by `{}`", crate::engine::context::one_line(&cx.snippet(f.key))),
                    }
                })
                .collect();
            let what = match candidate.kind {
                Collection::Map => format!("module-scope Map `{name}` caches values per request under keys from the request (`{key}`)"),
                Collection::Set => format!("module-scope Set `{name}` remembers values from the request (`{key}`)"),
                Collection::Object => format!("module-scope object `{name}` caches values per request under keys from the request (`{key}`)"),
            };
            cx.report_related(
                candidate.decl,
                format!(
                    "{what}, and nothing removes its entries: it grows with every new key for the life of the isolate, toward its {}",
                    limit(cx.limits.memory_bytes)
                ),
                format!(
                    "Bound it: after each insert, when `{name}.size` passes a limit, delete the oldest entry (a Map keeps insertion order), and store an expiry with each value; \
                     keep what other isolates should reuse in KV or the Cache API instead."
                ),
                related,
            );
        }
    }
}

impl UnboundedMemoryCache {
    /// `object` gets an entry under `key`: a fill of a candidate unless the
    /// key is a literal.
    fn fill(&mut self, object: &Ident, kind: Collection, key: &Expr, span: Span) {
        if !self.candidates.iter().any(|c| c.name == object.sym && c.kind == kind) || matches!(unwrap_expr(key), Expr::Lit(_)) {
            return;
        }
        let key_ident = match unwrap_expr(key) {
            Expr::Ident(id) => Some(id.clone()),
            _ => None,
        };
        self.fills.push(Fill {
            name: object.sym.clone(),
            object: object.span.lo,
            span,
            key: unwrap_expr(key).span(),
            key_ident,
        });
    }
}

/// The key comes from the request or names a caller or a record: its text
/// (with the initializer of the local it names) has such a word, and it is
/// not read from the environment.
fn request_key(fill: &Fill, cx: &LintContext<'_>) -> bool {
    let mut text = cx.text(fill.key).to_string();
    if let Some(id) = &fill.key_ident {
        let semantic = cx.semantic();
        if let Some(symbol) = semantic.resolve(id) {
            if let crate::semantic::Declaration::Variable { init: Some(init) } = semantic.symbol(symbol).declaration {
                text.push(' ');
                text.push_str(cx.text(init.span));
            }
        }
    }
    // A key read from the environment (`env.X`, `getToken(env)`) is
    // configuration, which has few values, whatever it is called.
    let words: Vec<String> = identifier_words(&text).collect();
    !words.iter().any(|w| w == "env") && words.iter().any(|w| REQUEST_KEY_WORDS.contains(w))
}


/// A Map or Set named `name` is read back by key somewhere in `source`
/// (`name.get(`, `name.has(`): it is used as a cache, which this rule
/// judges (`request-state-in-global` leaves it alone).
pub(super) fn map_read_back(source: &str, name: &str) -> bool {
    mentions(source, name, ".get(") || mentions(source, name, ".has(")
}

/// The cache is read back somewhere: `name.get(`/`name.has(` for a Map;
/// `name[` more often than it is filled, or `in name`, for an object.
fn read_back(source: &str, candidate: &Candidate, fills: usize) -> bool {
    let name = candidate.name.as_str();
    if candidate.kind != Collection::Object {
        return map_read_back(source, name);
    }
    occurrences(source, name, "[") > fills || source.contains(&format!(" in {name}"))
}

/// Something removes entries or bounds the size: `delete`/`clear`, `delete
/// name[…]`, `.size`, `Object.keys(name)`, a reassignment (a reset).
fn bounded(source: &str, name: &str) -> bool {
    mentions(source, name, ".delete(")
        || mentions(source, name, ".clear(")
        || mentions(source, name, ".size")
        || source.contains(&format!("delete {name}["))
        || source.contains(&format!("Object.keys({name})"))
        || occurrences(source, name, " = ") > 1
}

fn mentions(source: &str, name: &str, after: &str) -> bool {
    occurrences(source, name, after) > 0
}

/// How often `name` directly followed by `after` appears as a whole name.
fn occurrences(source: &str, name: &str, after: &str) -> usize {
    let needle = format!("{name}{after}");
    source
        .match_indices(&needle)
        .filter(|(at, _)| {
            !source[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.')
        })
        .count()
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_silent, Case};

    #[test]
    fn fires_on_caches_keyed_by_the_request_without_eviction() {
        Case::new()
            .rules(&["unbounded-memory-cache"])
            .file(
                "src/index.ts",
                r#"import { isLimited } from "./limit";
const pages = new Map<string, string>();
const byUser: Record<string, unknown> = {};
const seenTokens = new Set<string>();
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const hit = pages.get(url.pathname);
    if (hit) return new Response(hit);
    const body = await (await fetch(`https://origin.example.com${url.pathname}`)).text();
    pages.set(url.pathname, body);
    const uid = request.headers.get("x-user") ?? "";
    if (!byUser[uid]) byUser[uid] = await env.DB.prepare("SELECT 1").first();
    const token = request.headers.get("authorization") ?? "";
    if (seenTokens.has(token)) return new Response("replayed", { status: 409 });
    seenTokens.add(token);
    return new Response(body);
  },
};
"#,
            )
            .file(
                "src/limit.ts",
                r#"const buckets = new Map();
export function isLimited(action: string, clientIp: string) {
  const key = `${action}:${clientIp}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { hits: [] };
    buckets.set(key, bucket);
  }
  return bucket.hits.length > 10;
}
"#,
            )
            .assert_fires(&[
                ("src/index.ts", 2, "module-scope Map `pages` caches values per request"),
                ("src/index.ts", 3, "module-scope object `byUser` caches values"),
                ("src/index.ts", 4, "module-scope Set `seenTokens` remembers values from the request"),
                ("src/limit.ts", 1, "module-scope Map `buckets`"),
            ]);
    }

    #[test]
    fn silent_on_bounded_config_keyed_or_write_only_collections() {
        // Evicted, size-checked, reset.
        assert_silent(
            "unbounded-memory-cache",
            r#"const a = new Map();
const b = new Map();
let c = {};
export async function handle(request) {
  const id = new URL(request.url).searchParams.get("id");
  if (a.has(id)) return a.get(id);
  a.set(id, 1);
  if (a.size > 100) a.delete(a.keys().next().value);
  if (!b.get(id)) b.set(id, 2);
  if (Date.now() % 1000 === 0) b.clear();
  if (!c[id]) c[id] = 3;
  if (Object.keys(c).length > 50) c = {};
  return c[id];
}
"#,
        );
        // Keyed by configuration or a version.
        assert_silent(
            "unbounded-memory-cache",
            r#"const clients = new Map();
const support = new Map();
export function client(supabaseUrl, anonKey) {
  const cacheKey = `${supabaseUrl}|${anonKey.substring(0, 8)}`;
  const hit = clients.get(cacheKey);
  if (hit) return hit;
  const made = create(supabaseUrl, anonKey);
  clients.set(cacheKey, made);
  return made;
}
export function features(plugin_version) {
  if (support.has(plugin_version)) return support.get(plugin_version);
  support.set(plugin_version, parse(plugin_version));
  return support.get(plugin_version);
}
export function connector(env) {
  const key = env.DEMO ? "mock" : getBotToken(env);
  if (!clients.has(key)) clients.set(key, create(key));
  return clients.get(key);
}
export function byEnv(env) {
  if (!clients.get(env.DATABASE_URL)) clients.set(env.DATABASE_URL, create(env.DATABASE_URL));
  return clients.get(env.DATABASE_URL);
}
"#,
        );
        // Written but never read back; filled at module scope; a literal key.
        assert_silent(
            "unbounded-memory-cache",
            r#"const seen = new Map();
const table = new Map();
table.set(ROUTE_ID, 1);
export function log(request) {
  seen.set(request.url, Date.now());
  table.set("config", request.url);
  return table.get("config");
}
"#,
        );
    }

}
