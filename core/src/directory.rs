//! The directory: tenants and everything in them. Serialized with Microsoft Graph and ARM
//! property names (camelCase) so that a Graph `application` or an ARM identity pastes in; this is
//! also the scenario file format of mock-entra.
//!
//! Objects are grouped under the tenant that holds them, which is how Entra scopes them: an
//! application object lives in its home tenant, a service principal in each tenant where the
//! application operates.

use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::ids::{
    AppRoleId, ArmResourceId, ClientId, ClientSecret, DomainName, Guid, KeyCredentialId, ObjectId,
    SubscriptionId, TenantId,
};
use crate::time::UnixTime;

/// The whole emulated world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub tenants: Vec<Tenant>,
    /// VMs (reached through IMDS) and App Services (reached through their MSI endpoint).
    #[serde(default)]
    pub compute_hosts: Vec<ComputeHost>,
    /// Emulate the `nonce` header of real Microsoft Graph tokens, which makes a generic JWT
    /// library's signature check fail (see `token::GRAPH_NONCE_EXPLANATION`). Off by default:
    /// most learners validate their own API's tokens, never Graph's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub graph_token_nonce: bool,
    /// Opt-in: seconds a FIC created through Graph takes to propagate. Until then the token
    /// exchange answers the transient AADSTS70021 Entra warns about ("wait a short time … add
    /// retry logic"), so that clients learn to retry. 0 (the default): a new FIC matches at once.
    /// UNCONFIRMED: Entra's delay is not a fixed number; a scenario picks one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fic_propagation_seconds: u32,
    /// Identity providers outside Entra the emulator plays (GitHub Actions, Kubernetes clusters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_issuers: Vec<ExternalIssuer>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An Entra tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: String,
    #[serde(default)]
    pub cloud: Cloud,
    /// Domains that name this tenant in URLs (`contoso.onmicrosoft.com`).
    #[serde(default)]
    pub verified_domains: Vec<DomainName>,
    #[serde(default)]
    pub applications: Vec<Application>,
    #[serde(default)]
    pub service_principals: Vec<ServicePrincipal>,
    #[serde(default)]
    pub app_role_assignments: Vec<AppRoleAssignment>,
    /// User-assigned managed identities, in ARM's shape.
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    #[serde(default)]
    pub storage_accounts: Vec<StorageAccount>,
    /// Graph `devices` (seed 004 lists them across tenants).
    #[serde(default)]
    pub devices: Vec<Device>,
}

/// `signInAudience` of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SignInAudience {
    #[default]
    AzureADMyOrg,
    AzureADMultipleOrgs,
    AzureADandPersonalMicrosoftAccount,
    PersonalMicrosoftAccount,
}

impl SignInAudience {
    /// Whether the application may have service principals in tenants other than its home.
    pub fn is_multi_tenant(self) -> bool {
        !matches!(self, SignInAudience::AzureADMyOrg)
    }
}

/// A Graph `application` object (an app registration), in its home tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Object id.
    pub id: ObjectId,
    pub app_id: ClientId,
    pub display_name: String,
    #[serde(default)]
    pub sign_in_audience: SignInAudience,
    #[serde(default)]
    pub identifier_uris: Vec<String>,
    #[serde(default)]
    pub api: ApiApplication,
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub password_credentials: Vec<PasswordCredential>,
    #[serde(default)]
    pub key_credentials: Vec<KeyCredential>,
    #[serde(default)]
    pub federated_identity_credentials: Vec<FederatedIdentityCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
}

/// Graph `apiApplication`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApiApplication {
    /// `1`, `2` or `null` (null means 1).
    #[serde(default)]
    pub requested_access_token_version: Option<u8>,
}

impl ApiApplication {
    /// The token version this API asks Entra to issue for it (E.2: null and 1 mean v1).
    pub fn token_version(&self) -> TokenVersion {
        match self.requested_access_token_version {
            Some(2) => TokenVersion::V2,
            _ => TokenVersion::V1,
        }
    }
}

/// Access-token format version, decided by the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenVersion {
    V1,
    V2,
}

/// Graph `appRole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: AppRoleId,
    pub value: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "application_member_types")]
    pub allowed_member_types: Vec<String>,
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

fn application_member_types() -> Vec<String> {
    vec!["Application".to_owned()]
}

fn yes() -> bool {
    true
}

/// Graph `passwordCredential`. Graph returns `secretText` only once, at creation; a scenario
/// carries it so that the mock can check secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: KeyCredentialId,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub hint: Option<String>,
    pub secret_text: Option<ClientSecret>,
    #[serde(default)]
    pub start_date_time: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

