//! Spawns instances on random ports with a throwaway data directory and talks to them with
//! reqwest trusting the generated CA.

use std::path::PathBuf;
use std::sync::Arc;

use mock_entra::config::Config;
use mock_entra::{MockEntra, Running, SequentialIds};

pub struct TestApp {
    pub running: Running,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
}

/// A fresh temp directory (removed by the OS eventually; tests keep no secrets).
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mock-entra-it-{tag}-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}-{t}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A data dir whose key material is generated once per test binary and copied, so tests do not
/// each pay for RSA key generation.
pub fn seeded_data_dir(tag: &str) -> PathBuf {
    static TEMPLATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir = temp_dir("template");
        mock_entra::pki::load_or_create_tls(&dir).unwrap();
        mock_entra::pki::load_or_create_signing_key(&dir).unwrap();
        for issuer in ["github", "aks-contoso"] {
            mock_entra::pki::load_or_create_issuer_key(&dir, issuer).unwrap();
        }
        dir
    });
    let dir = temp_dir(tag);
    for entry in std::fs::read_dir(template).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

pub fn client_for(running: &Running) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&running.ca_pem).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(f: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = seeded_data_dir("app");
        let mut config = Config::for_tests(data_dir.clone());
        config.ids = Some(Arc::new(SequentialIds::default()));
        f(&mut config);
        let running = MockEntra::start(config).await.unwrap();
        let client = client_for(&running);
        TestApp {
            running,
            client,
            data_dir,
        }
    }

    pub fn https(&self, path: &str) -> String {
        format!("{}{path}", self.running.https_base)
    }

    pub fn http(&self, path: &str) -> String {
        format!("{}{path}", self.running.http_base)
    }

    pub async fn get_json(&self, url: &str) -> (u16, serde_json::Value) {
        let resp = self.client.get(url).send().await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }
}

pub const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
