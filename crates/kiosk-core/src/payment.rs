//! Payments as the checkout sees them, whatever the provider.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::Money;

/// One payment attempt. `attempt_id` is the idempotency key the provider sees: asking again
/// with it can never charge twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub attempt_id: String,
    /// Our order id, shown on the bank statement where the provider supports it.
    pub order_ref: String,
    pub amount: Money,
    pub description: String,
}

/// Proof of a charge, passed on to the POS with the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentReceipt {
    pub provider: String,
    pub attempt_id: String,
    pub transaction_id: String,
    pub auth_code: Option<String>,
    pub card_mask: Option<String>,
    pub amount: Money,
    pub paid_at: String,
}

/// The payment as the POS records it: the receipt plus the tender configured for the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// The POS's payment type: an r_keeper currency code, a Jupiter `pay_type_uid`.
    pub tender: String,
    pub receipt: PaymentReceipt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PaymentOutcome {
    Approved {
        receipt: PaymentReceipt,
    },
    Declined {
        reason: String,
    },
    /// The customer cancelled on the terminal or let the QR code expire.
    Cancelled,
    /// Not known yet (in progress, or the answer was lost): ask again by the attempt id.
    Pending,
    /// The provider has never seen this attempt: nothing was charged.
    NotFound,
    /// Nothing is charged now: the customer pays at the counter.
    PayAtCounter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum RefundOutcome {
    Refunded { reference: String },
    Pending,
    Failed { reason: String },
}

/// What the customer should see while a payment runs (terminal prompts, a QR code; `Expired`:
/// the QR code ran out before it was paid, and the kiosk is closing the payment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PaymentProgress {
    Started { amount: Money },
    Prompt { text: String },
    ShowQr { payload: String, expires_in_s: u32 },
    Processing,
    Expired,
}
