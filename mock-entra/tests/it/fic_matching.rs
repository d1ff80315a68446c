//! The three FIC-exchange failures the lab teaches (issue 13 rows 1, 2 and 12), over sockets:
//! an app without a service principal at home, an MI token for the wrong resource, and a FIC
//! used before it has propagated.

use serde_json::{Value, json};

use crate::flows::{CONTOSO_ADMIN, LITWARE, MULTI_TENANT_APP, UMI_CLIENT, code};
use crate::helpers::{CONTOSO, TestApp};

const ARM: &str = "https://management.azure.com/.default";

impl TestApp {
    async fn scenario(&self) -> Value {
        self.get_json(&self.http("/_mock/scenario")).await.1
    }

    async fn put_scenario(&self, scenario: &Value) {
        let r = self
            .client
            .put(self.http("/_mock/scenario"))
            .json(scenario)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "PUT /_mock/scenario: {}",
            r.status()
        );
    }
}

/// The tenant object of `id` in a scenario's JSON.
fn tenant<'a>(scenario: &'a mut Value, id: &str) -> &'a mut Value {
    scenario["tenants"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn an_app_without_a_service_principal_in_its_home_tenant_is_refused_with_7000229() {
    let app = TestApp::spawn().await;
    let mut scenario = app.scenario().await;
    tenant(&mut scenario, CONTOSO)["servicePrincipals"]
        .as_array_mut()
        .unwrap()
        .retain(|sp| sp["appId"] != MULTI_TENANT_APP);
    app.put_scenario(&scenario).await;
    let mi = app.mi_assertion().await;
    let (status, body) = app.fic_token(CONTOSO, MULTI_TENANT_APP, &mi, ARM).await;
    assert_eq!((status, code(&body)), (401, 7000229), "{body}");
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"].as_str().unwrap().starts_with(&format!(
            "AADSTS7000229: The client application {MULTI_TENANT_APP} is missing service principal in the tenant {CONTOSO}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"
        )),
        "{body}"
    );
}

#[tokio::test]
async fn an_mi_token_for_arm_presented_to_a_fic_is_refused_on_its_audience_with_7002121() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .imds("https://management.azure.com/", Some(UMI_CLIENT))
        .await;
    assert_eq!(status, 200, "{body}");
    let arm_token = body["access_token"].as_str().unwrap();
    let (status, body) = app
        .fic_token(LITWARE, MULTI_TENANT_APP, arm_token, ARM)
        .await;
    assert_eq!((status, code(&body)), (401, 7002121), "{body}");
    assert!(
        body["error_description"].as_str().unwrap().starts_with(
            "AADSTS7002121: No matching federated identity record found for presented assertion audience 'https://management.azure.com/'"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn a_fic_created_through_graph_answers_70021_until_the_declared_propagation_delay_has_passed()
{
    let app = TestApp::spawn().await;
    // Declare a 60-second delay and take the multi-tenant app's FIC out of the scenario, so that
    // the only FIC that can match is the one created below through Graph.
    let mut scenario = app.scenario().await;
    scenario["ficPropagationSeconds"] = json!(60);
    let contoso = tenant(&mut scenario, CONTOSO);
    let multi = contoso["applications"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["appId"] == MULTI_TENANT_APP)
        .unwrap();
    let original = multi["federatedIdentityCredentials"][0].clone();
    multi["federatedIdentityCredentials"] = json!([]);
    app.put_scenario(&scenario).await;

    let graph = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let created = app
        .client
        .post(app.https(&format!(
            "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
        )))
        .bearer_auth(&graph)
        .json(&json!({
            "name": "just-created",
            "issuer": original["issuer"],
            "subject": original["subject"],
            "audiences": original["audiences"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert!(
        created.get("createdAt").is_none(),
        "the creation time is internal, not a Graph property: {created}"
    );

    let mi = app.mi_assertion().await;
    let (status, body) = app.fic_token(LITWARE, MULTI_TENANT_APP, &mi, ARM).await;
    assert_eq!((status, code(&body)), (400, 70021), "{body}");
    assert_eq!(body["error"], "invalid_request");

    let r = app
        .client
        .post(app.http("/_mock/clock"))
        .json(&json!({"offsetSeconds": 61}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = app.fic_token(LITWARE, MULTI_TENANT_APP, &mi, ARM).await;
    assert_eq!(status, 200, "after the delay the retry succeeds: {body}");
}
