//! What a client reads before it asks for a token (reference C): the OpenID Connect metadata
//! documents (v1 and v2, per tenant and for the `common`/`organizations` aliases), the issuer its
//! signing keys carry, the instance-discovery document MSAL fetches first, the tenant an
//! authority path names, and the environment a client needs to reach an emulator at all.
//!
//! Every endpoint in these documents sits on `base_url`, the origin the client used (the
//! emulator's own URL), while the issuer follows [`IssuerMode`]: Entra's exact issuers by
//! default, exactly as Entra's own documents pair `login.microsoftonline.com` endpoints with
//! `sts.windows.net` v1 issuers.
//!
//! <https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc>

use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::directory::{ComputeKind, Directory, Tenant, TenantAlias, TenantRef, TokenVersion};
use crate::error::{Aadsts, EntraError, OAuthError};
use crate::keys::{Jwks, KeySet};
use crate::time::UnixTime;
use crate::token::IssuerMode;

/// Which metadata document: `/{tenant}/.well-known/openid-configuration` (v1) or
/// `/{tenant}/v2.0/.well-known/openid-configuration` (v2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocVersion {
    V1,
    V2,
}

impl DocVersion {
    fn token_version(self) -> TokenVersion {
        match self {
            DocVersion::V1 => TokenVersion::V1,
            DocVersion::V2 => TokenVersion::V2,
        }
    }
}

/// The tenant an authority path segment names.
#[derive(Debug, Clone, Copy)]
pub enum AuthorityTenant<'d> {
    Tenant(&'d Tenant),
    Alias(TenantAlias),
}

impl AuthorityTenant<'_> {
    /// The path segment the document's endpoints carry: the GUID for a tenant (even when the
    /// client named it by domain), the alias otherwise.
    pub fn segment(&self) -> String {
        match self {
            AuthorityTenant::Tenant(t) => t.id.to_string(),
            AuthorityTenant::Alias(a) => a.as_str().to_owned(),
        }
    }

    /// The tenant's cloud; the aliases answer for the public cloud.
    pub fn cloud(&self) -> Cloud {
        match self {
            AuthorityTenant::Tenant(t) => t.cloud,
            AuthorityTenant::Alias(_) => Cloud::AzureCloud,
        }
    }
}

/// Resolves `/{tenant}/…`: GUID, verified domain or alias. A segment that cannot be a tenant is
/// AADSTS900023; a well-formed one no tenant answers to is AADSTS90002 with
/// `error: invalid_tenant` (reference C.1).
pub fn resolve_authority<'d>(
    dir: &'d Directory,
    segment: &str,
) -> Result<AuthorityTenant<'d>, EntraError> {
    let Some(r) = TenantRef::parse(segment) else {
        return Err(EntraError::new(Aadsts::InvalidTenantName, [segment]));
    };
    if let TenantRef::Alias(a) = r {
        return Ok(AuthorityTenant::Alias(a));
    }
    dir.resolve_tenant(&r)
        .map(AuthorityTenant::Tenant)
        .ok_or_else(|| {
            EntraError::new(Aadsts::TenantNotFound, [segment])
                .with_oauth_error(OAuthError::InvalidTenant)
        })
}

/// The issuer a document advertises: the tenant's issuer for `version` (what its tokens carry),
/// or for an alias the same string with the `{tenantid}` template in place of the GUID.
pub fn issuer(tenant: &AuthorityTenant<'_>, version: DocVersion, issuers: &IssuerMode) -> String {
    match tenant {
        AuthorityTenant::Tenant(t) => issuers
            .issuer(version.token_version(), t.cloud, t.id)
            .as_str()
            .to_owned(),
        AuthorityTenant::Alias(_) => {
            let template = "{tenantid}";
            match (issuers, version) {
                (IssuerMode::Entra, DocVersion::V2) => format!(
                    "https://{}/{template}/v2.0",
                    tenant.cloud().authority_host()
                ),
                (IssuerMode::Entra, DocVersion::V1) => {
                    format!("https://sts.windows.net/{template}/")
                }
                (IssuerMode::Mock { base_url }, DocVersion::V2) => {
                    format!("{}/{template}/v2.0", base_url.trim_end_matches('/'))
                }
                (IssuerMode::Mock { base_url }, DocVersion::V1) => {
                    format!("{}/{template}/", base_url.trim_end_matches('/'))
                }
            }
        }
    }
}

/// Microsoft Graph's host in a cloud (`msgraph_host`, the v2 `userinfo_endpoint`).
pub fn graph_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureCloud => "graph.microsoft.com",
        Cloud::AzureUSGovernment => "graph.microsoft.us",
        Cloud::AzureChinaCloud => "microsoftgraph.chinacloudapi.cn",
    }
}

