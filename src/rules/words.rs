//! Words of identifiers and paths, as rules read names for what they say
//! (`clientIp` is about a client's address, `/clear-sessions` clears).

/// The lowercase words of identifiers in `text`: `clientIp` → `client`,
/// `ip`; `user_id` → `user`, `id`; `URLPath` → `url`, `path`.
pub(super) fn identifier_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(|token| {
            let bytes = token.as_bytes();
            let mut parts = Vec::new();
            let mut start = 0;
            for i in 1..bytes.len() {
                let (prev, cur) = (bytes[i - 1], bytes[i]);
                let next_lower = bytes.get(i + 1).is_some_and(|b| b.is_ascii_lowercase());
                let boundary = (prev.is_ascii_lowercase() && cur.is_ascii_uppercase())
                    || (prev.is_ascii_uppercase() && cur.is_ascii_uppercase() && next_lower)
                    || (prev.is_ascii_alphabetic() != cur.is_ascii_alphabetic());
                if boundary {
                    parts.push(token[start..i].to_ascii_lowercase());
                    start = i;
                }
            }
            if start < token.len() {
                parts.push(token[start..].to_ascii_lowercase());
            }
            parts
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_split_identifiers() {
        let split: Vec<String> =
            super::identifier_words("clientIp user_id URLPath x2 /clear-sessions").collect();
        assert_eq!(
            split,
            ["client", "ip", "user", "id", "url", "path", "x", "2", "clear", "sessions"]
        );
    }
}
