//! The guided scenarios, one per seed article, as data: each is a list of steps, each step one
//! request built by [`crate::client`] with a short explanation of what it teaches. The
//! playground sends them one by one; [`crate::export::script`] writes them as one script that
//! runs against real Azure or, after `eval "$(mock-entra env)"`, against mock-entra. Both read
//! the same builders, so no request exists twice.
use crate::client::{self, Body, ClientCredential, HttpExchange};
use crate::directory::{Directory, ExternalIssuerKind, Tenant};
use crate::error::Aadsts;
use crate::ids::{ClientId, ClientSecret, SubscriptionId};
use crate::managed_identity::IdentitySelector;

/// Where the steps send their requests: the base URL of each service (and the App Service
/// identity header), as [`Bases::relative`] for a page served by mock-entra or as
/// [`Bases::environment`] for exported scripts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bases {
    /// IMDS (`http://169.254.169.254`).
    pub imds: String,
    /// App Service's `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
    pub identity_endpoint: String,
    pub identity_header: String,
    /// The Entra authority (`https://login.microsoftonline.com`).
    pub authority: String,
    /// Azure Resource Manager.
    pub arm: String,
    /// Microsoft Graph.
    pub graph: String,
    /// The Blob service of the scenario's storage account.
    pub storage_blob: String,
    /// GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`: where a
    /// workflow job asks for its ID token (the runner sets both).
    pub github_id_token_url: String,
    pub github_request_token: String,
    /// Where the emulated Kubernetes cluster's projected service-account token comes from: the
    /// origin of mock-entra's control API (`POST /_mock/issuers/{name}/token`), which stands for
    /// the kubelet writing the token file (see [`AKS_WORKLOAD_IDENTITY`]).
    pub kubelet: String,
}

/// The variables exported scripts read, with Azure's value when they are unset
/// (docs/sdk-setup.md lists them; `mock-entra env` prints each).
pub mod env {
    /// IMDS base, as azure-identity reads it.
    pub const IMDS: (&str, &str) = (
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "http://169.254.169.254",
    );
    /// The authority host every Azure SDK reads.
    pub const AUTHORITY: (&str, &str) =
        ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com");
    /// UNCONFIRMED: Azure has no one standard variable for the ARM, Graph and Blob endpoints;
    /// these names follow the `AZURE_*` pattern of the SDKs' own variables.
    pub const ARM: (&str, &str) = (
        "AZURE_RESOURCE_MANAGER_ENDPOINT",
        "https://management.azure.com",
    );
    pub const GRAPH: (&str, &str) = ("AZURE_GRAPH_ENDPOINT", "https://graph.microsoft.com");
    pub const STORAGE_BLOB: &str = "AZURE_STORAGE_BLOB_ENDPOINT";
    /// Set by App Service and Functions; no default exists outside them.
    pub const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
    pub const IDENTITY_HEADER: &str = "IDENTITY_HEADER";
    /// Set by the GitHub Actions runner in a job with `permissions: id-token: write`; no default
    /// exists outside it (`mock-entra env` prints the emulated issuer's).
    pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
    pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    /// Who sets a variable that has no default, for the message a script stops with.
    pub fn set_by(name: &str) -> &'static str {
        if name.starts_with("ACTIONS_") {
            "the GitHub Actions runner"
        } else {
            "App Service and Functions"
        }
    }
}

impl Bases {
    /// Relative to the origin of a page mock-entra serves (every surface on one origin): the
    /// App Service endpoint at `/msi/token`, Blob storage at `/blob/{account}`.
    pub fn relative(w: &World) -> Bases {
        Bases {
            imds: String::new(),
            identity_endpoint: MSI_ENDPOINT.to_owned(),
            identity_header: w.func_identity_header.clone(),
            authority: String::new(),
            arm: String::new(),
            graph: String::new(),
            storage_blob: format!("/blob/{}", w.contoso_storage),
            github_id_token_url: format!(
                "{}/{}/idtoken?api-version=2.0",
                crate::issuers::ISSUER_PATH_PREFIX,
                w.github_issuer
            ),
            github_request_token: w.github_request_token.clone(),
            kubelet: String::new(),
        }
    }

