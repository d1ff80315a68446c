//! Unit tests of the engine: routing, each surface's answer to 404/405/413/431, refused writes.

use serde_json::Value;

use super::*;
use crate::keys::test_keys;
use crate::managed_identity::imds;
use crate::testutil::{CONTOSO, CONTOSO_ADMIN, CONTOSO_ADMIN_SECRET, NOW, directory};

fn engine() -> Engine {
    engine_with(false)
}

fn engine_with(imds_throttle: bool) -> Engine {
    Engine::new(
        EngineConfig {
            issuers: IssuerChoice::Entra,
            graph_prefix: "/graph".to_owned(),
            imds_throttle,
        },
        directory(),
        directory(),
        test_keys::key_set_with_issuers(),
    )
}

fn cx(ids: &SequentialIds) -> Context<'_> {
    Context {
        now: NOW,
        monotonic: Millis(0),
        ids,
    }
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(body.to_vec()).expect("request")
}

fn body_json(resp: &Response) -> Value {
    serde_json::from_slice(resp.body()).unwrap_or(Value::Null)
}

fn content_type(resp: &Response) -> &str {
    resp.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A path of each surface that no operation serves, and one that only serves another method.
fn paths(surface: Surface) -> (&'static str, &'static str, &'static str) {
    match surface {
        Surface::Imds => ("/metadata/nothing", "/metadata/nothing", "GET"),
        Surface::AppService => ("/msi/nothing", "/msi/nothing", "GET"),
        Surface::Graph => ("/v1.0/devices/x/y", "/v1.0/devices", "PUT"),
        Surface::Arm => (
            "/subscriptions/x/nothing",
            "/subscriptions/x/resourceGroups",
            "DELETE",
        ),
        Surface::Storage => ("/blob/a/b/c/d", "/blob/a/b", "DELETE"),
        Surface::Control => ("/_mock/nothing", "/_mock/reset", "GET"),
        Surface::Entra => (
            "/contoso/oauth2/nothing",
            "/contoso/discovery/v2.0/keys",
            "DELETE",
        ),
        Surface::Other => ("/nothing", "/nothing", "GET"),
    }
}

/// Asserts `resp` is in `surface`'s error shape.
fn assert_shape(surface: Surface, resp: &Response, context: &str) {
    match surface {
        Surface::Imds => {
            let v = body_json(resp);
            assert!(v["error"].is_string(), "{context}: {v}");
            assert!(v["error_description"].is_string(), "{context}: {v}");
            assert_eq!(resp.headers()["server"], imds::SERVER_HEADER, "{context}");
        }
        Surface::AppService => {
            let v = body_json(resp);
            assert_eq!(v["statusCode"], resp.status().as_u16(), "{context}: {v}");
            assert!(v["correlationId"].is_string(), "{context}: {v}");
        }
        Surface::Graph => {
            let v = body_json(resp);
            assert!(v["error"]["code"].is_string(), "{context}: {v}");
            assert!(
                v["error"]["innerError"]["request-id"].is_string(),
                "{context}: {v}"
            );
            assert!(resp.headers().contains_key("request-id"), "{context}");
        }
        Surface::Arm | Surface::Control => {
            let v = body_json(resp);
            assert!(v["error"]["code"].is_string(), "{context}: {v}");
            assert!(v["error"]["message"].is_string(), "{context}: {v}");
        }
        Surface::Storage => {
            let text = String::from_utf8_lossy(resp.body());
            assert_eq!(content_type(resp), "application/xml", "{context}");
            assert!(text.contains("<Error><Code>"), "{context}: {text}");
            assert!(resp.headers().contains_key("x-ms-request-id"), "{context}");
        }
        Surface::Entra | Surface::Other => {
            let v = body_json(resp);
            assert_eq!(v["error"], "invalid_request", "{context}: {v}");
            assert!(v["error_description"].is_string(), "{context}: {v}");
        }
    }
    if surface != Surface::Storage {
        assert!(
            content_type(resp).starts_with("application/json"),
            "{context}"
        );
    }
}

#[test]
fn every_surface_answers_unknown_paths_and_wrong_methods_in_its_own_shape() {
    let e = engine();
    let ids = SequentialIds::default();
    for surface in Surface::ALL {
        let (unknown, known, wrong_method) = paths(surface);
        assert_eq!(surface_of(unknown, "/graph"), surface, "{unknown}");
        let out = e.handle(&request("GET", unknown, &[], b""), cx(&ids));
        assert_eq!(
            out.response.status(),
            shapes::routing_status(surface, RoutingError::NotFound),
            "{surface:?} {unknown}"
        );
        assert_shape(surface, &out.response, unknown);
        let out = e.handle(&request(wrong_method, known, &[], b""), cx(&ids));
        let expected = match surface {
            // IMDS and App Service parse their own methods first (and a path that is not
            // theirs stays a 404 whatever the method).
            Surface::Imds | Surface::AppService | Surface::Other => {
                shapes::routing_status(surface, RoutingError::NotFound)
            }
            _ => StatusCodeOf::METHOD_NOT_ALLOWED,
        };
        assert_eq!(
            out.response.status(),
            expected,
            "{surface:?} {wrong_method} {known}"
        );
        assert_shape(surface, &out.response, known);
    }
}

type StatusCodeOf = http::StatusCode;

#[test]
fn managed_identity_endpoints_answer_a_wrong_method_with_their_own_405() {
    let e = engine();
    let ids = SequentialIds::default();
    for (surface, path) in [
        (Surface::Imds, "/metadata/identity/oauth2/token"),
        (Surface::AppService, "/msi/token"),
    ] {
        let out = e.handle(
            &request("POST", path, &[("metadata", "true")], b""),
            cx(&ids),
        );
        assert_eq!(out.response.status(), 405, "{path}");
        assert_shape(surface, &out.response, path);
    }
}

#[test]
fn every_surface_answers_the_shell_limits_in_its_own_shape() {
    let e = engine();
    let ids = SequentialIds::default();
    for surface in Surface::ALL {
        let (path, _, _) = paths(surface);
        for (limit, status) in [(Limit::Body, 413), (Limit::Headers, 431)] {
            let resp = e.over_limit(path, limit, cx(&ids));
            assert_eq!(resp.status(), status, "{surface:?} {limit:?}");
            assert_shape(surface, &resp, path);
        }
    }
}

fn graph_token(e: &Engine, ids: &SequentialIds) -> String {
    let body = format!(
        "grant_type=client_credentials&client_id={CONTOSO_ADMIN}&client_secret={CONTOSO_ADMIN_SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
    );
    let out = e.handle(
        &request(
            "POST",
            &format!("/{CONTOSO}/oauth2/v2.0/token"),
            &[("content-type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        ),
        cx(ids),
    );
    assert_eq!(out.response.status(), 200, "{}", body_json(&out.response));
    body_json(&out.response)["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

fn imds_token(e: &Engine, ids: &SequentialIds) -> String {
    let out = e.handle(
        &request(
            "GET",
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
            &[("metadata", "true")],
            b"",
        ),
        cx(ids),
    );
    assert_eq!(out.response.status(), 200, "{}", body_json(&out.response));
    body_json(&out.response)["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[test]
fn a_refused_graph_write_schedules_no_disk_write_and_keeps_imds_caches() {
    let e = engine();
    let ids = SequentialIds::default();
    let token = graph_token(&e, &ids);
    let cached = imds_token(&e, &ids);
    assert_eq!(imds_token(&e, &ids), cached, "IMDS serves its cached token");
    let before = e.directory();

    let out = e.handle(
        &request(
            "POST",
            "/v1.0/applications",
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "application/json"),
            ],
            b"{not json",
        ),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 400, "{}", body_json(&out.response));
    assert!(
        !out.effects
            .iter()
            .any(|e| matches!(e, Effect::Persist { .. })),
        "a refused write persists nothing"
    );
    assert!(
        Arc::ptr_eq(&before, &e.directory()),
        "the directory is untouched"
    );
    assert_eq!(imds_token(&e, &ids), cached, "the IMDS cache survives");

    let out = e.handle(
        &request(
            "POST",
            "/v1.0/applications",
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "application/json"),
            ],
            br#"{"displayName":"new app"}"#,
        ),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 201, "{}", body_json(&out.response));
    assert!(
        out.effects
            .iter()
            .any(|e| matches!(e, Effect::Persist { .. })),
        "an accepted write is handed to the shell to persist"
    );
    assert_ne!(
        imds_token(&e, &ids),
        cached,
        "an accepted write clears the cache"
    );
}

#[test]
fn faults_answer_before_routing_and_the_control_api_is_never_faulted_or_recorded() {
    let e = engine();
    let ids = SequentialIds::default();
    let out = e.handle(
        &request(
            "POST",
            "/_mock/faults",
            &[],
            br#"{"status":503,"latencyMs":7,"count":1,"path":"/metadata/*"}"#,
        ),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 201);
    assert!(out.record.is_none(), "the control API is not recorded");
    let out = e.handle(
        &request("GET", "/metadata/identity/oauth2/token", &[], b""),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 503);
    assert_eq!(out.response.headers()["retry-after"], "1");
    assert!(matches!(out.effects[..], [Effect::Delay { millis: 7 }]));
    let record = out.record.expect("recorded");
    assert_eq!(record.status, 503);
    assert_eq!(record.url, "/metadata/identity/oauth2/token");
    let out = e.handle(
        &request("GET", "/metadata/identity/oauth2/token", &[], b""),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 400, "the counted fault is spent");
}

#[test]
fn the_clock_offset_moves_now_for_every_surface() {
    let e = engine();
    let ids = SequentialIds::default();
    let out = e.handle(
        &request("POST", "/_mock/clock", &[], br#"{"offsetSeconds":3600}"#),
        cx(&ids),
    );
    assert_eq!(body_json(&out.response)["now"], NOW.secs() + 3600);
    assert_eq!(e.now(NOW), NOW.plus(3600));
    let out = e.handle(&request("POST", "/_mock/reset", &[], b""), cx(&ids));
    assert_eq!(out.response.status(), 200);
    assert_eq!(e.clock_offset(), 0);
}

#[test]
fn undecodable_path_segments_answer_in_json() {
    let e = engine();
    let ids = SequentialIds::default();
    let out = e.handle(
        &request("GET", "/%FF/discovery/v2.0/keys", &[], b""),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 400);
    assert_eq!(body_json(&out.response)["error"], "invalid_request");
}

#[test]
fn the_imds_throttle_counts_per_vm_with_the_monotonic_clock() {
    let e = engine_with(true);
    let ids = SequentialIds::default();
    let req = request(
        "GET",
        "/metadata/instance?api-version=2021-02-01",
        &[("metadata", "true")],
        b"",
    );
    let statuses: Vec<u16> = (0..7)
        .map(|_| e.handle(&req, cx(&ids)).response.status().as_u16())
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let later = Context {
        now: NOW,
        monotonic: Millis(10_000),
        ids: &ids,
    };
    assert_eq!(e.handle(&req, later).response.status(), 200);
}
