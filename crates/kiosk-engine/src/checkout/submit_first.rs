//! Submit first (Jupiter's strategy B, reference §8.4): the order goes to the POS open before
//! the payment, the kiosk charges the POS's own total, then closes the order with the payment.
//!
//! Why: JPOS has no price check; only `add_new_order` applies a venue's automatic discounts
//! (and loyalty). Under "pay first" such a discount surfaces after the charge, as a total
//! mismatch for staff. The price of submitting first is that the kitchen ticket prints before
//! anyone has paid, and JPOS cannot cancel an order. So every unpaid end of such a checkout is
//! a staff alert ("NOT PAID – void order N"): never a quiet failure, never a later charge.
//!
//! - `Priced` → `Submitting` is journaled before `place_order` without a payment. The external
//!   id is the Jupiter order uid, the same on every resend, so a resend merges. The send is
//!   retried a few times while the customer waits; after that, and after a crash, the order is
//!   only *looked up*, never sent again: found → staff void it; surely absent → `PaymentFailed`
//!   (nothing printed, nothing charged).
//! - `Submitted` records the POS's order id, number and quote, whose total becomes the amount
//!   to charge. When it is what the customer saw, the payment starts at once. When it is not
//!   (an automatic discount), the customer gets `PriceChanged` with the POS's quote (the answer
//!   the cart screen already handles: it shows the new total) and the checkout waits; the next
//!   "Pay" with the same cart and exactly that total charges it. Another cart, no answer within
//!   [`CheckoutSettings::confirm_within`](super::CheckoutSettings) (the screen's idle reset), or
//!   a restart hand the open order to staff.
//! - From `PaymentStarted` on it is the ordinary path, except that a declined, cancelled or
//!   unknown payment ends in `NeedsStaff` (the order is open in the POS), and the closing
//!   `place_order` carries the payment.

use std::sync::{Arc, Mutex, MutexGuard};

use kiosk_core::cart::Cart;
use kiosk_core::catalog::Catalog;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::IpcError;
use kiosk_core::order::PosOrder;
use kiosk_core::payment::PaymentOutcome;
use kiosk_core::pricing::{self, Quote, QuoteSource};
use kiosk_core::view::{CheckoutEvent, CheckoutResult, PricedCart};
use kiosk_core::Money;

use super::{journal_err, Checkouts, EventSink};
use crate::crashpoint;
use crate::journal::{Changes, CheckoutRecord, JournalError};

/// How many times the open order is sent while the customer waits (resends merge in the POS).
const OPEN_ATTEMPTS: usize = 4;

/// The submitted checkout waiting for the customer to accept the POS's total. One screen, one
/// customer: at most one waits.
#[derive(Debug, Default)]
pub(crate) struct Awaiting {
    slot: Mutex<Option<Waiting>>,
}

#[derive(Debug, Clone)]
struct Waiting {
    checkout_id: String,
    cart: Cart,
}

impl Awaiting {
    fn lock(&self) -> MutexGuard<'_, Option<Waiting>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Option<Waiting> {
        self.lock().take()
    }

    fn put(&self, w: Waiting) -> Option<Waiting> {
        self.lock().replace(w)
    }

    /// Empties the slot if this checkout is still the one waiting.
    fn take_if(&self, checkout_id: &str) -> bool {
        let mut slot = self.lock();
        if slot.as_ref().is_some_and(|w| w.checkout_id == checkout_id) {
            *slot = None;
            true
        } else {
            false
        }
    }
}

/// What the customer is shown when the POS's total is not the one they saw.
fn price_changed(catalog: &Catalog, quote: &Quote) -> CheckoutResult {
    CheckoutResult::PriceChanged {
        quote: PricedCart {
            revision: 0,
            changes: pricing::price_changes(catalog, quote),
            quote: quote.clone(),
            problems: vec![],
        },
    }
}

