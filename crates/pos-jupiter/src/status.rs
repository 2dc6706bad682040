//! Order status by polling: JPOS has no webhooks and knows only "open" and "closed".
//!
//! [`JupiterPos::poll_status`](crate::JupiterPos::poll_status) asks `get_closed_orders` once;
//! [`StatusTracker`] remembers what it asked about and turns successive polls into changes.
//! An order in neither list is not treated as closed: after `lost_after` such polls in a row it
//! is reported [`TrackedStatus::Lost`] so staff can look (reference §5.7). The tracker is plain
//! data plus one async method, so the engine decides the polling interval (10–30 s, §8.8).

use std::collections::BTreeMap;

use kiosk_core::order::OrderStatus;
use kiosk_core::{Money, PosError};

use crate::wire;
use crate::JupiterPos;

/// One `get_closed_orders` answer, split by what was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusPoll {
    /// Asked-for uids Jupiter reports closed.
    pub closed: Vec<String>,
    /// Every open order of the service user (also ones not asked about, e.g. opened in
    /// Jupiter under the kiosk's user).
    pub open: Vec<wire::OpenOrder>,
    /// Asked-for uids in neither list.
    pub missing: Vec<String>,
}

impl StatusPoll {
    pub fn from_response(asked: &[String], r: wire::ClosedOrdersResponse) -> StatusPoll {
        let missing = asked
            .iter()
            .filter(|u| !r.closed_orders.contains(u) && !r.open_orders.iter().any(|o| &o.uid == *u))
            .cloned()
            .collect();
        // Jupiter should only echo asked-for ids as closed; anything else is ignored.
        let closed = r
            .closed_orders
            .into_iter()
            .filter(|c| asked.contains(c))
            .collect();
        StatusPoll {
            closed,
            open: r.open_orders,
            missing,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackedStatus {
    Open {
        total: Money,
        name: String,
        open_time: String,
    },
    Closed,
    /// Not in either list for this many polls in a row.
    Missing {
        polls: u32,
    },
    /// Missing for `lost_after` polls: needs a person.
    Lost,
}

impl TrackedStatus {
    pub fn order_status(&self) -> OrderStatus {
        match self {
            TrackedStatus::Open { .. } => OrderStatus::Open,
            TrackedStatus::Closed => OrderStatus::Closed,
            TrackedStatus::Missing { .. } => OrderStatus::Unknown {
                raw: "missing".into(),
            },
            TrackedStatus::Lost => OrderStatus::Unknown { raw: "lost".into() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub uid: String,
    pub status: TrackedStatus,
}

/// Follows a set of order uids across polls. Closed orders are reported once and dropped.
#[derive(Debug, Clone)]
pub struct StatusTracker {
    lost_after: u32,
    tracked: BTreeMap<String, Option<TrackedStatus>>,
}

impl StatusTracker {
    pub fn new(lost_after: u32) -> StatusTracker {
        StatusTracker {
            lost_after: lost_after.max(1),
            tracked: BTreeMap::new(),
        }
    }

    pub fn track(&mut self, uid: impl Into<String>) {
        self.tracked.entry(uid.into()).or_insert(None);
    }

    pub fn untrack(&mut self, uid: &str) {
        self.tracked.remove(uid);
    }

    pub fn tracked(&self) -> Vec<String> {
        self.tracked.keys().cloned().collect()
    }

    pub fn status(&self, uid: &str) -> Option<&TrackedStatus> {
        self.tracked.get(uid).and_then(|s| s.as_ref())
    }

    /// Polls Jupiter for every tracked uid and returns what changed.
    pub async fn poll(&mut self, pos: &JupiterPos) -> Result<Vec<StatusChange>, PosError> {
        let uids = self.tracked();
        if uids.is_empty() {
            return Ok(vec![]);
        }
        let poll = pos.poll_status(&uids).await?;
        Ok(self.apply(&poll))
    }

    /// Folds one poll into the tracker (pure; the async [`poll`](Self::poll) calls it).
    pub fn apply(&mut self, poll: &StatusPoll) -> Vec<StatusChange> {
        let mut changes = Vec::new();
        let uids: Vec<String> = self.tracked.keys().cloned().collect();
        for uid in uids {
            let prev = self.tracked.get(&uid).cloned().flatten();
            let next = if poll.closed.contains(&uid) {
                TrackedStatus::Closed
            } else if let Some(o) = poll.open.iter().find(|o| o.uid == uid) {
                TrackedStatus::Open {
                    total: o.sum_fakt,
                    name: o.name.clone(),
                    open_time: o.open_time.clone(),
                }
            } else if poll.missing.contains(&uid) {
                match prev {
                    Some(TrackedStatus::Lost) => TrackedStatus::Lost,
                    Some(TrackedStatus::Missing { polls }) if polls + 1 >= self.lost_after => {
                        TrackedStatus::Lost
                    }
                    Some(TrackedStatus::Missing { polls }) => {
                        TrackedStatus::Missing { polls: polls + 1 }
                    }
                    _ if self.lost_after <= 1 => TrackedStatus::Lost,
                    _ => TrackedStatus::Missing { polls: 1 },
                }
            } else {
                // Not part of this poll (tracked after it was sent): nothing to say yet.
                continue;
            };
            if prev.as_ref() != Some(&next) {
                changes.push(StatusChange {
                    uid: uid.clone(),
                    status: next.clone(),
                });
            }
            if next == TrackedStatus::Closed {
                self.tracked.remove(&uid);
            } else {
                self.tracked.insert(uid, Some(next));
            }
        }
        changes
    }
}
