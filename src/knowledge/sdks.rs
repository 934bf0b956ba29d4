//! npm packages whose clients send HTTP requests: a method called on one of
//! their client objects (or one of their I/O functions) is a subrequest of
//! the Worker, like `fetch`. Declared data, one entry per package, each with
//! why it is here; `effects::sdk` reads it.
//!
//! Chosen for what the call does on Workers, not for what the package is:
//!
//! - In: API clients whose every call is a round trip (payments, LLMs,
//!   mail, SMS, search, GitHub, Notion, Slack, Upstash's HTTP Redis and
//!   QStash, blockchain RPC).
//! - Out: SDKs that buffer and send later or in the background (Sentry,
//!   Toucan, PostHog, analytics): a call per item costs no round trip.
//!   Database drivers (Neon, PlanetScale, libSQL, Prisma, postgres.js):
//!   the database rules (Drizzle, D1, Hyperdrive) judge queries. Node-only
//!   SDKs that do not run in a Worker (firebase-admin, googleapis).
//!
//! Besides this table, two rules hold for any package (`effects::sdk`): an
//! object constructed from a package's class with a client as an argument
//! (`new SplGovernance(connection)`) is a client too, and an awaited
//! package function given a client (`getAccount(connection, address)`)
//! makes a subrequest.

/// Which of a package's exports construct a client with `new`.
#[derive(Debug, Clone, Copy)]
pub enum Classes {
    /// Every class it exports (a package that is one API client).
    Any,
    /// These exports only (`Connection` of @solana/web3.js, not `PublicKey`).
    Named(&'static [&'static str]),
    /// Exports whose name ends so (`S3Client`, not `PutObjectCommand`).
    Suffix(&'static str),
    /// None (clients come from factories, or the module is one).
    None,
}

/// One package whose clients do network I/O.
#[derive(Debug, Clone, Copy)]
pub struct Sdk {
    /// The package name; a trailing `*` matches a family
    /// (`@aws-sdk/client-*`).
    pub package: &'static str,
    pub classes: Classes,
    /// Exported functions (or `Class.method` statics) that return a client:
    /// `createClient`, `Redis.fromEnv`; `default` for a default-exported
    /// factory (`twilio(sid, token)`).
    pub factories: &'static [&'static str],
    /// Exported functions that make a request themselves (`generateText`).
    pub functions: &'static [&'static str],
    /// The module's own exports are a ready client (`@sendgrid/mail`'s
    /// default export).
    pub module_client: bool,
    /// Members of a client that work locally (webhook signature checks,
    /// configuration, handles that a later call uses): a call through one
    /// is no request. A handle such a call returns (`genAI.getGenerativeModel()`,
    /// `client.initIndex()`) is a client of the same package.
    pub local: &'static [&'static str],
    /// What the client talks to, for messages.
    pub talks_to: &'static str,
    /// Why the package is in the table.
    pub why: &'static str,
}

const NONE: &[&str] = &[];

