//! YooKassa API v3: the wire format.
//!
//! Everything the provider assumes about YooKassa's JSON is in this file (reference
//! `payments.md` §3.6 [D] unless marked):
//! - create: `amount {value: "123.00", currency: "RUB"}`, `capture: true`,
//!   `payment_method_data {type: "sbp"}`, `confirmation {type: "qr"}`, `description` (at most
//!   128 characters), `metadata` (our attempt id and order reference);
//! - payment: `id`, `status` (`pending` | `waiting_for_capture` | `succeeded` | `canceled`),
//!   `amount`, `confirmation.confirmation_data` (the QR payload), `captured_at`,
//!   `cancellation_details {party, reason}`, `refunded_amount`;
//! - refund: `id`, `payment_id`, `status` (`pending` | `succeeded` | `canceled`), `amount`,
//!   `cancellation_details`;
//! - error: `{type: "error", id, code, description, parameter}`;
//! - HTTP 202 `{type: "processing", retry_after}`: still working, repeat with the same key
//!   (assumed from the official SDK's behaviour [C]; `retry_after` read as milliseconds [U]);
//! - notification: `{type: "notification", event, object}` with the payment or refund as
//!   `object`.
//!
//! Amounts are decimal strings with two decimals (`Money`'s own form), never floats.

use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    pub value: Money,
    pub currency: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Confirmation {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub confirmation_data: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CancellationDetails {
    #[serde(default)]
    pub party: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizationDetails {
    #[serde(default)]
    pub rrn: Option<String>,
    #[serde(default)]
    pub auth_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payment {
    pub id: String,
    pub status: String,
    pub amount: Amount,
    #[serde(default)]
    pub confirmation: Option<Confirmation>,
    #[serde(default)]
    pub captured_at: Option<String>,
    #[serde(default)]
    pub cancellation_details: Option<CancellationDetails>,
    #[serde(default)]
    pub refunded_amount: Option<Amount>,
    #[serde(default)]
    pub authorization_details: Option<AuthorizationDetails>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub cancellation_details: Option<CancellationDetails>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameter: Option<String>,
}

impl ApiError {
    pub fn text(&self) -> String {
        format!(
            "YooKassa {}: {}{}",
            self.code.as_deref().unwrap_or("error"),
            self.description.as_deref().unwrap_or(""),
            self.parameter
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Processing {
    #[serde(default)]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    #[serde(default)]
    pub event: Option<String>,
    pub object: NotificationObject,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NotificationObject {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// Cancellation reasons that mean "nobody paid", not "the bank said no".
pub const NOT_PAID_REASONS: &[&str] = &["expired_on_confirmation", "canceled_by_merchant"];

pub fn rub(amount: Money) -> Value {
    json!({ "value": amount.to_string(), "currency": "RUB" })
}

/// The body of `POST /payments`: an SBP payment confirmed by a QR code, captured at once (SBP
/// has no two-stage payments).
pub fn create_payment(
    amount: Money,
    description: &str,
    attempt_id: &str,
    order_ref: &str,
) -> Value {
    json!({
        "amount": rub(amount),
        "capture": true,
        "payment_method_data": { "type": "sbp" },
        "confirmation": { "type": "qr" },
        "description": description.chars().take(128).collect::<String>(),
        "metadata": { "kiosk_attempt_id": attempt_id, "kiosk_order_ref": order_ref },
    })
}

pub fn create_refund(payment_id: &str, amount: Money) -> Value {
    json!({ "payment_id": payment_id, "amount": rub(amount) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_use_decimal_strings() {
        let b = create_payment(Money::parse("849.1").unwrap(), "Order 7", "a-1", "k1-7");
        assert_eq!(b["amount"]["value"], "849.10");
        assert_eq!(b["payment_method_data"]["type"], "sbp");
        assert_eq!(b["confirmation"]["type"], "qr");
        assert_eq!(b["metadata"]["kiosk_attempt_id"], "a-1");
    }

    #[test]
    fn reads_a_payment() {
        let p: Payment = serde_json::from_value(json!({
            "id": "2d1ea3c8-000f-5000-9000-1b2c3d4e5f60", "status": "pending", "paid": false,
            "amount": {"value": "849.10", "currency": "RUB"},
            "confirmation": {"type": "qr", "confirmation_data": "https://qr.nspk.ru/AS1000"},
            "created_at": "2026-01-15T09:30:00.000Z", "test": false
        }))
        .unwrap();
        assert_eq!(p.amount.value, Money::parse("849.10").unwrap());
        assert_eq!(
            p.confirmation.unwrap().confirmation_data.as_deref(),
            Some("https://qr.nspk.ru/AS1000")
        );
    }
}
