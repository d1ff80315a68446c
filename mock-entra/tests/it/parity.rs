//! The server is only the engine's shell: the same requests sent over sockets and to an
//! in-process `Engine` give identical answers (status, content type, body), apart from the
//! values that are per-instance by nature (ids, times, signatures), which are masked.

use std::sync::Arc;

use entra_core::engine::{Context, Engine, EngineConfig, IssuerChoice, Scheme, SequentialIds};
use entra_core::keys::KeySet;
use entra_core::managed_identity::imds::Millis;
use entra_core::time::UnixTime;
use serde_json::Value;

use crate::flows::{
    CUSTOM_AUDIENCE_APP, FABRIKAM, LITWARE, LITWARE_OWN_APP, MULTI_TENANT_APP, UMI_CLIENT,
};
use crate::helpers::{CONTOSO, TestApp};

const NOW: UnixTime = UnixTime(1_755_530_774);
const EXCHANGE: &str = "api%3A%2F%2FAzureADTokenExchange";
const JWT_BEARER: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
const ADMIN: (&str, &str) = (
    "0c4e8a2b-6d1f-4c3a-9e5b-7a9c1e3f5b01",
    "pga8Q~ContosoPlaygroundAdminSecret00000000000001",
);

/// One request: method, path and query, headers, body. `{mi}`, `{mi2}`, `{graph}` and `{app}`
/// in any of them are replaced by the managed-identity assertions, the Graph token and the app
/// token this side obtained earlier.
struct Step {
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn step(method: &'static str, uri: impl Into<String>) -> Step {
    Step {
        method,
        uri: uri.into(),
        headers: Vec::new(),
        body: String::new(),
    }
}

impl Step {
    fn header(mut self, n: &'static str, v: impl Into<String>) -> Self {
        self.headers.push((n, v.into()));
        self
    }
    fn form(self, body: impl Into<String>) -> Self {
        let mut s = self.header("content-type", "application/x-www-form-urlencoded");
        s.body = body.into();
        s
    }
    fn json(self, body: &str) -> Self {
        let mut s = self.header("content-type", "application/json");
        s.body = body.to_owned();
        s
    }
}

fn steps() -> Vec<Step> {
    let fic_exchange = |tenant: &str, client: &str, assertion: &str| {
        step("POST", format!("/{tenant}/oauth2/v2.0/token")).form(format!(
            "grant_type=client_credentials&client_id={client}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&client_assertion_type={JWT_BEARER}&client_assertion={assertion}"
        ))
    };
    vec![
        // Seed flow: MI token for the exchange audience, FIC exchange, ARM call.
        step(
            "GET",
            format!(
                "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}&client_id={UMI_CLIENT}"
            ),
        )
        .header("metadata", "true"),
        fic_exchange(LITWARE, MULTI_TENANT_APP, "{mi}"),
        step("GET", "/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01")
            .header("authorization", "Bearer {app}"),
        // Lab mistakes: the tenant's own app has no FIC for this MI; an Entra app token as
        // assertion.
        fic_exchange(LITWARE, LITWARE_OWN_APP, "{mi}"),
        step("POST", format!("/{CONTOSO}/oauth2/v2.0/token")).form(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
            ADMIN.0, ADMIN.1
        )),
        fic_exchange(LITWARE, MULTI_TENANT_APP, "{graph}"),
        // Graph writes: accepted and refused.
        step("POST", format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"))
            .header("authorization", "Bearer {graph}")
            .json(r#"{"name":"parity","issuer":"https://login.microsoftonline.com/eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691/v2.0","subject":"02d8a4c1-3e5f-4b6a-8d7c-9e0f1a2b357d","audiences":["api://AzureADTokenExchange"]}"#),
        step("POST", format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"))
            .header("authorization", "Bearer {graph}")
            .json(r#"{"name":"bad name!","issuer":"not a url","subject":"","audiences":[]}"#),
        step("GET", format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"))
            .header("authorization", "Bearer {graph}"),
        // Bad input.
        step("POST", format!("/{CONTOSO}/oauth2/v2.0/token")).form("%%%garbage"),
        step("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x"),
        step("GET", "/msi/token?api-version=2019-08-01&resource=x"),
        step("GET", "/nope"),
        step("DELETE", format!("/{CONTOSO}/discovery/v2.0/keys")),
        step("GET", "/v1.0/nothing"),
        step("GET", "/blob/nothing/there").header("authorization", "Bearer not-a-token"),
        step("GET", format!("/{CONTOSO}/v2.0/.well-known/openid-configuration")),
        step("GET", "/not-a-tenant!/discovery/v2.0/keys"),
        // Lab mistake: the VM's other identity presents a subject no FIC lists.
        step(
            "GET",
            format!("/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}"),
        )
        .header("metadata", "true"),
        fic_exchange(LITWARE, MULTI_TENANT_APP, "{mi2}"),
        fic_exchange(CONTOSO, CUSTOM_AUDIENCE_APP, "{mi}"),
        fic_exchange(FABRIKAM, MULTI_TENANT_APP, "{mi}"),
        fic_exchange(CONTOSO, MULTI_TENANT_APP, "{mi}"),
    ]
}

/// Values of this side's earlier answers that later steps use.
#[derive(Default)]
struct Tokens {
    mi: String,
    mi2: String,
    graph: String,
    app: String,
}

impl Tokens {
    fn fill(&self, s: &str) -> String {
        s.replace("{mi}", &self.mi)
            .replace("{mi2}", &self.mi2)
            .replace("{graph}", &self.graph)
            .replace("{app}", &self.app)
    }
    fn learn(&mut self, i: usize, body: &Value) {
        let token = body["access_token"].as_str().unwrap_or_default().to_owned();
        match i {
            0 => self.mi = token,
            1 => self.app = token,
            4 => self.graph = token,
            18 => self.mi2 = token,
            _ => {}
        }
    }
}

/// Masks what differs by nature between two instances: JWTs (signatures, ids inside), GUIDs
/// and dates.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| "\"',<> \n".contains(c)) {
        if word.starts_with("eyJ") {
            out.push_str("<jwt>");
            out.push_str(&word[word.len() - 1..]);
        } else {
            out.push_str(word);
        }
    }
    let guid = |s: &str| {
        s.len() == 36
            && s.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            })
    };
    let chars: Vec<char> = out.chars().collect();
    let mut masked = String::new();
    let mut i = 0;
    while i < chars.len() {
        if i + 36 <= chars.len() {
            let s: String = chars[i..i + 36].iter().collect();
            if guid(&s) {
                masked.push_str("<guid>");
                i += 36;
                continue;
            }
        }
        masked.push(chars[i]);
        i += 1;
    }
    masked
}

#[tokio::test]
async fn the_server_answers_exactly_what_the_engine_answers() {
    let app = TestApp::spawn_with(|c| {
        c.clock = Some(Arc::new(mock_entra::ManualClock::new(NOW)));
    })
    .await;
    let host = app
        .running
        .https_base
        .trim_start_matches("https://")
        .to_owned();

    // Over sockets.
    let mut server = Vec::new();
    let mut tokens = Tokens::default();
    for (i, s) in steps().iter().enumerate() {
        let method = reqwest::Method::from_bytes(s.method.as_bytes()).unwrap();
        let mut rb = app
            .client
            .request(method, app.https(&tokens.fill(&s.uri)))
            .body(tokens.fill(&s.body));
        for (n, v) in &s.headers {
            rb = rb.header(*n, tokens.fill(v));
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        tokens.learn(i, &serde_json::from_str(&text).unwrap_or(Value::Null));
        server.push((status, ct, text));
    }

    // In process, against a fresh engine over the same scenario and key.
    let signing = mock_entra::pki::load_or_create_signing_key(&app.data_dir).unwrap();
    let dir = mock_entra::config::parse_scenario(mock_entra::config::DEFAULT_SCENARIO.as_bytes())
        .unwrap();
    let engine = Engine::new(
        EngineConfig {
            issuers: IssuerChoice::Entra,
            graph_prefix: "/graph".to_owned(),
            imds_throttle: false,
        },
        dir.clone(),
        dir,
        KeySet::new(signing.signer, signing.published),
    );
    let ids = Arc::new(SequentialIds::default());
    let mut tokens = Tokens::default();
    for (i, (s, (status, ct, text))) in steps().iter().zip(&server).enumerate() {
        let mut rb = http::Request::builder()
            .method(s.method)
            .uri(tokens.fill(&s.uri))
            .header("host", &host);
        for (n, v) in &s.headers {
            rb = rb.header(*n, tokens.fill(v));
        }
        let mut req = rb.body(tokens.fill(&s.body).into_bytes()).unwrap();
        req.extensions_mut().insert(Scheme::Https);
        let out = engine.handle(
            &req,
            Context {
                now: NOW,
                monotonic: Millis(0),
                ids: &*ids,
            },
        );
        let body = String::from_utf8(out.response.body().clone()).unwrap();
        tokens.learn(i, &serde_json::from_str(&body).unwrap_or(Value::Null));
        assert_eq!(
            out.response.status().as_u16(),
            *status,
            "step {i} {}",
            s.uri
        );
        assert_eq!(
            out.response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned()),
            *ct,
            "step {i} {}",
            s.uri
        );
        assert_eq!(mask(&body), mask(text), "step {i} {}", s.uri);
    }
    assert!(
        server.iter().any(|(s, _, _)| *s == 200) && server.iter().any(|(s, _, _)| *s >= 400),
        "the steps cover successes and failures"
    );
    // The lab's mistakes are among them (an Entra token as assertion, FIC mismatches, unknown
    // app), each answered with its own AADSTS code.
    let codes: std::collections::BTreeSet<&str> = server
        .iter()
        .filter_map(|(_, _, t)| t.split("AADSTS").nth(1))
        .filter_map(|rest| rest.split(':').next())
        .collect();
    assert!(codes.contains("700236"), "{codes:?}");
    assert_eq!(
        server[2].0, 200,
        "the seed flow ends in a resource call: {}",
        server[2].2
    );
    assert!(codes.len() >= 5, "{codes:?}");
}
