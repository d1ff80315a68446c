//! Routers, one per emulated surface, each next to its handlers.

pub mod consent;
pub mod control;
pub mod fallback;
pub mod graph;
pub mod managed_identity;
pub mod oidc;
pub mod resources;
pub mod token;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};

use crate::state::Scheme;

/// The origin the client used (`https://localhost:8443`), from the listener's scheme and the
/// `Host` header, so documents carry exactly what the client sent (sdk-compat 0.3.6).
#[derive(Debug, Clone)]
pub struct Origin {
    pub base_url: String,
    pub host: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let scheme = match parts.extensions.get::<Scheme>() {
            Some(Scheme::Https) => "https",
            _ => "http",
        };
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
            .unwrap_or_else(|| "localhost".to_owned());
        Ok(Origin {
            base_url: format!("{scheme}://{host}"),
            host,
        })
    }
}

/// The `client-request-id` a client sent (header or query), which Entra echoes as correlation id.
pub fn client_request_id(parts_headers: &HeaderMap) -> Option<String> {
    parts_headers
        .get("client-request-id")
        .or_else(|| parts_headers.get("x-ms-client-request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Query parameters as (name, value) pairs; never rejects.
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `Path` whose rejection (undecodable segment) answers in JSON instead of axum's plain text.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(BadPath))]
pub struct P<T>(pub T);

/// A path segment that could not be decoded.
#[derive(Debug)]
pub struct BadPath(String);

impl From<axum::extract::rejection::PathRejection> for BadPath {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        BadPath(r.body_text())
    }
}

impl axum::response::IntoResponse for BadPath {
    fn into_response(self) -> axum::response::Response {
        crate::respond::ShapedReply::new(
            "path",
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "invalid_request", "error_description": self.0}),
        )
        .into_response()
    }
}
