//! The protected resources a federated flow ends at (Resource Manager, Storage, Graph devices):
//! real access-token validation and each resource's own answer and error shapes, so a client
//! cannot tell the mock's resources from Azure's.

use std::fmt::Write as _;

use serde_json::{Value, json};
use sha2::Digest as _;

use crate::cloud::Cloud;
use crate::directory::{Directory, RoleAssignment, Subscription, TokenVersion};
use crate::first_party;
use crate::ids::{ClientId, Guid, ObjectId, SubscriptionId, TenantId};
use crate::jose::Jwt;
use crate::keys::KeySet;
use crate::time::UnixTime;

/// How far `exp` and `nbf` may be off before a token is refused: 5 minutes, the default
/// `ClockSkew` of Microsoft.IdentityModel, which Resource Manager, Storage and Graph use.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// Which protected resource is validating the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Arm,
    Storage,
    Graph,
}

impl ResourceKind {
    /// The first-party application behind the resource.
    pub fn app(self) -> &'static first_party::FirstPartyApp {
        match self {
            ResourceKind::Arm => &first_party::AZURE_RESOURCE_MANAGER,
            ResourceKind::Storage => &first_party::AZURE_STORAGE,
            ResourceKind::Graph => &first_party::MICROSOFT_GRAPH,
        }
    }

    /// The `aud` values a v1 token for this resource may carry in `cloud` (without trailing
    /// slash; one is tolerated).
    fn v1_audiences(self, cloud: Cloud) -> Vec<String> {
        match self {
            ResourceKind::Arm => {
                let legacy = match cloud {
                    Cloud::AzureCloud => "https://management.core.windows.net",
                    Cloud::AzureUSGovernment => "https://management.core.usgovcloudapi.net",
                    Cloud::AzureChinaCloud => "https://management.core.chinacloudapi.cn",
                };
                vec![cloud.arm_endpoint().to_owned(), legacy.to_owned()]
            }
            // UNCONFIRMED: `https://storage.azure.com` is the Storage resource in every cloud.
            ResourceKind::Storage => vec!["https://storage.azure.com".to_owned()],
            ResourceKind::Graph => vec![
                cloud.graph_endpoint().to_owned(),
                first_party::MICROSOFT_GRAPH.app_id.to_string(),
            ],
        }
    }

    fn accepts_audience(self, aud: &str, cloud: Cloud, version: TokenVersion) -> bool {
        let app_id = self.app().app_id.to_string();
        match version {
            // v2: "always the client ID of the API" (reference E.2).
            TokenVersion::V2 => aud.eq_ignore_ascii_case(&app_id),
            TokenVersion::V1 => {
                let trimmed = aud.strip_suffix('/').unwrap_or(aud);
                self.v1_audiences(cloud)
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(trimmed))
            }
        }
    }
}

/// Which issuers the resources trust: those this mock issues. Implemented for
/// [`EntraIssuers`] and for any `Fn(&str) -> Option<(Cloud, TenantId, TokenVersion)>`, so
/// the server can plug in its issuer mode (Entra-exact or on its own URL).
pub trait IssuerPolicy {
    /// The cloud, tenant and token version of `iss`, if it is an issuer this mock issues.
    fn accepts(&self, iss: &str) -> Option<(Cloud, TenantId, TokenVersion)>;
}

impl<F> IssuerPolicy for F
where
    F: Fn(&str) -> Option<(Cloud, TenantId, TokenVersion)>,
{
    fn accepts(&self, iss: &str) -> Option<(Cloud, TenantId, TokenVersion)> {
        self(iss)
    }
}

/// Entra's exact issuers: `https://sts.windows.net/{tid}/` (v1) and
/// `https://login.microsoftonline.com/{tid}/v2.0` (v2), per cloud (reference G). Host aliases are
/// refused: Entra never puts them in `iss`.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntraIssuers;

