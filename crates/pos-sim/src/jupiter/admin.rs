//! Jupiter's admin endpoints under `/_sim/`: what staff, a manager or the network would do to
//! the simulated restaurant, for tests and demos.
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_sim/orders` | every order: the ORDER_JSON plus owner, lock, bill, closed flags |
//! | `POST /_sim/orders` `{"owner","name","lines":[{"product_uid","quantity"}]}` | an order opened at the cash desk (Jupiter uid, no JPOS id) |
//! | `POST /_sim/orders/{uid}/close` `{"pay_type_uid"?}` | staff close the order in Jupiter |
//! | `GET /_sim/prints` | kitchen tickets and bills printed so far |
//! | `GET/POST /_sim/workday` `{"open": bool}` | open (a new workday uid) or close the workday |
//! | `GET/POST /_sim/menu` | read / replace the getTT document and its `sold_out` list (settingsDate moves on) |
//! | `POST /_sim/menu/price` `{"uid","price"}` | edit a price (settingsDate moves on) |
//! | `POST /_sim/menu/sold_out` `{"uid","sold_out": bool}` | take a product off the layouts or put it back (settingsDate moves on) |
//! | `GET/POST /_sim/config` | read / patch [`JupiterSettings`] (staff, clients, discounts, quirks…) |
//!
//! Faults and the payment terminal are served by the common [`crate::admin`] router (with
//! `method` = a JPOS command or `*` for faults). ProCart's admin routes are not mounted in
//! Jupiter mode: its `/_sim/orders` means ProCart orders. Errors are the simulator's admin
//! envelope `{"detail","code"}`, as in ProCart mode.

use std::sync::Arc;

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use super::menu::MenuDoc;
use super::state::{DiscountRule, JupiterSettings, Quirks, Staff};
use super::{JupiterSim, LoyaltyClient};
use crate::admin::parse;
use crate::error::ApiError;
use crate::state::Sim;

type Shared = Extension<Arc<JupiterSim>>;

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/orders", get(orders).post(open_order))
        .route("/_sim/orders/{uid}/close", post(close_order))
        .route("/_sim/prints", get(prints))
        .route("/_sim/workday", get(get_workday).post(set_workday))
        .route("/_sim/menu", get(get_menu).post(set_menu))
        .route("/_sim/menu/price", post(set_price))
        .route("/_sim/menu/sold_out", post(set_sold_out))
        .route("/_sim/config", get(get_config).post(patch_config))
}

/// A refusal of the simulated Jupiter (its Russian message), as a 400 of the admin envelope.
fn refused(message: String) -> ApiError {
    ApiError::business("REFUSED", message)
}

/// No product with this uid in the menu.
fn unknown_product(uid: &str) -> ApiError {
    ApiError::business("UNKNOWN_CODE", format!("no product {uid}"))
}

async fn orders(Extension(j): Shared) -> Response {
    Json(json!({"orders": j.state().orders_view()})).into_response()
}

#[derive(Deserialize)]
struct CashDeskOrder {
    owner: String,
    #[serde(default)]
    name: String,
    lines: Vec<CashDeskLine>,
}

#[derive(Deserialize)]
struct CashDeskLine {
    product_uid: String,
    #[serde(default = "one")]
    quantity: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}

async fn open_order(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let req: CashDeskOrder = parse(&body)?;
    let items: Vec<(String, Decimal)> = req
        .lines
        .into_iter()
        .map(|l| (l.product_uid, l.quantity))
        .collect();
    let uid = j
        .state()
        .open_cash_desk_order(&req.owner, &req.name, &items)
        .map_err(refused)?;
    Ok(Json(json!({"uid": uid})).into_response())
}

#[derive(Deserialize, Default)]
struct CloseReq {
    #[serde(default)]
    pay_type_uid: Option<String>,
}

async fn close_order(
    Extension(j): Shared,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: CloseReq = if body.is_empty() {
        CloseReq::default()
    } else {
        parse(&body)?
    };
    let pay = req.pay_type_uid.unwrap_or_else(|| "2:1:0:24".into());
    let result = j.state().close_order(&uid, &pay);
    match result {
        Ok(()) => Ok(Json(json!({"closed": uid})).into_response()),
        Err(e) if e == super::state::E_ORDER_NOT_FOUND => Err(ApiError::NotFound(e)),
        Err(e) => Err(refused(e)),
    }
}

async fn prints(Extension(j): Shared) -> Response {
    Json(json!({"prints": j.state().prints})).into_response()
}

fn workday_view(s: &super::state::State) -> Response {
    Json(json!({"open": s.workday.is_some(), "workday_id": s.workday})).into_response()
}

async fn get_workday(Extension(j): Shared) -> Response {
    workday_view(&j.state())
}

#[derive(Deserialize)]
struct WorkdayReq {
    open: bool,
}

async fn set_workday(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let req: WorkdayReq = parse(&body)?;
    let mut s = j.state();
    if req.open {
        s.open_workday();
    } else {
        s.close_workday();
    }
    Ok(workday_view(&s))
}

async fn get_menu(Extension(j): Shared) -> Response {
    let s = j.state();
    Json(json!({
        "status": "ok",
        "data": s.menu.data,
        "menu": s.menu.menu,
        "sold_out": s.menu.sold_out,
    }))
    .into_response()
}

async fn set_menu(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let doc = MenuDoc::from_json(&String::from_utf8_lossy(&body))
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut s = j.state();
    s.replace_menu(doc);
    Ok(Json(json!({"settingsDate": s.menu.settings_date()})).into_response())
}

#[derive(Deserialize)]
struct PriceReq {
    uid: String,
    #[serde(with = "rust_decimal::serde::str")]
    price: Decimal,
}

async fn set_price(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let req: PriceReq = parse(&body)?;
    let mut s = j.state();
    if !s.set_price(&req.uid, req.price) {
        return Err(unknown_product(&req.uid));
    }
    Ok(Json(json!({"settingsDate": s.menu.settings_date()})).into_response())
}

#[derive(Deserialize)]
struct SoldOutReq {
    uid: String,
    sold_out: bool,
}

async fn set_sold_out(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let req: SoldOutReq = parse(&body)?;
    let mut s = j.state();
    if !s.set_sold_out(&req.uid, req.sold_out) {
        return Err(unknown_product(&req.uid));
    }
    Ok(Json(json!({
        "uid": req.uid,
        "sold_out": req.sold_out,
        "settingsDate": s.menu.settings_date(),
    }))
    .into_response())
}

async fn get_config(Extension(j): Shared) -> Response {
    Json(j.state().settings.clone()).into_response()
}

/// Every field optional: only the given switches change.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct ConfigPatch {
    server_ids: Option<Vec<String>>,
    staff: Option<Vec<Staff>>,
    clients: Option<Vec<LoyaltyClient>>,
    discounts: Option<Vec<DiscountRule>>,
    strict_close: Option<bool>,
    trust_client_prices: Option<bool>,
    login_requires_workday: Option<bool>,
    /// `null` removes the limit, which a plain `Option<Option<_>>` would read as "absent".
    #[serde(deserialize_with = "present")]
    lock_ttl_seconds: Option<Option<u64>>,
    quirks: Option<Quirks>,
}

async fn patch_config(Extension(j): Shared, body: Bytes) -> Result<Response, ApiError> {
    let p: ConfigPatch = parse(&body)?;
    let mut s = j.state();
    let c: &mut JupiterSettings = &mut s.settings;
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = p.$f { c.$f = v; } )* };
    }
    set!(
        server_ids,
        staff,
        clients,
        discounts,
        strict_close,
        trust_client_prices,
        login_requires_workday,
        lock_ttl_seconds,
        quirks
    );
    Ok(Json(c.clone()).into_response())
}

/// A field that is present, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