    /// Read from the environment with Azure's values as defaults ([`client::env_var`]).
    pub fn environment(w: &World) -> Bases {
        let with = |(name, default): (&str, &str)| client::env_var(name, Some(default));
        Bases {
            imds: with(env::IMDS),
            identity_endpoint: client::env_var(env::IDENTITY_ENDPOINT, None),
            identity_header: client::env_var(env::IDENTITY_HEADER, None),
            authority: with(env::AUTHORITY),
            arm: with(env::ARM),
            graph: with(env::GRAPH),
            storage_blob: client::env_var(
                env::STORAGE_BLOB,
                Some(&format!(
                    "https://{}.blob.core.windows.net",
                    w.contoso_storage
                )),
            ),
            github_id_token_url: client::env_var(env::ACTIONS_ID_TOKEN_REQUEST_URL, None),
            github_request_token: client::env_var(env::ACTIONS_ID_TOKEN_REQUEST_TOKEN, None),
            // UNCONFIRMED stand-in: in a pod the token is a file the kubelet writes
            // ($AZURE_FEDERATED_TOKEN_FILE) and no request exists to export; the script asks
            // mock-entra's control API on the authority's origin, so this one step is answered
            // by mock-entra only (ARCHITECTURE.md, "Guided scenarios of external issuers").
            kubelet: with(env::AUTHORITY),
        }
    }
}

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
    /// The emulated GitHub Actions issuer (its name under `/_issuers/`) and the runner's
    /// request token it accepts.
    pub github_issuer: String,
    pub github_request_token: String,
    /// The emulated AKS cluster's issuer name.
    pub aks_issuer: String,
    /// Litware's "Playground Admin" (appId, secret).
    pub litware_admin: (String, String),
    /// "Litware Own App"'s object id, and the id of its FIC trusting GitHub Actions.
    pub litware_own_app_object: String,
    pub github_fic: String,
    /// The `sub` of the scenario's GitHub job (`repo:{owner}/{repo}:environment:{name}`): what
    /// its tokens carry, whatever the FIC says at the moment.
    pub github_subject: String,
    /// Where requests go ([`Bases::relative`] from [`World::from_directory`]).
    pub bases: Bases,
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
        let github = dir
            .external_issuers
            .iter()
            .find(|i| i.kind == ExternalIssuerKind::GitHubActions);
        let own_app = dir
            .tenants
            .iter()
            .flat_map(|t| &t.applications)
            .find(|a| a.display_name == GITHUB_FIC_NAMES.0);
        let github_fic = own_app.and_then(|a| {
            a.federated_identity_credentials
                .iter()
                .find(|f| f.name == GITHUB_FIC_NAMES.1)
        });
        let mut w = World {
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
            github_issuer: github.map(|i| i.name.clone()).unwrap_or_default(),
            github_request_token: github
                .and_then(|i| i.request_token.clone())
                .unwrap_or_default(),
            aks_issuer: dir
                .external_issuers
                .iter()
                .find(|i| i.kind == ExternalIssuerKind::Kubernetes)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            litware_admin: admin_of(dir, &id("Litware")).unwrap_or_default(),
            litware_own_app_object: own_app.map(|a| a.id.to_string()).unwrap_or_default(),
            github_fic: github_fic.map(|f| f.id.to_string()).unwrap_or_default(),
            github_subject: github
                .and_then(|i| i.github.as_ref())
                .map(crate::issuers::github_subject)
                .unwrap_or_default(),
            bases: Bases::default(),
        };
        w.bases = Bases::relative(&w);
        w
    }

    /// The same world, its requests aimed at the environment's endpoints (exported scripts).
    pub fn with_environment_bases(mut self) -> World {
        self.bases = Bases::environment(&self);
        self
    }
}

/// A participant of the sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Workload,
    MiEndpoint,
    HomeEntra,
    ResourceEntra,
    Resource,
}

impl Lane {
    pub const ALL: [Lane; 5] = [
        Lane::Workload,
        Lane::MiEndpoint,
        Lane::HomeEntra,
        Lane::ResourceEntra,
        Lane::Resource,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where a step's answer is kept for the next steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The managed-identity token (the client assertion).
    Mi,
    /// The app token from the exchange.
    App,
    /// A Graph token of the tenant's "Playground Admin" (client secret).
    Admin,
    /// A GitHub Actions ID token (the client assertion), answered `{"value": jwt}`.
    GitHub,
    /// A projected Kubernetes service-account token (the client assertion), answered by the
    /// control API as `{"token": jwt}`.
    ServiceAccount,
}

impl Slot {
    /// The member of a successful answer that holds the token.
    pub fn token_field(self) -> &'static str {
        match self {
            Slot::Mi | Slot::App | Slot::Admin => "access_token",
            Slot::GitHub => "value",
            Slot::ServiceAccount => "token",
        }
    }

    /// The token in a successful answer's body.
    pub fn read_token(self, body: &str) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        v.get(self.token_field())?.as_str().map(str::to_owned)
    }

    /// Whether the slot holds a client assertion (what a FIC is compared with).
    pub fn is_assertion(self) -> bool {
        matches!(self, Slot::Mi | Slot::GitHub | Slot::ServiceAccount)
    }
}

/// Tokens obtained so far in a scenario run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tokens {
    pub mi: Option<String>,
    pub app: Option<String>,
    pub admin: Option<String>,
    /// The assertion of an issuer outside Entra (GitHub or Kubernetes).
    pub federated: Option<String>,
}

impl Tokens {
    pub fn get(&self, slot: Slot) -> &str {
        match slot {
            Slot::Mi => self.mi.as_deref(),
            Slot::App => self.app.as_deref(),
            Slot::Admin => self.admin.as_deref(),
            Slot::GitHub | Slot::ServiceAccount => self.federated.as_deref(),
        }
        .unwrap_or("")
    }
    pub fn set(&mut self, slot: Slot, token: String) {
        let t = Some(token);
        match slot {
            Slot::Mi => self.mi = t,
            Slot::App => self.app = t,
            Slot::Admin => self.admin = t,
            Slot::GitHub | Slot::ServiceAccount => self.federated = t,
        }
    }
}

