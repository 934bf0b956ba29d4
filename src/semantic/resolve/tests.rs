use super::*;
use crate::model::modules::{PackageFacts, TsConfigFile};

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap()
}

fn tsconfig(
    path: &str,
    extends: &[&str],
    base_url: Option<&str>,
    paths: Option<&str>,
) -> TsConfigFile {
    TsConfigFile {
        path: path.into(),
        extends: extends.iter().map(|e| e.to_string()).collect(),
        base_url: base_url.map(str::to_string),
        paths: paths.map(json),
        applies_to: Vec::new(),
    }
}

fn package(path: &str, name: &str, exports: Option<&str>, imports: Option<&str>) -> PackageFacts {
    PackageFacts {
        path: path.into(),
        name: Some(name.into()),
        exports: exports.map(json),
        imports: imports.map(json),
        ..PackageFacts::default()
    }
}

/// The path `spec` resolves to from `from`, or the resolution itself.
fn resolve(
    files: &[&str],
    facts: &ModuleFacts,
    from: &str,
    spec: &str,
) -> Result<String, Resolution> {
    let r = Resolver::new(files.iter().copied(), facts);
    match r.resolve(from, spec, Kind::Import) {
        Resolution::File(i) => Ok(files[i].to_string()),
        other => Err(other),
    }
}

/// Asserts that each (specifier, path) resolves to that project file.
fn expect(files: &[&str], facts: &ModuleFacts, from: &str, cases: &[(&str, &str)]) {
    for (spec, want) in cases {
        assert_eq!(file(files, facts, from, spec), *want, "{spec} from {from}");
    }
}

fn file(files: &[&str], facts: &ModuleFacts, from: &str, spec: &str) -> String {
    resolve(files, facts, from, spec).unwrap_or_else(|e| panic!("{spec} from {from}: {e:?}"))
}

#[test]
fn relative_paths_extensions_and_indexes() {
    let files = [
        "src/index.ts",
        "src/db.ts",
        "src/ui/view.tsx",
        "src/lib/index.ts",
        "src/esm.mts",
        "src/plain.js",
    ];
    let none = ModuleFacts::default();
    let from = "src/index.ts";
    expect(
        &files,
        &none,
        from,
        &[("./db", "src/db.ts"), ("./db.ts", "src/db.ts")],
    );
    // TypeScript's NodeNext rule: `./x.js` names `x.ts`.
    expect(
        &files,
        &none,
        from,
        &[
            ("./db.js", "src/db.ts"),
            ("./ui/view.js", "src/ui/view.tsx"),
            ("./esm.mjs", "src/esm.mts"),
            ("./plain.js", "src/plain.js"),
            ("./lib", "src/lib/index.ts"),
            ("./lib/index.js", "src/lib/index.ts"),
        ],
    );
    expect(
        &files,
        &none,
        "src/lib/index.ts",
        &[("../db", "src/db.ts"), ("..", "src/index.ts")],
    );
    assert_eq!(
        resolve(&files, &none, from, "./missing"),
        Err(Resolution::Unresolved(
            "no project file at `src/missing`".into()
        ))
    );
}

