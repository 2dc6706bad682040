//! The set-up wizard's and the service menu's commands: each a few lines over
//! `kiosk_engine::service` and `kiosk_engine::diagnostics`.
//!
//! Every command that changes or reveals something takes the service `session` that a right PIN
//! granted (`service_unlock`); on a new installation with no PIN yet, the wizard's commands
//! work without one (`session: null`). The back end enforces it, not the screens.
//!
//! Keyring calls block on D-Bus, so they run on the blocking pool, never on the window's thread.

use std::path::PathBuf;
use std::sync::Arc;

use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::payment::PaymentProgress;
use kiosk_core::view::{
    CheckLine, ConnectionReport, DiagnosticsExport, DiagnosticsView, PaymentTestReport, PinState,
    PinVerdict, SecretKind, SettingsForm, SettingsProblem, SettingsSaved, SetupStatus,
};
use kiosk_engine::diagnostics;
use kiosk_engine::secrets::{KeyringSecrets, SecretStore};
use kiosk_engine::service::{self, Service};
use kiosk_engine::KioskConfig;
use tauri::ipc::Channel;
use tauri::State;

use crate::AppState;

/// What the service commands work with, built once at start.
pub struct ServiceState {
    pub service: Arc<Service>,
    /// Where secrets are read and written: the OS keyring, or memory in the demo and with
    /// `--token-env`.
    pub secrets: Arc<dyn SecretStore>,
    /// The OS keyring when it is the store, for its health check.
    pub keyring: Option<Arc<KeyringSecrets>>,
    pub demo: bool,
    pub log_dir: PathBuf,
}

fn internal(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(ErrorCode::Internal, e.to_string())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(internal)?
}

fn keyring_line(keyring: &Option<Arc<KeyringSecrets>>) -> CheckLine {
    match keyring {
        Some(k) => kiosk_engine::secrets::keyring_check(k),
        None => CheckLine::ok(
            "keyring",
            "OS keyring",
            "not used: the secrets of this run were given at start (demo or --token-env)",
        ),
    }
}

/// Where the installation stands: whether the wizard must run, the current settings, which
/// secrets are set (never their values), the keyring's state, whether a PIN exists.
#[tauri::command]
pub async fn setup_status(state: State<'_, ServiceState>) -> Result<SetupStatus, IpcError> {
    let (svc, secrets, keyring, demo) = (
        state.service.clone(),
        state.secrets.clone(),
        state.keyring.clone(),
        state.demo,
    );
    blocking(move || Ok(svc.setup_status(secrets.as_ref(), keyring_line(&keyring), demo))).await
}

/// The PIN's state (set, lockout), before anyone types.
#[tauri::command]
pub fn service_pin_state(state: State<'_, ServiceState>) -> Result<PinState, IpcError> {
    Ok(state.service.pins.state()?)
}

/// Enters the service menu: `granted` with a session, or `wrong`/`locked_out`/`not_set`.
#[tauri::command]
pub async fn service_unlock(
    state: State<'_, ServiceState>,
    pin: String,
) -> Result<PinVerdict, IpcError> {
    let svc = state.service.clone();
    // argon2 takes tens of milliseconds of CPU: off the window's thread.
    blocking(move || Ok(svc.unlock(&pin)?)).await
}

/// Leaves the service menu.
#[tauri::command]
pub fn service_lock(state: State<'_, ServiceState>, session: String) {
    state.service.sessions.end(&session);
}

/// Sets or changes the service PIN (4 to 12 digits).
#[tauri::command]
pub async fn service_set_pin(
    state: State<'_, ServiceState>,
    session: Option<String>,
    pin: String,
) -> Result<(), IpcError> {
    let svc = state.service.clone();
    blocking(move || Ok(svc.set_pin(session.as_deref(), &pin)?)).await
}

