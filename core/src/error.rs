//! Entra's errors: one table of AADSTS codes generates the code enum, the OAuth `error` value, the
//! HTTP status and the message template, and [`EntraError::to_body`] renders the one envelope
//! every token and discovery endpoint answers with (reference D.3).

use std::fmt;

use serde::Serialize;

use crate::ids::TraceIds;
use crate::time::UnixTime;

/// The OAuth 2.0 `error` value of an Entra error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    InvalidResource,
    InvalidTenant,
    InvalidInstance,
    TemporarilyUnavailable,
}

impl OAuthError {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::InvalidResource => "invalid_resource",
            OAuthError::InvalidTenant => "invalid_tenant",
            OAuthError::InvalidInstance => "invalid_instance",
            OAuthError::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    /// Entra answers `invalid_client` with 401 and everything else with 400 (reference D.3; 401
    /// for every `invalid_client` code is the RFC 6749 §5.2 inference).
    pub fn http_status(self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            OAuthError::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

macro_rules! aadsts {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $error:ident, $message:literal;)*) => {
        /// Every AADSTS code the emulator produces. Generated, with everything below, from one
        /// table: adding a code is one line.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum Aadsts {
            $($(#[$doc])* $variant = $code,)*
        }

        impl Aadsts {
            pub const ALL: &'static [Aadsts] = &[$(Aadsts::$variant,)*];

            pub fn code(self) -> u32 {
                self as u32
            }

            /// The `error` value Entra pairs with this code on the token endpoint.
            pub fn oauth_error(self) -> OAuthError {
                match self { $(Aadsts::$variant => OAuthError::$error,)* }
            }

            /// Entra's message, with `{0}`, `{1}`… where the request's values go.
            pub fn template(self) -> &'static str {
                match self { $(Aadsts::$variant => $message,)* }
            }

            pub fn from_code(code: u32) -> Option<Aadsts> {
                match code { $($code => Some(Aadsts::$variant),)* _ => None }
            }

            pub fn http_status(self) -> u16 {
                self.oauth_error().http_status()
            }

            /// How many values the message takes.
            pub fn arity(self) -> usize {
                (0..10).take_while(|i| self.template().contains(&format!("{{{i}}}"))).count()
            }
        }
    };
}

