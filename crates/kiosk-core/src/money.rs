//! Money as an exact decimal.
//!
//! `Money` wraps `rust_decimal::Decimal` and serialises as a decimal string (`"199.50"`), the
//! form the UI and every JSON document of ours use. Deserialisation is lenient on purpose:
//! POS gateways send amounts as JSON numbers or as strings, and a number such as `199.1` must
//! become exactly 199.10, never 199.09999999999999. Numbers are therefore converted through
//! their shortest round-trip text, which for any amount with up to 15 significant digits is the
//! literal the server wrote.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::*;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, ts_rs::TS)]
#[ts(type = "string")]
pub struct Money(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not an amount: {0:?}")]
    NotANumber(String),
    #[error("amount {0} has more than 2 decimal places")]
    TooPrecise(String),
    #[error("amount {0} is out of range")]
    OutOfRange(String),
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(d: Decimal) -> Money {
        Money(d)
    }

    /// Whole roubles and kopecks: `Money::from_minor(19950)` is 199.50.
    pub fn from_minor(kopecks: i64) -> Money {
        Money(Decimal::new(kopecks, 2))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// Rounded half away from zero to kopecks, the rounding r_keeper and the banks use.
    pub fn round(self) -> Money {
        Money(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// The amount in kopecks, for providers that take integers. Fails rather than round.
    pub fn to_minor(self) -> Result<i64, MoneyError> {
        let scaled = self.0 * Decimal::ONE_HUNDRED;
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise(self.0.to_string()));
        }
        scaled
            .to_i64()
            .ok_or_else(|| MoneyError::OutOfRange(self.0.to_string()))
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn times(self, qty: u32) -> Money {
        Money(self.0 * Decimal::from(qty))
    }

    /// Parses `"199.5"`, `"199,50"` (a comma is common in Russian POS data) or `"  12 "`.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim().replace(',', ".");
        if t.is_empty() {
            return Err(MoneyError::NotANumber(text.to_string()));
        }
        Decimal::from_str(&t)
            .or_else(|_| Decimal::from_scientific(&t))
            .map(|d| Money(d.normalize()))
            .map_err(|_| MoneyError::NotANumber(text.to_string()))
    }

    /// Converts a JSON float exactly as it was written (see the module comment).
    pub fn from_f64_exact(f: f64) -> Result<Money, MoneyError> {
        if !f.is_finite() {
            return Err(MoneyError::NotANumber(f.to_string()));
        }
        Money::parse(&format!("{f}"))
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `199.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        if d.scale() < 2 {
            d.rescale(2);
        }
        write!(f, "{d}")
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Money(d)
    }
}

impl From<i64> for Money {
    fn from(v: i64) -> Self {
        Money(Decimal::from(v))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, rhs: Decimal) -> Money {
        Money(self.0 * rhs)
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl de::Visitor<'_> for MoneyVisitor {
    type Value = Money;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount as a decimal string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        Ok(Money::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        Ok(Money(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        Money::from_f64_exact(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_two_decimals() {
        assert_eq!(Money::parse("199").unwrap().to_string(), "199.00");
        assert_eq!(Money::parse("199.5").unwrap().to_string(), "199.50");
        assert_eq!(Money::parse("0,1").unwrap().to_string(), "0.10");
    }

    #[test]
    fn float_json_is_exact() {
        let m: Money = serde_json::from_str("199.1").unwrap();
        assert_eq!(m.to_string(), "199.10");
        let m: Money = serde_json::from_str("\"849.10\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"849.10\"");
    }

    #[test]
    fn rejects_garbage() {
        assert!(serde_json::from_str::<Money>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Money>("\"\"").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Money::parse("0.005").unwrap().round().to_string(), "0.01");
        assert_eq!(Money::parse("-0.005").unwrap().round().to_string(), "-0.01");
        assert_eq!(Money::parse("37.904").unwrap().round().to_string(), "37.90");
    }

    #[test]
    fn minor_units_refuse_fractions() {
        assert_eq!(Money::parse("849.10").unwrap().to_minor().unwrap(), 84910);
        assert!(Money::parse("0.001").unwrap().to_minor().is_err());
    }

    proptest! {
        #[test]
        fn kopecks_round_trip_through_text_and_json_numbers(k in -10_000_000_000i64..10_000_000_000i64) {
            let m = Money::from_minor(k);
            let text = m.to_string();
            prop_assert_eq!(Money::parse(&text).unwrap(), m);
            prop_assert_eq!(m.to_minor().unwrap(), k);
            // A JSON number written with two decimals reads back exactly.
            let json_number = text.clone();
            let back: Money = serde_json::from_str(&json_number).unwrap();
            prop_assert_eq!(back, m);
        }
    }
}
