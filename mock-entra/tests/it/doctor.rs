//! `mock-entra doctor` and `healthcheck` against a live instance: what a shell with the right
//! environment, a wrong CA bundle, or no instance at all is told.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;

use entra_core::directory::Directory;
use mock_entra::doctor::{Finding, Severity, assess, gather};

use crate::helpers::{TestApp, temp_dir};

fn default_directory() -> Directory {
    mock_entra::config::parse_scenario(mock_entra::config::DEFAULT_SCENARIO.as_bytes()).unwrap()
}

/// What `serve` writes for a running instance, so the doctor finds it.
fn record_instance(app: &TestApp) {
    let instance = serde_json::json!({
        "httpBase": app.running.http_base,
        "httpsBase": app.running.https_base,
        "caPath": app.running.ca_pem_path,
        "pid": std::process::id(),
    });
    std::fs::write(app.data_dir.join("instance.json"), instance.to_string()).unwrap();
}

fn findings_of(check: &str, findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.check == check)
        .cloned()
        .collect()
}

async fn doctor_in(
    app_data_dir: std::path::PathBuf,
    env: BTreeMap<String, String>,
) -> Vec<Finding> {
    tokio::task::spawn_blocking(move || {
        let unused = SocketAddr::from(([127, 0, 0, 1], 9));
        assess(&gather(
            &app_data_dir,
            unused,
            unused,
            &default_directory(),
            env,
        ))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_shell_with_the_mock_env_applied_passes_every_check() {
    let app = TestApp::spawn().await;
    record_instance(&app);
    let ca = app.running.ca_pem_path.display().to_string();
    let env: BTreeMap<String, String> = entra_core::discovery::client_env(
        &default_directory(),
        entra_core::discovery::EmulatorOrigins {
            http_base: &app.running.http_base,
            https_base: &app.running.https_base,
            ca_path: &ca,
        },
    )
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let findings = doctor_in(app.data_dir.clone(), env).await;
    let bad: Vec<_> = findings
        .iter()
        .filter(|f| f.severity != Severity::Ok)
        .collect();
    assert!(bad.is_empty(), "unexpected findings: {bad:#?}");
    let https = findings_of("https", &findings);
    assert_eq!(
        https.len(),
        1,
        "the TLS request trusting only the bundle ran: {findings:#?}"
    );
    assert!(!findings_of("env", &findings).is_empty());
}

#[tokio::test]
async fn a_ca_bundle_without_the_mock_ca_is_a_failure_with_its_fix() {
    let app = TestApp::spawn().await;
    record_instance(&app);
    let other = temp_dir("doctor-bundle").join("other.pem");
    let foreign = rcgen::generate_simple_self_signed(vec!["example.test".to_owned()]).unwrap();
    std::fs::write(&other, foreign.cert.pem()).unwrap();
    let env = BTreeMap::from([("REQUESTS_CA_BUNDLE".to_owned(), other.display().to_string())]);
    let findings = doctor_in(app.data_dir.clone(), env).await;
    let trust = findings_of("trust", &findings);
    assert_eq!(trust.len(), 1);
    assert_eq!(trust[0].severity, Severity::Fail);
    assert!(trust[0].detail.contains("does not contain the mock's CA"));
    assert!(trust[0].fix.as_deref().unwrap().contains("mock-entra env"));
    let https = findings_of("https", &findings);
    assert_eq!(
        https[0].severity,
        Severity::Fail,
        "TLS trusting a foreign CA must fail"
    );
    // The rest of the environment is missing: warnings that say what `mock-entra env` sets.
    let env_findings = findings_of("env", &findings);
    assert!(env_findings.iter().all(|f| f.severity == Severity::Warn));
    assert!(
        env_findings
            .iter()
            .any(|f| f.detail.starts_with("AZURE_AUTHORITY_HOST is not set"))
    );
}

#[tokio::test]
async fn with_no_instance_the_doctor_fails_and_names_the_ports() {
    let dir = temp_dir("doctor-none");
    let findings = doctor_in(dir, BTreeMap::new()).await;
    let instance = findings_of("instance", &findings);
    assert_eq!(instance[0].severity, Severity::Fail);
    assert_eq!(findings_of("ports", &findings).len(), 2);
    assert_eq!(findings_of("http", &findings)[0].severity, Severity::Fail);
}

#[tokio::test]
async fn the_binary_doctor_exits_non_zero_without_an_instance_and_healthcheck_follows_the_server() {
    let bin = env!("CARGO_BIN_EXE_mock-entra");
    let empty = temp_dir("doctor-bin");
    let out = Command::new(bin)
        .args([
            "doctor",
            "--listen",
            "127.0.0.1:9",
            "--tls-listen",
            "127.0.0.1:9",
        ])
        .arg("--data-dir")
        .arg(&empty)
        .env_clear()
        .output()
        .unwrap();
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("FAIL  instance"), "{report}");
    assert!(
        report.lines().last().unwrap().ends_with("warnings"),
        "{report}"
    );

    let app = TestApp::spawn().await;
    let base = app.running.http_base.clone();
    let ok = tokio::task::spawn_blocking(move || {
        Command::new(bin)
            .args(["healthcheck", "--url", &base])
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(ok.success());
    let down = Command::new(bin)
        .args(["healthcheck", "--url", "http://127.0.0.1:9"])
        .status()
        .unwrap();
    assert!(!down.success());
}
