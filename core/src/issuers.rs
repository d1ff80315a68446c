//! Identity providers outside Entra whose tokens FICs trust: the ones the emulator plays (GitHub
//! Actions, Kubernetes clusters in AKS's shape: their OpenID documents, their tokens) and the
//! keys of real ones, which Entra fetches from `{issuer}/.well-known/openid-configuration` and
//! its `jwks_uri`.
//!
//! Core does no IO: for a real issuer the exchange names the issuer whose keys it needs, the
//! shell fetches the two documents ([`KeyFetch`]) and hands the bodies back, and the parsed keys
//! are kept in an [`ExternalKeyCache`] (quinn-proto style: the state machine asks, the driver
//! carries out).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use sha1::Digest as _;

use crate::directory::{ExternalIssuer, ExternalIssuerKind, GitHubJob, ServiceAccountRef};
use crate::error::Aadsts;
use crate::ids::Guid;
use crate::jose::Jwt;
use crate::keys::{KeySet, PublishedKey, sign_jwt};
use crate::time::UnixTime;

/// GitHub Actions' issuer on github.com.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Where the emulated issuers' documents and endpoints live on the emulator.
pub const ISSUER_PATH_PREFIX: &str = "/_issuers";

/// GitHub ID tokens live 5 minutes after `iat`; `nbf` is 10 minutes before it (GitHub's
/// documented example token).
pub const GITHUB_TOKEN_LIFETIME_SECS: i64 = 300;
const GITHUB_NBF_BACKDATE_SECS: i64 = 600;
/// A projected service-account token's default `expirationSeconds` as the AKS workload-identity
/// webhook sets it.
pub const SERVICE_ACCOUNT_TOKEN_LIFETIME_SECS: i64 = 3600;

/// The path of an emulated issuer's JWKS relative to its base: GitHub's `/.well-known/jwks`,
/// the Kubernetes API server's `/openid/v1/jwks`.
pub fn jwks_path(kind: ExternalIssuerKind) -> &'static str {
    match kind {
        ExternalIssuerKind::GitHubActions => ".well-known/jwks",
        ExternalIssuerKind::Kubernetes => "openid/v1/jwks",
    }
}

/// Where the emulator serves `issuer`'s documents: `{origin}/_issuers/{name}/`.
pub fn served_base(issuer: &ExternalIssuer, origin: &str) -> String {
    format!(
        "{}{ISSUER_PATH_PREFIX}/{}/",
        origin.trim_end_matches('/'),
        issuer.name
    )
}

/// The OpenID configuration of an emulated issuer: the real issuer string, the JWKS at the
/// emulator's path.
pub fn metadata(issuer: &ExternalIssuer, origin: &str) -> Value {
    let jwks_uri = format!("{}{}", served_base(issuer, origin), jwks_path(issuer.kind));
    match issuer.kind {
        ExternalIssuerKind::GitHubActions => json!({
            "issuer": issuer.issuer,
            "jwks_uri": jwks_uri,
            "subject_types_supported": ["public", "pairwise"],
            "response_types_supported": ["id_token"],
            "claims_supported": [
                "sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository",
                "repository_id", "repository_owner", "repository_owner_id", "enterprise",
                "enterprise_id", "run_id", "run_number", "run_attempt", "actor", "actor_id",
                "workflow", "workflow_ref", "workflow_sha", "head_ref", "base_ref", "event_name",
                "ref_type", "ref_protected", "environment", "environment_node_id",
                "job_workflow_ref", "job_workflow_sha", "repository_visibility",
                "runner_environment", "issuer_scope"
            ],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
        }),
        ExternalIssuerKind::Kubernetes => json!({
            "issuer": issuer.issuer,
            "jwks_uri": jwks_uri,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }),
    }
}

