//! `cargo xtask sdk`: real, unmodified Azure SDKs against mock-entra (issue 4).
//!
//! For each suite (curl, python, node, rust, azurite) a fresh mock-entra is started on random
//! ports with a fresh data directory, the suite runs with nothing but environment variables
//! pointing at it, and the mock is stopped. With `MOCK_ENTRA_REAL_AZURE=1` no mock is started:
//! the suites run against real Azure with the ids the user exported (docs/sdk-setup.md).
//!
//! What the suites need is installed idempotently: a Python venv under the target directory
//! (pinned requirements with hashes), `npm ci` in `sdk/node` (package-lock.json), and the
//! `sdk/rust` crate (its own Cargo.lock) built into the shared target directory.
//!
//! The `azure-cli` suite (issue 15, `sdk/azure_cli.rs`) runs the Azure CLI, pinned in its own
//! venv, through `sdk/azure-cli/suite.sh`.
//!
//! The `export` suite (issue 16) runs the playground's whole-scenario exports: for every guided
//! scenario, the bash, Python, `.http` (httpyac, `npm ci` in `sdk/export`) and Rust (a scratch
//! copy of `sdk/export/rust` with its pinned Cargo.lock, compiled with `-D warnings`) scripts,
//! and for lab runs (no mistake, each mistake a script can reproduce, two at once) the bash,
//! Python and `.http` scripts, each run unchanged in a fresh directory against a fresh mock-entra
//! with nothing but what `mock-entra env` prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Result, root, run};

mod azure_cli;
mod workload;

const SUITES: &[&str] = &[
    "curl",
    "python",
    "node",
    "rust",
    "azurite",
    "export",
    "azure-cli",
    "workload",
];

/// How long one suite may run before it counts as failed.
const SUITE_TIMEOUT: Duration = Duration::from_secs(600);

/// The default scenario's ids the suites need (scenarios/default.json), exported under the
/// `SDK_*` names that real-Azure users set themselves.
const MOCK_IDS: &[(&str, &str)] = &[
    ("SDK_MI_CLIENT_ID", "f31c6e2a-5b4d-4a8e-9f10-7c2d8e1a0d43"),
    ("SDK_HOME_TENANT_ID", "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f"),
    ("SDK_APP_CLIENT_ID", "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f"),
    (
        "SDK_TARGET_TENANT_ID",
        "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691",
    ),
    (
        "SDK_TARGET_SUBSCRIPTION_ID",
        "3f8e2d1c-0b9a-4877-a665-544332211a0b",
    ),
    ("SDK_EXPECT_RESOURCE_GROUP", "NetworkWatcherRG"),
    (
        "SDK_OWN_APP_CLIENT_ID",
        "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57",
    ),
    ("SDK_WRONG_SUBJECT_APP_CLIENT_ID", WRONG_SUBJECT_APP_ID),
];

/// An app added to Contoso for the suites only: its FIC trusts the right issuer and audience but
/// another subject, so a token exchange with the identity's token answers AADSTS700213.
const WRONG_SUBJECT_APP_ID: &str = "7b0d5e3c-9a1f-4c2e-8d6b-1f3a5c7e9b20";

/// Every variable real-Azure mode needs (docs/sdk-setup.md explains each).
const REAL_AZURE_REQUIRED: &[&str] = &[
    "SDK_MI_CLIENT_ID",
    "SDK_HOME_TENANT_ID",
    "SDK_APP_CLIENT_ID",
    "SDK_TARGET_TENANT_ID",
    "SDK_TARGET_SUBSCRIPTION_ID",
    "SDK_EXPECT_RESOURCE_GROUP",
];

#[derive(Debug)]
enum Outcome {
    Passed(Duration),
    Failed(Duration, String),
    Skipped(String),
}

pub(crate) fn sdk(args: &[String]) -> Result {
    sdk_with(args, Binaries::Build)
}

/// Where the suites' mock-entra and core's `export_scripts` example come from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binaries {
    /// `cargo build -p mock-entra` and `cargo run -p entra-core --example` (`cargo xtask sdk`).
    Build,
    /// The ones `cargo test --workspace` has just built (`cargo xtask ci`). A `-p` build resolves
    /// features for that one package instead of the whole workspace, so it would compile much
    /// of the dependency graph a second time.
    FromTests,
}