impl IssuerPolicy for EntraIssuers {
    fn accepts(&self, iss: &str) -> Option<(Cloud, TenantId, TokenVersion)> {
        let (cloud, tenant) = Cloud::of_entra_issuer(iss)?;
        if cloud.v2_issuer(tenant).as_str() == iss {
            Some((cloud, tenant, TokenVersion::V2))
        } else if cloud.v1_issuer(tenant).as_str() == iss {
            Some((cloud, tenant, TokenVersion::V1))
        } else {
            None
        }
    }
}

/// What a resource learns from a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenClaims {
    /// `tid`: the tenant the token was issued in (the resource tenant in a cross-tenant flow).
    pub tenant: TenantId,
    pub cloud: Cloud,
    pub version: TokenVersion,
    /// `oid`: the caller's service principal in `tenant`.
    pub object_id: ObjectId,
    /// `appid` (v1) or `azp` (v2).
    pub app_id: ClientId,
    /// `roles`: application permissions granted to the caller on this resource.
    pub roles: Vec<String>,
    pub issuer: String,
    pub audience: String,
    pub expires_at: UnixTime,
}

impl AccessTokenClaims {
    pub fn has_any_role(&self, wanted: &[&str]) -> bool {
        self.roles.iter().any(|r| wanted.contains(&r.as_str()))
    }
}

/// Why a resource refused an access token. Each resource renders it in its own shape
/// ([`ArmError::from_auth`], [`StorageError::from_auth`], `GraphError::from_auth`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceAuthError {
    #[error("no bearer token")]
    MissingToken,
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is not a compact JWS")]
    Malformed,
    #[error("'{0}' is not RS256")]
    UnsupportedAlgorithm(String),
    #[error("the header names no key this issuer publishes")]
    UnknownKey,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("the token expired at {expired_at}")]
    Expired { expired_at: UnixTime, now: UnixTime },
    #[error("the token is not valid before {not_before}")]
    NotYetValid { not_before: UnixTime, now: UnixTime },
    #[error("the token was issued for '{0}'")]
    InvalidAudience(String),
    #[error("'{0}' is not an issuer of this mock")]
    InvalidIssuer(String),
    #[error("tenant {0} does not exist")]
    UnknownTenant(TenantId),
    #[error("the token lacks claim '{0}'")]
    MissingClaim(&'static str),
    #[error("the token's sub is not its oid")]
    SubjectNotObject,
}

/// Reads `Authorization: Bearer <token>` (scheme case-insensitive).
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, ResourceAuthError> {
    let header = authorization
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(ResourceAuthError::MissingToken)?;
    let (scheme, token) = header.split_once(' ').ok_or(ResourceAuthError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ResourceAuthError::NotBearer);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ResourceAuthError::MissingToken);
    }
    Ok(token)
}

