//! SBP QR payments through YooKassa's API v3 (`https://api.yookassa.ru/v3`).
//!
//! `POST /payments` creates an SBP payment with a QR confirmation; the QR payload
//! (`confirmation.confirmation_data`) goes to the customer's screen as
//! `PaymentProgress::ShowQr`, and `GET /payments/{id}` is polled until it is `succeeded` or
//! `canceled`.
//!
//! Idempotency follows YooKassa's rules (reference §3.6):
//! - every POST carries an `Idempotence-Key`: the attempt id for the create, a key derived
//!   from the attempt and the amount for a refund. The same key with the same body returns the
//!   original answer, so a lost answer is repeated, never re-made with a new key;
//! - 200 with `pending`: not known yet, GET it;
//! - 202 (`processing`): repeat the same request after `retry_after`;
//! - 4xx: refused, nothing done; the key is never used again (the record says so);
//! - 5xx, a timeout, a reset: unknown; repeat with the same key later, or GET.
//!
//! YooKassa cannot find a payment by our id, so the key, the exact body and the payment id are
//! kept in [`store`] (written before each POST). Recovery after a crash is "the same body with
//! the same key" (within YooKassa's 24 h key window), then GET.
//!
//! SBP payments cannot be cancelled while `pending` (`/cancel` only applies to
//! `waiting_for_capture`, which SBP never reaches): an abandoned QR stays payable until YooKassa
//! closes it (about an hour), so `cancel` then answers `Pending`, honestly. When the kiosk's
//! wait ends, `start` reports `PaymentProgress::Expired` and answers `Pending`; the engine then
//! gives the checkout up and its late-payment sweep (kiosk-engine `payment_watch.rs`) refunds
//! the payment if the customer still pays it. Refunds are
//! `POST /refunds`. Notifications are hints that wake the poller ([`YookassaProvider::notify`]);
//! YooKassa does not sign them, and their content is never used: the GET is the truth.

pub mod store;
pub mod wire;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::payment::{
    PaymentOutcome, PaymentProgress, PaymentReceipt, PaymentRequest, RefundOutcome,
};
use kiosk_core::ports::{PaymentError, PaymentProvider, ProgressSink};
use kiosk_core::Money;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::{ProviderSecrets, Secret};
use store::{AttemptRecord, RefundRecord, Store};
use wire::Payment;

pub const DEFAULT_URL: &str = "https://api.yookassa.ru/v3";

/// Non-secret settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YookassaConfig {
    #[serde(default = "default_url")]
    pub url: String,
    /// Where the attempt records live (keep it with the kiosk's journal). Empty in a settings
    /// file means "the kiosk's data folder" (the engine fills it in).
    #[serde(default)]
    pub state_dir: PathBuf,
    /// How long the kiosk shows the QR and waits for the customer to pay.
    #[serde(default = "default_wait")]
    pub wait_s: u64,
    /// How often the payment is asked for while the QR is up, in milliseconds (default 2000).
    #[serde(default)]
    pub poll_ms: Option<u64>,
    /// Keyring entry of the shop id.
    #[serde(default = "default_shop_id_secret")]
    pub shop_id_secret: String,
    /// Keyring entry of the secret key.
    #[serde(default = "default_secret_key_secret")]
    pub secret_key_secret: String,
}

fn default_url() -> String {
    DEFAULT_URL.into()
}
fn default_wait() -> u64 {
    300
}
fn default_shop_id_secret() -> String {
    "yookassa-shop-id".into()
}
fn default_secret_key_secret() -> String {
    "yookassa-secret-key".into()
}

impl Default for YookassaConfig {
    /// Production, with `state_dir` left for the caller to fill in.
    fn default() -> Self {
        YookassaConfig::new(DEFAULT_URL, PathBuf::new())
    }
}

impl YookassaConfig {
    pub fn new(url: &str, state_dir: impl Into<PathBuf>) -> YookassaConfig {
        YookassaConfig {
            url: url.to_string(),
            state_dir: state_dir.into(),
            wait_s: default_wait(),
            poll_ms: None,
            shop_id_secret: default_shop_id_secret(),
            secret_key_secret: default_secret_key_secret(),
        }
    }
}

