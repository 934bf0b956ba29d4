//! `manual-compression`: a response body compressed in JavaScript
//! (`CompressionStream`, pako, fflate, `zlib`) and sent with a
//! `Content-Encoding` header the code sets itself. Cloudflare compresses
//! responses at the edge (gzip or Brotli, by content type) without the
//! Worker's CPU time.

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{method_name, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};
use crate::model::collections::Words;

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "manual-compression", Cpu, Warning,
    "A response compressed in JavaScript with a hand-set Content-Encoding: Cloudflare compresses at the edge without the Worker's CPU time.",
    |_| Box::new(ManualCompression::default())
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
A response whose body the Worker compresses itself: a function compresses
data in JavaScript — `new CompressionStream(…)`, pako (`gzip`, `deflate`),
fflate (`gzipSync`, `zlibSync`, `compressSync`, …) or Node's `zlib`
(`gzipSync`, `brotliCompressSync`, …) —, makes the result the body of the
response it builds (`new Response(body)`, Hono's `c.body(body)`, directly or
through a variable), and sets a `Content-Encoding` header (`gzip`, `deflate`,
`br`, `zstd`) itself.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Compression is CPU work, and a Worker's CPU time is limited (10 ms per request
on the Free plan) and billed on Paid. Cloudflare already compresses responses
on their way to the client, with gzip or Brotli for the encodings the client
accepts and for compressible content types, outside the Worker. Returning the
plain body with its `Content-Type` gets the same bytes on the wire for no CPU
time, and a client that cannot decode the chosen encoding still gets a body it
can read.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env) {
    const report = await buildReport(env);
    const body = new Blob([JSON.stringify(report)]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Response(body, {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      encodeBody: 'manual',
    });
  },
};
```
"#,
        ),
        (
            "Good",
            r#"
```ts
export default {
  async fetch(request: Request, env: Env) {
    const report = await buildReport(env);
    // Cloudflare compresses it for the client.
    return Response.json(report);
  },
};
```
"#,
        ),
        (
            "Not reported",
            r#"
- Compression without a `Content-Encoding` header in the same function (a
  `.gz` file for download), or whose result is not the response's body
  (bytes stored compressed in R2 or KV).
- A `Content-Encoding` passed through from a body compressed elsewhere (an
  R2 object or an origin response stored compressed): no compression runs in
  the Worker.
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
The compression and the header must be in the same function. A body
compressed once and kept (in memory or in a cache) costs its CPU time once,
not per request: that is not told apart.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

/// Compression functions by module: what `import { x } from 'm'` or
/// `m.x(…)` compresses.
const COMPRESSORS: &[(&str, &[&str])] = &[
    ("pako", &["gzip", "deflate", "deflateRaw"]),
    (
        "fflate",
        &[
            "gzip", "gzipSync", "deflate", "deflateSync", "zlib", "zlibSync", "compress",
            "compressSync",
        ],
    ),
    (
        "zlib",
        &[
            "gzip",
            "gzipSync",
            "deflate",
            "deflateSync",
            "deflateRaw",
            "deflateRawSync",
            "brotliCompress",
            "brotliCompressSync",
            "createGzip",
            "createDeflate",
            "createBrotliCompress",
        ],
    ),
];

#[derive(Default)]
struct ManualCompression {
    /// Compressions by the function they are in.
    compressions: Vec<(Span, Span)>,
    /// Functions that set a `Content-Encoding` header.
    encoded: Vec<Span>,
    /// Response bodies (`new Response(body)`, `c.body(body)`) by function:
    /// the body's span, and its name when it is a variable.
    bodies: Vec<(Span, Span, Option<Atom>)>,
}

fn function_span(cx: &LintContext<'_>) -> Option<Span> {
    match cx.function()? {
        Frame::Function { span, .. } => Some(*span),
        Frame::Loop { .. } => None,
    }
}

/// The callee names the rule acts on: COMPRESSORS' functions, response
/// bodies (`c.body`, `c.newResponse`) and header setters.
static CALL_NAMES: Words = Words::new(&[
    "gzip",
    "gzipSync",
    "deflate",
    "deflateSync",
    "deflateRaw",
    "deflateRawSync",
    "zlib",
    "zlibSync",
    "compress",
    "compressSync",
    "brotliCompress",
    "brotliCompressSync",
    "createGzip",
    "createDeflate",
    "createBrotliCompress",
    "body",
    "newResponse",
    "set",
    "append",
    "header",
]);

/// `m`'s functions that compress, when `specifier` is one of COMPRESSORS.
fn compressors(specifier: &str) -> Option<&'static [&'static str]> {
    let module = specifier.strip_prefix("node:").unwrap_or(specifier);
    COMPRESSORS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, fns)| *fns)
}

/// `gzipSync(…)` imported from a compressor module, or `pako.gzip(…)`
/// through its default or namespace import.
fn is_compression_call(call: &CallExpr, cx: &LintContext<'_>) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let semantic = cx.semantic();
    let import_of = |id: &Ident| {
        semantic
            .resolve(id)
            .and_then(|symbol| semantic.import_of(symbol))
    };
    match unwrap_expr(callee) {
        Expr::Ident(id) => import_of(id).is_some_and(|import| {
            let named = match &import.imported {
                crate::semantic::ImportName::Named(n) => n.as_str(),
                _ => return false,
            };
            import
                .specifier
                .as_str()
                .and_then(compressors)
                .is_some_and(|fns| fns.contains(&named))
        }),
        Expr::Member(m) => {
            let Expr::Ident(object) = unwrap_expr(&m.obj) else {
                return false;
            };
            let Some(method) = method_name(call) else {
                return false;
            };
            import_of(object).is_some_and(|import| {
                !matches!(import.imported, crate::semantic::ImportName::Named(_))
                    && import
                        .specifier
                        .as_str()
                        .and_then(compressors)
                        .is_some_and(|fns| fns.contains(&method.as_ref()))
            })
        }
        _ => false,
    }
}

/// A compressed encoding given as a literal.
fn is_encoding(expr: &Expr) -> bool {
    matches!(unwrap_expr(expr), Expr::Lit(Lit::Str(s))
        if s.value.as_str().is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "gzip" | "deflate" | "br" | "zstd")))
}

fn is_content_encoding(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-encoding")
}

/// A response body: where it is, and its variable's name.
fn body_of(arg: Option<&ExprOrSpread>) -> Option<(Span, Option<Atom>)> {
    let arg = arg?;
    let name = match unwrap_expr(&arg.expr) {
        Expr::Ident(id) => Some(id.sym.clone()),
        _ => None,
    };
    Some((arg.expr.span(), name))
}

/// The variables whose initializer holds one of `spans` (`const body =
/// gzipSync(json)`): (name, the span it holds).
fn holders(program: &Program, spans: &[Span]) -> Vec<(Atom, Span)> {
    use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node as Probed};
    struct Holders<'s> {
        spans: &'s [Span],
        found: Vec<(Atom, Span)>,
    }
    impl Hooks for Holders<'_> {
        fn kinds(&self) -> u64 {
            bit(Kind::VarDeclarator)
        }
        fn enter(&mut self, node: Probed<'_>) -> Descend {
            if let Probed::VarDeclarator(VarDeclarator {
                name: Pat::Ident(name),
                init: Some(init),
                ..
            }) = node
            {
                let within = init.span();
                for &at in self.spans {
                    if within.lo <= at.lo && at.hi <= within.hi {
                        self.found.push((name.id.sym.clone(), at));
                    }
                }
            }
            Descend::Children
        }
    }
    let mut walk = Holders {
        spans,
        found: Vec::new(),
    };
    probe::walk(program, &mut walk);
    walk.found
}