impl Checkouts {
    /// The customer's "Pay" while a submitted order waits for their answer:
    /// - `None`: nothing waits for this cart; a checkout that waited for another cart went to
    ///   staff. Start a new checkout.
    /// - `Some(Ok(rec))`: they accept the POS's total: charge exactly it.
    /// - `Some(Err(result))`: they were about to pay another total: show the POS's again.
    pub(super) fn answer_waiting(
        &self,
        cart: &Cart,
        expected_total: Money,
        catalog: &Catalog,
    ) -> Result<Option<Result<CheckoutRecord, CheckoutResult>>, JournalError> {
        let Some(w) = self.awaiting.take() else {
            return Ok(None);
        };
        let rec = self.journal.get(&w.checkout_id)?;
        if rec.state != CheckoutState::Submitted {
            // Its wait ran out meanwhile: it is with staff already.
            return Ok(None);
        }
        if w.cart != *cart {
            self.not_paid(&rec, "the guest changed the order instead of paying", None)?;
            return Ok(None);
        }
        if rec.total != expected_total {
            self.awaiting.put(w);
            return Ok(Some(Err(price_changed(catalog, &rec.quote))));
        }
        tracing::info!(checkout = %rec.id, total = %rec.total, "the guest accepted the POS's total");
        Ok(Some(Ok(rec)))
    }

    /// Sends the order open (the record is `Priced`) and takes the POS's total. `Ok(Ok(rec))`:
    /// `Submitted` at the total the customer saw, ready to charge; `Ok(Err(result))`: the
    /// customer must accept another total first; `Err`: the POS could not take the order, and
    /// nothing was charged.
    pub(super) async fn submit_open(
        self: &Arc<Self>,
        rec: CheckoutRecord,
        expected_total: Money,
        events: &EventSink,
        catalog: &Catalog,
    ) -> Result<Result<CheckoutRecord, CheckoutResult>, IpcError> {
        // Journal first: from here on the POS may have the order.
        let rec = self
            .step(
                &rec,
                CheckoutState::Submitting,
                Changes {
                    count_post_attempt: true,
                    ..Default::default()
                },
                None,
            )
            .map_err(journal_err)?;
        crashpoint::hit("after_submitting_write");
        events(CheckoutEvent::State { state: rec.state });
        // No receipt yet, so the request carries no payment: the order goes in open.
        let req = self.request(&rec);
        let mut attempt = 0;
        let order = loop {
            let answer = self.pos.place_order(catalog, &req).await;
            crashpoint::hit("after_submit_call");
            match answer {
                Ok(order) => break order,
                // The first send refused: the POS created nothing, the kitchen printed nothing.
                Err(e) if e.is_refusal() && attempt == 0 => {
                    let why = format!("the POS refused the order: {e}");
                    self.step(
                        &rec,
                        CheckoutState::PaymentFailed,
                        Changes::default(),
                        Some(&why),
                    )
                    .map_err(journal_err)?;
                    return Err(e.into());
                }
                Err(e) if attempt + 1 < OPEN_ATTEMPTS && !e.is_refusal() => {
                    tracing::warn!(checkout = %rec.id, error = %e, "the open order did not reach the POS; sending it again");
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    // The POS may have it open: from now on it is only looked up (and handed to
                    // staff if found), never sent again for a guest who is leaving.
                    tracing::warn!(checkout = %rec.id, error = %e, "the open order is in doubt; looking it up in the background");
                    let me = self.clone();
                    let background = rec.clone();
                    tokio::spawn(async move { me.drive(background).await });
                    return Err(e.into());
                }
            }
        };
        let quote = match order.quote.clone() {
            Some(q) => Quote {
                source: QuoteSource::Pos,
                ..q
            },
            None => Quote {
                source: QuoteSource::Pos,
                total: order.total,
                ..rec.quote.clone()
            },
        };
        let detail = format!(
            "open in the POS as {} at {}",
            order.pos_order_id, quote.total
        );
        let rec = self
            .step(
                &rec,
                CheckoutState::Submitted,
                Changes {
                    pos_order_id: Some(order.pos_order_id.clone()),
                    pos_number: order.number.clone(),
                    pos_status: Some(order.status.as_str().to_string()),
                    quote: Some(quote),
                    ..Default::default()
                },
                Some(&detail),
            )
            .map_err(journal_err)?;
        crashpoint::hit("after_submitted_write");
        events(CheckoutEvent::State { state: rec.state });
        if rec.total != expected_total {
            tracing::info!(checkout = %rec.id, pos_total = %rec.total, shown = %expected_total,
                "the POS totals the order differently (an automatic discount?); asking the guest");
            self.wait_for_answer(&rec);
            return Ok(Err(price_changed(catalog, &rec.quote)));
        }
        Ok(Ok(rec))
    }