/// The JWKS of an emulated issuer, in its platform's member order (GitHub publishes `x5c` and
/// `x5t`; Kubernetes only the RSA members).
pub fn jwks(issuer: &ExternalIssuer, keys: &KeySet, now: UnixTime) -> Value {
    let keys: Vec<Value> = keys
        .published()
        .iter()
        .filter(|k| k.is_live(now))
        .map(|k| {
            let jwk = k.to_jwk(None);
            match issuer.kind {
                ExternalIssuerKind::GitHubActions => json!({
                    "n": jwk.n, "kty": "RSA", "kid": jwk.kid, "alg": "RS256", "e": jwk.e,
                    "use": "sig", "x5c": jwk.x5c, "x5t": jwk.x5t,
                }),
                ExternalIssuerKind::Kubernetes => json!({
                    "use": "sig", "kty": "RSA", "kid": jwk.kid, "alg": "RS256", "n": jwk.n,
                    "e": jwk.e,
                }),
            }
        })
        .collect();
    json!({ "keys": keys })
}

/// GitHub's `sub` for a job: the environment wins, then a pull request, then the ref.
pub fn github_subject(job: &GitHubJob) -> String {
    let context = match (&job.environment, job.event_name.as_str()) {
        (Some(env), _) if !env.is_empty() => format!("environment:{env}"),
        (_, "pull_request" | "pull_request_target") => "pull_request".to_owned(),
        _ => format!("ref:{}", job.git_ref),
    };
    format!("repo:{}:{context}", job.repository)
}

