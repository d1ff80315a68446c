//! `cargo xtask bench`: mock-entra measured against this machine's RSA-2048 signing limit and
//! against the peer a user would pick instead (axa-group's oauth2-mock-server), in one run.
//!
//! Steps: build mock-entra in release; measure the signing limit (`openssl speed -multi`, and
//! in-process with the server's own signer); start mock-entra (random ports, fresh data dir)
//! and drive each endpoint with wrk at each connection count; the same for the peer's
//! client_credentials endpoint; cold start, resident memory, the playground's wasm size and its
//! time to interactive in headless Chromium; the latency of an acknowledged Graph write with and
//! without `--state-file`; the static site's time to interactive, guided-step answer times and
//! wasm size (`bench/site.rs`). Prints one markdown table with the targets. `--only
//! durable-writes` and `--only site` measure one part alone (a minute, not the whole run).
//!
//! A benchmark, not a test: targets are reported, never asserted. `docs/performance.md` explains
//! each figure.

mod browser;
mod durable;
mod http;
mod load;
mod site;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use load::{LoadResult, Target};

use crate::{Result, root};

// The default scenario (scenarios/default.json): the seed-002 cross-tenant FIC exchange and the
// Contoso "Playground Admin" app that holds a client secret.
const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
const UMI_CLIENT: &str = "f31c6e2a-5b4d-4a8e-9f10-7c2d8e1a0d43";
const MULTI_TENANT_APP: &str = "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f";
const ADMIN_APP: &str = "0c4e8a2b-6d1f-4c3a-9e5b-7a9c1e3f5b01";
const ADMIN_SECRET: &str = "pga8Q~ContosoPlaygroundAdminSecret00000000000001";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

// The targets (issue 6).
const FIC_OF_LIMIT: f64 = 0.7;
const FIC_OVER_PEER: f64 = 2.5;
const P99_AT_16_MS: f64 = 5.0;
const IMDS_PER_S: f64 = 30_000.0;
const COLD_START_MS: f64 = 150.0;
const RSS_BYTES: u64 = 40_000_000;
const WASM_GZIP_BYTES: u64 = 500_000;
const TTI_MS: f64 = 1000.0;

/// `cargo xtask bench [options]`.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "cargo xtask bench",
    no_binary_name = true,
    about = "Measure mock-entra against this machine's signing limit and a peer (docs/performance.md)"
)]
struct Options {
    /// Seconds of load per endpoint and connection count.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Connection counts for wrk, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,64", value_parser = parse_count)]
    connections: Vec<u32>,
    /// Cold starts timed per kind (fresh data directory, kept keys).
    #[arg(long, default_value_t = 5)]
    cold_runs: usize,
    /// Playground page loads timed in headless Chromium.
    #[arg(long, default_value_t = 3)]
    tti_runs: usize,
    /// Skip the peer (oauth2-mock-server).
    #[arg(long = "no-peer", action = clap::ArgAction::SetFalse)]
    peer: bool,
    /// Skip the browser (time to interactive, the static site's rows).
    #[arg(long = "no-browser", action = clap::ArgAction::SetFalse)]
    browser: bool,
    /// Acknowledged Graph writes timed per server (with and without `--state-file`).
    #[arg(long, default_value_t = 100)]
    writes: usize,
    /// Measure one part only.
    #[arg(long, value_enum)]
    only: Option<Part>,
}

/// A part of the benchmark that can run alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    /// The cost of a durable acknowledged write (`--state-file`).
    DurableWrites,
    /// The static site (`cargo xtask site`): time to interactive, guided steps, wasm size.
    Site,
}

/// One connection count (spaces around the commas are allowed).
fn parse_count(s: &str) -> std::result::Result<u32, String> {
    s.trim().parse().map_err(|e| format!("{e}"))
}

impl Options {
    /// Parses the options; `--help` prints the usage and exits.
    fn parse(args: &[String]) -> Result<Options> {
        use clap::Parser as _;
        let o = match Options::try_parse_from(args) {
            Ok(o) => o,
            Err(e) if !e.use_stderr() => e.exit(),
            Err(e) => return Err(e.render().to_string()),
        };
        if o.seconds == 0 || o.connections.is_empty() || o.cold_runs == 0 || o.writes == 0 {
            return Err(
                "--seconds, --connections, --cold-runs and --writes must be positive".to_owned(),
            );
        }
        Ok(o)
    }
}

