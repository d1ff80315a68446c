//! The forged-token suite over real sockets: every variant of `entra_core::forgery` posted as a
//! client assertion to the v2.0 token endpoint and sent as a bearer token to Resource Manager,
//! Storage and Graph, plus a key rotated out past its grace period; none may be accepted, and
//! no `jku`/`x5u` URL is ever fetched.

use std::io::ErrorKind;

use base64::Engine as _;
use entra_core::forgery::{Forger, Variant};
use entra_core::keys::{PublishedKey, sign_jwt, test_keys};
use serde_json::{Value, json};

use crate::flows::{CONTOSO_ADMIN, LITWARE, MULTI_TENANT_APP, code};
use crate::helpers::{CONTOSO, TestApp};

const ARM_SCOPE: &str = "https://management.azure.com/.default";
const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
const ARM_URL: &str =
    "/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01";
const STORAGE_URL: &str = "/blob/contosodata/reports?restype=container&comp=list";

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
        assert_eq!(
            code(&body),
            u64::from(v.refusal_as_federated_assertion().code()),
            "{v:?}: {body}"
        );
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
            app.graph_token(CONTOSO, CONTOSO_ADMIN).await,
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

#[tokio::test]
async fn no_forged_certificate_assertion_is_accepted_over_http() {
    let app = TestApp::spawn().await;
    // Register the fixture certificate on the Contoso admin app through the control API.
    let (status, mut scenario) = app.get_json(&app.http("/_mock/scenario")).await;
    assert_eq!(status, 200);
    let cert_der = test_keys::pem_der(test_keys::CERT_PEM);
    let mut registered = false;
    for tenant in scenario["tenants"].as_array_mut().unwrap() {
        for a in tenant["applications"].as_array_mut().unwrap() {
            if a["appId"] == CONTOSO_ADMIN.0 {
                a["keyCredentials"] = json!([{
                    "keyId": "7b0c6e2a-0000-4000-8000-000000000007",
                    "displayName": "CN=test",
                    "key": base64::engine::general_purpose::STANDARD.encode(&cert_der),
                }]);
                registered = true;
            }
        }
    }
    assert!(registered);
    let resp = app
        .client
        .put(app.http("/_mock/scenario"))
        .json(&scenario)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());

    let keys = test_keys::key_set();
    let signer = keys.signer().unwrap();
    let kid = signer.key_id().as_str();
    let now = app.server_now().await;
    let genuine = sign_jwt(
        signer,
        &json!({"alg": "RS256", "typ": "JWT", "x5t": kid}),
        &json!({
            "aud": format!("https://login.microsoftonline.com/{CONTOSO}/oauth2/v2.0/token"),
            "iss": CONTOSO_ADMIN.0, "sub": CONTOSO_ADMIN.0, "jti": "1",
            "iat": now, "nbf": now, "exp": now + 600,
        }),
    );
    let form = |assertion: &str| {
        vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), CONTOSO_ADMIN.0.to_owned()),
            (
                "scope".to_owned(),
                "https://graph.microsoft.com/.default".to_owned(),
            ),
            (
                "client_assertion_type".to_owned(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion".to_owned(), assertion.to_owned()),
        ]
    };
    let post = |assertion: String| {
        let req = app
            .client
            .post(app.https(&format!("/{CONTOSO}/oauth2/v2.0/token")))
            .form(&form(&assertion));
        async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(genuine.clone()).await;
    assert_eq!(
        status, 200,
        "the genuine certificate assertion must pass: {body}"
    );

    let watch = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    watch.set_nonblocking(true).unwrap();
    let attacker_url = format!("http://{}/keys", watch.local_addr().unwrap());
    let (attacker_der, attacker_cert_der) = mock_entra::pki::generate_signing_key().unwrap();
    let attacker = mock_entra::pki::signing_key_from_der(attacker_der, &attacker_cert_der).unwrap();
    let unpublished =
        PublishedKey::from_certificate(&test_keys::pem_der(test_keys::OTHER_CERT_PEM)).unwrap();
    let forger = Forger {
        genuine: signer,
        genuine_cert: &keys.published()[0],
        attacker: &*attacker.signer,
        attacker_cert: &attacker.published,
        unpublished_cert: &unpublished,
        attacker_url: &attacker_url,
        now,
    };
    let mut refused = 0usize;
    for v in Variant::ALL {
        let (status, body) = post(forger.forge(v, &genuine)).await;
        assert!(status == 400 || status == 401, "{v:?} got {status}: {body}");
        assert_eq!(
            code(&body),
            u64::from(v.refusal_as_certificate_assertion().code()),
            "{v:?}: {body}"
        );
        refused += 1;
    }
    match watch.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("a jku/x5u URL was fetched: {other:?}"),
    }
    println!("forgery suite (HTTP, certificate assertions): {refused} forged tokens refused");
}
