//! The control API's decisions under `/_mock` (the shell keeps the loopback guard, the request
//! log, its SSE stream and key generation): health, the scenario round-trip, reset, faults and
//! the clock offset. Also the answer of an injected fault.

use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::faults::Fault;
use super::reply::{self, JSON_UTF8};
use super::route::Params;
use super::shapes::ControlError;
use super::{Call, Request, Response};
use crate::directory::Directory;

/// Parses a scenario document (the `--scenario` format, also `PUT /_mock/scenario`).
pub fn parse_scenario(bytes: &[u8]) -> Result<Directory, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Renders the directory in exactly the format [`parse_scenario`] reads.
pub fn render_scenario(dir: &Directory) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(dir).unwrap_or_default();
    out.push(b'\n');
    out
}

pub(crate) fn forbidden() -> Response {
    ControlError::new(
        403,
        "Forbidden",
        "The control API accepts loopback callers only.",
    )
    .to_response()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rotated<'a> {
    kid: &'a str,
    published: &'a [String],
}

pub(crate) fn rotated(kid: &str, published: &[String]) -> Response {
    reply::json(StatusCode::OK, &Rotated { kid, published })
}

/// The body of an injected fault: OAuth's `temporarily_unavailable`, which every client
/// library treats as transient.
#[derive(Serialize)]
struct InjectedFault {
    error: &'static str,
    error_description: String,
}

pub(crate) fn injected_fault(code: u16, retry_after: Option<u64>) -> Response {
    let mut resp = reply::failure(
        "fault",
        reply::status(code),
        &InjectedFault {
            error: "temporarily_unavailable",
            error_description: format!("Injected fault: HTTP {code}."),
        },
    );
    if let Some(secs) = retry_after {
        reply::set_header(&mut resp, "retry-after", &secs.to_string());
    }
    resp
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    status: &'static str,
    now: String,
    clock_offset_seconds: i64,
    keys: Vec<String>,
    tenants: usize,
}

pub(crate) fn health(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    let keys = call.engine.keys();
    reply::json(
        StatusCode::OK,
        &Health {
            status: "ok",
            now: call.now.rfc3339(),
            clock_offset_seconds: call.engine.clock_offset(),
            keys: keys
                .published()
                .iter()
                .map(|k| k.kid().as_str().to_owned())
                .collect(),
            tenants: call.engine.directory().tenants.len(),
        },
    )
}

fn scenario(call: &Call<'_>) -> Response {
    reply::raw(
        StatusCode::OK,
        JSON_UTF8,
        render_scenario(&call.engine.directory()),
    )
}

pub(crate) fn get_scenario(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    scenario(call)
}

pub(crate) fn put_scenario(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    match parse_scenario(req.body()) {
        Ok(dir) => {
            call.replace_directory(dir);
            scenario(call)
        }
        Err(e) => ControlError::new(400, "InvalidScenario", e.to_string()).to_response(),
    }
}

pub(crate) fn reset(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    let start = (*call.engine.start_directory()).clone();
    call.replace_directory(start);
    call.engine.faults().clear();
    call.engine.set_clock_offset(0);
    scenario(call)
}

pub(crate) fn list_faults(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    let list = call.engine.faults().list().to_vec();
    reply::json(StatusCode::OK, &list)
}

pub(crate) fn add_fault(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    match serde_json::from_slice::<Fault>(req.body()) {
        Ok(f) => {
            let list = {
                let mut faults = call.engine.faults();
                faults.add(f);
                faults.list().to_vec()
            };
            reply::json(StatusCode::CREATED, &list)
        }
        Err(e) => ControlError::new(400, "InvalidFault", e.to_string()).to_response(),
    }
}

pub(crate) fn clear_faults(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    call.engine.faults().clear();
    reply::empty(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockBody {
    offset_seconds: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Clock {
    offset_seconds: i64,
    now: i64,
}

pub(crate) fn get_clock(call: &mut Call<'_>, _: &Request, _: &Params) -> Response {
    reply::json(
        StatusCode::OK,
        &Clock {
            offset_seconds: call.engine.clock_offset(),
            now: call.now.secs(),
        },
    )
}

pub(crate) fn set_clock(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    match serde_json::from_slice::<ClockBody>(req.body()) {
        Ok(c) => {
            // "now" moves with the offset: take the wall time back out and put the new one in.
            let wall = call.now.plus(-call.engine.clock_offset());
            call.engine.set_clock_offset(c.offset_seconds);
            call.now = call.engine.now(wall);
            get_clock(call, req, p)
        }
        Err(e) => ControlError::new(400, "InvalidClock", e.to_string()).to_response(),
    }
}
