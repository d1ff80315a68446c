//! The Graph subset under `/v1.0` (and the configurable prefix): applications,
//! federatedIdentityCredentials, servicePrincipals, appRoleAssignments, devices. Every call needs a
//! Graph token this mock issued, with the right application permission; core decides.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entra_core::graph::{self, ApplicationRef, GraphError, GraphResponse};
use entra_core::graph_error::{ClientRequestId, GraphRequestId};
use entra_core::ids::{ClientId, ObjectId};
use entra_core::resource::{AccessTokenClaims, ResourceKind};

use super::{P, query_get, query_pairs};
use crate::respond::{self, ShapedReply};
use crate::routes::resources::authenticate;
use crate::state::AppState;

pub fn router(prefix: &str) -> Router<AppState> {
    let mut r = Router::new();
    let mut prefixes = vec!["/v1.0".to_owned()];
    if !prefix.is_empty() && prefix != "/" {
        prefixes.push(format!("{}/v1.0", prefix.trim_end_matches('/')));
    }
    for p in prefixes {
        r = r
            .route(
                &format!("{p}/applications"),
                get(list_applications).post(create_application),
            )
            .route(
                &format!("{p}/{{app}}"),
                get(get_application).patch(update_application),
            )
            .route(
                &format!("{p}/applications/{{app}}"),
                get(get_application).patch(update_application),
            )
            .route(
                &format!("{p}/{{app}}/federatedIdentityCredentials"),
                get(list_fics).post(create_fic),
            )
            .route(
                &format!("{p}/applications/{{app}}/federatedIdentityCredentials"),
                get(list_fics).post(create_fic),
            )
            .route(
                &format!("{p}/{{app}}/federatedIdentityCredentials/{{fic}}"),
                get(get_fic).patch(update_fic).delete(delete_fic),
            )
            .route(
                &format!("{p}/applications/{{app}}/federatedIdentityCredentials/{{fic}}"),
                get(get_fic).patch(update_fic).delete(delete_fic),
            )
            .route(
                &format!("{p}/servicePrincipals"),
                get(list_sps).post(create_sp),
            )
            .route(&format!("{p}/servicePrincipals/{{sp}}"), get(get_sp))
            .route(
                &format!("{p}/servicePrincipals/{{sp}}/appRoleAssignments"),
                get(list_assignments).post(create_assignment),
            )
            .route(&format!("{p}/devices"), get(devices));
    }
    r
}

/// Request context every Graph handler needs.
struct Call {
    state: AppState,
    client_request_id: Option<ClientRequestId>,
}

impl Call {
    fn new(state: &AppState, headers: &HeaderMap) -> Self {
        Call {
            state: state.clone(),
            client_request_id: headers
                .get("client-request-id")
                .and_then(|v| v.to_str().ok())
                .map(ClientRequestId::new),
        }
    }

    fn error(&self, e: GraphError) -> Response {
        let request_id = GraphRequestId(self.state.guid());
        let body = e.to_body(
            request_id,
            self.client_request_id.as_ref(),
            self.state.now(),
        );
        let mut r = ShapedReply::new(
            "graph",
            respond::status(e.status()),
            serde_json::to_value(body).unwrap_or_default(),
        )
        .header("request-id", request_id.to_string());
        if let Some(w) = e.www_authenticate() {
            r = r.header("www-authenticate", w.to_owned());
        }
        r.into_response()
    }

    fn render(&self, outcome: Result<GraphResponse, GraphError>) -> Response {
        match outcome {
            Ok(g) => {
                let mut resp = match g.body {
                    Some(b) => respond::json(respond::status(g.status), &b),
                    None => respond::status(g.status).into_response(),
                };
                if let Some(loc) = g.location {
                    respond::set_header(&mut resp, "location", &loc);
                }
                respond::set_header(&mut resp, "request-id", &self.state.guid().to_string());
                resp
            }
            Err(e) => self.error(e),
        }
    }

    fn caller(&self, headers: &HeaderMap) -> Result<AccessTokenClaims, Box<Response>> {
        authenticate(&self.state, headers, ResourceKind::Graph)
            .map_err(|e| Box::new(self.error(GraphError::from_auth(&e))))
    }
}

/// `applications(appId='…')` arrives as the single segment after `/v1.0/`.
fn app_ref(segment: &str) -> Result<ApplicationRef, ()> {
    if segment.starts_with("applications") {
        Ok(ApplicationRef::parse(segment))
    } else {
        Err(())
    }
}

fn not_a_segment(call: &Call, segment: &str) -> Response {
    call.error(GraphError::new(
        400,
        "BadRequest",
        format!("Resource not found for the segment '{segment}'."),
    ))
}

macro_rules! caller {
    ($call:expr, $headers:expr) => {
        match $call.caller(&$headers) {
            Ok(c) => c,
            Err(r) => return *r,
        }
    };
}

