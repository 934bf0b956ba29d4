//! What a profile run (`perf-optimizer profile`) measured about caching,
//! added to the source rules' caching findings as evidence: a GET route
//! whose repeated identical requests got the same body with no caching
//! header while repeating the same I/O each time is confirmed cacheable.
//! Such a route with no `cacheable-route` finding (a router the source rule
//! does not read) is reported from the measurement alone, at the line that
//! sent the repeated query when the run knows it.

use crate::model::profile::{ProfileReport, ProfileRoute};
use crate::model::report::{docs_url, Diagnostic, Related, Severity};

use super::cacheable_route::{message_route, RULE as CACHEABLE_ROUTE};
use super::uncached_static_query::RULE as UNCACHED_STATIC_QUERY;

/// Request headers whose reading does not make an answer differ per caller
/// or per header value (routing, tracing, conditional requests), and the
/// ones CORS middleware reads on every request: an answer that varies with
/// the `Origin` says so with `Vary: Origin`, a caching header, which stops
/// the confirmation by itself.
const NEUTRAL_HEADERS: &[&str] = &[
    "access-control-request-headers",
    "access-control-request-method",
    "cache-control",
    "cf-ray",
    "cf-visitor",
    "connection",
    "content-length",
    "content-type",
    "host",
    "if-modified-since",
    "if-none-match",
    "origin",
    "pragma",
    "traceparent",
    "tracestate",
    "upgrade",
    "x-forwarded-proto",
    "x-request-id",
];

/// A route the run shows a cache keyed by its URL could answer: its 2xx
/// answers (two or more) were all the same, set no cookie and carried no
/// caching header, the Worker read no request header its answer could
/// depend on, and each request repeated the same I/O.
struct Cacheable<'p> {
    route: &'p ProfileRoute,
    path: &'p str,
    evidence: String,
    /// Where the repeated query was sent from, when the run knows.
    at: Option<(String, u32)>,
}

fn cacheable<'p>(profile: &'p ProfileReport, route: &'p ProfileRoute) -> Option<Cacheable<'p>> {
    let method = route.method.as_deref().unwrap_or("GET");
    if method != "GET" {
        return None;
    }
    let path = route.path.as_deref()?;
    let responses = route.responses.as_ref()?;
    // The stub answers every subrequest alike: answers built from them
    // would look the same whatever the back end says.
    let stubbed = profile.outbound.stubbed && route.subrequests.is_some_and(|s| s.max > 0.0);
    let uncached = responses.caching_headers.is_empty();
    let per_url = responses
        .read_headers
        .iter()
        .all(|h| NEUTRAL_HEADERS.contains(&h.as_str()));
    if responses.compared < 2
        || responses.identical != responses.compared
        || responses.set_cookie > 0
        || !uncached
        || !per_url
        || stubbed
    {
        return None;
    }
    let repeat = route.repeats.first()?;
    let what = match repeat.kind.as_str() {
        "query" => format!(
            "ran `{}` with the same parameters",
            crate::engine::context::one_line(&repeat.text)
        ),
        _ => format!(
            "fetched `{}`",
            crate::engine::context::one_line(&repeat.text)
        ),
    };
    let evidence = format!(
        "profile: {} of {} requests to {} got the same {} B answer with no caching header, and {} in {} of them",
        responses.identical,
        responses.compared,
        route.route,
        responses.body_bytes,
        what,
        repeat.requests
    );
    let at = (repeat.kind == "query")
        .then(|| {
            profile
                .queries
                .iter()
                .find(|q| q.sql == repeat.text)
                .and_then(|q| Some((q.file.clone()?, q.line?)))
        })
        .flatten();
    Some(Cacheable {
        route,
        path,
        evidence,
        at,
    })
}

