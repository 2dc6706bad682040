//! SBP QR payments through T-Bank's acquiring API (`https://securepay.tinkoff.ru/v2`).
//!
//! A payment is `Init` (our attempt id is the `OrderId`, the QR's lifetime is
//! `RedirectDueDate`), then `GetQr` with `DataType=PAYLOAD`: the payload goes to the customer's
//! screen as `PaymentProgress::ShowQr` and the UI draws the code locally. Then `GetState` is
//! polled until the payment is final or the QR has expired; an expired or abandoned QR is
//! `Cancel`led and then **queried again**, because the customer may have paid in the same
//! second (the bank then refunds it, or refuses the cancel and the payment stands).
//!
//! Why the provider keeps no state of its own: `CheckOrder` finds the payments of *our*
//! `OrderId`, so `status`, `cancel`, `refund` and a repeated `start` all begin by asking the bank
//! what exists for the attempt. A repeated `start` resumes the existing payment instead of
//! creating a second one, and a lost `Init` answer is resolved the same way.
//!
//! Notifications (`NotificationURL`) are only hints: [`TbankProvider::notify`] checks their
//! token and wakes the poller, which then asks `GetState`. Their `Status` is never used.
//!
//! Refunds are `Cancel` with an `Amount` on a `CONFIRMED` payment. SBP refunds can be
//! asynchronous (`ASYNC_REFUNDING`), and `ExternalRequestId` does not make SBP cancels
//! idempotent, so the status is always read before a `Cancel` is sent again.
//!
//! Amounts go to T-Bank in kopecks (`Money::to_minor`). The terminal key and password come
//! from the OS keyring through [`TbankCredentials`]; they are never logged. Wire details and
//! every assumed field are in [`wire`].

pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::payment::{
    PaymentOutcome, PaymentProgress, PaymentReceipt, PaymentRequest, RefundOutcome,
};
use kiosk_core::ports::{PaymentError, PaymentProvider, ProgressSink};
use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::{ProviderSecrets, Secret};
use wire::{classify, CheckedPayment, Resp, StatusClass};

pub const DEFAULT_URL: &str = "https://securepay.tinkoff.ru/v2";

/// Non-secret settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TbankConfig {
    /// The API's base address (the test environment is `https://rest-api-test.tinkoff.ru/v2`).
    #[serde(default = "default_url")]
    pub url: String,
    /// The QR's lifetime (`RedirectDueDate`); T-Bank wants at least a minute.
    #[serde(default = "default_qr_lifetime")]
    pub qr_lifetime_s: u64,
    /// How long the kiosk waits for the customer to pay (default: the QR's lifetime).
    #[serde(default)]
    pub wait_s: Option<u64>,
    /// Where T-Bank posts notifications (a relay the kiosk can reach); none by default.
    #[serde(default)]
    pub notification_url: Option<String>,
    /// How often the payment's status is asked while the QR is up, in milliseconds
    /// (default 2000).
    #[serde(default)]
    pub poll_ms: Option<u64>,
    /// Keyring entry of the terminal key.
    #[serde(default = "default_terminal_key_secret")]
    pub terminal_key_secret: String,
    /// Keyring entry of the terminal password.
    #[serde(default = "default_password_secret")]
    pub password_secret: String,
}

fn default_url() -> String {
    DEFAULT_URL.into()
}
fn default_qr_lifetime() -> u64 {
    300
}
fn default_terminal_key_secret() -> String {
    "tbank-terminal-key".into()
}
fn default_password_secret() -> String {
    "tbank-password".into()
}

impl Default for TbankConfig {
    /// Production.
    fn default() -> Self {
        TbankConfig::new(DEFAULT_URL)
    }
}

impl TbankConfig {
    pub fn new(url: &str) -> TbankConfig {
        TbankConfig {
            url: url.to_string(),
            qr_lifetime_s: default_qr_lifetime(),
            wait_s: None,
            notification_url: None,
            poll_ms: None,
            terminal_key_secret: default_terminal_key_secret(),
            password_secret: default_password_secret(),
        }
    }
}

/// The terminal's key and password, from the OS keyring.
#[derive(Debug, Clone)]
pub struct TbankCredentials {
    pub terminal_key: Secret,
    pub password: Secret,
}

