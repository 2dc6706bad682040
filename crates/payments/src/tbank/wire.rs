//! T-Bank acquiring API v2: the wire format and the request signature.
//!
//! Everything the provider assumes about T-Bank's JSON is in this file (reference `payments.md`
//! §3.5, from the published OpenAPI 1.80 [D] unless marked):
//! - requests: `TerminalKey`, `Amount` (kopecks), `OrderId`, `Description`, `PayType` (`O`),
//!   `RedirectDueDate`, `NotificationURL`, `PaymentId`, `DataType` (`PAYLOAD`), `Token`;
//! - answers: `Success`, `ErrorCode` (`"0"` = fine), `Message`, `Details`, `Status`,
//!   `PaymentId`, `OrderId`, `Amount`, `Data` (GetQr), `Payments[]` (CheckOrder: `PaymentId`,
//!   `Amount`, `Status`, `RRN`), `QrCancelCode`/`QrCancelMessage` (GetQrState).
//! - Tolerated variants (assumed): `PaymentId` and `ErrorCode` as a string or a number,
//!   `Amount` as a number or a numeric string.
//! - Error codes read (assumed from public integrations): `20` reused `OrderId`, `335` no such
//!   `OrderId` (CheckOrder), `204` bad token.
//!
//! The token (`Token`) signs a request: the root-level scalar fields (nested objects such as
//! `DATA` and `Receipt`, and arrays, are left out) plus `Password`, sorted by key, their values
//! concatenated, SHA-256, lower-case hex [D]. Notifications are signed the same way.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const ERR_DUPLICATE_ORDER: &str = "20";
pub const ERR_ORDER_NOT_FOUND: &str = "335";

/// The text of a scalar as the token takes it; `None` for objects, arrays and null.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `Token` of a request or notification (its own `Token` field is ignored).
pub fn token(fields: &Map<String, Value>, password: &str) -> String {
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "Token")
        .filter_map(|(k, v)| scalar_text(v).map(|t| (k.clone(), t)))
        .collect();
    pairs.push(("Password".into(), password.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let joined: String = pairs.into_iter().map(|(_, v)| v).collect();
    let digest = Sha256::digest(joined.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds `Token` to a request body.
pub fn sign(mut fields: Map<String, Value>, password: &str) -> Map<String, Value> {
    let t = token(&fields, password);
    fields.insert("Token".into(), Value::String(t));
    fields
}

/// Constant-time-enough comparison for a notification's token.
pub fn token_matches(fields: &Map<String, Value>, password: &str) -> bool {
    let Some(given) = fields.get("Token").and_then(Value::as_str) else {
        return false;
    };
    let expected = token(fields, password);
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()))
            == 0
}

fn de_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

fn de_opt_kopecks<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("Amount {n} is not whole kopecks"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("Amount {s:?} is not whole kopecks"))),
        _ => Ok(None),
    }
}

/// One answer of any method: every field optional, so that one struct reads them all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resp {
    #[serde(default)]
    pub success: bool,
    #[serde(default, deserialize_with = "de_opt_text")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "de_opt_text")]
    pub payment_id: Option<String>,
    #[serde(default, deserialize_with = "de_opt_text")]
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "de_opt_kopecks")]
    pub amount: Option<i64>,
    #[serde(default, rename = "PaymentURL")]
    pub payment_url: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub payments: Vec<CheckedPayment>,
    #[serde(default, deserialize_with = "de_opt_text")]
    pub qr_cancel_code: Option<String>,
    #[serde(default)]
    pub qr_cancel_message: Option<String>,
}

impl Resp {
    /// `ErrorCode` `"0"` (or absent) and `Success: true`.
    pub fn ok(&self) -> bool {
        self.success && self.error_code.as_deref().is_none_or(|c| c == "0")
    }

