//! Follows placed orders in the POS until they are closed or deleted.
//!
//! Polling is the fallback that always works (ProCart `getorders`, Jupiter
//! `get_closed_orders`); push notifications only make it faster. Each change is written to the
//! journal and published to the screens.

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::checkout::CheckoutState;
use kiosk_core::ports::Pos;

use crate::checkout::Checkouts;
use crate::journal::Changes;

pub struct Tracker {
    checkouts: Arc<Checkouts>,
    pos: Arc<dyn Pos>,
}

impl Tracker {
    pub fn new(checkouts: Arc<Checkouts>, pos: Arc<dyn Pos>) -> Tracker {
        Tracker { checkouts, pos }
    }

    /// One round: ask the POS about every posted order and apply what changed.
    pub async fn poll_once(&self) -> Result<usize, String> {
        let journal = &self.checkouts.journal;
        let mut open = journal
            .in_state(CheckoutState::Posted)
            .map_err(|e| e.to_string())?;
        open.extend(
            journal
                .in_state(CheckoutState::Tracking)
                .map_err(|e| e.to_string())?,
        );
        let ids: Vec<String> = open.iter().filter_map(|r| r.pos_order_id.clone()).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let orders = self.pos.orders(&ids).await.map_err(|e| e.to_string())?;
        let mut changed = 0;
        for rec in open {
            let Some(pos_id) = &rec.pos_order_id else {
                continue;
            };
            let Some(order) = orders.iter().find(|o| same_id(&o.pos_order_id, pos_id)) else {
                continue;
            };
            let status = order.status.as_str().to_string();
            let to = if order.status.is_final() {
                CheckoutState::Completed
            } else {
                CheckoutState::Tracking
            };
            if rec.pos_status.as_deref() == Some(status.as_str()) && rec.state == to {
                continue;
            }
            let res = if rec.state == to {
                journal.set_pos_status(&rec.id, &status).map(|_| ())
            } else {
                journal
                    .transition(
                        &rec.id,
                        rec.state,
                        to,
                        Changes {
                            pos_status: Some(status.clone()),
                            ..Default::default()
                        },
                        Some(&format!("POS status {status}")),
                    )
                    .map(|_| ())
            };
            if let Err(e) = res {
                tracing::warn!(checkout = %rec.id, error = %e, "status not recorded");
                continue;
            }
            if let Ok(fresh) = journal.get(&rec.id) {
                self.checkouts.republish(&fresh);
            }
            changed += 1;
        }
        Ok(changed)
    }

    pub async fn run(self: Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.poll_once().await {
                tracing::debug!(error = %e, "order status poll failed");
            }
        }
    }
}

/// POS ids compare case-insensitively without braces (r_keeper GUIDs come both ways).
pub fn same_id(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_matches(|c| c == '{' || c == '}')
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}
