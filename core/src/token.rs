//! The shapes of the access tokens Entra issues (reference E): managed-identity tokens (the FIC
//! assertion for `api://AzureADTokenExchange` and tokens for any other resource) and app-only
//! tokens from `client_credentials`.
//!
//! The resource decides the version (E.2): first-party Azure resources get v1 tokens, the token
//! exchange app v2, custom APIs whatever `api.requestedAccessTokenVersion` says. Everything a
//! token carries comes from the [`Directory`] and the [`Env`]; the same inputs give the same bytes.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::cloud::Cloud;
use crate::directory::{
    AppRole, Directory, ManagedIdentityProperties, ServicePrincipal, Tenant, TokenVersion,
};
use crate::error::{Aadsts, EntraError};
use crate::first_party;
use crate::ids::{ArmResourceId, ClientId, Guid, Issuer, ObjectId, TenantId, TraceIds};
use crate::jose::b64url;
use crate::keys::{KeySet, sign_jwt};
use crate::managed_identity::SelectedIdentity;
use crate::time::UnixTime;

/// Entra back-dates `iat` and `nbf` by five minutes (E.3: `exp − iat` = 86700 for a 24 h MI
/// token).
pub const BACKDATE_SECS: i64 = 300;
/// Lifetime of managed-identity tokens (IMDS `expires_in` "86400").
pub const MANAGED_IDENTITY_LIFETIME_SECS: i64 = 86_400;
/// Lifetime of an app-only token without CAE (`expires_in` 3599).
pub const APP_TOKEN_LIFETIME_SECS: i64 = 3_599;
/// Lifetime of an app-only token when the client declares the CAE capability `cp1`
/// (`expires_in` 86399, reference D.2).
pub const CAE_APP_TOKEN_LIFETIME_SECS: i64 = 86_399;
/// `tenant_region_scope` of a tenant, in discovery documents and Graph tokens alike.
/// UNCONFIRMED: real tenants say `NA`, `EU`, `WW`...; scenarios have no region, so every tenant
/// is worldwide.
pub const TENANT_REGION_SCOPE: &str = "WW";
/// `wids` of an app-only Graph token: the directory role template "Default Access" that every
/// service principal holds (2024-2026 captures).
pub const APP_ONLY_WIDS: &str = "0997a1d0-0d1d-4acb-b408-d5ca73121e90";

/// Which issuer strings the emulator writes into tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IssuerMode {
    /// Entra's exact issuers for the tenant's cloud (`https://login.microsoftonline.com/{tid}/v2.0`,
    /// `https://sts.windows.net/{tid}/`): what SDKs and validators expect from real Azure.
    #[default]
    Entra,
    /// Issuers on the mock's own URL (`{base}/{tid}/v2.0`, `{base}/{tid}/`), for validators that
    /// require `iss` to equal the discovery document's issuer on the host they fetched it from.
    Mock { base_url: String },
}

impl IssuerMode {
    fn base(base_url: &str) -> &str {
        base_url.trim_end_matches('/')
    }

    /// The `iss` of v1.0 tokens for `tid`.
    pub fn v1_issuer(&self, cloud: Cloud, tid: TenantId) -> Issuer {
        match self {
            IssuerMode::Entra => cloud.v1_issuer(tid),
            IssuerMode::Mock { base_url } => Issuer(format!("{}/{tid}/", Self::base(base_url))),
        }
    }

    /// The `iss` of v2.0 tokens for `tid`.
    pub fn v2_issuer(&self, cloud: Cloud, tid: TenantId) -> Issuer {
        match self {
            IssuerMode::Entra => cloud.v2_issuer(tid),
            IssuerMode::Mock { base_url } => Issuer(format!("{}/{tid}/v2.0", Self::base(base_url))),
        }
    }

    /// The issuer of `version` tokens for `tid`.
    pub fn issuer(&self, version: TokenVersion, cloud: Cloud, tid: TenantId) -> Issuer {
        match version {
            TokenVersion::V1 => self.v1_issuer(cloud, tid),
            TokenVersion::V2 => self.v2_issuer(cloud, tid),
        }
    }

