//! `pay-sim`: the T-Bank or YooKassa simulator as a process, for demos and end-to-end tests.
//!
//! Thin on purpose: parse flags, bind, print the API's base address on the first line of
//! stdout (port 0 picks a free port), log to stderr, stop on SIGTERM or Ctrl-C.
//!
//! ```text
//! pay-sim tbank    --listen 127.0.0.1:0 [--terminal-key K --password P] [--sync-refunds]
//! pay-sim yookassa --listen 127.0.0.1:0 [--shop-id S --secret-key K] [--webhook-url URL]
//!     [--auto-pay-after-ms MS]   (demos: a QR is paid by itself after MS)
//! ```

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pay_sim::tbank::TbankSimConfig;
use pay_sim::yookassa::YookassaSimConfig;

#[derive(Debug, Parser)]
#[command(
    name = "pay-sim",
    about = "T-Bank and YooKassa API simulators for the kiosk"
)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, global = true, default_value = "127.0.0.1:0")]
    listen: String,
    /// Demos: every QR is paid by itself this long after it is shown.
    #[arg(long, global = true, value_name = "MS")]
    auto_pay_after_ms: Option<u64>,
    #[command(subcommand)]
    api: Api,
}

#[derive(Debug, Subcommand)]
enum Api {
    /// T-Bank acquiring API v2 (SBP QR), under /v2.
    Tbank {
        #[arg(long, default_value = pay_sim::tbank::DEMO_TERMINAL_KEY)]
        terminal_key: String,
        #[arg(long, env = "PAY_SIM_TBANK_PASSWORD", default_value = pay_sim::tbank::DEMO_PASSWORD)]
        password: String,
        /// Refund SBP payments at once instead of through ASYNC_REFUNDING.
        #[arg(long)]
        sync_refunds: bool,
    },
    /// YooKassa API v3 (SBP with QR confirmation), under /v3.
    Yookassa {
        #[arg(long, default_value = pay_sim::yookassa::DEMO_SHOP_ID)]
        shop_id: String,
        #[arg(long, env = "PAY_SIM_YOOKASSA_SECRET", default_value = pay_sim::yookassa::DEMO_SECRET_KEY)]
        secret_key: String,
        /// Where webhooks go.
        #[arg(long)]
        webhook_url: Option<String>,
    },
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
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
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pay-sim: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pay-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match args.api {
        Api::Tbank {
            terminal_key,
            password,
            sync_refunds,
        } => {
            println!("http://{addr}/v2");
            let _ = std::io::stdout().flush();
            let config = TbankSimConfig {
                terminal_key,
                password,
                async_refunds: !sync_refunds,
                auto_pay_after_ms: args.auto_pay_after_ms,
                ..TbankSimConfig::default()
            };
            pay_sim::tbank::run(listener, config, shutdown_signal()).await
        }
        Api::Yookassa {
            shop_id,
            secret_key,
            webhook_url,
        } => {
            println!("http://{addr}/v3");
            let _ = std::io::stdout().flush();
            let config = YookassaSimConfig {
                shop_id,
                secret_key,
                webhook_url,
                auto_pay_after_ms: args.auto_pay_after_ms,
                ..YookassaSimConfig::default()
            };
            pay_sim::yookassa::run(listener, config, shutdown_signal()).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pay-sim: {e}");
            ExitCode::from(1)
        }
    }
}
