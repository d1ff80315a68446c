//! Project automation, so that a fresh machine needs one command per job:
//!
//! - `cargo xtask serve`: build the playground and run mock-entra serving it (the product);
//! - `cargo xtask ci`: install what the tests need, then run every check and test;
//! - `cargo xtask playground`: build the playground into `dist/`;
//! - `cargo xtask site [--out DIR]`: the playground as a static folder (default `dist-site/`)
//!   that runs core's engine in the page when no mock-entra serves it (GitHub Pages);
//! - `cargo xtask dist [--target T]`: the release binary with the playground built in;
//! - `cargo xtask tools`: only install the tools (trunk, wasm-bindgen-cli, Chromium);
//! - `cargo xtask sdk [suite…]`: real Azure SDKs against a fresh mock-entra per suite;
//! - `cargo xtask fuzz [--seconds N]`: run every cargo-fuzz target N seconds (default 180);
//! - `cargo xtask soak [--seconds N]`: the load-and-faults soak for N seconds (default 60);
//! - `cargo xtask bench`: measure mock-entra against the signing limit and a peer
//!   (`docs/performance.md`; a benchmark, never part of `ci`).
//!
//! Installs are idempotent: a tool already present at the right version is left alone.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod dist;
mod hardening;
mod sdk;
mod site;
mod tidy;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("serve") => serve(&args[1..]),
        Some("playground") => playground(),
        Some("site") => site::site(&args[1..]),
        Some("dist") => dist::dist(&args[1..]),
        Some("tools") => tools::ensure_all(),
        Some("sdk") => sdk::sdk(&args[1..]),
        Some("fuzz") => hardening::fuzz(&args[1..]),
        Some("soak") => hardening::soak(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|serve [mock-entra args…]|playground|site [--out DIR]|dist [--target T]|tools|sdk [suite…]|fuzz [--seconds N]|soak [--seconds N]|bench [options]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

/// The repository root (the parent of this crate).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set).
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Runs a command from the repository root, echoing it, and fails when it fails.
pub(crate) fn run(program: &str, args: &[&str]) -> Result {
    run_in(&root(), program, args)
}

/// Runs a command in `dir`, echoing it, and fails when it fails.
pub(crate) fn run_in(dir: &Path, program: &str, args: &[&str]) -> Result {
    let shown = format!("{program} {}", args.join(" "));
    println!("\n$ {shown}");
    wait_for(Command::new(program).args(args).current_dir(dir), &shown)
}

/// Runs `cmd` to its end (`shown` names it in errors) and fails when it fails.
pub(crate) fn wait_for(cmd: &mut Command, shown: &str) -> Result {
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// The features `ci` builds mock-entra with, for its tests and for the SDK suites alike.
const CI_MOCK_FEATURES: &str = "mock-entra/embed-playground";

fn ci() -> Result {
    let mut stages = Stages::default();
    let result = ci_stages(&mut stages);
    stages.print();
    result
}

/// The stages of `cargo xtask ci`, each timed (printed at the end, also after a failure).
fn ci_stages(stages: &mut Stages) -> Result {
    stages.time("tools (installs)", tools::ensure_all)?;
    stages.time("fmt", || run("cargo", &["fmt", "--all", "--check"]))?;
    stages.time("clippy", || {
        run(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    stages.time("core for wasm32", || {
        run(
            "cargo",
            &[
                "check",
                "-p",
                "entra-core",
                "--target",
                "wasm32-unknown-unknown",
            ],
        )
    })?;
    stages.time("playground (trunk)", playground)?;
    // The static site e2e walks with no mock-entra behind it.
    stages.time("static site (trunk)", || {
        site::build(&root().join(site::DEFAULT_OUT))
    })?;
    // One build for every test: the binary carries the playground built above (what `cargo xtask
    // dist` ships), so `it`'s built-in-playground test runs here instead of in a second build of
    // mock-entra and its test binary, and the SDK suites below run that same binary.
    stages.time("cargo test --workspace", || {
        run(
            "cargo",
            &[
                "test",
                "--workspace",
                "--no-fail-fast",
                "--features",
                CI_MOCK_FEATURES,
            ],
        )
    })?;
    stages.time("sdk suites", || {
        sdk::sdk_with(&[], sdk::Binaries::FromTests)
    })
}

/// Wall-clock time of each CI stage, for the closing notes' "how long each stage took".
#[derive(Default)]
struct Stages(Vec<(&'static str, std::time::Duration, bool)>);

impl Stages {
    fn time(&mut self, name: &'static str, stage: impl FnOnce() -> Result) -> Result {
        let start = std::time::Instant::now();
        let result = stage();
        self.0.push((name, start.elapsed(), result.is_ok()));
        result
    }

    fn print(&self) {
        println!("\nxtask ci: stage times");
        let mut total = std::time::Duration::ZERO;
        for (name, took, ok) in &self.0 {
            total += *took;
            let mark = if *ok { "" } else { "  (failed)" };
            println!("  {name:<24} {:>6.0} s{mark}", took.as_secs_f64());
        }
        println!("  {:<24} {:>6.0} s", "total", total.as_secs_f64());
    }
}

pub(crate) fn playground() -> Result {
    tools::ensure_wasm_tools()?;
    run("trunk", &["build", "--release", "--offline"])
}

fn serve(extra: &[String]) -> Result {
    playground()?;
    let mut args = vec![
        "run",
        "--release",
        "-p",
        "mock-entra",
        "--",
        "--playground-dir",
        "dist",
    ];
    args.extend(extra.iter().map(String::as_str));
    run("cargo", &args)
}
