//! The FIC doctor: why a given assertion does not match an application's federated identity
//! credentials, in plain English, with the AADSTS code Entra would answer.
//!
//! Graph accepts any issuer, subject or audience, so a misconfigured FIC fails only at the token
//! exchange, with an error that names the value but not the cause (reference F.1, seed 003). The
//! doctor compares the assertion (decoded without a key: it may come from real Azure) with the
//! closest FIC and names the cause: a trailing slash, a case difference, a v1 issuer, the
//! exchange app's GUID where the URI belongs, another tenant, another cloud…
//!
//! Findings follow Entra's validation order (reference D.4): the client's service principal,
//! the assertion's header and claims, time window, Entra-issuer policy, then the exchange's own
//! FIC matching ([`crate::exchange::matcher`]): the doctor does not decide whether a FIC matches,
//! it explains the exchange's verdict. The first finding is the error Entra answers; the others
//! would surface once it is fixed. Not checked: signatures (the token may come from real Azure).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::cloud::Cloud;
use crate::directory::{Directory, FederatedIdentityCredential};
use crate::error::{Aadsts, EntraError};
use crate::exchange::matcher::{self, AssertionClaims, FicMismatch, MatchContext};
use crate::exchange::{
    ASSERTION_CLOCK_SKEW_SECS, assertion_time_window, check_header, is_federated_issuer,
};
use crate::fic::FicDraft;
use crate::first_party::TOKEN_EXCHANGE;
use crate::ids::ClientId;
use crate::ids::{Guid, ObjectId, TenantId};
use crate::jose::Jwt;
use crate::time::UnixTime;
use crate::token::IssuerMode;

/// What the doctor knows besides the token and the FICs.
#[derive(Debug, Clone, Copy, Default)]
pub struct DoctorContext<'a> {
    pub now: UnixTime,
    /// The application's home tenant, when known: enables the cross-tenant check (AADSTS700236).
    pub home_tenant: Option<TenantId>,
    /// The application's cloud, when known: enables the cross-cloud checks.
    pub cloud: Option<Cloud>,
    /// The directory, when known: resolves identifier URIs like the exchange does.
    pub directory: Option<&'a Directory>,
    /// The emulator's issuer mode, when known: its own issuers count as Entra's.
    pub issuers: Option<&'a IssuerMode>,
    /// The scenario's FIC propagation delay.
    pub propagation_delay_secs: u32,
    /// The application (client id) when it has no service principal in its home tenant
    /// (AADSTS7000229, answered before the assertion is read).
    pub missing_service_principal: Option<ClientId>,
}

/// Which part of the exchange a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingField {
    /// The assertion is not a JWT at all, or lacks a claim.
    Token,
    Time,
    TokenType,
    Issuer,
    Audience,
    Subject,
    /// The application has no FIC, or its FIC is still propagating.
    Credential,
    /// The client application itself (its service principal).
    Client,
}

/// The likely cause of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Cause {
    MalformedToken,
    MissingClaim,
    Expired,
    NotYetValid,
    /// A user (delegated) token: it has `scp`.
    DelegatedToken,
    /// An Entra token of an app registration, not of a managed identity (no `xms_mirid`).
    AppRegistrationToken,
    /// The token's Entra issuer is another tenant than the application's home tenant.
    CrossTenantEntraIssuer,
    NoFederatedCredential,
    TrailingSlash,
    CaseDifference,
    Whitespace,
    /// The token is v1 (`https://sts.windows.net/{tid}/`) where the FIC expects the v2 issuer.
    V1TokenIssuer,
    /// A v1 token because the custom-audience API app does not ask for v2 tokens.
    V1TokenFromCustomAudienceApi,
    /// The FIC has the v1 issuer but managed identities' exchange tokens are v2.
    V1IssuerInFic,
    /// Both are Entra issuers, of different tenants.
    OtherTenantIssuer,
    /// Both are Entra issuers, of different clouds.
    OtherCloudIssuer,
    /// The FIC lists the exchange app's GUID where `api://AzureADTokenExchange` is needed.
    GuidAudienceInFic,
    /// The FIC lists another cloud's exchange audience.
    OtherCloudExchangeAudience,
    /// The managed identity asked for a token for another resource (e.g. ARM).
    WrongResourceRequested,
    /// The FIC's subject is the managed identity's client id instead of its principal id.
    SubjectIsClientId,
    /// The application has no service principal in its home tenant.
    NoServicePrincipal,
    /// The assertion's header: `typ` or `alg`.
    UnsupportedHeader,
    /// The FIC matches but was created less than the propagation delay ago.
    StillPropagating,
    /// Simply different values.
    Different,
}

