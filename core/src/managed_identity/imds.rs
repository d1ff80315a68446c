//! Azure Instance Metadata Service (IMDS) as a VM sees it at `169.254.169.254` (reference A):
//! request parsing with IMDS's own checks, its string-only token body, its token cache, its rate
//! limit and the instance-metadata documents SDKs read for region detection.
//!
//! <https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token>

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Headers, IdentitySelector, Query, SelectedIdentity, SelectionError, SingleUserAssignedFallback,
    collect_headers, header,
};
use crate::cloud::Cloud;
use crate::directory::{ComputeHost, ComputeKind, Directory};
use crate::error::EntraError;
use crate::ids::{ArmResourceId, ClientId, Guid, ObjectId, TenantId, TraceIds};
use crate::time::UnixTime;

/// The token path. The `/metadata` segment is case-insensitive in practice (reference A.1).
pub const TOKEN_PATH: &str = "/metadata/identity/oauth2/token";
pub const IDENTITY_INFO_PATH: &str = "/metadata/identity/info";
pub const INSTANCE_PATH: &str = "/metadata/instance";
pub const INSTANCE_COMPUTE_PATH: &str = "/metadata/instance/compute";
pub const VERSIONS_PATH: &str = "/metadata/versions";

/// IMDS's published api-versions, oldest first.
///
/// UNCONFIRMED: transcribed from the IMDS page's "Supported API versions" list; the reference
/// confirms the range (2017-03-01 to 2025-04-07) and the three newest.
pub const API_VERSIONS: &[&str] = &[
    "2017-03-01",
    "2017-04-02",
    "2017-08-01",
    "2017-10-01",
    "2017-12-01",
    "2018-02-01",
    "2018-04-02",
    "2018-10-01",
    "2019-02-01",
    "2019-03-11",
    "2019-04-30",
    "2019-06-01",
    "2019-06-04",
    "2019-08-01",
    "2019-08-15",
    "2019-11-01",
    "2020-06-01",
    "2020-07-15",
    "2020-09-01",
    "2020-10-01",
    "2020-12-01",
    "2021-01-01",
    "2021-02-01",
    "2021-03-01",
    "2021-05-01",
    "2021-08-01",
    "2021-10-01",
    "2021-11-01",
    "2021-11-15",
    "2021-12-13",
    "2022-02-01",
    "2022-03-01",
    "2022-05-01",
    "2022-07-01",
    "2022-08-01",
    "2022-09-01",
    "2022-11-01",
    "2023-07-01",
    "2023-11-15",
    "2024-03-15",
    "2024-07-17",
    "2025-04-07",
];

/// The identity category was introduced in this version: "Use API version `2018-02-01` or
/// greater".
pub const IDENTITY_MIN_API_VERSION: &str = "2018-02-01";

/// The `Server` header of every IMDS answer (reference A.2 shows `IMDS/150.870.65.476`; the build
/// number varies across captures).
pub const SERVER_HEADER: &str = "IMDS/150.870.65.1544";

/// `ext_expires_in`: constant in every capture.
pub const EXT_EXPIRES_IN: &str = "86399";

/// A validated IMDS api-version (one of [`API_VERSIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ImdsApiVersion(&'static str);

