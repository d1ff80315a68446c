//! Exposure over real sockets: the control API refuses non-loopback peers on a wide listener,
//! IMDS refuses forwarded requests, bodies and headers are bounded with surface-shaped answers.

use std::net::{IpAddr, SocketAddr};

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::helpers::TestApp;

/// This machine's address on its outbound interface, if it has one (no packet is sent).
fn non_loopback_ip() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9")
        .or_else(|_| s.connect("8.8.8.8:53"))
        .ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// One HTTP/1.1 exchange written by hand; returns the status and the body.
async fn raw(addr: SocketAddr, head: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn a_wide_listener_serves_loopback_but_refuses_the_control_api_to_other_peers() {
    let app = TestApp::spawn_with(|c| {
        c.listen = "0.0.0.0:0".parse().unwrap();
        c.tls_listen = "0.0.0.0:0".parse().unwrap();
    })
    .await;
    let http_port = app.running.http_addr.port();
    let https_port = app.running.https_addr.port();
    // Loopback callers keep the control API on both listeners.
    let (status, _) = app
        .get_json(&format!("http://127.0.0.1:{http_port}/_mock/health"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_json(&format!("https://localhost:{https_port}/_mock/health"))
        .await;
    assert_eq!(status, 200);

    let Some(ip) = non_loopback_ip() else {
        // Without a second address the refusal is covered by the guard's unit test
        // (`limits::tests::only_loopback_peers_reach_the_control_api`).
        return;
    };
    let (status, body) = app
        .get_json(&format!(
            "http://{}/_mock/health",
            SocketAddr::new(ip, http_port)
        ))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Forbidden");
    // The HTTPS listener too: resolve the certificate's name to the outside address.
    let ca = reqwest::Certificate::from_pem(&app.running.ca_pem).unwrap();
    let outside = reqwest::Client::builder()
        .add_root_certificate(ca)
        .resolve("localhost", SocketAddr::new(ip, https_port))
        .build()
        .unwrap();
    let resp = outside
        .get(format!("https://localhost:{https_port}/_mock/scenario"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Forbidden");
    // Only the control API is loopback-only: discovery still answers the outside caller.
    let resp = outside
        .get(format!(
            "https://localhost:{https_port}/common/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_declared_oversized_body_is_413_in_the_surface_shape() {
    let app = TestApp::spawn().await;
    let addr = app.running.http_addr;
    let big = mock_entra::limits::MAX_BODY + 1;
    let (status, body) = raw(
        addr,
        &format!(
            "POST /common/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "invalid_request");
    let (status, body) = raw(
        addr,
        &format!(
            "POST /v1.0/applications HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "RequestEntityTooLarge");
    let (status, body) = raw(
        addr,
        &format!(
            "PUT /_mock/scenario HTTP/1.1\r\nHost: localhost\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "PayloadTooLarge");
}

#[tokio::test]
async fn a_chunked_body_past_the_limit_is_413_too() {
    let app = TestApp::spawn().await;
    let mut s = tokio::net::TcpStream::connect(app.running.http_addr)
        .await
        .unwrap();
    s.write_all(b"GET /msi/token?api-version=2019-08-01&resource=x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
    frame.extend_from_slice(&chunk);
    frame.extend_from_slice(b"\r\n");
    // The server stops reading at the limit and answers; later writes may fail, which is fine.
    for _ in 0..(mock_entra::limits::MAX_BODY / chunk.len() + 2) {
        if s.write_all(&frame).await.is_err() {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["statusCode"], 413);
}

#[tokio::test]
async fn too_many_headers_are_431_in_the_surface_shape() {
    let app = TestApp::spawn().await;
    let mut req = app.client.get(app.http(
        "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
    ));
    for i in 0..=mock_entra::limits::MAX_HEADERS {
        req = req.header(format!("x-filler-{i}"), "1");
    }
    let resp = req.header("Metadata", "true").send().await.unwrap();
    assert_eq!(resp.status(), 431);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "bad_request");
}

/// Reads the identifying member of each surface's error shape from a raw body.
fn shape_of(body: &str) -> String {
    if body.starts_with("<?xml") {
        let code = body
            .split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or_default();
        return format!("storage:{code}");
    }
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if let Some(code) = v["statusCode"].as_u64() {
        format!("app-service:{code}")
    } else if v["error"]["innerError"]["request-id"].is_string() {
        format!("graph:{}", v["error"]["code"].as_str().unwrap_or_default())
    } else if let Some(code) = v["error"]["code"].as_str() {
        format!("code:{code}")
    } else if let Some(e) = v["error"].as_str() {
        format!("oauth:{e}")
    } else {
        format!("unknown:{body}")
    }
}

#[tokio::test]
async fn every_surface_answers_404_405_413_and_431_in_its_own_shape() {
    let app = TestApp::spawn().await;
    let addr = app.running.http_addr;
    let big = mock_entra::limits::MAX_BODY + 1;
    let many: String = (0..=mock_entra::limits::MAX_HEADERS)
        .map(|i| format!("x-filler-{i}: 1\r\n"))
        .collect();
    // (surface, unknown path, a path with its wrong method, the shape expected for 404/405 and
    // for 413/431)
    let cases = [
        (
            "imds",
            "/metadata/nothing",
            ("POST", "/metadata/identity/oauth2/token"),
            "oauth:not_found",
            "oauth:method_not_allowed",
            "oauth:bad_request",
        ),
        (
            "app-service",
            "/msi/nothing",
            ("POST", "/msi/token"),
            "app-service:404",
            "app-service:405",
            "app-service:",
        ),
        (
            "graph",
            "/v1.0/devices/x/y",
            ("PUT", "/v1.0/devices"),
            "graph:BadRequest",
            "graph:Request_BadRequest",
            "graph:",
        ),
        (
            "arm",
            "/subscriptions/x/nothing",
            ("DELETE", "/subscriptions/x/resourceGroups"),
            "code:InvalidResourceType",
            "code:MethodNotAllowed",
            "code:",
        ),
        (
            "storage",
            "/blob/a/b/c/d",
            ("DELETE", "/blob/a/b"),
            "storage:ResourceNotFound",
            "storage:UnsupportedHttpVerb",
            "storage:",
        ),
        (
            "control",
            "/_mock/nothing",
            ("GET", "/_mock/reset"),
            "code:NotFound",
            "code:MethodNotAllowed",
            "code:",
        ),
        (
            "entra",
            "/common/oauth2/nothing",
            ("GET", "/common/oauth2/v2.0/token"),
            "oauth:invalid_request",
            "oauth:invalid_request",
            "oauth:invalid_request",
        ),
    ];
    for (surface, unknown, (method, known), not_found, not_allowed, limit_shape) in cases {
        let extra = if surface == "imds" {
            "Metadata: true\r\n"
        } else {
            ""
        };
        let (status, body) = raw(
            addr,
            &format!(
                "GET {unknown} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(
            status == 404 || (surface == "graph" && status == 400),
            "{surface} 404: {status} {body}"
        );
        assert_eq!(shape_of(&body), not_found, "{surface} 404: {body}");
        let (status, body) = raw(
            addr,
            &format!("{method} {known} HTTP/1.1\r\nHost: localhost\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 405, "{surface} 405: {body}");
        assert_eq!(shape_of(&body), not_allowed, "{surface} 405: {body}");
        let (status, body) = raw(
            addr,
            &format!("POST {known} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 413, "{surface} 413: {body}");
        assert!(
            shape_of(&body).starts_with(limit_shape),
            "{surface} 413: {body}"
        );
        let (status, body) = raw(
            addr,
            &format!("GET {known} HTTP/1.1\r\nHost: localhost\r\n{many}Connection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 431, "{surface} 431: {body}");
        assert!(
            shape_of(&body).starts_with(limit_shape),
            "{surface} 431: {body}"
        );
    }
}
