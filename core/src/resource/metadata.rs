//! Resource Manager's cloud metadata document (`GET /metadata/endpoints`), describing the mock
//! as a cloud: its login endpoint and Resource Manager are the mock's own origin; the audiences,
//! Graph and the Storage suffix are those of the scenario's national clouds, because the mock's
//! token endpoint issues tokens for exactly those resources and its Graph and ARM accept them.
//!
//! Three shapes, chosen by `api-version` (the clients that ask for each):
//! - `2022-09-01` and newer: one object (`az cloud register --endpoint-resource-manager`);
//! - `2019-05-01` up to it: a list with one object per cloud (`ARM_CLOUD_METADATA_URL` of the
//!   Azure CLI, Azure PowerShell's cloud discovery);
//! - `1.0` and dates before `2019-05-01` (`2015-01-01`): the flat Azure Stack document
//!   (`galleryEndpoint`, `graphEndpoint`, `portalEndpoint`, `authentication`) that
//!   `Add-AzEnvironment -ARMEndpoint` and Azure Stack scripts read.
//!
//! UNCONFIRMED: where Resource Manager draws the lines between the shapes (the versions above are
//! those the clients send and the shapes they parse), and that it answers a version no client
//! sends with InvalidApiVersionParameter listing the versions below.

use serde_json::{Value, json};

use super::arm::{ArmError, check_api_version};
use crate::cloud::Cloud;
use crate::directory::Directory;

/// The versions the mock serves, newest first.
pub const METADATA_API_VERSIONS: &[&str] = &[
    "2023-11-01",
    "2022-09-01",
    "2020-06-01",
    "2019-05-01",
    "2018-01-01",
    "2015-01-01",
    "1.0",
];