/// A stable 40-hex "commit" for a repository and ref (deterministic, so snapshots hold).
fn pseudo_sha(job: &GitHubJob) -> String {
    sha1::Sha1::digest(format!("{}@{}", job.repository, job.git_ref).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A number for `run_id` derived from the token id.
fn run_number(id: Guid) -> u64 {
    let b = id.as_bytes();
    u64::from_be_bytes([0, 0, 0, b[0], b[1], b[2], b[3], b[4]]) % 10_000_000_000
}

/// The claims of a GitHub Actions ID token for `job` and `audience`, in GitHub's order.
pub fn github_claims(
    issuer: &ExternalIssuer,
    job: &GitHubJob,
    audience: &str,
    now: UnixTime,
    token_id: Guid,
) -> Map<String, Value> {
    let owner = job.repository.split('/').next().unwrap_or_default();
    let workflow_path = if job.workflow_path.is_empty() {
        ".github/workflows/deploy.yml"
    } else {
        job.workflow_path.as_str()
    };
    let workflow_ref = format!("{}/{workflow_path}@{}", job.repository, job.git_ref);
    let sha = pseudo_sha(job);
    let ref_type = if job.git_ref.starts_with("refs/tags/") {
        "tag"
    } else {
        "branch"
    };
    let mut c = Map::new();
    let mut put = |k: &str, v: Value| {
        c.insert(k.to_owned(), v);
    };
    put("jti", json!(token_id.to_string()));
    put("sub", json!(github_subject(job)));
    if let Some(env) = job.environment.as_ref().filter(|e| !e.is_empty()) {
        put("environment", json!(env));
    }
    put("aud", json!(audience));
    put("ref", json!(job.git_ref));
    put("sha", json!(sha));
    put("repository", json!(job.repository));
    put("repository_owner", json!(owner));
    put("repository_owner_id", json!(job.repository_owner_id));
    put("run_id", json!(run_number(token_id).to_string()));
    put("run_number", json!("1"));
    put("run_attempt", json!("1"));
    put("repository_visibility", json!("private"));
    put("repository_id", json!(job.repository_id));
    put("actor_id", json!(job.actor_id));
    put("actor", json!(job.actor));
    put(
        "workflow",
        json!(if job.workflow.is_empty() {
            "deploy"
        } else {
            job.workflow.as_str()
        }),
    );
    put("head_ref", json!(""));
    put("base_ref", json!(""));
    put("event_name", json!(job.event_name));
    put("ref_protected", json!("false"));
    put("ref_type", json!(ref_type));
    put("workflow_ref", json!(workflow_ref));
    put("workflow_sha", json!(sha));
    put("job_workflow_ref", json!(workflow_ref));
    put("job_workflow_sha", json!(sha));
    put("runner_environment", json!("github-hosted"));
    put("iss", json!(issuer.issuer));
    put("nbf", json!(now.minus(GITHUB_NBF_BACKDATE_SECS).secs()));
    put("exp", json!(now.plus(GITHUB_TOKEN_LIFETIME_SECS).secs()));
    put("iat", json!(now.secs()));
    c
}

/// The claims of a projected service-account token (`kubernetes.io` carries the namespace, the
/// pod and the service account).
pub fn kubernetes_claims(
    issuer: &ExternalIssuer,
    sa: &ServiceAccountRef,
    audience: &str,
    now: UnixTime,
    token_id: Guid,
) -> Map<String, Value> {
    let sa_uid = Guid::derived(
        Guid::NIL,
        &format!("{}/{}/{}", issuer.issuer, sa.namespace, sa.service_account),
    );
    let pod_uid = Guid::derived(sa_uid, &token_id.to_string());
    let pod = format!("{}-{}", sa.service_account, &pod_uid.to_string()[..5]);
    let mut c = Map::new();
    c.insert("aud".into(), json!([audience]));
    c.insert(
        "exp".into(),
        json!(now.plus(SERVICE_ACCOUNT_TOKEN_LIFETIME_SECS).secs()),
    );
    c.insert("iat".into(), json!(now.secs()));
    c.insert("iss".into(), json!(issuer.issuer));
    c.insert("jti".into(), json!(token_id.to_string()));
    c.insert(
        "kubernetes.io".into(),
        json!({
            "namespace": sa.namespace,
            "pod": {"name": pod, "uid": pod_uid.to_string()},
            "serviceaccount": {"name": sa.service_account, "uid": sa_uid.to_string()},
        }),
    );
    c.insert("nbf".into(), json!(now.secs()));
    c.insert(
        "sub".into(),
        json!(format!(
            "system:serviceaccount:{}:{}",
            sa.namespace, sa.service_account
        )),
    );
    c
}

/// Why an emulated issuer cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    #[error("the emulated issuer '{0}' has no signing key")]
    NoKey(String),
}

/// Signs `claims` with the emulated issuer's current key, in its platform's header shape
/// (GitHub: `typ`, `alg`, `x5t`, `kid`; Kubernetes: `alg`, `kid`).
pub fn mint(
    issuer: &ExternalIssuer,
    keys: &KeySet,
    claims: &Map<String, Value>,
) -> Result<String, MintError> {
    let set = keys
        .issuer(&issuer.name)
        .ok_or_else(|| MintError::NoKey(issuer.name.clone()))?;
    let signer = set
        .signer()
        .ok_or_else(|| MintError::NoKey(issuer.name.clone()))?;
    let kid = signer.key_id().as_str();
    let header = match issuer.kind {
        ExternalIssuerKind::GitHubActions => {
            json!({"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid})
        }
        ExternalIssuerKind::Kubernetes => json!({"alg": "RS256", "kid": kid}),
    };
    Ok(sign_jwt(signer, &header, claims))
}

// ---------------------------------------------------------------------------------------------
// Keys of issuers the emulator does not play.

/// Successfully fetched keys stay fresh this long. UNCONFIRMED: Entra's cache lifetime is not
/// published (users report "1-15 minutes" before a new JWKS is seen); 5 minutes is chosen. An
/// assertion naming a key the cache lacks refreshes it at once.
pub const EXTERNAL_KEYS_TTL_SECS: i64 = 300;
/// A failed retrieval is remembered at most this long, and only until it has answered the
/// request that waited for it: the next request asks again.
pub const EXTERNAL_FAILURE_TTL_SECS: i64 = 5;

/// Which document a [`KeyFetch`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStep {
    /// `{issuer}/.well-known/openid-configuration`.
    Metadata,
    /// The metadata's `jwks_uri`.
    Jwks,
}

/// A document the shell must GET for the engine (plain GET, no credentials, short timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFetch {
    pub issuer: String,
    pub url: String,
    pub step: FetchStep,
}

/// Whether the emulator may fetch `url`: `https://` anywhere, and `http://` on loopback only.
///
/// Difference from Entra (documented in ARCHITECTURE.md): Entra requires HTTPS issuers; loopback
/// `http://` is accepted so that tests can run a local identity provider without TLS.
pub fn fetchable(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost") || host == "::1" || host.starts_with("127.")
}

/// The first fetch for `issuer`'s keys, or `None` when the issuer's URL may not be fetched.
pub fn first_fetch(issuer: &str) -> Option<KeyFetch> {
    fetchable(issuer).then(|| KeyFetch {
        issuer: issuer.to_owned(),
        url: format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ),
        step: FetchStep::Metadata,
    })
}

