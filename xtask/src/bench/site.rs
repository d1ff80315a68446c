//! The static site's figures (`cargo xtask bench --only site` runs only these rows): the site
//! (`cargo xtask site`) served by a plain static file server (`python3 -m http.server`) under a
//! sub-path, as on GitHub Pages, with no mock-entra anywhere. Cold-cache time to interactive
//! (until the in-page engine is ready), each guided step's answer in the page, and the wasm
//! size gzip.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::browser::{self, Steps, Tti};
use super::{Proc, free_port, http, kb, median, yes_no};
use crate::{Result, root};

// The targets (issue 12).
pub(crate) const SITE_TTI_MS: f64 = 1500.0;
pub(crate) const STEP_MS: f64 = 150.0;
pub(crate) const SITE_WASM_GZIP_BYTES: u64 = 650_000;

/// The sub-path the site is served at.
const SITE_PATH: &str = "mock-entra";

/// What the site rows measured.
pub(crate) struct SiteReport {
    pub(crate) wasm: Result<(PathBuf, u64, u64)>,
    pub(crate) tti: Result<Vec<Tti>>,
    pub(crate) steps: Result<Steps>,
}

/// `dist-site/`, built when it is missing.
fn site_dir() -> Result<PathBuf> {
    let dir = root().join(crate::site::DEFAULT_OUT);
    if !dir.join("index.html").exists() {
        crate::site::build(&dir)?;
    }
    Ok(dir)
}

/// `python3 -m http.server` over `scratch/www`, where `mock-entra/` links to the site.
fn serve(site: &Path, scratch: &Path) -> Result<(Proc, String)> {
    let www = scratch.join("www");
    std::fs::create_dir_all(&www).map_err(|e| format!("{}: {e}", www.display()))?;
    let link = www.join(SITE_PATH);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(site, &link).map_err(|e| format!("{}: {e}", link.display()))?;
    let port = free_port()?;
    let child = Command::new("python3")
        .args(["-m", "http.server", "--bind", "127.0.0.1"])
        .arg(port.to_string())
        .arg("--directory")
        .arg(&www)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start python3 -m http.server: {e}"))?;
    let proc = Proc(child);
    let origin = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http::get(&format!("{origin}/{SITE_PATH}/"), &[])
            && r.status == 200
        {
            break;
        }
        if Instant::now() > deadline {
            return Err("the static file server did not answer within 20 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Nothing but files there: the page must run the engine itself.
    for path in ["/_mock/health", &format!("/{SITE_PATH}/_mock/health")] {
        let r = http::get(&format!("{origin}{path}"), &[])?;
        if r.status == 200 {
            return Err(format!("{path} answered 200 on the static file server"));
        }
    }
    Ok((proc, format!("{origin}/{SITE_PATH}/")))
}

pub(crate) fn measure(tti_runs: usize, scratch: &Path) -> Result<SiteReport> {
    let site = site_dir()?;
    let wasm = super::wasm_in(&site);
    crate::tools::ensure_chromium()?;
    let (_server, url) = serve(&site, scratch)?;
    println!("\nstatic site at {url}: time to interactive ({tti_runs} runs)");
    let tti = browser::time_to_interactive(&format!("{url}#view=guide"), tti_runs, scratch, true);
    println!("static site: every guided step, answered in the page");
    let steps = browser::guided_step_times(&url, scratch);
    Ok(SiteReport { wasm, tti, steps })
}

impl SiteReport {
    pub(crate) fn rows(&self, t: &mut String) {
        match &self.wasm {
            Ok((path, raw, gz)) => {
                let _ = writeln!(
                    t,
                    "| static site wasm (`dist-site/{}`) | | {} gzip -9 | | | | {} raw | ≤ {} gzip | {} |",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    kb(*gz),
                    kb(*raw),
                    kb(SITE_WASM_GZIP_BYTES),
                    yes_no(*gz <= SITE_WASM_GZIP_BYTES)
                );
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "| static site wasm | | not measured: {} | | | | | ≤ {} gzip | **no** |",
                    e.replace('|', "/"),
                    kb(SITE_WASM_GZIP_BYTES)
                );
            }
        }
        match &self.tti {
            Ok(runs) => {
                let ready: Vec<f64> = runs
                    .iter()
                    .map(|r| r.interactive_ms.max(r.engine_ms.unwrap_or(f64::NAN)))
                    .collect();
                let interactive: Vec<f64> = runs.iter().map(|r| r.interactive_ms).collect();
                let engine: Vec<f64> = runs.iter().filter_map(|r| r.engine_ms).collect();
                let wasm: Vec<f64> = runs.iter().map(|r| r.wasm_ms).collect();
                let _ = writeln!(
                    t,
                    "| static site time to interactive, `python3 -m http.server`, no mock-entra, headless Chromium, cold cache (navigation start → a click answered and the in-page engine ready) | | {:.0} ms (median of {}) | | | | wasm received {:.0} ms, click answered {:.0} ms, engine ready {:.0} ms | ≤ {SITE_TTI_MS:.0} ms | {} |",
                    median(&ready),
                    runs.len(),
                    median(&wasm),
                    median(&interactive),
                    median(&engine),
                    yes_no(median(&ready) <= SITE_TTI_MS)
                );
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "| static site time to interactive | | not measured: {} | | | | | ≤ {SITE_TTI_MS:.0} ms | **no** |",
                    e.replace('|', "/")
                );
            }
        }
        match &self.steps {
            Ok(s) => {
                let worst = s
                    .steps
                    .iter()
                    .max_by(|a, b| a.ms.total_cmp(&b.ms))
                    .map(|w| (format!("{}/{}", w.scenario, w.step), w.ms))
                    .unwrap_or_default();
                let times: Vec<f64> = s.steps.iter().map(|x| x.ms).collect();
                let with_keys = worst.1 + s.engine_start_ms;
                let _ = writeln!(
                    t,
                    "| static site: each guided step answered in the page (click → badge), {} steps of every scenario | | slowest {:.0} ms ({}) | {:.0} ms | | | engine start with the demo key loaded {:.1} ms; slowest step + engine start {:.0} ms | ≤ {STEP_MS:.0} ms each, key loading included | {} |",
                    s.steps.len(),
                    worst.1,
                    worst.0,
                    median(&times),
                    s.engine_start_ms,
                    with_keys,
                    yes_no(with_keys <= STEP_MS)
                );
                for x in &s.steps {
                    let _ = writeln!(
                        t,
                        "| &nbsp;&nbsp;{}/{} `{}` | | {:.1} ms | | | | | ≤ {STEP_MS:.0} ms | {} |",
                        x.scenario,
                        x.step,
                        x.badge.trim(),
                        x.ms,
                        yes_no(x.ms <= STEP_MS)
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "| static site guided steps | | not measured: {} | | | | | ≤ {STEP_MS:.0} ms | **no** |",
                    e.replace('|', "/")
                );
            }
        }
    }
}