    /// Recognises an issuer this emulator issues, exactly as it writes it (no host aliases, no
    /// missing trailing slash).
    ///
    /// The v1 issuer of US Government is `sts.windows.net`, the same as the public cloud's, so a
    /// v1 `sts.windows.net` issuer is reported as [`Cloud::AzureCloud`]. In `Mock` mode the issuer
    /// carries no cloud at all and [`Cloud::AzureCloud`] is reported too: callers that care use
    /// the tenant's own cloud from the directory.
    pub fn accepts(&self, iss: &str) -> Option<(Cloud, TenantId, TokenVersion)> {
        match self {
            IssuerMode::Entra => {
                let (_, tid) = Cloud::of_entra_issuer(iss)?;
                Cloud::ALL.iter().find_map(|&cloud| {
                    if cloud.v2_issuer(tid).as_str() == iss {
                        Some((cloud, tid, TokenVersion::V2))
                    } else if cloud.v1_issuer(tid).as_str() == iss {
                        Some((cloud, tid, TokenVersion::V1))
                    } else {
                        None
                    }
                })
            }
            IssuerMode::Mock { base_url } => {
                let rest = iss.strip_prefix(Self::base(base_url))?.strip_prefix('/')?;
                let (tid, tail) = rest.split_once('/')?;
                let tid = TenantId::parse(tid)?;
                // Only the canonical lowercase spelling is one the emulator writes.
                if rest.split('/').next() != Some(tid.to_string().as_str()) {
                    return None;
                }
                match tail {
                    "" => Some((Cloud::AzureCloud, tid, TokenVersion::V1)),
                    "v2.0" => Some((Cloud::AzureCloud, tid, TokenVersion::V2)),
                    _ => None,
                }
            }
        }
    }
}

/// Everything ambient a token needs, passed explicitly.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: UnixTime,
    pub trace: TraceIds,
    /// The token's unique id: `uti`; `aio` and `rh` are derived from it.
    pub token_id: Guid,
    pub keys: &'a KeySet,
    pub issuers: &'a IssuerMode,
}

/// A signed access token and the values its response reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    /// The token's `iat` (Entra back-dates it by [`BACKDATE_SECS`]; compute `expires_in` from
    /// `Env::now`, not from this).
    pub issued_at: UnixTime,
    /// The token's `nbf` (= `iat`).
    pub not_before: UnixTime,
    /// The token's `exp`.
    pub expires_on: UnixTime,
    pub version: TokenVersion,
    /// The resource as the request named it (IMDS `resource`, or the scope without `/.default`).
    pub resource: String,
    /// `appid`/`azp`: the client the token was issued to.
    pub client_id: ClientId,
}

/// A resource a token can be issued for, as found in one tenant.
#[derive(Debug, Clone)]
pub struct ResourceApp<'d> {
    pub app_id: ClientId,
    pub display_name: String,
    /// Decided by the resource (E.2).
    pub version: TokenVersion,
    /// The resource's service principal in the token's tenant.
    pub service_principal: Cow<'d, ServicePrincipal>,
    /// Roles the resource exposes (its SP's, else its application's, else first-party roles).
    pub app_roles: Vec<AppRole>,
}

impl ResourceApp<'_> {
    /// The `aud` of a token for this resource: v1 echoes the requested spelling, v2 is always the
    /// resource's app id (E.3).
    pub fn audience(&self, requested: &str) -> String {
        match self.version {
            TokenVersion::V1 => requested.to_owned(),
            TokenVersion::V2 => self.app_id.to_string(),
        }
    }
}