impl PasswordCredential {
    /// Whether the secret has expired at `now` (AADSTS7000222).
    pub fn is_expired(&self, now: UnixTime) -> bool {
        self.end_date_time
            .as_deref()
            .and_then(UnixTime::parse_rfc3339)
            .is_some_and(|end| end <= now)
    }
}

/// Graph `keyCredential`: a certificate whose public key signs client assertions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    pub key_id: KeyCredentialId,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `AsymmetricX509Cert`.
    #[serde(rename = "type", default = "asymmetric_x509")]
    pub kind: String,
    /// `Verify`.
    #[serde(default = "verify")]
    pub usage: String,
    /// Base64 (standard alphabet) DER of the certificate, as Graph takes it.
    pub key: String,
    /// Base64 of the SHA-1 thumbprint, as Graph returns it.
    #[serde(default)]
    pub custom_key_identifier: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

fn asymmetric_x509() -> String {
    "AsymmetricX509Cert".to_owned()
}

fn verify() -> String {
    "Verify".to_owned()
}

/// Graph `federatedIdentityCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedIdentityCredential {
    pub id: ObjectId,
    pub name: String,
    pub issuer: String,
    /// Empty when the FIC matches with [`Self::claims_matching_expression`] instead (Graph shows
    /// `null` then).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        serialize_with = "empty_as_null"
    )]
    pub subject: String,
    pub audiences: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A flexible FIC's expression over the assertion's claims, in place of `subject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_matching_expression: Option<ClaimsMatchingExpression>,
    /// When Graph created it, so that a scenario's propagation delay can hold it back
    /// ([`Directory::fic_propagation_seconds`]). Not a Graph property: Graph's JSON never shows
    /// it; the emulator's state file keeps it. `None` for FICs of the scenario file, which have
    /// always been there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<UnixTime>,
}

/// Graph `servicePrincipal`: the application's presence in one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub app_id: ClientId,
    #[serde(default)]
    pub display_name: String,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    #[serde(default)]
    pub app_role_assignment_required: bool,
    /// `Application` or `ManagedIdentity`.
    #[serde(default = "application_type")]
    pub service_principal_type: String,
    /// Home tenant of the application.
    #[serde(default)]
    pub app_owner_organization_id: Option<TenantId>,
    /// The roles this principal's application exposes (copied from the application by Graph).
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub service_principal_names: Vec<String>,
}

fn application_type() -> String {
    "Application".to_owned()
}

/// Graph `appRoleAssignment`: `principalId` may call `resourceId` with role `appRoleId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: String,
    pub principal_id: ObjectId,
    pub resource_id: ObjectId,
    pub app_role_id: AppRoleId,
    #[serde(default)]
    pub principal_display_name: Option<String>,
    #[serde(default)]
    pub resource_display_name: Option<String>,
    #[serde(default = "service_principal_kind")]
    pub principal_type: String,
    #[serde(default)]
    pub created_date_time: Option<String>,
}

fn service_principal_kind() -> String {
    "ServicePrincipal".to_owned()
}

/// A user-assigned managed identity, in ARM's shape
/// (`Microsoft.ManagedIdentity/userAssignedIdentities`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentity {
    /// ARM resource id (`xms_mirid`, IMDS `msi_res_id`).
    pub id: ArmResourceId,
    pub name: String,
    #[serde(default)]
    pub location: String,
    pub properties: ManagedIdentityProperties,
}

/// `properties` of an ARM managed identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentityProperties {
    pub tenant_id: TenantId,
    /// Object id of the identity's service principal: `oid` and `sub` of its tokens.
    pub principal_id: ObjectId,
    pub client_id: ClientId,
}

/// Which kind of compute a host is, and so which managed-identity endpoint reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComputeKind {
    /// `Microsoft.Compute/virtualMachines`: IMDS.
    #[serde(rename = "Microsoft.Compute/virtualMachines")]
    VirtualMachine,
    /// `Microsoft.Web/sites`: the App Service MSI endpoint.
    #[serde(rename = "Microsoft.Web/sites")]
    AppService,
}

/// Graph `federatedIdentityExpression`: `{"value": "claims['sub'] matches '…'", "languageVersion": 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsMatchingExpression {
    pub value: String,
    pub language_version: i32,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn empty_as_null<S: serde::Serializer>(s: &str, ser: S) -> Result<S::Ok, S::Error> {
    if s.is_empty() {
        ser.serialize_none()
    } else {
        ser.serialize_str(s)
    }
}

/// What kind of workload platform an emulated external issuer stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExternalIssuerKind {
    /// GitHub Actions' OIDC provider (`https://token.actions.githubusercontent.com`).
    GitHubActions,
    /// A Kubernetes cluster's service-account issuer (AKS: `https://{region}.oic.prod-aks.azure.com/{tenant}/{guid}/`).
    Kubernetes,
}

