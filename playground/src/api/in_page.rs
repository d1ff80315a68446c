//! The in-page transport: core's [`Engine`] running in the tab, for a page no mock-entra serves
//! (the static site of `cargo xtask site`, or when the learner picks it). It plays the server's
//! shell for the page: it builds the same `http::Request` the browser would send, gives the
//! engine the browser's clock and ids, keeps the exchange log the inspector reads, and carries
//! out the engine's effects (a directory to persist goes to `localStorage`, a delay is a timer).
//! Core decides every answer; nothing here does.
use std::cell::RefCell;
use std::sync::Arc;

use entra_core::directory::{Directory, ExternalIssuerKind};
use entra_core::engine::{
    Effect, Engine, EngineConfig, Exchange, IdSource, Scheme, normalize_path, parse_scenario,
    render_scenario,
};
use entra_core::ids::Guid;
use entra_core::keys::{KeySet, PublishedKey, RsaSigner};
use entra_core::managed_identity::imds::Millis;

use super::{HttpReq, HttpResp};
use crate::world::DEFAULT_SCENARIO;

/// The public demo key pair the in-page engine signs with (see `playground/demo-keys/README.md`:
/// anyone can forge tokens with it; pure-Rust RSA key generation is too slow for a page).
const DEMO_KEY_PEM: &str = include_str!("../../demo-keys/demo-signing-key.pem");
const DEMO_CERT_PEM: &str = include_str!("../../demo-keys/demo-signing-cert.pem");
/// The public demo keys of the emulated external issuers (one per kind: every GitHub Actions
/// issuer of a scenario signs with the first, every Kubernetes cluster with the second). As
/// public as the one above; mock-entra generates its own per issuer.
const DEMO_GITHUB_KEY_PEM: &str = include_str!("../../demo-keys/demo-github-issuer-key.pem");
const DEMO_GITHUB_CERT_PEM: &str = include_str!("../../demo-keys/demo-github-issuer-cert.pem");
const DEMO_KUBERNETES_KEY_PEM: &str =
    include_str!("../../demo-keys/demo-kubernetes-issuer-key.pem");
const DEMO_KUBERNETES_CERT_PEM: &str =
    include_str!("../../demo-keys/demo-kubernetes-issuer-cert.pem");

/// Where the live directory survives a reload (until the learner resets it).
pub const DIRECTORY_KEY: &str = "mock-entra.in-page.directory";

/// The exchange log, like the server's `GET /_mock/requests`.
const MAX_LOG: usize = 1000;

/// The browser's ids: 16 bytes from `crypto.getRandomValues` (getrandom's `js` backend) as a
/// version-4 GUID, as the server's `RandomIds` draws them.
struct BrowserIds;

impl IdSource for BrowserIds {
    fn guid(&self) -> Guid {
        let mut bytes = [0u8; 16];
        // getrandom's js backend fails only without `crypto` (no browser has none); the GUID
        // then still has its version bits and stays unique within the log by the clock.
        if getrandom::getrandom(&mut bytes).is_err() {
            bytes[..8].copy_from_slice(&(js_sys::Date::now().to_bits()).to_be_bytes());
        }
        Guid::from_u128(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .as_u128(),
        )
    }
}

fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("demo key PEM: {e}"))
}

/// The demo key set (parsed, not generated: milliseconds, not seconds).
fn demo_keys() -> Result<KeySet, String> {
    let cert = PublishedKey::from_certificate(&pem_der(DEMO_CERT_PEM)?)
        .map_err(|e| format!("demo certificate: {e}"))?;
    let signer = RsaSigner::from_pkcs8_der(&pem_der(DEMO_KEY_PEM)?, &cert)
        .map_err(|e| format!("demo key: {e}"))?;
    Ok(KeySet::new(Arc::new(signer), cert))
}

/// The demo signer and published key of an emulated issuer of `kind`.
fn demo_issuer_key(kind: ExternalIssuerKind) -> Result<(RsaSigner, PublishedKey), String> {
    let (key, cert) = match kind {
        ExternalIssuerKind::GitHubActions => (DEMO_GITHUB_KEY_PEM, DEMO_GITHUB_CERT_PEM),
        ExternalIssuerKind::Kubernetes => (DEMO_KUBERNETES_KEY_PEM, DEMO_KUBERNETES_CERT_PEM),
    };
    let cert = PublishedKey::from_certificate(&pem_der(cert)?)
        .map_err(|e| format!("demo issuer certificate: {e}"))?;
    let signer = RsaSigner::from_pkcs8_der(&pem_der(key)?, &cert)
        .map_err(|e| format!("demo issuer key: {e}"))?;
    Ok((signer, cert))
}