impl Rule for ManualCompression {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::New, NodeKind::Object]
    }

    fn call_names(&self) -> Option<&'static Words> {
        Some(&CALL_NAMES)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let Some(function) = function_span(cx) else {
            return;
        };
        match node {
            Node::New(new) => {
                let global = matches!(unwrap_expr(&new.callee), Expr::Ident(id)
                    if id.sym == "CompressionStream" && cx.semantic().is_global(id, "CompressionStream"));
                if global {
                    self.compressions.push((function, new.span));
                }
                let response = matches!(unwrap_expr(&new.callee), Expr::Ident(id) if id.sym == "Response");
                if let Some((at, name)) = body_of(new.args.as_ref().and_then(|a| a.first())).filter(|_| response) {
                    self.bodies.push((function, at, name));
                }
            }
            // Only calls named in CALL_NAMES come here.
            Node::Call(call) => match method_name(call).map(|m| m.as_ref()) {
                Some("body" | "newResponse") => {
                    if let Some((at, name)) = body_of(call.args.first()) {
                        self.bodies.push((function, at, name));
                    }
                }
                // `headers.set('Content-Encoding', 'gzip')`, `c.header(…)`
                Some("set" | "append" | "header") => {
                    let header = call.args.first().is_some_and(|name| matches!(unwrap_expr(&name.expr),
                        Expr::Lit(Lit::Str(s)) if s.value.as_str().is_some_and(is_content_encoding)));
                    if header && call.args.get(1).is_some_and(|v| is_encoding(&v.expr)) {
                        self.encoded.push(function);
                    }
                }
                _ => {
                    if is_compression_call(call, cx) {
                        self.compressions.push((function, call.span));
                    }
                }
            },
            Node::Object(object) => {
                // The key first: a quoted `content-encoding` is rare.
                let sets = object.props.iter().any(|p| matches!(p, PropOrSpread::Prop(p)
                    if matches!(&**p, Prop::KeyValue(kv) if matches!(&kv.key,
                        PropName::Str(s) if s.value.as_str().is_some_and(is_content_encoding))
                        && is_encoding(&kv.value))));
                if sets {
                    self.encoded.push(function);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut LintContext<'_>) {
        // Compressions in functions that set the encoding, whose result is
        // the body of a response they build (in it, or through a variable).
        let candidates: Vec<(Span, Span)> = self
            .compressions
            .iter()
            .copied()
            .filter(|(function, _)| self.encoded.contains(function))
            .collect();
        if candidates.is_empty() {
            return;
        }
        let spans: Vec<Span> = candidates.iter().map(|&(_, at)| at).collect();
        let held = holders(cx.program(), &spans);
        for (function, at) in candidates {
            let is_body = self.bodies.iter().any(|(f, body, name)| {
                *f == function
                    && ((body.lo <= at.lo && at.hi <= body.hi)
                        || name.as_ref().is_some_and(|name| {
                            held.iter().any(|(var, held_at)| var == name && *held_at == at)
                        }))
            });
            if !is_body {
                continue;
            }
            let text = crate::engine::context::one_line(&cx.snippet(at));
            cx.report(
                at,
                format!("`{text}` compresses the response in the Worker, which sets `Content-Encoding` itself: the CPU time is the Worker's, on every response"),
                "Return the uncompressed body with its `Content-Type` and no `Content-Encoding`: Cloudflare compresses responses on their way to the client (gzip or Brotli, for the encodings the client accepts) outside the Worker's CPU time.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent};

    #[test]
    fn fires_on_compression_with_a_hand_set_encoding() {
        assert_fires(
            "manual-compression",
            r#"import pako from "pako";
import { gzipSync } from "fflate";
import * as zlib from "node:zlib";
export default {
  async fetch(request, env) {
    const json = JSON.stringify(await load(env));
    if (request.url.endsWith("/a")) {
      return new Response(pako.gzip(json), { headers: { "content-encoding": "gzip" } });
    }
    const headers = new Headers({ "Content-Type": "application/json" });
    headers.set("Content-Encoding", "br");
    const body = request.url.endsWith("/b") ? gzipSync(new TextEncoder().encode(json)) : zlib.brotliCompressSync(json);
    return new Response(body, { headers });
  },
};
app.get("/c", (c) => {
  c.header("Content-Encoding", "gzip");
  return c.body(c.req.raw.body.pipeThrough(new CompressionStream("gzip")));
});
"#,
            &[
                (8, "`pako.gzip(json)` compresses the response in the Worker"),
                (12, "`gzipSync(new TextEncoder().encode(json))`"),
                (12, "`zlib.brotliCompressSync(json)`"),
                (18, "`new CompressionStream(\"gzip\")`"),
            ],
        );
    }

    #[test]
    fn the_name_filter_knows_every_compressor() {
        for (_, fns) in super::COMPRESSORS {
            assert!(fns.iter().all(|f| super::CALL_NAMES.contains(f)), "{fns:?}");
        }
    }

    #[test]
    fn silent_without_a_hand_set_encoding_in_the_function() {
        assert_silent(
            "manual-compression",
            r#"import { gzipSync } from "fflate";
export default {
  async fetch(request, env) {
    // An archive to download, and a compressed object to store.
    const archive = gzipSync(new TextEncoder().encode("data"));
    await env.BUCKET.put("data.json.gz", new Blob(["x"]).stream().pipeThrough(new CompressionStream("gzip")));
    // An object stored compressed, passed through.
    const object = await env.BUCKET.get("page.html.gz");
    return new Response(object.body, { headers: { "Content-Encoding": "gzip" }, encodeBody: "manual" });
  },
};
function download() {
  return new Response(gzipSync(new Uint8Array(4)), { headers: { "Content-Type": "application/gzip" } });
}
function identity(h) {
  h.set("Content-Encoding", "identity");
  return gzip(new Uint8Array(1));
}
function gzip(x) { return x; }
"#,
        );
    }
}
