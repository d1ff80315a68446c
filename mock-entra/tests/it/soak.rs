//! Load with injected faults over loopback: workers mix every endpoint (IMDS, App Service MSI,
//! token, discovery, JWKS, ARM, Storage, Graph reads) while a driver keeps injecting 429s with
//! Retry-After, 500s, 503s and latency, and racers fire concurrent FIC creates. Nothing may fail
//! beyond the injected faults, the 20-FIC limit and issuer+subject uniqueness must hold, and the
//! request log must stay bounded. Runs `MOCK_ENTRA_SOAK_SECONDS` (default 5; `cargo xtask soak`
//! runs 60).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::flows::{APP_SERVICE_HEADER, CONTOSO_ADMIN, LITWARE, MULTI_TENANT_APP, UMI_CLIENT};
use crate::helpers::{CONTOSO, TestApp};

const EXCHANGE: &str = "api://AzureADTokenExchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The request log's capacity (`ExchangeLog::new` in state.rs).
const LOG_CAPACITY: usize = 1000;
const FIC_LIMIT: usize = 20;

/// What the run saw, per operation and outcome.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    injected_429: AtomicU64,
    injected_500: AtomicU64,
    injected_503: AtomicU64,
    races: AtomicU64,
    race_creates: AtomicU64,
    failures: std::sync::Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failures.lock().unwrap().push(what);
    }
}

