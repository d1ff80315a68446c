//! The token endpoint's decision for `client_credentials` (reference D): parse the form, check
//! the request in Entra's order, authenticate the client (secret, certificate assertion, or a
//! federated assertion matched against the application's FICs) and issue the token.
//!
//! Validation order (reference D.4 note, inferred, UNCONFIRMED as a whole):
//!
//! 1. tenant segment: malformed → 900023; `common`/`consumers`/`organizations` → 9001023;
//!    unknown → 90002;
//! 2. `grant_type` missing → 900144, not `client_credentials` → 70003; `client_id` missing →
//!    900144; v2 with `resource` → 901002; `scope` (v1: `resource`) missing → 900144;
//! 3. scope: no `/.default` → 1002012, malformed → 70011, several resources → 700022, resource
//!    unknown in the tenant → 500011;
//! 4. client in the requested tenant: not registered there and no service principal there →
//!    700016; registered there (its home) but no service principal → 7000229; service principal
//!    disabled → 7000112;
//! 5. credential: none → 7000218; assertion without/with a wrong `client_assertion_type` →
//!    900144/90011; secret wrong → 7000215, expired → 7000222;
//! 6. assertion: undecodable → 50027; missing claim → 90014; time window → 700024; then either
//!    a certificate assertion (`iss` = `sub` = `client_id`: `alg` 5002738, 700021, 5002723,
//!    700027, 50012) or a federated one (`typ` 5002727, `alg` 5002738, Entra issuer policy
//!    700027/700236/700229/700226, then the FIC matching of [`matcher`]: wrong-resource MI token
//!    7002121, issuer 700211, audience 700212, subject 700213 (flexible FIC expression 7002131),
//!    still propagating 70021; then, for an issuer outside Entra, its signature against the
//!    issuer's keys: an emulated issuer's own key set, or the keys fetched from the issuer's
//!    OpenID metadata through the shell ([`ExternalKeys`]): key not there 7000272, metadata or
//!    JWKS unreachable 50166, JWKS unparsable 900612);
//! 7. `appRoleAssignmentRequired` on the resource without an assignment → 501051.

use std::borrow::Cow;
use std::cell::RefCell;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha1::Digest as _;

pub mod matcher;

use crate::cloud::Cloud;
use crate::directory::{Application, Directory, TenantRef};
use crate::error::{Aadsts, EntraError};
use crate::ids::{ClientId, ClientSecret};
use crate::issuers::{ExternalKeyCache, find_external_key, key_identifier};
use crate::jose::Jwt;
use crate::keys::PublishedKey;
use crate::time::UnixTime;
use crate::token::{
    APP_TOKEN_LIFETIME_SECS, CAE_APP_TOKEN_LIFETIME_SECS, ClientAuth, Env, IssuedToken, TokenSpec,
    has_assignment, mint, resolve_resource, roles_for,
};

/// The only `client_assertion_type` Entra accepts.
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew allowed on an assertion's `exp` and `nbf`.
/// UNCONFIRMED: Entra's exact allowance; 5 minutes is the common validator default.
pub const ASSERTION_CLOCK_SKEW_SECS: i64 = 300;

/// Scopes OpenID Connect clients add that carry no resource; ignored in `client_credentials`.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// Which token endpoint was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenEndpoint {
    /// `/{tenant}/oauth2/token`: `resource` parameter, string-valued response.
    V1,
    /// `/{tenant}/oauth2/v2.0/token`: `scope` parameter, number-valued response.
    V2,
}

impl TokenEndpoint {
    /// The path after the tenant segment.
    pub fn path(self) -> &'static str {
        match self {
            TokenEndpoint::V1 => "oauth2/token",
            TokenEndpoint::V2 => "oauth2/v2.0/token",
        }
    }
}

/// A token request as the endpoint received it: the tenant path segment, which endpoint, and the
/// form fields this flow reads (others, such as `x-client-SKU` or `client-request-id`, are
/// ignored). Empty form values count as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub tenant_segment: String,
    pub endpoint: TokenEndpoint,
    pub grant_type: Option<String>,
    /// The body's `client_id`, else the one from HTTP Basic.
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub resource: Option<String>,
    /// The body's `client_secret`, else the one from HTTP Basic.
    pub client_secret: Option<ClientSecret>,
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
    /// `claims` (JSON), where clients declare the CAE capability `cp1`.
    pub claims: Option<String>,
}

