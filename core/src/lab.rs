//! The misconfiguration lab as data: one toggle per classic mistake. Each mistake edits a copy
//! of the directory and/or the requests of the cross-tenant flow, so that running the flow
//! reproduces Entra's exact error. The playground sends the flow (after `PUT /_mock/scenario`
//! with the edited directory); [`crate::export`] writes the same run as one script, the directory
//! edits as Graph calls. Both read the requests from here, built by [`crate::scenario`]'s builders.
use crate::client::HttpExchange;
use crate::directory::{ClaimsMatchingExpression, Directory, FederatedIdentityCredential};
use crate::error::Aadsts;
use crate::scenario::{
    AKS_FIC_NAMES, ARM_SCOPE, EXCHANGE_AUDIENCE, GITHUB_FIC_NAMES, Slot, World, app_service_msi,
    branch_subject, exchange, github_id_token, imds, owner_capitalised, service_account_token,
};
use crate::time::UnixTime;

/// Where the lab's client assertion comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AssertionSource {
    /// Contoso's user-assigned identity from IMDS (or func-contoso's MSI endpoint).
    ManagedIdentity,
    /// The GitHub Actions job of Litware's deploy-infra repository (exchanged in Litware by
    /// Litware Own App).
    GitHub,
    /// Contoso's AKS cluster, a projected token for `audience` (exchanged in Contoso by the
    /// multi-tenant app).
    Kubernetes { audience: String },
}

/// The requests of the lab's flow, before mistakes: by default Contoso's identity → Litware
/// ARM token; a GitHub or Kubernetes mistake switches the assertion's source.
#[derive(Debug, Clone, PartialEq)]
pub struct LabFlow {
    pub source: AssertionSource,
    pub imds_resource: String,
    /// Use func-contoso's MSI endpoint without client_id (its system-assigned identity).
    pub system_assigned: bool,
    pub tenant: String,
    pub client_id: String,
    pub scope: String,
    /// Seconds the mock's clock moves between getting the assertion and using it.
    pub clock_offset: i64,
}

impl LabFlow {
    pub fn new(w: &World) -> Self {
        LabFlow {
            source: AssertionSource::ManagedIdentity,
            imds_resource: EXCHANGE_AUDIENCE.into(),
            system_assigned: false,
            tenant: w.litware.clone(),
            client_id: w.multi_app.clone(),
            scope: ARM_SCOPE.into(),
            clock_offset: 0,
        }
    }
    /// A flow whose assertion is the GitHub job's ID token, exchanged in Litware by Litware
    /// Own App (the app its FIC is on).
    pub fn github(&mut self, w: &World) {
        self.source = AssertionSource::GitHub;
        self.tenant = w.litware.clone();
        self.client_id = w.litware_own_app.clone();
    }
    /// A flow whose assertion is the AKS pod's projected token, exchanged in Contoso by the
    /// multi-tenant app (its FIC trusts the cluster).
    pub fn kubernetes(&mut self, w: &World, audience: &str) {
        self.source = AssertionSource::Kubernetes {
            audience: audience.to_owned(),
        };
        self.tenant = w.contoso.clone();
        self.client_id = w.multi_app.clone();
    }
    /// The request for the client assertion (managed-identity token, GitHub ID token or
    /// projected service-account token), to `w`'s bases.
    pub fn assertion_request(&self, w: &World) -> HttpExchange {
        match &self.source {
            AssertionSource::ManagedIdentity if self.system_assigned => {
                app_service_msi(&w.bases, &self.imds_resource, None)
            }
            AssertionSource::ManagedIdentity => {
                imds(&w.bases, &self.imds_resource, Some(&w.umi_client))
            }
            AssertionSource::GitHub => github_id_token(&w.bases),
            AssertionSource::Kubernetes { audience } => service_account_token(
                &w.bases,
                &w.aks_issuer,
                serde_json::json!({ "audience": audience }),
            ),
        }
    }
    /// Where the assertion's answer is kept (and which member holds it).
    pub fn assertion_slot(&self) -> Slot {
        match self.source {
            AssertionSource::ManagedIdentity => Slot::Mi,
            AssertionSource::GitHub => Slot::GitHub,
            AssertionSource::Kubernetes { .. } => Slot::ServiceAccount,
        }
    }
    /// What the assertion is called on screen and in scripts.
    pub fn assertion_title(&self) -> &'static str {
        match self.source {
            AssertionSource::ManagedIdentity => "Managed identity token (the client assertion)",
            AssertionSource::GitHub => "GitHub Actions ID token (the client assertion)",
            AssertionSource::Kubernetes { .. } => {
                "Projected service-account token (the client assertion)"
            }
        }
    }
    /// The FIC (application display name, FIC name) the assertion meets.
    pub fn fic(&self) -> (&'static str, &'static str) {
        match self.source {
            AssertionSource::ManagedIdentity => {
                ("Multi-Tenant Example App", "umi-multi-tenant-example")
            }
            AssertionSource::GitHub => GITHUB_FIC_NAMES,
            AssertionSource::Kubernetes { .. } => AKS_FIC_NAMES,
        }
    }
    /// The FIC exchange presenting `assertion`, to `w`'s bases.
    pub fn exchange_request(&self, w: &World, assertion: &str) -> HttpExchange {
        exchange(
            &w.bases,
            &self.tenant,
            &self.client_id,
            &self.scope,
            assertion.to_owned(),
        )
    }
}