/// Classifies a response: an expected status counts as ok; an injected fault (its body says so)
/// is counted by status; anything else is a failure.
async fn judge(
    tally: &Tally,
    op: &str,
    resp: reqwest::Result<reqwest::Response>,
    ok: &[u16],
) -> Option<String> {
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            tally.fail(format!("{op}: transport error {e}"));
            return None;
        }
    };
    let status = resp.status().as_u16();
    let retry_after = resp.headers().contains_key("retry-after");
    let text = resp.text().await.unwrap_or_default();
    if text.contains("Injected fault") {
        match status {
            429 if retry_after => tally.injected_429.fetch_add(1, Ordering::Relaxed),
            500 => tally.injected_500.fetch_add(1, Ordering::Relaxed),
            503 if retry_after => tally.injected_503.fetch_add(1, Ordering::Relaxed),
            _ => {
                tally.fail(format!("{op}: malformed injected fault {status} {text}"));
                0
            }
        };
        return None;
    }
    if ok.contains(&status) {
        tally.ok.fetch_add(1, Ordering::Relaxed);
        Some(text)
    } else {
        tally.fail(format!(
            "{op}: unexpected {status}: {}",
            &text[..text.len().min(300)]
        ));
        None
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

struct Ctx {
    app: TestApp,
    graph: String,
    tally: Tally,
    stop: AtomicBool,
}

impl Ctx {
    async fn mi_token(&self, via_app_service: bool) -> Option<String> {
        let req = if via_app_service {
            self.app
                .client
                .get(self.app.http(&format!(
                    "/msi/token?api-version=2019-08-01&resource={EXCHANGE}&client_id={UMI_CLIENT}"
                )))
                .header("X-IDENTITY-HEADER", APP_SERVICE_HEADER)
        } else {
            self.app
                .client
                .get(self.app.http(&format!(
                    "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={EXCHANGE}&client_id={UMI_CLIENT}"
                )))
                .header("Metadata", "true")
        };
        let text = judge(&self.tally, "managed identity", req.send().await, &[200]).await?;
        let body: Value = serde_json::from_str(&text).ok()?;
        body["access_token"].as_str().map(str::to_owned)
    }

    async fn exchange(&self, tenant: &str, assertion: &str, scope: &str) -> Option<String> {
        let body = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", MULTI_TENANT_APP),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
            ("scope", scope),
        ]);
        let resp = self
            .app
            .client
            .post(self.app.https(&format!("/{tenant}/oauth2/v2.0/token")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        let text = judge(&self.tally, "token", resp, &[200]).await?;
        let body: Value = serde_json::from_str(&text).ok()?;
        body["access_token"].as_str().map(str::to_owned)
    }

    /// One round of the mixed workload; `n` picks the variation.
    async fn round(&self, n: u64) {
        let app = &self.app;
        let t = &self.tally;
        let Some(mi) = self.mi_token(n.is_multiple_of(2)).await else {
            return;
        };
        if let Some(arm) = self
            .exchange(LITWARE, &mi, "https://management.azure.com/.default")
            .await
        {
            let url = app.https("/subscriptions/3f8e2d1c-0b9a-4877-a665-544332211a0b/resourceGroups?api-version=2021-04-01");
            judge(
                t,
                "arm",
                app.client.get(url).bearer_auth(&arm).send().await,
                &[200],
            )
            .await;
        }
        if let Some(storage) = self
            .exchange(CONTOSO, &mi, "https://storage.azure.com/.default")
            .await
        {
            let url = app.https("/blob/contosodata/reports?restype=container&comp=list");
            let req = app
                .client
                .get(url)
                .bearer_auth(&storage)
                .header("x-ms-version", "2023-11-03");
            judge(t, "storage", req.send().await, &[200]).await;
        }
        // An expected Entra error is not a failure: a wrong secret is 401 AADSTS7000215.
        let wrong = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CONTOSO_ADMIN.0),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]);
        let req = app
            .client
            .post(app.https(&format!("/{CONTOSO}/oauth2/v2.0/token")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(wrong);
        judge(t, "token (wrong secret)", req.send().await, &[401]).await;
        let discovery = app.https(&format!("/{CONTOSO}/v2.0/.well-known/openid-configuration"));
        judge(
            t,
            "discovery",
            app.client.get(discovery).send().await,
            &[200],
        )
        .await;
        let jwks = app.https(&format!("/{CONTOSO}/discovery/v2.0/keys"));
        judge(t, "jwks", app.client.get(jwks).send().await, &[200]).await;
        let fics = app.https(&format!(
            "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
        ));
        let req = app.client.get(fics).bearer_auth(&self.graph);
        judge(t, "graph list", req.send().await, &[200]).await;
    }

    fn fics_url(&self) -> String {
        self.app.https(&format!(
            "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
        ))
    }

    /// The application's FICs, read without faults (retrying injected ones).
    async fn list_fics(&self) -> Vec<Value> {
        loop {
            let resp = self
                .app
                .client
                .get(self.fics_url())
                .bearer_auth(&self.graph)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            if status == 200 {
                return body["value"].as_array().cloned().unwrap_or_default();
            }
            assert!(
                body.to_string().contains("Injected fault"),
                "listing FICs failed: {status} {body}"
            );
        }
    }

    /// Fires 30 concurrent creates (25 distinct issuer+subject pairs, 5 repeats), then checks
    /// the limit and uniqueness and deletes what the race created.
    async fn race(self: &Arc<Self>, round: u64) {
        let before = self.list_fics().await;
        let mut tasks = Vec::new();
        for i in 0..30u64 {
            let ctx = self.clone();
            tasks.push(tokio::spawn(async move {
                let fic = json!({
                    "name": format!("soak-{round}-{i}"),
                    "issuer": "https://soak.example",
                    "subject": format!("s-{}", i % 25),
                    "audiences": ["api://AzureADTokenExchange"],
                });
                let resp = ctx
                    .app
                    .client
                    .post(ctx.fics_url())
                    .bearer_auth(&ctx.graph)
                    .json(&fic)
                    .send()
                    .await;
                judge(&ctx.tally, "graph create", resp, &[201, 400])
                    .await
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                    .and_then(|b| b["id"].as_str().map(str::to_owned))
            }));
        }
        let mut created = Vec::new();
        for task in tasks {
            if let Some(id) = task.await.unwrap() {
                created.push(id);
            }
        }
        let after = self.list_fics().await;
        let t = &self.tally;
        if after.len() > FIC_LIMIT {
            t.fail(format!(
                "round {round}: {} FICs, above the limit",
                after.len()
            ));
        }
        let pairs: HashSet<(String, String)> = after
            .iter()
            .map(|f| (f["issuer"].to_string(), f["subject"].to_string()))
            .collect();
        if pairs.len() != after.len() {
            t.fail(format!(
                "round {round}: a duplicate issuer+subject was stored"
            ));
        }
        if after.len() != before.len() + created.len() {
            t.fail(format!(
                "round {round}: {} created but the list grew by {}",
                created.len(),
                after.len() as i64 - before.len() as i64
            ));
        }
        t.races.fetch_add(1, Ordering::Relaxed);
        t.race_creates
            .fetch_add(created.len() as u64, Ordering::Relaxed);
        for id in created {
            // Deletes are retried through injected faults so the next round starts clean.
            loop {
                let resp = self
                    .app
                    .client
                    .delete(format!("{}/{id}", self.fics_url()))
                    .bearer_auth(&self.graph)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                if status == 204 {
                    break;
                }
                assert!(text.contains("Injected fault"), "delete: {status} {text}");
            }
        }
    }
}

