//! The order board: which orders a second display shows as being prepared and which as ready.
//!
//! The board is a wall display by the pick-up counter. Customers look for their number: first
//! in "Preparing", then in "Ready", where a number that has just turned ready is highlighted.
//! The rules live here, free of IO, so the engine only gathers the orders (from the POS and the
//! journal) and the UI only draws two columns.
//!
//! * **Ready** is the POS's "closed" status: the venue convention the customer's confirmation
//!   screen follows too (staff close the order in the POS when they hand it over). A POS where
//!   the kiosk itself closes the order when it records the payment (Jupiter under "pay first")
//!   has no such signal for those orders: they stay in "Preparing" ([`BoardEntry::closed_is_ready`]).
//! * Orders waiting for payment at the counter (`deferred`) and deleted orders are not shown.
//! * A ready number stays for [`BoardRules::ready_for_s`] (long enough to collect it), an order
//!   still "preparing" after [`BoardRules::preparing_for_s`] is dropped (nobody waits that long;
//!   the POS lost track or staff handled it another way).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checkout::CheckoutState;
use crate::order::OrderStatus;

/// What the board shows now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BoardView {
    /// Oldest first: the order waiting longest leads.
    pub preparing: Vec<BoardOrder>,
    /// Newest first: the number that just turned ready leads.
    pub ready: Vec<BoardOrder>,
    /// False when the POS could not be asked this time: the board shows what it knew and the
    /// orders of this device's own journal.
    pub pos_reachable: bool,
    /// How often the display should ask again, in seconds (events may make it sooner).
    pub refresh_s: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BoardOrder {
    /// Stable per order (for keyed lists): the POS's order id, else the checkout id.
    pub key: String,
    /// The number the customer was given.
    pub number: String,
    /// Turned ready within the last [`BoardRules::fresh_for_s`] seconds: highlighted.
    pub fresh: bool,
}

/// Which column an order belongs in, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Preparing,
    Ready,
}

/// One order the engine found, in board terms. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardEntry {
    pub key: String,
    pub number: String,
    /// The POS's status, `None` while the order is still being sent.
    pub status: Option<OrderStatus>,
    /// Whether "closed" means handed over for this order (see the module comment).
    pub closed_is_ready: bool,
    /// When the order was placed (or first seen, for orders from the POS).
    pub since: i64,
    /// When it was first seen ready (the engine remembers it across refreshes).
    pub ready_since: Option<i64>,
}

impl BoardEntry {
    pub fn column(&self) -> Option<Column> {
        column(self.status.as_ref(), self.closed_is_ready)
    }
}

/// The column for a POS status. `None` (not yet in the POS) is preparing: the customer was
/// given the number and the kitchen will have it shortly.
pub fn column(status: Option<&OrderStatus>, closed_is_ready: bool) -> Option<Column> {
    match status {
        None | Some(OrderStatus::Open) | Some(OrderStatus::Bill) => Some(Column::Preparing),
        Some(OrderStatus::Closed) if closed_is_ready => Some(Column::Ready),
        Some(OrderStatus::Closed) => Some(Column::Preparing),
        Some(OrderStatus::Deferred) | Some(OrderStatus::Deleted) => None,
        // A status word we do not know: the order exists, so it is being dealt with.
        Some(OrderStatus::Unknown { .. }) => Some(Column::Preparing),
    }
}

