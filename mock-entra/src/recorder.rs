//! The exchange log behind `GET /_mock/requests` and the SSE `/_mock/events`: the engine's
//! records (core's `Exchange`) in a bounded ring buffer with a broadcast channel, and the
//! middleware that logs failures the engine noted.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use entra_core::engine::{Exchange, Failure};
use tokio::sync::broadcast;

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

    /// Appends `ex`, numbering it.
    pub fn push(&self, mut ex: Exchange) {
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

/// Middleware: logs the failures the engine noted in the response extensions.
pub async fn log_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let resp = next.run(req).await;
    if let Some(e) = resp.extensions().get::<Failure>() {
        tracing::info!(%method, %uri, status = resp.status().as_u16(), surface = e.surface, error = %e.message, "request failed");
    }
    resp
}
