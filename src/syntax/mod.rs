//! Source text as syntax: one swc parse per file, the line index that turns
//! byte offsets into editor positions, and helpers that read the AST without
//! knowing what names are bound to.

pub mod ast;
pub mod nesting;
pub mod position;
pub mod probe;
pub mod text;

use swc_core::common::comments::SingleThreadedComments;
use swc_core::common::{BytePos, Span, Spanned};
use swc_core::ecma::ast::Program;
use swc_core::ecma::parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};

/// Offset of the first byte: swc treats `BytePos(0)` as "no position".
pub const START: u32 = 1;

/// Picks the syntax from the file name: TS for .ts/.mts/.cts, TSX for .tsx,
/// JS with JSX for the rest.
fn syntax_for(path: &str) -> Syntax {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax {
            decorators: true,
            dts: path.ends_with(".d.ts"),
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
            import_attributes: true,
            ..EsSyntax::default()
        }),
    }
}

/// Parses a file as a module or script (whichever it is).
pub fn parse(
    path: &str,
    source: &str,
    comments: Option<&SingleThreadedComments>,
) -> Result<Program, (Span, String)> {
    let end = BytePos(START + source.len() as u32);
    let input = StringInput::new(source, BytePos(START), end);
    let mut parser = Parser::new(
        syntax_for(path),
        input,
        comments.map(|c| c as &dyn swc_core::common::comments::Comments),
    );
    let program = parser
        .parse_program()
        .map_err(|e| (e.span(), e.kind().msg().into_owned()))?;
    // Recoverable errors still mean the AST is not what the author wrote.
    if let Some(e) = parser.take_errors().into_iter().next() {
        return Err((e.span(), e.kind().msg().into_owned()));
    }
    Ok(program)
}