/// One problem, with what Entra would say and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub field: FindingField,
    pub cause: Cause,
    #[serde(serialize_with = "serialize_code")]
    pub code: Aadsts,
    /// The `AADSTS…: …` line Entra would answer.
    pub entra_message: String,
    /// The FIC compared, when the finding is about one.
    pub fic_name: Option<String>,
    /// The value in the token.
    pub actual: Option<String>,
    /// The value the FIC holds.
    pub expected: Option<String>,
    /// One sentence: what is wrong.
    pub explanation: String,
    /// What to change.
    pub fix: String,
}

fn serialize_code<S: serde::Serializer>(code: &Aadsts, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(code)
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "verdict"
)]
pub enum Diagnosis {
    /// Entra would accept the assertion with this FIC.
    Matches { fic_name: String },
    /// Entra would refuse it. The first finding is the error it answers.
    Mismatch {
        findings: Vec<Finding>,
        closest_fic: Option<String>,
    },
}

impl Diagnosis {
    pub fn is_match(&self) -> bool {
        matches!(self, Diagnosis::Matches { .. })
    }

    pub fn findings(&self) -> &[Finding] {
        match self {
            Diagnosis::Matches { .. } => &[],
            Diagnosis::Mismatch { findings, .. } => findings,
        }
    }
}

/// The claims the doctor reads, with `aud` as a list.
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: Vec<&'a str>,
    jwt: &'a Jwt,
}

impl Claims<'_> {
    fn aud_display(&self) -> String {
        self.aud.join(",")
    }
}

/// Builds a finding; one argument per field, so every call site reads as a table row.
#[allow(clippy::too_many_arguments)]
fn finding(
    field: FindingField,
    cause: Cause,
    code: Aadsts,
    args: &[&str],
    fic: Option<&FederatedIdentityCredential>,
    actual: Option<&str>,
    expected: Option<&str>,
    explanation: String,
    fix: String,
) -> Finding {
    Finding {
        field,
        cause,
        code,
        entra_message: EntraError::new(code, args.iter().copied()).message(),
        fic_name: fic.map(|f| f.name.clone()),
        actual: actual.map(str::to_owned),
        expected: expected.map(str::to_owned),
        explanation,
        fix,
    }
}

/// Diagnoses a raw assertion as pasted: a malformed one is AADSTS50027.
pub fn diagnose_raw(
    token: &str,
    fics: &[FederatedIdentityCredential],
    ctx: &DoctorContext<'_>,
) -> Diagnosis {
    match Jwt::decode(token) {
        Ok(jwt) => diagnose(&jwt, fics, ctx),
        Err(e) => Diagnosis::Mismatch {
            findings: vec![finding(
                FindingField::Token,
                Cause::MalformedToken,
                Aadsts::MalformedJwt,
                &[],
                None,
                None,
                None,
                format!("The assertion is not a JWT: {e}."),
                "Pass the `access_token` value of the managed-identity response, unchanged, as `client_assertion`."
                    .to_owned(),
            )],
            closest_fic: None,
        },
    }
}

