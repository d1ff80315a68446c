//! Admin consent: `GET /{tenant}/adminconsent` shows a page with Accept/Decline; the page posts
//! back and core decides (creating the service principal) and names the redirect.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entra_core::consent::{ConsentDecision, ConsentPage, admin_consent, consent_page_for};
use entra_core::error::EntraError;
use entra_core::ids::{ObjectId, TenantId};

use super::{P, client_request_id, query_get, query_pairs};
use crate::respond::{self, EntraReply};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/{tenant}/adminconsent",
        get(consent_page).post(consent_decision),
    )
}

fn entra_error(state: &AppState, headers: &HeaderMap, error: EntraError) -> Response {
    EntraReply {
        error,
        trace: state.trace(client_request_id(headers).as_deref()),
        now: state.now(),
        authority_host: "login.microsoftonline.com",
    }
    .into_response()
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
async fn consent_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(tenant): P<String>,
) -> Response {
    let q = query_pairs(&uri);
    let client_id = query_get(&q, "client_id").unwrap_or_default();
    let redirect_uri = query_get(&q, "redirect_uri").unwrap_or_default();
    let dir = state.directory();
    match consent_page_for(&dir, &tenant, client_id, None) {
        Ok(page) => {
            let tenants: Vec<(TenantId, String)> = dir
                .tenants
                .iter()
                .map(|t| (t.id, t.display_name.clone()))
                .collect();
            let html = render_page(
                &page,
                &tenant,
                client_id,
                redirect_uri,
                query_get(&q, "state"),
                &tenants,
            );
            respond::raw(
                StatusCode::OK,
                "text/html; charset=utf-8",
                html.into_bytes(),
            )
        }
        Err(e) => entra_error(&state, &headers, e),
    }
}

async fn consent_decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    P(tenant): P<String>,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let client_id = query_get(&form, "client_id").unwrap_or_default().to_owned();
    let redirect_uri = query_get(&form, "redirect_uri")
        .unwrap_or_default()
        .to_owned();
    let consent_state = query_get(&form, "state").map(str::to_owned);
    let chosen = query_get(&form, "tenant").and_then(TenantId::parse);
    let decision = match query_get(&form, "decision") {
        Some("accept") => ConsentDecision::Accept,
        _ => ConsentDecision::Decline,
    };
    let new_sp = ObjectId(state.guid());
    let outcome = state.update_directory(|d| {
        admin_consent(
            d,
            &tenant,
            chosen,
            &client_id,
            &redirect_uri,
            consent_state.as_deref(),
            decision,
            new_sp,
        )
    });
    match outcome {
        Ok(o) => {
            let mut resp = StatusCode::FOUND.into_response();
            respond::set_header(&mut resp, "location", &o.redirect_url);
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => entra_error(&state, &headers, e),
    }
}