aadsts! {
    // Tenant and endpoint.
    TenantNotFound = 90002, InvalidRequest, "Tenant '{0}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.";
    InvalidTenantName = 900023, InvalidRequest, "Specified tenant identifier '{0}' is neither a valid DNS name, nor a valid external domain.";
    /// `client_credentials` to `/common` or `/consumers`.
    GrantTypeNotSupportedOverCommon = 9001023, InvalidRequest, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.";
    UnknownInstance = 50049, InvalidInstance, "Unknown or invalid instance.";
    /// The emulator has no signing key loaded. Wording from the error-codes page; `error` value
    /// UNCONFIRMED (inferred `temporarily_unavailable`).
    TransientError = 90033, TemporarilyUnavailable, "A transient error has occurred. Please try again.";
    // Request shape.
    MissingParameter = 900144, InvalidRequest, "The request body must contain the following parameter: '{0}'.";
    /// UNCONFIRMED wording: the error-codes page names the code `UnsupportedGrantType`.
    UnsupportedGrantType = 70003, UnsupportedGrantType, "The app requested an unsupported grant type '{0}'.";
    /// UNCONFIRMED wording (error-codes page: "RequestDeniedDuplicateParameter").
    DuplicateParameter = 9000411, InvalidRequest, "The request is not properly formatted. The parameter '{0}' is duplicated.";
    ResourceParameterNotSupported = 901002, InvalidRequest, "The 'resource' request parameter isn't supported.";
    MissingCredential = 7000218, InvalidClient, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.";
    /// UNCONFIRMED today; best inference (reference D.4).
    UnexpectedAssertionType = 90011, InvalidRequest, "Unexpected client assertion type.";
    // Client.
    AppNotFound = 700016, UnauthorizedClient, "Application with identifier '{0}' was not found in the directory '{1}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.";
    /// UNCONFIRMED `error` value: inferred `unauthorized_client`.
    /// The token endpoint's wording (2026 capture); "Application '{0}'({1}) is disabled." is the
    /// sign-in page's.
    ApplicationDisabled = 7000112, UnauthorizedClient, "Application is disabled.";
    /// An application with no service principal in the tenant it asks a token of: its home
    /// tenant (teams-sdk troubleshooting capture, 2025-09).
    MissingServicePrincipal = 7000229, InvalidClient, "The client application {0} is missing service principal in the tenant {1}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119";
    InvalidClientSecret = 7000215, InvalidClient, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.";
    ClientSecretExpired = 7000222, InvalidClient, "The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.";
    // Assertion.
    MalformedJwt = 50027, InvalidRequest, "JWT token is invalid or malformed.";
    MissingClaim = 90014, InvalidRequest, "The required field '{0}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.";
    AssertionTimeRange = 700024, InvalidClient, "Client assertion is not within its valid time range. Current time: {0}, assertion valid from {1}, expiry time of assertion {2}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .";
    AssertionClientMismatch = 700021, InvalidClient, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .";
    AssertionSignature = 700027, InvalidClient, "Client assertion failed signature validation.";
    /// `{1}` is the list of the assertion's kind: certificate assertions are answered
    /// `invalid_client` with `'RS256,RS384,RS512'` (MSAL .NET capture); federated ones
    /// `invalid_request` with `'RS256, HS256'` (2021 capture), see
    /// [`EntraError::unsupported_signing_algorithm`].
    UnsupportedSigningAlgorithm = 5002738, InvalidClient, "Invalid JWT token. '{0}' is not a supported signature algorithm. Supported signing algorithms are: '{1}'";
    /// A federated assertion whose `typ` header is neither `JWT` nor the OpenID URI (2021
    /// capture).
    InvalidJwtType = 5002727, InvalidRequest, "Invalid JWT header type specified, must be 'JWT' or 'http://openid.net/specs/jwt/1.0'.";
    /// Certificate assertion whose `aud` is not this tenant's token endpoint. UNCONFIRMED wording.
    AssertionAudienceMismatch = 50012, InvalidClient, "Client assertion audience claim does not match Realm issuer.";
    MissingKeyIdentifier = 5002723, InvalidClient, "Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor keyId specified in token header.";
    // Federated identity credentials.
    /// `invalid_request`/400 as captured (Azure/azure-workload-identity #616, #340). Answered
    /// for a FIC still propagating, and by the doctor for an application without FICs. Every
    /// capture (2022-2023) ends the message with the docs link below (golden capture
    /// `aadsts-70021.json`). UNCONFIRMED: its siblings moved to learn.microsoft.com links by 2026;
    /// no newer 70021 capture shows whether it did too.
    NoMatchingFic = 70021, InvalidRequest, "No matching federated identity record found for presented assertion. Assertion Issuer: '{0}'. Assertion Subject: '{1}'. Assertion Audience: '{2}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation";
    FicIssuerMismatch = 700211, InvalidClient, "No matching federated identity record found for presented assertion issuer '{0}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    FicAudienceMismatch = 700212, InvalidClient, "No matching federated identity record found for presented assertion audience '{0}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    /// An Entra-issued assertion (a managed identity's token) for a resource no FIC lists, e.g.
    /// ARM: Entra names the audience before the issuer (arsenvlad README capture, 2024-12).
    /// UNCONFIRMED `error` value: inferred `invalid_client` like its FIC siblings; the capture
    /// shows no trailing advice, so none is added.
    MiTokenAudienceMismatch = 7002121, InvalidClient, "No matching federated identity record found for presented assertion audience '{0}'";
    FicSubjectMismatch = 700213, InvalidClient, "No matching federated identity record found for presented assertion subject '{0}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    /// A flexible FIC (`claimsMatchingExpression`) trusts the issuer and lists the audience, but
    /// neither a subject nor an expression matches (merge-queue capture, 2025-05). `error` value
    /// UNCONFIRMED: inferred `invalid_client` like its FIC siblings.
    FicExpressionMismatch = 7002131, InvalidClient, "No matching federated identity record found for presented assertion subject '{0}' or no federated identity credential expression matched. Please check your federated identity credential Subject, Expression, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    // Keys of external (non-Entra) issuers, fetched from their OpenID metadata.
    /// The assertion's key is not in the issuer's JWKS (Azure/azure-workload-identity #1232,
    /// 2024-01). `{0}` is the key identifier the assertion names; the capture shows a hex
    /// thumbprint there, UNCONFIRMED whether Entra prints `kid` or `x5t`: the `kid` is printed.
    ExternalKeyNotFound = 7000272, InvalidClient, "The certificate with identifier {0} used to sign the federated credential could not be found in the metadata of identity provider {1}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.";
    /// The issuer's metadata or JWKS could not be fetched (Azure/azure-workload-identity #642,
    /// #1130).
    ExternalOidcRequestFailed = 50166, InvalidRequest, "Request to External OIDC endpoint failed.";
    /// The issuer's JWKS is not a key set (2025-07 capture of a bad JWKS, id 7890018554).
    ExternalKeysUnparsable = 900612, InvalidRequest, "Failed to parse provider signing keys.";
    /// `error` value UNCONFIRMED: inferred `invalid_client` like its FIC siblings.
    EntraTokenFromOtherTenant = 700236, InvalidClient, "Entra ID tokens issued by issuer '{0}' may not be used for federated identity credential flows for applications or managed identities registered in this tenant.";
    OnlyMsiTokensForEntraIssuer = 700226, InvalidClient, "Only MSI tokens may be used as Federated Identity Credentials for AAD issuer.";
    OnlyAppOnlyTokensForEntraIssuer = 700229, InvalidClient, "ForbiddenTokenType- Only app-only tokens can be used as Federated Identity Credentials for Microsoft Entra issuer.";
    // Scope and resource.
    /// `{0}` is the whole `scope` value, as Entra echoes it (capture id 5528962890).
    ScopeWithoutDefault = 1002012, InvalidScope, "The provided value for scope {0} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).";
    InvalidScope = 70011, InvalidScope, "The provided value for the input parameter 'scope' isn't valid. The scope {0} isn't valid.";
    /// Wording UNCONFIRMED beyond the error-codes page's description.
    MultipleResourcesInScope = 700022, InvalidScope, "The provided value for the input parameter scope isn't valid because it contains more than one resource. Scope {0} is not valid.";
    ResourceNotFound = 500011, InvalidResource, "The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.";
    NotAssignedToRole = 501051, InvalidGrant, "Application '{0}'({1}) is not assigned to a role for the application '{2}'({3}).";
}

