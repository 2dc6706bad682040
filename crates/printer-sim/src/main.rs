//! `printer-sim`: the simulated receipt printer as a process, for the demo and end-to-end runs.
//!
//! Thin on purpose, like `pos-sim`: parse flags, bind, print the printer's address on the first
//! line of stdout (`127.0.0.1:PORT`, what the kiosk's `[printer] connection` takes) and the admin
//! API's URL on the second, log to stderr, stop cleanly on SIGTERM or SIGINT.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use printer_sim::{Mode, Paper, SimConfig};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Width {
    #[value(name = "58")]
    Mm58,
    #[value(name = "80")]
    Mm80,
}

#[derive(Debug, Parser)]
#[command(name = "printer-sim", about = "A simulated ESC/POS receipt printer")]
struct Args {
    /// Address of the printer port; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: String,
    /// Address of the HTTP admin API; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    admin: String,
    /// Paper width in millimetres.
    #[arg(long, value_enum, default_value = "80")]
    paper: Width,
    /// The printer's state at start.
    #[arg(long, value_enum, default_value = "ready")]
    mode: Mode,
    /// Delay before every status reply (a slow printer).
    #[arg(long, default_value_t = 0)]
    reply_delay_ms: u64,
    /// Write each slip there as slip-NNN.png and slip-NNN.txt.
    #[arg(long)]
    png_dir: Option<PathBuf>,
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
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("printer-sim: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn serve(args: Args) -> anyhow::Result<()> {
    use anyhow::Context;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let admin = tokio::net::TcpListener::bind(&args.admin)
        .await
        .with_context(|| format!("cannot listen on {}", args.admin))?;
    let mut out = std::io::stdout();
    writeln!(out, "{}", listener.local_addr()?)?;
    writeln!(out, "http://{}", admin.local_addr()?)?;
    out.flush()?;
    let config = SimConfig {
        paper: match args.paper {
            Width::Mm58 => Paper::Mm58,
            Width::Mm80 => Paper::Mm80,
        },
        mode: args.mode,
        reply_delay: Duration::from_millis(args.reply_delay_ms),
        png_dir: args.png_dir,
    };
    printer_sim::run(listener, Some(admin), config, shutdown_signal()).await?;
    Ok(())
}