impl TbankCredentials {
    pub fn new(terminal_key: &str, password: &str) -> TbankCredentials {
        TbankCredentials {
            terminal_key: Secret::new(terminal_key),
            password: Secret::new(password),
        }
    }

    pub fn from_secrets(
        cfg: &TbankConfig,
        secrets: &ProviderSecrets,
    ) -> Result<TbankCredentials, PaymentError> {
        Ok(TbankCredentials {
            terminal_key: secrets.require(&cfg.terminal_key_secret, "T-Bank terminal key")?,
            password: secrets.require(&cfg.password_secret, "T-Bank terminal password")?,
        })
    }
}

/// Waits and limits; the defaults suit a kiosk, tests shorten them.
#[derive(Debug, Clone)]
pub struct TbankTiming {
    /// Between two `GetState` calls while the QR is on screen.
    pub poll_every: Duration,
    /// One HTTP request.
    pub request_timeout: Duration,
    /// Overrides the config's `wait_s`.
    pub wait_for_payment: Option<Duration>,
    /// How long a refund may stay `ASYNC_REFUNDING` before `refund` answers `Pending`.
    pub refund_wait: Duration,
    /// Tries of a call whose answer was lost.
    pub tries: u32,
}

impl Default for TbankTiming {
    fn default() -> Self {
        TbankTiming {
            poll_every: Duration::from_secs(2),
            request_timeout: Duration::from_secs(15),
            wait_for_payment: None,
            refund_wait: Duration::from_secs(20),
            tries: 3,
        }
    }
}

/// A notification after its token was checked: only a hint to ask `GetState` now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TbankNotification {
    pub order_id: Option<String>,
    pub payment_id: Option<String>,
    /// What the notification claims; never acted on.
    pub status: Option<String>,
}

/// Why a call failed.
#[derive(Debug)]
enum CallError {
    /// Surely not sent (the connection was refused).
    Unreachable(String),
    /// Sent, and the answer was lost (timeout, reset, 5xx): it may have been done.
    Unknown(String),
    /// T-Bank answered with an error: not done.
    Api(Box<Resp>),
    Malformed(String),
}

impl From<CallError> for PaymentError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Unreachable(m) | CallError::Unknown(m) => PaymentError::Unreachable(m),
            CallError::Api(r) => PaymentError::Provider(r.error_text()),
            CallError::Malformed(m) => PaymentError::Malformed(m),
        }
    }
}

pub struct TbankProvider {
    cfg: TbankConfig,
    creds: TbankCredentials,
    base: String,
    http: reqwest::Client,
    timing: TbankTiming,
    hints: Arc<Notify>,
}

impl std::fmt::Debug for TbankProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TbankProvider")
            .field("cfg", &self.cfg)
            .field("creds", &self.creds)
            .finish()
    }
}

fn format_due(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    t.format(&f).unwrap_or_default()
}