/// Diagnoses a decoded assertion against an application's FICs.
pub fn diagnose(
    jwt: &Jwt,
    fics: &[FederatedIdentityCredential],
    ctx: &DoctorContext<'_>,
) -> Diagnosis {
    let mut findings = Vec::new();
    if let Some(app) = ctx.missing_service_principal {
        let tenant = ctx.home_tenant.map(|t| t.to_string()).unwrap_or_default();
        let app = app.to_string();
        findings.push(finding(
            FindingField::Client,
            Cause::NoServicePrincipal,
            Aadsts::MissingServicePrincipal,
            &[&app, &tenant],
            None,
            Some(&app),
            None,
            format!("The application {app} is registered, but has no service principal (enterprise application) in its home tenant {tenant}: Graph's POST /applications and `az ad app create` create none."),
            format!("Create it: `az ad sp create --id {app}`, New-AzADServicePrincipal -ApplicationId {app}, or POST /v1.0/servicePrincipals {{\"appId\":\"{app}\"}}."),
        ));
    }
    let iss = jwt.str_claim("iss").filter(|s| !s.is_empty());
    if let Err(e) = check_header(jwt, iss.is_some_and(is_federated_issuer)) {
        findings.push(finding(
            FindingField::Token,
            Cause::UnsupportedHeader,
            e.code(),
            &e.args().iter().map(String::as_str).collect::<Vec<_>>(),
            None,
            jwt.header().get(if e.code() == Aadsts::InvalidJwtType { "typ" } else { "alg" }).map(|v| v.to_string()).as_deref(),
            None,
            "The assertion's header is refused before its claims are read: federated assertions must be typed `JWT` (or carry no `typ`) and signed with RS256.".to_owned(),
            "Have the identity provider issue a standard RS256 JWT; do not re-sign or re-type the token.".to_owned(),
        ));
        return mismatch(findings, None);
    }
    let sub = jwt.str_claim("sub").filter(|s| !s.is_empty());
    let exp = jwt.time_claim("exp");
    let aud = jwt.audiences();
    let (Some(iss), Some(sub), Some(_), false) = (iss, sub, exp, aud.is_empty()) else {
        let missing = if iss.is_none() {
            "iss"
        } else if sub.is_none() {
            "sub"
        } else if exp.is_none() {
            "exp"
        } else {
            "aud"
        };
        findings.push(missing_claim(missing));
        return mismatch(findings, None);
    };
    let claims = Claims { iss, sub, aud, jwt };

    if let Some(f) = time_finding(&claims, ctx) {
        findings.push(f);
    }
    let ours = ctx.issuers.and_then(|m| m.accepts(iss));
    let entra_tenant = ours
        .map(|(_, tid, _)| tid)
        .or_else(|| Cloud::of_entra_issuer(iss).map(|(_, tid)| tid));
    if let Some(issuer_tenant) = entra_tenant {
        policy_findings(&claims, issuer_tenant, ctx, &mut findings);
    }

    if fics.is_empty() {
        findings.push(finding(
            FindingField::Credential,
            Cause::NoFederatedCredential,
            // UNCONFIRMED: with no FIC at all the exchange answers what its matching answers
            // (7002121 or 700211); the doctor names that code and says why.
            no_fic_code(&claims, ctx, entra_tenant.is_some()),
            &[claims.iss],
            None,
            None,
            None,
            "The application has no federated identity credential, so no assertion can be accepted.".to_owned(),
            format!(
                "Add a federated credential with issuer `{}`, subject `{}` and audience `{}`.",
                claims.iss,
                claims.sub,
                suggested_audience(&claims, ctx)
            ),
        ));
        if let Some(first) = findings
            .last_mut()
            .filter(|f| f.code == Aadsts::MiTokenAudienceMismatch)
        {
            first.entra_message = EntraError::new(first.code, [claims.aud_display()]).message();
        }
        return mismatch(findings, None);
    }

    let canonical = ctx
        .issuers
        .zip(ours)
        .and_then(|(_, (_, tid, version))| matcher::entra_issuer_for(ctx.directory, tid, version))
        .filter(|c| c != iss);
    let mctx = MatchContext {
        directory: ctx.directory,
        cloud: exchange_cloud(&claims, ctx),
        canonical_issuer: canonical.as_deref(),
        entra_issued: entra_tenant.is_some(),
        now: ctx.now,
        propagation_delay_secs: ctx.propagation_delay_secs,
    };
    let assertion = AssertionClaims {
        iss,
        sub,
        aud: claims.aud.clone(),
        claims: Some(claims.jwt.claims()),
    };
    let verdict = matcher::match_fic(fics, &assertion, &mctx);
    let (closest, first) = match &verdict {
        Ok(fic) => {
            if findings.is_empty() {
                return Diagnosis::Matches {
                    fic_name: fic.name.clone(),
                };
            }
            (*fic, None)
        }
        Err(FicMismatch::WrongResource) => {
            let closest = closest_fic(&claims, fics, &mctx, |_| true);
            (closest, Some(wrong_resource_finding(&claims, ctx)))
        }
        Err(FicMismatch::Issuer) => (closest_fic(&claims, fics, &mctx, |_| true), None),
        Err(FicMismatch::Audience { same_issuer }) => {
            let c = closest_fic(&claims, fics, &mctx, |f| {
                same_issuer.iter().any(|s| std::ptr::eq(*s, f))
            });
            (c, None)
        }
        Err(FicMismatch::Subject {
            same_issuer_and_audience,
        }) => {
            let c = closest_fic(&claims, fics, &mctx, |f| {
                same_issuer_and_audience.iter().any(|s| std::ptr::eq(*s, f))
            });
            (c, None)
        }
        Err(FicMismatch::Propagating { fic, ready_at }) => {
            let e = verdict.as_ref().err().map(|m| m.to_error(&assertion));
            let wait = ready_at.secs() - ctx.now.secs();
            let f = Finding {
                field: FindingField::Credential,
                cause: Cause::StillPropagating,
                code: Aadsts::NoMatchingFic,
                entra_message: e.map(|e| e.message()).unwrap_or_default(),
                fic_name: Some(fic.name.clone()),
                actual: None,
                expected: None,
                explanation: format!("The credential `{}` matches the assertion, but it was created moments ago and has not propagated yet (about {wait} s to go): Entra answers a transient AADSTS70021 meanwhile.", fic.name),
                fix: "Wait a little and retry the exchange; production code should retry 70021 with a back-off after creating a federated credential.".to_owned(),
            };
            (*fic, Some(f))
        }
    };
    findings.extend(first);
    let skip_audience = matches!(verdict, Err(FicMismatch::WrongResource));
    findings.extend(
        fic_findings(&claims, closest, ctx, &mctx)
            .into_iter()
            .filter(|f| !(skip_audience && f.field == FindingField::Audience)),
    );
    // A subject step that fails among flexible FICs is 7002131 whichever FIC is closest.
    if let Err(m @ FicMismatch::Subject { .. }) = &verdict
        && m.code() == Aadsts::FicExpressionMismatch
    {
        for f in &mut findings {
            if f.code == Aadsts::FicSubjectMismatch {
                f.code = Aadsts::FicExpressionMismatch;
                f.entra_message = m.to_error(&assertion).message();
            }
        }
    }
    Diagnosis::Mismatch {
        findings,
        closest_fic: Some(closest.name.clone()),
    }
}

