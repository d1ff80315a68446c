//! The playground built into the binary (feature `embed-playground`, see `build.rs`), so that a
//! release binary alone serves the page. At start the files are written once into the data
//! directory, under a folder named after their content hash, and served from there like any
//! `--playground-dir`: the static-file code path stays the one that serves a `dist/` folder.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// `(path relative to dist/, bytes)` of every embedded file; empty without the feature.
pub const ASSETS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/playground_assets.rs"));

/// Whether this binary carries a playground.
pub fn has_playground() -> bool {
    ASSETS.iter().any(|(p, _)| *p == "index.html")
}

/// A short hash of every embedded path and byte: two binaries with the same playground share a
/// folder, a different build gets a new one.
fn fingerprint() -> String {
    let mut h = Sha256::new();
    for (path, bytes) in ASSETS {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the embedded playground under `data_dir/playground/<hash>/` (once: an existing,
/// complete folder is reused) and returns that folder; `None` when nothing is embedded.
pub fn extract(data_dir: &Path) -> std::io::Result<Option<PathBuf>> {
    if !has_playground() {
        return Ok(None);
    }
    let dir = data_dir.join("playground").join(fingerprint());
    // index.html is written last, so its presence means the folder is complete.
    if dir.join("index.html").is_file() {
        return Ok(Some(dir));
    }
    let mut ordered: Vec<&(&str, &[u8])> = ASSETS.iter().collect();
    ordered.sort_by_key(|(p, _)| *p == "index.html");
    for (rel, bytes) in ordered {
        // The build script only lists relative paths found under dist/; refuse anything else.
        if rel.split('/').any(|seg| seg.is_empty() || seg == "..") {
            continue;
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::pki::write_atomic(&path, bytes)?;
    }
    Ok(Some(dir))
}
