//! Microsoft Graph's error envelope. Graph answers every failure with the same
//! `{"error":{"code","message","innerError":{…}}}` shape (reference F.2), unlike the token
//! endpoint's flat OAuth body, so it gets its own type that Graph operations and the server share.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::Guid;
use crate::time::UnixTime;

/// The `request-id` Graph assigns to one request (a GUID, chosen by the caller: core has no RNG).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GraphRequestId(pub Guid);

impl fmt::Display for GraphRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for GraphRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GraphRequestId({})", self.0)
    }
}

/// The `client-request-id` a client may send; any text, echoed back.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientRequestId(pub String);

impl ClientRequestId {
    pub fn new(s: impl Into<String>) -> Self {
        ClientRequestId(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientRequestId({:?})", self.0)
    }
}

/// A Graph error: HTTP status, Graph's `code` and its `message`. General on purpose: every Graph
/// failure (FIC rules, not found, forbidden) renders through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    status: u16,
    code: String,
    message: String,
    /// The `WWW-Authenticate` challenge Graph adds to its 401s.
    www_authenticate: Option<String>,
}

impl GraphError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            www_authenticate: None,
        }
    }

    /// The same error with a `WWW-Authenticate` challenge to send beside it.
    pub fn with_www_authenticate(mut self, challenge: impl Into<String>) -> Self {
        self.www_authenticate = Some(challenge.into());
        self
    }

    pub fn www_authenticate(&self) -> Option<&str> {
        self.www_authenticate.as_deref()
    }

    /// `404 Request_ResourceNotFound`, the shape Graph uses for any missing object.
    pub fn not_found(message: impl Into<String>) -> Self {
        GraphError::new(404, "Request_ResourceNotFound", message)
    }

    /// `400 Request_BadRequest`, Graph's generic validation failure.
    pub fn bad_request(message: impl Into<String>) -> Self {
        GraphError::new(400, "Request_BadRequest", message)
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body Graph sends. `innerError.date` is UTC without zone suffix, as Graph prints it.
    ///
    /// UNCONFIRMED: when the client sent no `client-request-id`, Graph still prints one; we echo
    /// the `request-id`, which is what captured responses without a client id show.
    pub fn to_body(
        &self,
        request_id: GraphRequestId,
        client_request_id: Option<&ClientRequestId>,
        now: UnixTime,
    ) -> GraphErrorBody {
        let date = now.rfc3339().trim_end_matches('Z').to_owned();
        GraphErrorBody {
            error: GraphErrorDetail {
                code: self.code.clone(),
                message: self.message.clone(),
                inner_error: InnerError {
                    date,
                    request_id: request_id.to_string(),
                    client_request_id: client_request_id
                        .map_or_else(|| request_id.to_string(), |c| c.0.clone()),
                },
            },
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for GraphError {}

/// `{"error":{…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphErrorBody {
    pub error: GraphErrorDetail,
}

/// The `error` member of Graph's envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphErrorDetail {
    pub code: String,
    pub message: String,
    pub inner_error: InnerError,
}

/// `innerError`: when and which request, for support tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerError {
    pub date: String,
    #[serde(rename = "request-id")]
    pub request_id: String,
    #[serde(rename = "client-request-id")]
    pub client_request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_errors_render_the_documented_envelope() {
        let body = GraphError::not_found("FederatedIdentityCredential with name x not found.")
            .to_body(
                GraphRequestId(Guid::from_u128(1)),
                Some(&ClientRequestId::new("my-client-id")),
                UnixTime(1_651_593_661),
            );
        insta::assert_json_snapshot!("graph_error_envelope", body);
    }

    #[test]
    fn without_a_client_request_id_the_request_id_is_echoed() {
        let id = GraphRequestId(Guid::from_u128(9));
        let body = GraphError::bad_request("x").to_body(id, None, UnixTime(0));
        assert_eq!(body.error.inner_error.client_request_id, id.to_string());
        assert_eq!(body.error.inner_error.date, "1970-01-01T00:00:00");
    }
}
