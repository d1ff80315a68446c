//! `mock-entra doctor`: checks the shell it runs in against a mock-entra instance, the way a
//! workshop helper would: is an instance running and answering on its ports, do the CA-bundle
//! variables really trust its certificate (proved with a TLS request), and does the environment
//! hold what `mock-entra env` would set. Gathering does the IO ([`gather`]); judging is a pure
//! function of what was gathered ([`assess`]), tested without a network.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use entra_core::directory::Directory;
use entra_core::discovery::{EmulatorOrigins, client_env};

/// The CA-bundle variables clients read, in the order the report lists them.
pub const CA_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "CURL_CA_BUNDLE",
];

/// What the doctor found out by looking (files, sockets, the environment).
#[derive(Debug, Clone)]
pub struct Observations {
    pub data_dir: PathBuf,
    /// `instance.json` of a running instance, when present.
    pub instance: Option<Instance>,
    /// Where the instance is expected (from `instance.json` or the default listeners).
    pub http_base: String,
    pub https_base: String,
    pub ca_path: PathBuf,
    /// The CA certificate (DER) when the file could be read.
    pub ca_der: Option<Vec<u8>>,
    /// `GET {http_base}/_mock/health`: `Ok(status)` or the connection error.
    pub http_health: Result<u16, String>,
    /// `GET {https_base}/_mock/health` trusting only the bundle named by `SSL_CERT_FILE` (or
    /// the first CA variable set); `None` when no CA variable is set.
    pub https_health: Option<(String, Result<u16, String>)>,
    /// Whether a TCP listener accepts on each default address (only probed with no instance).
    pub ports_in_use: Vec<(SocketAddr, bool)>,
    /// The process environment (the variables that matter here).
    pub env: BTreeMap<String, String>,
    /// For each CA variable set: does its file contain the CA certificate.
    pub bundles: Vec<(String, String, Result<bool, String>)>,
    /// What `mock-entra env` would export for this instance.
    pub expected_env: Vec<(&'static str, String)>,
}

/// The contents of `instance.json`, written by a serving mock-entra.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub http_base: String,
    pub https_base: String,
    pub ca_path: PathBuf,
    pub pid: u32,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Ok,
    Warn,
    Fail,
}

/// One line of the report: what was checked, how it went, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub check: String,
    pub detail: String,
    pub fix: Option<String>,
}

