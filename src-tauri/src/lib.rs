//! The kiosk's Tauri shell: starts the engine, exposes its commands, forwards its events, and
//! serves menu pictures through the `kiosk://` scheme. All logic lives in `kiosk-engine`.
//!
//! Start-up modes:
//! - `--demo`: starts the built-in POS simulator (a realistic restaurant) in-process and runs
//!   against it, with the simulated card terminal. This is what `make run` shows.
//! - `--config FILE`: a real installation. The POS token comes from the OS keyring (or from the
//!   environment variable named by `--token-env`, for tests and service managers). Without
//!   `--config` the settings are read from the default place (`default_config_path`); when there
//!   are none yet, the UI shows the set-up wizard (`service.rs`).
//!
//! Logs go to `DATA_DIR/logs/kiosk.log` (JSON lines, rotated by size) and to stderr.

mod commands;
mod demo_payment;
mod lockdown;
mod scheme;
mod service;
mod staff;
mod webview;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use kiosk_engine::config::AppMode;
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::{KeyringSecrets, MemorySecrets, SecretStore};
use kiosk_engine::KioskConfig;
use tauri::{Emitter, Manager};

#[derive(Parser, Debug)]
#[command(name = "kiosk-app", version, about = "Self-order kiosk")]
struct Args {
    /// Run against the built-in POS simulator with a demo restaurant.
    #[arg(long)]
    demo: bool,
    /// Which POS the demo simulates.
    #[arg(long, value_enum, default_value = "procart")]
    demo_pos: DemoPos,
    /// How the demo takes payment: the POS simulator's terminal, or a real provider against
    /// its simulator (the sb_pilot card terminal, T-Bank or YooKassa SBP QR).
    #[arg(long, value_enum, default_value = "simulator")]
    demo_payment: demo_payment::DemoPayment,
    /// Read the keyring entry ENTRY from the environment variable VAR instead (payment keys
    /// for tests and service managers), e.g. `tbank-password=TBANK_PASSWORD`. Repeatable.
    #[arg(long, value_name = "ENTRY=VAR")]
    secret_env: Vec<String>,
    /// The settings file of a real installation.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Read the POS token (ProCart) or server id (Jupiter) from this environment variable
    /// instead of the keyring.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Jupiter: read the kiosk user's password from this environment variable.
    #[arg(long, value_name = "VAR")]
    user_env: Option<String>,
    /// Where the journal, menu snapshot and picture cache live (demo mode).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// What this device is, overriding `[kiosk] mode` of the settings: the customer's kiosk,
    /// a staff tablet, or an order board.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ModeArg {
    Customer,
    Staff,
    Board,
}

impl From<ModeArg> for AppMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Customer => AppMode::Customer,
            ModeArg::Staff => AppMode::Staff,
            ModeArg::Board => AppMode::Board,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DemoPos {
    Procart,
    Jupiter,
}

/// What the commands work with. `engine` is `Err` when the kiosk cannot start; the UI then shows
/// the reason instead of a menu.
pub struct AppState {
    pub engine: Result<Arc<Engine>, String>,
    pub demo: bool,
    /// What this device is (also in `app_info` when the engine could not start).
    pub mode: AppMode,
    /// Keeps the demo's simulator running for the life of the app.
    _sim: Option<pos_sim::SimServer>,
}