impl fmt::Display for Aadsts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AADSTS{}", self.code())
    }
}

/// An Entra error: a code plus the values its message names. Equality is on the code only, so
/// tests assert on codes and leave the prose to snapshots.
#[derive(Debug, Clone)]
pub struct EntraError {
    code: Aadsts,
    args: Vec<String>,
    /// Some surfaces pair a code with another `error` (discovery answers 90002 as
    /// `invalid_tenant`).
    error_override: Option<OAuthError>,
}

impl PartialEq for EntraError {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl EntraError {
    /// Builds the error. `args` fill the template's `{0}`, `{1}`…; missing ones render empty.
    pub fn new<I, S>(code: Aadsts, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EntraError {
            code,
            args: args.into_iter().map(Into::into).collect(),
            error_override: None,
        }
    }

    /// AADSTS5002738 for an assertion of the given kind: the list of algorithms and the `error`
    /// value differ between a certificate assertion and a federated one (both captured).
    pub fn unsupported_signing_algorithm(alg: &str, federated: bool) -> Self {
        if federated {
            EntraError::new(Aadsts::UnsupportedSigningAlgorithm, [alg, "RS256, HS256"])
                .with_oauth_error(OAuthError::InvalidRequest)
        } else {
            EntraError::new(
                Aadsts::UnsupportedSigningAlgorithm,
                [alg, "RS256,RS384,RS512"],
            )
        }
    }

    pub fn with_oauth_error(mut self, error: OAuthError) -> Self {
        self.error_override = Some(error);
        self
    }

