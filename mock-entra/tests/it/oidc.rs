//! Discovery documents, JWKS and instance discovery.

use crate::helpers::{CONTOSO, TestApp};

#[tokio::test]
async fn v2_discovery_points_at_the_mock_with_entra_issuer() {
    let app = TestApp::spawn().await;
    let (status, doc) = app
        .get_json(&app.https(&format!("/{CONTOSO}/v2.0/.well-known/openid-configuration")))
        .await;
    assert_eq!(status, 200);
    let base = &app.running.https_base;
    assert_eq!(
        doc["issuer"],
        format!("https://login.microsoftonline.com/{CONTOSO}/v2.0")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/{CONTOSO}/oauth2/v2.0/token")
    );
    assert_eq!(
        doc["jwks_uri"],
        format!("{base}/{CONTOSO}/discovery/v2.0/keys")
    );
    assert!(
        doc["authorization_endpoint"]
            .as_str()
            .unwrap()
            .starts_with(base)
    );
}

#[tokio::test]
async fn discovery_by_verified_domain_carries_the_guid() {
    let app = TestApp::spawn().await;
    let (status, doc) = app
        .get_json(&app.https("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(status, 200);
    assert!(doc["token_endpoint"].as_str().unwrap().contains(CONTOSO));
}

#[tokio::test]
async fn common_documents_have_templated_issuers() {
    let app = TestApp::spawn().await;
    let (_, v2) = app
        .get_json(&app.https("/common/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(
        v2["issuer"],
        "https://login.microsoftonline.com/{tenantid}/v2.0"
    );
    assert!(v2["tenant_region_scope"].is_null());
    let (_, v1) = app
        .get_json(&app.https("/organizations/.well-known/openid-configuration"))
        .await;
    assert_eq!(v1["issuer"], "https://sts.windows.net/{tenantid}/");
}

#[tokio::test]
async fn mock_issuer_mode_uses_the_https_origin() {
    let app = TestApp::spawn_with(|c| c.issuer_mode = mock_entra::IssuerModeArg::Mock).await;
    let (_, doc) = app
        .get_json(&app.https(&format!("/{CONTOSO}/v2.0/.well-known/openid-configuration")))
        .await;
    assert_eq!(
        doc["issuer"],
        format!("{}/{CONTOSO}/v2.0", app.running.https_base)
    );
}

#[tokio::test]
async fn unknown_tenant_is_aadsts90002_invalid_tenant() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.https("/nope.onmicrosoft.com/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_tenant");
    assert_eq!(body["error_codes"], serde_json::json!([90002]));
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with("AADSTS90002: Tenant 'nope.onmicrosoft.com' not found."));
    assert!(!desc.contains('\r') && !desc.contains('\n'));
}

#[tokio::test]
async fn malformed_tenant_is_aadsts900023() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get_json(&app.https("/not_a_tenant/discovery/v2.0/keys"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error_codes"], serde_json::json!([900023]));
}

#[tokio::test]
async fn jwks_publish_the_signing_key_with_and_without_issuer() {
    let app = TestApp::spawn().await;
    let (status, v2) = app
        .get_json(&app.https(&format!("/{CONTOSO}/discovery/v2.0/keys")))
        .await;
    assert_eq!(status, 200);
    let key = &v2["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["e"], "AQAB");
    assert_eq!(
        key["issuer"],
        format!("https://login.microsoftonline.com/{CONTOSO}/v2.0")
    );
    let (_, common) = app
        .get_json(&app.https("/common/discovery/v2.0/keys"))
        .await;
    assert_eq!(
        common["keys"][0]["issuer"],
        "https://login.microsoftonline.com/{tenantid}/v2.0"
    );
    let (_, v1) = app.get_json(&app.https("/common/discovery/keys")).await;
    assert!(v1["keys"][0].get("issuer").is_none());
    assert_eq!(v1["keys"][0]["kid"], key["kid"]);
}

#[tokio::test]
async fn instance_discovery_answers_for_its_own_host() {
    let app = TestApp::spawn().await;
    let url = app.https(&format!(
        "/common/discovery/instance?api-version=1.1&authorization_endpoint=https://localhost/{CONTOSO}/oauth2/v2.0/authorize"
    ));
    let (status, doc) = app.get_json(&url).await;
    assert_eq!(status, 200);
    assert_eq!(doc["api-version"], "1.1");
    assert_eq!(
        doc["tenant_discovery_endpoint"],
        format!(
            "{}/{CONTOSO}/v2.0/.well-known/openid-configuration",
            app.running.https_base
        )
    );
    assert_eq!(doc["metadata"][0]["preferred_network"], "localhost");
}

#[tokio::test]
async fn unknown_paths_answer_in_json_never_plain_text() {
    let app = TestApp::spawn().await;
    for (path, status) in [
        ("/nope", 404),
        ("/v1.0/nothing", 400),
        ("/subscriptions/x/nothing", 404),
        ("/_mock/nothing", 404),
    ] {
        let resp = app.client.get(app.https(path)).send().await.unwrap();
        assert_eq!(resp.status(), status, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
    }
    let resp = app
        .client
        .delete(app.https(&format!("/{CONTOSO}/discovery/v2.0/keys")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}