/// Validates an access token for `expected`, as the resource would: RS256 only, signature by a
/// live key of `keys` chosen by `kid` (never `jku`/`x5u`/`x5c`), `exp`/`nbf` within
/// [`CLOCK_SKEW_SECS`], `aud` one of the resource's, `iss` one `issuers` accepts, whose tenant
/// exists in `dir`, lives in the issuer's cloud and equals `tid`.
pub fn validate_access_token(
    token: &str,
    expected: ResourceKind,
    dir: &Directory,
    keys: &KeySet,
    issuers: &dyn IssuerPolicy,
    now: UnixTime,
) -> Result<AccessTokenClaims, ResourceAuthError> {
    if token.trim().is_empty() {
        return Err(ResourceAuthError::MissingToken);
    }
    let jwt = Jwt::decode(token).map_err(|_| ResourceAuthError::Malformed)?;
    match jwt.alg() {
        Some("RS256") => {}
        other => {
            return Err(ResourceAuthError::UnsupportedAlgorithm(
                other.unwrap_or_default().to_owned(),
            ));
        }
    }
    // Only `kid` selects the key (KeySet::find would also take `x5t`).
    let kid = jwt.kid().ok_or(ResourceAuthError::UnknownKey)?;
    let key = keys
        .published()
        .iter()
        .find(|k| k.kid().as_str() == kid && k.is_live(now))
        .ok_or(ResourceAuthError::UnknownKey)?;
    // Graph tokens may carry Graph's `nonce` header: the signature covers the header with the
    // nonce's SHA-256 in its place, so Graph (and only Graph) verifies that form.
    let graph_view = match jwt.header().get("nonce").and_then(Value::as_str) {
        Some(raw) if expected == ResourceKind::Graph => {
            let header = crate::token::with_nonce(
                &Value::Object(jwt.header().clone()),
                &crate::token::graph_nonce_digest(raw),
            );
            let (_, rest) = token.split_once('.').ok_or(ResourceAuthError::Malformed)?;
            let header = serde_json::to_vec(&header).map_err(|_| ResourceAuthError::Malformed)?;
            let rebuilt = format!("{}.{rest}", crate::jose::b64url(&header));
            Some(Jwt::decode(&rebuilt).map_err(|_| ResourceAuthError::Malformed)?)
        }
        _ => None,
    };
    keys.check_signature(key, graph_view.as_ref().unwrap_or(&jwt))
        .map_err(|_| ResourceAuthError::BadSignature)?;

    let expires_at = jwt
        .time_claim("exp")
        .ok_or(ResourceAuthError::MissingClaim("exp"))?;
    if now.minus(CLOCK_SKEW_SECS) >= expires_at {
        return Err(ResourceAuthError::Expired {
            expired_at: expires_at,
            now,
        });
    }
    if let Some(not_before) = jwt.time_claim("nbf")
        && now.plus(CLOCK_SKEW_SECS) < not_before
    {
        return Err(ResourceAuthError::NotYetValid { not_before, now });
    }
    // UNCONFIRMED: a token issued in the future (beyond the skew) is refused as not yet valid;
    // Entra never issues one, and a far-future `iat` is how forged tokens stretch their life.
    if let Some(issued_at) = jwt.time_claim("iat")
        && now.plus(CLOCK_SKEW_SECS) < issued_at
    {
        return Err(ResourceAuthError::NotYetValid {
            not_before: issued_at,
            now,
        });
    }

    let issuer = jwt
        .str_claim("iss")
        .ok_or(ResourceAuthError::MissingClaim("iss"))?;
    let (cloud, issuer_tenant, version) = issuers
        .accepts(issuer)
        .ok_or_else(|| ResourceAuthError::InvalidIssuer(issuer.to_owned()))?;

    let audiences = jwt.audiences();
    let audience = match audiences.as_slice() {
        [one] => *one,
        [] => return Err(ResourceAuthError::MissingClaim("aud")),
        many => {
            return Err(ResourceAuthError::InvalidAudience(many.join(",")));
        }
    };
    if !expected.accepts_audience(audience, cloud, version) {
        return Err(ResourceAuthError::InvalidAudience(audience.to_owned()));
    }

    let tenant = jwt
        .str_claim("tid")
        .and_then(TenantId::parse)
        .ok_or(ResourceAuthError::MissingClaim("tid"))?;
    if tenant != issuer_tenant {
        return Err(ResourceAuthError::InvalidIssuer(issuer.to_owned()));
    }
    match dir.tenant(tenant) {
        Some(t) if t.cloud == cloud => {}
        Some(_) => return Err(ResourceAuthError::InvalidIssuer(issuer.to_owned())),
        None => return Err(ResourceAuthError::UnknownTenant(tenant)),
    }
    let object_id = jwt
        .str_claim("oid")
        .and_then(ObjectId::parse)
        .ok_or(ResourceAuthError::MissingClaim("oid"))?;
    // App-only tokens carry `sub` = `oid` (reference E.3). UNCONFIRMED that resources check it;
    // a token where they differ, or without `sub`, was not issued by Entra.
    match jwt.str_claim("sub") {
        None => return Err(ResourceAuthError::MissingClaim("sub")),
        Some(sub) if ObjectId::parse(sub) != Some(object_id) || sub.trim() != sub => {
            return Err(ResourceAuthError::SubjectNotObject);
        }
        Some(_) => {}
    }
    let app_claim = match version {
        TokenVersion::V1 => "appid",
        TokenVersion::V2 => "azp",
    };
    let app_id = jwt
        .str_claim(app_claim)
        .and_then(ClientId::parse)
        .ok_or(ResourceAuthError::MissingClaim(app_claim))?;
    let roles = match jwt.claims().get("roles") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    Ok(AccessTokenClaims {
        tenant,
        cloud,
        version,
        object_id,
        app_id,
        roles,
        issuer: issuer.to_owned(),
        audience: audience.to_owned(),
        expires_at,
    })
}

