//! The project's module graph from its Worker entries: which files the
//! Worker runs (reachable from an entry through the modules each file
//! loads, resolved by [`Resolver`]), and a role for every other file
//! (test, script, browser or Node code), judged from its path and text.

use crate::model::collections::Words;
use std::collections::VecDeque;

use swc_core::ecma::ast::*;

use super::resolve::{Kind, Resolver};
use crate::model::project::Role;
use text_marks::{Mark, Marks};

/// A module a file loads: the specifier as written and how it is loaded.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub spec: String,
    pub kind: Kind,
    /// The exports a dynamic import takes, when the code says which
    /// (`const { a } = await import('./m')`, `import('./m').then((m) =>
    /// m.a)`); None: the whole module.
    pub names: Option<Vec<String>>,
}

/// The modules `program` loads at its top level: static imports and
/// `export … from` (not type-only ones: the compiler erases them) and
/// `import x = require('x')`. `calls` are the `require('x')` and
/// `import('x')` calls the walk met ([`call_request`]).
pub fn module_requests(program: &Program, calls: Vec<Request>) -> Vec<Request> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Request>, src: &Str, kind: Kind| {
        if let Some(spec) = src.value.as_str() {
            out.push(Request {
                spec: spec.to_string(),
                kind,
                names: None,
            });
        }
    };
    if let Program::Module(module) = program {
        for item in &module.body {
            let ModuleItem::ModuleDecl(decl) = item else {
                continue;
            };
            match decl {
                ModuleDecl::Import(i) if !i.type_only && i.phase == ImportPhase::Evaluation => {
                    push(&mut out, &i.src, Kind::Import)
                }
                ModuleDecl::ExportNamed(NamedExport {
                    src: Some(src),
                    type_only: false,
                    ..
                }) => push(&mut out, src, Kind::Import),
                ModuleDecl::ExportAll(a) if !a.type_only => push(&mut out, &a.src, Kind::Import),
                ModuleDecl::TsImportEquals(i) => {
                    if let TsModuleRef::TsExternalModuleRef(r) = &i.module_ref {
                        if !i.is_type_only {
                            push(&mut out, &r.expr, Kind::Require);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.extend(calls);
    out
}

/// The module a `require('x')` or `import('x')` call with a literal
/// specifier loads (a dynamic import is bundled with the Worker as well).
pub fn call_request(call: &CallExpr) -> Option<Request> {
    let kind = match &call.callee {
        Callee::Import(_) => Kind::Import,
        Callee::Expr(e) if matches!(&**e, Expr::Ident(id) if &*id.sym == "require") => {
            Kind::Require
        }
        _ => return None,
    };
    let [arg] = call.args.as_slice() else {
        return None;
    };
    let spec = match &*arg.expr {
        Expr::Lit(Lit::Str(s)) => s.value.as_str(),
        Expr::Tpl(t) if t.exprs.is_empty() => {
            t.quasis.first().and_then(|q| q.cooked.as_ref()?.as_str())
        }
        _ => None,
    }?;
    Some(Request {
        spec: spec.to_string(),
        kind,
        names: None,
    })
}

/// Where a module stands on the React Server Components boundary, from
/// its leading directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Boundary {
    /// No directive: the module runs wherever its importer runs.
    #[default]
    Inherit,
    /// `"use client"`: a client component. Its event handlers and effects,
    /// where the I/O and loops live, run in the browser, and so do the
    /// modules only it imports.
    Client,
    /// `"use server"`: server actions. A client component may import them,
    /// but they run in the Worker.
    Server,
}

/// The boundary a module's directive prologue declares.
pub fn boundary_of(program: &Program) -> Boundary {
    let statements: Box<dyn Iterator<Item = Option<&Stmt>>> = match program {
        Program::Module(m) => Box::new(m.body.iter().map(|item| item.as_stmt())),
        Program::Script(s) => Box::new(s.body.iter().map(Some)),
    };
    for stmt in statements {
        let Some(Stmt::Expr(ExprStmt { expr, .. })) = stmt else {
            break;
        };
        let Expr::Lit(Lit::Str(directive)) = &**expr else {
            break;
        };
        match directive.value.as_str() {
            Some("use client") => return Boundary::Client,
            Some("use server") => return Boundary::Server,
            _ => {}
        }
    }
    Boundary::Inherit
}

/// How a file was reached from the Worker's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// The index (into `entries`) of the first entry it was reached from.
    pub entry: usize,
    /// Reached only through client components: browser code, which the
    /// Worker bundles for server rendering but whose handlers run in the
    /// browser.
    pub client_only: bool,
}

/// Walks the files reachable from `entries` (indices into `paths`)
/// breadth-first. `visit(i, n)` is called once per reached file, with the
/// index (into `entries`) of the entry it is first reached from, and returns
/// the modules it loads and its [`Boundary`]. A client component's imports
/// are followed in a client state, which a `"use server"` module leaves:
/// a file reached in both states is Worker code.
pub fn reach(
    resolver: &Resolver,
    paths: &[&str],
    entries: &[usize],
    mut visit: impl FnMut(usize, usize) -> (Vec<Request>, Boundary),
) -> Vec<Option<Reached>> {
    let mut visited: Vec<Option<(Vec<Request>, Boundary)>> = vec![None; paths.len()];
    // The entry each file was first reached from, in the server and the
    // client state.
    let mut server: Vec<Option<usize>> = vec![None; paths.len()];
    let mut client: Vec<Option<usize>> = vec![None; paths.len()];
    let mut queue: VecDeque<(usize, bool, usize)> = entries
        .iter()
        .enumerate()
        .map(|(n, &file)| (file, false, n))
        .collect();
    while let Some((file, in_client, entry)) = queue.pop_front() {
        let (requests, boundary) = visited[file].get_or_insert_with(|| visit(file, entry));
        let in_client = match boundary {
            Boundary::Inherit => in_client,
            Boundary::Client => true,
            Boundary::Server => false,
        };
        let state = if in_client { &mut client } else { &mut server };
        if state[file].is_some() {
            continue;
        }
        state[file] = Some(entry);
        for request in requests.iter() {
            if let Some(next) = resolver
                .resolve(paths[file], &request.spec, request.kind)
                .file()
            {
                queue.push_back((next, in_client, entry));
            }
        }
    }
    server
        .into_iter()
        .zip(client)
        .map(|(server, client)| match (server, client) {
            (Some(entry), _) => Some(Reached {
                entry,
                client_only: false,
            }),
            (None, Some(entry)) => Some(Reached {
                entry,
                client_only: true,
            }),
            (None, None) => None,
        })
        .collect()
}

/// The files a [`reach`] from `entries` likely walks, known before any
/// walk: each file's `specifiers` (every quoted string after `import`,
/// `from` or `require(` in its text: more than it loads) resolved as an
/// import and as a require, breadth-first. Those the files' requests reach
/// are among them, but for a request its text does not quote as a
/// specifier; a file reached only that way is walked by the analysis
/// itself. Sorted file indices.
pub fn likely_reached(
    resolver: &Resolver,
    paths: &[&str],
    entries: &[usize],
    specifiers: &[Vec<&str>],
) -> Vec<u32> {
    let mut seen = vec![false; paths.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &entry in entries {
        if !std::mem::replace(&mut seen[entry], true) {
            queue.push_back(entry);
        }
    }
    while let Some(file) = queue.pop_front() {
        for spec in specifiers.get(file).into_iter().flatten() {
            for kind in [Kind::Import, Kind::Require] {
                if let Some(next) = resolver.resolve(paths[file], spec, kind).file() {
                    if !std::mem::replace(&mut seen[next], true) {
                        queue.push_back(next);
                    }
                }
            }
        }
    }
    (0..paths.len() as u32)
        .filter(|&i| seen[i as usize])
        .collect()
}

/// Folders whose files are tests, their fixtures and mocks.
static TEST_DIRS: Words = Words::new(&[
    "__tests__",
    "__mocks__",
    "__fixtures__",
    "test",
    "tests",
    "e2e",
    "spec",
    "specs",
    "cypress",
    "playwright",
    "fixtures",
]);
/// Folders of code run by hand or at build time.
static SCRIPT_DIRS: Words = Words::new(&[
    "scripts",
    "script",
    "migrations",
    "migration",
    "seeds",
    "seed",
    "bin",
    "tools",
    "codemods",
]);
/// Folders of browser code.
static CLIENT_DIRS: Words = Words::new(&[
    "public",
    "static",
    "client",
    "frontend",
    "web",
    "www",
    "extension",
    "popup",
    "components",
    "hooks",
]);
/// Text that only browser code has.
const CLIENT_MARKS: [Mark; 6] = [
    Mark::quoted("use client"),
    Mark::plain("react-dom"),
    Mark::then("document.", &["getElementById", "querySelector"]),
    Mark::plain("window.location"),
    Mark::plain("localStorage."),
    Mark::after(".runtime", &["chrome", "browser"]),
];
/// Text that only a Node program has.
const NODE_MARKS: [Mark; 6] = [
    Mark::quoted("express"),
    Mark::quoted("fastify"),
    Mark::quoted("@hono/node-server"),
    Mark::plain(".listen("),
    Mark::plain("createServer("),
    Mark::plain("process.argv"),
];
/// The names of the Durable Object API's id methods: a file that names none
/// of them has no Durable Object ids or stubs (`effects::bindings`), each
/// anchored on a capital letter (rarer in code than the lower-case ones).
pub const OBJECT_ID_MARKS: [Mark; 4] = [
    Mark::plain_at("idFromName", 2),
    Mark::plain_at("idFromString", 2),
    Mark::plain_at("newUniqueId", 3),
    Mark::plain_at("getByName", 3),
];
/// The client marks, then the Node marks, then [`OBJECT_ID_MARKS`]: found in
/// one pass over a file's head (`crates/text-marks`), which tells the role
/// and whether the head names a Durable Object id method.
static ROLE_MARKS: Marks = Marks::new(&ROLE_MARK_LIST);
const ROLE_MARK_COUNT: usize = CLIENT_MARKS.len() + NODE_MARKS.len();
static ROLE_MARK_LIST: [Mark; ROLE_MARK_COUNT + OBJECT_ID_MARKS.len()] = {
    let mut all = [CLIENT_MARKS[0]; ROLE_MARK_COUNT + OBJECT_ID_MARKS.len()];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < CLIENT_MARKS.len() {
            CLIENT_MARKS[i]
        } else if i < ROLE_MARK_COUNT {
            NODE_MARKS[i - CLIENT_MARKS.len()]
        } else {
            OBJECT_ID_MARKS[i - ROLE_MARK_COUNT]
        };
        i += 1;
    }
    all
};

/// What the role's pass over a file's head saw of [`OBJECT_ID_MARKS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectIdMarks {
    /// Not looked for.
    #[default]
    Unknown,
    /// One is in the text.
    Present,
    /// None lies wholly in the text before this byte offset (a char boundary).
    AbsentBefore(usize),
}

/// How much of a file's text the role heuristics read.
const ROLE_PREFIX_BYTES: usize = 8 * 1024;

/// The role of a file the Worker does not run, from its path (relative,
/// `/`-separated) and text.
pub fn role_of(path: &str, source: &str) -> Role {
    role_and_marks(path, source).0
}

/// [`role_of`], and what the pass over the file's head that tells it saw of
/// [`OBJECT_ID_MARKS`] (the file's walk asks it next: one pass, not two).
pub fn role_and_marks(path: &str, source: &str) -> (Role, ObjectIdMarks) {
    // What a file imports and sets up is near its top: reading a bounded
    // prefix keeps this cheap for large files.
    let mut end = source.len().min(ROLE_PREFIX_BYTES);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let source = &source[..end];
    let lower = path.to_ascii_lowercase();
    let mut segments: Vec<&str> = lower.split('/').collect();
    let name = segments.pop().unwrap_or_default();
    let in_dir = |dirs: &Words| segments.iter().any(|s| dirs.contains(s));
    let stem_has = |marks: &[&str]| marks.iter().any(|m| name.contains(m));
    if in_dir(&TEST_DIRS)
        || stem_has(&[
            ".test.",
            ".spec.",
            ".bench.",
            ".e2e.",
            "vitest.",
            "jest.",
            "playwright.",
        ])
    {
        return (Role::Test, ObjectIdMarks::Unknown);
    }
    if in_dir(&SCRIPT_DIRS) || stem_has(&[".config.", "seed."]) || source.starts_with("#!") {
        return (Role::Script, ObjectIdMarks::Unknown);
    }
    let [role, object_id] = ROLE_MARKS.first_of_each(source, ROLE_MARK_COUNT);
    let object_ids = match object_id {
        Some(_) => ObjectIdMarks::Present,
        None => ObjectIdMarks::AbsentBefore(end),
    };
    let role = match role {
        Some(i) if i < CLIENT_MARKS.len() => Role::Client,
        Some(_) => Role::Node,
        None if in_dir(&CLIENT_DIRS) || name.ends_with(".tsx") || name.ends_with(".jsx") => {
            Role::Client
        }
        None => Role::Unknown,
    };
    (role, object_ids)
}

/// What [`role_and_marks`] says of a file, kept with its walk: a file
/// walked before is placed without its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRole {
    pub role: Role,
    pub object_ids: ObjectIdMarks,
}

impl Default for FileRole {
    fn default() -> Self {
        FileRole {
            role: Role::Unknown,
            object_ids: ObjectIdMarks::Unknown,
        }
    }
}

impl FileRole {
    pub fn of(path: &str, source: &str) -> Self {
        let (role, object_ids) = role_and_marks(path, source);
        FileRole { role, object_ids }
    }
}

crate::model::wire::wire_struct!(FileRole { role, object_ids });
crate::model::wire::wire_enum!(Role { 0 => Worker, 1 => Test, 2 => Script, 3 => Client, 4 => Node, 5 => Unknown });
crate::model::wire::wire_enum!(ObjectIdMarks { 0 => Unknown, 1 => Present, 2 => AbsentBefore(a) });
crate::model::wire::wire_struct!(Request { spec, kind, names });
crate::model::wire::wire_enum!(Boundary { 0 => Inherit, 1 => Client, 2 => Server });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::modules::ModuleFacts;
    use crate::syntax::parse;

    use swc_core::ecma::visit::{Visit, VisitWith};

    /// The calls the walk would give `module_requests`.
    struct Calls(Vec<Request>);
    impl Visit for Calls {
        fn visit_call_expr(&mut self, call: &CallExpr) {
            self.0.extend(call_request(call));
            call.visit_children_with(self);
        }
    }

    fn requests_of(path: &str, source: &str) -> Vec<String> {
        let program = parse(path, source, None).unwrap();
        let mut calls = Calls(Vec::new());
        program.visit_with(&mut calls);
        module_requests(&program, calls.0)
            .into_iter()
            .map(|r| format!("{:?} {}", r.kind, r.spec))
            .collect()
    }

    fn requests(source: &str) -> Vec<String> {
        requests_of("a.ts", source)
    }

    #[test]
    fn reads_what_a_file_loads() {
        assert_eq!(
            requests(
                "import a from './a';\nimport type { T } from './types';\nimport './side';\n\
                 export { b } from './b';\nexport type { U } from './u';\nexport * from './c';\n\
                 const d = require('./d');\nasync function f() { await import('./e'); }\n\
                 import g = require('./g');\n"
            ),
            [
                "Import ./a",
                "Import ./side",
                "Import ./b",
                "Import ./c",
                "Require ./g",
                "Require ./d",
                "Import ./e",
            ]
        );
        // A script (CommonJS) too.
        assert_eq!(
            requests_of("a.cjs", "const x = require(`./x`);"),
            ["Require ./x"]
        );
    }

    #[test]
    fn reaches_files_from_the_entries() {
        let paths = [
            "src/index.ts",
            "src/lib/db.ts",
            "src/lib/unused.ts",
            "test/index.test.ts",
            "src/routes.ts",
        ];
        let facts = ModuleFacts::default();
        let resolver = Resolver::new(paths.iter().copied(), &facts);
        let loads = |i: usize| -> Vec<Request> {
            let spec = match i {
                0 => vec!["./lib/db", "./routes", "hono"],
                4 => vec!["./lib/db.js", "./index"],
                3 => vec!["../src/lib/unused"],
                _ => vec![],
            };
            spec.into_iter()
                .map(|s| Request {
                    spec: s.into(),
                    kind: Kind::Import,
                    names: None,
                })
                .collect()
        };
        let mut visited = Vec::new();
        let reached = reach(&resolver, &paths, &[0], |i, _| {
            visited.push(i);
            (loads(i), Boundary::Inherit)
        });
        let entry_of: Vec<Option<usize>> = reached.iter().map(|r| r.map(|r| r.entry)).collect();
        assert_eq!(entry_of, [Some(0), Some(0), None, None, Some(0)]);
        assert!(reached.iter().flatten().all(|r| !r.client_only));
        assert_eq!(visited, [0, 1, 4], "each file once, breadth-first");
    }

    /// A client component's imports are browser code unless the server
    /// reaches them too; a `"use server"` module it imports is Worker code.
    #[test]
    fn client_components_and_server_actions() {
        let paths = [
            "app/page.tsx",        // 0: server component (entry)
            "app/form.tsx",        // 1: "use client"
            "app/actions.ts",      // 2: "use server"
            "lib/format.ts",       // 3: imported by the form and the page
            "lib/confetti.ts",     // 4: imported by the form only
            "lib/db.ts",           // 5: imported by the actions
            "app/client-page.tsx", // 6: an entry that is itself a client component
            "lib/widget.ts",       // 7: imported by the client entry only
        ];
        let facts = ModuleFacts::default();
        let resolver = Resolver::new(paths.iter().copied(), &facts);
        let loads = |i: usize, _: usize| -> (Vec<Request>, Boundary) {
            let (spec, boundary) = match i {
                0 => (vec!["./form", "../lib/format"], Boundary::Inherit),
                1 => (
                    vec!["./actions", "../lib/format", "../lib/confetti"],
                    Boundary::Client,
                ),
                2 => (vec!["../lib/db"], Boundary::Server),
                6 => (vec!["../lib/widget"], Boundary::Client),
                _ => (vec![], Boundary::Inherit),
            };
            let requests = spec
                .into_iter()
                .map(|s| Request {
                    spec: s.into(),
                    kind: Kind::Import,
                    names: None,
                })
                .collect();
            (requests, boundary)
        };
        let reached = reach(&resolver, &paths, &[0, 6], loads);
        let client_only: Vec<Option<bool>> =
            reached.iter().map(|r| r.map(|r| r.client_only)).collect();
        assert_eq!(
            client_only,
            [
                Some(false),
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                Some(true),
            ]
        );
    }

    #[test]
    fn directives() {
        let boundary = |source: &str| boundary_of(&parse("a.tsx", source, None).unwrap());
        assert_eq!(boundary("'use client';\nexport {}"), Boundary::Client);
        assert_eq!(
            boundary("\"use strict\";\n\"use server\";\nexport {}"),
            Boundary::Server
        );
        assert_eq!(boundary("// note\n'use client'"), Boundary::Client);
        assert_eq!(
            boundary("import x from 'y';\n'use client';"),
            Boundary::Inherit
        );
        assert_eq!(boundary("const s = 'use client';"), Boundary::Inherit);
    }

    #[test]
    fn roles_of_files_the_worker_does_not_run() {
        assert_eq!(role_of("test/api.ts", ""), Role::Test);
        assert_eq!(role_of("src/api.test.ts", ""), Role::Test);
        assert_eq!(role_of("vitest.config.ts", ""), Role::Test);
        assert_eq!(role_of("drizzle.config.ts", ""), Role::Script);
        assert_eq!(role_of("scripts/seed.ts", ""), Role::Script);
        assert_eq!(role_of("tool.js", "#!/usr/bin/env node\n"), Role::Script);
        assert_eq!(
            role_of(
                "src/main.ts",
                "import { createRoot } from 'react-dom/client';"
            ),
            Role::Client
        );
        assert_eq!(role_of("web/src/App.tsx", ""), Role::Client);
        assert_eq!(
            role_of("server/index.ts", "import express from 'express';"),
            Role::Node
        );
        assert_eq!(
            role_of("src/orphan.ts", "export const x = 1;"),
            Role::Unknown
        );
    }

    /// The marks that share a text: quotes of one kind around it, the word
    /// before or after it.
    #[test]
    fn role_marks_with_conditions() {
        let role = |source: &str| role_of("src/a.ts", source);
        assert_eq!(role("\"use client\";\nexport {}"), Role::Client);
        assert_eq!(role("'use client'"), Role::Client);
        assert_eq!(role("// we use client hints"), Role::Unknown);
        assert_eq!(role("\"use client'"), Role::Unknown);
        assert_eq!(role("document.querySelector('a')"), Role::Client);
        assert_eq!(role("document.getElementById('a')"), Role::Client);
        assert_eq!(role("document.title"), Role::Unknown);
        assert_eq!(role("chrome.runtime.sendMessage(m)"), Role::Client);
        assert_eq!(role("browser.runtime.id"), Role::Client);
        assert_eq!(role("env.runtime"), Role::Unknown);
        assert_eq!(role("import x from \"fastify\""), Role::Node);
        assert_eq!(role("require('@hono/node-server')"), Role::Node);
        assert_eq!(role("// express yourself"), Role::Unknown);
    }
}
