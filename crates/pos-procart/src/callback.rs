//! Push notifications: ProCart POSTs an order's new status to the `callback_url` given in
//! `/postorder` (BRIEF; payload shape ASSUMED §6.12).
//!
//! The callback listener is an open port on the kiosk, so the payload is validated strictly
//! before anything acts on it: a size limit, a JSON object, a GUID, a status, and every other
//! field of the right type. The one leniency is the status word: an unknown one still yields an
//! event (`OrderStatus::Unknown`), because a new r_keeper status must not make the kiosk drop
//! news about a paid order. Delivery is at-least-once and out of order (§6.12), so receivers
//! treat an event as a hint and confirm with `/getorders`.

use kiosk_core::order::OrderStatus;
use kiosk_core::Money;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::mapping;
use crate::wire::{callback_fields as f, WireStatus};

/// Largest callback body accepted. The assumed payload is a few hundred bytes.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

/// One status change of one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackEvent {
    /// The r_keeper order GUID, as sent.
    pub pos_order_id: String,
    pub external_id: Option<String>,
    pub number: Option<String>,
    pub status: OrderStatus,
    pub previous: Option<OrderStatus>,
    pub total: Option<Money>,
    pub paid: Option<Money>,
    /// ISO-8601, with or without an offset (r_keeper works in local time, §4.4).
    pub changed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("the callback body is {size} bytes, more than the {limit} allowed")]
    TooLarge { size: usize, limit: usize },
    #[error("the callback body is empty")]
    Empty,
    #[error("the callback body is not JSON: {0}")]
    NotJson(String),
    #[error("the callback body is not a JSON object")]
    NotAnObject,
    #[error("the callback names no order guid")]
    MissingGuid,
    #[error("the callback has no status")]
    MissingStatus,
    #[error("callback field {field} should be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("callback field {field} is not an amount: {value}")]
    BadAmount { field: String, value: String },
    #[error("callback field {field} is not an ISO-8601 time: {value}")]
    BadTime { field: String, value: String },
}

/// Parses and validates one callback body.
pub fn parse_callback(body: &[u8]) -> Result<CallbackEvent, CallbackError> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(CallbackError::TooLarge {
            size: body.len(),
            limit: MAX_CALLBACK_BYTES,
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(CallbackError::Empty);
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|e| CallbackError::NotJson(e.to_string()))?;
    let Value::Object(map) = v else {
        return Err(CallbackError::NotAnObject);
    };

    let pos_order_id = text(&map, f::GUID)?
        .filter(|g| !g.is_empty())
        .ok_or(CallbackError::MissingGuid)?;
    let status = text(&map, f::STATUS)?
        .filter(|s| !s.is_empty())
        .ok_or(CallbackError::MissingStatus)?;
    let previous = text(&map, f::PREVIOUS)?.filter(|s| !s.is_empty());
    let changed_at = text(&map, f::CHANGED_AT)?;
    if let Some(t) = &changed_at {
        if !is_iso_time(t) {
            return Err(CallbackError::BadTime {
                field: first_present(&map, f::CHANGED_AT).to_string(),
                value: t.clone(),
            });
        }
    }
    Ok(CallbackEvent {
        pos_order_id,
        external_id: text(&map, f::EXTERNAL_ID)?.filter(|s| !s.is_empty()),
        number: text_or_number(&map, f::NUMBER)?,
        status: mapping::status(&WireStatus::parse(&status)),
        previous: previous.map(|p| mapping::status(&WireStatus::parse(&p))),
        total: amount(&map, f::TOTAL)?,
        paid: amount(&map, f::PAID)?,
        changed_at,
    })
}

/// The first of `names` present with a non-null value.
fn lookup<'a>(
    map: &'a Map<String, Value>,
    names: &[&'static str],
) -> Option<(&'static str, &'a Value)> {
    names
        .iter()
        .find_map(|n| map.get(*n).filter(|v| !v.is_null()).map(|v| (*n, v)))
}