// ------------------------------------------------------------------------------------------------
// Azure Resource Manager
// ------------------------------------------------------------------------------------------------

/// An ARM error: status, the `{"error":{"code","message"}}` envelope, and for 401s the
/// `WWW-Authenticate` value the server sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub www_authenticate: Option<String>,
}

impl ArmError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code,
            message: message.into(),
            www_authenticate: None,
        }
    }

    fn unauthorized(code: &'static str, message: String, authority_tenant: &str) -> Self {
        // ARM's challenge names the login.windows.net authority and repeats the message.
        let www = format!(
            "Bearer authorization_uri=\"https://login.windows.net/{authority_tenant}\", error=\"invalid_token\", error_description=\"{}\"",
            message.replace('"', "'")
        );
        ArmError {
            status: 401,
            code,
            message,
            www_authenticate: Some(www),
        }
    }

    /// `{"error":{"code":…,"message":…}}`.
    pub fn to_body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }

    /// ARM's answer to a refused token. `subscription_tenant` (the tenant of the subscription in
    /// the URL, when known) goes into the challenge's authority, else `common`.
    pub fn from_auth(err: &ResourceAuthError, subscription_tenant: Option<TenantId>) -> Self {
        let authority = subscription_tenant.map_or_else(|| "common".to_owned(), |t| t.to_string());
        let (code, message) = match err {
            ResourceAuthError::MissingToken | ResourceAuthError::NotBearer => (
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.".to_owned(),
            ),
            ResourceAuthError::Expired { expired_at, now } => (
                "ExpiredAuthenticationToken",
                format!(
                    "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                    dotnet_utc(*expired_at),
                    dotnet_utc(*now)
                ),
            ),
            // UNCONFIRMED code and wording: ARM's audience failure as seen in CLI/SDK issues.
            ResourceAuthError::InvalidAudience(aud) => (
                "InvalidAuthenticationTokenAudience",
                format!(
                    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
                ),
            ),
            // UNCONFIRMED wording for signature, algorithm, issuer and shape failures: ARM's
            // generic "The access token is invalid.".
            _ => (
                "InvalidAuthenticationToken",
                "The access token is invalid.".to_owned(),
            ),
        };
        ArmError::unauthorized(code, message, &authority)
    }
}

/// `8/18/2025 3:26:14 PM`: .NET's invariant `G` format, which ARM prints in
/// ExpiredAuthenticationToken.
fn dotnet_utc(t: UnixTime) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(t.secs())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (hour12, ampm) = match dt.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {}",
        u8::from(dt.month()),
        dt.day(),
        dt.year(),
        hour12,
        dt.minute(),
        dt.second(),
        ampm
    )
}

/// The subscription with this id, and the tenant holding it.
pub fn find_subscription<'d>(
    dir: &'d Directory,
    subscription_id: &str,
) -> Option<(TenantId, &'d Subscription)> {
    let id = SubscriptionId::parse(subscription_id)?;
    dir.tenants.iter().find_map(|t| {
        t.subscriptions
            .iter()
            .find(|s| s.subscription_id == id)
            .map(|s| (t.id, s))
    })
}