fn start(args: &Args) -> (Result<Arc<Engine>, String>, Option<pos_sim::SimServer>) {
    tauri::async_runtime::block_on(async {
        if args.demo {
            let sim_config = pos_sim::SimConfig {
                pos: match args.demo_pos {
                    DemoPos::Procart => pos_sim::PosKind::Procart,
                    DemoPos::Jupiter => pos_sim::PosKind::Jupiter,
                },
                ..pos_sim::SimConfig::default()
            };
            let sim = match pos_sim::spawn(sim_config).await {
                Ok(s) => s,
                Err(e) => {
                    return (
                        Err(format!("the demo POS simulator did not start: {e}")),
                        None,
                    )
                }
            };
            tracing::info!(url = %sim.url(), "demo: built-in POS simulator running");
            let data_dir = args
                .data_dir
                .clone()
                .unwrap_or_else(|| kiosk_engine::engine::default_data_dir().join("demo"));
            let (mut config, secrets) = match args.demo_pos {
                DemoPos::Procart => {
                    let c = KioskConfig::demo(&sim.url(), data_dir);
                    let s = MemorySecrets::with(&c.pos.secret, pos_sim::DEMO_TOKEN);
                    (c, s)
                }
                DemoPos::Jupiter => {
                    let c = KioskConfig::demo_jupiter(&sim.url(), data_dir.join("jupiter"));
                    let s = MemorySecrets::with(&c.pos.secret, pos_sim::jupiter::SERVER_ID);
                    let _ = s.set(&c.pos.user_secret, pos_sim::jupiter::KIOSK_PASSWORD);
                    (c, s)
                }
            };
            if let Some(mode) = args.mode {
                config.kiosk.mode = mode.into();
            }
            config.printer = demo_printer(&config).await;
            let pay_dir = config.kiosk.data_dir.clone().unwrap_or_default();
            if let Err(e) =
                demo_payment::setup(args.demo_payment, &mut config, &secrets, &pay_dir).await
            {
                return (Err(e), Some(sim));
            }
            let engine = Engine::from_config(config, &secrets, Timings::default())
                .map_err(|e| e.to_string());
            if let Ok(e) = &engine {
                e.start_background();
                staff::prepare(e, &secrets, true);
            }
            return (engine, Some(sim));
        }
        let path = &settings_path(args);
        if !path.exists() {
            return (
                Err(format!(
                    "no settings yet ({} does not exist): run the set-up wizard, or start with --demo to try the kiosk",
                    path.display()
                )),
                None,
            );
        }
        let mut config = match KioskConfig::load(path) {
            Ok(c) => c,
            Err(e) => return (Err(e.to_string()), None),
        };
        if let Some(dir) = &args.data_dir {
            config.kiosk.data_dir = Some(dir.clone());
        }
        if let Some(mode) = args.mode {
            config.kiosk.mode = mode.into();
        }
        let from_env =
            args.token_env.is_some() || args.user_env.is_some() || !args.secret_env.is_empty();
        let secrets: Box<dyn SecretStore> = if !from_env {
            Box::new(KeyringSecrets::new())
        } else {
            let store = MemorySecrets::default();
            for (var, name) in [
                (&args.token_env, &config.pos.secret),
                (&args.user_env, &config.pos.user_secret),
            ] {
                if let Some(var) = var {
                    match std::env::var(var) {
                        Ok(v) => {
                            let _ = store.set(name, &v);
                        }
                        Err(_) => {
                            return (
                                Err(format!("the environment variable {var} is not set")),
                                None,
                            )
                        }
                    }
                }
            }
            for pair in &args.secret_env {
                let Some((name, var)) = pair.split_once('=') else {
                    return (
                        Err(format!("--secret-env wants ENTRY=VAR, got {pair:?}")),
                        None,
                    );
                };
                match std::env::var(var) {
                    Ok(v) => {
                        kiosk_engine::logs::redact(&v);
                        let _ = store.set(name, &v);
                    }
                    Err(_) => {
                        return (
                            Err(format!("the environment variable {var} is not set")),
                            None,
                        )
                    }
                }
            }
            Box::new(store)
        };
        redact_secrets(&config, secrets.as_ref());
        let engine = Engine::from_config(config, secrets.as_ref(), Timings::default())
            .map_err(|e| e.to_string());
        if let Ok(e) = &engine {
            redact_callback_secret(e);
            e.start_background();
            staff::prepare(e, secrets.as_ref(), false);
        }
        (engine, None)
    })
}

/// The demo's receipt printer, alive for the life of the process.
static DEMO_PRINTER: std::sync::OnceLock<printer_sim::SimServer> = std::sync::OnceLock::new();

