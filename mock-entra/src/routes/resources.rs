//! Protected resources, so flows end in a real, validated call: ARM resource groups, Storage
//! list-blobs (XML) and Graph devices. Tokens are validated by core (signature, aud, iss, expiry,
//! tenant).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entra_core::resource::{
    AccessTokenClaims, ArmError, RequestId, ResourceAuthError, ResourceKind, StorageError,
    bearer_token, find_storage_account, find_subscription, list_blobs, list_resource_groups,
    validate_access_token,
};

use super::{P, query_get, query_pairs};
use crate::respond::{self, ShapedReply};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/subscriptions/{subscription}/resourceGroups",
            get(resource_groups),
        )
        .route(
            "/subscriptions/{subscription}/resourcegroups",
            get(resource_groups),
        )
        .route("/blob/{account}/{container}", get(storage_list_blobs))
}

/// Validates the bearer token of `headers` for `kind` with the server's issuer mode.
pub fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    kind: ResourceKind,
) -> Result<AccessTokenClaims, ResourceAuthError> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = bearer_token(auth)?;
    let dir = state.directory();
    let keys = state.keys();
    let mode = state.issuers();
    let policy = move |iss: &str| mode.accepts(iss);
    validate_access_token(token, kind, &dir, &keys, &policy, state.now())
}

fn arm_reply(e: ArmError) -> Response {
    let mut r = ShapedReply::new("arm", respond::status(e.status), e.to_body());
    if let Some(w) = e.www_authenticate {
        r = r.header("www-authenticate", w);
    }
    r.into_response()
}

// https://learn.microsoft.com/rest/api/resources/resource-groups/list
async fn resource_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    P(subscription): P<String>,
) -> Response {
    let dir = state.directory();
    let sub_tenant = find_subscription(&dir, &subscription).map(|(t, _)| t);
    let claims = match authenticate(&state, &headers, ResourceKind::Arm) {
        Ok(c) => c,
        Err(e) => return arm_reply(ArmError::from_auth(&e, sub_tenant)),
    };
    let q = query_pairs(&uri);
    match list_resource_groups(&dir, &subscription, &claims, query_get(&q, "api-version")) {
        Ok(body) => respond::json(StatusCode::OK, &body),
        Err(e) => arm_reply(e),
    }
}

fn storage_reply(state: &AppState, e: StorageError) -> Response {
    let request_id = RequestId(state.guid());
    let xml = e.to_xml(request_id, state.now());
    let mut resp = respond::raw(
        respond::status(e.status),
        "application/xml",
        xml.into_bytes(),
    );
    respond::set_header(&mut resp, "x-ms-request-id", &request_id.to_string());
    if let Some(w) = &e.www_authenticate {
        respond::set_header(&mut resp, "www-authenticate", w);
    }
    resp.extensions_mut().insert(respond::ReplyError {
        surface: "storage",
        message: e.code.to_owned(),
    });
    resp
}

// https://learn.microsoft.com/rest/api/storageservices/list-blobs
async fn storage_list_blobs(
    State(state): State<AppState>,
    headers: HeaderMap,
    P((account, container)): P<(String, String)>,
) -> Response {
    let dir = state.directory();
    let account_tenant = find_storage_account(&dir, &account).map(|(t, _, _)| t);
    let claims = match authenticate(&state, &headers, ResourceKind::Storage) {
        Ok(c) => c,
        Err(e) => return storage_reply(&state, StorageError::from_auth(&e, account_tenant)),
    };
    let version = headers.get("x-ms-version").and_then(|v| v.to_str().ok());
    match list_blobs(&dir, &account, &container, &claims, version) {
        Ok(xml) => {
            let mut resp = respond::raw(StatusCode::OK, "application/xml", xml.into_bytes());
            respond::set_header(&mut resp, "x-ms-request-id", &state.guid().to_string());
            resp
        }
        Err(e) => storage_reply(&state, e),
    }
}
