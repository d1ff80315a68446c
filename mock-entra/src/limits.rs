//! Exposure (issue 7 item 5): who may call the control API, when a listener deserves a warning,
//! and how large a request may be. Oversized requests are answered in the shape of the surface
//! the path belongs to, never with hyper's or axum's plain text.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use entra_core::graph_error::{GraphError, GraphRequestId};
use entra_core::resource::{RequestId, StorageError};
use serde_json::json;

use crate::respond::{self, ShapedReply};
use crate::routes::fallback::{Surface, surface_of};
use crate::state::AppState;

/// The largest request body any surface accepts (a scenario PUT is the largest real one).
pub const MAX_BODY: usize = 1024 * 1024;
/// At most this many request headers.
pub const MAX_HEADERS: usize = 100;
/// At most this many bytes of header names and values together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// hyper's own caps, set above ours so the shaped answer normally wins; beyond them hyper
/// refuses the connection's request itself (431 without a body).
pub const HYPER_MAX_HEADERS: usize = 2 * MAX_HEADERS;
pub const HYPER_MAX_BUF: usize = 4 * MAX_HEADER_BYTES;

/// Whether the control API serves this caller: loopback only (IPv4-mapped loopback included).
/// A request without a peer address never came through a listener (in-process `oneshot`
/// tests), so it is served.
pub fn control_caller_allowed(peer: Option<SocketAddr>) -> bool {
    peer.is_none_or(|p| p.ip().to_canonical().is_loopback())
}

/// Whether a listener on `addr` is reachable from other machines (the wildcard address
/// included), which deserves a warning at start.
pub fn beyond_loopback(addr: SocketAddr) -> bool {
    !addr.ip().to_canonical().is_loopback()
}

/// What was too large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excess {
    Body,
    Headers,
}

impl Excess {
    fn status(self) -> StatusCode {
        match self {
            Excess::Body => StatusCode::PAYLOAD_TOO_LARGE,
            Excess::Headers => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        }
    }

    fn message(self) -> String {
        match self {
            Excess::Body => format!("The request body is larger than {MAX_BODY} bytes."),
            Excess::Headers => format!(
                "The request has more than {MAX_HEADERS} headers or more than {MAX_HEADER_BYTES} bytes of headers."
            ),
        }
    }
}

/// Whether the headers exceed [`MAX_HEADERS`] or [`MAX_HEADER_BYTES`].
pub fn headers_exceed(headers: &HeaderMap) -> bool {
    let bytes: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.as_bytes().len())
        .sum();
    headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES
}

/// The answer to an oversized request, in the shape of `surface`.
///
/// UNCONFIRMED: the references record no oversized-request answer for any surface; each body
/// below is the surface's ordinary error envelope with a plain code (Storage's
/// `RequestBodyTooLarge` is its documented error code for 413).
pub fn too_large(state: &AppState, surface: Surface, excess: Excess) -> Response {
    let status = excess.status();
    let message = excess.message();
    let body = match surface {
        Surface::Imds => json!({"error": "bad_request", "error_description": message}),
        Surface::AppService => json!({
            "statusCode": status.as_u16(),
            "message": message,
            "correlationId": state.guid().to_string(),
        }),
        Surface::Graph => {
            let code = match excess {
                Excess::Body => "RequestEntityTooLarge",
                Excess::Headers => "BadRequest",
            };
            json!(
                GraphError::new(status.as_u16(), code, message.clone()).to_body(
                    GraphRequestId(state.guid()),
                    None,
                    state.now()
                )
            )
        }
        Surface::Arm => json!({"error": {
            "code": match excess { Excess::Body => "RequestEntityTooLarge", Excess::Headers => "RequestHeaderFieldsTooLarge" },
            "message": message,
        }}),
        Surface::Storage => {
            let e = StorageError {
                status: status.as_u16(),
                code: match excess {
                    Excess::Body => "RequestBodyTooLarge",
                    Excess::Headers => "InvalidHeaderValue",
                },
                message: match excess {
                    Excess::Body => {
                        "The request body is too large and exceeds the maximum permissible limit."
                    }
                    Excess::Headers => {
                        "The value for one of the HTTP headers is not in the correct format."
                    }
                },
                authentication_error_detail: None,
                www_authenticate: None,
            };
            let request_id = RequestId(state.guid());
            let mut resp = respond::raw(
                status,
                "application/xml",
                e.to_xml(request_id, state.now()).into_bytes(),
            );
            respond::set_header(&mut resp, "x-ms-request-id", &request_id.to_string());
            resp.extensions_mut().insert(respond::ReplyError {
                surface: "limits",
                message,
            });
            return resp;
        }
        Surface::Control => {
            return respond::control_error(
                status,
                match excess {
                    Excess::Body => "PayloadTooLarge",
                    Excess::Headers => "HeadersTooLarge",
                },
                &message,
            )
            .into_response();
        }
        Surface::Entra | Surface::Other => {
            json!({"error": "invalid_request", "error_description": message})
        }
    };
    ShapedReply::new("limits", status, body).into_response()
}

/// Middleware (outermost): bounds headers and body, buffering the body so no extractor ever
/// meets an oversized one.
pub async fn bound_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let surface = surface_of(req.uri().path(), state.graph_prefix());
    if headers_exceed(req.headers()) {
        return too_large(&state, surface, Excess::Headers);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large(&state, surface, Excess::Body);
    }
    let (parts, body) = req.into_parts();
    // A failure here is either the limit or a broken connection; the latter never reads the
    // answer, so both get the 413.
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return too_large(&state, surface, Excess::Body);
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    //! Unit tests of the exposure guards.
    use super::*;
    use axum::http::HeaderName;

    #[test]
    fn only_loopback_peers_reach_the_control_api() {
        for allowed in ["127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"] {
            assert!(
                control_caller_allowed(Some(allowed.parse().unwrap())),
                "{allowed}"
            );
        }
        for refused in [
            "192.0.2.2:5000",
            "10.0.0.1:1",
            "[2001:db8::1]:5000",
            "0.0.0.0:1",
        ] {
            assert!(
                !control_caller_allowed(Some(refused.parse().unwrap())),
                "{refused}"
            );
        }
    }

    #[test]
    fn wildcard_and_public_binds_are_beyond_loopback() {
        assert!(beyond_loopback("0.0.0.0:8080".parse().unwrap()));
        assert!(beyond_loopback("[::]:8080".parse().unwrap()));
        assert!(beyond_loopback("192.0.2.2:8080".parse().unwrap()));
        assert!(!beyond_loopback("127.0.0.1:8080".parse().unwrap()));
        assert!(!beyond_loopback("[::1]:8443".parse().unwrap()));
    }

    #[test]
    fn header_limits_count_both_number_and_bytes() {
        let mut h = HeaderMap::new();
        for i in 0..MAX_HEADERS {
            h.insert(
                HeaderName::try_from(format!("x-h{i}")).unwrap(),
                "v".parse().unwrap(),
            );
        }
        assert!(!headers_exceed(&h));
        h.insert("x-one-more", "v".parse().unwrap());
        assert!(headers_exceed(&h));
        let mut big = HeaderMap::new();
        big.insert("cookie", "a".repeat(MAX_HEADER_BYTES).parse().unwrap());
        assert!(headers_exceed(&big));
    }
}
