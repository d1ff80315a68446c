//! Building `http::Response`s: status, content type, headers, and the [`Failure`] note a shell
//! logs. Bodies themselves come from each surface's table or core's renderers.

use http::{HeaderName, HeaderValue, StatusCode, header};
use serde::Serialize;

use super::Response;
use crate::ids::TraceIds;

pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Rides in a failed response's extensions so the shell can log why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub surface: &'static str,
    pub message: String,
}

pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A body with a content type.
pub(crate) fn raw(status: StatusCode, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(bytes);
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// `body` as JSON with Entra's content type.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw(status, JSON_UTF8, bytes)
}

/// A status without a body.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut resp = Response::new(Vec::new());
    *resp.status_mut() = status;
    resp
}

/// A JSON error of `surface`, noted for the shell's log.
pub(crate) fn failure<T: Serialize + ?Sized>(
    surface: &'static str,
    status: StatusCode,
    body: &T,
) -> Response {
    let mut resp = json(status, body);
    let message = String::from_utf8_lossy(resp.body()).into_owned();
    resp.extensions_mut().insert(Failure { surface, message });
    resp
}

pub(crate) fn set_header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Headers Entra puts on token-endpoint answers (reference D.2).
pub(crate) fn token_headers(resp: &mut Response, trace: &TraceIds) {
    set_header(resp, "cache-control", "no-store, no-cache");
    set_header(resp, "pragma", "no-cache");
    set_header(resp, "expires", "-1");
    set_header(resp, "x-ms-request-id", &trace.trace_id.to_string());
    set_header(resp, "client-request-id", &trace.correlation_id.to_string());
    set_header(resp, "x-ms-ests-server", "2.1.mock-entra");
}

/// Headers of discovery documents and JWKS (reference C.1).
pub(crate) fn discovery_headers(resp: &mut Response, trace: &TraceIds) {
    set_header(resp, "cache-control", "max-age=86400, private");
    set_header(resp, "access-control-allow-origin", "*");
    set_header(resp, "access-control-allow-methods", "GET, OPTIONS");
    set_header(resp, "x-ms-request-id", &trace.trace_id.to_string());
    set_header(resp, "x-ms-ests-server", "2.1.mock-entra");
}
