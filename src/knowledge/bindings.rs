//! Methods of the Workers runtime's bindings that send nothing: they build
//! a value locally, and only a later call on that value leaves the Worker.

use crate::model::collections::Words;

/// Binding methods that build something locally without a round trip: a D1
/// statement being prepared, a Durable Object id or stub, an Analytics
/// Engine data point (buffered, sent after the response).
pub const LOCAL_METHODS: &[&str] = &[
    "prepare",
    "bind",
    "idFromName",
    "idFromString",
    "newUniqueId",
    "jurisdiction",
    "getByName",
    "writeDataPoint",
];

/// Methods of strings and arrays, which no binding has: `env.NAME.split(…)`
/// is a variable's string, `env.LIST.forEach(…)` a JSON variable's array.
pub static VALUE_METHODS: Words = Words::new(&[
    "at",
    "charAt",
    "charCodeAt",
    "concat",
    "endsWith",
    "entries",
    "every",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "flat",
    "flatMap",
    "forEach",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "localeCompare",
    "map",
    "match",
    "matchAll",
    "normalize",
    "padEnd",
    "padStart",
    "reduce",
    "repeat",
    "replace",
    "replaceAll",
    "slice",
    "some",
    "sort",
    "split",
    "startsWith",
    "substring",
    "toLowerCase",
    "toString",
    "toUpperCase",
    "trim",
    "trimEnd",
    "trimStart",
    "values",
]);

/// Durable Object namespace methods that return an id, locally.
pub const OBJECT_ID_METHODS: &[&str] = &["idFromName", "idFromString", "newUniqueId"];

/// `method` of a Durable Object namespace returns a stub: `getByName(name)`
/// always, `get(id)` when its argument is an id (`id_argument`). Getting a
/// stub sends nothing; each call on the stub is a subrequest to the object.
pub fn returns_object_stub(method: &str, id_argument: bool) -> bool {
    method == "getByName" || (method == "get" && id_argument)
}

/// Types of the Workers runtime's bindings (`@cloudflare/workers-types`)
/// whose methods reach outside the Worker: a value typed as one
/// (`db: D1Database`) is a binding whatever its name.
pub const BINDING_TYPES: &[&str] = &[
    "Ai",
    "D1Database",
    "DurableObjectNamespace",
    "DurableObjectStub",
    "Fetcher",
    "KVNamespace",
    "Queue",
    "R2Bucket",
    "VectorizeIndex",
];