/// The shop id and secret key (HTTP Basic), from the OS keyring.
#[derive(Debug, Clone)]
pub struct YookassaCredentials {
    pub shop_id: Secret,
    pub secret_key: Secret,
}

impl YookassaCredentials {
    pub fn new(shop_id: &str, secret_key: &str) -> YookassaCredentials {
        YookassaCredentials {
            shop_id: Secret::new(shop_id),
            secret_key: Secret::new(secret_key),
        }
    }

    pub fn from_secrets(
        cfg: &YookassaConfig,
        secrets: &ProviderSecrets,
    ) -> Result<YookassaCredentials, PaymentError> {
        Ok(YookassaCredentials {
            shop_id: secrets.require(&cfg.shop_id_secret, "YooKassa shop id")?,
            secret_key: secrets.require(&cfg.secret_key_secret, "YooKassa secret key")?,
        })
    }
}

/// Waits and limits; the defaults suit a kiosk, tests shorten them.
#[derive(Debug, Clone)]
pub struct YookassaTiming {
    pub poll_every: Duration,
    pub request_timeout: Duration,
    /// Overrides the config's `wait_s`.
    pub wait_for_payment: Option<Duration>,
    /// Sends of one POST whose answer is lost or "processing" before giving up (for now).
    pub tries: u32,
    /// Upper bound of a 202's `retry_after`.
    pub max_retry_after: Duration,
}

impl Default for YookassaTiming {
    fn default() -> Self {
        YookassaTiming {
            poll_every: Duration::from_secs(2),
            request_timeout: Duration::from_secs(15),
            wait_for_payment: None,
            tries: 3,
            max_retry_after: Duration::from_secs(5),
        }
    }
}

/// A notification: only a hint to GET the object now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YookassaNotification {
    pub event: Option<String>,
    pub object_id: String,
    /// What the notification claims; never acted on.
    pub status: Option<String>,
}

/// The answer to a POST after YooKassa's rules were applied.
enum Posted<T> {
    Done(T),
    /// 4xx: refused, nothing was done.
    Refused(wire::ApiError),
    /// 5xx, timeout, still processing: maybe done; repeat with the same key.
    Unknown(String),
}

/// What became of the create.
enum Created {
    Payment(String),
    Refused(String),
    Unknown,
}

pub struct YookassaProvider {
    cfg: YookassaConfig,
    creds: YookassaCredentials,
    base: String,
    http: reqwest::Client,
    store: Store,
    timing: YookassaTiming,
    hints: Arc<Notify>,
}

impl std::fmt::Debug for YookassaProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YookassaProvider")
            .field("cfg", &self.cfg)
            .field("creds", &self.creds)
            .finish()
    }
}