fn mismatch(findings: Vec<Finding>, closest_fic: Option<String>) -> Diagnosis {
    Diagnosis::Mismatch {
        findings,
        closest_fic,
    }
}

/// With no FIC at all, the exchange's matching stops at its first step.
fn no_fic_code(c: &Claims<'_>, _ctx: &DoctorContext<'_>, entra_issued: bool) -> Aadsts {
    if entra_issued && !c.aud.iter().any(|a| matcher::is_token_exchange_audience(a)) {
        Aadsts::MiTokenAudienceMismatch
    } else {
        Aadsts::FicIssuerMismatch
    }
}

fn wrong_resource_finding(c: &Claims<'_>, ctx: &DoctorContext<'_>) -> Finding {
    let actual = c.aud_display();
    let exchange = exchange_cloud(c, ctx).token_exchange_audience();
    finding(
        FindingField::Audience,
        Cause::WrongResourceRequested,
        Aadsts::MiTokenAudienceMismatch,
        &[&actual],
        None,
        Some(&actual),
        Some(exchange),
        format!(
            "The managed identity's token is for the audience `{actual}` (another resource), not for the token-exchange audience `{exchange}`, and no federated credential lists that audience."
        ),
        format!(
            "Request the managed-identity token with `resource={exchange}` (scope `{exchange}/.default`); keep the resource you want (e.g. ARM) for the exchange's own `scope`."
        ),
    )
}

fn missing_claim(name: &str) -> Finding {
    finding(
            FindingField::Token,
            Cause::MissingClaim,
            Aadsts::MissingClaim,
            &[name],
            None,
            None,
            None,
            format!("The assertion has no `{name}` claim (or it is not a string)."),
            "Use a token issued for the exchange audience by the identity provider; hand-made tokens need `iss`, `sub`, `aud` and `exp`.".to_owned(),
        )
}

/// The exchange's time window (with its clock skew), explained.
fn time_finding(c: &Claims<'_>, ctx: &DoctorContext<'_>) -> Option<Finding> {
    let exp = c.jwt.time_claim("exp").unwrap_or_default();
    let nbf = c.jwt.time_claim("nbf");
    let iat = c.jwt.time_claim("iat");
    let e = assertion_time_window(exp, nbf, iat, ctx.now).err()?;
    let args: Vec<&str> = e.args().iter().map(String::as_str).collect();
    Some(if exp.plus(ASSERTION_CLOCK_SKEW_SECS) <= ctx.now {
        finding(
            FindingField::Time,
            Cause::Expired,
            Aadsts::AssertionTimeRange,
            &args,
            None,
            Some(&exp.to_string()),
            None,
            format!("The assertion expired at {exp}, before now ({}), beyond the 5-minute clock skew.", ctx.now),
            "Request a fresh managed-identity token just before the exchange instead of reusing a stored one."
                .to_owned(),
        )
    } else {
        let from = nbf.into_iter().chain(iat).max().unwrap_or_default();
        finding(
            FindingField::Time,
            Cause::NotYetValid,
            Aadsts::AssertionTimeRange,
            &args,
            None,
            Some(&from.to_string()),
            None,
            format!(
                "The assertion is valid only from {from}, after now ({}), beyond the 5-minute clock skew.",
                ctx.now
            ),
            "Check the clock of the machine that issued or checks the token.".to_owned(),
        )
    })
}

