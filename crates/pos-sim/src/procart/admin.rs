//! ProCart's admin endpoints under `/_sim/`: what a cashier, a manager or r_keeper itself would
//! do to the simulated restaurant, for tests and demos. No token.
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_sim/orders` | every order with full detail (payments, comments, token, callback) |
//! | `POST /_sim/orders/{guid}/{precheck\|pay\|delete\|cancel_precheck\|activate}` | POS-side status change |
//! | `POST /_sim/menu/remains` `{"code", "remains": n\|null}` | stop-list / remains |
//! | `POST /_sim/menu/price` `{"code", "price": "199.90"}` | price change (new `menu_version`) |
//! | `GET/POST /_sim/config` | read / patch the ProCart switches |
//! | `GET /_sim/callbacks` | every callback delivery attempt |
//!
//! Faults and the payment terminal are common to both POS modes: see [`crate::admin`]. Each
//! route calls the same code as [`crate::SimControl`], so HTTP and in-process tests agree.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::admin::parse;
use crate::error::ApiError;
use crate::money::{de_code, de_decimal, de_opt_decimal};
use crate::procart::orders::OrderAction;
use crate::procart::wire::OrdersResp;
use crate::state::{lock, Sim, SimError};
use crate::{ErrorMode, PaidOrderBehaviour, PrintInfoFormat};

fn sim_error(e: SimError) -> ApiError {
    match e {
        SimError::OrderNotFound(g) => ApiError::NotFound(format!("Заказ {g} не найден")),
        SimError::InvalidState { .. } => ApiError::invalid_state(e.to_string()),
        SimError::UnknownCode(_) => ApiError::business("UNKNOWN_CODE", e.to_string()),
    }
}

async fn orders(State(sim): State<Arc<Sim>>) -> Response {
    Json(OrdersResp {
        orders: sim.order_views(true),
    })
    .into_response()
}

async fn order_action(
    State(sim): State<Arc<Sim>>,
    Path((guid, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let action = OrderAction::parse(&action).ok_or_else(|| ApiError::Status {
        status: StatusCode::NOT_FOUND,
        code: "NOT_FOUND",
        detail: format!(
            "unknown action {action:?} (precheck, pay, delete, cancel_precheck, activate)"
        ),
    })?;
    let view = sim.order_action(&guid, action).map_err(sim_error)?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
struct RemainsReq {
    #[serde(deserialize_with = "de_code")]
    code: i64,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    remains: Option<Decimal>,
}

async fn set_remains(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, ApiError> {
    let req: RemainsReq = parse(&body)?;
    let mut menu = lock(&sim.menu);
    if !menu.set_remains(req.code, req.remains) {
        return Err(sim_error(SimError::UnknownCode(req.code)));
    }
    Ok(
        Json(serde_json::json!({ "code": req.code, "menu_version": menu.version() }))
            .into_response(),
    )
}

#[derive(Deserialize)]
struct PriceReq {
    #[serde(deserialize_with = "de_code")]
    code: i64,
    #[serde(deserialize_with = "de_decimal")]
    price: Decimal,
}

async fn set_price(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, ApiError> {
    let req: PriceReq = parse(&body)?;
    if req.price.is_sign_negative() {
        return Err(ApiError::business("VALIDATION_FAILED", "negative price"));
    }
    let mut menu = lock(&sim.menu);
    if !menu.set_price(req.code, req.price) {
        return Err(sim_error(SimError::UnknownCode(req.code)));
    }
    Ok(
        Json(serde_json::json!({ "code": req.code, "menu_version": menu.version() }))
            .into_response(),
    )
}

/// Every field optional: only the given switches change.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    tokens: Option<Vec<String>>,
    procart_version: Option<String>,
    rk_version: Option<String>,
    getmenu_latency_ms: Option<u64>,
    getmenu_latency_realistic: Option<bool>,
    idempotency: Option<bool>,
    paid_order_behaviour: Option<PaidOrderBehaviour>,
    error_mode: Option<ErrorMode>,
    push_statuses: Option<Vec<String>>,
    callback_backoff_ms: Option<Vec<u64>>,
    callback_max_attempts: Option<u32>,
    callback_timeout_ms: Option<u64>,
    print_info_requires_token: Option<bool>,
    print_info_format: Option<PrintInfoFormat>,
    strict_markups: Option<bool>,
}

async fn get_config(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.settings()).into_response()
}

async fn patch_config(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, ApiError> {
    let p: ConfigPatch = parse(&body)?;
    let mut s = lock(&sim.settings);
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = p.$f { s.$f = v; } )* };
    }
    set!(
        tokens,
        procart_version,
        rk_version,
        getmenu_latency_ms,
        getmenu_latency_realistic,
        idempotency,
        paid_order_behaviour,
        error_mode,
        push_statuses,
        callback_backoff_ms,
        callback_max_attempts,
        callback_timeout_ms,
        print_info_requires_token,
        print_info_format,
        strict_markups
    );
    Ok(Json(s.clone()).into_response())
}

async fn callbacks(State(sim): State<Arc<Sim>>) -> Response {
    Json(serde_json::json!({ "callbacks": *lock(&sim.callbacks) })).into_response()
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/orders", get(orders))
        .route("/_sim/orders/{guid}/{action}", post(order_action))
        .route("/_sim/menu/remains", post(set_remains))
        .route("/_sim/menu/price", post(set_price))
        .route("/_sim/config", get(get_config).post(patch_config))
        .route("/_sim/callbacks", get(callbacks))
}
