//! A simulated card-payment provider on the same listener (`/paysim/v1/...`).
//!
//! The kiosk's `payments` crate drives it like a real acquirer, so it models what matters for
//! "never charge twice, never lose a charge":
//! * every attempt is keyed by the caller's `attempt_id`; a repeated create returns the stored
//!   record and never charges again;
//! * while the customer "taps the card" (`delay_ms`) the attempt is `pending` and visible by GET;
//! * `timeout` records the charge as approved and then withholds the answer for `hang_ms`, so
//!   the client times out with the outcome unknown and must ask by `attempt_id`;
//! * cancel reverses an approved charge, refunds are idempotent per attempt;
//! * `GET /_sim/payments` lists everything with the net amount charged, for tests to assert
//!   that nothing was charged or that every charge was refunded.
//!
//! Amounts are decimal strings here (the provider's own wire format), never floats.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::faults::{guard, sleep_or_stop};
use crate::money::{de_opt_decimal, money_string};
use crate::net::ConnHandle;
use crate::state::{lock, Sim};

/// What the simulated terminal does with the next payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOutcomeMode {
    #[default]
    Approve,
    /// Declined by the bank: "Недостаточно средств".
    Decline,
    /// The customer cancelled on the terminal.
    Cancel,
    /// Charged, but the answer is held for `hang_ms`.
    Timeout,
}

