//! Graph's resources as typed views over the directory: one serde struct per Graph type, with
//! Graph's property names in the order Graph writes them, borrowing the directory's values and
//! reusing the directory's own serialisation where Graph's shape is the same (`api`,
//! `signInAudience`, every id). Every Graph body this emulator sends is one of these, wrapped in
//! [`Entity`] or [`Collection`]; none is assembled by hand.
//!
//! Graph sends no `@odata.type` for these entity sets (each set holds one type; real answers of
//! `/applications`, `/servicePrincipals` and a FIC collection carry only `@odata.context`), so
//! the views have none. The property names are checked against the official Graph metadata by
//! the golden captures (`core/src/captures.rs`).

use serde::{Serialize, Serializer};

use crate::directory::{
    ApiApplication, AppRole, AppRoleAssignment, Application, Device, FederatedIdentityCredential,
    KeyCredential, PasswordCredential, ServicePrincipal, SignInAudience,
};
use crate::ids::{AppRoleId, ClientId, Guid, KeyCredentialId, ObjectId, TenantId};

/// A single entity: `@odata.context` (and `@odata.id` where Graph sends it) before the
/// resource's own properties, as OData's JSON format requires.
#[derive(Debug, Serialize)]
pub(crate) struct Entity<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    #[serde(rename = "@odata.id", skip_serializing_if = "Option::is_none")]
    pub odata_id: Option<String>,
    #[serde(flatten)]
    pub resource: T,
}

/// A collection: `@odata.context` and `value`.
#[derive(Debug, Serialize)]
pub(crate) struct Collection<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    pub value: Vec<T>,
}

/// A property always sent as `null`, whatever the directory holds: one Graph never returns a
/// value for (a secret's text, a certificate's key after creation, a live object's
/// `deletedDateTime`) or one the scenario does not model (most of a device's).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Null;

impl Serialize for Null {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

/// Graph `application`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplicationResource<'a> {
    pub id: ObjectId,
    pub deleted_date_time: Null,
    pub app_id: ClientId,
    pub created_date_time: Option<&'a str>,
    pub display_name: &'a str,
    pub identifier_uris: &'a [String],
    pub publisher_domain: Option<&'a str>,
    pub sign_in_audience: SignInAudience,
    pub api: &'a ApiApplication,
    pub app_roles: Vec<AppRoleResource<'a>>,
    pub key_credentials: Vec<KeyCredentialResource<'a>>,
    pub password_credentials: Vec<PasswordCredentialResource<'a>>,
}

impl<'a> ApplicationResource<'a> {
    /// `publisher_domain`: the tenant's first verified domain.
    pub fn new(app: &'a Application, publisher_domain: Option<&'a str>) -> Self {
        ApplicationResource {
            id: app.id,
            deleted_date_time: Null,
            app_id: app.app_id,
            created_date_time: app.created_date_time.as_deref(),
            display_name: &app.display_name,
            identifier_uris: &app.identifier_uris,
            publisher_domain,
            sign_in_audience: app.sign_in_audience,
            api: &app.api,
            app_roles: app.app_roles.iter().map(AppRoleResource::from).collect(),
            key_credentials: app
                .key_credentials
                .iter()
                .map(KeyCredentialResource::from)
                .collect(),
            password_credentials: app
                .password_credentials
                .iter()
                .map(PasswordCredentialResource::from)
                .collect(),
        }
    }
}

/// Graph `appRole`, on an application or a service principal.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppRoleResource<'a> {
    pub allowed_member_types: &'a [String],
    pub description: &'a str,
    pub display_name: &'a str,
    pub id: AppRoleId,
    pub is_enabled: bool,
    /// `Application`: every role here is declared by an application (Graph's other origin,
    /// `ServicePrincipal`, is for roles added to a principal only).
    pub origin: &'static str,
    pub value: &'a str,
}

impl<'a> From<&'a AppRole> for AppRoleResource<'a> {
    fn from(r: &'a AppRole) -> Self {
        AppRoleResource {
            allowed_member_types: &r.allowed_member_types,
            description: &r.description,
            display_name: &r.display_name,
            id: r.id,
            is_enabled: r.is_enabled,
            origin: "Application",
            value: &r.value,
        }
    }
}

/// Graph `keyCredential`: the certificate's `key` is never returned after creation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyCredentialResource<'a> {
    pub custom_key_identifier: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub end_date_time: Option<&'a str>,
    pub key: Null,
    pub key_id: KeyCredentialId,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub usage: &'a str,
}

impl<'a> From<&'a KeyCredential> for KeyCredentialResource<'a> {
    fn from(k: &'a KeyCredential) -> Self {
        KeyCredentialResource {
            custom_key_identifier: k.custom_key_identifier.as_deref(),
            display_name: k.display_name.as_deref(),
            end_date_time: k.end_date_time.as_deref(),
            key: Null,
            key_id: k.key_id,
            kind: &k.kind,
            usage: &k.usage,
        }
    }
}

/// Graph `passwordCredential`: `secretText` is shown only in the answer to `addPassword`, which
/// this emulator does not serve, so it is always null here.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PasswordCredentialResource<'a> {
    pub display_name: Option<&'a str>,
    pub end_date_time: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub key_id: KeyCredentialId,
    pub secret_text: Null,
    pub start_date_time: Option<&'a str>,
}

impl<'a> From<&'a PasswordCredential> for PasswordCredentialResource<'a> {
    fn from(p: &'a PasswordCredential) -> Self {
        PasswordCredentialResource {
            display_name: p.display_name.as_deref(),
            end_date_time: p.end_date_time.as_deref(),
            hint: p.hint.as_deref(),
            key_id: p.key_id,
            secret_text: Null,
            start_date_time: p.start_date_time.as_deref(),
        }
    }
}

