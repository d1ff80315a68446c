//! PENDING CORE: protocol bodies that belong in `entra-core` but do not exist there yet. Kept in
//! one module so the lead can move them; nothing here touches axum or IO.
//!
//! - OIDC discovery documents (v1/v2, tenant and `common`/`organizations` templated issuers).
//! - The instance-discovery document for the mock's own host (reference C.4).
//! - Resolving an authority tenant path segment to a tenant or the AADSTS90002/900023 error.
//! - Managed identity (until core-misc lands `managed_identity::{imds, app_service}`): IMDS and
//!   App Service request parsing, identity selection, success and error bodies.
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

/// Managed-identity endpoints (reference A and B). PENDING: core-misc's
/// `managed_identity::{imds, app_service}` replaces this module.
pub mod managed_identity {
    use entra_core::directory::{ComputeHost, ComputeKind, Directory, ManagedIdentityProperties};
    use entra_core::error::EntraError;
    use entra_core::ids::{ArmResourceId, Guid, TraceIds};
    use entra_core::time::UnixTime;
    use entra_core::token::IssuedToken;
    use serde_json::{Value, json};

    /// Which protocol a request spoke.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Flavor {
        Imds,
        AppService2019,
        AppService2017,
    }

    /// How the caller named a user-assigned identity.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Selector {
        ClientId(String),
        ObjectId(String),
        ResourceId(String),
    }

    /// A parsed token request.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MiRequest {
        pub flavor: Flavor,
        pub resource: String,
        pub selector: Option<Selector>,
        pub bypass_cache: bool,
        /// App Service: the `X-IDENTITY-HEADER`/`Secret` value (selects the host).
        pub identity_header: Option<String>,
    }

    /// An error with its exact status and body.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MiError {
        pub status: u16,
        pub body: Value,
    }

    fn imds_err(status: u16, error: &str, description: &str) -> MiError {
        MiError {
            status,
            body: json!({"error": error, "error_description": description}),
        }
    }

    fn app_service_err(status: u16, message: &str, correlation: Guid) -> MiError {
        MiError {
            status,
            body: json!({"statusCode": status, "message": message, "correlationId": correlation.to_string()}),
        }
    }

    fn get<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn duplicate(q: &[(String, String)]) -> bool {
        q.iter()
            .enumerate()
            .any(|(i, (k, _))| q[..i].iter().any(|(k2, _)| k2.eq_ignore_ascii_case(k)))
    }

    /// IMDS: `Metadata: true` first (SDK probes depend on the 400), no `X-Forwarded-For`, then
    /// `api-version`, `resource` and at most one selector.
    pub fn parse_imds(
        q: &[(String, String)],
        metadata: Option<&str>,
        forwarded: bool,
    ) -> Result<MiRequest, MiError> {
        if !metadata.is_some_and(|m| m.eq_ignore_ascii_case("true")) {
            return Err(imds_err(
                400,
                "invalid_request",
                "Required metadata header not specified",
            ));
        }
        if forwarded {
            return Err(imds_err(
                400,
                "invalid_request",
                "Requests with an X-Forwarded-For header are not allowed",
            ));
        }
        if duplicate(q) {
            return Err(imds_err(
                400,
                "invalid_request",
                "Duplicate query parameters are not allowed",
            ));
        }
        if get(q, "api-version").is_none() {
            return Err(imds_err(
                400,
                "invalid_request",
                "Required query variable 'api-version' is missing",
            ));
        }
        let Some(resource) = get(q, "resource") else {
            return Err(imds_err(
                400,
                "invalid_request",
                "Required audience parameter not specified",
            ));
        };
        let selectors: Vec<Selector> = [
            get(q, "client_id").map(|v| Selector::ClientId(v.to_owned())),
            get(q, "object_id").map(|v| Selector::ObjectId(v.to_owned())),
            get(q, "msi_res_id")
                .or(get(q, "mi_res_id"))
                .map(|v| Selector::ResourceId(v.to_owned())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if selectors.len() > 1 {
            return Err(imds_err(
                400,
                "invalid_request",
                "Only one of client_id, object_id or msi_res_id may be specified",
            ));
        }
        Ok(MiRequest {
            flavor: Flavor::Imds,
            resource: resource.to_owned(),
            selector: selectors.into_iter().next(),
            bypass_cache: get(q, "bypass_cache").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            identity_header: None,
        })
    }

    /// App Service: 2019-08-01 with `X-IDENTITY-HEADER`, 2017-09-01 with `Secret`.
    pub fn parse_app_service(
        q: &[(String, String)],
        identity_header: Option<&str>,
        secret: Option<&str>,
        correlation: Guid,
    ) -> Result<MiRequest, MiError> {
        let flavor = match get(q, "api-version") {
            Some("2017-09-01") => Flavor::AppService2017,
            Some(v) if v >= "2019-08-01" => Flavor::AppService2019,
            _ => {
                return Err(app_service_err(
                    400,
                    "The api-version is invalid or was not specified in the request.",
                    correlation,
                ));
            }
        };
        let header = match flavor {
            Flavor::AppService2017 => secret.or(identity_header),
            _ => identity_header,
        };
        let Some(header) = header.filter(|h| !h.is_empty()) else {
            return Err(app_service_err(
                401,
                "The request is missing the identity header.",
                correlation,
            ));
        };
        let Some(resource) = get(q, "resource") else {
            return Err(app_service_err(
                400,
                "The resource parameter is missing.",
                correlation,
            ));
        };
        let selector = match flavor {
            Flavor::AppService2017 => get(q, "clientid").map(|v| Selector::ClientId(v.to_owned())),
            _ => get(q, "client_id")
                .map(|v| Selector::ClientId(v.to_owned()))
                .or_else(|| {
                    get(q, "principal_id")
                        .or(get(q, "object_id"))
                        .map(|v| Selector::ObjectId(v.to_owned()))
                })
                .or_else(|| {
                    get(q, "mi_res_id")
                        .or(get(q, "msi_res_id"))
                        .map(|v| Selector::ResourceId(v.to_owned()))
                }),
        };
        Ok(MiRequest {
            flavor,
            resource: resource.to_owned(),
            selector,
            bypass_cache: false,
            identity_header: Some(header.to_owned()),
        })
    }

    /// The App Service host a header value selects (and, under `/hosts/{name}`, must match).
    pub fn app_service_host<'d>(
        dir: &'d Directory,
        named: Option<&str>,
        header: &str,
        correlation: Guid,
    ) -> Result<&'d ComputeHost, MiError> {
        let found = dir.compute_hosts.iter().find(|h| {
            h.kind == ComputeKind::AppService
                && h.identity_header.as_deref() == Some(header)
                && named.is_none_or(|n| h.name.eq_ignore_ascii_case(n))
        });
        found.ok_or_else(|| {
            app_service_err(
                401,
                "The identity header is not valid for this endpoint.",
                correlation,
            )
        })
    }

    /// The VM serving the root IMDS path, or a named VM.
    pub fn imds_host<'d>(dir: &'d Directory, named: Option<&str>) -> Option<&'d ComputeHost> {
        dir.compute_hosts.iter().find(|h| {
            h.kind == ComputeKind::VirtualMachine
                && named.is_none_or(|n| h.name.eq_ignore_ascii_case(n))
        })
    }

    fn guid_eq(a: &str, b: &str) -> bool {
        match (Guid::parse(a), Guid::parse(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// Picks the identity: selector, else system-assigned, else the only user-assigned one.
    pub fn select_identity(
        dir: &Directory,
        host: &ComputeHost,
        selector: Option<&Selector>,
        flavor: Flavor,
        correlation: Guid,
    ) -> Result<(ManagedIdentityProperties, ArmResourceId), MiError> {
        let not_found = || match flavor {
            Flavor::Imds => imds_err(400, "invalid_request", "Identity not found"),
            _ => app_service_err(
                400,
                "Unable to load the proper Managed Identity.",
                correlation,
            ),
        };
        let system = host.identity.system_assigned.map(|p| (p, host.id.clone()));
        let users: Vec<(ManagedIdentityProperties, ArmResourceId)> = host
            .identity
            .user_assigned_identities
            .iter()
            .filter_map(|id| dir.managed_identity(id))
            .map(|m| (m.properties, m.id.clone()))
            .collect();
        let all = || system.iter().chain(users.iter());
        let found = match selector {
            Some(Selector::ClientId(c)) => all()
                .find(|(p, _)| guid_eq(&p.client_id.to_string(), c))
                .cloned(),
            Some(Selector::ObjectId(o)) => all()
                .find(|(p, _)| guid_eq(&p.principal_id.to_string(), o))
                .cloned(),
            Some(Selector::ResourceId(r)) => users
                .iter()
                .find(|(_, id)| id.as_str().eq_ignore_ascii_case(r))
                .cloned(),
            None => match (&system, users.len()) {
                (Some(s), _) => Some(s.clone()),
                (None, 1) => users.first().cloned(),
                (None, 0) => None,
                (None, _) => {
                    return Err(match flavor {
                        Flavor::Imds => imds_err(
                            400,
                            "invalid_request",
                            "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request",
                        ),
                        _ => app_service_err(
                            400,
                            "Unable to load the proper Managed Identity.",
                            correlation,
                        ),
                    });
                }
            },
        };
        found.ok_or_else(not_found)
    }

    /// A token failure from Entra, passed through as IMDS/App Service do.
    pub fn token_error(
        err: &EntraError,
        flavor: Flavor,
        trace: TraceIds,
        now: UnixTime,
    ) -> MiError {
        match flavor {
            Flavor::Imds => MiError {
                status: 400,
                body: serde_json::to_value(err.to_body(trace, now, "login.microsoftonline.com"))
                    .unwrap_or(Value::Null),
            },
            _ => app_service_err(
                500,
                "An unexpected error occured while fetching the AAD Token.",
                trace.correlation_id.0,
            ),
        }
    }

    /// The success body: every scalar a string, with both `expires_in` and `expires_on`
    /// (sdk-compat 0.2); 2017-09-01 App Service uses its legacy date.
    pub fn success_body(
        token: &IssuedToken,
        client_id: &str,
        flavor: Flavor,
        now: UnixTime,
    ) -> Value {
        let expires_in = (token.expires_on.secs() - now.secs()).max(0).to_string();
        let expires_on = match flavor {
            Flavor::AppService2017 => token.expires_on.app_service_legacy(),
            _ => token.expires_on.secs().to_string(),
        };
        json!({
            "access_token": token.access_token,
            "client_id": client_id,
            "expires_in": expires_in,
            "expires_on": expires_on,
            "ext_expires_in": expires_in,
            "not_before": token.not_before.secs().to_string(),
            "resource": token.resource,
            "token_type": "Bearer",
        })
    }

    /// `/metadata/identity/info`.
    pub fn identity_info(dir: &Directory, host: &ComputeHost) -> Value {
        let tenant = host
            .identity
            .system_assigned
            .as_ref()
            .map(|p| p.tenant_id)
            .or_else(|| {
                host.identity
                    .user_assigned_identities
                    .iter()
                    .find_map(|id| dir.managed_identity(id))
                    .map(|m| m.properties.tenant_id)
            });
        json!({"tenantId": tenant.map(|t| t.to_string()).unwrap_or_default()})
    }

    /// `/metadata/instance/compute`: string-valued, missing values as empty strings.
    pub fn instance_compute(host: &ComputeHost) -> Value {
        let id = host.id.as_str();
        let seg = |name: &str| {
            let parts: Vec<&str> = id.split('/').collect();
            parts
                .iter()
                .position(|p| p.eq_ignore_ascii_case(name))
                .and_then(|i| parts.get(i + 1))
                .map(|s| (*s).to_owned())
                .unwrap_or_default()
        };
        json!({
            "azEnvironment": "AzurePublicCloud",
            "location": host.location,
            "name": host.name,
            "osType": "Linux",
            "resourceGroupName": seg("resourceGroups"),
            "resourceId": id,
            "subscriptionId": seg("subscriptions"),
            "vmId": Guid::derived(Guid::NIL, id).to_string(),
            "vmSize": "Standard_D2s_v5",
            "zone": "",
            "tags": "",
        })
    }

    /// `/metadata/instance`.
    pub fn instance(host: &ComputeHost) -> Value {
        json!({
            "compute": instance_compute(host),
            "network": {"interface": [{"ipv4": {"ipAddress": [{"privateIpAddress": "10.0.0.4", "publicIpAddress": ""}], "subnet": [{"address": "10.0.0.0", "prefix": "24"}]}, "ipv6": {"ipAddress": []}, "macAddress": "000D3A000001"}]}
        })
    }

    /// `/metadata/versions`.
    pub fn versions() -> Value {
        json!({"apiVersions": ["2017-03-01", "2017-04-02", "2017-08-01", "2017-10-01", "2017-12-01", "2018-02-01", "2018-04-02", "2018-10-01", "2019-02-01", "2019-03-11", "2019-04-30", "2019-06-01", "2019-06-04", "2019-08-01", "2019-08-15", "2019-11-01", "2020-06-01", "2020-07-15", "2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01", "2021-05-01", "2021-10-01", "2021-11-01", "2021-11-15", "2021-12-13", "2023-07-01", "2023-11-15", "2024-03-15", "2024-07-17", "2025-04-07"]})
    }
}