/// The suites in `args` (all of them when empty).
pub(crate) fn sdk_with(args: &[String], binaries: Binaries) -> Result {
    let wanted: Vec<&str> = if args.is_empty() {
        SUITES.to_vec()
    } else {
        for a in args {
            if !SUITES.contains(&a.as_str()) {
                return Err(format!("unknown suite {a}; suites: {}", SUITES.join(", ")));
            }
        }
        args.iter().map(String::as_str).collect()
    };
    let real = std::env::var("MOCK_ENTRA_REAL_AZURE").is_ok_and(|v| v == "1");
    if real {
        let missing: Vec<&str> = REAL_AZURE_REQUIRED
            .iter()
            .copied()
            .filter(|k| std::env::var(k).map_or(true, |v| v.is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "MOCK_ENTRA_REAL_AZURE=1 needs {} (see docs/sdk-setup.md)",
                missing.join(", ")
            ));
        }
    } else if binaries == Binaries::Build {
        run("cargo", &["build", "-p", "mock-entra"])?;
    } else {
        for built in ["debug/mock-entra", EXPORT_SCRIPTS] {
            if !target_dir().join(built).is_file() {
                return Err(format!(
                    "{built} is missing: run `cargo test --workspace` before the suites"
                ));
            }
        }
    }

    let all_started = Instant::now();
    let mut results: Vec<(&str, Outcome)> = vec![];
    for suite in wanted {
        println!("\n=== sdk suite: {suite} ===");
        let started = Instant::now();
        let outcome = if matches!(suite, "export" | "azure-cli" | "workload") {
            let ran = match suite {
                "export" => export_suite(real, binaries),
                "azure-cli" => azure_cli::suite(real),
                _ => workload::workload_suite(real),
            };
            match ran {
                Ok(SuiteRun::Ran) => Outcome::Passed(started.elapsed()),
                Ok(SuiteRun::Skipped(why)) => Outcome::Skipped(why),
                Err(e) => Outcome::Failed(started.elapsed(), e),
            }
        } else {
            match prepare(suite) {
                Err(e) => Outcome::Failed(started.elapsed(), format!("install: {e}")),
                Ok(None) => Outcome::Skipped("nothing to run".to_owned()),
                Ok(Some(cmd)) => {
                    let result = if real {
                        run_real(suite, cmd)
                    } else {
                        run_against_mock(suite, cmd)
                    };
                    match result {
                        Ok(SuiteRun::Ran) => Outcome::Passed(started.elapsed()),
                        Ok(SuiteRun::Skipped(why)) => Outcome::Skipped(why),
                        Err(e) => Outcome::Failed(started.elapsed(), e),
                    }
                }
            }
        };
        results.push((suite, outcome));
    }

    println!(
        "\n=== sdk summary ({}) ===",
        if real { "real Azure" } else { "mock-entra" }
    );
    let mut failed = 0;
    let mut passed = 0;
    for (suite, outcome) in &results {
        match outcome {
            Outcome::Passed(d) => {
                passed += 1;
                println!("  {suite:<9} pass  ({:.0}s)", d.as_secs_f64());
            }
            Outcome::Failed(d, e) => {
                failed += 1;
                println!("  {suite:<9} FAIL  ({:.0}s): {e}", d.as_secs_f64());
            }
            Outcome::Skipped(why) => println!("  {suite:<9} skip  {why}"),
        }
    }
    println!(
        "sdk: {passed} passed, {failed} failed ({:.0}s with installs and builds)",
        all_started.elapsed().as_secs_f64()
    );
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} sdk suite(s) failed"))
    }
}

enum SuiteRun {
    Ran,
    Skipped(String),
}