/// One key of a fetched JWKS, with the identifiers a token header may name it by.
#[derive(Debug, Clone)]
pub struct ExternalKey {
    pub kid: Option<String>,
    pub x5t: Option<String>,
    pub key: PublishedKey,
}

/// What is known about one real issuer's keys.
#[derive(Debug, Clone)]
pub struct IssuerKeysEntry {
    pub fetched_at: UnixTime,
    /// The keys, or the AADSTS code the retrieval failed with (50166, 900612).
    pub outcome: Result<Vec<ExternalKey>, Aadsts>,
}

impl IssuerKeysEntry {
    pub fn is_fresh(&self, now: UnixTime) -> bool {
        let ttl = match self.outcome {
            Ok(_) => EXTERNAL_KEYS_TTL_SECS,
            Err(_) => EXTERNAL_FAILURE_TTL_SECS,
        };
        now.secs() - self.fetched_at.secs() < ttl
    }
}

/// The engine's cache of real issuers' keys, by issuer string.
#[derive(Debug, Clone, Default)]
pub struct ExternalKeyCache {
    entries: BTreeMap<String, IssuerKeysEntry>,
}

impl ExternalKeyCache {
    pub fn get(&self, issuer: &str) -> Option<&IssuerKeysEntry> {
        self.entries.get(issuer)
    }

    pub fn store(&mut self, issuer: &str, entry: IssuerKeysEntry) {
        self.entries.insert(issuer.to_owned(), entry);
    }

    /// Forgets `issuer`'s entry if it is a failure (kept keys stay).
    pub fn forget_failure(&mut self, issuer: &str) {
        if self.entries.get(issuer).is_some_and(|e| e.outcome.is_err()) {
            self.entries.remove(issuer);
        }
    }

    /// Takes the body (or the transport failure) of `fetch`; returns the next document to GET,
    /// or `None` when the issuer's entry is settled.
    ///
    /// UNCONFIRMED: metadata that cannot be fetched, is not JSON or names no fetchable
    /// `jwks_uri` is answered 50166 (the endpoint "failed"); a JWKS that cannot be fetched is
    /// 50166 too, one that is not a key set 900612.
    pub fn fetched(
        &mut self,
        fetch: &KeyFetch,
        body: Result<&[u8], &str>,
        now: UnixTime,
    ) -> Option<KeyFetch> {
        let failed = |code| IssuerKeysEntry {
            fetched_at: now,
            outcome: Err(code),
        };
        let entry = match (fetch.step, body) {
            (_, Err(_)) => failed(Aadsts::ExternalOidcRequestFailed),
            (FetchStep::Metadata, Ok(body)) => {
                let jwks_uri = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("jwks_uri").and_then(Value::as_str).map(str::to_owned))
                    .filter(|u| fetchable(u));
                match jwks_uri {
                    Some(url) => {
                        return Some(KeyFetch {
                            issuer: fetch.issuer.clone(),
                            url,
                            step: FetchStep::Jwks,
                        });
                    }
                    None => failed(Aadsts::ExternalOidcRequestFailed),
                }
            }
            (FetchStep::Jwks, Ok(body)) => match parse_jwks(body) {
                Ok(keys) => IssuerKeysEntry {
                    fetched_at: now,
                    outcome: Ok(keys),
                },
                Err(code) => failed(code),
            },
        };
        self.store(&fetch.issuer, entry);
        None
    }
}

