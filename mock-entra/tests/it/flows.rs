//! The seeds' flows over real sockets: managed identity -> federated credential -> resource.

use serde_json::Value;

use crate::helpers::{CONTOSO, TestApp};

pub const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
pub const FABRIKAM: &str = "7a1d3c5e-9b2f-4e6a-8c0d-1f3e5a7b9c24";
pub const UMI_CLIENT: &str = "f31c6e2a-5b4d-4a8e-9f10-7c2d8e1a0d43";
pub const MULTI_TENANT_APP: &str = "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f";
pub const LITWARE_OWN_APP: &str = "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57";
pub const CUSTOM_AUDIENCE_APP: &str = "a1c3e5f7-0b2d-4f68-9a1c-3e5f7b9d1f35";
pub const FEDERATION_API: &str = "d788405b-c575-41d1-83a9-83e8cbab062e";
pub const APP_SERVICE_HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";
pub const CONTOSO_ADMIN: (&str, &str) = (
    "0c4e8a2b-6d1f-4c3a-9e5b-7a9c1e3f5b01",
    "pga8Q~ContosoPlaygroundAdminSecret00000000000001",
);
const EXCHANGE: &str = "api://AzureADTokenExchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl TestApp {
    /// `GET /metadata/identity/oauth2/token` as azure-identity sends it.
    pub async fn imds(&self, resource: &str, client_id: Option<&str>) -> (u16, Value) {
        let mut url = format!(
            "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}",
            self.running.http_base
        );
        if let Some(c) = client_id {
            url.push_str(&format!("&client_id={c}"));
        }
        let resp = self
            .client
            .get(url)
            .header("Metadata", "true")
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn mi_assertion(&self) -> String {
        let (status, body) = self.imds(EXCHANGE, Some(UMI_CLIENT)).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A v2.0 token request (extra telemetry fields included, as MSAL sends them).
    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let mut all: Vec<(&str, &str)> = form.to_vec();
        all.extend([
            ("x-client-SKU", "MSAL.Node"),
            ("x-client-VER", "5.6.0"),
            ("client-request-id", "0b7f4d0e-1111-4222-8333-944445555666"),
        ]);
        let resp = self
            .client
            .post(self.https(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(&all)
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn fic_token(
        &self,
        tenant: &str,
        client_id: &str,
        assertion: &str,
        scope: &str,
    ) -> (u16, Value) {
        self.token(
            tenant,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
                ("scope", scope),
            ],
        )
        .await
    }

    pub async fn graph_token(&self, tenant: &str, (client, secret): (&str, &str)) -> String {
        let (status, body) = self
            .token(
                tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client),
                    ("client_secret", secret),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }
}

pub fn code(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn imds_answers_400_without_the_metadata_header() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.http("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    // What Azure SDKs' IMDS probes and test doubles see (`bad_request_102` is the legacy VM extension's).
    assert_eq!(
        body,
        serde_json::json!({"error": "invalid_request", "error_description": "Required metadata header not specified"})
    );
}

#[tokio::test]
async fn imds_token_has_string_values_and_works_lowercased_with_trailing_slash() {
    let app = TestApp::spawn().await;
    let (status, body) = app.imds(EXCHANGE, None).await;
    assert_eq!(status, 200, "{body}");
    for k in [
        "access_token",
        "client_id",
        "expires_in",
        "expires_on",
        "ext_expires_in",
        "not_before",
        "resource",
        "token_type",
    ] {
        assert!(body[k].is_string(), "{k}: {body}");
    }
    assert_eq!(body["client_id"], UMI_CLIENT);
    assert_eq!(body["resource"], EXCHANGE);
    let url = format!(
        "{}/Metadata/identity/oauth2/token/?api-version=2018-02-01&resource={EXCHANGE}",
        app.running.http_base
    );
    let resp = app
        .client
        .get(url)
        .header("metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .get(app.http(&format!("/hosts/vm-contoso/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}")))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = app
        .imds(EXCHANGE, Some("00000000-0000-0000-0000-000000000001"))
        .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("Identity not found"))
    );
}

#[tokio::test]
async fn imds_serves_its_cached_token_with_a_shrinking_expires_in_until_bypass_cache() {
    let clock = std::sync::Arc::new(mock_entra::ManualClock::new(
        entra_core::time::UnixTime::from_secs(1_767_225_600),
    ));
    let c = clock.clone();
    let app = TestApp::spawn_with(|cfg| cfg.clock = Some(c)).await;
    let (status, first) = app.imds(EXCHANGE, Some(UMI_CLIENT)).await;
    assert_eq!(status, 200, "{first}");
    clock.advance(100);
    let (_, second) = app.imds(EXCHANGE, Some(UMI_CLIENT)).await;
    assert_eq!(second["access_token"], first["access_token"]);
    let secs = |v: &Value| v["expires_in"].as_str().unwrap().parse::<i64>().unwrap();
    assert_eq!(secs(&first) - secs(&second), 100);
    let (status, fresh) = app
        .imds(&format!("{EXCHANGE}&bypass_cache=true"), Some(UMI_CLIENT))
        .await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["access_token"], first["access_token"]);
    assert_eq!(secs(&fresh), 86_400);
}

