//! The control API: loopback only, scenario round-trip, reset, faults, clock, exchange log,
//! key rotation, state file.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::Request;
use tower::ServiceExt as _;

use crate::helpers::{CONTOSO, TestApp};

#[tokio::test]
async fn control_api_refuses_non_loopback_callers() {
    let app = TestApp::spawn().await;
    let router = mock_entra::app(app.running.state.clone());
    let mut req = Request::get("/_mock/health").body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 168, 1, 20], 5555))));
    let resp = router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 403);
    let mut req = Request::get("/_mock/health").body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5555))));
    assert_eq!(router.oneshot(req).await.unwrap().status(), 200);
    // Over a real socket from loopback.
    let (status, body) = app.get_json(&app.http("/_mock/health")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn scenario_round_trips_exactly() {
    let app = TestApp::spawn().await;
    let first = app
        .client
        .get(app.http("/_mock/scenario"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let put = app
        .client
        .put(app.http("/_mock/scenario"))
        .body(first.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let second = app
        .client
        .get(app.http("/_mock/scenario"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(first, second);
    let parsed: entra_core::directory::Directory = serde_json::from_slice(&first).unwrap();
    assert!(parsed.tenants.iter().any(|t| t.id.to_string() == CONTOSO));
    let bad = app
        .client
        .put(app.http("/_mock/scenario"))
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn reset_restores_the_start_scenario() {
    let app = TestApp::spawn().await;
    let empty = serde_json::json!({"tenants": [], "computeHosts": []});
    let put = app
        .client
        .put(app.http("/_mock/scenario"))
        .json(&empty)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let (status, _) = app
        .get_json(&app.https(&format!("/{CONTOSO}/v2.0/.well-known/openid-configuration")))
        .await;
    assert_eq!(status, 400);
    app.client
        .post(app.http("/_mock/reset"))
        .send()
        .await
        .unwrap();
    let (status, _) = app
        .get_json(&app.https(&format!("/{CONTOSO}/v2.0/.well-known/openid-configuration")))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn faults_answer_with_status_and_retry_after_for_count_requests() {
    let app = TestApp::spawn().await;
    let fault = serde_json::json!({"status": 429, "count": 1, "path": "/common/*"});
    let r = app
        .client
        .post(app.http("/_mock/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let url = app.https("/common/discovery/keys");
    let resp = app.client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
    let fault = serde_json::json!({"status": 503, "path": "*"});
    app.client
        .post(app.http("/_mock/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 503);
    let d = app
        .client
        .delete(app.http("/_mock/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), 204);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn clock_offset_moves_now() {
    let app = TestApp::spawn().await;
    let (_, before) = app.get_json(&app.http("/_mock/clock")).await;
    let r = app
        .client
        .post(app.http("/_mock/clock"))
        .json(&serde_json::json!({"offsetSeconds": 7200}))
        .send()
        .await
        .unwrap();
    let after: serde_json::Value = r.json().await.unwrap();
    assert_eq!(after["offsetSeconds"], 7200);
    assert!(after["now"].as_i64().unwrap() - before["now"].as_i64().unwrap() >= 7200);
}

#[tokio::test]
async fn exchanges_are_logged_with_bodies_and_streamed() {
    let app = TestApp::spawn().await;
    let mut events = app
        .client
        .get(app.http("/_mock/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    app.client
        .get(app.https("/common/discovery/keys"))
        .send()
        .await
        .unwrap();
    let (status, log) = app.get_json(&app.http("/_mock/requests?since=0")).await;
    assert_eq!(status, 200);
    let ex = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(ex["method"], "GET");
    assert!(
        ex["url"]
            .as_str()
            .unwrap()
            .ends_with("/common/discovery/keys")
    );
    assert_eq!(ex["status"], 200);
    assert!(ex["responseBody"].as_str().unwrap().contains("\"keys\""));
    assert!(
        ex["requestHeaders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "host")
    );
    let id = ex["id"].as_u64().unwrap();
    let (_, later) = app
        .get_json(&app.http(&format!("/_mock/requests?since={id}")))
        .await;
    assert!(later.as_array().unwrap().is_empty());
    let mut seen = String::new();
    while !seen.contains("event: exchange") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("/common/discovery/keys"));
}

#[tokio::test]
async fn key_rotation_publishes_the_new_key_beside_the_old() {
    let app = TestApp::spawn().await;
    let (_, before) = app.get_json(&app.https("/common/discovery/keys")).await;
    let old = before["keys"][0]["kid"].clone();
    let r: serde_json::Value = app
        .client
        .post(app.http("/_mock/keys/rotate"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, after) = app.get_json(&app.https("/common/discovery/keys")).await;
    assert_eq!(after["keys"].as_array().unwrap().len(), 2);
    assert_eq!(after["keys"][0]["kid"], r["kid"]);
    assert_eq!(after["keys"][1]["kid"], old);
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let state_file = crate::helpers::temp_dir("state").join("state.json");
    let sf = state_file.clone();
    let app = TestApp::spawn_with(move |c| c.state_file = Some(sf)).await;
    let mut scenario: serde_json::Value = app.get_json(&app.http("/_mock/scenario")).await.1;
    scenario["tenants"][0]["displayName"] = "Contoso Renamed".into();
    app.client
        .put(app.http("/_mock/scenario"))
        .json(&scenario)
        .send()
        .await
        .unwrap();
    let data_dir = app.data_dir.clone();
    app.running.stop().await;
    let sf = state_file.clone();
    let mut config = mock_entra::Config::for_tests(data_dir);
    config.state_file = Some(sf);
    let again = mock_entra::MockEntra::start(config).await.unwrap();
    assert_eq!(
        again.state.directory().tenants[0].display_name,
        "Contoso Renamed"
    );
    again.stop().await;
}