/// What a step is expected to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Success,
    /// The instructive failure: Entra answers with this AADSTS code.
    Aadsts(Aadsts),
}

/// `GET` Litware's resource groups with the app token (the ARM call that ends a flow into
/// Litware).
fn litware_resource_groups(w: &World, t: &Tokens) -> HttpExchange {
    client::arm_resource_groups_request(
        &w.bases.arm,
        SubscriptionId::parse(&w.litware_subscription).unwrap_or(SubscriptionId::from_u128(0)),
        &token(t, Slot::App),
    )
}

/// One step of a guided scenario.
pub struct Step {
    /// Stable id (URL and test ids).
    pub id: &'static str,
    pub title: &'static str,
    /// What this step teaches (plain prose).
    pub explain: &'static str,
    pub from: Lane,
    pub to: Lane,
    pub expect: Expect,
    pub build: fn(&World, &Tokens) -> HttpExchange,
    /// Where the `access_token` of a successful answer goes.
    pub stores: Option<Slot>,
    /// The FIC (application display name, FIC name) the assertion is compared with, if any.
    pub fic: Option<(&'static str, &'static str)>,
}

/// A guided scenario.
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub seed: &'static str,
    pub summary: &'static str,
    /// Labels of the diagram's lanes, in [`Lane::ALL`] order.
    pub lanes: [&'static str; 5],
    pub steps: &'static [Step],
}

/// Scenarios are static and identified by id.
impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

pub const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
/// Where admin consent redirects (not followed by the playground).
pub const CONSENT_REDIRECT: &str = "https://localhost/consented";
/// mock-entra's App Service endpoint (`IDENTITY_ENDPOINT` of its compute hosts).
pub const MSI_ENDPOINT: &str = "/msi/token";

/// A client id from the live directory (the nil GUID until it has loaded).
fn client_id(s: &str) -> ClientId {
    ClientId::parse(s).unwrap_or(ClientId::from_u128(0))
}

/// Where a step's answer goes, as core's exports name the variable holding its token.
pub fn step_name(slot: Slot) -> &'static str {
    match slot {
        Slot::Mi => client::MI_STEP,
        Slot::App => client::APP_STEP,
        Slot::Admin => "adminTokenResponse",
        Slot::GitHub => "idTokenResponse",
        Slot::ServiceAccount => "serviceAccountTokenResponse",
    }
}

/// The member of a successful answer holding the token a step stores under `step`
/// ([`step_name`]): `value` for GitHub's ID token, `token` for the control API's, else
/// `access_token`.
pub fn token_field(step: &str) -> &'static str {
    [Slot::GitHub, Slot::ServiceAccount]
        .into_iter()
        .find(|s| step_name(*s) == step)
        .map_or("access_token", Slot::token_field)
}

/// The token of `slot`, or before it exists the placeholder core's exports turn into a variable.
fn token(t: &Tokens, slot: Slot) -> String {
    match t.get(slot) {
        "" => client::token_of(step_name(slot)),
        tok => tok.to_owned(),
    }
}

/// IMDS on the default VM `vm-contoso`, selecting the user-assigned identity by client id.
pub fn imds(b: &Bases, resource: &str, mi_client: Option<&str>) -> HttpExchange {
    let selector = mi_client.map(|c| IdentitySelector::ClientId(client_id(c)));
    client::imds_token_request(&b.imds, resource, selector.as_ref())
}

/// The App Service / Functions MSI endpoint of `func-contoso` (IDENTITY_ENDPOINT).
pub fn app_service_msi(b: &Bases, resource: &str, mi_client: Option<&str>) -> HttpExchange {
    let selector = mi_client.map(|c| IdentitySelector::ClientId(client_id(c)));
    client::app_service_token_request(
        &b.identity_endpoint,
        &b.identity_header,
        resource,
        selector.as_ref(),
    )
}

/// client_credentials with the managed-identity token as client assertion (the FIC exchange).
pub fn exchange(
    b: &Bases,
    tenant: &str,
    app: &str,
    scope: &str,
    assertion: String,
) -> HttpExchange {
    client::token_request(
        &b.authority,
        tenant,
        client_id(app),
        scope,
        &ClientCredential::Assertion(assertion),
    )
}

/// client_credentials with a client secret (the tenant's Playground Admin, for Graph writes).
pub fn secret_token(b: &Bases, tenant: &str, app: &str, secret: &str, scope: &str) -> HttpExchange {
    client::token_request(
        &b.authority,
        tenant,
        client_id(app),
        scope,
        &ClientCredential::Secret(ClientSecret::new(secret)),
    )
}

/// `PATCH /v1.0/applications/{id}` setting `api.requestedAccessTokenVersion`.
fn set_token_version(w: &World, t: &Tokens, version: u8) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::PATCH,
        format!(
            "{}/v1.0/applications/{}",
            w.bases.graph, w.federation_app_object
        ),
    )
    .header("Authorization", format!("Bearer {}", token(t, Slot::Admin)))
    .header("Content-Type", "application/json");
    x.body = Some(Body::Json(
        serde_json::json!({ "api": { "requestedAccessTokenVersion": version } }).to_string(),
    ));
    x
}

