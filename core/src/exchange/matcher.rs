//! The FIC matching step of the token exchange, on its own so that the exchange, the FIC doctor
//! and the playground's lab decide "which FIC accepts this assertion, and if none, which error"
//! with one piece of code. The doctor and the lab only add explanations on top of its verdict.
//!
//! Entra's order (reference D.4, with the 2024-12 capture of AADSTS7002121):
//!
//! 1. an Entra-issued assertion (a managed identity's token) whose audience is not a
//!    token-exchange audience and that no FIC lists → 7002121 (the MI token was requested for the
//!    wrong resource, e.g. ARM);
//! 2. no FIC trusts the issuer → 700211;
//! 3. none of those lists the audience → 700212;
//! 4. none of those names the subject → 700213, or 7002131 when one of them is a flexible FIC
//!    whose `claimsMatchingExpression` the assertion's claims do not satisfy;
//! 5. the FICs that match were all created less than the scenario's propagation delay ago →
//!    70021 (transient: retry).

use serde_json::{Map, Value};

use crate::cloud::Cloud;
use crate::directory::{Directory, FederatedIdentityCredential, TokenVersion};
use crate::error::{Aadsts, EntraError};
use crate::fic::expression::Expression;
use crate::first_party;
use crate::ids::{ClientId, TenantId};
use crate::time::UnixTime;

/// The claims of a federated assertion the matching reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionClaims<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    pub aud: Vec<&'a str>,
    /// Every claim, for flexible FICs' expressions (`None`: no expression can match).
    pub claims: Option<&'a Map<String, Value>>,
}

impl AssertionClaims<'_> {
    /// The `aud` values as Entra prints them in a message.
    pub fn aud_display(&self) -> String {
        self.aud.join(",")
    }
}

/// What the matching knows besides the assertion and the FICs.
#[derive(Debug, Clone, Copy)]
pub struct MatchContext<'a> {
    /// The directory, to resolve an application's identifier URI to its app id. Without it only
    /// literal and `api://{appId}` audiences match.
    pub directory: Option<&'a Directory>,
    /// The cloud of the application holding the FICs.
    pub cloud: Cloud,
    /// In Mock issuer mode, the Entra issuer the emulator's own issuer stands for (same tenant and
    /// version), so scenarios written with real Entra issuers keep working.
    pub canonical_issuer: Option<&'a str>,
    /// Whether the assertion's issuer is an Entra issuer (the emulator's or Entra's).
    pub entra_issued: bool,
    pub now: UnixTime,
    /// The scenario's FIC propagation delay (0: a new FIC matches at once).
    pub propagation_delay_secs: u32,
}

/// Why no FIC accepts the assertion: the step of Entra's matching that failed, with the FICs
/// that passed the steps before it (the doctor explains against the closest of them).
#[derive(Debug, Clone, PartialEq)]
pub enum FicMismatch<'f> {
    /// AADSTS7002121: an Entra-issued assertion for a resource no FIC lists.
    WrongResource,
    /// AADSTS700211: no FIC trusts the issuer.
    Issuer,
    /// AADSTS700212: FICs trust the issuer, none lists the audience.
    Audience {
        same_issuer: Vec<&'f FederatedIdentityCredential>,
    },
    /// AADSTS700213: FICs trust the issuer and list the audience, none names the subject.
    Subject {
        same_issuer_and_audience: Vec<&'f FederatedIdentityCredential>,
    },
    /// AADSTS70021: the FIC that matches is still propagating.
    Propagating {
        fic: &'f FederatedIdentityCredential,
        ready_at: UnixTime,
    },
}

impl FicMismatch<'_> {
    pub fn code(&self) -> Aadsts {
        match self {
            FicMismatch::WrongResource => Aadsts::MiTokenAudienceMismatch,
            FicMismatch::Issuer => Aadsts::FicIssuerMismatch,
            FicMismatch::Audience { .. } => Aadsts::FicAudienceMismatch,
            FicMismatch::Subject {
                same_issuer_and_audience,
            } if same_issuer_and_audience
                .iter()
                .any(|f| f.claims_matching_expression.is_some()) =>
            {
                Aadsts::FicExpressionMismatch
            }
            FicMismatch::Subject { .. } => Aadsts::FicSubjectMismatch,
            FicMismatch::Propagating { .. } => Aadsts::NoMatchingFic,
        }
    }

    /// The error Entra answers, with the assertion's values in its message.
    pub fn to_error(&self, a: &AssertionClaims<'_>) -> EntraError {
        let aud = a.aud_display();
        match self {
            FicMismatch::WrongResource | FicMismatch::Audience { .. } => {
                EntraError::new(self.code(), [aud])
            }
            FicMismatch::Issuer => EntraError::new(self.code(), [a.iss]),
            FicMismatch::Subject { .. } => EntraError::new(self.code(), [a.sub]),
            FicMismatch::Propagating { .. } => {
                EntraError::new(self.code(), [a.iss.to_owned(), a.sub.to_owned(), aud])
            }
        }
    }
}

