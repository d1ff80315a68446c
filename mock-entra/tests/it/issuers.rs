//! Issuers outside Entra over sockets (issue 14): the emulated GitHub Actions and AKS issuers
//! (their documents, GitHub's ID-token protocol, key rotation) and a real identity provider on
//! loopback whose metadata and JWKS mock-entra fetches, caches and judges (7000272, 50166,
//! 900612).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use entra_core::keys::{KeySet, sign_jwt, test_keys};
use serde_json::{Value, json};

use crate::flows::{LITWARE, LITWARE_OWN_APP, MULTI_TENANT_APP, code};
use crate::helpers::TestApp;

const ARM: &str = "https://management.azure.com/.default";
const GITHUB: &str = "https://token.actions.githubusercontent.com";
const REQUEST_TOKEN: &str = "mock-entra-actions-id-token-request-token";

impl TestApp {
    async fn mint(&self, issuer: &str, overrides: Value) -> String {
        let r = self
            .client
            .post(self.http(&format!("/_mock/issuers/{issuer}/token")))
            .json(&overrides)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    async fn put_scenario_json(&self, scenario: &Value) {
        let r = self
            .client
            .put(self.http("/_mock/scenario"))
            .json(scenario)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_emulated_github_issuer_serves_its_metadata_and_jwks_with_the_real_issuer_string() {
    let app = TestApp::spawn().await;
    let (status, meta) = app
        .get_json(&app.http("/_issuers/github/.well-known/openid-configuration"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(meta["issuer"], GITHUB);
    let jwks_uri = meta["jwks_uri"].as_str().unwrap().to_owned();
    assert_eq!(jwks_uri, app.http("/_issuers/github/.well-known/jwks"));
    let (status, jwks) = app.get_json(&jwks_uri).await;
    assert_eq!(status, 200);
    let token = app.mint("github", json!({})).await;
    let kid = token.split('.').next().map(|h| {
        use base64::Engine as _;
        let v: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .unwrap(),
        )
        .unwrap();
        v["kid"].as_str().unwrap().to_owned()
    });
    assert_eq!(jwks["keys"][0]["kid"].as_str(), kid.as_deref());
    // The AKS cluster's JWKS lives at the API server's path.
    let (status, _) = app
        .get_json(&app.http("/_issuers/aks-contoso/openid/v1/jwks"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_json(&app.http("/_issuers/nobody/.well-known/openid-configuration"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_runner_protocol_hands_out_a_github_token_that_gets_an_arm_token_in_litware() {
    let app = TestApp::spawn().await;
    let url = format!(
        "{}&audience={}",
        app.http("/_issuers/github/idtoken?api-version=2.0"),
        "api%3A%2F%2FAzureADTokenExchange"
    );
    let r = app
        .client
        .get(&url)
        .bearer_auth(REQUEST_TOKEN)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let token = body["value"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["iss"], GITHUB);
    assert_eq!(c["aud"], "api://AzureADTokenExchange");
    assert_eq!(c["sub"], "repo:litware/deploy-infra:environment:production");
    let (status, grant) = app.fic_token(LITWARE, LITWARE_OWN_APP, token, ARM).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(
        claims(grant["access_token"].as_str().unwrap())["tid"],
        LITWARE
    );

    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401, "no request token, no ID token");
}

#[tokio::test]
async fn a_projected_aks_token_gets_an_arm_token_in_litware_and_a_wrong_namespace_is_700213() {
    let app = TestApp::spawn().await;
    let token = app
        .mint(
            "aks-contoso",
            json!({"audience": "api://AzureADTokenExchange"}),
        )
        .await;
    let (status, grant) = app.fic_token(LITWARE, MULTI_TENANT_APP, &token, ARM).await;
    assert_eq!(status, 200, "{grant}");
    let other = app
        .mint(
            "aks-contoso",
            json!({"audience": "api://AzureADTokenExchange", "namespace": "default"}),
        )
        .await;
    let (status, body) = app.fic_token(LITWARE, MULTI_TENANT_APP, &other, ARM).await;
    assert_eq!((status, code(&body)), (401, 700213), "{body}");
}

#[tokio::test]
async fn rotating_an_emulated_issuers_key_without_grace_makes_its_earlier_tokens_7000272() {
    let app = TestApp::spawn().await;
    let before = app
        .mint("github", json!({"audience": "api://AzureADTokenExchange"}))
        .await;
    let r = app
        .client
        .post(app.http("/_mock/issuers/github/keys/rotate"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rotated: Value = r.json().await.unwrap();
    assert_eq!(rotated["published"].as_array().unwrap().len(), 1);
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &before, ARM).await;
    assert_eq!((status, code(&body)), (401, 7000272), "{body}");
    assert_eq!(body["error"], "invalid_client");
    let after = app
        .mint("github", json!({"audience": "api://AzureADTokenExchange"}))
        .await;
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &after, ARM).await;
    assert_eq!(status, 200, "{body}");
}

// A real identity provider on loopback: discovery and JWKS served by a small axum app.

#[derive(Clone, Default)]
struct Idp {
    issuer: Arc<Mutex<String>>,
    jwks: Arc<Mutex<Value>>,
    metadata_gets: Arc<AtomicUsize>,
}

async fn idp_metadata(State(idp): State<Idp>) -> axum::Json<Value> {
    idp.metadata_gets.fetch_add(1, Ordering::SeqCst);
    let issuer = idp.issuer.lock().unwrap().clone();
    axum::Json(json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")}))
}

async fn idp_jwks(State(idp): State<Idp>) -> String {
    let v = idp.jwks.lock().unwrap().clone();
    match v {
        Value::String(raw) => raw,
        other => other.to_string(),
    }
}

fn jwks_of(keys: &KeySet) -> Value {
    let keys: Vec<Value> = keys
        .published()
        .iter()
        .map(|k| {
            let j = k.to_jwk(None);
            json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": j.kid, "n": j.n, "e": j.e})
        })
        .collect();
    json!({ "keys": keys })
}

fn idp_token(keys: &KeySet, issuer: &str) -> String {
    let signer = keys.signer().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    sign_jwt(
        signer,
        &json!({"typ": "JWT", "kid": signer.key_id().as_str(), "alg": "RS256"}),
        &json!({"iss": issuer, "sub": "build-agent", "aud": "api://AzureADTokenExchange",
                "iat": now, "nbf": now - 10, "exp": now + 3600}),
    )
}

/// Starts the provider; returns its issuer URL and a handle that stops it.
async fn start_idp(idp: Idp) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    *idp.issuer.lock().unwrap() = issuer.clone();
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(idp_metadata))
        .route("/jwks", get(idp_jwks))
        .with_state(idp);
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (issuer, task)
}

/// The default scenario with Litware Own App trusting `issuer` for `build-agent`.
async fn trust(app: &TestApp, issuer: &str) {
    let (_, mut scenario) = app.get_json(&app.http("/_mock/scenario")).await;
    let litware = scenario["tenants"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == LITWARE)
        .unwrap();
    let own = litware["applications"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["appId"] == LITWARE_OWN_APP)
        .unwrap();
    own["federatedIdentityCredentials"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "name": "local-idp",
            "issuer": issuer,
            "subject": "build-agent",
            "audiences": ["api://AzureADTokenExchange"]
        }));
    app.put_scenario_json(&scenario).await;
}

#[tokio::test]
async fn a_fic_trusting_a_real_loopback_issuer_succeeds_with_fetched_and_cached_keys() {
    let key = test_keys::single(
        test_keys::GITHUB_ISSUER_KEY_PEM,
        test_keys::GITHUB_ISSUER_CERT_PEM,
    );
    let idp = Idp::default();
    *idp.jwks.lock().unwrap() = jwks_of(&key);
    let (issuer, server) = start_idp(idp.clone()).await;
    let app = TestApp::spawn().await;
    trust(&app, &issuer).await;

    let token = idp_token(&key, &issuer);
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &token, ARM).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.fic_token(LITWARE, LITWARE_OWN_APP, &token, ARM).await;
    assert_eq!(status, 200);
    assert_eq!(
        idp.metadata_gets.load(Ordering::SeqCst),
        1,
        "the second exchange used the cached keys"
    );

    // A key the provider does not publish: the cache is refreshed once, then 7000272.
    let rotated = test_keys::single(
        test_keys::AKS_ISSUER_KEY_PEM,
        test_keys::AKS_ISSUER_CERT_PEM,
    );
    let foreign = idp_token(&rotated, &issuer);
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &foreign, ARM).await;
    assert_eq!((status, code(&body)), (401, 7000272), "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "could not be found in the metadata of identity provider {issuer}."
            )),
        "{body}"
    );
    assert_eq!(idp.metadata_gets.load(Ordering::SeqCst), 2);

    // The provider is gone and the cache has expired: 50166.
    server.abort();
    let _ = server.await;
    let r = app
        .client
        .post(app.http("/_mock/clock"))
        .json(&json!({"offsetSeconds": 600}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &token, ARM).await;
    assert_eq!((status, code(&body)), (400, 50166), "{body}");
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn a_jwks_that_is_not_a_key_set_is_900612() {
    let idp = Idp::default();
    *idp.jwks.lock().unwrap() = Value::String("{\"keys\": \"none\"}".to_owned());
    let (issuer, _server) = start_idp(idp).await;
    let app = TestApp::spawn().await;
    trust(&app, &issuer).await;
    let key = test_keys::single(
        test_keys::GITHUB_ISSUER_KEY_PEM,
        test_keys::GITHUB_ISSUER_CERT_PEM,
    );
    let (status, body) = app
        .fic_token(LITWARE, LITWARE_OWN_APP, &idp_token(&key, &issuer), ARM)
        .await;
    assert_eq!((status, code(&body)), (400, 900612), "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS900612: Failed to parse provider signing keys."),
        "{body}"
    );
}

#[tokio::test]
async fn an_issuer_outside_loopback_over_plain_http_is_never_fetched_and_is_50166() {
    let app = TestApp::spawn().await;
    trust(&app, "http://idp.example.com").await;
    let key = test_keys::single(
        test_keys::GITHUB_ISSUER_KEY_PEM,
        test_keys::GITHUB_ISSUER_CERT_PEM,
    );
    let (status, body) = app
        .fic_token(
            LITWARE,
            LITWARE_OWN_APP,
            &idp_token(&key, "http://idp.example.com"),
            ARM,
        )
        .await;
    assert_eq!((status, code(&body)), (400, 50166), "{body}");
}

#[tokio::test]
async fn a_flexible_fic_matches_every_branch_and_answers_7002131_otherwise() {
    let app = TestApp::spawn().await;
    let (_, mut scenario) = app.get_json(&app.http("/_mock/scenario")).await;
    for t in scenario["tenants"].as_array_mut().unwrap() {
        for a in t["applications"].as_array_mut().unwrap() {
            for f in a["federatedIdentityCredentials"].as_array_mut().unwrap() {
                if f["issuer"] == GITHUB {
                    f["subject"] = Value::Null;
                    f["claimsMatchingExpression"] = json!({
                        "value": "claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*' and claims['repository_owner'] eq 'litware'",
                        "languageVersion": 1
                    });
                }
            }
        }
    }
    app.put_scenario_json(&scenario).await;
    let branch = app
        .mint(
            "github",
            json!({"audience": "api://AzureADTokenExchange", "environment": "", "ref": "refs/heads/feature/x"}),
        )
        .await;
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &branch, ARM).await;
    assert_eq!(status, 200, "{body}");
    let env_job = app
        .mint("github", json!({"audience": "api://AzureADTokenExchange"}))
        .await;
    let (status, body) = app.fic_token(LITWARE, LITWARE_OWN_APP, &env_job, ARM).await;
    assert_eq!((status, code(&body)), (401, 7002131), "{body}");
}
