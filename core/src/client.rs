//! The flow's requests as a client sends them: managed-identity token, FIC exchange, admin
//! consent, Graph FIC creation and the resource calls of seeds 002 and 004. Base URLs are
//! parameters, so the same builders target the mock or real Azure.
//!
//! Requests are [`HttpExchange`] values rather than bare `http::Request`s because code export
//! ([`crate::export`]) needs their structure (form fields, JSON body, which earlier response a
//! token comes from). A value may name an earlier step's token as `{{step.access_token}}`: REST
//! Client chains it natively and the other exports turn it into a variable;
//! [`HttpExchange::with_token`] substitutes a real token before [`HttpExchange::into_http`].

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::cloud::Cloud;
use crate::fic::FicDraft;
use crate::ids::{ClientId, ClientSecret, ObjectId, SubscriptionId, TenantId};
use crate::managed_identity::IdentitySelector;

/// `client_assertion_type` of the certificate and federated flows.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// IMDS api-version every SDK sends.
pub const IMDS_API_VERSION: &str = "2018-02-01";
/// App Service api-version.
pub const APP_SERVICE_API_VERSION: &str = "2019-08-01";
/// ARM api-version of seed 002's resource-group listing.
pub const ARM_RESOURCE_GROUPS_API_VERSION: &str = "2024-08-01";
/// Storage needs `x-ms-version` 2017-11-09 or later for bearer tokens.
pub const STORAGE_API_VERSION: &str = "2021-08-06";

/// Characters escaped in a query value: `:` and `/` stay readable, as in seed 002's URLs.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'&')
    .add(b'=')
    .add(b'+')
    .add(b'%')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The token an earlier step returned, as a placeholder: `{{miTokenResponse.access_token}}`.
pub fn token_of(step: &str) -> String {
    format!("{{{{{step}.access_token}}}}")
}

/// A base URL (or header value) read from the environment variable `name`, with `default`
/// (Azure's real value) when it is unset: `{{env:AZURE_AUTHORITY_HOST|https://login.microsoftonline.com}}`.
/// Exports turn it into a variable of the script; requests sent for real never carry it.
pub fn env_var(name: &str, default: Option<&str>) -> String {
    match default {
        Some(d) => format!("{{{{env:{name}|{d}}}}}"),
        None => format!("{{{{env:{name}}}}}"),
    }
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits `s` into literal text, the step names of `{{step.access_token}}` placeholders and the
/// environment variables of [`env_var`] placeholders.
pub fn placeholders(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = &after[..end];
        if let Some(spec) = inner.strip_prefix("env:") {
            let (name, default) = match spec.split_once('|') {
                Some((n, d)) => (n, Some(d)),
                None => (spec, None),
            };
            if is_env_name(name) {
                if start > 0 {
                    out.push(Piece::Text(&rest[..start]));
                }
                out.push(Piece::Env { name, default });
                rest = &after[end + 2..];
                continue;
            }
        }
        match inner.strip_suffix(".access_token") {
            Some(step)
                if !step.is_empty()
                    && step.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                if start > 0 {
                    out.push(Piece::Text(&rest[..start]));
                }
                out.push(Piece::TokenOf(step));
            }
            _ => out.push(Piece::Text(&rest[..start + 2 + end + 2])),
        }
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// A part of a value: text, or the token of an earlier step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    TokenOf(&'a str),
    /// An environment variable and Azure's value when it is unset.
    Env {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// Rewrites every placeholder with `f(step)`, keeping the text (through `text`).
pub(crate) fn render(
    s: &str,
    text: impl Fn(&str) -> String,
    token: impl Fn(&str) -> String,
) -> String {
    render_pieces(s, text, token, env_var)
}

/// Renders each piece of `s`: text through `text`, a token through `token`, a variable through
/// `env` (its name and Azure's value).
pub(crate) fn render_pieces(
    s: &str,
    text: impl Fn(&str) -> String,
    token: impl Fn(&str) -> String,
    env: impl Fn(&str, Option<&str>) -> String,
) -> String {
    placeholders(s)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => text(t),
            Piece::TokenOf(step) => token(step),
            Piece::Env { name, default } => env(name, default),
        })
        .collect()
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `application/x-www-form-urlencoded`, fields in order.
    Form(Vec<(String, String)>),
    /// `application/json`, already serialized (pretty, for readable exports).
    Json(String),
}

/// One HTTP request of the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    pub method: http::Method,
    /// Without query.
    pub url: String,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

