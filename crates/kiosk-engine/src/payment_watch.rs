//! The payment the customer is paying right now, and payments that arrive too late.
//!
//! **The payment in progress** ([`ActivePayments`]). One payment runs on a kiosk at a time.
//! While a QR code is on screen the customer may walk away from it: the "Cancel" button
//! ([`Checkouts::cancel_payment`]) stops the wait and closes the QR at the provider
//! ([`Checkouts::abandon_payment`]). A card payment has no such button: the customer cancels on
//! the terminal itself, and the kiosk never stops `sb_pilot` midway (that would leave the charge
//! unknown). The checkout's progress sink reports each [`PaymentProgress`] here, which is how
//! the kiosk knows a QR is shown or has expired, and where the `while_paying` crash point sits.
//!
//! **Late payments** ([`Checkouts::sweep_late_payments`], run by [`watch_late_payments`]). A
//! provider may take money after the kiosk gave up on the payment: YooKassa cannot cancel a
//! pending SBP payment, so an abandoned QR stays payable for an hour; a QR whose cancel could
//! not be confirmed; an `sb_pilot` that was still running when the kiosk restarted. Money is
//! never kept silently:
//! - a `PaymentFailed` checkout whose payment turns out approved goes to `Refunding` with the
//!   receipt, and the money goes back (or to staff when the refund fails);
//! - a `NeedsStaff` checkout whose payment was unknown gets the receipt and a new notice, and
//!   goes back on the staff's problem list (the guest may be at the counter: staff decide
//!   between the order and a refund).
//!
//! Status queries are the truth, as everywhere: the sweep asks each provider about the recent
//! checkouts that gave up (within [`LATE_WINDOW`]) until the provider says the payment is over.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::checkout::CheckoutState;
use kiosk_core::payment::{PaymentOutcome, PaymentProgress};
use kiosk_core::ports::PaymentProvider;
use kiosk_core::view::CheckoutNotice;
use tokio::sync::Notify;

use crate::checkout::Checkouts;
use crate::crashpoint;
use crate::journal::{Changes, CheckoutRecord, JournalError};

/// How long after its start a checkout that gave up its payment is still watched: longer than
/// any QR lives (YooKassa's SBP window is an hour; T-Bank's is the configured lifetime).
pub const LATE_WINDOW: Duration = Duration::from_secs(2 * 3600);

/// How many of the newest checkouts the sweep looks at (a kiosk takes far fewer in the window).
const SWEEP_LIMIT: u32 = 500;

/// What the customer's screen shows of the payment in progress.
#[derive(Debug, Default)]
pub struct PaymentWatch {
    qr: AtomicBool,
    expired: AtomicBool,
    prompted: AtomicBool,
    abandon: Notify,
}

impl PaymentWatch {
    /// Called with every progress event the provider reports.
    pub fn saw(&self, p: &PaymentProgress) {
        let customer_acts = match p {
            PaymentProgress::ShowQr { .. } => {
                self.qr.store(true, Ordering::SeqCst);
                true
            }
            PaymentProgress::Prompt { .. } => true,
            PaymentProgress::Expired => {
                self.expired.store(true, Ordering::SeqCst);
                false
            }
            _ => false,
        };
        if customer_acts && !self.prompted.swap(true, Ordering::SeqCst) {
            crashpoint::hit("while_paying");
        }
    }

    /// The provider said the QR ran out: a `Pending` answer then means "closed at the kiosk",
    /// not "answer lost".
    pub fn expired(&self) -> bool {
        self.expired.load(Ordering::SeqCst)
    }

    /// Runs the provider's `start` until it ends, or `None` when the customer walked away.
    pub async fn run<F: Future>(&self, start: F) -> Option<F::Output> {
        tokio::select! {
            biased;
            o = start => Some(o),
            _ = self.abandon.notified() => None,
        }
    }
}

/// The one payment in progress on this kiosk.
#[derive(Debug, Default)]
pub struct ActivePayments {
    current: Mutex<Option<Arc<PaymentWatch>>>,
}

/// Ends the payment's slot when the checkout stops paying (however it stops).
pub struct ActiveGuard<'a> {
    slots: &'a ActivePayments,
    watch: Arc<PaymentWatch>,
}

impl ActiveGuard<'_> {
    pub fn watch(&self) -> Arc<PaymentWatch> {
        self.watch.clone()
    }
}

impl Drop for ActiveGuard<'_> {
    fn drop(&mut self) {
        let mut cur = self.slots.lock();
        if cur.as_ref().is_some_and(|w| Arc::ptr_eq(w, &self.watch)) {
            *cur = None;
        }
    }
}

impl ActivePayments {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<PaymentWatch>>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn begin(&self) -> ActiveGuard<'_> {
        let watch = Arc::new(PaymentWatch::default());
        *self.lock() = Some(watch.clone());
        ActiveGuard { slots: self, watch }
    }

    /// The customer's "Cancel" while a QR code is on screen; `false` when there is no payment
    /// the kiosk may stop (none running, or a card payment, cancelled on the terminal).
    pub fn cancel(&self) -> bool {
        match self.lock().as_ref() {
            Some(w) if w.qr.load(Ordering::SeqCst) => {
                w.abandon.notify_one();
                true
            }
            _ => false,
        }
    }
}

/// What one sweep found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LateSweep {
    /// Payments still open at their provider, asked again next time.
    pub watched: usize,
    /// Late payments of given-up checkouts, now going back.
    pub refunded: usize,
    /// Late payments of checkouts with staff, raised to them again.
    pub raised: usize,
}

