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
            // `match_indices` with a char finds bytes with memchr, a word at a
            // time.
            let mut starts = vec![0];
            starts.extend(self.source.match_indices('\n').map(|(i, _)| i as u32 + 1));
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
        self.position(offset).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
