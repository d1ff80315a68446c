//! `cargo xtask sdk workload` (issue 14): workload identity federation from issuers outside
//! Entra, through real SDKs with nothing but environment variables.
//!
//! For each language (Python, Node, Rust) a fresh mock-entra runs the suites' scenario plus two
//! Litware apps: one whose FIC names GitHub's issuer with a trailing slash (AADSTS700211) and one
//! trusting a local oauth2-mock-server (the Node suite runs it on a port chosen here). Before the
//! SDK runs, the emulated GitHub issuer mints a token that then becomes stale (its key is
//! rotated without grace: AADSTS7000272), then the good GitHub token and one whose repository
//! differs in case (AADSTS700213); `mock-entra env --workload k8s` writes the AKS token file.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Mock, SuiteRun, ensure_node_modules, ensure_venv, run_with_timeout, target_dir};
use crate::{Result, root, run};

/// Litware, where every workload gets its ARM token.
const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
/// Litware Own App: its FIC trusts the GitHub repository's production environment.
const GITHUB_APP: &str = "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57";
/// The multi-tenant app (home Contoso, SP in Litware): its FIC trusts the AKS service account.
const K8S_APP: &str = "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f";
/// A Litware app whose FIC names `https://token.actions.githubusercontent.com/`.
const SLASH_APP: &str = "2e4a6c8e-0b1d-4f3a-9c5e-7a9b1d3f5e60";
/// A Litware app trusting the local oauth2-mock-server.
const IDP_APP: &str = "4b6d8f0a-2c4e-4a6b-8d0f-1a3c5e7b9d61";
const IDP_SUBJECT: &str = "build-agent-42";

const LANGS: &[&str] = &["python", "node", "rust"];

pub(super) fn workload_suite(real: bool) -> Result<SuiteRun> {
    if real {
        return Ok(SuiteRun::Skipped(
            "the workloads' tokens come from the mock's emulated issuers; against Azure use a real \
             GitHub job or AKS pod (docs/sdk-setup.md)"
                .to_owned(),
        ));
    }
    let python = ensure_venv()?;
    ensure_node_modules()?;
    let manifest = root().join("sdk/rust/Cargo.toml");
    let target = target_dir();
    run(
        "cargo",
        &[
            "build",
            "--manifest-path",
            manifest.to_str().ok_or("non-UTF-8 path")?,
            "--target-dir",
            target.to_str().ok_or("non-UTF-8 path")?,
            "--locked",
            "--quiet",
            "--bin",
            "workload",
        ],
    )?;
    let mut failures = vec![];
    for lang in LANGS {
        println!("\n--- workload: {lang} ---");
        let cmd = match *lang {
            "python" => {
                let mut c = Command::new(&python);
                c.arg(root().join("sdk/python/workload.py"));
                c
            }
            "node" => {
                let mut c = Command::new("node");
                c.arg(root().join("sdk/node/workload.mjs"));
                c.current_dir(root().join("sdk/node"));
                c
            }
            _ => Command::new(target_dir().join("debug/workload")),
        };
        if let Err(e) = run_language(lang, cmd) {
            println!("workload ({lang}) failed: {e}");
            failures.push(format!("{lang}: {e}"));
        }
    }
    if failures.is_empty() {
        Ok(SuiteRun::Ran)
    } else {
        Err(failures.join("; "))
    }
}

