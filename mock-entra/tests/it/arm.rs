//! Resource Manager over sockets: the cloud metadata document, RBAC filtering of tenants,
//! subscriptions and resource groups, ARM's error envelopes and the `api-version` rule.

use serde_json::Value;

use crate::flows::{LITWARE, MULTI_TENANT_APP};
use crate::helpers::TestApp;

const LITWARE_SUB: &str = "3f8e2d1c-0b9a-4877-a665-544332211a0b";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
/// Litware's "Playground Admin" app: a service principal with no Azure role.
const LITWARE_ADMIN: (&str, &str) = (
    "0c4e8a2b-6d1f-4c3a-9e5b-7a9c1e3f5b02",
    "pga8Q~LitwarePlaygroundAdminSecret00000000000002",
);

impl TestApp {
    /// The multi-tenant app's ARM token in Litware, through the FIC exchange (seed 002).
    async fn litware_arm_token(&self) -> String {
        let assertion = self.mi_assertion().await;
        let (status, body) = self
            .fic_token(LITWARE, MULTI_TENANT_APP, &assertion, ARM_SCOPE)
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// An ARM token for Litware's Playground Admin (client secret): valid, but no role.
    async fn roleless_arm_token(&self) -> String {
        let (status, body) = self
            .token(
                LITWARE,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", LITWARE_ADMIN.0),
                    ("client_secret", LITWARE_ADMIN.1),
                    ("scope", ARM_SCOPE),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn arm(&self, method: reqwest::Method, path: &str, token: &str) -> (u16, String) {
        let resp = self
            .client
            .request(method, self.https(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    async fn arm_get(&self, path: &str, token: &str) -> (u16, Value) {
        let (status, text) = self.arm(reqwest::Method::GET, path, token).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn names<'a>(body: &'a Value, key: &str) -> Vec<&'a str> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_metadata_endpoint_describes_the_mock_as_a_cloud_in_each_shape() {
    let app = TestApp::spawn().await;
    let base = app.running.https_base.trim_end_matches('/').to_owned();
    let (status, doc) = app
        .get_json(&app.https("/metadata/endpoints?api-version=2022-09-01"))
        .await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["authentication"]["loginEndpoint"], base.as_str());
    assert_eq!(doc["resourceManager"], format!("{base}/"));
    assert_eq!(doc["name"], "AzureCloud");
    assert_eq!(
        doc["authentication"]["audiences"][0],
        "https://management.core.windows.net/"
    );

    let (status, list) = app
        .get_json(&app.https("/metadata/endpoints?api-version=2019-05-01"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["authentication"]["loginEndpoint"], base.as_str());

    let (status, stack) = app
        .get_json(&app.https("/metadata/endpoints?api-version=2015-01-01"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        stack["authentication"]["loginEndpoint"],
        format!("{base}/").as_str()
    );

    // No token needed, but api-version is, in ARM's envelope.
    let (status, err) = app.get_json(&app.https("/metadata/endpoints")).await;
    assert_eq!(
        (status, error_code(&err)),
        (400, "MissingApiVersionParameter")
    );
    let (status, err) = app
        .get_json(&app.https("/metadata/endpoints?api-version=2099-01-01"))
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (400, "InvalidApiVersionParameter")
    );
}

#[tokio::test]
async fn the_litware_app_sees_its_tenant_its_subscription_and_only_its_group() {
    let app = TestApp::spawn().await;
    let token = app.litware_arm_token().await;

    let (status, tenants) = app.arm_get("/tenants?api-version=2022-12-01", &token).await;
    assert_eq!(status, 200, "{tenants}");
    assert_eq!(names(&tenants, "tenantId"), [LITWARE]);

    let (status, subs) = app
        .arm_get("/subscriptions?api-version=2022-12-01", &token)
        .await;
    assert_eq!(status, 200, "{subs}");
    assert_eq!(names(&subs, "subscriptionId"), [LITWARE_SUB]);

    let (status, sub) = app
        .arm_get(
            &format!("/subscriptions/{LITWARE_SUB}?api-version=2022-12-01"),
            &token,
        )
        .await;
    assert_eq!(
        (status, sub["displayName"].as_str()),
        (200, Some("Litware Shared Services"))
    );

    // ARM's paths are case-insensitive, and so are resource group names.
    let (status, groups) = app
        .arm_get(
            &format!("/SUBSCRIPTIONS/{LITWARE_SUB}/resourcegroups?api-version=2024-11-01"),
            &token,
        )
        .await;
    assert_eq!(status, 200, "{groups}");
    assert_eq!(names(&groups, "name"), ["NetworkWatcherRG"]);
    let (status, rg) = app
        .arm_get(
            &format!("/subscriptions/{LITWARE_SUB}/resourcegroups/networkwatcherrg?api-version=2024-11-01"),
            &token,
        )
        .await;
    assert_eq!(
        (status, rg["name"].as_str()),
        (200, Some("NetworkWatcherRG"))
    );

    let (status, ra) = app
        .arm_get(
            &format!("/subscriptions/{LITWARE_SUB}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"),
            &token,
        )
        .await;
    assert_eq!(status, 200, "{ra}");
    assert_eq!(
        ra["value"][0]["properties"]["principalId"],
        "9b5c2d4e-6f7a-4b8c-9d0e-1f2a3b4c5477"
    );
}

#[tokio::test]
async fn head_on_a_resource_group_answers_204_404_and_403_without_a_body() {
    let app = TestApp::spawn().await;
    let token = app.litware_arm_token().await;
    let head = |name: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            app.arm(
                reqwest::Method::HEAD,
                &format!(
                    "/subscriptions/{LITWARE_SUB}/resourcegroups/{name}?api-version=2024-11-01"
                ),
                &token,
            )
            .await
        }
    };
    assert_eq!(head("NetworkWatcherRG").await, (204, String::new()));
    // Reader on one group: ARM authorises before it looks, so another group is 403.
    assert_eq!(head("rg-litware-data").await.0, 403);
    assert_eq!(head("rg-nowhere").await.0, 403);
}

#[tokio::test]
async fn a_principal_without_a_role_sees_no_subscription_and_gets_authorization_failed() {
    let app = TestApp::spawn().await;
    let token = app.roleless_arm_token().await;
    let (status, subs) = app
        .arm_get("/subscriptions?api-version=2022-12-01", &token)
        .await;
    assert_eq!(status, 200);
    assert!(subs["value"].as_array().unwrap().is_empty(), "{subs}");

    let (status, err) = app
        .arm_get(
            &format!("/subscriptions/{LITWARE_SUB}/resourcegroups?api-version=2024-11-01"),
            &token,
        )
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (403, "AuthorizationFailed"),
        "{err}"
    );
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'Microsoft.Resources/subscriptions/resourcegroups/read'")
    );

    let (status, err) = app
        .arm_get(
            &format!("/subscriptions/{LITWARE_SUB}?api-version=2022-12-01"),
            &token,
        )
        .await;
    assert_eq!((status, error_code(&err)), (404, "SubscriptionNotFound"));
}

#[tokio::test]
async fn arm_errors_come_in_arms_envelope_with_arms_status_codes() {
    let app = TestApp::spawn().await;
    let token = app.litware_arm_token().await;
    let cases: [(&str, u16, &str); 7] = [
        ("/subscriptions", 400, "MissingApiVersionParameter"),
        (
            "/subscriptions?api-version=2099-01-01",
            400,
            "InvalidApiVersionParameter",
        ),
        (
            "/subscriptions/not-a-guid?api-version=2022-12-01",
            400,
            "InvalidSubscriptionId",
        ),
        (
            "/subscriptions/00000000-0000-4000-8000-000000000000?api-version=2022-12-01",
            404,
            "SubscriptionNotFound",
        ),
        (
            // Contoso's subscription with Litware's token.
            "/subscriptions/5c0e8b7a-1d2f-4a3b-9c8d-7e6f5a4b3c2d/resourcegroups?api-version=2024-11-01",
            401,
            "InvalidAuthenticationTokenTenant",
        ),
        (
            "/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01",
            403,
            "AuthorizationFailed",
        ),
        (
            "/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/providers/Microsoft.Authorization/roleAssignments?api-version=2024-11-01",
            400,
            "InvalidApiVersionParameter",
        ),
    ];
    for (path, status, code) in cases {
        let (got, body) = app.arm_get(path, &token).await;
        assert_eq!((got, error_code(&body)), (status, code), "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
    }

    // No token at all: 401 with ARM's challenge.
    let resp = app
        .client
        .get(app.https("/subscriptions?api-version=2022-12-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("www-authenticate").is_some());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body), "AuthenticationFailed");
}
