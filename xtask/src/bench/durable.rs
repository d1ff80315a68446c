//! The cost of a durable acknowledged write: the same sequence of Graph writes against a
//! mock-entra without `--state-file` and against one with it, where every write is answered only
//! once the state file holds it (`docs/security.md`). One client, one write at a time, so each
//! sample is the latency a caller waits for its acknowledgement.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{
    ADMIN_APP, ADMIN_SECRET, CONTOSO, MULTI_TENANT_APP, Server, http, median, start_server,
};
use crate::Result;

/// Writes sent before the measured ones (connection set-up, first file creation).
const WARM_UP: usize = 5;

/// The latencies of one server's acknowledged writes.
#[derive(Debug, Clone)]
pub(crate) struct Writes {
    pub(crate) samples_ms: Vec<f64>,
    pub(crate) errors: usize,
}

impl Writes {
    pub(crate) fn median_ms(&self) -> f64 {
        median(&self.samples_ms)
    }

    pub(crate) fn mean_ms(&self) -> f64 {
        self.samples_ms.iter().sum::<f64>() / self.samples_ms.len().max(1) as f64
    }

    /// The 99th percentile (nearest rank).
    pub(crate) fn p99_ms(&self) -> f64 {
        let mut s = self.samples_ms.clone();
        s.sort_by(f64::total_cmp);
        match s.len() {
            0 => f64::NAN,
            n => s[((n * 99).div_ceil(100)).clamp(1, n) - 1],
        }
    }
}

/// Both measurements of one run.
#[derive(Debug, Clone)]
pub(crate) struct DurableWrites {
    pub(crate) without: Writes,
    pub(crate) with: Writes,
}

/// Starts one server without and one with `--state-file` (each on a fresh data directory) and
/// times `count` acknowledged Graph writes against each.
pub(crate) fn measure(bin: &Path, scratch: &Path, count: usize) -> Result<DurableWrites> {
    println!("\nacknowledged Graph writes, {count} sequential PATCHes per server");
    let plain = start_server(
        bin,
        &scratch.join("durable-plain"),
        &scratch.join("durable-plain.log"),
        &[],
    )?;
    let without = writes(&plain, count)?;
    drop(plain);
    let state_file = scratch.join("durable-state.json");
    let durable = start_server(
        bin,
        &scratch.join("durable-with"),
        &scratch.join("durable-with.log"),
        &["--state-file".as_ref(), state_file.as_os_str()],
    )?;
    let with = writes(&durable, count)?;
    drop(durable);
    let on_disk = std::fs::read_to_string(&state_file)
        .map_err(|e| format!("{}: {e}", state_file.display()))?;
    if !on_disk.contains(&format!("bench write {}", count + WARM_UP - 1)) {
        return Err("the state file does not hold the last acknowledged write".to_owned());
    }
    Ok(DurableWrites { without, with })
}

/// `count` PATCHes of the multi-tenant app's display name (each a real change, so each is
/// persisted), after [`WARM_UP`] unmeasured ones.
fn writes(server: &Server, count: usize) -> Result<Writes> {
    let base = &server.http_base;
    let reply = http::post_form(
        &format!("{base}/{CONTOSO}/oauth2/v2.0/token"),
        &http::form(&[
            ("grant_type", "client_credentials"),
            ("client_id", ADMIN_APP),
            ("client_secret", ADMIN_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ]),
    )?;
    let token = reply.json()?["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no Graph token: {}", http::excerpt(&reply.body)))?;
    let bearer = format!("Bearer {token}");
    let url = format!("{base}/v1.0/applications(appId='{MULTI_TENANT_APP}')");
    let mut samples_ms = Vec::with_capacity(count);
    let mut errors = 0;
    for i in 0..count + WARM_UP {
        let body = format!(r#"{{"displayName":"bench write {i}"}}"#);
        let started = Instant::now();
        let reply = http::request(
            "PATCH",
            &url,
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
            Duration::from_secs(30),
        )?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if reply.status != 204 {
            errors += 1;
            if errors == 1 {
                println!(
                    "  PATCH answered {}: {}",
                    reply.status,
                    http::excerpt(&reply.body)
                );
            }
        }
        if i >= WARM_UP {
            samples_ms.push(ms);
        }
    }
    Ok(Writes { samples_ms, errors })
}

/// The two table rows (the bench's markdown table columns).
pub(crate) fn rows(d: &DurableWrites) -> String {
    let row = |label: &str, w: &Writes, ratio: String| {
        format!(
            "| acknowledged Graph write (PATCH application, one at a time), {label} | 1 | {:.2} ms mean | {:.2} ms | {:.2} ms | {} | {ratio} | | |\n",
            w.mean_ms(),
            w.median_ms(),
            w.p99_ms(),
            w.errors
        )
    };
    let mut t = row("without `--state-file`", &d.without, String::new());
    t.push_str(&row(
        "with `--state-file` (on disk before the answer)",
        &d.with,
        format!(
            "{:.1}× without (median), +{:.2} ms",
            d.with.median_ms() / d.without.median_ms(),
            d.with.median_ms() - d.without.median_ms()
        ),
    ));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p99_of_a_hundred_samples_is_the_ninety_ninth() {
        let w = Writes {
            samples_ms: (1..=100).map(f64::from).collect(),
            errors: 0,
        };
        assert_eq!(w.p99_ms(), 99.0);
        assert_eq!(w.median_ms(), 50.5);
        assert_eq!(w.mean_ms(), 50.5);
    }
}
