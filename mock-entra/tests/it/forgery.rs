//! The forged-token suite over real sockets: every variant of `entra_core::forgery` posted as a
//! client assertion to the v2.0 token endpoint and sent as a bearer token to Resource Manager,
//! Storage and Graph, plus a key rotated out past its grace period; none may be accepted, and
//! no `jku`/`x5u` URL is ever fetched.

use std::io::ErrorKind;

use entra_core::forgery::{Forger, Variant};
use entra_core::keys::{PublishedKey, sign_jwt, test_keys};
use serde_json::{Value, json};

use crate::flows::{LITWARE, MULTI_TENANT_APP, code};
use crate::helpers::{CONTOSO, TestApp};

const ARM_SCOPE: &str = "https://management.azure.com/.default";
const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
const ARM_URL: &str =
    "/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01";
const STORAGE_URL: &str = "/blob/contosodata/reports?restype=container&comp=list";

/// Entra's code for each variant presented as a federated assertion (the MI token to Litware).
fn expected_code(v: Variant) -> u64 {
    use Variant::*;
    match v {
        AlgNone
        | AlgNoneKeepingSignature
        | AlgLowercase
        | Hs256KeyedWithCertificatePem
        | Hs256KeyedWithModulus => 5002738,
        Ps256LabelOnRs256Signature
        | UnknownKid
        | NoKeyIdentifier
        | UnpublishedKid
        | AttackerKeyInX5c
        | AttackerKeyViaJku
        | AttackerKeyViaX5u
        | GenuineKidAttackerSignature
        | TamperedPayload
        | TamperedHeader
        | StrippedSignature
        | TruncatedSignature => 700027,
        TwoSegments
        | FourSegments
        | DuplicateClaim
        | DuplicateHeaderMember
        | HeaderNotJson
        | PayloadNotJson
        | PayloadNotAnObject
        | NotBase64Url
        | Oversized => 50027,
        Expired | NotYetValid | FarFutureIat => 700024,
        MissingIss | MissingSub | MissingAud | MissingExp | ExpNotANumber => 90014,
        IssTrailingSpace | IssLeadingSpace | IssCyrillicLookAlike | IssZeroWidthSpace
        | IssTrailingNul => 700211,
        SubTrailingSpace | SubCyrillicLookAlike | SubZeroWidthSpace => 700213,
    }
}

/// Which resource a bearer token is sent to.
#[derive(Debug, Clone, Copy)]
enum Resource {
    Arm,
    Storage,
    Graph,
}

impl TestApp {
    async fn server_now(&self) -> i64 {
        let (status, body) = self.get_json(&self.http("/_mock/clock")).await;
        assert_eq!(status, 200, "{body}");
        body["now"].as_i64().unwrap()
    }

