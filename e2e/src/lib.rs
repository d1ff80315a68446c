//! End-to-end tests: real browsers and real SDKs against mock-entra.
//!
//! [`Playground`] is the browser harness, on one of two [`Backend`]s: mock-entra in-process
//! (random ports, fresh data dir, serving the built playground from `<repo>/dist`), or the static
//! site (`<repo>/dist-site`) under a sub-path of a plain static file server with no mock-entra
//! anywhere, where the page runs core's engine itself. Then Debian's chromedriver on a free port
//! and one headless Chromium session. Elements are found by `data-testid` only
//! (`playground/TESTIDS.md`), and every wait polls with a deadline.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use entra_core::directory::Directory;
use thirtyfour::prelude::*;

pub use thirtyfour;

/// How long a UI condition may take before the test fails (a whole guided scenario runs in a
/// second or two; the margin is for a loaded CI machine).
pub const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The repository root (the workspace this crate lives in).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where screenshots go: `$CARGO_TARGET_DIR/e2e-screenshots`, else `<repo>/target/e2e-screenshots`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_relative() {
                repo_root().join(p)
            } else {
                p
            }
        })
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("e2e-screenshots")
}

/// A CSS selector for a test id.
pub fn tid(id: &str) -> By {
    By::Css(format!("[data-testid=\"{id}\"]"))
}

/// Fails with instructions when a prerequisite is missing (never skips silently).
fn require(path: &Path, what: &str, how: &str) {
    assert!(
        path.exists(),
        "{what} not found at {}: {how}",
        path.display()
    );
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// chromedriver, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What answers the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// mock-entra serves the page and answers it.
    Mock,
    /// A static file server serves `dist-site/` under [`SITE_PATH`]; nothing answers the mock's
    /// API, so the page runs the engine in the tab.
    StaticSite,
}

/// The sub-path the static site is served at (as on a GitHub Pages project site).
pub const SITE_PATH: &str = "/mock-entra";

/// A plain static file server (tower-http's `ServeDir`) on a random loopback port.
struct StaticServer {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_static(dir: PathBuf) -> (StaticServer, String) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("a loopback port for the static server");
    let origin = format!(
        "http://{}",
        listener.local_addr().expect("static server address")
    );
    let app = axum::Router::new().nest_service(SITE_PATH, tower_http::services::ServeDir::new(dir));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (StaticServer { task }, origin)
}

/// Fails unless every mock-entra surface is absent from `origin`: the control API, IMDS, Entra's
/// token endpoint, both at the root and under the site's path.
async fn assert_no_mock_answers(origin: &str) {
    let client = reqwest::Client::new();
    for base in [origin.to_owned(), format!("{origin}{SITE_PATH}")] {
        for (method, path) in [
            ("GET", "/_mock/health"),
            ("GET", "/_mock/scenario"),
            (
                "GET",
                "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange",
            ),
            ("POST", "/organizations/oauth2/v2.0/token"),
        ] {
            let url = format!("{base}{path}");
            let resp = client
                .request(method.parse().expect("method"), &url)
                .header("Metadata", "true")
                .send()
                .await
                .unwrap_or_else(|e| panic!("the static server answers {url}: {e}"));
            assert!(
                resp.status().is_client_error(),
                "{method} {url} answered {} on the static site: something besides files is there",
                resp.status()
            );
        }
    }
}

/// The page (mock-entra or the static site) + chromedriver + one headless Chromium.
pub struct Playground {
    pub driver: WebDriver,
    pub backend: Backend,
    /// mock-entra, for [`Backend::Mock`].
    pub mock: Option<mock_entra::Running>,
    /// The playground's URL without the trailing slash: `http://127.0.0.1:{port}` (mock) or
    /// `http://127.0.0.1:{port}/mock-entra` (static site).
    pub base: String,
    _static: Option<StaticServer>,
    _chromedriver: Driver,
    _data: tempfile::TempDir,
    _profile: tempfile::TempDir,
}

impl Playground {
    /// Starts everything against mock-entra. Panics with instructions when `dist/`, Chromium or
    /// chromedriver is missing.
    pub async fn start() -> Playground {
        Self::start_on(Backend::Mock).await
    }