/// YooKassa keys are at most 64 characters: longer ones are replaced by their SHA-256.
fn idempotence_key(raw: &str) -> String {
    if raw.len() <= 64 {
        raw.to_string()
    } else {
        Sha256::digest(raw.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn now_local_string() -> String {
    let t = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

impl YookassaProvider {
    pub fn new(
        cfg: YookassaConfig,
        creds: YookassaCredentials,
    ) -> Result<YookassaProvider, PaymentError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        if cfg.state_dir.as_os_str().is_empty() {
            return Err(PaymentError::Config(
                "the YooKassa state folder (state_dir) is not set".into(),
            ));
        }
        let store = Store::open(&cfg.state_dir)?;
        let mut timing = YookassaTiming::default();
        if let Some(ms) = cfg.poll_ms {
            timing.poll_every = Duration::from_millis(ms.max(10));
        }
        Ok(YookassaProvider {
            base: cfg.url.trim_end_matches('/').to_string(),
            cfg,
            creds,
            http,
            store,
            timing,
            hints: Arc::new(Notify::new()),
        })
    }

    pub fn with_timing(mut self, timing: YookassaTiming) -> Self {
        self.timing = timing;
        self
    }

    fn wait_for_payment(&self) -> Duration {
        self.timing
            .wait_for_payment
            .unwrap_or(Duration::from_secs(self.cfg.wait_s))
    }

    /// Reads a notification and wakes the poller. YooKassa does not sign notifications, so
    /// nothing in it is trusted: the poller GETs the payment.
    pub fn notify(&self, body: &[u8]) -> Result<YookassaNotification, PaymentError> {
        let n: wire::Notification =
            serde_json::from_slice(body).map_err(|e| PaymentError::Malformed(e.to_string()))?;
        self.hints.notify_waiters();
        Ok(YookassaNotification {
            event: n.event,
            object_id: n.object.id,
            status: n.object.status,
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(
                self.creds.shop_id.expose(),
                Some(self.creds.secret_key.expose()),
            )
            .timeout(self.timing.request_timeout)
    }

    fn auth_error(status: reqwest::StatusCode, bytes: &[u8]) -> Option<PaymentError> {
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            let e: wire::ApiError = serde_json::from_slice(bytes).unwrap_or_default();
            return Some(PaymentError::Config(format!(
                "YooKassa refused the shop id or secret key: {}",
                e.text()
            )));
        }
        None
    }

    /// POSTs with an idempotence key, repeating the *same* request while the answer is
    /// unknown or "processing", up to `tries`.
    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        body: &Value,
    ) -> Result<Posted<T>, PaymentError> {
        let mut last = String::new();
        for i in 0..self.timing.tries.max(1) {
            let sent = self
                .request(reqwest::Method::POST, path)
                .header("Idempotence-Key", key)
                .json(body)
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                // Refused connection on the first send: surely nothing was done.
                Err(e) if e.is_connect() && i == 0 => {
                    return Err(PaymentError::Unreachable(e.without_url().to_string()))
                }
                Err(e) => {
                    last = e.without_url().to_string();
                    tokio::time::sleep(self.timing.poll_every).await;
                    continue;
                }
            };
            let status = resp.status();
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    last = e.without_url().to_string();
                    continue;
                }
            };
            if let Some(e) = Self::auth_error(status, &bytes) {
                return Err(e);
            }
            if status == reqwest::StatusCode::ACCEPTED {
                let p: wire::Processing = serde_json::from_slice(&bytes).unwrap_or_default();
                let wait = p
                    .retry_after
                    .map(Duration::from_millis)
                    .unwrap_or(self.timing.poll_every)
                    .min(self.timing.max_retry_after);
                last = "YooKassa is still processing the request".into();
                tokio::time::sleep(wait).await;
                continue;
            }
            if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                last = format!("HTTP {status}");
                tokio::time::sleep(self.timing.poll_every).await;
                continue;
            }
            if status.is_client_error() {
                let e: wire::ApiError = serde_json::from_slice(&bytes).unwrap_or_default();
                return Ok(Posted::Refused(e));
            }
            return serde_json::from_slice(&bytes)
                .map(Posted::Done)
                .map_err(|e| PaymentError::Malformed(format!("POST {path}: {e}")));
        }
        Ok(Posted::Unknown(last))
    }

    /// GETs an object; `None` when YooKassa does not know it. A GET changes nothing, so a
    /// failed one is simply sent again, up to `tries`.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, PaymentError> {
        let mut last = String::new();
        for i in 0..self.timing.tries.max(1) {
            if i > 0 {
                tokio::time::sleep(self.timing.poll_every).await;
            }
            let resp = match self.request(reqwest::Method::GET, path).send().await {
                Ok(r) => r,
                Err(e) => {
                    last = e.without_url().to_string();
                    continue;
                }
            };
            let status = resp.status();
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    last = e.without_url().to_string();
                    continue;
                }
            };
            if let Some(e) = Self::auth_error(status, &bytes) {
                return Err(e);
            }
            if status == reqwest::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !status.is_success() {
                last = format!("GET {path}: HTTP {status}");
                continue;
            }
            return serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| PaymentError::Malformed(format!("GET {path}: {e}")));
        }
        Err(PaymentError::Unreachable(last))
    }

    async fn payment(&self, id: &str) -> Result<Payment, PaymentError> {
        self.get(&format!("/payments/{id}"))
            .await?
            .ok_or_else(|| PaymentError::Provider(format!("YooKassa does not know payment {id}")))
    }

    /// Makes sure the attempt's payment exists (creating it, or replaying the create with the
    /// same key and body) and returns its id.
    async fn ensure_created(&self, rec: &mut AttemptRecord) -> Result<Created, PaymentError> {
        if let Some(reason) = &rec.failed {
            return Ok(Created::Refused(reason.clone()));
        }
        if let Some(id) = &rec.payment_id {
            return Ok(Created::Payment(id.clone()));
        }
        match self
            .post::<Payment>("/payments", &rec.key, &rec.body)
            .await?
        {
            Posted::Done(p) => {
                tracing::info!(attempt = %rec.attempt_id, payment = %p.id, "YooKassa payment created");
                rec.payment_id = Some(p.id.clone());
                self.store.save(rec)?;
                Ok(Created::Payment(p.id))
            }
            Posted::Refused(e) => {
                rec.failed = Some(e.text());
                self.store.save(rec)?;
                Ok(Created::Refused(e.text()))
            }
            Posted::Unknown(why) => {
                tracing::warn!(attempt = %rec.attempt_id, why = %why, "YooKassa create unanswered");
                Ok(Created::Unknown)
            }
        }
    }

    fn outcome(&self, attempt_id: &str, p: &Payment) -> PaymentOutcome {
        let refunded = p.refunded_amount.as_ref().map(|a| a.value);
        match p.status.as_str() {
            // Refunded in full: no longer a charge, as with the other providers.
            "succeeded" if refunded.is_some_and(|r| r >= p.amount.value) => {
                PaymentOutcome::Cancelled
            }
            "succeeded" => PaymentOutcome::Approved {
                receipt: PaymentReceipt {
                    provider: "yookassa".into(),
                    attempt_id: attempt_id.into(),
                    transaction_id: p.id.clone(),
                    auth_code: p
                        .authorization_details
                        .as_ref()
                        .and_then(|a| a.auth_code.clone()),
                    card_mask: None,
                    amount: p.amount.value,
                    paid_at: p.captured_at.clone().unwrap_or_else(now_local_string),
                },
            },
            "canceled" => {
                let reason = p
                    .cancellation_details
                    .as_ref()
                    .and_then(|c| c.reason.clone())
                    .unwrap_or_default();
                if wire::NOT_PAID_REASONS.contains(&reason.as_str()) {
                    PaymentOutcome::Cancelled
                } else {
                    PaymentOutcome::Declined {
                        reason: format!("YooKassa: {reason}"),
                    }
                }
            }
            // pending, waiting_for_capture (never for SBP with capture: true) or a new status.
            _ => PaymentOutcome::Pending,
        }
    }

    fn final_status(p: &Payment) -> bool {
        matches!(p.status.as_str(), "succeeded" | "canceled")
    }

    async fn wait_final(&self, id: &str, deadline: Instant) -> Option<Payment> {
        loop {
            let hint = self.hints.notified();
            tokio::pin!(hint);
            hint.as_mut().enable();
            match self.payment(id).await {
                Ok(p) if Self::final_status(&p) => return Some(p),
                Ok(_) => {}
                Err(e) => tracing::warn!(payment = %id, error = %e, "GET payment failed"),
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.timing.poll_every.min(deadline - now)) => {}
                _ = &mut hint => {}
            }
        }
    }

    fn load(&self, attempt_id: &str) -> Result<Option<AttemptRecord>, PaymentError> {
        self.store.load(attempt_id)
    }

    async fn refund_outcome(
        &self,
        rec: &mut AttemptRecord,
        index: usize,
        posted: Posted<wire::Refund>,
    ) -> Result<RefundOutcome, PaymentError> {
        Ok(match posted {
            Posted::Done(r) => {
                rec.refunds[index].refund_id = Some(r.id.clone());
                self.store.save(rec)?;
                Self::refund_status(&r)
            }
            Posted::Refused(e) => {
                rec.refunds[index].failed = Some(e.text());
                self.store.save(rec)?;
                RefundOutcome::Failed { reason: e.text() }
            }
            Posted::Unknown(why) => {
                tracing::warn!(attempt = %rec.attempt_id, why = %why, "refund unanswered");
                RefundOutcome::Pending
            }
        })
    }

    fn refund_status(r: &wire::Refund) -> RefundOutcome {
        match r.status.as_str() {
            "succeeded" => RefundOutcome::Refunded {
                reference: r.id.clone(),
            },
            "canceled" => RefundOutcome::Failed {
                reason: format!(
                    "YooKassa refused the refund: {}",
                    r.cancellation_details
                        .as_ref()
                        .and_then(|c| c.reason.clone())
                        .unwrap_or_default()
                ),
            },
            _ => RefundOutcome::Pending,
        }
    }
}

