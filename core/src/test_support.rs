//! Shared test fixtures: the default scenario and access tokens signed with the fixture key,
//! built here rather than by `token.rs` so resource tests stand on their own.

use serde_json::{Value, json};

use crate::directory::Directory;
use crate::ids::TenantId;
use crate::keys::{KeySet, sign_jwt, test_keys};
use crate::resource::{AccessTokenClaims, EntraIssuers, ResourceKind, validate_access_token};
use crate::time::UnixTime;

pub(crate) const DEFAULT: &str = include_str!("../../scenarios/default.json");

/// 2026-01-15 12:00:00Z.
pub(crate) const NOW: UnixTime = UnixTime(1_768_478_400);

pub(crate) const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
pub(crate) const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
pub(crate) const FABRIKAM: &str = "7a1d3c5e-9b2f-4e6a-8c0d-1f3e5a7b9c24";
/// "Multi-Tenant Example App".
pub(crate) const MULTI_APP: &str = "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f";
/// Its service principal in Litware.
pub(crate) const MULTI_SP_LITWARE: &str = "9b5c2d4e-6f7a-4b8c-9d0e-1f2a3b4c5477";
/// Its service principal in Contoso.
pub(crate) const MULTI_SP_CONTOSO: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

pub(crate) fn directory() -> Directory {
    serde_json::from_str(DEFAULT).expect("default scenario")
}

pub(crate) fn tid(s: &str) -> TenantId {
    TenantId::parse(s).expect("tenant id")
}

/// v1 app-only claims as Entra issues them for a resource (reference E.3).
pub(crate) fn v1_claims(tenant: &str, aud: &str, app_id: &str, oid: &str, roles: &[&str]) -> Value {
    let mut c = json!({
        "aud": aud,
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "iat": NOW.secs() - 300,
        "nbf": NOW.secs() - 300,
        "exp": NOW.secs() + 3600,
        "appid": app_id,
        "appidacr": "2",
        "idp": format!("https://sts.windows.net/{tenant}/"),
        "idtyp": "app",
        "oid": oid,
        "sub": oid,
        "tid": tenant,
        "ver": "1.0",
    });
    if !roles.is_empty() {
        c["roles"] = json!(roles);
    }
    c
}

pub(crate) fn sign(claims: &Value) -> String {
    sign_with_header(claims, None)
}

pub(crate) fn sign_with_header(claims: &Value, header: Option<Value>) -> String {
    let keys = test_keys::key_set();
    let signer = keys.signer().expect("fixture signer");
    let header = header.unwrap_or_else(
        || json!({"typ":"JWT","alg":"RS256","x5t":signer.key_id().as_str(),"kid":signer.key_id().as_str()}),
    );
    sign_jwt(signer, &header, claims)
}

pub(crate) fn keys() -> KeySet {
    test_keys::key_set()
}

/// Validated claims of a freshly signed token, for tests of the operations behind validation.
pub(crate) fn caller(kind: ResourceKind, claims: &Value) -> AccessTokenClaims {
    validate_access_token(
        &sign(claims),
        kind,
        &directory(),
        &keys(),
        &EntraIssuers,
        NOW,
    )
    .expect("test token validates")
}

/// Validated Graph claims for an app in `tenant`.
pub(crate) fn graph_caller(tenant: &str, oid: &str, roles: &[&str]) -> AccessTokenClaims {
    caller(
        ResourceKind::Graph,
        &v1_claims(tenant, "https://graph.microsoft.com", MULTI_APP, oid, roles),
    )
}
