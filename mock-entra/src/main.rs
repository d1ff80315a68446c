//! The mock-entra binary: `serve` (the default), `env`, `doctor` and `healthcheck`.

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
    about = "A local Microsoft Entra ID and managed-identity endpoint",
    long_about = "A local Microsoft Entra ID, managed-identity endpoint (IMDS, App Service) and set \
of Azure resources, for learning and testing managed identities used as federated identity \
credentials. With no subcommand it serves the embedded default scenario on loopback.",
    after_help = "Point a client at it: eval \"$(mock-entra env)\". Check a shell: mock-entra doctor."
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
    /// Check this shell against an instance: ports, CA trust, environment.
    Doctor(DoctorArgs),
    /// Exit 0 when the instance answers its health check (for container HEALTHCHECKs).
    Healthcheck(HealthcheckArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct ServeArgs {
    /// Plain-HTTP listener (IMDS, App Service, the playground). Port 0 picks one. Loopback
    /// unless asked: a wider address is logged as a warning.
    #[arg(
        long,
        env = "MOCK_ENTRA_LISTEN",
        default_value = "127.0.0.1:8080",
        help_heading = "Listeners"
    )]
    listen: SocketAddr,
    /// HTTPS listener (the Entra authority, Graph, ARM, Storage). Port 0 picks one.
    #[arg(
        long,
        env = "MOCK_ENTRA_TLS_LISTEN",
        default_value = "127.0.0.1:8443",
        help_heading = "Listeners"
    )]
    tls_listen: SocketAddr,
    /// Where the CA, server certificate and signing key live [default: the user's data dir].
    #[arg(long, env = "MOCK_ENTRA_DATA_DIR", help_heading = "Data")]
    data_dir: Option<PathBuf>,
    /// A scenario JSON file (default: the embedded seeds scenario).
    #[arg(long, env = "MOCK_ENTRA_SCENARIO", help_heading = "Data")]
    scenario: Option<PathBuf>,
    /// Persist Graph, consent and scenario changes here.
    #[arg(long, env = "MOCK_ENTRA_STATE_FILE", help_heading = "Data")]
    state_file: Option<PathBuf>,
    /// Issuers tokens carry: Entra's own, or the mock's URL.
    #[arg(long, value_enum, default_value_t = IssuerModeArg::Entra, help_heading = "Protocol")]
    issuer_mode: IssuerModeArg,
    /// Extra prefix under which the Graph subset answers (graph.microsoft.com-style hosts).
    #[arg(long, default_value = "/graph", help_heading = "Protocol")]
    graph_prefix: String,
    /// Throttle IMDS as Azure does (20 token requests/s and 5 concurrent per VM -> 429).
    #[arg(long, help_heading = "Protocol")]
    imds_throttle: bool,
    /// The playground's dist directory [default: ./dist when present, else the playground
    /// built into this binary, if any].
    #[arg(long, env = "MOCK_ENTRA_PLAYGROUND_DIR", help_heading = "Playground")]
    playground_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = LogFormat::Text, help_heading = "Logging")]
    log_format: LogFormat,
}

#[derive(Debug, Clone, clap::Args)]
struct DoctorArgs {
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Clone, clap::Args)]
struct HealthcheckArgs {
    /// The HTTP origin to check.
    #[arg(
        long,
        env = "MOCK_ENTRA_HEALTH_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    url: String,
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

/// A workload platform whose environment `env --workload` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// A GitHub Actions job: the runner's ID-token request pair plus a token file.
    Github,
    /// A pod with AKS workload identity: a projected service-account token file.
    K8s,
}