    pub fn code(&self) -> Aadsts {
        self.code
    }

    pub fn args(&self) -> &[String] {
        &self.args
    }

    pub fn oauth_error(&self) -> OAuthError {
        self.error_override.unwrap_or(self.code.oauth_error())
    }

    pub fn http_status(&self) -> u16 {
        self.oauth_error().http_status()
    }

    /// `AADSTS700213: No matching federated identity record found …` without the trace suffix.
    pub fn message(&self) -> String {
        let mut text = self.code.template().to_owned();
        for i in 0..self.code.arity() {
            let value = self.args.get(i).map(String::as_str).unwrap_or("");
            text = text.replace(&format!("{{{i}}}"), value);
        }
        format!("{}: {text}", self.code)
    }

    /// The JSON envelope, exactly as Entra sends it (2023-12-onward single-space separators).
    /// `authority_host` is the host in `error_uri` (`login.microsoftonline.com`).
    pub fn to_body(&self, trace: TraceIds, now: UnixTime, authority_host: &str) -> ErrorBody {
        let timestamp = now.entra_timestamp();
        ErrorBody {
            error: self.oauth_error().as_str(),
            error_description: format!(
                "{} Trace ID: {} Correlation ID: {} Timestamp: {timestamp}",
                self.message(),
                trace.trace_id,
                trace.correlation_id
            ),
            error_codes: vec![self.code.code()],
            timestamp,
            trace_id: trace.trace_id.to_string(),
            correlation_id: trace.correlation_id.to_string(),
            error_uri: format!("https://{authority_host}/error?code={}", self.code.code()),
        }
    }
}

impl fmt::Display for EntraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for EntraError {}

/// Entra's error envelope (reference D.3), field order as on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ErrorBody {
    pub error: &'static str,
    pub error_description: String,
    pub error_codes: Vec<u32>,
    pub timestamp: String,
    pub trace_id: String,
    pub correlation_id: String,
    pub error_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CorrelationId, TraceId};

    #[test]
    fn every_code_is_unique_and_round_trips() {
        for &code in Aadsts::ALL {
            assert_eq!(Aadsts::from_code(code.code()), Some(code));
            assert_eq!(
                Aadsts::ALL
                    .iter()
                    .filter(|c| c.code() == code.code())
                    .count(),
                1
            );
        }
    }

    #[test]
    fn templates_use_consecutive_placeholders_only() {
        for &code in Aadsts::ALL {
            let arity = code.arity();
            assert!(!code.template().contains(&format!("{{{arity}}}")), "{code}");
            let rendered = EntraError::new(code, (0..arity).map(|i| format!("v{i}"))).message();
            assert!(
                !rendered.contains('{') || code.template().contains("{\""),
                "{code}: {rendered}"
            );
        }
    }

    #[test]
    fn invalid_client_is_401_and_the_rest_400() {
        assert_eq!(Aadsts::FicSubjectMismatch.http_status(), 401);
        assert_eq!(Aadsts::AppNotFound.http_status(), 400);
        assert_eq!(
            Aadsts::ScopeWithoutDefault.oauth_error(),
            OAuthError::InvalidScope
        );
    }

    #[test]
    fn envelope_has_the_trace_suffix_and_every_field() {
        let trace = TraceIds {
            trace_id: TraceId::from_u128(0xaa),
            correlation_id: CorrelationId::from_u128(0xbb),
        };
        let body = EntraError::new(Aadsts::TenantNotFound, ["test"]).to_body(
            trace,
            UnixTime(1_755_530_774),
            "login.microsoftonline.com",
        );
        assert_eq!(body.error, "invalid_request");
        assert_eq!(body.error_codes, vec![90002]);
        assert!(
            body.error_description
                .starts_with("AADSTS90002: Tenant 'test' not found.")
        );
        assert!(body.error_description.ends_with(
            "Trace ID: 00000000-0000-0000-0000-0000000000aa Correlation ID: 00000000-0000-0000-0000-0000000000bb Timestamp: 2025-08-18 15:26:14Z"
        ));
        assert_eq!(
            body.error_uri,
            "https://login.microsoftonline.com/error?code=90002"
        );
    }
}