impl std::str::FromStr for PaymentOutcomeMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "approve" => Ok(PaymentOutcomeMode::Approve),
            "decline" => Ok(PaymentOutcomeMode::Decline),
            "cancel" => Ok(PaymentOutcomeMode::Cancel),
            "timeout" => Ok(PaymentOutcomeMode::Timeout),
            other => Err(format!(
                "unknown payment outcome {other:?} (approve, decline, cancel, timeout)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayStatus {
    Pending,
    Approved,
    Declined,
    Cancelled,
}

#[derive(Debug, Clone)]
struct Refund {
    refund_id: String,
    amount: Decimal,
    created_at: String,
}

#[derive(Debug, Clone)]
struct Record {
    attempt_id: String,
    order_ref: String,
    amount: Decimal,
    description: String,
    status: PayStatus,
    transaction_id: Option<String>,
    auth_code: Option<String>,
    card_mask: Option<String>,
    rrn: Option<String>,
    paid_at: Option<String>,
    reason: Option<String>,
    created_at: String,
    /// An approved charge that was cancelled afterwards: the money went back.
    reversed: bool,
    refunds: Vec<Refund>,
}

/// The attempt as the provider's API returns it.
#[derive(Debug, Clone, Serialize)]
struct PaymentResp {
    attempt_id: String,
    status: PayStatus,
    amount: String,
    transaction_id: Option<String>,
    auth_code: Option<String>,
    card_mask: Option<String>,
    rrn: Option<String>,
    paid_at: Option<String>,
    reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct RefundResp {
    attempt_id: String,
    refund_id: String,
    status: &'static str,
    amount: String,
}

/// An attempt as the admin view shows it, with refunds and the net amount charged.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentRecordView {
    pub attempt_id: String,
    pub order_ref: String,
    pub amount: String,
    pub description: String,
    pub status: String,
    pub transaction_id: Option<String>,
    pub auth_code: Option<String>,
    pub card_mask: Option<String>,
    pub rrn: Option<String>,
    pub paid_at: Option<String>,
    pub reason: Option<String>,
    pub created_at: String,
    pub reversed: bool,
    pub refunds: Vec<RefundView>,
    /// What the customer is out of pocket now: approved − reversed − refunded.
    pub charged: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RefundView {
    pub refund_id: String,
    pub amount: String,
    pub created_at: String,
}

impl Record {
    fn resp(&self) -> PaymentResp {
        PaymentResp {
            attempt_id: self.attempt_id.clone(),
            status: self.status,
            amount: money_string(self.amount),
            transaction_id: self.transaction_id.clone(),
            auth_code: self.auth_code.clone(),
            card_mask: self.card_mask.clone(),
            rrn: self.rrn.clone(),
            paid_at: self.paid_at.clone(),
            reason: self.reason.clone(),
        }
    }

    fn charged(&self) -> Decimal {
        if self.status != PayStatus::Approved || self.reversed {
            return Decimal::ZERO;
        }
        self.amount - self.refunds.iter().map(|r| r.amount).sum::<Decimal>()
    }

    fn view(&self) -> PaymentRecordView {
        let status = serde_json::to_value(self.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        PaymentRecordView {
            attempt_id: self.attempt_id.clone(),
            order_ref: self.order_ref.clone(),
            amount: money_string(self.amount),
            description: self.description.clone(),
            status,
            transaction_id: self.transaction_id.clone(),
            auth_code: self.auth_code.clone(),
            card_mask: self.card_mask.clone(),
            rrn: self.rrn.clone(),
            paid_at: self.paid_at.clone(),
            reason: self.reason.clone(),
            created_at: self.created_at.clone(),
            reversed: self.reversed,
            refunds: self
                .refunds
                .iter()
                .map(|r| RefundView {
                    refund_id: r.refund_id.clone(),
                    amount: money_string(r.amount),
                    created_at: r.created_at.clone(),
                })
                .collect(),
            charged: money_string(self.charged()),
        }
    }
}

/// All attempts, in creation order.
#[derive(Debug, Default)]
pub struct PaymentStore {
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
    seq: u64,
}

impl PaymentStore {
    fn get(&self, id: &str) -> Option<&Record> {
        self.by_id.get(id).map(|&i| &self.records[i])
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Record> {
        match self.by_id.get(id) {
            Some(&i) => Some(&mut self.records[i]),
            None => None,
        }
    }

    fn insert(&mut self, r: Record) {
        self.by_id.insert(r.attempt_id.clone(), self.records.len());
        self.records.push(r);
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn views(&self) -> Vec<PaymentRecordView> {
        self.records.iter().map(Record::view).collect()
    }
}

#[derive(Debug, Deserialize)]
struct CreateReq {
    #[serde(default)]
    attempt_id: String,
    #[serde(default)]
    order_ref: String,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    amount: Option<Decimal>,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize, Default)]
struct RefundReq {
    #[serde(default, deserialize_with = "de_opt_decimal")]
    amount: Option<Decimal>,
}

fn err(status: StatusCode, error: &str, detail: impl Into<String>) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": error, "detail": detail.into() })),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({ "error": "not_found" })),
    )
        .into_response()
}

fn valid_amount(a: Decimal) -> bool {
    a > Decimal::ZERO && a.normalize().scale() <= 2
}

async fn create(
    State(sim): State<Arc<Sim>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    body: Bytes,
) -> Response {
    let fired = lock(&sim.faults).take("payments");
    let stopping = sim.stopping.clone();
    guard(fired, &conn, stopping, false, |_| {
        create_inner(sim.clone(), body)
    })
    .await
}

async fn create_inner(sim: Arc<Sim>, body: Bytes) -> Response {
    let req: CreateReq = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return err(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    if req.attempt_id.trim().is_empty() {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "attempt_id is required",
        );
    }
    let Some(amount) = req.amount.filter(|a| valid_amount(*a)) else {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_amount",
            "amount must be a positive decimal with at most 2 decimals",
        );
    };
    let cfg = lock(&sim.payment_cfg).clone();
    {
        let mut store = lock(&sim.payments);
        if let Some(existing) = store.get(&req.attempt_id) {
            if existing.amount != amount {
                return err(
                    StatusCode::CONFLICT,
                    "attempt_conflict",
                    format!(
                        "attempt {} was made for {}",
                        existing.attempt_id,
                        money_string(existing.amount)
                    ),
                );
            }
            // Idempotent: the stored record, whatever its state; never a second charge.
            return Json(existing.resp()).into_response();
        }
        let created_at = crate::clock::now_local_string();
        store.insert(Record {
            attempt_id: req.attempt_id.clone(),
            order_ref: req.order_ref.clone(),
            amount,
            description: req.description.clone(),
            status: PayStatus::Pending,
            transaction_id: None,
            auth_code: None,
            card_mask: None,
            rrn: None,
            paid_at: None,
            reason: None,
            created_at,
            reversed: false,
            refunds: Vec::new(),
        });
    }
    let mut stopping = sim.stopping.clone();
    if cfg.delay_ms > 0 {
        sleep_or_stop(Duration::from_millis(cfg.delay_ms), &mut stopping).await;
    }
    let resp = {
        let mut store = lock(&sim.payments);
        let seq = store.next_seq();
        let Some(rec) = store.get_mut(&req.attempt_id) else {
            return not_found();
        };
        if rec.status == PayStatus::Pending {
            decide(rec, cfg.outcome, seq);
        }
        rec.resp()
    };
    tracing::info!(attempt = %resp.attempt_id, status = ?resp.status, amount = %resp.amount, "payment");
    if cfg.outcome == PaymentOutcomeMode::Timeout {
        sleep_or_stop(Duration::from_millis(cfg.hang_ms), &mut stopping).await;
    }
    Json(resp).into_response()
}

fn decide(rec: &mut Record, outcome: PaymentOutcomeMode, seq: u64) {
    let now = crate::clock::now_local_string();
    // Deterministic, plausible-looking acquiring data.
    let n = seq + 100_000;
    rec.transaction_id = Some(format!("SIM-{:08}", n));
    rec.card_mask = Some(format!("220220******{:04}", 1234 + (seq % 7) * 1111 % 9000));
    match outcome {
        PaymentOutcomeMode::Approve | PaymentOutcomeMode::Timeout => {
            rec.status = PayStatus::Approved;
            rec.auth_code = Some(format!("{:06}", (n * 7919) % 1_000_000));
            rec.rrn = Some(format!("{:012}", 412_300_000_000u64 + n));
            rec.paid_at = Some(now);
            rec.reason = None;
        }
        PaymentOutcomeMode::Decline => {
            rec.status = PayStatus::Declined;
            rec.reason = Some("Недостаточно средств".into());
        }
        PaymentOutcomeMode::Cancel => {
            rec.status = PayStatus::Cancelled;
            rec.card_mask = None;
            rec.reason = Some("Покупатель отменил оплату".into());
        }
    }
}

async fn status(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    match lock(&sim.payments).get(&id) {
        Some(r) => Json(r.resp()).into_response(),
        None => not_found(),
    }
}

async fn cancel(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let mut store = lock(&sim.payments);
    let Some(rec) = store.get_mut(&id) else {
        return not_found();
    };
    if !rec.refunds.is_empty() {
        return err(
            StatusCode::CONFLICT,
            "already_refunded",
            "the payment was refunded; it cannot be cancelled",
        );
    }
    match rec.status {
        PayStatus::Approved => {
            rec.reversed = true;
            rec.status = PayStatus::Cancelled;
            rec.reason = Some("Платёж отменён (возврат средств)".into());
        }
        PayStatus::Pending | PayStatus::Declined => {
            rec.status = PayStatus::Cancelled;
            rec.reason = Some("Платёж отменён".into());
        }
        PayStatus::Cancelled => {}
    }
    Json(rec.resp()).into_response()
}

async fn refund(State(sim): State<Arc<Sim>>, Path(id): Path<String>, body: Bytes) -> Response {
    let req: RefundReq = if body.iter().all(|b| b.is_ascii_whitespace()) {
        RefundReq::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return err(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
        }
    };
    let mut store = lock(&sim.payments);
    let seq = store.next_seq();
    let Some(rec) = store.get_mut(&id) else {
        return not_found();
    };
    if let Some(r) = rec.refunds.first() {
        // Idempotent per attempt: the refund already made.
        return Json(RefundResp {
            attempt_id: rec.attempt_id.clone(),
            refund_id: r.refund_id.clone(),
            status: "refunded",
            amount: money_string(r.amount),
        })
        .into_response();
    }
    if rec.status != PayStatus::Approved || rec.reversed {
        return err(
            StatusCode::CONFLICT,
            "not_approved",
            "only an approved payment can be refunded",
        );
    }
    let amount = req.amount.unwrap_or(rec.amount);
    if !valid_amount(amount) || amount > rec.amount {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_amount",
            format!("refund must be from 0.01 to {}", money_string(rec.amount)),
        );
    }
    let refund = Refund {
        refund_id: format!("SIMR-{:08}", seq + 500_000),
        amount,
        created_at: crate::clock::now_local_string(),
    };
    let resp = RefundResp {
        attempt_id: rec.attempt_id.clone(),
        refund_id: refund.refund_id.clone(),
        status: "refunded",
        amount: money_string(amount),
    };
    rec.refunds.push(refund);
    Json(resp).into_response()
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/paysim/v1/payments", post(create))
        .route("/paysim/v1/payments/{attempt_id}", get(status))
        .route("/paysim/v1/payments/{attempt_id}/cancel", post(cancel))
        .route("/paysim/v1/payments/{attempt_id}/refund", post(refund))
}
