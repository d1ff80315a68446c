//! The one adapter between HTTP and the engine: every request that is not the shell's own
//! (the request log, its SSE stream, key rotation, the playground's files) goes to
//! `Engine::handle` as an `http::Request` with its body, and the engine's answer goes back out
//! after the shell carries out its effects (persist the directory, delay) and logs its record.

use std::convert::Infallible;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use entra_core::engine::{Effect, RoutingError, Surface, surface_of};
use futures_util::{Stream, StreamExt as _};
use tokio_stream::wrappers::BroadcastStream;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::limits::{MAX_BODY, control_caller_allowed};
use crate::state::{AppState, peer};

/// The engine's response as an axum response.
pub fn into_axum(resp: entra_core::engine::Response) -> Response {
    resp.map(Body::from)
}

/// The query parameter `name` of a shell route, when present and a number.
fn query_number<T: std::str::FromStr>(req: &Request, name: &str) -> Option<T> {
    let query = req.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// The control API refuses callers from other machines (issue 7 item 5).
fn control_refused(state: &AppState, req: &Request) -> Option<Response> {
    (req.uri().path().starts_with("/_mock") && !control_caller_allowed(peer(req.extensions())))
        .then(|| into_axum(state.engine().control_forbidden()))
}

/// The control API's 405 for a shell route called with another method.
fn not_allowed(state: &AppState, req: &Request) -> Response {
    into_axum(state.engine().refuse(
        req.uri().path(),
        req.method().as_str(),
        RoutingError::MethodNotAllowed,
        state.context(),
    ))
}

/// The router's fallback: everything the engine answers, plus the playground's files.
pub async fn handle(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = control_refused(&state, &req) {
        return refused;
    }
    let path = req.uri().path().to_owned();
    if matches!(*req.method(), Method::GET | Method::HEAD)
        && surface_of(&path, state.graph_prefix()) == Surface::Other
        && !path.starts_with(entra_core::issuers::ISSUER_PATH_PREFIX)
        && let Some(dir) = state.playground_dir()
    {
        let index = dir.join("index.html");
        let serve = ServeDir::new(dir).fallback(ServeFile::new(index));
        let (parts, _) = req.into_parts();
        return match serve
            .oneshot(Request::from_parts(parts, Body::empty()))
            .await
        {
            Ok(resp) => resp.map(Body::new),
            Err(never) => match never {},
        };
    }
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    // The limits layer already bounded the body; a failure here is a broken connection.
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let req = http::Request::from_parts(parts, bytes.to_vec());
    let mut outcome = state.engine().handle(&req, state.context());
    let fetch = outcome.effects.iter().find_map(|e| match e {
        Effect::FetchIssuerKeys(f) => Some(f.clone()),
        _ => None,
    });
    if let Some(fetch) = fetch {
        // The answer depends on a real issuer's keys: fetch them and ask once more (a second
        // request for keys is not followed: the engine's answer then stands).
        crate::fetch::fetch_issuer_keys(&state, fetch).await;
        let again = state.engine().handle(&req, state.context());
        let mut effects = std::mem::take(&mut outcome.effects);
        effects.extend(again.effects);
        outcome = entra_core::engine::Outcome { effects, ..again };
    }
    let mut new_issuers = false;
    for effect in &outcome.effects {
        match effect {
            // Durable acknowledged writes: the answer leaves only once the state file holds
            // this write (issue 13 item 3).
            Effect::Persist {
                generation,
                directory,
            } => {
                if let Some(w) = state.writer() {
                    w.schedule(*generation, directory.clone());
                    w.written(*generation).await;
                }
                new_issuers |= !directory.external_issuers.is_empty();
            }
            Effect::Delay { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(*millis)).await;
            }
            Effect::FetchIssuerKeys(_) => {}
        }
    }
    if new_issuers {
        ensure_issuer_keys(&state).await;
    }
    if let Some(mut record) = outcome.record {
        record.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        state.exchanges().push(record);
    }
    into_axum(outcome.response)
}

/// `POST /_mock/keys/rotate`: the shell generates the key (RSA key generation is slow and
/// random), the engine installs it and answers.
pub async fn rotate_keys(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = control_refused(&state, &req) {
        return refused;
    }
    if req.method() != Method::POST {
        return not_allowed(&state, &req);
    }
    let _guard = state.rotate_lock().lock().await;
    let dir = state.data_dir().to_owned();
    let generated = tokio::task::spawn_blocking(move || crate::pki::rotate_signing_key(&dir))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.0));
    match generated {
        Ok(key) => into_axum(
            state
                .engine()
                .rotate_keys(key.signer, key.published, state.wall_clock())
                .response,
        ),
        Err(e) => into_axum(state.engine().key_generation_failed(&e)),
    }
}

/// Gives every emulated external issuer of the live directory a signing key (generated once and
/// kept in the data directory; key generation is the shell's, the engine installs).
pub async fn ensure_issuer_keys(state: &AppState) {
    for name in state.engine().issuers_without_keys() {
        let dir = state.data_dir().to_owned();
        let n = name.clone();
        let key =
            tokio::task::spawn_blocking(move || crate::pki::load_or_create_issuer_key(&dir, &n))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.0));
        match key {
            Ok(key) => state
                .engine()
                .install_issuer_key(&name, key.signer, key.published),
            Err(e) => tracing::warn!(issuer = %name, error = %e, "no key for the emulated issuer"),
        }
    }
}

/// `POST /_mock/issuers/{name}/keys/rotate[?graceSeconds=N]`: a new key for an emulated
/// issuer. Without `graceSeconds` the old key is unpublished at once, as when a cluster is
/// recreated: tokens it signed then fail with AADSTS7000272.
pub async fn rotate_issuer_key(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    req: Request,
) -> Response {
    if let Some(refused) = control_refused(&state, &req) {
        return refused;
    }
    if req.method() != Method::POST {
        return not_allowed(&state, &req);
    }
    let grace: i64 = query_number(&req, "graceSeconds").unwrap_or(0);
    let _guard = state.rotate_lock().lock().await;
    let dir = state.data_dir().to_owned();
    let n = name.clone();
    let generated = tokio::task::spawn_blocking(move || crate::pki::rotate_issuer_key(&dir, &n))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.0));
    match generated {
        Ok(key) => into_axum(
            state
                .engine()
                .rotate_issuer_key(&name, key.signer, key.published, state.wall_clock(), grace)
                .response,
        ),
        Err(e) => into_axum(state.engine().key_generation_failed(&e)),
    }
}

/// `GET /_mock/requests?since=N`: the shell's exchange log.
pub async fn requests(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = control_refused(&state, &req) {
        return refused;
    }
    if req.method() != Method::GET {
        return not_allowed(&state, &req);
    }
    let since: u64 = query_number(&req, "since").unwrap_or(0);
    let items = state.exchanges().since(since);
    let items: Vec<&entra_core::engine::Exchange> = items.iter().map(|e| &**e).collect();
    axum::Json(items).into_response()
}

/// `GET /_mock/events`: the exchange log as server-sent events.
pub async fn events(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = control_refused(&state, &req) {
        return refused;
    }
    if req.method() != Method::GET {
        return not_allowed(&state, &req);
    }
    let stream: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> = Box::pin(
        BroadcastStream::new(state.exchanges().subscribe()).filter_map(|item| async move {
            let ex = item.ok()?;
            let event = Event::default()
                .event("exchange")
                .id(ex.id.to_string())
                .json_data(&*ex)
                .ok()?;
            Some(Ok(event))
        }),
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