/// GitHub's client, published whole (`octokit`) and in parts (`@octokit/*`).
const fn octokit(package: &'static str) -> Sdk {
    Sdk {
        package,
        classes: Classes::Named(&["Octokit", "App"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: &["hook", "log", "auth"],
        talks_to: "the GitHub API",
        why: "`octokit.rest.*`, `request` and `graphql` are HTTPS requests.",
    }
}

/// The packages, sorted by name.
pub const SDKS: &[Sdk] = &[
    Sdk {
        package: "@anthropic-ai/sdk",
        classes: Classes::Any,
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Anthropic API",
        why: "Every `messages.create` is an HTTPS request to the API.",
    },
    Sdk {
        package: "@aws-sdk/client-*",
        classes: Classes::Suffix("Client"),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: &["config", "middlewareStack", "destroy"],
        talks_to: "the AWS API",
        why: "`client.send(command)` is a signed HTTPS request (S3, DynamoDB, SES…); commands are built locally.",
    },
    Sdk {
        package: "@google/generative-ai",
        classes: Classes::Named(&["GoogleGenerativeAI"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: &["getGenerativeModel", "startChat"],
        talks_to: "the Gemini API",
        why: "`model.generateContent` is an HTTPS request; `getGenerativeModel` only builds the model handle.",
    },
    Sdk {
        package: "@notionhq/client",
        classes: Classes::Named(&["Client"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Notion API",
        why: "Every endpoint method is an HTTPS request.",
    },
    octokit("@octokit/*"),
    Sdk {
        package: "@sendgrid/mail",
        classes: Classes::None,
        factories: NONE,
        functions: NONE,
        module_client: true,
        local: &["setApiKey", "setClient", "setSubstitutionWrappers", "setTimeout"],
        talks_to: "the SendGrid API",
        why: "The default export is the client: `send` is an HTTPS request.",
    },
    Sdk {
        package: "@slack/web-api",
        classes: Classes::Named(&["WebClient"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Slack API",
        why: "Every method is an HTTPS request.",
    },
    Sdk {
        package: "@solana/web3.js",
        classes: Classes::Named(&["Connection"]),
        factories: NONE,
        functions: &["sendAndConfirmTransaction", "sendAndConfirmRawTransaction"],
        module_client: false,
        local: &["rpcEndpoint", "commitment"],
        talks_to: "the Solana RPC",
        why: "A `Connection` sends a JSON-RPC request over HTTP for every `get*`/`send*` call; `PublicKey`, `Transaction` and `Keypair` are local.",
    },
    Sdk {
        package: "@supabase/supabase-js",
        classes: Classes::None,
        factories: &["createClient"],
        functions: NONE,
        module_client: false,
        local: &["channel", "removeChannel", "removeAllChannels", "getChannels"],
        talks_to: "the Supabase API",
        why: "Queries (`from(t).select()`), auth, storage and functions calls are HTTPS requests (PostgREST); realtime channels are websockets.",
    },
    Sdk {
        package: "@upstash/qstash",
        classes: Classes::Named(&["Client"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "QStash",
        why: "`publish`, `publishJSON` and the queue methods are HTTPS requests.",
    },
    Sdk {
        package: "@upstash/redis",
        classes: Classes::Named(&["Redis"]),
        factories: &["Redis.fromEnv"],
        functions: NONE,
        module_client: false,
        local: &["pipeline", "multi"],
        talks_to: "Upstash Redis over HTTP",
        why: "The REST client: every command is an HTTPS request (a pipeline sends its commands in one).",
    },
    Sdk {
        package: "algoliasearch",
        classes: Classes::None,
        factories: &["algoliasearch", "default"],
        functions: NONE,
        module_client: false,
        local: &["initIndex"],
        talks_to: "the Algolia API",
        why: "Search and indexing calls are HTTPS requests; `initIndex` only builds the index handle.",
    },
    Sdk {
        package: "ethers",
        classes: Classes::Suffix("Provider"),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Ethereum RPC",
        why: "A JSON-RPC provider sends a request per call (`getBalance`, `call`, `getBlock`).",
    },
    octokit("octokit"),
    Sdk {
        package: "openai",
        classes: Classes::Any,
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the OpenAI API",
        why: "Every endpoint method is an HTTPS request.",
    },
    Sdk {
        package: "resend",
        classes: Classes::Named(&["Resend"]),
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Resend API",
        why: "`emails.send` and every other method is an HTTPS request.",
    },
    Sdk {
        package: "stripe",
        classes: Classes::Any,
        factories: NONE,
        functions: NONE,
        module_client: false,
        local: &["webhooks", "createFetchHttpClient", "createSubtleCryptoProvider"],
        talks_to: "the Stripe API",
        why: "Every resource method is an HTTPS request; webhook signature checks are local.",
    },
    Sdk {
        package: "twilio",
        classes: Classes::None,
        factories: &["default", "Twilio"],
        functions: NONE,
        module_client: false,
        local: NONE,
        talks_to: "the Twilio API",
        why: "Every resource call (`messages.create`) is an HTTPS request.",
    },
    Sdk {
        package: "viem",
        classes: Classes::None,
        factories: &["createPublicClient", "createWalletClient", "createClient"],
        functions: NONE,
        module_client: false,
        local: &["extend", "chain", "transport"],
        talks_to: "the chain's RPC",
        why: "A client's actions (`readContract`, `getBalance`) are JSON-RPC requests over its transport.",
    },
];

/// The table's entry for a module specifier (`@aws-sdk/client-s3/dist`
/// is the package `@aws-sdk/client-s3`).
pub fn sdk_for(spec: &str) -> Option<&'static Sdk> {
    let package = package_of(spec)?;
    SDKS.iter().find(|s| match s.package.strip_suffix('*') {
        Some(prefix) => package.starts_with(prefix),
        None => s.package == package,
    })
}

/// The package a bare specifier names (`None` for a relative or absolute
/// path, a `node:`/`cloudflare:` built-in or a `#` import).
pub fn package_of(spec: &str) -> Option<&str> {
    if spec.starts_with('.') || spec.starts_with('/') || spec.starts_with('#') || spec.contains(':')
    {
        return None;
    }
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    let len = if first.starts_with('@') {
        first.len() + 1 + parts.next()?.len()
    } else {
        first.len()
    };
    Some(&spec[..len])
}

impl Sdk {
    /// `new <export>()` of this package builds a client.
    pub fn constructs(&self, export: &str) -> bool {
        match self.classes {
            Classes::Any => true,
            Classes::Named(names) => names.contains(&export),
            Classes::Suffix(suffix) => export.ends_with(suffix) && export != suffix,
            Classes::None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_explained() {
        assert!(SDKS.windows(2).all(|w| w[0].package < w[1].package));
        assert!(SDKS
            .iter()
            .all(|s| !s.why.is_empty() && !s.talks_to.is_empty()));
    }

    #[test]
    fn finds_packages_and_families() {
        assert_eq!(sdk_for("stripe").map(|s| s.package), Some("stripe"));
        assert_eq!(
            sdk_for("@aws-sdk/client-s3").map(|s| s.package),
            Some("@aws-sdk/client-*")
        );
        assert_eq!(
            sdk_for("@octokit/rest").map(|s| s.package),
            Some("@octokit/*")
        );
        assert!(sdk_for("./stripe").is_none());
        assert!(sdk_for("node:http").is_none());
        assert_eq!(package_of("@solana/web3.js/lib/x"), Some("@solana/web3.js"));
        assert_eq!(package_of("hono/cors"), Some("hono"));
        assert!(sdk_for("@aws-sdk/client-s3")
            .is_some_and(|s| s.constructs("S3Client") && !s.constructs("PutObjectCommand")));
    }
}
