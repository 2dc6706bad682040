//! T-Bank acquiring API v2 (SBP QR) as an HTTP server: `POST /v2/<Method>`.
//!
//! What it reproduces (reference `payments.md` §3.5 and §5):
//! - methods `Init`, `GetQr` (`PAYLOAD` or `IMAGE`), `GetState`, `CheckOrder`, `Cancel`,
//!   `GetQrState`, `SbpPayTest`; every request's `Token` is checked (root scalars + `Password`,
//!   sorted by key, SHA-256), an unknown `TerminalKey` or a bad token is refused;
//! - the SBP status model: `NEW` → `FORM_SHOWED` (QR issued) → `CONFIRMED` | `REJECTED` |
//!   `DEADLINE_EXPIRED` (the sim clock passed `RedirectDueDate`) | `CANCELED` (cancelled while
//!   unpaid); `CONFIRMED` → `ASYNC_REFUNDING` → `REFUNDED` | `PARTIAL_REFUNDED` (or back to
//!   `CONFIRMED` with `QrCancelCode` when a refund is refused);
//! - error `20` on a reused `OrderId` (switchable, to let tests see several payments per
//!   order), `335` for an unknown `OrderId` in `CheckOrder`, `204` for a bad token;
//! - notifications to `NotificationURL`, signed like requests, retried until the answer is
//!   `OK`, optionally duplicated or replayed out of order;
//! - faults per method (see [`crate::faults`]): 5xx, hang, commit-then-500, commit-then-hang
//!   (the unknown outcome), and `pay_during_cancel` on `Cancel`.
//!
//! Error codes other than 20, 204 and 335 are the simulator's own: `7` no such payment, `8`
//! wrong status for the operation, `9` invalid parameters, `501` unknown terminal.
//!
//! Admin routes (no token), each calling the same code as [`TbankControl`]:
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_sim/payments` | every payment with its history, refunds and the net amount charged |
//! | `POST /_sim/payments/{PaymentId or OrderId}/{pay\|reject\|expire}` | the customer pays (or the bank rejects, or the QR expires) |
//! | `POST /_sim/next` `{"outcome": "confirm"\|"reject"\|"expire"\|null}` | applied to the next QR issued |
//! | `GET/POST/DELETE /_sim/faults` | list / add (one or an array) / clear faults |
//! | `POST /_sim/clock` `{"advance_s": n}` | moves the clock (QR expiry) |
//! | `GET /_sim/notifications` | every notification delivery attempt |
//! | `GET/POST /_sim/config` | read / patch the switches |

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::clock::{iso_utc, parse_time, SimClock};
use crate::faults::{guard, has, Fault, FaultKind, FaultResponses, FaultTable};
use crate::notify::{Acceptance, Delivery, Notifier, NotifySettings};
use crate::{lock, SimServer};

pub const DEMO_TERMINAL_KEY: &str = "KioskDemoTerminal";
pub const DEMO_PASSWORD: &str = "kiosk-demo-password";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TbankSimConfig {
    pub terminal_key: String,
    pub password: String,
    /// SBP refunds go through `ASYNC_REFUNDING` (as T-Bank documents) instead of at once.
    pub async_refunds: bool,
    /// Status reads (`GetState`, `GetQrState`, `CheckOrder`) before an async refund settles.
    pub async_refund_reads: u32,
    /// The next refund is refused by the customer's bank (back to `CONFIRMED`).
    pub fail_next_refund: bool,
    /// Error 20 for a second `Init` with the same `OrderId`; off: a second payment is made.
    pub reject_reused_order_id: bool,
    pub notify: NotifySettings,
    /// Demos: a QR on screen is paid by itself this long after it was issued, as if a
    /// customer scanned it with a bank app. Off by default.
    pub auto_pay_after_ms: Option<u64>,
}

impl Default for TbankSimConfig {
    fn default() -> Self {
        TbankSimConfig {
            terminal_key: DEMO_TERMINAL_KEY.into(),
            password: DEMO_PASSWORD.into(),
            async_refunds: true,
            async_refund_reads: 1,
            fail_next_refund: false,
            reject_reused_order_id: true,
            notify: NotifySettings::default(),
            auto_pay_after_ms: None,
        }
    }
}

/// A forced outcome for the next QR issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TbankOutcome {
    Confirm,
    Reject,
    Expire,
}

#[derive(Debug, Clone)]
struct PendingRefund {
    amount: i64,
    reads_left: u32,
}

#[derive(Debug, Clone)]
struct Payment {
    payment_id: String,
    order_id: String,
    amount: i64,
    description: String,
    status: String,
    due: OffsetDateTime,
    notification_url: Option<String>,
    rrn: Option<String>,
    sbp_payment_id: Option<String>,
    refunded: i64,
    refunding: Option<PendingRefund>,
    qr_cancel_code: Option<String>,
    qr_cancel_message: Option<String>,
    qr_issued: u32,
    /// When the first QR was issued (real time), for `auto_pay_after_ms`.
    qr_shown_at: Option<std::time::Instant>,
    history: Vec<String>,
}

impl Payment {
    fn waiting(&self) -> bool {
        matches!(self.status.as_str(), "NEW" | "FORM_SHOWED")
    }

    /// What the customer is out of pocket now, in kopecks.
    fn charged(&self) -> i64 {
        match self.status.as_str() {
            "CONFIRMED" | "ASYNC_REFUNDING" | "PARTIAL_REFUNDED" | "REFUNDED" => {
                self.amount - self.refunded
            }
            _ => 0,
        }
    }
}

/// A payment as the admin view shows it (amounts in kopecks, as T-Bank counts them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TbankPaymentView {
    pub payment_id: String,
    pub order_id: String,
    pub amount: i64,
    pub description: String,
    pub status: String,
    pub redirect_due_date: String,
    pub notification_url: Option<String>,
    pub rrn: Option<String>,
    pub refunded: i64,
    pub charged: i64,
    pub qr_issued: u32,
    pub history: Vec<String>,
}

struct Sim {
    cfg: Mutex<TbankSimConfig>,
    payments: Mutex<Vec<Payment>>,
    seq: AtomicU64,
    next_outcome: Mutex<Option<TbankOutcome>>,
    faults: Mutex<FaultTable>,
    clock: SimClock,
    notifier: Notifier,
    stopping: watch::Receiver<bool>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TbankSimError {
    #[error("no payment {0}")]
    NotFound(String),
    #[error("payment {id} is {status}; cannot {action}")]
    InvalidState {
        id: String,
        status: String,
        action: String,
    },
}

/// The token as T-Bank computes it (an implementation independent of the kiosk's).
pub fn token(fields: &Map<String, Value>, password: &str) -> String {
    let mut pairs: Vec<(&str, String)> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "Token")
        .filter_map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.as_str(), text))
        })
        .collect();
    pairs.push(("Password", password.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let joined: String = pairs.into_iter().map(|(_, v)| v).collect();
    Sha256::digest(joined.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Responses;

impl FaultResponses for Responses {
    fn internal_error(&self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
    }
    fn processing(&self) -> Response {
        (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
    }
    fn gateway_timeout(&self) -> Response {
        (StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout").into_response()
    }
}

fn api_error(code: &str, message: &str, details: impl Into<String>) -> Value {
    json!({
        "Success": false,
        "ErrorCode": code,
        "Message": message,
        "Details": details.into(),
    })
}

fn text_field(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int_field(fields: &Map<String, Value>, key: &str) -> Option<i64> {
    match fields.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn bool_field(fields: &Map<String, Value>, key: &str) -> bool {
    match fields.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

impl Sim {
    fn terminal_key(&self) -> String {
        lock(&self.cfg).terminal_key.clone()
    }

    /// Moves a payment to `status` and notifies the merchant when it asked to be.
    fn transition(&self, p: &mut Payment, status: &str) {
        tracing::info!(payment = %p.payment_id, from = %p.status, to = %status, "T-Bank payment");
        p.status = status.to_string();
        p.history.push(status.to_string());
        if status == "CONFIRMED" && p.rrn.is_none() {
            let n = self.seq.fetch_add(1, Ordering::SeqCst);
            p.rrn = Some(format!("{:012}", 512_300_000_000u64 + n));
            p.sbp_payment_id = Some(format!("A{:031}", 6_000_000 + n));
        }
        if let Some(url) = &p.notification_url {
            let cfg = lock(&self.cfg).clone();
            let mut body = json_map(json!({
                "TerminalKey": cfg.terminal_key,
                "OrderId": p.order_id,
                "Success": !matches!(status, "REJECTED" | "AUTH_FAIL"),
                "Status": status,
                "PaymentId": p.payment_id.parse::<u64>().map(Value::from).unwrap_or(Value::String(p.payment_id.clone())),
                "ErrorCode": "0",
                "Amount": p.amount,
            }));
            let t = token(&body, &cfg.password);
            body.insert("Token".into(), Value::String(t));
            self.notifier.send(url, &p.payment_id, Value::Object(body));
        }
    }

    /// Time-driven and read-driven changes: QR expiry, async refunds settling.
    fn refresh(&self, p: &mut Payment) {
        if p.waiting() && self.clock.now() > p.due {
            self.transition(p, "DEADLINE_EXPIRED");
        }
        if let Some(r) = p.refunding.as_mut() {
            r.reads_left = r.reads_left.saturating_sub(1);
            if r.reads_left == 0 {
                let r = p.refunding.take().expect("checked above");
                let fail = {
                    let mut cfg = lock(&self.cfg);
                    std::mem::replace(&mut cfg.fail_next_refund, false)
                };
                if fail {
                    p.qr_cancel_code = Some("I05043".into());
                    p.qr_cancel_message = Some("Возврат отклонён банком получателя".into());
                    self.transition(p, "CONFIRMED");
                } else {
                    self.settle_refund(p, r.amount);
                }
            }
        }
    }

    fn settle_refund(&self, p: &mut Payment, amount: i64) {
        p.refunded += amount;
        let status = if p.refunded >= p.amount {
            "REFUNDED"
        } else {
            "PARTIAL_REFUNDED"
        };
        self.transition(p, status);
    }

    fn apply(&self, p: &mut Payment, outcome: TbankOutcome) -> Result<(), TbankSimError> {
        if !p.waiting() {
            return Err(TbankSimError::InvalidState {
                id: p.payment_id.clone(),
                status: p.status.clone(),
                action: format!("{outcome:?}").to_lowercase(),
            });
        }
        let status = match outcome {
            TbankOutcome::Confirm => "CONFIRMED",
            TbankOutcome::Reject => "REJECTED",
            TbankOutcome::Expire => "DEADLINE_EXPIRED",
        };
        self.transition(p, status);
        Ok(())
    }

    fn view(&self, p: &Payment) -> TbankPaymentView {
        TbankPaymentView {
            payment_id: p.payment_id.clone(),
            order_id: p.order_id.clone(),
            amount: p.amount,
            description: p.description.clone(),
            status: p.status.clone(),
            redirect_due_date: iso_utc(p.due),
            notification_url: p.notification_url.clone(),
            rrn: p.rrn.clone(),
            refunded: p.refunded,
            charged: p.charged(),
            qr_issued: p.qr_issued,
            history: p.history.clone(),
        }
    }

    fn ok(&self, mut body: Map<String, Value>) -> Value {
        body.insert("Success".into(), Value::Bool(true));
        body.insert("ErrorCode".into(), Value::String("0".into()));
        body.insert("TerminalKey".into(), Value::String(self.terminal_key()));
        Value::Object(body)
    }

    fn handle(&self, method: &str, body: &[u8], fired: &[Fault]) -> Response {
        let fields: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(f) => f,
            Err(e) => {
                return Json(api_error("9", "Неверный формат запроса", e.to_string()))
                    .into_response()
            }
        };
        let cfg = lock(&self.cfg).clone();
        if text_field(&fields, "TerminalKey").as_deref() != Some(cfg.terminal_key.as_str()) {
            return Json(api_error("501", "Терминал не найден", "")).into_response();
        }
        let given = text_field(&fields, "Token").unwrap_or_default();
        if given.to_ascii_lowercase() != token(&fields, &cfg.password) {
            return Json(api_error(
                "204",
                "Неверный токен. Проверьте пару TerminalKey/SecretKey.",
                "",
            ))
            .into_response();
        }
        let answer = match method {
            "Init" => self.init(&fields, &cfg),
            "GetQr" => self.get_qr(&fields),
            "GetState" => self.with_payment(&fields, |me, p| {
                me.refresh(p);
                json_map(json!({
                    "Status": p.status, "PaymentId": p.payment_id, "OrderId": p.order_id,
                    "Amount": p.amount,
                    "Params": [{"Key": "Route", "Value": "SBP"}],
                }))
            }),
            "GetQrState" => self.with_payment(&fields, |me, p| {
                me.refresh(p);
                let mut m = json_map(json!({
                    "Status": p.status, "PaymentId": p.payment_id, "OrderId": p.order_id,
                }));
                if let Some(c) = &p.qr_cancel_code {
                    m.insert("QrCancelCode".into(), Value::String(c.clone()));
                    m.insert(
                        "QrCancelMessage".into(),
                        Value::String(p.qr_cancel_message.clone().unwrap_or_default()),
                    );
                }
                m
            }),
            "CheckOrder" => self.check_order(&fields),
            "Cancel" => self.cancel(&fields, has(fired, FaultKind::PayDuringCancel), &cfg),
            "SbpPayTest" => self.sbp_pay_test(&fields),
            _ => return (StatusCode::NOT_FOUND, "Not Found").into_response(),
        };
        Json(answer).into_response()
    }

    fn with_payment(
        &self,
        fields: &Map<String, Value>,
        f: impl FnOnce(&Sim, &mut Payment) -> Map<String, Value>,
    ) -> Value {
        let Some(id) = text_field(fields, "PaymentId") else {
            return api_error("9", "Неверные параметры", "PaymentId is required");
        };
        let mut payments = lock(&self.payments);
        match payments.iter_mut().find(|p| p.payment_id == id) {
            Some(p) => {
                let body = f(self, p);
                self.ok(body)
            }
            None => api_error("7", "Платёж не найден", format!("PaymentId {id}")),
        }
    }

    fn init(&self, fields: &Map<String, Value>, cfg: &TbankSimConfig) -> Value {
        let Some(amount) = int_field(fields, "Amount").filter(|a| *a > 0) else {
            return api_error(
                "9",
                "Неверные параметры",
                "Amount must be a positive number of kopecks",
            );
        };
        let Some(order_id) =
            text_field(fields, "OrderId").filter(|o| !o.is_empty() && o.chars().count() <= 36)
        else {
            return api_error(
                "9",
                "Неверные параметры",
                "OrderId is required, at most 36 characters",
            );
        };
        let description = text_field(fields, "Description").unwrap_or_default();
        if description.chars().count() > 140 {
            return api_error(
                "9",
                "Неверные параметры",
                "Description is longer than 140 characters",
            );
        }
        let now = self.clock.now();
        let due = match text_field(fields, "RedirectDueDate") {
            None => now + time::Duration::hours(24),
            Some(text) => match parse_time(&text) {
                Some(t)
                    if t >= now + time::Duration::seconds(55)
                        && t <= now + time::Duration::days(90) =>
                {
                    t
                }
                Some(_) => {
                    return api_error(
                        "9",
                        "Неверные параметры",
                        "RedirectDueDate must be from 1 minute to 90 days ahead",
                    )
                }
                None => {
                    return api_error(
                        "9",
                        "Неверные параметры",
                        format!("RedirectDueDate {text:?}"),
                    )
                }
            },
        };
        let mut payments = lock(&self.payments);
        if cfg.reject_reused_order_id && payments.iter().any(|p| p.order_id == order_id) {
            return api_error(
                "20",
                "Заказ с таким OrderId уже существует",
                format!("OrderId {order_id}"),
            );
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let payment_id = (3_100_000_000u64 + n).to_string();
        let p = Payment {
            payment_id: payment_id.clone(),
            order_id: order_id.clone(),
            amount,
            description,
            status: "NEW".into(),
            due,
            notification_url: text_field(fields, "NotificationURL"),
            rrn: None,
            sbp_payment_id: None,
            refunded: 0,
            refunding: None,
            qr_cancel_code: None,
            qr_cancel_message: None,
            qr_issued: 0,
            qr_shown_at: None,
            history: vec!["NEW".into()],
        };
        tracing::info!(payment = %payment_id, order = %order_id, amount, "T-Bank Init");
        payments.push(p);
        self.ok(json_map(json!({
            "Status": "NEW", "PaymentId": payment_id, "OrderId": order_id, "Amount": amount,
            "PaymentURL": format!("https://securepay.tinkoff.ru/new/{payment_id}"),
        })))
    }

    fn get_qr(&self, fields: &Map<String, Value>) -> Value {
        let image = text_field(fields, "DataType").as_deref() == Some("IMAGE");
        let forced = lock(&self.next_outcome).take();
        let answer = self.with_payment(fields, |me, p| {
            me.refresh(p);
            if !p.waiting() {
                return json_map(json!({ "__error": p.status }));
            }
            let payload = format!(
                "https://qr.nspk.ru/AD1000{}?type=02&bank=100000000004&sum={}&cur=RUB&crc={:04X}",
                p.payment_id,
                p.amount,
                p.amount % 0xFFFF
            );
            let data = if image {
                format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><text>{payload}</text></svg>")
            } else {
                payload
            };
            p.qr_issued += 1;
            p.qr_shown_at.get_or_insert_with(std::time::Instant::now);
            if p.status == "NEW" {
                me.transition(p, "FORM_SHOWED");
            }
            if let Some(o) = forced {
                let _ = me.apply(p, o);
            }
            json_map(json!({ "PaymentId": p.payment_id, "OrderId": p.order_id, "Data": data }))
        });
        if let Some(status) = answer.get("__error").and_then(Value::as_str) {
            return api_error(
                "8",
                "Неверный статус платежа",
                format!("the payment is {status}"),
            );
        }
        answer
    }

    fn check_order(&self, fields: &Map<String, Value>) -> Value {
        let Some(order_id) = text_field(fields, "OrderId") else {
            return api_error("9", "Неверные параметры", "OrderId is required");
        };
        let mut payments = lock(&self.payments);
        let mut list = Vec::new();
        for p in payments.iter_mut().filter(|p| p.order_id == order_id) {
            self.refresh(p);
            list.push(json!({
                "PaymentId": p.payment_id, "Amount": p.amount, "Status": p.status,
                "RRN": p.rrn, "Success": true, "ErrorCode": "0",
                "SbpPaymentId": p.sbp_payment_id,
            }));
        }
        if list.is_empty() {
            return api_error("335", "Заказ не найден", format!("OrderId {order_id}"));
        }
        self.ok(json_map(json!({ "OrderId": order_id, "Payments": list })))
    }

    fn cancel(&self, fields: &Map<String, Value>, pay_first: bool, cfg: &TbankSimConfig) -> Value {
        let requested = int_field(fields, "Amount");
        let answer = self.with_payment(fields, |me, p| {
            me.refresh(p);
            if pay_first && p.waiting() {
                // The customer's bank confirmed the payment in this very second.
                me.transition(p, "CONFIRMED");
            }
            let original = p.amount;
            if p.waiting() {
                me.transition(p, "CANCELED");
                return json_map(json!({
                    "Status": "CANCELED", "PaymentId": p.payment_id, "OrderId": p.order_id,
                    "OriginalAmount": original, "NewAmount": 0,
                }));
            }
            if !matches!(p.status.as_str(), "CONFIRMED" | "PARTIAL_REFUNDED") {
                return json_map(json!({ "__error": p.status }));
            }
            let remaining = p.amount - p.refunded;
            let amount = requested.unwrap_or(remaining);
            if amount <= 0 || amount > remaining {
                return json_map(json!({ "__amount": remaining }));
            }
            p.qr_cancel_code = None;
            p.qr_cancel_message = None;
            if cfg.async_refunds {
                p.refunding = Some(PendingRefund {
                    amount,
                    reads_left: cfg.async_refund_reads.max(1),
                });
                me.transition(p, "ASYNC_REFUNDING");
            } else {
                me.settle_refund(p, amount);
            }
            json_map(json!({
                "Status": p.status, "PaymentId": p.payment_id, "OrderId": p.order_id,
                "OriginalAmount": original, "NewAmount": remaining - amount,
            }))
        });
        if let Some(status) = answer.get("__error").and_then(Value::as_str) {
            return api_error(
                "8",
                "Неверный статус платежа",
                format!("cannot cancel a {status} payment"),
            );
        }
        if let Some(max) = answer.get("__amount").and_then(Value::as_i64) {
            return api_error(
                "9",
                "Неверные параметры",
                format!("Amount must be from 1 to {max}"),
            );
        }
        answer
    }

    fn sbp_pay_test(&self, fields: &Map<String, Value>) -> Value {
        let outcome = if bool_field(fields, "IsDeadlineExpired") {
            TbankOutcome::Expire
        } else if bool_field(fields, "IsRejected") {
            TbankOutcome::Reject
        } else {
            TbankOutcome::Confirm
        };
        let answer = self.with_payment(fields, |me, p| {
            me.refresh(p);
            match me.apply(p, outcome) {
                Ok(()) => Map::new(),
                Err(_) => json_map(json!({ "__error": p.status })),
            }
        });
        if let Some(status) = answer.get("__error").and_then(Value::as_str) {
            return api_error(
                "8",
                "Неверный статус платежа",
                format!("the payment is {status}"),
            );
        }
        answer
    }
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Drives the simulator from Rust; the admin routes call the same methods.
#[derive(Clone)]
pub struct TbankControl(Arc<Sim>);

impl TbankControl {
    pub fn payments(&self) -> Vec<TbankPaymentView> {
        let mut payments = lock(&self.0.payments);
        payments
            .iter_mut()
            .map(|p| {
                if p.waiting() && self.0.clock.now() > p.due {
                    self.0.transition(p, "DEADLINE_EXPIRED");
                }
                self.0.view(p)
            })
            .collect()
    }

    /// The payments of one `OrderId` (our attempt id).
    pub fn payments_of(&self, order_id: &str) -> Vec<TbankPaymentView> {
        self.payments()
            .into_iter()
            .filter(|p| p.order_id == order_id)
            .collect()
    }

    /// The customer pays (`pay`), the bank rejects (`reject`) or the QR expires (`expire`).
    /// `id` is a `PaymentId` or an `OrderId` (its newest payment).
    pub fn act(&self, id: &str, outcome: TbankOutcome) -> Result<TbankPaymentView, TbankSimError> {
        let mut payments = lock(&self.0.payments);
        let p = payments
            .iter_mut()
            .rev()
            .find(|p| p.payment_id == id || p.order_id == id)
            .ok_or_else(|| TbankSimError::NotFound(id.to_string()))?;
        self.0.refresh(p);
        self.0.apply(p, outcome)?;
        Ok(self.0.view(p))
    }

    pub fn pay(&self, id: &str) -> Result<TbankPaymentView, TbankSimError> {
        self.act(id, TbankOutcome::Confirm)
    }

    pub fn set_next_outcome(&self, outcome: Option<TbankOutcome>) {
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

    pub fn config(&self) -> TbankSimConfig {
        lock(&self.0.cfg).clone()
    }

    pub fn update_config(&self, f: impl FnOnce(&mut TbankSimConfig)) -> TbankSimConfig {
        let mut cfg = lock(&self.0.cfg);
        f(&mut cfg);
        *lock(&self.0.notifier.settings) = cfg.notify.clone();
        cfg.clone()
    }
}

async fn api(State(sim): State<Arc<Sim>>, Path(method): Path<String>, body: Bytes) -> Response {
    let fired = lock(&sim.faults).take(&method);
    let stopping = sim.stopping.clone();
    let me = sim.clone();
    let pay_during_cancel = fired.clone();
    guard(&fired, &Responses, stopping, || async move {
        me.handle(&method, &body, &pay_during_cancel)
    })
    .await
}

fn admin_error(e: TbankSimError) -> Response {
    let status = match e {
        TbankSimError::NotFound(_) => StatusCode::NOT_FOUND,
        TbankSimError::InvalidState { .. } => StatusCode::CONFLICT,
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
    Json(TbankControl(sim).payments()).into_response()
}

async fn admin_act(
    State(sim): State<Arc<Sim>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let outcome = match action.as_str() {
        "pay" => TbankOutcome::Confirm,
        "reject" => TbankOutcome::Reject,
        "expire" => TbankOutcome::Expire,
        other => return bad_request(format!("unknown action {other:?} (pay, reject, expire)")),
    };
    match TbankControl(sim).act(&id, outcome) {
        Ok(v) => Json(v).into_response(),
        Err(e) => admin_error(e),
    }
}

#[derive(Deserialize)]
struct NextReq {
    outcome: Option<TbankOutcome>,
}

async fn admin_next(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    match serde_json::from_slice::<NextReq>(&body) {
        Ok(r) => {
            TbankControl(sim).set_next_outcome(r.outcome);
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
    Json(TbankControl(sim).faults()).into_response()
}

async fn admin_add_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let c = TbankControl(sim);
    match serde_json::from_slice::<FaultsReq>(&body) {
        Ok(FaultsReq::One(f)) => c.add_fault(f),
        Ok(FaultsReq::Many(fs)) => fs.into_iter().for_each(|f| c.add_fault(f)),
        Err(e) => return bad_request(e),
    }
    Json(c.faults()).into_response()
}

async fn admin_clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    TbankControl(sim).clear_faults();
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
    Json(TbankControl(sim).notifications()).into_response()
}

async fn admin_config(State(sim): State<Arc<Sim>>) -> Response {
    Json(TbankControl(sim).config()).into_response()
}

async fn admin_patch_config(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let c = TbankControl(sim);
    let mut current = match serde_json::to_value(c.config()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    match serde_json::from_slice::<Map<String, Value>>(&body) {
        Ok(patch) => current.extend(patch),
        Err(e) => return bad_request(e),
    }
    match serde_json::from_value::<TbankSimConfig>(Value::Object(current)) {
        Ok(new) => Json(c.update_config(|cfg| *cfg = new)).into_response(),
        Err(e) => bad_request(e),
    }
}

fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v2/{method}", post(api))
        .route("/_sim/payments", get(admin_payments))
        .route("/_sim/payments/{id}/{action}", post(admin_act))
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

/// Demos: pays the QRs that have been on screen for `auto_pay_after_ms`, until the server stops.
fn spawn_auto_pay(sim: Arc<Sim>) {
    crate::every_tick_until_stopped(sim.stopping.clone(), move || {
        let Some(ms) = lock(&sim.cfg).auto_pay_after_ms else {
            return;
        };
        let after = std::time::Duration::from_millis(ms);
        let mut payments = lock(&sim.payments);
        for p in payments.iter_mut() {
            sim.refresh(p);
            if p.waiting() && p.qr_shown_at.is_some_and(|t| t.elapsed() >= after) {
                let _ = sim.apply(p, TbankOutcome::Confirm);
            }
        }
    });
}

fn new_sim(config: TbankSimConfig, stopping: watch::Receiver<bool>) -> Arc<Sim> {
    let sim = Arc::new(Sim {
        notifier: Notifier::new(Acceptance::OkBody, config.notify.clone(), stopping.clone()),
        cfg: Mutex::new(config),
        payments: Mutex::new(Vec::new()),
        seq: AtomicU64::new(1),
        next_outcome: Mutex::new(None),
        faults: Mutex::new(FaultTable::default()),
        clock: SimClock::default(),
        stopping,
    });
    spawn_auto_pay(sim.clone());
    sim
}

/// Serves the T-Bank simulator on `listener` until `shutdown` completes. The API's base
/// address is `http://<listener>/v2`.
pub async fn run(
    listener: TcpListener,
    config: TbankSimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = new_sim(config, stop_rx);
    crate::serve("T-Bank", listener, router(sim), stop_tx, shutdown).await
}

/// Binds `127.0.0.1:0` and runs the simulator in a task.
pub async fn spawn(config: TbankSimConfig) -> std::io::Result<SimServer<TbankControl>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let sim = new_sim(config, stop_rx);
    let control = TbankControl(sim.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(crate::serve(
        "T-Bank",
        listener,
        router(sim),
        stop_tx,
        async move {
            let _ = rx.await;
        },
    ));
    Ok(SimServer::new(addr, control, tx, task))
}

impl SimServer<TbankControl> {
    /// The API's base address, as the provider's `url` setting wants it.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_matches_the_published_example_shape() {
        let fields = json_map(json!({
            "TerminalKey": "T", "Amount": 100, "OrderId": "o", "DATA": {"x": 1}, "Token": "zzz"
        }));
        // 100 + o + p + T, sorted by Amount, OrderId, Password, TerminalKey.
        let expected: String = Sha256::digest(b"100opT")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(token(&fields, "p"), expected);
    }
}
