//! The control API under `/_mock` (loopback callers only, even when the server listens wider):
//! scenario round-trip, reset, key rotation, faults, clock offset, the exchange log and its SSE
//! stream, health.

use std::convert::Infallible;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;

use super::{query_get, query_pairs};
use crate::config::{parse_scenario, render_scenario};
use crate::faults::Fault;
use crate::respond::{self, JSON_UTF8, control_error};
use crate::state::{AppState, peer};

/// Rotated-out keys stay published this long.
const KEY_GRACE_SECS: i64 = 24 * 3600;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/_mock/health", get(health))
        .route("/_mock/scenario", get(get_scenario).put(put_scenario))
        .route("/_mock/reset", post(reset))
        .route("/_mock/keys/rotate", post(rotate_keys))
        .route(
            "/_mock/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_mock/clock", get(get_clock).post(set_clock))
        .route("/_mock/requests", get(requests))
        .route("/_mock/events", get(events))
        .route_layer(middleware::from_fn_with_state(state, loopback_only))
}

/// Refuses callers that are not on this machine (issue 7 item 5).
async fn loopback_only(State(_state): State<AppState>, req: Request, next: Next) -> Response {
    if !crate::limits::control_caller_allowed(peer(req.extensions())) {
        return control_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The control API accepts loopback callers only.",
        )
        .into_response();
    }
    next.run(req).await
}

async fn health(State(state): State<AppState>) -> Response {
    let keys = state.keys();
    respond::json(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "now": state.now().rfc3339(),
            "clockOffsetSeconds": state.clock_offset(),
            "keys": keys.published().iter().map(|k| k.kid().as_str().to_owned()).collect::<Vec<_>>(),
            "tenants": state.directory().tenants.len(),
        }),
    )
}

async fn get_scenario(State(state): State<AppState>) -> Response {
    respond::raw(
        StatusCode::OK,
        JSON_UTF8,
        render_scenario(&state.directory()),
    )
}

async fn put_scenario(State(state): State<AppState>, body: Bytes) -> Response {
    match parse_scenario(&body) {
        Ok(dir) => {
            state.replace_directory(dir);
            respond::raw(
                StatusCode::OK,
                JSON_UTF8,
                render_scenario(&state.directory()),
            )
        }
        Err(e) => control_error(StatusCode::BAD_REQUEST, "InvalidScenario", &e.to_string())
            .into_response(),
    }
}

async fn reset(State(state): State<AppState>) -> Response {
    let start = (*state.start_directory()).clone();
    state.replace_directory(start);
    state.faults().clear();
    state.set_clock_offset(0);
    respond::raw(
        StatusCode::OK,
        JSON_UTF8,
        render_scenario(&state.directory()),
    )
}

async fn rotate_keys(State(state): State<AppState>) -> Response {
    let _guard = state.inner().rotate_lock.lock().await;
    let dir = state.data_dir().to_owned();
    let generated = tokio::task::spawn_blocking(move || crate::pki::rotate_signing_key(&dir)).await;
    let key = match generated {
        Ok(Ok(k)) => k,
        Ok(Err(e)) => {
            return control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "KeyGenerationFailed",
                &e.0,
            )
            .into_response();
        }
        Err(e) => {
            return control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "KeyGenerationFailed",
                &e.to_string(),
            )
            .into_response();
        }
    };
    let now = state.now();
    let mut keys = (*state.keys()).clone();
    keys.prune(now);
    let kid = key.published.kid().as_str().to_owned();
    keys.rotate(key.signer, key.published, now, KEY_GRACE_SECS);
    state.set_keys(keys);
    let published: Vec<String> = state
        .keys()
        .published()
        .iter()
        .map(|k| k.kid().as_str().to_owned())
        .collect();
    respond::json(StatusCode::OK, &json!({"kid": kid, "published": published}))
}

async fn list_faults(State(state): State<AppState>) -> Response {
    let list = state.faults().list().to_vec();
    respond::json(StatusCode::OK, &list)
}

async fn add_fault(State(state): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(f) => {
            let list = {
                let mut faults = state.faults();
                faults.add(f);
                faults.list().to_vec()
            };
            respond::json(StatusCode::CREATED, &list)
        }
        Err(e) => {
            control_error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()).into_response()
        }
    }
}

async fn clear_faults(State(state): State<AppState>) -> Response {
    state.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockBody {
    offset_seconds: i64,
}

async fn get_clock(State(state): State<AppState>) -> Response {
    respond::json(
        StatusCode::OK,
        &json!({"offsetSeconds": state.clock_offset(), "now": state.now().secs()}),
    )
}

async fn set_clock(State(state): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<ClockBody>(&body) {
        Ok(c) => {
            state.set_clock_offset(c.offset_seconds);
            get_clock(State(state)).await
        }
        Err(e) => {
            control_error(StatusCode::BAD_REQUEST, "InvalidClock", &e.to_string()).into_response()
        }
    }
}

async fn requests(State(state): State<AppState>, uri: Uri) -> Response {
    let q = query_pairs(&uri);
    let since = query_get(&q, "since")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0u64);
    let items = state.exchanges().since(since);
    let items: Vec<&crate::recorder::Exchange> = items.iter().map(|e| &**e).collect();
    respond::json(StatusCode::OK, &items)
}

async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream =
        BroadcastStream::new(state.exchanges().subscribe()).filter_map(|item| async move {
            let ex = item.ok()?;
            let event = Event::default()
                .event("exchange")
                .id(ex.id.to_string())
                .json_data(&*ex)
                .ok()?;
            Some(Ok(event))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