#[tokio::test]
async fn imds_passes_an_entra_refusal_through_and_app_service_hides_it_behind_a_500() {
    let app = TestApp::spawn().await;
    let (status, body) = app.imds("https://nowhere.example/", Some(UMI_CLIENT)).await;
    assert_eq!((status, code(&body)), (400, 500011), "{body}");
    let resp = app
        .client
        .get(app.http("/msi/token?api-version=2019-08-01&resource=https://nowhere.example/"))
        .header("X-IDENTITY-HEADER", APP_SERVICE_HEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["message"],
        "An unexpected error occured while fetching the AAD Token."
    );
}

#[tokio::test]
async fn imds_rejects_forwarded_requests() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.http(&format!(
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}"
        )))
        .header("Metadata", "true")
        .header("X-Forwarded-For", "10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // UNCONFIRMED body (the docs only say "rejected by the service"): IMDS's 400 shape.
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error": "bad_request", "error_description": "Requests with an X-Forwarded-For header are not allowed"})
    );
}

#[tokio::test]
async fn imds_metadata_documents_are_string_valued() {
    let app = TestApp::spawn().await;
    for path in [
        "/metadata/instance?api-version=2021-02-01",
        "/metadata/instance/compute?api-version=2021-02-01",
        "/metadata/identity/info?api-version=2018-02-01",
    ] {
        let resp = app
            .client
            .get(app.http(path))
            .header("Metadata", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let v: Value = app
        .client
        .get(app.http("/metadata/versions"))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["apiVersions"].as_array().unwrap().len() > 5);
    let (_, info) = {
        let r = app
            .client
            .get(app.http("/metadata/identity/info?api-version=2018-02-01"))
            .header("Metadata", "true")
            .send()
            .await
            .unwrap();
        (0, r.json::<Value>().await.unwrap())
    };
    assert_eq!(info["tenantId"], CONTOSO);
}

#[tokio::test]
async fn seed_002_contoso_storage_then_litware_own_app_fails_then_litware_arm_lists_networkwatcherrg()
 {
    let app = TestApp::spawn().await;
    let assertion = app.mi_assertion().await;

    // Contoso: the multi-tenant app buys a Storage token and lists blobs.
    let (status, body) = app
        .fic_token(
            CONTOSO,
            MULTI_TENANT_APP,
            &assertion,
            "https://storage.azure.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["expires_in"].is_number());
    let storage = body["access_token"].as_str().unwrap().to_owned();
    let resp = app
        .client
        .get(app.https("/blob/contosodata/reports?restype=container&comp=list"))
        .bearer_auth(&storage)
        .header("x-ms-version", "2023-11-03")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("<EnumerationResults"));

    // Litware's own app trusting Contoso's MI: AADSTS700236.
    let (status, body) = app
        .fic_token(
            LITWARE,
            LITWARE_OWN_APP,
            &assertion,
            "https://management.azure.com/.default",
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code(&body), 700236);

    // Litware with the multi-tenant app's service principal: ARM token, resource groups.
    let (status, body) = app
        .fic_token(
            LITWARE,
            MULTI_TENANT_APP,
            &assertion,
            "https://management.azure.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let arm = body["access_token"].as_str().unwrap();
    let resp = app
        .client
        .get(app.https("/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01"))
        .bearer_auth(arm)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let groups: Value = resp.json().await.unwrap();
    let names: Vec<&str> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["NetworkWatcherRG"]);

    // Without a token: ARM's envelope.
    let resp = app
        .client
        .get(app.https("/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["code"].is_string());
}

#[tokio::test]
async fn seed_004_app_service_identity_reaches_graph_devices_in_litware() {
    let app = TestApp::spawn().await;
    let url = app.http(&format!(
        "/msi/token?api-version=2019-08-01&resource={EXCHANGE}&client_id={UMI_CLIENT}"
    ));
    let resp = app
        .client
        .get(url)
        .header("X-IDENTITY-HEADER", APP_SERVICE_HEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mi: Value = resp.json().await.unwrap();
    assert!(
        mi["expires_on"].is_string() && mi["resource"].is_string() && mi["token_type"] == "Bearer"
    );
    let assertion = mi["access_token"].as_str().unwrap();
    let (status, body) = app
        .fic_token(
            LITWARE,
            MULTI_TENANT_APP,
            assertion,
            "https://graph.microsoft.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let graph = body["access_token"].as_str().unwrap();
    let (status, devices) = {
        let r = app
            .client
            .get(app.https("/v1.0/devices"))
            .bearer_auth(graph)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200, "{devices}");
    assert_eq!(devices["value"].as_array().unwrap().len(), 3);

    // The legacy 2017 flavour and a wrong header.
    let url = app.http(&format!(
        "/msi/token?api-version=2017-09-01&resource={EXCHANGE}&clientid={UMI_CLIENT}"
    ));
    let resp = app
        .client
        .get(&url)
        .header("Secret", APP_SERVICE_HEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .get(&url)
        .header("Secret", "wrong")
        .send()
        .await
        .unwrap();
    // UNCONFIRMED in the reference (B.1: 403 observed, Azure/azure-sdk-for-net#30467); core's choice.
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert!(body["statusCode"].is_number() && body["correlationId"].is_string());
    // The same host by name.
    let url = app.http(&format!(
        "/hosts/func-contoso/msi/token?api-version=2019-08-01&resource={EXCHANGE}"
    ));
    let resp = app
        .client
        .get(url)
        .header("X-IDENTITY-HEADER", APP_SERVICE_HEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn seed_000_custom_audience_assertion_buys_a_token_for_the_custom_api() {
    let app = TestApp::spawn().await;
    let (status, mi) = app
        .imds(&format!("api://{FEDERATION_API}"), Some(UMI_CLIENT))
        .await;
    assert_eq!(status, 200, "{mi}");
    let assertion = mi["access_token"].as_str().unwrap();
    let (status, body) = app
        .fic_token(
            CONTOSO,
            CUSTOM_AUDIENCE_APP,
            assertion,
            &format!("api://{FEDERATION_API}/.default"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn admin_consent_turns_fabrikam_from_700016_into_success() {
    let app = TestApp::spawn().await;
    let assertion = app.mi_assertion().await;
    let (status, body) = app
        .fic_token(
            FABRIKAM,
            MULTI_TENANT_APP,
            &assertion,
            "https://management.azure.com/.default",
        )
        .await;
    assert_eq!((status, code(&body)), (400, 700016), "{body}");

    let page = app
        .client
        .get(app.https(&format!("/{FABRIKAM}/adminconsent?client_id={MULTI_TENANT_APP}&redirect_uri=https://localhost/cb&state=xyz")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Multi-Tenant Example App") && html.contains("consent-accept"));

    let decline = app
        .client
        .post(app.https(&format!("/{FABRIKAM}/adminconsent")))
        .form(&[
            ("client_id", MULTI_TENANT_APP),
            ("redirect_uri", "https://localhost/cb"),
            ("state", "xyz"),
            ("decision", "decline"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(decline.status(), 302);
    let loc = decline.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.starts_with("https://localhost/cb?") && loc.contains("error=permission_denied"),
        "{loc}"
    );

    let accept = app
        .client
        .post(app.https(&format!("/{FABRIKAM}/adminconsent")))
        .form(&[
            ("client_id", MULTI_TENANT_APP),
            ("redirect_uri", "https://localhost/cb"),
            ("state", "xyz"),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accept.status(), 302);
    let loc = accept.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.contains(&format!("tenant={FABRIKAM}"))
            && loc.contains("state=xyz")
            && loc.contains("admin_consent=True"),
        "{loc}"
    );

    let (status, body) = app
        .fic_token(
            FABRIKAM,
            MULTI_TENANT_APP,
            &assertion,
            "https://management.azure.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn token_responses_carry_entra_headers_and_v1_strings() {
    let app = TestApp::spawn().await;
    let assertion = app.mi_assertion().await;
    let resp = app
        .client
        .post(app.https(&format!("/{CONTOSO}/oauth2/v2.0/token")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", MULTI_TENANT_APP),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &assertion),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["cache-control"], "no-store, no-cache");
    assert_eq!(h["pragma"], "no-cache");
    assert_eq!(h["content-type"], "application/json; charset=utf-8");
    assert!(h.contains_key("x-ms-request-id"));
    let resp = app
        .client
        .post(app.https(&format!("/{CONTOSO}/oauth2/token")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", MULTI_TENANT_APP),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &assertion),
            ("resource", "https://management.azure.com/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["expires_in"].is_string() && body["expires_on"].is_string(),
        "{body}"
    );
}

/// Fires `n` IMDS token requests at once and counts the answers by status.
async fn imds_burst(app: &TestApp, n: usize) -> (usize, usize, Vec<Value>) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = app.client.clone();
        let url = app.http(&format!(
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}"
        ));
        set.spawn(async move {
            let resp = client
                .get(url)
                .header("Metadata", "true")
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let (mut ok, mut throttled, mut bodies) = (0, 0, Vec::new());
    while let Some(r) = set.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            200 => ok += 1,
            429 => {
                throttled += 1;
                bodies.push(body);
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    (ok, throttled, bodies)
}

#[tokio::test]
async fn imds_throttle_answers_429_beyond_twenty_token_requests_per_second() {
    let app = TestApp::spawn_with(|c| c.imds_throttle = true).await;
    let (ok, throttled, bodies) = imds_burst(&app, 80).await;
    // The bucket starts with 20 and refills at 20/s: 80 requests at once cannot all pass.
    assert!(ok >= 20, "{ok} admitted");
    assert!(
        throttled > 0,
        "none of 80 simultaneous requests was throttled"
    );
    for body in bodies {
        assert_eq!(body["error"], "too_many_requests", "{body}");
    }
}

#[tokio::test]
async fn imds_is_not_throttled_unless_asked() {
    let app = TestApp::spawn().await;
    let (ok, throttled, _) = imds_burst(&app, 80).await;
    assert_eq!((ok, throttled), (80, 0));
}
