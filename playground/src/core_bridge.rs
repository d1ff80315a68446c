//! Where the playground meets entra-core: the FIC rules, the FIC doctor and code export run in
//! the browser as core's own functions; this module only shapes their answers for the views
//! (which input box a rule belongs to, one row per compared claim, one tab per language).
use entra_core::client::HttpExchange;
use entra_core::cloud::Cloud;
use entra_core::directory::FederatedIdentityCredential;
use entra_core::doctor::{self, Cause, Diagnosis, DoctorContext, Finding, FindingField};
use entra_core::error::Aadsts;
use entra_core::export;
use entra_core::fic::{self, FicDraft, Field};
use entra_core::ids::{ObjectId, TenantId};
use entra_core::jose::Jwt;
use entra_core::time::UnixTime;

// ---------------------------------------------------------------------------------------------
// FIC create rules
// ---------------------------------------------------------------------------------------------

/// Core's FIC rules for a draft, each with the input box it belongs to and the rule in plain
/// English. `edited` is the id of the FIC being edited (None when creating): it is left out of
/// the siblings it must not collide with. Rules about the whole collection (at most 20) show at
/// the name.
pub fn fic_problems(
    draft: &FicDraft,
    edited: Option<ObjectId>,
    existing: &[FederatedIdentityCredential],
) -> Vec<(Field, String)> {
    let siblings: Vec<FederatedIdentityCredential> = existing
        .iter()
        .filter(|f| Some(f.id) != edited)
        .cloned()
        .collect();
    fic::field_problems(draft, &siblings)
        .into_iter()
        .map(|(field, e)| {
            let field = match field {
                Field::Collection | Field::Body => Field::Name,
                f => f,
            };
            (field, e.rule())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Token versus FIC ("doctor")
// ---------------------------------------------------------------------------------------------

/// One row of the doctor: a token claim next to what Entra compares it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Claim of the token (`iss`, `sub`, `aud`, `nbf/exp`…).
    pub claim: &'static str,
    /// Field of the FIC, or the rule, it is compared with.
    pub against: &'static str,
    pub token_value: String,
    pub expected: String,
    pub ok: bool,
    /// The AADSTS code Entra answers when this check fails.
    pub code: Option<Aadsts>,
    /// Why it fails and what fixes it (core's explanation and fix), or why it passes.
    pub hint: String,
}

fn failing(claim: &'static str, against: &'static str, f: &Finding) -> Check {
    Check {
        claim,
        against,
        token_value: f.actual.clone().unwrap_or_default(),
        expected: f.expected.clone().unwrap_or_default(),
        ok: false,
        code: Some(f.code),
        hint: format!("{} {}", f.explanation, f.fix),
    }
}

/// Core's diagnosis of `token` against `fics` as rows, in Entra's order: what makes the token
/// unusable at all, the time window, the issuing tenant, then issuer, audience and subject of the
/// closest FIC. `app_home` is the home tenant of the application holding the FICs (enables
/// AADSTS700236).
pub fn doctor(
    token: &Jwt,
    fics: &[FederatedIdentityCredential],
    app_home: Option<TenantId>,
    now: UnixTime,
) -> Vec<Check> {
    let ctx = DoctorContext {
        now,
        home_tenant: app_home,
        cloud: None,
        ..Default::default()
    };
    let diagnosis = doctor::diagnose(token, fics, &ctx);
    let compared = match &diagnosis {
        Diagnosis::Matches { fic_name } => Some(fic_name),
        Diagnosis::Mismatch { closest_fic, .. } => closest_fic.as_ref(),
    }
    .and_then(|name| fics.iter().find(|f| &f.name == name));
    let findings = diagnosis.findings();
    let find = |pred: &dyn Fn(&Finding) -> bool| findings.iter().find(|f| pred(f));
    let mut out = Vec::new();

    for f in findings.iter() {
        match f.field {
            FindingField::Token => out.push(failing("token", "JWT", f)),
            FindingField::TokenType => out.push(failing("token type", "managed identity", f)),
            FindingField::Credential => out.push(failing("credential", "application", f)),
            FindingField::Client => out.push(failing("client", "service principal", f)),
            _ => {}
        }
    }

    if let (Some(nbf), Some(exp)) = (token.time_claim("nbf"), token.time_claim("exp")) {
        out.push(match find(&|f| f.field == FindingField::Time) {
            Some(f) => Check {
                token_value: format!("{} … {}", nbf.entra_timestamp(), exp.entra_timestamp()),
                expected: now.entra_timestamp(),
                ..failing("nbf/exp", "now", f)
            },
            None => Check {
                claim: "nbf/exp",
                against: "now",
                token_value: format!("{} … {}", nbf.entra_timestamp(), exp.entra_timestamp()),
                expected: now.entra_timestamp(),
                ok: true,
                code: None,
                hint: "the assertion is within its valid time range".into(),
            },
        });
    }

    let iss = token.str_claim("iss").unwrap_or_default();
    if let (Some((_, iss_tenant)), Some(home)) = (Cloud::of_entra_issuer(iss), app_home) {
        let row = match find(&|f| f.cause == Cause::CrossTenantEntraIssuer) {
            Some(f) => failing("iss (tenant)", "app's home tenant", f),
            None => Check {
                claim: "iss (tenant)",
                against: "app's home tenant",
                token_value: String::new(),
                expected: String::new(),
                ok: true,
                code: None,
                hint: "an Entra-issued assertion from the app's own home tenant".into(),
            },
        };
        out.push(Check {
            token_value: iss_tenant.to_string(),
            expected: home.to_string(),
            ..row
        });
    }

    let Some(fic) = compared else {
        return out;
    };
    let claim_rows: [(
        &'static str,
        &'static str,
        FindingField,
        String,
        String,
        &str,
    ); 3] = [
        (
            "iss",
            "issuer",
            FindingField::Issuer,
            iss.to_owned(),
            fic.issuer.clone(),
            "exact string match",
        ),
        (
            "aud",
            "audiences",
            FindingField::Audience,
            token.audiences().join(", "),
            fic.audiences.join(", "),
            "the FIC audience accepts the token's aud",
        ),
        match &fic.claims_matching_expression {
            // A flexible FIC: the expression over the token's claims replaces the subject.
            Some(expr) => (
                "sub",
                "claimsMatchingExpression",
                FindingField::Subject,
                token.str_claim("sub").unwrap_or_default().to_owned(),
                expr.value.clone(),
                "the token's claims satisfy the expression (case-sensitive)",
            ),
            None => (
                "sub",
                "subject",
                FindingField::Subject,
                token.str_claim("sub").unwrap_or_default().to_owned(),
                fic.subject.clone(),
                "exact, case-sensitive match",
            ),
        },
    ];
    for (claim, against, field, token_value, expected, fine) in claim_rows {
        let bad = find(&|f| f.field == field && f.cause != Cause::CrossTenantEntraIssuer);
        out.push(Check {
            claim,
            against,
            token_value,
            expected,
            ok: bad.is_none(),
            code: bad.map(|f| f.code),
            hint: bad.map_or_else(
                || fine.to_owned(),
                |f| format!("{} {}", f.explanation, f.fix),
            ),
        });
    }
    out
}

/// FICs pasted as Graph or the portal shows them (one object, a list, or `{"value":[…]}`).
pub fn parse_pasted_fics(json: &str) -> Result<Vec<FederatedIdentityCredential>, String> {
    doctor::parse_fics(json).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Claims explained
// ---------------------------------------------------------------------------------------------

/// One line about what a claim means in this flow.
pub fn explain_claim(name: &str) -> &'static str {
    match name {
        "aud" => {
            "Audience: who the token is for. MI assertions carry the Token Exchange app id fb60f99c-… (api://AzureADTokenExchange)."
        }
        "iss" => {
            "Issuer: the tenant's token service (v2: login.microsoftonline.com/{tid}/v2.0; v1: sts.windows.net/{tid}/), GitHub's https://token.actions.githubusercontent.com, or an AKS cluster's OIDC issuer (with its trailing slash). A FIC compares it exactly."
        }
        "sub" => {
            "Subject: the principal the token is about: an MI's object (principal) id, GitHub's repo:{owner}/{repo}:environment:{name} (or :ref:refs/heads/{branch}, :pull_request), Kubernetes' system:serviceaccount:{namespace}:{name}. A FIC compares it exactly and case-sensitively."
        }
        "environment" => {
            "GitHub: the job's deployment environment; when set, sub names it instead of the branch."
        }
        "ref" => "GitHub: the git ref the workflow runs for (refs/heads/{branch}).",
        "repository" | "repository_owner" | "repository_id" | "repository_owner_id" => {
            "GitHub: the repository the workflow belongs to (a flexible FIC can match on it)."
        }
        "job_workflow_ref" | "workflow_ref" => {
            "GitHub: the workflow file and ref that runs the job (a flexible FIC can match on it)."
        }
        "event_name" => {
            "GitHub: what triggered the run; pull_request runs get the :pull_request subject."
        }
        "kubernetes.io" => {
            "Kubernetes: the pod, its namespace and service account the projected token belongs to."
        }
        "oid" => "Object id of the service principal in the token's tenant.",
        "tid" => "Tenant that issued the token.",
        "iat" => "Issued at.",
        "nbf" => "Not valid before.",
        "exp" => "Expires at. Entra refuses an expired client assertion (AADSTS700024).",
        "azp" => {
            "Authorized party (v2): the client id that asked for the token; for an MI token the identity's client id."
        }
        "azpacr" => {
            "How azp authenticated (v2): 0 public, 1 secret, 2 certificate or federated/managed credential."
        }
        "appid" => "Application (client) id that asked for the token (v1).",
        "appidacr" => {
            "How appid authenticated (v1): 0 public, 1 secret, 2 certificate or federated/managed credential."
        }
        "idtyp" => "Identity type: 'app' for an app-only token.",
        "idp" => "Identity provider that authenticated the subject.",
        "roles" => "Application permissions (app roles) granted to the client in this tenant.",
        "scp" => "Delegated scopes (absent from app-only tokens).",
        "ver" => "Token format version, chosen by the resource (requestedAccessTokenVersion).",
        "xms_mirid" => "ARM resource id of the managed identity that requested the token.",
        "xms_az_rid" => "ARM resource id of the compute host that requested the token.",
        "xms_tcdt" => "When the tenant was created.",
        "xms_ficinfo" => "Opaque: which federated credential was used.",
        "app_displayname" => "Display name of the client application (Graph tokens).",
        "tenant_region_scope" => {
            "Region of the tenant (Graph tokens; the discovery document says the same)."
        }
        "wids" => {
            "Directory role templates of the caller; an app-only Graph token lists 'Default Access' (0997a1d0-…)."
        }
        "xms_ftd" | "xms_idrel" | "xms_rd" => "Opaque value for Entra's and Graph's own use.",
        "aio" | "rh" | "uti" => "Opaque value for Entra's own use (uti is the token's unique id).",
        "alg" => "Signature algorithm: Entra signs with RS256.",
        "typ" => "Media type of the token: JWT.",
        "kid" => "Which published key signed the token (look it up in the tenant's JWKS).",
        "nonce" => entra_core::token::GRAPH_NONCE_EXPLANATION,
        "x5t" => "SHA-1 thumbprint of the signing certificate (v1 tokens only).",
        "name" => "Display name of the principal.",
        "appid_name" => "",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// Code export
// ---------------------------------------------------------------------------------------------

/// Languages a step's request exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Curl,
    Http,
    PowerShell,
    CSharp,
    Python,
    Rust,
}

impl Lang {
    pub const ALL: [Lang; 6] = [
        Lang::Curl,
        Lang::Http,
        Lang::PowerShell,
        Lang::CSharp,
        Lang::Python,
        Lang::Rust,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Http => ".http",
            Lang::PowerShell => "PowerShell",
            Lang::CSharp => "C#",
            Lang::Python => "Python",
            Lang::Rust => "Rust",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Http => "http",
            Lang::PowerShell => "powershell",
            Lang::CSharp => "csharp",
            Lang::Python => "python",
            Lang::Rust => "rust",
        }
    }
}

/// The request as code in `lang` (core's exporters). Requests built with
/// [`entra_core::scenario::Bases::environment`] read their endpoints from the environment with
/// Azure's values as defaults, so the same code runs against Azure and, after
/// `eval "$(mock-entra env)"`, against mock-entra. Tokens of earlier steps not obtained yet are
/// variables holding the token value (`miToken`, `mi_token`…).
pub fn export(x: &HttpExchange, lang: Lang) -> String {
    match lang {
        Lang::Curl => export::curl_command(x),
        Lang::Http => export::rest_client_request(x),
        Lang::PowerShell => export::powershell_command(x),
        Lang::CSharp => export::csharp_request(x),
        Lang::Python => export::python_request(x),
        Lang::Rust => export::rust_request(x),
    }
}

// ---------------------------------------------------------------------------------------------
// Entra errors
// ---------------------------------------------------------------------------------------------

/// The AADSTS code of an Entra error body (`error_codes[0]`, else the `AADSTSnnn` prefix of
/// `error_description`).
pub fn aadsts_of(body: &str) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    if let Some(c) = v
        .get("error_codes")
        .and_then(|c| c.get(0))
        .and_then(serde_json::Value::as_u64)
    {
        return u32::try_from(c).ok();
    }
    let d = v.get("error_description")?.as_str()?;
    let rest = d.strip_prefix("AADSTS")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Entra's message template for a code, when core knows the code.
pub fn aadsts_template(code: u32) -> Option<&'static str> {
    Aadsts::from_code(code).map(Aadsts::template)
}

#[cfg(test)]
mod tests;