/// Starts the simulated receipt printer for the demo: slips are printed to it and each is
/// written as a picture to `DATA_DIR/slips/slip-NNN.png`; its admin API (logged) switches
/// faults such as paper out. `None` (no printer) when it cannot start.
async fn demo_printer(config: &KioskConfig) -> Option<kiosk_engine::config::PrinterSection> {
    let dir = config.kiosk.data_dir.clone()?.join("slips");
    // Pictures need the DejaVu fonts; without them the printer still prints (and records).
    let png_dir = match printer_sim::Fonts::load_default() {
        Ok(_) => Some(dir.clone()),
        Err(e) => {
            tracing::warn!(error = %e, "demo: no fonts for slip pictures");
            None
        }
    };
    let sim = printer_sim::spawn(printer_sim::SimConfig {
        png_dir,
        ..Default::default()
    })
    .await;
    let sim = match sim {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "demo: the receipt printer simulator did not start");
            return None;
        }
    };
    tracing::info!(
        printer = %sim.address(),
        admin = %sim.admin_url(),
        slips = %dir.display(),
        "demo: simulated receipt printer running"
    );
    let mut section = kiosk_engine::config::PrinterSection::tcp(sim.address());
    // The demo restaurant has no status page of its own: the QR code shows where it goes.
    section.status_url = Some("https://status.example.ru/o/{order_id}".into());
    // The demo lets the guest go on without a slip, so both sides of the printer dialog show.
    section.when_cannot_print = kiosk_engine::config::PrinterPolicy::ContinueWithoutSlip;
    let _ = DEMO_PRINTER.set(sim);
    Some(section)
}

/// The settings file of this run.
fn settings_path(args: &Args) -> PathBuf {
    args.config
        .clone()
        .unwrap_or_else(kiosk_engine::config::default_config_path)
}

/// The data folder of this run: the journal, the menu snapshot, pictures, logs, the PIN record.
fn data_dir(args: &Args) -> PathBuf {
    if args.demo {
        let base = args
            .data_dir
            .clone()
            .unwrap_or_else(|| kiosk_engine::engine::default_data_dir().join("demo"));
        return match args.demo_pos {
            DemoPos::Procart => base,
            DemoPos::Jupiter => base.join("jupiter"),
        };
    }
    args.data_dir
        .clone()
        .or_else(|| {
            KioskConfig::load(&settings_path(args))
                .ok()
                .and_then(|c| c.kiosk.data_dir)
        })
        .unwrap_or_else(kiosk_engine::engine::default_data_dir)
}

/// Registers the POS secrets with the log scrubber, so that even a careless log line cannot
/// carry them (nothing is meant to log them in the first place).
fn redact_secrets(config: &KioskConfig, secrets: &dyn SecretStore) {
    for name in [&config.pos.secret, &config.pos.user_secret] {
        if let Ok(Some(v)) = secrets.get(name) {
            kiosk_engine::logs::redact(&v);
        }
    }
}

/// The notification path secret is part of the callback URL sent to ProCart.
fn redact_callback_secret(engine: &Engine) {
    if let Some(secret) = engine
        .callback_url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
    {
        kiosk_engine::logs::redact(secret);
    }
}

/// What the wizard and the service menu work with.
fn service_state(args: &Args, data_dir: PathBuf) -> service::ServiceState {
    use kiosk_engine::service::Service;
    let svc = Service::new(settings_path(args), data_dir.clone());
    if args.demo && !svc.pins.is_set() {
        // The demo's service menu opens with 1234, so it can be shown; a real installation has
        // no PIN until its wizard sets one.
        match svc.pins.set("1234") {
            Ok(()) => tracing::info!("demo: the service PIN is 1234"),
            Err(e) => tracing::warn!(error = %e, "demo: cannot set the service PIN"),
        }
    }
    let keyring = (!args.demo && args.token_env.is_none() && args.user_env.is_none())
        .then(|| Arc::new(KeyringSecrets::new()));
    let secrets: Arc<dyn SecretStore> = match &keyring {
        Some(k) => k.clone(),
        None => {
            // `--token-env`/`--user-env`: the connection test uses what the engine was given.
            let store = MemorySecrets::default();
            if let Ok(c) = KioskConfig::load(&settings_path(args)) {
                for (var, name) in [
                    (&args.token_env, &c.pos.secret),
                    (&args.user_env, &c.pos.user_secret),
                ] {
                    if let Some(v) = var.as_ref().and_then(|v| std::env::var(v).ok()) {
                        let _ = store.set(name, &v);
                    }
                }
            }
            Arc::new(store)
        }
    };
    service::ServiceState {
        service: Arc::new(svc),
        secrets,
        keyring,
        demo: args.demo,
        log_dir: data_dir.join("logs"),
    }
}