/// Checks the form and writes the settings file; `saved: false` with the problems by field
/// when something is wrong. Takes effect after `service_restart`.
#[tauri::command]
pub fn setup_save_settings(
    state: State<'_, ServiceState>,
    session: Option<String>,
    settings: SettingsForm,
) -> Result<SettingsSaved, IpcError> {
    state.service.authorize(session.as_deref())?;
    Ok(state.service.save_settings(&settings)?)
}

/// Checks the form without saving it: the problems by field, empty when it is right. The
/// wizard asks this at each step, so a wrong value is shown beside its field at once.
#[tauri::command]
pub fn setup_check_settings(
    state: State<'_, ServiceState>,
    session: Option<String>,
    settings: SettingsForm,
) -> Result<Vec<SettingsProblem>, IpcError> {
    state.service.authorize(session.as_deref())?;
    let base = state.service.load_settings().ok();
    Ok(service::check_settings(&settings, base.as_ref()))
}

/// Stores a secret (the POS token / server id, the Jupiter user's password, a payment
/// provider's keys) in the OS keyring.
#[tauri::command]
pub async fn setup_set_secret(
    state: State<'_, ServiceState>,
    session: Option<String>,
    kind: SecretKind,
    value: String,
) -> Result<(), IpcError> {
    state.service.authorize(session.as_deref())?;
    let (svc, secrets) = (state.service.clone(), state.secrets.clone());
    blocking(move || {
        let config = svc.load_settings().ok();
        Ok(service::set_secret(
            secrets.as_ref(),
            config.as_ref(),
            kind,
            &value,
        )?)
    })
    .await
}

/// "Test the connection" with the form being edited (or the saved settings when `settings` is
/// null) and the secrets in the keyring: one line per check, each with its fix.
#[tauri::command]
pub async fn setup_test_connection(
    state: State<'_, ServiceState>,
    session: Option<String>,
    settings: Option<SettingsForm>,
) -> Result<ConnectionReport, IpcError> {
    state.service.authorize(session.as_deref())?;
    let saved = state.service.load_settings();
    let config: KioskConfig = match settings {
        Some(form) => match service::config_from_form(&form, saved.as_ref().ok()) {
            Ok(c) => c,
            Err(problems) => {
                return Ok(ConnectionReport {
                    pos: form.pos_kind.clone(),
                    ok: false,
                    latency_ms: None,
                    info: None,
                    lines: problems
                        .into_iter()
                        .map(|p| {
                            CheckLine::fail(
                                &format!("settings.{}", p.field),
                                &p.field,
                                p.message,
                                "correct this field",
                            )
                        })
                        .collect(),
                    menu: None,
                })
            }
        },
        None => saved.map_err(|why| IpcError::new(ErrorCode::BadInput, why))?,
    };
    let secrets = state.secrets.clone();
    // The adapters read the keyring when built; that blocking read happens on this task's
    // thread, which is a runtime worker, not the window's.
    Ok(service::test_connection(&config, secrets.as_ref()).await)
}

/// "Test the payment provider" with the form being edited (or the saved settings) and the keys
/// in the keyring: a check that charges nothing, or with `sale` a test sale of 1.00 given back
/// at once, its terminal prompts and QR streamed to `on_progress`.
#[tauri::command]
pub async fn setup_test_payment(
    state: State<'_, ServiceState>,
    session: Option<String>,
    settings: Option<SettingsForm>,
    sale: bool,
    on_progress: Channel<PaymentProgress>,
) -> Result<PaymentTestReport, IpcError> {
    state.service.authorize(session.as_deref())?;
    let saved = state.service.load_settings();
    let config: KioskConfig = match settings {
        Some(form) => match service::config_from_form(&form, saved.as_ref().ok()) {
            Ok(c) => c,
            Err(problems) => {
                return Ok(PaymentTestReport {
                    provider: form.payment_provider.clone(),
                    ok: false,
                    lines: problems
                        .into_iter()
                        .map(|p| {
                            CheckLine::fail(
                                &format!("settings.{}", p.field),
                                &p.field,
                                p.message,
                                "correct this field",
                            )
                        })
                        .collect(),
                })
            }
        },
        None => saved.map_err(|why| IpcError::new(ErrorCode::BadInput, why))?,
    };
    let data_dir = state.service.data_dir.clone();
    let sink: kiosk_core::ports::ProgressSink = Arc::new(move |p| {
        let _ = on_progress.send(p);
    });
    Ok(service::test_payment(&config, state.secrets.as_ref(), &data_dir, sale, sink).await)
}

