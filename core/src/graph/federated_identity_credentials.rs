//! Graph `federatedIdentityCredentials` of an application: list, get by id or name, create,
//! update, upsert by name (`Prefer: create-if-missing`) and delete. The rules themselves are
//! `crate::fic`'s; this module applies them to the directory and renders the answers.

use serde_json::{Map, Value};

use super::applications::{ApplicationRef, find_app};
use super::model::{Entity, FederatedIdentityCredentialResource, to_value};
use super::{
    GraphError, GraphResponse, READ_APPLICATIONS, WRITE_APPLICATIONS, base, collection, context,
    parse_body, require, tenant_mut, tenant_of,
};
use crate::directory::{Application, Directory, FederatedIdentityCredential, Tenant};
use crate::fic::{self, FicDraft, FicError};
use crate::ids::ObjectId;
use crate::resource::AccessTokenClaims;
use crate::time::UnixTime;

/// How a URL names a FIC: `/{id}`, `/{name}` or `(name='{name}')`.
pub fn parse_fic_segment(segment: &str) -> String {
    let s = segment.replace("%27", "'");
    s.strip_prefix("(name=")
        .and_then(|r| r.strip_suffix(')'))
        .map_or(s.clone(), |v| v.trim_matches('\'').to_owned())
}

/// `applications('{id}')/federatedIdentityCredentials`: the path of an application's FICs in
/// `@odata.context`.
fn fics_path(app: &Application) -> String {
    format!("applications('{}')/federatedIdentityCredentials", app.id)
}

/// One FIC as Graph answers a get or a create: with `@odata.id`, the directory's own address of
/// the credential.
fn fic_entity(tenant: &Tenant, app: &Application, f: &FederatedIdentityCredential) -> Value {
    to_value(&Entity {
        context: context(tenant, &format!("{}/$entity", fics_path(app))),
        odata_id: Some(format!(
            "{}/v2/{}/directoryObjects/$/Microsoft.DirectoryServices.Application('{}')/federatedIdentityCredentials/{}",
            base(tenant),
            tenant.id,
            app.id,
            f.id
        )),
        resource: FederatedIdentityCredentialResource::from(f),
    })
}

fn find_fic(app: &Application, key: &str) -> Option<usize> {
    let by_id = ObjectId::parse(key);
    app.federated_identity_credentials
        .iter()
        .position(|f| Some(f.id) == by_id || f.name.eq_ignore_ascii_case(key))
}

fn fic_not_found_by_name(name: &str) -> GraphError {
    GraphError::new(
        404,
        "Request_ResourceNotFound",
        format!("FederatedIdentityCredential with name {name} not found."),
    )
}

/// `GET /v1.0/applications/{id}/federatedIdentityCredentials`.
pub fn list_federated_identity_credentials(
    dir: &Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let a = &tenant.applications[find_app(tenant, app)?];
    let value = a
        .federated_identity_credentials
        .iter()
        .map(FederatedIdentityCredentialResource::from)
        .collect();
    Ok(collection(tenant, &fics_path(a), value))
}

/// `GET /v1.0/applications/{id}/federatedIdentityCredentials/{id or name}`.
pub fn get_federated_identity_credential(
    dir: &Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let a = &tenant.applications[find_app(tenant, app)?];
    let i = find_fic(a, fic).ok_or_else(|| GraphError::resource_not_found(fic))?;
    Ok(GraphResponse::ok(fic_entity(
        tenant,
        a,
        &a.federated_identity_credentials[i],
    )))
}

/// `POST /v1.0/applications/{id}/federatedIdentityCredentials` → 201 with the new credential.
pub fn create_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    body: &[u8],
    new_id: ObjectId,
    now: UnixTime,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let draft = draft_of(map)?;
    let new = fic::validate_create(
        &draft,
        &tenant.applications[i].federated_identity_credentials,
    )?;
    // Remembered for the scenario's propagation delay; never shown in Graph's JSON.
    let fic = FederatedIdentityCredential {
        created_at: Some(now),
        ..new.with_id(new_id)
    };
    insert_fic(tenant, i, fic)
}

/// A request body as the FIC rules read it.
fn draft_of(map: Map<String, Value>) -> Result<FicDraft, GraphError> {
    serde_json::from_value(Value::Object(map)).map_err(|_| FicError::UnreadableBody.into())
}

fn insert_fic(
    tenant: &mut Tenant,
    app_index: usize,
    fic: FederatedIdentityCredential,
) -> Result<GraphResponse, GraphError> {
    let a = &tenant.applications[app_index];
    let body = fic_entity(tenant, a, &fic);
    let location = format!(
        "{}/v1.0/applications/{}/federatedIdentityCredentials/{}",
        base(tenant),
        a.id,
        fic.id
    );
    tenant.applications[app_index]
        .federated_identity_credentials
        .push(fic);
    Ok(GraphResponse::created(body, location))
}

fn apply_patch(
    tenant: &mut Tenant,
    app_index: usize,
    fic_index: usize,
    map: &Map<String, Value>,
) -> Result<GraphResponse, GraphError> {
    let fics = &tenant.applications[app_index].federated_identity_credentials;
    let current = &fics[fic_index];
    let draft = draft_of(map.clone())?;
    let merged = fic::validate_patch(current, &draft, fics)?;
    tenant.applications[app_index].federated_identity_credentials[fic_index] = merged;
    Ok(GraphResponse::no_content())
}

/// `PATCH /v1.0/applications/{id}/federatedIdentityCredentials/{id}` → 204. `name` is
/// immutable.
pub fn update_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
    body: &[u8],
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let j = find_fic(&tenant.applications[i], fic)
        .ok_or_else(|| GraphError::resource_not_found(fic))?;
    apply_patch(tenant, i, j, &map)
}

/// `PATCH /v1.0/applications/{id}/federatedIdentityCredentials(name='{name}')`: with
/// `Prefer: create-if-missing` an upsert (201 created / 204 updated); without it an update of an
/// existing credential (404 otherwise).
pub fn upsert_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    name: &str,
    body: &[u8],
    create_if_missing: bool,
    new_id: ObjectId,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let mut map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let existing = tenant.applications[i]
        .federated_identity_credentials
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name));
    match existing {
        Some(j) => apply_patch(tenant, i, j, &map),
        None if create_if_missing => {
            // The name comes from the URL; a different one in the body is refused by the rules.
            map.entry("name".to_owned())
                .or_insert_with(|| Value::String(name.to_owned()));
            if map.get("name").and_then(Value::as_str) != Some(name) {
                return Err(GraphError::invalid_property(
                    "name",
                    "FederatedIdentityCredential",
                ));
            }
            let draft = draft_of(map)?;
            let new = fic::validate_create(
                &draft,
                &tenant.applications[i].federated_identity_credentials,
            )?;
            insert_fic(tenant, i, new.with_id(new_id))
        }
        None => Err(fic_not_found_by_name(name)),
    }
}

/// `DELETE /v1.0/applications/{id}/federatedIdentityCredentials/{id or name}` → 204.
pub fn delete_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let j = find_fic(&tenant.applications[i], fic)
        .ok_or_else(|| GraphError::resource_not_found(fic))?;
    tenant.applications[i]
        .federated_identity_credentials
        .remove(j);
    Ok(GraphResponse::no_content())
}
