//! The only module that talks to the network: mock-entra on the same origin, through gloo-net and
//! relative URLs, or, when no mock-entra serves the page (or the learner picks it), core's engine
//! running in the tab ([`in_page`]). Everything else builds [`HttpReq`] values and reads
//! [`HttpResp`] values, and cannot tell the two transports apart.
mod in_page;

use std::cell::RefCell;
use std::rc::Rc;

use entra_core::client::HttpExchange;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};
use web_sys::RequestRedirect;

/// A request exactly as the playground will send it (path and query relative to the origin).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HttpReq {
    pub method: String,
    /// Path and query, e.g. `/metadata/identity/oauth2/token?…`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpReq {
    pub fn get(url: impl Into<String>) -> Self {
        HttpReq {
            method: "GET".into(),
            url: url.into(),
            ..Default::default()
        }
    }
    pub fn with_method(mut self, method: &str) -> Self {
        method.clone_into(&mut self.method);
        self
    }
    /// A JSON body (Graph, control API).
    pub fn json(mut self, method: &str, body: &serde_json::Value) -> Self {
        method.clone_into(&mut self.method);
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.to_string());
        self
    }
}

/// What the browser sends for a request core built: the URL with its query, the headers, and the
/// body as encoded on the wire.
impl From<&HttpExchange> for HttpReq {
    fn from(x: &HttpExchange) -> Self {
        let body = x.body_bytes();
        HttpReq {
            method: x.method.to_string(),
            url: x.full_url(),
            headers: x.headers.clone(),
            body: (x.body.is_some()).then(|| String::from_utf8_lossy(&body).into_owned()),
        }
    }
}

impl From<HttpExchange> for HttpReq {
    fn from(x: HttpExchange) -> Self {
        HttpReq::from(&x)
    }
}

/// A response as the browser saw it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HttpResp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// One exchange from mock-entra's request log (`GET /_mock/requests`): core's record type, the
/// one the server's engine produces.
pub use entra_core::engine::Exchange;

fn js_error(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Which engine answers the page's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// mock-entra on the page's origin (`http://127.0.0.1:8080`).
    Server { origin: String },
    /// Core's engine in this tab, on the default scenario, signing with the public demo key.
    InPage,
}

enum Transport {
    Server,
    InPage(Rc<in_page::InPage>),
}