impl HttpExchange {
    /// A request without query, headers or body (for requests no builder here covers).
    pub fn new(method: http::Method, url: String) -> Self {
        HttpExchange {
            method,
            url,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Appends a query parameter (decoded; [`HttpExchange::full_url`] escapes it).
    pub fn query(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_owned(), v.into()));
        self
    }

    /// Appends a header.
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_owned(), v.into()));
        self
    }

    /// The URL with its query, values escaped except `:` and `/` (as people write them).
    pub fn full_url(&self) -> String {
        let mut url = self.url.clone();
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            let _ = write!(
                url,
                "{}={}",
                utf8_percent_encode(k, QUERY_VALUE),
                utf8_percent_encode(v, QUERY_VALUE)
            );
        }
        url
    }

    /// The body as sent on the wire.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            None => Vec::new(),
            Some(Body::Json(s)) => s.clone().into_bytes(),
            Some(Body::Form(fields)) => form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish()
                .into_bytes(),
        }
    }

    /// Replaces the placeholder of `step`'s token with `token` everywhere.
    pub fn with_token(mut self, step: &str, token: &str) -> Self {
        let sub = |s: &str| {
            render(s, str::to_owned, |name| {
                if name == step {
                    token.to_owned()
                } else {
                    token_of(name)
                }
            })
        };
        self.url = sub(&self.url);
        self.query = self
            .query
            .iter()
            .map(|(k, v)| (k.clone(), sub(v)))
            .collect();
        self.headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), sub(v)))
            .collect();
        self.body = self.body.map(|b| match b {
            Body::Form(f) => Body::Form(f.iter().map(|(k, v)| (k.clone(), sub(v))).collect()),
            Body::Json(j) => Body::Json(sub(&j)),
        });
        self
    }

    /// The `http::Request`, with `Content-Type` for bodies. Fails only on a URL or header the
    /// `http` crate refuses.
    pub fn into_http(&self) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut b = http::Request::builder()
            .method(self.method.clone())
            .uri(self.full_url());
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(self.body_bytes())
    }
}

/// Base URLs of the services the flow talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `http://169.254.169.254`.
    pub imds: String,
    /// `https://login.microsoftonline.com`.
    pub authority: String,
    /// `https://graph.microsoft.com`.
    pub graph: String,
    /// `https://management.azure.com`.
    pub arm: String,
}

impl Endpoints {
    /// Real Azure in `cloud`.
    pub fn azure(cloud: Cloud) -> Self {
        Endpoints {
            imds: "http://169.254.169.254".to_owned(),
            authority: format!("https://{}", cloud.authority_host()),
            graph: cloud.graph_endpoint().to_owned(),
            arm: cloud.arm_endpoint().to_owned(),
        }
    }
}

fn trim(base: &str) -> &str {
    base.trim_end_matches('/')
}

fn selector_param(
    s: &IdentitySelector,
    res_id_name: &'static str,
    object_name: &'static str,
) -> (&'static str, String) {
    match s {
        IdentitySelector::ClientId(c) => ("client_id", c.to_string()),
        IdentitySelector::ObjectId(o) => (object_name, o.to_string()),
        IdentitySelector::ResourceId(r) => (res_id_name, r.to_string()),
    }
}

/// `GET {imds}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
/// `Metadata: true` (reference A.1, seed 002).
pub fn imds_token_request(
    imds: &str,
    resource: &str,
    selector: Option<&IdentitySelector>,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::GET,
        format!("{}/metadata/identity/oauth2/token", trim(imds)),
    )
    .query("api-version", IMDS_API_VERSION)
    .query("resource", resource);
    if let Some(s) = selector {
        let (k, v) = selector_param(s, "msi_res_id", "object_id");
        x = x.query(k, v);
    }
    x.header("Metadata", "true")
}

/// `GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01` with `X-IDENTITY-HEADER`
/// (reference B.1, seed 004).
pub fn app_service_token_request(
    identity_endpoint: &str,
    identity_header: &str,
    resource: &str,
    selector: Option<&IdentitySelector>,
) -> HttpExchange {
    let mut x = HttpExchange::new(http::Method::GET, identity_endpoint.to_owned())
        .query("resource", resource)
        .query("api-version", APP_SERVICE_API_VERSION);
    if let Some(s) = selector {
        let (k, v) = selector_param(s, "mi_res_id", "principal_id");
        x = x.query(k, v);
    }
    x.header("X-IDENTITY-HEADER", identity_header)
}

