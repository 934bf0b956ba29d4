//! `top-level-work`: work at module scope — loops, big computed tables,
//! `JSON.parse` of a big literal, eager SDK clients — runs while the isolate
//! starts, on every cold start, and counts against the 1 s startup limit.
//! Top-level IIFEs run then too, and so does a function of the file called
//! from module scope (one level deep). Code inside functions is not startup
//! work. Constants, regexes, small lookup tables, `new Hono()` and imports
//! are fine.

use crate::model::collections::{HashMap, HashSet};

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use super::io_calls::{key, number};
use crate::engine::context::{callee_is, callee_path, expr_path, method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "top-level-work", ColdStart, Warning,
    "Work at module scope (loops, big tables, eager SDK clients) runs on every cold start, within the 1 s startup limit.",
    |_| Box::<TopLevelWork>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
Work at module scope — code that runs while the isolate starts:

- loops, unless over a small literal (`for (const r of ["us", "eu"])`) or with
  a literal bound under 1,000;
- big computed tables: `Array.from({ length: N }, fn)`, `new Array(N).fill(…)`,
  `Array(N).fill().map(…)` with N ≥ 1,000;
- `JSON.parse` of a string literal over 10 KiB;
- eager SDK clients: `new S3Client(…)` (any `@aws-sdk/*`, `@google-cloud/*`,
  `@azure/*` constructor), `new Stripe(…)`, `new OpenAI(…)`, `new Anthropic(…)`,
  `new PrismaClient()`, `new Pool(…)`, `new MongoClient(…)`, `postgres(…)`,
  Supabase/Redis `createClient(…)`, mysql `createPool(…)`, … — a class of
  those names counts when it is imported from a package (the project's own
  `OpenAI` class from `./openai` is not the SDK's client);
- the same inside a top-level IIFE (`const t = (() => { … })()`), which runs at
  startup too, and a call at module scope to a function of the file whose body
  loops or builds a big table (`const INDEX = buildIndex();`).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Module scope runs on every cold start, before the first request of the
isolate is served, and must finish within the 1 s startup limit (the deploy
fails past it). Every cold request pays for it in latency, whether it needs
the result or not.
"#,
        ),
        (
            "Bad",
            r#"
```ts
import { S3Client } from '@aws-sdk/client-s3';

// Warehouse bin for each catalogue SKU.
const BIN_BY_SKU: Record<string, string> = {};
for (let i = 0; i < 50_000; i++) {
  BIN_BY_SKU[`sku-${String(i).padStart(5, '0')}`] = `${String.fromCharCode(65 + (i % 26))}-${Math.floor(i / 26) % 400}`;
}

const s3 = new S3Client({ region: 'auto', endpoint, credentials });
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const CATALOGUE_SKU = /^sku-(\d{5})$/;

// Compute the bin from the SKU instead of storing a table.
export function binFor(sku: string): string | undefined {
  const match = CATALOGUE_SKU.exec(sku);
  if (!match) return undefined;
  const i = Number(match[1]);
  return `${String.fromCharCode(65 + (i % 26))}-${Math.floor(i / 26) % 400}`;
}

let s3: S3Client | undefined;
const getS3 = (env: Env) => (s3 ??= new S3Client({ region: 'auto', endpoint: env.R2_ENDPOINT }));
```
"#,
        ),
        (
            "Not reported",
            r#"
- Constants, regex literals, small lookup tables, zod schemas, `new Hono()`,
  `new Intl.NumberFormat(…)`, `drizzle(…)` and imports.
- Code inside functions declared at module scope (it runs when called);
  of a function called at module scope, what follows its first `await` (it
  runs when the awaited promise settles, not while the module is evaluated).
- Loops over a small literal or a name bound to one (an array, an object, or
  `new Set([...])`/`new Map([...])` of one), and literal bounds under 1,000.
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
The cost is estimated from the code's shape, not measured: run the `--startup`
check (`wrangler check startup`) for a CPU profile of the real startup. Calls to
functions of the file are followed one level deep; imported functions are not.
Class static blocks and field initializers are not inspected.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// A computed table this long is not "small".
const BIG_LENGTH: f64 = 1000.0;
/// `JSON.parse` of a literal longer than this.
const BIG_JSON_BYTES: usize = 10 * 1024;

/// Classes whose construction sets up a whole SDK (config, credentials,
/// middleware stacks, connection pools).
const SDK_CLASSES: &[&str] = &[
    "S3Client",
    "DynamoDBClient",
    "SQSClient",
    "SESClient",
    "SNSClient",
    "LambdaClient",
    "Stripe",
    "OpenAI",
    "Anthropic",
    "PrismaClient",
    "Pool",
    "MongoClient",
    "Resend",
    "Twilio",
    "Octokit",
    "WebClient",
    "GoogleGenerativeAI",
    "Firestore",
    "Sequelize",
    "DataSource",
    "Kafka",
];
/// Packages whose every constructor is an SDK client.
const SDK_PACKAGES: &[&str] = &["@aws-sdk/", "@google-cloud/", "@azure/", "firebase-admin"];
/// Factory functions that build a client: name → packages it comes from
/// (empty: any).
const SDK_FACTORIES: &[(&str, &[&str])] = &[
    ("postgres", &[]),
    ("createClient", &["@supabase/supabase-js", "redis"]),
    ("createPool", &["mysql2", "mysql"]),
    ("createConnection", &["mysql2", "mysql"]),
    (
        "initializeApp",
        &[
            "firebase",
            "firebase-admin",
            "firebase/app",
            "firebase-admin/app",
        ],
    ),
];

#[derive(Default)]
struct TopLevelWork {
    /// Per open function: does it run at startup (a top-level IIFE)?
    startup: Vec<bool>,
    /// Spans of functions called where they are written (IIFEs).
    iifes: HashSet<(u32, u32)>,
    /// Loops open in startup code.
    startup_loops: u32,
    /// The top-level function being walked, if it is named.
    top_fn: Option<Atom>,
    /// The top-level function has awaited: what follows runs when the
    /// awaited promise settles, not while the module is evaluated.
    top_fn_awaited: bool,
    /// Top-level functions that do heavy work: name → (what, line).
    heavy_fns: HashMap<Atom, (String, Span)>,
    /// Calls from startup code to functions of the file.
    startup_calls: Vec<(Atom, Span)>,
    /// Local import name → module specifier.
    imports: HashMap<Atom, String>,
    /// Names bound to array/object literals, with their length.
    literal_sizes: HashMap<Atom, usize>,
}

impl Rule for TopLevelWork {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Await,
            NodeKind::Call,
            NodeKind::Function,
            NodeKind::Import,
            NodeKind::Loop,
            NodeKind::New,
            NodeKind::VarDeclarator,
        ]
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            Node::Import(i) => {
                let src = i.src.value.as_str().unwrap_or("").to_string();
                for s in &i.specifiers {
                    let local = match s {
                        ImportSpecifier::Named(n) => &n.local,
                        ImportSpecifier::Default(d) => &d.local,
                        ImportSpecifier::Namespace(n) => &n.local,
                    };
                    self.imports.insert(local.sym.clone(), src.clone());
                }
            }
            Node::VarDeclarator(d) => {
                if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                    let size = match unwrap_expr(init) {
                        Expr::Array(a) => Some(a.elems.len()),
                        Expr::Object(o) => Some(o.props.len()),
                        // `new Set(["stop", "go"])`, `new Map([[k, v]])`
                        Expr::New(n) => collection_of_literal(n),
                        _ => None,
                    };
                    if let Some(size) = size {
                        self.literal_sizes.insert(name.id.sym.clone(), size);
                    }
                }
            }
            Node::Function(frame) => {
                let Frame::Function { span, name, .. } = frame else {
                    return;
                };
                let iife = self.iifes.contains(&key(*span));
                let runs_at_startup = self.in_startup() && iife;
                let depth = self.startup.len();
                self.startup.push(runs_at_startup);
                if depth == 0 && !iife {
                    self.top_fn = name.clone();
                    self.top_fn_awaited = false;
                }
            }
            Node::Await(_) if self.startup.len() == 1 => self.top_fn_awaited = true,
            Node::Loop(stmt) => {
                if self.in_startup() {
                    if self.startup_loops == 0 && !self.small_loop(stmt) {
                        let what = loop_text(stmt, cx);
                        cx.report(
                            loop_head(stmt),
                            format!("{what} at module scope runs during startup, on every cold start"),
                            "Do it lazily on first use and keep the result (`let table; function getTable() { return (table ??= buildTable()); }`), compute values on demand instead of storing a table, or precompute the data at build time.",
                        );
                    }
                    self.startup_loops += 1;
                } else if !self.small_loop(stmt) {
                    self.mark_heavy(|| (loop_text(stmt, cx), loop_head(stmt)));
                }
            }
            Node::Call(call) => {
                if let Callee::Expr(e) = &call.callee {
                    match unwrap_expr(e) {
                        Expr::Arrow(a) => {
                            self.iifes.insert(key(a.span));
                        }
                        Expr::Fn(f) => {
                            self.iifes.insert(key(f.function.span));
                        }
                        Expr::Ident(id) if self.in_startup() && cx.is_module_binding(id) => {
                            self.startup_calls.push((id.sym.clone(), call.span));
                        }
                        _ => {}
                    }
                }
                if let Some((message, help)) = self.heavy_call(call, cx) {
                    if self.in_startup() {
                        cx.report(call.span, message, help);
                    } else {
                        self.mark_heavy(|| (cx.snippet(call.span), call.span));
                    }
                }
            }
            Node::New(new) => {
                // Not a class field's initializer: it runs per instance.
                if !self.in_startup() || (self.startup.is_empty() && !cx.at_module_scope()) {
                    return;
                }
                if let Some((message, help)) = self.heavy_new(new, cx) {
                    cx.report(new.span, message, help);
                }
            }
            _ => {}
        }
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Function, NodeKind::Loop]
    }

    fn exit(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        match node {
            Node::Function(_) => {
                self.startup.pop();
                if self.startup.is_empty() {
                    self.top_fn = None;
                }
            }
            Node::Loop(_) if self.in_startup() => {
                self.startup_loops = self.startup_loops.saturating_sub(1);
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        for (name, span) in std::mem::take(&mut self.startup_calls) {
            if let Some((what, at)) = self.heavy_fns.get(&name) {
                let line = cx.line_of(*at);
                cx.report(
                    span,
                    format!("`{name}()` runs at module scope, during startup, and does heavy work: {what} (line {line})"),
                    format!("Call `{name}()` lazily on first use and keep the result (`let cached; const get = () => (cached ??= {name}());`), or precompute its result at build time."),
                );
            }
        }
    }
}

impl TopLevelWork {
    fn in_startup(&self) -> bool {
        self.startup.last().copied().unwrap_or(true)
    }

    /// Notes the first heavy work of the enclosing top-level function
    /// (`what` gives its text and where it is, made once per function).
    fn mark_heavy(&mut self, what: impl FnOnce() -> (String, Span)) {
        if self.top_fn_awaited {
            return;
        }
        if let Some(name) = &self.top_fn {
            self.heavy_fns.entry(name.clone()).or_insert_with(what);
        }
    }

    /// A loop over a literal (or a name bound to a small literal), or with a
    /// small literal bound.
    fn small_loop(&self, stmt: &Stmt) -> bool {
        let small_collection = |e: &Expr| {
            match unwrap_expr(e) {
            Expr::Array(a) => (a.elems.len() as f64) < BIG_LENGTH,
            Expr::New(n) => collection_of_literal(n).is_some_and(|len| (len as f64) < BIG_LENGTH),
            Expr::Ident(id) => self
                .literal_sizes
                .get(&id.sym)
                .is_some_and(|n| (*n as f64) < BIG_LENGTH),
            // Object.entries(TABLE)
            Expr::Call(c) => {
                ["Object.entries", "Object.keys", "Object.values"].iter().any(|p| callee_is(c, p))
                    && c.args.first().is_some_and(|a| matches!(unwrap_expr(&a.expr), Expr::Ident(id)
                        if self.literal_sizes.get(&id.sym).is_some_and(|n| (*n as f64) < BIG_LENGTH)))
            }
            _ => false,
        }
        };
        match stmt {
            Stmt::ForOf(f) => small_collection(&f.right),
            Stmt::ForIn(f) => small_collection(&f.right),
            Stmt::For(f) => f.test.as_deref().is_some_and(|t| match unwrap_expr(t) {
                Expr::Bin(b) if matches!(b.op, BinaryOp::Lt | BinaryOp::LtEq) => {
                    number(&b.right).is_some_and(|n| n < BIG_LENGTH)
                }
                _ => false,
            }),
            _ => false,
        }
    }

    fn heavy_call(&self, call: &CallExpr, cx: &LintContext<'_>) -> Option<(String, String)> {
        let path = callee_path(call);
        let text = || cx.snippet(call.span);
        // Array.from({ length: N }, fn)
        if path.as_deref() == Some("Array.from") {
            let n = call.args.first().and_then(|a| length_prop(&a.expr))?;
            if n >= BIG_LENGTH && call.args.len() >= 2 {
                return Some(big_table(&text(), n));
            }
            return None;
        }
        // JSON.parse("…big…")
        if path.as_deref() == Some("JSON.parse") {
            let len = call.args.first().and_then(|a| match unwrap_expr(&a.expr) {
                Expr::Lit(Lit::Str(s)) => Some(s.value.len()),
                Expr::Tpl(t) if t.exprs.is_empty() => {
                    Some(t.quasis.iter().map(|q| q.raw.len()).sum())
                }
                _ => None,
            })?;
            if len > BIG_JSON_BYTES {
                return Some((
                    format!("JSON.parse of a {} KiB string literal at module scope parses it on every cold start", len / 1024),
                    "Parse it on first use and keep the result (`let data; const getData = () => (data ??= JSON.parse(RAW));`), or move the data to KV, R2 or static assets and load only what a request needs.".into(),
                ));
            }
            return None;
        }
        // new Array(N).fill(x) / Array(N).fill(x).map(fn)
        if matches!(
            method_name(call).map(|m| m.as_ref()),
            Some("fill" | "map" | "forEach")
        ) {
            if let Callee::Expr(e) = &call.callee {
                if let Expr::Member(m) = unwrap_expr(e) {
                    let n = match unwrap_expr(&m.obj) {
                        Expr::New(n) if expr_path(&n.callee).as_deref() == Some("Array") => n
                            .args
                            .as_deref()
                            .and_then(|a| a.first())
                            .and_then(|a| number(&a.expr)),
                        Expr::Call(c) if callee_is(c, "Array") => {
                            c.args.first().and_then(|a| number(&a.expr))
                        }
                        _ => None,
                    };
                    if let Some(n) = n.filter(|n| *n >= BIG_LENGTH) {
                        return Some(big_table(&text(), n));
                    }
                }
            }
        }
        // postgres(url), createClient(url, key)
        if let Some(Expr::Ident(id)) = match &call.callee {
            Callee::Expr(e) => Some(unwrap_expr(e)),
            _ => None,
        } {
            let from = self.imports.get(&id.sym).map(String::as_str);
            let factory = SDK_FACTORIES.iter().any(|(name, pkgs)| {
                id.sym == *name && (pkgs.is_empty() || from.is_some_and(|f| pkgs.contains(&f)))
            });
            if factory {
                return Some(sdk_client(&text()));
            }
        }
        None
    }

    fn heavy_new(&self, new: &NewExpr, cx: &LintContext<'_>) -> Option<(String, String)> {
        let Expr::Ident(id) = unwrap_expr(&new.callee) else {
            return None;
        };
        let from = self.imports.get(&id.sym).map(String::as_str);
        // A class of the project's own (`import { OpenAI } from './openai'`,
        // or declared here) is not the SDK of that name: only one imported
        // from a package is.
        let from_package = from.is_some_and(|f| {
            crate::semantic::imports::package_name(f).is_some()
                && !f.starts_with("@/")
                && !f.starts_with("~/")
        });
        let sdk = (from_package && SDK_CLASSES.contains(&id.sym.as_ref()))
            || from.is_some_and(|f| SDK_PACKAGES.iter().any(|p| f.starts_with(p)));
        sdk.then(|| sdk_client(&cx.snippet(new.span)))
    }
}

/// The size of `new Set([…])` / `new Map([…])` over an array literal.
fn collection_of_literal(new: &NewExpr) -> Option<usize> {
    let Expr::Ident(class) = unwrap_expr(&new.callee) else {
        return None;
    };
    if !matches!(class.sym.as_ref(), "Set" | "Map" | "WeakSet" | "WeakMap") {
        return None;
    }
    match new.args.as_deref() {
        Some([arg]) if arg.spread.is_none() => match unwrap_expr(&arg.expr) {
            Expr::Array(a) => Some(a.elems.len()),
            _ => None,
        },
        _ => None,
    }
}

fn big_table(text: &str, n: f64) -> (String, String) {
    (
        format!("`{text}` builds a {n}-element table at module scope, on every cold start"),
        "Compute entries on demand, build the table lazily on first use (`let table; const getTable = () => (table ??= build());`), or precompute it at build time.".into(),
    )
}

fn sdk_client(text: &str) -> (String, String) {
    (
        format!("`{text}` constructs an SDK client at module scope: its setup runs during startup, on every cold start"),
        "Create it on first use inside the request path and reuse it (`let client; const getClient = (env) => (client ??= new Client(...));`); clients holding connections must be created per request in Workers (with Hyperdrive for databases).".into(),
    )
}

/// `{ length: N }` → N.
fn length_prop(expr: &Expr) -> Option<f64> {
    let Expr::Object(o) = unwrap_expr(expr) else {
        return None;
    };
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if matches!(&kv.key, PropName::Ident(k) if k.sym == "length") => {
                number(&kv.value)
            }
            _ => None,
        },
        _ => None,
    })
}

