//! The names the guided scenarios use (tenants, identity, apps, secrets), read from the live
//! directory by display name so that edits made in the directory editor flow into the steps.
use entra_core::directory::{Directory, FederatedIdentityCredential, Tenant};

/// The default scenario, compiled in: what the playground shows before mock-entra answers.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.json");

/// Ids and secrets the steps put into requests.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct World {
    pub contoso: String,
    pub litware: String,
    pub fabrikam: String,
    /// User-assigned identity `umi-multi-tenant-example`: client id and principal id.
    pub umi_client: String,
    pub umi_principal: String,
    /// "Multi-Tenant Example App" app id.
    pub multi_app: String,
    /// "Litware Own App" app id (the seed-002 mistake).
    pub litware_own_app: String,
    /// "Multi tenant Federation APP": object id and app id (custom audience api://{appId}).
    pub federation_app_object: String,
    pub federation_app: String,
    /// "Custom Audience Client App" app id.
    pub custom_client_app: String,
    /// App Service `func-contoso`'s IDENTITY_HEADER.
    pub func_identity_header: String,
    pub litware_subscription: String,
    pub contoso_storage: String,
    pub contoso_container: String,
    /// Contoso's "Playground Admin" (appId, secret): Graph writes in the guided steps.
    pub contoso_admin: (String, String),
}

/// The "Playground Admin" app of a tenant: (appId, secret).
pub fn admin_of(dir: &Directory, tenant_id: &str) -> Option<(String, String)> {
    let t = dir.tenants.iter().find(|t| t.id.to_string() == tenant_id)?;
    let app = t
        .applications
        .iter()
        .find(|a| a.display_name == "Playground Admin")?;
    let secret = app
        .password_credentials
        .iter()
        .find_map(|p| p.secret_text.as_ref())?;
    Some((app.app_id.to_string(), secret.expose().to_owned()))
}

fn tenant<'a>(dir: &'a Directory, name: &str) -> Option<&'a Tenant> {
    dir.tenants.iter().find(|t| t.display_name == name)
}

fn app_id(dir: &Directory, name: &str) -> String {
    dir.tenants
        .iter()
        .flat_map(|t| &t.applications)
        .find(|a| a.display_name == name)
        .map(|a| a.app_id.to_string())
        .unwrap_or_default()
}

/// A FIC by application display name and FIC name, with the app's home tenant.
pub fn find_fic(
    dir: &Directory,
    app: &str,
    fic: &str,
) -> Option<(String, FederatedIdentityCredential)> {
    dir.tenants.iter().find_map(|t| {
        t.applications
            .iter()
            .find(|a| a.display_name == app)
            .and_then(|a| {
                a.federated_identity_credentials
                    .iter()
                    .find(|f| f.name == fic)
            })
            .map(|f| (t.id.to_string(), f.clone()))
    })
}

impl World {
    pub fn from_directory(dir: &Directory) -> World {
        let id = |name: &str| {
            tenant(dir, name)
                .map(|t| t.id.to_string())
                .unwrap_or_default()
        };
        let umi = dir
            .tenants
            .iter()
            .flat_map(|t| &t.managed_identities)
            .find(|m| m.name == "umi-multi-tenant-example");
        let fed = dir
            .tenants
            .iter()
            .flat_map(|t| &t.applications)
            .find(|a| a.display_name == "Multi tenant Federation APP");
        let storage = tenant(dir, "Contoso").and_then(|t| t.storage_accounts.first());
        World {
            contoso: id("Contoso"),
            litware: id("Litware"),
            fabrikam: id("Fabrikam"),
            umi_client: umi
                .map(|m| m.properties.client_id.to_string())
                .unwrap_or_default(),
            umi_principal: umi
                .map(|m| m.properties.principal_id.to_string())
                .unwrap_or_default(),
            multi_app: app_id(dir, "Multi-Tenant Example App"),
            litware_own_app: app_id(dir, "Litware Own App"),
            federation_app_object: fed.map(|a| a.id.to_string()).unwrap_or_default(),
            federation_app: fed.map(|a| a.app_id.to_string()).unwrap_or_default(),
            custom_client_app: app_id(dir, "Custom Audience Client App"),
            func_identity_header: dir
                .compute_hosts
                .iter()
                .find(|h| h.name == "func-contoso")
                .and_then(|h| h.identity_header.clone())
                .unwrap_or_default(),
            litware_subscription: tenant(dir, "Litware")
                .and_then(|t| t.subscriptions.first())
                .map(|s| s.subscription_id.to_string())
                .unwrap_or_default(),
            contoso_storage: storage.map(|s| s.name.clone()).unwrap_or_default(),
            contoso_container: storage
                .and_then(|s| s.containers.first())
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            contoso_admin: admin_of(dir, &id("Contoso")).unwrap_or_default(),
        }
    }
}

/// Parses a scenario document.
pub fn parse_directory(json: &str) -> Result<Directory, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}