/// Gives every emulated issuer of the live directory that has none its demo key, as the
/// server's shell gives each a generated one at start and after a scenario change.
fn ensure_issuer_keys(engine: &Engine) {
    let missing = engine.issuers_without_keys();
    if missing.is_empty() {
        return;
    }
    let dir = engine.directory();
    for name in missing {
        let Some(issuer) = dir.external_issuer_named(&name) else {
            continue;
        };
        match demo_issuer_key(issuer.kind) {
            Ok((signer, key)) => engine.install_issuer_key(&name, Arc::new(signer), key),
            // Without a key the issuer answers as the server's does when key generation
            // failed (its JWKS is empty, its tokens cannot be minted).
            Err(e) => leptos::logging::warn!("{e}"),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The directory a previous visit left in `localStorage`, if it still parses.
fn saved_directory() -> Option<Directory> {
    let json = storage()?.get_item(DIRECTORY_KEY).ok().flatten()?;
    parse_scenario(json.as_bytes()).ok()
}

fn save_directory(dir: &Directory) {
    if let Some(s) = storage() {
        let json = String::from_utf8_lossy(&render_scenario(dir)).into_owned();
        // A full or disabled storage only loses persistence, never the answer.
        let _ = s.set_item(DIRECTORY_KEY, &json);
    }
}

/// Milliseconds since the page started (`performance.now()`), for IMDS's throttle and durations.
pub(super) fn monotonic_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Waits `millis` on the browser's timer (an injected fault's latency).
async fn sleep(millis: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(millis).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The engine, its log and the page's origin.
pub struct InPage {
    engine: Engine,
    log: RefCell<Vec<Exchange>>,
    next_id: RefCell<u64>,
    /// `Host` the browser would send to a server on this page's origin.
    host: String,
    scheme: Scheme,
}

impl InPage {
    /// The engine on the default scenario (the start) and the directory a previous visit saved
    /// (the live one), signing with the demo key.
    pub fn start() -> Result<InPage, String> {
        let start = parse_scenario(DEFAULT_SCENARIO.as_bytes())
            .map_err(|e| format!("default scenario: {e}"))?;
        let live = saved_directory().unwrap_or_else(|| start.clone());
        let location = web_sys::window().map(|w| w.location());
        let host = location
            .as_ref()
            .and_then(|l| l.host().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = match location.and_then(|l| l.protocol().ok()).as_deref() {
            Some("https:") => Scheme::Https,
            _ => Scheme::Http,
        };
        // The server's defaults (`mock-entra` without flags): Entra's issuers, Graph also
        // under `/graph`, IMDS's throttle off.
        let config = EngineConfig {
            graph_prefix: "/graph".to_owned(),
            ..EngineConfig::default()
        };
        let engine = Engine::new(config, start, live, demo_keys()?);
        ensure_issuer_keys(&engine);
        Ok(InPage {
            engine,
            log: RefCell::new(Vec::new()),
            next_id: RefCell::new(0),
            host,
            scheme,
        })
    }

    /// The request exactly as the engine gets it from the server's shell: the normalised path,
    /// the headers as set, `Host` of this page and the scheme as an extension.
    fn request(&self, req: &HttpReq) -> Result<http::Request<Vec<u8>>, String> {
        let (path, query) = match req.url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (req.url.as_str(), None),
        };
        let path = normalize_path(path).unwrap_or_else(|| path.to_owned());
        let uri = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let mut builder = http::Request::builder()
            .method(req.method.as_str())
            .uri(uri);
        if !req
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("host"))
        {
            builder = builder.header(http::header::HOST, &self.host);
        }
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let body = req.body.clone().unwrap_or_default().into_bytes();
        let mut request = builder.body(body).map_err(|e| e.to_string())?;
        request.extensions_mut().insert(self.scheme);
        Ok(request)
    }

    /// Answers one request as the server would, including the shell's own request log.
    pub async fn send(&self, req: &HttpReq) -> Result<HttpResp, String> {
        let request = self.request(req)?;
        if request.uri().path() == "/_mock/requests" && request.method() == http::Method::GET {
            return Ok(self.requests(&request));
        }
        let started = monotonic_ms();
        let outcome = self.engine.handle(
            &request,
            entra_core::engine::Context {
                now: crate::browser_clock::now(),
                monotonic: Millis(started.max(0.0) as u64),
                ids: &BrowserIds,
            },
        );
        for effect in &outcome.effects {
            match effect {
                Effect::Persist { directory, .. } => {
                    save_directory(directory);
                    // A new scenario may declare issuers the page has no key for yet.
                    ensure_issuer_keys(&self.engine);
                }
                Effect::Delay { millis } => sleep(*millis).await,
                // Only emulated issuers exist in the page (issue 14): a FIC naming a real
                // issuer's URL gets the answer the engine gives when the keys cannot be
                // fetched (50166), as a shell that cannot fetch must send it.
                Effect::FetchIssuerKeys(_) => {}
            }
        }
        if let Some(mut record) = outcome.record {
            let id = {
                let mut n = self.next_id.borrow_mut();
                *n += 1;
                *n
            };
            record.id = id;
            record.duration_ms = monotonic_ms() - started;
            let mut log = self.log.borrow_mut();
            log.push(record);
            if log.len() > MAX_LOG {
                let excess = log.len() - MAX_LOG;
                log.drain(..excess);
            }
        }
        let response = outcome.response;
        // `fetch` with `redirect: manual` hands the page an opaque redirect (status 0, nothing
        // readable); the page sees the same here, while the log keeps the real 302.
        if response.status().is_redirection() {
            return Ok(HttpResp::default());
        }
        Ok(HttpResp {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(response.body()).into_owned(),
        })
    }

    /// `GET /_mock/requests?since=N`, as the server's shell answers it.
    fn requests(&self, req: &http::Request<Vec<u8>>) -> HttpResp {
        let since = req
            .uri()
            .query()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "since")
                    .and_then(|(_, v)| v.parse().ok())
            })
            .unwrap_or(0u64);
        let log = self.log.borrow();
        let items: Vec<&Exchange> = log.iter().filter(|e| e.id > since).collect();
        HttpResp {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_string(&items).unwrap_or_else(|_| "[]".into()),
        }
    }
}
