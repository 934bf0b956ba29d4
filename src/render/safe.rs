//! Text from the user's files (paths, package names, source snippets in
//! messages) on a terminal or in Markdown: control characters would move the
//! cursor, recolour or retitle the terminal, or fake lines of output; bidi
//! controls would reorder what is read. Each is shown as an escape instead.

use std::borrow::Cow;

use crate::model::report::Report;

/// Whether `c` is shown escaped: C0 and C1 controls and DEL (tab excepted),
/// the line and paragraph separators, and the bidi embedding, override and
/// isolate controls.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with each unsafe character written as `\u{…}` (ESC is `\u{1b}`, a
/// line feed `\u{a}`): visible, and inert.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape_value(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(escaped) = escape_controls(s) {
                *s = escaped;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(escape_value),
        serde_json::Value::Object(map) => map.values_mut().for_each(escape_value),
        _ => {}
    }
}

/// The report with every string escaped: what the terminal and Markdown
/// renderers print (JSON and SARIF carry the text as it is, JSON-escaped).
/// Borrows the report when nothing needs escaping (the usual case).
pub fn escaped(report: &Report) -> Cow<'_, Report> {
    // Through the JSON text and the report's field readers
    // (`model::json::FromJson`), whose code the wasm has already (a
    // `serde_json::to_value`/`from_value` pair would compile a second reader
    // and writer of the whole report).
    let Ok(mut value) = serde_json::to_string(report)
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text))
    else {
        return Cow::Borrowed(report);
    };
    let before = value.clone();
    escape_value(&mut value);
    if value == before {
        return Cow::Borrowed(report);
    }
    crate::model::json::FromJson::from_json(&value).map_or(Cow::Borrowed(report), Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("src/a b.ts\tx é"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\nc\r\u{7}\u{9b}\u{202e}d\u{2028}"),
            "a\\u{1b}[2Jb\\u{a}c\\u{d}\\u{7}\\u{9b}\\u{202e}d\\u{2028}"
        );
    }
}
