//! mock-entra: a local Microsoft Entra ID and managed-identity endpoint that real, unmodified
//! Azure SDKs cannot tell from Azure.
//!
//! This crate is the IO shell around `entra_core::engine::Engine`, which decides and renders
//! every answer: listeners and TLS, the real clock and RNG, the state file, the request log and
//! its SSE stream, the playground's files, loopback guards and size limits. [`app`] builds the
//! router (tests can drive it with `oneshot`); [`MockEntra::start`] binds the listeners.

pub mod config;
pub mod doctor;
pub mod embedded;
pub mod fetch;
pub mod limits;
pub mod normalize;
pub mod persist;
pub mod pki;
pub mod recorder;
pub mod server;
pub mod shell;
pub mod signer;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::{Config, IssuerModeArg, ScenarioSource};
pub use server::{MockEntra, Running, StartError};
pub use state::{AppState, Clock, IdSource, ManualClock, RandomIds, SequentialIds, SystemClock};

/// How long any request may take (fault latency included).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The whole application: the shell's own routes (the request log, its SSE stream, key
/// rotation), the engine behind the fallback, and the layers (size limits, error logging,
/// tracing, timeouts).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/_mock/requests", any(shell::requests))
        .route("/_mock/events", any(shell::events))
        .route("/_mock/keys/rotate", any(shell::rotate_keys))
        .route(
            "/_mock/issuers/{name}/keys/rotate",
            any(shell::rotate_issuer_key),
        )
        .fallback(shell::handle)
        .layer(axum::middleware::from_fn(recorder::log_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bound_request,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
