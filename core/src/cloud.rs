//! National clouds: each tenant lives in exactly one, and the cloud decides the authority host,
//! the issuers and the token-exchange audience (reference section G).

use serde::{Deserialize, Serialize};

use crate::ids::{Issuer, TenantId};

/// Azure's clouds. Serialized with the names Azure CLI and ARM use (`az cloud list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Cloud {
    #[default]
    AzureCloud,
    AzureUSGovernment,
    AzureChinaCloud,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [
        Cloud::AzureCloud,
        Cloud::AzureUSGovernment,
        Cloud::AzureChinaCloud,
    ];

    /// The host of the authority (`https://{host}/{tenant}`).
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::AzureCloud => "login.microsoftonline.com",
            Cloud::AzureUSGovernment => "login.microsoftonline.us",
            Cloud::AzureChinaCloud => "login.partner.microsoftonline.cn",
        }
    }

    /// Issuer of v2.0 tokens: `https://login.microsoftonline.com/{tid}/v2.0`.
    pub fn v2_issuer(self, tenant: TenantId) -> Issuer {
        Issuer(format!("https://{}/{tenant}/v2.0", self.authority_host()))
    }

    /// Issuer of v1.0 tokens: `https://sts.windows.net/{tid}/`.
    ///
    /// UNCONFIRMED for US Government: validators only know the `sts.windows.net`,
    /// `sts.microsoftonline.de` and `sts.chinacloudapi.cn` prefixes, so US Government keeps
    /// `sts.windows.net` (reference G).
    pub fn v1_issuer(self, tenant: TenantId) -> Issuer {
        let host = match self {
            Cloud::AzureCloud | Cloud::AzureUSGovernment => "sts.windows.net",
            Cloud::AzureChinaCloud => "sts.chinacloudapi.cn",
        };
        Issuer(format!("https://{host}/{tenant}/"))
    }

    /// The audience a managed identity requests to get a FIC assertion, and the one a FIC for a
    /// managed identity must list.
    pub fn token_exchange_audience(self) -> &'static str {
        match self {
            Cloud::AzureCloud => "api://AzureADTokenExchange",
            Cloud::AzureUSGovernment => "api://AzureADTokenExchangeUSGov",
            Cloud::AzureChinaCloud => "api://AzureADTokenExchangeChina",
        }
    }

    /// Resource Manager's endpoint in this cloud.
    pub fn arm_endpoint(self) -> &'static str {
        match self {
            Cloud::AzureCloud => "https://management.azure.com",
            Cloud::AzureUSGovernment => "https://management.usgovcloudapi.net",
            Cloud::AzureChinaCloud => "https://management.chinacloudapi.cn",
        }
    }

    /// Microsoft Graph's endpoint in this cloud.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Cloud::AzureCloud => "https://graph.microsoft.com",
            Cloud::AzureUSGovernment => "https://graph.microsoft.us",
            Cloud::AzureChinaCloud => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// `cloud_instance_name` of the discovery document.
    pub fn instance_name(self) -> &'static str {
        match self {
            Cloud::AzureCloud => "microsoftonline.com",
            Cloud::AzureUSGovernment => "microsoftonline.us",
            Cloud::AzureChinaCloud => "partner.microsoftonline.cn",
        }
    }

    /// Which cloud an Entra issuer belongs to, if it is an Entra issuer at all (v1 or v2 form,
    /// including the host aliases of reference C.4).
    pub fn of_entra_issuer(issuer: &str) -> Option<(Cloud, TenantId)> {
        let rest = issuer.strip_prefix("https://")?;
        let (host, path) = rest.split_once('/')?;
        let cloud = match host.to_ascii_lowercase().as_str() {
            "login.microsoftonline.com"
            | "login.windows.net"
            | "login.microsoft.com"
            | "sts.windows.net" => Cloud::AzureCloud,
            "login.microsoftonline.us" | "login.usgovcloudapi.net" => Cloud::AzureUSGovernment,
            "login.partner.microsoftonline.cn"
            | "login.chinacloudapi.cn"
            | "sts.chinacloudapi.cn" => Cloud::AzureChinaCloud,
            _ => return None,
        };
        let tenant = path.split('/').next().and_then(TenantId::parse)?;
        Some((cloud, tenant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_its_own_exchange_audience_and_issuers() {
        let t = TenantId::from_u128(1);
        assert_eq!(
            Cloud::AzureCloud.v2_issuer(t).as_str(),
            format!("https://login.microsoftonline.com/{t}/v2.0")
        );
        assert_eq!(
            Cloud::AzureChinaCloud.v1_issuer(t).as_str(),
            format!("https://sts.chinacloudapi.cn/{t}/")
        );
        assert_eq!(
            Cloud::AzureUSGovernment.token_exchange_audience(),
            "api://AzureADTokenExchangeUSGov"
        );
    }

    #[test]
    fn entra_issuers_are_recognised_with_their_tenant() {
        let t = TenantId::from_u128(7);
        for cloud in Cloud::ALL {
            assert_eq!(
                Cloud::of_entra_issuer(cloud.v2_issuer(t).as_str()),
                Some((cloud, t))
            );
        }
        assert_eq!(
            Cloud::of_entra_issuer("https://token.actions.githubusercontent.com"),
            None
        );
    }
}