#[async_trait]
impl PaymentProvider for YookassaProvider {
    fn name(&self) -> &'static str {
        "yookassa"
    }

    async fn start(
        &self,
        req: &PaymentRequest,
        progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError> {
        crate::check_attempt_id(&req.attempt_id)?;
        // Refuses fractions of a kopeck before anything is sent.
        req.amount
            .to_minor()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        progress(PaymentProgress::Started { amount: req.amount });
        let mut rec = match self.load(&req.attempt_id)? {
            Some(rec) if rec.amount != req.amount => {
                return Err(PaymentError::Provider(format!(
                    "attempt {} was made for {}, not {}",
                    req.attempt_id, rec.amount, req.amount
                )))
            }
            Some(rec) => rec,
            None => {
                let rec = AttemptRecord {
                    attempt_id: req.attempt_id.clone(),
                    amount: req.amount,
                    key: idempotence_key(&req.attempt_id),
                    body: wire::create_payment(
                        req.amount,
                        &req.description,
                        &req.attempt_id,
                        &req.order_ref,
                    ),
                    payment_id: None,
                    failed: None,
                    refunds: vec![],
                };
                // Journal first: the key and body must survive a crash during the POST.
                self.store.save(&rec)?;
                rec
            }
        };
        let id = match self.ensure_created(&mut rec).await? {
            Created::Payment(id) => id,
            Created::Refused(reason) => return Ok(PaymentOutcome::Declined { reason }),
            Created::Unknown => return Ok(PaymentOutcome::Pending),
        };
        let p = self.payment(&id).await?;
        if p.amount.value != req.amount || p.amount.currency != "RUB" {
            return Err(PaymentError::Provider(format!(
                "YooKassa payment {id} is for {} {}, not {} RUB",
                p.amount.value, p.amount.currency, req.amount
            )));
        }
        if Self::final_status(&p) {
            return Ok(self.outcome(&req.attempt_id, &p));
        }
        let payload = p
            .confirmation
            .as_ref()
            .and_then(|c| c.confirmation_data.clone())
            .filter(|d| !d.is_empty())
            .ok_or_else(|| {
                PaymentError::Malformed(format!("payment {id} has no QR confirmation data"))
            })?;
        let wait = self.wait_for_payment();
        progress(PaymentProgress::ShowQr {
            payload,
            expires_in_s: u32::try_from(wait.as_secs()).unwrap_or(u32::MAX),
        });
        match self.wait_final(&id, Instant::now() + wait).await {
            Some(p) => Ok(self.outcome(&req.attempt_id, &p)),
            None => {
                // Still payable (YooKassa closes it itself): the outcome is not known yet. The
                // screen is told the QR expired; the kiosk's engine then gives the payment up
                // and its late-payment sweep refunds it if it is paid after all.
                tracing::info!(attempt = %req.attempt_id, payment = %id, "QR not paid in time; still pending at YooKassa");
                progress(PaymentProgress::Expired);
                Ok(PaymentOutcome::Pending)
            }
        }
    }

    async fn status(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        let Some(mut rec) = self.load(attempt_id)? else {
            return Ok(PaymentOutcome::NotFound);
        };
        Ok(match self.ensure_created(&mut rec).await? {
            Created::Payment(id) => self.outcome(attempt_id, &self.payment(&id).await?),
            Created::Refused(reason) => PaymentOutcome::Declined { reason },
            Created::Unknown => PaymentOutcome::Pending,
        })
    }

    /// Cancels what can be cancelled. A `pending` SBP payment cannot be (YooKassa closes it
    /// after its window): `Pending` tells the caller it may still be paid.
    async fn cancel(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        let Some(mut rec) = self.load(attempt_id)? else {
            return Ok(PaymentOutcome::NotFound);
        };
        let id = match self.ensure_created(&mut rec).await? {
            Created::Payment(id) => id,
            Created::Refused(_) => return Ok(PaymentOutcome::Cancelled),
            Created::Unknown => return Ok(PaymentOutcome::Pending),
        };
        let p = self.payment(&id).await?;
        if p.status != "waiting_for_capture" {
            if p.status == "pending" {
                tracing::warn!(attempt = %attempt_id, payment = %id, "a pending SBP payment cannot be cancelled; YooKassa closes it when its window ends");
            }
            return Ok(self.outcome(attempt_id, &p));
        }
        let key = idempotence_key(&format!("{attempt_id}-cancel"));
        match self
            .post::<Payment>(
                &format!("/payments/{id}/cancel"),
                &key,
                &serde_json::json!({}),
            )
            .await?
        {
            Posted::Done(_) | Posted::Refused(_) => {
                Ok(self.outcome(attempt_id, &self.payment(&id).await?))
            }
            Posted::Unknown(_) => Ok(PaymentOutcome::Pending),
        }
    }

    async fn refund(&self, attempt_id: &str, amount: Money) -> Result<RefundOutcome, PaymentError> {
        let kop = amount
            .to_minor()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        let Some(mut rec) = self.load(attempt_id)? else {
            return Ok(RefundOutcome::Failed {
                reason: "no YooKassa payment was made for this attempt".into(),
            });
        };
        let id = match self.ensure_created(&mut rec).await? {
            Created::Payment(id) => id,
            Created::Refused(reason) => {
                return Ok(RefundOutcome::Failed {
                    reason: format!("nothing was charged: {reason}"),
                })
            }
            Created::Unknown => return Ok(RefundOutcome::Pending),
        };
        // One refund per amount; its record holds the key, so a repeat never refunds twice.
        let index = match rec.refunds.iter().position(|r| r.amount == amount) {
            Some(i) => {
                if let Some(reason) = &rec.refunds[i].failed {
                    return Ok(RefundOutcome::Failed {
                        reason: reason.clone(),
                    });
                }
                if let Some(rid) = rec.refunds[i].refund_id.clone() {
                    return Ok(
                        match self.get::<wire::Refund>(&format!("/refunds/{rid}")).await? {
                            Some(r) => Self::refund_status(&r),
                            None => RefundOutcome::Pending,
                        },
                    );
                }
                i
            }
            None => {
                let p = self.payment(&id).await?;
                if p.status != "succeeded" {
                    return Ok(RefundOutcome::Failed {
                        reason: format!("nothing to refund: the payment is {}", p.status),
                    });
                }
                rec.refunds.push(RefundRecord {
                    amount,
                    key: idempotence_key(&format!("{attempt_id}-refund-{kop}")),
                    body: wire::create_refund(&id, amount),
                    refund_id: None,
                    failed: None,
                });
                self.store.save(&rec)?;
                rec.refunds.len() - 1
            }
        };
        // A key older than YooKassa's 24 h window would make a second refund: the payment's
        // refunded amount tells whether this one was already made.
        let p = self.payment(&id).await?;
        if let Some(done) = &p.refunded_amount {
            let others: Money = rec
                .refunds
                .iter()
                .enumerate()
                .filter(|(i, r)| *i != index && r.refund_id.is_some() && r.failed.is_none())
                .map(|(_, r)| r.amount)
                .sum();
            if done.value >= others + amount {
                return Ok(RefundOutcome::Refunded {
                    reference: format!("payment {id} (refunded {})", done.value),
                });
            }
        }
        let key = rec.refunds[index].key.clone();
        let body = rec.refunds[index].body.clone();
        let posted = self.post::<wire::Refund>("/refunds", &key, &body).await?;
        self.refund_outcome(&mut rec, index, posted).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_are_hashed_to_64_characters() {
        assert_eq!(idempotence_key("a-1"), "a-1");
        let long = "x".repeat(80);
        assert_eq!(idempotence_key(&long).len(), 64);
    }

    #[test]
    fn credentials_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let p = YookassaProvider::new(
            YookassaConfig::new("http://127.0.0.1:9", dir.path()),
            YookassaCredentials::new("shop-71", "live_s3cr3t"),
        )
        .unwrap();
        let text = format!("{p:?}");
        assert!(
            !text.contains("live_s3cr3t") && !text.contains("shop-71"),
            "{text}"
        );
    }
}