/// Graph `federatedIdentityCredential`, in the order Graph's own documented answers list it.
/// The directory's `createdAt` (the propagation clock) is not a Graph property and has no field.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FederatedIdentityCredentialResource<'a> {
    pub id: ObjectId,
    pub name: &'a str,
    pub issuer: &'a str,
    /// `null` for a flexible FIC: Graph's `subject` is nullable only when
    /// `claimsMatchingExpression` (a beta-only property, not rendered on v1.0) takes its place.
    pub subject: Option<&'a str>,
    pub description: Option<&'a str>,
    pub audiences: &'a [String],
}

impl<'a> From<&'a FederatedIdentityCredential> for FederatedIdentityCredentialResource<'a> {
    fn from(f: &'a FederatedIdentityCredential) -> Self {
        FederatedIdentityCredentialResource {
            id: f.id,
            name: &f.name,
            issuer: &f.issuer,
            subject: match &f.claims_matching_expression {
                Some(_) if f.subject.is_empty() => None,
                _ => Some(&f.subject),
            },
            description: f.description.as_deref(),
            audiences: &f.audiences,
        }
    }
}

/// Graph `servicePrincipal`. `appDisplayName` and `signInAudience` come from the application;
/// `appRoles` are the ones the principal exposes (see `service_principals::roles_of`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServicePrincipalResource<'a> {
    pub id: ObjectId,
    pub deleted_date_time: Null,
    pub account_enabled: bool,
    pub app_display_name: &'a str,
    pub app_id: ClientId,
    pub app_owner_organization_id: Option<TenantId>,
    pub app_role_assignment_required: bool,
    pub display_name: &'a str,
    pub service_principal_names: &'a [String],
    pub service_principal_type: &'a str,
    pub sign_in_audience: Option<SignInAudience>,
    pub app_roles: Vec<AppRoleResource<'a>>,
}

impl<'a> ServicePrincipalResource<'a> {
    pub fn new(
        sp: &'a ServicePrincipal,
        app: Option<&'a Application>,
        roles: &'a [AppRole],
    ) -> Self {
        ServicePrincipalResource {
            id: sp.id,
            deleted_date_time: Null,
            account_enabled: sp.account_enabled,
            app_display_name: app.map_or(sp.display_name.as_str(), |a| a.display_name.as_str()),
            app_id: sp.app_id,
            app_owner_organization_id: sp.app_owner_organization_id,
            app_role_assignment_required: sp.app_role_assignment_required,
            display_name: &sp.display_name,
            service_principal_names: &sp.service_principal_names,
            service_principal_type: &sp.service_principal_type,
            sign_in_audience: app.map(|a| a.sign_in_audience),
            app_roles: roles.iter().map(AppRoleResource::from).collect(),
        }
    }
}

/// Graph `appRoleAssignment`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppRoleAssignmentResource<'a> {
    pub id: &'a str,
    pub deleted_date_time: Null,
    pub app_role_id: AppRoleId,
    pub created_date_time: Option<&'a str>,
    pub principal_display_name: Option<&'a str>,
    pub principal_id: ObjectId,
    pub principal_type: &'a str,
    pub resource_display_name: Option<&'a str>,
    pub resource_id: ObjectId,
}

impl<'a> From<&'a AppRoleAssignment> for AppRoleAssignmentResource<'a> {
    fn from(a: &'a AppRoleAssignment) -> Self {
        AppRoleAssignmentResource {
            id: &a.id,
            deleted_date_time: Null,
            app_role_id: a.app_role_id,
            created_date_time: a.created_date_time.as_deref(),
            principal_display_name: a.principal_display_name.as_deref(),
            principal_id: a.principal_id,
            principal_type: &a.principal_type,
            resource_display_name: a.resource_display_name.as_deref(),
            resource_id: a.resource_id,
        }
    }
}

/// Graph `device`: the properties seed 004 reads, and null for the ones a scenario does not
/// model (Graph lists them all).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeviceResource<'a> {
    pub id: ObjectId,
    pub deleted_date_time: Null,
    pub account_enabled: bool,
    pub approximate_last_sign_in_date_time: Null,
    pub compliance_expiration_date_time: Null,
    pub created_date_time: Null,
    pub device_id: Guid,
    pub device_version: Null,
    pub display_name: &'a str,
    pub is_compliant: Null,
    pub is_managed: Null,
    pub on_premises_last_sync_date_time: Null,
    pub on_premises_sync_enabled: Null,
    pub operating_system: &'a str,
    pub operating_system_version: &'a str,
    pub profile_type: Null,
    pub trust_type: Null,
}

impl<'a> From<&'a Device> for DeviceResource<'a> {
    fn from(d: &'a Device) -> Self {
        DeviceResource {
            id: d.id,
            deleted_date_time: Null,
            account_enabled: d.account_enabled,
            approximate_last_sign_in_date_time: Null,
            compliance_expiration_date_time: Null,
            created_date_time: Null,
            device_id: d.device_id,
            device_version: Null,
            display_name: &d.display_name,
            is_compliant: Null,
            is_managed: Null,
            on_premises_last_sync_date_time: Null,
            on_premises_sync_enabled: Null,
            operating_system: &d.operating_system,
            operating_system_version: &d.operating_system_version,
            profile_type: Null,
            trust_type: Null,
        }
    }
}

/// Renders a view as the JSON value a [`super::GraphResponse`] carries.
pub(crate) fn to_value<T: Serialize>(view: &T) -> serde_json::Value {
    // A view holds strings, ids, numbers and booleans only: serialising it cannot fail.
    serde_json::to_value(view).unwrap_or(serde_json::Value::Null)
}
