//! IMDS and the App Service MSI endpoint, at the root (the scenario's first VM; App Service by
//! header) and under `/hosts/{name}/…` for every host. Parse, decide and render are core's
//! (`entra_core::managed_identity`); this module reads the request, keeps IMDS's token cache and
//! writes the answer.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use entra_core::directory::{ComputeHost, Directory};
use entra_core::ids::CorrelationId;
use entra_core::managed_identity::app_service::{self, AppServiceError, AppServiceTokenRequest};
use entra_core::managed_identity::imds::{self, CachedToken, ImdsError, ImdsRequest};
use entra_core::managed_identity::{SelectedIdentity, http_headers};
use entra_core::token::{IssuedToken, issue_managed_identity_token_on_host};

use crate::respond::{self, ShapedReply};
use crate::state::{AppState, ImdsCategory};

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for prefix in ["", "/hosts/{host}"] {
        for path in [
            imds::TOKEN_PATH,
            imds::IDENTITY_INFO_PATH,
            imds::INSTANCE_PATH,
            imds::INSTANCE_COMPUTE_PATH,
            imds::VERSIONS_PATH,
        ] {
            r = r.route(&format!("{prefix}{path}"), any(imds_endpoint));
        }
        r = r.route(&format!("{prefix}/msi/token"), any(app_service_token));
    }
    r
}

/// The path as the surface sees it: `/hosts/{name}` stripped.
fn surface_path(uri: &Uri) -> &str {
    let p = uri.path();
    p.strip_prefix("/hosts/")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(p)
}

fn host_name(p: &Option<Path<String>>) -> Option<&str> {
    p.as_ref().map(|Path(h)| h.as_str())
}

fn with_imds_server(mut resp: Response) -> Response {
    respond::set_header(&mut resp, "server", imds::SERVER_HEADER);
    resp
}

fn imds_error(e: ImdsError) -> Response {
    ShapedReply::new("imds", respond::status(e.http_status()), e.to_body()).into_response()
}

fn app_service_error(e: &AppServiceError, correlation: CorrelationId) -> Response {
    ShapedReply::new(
        "app-service",
        respond::status(e.http_status()),
        e.to_body(correlation),
    )
    .into_response()
}

/// Mints the token for a selected identity; Entra's refusal comes back as the error.
fn mint(
    state: &AppState,
    dir: &Directory,
    id: &SelectedIdentity,
    resource: &str,
) -> Result<IssuedToken, (entra_core::error::EntraError, entra_core::ids::TraceIds)> {
    let trace = state.trace(None);
    state
        .with_env(trace, |env| {
            issue_managed_identity_token_on_host(dir, id, resource, env)
        })
        .map_err(|e| (e, trace))
}

// https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
// https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
async fn imds_endpoint(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let parsed = imds::parse_request(
        method.as_str(),
        surface_path(&uri),
        uri.query(),
        http_headers(&headers),
    );
    let dir = state.directory();
    let answer = parsed.and_then(|req| {
        let vm = imds::vm_host(&dir, host_name(&host))?;
        let category = match req {
            ImdsRequest::Token(_) | ImdsRequest::IdentityInfo { .. } => ImdsCategory::Identity,
            _ => ImdsCategory::Instance,
        };
        let _permit = state.admit_imds(&vm.name, category)?;
        Ok(match req {
            ImdsRequest::Token(t) => imds_token(&state, &dir, vm, &t),
            ImdsRequest::IdentityInfo { .. } => {
                let info = imds::identity_info(vm, &dir)?;
                respond::json(StatusCode::OK, &info)
            }
            ImdsRequest::Instance { .. } => {
                respond::json(StatusCode::OK, &imds::instance(vm, &dir))
            }
            ImdsRequest::InstanceCompute { .. } => {
                respond::json(StatusCode::OK, &imds::instance_compute(vm, &dir))
            }
            ImdsRequest::Versions => respond::json(StatusCode::OK, &imds::versions()),
        })
    });
    with_imds_server(answer.unwrap_or_else(imds_error))
}

/// A token from the VM's cache (as IMDS keeps them: same token, shrinking `expires_in`) or a
/// fresh one, which then goes into the cache.
fn imds_token(
    state: &AppState,
    dir: &Directory,
    vm: &ComputeHost,
    req: &imds::ImdsTokenRequest,
) -> Response {
    let id = match imds::select_identity(vm, dir, req.selector.as_ref()) {
        Ok(id) => id,
        Err(e) => return imds_error(e),
    };
    let client_id = id.properties.client_id;
    let now = state.now();
    let cached = state.with_imds_cache(&vm.name, |c| {
        c.get(client_id, &req.resource, now, req.bypass_cache)
            .cloned()
    });
    let token = match cached {
        Some(t) => t,
        None => match mint(state, dir, &id, req.resource.as_str()) {
            Ok(t) => {
                let cached = CachedToken {
                    access_token: t.access_token,
                    expires_on: t.expires_on,
                    not_before: t.not_before,
                };
                state.with_imds_cache(&vm.name, |c| {
                    c.insert(client_id, req.resource.clone(), cached.clone());
                });
                cached
            }
            Err((e, trace)) => {
                let authority = dir
                    .tenant(id.properties.tenant_id)
                    .map(|t| t.cloud.authority_host())
                    .unwrap_or("login.microsoftonline.com");
                return ShapedReply::new(
                    "imds",
                    respond::status(imds::TOKEN_FAILURE_STATUS),
                    imds::token_failure_body(&e, trace, now, authority),
                )
                .into_response();
            }
        },
    };
    respond::json(
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
async fn app_service_token(
    State(state): State<AppState>,
    host: Option<Path<String>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let correlation = CorrelationId(state.guid());
    let dir = state.directory();
    let issued = app_service::parse_token_request(
        method.as_str(),
        surface_path(&uri),
        uri.query(),
        http_headers(&headers),
    )
    .and_then(|req| {
        let site = app_service::host_for_request(&dir, host_name(&host), &req.identity_header)?;
        let id = app_service::select_identity(site, &dir, req.selector.as_ref())?;
        Ok((req, id))
    })
    .and_then(|(req, id): (AppServiceTokenRequest, SelectedIdentity)| {
        let token = mint(&state, &dir, &id, req.resource.as_str())
            .map_err(|_| AppServiceError::TokenServiceFailure)?;
        Ok(app_service::token_response(
            req.api_version,
            &token.access_token,
            id.properties.client_id,
            token.expires_on,
            &req.resource,
        ))
    });
    match issued {
        Ok(body) => respond::json(StatusCode::OK, &body),
        Err(e) => app_service_error(&e, correlation),
    }
}
