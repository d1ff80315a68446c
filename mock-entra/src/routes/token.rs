//! The token endpoints: v2.0 (`scope`, numbers) and v1 (`resource`, strings).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use entra_core::exchange::{TokenEndpoint, TokenRequest, exchange};

use super::{P, client_request_id, query_get, query_pairs};
use crate::respond::{self, EntraReply, ShapedReply};
use crate::state::AppState;

/// Form bodies larger than this are refused.
pub const MAX_FORM: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token_v2))
        .route("/{tenant}/oauth2/token", post(token_v1))
}

// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
async fn token_v2(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(tenant): P<String>,
    body: Bytes,
) -> Response {
    token(&state, &headers, &uri, &tenant, TokenEndpoint::V2, &body)
}

// https://learn.microsoft.com/previous-versions/azure/active-directory/azuread-dev/v1-oauth2-client-creds-grant-flow
async fn token_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(tenant): P<String>,
    body: Bytes,
) -> Response {
    token(&state, &headers, &uri, &tenant, TokenEndpoint::V1, &body)
}

fn token(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    tenant: &str,
    endpoint: TokenEndpoint,
    body: &[u8],
) -> Response {
    let q = query_pairs(uri);
    let request_id = client_request_id(headers)
        .or_else(|| query_get(&q, "client-request-id").map(str::to_owned));
    let trace = state.trace(request_id.as_deref());
    if body.len() > MAX_FORM {
        return ShapedReply::new(
            "entra",
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::json!({"error": "invalid_request", "error_description": "The request body is too large."}),
        )
        .into_response();
    }
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let dir = state.directory();
    let now = state.now();
    let outcome = TokenRequest::parse(
        tenant,
        endpoint,
        text(header::AUTHORIZATION),
        text(header::CONTENT_TYPE),
        body,
    )
    .and_then(|req| state.with_env(trace, |env| exchange(&req, &dir, env)));
    match outcome {
        Ok(grant) => {
            let body = match endpoint {
                TokenEndpoint::V2 => grant.to_v2_body(),
                TokenEndpoint::V1 => grant.to_v1_body(now),
            };
            let mut resp = respond::json(StatusCode::OK, &body);
            respond::token_headers(&mut resp, &trace);
            resp
        }
        Err(error) => EntraReply {
            error,
            trace,
            now,
            authority_host: "login.microsoftonline.com",
        }
        .into_response(),
    }
}
