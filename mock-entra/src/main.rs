//! The mock-entra binary: `serve` (the default) and `env`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use entra_core::discovery::{ClientSdk, EmulatorOrigins, client_env, export_lines};
use mock_entra::config::{Config, IssuerModeArg, ScenarioSource, default_data_dir};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

#[derive(Debug, Parser)]
#[command(
    name = "mock-entra",
    version,
    about = "A local Microsoft Entra ID and managed-identity endpoint"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve (the default).
    Serve(ServeArgs),
    /// Print the environment a client needs to reach this instance.
    Env(EnvArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct ServeArgs {
    /// Plain-HTTP listener (IMDS, App Service). Port 0 picks one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// HTTPS listener (the Entra authority). Port 0 picks one.
    #[arg(long, default_value = "127.0.0.1:8443")]
    tls_listen: SocketAddr,
    /// Where the CA, server certificate and signing key live.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A scenario JSON file (default: the embedded seeds scenario).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Persist Graph, consent and scenario changes here.
    #[arg(long)]
    state_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = IssuerModeArg::Entra)]
    issuer_mode: IssuerModeArg,
    /// The playground's dist directory (default: ./dist when present).
    #[arg(long)]
    playground_dir: Option<PathBuf>,
    /// Extra prefix under which the Graph subset answers (graph.microsoft.com-style hosts).
    #[arg(long, default_value = "/graph")]
    graph_prefix: String,
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Sdk {
    Python,
    Node,
    Rust,
    Dotnet,
    Go,
    Shell,
}

#[derive(Debug, Clone, clap::Args)]
struct EnvArgs {
    #[arg(long, value_enum, default_value_t = Sdk::Shell)]
    sdk: Sdk,
    #[command(flatten)]
    serve: ServeArgs,
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "mock_entra=info,tower_http=info".into());
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Text => registry.with(tracing_subscriber::fmt::layer()).init(),
        LogFormat::Json => registry
            .with(tracing_subscriber::fmt::layer().json())
            .init(),
    }
}

fn config_of(args: &ServeArgs) -> Config {
    let playground_dir = args.playground_dir.clone().or_else(|| {
        let d = PathBuf::from("dist");
        d.join("index.html").exists().then_some(d)
    });
    Config {
        listen: args.listen,
        tls_listen: args.tls_listen,
        data_dir: args.data_dir.clone().unwrap_or_else(default_data_dir),
        scenario: args
            .scenario
            .clone()
            .map_or(ScenarioSource::Default, ScenarioSource::File),
        state_file: args.state_file.clone(),
        issuer_mode: args.issuer_mode,
        playground_dir,
        graph_prefix: args.graph_prefix.clone(),
        clock: None,
        ids: None,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    init_tracing(args.log_format);
    let config = config_of(&args);
    let running = mock_entra::MockEntra::start(config.clone()).await?;
    let instance = serde_json::json!({
        "httpBase": running.http_base,
        "httpsBase": running.https_base,
        "caPath": running.ca_pem_path,
        "pid": std::process::id(),
    });
    let instance_file = config.data_dir.join("instance.json");
    let _ = mock_entra::pki::write_atomic(&instance_file, instance.to_string().as_bytes());
    eprintln!("mock-entra: HTTP  {}", running.http_base);
    eprintln!("mock-entra: HTTPS {}", running.https_base);
    eprintln!(
        "mock-entra: CA certificate {}",
        running.ca_pem_path.display()
    );
    eprintln!("mock-entra: `mock-entra env` prints the client environment");
    let handle = running.shutdown_handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        handle.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    running.wait().await;
    let _ = std::fs::remove_file(instance_file);
    Ok(())
}

fn print_env(args: &EnvArgs) -> Result<(), Box<dyn std::error::Error>> {
    let config = config_of(&args.serve);
    let running: Option<serde_json::Value> = std::fs::read(config.data_dir.join("instance.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let get = |k: &str| {
        running
            .as_ref()
            .and_then(|r| r.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let http_base =
        get("httpBase").unwrap_or_else(|| format!("http://127.0.0.1:{}", config.listen.port()));
    let https_base = get("httpsBase")
        .unwrap_or_else(|| format!("https://localhost:{}", config.tls_listen.port()));
    let ca = get("caPath").unwrap_or_else(|| config.data_dir.join("ca.pem").display().to_string());
    let dir = match &config.scenario {
        ScenarioSource::File(p) => mock_entra::config::parse_scenario(&std::fs::read(p)?)?,
        _ => mock_entra::config::parse_scenario(mock_entra::config::DEFAULT_SCENARIO.as_bytes())?,
    };
    let env = client_env(
        &dir,
        EmulatorOrigins {
            http_base: &http_base,
            https_base: &https_base,
            ca_path: &ca,
        },
    );
    let sdk = match args.sdk {
        Sdk::Python => ClientSdk::Python,
        Sdk::Node => ClientSdk::Node,
        Sdk::Rust => ClientSdk::Rust,
        Sdk::Dotnet => ClientSdk::Dotnet,
        Sdk::Go => ClientSdk::Go,
        Sdk::Shell => ClientSdk::Shell,
    };
    let out = export_lines(sdk, &env);
    use std::io::Write as _;
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Env(args)) => print_env(&args),
        Some(Command::Serve(args)) => serve(args).await,
        None => serve(cli.serve).await,
    }
}