    pub fn error_text(&self) -> String {
        format!(
            "T-Bank error {}: {}{}",
            self.error_code.as_deref().unwrap_or("?"),
            self.message.as_deref().unwrap_or(""),
            self.details
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )
    }
}

/// An entry of `CheckOrder`'s `Payments`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckedPayment {
    #[serde(default, deserialize_with = "de_opt_text")]
    pub payment_id: Option<String>,
    #[serde(default, deserialize_with = "de_opt_kopecks")]
    pub amount: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "RRN", deserialize_with = "de_opt_text")]
    pub rrn: Option<String>,
}

/// What T-Bank's statuses mean to the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// Not paid yet (`NEW`, `FORM_SHOWED`, `AUTHORIZING`, ...).
    Waiting,
    /// Paid (`CONFIRMED`; `AUTHORIZED` is transient for one-stage SBP and counts as waiting).
    Paid,
    /// Declined by the bank (`REJECTED`, `AUTH_FAIL`, `ATTEMPTS_EXPIRED`).
    Declined,
    /// Not paid and never will be (`CANCELED`, `DEADLINE_EXPIRED`).
    Closed,
    /// Paid, and the money is on its way back (`ASYNC_REFUNDING`, SBP only).
    Refunding,
    /// Paid and returned in full (`REFUNDED`, `REVERSED`).
    Refunded,
    /// Paid and returned in part (`PARTIAL_REFUNDED`, `PARTIAL_REVERSED`).
    PartlyRefunded,
}

pub fn classify(status: &str) -> StatusClass {
    match status {
        "CONFIRMED" => StatusClass::Paid,
        "REJECTED" | "AUTH_FAIL" | "ATTEMPTS_EXPIRED" => StatusClass::Declined,
        "CANCELED" | "DEADLINE_EXPIRED" => StatusClass::Closed,
        "ASYNC_REFUNDING" | "REFUNDING" | "REVERSING" => StatusClass::Refunding,
        "REFUNDED" | "REVERSED" => StatusClass::Refunded,
        "PARTIAL_REFUNDED" | "PARTIAL_REVERSED" => StatusClass::PartlyRefunded,
        // NEW, FORM_SHOWED, AUTHORIZING, 3DS_CHECKING, AUTHORIZED, CONFIRMING and any status
        // this build does not know yet: keep asking.
        _ => StatusClass::Waiting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_uses_root_scalars_and_the_password_sorted_by_key() {
        let body = json!({
            "TerminalKey": "TinkoffBankTest",
            "Amount": 19200,
            "OrderId": "21090",
            "Description": "Подарочная карта на 1000 рублей",
            "DATA": {"Phone": "+71234567890"},
            "Receipt": {"Items": []},
            "Recurrent": true
        });
        let fields = body.as_object().unwrap().clone();
        // Amount, Description, OrderId, Password, Recurrent, TerminalKey.
        let joined = "19200Подарочная карта на 1000 рублей21090usaf8fw8fsw21gtrue\
                      TinkoffBankTest";
        let expected: String = Sha256::digest(joined.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(token(&fields, "usaf8fw8fsw21g"), expected);
        let signed = sign(fields, "usaf8fw8fsw21g");
        assert!(token_matches(&signed, "usaf8fw8fsw21g"));
        assert!(!token_matches(&signed, "wrong"));
    }

    #[test]
    fn answers_tolerate_numbers_and_strings() {
        let r: Resp = serde_json::from_value(json!({
            "Success": true, "ErrorCode": 0, "PaymentId": 13660, "Amount": "84910",
            "Status": "NEW", "PaymentURL": "https://securepay.tinkoff.ru/new/abc"
        }))
        .unwrap();
        assert!(r.ok());
        assert_eq!(r.payment_id.as_deref(), Some("13660"));
        assert_eq!(r.amount, Some(84910));
        assert_eq!(classify("DEADLINE_EXPIRED"), StatusClass::Closed);
        assert_eq!(classify("FORM_SHOWED"), StatusClass::Waiting);
    }
}