/// The metadata document of `version` with every endpoint on `base_url` and the issuer per
/// `issuers`, field for field as Entra serves it (reference C.1, C.2). `tenant_region_scope` is
/// `"WW"` for a tenant and `null` for the aliases.
pub fn openid_configuration(
    tenant: &AuthorityTenant<'_>,
    version: DocVersion,
    base_url: &str,
    issuers: &IssuerMode,
) -> Value {
    let base_url = base_url.trim_end_matches('/');
    let seg = tenant.segment();
    let iss = issuer(tenant, version, issuers);
    let cloud = tenant.cloud();
    let region: Value = match tenant {
        AuthorityTenant::Tenant(_) => json!(crate::token::TENANT_REGION_SCOPE),
        AuthorityTenant::Alias(_) => Value::Null,
    };
    match version {
        DocVersion::V2 => json!({
            "token_endpoint": format!("{base_url}/{seg}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base_url}/{seg}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": iss,
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("https://{}/oidc/userinfo", graph_host(cloud)),
            "authorization_endpoint": format!("{base_url}/{seg}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base_url}/{seg}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{base_url}/{seg}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
            "kerberos_endpoint": format!("{base_url}/{seg}/kerberos"),
            "tenant_region_scope": region,
            "cloud_instance_name": cloud.instance_name(),
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": graph_host(cloud),
            "rbac_url": "https://pas.windows.net"
        }),
        DocVersion::V1 => json!({
            "token_endpoint": format!("{base_url}/{seg}/oauth2/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base_url}/{seg}/discovery/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "scopes_supported": ["openid"],
            "issuer": iss,
            "microsoft_multi_refresh_token": true,
            "authorization_endpoint": format!("{base_url}/{seg}/oauth2/authorize"),
            "device_authorization_endpoint": format!("{base_url}/{seg}/oauth2/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{base_url}/{seg}/oauth2/logout"),
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"],
            "check_session_iframe": format!("{base_url}/{seg}/oauth2/checksession"),
            "userinfo_endpoint": format!("{base_url}/{seg}/openid/userinfo"),
            "kerberos_endpoint": format!("{base_url}/{seg}/kerberos"),
            "tenant_region_scope": region,
            "cloud_instance_name": cloud.instance_name(),
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": graph_host(cloud),
            "rbac_url": "https://pas.windows.net"
        }),
    }
}

/// The `issuer` each key of the v2 JWKS carries (the v2 issuer, templated for aliases); v1 key
/// documents carry none (reference C.3).
pub fn jwks_issuer(
    tenant: &AuthorityTenant<'_>,
    version: DocVersion,
    issuers: &IssuerMode,
) -> Option<String> {
    match version {
        DocVersion::V2 => Some(issuer(tenant, DocVersion::V2, issuers)),
        DocVersion::V1 => None,
    }
}

/// The key document of `tenant` (`discovery/keys`, `discovery/v2.0/keys`): every live key with
/// the tenant's `cloud_instance_name` (the public cloud's for the aliases) and, in v2, the
/// `issuer` (reference C.3; 2025 capture of `common/discovery/v2.0/keys`).
/// UNCONFIRMED: the v1 document carries `cloud_instance_name` too (no v1 capture shows it either
/// way; both documents list the same keys).
pub fn jwks(
    keys: &KeySet,
    tenant: &AuthorityTenant<'_>,
    version: DocVersion,
    issuers: &IssuerMode,
    now: UnixTime,
) -> Jwks {
    let cloud = match tenant {
        AuthorityTenant::Tenant(t) => t.cloud,
        AuthorityTenant::Alias(_) => Cloud::AzureCloud,
    };
    let issuer = jwks_issuer(tenant, version, issuers);
    keys.jwks(cloud.instance_name(), issuer.as_deref(), now)
}

/// `GET /common/discovery/instance`: the C.4 shape, answering for the emulator's own `host`
/// (with and without its port) so MSAL's authority validation accepts it. Of
/// `authorization_endpoint` (what MSAL sends) only the tenant segment is used.
pub fn instance_discovery(
    base_url: &str,
    host: &str,
    authorization_endpoint: Option<&str>,
) -> Value {
    let base_url = base_url.trim_end_matches('/');
    let tenant = authorization_endpoint
        .and_then(|a| a.split("://").nth(1))
        .and_then(|rest| rest.split('/').nth(1))
        .filter(|t| !t.is_empty())
        .unwrap_or("common");
    let bare = host_without_port(host);
    let mut aliases = vec![bare.to_owned()];
    if bare != host {
        aliases.push(host.to_owned());
    }
    json!({
        "tenant_discovery_endpoint": format!("{base_url}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{
            "preferred_network": bare,
            "preferred_cache": bare,
            "aliases": aliases
        }]
    })
}

/// `localhost:8443` -> `localhost`, `[::1]:8443` -> `[::1]`.
fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// The client stacks `mock-entra env --sdk …` prints for; each reads its own subset of the
/// variables (sdk-compat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientSdk {
    Python,
    Node,
    Rust,
    Dotnet,
    Go,
    /// Everything, for a shell that runs several clients.
    Shell,
}

impl ClientSdk {
    /// The variables this SDK reads; `None` means all of them.
    fn wanted(self) -> Option<&'static [&'static str]> {
        Some(match self {
            ClientSdk::Shell => return None,
            ClientSdk::Python => &[
                "IDENTITY_ENDPOINT",
                "IDENTITY_HEADER",
                "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                "AZURE_AUTHORITY_HOST",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID",
                "SSL_CERT_FILE",
                "REQUESTS_CA_BUNDLE",
            ],
            ClientSdk::Node => &[
                "IDENTITY_ENDPOINT",
                "IDENTITY_HEADER",
                "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                "AZURE_AUTHORITY_HOST",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID",
                "NODE_EXTRA_CA_CERTS",
            ],
            ClientSdk::Rust | ClientSdk::Go => &[
                "IDENTITY_ENDPOINT",
                "IDENTITY_HEADER",
                "AZURE_AUTHORITY_HOST",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID",
                "SSL_CERT_FILE",
            ],
            ClientSdk::Dotnet => &[
                "IDENTITY_ENDPOINT",
                "IDENTITY_HEADER",
                "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                "AZURE_AUTHORITY_HOST",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID",
                "SSL_CERT_FILE",
            ],
        })
    }
}