/// How the confidential client proves itself at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCredential {
    /// `client_secret` in the body.
    Secret(ClientSecret),
    /// HTTP Basic `base64(urlenc(client_id):urlenc(secret))` (also accepted, reference D.1).
    SecretBasic(ClientSecret),
    /// A JWT: a certificate-signed assertion or a federated token (the MI token, or its
    /// placeholder [`token_of`]).
    Assertion(String),
}

/// `POST {authority}/{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`, fields in
/// seed 002's order.
pub fn token_request(
    authority: &str,
    tenant: &str,
    client_id: ClientId,
    scope: &str,
    credential: &ClientCredential,
) -> HttpExchange {
    let mut fields = vec![
        ("scope".to_owned(), scope.to_owned()),
        ("client_id".to_owned(), client_id.to_string()),
    ];
    let mut x = HttpExchange::new(
        http::Method::POST,
        format!("{}/{tenant}/oauth2/v2.0/token", trim(authority)),
    )
    .header("Content-Type", "application/x-www-form-urlencoded");
    match credential {
        ClientCredential::Secret(s) => {
            fields.push(("client_secret".to_owned(), s.expose().to_owned()))
        }
        ClientCredential::SecretBasic(s) => {
            use base64::Engine as _;
            let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(&client_id.to_string()), enc(s.expose()));
            x = x.header(
                "Authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ),
            );
        }
        ClientCredential::Assertion(a) => {
            fields.push(("client_assertion_type".to_owned(), JWT_BEARER.to_owned()));
            fields.push(("client_assertion".to_owned(), a.clone()));
        }
    }
    fields.push(("grant_type".to_owned(), "client_credentials".to_owned()));
    x.body = Some(Body::Form(fields));
    x
}

/// The admin-consent URL an administrator of `tenant` opens to provision a multi-tenant app
/// (reference F.3, seed 004): `GET {authority}/{tenant}/adminconsent?client_id=…`.
pub fn admin_consent_request(
    authority: &str,
    tenant: &str,
    client_id: ClientId,
    redirect_uri: Option<&str>,
    state: Option<&str>,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::GET,
        format!("{}/{tenant}/adminconsent", trim(authority)),
    )
    .query("client_id", client_id.to_string());
    if let Some(s) = state {
        x = x.query("state", s);
    }
    if let Some(r) = redirect_uri {
        x = x.query("redirect_uri", r);
    }
    x
}

/// `POST {graph}/v1.0/applications/{id}/federatedIdentityCredentials` (reference F.2).
pub fn graph_fic_create_request(
    graph: &str,
    application: ObjectId,
    access_token: &str,
    fic: &FicDraft,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::POST,
        format!(
            "{}/v1.0/applications/{application}/federatedIdentityCredentials",
            trim(graph)
        ),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .header("Content-Type", "application/json");
    let mut draft = fic.clone();
    draft.id = None;
    x.body = Some(Body::Json(
        serde_json::to_string_pretty(&draft).unwrap_or_default(),
    ));
    x
}

/// `PATCH {graph}/v1.0/applications/{id}/federatedIdentityCredentials/{ficId}` with the
/// properties to change (`issuer`, `subject`, `audiences`) as a JSON object; Graph answers 204.
pub fn graph_fic_update_request(
    graph: &str,
    application: ObjectId,
    fic: ObjectId,
    access_token: &str,
    changes: &serde_json::Value,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::PATCH,
        format!(
            "{}/v1.0/applications/{application}/federatedIdentityCredentials/{fic}",
            trim(graph)
        ),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .header("Content-Type", "application/json");
    x.body = Some(Body::Json(changes.to_string()));
    x
}

/// The body of the PATCH that saves an edited FIC (for [`graph_fic_update_request`]): every
/// property a PATCH may change, as `fic` has it (`issuer`, `subject`, `audiences`, and
/// `description` when set). The name is left out: Graph does not let a PATCH rename a FIC.
pub fn fic_changes(fic: &FicDraft) -> serde_json::Value {
    let mut body = serde_json::json!({
        "issuer": fic.issuer,
        "subject": fic.subject,
        "audiences": fic.audiences,
    });
    if let Some(description) = &fic.description {
        body["description"] = serde_json::Value::String(description.clone());
    }
    body
}