/// Whether the route pattern of a `cacheable-route` finding (`/items/:id`,
/// `/files/*`) matches a path that was requested; `suffix` also accepts a
/// pattern of a sub-router mounted under a prefix the finding does not see
/// (it must have a literal segment).
fn pattern_matches(pattern: &str, path: &str, suffix: bool) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments = |s: &str| -> Vec<String> {
        s.split('/')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (pattern, path) = (segments(pattern), segments(path));
    let one = |p: &String, s: &String| p.starts_with(':') || p == s;
    if let Some(star) = pattern.iter().position(|p| p == "*") {
        let head = &pattern[..star];
        return !suffix
            && path.len() >= head.len()
            && head.iter().zip(&path).all(|(p, s)| one(p, s));
    }
    if pattern.len() == path.len() {
        return pattern.iter().zip(&path).all(|(p, s)| one(p, s));
    }
    suffix
        && pattern.iter().any(|p| !p.starts_with(':'))
        && pattern.len() < path.len()
        && pattern
            .iter()
            .zip(&path[path.len() - pattern.len()..])
            .all(|(p, s)| one(p, s))
}

/// Adds what the profile measured to the caching findings: the evidence of a
/// cacheable route to its `cacheable-route` finding (or a finding of its
/// own), the repeat count of a query to its `uncached-static-query`
/// finding. `severity(id)` is the rule's severity as the config sets it.
pub(crate) fn confirm(
    profile: &ProfileReport,
    diagnostics: &mut Vec<Diagnostic>,
    severity: &dyn Fn(&str) -> Option<Severity>,
) {
    let id = CACHEABLE_ROUTE.meta.id;
    for found in profile.routes.iter().filter_map(|r| cacheable(profile, r)) {
        let related = |d: &Diagnostic| Related {
            file: found
                .at
                .as_ref()
                .map(|a| a.0.clone())
                .or_else(|| d.file.clone())
                .unwrap_or_default(),
            line: found.at.as_ref().map(|a| a.1).or(d.line).unwrap_or(0),
            column: if found.at.is_some() {
                0
            } else {
                d.column.unwrap_or(0)
            },
            message: found.evidence.clone(),
        };
        let matching = |suffix: bool| -> Vec<usize> {
            diagnostics
                .iter()
                .enumerate()
                .filter(|(_, d)| d.rule == id)
                .filter(|(_, d)| {
                    message_route(&d.message)
                        .is_some_and(|p| pattern_matches(p, found.path, suffix))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let mut at = matching(false);
        if at.is_empty() {
            at = matching(true);
            // A suffix that names more than one finding's route names none surely.
            if at.len() > 1 {
                continue;
            }
        }
        if !at.is_empty() {
            for i in at {
                let r = related(&diagnostics[i]);
                diagnostics[i].related.push(r);
            }
            continue;
        }
        let Some(sev) = severity(id) else { continue };
        let (file, line) = found
            .at
            .clone()
            .map_or((None, None), |(f, l)| (Some(f), Some(l)));
        diagnostics.push(Diagnostic {
            group: None,
            related: Vec::new(),
            rule: id.into(),
            severity: sev,
            category: CACHEABLE_ROUTE.meta.category,
            message: format!(
                "{} is answered the same on every request and does I/O each time, but it sends no Cache-Control ({})",
                found.route.route, found.evidence
            ),
            file,
            line,
            column: None,
            end_line: None,
            end_column: None,
            help: "If its answer may be a little old, let a cache answer it: a `Cache-Control: public, max-age=60, stale-while-revalidate=600` header on the response, with `\"cache\": { \"enabled\": true }` in the wrangler config (Workers Cache serves it without running the Worker), or the Cache API (`caches.default`) keyed by the URL.".into(),
            docs: docs_url(id),
        });
    }
    confirm_static_queries(profile, diagnostics);
}

/// `uncached-static-query` findings at the line a repeated query was sent
/// from gain how often the run sent it with the same parameters.
fn confirm_static_queries(profile: &ProfileReport, diagnostics: &mut [Diagnostic]) {
    let id = UNCACHED_STATIC_QUERY.meta.id;
    for d in diagnostics.iter_mut().filter(|d| d.rule == id) {
        let (Some(file), Some(line)) = (d.file.as_deref(), d.line) else {
            continue;
        };
        let sent_here = |sql: &str| {
            profile
                .queries
                .iter()
                .any(|q| q.sql == sql && q.file.as_deref() == Some(file) && q.line == Some(line))
        };
        let best = profile
            .routes
            .iter()
            .flat_map(|r| r.repeats.iter().map(move |x| (r, x)))
            .filter(|(_, x)| x.kind == "query" && sent_here(&x.text))
            .max_by_key(|(_, x)| x.requests);
        if let Some((route, repeat)) = best {
            d.related.push(Related {
                file: file.to_string(),
                line,
                column: d.column.unwrap_or(0),
                message: format!(
                    "profile: sent with the same parameters in {} of the {} requests to {}",
                    repeat.requests, route.requests, route.route
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::profile::{full_profile, ProfileRepeat, ProfileResponses};
    use crate::model::report::Category;

    /// A profile with one route `GET path` whose answers are as given.
    fn profile(path: &str, responses: ProfileResponses) -> ProfileReport {
        let mut p = full_profile();
        let r = &mut p.routes[0];
        r.route = format!("GET {path}");
        r.path = Some(path.into());
        r.responses = Some(responses);
        r.subrequests = Some(crate::model::profile::CountSpread { p50: 0.0, max: 0.0 });
        r.repeats = vec![ProfileRepeat {
            kind: "query".into(),
            text: "SELECT id FROM items".into(),
            params: None,
            requests: 3,
        }];
        p.queries[0].sql = "SELECT id FROM items".into();
        p.queries[0].file = Some("src/items.ts".into());
        p.queries[0].line = Some(7);
        p
    }

    fn same_answers() -> ProfileResponses {
        ProfileResponses {
            compared: 3,
            identical: 3,
            body_bytes: 42,
            ..ProfileResponses::default()
        }
    }

    fn finding(rule: &str, message: &str, file: &str, line: u32) -> Diagnostic {
        Diagnostic {
            group: None,
            related: Vec::new(),
            rule: rule.into(),
            severity: Severity::Info,
            category: Category::Async,
            message: message.into(),
            file: Some(file.into()),
            line: Some(line),
            column: Some(5),
            end_line: None,
            end_column: None,
            help: String::new(),
            docs: String::new(),
        }
    }

    fn on(_: &str) -> Option<Severity> {
        Some(Severity::Info)
    }

    #[test]
    fn a_route_pattern_matches_the_requested_path() {
        assert!(pattern_matches("/items/:id", "/items/42?x=1", false));
        assert!(pattern_matches("/", "/", false));
        assert!(pattern_matches("/files/*", "/files/a/b", false));
        assert!(!pattern_matches("/items/:id", "/items", false));
        assert!(!pattern_matches("/items", "/api/items", false));
        assert!(pattern_matches("/items", "/api/items", true));
        assert!(!pattern_matches("/", "/api/items", true));
        assert!(!pattern_matches("/:id", "/api/items", true));
    }

    #[test]
    fn a_measured_cacheable_route_confirms_its_finding() {
        let p = profile("/items", same_answers());
        // Its I/O in a called function: the message goes on with the chain.
        let message = super::super::cacheable_route::route_message("/items")
            + ": `list` calls `env.DB.prepare(…)`";
        let mut ds = vec![finding("cacheable-route", &message, "src/index.ts", 3)];
        confirm(&p, &mut ds, &on);
        assert_eq!(ds.len(), 1);
        let r = &ds[0].related[0];
        assert_eq!((r.file.as_str(), r.line), ("src/items.ts", 7));
        assert!(
            r.message.starts_with("profile: 3 of 3 requests to GET /items got the same 42 B answer with no caching header, and ran `SELECT id FROM items` with the same parameters in 3 of them"),
            "{}",
            r.message
        );
    }

    #[test]
    fn a_measured_cacheable_route_without_a_finding_is_reported_at_its_query() {
        let p = profile("/items", same_answers());
        let mut ds = Vec::new();
        confirm(&p, &mut ds, &on);
        assert_eq!(ds.len(), 1);
        assert_eq!(
            (ds[0].file.as_deref(), ds[0].line),
            (Some("src/items.ts"), Some(7))
        );
        assert!(
            ds[0]
                .message
                .starts_with("GET /items is answered the same on every request"),
            "{}",
            ds[0].message
        );
        // Off in the config: nothing.
        let mut ds = Vec::new();
        confirm(&p, &mut ds, &|_| None);
        assert!(ds.is_empty());
    }

    #[test]
    fn answers_that_differ_carry_a_caching_header_or_depend_on_the_caller_confirm_nothing() {
        let cases = [
            ProfileResponses {
                identical: 2,
                ..same_answers()
            },
            ProfileResponses {
                compared: 1,
                identical: 1,
                ..same_answers()
            },
            ProfileResponses {
                caching_headers: vec!["cache-control: no-store".into()],
                ..same_answers()
            },
            ProfileResponses {
                set_cookie: 1,
                ..same_answers()
            },
            ProfileResponses {
                read_headers: vec!["authorization".into()],
                ..same_answers()
            },
            ProfileResponses {
                read_headers: vec!["*".into()],
                ..same_answers()
            },
            ProfileResponses {
                read_headers: vec!["accept-language".into()],
                ..same_answers()
            },
        ];
        for responses in cases {
            let mut ds = Vec::new();
            confirm(&profile("/items", responses.clone()), &mut ds, &on);
            assert!(ds.is_empty(), "{responses:?}: {ds:?}");
        }
        // Headers that change nothing about the answer.
        let mut ds = Vec::new();
        let neutral = ProfileResponses {
            read_headers: vec!["host".into(), "if-none-match".into(), "origin".into()],
            ..same_answers()
        };
        confirm(&profile("/items", neutral), &mut ds, &on);
        assert_eq!(ds.len(), 1);
        // No repeated I/O: nothing a cache would save.
        let mut p = profile("/items", same_answers());
        p.routes[0].repeats.clear();
        let mut ds = Vec::new();
        confirm(&p, &mut ds, &on);
        assert!(ds.is_empty());
        // Subrequests answered by the stub: the same answers prove nothing.
        let mut p = profile("/items", same_answers());
        p.routes[0].subrequests = Some(crate::model::profile::CountSpread { p50: 1.0, max: 1.0 });
        let mut ds = Vec::new();
        confirm(&p, &mut ds, &on);
        assert!(ds.is_empty());
        p.outbound.stubbed = false;
        confirm(&p, &mut ds, &on);
        assert_eq!(ds.len(), 1, "with --allow-network they do");
        // Not a GET.
        let mut p = profile("/items", same_answers());
        p.routes[0].method = Some("POST".into());
        let mut ds = Vec::new();
        confirm(&p, &mut ds, &on);
        assert!(ds.is_empty());
    }

    #[test]
    fn a_suffix_that_matches_two_findings_confirms_neither() {
        let p = profile("/api/list", same_answers());
        let message = super::super::cacheable_route::route_message("/list");
        let mut ds = vec![
            finding("cacheable-route", &message, "src/a.ts", 3),
            finding("cacheable-route", &message, "src/b.ts", 3),
        ];
        confirm(&p, &mut ds, &on);
        assert_eq!(ds.len(), 2);
        assert!(ds.iter().all(|d| d.related.is_empty()));
    }

    #[test]
    fn an_uncached_static_query_gains_its_repeat_count() {
        let p = profile(
            "/items",
            ProfileResponses {
                set_cookie: 1,
                ..same_answers()
            },
        );
        let mut ds = vec![
            finding("uncached-static-query", "x", "src/items.ts", 7),
            finding("uncached-static-query", "y", "src/items.ts", 9),
        ];
        confirm(&p, &mut ds, &on);
        assert_eq!(ds[0].related.len(), 1);
        assert_eq!(
            ds[0].related[0].message,
            "profile: sent with the same parameters in 3 of the 4 requests to GET /items"
        );
        assert!(ds[1].related.is_empty());
    }
}
