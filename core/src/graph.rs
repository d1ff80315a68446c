//! The Microsoft Graph subset a federated-credential setup drives: applications, their federated
//! identity credentials, service principals and app role assignments, over one tenant (the
//! caller's `tid`), with Graph's permission checks and error envelope (reference F).
//!
//! One module per entity set; every body is a typed view of the directory (`model.rs`), never
//! JSON assembled by hand. This module holds what they share: Graph's errors for these
//! operations, the answer type, the permission sets, the tenant lookup and `$filter`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::directory::{Directory, Tenant};
use crate::first_party;
use crate::ids::ClientId;
use crate::resource::{AccessTokenClaims, ResourceAuthError};

mod app_role_assignments;
mod applications;
mod devices;
mod federated_identity_credentials;
mod model;
mod service_principals;

pub use app_role_assignments::{create_app_role_assignment, list_app_role_assignments};
pub use applications::{
    ApplicationRef, create_application, get_application, list_applications, update_application,
};
pub use devices::list_devices;
pub use federated_identity_credentials::{
    create_federated_identity_credential, delete_federated_identity_credential,
    get_federated_identity_credential, list_federated_identity_credentials, parse_fic_segment,
    update_federated_identity_credential, upsert_federated_identity_credential,
};
pub(crate) use service_principals::{ProvisionError, provision_service_principal};
pub use service_principals::{
    create_service_principal, get_service_principal, list_service_principals,
};

use model::{Collection, Entity};

// ------------------------------------------------------------------------------------------------
// Envelope
// ------------------------------------------------------------------------------------------------

pub use crate::graph_error::GraphError;

/// Graph's failures specific to this module's operations; the envelope itself lives in
/// [`crate::graph_error`].
impl GraphError {
    /// 403 `Authorization_RequestDenied`: the caller's token lacks the application permission.
    pub fn insufficient_privileges() -> Self {
        GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 404 `Request_ResourceNotFound` for an id or alternate key.
    pub fn resource_not_found(id: &str) -> Self {
        GraphError::not_found(format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ))
    }

    fn invalid_property(property: &str, resource: &str) -> Self {
        // UNCONFIRMED wording beyond Graph's usual "Invalid value specified for property …".
        GraphError::bad_request(format!(
            "Invalid value specified for property '{property}' of resource '{resource}'."
        ))
    }

    fn malformed_json() -> Self {
        GraphError::new(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// Graph's answer to a refused token.
    // UNCONFIRMED wordings except "Invalid audience." and "Access token is empty.".
    pub fn from_auth(err: &ResourceAuthError) -> Self {
        let message = match err {
            ResourceAuthError::MissingToken | ResourceAuthError::NotBearer => {
                "Access token is empty."
            }
            ResourceAuthError::InvalidAudience(_) => {
                "Access token validation failure. Invalid audience."
            }
            ResourceAuthError::Expired { .. } => {
                "Lifetime validation failed, the token is expired."
            }
            ResourceAuthError::NotYetValid { .. } => {
                "Lifetime validation failed, the token is not yet valid."
            }
            ResourceAuthError::InvalidIssuer(_) | ResourceAuthError::UnknownTenant(_) => {
                "Access token validation failure. Invalid issuer."
            }
            _ => "Access token validation failure.",
        };
        GraphError::new(401, "InvalidAuthenticationToken", message).with_www_authenticate(format!(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{}\"",
            first_party::MICROSOFT_GRAPH.app_id
        ))
    }
}

/// A successful Graph answer: status, optional body and `Location`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphResponse {
    pub status: u16,
    pub body: Option<Value>,
    pub location: Option<String>,
}

impl GraphResponse {
    fn ok(body: Value) -> Self {
        GraphResponse {
            status: 200,
            body: Some(body),
            location: None,
        }
    }

    fn created(body: Value, location: String) -> Self {
        GraphResponse {
            status: 201,
            body: Some(body),
            location: Some(location),
        }
    }

