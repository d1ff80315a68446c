//! The protected resources, so flows end in a real, validated call: Resource Manager (tenants,
//! subscriptions, resource groups, role assignments, providers, the cloud metadata document) and
//! Storage list-blobs (XML). Tokens are validated by core (signature, aud, iss, expiry, tenant);
//! each operation here is parse -> `crate::resource` -> render.

use http::{StatusCode, header};

use super::reply;
use super::route::{Params, header, query_get, query_pairs};
use super::shapes::{arm_error, storage_error};
use super::{Call, Request, Response};
use crate::resource::{
    AccessTokenClaims, ArmError, ResourceAuthError, ResourceKind, StorageError, bearer_token,
    find_storage_account, find_subscription, get_providers, get_resource_group, get_subscription,
    list_blobs, list_resource_groups, list_role_assignments, list_subscriptions, list_tenants,
    metadata_endpoints, resource_group_exists, validate_access_token,
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

/// ARM's token check for a request about `subscription` (its tenant names the challenge's
/// authority), then `op` with the caller's claims and `api-version`.
fn arm_call(
    call: &Call<'_>,
    req: &Request,
    subscription: Option<&str>,
    op: impl FnOnce(
        &crate::directory::Directory,
        &AccessTokenClaims,
        Option<&str>,
    ) -> Result<serde_json::Value, ArmError>,
) -> Response {
    let dir = call.engine.directory();
    let sub_tenant = subscription.and_then(|s| find_subscription(&dir, s).map(|(t, _)| t));
    let claims = match authenticate(call, req, ResourceKind::Arm) {
        Ok(c) => c,
        Err(e) => return arm_error(ArmError::from_auth(&e, sub_tenant)),
    };
    let q = query_pairs(req);
    match op(&dir, &claims, query_get(&q, "api-version")) {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err(e) => arm_error(e),
    }
}

// https://learn.microsoft.com/rest/api/resources/resource-groups/list
pub(crate) fn resource_groups(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let subscription = p.get(0);
    arm_call(call, req, Some(subscription), |dir, claims, v| {
        list_resource_groups(dir, subscription, claims, v)
    })
}

// https://learn.microsoft.com/rest/api/resources/resource-groups/get
pub(crate) fn resource_group(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let (subscription, name) = (p.get(0), p.get(1));
    arm_call(call, req, Some(subscription), |dir, claims, v| {
        get_resource_group(dir, subscription, name, claims, v)
    })
}

// https://learn.microsoft.com/rest/api/resources/resource-groups/check-existence
pub(crate) fn resource_group_head(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let (subscription, name) = (p.get(0), p.get(1));
    let mut status = 200;
    let resp = arm_call(call, req, Some(subscription), |dir, claims, v| {
        status = resource_group_exists(dir, subscription, name, claims, v)?;
        Ok(serde_json::Value::Null)
    });
    if resp.status() == StatusCode::OK {
        return reply::empty(reply::status(status));
    }
    resp
}

// https://learn.microsoft.com/rest/api/resources/tenants/list
pub(crate) fn tenants(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    arm_call(call, req, None, list_tenants)
}

// https://learn.microsoft.com/rest/api/resources/subscriptions/list
pub(crate) fn subscriptions(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    arm_call(call, req, None, list_subscriptions)
}

// https://learn.microsoft.com/rest/api/resources/subscriptions/get
pub(crate) fn subscription(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let subscription = p.get(0);
    arm_call(call, req, Some(subscription), |dir, claims, v| {
        get_subscription(dir, subscription, claims, v)
    })
}

// https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope
pub(crate) fn role_assignments(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let subscription = p.get(0);
    let group = (p.0.len() > 1).then(|| p.get(1));
    let q = query_pairs(req);
    let filter = query_get(&q, "$filter").map(str::to_owned);
    arm_call(call, req, Some(subscription), |dir, claims, v| {
        list_role_assignments(dir, subscription, group, claims, v, filter.as_deref())
    })
}

// https://learn.microsoft.com/rest/api/resources/providers/list and …/get
pub(crate) fn providers(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let subscription = p.get(0);
    let namespace = (p.0.len() > 1).then(|| p.get(1));
    arm_call(call, req, Some(subscription), |dir, claims, v| {
        get_providers(dir, subscription, namespace, claims, v)
    })
}

// Resource Manager's cloud metadata (`az cloud register`, `Add-AzEnvironment -ARMEndpoint`):
// public, no token.
pub(crate) fn metadata(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let dir = call.engine.directory();
    let base = super::entra::origin(req).base_url;
    let q = query_pairs(req);
    match metadata_endpoints(&dir, &base, query_get(&q, "api-version")) {
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