thread_local! {
    static TRANSPORT: RefCell<Transport> = const { RefCell::new(Transport::Server) };
    /// How long the in-page engine took to start (scenario parsed, demo key loaded), in ms.
    static ENGINE_START_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// How long the in-page engine took to start, demo key loading included (the bench reads it).
pub fn engine_start_ms() -> f64 {
    ENGINE_START_MS.with(std::cell::Cell::get)
}

/// Where the learner's choice of engine is remembered (`in-page` or `server`).
const CHOICE_KEY: &str = "mock-entra.engine";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The engine the learner picked last time on this origin, if any.
pub fn remembered_choice() -> Option<bool> {
    let v = storage()?.get_item(CHOICE_KEY).ok().flatten()?;
    Some(v == "in-page")
}

fn remember_choice(in_page: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(CHOICE_KEY, if in_page { "in-page" } else { "server" });
    }
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Who answers now.
pub fn answerer() -> Answerer {
    TRANSPORT.with(|t| match &*t.borrow() {
        Transport::Server => Answerer::Server {
            origin: page_origin(),
        },
        Transport::InPage(_) => Answerer::InPage,
    })
}

/// From now on the engine in this tab answers (started once; its directory survives a reload).
pub fn use_in_page(remember: bool) -> Result<(), String> {
    let already = TRANSPORT.with(|t| matches!(&*t.borrow(), Transport::InPage(_)));
    if !already {
        let started = in_page::monotonic_ms();
        let engine = Rc::new(in_page::InPage::start()?);
        ENGINE_START_MS.with(|ms| ms.set(in_page::monotonic_ms() - started));
        TRANSPORT.with(|t| *t.borrow_mut() = Transport::InPage(engine));
    }
    if remember {
        remember_choice(true);
    }
    Ok(())
}

/// From now on mock-entra on the page's origin answers.
pub fn use_server(remember: bool) {
    TRANSPORT.with(|t| *t.borrow_mut() = Transport::Server);
    if remember {
        remember_choice(false);
    }
}

fn in_page() -> Option<Rc<in_page::InPage>> {
    TRANSPORT.with(|t| match &*t.borrow() {
        Transport::InPage(e) => Some(e.clone()),
        Transport::Server => None,
    })
}

/// Sends a request to whichever engine answers (see [`answerer`]).
pub async fn send(req: &HttpReq) -> Result<HttpResp, String> {
    match in_page() {
        Some(engine) => engine.send(req).await,
        None => fetch(req).await,
    }
}

/// Sends a request over the network and reads the whole answer. Redirects are not followed
/// (admin consent answers 302 to a redirect URI that does not exist here). The URL goes to
/// `fetch` exactly as built (gloo's builder would append a stray `&` to a URL that already has
/// a query).
async fn fetch(req: &HttpReq) -> Result<HttpResp, String> {
    let init = web_sys::RequestInit::new();
    init.set_method(&req.method);
    init.set_redirect(RequestRedirect::Manual);
    let headers = web_sys::Headers::new().map_err(js_error)?;
    for (k, v) in &req.headers {
        headers.append(k, v).map_err(js_error)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    let raw = web_sys::Request::new_with_str_and_init(&req.url, &init).map_err(js_error)?;
    let resp = Request::from(raw).send().await.map_err(|e| e.to_string())?;
    let headers = resp.headers().entries().collect();
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    Ok(HttpResp {
        status,
        headers,
        body,
    })
}

/// The live directory (`GET /_mock/scenario`).
pub async fn get_scenario() -> Result<String, String> {
    let r = send(&HttpReq::get("/_mock/scenario")).await?;
    if r.status == 200 {
        Ok(r.body)
    } else {
        Err(format!("GET /_mock/scenario answered {}", r.status))
    }
}

/// Replaces the live directory (`PUT /_mock/scenario`).
pub async fn put_scenario(json: String) -> Result<HttpResp, String> {
    let mut req = HttpReq::get("/_mock/scenario").with_method("PUT");
    req.headers
        .push(("Content-Type".into(), "application/json".into()));
    req.body = Some(json);
    send(&req).await
}

/// Back to the start scenario and clock (`POST /_mock/reset`).
pub async fn reset() -> Result<HttpResp, String> {
    send(&HttpReq::get("/_mock/reset").with_method("POST")).await
}

/// Shifts the mock's clock (`POST /_mock/clock`).
pub async fn set_clock_offset(seconds: i64) -> Result<HttpResp, String> {
    send(
        &HttpReq::get("/_mock/clock")
            .json("POST", &serde_json::json!({ "offsetSeconds": seconds })),
    )
    .await
}

/// Logged exchanges after `since` (`GET /_mock/requests?since=`).
pub async fn requests_since(since: u64) -> Result<Vec<Exchange>, String> {
    let r = send(&HttpReq::get(format!("/_mock/requests?since={since}"))).await?;
    if r.status != 200 {
        return Err(format!("GET /_mock/requests answered {}", r.status));
    }
    serde_json::from_str(&r.body).map_err(|e| e.to_string())
}

/// Whether a mock-entra serves this page (`GET /_mock/health` over the network, whichever
/// engine answers now). A static file host answers 404 (or HTML), not mock-entra's JSON.
pub async fn server_answers() -> bool {
    match fetch(&HttpReq::get("/_mock/health")).await {
        Ok(r) if r.status == 200 => serde_json::from_str::<serde_json::Value>(&r.body)
            .is_ok_and(|v| v.get("status").and_then(|s| s.as_str()) == Some("ok")),
        _ => false,
    }
}

/// Subscribes to mock-entra's live request log (`GET /_mock/events`, one `exchange` event per
/// logged exchange), so SDK traffic shows in the inspector. The subscription lives as long as
/// the page; its events are dropped while the in-page engine answers.
pub fn subscribe_exchanges(on_exchange: impl Fn(Exchange) + 'static) {
    use wasm_bindgen::JsCast as _;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new("/_mock/events") else {
        return;
    };
    let callback =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if in_page().is_some() {
                return;
            }
            if let Some(Ok(ex)) = ev.data().as_string().map(|s| serde_json::from_str(&s)) {
                on_exchange(ex);
            }
        });
    let _ = source.add_event_listener_with_callback("exchange", callback.as_ref().unchecked_ref());
    // Both live until the page closes.
    callback.forget();
    std::mem::forget(source);
}
