//! The simulated card terminal (`pos-sim`'s `/paysim/v1` API).
//!
//! The wire format mirrors a typical acquiring API: `POST /payments` with our attempt id as
//! the idempotency key, `GET /payments/{id}` for the truth after a lost answer, `cancel` and
//! `refund`. A timeout while starting a payment is *not* a decline: the outcome is unknown, so
//! [`PaymentProvider::start`] returns `Pending` and the checkout asks [`PaymentProvider::status`].

use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::payment::{
    PaymentOutcome, PaymentProgress, PaymentReceipt, PaymentRequest, RefundOutcome,
};
use kiosk_core::ports::{PaymentError, PaymentProvider, ProgressSink};
use kiosk_core::Money;
use serde::{Deserialize, Serialize};

/// How long the customer may take at the terminal before we stop waiting for the answer.
const START_TIMEOUT: Duration = Duration::from_secs(90);
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SimulatorProvider {
    base: String,
    http: reqwest::Client,
    start_timeout: Duration,
}

#[derive(Serialize)]
struct StartBody<'a> {
    attempt_id: &'a str,
    order_ref: &'a str,
    amount: String,
    description: &'a str,
}

#[derive(Deserialize)]
struct Record {
    attempt_id: String,
    status: String,
    amount: Money,
    #[serde(default)]
    transaction_id: Option<String>,
    #[serde(default)]
    auth_code: Option<String>,
    #[serde(default)]
    card_mask: Option<String>,
    #[serde(default)]
    paid_at: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct RefundRecord {
    #[serde(default)]
    refund_id: Option<String>,
    status: String,
}

impl SimulatorProvider {
    pub fn new(base_url: &str) -> Result<Self, PaymentError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| PaymentError::Config(e.to_string()))?;
        Ok(SimulatorProvider {
            base: format!("{}/paysim/v1", base_url.trim_end_matches('/')),
            http,
            start_timeout: START_TIMEOUT,
        })
    }

    /// Shorter waits for tests of the "answer lost" path.
    pub fn with_start_timeout(mut self, t: Duration) -> Self {
        self.start_timeout = t;
        self
    }

    fn outcome(&self, r: Record) -> Result<PaymentOutcome, PaymentError> {
        Ok(match r.status.as_str() {
            "approved" => PaymentOutcome::Approved {
                receipt: PaymentReceipt {
                    provider: "simulator".into(),
                    attempt_id: r.attempt_id,
                    transaction_id: r.transaction_id.ok_or_else(|| {
                        PaymentError::Malformed("an approved payment without transaction_id".into())
                    })?,
                    auth_code: r.auth_code,
                    card_mask: r.card_mask,
                    amount: r.amount,
                    paid_at: r.paid_at.unwrap_or_default(),
                },
            },
            "declined" => PaymentOutcome::Declined {
                reason: r.reason.unwrap_or_else(|| "declined".into()),
            },
            "cancelled" => PaymentOutcome::Cancelled,
            "pending" => PaymentOutcome::Pending,
            other => {
                return Err(PaymentError::Malformed(format!(
                    "unknown payment status {other:?}"
                )))
            }
        })
    }

    async fn read(&self, resp: reqwest::Response) -> Result<Option<Record>, PaymentError> {
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| PaymentError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            return Err(PaymentError::Provider(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| PaymentError::Malformed(e.to_string()))
    }
}

fn transport(e: reqwest::Error) -> PaymentError {
    PaymentError::Unreachable(e.without_url().to_string())
}

#[async_trait]
impl PaymentProvider for SimulatorProvider {
    fn name(&self) -> &'static str {
        "simulator"
    }

    async fn start(
        &self,
        req: &PaymentRequest,
        progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError> {
        progress(PaymentProgress::Started { amount: req.amount });
        progress(PaymentProgress::Prompt {
            text: "card_prompt".into(),
        });
        let sent = self
            .http
            .post(format!("{}/payments", self.base))
            .timeout(self.start_timeout)
            .json(&StartBody {
                attempt_id: &req.attempt_id,
                order_ref: &req.order_ref,
                amount: req.amount.to_string(),
                description: &req.description,
            })
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            // The request may have reached the terminal: the outcome is unknown, not a failure.
            Err(e) if e.is_timeout() => return Ok(PaymentOutcome::Pending),
            Err(e) if e.is_connect() => return Err(transport(e)),
            Err(_) => return Ok(PaymentOutcome::Pending),
        };
        progress(PaymentProgress::Processing);
        match self.read(resp).await? {
            Some(r) if r.amount != req.amount => Err(PaymentError::Provider(format!(
                "the terminal charged {} instead of {}",
                r.amount, req.amount
            ))),
            Some(r) => self.outcome(r),
            None => Err(PaymentError::Provider(
                "the payment endpoint is missing".into(),
            )),
        }
    }

    async fn status(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        let resp = self
            .http
            .get(format!("{}/payments/{attempt_id}", self.base))
            .timeout(QUERY_TIMEOUT)
            .send()
            .await
            .map_err(transport)?;
        match self.read(resp).await? {
            Some(r) => self.outcome(r),
            None => Ok(PaymentOutcome::NotFound),
        }
    }

    async fn cancel(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        let resp = self
            .http
            .post(format!("{}/payments/{attempt_id}/cancel", self.base))
            .timeout(QUERY_TIMEOUT)
            .send()
            .await
            .map_err(transport)?;
        match self.read(resp).await? {
            Some(r) => self.outcome(r),
            None => Ok(PaymentOutcome::NotFound),
        }
    }

    async fn refund(&self, attempt_id: &str, amount: Money) -> Result<RefundOutcome, PaymentError> {
        let resp = self
            .http
            .post(format!("{}/payments/{attempt_id}/refund", self.base))
            .timeout(QUERY_TIMEOUT)
            .json(&serde_json::json!({ "amount": amount.to_string() }))
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(transport)?;
        if !status.is_success() {
            return Ok(RefundOutcome::Failed {
                reason: format!(
                    "HTTP {status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            });
        }
        let r: RefundRecord =
            serde_json::from_slice(&body).map_err(|e| PaymentError::Malformed(e.to_string()))?;
        Ok(match r.status.as_str() {
            "refunded" => RefundOutcome::Refunded {
                reference: r.refund_id.unwrap_or_else(|| attempt_id.to_string()),
            },
            "pending" => RefundOutcome::Pending,
            other => RefundOutcome::Failed {
                reason: format!("refund status {other}"),
            },
        })
    }
}
