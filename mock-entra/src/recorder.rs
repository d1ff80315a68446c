//! The exchange log behind `GET /_mock/requests` and the SSE `/_mock/events`: every request and
//! response with bodies, in a bounded ring buffer. Faults are applied here too, so injected
//! failures show up in the inspector like real ones.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::respond::ShapedReply;
use crate::state::AppState;

/// The largest request body any route accepts (the scenario document); larger gets 413.
pub const MAX_BODY: usize = crate::limits::MAX_BODY;
/// Response bodies kept in the log are cut here.
const MAX_LOGGED_BODY: usize = 256 * 1024;

/// One request/response pair.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub id: u64,
    pub time: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    pub duration_ms: f64,
}

/// A bounded log of exchanges plus a broadcast channel for live subscribers.
#[derive(Debug)]
pub struct ExchangeLog {
    capacity: usize,
    next_id: AtomicU64,
    items: Mutex<VecDeque<Arc<Exchange>>>,
    events: broadcast::Sender<Arc<Exchange>>,
}

impl ExchangeLog {
    pub fn new(capacity: usize) -> Self {
        let (events, _) = broadcast::channel(256);
        ExchangeLog {
            capacity,
            next_id: AtomicU64::new(1),
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            events,
        }
    }

    fn push(&self, mut ex: Exchange) {
        ex.id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let ex = Arc::new(ex);
        {
            let mut items = match self.items.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if items.len() == self.capacity {
                items.pop_front();
            }
            items.push_back(ex.clone());
        }
        let _ = self.events.send(ex);
    }

    /// Exchanges with an id above `since`.
    pub fn since(&self, since: u64) -> Vec<Arc<Exchange>> {
        let items = match self.items.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        items.iter().filter(|e| e.id > since).cloned().collect()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Exchange>> {
        self.events.subscribe()
    }
}

/// Marks a response that must not be logged (static playground files).
#[derive(Debug, Clone, Copy)]
pub struct NoRecord;

fn headers_of(h: &HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn text_of(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_LOGGED_BODY)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Middleware: buffers the request (bounded), applies faults, runs the route, records the
/// exchange. The control API itself is neither faulted nor recorded.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_mock") {
        return next.run(req).await;
    }
    let started = Instant::now();
    let time = state.now().rfc3339();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ShapedReply::new(
            "limits",
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::json!({"error": "invalid_request", "error_description": "The request body is too large."}),
        )
        .into_response();
    };
    let method = parts.method.to_string();
    let url = parts.uri.to_string();
    let request_headers = headers_of(&parts.headers);
    let request_body = text_of(&bytes);

    let fault = state.faults().take(&path);
    let resp = match fault {
        Some(f) => {
            if f.latency_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(f.latency_ms)).await;
            }
            match f.status {
                Some(code) => {
                    let mut reply = ShapedReply::new(
                        "fault",
                        crate::respond::status(code),
                        serde_json::json!({"error": "temporarily_unavailable", "error_description": format!("Injected fault: HTTP {code}.")}),
                    );
                    if let Some(secs) = f.retry_after {
                        reply = reply.header("retry-after", secs.to_string());
                    }
                    reply.into_response()
                }
                None => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
            }
        }
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    };

    if resp.extensions().get::<NoRecord>().is_some() {
        return resp;
    }
    let (rparts, rbody) = resp.into_parts();
    let rbytes = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    state.exchanges().push(Exchange {
        id: 0,
        time,
        method,
        url,
        request_headers,
        request_body,
        status: rparts.status.as_u16(),
        response_headers: headers_of(&rparts.headers),
        response_body: text_of(&rbytes),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    });
    Response::from_parts(rparts, Body::from(rbytes))
}

/// Middleware: logs errors handlers left in the response extensions.
pub async fn log_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let resp = next.run(req).await;
    if let Some(e) = resp.extensions().get::<crate::respond::ReplyError>() {
        tracing::info!(%method, %uri, status = resp.status().as_u16(), surface = e.surface, error = %e.message, "request failed");
    }
    resp
}
