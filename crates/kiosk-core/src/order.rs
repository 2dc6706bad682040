//! Orders as the POS knows them: what the kiosk asks to create and what comes back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cart::Cart;
use crate::catalog::PosId;
use crate::money::Money;
use crate::payment::PaymentRecord;
use crate::pricing::Quote;

/// The POS-side status of an order. ProCart reports `deferred/open/bill/close/deleted`;
/// Jupiter tells only open or closed. Anything else is kept as `Unknown` with the raw text,
/// never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum OrderStatus {
    /// Created as a draft, not yet active.
    Deferred,
    /// Accepted and being prepared.
    Open,
    /// The bill (pre-check) was printed.
    Bill,
    /// Paid and closed.
    Closed,
    /// Deleted on the POS.
    Deleted,
    Unknown {
        raw: String,
    },
}

impl OrderStatus {
    /// Parses a POS status word, case-insensitively.
    pub fn parse(raw: &str) -> OrderStatus {
        match raw.trim().to_ascii_lowercase().as_str() {
            "deferred" => OrderStatus::Deferred,
            "open" | "opened" => OrderStatus::Open,
            "bill" | "precheck" => OrderStatus::Bill,
            "close" | "closed" => OrderStatus::Closed,
            "deleted" | "delete" => OrderStatus::Deleted,
            _ => OrderStatus::Unknown {
                raw: raw.to_string(),
            },
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(self, OrderStatus::Closed | OrderStatus::Deleted)
    }

    pub fn as_str(&self) -> &str {
        match self {
            OrderStatus::Deferred => "deferred",
            OrderStatus::Open => "open",
            OrderStatus::Bill => "bill",
            OrderStatus::Closed => "closed",
            OrderStatus::Deleted => "deleted",
            OrderStatus::Unknown { raw } => raw,
        }
    }
}

/// Per-order parameters the settings derive from the order type and the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderContext {
    /// The POS order category for the order type (it selects prices).
    pub order_category: Option<PosId>,
    pub order_kind: Option<PosId>,
    pub table: Option<PosId>,
    pub guests: Option<u32>,
}

/// Everything needed to create the order in the POS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub cart: Cart,
    pub context: OrderContext,
    /// Our id for the order; the POS keeps it so a lost answer can be looked up.
    pub external_id: String,
    /// The amount the customer was charged (or will pay at the counter).
    pub expected_total: Money,
    /// `None` for an order paid later at the counter.
    pub payment: Option<PaymentRecord>,
    /// Long comment, printed on the kitchen slip.
    pub comment: Option<String>,
    /// Up to 30 characters, visible in the POS's order list.
    pub short_comment: Option<String>,
    pub callback_url: Option<String>,
}

/// An order as the POS reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PosOrder {
    pub pos_order_id: String,
    pub external_id: Option<String>,
    /// The number the guest is called by.
    pub number: Option<String>,
    pub status: OrderStatus,
    pub total: Money,
    pub paid: Money,
    #[ts(optional)]
    pub quote: Option<Quote>,
}

/// What the POS said of its own health. Each line the installer sees is a separate field so a
/// bad token is never confused with a down cash server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PosInfo {
    pub pos: String,
    pub gateway_version: Option<String>,
    pub backend_version: Option<String>,
    /// Whether the gateway reaches the cash server behind it; `None` when the POS has no such split.
    pub cash_server_available: Option<bool>,
    pub licence_valid: Option<bool>,
    pub licence_expires: Option<String>,
    pub licence_message: Option<String>,
    pub token_valid: Option<bool>,
    pub source_name: Option<String>,
    pub latency_ms: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively_and_keep_unknowns() {
        assert_eq!(OrderStatus::parse("BILL"), OrderStatus::Bill);
        assert_eq!(OrderStatus::parse("close"), OrderStatus::Closed);
        assert_eq!(
            OrderStatus::parse("cooking"),
            OrderStatus::Unknown {
                raw: "cooking".into()
            }
        );
        assert!(OrderStatus::Deleted.is_final());
        assert!(!OrderStatus::Open.is_final());
    }
}