fn policy_findings(
    c: &Claims<'_>,
    issuer_tenant: TenantId,
    ctx: &DoctorContext<'_>,
    out: &mut Vec<Finding>,
) {
    if let Some(home) = ctx.home_tenant.filter(|h| *h != issuer_tenant) {
        out.push(finding(
            FindingField::Issuer,
            Cause::CrossTenantEntraIssuer,
            Aadsts::EntraTokenFromOtherTenant,
            &[c.iss],
            None,
            Some(c.iss),
            None,
            format!(
                "The token comes from tenant {issuer_tenant}, but the application is registered in tenant {home}; Entra accepts managed-identity assertions only for applications of the identity's own tenant."
            ),
            format!(
                "Put the federated credential on a multi-tenant application registered in tenant {issuer_tenant}, then provision that application in tenant {home} (admin consent or New-AzADServicePrincipal) and request tokens there with its client id."
            ),
        ));
    }
    let delegated =
        c.jwt.claims().contains_key("scp") || c.jwt.str_claim("idtyp").is_some_and(|t| t != "app");
    if delegated {
        out.push(finding(
            FindingField::TokenType,
            Cause::DelegatedToken,
            Aadsts::OnlyAppOnlyTokensForEntraIssuer,
            &[],
            None,
            c.jwt.str_claim("scp"),
            None,
            "The assertion is a user (delegated) token: it carries `scp`, and only app-only tokens may be used with an Entra issuer.".to_owned(),
            "Use the managed identity's own token (IMDS or the App Service endpoint) for `api://AzureADTokenExchange`, not a signed-in user's token.".to_owned(),
        ));
    } else if !c.jwt.claims().contains_key("xms_mirid") {
        // UNCONFIRMED: observed in Dec 2024; a 2026 test shows app-to-app Entra FICs accepted
        // (reference G), so Entra may apply this by policy.
        out.push(finding(
            FindingField::TokenType,
            Cause::AppRegistrationToken,
            Aadsts::OnlyMsiTokensForEntraIssuer,
            &[],
            None,
            c.jwt.str_claim("azp").or_else(|| c.jwt.str_claim("appid")),
            None,
            "The assertion was issued by Entra to an app registration, not to a managed identity (it has no `xms_mirid`).".to_owned(),
            "Get the assertion from a user-assigned managed identity (IMDS or the App Service endpoint), not from an app's client-credentials flow.".to_owned(),
        ));
    }
}

/// The FIC the assertion was most likely meant for: same issuer first, then nearly the same
/// issuer, then matching subject and audience.
fn closest_fic<'f>(
    c: &Claims<'_>,
    fics: &'f [FederatedIdentityCredential],
    mctx: &MatchContext<'_>,
    candidate: impl Fn(&FederatedIdentityCredential) -> bool,
) -> &'f FederatedIdentityCredential {
    let a = assertion(c);
    let score = |f: &FederatedIdentityCredential| {
        let mut s = 0;
        if matcher::issuer_matches(f, &a, mctx) {
            s += 100;
        } else if normalize(&f.issuer) == normalize(c.iss) {
            s += 50;
        } else if same_entra_tenant(&f.issuer, c.iss) {
            s += 30;
        }
        if matcher::subject_matches(f, &a) {
            s += 10;
        } else if normalize(&f.subject) == normalize(c.sub) {
            s += 5;
        }
        if matcher::audience_accepts(f, &a, mctx) {
            s += 3;
        }
        s
    };
    // `max_by_key` keeps the last maximum; reverse so the first FIC wins ties.
    fics.iter()
        .filter(|f| candidate(f))
        .rev()
        .max_by_key(|f| score(f))
        .unwrap_or(&fics[0])
}

fn assertion<'a>(c: &Claims<'a>) -> AssertionClaims<'a> {
    AssertionClaims {
        iss: c.iss,
        sub: c.sub,
        aud: c.aud.clone(),
        claims: Some(c.jwt.claims()),
    }
}

