//! Unknown paths and methods answer in the shape of the surface the path belongs to; anything
//! else goes to the playground (SPA fallback to index.html) when one is served.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::recorder::NoRecord;
use crate::respond::ShapedReply;
use crate::state::AppState;

/// Which emulated surface a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Imds,
    AppService,
    Graph,
    Arm,
    Storage,
    Control,
    Entra,
    Other,
}

pub fn surface_of(path: &str, graph_prefix: &str) -> Surface {
    let lower = path.to_ascii_lowercase();
    let rest = match lower.strip_prefix("/hosts/") {
        Some(r) => r.find('/').map_or("", |i| &r[i..]).to_owned(),
        None => lower.clone(),
    };
    if rest.starts_with("/metadata") {
        Surface::Imds
    } else if rest.starts_with("/msi") {
        Surface::AppService
    } else if lower.starts_with("/v1.0")
        || lower.starts_with("/beta")
        || (!graph_prefix.is_empty() && lower.starts_with(&graph_prefix.to_ascii_lowercase()))
    {
        Surface::Graph
    } else if lower.starts_with("/subscriptions")
        || lower.starts_with("/providers")
        || lower.starts_with("/tenants")
    {
        Surface::Arm
    } else if lower.starts_with("/blob/") {
        Surface::Storage
    } else if lower.starts_with("/_mock") {
        Surface::Control
    } else {
        let segs: Vec<&str> = lower.split('/').collect();
        let entra = segs.get(2).is_some_and(|s| {
            matches!(
                *s,
                "oauth2" | "discovery" | "v2.0" | ".well-known" | "adminconsent"
            )
        });
        if entra {
            Surface::Entra
        } else {
            Surface::Other
        }
    }
}

/// The not-found (or method-not-allowed) answer of `surface`.
pub fn not_found(surface: Surface, status: StatusCode, path: &str, method: &Method) -> ShapedReply {
    let body = match surface {
        Surface::Imds | Surface::AppService => {
            json!({"error": "invalid_request", "error_description": format!("The requested path {path} was not found.")})
        }
        Surface::Graph => {
            json!({"error": {"code": "BadRequest", "message": format!("Resource not found for the segment '{}'.", path.rsplit('/').next().unwrap_or_default()), "innerError": {}}})
        }
        Surface::Arm => {
            json!({"error": {"code": "InvalidResourceType", "message": format!("The resource type could not be found for the path '{path}'.")}})
        }
        Surface::Storage => {
            json!({"error": {"code": "ResourceNotFound", "message": "The specified resource does not exist."}})
        }
        Surface::Control => {
            json!({"error": {"code": "NotFound", "message": format!("{method} {path} is not part of the control API.")}})
        }
        Surface::Entra | Surface::Other => {
            json!({"error": "invalid_request", "error_description": format!("{method} {path} is not an endpoint of this server.")})
        }
    };
    ShapedReply::new("routing", status, body)
}

/// Router fallback.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let surface = surface_of(&path, state.graph_prefix());
    if surface == Surface::Other
        && matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(dir) = state.playground_dir()
    {
        let index = dir.join("index.html");
        let serve = ServeDir::new(dir).fallback(ServeFile::new(index));
        let (parts, _) = req.into_parts();
        let req = Request::from_parts(parts, Body::empty());
        return match serve.oneshot(req).await {
            Ok(resp) => {
                let mut resp = resp.map(Body::new);
                resp.extensions_mut().insert(NoRecord);
                resp
            }
            Err(never) => match never {},
        };
    }
    not_found(surface, StatusCode::NOT_FOUND, &path, req.method()).into_response()
}

/// Router method-not-allowed fallback.
pub async fn method_not_allowed(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let surface = surface_of(&path, state.graph_prefix());
    not_found(surface, StatusCode::METHOD_NOT_ALLOWED, &path, req.method()).into_response()
}
