//! From what ProCart (or the network) did to a typed `kiosk_core::PosError`.
//!
//! The checkout decides what is safe from the error's kind alone: a refusal is final (refund),
//! a lost answer is not (reconcile, never refund blindly). So the classification here prefers
//! the machine code of the body (§4.7 `code`) over the HTTP status, and the HTTP status over
//! the message text; text is only ever shown, except to find a dish code a stop-list message
//! names. Every message that leaves this crate passes [`scrub`], so the access token can never
//! reach a log line or the UI, even if the gateway echoes it back.

use kiosk_core::PosError;
use serde_json::Value;

use crate::wire::{codes, ErrorInfo};

/// Longest piece of a raw body quoted in an error message.
const MAX_QUOTED_CHARS: usize = 300;

/// Classifies a non-2xx answer from its status and body (any body: JSON, text or nothing).
pub fn from_status(status: u16, body: &[u8]) -> PosError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let info = json.as_ref().map(ErrorInfo::from_body).unwrap_or_default();
    let message = info
        .message
        .clone()
        .or_else(|| quote_text(body))
        .unwrap_or_else(|| format!("HTTP {status}"));
    if let Some(e) = from_code(&info, &message) {
        return e;
    }
    match status {
        401 | 403 => PosError::BadToken,
        404 => PosError::NotFound(message),
        400..=499 => PosError::Refused { reason: message },
        _ => PosError::Server { status, message },
    }
}

/// Classifies a 2xx body that reports an error (`success:false`, `valid:false`, ...): the POS
/// answered and said no, so it is a refusal unless its code says something more specific.
pub fn from_error_body(body: &Value) -> PosError {
    let info = ErrorInfo::from_body(body);
    let message = info
        .message
        .clone()
        .unwrap_or_else(|| "the POS reported an error without a message".to_string());
    from_code(&info, &message).unwrap_or(PosError::Refused { reason: message })
}

/// The codes of the assumed envelope that mean more than their HTTP status (§4.7).
fn from_code(info: &ErrorInfo, message: &str) -> Option<PosError> {
    let code = info.code.as_deref()?.trim().to_ascii_uppercase();
    Some(match code.as_str() {
        codes::DISH_STOPPED | codes::NOT_ENOUGH_REMAINS => PosError::DishUnavailable {
            dish: info.dish.clone().or_else(|| dish_from_message(message)),
            message: message.to_string(),
        },
        codes::PAYMENT_MISMATCH => PosError::PriceChanged {
            message: message.to_string(),
        },
        codes::UNAUTHORIZED => PosError::BadToken,
        codes::LICENSE_INVALID => PosError::NoLicence(message.to_string()),
        codes::CASH_SERVER_UNAVAILABLE => PosError::CashServerDown(message.to_string()),
        codes::ORDER_NOT_FOUND => PosError::NotFound(message.to_string()),
        _ => return None,
    })
}

/// The dish code a stop-list message names, e.g. `Блюдо 1001 находится в стоп-листе` → 1001.
///
/// Used only when the body has no dish field. A number right after a word such as "блюдо",
/// "dish", "item" or "code" wins; otherwise the only number in the text; otherwise nothing
/// (a message with two numbers and no such word is ambiguous, and a wrong dish is worse than
/// none).
pub fn dish_from_message(message: &str) -> Option<String> {
    const MARKERS: &[&str] = &["блюд", "dish", "item", "позици", "код", "code", "товар"];
    let tokens: Vec<&str> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let is_number = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    for pair in tokens.windows(2) {
        let word = pair[0].to_lowercase();
        if is_number(pair[1]) && MARKERS.iter().any(|m| word.starts_with(m)) {
            return Some(pair[1].to_string());
        }
    }
    let numbers: Vec<&&str> = tokens.iter().filter(|t| is_number(t)).collect();
    match numbers.as_slice() {
        [only] => Some(only.to_string()),
        _ => None,
    }
}

/// Turns a failure of the HTTP exchange itself into an error, without the URL (which may carry
/// the token in its query).
pub fn from_transport(e: reqwest::Error, operation: &str) -> PosError {
    if e.is_timeout() {
        return PosError::Timeout {
            operation: operation.to_string(),
        };
    }
    let is_body = e.is_body() || e.is_decode();
    let text = describe(e.without_url());
    if is_body {
        // The status line arrived but the body was cut off (a reset or a short Content-Length).
        PosError::Malformed(format!("the answer to {operation} was cut off: {text}"))
    } else {
        PosError::Unreachable(format!("{operation}: {text}"))
    }
}