/// Finds the resource `resource` names in `tenant`: a first-party app (which exists in every
/// tenant), or an application whose identifier URI or app id it is and that has a service
/// principal in `tenant`. Otherwise AADSTS500011.
///
/// Identifier URIs compare case-insensitively and without a trailing slash, like
/// [`first_party::by_resource`]. UNCONFIRMED: Entra's exact normalisation of custom identifier
/// URIs.
pub fn resolve_resource<'d>(
    dir: &'d Directory,
    tenant: &'d Tenant,
    resource: &str,
) -> Result<ResourceApp<'d>, EntraError> {
    let not_found = || {
        EntraError::new(
            Aadsts::ResourceNotFound,
            [resource.to_owned(), tenant.display_name.clone()],
        )
    };
    let wanted = resource.trim().trim_end_matches('/');
    if wanted.is_empty() {
        return Err(not_found());
    }
    if let Some(fp) = first_party::by_resource(wanted) {
        let sp = tenant.service_principal(fp.app_id).ok_or_else(not_found)?;
        let app_roles = if sp.app_roles.is_empty() {
            fp.app_roles()
        } else {
            sp.app_roles.clone()
        };
        return Ok(ResourceApp {
            app_id: fp.app_id,
            display_name: fp.display_name.to_owned(),
            version: fp.token_version,
            service_principal: sp,
            app_roles,
        });
    }
    let names = |uris: &[String], app_id: ClientId| {
        app_id.to_string().eq_ignore_ascii_case(wanted)
            || uris
                .iter()
                .any(|u| u.trim_end_matches('/').eq_ignore_ascii_case(wanted))
    };
    // An application object anywhere in the directory, provisioned into `tenant`.
    for (_, app) in dir
        .tenants
        .iter()
        .flat_map(|t| t.applications.iter().map(move |a| (t, a)))
    {
        if names(&app.identifier_uris, app.app_id) {
            let sp = tenant.service_principal(app.app_id).ok_or_else(not_found)?;
            let app_roles = if sp.app_roles.is_empty() {
                app.app_roles.clone()
            } else {
                sp.app_roles.clone()
            };
            return Ok(ResourceApp {
                app_id: app.app_id,
                display_name: app.display_name.clone(),
                version: app.api.token_version(),
                service_principal: sp,
                app_roles,
            });
        }
    }
    // A service principal whose application lives outside the directory.
    // UNCONFIRMED: such a resource's version is unknown; v1 (the null default) is assumed.
    let sp = tenant
        .service_principals
        .iter()
        .find(|sp| names(&sp.service_principal_names, sp.app_id))
        .ok_or_else(not_found)?;
    Ok(ResourceApp {
        app_id: sp.app_id,
        display_name: sp.display_name.clone(),
        version: TokenVersion::V1,
        service_principal: Cow::Borrowed(sp),
        app_roles: sp.app_roles.clone(),
    })
}

/// The `roles` claim: values of the app roles `principal` holds on `resource` in `tenant`, in
/// assignment order, without duplicates. Empty means the claim is omitted.
pub fn roles_for(tenant: &Tenant, principal: ObjectId, resource: &ResourceApp<'_>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for a in tenant
        .app_role_assignments
        .iter()
        .filter(|a| a.principal_id == principal && a.resource_id == resource.service_principal.id)
    {
        if let Some(role) = resource
            .app_roles
            .iter()
            .find(|r| r.id == a.app_role_id && r.is_enabled)
            && !roles.contains(&role.value)
        {
            roles.push(role.value.clone());
        }
    }
    roles
}

/// Whether `principal` holds any app role assignment on `resource` (for
/// `appRoleAssignmentRequired`).
pub fn has_assignment(tenant: &Tenant, principal: ObjectId, resource: &ResourceApp<'_>) -> bool {
    tenant
        .app_role_assignments
        .iter()
        .any(|a| a.principal_id == principal && a.resource_id == resource.service_principal.id)
}

/// How the client proved itself: `appidacr`/`azpacr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `"1"`: client secret.
    Secret,
    /// `"2"`: certificate, federated assertion, or managed identity.
    Certificate,
}

impl ClientAuth {
    fn acr(self) -> &'static str {
        match self {
            ClientAuth::Secret => "1",
            ClientAuth::Certificate => "2",
        }
    }
}

/// What goes into one app-only token.
#[derive(Debug, Clone)]
pub(crate) struct TokenSpec<'a> {
    pub tenant: &'a Tenant,
    pub version: TokenVersion,
    pub aud: String,
    pub client_id: ClientId,
    pub auth: ClientAuth,
    /// `oid` = `sub`; `None` omits both (home-tenant app without a service principal).
    pub principal: Option<ObjectId>,
    pub roles: Vec<String>,
    /// The resource's application id (Microsoft Graph's tokens carry extra claims).
    pub resource_app_id: ClientId,
    /// Give a Microsoft Graph token Graph's `nonce` header (the scenario's switch).
    pub graph_nonce: bool,
    pub xms_mirid: Option<&'a ArmResourceId>,
    /// `xms_az_rid`: the ARM id of the compute resource a managed identity asked from.
    pub xms_az_rid: Option<&'a ArmResourceId>,
    pub lifetime_secs: i64,
    pub resource: String,
}

