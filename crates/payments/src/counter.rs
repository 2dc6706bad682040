//! Pay at the counter: the kiosk takes no money. The order is placed in the POS unpaid, and the
//! customer gets the number and a message to pay at the till.

use async_trait::async_trait;
use kiosk_core::payment::{PaymentOutcome, PaymentRequest, RefundOutcome};
use kiosk_core::ports::{PaymentError, PaymentProvider, ProgressSink};
use kiosk_core::Money;

pub struct CounterProvider;

#[async_trait]
impl PaymentProvider for CounterProvider {
    fn name(&self) -> &'static str {
        "counter"
    }

    async fn start(
        &self,
        _req: &PaymentRequest,
        _progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError> {
        Ok(PaymentOutcome::PayAtCounter)
    }

    async fn status(&self, _attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        Ok(PaymentOutcome::PayAtCounter)
    }

    async fn cancel(&self, _attempt_id: &str) -> Result<PaymentOutcome, PaymentError> {
        Ok(PaymentOutcome::Cancelled)
    }

    /// Nothing was taken, so there is nothing to return; the cashier voids the order.
    async fn refund(
        &self,
        _attempt_id: &str,
        _amount: Money,
    ) -> Result<RefundOutcome, PaymentError> {
        Ok(RefundOutcome::Refunded {
            reference: "nothing charged at the kiosk".into(),
        })
    }
}
