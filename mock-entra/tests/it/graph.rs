//! Graph FIC CRUD and rule violations, with Graph tokens the mock issued.

use serde_json::{Value, json};

use crate::flows::{CONTOSO_ADMIN, MULTI_TENANT_APP};
use crate::helpers::{CONTOSO, TestApp};

async fn send(app: &TestApp, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = app;
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn fic_crud_and_upsert_through_applications_by_app_id() {
    let app = TestApp::spawn().await;
    let token = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let base = app.https(&format!(
        "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
    ));

    let (status, list) = send(&app, app.client.get(&base).bearer_auth(&token)).await;
    assert_eq!(status, 200, "{list}");
    let before = list["value"].as_array().unwrap().len();

    let fic = json!({"name": "gh-main", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/app:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]});
    let (status, created) = send(&app, app.client.post(&base).bearer_auth(&token).json(&fic)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, got) = send(
        &app,
        app.client.get(format!("{base}/{id}")).bearer_auth(&token),
    )
    .await;
    assert_eq!((status, got["name"].as_str()), (200, Some("gh-main")));

    let (status, _) = send(
        &app,
        app.client
            .patch(format!("{base}/{id}"))
            .bearer_auth(&token)
            .json(&json!({"description": "main branch"})),
    )
    .await;
    assert_eq!(status, 204);

    // Duplicate name: rule violation.
    let (status, err) = send(&app, app.client.post(&base).bearer_auth(&token).json(&fic)).await;
    assert!(status >= 400, "{err}");
    assert!(
        err["error"]["code"].is_string() && err["error"]["innerError"]["request-id"].is_string(),
        "{err}"
    );

    // Upsert by name with Prefer: create-if-missing.
    let upsert = json!({"name": "gh-release", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/app:environment:prod", "audiences": ["api://AzureADTokenExchange"]});
    let (status, body) = send(
        &app,
        app.client
            .patch(format!("{base}/(name='gh-release')"))
            .bearer_auth(&token)
            .header("Prefer", "create-if-missing")
            .json(&upsert),
    )
    .await;
    assert!(status == 201 || status == 204, "{status} {body}");

    let (_, list) = send(&app, app.client.get(&base).bearer_auth(&token)).await;
    assert_eq!(list["value"].as_array().unwrap().len(), before + 2);

    let (status, _) = send(
        &app,
        app.client
            .delete(format!("{base}/{id}"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        app.client.get(format!("{base}/{id}")).bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn fic_rule_violations_answer_with_graph_errors() {
    let app = TestApp::spawn().await;
    let token = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let base = app.https(&format!(
        "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
    ));
    let bad = [
        json!({"name": "two-audiences", "issuer": "https://issuer.example", "subject": "s", "audiences": ["a", "b"]}),
        json!({"name": "no-subject", "issuer": "https://issuer.example", "audiences": ["api://AzureADTokenExchange"]}),
        json!({"name": "bad/name", "issuer": "https://issuer.example", "subject": "s", "audiences": ["api://AzureADTokenExchange"]}),
    ];
    for body in bad {
        let (status, err) =
            send(&app, app.client.post(&base).bearer_auth(&token).json(&body)).await;
        assert_eq!(status, 400, "{body} -> {err}");
        assert!(err["error"]["code"].is_string(), "{err}");
    }
}

#[tokio::test]
async fn graph_needs_a_graph_token_with_a_role() {
    let app = TestApp::spawn().await;
    let url = app.https("/v1.0/applications");
    let (status, err) = send(&app, app.client.get(&url)).await;
    assert_eq!(status, 401, "{err}");
    assert!(err["error"]["code"].is_string());
    // A token for another resource is refused too.
    let assertion = app.mi_assertion().await;
    let (_, arm) = app
        .fic_token(
            CONTOSO,
            MULTI_TENANT_APP,
            &assertion,
            "https://management.azure.com/.default",
        )
        .await;
    let (status, _) = send(
        &app,
        app.client
            .get(&url)
            .bearer_auth(arm["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 401);
    // Reachable under the graph.microsoft.com-style prefix.
    let token = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let (status, _) = send(
        &app,
        app.client
            .get(app.https("/graph/v1.0/applications"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200);
}
