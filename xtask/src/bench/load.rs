//! Load over loopback with wrk (Debian's package), one fixed request per run, plus the resident
//! memory of the server under that load (sampled from /proc while wrk runs).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::{Result, root};

/// Installs wrk when it is missing (idempotent).
pub(crate) fn ensure_wrk() -> Result {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    let apt = |args: &[&str]| {
        let mut all = vec!["-o", "DPkg::Lock::Timeout=600"];
        all.extend_from_slice(args);
        crate::run("apt-get", &all)
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "wrk"])
}

/// One request, repeated.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) method: &'static str,
    /// A form or empty.
    pub(crate) body: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl Target {
    pub(crate) fn get(url: String, headers: &[(&str, &str)]) -> Self {
        Target {
            url,
            method: "GET",
            body: String::new(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    pub(crate) fn post_form(url: String, body: String) -> Self {
        Target {
            url,
            method: "POST",
            body,
            headers: vec![(
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
        }
    }
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoadResult {
    pub(crate) per_second: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Responses with status >= 400 plus socket errors and timeouts.
    pub(crate) errors: u64,
    /// Largest VmRSS of the server seen while wrk ran, in bytes.
    pub(crate) peak_rss: u64,
}

/// Runs wrk against `target` with `connections` for `seconds`, sampling `server_pid`'s memory.
pub(crate) fn run(
    target: &Target,
    connections: u32,
    seconds: u64,
    server_pid: u32,
    scratch: &Path,
) -> Result<LoadResult> {
    let body_arg = if target.body.is_empty() {
        "-".to_owned()
    } else {
        let file = scratch.join(format!("body-{}.txt", target.body.len()));
        std::fs::write(&file, &target.body).map_err(|e| format!("{}: {e}", file.display()))?;
        file.display().to_string()
    };
    let threads = connections.min(2);
    let script = root().join("bench/wrk/request.lua");
    let mut args = vec![
        format!("-t{threads}"),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--timeout".to_owned(),
        "10s".to_owned(),
        "-s".to_owned(),
        script.display().to_string(),
        target.url.clone(),
        "--".to_owned(),
        target.method.to_owned(),
        body_arg,
    ];
    args.extend(target.headers.iter().map(|(k, v)| format!("{k}: {v}")));

    let sampler = RssSampler::start(server_pid);
    let out = Command::new("wrk")
        .args(&args)
        .output()
        .map_err(|e| format!("could not start wrk: {e}"))?;
    let peak_rss = sampler.stop();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("WRK-RESULT "))
        .ok_or_else(|| {
            format!(
                "wrk printed no result ({}): {stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("wrk result {line}: {e}"))?;
    let n = |k: &str| v[k].as_u64().unwrap_or_default();
    let duration = n("duration_us").max(1) as f64 / 1e6;
    Ok(LoadResult {
        per_second: n("requests") as f64 / duration,
        p50_ms: n("p50_us") as f64 / 1000.0,
        p99_ms: n("p99_us") as f64 / 1000.0,
        errors: n("status_errors")
            + n("connect_errors")
            + n("read_errors")
            + n("write_errors")
            + n("timeouts"),
        peak_rss,
    })
}

/// A `/proc/PID/status` field in bytes (`VmRSS`, `VmHWM`).
pub(crate) fn proc_status_bytes(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        let kib: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kib * 1024)
    })
}

/// Polls VmRSS every 20 ms on a thread and keeps the largest value.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(rss) = proc_status_bytes(pid, "VmRSS") {
                    p.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        RssSampler {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}
