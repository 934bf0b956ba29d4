//! Which package an input path belongs to: the segment after the LAST
//! `node_modules/` (so nested copies and pnpm's `.pnpm/x@1/node_modules/x`
//! layout resolve to the real package), scoped names included.

/// Where a module of the bundle comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A file of an npm package; `root` is the package folder as written in
    /// the metafile (`node_modules/@scope/name`), `name` its directory name.
    Package { root: &'a str, name: &'a str },
    /// esbuild/wrangler generated code or shims (namespaced virtual modules,
    /// wrangler's middleware templates, `.wrangler/tmp`).
    Runtime,
    /// The project's own source.
    FirstParty,
}

/// Packages wrangler adds to the bundle itself: the nodejs_compat
/// polyfills (unenv and Cloudflare's preset for it) and its own templates.
/// The project does not import them and cannot defer them.
pub const INJECTED_PACKAGES: &[&str] = &["unenv", "@cloudflare/unenv-preset", "wrangler"];

pub fn origin(path: &str) -> Origin<'_> {
    if is_runtime(path) {
        return Origin::Runtime;
    }
    let Some(idx) = path.rfind("node_modules/") else {
        return Origin::FirstParty;
    };
    let after = idx + "node_modules/".len();
    let rest = &path[after..];
    let mut segments = rest.splitn(3, '/');
    let first = segments.next().unwrap_or("");
    let name_len = if first.starts_with('@') {
        match segments.next() {
            Some(second) => first.len() + 1 + second.len(),
            None => first.len(),
        }
    } else {
        first.len()
    };
    if name_len == 0 {
        return Origin::FirstParty;
    }
    Origin::Package {
        root: &path[..after + name_len],
        name: &path[after..after + name_len],
    }
}

fn is_runtime(path: &str) -> bool {
    // Namespaced virtual modules look like `cloudflare:…` or `wrangler-x:…`;
    // a Windows drive letter (`C:\`) is not a namespace.
    let namespaced = path
        .find(':')
        .is_some_and(|i| i > 1 && !path[..i].contains('/'));
    namespaced
        || path.contains(".wrangler/tmp/")
        || path.contains("node_modules/wrangler/")
        || path.starts_with("<")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_packages_in_every_layout() {
        assert_eq!(
            origin("node_modules/hono/dist/index.js"),
            Origin::Package {
                root: "node_modules/hono",
                name: "hono"
            }
        );
        assert_eq!(
            origin("../node_modules/@aws-sdk/client-s3/dist-es/index.js"),
            Origin::Package {
                root: "../node_modules/@aws-sdk/client-s3",
                name: "@aws-sdk/client-s3"
            }
        );
        assert_eq!(
            origin("node_modules/chanfana/node_modules/zod/lib/index.mjs"),
            Origin::Package {
                root: "node_modules/chanfana/node_modules/zod",
                name: "zod"
            }
        );
        assert_eq!(
            origin("node_modules/.pnpm/zod@3.23.8/node_modules/zod/lib/index.mjs"),
            Origin::Package {
                root: "node_modules/.pnpm/zod@3.23.8/node_modules/zod",
                name: "zod"
            }
        );
    }

    #[test]
    fn tells_runtime_from_first_party() {
        assert_eq!(origin("src/index.ts"), Origin::FirstParty);
        assert_eq!(origin("C:/work/src/index.ts"), Origin::FirstParty);
        assert_eq!(
            origin(".wrangler/tmp/bundle-abc/middleware-loader.entry.ts"),
            Origin::Runtime
        );
        assert_eq!(
            origin("node_modules/wrangler/templates/middleware/common.ts"),
            Origin::Runtime
        );
        assert_eq!(origin("cloudflare-internal:env"), Origin::Runtime);
        assert_eq!(
            origin("node_modules/wrangler/_virtual_unenv_global_polyfill-x-node-console"),
            Origin::Runtime
        );
    }
}
