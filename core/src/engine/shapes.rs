//! Which surface a path belongs to, and each surface's answer to the requests no operation
//! takes: an unknown path (404), a method the path does not serve (405) and the shell's size
//! limits (413, 431). Every answer comes from that surface's own error table (`ImdsError`,
//! `AppServiceError`, `GraphError`, `ArmError`, `StorageError`, the control API's
//! [`ControlError`], and [`EndpointError`] for Entra's own host) and is rendered by that table's
//! one renderer.

use http::StatusCode;
use serde::Serialize;

use super::reply::{self, Failure};
use super::{Call, Response};
use crate::graph_error::{GraphError, GraphRequestId};
use crate::ids::CorrelationId;
use crate::managed_identity::app_service::AppServiceError;
use crate::managed_identity::imds::{self, ImdsError};
use crate::resource::{ArmError, RequestId, StorageError};

/// The largest request body any surface accepts (a scenario PUT is the largest real one).
pub const MAX_BODY: usize = 1024 * 1024;
/// At most this many request headers.
pub const MAX_HEADERS: usize = 100;
/// At most this many bytes of header names and values together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Which emulated surface a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    Imds,
    AppService,
    Graph,
    Arm,
    Storage,
    Control,
    Entra,
    /// Not an emulated surface (the playground's files live here).
    Other,
}

impl Surface {
    pub const ALL: [Surface; 8] = [
        Surface::Imds,
        Surface::AppService,
        Surface::Graph,
        Surface::Arm,
        Surface::Storage,
        Surface::Control,
        Surface::Entra,
        Surface::Other,
    ];
}

/// The surface of `path` (`graph_prefix`: the extra Graph prefix, e.g. `/graph`).
pub fn surface_of(path: &str, graph_prefix: &str) -> Surface {
    let lower = path.to_ascii_lowercase();
    let rest = match lower.strip_prefix("/hosts/") {
        Some(r) => r.find('/').map_or("", |i| &r[i..]).to_owned(),
        None => lower.clone(),
    };
    if lower == "/metadata/endpoints" {
        // Resource Manager's cloud metadata, which shares IMDS's `/metadata` prefix.
        Surface::Arm
    } else if rest.starts_with("/metadata") {
        Surface::Imds
    } else if rest.starts_with("/msi") {
        Surface::AppService
    } else if lower.starts_with("/v1.0")
        || lower.starts_with("/beta")
        || (!graph_prefix.is_empty()
            && graph_prefix != "/"
            && lower.starts_with(&graph_prefix.to_ascii_lowercase()))
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

/// What was over the shell's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Body,
    Headers,
}

/// A request no operation of the surface takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingError {
    NotFound,
    MethodNotAllowed,
    BodyTooLarge,
    HeadersTooLarge,
}

impl From<Limit> for RoutingError {
    fn from(l: Limit) -> Self {
        match l {
            Limit::Body => RoutingError::BodyTooLarge,
            Limit::Headers => RoutingError::HeadersTooLarge,
        }
    }
}

impl RoutingError {
    pub const ALL: [RoutingError; 4] = [
        RoutingError::NotFound,
        RoutingError::MethodNotAllowed,
        RoutingError::BodyTooLarge,
        RoutingError::HeadersTooLarge,
    ];

    fn limit_message(self) -> String {
        match self {
            RoutingError::HeadersTooLarge => format!(
                "The request has more than {MAX_HEADERS} headers or more than {MAX_HEADER_BYTES} bytes of headers."
            ),
            _ => format!("The request body is larger than {MAX_BODY} bytes."),
        }
    }
}

/// The control API's errors: `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct ControlErrorBody<'a> {
    error: ControlErrorDetail<'a>,
}

#[derive(Serialize)]
struct ControlErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl ControlError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ControlError {
            status,
            code,
            message: message.into(),
        }
    }

    /// The only renderer of the control API's error body.
    pub fn to_response(&self) -> Response {
        reply::failure(
            "control",
            reply::status(self.status),
            &ControlErrorBody {
                error: ControlErrorDetail {
                    code: self.code,
                    message: &self.message,
                },
            },
        )
    }
}