/// Forwards the engine's changes to the window as events.
fn forward_events(app: &tauri::AppHandle, engine: &Arc<Engine>) {
    let mut versions = engine.menu.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while versions.changed().await.is_ok() {
            let version = versions.borrow().clone();
            let _ = handle.emit("menu-updated", serde_json::json!({ "version": version }));
        }
    });
    if let Some(orders) = engine.subscribe_orders() {
        emit_each(app, "order-updated", orders);
    }
}

/// Emits every message of `messages` to the window as `event`, for as long as its sender lives
/// (a message missed while the window was slow is skipped: the next one carries the state).
pub(crate) fn emit_each<T>(
    app: &tauri::AppHandle,
    event: &'static str,
    mut messages: tokio::sync::broadcast::Receiver<T>,
) where
    T: serde::Serialize + Clone + Send + 'static,
{
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match messages.recv().await {
                Ok(m) => {
                    let _ = handle.emit(event, m);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            }
        }
    });
}

pub fn run() {
    webview::prepare_environment();
    let args = Args::parse();
    let data_dir = data_dir(&args);
    let logs = kiosk_engine::logs::LogSettings::new(data_dir.join("logs"));
    if let Err(e) = kiosk_engine::logs::init(&logs) {
        kiosk_engine::logs::init_stderr(&logs.filter);
        tracing::error!(error = %e, dir = %logs.dir.display(), "cannot write log files; logging to stderr only");
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        "kiosk starting"
    );
    let service = service_state(&args, data_dir);

    let (engine, sim) = start(&args);
    if let Err(why) = &engine {
        tracing::error!(%why, "the kiosk cannot take orders");
    }
    let mode = match &engine {
        Ok(e) => e.config.kiosk.mode,
        Err(_) => args.mode.map(AppMode::from).unwrap_or_default(),
    };
    let state = AppState {
        engine,
        demo: args.demo,
        mode,
        _sim: sim,
    };

    tauri::Builder::default()
        .manage(state)
        .manage(service)
        .plugin(lockdown::plugin())
        .register_asynchronous_uri_scheme_protocol("kiosk", scheme::handle)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::menu,
            commands::estimate_cart,
            commands::price_cart,
            commands::checkout,
            commands::cancel_payment,
            commands::order_view,
            commands::order_board,
            service::setup_status,
            service::setup_save_settings,
            service::setup_set_secret,
            service::setup_test_connection,
            service::setup_check_settings,
            service::setup_test_payment,
            service::service_pin_state,
            service::service_unlock,
            service::service_lock,
            service::service_set_pin,
            service::service_diagnostics,
            service::service_preflight,
            service::service_export_diagnostics,
            service::service_restart,
            staff::staff_login_info,
            staff::staff_login,
            staff::staff_logout,
            staff::staff_session,
            staff::staff_orders,
            staff::staff_order,
            staff::staff_retry_send,
            staff::staff_mark_handled,
            staff::staff_refund,
            staff::staff_print_number,
            staff::staff_lock,
            staff::staff_unlock,
            staff::staff_add_dishes,
            staff::staff_print_bill,
            staff::staff_add_client,
            staff::staff_close,
            staff::staff_print_info,
        ])
        .setup(|app| {
            lockdown::apply(app);
            webview::tune(app);
            let state = app.state::<AppState>();
            if let Ok(engine) = &state.engine {
                forward_events(app.handle(), engine);
            }
            staff::forward_events(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the kiosk window could not start");
}
