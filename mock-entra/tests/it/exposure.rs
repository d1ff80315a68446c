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