/// Case-, slash- and whitespace-insensitive form, to spot near misses.
fn normalize(s: &str) -> String {
    s.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn same_entra_tenant(a: &str, b: &str) -> bool {
    matches!((Cloud::of_entra_issuer(a), Cloud::of_entra_issuer(b)), (Some((_, x)), Some((_, y))) if x == y)
}

/// The cloud the exchange happens in: the application's if known, else the token issuer's.
fn exchange_cloud(c: &Claims<'_>, ctx: &DoctorContext<'_>) -> Cloud {
    ctx.cloud
        .or_else(|| Cloud::of_entra_issuer(c.iss).map(|(cl, _)| cl))
        .unwrap_or_default()
}

/// The audience the FIC should list for this token.
fn suggested_audience(c: &Claims<'_>, ctx: &DoctorContext<'_>) -> String {
    let cloud = exchange_cloud(c, ctx);
    if c.aud
        .iter()
        .any(|a| Guid::parse(a) == Some(TOKEN_EXCHANGE.app_id.guid()))
        || Cloud::of_entra_issuer(c.iss).is_none()
    {
        if let Some(literal) = c.aud.iter().find(|a| a.starts_with("api://")) {
            return (*literal).to_owned();
        }
        return cloud.token_exchange_audience().to_owned();
    }
    c.aud.first().map(|a| (*a).to_owned()).unwrap_or_default()
}

fn is_v1_entra_issuer(iss: &str) -> bool {
    Cloud::of_entra_issuer(iss).is_some() && !iss.trim_end_matches('/').ends_with("/v2.0")
}

/// Mismatches against one FIC, in Entra's order (issuer, audience, subject), judged by the
/// exchange's own matching predicates.
fn fic_findings(
    c: &Claims<'_>,
    fic: &FederatedIdentityCredential,
    ctx: &DoctorContext<'_>,
    mctx: &MatchContext<'_>,
) -> Vec<Finding> {
    let a = assertion(c);
    let mut out = Vec::new();
    if !matcher::issuer_matches(fic, &a, mctx) {
        out.push(issuer_finding(c, fic));
    }
    if !matcher::audience_accepts(fic, &a, mctx) {
        out.push(audience_finding(c, fic, ctx));
    }
    if !matcher::subject_matches(fic, &a) {
        out.push(subject_finding(c, fic));
    }
    out
}

/// The cause shared by every field: whitespace, trailing slash, case.
fn surface_cause(actual: &str, expected: &str) -> Option<Cause> {
    if actual.trim() == expected.trim() {
        Some(Cause::Whitespace)
    } else if actual.trim_end_matches('/') == expected.trim_end_matches('/') {
        Some(Cause::TrailingSlash)
    } else if actual.eq_ignore_ascii_case(expected) {
        Some(Cause::CaseDifference)
    } else {
        None
    }
}

fn surface_text(cause: Cause, what: &str, actual: &str, expected: &str) -> (String, String) {
    match cause {
        Cause::Whitespace => (
            format!(
                "The {what} differs only by leading or trailing whitespace: the token has `{actual}`, the credential `{expected}`."
            ),
            format!("Remove the surrounding spaces from the credential's {what}."),
        ),
        Cause::TrailingSlash => (
            format!(
                "The {what} differs only by a trailing slash: the token has `{actual}`, the credential `{expected}`; Entra compares exactly."
            ),
            format!("Set the credential's {what} to `{actual}` exactly."),
        ),
        _ => (
            format!(
                "The {what} differs only in letter case: the token has `{actual}`, the credential `{expected}`; Entra compares case-sensitively."
            ),
            format!("Set the credential's {what} to `{actual}` exactly, with the same case."),
        ),
    }
}

fn issuer_finding(c: &Claims<'_>, fic: &FederatedIdentityCredential) -> Finding {
    let (actual, expected) = (c.iss, fic.issuer.as_str());
    let make = |cause, explanation, fix| {
        finding(
            FindingField::Issuer,
            cause,
            Aadsts::FicIssuerMismatch,
            &[actual],
            Some(fic),
            Some(actual),
            Some(expected),
            explanation,
            fix,
        )
    };
    if let Some(cause) = surface_cause(actual, expected) {
        let (e, f) = surface_text(cause, "issuer", actual, expected);
        return make(cause, e, f);
    }
    if let (Some((tc, tt)), Some((fc, ft))) = (
        Cloud::of_entra_issuer(actual),
        Cloud::of_entra_issuer(expected),
    ) {
        if tc != fc {
            return make(
                Cause::OtherCloudIssuer,
                format!(
                    "The token was issued in {tc:?} but the credential trusts an issuer of {fc:?}; managed-identity federation does not cross clouds."
                ),
                format!(
                    "Use a managed identity of the same cloud as the application, whose issuer is `{}`.",
                    fc.v2_issuer(ft)
                ),
            );
        }
        if tt != ft {
            return make(
                Cause::OtherTenantIssuer,
                format!("The token comes from tenant {tt} but the credential trusts tenant {ft}."),
                format!(
                    "Set the credential's issuer to `{actual}`, the managed identity's tenant, if that identity is the one to trust."
                ),
            );
        }
        if is_v1_entra_issuer(actual) && !is_v1_entra_issuer(expected) {
            let exchange = c
                .aud
                .iter()
                .any(|a| Guid::parse(a) == Some(TOKEN_EXCHANGE.app_id.guid()));
            if !exchange && c.aud.iter().any(|a| a.starts_with("api://")) {
                return make(
                    Cause::V1TokenFromCustomAudienceApi,
                    format!("The token is a v1 token (issuer `{actual}`) because the API app behind the custom audience `{}` does not request v2 tokens.", c.aud_display()),
                    "Set `api.requestedAccessTokenVersion` to 2 in that API app's manifest (null and 1 mean v1), then request a new managed-identity token.".to_owned(),
                );
            }
            return make(
                Cause::V1TokenIssuer,
                format!("The token is a v1 token (issuer `{actual}`), but the credential expects the v2 issuer `{expected}`."),
                "Request the managed-identity token for `api://AzureADTokenExchange`, which issues v2 tokens.".to_owned(),
            );
        }
        if !is_v1_entra_issuer(actual) && is_v1_entra_issuer(expected) {
            return make(
                Cause::V1IssuerInFic,
                format!(
                    "The credential trusts the v1 issuer `{expected}`, but the token carries the v2 issuer `{actual}`."
                ),
                format!("Set the credential's issuer to `{actual}`."),
            );
        }
    }
    make(
        Cause::Different,
        format!(
            "No credential trusts the token's issuer `{actual}`; the closest one trusts `{expected}`."
        ),
        format!("Set the credential's issuer to `{actual}`, or use a token from `{expected}`."),
    )
}

fn audience_finding(
    c: &Claims<'_>,
    fic: &FederatedIdentityCredential,
    ctx: &DoctorContext<'_>,
) -> Finding {
    let actual = c.aud_display();
    let expected = fic.audiences.join(",");
    let first = fic.audiences.first().map(String::as_str).unwrap_or("");
    let make = |cause, explanation, fix| {
        finding(
            FindingField::Audience,
            cause,
            Aadsts::FicAudienceMismatch,
            &[&actual],
            Some(fic),
            Some(&actual),
            Some(&expected),
            explanation,
            fix,
        )
    };
    let token_cloud = exchange_cloud(c, ctx);
    let exchange_guid = TOKEN_EXCHANGE.app_id.to_string();
    if first.eq_ignore_ascii_case(&exchange_guid) {
        return make(
            Cause::GuidAudienceInFic,
            format!(
                "The credential lists the token-exchange app's GUID `{first}`; the audience must be its URI."
            ),
            format!(
                "Set the credential's audience to `{}`.",
                token_cloud.token_exchange_audience()
            ),
        );
    }
    if let Some(other) = Cloud::ALL
        .iter()
        .find(|cl| cl.token_exchange_audience() == first)
    {
        let token_is_exchange = c.aud.iter().any(|a| {
            Guid::parse(a) == Some(TOKEN_EXCHANGE.app_id.guid())
                || a.starts_with("api://AzureADTokenExchange")
        });
        if token_is_exchange && *other != token_cloud {
            return make(
                Cause::OtherCloudExchangeAudience,
                format!(
                    "The credential lists `{first}`, the exchange audience of {other:?}, but the application is in {token_cloud:?}."
                ),
                format!(
                    "Set the credential's audience to `{}`.",
                    token_cloud.token_exchange_audience()
                ),
            );
        }
        if !token_is_exchange {
            return make(
                Cause::WrongResourceRequested,
                format!(
                    "The managed identity's token is for `{actual}`, not for the token-exchange audience `{first}`."
                ),
                format!(
                    "Request the managed-identity token with `resource={first}` (scope `{first}/.default`)."
                ),
            );
        }
    }
    if let Some(cause) = c.aud.iter().find_map(|a| surface_cause(a, first)) {
        let (e, f) = surface_text(cause, "audience", &actual, first);
        return make(cause, e, f);
    }
    make(
        Cause::Different,
        format!("The token's audience `{actual}` is not the credential's audience `{expected}`."),
        format!(
            "Request the token for `{first}`, or set the credential's audience to the one the token carries."
        ),
    )
}

fn subject_finding(c: &Claims<'_>, fic: &FederatedIdentityCredential) -> Finding {
    if let Some(e) = &fic.claims_matching_expression {
        return expression_finding(c, fic, &e.value);
    }
    let (actual, expected) = (c.sub, fic.subject.as_str());
    let make = |cause, explanation, fix| {
        finding(
            FindingField::Subject,
            cause,
            Aadsts::FicSubjectMismatch,
            &[actual],
            Some(fic),
            Some(actual),
            Some(expected),
            explanation,
            fix,
        )
    };
    let client_id = c.jwt.str_claim("azp").or_else(|| c.jwt.str_claim("appid"));
    if client_id.is_some_and(|id| id.eq_ignore_ascii_case(expected)) && actual != expected {
        return make(
            Cause::SubjectIsClientId,
            format!(
                "The credential's subject `{expected}` is the managed identity's client id; the token's subject is its principal (object) id `{actual}`."
            ),
            format!("Set the credential's subject to the principal id `{actual}`."),
        );
    }
    if let Some(cause) = surface_cause(actual, expected) {
        let (e, f) = surface_text(cause, "subject", actual, expected);
        return make(cause, e, f);
    }
    make(
        Cause::Different,
        format!("The token's subject `{actual}` is not the credential's subject `{expected}`."),
        format!("Set the credential's subject to `{actual}` if that identity should be trusted."),
    )
}

/// A flexible FIC whose expression the token's claims do not satisfy: names the first failing
/// condition and the claim's actual value.
fn expression_finding(c: &Claims<'_>, fic: &FederatedIdentityCredential, text: &str) -> Finding {
    let make = |explanation, fix| {
        finding(
            FindingField::Subject,
            Cause::Different,
            Aadsts::FicExpressionMismatch,
            &[c.sub],
            Some(fic),
            Some(c.sub),
            Some(text),
            explanation,
            fix,
        )
    };
    let expr = match crate::fic::expression::Expression::parse(text) {
        Ok(e) => e,
        Err(e) => {
            return make(
                format!("The credential's expression `{text}` is not in the flexible FIC language ({e}), so it matches nothing."),
                "Write it as `claims['sub'] matches 'repo:owner/repo:*'`, conditions joined by ` and `.".to_owned(),
            );
        }
    };
    let claims = c.jwt.claims();
    let failing = expr.conditions.iter().find(|cond| {
        !claims
            .get(&cond.claim)
            .and_then(Value::as_str)
            .is_some_and(|v| cond.accepts(v))
    });
    match failing {
        Some(cond) => {
            let value = claims.get(&cond.claim).and_then(Value::as_str);
            let explanation = match value {
                Some(v) => format!(
                    "The token's claim `{}` is `{v}`, which does not satisfy `claims['{}'] {} '{}'` of the credential's expression (case-sensitive).",
                    cond.claim,
                    cond.claim,
                    cond.operator.as_str(),
                    cond.comparand
                ),
                None => format!(
                    "The token has no string claim `{}`, which the credential's expression reads.",
                    cond.claim
                ),
            };
            make(
                explanation,
                format!(
                    "Change the expression so that `{}` accepts the token's value, or present a token from the workload the credential trusts.",
                    cond.claim
                ),
            )
        }
        None => make(
            format!("The token's claims satisfy the credential's expression `{text}`."),
            String::new(),
        ),
    }
}

/// Why pasted FIC JSON was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FicPasteError {
    NotJson,
    /// Neither an object, an array nor Graph's `{"value":[…]}`.
    UnexpectedShape,
    /// Item `index` lacks a required property or has the wrong type.
    BadItem {
        index: usize,
        property: &'static str,
    },
}

