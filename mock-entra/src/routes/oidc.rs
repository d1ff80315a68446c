//! OIDC discovery, JWKS and instance discovery (reference C).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entra_core::discovery::{self, DocVersion};
use entra_core::error::EntraError;

use super::{Origin, P, client_request_id, query_get, query_pairs};
use crate::respond::{self, EntraReply};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration_v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(openid_configuration_v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks_v2))
        .route("/{tenant}/discovery/keys", get(jwks_v1))
        .route("/common/discovery/instance", get(instance_discovery))
}

fn entra_error(state: &AppState, headers: &HeaderMap, error: EntraError) -> Response {
    EntraReply {
        error,
        trace: state.trace(client_request_id(headers).as_deref()),
        now: state.now(),
        authority_host: "login.microsoftonline.com",
    }
    .into_response()
}

fn discovery_json(state: &AppState, headers: &HeaderMap, body: &impl serde::Serialize) -> Response {
    let mut resp = respond::json(StatusCode::OK, body);
    respond::discovery_headers(
        &mut resp,
        &state.trace(client_request_id(headers).as_deref()),
    );
    resp
}

fn metadata(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &str,
    origin: &Origin,
    version: DocVersion,
) -> Response {
    let dir = state.directory();
    match discovery::resolve_authority(&dir, tenant) {
        Ok(t) => {
            let doc =
                discovery::openid_configuration(&t, version, &origin.base_url, &state.issuers());
            discovery_json(state, headers, &doc)
        }
        Err(e) => entra_error(state, headers, e),
    }
}

// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
async fn openid_configuration_v2(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    P(tenant): P<String>,
) -> Response {
    metadata(&state, &headers, &tenant, &origin, DocVersion::V2)
}

// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer (v1 metadata)
async fn openid_configuration_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    P(tenant): P<String>,
) -> Response {
    metadata(&state, &headers, &tenant, &origin, DocVersion::V1)
}

fn jwks(state: &AppState, headers: &HeaderMap, tenant: &str, version: DocVersion) -> Response {
    let dir = state.directory();
    match discovery::resolve_authority(&dir, tenant) {
        Ok(t) => {
            let doc = discovery::jwks(&state.keys(), &t, version, &state.issuers(), state.now());
            discovery_json(state, headers, &doc)
        }
        Err(e) => entra_error(state, headers, e),
    }
}

// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
async fn jwks_v2(
    State(state): State<AppState>,
    headers: HeaderMap,
    P(tenant): P<String>,
) -> Response {
    jwks(&state, &headers, &tenant, DocVersion::V2)
}

async fn jwks_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    P(tenant): P<String>,
) -> Response {
    jwks(&state, &headers, &tenant, DocVersion::V1)
}

// https://learn.microsoft.com/entra/msal/dotnet/advanced/instance-discovery (C.4)
async fn instance_discovery(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    uri: Uri,
) -> Response {
    let q = query_pairs(&uri);
    let doc = discovery::instance_discovery(
        &origin.base_url,
        &origin.host,
        query_get(&q, "authorization_endpoint"),
    );
    discovery_json(&state, &headers, &doc)
}
