//! Entra's own endpoints: the token endpoints (v2.0 and v1), OIDC discovery, JWKS, instance
//! discovery and admin consent (its page and its decision).

use http::{StatusCode, header};

use super::reply::{self, Failure};
use super::route::{Params, client_request_id, header, query_get, query_pairs};
use super::shapes::EndpointError;
use super::{Call, Request, Response, Scheme};
use crate::consent::{ConsentDecision, ConsentPage, admin_consent, consent_page_for};
use crate::discovery::{self, DocVersion};
use crate::error::EntraError;
use crate::exchange::{ExternalKeys, TokenEndpoint, TokenRequest, exchange_with};
use crate::ids::{ObjectId, TenantId, TraceIds};

/// Form bodies larger than this are refused.
pub const MAX_FORM: usize = 64 * 1024;

const AUTHORITY_HOST: &str = "login.microsoftonline.com";

/// The origin the client used (`https://localhost:8443`), from the listener's scheme and the
/// `Host` header, so documents carry exactly what the client sent (sdk-compat 0.3.6).
pub(crate) struct Origin {
    pub(crate) base_url: String,
    pub(crate) host: String,
}

pub(crate) fn origin(req: &Request) -> Origin {
    let scheme = match req.extensions().get::<Scheme>() {
        Some(Scheme::Https) => "https",
        _ => "http",
    };
    let host = header(req, header::HOST)
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or_else(|| "localhost".to_owned());
    Origin {
        base_url: format!("{scheme}://{host}"),
        host,
    }
}

/// An Entra error rendered with core's envelope (`EntraError::to_body`).
pub(crate) fn entra_error(call: &Call<'_>, error: &EntraError, trace: TraceIds) -> Response {
    let body = error.to_body(trace, call.now, AUTHORITY_HOST);
    let mut resp = reply::json(reply::status(error.http_status()), &body);
    reply::token_headers(&mut resp, &trace);
    resp.extensions_mut().insert(Failure {
        surface: "entra",
        message: error.message(),
    });
    resp
}

fn entra_error_for(call: &Call<'_>, req: &Request, error: &EntraError) -> Response {
    let trace = call.trace(client_request_id(req));
    entra_error(call, error, trace)
}

fn discovery_json(call: &Call<'_>, req: &Request, body: &impl serde::Serialize) -> Response {
    let mut resp = reply::json(StatusCode::OK, body);
    reply::discovery_headers(&mut resp, &call.trace(client_request_id(req)));
    resp
}

// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
pub(crate) fn token_v2(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    token(call, req, p.get(0), TokenEndpoint::V2)
}

// https://learn.microsoft.com/previous-versions/azure/active-directory/azuread-dev/v1-oauth2-client-creds-grant-flow
pub(crate) fn token_v1(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    token(call, req, p.get(0), TokenEndpoint::V1)
}

fn token(call: &mut Call<'_>, req: &Request, tenant: &str, endpoint: TokenEndpoint) -> Response {
    let q = query_pairs(req);
    let request_id = client_request_id(req).or_else(|| query_get(&q, "client-request-id"));
    let trace = call.trace(request_id);
    if req.body().len() > MAX_FORM {
        return EndpointError {
            status: 413,
            error: "invalid_request",
            error_description: "The request body is too large.".to_owned(),
        }
        .to_response();
    }
    let dir = call.engine.directory();
    let cache = call.engine.external_keys();
    let external = ExternalKeys::new(&cache);
    let mut wanted = None;
    let mut answered_failure = None;
    let outcome = TokenRequest::parse(
        tenant,
        endpoint,
        header(req, header::AUTHORIZATION),
        header(req, header::CONTENT_TYPE),
        req.body(),
    )
    .and_then(|tr| {
        call.with_env(trace, |env| {
            let out = exchange_with(&tr, &dir, env, &external);
            wanted = external.wanted();
            answered_failure = external.answered_failure();
            out
        })
    });
    if let Some(issuer) = answered_failure {
        call.engine.forget_external_failure(&issuer);
    }
    if let Some(fetch) = wanted.as_deref().and_then(crate::issuers::first_fetch) {
        call.effects.push(super::Effect::FetchIssuerKeys(fetch));
    }
    match outcome {
        Ok(grant) => {
            let body = match endpoint {
                TokenEndpoint::V2 => grant.to_v2_body(),
                TokenEndpoint::V1 => grant.to_v1_body(call.now),
            };
            let mut resp = reply::json(StatusCode::OK, &body);
            reply::token_headers(&mut resp, &trace);
            resp
        }
        Err(error) => entra_error(call, &error, trace),
    }
}

fn metadata(call: &Call<'_>, req: &Request, tenant: &str, version: DocVersion) -> Response {
    let dir = call.engine.directory();
    match discovery::resolve_authority(&dir, tenant) {
        Ok(t) => {
            let doc = discovery::openid_configuration(
                &t,
                version,
                &origin(req).base_url,
                &call.engine.issuers(),
            );
            discovery_json(call, req, &doc)
        }
        Err(e) => entra_error_for(call, req, &e),
    }
}

// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
pub(crate) fn openid_configuration_v2(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    metadata(call, req, p.get(0), DocVersion::V2)
}

// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer (v1 metadata)
pub(crate) fn openid_configuration_v1(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    metadata(call, req, p.get(0), DocVersion::V1)
}

fn jwks(call: &Call<'_>, req: &Request, tenant: &str, version: DocVersion) -> Response {
    let dir = call.engine.directory();
    match discovery::resolve_authority(&dir, tenant) {
        Ok(t) => {
            let doc = discovery::jwks(
                &call.engine.keys(),
                &t,
                version,
                &call.engine.issuers(),
                call.now,
            );
            discovery_json(call, req, &doc)
        }
        Err(e) => entra_error_for(call, req, &e),
    }
}

// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
pub(crate) fn jwks_v2(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    jwks(call, req, p.get(0), DocVersion::V2)
}

pub(crate) fn jwks_v1(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    jwks(call, req, p.get(0), DocVersion::V1)
}

// https://learn.microsoft.com/entra/msal/dotnet/advanced/instance-discovery (C.4)
pub(crate) fn instance_discovery(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let q = query_pairs(req);
    let o = origin(req);
    let doc = discovery::instance_discovery(
        &o.base_url,
        &o.host,
        query_get(&q, "authorization_endpoint"),
    );
    discovery_json(call, req, &doc)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

fn render_page(
    page: &ConsentPage,
    tenant: &str,
    client_id: &str,
    redirect_uri: &str,
    state: Option<&str>,
    tenants: &[(TenantId, String)],
) -> String {
    let mut fields = hidden("client_id", client_id) + &hidden("redirect_uri", redirect_uri);
    if let Some(s) = state {
        fields += &hidden("state", s);
    }
    let chooser = if page.consenting_tenant.is_none() {
        let options: String = tenants
            .iter()
            .map(|(id, name)| format!("<option value=\"{id}\">{}</option>", esc(name)))
            .collect();
        format!(
            "<p><label>Consent on behalf of <select name=\"tenant\" data-testid=\"consent-tenant\">{options}</select></label></p>"
        )
    } else {
        String::new()
    };
    let already = if page.already_consented {
        "<p>This application is already consented in this organization.</p>"
    } else {
        ""
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Permissions requested</title></head><body>\
         <h1>Permissions requested</h1>\
         <p><strong data-testid=\"consent-app\">{app}</strong> ({client}) published by <span data-testid=\"consent-publisher\">{publisher}</span></p>\
         <p>Accept for your organization? An administrator's consent creates the application's service principal in the tenant.</p>{already}\
         <form method=\"post\" action=\"/{tenant}/adminconsent\">{fields}{chooser}\
         <button type=\"submit\" name=\"decision\" value=\"accept\" data-testid=\"consent-accept\">Accept</button> \
         <button type=\"submit\" name=\"decision\" value=\"decline\" data-testid=\"consent-decline\">Cancel</button>\
         </form></body></html>",
        app = esc(&page.app_display_name),
        client = esc(&page.client_id.to_string()),
        publisher = esc(&page.publisher_display_name),
        tenant = esc(tenant),
    )
}

// https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
pub(crate) fn consent_page(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let tenant = p.get(0);
    let q = query_pairs(req);
    let client_id = query_get(&q, "client_id").unwrap_or_default();
    let redirect_uri = query_get(&q, "redirect_uri").unwrap_or_default();
    let dir = call.engine.directory();
    match consent_page_for(&dir, tenant, client_id, None) {
        Ok(page) => {
            let tenants: Vec<(TenantId, String)> = dir
                .tenants
                .iter()
                .map(|t| (t.id, t.display_name.clone()))
                .collect();
            let html = render_page(
                &page,
                tenant,
                client_id,
                redirect_uri,
                query_get(&q, "state"),
                &tenants,
            );
            reply::raw(
                StatusCode::OK,
                "text/html; charset=utf-8",
                html.into_bytes(),
            )
        }
        Err(e) => entra_error_for(call, req, &e),
    }
}

pub(crate) fn consent_decision(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let tenant = p.get(0);
    let form: Vec<(String, String)> = form_urlencoded::parse(req.body())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let client_id = query_get(&form, "client_id").unwrap_or_default();
    let redirect_uri = query_get(&form, "redirect_uri").unwrap_or_default();
    let consent_state = query_get(&form, "state");
    let chosen = query_get(&form, "tenant").and_then(TenantId::parse);
    let decision = match query_get(&form, "decision") {
        Some("accept") => ConsentDecision::Accept,
        _ => ConsentDecision::Decline,
    };
    let new_sp = ObjectId(call.guid());
    let outcome = call.mutate(|d| {
        admin_consent(
            d,
            tenant,
            chosen,
            client_id,
            redirect_uri,
            consent_state,
            decision,
            new_sp,
        )
    });
    match outcome {
        Ok(o) => {
            let mut resp = reply::empty(StatusCode::FOUND);
            reply::set_header(&mut resp, "location", &o.redirect_url);
            reply::set_header(&mut resp, "cache-control", "no-store");
            resp
        }
        Err(e) => entra_error_for(call, req, &e),
    }
}