/// An error and its causes on one line (`error sending request: connection refused`).
fn describe(e: reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The start of a non-JSON body, as a message.
fn quote_text(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(truncate_chars(text, MAX_QUOTED_CHARS))
}

/// At most `max` characters, cut on a character boundary, with an ellipsis when cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// Replaces every secret (and its URL-encoded form) in every message of `e`.
pub(crate) fn scrub(e: PosError, secrets: &[String]) -> PosError {
    if secrets.is_empty() {
        return e;
    }
    let clean = |s: String| redact(&s, secrets);
    match e {
        PosError::Unreachable(m) => PosError::Unreachable(clean(m)),
        PosError::Timeout { operation } => PosError::Timeout {
            operation: clean(operation),
        },
        PosError::BadToken => PosError::BadToken,
        PosError::NoLicence(m) => PosError::NoLicence(clean(m)),
        PosError::CashServerDown(m) => PosError::CashServerDown(clean(m)),
        PosError::DishUnavailable { dish, message } => PosError::DishUnavailable {
            dish,
            message: clean(message),
        },
        PosError::PriceChanged { message } => PosError::PriceChanged {
            message: clean(message),
        },
        PosError::Refused { reason } => PosError::Refused {
            reason: clean(reason),
        },
        PosError::NotFound(m) => PosError::NotFound(clean(m)),
        PosError::TotalMismatch {
            pos_order_id,
            message,
        } => PosError::TotalMismatch {
            pos_order_id,
            message: clean(message),
        },
        PosError::Malformed(m) => PosError::Malformed(clean(m)),
        PosError::Server { status, message } => PosError::Server {
            status,
            message: clean(message),
        },
    }
}

/// `text` with every occurrence of every secret replaced by `[redacted]`.
pub(crate) fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_beat_statuses() {
        let e = from_status(
            400,
            r#"{"detail":"Блюдо 1001 находится в стоп-листе","code":"DISH_STOPPED"}"#.as_bytes(),
        );
        assert_eq!(
            e,
            PosError::DishUnavailable {
                dish: Some("1001".into()),
                message: "Блюдо 1001 находится в стоп-листе".into()
            }
        );
        assert!(matches!(
            from_status(503, br#"{"detail":"x","code":"LICENSE_INVALID"}"#),
            PosError::NoLicence(_)
        ));
        assert!(matches!(
            from_status(503, br#"{"detail":"x","code":"CASH_SERVER_UNAVAILABLE"}"#),
            PosError::CashServerDown(_)
        ));
        assert!(matches!(
            from_status(400, br#"{"detail":"sum","code":"PAYMENT_MISMATCH"}"#),
            PosError::PriceChanged { .. }
        ));
    }

    #[test]
    fn statuses_without_codes() {
        assert_eq!(from_status(401, b""), PosError::BadToken);
        assert_eq!(from_status(404, b"nope"), PosError::NotFound("nope".into()));
        assert_eq!(
            from_status(400, br#"{"message":"bad table"}"#),
            PosError::Refused {
                reason: "bad table".into()
            }
        );
        assert_eq!(
            from_status(502, b"<html>Bad gateway</html>"),
            PosError::Server {
                status: 502,
                message: "<html>Bad gateway</html>".into()
            }
        );
        assert_eq!(
            from_status(500, b""),
            PosError::Server {
                status: 500,
                message: "HTTP 500".into()
            }
        );
    }

    #[test]
    fn dish_codes_are_found_only_when_unambiguous() {
        assert_eq!(
            dish_from_message("Блюдо 1001 находится в стоп-листе").as_deref(),
            Some("1001")
        );
        assert_eq!(
            dish_from_message("only 2 left of dish 1101").as_deref(),
            Some("1101")
        );
        assert_eq!(dish_from_message("stopped: 1101").as_deref(), Some("1101"));
        assert_eq!(dish_from_message("2 of 3 left"), None);
        assert_eq!(dish_from_message("нет в наличии"), None);
    }

    #[test]
    fn secrets_are_scrubbed_everywhere() {
        let secrets = vec!["s3cr3t".to_string()];
        let e = scrub(
            PosError::Unreachable("GET http://h/api?token=s3cr3t failed".into()),
            &secrets,
        );
        assert_eq!(
            e,
            PosError::Unreachable("GET http://h/api?token=[redacted] failed".into())
        );
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_chars("Привет", 3), "При…");
        assert_eq!(truncate_chars("abc", 3), "abc");
    }
}
