//! Graph `appRoleAssignments` of a service principal: the application permissions it holds.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::model::{AppRoleAssignmentResource, to_value};
use super::service_principals::{find_sp, roles_of};
use super::{
    GraphError, GraphResponse, READ_ASSIGNMENTS, WRITE_ASSIGNMENTS, base, collection, entity,
    parse_body, require, tenant_mut, tenant_of,
};
use crate::directory::{AppRoleAssignment, Directory};
use crate::ids::{AppRoleId, ObjectId};
use crate::resource::AccessTokenClaims;
use crate::time::UnixTime;

/// Graph's assignment ids are 32 bytes in base64url: the principal's id then a unique part.
// UNCONFIRMED layout beyond the observed length; `unique` comes from the caller.
fn assignment_id(principal: ObjectId, unique: ObjectId) -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(&guid_bytes_le(principal));
    bytes.extend_from_slice(&guid_bytes_le(unique));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// .NET's `Guid.ToByteArray` order.
fn guid_bytes_le(id: ObjectId) -> [u8; 16] {
    uuid::Uuid::parse_str(&id.to_string())
        .map(|u| u.to_bytes_le())
        .unwrap_or_default()
}

/// `servicePrincipals('{sp}')/appRoleAssignments`, with the principal as the URL named it.
fn assignments_path(sp: &str) -> String {
    format!("servicePrincipals('{sp}')/appRoleAssignments")
}

/// `POST /v1.0/servicePrincipals/{id}/appRoleAssignments` with
/// `{"principalId","resourceId","appRoleId"}` → 201.
pub fn create_app_role_assignment(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    service_principal: &str,
    body: &[u8],
    new_id: ObjectId,
    now: UnixTime,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_ASSIGNMENTS)?;
    let map = parse_body(body)?;
    let tenant = tenant_of(dir, caller)?;
    let principal = find_sp(tenant, service_principal)?;
    let field = |name: &str| {
        map.get(name)
            .and_then(Value::as_str)
            .and_then(crate::ids::Guid::parse)
            .ok_or_else(|| GraphError::invalid_property(name, "AppRoleAssignment"))
    };
    let principal_id = ObjectId(field("principalId")?);
    let resource_id = ObjectId(field("resourceId")?);
    let app_role_id = AppRoleId(field("appRoleId")?);
    if principal_id != principal.id {
        // UNCONFIRMED: Graph wants the body's principal to be the one in the URL.
        return Err(GraphError::invalid_property(
            "principalId",
            "AppRoleAssignment",
        ));
    }
    let resource = tenant
        .service_principal_by_id(resource_id)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| GraphError::resource_not_found(&resource_id.to_string()))?;
    let role_ok = roles_of(dir, &resource).iter().any(|r| {
        r.id == app_role_id
            && r.is_enabled
            && r.allowed_member_types.iter().any(|m| m == "Application")
    });
    if !role_ok {
        return Err(GraphError::bad_request(format!(
            "Permission being assigned was not found on application '{}'.",
            resource.app_id
        )));
    }
    if tenant.app_role_assignments.iter().any(|a| {
        a.principal_id == principal_id
            && a.resource_id == resource_id
            && a.app_role_id == app_role_id
    }) {
        return Err(GraphError::bad_request(
            "Permission being assigned already exists on the object.",
        ));
    }
    let assignment = AppRoleAssignment {
        id: assignment_id(principal_id, new_id),
        principal_id,
        resource_id,
        app_role_id,
        principal_display_name: Some(principal.display_name.clone()),
        resource_display_name: Some(resource.display_name.clone()),
        principal_type: "ServicePrincipal".to_owned(),
        created_date_time: Some(now.rfc3339()),
    };
    let body = to_value(&entity(
        tenant,
        &assignments_path(service_principal),
        AppRoleAssignmentResource::from(&assignment),
    ));
    let location = format!(
        "{}/v1.0/servicePrincipals/{}/appRoleAssignments/{}",
        base(tenant),
        principal.id,
        assignment.id
    );
    tenant_mut(dir, caller)?
        .app_role_assignments
        .push(assignment);
    Ok(GraphResponse::created(body, location))
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignments`: the roles granted to that principal.
pub fn list_app_role_assignments(
    dir: &Directory,
    caller: &AccessTokenClaims,
    service_principal: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_ASSIGNMENTS)?;
    let tenant = tenant_of(dir, caller)?;
    let principal = find_sp(tenant, service_principal)?;
    let value = tenant
        .app_role_assignments
        .iter()
        .filter(|a| a.principal_id == principal.id)
        .map(AppRoleAssignmentResource::from)
        .collect();
    Ok(collection(
        tenant,
        &assignments_path(service_principal),
        value,
    ))
}
