//! Routing: path normalisation, the route table of every surface, faults and the record.
//!
//! Matching follows the rules clients rely on (and that the axum router applied before): the
//! first route whose path pattern matches decides; if it does not serve the method the answer is
//! the surface's 405. Patterns are tried in the order below, static routes before the
//! parameterised ones they overlap with. Captured segments are percent-decoded.

use http::Method;

use super::shapes::{RoutingError, routing_error, surface_of};
use super::{Call, Effect, Exchange, Outcome, Request, Response};
use super::{control, entra, graph, issuers, managed_identity, resources};

/// A route's operation: the call, the request and the decoded captures.
pub(crate) type Op = fn(&mut Call<'_>, &Request, &Params) -> Response;

/// Captured, percent-decoded path segments.
#[derive(Debug, Default)]
pub(crate) struct Params(pub(crate) Vec<String>);

impl Params {
    pub(crate) fn get(&self, i: usize) -> &str {
        self.0.get(i).map_or("", String::as_str)
    }
}

/// Path normalisation: MSAL Node lowercases the IMDS URL and appends `/`, so managed-identity
/// paths are matched case-insensitively and a trailing slash is ignored everywhere
/// (sdk-compat 0.3.1). `None` when nothing changes.
pub fn normalize_path(path: &str) -> Option<String> {
    let mut new_path = path.to_owned();
    let lower = path.to_ascii_lowercase();
    if is_managed_identity_path(&lower) {
        new_path = lower;
    }
    while new_path.len() > 1 && new_path.ends_with('/') {
        new_path.pop();
    }
    (new_path != path).then_some(new_path)
}

fn is_managed_identity_path(lower: &str) -> bool {
    let rest = match lower.strip_prefix("/hosts/") {
        Some(r) => match r.find('/') {
            Some(i) => &r[i..],
            None => return false,
        },
        None => lower,
    };
    rest == "/metadata"
        || rest.starts_with("/metadata/")
        || rest == "/msi"
        || rest.starts_with("/msi/")
}

/// Matches `path` against `pattern` (`{}` captures one segment). Resource Manager's paths match
/// case-insensitively (`/subscriptions/{id}/resourceGroups` and `/SUBSCRIPTIONS/{id}/resourcegroups`
/// are the same to ARM); every other surface's literal segments match exactly.
fn capture(pattern: &str, path: &str) -> Option<Vec<String>> {
    let ci = is_arm_pattern(pattern);
    let mut pat = pattern.split('/');
    let mut segs = path.split('/');
    let mut out = Vec::new();
    loop {
        match (pat.next(), segs.next()) {
            (None, None) => return Some(out),
            (Some("{}"), Some(s)) if !s.is_empty() => out.push(s.to_owned()),
            (Some(p), Some(s)) if p == s || (ci && p.eq_ignore_ascii_case(s)) => {}
            _ => return None,
        }
    }
}

fn is_arm_pattern(pattern: &str) -> bool {
    pattern.starts_with("/subscriptions")
        || pattern.starts_with("/tenants")
        || pattern == "/metadata/endpoints"
}

fn decode(raw: Vec<String>) -> Result<Params, String> {
    raw.into_iter()
        .map(|s| {
            percent_encoding::percent_decode_str(&s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("Invalid URL: Cannot parse `{s}` to a `String`"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Params)
}

/// One route: a pattern and the operation of each method it serves (`ANY`: every method).
struct Route {
    pattern: String,
    methods: Vec<(Option<Method>, Op)>,
}

fn route(pattern: impl Into<String>, methods: Vec<(Option<Method>, Op)>) -> Route {
    Route {
        pattern: pattern.into(),
        methods,
    }
}

fn get(op: Op) -> (Option<Method>, Op) {
    (Some(Method::GET), op)
}
fn post(op: Op) -> (Option<Method>, Op) {
    (Some(Method::POST), op)
}
fn head(op: Op) -> (Option<Method>, Op) {
    (Some(Method::HEAD), op)
}
fn put(op: Op) -> (Option<Method>, Op) {
    (Some(Method::PUT), op)
}
fn patch(op: Op) -> (Option<Method>, Op) {
    (Some(Method::PATCH), op)
}
fn delete(op: Op) -> (Option<Method>, Op) {
    (Some(Method::DELETE), op)
}
fn any(op: Op) -> (Option<Method>, Op) {
    (None, op)
}

/// Every route of every surface, in matching order.
fn table(graph_prefix: &str) -> Vec<Route> {
    let mut t = vec![
        // The control API (the shell serves `/_mock/requests`, `/_mock/events` and key
        // rotation itself: they are its log and its key generation).
        route("/_mock/health", vec![get(control::health)]),
        route(
            "/_mock/scenario",
            vec![get(control::get_scenario), put(control::put_scenario)],
        ),
        route("/_mock/reset", vec![post(control::reset)]),
        route(
            "/_mock/faults",
            vec![
                get(control::list_faults),
                post(control::add_fault),
                delete(control::clear_faults),
            ],
        ),
        route(
            "/_mock/clock",
            vec![get(control::get_clock), post(control::set_clock)],
        ),
        route(
            "/_mock/issuers/{}/token",
            vec![post(issuers::control_token)],
        ),
        // The emulated external issuers (GitHub Actions, Kubernetes clusters).
        route(
            "/_issuers/{}/.well-known/openid-configuration",
            vec![get(issuers::metadata)],
        ),
        route(
            "/_issuers/{}/.well-known/jwks",
            vec![get(issuers::github_jwks)],
        ),
        route(
            "/_issuers/{}/openid/v1/jwks",
            vec![get(issuers::kubernetes_jwks)],
        ),
        route("/_issuers/{}/idtoken", vec![get(issuers::github_id_token)]),
        // Entra.
        route(
            "/common/discovery/instance",
            vec![get(entra::instance_discovery)],
        ),
        route("/{}/oauth2/v2.0/token", vec![post(entra::token_v2)]),
        route("/{}/oauth2/token", vec![post(entra::token_v1)]),
        route(
            "/{}/v2.0/.well-known/openid-configuration",
            vec![get(entra::openid_configuration_v2)],
        ),
        route(
            "/{}/.well-known/openid-configuration",
            vec![get(entra::openid_configuration_v1)],
        ),
        route("/{}/discovery/v2.0/keys", vec![get(entra::jwks_v2)]),
        route("/{}/discovery/keys", vec![get(entra::jwks_v1)]),
        route(
            "/{}/adminconsent",
            vec![get(entra::consent_page), post(entra::consent_decision)],
        ),
        // ARM (case-insensitive, see `capture`) and Storage.
        route("/metadata/endpoints", vec![get(resources::metadata)]),
        route("/tenants", vec![get(resources::tenants)]),
        route("/subscriptions", vec![get(resources::subscriptions)]),
        route("/subscriptions/{}", vec![get(resources::subscription)]),
        route(
            "/subscriptions/{}/resourceGroups",
            vec![get(resources::resource_groups)],
        ),
        route(
            "/subscriptions/{}/resourceGroups/{}",
            vec![
                head(resources::resource_group_head),
                get(resources::resource_group),
            ],
        ),
        route(
            "/subscriptions/{}/providers/Microsoft.Authorization/roleAssignments",
            vec![get(resources::role_assignments)],
        ),
        route(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Authorization/roleAssignments",
            vec![get(resources::role_assignments)],
        ),
        route(
            "/subscriptions/{}/providers",
            vec![get(resources::providers)],
        ),
        route(
            "/subscriptions/{}/providers/{}",
            vec![get(resources::providers)],
        ),
        route("/blob/{}/{}", vec![get(resources::list_blobs_op)]),
    ];
    for prefix in ["", "/hosts/{}"] {
        for path in managed_identity::IMDS_PATHS {
            t.push(route(
                format!("{prefix}{path}"),
                vec![any(managed_identity::imds)],
            ));
        }
        t.push(route(
            format!("{prefix}/msi/token"),
            vec![any(managed_identity::app_service)],
        ));
    }
    let mut prefixes = vec!["/v1.0".to_owned()];
    if !graph_prefix.is_empty() && graph_prefix != "/" {
        prefixes.push(format!("{}/v1.0", graph_prefix.trim_end_matches('/')));
    }
    for p in prefixes {
        t.extend([
            route(
                format!("{p}/applications"),
                vec![
                    get(graph::list_applications),
                    post(graph::create_application),
                ],
            ),
            route(
                format!("{p}/servicePrincipals"),
                vec![get(graph::list_sps), post(graph::create_sp)],
            ),
            route(format!("{p}/devices"), vec![get(graph::devices)]),
            route(
                format!("{p}/applications/{{}}"),
                vec![
                    get(graph::get_application_by_id),
                    patch(graph::update_application_by_id),
                ],
            ),
            route(
                format!("{p}/servicePrincipals/{{}}"),
                vec![get(graph::get_sp)],
            ),
            route(
                format!("{p}/{{}}"),
                vec![
                    get(graph::get_application),
                    patch(graph::update_application),
                ],
            ),
            route(
                format!("{p}/servicePrincipals/{{}}/appRoleAssignments"),
                vec![get(graph::list_assignments), post(graph::create_assignment)],
            ),
            route(
                format!("{p}/applications/{{}}/federatedIdentityCredentials"),
                vec![get(graph::list_fics_by_id), post(graph::create_fic_by_id)],
            ),
            route(
                format!("{p}/{{}}/federatedIdentityCredentials"),
                vec![get(graph::list_fics), post(graph::create_fic)],
            ),
            route(
                format!("{p}/applications/{{}}/federatedIdentityCredentials/{{}}"),
                vec![
                    get(graph::get_fic_by_id),
                    patch(graph::update_fic_by_id),
                    delete(graph::delete_fic_by_id),
                ],
            ),
            route(
                format!("{p}/{{}}/federatedIdentityCredentials/{{}}"),
                vec![
                    get(graph::get_fic),
                    patch(graph::update_fic),
                    delete(graph::delete_fic),
                ],
            ),
        ]);
    }
    t
}

/// The route table of one engine (fixed by its Graph prefix).
pub(crate) struct Routes(Vec<Route>);

impl Routes {
    pub(crate) fn new(graph_prefix: &str) -> Self {
        Routes(table(graph_prefix))
    }
}

/// Finds the operation for `method path`, or the routing error.
fn resolve(
    routes: &Routes,
    method: &Method,
    path: &str,
) -> Result<(Op, Vec<String>), RoutingError> {
    for r in &routes.0 {
        let Some(captures) = capture(&r.pattern, path) else {
            continue;
        };
        // HEAD is served by GET routes, as HTTP allows.
        let op = r
            .methods
            .iter()
            .find(|(m, _)| {
                m.as_ref()
                    .is_none_or(|m| m == method || (*m == Method::GET && method == Method::HEAD))
            })
            .map(|(_, op)| *op);
        return op
            .map(|op| (op, captures))
            .ok_or(RoutingError::MethodNotAllowed);
    }
    Err(RoutingError::NotFound)
}

/// The engine's whole request handling: normalise, apply faults (not to the control API),
/// route, record.
pub(crate) fn dispatch(call: &mut Call<'_>, req: &Request) -> Outcome {
    let raw_path = req.uri().path();
    let path = normalize_path(raw_path).unwrap_or_else(|| raw_path.to_owned());
    let control = path.starts_with("/_mock");
    let time = call.now.rfc3339();

    let mut response = None;
    if !control && let Some(f) = call.engine.faults().take(&path) {
        if f.latency_ms > 0 {
            call.effects.push(Effect::Delay {
                millis: f.latency_ms,
            });
        }
        if let Some(code) = f.status {
            response = Some(control::injected_fault(code, f.retry_after));
        }
    }
    let mut response =
        response.unwrap_or_else(|| match resolve(&call.engine.routes, req.method(), &path) {
            Ok((op, captures)) => match decode(captures) {
                Ok(params) => op(call, req, &params),
                Err(message) => super::shapes::EndpointError {
                    status: 400,
                    error: "invalid_request",
                    error_description: message,
                }
                .to_response(),
            },
            Err(e) => routing_error(
                call,
                surface_of(&path, call.engine.graph_prefix()),
                e,
                &path,
                req.method().as_str(),
            ),
        });
    if req.method() == Method::HEAD {
        response.body_mut().clear();
    }
    let record = (!control).then(|| Exchange::of(req, &response, time));
    Outcome {
        response,
        record,
        effects: std::mem::take(&mut call.effects),
    }
}

/// The query of `req` as (name, value) pairs; never rejects.
pub(crate) fn query_pairs(req: &Request) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A header as text.
pub(crate) fn header(req: &Request, name: impl http::header::AsHeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The `client-request-id` a client sent (header), which Entra echoes as correlation id.
pub(crate) fn client_request_id(req: &Request) -> Option<&str> {
    header(req, "client-request-id").or_else(|| header(req, "x-ms-client-request-id"))
}

/// The path the request is routed on (normalised).
pub(crate) fn routed_path(req: &Request) -> String {
    let p = req.uri().path();
    normalize_path(p).unwrap_or_else(|| p.to_owned())
}
