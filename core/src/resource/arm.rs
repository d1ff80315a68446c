//! Azure Resource Manager, as far as the flow and the Azure CLI need it: tenants, subscriptions,
//! resource groups (list, get, `HEAD`), role assignments at a scope and the provider documents,
//! each behind ARM's RBAC, `api-version` rule and `{"error":{"code","message"}}` envelope.
//! The cloud metadata document (`/metadata/endpoints`) is `metadata.rs`.

use serde_json::{Value, json};
use sha2::Digest as _;

use super::bearer::{AccessTokenClaims, ResourceAuthError};
use crate::directory::{Directory, RoleAssignment, Subscription};
use crate::ids::{SubscriptionId, TenantId};
use crate::time::UnixTime;

/// An ARM error: status, the `{"error":{"code","message"}}` envelope, and for 401s the
/// `WWW-Authenticate` value the server sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub www_authenticate: Option<String>,
}

impl ArmError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code,
            message: message.into(),
            www_authenticate: None,
        }
    }

    fn unauthorized(code: &'static str, message: String, authority_tenant: &str) -> Self {
        // ARM's challenge names the login.windows.net authority and repeats the message.
        let www = format!(
            "Bearer authorization_uri=\"https://login.windows.net/{authority_tenant}\", error=\"invalid_token\", error_description=\"{}\"",
            message.replace('"', "'")
        );
        ArmError {
            status: 401,
            code,
            message,
            www_authenticate: Some(www),
        }
    }

    /// `{"error":{"code":…,"message":…}}`.
    pub fn to_body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }

    /// ARM's answer to a refused token. `subscription_tenant` (the tenant of the subscription in
    /// the URL, when known) goes into the challenge's authority, else `common`.
    pub fn from_auth(err: &ResourceAuthError, subscription_tenant: Option<TenantId>) -> Self {
        let authority = subscription_tenant.map_or_else(|| "common".to_owned(), |t| t.to_string());
        let (code, message) = match err {
            ResourceAuthError::MissingToken | ResourceAuthError::NotBearer => (
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.".to_owned(),
            ),
            ResourceAuthError::Expired { expired_at, now } => (
                "ExpiredAuthenticationToken",
                format!(
                    "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                    dotnet_utc(*expired_at),
                    dotnet_utc(*now)
                ),
            ),
            // UNCONFIRMED code and wording: ARM's audience failure as seen in CLI/SDK issues.
            ResourceAuthError::InvalidAudience(aud) => (
                "InvalidAuthenticationTokenAudience",
                format!(
                    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
                ),
            ),
            // UNCONFIRMED wording for signature, algorithm, issuer and shape failures: ARM's
            // generic "The access token is invalid.".
            _ => (
                "InvalidAuthenticationToken",
                "The access token is invalid.".to_owned(),
            ),
        };
        ArmError::unauthorized(code, message, &authority)
    }
}

/// `8/18/2025 3:26:14 PM`: .NET's invariant `G` format, which ARM prints in
/// ExpiredAuthenticationToken.
pub(crate) fn dotnet_utc(t: UnixTime) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(t.secs())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (hour12, ampm) = match dt.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {}",
        u8::from(dt.month()),
        dt.day(),
        dt.year(),
        hour12,
        dt.minute(),
        dt.second(),
        ampm
    )
}

/// The subscription with this id, and the tenant holding it.
pub fn find_subscription<'d>(
    dir: &'d Directory,
    subscription_id: &str,
) -> Option<(TenantId, &'d Subscription)> {
    let id = SubscriptionId::parse(subscription_id)?;
    dir.tenants.iter().find_map(|t| {
        t.subscriptions
            .iter()
            .find(|s| s.subscription_id == id)
            .map(|s| (t.id, s))
    })
}

