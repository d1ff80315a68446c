//! Rust SDK conformance: the `azure_identity` crate, unmodified, against mock-entra or real Azure.
//!
//! Run by `cargo xtask sdk rust` (docs/sdk-setup.md lists every variable). The crate reads its
//! managed-identity source from the environment once per credential, so each environment (App
//! Service, workload identity) runs in a child process of this binary: `sdk-rust-conformance <mode>`.

use std::process::{Command, ExitCode};
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::ClientMethodOptions;
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
};

const EXCHANGE_SCOPE: &str = "api://AzureADTokenExchange/.default";
const ARM_SCOPE: &str = "https://management.azure.com/.default";

type CaseResult = Result<(), String>;

#[derive(Debug)]
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

struct Ids {
    mi_client_id: String,
    home_tenant: String,
    app: String,
    target_tenant: String,
    subscription: String,
    expect_rg: String,
    own_app: Option<String>,
    wrong_subject_app: Option<String>,
    arm: String,
}

fn var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

fn need(k: &str) -> String {
    var(k).unwrap_or_else(|| panic!("environment variable {k} is not set"))
}

impl Ids {
    fn from_env() -> Ids {
        Ids {
            mi_client_id: need("SDK_MI_CLIENT_ID"),
            home_tenant: need("SDK_HOME_TENANT_ID"),
            app: need("SDK_APP_CLIENT_ID"),
            target_tenant: need("SDK_TARGET_TENANT_ID"),
            subscription: need("SDK_TARGET_SUBSCRIPTION_ID"),
            expect_rg: need("SDK_EXPECT_RESOURCE_GROUP"),
            own_app: var("SDK_OWN_APP_CLIENT_ID"),
            wrong_subject_app: var("SDK_WRONG_SUBJECT_APP_CLIENT_ID"),
            arm: var("SDK_ARM_ENDPOINT")
                .unwrap_or_else(|| "https://management.azure.com".to_owned())
                .trim_end_matches('/')
                .to_owned(),
        }
    }
}

/// The managed identity's exchange token as a client assertion.
#[derive(Debug)]
struct MiAssertion(Arc<ManagedIdentityCredential>);

#[async_trait::async_trait]
impl ClientAssertion for MiAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self
            .0
            .get_token(&[EXCHANGE_SCOPE], None)
            .await?
            .token
            .secret()
            .to_owned())
    }
}

fn managed_identity(ids: &Ids) -> Result<Arc<ManagedIdentityCredential>, String> {
    ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        user_assigned_id: Some(UserAssignedId::ClientId(ids.mi_client_id.clone())),
        ..Default::default()
    }))
    .map_err(|e| e.to_string())
}

async fn list_resource_groups(ids: &Ids, token: &str) -> CaseResult {
    let url = format!(
        "{}/subscriptions/{}/resourceGroups?api-version=2024-08-01",
        ids.arm, ids.subscription
    );
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("resourceGroups answered {status}: {body}"));
    }
    let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let names: Vec<&str> = v["value"]
        .as_array()
        .map(|a| a.iter().filter_map(|g| g["name"].as_str()).collect())
        .unwrap_or_default();
    if names.contains(&ids.expect_rg.as_str()) {
        Ok(())
    } else {
        Err(format!("{} not in {names:?}", ids.expect_rg))
    }
}

async fn expect_aadsts(code: u32, cred: Arc<ClientAssertionCredential<MiAssertion>>) -> CaseResult {
    match cred.get_token(&[ARM_SCOPE], None).await {
        Ok(_) => Err(format!("expected AADSTS{code}, but the call succeeded")),
        Err(e) if e.to_string().contains(&format!("AADSTS{code}")) => Ok(()),
        Err(e) => Err(format!("expected AADSTS{code} in: {e}")),
    }
}

fn assertion_credential(
    ids: &Ids,
    tenant: &str,
    app: &str,
) -> Result<Arc<ClientAssertionCredential<MiAssertion>>, String> {
    ClientAssertionCredential::new(
        tenant.to_owned(),
        app.to_owned(),
        MiAssertion(managed_identity(ids)?),
        None,
    )
    .map_err(|e| e.to_string())
}