/// Errors of Entra's host outside any operation (an unknown endpoint, a wrong method, an
/// oversized request): the flat OAuth body `{"error","error_description"}`.
///
/// UNCONFIRMED: login.microsoftonline.com answers unknown paths with an HTML page; an OAuth
/// body is what a client library can read, so the emulator answers with one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointError {
    #[serde(skip)]
    pub status: u16,
    pub error: &'static str,
    pub error_description: String,
}

impl EndpointError {
    /// The only renderer of this body.
    pub fn to_response(&self) -> Response {
        reply::failure("routing", reply::status(self.status), self)
    }
}

fn graph(call: &Call<'_>, e: &GraphError, client_request_id: Option<&str>) -> Response {
    let request_id = GraphRequestId(call.guid());
    let client = client_request_id.map(crate::graph_error::ClientRequestId::new);
    let body = e.to_body(request_id, client.as_ref(), call.now);
    let mut resp = reply::failure("graph", reply::status(e.status()), &body);
    reply::set_header(&mut resp, "request-id", &request_id.to_string());
    if let Some(w) = e.www_authenticate() {
        reply::set_header(&mut resp, "www-authenticate", w);
    }
    resp
}

/// Renders a Graph error with a fresh `request-id` (the one path for every Graph failure).
pub(crate) fn graph_error(
    call: &Call<'_>,
    e: &GraphError,
    client_request_id: Option<&str>,
) -> Response {
    graph(call, e, client_request_id)
}

/// Renders an IMDS error with IMDS's `Server` header.
pub(crate) fn imds_error(e: ImdsError) -> Response {
    let mut resp = reply::failure("imds", reply::status(e.http_status()), &e.to_body());
    reply::set_header(&mut resp, "server", imds::SERVER_HEADER);
    resp
}

pub(crate) fn app_service_error(e: &AppServiceError, correlation: CorrelationId) -> Response {
    reply::failure(
        "app-service",
        reply::status(e.http_status()),
        &e.to_body(correlation),
    )
}

pub(crate) fn arm_error(e: ArmError) -> Response {
    let mut resp = reply::failure("arm", reply::status(e.status), &e.to_body());
    if let Some(w) = e.www_authenticate {
        reply::set_header(&mut resp, "www-authenticate", &w);
    }
    resp
}

pub(crate) fn storage_error(call: &Call<'_>, e: &StorageError) -> Response {
    let request_id = RequestId(call.guid());
    let xml = e.to_xml(request_id, call.now);
    let mut resp = reply::raw(reply::status(e.status), "application/xml", xml.into_bytes());
    reply::set_header(&mut resp, "x-ms-request-id", &request_id.to_string());
    if let Some(w) = &e.www_authenticate {
        reply::set_header(&mut resp, "www-authenticate", w);
    }
    resp.extensions_mut().insert(Failure {
        surface: "storage",
        message: e.code.to_owned(),
    });
    resp
}