#[test]
fn tsconfig_paths_with_stars_and_base_url() {
    let files = [
        "src/index.ts",
        "src/db/client.ts",
        "src/db/index.ts",
        "lib/shared/log.ts",
        "src/util.ts",
    ];
    let facts = ModuleFacts {
        tsconfigs: vec![tsconfig(
            "tsconfig.json",
            &[],
            Some("./src"),
            Some(r#"{"@/*":["./*"],"@shared/*":["../lib/shared/*"],"$db":["db/index.ts"]}"#),
        )],
        packages: vec![],
        root: None,
    };
    let from = "src/index.ts";
    expect(
        &files,
        &facts,
        from,
        &[
            ("@/db/client", "src/db/client.ts"),
            ("@/db", "src/db/index.ts"),
            ("@shared/log", "lib/shared/log.ts"),
            ("$db", "src/db/index.ts"),
        ],
    );
    // baseUrl alone: bare specifiers from the base folder.
    assert_eq!(file(&files, &facts, from, "util"), "src/util.ts");
    // A tsconfig without the alias: no guess.
    assert!(matches!(
        resolve(&files, &facts, from, "~/util"),
        Err(Resolution::Unresolved(_))
    ));
}

#[test]
fn paths_without_base_url_are_relative_to_their_config_and_longest_prefix_wins() {
    let files = [
        "apps/api/src/index.ts",
        "apps/api/src/db/schema.ts",
        "apps/api/src/special.ts",
    ];
    let facts = ModuleFacts {
        tsconfigs: vec![tsconfig(
            "apps/api/tsconfig.json",
            &[],
            None,
            Some(r##"{"#/*":["./src/*"],"#/db/special":["./src/special.ts"]}"##),
        )],
        packages: vec![],
        root: None,
    };
    let from = "apps/api/src/index.ts";
    expect(
        &files,
        &facts,
        from,
        &[
            ("#/db/schema", "apps/api/src/db/schema.ts"),
            ("#/db/special", "apps/api/src/special.ts"),
        ],
    );
}

#[test]
fn tsconfig_extends_chains_including_packages() {
    let files = [
        "apps/web/src/index.ts",
        "apps/web/src/db.ts",
        "packages/shared/src/log.ts",
    ];
    let facts = ModuleFacts {
        tsconfigs: vec![
            // The app's config extends a shared one in a package (the wrapper
            // found it in node_modules) which extends a base file.
            tsconfig(
                "apps/web/tsconfig.json",
                &["node_modules/@acme/tsconfig/worker.json"],
                None,
                None,
            ),
            tsconfig(
                "node_modules/@acme/tsconfig/worker.json",
                &["node_modules/@acme/tsconfig/base.json"],
                None,
                Some(r#"{"~/*":["${configDir}/src/*"]}"#),
            ),
            tsconfig(
                "node_modules/@acme/tsconfig/base.json",
                &[],
                Some("../../../packages"),
                Some(r#"{"@shared/*":["shared/src/*"]}"#),
            ),
        ],
        packages: vec![],
        root: None,
    };
    let from = "apps/web/src/index.ts";
    // `${configDir}` is the app's folder; the nearer config's `paths`
    // replace the base's.
    assert_eq!(file(&files, &facts, from, "~/db"), "apps/web/src/db.ts");
    assert!(resolve(&files, &facts, from, "@shared/log").is_err());
    // The base's baseUrl (relative to the base file) still applies.
    assert_eq!(
        file(&files, &facts, from, "shared/src/log"),
        "packages/shared/src/log.ts"
    );
}

#[test]
fn extends_own_paths_win_and_cycles_end() {
    let files = ["src/a.ts", "src/b.ts"];
    let facts = ModuleFacts {
        tsconfigs: vec![
            tsconfig(
                "tsconfig.json",
                &["tsconfig.base.json"],
                None,
                Some(r#"{"x":["./src/a.ts"]}"#),
            ),
            tsconfig(
                "tsconfig.base.json",
                &["tsconfig.json"],
                None,
                Some(r#"{"x":["./src/b.ts"]}"#),
            ),
        ],
        packages: vec![],
        root: None,
    };
    assert_eq!(file(&files, &facts, "src/a.ts", "x"), "src/a.ts");
}

#[test]
fn package_exports_with_worker_conditions_and_patterns() {
    let files = [
        "apps/worker/src/index.ts",
        "packages/db/src/index.ts",
        "packages/db/src/workerd.ts",
        "packages/db/src/node.ts",
        "packages/db/src/tables/users.ts",
        "packages/ui/src/index.ts",
    ];
    let exports = r#"{
        ".": {"types": "./dist/index.d.ts", "node": "./src/node.ts", "workerd": "./src/workerd.ts", "default": "./src/index.ts"},
        "./tables/*": "./src/tables/*.ts",
        "./internal/*": null,
        "./package.json": "./package.json"
    }"#;
    let facts = ModuleFacts {
        tsconfigs: vec![],
        packages: vec![
            package("apps/worker/package.json", "worker", None, None),
            package("packages/db/package.json", "@acme/db", Some(exports), None),
            // Built output for the Worker conditions, the source for TypeScript.
            package(
                "packages/ui/package.json",
                "@acme/ui",
                Some(r#"{"types":"./src/index.ts","import":"./dist/index.js"}"#),
                None,
            ),
        ],
        root: None,
    };
    let from = "apps/worker/src/index.ts";
    expect(
        &files,
        &facts,
        from,
        &[
            ("@acme/db", "packages/db/src/workerd.ts"),
            ("@acme/db/tables/users", "packages/db/src/tables/users.ts"),
            ("@acme/ui", "packages/ui/src/index.ts"),
        ],
    );
    assert!(matches!(
        resolve(&files, &facts, from, "@acme/db/internal/x"),
        Err(Resolution::Unresolved(r)) if r.contains("does not export")
    ));
    // Not a package of the project: external.
    assert_eq!(
        resolve(&files, &facts, from, "drizzle-orm/d1"),
        Err(Resolution::Package {
            name: "drizzle-orm".into(),
            subpath: "d1".into()
        })
    );
}

#[test]
fn condition_order_is_the_package_key_order() {
    let files = [
        "src/index.ts",
        "pkg/browser.ts",
        "pkg/worker.ts",
        "pkg/import.ts",
        "pkg/require.ts",
    ];
    let facts = |exports: &str| ModuleFacts {
        tsconfigs: vec![],
        packages: vec![package("pkg/package.json", "pkg", Some(exports), None)],
        root: None,
    };
    let r = |exports: &str| file(&files, &facts(exports), "src/index.ts", "pkg");
    for (exports, want) in [
        (
            r#"{"browser":"./browser.ts","worker":"./worker.ts"}"#,
            "pkg/browser.ts",
        ),
        (
            r#"{"worker":"./worker.ts","browser":"./browser.ts"}"#,
            "pkg/worker.ts",
        ),
        (
            r#"{"node":"./require.ts","import":"./import.ts"}"#,
            "pkg/import.ts",
        ),
        // esbuild leaves `module` out when custom conditions are set.
        (
            r#"{"module":"./browser.ts","default":"./import.ts"}"#,
            "pkg/import.ts",
        ),
        (
            r#"{".":[{"import":"./import.ts"},"./require.ts"]}"#,
            "pkg/import.ts",
        ),
    ] {
        assert_eq!(r(exports), want, "{exports}");
    }
    let required = Resolver::new(
        files.iter().copied(),
        &facts(r#"{"import":"./import.ts","require":"./require.ts"}"#),
    )
    .resolve("src/index.ts", "pkg", Kind::Require);
    assert_eq!(required, Resolution::File(4));
}

#[test]
fn workspace_packages_without_exports_use_main_fields() {
    let files = [
        "apps/api/src/index.ts",
        "packages/lib/src/main.ts",
        "packages/lib/src/extra.ts",
        "packages/plain/index.ts",
    ];
    let mut lib = package("packages/lib/package.json", "lib", None, None);
    lib.main = Some("./src/main.js".into());
    let facts = ModuleFacts {
        tsconfigs: vec![],
        packages: vec![
            lib,
            package("packages/plain/package.json", "plain", None, None),
        ],
        root: None,
    };
    let from = "apps/api/src/index.ts";
    expect(
        &files,
        &facts,
        from,
        &[
            ("lib", "packages/lib/src/main.ts"),
            ("lib/src/extra", "packages/lib/src/extra.ts"),
            ("plain", "packages/plain/index.ts"),
        ],
    );
    // A folder with a package.json: its main field.
    assert_eq!(
        file(&files, &facts, from, "../../../packages/lib"),
        "packages/lib/src/main.ts"
    );
}

/// A workspace package whose entry is its build output (not built, or not
/// among the files): its source, as `src/…` or at the package's root.
#[test]
fn workspace_packages_built_entries_map_to_their_source() {
    let files = [
        "apps/api/src/index.ts",
        "packages/api/src/index.ts",
        "packages/core/index.ts",
        "packages/ui/src/button.tsx",
    ];
    let mut api = package("packages/api/package.json", "@repo/api", None, None);
    api.main = Some("./dist/index.js".into());
    let mut core = package("packages/core/package.json", "@repo/core", None, None);
    core.module = Some("lib/index.mjs".into());
    let ui = package(
        "packages/ui/package.json",
        "@repo/ui",
        Some(r#"{"./button":{"import":"./dist/button.js","types":"./dist/button.d.ts"}}"#),
        None,
    );
    let facts = ModuleFacts {
        tsconfigs: vec![],
        packages: vec![api, core, ui],
        root: None,
    };
    expect(
        &files,
        &facts,
        "apps/api/src/index.ts",
        &[
            ("@repo/api", "packages/api/src/index.ts"),
            ("@repo/core", "packages/core/index.ts"),
            ("@repo/ui/button", "packages/ui/src/button.tsx"),
        ],
    );
}

#[test]
fn package_imports() {
    let files = ["src/index.ts", "src/internal/db.ts", "src/env.workerd.ts"];
    let imports = r##"{"#internal/*":"./src/internal/*.ts","#env":{"workerd":"./src/env.workerd.ts","default":"./src/env.node.ts"},"#dep":"drizzle-orm"}"##;
    let facts = ModuleFacts {
        tsconfigs: vec![],
        packages: vec![package("package.json", "app", None, Some(imports))],
        root: None,
    };
    expect(
        &files,
        &facts,
        "src/index.ts",
        &[
            ("#internal/db", "src/internal/db.ts"),
            ("#env", "src/env.workerd.ts"),
        ],
    );
    assert_eq!(
        resolve(&files, &facts, "src/index.ts", "#dep"),
        Err(Resolution::Package {
            name: "drizzle-orm".into(),
            subpath: "".into()
        })
    );
    assert!(matches!(
        resolve(&files, &facts, "src/index.ts", "#nope"),
        Err(Resolution::Unresolved(r)) if r.contains("no `imports` entry")
    ));
}

#[test]
fn built_ins_and_externals() {
    let files = ["src/index.ts"];
    let none = ModuleFacts::default();
    let r = |spec: &str| resolve(&files, &none, "src/index.ts", spec);
    for spec in [
        "node:fs",
        "node:async_hooks",
        "cloudflare:workers",
        "cloudflare:sockets",
        "buffer",
        "fs/promises",
        "__STATIC_CONTENT_MANIFEST",
    ] {
        assert_eq!(r(spec), Err(Resolution::BuiltIn(spec.into())), "{spec}");
    }
    assert_eq!(
        r("hono"),
        Err(Resolution::Package {
            name: "hono".into(),
            subpath: "".into()
        })
    );
    assert_eq!(
        r("@aws-sdk/client-s3/dist"),
        Err(Resolution::Package {
            name: "@aws-sdk/client-s3".into(),
            subpath: "dist".into()
        })
    );
    assert!(matches!(r(""), Err(Resolution::Unresolved(_))));
    assert!(matches!(r("/abs/x"), Err(Resolution::Unresolved(_))));
}

#[test]
fn without_a_tsconfig_at_and_tilde_fall_back_to_src() {
    let files = ["src/routes.ts", "src/db/index.ts", "lib/util.ts"];
    let none = ModuleFacts::default();
    expect(
        &files,
        &none,
        "src/routes.ts",
        &[("@/db", "src/db/index.ts"), ("~/lib/util", "lib/util.ts")],
    );
    assert!(resolve(&files, &none, "src/routes.ts", "@/nope").is_err());
}

#[test]
fn nearest_config_applies_and_answers_are_cached() {
    let files = [
        "a/src/x.ts",
        "b/src/x.ts",
        "a/src/index.ts",
        "b/src/index.ts",
    ];
    let facts = ModuleFacts {
        tsconfigs: vec![
            tsconfig("a/tsconfig.json", &[], None, Some(r#"{"@/*":["./src/*"]}"#)),
            tsconfig("b/tsconfig.json", &[], None, Some(r#"{"@/*":["./src/*"]}"#)),
        ],
        packages: vec![],
        root: None,
    };
    let r = Resolver::new(files.iter().copied(), &facts);
    assert_eq!(
        r.resolve("a/src/index.ts", "@/x", Kind::Import),
        Resolution::File(0)
    );
    assert_eq!(
        r.resolve("b/src/index.ts", "@/x", Kind::Import),
        Resolution::File(1)
    );
    assert_eq!(
        r.resolve("a/src/index.ts", "@/x", Kind::Import),
        Resolution::File(0)
    );
    assert_eq!(r.answers.borrow().len(), 2);
}

#[test]
fn facts_above_the_working_directory() {
    // `lint .` inside apps/api of a monorepo: the tsconfig is one level up.
    let files = ["src/index.ts", "../shared/log.ts"];
    let facts = ModuleFacts {
        tsconfigs: vec![tsconfig(
            "../tsconfig.json",
            &[],
            None,
            Some(r#"{"@shared/*":["./shared/*"]}"#),
        )],
        packages: vec![],
        root: None,
    };
    assert_eq!(
        file(&files, &facts, "src/index.ts", "@shared/log"),
        "../shared/log.ts"
    );
    assert_eq!(normalize("a/../../b/./c//d"), "../b/c/d");
    assert_eq!(normalize("src/routes/../schema"), "src/schema");
}

/// The plain-path shortcut gives what the segment walk gives.
#[test]
fn normalize_plain_and_dotted_paths() {
    for (path, expected) in [
        ("/tmp/app/src/index.ts", "tmp/app/src/index.ts"),
        ("src/index.ts", "src/index.ts"),
        ("./src/index.ts", "src/index.ts"),
        ("src/./a/../b.ts", "src/b.ts"),
        ("src//b.ts", "src/b.ts"),
        ("src/b/", "src/b"),
        ("../pkg/a.ts", "../pkg/a.ts"),
        ("a/.github/x.ts", "a/.github/x.ts"),
        ("", ""),
        ("/", ""),
    ] {
        assert_eq!(normalize(path), expected, "{path}");
    }
}

/// Cloudflare's Vite templates: a solution-style tsconfig.json (`files: []`,
/// `references`) and the Worker's aliases in tsconfig.worker.json, which
/// governs the folders the wrapper found it includes.
#[test]
fn a_referenced_project_governs_the_folders_it_includes() {
    let files = [
        "worker/index.ts",
        "worker/api/items.ts",
        "worker/lib/db.ts",
        "src/app.tsx",
        "src/lib/db.ts",
    ];
    let solution = tsconfig("tsconfig.json", &[], None, None);
    let worker = TsConfigFile {
        applies_to: vec!["worker".into(), "worker/api".into()],
        ..tsconfig(
            "tsconfig.worker.json",
            &[],
            Some("."),
            Some(r#"{"@/*":["./worker/*"]}"#),
        )
    };
    let app = TsConfigFile {
        applies_to: vec!["src".into()],
        ..tsconfig(
            "tsconfig.app.json",
            &[],
            Some("."),
            Some(r#"{"@/*":["./src/*"]}"#),
        )
    };
    let facts = ModuleFacts {
        tsconfigs: vec![solution, worker, app],
        ..ModuleFacts::default()
    };
    expect(
        &files,
        &facts,
        "worker/index.ts",
        &[
            ("@/api/items", "worker/api/items.ts"),
            ("@/lib/db", "worker/lib/db.ts"),
        ],
    );
    expect(
        &files,
        &facts,
        "worker/api/items.ts",
        &[("@/lib/db", "worker/lib/db.ts")],
    );
    expect(
        &files,
        &facts,
        "src/app.tsx",
        &[("@/lib/db", "src/lib/db.ts")],
    );
}

/// A config above the working directory (a monorepo's root tsconfig that
/// `apps/api/tsconfig.json` extends) whose `paths` lead back into it:
/// release-watch's `@api/*` from `apps/api`.
#[test]
fn paths_of_a_config_above_the_working_directory_lead_back_into_it() {
    let files = ["src/index.ts", "src/routes/guilds.ts", "../web/src/x.ts"];
    let facts = ModuleFacts {
        tsconfigs: vec![
            tsconfig("tsconfig.json", &["../../tsconfig.json"], None, None),
            tsconfig(
                "../../tsconfig.json",
                &[],
                Some("."),
                Some(r#"{"@api/*":["apps/api/src/*"],"@web/*":["apps/web/src/*"]}"#),
            ),
        ],
        packages: vec![],
        root: Some("/repo/apps/api".into()),
    };
    expect(
        &files,
        &facts,
        "src/index.ts",
        &[
            ("@api/routes/guilds", "src/routes/guilds.ts"),
            ("@web/x", "../web/src/x.ts"),
        ],
    );
}
