//! Embeds the built playground (`dist/`) in the binary when the `embed-playground` feature is on,
//! so a release binary serves the page with no `--playground-dir`. The list of files becomes
//! `$OUT_DIR/playground_assets.rs`: `(path, include_bytes!(..))` pairs, empty without the feature.
//!
//! `MOCK_ENTRA_PLAYGROUND_DIST` overrides where the built playground is read from (default: the
//! workspace's `dist/`, where `cargo xtask playground` puts it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-env-changed=MOCK_ENTRA_PLAYGROUND_DIST");
    println!("cargo::rerun-if-env-changed=CARGO_FEATURE_EMBED_PLAYGROUND");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("&[\n");
    if std::env::var_os("CARGO_FEATURE_EMBED_PLAYGROUND").is_some() {
        let dist = std::env::var_os("MOCK_ENTRA_PLAYGROUND_DIST").map_or_else(
            || {
                Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
                    .join("../dist")
            },
            PathBuf::from,
        );
        let index = dist.join("index.html");
        if !index.is_file() {
            panic!(
                "the `embed-playground` feature needs the built playground at {} \
                 (run `cargo xtask playground` first, or set MOCK_ENTRA_PLAYGROUND_DIST)",
                dist.display()
            );
        }
        println!("cargo::rerun-if-changed={}", dist.display());
        let mut files = Vec::new();
        collect(&dist, &dist, &mut files);
        files.sort();
        for (rel, abs) in files {
            println!("cargo::rerun-if-changed={}", abs.display());
            let _ = writeln!(
                code,
                "    ({rel:?}, include_bytes!({:?})),",
                abs.display().to_string()
            );
        }
    }
    code.push_str("]\n");
    std::fs::write(out.join("playground_assets.rs"), code).expect("OUT_DIR is writable");
}

/// Every file under `dir`, as (path relative to `root` with `/` separators, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let abs = path.canonicalize().unwrap_or(path);
            files.push((rel, abs));
        }
    }
}
