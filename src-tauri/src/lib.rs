//! The kiosk's Tauri shell: starts the engine, exposes its commands, forwards its events, and
//! serves menu pictures through the `kiosk://` scheme. All logic lives in `kiosk-engine`.
//!
//! Start-up modes:
//! - `--demo`: starts the built-in POS simulator (a realistic restaurant) in-process and runs
//!   against it, with the simulated card terminal. This is what `make run` shows.
//! - `--config FILE`: a real installation. The POS token comes from the OS keyring (or from the
//!   environment variable named by `--token-env`, for tests and service managers).

mod commands;
mod scheme;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
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
            let (config, secrets) = match args.demo_pos {
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
            let engine = Engine::from_config(config, &secrets, Timings::default())
                .map_err(|e| e.to_string());
            if let Ok(e) = &engine {
                e.start_background();
            }
            return (engine, Some(sim));
        }
        let Some(path) = &args.config else {
            return (
                Err("no settings: start with --config FILE, or --demo to try the kiosk".into()),
                None,
            );
        };
        let mut config = match KioskConfig::load(path) {
            Ok(c) => c,
            Err(e) => return (Err(e.to_string()), None),
        };
        if let Some(dir) = &args.data_dir {
            config.kiosk.data_dir = Some(dir.clone());
        }
        let secrets: Box<dyn SecretStore> = if args.token_env.is_none() && args.user_env.is_none() {
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
            Box::new(store)
        };
        let engine = Engine::from_config(config, secrets.as_ref(), Timings::default())
            .map_err(|e| e.to_string());
        if let Ok(e) = &engine {
            e.start_background();
        }
        (engine, None)
    })
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
    if let Some(mut orders) = engine.subscribe_orders() {
        let handle = app.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                match orders.recv().await {
                    Ok(view) => {
                        let _ = handle.emit("order-updated", view);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => return,
                }
            }
        });
    }
}

pub fn run() {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,kiosk=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let (engine, sim) = start(&args);
    if let Err(why) = &engine {
        tracing::error!(%why, "the kiosk cannot take orders");
    }
    let state = AppState {
        engine,
        demo: args.demo,
        _sim: sim,
    };

    tauri::Builder::default()
        .manage(state)
        .register_asynchronous_uri_scheme_protocol("kiosk", scheme::handle)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::menu,
            commands::estimate_cart,
            commands::price_cart,
            commands::checkout,
            commands::order_view,
            commands::order_board,
        ])
        .setup(|app| {
            let state = app.state::<AppState>();
            if let Ok(engine) = &state.engine {
                forward_events(app.handle(), engine);
            }
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the kiosk window could not start");
}
