//! `cargo xtask fuzz` and `cargo xtask soak`: the long-running hardening jobs (docs/security.md
//! records their figures). Both are kept out of `cargo xtask ci` apart from the short soak that
//! runs as an ordinary integration test.

use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{Result, root, tools};

/// cargo-fuzz, pinned like the other tools.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The targets under `fuzz/fuzz_targets`.
const FUZZ_TARGETS: [&str; 4] = ["jwt", "token_request", "scenario", "fic_rules"];

/// `--seconds N` from the arguments, else `default`.
fn seconds(args: &[String], default: u64) -> Result<u64> {
    match args {
        [] => Ok(default),
        [flag, n] if flag == "--seconds" => n
            .parse()
            .map_err(|_| format!("--seconds takes a number, not {n:?}")),
        other => Err(format!("unexpected arguments {other:?} (want --seconds N)")),
    }
}

/// Runs every fuzz target for `--seconds` (default 180) each and prints executions and findings.
/// libFuzzer needs nightly-only flags: the stable toolchain is unlocked with RUSTC_BOOTSTRAP.
pub(crate) fn fuzz(args: &[String]) -> Result {
    let secs = seconds(args, 180)?;
    tools::ensure_cargo_tool("cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
    let fuzz_dir = root().join("fuzz");
    // Sanitizer builds share nothing with normal ones: keep them in the fuzz crate's own target
    // directory unless the caller chose one.
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| fuzz_dir.join("target"), Into::into);
    let mut summary = Vec::new();
    for target in FUZZ_TARGETS {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let seeds = fuzz_dir.join("seeds").join(target);
        println!("\n$ cargo fuzz run -O {target} (for {secs} s)");
        let started = Instant::now();
        let out = Command::new("cargo")
            .args(["fuzz", "run", "-O", target])
            .arg(&corpus)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={secs}"),
                "-rss_limit_mb=4096",
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(&fuzz_dir)
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let runs = log.lines().rev().find_map(|l| {
            l.strip_prefix("Done ")?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        });
        let verdict = if out.status.success() {
            "no finding".to_owned()
        } else {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            format!("FAILED ({}): see fuzz/artifacts/{target}/", out.status)
        };
        summary.push(format!(
            "{target:<14} {:>12} executions in {:>4} s: {verdict}",
            runs.map_or_else(|| "?".to_owned(), |r| r.to_string()),
            started.elapsed().as_secs()
        ));
    }
    println!("\nfuzz summary:\n{}", summary.join("\n"));
    if summary.iter().any(|s| s.contains("FAILED")) {
        return Err("a fuzz target found a crash".to_owned());
    }
    Ok(())
}

/// Runs the soak test (load, injected faults, concurrent FIC creates) for `--seconds` (default
/// 60) and prints its report.
pub(crate) fn soak(args: &[String]) -> Result {
    let secs = seconds(args, 60)?;
    println!("\n$ MOCK_ENTRA_SOAK_SECONDS={secs} cargo test -p mock-entra --test it soak::");
    let status = Command::new("cargo")
        .args([
            "test",
            "-p",
            "mock-entra",
            "--test",
            "it",
            "soak::",
            "--",
            "--nocapture",
        ])
        .env("MOCK_ENTRA_SOAK_SECONDS", secs.to_string())
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the soak failed ({status})"))
    }
}
