//! Bearer tokens at the protected resources: the `Authorization` header, and the access-token
//! validation every resource (Resource Manager, Storage, Graph) applies before its own rules.

use serde_json::Value;

use crate::cloud::Cloud;
use crate::directory::{Directory, TokenVersion};
use crate::first_party;
use crate::ids::{ClientId, ObjectId, TenantId};
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
