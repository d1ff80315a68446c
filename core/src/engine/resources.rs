//! The protected resources, so flows end in a real, validated call: ARM resource groups and
//! Storage list-blobs (XML). Tokens are validated by core (signature, aud, iss, expiry, tenant).

use http::{StatusCode, header};

use super::reply;
use super::route::{Params, header, query_get, query_pairs};
use super::shapes::{arm_error, storage_error};
use super::{Call, Request, Response};
use crate::resource::{
    AccessTokenClaims, ArmError, ResourceAuthError, ResourceKind, StorageError, bearer_token,
    find_storage_account, find_subscription, list_blobs, list_resource_groups,
    validate_access_token,
};

/// Validates the bearer token of `req` for `kind` with the engine's issuer mode.
pub(crate) fn authenticate(
    call: &Call<'_>,
    req: &Request,
    kind: ResourceKind,
) -> Result<AccessTokenClaims, ResourceAuthError> {
    let token = bearer_token(header(req, header::AUTHORIZATION))?;
    let dir = call.engine.directory();
    let keys = call.engine.keys();
    let mode = call.engine.issuers();
    let policy = move |iss: &str| mode.accepts(iss);
    validate_access_token(token, kind, &dir, &keys, &policy, call.now)
}

// https://learn.microsoft.com/rest/api/resources/resource-groups/list
pub(crate) fn resource_groups(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let subscription = p.get(0);
    let dir = call.engine.directory();
    let sub_tenant = find_subscription(&dir, subscription).map(|(t, _)| t);
    let claims = match authenticate(call, req, ResourceKind::Arm) {
        Ok(c) => c,
        Err(e) => return arm_error(ArmError::from_auth(&e, sub_tenant)),
    };
    let q = query_pairs(req);
    match list_resource_groups(&dir, subscription, &claims, query_get(&q, "api-version")) {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err(e) => arm_error(e),
    }
}

// https://learn.microsoft.com/rest/api/storageservices/list-blobs
pub(crate) fn list_blobs_op(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let (account, container) = (p.get(0), p.get(1));
    let dir = call.engine.directory();
    let account_tenant = find_storage_account(&dir, account).map(|(t, _, _)| t);
    let claims = match authenticate(call, req, ResourceKind::Storage) {
        Ok(c) => c,
        Err(e) => return storage_error(call, &StorageError::from_auth(&e, account_tenant)),
    };
    match list_blobs(
        &dir,
        account,
        container,
        &claims,
        header(req, "x-ms-version"),
    ) {
        Ok(xml) => {
            let mut resp = reply::raw(StatusCode::OK, "application/xml", xml.into_bytes());
            reply::set_header(&mut resp, "x-ms-request-id", &call.guid().to_string());
            resp
        }
        Err(e) => storage_error(call, &e),
    }
}
