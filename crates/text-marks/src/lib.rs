//! Which of a few short texts a source has, in one pass over its bytes: the
//! file-role heuristics of perf-optimizer look for a dozen marks (`"use
//! client"`, `window.location`, `'express'`…) in the head of every file the
//! Worker does not run. One search per mark read that text a dozen times;
//! here each byte is looked at once, and a mark is compared only where its
//! anchor is: a byte rarer in code than letters and spaces (its opening
//! quote, or the first of [`ANCHORS`] in its text). Its own crate so that
//! the release profile compiles this loop for speed while the rest of the
//! wasm is built for size.

/// The bytes an unquoted mark is anchored on (each mark needs one).
pub const ANCHORS: &[u8] = b".-@S(";

/// A text to look for: `text`, inside quotes of one kind, or after / before
/// one of some words (`chrome.runtime`, `document.querySelector`).
#[derive(Clone, Copy)]
pub struct Mark {
    text: &'static str,
    quoted: bool,
    before: &'static [&'static str],
    after: &'static [&'static str],
    /// Where the anchor is in `text` (unused when quoted).
    anchor: usize,
    /// A byte of the mark next to its anchor, and where it is from the
    /// anchor: it rules out most places before the whole text is compared.
    probe: (isize, u8),
}

impl Mark {
    /// `text` anywhere. It must hold one of [`ANCHORS`] (checked when
    /// compiled).
    pub const fn plain(text: &'static str) -> Mark {
        Mark::plain_at(text, anchor_in(text.as_bytes()))
    }

    /// `text` anywhere, anchored on its byte at `anchor`: for a text
    /// without one of [`ANCHORS`] (a name: `idFromName` on its `F`), the
    /// byte of it rarest in code.
    pub const fn plain_at(text: &'static str, anchor: usize) -> Mark {
        assert!(anchor < text.len(), "the anchor is a byte of the text");
        Mark {
            text,
            quoted: false,
            before: &[],
            after: &[],
            anchor,
            probe: probe_in(text.as_bytes(), anchor),
        }
    }

    /// `text` between two quotes of one kind (`"` or `'`).
    pub const fn quoted(text: &'static str) -> Mark {
        Mark {
            text,
            quoted: true,
            before: &[],
            after: &[],
            anchor: 0,
            probe: (1, text.as_bytes()[0]),
        }
    }

    /// The length of the mark's text.
    pub const fn text_len(&self) -> usize {
        self.text.len()
    }

