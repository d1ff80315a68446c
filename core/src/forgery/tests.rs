//! The forged-token suite at core level: every [`Variant`] presented as a federated assertion, as
//! a certificate assertion and as a bearer token to Resource Manager, Storage and Graph, plus
//! assertions signed by a key rotated out past its grace period. None may be accepted, and each
//! is refused with Entra's error for it.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::*;
use crate::directory::{Directory, KeyCredential};
use crate::error::{Aadsts, EntraError};
use crate::exchange::{Grant, JWT_BEARER_ASSERTION_TYPE, TokenEndpoint, TokenRequest, exchange};
use crate::ids::{Guid, KeyCredentialId};
use crate::keys::{KeySet, RsaSigner, test_keys};
use crate::resource::{
    ArmError, EntraIssuers, ResourceAuthError, ResourceKind, StorageError, validate_access_token,
};
use crate::testutil::{
    CONTOSO, CONTOSO_ADMIN, LITWARE, MULTI_TENANT_APP, NOW, directory, env, umi,
};
use crate::time::UnixTime;
use crate::token::issue_managed_identity_token;

const ARM_SCOPE: &str = "https://management.azure.com/.default";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

#[test]
fn hmac_matches_the_rfc_4231_test_vector() {
    let mac = hmac_sha256(&[0x0b; 20], b"Hi There");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
}

#[test]
fn every_variant_is_listed_once() {
    for (i, v) in Variant::ALL.iter().enumerate() {
        assert!(!Variant::ALL[..i].contains(v), "{v:?} listed twice");
    }
}

struct Kit {
    keys: KeySet,
    attacker: (RsaSigner, PublishedKey),
    unpublished: PublishedKey,
}

impl Kit {
    fn new() -> Kit {
        Kit {
            keys: test_keys::key_set(),
            attacker: test_keys::attacker(),
            unpublished: PublishedKey::from_certificate(&test_keys::pem_der(
                test_keys::OTHER_CERT_PEM,
            ))
            .expect("fixture cert"),
        }
    }

    fn forger(&self, now: UnixTime) -> Forger<'_> {
        Forger {
            genuine: self.keys.signer().expect("fixture signer"),
            genuine_cert: &self.keys.published()[0],
            attacker: &self.attacker.0,
            attacker_cert: &self.attacker.1,
            unpublished_cert: &self.unpublished,
            attacker_url: "https://attacker.example/keys",
            now: now.secs(),
        }
    }
}

fn request(tenant: &str, client: &str, scope: &str, assertion: &str) -> TokenRequest {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("scope", scope),
            ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
            ("client_assertion", assertion),
        ])
        .finish();
    TokenRequest::parse(tenant, TokenEndpoint::V2, None, None, body.as_bytes())
        .expect("well-formed request")
}

fn federated(
    dir: &Directory,
    keys: &KeySet,
    now: UnixTime,
    assertion: &str,
) -> Result<Grant, EntraError> {
    let req = request(
        &LITWARE.to_string(),
        &MULTI_TENANT_APP.to_string(),
        ARM_SCOPE,
        assertion,
    );
    exchange(&req, dir, &env(keys, now, 1))
}

fn mi_assertion(dir: &Directory, keys: &KeySet) -> String {
    let (props, mirid) = umi();
    issue_managed_identity_token(
        dir,
        &props,
        &mirid,
        "api://AzureADTokenExchange",
        &env(keys, NOW, 2),
    )
    .expect("MI token")
    .access_token
}

fn assert_refused(what: &str, v: Variant, result: Result<Grant, EntraError>, expected: Aadsts) {
    match result {
        Ok(_) => panic!("{what}: {v:?} was ACCEPTED"),
        Err(e) => assert_eq!(e.code(), expected, "{what}: {v:?}: {}", e.message()),
    }
}

#[test]
fn no_forged_federated_assertion_is_accepted_and_each_gets_entras_code() {
    let kit = Kit::new();
    let dir = directory();
    let genuine = mi_assertion(&dir, &kit.keys);
    assert!(
        federated(&dir, &kit.keys, NOW, &genuine).is_ok(),
        "the genuine assertion must pass, or the suite proves nothing"
    );
    let forger = kit.forger(NOW);
    for v in Variant::ALL {
        let forged = forger.forge(v, &genuine);
        assert_ne!(forged, genuine, "{v:?}");
        let result = federated(&dir, &kit.keys, NOW, &forged);
        assert_refused("federated", v, result, v.refusal_as_federated_assertion());
    }
}

