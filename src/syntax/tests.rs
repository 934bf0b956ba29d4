//! What esbuild (as wrangler runs it) and tsc parse, this parse accepts: a
//! corpus of newer syntax in `tests/fixtures/syntax`, one file per form.

use std::path::Path;

use swc_core::common::Spanned;

use super::*;

/// Every file of a folder, with the first error of each one that fails.
fn failures(dir: &Path) -> (usize, Vec<String>) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failed = Vec::new();
    for path in &files {
        let name = path.to_string_lossy();
        let source = std::fs::read_to_string(path).unwrap();
        if let Err((span, message)) = parse(&name, &source, None) {
            let at = span.lo.0.saturating_sub(START) as usize;
            let line = source[..at.min(source.len())].lines().count();
            failed.push(format!("{name}:{line}: {message}"));
        }
    }
    (files.len(), failed)
}

#[test]
fn the_syntax_corpus_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax");
    let (count, failed) = failures(&dir);
    assert!(count >= 15, "the corpus is there: {count} files");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The initializer of the first `const` of a module.
fn first_init(program: &Program) -> &swc_core::ecma::ast::Expr {
    use swc_core::ecma::ast::{Decl, ModuleDecl, ModuleItem, Stmt};
    let Program::Module(m) = program else {
        panic!("a module: {program:?}")
    };
    m.body
        .iter()
        .find_map(|item| match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) => v.decls[0].init.as_deref(),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => match &e.decl {
                Decl::Var(v) => v.decls[0].init.as_deref(),
                _ => None,
            },
            _ => None,
        })
        .expect("a const")
}

#[test]
fn top_level_await_with_its_operand_on_the_next_line_is_the_operator() {
    use swc_core::ecma::ast::Expr;
    for (path, src) in [
        ("a.js", "const c = await\n  load();\n"),
        ("a.ts", "export const c = (await\r\n  load()) as unknown;\n"),
        (
            "a.mjs",
            "// note\nconst c = await\u{2028}load();\nexport { c };\n",
        ),
        (
            "a.tsx",
            "const c = await\n\n\tload();\nconst d = await\n load();\n",
        ),
    ] {
        let program = parse(path, src, None).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let mut init = first_init(&program);
        while let Expr::Paren(p) = init {
            init = &p.expr;
        }
        if let Expr::TsAs(a) = init {
            init = &a.expr;
        }
        while let Expr::Paren(p) = init {
            init = &p.expr;
        }
        let Expr::Await(a) = init else {
            panic!("{path}: {init:?}")
        };
        // Spans point into the text as written.
        let at = (a.arg.span().lo.0 - START) as usize;
        assert!(src[at..].starts_with("load()"), "{path}: {}", &src[at..]);
    }
}

#[test]
fn comments_are_kept_once_when_the_parse_is_repeated() {
    let comments = SingleThreadedComments::default();
    let src = "// one\nconst c = await\n  load(); // two\n/* three */\n";
    parse("a.js", src, Some(&comments)).unwrap();
    let (leading, trailing) = comments.take_all();
    let count = |m: swc_core::common::comments::SingleThreadedCommentsMap| {
        m.borrow().values().map(Vec::len).sum::<usize>()
    };
    assert_eq!(count(leading) + count(trailing), 3);
}

#[test]
fn sloppy_scripts_and_commonjs_parse_as_scripts() {
    for (path, src) in [
        ("legacy.js", "with (Math) { x = cos(0); }\nvar n = 010;\n"),
        (
            "old.js",
            "function f(a, a) { return arguments; }\nvar await = 1;\n",
        ),
        (
            "lib.cjs",
            "var await = require('x');\nmodule.exports = await;\n",
        ),
    ] {
        let program = parse(path, src, None).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert!(matches!(program, Program::Script(_)), "{path}");
    }
}

#[test]
fn a_real_syntax_error_is_reported_where_it_is() {
    for (path, src, at) in [
        ("a.ts", "export const = 1;\n", "="),
        ("a.js", "const c = await\n  load(;\n", ";\n"),
        ("a.js", "async function f() {}\nf(\n", ""),
    ] {
        let (span, message) = parse(path, src, None).expect_err(path);
        let offset = (span.lo.0 - START) as usize;
        assert!(!message.is_empty());
        assert!(
            src[offset..].starts_with(at),
            "{path}: {message} at {offset}: {:?}",
            &src[offset..]
        );
    }
}

/// Packages whose shipped JavaScript must parse: what the example Worker
/// depends on, and what the tool's own dependencies bring. Those not
/// installed are skipped; at least some must be there.
const PACKAGES: &[&str] = &[
    "examples/worker/node_modules/hono",
    "examples/worker/node_modules/zod",
    "examples/worker/node_modules/drizzle-orm",
    // Its workflow workers declare `using` (they failed before #16).
    "node_modules/miniflare",
    "node_modules/undici",
    "node_modules/unenv",
    "node_modules/path-to-regexp",
    "node_modules/youch",
    "node_modules/cookie",
    "node_modules/semver",
];

