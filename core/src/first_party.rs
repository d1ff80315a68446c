//! Microsoft's first-party applications that exist as service principals in every tenant: the
//! resources of the flow (Resource Manager, Storage, Graph, Key Vault) and the "AAD Token Exchange
//! Endpoint" whose app id is the `aud` of every FIC assertion a managed identity gets.

use std::borrow::Cow;

use crate::directory::{AppRole, ServicePrincipal, Tenant, TokenVersion};
use crate::ids::{AppRoleId, ClientId, Guid, ObjectId, TenantId};

/// One first-party application.
#[derive(Debug, Clone, Copy)]
pub struct FirstPartyApp {
    pub app_id: ClientId,
    pub display_name: &'static str,
    /// Identifier URIs without trailing slash; a request may name the resource with or without
    /// one, and the v1 `aud` echoes the requested spelling.
    pub identifier_uris: &'static [&'static str],
    pub token_version: TokenVersion,
    /// Application permissions: (id, value).
    pub app_roles: &'static [(u128, &'static str)],
}

/// The app the `api://AzureADTokenExchange` audience resolves to (reference E.4).
pub const TOKEN_EXCHANGE: FirstPartyApp = FirstPartyApp {
    app_id: ClientId::from_u128(0xfb60f99c_7a34_4190_8149_302f77469936),
    display_name: "AAD Token Exchange Endpoint",
    identifier_uris: &[
        "api://AzureADTokenExchange",
        "api://AzureADTokenExchangeUSGov",
        "api://AzureADTokenExchangeChina",
    ],
    token_version: TokenVersion::V2,
    app_roles: &[],
};

pub const AZURE_RESOURCE_MANAGER: FirstPartyApp = FirstPartyApp {
    app_id: ClientId::from_u128(0x797f4846_ba00_4fd7_ba43_dac1f8f63013),
    display_name: "Windows Azure Service Management API",
    identifier_uris: &[
        "https://management.azure.com",
        "https://management.core.windows.net",
        "https://management.usgovcloudapi.net",
        "https://management.core.usgovcloudapi.net",
        "https://management.chinacloudapi.cn",
        "https://management.core.chinacloudapi.cn",
    ],
    token_version: TokenVersion::V1,
    app_roles: &[],
};

pub const AZURE_STORAGE: FirstPartyApp = FirstPartyApp {
    app_id: ClientId::from_u128(0xe406a681_f3d4_42a8_90b6_c2b029497af1),
    display_name: "Azure Storage",
    identifier_uris: &["https://storage.azure.com"],
    token_version: TokenVersion::V1,
    app_roles: &[],
};

pub const MICROSOFT_GRAPH: FirstPartyApp = FirstPartyApp {
    app_id: ClientId::from_u128(0x00000003_0000_0000_c000_000000000000),
    display_name: "Microsoft Graph",
    identifier_uris: &[
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
    ],
    token_version: TokenVersion::V1,
    app_roles: &[
        (0x7438b122_aefc_4978_80ed_43db9fcc7715, "Device.Read.All"),
        (
            0x1bfefb4e_e0b5_418b_a88f_73c46d2cc8e9,
            "Application.ReadWrite.All",
        ),
        (
            0x9a5d68dd_52b0_4cc2_bd40_abcf44ac3a30,
            "Application.Read.All",
        ),
        (
            0x18a4783c_866b_4cc7_a460_3d5e5662c884,
            "Application.ReadWrite.OwnedBy",
        ),
        (
            0x06b708a9_e830_4db3_a914_8e69da51d44f,
            "AppRoleAssignment.ReadWrite.All",
        ),
        (0x7ab1d382_f21e_4acd_a863_ba3e13f7da61, "Directory.Read.All"),
        (
            0x19dbc75e_c2e2_444c_a770_ec69d8559fc7,
            "Directory.ReadWrite.All",
        ),
    ],
};

pub const AZURE_KEY_VAULT: FirstPartyApp = FirstPartyApp {
    app_id: ClientId::from_u128(0xcfa8b339_82a2_471a_a3c9_0fc0be7a4093),
    display_name: "Azure Key Vault",
    identifier_uris: &["https://vault.azure.net"],
    token_version: TokenVersion::V1,
    app_roles: &[],
};

pub const ALL: [FirstPartyApp; 5] = [
    TOKEN_EXCHANGE,
    AZURE_RESOURCE_MANAGER,
    AZURE_STORAGE,
    MICROSOFT_GRAPH,
    AZURE_KEY_VAULT,
];

/// Namespace for the ids of implicit first-party service principals.
const SP_NAMESPACE: Guid = Guid::from_u128(0x6d6f636b_656e_7472_6166_697273747061);

pub fn by_app_id(app_id: ClientId) -> Option<&'static FirstPartyApp> {
    ALL.iter().find(|a| a.app_id == app_id)
}

