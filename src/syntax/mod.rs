//! Source text as syntax: one swc parse per file, the line index that turns
//! byte offsets into editor positions, and helpers that read the AST without
//! knowing what names are bound to.

pub mod ast;
pub mod nesting;
pub mod position;
pub mod probe;
pub mod text;

use std::borrow::Cow;

use swc_core::common::comments::SingleThreadedComments;
use swc_core::common::{BytePos, Span, Spanned};
use swc_core::ecma::ast::Program;
use swc_core::ecma::parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};

/// Offset of the first byte: swc treats `BytePos(0)` as "no position".
pub const START: u32 = 1;

/// Picks the syntax from the file name as wrangler's esbuild build does:
/// TypeScript for .ts/.mts/.cts, TSX for .tsx, and JavaScript with JSX for
/// the rest (wrangler loads .js, .mjs and .cjs with esbuild's `jsx` loader).
/// Decorators (TypeScript's legacy form and the standard one, before or
/// after `export`), `accessor` fields, `using` declarations and import
/// attributes are on everywhere, as esbuild and tsc accept them.
pub(crate) fn syntax_for(path: &str) -> Syntax {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax {
            decorators: true,
            dts: [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|d| path.ends_with(d)),
            ..TsSyntax::default()
        }),
        "tsx" => Syntax::Typescript(TsSyntax {
            tsx: true,
            decorators: true,
            ..TsSyntax::default()
        }),
        _ => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            decorators_before_export: true,
            auto_accessors: true,
            explicit_resource_management: true,
            import_attributes: true,
            ..EsSyntax::default()
        }),
    }
}

/// The language a file is parsed as, for messages.
pub fn language(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "ts" | "mts" | "cts" => "TypeScript",
        "tsx" => "TypeScript (TSX)",
        _ => "JavaScript",
    }
}

/// The parser's message in words a reader knows: "ident" is a name, "eof"
/// the end of the file.
fn plain_words(message: &str) -> String {
    message
        .replace("got 'ident'", "found a name")
        .replace("Expected ident", "Expected a name")
        .replace(", got ", ", found ")
        .replace("<eof>", "the end of the file")
        .replace("Unexpected eof", "Unexpected end of the file")
}

/// CommonJS by its extension: parsed as a script unless it has module syntax.
fn is_commonjs(path: &str) -> bool {
    path.ends_with(".cjs") || path.ends_with(".cts")
}

type Parsed = Result<Program, (Span, String)>;

/// One parse of the whole text; `module` reads it as an ES module (what
/// wrangler bundles), otherwise as a module or a script, whichever it is.
fn parse_as(
    path: &str,
    source: &str,
    comments: Option<&SingleThreadedComments>,
    module: bool,
) -> Parsed {
    let end = BytePos(START + source.len() as u32);
    let input = StringInput::new(source, BytePos(START), end);
    let mut parser = Parser::new(
        syntax_for(path),
        input,
        comments.map(|c| c as &dyn swc_core::common::comments::Comments),
    );
    let program = if module {
        parser.parse_module().map(Program::Module)
    } else {
        parser.parse_program()
    }
    .map_err(|e| (e.span(), plain_words(&e.kind().msg())))?;
    // Recoverable errors still mean the AST is not what the author wrote.
    if let Some(e) = parser.take_errors().into_iter().next() {
        return Err((e.span(), plain_words(&e.kind().msg())));
    }
    Ok(program)
}

/// Parses a file as wrangler's esbuild build reads it: as an ES module, so
/// that top-level `await` is an operator even in a file without
/// `import`/`export`; a file that is no valid module (sloppy-mode CommonJS:
/// `with`, legacy octal literals) is read again as a script, and so is a
/// `.cjs`/`.cts` file first.
pub fn parse(
    path: &str,
    source: &str,
    comments: Option<&SingleThreadedComments>,
) -> Result<Program, (Span, String)> {
    if !is_commonjs(path) {
        let mut text = Cow::Borrowed(source);
        for _ in 0..=MAX_AWAIT_JOINS {
            let (span, _) = match parse_as(path, &text, comments, true) {
                Ok(program) => return Ok(program),
                Err(e) => e,
            };
            clear(comments);
            match join_await_operand(&text, span.lo.0.saturating_sub(START) as usize) {
                Some(joined) => text = Cow::Owned(joined),
                None => break,
            }
        }
    }
    parse_as(path, source, comments, false)
}

/// The comments a failed parse collected; the next parse collects them again.
fn clear(comments: Option<&SingleThreadedComments>) {
    if let Some(c) = comments {
        let (mut leading, mut trailing) = c.borrow_all_mut();
        leading.clear();
        trailing.clear();
    }
}

/// How many top-level `await`s with their operand on the next line one file
/// may have before its module parse gives up (each costs one more parse).
const MAX_AWAIT_JOINS: usize = 16;

/// swc (47) reads a top-level `await` whose operand starts on the next line as
/// the identifier `await` and fails (it is right inside async functions). In
/// a module `await` is always the operator and a line break after it means
/// nothing, so when the parse fails at such an `await` (or at the token after
/// it), the line break is turned into spaces and the file parsed again. Byte
/// offsets stay the same, so every position still points into the file as
/// written. Returns None when the failure is somewhere else.
fn join_await_operand(text: &str, at: usize) -> Option<String> {
    if !text.is_char_boundary(at) {
        return None;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let await_at = if text[at..].starts_with("await") {
        at
    } else {
        let before = text[..at].trim_end();
        before.strip_suffix("await")?.len()
    };
    if text[..await_at].chars().next_back().is_some_and(is_ident) {
        return None;
    }
    let gap_start = await_at + "await".len();
    let gap_len = text[gap_start..].len() - text[gap_start..].trim_start().len();
    let gap = &text[gap_start..gap_start + gap_len];
    if gap.is_empty() || !gap.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let mut joined = String::with_capacity(text.len());
    joined.push_str(&text[..gap_start]);
    joined.extend(std::iter::repeat_n(' ', gap.len()));
    joined.push_str(&text[gap_start + gap_len..]);
    Some(joined)
}

#[cfg(test)]
mod tests;
