//! IMDS and the App Service MSI endpoint, at the root (the scenario's first VM; App Service by
//! header) and under `/hosts/{name}/…` for every host.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entra_core::token::issue_managed_identity_token;

use super::query_pairs;
use crate::pending_core::managed_identity::{self as mi, Flavor, MiError, MiRequest};
use crate::respond::{self, ShapedReply};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in ["", "/hosts/{host}"] {
        r = r
            .route(
                &format!("{prefix}/metadata/identity/oauth2/token"),
                get(imds_token),
            )
            .route(
                &format!("{prefix}/metadata/identity/info"),
                get(identity_info),
            )
            .route(&format!("{prefix}/metadata/instance"), get(instance))
            .route(
                &format!("{prefix}/metadata/instance/compute"),
                get(instance_compute),
            )
            .route(&format!("{prefix}/metadata/versions"), get(versions))
            .route(&format!("{prefix}/msi/token"), get(app_service_token));
    }
    r
}

fn mi_reply(e: MiError, surface: &'static str) -> Response {
    ShapedReply::new(surface, respond::status(e.status), e.body).into_response()
}

fn imds_headers(mut resp: Response) -> Response {
    respond::set_header(&mut resp, "server", "IMDS/150.870.65.1544");
    resp
}

fn host_name(p: &Option<Path<String>>) -> Option<&str> {
    p.as_ref().map(|Path(h)| h.as_str())
}

fn not_found_host(name: Option<&str>) -> Response {
    imds_headers(
        ShapedReply::new(
            "imds",
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "invalid_request", "error_description": format!("Identity not found{}", name.map(|n| format!(" (no VM named '{n}')")).unwrap_or_default())}),
        )
        .into_response(),
    )
}

/// Issues the token for a parsed request on a chosen host.
fn issue(state: &AppState, req: &MiRequest, host: &entra_core::directory::ComputeHost) -> Response {
    let dir = state.directory();
    let trace = state.trace(None);
    let surface = if req.flavor == Flavor::Imds {
        "imds"
    } else {
        "app-service"
    };
    let (props, mirid) = match mi::select_identity(
        &dir,
        host,
        req.selector.as_ref(),
        req.flavor,
        trace.correlation_id.0,
    ) {
        Ok(x) => x,
        Err(e) => return mi_reply(e, surface),
    };
    let now = state.now();
    let cache_key = (
        host.id.as_str().to_owned(),
        props.client_id.to_string(),
        req.resource.clone(),
    );
    match state.cached_mi_token(cache_key, req.bypass_cache, || {
        state.with_env(trace, |env| {
            issue_managed_identity_token(&dir, &props, &mirid, &req.resource, env)
        })
    }) {
        Ok(token) => respond::json(
            StatusCode::OK,
            &mi::success_body(&token, &props.client_id.to_string(), req.flavor, now),
        ),
        Err(e) => mi_reply(mi::token_error(&e, req.flavor, trace, now), surface),
    }
}

// https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
async fn imds_token(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let q = query_pairs(&uri);
    let metadata = headers.get("metadata").and_then(|v| v.to_str().ok());
    let req = match mi::parse_imds(&q, metadata, headers.contains_key("x-forwarded-for")) {
        Ok(r) => r,
        Err(e) => return imds_headers(mi_reply(e, "imds")),
    };
    let dir = state.directory();
    let Some(vm) = mi::imds_host(&dir, host_name(&host)) else {
        return not_found_host(host_name(&host));
    };
    imds_headers(issue(&state, &req, vm))
}

fn imds_doc(
    state: &AppState,
    host: &Option<Path<String>>,
    headers: &HeaderMap,
    f: impl FnOnce(
        &entra_core::directory::Directory,
        &entra_core::directory::ComputeHost,
    ) -> serde_json::Value,
) -> Response {
    if !headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| m.eq_ignore_ascii_case("true"))
    {
        return imds_headers(
            ShapedReply::new(
                "imds",
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": "Bad request. Required metadata header not specified"}),
            )
            .into_response(),
        );
    }
    let dir = state.directory();
    match mi::imds_host(&dir, host_name(host)) {
        Some(vm) => imds_headers(respond::json(StatusCode::OK, &f(&dir, vm))),
        None => not_found_host(host_name(host)),
    }
}

// https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
async fn identity_info(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    imds_doc(&state, &host, &headers, mi::identity_info)
}

async fn instance(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    imds_doc(&state, &host, &headers, |_, h| mi::instance(h))
}

async fn instance_compute(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    imds_doc(&state, &host, &headers, |_, h| mi::instance_compute(h))
}

async fn versions() -> Response {
    imds_headers(respond::json(StatusCode::OK, &mi::versions()))
}

// https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
async fn app_service_token(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let q = query_pairs(&uri);
    let correlation = state.guid();
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let req = match mi::parse_app_service(&q, h("x-identity-header"), h("secret"), correlation) {
        Ok(r) => r,
        Err(e) => return mi_reply(e, "app-service"),
    };
    let dir = state.directory();
    let header = req.identity_header.clone().unwrap_or_default();
    match mi::app_service_host(&dir, host_name(&host), &header, correlation) {
        Ok(site) => issue(&state, &req, site),
        Err(e) => mi_reply(e, "app-service"),
    }
}
