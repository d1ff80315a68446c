//! Shared state of the app (typed context) and the one way a request is performed: send it,
//! then read what mock-entra logged for it so the inspector shows the exchange as sent.
use entra_core::directory::Directory;
use leptos::prelude::*;

use crate::api::{self, Exchange, HttpReq, HttpResp};
use crate::core_bridge::aadsts_of;
use crate::scenarios::{Expect, Tokens};
use crate::world::{DEFAULT_SCENARIO, World, parse_directory};

/// Everything the panels share. Cheap to copy (signals).
#[derive(Clone, Copy)]
pub struct AppState {
    /// The live directory (from `GET /_mock/scenario`, else the compiled-in default).
    pub dir: RwSignal<Directory>,
    /// Whether mock-entra answered `/_mock/health` (None: not known yet).
    pub online: RwSignal<Option<bool>>,
    /// Every exchange read from the mock's request log.
    pub log: RwSignal<Vec<Exchange>>,
    /// Highest log id seen.
    pub cursor: RwSignal<u64>,
    /// Tokens obtained by the guided steps (the doctor reuses them).
    pub tokens: RwSignal<Tokens>,
    pub view: RwSignal<crate::url_state::View>,
    pub scenario: RwSignal<String>,
    pub step: RwSignal<usize>,
    pub lab: RwSignal<Vec<String>>,
    /// One line of feedback for the last action.
    pub notice: RwSignal<String>,
    /// Results of the current scenario's steps, by index.
    pub results: RwSignal<Vec<Option<StepResult>>>,
    /// A request is in flight.
    pub busy: RwSignal<bool>,
}

impl AppState {
    pub fn new(url: crate::url_state::UrlState) -> Self {
        AppState {
            dir: RwSignal::new(parse_directory(DEFAULT_SCENARIO).unwrap_or_default()),
            online: RwSignal::new(None),
            log: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(0),
            tokens: RwSignal::new(Tokens::default()),
            view: RwSignal::new(url.view),
            scenario: RwSignal::new(url.scenario),
            step: RwSignal::new(url.step),
            lab: RwSignal::new(url.lab),
            notice: RwSignal::new(String::new()),
            results: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
        }
    }

    pub fn world(&self) -> World {
        self.dir.with(World::from_directory)
    }

    /// Reloads the live directory from the mock.
    pub async fn reload_directory(self) {
        match api::get_scenario().await {
            Ok(json) => match parse_directory(&json) {
                Ok(d) => self.dir.set(d),
                Err(e) => self
                    .notice
                    .set(format!("scenario JSON not understood: {e}")),
            },
            Err(e) => self.notice.set(e),
        }
    }

    /// Adds exchanges to the log (once each, whichever of SSE and polling saw them first);
    /// returns those that are not control-API calls.
    pub fn ingest(self, new: Vec<Exchange>) -> Vec<Exchange> {
        if let Some(max) = new.iter().map(|e| e.id).max() {
            self.cursor.update(|c| *c = (*c).max(max));
        }
        let shown: Vec<Exchange> = new
            .into_iter()
            .filter(|e| !e.url.starts_with("/_mock/"))
            .collect();
        self.log.update(|l| {
            for e in &shown {
                if !l.iter().any(|x| x.id == e.id) {
                    l.push(e.clone());
                }
            }
        });
        shown
    }

    /// Reads new entries of the request log into `log`; returns them.
    pub async fn pull_log(self) -> Vec<Exchange> {
        let since = self.cursor.get_untracked();
        match api::requests_since(since).await {
            Ok(new) => self.ingest(new.into_iter().filter(|e| e.id > since).collect()),
            Err(_) => Vec::new(),
        }
    }

    /// Sends `req` and returns the outcome with the logged exchanges it caused.
    pub async fn perform(self, req: impl Into<HttpReq>) -> StepResult {
        let req: HttpReq = req.into();
        // Catch up first, so the exchanges after `before` are this request's (the live event
        // stream may advance the cursor meanwhile, so ask the log explicitly).
        let _ = self.pull_log().await;
        let before = self.cursor.get_untracked();
        let resp = api::send(&req).await;
        let mut exchanges = match api::requests_since(before).await {
            Ok(new) => self.ingest(new.into_iter().filter(|e| e.id > before).collect()),
            Err(_) => Vec::new(),
        };
        if exchanges.is_empty() {
            // No request log (older mock or another server): show what the browser saw.
            if let Ok(r) = &resp {
                exchanges.push(local_exchange(&req, r));
            }
        }
        StepResult::new(req, resp, exchanges)
    }
}

fn local_exchange(req: &HttpReq, r: &HttpResp) -> Exchange {
    Exchange {
        id: 0,
        time: crate::browser_clock::now().rfc3339(),
        method: req.method.clone(),
        url: req.url.clone(),
        request_headers: req.headers.clone(),
        request_body: req.body.clone().unwrap_or_default(),
        status: r.status,
        response_headers: r.headers.clone(),
        response_body: r.body.clone(),
        duration_ms: 0.0,
    }
}

/// The outcome of one performed request.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub req: HttpReq,
    /// HTTP status (0: an opaque redirect the browser did not follow).
    pub status: Option<u16>,
    pub body: String,
    /// Transport failure (mock not reachable).
    pub transport_error: Option<String>,
    /// AADSTS code of an Entra error body.
    pub code: Option<u32>,
    pub exchanges: Vec<Exchange>,
}

impl StepResult {
    pub fn new(req: HttpReq, resp: Result<HttpResp, String>, exchanges: Vec<Exchange>) -> Self {
        match resp {
            Ok(r) => StepResult {
                code: aadsts_of(&r.body),
                status: Some(r.status),
                body: r.body,
                transport_error: None,
                req,
                exchanges,
            },
            Err(e) => StepResult {
                req,
                status: None,
                body: String::new(),
                transport_error: Some(e),
                code: None,
                exchanges,
            },
        }
    }

    /// 2xx/3xx (or an unfollowed redirect) without an Entra error.
    pub fn succeeded(&self) -> bool {
        self.code.is_none() && self.status.is_some_and(|s| s < 400)
    }

    pub fn access_token(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        v.get("access_token")?.as_str().map(str::to_owned)
    }

    /// Whether the outcome is what the step expected (success, or its instructive AADSTS code).
    pub fn as_expected(&self, expect: Expect) -> bool {
        match expect {
            Expect::Success => self.succeeded(),
            Expect::Aadsts(c) => self.code == Some(c.code()),
        }
    }

    pub fn summary(&self) -> String {
        match (&self.transport_error, self.status, self.code) {
            (Some(e), _, _) => format!("not sent: {e}"),
            (_, Some(s), Some(c)) => format!("{s} AADSTS{c}"),
            (_, Some(0), None) => "redirect (not followed)".into(),
            (_, Some(s), None) => format!("{s}"),
            _ => String::new(),
        }
    }
}