/// The `api-version` values Resource Manager's own provider (`Microsoft.Resources`: tenants,
/// subscriptions, resource groups, providers) accepts, newest first, as its
/// InvalidApiVersionParameter message lists them. Captured in 2024 up to `2024-08-01` (Azure
/// issues quoting the message); UNCONFIRMED: the newer `2024-11-01` (azure-cli 2.91's resource
/// groups), `2025-01-01`, `2025-03-01` and `2025-04-01` at the head of the list.
pub const RESOURCES_API_VERSIONS: &[&str] = &[
    "2025-04-01",
    "2025-03-01",
    "2025-01-01",
    "2024-11-01",
    "2024-08-01",
    "2024-07-01",
    "2024-06-01-preview",
    "2024-03-01",
    "2023-07-01",
    "2023-07-01-preview",
    "2023-03-01-preview",
    "2022-12-01",
    "2022-11-01-preview",
    "2022-09-01",
    "2022-06-01",
    "2022-05-01",
    "2022-03-01-preview",
    "2022-01-01",
    "2021-04-01",
    "2021-01-01",
    "2020-10-01",
    "2020-09-01",
    "2020-08-01",
    "2020-07-01",
    "2020-06-01",
    "2020-05-01",
    "2020-01-01",
    "2019-11-01",
    "2019-10-01",
    "2019-09-01",
    "2019-08-01",
    "2019-07-01",
    "2019-06-01",
    "2019-05-10",
    "2019-05-01",
    "2019-03-01",
    "2018-11-01",
    "2018-09-01",
    "2018-08-01",
    "2018-07-01",
    "2018-06-01",
    "2018-05-01",
    "2018-02-01",
    "2018-01-01",
    "2017-12-01",
    "2017-08-01",
    "2017-06-01",
    "2017-05-10",
    "2017-05-01",
    "2017-03-01",
    "2016-09-01",
    "2016-07-01",
    "2016-06-01",
    "2016-02-01",
    "2015-11-01",
    "2015-01-01",
    "2014-04-01-preview",
    "2014-04-01",
    "2014-01-01",
    "2013-03-01",
    "2014-02-26",
    "2014-04",
];

/// The `api-version` values of `Microsoft.Authorization/roleAssignments`, newest first.
/// UNCONFIRMED: the list (the versions the REST specs publish) and that ARM words a wrong one
/// with the same InvalidApiVersionParameter message as its own provider.
pub const ROLE_ASSIGNMENTS_API_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2022-01-01-preview",
    "2020-10-01-preview",
    "2020-08-01-preview",
    "2020-04-01-preview",
    "2020-03-01-preview",
    "2018-09-01-preview",
    "2018-07-01",
    "2018-01-01-preview",
    "2017-10-01-preview",
    "2015-07-01",
];

impl ArmError {
    /// 400 MissingApiVersionParameter: ARM requires `api-version` on every request.
    pub fn missing_api_version() -> Self {
        ArmError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    /// 400 InvalidApiVersionParameter, listing the versions the type supports.
    pub fn invalid_api_version(given: &str, supported: &[&str]) -> Self {
        ArmError::new(
            400,
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{given}' is invalid. The supported versions are '{}'.",
                supported.join(",")
            ),
        )
    }

    /// 403 AuthorizationFailed for `action` over `scope`.
    // UNCONFIRMED: ARM's SP wording repeats the object id where a user's shows the UPN.
    pub fn authorization_failed(claims: &AccessTokenClaims, action: &str, scope: &str) -> Self {
        ArmError::new(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{oid}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                oid = claims.object_id
            ),
        )
    }

    /// 404 SubscriptionNotFound.
    pub fn subscription_not_found(id: &str) -> Self {
        ArmError::new(
            404,
            "SubscriptionNotFound",
            format!("The subscription '{id}' could not be found."),
        )
    }

    /// 400 InvalidSubscriptionId.
    pub fn invalid_subscription_id(id: &str) -> Self {
        ArmError::new(
            400,
            "InvalidSubscriptionId",
            format!("The provided subscription identifier '{id}' is malformed or invalid."),
        )
    }

    /// 404 ResourceGroupNotFound.
    pub fn resource_group_not_found(name: &str) -> Self {
        ArmError::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )
    }
}

/// ARM's `api-version` rule: present (400 MissingApiVersionParameter) and one the type serves
/// (400 InvalidApiVersionParameter). Compared exactly, as ARM does (`2021-04-01 ` is invalid).
pub fn check_api_version(api_version: Option<&str>, supported: &[&str]) -> Result<(), ArmError> {
    match api_version {
        None | Some("") => Err(ArmError::missing_api_version()),
        Some(v) if supported.contains(&v) => Ok(()),
        Some(v) => Err(ArmError::invalid_api_version(v, supported)),
    }
}

