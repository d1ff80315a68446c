//! The App Service / Functions / Container Apps managed-identity endpoint (reference B.1, B.2,
//! seed 004): `GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01` with
//! `X-IDENTITY-HEADER`, or the legacy 2017-09-01 flavour with `Secret`. It is the one redirect
//! every SDK honours (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`), so its bodies must satisfy the
//! strictest parser (Rust's `azure_identity`: `expires_on` a string).
//!
//! <https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference>

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::imds::RequestedResource;
use super::{
    Headers, IdentitySelector, Query, SelectedIdentity, SelectionError, SingleUserAssignedFallback,
    collect_headers, header,
};
use crate::directory::{ComputeHost, Directory};
use crate::ids::{ArmResourceId, ClientId, CorrelationId, ObjectId};
use crate::time::UnixTime;

/// The two protocol versions App Service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AppServiceApiVersion {
    /// `X-IDENTITY-HEADER`; `client_id`, `principal_id`/`object_id`, `mi_res_id`; epoch
    /// `expires_on`.
    #[serde(rename = "2019-08-01")]
    V2019_08_01,
    /// `Secret`; `clientid`; `expires_on` as `MM/dd/yyyy HH:mm:ss +00:00`.
    #[serde(rename = "2017-09-01")]
    V2017_09_01,
}

impl AppServiceApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            AppServiceApiVersion::V2019_08_01 => "2019-08-01",
            AppServiceApiVersion::V2017_09_01 => "2017-09-01",
        }
    }

    /// The header that carries the identity header value in this version.
    pub fn header_name(self) -> &'static str {
        match self {
            AppServiceApiVersion::V2019_08_01 => "X-IDENTITY-HEADER",
            AppServiceApiVersion::V2017_09_01 => "Secret",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "2019-08-01" => Some(AppServiceApiVersion::V2019_08_01),
            "2017-09-01" => Some(AppServiceApiVersion::V2017_09_01),
            _ => None,
        }
    }
}

/// The value of `IDENTITY_HEADER` (`MSI_SECRET`): it selects the host and proves the caller runs
/// on it. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityHeader(pub String);

impl IdentityHeader {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdentityHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentityHeader([redacted])")
    }
}

/// A parsed App Service token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppServiceTokenRequest {
    pub api_version: AppServiceApiVersion,
    pub identity_header: IdentityHeader,
    pub resource: RequestedResource,
    pub selector: Option<IdentitySelector>,
}

/// Why the App Service endpoint refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppServiceError {
    /// No `api-version`.
    ApiVersionUnspecified,
    /// An `api-version` other than 2019-08-01 and 2017-09-01; carries what the message names.
    UnsupportedApiVersion {
        request_uri: String,
        api_version: String,
    },
    /// Anything but GET.
    MethodNotAllowed,
    /// A path the endpoint does not serve.
    PathNotFound,
    /// The request body is over the server's limit.
    BodyTooLarge,
    /// The request headers are over the server's limit.
    HeadersTooLarge,
    /// The version's identity header is absent.
    MissingIdentityHeader,
    /// The identity header names no host.
    UnknownIdentityHeader,
    /// No `resource`.
    MissingResource,
    /// More than one selector.
    ConflictingSelectors,
    /// The selected identity does not exist on the host.
    IdentityNotFound,
    /// Entra refused the token the endpoint asked for (unknown resource, missing role): App
    /// Service hides the reason behind a 500 (reference B.1; MSAL Python: "wrong resource ends up
    /// with a vague statusCode=500").
    TokenServiceFailure,
}

impl From<SelectionError> for AppServiceError {
    fn from(_: SelectionError) -> Self {
        AppServiceError::IdentityNotFound
    }
}

impl AppServiceError {
    /// UNCONFIRMED statuses: 403 for a missing or wrong identity header (a 403 with a non-JSON
    /// body was observed, Azure/azure-sdk-for-net#30467; we send JSON so SDKs can report it), 400
    /// for "Unable to load the proper Managed Identity." (third-party note), 405 for methods.
    pub fn http_status(&self) -> u16 {
        match self {
            AppServiceError::MissingIdentityHeader | AppServiceError::UnknownIdentityHeader => 403,
            AppServiceError::MethodNotAllowed => 405,
            AppServiceError::PathNotFound => 404,
            AppServiceError::BodyTooLarge => 413,
            AppServiceError::HeadersTooLarge => 431,
            AppServiceError::TokenServiceFailure => 500,
            _ => 400,
        }
    }