/// One reproducible mistake.
pub struct Mistake {
    pub id: &'static str,
    pub title: &'static str,
    /// The AADSTS code Entra answers with.
    pub code: Aadsts,
    pub explain: &'static str,
    pub fix: &'static str,
    /// Edits the directory; the time is now (by the caller's clock: core reads none).
    pub edit_directory: Option<fn(&mut Directory, &World, UnixTime)>,
    pub edit_flow: Option<fn(&mut LabFlow, &World)>,
}

fn multi_fic<'a>(d: &'a mut Directory, w: &World) -> Option<&'a mut FederatedIdentityCredential> {
    d.tenants
        .iter_mut()
        .flat_map(|t| t.applications.iter_mut())
        .find(|a| a.app_id.to_string() == w.multi_app)?
        .federated_identity_credentials
        .first_mut()
}

/// The FIC named `(app, fic)` (application display name, FIC name).
fn named_fic<'a>(
    d: &'a mut Directory,
    (app, fic): (&str, &str),
) -> Option<&'a mut FederatedIdentityCredential> {
    d.tenants
        .iter_mut()
        .flat_map(|t| t.applications.iter_mut())
        .find(|a| a.display_name == app)?
        .federated_identity_credentials
        .iter_mut()
        .find(|f| f.name == fic)
}