/// The target directory shared by the workspace (and the `sdk/rust` crate).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Installs what `suite` needs and returns the command that runs it.
fn prepare(suite: &str) -> Result<Option<Command>> {
    let sdk = root().join("sdk");
    Ok(Some(match suite {
        "curl" => {
            ensure_debian_tools(&[("curl", "curl"), ("jq", "jq")])?;
            let mut c = Command::new("bash");
            c.arg(sdk.join("curl/seed002.sh"));
            c
        }
        "python" => {
            let python = ensure_venv()?;
            let mut c = Command::new(python);
            c.arg(sdk.join("python/suite.py"));
            c
        }
        "node" | "azurite" => {
            ensure_node_modules()?;
            let mut c = Command::new("node");
            c.arg(sdk.join(format!("node/{suite}.mjs")));
            c.current_dir(sdk.join("node"));
            c
        }
        "rust" => {
            let manifest = sdk.join("rust/Cargo.toml");
            let manifest = manifest.to_str().ok_or("non-UTF-8 path")?;
            // The workspace's target directory, also when CARGO_TARGET_DIR is unset.
            let target = target_dir();
            let target = target.to_str().ok_or("non-UTF-8 path")?;
            run(
                "cargo",
                &[
                    "build",
                    "--manifest-path",
                    manifest,
                    "--target-dir",
                    target,
                    "--locked",
                    "--quiet",
                ],
            )?;
            Command::new(target_dir().join("debug/sdk-rust-conformance"))
        }
        _ => return Ok(None),
    }))
}

/// Debian packages for commands the curl suite runs, installed only when a command is missing.
fn ensure_debian_tools(tools: &[(&str, &str)]) -> Result {
    let on_path = |bin: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
    };
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(bin, _)| !on_path(bin))
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing);
    run("apt-get", &args)
}

/// A venv under the target directory with sdk/python/requirements.txt installed (hashes
/// required). Reinstalled only when the requirements change.
fn ensure_venv() -> Result<PathBuf> {
    Ok(pinned_venv("sdk-venv", "sdk/python/requirements.txt", "python")?.join("python"))
}

/// A venv under the target directory named `name`, with the hash-pinned `requirements` (a path
/// from the repository root) installed, rebuilt from scratch only when that file changes or
/// `bin/{program}` is missing. Returns its `bin` directory.
pub(super) fn pinned_venv(name: &str, requirements: &str, program: &str) -> Result<PathBuf> {
    let venv = target_dir().join(name);
    let bin = venv.join("bin");
    let requirements = root().join(requirements);
    let wanted = std::fs::read(&requirements).map_err(|e| format!("{requirements:?}: {e}"))?;
    let stamp = venv.join("installed-requirements.txt");
    if bin.join(program).exists() && std::fs::read(&stamp).ok().as_deref() == Some(&wanted[..]) {
        return Ok(bin);
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&venv);
    run("python3", &["-m", "venv", &path_string(&venv)])?;
    run(
        &path_string(&bin.join("python")),
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--only-binary",
            ":all:",
            "-r",
            &path_string(&requirements),
        ],
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{stamp:?}: {e}"))?;
    println!(
        "  {name} installed in {:.0}s ({})",
        started.elapsed().as_secs_f64(),
        venv.display()
    );
    Ok(bin)
}

/// `npm ci` in sdk/node unless node_modules already matches package-lock.json.
fn ensure_node_modules() -> Result {
    npm_ci(&root().join("sdk/node"))
}

/// `npm ci` in `dir` unless its node_modules already matches its package-lock.json.
fn npm_ci(dir: &Path) -> Result {
    let dir = dir.to_path_buf();
    let lock = std::fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("{dir:?}/package-lock.json: {e}"))?;
    let stamp = dir.join("node_modules/.installed-package-lock.json");
    if std::fs::read(&stamp).ok().as_deref() == Some(&lock[..]) {
        return Ok(());
    }
    println!("\n$ npm ci ({})", dir.display());
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("could not start npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm ci failed ({status})"));
    }
    std::fs::write(&stamp, lock).map_err(|e| format!("{stamp:?}: {e}"))
}

/// Real-Azure mode: the user's environment as it is. Azurite needs a mock-issued token, so it
/// does not run there.
fn run_real(suite: &str, cmd: Command) -> Result<SuiteRun> {
    if suite == "azurite" {
        return Ok(SuiteRun::Skipped(
            "Azurite is a local emulator; real-Azure mode has no Azurite to test".to_owned(),
        ));
    }
    let mut cmd = cmd;
    cmd.env("SDK_TARGET", "azure");
    run_with_timeout(suite, cmd)?;
    Ok(SuiteRun::Ran)
}

