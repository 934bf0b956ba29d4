//! Source text for messages, and searches of it.

/// Whether `text` contains `needle`, found by its byte at `rare` (ASCII; the
/// one least common in code): a byte search for that byte (memchr, a word at
/// a time), then a comparison where it is. Over a whole file this is several
/// times faster in the wasm than `str::contains`, whose two-way searcher
/// steps through the text a byte at a time.
pub fn contains_by_rare_byte(text: &str, needle: &str, rare: usize) -> bool {
    let at = needle.as_bytes()[rare];
    debug_assert!(at.is_ascii());
    text.match_indices(at as char)
        .any(|(i, _)| i >= rare && text.as_bytes()[i - rare..].starts_with(needle.as_bytes()))
}

/// Where `needle` occurs in `text`, in order: found by its rarest ASCII
/// byte in code (an upper-case letter, `$`, a digit, a rare letter) with
/// memchr, then compared there. A name's first letter is often one of the
/// most common bytes (`e`, `s`, `t`): searching for it stops at most bytes.
pub fn occurrences<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    // How common a byte is in code: lower is rarer.
    let commonness = |b: u8| match b {
        b'A'..=b'Z' | b'$' => 1,
        b'0'..=b'9' | b'q' | b'z' | b'x' | b'j' | b'k' => 2,
        b'_' | b'v' | b'w' | b'y' | b'b' | b'g' | b'h' | b'f' | b'm' | b'p' | b'u' => 3,
        _ => 4,
    };
    let rare = needle
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii())
        .min_by_key(|&(_, b)| commonness(b));
    let bytes = text.as_bytes();
    let (at, byte) = rare.unwrap_or((0, 0));
    let by_rare = rare.map(|_| {
        text.match_indices(byte as char)
            .filter_map(move |(i, _)| i.checked_sub(at))
            .filter(move |&start| bytes[start..].starts_with(needle.as_bytes()))
    });
    // A needle of no ASCII byte (or an empty one): the string search.
    let whole = rare
        .is_none()
        .then(|| text.match_indices(needle).map(|(i, _)| i));
    by_rare
        .into_iter()
        .flatten()
        .chain(whole.into_iter().flatten())
}

/// The bytes of an identifier-like word: ASCII letters, digits, `_`, `$`,
/// and any byte of a non-ASCII character.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
        b += 1;
    }
    table
};

/// A byte of an identifier-like word ([`WORD_BYTES`]).
#[inline]
pub fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize]
}

/// Whether `text` has one of `words` (sorted) as a whole identifier-like
/// word. One pass over the bytes: where a word starts, it is compared only
/// when its length and first byte could match — what many `contains` calls,
/// each a scan of its own, would cost is paid once.
pub fn has_any_word(text: &str, words: &[&str]) -> bool {
    debug_assert!(words.windows(2).all(|w| w[0] < w[1]));
    let mut firsts = [false; 256];
    let (mut shortest, mut longest) = (usize::MAX, 0);
    for w in words {
        firsts[w.as_bytes()[0] as usize] = true;
        shortest = shortest.min(w.len());
        longest = longest.max(w.len());
    }
    let bytes = text.as_bytes();
    let is_word = is_word_byte;
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        if firsts[word[0] as usize]
            && (shortest..=longest).contains(&word.len())
            && words.binary_search_by(|w| w.as_bytes().cmp(word)).is_ok()
        {
            return true;
        }
    }
    false
}

/// `text` on one line (whitespace runs collapsed to a space), cut to at most
/// 60 characters with an ellipsis. Reads only as far as the cut: spans can
/// cover whole functions.
pub fn one_line(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    match collapse_whitespace(text, MAX_CHARS) {
        (line, false) => line,
        (line, true) => {
            let cut: String = line.chars().take(MAX_CHARS - 3).collect();
            format!("{cut}...")
        }
    }
}

/// `text` with each whitespace run collapsed to one space, read only until
/// it has more than `max_chars` characters (a long minified word is taken
/// only that far): the line, and whether it was cut there.
pub fn collapse_whitespace(text: &str, max_chars: usize) -> (String, bool) {
    // Source text is ASCII almost always: bytes are characters, and the
    // whitespace is six bytes. A non-ASCII byte before the cut falls back
    // to the walk by characters, which gives the same line.
    let bytes = text.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let mut line = String::new();
    let mut at = 0;
    loop {
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !is_space(bytes[at]) && bytes[at].is_ascii() {
            at += 1;
        }
        if at < bytes.len() && !bytes[at].is_ascii() {
            return collapse_whitespace_chars(text, max_chars);
        }
        if start == at {
            return (line, false);
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&text[start..at.min(start + (max_chars + 1) * 4)]);
        if line.len() > max_chars {
            return (line, true);
        }
    }
}

