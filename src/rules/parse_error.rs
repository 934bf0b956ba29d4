//! `parse-error`: declared here, reported by the lint engine when a file does not parse
//! (`crate::engine::Linter::lint_files`); the checking logic stays there.

use crate::engine::declare::{reported, Declaration};

pub static RULE: Declaration = reported!(
    "parse-error", Input, Warning,
    "A source file does not parse",
    by "crate::engine::Linter::lint_files", in_config true
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: " (always)",
    intro: "",
    sections: &[
        (
            "What it means",
            r#"
A source file could not be parsed as JavaScript or TypeScript. The finding
names the file and the line and column of the first syntax error, then what
the parser expected there. Such a file gets no other findings: every source
rule needs the syntax tree.

The syntax is picked from the file name as wrangler's esbuild build does:
`.ts`, `.mts`, `.cts` as TypeScript, `.tsx` as TypeScript with JSX, `.d.ts`
as a declaration file, everything else (`.js`, `.mjs`, `.cjs`, `.jsx`) as
JavaScript with JSX (wrangler bundles `.js` with esbuild's `jsx` loader).
Files are read as ES modules, as wrangler bundles them (top-level `await`
works in any file); a file that is no valid module, such as sloppy-mode
CommonJS, is read as a script, and so is a `.cjs` or `.cts` file.
Syntax esbuild and tsc accept parses: decorators (TypeScript's
`experimentalDecorators` form and the standard one, on classes, members and
parameters, before or after `export`), `accessor` fields, `using` and
`await using`, import attributes (`with { type: "json" }`) and the older
`assert` form, and JSX. Recoverable errors count too: the tree would not be
what the author wrote.
"#,
        ),
        (
            "Why it matters",
            r#"
A file the analyzer cannot read is a file whose problems go unreported; the
finding makes the gap visible instead of silently skipping it. It is a
warning, never an error: esbuild reports a real syntax error itself when it
builds, and a file this tool cannot read is no reason to fail a check or
block a deploy.
"#,
        ),
        (
            "Example",
            r#"
A finding at `src/routes/orders.ts`, line 12, column 5, with the message
`src/routes/orders.ts:12:5: not valid TypeScript, so this file was not
analyzed: Expected ',', found 'const'`.
"#,
        ),
        (
            "What to do",
            r#"
- Fix the syntax error (the TypeScript compiler or your editor shows the same
  place); the file's other findings appear once it parses.
- JSX in a `.ts` file: rename it to `.tsx`.
- Generated or vendored code that is not meant to be analyzed: exclude it with
  `ignore` in the config (for example `"ignore": ["src/generated/**"]`).
- Code esbuild builds but this parser rejects: report it, and exclude the
  file meanwhile.
"#,
        ),
        (
            "Options",
            r#"
None. A parse error cannot be suppressed with a comment (comments are read by
the parser); use `ignore` for files that should not be analyzed.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::NotRunnable(
        "the engine reports it for any file that does not parse (the engine's tests cover it)",
    ),
};

#[cfg(test)]
mod tests {
    use crate::model::report::Severity;
    use crate::rules::test_util::Case;

    #[test]
    fn a_syntax_error_is_a_warning_in_plain_words_with_its_place() {
        let found = Case::new()
            .file("src/ok.ts", "export const c = JSON.parse(JSON.stringify(x));\n")
            .file("src/broken.ts", "export const a = 1;\ncall(a b);\n")
            .rules(&["json-deep-clone"])
            .assert_fires(&[
                ("src/ok.ts", 1, "JSON.parse(JSON.stringify(x))"),
                ("src/broken.ts", 2, "src/broken.ts:2:8: not valid TypeScript, so"),
            ]);
        let parse = &found[1];
        assert!(parse.message.contains("this file was not analyzed: "));
        assert_eq!(parse.severity, Severity::Warning);
        assert_eq!((parse.line, parse.column), (Some(2), Some(8)));
        assert!(parse.message.ends_with("Expected ',', found a name"), "{}", parse.message);
    }

    /// Newer syntax parses and is analyzed like any other: decorators,
    /// `using`, import attributes and a top-level `await` whose operand is on
    /// the next line, with a suppression comment that still applies.
    #[test]
    fn newer_syntax_is_analyzed() {
        let source = r#"import data from "./data.json" with { type: "json" };
import old from "./old.json" assert { type: "json" };
declare const Component: (o: object) => ClassDecorator;
declare const Inject: (t: string) => ParameterDecorator;
@Component({})
export class Handler {
  constructor(@Inject("db") private db: unknown) {}
}
export async function run(open: () => AsyncDisposable) {
  await using conn = open();
  return JSON.parse(JSON.stringify(data));
}
const boot = await
  fetch("https://example.com");
// perf-optimizer-disable-next-line json-deep-clone
export const copy = JSON.parse(JSON.stringify(old));
"#;
        Case::new()
            .file("src/index.ts", source)
            .rules(&["json-deep-clone"])
            .assert_fires(&[("src/index.ts", 11, "JSON.parse(JSON.stringify(data))")]);
    }
}
