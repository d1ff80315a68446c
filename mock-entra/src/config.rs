//! Configuration of one mock-entra instance (filled by the CLI or by tests).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use entra_core::directory::Directory;

use crate::state::{Clock, IdSource};

/// Which issuers tokens and discovery documents carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IssuerModeArg {
    /// Entra-exact issuers (`https://login.microsoftonline.com/{tid}/v2.0`, `https://sts.windows.net/{tid}/`).
    #[default]
    Entra,
    /// Issuers on the mock's own URL, for validators that require issuer == discovery URL.
    Mock,
}

/// The scenario embedded in the binary (reproduces the seeds).
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.json");

/// Where the directory comes from at start.
#[derive(Debug, Clone)]
pub enum ScenarioSource {
    /// The embedded default scenario.
    Default,
    /// A scenario JSON file.
    File(PathBuf),
    /// An already-parsed directory (tests).
    Inline(Box<Directory>),
}

/// Everything needed to start an instance.
#[derive(Clone)]
pub struct Config {
    /// The plain-HTTP listener (IMDS and App Service are plain HTTP in Azure).
    pub listen: SocketAddr,
    /// The HTTPS listener (SDKs insist on an https authority).
    pub tls_listen: SocketAddr,
    /// Where the CA, the server certificate and the signing key live.
    pub data_dir: PathBuf,
    pub scenario: ScenarioSource,
    /// Persist Graph, consent and scenario changes here; loaded at start when it exists.
    pub state_file: Option<PathBuf>,
    pub issuer_mode: IssuerModeArg,
    /// The playground's built `dist/` directory, served at `/`.
    pub playground_dir: Option<PathBuf>,
    /// Extra path prefix under which the Graph subset is reachable (e.g. `/graph`), besides `/v1.0`.
    pub graph_prefix: String,
    /// IMDS's documented throttle (20 identity requests/s and 5 concurrent per VM, 5/s for
    /// instance metadata), answering 429 beyond it. Off by default: a test suite hammering the
    /// mock should not be throttled unless it asks to be.
    pub imds_throttle: bool,
    pub clock: Option<Arc<dyn Clock>>,
    pub ids: Option<Arc<dyn IdSource>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("tls_listen", &self.tls_listen)
            .field("data_dir", &self.data_dir)
            .field("scenario", &self.scenario)
            .field("state_file", &self.state_file)
            .field("issuer_mode", &self.issuer_mode)
            .field("playground_dir", &self.playground_dir)
            .field("graph_prefix", &self.graph_prefix)
            .field("imds_throttle", &self.imds_throttle)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Loopback, random ports, the embedded scenario: what Rust tests want.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            scenario: ScenarioSource::Default,
            state_file: None,
            issuer_mode: IssuerModeArg::Entra,
            playground_dir: None,
            graph_prefix: "/graph".to_owned(),
            imds_throttle: false,
            clock: None,
            ids: None,
        }
    }
}

/// The default data directory: `$XDG_DATA_HOME/mock-entra` (or `~/.local/share/mock-entra`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("mock-entra")
}

pub use entra_core::engine::{parse_scenario, render_scenario};

impl From<IssuerModeArg> for entra_core::engine::IssuerChoice {
    fn from(m: IssuerModeArg) -> Self {
        match m {
            IssuerModeArg::Entra => entra_core::engine::IssuerChoice::Entra,
            IssuerModeArg::Mock => entra_core::engine::IssuerChoice::Mock,
        }
    }
}