/// Every .js, .mjs and .cjs file under `dir`, recursively.
fn js_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            js_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "js" || e == "mjs" || e == "cjs")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_shipped_javascript_of_popular_packages_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = Vec::new();
    let mut failed = Vec::new();
    for package in PACKAGES {
        let mut files = Vec::new();
        js_files(&root.join(package), &mut files);
        if files.is_empty() {
            eprintln!("{package}: not installed, skipped");
            continue;
        }
        for path in &files {
            let source = std::fs::read_to_string(path).unwrap();
            if let Err((span, message)) = parse(&path.to_string_lossy(), &source, None) {
                failed.push(format!("{}@{}: {message}", path.display(), span.lo.0));
            }
        }
        checked.push(format!("{package} ({} files)", files.len()));
    }
    eprintln!("parsed: {}", checked.join(", "));
    assert!(
        checked.len() >= 3,
        "too few packages installed: {checked:?}"
    );
    assert!(
        failed.is_empty(),
        "{} files fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// swc panics on a JSX name with a namespace and a member (`<a:b.c`; found
/// by the fuzzer, a trap in the wasm): the file is a syntax error instead,
/// at the name, and the same text in a string, a comment or a comparison
/// parses as before.
#[test]
fn a_jsx_name_with_a_namespace_and_a_member_is_a_syntax_error_not_a_panic() {
    use swc_core::ecma::ast::{Expr, Lit};
    for (path, src) in [
        ("a.jsx", "x = <a:b.c />;"),
        ("a.js", "x = <a:b.c></a:b.c>;"),
        ("a.mjs", "x = <a></a:b.c>;"),
        (
            "a.tsx",
            "const f = () => {\n  return < a /* ns */ :\n b-c . d>x</a>;\n};",
        ),
        ("a.js", "f(<a:b.c/>, 1)"),
    ] {
        let result = std::panic::catch_unwind(|| parse(path, src, None));
        let (span, message) = result
            .unwrap_or_else(|_| panic!("{path}: {src:?} panicked"))
            .expect_err(path);
        assert!(message.contains("`a:b.c`"), "{path}: {message}");
        let at = (span.lo.0 - START) as usize;
        assert!(src[at..].starts_with('<'), "{path}: at {:?}", &src[at..]);
    }
    for (path, src) in [
        ("a.js", "const s = '(<a:b.c'; // see <x:y.z>\n"),
        ("a.js", "const m = ok ? n<max : opts.x;\n"),
        (
            "a.tsx",
            "const m = ok ? n<max : opts.x;\nconst e = <svg:rect x={1} />;\n",
        ),
        ("a.ts", "const m = ok ? (n)<max : opts.x;\n"),
    ] {
        parse(path, src, None).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    }
    // The string's text is the text as written.
    let program = parse("a.js", "export const s = '(<a:b.c';\n", None).unwrap();
    let Expr::Lit(Lit::Str(s)) = first_init(&program) else {
        panic!("a string")
    };
    assert_eq!(s.value.as_str(), Some("(<a:b.c"));
}

/// `callee_is` answers what comparing `callee_path` would, for every call
/// of a text and every path asked (its own, others, and near misses).
#[test]
fn callee_is_agrees_with_callee_path() {
    use swc_core::ecma::ast::CallExpr;
    use swc_core::ecma::visit::{Visit, VisitWith};
    struct Calls(Vec<CallExpr>);
    impl Visit for Calls {
        fn visit_call_expr(&mut self, c: &CallExpr) {
            self.0.push(c.clone());
            c.visit_children_with(self);
        }
    }
    let source = "JSON.parse(JSON.stringify(x)); (JSON).parse(y); JSON!.parse(z); a.JSON.parse(w);
        this.x.y(); asc(c); desc(c); drizzle(env.DB); Array.from(s); Object.keys(o); a[b](); f()(); super.m(); xJSON.parse(q); JSON.xparse(q);";
    let program = parse("a.ts", source, None).unwrap();
    let mut calls = Calls(Vec::new());
    program.visit_with(&mut calls);
    assert!(calls.0.len() >= 15);
    let paths = [
        "JSON.parse",
        "JSON.stringify",
        "parse",
        "JSON",
        "a.JSON.parse",
        "this.x.y",
        "this",
        "x.y",
        "asc",
        "desc",
        "drizzle",
        "Array.from",
        "Object.keys",
        "f",
        "m",
        "super.m",
        "xJSON.parse",
        "JSON.xparse",
        ".parse",
        "",
    ];
    for call in &calls.0 {
        let path = ast::callee_path(call);
        for p in paths {
            assert_eq!(
                ast::callee_is(call, p),
                path.as_deref() == Some(p),
                "{path:?} vs {p}"
            );
        }
    }
}