/// Control-plane roles whose actions include `*/read` (so `resourcegroups/read`). Data-plane
/// roles (`Storage Blob Data Reader`…) grant nothing here.
// UNCONFIRMED: a fixed list of built-in roles stands in for role definitions; any other name
// ending in "Reader", "Contributor" or "Owner" without "Data" counts too.
fn grants_resource_group_read(role: &str) -> bool {
    let r = role.trim();
    if r.contains("Data") {
        return false;
    }
    [
        "Reader",
        "Contributor",
        "Owner",
        "User Access Administrator",
    ]
    .iter()
    .any(|known| r.eq_ignore_ascii_case(known))
        || r.ends_with("Reader")
        || r.ends_with("Contributor")
        || r.ends_with("Owner")
}

fn scope_eq(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// `GET /subscriptions/{id}/resourcegroups?api-version=…` for a caller whose token already
/// passed [`validate_access_token`].
///
/// RBAC: a read role at the subscription (or `/`) lists every group; read roles on individual
/// groups list just those (seed 002: Reader on NetworkWatcherRG lists NetworkWatcherRG only);
/// no read role anywhere in the subscription is 403 AuthorizationFailed.
pub fn list_resource_groups(
    dir: &Directory,
    subscription_id: &str,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    if api_version.is_none_or(|v| v.trim().is_empty()) {
        return Err(ArmError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    if SubscriptionId::parse(subscription_id).is_none() {
        return Err(ArmError::new(
            400,
            "InvalidSubscriptionId",
            format!(
                "The provided subscription identifier '{subscription_id}' is malformed or invalid."
            ),
        ));
    }
    let Some((sub_tenant, sub)) = find_subscription(dir, subscription_id) else {
        return Err(ArmError::new(
            404,
            "SubscriptionNotFound",
            format!("The subscription '{subscription_id}' could not be found."),
        ));
    };
    if claims.tenant != sub_tenant {
        let cloud = dir.tenant(sub_tenant).map(|t| t.cloud).unwrap_or_default();
        let message = format!(
            "The access token is from the wrong issuer '{}'. It must match the tenant '{}' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/{sub_tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
            claims.issuer,
            cloud.v1_issuer(sub_tenant)
        );
        return Err(ArmError::unauthorized(
            "InvalidAuthenticationTokenTenant",
            message,
            &sub_tenant.to_string(),
        ));
    }

    let sub_scope = format!("/subscriptions/{}", sub.subscription_id);
    let mine: Vec<&RoleAssignment> = sub
        .role_assignments
        .iter()
        .filter(|a| {
            a.principal_id == claims.object_id
                && grants_resource_group_read(&a.role_definition_name)
        })
        .collect();
    let whole = mine
        .iter()
        .any(|a| scope_eq(&a.scope, &sub_scope) || a.scope.trim() == "/");
    let readable: Vec<_> = sub
        .resource_groups
        .iter()
        .filter(|rg| {
            whole
                || mine
                    .iter()
                    .any(|a| scope_eq(&a.scope, &format!("{sub_scope}/resourceGroups/{}", rg.name)))
        })
        .collect();
    if readable.is_empty() && !whole {
        // UNCONFIRMED: ARM's SP wording repeats the object id where a user's shows the UPN.
        return Err(ArmError::new(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{oid}' with object id '{oid}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourcegroups/read' over scope '{sub_scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                oid = claims.object_id
            ),
        ));
    }
    let value: Vec<Value> = readable
        .iter()
        .map(|rg| {
            json!({
                "id": format!("{sub_scope}/resourceGroups/{}", rg.name),
                "name": rg.name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": rg.location,
                "properties": {"provisioningState": "Succeeded"},
            })
        })
        .collect();
    Ok(json!({ "value": value }))
}

// ------------------------------------------------------------------------------------------------
// Azure Storage (Blob)
// ------------------------------------------------------------------------------------------------

/// A Storage error: status, `<Error><Code/><Message/>…</Error>`, and the challenge for 401s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub status: u16,
    pub code: &'static str,
    /// The first line of `<Message>`; `RequestId:` and `Time:` lines are added by
    /// [`StorageError::to_xml`].
    pub message: &'static str,
    /// `<AuthenticationErrorDetail>` of authentication failures.
    pub authentication_error_detail: Option<String>,
    pub www_authenticate: Option<String>,
}

const STORAGE_AUTH_FAILED: &str = "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";

impl StorageError {
    fn new(status: u16, code: &'static str, message: &'static str) -> Self {
        StorageError {
            status,
            code,
            message,
            authentication_error_detail: None,
            www_authenticate: None,
        }
    }

    fn challenge(authority_tenant: &str) -> String {
        // Storage's bearer challenge: unquoted values, space separated.
        format!(
            "Bearer authorization_uri=https://login.microsoftonline.com/{authority_tenant}/oauth2/authorize resource_id=https://storage.azure.com"
        )
    }

    /// Storage's answer to a refused token; `account_tenant` (the tenant of the account in the
    /// URL, when known) goes into the challenge.
    pub fn from_auth(err: &ResourceAuthError, account_tenant: Option<TenantId>) -> Self {
        let authority = account_tenant.map_or_else(|| "common".to_owned(), |t| t.to_string());
        let (code, detail) = match err {
            ResourceAuthError::MissingToken => ("NoAuthenticationInformation", None),
            ResourceAuthError::Expired { .. } => (
                "InvalidAuthenticationInfo",
                Some("Lifetime validation failed. The token is expired.".to_owned()),
            ),
            ResourceAuthError::NotYetValid { .. } => (
                "InvalidAuthenticationInfo",
                Some("Lifetime validation failed. The token is not yet valid.".to_owned()),
            ),
            ResourceAuthError::InvalidAudience(_) => (
                "InvalidAuthenticationInfo",
                Some("Audience validation failed. Audience did not match.".to_owned()),
            ),
            ResourceAuthError::InvalidIssuer(_) | ResourceAuthError::UnknownTenant(_) => (
                "InvalidAuthenticationInfo",
                Some("Issuer validation failed. Issuer did not match.".to_owned()),
            ),
            ResourceAuthError::UnknownKey | ResourceAuthError::BadSignature => (
                "InvalidAuthenticationInfo",
                // UNCONFIRMED wording: Storage relays the IdentityModel reason.
                Some("Signature validation failed. Signature is invalid.".to_owned()),
            ),
            _ => (
                "InvalidAuthenticationInfo",
                Some("Signature validation failed. The token is malformed.".to_owned()),
            ),
        };
        StorageError {
            status: 401,
            code,
            message: STORAGE_AUTH_FAILED,
            authentication_error_detail: detail,
            www_authenticate: Some(Self::challenge(&authority)),
        }
    }

    /// The XML body. `request_id` is the `x-ms-request-id` the server sends; `now` the `Time:`.
    pub fn to_xml(&self, request_id: RequestId, now: UnixTime) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>");
        out.push_str(self.code);
        out.push_str("</Code><Message>");
        out.push_str(&xml_escape(self.message));
        let _ = write!(
            out,
            "\nRequestId:{request_id}\nTime:{}</Message>",
            now.entra_iso()
        );
        if let Some(detail) = &self.authentication_error_detail {
            let _ = write!(
                out,
                "<AuthenticationErrorDetail>{}</AuthenticationErrorDetail>",
                xml_escape(detail)
            );
        }
        out.push_str("</Error>");
        out
    }
}

/// A request id chosen by the caller (`x-ms-request-id` of Storage, `request-id` of Graph).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub Guid);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestId({})", self.0)
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The account with this name, and the tenant holding it.
pub fn find_storage_account<'d>(
    dir: &'d Directory,
    account: &str,
) -> Option<(TenantId, Cloud, &'d crate::directory::StorageAccount)> {
    dir.tenants.iter().find_map(|t| {
        t.storage_accounts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(account))
            .map(|a| (t.id, t.cloud, a))
    })
}

