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
    let defused = jsx_syntax(path).then(|| defuse_jsx_names(source));
    let Some((text, spots)) = defused.filter(|(_, spots)| !spots.is_empty()) else {
        return parse_text(path, source, comments);
    };
    // swc panics on a JSX name such as `<a:b.c>` (a trap in the wasm). With
    // the `:` of each such name read as a space, one that is JSX fails to
    // parse, at the name; when the text parses, every one of them was in a
    // string, a comment or a regular expression, and the text as written
    // parses without reaching swc's panic.
    match parse_text(path, &text, comments) {
        Ok(_) => {
            clear(comments);
            parse_text(path, source, comments)
        }
        Err((span, message)) => {
            let at = span.lo.0.saturating_sub(START) as usize;
            Err(match spots.iter().find(|s| s.contains(&at)) {
                Some(spot) => (
                    Span::new(
                        BytePos(START + spot.start as u32),
                        BytePos(START + spot.end as u32),
                    ),
                    "A JSX element name cannot have both a namespace and a member (`a:b.c`)".into(),
                ),
                None => (span, message),
            })
        }
    }
}

/// [`parse`] of a text without the JSX names swc panics on.
fn parse_text(
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

/// Whether the file is parsed with JSX on (see [`syntax_for`]).
fn jsx_syntax(path: &str) -> bool {
    match syntax_for(path) {
        Syntax::Es(es) => es.jsx,
        Syntax::Typescript(ts) => ts.tsx,
    }
}

/// The words after which a `<` starts an expression (JSX), not a comparison.
const EXPRESSION_KEYWORDS: &[&str] = &[
    "return", "yield", "await", "case", "typeof", "void", "in", "of", "else", "do", "default",
    "delete", "throw", "new", "extends",
];

/// How far past a `<` the JSX name is looked for (comments and spaces
/// included): a bound, so that many `<` before one long comment stay linear.
const JSX_NAME_LOOKAHEAD: usize = 512;

/// swc 47 panics (`unreachable!("JSXNamespacedName -> JSXObject")`) on a JSX
/// element name with a namespace and then a member, `<a:b.c` (or `</a:b.c`;
/// found by the fuzzer). Each `<` where an expression may start that begins
/// such a name has its `:` turned into a space: the text for the parse, and
/// each name's range (from `<` to after the `.`) for the error message. Byte
/// offsets stay the same.
fn defuse_jsx_names(text: &str) -> (String, Vec<std::ops::Range<usize>>) {
    let bytes = text.as_bytes();
    let mut spots = Vec::new();
    let mut colons = Vec::new();
    let mut from = 0;
    // `find` with a char searches bytes with memchr, a word at a time (a
    // byte loop here read every byte of every file one by one).
    while let Some(i) = text[from..].find('<').map(|i| from + i) {
        from = i + 1;
        if !starts_expression(bytes, i) {
            continue;
        }
        let end = (i + 1 + JSX_NAME_LOOKAHEAD).min(bytes.len());
        let window = &bytes[..end];
        let mut at = skip_trivia(window, i + 1);
        if window.get(at) == Some(&b'/') {
            at = skip_trivia(window, at + 1);
        }
        let Some(after_ns) = jsx_name(window, at) else {
            continue;
        };
        let colon = skip_trivia(window, after_ns);
        if window.get(colon) != Some(&b':') {
            continue;
        }
        let Some(after_name) = jsx_name(window, skip_trivia(window, colon + 1)) else {
            continue;
        };
        let dot = skip_trivia(window, after_name);
        if window.get(dot) == Some(&b'.') {
            colons.push(colon);
            spots.push(i..dot + 1);
        }
    }
    if colons.is_empty() {
        return (String::new(), spots);
    }
    let mut out = bytes.to_vec();
    for c in colons {
        out[c] = b' ';
    }
    // Only an ASCII `:` was replaced by an ASCII space: still UTF-8.
    (String::from_utf8(out).unwrap_or_default(), spots)
}

/// Whether a `<` at `at` can start an expression: not after an operand (a
/// name other than a keyword such as `return`, a literal, `)` or `]`).
fn starts_expression(bytes: &[u8], at: usize) -> bool {
    let before = bytes[..at].trim_ascii_end();
    let Some(&last) = before.last() else {
        return true;
    };
    let word_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$') || *b >= 0x80;
    if word_char(&last) {
        let word_len = before.iter().rev().take_while(|b| word_char(b)).count();
        let word = &before[before.len() - word_len..];
        return EXPRESSION_KEYWORDS.iter().any(|k| k.as_bytes() == word);
    }
    !matches!(last, b')' | b']' | b'\'' | b'"' | b'`')
}

/// Past spaces, line breaks and comments from `at` (within `bytes`).
fn skip_trivia(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes.get(at..) {
            Some([b' ' | b'\t' | b'\n' | b'\r', ..]) => at += 1,
            Some([b'/', b'*', ..]) => {
                at = bytes[at + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(bytes.len(), |i| at + 2 + i + 2)
            }
            Some([b'/', b'/', ..]) => {
                at = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i)
            }
            _ => return at,
        }
    }
}

/// The end of a JSX name (a name that may contain `-`) starting at `at`.
fn jsx_name(bytes: &[u8], at: usize) -> Option<usize> {
    let first = *bytes.get(at)?;
    if !(first.is_ascii_alphabetic() || matches!(first, b'_' | b'$') || first >= 0x80) {
        return None;
    }
    let len = bytes[at..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-') || b >= 0x80)
        .count();
    Some(at + len)
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