fn now_local_string() -> String {
    let t = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

fn kopecks(amount: Money) -> Result<i64, PaymentError> {
    amount
        .to_minor()
        .map_err(|e| PaymentError::Config(e.to_string()))
}

impl TbankProvider {
    pub fn new(cfg: TbankConfig, creds: TbankCredentials) -> Result<TbankProvider, PaymentError> {
        if cfg.qr_lifetime_s < 60 {
            return Err(PaymentError::Config(format!(
                "qr_lifetime_s is {}; T-Bank wants at least 60",
                cfg.qr_lifetime_s
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        let mut timing = TbankTiming::default();
        if let Some(ms) = cfg.poll_ms {
            timing.poll_every = Duration::from_millis(ms.max(10));
        }
        Ok(TbankProvider {
            base: cfg.url.trim_end_matches('/').to_string(),
            cfg,
            creds,
            http,
            timing,
            hints: Arc::new(Notify::new()),
        })
    }

    pub fn with_timing(mut self, timing: TbankTiming) -> Self {
        self.timing = timing;
        self
    }

    fn qr_lifetime(&self) -> Duration {
        Duration::from_secs(self.cfg.qr_lifetime_s)
    }

    fn wait_for_payment(&self) -> Duration {
        self.timing
            .wait_for_payment
            .or(self.cfg.wait_s.map(Duration::from_secs))
            .unwrap_or_else(|| self.qr_lifetime())
    }

    /// Checks a notification's token and wakes the poller. The caller answers T-Bank `OK`
    /// only when this returns `Ok`. The claimed status is returned for logging, never used.
    pub fn notify(&self, body: &[u8]) -> Result<TbankNotification, PaymentError> {
        let fields: Map<String, Value> =
            serde_json::from_slice(body).map_err(|e| PaymentError::Malformed(e.to_string()))?;
        let key = fields.get("TerminalKey").and_then(Value::as_str);
        if key != Some(self.creds.terminal_key.expose()) {
            return Err(PaymentError::Provider(
                "a notification for another terminal".into(),
            ));
        }
        if !wire::token_matches(&fields, self.creds.password.expose()) {
            return Err(PaymentError::Provider(
                "a notification with a wrong token".into(),
            ));
        }
        let text = |k: &str| {
            fields.get(k).and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let n = TbankNotification {
            order_id: text("OrderId"),
            payment_id: text("PaymentId"),
            status: text("Status"),
        };
        tracing::debug!(order = ?n.order_id, payment = ?n.payment_id, claimed = ?n.status, "T-Bank notification (a hint)");
        self.hints.notify_waiters();
        Ok(n)
    }

    async fn call(&self, method: &str, mut fields: Map<String, Value>) -> Result<Resp, CallError> {
        fields.insert(
            "TerminalKey".into(),
            Value::String(self.creds.terminal_key.expose().to_string()),
        );
        let body = wire::sign(fields, self.creds.password.expose());
        let sent = self
            .http
            .post(format!("{}/{method}", self.base))
            .timeout(self.timing.request_timeout)
            .json(&body)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) if e.is_connect() => {
                return Err(CallError::Unreachable(e.without_url().to_string()))
            }
            Err(e) => return Err(CallError::Unknown(e.without_url().to_string())),
        };
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CallError::Unknown(e.without_url().to_string()))?;
        if status.is_server_error() {
            return Err(CallError::Unknown(format!("{method}: HTTP {status}")));
        }
        if !status.is_success() {
            return Err(CallError::Malformed(format!(
                "{method}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        let r: Resp = serde_json::from_slice(&bytes)
            .map_err(|e| CallError::Malformed(format!("{method}: {e}")))?;
        if !r.ok() {
            return Err(CallError::Api(Box::new(r)));
        }
        Ok(r)
    }

    /// The payment of an attempt (`CheckOrder` by our `OrderId`).
    async fn find(&self, attempt_id: &str) -> Result<Option<CheckedPayment>, PaymentError> {
        let mut last = String::new();
        for i in 0..self.timing.tries.max(1) {
            if i > 0 {
                tokio::time::sleep(self.timing.poll_every).await;
            }
            match self
                .call("CheckOrder", json_map(json!({ "OrderId": attempt_id })))
                .await
            {
                Ok(r) => return Ok(pick(attempt_id, r.payments)),
                Err(CallError::Api(r))
                    if r.error_code.as_deref() == Some(wire::ERR_ORDER_NOT_FOUND) =>
                {
                    return Ok(None)
                }
                Err(CallError::Unknown(m)) => last = m,
                Err(e) => return Err(e.into()),
            }
        }
        Err(PaymentError::Unreachable(last))
    }

    async fn get_state(&self, payment_id: &str) -> Result<Resp, CallError> {
        self.call("GetState", json_map(json!({ "PaymentId": payment_id })))
            .await
    }

    fn receipt(&self, attempt_id: &str, payment_id: &str, amount: i64) -> PaymentReceipt {
        PaymentReceipt {
            provider: "tbank".into(),
            attempt_id: attempt_id.into(),
            transaction_id: payment_id.into(),
            auth_code: None,
            card_mask: None,
            amount: Money::from_minor(amount),
            paid_at: now_local_string(),
        }
    }

    fn outcome(
        &self,
        attempt_id: &str,
        payment_id: &str,
        status: &str,
        amount: i64,
    ) -> PaymentOutcome {
        match classify(status) {
            StatusClass::Paid | StatusClass::PartlyRefunded => PaymentOutcome::Approved {
                receipt: self.receipt(attempt_id, payment_id, amount),
            },
            StatusClass::Declined => PaymentOutcome::Declined {
                reason: format!("T-Bank: {status}"),
            },
            StatusClass::Closed | StatusClass::Refunded => PaymentOutcome::Cancelled,
            StatusClass::Waiting | StatusClass::Refunding => PaymentOutcome::Pending,
        }
    }

    /// `Init`, surviving a lost answer: the bank is asked by `OrderId` before trying again.
    async fn init(
        &self,
        req: &PaymentRequest,
        amount: i64,
    ) -> Result<Result<String, PaymentOutcome>, PaymentError> {
        let due = time::OffsetDateTime::now_utc() + self.qr_lifetime();
        let mut fields = json_map(json!({
            "Amount": amount,
            "OrderId": req.attempt_id,
            "Description": req.description.chars().take(140).collect::<String>(),
            "PayType": "O",
            "RedirectDueDate": format_due(due),
        }));
        if let Some(url) = &self.cfg.notification_url {
            fields.insert("NotificationURL".into(), Value::String(url.clone()));
        }
        let mut last = String::new();
        for i in 0..self.timing.tries.max(1) {
            if i > 0 {
                tokio::time::sleep(self.timing.poll_every).await;
            }
            match self.call("Init", fields.clone()).await {
                Ok(r) => {
                    let id = r
                        .payment_id
                        .ok_or_else(|| PaymentError::Malformed("Init without PaymentId".into()))?;
                    tracing::info!(attempt = %req.attempt_id, payment = %id, "T-Bank payment created");
                    return Ok(Ok(id));
                }
                Err(CallError::Api(r))
                    if r.error_code.as_deref() == Some(wire::ERR_DUPLICATE_ORDER) =>
                {
                    // Created by an earlier call whose answer we lost.
                    return match self.find(&req.attempt_id).await? {
                        Some(p) => Ok(Ok(p.payment_id.unwrap_or_default())),
                        None => Err(PaymentError::Provider(r.error_text())),
                    };
                }
                Err(CallError::Api(r)) => {
                    return Ok(Err(PaymentOutcome::Declined {
                        reason: r.error_text(),
                    }))
                }
                Err(CallError::Unknown(m)) => {
                    tracing::warn!(attempt = %req.attempt_id, error = %m, "Init answer lost; asking CheckOrder");
                    if let Some(p) = self.find(&req.attempt_id).await? {
                        return Ok(Ok(p.payment_id.unwrap_or_default()));
                    }
                    last = m;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(PaymentError::Unreachable(last))
    }

    async fn get_qr(&self, payment_id: &str) -> Result<String, PaymentError> {
        let mut last = String::new();
        for i in 0..self.timing.tries.max(1) {
            if i > 0 {
                tokio::time::sleep(self.timing.poll_every).await;
            }
            match self
                .call(
                    "GetQr",
                    json_map(json!({ "PaymentId": payment_id, "DataType": "PAYLOAD" })),
                )
                .await
            {
                Ok(r) => {
                    return r
                        .data
                        .filter(|d| !d.is_empty())
                        .ok_or_else(|| PaymentError::Malformed("GetQr without Data".into()))
                }
                // GetQr has no side effect: asking again is safe.
                Err(CallError::Unknown(m)) => last = m,
                Err(e) => return Err(e.into()),
            }
        }
        Err(PaymentError::Unreachable(last))
    }

    /// Polls `GetState` until the payment is final or `deadline`; wakes early on a hint.
    async fn wait_final(
        &self,
        payment_id: &str,
        deadline: Instant,
        progress: Option<&ProgressSink>,
    ) -> Option<Resp> {
        let mut processing_shown = false;
        loop {
            // Registered before the request, so a hint arriving meanwhile is not lost.
            let hint = self.hints.notified();
            tokio::pin!(hint);
            hint.as_mut().enable();
            match self.get_state(payment_id).await {
                Ok(r) => {
                    let status = r.status.clone().unwrap_or_default();
                    match classify(&status) {
                        StatusClass::Waiting => {
                            if !processing_shown
                                && matches!(status.as_str(), "AUTHORIZING" | "CONFIRMING")
                            {
                                processing_shown = true;
                                if let Some(p) = progress {
                                    p(PaymentProgress::Processing);
                                }
                            }
                        }
                        _ => return Some(r),
                    }
                }
                Err(e) => tracing::warn!(payment = %payment_id, error = ?e, "GetState failed"),
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let nap = self.timing.poll_every.min(deadline - now);
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = &mut hint => {}
            }
        }
    }

    /// Polls an `ASYNC_REFUNDING` payment until the refund is settled or the wait is over.
    async fn wait_refund(&self, payment_id: &str) -> Option<Resp> {
        let deadline = Instant::now() + self.timing.refund_wait;
        loop {
            if let Ok(r) = self.get_state(payment_id).await {
                if classify(r.status.as_deref().unwrap_or_default()) != StatusClass::Refunding {
                    return Some(r);
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(self.timing.poll_every).await;
        }
    }

    /// Cancels an unpaid QR, then asks again: a payment that arrived meanwhile is either
    /// refunded by the cancel (money goes back: `Cancelled` once settled) or refused by it
    /// (the payment stands: `Approved`).
    async fn close_unpaid(
        &self,
        attempt_id: &str,
        payment_id: &str,
        amount: i64,
    ) -> PaymentOutcome {
        match self
            .call("Cancel", json_map(json!({ "PaymentId": payment_id })))
            .await
        {
            Ok(r) => {
                tracing::info!(attempt = %attempt_id, payment = %payment_id, status = ?r.status, "T-Bank cancel")
            }
            Err(e) => {
                tracing::warn!(attempt = %attempt_id, payment = %payment_id, error = ?e, "T-Bank cancel failed; asking the status")
            }
        }
        let mut state = None;
        for _ in 0..self.timing.tries.max(1) {
            if let Ok(r) = self.get_state(payment_id).await {
                state = Some(r);
                break;
            }
            tokio::time::sleep(self.timing.poll_every).await;
        }
        let Some(mut r) = state else {
            return PaymentOutcome::Pending;
        };
        if classify(r.status.as_deref().unwrap_or_default()) == StatusClass::Refunding {
            match self.wait_refund(payment_id).await {
                Some(done) => r = done,
                None => return PaymentOutcome::Pending,
            }
        }
        let status = r.status.unwrap_or_default();
        self.outcome(attempt_id, payment_id, &status, r.amount.unwrap_or(amount))
    }

    fn check_amount(&self, p: &CheckedPayment, expected: i64) -> Result<(), PaymentError> {
        match p.amount {
            Some(a) if a != expected => Err(PaymentError::Provider(format!(
                "the payment is for {} but the order is {}",
                Money::from_minor(a),
                Money::from_minor(expected)
            ))),
            _ => Ok(()),
        }
    }

    /// What a refund came to once it is no longer `ASYNC_REFUNDING` (`None`: still is).
    async fn settle_refund(&self, payment_id: &str, state: Option<Resp>) -> RefundOutcome {
        match state.map(|r| classify(r.status.as_deref().unwrap_or_default())) {
            Some(StatusClass::Refunded | StatusClass::PartlyRefunded) => RefundOutcome::Refunded {
                reference: payment_id.to_string(),
            },
            // Back to CONFIRMED: the bank refused the refund and the charge stands.
            Some(StatusClass::Paid) => RefundOutcome::Failed {
                reason: self.qr_cancel_reason(payment_id).await,
            },
            _ => RefundOutcome::Pending,
        }
    }

    /// Why an SBP refund failed, from `GetQrState` (best effort).
    async fn qr_cancel_reason(&self, payment_id: &str) -> String {
        match self
            .call("GetQrState", json_map(json!({ "PaymentId": payment_id })))
            .await
        {
            Ok(r) => format!(
                "SBP refund refused: {} {}",
                r.qr_cancel_code.unwrap_or_default(),
                r.qr_cancel_message.unwrap_or_default()
            ),
            Err(_) => "the SBP refund was refused".into(),
        }
    }
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// One `OrderId` per attempt should mean one payment; when the bank lists several, the one
/// where money moved wins, then one still waiting, then the newest.
fn pick(attempt_id: &str, payments: Vec<CheckedPayment>) -> Option<CheckedPayment> {
    if payments.len() > 1 {
        tracing::warn!(attempt = %attempt_id, count = payments.len(), "several T-Bank payments for one attempt");
    }
    let class = |p: &CheckedPayment| classify(p.status.as_deref().unwrap_or_default());
    let money_moved = |p: &CheckedPayment| {
        matches!(
            class(p),
            StatusClass::Paid
                | StatusClass::Refunding
                | StatusClass::Refunded
                | StatusClass::PartlyRefunded
        )
    };
    payments
        .iter()
        .rev()
        .find(|p| money_moved(p))
        .or_else(|| {
            payments
                .iter()
                .rev()
                .find(|p| class(p) == StatusClass::Waiting)
        })
        .or(payments.last())
        .cloned()
        .filter(|p| p.payment_id.is_some())
}

#[async_trait]
impl PaymentProvider for TbankProvider {
    fn name(&self) -> &'static str {
        "tbank"
    }

    async fn start(
        &self,
        req: &PaymentRequest,
        progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError> {
        let amount = kopecks(req.amount)?;
        progress(PaymentProgress::Started { amount: req.amount });
        // A repeated start resumes the attempt's payment instead of making a second one.
        let (payment_id, expires) = match self.find(&req.attempt_id).await? {
            Some(p) => {
                self.check_amount(&p, amount)?;
                let id = p.payment_id.clone().unwrap_or_default();
                let status = p.status.clone().unwrap_or_default();
                if classify(&status) != StatusClass::Waiting {
                    return Ok(self.outcome(&req.attempt_id, &id, &status, amount));
                }
                // Its real expiry is not listed; the bank enforces it anyway.
                (id, self.wait_for_payment())
            }
            None => match self.init(req, amount).await? {
                Ok(id) => (id, self.qr_lifetime()),
                Err(outcome) => return Ok(outcome),
            },
        };
        let payload = match self.get_qr(&payment_id).await {
            Ok(p) => p,
            Err(e) => {
                // The customer cannot pay without a QR: close the payment, report the error.
                let closed = self
                    .close_unpaid(&req.attempt_id, &payment_id, amount)
                    .await;
                tracing::warn!(attempt = %req.attempt_id, error = %e, outcome = ?closed, "no QR");
                if let PaymentOutcome::Approved { .. } = closed {
                    return Ok(closed);
                }
                return Err(e);
            }
        };
        let wait = self.wait_for_payment().min(expires);
        // The customer's countdown is how long the kiosk keeps the QR up, never past its expiry.
        progress(PaymentProgress::ShowQr {
            payload,
            expires_in_s: u32::try_from(wait.as_secs()).unwrap_or(u32::MAX),
        });
        let deadline = Instant::now() + wait;
        match self
            .wait_final(&payment_id, deadline, Some(&progress))
            .await
        {
            Some(mut r) => {
                if classify(r.status.as_deref().unwrap_or_default()) == StatusClass::Refunding {
                    // Paid and already going back (a cancel met the payment): wait for the bank.
                    match self.wait_refund(&payment_id).await {
                        Some(done) => r = done,
                        None => return Ok(PaymentOutcome::Pending),
                    }
                }
                let status = r.status.unwrap_or_default();
                let outcome = self.outcome(
                    &req.attempt_id,
                    &payment_id,
                    &status,
                    r.amount.unwrap_or(amount),
                );
                if let PaymentOutcome::Approved { receipt } = &outcome {
                    if receipt.amount != req.amount {
                        return Err(PaymentError::Provider(format!(
                            "T-Bank charged {} instead of {}",
                            receipt.amount, req.amount
                        )));
                    }
                }
                Ok(outcome)
            }
            None => {
                tracing::info!(attempt = %req.attempt_id, "QR not paid in time; cancelling it");
                progress(PaymentProgress::Expired);
                Ok(self
                    .close_unpaid(&req.attempt_id, &payment_id, amount)
                    .await)
            }
        }
    }

    async fn status(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        Ok(match self.find(attempt_id).await? {
            None => PaymentOutcome::NotFound,
            Some(p) => self.outcome(
                attempt_id,
                p.payment_id.as_deref().unwrap_or_default(),
                p.status.as_deref().unwrap_or_default(),
                p.amount.unwrap_or_default(),
            ),
        })
    }

    /// Cancels an unpaid QR. A payment that is already `CONFIRMED` is left alone and reported
    /// `Approved` (the caller decides between the order and a refund).
    async fn cancel(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        let Some(p) = self.find(attempt_id).await? else {
            return Ok(PaymentOutcome::NotFound);
        };
        let id = p.payment_id.clone().unwrap_or_default();
        let status = p.status.clone().unwrap_or_default();
        let amount = p.amount.unwrap_or_default();
        Ok(match classify(&status) {
            StatusClass::Waiting => self.close_unpaid(attempt_id, &id, amount).await,
            StatusClass::Refunding => match self.wait_refund(&id).await {
                Some(r) => self.outcome(
                    attempt_id,
                    &id,
                    r.status.as_deref().unwrap_or_default(),
                    amount,
                ),
                None => PaymentOutcome::Pending,
            },
            _ => self.outcome(attempt_id, &id, &status, amount),
        })
    }

    async fn refund(&self, attempt_id: &str, amount: Money) -> Result<RefundOutcome, PaymentError> {
        let kop = kopecks(amount)?;
        let Some(p) = self.find(attempt_id).await? else {
            return Ok(RefundOutcome::Failed {
                reason: "T-Bank has no payment for this attempt".into(),
            });
        };
        let id = p.payment_id.clone().unwrap_or_default();
        let status = p.status.clone().unwrap_or_default();
        let refunded = RefundOutcome::Refunded {
            reference: id.clone(),
        };
        Ok(match classify(&status) {
            StatusClass::Refunded => refunded.clone(),
            // The status is read first on every call, so a refund is never sent twice.
            StatusClass::Refunding => self.settle_refund(&id, self.wait_refund(&id).await).await,
            StatusClass::PartlyRefunded => RefundOutcome::Failed {
                reason: format!(
                    "payment {id} is already partly refunded; check the T-Bank dashboard"
                ),
            },
            StatusClass::Paid => {
                if Some(kop) > p.amount {
                    return Ok(RefundOutcome::Failed {
                        reason: format!("cannot refund {amount} of {:?} kopecks", p.amount),
                    });
                }
                match self
                    .call(
                        "Cancel",
                        json_map(json!({ "PaymentId": id, "Amount": kop })),
                    )
                    .await
                {
                    Ok(r) => match classify(r.status.as_deref().unwrap_or_default()) {
                        StatusClass::Refunded | StatusClass::PartlyRefunded => refunded.clone(),
                        _ => self.settle_refund(&id, self.wait_refund(&id).await).await,
                    },
                    Err(CallError::Api(r)) => RefundOutcome::Failed {
                        reason: r.error_text(),
                    },
                    // Maybe done: the next call reads the status before trying again.
                    Err(CallError::Unknown(m)) => {
                        tracing::warn!(attempt = %attempt_id, error = %m, "refund answer lost");
                        RefundOutcome::Pending
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => RefundOutcome::Failed {
                reason: format!("nothing to refund: the payment is {status}"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_carry_an_offset() {
        let t = time::macros::datetime!(2026-01-15 09:30:00 UTC);
        assert_eq!(format_due(t), "2026-01-15T09:30:00+00:00");
    }

    #[test]
    fn credentials_are_redacted() {
        let p = TbankProvider::new(
            TbankConfig::new("http://127.0.0.1:9"),
            TbankCredentials::new("TerminalKey1", "pa55word"),
        )
        .unwrap();
        let text = format!("{p:?}");
        assert!(
            !text.contains("pa55word") && !text.contains("TerminalKey1"),
            "{text}"
        );
    }

    #[test]
    fn the_paid_payment_wins_when_several_are_listed() {
        let p = |id: &str, s: &str| CheckedPayment {
            payment_id: Some(id.into()),
            amount: Some(100),
            status: Some(s.into()),
            rrn: None,
        };
        let chosen = pick(
            "a",
            vec![p("1", "CONFIRMED"), p("2", "NEW"), p("3", "CANCELED")],
        )
        .unwrap();
        assert_eq!(chosen.payment_id.as_deref(), Some("1"));
        assert!(pick("a", vec![]).is_none());
    }
}