/// Cases that need a managed identity: App Service here (IMDS cannot be redirected, see GAPS).
async fn managed_identity_cases(ids: &Ids) -> Vec<(&'static str, Outcome)> {
    let mut out = vec![];
    let r: CaseResult = async {
        let tok = managed_identity(ids)?
            .get_token(&[EXCHANGE_SCOPE], None)
            .await
            .map_err(|e| e.to_string())?;
        let token = tok.token.secret();
        if token.split('.').count() != 3 {
            return Err("the managed-identity token is not a JWT".to_owned());
        }
        if let Some(path) = var("SDK_TOKEN_FILE_OUT") {
            std::fs::write(path, token).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
    .await;
    out.push((
        "ManagedIdentityCredential gets an exchange token over App Service",
        outcome(r),
    ));

    let r: CaseResult = async {
        let cred = assertion_credential(ids, &ids.target_tenant, &ids.app)?;
        let tok = cred
            .get_token(&[ARM_SCOPE], None)
            .await
            .map_err(|e| e.to_string())?;
        list_resource_groups(ids, tok.token.secret()).await
    }
    .await;
    out.push((
        "ClientAssertionCredential exchanges the identity token and lists resource groups",
        outcome(r),
    ));

    let r = match &ids.own_app {
        None => Outcome::Skip("SDK_OWN_APP_CLIENT_ID not set".to_owned()),
        Some(own) => outcome(match assertion_credential(ids, &ids.target_tenant, own) {
            Ok(c) => expect_aadsts(700236, c).await,
            Err(e) => Err(e),
        }),
    };
    out.push((
        "ClientAssertionCredential surfaces AADSTS700236 for an app registered in the resource tenant",
        r,
    ));

    let r = match &ids.wrong_subject_app {
        None => Outcome::Skip("SDK_WRONG_SUBJECT_APP_CLIENT_ID not set".to_owned()),
        Some(app) => outcome(match assertion_credential(ids, &ids.home_tenant, app) {
            Ok(c) => expect_aadsts(700213, c).await,
            Err(e) => Err(e),
        }),
    };
    out.push((
        "ClientAssertionCredential surfaces AADSTS700213 for a FIC with another subject",
        r,
    ));
    out
}

async fn workload_cases(ids: &Ids) -> Vec<(&'static str, Outcome)> {
    let r: CaseResult = async {
        let cred = WorkloadIdentityCredential::new(None).map_err(|e| e.to_string())?;
        let tok = cred
            .get_token(&[ARM_SCOPE], None)
            .await
            .map_err(|e| e.to_string())?;
        list_resource_groups(ids, tok.token.secret()).await
    }
    .await;
    vec![(
        "WorkloadIdentityCredential reads the token file and lists resource groups",
        outcome(r),
    )]
}

fn outcome(r: CaseResult) -> Outcome {
    match r {
        Ok(()) => Outcome::Pass,
        Err(e) => Outcome::Fail(e),
    }
}

/// What cannot be pointed at the mock without patching the crate, and why.
const GAPS: &[&str] = &[
    "ManagedIdentityCredential over IMDS: azure_identity 1.0 hard-codes http://169.254.169.254 and \
     ignores AZURE_POD_IDENTITY_AUTHORITY_HOST (Azure/azure-sdk-for-rust#2286); only the App Service \
     source (IDENTITY_ENDPOINT/IDENTITY_HEADER) is redirectable, so the suite uses that",
    "DefaultAzureCredential: not offered by azure_identity 1.0 (DeveloperToolsCredential covers CLI tools only)",
    "Service Fabric, Azure Arc, Cloud Shell and Azure ML managed identity: rejected by azure_identity 1.0 as unsupported",
];

async fn run_mode(mode: &str) -> ExitCode {
    let ids = Ids::from_env();
    let results = match mode {
        "mi" => managed_identity_cases(&ids).await,
        "workload" => workload_cases(&ids).await,
        other => {
            eprintln!("unknown mode {other}");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (name, o) in results {
        match o {
            Outcome::Pass => {
                passed += 1;
                println!("  pass  [{mode}] {name}");
            }
            Outcome::Fail(e) => {
                failed += 1;
                println!("  FAIL  [{mode}] {name}: {e}");
            }
            Outcome::Skip(why) => {
                skipped += 1;
                println!("  skip  [{mode}] {name}: {why}");
            }
        }
    }
    println!("RESULT {passed} {failed} {skipped}");
    ExitCode::SUCCESS
}

/// Runs this binary in `mode` with `extra` environment; returns (passed, failed, skipped).
fn child(mode: &str, extra: &[(&str, String)]) -> (u32, u32, u32) {
    let exe = std::env::current_exe().expect("the running binary's path");
    let mut cmd = Command::new(exe);
    cmd.arg(mode);
    for k in [
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            println!("  FAIL  [{mode}] could not start: {e}");
            return (0, 1, 0);
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let mut counts = None;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("RESULT ") {
            let n: Vec<u32> = rest.split(' ').filter_map(|x| x.parse().ok()).collect();
            if let [p, f, s] = n[..] {
                counts = Some((p, f, s));
            }
        } else {
            println!("{line}");
        }
    }
    counts.unwrap_or_else(|| {
        println!(
            "  FAIL  [{mode}] the child ended without a result ({})",
            out.status
        );
        (0, 1, 0)
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    if let Some(mode) = std::env::args().nth(1) {
        return run_mode(&mode).await;
    }
    let ids = Ids::from_env();
    let dir = std::env::temp_dir().join(format!("sdk-rust-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{dir:?}: {e}");
        return ExitCode::FAILURE;
    }
    let token_file = dir.join("federated-token.jwt");
    let token_file_s = token_file.to_string_lossy().into_owned();
    let mut total = (0, 0, 0);
    let mut add = |c: (u32, u32, u32)| {
        total.0 += c.0;
        total.1 += c.1;
        total.2 += c.2;
    };
    // Against the mock: App Service. Against real Azure without SDK_IDENTITY_ENDPOINT: the host's IMDS.
    let mut mi_env = vec![("SDK_TOKEN_FILE_OUT", token_file_s.clone())];
    if let (Some(endpoint), Some(header)) =
        (var("SDK_IDENTITY_ENDPOINT"), var("SDK_IDENTITY_HEADER"))
    {
        mi_env.push(("IDENTITY_ENDPOINT", endpoint));
        mi_env.push(("IDENTITY_HEADER", header));
    }
    add(child("mi", &mi_env));
    if token_file.exists() {
        add(child(
            "workload",
            &[
                ("AZURE_TENANT_ID", ids.target_tenant.clone()),
                ("AZURE_CLIENT_ID", ids.app.clone()),
                ("AZURE_FEDERATED_TOKEN_FILE", token_file_s),
            ],
        ));
    } else {
        println!("  FAIL  [workload] no managed-identity token to put in the token file");
        add((0, 1, 0));
    }
    let _ = std::fs::remove_dir_all(&dir);
    for gap in GAPS {
        println!("  gap   {gap}");
    }
    println!(
        "rust: {} passed, {} failed, {} skipped",
        total.0, total.1, total.2
    );
    if total.1 == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