/// The admin's answer on the consent page: a form POST back to `/adminconsent`.
fn consent_accept(w: &World) -> HttpExchange {
    let mut x = HttpExchange::new(
        http::Method::POST,
        format!("{}/{}/adminconsent", w.bases.authority, w.fabrikam),
    )
    .header("Content-Type", "application/x-www-form-urlencoded");
    x.body = Some(Body::Form(
        [
            ("client_id", w.multi_app.as_str()),
            ("redirect_uri", CONSENT_REDIRECT),
            ("state", "playground"),
            ("decision", "accept"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect(),
    ));
    x
}

const MULTI_FIC: Option<(&str, &str)> =
    Some(("Multi-Tenant Example App", "umi-multi-tenant-example"));
const CUSTOM_FIC: Option<(&str, &str)> =
    Some(("Custom Audience Client App", "umi-custom-audience"));
/// Litware's own app and its FIC trusting the deploy-infra repository's production environment.
pub const GITHUB_FIC_NAMES: (&str, &str) = ("Litware Own App", "github-deploy-infra-production");
const GITHUB_FIC: Option<(&str, &str)> = Some(GITHUB_FIC_NAMES);
/// Contoso's multi-tenant app and its FIC trusting the AKS cluster's payments-api account.
pub const AKS_FIC_NAMES: (&str, &str) = ("Multi-Tenant Example App", "aks-contoso-payments-api");
const AKS_FIC: Option<(&str, &str)> = Some(AKS_FIC_NAMES);

/// The GitHub job's ID token for the exchange audience (`getIDToken('api://AzureADTokenExchange')`).
pub fn github_id_token(b: &Bases) -> HttpExchange {
    client::github_id_token_request(
        &b.github_id_token_url,
        &b.github_request_token,
        EXCHANGE_AUDIENCE,
    )
}

/// The projected service-account token of the AKS cluster `issuer` for the exchange audience;
/// `overrides` may name another audience, namespace or service account.
pub fn service_account_token(
    b: &Bases,
    issuer: &str,
    overrides: serde_json::Value,
) -> HttpExchange {
    let mut body = serde_json::json!({ "audience": EXCHANGE_AUDIENCE });
    if let (Some(o), Some(extra)) = (body.as_object_mut(), overrides.as_object()) {
        o.extend(extra.clone());
    }
    client::issuer_token_request(&b.kubelet, issuer, &body)
}

/// `PATCH` of the GitHub FIC's subject by Litware's Playground Admin.
fn set_github_subject(w: &World, t: &Tokens, subject: &str) -> HttpExchange {
    client::graph_fic_update_request(
        &w.bases.graph,
        crate::ids::ObjectId::parse(&w.litware_own_app_object)
            .unwrap_or(crate::ids::ObjectId::from_u128(0)),
        crate::ids::ObjectId::parse(&w.github_fic).unwrap_or(crate::ids::ObjectId::from_u128(0)),
        &token(t, Slot::Admin),
        &serde_json::json!({ "subject": subject }),
    )
}

/// The GitHub job's exchange in Litware for ARM (Litware Own App is registered in Litware).
fn github_exchange(w: &World, t: &Tokens) -> HttpExchange {
    exchange(
        &w.bases,
        &w.litware,
        &w.litware_own_app,
        ARM_SCOPE,
        token(t, Slot::GitHub),
    )
}

/// The GitHub FIC's subject with the repository owner as GitHub's web page capitalises it.
pub fn owner_capitalised(subject: &str) -> String {
    match subject.strip_prefix("repo:") {
        Some(rest) => {
            let mut c = rest.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>());
            format!("repo:{}{}", first.unwrap_or_default(), c.as_str())
        }
        None => subject.to_uppercase(),
    }
}

/// The branch subject of the same repository (`repo:{owner}/{repo}:ref:refs/heads/main`).
pub fn branch_subject(subject: &str) -> String {
    match subject.split_once(":environment:") {
        Some((repo, _)) => format!("{repo}:ref:refs/heads/main"),
        None => subject.to_owned(),
    }
}

const SINGLE_TENANT: &[Step] = &[
    Step {
        id: "mi-token",
        title: "Managed identity token from IMDS",
        explain: "The VM asks its local metadata endpoint (IMDS, 169.254.169.254) for a token of its user-assigned identity, selected by client_id. The resource is api://AzureADTokenExchange: this token is not for calling an API but for proving who the workload is. Look at its claims: iss is Contoso's v2 issuer, sub is the identity's object (principal) id, aud is the GUID the exchange audience resolves to.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| imds(&w.bases, EXCHANGE_AUDIENCE, Some(&w.umi_client)),
        stores: Some(Slot::Mi),
        fic: MULTI_FIC,
    },
    Step {
        id: "app-token",
        title: "Exchange it for an app token (Storage)",
        explain: "The workload now signs in as the app registration, with no secret: client_credentials where client_assertion is the managed-identity token. Entra finds the app's federated identity credential whose issuer, subject and audience equal the assertion's iss, sub and aud, and issues a token for Storage. The app's service principal in Contoso is what Storage authorizes.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.contoso,
                &w.multi_app,
                STORAGE_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: Some(Slot::App),
        fic: MULTI_FIC,
    },
    Step {
        id: "list-blobs",
        title: "List blobs in Contoso's storage",
        explain: "The app token goes to the resource as a Bearer token. Storage checks aud (https://storage.azure.com), the tenant, and the data role of oid: the app's service principal is a blob reader on this account.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| {
            client::storage_list_blobs_request(
                &w.bases.storage_blob,
                &w.contoso_container,
                &token(t, Slot::App),
            )
        },
        stores: None,
        fic: None,
    },
];

