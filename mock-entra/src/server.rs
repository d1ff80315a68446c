//! Starting and stopping an instance: key material, the directory, two listeners (HTTP and
//! HTTPS) serving the same router, graceful shutdown.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use entra_core::directory::Directory;
use entra_core::engine::{Engine, EngineConfig};
use entra_core::keys::KeySet;
use tower::Layer as _;

type Incoming = http::Request<hyper::body::Incoming>;

use crate::config::{Config, DEFAULT_SCENARIO, ScenarioSource, parse_scenario};
use crate::normalize::NormalizeLayer;
use crate::persist::StateWriter;
use crate::pki::{self, TlsMaterial};
use crate::state::{AppState, RandomIds, Scheme, SystemClock};

/// Why an instance could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

fn fail(context: &str) -> impl FnOnce(String) -> StartError + '_ {
    move |e| StartError(format!("{context}: {e}"))
}

/// Entry point for the binary and for Rust tests.
#[derive(Debug)]
pub struct MockEntra;

/// A running instance. Dropping it shuts the listeners down at once; [`Running::stop`] shuts
/// down gracefully and flushes the state file.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT` (IMDS, App Service).
    pub http_base: String,
    /// `https://localhost:PORT` (the Entra authority).
    pub https_base: String,
    pub http_addr: SocketAddr,
    pub https_addr: SocketAddr,
    pub ca_pem_path: PathBuf,
    pub ca_pem: Vec<u8>,
    pub state: AppState,
    handle: Handle,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn load_start_scenario(source: &ScenarioSource) -> Result<Directory, StartError> {
    match source {
        ScenarioSource::Default => parse_scenario(DEFAULT_SCENARIO.as_bytes())
            .map_err(|e| fail("embedded scenario")(e.to_string())),
        ScenarioSource::File(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| fail(&path.display().to_string())(e.to_string()))?;
            parse_scenario(&bytes).map_err(|e| StartError(format!("{}: {e}", path.display())))
        }
        ScenarioSource::Inline(dir) => Ok((**dir).clone()),
    }
}

fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    let listener = TcpListener::bind(addr).map_err(|e| StartError(format!("bind {addr}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| StartError(format!("bind {addr}: {e}")))?;
    if crate::limits::beyond_loopback(addr) {
        tracing::warn!(
            %addr,
            "LISTENING BEYOND LOOPBACK: anyone who can reach {addr} can obtain tokens from this mock. \
             The control API still refuses non-loopback callers."
        );
    }
    Ok(listener)
}

/// hyper's hard header caps on both protocols (the shaped 431 of `limits` answers below them).
fn bound_headers(b: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    b.http1()
        .max_headers(crate::limits::HYPER_MAX_HEADERS)
        .max_buf_size(crate::limits::HYPER_MAX_BUF);
    b.http2()
        .max_header_list_size(crate::limits::HYPER_MAX_BUF as u32);
}

fn origin_host(addr: SocketAddr, name_for_loopback: &str) -> String {
    let ip = addr.ip();
    if ip.is_unspecified() || ip.is_loopback() {
        format!("{name_for_loopback}:{}", addr.port())
    } else if ip.is_ipv6() {
        format!("[{ip}]:{}", addr.port())
    } else {
        format!("{ip}:{}", addr.port())
    }
}

fn rustls_config(tls: &TlsMaterial) -> Result<RustlsConfig, StartError> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&tls.server_cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| fail("server certificate")(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(&tls.server_key_pem)
        .map_err(|e| fail("server key")(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("TLS")(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| fail("TLS")(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

impl MockEntra {
    /// Prepares key material (generated on first start, off the async threads), loads the
    /// directory, binds both listeners and serves until stopped.
    pub async fn start(config: Config) -> Result<Running, StartError> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| fail(&data_dir.display().to_string())(e.to_string()))?;
        let dir = data_dir.clone();
        let (tls, signing) = tokio::task::spawn_blocking(move || {
            Ok::<_, pki::PkiError>((
                pki::load_or_create_tls(&dir)?,
                pki::load_or_create_signing_key(&dir)?,
            ))
        })
        .await
        .map_err(|e| fail("key material")(e.to_string()))?
        .map_err(|e| fail("key material")(e.0))?;

        let start = load_start_scenario(&config.scenario)?;
        let (live, writer) = match &config.state_file {
            Some(path) => {
                let saved = crate::persist::load(path).map_err(StartError)?;
                (
                    saved.unwrap_or_else(|| start.clone()),
                    Some(StateWriter::spawn(path.clone())),
                )
            }
            None => (start.clone(), None),
        };

        let engine = Engine::new(
            EngineConfig {
                issuers: config.issuer_mode.into(),
                graph_prefix: config.graph_prefix.clone(),
                imds_throttle: config.imds_throttle,
            },
            start,
            live,
            KeySet::new(signing.signer, signing.published)
                .with_verifier(Arc::new(crate::signer::NativeVerifier)),
        );
        let state = AppState::new(
            engine,
            config
                .clock
                .clone()
                .unwrap_or_else(|| Arc::new(SystemClock)),
            config.ids.clone().unwrap_or_else(|| Arc::new(RandomIds)),
            data_dir,
            writer,
            config.playground_dir.clone(),
        );
        crate::shell::ensure_issuer_keys(&state).await;

        let http = bind(config.listen)?;
        let https = bind(config.tls_listen)?;
        let http_addr = http
            .local_addr()
            .map_err(|e| fail("listener")(e.to_string()))?;
        let https_addr = https
            .local_addr()
            .map_err(|e| fail("listener")(e.to_string()))?;
        let http_base = format!("http://{}", origin_host(http_addr, "127.0.0.1"));
        let https_base = format!("https://{}", origin_host(https_addr, "localhost"));
        state.engine().set_https_base(https_base.clone());

        let router = crate::app(state.clone());
        let handle = Handle::new();
        let http_svc = NormalizeLayer(Scheme::Http).layer(router.clone());
        let https_svc = NormalizeLayer(Scheme::Https).layer(router);
        let tls_config = rustls_config(&tls)?;

        let h = handle.clone();
        let http_task = tokio::spawn(async move {
            let mut server = axum_server::from_tcp(http).handle(h);
            bound_headers(server.http_builder());
            if let Err(e) = server
                .serve(
                    axum::ServiceExt::<Incoming>::into_make_service_with_connect_info::<SocketAddr>(
                        http_svc,
                    ),
                )
                .await
            {
                tracing::error!(error = %e, "HTTP listener failed");
            }
        });
        let h = handle.clone();
        let https_task = tokio::spawn(async move {
            let mut server = axum_server::from_tcp_rustls(https, tls_config).handle(h);
            bound_headers(server.http_builder());
            if let Err(e) = server
                .serve(
                    axum::ServiceExt::<Incoming>::into_make_service_with_connect_info::<SocketAddr>(
                        https_svc,
                    ),
                )
                .await
            {
                tracing::error!(error = %e, "HTTPS listener failed");
            }
        });

        tracing::info!(%http_base, %https_base, ca = %tls.ca_pem_path.display(), "mock-entra listening");
        Ok(Running {
            http_base,
            https_base,
            http_addr,
            https_addr,
            ca_pem_path: tls.ca_pem_path.clone(),
            ca_pem: tls.ca_pem.clone(),
            state,
            handle,
            tasks: vec![http_task, https_task],
        })
    }
}

impl Running {
    /// Graceful shutdown: stop accepting, let in-flight requests finish (up to 5 s), flush the
    /// state file.
    pub async fn stop(mut self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
        self.state.flush().await;
    }

    /// Waits until the listeners stop (after `shutdown_handle().graceful_shutdown`).
    pub async fn wait(mut self) {
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
        self.state.flush().await;
    }

    /// A handle that can trigger shutdown from elsewhere (signal handlers).
    pub fn shutdown_handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.tasks.is_empty() {
            self.handle.shutdown();
        }
    }
}