/// `surface`'s answer to `error` for `method path`.
pub(crate) fn routing_error(
    call: &Call<'_>,
    surface: Surface,
    error: RoutingError,
    path: &str,
    method: &str,
) -> Response {
    use RoutingError as R;
    let status = match error {
        R::NotFound => 404,
        R::MethodNotAllowed => 405,
        R::BodyTooLarge => 413,
        R::HeadersTooLarge => 431,
    };
    match surface {
        Surface::Imds => imds_error(match error {
            R::NotFound => ImdsError::PathNotFound,
            R::MethodNotAllowed => ImdsError::MethodNotAllowed,
            R::BodyTooLarge => ImdsError::BodyTooLarge,
            R::HeadersTooLarge => ImdsError::HeadersTooLarge,
        }),
        Surface::AppService => app_service_error(
            &match error {
                R::NotFound => AppServiceError::PathNotFound,
                R::MethodNotAllowed => AppServiceError::MethodNotAllowed,
                R::BodyTooLarge => AppServiceError::BodyTooLarge,
                R::HeadersTooLarge => AppServiceError::HeadersTooLarge,
            },
            CorrelationId(call.guid()),
        ),
        Surface::Graph => {
            // Graph answers a path it does not know with 400 BadRequest naming the last
            // segment (a commonly seen answer, e.g. `GET /v1.0/nothing`).
            // UNCONFIRMED: the 405 and the two size answers' codes.
            let e = match error {
                R::NotFound => GraphError::new(
                    400,
                    "BadRequest",
                    format!(
                        "Resource not found for the segment '{}'.",
                        path.rsplit('/').next().unwrap_or_default()
                    ),
                ),
                R::MethodNotAllowed => GraphError::new(
                    405,
                    "Request_BadRequest",
                    format!("The HTTP method '{method}' is not allowed on this resource."),
                ),
                R::BodyTooLarge => {
                    GraphError::new(413, "RequestEntityTooLarge", error.limit_message())
                }
                R::HeadersTooLarge => GraphError::new(431, "BadRequest", error.limit_message()),
            };
            graph(call, &e, None)
        }
        Surface::Arm => arm_error(ArmError {
            status,
            code: match error {
                R::NotFound => "InvalidResourceType",
                // ASP.NET Web API's code and wording, which ARM's front door passes on.
                R::MethodNotAllowed => "MethodNotAllowed",
                R::BodyTooLarge => "RequestEntityTooLarge",
                R::HeadersTooLarge => "RequestHeaderFieldsTooLarge",
            },
            message: match error {
                R::NotFound => {
                    format!("The resource type could not be found for the path '{path}'.")
                }
                R::MethodNotAllowed => {
                    format!("The requested resource does not support http method '{method}'.")
                }
                _ => error.limit_message(),
            },
            www_authenticate: None,
        }),
        // Storage's documented error codes (REST API "Common error codes"); always XML.
        Surface::Storage => storage_error(
            call,
            &StorageError {
                status,
                code: match error {
                    R::NotFound => "ResourceNotFound",
                    R::MethodNotAllowed => "UnsupportedHttpVerb",
                    R::BodyTooLarge => "RequestBodyTooLarge",
                    R::HeadersTooLarge => "InvalidHeaderValue",
                },
                message: match error {
                    R::NotFound => "The specified resource does not exist.",
                    R::MethodNotAllowed => "The resource doesn't support specified Http Verb.",
                    R::BodyTooLarge => {
                        "The request body is too large and exceeds the maximum permissible limit."
                    }
                    R::HeadersTooLarge => {
                        "The value for one of the HTTP headers is not in the correct format."
                    }
                },
                authentication_error_detail: None,
                www_authenticate: None,
            },
        ),
        Surface::Control => ControlError::new(
            status,
            match error {
                R::NotFound => "NotFound",
                R::MethodNotAllowed => "MethodNotAllowed",
                R::BodyTooLarge => "PayloadTooLarge",
                R::HeadersTooLarge => "HeadersTooLarge",
            },
            match error {
                R::NotFound | R::MethodNotAllowed => {
                    format!("{method} {path} is not part of the control API.")
                }
                _ => error.limit_message(),
            },
        )
        .to_response(),
        Surface::Entra | Surface::Other => EndpointError {
            status,
            error: "invalid_request",
            error_description: match error {
                R::NotFound | R::MethodNotAllowed => {
                    format!("{method} {path} is not an endpoint of this server.")
                }
                _ => error.limit_message(),
            },
        }
        .to_response(),
    }
}

/// The status a surface answers `error` with (Graph answers unknown paths with 400).
pub fn routing_status(surface: Surface, error: RoutingError) -> StatusCode {
    match (surface, error) {
        (Surface::Graph, RoutingError::NotFound) => StatusCode::BAD_REQUEST,
        (_, RoutingError::NotFound) => StatusCode::NOT_FOUND,
        (_, RoutingError::MethodNotAllowed) => StatusCode::METHOD_NOT_ALLOWED,
        (_, RoutingError::BodyTooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
        (_, RoutingError::HeadersTooLarge) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    }
}