    /// The message of the `{"statusCode","message","correlationId"}` body.
    pub fn message(&self) -> String {
        match self {
            // ASP.NET API Versioning's wording. UNCONFIRMED for App Service itself.
            AppServiceError::ApiVersionUnspecified => {
                "An API version is required, but was not specified.".to_owned()
            }
            // Verbatim from old Linux Consumption hosts (Azure/azure-sdk-for-python#14670).
            AppServiceError::UnsupportedApiVersion {
                request_uri,
                api_version,
            } => format!(
                "The HTTP resource that matches the request URI '{request_uri}' does not support the API version '{api_version}'."
            ),
            // UNCONFIRMED wording.
            AppServiceError::MethodNotAllowed => {
                "The requested HTTP method is not allowed.".to_owned()
            }
            // UNCONFIRMED wording (the three below).
            AppServiceError::PathNotFound => "The requested path was not found.".to_owned(),
            AppServiceError::BodyTooLarge => {
                "The request body is larger than the endpoint accepts.".to_owned()
            }
            AppServiceError::HeadersTooLarge => {
                "The request headers are larger than the endpoint accepts.".to_owned()
            }
            // UNCONFIRMED wording.
            AppServiceError::MissingIdentityHeader => {
                "The identity header is missing from the request.".to_owned()
            }
            // UNCONFIRMED wording.
            AppServiceError::UnknownIdentityHeader => {
                "The identity header does not match this host.".to_owned()
            }
            // UNCONFIRMED wording.
            AppServiceError::MissingResource => {
                "The 'resource' query parameter is required.".to_owned()
            }
            // UNCONFIRMED wording.
            AppServiceError::ConflictingSelectors => {
                "Only one of client_id, principal_id, object_id or mi_res_id may be specified."
                    .to_owned()
            }
            // Verbatim from several deployments.
            AppServiceError::IdentityNotFound => {
                "Unable to load the proper Managed Identity.".to_owned()
            }
            // Verbatim (Container Apps capture, MSAL .NET's App Service error mock), typo included.
            AppServiceError::TokenServiceFailure => {
                "An unexpected error occured while fetching the AAD Token.".to_owned()
            }
        }
    }

    /// The body. API-version failures use ASP.NET's `{"error":{"code",…}}` shape, as observed;
    /// everything else App Service's `{"statusCode","message","correlationId"}`.
    pub fn to_body(&self, correlation_id: CorrelationId) -> Value {
        match self {
            AppServiceError::ApiVersionUnspecified => {
                json!({"error": {"code": "ApiVersionUnspecified", "message": self.message(), "innerError": null}})
            }
            AppServiceError::UnsupportedApiVersion { .. } => {
                json!({"error": {"code": "UnsupportedApiVersion", "message": self.message(), "innerError": null}})
            }
            _ => json!({
                "statusCode": self.http_status(),
                "message": self.message(),
                "correlationId": correlation_id.to_string(),
            }),
        }
    }
}

impl fmt::Display for AppServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.http_status(), self.message())
    }
}

impl std::error::Error for AppServiceError {}

