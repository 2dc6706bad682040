//! The staff tablet's IPC commands, each a few lines over `kiosk_engine::staff::StaffDesk`, and
//! the `staff-event` it pushes to the window.
//!
//! The desk is built in `start()` right after the engine, while the POS secrets are at hand
//! (the staff side talks to the POS with its own adapter), and kept here for the life of the
//! process. Every command but `staff_login_info` and `staff_login` takes the `session` a login
//! granted; the desk refuses anything else with `not_authorized`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kiosk_core::cart::CartLine;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::view::{
    StaffClosePayment, StaffCredential, StaffLoginInfo, StaffLoginVerdict, StaffOrderDetail,
    StaffOrderRef, StaffOrdersView, StaffOutcome, StaffSession,
};
use kiosk_engine::secrets::SecretStore;
use kiosk_engine::staff::jupiter::user_key;
use kiosk_engine::staff::{StaffDesk, StaffSettings};
use kiosk_engine::Engine;

/// How often the staff screens' POS orders are polled while someone is logged in.
const POLL_EVERY: Duration = Duration::from_secs(10);

static DESK: OnceLock<Result<Arc<StaffDesk>, String>> = OnceLock::new();

/// Builds the staff desk over the running engine and starts its background work. Called from
/// `start()` inside the async runtime. The demo gets staff of its own, so the staff screens can
/// be shown at once.
pub fn prepare(engine: &Arc<Engine>, secrets: &dyn SecretStore, demo: bool) {
    if demo {
        seed_demo_staff(engine);
    }
    let desk = StaffDesk::from_engine(engine.clone(), secrets, None)
        .map(Arc::new)
        .map_err(|e| e.to_string());
    match &desk {
        Ok(d) => d.spawn_background(POLL_EVERY),
        Err(why) => tracing::warn!(%why, "staff mode is not available"),
    }
    let _ = DESK.set(desk);
}

/// The demo's `staff.toml`, written once: r_keeper staff log in with PIN 1111 (Анна) or 2222
/// (Борис); Jupiter staff with the simulator's own passwords (Трофимова 11112, Пикаров 2222),
/// named here because Jupiter returns no names.
fn seed_demo_staff(engine: &Engine) {
    let path = kiosk_engine::staff::default_settings_path(&engine.config);
    if path.exists() {
        return;
    }
    let mut s = StaffSettings::default();
    let params = kiosk_engine::staff::settings::Params::default();
    let mut add =
        |id: &str, name: &str, pin: Option<&str>| s.upsert_member(id, name, pin, params.clone());
    let added = add("anna", "Анна (демо)", Some("1111"))
        .and_then(|_| add("boris", "Борис (демо)", Some("2222")))
        .and_then(|_| {
            pos_sim::jupiter::JupiterSettings::default()
                .staff
                .iter()
                .filter(|m| m.user_id != pos_sim::jupiter::KIOSK_USER)
                .try_for_each(|m| add(&user_key(&m.user_id), &m.name, None))
        });
    match added.and_then(|_| s.save(&path)) {
        Ok(()) => tracing::info!(
            "demo: staff log in with PIN 1111 or 2222 (r_keeper), password 11112 or 2222 (Jupiter)"
        ),
        Err(e) => tracing::warn!(error = %e, "demo: cannot write the staff settings"),
    }
}

/// Pushes the desk's events to the window as `staff-event` (a `StaffEvent`).
pub fn forward_events(app: &tauri::AppHandle) {
    if let Some(Ok(desk)) = DESK.get() {
        crate::emit_each(app, "staff-event", desk.subscribe());
    }
}

fn desk() -> Result<Arc<StaffDesk>, IpcError> {
    match DESK.get() {
        Some(Ok(d)) => Ok(d.clone()),
        Some(Err(why)) => Err(IpcError::new(ErrorCode::Internal, why.clone())),
        None => Err(IpcError::new(
            ErrorCode::Internal,
            "staff mode is not available: the kiosk did not start",
        )),
    }
}

#[tauri::command]
pub fn staff_login_info() -> StaffLoginInfo {
    match desk() {
        Ok(d) => d.login_info(),
        Err(e) => StaffLoginInfo {
            enabled: false,
            staff_mode: false,
            pos: String::new(),
            methods: vec![],
            members: vec![],
            idle_logout_s: 0,
            retry_in_s: 0,
            problem: Some(e.message),
        },
    }
}

#[tauri::command]
pub async fn staff_login(credential: StaffCredential) -> Result<StaffLoginVerdict, IpcError> {
    Ok(desk()?.login(credential).await?)
}

#[tauri::command]
pub async fn staff_logout(session: String) -> Result<(), IpcError> {
    desk()?.logout(&session).await;
    Ok(())
}

#[tauri::command]
pub async fn staff_session(session: String) -> Result<StaffSession, IpcError> {
    Ok(desk()?.session(&session).await?)
}

#[tauri::command]
pub async fn staff_orders(session: String) -> Result<StaffOrdersView, IpcError> {
    Ok(desk()?.orders(&session).await?)
}

#[tauri::command]
pub async fn staff_order(
    session: String,
    order: StaffOrderRef,
) -> Result<StaffOrderDetail, IpcError> {
    Ok(desk()?.order(&session, order).await?)
}

#[tauri::command]
pub async fn staff_retry_send(
    session: String,
    checkout_id: String,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.retry_send(&session, &checkout_id).await?)
}

#[tauri::command]
pub async fn staff_mark_handled(
    session: String,
    checkout_id: String,
    reason: String,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?
        .mark_handled(&session, &checkout_id, &reason)
        .await?)
}

#[tauri::command]
pub async fn staff_refund(session: String, checkout_id: String) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.refund(&session, &checkout_id).await?)
}

#[tauri::command]
pub async fn staff_print_number(
    session: String,
    order: StaffOrderRef,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.print_number(&session, order).await?)
}

#[tauri::command]
pub async fn staff_lock(session: String, pos_order_id: String) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.lock(&session, &pos_order_id).await?)
}

#[tauri::command]
pub async fn staff_unlock(session: String, pos_order_id: String) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.unlock(&session, &pos_order_id).await?)
}

#[tauri::command]
pub async fn staff_add_dishes(
    session: String,
    pos_order_id: String,
    lines: Vec<CartLine>,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.add_dishes(&session, &pos_order_id, lines).await?)
}

#[tauri::command]
pub async fn staff_print_bill(
    session: String,
    pos_order_id: String,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.print_bill(&session, &pos_order_id).await?)
}

#[tauri::command]
pub async fn staff_add_client(
    session: String,
    pos_order_id: String,
    code: String,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.add_client(&session, &pos_order_id, &code).await?)
}

#[tauri::command]
pub async fn staff_close(
    session: String,
    pos_order_id: String,
    payment: Option<StaffClosePayment>,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?
        .close(&session, &pos_order_id, payment.unwrap_or_default())
        .await?)
}

#[tauri::command]
pub async fn staff_print_info(
    session: String,
    pos_order_id: String,
) -> Result<StaffOutcome, IpcError> {
    Ok(desk()?.print_info(&session, &pos_order_id).await?)
}
