//! Time to interactive of the playground in headless Chromium, through ChromeDriver with the
//! `thirtyfour` WebDriver client (as the e2e suite drives it), plus ChromeDriver's CDP bridge for
//! one command.
//!
//! What is measured, per run, in a fresh browser profile (cold cache): a script installed before
//! the page's own scripts (`Page.addScriptToEvaluateOnNewDocument`) watches the DOM. When the app
//! has mounted (its `run-step` button exists), it clicks the `nav-doctor` button; "interactive" is
//! the moment the doctor view the click asked for is in the DOM. Times are `performance.now()`,
//! i.e. milliseconds since the navigation started, so the figure covers the HTML, the wasm
//! download and compilation, the app's start and one real event round trip. The observer also
//! notes when the page says which engine answers (`Answering: …`): on the static site that is
//! when the in-page engine is ready, so the site's figure is the later of the two.
//!
//! [`guided_step_times`] times each guided step on the static site: the click on "Send request"
//! until the step's badge shows the answer, with core's engine answering in the page.

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
    }
    const status = find('mock-status');
    if (b.engine === undefined && status && status.textContent.startsWith('Answering:')) {
      b.engine = performance.now();
    }
    if (b.interactive !== undefined && b.engine !== undefined) obs.disconnect();
  };
  const obs = new MutationObserver(check);
  obs.observe(document, { childList: true, subtree: true, characterData: true });
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
    /// The page said which engine answers (on the static site: the in-page engine is ready).
    pub(crate) engine_ms: Option<f64>,
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

async fn session(driver: &Driver, profile: &std::path::Path) -> Result<WebDriver> {
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
    WebDriver::new(driver.base.clone(), caps)
        .await
        .map_err(wd_err("new session"))
}

async fn one_run(
    driver: &Driver,
    url: &str,
    profile: &std::path::Path,
    need_engine: bool,
) -> Result<Tti> {
    let session = session(driver, profile).await?;
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
            let engine_ms = t["bench"]["engine"].as_f64();
            if let Some(interactive) = t["bench"]["interactive"].as_f64()
                && (engine_ms.is_some() || !need_engine)
            {
                return Ok(Tti {
                    mounted_ms: t["bench"]["mounted"].as_f64().unwrap_or_default(),
                    interactive_ms: interactive,
                    wasm_ms: t["wasm"].as_f64().unwrap_or_default(),
                    engine_ms,
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

/// Loads `url` `runs` times, each in a fresh profile; with `need_engine`, each run also waits
/// until the page says which engine answers.
pub(crate) fn time_to_interactive(
    url: &str,
    runs: usize,
    scratch: &std::path::Path,
    need_engine: bool,
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
            out.push(one_run(&driver, url, &profile, need_engine).await?);
        }
        Ok(out)
    })
}

/// Resets the scenario on the page, then, per step in order: selects it, clicks "Send request"
/// and waits (a MutationObserver, no polling) until the step's badge shows the answer. Returns
/// `[[step, ms, badge], …]`.
const RUN_STEPS: &str = r#"const done = arguments[arguments.length - 1];
const q = (id) => document.querySelector('[data-testid="' + id + '"]');
const waitFor = (pred) => new Promise((resolve) => {
  if (pred()) return resolve(performance.now());
  const o = new MutationObserver(() => { if (pred()) { o.disconnect(); resolve(performance.now()); } });
  o.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
});
(async () => {
  const ids = [...document.querySelectorAll('[data-testid^="step-"][data-testid$="-badge"]')]
    .map((e) => e.dataset.testid.slice(5, -6));
  const idle = () => q('run-step') && !q('run-step').disabled;
  await waitFor(idle);
  q('scenario-reset').click();
  await waitFor(() => idle() && ids.every((id) => !q('step-' + id + '-badge').textContent));
  const out = [];
  for (const id of ids) {
    q('step-' + id).click();
    await waitFor(idle);
    const t0 = performance.now();
    q('run-step').click();
    const t1 = await waitFor(() => q('step-' + id + '-badge').textContent);
    await waitFor(idle);
    out.push([id, t1 - t0, q('step-' + id + '-badge').textContent]);
  }
  done(out);
})().catch((e) => done(String(e)));"#;

/// One guided step answered in the page.
#[derive(Debug, Clone)]
pub(crate) struct StepTime {
    pub(crate) scenario: String,
    pub(crate) step: String,
    /// Click on "Send request" → the badge shows the answer.
    pub(crate) ms: f64,
    pub(crate) badge: String,
}

/// What the static site's guided steps measured.
#[derive(Debug, Clone)]
pub(crate) struct Steps {
    pub(crate) steps: Vec<StepTime>,
    /// The in-page engine's start (default scenario parsed, demo key loaded), largest of the
    /// page loads.
    pub(crate) engine_start_ms: f64,
}

async fn wait_in_page(session: &WebDriver) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ret = session
            .execute(
                "const s = document.querySelector('[data-testid=\"mock-status\"]'); return s ? [s.textContent, s.dataset.startMs || null] : null;",
                Vec::<serde_json::Value>::new(),
            )
            .await
            .map_err(wd_err("execute"))?;
        let v = ret.json();
        if v[0].as_str().is_some_and(|t| t.contains("in-page engine")) {
            return Ok(v[1]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_default());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the in-page engine did not answer within 30 s: {v}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs every guided scenario of the page at `base` (the static site, `…/`) step by step.
pub(crate) fn guided_step_times(base: &str, scratch: &std::path::Path) -> Result<Steps> {
    let driver = start_driver()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        let session = session(&driver, &scratch.join("chromium-profile-steps")).await?;
        let result = async {
            session
                .set_script_timeout(Duration::from_secs(60))
                .await
                .map_err(wd_err("script timeout"))?;
            session
                .goto(format!("{base}#view=guide"))
                .await
                .map_err(wd_err("navigate"))?;
            let mut engine_start_ms = wait_in_page(&session).await?;
            let ret = session
                .execute(
                    "return [...document.querySelectorAll('[data-testid^=\"scenario-tab-\"]')].map((e) => e.dataset.testid.slice(13));",
                    Vec::<serde_json::Value>::new(),
                )
                .await
                .map_err(wd_err("execute"))?;
            let scenarios: Vec<String> = ret
                .json()
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            if scenarios.is_empty() {
                return Err("the page shows no guided scenario".to_owned());
            }
            let mut steps = Vec::new();
            for scenario in scenarios {
                session
                    .goto(format!("{base}#view=guide&scenario={scenario}&step=0"))
                    .await
                    .map_err(wd_err("navigate"))?;
                session.refresh().await.map_err(wd_err("reload"))?;
                engine_start_ms = engine_start_ms.max(wait_in_page(&session).await?);
                let ret = session
                    .execute_async(RUN_STEPS, Vec::<serde_json::Value>::new())
                    .await
                    .map_err(wd_err("run the steps"))?;
                let v = ret.json();
                let rows = v
                    .as_array()
                    .ok_or_else(|| format!("{scenario}: the steps did not run: {v}"))?;
                for r in rows {
                    steps.push(StepTime {
                        scenario: scenario.clone(),
                        step: r[0].as_str().unwrap_or_default().to_owned(),
                        ms: r[1].as_f64().unwrap_or(f64::NAN),
                        badge: r[2].as_str().unwrap_or_default().to_owned(),
                    });
                }
            }
            Ok(Steps {
                steps,
                engine_start_ms,
            })
        }
        .await;
        let _ = session.quit().await;
        result
    })
}