fn with_test_certificate(dir: &mut Directory, end: Option<&str>) {
    let der = test_keys::pem_der(test_keys::CERT_PEM);
    let app = dir
        .tenant_mut(CONTOSO)
        .unwrap()
        .applications
        .iter_mut()
        .find(|a| a.app_id == CONTOSO_ADMIN)
        .expect("Contoso admin app");
    app.key_credentials = vec![KeyCredential {
        key_id: KeyCredentialId(Guid::from_u128(7)),
        display_name: Some("CN=test".into()),
        kind: "AsymmetricX509Cert".into(),
        usage: "Verify".into(),
        key: STANDARD.encode(der),
        custom_key_identifier: None,
        end_date_time: end.map(str::to_owned),
    }];
}

fn certificate_assertion(keys: &KeySet) -> String {
    let signer = keys.signer().unwrap();
    let kid = signer.key_id().as_str();
    let client = CONTOSO_ADMIN.to_string();
    sign_jwt(
        signer,
        &json!({"alg":"RS256","typ":"JWT","x5t": kid}),
        &json!({
            "aud": format!("https://login.microsoftonline.com/{CONTOSO}/oauth2/v2.0/token"),
            "iss": client, "sub": client, "jti": "1",
            "iat": NOW.secs(), "nbf": NOW.secs(), "exp": NOW.plus(600).secs(),
        }),
    )
}

fn certificate(dir: &Directory, keys: &KeySet, assertion: &str) -> Result<Grant, EntraError> {
    let req = request(
        &CONTOSO.to_string(),
        &CONTOSO_ADMIN.to_string(),
        GRAPH_SCOPE,
        assertion,
    );
    exchange(&req, dir, &env(keys, NOW, 3))
}

#[test]
fn no_forged_certificate_assertion_is_accepted_and_each_gets_entras_code() {
    let kit = Kit::new();
    let mut dir = directory();
    with_test_certificate(&mut dir, None);
    let genuine = certificate_assertion(&kit.keys);
    assert!(certificate(&dir, &kit.keys, &genuine).is_ok());
    let forger = kit.forger(NOW);
    for v in Variant::ALL {
        let forged = forger.forge(v, &genuine);
        assert_ne!(forged, genuine, "{v:?}");
        let result = certificate(&dir, &kit.keys, &forged);
        assert_refused(
            "certificate",
            v,
            result,
            v.refusal_as_certificate_assertion(),
        );
    }
}

/// A key set whose current key is the attacker fixture and in which the genuine key was rotated
/// out at `rotated_at` with `grace` seconds of grace.
fn rotated(kit: &Kit, rotated_at: UnixTime, grace: i64) -> KeySet {
    let mut keys = kit.keys.clone();
    let (signer, cert) = test_keys::attacker();
    keys.rotate(Arc::new(signer), cert, rotated_at, grace);
    keys
}

#[test]
fn an_assertion_signed_by_a_rotated_out_key_is_700027_once_its_grace_period_ends() {
    let kit = Kit::new();
    let dir = directory();
    let genuine = mi_assertion(&dir, &kit.keys);
    let within = rotated(&kit, NOW.minus(30), 60);
    assert!(federated(&dir, &within, NOW, &genuine).is_ok());
    let after = rotated(&kit, NOW.minus(120), 60);
    assert_refused(
        "federated",
        Variant::UnknownKid,
        federated(&dir, &after, NOW, &genuine),
        Aadsts::AssertionSignature,
    );
}

#[test]
fn a_certificate_assertion_signed_with_an_expired_key_credential_is_700027() {
    let kit = Kit::new();
    let mut dir = directory();
    with_test_certificate(&mut dir, Some(&NOW.minus(60).rfc3339()));
    let genuine = certificate_assertion(&kit.keys);
    let e = certificate(&dir, &kit.keys, &genuine).expect_err("expired credential");
    assert_eq!(e.code(), Aadsts::AssertionSignature);
}

// ---------------------------------------------------------------------------------------------
// Resources