impl fmt::Display for FicPasteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FicPasteError::NotJson => f.write_str("the text is not JSON"),
            FicPasteError::UnexpectedShape => {
                f.write_str("expected a federated credential object, a list of them, or Graph's {\"value\":[…]}")
            }
            FicPasteError::BadItem { index, property } => {
                write!(f, "credential #{} has no valid `{property}`", index + 1)
            }
        }
    }
}

impl std::error::Error for FicPasteError {}

/// Namespace for ids given to pasted FICs that carry none.
const PASTE_NAMESPACE: Guid = Guid::from_u128(0x6d6f636b_656e_7472_6164_6f63746f7201);

/// Reads FICs as Graph or the portal shows them: one object, an array, or `{"value":[…]}`.
/// Extra members (`@odata.*`, `claimsMatchingExpression`) are ignored; a missing `id` gets a
/// stable one derived from the name.
pub fn parse_fics(json: &str) -> Result<Vec<FederatedIdentityCredential>, FicPasteError> {
    let v: Value = serde_json::from_str(json).map_err(|_| FicPasteError::NotJson)?;
    let items = match v {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("value") {
            Some(Value::Array(items)) if !o.contains_key("issuer") => items,
            Some(_) => return Err(FicPasteError::UnexpectedShape),
            None => vec![Value::Object(o)],
        },
        _ => return Err(FicPasteError::UnexpectedShape),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            if !item.is_object() {
                return Err(FicPasteError::BadItem {
                    index,
                    property: "issuer",
                });
            }
            let draft: FicDraft =
                serde_json::from_value(item).map_err(|_| FicPasteError::BadItem {
                    index,
                    property: "audiences",
                })?;
            let bad = |property| FicPasteError::BadItem { index, property };
            let issuer = draft.issuer.ok_or(bad("issuer"))?;
            // A flexible FIC (Graph shows `"subject": null`) carries its expression instead.
            let expression = draft.claims_matching_expression;
            let subject = match (draft.subject, &expression) {
                (Some(subject), _) => subject,
                (None, Some(_)) => String::new(),
                (None, None) => return Err(bad("subject")),
            };
            let audiences = draft.audiences.ok_or(bad("audiences"))?;
            let name = draft
                .name
                .unwrap_or_else(|| format!("credential-{}", index + 1));
            Ok(FederatedIdentityCredential {
                id: draft
                    .id
                    .unwrap_or_else(|| ObjectId(Guid::derived(PASTE_NAMESPACE, &name))),
                name,
                issuer,
                subject,
                audiences,
                description: draft.description,
                claims_matching_expression: expression,
                created_at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