impl Checkouts {
    /// The customer's "Cancel" on the payment screen (see [`ActivePayments::cancel`]).
    pub fn cancel_payment(&self) -> bool {
        self.active.cancel()
    }

    /// The customer walked away from the QR (or it expired on screen): closes the payment at
    /// the provider. A payment that went through meanwhile stands (the guest is still here, the
    /// order goes on); one the provider cannot close now (YooKassa's pending SBP payments, an
    /// unreachable provider) ends the checkout anyway, and the late-payment sweep follows it.
    pub(crate) async fn abandon_payment(
        &self,
        provider: &dyn PaymentProvider,
        rec: &CheckoutRecord,
    ) -> PaymentOutcome {
        match provider.cancel(&rec.attempt_id).await {
            Ok(o @ (PaymentOutcome::Approved { .. } | PaymentOutcome::Declined { .. })) => o,
            Ok(PaymentOutcome::Cancelled) | Ok(PaymentOutcome::NotFound) => {
                PaymentOutcome::Cancelled
            }
            other => {
                tracing::warn!(checkout = %rec.id, attempt = %rec.attempt_id, answer = ?other,
                    "the provider cannot close the payment now; the late-payment sweep follows it");
                PaymentOutcome::Cancelled
            }
        }
    }

    /// One pass over the recent checkouts that gave up their payment: asks each provider, and
    /// refunds or raises to staff what was paid late. `settled` holds the checkouts whose
    /// payment is known to be over; they are not asked again.
    pub async fn sweep_late_payments(
        &self,
        settled: &mut HashSet<String>,
    ) -> Result<LateSweep, JournalError> {
        let mut report = LateSweep::default();
        let cutoff = time::OffsetDateTime::now_utc() - LATE_WINDOW;
        for rec in self.journal.recent(SWEEP_LIMIT)? {
            if settled.contains(&rec.id) || rec.pay_at_counter {
                continue;
            }
            let recent = time::OffsetDateTime::parse(
                &rec.created_at,
                &time::format_description::well_known::Rfc3339,
            )
            .map(|t| t >= cutoff)
            .unwrap_or(false);
            let watched = match rec.state {
                CheckoutState::PaymentFailed => true,
                // Only those whose payment was never known; the rest staff handle as they are.
                // A submitted-first order open in the POS unpaid counts: a QR paid after the
                // kiosk gave up on it must reach staff before they void the order.
                CheckoutState::NeedsStaff => {
                    rec.receipt.is_none()
                        && (rec.pos_order_id.is_none() || rec.open_in_pos_unpaid())
                }
                _ => false,
            };
            if !recent || !watched {
                continue;
            }
            let Some(provider) = self.provider_for(&rec) else {
                settled.insert(rec.id.clone());
                continue;
            };
            match provider.status(&rec.attempt_id).await {
                Ok(PaymentOutcome::Approved { receipt }) => {
                    settled.insert(rec.id.clone());
                    if rec.state == CheckoutState::PaymentFailed {
                        tracing::warn!(checkout = %rec.id, attempt = %rec.attempt_id, amount = %receipt.amount,
                            "a payment arrived after the checkout gave up; refunding it");
                        let reason =
                            "the payment arrived after the order was cancelled".to_string();
                        let stepped = self.step(
                            &rec,
                            CheckoutState::Refunding,
                            Changes {
                                receipt: Some(receipt.clone()),
                                notice: Some(Some(CheckoutNotice::Refunding {
                                    reason: reason.clone(),
                                })),
                                ..Default::default()
                            },
                            Some(&format!(
                                "late payment {} of {}",
                                receipt.transaction_id, receipt.amount
                            )),
                        );
                        let rec = match stepped {
                            Ok(rec) => rec,
                            // Another sweep (a second engine on the journal) took it first.
                            Err(JournalError::Conflict { .. }) => continue,
                            Err(e) => return Err(e),
                        };
                        self.refund(rec).await?;
                        report.refunded += 1;
                    } else {
                        tracing::warn!(checkout = %rec.id, attempt = %rec.attempt_id, amount = %receipt.amount,
                            "a payment in doubt turned out approved; raising it to staff");
                        let reason = format!(
                            "the payment of {} arrived after the kiosk stopped waiting ({} {}): send the order or refund it",
                            receipt.amount, receipt.provider, receipt.transaction_id
                        );
                        let notice = CheckoutNotice::AskStaff { reason };
                        let detail = format!(
                            "late payment {} of {}",
                            receipt.transaction_id, receipt.amount
                        );
                        if let Some(r) = self
                            .journal
                            .note_late_payment(&rec.id, &receipt, &notice, &detail)?
                        {
                            self.republish(&r);
                            report.raised += 1;
                        }
                    }
                }
                Ok(PaymentOutcome::Pending) | Err(_) => report.watched += 1,
                // Declined, cancelled, never made: nothing was charged, and nothing will be.
                Ok(_) => {
                    settled.insert(rec.id.clone());
                }
            }
        }
        Ok(report)
    }
}

/// Sweeps for late payments every `every` while the engine runs.
pub async fn watch_late_payments(checkouts: Arc<Checkouts>, every: Duration) {
    let mut settled = HashSet::new();
    loop {
        match checkouts.sweep_late_payments(&mut settled).await {
            Ok(r) if r.refunded + r.raised > 0 => {
                tracing::warn!(
                    refunded = r.refunded,
                    raised = r.raised,
                    watched = r.watched,
                    "late payments found"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot look for late payments"),
        }
        tokio::time::sleep(every).await;
    }
}
