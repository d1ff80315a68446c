//! `cargo xtask dist [--target TRIPLE]`: the release binary, with the playground built in
//! (feature `embed-playground`), copied to `target/dist/`. What the release workflow and the
//! container build run; `mock-entra` alone then serves the page with no `--playground-dir`.

use std::path::PathBuf;

use crate::{Result, playground, run, target_dir};

pub(crate) fn dist(args: &[String]) -> Result {
    let target = match args {
        [] => None,
        [flag, triple] if flag == "--target" => Some(triple.as_str()),
        _ => return Err("usage: cargo xtask dist [--target TRIPLE]".to_owned()),
    };
    playground()?;
    let mut cargo = vec![
        "build",
        "--release",
        "-p",
        "mock-entra",
        "--features",
        "embed-playground",
    ];
    if let Some(t) = target {
        cargo.extend(["--target", t]);
    }
    run("cargo", &cargo)?;
    let windows = target.map_or(cfg!(windows), |t| t.contains("windows"));
    let exe = if windows {
        "mock-entra.exe"
    } else {
        "mock-entra"
    };
    let built: PathBuf = match target {
        Some(t) => target_dir().join(t).join("release").join(exe),
        None => target_dir().join("release").join(exe),
    };
    let out_dir = target_dir().join("dist");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let out = out_dir.join(exe);
    std::fs::copy(&built, &out)
        .map_err(|e| format!("{} -> {}: {e}", built.display(), out.display()))?;
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or_default();
    println!(
        "xtask dist: {} ({:.1} MiB, playground built in)",
        out.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}