/// Control-plane roles whose actions include `*/read`. Data-plane roles
/// (`Storage Blob Data Reader`…) grant nothing here.
// UNCONFIRMED: a fixed list of built-in roles stands in for role definitions; any other name
// ending in "Reader", "Contributor" or "Owner" without "Data" counts too.
fn grants_read(role: &str) -> bool {
    let r = role.trim();
    if r.contains("Data") {
        return false;
    }
    [
        "Reader",
        "Contributor",
        "Owner",
        "User Access Administrator",
    ]
    .iter()
    .any(|known| r.eq_ignore_ascii_case(known))
        || r.ends_with("Reader")
        || r.ends_with("Contributor")
        || r.ends_with("Owner")
}

/// A scope as ARM compares it: case-insensitive, without a trailing slash.
fn scope_key(scope: &str) -> String {
    let s = scope.trim().trim_end_matches('/').to_ascii_lowercase();
    if s.is_empty() { "/".to_owned() } else { s }
}

/// Whether an assignment at `outer` applies at `inner` (the same scope or one below it).
fn covers(outer: &str, inner: &str) -> bool {
    let (o, i) = (scope_key(outer), scope_key(inner));
    o == "/" || i == o || i.starts_with(&format!("{o}/"))
}

/// Whether `principal` holds a control-plane read role on `scope` (inherited from above).
fn can_read(sub: &Subscription, claims: &AccessTokenClaims, scope: &str) -> bool {
    sub.role_assignments.iter().any(|a| {
        a.principal_id == claims.object_id
            && grants_read(&a.role_definition_name)
            && covers(&a.scope, scope)
    })
}

/// Whether the caller sees the subscription at all: it holds some role assignment in it.
// UNCONFIRMED: ARM lists a subscription for any role assignment at or below it; data-plane roles
// count too (they are RBAC assignments like any other).
fn sees_subscription(sub: &Subscription, claims: &AccessTokenClaims) -> bool {
    sub.role_assignments
        .iter()
        .any(|a| a.principal_id == claims.object_id)
}

/// The subscription of the URL for this caller: 400 for a malformed id, 404 for an unknown one,
/// 401 InvalidAuthenticationTokenTenant for a token of another tenant.
fn subscription_for<'d>(
    dir: &'d Directory,
    subscription_id: &str,
    claims: &AccessTokenClaims,
) -> Result<&'d Subscription, ArmError> {
    if SubscriptionId::parse(subscription_id).is_none() {
        return Err(ArmError::invalid_subscription_id(subscription_id));
    }
    let Some((sub_tenant, sub)) = find_subscription(dir, subscription_id) else {
        return Err(ArmError::subscription_not_found(subscription_id));
    };
    if claims.tenant != sub_tenant {
        let cloud = dir.tenant(sub_tenant).map(|t| t.cloud).unwrap_or_default();
        let message = format!(
            "The access token is from the wrong issuer '{}'. It must match the tenant '{}' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/{sub_tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
            claims.issuer,
            cloud.v1_issuer(sub_tenant)
        );
        return Err(ArmError::unauthorized(
            "InvalidAuthenticationTokenTenant",
            message,
            &sub_tenant.to_string(),
        ));
    }
    Ok(sub)
}

fn subscription_json(tenant: TenantId, sub: &Subscription) -> Value {
    // UNCONFIRMED: the scenario has no offer; every subscription reads as pay-as-you-go.
    json!({
        "id": format!("/subscriptions/{}", sub.subscription_id),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub.subscription_id.to_string(),
        "tenantId": tenant.to_string(),
        "displayName": sub.display_name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })
}

fn resource_group_json(sub: &Subscription, rg: &crate::directory::ResourceGroup) -> Value {
    json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}", sub.subscription_id, rg.name),
        "name": rg.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": rg.location,
        "properties": {"provisioningState": "Succeeded"},
    })
}

