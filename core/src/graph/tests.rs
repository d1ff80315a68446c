//! Tests of the Graph operations over the default scenario, driven through the engine with real
//! requests: the wire answer of every operation (status, `Location`, body bytes) is pinned by one
//! transcript snapshot, so that how the bodies are built can change without the wire changing.

use serde_json::Value;

use crate::testutil::engine::Harness;
use crate::testutil::{CONTOSO, CONTOSO_ADMIN, CONTOSO_ADMIN_SECRET, MULTI_TENANT_APP, directory};

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// One engine over the default scenario, a Graph token for Contoso's admin app, and a transcript
/// of every exchange.
struct Session {
    harness: Harness,
    token: String,
    transcript: String,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: Value,
}

impl Session {
    fn start() -> Session {
        let harness = Harness::new(directory());
        let out = harness.token(
            &CONTOSO.to_string(),
            &format!(
                "grant_type=client_credentials&client_id={CONTOSO_ADMIN}&client_secret={CONTOSO_ADMIN_SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            ),
        );
        assert_eq!(out.status, 200, "{}", out.text());
        let token = out.json["access_token"].as_str().unwrap().to_owned();
        Session {
            harness,
            token,
            transcript: String::new(),
        }
    }

    /// Sends a Graph request with the admin token and appends the answer to the transcript.
    fn call(&mut self, method: &str, uri: &str, extra: &[(&str, &str)], body: &str) -> Answer {
        let bearer = format!("Bearer {}", self.token);
        let mut headers = vec![
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ];
        headers.extend_from_slice(extra);
        let a = self.harness.request(method, uri, &headers, body.as_bytes());
        let location = a.header("location").map(str::to_owned);
        self.transcript
            .push_str(&format!("### {method} {uri}\n{}\n", a.status));
        if let Some(l) = &location {
            self.transcript.push_str(&format!("location: {l}\n"));
        }
        self.transcript.push_str(&a.text());
        self.transcript.push_str("\n\n");
        Answer {
            status: a.status,
            location,
            body: a.json,
        }
    }
}

#[test]
fn every_graph_operation_answers_on_the_wire_as_pinned() {
    let mut s = Session::start();
    let by_app_id = format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')");

    let list = s.call("GET", "/v1.0/applications", &[], "");
    assert_eq!(list.status, 200);
    s.call(
        "GET",
        &format!("/v1.0/applications?$filter=appId%20eq%20'{MULTI_TENANT_APP}'"),
        &[],
        "",
    );
    s.call("GET", &by_app_id, &[], "");

    let created = s.call(
        "POST",
        "/v1.0/applications",
        &[],
        r#"{"displayName":"Wire app","api":{"requestedAccessTokenVersion":2}}"#,
    );
    assert_eq!(created.status, 201);
    assert!(created.location.is_some());
    let new_id = created.body["id"].as_str().unwrap().to_owned();
    let new_app_id = created.body["appId"].as_str().unwrap().to_owned();
    s.call(
        "PATCH",
        &format!("/v1.0/applications/{new_id}"),
        &[],
        r#"{"displayName":"Wire app, renamed"}"#,
    );
    s.call("GET", &format!("/v1.0/applications/{new_id}"), &[], "");

    let fics = format!("{by_app_id}/federatedIdentityCredentials");
    s.call("GET", &fics, &[], "");
    let fic = s.call(
        "POST",
        &fics,
        &[],
        r#"{"name":"gh-main","issuer":"https://token.actions.githubusercontent.com","subject":"repo:contoso/app:ref:refs/heads/main","audiences":["api://AzureADTokenExchange"],"description":"main branch"}"#,
    );
    assert_eq!(fic.status, 201);
    let fic_id = fic.body["id"].as_str().unwrap().to_owned();
    s.call("GET", &format!("{fics}/{fic_id}"), &[], "");
    s.call("GET", &format!("{fics}/gh-main"), &[], "");
    s.call(
        "PATCH",
        &format!("{fics}/(name='gh-release')"),
        &[("prefer", "create-if-missing")],
        r#"{"issuer":"https://token.actions.githubusercontent.com","subject":"repo:contoso/app:environment:prod","audiences":["api://AzureADTokenExchange"]}"#,
    );
    s.call(
        "PATCH",
        &format!("{fics}/{fic_id}"),
        &[],
        r#"{"description":"patched"}"#,
    );
    s.call("GET", &fics, &[], "");
    s.call("DELETE", &format!("{fics}/{fic_id}"), &[], "");

    let sps = s.call("GET", "/v1.0/servicePrincipals", &[], "");
    let graph = sps.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sp| sp["appId"] == GRAPH_APP_ID)
        .unwrap()
        .clone();
    let role = graph["appRoles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "Application.Read.All")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.call(
        "GET",
        &format!("/v1.0/servicePrincipals?$filter=appId%20eq%20'{MULTI_TENANT_APP}'"),
        &[],
        "",
    );
    let sp = s.call(
        "POST",
        "/v1.0/servicePrincipals",
        &[],
        &format!(r#"{{"appId":"{new_app_id}"}}"#),
    );
    assert_eq!(sp.status, 201);
    let sp_id = sp.body["id"].as_str().unwrap().to_owned();
    s.call("GET", &format!("/v1.0/servicePrincipals/{sp_id}"), &[], "");
    let assignment = s.call(
        "POST",
        &format!("/v1.0/servicePrincipals/{sp_id}/appRoleAssignments"),
        &[],
        &format!(
            r#"{{"principalId":"{sp_id}","resourceId":"{}","appRoleId":"{role}"}}"#,
            graph["id"].as_str().unwrap()
        ),
    );
    assert_eq!(assignment.status, 201);
    s.call(
        "GET",
        &format!("/v1.0/servicePrincipals/{sp_id}/appRoleAssignments"),
        &[],
        "",
    );
    s.call("GET", "/v1.0/devices", &[], "");
    s.call("GET", "/v1.0/applications/not-a-guid", &[], "");
    s.call(
        "GET",
        "/v1.0/servicePrincipals?$filter=startswith(displayName,'a')",
        &[],
        "",
    );

    insta::assert_snapshot!(s.transcript);
}

#[test]
fn graph_never_echoes_a_secret_or_a_certificate() {
    let mut s = Session::start();
    let list = s.call("GET", "/v1.0/applications", &[], "");
    let apps = list.body["value"].as_array().unwrap();
    let with_secret = apps
        .iter()
        .find(|a| !a["passwordCredentials"].as_array().unwrap().is_empty())
        .expect("the admin app has a secret");
    for p in with_secret["passwordCredentials"].as_array().unwrap() {
        assert_eq!(p["secretText"], Value::Null);
    }
    assert!(!list.body.to_string().contains(CONTOSO_ADMIN_SECRET));
    for a in apps {
        for k in a["keyCredentials"].as_array().unwrap() {
            assert_eq!(k["key"], Value::Null);
        }
    }
}

#[test]
fn a_flexible_fic_reads_back_with_a_null_subject() {
    let mut s = Session::start();
    let fics =
        format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials");
    let created = s.call(
        "POST",
        &fics,
        &[],
        r#"{"name":"flexible-main","issuer":"https://token.actions.githubusercontent.com",
            "subject":null,"audiences":["api://AzureADTokenExchange"],
            "claimsMatchingExpression":{"value":"claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'","languageVersion":1}}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["subject"], Value::Null);
    let listed = s.call("GET", &fics, &[], "");
    let flexible = listed.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "flexible-main")
        .expect("the flexible FIC is listed");
    assert_eq!(flexible["subject"], Value::Null);
    let exact = listed.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] != "flexible-main")
        .expect("the app's exact-subject FIC is listed");
    assert!(exact["subject"].as_str().is_some_and(|s| !s.is_empty()));
}
