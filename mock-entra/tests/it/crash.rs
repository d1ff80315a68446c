//! Crash safety of `--state-file`: the real binary is killed with SIGKILL while concurrent Graph
//! writes are in flight, restarted on the same state file, and the file must always be a complete
//! directory (valid JSON that loads, never empty or half-written) that the restarted server
//! serves, and every write acknowledged with a 2xx before the kill is in it.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::flows::{CONTOSO_ADMIN, MULTI_TENANT_APP};
use crate::helpers::{CONTOSO, seeded_data_dir, temp_dir};

const RUNS: usize = 4;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    https: String,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(data_dir: &Path, state_file: &Path) -> Server {
    let deadline = Instant::now() + Duration::from_secs(60);
    // A port picked here can be taken before the server binds it: retry with new ports.
    loop {
        let (http, https) = (free_port(), free_port());
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-entra"))
            .args(["--listen", &format!("127.0.0.1:{http}")])
            .args(["--tls-listen", &format!("127.0.0.1:{https}")])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--state-file")
            .arg(state_file)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ca = mock_entra::pki::load_or_create_tls(data_dir)
            .unwrap()
            .ca_pem;
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();
        let https_base = format!("https://localhost:{https}");
        let health = format!("http://127.0.0.1:{http}/_mock/health");
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                break; // exited (port taken?): try other ports
            }
            if let Ok(r) = client.get(&health).send().await
                && r.status().is_success()
            {
                return Server {
                    child,
                    https: https_base,
                    client,
                };
            }
            assert!(Instant::now() < deadline, "mock-entra did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(Instant::now() < deadline, "mock-entra did not start");
    }
}

impl Server {
    async fn graph_token(&self) -> String {
        let resp = self
            .client
            .post(format!("{}/{CONTOSO}/oauth2/v2.0/token", self.https))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CONTOSO_ADMIN.0),
                ("client_secret", CONTOSO_ADMIN.1),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    fn fics_url(&self) -> String {
        format!(
            "{}/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials",
            self.https
        )
    }