/// `DELETE {graph}/v1.0/applications/{id}/federatedIdentityCredentials/{ficId}`; Graph answers
/// 204.
pub fn graph_fic_delete_request(
    graph: &str,
    application: ObjectId,
    fic: ObjectId,
    access_token: &str,
) -> HttpExchange {
    HttpExchange::new(
        http::Method::DELETE,
        format!(
            "{}/v1.0/applications/{application}/federatedIdentityCredentials/{fic}",
            trim(graph)
        ),
    )
    .header("Authorization", format!("Bearer {access_token}"))
}

/// `PATCH {graph}/v1.0/applications/{id}` setting `api.requestedAccessTokenVersion` (1, 2, or
/// `null`, which Entra treats as 1).
pub fn graph_token_version_request(
    graph: &str,
    application: ObjectId,
    version: Option<u8>,
    access_token: &str,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::PATCH,
        format!("{}/v1.0/applications/{application}", trim(graph)),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .header("Content-Type", "application/json");
    x.body = Some(Body::Json(
        serde_json::json!({ "api": { "requestedAccessTokenVersion": version } }).to_string(),
    ));
    x
}

/// `POST {graph}/v1.0/servicePrincipals` with `{"appId": …}`: provisions an application in the
/// token's tenant. The appId goes out as given, not as a parsed [`ClientId`]: a learner may type a
/// malformed one on purpose, and Graph's own answer to it is the lesson.
pub fn graph_service_principal_create_request(
    graph: &str,
    app_id: &str,
    access_token: &str,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::POST,
        format!("{}/v1.0/servicePrincipals", trim(graph)),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .header("Content-Type", "application/json");
    x.body = Some(Body::Json(
        serde_json::json!({ "appId": app_id.trim() }).to_string(),
    ));
    x
}

/// What JavaScript's `encodeURIComponent` leaves alone: `@actions/core` encodes the audience so.
const URI_COMPONENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// GitHub Actions' ID-token request as `@actions/core` `getIDToken(audience)` sends it:
/// `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience={encodeURIComponent(audience)}` with
/// `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the runner's URL already carries
/// `?api-version=2.0`, so the audience is appended with `&`. Answered `{"value": "<jwt>"}`.
pub fn github_id_token_request(
    request_url: &str,
    request_token: &str,
    audience: &str,
) -> HttpExchange {
    HttpExchange::new(
        http::Method::GET,
        format!(
            "{request_url}&audience={}",
            utf8_percent_encode(audience, URI_COMPONENT)
        ),
    )
    .header("Authorization", format!("Bearer {request_token}"))
    .header("Accept", "application/json")
}

/// mock-entra's control API minting a token of the emulated issuer `issuer`:
/// `POST {base}/_mock/issuers/{issuer}/token` with the overrides as JSON (`audience`,
/// `namespace`, `serviceAccount`, …); answered `{"token", "issuer", "subject"}`. For a
/// Kubernetes issuer this is what the kubelet does for a pod: a projected service-account token.
pub fn issuer_token_request(
    base: &str,
    issuer: &str,
    overrides: &serde_json::Value,
) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::POST,
        format!("{}/_mock/issuers/{issuer}/token", trim(base)),
    )
    .header("Content-Type", "application/json");
    x.body = Some(Body::Json(overrides.to_string()));
    x
}

/// `GET {arm}/subscriptions/{id}/resourceGroups?api-version=2024-08-01` (seed 002).
pub fn arm_resource_groups_request(
    arm: &str,
    subscription: SubscriptionId,
    access_token: &str,
) -> HttpExchange {
    HttpExchange::new(
        http::Method::GET,
        format!("{}/subscriptions/{subscription}/resourceGroups", trim(arm)),
    )
    .query("api-version", ARM_RESOURCE_GROUPS_API_VERSION)
    .header("Content-Type", "application/json")
    .header("Authorization", format!("Bearer {access_token}"))
}

/// `GET {account}/{container}?restype=container&comp=list` (Storage List Blobs).
pub fn storage_list_blobs_request(
    account_url: &str,
    container: &str,
    access_token: &str,
) -> HttpExchange {
    HttpExchange::new(
        http::Method::GET,
        format!("{}/{container}", trim(account_url)),
    )
    .query("restype", "container")
    .query("comp", "list")
    .header("x-ms-version", STORAGE_API_VERSION)
    .header("Authorization", format!("Bearer {access_token}"))
}