async fn inject_faults(ctx: Arc<Ctx>) -> u64 {
    let rules = [
        json!({"status": 429, "retryAfter": 2, "count": 2, "path": "*/oauth2/v2.0/token"}),
        json!({"status": 500, "count": 1, "path": "/metadata/*"}),
        json!({"latencyMs": 40, "count": 3, "path": "/subscriptions/*"}),
        json!({"status": 503, "count": 1, "path": "/msi/*"}),
        json!({"status": 429, "count": 1, "path": "/v1.0/*"}),
        json!({"latencyMs": 25, "count": 2, "path": "/blob/*"}),
    ];
    let mut added = 0;
    while !ctx.stop.load(Ordering::Relaxed) {
        let rule = &rules[added as usize % rules.len()];
        let resp = ctx
            .app
            .client
            .post(ctx.app.http("/_mock/faults"))
            .json(rule)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        added += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    added
}

/// Runs the soak for `seconds` and returns its report (panics on any failure).
pub async fn soak(seconds: u64) -> BTreeMap<&'static str, u64> {
    let app = TestApp::spawn().await;
    let graph = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let ctx = Arc::new(Ctx {
        app,
        graph,
        tally: Tally::default(),
        stop: AtomicBool::new(false),
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let faults = tokio::spawn(inject_faults(ctx.clone()));
    let mut workers = Vec::new();
    for w in 0..6u64 {
        let ctx = ctx.clone();
        workers.push(tokio::spawn(async move {
            let mut n = w;
            while Instant::now() < deadline {
                ctx.round(n).await;
                n += 1;
            }
        }));
    }
    let racer = {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let mut round = 0;
            while Instant::now() < deadline {
                ctx.race(round).await;
                round += 1;
            }
        })
    };
    for w in workers {
        w.await.expect("worker panicked");
    }
    racer.await.expect("racer panicked");
    ctx.stop.store(true, Ordering::Relaxed);
    let rules_added = faults.await.expect("fault driver panicked");

    // Clear leftover faults, then check the server is healthy and its log bounded.
    let resp = ctx
        .app
        .client
        .delete(ctx.app.http("/_mock/faults"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let (status, _) = ctx.app.get_json(&ctx.app.http("/_mock/health")).await;
    assert_eq!(status, 200);
    let (status, log) = ctx.app.get_json(&ctx.app.http("/_mock/requests")).await;
    assert_eq!(status, 200);
    let log = log.as_array().cloned().unwrap_or_default();
    let last_id = log.last().and_then(|e| e["id"].as_u64()).unwrap_or(0);

    let t = &ctx.tally;
    let failures = t.failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let report: BTreeMap<&'static str, u64> = [
        ("seconds", seconds),
        ("requests_ok", t.ok.load(Ordering::Relaxed)),
        ("injected_429", t.injected_429.load(Ordering::Relaxed)),
        ("injected_500", t.injected_500.load(Ordering::Relaxed)),
        ("injected_503", t.injected_503.load(Ordering::Relaxed)),
        ("fault_rules_added", rules_added),
        ("fic_races", t.races.load(Ordering::Relaxed)),
        ("fic_race_creates", t.race_creates.load(Ordering::Relaxed)),
        ("requests_logged_total", last_id),
        ("request_log_len", log.len() as u64),
    ]
    .into_iter()
    .collect();
    assert!(
        log.len() <= LOG_CAPACITY,
        "the request log holds {} entries",
        log.len()
    );
    assert!(t.races.load(Ordering::Relaxed) > 0, "no FIC race ran");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_load_and_injected_faults_nothing_fails_beyond_the_faults_and_fic_rules_hold() {
    let seconds = std::env::var("MOCK_ENTRA_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let report = soak(seconds).await;
    println!("soak report: {}", serde_json::to_string(&report).unwrap());
    let injected = report["injected_429"] + report["injected_500"] + report["injected_503"];
    assert!(injected > 0, "no fault was injected: {report:?}");
    assert!(report["requests_ok"] > 0);
}