/// The first-party app a resource identifier names: an identifier URI (trailing slash or not,
/// case-insensitive host) or the app id itself.
pub fn by_resource(resource: &str) -> Option<&'static FirstPartyApp> {
    let trimmed = resource.trim_end_matches('/');
    ALL.iter().find(|a| {
        a.app_id.to_string().eq_ignore_ascii_case(trimmed)
            || a.identifier_uris
                .iter()
                .any(|u| u.eq_ignore_ascii_case(trimmed))
    })
}

impl FirstPartyApp {
    pub fn app_roles(&self) -> Vec<AppRole> {
        self.app_roles
            .iter()
            .map(|(id, value)| AppRole {
                id: AppRoleId::from_u128(*id),
                value: (*value).to_owned(),
                display_name: (*value).to_owned(),
                description: String::new(),
                allowed_member_types: vec!["Application".to_owned()],
                is_enabled: true,
            })
            .collect()
    }

    /// The id of this app's service principal in `tenant`: stable, derived from both.
    pub fn service_principal_id(&self, tenant: TenantId) -> ObjectId {
        ObjectId(Guid::derived(
            SP_NAMESPACE,
            &format!("{tenant}/{}", self.app_id),
        ))
    }

    pub fn service_principal_in(&self, tenant: TenantId) -> ServicePrincipal {
        ServicePrincipal {
            id: self.service_principal_id(tenant),
            app_id: self.app_id,
            display_name: self.display_name.to_owned(),
            account_enabled: true,
            app_role_assignment_required: false,
            service_principal_type: "Application".to_owned(),
            app_owner_organization_id: Some(TenantId::from_u128(
                0xf8cdef31_a31e_4b4a_93e4_5f571e91255a,
            )),
            app_roles: self.app_roles(),
            service_principal_names: self
                .identifier_uris
                .iter()
                .map(|u| (*u).to_owned())
                .collect(),
        }
    }
}

/// A tenant's service principals, including the implicit first-party ones (Microsoft Graph, ARM,
/// Storage, the token-exchange app) that exist in every tenant.
impl Tenant {
    /// The tenant's service principal for `app_id`, including the implicit first-party ones
    /// (Microsoft Graph, ARM, Storage, the token-exchange app) that exist in every tenant.
    pub fn service_principal(&self, app_id: ClientId) -> Option<Cow<'_, ServicePrincipal>> {
        if let Some(sp) = self
            .service_principals
            .iter()
            .find(|sp| sp.app_id == app_id)
        {
            return Some(Cow::Borrowed(sp));
        }
        by_app_id(app_id).map(|fp| Cow::Owned(fp.service_principal_in(self.id)))
    }

    pub fn service_principal_by_id(&self, id: ObjectId) -> Option<Cow<'_, ServicePrincipal>> {
        if let Some(sp) = self.service_principals.iter().find(|sp| sp.id == id) {
            return Some(Cow::Borrowed(sp));
        }
        ALL.iter()
            .map(|fp| fp.service_principal_in(self.id))
            .find(|sp| sp.id == id)
            .map(Cow::Owned)
    }

    /// Object id for an application in this tenant, for `oid`/`sub`: its service principal's id.
    pub fn principal_of(&self, app_id: ClientId) -> Option<ObjectId> {
        self.service_principal(app_id).map(|sp| sp.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;

    #[test]
    fn resources_resolve_with_or_without_trailing_slash_and_by_app_id() {
        assert_eq!(
            by_resource("https://management.azure.com/").unwrap().app_id,
            AZURE_RESOURCE_MANAGER.app_id
        );
        assert_eq!(
            by_resource("https://storage.azure.com").unwrap().app_id,
            AZURE_STORAGE.app_id
        );
        assert_eq!(
            by_resource("fb60f99c-7a34-4190-8149-302f77469936")
                .unwrap()
                .app_id,
            TOKEN_EXCHANGE.app_id
        );
        assert!(by_resource("api://NotARealTokenExchange").is_none());
    }

    #[test]
    fn implicit_service_principals_differ_per_tenant_but_are_stable() {
        let a = MICROSOFT_GRAPH.service_principal_id(TenantId::from_u128(1));
        let b = MICROSOFT_GRAPH.service_principal_id(TenantId::from_u128(2));
        assert_ne!(a, b);
        assert_eq!(
            a,
            MICROSOFT_GRAPH.service_principal_id(TenantId::from_u128(1))
        );
    }

    #[test]
    fn first_party_service_principals_exist_in_every_tenant() {
        let dir: Directory = serde_json::from_str(crate::testutil::DEFAULT).unwrap();
        let fabrikam = &dir.tenants[2];
        assert!(
            fabrikam
                .service_principal(AZURE_RESOURCE_MANAGER.app_id)
                .is_some()
        );
        let multi_tenant_app = dir.tenants[0].applications[0].app_id;
        assert!(fabrikam.service_principal(multi_tenant_app).is_none());
    }
}
