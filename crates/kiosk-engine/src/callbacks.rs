//! The listener for ProCart's push notifications (`callback_url`).
//!
//! ProCart POSTs an order's new status when the bill is printed, the order is paid or deleted.
//! A notification is a hint, not the truth: it may be forged, repeated, late or out of order.
//! So the listener
//! - answers only on an unguessable per-kiosk path (`/procart/{secret}`), compared in constant
//!   time; anything else is 404;
//! - validates the payload strictly (`pos_procart::parse_callback`) and answers 400 with the
//!   reason when it is malformed;
//! - ignores an event for an order this kiosk did not create, a repeated event and one older
//!   than what is known (by the status order deferred < open < bill < close/deleted);
//! - and, for an event that moves an order on, asks the POS (`getorders`, through the tracker)
//!   rather than trusting the body. Polling keeps working when notifications never arrive.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use kiosk_core::order::OrderStatus;

use crate::journal::Journal;
use crate::tracker::Tracker;

/// Where ProCart sends notifications, and what it was told.
pub struct CallbackListener {
    listener: std::net::TcpListener,
    /// The URL given to ProCart in `callback_url`, with the secret path.
    pub url: String,
    secret: String,
}

fn rank(s: &OrderStatus) -> u8 {
    match s {
        OrderStatus::Deferred => 0,
        OrderStatus::Open => 1,
        OrderStatus::Bill => 2,
        OrderStatus::Closed | OrderStatus::Deleted => 3,
        OrderStatus::Unknown { .. } => 0,
    }
}

/// Compares without leaking, through timing, how much of the secret a guess got right.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl CallbackListener {
    /// Binds the listening socket now, so the URL is known before the first order.
    /// `public_url` is how ProCart reaches this kiosk (e.g. `http://10.0.0.21:8765`); when absent
    /// the bound address is used.
    pub fn bind(
        listen: &str,
        public_url: Option<&str>,
        secret: String,
    ) -> std::io::Result<CallbackListener> {
        let listener = std::net::TcpListener::bind(listen)?;
        listener.set_nonblocking(true)?;
        let addr: SocketAddr = listener.local_addr()?;
        let base = public_url
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{addr}"));
        Ok(CallbackListener {
            listener,
            url: format!("{base}/procart/{secret}"),
            secret,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub async fn serve(self, journal: Arc<Journal>, tracker: Arc<Tracker>) -> std::io::Result<()> {
        let state = Arc::new(Ctx {
            journal,
            tracker,
            secret: self.secret,
        });
        let app = Router::new()
            .route("/procart/{secret}", post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        axum::serve(listener, app).await
    }
}

struct Ctx {
    journal: Arc<Journal>,
    tracker: Arc<Tracker>,
    secret: String,
}

/// What the listener did with a notification (also its HTTP answer).
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Moves an order on: the POS is asked for the truth.
    Accepted,
    /// Repeated, late, or for an order that is not ours: nothing to do.
    Ignored(&'static str),
    Rejected(String),
}

/// Decides what a notification means for the journal (no IO besides the journal read).
pub fn judge(journal: &Journal, body: &[u8]) -> Verdict {
    let event = match pos_procart::parse_callback(body) {
        Ok(e) => e,
        Err(e) => return Verdict::Rejected(e.to_string()),
    };
    let record = match event.external_id.as_deref() {
        Some(ext) => journal.by_external_id(ext).ok().flatten(),
        None => None,
    };
    let Some(record) = record else {
        return Verdict::Ignored("not an order of this kiosk");
    };
    if let Some(known) = &record.pos_order_id {
        if !crate::tracker::same_id(known, &event.pos_order_id) {
            return Verdict::Rejected("the order id does not match the one the POS gave".into());
        }
    }
    let known = record.pos_status.as_deref().map(OrderStatus::parse);
    match known {
        Some(k) if k == event.status => Verdict::Ignored("repeated"),
        Some(k) if rank(&event.status) < rank(&k) => Verdict::Ignored("older than what is known"),
        _ => Verdict::Accepted,
    }
}

async fn receive(
    State(ctx): State<Arc<Ctx>>,
    Path(secret): Path<String>,
    body: Bytes,
) -> (StatusCode, String) {
    if !same_secret(&secret, &ctx.secret) {
        return (StatusCode::NOT_FOUND, "not found".into());
    }
    match judge(&ctx.journal, &body) {
        Verdict::Accepted => {
            let tracker = ctx.tracker.clone();
            tokio::spawn(async move {
                if let Err(e) = tracker.poll_once().await {
                    tracing::debug!(error = %e, "status check after a notification failed");
                }
            });
            (StatusCode::OK, "accepted".into())
        }
        Verdict::Ignored(why) => (StatusCode::OK, format!("ignored: {why}")),
        Verdict::Rejected(why) => {
            tracing::warn!(%why, "malformed order notification rejected");
            (StatusCode::BAD_REQUEST, why)
        }
    }
}

/// A new random path secret (128 bits).
pub fn new_secret() -> String {
    format!("{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
