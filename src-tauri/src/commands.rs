//! The IPC commands: each a few lines that hand over to the engine.
//! Errors reach the UI as `IpcError { code, message }`.

use std::sync::Arc;

use kiosk_core::board::BoardView;
use kiosk_core::cart::Cart;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::view::{AppInfo, CheckoutEvent, CheckoutResult, MenuView, OrderView, PricedCart};
use kiosk_core::Money;
use kiosk_engine::Engine;
use tauri::ipc::Channel;
use tauri::State;

use crate::AppState;

fn engine(state: &AppState) -> Result<Arc<Engine>, IpcError> {
    state
        .engine
        .clone()
        .map_err(|why| IpcError::new(ErrorCode::Internal, why))
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    match &state.engine {
        Ok(e) => e.app_info(state.demo),
        Err(why) => AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            demo: state.demo,
            pos: String::new(),
            payment: String::new(),
            languages: vec!["ru".into(), "en".into()],
            default_language: "ru".into(),
            order_types: vec![],
            idle_timeout_s: 90,
            idle_countdown_s: 20,
            confirmation_timeout_s: 30,
            restaurant_name: None,
            out_of_service: Some(why.clone()),
            mode: state.mode,
        },
    }
}

#[tauri::command]
pub async fn menu(state: State<'_, AppState>) -> Result<MenuView, IpcError> {
    engine(&state)?.menu_view().await
}

#[tauri::command]
pub async fn estimate_cart(
    state: State<'_, AppState>,
    revision: u64,
    cart: Cart,
) -> Result<PricedCart, IpcError> {
    engine(&state)?.estimate(revision, cart).await
}

#[tauri::command]
pub async fn price_cart(
    state: State<'_, AppState>,
    revision: u64,
    cart: Cart,
) -> Result<PricedCart, IpcError> {
    engine(&state)?.price(revision, cart).await
}

#[tauri::command]
pub async fn checkout(
    state: State<'_, AppState>,
    cart: Cart,
    expected_total: Money,
    on_event: Channel<CheckoutEvent>,
    without_slip: Option<bool>,
) -> Result<CheckoutResult, IpcError> {
    let sink = Arc::new(move |ev: CheckoutEvent| {
        let _ = on_event.send(ev);
    });
    let options = kiosk_engine::checkout::CheckoutOptions {
        without_slip: without_slip.unwrap_or(false),
    };
    engine(&state)?
        .checkout_with(cart, expected_total, sink, options)
        .await
}

/// The customer's "Cancel" while a QR code is on screen; `false` when nothing can be stopped
/// from the screen (a card payment is cancelled on the terminal).
#[tauri::command]
pub fn cancel_payment(state: State<'_, AppState>) -> Result<bool, IpcError> {
    engine(&state)?.cancel_payment()
}

/// Orders being prepared and ready, for the order board on a second display.
#[tauri::command]
pub async fn order_board(state: State<'_, AppState>) -> Result<BoardView, IpcError> {
    Ok(engine(&state)?.order_board().await)
}

#[tauri::command]
pub fn order_view(state: State<'_, AppState>, checkout_id: String) -> Result<OrderView, IpcError> {
    engine(&state)?.order_view(&checkout_id)
}
