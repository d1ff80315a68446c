//! The benchmark's set-up requests (IMDS, preflight checks) over loopback, through `ureq`.
//! Not used for load: wrk drives that.

use std::time::Duration;

use crate::Result;

/// A response: status and body text.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_str(&self.body)
            .map_err(|e| format!("not JSON ({e}): {}", excerpt(&self.body)))
    }
}

pub(crate) fn excerpt(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Sends one request and reads the whole response. Every status is a [`Reply`] (the callers
/// report unexpected ones with the body); only transport failures are errors.
pub(crate) fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Reply> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into();
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(body.to_vec())
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let mut response = agent
        .run(request)
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
    Ok(Reply { status, body })
}

pub(crate) fn get(url: &str, headers: &[(&str, &str)]) -> Result<Reply> {
    request("GET", url, headers, b"", Duration::from_secs(30))
}

pub(crate) fn post_form(url: &str, form: &str) -> Result<Reply> {
    request(
        "POST",
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
        Duration::from_secs(30),
    )
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub(crate) fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A whole form body from pairs.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    //! The set-up client against a one-shot loopback server, and form encoding.
    use super::*;
    use std::io::{Read as _, Write as _};

    /// Answers one connection with `response` and returns what the client sent.
    fn one_shot(response: &'static [u8]) -> (String, std::thread::JoinHandle<String>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).contains("\r\n\r\nx=1") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            s.write_all(response).unwrap();
            String::from_utf8_lossy(&seen).into_owned()
        });
        (url, handle)
    }

    #[test]
    fn an_error_status_is_a_reply_with_its_chunked_body_reassembled() {
        let (url, server) = one_shot(
            b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        );
        let reply = post_form(&format!("{url}/token"), "x=1").unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (400, "abcde"));
        let sent = server.join().unwrap();
        assert!(sent.starts_with("POST /token HTTP/1.1\r\n"), "{sent}");
        assert!(
            sent.to_ascii_lowercase()
                .contains("content-type: application/x-www-form-urlencoded"),
            "{sent}"
        );
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(
            form(&[("scope", "https://x/.default"), ("a b", "~")]),
            "scope=https%3A%2F%2Fx%2F.default&a+b=%7E"
        );
    }
}
