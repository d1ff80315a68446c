//! The emulated external issuers' endpoints: each one's OpenID configuration and JWKS under
//! `/_issuers/{name}/` (at the paths the real issuer uses below its base), GitHub Actions'
//! ID-token request protocol, and the control API's token minting for tests and
//! `mock-entra env --workload`.
//!
//! The issuer string in tokens stays the real one (`https://token.actions.githubusercontent.com`);
//! the exchange finds the emulated issuer by that string and verifies with its key set, so no
//! request ever leaves the emulator for it.

use http::{StatusCode, header};
use serde::Deserialize;
use serde_json::json;

use super::entra::origin;
use super::reply;
use super::route::{Params, header, query_get, query_pairs};
use super::shapes::ControlError;
use super::{Call, Request, Response};
use crate::directory::{
    Directory, ExternalIssuer, ExternalIssuerKind, GitHubJob, ServiceAccountRef,
};
use crate::issuers;

fn not_found(name: &str) -> Response {
    ControlError::new(
        404,
        "IssuerNotFound",
        format!("The scenario has no external issuer named '{name}'."),
    )
    .to_response()
}

fn find<'d>(dir: &'d Directory, name: &str) -> Option<&'d ExternalIssuer> {
    dir.external_issuer_named(name)
}

// GitHub: https://token.actions.githubusercontent.com/.well-known/openid-configuration
// AKS: {issuer}.well-known/openid-configuration
pub(crate) fn metadata(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let dir = call.engine.directory();
    let Some(issuer) = find(&dir, p.get(0)) else {
        return not_found(p.get(0));
    };
    reply::json(
        StatusCode::OK,
        &issuers::metadata(issuer, &origin(req).base_url),
    )
}

fn jwks(call: &Call<'_>, name: &str, kind: ExternalIssuerKind) -> Response {
    let dir = call.engine.directory();
    let Some(issuer) = find(&dir, name).filter(|i| i.kind == kind) else {
        return not_found(name);
    };
    let keys = call.engine.keys();
    let doc = match keys.issuer(&issuer.name) {
        Some(set) => issuers::jwks(issuer, set, call.now),
        None => json!({"keys": []}),
    };
    reply::json(StatusCode::OK, &doc)
}

// https://token.actions.githubusercontent.com/.well-known/jwks
pub(crate) fn github_jwks(call: &mut Call<'_>, _: &Request, p: &Params) -> Response {
    jwks(call, p.get(0), ExternalIssuerKind::GitHubActions)
}

// Kubernetes API server: /openid/v1/jwks
pub(crate) fn kubernetes_jwks(call: &mut Call<'_>, _: &Request, p: &Params) -> Response {
    jwks(call, p.get(0), ExternalIssuerKind::Kubernetes)
}

/// Overrides of the scenario's job or service account a request may carry (query parameters of
/// the GitHub protocol, the JSON body of the control API), so one issuer serves every subject
/// shape a test needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenOverrides {
    audience: Option<String>,
    repository: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    environment: Option<String>,
    event_name: Option<String>,
    actor: Option<String>,
    namespace: Option<String>,
    service_account: Option<String>,
}

impl TokenOverrides {
    fn from_query(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| query_get(pairs, k).map(str::to_owned);
        TokenOverrides {
            audience: get("audience"),
            repository: get("repository"),
            git_ref: get("ref"),
            environment: get("environment"),
            event_name: get("event_name"),
            actor: get("actor"),
            namespace: get("namespace"),
            service_account: get("serviceAccount"),
        }
    }

    fn job(&self, issuer: &ExternalIssuer) -> GitHubJob {
        let mut job = issuer.github.clone().unwrap_or_default();
        if let Some(v) = &self.repository {
            job.repository = v.clone();
        }
        if let Some(v) = &self.git_ref {
            job.git_ref = v.clone();
        }
        if let Some(v) = &self.environment {
            // An empty value removes the scenario's environment (a branch job).
            job.environment = (!v.is_empty()).then(|| v.clone());
        }
        if let Some(v) = &self.event_name {
            job.event_name = v.clone();
        }
        if let Some(v) = &self.actor {
            job.actor = v.clone();
        }
        job
    }

