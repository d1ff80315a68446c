//! Exposure: the control API serves loopback peers only (`ConnectInfo` on both listeners), a
//! listener beyond loopback logs a warning at start, and request bodies and headers are bounded.
//! Over a limit, the engine renders the answer in the shape of the surface the path belongs to.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use entra_core::engine::Limit;

pub use entra_core::engine::shapes::{MAX_BODY, MAX_HEADER_BYTES, MAX_HEADERS};

use crate::state::AppState;

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

/// Whether the headers exceed [`MAX_HEADERS`] or [`MAX_HEADER_BYTES`].
pub fn headers_exceed(headers: &HeaderMap) -> bool {
    let bytes: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.as_bytes().len())
        .sum();
    headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES
}

/// The engine's answer to a request over `limit`, as an axum response.
fn over(state: &AppState, path: &str, limit: Limit) -> Response {
    state
        .engine()
        .over_limit(path, limit, state.context())
        .map(Body::from)
}

/// Middleware (outermost): bounds headers and body, buffering the body so no extractor ever
/// meets an oversized one.
pub async fn bound_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if headers_exceed(req.headers()) {
        return over(&state, &path, Limit::Headers);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return over(&state, &path, Limit::Body);
    }
    let (parts, body) = req.into_parts();
    // A failure here is either the limit or a broken connection; the latter never reads the
    // answer, so both get the 413.
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return over(&state, &path, Limit::Body);
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