/// [`collapse_whitespace`] by characters (any text).
fn collapse_whitespace_chars(text: &str, max_chars: usize) -> (String, bool) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        let mut end = word.len().min((max_chars + 1) * 4);
        while !word.is_char_boundary(end) {
            end -= 1;
        }
        line.push_str(&word[..end]);
        if line.len() > max_chars && line.chars().count() > max_chars {
            return (line, true);
        }
    }
    (line, false)
}

#[cfg(test)]
mod tests {
    use super::occurrences;

    /// Every occurrence, in order, found by the rarest byte (one that
    /// repeats, one of no ASCII byte, overlapping ones).
    #[test]
    fn occurrences_are_every_one_in_order() {
        let text = "db.getUser(id); getUser; xgetUserx; getUsergetUser; é";
        assert_eq!(
            occurrences(text, "getUser").collect::<Vec<_>>(),
            [3, 16, 26, 36, 43]
        );
        assert_eq!(occurrences("aaaa", "aa").collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(occurrences("UserUser", "UserU").collect::<Vec<_>>(), [0]);
        assert_eq!(occurrences("é é", "é").collect::<Vec<_>>(), [0, 3]);
        assert_eq!(occurrences("abc", "").count(), 4);
    }

    use super::{contains_by_rare_byte, one_line};

    #[test]
    fn a_word_is_found_whole_only() {
        let words = ["Image", "document", "window"];
        for (text, found) in [
            ("", false),
            ("window", true),
            ("x = window.open()", true),
            ("globalThis.document", true),
            ("windows; documents; Images", false),
            ("$window _document myImage", false),
            ("é window é", true),
            ("éwindow", false),
        ] {
            assert_eq!(super::has_any_word(text, &words), found, "{text:?}");
        }
    }

    #[test]
    fn a_rare_byte_finds_the_needle_wherever_str_contains_does() {
        let texts = [
            "",
            "P",
            "Promise.all",
            "await Promise.all(ps)",
            "x Promise.al",
            "PPromise.allP",
            "Promise.any(ps); Promise.all",
            "é Promise.all é",
        ];
        for text in texts {
            for (needle, rare) in [("Promise.all", 0), ("Promise.all", 8), ("all", 2)] {
                assert_eq!(
                    contains_by_rare_byte(text, needle, rare),
                    text.contains(needle),
                    "{needle:?} (by byte {rare}) in {text:?}"
                );
            }
        }
    }

    #[test]
    fn one_line_collapses_whitespace_and_cuts_at_60_characters() {
        assert_eq!(one_line("env.KV\n   .get(key)"), "env.KV .get(key)");
        let sixty = "a".repeat(60);
        assert_eq!(one_line(&sixty), sixty);
        let long = format!("{sixty} b");
        assert_eq!(one_line(&long), format!("{}...", "a".repeat(57)));
        // Non-ASCII counts characters, not bytes; a huge word is not copied whole.
        assert_eq!(one_line(&"é".repeat(60)), "é".repeat(60));
        assert_eq!(
            one_line(&"é".repeat(100_000)),
            format!("{}...", "é".repeat(57))
        );
        assert_eq!(one_line("  \n "), "");
    }

    /// The ASCII walk gives what the walk by characters gives.
    #[test]
    fn collapse_whitespace_ascii_and_chars_agree() {
        use super::{collapse_whitespace, collapse_whitespace_chars};
        let texts = [
            "",
            " ",
            "a",
            "env.KV\n   .get(key)",
            "\t\x0B\x0C\r\n a  b\x0Bc\x0C d\r\n",
            "a\u{a0}b c",
            "x y \u{2028} z",
            "fetch(`${base}/items/${id}`, { method: 'POST', body: JSON.stringify(item) })",
        ];
        let long = format!("{} {}", "w".repeat(500), "v ".repeat(100));
        let accented = format!("{} é {}", "a ".repeat(40), "b ".repeat(40));
        for text in texts
            .iter()
            .copied()
            .chain([long.as_str(), accented.as_str()])
        {
            for max in [0, 1, 5, 20, 60, 80] {
                assert_eq!(
                    collapse_whitespace(text, max),
                    collapse_whitespace_chars(text, max),
                    "{text:?} at {max}"
                );
            }
        }
    }
}