/// Whether a checkout of the journal belongs on the board at all: it reached the POS or is
/// paid and being sent. Refunds, problems for staff and unfinished payments are not shown.
pub fn journal_shows(state: CheckoutState) -> bool {
    matches!(
        state,
        CheckoutState::Posting
            | CheckoutState::Posted
            | CheckoutState::Tracking
            | CheckoutState::Completed
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardRules {
    pub ready_for_s: i64,
    pub fresh_for_s: i64,
    pub preparing_for_s: i64,
    pub refresh_s: u32,
}

impl Default for BoardRules {
    fn default() -> Self {
        BoardRules {
            ready_for_s: 10 * 60,
            fresh_for_s: 60,
            preparing_for_s: 3 * 60 * 60,
            refresh_s: 5,
        }
    }
}

/// Both columns from the entries. An order listed twice (from the POS and from the journal) is
/// shown once, as its first entry says; the engine puts the fresher source first.
pub fn build(
    entries: &[BoardEntry],
    now: i64,
    rules: &BoardRules,
    pos_reachable: bool,
) -> BoardView {
    let mut seen = std::collections::HashSet::new();
    let mut preparing: Vec<(&BoardEntry, i64)> = Vec::new();
    let mut ready: Vec<(&BoardEntry, i64)> = Vec::new();
    for e in entries {
        if !seen.insert(e.key.as_str()) {
            continue;
        }
        match e.column() {
            Some(Column::Preparing) if now - e.since <= rules.preparing_for_s => {
                preparing.push((e, e.since))
            }
            Some(Column::Ready) => {
                let at = e.ready_since.unwrap_or(now);
                if now - at <= rules.ready_for_s {
                    ready.push((e, at));
                }
            }
            _ => {}
        }
    }
    preparing.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.number.cmp(&b.0.number)));
    ready.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.number.cmp(&b.0.number)));
    BoardView {
        preparing: preparing
            .into_iter()
            .map(|(e, _)| BoardOrder {
                key: e.key.clone(),
                number: e.number.clone(),
                fresh: false,
            })
            .collect(),
        ready: ready
            .into_iter()
            .map(|(e, at)| BoardOrder {
                key: e.key.clone(),
                number: e.number.clone(),
                fresh: now - at < rules.fresh_for_s,
            })
            .collect(),
        pos_reachable,
        refresh_s: rules.refresh_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, status: Option<OrderStatus>, since: i64, ready: Option<i64>) -> BoardEntry {
        BoardEntry {
            key: key.into(),
            number: key.to_uppercase(),
            status,
            closed_is_ready: true,
            since,
            ready_since: ready,
        }
    }

    const NOW: i64 = 1_000_000;

    #[test]
    fn statuses_pick_the_column() {
        assert_eq!(column(None, true), Some(Column::Preparing));
        assert_eq!(
            column(Some(&OrderStatus::Open), true),
            Some(Column::Preparing)
        );
        assert_eq!(
            column(Some(&OrderStatus::Bill), true),
            Some(Column::Preparing)
        );
        assert_eq!(
            column(Some(&OrderStatus::Closed), true),
            Some(Column::Ready)
        );
        assert_eq!(column(Some(&OrderStatus::Deferred), true), None);
        assert_eq!(column(Some(&OrderStatus::Deleted), true), None);
        assert_eq!(
            column(
                Some(&OrderStatus::Unknown {
                    raw: "cooking".into()
                }),
                true
            ),
            Some(Column::Preparing)
        );
    }

    #[test]
    fn an_order_the_kiosk_closed_itself_is_not_ready() {
        assert_eq!(
            column(Some(&OrderStatus::Closed), false),
            Some(Column::Preparing)
        );
    }

    #[test]
    fn only_orders_in_or_on_their_way_to_the_pos_are_shown() {
        let all = [
            "priced",
            "payment_started",
            "paid",
            "posting",
            "posted",
            "tracking",
            "completed",
            "payment_failed",
            "refunding",
            "refunded",
            "needs_staff",
        ];
        for s in all.map(|n| CheckoutState::parse(n).unwrap()) {
            let shown = journal_shows(s);
            let expected = matches!(
                s,
                CheckoutState::Posting
                    | CheckoutState::Posted
                    | CheckoutState::Tracking
                    | CheckoutState::Completed
            );
            assert_eq!(shown, expected, "{s:?}");
        }
    }

    #[test]
    fn columns_are_ordered_and_a_new_ready_number_is_highlighted() {
        let rules = BoardRules::default();
        let v = build(
            &[
                entry("b", Some(OrderStatus::Open), NOW - 50, None),
                entry("a", Some(OrderStatus::Bill), NOW - 300, None),
                entry("r1", Some(OrderStatus::Closed), NOW - 900, Some(NOW - 400)),
                entry("r2", Some(OrderStatus::Closed), NOW - 600, Some(NOW - 10)),
                entry("gone", Some(OrderStatus::Deleted), NOW - 10, None),
                entry("unpaid", Some(OrderStatus::Deferred), NOW - 10, None),
            ],
            NOW,
            &rules,
            true,
        );
        let keys = |v: &[BoardOrder]| v.iter().map(|o| o.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&v.preparing), ["a", "b"]);
        assert_eq!(keys(&v.ready), ["r2", "r1"]);
        assert!(v.ready[0].fresh);
        assert!(!v.ready[1].fresh);
        assert_eq!(v.ready[0].number, "R2");
        assert!(v.pos_reachable);
    }

    #[test]
    fn old_orders_leave_the_board() {
        let rules = BoardRules::default();
        let v = build(
            &[
                entry(
                    "stale",
                    Some(OrderStatus::Open),
                    NOW - rules.preparing_for_s - 1,
                    None,
                ),
                entry(
                    "collected",
                    Some(OrderStatus::Closed),
                    NOW - 3000,
                    Some(NOW - rules.ready_for_s - 1),
                ),
                entry("now-ready", Some(OrderStatus::Closed), NOW - 3000, None),
            ],
            NOW,
            &rules,
            false,
        );
        assert!(v.preparing.is_empty());
        assert_eq!(v.ready.len(), 1);
        assert_eq!(v.ready[0].key, "now-ready");
        assert!(v.ready[0].fresh, "first seen ready now");
        assert!(!v.pos_reachable);
    }

    #[test]
    fn an_order_listed_twice_shows_once_as_its_first_entry_says() {
        let v = build(
            &[
                entry("x", Some(OrderStatus::Closed), NOW - 100, Some(NOW - 5)),
                entry("x", Some(OrderStatus::Open), NOW - 100, None),
            ],
            NOW,
            &BoardRules::default(),
            true,
        );
        assert!(v.preparing.is_empty());
        assert_eq!(v.ready.len(), 1);
    }
}