/// `GET {graph}/v1.0/devices` (seed 004, which uses `beta`; v1.0 has the same shape).
pub fn graph_devices_request(graph: &str, access_token: &str) -> HttpExchange {
    HttpExchange::new(http::Method::GET, format!("{}/v1.0/devices", trim(graph)))
        .header("Authorization", format!("Bearer {access_token}"))
}

/// Where the workload runs: which managed-identity endpoint it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MiHost {
    /// A VM: IMDS at [`Endpoints::imds`].
    Imds,
    /// App Service / Functions: `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
    AppService {
        identity_endpoint: String,
        identity_header: String,
    },
}

/// What the app token is finally used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetCall {
    ArmResourceGroups {
        subscription: SubscriptionId,
    },
    StorageListBlobs {
        account_url: String,
        container: String,
    },
    GraphDevices,
}

impl TargetCall {
    /// The scope of the app token this call needs: the resource's identifier in `cloud`, which
    /// stays the same when the call itself goes to a mock.
    pub fn scope(&self, cloud: Cloud) -> String {
        match self {
            TargetCall::ArmResourceGroups { .. } => format!("{}/.default", cloud.arm_endpoint()),
            TargetCall::StorageListBlobs { .. } => "https://storage.azure.com/.default".to_owned(),
            TargetCall::GraphDevices => format!("{}/.default", cloud.graph_endpoint()),
        }
    }
}

/// The whole managed-identity-as-FIC flow: MI token for the exchange audience, app token in the
/// target tenant with it as `client_assertion`, then the resource call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FicFlow {
    pub endpoints: Endpoints,
    pub cloud: Cloud,
    pub host: MiHost,
    /// The user-assigned identity, by client id (None: the host's default identity).
    pub mi_client_id: Option<ClientId>,
    pub target_tenant: TenantId,
    pub app_client_id: ClientId,
    pub target: TargetCall,
}

/// One named step, as REST Client's `# @name` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `miTokenResponse`, `entraTokenResponse`…: the variable later steps read the token from.
    pub name: String,
    /// A one-line title (`### …`).
    pub title: String,
    pub request: HttpExchange,
    /// Whether the response carries `access_token`.
    pub yields_token: bool,
}

/// Step names (seed 002's).
pub const MI_STEP: &str = "miTokenResponse";
pub const APP_STEP: &str = "entraTokenResponse";
pub const CALL_STEP: &str = "resourceResponse";

impl FicFlow {
    /// The exchange audience of the flow's cloud.
    pub fn exchange_audience(&self) -> &'static str {
        self.cloud.token_exchange_audience()
    }

    pub fn steps(&self) -> Vec<Step> {
        let selector = self.mi_client_id.map(IdentitySelector::ClientId);
        let mi = match &self.host {
            MiHost::Imds => imds_token_request(
                &self.endpoints.imds,
                self.exchange_audience(),
                selector.as_ref(),
            ),
            MiHost::AppService {
                identity_endpoint,
                identity_header,
            } => app_service_token_request(
                identity_endpoint,
                identity_header,
                self.exchange_audience(),
                selector.as_ref(),
            ),
        };
        let scope = self.target.scope(self.cloud);
        let app = token_request(
            &self.endpoints.authority,
            &self.target_tenant.to_string(),
            self.app_client_id,
            &scope,
            &ClientCredential::Assertion(token_of(MI_STEP)),
        );
        let token = token_of(APP_STEP);
        let (title, call) = match &self.target {
            TargetCall::ArmResourceGroups { subscription } => (
                "Query resource groups",
                arm_resource_groups_request(&self.endpoints.arm, *subscription, &token),
            ),
            TargetCall::StorageListBlobs {
                account_url,
                container,
            } => (
                "List blobs",
                storage_list_blobs_request(account_url, container, &token),
            ),
            TargetCall::GraphDevices => (
                "List devices",
                graph_devices_request(&self.endpoints.graph, &token),
            ),
        };
        vec![
            Step {
                name: MI_STEP.to_owned(),
                title: format!("Managed identity token for {}", self.exchange_audience()),
                request: mi,
                yields_token: true,
            },
            Step {
                name: APP_STEP.to_owned(),
                title: format!("App token in tenant {} for {scope}", self.target_tenant),
                request: app,
                yields_token: true,
            },
            Step {
                name: CALL_STEP.to_owned(),
                title: title.to_owned(),
                request: call,
                yields_token: false,
            },
        ]
    }
}

#[cfg(test)]
mod tests;
