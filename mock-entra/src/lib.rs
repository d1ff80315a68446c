//! mock-entra: a local Microsoft Entra ID and managed-identity endpoint that real, unmodified
//! Azure SDKs cannot tell from Azure.
//!
//! Every protocol decision and body comes from `entra-core`; this crate parses requests, calls
//! core and renders. [`app`] builds the router (tests can drive it with `oneshot`);
//! [`MockEntra::start`] binds the HTTP and HTTPS listeners.

pub mod config;
pub mod doctor;
pub mod embedded;
pub mod faults;
pub mod limits;
pub mod normalize;
pub mod persist;
pub mod pki;
pub mod recorder;
pub mod respond;
pub mod routes;
pub mod server;
pub mod signer;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::{Config, IssuerModeArg, ScenarioSource};
pub use server::{MockEntra, Running, StartError};
pub use state::{AppState, Clock, IdSource, ManualClock, RandomIds, SequentialIds, SystemClock};

/// How long any request may take (fault latency included).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The whole application: every surface, the control API, the playground fallback, and the
/// layers (exchange recording and faults, error logging, tracing, timeouts).
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(routes::oidc::router())
        .merge(routes::token::router())
        .merge(routes::consent::router())
        .merge(routes::managed_identity::router())
        .merge(routes::resources::router())
        .merge(routes::graph::router(state.graph_prefix()))
        .merge(routes::control::router(state.clone()))
        .fallback(routes::fallback::fallback)
        .method_not_allowed_fallback(routes::fallback::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            recorder::record,
        ))
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
