//! Idempotent installation of the tools the build and tests need. Versions are pinned here and
//! in Cargo.lock; a tool already installed at the right version is not touched.

use std::process::Command;

use crate::{Result, root, run};

/// trunk 0.22 needs a newer rustc than the pinned toolchain.
const TRUNK_VERSION: &str = "0.21.14";

pub(crate) fn ensure_all() -> Result {
    ensure_wasm_tools()?;
    ensure_chromium()
}

pub(crate) fn ensure_wasm_tools() -> Result {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", TRUNK_VERSION, true)?;
    let bindgen = wasm_bindgen_version()?;
    // wasm-bindgen-cli's own lockfile pins a crate the registry no longer serves: no --locked.
    ensure_cargo_tool("wasm-bindgen-cli", &bindgen, false)
}

fn ensure_wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// The exact wasm-bindgen version in Cargo.lock, which the CLI must match.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".to_owned())
}

/// Installs `krate` at `version` unless `cargo install --list` already has it.
///
/// Built the quick way: trunk's manifest asks for fat LTO and one codegen unit, which keeps one
/// core busy for minutes on a fresh machine, for a tool whose speed never shows (it spends its
/// time waiting for cargo). Without LTO, at opt-level 1 and in parallel codegen units, the two
/// installs take far less (figures in docs/performance.md, "CI on a fresh machine"). Both
/// tools share one target directory, so the dependencies they have in common compile once.
pub(crate) fn ensure_cargo_tool(krate: &str, version: &str, locked: bool) -> Result {
    let listed = output("cargo", &["install", "--list"]).unwrap_or_default();
    if listed
        .lines()
        .any(|l| l.starts_with(&format!("{krate} v{version}:")))
    {
        return Ok(());
    }
    let target = crate::target_dir().join("tool-installs");
    let target = target.to_str().ok_or("non-UTF-8 target directory")?;
    let mut args = vec![
        "install",
        krate,
        "--version",
        version,
        "--target-dir",
        target,
    ];
    if locked {
        args.push("--locked");
    }
    let shown = format!("cargo {}", args.join(" "));
    println!("\n$ {shown} (quick release profile)");
    crate::wait_for(
        Command::new("cargo")
            .args(&args)
            .current_dir(root())
            .envs(QUICK_RELEASE),
        &shown,
    )
}

/// Cargo configuration (it overrides a manifest's `[profile.release]`) for the tools' installs.
const QUICK_RELEASE: [(&str, &str); 5] = [
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "0"),
    ("CARGO_PROFILE_RELEASE_INCREMENTAL", "false"),
];

/// Debian's Chromium and its WebDriver, for the browser tests and benchmarks.
pub(crate) fn ensure_chromium() -> Result {
    let present = |bin: &str| std::path::Path::new(bin).exists();
    if present("/usr/bin/chromium") && present("/usr/bin/chromedriver") {
        return Ok(());
    }
    run("apt-get", &["update", "-qq"])?;
    run(
        "apt-get",
        &["install", "-y", "-qq", "chromium", "chromium-driver"],
    )
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
