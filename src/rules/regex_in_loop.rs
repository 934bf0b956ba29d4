//! `regex-in-loop`: `new RegExp('constant')` (or `RegExp('constant')`)
//! inside a loop or a per-element callback compiles the same pattern on
//! every iteration. Regex literals are cached by the engine per call site and
//! are not reported; nor is `new RegExp(variable)`, whose pattern may change
//! from one iteration to the next.

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::engine::context::{unwrap_expr, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "regex-in-loop", Cpu, Warning,
    "`new RegExp(constant)` inside a loop or per-element callback: hoist the regex to module scope.",
    |_| Box::<RegexInLoop>::default()
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
`new RegExp(pattern)` or `RegExp(pattern)` with a **constant** pattern (a string
literal, a template without `${…}`, a concatenation of those, or a regex literal)
inside a loop (`for`, `for-of`, `for-in`, `while`, `do-while`) or inside a
per-element callback (`map`, `forEach`, `filter`, `reduce`, `some`, `find`, `sort`,
`Array.from`, …).
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each call parses and compiles the pattern again, once per element, on the
request's CPU time. The free plan allows 10 ms of CPU per request; a regex
compiled 1,000 times in a validation loop can take a visible share of it. A regex
literal (`/^[a-z]+$/`) is compiled once per call site by V8, and a regex stored
in a module-scope constant once per isolate.
"#,
        ),
        (
            "Bad",
            r#"
```ts
export function validateSkus(skus: string[]): string[] {
  const invalid: string[] = [];
  for (const sku of skus) {
    const pattern = new RegExp('^[a-z0-9-]+$');
    if (!pattern.test(sku)) invalid.push(sku);
  }
  return invalid;
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const SKU_PATTERN = /^[a-z0-9-]+$/;

export function validateSkus(skus: string[]): string[] {
  return skus.filter((sku) => !SKU_PATTERN.test(sku));
}
```

The help message gives the literal to paste (`const SKU_PATTERN = /^[a-z0-9-]+$/;`),
named after the variable the regex was assigned to.

A regex with the `g` or `y` flag keeps `lastIndex` between uses: when you share
one, reset `RE.lastIndex = 0` before `exec`/`test`, or use `str.matchAll(RE)` /
`str.replaceAll(RE, …)`, which do not depend on it.
"#,
        ),
        (
            "Not reported",
            r#"
- `new RegExp(word)` / `` new RegExp(`^${word}$`) ``: the pattern can change
  per iteration; cache per distinct pattern (a `Map`) if it does not.
- Regex literals anywhere.
- `new RegExp(…)` at module scope or once per function call.
- A non-constant flags argument (`new RegExp('a', flags)`).
- A function defined inside a loop that is not itself a per-element callback
  (`queue.push(() => new RegExp('a'))`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
A constant held in a variable (`const P = '^a+$'; … new RegExp(P)`) is not
recognized as constant. Loops written as recursion are not seen.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

#[derive(Default)]
struct RegexInLoop {
    /// `const pattern = new RegExp(…)`: the initializer's span and the name,
    /// for a better constant name in the help.
    declarator: Option<(Span, Atom)>,
}

impl Rule for RegexInLoop {
    fn interests(&self) -> &'static [NodeKind] {
        &[NodeKind::Call, NodeKind::New, NodeKind::VarDeclarator]
    }

    /// Its calls are `RegExp(…)` (without `new`).
    fn call_names(&self) -> Option<&'static crate::model::collections::Words> {
        static REGEXP: crate::model::collections::Words =
            crate::model::collections::Words::new(&["RegExp"]);
        Some(&REGEXP)
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        let (span, callee, args) = match node {
            Node::VarDeclarator(d) => {
                if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                    self.declarator = Some((unwrap_expr(init).span(), name.id.sym.clone()));
                }
                return;
            }
            Node::New(n) => match &n.args {
                Some(args) => (n.span, &*n.callee, args.as_slice()),
                None => return,
            },
            Node::Call(c) => match &c.callee {
                Callee::Expr(e) => (c.span, &**e, c.args.as_slice()),
                _ => return,
            },
            _ => return,
        };
        let Expr::Ident(id) = unwrap_expr(callee) else {
            return;
        };
        if id.sym != "RegExp" || !cx.is_unbound(id) {
            return;
        }
        let Some(repeat) = cx.repeating() else {
            return;
        };
        let Some((pattern, mut flags)) = constant_regex(args) else {
            return;
        };
        if args.len() == 2 {
            flags = const_str(&args[1].expr).unwrap_or(flags);
        }

        let name = match &self.declarator {
            Some((init, name)) if *init == span => screaming_snake(name),
            _ => "PATTERN".to_string(),
        };
        let literal = regex_literal(&pattern, &flags);
        let mut help = format!(
            "Hoist it to module scope: `const {name} = {literal};` (compiled once per isolate), and use `{name}` inside the {}.",
            repeat.describe()
        );
        if flags.contains('g') || flags.contains('y') {
            help.push_str(&format!(
                " It has the `{flags}` flags: a shared regex keeps `lastIndex` between uses, so reset `{name}.lastIndex = 0` before `exec`/`test`, or use `str.matchAll({name})` / `str.replaceAll({name}, …)`."
            ));
        }
        cx.report(
            span,
            format!(
                "`{}` compiles the same regex on every iteration of the {}",
                cx.snippet(span),
                repeat.describe()
            ),
            help,
        );
    }

    fn exit_interests(&self) -> &'static [NodeKind] {
        &[NodeKind::VarDeclarator]
    }

    fn exit(&mut self, node: Node<'_>, _cx: &mut LintContext<'_>) {
        if matches!(node, Node::VarDeclarator(_)) {
            self.declarator = None;
        }
    }
}