const CROSS_TENANT: &[Step] = &[
    Step {
        id: "mi-token",
        title: "Managed identity token from IMDS",
        explain: "Contoso's VM gets a token of its user-assigned identity for api://AzureADTokenExchange. The identity lives in Contoso and can only ever get tokens from Contoso: crossing to Litware goes through an app registration.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| imds(&w.bases, EXCHANGE_AUDIENCE, Some(&w.umi_client)),
        stores: Some(Slot::Mi),
        fic: MULTI_FIC,
    },
    Step {
        id: "own-app",
        title: "The mistake: an app registered in Litware",
        explain: "Litware created its own app and put a FIC on it trusting Contoso's identity. The FIC matches the token, yet Entra refuses: an Entra-issued token (here from Contoso) may only be used as a federated credential by apps registered in the issuing tenant. Expect AADSTS700236.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Aadsts(Aadsts::EntraTokenFromOtherTenant),
        build: |w, t| {
            exchange(
                &w.bases,
                &w.litware,
                &w.litware_own_app,
                ARM_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: None,
        fic: Some(("Litware Own App", "contoso-umi")),
    },
    Step {
        id: "app-token",
        title: "The fix: Contoso's multi-tenant app, in Litware",
        explain: "Contoso owns a multi-tenant app (signInAudience AzureADMultipleOrgs) whose FIC trusts the identity. Litware has a service principal of that app (created by admin consent or New-AzADServicePrincipal -ApplicationId), and Litware grants roles to that service principal. The FIC is checked on the app in Contoso; the token is issued by Litware for ARM.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.litware,
                &w.multi_app,
                ARM_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: Some(Slot::App),
        fic: MULTI_FIC,
    },
    Step {
        id: "resource-groups",
        title: "List Litware's resource groups (ARM)",
        explain: "A v1 ARM token of Litware (iss sts.windows.net/{litware}/, oid = the service principal in Litware). Litware gave that service principal Reader on NetworkWatcherRG only, so that is what the listing shows.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: litware_resource_groups,
        stores: None,
        fic: None,
    },
];

const CUSTOM_AUDIENCE: &[Step] = &[
    Step {
        id: "mi-token",
        title: "MI token for the custom audience api://{appId}",
        explain: "Instead of api://AzureADTokenExchange, the identity asks for a token for the federation app's Application ID URI api://{appId}. That app sets api.requestedAccessTokenVersion = 2, so the token is v2: iss is https://login.microsoftonline.com/{tid}/v2.0.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| {
            imds(
                &w.bases,
                &format!("api://{}", w.federation_app),
                Some(&w.umi_client),
            )
        },
        stores: Some(Slot::Mi),
        fic: CUSTOM_FIC,
    },
    Step {
        id: "app-token",
        title: "Exchange with the client app's FIC",
        explain: "The client app's FIC lists the custom audience api://{appId}. Issuer, subject and audience match, so Entra issues the client app a Graph token.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.contoso,
                &w.custom_client_app,
                GRAPH_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: Some(Slot::App),
        fic: CUSTOM_FIC,
    },
    Step {
        id: "admin-token",
        title: "Admin: a Graph token to change the app",
        explain: "To show what the token version does we edit the federation app through Microsoft Graph, as an administrator would. The playground uses Contoso's 'Playground Admin' app (client secret, Application.ReadWrite.All).",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: |w, _| {
            secret_token(
                &w.bases,
                &w.contoso,
                &w.contoso_admin.0,
                &w.contoso_admin.1,
                GRAPH_SCOPE,
            )
        },
        stores: Some(Slot::Admin),
        fic: None,
    },
    Step {
        id: "set-v1",
        title: "Admin: requestedAccessTokenVersion = 1",
        explain: "PATCH the federation app so that Entra issues it v1 tokens (null means the same). Nothing fails yet: the change shows in the next token.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| set_token_version(w, t, 1),
        stores: None,
        fic: None,
    },
    Step {
        id: "mi-token-v1",
        title: "MI token again: now v1",
        explain: "Same request, different token: ver is 1.0 and iss is https://sts.windows.net/{tid}/. The resource decides the token format, not the client.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| {
            imds(
                &w.bases,
                &format!("api://{}", w.federation_app),
                Some(&w.umi_client),
            )
        },
        stores: Some(Slot::Mi),
        fic: CUSTOM_FIC,
    },
    Step {
        id: "exchange-v1",
        title: "Exchange fails: issuer mismatch",
        explain: "The FIC's issuer is the v2 issuer; the v1 token's iss is sts.windows.net. The comparison is an exact string match, so Entra answers AADSTS700211. Fix: set requestedAccessTokenVersion back to 2 (next step), or use api://AzureADTokenExchange, which always issues v2.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Aadsts(Aadsts::FicIssuerMismatch),
        build: |w, t| {
            exchange(
                &w.bases,
                &w.contoso,
                &w.custom_client_app,
                GRAPH_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: None,
        fic: CUSTOM_FIC,
    },
    Step {
        id: "set-v2",
        title: "Admin: back to version 2",
        explain: "Restore requestedAccessTokenVersion = 2. New MI tokens for api://{appId} are v2 again and the exchange succeeds.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| set_token_version(w, t, 2),
        stores: None,
        fic: None,
    },
];

const FUNCTIONS_GRAPH: &[Step] = &[
    Step {
        id: "mi-token",
        title: "MI token from the App Service endpoint",
        explain: "In App Service and Functions the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER. The function calls IDENTITY_ENDPOINT with api-version=2019-08-01 and the header X-IDENTITY-HEADER; client_id selects the user-assigned identity (without it you get the site's system-assigned identity, which no FIC trusts).",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| app_service_msi(&w.bases, EXCHANGE_AUDIENCE, Some(&w.umi_client)),
        stores: Some(Slot::Mi),
        fic: MULTI_FIC,
    },
    Step {
        id: "app-token",
        title: "Graph token in Litware",
        explain: "The same exchange as Connect-AzAccount -FederatedToken: client_credentials in Litware for https://graph.microsoft.com/.default. Litware's service principal of the app holds Device.Read.All, which appears in the roles claim.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.litware,
                &w.multi_app,
                GRAPH_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: Some(Slot::App),
        fic: MULTI_FIC,
    },
    Step {
        id: "devices",
        title: "List Litware's devices (Graph)",
        explain: "Graph checks the roles claim for Device.Read.All and answers with Litware's devices.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| client::graph_devices_request(&w.bases.graph, &token(t, Slot::App)),
        stores: None,
        fic: None,
    },
    Step {
        id: "fabrikam",
        title: "Fabrikam: no service principal yet",
        explain: "Fabrikam never consented to the app, so the app does not exist there: Entra answers AADSTS700016 ('not found in the directory'). The FIC is fine; the tenant simply has no service principal for the app.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Aadsts(Aadsts::AppNotFound),
        build: |w, t| {
            exchange(
                &w.bases,
                &w.fabrikam,
                &w.multi_app,
                GRAPH_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: None,
        fic: MULTI_FIC,
    },
    Step {
        id: "admin-consent",
        title: "Fabrikam's admin opens the consent URL",
        explain: "An administrator of Fabrikam opens https://login.microsoftonline.com/{tenant}/adminconsent?client_id=…&redirect_uri=… in a browser. Entra shows the app and the permissions it asks for, with Accept and Cancel.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Success,
        build: |w, _| {
            client::admin_consent_request(
                &w.bases.authority,
                &w.fabrikam,
                client_id(&w.multi_app),
                Some(CONSENT_REDIRECT),
                Some("playground"),
            )
        },
        stores: None,
        fic: None,
    },
    Step {
        id: "admin-consent-accept",
        title: "The admin accepts",
        explain: "Accepting creates the app's service principal in Fabrikam (and grants the application permissions it asks for). Entra redirects to redirect_uri with admin_consent=True and the tenant id; the playground does not follow that redirect.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Success,
        build: |w, _| consent_accept(w),
        stores: None,
        fic: None,
    },
    Step {
        id: "fabrikam-retry",
        title: "Fabrikam: the exchange now works",
        explain: "Same request as before; now the app has a service principal in Fabrikam, so Entra issues a token.",
        from: Lane::Workload,
        to: Lane::ResourceEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.fabrikam,
                &w.multi_app,
                GRAPH_SCOPE,
                token(t, Slot::Mi),
            )
        },
        stores: Some(Slot::App),
        fic: MULTI_FIC,
    },
];

const GITHUB_ACTIONS: &[Step] = &[
    Step {
        id: "id-token",
        title: "The job asks GitHub for an ID token",
        explain: "A workflow job with permissions: id-token: write gets two variables from the runner: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN. azure/login (through @actions/core getIDToken) calls the URL with &audience=api://AzureADTokenExchange and the request token as bearer; GitHub answers {\"value\": jwt}. Look at the token: iss is https://token.actions.githubusercontent.com, and because the job declares environment: production, sub is repo:litware/deploy-infra:environment:production, not the branch.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| github_id_token(&w.bases),
        stores: Some(Slot::GitHub),
        fic: GITHUB_FIC,
    },
    Step {
        id: "app-token",
        title: "Exchange it in Litware for ARM",
        explain: "The ID token is the client_assertion of a client_credentials request for Litware Own App, an app registered in Litware. Its FIC names GitHub's issuer, the environment subject and api://AzureADTokenExchange; Entra fetches GitHub's signing keys, checks the signature and issues an ARM token. Secret-less: nothing is stored in the repository but the app's client id and the tenant id.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: github_exchange,
        stores: Some(Slot::App),
        fic: GITHUB_FIC,
    },
    Step {
        id: "resource-groups",
        title: "Deploy: list Litware's resource groups (ARM)",
        explain: "The workflow now acts as Litware Own App's service principal, which Litware made Contributor of rg-litware-apps: that is the group the listing shows.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: litware_resource_groups,
        stores: None,
        fic: None,
    },
    Step {
        id: "admin-token",
        title: "Admin: a Graph token to change the FIC",
        explain: "To show the two classic mistakes we edit the FIC through Microsoft Graph, as Litware's administrator would. The playground uses Litware's 'Playground Admin' app (client secret, Application.ReadWrite.All).",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: |w, _| {
            secret_token(
                &w.bases,
                &w.litware,
                &w.litware_admin.0,
                &w.litware_admin.1,
                GRAPH_SCOPE,
            )
        },
        stores: Some(Slot::Admin),
        fic: None,
    },
    Step {
        id: "fic-branch",
        title: "Admin: the FIC trusts the main branch",
        explain: "PATCH the FIC's subject to repo:litware/deploy-infra:ref:refs/heads/main, what the Azure portal's 'Branch' entity type writes. The workflow runs on main, so this looks right.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| set_github_subject(w, t, &branch_subject(&w.github_subject)),
        stores: None,
        fic: None,
    },
    Step {
        id: "exchange-branch",
        title: "Exchange fails: branch subject, environment token",
        explain: "Same ID token, same request. But a job that declares an environment gets the environment subject: GitHub puts :environment:production in sub instead of :ref:refs/heads/main. The FIC's subject is compared as an exact string, so Entra answers AADSTS700213 and names the subject the token presented. Fix: a FIC whose subject is the environment one (or a flexible FIC whose expression covers both).",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Aadsts(Aadsts::FicSubjectMismatch),
        build: github_exchange,
        stores: None,
        fic: GITHUB_FIC,
    },
    Step {
        id: "fic-case",
        title: "Admin: the subject with the owner capitalised",
        explain: "PATCH the subject to repo:Litware/deploy-infra:environment:production: the environment is right now, but the owner is written as the organisation's display name shows it.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| set_github_subject(w, t, &owner_capitalised(&w.github_subject)),
        stores: None,
        fic: None,
    },
    Step {
        id: "exchange-case",
        title: "Exchange fails: the subject differs only in case",
        explain: "GitHub writes the repository as it is named (litware/deploy-infra) and Entra compares subjects case-sensitively: AADSTS700213 again, although the two strings look alike (Azure/login #515). Copy the subject from the token's sub, character for character.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Aadsts(Aadsts::FicSubjectMismatch),
        build: github_exchange,
        stores: None,
        fic: GITHUB_FIC,
    },
    Step {
        id: "fic-restore",
        title: "Admin: the environment subject, exactly",
        explain: "PATCH the subject back to repo:litware/deploy-infra:environment:production. The next exchange succeeds (GitHub's ID token lives 5 minutes: ask for a new one in step 1 if it has expired).",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| set_github_subject(w, t, &w.github_subject),
        stores: None,
        fic: None,
    },
];

const AKS_WORKLOAD_IDENTITY: &[Step] = &[
    Step {
        id: "sa-token-default",
        title: "The kubelet projects a service-account token",
        explain: "A pod labelled azure.workload.identity/use: \"true\" gets from the workload-identity webhook AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST and AZURE_FEDERATED_TOKEN_FILE, a file the kubelet keeps filled with a token of the pod's service account for audience api://AzureADTokenExchange. Here mock-entra's control API stands for the kubelet (a pod only reads the file). This pod was deployed to namespace default without serviceAccountName: iss is the cluster's OIDC issuer (https://{region}.oic.prod-aks.azure.com/{tenant}/{cluster}/, with its trailing slash), sub is system:serviceaccount:default:default.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| {
            service_account_token(
                &w.bases,
                &w.aks_issuer,
                serde_json::json!({ "namespace": "default", "serviceAccount": "default" }),
            )
        },
        stores: Some(Slot::ServiceAccount),
        fic: AKS_FIC,
    },
    Step {
        id: "exchange-default",
        title: "Exchange fails: wrong namespace or service account",
        explain: "The pod's SDK (WorkloadIdentityCredential) reads the file and posts the token as client_assertion for the app in AZURE_CLIENT_ID. The Multi-Tenant Example App's FIC trusts the cluster's issuer and api://AzureADTokenExchange, but exactly one subject: system:serviceaccount:payments:payments-api. Issuer and audience match, the subject does not, so Entra answers AADSTS700213 naming the subject the token presented.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Aadsts(Aadsts::FicSubjectMismatch),
        build: |w, t| {
            exchange(
                &w.bases,
                &w.contoso,
                &w.multi_app,
                STORAGE_SCOPE,
                token(t, Slot::ServiceAccount),
            )
        },
        stores: None,
        fic: AKS_FIC,
    },
    Step {
        id: "sa-token",
        title: "The fix: the pod runs as payments-api",
        explain: "Deployed to namespace payments with serviceAccountName: payments-api (the service account annotated with azure.workload.identity/client-id), the pod gets a token whose sub is system:serviceaccount:payments:payments-api, the FIC's subject. Nothing else changes: same cluster, same issuer, same audience.",
        from: Lane::Workload,
        to: Lane::MiEndpoint,
        expect: Expect::Success,
        build: |w, _| service_account_token(&w.bases, &w.aks_issuer, serde_json::json!({})),
        stores: Some(Slot::ServiceAccount),
        fic: AKS_FIC,
    },
    Step {
        id: "app-token",
        title: "Exchange it in Contoso for Storage",
        explain: "Issuer, subject and audience now match the FIC. Entra checks the token's signature with the cluster's keys (published by its OIDC discovery, at the issuer's openid/v1/jwks) and issues the app a Storage token in Contoso.",
        from: Lane::Workload,
        to: Lane::HomeEntra,
        expect: Expect::Success,
        build: |w, t| {
            exchange(
                &w.bases,
                &w.contoso,
                &w.multi_app,
                STORAGE_SCOPE,
                token(t, Slot::ServiceAccount),
            )
        },
        stores: Some(Slot::App),
        fic: AKS_FIC,
    },
    Step {
        id: "list-blobs",
        title: "List blobs in Contoso's storage",
        explain: "The app token goes to Blob storage as a Bearer token; the app's service principal is a blob reader on the account.",
        from: Lane::Workload,
        to: Lane::Resource,
        expect: Expect::Success,
        build: |w, t| {
            client::storage_list_blobs_request(
                &w.bases.storage_blob,
                &w.contoso_container,
                &token(t, Slot::App),
            )
        },
        stores: None,
        fic: None,
    },
];

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "single-tenant",
        title: "Single tenant: MI → app → Storage",
        seed: "seed 003",
        summary: "An app registration trusts a user-assigned managed identity through a federated identity credential (Microsoft Learn). The workload gets a managed-identity token, exchanges it for the app's token and reads Storage: no secret anywhere.",
        lanes: ["VM workload", "IMDS", "Entra Contoso", "", "Storage"],
        steps: SINGLE_TENANT,
    },
    Scenario {
        id: "cross-tenant",
        title: "Cross-tenant: Contoso → Litware",
        seed: "seed 002",
        summary: "Contoso's identity works in Litware's Azure. First the instructive mistake (an app created in Litware, AADSTS700236), then the working design: Contoso's multi-tenant app with a service principal in Litware, and an ARM call.",
        lanes: [
            "VM workload",
            "IMDS",
            "Entra Contoso",
            "Entra Litware",
            "ARM",
        ],
        steps: CROSS_TENANT,
    },
    Scenario {
        id: "custom-audience",
        title: "Custom audience api://{appId}",
        seed: "seeds 000/001",
        summary: "The identity's token is requested for a custom Application ID URI; a FIC with that audience accepts it, provided the token is v2. Then flip requestedAccessTokenVersion to 1 and watch the issuer change and the exchange fail with AADSTS700211.",
        lanes: ["VM workload", "IMDS", "Entra Contoso", "", "Graph"],
        steps: CUSTOM_AUDIENCE,
    },
    Scenario {
        id: "functions-graph",
        title: "Functions → Graph in another tenant",
        seed: "seed 004",
        summary: "An Azure Function uses IDENTITY_ENDPOINT/IDENTITY_HEADER to get its identity's token, exchanges it in Litware for Graph and lists devices. Fabrikam fails with AADSTS700016 until its admin consents.",
        lanes: [
            "Function app",
            "MSI endpoint",
            "Entra Contoso",
            "Litware/Fabrikam",
            "Graph",
        ],
        steps: FUNCTIONS_GRAPH,
    },
    Scenario {
        id: "github-actions",
        title: "GitHub Actions → Litware",
        seed: "issue 14",
        summary: "A GitHub workflow deploys into Litware with no secret: it asks GitHub's OIDC provider for an ID token, exchanges it at Litware's token endpoint and calls ARM. Then the two classic mistakes: a FIC trusting the branch while the job runs in an environment, and a subject that differs only in case (both AADSTS700213).",
        lanes: [
            "Workflow job",
            "GitHub OIDC",
            "Entra Litware",
            "",
            "ARM / Graph",
        ],
        steps: GITHUB_ACTIONS,
    },
    Scenario {
        id: "aks-workload-identity",
        title: "AKS workload identity",
        seed: "issue 14",
        summary: "A pod in Contoso's AKS cluster reads the service-account token the kubelet projects and exchanges it in Contoso for the app's token. First the classic mistake: the pod runs as another namespace's service account, so the subject does not match (AADSTS700213); then the pod runs as the service account the FIC names, and reads Storage.",
        lanes: ["Pod", "kubelet", "Entra Contoso", "", "Storage"],
        steps: AKS_WORKLOAD_IDENTITY,
    },
];

pub fn by_id(id: &str) -> &'static Scenario {
    SCENARIOS
        .iter()
        .find(|s| s.id == id)
        .unwrap_or(&SCENARIOS[1])
}

#[cfg(test)]
mod tests;