fn blob_endpoint_suffix(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureCloud => "blob.core.windows.net",
        Cloud::AzureUSGovernment => "blob.core.usgovcloudapi.net",
        Cloud::AzureChinaCloud => "blob.core.chinacloudapi.cn",
    }
}

/// The first version of the Blob service that accepts OAuth bearer tokens.
const FIRST_OAUTH_VERSION: &str = "2017-11-09";

/// `GET https://{account}.blob.core.windows.net/{container}?restype=container&comp=list` for a
/// caller whose token already passed [`validate_access_token`]. Returns the
/// `EnumerationResults` XML.
pub fn list_blobs(
    dir: &Directory,
    account: &str,
    container: &str,
    claims: &AccessTokenClaims,
    x_ms_version: Option<&str>,
) -> Result<String, StorageError> {
    // UNCONFIRMED status: Storage answers bearer auth without (or below) x-ms-version
    // 2017-11-09 with AuthenticationFailed, whose documented status is 403 (observed bodies
    // carry this detail; no capture shows the status line).
    let version_ok = x_ms_version
        .map(str::trim)
        .is_some_and(|v| v.len() == 10 && v >= FIRST_OAUTH_VERSION);
    if !version_ok {
        return Err(StorageError {
            status: 403,
            code: "AuthenticationFailed",
            message: "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
            authentication_error_detail: Some(
                "Authentication scheme Bearer is not supported in this version.".to_owned(),
            ),
            www_authenticate: None,
        });
    }
    // UNCONFIRMED: an unknown account is a DNS failure in Azure; the mock answers 404.
    let Some((account_tenant, cloud, acct)) = find_storage_account(dir, account) else {
        return Err(StorageError::new(
            404,
            "ResourceNotFound",
            "The specified resource does not exist.",
        ));
    };
    if claims.tenant != account_tenant {
        return Err(StorageError::from_auth(
            &ResourceAuthError::InvalidIssuer(claims.issuer.clone()),
            Some(account_tenant),
        ));
    }
    if !acct.blob_readers.contains(&claims.object_id) {
        return Err(StorageError::new(
            403,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        ));
    }
    let Some(cont) = acct
        .containers
        .iter()
        .find(|c| c.name == container.to_ascii_lowercase())
    else {
        return Err(StorageError::new(
            404,
            "ContainerNotFound",
            "The specified container does not exist.",
        ));
    };

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = write!(
        out,
        "<EnumerationResults ServiceEndpoint=\"https://{}.{}/\" ContainerName=\"{}\"><Blobs>",
        xml_escape(&acct.name),
        blob_endpoint_suffix(cloud),
        xml_escape(&cont.name)
    );
    let mut blobs: Vec<_> = cont.blobs.iter().collect();
    blobs.sort_by(|a, b| a.name.cmp(&b.name));
    for blob in blobs {
        let _ = write!(
            out,
            "<Blob><Name>{}</Name><Properties><Creation-Time>{BLOB_TIME}</Creation-Time><Last-Modified>{BLOB_TIME}</Last-Modified><Etag>{}</Etag><Content-Length>{}</Content-Length><Content-Type>{}</Content-Type><Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties><OrMetadata /></Blob>",
            xml_escape(&blob.name),
            blob_etag(&blob.content),
            blob.content.len(),
            content_type(&blob.name),
        );
    }
    out.push_str("</Blobs><NextMarker /></EnumerationResults>");
    Ok(out)
}

/// The scenario has no blob timestamps; every blob reads as created at this fixed time.
// UNCONFIRMED: a constant keeps listings deterministic.
const BLOB_TIME: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

/// `0x8DC…`: Storage's ETag shape, derived from the content so it changes when the blob does.
fn blob_etag(content: &str) -> String {
    let digest = sha2::Sha256::digest(content.as_bytes());
    let mut hex = String::from("0x8D");
    for b in digest.iter().take(7) {
        let _ = write!(hex, "{b:02X}");
    }
    hex.truncate(17);
    hex
}

/// UNCONFIRMED: Storage stores whatever Content-Type the uploader set; the mock infers it.
fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt" | "log" | "md") => "text/plain",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("xml") => "application/xml",
        Some("html" | "htm") => "text/html",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests;