/// Parses `GET {IDENTITY_ENDPOINT}?…`. `path` only feeds the unsupported-version message.
///
/// Order: method, api-version (it decides which header to read), identity header, resource,
/// selectors. Repeated query parameters: the first one wins (App Service documents no rule).
pub fn parse_token_request<I, K, V>(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: I,
) -> Result<AppServiceTokenRequest, AppServiceError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    let headers: Headers = collect_headers(headers);
    if method != "GET" {
        return Err(AppServiceError::MethodNotAllowed);
    }
    let q = Query::parse(query);
    let raw_version = q
        .get("api-version")
        .ok_or(AppServiceError::ApiVersionUnspecified)?;
    let api_version = AppServiceApiVersion::parse(raw_version).ok_or_else(|| {
        AppServiceError::UnsupportedApiVersion {
            request_uri: match query {
                Some(qs) => format!("{path}?{qs}"),
                None => path.to_owned(),
            },
            api_version: raw_version.to_owned(),
        }
    })?;
    let identity_header = match header(&headers, api_version.header_name()) {
        Some(Some(v)) if !v.is_empty() => IdentityHeader(v.to_owned()),
        // A non-UTF-8 value can match no host.
        Some(_) => return Err(AppServiceError::UnknownIdentityHeader),
        None => return Err(AppServiceError::MissingIdentityHeader),
    };
    let resource = q.get("resource").ok_or(AppServiceError::MissingResource)?;
    let selector = match api_version {
        AppServiceApiVersion::V2019_08_01 => {
            let candidates = [
                q.get("client_id"),
                q.get("principal_id"),
                q.get("object_id"),
                q.get("mi_res_id"),
            ];
            if candidates.iter().filter(|c| c.is_some()).count() > 1 {
                return Err(AppServiceError::ConflictingSelectors);
            }
            match candidates {
                [Some(c), ..] => Some(IdentitySelector::ClientId(
                    ClientId::parse(c).ok_or(AppServiceError::IdentityNotFound)?,
                )),
                [_, Some(p), ..] | [_, _, Some(p), _] => Some(IdentitySelector::ObjectId(
                    ObjectId::parse(p).ok_or(AppServiceError::IdentityNotFound)?,
                )),
                [_, _, _, Some(r)] => Some(IdentitySelector::ResourceId(ArmResourceId::new(r))),
                _ => None,
            }
        }
        AppServiceApiVersion::V2017_09_01 => match q.get("clientid") {
            Some(c) => Some(IdentitySelector::ClientId(
                ClientId::parse(c).ok_or(AppServiceError::IdentityNotFound)?,
            )),
            None => None,
        },
    };
    Ok(AppServiceTokenRequest {
        api_version,
        identity_header,
        resource: RequestedResource(resource.to_owned()),
        selector,
    })
}

/// [`parse_token_request`] for an `http::Request`.
pub fn parse_http_request<B>(
    req: &http::Request<B>,
) -> Result<AppServiceTokenRequest, AppServiceError> {
    parse_token_request(
        req.method().as_str(),
        req.uri().path(),
        req.uri().query(),
        super::http_headers(req.headers()),
    )
}

/// The host whose `IDENTITY_HEADER` is `value` (exact comparison).
pub fn host_for_identity_header<'d>(
    directory: &'d Directory,
    value: &IdentityHeader,
) -> Option<&'d ComputeHost> {
    directory
        .compute_hosts
        .iter()
        .find(|h| h.identity_header.as_deref() == Some(value.as_str()))
}

/// The host a request reaches: the App Service whose `IDENTITY_HEADER` is `value`, which must also
/// be the one `/hosts/{name}` names when the request came that way (case-insensitive name).
pub fn host_for_request<'d>(
    directory: &'d Directory,
    named: Option<&str>,
    value: &IdentityHeader,
) -> Result<&'d ComputeHost, AppServiceError> {
    host_for_identity_header(directory, value)
        .filter(|h| named.is_none_or(|n| h.name.eq_ignore_ascii_case(n)))
        .ok_or(AppServiceError::UnknownIdentityHeader)
}

/// Picks the identity: no selector means the system-assigned identity only (no single-UAMI
/// fallback on App Service).
pub fn select_identity(
    host: &ComputeHost,
    directory: &Directory,
    selector: Option<&IdentitySelector>,
) -> Result<SelectedIdentity, AppServiceError> {
    super::select_identity(
        host,
        directory,
        selector,
        SingleUserAssignedFallback::Refused,
    )
    .map_err(AppServiceError::from)
}

/// The success body. 2019-08-01: `expires_on` epoch seconds as a string, plus `client_id`;
/// 2017-09-01: `expires_on` as `MM/dd/yyyy HH:mm:ss +00:00` and no `client_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppServiceTokenResponse {
    pub access_token: String,
    pub expires_on: String,
    pub resource: String,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

pub fn token_response(
    api_version: AppServiceApiVersion,
    access_token: &str,
    client_id: ClientId,
    expires_on: UnixTime,
    resource: &RequestedResource,
) -> AppServiceTokenResponse {
    let (expires_on, client_id) = match api_version {
        AppServiceApiVersion::V2019_08_01 => {
            (expires_on.secs().to_string(), Some(client_id.to_string()))
        }
        AppServiceApiVersion::V2017_09_01 => (expires_on.app_service_legacy(), None),
    };
    AppServiceTokenResponse {
        access_token: access_token.to_owned(),
        expires_on,
        resource: resource.0.clone(),
        token_type: "Bearer".to_owned(),
        client_id,
    }
}

#[cfg(test)]
mod tests;