/// The diagnostics page: POS, menu, journal, payment, disk, version, and every check.
#[tauri::command]
pub async fn service_diagnostics(
    app: State<'_, AppState>,
    state: State<'_, ServiceState>,
    session: Option<String>,
) -> Result<DiagnosticsView, IpcError> {
    state.service.authorize(session.as_deref())?;
    Ok(match &app.engine {
        Ok(engine) => diagnostics::collect(engine, state.secrets.as_ref()).await,
        Err(_) => offline(&state).await.view(),
    })
}

/// The checks without a running engine (the kiosk could not start): what `kioskctl doctor`
/// would print.
async fn offline(state: &ServiceState) -> diagnostics::Doctor {
    let keyring = state.keyring.as_deref();
    diagnostics::doctor(
        &state.service.settings_path,
        state.secrets.as_ref(),
        keyring,
        Some(state.service.data_dir.clone()),
    )
    .await
}

/// The menu pre-flight: fetches the menu again (at most once a minute for ProCart) and lists
/// its faults with what to change in the POS, plus the payment provider's check.
#[tauri::command]
pub async fn service_preflight(
    app: State<'_, AppState>,
    state: State<'_, ServiceState>,
    session: Option<String>,
) -> Result<Vec<CheckLine>, IpcError> {
    state.service.authorize(session.as_deref())?;
    let engine = match &app.engine {
        Ok(e) => e.clone(),
        Err(_) => return Ok(offline(&state).await.checks),
    };
    let mut lines = match engine.menu.refresh().await {
        Ok(m) => diagnostics::check_menu(&m.catalog),
        Err(e) => match engine.menu.current() {
            Some(m) => {
                let mut l = vec![CheckLine::warn(
                    "menu.refresh",
                    "Menu refresh",
                    e.to_string(),
                    "the kiosk keeps the last good menu; check the POS",
                )];
                l.extend(diagnostics::check_menu(&m.catalog));
                l
            }
            None => vec![CheckLine::fail(
                "menu.usable",
                "Menu",
                e.to_string(),
                "make the POS reachable and give the kiosk a menu there",
            )],
        },
    };
    lines.push(
        diagnostics::check_payment(&engine.config, state.secrets.as_ref())
            .await
            .0,
    );
    Ok(lines)
}

/// Writes the diagnostics zip (logs, settings without credentials, the catalog fault report,
/// the journal summary) into `dest_dir` (an absolute folder, e.g. a USB stick) or into the data
/// folder's `exports/`.
#[tauri::command]
pub async fn service_export_diagnostics(
    app: State<'_, AppState>,
    state: State<'_, ServiceState>,
    session: Option<String>,
    dest_dir: Option<String>,
) -> Result<DiagnosticsExport, IpcError> {
    state.service.authorize(session.as_deref())?;
    let dest = match dest_dir.filter(|d| !d.trim().is_empty()) {
        Some(d) => {
            let p = PathBuf::from(&d);
            if !p.is_absolute() || !p.is_dir() {
                return Err(IpcError::new(
                    ErrorCode::BadInput,
                    format!("{d:?} is not an existing folder (give an absolute path)"),
                ));
            }
            p
        }
        None => state.service.data_dir.join("exports"),
    };
    let (view, config, catalog) = match &app.engine {
        Ok(engine) => (
            diagnostics::collect(engine, state.secrets.as_ref()).await,
            Some(engine.config.clone()),
            engine.menu.current().map(|m| (*m.catalog).clone()),
        ),
        Err(_) => {
            let d = offline(&state).await;
            (d.view(), d.config.clone(), d.catalog.clone())
        }
    };
    let (data_dir, log_dir) = (state.service.data_dir.clone(), state.log_dir.clone());
    blocking(move || {
        diagnostics::export(
            &dest,
            &view,
            config.as_ref(),
            catalog.as_ref(),
            &data_dir,
            &log_dir,
        )
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
    })
    .await
}

