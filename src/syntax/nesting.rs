//! The depth guard (issue #16): the scan lives in its own crate,
//! `crates/nesting-guard`, so that the release profile can compile its byte
//! loop for speed (`opt-level = 3`) while the rest of the wasm is built for
//! size.

pub use nesting_guard::{too_deep, Trouble, MAX_DEPTH, MAX_RETRIES};

/// The guard for one file: too deep to parse, or (TypeScript) so many open
/// `a<` before so much code that the parse would take minutes.
pub fn trouble(path: &str, source: &str) -> Option<Trouble> {
    let typescript = matches!(
        super::syntax_for(path),
        swc_core::ecma::parser::Syntax::Typescript(_)
    );
    nesting_guard::check(source, MAX_DEPTH, typescript)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(src: &str) -> bool {
        too_deep(src, MAX_DEPTH).is_none()
    }

    /// The hostile shapes: each is caught well before the stack would be.
    pub(crate) fn hostile(n: usize) -> Vec<(&'static str, String)> {
        vec![
            (
                "parentheses",
                format!("x = {}1{};", "(".repeat(n), ")".repeat(n)),
            ),
            (
                "arrays",
                format!("x = {}1{};", "[".repeat(n), "]".repeat(n)),
            ),
            (
                "objects",
                format!("x = {}1{};", "{a:".repeat(n), "}".repeat(n)),
            ),
            (
                "calls",
                format!("x = {}1{};", "f(".repeat(n), ")".repeat(n)),
            ),
            (
                "functions",
                format!("{}{}", "function f(){".repeat(n), "}".repeat(n)),
            ),
            ("arrows", format!("x = {}1;", "a=>".repeat(n))),
            (
                "JSX",
                format!("x = {}{};", "<a>".repeat(n), "</a>".repeat(n)),
            ),
            (
                "templates",
                format!("x = {}1{};", "`${".repeat(n), "}`".repeat(n)),
            ),
            ("binary chain", format!("x = a{};", "+a".repeat(n * 100))),
            ("member chain", format!("x = a{};", ".a".repeat(n * 10))),
            ("call chain", format!("x = f{};", "()".repeat(n * 10))),
            ("negations", format!("x = {}a;", "!".repeat(n * 10))),
            ("signs", format!("x = {}a;", "+-".repeat(n * 10))),
            // Not valid code, but parsed (and recovered from) as a division.
            (
                "a regex where a property name is due",
                format!("x = {{ a: 1, /{}b/ }};", "a|".repeat(n * 10)),
            ),
            (
                "a regex where a member name is due",
                format!("module. /{}b/ exports = 1;", "a|".repeat(n * 10)),
            ),
            (
                "brackets in a regex where a property name is due",
                format!("x = {{ /{}b/ }};", "(".repeat(n)),
            ),
            // A bad escape: the parser's recovery reads on as code.
            (
                "after a bad escape in a string",
                format!("f({{ m: \"\\u00{}", "><div".repeat(n)),
            ),
            // Lines separated by U+2029: a quote in a regular expression
            // does not start a string that hides the rest.
            (
                "lines separated by U+2029",
                format!("x = [\u{2029}/[\\']/i,\u{2029}{}a", "a+".repeat(n * 10)),
            ),
            // A line comment ends at U+2028 and U+2029 as at a newline.
            (
                "after a comment ended by U+2028",
                format!("// c\u{2028}x = {}a;", "a = ".repeat(n * 10)),
            ),
            (
                "after a comment ended by U+2029",
                format!("// c\u{2029}x = {}1;", "new ".repeat(n * 10)),
            ),
            (
                "JSX fragments",
                format!("x = {}a{};", "<>".repeat(n), "</>".repeat(n)),
            ),
            // `</` after an operand that closes no tag is `<` and a regular
            // expression (`/ole "./`), then code: read as a closing tag
            // and a string, the brackets were hidden (found by the fuzzer).
            (
                "`</` that is `<` and a regular expression",
                format!("x </ole \"./m{}", "(".repeat(n)),
            ),
            ("conditionals", format!("x = {}a;", "a?a:".repeat(n))),
            ("assignments", format!("{}a;", "a=".repeat(n * 10))),
            ("typeof", format!("x = {}a;", "typeof ".repeat(n))),
            (
                "multi-line chain",
                format!("x = a{};", "\n+ a".repeat(n * 10)),
            ),
        ]
    }

    #[test]
    fn deeply_nested_shapes_are_caught() {
        for (what, src) in hostile(5_000) {
            let at = too_deep(&src, MAX_DEPTH);
            assert!(at.is_some(), "{what}");
        }
    }

    #[test]
    fn ordinary_code_is_far_below_the_limit() {
        // Long but flat: statements, arrays, sequences, sibling JSX, ASI
        // style, minified functions back to back, strings and regexes with
        // brackets, comments.
        let many = |s: &str| s.repeat(20_000);
        for src in [
            many("foo(a.b, c[0]) + bar(d);\n"),
            many("foo(a)\nbar(b)\n"),
            format!("x = [{}];", many("1, ")),
            format!("x = <ul>{}</ul>;", many("<li key={i} a=\"b\">x</li>\n")),
            format!("x = <ul>{}</ul>;", many("<br />")),
            many("function a(){return 1}function b(){}"),
            many("class A{m(){}}\n"),
            many("x = '((((' + \"[[[[\" + `{{{{${a}`;\n"),
            many("x = /\\((([/.test(y) ? 1 : 2;\n"),
            many("// ((((((\n/* [[[[[ */\n"),
            many("a = b / c / d; e = f++ / 2;\n"),
            many("if (a) { b() } else { c() }\n"),
            many("a = -1; b = x+-y; c = i++<n; d <<= 2; e = <><b/></>;\n"),
            // Escapes in strings, good ones and a quote.
            many("x = '\\u00e9\\u{1F600}\\x41\\n\\'((((' + \"\\\"[[[\";\n"),
            // Regular expressions after `,` and `{`: their brackets do not count.
            many("f(a, /[(]|\\(|a|b|c/); g = [1, /((/]; { /\\[/.test(s) }\n"),
            // Closing tags with a member, a namespace or spaces.
            many("x = <a.b>t</a.b>; y = <c:d>t</ c:d >; z = <>t</>;\n"),
        ] {
            assert!(depth_ok(&src), "{}", &src[..60.min(src.len())]);
        }
        // Realistic depth passes; a little over the limit does not (`x =` is
        // one level: the assignment).
        let nested = |n| format!("x = {}1{};", "(".repeat(n), ")".repeat(n));
        assert!(depth_ok(&nested(300)));
        assert_eq!(
            too_deep(&nested(600), MAX_DEPTH),
            Some(4 + MAX_DEPTH as usize - 1)
        );
    }

    /// A regular expression probed as code (after `,`, `{`, `.`, `#` or
    /// `@`) whose last character, at the end of the file, is a `\`: the
    /// probe stopped past the end of the source and indexed out of it.
    #[test]
    fn a_probed_regex_ending_in_a_backslash_at_the_end_is_read() {
        for src in [
            "x = [1, /a\\",
            "f(a, /\\",
            "{ /a\\",
            "module. /\\",
            "x = {a: 1, /[\\",
        ] {
            for path in ["a.js", "a.ts"] {
                assert_eq!(trouble(path, src), None, "{src:?}");
            }
        }
    }

    fn retries(path: &str, src: &str) -> Option<Trouble> {
        match trouble(path, src) {
            Some(Trouble::TooDeep(at)) => panic!("{path}: too deep at {at}"),
            other => other,
        }
    }

    /// 389 unclosed `Array<` before 300,000 list items took 103 s to parse
    /// (found by the fuzzer): the parser reads the list again for each. The
    /// guard reports it, in TypeScript; in JavaScript `<` is only ever a
    /// comparison and there is nothing to read again.
    #[test]
    fn many_unclosed_type_arguments_before_much_code_are_caught() {
        let hostile = format!("x = {}[{}];", "Array<".repeat(389), "1,".repeat(300_000));
        for path in ["a.ts", "a.tsx", "a.mts"] {
            assert!(
                matches!(retries(path, &hostile), Some(Trouble::TooManyRetries(_))),
                "{path}"
            );
        }
        assert_eq!(trouble("a.js", &hostile), None);
        // Fewer levels, more code; more levels, less code.
        let shape = |levels: usize, items: usize| {
            format!("x = {}f({});", "a<".repeat(levels), "b, ".repeat(items))
        };
        assert!(retries("a.ts", &shape(40, 200_000)).is_some());
        assert!(retries("a.ts", &shape(450, 20_000)).is_some());
        // Where the parser stops reading type arguments, the count stops.
        for stop in [
            ";", " = 1,", " + 1,", " && y,", " || y,", " <= y,", " !== y,", " * 2,",
        ] {
            let many = format!("a<b<x{stop} y(1, 2, 3), ").repeat(100_000);
            assert_eq!(retries("a.ts", &many), None, "{stop:?}");
        }
        // … and without a stop, the count goes on.
        let many = "a<b<x, y(1, 2, 3), ".repeat(100_000);
        assert!(retries("a.ts", &many).is_some());
    }

    /// Ordinary TypeScript re-reads little: comparisons end at `;`, `)` or
    /// an operator no type has, type arguments at their `>`.
    #[test]
    fn ordinary_typescript_is_far_below_the_retry_bound() {
        let many = |s: &str| s.repeat(20_000);
        for src in [
            many("for (let i = 0; i < n; i++) { if (a < b && c > d) x = m<T>(y) }\n"),
            many("const x: Map<string, Array<number>> = new Map<string, Array<Set<number>>>();\n"),
            many("if (a < b) { f(a, b, c, d) } else if (x < y) g(1)\n"),
            many("const f = <T,>(x: T): Promise<Array<T>> => g<T>(x, y < z ? 1 : 2);\n"),
            // One comparison before a long list, whose items are many tokens.
            format!("const y = a < b ? [{}] : [];\n", "1, ".repeat(500_000)),
        ] {
            assert_eq!(retries("a.ts", &src), None, "{}", &src[..60]);
            assert_eq!(retries("a.tsx", &src), None, "{}", &src[..60]);
        }
    }
}
