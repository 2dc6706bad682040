//! The order slip as data: what the guest's paper says, independent of paper width and language.
//!
//! [`Slip::from_order`] builds it from the kiosk's own types (the order as the confirmation screen
//! shows it, the POS's quote, the payment receipt), so the engine prints and reprints from what the
//! journal already keeps. A slip is plain serde data: it can be stored and printed again as it was.
//!
//! Card data: the receipt's `card_mask` is trusted for nothing. Only its last four digits reach
//! the slip (`**** 1234`), so even a provider that put a full PAN there would not get it printed.

use kiosk_core::cart::OrderType;
use kiosk_core::payment::PaymentReceipt;
use kiosk_core::pricing::{AdjustmentKind, Quote};
use kiosk_core::view::OrderView;
use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::settings::PrinterSettings;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slip {
    /// Our checkout id (the QR code's order id).
    pub order_id: String,
    /// The restaurant's lines; the first is its name.
    pub header: Vec<String>,
    /// The number the guest is called by.
    pub number: String,
    pub order_type: OrderType,
    /// For takeaway: the number the order is handed out by.
    pub pickup_number: Option<String>,
    pub lines: Vec<SlipLine>,
    /// Before discounts and markups.
    pub subtotal: Money,
    pub adjustments: Vec<SlipAdjustment>,
    /// What the guest paid (or pays at the counter).
    pub total: Money,
    pub payment: SlipPayment,
    /// `dd.mm.yyyy hh:mm` in the kiosk's time zone.
    pub date_time: String,
    /// The order-status page, printed as a QR code.
    pub status_url: Option<String>,
    /// Printed again (from the staff screens): marked as a copy.
    pub reprint: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlipLine {
    pub name: String,
    pub qty: u32,
    /// The line's amount, modifiers included.
    pub total: Money,
    pub modifiers: Vec<SlipModifier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlipModifier {
    pub name: String,
    pub qty: u32,
    /// Included in the line's total; zero for free choices.
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlipAdjustment {
    pub kind: AdjustmentKind,
    pub name: String,
    /// Negative for a discount.
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlipPayment {
    /// Paid at the kiosk.
    Paid {
        /// `**** 1234`, never more of the card number.
        card: Option<String>,
        auth_code: Option<String>,
        /// The provider's transaction id.
        reference: Option<String>,
    },
    /// The guest pays at the counter.
    AtCounter,
}

/// What the slip takes from the kiosk rather than from the order.
#[derive(Debug, Clone, PartialEq)]
pub struct SlipContext {
    pub header: Vec<String>,
    /// The status page template (`{order_id}`, `{number}`).
    pub status_url: Option<String>,
    /// For takeaway, when the POS hands orders out by another number than the one the guest
    /// is called by; by default the order number is the pickup number.
    pub pickup_number: Option<String>,
    pub at: OffsetDateTime,
    pub reprint: bool,
}

impl SlipContext {
    /// The header is the settings' when they give one, else the POS's own (Jupiter's
    /// `print_header`, one line per line of it): an installer who typed a header meant it.
    pub fn new(settings: &PrinterSettings, pos_header: Option<&str>, at: OffsetDateTime) -> Self {
        let from_settings: Vec<String> = clean_lines(settings.header.iter().map(String::as_str));
        let header = if from_settings.is_empty() {
            clean_lines(pos_header.unwrap_or("").lines())
        } else {
            from_settings
        };
        SlipContext {
            header,
            status_url: settings.status_url.clone(),
            pickup_number: None,
            at,
            reprint: false,
        }
    }
}

fn clean_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    lines
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

impl Slip {
    /// The slip of a placed order. `quote` is the one the guest was charged for (the journal
    /// keeps it with the checkout); `receipt` is the payment's, absent for pay-at-counter.
    pub fn from_order(
        order: &OrderView,
        quote: &Quote,
        receipt: Option<&PaymentReceipt>,
        ctx: &SlipContext,
    ) -> Slip {
        let lines = quote
            .lines
            .iter()
            .map(|l| SlipLine {
                name: l.name.clone(),
                qty: l.qty,
                total: l.total,
                modifiers: l
                    .modifiers
                    .iter()
                    .map(|m| SlipModifier {
                        name: m.name.clone(),
                        qty: m.qty,
                        total: m.total,
                    })
                    .collect(),
            })
            .collect();
        let adjustments = quote
            .adjustments
            .iter()
            .map(|a| SlipAdjustment {
                kind: a.kind,
                name: a.name.clone(),
                amount: a.amount,
            })
            .collect();
        let payment = if order.pay_at_counter {
            SlipPayment::AtCounter
        } else {
            SlipPayment::Paid {
                card: receipt
                    .and_then(|r| r.card_mask.as_deref())
                    .and_then(mask_card),
                auth_code: receipt
                    .and_then(|r| r.auth_code.clone())
                    .filter(|s| !s.trim().is_empty()),
                reference: receipt
                    .map(|r| r.transaction_id.clone())
                    .filter(|s| !s.trim().is_empty()),
            }
        };
        let pickup_number = match order.order_type {
            OrderType::Takeaway => Some(
                ctx.pickup_number
                    .clone()
                    .unwrap_or_else(|| order.number.clone()),
            ),
            OrderType::EatIn => None,
        };
        Slip {
            order_id: order.checkout_id.clone(),
            header: ctx.header.clone(),
            number: order.number.clone(),
            order_type: order.order_type,
            pickup_number,
            lines,
            subtotal: quote.subtotal,
            adjustments,
            total: order.total,
            payment,
            date_time: format_date_time(ctx.at),
            status_url: ctx
                .status_url
                .as_deref()
                .map(|t| status_url(t, &order.checkout_id, &order.number)),
            reprint: ctx.reprint,
        }
    }
}

/// A slip with the number only: what staff print for an order the kiosk did not take (opened at
/// the counter, another kiosk), whose lines and payment the kiosk does not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberSlip {
    pub header: Vec<String>,
    pub number: String,
    pub order_type: Option<OrderType>,
    pub total: Money,
    /// `dd.mm.yyyy hh:mm`.
    pub date_time: String,
}

impl NumberSlip {
    pub fn new(
        number: &str,
        order_type: Option<OrderType>,
        total: Money,
        ctx: &SlipContext,
    ) -> NumberSlip {
        NumberSlip {
            header: ctx.header.clone(),
            number: number.to_string(),
            order_type,
            total,
            date_time: format_date_time(ctx.at),
        }
    }
}

/// `dd.mm.yyyy hh:mm`, the way Russian receipts write it (and unambiguous enough in English).
pub fn format_date_time(at: OffsetDateTime) -> String {
    format!(
        "{:02}.{:02}.{:04} {:02}:{:02}",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// `**** 1234` from whatever the provider calls a card mask (`411111******1111`,
/// `**** **** **** 1111`, even a full number); `None` when it has fewer than four digits.
pub fn mask_card(mask: &str) -> Option<String> {
    let digits: Vec<char> = mask.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let last: String = digits[digits.len() - 4..].iter().collect();
    Some(format!("**** {last}"))
}

/// Fills the template; the values are percent-encoded so an odd id cannot break the URL.
pub fn status_url(template: &str, order_id: &str, number: &str) -> String {
    template
        .replace("{order_id}", &percent_encode(order_id))
        .replace("{number}", &percent_encode(number))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_digits_survive() {
        assert_eq!(mask_card("411111******1111").unwrap(), "**** 1111");
        assert_eq!(mask_card("4111 1111 1111 1234").unwrap(), "**** 1234");
        assert_eq!(mask_card("**12"), None);
        assert_eq!(mask_card(""), None);
    }

    #[test]
    fn status_urls_are_filled_and_encoded() {
        assert_eq!(
            status_url("https://r.example/o/{order_id}?n={number}", "ab12", "A 7"),
            "https://r.example/o/ab12?n=A%207"
        );
    }

    #[test]
    fn dates_are_day_first() {
        let at = time::macros::datetime!(2026-03-07 09:05 +3);
        assert_eq!(format_date_time(at), "07.03.2026 09:05");
    }
}