/// A port the OS considers free right now.
pub(crate) fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// A child process that is killed when dropped.
struct Proc(Child);

impl Proc {
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|r| r.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Builds the release binaries and returns (mock-entra, signing_limit example).
fn build() -> Result<(PathBuf, PathBuf)> {
    println!("\n$ cargo build --release -p mock-entra --bin mock-entra --example signing_limit");
    let out = Command::new("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "mock-entra",
            "--bin",
            "mock-entra",
            "--example",
            "signing_limit",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !out.status.success() {
        return Err("the release build failed".to_owned());
    }
    let mut server = None;
    let mut example = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(name), Some(exe)) = (v["target"]["name"].as_str(), v["executable"].as_str())
        else {
            continue;
        };
        match name {
            "mock-entra" => server = Some(PathBuf::from(exe)),
            "signing_limit" => example = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    Ok((
        server.ok_or("cargo reported no mock-entra binary")?,
        example.ok_or("cargo reported no signing_limit example")?,
    ))
}

/// RSA-2048 signatures per second on all cores, as OpenSSL counts them.
fn openssl_limit(cores: usize, seconds: u64) -> Result<f64> {
    println!("\n$ openssl speed -multi {cores} -seconds {seconds} rsa2048");
    let out = Command::new("openssl")
        .args([
            "speed",
            "-multi",
            &cores.to_string(),
            "-seconds",
            &seconds.to_string(),
            "rsa2048",
        ])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("could not start openssl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "rsa 2048 bits 0.000129s 0.000009s   7740.0 113000.0": the first plain number is sign/s.
    text.lines()
        .rfind(|l| l.starts_with("rsa") && l.contains("2048"))
        .and_then(|l| {
            l.split_whitespace()
                .skip(3)
                .find(|t| !t.ends_with('s'))
                .and_then(|t| t.parse().ok())
        })
        .ok_or_else(|| format!("no rsa2048 line in openssl's output: {text}"))
}

#[derive(Debug, Clone, Copy)]
struct InProcess {
    sign_per_s: f64,
    verify_per_s: f64,
    core_sign_per_s: f64,
}

fn in_process_limit(example: &Path, cores: usize, seconds: u64) -> Result<InProcess> {
    println!("\n$ signing_limit --threads {cores} --seconds {seconds}");
    let out = Command::new(example)
        .args([
            "--threads",
            &cores.to_string(),
            "--seconds",
            &seconds.to_string(),
        ])
        .output()
        .map_err(|e| format!("could not start {}: {e}", example.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
        format!(
            "signing_limit: {e}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let f = |k: &str| v[k].as_f64().unwrap_or_default();
    Ok(InProcess {
        sign_per_s: f("sign_per_s"),
        verify_per_s: f("verify_per_s"),
        core_sign_per_s: f("core_sign_per_s"),
    })
}

/// A running mock-entra.
struct Server {
    proc: Proc,
    http_base: String,
}

/// Starts mock-entra on random ports with `extra` arguments (e.g. `--state-file`).
fn start_server(
    bin: &Path,
    data_dir: &Path,
    log: &Path,
    extra: &[&std::ffi::OsStr],
) -> Result<Server> {
    let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let log_err = log_file.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new(bin)
        .args(["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra)
        .arg("--playground-dir")
        .arg(root().join("dist"))
        .stdout(log_file)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let proc = Proc(child);
    let instance = data_dir.join("instance.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(bytes) = std::fs::read(&instance)
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && v["pid"].as_u64() == Some(u64::from(proc.pid()))
            && let Some(base) = v["httpBase"].as_str()
        {
            return Ok(Server {
                http_base: base.to_owned(),
                proc,
            });
        }
        if Instant::now() > deadline {
            return Err(format!(
                "mock-entra did not start within 60 s (log: {})",
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn imds_url(base: &str, resource: &str) -> String {
    format!(
        "{base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={}&client_id={UMI_CLIENT}",
        http::form_encode(resource)
    )
}

/// The managed-identity token for the token-exchange audience (the FIC assertion).
fn mi_assertion(base: &str) -> Result<String> {
    let reply = http::get(&imds_url(base, EXCHANGE_AUDIENCE), &[("Metadata", "true")])?;
    if reply.status != 200 {
        return Err(format!(
            "IMDS answered {}: {}",
            reply.status,
            http::excerpt(&reply.body)
        ));
    }
    reply.json()?["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "IMDS gave no access_token".to_owned())
}

fn fic_form(assertion: &str) -> String {
    http::form(&[
        ("grant_type", "client_credentials"),
        ("client_id", MULTI_TENANT_APP),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
        ("scope", "https://management.azure.com/.default"),
    ])
}

fn secret_form() -> String {
    http::form(&[
        ("grant_type", "client_credentials"),
        ("client_id", ADMIN_APP),
        ("client_secret", ADMIN_SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ])
}

/// Sends `target` once and fails unless it answers 200 (so a load of errors is never measured
/// as throughput). Returns the body.
fn preflight(name: &str, target: &Target) -> Result<String> {
    let headers: Vec<(&str, &str)> = target
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = http::request(
        target.method,
        &target.url,
        &headers,
        target.body.as_bytes(),
        Duration::from_secs(30),
    )?;
    if reply.status != 200 {
        return Err(format!(
            "{name}: expected 200, got {}: {}",
            reply.status,
            http::excerpt(&reply.body)
        ));
    }
    Ok(reply.body)
}

/// One endpoint of mock-entra (or the peer) under load.
struct Endpoint {
    name: &'static str,
    target: Target,
}

fn mock_endpoints(base: &str, assertion: &str) -> Vec<Endpoint> {
    vec![
        Endpoint {
            name: "FIC exchange (MI assertion → app token)",
            target: Target::post_form(
                format!("{base}/{LITWARE}/oauth2/v2.0/token"),
                fic_form(assertion),
            ),
        },
        Endpoint {
            name: "client_credentials with a secret",
            target: Target::post_form(format!("{base}/{CONTOSO}/oauth2/v2.0/token"), secret_form()),
        },
        Endpoint {
            name: "IMDS token (cached)",
            target: Target::get(
                imds_url(base, "https://management.azure.com/"),
                &[("Metadata", "true")],
            ),
        },
        Endpoint {
            name: "OIDC discovery",
            target: Target::get(
                format!("{base}/{LITWARE}/v2.0/.well-known/openid-configuration"),
                &[],
            ),
        },
        Endpoint {
            name: "JWKS",
            target: Target::get(format!("{base}/{LITWARE}/discovery/v2.0/keys"), &[]),
        },
    ]
}

struct Measured {
    name: &'static str,
    connections: u32,
    result: LoadResult,
}

fn drive(
    endpoints: &[Endpoint],
    options: &Options,
    pid: u32,
    scratch: &Path,
) -> Result<Vec<Measured>> {
    let mut out = Vec::new();
    for e in endpoints {
        for &c in &options.connections {
            println!("  wrk {} at {c} connections, {} s", e.name, options.seconds);
            let result = load::run(&e.target, c, options.seconds, pid, scratch)?;
            out.push(Measured {
                name: e.name,
                connections: c,
                result,
            });
        }
    }
    Ok(out)
}

/// Whether IMDS returns the same token twice (it caches, as real IMDS does).
fn imds_caches(base: &str) -> Result<bool> {
    let t = Target::get(
        imds_url(base, "https://management.azure.com/"),
        &[("Metadata", "true")],
    );
    let token = |body: String| -> Result<String> {
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        Ok(v["access_token"].as_str().unwrap_or_default().to_owned())
    };
    Ok(token(preflight("IMDS", &t)?)? == token(preflight("IMDS", &t)?)?)
}

/// The peer, started as its README shows.
fn start_peer(scratch: &Path) -> Result<(Proc, String)> {
    let dir = root().join("bench/peer");
    if !dir.join("node_modules/oauth2-mock-server").exists() {
        crate::run_in(&dir, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    let log = scratch.join("peer.log");
    let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let mut child = Command::new("node")
        .arg("start.mjs")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("could not start node: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout from node")?;
    let proc = Proc(child);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .map_err(|e| e.to_string())?;
    let port = serde_json::from_str::<serde_json::Value>(line.trim())
        .ok()
        .and_then(|v| v["port"].as_u64())
        .ok_or_else(|| format!("the peer printed no port ({line}); see {}", log.display()))?;
    Ok((proc, format!("http://127.0.0.1:{port}")))
}

/// Process spawn to the first FIC exchange that succeeds (IMDS token, then the exchange),
/// `runs` times; `fresh` gives each run a new data directory (key generation included).
fn cold_starts(bin: &Path, runs: usize, fresh: bool, scratch: &Path) -> Result<Vec<f64>> {
    let shared = scratch.join("cold-shared");
    let mut times = Vec::new();
    // With keys on disk: one unmeasured start creates them.
    let total = if fresh { runs } else { runs + 1 };
    for i in 0..total {
        let dir = if fresh {
            scratch.join(format!("cold-{i}"))
        } else {
            shared.clone()
        };
        let (http_port, tls_port) = (free_port()?, free_port()?);
        let base = format!("http://127.0.0.1:{http_port}");
        let started = Instant::now();
        let child = Command::new(bin)
            .args([
                "--listen",
                &format!("127.0.0.1:{http_port}"),
                "--tls-listen",
                &format!("127.0.0.1:{tls_port}"),
            ])
            .arg("--data-dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
        let _proc = Proc(child);
        let deadline = started + Duration::from_secs(60);
        let assertion = loop {
            if let Ok(a) = mi_assertion(&base) {
                break a;
            }
            if Instant::now() > deadline {
                return Err("cold start: IMDS never answered 200 within 60 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let reply = http::post_form(
            &format!("{base}/{LITWARE}/oauth2/v2.0/token"),
            &fic_form(&assertion),
        )?;
        if reply.status != 200 {
            return Err(format!(
                "cold start: the FIC exchange answered {}: {}",
                reply.status,
                http::excerpt(&reply.body)
            ));
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if fresh || i > 0 {
            times.push(ms);
        }
    }
    Ok(times)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

fn find_wasm(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
}

/// The playground's wasm file: (raw bytes, gzip -9 bytes).
fn wasm_size() -> Result<(PathBuf, u64, u64)> {
    let wasm = match find_wasm(&root().join("dist")) {
        Some(p) => p,
        None => {
            crate::playground()?;
            find_wasm(&root().join("dist"))
                .ok_or("dist/ holds no .wasm after `cargo xtask playground`")?
        }
    };
    gzip_size(wasm)
}

/// The wasm file in `dir`: (raw bytes, gzip -9 bytes).
fn wasm_in(dir: &Path) -> Result<(PathBuf, u64, u64)> {
    let wasm = find_wasm(dir).ok_or_else(|| format!("{} holds no .wasm", dir.display()))?;
    gzip_size(wasm)
}

fn gzip_size(wasm: PathBuf) -> Result<(PathBuf, u64, u64)> {
    let raw = std::fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
    let gz = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .map_err(|e| format!("could not start gzip: {e}"))?;
    if !gz.status.success() {
        return Err("gzip failed".to_owned());
    }
    Ok((wasm, raw, gz.stdout.len() as u64))
}

fn fmt_rate(r: f64) -> String {
    let n = r.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn kb(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1e3)
}

fn yes_no(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

/// Everything one run measured.
struct Report {
    cores: usize,
    cpu: String,
    load_before: String,
    load_after: String,
    seconds: u64,
    openssl: f64,
    in_process: InProcess,
    mock: Vec<Measured>,
    peer: Vec<Measured>,
    imds_cached: bool,
    rss_under_load: u64,
    rss_hwm: u64,
    peer_rss: u64,
    cold_fresh: Vec<f64>,
    cold_keys: Vec<f64>,
    wasm: std::result::Result<(PathBuf, u64, u64), String>,
    tti: Option<std::result::Result<Vec<browser::Tti>, String>>,
    durable: durable::DurableWrites,
    site: Option<site::SiteReport>,
}

impl Report {
    fn table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "| measure | conns | result | p50 | p99 | errors | ratio | target | met |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---|---|---|");
        let _ = writeln!(
            t,
            "| RSA-2048 signing limit, `openssl speed -multi {}` | | {} sign/s | | | | | | |",
            self.cores,
            fmt_rate(self.openssl)
        );
        let _ = writeln!(
            t,
            "| RSA-2048 in-process, the server's signer, {} threads | | {} sign/s | | | | {:.2} of openssl (core's pure-Rust signer: {:.2}) | | |",
            self.cores,
            fmt_rate(self.in_process.sign_per_s),
            self.in_process.sign_per_s / self.openssl,
            self.in_process.core_sign_per_s / self.openssl
        );
        let _ = writeln!(
            t,
            "| RS256 verification in-process, the server's key set | | {} verify/s | | | | | | |",
            fmt_rate(self.in_process.verify_per_s)
        );
        let peer_rate = |c: u32| {
            self.peer
                .iter()
                .find(|m| m.connections == c)
                .map(|m| m.result.per_second)
        };
        for m in &self.mock {
            let r = &m.result;
            let mut ratio = Vec::new();
            let mut target = Vec::new();
            let mut met = true;
            let is_fic = m.name.starts_with("FIC");
            let is_secret = m.name.starts_with("client_credentials");
            let is_imds = m.name.starts_with("IMDS");
            if is_fic {
                let of_limit = r.per_second / self.openssl;
                ratio.push(format!(
                    "{of_limit:.2} of openssl, {:.2} of in-process",
                    r.per_second / self.in_process.sign_per_s
                ));
                target.push(format!("≥ {FIC_OF_LIMIT} of limit"));
                met &= of_limit >= FIC_OF_LIMIT;
            }
            if (is_fic || is_secret)
                && let Some(p) = peer_rate(m.connections)
            {
                let over = r.per_second / p;
                ratio.push(format!("{over:.1}× peer"));
                if is_fic {
                    target.push(format!("≥ {FIC_OVER_PEER}× peer"));
                    met &= over >= FIC_OVER_PEER;
                }
            }
            if is_imds {
                target.push(format!("≥ {} req/s", fmt_rate(IMDS_PER_S)));
                met &= r.per_second >= IMDS_PER_S;
                if !self.imds_cached {
                    ratio.push("NOT cached: a new token per request".to_owned());
                }
            }
            if m.connections == 16 {
                target.push(format!("p99 ≤ {P99_AT_16_MS} ms"));
                met &= r.p99_ms <= P99_AT_16_MS;
            }
            target.push("0 errors".to_owned());
            met &= r.errors == 0;
            let _ = writeln!(
                t,
                "| mock-entra: {} | {} | {} req/s | {:.2} ms | {:.2} ms | {} | {} | {} | {} |",
                m.name,
                m.connections,
                fmt_rate(r.per_second),
                r.p50_ms,
                r.p99_ms,
                r.errors,
                ratio.join("; "),
                target.join(", "),
                yes_no(met)
            );
        }
        for m in &self.peer {
            let r = &m.result;
            let _ = writeln!(
                t,
                "| peer (oauth2-mock-server): client_credentials | {} | {} req/s | {:.2} ms | {:.2} ms | {} | {:.2} of openssl | | |",
                m.connections,
                fmt_rate(r.per_second),
                r.p50_ms,
                r.p99_ms,
                r.errors,
                r.per_second / self.openssl
            );
        }
        let cold = |name: &str, v: &[f64], checked: bool| {
            format!(
                "| {name} | | {:.0} ms (median of {}) | | | | min {:.0}, max {:.0} ms | {} | {} |",
                median(v),
                v.len(),
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(0.0, f64::max),
                if checked {
                    format!("≤ {COLD_START_MS} ms")
                } else {
                    String::new()
                },
                if checked {
                    yes_no(median(v) <= COLD_START_MS)
                } else {
                    ""
                }
            )
        };
        let _ = writeln!(
            t,
            "{}",
            cold(
                "cold start, fresh data dir (key generation included): spawn → IMDS 200 → FIC exchange 200",
                &self.cold_fresh,
                true
            )
        );
        let _ = writeln!(
            t,
            "{}",
            cold(
                "cold start, keys already on disk: spawn → IMDS 200 → FIC exchange 200",
                &self.cold_keys,
                true
            )
        );
        let peer_rss = if self.peer_rss > 0 {
            format!("peer: {}", mb(self.peer_rss))
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "| resident memory under load (largest VmRSS during the runs; VmHWM {}) | | {} | | | | {} | ≤ {} | {} |",
            mb(self.rss_hwm),
            mb(self.rss_under_load),
            peer_rss,
            mb(RSS_BYTES),
            yes_no(self.rss_under_load <= RSS_BYTES)
        );
        match &self.wasm {
            Ok((path, raw, gz)) => {
                let _ = writeln!(
                    t,
                    "| playground wasm (`dist/{}`) | | {} gzip -9 | | | | {} raw | ≤ {} gzip | {} |",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    kb(*gz),
                    kb(*raw),
                    kb(WASM_GZIP_BYTES),
                    yes_no(*gz <= WASM_GZIP_BYTES)
                );
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "| playground wasm | | not measured: {} | | | | | ≤ {} gzip | **no** |",
                    e.replace('|', "/"),
                    kb(WASM_GZIP_BYTES)
                );
            }
        }
        match &self.tti {
            Some(Ok(runs)) => {
                let interactive: Vec<f64> = runs.iter().map(|r| r.interactive_ms).collect();
                let mounted: Vec<f64> = runs.iter().map(|r| r.mounted_ms).collect();
                let wasm: Vec<f64> = runs.iter().map(|r| r.wasm_ms).collect();
                let _ = writeln!(
                    t,
                    "| playground time to interactive, headless Chromium, cold cache (navigation start → a click answered) | | {:.0} ms (median of {}) | | | | wasm received {:.0} ms, app mounted {:.0} ms | ≤ {TTI_MS:.0} ms | {} |",
                    median(&interactive),
                    runs.len(),
                    median(&wasm),
                    median(&mounted),
                    yes_no(median(&interactive) <= TTI_MS)
                );
            }
            Some(Err(e)) => {
                let _ = writeln!(
                    t,
                    "| playground time to interactive | | not measured: {} | | | | | ≤ {TTI_MS:.0} ms | **no** |",
                    e.replace('|', "/")
                );
            }
            None => {}
        }
        t.push_str(&durable::rows(&self.durable));
        if let Some(site) = &self.site {
            site.rows(&mut t);
        }
        t
    }

    fn header(&self) -> String {
        format!(
            "mock-entra benchmark: {} cores ({}), wrk {} s per row over loopback HTTP, load average {} before, {} after",
            self.cores, self.cpu, self.seconds, self.load_before, self.load_after
        )
    }
}

fn table_head() -> String {
    "| measure | conns | result | p50 | p99 | errors | ratio | target | met |\n|---|---:|---:|---:|---:|---:|---|---|---|\n".to_owned()
}

/// `--only site`: the static site's rows alone (no server build, no load). The header gives one
/// core's RSA-2048 signing rate at the time (`openssl speed`, 1 s): the page's times scale with
/// what the shared machine leaves, and this says how much that was.
fn bench_site(options: &Options) -> Result {
    let cores = cores();
    let load_before = loadavg();
    let one_core = openssl_limit(1, 1).map_or_else(
        |e| format!("not measured ({e})"),
        |s| format!("{s:.0} sign/s"),
    );
    let scratch = std::env::temp_dir().join(format!("mock-entra-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let report = site::measure(options.tti_runs, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let report = report?;
    let mut table = table_head();
    report.rows(&mut table);
    let text = format!(
        "mock-entra benchmark, static site only: {} cores ({}), load average {} before, {} after, RSA-2048 on one core (`openssl speed -seconds 1`) {}\n\n{table}",
        cores,
        cpu_model(),
        load_before,
        loadavg(),
        one_core
    );
    println!("\n{text}");
    let saved = crate::target_dir().join("bench-site-latest.md");
    if std::fs::write(&saved, &text).is_ok() {
        println!("(also written to {})", saved.display());
    }
    Ok(())
}

pub(crate) fn bench(args: &[String]) -> Result {
    let options = Options::parse(args)?;
    if options.only == Some(Part::Site) {
        return bench_site(&options);
    }
    let cores = cores();
    let load_before = loadavg();
    if options.only.is_none() {
        load::ensure_wrk()?;
    }
    let (server_bin, example) = build()?;
    let scratch = std::env::temp_dir().join(format!("mock-entra-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    if options.only == Some(Part::DurableWrites) {
        let result = durable::measure(&server_bin, &scratch, options.writes);
        let _ = std::fs::remove_dir_all(&scratch);
        let d = result?;
        let text = format!(
            "mock-entra benchmark, durable writes only: {cores} cores ({}), release build, load average {load_before} before, {} after\n\n| measure | conns | result | p50 | p99 | errors | ratio | target | met |\n|---|---:|---:|---:|---:|---:|---|---|---|\n{}",
            cpu_model(),
            loadavg(),
            durable::rows(&d)
        );
        println!("\n{text}");
        return Ok(());
    }
    let result = run_all(
        &options,
        cores,
        load_before,
        &server_bin,
        &example,
        &scratch,
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let report = result?;
    let text = format!("{}\n\n{}", report.header(), report.table());
    println!("\n{text}");
    let saved = crate::target_dir().join("bench-latest.md");
    if std::fs::write(&saved, &text).is_ok() {
        println!("(also written to {})", saved.display());
    }
    Ok(())
}

fn run_all(
    options: &Options,
    cores: usize,
    load_before: String,
    server_bin: &Path,
    example: &Path,
    scratch: &Path,
) -> Result<Report> {
    let wasm = wasm_size();
    let openssl = openssl_limit(cores, options.seconds.min(5))?;
    let in_process = in_process_limit(example, cores, options.seconds.min(5))?;

    println!("\nstarting mock-entra (fresh data dir, random ports)");
    let server = start_server(
        server_bin,
        &scratch.join("data"),
        &scratch.join("mock-entra.log"),
        &[],
    )?;
    let base = server.http_base.clone();
    let assertion = mi_assertion(&base)?;
    let endpoints = mock_endpoints(&base, &assertion);
    for e in &endpoints {
        preflight(e.name, &e.target)?;
    }
    let imds_cached = imds_caches(&base)?;
    let mock = drive(&endpoints, options, server.proc.pid(), scratch)?;
    let rss_under_load = mock.iter().map(|m| m.result.peak_rss).max().unwrap_or(0);
    let rss_hwm = load::proc_status_bytes(server.proc.pid(), "VmHWM").unwrap_or(0);

    let tti = if options.browser {
        println!(
            "\nplayground time to interactive ({} runs)",
            options.tti_runs
        );
        let r = crate::tools::ensure_chromium().and_then(|()| {
            browser::time_to_interactive(
                &format!("{base}/#view=guide"),
                options.tti_runs,
                scratch,
                false,
            )
        });
        Some(r)
    } else {
        None
    };
    drop(server);
    let site = if options.browser {
        Some(site::measure(options.tti_runs, scratch)?)
    } else {
        None
    };

    let (peer, peer_rss) = if options.peer {
        println!("\nstarting the peer (oauth2-mock-server)");
        let (proc, peer_base) = start_peer(scratch)?;
        let endpoints = [Endpoint {
            name: "client_credentials",
            target: Target::post_form(
                format!("{peer_base}/token"),
                http::form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", ADMIN_APP),
                    ("client_secret", ADMIN_SECRET),
                    ("scope", "https://management.azure.com/.default"),
                ]),
            ),
        }];
        preflight("peer client_credentials", &endpoints[0].target)?;
        let measured = drive(&endpoints, options, proc.pid(), scratch)?;
        let rss = measured
            .iter()
            .map(|m| m.result.peak_rss)
            .max()
            .unwrap_or(0);
        (measured, rss)
    } else {
        (Vec::new(), 0)
    };

    println!("\ncold start ({} runs each)", options.cold_runs);
    let cold_fresh = cold_starts(server_bin, options.cold_runs, true, scratch)?;
    let cold_keys = cold_starts(server_bin, options.cold_runs, false, scratch)?;
    let durable = durable::measure(server_bin, scratch, options.writes)?;

    Ok(Report {
        cores,
        cpu: cpu_model(),
        load_before,
        load_after: loadavg(),
        seconds: options.seconds,
        openssl,
        in_process,
        mock,
        peer,
        imds_cached,
        rss_under_load,
        rss_hwm,
        peer_rss,
        cold_fresh,
        cold_keys,
        wasm,
        tti,
        durable,
        site,
    })
}

#[cfg(test)]
mod tests {
    //! The benchmark's own arithmetic and option parsing (the measurements need a machine).
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
    }

    #[test]
    fn rates_are_grouped_by_thousands() {
        assert_eq!(fmt_rate(1234567.4), "1,234,567");
        assert_eq!(fmt_rate(999.0), "999");
    }

    #[test]
    fn options_default_to_five_seconds_at_16_and_64_connections() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.seconds, o.connections), (5, vec![16, 64]));
        let o = Options::parse(&["--connections".into(), "8, 32".into()]).unwrap();
        assert_eq!(o.connections, vec![8, 32]);
        assert!(Options::parse(&["--seconds".into(), "0".into()]).is_err());
        assert!(Options::parse(&["--bogus".into()]).is_err());
    }

    #[test]
    fn only_site_selects_the_static_site_rows_and_nothing_else_is_accepted() {
        assert_eq!(Options::parse(&[]).unwrap().only, None);
        let o = Options::parse(&["--only".into(), "site".into()]).unwrap();
        assert_eq!(o.only, Some(Part::Site));
        assert!(Options::parse(&["--only".into(), "load".into()]).is_err());
    }
}