/// An identity provider outside Entra that the emulator plays: it signs tokens with its own key
/// and serves its OpenID metadata and JWKS under `/_issuers/{name}/`, while its tokens carry the
/// real issuer string (`issuer`), so FICs are written exactly as for Azure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIssuer {
    /// The path segment under `/_issuers/` and the key set's name (`github`, `aks-contoso`).
    pub name: String,
    pub kind: ExternalIssuerKind,
    /// The `iss` of its tokens, exactly as a FIC must name it.
    pub issuer: String,
    #[serde(default)]
    pub display_name: String,
    /// GitHub: the bearer a runner presents to the ID-token endpoint
    /// (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_token: Option<String>,
    /// GitHub: the job tokens describe unless the request names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<GitHubJob>,
    /// Kubernetes: the service account tokens are projected for unless the request names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<ServiceAccountRef>,
}

/// The workflow run a GitHub Actions ID token describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GitHubJob {
    /// `owner/repo`.
    pub repository: String,
    #[serde(default)]
    pub repository_id: String,
    #[serde(default)]
    pub repository_owner_id: String,
    /// `refs/heads/main`, `refs/tags/v1`, `refs/pull/7/merge`.
    #[serde(default = "main_ref", rename = "ref")]
    pub git_ref: String,
    /// The job's environment; it decides the subject (`:environment:{name}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `push`, `pull_request`, `workflow_dispatch`…; `pull_request` gives `:pull_request`.
    #[serde(default = "push")]
    pub event_name: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub actor_id: String,
    /// The workflow file, `.github/workflows/deploy.yml`.
    #[serde(default)]
    pub workflow_path: String,
    #[serde(default)]
    pub workflow: String,
}

fn main_ref() -> String {
    "refs/heads/main".to_owned()
}

fn push() -> String {
    "push".to_owned()
}

/// A Kubernetes service account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountRef {
    pub namespace: String,
    pub service_account: String,
}

/// A VM or App Service that carries managed identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputeHost {
    /// ARM resource id of the VM or site.
    pub id: ArmResourceId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ComputeKind,
    #[serde(default)]
    pub location: String,
    pub identity: HostIdentity,
    /// App Service only: the value of `IDENTITY_HEADER` (and of the 2017 `MSI_SECRET`) that
    /// selects this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_header: Option<String>,
}

/// ARM's `identity` block on a compute resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct HostIdentity {
    /// System-assigned identity, if enabled (ARM gives `principalId`/`tenantId`; the client id is
    /// an extension that real IMDS reports as `client_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_assigned: Option<ManagedIdentityProperties>,
    /// ARM ids of the user-assigned identities attached to the host.
    #[serde(default)]
    pub user_assigned_identities: Vec<ArmResourceId>,
}

/// An Azure subscription with its resource groups and RBAC role assignments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: SubscriptionId,
    pub display_name: String,
    #[serde(default)]
    pub resource_groups: Vec<ResourceGroup>,
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignment>,
}

/// An ARM resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    pub name: String,
    pub location: String,
}

/// An Azure RBAC role assignment: `principalId` holds `roleDefinitionName` on `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub principal_id: ObjectId,
    /// `Reader`, `Contributor`, `Owner`, `Storage Blob Data Reader`, …
    pub role_definition_name: String,
    /// `/subscriptions/{id}` or `/subscriptions/{id}/resourceGroups/{name}` or deeper.
    pub scope: String,
}

/// A storage account with blob containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccount {
    pub name: String,
    #[serde(default)]
    pub containers: Vec<BlobContainer>,
    /// Principals allowed to read blobs (`Storage Blob Data Reader` in real Azure).
    #[serde(default)]
    pub blob_readers: Vec<ObjectId>,
}

/// A blob container and its blobs' names and contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobContainer {
    pub name: String,
    #[serde(default)]
    pub blobs: Vec<Blob>,
}

/// One blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Blob {
    pub name: String,
    #[serde(default)]
    pub content: String,
}

/// A Graph `device` (the subset seed 004 reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: ObjectId,
    pub device_id: Guid,
    pub display_name: String,
    #[serde(default)]
    pub operating_system: String,
    #[serde(default)]
    pub operating_system_version: String,
    #[serde(default = "yes")]
    pub account_enabled: bool,
}

/// How a tenant was named in a URL path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantRef {
    Id(TenantId),
    Domain(String),
    /// `common`, `organizations`, `consumers`.
    Alias(TenantAlias),
}

/// The multi-tenant aliases of the authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantAlias {
    Common,
    Organizations,
    Consumers,
}