fn first_present(map: &Map<String, Value>, names: &[&'static str]) -> &'static str {
    lookup(map, names).map(|(n, _)| n).unwrap_or(names[0])
}

/// A string field, trimmed. Any other type is an error; absent or `null` is `None`.
fn text(map: &Map<String, Value>, names: &[&'static str]) -> Result<Option<String>, CallbackError> {
    match lookup(map, names) {
        None => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s.trim().to_string())),
        Some((name, _)) => Err(CallbackError::WrongType {
            field: name.into(),
            expected: "a string",
        }),
    }
}

/// Order numbers come as text in the reference but are plausibly numbers elsewhere.
fn text_or_number(
    map: &Map<String, Value>,
    names: &[&'static str],
) -> Result<Option<String>, CallbackError> {
    match lookup(map, names) {
        None => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some((_, Value::Number(n))) => Ok(Some(n.to_string())),
        Some((name, _)) => Err(CallbackError::WrongType {
            field: name.into(),
            expected: "a string or a number",
        }),
    }
}

/// An amount: a JSON number or a numeric string, read exactly.
fn amount(
    map: &Map<String, Value>,
    names: &[&'static str],
) -> Result<Option<Money>, CallbackError> {
    match lookup(map, names) {
        None => Ok(None),
        Some((name, v @ (Value::Number(_) | Value::String(_)))) => Money::deserialize(v)
            .map(Some)
            .map_err(|_| CallbackError::BadAmount {
                field: name.into(),
                value: v.to_string(),
            }),
        Some((name, _)) => Err(CallbackError::WrongType {
            field: name.into(),
            expected: "an amount",
        }),
    }
}

/// RFC 3339, or a local date-time without an offset (`2025-03-01T12:40:02`, optionally with
/// fractions of a second, `T` or a space between date and time).
fn is_iso_time(s: &str) -> bool {
    if OffsetDateTime::parse(s, &Rfc3339).is_ok() {
        return true;
    }
    let with_t = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let with_space = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(s, with_t).is_ok() || PrimitiveDateTime::parse(s, with_space).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_example_parses() {
        let body = br#"{
            "guid": "{A1B2C3D4-0000-4E8F-9A10-1234567890AB}",
            "external_id": "kiosk-1-000123",
            "order_number": "123",
            "status": "bill",
            "previous_status": "open",
            "total": 849.10,
            "paid_sum": 0.00,
            "changed_at": "2025-03-01T12:40:02"
        }"#;
        let e = parse_callback(body).unwrap();
        assert_eq!(e.pos_order_id, "{A1B2C3D4-0000-4E8F-9A10-1234567890AB}");
        assert_eq!(e.status, OrderStatus::Bill);
        assert_eq!(e.previous, Some(OrderStatus::Open));
        assert_eq!(e.total.unwrap().to_string(), "849.10");
        assert_eq!(e.paid.unwrap().to_string(), "0.00");
        assert_eq!(e.number.as_deref(), Some("123"));
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let big = vec![b' '; MAX_CALLBACK_BYTES + 1];
        assert!(matches!(
            parse_callback(&big),
            Err(CallbackError::TooLarge { .. })
        ));
        assert_eq!(parse_callback(b"  "), Err(CallbackError::Empty));
        assert!(matches!(
            parse_callback(b"{"),
            Err(CallbackError::NotJson(_))
        ));
        assert_eq!(parse_callback(b"[1]"), Err(CallbackError::NotAnObject));
        assert_eq!(
            parse_callback(br#"{"status":"bill"}"#),
            Err(CallbackError::MissingGuid)
        );
        assert_eq!(
            parse_callback(br#"{"guid":"","status":"bill"}"#),
            Err(CallbackError::MissingGuid)
        );
        assert_eq!(
            parse_callback(br#"{"guid":"{X}"}"#),
            Err(CallbackError::MissingStatus)
        );
        assert!(matches!(
            parse_callback(br#"{"guid":42,"status":"bill"}"#),
            Err(CallbackError::WrongType { .. })
        ));
        assert!(matches!(
            parse_callback(br#"{"guid":"{X}","status":"bill","total":"lots"}"#),
            Err(CallbackError::BadAmount { .. })
        ));
        assert!(matches!(
            parse_callback(br#"{"guid":"{X}","status":"bill","total":true}"#),
            Err(CallbackError::WrongType { .. })
        ));
        assert!(matches!(
            parse_callback(br#"{"guid":"{X}","status":"bill","changed_at":"yesterday"}"#),
            Err(CallbackError::BadTime { .. })
        ));
    }

    #[test]
    fn unknown_statuses_and_aliases_still_give_events() {
        let e = parse_callback(
            br#"{"orderGuid":"{X}","status":"COOKING","paidSum":"10,50","changedAt":"2025-03-01T12:40:02+03:00"}"#,
        )
        .unwrap();
        assert_eq!(
            e.status,
            OrderStatus::Unknown {
                raw: "COOKING".into()
            }
        );
        assert_eq!(e.paid.unwrap().to_string(), "10.50");
        assert!(is_iso_time("2025-03-01 12:40:02.123"));
    }
}