#[derive(Debug, Clone, clap::Args)]
struct EnvArgs {
    #[arg(long, value_enum, default_value_t = Sdk::Shell)]
    sdk: Sdk,
    /// Print a workload's environment instead (needs a running mock-entra): the token of the
    /// scenario's emulated issuer of that kind is written to a file in the data directory.
    #[arg(long, value_enum)]
    workload: Option<Workload>,
    /// The emulated issuer (its `name` in the scenario); default: the first of the kind.
    #[arg(long, requires = "workload")]
    issuer: Option<String>,
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
        imds_throttle: args.imds_throttle,
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
    let mut config = config_of(&args);
    if config.playground_dir.is_none() {
        match mock_entra::embedded::extract(&config.data_dir) {
            Ok(dir) => config.playground_dir = dir,
            Err(e) => tracing::warn!("could not unpack the built-in playground: {e}"),
        }
    }
    if config.playground_dir.is_none() {
        eprintln!(
            "mock-entra: no playground (this binary has none built in; pass --playground-dir)"
        );
    }
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

/// `env --workload`: asks the running instance for a token of its emulated issuer, writes it to
/// a file and prints the workload's environment (core decides which variables and values).
fn print_workload_env(
    args: &EnvArgs,
    kind: Workload,
    config: &Config,
    http_base: &str,
    https_base: &str,
    ca: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use entra_core::directory::ExternalIssuerKind;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let scenario = agent
        .get(format!("{http_base}/_mock/scenario"))
        .call()
        .map_err(|e| format!("no running mock-entra at {http_base} ({e}); start it first"))?
        .into_body()
        .read_to_vec()?;
    let dir = mock_entra::config::parse_scenario(&scenario)?;
    let wanted = match kind {
        Workload::Github => ExternalIssuerKind::GitHubActions,
        Workload::K8s => ExternalIssuerKind::Kubernetes,
    };
    let issuer = dir
        .external_issuers
        .iter()
        .find(|i| {
            i.kind == wanted
                && args
                    .issuer
                    .as_deref()
                    .is_none_or(|n| i.name.eq_ignore_ascii_case(n))
        })
        .ok_or("the scenario has no emulated issuer of that kind")?;
    let answer: serde_json::Value = serde_json::from_slice(
        &agent
            .post(format!("{http_base}/_mock/issuers/{}/token", issuer.name))
            .header("content-type", "application/json")
            .send(r#"{"audience":"api://AzureADTokenExchange"}"#)?
            .into_body()
            .read_to_vec()?,
    )?;
    let token = answer["token"].as_str().ok_or("the mock minted no token")?;
    let subject = answer["subject"].as_str().unwrap_or_default();
    let file = config
        .data_dir
        .join(format!("workload-{}.jwt", issuer.name));
    std::fs::write(&file, token)?;
    let mut env = entra_core::issuers::workload_env(
        &dir,
        issuer,
        subject,
        &file.display().to_string(),
        http_base,
        https_base,
    );
    for k in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
        env.push((k, ca.to_owned()));
    }
    let out = export_lines(ClientSdk::Shell, &env);
    use std::io::Write as _;
    std::io::stdout().write_all(out.as_bytes())?;
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
    if let Some(kind) = args.workload {
        return print_workload_env(args, kind, &config, &http_base, &https_base, &ca);
    }
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

fn doctor(args: &DoctorArgs) -> Result<std::process::ExitCode, String> {
    let config = config_of(&args.serve);
    let scenario = match &config.scenario {
        ScenarioSource::File(p) => std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
        _ => mock_entra::config::DEFAULT_SCENARIO.as_bytes().to_vec(),
    };
    let dir = mock_entra::config::parse_scenario(&scenario).map_err(|e| e.to_string())?;
    let observed = mock_entra::doctor::gather(
        &config.data_dir,
        config.listen,
        config.tls_listen,
        &dir,
        std::env::vars().collect(),
    );
    let findings = mock_entra::doctor::assess(&observed);
    print!("{}", mock_entra::doctor::render(&findings));
    let failed = findings
        .iter()
        .any(|f| f.severity == mock_entra::doctor::Severity::Fail);
    Ok(if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

fn healthcheck(args: &HealthcheckArgs) -> std::process::ExitCode {
    match mock_entra::doctor::probe_health(&args.url) {
        Ok(200) => std::process::ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!(
                "mock-entra healthcheck: {}/_mock/health answered {status}",
                args.url
            );
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("mock-entra healthcheck: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Env(args)) => print_env(&args).map(|()| std::process::ExitCode::SUCCESS),
        Some(Command::Doctor(args)) => tokio::task::spawn_blocking(move || doctor(&args))
            .await
            .map_err(|e| e.to_string())?
            .map_err(Into::into),
        Some(Command::Healthcheck(args)) => {
            Ok(tokio::task::spawn_blocking(move || healthcheck(&args)).await?)
        }
        Some(Command::Serve(args)) => serve(args).await.map(|()| std::process::ExitCode::SUCCESS),
        None => serve(cli.serve)
            .await
            .map(|()| std::process::ExitCode::SUCCESS),
    }
}
