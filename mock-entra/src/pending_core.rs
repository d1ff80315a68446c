//! PENDING CORE: protocol bodies that belong in `entra-core` but do not exist there yet. Kept in
//! one module so the lead can move them; nothing here touches axum or IO.
//!
//! - OIDC discovery documents (v1/v2, tenant and `common`/`organizations` templated issuers).
//! - The instance-discovery document for the mock's own host (reference C.4).
//! - Resolving an authority tenant path segment to a tenant or the AADSTS90002/900023 error.
//! - `mock-entra env` exports.

use entra_core::cloud::Cloud;
use entra_core::directory::{Directory, Tenant, TenantAlias, TenantRef};
use entra_core::error::{Aadsts, EntraError, OAuthError};
use serde_json::{Value, json};

/// Which metadata document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocVersion {
    V1,
    V2,
}

/// Issuers: Entra's own, or on the mock's URL (core's `token::IssuerMode`).
pub use entra_core::token::IssuerMode as Issuers;

/// The tenant an authority path names.
#[derive(Debug, Clone, Copy)]
pub enum AuthorityTenant<'d> {
    Tenant(&'d Tenant),
    Alias(TenantAlias),
}

impl AuthorityTenant<'_> {
    /// The path segment endpoints carry: the GUID for tenants, the alias name otherwise.
    pub fn segment(&self) -> String {
        match self {
            AuthorityTenant::Tenant(t) => t.id.to_string(),
            AuthorityTenant::Alias(a) => a.as_str().to_owned(),
        }
    }

    pub fn cloud(&self) -> Cloud {
        match self {
            AuthorityTenant::Tenant(t) => t.cloud,
            AuthorityTenant::Alias(_) => Cloud::AzureCloud,
        }
    }

    /// The tenant id for issuers, or the `{tenantid}` template.
    fn issuer_tenant(&self) -> String {
        match self {
            AuthorityTenant::Tenant(t) => t.id.to_string(),
            AuthorityTenant::Alias(_) => "{tenantid}".to_owned(),
        }
    }
}

/// Resolves `/{tenant}/…`: GUID, verified domain or alias; otherwise AADSTS900023 (not a valid
/// name) or AADSTS90002 with `error: invalid_tenant` (reference C.1).
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

/// The issuer a document (and the tokens) carry.
pub fn issuer(tenant: &AuthorityTenant<'_>, version: DocVersion, issuers: &Issuers) -> String {
    let tid = tenant.issuer_tenant();
    match (issuers, version) {
        (Issuers::Entra, DocVersion::V2) => {
            format!("https://{}/{tid}/v2.0", tenant.cloud().authority_host())
        }
        (Issuers::Entra, DocVersion::V1) => {
            let host = match tenant.cloud() {
                Cloud::AzureChinaCloud => "sts.chinacloudapi.cn",
                _ => "sts.windows.net",
            };
            format!("https://{host}/{tid}/")
        }
        (Issuers::Mock { base_url }, DocVersion::V2) => format!("{base_url}/{tid}/v2.0"),
        (Issuers::Mock { base_url }, DocVersion::V1) => format!("{base_url}/{tid}/"),
    }
}

fn graph_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureCloud => "graph.microsoft.com",
        Cloud::AzureUSGovernment => "graph.microsoft.us",
        Cloud::AzureChinaCloud => "microsoftgraph.chinacloudapi.cn",
    }
}

/// `/{tenant}/v2.0/.well-known/openid-configuration` and the v1 document, with every endpoint on
/// `base_url` (the mock's own origin, as the client used it) and the issuer per `issuers`.
pub fn openid_configuration(
    tenant: &AuthorityTenant<'_>,
    version: DocVersion,
    base_url: &str,
    issuers: &Issuers,
) -> Value {
    let seg = tenant.segment();
    let iss = issuer(tenant, version, issuers);
    let cloud = tenant.cloud();
    let region: Value = match tenant {
        AuthorityTenant::Tenant(_) => json!("WW"),
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

/// The issuer v2 JWKS keys carry (`None` for v1 key documents).
pub fn jwks_issuer(
    tenant: &AuthorityTenant<'_>,
    version: DocVersion,
    issuers: &Issuers,
) -> Option<String> {
    match version {
        DocVersion::V2 => Some(issuer(tenant, DocVersion::V2, issuers)),
        DocVersion::V1 => None,
    }
}

/// `GET /common/discovery/instance`: the C.4 shape, answering for the mock's own host.
/// `authorization_endpoint` (what MSAL sends) only contributes the tenant segment.
pub fn instance_discovery(
    base_url: &str,
    host: &str,
    authorization_endpoint: Option<&str>,
) -> Value {
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

fn host_without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest
            .split(']')
            .next()
            .map_or(host, |h| &host[..h.len() + 2]);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// The exports a client needs (for `mock-entra env`): managed identity on the HTTP origin,
/// authority on the HTTPS origin, and the CA for every TLS stack.
pub fn client_env(
    dir: &Directory,
    http_base: &str,
    https_base: &str,
    ca_path: &str,
) -> Vec<(&'static str, String)> {
    let app_service = dir
        .compute_hosts
        .iter()
        .find(|h| h.identity_header.is_some());
    let tenant = dir.tenants.first();
    let mut out = vec![];
    if let Some(h) = app_service {
        out.push(("IDENTITY_ENDPOINT", format!("{http_base}/msi/token")));
        out.push((
            "IDENTITY_HEADER",
            h.identity_header.clone().unwrap_or_default(),
        ));
    }
    out.push(("AZURE_POD_IDENTITY_AUTHORITY_HOST", http_base.to_owned()));
    out.push(("AZURE_AUTHORITY_HOST", https_base.to_owned()));
    if let Some(t) = tenant {
        out.push(("AZURE_TENANT_ID", t.id.to_string()));
        if let Some(app) = t
            .applications
            .iter()
            .find(|a| !a.federated_identity_credentials.is_empty())
        {
            out.push(("AZURE_CLIENT_ID", app.app_id.to_string()));
        }
    }
    for k in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
        out.push((k, ca_path.to_owned()));
    }
    out
}