/// The form fields the engine reads; a repeated one is refused (AADSTS9000411).
const FIELDS: [&str; 9] = [
    "grant_type",
    "client_id",
    "scope",
    "resource",
    "client_secret",
    "client_assertion_type",
    "client_assertion",
    "claims",
    "client_info",
];

impl TokenRequest {
    /// A request with just the tenant and endpoint (fields to be filled in).
    pub fn new(tenant_segment: impl Into<String>, endpoint: TokenEndpoint) -> Self {
        TokenRequest {
            tenant_segment: tenant_segment.into(),
            endpoint,
            grant_type: None,
            client_id: None,
            scope: None,
            resource: None,
            client_secret: None,
            client_assertion_type: None,
            client_assertion: None,
            claims: None,
        }
    }

    /// Reads the request. `authorization` is the `Authorization` header (HTTP Basic carries
    /// `urlencode(client_id):urlencode(secret)`), `content_type` the `Content-Type` header.
    ///
    /// Refuses a malformed tenant segment (AADSTS900023) and a repeated parameter
    /// (AADSTS9000411); everything else is judged by [`exchange`].
    ///
    /// UNCONFIRMED choices: a body that is not `application/x-www-form-urlencoded` is read as
    /// empty (so the request fails with 900144 `grant_type`), and an `Authorization` header that
    /// is not well-formed Basic is ignored.
    pub fn parse(
        tenant_segment: &str,
        endpoint: TokenEndpoint,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<TokenRequest, EntraError> {
        if TenantRef::parse(tenant_segment).is_none() {
            return Err(EntraError::new(Aadsts::InvalidTenantName, [tenant_segment]));
        }
        let is_form = content_type.is_none_or(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
        let body = if is_form { body } else { &[] };
        let mut req = TokenRequest::new(tenant_segment, endpoint);
        let mut seen = [false; FIELDS.len()];
        for (name, value) in form_urlencoded::parse(body) {
            let Some(i) = FIELDS.iter().position(|f| *f == name) else {
                continue;
            };
            if seen[i] {
                return Err(EntraError::new(Aadsts::DuplicateParameter, [name]));
            }
            seen[i] = true;
            if value.is_empty() {
                continue;
            }
            let value = value.into_owned();
            match FIELDS[i] {
                "grant_type" => req.grant_type = Some(value),
                "client_id" => req.client_id = Some(value),
                "scope" => req.scope = Some(value),
                "resource" => req.resource = Some(value),
                "client_secret" => req.client_secret = Some(ClientSecret(value)),
                "client_assertion_type" => req.client_assertion_type = Some(value),
                "client_assertion" => req.client_assertion = Some(value),
                "claims" => req.claims = Some(value),
                _ => {}
            }
        }
        if let Some((id, secret)) = authorization.and_then(parse_basic) {
            if req.client_id.is_none() && !id.is_empty() {
                req.client_id = Some(id);
            }
            if req.client_secret.is_none() && !secret.is_empty() {
                req.client_secret = Some(ClientSecret(secret));
            }
        }
        Ok(req)
    }

    /// Whether the client declared the CAE capability (`claims` with `xms_cc` containing `cp1`).
    pub fn declares_cae(&self) -> bool {
        self.claims
            .as_deref()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .and_then(|v| v.pointer("/access_token/xms_cc/values").cloned())
            .and_then(|v| v.as_array().cloned())
            .is_some_and(|values| {
                values
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("cp1")))
            })
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` → (id, secret).
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| -> Option<String> {
        let plus = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8()
            .ok()
            .map(Cow::into_owned)
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// A successful token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub token: IssuedToken,
    pub expires_in: i64,
    pub ext_expires_in: i64,
}

impl Grant {
    /// The v2.0 endpoint's body: numbers (reference D.2).
    pub fn to_v2_body(&self) -> Value {
        json!({
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "ext_expires_in": self.ext_expires_in,
            "access_token": self.token.access_token,
        })
    }

    /// The v1 endpoint's body: every value a string (reference D.2). `expires_in` is counted from
    /// `now`, so a cached grant renders correctly later.
    pub fn to_v1_body(&self, now: UnixTime) -> Value {
        let expires_in = (self.token.expires_on.secs() - now.secs()).max(0);
        let ext_expires_in = (self.ext_expires_in - (self.expires_in - expires_in)).max(0);
        json!({
            "token_type": "Bearer",
            "expires_in": expires_in.to_string(),
            "ext_expires_in": ext_expires_in.to_string(),
            "expires_on": self.token.expires_on.secs().to_string(),
            "not_before": self.token.not_before.secs().to_string(),
            "resource": self.token.resource,
            "access_token": self.token.access_token,
        })
    }
}

fn err<const N: usize>(code: Aadsts, args: [&str; N]) -> EntraError {
    EntraError::new(code, args)
}

/// The keys of real external issuers the exchange can use, and the issuer whose keys it wants
/// fetched (or refreshed) when they were missing. Without a cache (the browser, where only
/// emulated issuers exist) a real issuer's assertion is answered 50166.
#[derive(Debug, Default)]
pub struct ExternalKeys<'a> {
    pub cache: Option<&'a ExternalKeyCache>,
    wanted: RefCell<Option<String>>,
    answered_failure: RefCell<Option<String>>,
}

impl<'a> ExternalKeys<'a> {
    pub fn new(cache: &'a ExternalKeyCache) -> Self {
        ExternalKeys {
            cache: Some(cache),
            wanted: RefCell::new(None),
            answered_failure: RefCell::new(None),
        }
    }

    /// The issuer whose remembered retrieval failure this answer reported: the failure has
    /// served the request that waited for it, and the next request should try again.
    pub fn answered_failure(&self) -> Option<String> {
        self.answered_failure.borrow().clone()
    }

    /// The issuer whose keys the answer would change with: fetch them and ask again.
    pub fn wanted(&self) -> Option<String> {
        self.wanted.borrow().clone()
    }

    fn want(&self, issuer: &str) {
        *self.wanted.borrow_mut() = Some(issuer.to_owned());
    }
}

/// Decides a `client_credentials` request against `dir`, with no keys of real external issuers
/// (see [`exchange_with`]).
pub fn exchange(req: &TokenRequest, dir: &Directory, env: &Env<'_>) -> Result<Grant, EntraError> {
    exchange_with(req, dir, env, &ExternalKeys::default())
}

/// Decides a `client_credentials` request against `dir`, verifying assertions of real external
/// issuers with the keys in `external` (and naming in it the issuer whose keys are missing).
pub fn exchange_with(
    req: &TokenRequest,
    dir: &Directory,
    env: &Env<'_>,
    external: &ExternalKeys<'_>,
) -> Result<Grant, EntraError> {
    // 1. Tenant.
    let tenant_ref = TenantRef::parse(&req.tenant_segment)
        .ok_or_else(|| err(Aadsts::InvalidTenantName, [req.tenant_segment.as_str()]))?;
    if let TenantRef::Alias(_) = tenant_ref {
        // UNCONFIRMED for /organizations: client credentials need one tenant, and the
        // message's "/organizations" advice concerns delegated flows; 9001023 is answered for
        // all three aliases.
        return Err(err(Aadsts::GrantTypeNotSupportedOverCommon, []));
    }
    let tenant = dir
        .resolve_tenant(&tenant_ref)
        .ok_or_else(|| err(Aadsts::TenantNotFound, [req.tenant_segment.as_str()]))?;

    // 2. Required parameters, in the order Entra names them (grant_type first is what every
    // capture of an empty body shows; the rest UNCONFIRMED).
    let grant_type = req
        .grant_type
        .as_deref()
        .ok_or_else(|| err(Aadsts::MissingParameter, ["grant_type"]))?;
    if grant_type != "client_credentials" {
        return Err(err(Aadsts::UnsupportedGrantType, [grant_type]));
    }
    let client_id_raw = req
        .client_id
        .as_deref()
        .ok_or_else(|| err(Aadsts::MissingParameter, ["client_id"]))?;
    let requested_resource = match req.endpoint {
        TokenEndpoint::V2 => {
            // Before the missing-scope check: v1-style requests to v2 (resource, no scope) are
            // answered 901002 in the wild.
            if req.resource.is_some() {
                return Err(err(Aadsts::ResourceParameterNotSupported, []));
            }
            let scope = req
                .scope
                .as_deref()
                .ok_or_else(|| err(Aadsts::MissingParameter, ["scope"]))?;
            resource_of_scope(scope)?
        }
        TokenEndpoint::V1 => req
            .resource
            .clone()
            .ok_or_else(|| err(Aadsts::MissingParameter, ["resource"]))?,
    };

    // 3. The resource must exist in the requested tenant.
    let resource = resolve_resource(dir, tenant, &requested_resource)?;

    // 4. The client, as the requested tenant knows it.
    let not_found = || {
        err(
            Aadsts::AppNotFound,
            [client_id_raw, tenant.display_name.as_str()],
        )
    };
    let client_id = ClientId::parse(client_id_raw).ok_or_else(not_found)?;
    let (home, app) = dir.application(client_id).ok_or_else(not_found)?;
    let local_sp = tenant
        .service_principals
        .iter()
        .find(|sp| sp.app_id == client_id);
    if home.id != tenant.id && (local_sp.is_none() || !app.sign_in_audience.is_multi_tenant()) {
        return Err(not_found());
    }
    // The app registration exists here but nobody created its service principal (Graph's
    // `POST /applications` creates none): "az ad app create" without "az ad sp create".
    // UNCONFIRMED position: answered before the credential is checked, like 700016.
    let Some(local_sp) = local_sp else {
        return Err(err(
            Aadsts::MissingServicePrincipal,
            [client_id_raw, tenant.id.to_string().as_str()],
        ));
    };
    if !local_sp.account_enabled {
        return Err(err(Aadsts::ApplicationDisabled, []));
    }

    // 5-6. The credential.
    let auth = authenticate(req, dir, home, app, client_id, tenant, env, external)?;

    // 7. Assignment required on the resource.
    let principal = local_sp.id;
    if resource.service_principal.app_role_assignment_required
        && !has_assignment(tenant, principal, &resource)
    {
        return Err(err(
            Aadsts::NotAssignedToRole,
            [
                client_id_raw,
                local_sp.display_name.as_str(),
                &resource.app_id.to_string(),
                &resource.display_name,
            ],
        ));
    }

    let lifetime = if req.declares_cae() {
        CAE_APP_TOKEN_LIFETIME_SECS
    } else {
        APP_TOKEN_LIFETIME_SECS
    };
    let spec = TokenSpec {
        tenant,
        version: resource.version,
        aud: resource.audience(&requested_resource),
        client_id,
        auth,
        principal: Some(principal),
        roles: roles_for(tenant, principal, &resource),
        resource_app_id: resource.app_id,
        graph_nonce: dir.graph_token_nonce,
        xms_mirid: None,
        xms_az_rid: None,
        lifetime_secs: lifetime,
        resource: requested_resource.clone(),
    };
    let token = mint(&spec, env)?;
    Ok(Grant {
        token,
        expires_in: lifetime,
        ext_expires_in: lifetime,
    })
}

/// The single resource of a v2 `scope` (everything before the last `/.default`).
fn resource_of_scope(scope: &str) -> Result<String, EntraError> {
    let invalid = || err(Aadsts::InvalidScope, [scope]);
    // Entra echoes the whole `scope` value in 1002012, not the offending entry.
    let without_default = || err(Aadsts::ScopeWithoutDefault, [scope]);
    let scopes: Vec<&str> = scope
        .split([' ', '\t', '\n', '\r'])
        .filter(|s| !s.is_empty() && !OIDC_SCOPES.contains(s))
        .collect();
    if scopes.is_empty() {
        return Err(invalid());
    }
    let mut resources: Vec<&str> = Vec::new();
    for s in &scopes {
        if s.chars().any(char::is_control) || *s == ".default" {
            return Err(invalid());
        }
        let Some(resource) = s.strip_suffix("/.default") else {
            return Err(without_default());
        };
        if resource.is_empty() {
            return Err(invalid());
        }
        if !resources.iter().any(|r| {
            r.trim_end_matches('/')
                .eq_ignore_ascii_case(resource.trim_end_matches('/'))
        }) {
            resources.push(resource);
        }
    }
    match resources.as_slice() {
        [one] => Ok((*one).to_owned()),
        _ => Err(err(Aadsts::MultipleResourcesInScope, [scope])),
    }
}

/// Checks the client's credential; returns how it authenticated (`appidacr`).
#[allow(clippy::too_many_arguments)]
fn authenticate(
    req: &TokenRequest,
    dir: &Directory,
    home: &crate::directory::Tenant,
    app: &Application,
    client_id: ClientId,
    tenant: &crate::directory::Tenant,
    env: &Env<'_>,
    external: &ExternalKeys<'_>,
) -> Result<ClientAuth, EntraError> {
    let app_id = client_id.to_string();
    // UNCONFIRMED: with both a secret and an assertion, the assertion is judged and the secret
    // ignored.
    if let Some(assertion) = req.client_assertion.as_deref() {
        match req.client_assertion_type.as_deref() {
            None => return Err(err(Aadsts::MissingParameter, ["client_assertion_type"])),
            Some(JWT_BEARER_ASSERTION_TYPE) => {}
            // Seed 004's `urn:ietf:params:oauth:grant-type:jwt-bearer` lands here.
            Some(_) => return Err(err(Aadsts::UnexpectedAssertionType, [])),
        }
        check_assertion(dir, home, app, client_id, tenant, assertion, env, external)?;
        return Ok(ClientAuth::Certificate);
    }
    let Some(secret) = req.client_secret.as_ref() else {
        return Err(err(Aadsts::MissingCredential, []));
    };
    let mut expired = false;
    for cred in &app.password_credentials {
        if cred
            .secret_text
            .as_ref()
            .is_some_and(|s| s.expose() == secret.expose())
        {
            if !cred.is_expired(env.now) {
                return Ok(ClientAuth::Secret);
            }
            expired = true;
        }
    }
    if expired {
        Err(err(Aadsts::ClientSecretExpired, [app_id.as_str()]))
    } else {
        Err(err(Aadsts::InvalidClientSecret, [app_id.as_str()]))
    }
}

#[allow(clippy::too_many_arguments)]
fn check_assertion(
    dir: &Directory,
    home: &crate::directory::Tenant,
    app: &Application,
    client_id: ClientId,
    tenant: &crate::directory::Tenant,
    assertion: &str,
    env: &Env<'_>,
    external: &ExternalKeys<'_>,
) -> Result<(), EntraError> {
    let jwt = Jwt::decode(assertion).map_err(|_| err(Aadsts::MalformedJwt, []))?;
    // Which kind of assertion it is decides which header rules apply; a claim-less token is
    // judged as a certificate assertion (the client's own).
    let federated = jwt
        .str_claim("iss")
        .filter(|s| !s.is_empty())
        .is_some_and(is_federated_issuer);
    check_header(&jwt, federated)?;
    let iss = jwt.str_claim("iss").filter(|s| !s.is_empty());
    let sub = jwt.str_claim("sub").filter(|s| !s.is_empty());
    let auds = jwt.audiences();
    let exp = jwt.time_claim("exp");
    let (Some(iss), Some(sub), Some(exp)) = (iss, sub, exp) else {
        let missing = if iss.is_none() {
            "iss"
        } else if sub.is_none() {
            "sub"
        } else {
            "exp"
        };
        return Err(err(Aadsts::MissingClaim, [missing]));
    };
    if auds.is_empty() {
        return Err(err(Aadsts::MissingClaim, ["aud"]));
    }
    assertion_time_window(exp, jwt.time_claim("nbf"), jwt.time_claim("iat"), env.now)?;

    let app_id = client_id.to_string();
    let iss_is_client_id = ClientId::parse(iss).is_some() || iss.eq_ignore_ascii_case(&app_id);
    if iss_is_client_id {
        // A certificate assertion the client signed itself.
        if !iss.eq_ignore_ascii_case(&app_id) || !sub.eq_ignore_ascii_case(&app_id) {
            return Err(err(Aadsts::AssertionClientMismatch, []));
        }
        return check_certificate_assertion(app, tenant, &jwt, &auds, env);
    }
    check_federated_assertion(dir, home, app, &jwt, iss, sub, &auds, env, external)
}

/// Whether an assertion with this `iss` is federated (issued by an identity provider) rather
/// than a certificate assertion the client signed itself (`iss` = its client id).
pub fn is_federated_issuer(iss: &str) -> bool {
    ClientId::parse(iss).is_none()
}

/// The assertion's time window, with [`ASSERTION_CLOCK_SKEW_SECS`] either way (AADSTS700024).
///
/// UNCONFIRMED: an assertion issued in the future (beyond the skew) is refused like one not yet
/// valid; a far-future `iat` is how forged tokens stretch their life.
pub fn assertion_time_window(
    exp: UnixTime,
    nbf: Option<UnixTime>,
    iat: Option<UnixTime>,
    now: UnixTime,
) -> Result<(), EntraError> {
    let valid_from = nbf.or(iat).unwrap_or_default();
    let in_future = |t: UnixTime| t.minus(ASSERTION_CLOCK_SKEW_SECS) > now;
    if exp.plus(ASSERTION_CLOCK_SKEW_SECS) <= now
        || nbf.is_some_and(in_future)
        || iat.is_some_and(in_future)
    {
        return Err(err(
            Aadsts::AssertionTimeRange,
            [
                now.entra_iso().as_str(),
                valid_from.entra_iso().as_str(),
                exp.entra_iso().as_str(),
            ],
        ));
    }
    Ok(())
}

/// The header rules of each kind of assertion: `typ` (federated only) then `alg`.
///
/// UNCONFIRMED: the `typ` rule is captured for federated assertions only (2021, with `typ`
/// checked before `alg`); certificate assertions keep no `typ` rule. A missing `typ` is accepted
/// (Kubernetes service-account tokens carry none), and `JWT` is compared case-insensitively.
pub fn check_header(jwt: &Jwt, federated: bool) -> Result<(), EntraError> {
    if federated {
        match jwt.header().get("typ") {
            None => {}
            Some(Value::String(t))
                if t.eq_ignore_ascii_case("JWT") || t == "http://openid.net/specs/jwt/1.0" => {}
            Some(_) => return Err(err(Aadsts::InvalidJwtType, [])),
        }
    }
    match jwt.alg() {
        Some("RS256" | "RS384" | "RS512" | "PS256") => Ok(()),
        other => Err(EntraError::unsupported_signing_algorithm(
            other.unwrap_or_default(),
            federated,
        )),
    }
}

fn check_certificate_assertion(
    app: &Application,
    tenant: &crate::directory::Tenant,
    jwt: &Jwt,
    auds: &[&str],
    env: &Env<'_>,
) -> Result<(), EntraError> {
    let header = |name: &str| jwt.header().get(name).and_then(Value::as_str);
    let (x5t, x5t_s256, kid) = (header("x5t"), header("x5t#S256"), header("kid"));
    if x5t.is_none() && x5t_s256.is_none() && kid.is_none() {
        return Err(err(Aadsts::MissingKeyIdentifier, []));
    }
    let signature_failed = || err(Aadsts::AssertionSignature, []);
    let key = app
        .key_credentials
        .iter()
        .filter(|k| {
            k.end_date_time
                .as_deref()
                .and_then(UnixTime::parse_rfc3339)
                .is_none_or(|end| env.now < end)
        })
        .filter_map(|k| STANDARD.decode(k.key.trim()).ok())
        .filter_map(|der| PublishedKey::from_certificate(&der).ok())
        .find(|k| {
            let hex_sha1: String = sha1::Sha1::digest(k.certificate_der())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            x5t == Some(k.x5t())
                || x5t_s256 == Some(k.x5t_s256())
                || kid.is_some_and(|kid| {
                    kid == k.kid().as_str() || kid.eq_ignore_ascii_case(&hex_sha1)
                })
        })
        .ok_or_else(signature_failed)?;
    env.keys
        .check_signature(&key, jwt)
        .map_err(|_| signature_failed())?;
    // UNCONFIRMED: any host is accepted (Entra's or the mock's), as long as the path is this
    // tenant's token endpoint (by GUID or verified domain, v1 or v2 path).
    let is_our_endpoint = |aud: &str| {
        let path = aud.trim_end_matches('/');
        [TokenEndpoint::V2, TokenEndpoint::V1].iter().any(|e| {
            path.strip_suffix(e.path())
                .and_then(|p| p.strip_suffix('/'))
                .and_then(|p| p.rsplit('/').next())
                .is_some_and(|segment| tenant.is_named_by(segment))
        })
    };
    if !auds.iter().any(|a| is_our_endpoint(a)) {
        return Err(err(Aadsts::AssertionAudienceMismatch, []));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn check_federated_assertion(
    dir: &Directory,
    home: &crate::directory::Tenant,
    app: &Application,
    jwt: &Jwt,
    iss: &str,
    sub: &str,
    auds: &[&str],
    env: &Env<'_>,
    external: &ExternalKeys<'_>,
) -> Result<(), EntraError> {
    // An Entra issuer: one this emulator issues (either mode), or any Entra host alias.
    let ours = env.issuers.accepts(iss);
    let entra_tenant = ours
        .map(|(_, tid, _)| tid)
        .or_else(|| Cloud::of_entra_issuer(iss).map(|(_, tid)| tid));
    if let Some(issuer_tenant) = entra_tenant {
        // UNCONFIRMED code: a forged Entra token is answered like a bad client assertion
        // signature (700027) rather than 50013, which is the OBO-assertion code.
        env.keys
            .verify(jwt, env.now)
            .map_err(|_| err(Aadsts::AssertionSignature, []))?;
        if issuer_tenant != home.id {
            return Err(err(Aadsts::EntraTokenFromOtherTenant, [iss]));
        }
        let delegated =
            jwt.claims().contains_key("scp") || jwt.str_claim("idtyp").is_some_and(|t| t != "app");
        if delegated {
            return Err(err(Aadsts::OnlyAppOnlyTokensForEntraIssuer, []));
        }
        if !jwt.claims().contains_key("xms_mirid") {
            return Err(err(Aadsts::OnlyMsiTokensForEntraIssuer, []));
        }
    }

    // The FICs of the application object, in its home tenant, whatever tenant was asked.
    // In Mock issuer mode the emulator's own issuer stands for the Entra issuer of the same
    // tenant and version, so scenarios written with real Entra issuers keep working.
    let canonical = ours
        .and_then(|(_, tid, version)| matcher::entra_issuer_for(Some(dir), tid, version))
        .filter(|entra| entra != iss);
    let claims = matcher::AssertionClaims {
        iss,
        sub,
        aud: auds.to_vec(),
        claims: Some(jwt.claims()),
    };
    let ctx = matcher::MatchContext {
        directory: Some(dir),
        cloud: home.cloud,
        canonical_issuer: canonical.as_deref(),
        entra_issued: entra_tenant.is_some(),
        now: env.now,
        propagation_delay_secs: dir.fic_propagation_seconds,
    };
    matcher::match_fic(&app.federated_identity_credentials, &claims, &ctx)
        .map_err(|m| m.to_error(&claims))?;
    if entra_tenant.is_none() {
        // Like Entra, the issuer's keys are consulted only once a FIC trusts it, so FIC
        // mistakes are reported without any fetch.
        verify_external(dir, jwt, iss, env, external)?;
    }
    Ok(())
}

/// Verifies an assertion of an issuer outside Entra: with the emulated issuer's own key set, or
/// with the keys fetched from a real issuer's metadata.
///
/// UNCONFIRMED: a key that is found but whose signature does not verify is answered 700027 (no
/// capture shows Entra's answer); an emulated issuer without a key is answered 50166 (its JWKS
/// would be empty of usable keys, as if unreachable).
fn verify_external(
    dir: &Directory,
    jwt: &Jwt,
    iss: &str,
    env: &Env<'_>,
    external: &ExternalKeys<'_>,
) -> Result<(), EntraError> {
    let not_found = || {
        EntraError::new(
            Aadsts::ExternalKeyNotFound,
            [key_identifier(jwt), iss.to_owned()],
        )
    };
    let bad_signature = |_| err(Aadsts::AssertionSignature, []);
    if let Some(emulated) = dir.external_issuer(iss) {
        let keys = env
            .keys
            .issuer(&emulated.name)
            .ok_or_else(|| err(Aadsts::ExternalOidcRequestFailed, []))?;
        let key = keys.find(jwt, env.now).ok_or_else(not_found)?;
        return env.keys.check_signature(key, jwt).map_err(bad_signature);
    }
    let entry = external
        .cache
        .and_then(|c| c.get(iss))
        .filter(|e| e.is_fresh(env.now));
    let Some(entry) = entry else {
        external.want(iss);
        return Err(err(Aadsts::ExternalOidcRequestFailed, []));
    };
    match &entry.outcome {
        Err(code) => {
            *external.answered_failure.borrow_mut() = Some(iss.to_owned());
            Err(err(*code, []))
        }
        Ok(keys) => match find_external_key(keys, jwt) {
            Some(k) => env.keys.check_signature(&k.key, jwt).map_err(bad_signature),
            None => {
                // An unknown key refreshes the cache (the issuer may have rotated).
                external.want(iss);
                Err(not_found())
            }
        },
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "exchange/external/tests.rs"]
mod external_tests;