/// The RSA keys of a JWKS document. Keys of other types are skipped; a document that is not
/// `{"keys":[…]}`, or whose keys are all unusable, is AADSTS900612.
pub fn parse_jwks(body: &[u8]) -> Result<Vec<ExternalKey>, Aadsts> {
    let bad = Aadsts::ExternalKeysUnparsable;
    let doc: Value = serde_json::from_slice(body).map_err(|_| bad)?;
    let entries = doc.get("keys").and_then(Value::as_array).ok_or(bad)?;
    let str_of = |k: &Value, name: &str| k.get(name).and_then(Value::as_str).map(str::to_owned);
    let keys: Vec<ExternalKey> = entries
        .iter()
        .filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"))
        .filter_map(|k| {
            let (n, e) = (str_of(k, "n")?, str_of(k, "e")?);
            let kid = str_of(k, "kid");
            let key =
                PublishedKey::from_jwk_components(kid.as_deref().unwrap_or(""), &n, &e).ok()?;
            Some(ExternalKey {
                kid,
                x5t: str_of(k, "x5t"),
                key,
            })
        })
        .collect();
    if keys.is_empty() && !entries.is_empty() {
        return Err(bad);
    }
    Ok(keys)
}

/// The identifier a token's header names its key by: `kid`, else `x5t`.
pub fn key_identifier(jwt: &Jwt) -> String {
    jwt.kid()
        .or_else(|| jwt.header().get("x5t").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

/// The fetched key a token names (by `kid`, else `x5t`).
pub fn find_external_key<'k>(keys: &'k [ExternalKey], jwt: &Jwt) -> Option<&'k ExternalKey> {
    let kid = jwt.kid();
    let x5t = jwt.header().get("x5t").and_then(Value::as_str);
    keys.iter().find(|k| match kid {
        Some(kid) => k.kid.as_deref() == Some(kid),
        None => x5t.is_some() && k.x5t.as_deref() == x5t,
    })
}

// ---------------------------------------------------------------------------------------------
// The environment a workload of an emulated issuer runs with.

/// The application (and its home tenant) whose FIC trusts `issuer` for `subject`: the one a
/// workload with this token signs in as. A FIC naming the subject exactly wins over a flexible
/// one; `None` when no FIC trusts the issuer.
pub fn workload_client(
    dir: &crate::directory::Directory,
    issuer: &str,
    subject: &str,
) -> Option<(crate::ids::TenantId, crate::ids::ClientId)> {
    let mut flexible = None;
    for t in &dir.tenants {
        for a in &t.applications {
            for f in a
                .federated_identity_credentials
                .iter()
                .filter(|f| f.issuer == issuer)
            {
                if f.subject == subject {
                    return Some((t.id, a.app_id));
                }
                flexible.get_or_insert((t.id, a.app_id));
            }
        }
    }
    flexible
}

/// What `mock-entra env --workload` prints for a token of `issuer` written to `token_file`:
/// the variables the AKS workload-identity webhook injects (`AZURE_CLIENT_ID`,
/// `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST`) and, for GitHub
/// Actions, the runner's ID-token request pair that `@actions/core` reads.
pub fn workload_env(
    dir: &crate::directory::Directory,
    issuer: &ExternalIssuer,
    subject: &str,
    token_file: &str,
    http_base: &str,
    authority_host: &str,
) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    if let Some((tenant, client)) = workload_client(dir, &issuer.issuer, subject) {
        out.push(("AZURE_CLIENT_ID", client.to_string()));
        out.push(("AZURE_TENANT_ID", tenant.to_string()));
    }
    out.push(("AZURE_FEDERATED_TOKEN_FILE", token_file.to_owned()));
    out.push(("AZURE_AUTHORITY_HOST", authority_host.to_owned()));
    if issuer.kind == ExternalIssuerKind::GitHubActions {
        out.push((
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}idtoken?api-version=2.0", served_base(issuer, http_base)),
        ));
        if let Some(t) = &issuer.request_token {
            out.push(("ACTIONS_ID_TOKEN_REQUEST_TOKEN", t.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