    async fn access_token(&self, tenant: &str, scope: &str) -> String {
        let mi = self.mi_assertion().await;
        let (status, body) = self.fic_token(tenant, MULTI_TENANT_APP, &mi, scope).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Status and error code of a resource call with `token`.
    async fn call_resource(&self, resource: Resource, token: &str) -> (u16, String) {
        let graph_url =
            format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials");
        let req = match resource {
            Resource::Arm => self.client.get(self.https(ARM_URL)),
            Resource::Storage => self
                .client
                .get(self.https(STORAGE_URL))
                .header("x-ms-version", "2023-11-03"),
            Resource::Graph => self.client.get(self.https(&graph_url)),
        };
        let resp = req.bearer_auth(token).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let code = match resource {
            Resource::Storage => text
                .split("<Code>")
                .nth(1)
                .and_then(|s| s.split("</Code>").next())
                .unwrap_or_default()
                .to_owned(),
            _ => serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|b| b["error"]["code"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        };
        (status, code)
    }
}

fn assert_resource_refused(resource: Resource, what: &str, (status, code): (u16, String)) {
    assert_eq!(status, 401, "{resource:?}: {what} was not refused ({code})");
    let expected: &[&str] = match resource {
        Resource::Arm => &[
            "InvalidAuthenticationToken",
            "ExpiredAuthenticationToken",
            "InvalidAuthenticationTokenAudience",
        ],
        Resource::Storage => &["InvalidAuthenticationInfo"],
        Resource::Graph => &["InvalidAuthenticationToken"],
    };
    assert!(
        expected.contains(&code.as_str()),
        "{resource:?}: {what}: {code}"
    );
}

#[tokio::test]
async fn no_forged_token_is_accepted_over_http_and_no_key_url_is_fetched() {
    let app = TestApp::spawn().await;
    // The attacker's key server: nothing may ever connect to it.
    let watch = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    watch.set_nonblocking(true).unwrap();
    let attacker_url = format!("http://{}/keys", watch.local_addr().unwrap());

    let genuine_key = mock_entra::pki::load_or_create_signing_key(&app.data_dir).unwrap();
    let (attacker_der, attacker_cert_der) = mock_entra::pki::generate_signing_key().unwrap();
    let attacker = mock_entra::pki::signing_key_from_der(attacker_der, &attacker_cert_der).unwrap();
    let unpublished =
        PublishedKey::from_certificate(&test_keys::pem_der(test_keys::OTHER_CERT_PEM)).unwrap();
    let now = app.server_now().await;
    let forger = Forger {
        genuine: &*genuine_key.signer,
        genuine_cert: &genuine_key.published,
        attacker: &*attacker.signer,
        attacker_cert: &attacker.published,
        unpublished_cert: &unpublished,
        attacker_url: &attacker_url,
        now,
    };

    let mut refused = 0usize;

    // The token endpoint.
    let genuine = app.mi_assertion().await;
    let (status, body) = app
        .fic_token(LITWARE, MULTI_TENANT_APP, &genuine, ARM_SCOPE)
        .await;
    assert_eq!(status, 200, "the genuine assertion must pass: {body}");
    for v in Variant::ALL {
        let forged = forger.forge(v, &genuine);
        let (status, body) = app
            .fic_token(LITWARE, MULTI_TENANT_APP, &forged, ARM_SCOPE)
            .await;
        assert!(status == 400 || status == 401, "{v:?} got {status}: {body}");
        assert_eq!(code(&body), expected_code(v), "{v:?}: {body}");
        refused += 1;
    }

    // The resources.
    let tokens = [
        (Resource::Arm, app.access_token(LITWARE, ARM_SCOPE).await),
        (
            Resource::Storage,
            app.access_token(CONTOSO, STORAGE_SCOPE).await,
        ),
        (
            Resource::Graph,
            app.graph_token(CONTOSO, crate::flows::CONTOSO_ADMIN).await,
        ),
    ];
    for (resource, genuine) in &tokens {
        let (status, _) = app.call_resource(*resource, genuine).await;
        assert_eq!(status, 200, "{resource:?}: the genuine token must pass");
        for v in Variant::ALL {
            let forged = forger.forge(v, genuine);
            let answer = app.call_resource(*resource, &forged).await;
            assert_resource_refused(*resource, &format!("{v:?}"), answer);
            refused += 1;
        }
    }

    match watch.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("a jku/x5u URL was fetched: {other:?}"),
    }
    assert_eq!(refused, 4 * Variant::ALL.len());
    println!("forgery suite (HTTP): {refused} forged tokens refused, 0 key URLs fetched");
}

#[tokio::test]
async fn tokens_signed_by_a_rotated_out_key_are_refused_once_the_grace_period_ends() {
    let app = TestApp::spawn().await;
    let old_key = mock_entra::pki::load_or_create_signing_key(&app.data_dir).unwrap();
    let before = app.mi_assertion().await;
    let arm = app.access_token(LITWARE, ARM_SCOPE).await;

    let resp = app
        .client
        .post(app.http("/_mock/keys/rotate"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Within the grace period the old key still verifies.
    let (status, body) = app
        .fic_token(LITWARE, MULTI_TENANT_APP, &before, ARM_SCOPE)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.call_resource(Resource::Arm, &arm).await.0, 200);

    // A day and an hour later the grace period (24 h) is over.
    let resp = app
        .client
        .post(app.http("/_mock/clock"))
        .json(&json!({"offsetSeconds": 25 * 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let now = app.server_now().await;
    // Old-key tokens made to look fresh, so only the key can be the reason for refusal.
    let refresh = |token: &str| {
        let (h, rest) = token.split_once('.').unwrap();
        let p = rest.split('.').next().unwrap();
        use base64::Engine as _;
        let de = |s: &str| -> Value {
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(s)
                    .unwrap(),
            )
            .unwrap()
        };
        let mut claims = de(p);
        claims["iat"] = json!(now - 300);
        claims["nbf"] = json!(now - 300);
        claims["exp"] = json!(now + 3600);
        sign_jwt(&*old_key.signer, &de(h), &claims)
    };
    let (status, body) = app
        .fic_token(LITWARE, MULTI_TENANT_APP, &refresh(&before), ARM_SCOPE)
        .await;
    assert_eq!((status, code(&body)), (401, 700027), "{body}");
    assert_resource_refused(
        Resource::Arm,
        "rotated-out key",
        app.call_resource(Resource::Arm, &refresh(&arm)).await,
    );
    // The current key works.
    let fresh = app.mi_assertion().await;
    let (status, body) = app
        .fic_token(LITWARE, MULTI_TENANT_APP, &fresh, ARM_SCOPE)
        .await;
    assert_eq!(status, 200, "{body}");
}
