//! `pos-sim`: the simulator as a process, for the kiosk's demo mode and end-to-end tests.
//!
//! Thin on purpose (like mini-redis's `bin/server.rs`): parse flags, bind, print the address on
//! the first line of stdout so a parent process can read it (port 0 picks a free port), log to
//! stderr, and stop cleanly on SIGTERM or SIGINT. Everything else is in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use pos_sim::{MenuFixture, PaymentOutcomeMode, PosKind, SimConfig};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Pos {
    Procart,
    Jupiter,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Payment {
    Approve,
    Decline,
    Cancel,
    Timeout,
}

#[derive(Debug, Parser)]
#[command(
    name = "pos-sim",
    about = "POS gateway and payment simulator for the kiosk"
)]
struct Args {
    /// Which POS to simulate.
    #[arg(long, value_enum, default_value = "procart")]
    pos: Pos,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:11111")]
    listen: String,
    /// The menu. ProCart: a fixture file, or `generated:N` for a synthetic menu of N dishes
    /// (default: the demo restaurant). Jupiter: `demo` (the default, the same restaurant with
    /// pictures), `seed` (the vendor's example), `generated:N`, or a getTT JSON file.
    #[arg(long)]
    menu: Option<String>,
    /// Allowed token (repeatable); default: the vendor's demo token.
    #[arg(long = "token")]
    tokens: Vec<String>,
    /// Artificial latency of /getmenu (the real gateway takes 0.5–2 s).
    #[arg(long, default_value_t = 500)]
    getmenu_latency_ms: u64,
    /// What the simulated payment terminal does.
    #[arg(long, value_enum, default_value = "approve")]
    payment: Payment,
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("signal received, stopping");
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();

    let mut config = SimConfig {
        pos: match args.pos {
            Pos::Procart => PosKind::Procart,
            Pos::Jupiter => PosKind::Jupiter,
        },
        ..SimConfig::default()
    };
    if let (Pos::Jupiter, Some(spec)) = (args.pos, &args.menu) {
        let doc = match spec.strip_prefix("generated:") {
            Some(n) => n
                .parse()
                .map(pos_sim::jupiter::MenuDoc::generated)
                .map_err(|e| format!("{spec}: {e}")),
            None if spec == "demo" => Ok(pos_sim::jupiter::MenuDoc::demo()),
            None if spec == "seed" => Ok(pos_sim::jupiter::MenuDoc::seed()),
            None => pos_sim::jupiter::MenuDoc::load(std::path::Path::new(spec))
                .map_err(|e| e.to_string()),
        };
        match doc {
            Ok(d) => config.jupiter.menu = d,
            Err(e) => {
                eprintln!("pos-sim: {e}");
                return ExitCode::from(2);
            }
        }
    } else if let Some(spec) = &args.menu {
        match MenuFixture::load(spec) {
            Ok(m) => config.procart.menu = m,
            Err(e) => {
                eprintln!("pos-sim: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if !args.tokens.is_empty() {
        config.procart.settings.tokens = args.tokens.clone();
    }
    config.procart.settings.getmenu_latency_ms = args.getmenu_latency_ms;
    config.payment.outcome = match args.payment {
        Payment::Approve => PaymentOutcomeMode::Approve,
        Payment::Decline => PaymentOutcomeMode::Decline,
        Payment::Cancel => PaymentOutcomeMode::Cancel,
        Payment::Timeout => PaymentOutcomeMode::Timeout,
    };

    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pos-sim: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pos-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "http://{addr}");
    let _ = out.flush();

    match pos_sim::run(listener, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pos-sim: {e}");
            ExitCode::from(1)
        }
    }
}
