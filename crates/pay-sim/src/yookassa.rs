//! YooKassa API v3 (SBP with QR confirmation) as an HTTP server under `/v3`.
//!
//! What it reproduces (reference `payments.md` §3.6 and §5):
//! - HTTP Basic auth (`shop_id:secret_key`), 401 otherwise;
//! - `POST /v3/payments`, `GET /v3/payments/{id}`, `POST /v3/payments/{id}/cancel`,
//!   `POST /v3/refunds`, `GET /v3/refunds/{id}`;
//! - the `Idempotence-Key` store on every POST: the same key with the same request returns the
//!   stored answer (even when the payment has moved on since); the same key with another
//!   request is a 400; keys expire after 24 h of the sim clock. 2xx and 4xx answers are stored;
//!   5xx and 202 are not (the client repeats with the same key);
//! - the SBP status model: `pending` → `succeeded` | `canceled` (`expired_on_confirmation`
//!   after the one-hour window, or a rejection); `capture: false` is refused (SBP has no
//!   two-stage payments), and `/cancel` of a `pending` payment is refused;
//! - refunds (full and partial, at most what is left), `succeeded` at once or `pending` until
//!   the admin settles them;
//! - webhooks (`payment.succeeded`, `payment.canceled`, `refund.succeeded`) to a configured URL,
//!   retried until a 2xx, optionally duplicated or replayed out of order;
//! - faults per method (`create_payment`, `get_payment`, `cancel_payment`, `create_refund`,
//!   `get_refund`): 500, hang, 202 `processing`, commit-then-500, commit-then-hang.
//!
//! Admin routes (no auth), each calling the same code as [`YookassaControl`]:
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_sim/payments` | every payment with refunds and the net amount charged |
//! | `POST /_sim/payments/{id or attempt id}/{pay\|reject\|expire}` | the customer pays the QR (or the bank rejects, or it expires) |
//! | `POST /_sim/next` `{"outcome": "pay"\|"reject"\|"expire"\|null}` | applied right after the next payment is created |
//! | `POST /_sim/refunds/{id}/{succeed\|cancel}` | settles a pending refund |
//! | `GET/POST/DELETE /_sim/faults` | list / add (one or an array) / clear faults |
//! | `POST /_sim/clock` `{"advance_s": n}` | moves the clock (SBP window, key expiry) |
//! | `GET /_sim/notifications` | every webhook delivery attempt |
//! | `GET/POST /_sim/config` | read / patch the switches |

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::clock::{iso_utc, SimClock};
use crate::faults::{guard, has, Fault, FaultKind, FaultResponses, FaultTable};
use crate::notify::{Acceptance, Delivery, Notifier, NotifySettings};
use crate::{lock, SimServer};

pub const DEMO_SHOP_ID: &str = "100500";
pub const DEMO_SECRET_KEY: &str = "test_kiosk_secret_key";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct YookassaSimConfig {
    pub shop_id: String,
    pub secret_key: String,
    /// Where webhooks go; none by default.
    pub webhook_url: Option<String>,
    /// How long an idempotence key is remembered.
    pub key_ttl_s: i64,
    /// How long an SBP payment can be paid before YooKassa cancels it.
    pub sbp_window_s: i64,
    /// Refunds stay `pending` until settled through the admin API.
    pub refunds_pending: bool,
    pub notify: NotifySettings,
    /// Demos: a pending payment is paid by itself this long after it was first read (the kiosk
    /// reads it to show its QR), as if a customer scanned the QR with a bank app. Off by default.
    pub auto_pay_after_ms: Option<u64>,
}

impl Default for YookassaSimConfig {
    fn default() -> Self {
        YookassaSimConfig {
            shop_id: DEMO_SHOP_ID.into(),
            secret_key: DEMO_SECRET_KEY.into(),
            webhook_url: None,
            key_ttl_s: 24 * 3600,
            sbp_window_s: 3600,
            refunds_pending: false,
            notify: NotifySettings::default(),
            auto_pay_after_ms: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YookassaOutcome {
    Pay,
    Reject,
    Expire,
}

#[derive(Debug, Clone)]
struct YkPayment {
    id: String,
    status: String,
    amount: i64,
    description: String,
    metadata: Value,
    created_at: OffsetDateTime,
    captured_at: Option<OffsetDateTime>,
    cancellation: Option<(String, String)>,
    refunded: i64,
    qr: String,
    history: Vec<String>,
    /// When it was first read (real time), for `auto_pay_after_ms`.
    first_read: Option<std::time::Instant>,
}

#[derive(Debug, Clone)]
struct YkRefund {
    id: String,
    payment_id: String,
    status: String,
    amount: i64,
    created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
struct IdemEntry {
    path: String,
    request: Value,
    status: StatusCode,
    body: Value,
    at: OffsetDateTime,
}

/// A payment as the admin view shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YkPaymentView {
    pub id: String,
    pub attempt_id: Option<String>,
    pub status: String,
    pub amount: String,
    pub refunded: String,
    /// What the customer is out of pocket now.
    pub charged: String,
    pub cancellation_reason: Option<String>,
    pub refunds: Vec<YkRefundView>,
    pub history: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YkRefundView {
    pub id: String,
    pub status: String,
    pub amount: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum YookassaSimError {
    #[error("no payment or refund {0}")]
    NotFound(String),
    #[error("{id} is {status}; cannot {action}")]
    InvalidState {
        id: String,
        status: String,
        action: String,
    },
}

struct Sim {
    cfg: Mutex<YookassaSimConfig>,
    payments: Mutex<Vec<YkPayment>>,
    refunds: Mutex<Vec<YkRefund>>,
    keys: Mutex<HashMap<String, IdemEntry>>,
    seq: AtomicU64,
    next_outcome: Mutex<Option<YookassaOutcome>>,
    faults: Mutex<FaultTable>,
    clock: SimClock,
    notifier: Notifier,
    stopping: watch::Receiver<bool>,
}

/// `"849.10"` → 84910; at most two decimals, positive.
pub fn parse_kopecks(text: &str) -> Option<i64> {
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

pub fn format_kopecks(k: i64) -> String {
    format!("{}.{:02}", k / 100, k % 100)
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn error(
    status: StatusCode,
    code: &str,
    description: &str,
    parameter: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({
        "type": "error",
        "id": format!("{:x}", time::OffsetDateTime::now_utc().unix_timestamp_nanos()),
        "code": code,
        "description": description,
    });
    if let Some(p) = parameter {
        body["parameter"] = Value::String(p.to_string());
    }
    (status, body)
}

fn respond((status, body): (StatusCode, Value)) -> Response {
    (status, Json(body)).into_response()
}

struct Responses;

impl FaultResponses for Responses {
    fn internal_error(&self) -> Response {
        respond(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "Internal server error (simulated)",
            None,
        ))
    }
    fn processing(&self) -> Response {
        (
            StatusCode::ACCEPTED,
            Json(json!({
                "type": "processing",
                "description": "Request accepted, but not processed yet. Repeat the request with the same Idempotence-Key",
                "retry_after": 100,
            })),
        )
            .into_response()
    }
    fn gateway_timeout(&self) -> Response {
        (StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout").into_response()
    }
}

impl Sim {
    fn payment_json(&self, p: &YkPayment) -> Value {
        let cfg = lock(&self.cfg);
        let mut v = json!({
            "id": p.id,
            "status": p.status,
            "paid": p.status == "succeeded",
            "amount": { "value": format_kopecks(p.amount), "currency": "RUB" },
            "description": p.description,
            "recipient": { "account_id": cfg.shop_id, "gateway_id": "2000001" },
            "payment_method": { "type": "sbp", "id": p.id, "saved": false },
            "created_at": iso_utc(p.created_at),
            "test": false,
            "refundable": p.status == "succeeded" && p.refunded < p.amount,
            "metadata": p.metadata,
        });
        if p.status == "pending" {
            v["confirmation"] = json!({ "type": "qr", "confirmation_data": p.qr });
        }
        if let Some(t) = p.captured_at {
            v["captured_at"] = Value::String(iso_utc(t));
            v["income_amount"] = json!({ "value": format_kopecks(p.amount - p.amount * 7 / 1000), "currency": "RUB" });
        }
        if p.refunded > 0 {
            v["refunded_amount"] =
                json!({ "value": format_kopecks(p.refunded), "currency": "RUB" });
        }
        if let Some((party, reason)) = &p.cancellation {
            v["cancellation_details"] = json!({ "party": party, "reason": reason });
        }
        v
    }

    fn refund_json(&self, r: &YkRefund) -> Value {
        json!({
            "id": r.id,
            "payment_id": r.payment_id,
            "status": r.status,
            "amount": { "value": format_kopecks(r.amount), "currency": "RUB" },
            "created_at": iso_utc(r.created_at),
        })
    }

    fn webhook(&self, event: &str, subject: &str, object: Value) {
        let url = lock(&self.cfg).webhook_url.clone();
        if let Some(url) = url {
            self.notifier.send(
                &url,
                subject,
                json!({ "type": "notification", "event": event, "object": object }),
            );
        }
    }

    fn transition(&self, p: &mut YkPayment, status: &str, cancellation: Option<(&str, &str)>) {
        tracing::info!(payment = %p.id, from = %p.status, to = %status, "YooKassa payment");
        p.status = status.to_string();
        p.history.push(status.to_string());
        if status == "succeeded" {
            p.captured_at = Some(self.clock.now());
        }
        p.cancellation = cancellation.map(|(a, b)| (a.to_string(), b.to_string()));
        let event = match status {
            "succeeded" => "payment.succeeded",
            "canceled" => "payment.canceled",
            _ => "payment.waiting_for_capture",
        };
        let body = self.payment_json(p);
        self.webhook(event, &p.id, body);
    }

    fn refresh(&self, p: &mut YkPayment) {
        let window = lock(&self.cfg).sbp_window_s;
        if p.status == "pending"
            && self.clock.now() > p.created_at + time::Duration::seconds(window)
        {
            self.transition(
                p,
                "canceled",
                Some(("yoo_money", "expired_on_confirmation")),
            );
        }
    }

    fn apply(&self, p: &mut YkPayment, outcome: YookassaOutcome) -> Result<(), YookassaSimError> {
        self.refresh(p);
        if p.status != "pending" {
            return Err(YookassaSimError::InvalidState {
                id: p.id.clone(),
                status: p.status.clone(),
                action: format!("{outcome:?}").to_lowercase(),
            });
        }
        match outcome {
            YookassaOutcome::Pay => self.transition(p, "succeeded", None),
            YookassaOutcome::Reject => {
                self.transition(p, "canceled", Some(("payment_network", "general_decline")))
            }
            YookassaOutcome::Expire => self.transition(
                p,
                "canceled",
                Some(("yoo_money", "expired_on_confirmation")),
            ),
        }
        Ok(())
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let cfg = lock(&self.cfg);
        let expected = format!(
            "Basic {}",
            base64(format!("{}:{}", cfg.shop_id, cfg.secret_key).as_bytes())
        );
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == expected)
    }

    /// Runs a POST under the idempotence rules.
    fn idempotent(
        &self,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        f: impl FnOnce(&Sim, &Value) -> (StatusCode, Value),
    ) -> Response {
        let Some(key) = headers
            .get("idempotence-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            return respond(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Idempotence-Key header is missing",
                Some("Idempotence-Key"),
            ));
        };
        if key.is_empty() || key.len() > 64 {
            return respond(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Idempotence-Key must be 1 to 64 characters",
                Some("Idempotence-Key"),
            ));
        }
        let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return respond(error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        &format!("Request body is not JSON: {e}"),
                        None,
                    ))
                }
            }
        };
        let ttl = lock(&self.cfg).key_ttl_s;
        let now = self.clock.now();
        // Held through the work, so two requests with one key cannot both do it.
        let mut keys = lock(&self.keys);
        if let Some(e) = keys.get(&key) {
            if now - e.at < time::Duration::seconds(ttl) {
                if e.path == path && e.request == request {
                    tracing::info!(key = %key, path = %path, "idempotent replay");
                    return (e.status, Json(e.body.clone())).into_response();
                }
                return respond(error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Idempotence-Key was already used with other request parameters",
                    Some("Idempotence-Key"),
                ));
            }
        }
        let (status, answer) = f(self, &request);
        if status.is_success() || status.is_client_error() {
            keys.insert(
                key,
                IdemEntry {
                    path: path.to_string(),
                    request,
                    status,
                    body: answer.clone(),
                    at: now,
                },
            );
        }
        (status, Json(answer)).into_response()
    }

    fn create_payment(&self, req: &Value) -> (StatusCode, Value) {
        let bad = |d: &str, p: &str| error(StatusCode::BAD_REQUEST, "invalid_request", d, Some(p));
        let Some(amount) = req["amount"]["value"]
            .as_str()
            .and_then(parse_kopecks)
            .filter(|a| *a > 0)
        else {
            return bad(
                "amount.value must be a positive decimal string with at most 2 decimals",
                "amount.value",
            );
        };
        if req["amount"]["currency"] != "RUB" {
            return bad("Only RUB is supported", "amount.currency");
        }
        if req["payment_method_data"]["type"] != "sbp" {
            return bad(
                "This shop accepts only SBP in the simulator",
                "payment_method_data.type",
            );
        }
        if req["capture"] != Value::Bool(true) {
            return bad(
                "SBP payments are single-stage: capture must be true",
                "capture",
            );
        }
        if !matches!(
            req["confirmation"]["type"].as_str(),
            Some("qr") | Some("redirect")
        ) {
            return bad(
                "confirmation.type must be qr or redirect",
                "confirmation.type",
            );
        }
        let description = req["description"].as_str().unwrap_or_default().to_string();
        if description.chars().count() > 128 {
            return bad("description is longer than 128 characters", "description");
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let id = format!(
            "{:08x}-000f-5000-9000-{:012x}",
            0x2d1e_a3c8u64 + n,
            0x1b2c_0000_0000u64 + n
        );
        let p = YkPayment {
            id: id.clone(),
            status: "pending".into(),
            amount,
            description,
            metadata: req.get("metadata").cloned().unwrap_or(json!({})),
            created_at: self.clock.now(),
            captured_at: None,
            cancellation: None,
            refunded: 0,
            qr: format!("https://qr.nspk.ru/BS1A00{n:06}?type=02&bank=100000000022&sum={amount}&cur=RUB&crc=C0DE"),
            history: vec!["pending".into()],
            first_read: None,
        };
        tracing::info!(payment = %id, amount, "YooKassa payment created");
        let body = self.payment_json(&p);
        let mut payments = lock(&self.payments);
        payments.push(p);
        // A forced outcome lands after the answer: the POST says pending, a GET tells the rest.
        if let Some(o) = lock(&self.next_outcome).take() {
            if let Some(p) = payments.last_mut() {
                let _ = self.apply(p, o);
            }
        }
        (StatusCode::OK, body)
    }

    fn cancel_payment(&self, id: &str, pay_first: bool) -> (StatusCode, Value) {
        let mut payments = lock(&self.payments);
        let Some(p) = payments.iter_mut().find(|p| p.id == id) else {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Payment not found",
                Some("payment_id"),
            );
        };
        self.refresh(p);
        if pay_first && p.status == "pending" {
            self.transition(p, "succeeded", None);
        }
        match p.status.as_str() {
            "waiting_for_capture" => {
                self.transition(p, "canceled", Some(("merchant", "canceled_by_merchant")));
                (StatusCode::OK, self.payment_json(p))
            }
            "canceled" => (StatusCode::OK, self.payment_json(p)),
            other => error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!(
                    "Payment in status {other} can't be canceled: only waiting_for_capture can"
                ),
                None,
            ),
        }
    }

    fn create_refund(&self, req: &Value) -> (StatusCode, Value) {
        let Some(payment_id) = req["payment_id"].as_str() else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "payment_id is required",
                Some("payment_id"),
            );
        };
        let Some(amount) = req["amount"]["value"]
            .as_str()
            .and_then(parse_kopecks)
            .filter(|a| *a > 0)
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "amount.value is invalid",
                Some("amount.value"),
            );
        };
        let pending = lock(&self.cfg).refunds_pending;
        let mut payments = lock(&self.payments);
        let Some(p) = payments.iter_mut().find(|p| p.id == payment_id) else {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Payment not found",
                Some("payment_id"),
            );
        };
        self.refresh(p);
        if p.status != "succeeded" {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("Payment in status {} can't be refunded", p.status),
                Some("payment_id"),
            );
        }
        let mut refunds = lock(&self.refunds);
        let reserved: i64 = refunds
            .iter()
            .filter(|r| r.payment_id == payment_id && r.status == "pending")
            .map(|r| r.amount)
            .sum();
        if amount > p.amount - p.refunded - reserved {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Refund amount exceeds the amount left on the payment",
                Some("amount.value"),
            );
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let r = YkRefund {
            id: format!(
                "{:08x}-0015-5000-8000-{:012x}",
                0x3e2f_b4d9u64 + n,
                0x2c3d_0000_0000u64 + n
            ),
            payment_id: payment_id.to_string(),
            status: if pending { "pending" } else { "succeeded" }.into(),
            amount,
            created_at: self.clock.now(),
        };
        if !pending {
            p.refunded += amount;
            self.webhook("refund.succeeded", &r.id, self.refund_json(&r));
        }
        let body = self.refund_json(&r);
        refunds.push(r);
        (StatusCode::OK, body)
    }

    fn view(&self, p: &YkPayment) -> YkPaymentView {
        let refunds = lock(&self.refunds);
        YkPaymentView {
            id: p.id.clone(),
            attempt_id: p.metadata["kiosk_attempt_id"].as_str().map(str::to_string),
            status: p.status.clone(),
            amount: format_kopecks(p.amount),
            refunded: format_kopecks(p.refunded),
            charged: format_kopecks(if p.status == "succeeded" {
                p.amount - p.refunded
            } else {
                0
            }),
            cancellation_reason: p.cancellation.as_ref().map(|c| c.1.clone()),
            refunds: refunds
                .iter()
                .filter(|r| r.payment_id == p.id)
                .map(|r| YkRefundView {
                    id: r.id.clone(),
                    status: r.status.clone(),
                    amount: format_kopecks(r.amount),
                })
                .collect(),
            history: p.history.clone(),
        }
    }
}

/// Drives the simulator from Rust; the admin routes call the same methods.
#[derive(Clone)]
pub struct YookassaControl(Arc<Sim>);

impl YookassaControl {
    pub fn payments(&self) -> Vec<YkPaymentView> {
        let mut payments = lock(&self.0.payments);
        payments
            .iter_mut()
            .map(|p| {
                self.0.refresh(p);
                self.0.view(p)
            })
            .collect()
    }

    /// The payments made for one kiosk attempt (by `metadata.kiosk_attempt_id`).
    pub fn payments_of(&self, attempt_id: &str) -> Vec<YkPaymentView> {
        self.payments()
            .into_iter()
            .filter(|p| p.attempt_id.as_deref() == Some(attempt_id))
            .collect()
    }

    /// `id` is a payment id or a kiosk attempt id (its newest payment).
    pub fn act(
        &self,
        id: &str,
        outcome: YookassaOutcome,
    ) -> Result<YkPaymentView, YookassaSimError> {
        let mut payments = lock(&self.0.payments);
        let p = payments
            .iter_mut()
            .rev()
            .find(|p| p.id == id || p.metadata["kiosk_attempt_id"].as_str() == Some(id))
            .ok_or_else(|| YookassaSimError::NotFound(id.to_string()))?;
        self.0.apply(p, outcome)?;
        Ok(self.0.view(p))
    }

    pub fn pay(&self, id: &str) -> Result<YkPaymentView, YookassaSimError> {
        self.act(id, YookassaOutcome::Pay)
    }

    /// Settles a pending refund (`succeed: false` cancels it).
    pub fn settle_refund(
        &self,
        refund_id: &str,
        succeed: bool,
    ) -> Result<YkRefundView, YookassaSimError> {
        let mut payments = lock(&self.0.payments);
        let mut refunds = lock(&self.0.refunds);
        let r = refunds
            .iter_mut()
            .find(|r| r.id == refund_id)
            .ok_or_else(|| YookassaSimError::NotFound(refund_id.to_string()))?;
        if r.status != "pending" {
            return Err(YookassaSimError::InvalidState {
                id: r.id.clone(),
                status: r.status.clone(),
                action: "settle".into(),
            });
        }
        r.status = if succeed { "succeeded" } else { "canceled" }.into();
        if succeed {
            if let Some(p) = payments.iter_mut().find(|p| p.id == r.payment_id) {
                p.refunded += r.amount;
            }
            self.0
                .webhook("refund.succeeded", &r.id, self.0.refund_json(r));
        }
        Ok(YkRefundView {
            id: r.id.clone(),
            status: r.status.clone(),
            amount: format_kopecks(r.amount),
        })
    }

    pub fn set_next_outcome(&self, outcome: Option<YookassaOutcome>) {
        *lock(&self.0.next_outcome) = outcome;
    }

    pub fn add_fault(&self, f: Fault) {
        lock(&self.0.faults).add(f);
    }

    pub fn clear_faults(&self) {
        lock(&self.0.faults).clear();
    }

    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.0.faults).list()
    }

    pub fn advance_clock(&self, seconds: i64) {
        self.0.clock.advance(seconds);
    }

    pub fn notifications(&self) -> Vec<Delivery> {
        self.0.notifier.deliveries()
    }

    /// The idempotence keys seen so far.
    pub fn idempotence_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = lock(&self.0.keys).keys().cloned().collect();
        keys.sort();
        keys
    }

    pub fn config(&self) -> YookassaSimConfig {
        lock(&self.0.cfg).clone()
    }

    pub fn update_config(&self, f: impl FnOnce(&mut YookassaSimConfig)) -> YookassaSimConfig {
        let mut cfg = lock(&self.0.cfg);
        f(&mut cfg);
        *lock(&self.0.notifier.settings) = cfg.notify.clone();
        cfg.clone()
    }
}

fn unauthorised() -> Response {
    respond(error(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "Authentication by given credentials failed",
        None,
    ))
}

async fn create_payment(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if !sim.authorised(&headers) {
        return unauthorised();
    }
    let fired = lock(&sim.faults).take("create_payment");
    let me = sim.clone();
    guard(&fired, &Responses, sim.stopping.clone(), || async move {
        me.idempotent(&headers, "/payments", &body, |s, r| s.create_payment(r))
    })
    .await
}

async fn get_payment(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !sim.authorised(&headers) {
        return unauthorised();
    }
    let fired = lock(&sim.faults).take("get_payment");
    let me = sim.clone();
    guard(&fired, &Responses, sim.stopping.clone(), || async move {
        let mut payments = lock(&me.payments);
        match payments.iter_mut().find(|p| p.id == id) {
            Some(p) => {
                me.refresh(p);
                p.first_read.get_or_insert_with(std::time::Instant::now);
                Json(me.payment_json(p)).into_response()
            }
            None => respond(error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Payment not found",
                None,
            )),
        }
    })
    .await
}

async fn cancel_payment(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !sim.authorised(&headers) {
        return unauthorised();
    }
    let fired = lock(&sim.faults).take("cancel_payment");
    let pay_first = has(&fired, FaultKind::PayDuringCancel);
    let me = sim.clone();
    let path = format!("/payments/{id}/cancel");
    guard(&fired, &Responses, sim.stopping.clone(), || async move {
        me.idempotent(&headers, &path, &body, |s, _| {
            s.cancel_payment(&id, pay_first)
        })
    })
    .await
}

async fn create_refund(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if !sim.authorised(&headers) {
        return unauthorised();
    }
    let fired = lock(&sim.faults).take("create_refund");
    let me = sim.clone();
    guard(&fired, &Responses, sim.stopping.clone(), || async move {
        me.idempotent(&headers, "/refunds", &body, |s, r| s.create_refund(r))
    })
    .await
}

async fn get_refund(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !sim.authorised(&headers) {
        return unauthorised();
    }
    let fired = lock(&sim.faults).take("get_refund");
    let me = sim.clone();
    guard(&fired, &Responses, sim.stopping.clone(), || async move {
        let refunds = lock(&me.refunds);
        match refunds.iter().find(|r| r.id == id) {
            Some(r) => Json(me.refund_json(r)).into_response(),
            None => respond(error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Refund not found",
                None,
            )),
        }
    })
    .await
}

fn admin_error(e: YookassaSimError) -> Response {
    let status = match e {
        YookassaSimError::NotFound(_) => StatusCode::NOT_FOUND,
        YookassaSimError::InvalidState { .. } => StatusCode::CONFLICT,
    };
    (status, Json(json!({ "error": e.to_string() }))).into_response()
}

fn bad_request(e: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": e.to_string() })),
    )
        .into_response()
}

async fn admin_payments(State(sim): State<Arc<Sim>>) -> Response {
    Json(YookassaControl(sim).payments()).into_response()
}

async fn admin_act(
    State(sim): State<Arc<Sim>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let outcome = match action.as_str() {
        "pay" => YookassaOutcome::Pay,
        "reject" => YookassaOutcome::Reject,
        "expire" => YookassaOutcome::Expire,
        other => return bad_request(format!("unknown action {other:?} (pay, reject, expire)")),
    };
    match YookassaControl(sim).act(&id, outcome) {
        Ok(v) => Json(v).into_response(),
        Err(e) => admin_error(e),
    }
}

async fn admin_refund(
    State(sim): State<Arc<Sim>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let succeed = match action.as_str() {
        "succeed" => true,
        "cancel" => false,
        other => return bad_request(format!("unknown action {other:?} (succeed, cancel)")),
    };
    match YookassaControl(sim).settle_refund(&id, succeed) {
        Ok(v) => Json(v).into_response(),
        Err(e) => admin_error(e),
    }
}

#[derive(Deserialize)]
struct NextReq {
    outcome: Option<YookassaOutcome>,
}

async fn admin_next(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    match serde_json::from_slice::<NextReq>(&body) {
        Ok(r) => {
            YookassaControl(sim).set_next_outcome(r.outcome);
            Json(json!({ "next_outcome": r.outcome })).into_response()
        }
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultsReq {
    Many(Vec<Fault>),
    One(Fault),
}

async fn admin_faults(State(sim): State<Arc<Sim>>) -> Response {
    Json(YookassaControl(sim).faults()).into_response()
}

async fn admin_add_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let c = YookassaControl(sim);
    match serde_json::from_slice::<FaultsReq>(&body) {
        Ok(FaultsReq::One(f)) => c.add_fault(f),
        Ok(FaultsReq::Many(fs)) => fs.into_iter().for_each(|f| c.add_fault(f)),
        Err(e) => return bad_request(e),
    }
    Json(c.faults()).into_response()
}

async fn admin_clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    YookassaControl(sim).clear_faults();
    Json(json!([])).into_response()
}

#[derive(Deserialize)]
struct ClockReq {
    advance_s: i64,
}

async fn admin_clock(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    match serde_json::from_slice::<ClockReq>(&body) {
        Ok(r) => {
            sim.clock.advance(r.advance_s);
            Json(json!({ "offset_s": sim.clock.offset_s() })).into_response()
        }
        Err(e) => bad_request(e),
    }
}

async fn admin_notifications(State(sim): State<Arc<Sim>>) -> Response {
    Json(YookassaControl(sim).notifications()).into_response()
}

async fn admin_config(State(sim): State<Arc<Sim>>) -> Response {
    Json(YookassaControl(sim).config()).into_response()
}

async fn admin_patch_config(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let c = YookassaControl(sim);
    let mut current = match serde_json::to_value(c.config()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    match serde_json::from_slice::<Map<String, Value>>(&body) {
        Ok(patch) => current.extend(patch),
        Err(e) => return bad_request(e),
    }
    match serde_json::from_value::<YookassaSimConfig>(Value::Object(current)) {
        Ok(new) => Json(c.update_config(|cfg| *cfg = new)).into_response(),
        Err(e) => bad_request(e),
    }
}

fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v3/payments", post(create_payment))
        .route("/v3/payments/{id}", get(get_payment))
        .route("/v3/payments/{id}/cancel", post(cancel_payment))
        .route("/v3/refunds", post(create_refund))
        .route("/v3/refunds/{id}", get(get_refund))
        .route("/_sim/payments", get(admin_payments))
        .route("/_sim/payments/{id}/{action}", post(admin_act))
        .route("/_sim/refunds/{id}/{action}", post(admin_refund))
        .route("/_sim/next", post(admin_next))
        .route(
            "/_sim/faults",
            get(admin_faults)
                .post(admin_add_faults)
                .delete(admin_clear_faults),
        )
        .route("/_sim/clock", post(admin_clock))
        .route("/_sim/notifications", get(admin_notifications))
        .route("/_sim/config", get(admin_config).post(admin_patch_config))
        .with_state(sim)
}

/// Demos: pays the pending payments read `auto_pay_after_ms` ago, until the server stops.
fn spawn_auto_pay(sim: Arc<Sim>) {
    crate::every_tick_until_stopped(sim.stopping.clone(), move || {
        let Some(ms) = lock(&sim.cfg).auto_pay_after_ms else {
            return;
        };
        let after = std::time::Duration::from_millis(ms);
        let mut payments = lock(&sim.payments);
        for p in payments.iter_mut() {
            sim.refresh(p);
            if p.status == "pending" && p.first_read.is_some_and(|t| t.elapsed() >= after) {
                let _ = sim.apply(p, YookassaOutcome::Pay);
            }
        }
    });
}

fn new_sim(config: YookassaSimConfig, stopping: watch::Receiver<bool>) -> Arc<Sim> {
    let sim = Arc::new(Sim {
        notifier: Notifier::new(Acceptance::Success, config.notify.clone(), stopping.clone()),
        cfg: Mutex::new(config),
        payments: Mutex::new(Vec::new()),
        refunds: Mutex::new(Vec::new()),
        keys: Mutex::new(HashMap::new()),
        seq: AtomicU64::new(1),
        next_outcome: Mutex::new(None),
        faults: Mutex::new(FaultTable::default()),
        clock: SimClock::default(),
        stopping,
    });
    spawn_auto_pay(sim.clone());
    sim
}

/// Serves the YooKassa simulator on `listener` until `shutdown` completes. The API's base
/// address is `http://<listener>/v3`.
pub async fn run(
    listener: TcpListener,
    config: YookassaSimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = new_sim(config, stop_rx);
    crate::serve("YooKassa", listener, router(sim), stop_tx, shutdown).await
}

/// Binds `127.0.0.1:0` and runs the simulator in a task.
pub async fn spawn(config: YookassaSimConfig) -> std::io::Result<SimServer<YookassaControl>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = new_sim(config, stop_rx);
    let control = YookassaControl(sim.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(crate::serve(
        "YooKassa",
        listener,
        router(sim),
        stop_tx,
        async move {
            let _ = rx.await;
        },
    ));
    Ok(SimServer::new(addr, control, tx, task))
}

impl SimServer<YookassaControl> {
    /// The API's base address, as the provider's `url` setting wants it.
    pub fn api_url(&self) -> String {
        format!("{}/v3", self.url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_kopecks("849.10"), Some(84910));
        assert_eq!(parse_kopecks("849.1"), Some(84910));
        assert_eq!(parse_kopecks("12"), Some(1200));
        assert_eq!(parse_kopecks("0.001"), None);
        assert_eq!(parse_kopecks("-1.00"), None);
        assert_eq!(parse_kopecks("1e3"), None);
        assert_eq!(format_kopecks(84910), "849.10");
    }

    #[test]
    fn basic_auth_encoding() {
        assert_eq!(base64(b"100500:test"), "MTAwNTAwOnRlc3Q=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