/// `GET /tenants`: the tenants the caller may work in. An app-only token belongs to one tenant,
/// so that is the list.
// UNCONFIRMED: ARM lists only the token's tenant for a service principal (a user's token lists
// every tenant the user is a member or guest of; the scenario has no users). `countryCode` is
// left out: the scenario has no country.
pub fn list_tenants(
    dir: &Directory,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let value: Vec<Value> = dir
        .tenant(claims.tenant)
        .map(|t| {
            let domains: Vec<String> = t.verified_domains.iter().map(|d| d.to_string()).collect();
            let mut tenant = json!({
                "id": format!("/tenants/{}", t.id),
                "tenantId": t.id.to_string(),
                "displayName": t.display_name,
                "domains": domains,
                "tenantCategory": "Home",
                "tenantType": "AAD",
            });
            if let Some(d) = domains.first() {
                tenant["defaultDomain"] = json!(d);
            }
            tenant
        })
        .into_iter()
        .collect();
    Ok(json!({ "value": value }))
}

/// `GET /subscriptions`: the subscriptions of the token's tenant where the caller holds a role
/// (seed 002: Reader on NetworkWatcherRG shows Litware Shared Services).
pub fn list_subscriptions(
    dir: &Directory,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let value: Vec<Value> = dir
        .tenant(claims.tenant)
        .into_iter()
        .flat_map(|t| {
            t.subscriptions
                .iter()
                .filter(|s| sees_subscription(s, claims))
                .map(|s| subscription_json(t.id, s))
        })
        .collect();
    Ok(json!({"count": {"type": "Total", "value": value.len()}, "value": value}))
}

/// `GET /subscriptions/{id}`.
// UNCONFIRMED: a subscription of the caller's tenant where it holds no role answers 404
// SubscriptionNotFound, as if it did not exist (it is absent from the caller's list too).
pub fn get_subscription(
    dir: &Directory,
    subscription_id: &str,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let sub = subscription_for(dir, subscription_id, claims)?;
    if !sees_subscription(sub, claims) {
        return Err(ArmError::subscription_not_found(subscription_id));
    }
    Ok(subscription_json(claims.tenant, sub))
}

/// `GET /subscriptions/{id}/resourcegroups?api-version=…` for a caller whose token already
/// passed [`validate_access_token`](super::validate_access_token).
///
/// RBAC: a read role at the subscription (or `/`) lists every group; read roles on individual
/// groups list just those (seed 002: Reader on NetworkWatcherRG lists NetworkWatcherRG only);
/// no read role anywhere in the subscription is 403 AuthorizationFailed.
pub fn list_resource_groups(
    dir: &Directory,
    subscription_id: &str,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let sub = subscription_for(dir, subscription_id, claims)?;
    let sub_scope = format!("/subscriptions/{}", sub.subscription_id);
    let whole = can_read(sub, claims, &sub_scope);
    let readable: Vec<Value> = sub
        .resource_groups
        .iter()
        .filter(|rg| {
            whole
                || can_read(
                    sub,
                    claims,
                    &format!("{sub_scope}/resourceGroups/{}", rg.name),
                )
        })
        .map(|rg| resource_group_json(sub, rg))
        .collect();
    if readable.is_empty() && !whole {
        return Err(ArmError::authorization_failed(
            claims,
            "Microsoft.Resources/subscriptions/resourcegroups/read",
            &sub_scope,
        ));
    }
    Ok(json!({ "value": readable }))
}

/// `GET /subscriptions/{id}/resourcegroups/{name}` (the name case-insensitive, as ARM's are).
/// ARM authorises before it looks: without read on the group's scope the answer is 403 whether
/// the group exists or not; with it, an unknown group is 404 ResourceGroupNotFound.
pub fn get_resource_group(
    dir: &Directory,
    subscription_id: &str,
    name: &str,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let sub = subscription_for(dir, subscription_id, claims)?;
    // The scope as the client wrote it: ARM echoes the request's path (the SDKs send
    // `/resourcegroups/`).
    let scope = format!("/subscriptions/{subscription_id}/resourcegroups/{name}");
    if !can_read(sub, claims, &scope) {
        return Err(ArmError::authorization_failed(
            claims,
            "Microsoft.Resources/subscriptions/resourcegroups/read",
            &scope,
        ));
    }
    sub.resource_groups
        .iter()
        .find(|rg| rg.name.eq_ignore_ascii_case(name))
        .map(|rg| resource_group_json(sub, rg))
        .ok_or_else(|| ArmError::resource_group_not_found(name))
}