    /// Keeps a submitted checkout for the customer's answer, and hands it to staff when none
    /// comes in time (the screen went back to the start).
    fn wait_for_answer(self: &Arc<Self>, rec: &CheckoutRecord) {
        let previous = self.awaiting.put(Waiting {
            checkout_id: rec.id.clone(),
            cart: rec.cart.clone(),
        });
        if let Some(old) = previous {
            self.abandon_waiting(&old.checkout_id, "another order was started instead");
        }
        let me = self.clone();
        let id = rec.id.clone();
        let within = self.settings.confirm_within;
        tokio::spawn(async move {
            tokio::time::sleep(within).await;
            if me.awaiting.take_if(&id) {
                me.abandon_waiting(&id, "the guest did not accept the new total");
            }
        });
    }

    fn abandon_waiting(&self, checkout_id: &str, why: &str) {
        let handed = self
            .journal
            .get(checkout_id)
            .and_then(|rec| match rec.state {
                CheckoutState::Submitted => self.not_paid(&rec, why, None).map(|_| ()),
                _ => Ok(()),
            });
        if let Err(e) = handed {
            tracing::error!(checkout = %checkout_id, error = %e, "could not hand an unpaid order to staff");
        }
    }

    /// The payment of an order that is already open in the POS did not go through (declined,
    /// cancelled, unknown): the order goes to staff to void. `None` when it did go through.
    pub(super) fn payment_not_taken(
        &self,
        rec: &CheckoutRecord,
        outcome: &PaymentOutcome,
    ) -> Result<Option<CheckoutResult>, JournalError> {
        let why = match outcome {
            PaymentOutcome::Approved { .. } | PaymentOutcome::PayAtCounter => return Ok(None),
            PaymentOutcome::Declined { reason } => format!("the payment was declined ({reason})"),
            PaymentOutcome::Cancelled => "the payment was cancelled".to_string(),
            PaymentOutcome::NotFound => "the payment never started".to_string(),
            PaymentOutcome::Pending => {
                "the payment's outcome is unknown: check it before voiding".to_string()
            }
        };
        let rec = self.not_paid(rec, &why, None)?;
        Ok(Some(match outcome {
            PaymentOutcome::Declined { reason } => CheckoutResult::PaymentDeclined {
                reason: reason.clone(),
            },
            PaymentOutcome::Pending => CheckoutResult::Placed {
                order: Self::view(&rec),
            },
            _ => CheckoutResult::PaymentCancelled,
        }))
    }

    /// After a crash or a lost answer in `Submitting`: does the POS have the open order? Found
    /// → staff void it; surely absent → nothing happened; unknown → ask again later.
    pub(super) async fn resolve_submitting(
        &self,
        rec: &CheckoutRecord,
    ) -> Result<Option<CheckoutRecord>, JournalError> {
        match self.reconcile(rec).await {
            Ok(Some(order)) => self
                .not_paid(
                    rec,
                    "the kiosk lost track of it before the guest paid",
                    Some(&order),
                )
                .map(Some),
            Ok(None) => self
                .step(
                    rec,
                    CheckoutState::PaymentFailed,
                    Changes::default(),
                    Some("the open order never reached the POS; nothing was charged"),
                )
                .map(Some),
            Err(e) => {
                tracing::warn!(checkout = %rec.id, error = %e, "cannot tell whether the POS has the open order");
                Ok(None)
            }
        }
    }

    /// Hands an unpaid order that is open in the POS to staff, with the alert they act on.
    pub(super) fn not_paid(
        &self,
        rec: &CheckoutRecord,
        why: &str,
        found: Option<&PosOrder>,
    ) -> Result<CheckoutRecord, JournalError> {
        let pos_order_id = found.map(|o| o.pos_order_id.clone());
        let number = found
            .and_then(|o| o.number.clone())
            .or_else(|| rec.pos_number.clone())
            .or_else(|| pos_order_id.clone())
            .or_else(|| rec.pos_order_id.clone())
            .unwrap_or_else(|| rec.number.clone());
        let reason = format!(
            "NOT PAID – void order {number} in the POS (its kitchen ticket was printed): {why}"
        );
        tracing::warn!(checkout = %rec.id, order = %number, why, "an unpaid order is open in the POS; staff must void it");
        self.to_staff(rec, &reason, pos_order_id)
    }
}
