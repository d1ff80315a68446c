//! `cargo xtask site [--out DIR]`: the playground as a static folder (default `dist-site/`) that
//! works from any static file host, at any sub-path (GitHub Pages project sites,
//! `python3 -m http.server`). With no mock-entra behind it the page runs core's engine in the tab.
//!
//! The folder is trunk's build with relative asset URLs (`--public-url ./`), checked afterwards:
//! an absolute URL in `index.html` would break a sub-path host, so the build fails on one.

use std::path::{Path, PathBuf};

use crate::{Result, root, run, tools};

/// The folder `cargo xtask site` writes when no `--out` is given (e2e and the bench read it).
pub(crate) const DEFAULT_OUT: &str = "dist-site";

fn out_dir(args: &[String]) -> Result<PathBuf> {
    match args {
        [] => Ok(root().join(DEFAULT_OUT)),
        [flag, dir] if flag == "--out" => {
            let p = PathBuf::from(dir);
            Ok(if p.is_relative() { root().join(p) } else { p })
        }
        _ => Err("usage: cargo xtask site [--out DIR]".to_owned()),
    }
}

pub(crate) fn site(args: &[String]) -> Result {
    let out = out_dir(args)?;
    build(&out)?;
    println!(
        "\nstatic site in {}: serve it with any static file host, e.g.\n  python3 -m http.server -d {} 8000",
        out.display(),
        out.display()
    );
    Ok(())
}

/// Builds the static site into `out`.
pub(crate) fn build(out: &Path) -> Result {
    tools::ensure_wasm_tools()?;
    let out_s = out.to_string_lossy().into_owned();
    run(
        "trunk",
        &[
            "build",
            "--release",
            "--offline",
            "--dist",
            &out_s,
            "--public-url",
            "./",
        ],
    )?;
    // GitHub Pages runs Jekyll over a folder unless told not to.
    std::fs::write(out.join(".nojekyll"), "").map_err(|e| format!(".nojekyll: {e}"))?;
    let index = std::fs::read_to_string(out.join("index.html"))
        .map_err(|e| format!("{}/index.html: {e}", out.display()))?;
    check_relative(&index)
}

/// Every asset URL trunk wrote into `index.html` is relative (`./…`), so the folder works at a
/// sub-path.
fn check_relative(index: &str) -> Result {
    let absolute: Vec<&str> = [
        "href=\"/",
        "src=\"/",
        "'/entra-playground",
        "\"/entra-playground",
    ]
    .into_iter()
    .filter(|needle| index.contains(needle))
    .collect();
    if absolute.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "index.html has absolute asset URLs ({absolute:?}); the site would break at a sub-path"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_with_an_absolute_asset_url_is_refused() {
        assert!(
            check_relative("<link rel=\"modulepreload\" href=\"/entra-playground-1.js\">").is_err()
        );
        assert!(check_relative("import init from '/entra-playground-1.js';").is_err());
    }

    #[test]
    fn an_index_with_relative_asset_urls_passes() {
        assert!(
            check_relative(
                "<link rel=\"modulepreload\" href=\"./entra-playground-1.js\"><script>import init from './entra-playground-1.js';</script>"
            )
            .is_ok()
        );
    }

    #[test]
    fn the_default_folder_is_dist_site_and_out_takes_a_path() {
        assert_eq!(out_dir(&[]).unwrap(), root().join("dist-site"));
        assert_eq!(
            out_dir(&["--out".into(), "/tmp/x".into()]).unwrap(),
            PathBuf::from("/tmp/x")
        );
        assert!(out_dir(&["--bogus".into()]).is_err());
    }
}