/// `HEAD /subscriptions/{id}/resourcegroups/{name}` (`az group exists`): 204 when the group
/// exists, 404 when it does not, and the errors of [`get_resource_group`] (status only: a HEAD
/// answer has no body).
pub fn resource_group_exists(
    dir: &Directory,
    subscription_id: &str,
    name: &str,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<u16, ArmError> {
    match get_resource_group(dir, subscription_id, name, claims, api_version) {
        Ok(_) => Ok(204),
        Err(e) if e.code == "ResourceGroupNotFound" => Ok(404),
        Err(e) => Err(e),
    }
}

/// The built-in role definitions' fixed GUIDs (the same in every subscription).
fn built_in_role_id(role: &str) -> Option<&'static str> {
    Some(match role.trim().to_ascii_lowercase().as_str() {
        "owner" => "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "contributor" => "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "reader" => "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "user access administrator" => "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "storage blob data owner" => "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "storage blob data contributor" => "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "storage blob data reader" => "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        _ => return None,
    })
}

/// A GUID derived from `parts`: stable ids for what the scenario does not name (assignment
/// names, custom role ids), so listings are deterministic.
fn derived_guid(parts: &[&str]) -> String {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p.to_ascii_lowercase().as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

/// The scenario has no assignment dates; every assignment reads as made at this fixed time.
// UNCONFIRMED: a constant keeps listings deterministic.
const ASSIGNMENT_TIME: &str = "2026-01-01T00:00:00.0000000Z";

fn role_assignment_json(
    dir: &Directory,
    tenant: TenantId,
    sub: &Subscription,
    a: &RoleAssignment,
) -> Value {
    let role_id = built_in_role_id(&a.role_definition_name)
        .map(str::to_owned)
        .unwrap_or_else(|| derived_guid(&["role", &a.role_definition_name]));
    let name = derived_guid(&[
        &a.scope,
        &a.principal_id.to_string(),
        &a.role_definition_name,
    ]);
    let scope = a.scope.trim_end_matches('/');
    // Every principal of a scenario is a service principal (apps and managed identities alike;
    // ARM says `ServicePrincipal` for both). A principal the directory lacks is what ARM shows
    // for a deleted one: `Unknown`.
    let principal_type = match dir
        .tenant(tenant)
        .and_then(|t| t.service_principal_by_id(a.principal_id))
    {
        Some(_) => "ServicePrincipal",
        None => "Unknown",
    };
    json!({
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role_id}", sub.subscription_id),
            "principalId": a.principal_id.to_string(),
            "principalType": principal_type,
            "scope": scope,
            "condition": null,
            "conditionVersion": null,
            "createdOn": ASSIGNMENT_TIME,
            "updatedOn": ASSIGNMENT_TIME,
            "createdBy": null,
            "updatedBy": null,
            "delegatedManagedIdentityResourceId": null,
            "description": null
        },
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        "type": "Microsoft.Authorization/roleAssignments",
        "name": name,
    })
}

/// What `$filter` of a role-assignment list asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct AssignmentFilter {
    at_scope: bool,
    principal: Option<String>,
}

/// `atScope()`, `principalId eq '{id}'`, or both joined by `and`; anything else is 400
/// InvalidFilter... as ARM words it: UNCONFIRMED wording.
fn parse_filter(filter: Option<&str>) -> Result<AssignmentFilter, ArmError> {
    let mut out = AssignmentFilter::default();
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(out);
    };
    for part in f.split(" and ") {
        let part = part.trim();
        if part.eq_ignore_ascii_case("atScope()") {
            out.at_scope = true;
        } else if let Some(id) = part
            .strip_prefix("principalId eq '")
            .and_then(|r| r.strip_suffix('\''))
        {
            out.principal = Some(id.to_ascii_lowercase());
        } else {
            return Err(ArmError::new(
                400,
                "UnsupportedQuery",
                format!(
                    "The filter '{f}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{{value}}' or assignedTo('{{value}}')'."
                ),
            ));
        }
    }
    Ok(out)
}

