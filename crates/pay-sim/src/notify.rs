//! Notifications (webhooks) from a simulated provider to the merchant, with the faults the
//! reference lists: duplicates, out-of-order delivery, and retries until the merchant answers
//! as the provider expects (T-Bank: HTTP 200 with the body `OK`; YooKassa: any 2xx).
//!
//! Real providers retry for hours; the simulator retries every `retry_ms` (short by default)
//! up to `max_attempts`, so tests see the retry behaviour without waiting.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use crate::faults::sleep_or_stop;
use crate::lock;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    /// Every notification is sent twice.
    pub duplicate: bool,
    /// After each notification, the previous one of the same payment is sent again (late).
    pub out_of_order: bool,
    pub retry_ms: u64,
    pub max_attempts: u32,
    pub timeout_ms: u64,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            duplicate: false,
            out_of_order: false,
            retry_ms: 200,
            max_attempts: 5,
            timeout_ms: 3_000,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub url: String,
    pub subject: String,
    pub body: Value,
    pub attempt: u32,
    pub http_status: Option<u16>,
    pub answer: String,
    pub accepted: bool,
}

/// What counts as "received" for this provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// 200 with the body `OK` (T-Bank).
    OkBody,
    /// Any 2xx (YooKassa).
    Success,
}

#[derive(Clone)]
pub struct Notifier {
    http: reqwest::Client,
    acceptance: Acceptance,
    pub settings: Arc<Mutex<NotifySettings>>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// The last notification per subject (payment id), for out-of-order replays.
    last: Arc<Mutex<HashMap<String, Value>>>,
    stopping: watch::Receiver<bool>,
}

impl Notifier {
    pub fn new(
        acceptance: Acceptance,
        settings: NotifySettings,
        stopping: watch::Receiver<bool>,
    ) -> Notifier {
        Notifier {
            http: reqwest::Client::new(),
            acceptance,
            settings: Arc::new(Mutex::new(settings)),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            last: Arc::new(Mutex::new(HashMap::new())),
            stopping,
        }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.deliveries).clone()
    }

    /// Sends `body` about `subject` in the background, applying the configured faults.
    pub fn send(&self, url: &str, subject: &str, body: Value) {
        let settings = lock(&self.settings).clone();
        let previous = lock(&self.last).insert(subject.to_string(), body.clone());
        let mut queue = vec![body.clone()];
        if settings.duplicate {
            queue.push(body);
        }
        if settings.out_of_order {
            if let Some(prev) = previous {
                queue.push(prev);
            }
        }
        let me = self.clone();
        let url = url.to_string();
        let subject = subject.to_string();
        tokio::spawn(async move {
            // In order, one after the other: "out of order" means a stale one arrives last.
            for body in queue {
                me.deliver(&url, &subject, body, &settings).await;
            }
        });
    }

    async fn deliver(&self, url: &str, subject: &str, body: Value, s: &NotifySettings) {
        let mut stopping = self.stopping.clone();
        for attempt in 1..=s.max_attempts.max(1) {
            if *stopping.borrow() {
                return;
            }
            let sent = self
                .http
                .post(url)
                .timeout(Duration::from_millis(s.timeout_ms))
                .json(&body)
                .send()
                .await;
            let (status, answer) = match sent {
                Ok(r) => {
                    let status = r.status().as_u16();
                    (Some(status), r.text().await.unwrap_or_default())
                }
                Err(e) => (None, e.without_url().to_string()),
            };
            let accepted = match self.acceptance {
                Acceptance::OkBody => status == Some(200) && answer.trim() == "OK",
                Acceptance::Success => status.is_some_and(|s| (200..300).contains(&s)),
            };
            lock(&self.deliveries).push(Delivery {
                url: url.to_string(),
                subject: subject.to_string(),
                body: body.clone(),
                attempt,
                http_status: status,
                answer: answer.chars().take(200).collect(),
                accepted,
            });
            if accepted {
                return;
            }
            sleep_or_stop(Duration::from_millis(s.retry_ms), &mut stopping).await;
        }
    }
}
