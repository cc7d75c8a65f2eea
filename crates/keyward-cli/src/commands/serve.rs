use std::net::SocketAddr;
use std::process::ExitCode;

use keyward_core::store::Backend;
use keyward_core::Keyward;

use crate::failure::{Failure, Result};
use keyward_gateway::{serve_with, Gateway, GatewayConfig};

use crate::cli::ServeArgs;

pub async fn run(keyward: Keyward, args: ServeArgs) -> Result<ExitCode> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KEYWARD_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let addr = SocketAddr::new(args.bind, args.port);
    if !args.bind.is_loopback() {
        eprintln!("warning: listening on {addr}: other machines can reach this gateway. Use --bind 127.0.0.1 to keep it local.");
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|err| match err.kind() {
        std::io::ErrorKind::AddrInUse => {
            Failure::Conflict(format!("port {} is in use: pick another with --port", args.port))
        }
        _ => Failure::Failed(format!("cannot listen on {addr}: {err}")),
    })?;
    let config = GatewayConfig {
        upstream: args.upstream.clone(),
        retention_days: args.retention_days,
        call_log_queue: args.call_log_queue,
        failures_per_ip_per_minute: args.failed_attempts_per_minute,
        failed_sign_ins_per_ip_per_minute: args.failed_sign_ins_per_minute,
        // The embedded file is this process's own; a team database can be out of reach.
        max_staleness: (keyward.backend() == Backend::Postgres)
            .then(|| std::time::Duration::from_secs_f64(args.max_staleness)),
        ..GatewayConfig::default()
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(keyward_gateway::tls::acceptor(cert, key).map_err(Failure::Usage)?),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let running = Gateway::start(keyward, config).await?;
    let bound = listener.local_addr().map_err(|err| Failure::Failed(err.to_string()))?;
    let database = running.gateway.keyward.database().redacted();
    match &args.upstream {
        Some(upstream) => eprintln!("Keyward gateway on {scheme}://{bound} ({database}): proxying to {upstream} for valid keys; POST /v1/keys/verify to check a key"),
        None => eprintln!("Keyward gateway on {scheme}://{bound} ({database}): POST /v1/keys/verify to check a key"),
    }
    if running.gateway.keyward.backend() == Backend::Postgres {
        announce_team(&running.gateway.keyward, scheme, bound).await?;
        super::reminder_mail::start(running.gateway.keyward.clone());
    }
    let unsaved = serve_with(listener, running, tls, shutdown_signal())
        .await
        .map_err(|err| Failure::Failed(format!("the gateway stopped: {err}")))?;
    if unsaved.served > 0 {
        return Err(Failure::Failed(format!(
            "the gateway stopped, but {} call(s) it answered could not be written to the database \
             ({} rows dropped; the errors above say why, e.g. a full disk): the call log misses them",
            unsaved.served, unsaved.dropped
        )));
    }
    eprintln!("Keyward gateway stopped; the call log is flushed.");
    Ok(ExitCode::SUCCESS)
}

/// The team API's address, and on a team with no one in it yet, a setup code for its first owner
/// (an operator starting the server has the database access `keyward team setup-code` needs).
async fn announce_team(keyward: &Keyward, scheme: &str, bound: SocketAddr) -> Result<()> {
    eprintln!("Team API on {scheme}://{bound}/v1/team/ (people sign in with enrolled devices)");
    if keyward.team_is_empty().await? {
        let operator = keyward_core::Actor::new(format!("keyward-serve@{}", keyward_core::paths::machine_name()));
        let code = keyward.create_setup_code(&operator, chrono::Utc::now()).await?;
        eprintln!(
            "No one is in this team yet. First owner, on your device: keyward team join https://SERVER --code {} --name NAME (single use, valid until {})",
            code.code, code.expires_at
        );
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