    fn service_account(&self, issuer: &ExternalIssuer) -> ServiceAccountRef {
        let mut sa = issuer.kubernetes.clone().unwrap_or_default();
        if let Some(v) = &self.namespace {
            sa.namespace = v.clone();
        }
        if let Some(v) = &self.service_account {
            sa.service_account = v.clone();
        }
        sa
    }
}

/// Mints one token of `issuer` as `o` asks; the audience defaults to what the platform uses
/// (GitHub: the owner's URL; AKS's webhook: `api://AzureADTokenExchange`).
fn mint(
    call: &Call<'_>,
    issuer: &ExternalIssuer,
    o: &TokenOverrides,
) -> Result<(String, String), Box<Response>> {
    let id = call.guid();
    let claims = match issuer.kind {
        ExternalIssuerKind::GitHubActions => {
            let job = o.job(issuer);
            let owner = job.repository.split('/').next().unwrap_or_default();
            let audience = o
                .audience
                .clone()
                .unwrap_or_else(|| format!("https://github.com/{owner}"));
            issuers::github_claims(issuer, &job, &audience, call.now, id)
        }
        ExternalIssuerKind::Kubernetes => {
            let audience = o
                .audience
                .clone()
                .unwrap_or_else(|| "api://AzureADTokenExchange".to_owned());
            issuers::kubernetes_claims(issuer, &o.service_account(issuer), &audience, call.now, id)
        }
    };
    let sub = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    issuers::mint(issuer, &call.engine.keys(), &claims)
        .map(|t| (t, sub))
        .map_err(|e| {
            Box::new(ControlError::new(503, "IssuerKeyMissing", e.to_string()).to_response())
        })
}

// The runner's ID-token request (what `@actions/core` `getIDToken()` sends):
// GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with `Authorization: Bearer
// $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered `{"value": "<jwt>"}`.
pub(crate) fn github_id_token(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let dir = call.engine.directory();
    let Some(issuer) = find(&dir, p.get(0)).filter(|i| i.kind == ExternalIssuerKind::GitHubActions)
    else {
        return not_found(p.get(0));
    };
    let presented = header(req, header::AUTHORIZATION).and_then(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
    });
    let expected = issuer.request_token.as_deref();
    if expected.is_none() || presented != expected {
        // UNCONFIRMED shape: GitHub's token service answers 401; its body is not documented.
        return ControlError::new(
            401,
            "Unauthorized",
            "The ID-token request needs the job's ACTIONS_ID_TOKEN_REQUEST_TOKEN as a bearer token.",
        )
        .to_response();
    }
    let o = TokenOverrides::from_query(&query_pairs(req));
    match mint(call, issuer, &o) {
        Ok((token, _)) => reply::json(StatusCode::OK, &json!({ "value": token })),
        Err(resp) => *resp,
    }
}

// Control API: POST /_mock/issuers/{name}/token with overrides as JSON → {"token","subject"}.
pub(crate) fn control_token(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let dir = call.engine.directory();
    let Some(issuer) = find(&dir, p.get(0)) else {
        return not_found(p.get(0));
    };
    let o: TokenOverrides = if req.body().is_empty() {
        TokenOverrides::default()
    } else {
        match serde_json::from_slice(req.body()) {
            Ok(o) => o,
            Err(e) => return ControlError::new(400, "InvalidBody", e.to_string()).to_response(),
        }
    };
    match mint(call, issuer, &o) {
        Ok((token, subject)) => reply::json(
            StatusCode::OK,
            &json!({ "token": token, "issuer": issuer.issuer, "subject": subject }),
        ),
        Err(resp) => *resp,
    }
}

#[cfg(test)]
mod tests;