/// The pattern and flags when both are constants: `('a+', 'i')`, `(/a+/)`,
/// `` (`a+`) ``.
fn constant_regex(args: &[ExprOrSpread]) -> Option<(String, String)> {
    if args.is_empty() || args.len() > 2 || args.iter().any(|a| a.spread.is_some()) {
        return None;
    }
    if args.len() == 2 {
        const_str(&args[1].expr)?;
    }
    match unwrap_expr(&args[0].expr) {
        Expr::Lit(Lit::Regex(r)) => Some((r.exp.to_string(), r.flags.to_string())),
        e => Some((const_str(e)?, String::new())),
    }
}

/// A string known at compile time: a literal, a template without
/// substitutions, or a `+` of those.
fn const_str(expr: &Expr) -> Option<String> {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
        Expr::Tpl(t) if t.exprs.is_empty() => {
            Some(t.quasis.first()?.cooked.as_ref()?.as_str()?.to_string())
        }
        Expr::Bin(b) if b.op == BinaryOp::Add => Some(const_str(&b.left)? + &const_str(&b.right)?),
        _ => None,
    }
}

/// `^a/b$` → `/^a\/b$/`: the literal that builds the same regex.
fn regex_literal(pattern: &str, flags: &str) -> String {
    if pattern.is_empty() {
        return format!("/(?:)/{flags}");
    }
    let mut out = String::with_capacity(pattern.len() + 2);
    out.push('/');
    let mut escaped = false;
    for c in pattern.chars() {
        match c {
            '/' if !escaped => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    out.push('/');
    out.push_str(flags);
    out
}

/// `skuPattern` → `SKU_PATTERN` (ASCII case only: the Unicode case tables
/// would add 24 KB to the wasm for a suggested constant name).
fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_util::{assert_fires, assert_silent, lint_with};

    #[test]
    fn fires_on_constant_regex_built_per_iteration() {
        assert_fires(
            "regex-in-loop",
            r#"export function validate(skus: string[]) {
  for (const sku of skus) {
    const pattern = new RegExp('^[a-z0-9-]+$');
    if (!pattern.test(sku)) return false;
  }
  return skus.filter((s) => RegExp(`^x`, 'i').test(s));
}
for (let i = 0; i < 3; i++) { new RegExp(/a\/b/g); }
while (more()) { const re = new RegExp('a' + '/b'); }
"#,
            &[
                (
                    3,
                    "`new RegExp('^[a-z0-9-]+$')` compiles the same regex on every iteration of the for-of loop",
                ),
                (6, "every iteration of the filter callback"),
                (8, "for loop"),
                (9, "while loop"),
            ],
        );
    }

    #[test]
    fn help_gives_the_literal() {
        let found = lint_with(
            "regex-in-loop",
            "test.ts",
            "for (const s of xs) { const skuPattern = new RegExp('^a/b\\\\d$'); }\nfor (const s of xs) { s.match(new RegExp('x', 'g')); }\n",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].help.contains(r"`const SKU_PATTERN = /^a\/b\d$/;`"),
            "{}",
            found[0].help
        );
        assert!(
            found[1].help.contains("`const PATTERN = /x/g;`"),
            "{}",
            found[1].help
        );
        assert!(found[1].help.contains("lastIndex"));
    }

    #[test]
    fn silent_outside_loops_and_on_dynamic_patterns() {
        assert_silent(
            "regex-in-loop",
            r#"const SKU = new RegExp('^[a-z0-9-]+$');
export function check(s: string) {
  const once = new RegExp('^a+$');
  return once.test(s);
}
for (const word of words) {
  const re = new RegExp(word, 'i');
  const re2 = new RegExp(`^${word}$`);
  const lit = /^[a-z]+$/;
  const flagsVar = new RegExp('a', flags);
  queue.push(() => new RegExp('a'));
}
items.map((x) => x.replace(/-/g, ' '));
function shadow(RegExp: any) { for (const x of xs) new RegExp('a'); }
"#,
        );
    }

    #[test]
    fn literal_and_names() {
        assert_eq!(regex_literal("a/b", ""), r"/a\/b/");
        assert_eq!(regex_literal(r"a\/b", "g"), r"/a\/b/g");
        assert_eq!(regex_literal("", ""), "/(?:)/");
        assert_eq!(screaming_snake("skuPattern"), "SKU_PATTERN");
        assert_eq!(screaming_snake("re"), "RE");
    }
}
