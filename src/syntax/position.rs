//! The ONE place where swc byte offsets become editor positions: 1-based
//! lines and 1-based columns in UTF-16 code units (what editors, SARIF and
//! GitHub use).

pub struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset where each line starts, found on first use: most files
    /// have no finding to place.
    line_starts: std::cell::OnceCell<Vec<u32>>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> LineIndex<'a> {
        LineIndex {
            source,
            line_starts: std::cell::OnceCell::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            if has_rare_terminator(self.source) {
                starts.extend(line_ends(self.source).map(|(_, next)| next as u32));
            } else {
                // LF only: `match_indices` with a char finds bytes with
                // memchr, a word at a time.
                starts.extend(self.source.match_indices('\n').map(|(i, _)| i as u32 + 1));
            }
            starts
        })
    }

    /// (line, column) of a byte offset, both 1-based, column in UTF-16 units.
    pub fn position(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.source.len() as u32);
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let start = line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = &self.source[start..end];
        let column = if prefix.is_ascii() {
            prefix.len()
        } else {
            prefix.encode_utf16().count()
        };
        (line as u32 + 1, column as u32 + 1)
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: u32) -> u32 {
        // Not the column: on a long (minified) line it costs a pass over it.
        let offset = offset.min(self.source.len() as u32);
        self.line_starts().partition_point(|&s| s <= offset) as u32
    }
}

/// Whether `source` has a line terminator other than LF: CR (alone or in
/// CRLF), U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR.
fn has_rare_terminator(source: &str) -> bool {
    // A byte search for CR; the separators only in non-ASCII text.
    source.contains('\r')
        || (!source.is_ascii() && (source.contains('\u{2028}') || source.contains('\u{2029}')))
}

/// Each line terminator of `source` as JavaScript counts them (LF, CRLF, CR
/// alone, U+2028, U+2029; ECMA-262 LineTerminatorSequence): (byte offset
/// where it starts, byte offset of the next line).
fn line_ends(source: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = source.as_bytes();
    source
        .match_indices(['\n', '\r', '\u{2028}', '\u{2029}'])
        .filter_map(move |(i, t)| match t {
            // The LF of a CRLF ends the line the CR started.
            "\n" if i > 0 && bytes[i - 1] == b'\r' => None,
            "\r" if bytes.get(i + 1) == Some(&b'\n') => Some((i, i + 2)),
            _ => Some((i, i + t.len())),
        })
}

/// The lines of `source` without their terminators, split where JavaScript
/// splits them (LF, CRLF, CR, U+2028, U+2029), so that the n-th item is
/// line n + 1 of [`LineIndex::position`].
pub fn js_lines(source: &str) -> impl Iterator<Item = &str> + '_ {
    let mut start = 0;
    let mut ends = line_ends(source);
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match ends.next() {
            Some((end, next)) => {
                let line = &source[start..end];
                start = next;
                Some(line)
            }
            None => {
                done = true;
                // Like `str::lines`, no empty line after a final terminator.
                (start < source.len()).then(|| &source[start..])
            }
        }
    })
}

use crate::model::wire::{Visit, Wire};

crate::model::wire::wire_struct!(Loc {
    line,
    column,
    end_line,
    end_column
});

/// A span of one file's parse (byte offsets from [`crate::syntax::START`]).
impl Wire for swc_core::common::Span {
    fn wire(&mut self, v: &mut Visit<'_>) {
        self.lo.0.wire(v);
        self.hi.0.wire(v);
    }
}

impl Wire for swc_core::atoms::Atom {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut text = self.to_string();
        v.string(&mut text);
        if v.reading() {
            *self = swc_core::atoms::Atom::from(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_javascript_line_terminator_starts_a_line() {
        // LF, CRLF, CR, U+2028 and U+2029 each end a line (ECMA-262
        // LineTerminatorSequence; esbuild and VS Code count the same).
        for eol in ["\n", "\r\n", "\r", "\u{2028}", "\u{2029}"] {
            let src = format!("a{eol}  b{eol}{eol}é c");
            let idx = LineIndex::new(&src);
            let b = src.find('b').unwrap() as u32;
            let c = src.find('c').unwrap() as u32;
            assert_eq!(idx.position(0), (1, 1), "{eol:?}");
            assert_eq!(idx.position(b), (2, 3), "{eol:?}");
            assert_eq!(idx.position(c), (4, 3), "{eol:?}");
            let lines: Vec<&str> = js_lines(&src).collect();
            assert_eq!(lines, ["a", "  b", "", "é c"], "{eol:?}");
        }
        // Mixed, and a CR at the very end.
        let src = "a\r\nb\rc\nd\u{2028}e\r";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src.find('e').unwrap() as u32), (5, 1));
        assert_eq!(idx.position(src.len() as u32), (6, 1));
        assert_eq!(js_lines(src).collect::<Vec<_>>(), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn columns_count_utf16_units() {
        let src = "a\nconst é = '😀'; x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(2), (2, 1));
        let x = src.rfind('x').unwrap() as u32;
        // "const é = '😀'; " is 16 UTF-16 units (é = 1, 😀 = 2).
        assert_eq!(idx.position(x), (2, 17));
        assert_eq!(idx.position(src.len() as u32), (3, 1));
    }
}

/// 1-based line and UTF-16 column of a node's start and end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}