    /// Starts everything on `backend`. Panics with instructions when the built page (`dist/`
    /// or `dist-site/`), Chromium or chromedriver is missing.
    pub async fn start_on(backend: Backend) -> Playground {
        let (folder, how) = match backend {
            Backend::Mock => (
                "dist",
                "run `cargo xtask playground` first (it builds playground/ into dist/)",
            ),
            Backend::StaticSite => (
                "dist-site",
                "run `cargo xtask site` first (it builds the static site into dist-site/)",
            ),
        };
        let dist = repo_root().join(folder);
        require(&dist.join("index.html"), "the built playground", how);
        require(
            Path::new(CHROMIUM),
            "Chromium",
            "run `cargo xtask tools` (installs Debian's chromium and chromium-driver)",
        );
        require(
            Path::new(CHROMEDRIVER),
            "chromedriver",
            "run `cargo xtask tools` (installs Debian's chromium and chromium-driver)",
        );

        let data = tempfile::tempdir().expect("temp data dir");
        let (mock, static_server, base) = match backend {
            Backend::Mock => {
                let mut config = mock_entra::Config::for_tests(data.path().to_path_buf());
                config.playground_dir = Some(dist);
                let mock = mock_entra::MockEntra::start(config)
                    .await
                    .expect("mock-entra starts");
                let base = mock.http_base.trim_end_matches('/').to_owned();
                (Some(mock), None, base)
            }
            Backend::StaticSite => {
                let (server, origin) = serve_static(dist).await;
                assert_no_mock_answers(&origin).await;
                (None, Some(server), format!("{origin}{SITE_PATH}"))
            }
        };

        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let chromedriver = Driver(child);
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            tokio::time::sleep(POLL).await;
        }

        let profile = tempfile::tempdir().expect("temp profile dir");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).expect("binary capability");
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).expect("chromium flag");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .expect("profile flag");
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
            .await
            .expect("a Chromium session through chromedriver");
        Playground {
            driver,
            backend,
            mock,
            base,
            _static: static_server,
            _chromedriver: chromedriver,
            _data: data,
            _profile: profile,
        }
    }

    /// Opens the playground at a URL hash (`view=guide&scenario=…`) and waits until the page
    /// says the expected engine answers.
    pub async fn open(&self, hash: &str) {
        self.driver
            .goto(format!("{}/#{hash}", self.base))
            .await
            .expect("page loads");
        // A hash-only change does not reload the page: force it so the app reads the new state.
        self.driver.refresh().await.expect("page reloads");
        let backend = self.backend;
        let base = self.base.clone();
        self.wait_text("mock-status", move |t| match backend {
            Backend::Mock => t.contains(&format!("mock-entra at {base}")),
            Backend::StaticSite => t.contains("in-page engine"),
        })
        .await;
    }

    /// The element with this test id, waiting for it to exist and be displayed.
    pub async fn el(&self, id: &str) -> WebElement {
        let e = self
            .driver
            .query(tid(id))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element [data-testid={id}]: {e}"));
        e.wait_until()
            .wait(WAIT, POLL)
            .displayed()
            .await
            .unwrap_or_else(|e| panic!("[data-testid={id}] not displayed: {e}"));
        e
    }

    /// Clicks an element once it is enabled.
    pub async fn click(&self, id: &str) {
        let e = self.el(id).await;
        e.wait_until()
            .wait(WAIT, POLL)
            .enabled()
            .await
            .unwrap_or_else(|e| panic!("[data-testid={id}] not enabled: {e}"));
        e.scroll_into_view().await.ok();
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click on [data-testid={id}]: {e}"));
    }

    /// The text of an element once `ok` accepts it; panics with the last text at the deadline.
    pub async fn wait_text(&self, id: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(Some(e)) = self.driver.query(tid(id)).nowait().first_opt().await
                && let Ok(t) = e.text().await
            {
                if ok(&t) {
                    return t;
                }
                last = t;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid={id}] never had the expected text; last: {last:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sets the value of an input or textarea as a user would type it (fires `input`).
    pub async fn fill(&self, id: &str, value: &str) {
        let e = self.el(id).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![e.to_json().expect("element as JSON"), serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("fill [data-testid={id}]: {e}"));
    }

    /// Saves a PNG of the page under [`screenshot_dir`].
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        self.driver
            .screenshot(&path)
            .await
            .expect("screenshot saved");
        path
    }

    /// The live directory, as the mock holds it; on the static site, as the page saved it in
    /// its storage (the default scenario until the page wrote one).
    pub async fn directory(&self) -> Directory {
        let body = match self.backend {
            Backend::Mock => reqwest::get(format!("{}/_mock/scenario", self.base))
                .await
                .expect("GET /_mock/scenario")
                .text()
                .await
                .expect("scenario body"),
            Backend::StaticSite => {
                let saved = match self.driver.current_url().await {
                    Ok(u) if u.as_str().starts_with(&self.base) => self
                        .driver
                        .execute(
                            "return window.localStorage.getItem('mock-entra.in-page.directory');",
                            Vec::new(),
                        )
                        .await
                        .ok()
                        .and_then(|r| r.json().as_str().map(str::to_owned)),
                    _ => None,
                };
                saved.unwrap_or_else(|| {
                    std::fs::read_to_string(repo_root().join("scenarios/default.json"))
                        .expect("scenarios/default.json")
                })
            }
        };
        serde_json::from_str(&body).expect("scenario JSON")
    }

    /// Ends the browser session, and the mock or the static server.
    pub async fn quit(self) {
        let _ = self.driver.quit().await;
        if let Some(mock) = self.mock {
            mock.stop().await;
        }
    }
}