impl ImdsApiVersion {
    fn parse(s: &str) -> Option<ImdsApiVersion> {
        API_VERSIONS
            .iter()
            .find(|v| **v == s)
            .map(|v| ImdsApiVersion(v))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for ImdsApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The `resource` of a managed-identity request, exactly as sent: IMDS and App Service echo it
/// verbatim (trailing slash or not, GUID or URI), and the v1 `aud` keeps that spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestedResource(pub String);

impl RequestedResource {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestedResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed `GET /metadata/identity/oauth2/token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdsTokenRequest {
    pub api_version: ImdsApiVersion,
    pub resource: RequestedResource,
    pub selector: Option<IdentitySelector>,
    /// `bypass_cache=true`: mint a fresh token even if a cached one is still good.
    pub bypass_cache: bool,
}

/// Every request IMDS answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImdsRequest {
    Token(ImdsTokenRequest),
    IdentityInfo { api_version: ImdsApiVersion },
    Instance { api_version: ImdsApiVersion },
    InstanceCompute { api_version: ImdsApiVersion },
    Versions,
}

/// Why IMDS refused a request. Each has IMDS's status and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImdsError {
    /// Token/identity path without `Metadata: true`.
    MissingMetadataHeader,
    /// Instance path without `Metadata: true` (that surface has its own body).
    InstanceMissingMetadataHeader,
    /// The request carries `X-Forwarded-For`: it came through a proxy.
    ForwardedRequest,
    /// Anything but GET.
    MethodNotAllowed,
    /// A path IMDS does not serve.
    PathNotFound,
    /// A query parameter name appears twice.
    DuplicateQueryParameter,
    /// Identity path: api-version missing, unknown or older than 2018-02-01.
    InvalidApiVersion,
    /// Instance path: api-version missing or unknown.
    InstanceInvalidApiVersion,
    /// No `resource`.
    MissingResource,
    /// More than one of `client_id`, `object_id`, `msi_res_id`.
    ConflictingSelectors,
    /// No identity on the VM, or the selector names one that is not attached.
    IdentityNotFound,
    /// Several user-assigned identities, no system-assigned one and no selector.
    MultipleUserAssignedIdentities,
    /// Over the rate limit (20 requests/s or 5 concurrent for identity).
    TooManyRequests,
    /// The request body is over the server's limit (IMDS takes no body at all).
    BodyTooLarge,
    /// The request headers are over the server's limit.
    HeadersTooLarge,
}

impl From<SelectionError> for ImdsError {
    fn from(e: SelectionError) -> Self {
        match e {
            SelectionError::NotFound => ImdsError::IdentityNotFound,
            SelectionError::MultipleUserAssigned => ImdsError::MultipleUserAssignedIdentities,
        }
    }
}

impl ImdsError {
    pub fn http_status(self) -> u16 {
        match self {
            ImdsError::MethodNotAllowed => 405,
            ImdsError::PathNotFound => 404,
            ImdsError::TooManyRequests => 429,
            ImdsError::BodyTooLarge => 413,
            ImdsError::HeadersTooLarge => 431,
            _ => 400,
        }
    }

    /// The JSON body, exactly as IMDS sends it (or our documented choice where unconfirmed).
    pub fn to_body(self) -> Value {
        let identity = |error: &str, description: &str| json!({"error": error, "error_description": description});
        match self {
            // The body Azure SDKs' own IMDS probes and test doubles expect (azure-sdk-for-net
            // `MockTransport.CreateImdsProbeResponse`, azure-sdk-for-java MI tests, aad-pod-identity
            // NMI). The docs' `bad_request_102` belongs to the legacy VM extension.
            ImdsError::MissingMetadataHeader => {
                identity("invalid_request", "Required metadata header not specified")
            }
            ImdsError::InstanceMissingMetadataHeader => {
                json!({"error": "Bad request. Required metadata header not specified"})
            }
            // UNCONFIRMED: the docs only say such requests are "rejected by the service"; we
            // answer 400 in the swagger's `bad_request` family.
            ImdsError::ForwardedRequest => identity(
                "bad_request",
                "Requests with an X-Forwarded-For header are not allowed",
            ),
            // UNCONFIRMED body; 405 is documented.
            ImdsError::MethodNotAllowed => identity(
                "method_not_allowed",
                "The requested HTTP method is not allowed",
            ),
            // UNCONFIRMED body.
            ImdsError::PathNotFound => {
                identity("not_found", "The requested resource was not found")
            }
            // UNCONFIRMED body; the rejection is documented.
            ImdsError::DuplicateQueryParameter => identity(
                "bad_request",
                "Requests with duplicate query parameter names are not allowed",
            ),
            // UNCONFIRMED: one user report (MicrosoftDocs/azure-docs#112538).
            ImdsError::InvalidApiVersion => {
                identity("invalid_request", "Invalid 'api-version' requested")
            }
            ImdsError::InstanceInvalidApiVersion => json!({
                "error": "Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds",
                "newest-versions": newest_versions(),
            }),
            // UNCONFIRMED: the wording of a third-party emulator, recommended by reference A.3.
            ImdsError::MissingResource => identity(
                "invalid_request",
                "Required audience parameter not specified",
            ),
            // UNCONFIRMED wording; the exclusivity is documented in the swagger.
            ImdsError::ConflictingSelectors => identity(
                "invalid_request",
                "Only one of client_id, object_id or msi_res_id may be specified",
            ),
            ImdsError::IdentityNotFound => identity("invalid_request", "Identity not found"),
            ImdsError::MultipleUserAssignedIdentities => identity(
                "invalid_request",
                "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request",
            ),
            // UNCONFIRMED body; `too_many_requests` is in the swagger's enum.
            ImdsError::TooManyRequests => identity("too_many_requests", "Too many requests"),
            // UNCONFIRMED: no capture of IMDS refusing a large request; the swagger's
            // `bad_request` family with the limit named.
            ImdsError::BodyTooLarge => identity(
                "bad_request",
                "The request body is larger than the service accepts",
            ),
            ImdsError::HeadersTooLarge => identity(
                "bad_request",
                "The request headers are larger than the service accepts",
            ),
        }
    }
}

impl fmt::Display for ImdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.http_status(), self.to_body())
    }
}

impl std::error::Error for ImdsError {}

fn newest_versions() -> Vec<&'static str> {
    API_VERSIONS.iter().rev().take(3).copied().collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Token,
    IdentityInfo,
    Instance,
    InstanceCompute,
    Versions,
}

impl Route {
    fn of(path: &str) -> Option<Route> {
        // UNCONFIRMED: the whole path compares case-insensitively (only `/metadata` is known to).
        let p = path.to_ascii_lowercase();
        Some(match p.as_str() {
            TOKEN_PATH => Route::Token,
            IDENTITY_INFO_PATH => Route::IdentityInfo,
            INSTANCE_PATH => Route::Instance,
            INSTANCE_COMPUTE_PATH => Route::InstanceCompute,
            VERSIONS_PATH => Route::Versions,
            _ => return None,
        })
    }

    fn is_identity(self) -> bool {
        matches!(self, Route::Token | Route::IdentityInfo)
    }
}

/// Parses any IMDS request. Checks run in this order, each answering with IMDS's error:
/// path (404), `Metadata: true` (400, whatever the query: SDK probes rely on a fast 400),
/// `X-Forwarded-For` (400), method (405), duplicate query names (400), api-version (400), then
/// for tokens `resource` and the selectors (400).
///
/// The `Metadata` value is compared case-insensitively. UNCONFIRMED: the docs ask for `true` "in
/// all lower case", yet Arc docs and IMDS samples send `True`.
pub fn parse_request<I, K, V>(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: I,
) -> Result<ImdsRequest, ImdsError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    let headers: Headers = collect_headers(headers);
    let route = Route::of(path).ok_or(ImdsError::PathNotFound)?;
    let metadata_ok =
        matches!(header(&headers, "Metadata"), Some(Some(v)) if v.eq_ignore_ascii_case("true"));
    if !metadata_ok {
        return Err(if route.is_identity() {
            ImdsError::MissingMetadataHeader
        } else {
            ImdsError::InstanceMissingMetadataHeader
        });
    }
    if header(&headers, "X-Forwarded-For").is_some() {
        return Err(ImdsError::ForwardedRequest);
    }
    if method != "GET" {
        return Err(ImdsError::MethodNotAllowed);
    }
    let query = Query::parse(query);
    if query.duplicate().is_some() {
        return Err(ImdsError::DuplicateQueryParameter);
    }
    if route == Route::Versions {
        return Ok(ImdsRequest::Versions);
    }
    let api_version = query.get("api-version").and_then(ImdsApiVersion::parse);
    let api_version = if route.is_identity() {
        api_version
            .filter(|v| v.as_str() >= IDENTITY_MIN_API_VERSION)
            .ok_or(ImdsError::InvalidApiVersion)?
    } else {
        api_version.ok_or(ImdsError::InstanceInvalidApiVersion)?
    };
    match route {
        Route::Token => parse_token_query(api_version, &query).map(ImdsRequest::Token),
        Route::IdentityInfo => Ok(ImdsRequest::IdentityInfo { api_version }),
        Route::Instance => Ok(ImdsRequest::Instance { api_version }),
        Route::InstanceCompute => Ok(ImdsRequest::InstanceCompute { api_version }),
        Route::Versions => Ok(ImdsRequest::Versions),
    }
}

/// Parses a request that must be a token request: any other IMDS path is a 404 here.
pub fn parse_token_request<I, K, V>(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: I,
) -> Result<ImdsTokenRequest, ImdsError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    if Route::of(path) != Some(Route::Token) {
        return Err(ImdsError::PathNotFound);
    }
    match parse_request(method, path, query, headers)? {
        ImdsRequest::Token(t) => Ok(t),
        _ => Err(ImdsError::PathNotFound),
    }
}

/// [`parse_request`] for an `http::Request`.
pub fn parse_http_request<B>(req: &http::Request<B>) -> Result<ImdsRequest, ImdsError> {
    parse_request(
        req.method().as_str(),
        req.uri().path(),
        req.uri().query(),
        super::http_headers(req.headers()),
    )
}

fn parse_token_query(
    api_version: ImdsApiVersion,
    query: &Query,
) -> Result<ImdsTokenRequest, ImdsError> {
    let resource = query.get("resource").ok_or(ImdsError::MissingResource)?;
    let client_id = query.get("client_id");
    let object_id = query.get("object_id");
    let msi_res_id = query.get("msi_res_id");
    let count = [client_id, object_id, msi_res_id]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if count > 1 {
        return Err(ImdsError::ConflictingSelectors);
    }
    // A selector that is not a GUID can name no identity.
    // UNCONFIRMED: IMDS may answer a malformed id differently; "Identity not found" chosen.
    let selector = match (client_id, object_id, msi_res_id) {
        (Some(c), _, _) => Some(IdentitySelector::ClientId(
            ClientId::parse(c).ok_or(ImdsError::IdentityNotFound)?,
        )),
        (_, Some(o), _) => Some(IdentitySelector::ObjectId(
            ObjectId::parse(o).ok_or(ImdsError::IdentityNotFound)?,
        )),
        (_, _, Some(r)) => Some(IdentitySelector::ResourceId(ArmResourceId::new(r))),
        _ => None,
    };
    // UNCONFIRMED: the swagger says the value "must be true"; any other value is ignored.
    let bypass_cache = query
        .get("bypass_cache")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(ImdsTokenRequest {
        api_version,
        resource: RequestedResource(resource.to_owned()),
        selector,
        bypass_cache,
    })
}

/// Picks the identity on a VM: no selector means system-assigned, or the only user-assigned
/// identity when there is no system-assigned one (a documented quirk).
pub fn select_identity(
    host: &ComputeHost,
    directory: &Directory,
    selector: Option<&IdentitySelector>,
) -> Result<SelectedIdentity, ImdsError> {
    super::select_identity(
        host,
        directory,
        selector,
        SingleUserAssignedFallback::Allowed,
    )
    .map_err(ImdsError::from)
}

/// The VM a request reaches: the one `/hosts/{name}` names (case-insensitive), or the scenario's
/// first VM at the root path. No such VM answers like a VM without identity ("Identity not
/// found", 400), so SDK probes read it as "managed identity unavailable" rather than retrying a
/// 404.
pub fn vm_host<'d>(
    directory: &'d Directory,
    named: Option<&str>,
) -> Result<&'d ComputeHost, ImdsError> {
    directory
        .compute_hosts
        .iter()
        .find(|h| {
            h.kind == ComputeKind::VirtualMachine
                && named.is_none_or(|n| h.name.eq_ignore_ascii_case(n))
        })
        .ok_or(ImdsError::IdentityNotFound)
}

/// The status IMDS answers when Entra refuses the token it asked for (reference A.3: an unknown
/// `resource` comes back as 400 `invalid_resource`).
pub const TOKEN_FAILURE_STATUS: u16 = 400;

/// IMDS passes Entra's refusal through: ESTS's own envelope (`error`, `error_description` with
/// the AADSTS code, `error_codes`, `trace_id`, `correlation_id`, `error_uri`), with
/// [`TOKEN_FAILURE_STATUS`] (reference A.3, the MSAL .NET capture with AADSTS500011).
pub fn token_failure_body(
    error: &EntraError,
    trace: TraceIds,
    now: UnixTime,
    authority_host: &str,
) -> Value {
    serde_json::to_value(error.to_body(trace, now, authority_host)).unwrap_or(Value::Null)
}

/// IMDS's success body. Every value is a JSON string (MSAL .NET, Go and Python all parse
/// strings; Go fails on an empty `expires_in`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImdsTokenResponse {
    pub access_token: String,
    pub client_id: String,
    pub expires_in: String,
    pub expires_on: String,
    pub ext_expires_in: String,
    pub not_before: String,
    pub resource: String,
    pub token_type: String,
}

/// Renders a token minted elsewhere. `expires_in` is computed from `expires_on - now`, so a
/// cached token shows a smaller value on each call, as real IMDS does; never negative.
pub fn token_response(
    access_token: &str,
    client_id: ClientId,
    expires_on: UnixTime,
    not_before: UnixTime,
    now: UnixTime,
    resource: &RequestedResource,
) -> ImdsTokenResponse {
    ImdsTokenResponse {
        access_token: access_token.to_owned(),
        client_id: client_id.to_string(),
        expires_in: expires_on
            .secs()
            .saturating_sub(now.secs())
            .max(0)
            .to_string(),
        expires_on: expires_on.secs().to_string(),
        ext_expires_in: EXT_EXPIRES_IN.to_owned(),
        not_before: not_before.secs().to_string(),
        resource: resource.0.clone(),
        token_type: "Bearer".to_owned(),
    }
}

/// A token IMDS keeps for reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    pub access_token: String,
    pub expires_on: UnixTime,
    pub not_before: UnixTime,
}

/// IMDS refreshes a cached token when it has less than this left.
///
/// UNCONFIRMED: the docs only say "the managed identities subsystem caches tokens"; 5 minutes is
/// the margin the SDKs themselves use before expiry.
pub const REFRESH_MARGIN_SECS: i64 = 300;

/// IMDS's token cache: one token per (identity, resource as spelled). Pure data: time comes in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImdsCache {
    entries: Vec<(ClientId, RequestedResource, CachedToken)>,
}

impl ImdsCache {
    pub fn new() -> Self {
        ImdsCache::default()
    }

    /// The token to reuse, unless `bypass_cache` or it is within [`REFRESH_MARGIN_SECS`] of
    /// expiry.
    pub fn get(
        &self,
        identity: ClientId,
        resource: &RequestedResource,
        now: UnixTime,
        bypass_cache: bool,
    ) -> Option<&CachedToken> {
        if bypass_cache {
            return None;
        }
        self.entries
            .iter()
            .find(|(c, r, _)| *c == identity && r == resource)
            .map(|(_, _, t)| t)
            .filter(|t| t.expires_on.secs().saturating_sub(now.secs()) > REFRESH_MARGIN_SECS)
    }

    /// Stores (or replaces) the token for this identity and resource.
    pub fn insert(&mut self, identity: ClientId, resource: RequestedResource, token: CachedToken) {
        self.entries
            .retain(|(c, r, _)| !(*c == identity && *r == resource));
        self.entries.push((identity, resource, token));
    }

    /// Drops expired tokens.
    pub fn purge(&mut self, now: UnixTime) {
        self.entries.retain(|(_, _, t)| t.expires_on > now);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A monotonic time in milliseconds, for rate limiting (finer than [`UnixTime`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub u64);

/// IMDS's per-VM throttle as a token bucket plus a concurrency count (reference A.4):
/// "Requests to the Managed Identity category are limited to 20 requests per second and 5
/// concurrent requests"; other categories 5 per second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimiter {
    per_second: u64,
    max_concurrent: u32,
    /// Available tokens, in thousandths.
    milli_tokens: u64,
    last: Millis,
    in_flight: u32,
}

impl RateLimiter {
    /// A bucket of `per_second` tokens refilled continuously, and at most `max_concurrent`
    /// requests in flight. Starts full.
    pub fn new(per_second: u32, max_concurrent: u32, now: Millis) -> Self {
        RateLimiter {
            per_second: u64::from(per_second),
            max_concurrent,
            milli_tokens: u64::from(per_second) * 1000,
            last: now,
            in_flight: 0,
        }
    }

    /// The identity category: 20 per second, 5 concurrent.
    pub fn identity(now: Millis) -> Self {
        RateLimiter::new(20, 5, now)
    }

    /// Instance metadata: 5 per second.
    /// UNCONFIRMED: no concurrency limit is documented for it; 5 chosen.
    pub fn instance(now: Millis) -> Self {
        RateLimiter::new(5, 5, now)
    }

    /// Admits a request or answers 429. An admitted request must be closed with
    /// [`RateLimiter::finish`].
    pub fn try_begin(&mut self, now: Millis) -> Result<(), ImdsError> {
        let elapsed = now.0.saturating_sub(self.last.0);
        if now > self.last {
            self.last = now;
        }
        let capacity = self.per_second * 1000;
        self.milli_tokens = self
            .milli_tokens
            .saturating_add(elapsed.saturating_mul(self.per_second))
            .min(capacity);
        if self.in_flight >= self.max_concurrent || self.milli_tokens < 1000 {
            return Err(ImdsError::TooManyRequests);
        }
        self.milli_tokens -= 1000;
        self.in_flight += 1;
        Ok(())
    }

    /// A request admitted by [`RateLimiter::try_begin`] has been answered.
    pub fn finish(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }
}

/// `/metadata/identity/info`: the tenant of the VM's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInfo {
    pub tenant_id: TenantId,
}

/// The body of `/metadata/identity/info`: the system-assigned identity's tenant.
/// UNCONFIRMED: without a system-assigned identity we report the first user-assigned one's
/// tenant, and "Identity not found" when there is none.
pub fn identity_info(host: &ComputeHost, directory: &Directory) -> Result<IdentityInfo, ImdsError> {
    host_tenant(host, directory)
        .map(|tenant_id| IdentityInfo { tenant_id })
        .ok_or(ImdsError::IdentityNotFound)
}

fn host_tenant(host: &ComputeHost, directory: &Directory) -> Option<TenantId> {
    host.identity
        .system_assigned
        .map(|p| p.tenant_id)
        .or_else(|| {
            host.identity
                .user_assigned_identities
                .iter()
                .find_map(|id| directory.managed_identity(id))
                .map(|m| m.properties.tenant_id)
        })
}

/// `/metadata/versions` (unversioned).
pub fn versions() -> Value {
    json!({ "apiVersions": API_VERSIONS })
}

/// The segment after `name` in an ARM id (`subscriptions`, `resourceGroups`), case-insensitive.
fn arm_segment<'a>(id: &'a str, name: &str) -> &'a str {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(name) {
            return parts.next().unwrap_or("");
        }
    }
    ""
}

/// IMDS's name for a cloud (`azEnvironment`).
fn az_environment(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureCloud => "AzurePublicCloud",
        Cloud::AzureUSGovernment => "AzureUSGovernmentCloud",
        Cloud::AzureChinaCloud => "AzureChinaCloud",
    }
}

/// Namespace for the stable `vmId` derived from a host's ARM id.
const VM_ID_NAMESPACE: Guid = Guid::from_u128(0x6d6f636b_656e_7472_6176_6d6964000001);

/// `/metadata/instance/compute`: plausible ARM-like data for the host. As IMDS documents, every
/// primitive is a string and inapplicable values are present as empty strings.
pub fn instance_compute(host: &ComputeHost, directory: &Directory) -> Value {
    let id = host.id.as_str();
    let cloud = host_tenant(host, directory)
        .and_then(|t| directory.tenant(t))
        .map(|t| t.cloud)
        .unwrap_or_default();
    json!({
        "azEnvironment": az_environment(cloud),
        "extendedLocation": {"type": "", "name": ""},
        "evictionPolicy": "",
        "isHostCompatibilityLayerVm": "false",
        "licenseType": "",
        "location": host.location,
        "name": host.name,
        "offer": "0001-com-ubuntu-server-jammy",
        "osProfile": {"adminUsername": "azureuser", "computerName": host.name, "disablePasswordAuthentication": "true"},
        "osType": "Linux",
        "placementGroupId": "",
        "plan": {"name": "", "product": "", "publisher": ""},
        "platformFaultDomain": "0",
        "platformUpdateDomain": "0",
        "priority": "",
        "provider": "Microsoft.Compute",
        "publicKeys": [],
        "publisher": "canonical",
        "resourceGroupName": arm_segment(id, "resourceGroups"),
        "resourceId": id,
        "securityProfile": {"secureBootEnabled": "false", "virtualTpmEnabled": "false"},
        "sku": "22_04-lts-gen2",
        "subscriptionId": arm_segment(id, "subscriptions"),
        "tags": "",
        "tagsList": [],
        "userData": "",
        "version": "22.04.202401010",
        "vmId": Guid::derived(VM_ID_NAMESPACE, &id.to_ascii_lowercase()).to_string(),
        "vmScaleSetName": "",
        "vmSize": "Standard_B2s",
        "zone": "",
    })
}

/// `/metadata/instance`: `compute` plus a single-NIC `network`.
pub fn instance(host: &ComputeHost, directory: &Directory) -> Value {
    json!({
        "compute": instance_compute(host, directory),
        "network": {
            "interface": [{
                "ipv4": {
                    "ipAddress": [{"privateIpAddress": "10.0.0.4", "publicIpAddress": ""}],
                    "subnet": [{"address": "10.0.0.0", "prefix": "24"}],
                },
                "ipv6": {"ipAddress": []},
                "macAddress": "000D3A000001",
            }],
        },
    })
}

#[cfg(test)]
mod tests;