    fn no_content() -> Self {
        GraphResponse {
            status: 204,
            body: None,
            location: None,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Permissions
// ------------------------------------------------------------------------------------------------

const READ_APPLICATIONS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

const WRITE_APPLICATIONS: &[&str] = &["Application.ReadWrite.All"];

/// Creating a service principal; `Application.ReadWrite.OwnedBy` only for apps of this tenant.
const CREATE_SERVICE_PRINCIPALS: &[&str] = &[
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.ReadWrite.All",
];

const READ_ASSIGNMENTS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

const WRITE_ASSIGNMENTS: &[&str] = &[
    "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
];

fn require(caller: &AccessTokenClaims, any_of: &[&str]) -> Result<(), GraphError> {
    if caller.has_any_role(any_of) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

fn tenant_of<'d>(dir: &'d Directory, caller: &AccessTokenClaims) -> Result<&'d Tenant, GraphError> {
    dir.tenant(caller.tenant)
        .ok_or_else(GraphError::insufficient_privileges)
}

fn tenant_mut<'d>(
    dir: &'d mut Directory,
    caller: &AccessTokenClaims,
) -> Result<&'d mut Tenant, GraphError> {
    dir.tenant_mut(caller.tenant)
        .ok_or_else(GraphError::insufficient_privileges)
}

fn base(tenant: &Tenant) -> &'static str {
    tenant.cloud.graph_endpoint()
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::malformed_json()),
    }
}

// ------------------------------------------------------------------------------------------------
// Rendering and queries shared by the entity sets
// ------------------------------------------------------------------------------------------------

/// `{base}/v1.0/$metadata#{path}`: the `@odata.context` of an answer about `path`.
fn context(tenant: &Tenant, path: &str) -> String {
    format!("{}/v1.0/$metadata#{path}", base(tenant))
}

/// A single entity under `path`: `@odata.context` of `{path}/$entity`, then the resource.
fn entity<T: Serialize>(tenant: &Tenant, path: &str, resource: T) -> Entity<T> {
    Entity {
        context: context(tenant, &format!("{path}/$entity")),
        odata_id: None,
        resource,
    }
}

/// A collection answer: `@odata.context` of `path` and the values.
fn collection<T: Serialize>(tenant: &Tenant, path: &str, value: Vec<T>) -> GraphResponse {
    GraphResponse::ok(model::to_value(&Collection {
        context: context(tenant, path),
        value,
    }))
}

/// `$filter=appId eq '…'` (any case) or `displayName eq '…'` (exact), as parsed by
/// [`parse_eq_filter`].
fn app_filter_matches(wanted: Option<&(String, String)>, app_id: ClientId, name: &str) -> bool {
    match wanted {
        None => true,
        Some((p, v)) if p == "appId" => app_id.to_string().eq_ignore_ascii_case(v),
        Some((_, v)) => name == v,
    }
}

/// Reads `{property} eq '{value}'`, the only `$filter` form supported here.
fn parse_eq_filter(
    filter: Option<&str>,
    properties: &[&str],
    resource: &str,
) -> Result<Option<(String, String)>, GraphError> {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let unsupported = || {
        GraphError::new(
            400,
            "Request_UnsupportedQuery",
            format!(
                "Unsupported or invalid query filter clause specified for property '{}' of resource '{resource}'.",
                f.split_whitespace().next().unwrap_or(f)
            ),
        )
    };
    let mut parts = f.splitn(3, ' ');
    let (Some(prop), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unsupported());
    };
    let value = value.trim();
    if !op.eq_ignore_ascii_case("eq")
        || value.len() < 2
        || !value.starts_with('\'')
        || !value.ends_with('\'')
    {
        return Err(unsupported());
    }
    let Some(prop) = properties.iter().find(|p| p.eq_ignore_ascii_case(prop)) else {
        return Err(unsupported());
    };
    Ok(Some((
        (*prop).to_owned(),
        value[1..value.len() - 1].replace("''", "'"),
    )))
}

#[cfg(test)]
mod tests;
