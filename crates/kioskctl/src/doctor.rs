//! `kioskctl doctor` and `kioskctl secret`: the installer's checks from a terminal.
//!
//! Unlike the other commands they work from the kiosk's settings file rather than from
//! `--pos`/`--url`, so they have their own small parser and are dispatched before the main one.
//!
//! - `doctor` runs every check the service screen runs (settings, keyring, POS reachability and
//!   health, menu pre-flight, payment provider, journal health and backlog, disk space, data
//!   folder), prints each with OK/WARN/FAIL and the fix, and exits 1 when one failed.
//! - `secret set NAME` stores a secret read from stdin in the OS keyring (so it never appears
//!   in the shell history or the process list); `secret check` says which the settings need and
//!   whether each is there, without printing any.

use std::io::Read;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kiosk_core::view::{CheckLine, CheckStatus};
use kiosk_engine::config::{default_config_path, KioskConfig};
use kiosk_engine::secrets::{KeyringSecrets, MemorySecrets, SecretStore};
use serde_json::json;

#[derive(Parser, Debug)]
#[command(
    name = "kioskctl doctor",
    about = "Checks a kiosk installation; exits 1 when something must be fixed"
)]
struct DoctorArgs {
    /// The settings file (default: $KIOSK_CONFIG, /etc/kiosk/kiosk.toml, ~/.config/kiosk/kiosk.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The data folder, when not the one the settings name.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Read the POS token / server id from this environment variable instead of the keyring.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Jupiter: read the kiosk user's password from this environment variable.
    #[arg(long, value_name = "VAR")]
    user_env: Option<String>,
    /// Print one JSON document: `{ok, settings, checks: [{id, label, status, detail, fix}]}`.
    #[arg(long)]
    json: bool,
}

#[derive(Parser, Debug)]
#[command(
    name = "kioskctl secret",
    about = "The kiosk's secrets in the OS keyring"
)]
struct SecretArgs {
    #[command(subcommand)]
    command: SecretCommand,
}

#[derive(Subcommand, Debug)]
enum SecretCommand {
    /// Stores the value read from stdin under NAME (e.g. pos-token, pos-user).
    Set { name: String },
    /// Says which secrets the settings need and whether the keyring has each.
    Check {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// Runs `doctor` or `secret` when the command line names one; `None` for every other command.
pub fn dispatch() -> Option<i32> {
    let args: Vec<String> = std::env::args().collect();
    let rest = || args.iter().skip(1).cloned();
    match args.get(1).map(String::as_str) {
        Some("doctor") => Some(doctor(DoctorArgs::parse_from(
            std::iter::once("kioskctl doctor".to_string()).chain(rest().skip(1)),
        ))),
        Some("secret") => Some(secret(SecretArgs::parse_from(
            std::iter::once("kioskctl secret".to_string()).chain(rest().skip(1)),
        ))),
        _ => None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn doctor(args: DoctorArgs) -> i32 {
    let path = args.config.clone().unwrap_or_else(default_config_path);
    let config = KioskConfig::load(&path).ok();
    let (token, user) = config
        .as_ref()
        .map(|c| (c.pos.secret.clone(), c.pos.user_secret.clone()))
        .unwrap_or_else(|| ("pos-token".into(), "pos-user".into()));
    let keyring = KeyringSecrets::new();
    let from_env = args.token_env.is_some() || args.user_env.is_some();
    let memory = MemorySecrets::default();
    for (var, name) in [(&args.token_env, &token), (&args.user_env, &user)] {
        if let Some(var) = var {
            match std::env::var(var) {
                Ok(v) => {
                    let _ = memory.set(name, &v);
                }
                Err(_) => {
                    eprintln!("kioskctl doctor: the environment variable {var} is not set");
                    return 2;
                }
            }
        }
    }
    let (secrets, probe): (&dyn SecretStore, Option<&KeyringSecrets>) = if from_env {
        (&memory, None)
    } else {
        (&keyring, Some(&keyring))
    };
    let report = runtime().block_on(kiosk_engine::diagnostics::doctor(
        &path,
        secrets,
        probe,
        args.data_dir.clone(),
    ));
    if args.json {
        println!(
            "{}",
            json!({
                "ok": report.ok(),
                "settings": path.display().to_string(),
                "data_dir": report.data_dir.display().to_string(),
                "checks": report.checks,
            })
        );
    } else {
        println!("{}", render(&path, &report.checks));
    }
    if report.ok() {
        0
    } else {
        1
    }
}

/// The human-readable report: one line per check, the fix under each one that is not OK.
pub fn render(settings: &std::path::Path, checks: &[CheckLine]) -> String {
    let mut out = format!("kioskctl doctor: {}\n", settings.display());
    let width = checks.iter().map(|c| c.label.len()).max().unwrap_or(10);
    for c in checks {
        let tag = match c.status {
            CheckStatus::Ok => "OK  ",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skipped => "SKIP",
        };
        // A multi-line detail (several settings problems) stays aligned under its check.
        let detail = c
            .detail
            .replace('\n', &format!("\n{:w$}", "", w = width + 9));
        out.push_str(&format!("  {tag}  {:<width$}  {detail}\n", c.label));
        if let Some(fix) = &c.fix {
            out.push_str(&format!("        {:<width$}  fix: {fix}\n", ""));
        }
    }
    let failed = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .count();
    let warned = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Warn)
        .count();
    out.push_str(&match (failed, warned) {
        (0, 0) => "all checks passed".to_string(),
        (0, w) => format!("no failures, {w} warning(s)"),
        (f, w) => format!("{f} check(s) FAILED, {w} warning(s)"),
    });
    out
}

fn secret(args: SecretArgs) -> i32 {
    let store = KeyringSecrets::new();
    match args.command {
        SecretCommand::Set { name } => {
            let mut value = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut value) {
                eprintln!("kioskctl secret: cannot read the value from stdin: {e}");
                return 2;
            }
            // `echo VALUE |` adds a line break that is not part of the secret.
            let value = value.trim_end_matches(['\n', '\r']);
            match store.set(&name, value) {
                Ok(()) => {
                    println!("stored {name:?} in the OS keyring");
                    0
                }
                Err(e) => {
                    eprintln!("kioskctl secret: {e}");
                    1
                }
            }
        }
        SecretCommand::Check { config } => {
            let path = config.unwrap_or_else(default_config_path);
            let config = match KioskConfig::load(&path) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("kioskctl secret: {e}");
                    return 1;
                }
            };
            let lines = kiosk_engine::diagnostics::check_secrets(&config, &store, Some(&store));
            println!("{}", render(&path, &lines));
            if lines.iter().any(CheckLine::failed) {
                1
            } else {
                0
            }
        }
    }
}
