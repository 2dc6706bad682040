//! Push notifications to `callback_url` on status changes (reference §6.12).
//!
//! Each notification is delivered by its own task: POST the JSON payload, accept any 2xx,
//! otherwise wait the next back-off step and try again, up to the attempt limit. Tasks are
//! independent, so deliveries may arrive out of order — as the reference warns receivers. The
//! back-off schedule comes from the settings (tests use milliseconds), and every attempt is
//! recorded for `GET /_sim/callbacks`. Delivery stops when the server stops.

use std::sync::Arc;
use std::time::Duration;

use crate::faults::sleep_or_stop;
use crate::procart::orders::Status;
use crate::procart::wire::{CallbackPayload, OrderResp};
use crate::state::{lock, CallbackRecord, Sim};

/// Called after every status change; pushes it if the order subscribed and the status is one
/// of `push_statuses`.
pub(crate) fn status_changed(sim: &Arc<Sim>, order: &OrderResp, from: Status, to: Status) {
    let settings = sim.settings();
    if !settings.push_statuses.iter().any(|s| s == to.as_str()) {
        return;
    }
    let url = {
        let orders = lock(&sim.orders);
        orders.get(&order.guid).and_then(|o| o.callback_url.clone())
    };
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return;
    };
    let payload = CallbackPayload {
        guid: order.guid.clone(),
        external_id: order.external_id.clone(),
        order_number: order.order_number.clone(),
        status: to.as_str(),
        previous_status: from.as_str(),
        total: order.total,
        paid_sum: order.paid_sum,
        changed_at: crate::clock::now_local_string(),
    };
    let sim = sim.clone();
    tokio::spawn(async move { deliver(sim, url, payload).await });
}

async fn deliver(sim: Arc<Sim>, url: String, payload: CallbackPayload) {
    let settings = sim.settings();
    let body = match serde_json::to_vec(&payload) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("cannot encode callback: {e}");
            return;
        }
    };
    let payload_value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let attempts = settings
        .callback_max_attempts
        .max(1)
        .min(settings.callback_backoff_ms.len() as u32 + 1);
    let mut stopping = sim.stopping.clone();
    for attempt in 1..=attempts {
        if *stopping.borrow() {
            return;
        }
        let result = sim
            .http
            .post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .timeout(Duration::from_millis(settings.callback_timeout_ms.max(1)))
            .body(body.clone())
            .send()
            .await;
        let (http_status, error) = match &result {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let delivered = http_status.is_some_and(|s| (200..300).contains(&s));
        let outcome = if delivered {
            "delivered"
        } else if attempt == attempts {
            "gave_up"
        } else {
            "failed"
        };
        tracing::debug!(%url, attempt, outcome, "callback {}", payload.status);
        lock(&sim.callbacks).push(CallbackRecord {
            guid: payload.guid.clone(),
            url: url.clone(),
            status: payload.status.to_string(),
            previous_status: payload.previous_status.to_string(),
            attempt,
            outcome: outcome.to_string(),
            http_status,
            error,
            at: crate::clock::now_local_string(),
            payload: payload_value.clone(),
        });
        if delivered {
            return;
        }
        if let Some(wait) = settings.callback_backoff_ms.get(attempt as usize - 1) {
            if attempt < attempts {
                sleep_or_stop(Duration::from_millis(*wait), &mut stopping).await;
            }
        }
    }
}