/// Restarts the kiosk so saved settings and secrets take effect (the end of the wizard). The
/// answer goes back first; the restart follows a moment later.
#[tauri::command]
pub fn service_restart(
    app: tauri::AppHandle,
    state: State<'_, ServiceState>,
    session: Option<String>,
) -> Result<(), IpcError> {
    state.service.authorize(session.as_deref())?;
    tracing::info!("restarting to apply the settings");
    std::thread::spawn(move || {
        // Let the answer reach the window before the process goes.
        std::thread::sleep(std::time::Duration::from_millis(300));
        restart(&app);
    });
    Ok(())
}

/// Starts the kiosk again with the same command line and environment. On Unix the process
/// *replaces itself* (`exec`), keeping its process id: a service manager (systemd, a session's
/// autostart) keeps watching the same process, and a `Restart=always` unit never sees an exit
/// that would make it start a second kiosk beside the one Tauri's own restart would spawn.
/// Elsewhere, Tauri's restart (spawn, then exit).
fn restart(app: &tauri::AppHandle) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        app.cleanup_before_exit();
        match executable() {
            Ok(exe) => {
                let err = std::process::Command::new(exe)
                    .args(std::env::args_os().skip(1))
                    .exec();
                tracing::error!(error = %err, "cannot restart in place; restarting through Tauri");
            }
            Err(e) => tracing::error!(error = %e, "cannot find the kiosk's executable"),
        }
    }
    app.restart()
}

/// This program's file. After an upgrade replaced it while it ran, Linux names the running one
/// `PATH (deleted)`: the restart then starts the new version at `PATH`.
#[cfg(unix)]
fn executable() -> std::io::Result<PathBuf> {
    Ok(upgraded(std::env::current_exe()?))
}

#[cfg(unix)]
fn upgraded(exe: PathBuf) -> PathBuf {
    if exe.exists() {
        return exe;
    }
    match exe.to_string_lossy().strip_suffix(" (deleted)") {
        Some(path) if std::path::Path::new(path).exists() => PathBuf::from(path),
        _ => exe,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// The restart after an upgrade starts the new program, not the deleted one.
    #[cfg(unix)]
    #[test]
    fn a_restart_after_an_upgrade_starts_the_new_program() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("kiosk-app");
        std::fs::write(&exe, b"new version").unwrap();
        let running = dir.path().join("kiosk-app (deleted)");
        assert_eq!(super::upgraded(running), exe);
        assert_eq!(super::upgraded(exe.clone()), exe);
        let gone = dir.path().join("other (deleted)");
        assert_eq!(super::upgraded(gone.clone()), gone);
    }

    /// A kiosk whose settings cannot be used starts no engine; the reason (with the line) is
    /// what `app_info.out_of_service` shows on screen.
    #[test]
    fn unusable_settings_keep_the_kiosk_out_of_service_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            "[kiosk]\nid = \"k1\"\n\n[pos]\nkind = \"procart\"\nurl = \"10.0.0.5\"\n\n[payment]\nprovider = \"counter\"\ntender = \"1\"\n",
        )
        .unwrap();
        let args =
            crate::Args::parse_from(["kiosk-app".as_ref(), "--config".as_ref(), path.as_os_str()]);
        let (engine, _) = crate::start(&args);
        let why = engine.err().expect("no engine on unusable settings");
        assert!(why.contains("line 6, column 1: pos.url"), "{why}");
        assert!(why.contains("http://"), "{why}");

        let args = crate::Args::parse_from([
            "kiosk-app".as_ref(),
            "--config".as_ref(),
            dir.path().join("absent.toml").as_os_str(),
        ]);
        let why = crate::start(&args).0.err().unwrap();
        assert!(why.contains("set-up wizard"), "{why}");
    }
}