/// Opaque per-token values, derived from the token id so that they are stable.
fn opaque(label: &str, id: Guid) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update(id.as_bytes());
    h.finalize().into()
}

/// `aio`: an opaque base64 blob (standard alphabet, padded, as Entra's).
fn aio(id: Guid) -> String {
    let mut bytes = opaque("aio/1", id).to_vec();
    bytes.extend_from_slice(&opaque("aio/2", id)[..30]);
    STANDARD.encode(bytes)
}

/// `rh`: Entra's refresh hint, `1.A…` with a trailing dot (2026 captures; older tokens had
/// `0.A…`).
fn rh(id: Guid) -> String {
    format!("1.A{}.", b64url(&opaque("rh", id)[..27]))
}

/// What the playground shows next to a token whose header carries a `nonce`.
pub const GRAPH_NONCE_EXPLANATION: &str = "This is a Microsoft Graph token with a `nonce` header. Graph signs it over a header whose nonce is the SHA-256 of the one you see, so any JWT library's signature check fails on it, and that is expected: such a token is only for Graph, which hashes the nonce before it verifies. Never validate a Graph token in your own API; request a token for your API's own audience instead.";

/// The value the signature of a `nonce` Graph token covers: base64url(SHA-256(raw nonce)).
pub fn graph_nonce_digest(raw: &str) -> String {
    b64url(&Sha256::digest(raw.as_bytes()))
}

/// `header` with a `nonce` member right after `typ`, as Graph tokens carry it.
pub fn with_nonce(header: &Value, nonce: &str) -> Value {
    let mut out = Map::new();
    for (k, v) in header.as_object().into_iter().flatten() {
        if k == "nonce" {
            continue;
        }
        out.insert(k.clone(), v.clone());
        if k == "typ" {
            out.insert("nonce".into(), json!(nonce));
        }
    }
    Value::Object(out)
}