/// "for loop (50000 iterations)", "for-of loop over items".
fn loop_text(stmt: &Stmt, cx: &LintContext<'_>) -> String {
    match stmt {
        Stmt::For(f) => {
            let bound = f.test.as_deref().and_then(|t| match unwrap_expr(t) {
                Expr::Bin(b) => number(&b.right),
                _ => None,
            });
            match bound {
                Some(n) => format!("a for loop of {n} iterations"),
                None => "a for loop".into(),
            }
        }
        Stmt::ForOf(f) => format!("a for-of loop over `{}`", cx.snippet(f.right.span())),
        Stmt::ForIn(f) => format!("a for-in loop over `{}`", cx.snippet(f.right.span())),
        Stmt::While(_) => "a while loop".into(),
        Stmt::DoWhile(_) => "a do-while loop".into(),
        _ => "a loop".into(),
    }
}

/// The loop's first line, for the report.
fn loop_head(stmt: &Stmt) -> Span {
    let span = stmt.span();
    let body = match stmt {
        Stmt::For(f) => f.body.span(),
        Stmt::ForOf(f) => f.body.span(),
        Stmt::ForIn(f) => f.body.span(),
        Stmt::While(w) => w.body.span(),
        _ => return span,
    };
    Span::new(span.lo, body.lo.max(span.lo))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_startup_work() {
        let big = "x".repeat(11 * 1024);
        let source = format!(
            r#"import {{ S3Client }} from "@aws-sdk/client-s3";
import Stripe from "stripe";
import postgres from "postgres";
const BIN_BY_SKU: Record<string, string> = {{}};
for (let i = 0; i < 50_000; i++) {{
  BIN_BY_SKU[`sku-${{i}}`] = `${{i % 26}}`;
}}
const squares = Array.from({{ length: 10000 }}, (_, i) => i * i);
const zeros = new Array(5000).fill(0);
const s3 = new S3Client({{ region: "auto" }});
const stripe = new Stripe(key);
const sql = postgres(url);
const DATA = JSON.parse("{big}");
const table = (() => {{
  const t = {{}};
  for (const w of words) t[w] = w.length;
  return t;
}})();
function buildIndex() {{
  const idx = new Map();
  for (const w of words) idx.set(w, true);
  return idx;
}}
const INDEX = buildIndex();
"#
        );
        assert_fires(
            "top-level-work",
            &source,
            &[
                (5, "a for loop of 50000 iterations at module scope"),
                (8, "builds a 10000-element table"),
                (9, "`new Array(5000).fill(0)` builds a 5000-element table"),
                (10, "`new S3Client({ region: \"auto\" })` constructs an SDK client"),
                (11, "`new Stripe(key)`"),
                (12, "`postgres(url)`"),
                (13, "JSON.parse of a 11 KiB string literal"),
                (16, "a for-of loop over `words` at module scope"),
                (24, "`buildIndex()` runs at module scope, during startup, and does heavy work: a for-of loop over `words` (line 21)"),
            ],
        );
    }

    /// The project's own class named like an SDK's (an agent registry of
    /// `new OpenAI()` from `./openai`) is not that SDK's client.
    #[test]
    fn classes_named_like_sdks_are_clients_only_from_their_package() {
        assert_silent(
            "top-level-work",
            r#"import { OpenAI } from "./agent/openai";
import { Anthropic } from "@/agent/anthropic";
class Pool { size = 1; }
export const AGENTS = [new OpenAI(), new Anthropic()];
export const pool = new Pool();
"#,
        );
        assert_fires(
            "top-level-work",
            r#"import OpenAI from "openai";
export const client = new OpenAI({ apiKey: "k" });
// a class field: made with each instance (a Durable Object's), not at startup
export class Agent extends DurableObject {
  private openai = new OpenAI({ apiKey: this.env.KEY });
  static shared = new OpenAI({ apiKey: "k" });
}
"#,
            &[(2, "constructs an SDK client"), (6, "constructs an SDK client")],
        );
    }

    #[test]
    fn silent_on_cheap_module_code_and_function_bodies() {
        assert_silent(
            "top-level-work",
            r#"import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { S3Client } from "@aws-sdk/client-s3";
const SKU_PATTERN = /^[a-z0-9-]+$/;
const CATALOGUE_SIZE = 50_000;
const REGIONS = ["us", "eu", "ap"];
const app = new Hono();
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const small = Array.from({ length: 10 }, (_, i) => i);
for (const r of REGIONS) app.get(`/${r}`, (c) => c.text(r));
const EVENTS = new Set(["stop", "go"]);
const listeners = new Map();
for (const e of EVENTS) listeners.set(e, new Set());
for (const e of new Set(["a", "b"])) listeners.set(e, new Set());
for (let i = 0; i < 5; i++) app.get(`/v${i}`, (c) => c.text("x"));
const config = JSON.parse('{"a": 1}');
export function binFor(sku: string) {
  for (let i = 0; i < 50_000; i++) {}
  const s3 = new S3Client({});
  return Array.from({ length: 100000 }, (_, i) => i);
}
const later = () => {
  for (const x of xs) console.log(x);
};
export default {
  async fetch(req, env) {
    const db = drizzle(env.DB);
    return app.fetch(req, env);
  },
};
// After its first await, an async function runs when the promise settles,
// not while the module is evaluated.
async function sha256Hex(value: string) {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  let encoded = "";
  for (const byte of new Uint8Array(hash)) encoded += byte.toString(16).padStart(2, "0");
  return encoded;
}
const checksum = sha256Hex("catalog");
// Private methods and accessors run when called or read.
export class Reader {
  #files = [];
  async #load(zip) {
    for (const [path, file] of Object.entries(zip.files)) this.#files.push(path);
  }
  get count() {
    let n = 0;
    for (const f of this.#files) n += f.length;
    return n;
  }
}
const totals = {
  get sum() {
    let s = 0;
    for (const x of globalThis.values) s += x;
    return s;
  },
};"#,
        );
    }
}