/// `GET {scope}/providers/Microsoft.Authorization/roleAssignments` at a subscription or a
/// resource group: the assignments at, above and below the scope (`$filter=atScope()`: at or
/// above only; `principalId eq '…'`: that principal's), for a caller that may read there.
pub fn list_role_assignments(
    dir: &Directory,
    subscription_id: &str,
    resource_group: Option<&str>,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
    filter: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, ROLE_ASSIGNMENTS_API_VERSIONS)?;
    let filter = parse_filter(filter)?;
    let sub = subscription_for(dir, subscription_id, claims)?;
    let scope = match resource_group {
        Some(rg) => format!("/subscriptions/{subscription_id}/resourceGroups/{rg}"),
        None => format!("/subscriptions/{subscription_id}"),
    };
    if !can_read(sub, claims, &scope) {
        return Err(ArmError::authorization_failed(
            claims,
            "Microsoft.Authorization/roleAssignments/read",
            &scope,
        ));
    }
    if let Some(rg) = resource_group
        && !sub
            .resource_groups
            .iter()
            .any(|g| g.name.eq_ignore_ascii_case(rg))
    {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let value: Vec<Value> = sub
        .role_assignments
        .iter()
        .filter(|a| covers(&a.scope, &scope) || (!filter.at_scope && covers(&scope, &a.scope)))
        .filter(|a| {
            filter
                .principal
                .as_deref()
                .is_none_or(|p| a.principal_id.to_string() == p)
        })
        .map(|a| role_assignment_json(dir, claims.tenant, sub, a))
        .collect();
    Ok(json!({ "value": value }))
}

/// The resource providers the mock serves, with the types and versions it answers: enough for
/// the `az group` commands and for clients that read a type's api-versions before calling.
/// A provider namespace and its resource types with their api-versions.
type Provider = (&'static str, Vec<(&'static str, &'static [&'static str])>);

fn providers() -> Vec<Provider> {
    vec![
        (
            "Microsoft.Resources",
            vec![
                ("tenants", RESOURCES_API_VERSIONS),
                ("subscriptions", RESOURCES_API_VERSIONS),
                ("resourceGroups", RESOURCES_API_VERSIONS),
                ("providers", RESOURCES_API_VERSIONS),
            ],
        ),
        (
            "Microsoft.Authorization",
            vec![("roleAssignments", ROLE_ASSIGNMENTS_API_VERSIONS)],
        ),
    ]
}

fn provider_json(subscription_id: &str, namespace: &str, types: &[(&str, &[&str])]) -> Value {
    let types: Vec<Value> = types
        .iter()
        .map(|(t, versions)| {
            json!({
                "resourceType": t,
                "locations": [],
                "apiVersions": versions,
                "capabilities": "None",
            })
        })
        .collect();
    json!({
        "id": format!("/subscriptions/{subscription_id}/providers/{namespace}"),
        "namespace": namespace,
        "resourceTypes": types,
        // ARM's own namespaces are always registered.
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationFree",
    })
}

/// `GET /subscriptions/{id}/providers` and `…/providers/{namespace}` (namespace
/// case-insensitive). Reading providers needs only access to the subscription.
pub fn get_providers(
    dir: &Directory,
    subscription_id: &str,
    namespace: Option<&str>,
    claims: &AccessTokenClaims,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, RESOURCES_API_VERSIONS)?;
    let sub = subscription_for(dir, subscription_id, claims)?;
    if !sees_subscription(sub, claims) {
        return Err(ArmError::authorization_failed(
            claims,
            "Microsoft.Resources/subscriptions/providers/read",
            &format!("/subscriptions/{subscription_id}"),
        ));
    }
    let all = providers();
    match namespace {
        None => Ok(json!({
            "value": all.iter().map(|(ns, types)| provider_json(subscription_id, ns, types)).collect::<Vec<_>>()
        })),
        Some(ns) => all
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(ns))
            .map(|(n, types)| provider_json(subscription_id, n, types))
            // UNCONFIRMED wording for a namespace the mock does not serve.
            .ok_or_else(|| {
                ArmError::new(
                    404,
                    "InvalidResourceNamespace",
                    format!("The resource namespace '{ns}' is invalid."),
                )
            }),
    }
}

#[cfg(test)]
mod tests;
