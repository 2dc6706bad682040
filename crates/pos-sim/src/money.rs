//! Money and number handling for the wire, without ever touching a float.
//!
//! The reference contract (§4.3) sends money as JSON *numbers* with two decimals (`189.90`).
//! `serde_json` without its `arbitrary_precision` feature keeps numbers as `f64`, which would
//! both print `189.9` and invite float arithmetic. Turning that feature on workspace-wide would
//! change number handling for every other crate, so instead this module goes through
//! `serde_json::value::RawValue`: [`Amount`] writes the decimal's own text verbatim, and the
//! lenient deserialisers read a number's raw text (or a numeric string) straight into a
//! `Decimal`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// Rounds half away from zero to kopecks, the rounding r_keeper uses (§5.3: per line, half-up).
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A money amount that serialises as a JSON number with exactly two decimals (`189.90`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(pub Decimal);

impl Amount {
    pub fn text(&self) -> String {
        let mut d = round2(self.0);
        d.rescale(2);
        d.to_string()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        number_text(&self.text(), serializer)
    }
}

/// A decimal quantity that serialises as a JSON number in its shortest form (`2`, `0.35`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Qty(pub Decimal);

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        number_text(&self.0.normalize().to_string(), serializer)
    }
}

fn number_text<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(text.to_string()).map_err(serde::ser::Error::custom)?;
    raw.serialize(serializer)
}

/// `serialize_with` helper: a `Decimal` as a two-decimal JSON number.
pub fn ser_amount<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    Amount(*d).serialize(s)
}

/// `serialize_with` helper: a `Decimal` quantity as a JSON number.
pub fn ser_qty<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    Qty(*d).serialize(s)
}

/// A decimal money string (`"849.10"`), the payment simulator's format.
pub fn money_string(d: Decimal) -> String {
    Amount(d).text()
}

/// Parses a JSON number's text or a string into a decimal. Accepts a decimal comma.
fn parse_decimal_text(text: &str) -> Option<Decimal> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return None;
    }
    Decimal::from_str(&t)
        .ok()
        .or_else(|| Decimal::from_scientific(&t).ok())
}

/// Reads a decimal from a JSON number or a numeric string, through the raw text (no `f64`).
pub fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(d)?;
    decimal_from_raw(raw).map_err(de::Error::custom)
}

/// Like [`de_decimal`] but `null` (or an absent field, with `#[serde(default)]`) is `None`.
pub fn de_opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get().trim() == "null" => Ok(None),
        Some(r) => decimal_from_raw(r).map(Some).map_err(de::Error::custom),
    }
}

fn decimal_from_raw(raw: &RawValue) -> Result<Decimal, String> {
    let text = raw.get().trim();
    let s = if text.starts_with('"') {
        // A JSON string: decode escapes properly, then parse its content.
        serde_json::from_str::<String>(text).map_err(|e| e.to_string())?
    } else {
        text.to_string()
    };
    parse_decimal_text(&s).ok_or_else(|| format!("not a number: {s}"))
}

/// Reads an r_keeper code: a JSON integer or a numeric string (§4.2).
pub fn de_code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(d)?;
    code_from_raw(raw).map_err(de::Error::custom)
}

/// Like [`de_code`] but `null` is `None`.
pub fn de_opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get().trim() == "null" => Ok(None),
        Some(r) => code_from_raw(r).map(Some).map_err(de::Error::custom),
    }
}

fn code_from_raw(raw: &RawValue) -> Result<i64, String> {
    let text = raw.get().trim();
    let s = if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|e| e.to_string())?
    } else {
        text.to_string()
    };
    s.trim()
        .parse::<i64>()
        .map_err(|_| format!("not an integer code: {s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "de_decimal")]
        a: Decimal,
        #[serde(default, deserialize_with = "de_opt_decimal")]
        b: Option<Decimal>,
        #[serde(deserialize_with = "de_code")]
        c: i64,
    }

    #[test]
    fn amounts_print_two_decimals_and_parse_without_floats() {
        let d = Decimal::from_str("189.9").unwrap_or_default();
        assert_eq!(
            serde_json::to_string(&Amount(d)).ok().as_deref(),
            Some("189.90")
        );
        let t: T = serde_json::from_str(r#"{"a": 0.1, "b": "849,10", "c": "1001"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.a.to_string(), "0.1");
        assert_eq!(t.b.map(|b| b.to_string()).as_deref(), Some("849.10"));
        assert_eq!(t.c, 1001);
        let t: T = serde_json::from_str(r#"{"a": 1e2, "b": null, "c": 7}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.a, Decimal::from(100));
        assert_eq!(t.b, None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let d = Decimal::from_str("37.905").unwrap_or_default();
        assert_eq!(round2(d).to_string(), "37.91");
    }
}