/// Resolves an app path segment (`{id}` under /applications/, or `applications(appId='…')`).
fn resolve_app(uri: &Uri, app: &str) -> Result<ApplicationRef, ()> {
    if uri.path().contains("/applications/") {
        Ok(ApplicationRef::parse(app))
    } else {
        app_ref(app)
    }
}

// https://learn.microsoft.com/graph/api/application-list
async fn list_applications(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    let q = query_pairs(&uri);
    call.render(graph::list_applications(
        &s.directory(),
        &caller,
        query_get(&q, "$filter"),
    ))
}

// https://learn.microsoft.com/graph/api/application-post-applications
async fn create_application(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    let (oid, app_id, now) = (ObjectId(s.guid()), ClientId(s.guid()), s.now());
    call.render(
        s.update_directory(|d| graph::create_application(d, &caller, &body, oid, app_id, now)),
    )
}

// https://learn.microsoft.com/graph/api/application-get
async fn get_application(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(app): P<String>,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    call.render(graph::get_application(&s.directory(), &caller, &app))
}

// https://learn.microsoft.com/graph/api/application-update
async fn update_application(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(app): P<String>,
    body: Bytes,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    call.render(s.update_directory(|d| graph::update_application(d, &caller, &app, &body)))
}

// https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials
async fn list_fics(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(app): P<String>,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    call.render(graph::list_federated_identity_credentials(
        &s.directory(),
        &caller,
        &app,
    ))
}

// https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials
async fn create_fic(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(app): P<String>,
    body: Bytes,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    let (id, now) = (ObjectId(s.guid()), s.now());
    call.render(s.update_directory(|d| {
        graph::create_federated_identity_credential(d, &caller, &app, &body, id, now)
    }))
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-get
async fn get_fic(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P((app, fic)): P<(String, String)>,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    call.render(graph::get_federated_identity_credential(
        &s.directory(),
        &caller,
        &app,
        &graph::parse_fic_segment(&fic),
    ))
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-update (and upsert)
async fn update_fic(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P((app, fic)): P<(String, String)>,
    body: Bytes,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    let create_if_missing = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("create-if-missing"))
        });
    let name = graph::parse_fic_segment(&fic);
    let by_name = fic.starts_with("(name=");
    if by_name {
        let id = ObjectId(s.guid());
        call.render(s.update_directory(|d| {
            graph::upsert_federated_identity_credential(
                d,
                &caller,
                &app,
                &name,
                &body,
                create_if_missing,
                id,
            )
        }))
    } else {
        call.render(s.update_directory(|d| {
            graph::update_federated_identity_credential(d, &caller, &app, &name, &body)
        }))
    }
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-delete
async fn delete_fic(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P((app, fic)): P<(String, String)>,
) -> Response {
    let call = Call::new(&s, &headers);
    let Ok(app) = resolve_app(&uri, &app) else {
        return not_a_segment(&call, &app);
    };
    let caller = caller!(call, headers);
    let fic = graph::parse_fic_segment(&fic);
    call.render(
        s.update_directory(|d| graph::delete_federated_identity_credential(d, &caller, &app, &fic)),
    )
}

// https://learn.microsoft.com/graph/api/serviceprincipal-list
async fn list_sps(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    let q = query_pairs(&uri);
    call.render(graph::list_service_principals(
        &s.directory(),
        &caller,
        query_get(&q, "$filter"),
    ))
}

// https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
async fn create_sp(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    let id = ObjectId(s.guid());
    call.render(s.update_directory(|d| graph::create_service_principal(d, &caller, &body, id)))
}

// https://learn.microsoft.com/graph/api/serviceprincipal-get
async fn get_sp(State(s): State<AppState>, headers: HeaderMap, P(sp): P<String>) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    call.render(graph::get_service_principal(&s.directory(), &caller, &sp))
}

// https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignments
async fn list_assignments(
    State(s): State<AppState>,
    headers: HeaderMap,
    P(sp): P<String>,
) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    call.render(graph::list_app_role_assignments(
        &s.directory(),
        &caller,
        &sp,
    ))
}

// https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments
async fn create_assignment(
    State(s): State<AppState>,
    headers: HeaderMap,
    P(sp): P<String>,
    body: Bytes,
) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    let (id, now) = (ObjectId(s.guid()), s.now());
    call.render(
        s.update_directory(|d| graph::create_app_role_assignment(d, &caller, &sp, &body, id, now)),
    )
}

// https://learn.microsoft.com/graph/api/device-list
async fn devices(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let call = Call::new(&s, &headers);
    let caller = caller!(call, headers);
    match entra_core::resource::list_devices(&s.directory(), &caller) {
        Ok(body) => respond::json(StatusCode::OK, &body),
        Err(e) => call.error(e),
    }
}