    async fn fic_names(&self, token: &str) -> HashSet<String> {
        let resp = self
            .client
            .get(self.fics_url())
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// What the writers know was acknowledged.
#[derive(Default)]
struct Ledger {
    /// Creates answered with a 2xx.
    created: HashSet<String>,
    /// Names a delete was sent for (whatever its fate).
    delete_sent: HashSet<String>,
    /// Deletes answered with a 2xx.
    deleted: HashSet<String>,
}

/// The FIC names of the multi-tenant app in a state file, after checking the file is a complete
/// directory.
fn names_in_state_file(path: &Path) -> HashSet<String> {
    let bytes = std::fs::read(path).expect("the state file exists");
    assert!(!bytes.is_empty(), "the state file is empty");
    let dir = mock_entra::config::parse_scenario(&bytes).unwrap_or_else(|e| {
        panic!(
            "the state file does not load ({e}); it ends with {:?}",
            String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(80)..])
        )
    });
    assert!(!dir.tenants.is_empty(), "the state file has no tenants");
    dir.tenants
        .iter()
        .flat_map(|t| t.applications.iter())
        .filter(|a| a.app_id.to_string() == MULTI_TENANT_APP)
        .flat_map(|a| a.federated_identity_credentials.iter())
        .map(|f| f.name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_write_restarts_on_its_last_complete_state() {
    let data_dir = seeded_data_dir("crash");
    let state_file = temp_dir("crash-state").join("state.json");
    let mut expected: Option<HashSet<String>> = None;
    let mut writes_acknowledged = 0u64;
    let mut durable_checked = 0usize;
    for run in 0..RUNS {
        let server = start(&data_dir, &state_file).await;
        let token = server.graph_token().await;
        let served = server.fic_names(&token).await;
        if let Some(on_disk) = &expected {
            assert_eq!(
                &served, on_disk,
                "run {run}: the restart serves another state"
            );
        }
        // Concurrent creates and deletes; kill -9 once some have been acknowledged, while the
        // rest are in flight.
        let acked = Arc::new(AtomicU64::new(0));
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let server = Arc::new(server);
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let (server, token, acked, ledger) =
                (server.clone(), token.clone(), acked.clone(), ledger.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    let name = format!("crash-{run}-{w}-{i}");
                    let fic = json!({
                        "name": name,
                        "issuer": "https://crash.example",
                        "subject": name,
                        "audiences": ["api://AzureADTokenExchange"],
                    });
                    let Ok(resp) = server
                        .client
                        .post(server.fics_url())
                        .bearer_auth(&token)
                        .json(&fic)
                        .send()
                        .await
                    else {
                        return; // the server is gone
                    };
                    let created = resp.status().is_success();
                    if resp.bytes().await.is_err() {
                        return;
                    }
                    // Past Graph's 20-FIC limit a create is refused: nothing to keep then.
                    if created {
                        ledger.lock().unwrap().created.insert(name.clone());
                    }
                    acked.fetch_add(1, Ordering::SeqCst);
                    // Keep each writer at two FICs so creates and deletes keep coming.
                    if i >= 2 {
                        let victim = format!("crash-{run}-{w}-{}", i - 2);
                        ledger.lock().unwrap().delete_sent.insert(victim.clone());
                        let Ok(resp) = server
                            .client
                            .delete(format!("{}/(name='{victim}')", server.fics_url()))
                            .bearer_auth(&token)
                            .send()
                            .await
                        else {
                            return;
                        };
                        if resp.status().is_success() {
                            ledger.lock().unwrap().deleted.insert(victim);
                        }
                    }
                }
            }));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while acked.load(Ordering::SeqCst) < 10 + 7 * run as u64 {
            assert!(Instant::now() < deadline, "no Graph write was acknowledged");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Writes reach the disk in the background: the kill must find at least one written.
        while !state_file.exists() {
            assert!(
                Instant::now() < deadline,
                "the state file was never written"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // SIGKILL: no destructor, no flush.
        let pid = server.child.id();
        let status = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for t in tasks {
            t.await.unwrap();
        }
        writes_acknowledged += acked.load(Ordering::SeqCst);
        drop(server);
        let names = names_in_state_file(&state_file);
        assert!(names.len() <= 20, "run {run}: {} FICs on disk", names.len());
        // Durability: an acknowledged create survives (unless a delete of it was sent), an
        // acknowledged delete stays deleted.
        let ledger = ledger.lock().unwrap();
        for name in ledger.created.difference(&ledger.delete_sent) {
            assert!(
                names.contains(name),
                "run {run}: the acknowledged create of {name} was lost by the kill"
            );
        }
        for name in &ledger.deleted {
            assert!(
                !names.contains(name),
                "run {run}: the acknowledged delete of {name} was lost by the kill"
            );
        }
        durable_checked += ledger.created.len() + ledger.deleted.len();
        drop(ledger);
        expected = Some(names);
    }
    // The last kill's state must load too.
    let server = start(&data_dir, &state_file).await;
    let token = server.graph_token().await;
    assert_eq!(Some(server.fic_names(&token).await), expected);
    assert!(durable_checked > 0);
    println!(
        "crash safety: {RUNS} kill -9 runs, {writes_acknowledged} Graph writes acknowledged, \
         {durable_checked} acknowledged writes checked on disk after the kills"
    );
}

/// Times `n` rounds of one FIC create and the delete of the previous round's FIC (two Graph
/// writes per round, so the app stays under Graph's 20-FIC limit); returns the mean milliseconds
/// per acknowledged write.
async fn mean_write_ms(app: &crate::helpers::TestApp, token: &str, tag: &str, n: u32) -> f64 {
    let url = app.https(&format!(
        "/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials"
    ));
    let started = Instant::now();
    for i in 0..n {
        let name = format!("{tag}-{i}");
        let resp = app
            .client
            .post(&url)
            .bearer_auth(token)
            .json(&json!({
                "name": name,
                "issuer": "https://durable.example",
                "subject": name,
                "audiences": ["api://AzureADTokenExchange"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        if i > 0 {
            let resp = app
                .client
                .delete(format!("{url}/(name='{tag}-{}')", i - 1))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
        }
    }
    started.elapsed().as_secs_f64() * 1000.0 / f64::from(2 * n - 1)
}

#[tokio::test]
async fn an_acknowledged_write_is_on_disk_before_its_answer_and_the_cost_is_measured() {
    const N: u32 = 25;
    let plain = crate::helpers::TestApp::spawn().await;
    let token = plain.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let without = mean_write_ms(&plain, &token, "plain", N).await;

    let state_file = temp_dir("durable").join("state.json");
    let path = state_file.clone();
    let durable = crate::helpers::TestApp::spawn_with(move |c| c.state_file = Some(path)).await;
    let token = durable.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let with = mean_write_ms(&durable, &token, "durable", N).await;
    // No flush: the answers alone promise the writes are on disk.
    let names = names_in_state_file(&state_file);
    assert!(
        names.contains(&format!("durable-{}", N - 1)),
        "the last create is not on disk"
    );
    for i in 0..N - 1 {
        assert!(
            !names.contains(&format!("durable-{i}")),
            "the delete of durable-{i} is not on disk"
        );
    }
    println!(
        "durable writes: {with:.2} ms per acknowledged Graph write with --state-file (fsync before the answer), {without:.2} ms without"
    );
}
