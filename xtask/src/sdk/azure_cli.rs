//! `cargo xtask sdk azure-cli`: the Azure CLI, unmodified, against mock-entra (issue 15).
//!
//! azure-cli is installed from PyPI into its own venv under the target directory, pinned with
//! hashes in `sdk/azure-cli/requirements.txt`, and reinstalled only when that file changes. The
//! suite is `sdk/azure-cli/suite.sh`, the workshop recipe of docs/sdk-setup.md: it registers the
//! mock as a cloud from its metadata endpoint and logs in three ways. az gets nothing but
//! `AZURE_CONFIG_DIR` (a fresh directory) and `REQUESTS_CA_BUNDLE` (the mock's CA); the script
//! reads the mock's origin and the scenario's ids from its own variables.

use std::path::PathBuf;
use std::process::Command;

use super::{Mock, SuiteRun, pinned_venv, run_with_timeout};
use crate::{Result, root};

/// A venv with the pinned azure-cli; returns its `bin` directory.
fn ensure_venv() -> Result<PathBuf> {
    pinned_venv("azure-cli-venv", "sdk/azure-cli/requirements.txt", "az")
}

pub(super) fn suite(real: bool) -> Result<SuiteRun> {
    if real {
        return Ok(SuiteRun::Skipped(
            "the suite registers the mock as a cloud; against Azure, az needs no recipe".to_owned(),
        ));
    }
    let bin = ensure_venv()?;
    let mock = Mock::start("azure-cli")?;
    let config_dir = mock.data_dir.join("azure-config");
    std::fs::create_dir_all(&config_dir).map_err(|e| format!("{config_dir:?}: {e}"))?;

    let mut cmd = Command::new("bash");
    cmd.arg(root().join("sdk/azure-cli/suite.sh"));
    cmd.env_clear();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    cmd.env(
        "PATH",
        std::env::join_paths(paths).map_err(|e| e.to_string())?,
    );
    if let Some(home) = std::env::var_os("HOME") {
        cmd.env("HOME", home);
    }
    // What az reads: its config directory and the CA bundle.
    cmd.env("AZURE_CONFIG_DIR", &config_dir);
    let ca = mock
        .env
        .get("SDK_CA_FILE")
        .ok_or("mock-entra env printed no CA file")?;
    cmd.env("REQUESTS_CA_BUNDLE", ca);
    // What the script reads: the mock's origin, the App Service endpoint and the ids.
    let arm = mock
        .env
        .get("SDK_ARM_ENDPOINT")
        .ok_or("mock-entra env printed no HTTPS origin")?;
    cmd.env("MOCK_ENTRA_ARM", arm);
    for (k, v) in &mock.env {
        if k.starts_with("SDK_") {
            cmd.env(k, v);
        }
    }
    let result = run_with_timeout("azure-cli", cmd);
    drop(mock);
    result.map(|()| SuiteRun::Ran)
}
