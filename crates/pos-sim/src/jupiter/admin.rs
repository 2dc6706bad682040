//! Admin endpoints of the Jupiter simulator under `/_sim/`: what staff, a manager or the
//! network would do to the simulated restaurant, for tests and demos.
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_sim/orders` | every order: the ORDER_JSON plus owner, lock, bill, closed flags |
//! | `POST /_sim/orders` `{"owner","name","lines":[{"product_uid","quantity"}]}` | an order opened at the cash desk (Jupiter uid, no JPOS id) |
//! | `POST /_sim/orders/{uid}/close` `{"pay_type_uid"?}` | staff close the order in Jupiter |
//! | `GET /_sim/prints` | kitchen tickets and bills printed so far |
//! | `GET/POST /_sim/workday` `{"open": bool}` | open (a new workday uid) or close the workday |
//! | `GET/POST /_sim/menu` | read / replace the getTT document (settingsDate moves on) |
//! | `POST /_sim/menu/price` `{"uid","price"}` | edit a price (settingsDate moves on) |
//! | `GET/POST /_sim/config` | read / patch [`JupiterSettings`] (staff, clients, discounts, quirks…) |
//! | `GET/POST/DELETE /_sim/faults` | the shared fault table, `method` = a JPOS command or `*` |
//! | `GET/POST /_sim/payment`, `GET /_sim/payments` | the payment simulator, as in ProCart mode |
//!
//! The ProCart admin router is not mounted in Jupiter mode (its `/_sim/orders` means ProCart
//! orders), so the common faults and payment endpoints are served here with the same shapes.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::menu::MenuDoc;
use super::state::{DiscountRule, JupiterSettings, Quirks, Staff};
use super::{JupiterSim, LoyaltyClient};
use crate::faults::Fault;
use crate::payment::PaymentOutcomeMode;
use crate::state::{lock, Sim};

type Shared = Extension<Arc<JupiterSim>>;

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/orders", get(orders).post(open_order))
        .route("/_sim/orders/{uid}/close", post(close_order))
        .route("/_sim/prints", get(prints))
        .route("/_sim/workday", get(get_workday).post(set_workday))
        .route("/_sim/menu", get(get_menu).post(set_menu))
        .route("/_sim/menu/price", post(set_price))
        .route("/_sim/config", get(get_config).post(patch_config))
        .route(
            "/_sim/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/_sim/payment", get(get_payment).post(set_payment))
        .route("/_sim/payments", get(payments))
}

fn bad(message: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.to_string()})),
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
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

async fn open_order(Extension(j): Shared, body: Bytes) -> Response {
    let req: CashDeskOrder = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let items: Vec<(String, Decimal)> = req
        .lines
        .into_iter()
        .map(|l| (l.product_uid, l.quantity))
        .collect();
    let result = j
        .state()
        .open_cash_desk_order(&req.owner, &req.name, &items);
    match result {
        Ok(uid) => Json(json!({"uid": uid})).into_response(),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize, Default)]
struct CloseReq {
    #[serde(default)]
    pay_type_uid: Option<String>,
}

async fn close_order(Extension(j): Shared, Path(uid): Path<String>, body: Bytes) -> Response {
    let req: CloseReq = if body.is_empty() {
        CloseReq::default()
    } else {
        match parse(&body) {
            Ok(r) => r,
            Err(e) => return bad(e),
        }
    };
    let pay = req.pay_type_uid.unwrap_or_else(|| "2:1:0:24".into());
    let result = j.state().close_order(&uid, &pay);
    match result {
        Ok(()) => Json(json!({"closed": uid})).into_response(),
        Err(e) => (StatusCode::NOT_FOUND, Json(json!({"error": e}))).into_response(),
    }
}

async fn prints(Extension(j): Shared) -> Response {
    Json(json!({"prints": j.state().prints})).into_response()
}

async fn get_workday(Extension(j): Shared) -> Response {
    let s = j.state();
    Json(json!({"open": s.workday.is_some(), "workday_id": s.workday})).into_response()
}

#[derive(Deserialize)]
struct WorkdayReq {
    open: bool,
}

async fn set_workday(Extension(j): Shared, body: Bytes) -> Response {
    let req: WorkdayReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let mut s = j.state();
    if req.open {
        s.open_workday();
    } else {
        s.close_workday();
    }
    Json(json!({"open": s.workday.is_some(), "workday_id": s.workday})).into_response()
}

async fn get_menu(Extension(j): Shared) -> Response {
    let s = j.state();
    Json(json!({"status": "ok", "data": s.menu.data, "menu": s.menu.menu})).into_response()
}

async fn set_menu(Extension(j): Shared, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match MenuDoc::from_json(&text) {
        Ok(doc) => {
            let mut s = j.state();
            s.replace_menu(doc);
            Json(json!({"settingsDate": s.menu.settings_date()})).into_response()
        }
        Err(e) => bad(e),
    }
}

#[derive(Deserialize)]
struct PriceReq {
    uid: String,
    #[serde(with = "rust_decimal::serde::str")]
    price: Decimal,
}

async fn set_price(Extension(j): Shared, body: Bytes) -> Response {
    let req: PriceReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let mut s = j.state();
    if s.set_price(&req.uid, req.price) {
        Json(json!({"settingsDate": s.menu.settings_date()})).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no product {}", req.uid)})),
        )
            .into_response()
    }
}

async fn get_config(Extension(j): Shared) -> Response {
    Json(j.state().settings.clone()).into_response()
}

/// Every field optional: only the given switches change.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    server_ids: Option<Vec<String>>,
    staff: Option<Vec<Staff>>,
    clients: Option<Vec<LoyaltyClient>>,
    discounts: Option<Vec<DiscountRule>>,
    strict_close: Option<bool>,
    trust_client_prices: Option<bool>,
    login_requires_workday: Option<bool>,
    lock_ttl_seconds: Option<Option<u64>>,
    quirks: Option<Quirks>,
}

async fn patch_config(Extension(j): Shared, body: Bytes) -> Response {
    let p: ConfigPatch = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let mut s = j.state();
    let c: &mut JupiterSettings = &mut s.settings;
    if let Some(v) = p.server_ids {
        c.server_ids = v;
    }
    if let Some(v) = p.staff {
        c.staff = v;
    }
    if let Some(v) = p.clients {
        c.clients = v;
    }
    if let Some(v) = p.discounts {
        c.discounts = v;
    }
    if let Some(v) = p.strict_close {
        c.strict_close = v;
    }
    if let Some(v) = p.trust_client_prices {
        c.trust_client_prices = v;
    }
    if let Some(v) = p.login_requires_workday {
        c.login_requires_workday = v;
    }
    if let Some(v) = p.lock_ttl_seconds {
        c.lock_ttl_seconds = v;
    }
    if let Some(v) = p.quirks {
        c.quirks = v;
    }
    Json(c.clone()).into_response()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultsReq {
    Many(Vec<Fault>),
    One(Fault),
}

async fn list_faults(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({ "faults": lock(&sim.faults).list() })).into_response()
}

async fn add_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let req: FaultsReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let list = match req {
        FaultsReq::Many(v) => v,
        FaultsReq::One(f) => vec![f],
    };
    let mut faults = lock(&sim.faults);
    for f in list {
        tracing::info!(?f, "fault injected");
        faults.add(f);
    }
    Json(json!({ "faults": faults.list() })).into_response()
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    lock(&sim.faults).clear();
    Json(json!({ "faults": [] })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentPatch {
    outcome: Option<PaymentOutcomeMode>,
    delay_ms: Option<u64>,
    hang_ms: Option<u64>,
}

async fn get_payment(State(sim): State<Arc<Sim>>) -> Response {
    Json(lock(&sim.payment_cfg).clone()).into_response()
}

async fn set_payment(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let p: PaymentPatch = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let mut c = lock(&sim.payment_cfg);
    if let Some(o) = p.outcome {
        c.outcome = o;
    }
    if let Some(d) = p.delay_ms {
        c.delay_ms = d;
    }
    if let Some(h) = p.hang_ms {
        c.hang_ms = h;
    }
    Json(c.clone()).into_response()
}

async fn payments(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({ "payments": lock(&sim.payments).views() })).into_response()
}