fn run_against_mock(suite: &str, cmd: Command) -> Result<SuiteRun> {
    let mock = Mock::start(suite)?;
    let mut cmd = cmd;
    // Nothing from the caller's environment may redirect the suite elsewhere.
    for k in [
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "IDENTITY_SERVER_THUMBPRINT",
        "MSI_ENDPOINT",
        "MSI_SECRET",
        "IMDS_ENDPOINT",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_REGIONAL_AUTHORITY_NAME",
        "MSAL_FORCE_REGION",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(mock.env.iter());
    cmd.env("SDK_TARGET", "mock");
    let result = run_with_timeout(suite, cmd);
    drop(mock);
    result.map(|()| SuiteRun::Ran)
}

fn run_with_timeout(suite: &str, mut cmd: Command) -> Result {
    let mut child = cmd
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the {suite} suite: {e}"))?;
    let deadline = Instant::now() + SUITE_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() {
                Ok(())
            } else {
                Err(format!("the {suite} suite failed ({status})"))
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the {suite} suite ran longer than {}s",
                SUITE_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One mock-entra process with its own data directory, stopped on drop.
struct Mock {
    child: Child,
    data_dir: PathBuf,
    env: BTreeMap<String, String>,
}

impl Mock {
    fn start(suite: &str) -> Result<Mock> {
        Mock::start_with(suite, &scenario_for_suites()?)
    }

    /// A mock-entra serving `scenario`.
    fn start_with(suite: &str, scenario_json: &[u8]) -> Result<Mock> {
        let data_dir = std::env::temp_dir().join(format!(
            "mock-entra-sdk-{suite}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|e| format!("{data_dir:?}: {e}"))?;
        let scenario = data_dir.join("scenario.json");
        std::fs::write(&scenario, scenario_json).map_err(|e| format!("{scenario:?}: {e}"))?;
        let bin = target_dir().join("debug/mock-entra");
        let log = std::fs::File::create(data_dir.join("mock.log")).map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .args(["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--scenario")
            .arg(&scenario)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start {bin:?}: {e}"))?;
        let mut mock = Mock {
            child,
            data_dir,
            env: BTreeMap::new(),
        };
        mock.wait_ready()?;
        mock.env = mock.client_env()?;
        Ok(mock)
    }

    /// Polls for the instance file mock-entra writes once both listeners are bound.
    fn wait_ready(&mut self) -> Result {
        let deadline = Instant::now() + Duration::from_secs(60);
        let instance = self.data_dir.join("instance.json");
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!(
                    "mock-entra exited ({status}); log in {:?}",
                    self.data_dir.join("mock.log")
                ));
            }
            if std::fs::read(&instance)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .is_some()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("mock-entra did not start within 60s".to_owned())
    }

    /// Exactly what `eval "$(mock-entra env)"` sets for this instance.
    fn printed_env(&self) -> Result<BTreeMap<String, String>> {
        let out = Command::new(target_dir().join("debug/mock-entra"))
            .arg("env")
            .arg("--data-dir")
            .arg(&self.data_dir)
            .output()
            .map_err(|e| format!("mock-entra env: {e}"))?;
        if !out.status.success() {
            return Err(format!("mock-entra env failed ({})", out.status));
        }
        let mut env = BTreeMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((k, v)) = line
                .strip_prefix("export ")
                .and_then(|kv| kv.split_once('='))
            {
                let v = v
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .unwrap_or(v);
                env.insert(k.to_owned(), v.to_owned());
            }
        }
        Ok(env)
    }

    /// The suite's environment: what `mock-entra env` prints for this instance, plus the ids.
    fn client_env(&self) -> Result<BTreeMap<String, String>> {
        let mut env = self.printed_env()?;
        // The suites choose per test case between IMDS and App Service and set these two
        // themselves (a process that sees IDENTITY_ENDPOINT never tries IMDS).
        for (from, to) in [
            ("IDENTITY_ENDPOINT", "SDK_IDENTITY_ENDPOINT"),
            ("IDENTITY_HEADER", "SDK_IDENTITY_HEADER"),
        ] {
            let v = env
                .remove(from)
                .ok_or(format!("mock-entra env printed no {from}"))?;
            env.insert(to.to_owned(), v);
        }
        // Ids the suites pass explicitly; AZURE_CLIENT_ID would also steer MI requests.
        env.remove("AZURE_CLIENT_ID");
        env.remove("AZURE_TENANT_ID");
        let authority = env
            .get("AZURE_AUTHORITY_HOST")
            .cloned()
            .ok_or("mock-entra env printed no AZURE_AUTHORITY_HOST")?;
        let ca = env
            .get("SSL_CERT_FILE")
            .cloned()
            .ok_or("mock-entra env printed no SSL_CERT_FILE")?;
        env.insert("SDK_ARM_ENDPOINT".to_owned(), authority.clone());
        env.insert(
            "SDK_STORAGE_AUDIENCE".to_owned(),
            "https://storage.azure.com".to_owned(),
        );
        env.insert("SDK_CA_FILE".to_owned(), ca);
        env.insert(
            "SDK_SERVER_CERT".to_owned(),
            path_string(&self.data_dir.join("server.pem")),
        );
        env.insert(
            "SDK_SERVER_KEY".to_owned(),
            path_string(&self.data_dir.join("server-key.pem")),
        );
        env.insert("SDK_WORK_DIR".to_owned(), path_string(&self.data_dir));
        for (k, v) in MOCK_IDS {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        Ok(env)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The default scenario plus one Contoso app whose FIC names another subject (AADSTS700213).
fn scenario_for_suites() -> Result<Vec<u8>> {
    let path = root().join("scenarios/default.json");
    let text = std::fs::read(&path).map_err(|e| format!("{path:?}: {e}"))?;
    let mut scenario: Value = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    let contoso = scenario["tenants"]
        .as_array_mut()
        .and_then(|t| t.first_mut())
        .ok_or("the default scenario has no tenant")?;
    let tenant_id = contoso["id"].as_str().unwrap_or_default().to_owned();
    let push = |v: &mut Value, key: &str, item: Value| -> Result {
        v[key]
            .as_array_mut()
            .ok_or(format!("the default scenario's first tenant has no {key}"))?
            .push(item);
        Ok(())
    };
    push(
        contoso,
        "applications",
        json!({
            "id": "7b0d5e3c-9a1f-4c2e-8d6b-1f3a5c7e9b21",
            "appId": WRONG_SUBJECT_APP_ID,
            "displayName": "Wrong Subject App",
            "signInAudience": "AzureADMyOrg",
            "federatedIdentityCredentials": [{
                "id": "7b0d5e3c-9a1f-4c2e-8d6b-1f3a5c7e9b22",
                "name": "someone-else",
                "issuer": format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
                "subject": "7b0d5e3c-9a1f-4c2e-8d6b-1f3a5c7e9b23",
                "audiences": ["api://AzureADTokenExchange"],
                "description": "Trusts another identity: the suites expect AADSTS700213"
            }]
        }),
    )?;
    push(
        contoso,
        "servicePrincipals",
        json!({
            "id": "7b0d5e3c-9a1f-4c2e-8d6b-1f3a5c7e9b24",
            "appId": WRONG_SUBJECT_APP_ID,
            "displayName": "Wrong Subject App",
            "appOwnerOrganizationId": tenant_id
        }),
    )?;
    serde_json::to_vec_pretty(&scenario).map_err(|e| e.to_string())
}

// --- export: the playground's whole-scenario scripts, executed ----------------------------------

/// The languages of the exports that run on these machines (PowerShell and C# are
/// snapshot-checked only; docs/sdk-setup.md).
const EXPORT_LANGS: &[(&str, &str)] = &[
    ("bash", "scenario.sh"),
    ("python", "scenario.py"),
    ("http", "scenario.http"),
    ("rust", "main.rs"),
];

/// The languages of the lab runs' exports the suite runs (their Rust scripts differ from the
/// scenarios' only in requests, which bash, Python and `.http` already prove).
const LAB_LANGS: &[&str] = &["bash", "python", "http"];

/// One step's expected outcome, as `export_scripts` writes it.
struct ExpectedStep {
    id: String,
    request: String,
    /// The AADSTS codes a deliberate mistake may answer with (any of them); empty: success.
    aadsts: Vec<u64>,
}

/// Core's example that writes every guided scenario's and lab run's scripts.
const EXPORT_SCRIPTS: &str = "debug/examples/export_scripts";

fn export_suite(real: bool, binaries: Binaries) -> Result<SuiteRun> {
    if real {
        return Ok(SuiteRun::Skipped(
            "the exported scripts carry the mock's ids; against Azure run them by hand".to_owned(),
        ));
    }
    ensure_debian_tools(&[("curl", "curl"), ("jq", "jq")])?;
    // requests comes with the SDK suite's pinned azure-identity.
    let python = ensure_venv()?;
    let export_dir = root().join("sdk/export");
    npm_ci(&export_dir)?;
    let work = std::env::temp_dir().join(format!(
        "mock-entra-export-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let scripts = work.join("scripts");
    std::fs::create_dir_all(&scripts).map_err(|e| format!("{scripts:?}: {e}"))?;
    let default = root().join("scenarios/default.json");
    let (default, scripts_dir) = (path_string(&default), path_string(&scripts));
    match binaries {
        Binaries::Build => run(
            "cargo",
            &[
                "run",
                "--quiet",
                "-p",
                "entra-core",
                "--example",
                "export_scripts",
                "--",
                &default,
                &scripts_dir,
            ],
        )?,
        Binaries::FromTests => run(
            &path_string(&target_dir().join(EXPORT_SCRIPTS)),
            &[&default, &scripts_dir],
        )?,
    }
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(&scripts)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    scenarios.sort();
    if scenarios.is_empty() {
        return Err("export_scripts wrote no scenario".to_owned());
    }
    let mut failures = vec![];
    for dir in &scenarios {
        let scenario = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expect = read_expected(&dir.join("expect.json"))?;
        let lab = scenario.starts_with("lab-");
        for (lang, file) in EXPORT_LANGS {
            if lab && !LAB_LANGS.contains(lang) {
                continue;
            }
            let run_dir = work.join(format!("{scenario}-{lang}"));
            std::fs::create_dir_all(&run_dir).map_err(|e| format!("{run_dir:?}: {e}"))?;
            let text = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
            let result = run_export(lang, &run_dir, file, &text, &python, &export_dir)
                .and_then(|(status_ok, stdout)| check_export(lang, status_ok, &stdout, &expect));
            match result {
                Ok(()) => println!("  export {scenario:<34} {lang:<6} ok"),
                Err(e) => {
                    println!("  export {scenario:<34} {lang:<6} FAIL: {e}");
                    failures.push(format!("{scenario}/{lang}"));
                }
            }
        }
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&work);
        Ok(SuiteRun::Ran)
    } else {
        Err(format!(
            "exports that did not reproduce their scenario: {} (files in {work:?})",
            failures.join(", ")
        ))
    }
}

fn read_expected(path: &Path) -> Result<Vec<ExpectedStep>> {
    let v: Value =
        serde_json::from_slice(&std::fs::read(path).map_err(|e| format!("{path:?}: {e}"))?)
            .map_err(|e| format!("{path:?}: {e}"))?;
    Ok(v.as_array()
        .ok_or(format!("{path:?}: not a list"))?
        .iter()
        .map(|s| ExpectedStep {
            id: s["id"].as_str().unwrap_or_default().to_owned(),
            request: s["request"].as_str().unwrap_or_default().to_owned(),
            aadsts: match &s["aadsts"] {
                Value::Array(codes) => codes.iter().filter_map(Value::as_u64).collect(),
                v => v.as_u64().into_iter().collect(),
            },
        })
        .collect())
}

/// Writes the script into `run_dir`, starts a fresh mock and runs the script with nothing but
/// PATH, HOME and what `mock-entra env` prints. Returns whether it exited 0, and its stdout.
fn run_export(
    lang: &str,
    run_dir: &Path,
    file: &str,
    text: &[u8],
    python: &Path,
    export_dir: &Path,
) -> Result<(bool, String)> {
    let mut cmd = match lang {
        "rust" => {
            let krate = run_dir.join("crate");
            std::fs::create_dir_all(krate.join("src")).map_err(|e| e.to_string())?;
            for f in ["Cargo.toml", "Cargo.lock"] {
                std::fs::copy(export_dir.join("rust").join(f), krate.join(f))
                    .map_err(|e| format!("sdk/export/rust/{f}: {e}"))?;
            }
            std::fs::write(krate.join("src/main.rs"), text).map_err(|e| e.to_string())?;
            // One target directory for every scenario: only main.rs recompiles. Generated code
            // must compile without a warning: `-D warnings` for the script's crate alone.
            let target = target_dir().join("export-scratch");
            run(
                "cargo",
                &[
                    "rustc",
                    "--quiet",
                    "--locked",
                    "--manifest-path",
                    &path_string(&krate.join("Cargo.toml")),
                    "--target-dir",
                    &path_string(&target),
                    "--",
                    "-D",
                    "warnings",
                ],
            )?;
            Command::new(target.join("debug/exported-scenario"))
        }
        _ => {
            std::fs::write(run_dir.join(file), text).map_err(|e| e.to_string())?;
            match lang {
                "bash" => {
                    let mut c = Command::new("bash");
                    c.arg(file);
                    c
                }
                "python" => {
                    let mut c = Command::new(python);
                    c.arg(file);
                    c
                }
                _ => {
                    let mut c = Command::new(export_dir.join("node_modules/.bin/httpyac"));
                    c.args(["send", file, "--all", "--json"]);
                    c
                }
            }
        }
    };
    let mock = Mock::start(&format!("export-{lang}"))?;
    let env = mock.printed_env()?;
    cmd.current_dir(run_dir).env_clear().stdin(Stdio::null());
    for k in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    cmd.envs(env.iter());
    let out = cmd
        .output()
        .map_err(|e| format!("could not start the {lang} script: {e}"))?;
    drop(mock);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "exited {}: {}{}",
            out.status,
            stdout.chars().take(2000).collect::<String>(),
            String::from_utf8_lossy(&out.stderr)
                .chars()
                .take(2000)
                .collect::<String>()
        ));
    }
    Ok((true, stdout))
}

/// Every step reached its expected outcome: the scripts print `ok   {id}: …` lines (and
/// `AADSTS{code} as expected` for the deliberate mistakes); httpyac's JSON report carries each
/// named request's status and body.
fn check_export(lang: &str, status_ok: bool, stdout: &str, expect: &[ExpectedStep]) -> Result {
    if !status_ok {
        return Err("the script failed".to_owned());
    }
    if lang == "http" {
        let report: Value =
            serde_json::from_str(stdout).map_err(|e| format!("httpyac --json: {e}: {stdout}"))?;
        let requests = report["requests"].as_array().cloned().unwrap_or_default();
        for step in expect {
            let r = requests
                .iter()
                .find(|r| r["name"] == step.request.as_str())
                .ok_or(format!("no response for {}", step.request))?;
            let status = r["response"]["statusCode"].as_u64().unwrap_or(0);
            let body = r["response"]["body"].clone();
            let body: Value = match body {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                v => v,
            };
            if step.aadsts.is_empty() {
                if !(200..400).contains(&status) {
                    return Err(format!("{}: HTTP {status} {body}", step.id));
                }
                continue;
            }
            let codes = body["error_codes"].as_array().cloned().unwrap_or_default();
            if !codes
                .iter()
                .any(|c| c.as_u64().is_some_and(|c| step.aadsts.contains(&c)))
            {
                return Err(format!(
                    "{}: expected AADSTS{:?}, got HTTP {status} {body}",
                    step.id, step.aadsts
                ));
            }
        }
        return Ok(());
    }
    for step in expect {
        let prefix = format!("ok   {}: ", step.id);
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .ok_or(format!("no outcome line for {}: {stdout}", step.id))?;
        if !step.aadsts.is_empty()
            && !step
                .aadsts
                .iter()
                .any(|code| line.contains(&format!("AADSTS{code} as expected")))
        {
            return Err(format!("{}: {line}", step.id));
        }
    }
    Ok(())
}