    /// `text` followed by one of `after`.
    pub const fn then(text: &'static str, after: &'static [&'static str]) -> Mark {
        Mark {
            after,
            ..Mark::plain(text)
        }
    }

    /// `text` after one of `before`.
    pub const fn after(text: &'static str, before: &'static [&'static str]) -> Mark {
        Mark {
            before,
            ..Mark::plain(text)
        }
    }

    /// The mark is in `source` with its anchor at `at`.
    #[inline]
    fn at(&self, source: &[u8], at: usize) -> bool {
        let (offset, byte) = self.probe;
        if at.checked_add_signed(offset).and_then(|i| source.get(i)) != Some(&byte) {
            return false;
        }
        let text = self.text.as_bytes();
        let start = if self.quoted {
            at + 1
        } else {
            match at.checked_sub(self.anchor) {
                Some(start) => start,
                None => return false,
            }
        };
        let end = start + text.len();
        if end > source.len() {
            return false;
        }
        // A quoted mark: the same quote closes it.
        if self.quoted && source.get(end) != Some(&source[at]) {
            return false;
        }
        let (head, tail) = (&source[..start], &source[end..]);
        &source[start..end] == text
            && (self.before.is_empty() || self.before.iter().any(|w| head.ends_with(w.as_bytes())))
            && (self.after.is_empty() || self.after.iter().any(|w| tail.starts_with(w.as_bytes())))
    }
}

/// Where the first of [`ANCHORS`] is in `text`; a mark without one does
/// not compile.
const fn anchor_in(text: &[u8]) -> usize {
    let mut i = 0;
    while i < text.len() {
        let mut a = 0;
        while a < ANCHORS.len() {
            if text[i] == ANCHORS[a] {
                return i;
            }
            a += 1;
        }
        i += 1;
    }
    panic!("an unquoted mark needs one of the anchor bytes")
}

/// The byte after the anchor at `anchor` in `text` (before it when the
/// anchor ends the text), and where it is from the anchor.
const fn probe_in(text: &[u8], anchor: usize) -> (isize, u8) {
    if anchor + 1 < text.len() {
        (1, text[anchor + 1])
    } else {
        (-1, text[anchor - 1])
    }
}

/// Up to 16 marks, in order, with the table of the bytes they are
/// anchored on.
pub struct Marks {
    marks: &'static [Mark],
    /// For each byte, the marks anchored on it (bit `i`: `marks[i]`).
    anchors: [u16; 256],
    /// For each byte, the marks whose probe is it, after and before the
    /// anchor: a place is compared only with the marks its neighbours fit.
    after: [u16; 256],
    before: [u16; 256],
}

impl Marks {
    pub const fn new(marks: &'static [Mark]) -> Marks {
        assert!(marks.len() <= 16, "at most 16 marks");
        let mut anchors = [0u16; 256];
        let (mut after, mut before) = ([0u16; 256], [0u16; 256]);
        let mut i = 0;
        while i < marks.len() {
            let mark = &marks[i];
            match mark.probe {
                (1, byte) => after[byte as usize] |= 1 << i,
                (_, byte) => before[byte as usize] |= 1 << i,
            }
            if mark.quoted {
                anchors[b'"' as usize] |= 1 << i;
                anchors[b'\'' as usize] |= 1 << i;
            } else {
                anchors[mark.text.as_bytes()[mark.anchor] as usize] |= 1 << i;
            }
            i += 1;
        }
        Marks {
            marks,
            anchors,
            after,
            before,
        }
    }

    /// The first of the marks (by index) that `source` has, in one pass
    /// that stops once the first one is found.
    pub fn first_in(&self, source: &str) -> Option<usize> {
        self.first_of_each(source, self.marks.len())[0]
    }

    /// The first (by index) of the marks before `split` that `source` has,
    /// and the first of those from `split` on: two searches in one pass,
    /// which stops once the first of each is found. Never inlined: inlined
    /// into code built for size, the loop would be compiled for size too.
    #[inline(never)]
    pub fn first_of_each(&self, source: &str, split: usize) -> [Option<usize>; 2] {
        let bytes = source.as_bytes();
        let mut first = [None, None];
        // The marks below `n`, as bits.
        let below = |n: usize| u16::MAX.checked_shr(16 - n as u32).unwrap_or(0);
        let (all, low) = (below(self.marks.len()), below(split.min(self.marks.len())));
        let groups = [low, all & !low];
        // The marks still worth looking for: in each group, those before
        // the first found.
        let mut wanted = groups[0] | groups[1];
        let mut at = 0;
        while let Some(found) = self.next_anchor(bytes, at) {
            at = found;
            let next = bytes.get(at + 1).map_or(0, |&b| self.after[b as usize]);
            let prev = at
                .checked_sub(1)
                .map_or(0, |i| self.before[bytes[i] as usize]);
            let mut marks = self.anchors[bytes[at] as usize] & wanted & (next | prev);
            while marks != 0 {
                let i = marks.trailing_zeros() as usize;
                marks &= marks - 1;
                if self.marks[i].at(bytes, at) {
                    let group = usize::from(i >= split);
                    first[group] = Some(i);
                    wanted &= !groups[group] | ((1 << i) - 1);
                    if wanted == 0 {
                        return first;
                    }
                    marks &= wanted;
                }
            }
            at += 1;
        }
        first
    }

    /// Where the next byte from `from` on is an anchor: eight bytes at a
    /// time (an anchor is about one byte in 25), then the one.
    #[inline]
    fn next_anchor(&self, bytes: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        while let Some(chunk) = bytes.get(at..at + 8) {
            if chunk
                .iter()
                .fold(0, |any, &b| any | self.anchors[b as usize])
                != 0
            {
                break;
            }
            at += 8;
        }
        bytes
            .get(at..)?
            .iter()
            .position(|&b| self.anchors[b as usize] != 0)
            .map(|i| at + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static MARKS: Marks = Marks::new(&[
        Mark::quoted("use client"),
        Mark::then("document.", &["getElementById", "querySelector"]),
        Mark::after(".runtime", &["chrome", "browser"]),
        Mark::plain("localStorage."),
        Mark::plain("react-dom"),
    ]);

    #[test]
    fn marks_and_their_conditions() {
        let first = |s: &str| MARKS.first_in(s);
        assert_eq!(first("\"use client\";"), Some(0));
        assert_eq!(first("'use client'"), Some(0));
        assert_eq!(first("\"use client'"), None);
        assert_eq!(first("// we use client hints"), None);
        assert_eq!(first("document.querySelector('a')"), Some(1));
        assert_eq!(first("document.title"), None);
        assert_eq!(first("chrome.runtime.id"), Some(2));
        assert_eq!(first("env.runtime"), None);
        assert_eq!(first("x = localStorage.getItem(k)"), Some(3));
        assert_eq!(first("import 'react-dom/client'"), Some(4));
        // The first by index wins, wherever it is.
        assert_eq!(first("react-dom; 'use client'"), Some(0));
        // Marks at the very start and end of the text.
        assert_eq!(first("localStorage."), Some(3));
        assert_eq!(first(".runtime"), None);
        assert_eq!(first(""), None);
    }

    #[test]
    fn the_first_of_each_group() {
        let each = |s: &str| MARKS.first_of_each(s, 3);
        assert_eq!(each(""), [None, None]);
        assert_eq!(each("react-dom; 'use client'"), [Some(0), Some(4)]);
        assert_eq!(
            each("react-dom; localStorage. chrome.runtime"),
            [Some(2), Some(3)]
        );
        assert_eq!(each("document.querySelector"), [Some(1), None]);
        assert_eq!(each("react-dom"), [None, Some(4)]);
        // With the split past the last mark, one group: `first_in`.
        assert_eq!(
            MARKS.first_of_each("react-dom; 'use client'", 5),
            [Some(0), None]
        );
    }

    static NAMES: Marks = Marks::new(&[
        Mark::plain_at("idFromName", 2),
        Mark::plain_at("getByName", 3),
    ]);

    #[test]
    fn marks_anchored_on_a_byte_of_their_own() {
        let first = |s: &str| NAMES.first_in(s);
        assert_eq!(first("env.ROOMS.idFromName(x)"), Some(0));
        assert_eq!(first("ns.getByName(n)"), Some(1));
        assert_eq!(first("getByName"), Some(1));
        assert_eq!(first("idFromNam"), None);
        assert_eq!(first("Fr getBy Name"), None);
        assert_eq!(first("idFromString"), None);
    }
}
