//! The checkout state machine: the rules, not the running of it.
//!
//! The engine writes every transition to its journal *before* doing what the new state
//! announces (start a payment, post the order), so after a crash the journal says exactly which
//! side effect may be in doubt. This module decides which transitions are legal, which states
//! are finished, and how long each waiting state may last before staff must look at it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckoutState {
    /// The POS priced the cart; the customer chose to pay.
    Priced,
    /// Submit first (Jupiter's strategy B): the order is being sent to the POS open, before any
    /// payment; the kitchen ticket prints. In doubt after a crash: look it up, never resend.
    Submitting,
    /// Submit first: the POS has the order open, unpaid, at its own total (which the customer
    /// confirms when it differs from what they saw). Never charged behind the customer's back:
    /// after a crash or a walk-away it goes to staff to void.
    Submitted,
    /// A payment attempt was announced to the provider (it may be in doubt after a crash).
    PaymentStarted,
    /// The provider approved the payment (or the customer pays at the counter).
    Paid,
    /// The order is being created in the POS (in doubt after a crash: reconcile first).
    Posting,
    /// The POS has the order.
    Posted,
    /// Following the order's status in the POS.
    Tracking,
    /// The order was closed or handed over. Final.
    Completed,
    /// Nothing was charged: declined or cancelled. Final.
    PaymentFailed,
    /// The POS refused the paid order for good; money is going back.
    Refunding,
    /// The money went back. Final.
    Refunded,
    /// Stuck or contradictory: staff must decide. Final for the machine, open for staff.
    NeedsStaff,
}

impl CheckoutState {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CheckoutState::Completed
                | CheckoutState::PaymentFailed
                | CheckoutState::Refunded
                | CheckoutState::NeedsStaff
        )
    }

    /// Once this state is reached the customer's money may have moved.
    pub fn money_may_have_moved(self) -> bool {
        !matches!(
            self,
            CheckoutState::Priced
                | CheckoutState::Submitting
                | CheckoutState::Submitted
                | CheckoutState::PaymentFailed
        )
    }

    /// How long the state may last before the checkout is handed to staff, in seconds.
    /// `None` for final states and for tracking (an order may sit in the kitchen for long).
    pub fn deadline_s(self) -> Option<u64> {
        match self {
            CheckoutState::Priced => Some(15 * 60),
            CheckoutState::Submitting => Some(30 * 60),
            CheckoutState::Submitted => Some(15 * 60),
            CheckoutState::PaymentStarted => Some(10 * 60),
            CheckoutState::Paid => Some(30 * 60),
            CheckoutState::Posting => Some(30 * 60),
            CheckoutState::Posted => Some(30 * 60),
            CheckoutState::Refunding => Some(30 * 60),
            CheckoutState::Tracking => None,
            _ => None,
        }
    }

    pub fn can_go_to(self, to: CheckoutState) -> bool {
        use CheckoutState::*;
        if to == NeedsStaff {
            return !self.is_final();
        }
        matches!(
            (self, to),
            (Priced, PaymentStarted)
                | (Priced, PaymentFailed)
                // Submit first: the open order goes to the POS before the payment. Once the
                // POS may have it, an unpaid end is `NeedsStaff` (void it), not `PaymentFailed`,
                // unless a lookup proves the POS never got it.
                | (Priced, Submitting)
                | (Submitting, Submitted)
                | (Submitting, PaymentFailed)
                | (Submitted, PaymentStarted)
                | (PaymentStarted, Paid)
                | (PaymentStarted, PaymentFailed)
                | (Paid, Posting)
                | (Posting, Posted)
                | (Posting, Refunding)
                // a lookup proved the order absent: post again with the same external id
                | (Posting, Posting)
                | (Posted, Tracking)
                | (Posted, Completed)
                | (Tracking, Completed)
                | (Refunding, Refunded)
                // A late payment: the provider took money for a checkout that had already
                // given up (a QR paid after it was cancelled or expired). It goes back.
                | (PaymentFailed, Refunding)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckoutState::Priced => "priced",
            CheckoutState::Submitting => "submitting",
            CheckoutState::Submitted => "submitted",
            CheckoutState::PaymentStarted => "payment_started",
            CheckoutState::Paid => "paid",
            CheckoutState::Posting => "posting",
            CheckoutState::Posted => "posted",
            CheckoutState::Tracking => "tracking",
            CheckoutState::Completed => "completed",
            CheckoutState::PaymentFailed => "payment_failed",
            CheckoutState::Refunding => "refunding",
            CheckoutState::Refunded => "refunded",
            CheckoutState::NeedsStaff => "needs_staff",
        }
    }

    pub fn parse(s: &str) -> Option<CheckoutState> {
        use CheckoutState::*;
        [
            Priced,
            Submitting,
            Submitted,
            PaymentStarted,
            Paid,
            Posting,
            Posted,
            Tracking,
            Completed,
            PaymentFailed,
            Refunding,
            Refunded,
            NeedsStaff,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a checkout cannot go from {from:?} to {to:?}")]
pub struct IllegalTransition {
    pub from: CheckoutState,
    pub to: CheckoutState,
}

pub fn transition(
    from: CheckoutState,
    to: CheckoutState,
) -> Result<CheckoutState, IllegalTransition> {
    if from.can_go_to(to) {
        Ok(to)
    } else {
        Err(IllegalTransition { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::CheckoutState::*;
    use super::*;

    #[test]
    fn the_happy_path_is_legal() {
        let path = [
            Priced,
            PaymentStarted,
            Paid,
            Posting,
            Posted,
            Tracking,
            Completed,
        ];
        for w in path.windows(2) {
            assert!(transition(w[0], w[1]).is_ok(), "{:?}", w);
        }
    }

    #[test]
    fn no_way_back_from_money_moved_to_unpaid() {
        assert!(transition(Paid, PaymentFailed).is_err());
        assert!(transition(Posting, PaymentStarted).is_err());
        assert!(transition(Completed, NeedsStaff).is_err());
        assert!(transition(Refunded, Posting).is_err());
    }

    #[test]
    fn a_late_payment_is_refunded_never_posted() {
        assert!(transition(PaymentFailed, Refunding).is_ok());
        assert!(transition(PaymentFailed, Paid).is_err());
        assert!(transition(PaymentFailed, Posting).is_err());
    }

    #[test]
    fn submit_first_never_ends_unpaid_silently() {
        let path = [
            Priced,
            Submitting,
            Submitted,
            PaymentStarted,
            Paid,
            Posting,
            Posted,
        ];
        for w in path.windows(2) {
            assert!(transition(w[0], w[1]).is_ok(), "{:?}", w);
        }
        // The open order is in the POS: only staff can end it without a payment.
        assert!(transition(Submitted, PaymentFailed).is_err());
        assert!(transition(Submitted, NeedsStaff).is_ok());
        // A lookup that proves the order never reached the POS ends it quietly.
        assert!(transition(Submitting, PaymentFailed).is_ok());
        assert!(transition(Submitting, PaymentStarted).is_err());
        assert!(!Submitted.money_may_have_moved());
    }

    #[test]
    fn names_round_trip() {
        for s in [
            Priced,
            Submitting,
            Submitted,
            PaymentStarted,
            Paid,
            Posting,
            Posted,
            Tracking,
            Completed,
            PaymentFailed,
            Refunding,
            Refunded,
            NeedsStaff,
        ] {
            assert_eq!(CheckoutState::parse(s.as_str()), Some(s));
        }
    }
}