impl Finding {
    fn new(severity: Severity, check: &str, detail: impl Into<String>) -> Self {
        Finding {
            severity,
            check: check.to_owned(),
            detail: detail.into(),
            fix: None,
        }
    }
    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

const EVAL_ENV: &str = "eval \"$(mock-entra env)\"";

/// Judges the observations: one finding per check, worst first within nothing (report order).
pub fn assess(o: &Observations) -> Vec<Finding> {
    let mut out = Vec::new();
    match &o.instance {
        Some(i) => out.push(Finding::new(
            Severity::Ok,
            "instance",
            format!(
                "pid {} recorded in {} (HTTP {}, HTTPS {})",
                i.pid,
                o.data_dir.join("instance.json").display(),
                i.http_base,
                i.https_base
            ),
        )),
        None => out.push(
            Finding::new(
                Severity::Fail,
                "instance",
                format!("no running instance recorded in {}", o.data_dir.display()),
            )
            .fix("start one with `mock-entra` (add `--data-dir` if you use another folder)"),
        ),
    }
    if o.instance.is_none() {
        for (addr, in_use) in &o.ports_in_use {
            if *in_use {
                out.push(
                    Finding::new(
                        Severity::Fail,
                        "ports",
                        format!("{addr} is taken by another program"),
                    )
                    .fix(
                        "stop it, or start mock-entra with `--listen`/`--tls-listen` on free ports",
                    ),
                );
            } else {
                out.push(Finding::new(
                    Severity::Ok,
                    "ports",
                    format!("{addr} is free for mock-entra"),
                ));
            }
        }
    }
    match &o.http_health {
        Ok(200) => out.push(Finding::new(
            Severity::Ok,
            "http",
            format!("{}/_mock/health answers 200", o.http_base),
        )),
        Ok(status) => out.push(
            Finding::new(
                Severity::Fail,
                "http",
                format!("{}/_mock/health answers {status}", o.http_base),
            )
            .fix("the control API answers loopback callers only: run the doctor on the mock's machine"),
        ),
        Err(e) => out.push(
            Finding::new(
                Severity::Fail,
                "http",
                format!("{} does not answer: {e}", o.http_base),
            )
            .fix(if o.instance.is_some() {
                "the instance recorded may have exited: start mock-entra again"
            } else {
                "start mock-entra"
            }),
        ),
    }
    match &o.ca_der {
        Some(_) => out.push(Finding::new(
            Severity::Ok,
            "ca",
            format!("CA certificate at {}", o.ca_path.display()),
        )),
        None => out.push(
            Finding::new(
                Severity::Fail,
                "ca",
                format!("no CA certificate at {}", o.ca_path.display()),
            )
            .fix("mock-entra writes it on first start: start it once with this --data-dir"),
        ),
    }
    if o.bundles.is_empty() {
        out.push(
            Finding::new(
                Severity::Warn,
                "trust",
                format!(
                    "none of {} is set: clients trust only the system store, which lacks the mock's CA",
                    CA_VARIABLES.join(", ")
                ),
            )
            .fix(EVAL_ENV),
        );
    }
    for (var, file, result) in &o.bundles {
        match result {
            Ok(true) => out.push(Finding::new(
                Severity::Ok,
                "trust",
                format!("{var}={file} contains the mock's CA"),
            )),
            Ok(false) => out.push(
                Finding::new(
                    Severity::Fail,
                    "trust",
                    format!(
                        "{var}={file} does not contain the mock's CA: HTTPS to the mock will fail"
                    ),
                )
                .fix(format!(
                    "{EVAL_ENV}, or append {} to that bundle",
                    o.ca_path.display()
                )),
            ),
            Err(e) => out.push(
                Finding::new(Severity::Fail, "trust", format!("{var}={file}: {e}")).fix(EVAL_ENV),
            ),
        }
    }
    if let Some((var, result)) = &o.https_health {
        match result {
            Ok(200) => out.push(Finding::new(
                Severity::Ok,
                "https",
                format!(
                    "{}/_mock/health answers 200 over TLS trusting only {var}",
                    o.https_base
                ),
            )),
            Ok(status) => out.push(Finding::new(
                Severity::Fail,
                "https",
                format!("{}/_mock/health answers {status}", o.https_base),
            )),
            Err(e) => out.push(
                Finding::new(
                    Severity::Fail,
                    "https",
                    format!("TLS to {} trusting {var} failed: {e}", o.https_base),
                )
                .fix(EVAL_ENV),
            ),
        }
    }
    for (name, want) in &o.expected_env {
        match o.env.get(*name) {
            Some(have) if have == want => {
                out.push(Finding::new(Severity::Ok, "env", format!("{name}={have}")))
            }
            Some(have) => out.push(
                Finding::new(
                    Severity::Warn,
                    "env",
                    format!("{name}={have}, but this instance needs {want}"),
                )
                .fix(EVAL_ENV),
            ),
            None => out.push(
                Finding::new(
                    Severity::Warn,
                    "env",
                    format!("{name} is not set (mock-entra env sets {want})"),
                )
                .fix(EVAL_ENV),
            ),
        }
    }
    out
}

/// Gathers the observations for the instance expected in `data_dir` (or at the default
/// listeners when none is recorded there).
pub fn gather(
    data_dir: &Path,
    default_listen: SocketAddr,
    default_tls_listen: SocketAddr,
    dir: &Directory,
    env: BTreeMap<String, String>,
) -> Observations {
    let instance: Option<Instance> = std::fs::read(data_dir.join("instance.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let (http_base, https_base, ca_path) = match &instance {
        Some(i) => (i.http_base.clone(), i.https_base.clone(), i.ca_path.clone()),
        None => (
            format!("http://127.0.0.1:{}", default_listen.port()),
            format!("https://localhost:{}", default_tls_listen.port()),
            data_dir.join("ca.pem"),
        ),
    };
    let ca_der = std::fs::read(&ca_path)
        .ok()
        .and_then(|pem| pem_certificates(&pem).into_iter().next());
    let ports_in_use = if instance.is_none() {
        [default_listen, default_tls_listen]
            .into_iter()
            .map(|a| (a, accepts(a)))
            .collect()
    } else {
        Vec::new()
    };
    let http_health = health(&http_base, None);
    let bundles: Vec<_> = CA_VARIABLES
        .iter()
        .filter_map(|var| env.get(*var).map(|file| (*var, file.clone())))
        .map(|(var, file)| {
            let verdict = match (&ca_der, std::fs::read(&file)) {
                (_, Err(e)) => Err(format!("cannot read the file: {e}")),
                (None, Ok(_)) => Err("the mock's CA is unknown, so trust cannot be checked".into()),
                (Some(ca), Ok(pem)) => Ok(pem_certificates(&pem).iter().any(|c| c == ca)),
            };
            (var.to_owned(), file, verdict)
        })
        .collect();
    let https_health = bundles
        .iter()
        .find(|(_, _, v)| v.is_ok())
        .map(|(var, file, _)| {
            let pem = std::fs::read(file).unwrap_or_default();
            (var.clone(), health(&https_base, Some(&pem)))
        });
    let expected_env = client_env(
        dir,
        EmulatorOrigins {
            http_base: &http_base,
            https_base: &https_base,
            ca_path: &ca_path.display().to_string(),
        },
    );
    Observations {
        data_dir: data_dir.to_owned(),
        instance,
        http_base,
        https_base,
        ca_path,
        ca_der,
        http_health,
        https_health,
        ports_in_use,
        env,
        bundles,
        expected_env,
    }
}

/// The DER of every certificate in a PEM bundle.
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .map(|c| c.as_ref().to_vec())
        .collect()
}

/// Whether something accepts TCP connections on `addr` (a quick local probe).
fn accepts(addr: SocketAddr) -> bool {
    let target = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    TcpStream::connect_timeout(&target, Duration::from_millis(500)).is_ok()
}

/// `GET {base}/_mock/health` over plain HTTP (the container health check).
pub fn probe_health(base: &str) -> Result<u16, String> {
    health(base, None)
}

/// `GET {base}/_mock/health`; with `trust`, over TLS trusting only the certificates of that PEM
/// bundle (so success proves the bundle works, not the system store).
fn health(base: &str, trust: Option<&[u8]>) -> Result<u16, String> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false);
    if let Some(pem) = trust {
        let certs: Vec<Certificate<'static>> = pem_certificates(pem)
            .iter()
            .map(|der| Certificate::from_der(der).to_owned())
            .collect();
        config = config.tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&certs))
                .build(),
        );
    }
    // Resolve first so that an unreachable host reads as such rather than as a TLS error.
    let authority = base.split("://").nth(1).unwrap_or(base);
    if authority
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .is_none()
    {
        return Err(format!("{authority} does not resolve"));
    }
    let agent: ureq::Agent = config.build().into();
    agent
        .get(format!("{base}/_mock/health"))
        .call()
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

/// The report as the terminal shows it; the exit code is non-zero when any check failed.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let tag = match f.severity {
            Severity::Ok => "ok  ",
            Severity::Warn => "warn",
            Severity::Fail => "FAIL",
        };
        out.push_str(&format!("{tag}  {:<8} {}\n", f.check, f.detail));
        if let Some(fix) = &f.fix
            && f.severity != Severity::Ok
        {
            out.push_str(&format!("                fix: {fix}\n"));
        }
    }
    let fails = findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .count();
    let warns = findings
        .iter()
        .filter(|f| f.severity == Severity::Warn)
        .count();
    out.push_str(&format!("{fails} failed, {warns} warnings\n"));
    out
}