/// An ARM id as Entra writes it into `xms_mirid` and `xms_az_rid`: the `resourcegroups`
/// segment in lower case whatever the scenario's spelling; every other segment as given
/// (captures: `/subscriptions/…/resourcegroups/…/providers/Microsoft.ManagedIdentity/
/// userAssignedIdentities/…`).
pub fn arm_id_claim(id: &ArmResourceId) -> String {
    id.as_str()
        .split('/')
        .map(|segment| {
            if segment.eq_ignore_ascii_case("resourcegroups") {
                "resourcegroups"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `xms_tcdt`: the tenant's creation time (epoch seconds). UNCONFIRMED: scenarios carry no
/// creation date, so a stable date between 2015 and 2023 is derived from the tenant id.
fn tenant_creation_time(tid: TenantId) -> i64 {
    let bytes = opaque("xms_tcdt", tid.guid());
    let spread = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 252_460_800;
    1_420_070_400 + i64::from(spread)
}

/// The claims only a Microsoft Graph app-only token carries (2024-2026 captures), besides the
/// common ones: `app_displayname`, `tenant_region_scope`, `wids`, `xms_ftd`, `xms_idrel`,
/// `xms_rd`, `xms_tcdt`. The `xms_*` values are opaque to clients; their shapes follow the
/// captures (`xms_idrel` two numbers, `xms_rd` `0.42…`, `xms_ftd` base64url).
fn graph_claims(spec: &TokenSpec<'_>, id: Guid) -> [(&'static str, Value); 7] {
    let tenant = spec.tenant;
    let name = tenant
        .service_principal(spec.client_id)
        .map(|sp| sp.display_name.clone())
        .unwrap_or_default();
    let idrel = opaque("xms_idrel", id);
    let mut ftd = opaque("xms_ftd/1", id).to_vec();
    ftd.extend_from_slice(&opaque("xms_ftd/2", id)[..12]);
    let mut rd = opaque("xms_rd/1", id).to_vec();
    rd.extend_from_slice(&opaque("xms_rd/2", id)[..30]);
    [
        ("app_displayname", json!(name)),
        ("tenant_region_scope", json!(TENANT_REGION_SCOPE)),
        ("wids", json!([APP_ONLY_WIDS])),
        ("xms_ftd", json!(b64url(&ftd))),
        (
            "xms_idrel",
            json!(format!("{} {}", 1 + idrel[0] % 7, 1 + idrel[1] % 30)),
        ),
        ("xms_rd", json!(format!("0.42L{}", b64url(&rd)))),
        ("xms_tcdt", json!(tenant_creation_time(tenant.id))),
    ]
}

/// `uti`: the token id, base64url (22 characters like Entra's).
fn uti(id: Guid) -> String {
    b64url(id.as_bytes())
}

/// Signs the token `spec` describes.
pub(crate) fn mint(spec: &TokenSpec<'_>, env: &Env<'_>) -> Result<IssuedToken, EntraError> {
    let signer = env
        .keys
        .signer()
        .ok_or_else(|| EntraError::new(Aadsts::TransientError, [""; 0]))?;
    let tid = spec.tenant.id;
    let cloud = spec.tenant.cloud;
    let iss = env.issuers.issuer(spec.version, cloud, tid);
    let iat = env.now.minus(BACKDATE_SECS);
    let exp = env.now.plus(spec.lifetime_secs);
    let kid = signer.key_id().as_str();
    let header = match spec.version {
        TokenVersion::V1 => json!({"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid}),
        TokenVersion::V2 => json!({"typ": "JWT", "alg": "RS256", "kid": kid}),
    };
    let graph = (spec.resource_app_id == first_party::MICROSOFT_GRAPH.app_id)
        .then(|| graph_claims(spec, env.token_id));
    let graph_claim = |name: &str| {
        graph
            .iter()
            .flatten()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let mut c = Map::new();
    c.insert("aud".into(), json!(spec.aud));
    c.insert("iss".into(), json!(iss.as_str()));
    c.insert("iat".into(), json!(iat.secs()));
    c.insert("nbf".into(), json!(iat.secs()));
    c.insert("exp".into(), json!(exp.secs()));
    c.insert("aio".into(), json!(aio(env.token_id)));
    if let Some(v) = graph_claim("app_displayname") {
        c.insert("app_displayname".into(), v);
    }
    match spec.version {
        TokenVersion::V1 => {
            c.insert("appid".into(), json!(spec.client_id.to_string()));
            c.insert("appidacr".into(), json!(spec.auth.acr()));
            c.insert("idp".into(), json!(iss.as_str()));
        }
        TokenVersion::V2 => {
            c.insert("azp".into(), json!(spec.client_id.to_string()));
            c.insert("azpacr".into(), json!(spec.auth.acr()));
        }
    }
    c.insert("idtyp".into(), json!("app"));
    if let Some(p) = spec.principal {
        c.insert("oid".into(), json!(p.to_string()));
    }
    c.insert("rh".into(), json!(rh(env.token_id)));
    if !spec.roles.is_empty() {
        c.insert("roles".into(), json!(spec.roles));
    }
    if let Some(p) = spec.principal {
        c.insert("sub".into(), json!(p.to_string()));
    }
    if let Some(v) = graph_claim("tenant_region_scope") {
        c.insert("tenant_region_scope".into(), v);
    }
    c.insert("tid".into(), json!(tid.to_string()));
    c.insert("uti".into(), json!(uti(env.token_id)));
    c.insert(
        "ver".into(),
        json!(match spec.version {
            TokenVersion::V1 => "1.0",
            TokenVersion::V2 => "2.0",
        }),
    );
    // Entra writes the remaining claims in alphabetical order.
    for name in ["wids", "xms_ftd", "xms_idrel", "xms_rd", "xms_tcdt"] {
        if let Some(v) = graph_claim(name) {
            c.insert(name.into(), v);
        }
    }
    if let Some(rid) = spec.xms_az_rid {
        c.insert("xms_az_rid".into(), json!(arm_id_claim(rid)));
    }
    if let Some(mirid) = spec.xms_mirid {
        c.insert("xms_mirid".into(), json!(arm_id_claim(mirid)));
    }
    let claims = Value::Object(c);
    let access_token = match (&graph, spec.graph_nonce) {
        (Some(_), true) => {
            let raw = b64url(&opaque("nonce", env.token_id));
            let signed_header = with_nonce(&header, &graph_nonce_digest(&raw));
            let signed = sign_jwt(signer, &signed_header, &claims);
            let (_, payload_and_signature) = signed.split_once('.').unwrap_or_default();
            let issued_header = serde_json::to_vec(&with_nonce(&header, &raw)).unwrap_or_default();
            format!("{}.{payload_and_signature}", b64url(&issued_header))
        }
        _ => sign_jwt(signer, &header, &claims),
    };
    Ok(IssuedToken {
        access_token,
        issued_at: iat,
        not_before: iat,
        expires_on: exp,
        version: spec.version,
        resource: spec.resource.clone(),
        client_id: spec.client_id,
    })
}

/// Issues the token a managed identity gets from IMDS or the App Service MSI endpoint for
/// `resource` (as the request named it, e.g. `api://AzureADTokenExchange` or
/// `https://management.azure.com/`).
///
/// The token is issued by the identity's tenant; `oid` = `sub` = its principal id, `appid`/`azp`
/// its client id, `appidacr`/`azpacr` `"2"`, `xms_mirid` the ARM id (for a system-assigned
/// identity, the compute resource's). 24 h lifetime. The resource must exist in the identity's
/// tenant (AADSTS500011) and, if it requires assignment, the identity must hold a role on it
/// (AADSTS501051).
pub fn issue_managed_identity_token(
    dir: &Directory,
    identity: &ManagedIdentityProperties,
    xms_mirid: &ArmResourceId,
    resource: &str,
    env: &Env<'_>,
) -> Result<IssuedToken, EntraError> {
    issue_token_for_identity(dir, identity, xms_mirid, None, resource, env)
}

/// [`issue_managed_identity_token`] for an identity selected on a compute host (IMDS, App
/// Service): a user-assigned identity's token also carries `xms_az_rid`, the host's ARM id
/// (Container Apps capture). UNCONFIRMED: a system-assigned identity's token carries none (its
/// `xms_mirid` already is the host).
pub fn issue_managed_identity_token_on_host(
    dir: &Directory,
    selected: &SelectedIdentity,
    resource: &str,
    env: &Env<'_>,
) -> Result<IssuedToken, EntraError> {
    let host = selected.user_assigned.then_some(&selected.host_resource_id);
    issue_token_for_identity(
        dir,
        &selected.properties,
        &selected.resource_id_for_xms_mirid,
        host,
        resource,
        env,
    )
}

fn issue_token_for_identity(
    dir: &Directory,
    identity: &ManagedIdentityProperties,
    xms_mirid: &ArmResourceId,
    xms_az_rid: Option<&ArmResourceId>,
    resource: &str,
    env: &Env<'_>,
) -> Result<IssuedToken, EntraError> {
    let tenant = dir
        .tenant(identity.tenant_id)
        .ok_or_else(|| EntraError::new(Aadsts::TenantNotFound, [identity.tenant_id.to_string()]))?;
    let res = resolve_resource(dir, tenant, resource)?;
    let principal = identity.principal_id;
    if res.service_principal.app_role_assignment_required
        && !has_assignment(tenant, principal, &res)
    {
        let name = tenant
            .service_principal_by_id(principal)
            .map(|sp| sp.display_name.clone())
            .unwrap_or_default();
        return Err(EntraError::new(
            Aadsts::NotAssignedToRole,
            [
                identity.client_id.to_string(),
                name,
                res.app_id.to_string(),
                res.display_name.clone(),
            ],
        ));
    }
    let spec = TokenSpec {
        tenant,
        version: res.version,
        aud: res.audience(resource),
        client_id: identity.client_id,
        auth: ClientAuth::Certificate,
        principal: Some(principal),
        roles: roles_for(tenant, principal, &res),
        resource_app_id: res.app_id,
        graph_nonce: dir.graph_token_nonce,
        xms_mirid: Some(xms_mirid),
        xms_az_rid,
        lifetime_secs: MANAGED_IDENTITY_LIFETIME_SECS,
        resource: resource.to_owned(),
    };
    mint(&spec, env)
}

#[cfg(test)]
mod tests;
