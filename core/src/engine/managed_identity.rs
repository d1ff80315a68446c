//! IMDS and the App Service MSI endpoint, at the root (the scenario's first VM; App Service by
//! header) and under `/hosts/{name}/…` for every host: parse, select, IMDS's cache and throttle,
//! mint, render.

use http::StatusCode;

use super::reply;
use super::route::Params;
use super::shapes::{app_service_error, imds_error};
use super::{Call, ImdsCategory, Request, Response};
use crate::directory::{ComputeHost, Directory};
use crate::error::EntraError;
use crate::ids::{CorrelationId, TraceIds};
use crate::managed_identity::app_service::{self, AppServiceError, AppServiceTokenRequest};
use crate::managed_identity::imds::{self, CachedToken, ImdsRequest};
use crate::managed_identity::{SelectedIdentity, http_headers};
use crate::token::{IssuedToken, issue_managed_identity_token_on_host};

/// Every path IMDS serves.
pub(crate) const IMDS_PATHS: [&str; 5] = [
    imds::TOKEN_PATH,
    imds::IDENTITY_INFO_PATH,
    imds::INSTANCE_PATH,
    imds::INSTANCE_COMPUTE_PATH,
    imds::VERSIONS_PATH,
];

/// The path as the surface sees it: `/hosts/{name}` stripped.
fn surface_path(path: &str) -> &str {
    path.strip_prefix("/hosts/")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(path)
}

/// The host named by `/hosts/{name}/…`, if any.
fn host_name<'p>(path: &str, p: &'p Params) -> Option<&'p str> {
    path.starts_with("/hosts/").then(|| p.get(0))
}

fn with_imds_server(mut resp: Response) -> Response {
    reply::set_header(&mut resp, "server", imds::SERVER_HEADER);
    resp
}

/// Mints the token for a selected identity; Entra's refusal comes back as the error.
fn mint(
    call: &Call<'_>,
    dir: &Directory,
    id: &SelectedIdentity,
    resource: &str,
) -> Result<IssuedToken, (EntraError, TraceIds)> {
    let trace = call.trace(None);
    call.with_env(trace, |env| {
        issue_managed_identity_token_on_host(dir, id, resource, env)
    })
    .map_err(|e| (e, trace))
}

// https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
// https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
pub(crate) fn imds(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let path = super::route::routed_path(req);
    let parsed = imds::parse_request(
        req.method().as_str(),
        surface_path(&path),
        req.uri().query(),
        http_headers(req.headers()),
    );
    let dir = call.engine.directory();
    let answer = parsed.and_then(|r| {
        let vm = imds::vm_host(&dir, host_name(&path, p))?;
        let category = match r {
            ImdsRequest::Token(_) | ImdsRequest::IdentityInfo { .. } => ImdsCategory::Identity,
            _ => ImdsCategory::Instance,
        };
        let admitted = call.engine.admit_imds(&vm.name, category, call.monotonic)?;
        let out = match r {
            ImdsRequest::Token(t) => Ok(imds_token(call, &dir, vm, &t)),
            ImdsRequest::IdentityInfo { .. } => {
                imds::identity_info(vm, &dir).map(|info| reply::json(StatusCode::OK, &info))
            }
            ImdsRequest::Instance { .. } => {
                Ok(reply::json(StatusCode::OK, &imds::instance(vm, &dir)))
            }
            ImdsRequest::InstanceCompute { .. } => Ok(reply::json(
                StatusCode::OK,
                &imds::instance_compute(vm, &dir),
            )),
            ImdsRequest::Versions => Ok(reply::json(StatusCode::OK, &imds::versions())),
        };
        if admitted {
            call.engine.release_imds(&vm.name, category);
        }
        out
    });
    with_imds_server(answer.unwrap_or_else(imds_error))
}

/// A token from the VM's cache (as IMDS keeps them: same token, shrinking `expires_in`) or a
/// fresh one, which then goes into the cache.
fn imds_token(
    call: &Call<'_>,
    dir: &Directory,
    vm: &ComputeHost,
    req: &imds::ImdsTokenRequest,
) -> Response {
    let id = match imds::select_identity(vm, dir, req.selector.as_ref()) {
        Ok(id) => id,
        Err(e) => return imds_error(e),
    };
    let client_id = id.properties.client_id;
    let now = call.now;
    let cached = call.engine.with_imds_cache(&vm.name, |c| {
        c.get(client_id, &req.resource, now, req.bypass_cache)
            .cloned()
    });
    let token = match cached {
        Some(t) => t,
        None => match mint(call, dir, &id, req.resource.as_str()) {
            Ok(t) => {
                let cached = CachedToken {
                    access_token: t.access_token,
                    expires_on: t.expires_on,
                    not_before: t.not_before,
                };
                call.engine.with_imds_cache(&vm.name, |c| {
                    c.insert(client_id, req.resource.clone(), cached.clone());
                });
                cached
            }
            Err((e, trace)) => {
                let authority = dir
                    .tenant(id.properties.tenant_id)
                    .map(|t| t.cloud.authority_host())
                    .unwrap_or("login.microsoftonline.com");
                return reply::failure(
                    "imds",
                    reply::status(imds::TOKEN_FAILURE_STATUS),
                    &imds::token_failure_body(&e, trace, now, authority),
                );
            }
        },
    };
    reply::json(
        StatusCode::OK,
        &imds::token_response(
            &token.access_token,
            client_id,
            token.expires_on,
            token.not_before,
            now,
            &req.resource,
        ),
    )
}

// https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
pub(crate) fn app_service(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let path = super::route::routed_path(req);
    let correlation = CorrelationId(call.guid());
    let dir = call.engine.directory();
    let issued = app_service::parse_token_request(
        req.method().as_str(),
        surface_path(&path),
        req.uri().query(),
        http_headers(req.headers()),
    )
    .and_then(|r| {
        let site = app_service::host_for_request(&dir, host_name(&path, p), &r.identity_header)?;
        let id = app_service::select_identity(site, &dir, r.selector.as_ref())?;
        Ok((r, id))
    })
    .and_then(|(r, id): (AppServiceTokenRequest, SelectedIdentity)| {
        let token = mint(call, &dir, &id, r.resource.as_str())
            .map_err(|_| AppServiceError::TokenServiceFailure)?;
        Ok(app_service::token_response(
            r.api_version,
            &token.access_token,
            id.properties.client_id,
            token.expires_on,
            &r.resource,
        ))
    });
    match issued {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err(e) => app_service_error(&e, correlation),
    }
}