/// The FIC that accepts the assertion, or the step at which Entra refuses it.
pub fn match_fic<'f>(
    fics: &'f [FederatedIdentityCredential],
    a: &AssertionClaims<'_>,
    ctx: &MatchContext<'_>,
) -> Result<&'f FederatedIdentityCredential, FicMismatch<'f>> {
    if ctx.entra_issued
        && !a.aud.iter().any(|aud| is_token_exchange_audience(aud))
        && !fics.iter().any(|f| audience_accepts(f, a, ctx))
    {
        return Err(FicMismatch::WrongResource);
    }
    let same_issuer: Vec<_> = fics.iter().filter(|f| issuer_matches(f, a, ctx)).collect();
    if same_issuer.is_empty() {
        return Err(FicMismatch::Issuer);
    }
    let same_audience: Vec<_> = same_issuer
        .iter()
        .copied()
        .filter(|f| audience_accepts(f, a, ctx))
        .collect();
    if same_audience.is_empty() {
        return Err(FicMismatch::Audience { same_issuer });
    }
    let full: Vec<_> = same_audience
        .iter()
        .copied()
        .filter(|f| subject_matches(f, a))
        .collect();
    let Some(&first) = full.first() else {
        return Err(FicMismatch::Subject {
            same_issuer_and_audience: same_audience,
        });
    };
    if let Some(ready) = full.iter().find(|f| propagated_at(f, ctx) <= ctx.now) {
        return Ok(ready);
    }
    Err(FicMismatch::Propagating {
        fic: first,
        ready_at: propagated_at(first, ctx),
    })
}

/// The Entra issuer of a tenant and token version, in the tenant's cloud (the public cloud when
/// the directory does not know the tenant): what the emulator's own issuer stands for in Mock
/// issuer mode.
pub fn entra_issuer_for(
    dir: Option<&Directory>,
    tid: TenantId,
    version: TokenVersion,
) -> Option<String> {
    let cloud = dir
        .and_then(|d| d.tenant(tid))
        .map_or(Cloud::AzureCloud, |t| t.cloud);
    let issuer = match version {
        TokenVersion::V1 => cloud.v1_issuer(tid),
        TokenVersion::V2 => cloud.v2_issuer(tid),
    };
    Some(issuer.as_str().to_owned())
}

/// When a FIC starts to match: its creation plus the scenario's delay. A FIC with no recorded
/// creation time (from the scenario file) has always been there.
pub fn propagated_at(f: &FederatedIdentityCredential, ctx: &MatchContext<'_>) -> UnixTime {
    f.created_at.map_or(UnixTime(i64::MIN), |t| {
        t.plus(i64::from(ctx.propagation_delay_secs))
    })
}

/// The issuer step: exact, case-sensitive comparison, with the emulator's own issuer standing
/// for Entra's in Mock issuer mode.
pub fn issuer_matches(
    f: &FederatedIdentityCredential,
    a: &AssertionClaims<'_>,
    ctx: &MatchContext<'_>,
) -> bool {
    f.issuer == a.iss || ctx.canonical_issuer.is_some_and(|c| f.issuer == c)
}

/// The subject step: exact, case-sensitive comparison; for a flexible FIC, its expression over
/// the assertion's claims (an expression outside the language never matches).
pub fn subject_matches(f: &FederatedIdentityCredential, a: &AssertionClaims<'_>) -> bool {
    match &f.claims_matching_expression {
        Some(e) => a.claims.is_some_and(|claims| {
            Expression::parse(&e.value).is_ok_and(|expr| expr.accepts(claims))
        }),
        None => f.subject == a.sub,
    }
}

/// The audience step: whether one of the FIC's audiences accepts one of the token's.
pub fn audience_accepts(
    f: &FederatedIdentityCredential,
    a: &AssertionClaims<'_>,
    ctx: &MatchContext<'_>,
) -> bool {
    f.audiences
        .iter()
        .any(|fa| a.aud.iter().any(|ta| audience_matches(ctx, fa, ta)))
}

/// Whether `aud` is the token-exchange app (its GUID, or the URI of any cloud).
pub fn is_token_exchange_audience(aud: &str) -> bool {
    aud == first_party::TOKEN_EXCHANGE.app_id.to_string()
        || Cloud::ALL
            .iter()
            .any(|c| c.token_exchange_audience() == aud)
}

/// Whether a FIC audience accepts a token audience. Exact match, plus Entra's resolution of
/// identifier URIs to app ids: the token-exchange URI of the application's cloud matches the
/// token-exchange app id (`fb60f99c-…`), and an application's identifier URI matches its app id.
/// The token-exchange URI of another cloud does not (cross-cloud → 700212).
///
/// UNCONFIRMED: a FIC listing the exchange app's GUID itself matches a token carrying the GUID
/// (a third-party note says Graph refuses such a FIC with 700214; the emulator's Graph accepts it,
/// so the exchange accepts it too rather than failing in a way nobody has captured).
fn audience_matches(ctx: &MatchContext<'_>, fic_aud: &str, token_aud: &str) -> bool {
    if fic_aud == token_aud {
        return true;
    }
    if token_aud == first_party::TOKEN_EXCHANGE.app_id.to_string() {
        return fic_aud == ctx.cloud.token_exchange_audience();
    }
    let Some(token_app) = ClientId::parse(token_aud) else {
        return false;
    };
    if fic_aud.strip_prefix("api://").and_then(ClientId::parse) == Some(token_app) {
        return true;
    }
    ctx.directory.is_some_and(|dir| {
        dir.application(token_app)
            .is_some_and(|(_, app)| app.identifier_uris.iter().any(|u| u == fic_aud))
    })
}
