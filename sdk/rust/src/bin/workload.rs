//! Workload identity federation from issuers outside Entra (issue 14) with the `azure_identity`
//! crate, unmodified. Run by `cargo xtask sdk workload`, which starts a fresh mock-entra, writes
//! token files of its emulated GitHub Actions and AKS issuers and sets the WL_* variables.
//!
//! `WorkloadIdentityCredential::new(None)` reads AZURE_TENANT_ID, AZURE_CLIENT_ID and
//! AZURE_FEDERATED_TOKEN_FILE once, so each case runs in a child process of this binary whose
//! environment is exactly the workload's: `workload --case <label> [<expected AADSTS code>]`.

use std::process::{Command, ExitCode};

use azure_core::credentials::TokenCredential;
use azure_identity::WorkloadIdentityCredential;

const ARM_SCOPE: &str = "https://management.azure.com/.default";

fn need(k: &str) -> String {
    std::env::var(k)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("environment variable {k} is not set"))
}

fn claims(jwt: &str) -> Result<serde_json::Value, String> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// The case itself, in the child: the environment names tenant, client and token file.
async fn case(expect: Option<u32>) -> Result<(), String> {
    let cred = WorkloadIdentityCredential::new(None).map_err(|e| e.to_string())?;
    let result = cred.get_token(&[ARM_SCOPE], None).await;
    match (expect, result) {
        (None, Ok(tok)) => {
            let c = claims(tok.token.secret())?;
            let (tenant, client) = (need("AZURE_TENANT_ID"), need("AZURE_CLIENT_ID"));
            if c["tid"] != tenant.as_str() {
                return Err(format!("tid {}, expected {tenant}", c["tid"]));
            }
            if c["appid"] != client.as_str() && c["azp"] != client.as_str() {
                return Err(format!("appid {}, expected {client}", c["appid"]));
            }
            if c["aud"].as_str().map(|a| a.trim_end_matches('/'))
                != Some("https://management.azure.com")
            {
                return Err(format!("aud {}", c["aud"]));
            }
            Ok(())
        }
        (None, Err(e)) => Err(e.to_string()),
        (Some(code), Ok(_)) => Err(format!("expected AADSTS{code}, but the call succeeded")),
        (Some(code), Err(e)) if e.to_string().contains(&format!("AADSTS{code}:")) => Ok(()),
        (Some(code), Err(e)) => Err(format!("expected AADSTS{code} in: {e}")),
    }
}

/// Runs one case in a child whose environment holds only the workload's variables.
fn child(label: &str, client: &str, token_file: &str, expect: Option<u32>) -> bool {
    let me = std::env::current_exe().expect("own path");
    let mut cmd = Command::new(me);
    cmd.arg("--case").arg(label);
    if let Some(code) = expect {
        cmd.arg(code.to_string());
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("AZURE_") || k.starts_with("WL_") || k.starts_with("IDENTITY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AZURE_AUTHORITY_HOST", need("AZURE_AUTHORITY_HOST"))
        .env("AZURE_TENANT_ID", need("WL_TENANT"))
        .env("AZURE_CLIENT_ID", client)
        .env("AZURE_FEDERATED_TOKEN_FILE", token_file);
    let status = cmd.status().expect("child runs");
    status.success()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--case") {
        let label = args.get(2).cloned().unwrap_or_default();
        let expect = args.get(3).and_then(|c| c.parse().ok());
        return match case(expect).await {
            Ok(()) => {
                println!("  pass  {label}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("  FAIL  {label}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let (github_app, k8s_app, slash_app) = (
        need("WL_GITHUB_APP"),
        need("WL_K8S_APP"),
        need("WL_SLASH_APP"),
    );
    let cases: Vec<(&str, String, String, Option<u32>)> = vec![
        (
            "WorkloadIdentityCredential with a GitHub Actions token file gets an ARM token in Litware",
            github_app.clone(),
            need("WL_GITHUB_TOKEN_FILE"),
            None,
        ),
        (
            "WorkloadIdentityCredential with a projected service-account token gets an ARM token in Litware",
            k8s_app,
            need("WL_K8S_TOKEN_FILE"),
            None,
        ),
        (
            "a subject differing in case surfaces AADSTS700213",
            github_app.clone(),
            need("WL_WRONG_CASE_TOKEN_FILE"),
            Some(700213),
        ),
        (
            "a FIC issuer with a trailing slash surfaces AADSTS700211",
            slash_app,
            need("WL_GITHUB_TOKEN_FILE"),
            Some(700211),
        ),
        (
            "a token signed with a rotated-out key surfaces AADSTS7000272",
            github_app,
            need("WL_ROTATED_TOKEN_FILE"),
            Some(7000272),
        ),
    ];
    let mut failed = 0;
    for (label, client, file, expect) in &cases {
        if !child(label, client, file, *expect) {
            failed += 1;
        }
    }
    println!(
        "  gap   DefaultAzureCredential: not offered by azure_identity 1.0 (DeveloperToolsCredential covers CLI tools only)"
    );
    println!(
        "workload (rust): {} passed, {failed} failed",
        cases.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
