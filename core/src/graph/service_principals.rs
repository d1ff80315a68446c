//! Graph `servicePrincipals`: list (with `$filter`, first-party principals included), get and
//! create, and the provisioning that admin consent shares.

use serde_json::Value;

use super::model::{ServicePrincipalResource, to_value};
use super::{
    CREATE_SERVICE_PRINCIPALS, GraphError, GraphResponse, READ_APPLICATIONS, app_filter_matches,
    base, collection, entity, parse_body, parse_eq_filter, require, tenant_of,
};
use crate::directory::{AppRole, Directory, ServicePrincipal, Tenant};
use crate::first_party;
use crate::ids::{ClientId, ObjectId, TenantId};
use crate::resource::AccessTokenClaims;

/// The app roles a service principal exposes: its own, else its first-party app's, else its
/// application's (scenario files often leave them out).
pub(super) fn roles_of(dir: &Directory, sp: &ServicePrincipal) -> Vec<AppRole> {
    if !sp.app_roles.is_empty() {
        return sp.app_roles.clone();
    }
    if let Some(fp) = first_party::by_app_id(sp.app_id) {
        return fp.app_roles();
    }
    dir.application(sp.app_id)
        .map(|(_, a)| a.app_roles.clone())
        .unwrap_or_default()
}

/// A service principal as Graph returns it, with its application's name and audience.
fn view(dir: &Directory, sp: &ServicePrincipal) -> Value {
    let roles = roles_of(dir, sp);
    let app = dir.application(sp.app_id).map(|(_, a)| a);
    to_value(&ServicePrincipalResource::new(sp, app, &roles))
}

/// Why `app_id` cannot get a service principal in `tenant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProvisionError {
    /// No application has this appId.
    UnknownApp,
    /// The application is single-tenant and registered in another tenant.
    SingleTenantElsewhere,
}

/// Creates (or finds) the service principal of `app_id` in `tenant_id`, as Graph's
/// `POST /servicePrincipals` and admin consent do. Returns the principal and whether it is new.
pub(crate) fn provision_service_principal(
    dir: &mut Directory,
    tenant_id: TenantId,
    app_id: ClientId,
    new_id: ObjectId,
) -> Result<(ServicePrincipal, bool), ProvisionError> {
    let (home, app) = match dir.application(app_id) {
        Some((home, app)) => (home.id, app.clone()),
        None => return Err(ProvisionError::UnknownApp),
    };
    if home != tenant_id && !app.sign_in_audience.is_multi_tenant() {
        return Err(ProvisionError::SingleTenantElsewhere);
    }
    let Some(tenant) = dir.tenant_mut(tenant_id) else {
        return Err(ProvisionError::UnknownApp);
    };
    if let Some(sp) = tenant
        .service_principals
        .iter()
        .find(|s| s.app_id == app_id)
    {
        return Ok((sp.clone(), false));
    }
    let mut names = vec![app.app_id.to_string()];
    names.extend(app.identifier_uris.iter().cloned());
    let sp = ServicePrincipal {
        id: new_id,
        app_id,
        display_name: app.display_name.clone(),
        account_enabled: true,
        app_role_assignment_required: false,
        service_principal_type: "Application".to_owned(),
        app_owner_organization_id: Some(home),
        app_roles: app.app_roles.clone(),
        service_principal_names: names,
    };
    tenant.service_principals.push(sp.clone());
    Ok((sp, true))
}

/// `POST /v1.0/servicePrincipals` with `{"appId":"…"}` → 201.
///
/// - no application with that appId anywhere, or a single-tenant one from another tenant: 400
///   (UNCONFIRMED: Graph's "does not reference a valid application object" wording for both);
/// - a caller holding only Application.ReadWrite.OwnedBy, for an app of another tenant: 403 with
///   reference F.3's wording;
/// - the tenant already has one: 409 `Request_MultipleObjectsWithSameKeyValue` (UNCONFIRMED
///   status and wording).
pub fn create_service_principal(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    body: &[u8],
    new_id: ObjectId,
) -> Result<GraphResponse, GraphError> {
    require(caller, CREATE_SERVICE_PRINCIPALS)?;
    let map = parse_body(body)?;
    let raw = map
        .get("appId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::invalid_property("appId", "ServicePrincipal"))?;
    let not_valid = || {
        GraphError::bad_request(format!(
            "The appId '{raw}' of the service principal does not reference a valid application object."
        ))
    };
    let app_id = ClientId::parse(raw).ok_or_else(not_valid)?;
    let home = dir.application(app_id).map(|(t, _)| t.id);
    let owned_by_only =
        !caller.has_any_role(&["Application.ReadWrite.All", "Directory.ReadWrite.All"]);
    if owned_by_only && home.is_some_and(|h| h != caller.tenant) {
        return Err(GraphError::new(
            403,
            "Authorization_RequestDenied",
            "When using this permission, the backing application of the service principal being created must in the local tenant",
        ));
    }
    let tenant = tenant_of(dir, caller)?;
    if tenant.service_principals.iter().any(|s| s.app_id == app_id)
        || first_party::by_app_id(app_id).is_some()
    {
        return Err(GraphError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        ));
    }
    let (sp, _) =
        provision_service_principal(dir, caller.tenant, app_id, new_id).map_err(|_| not_valid())?;
    let tenant = tenant_of(dir, caller)?;
    let body = to_value(&entity(tenant, "servicePrincipals", view(dir, &sp)));
    let location = format!(
        "{}/v2/{}/directoryObjects/{}/Microsoft.DirectoryServices.ServicePrincipal",
        base(tenant),
        tenant.id,
        sp.id
    );
    Ok(GraphResponse::created(body, location))
}

pub(super) fn find_sp(tenant: &Tenant, id: &str) -> Result<ServicePrincipal, GraphError> {
    let oid = ObjectId::parse(id)
        .ok_or_else(|| GraphError::bad_request(format!("Invalid object identifier '{id}'.")))?;
    tenant
        .service_principal_by_id(oid)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| GraphError::resource_not_found(id))
}

/// `GET /v1.0/servicePrincipals/{id}`.
pub fn get_service_principal(
    dir: &Directory,
    caller: &AccessTokenClaims,
    id: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let sp = find_sp(tenant, id)?;
    Ok(GraphResponse::ok(to_value(&entity(
        tenant,
        "servicePrincipals",
        view(dir, &sp),
    ))))
}

/// `GET /v1.0/servicePrincipals`, optionally `$filter=appId eq '…'` (or displayName). The
/// first-party principals every tenant holds are listed too.
pub fn list_service_principals(
    dir: &Directory,
    caller: &AccessTokenClaims,
    filter: Option<&str>,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let wanted = parse_eq_filter(filter, &["appId", "displayName"], "ServicePrincipal")?;
    let mut all: Vec<ServicePrincipal> = tenant.service_principals.clone();
    for fp in first_party::ALL {
        if !all.iter().any(|s| s.app_id == fp.app_id) {
            all.push(fp.service_principal_in(tenant.id));
        }
    }
    let value: Vec<Value> = all
        .iter()
        .filter(|s| app_filter_matches(wanted.as_ref(), s.app_id, &s.display_name))
        .map(|s| view(dir, s))
        .collect();
    Ok(collection(tenant, "servicePrincipals", value))
}