fn run_language(lang: &str, mut cmd: Command) -> Result {
    let idp_port = crate::bench::free_port()?;
    let mock = Mock::start_with(&format!("workload-{lang}"), &scenario(idp_port)?)?;
    let http_base = mock
        .env
        .get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
        .cloned()
        .ok_or("mock-entra env printed no AZURE_POD_IDENTITY_AUTHORITY_HOST")?;
    let dir = mock.data_dir.clone();
    let write = |name: &str, token: &str| -> Result<String> {
        let path = dir.join(name);
        std::fs::write(&path, token).map_err(|e| format!("{path:?}: {e}"))?;
        Ok(path.to_string_lossy().into_owned())
    };
    // Minted, then its key is rotated out without grace: the token the cluster signed before
    // it was recreated.
    let rotated = write(
        "github-rotated.jwt",
        &mint(&http_base, "github", json!({}))?,
    )?;
    let answer = post(
        &format!("{http_base}/_mock/issuers/github/keys/rotate"),
        b"",
    )?;
    if answer["kid"].as_str().is_none() {
        return Err(format!("the issuer key was not rotated: {answer}"));
    }
    let github = write("github.jwt", &mint(&http_base, "github", json!({}))?)?;
    let wrong_case = write(
        "github-wrong-case.jwt",
        &mint(
            &http_base,
            "github",
            json!({"repository": "Litware/deploy-infra"}),
        )?,
    )?;
    let k8s_env = workload_env(&dir, "k8s")?;
    let github_env = workload_env(&dir, "github")?;
    let k8s = k8s_env
        .get("AZURE_FEDERATED_TOKEN_FILE")
        .cloned()
        .ok_or("env --workload k8s printed no AZURE_FEDERATED_TOKEN_FILE")?;

    for k in [
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        cmd.env_remove(k);
    }
    for k in [
        "AZURE_AUTHORITY_HOST",
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        if let Some(v) = mock.env.get(k) {
            cmd.env(k, v);
        }
    }
    let github_var = |k: &str| -> Result<String> {
        github_env
            .get(k)
            .cloned()
            .ok_or(format!("env --workload github printed no {k}"))
    };
    cmd.env("WL_TENANT", LITWARE)
        .env("WL_GITHUB_APP", GITHUB_APP)
        .env("WL_K8S_APP", K8S_APP)
        .env("WL_SLASH_APP", SLASH_APP)
        .env("WL_IDP_APP", IDP_APP)
        .env("WL_IDP_SUBJECT", IDP_SUBJECT)
        .env("WL_IDP_PORT", idp_port.to_string())
        .env("WL_HTTP_BASE", &http_base)
        .env("WL_GITHUB_TOKEN_FILE", &github)
        .env("WL_K8S_TOKEN_FILE", &k8s)
        .env("WL_WRONG_CASE_TOKEN_FILE", &wrong_case)
        .env("WL_ROTATED_TOKEN_FILE", &rotated)
        .env(
            "WL_ACTIONS_ID_TOKEN_REQUEST_URL",
            github_var("ACTIONS_ID_TOKEN_REQUEST_URL")?,
        )
        .env(
            "WL_ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            github_var("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?,
        );
    let result = run_with_timeout(&format!("workload {lang}"), cmd);
    drop(mock);
    result
}

/// What `mock-entra env --workload <kind>` prints for the running instance in `data_dir`.
fn workload_env(data_dir: &std::path::Path, kind: &str) -> Result<BTreeMap<String, String>> {
    let out = Command::new(target_dir().join("debug/mock-entra"))
        .args(["env", "--workload", kind, "--data-dir"])
        .arg(data_dir)
        .output()
        .map_err(|e| format!("mock-entra env --workload {kind}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "mock-entra env --workload {kind} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
        .map(|(k, v)| {
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(v);
            (k.to_owned(), v.to_owned())
        })
        .collect())
}

fn post(url: &str, body: &[u8]) -> Result<Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut resp = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("POST {url}: {e}"))?;
    if status != 200 {
        return Err(format!("POST {url} answered {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("POST {url}: {e}"))
}

/// A token of the emulated issuer `name` for the token-exchange audience, with overrides.
fn mint(http_base: &str, name: &str, mut overrides: Value) -> Result<String> {
    overrides["audience"] = json!("api://AzureADTokenExchange");
    let answer = post(
        &format!("{http_base}/_mock/issuers/{name}/token"),
        overrides.to_string().as_bytes(),
    )?;
    answer["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or(format!("no token in {answer}"))
}

/// The suites' scenario plus the trailing-slash app and the app trusting oauth2-mock-server.
fn scenario(idp_port: u16) -> Result<Vec<u8>> {
    let mut scenario: Value =
        serde_json::from_slice(&super::scenario_for_suites()?).map_err(|e| e.to_string())?;
    let litware = scenario["tenants"]
        .as_array_mut()
        .and_then(|ts| ts.iter_mut().find(|t| t["id"] == LITWARE))
        .ok_or("the default scenario has no Litware")?;
    let app = |app_id: &str, name: &str, n: u8, issuer: &str, subject: &str| {
        (
            json!({
                "id": format!("{}{n:02x}", &app_id[..34]),
                "appId": app_id,
                "displayName": name,
                "signInAudience": "AzureADMyOrg",
                "federatedIdentityCredentials": [{
                    "id": format!("{}{:02x}", &app_id[..34], n + 1),
                    "name": "workload",
                    "issuer": issuer,
                    "subject": subject,
                    "audiences": ["api://AzureADTokenExchange"]
                }]
            }),
            json!({
                "id": format!("{}{:02x}", &app_id[..34], n + 2),
                "appId": app_id,
                "displayName": name,
                "appOwnerOrganizationId": LITWARE
            }),
        )
    };
    for (application, sp) in [
        app(
            SLASH_APP,
            "GitHub Deploy (issuer with a trailing slash)",
            0x10,
            "https://token.actions.githubusercontent.com/",
            "repo:litware/deploy-infra:environment:production",
        ),
        app(
            IDP_APP,
            "Build Agent (oauth2-mock-server)",
            0x20,
            &format!("http://localhost:{idp_port}"),
            IDP_SUBJECT,
        ),
    ] {
        litware["applications"]
            .as_array_mut()
            .ok_or("Litware has no applications")?
            .push(application);
        litware["servicePrincipals"]
            .as_array_mut()
            .ok_or("Litware has no servicePrincipals")?
            .push(sp);
    }
    serde_json::to_vec_pretty(&scenario).map_err(|e| e.to_string())
}