/// Azure's values for one cloud that the mock does not serve (portal, Media, Batch, suffixes…):
/// the document carries them as Azure publishes them, so a client's derived names stay right.
struct CloudValues {
    portal: &'static str,
    gallery: &'static str,
    /// Azure AD Graph (retired, still in the document).
    aad_graph: &'static str,
    media: &'static str,
    batch: &'static str,
    data_lake: &'static str,
    sql_management: &'static str,
    /// Resource Manager's audiences: the legacy one first (the Azure CLI takes `audiences[0]`).
    audiences: [&'static str; 2],
    microsoft_graph: &'static str,
    log_analytics: &'static str,
    app_insights: &'static str,
    storage_suffix: &'static str,
    key_vault_dns: &'static str,
    sql_server_hostname: &'static str,
    acr_login_server: &'static str,
}

fn values(cloud: Cloud) -> CloudValues {
    match cloud {
        Cloud::AzureCloud => CloudValues {
            portal: "https://portal.azure.com",
            gallery: "https://gallery.azure.com/",
            aad_graph: "https://graph.windows.net/",
            media: "https://rest.media.azure.net",
            batch: "https://batch.core.windows.net/",
            data_lake: "https://datalake.azure.net/",
            sql_management: "https://management.core.windows.net:8443/",
            audiences: [
                "https://management.core.windows.net/",
                "https://management.azure.com/",
            ],
            microsoft_graph: "https://graph.microsoft.com/",
            log_analytics: "https://api.loganalytics.io",
            app_insights: "https://api.applicationinsights.io",
            storage_suffix: "core.windows.net",
            key_vault_dns: "vault.azure.net",
            sql_server_hostname: "database.windows.net",
            acr_login_server: "azurecr.io",
        },
        Cloud::AzureUSGovernment => CloudValues {
            portal: "https://portal.azure.us",
            gallery: "https://gallery.usgovcloudapi.net/",
            aad_graph: "https://graph.windows.net/",
            media: "https://rest.media.usgovcloudapi.net",
            batch: "https://batch.core.usgovcloudapi.net/",
            data_lake: "https://datalake.usgovcloudapi.net/",
            sql_management: "https://management.core.usgovcloudapi.net:8443/",
            audiences: [
                "https://management.core.usgovcloudapi.net/",
                "https://management.usgovcloudapi.net/",
            ],
            microsoft_graph: "https://graph.microsoft.us/",
            log_analytics: "https://api.loganalytics.us",
            app_insights: "https://api.applicationinsights.us",
            storage_suffix: "core.usgovcloudapi.net",
            key_vault_dns: "vault.usgovcloudapi.net",
            sql_server_hostname: "database.usgovcloudapi.net",
            acr_login_server: "azurecr.us",
        },
        Cloud::AzureChinaCloud => CloudValues {
            portal: "https://portal.azure.cn",
            gallery: "https://gallery.chinacloudapi.cn/",
            aad_graph: "https://graph.chinacloudapi.cn/",
            media: "https://rest.media.chinacloudapi.cn",
            batch: "https://batch.chinacloudapi.cn/",
            data_lake: "https://datalake.chinacloudapi.cn/",
            sql_management: "https://management.core.chinacloudapi.cn:8443/",
            audiences: [
                "https://management.core.chinacloudapi.cn/",
                "https://management.chinacloudapi.cn/",
            ],
            microsoft_graph: "https://microsoftgraph.chinacloudapi.cn/",
            log_analytics: "https://api.loganalytics.azure.cn",
            app_insights: "https://api.applicationinsights.azure.cn",
            storage_suffix: "core.chinacloudapi.cn",
            key_vault_dns: "vault.azure.cn",
            sql_server_hostname: "database.chinacloudapi.cn",
            acr_login_server: "azurecr.cn",
        },
    }
}

/// The clouds the scenario's tenants live in, in the order they first appear (AzureCloud when the
/// scenario has no tenant).
pub fn scenario_clouds(dir: &Directory) -> Vec<Cloud> {
    let mut clouds: Vec<Cloud> = vec![];
    for t in &dir.tenants {
        if !clouds.contains(&t.cloud) {
            clouds.push(t.cloud);
        }
    }
    if clouds.is_empty() {
        clouds.push(Cloud::AzureCloud);
    }
    clouds
}

/// One cloud in the current (2019-05-01 and later) shape, served from `base` (the origin the
/// client reached, e.g. `https://localhost:8443`).
fn cloud_document(cloud: Cloud, base: &str) -> Value {
    let v = values(cloud);
    let base = base.trim_end_matches('/');
    let name = match cloud {
        Cloud::AzureCloud => "AzureCloud",
        Cloud::AzureUSGovernment => "AzureUSGovernment",
        Cloud::AzureChinaCloud => "AzureChinaCloud",
    };
    json!({
        "portal": v.portal,
        "authentication": {
            "loginEndpoint": base,
            "audiences": v.audiences,
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "media": v.media,
        "graphAudience": v.aad_graph,
        "graph": v.aad_graph,
        "name": name,
        "suffixes": {
            "acrLoginServer": v.acr_login_server,
            "sqlServerHostname": v.sql_server_hostname,
            "keyVaultDns": v.key_vault_dns,
            "storage": v.storage_suffix
        },
        "batch": v.batch,
        "resourceManager": format!("{base}/"),
        "activeDirectoryDataLake": v.data_lake,
        "sqlManagement": v.sql_management,
        "microsoftGraphResourceId": v.microsoft_graph,
        "appInsightsResourceId": v.app_insights,
        "logAnalyticsResourceId": v.log_analytics,
        "gallery": v.gallery
    })
}

/// `GET /metadata/endpoints?api-version=…` (no token: the document is public, as Azure's is).
/// The single-object shapes describe the scenario's first cloud.
pub fn metadata_endpoints(
    dir: &Directory,
    base: &str,
    api_version: Option<&str>,
) -> Result<Value, ArmError> {
    check_api_version(api_version, METADATA_API_VERSIONS)?;
    let version = api_version.unwrap_or_default();
    let clouds = scenario_clouds(dir);
    let first = clouds[0];
    if version >= "2022-09-01" {
        Ok(cloud_document(first, base))
    } else if version >= "2019-05-01" {
        Ok(Value::Array(
            clouds.iter().map(|c| cloud_document(*c, base)).collect(),
        ))
    } else {
        let v = values(first);
        Ok(json!({
            "galleryEndpoint": v.gallery,
            "graphEndpoint": v.aad_graph,
            "portalEndpoint": format!("{}/", v.portal),
            "authentication": {
                "loginEndpoint": format!("{}/", base.trim_end_matches('/')),
                "audiences": v.audiences
            }
        }))
    }
}
