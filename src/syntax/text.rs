//! Source text for messages.

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
    use super::one_line;

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
}