/// Where a running emulator can be reached, for [`client_env`].
#[derive(Debug, Clone, Copy)]
pub struct EmulatorOrigins<'a> {
    /// The plain-HTTP origin (managed identity is plain HTTP in Azure).
    pub http_base: &'a str,
    /// The HTTPS origin (SDKs insist on an HTTPS authority).
    pub https_base: &'a str,
    /// The CA certificate (PEM) every TLS stack must trust.
    pub ca_path: &'a str,
}

/// The environment a client needs: the App Service managed-identity endpoint (the one redirect
/// every SDK honours) and the pod-identity IMDS override on the HTTP origin, the authority on the
/// HTTPS origin, the first tenant and the first app with a federated credential, and the CA for
/// every TLS stack.
pub fn client_env(dir: &Directory, at: EmulatorOrigins<'_>) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let app_service = dir
        .compute_hosts
        .iter()
        .filter(|h| h.kind == ComputeKind::AppService)
        .find_map(|h| h.identity_header.as_ref());
    if let Some(header) = app_service {
        out.push(("IDENTITY_ENDPOINT", format!("{}/msi/token", at.http_base)));
        out.push(("IDENTITY_HEADER", header.clone()));
    }
    out.push(("AZURE_POD_IDENTITY_AUTHORITY_HOST", at.http_base.to_owned()));
    out.push(("AZURE_AUTHORITY_HOST", at.https_base.to_owned()));
    // Exported scripts (crate::export::script) read these with Azure's values as defaults.
    out.push(("AZURE_RESOURCE_MANAGER_ENDPOINT", at.https_base.to_owned()));
    out.push(("AZURE_GRAPH_ENDPOINT", at.https_base.to_owned()));
    if let Some(account) = dir.tenants.iter().flat_map(|t| &t.storage_accounts).next() {
        out.push((
            "AZURE_STORAGE_BLOB_ENDPOINT",
            format!("{}/blob/{}", at.https_base, account.name),
        ));
    }
    // The GitHub Actions runner's ID-token pair, pointed at the emulated issuer: exported
    // GitHub scenarios read them (crate::scenario::github_id_token) as a workflow job does.
    if let Some(github) = dir
        .external_issuers
        .iter()
        .find(|i| i.kind == crate::directory::ExternalIssuerKind::GitHubActions)
    {
        out.push((
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!(
                "{}idtoken?api-version=2.0",
                crate::issuers::served_base(github, at.http_base)
            ),
        ));
        if let Some(t) = &github.request_token {
            out.push(("ACTIONS_ID_TOKEN_REQUEST_TOKEN", t.clone()));
        }
    }
    if let Some(t) = dir.tenants.first() {
        out.push(("AZURE_TENANT_ID", t.id.to_string()));
        if let Some(app) = t
            .applications
            .iter()
            .find(|a| !a.federated_identity_credentials.is_empty())
        {
            out.push(("AZURE_CLIENT_ID", app.app_id.to_string()));
        }
    }
    for k in [
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        out.push((k, at.ca_path.to_owned()));
    }
    out
}

/// `export NAME=value` lines (POSIX shell) for the variables `sdk` reads.
pub fn export_lines(sdk: ClientSdk, env: &[(&'static str, String)]) -> String {
    let wanted = sdk.wanted();
    env.iter()
        .filter(|(k, _)| wanted.is_none_or(|w| w.contains(k)))
        .map(|(k, v)| format!("export {k}={}\n", shell_quote(v)))
        .collect()
}

/// A value as one shell word: bare when it is made of safe characters, single-quoted otherwise.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests;
