//! Rendering: local reply newtypes whose `IntoResponse` only picks the status and serialises the
//! body core (or the surface's envelope) defines. Errors also ride in the response extensions as
//! [`ReplyError`] so one middleware logs them (no side effects in conversions).

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entra_core::error::EntraError;
use entra_core::ids::TraceIds;
use entra_core::time::UnixTime;
use serde::Serialize;

pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// An error a handler produced, for the logging middleware.
#[derive(Debug, Clone)]
pub struct ReplyError {
    pub surface: &'static str,
    pub message: String,
}

/// Serialises `body` as JSON with Entra's content type.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw(status, JSON_UTF8, bytes)
}

/// A body with a content type.
pub fn raw(status: StatusCode, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn set_header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Headers Entra puts on token-endpoint answers (reference D.2).
pub fn token_headers(resp: &mut Response, trace: &TraceIds) {
    set_header(resp, "cache-control", "no-store, no-cache");
    set_header(resp, "pragma", "no-cache");
    set_header(resp, "expires", "-1");
    set_header(resp, "x-ms-request-id", &trace.trace_id.to_string());
    set_header(resp, "client-request-id", &trace.correlation_id.to_string());
    set_header(resp, "x-ms-ests-server", "2.1.mock-entra");
}

/// Headers of discovery documents and JWKS (reference C.1).
pub fn discovery_headers(resp: &mut Response, trace: &TraceIds) {
    set_header(resp, "cache-control", "max-age=86400, private");
    set_header(resp, "access-control-allow-origin", "*");
    set_header(resp, "access-control-allow-methods", "GET, OPTIONS");
    set_header(resp, "x-ms-request-id", &trace.trace_id.to_string());
    set_header(resp, "x-ms-ests-server", "2.1.mock-entra");
}

/// An Entra error rendered with core's envelope (`EntraError::to_body`).
#[derive(Debug)]
pub struct EntraReply {
    pub error: EntraError,
    pub trace: TraceIds,
    pub now: UnixTime,
    pub authority_host: &'static str,
}

impl IntoResponse for EntraReply {
    fn into_response(self) -> Response {
        let body = self
            .error
            .to_body(self.trace, self.now, self.authority_host);
        let mut resp = json(status(self.error.http_status()), &body);
        token_headers(&mut resp, &self.trace);
        resp.extensions_mut().insert(ReplyError {
            surface: "entra",
            message: self.error.message(),
        });
        resp
    }
}

/// A surface-shaped error whose body is already built (IMDS, App Service, Graph, ARM, control).
#[derive(Debug)]
pub struct ShapedReply {
    pub surface: &'static str,
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub headers: Vec<(&'static str, String)>,
}

impl ShapedReply {
    pub fn new(surface: &'static str, status: StatusCode, body: serde_json::Value) -> Self {
        ShapedReply {
            surface,
            status,
            body,
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for ShapedReply {
    fn into_response(self) -> Response {
        let mut resp = json(self.status, &self.body);
        for (n, v) in &self.headers {
            set_header(&mut resp, n, v);
        }
        resp.extensions_mut().insert(ReplyError {
            surface: self.surface,
            message: self.body.to_string(),
        });
        resp
    }
}

/// The control API's own error shape.
pub fn control_error(status: StatusCode, code: &str, message: &str) -> ShapedReply {
    ShapedReply::new(
        "control",
        status,
        serde_json::json!({"error": {"code": code, "message": message}}),
    )
}