/// The resource-side check refusing each variant.
fn resource_expectation(v: Variant, err: &ResourceAuthError) -> bool {
    use ResourceAuthError as R;
    use Variant::*;
    match v {
        AlgNone
        | AlgNoneKeepingSignature
        | AlgLowercase
        | Hs256KeyedWithCertificatePem
        | Hs256KeyedWithModulus
        | Ps256LabelOnRs256Signature => {
            matches!(err, R::UnsupportedAlgorithm(_))
        }
        UnknownKid | NoKeyIdentifier | UnpublishedKid | AttackerKeyInX5c | AttackerKeyViaJku
        | AttackerKeyViaX5u => *err == R::UnknownKey,
        GenuineKidAttackerSignature
        | TamperedPayload
        | TamperedHeader
        | StrippedSignature
        | TruncatedSignature => *err == R::BadSignature,
        TwoSegments
        | FourSegments
        | DuplicateClaim
        | DuplicateHeaderMember
        | HeaderNotJson
        | PayloadNotJson
        | PayloadNotAnObject
        | NotBase64Url
        | Oversized => *err == R::Malformed,
        Expired => matches!(err, R::Expired { .. }),
        NotYetValid | FarFutureIat => matches!(err, R::NotYetValid { .. }),
        MissingIss => *err == R::MissingClaim("iss"),
        MissingSub => *err == R::MissingClaim("sub"),
        MissingAud => *err == R::MissingClaim("aud"),
        MissingExp | ExpNotANumber => *err == R::MissingClaim("exp"),
        IssTrailingSpace | IssLeadingSpace | IssCyrillicLookAlike | IssZeroWidthSpace
        | IssTrailingNul => matches!(err, R::InvalidIssuer(_)),
        SubTrailingSpace | SubCyrillicLookAlike | SubZeroWidthSpace => *err == R::SubjectNotObject,
    }
}

const RESOURCES: [(ResourceKind, &str); 3] = [
    (ResourceKind::Arm, "https://management.azure.com/"),
    (ResourceKind::Storage, "https://storage.azure.com"),
    (ResourceKind::Graph, "https://graph.microsoft.com"),
];

fn resource_token(keys: &KeySet, aud: &str) -> String {
    use crate::testutil::tokens::{LITWARE, MULTI_APP, MULTI_SP_LITWARE, v1_claims};
    let claims = v1_claims(LITWARE, aud, MULTI_APP, MULTI_SP_LITWARE, &[]);
    let signer = keys.signer().unwrap();
    let kid = signer.key_id().as_str();
    sign_jwt(
        signer,
        &json!({"typ":"JWT","alg":"RS256","x5t":kid,"kid":kid}),
        &claims,
    )
}

/// Each resource's rendered refusal: a 401 in its own envelope.
fn assert_rendered_401(kind: ResourceKind, err: &ResourceAuthError) {
    match kind {
        ResourceKind::Arm => {
            let e = ArmError::from_auth(err, None);
            assert_eq!(e.status, 401);
            assert!(
                [
                    "InvalidAuthenticationToken",
                    "ExpiredAuthenticationToken",
                    "InvalidAuthenticationTokenAudience"
                ]
                .contains(&e.code),
                "{}",
                e.code
            );
        }
        ResourceKind::Storage => {
            let e = StorageError::from_auth(err, None);
            assert_eq!((e.status, e.code), (401, "InvalidAuthenticationInfo"));
        }
        ResourceKind::Graph => {
            let e = crate::graph::GraphError::from_auth(err);
            assert_eq!((e.status(), e.code()), (401, "InvalidAuthenticationToken"));
        }
    }
}

#[test]
fn no_forged_bearer_token_is_accepted_by_resource_manager_storage_or_graph() {
    use crate::testutil::tokens::{NOW, directory};
    let kit = Kit::new();
    let dir = directory();
    let forger = kit.forger(NOW);
    let mut refused = 0;
    for (kind, aud) in RESOURCES {
        let genuine = resource_token(&kit.keys, aud);
        validate_access_token(&genuine, kind, &dir, &kit.keys, &EntraIssuers, NOW)
            .unwrap_or_else(|e| panic!("genuine {kind:?} token refused: {e}"));
        for v in Variant::ALL {
            let forged = forger.forge(v, &genuine);
            assert_ne!(forged, genuine, "{v:?}");
            match validate_access_token(&forged, kind, &dir, &kit.keys, &EntraIssuers, NOW) {
                Ok(_) => panic!("{kind:?}: {v:?} was ACCEPTED"),
                Err(e) => {
                    assert!(resource_expectation(v, &e), "{kind:?}: {v:?}: {e:?}");
                    assert_rendered_401(kind, &e);
                    refused += 1;
                }
            }
        }
        // The genuine token after its key was rotated out and the grace period ended.
        let after = rotated(&kit, NOW.minus(120), 60);
        let e = validate_access_token(&genuine, kind, &dir, &after, &EntraIssuers, NOW)
            .expect_err("rotated-out key");
        assert_eq!(e, ResourceAuthError::UnknownKey);
        assert_rendered_401(kind, &e);
        refused += 1;
    }
    assert_eq!(refused, 3 * (Variant::ALL.len() + 1));
    println!("forgery suite (core, resources): {refused} forged tokens refused");
}