impl TenantAlias {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantAlias::Common => "common",
            TenantAlias::Organizations => "organizations",
            TenantAlias::Consumers => "consumers",
        }
    }
}

impl TenantRef {
    /// Reads a tenant path segment. `None` when it is neither a GUID, a DNS name nor an alias
    /// (AADSTS900023).
    pub fn parse(segment: &str) -> Option<TenantRef> {
        if let Some(id) = TenantId::parse(segment) {
            return Some(TenantRef::Id(id));
        }
        match segment.to_ascii_lowercase().as_str() {
            "common" => return Some(TenantRef::Alias(TenantAlias::Common)),
            "organizations" => return Some(TenantRef::Alias(TenantAlias::Organizations)),
            "consumers" => return Some(TenantRef::Alias(TenantAlias::Consumers)),
            _ => {}
        }
        let is_dns = segment.contains('.')
            && segment.len() <= 253
            && segment.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        is_dns.then(|| TenantRef::Domain(segment.to_ascii_lowercase()))
    }
}

impl Directory {
    /// The emulated issuer whose tokens carry `iss` (exact comparison, as FICs compare).
    pub fn external_issuer(&self, iss: &str) -> Option<&ExternalIssuer> {
        self.external_issuers.iter().find(|i| i.issuer == iss)
    }

    /// The emulated issuer served under `/_issuers/{name}/` (case-insensitive).
    pub fn external_issuer_named(&self, name: &str) -> Option<&ExternalIssuer> {
        self.external_issuers
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
    }

    pub fn tenant(&self, id: TenantId) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    pub fn tenant_mut(&mut self, id: TenantId) -> Option<&mut Tenant> {
        self.tenants.iter_mut().find(|t| t.id == id)
    }

    /// Resolves a tenant named by GUID or verified domain; aliases resolve to nothing.
    pub fn resolve_tenant(&self, r: &TenantRef) -> Option<&Tenant> {
        match r {
            TenantRef::Id(id) => self.tenant(*id),
            TenantRef::Domain(d) => self.tenants.iter().find(|t| {
                t.verified_domains
                    .iter()
                    .any(|v| v.as_str().eq_ignore_ascii_case(d))
            }),
            TenantRef::Alias(_) => None,
        }
    }

    /// The application object for `app_id`, wherever it is registered, with its home tenant.
    pub fn application(&self, app_id: ClientId) -> Option<(&Tenant, &Application)> {
        self.tenants.iter().find_map(|t| {
            t.applications
                .iter()
                .find(|a| a.app_id == app_id)
                .map(|a| (t, a))
        })
    }

    /// The user-assigned identity with this ARM id, in any tenant.
    pub fn managed_identity(&self, id: &ArmResourceId) -> Option<&ManagedIdentity> {
        self.tenants
            .iter()
            .flat_map(|t| t.managed_identities.iter())
            .find(|m| m.id.as_str().eq_ignore_ascii_case(id.as_str()))
    }

    pub fn compute_host(&self, name: &str) -> Option<&ComputeHost> {
        self.compute_hosts
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
    }
}

impl Tenant {
    // `service_principal`, `service_principal_by_id` and `principal_of` include the implicit
    // first-party service principals, so they live in `first_party.rs` (which depends on this
    // module, not the reverse).

    /// Whether `segment` names this tenant (GUID or verified domain).
    pub fn is_named_by(&self, segment: &str) -> bool {
        TenantId::parse(segment) == Some(self.id)
            || self
                .verified_domains
                .iter()
                .any(|d| d.as_str().eq_ignore_ascii_case(segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &str = include_str!("../../scenarios/default.json");

    #[test]
    fn the_default_scenario_parses_and_round_trips() {
        let dir: Directory = serde_json::from_str(DEFAULT).unwrap();
        assert_eq!(dir.tenants.len(), 3);
        let again: Directory = serde_json::from_str(&serde_json::to_string(&dir).unwrap()).unwrap();
        assert_eq!(again, dir);
    }

    #[test]
    fn tenants_resolve_by_guid_or_verified_domain_but_not_alias() {
        let dir: Directory = serde_json::from_str(DEFAULT).unwrap();
        let by_domain = dir
            .resolve_tenant(&TenantRef::parse("LITWARE.onmicrosoft.com").unwrap())
            .unwrap();
        assert_eq!(by_domain.display_name, "Litware");
        let by_id = dir
            .resolve_tenant(&TenantRef::parse(&by_domain.id.to_string()).unwrap())
            .unwrap();
        assert_eq!(by_id.id, by_domain.id);
        assert!(
            dir.resolve_tenant(&TenantRef::parse("common").unwrap())
                .is_none()
        );
        assert_eq!(TenantRef::parse("not a tenant!"), None);
    }
}