pub const MISTAKES: &[Mistake] = &[
    Mistake {
        id: "issuer-trailing-slash",
        title: "Issuer with a trailing slash",
        code: Aadsts::FicIssuerMismatch,
        explain: "The FIC issuer ends in '/v2.0/' while the token says '/v2.0'. Issuers are compared as exact strings.",
        fix: "Use the issuer exactly as the token's iss: https://login.microsoftonline.com/{tenant}/v2.0",
        edit_directory: Some(|d, w, _| {
            if let Some(f) = multi_fic(d, w) {
                f.issuer.push('/');
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "subject-case",
        title: "Subject in upper case",
        code: Aadsts::FicSubjectMismatch,
        explain: "The FIC subject is the right object id, but in upper case. The subject comparison is case-sensitive.",
        fix: "Copy the principal id exactly (lower case, as the token's sub).",
        edit_directory: Some(|d, w, _| {
            if let Some(f) = multi_fic(d, w) {
                f.subject = f.subject.to_uppercase();
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "mi-token-for-arm",
        title: "MI token for ARM instead of the exchange",
        code: Aadsts::MiTokenAudienceMismatch,
        explain: "The workload asked IMDS for a token for the resource it finally wants (https://management.azure.com/) and presented it as the assertion. Its aud is ARM, which no FIC lists, so Entra names the audience (AADSTS7002121) before even comparing the issuer (this v1 token's issuer is sts.windows.net).",
        fix: "Request the managed-identity token with resource=api://AzureADTokenExchange (the FIC's audience); ask for ARM only in the exchange's scope.",
        edit_directory: None,
        edit_flow: Some(|f, _| f.imds_resource = "https://management.azure.com/".into()),
    },
    Mistake {
        id: "v1-issuer",
        title: "FIC with the v1 issuer",
        code: Aadsts::FicIssuerMismatch,
        explain: "The FIC issuer is https://sts.windows.net/{tenant}/ (the v1 issuer). Managed-identity tokens for api://AzureADTokenExchange are v2 and carry the login.microsoftonline.com/{tenant}/v2.0 issuer.",
        fix: "Set the FIC issuer to https://login.microsoftonline.com/{tenant}/v2.0.",
        edit_directory: Some(|d, w, _| {
            let tenant = w.contoso.clone();
            if let Some(f) = multi_fic(d, w) {
                f.issuer = format!("https://sts.windows.net/{tenant}/");
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "system-assigned",
        title: "System-assigned identity",
        code: Aadsts::FicSubjectMismatch,
        explain: "The function app called IDENTITY_ENDPOINT without client_id and got its system-assigned identity, whose object id is not the FIC subject (and FICs trust user-assigned identities only).",
        fix: "Pass client_id (or mi_res_id) of the user-assigned identity the FIC trusts.",
        edit_directory: None,
        edit_flow: Some(|f, _| f.system_assigned = true),
    },
    Mistake {
        id: "no-service-principal",
        title: "No service principal in Litware",
        code: Aadsts::AppNotFound,
        explain: "Litware has no service principal for Contoso's multi-tenant app: for Litware the app does not exist.",
        fix: "Create it: admin consent, New-AzADServicePrincipal -ApplicationId, or POST /v1.0/servicePrincipals {\"appId\":…} in Litware.",
        edit_directory: Some(|d, w, _| {
            let litware = w.litware.clone();
            let app = w.multi_app.clone();
            for t in d.tenants.iter_mut().filter(|t| t.id.to_string() == litware) {
                t.service_principals
                    .retain(|sp| sp.app_id.to_string() != app);
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "home-without-service-principal",
        title: "App without a service principal in its home tenant",
        code: Aadsts::MissingServicePrincipal,
        explain: "The exchange asks Contoso, the app's home tenant, for a token, but the app registration has no service principal there: Graph's POST /applications, az ad app create and New-AzADApplication create none. Entra refuses the client before it reads the assertion.",
        fix: "Create the service principal in the home tenant: az ad sp create --id {app id}, New-AzADServicePrincipal -ApplicationId {app id}, or POST /v1.0/servicePrincipals {\"appId\":…}.",
        edit_directory: Some(|d, w, _| {
            let contoso = w.contoso.clone();
            let app = w.multi_app.clone();
            for t in d.tenants.iter_mut().filter(|t| t.id.to_string() == contoso) {
                t.service_principals
                    .retain(|sp| sp.app_id.to_string() != app);
            }
        }),
        edit_flow: Some(|f, w| f.tenant = w.contoso.clone()),
    },
    Mistake {
        id: "fic-not-propagated",
        title: "FIC used the moment it was created",
        code: Aadsts::NoMatchingFic,
        explain: "The scenario declares a 120-second FIC propagation delay and the FIC was just created. Until it has propagated, Entra answers the transient AADSTS70021, although issuer, subject and audience are right.",
        fix: "Retry the exchange after a short wait: code that creates a FIC and uses it at once should retry AADSTS70021 with a back-off (Entra documents a propagation delay).",
        edit_directory: Some(|d, w, now| {
            d.fic_propagation_seconds = 120;
            if let Some(f) = multi_fic(d, w) {
                f.created_at = Some(now);
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "app-wrong-tenant",
        title: "App registered in the resource tenant",
        code: Aadsts::EntraTokenFromOtherTenant,
        explain: "The exchange uses 'Litware Own App', registered in Litware with a FIC trusting Contoso's identity. Entra-issued assertions are only accepted by apps registered in the issuing tenant.",
        fix: "Register a multi-tenant app in Contoso with the FIC, and give it a service principal in Litware.",
        edit_directory: None,
        edit_flow: Some(|f, w| f.client_id = w.litware_own_app.clone()),
    },
    Mistake {
        id: "expired-assertion",
        title: "Expired assertion",
        code: Aadsts::AssertionTimeRange,
        explain: "The managed-identity token is used after it expired (the mock's clock moves 25 hours forward between the two calls).",
        fix: "Request a fresh managed-identity token right before each exchange (SDKs cache and refresh it for you).",
        edit_directory: None,
        edit_flow: Some(|f, _| f.clock_offset = 25 * 3600),
    },
    Mistake {
        id: "wrong-cloud",
        title: "Audience of another cloud",
        code: Aadsts::FicAudienceMismatch,
        explain: "The FIC lists api://AzureADTokenExchangeUSGov, the US Government audience, while the identity lives in the public cloud and gets tokens for api://AzureADTokenExchange. Cross-cloud federation is not supported.",
        fix: "Use the audience of the identity's cloud: api://AzureADTokenExchange for the public cloud.",
        edit_directory: Some(|d, w, _| {
            if let Some(f) = multi_fic(d, w) {
                f.audiences = vec!["api://AzureADTokenExchangeUSGov".into()];
            }
        }),
        edit_flow: None,
    },
    Mistake {
        id: "missing-default",
        title: "Scope without /.default",
        code: Aadsts::ScopeWithoutDefault,
        explain: "client_credentials asks for all of the app's application permissions on one resource, written {resource}/.default. A bare resource URI is refused.",
        fix: "Use scope=https://management.azure.com/.default.",
        edit_directory: None,
        edit_flow: Some(|f, _| f.scope = "https://management.azure.com".into()),
    },
    Mistake {
        id: "github-subject-case",
        title: "GitHub: subject differs only in case",
        code: Aadsts::FicSubjectMismatch,
        explain: "The GitHub FIC's subject says repo:Litware/deploy-infra:environment:production; GitHub's token says repo:litware/deploy-infra:…, the repository as it is named. Subjects are compared case-sensitively (Azure/login #515).",
        fix: "Copy the subject from the ID token's sub claim, character for character.",
        edit_directory: Some(|d, _, _| {
            if let Some(f) = named_fic(d, GITHUB_FIC_NAMES) {
                f.subject = owner_capitalised(&f.subject);
            }
        }),
        edit_flow: Some(|f, w| f.github(w)),
    },
    Mistake {
        id: "github-branch-subject",
        title: "GitHub: branch subject, but the job has an environment",
        code: Aadsts::FicSubjectMismatch,
        explain: "The FIC trusts repo:litware/deploy-infra:ref:refs/heads/main, but the deploy job declares environment: production, and then GitHub's sub is repo:litware/deploy-infra:environment:production whatever the branch.",
        fix: "Use the environment subject (entity type 'Environment' in the portal), or drop environment: from the job, or a flexible FIC covering both.",
        edit_directory: Some(|d, _, _| {
            if let Some(f) = named_fic(d, GITHUB_FIC_NAMES) {
                f.subject = branch_subject(&f.subject);
            }
        }),
        edit_flow: Some(|f, w| f.github(w)),
    },
    Mistake {
        id: "github-flexible-mismatch",
        title: "GitHub: flexible FIC whose expression does not match",
        code: Aadsts::FicExpressionMismatch,
        explain: "The FIC is flexible: its claimsMatchingExpression claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*' admits every branch, but the job runs in the production environment, so its sub names the environment and the expression does not match.",
        fix: "Write the expression over the subject the token carries, e.g. claims['sub'] matches 'repo:litware/deploy-infra:environment:*'.",
        edit_directory: Some(|d, _, _| {
            if let Some(f) = named_fic(d, GITHUB_FIC_NAMES)
                && let Some((repo, _)) = f.subject.split_once(":environment:")
            {
                let value = format!("claims['sub'] matches '{repo}:ref:refs/heads/*'");
                f.subject = String::new();
                f.claims_matching_expression = Some(ClaimsMatchingExpression {
                    value,
                    language_version: 1,
                });
            }
        }),
        edit_flow: Some(|f, w| f.github(w)),
    },
    Mistake {
        id: "aks-issuer-without-slash",
        title: "AKS: issuer without its trailing slash",
        code: Aadsts::FicIssuerMismatch,
        explain: "AKS's OIDC issuer URL ends in '/' (…/{tenant}/{cluster-id}/) and the service-account token's iss carries it; the FIC was written without it. Issuers are compared as exact strings.",
        fix: "Copy the issuer from az aks show --query oidcIssuerProfile.issuerUrl, trailing slash included.",
        edit_directory: Some(|d, _, _| {
            if let Some(f) = named_fic(d, AKS_FIC_NAMES) {
                f.issuer = f.issuer.trim_end_matches('/').to_owned();
            }
        }),
        edit_flow: Some(|f, w| f.kubernetes(w, EXCHANGE_AUDIENCE)),
    },
    Mistake {
        id: "aks-wrong-audience",
        title: "AKS: the default service-account token",
        code: Aadsts::FicAudienceMismatch,
        explain: "The pod sent its default service-account token (audience: the Kubernetes API server) instead of the token projected for api://AzureADTokenExchange. Issuer and subject are right; the audience is not.",
        fix: "Read the token from AZURE_FEDERATED_TOKEN_FILE (the webhook's projected volume, audience api://AzureADTokenExchange), not /var/run/secrets/kubernetes.io/serviceaccount/token.",
        edit_directory: None,
        edit_flow: Some(|f, w| f.kubernetes(w, KUBERNETES_API_AUDIENCE)),
    },
];

/// The audience the pods' default service-account token carries instead of the exchange's.
/// UNCONFIRMED: AKS's API server audiences vary by cluster (its FQDN among them); the in-cluster
/// service name stands for them here.
pub const KUBERNETES_API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";

pub fn by_id(id: &str) -> Option<&'static Mistake> {
    MISTAKES.iter().find(|m| m.id == id)
}
