//! The seams where entra-core's rule modules plug into the playground. Every call the UI makes
//! into "Entra's rules" goes through a function here, so wiring core is a change to this file
//! only. Functions marked `SEAM(core::…)` carry a small local implementation until that core
//! module is merged into main; each says what to replace it with.
use entra_core::directory::{Directory, FederatedIdentityCredential};
use entra_core::error::Aadsts;
use entra_core::first_party;
use entra_core::ids::TenantId;
use entra_core::jose::Jwt;
use entra_core::time::UnixTime;

use crate::api::HttpReq;

// ---------------------------------------------------------------------------------------------
// FIC create rules
// ---------------------------------------------------------------------------------------------

/// A field of a federated identity credential, as the editor shows problems next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FicField {
    Name,
    Issuer,
    Subject,
    Audiences,
    Description,
}

impl FicField {
    pub fn as_str(self) -> &'static str {
        match self {
            FicField::Name => "name",
            FicField::Issuer => "issuer",
            FicField::Subject => "subject",
            FicField::Audiences => "audiences",
            FicField::Description => "description",
        }
    }
}

/// Problems Graph would report if `draft` were created next to `existing` (the other FICs of the
/// same application).
///
/// SEAM(core::fic::field_problems): replace the body with
/// `fic::field_problems(draft, existing).into_iter().map(|(f, e)| (map_field(f), e.to_string()))`.
/// The local rules follow seed 003 (Microsoft Learn "Configure an application to trust a managed
/// identity").
pub fn fic_field_problems(
    draft: &FederatedIdentityCredential,
    existing: &[FederatedIdentityCredential],
) -> Vec<(FicField, String)> {
    let mut out = Vec::new();
    let name = draft.name.as_str();
    let name_ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !(3..=120).contains(&name.chars().count()) {
        out.push((FicField::Name, "must be 3 to 120 characters".into()));
    } else if !name_ok_chars || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        out.push((
            FicField::Name,
            "letters, digits, '-' and '_' only, starting with a letter or digit".into(),
        ));
    }
    if existing
        .iter()
        .any(|f| f.id != draft.id && f.name.eq_ignore_ascii_case(name))
    {
        out.push((
            FicField::Name,
            "another credential of this app has this name".into(),
        ));
    }
    let issuer = draft.issuer.as_str();
    if issuer.is_empty() {
        out.push((FicField::Issuer, "required".into()));
    } else if !issuer.starts_with("https://") {
        out.push((FicField::Issuer, "must be an https URL".into()));
    } else if issuer.len() > 600 {
        out.push((FicField::Issuer, "at most 600 characters".into()));
    }
    if issuer.contains('*') {
        out.push((FicField::Issuer, "wildcards are not supported".into()));
    }
    if draft.subject.is_empty() {
        out.push((FicField::Subject, "required".into()));
    } else if draft.subject.len() > 600 {
        out.push((FicField::Subject, "at most 600 characters".into()));
    }
    if draft.subject.contains('*') {
        out.push((FicField::Subject, "wildcards are not supported".into()));
    }
    match draft.audiences.as_slice() {
        [] => out.push((
            FicField::Audiences,
            "exactly one audience is required".into(),
        )),
        [one] if one.is_empty() => out.push((FicField::Audiences, "required".into())),
        [one] if one.len() > 600 => {
            out.push((FicField::Audiences, "at most 600 characters".into()));
        }
        [_] => {}
        _ => out.push((FicField::Audiences, "only one audience is allowed".into())),
    }
    if draft
        .description
        .as_deref()
        .is_some_and(|d| d.chars().count() > 600)
    {
        out.push((FicField::Description, "at most 600 characters".into()));
    }
    if existing
        .iter()
        .any(|f| f.id != draft.id && f.issuer == draft.issuer && f.subject == draft.subject)
    {
        out.push((
            FicField::Subject,
            "another credential of this app has the same issuer and subject (the pair must be unique)".into(),
        ));
    }
    if existing.iter().filter(|f| f.id != draft.id).count() >= 20 {
        out.push((
            FicField::Name,
            "an application holds at most 20 credentials".into(),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Token versus FIC ("doctor")
// ---------------------------------------------------------------------------------------------

/// One comparison of a token claim with the FIC field Entra compares it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Claim of the token (`iss`, `sub`, `aud`, `exp`…).
    pub claim: &'static str,
    /// Field of the FIC, or the rule, it is compared with.
    pub against: &'static str,
    pub token_value: String,
    pub expected: String,
    pub ok: bool,
    /// The AADSTS code Entra answers when this check fails.
    pub code: Option<Aadsts>,
    /// Why it fails and what fixes it.
    pub hint: String,
}

/// The GUID an audience resolves to: first-party identifier URIs and the `identifierUris` of the
/// scenario's applications resolve to their app id.
pub fn resolve_audience(aud: &str, dir: &Directory) -> Option<String> {
    if let Some(app) = first_party::by_resource(aud) {
        return Some(app.app_id.to_string());
    }
    dir.tenants
        .iter()
        .flat_map(|t| &t.applications)
        .find(|a| {
            a.app_id.to_string().eq_ignore_ascii_case(aud)
                || a.identifier_uris
                    .iter()
                    .any(|u| u.eq_ignore_ascii_case(aud))
        })
        .map(|a| a.app_id.to_string())
}

/// Whether a token audience satisfies a FIC audience (literally, or through resolution). The
/// token-exchange audiences are per cloud: a FIC listing the US Government audience does not
/// accept a public-cloud assertion although both resolve to the same app (reference G).
pub fn audience_matches(token_aud: &str, fic_aud: &str, token_iss: &str, dir: &Directory) -> bool {
    let exchange = first_party::TOKEN_EXCHANGE;
    let fic_aud_trimmed = fic_aud.trim_end_matches('/');
    if exchange
        .identifier_uris
        .iter()
        .any(|u| u.eq_ignore_ascii_case(fic_aud_trimmed))
    {
        let cloud = entra_core::cloud::Cloud::of_entra_issuer(token_iss)
            .map(|(c, _)| c)
            .unwrap_or_default();
        return fic_aud_trimmed == cloud.token_exchange_audience()
            && (token_aud == fic_aud
                || token_aud.eq_ignore_ascii_case(&exchange.app_id.to_string()));
    }
    token_aud == fic_aud
        || resolve_audience(fic_aud, dir).is_some_and(|g| g.eq_ignore_ascii_case(token_aud))
}

/// Why `token` would (not) match `fic`, claim by claim, in Entra's order.
///
/// SEAM(core::doctor): replace with core's `doctor::diagnose`, mapping its findings to
/// [`Check`]. `app_home` is the home tenant of the application holding the FIC (for
/// AADSTS700236), `now` comes from `browser_clock`.
pub fn doctor(
    token: &Jwt,
    fic: &FederatedIdentityCredential,
    app_home: Option<TenantId>,
    dir: &Directory,
    now: UnixTime,
) -> Vec<Check> {
    let mut out = Vec::new();
    let iss = token.str_claim("iss").unwrap_or_default().to_owned();
    let sub = token.str_claim("sub").unwrap_or_default().to_owned();
    let auds: Vec<String> = token.audiences().into_iter().map(str::to_owned).collect();

    // Time window first: Entra rejects a stale assertion before looking at any FIC.
    if let (Some(nbf), Some(exp)) = (token.time_claim("nbf"), token.time_claim("exp")) {
        let ok = nbf.secs() <= now.secs() + 300 && now < exp;
        out.push(Check {
            claim: "nbf/exp",
            against: "now",
            token_value: format!("{} … {}", nbf.entra_timestamp(), exp.entra_timestamp()),
            expected: now.entra_timestamp(),
            ok,
            code: Some(Aadsts::AssertionTimeRange),
            hint: if ok {
                "the assertion is within its valid time range".into()
            } else {
                "the assertion has expired (or is not valid yet): request a fresh managed-identity token right before the exchange".into()
            },
        });
    }

    if let (Some((_, iss_tenant)), Some(home)) =
        (entra_core::cloud::Cloud::of_entra_issuer(&iss), app_home)
    {
        let ok = iss_tenant == home;
        out.push(Check {
            claim: "iss (tenant)",
            against: "app's home tenant",
            token_value: iss_tenant.to_string(),
            expected: home.to_string(),
            ok,
            code: Some(Aadsts::EntraTokenFromOtherTenant),
            hint: if ok {
                "an Entra-issued assertion from the app's own home tenant".into()
            } else {
                "Entra tokens are accepted only by FICs on apps registered in the issuing tenant: put the FIC on a multi-tenant app in the identity's tenant and give that app a service principal in the resource tenant".into()
            },
        });
    }

    let iss_ok = iss == fic.issuer;
    out.push(Check {
        claim: "iss",
        against: "issuer",
        token_value: iss.clone(),
        expected: fic.issuer.clone(),
        ok: iss_ok,
        code: Some(Aadsts::FicIssuerMismatch),
        hint: issuer_hint(&iss, &fic.issuer),
    });

    let fic_aud = fic.audiences.first().cloned().unwrap_or_default();
    let aud_ok = auds
        .iter()
        .any(|a| audience_matches(a, &fic_aud, &iss, dir));
    out.push(Check {
        claim: "aud",
        against: "audiences",
        token_value: auds.join(", "),
        expected: match resolve_audience(&fic_aud, dir) {
            Some(g) if g != fic_aud => format!("{fic_aud} (= {g})"),
            _ => fic_aud.clone(),
        },
        ok: aud_ok,
        code: Some(Aadsts::FicAudienceMismatch),
        hint: if aud_ok {
            "the FIC audience resolves to the token's aud".into()
        } else {
            "request the managed-identity token for the FIC's audience (resource=api://AzureADTokenExchange in the public cloud), or change the FIC's audience".into()
        },
    });

    let sub_ok = sub == fic.subject;
    out.push(Check {
        claim: "sub",
        against: "subject",
        token_value: sub.clone(),
        expected: fic.subject.clone(),
        ok: sub_ok,
        code: Some(Aadsts::FicSubjectMismatch),
        hint: if sub_ok {
            "exact, case-sensitive match".into()
        } else if sub.eq_ignore_ascii_case(&fic.subject) {
            "the values differ only in case: the comparison is case-sensitive, use the object (principal) id exactly as the token carries it".into()
        } else {
            "the subject must be the object (principal) id of the managed identity that requested the token; a system-assigned identity has another id".into()
        },
    });
    out
}

fn issuer_hint(iss: &str, fic_issuer: &str) -> String {
    if iss == fic_issuer {
        "exact string match".into()
    } else if iss.trim_end_matches('/') == fic_issuer.trim_end_matches('/') {
        "the values differ only by a trailing slash: the comparison is an exact string match".into()
    } else if iss.contains("sts.windows.net") {
        "the token is v1 (sts.windows.net issuer): the resource requested v1 tokens; set api.requestedAccessTokenVersion = 2 on the audience's app, or request api://AzureADTokenExchange".into()
    } else if iss.eq_ignore_ascii_case(fic_issuer) {
        "the values differ only in case".into()
    } else {
        "use https://login.microsoftonline.com/{tenant id}/v2.0 of the identity's tenant".into()
    }
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
            "Issuer: the tenant's token service. v2 tokens: login.microsoftonline.com/{tid}/v2.0; v1: sts.windows.net/{tid}/. A FIC compares it exactly."
        }
        "sub" => {
            "Subject: the principal the token is about; for an MI token the identity's object (principal) id. A FIC compares it exactly."
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
        "aio" | "rh" | "uti" => "Opaque value for Entra's own use (uti is the token's unique id).",
        "alg" => "Signature algorithm: Entra signs with RS256.",
        "typ" => "Media type of the token: JWT.",
        "kid" => "Which published key signed the token (look it up in the tenant's JWKS).",
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

/// The absolute URL of a mock path in real Azure: IMDS, the App Service endpoint
/// (`$IDENTITY_ENDPOINT`), the Entra authority, ARM, Graph and Blob storage.
pub fn azure_url(path: &str) -> String {
    if path.starts_with("/metadata/") {
        return format!("http://169.254.169.254{path}");
    }
    if let Some(q) = path.strip_prefix("/msi/token") {
        return format!("$IDENTITY_ENDPOINT{q}");
    }
    if path.starts_with("/subscriptions/") {
        return format!("https://management.azure.com{path}");
    }
    if path.starts_with("/v1.0/") {
        return format!("https://graph.microsoft.com{path}");
    }
    if let Some(rest) = path.strip_prefix("/blob/") {
        let (account, rest) = rest.split_once('/').unwrap_or((rest, ""));
        return format!("https://{account}.blob.core.windows.net/{rest}");
    }
    format!("https://login.microsoftonline.com{path}")
}

/// The request as code in `lang`, aimed at `origin` (the mock's origin), or at real Azure when
/// `origin` is `None`.
///
/// SEAM(core::client / core::export): replace with core's exporter; map [`HttpReq`] to core's
/// request type in one place here.
pub fn export(req: &HttpReq, lang: Lang, origin: Option<&str>) -> String {
    let url = match origin {
        Some(o) => format!("{o}{}", req.url),
        None => azure_url(&req.url),
    };
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    match lang {
        Lang::Curl => {
            let mut s = format!("curl -i -X {} '{}'", req.method, url.replace('\'', "'\\''"));
            for (k, v) in &req.headers {
                s.push_str(&format!(" \\\n  -H '{k}: {}'", v.replace('\'', "'\\''")));
            }
            if let Some(b) = &req.body {
                s.push_str(&format!(" \\\n  --data-raw '{}'", b.replace('\'', "'\\''")));
            }
            s
        }
        Lang::Http => {
            let mut s = format!("{} {} HTTP/1.1\n", req.method, url);
            for (k, v) in &req.headers {
                s.push_str(&format!("{k}: {v}\n"));
            }
            if let Some(b) = &req.body {
                s.push('\n');
                s.push_str(&b.replace('&', "\n&"));
                s.push('\n');
            }
            s
        }
        Lang::PowerShell => {
            let mut s = String::from("$headers = @{\n");
            for (k, v) in req
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
            {
                s.push_str(&format!("  '{k}' = '{}'\n", v.replace('\'', "''")));
            }
            s.push_str("}\n");
            let ct = req
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone());
            s.push_str(&format!(
                "Invoke-RestMethod -Method {} -Uri '{}' -Headers $headers",
                title_case(&req.method),
                url.replace('\'', "''")
            ));
            if let Some(b) = &req.body {
                s.push_str(&format!(
                    " `\n  -ContentType '{}' -Body '{}'",
                    ct.unwrap_or_default(),
                    b.replace('\'', "''")
                ));
            }
            s
        }
        Lang::CSharp => {
            let mut s = String::from("using var http = new HttpClient();\n");
            s.push_str(&format!(
                "var request = new HttpRequestMessage(new HttpMethod(\"{}\"), \"{}\");\n",
                req.method,
                q(&url)
            ));
            for (k, v) in req
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
            {
                s.push_str(&format!(
                    "request.Headers.TryAddWithoutValidation(\"{k}\", \"{}\");\n",
                    q(v)
                ));
            }
            if let Some(b) = &req.body {
                let ct = content_type(req).unwrap_or("text/plain");
                s.push_str(&format!(
                    "request.Content = new StringContent(\"{}\", System.Text.Encoding.UTF8, \"{ct}\");\n",
                    q(b)
                ));
            }
            s.push_str("var response = await http.SendAsync(request);\n");
            s.push_str("Console.WriteLine($\"{(int)response.StatusCode}\\n{await response.Content.ReadAsStringAsync()}\");");
            s
        }
        Lang::Python => {
            let mut s = String::from("import requests\n\n");
            s.push_str(&format!(
                "response = requests.request(\n    \"{}\",\n    \"{}\",\n    headers={{\n",
                req.method,
                q(&url)
            ));
            for (k, v) in &req.headers {
                s.push_str(&format!("        \"{k}\": \"{}\",\n", q(v)));
            }
            s.push_str("    },\n");
            if let Some(b) = &req.body {
                s.push_str(&format!("    data=\"{}\",\n", q(b)));
            }
            s.push_str("    allow_redirects=False,\n)\nprint(response.status_code, response.text)");
            s
        }
        Lang::Rust => {
            let mut s = String::from(
                "// Cargo.toml: reqwest = { version = \"0.12\", features = [\"blocking\"] }\n",
            );
            s.push_str("let client = reqwest::blocking::Client::builder()\n    .redirect(reqwest::redirect::Policy::none())\n    .build()?;\n");
            s.push_str(&format!(
                "let response = client\n    .request(reqwest::Method::from_bytes(b\"{}\")?, \"{}\")\n",
                req.method,
                q(&url)
            ));
            for (k, v) in &req.headers {
                s.push_str(&format!("    .header(\"{k}\", \"{}\")\n", q(v)));
            }
            if let Some(b) = &req.body {
                s.push_str(&format!("    .body(\"{}\")\n", q(b)));
            }
            s.push_str("    .send()?;\nprintln!(\"{} {}\", response.status(), response.text()?);");
            s
        }
    }
}

fn content_type(req: &HttpReq) -> Option<&str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

fn title_case(m: &str) -> String {
    let lower = m.to_ascii_lowercase();
    let mut c = lower.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
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
