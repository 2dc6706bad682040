//! Admin endpoints under `/_sim/` that both POS modes serve: fault injection and the payment
//! terminal. Not part of any POS protocol, no token.
//!
//! | Route | Does |
//! |---|---|
//! | `GET/POST/DELETE /_sim/faults` | list / add (one or an array) / clear injected faults |
//! | `GET/POST /_sim/payment` `{"outcome", "delay_ms", "hang_ms"}` | payment terminal behaviour |
//! | `GET /_sim/payments` | every payment attempt with refunds and the net amount charged |
//!
//! The fault table, the terminal and the payments live in the shared `Sim`, whichever POS is
//! played, so one router serves them; each POS adds its own admin routes next to these
//! ([`crate::procart`]'s orders and stop-list, [`crate::jupiter`]'s workday, menu and prints).
//! Every admin error, in either mode, is the simulator's envelope
//! `{"detail", "code"}` ([`ApiError`]): 422 `BAD_REQUEST` for a body that cannot be read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::faults::Fault;
use crate::payment::PaymentOutcomeMode;
use crate::state::{lock, Sim};

/// Reads an admin request body; unreadable JSON is a 422 `BAD_REQUEST`.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("bad request: {e}")))
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

async fn add_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, ApiError> {
    let list = match parse(&body)? {
        FaultsReq::Many(v) => v,
        FaultsReq::One(f) => vec![f],
    };
    let mut faults = lock(&sim.faults);
    for f in list {
        tracing::info!(?f, "fault injected");
        faults.add(f);
    }
    Ok(Json(json!({ "faults": faults.list() })).into_response())
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    lock(&sim.faults).clear();
    Json(json!({ "faults": [] })).into_response()
}

/// Every field optional: only the given switches change.
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

async fn set_payment(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, ApiError> {
    let p: PaymentPatch = parse(&body)?;
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
    Ok(Json(c.clone()).into_response())
}

async fn payments(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({ "payments": lock(&sim.payments).views() })).into_response()
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/_sim/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/_sim/payment", get(get_payment).post(set_payment))
        .route("/_sim/payments", get(payments))
}
