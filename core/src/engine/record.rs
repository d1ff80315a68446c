//! The exchange record the inspector shows (`GET /_mock/requests`, the SSE stream, the
//! playground): one request and its answer. Declared once, here, for the server and the page.

use serde::{Deserialize, Serialize};

use super::{Request, Response};

/// Bodies kept in a record are cut here.
pub const MAX_RECORDED_BODY: usize = 256 * 1024;

/// One request/response pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// Position in the shell's log (assigned by the log).
    pub id: u64,
    #[serde(default)]
    pub time: String,
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
    #[serde(default)]
    pub request_body: String,
    pub status: u16,
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    #[serde(default)]
    pub response_body: String,
    /// Measured by the shell (wall time, injected latency included).
    #[serde(default)]
    pub duration_ms: f64,
}

fn headers_of(h: &http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| (n.as_str().to_owned(), text(v.as_bytes())))
        .collect()
}

/// `bytes` as text, invalid UTF-8 replaced. Headers and bodies are nearly always UTF-8: the
/// plain check is several times faster than the lossy scan, which only runs for the rest (every
/// exchange is recorded, so this is on the hot path).
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn text_of(bytes: &[u8]) -> String {
    text(&bytes[..bytes.len().min(MAX_RECORDED_BODY)])
}

impl Exchange {
    /// The record of `req` answered by `resp` at `time` (RFC 3339).
    pub fn of(req: &Request, resp: &Response, time: String) -> Self {
        Exchange {
            id: 0,
            time,
            method: req.method().to_string(),
            url: req.uri().to_string(),
            request_headers: headers_of(req.headers()),
            request_body: text_of(req.body()),
            status: resp.status().as_u16(),
            response_headers: headers_of(resp.headers()),
            response_body: text_of(resp.body()),
            duration_ms: 0.0,
        }
    }
}
