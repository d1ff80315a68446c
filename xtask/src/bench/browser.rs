//! Time to interactive of the playground in headless Chromium, through ChromeDriver with the
//! `thirtyfour` WebDriver client (as the e2e suite drives it), plus ChromeDriver's CDP bridge for
//! one command.
//!
//! What is measured, per run, in a fresh browser profile (cold cache): a script installed before
//! the page's own scripts (`Page.addScriptToEvaluateOnNewDocument`) watches the DOM. When the app
//! has mounted (its `run-step` button exists), it clicks the `nav-doctor` button; "interactive" is
//! the moment the doctor view the click asked for is in the DOM. Times are `performance.now()`,
//! i.e. milliseconds since the navigation started, so the figure covers the HTML, the wasm
//! download and compilation, the app's start and one real event round trip.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::extensions::cdp::ChromeDevTools;
use thirtyfour::prelude::*;

use super::http;
use crate::Result;

const OBSERVER: &str = r#"(() => {
  if (window.top !== window) return;
  const b = (window.__bench = {});
  const find = (id) => document.querySelector('[data-testid="' + id + '"]');
  const check = () => {
    if (b.mounted === undefined && find('run-step')) {
      b.mounted = performance.now();
      const nav = find('nav-doctor');
      if (nav) nav.click();
    }
    if (b.mounted !== undefined && b.interactive === undefined && find('doctor')) {
      b.interactive = performance.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document, { childList: true, subtree: true });
})();"#;

const TIMINGS: &str = r#"const n = performance.getEntriesByType('navigation')[0];
const w = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
return { bench: window.__bench || null, dcl: n ? n.domContentLoadedEventEnd : null,
         load: n ? n.loadEventEnd : null, wasm: w ? w.responseEnd : null };"#;

/// One page load.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tti {
    /// The app's first element rendered by wasm.
    pub(crate) mounted_ms: f64,
    /// The DOM answered a click.
    pub(crate) interactive_ms: f64,
    /// The wasm file fully received.
    pub(crate) wasm_ms: f64,
}

/// ChromeDriver, killed when dropped.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Result<Driver> {
    let port = super::free_port()?;
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start chromedriver: {e}"))?;
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http::get(&format!("{}/status", driver.base), &[])
            && r.status == 200
        {
            return Ok(driver);
        }
        if Instant::now() > deadline {
            return Err("chromedriver did not answer within 20 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wd_err(what: &str) -> impl Fn(WebDriverError) -> String + '_ {
    move |e| format!("WebDriver {what}: {e}")
}

async fn one_run(driver: &Driver, url: &str, profile: &std::path::Path) -> Result<Tti> {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium")
        .map_err(wd_err("binary capability"))?;
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        format!("--user-data-dir={}", profile.display()).as_str(),
    ] {
        caps.add_arg(arg).map_err(wd_err("chromium flag"))?;
    }
    let session = WebDriver::new(driver.base.clone(), caps)
        .await
        .map_err(wd_err("new session"))?;
    let result = async {
        ChromeDevTools::new(session.handle.clone())
            .execute_cdp_with_params(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": OBSERVER }),
            )
            .await
            .map_err(wd_err("CDP Page.addScriptToEvaluateOnNewDocument"))?;
        session.goto(url).await.map_err(wd_err("navigate"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ret = session
                .execute(TIMINGS, Vec::<serde_json::Value>::new())
                .await
                .map_err(wd_err("execute"))?;
            let t = ret.json();
            if let Some(interactive) = t["bench"]["interactive"].as_f64() {
                return Ok(Tti {
                    mounted_ms: t["bench"]["mounted"].as_f64().unwrap_or_default(),
                    interactive_ms: interactive,
                    wasm_ms: t["wasm"].as_f64().unwrap_or_default(),
                });
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the playground did not become interactive within 30 s: {t}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    .await;
    let _ = session.quit().await;
    result
}

/// Loads `url` `runs` times, each in a fresh profile.
pub(crate) fn time_to_interactive(
    url: &str,
    runs: usize,
    scratch: &std::path::Path,
) -> Result<Vec<Tti>> {
    let driver = start_driver()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        let mut out = Vec::with_capacity(runs);
        for i in 0..runs {
            let profile = scratch.join(format!("chromium-profile-{i}"));
            out.push(one_run(&driver, url, &profile).await?);
        }
        Ok(out)
    })
}
