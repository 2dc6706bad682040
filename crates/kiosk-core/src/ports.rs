//! The ports: what the engine needs from a POS and from a payment provider.
//!
//! Adapters (`pos-procart`, `pos-jupiter`, `payments`) implement these traits; the engine and
//! the tests only ever see the traits, so a simulator and a real gateway are interchangeable.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cart::Cart;
use crate::catalog::Catalog;
use crate::error::PosError;
use crate::money::Money;
use crate::order::{OrderContext, OrderRequest, PosInfo, PosOrder};
use crate::payment::{PaymentOutcome, PaymentProgress, PaymentRequest, RefundOutcome};
use crate::pricing::Quote;

#[async_trait]
pub trait Pos: Send + Sync {
    /// `"procart"` or `"jupiter"`.
    fn kind(&self) -> &'static str;

    /// Health: reachability, versions, licence, token. Never has side effects in the POS.
    async fn ping(&self) -> Result<PosInfo, PosError>;

    /// The whole menu, normalised, with faults listed rather than fatal.
    async fn menu(&self) -> Result<Catalog, PosError>;

    /// The POS's price for the cart. ProCart asks `/validate`; a POS without such a call
    /// prices locally from `catalog`.
    async fn price(
        &self,
        catalog: &Catalog,
        cart: &Cart,
        ctx: &OrderContext,
    ) -> Result<Quote, PosError>;

    /// Creates the order. Not retried by adapters: when the answer is lost the caller looks the
    /// order up with [`Pos::find_order`] before trying again.
    async fn place_order(
        &self,
        catalog: &Catalog,
        req: &OrderRequest,
    ) -> Result<PosOrder, PosError>;

    /// Whether sending the same order again (same external id) can never duplicate it, so an
    /// order found incomplete after a lost answer may simply be sent again. Jupiter merges a
    /// resend by its order uid; ProCart's duplicate handling is not documented, so no.
    fn resend_is_safe(&self) -> bool {
        false
    }

    /// Whether checkouts send the order open *before* the payment and charge the POS's own
    /// total ("submit first", Jupiter's strategy B, for automatic discounts the customer must
    /// see before paying); `place_order` without a payment then opens it, and again with the
    /// payment closes it. Only a POS that merges resends can do this.
    fn submit_first(&self) -> bool {
        false
    }

    /// The restaurant's header for receipts, as the POS keeps it (Jupiter's `print_header`),
    /// from the menu last read; `None` where the POS has none.
    fn print_header(&self) -> Option<String> {
        None
    }

    /// Looks an order up by our external id. `Ok(None)` means the POS surely has no such order.
    async fn find_order(&self, external_id: &str) -> Result<Option<PosOrder>, PosError>;

    /// Orders by the POS's ids. With no ids: the recent orders the POS lists for this kiosk
    /// (ProCart: this token's orders of the last day; Jupiter: the open orders).
    async fn orders(&self, pos_order_ids: &[String]) -> Result<Vec<PosOrder>, PosError>;
}

/// Progress events for the customer's screen while a payment runs.
pub type ProgressSink = Arc<dyn Fn(PaymentProgress) + Send + Sync>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PaymentError {
    /// The provider could not be reached; the attempt may or may not exist.
    #[error("the payment provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider failed: {0}")]
    Provider(String),
    #[error("the payment provider answered with something we cannot read: {0}")]
    Malformed(String),
    #[error("the payment provider is not set up: {0}")]
    Config(String),
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;

    /// Takes the payment and waits for its outcome. Calling it again with the same attempt id
    /// must not charge twice.
    async fn start(
        &self,
        req: &PaymentRequest,
        progress: ProgressSink,
    ) -> Result<PaymentOutcome, PaymentError>;

    /// The outcome of an attempt, for recovery after a crash or a lost answer.
    async fn status(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError>;

    /// Cancels an attempt that has not completed.
    async fn cancel(&self, attempt_id: &str) -> Result<PaymentOutcome, PaymentError>;

    /// Returns money for an approved attempt.
    async fn refund(&self, attempt_id: &str, amount: Money) -> Result<RefundOutcome, PaymentError>;
}
