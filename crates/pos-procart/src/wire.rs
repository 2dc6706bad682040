//! The ProCart wire format: every path, field name, alias and assumption, in one file.
//!
//! ProCart's real schema is published only in its own Swagger UI, so most of what follows is
//! the project's *assumed* contract (`shared/reference/procart-api.md`, "the reference"; `§n`
//! below points at its sections). Each assumed item says so next to it. When the real schema
//! is known, this is the one file to change: the rest of the crate maps these types to
//! `kiosk-core` and never spells a field name itself.
//!
//! Tolerance rules (reference §8), applied throughout:
//! - codes, amounts and quantities may come as JSON numbers or as strings;
//! - a missing field and `null` mean the same (`#[serde(default)]` everywhere);
//! - camelCase and the other aliases the reference lists are accepted;
//! - unknown fields are kept in `extra` maps, never rejected;
//! - statuses are parsed case-insensitively and an unknown one is kept as [`WireStatus::Unknown`];
//! - in menus, one broken entry becomes a [`Tolerant::Bad`] (a catalog fault), not a failed menu.
//!
//! Money is `kiosk_core::Money` (exact decimal). Incoming amounts use its lenient deserialiser;
//! outgoing amounts are written as exact JSON numbers (`849.10`) through `RawValue`, because the
//! assumed contract has money as numbers (§4.3) and a float would be an approximation.
//!
//! Identifiers: the core keeps every POS id as a string. r_keeper codes are integers (ASSUMED,
//! §4.2), so a [`Code`] whose text is a canonical integer goes out as a JSON integer and any
//! other code as a JSON string. Order GUIDs are opaque strings (§4.2): never parsed, compared
//! with [`guid_eq`] (case-insensitive, braces stripped).

use std::fmt;

use kiosk_core::Money;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------------
// Paths and request parameters
// ---------------------------------------------------------------------------------------------

/// Default base URL: the documented example host and port (CONFIRMED §2).
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:11111/api/v3";

/// Method paths relative to the base URL (names CONFIRMED §2).
pub mod paths {
    pub const PING: &str = "ping";
    pub const GETMENU: &str = "getmenu";
    pub const VALIDATE: &str = "validate";
    pub const POSTORDER: &str = "postorder";
    pub const GETORDERS: &str = "getorders";
    pub const CLOSE: &str = "close";
    pub const PRINT_INFO: &str = "internal/print_info";
}

/// Default name of the token header and query parameter (ASSUMED §3: send both).
pub const TOKEN_PARAM: &str = "token";

/// Query parameters for the GET forms of methods that take arguments.
pub mod query {
    /// `/getorders?guid=..&guid=..` (ASSUMED §5.5) and `/internal/print_info?guid=..` (ASSUMED §5.7).
    pub const GUID: &str = "guid";
    /// `/getorders?external_id=..` when `/getorders` is configured as GET. Not in the reference
    /// at all (it only shows the body form); ASSUMED by analogy with `guid`.
    pub const EXTERNAL_ID: &str = "external_id";
}

/// Error codes of the assumed error envelope (ASSUMED §4.7).
pub mod codes {
    pub const UNKNOWN_CODE: &str = "UNKNOWN_CODE";
    pub const DISH_STOPPED: &str = "DISH_STOPPED";
    pub const NOT_ENOUGH_REMAINS: &str = "NOT_ENOUGH_REMAINS";
    pub const MODIFIER_LIMITS: &str = "MODIFIER_LIMITS";
    pub const PAYMENT_MISMATCH: &str = "PAYMENT_MISMATCH";
    pub const INVALID_STATE: &str = "INVALID_STATE";
    pub const VALIDATION_FAILED: &str = "VALIDATION_FAILED";
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    pub const ORDER_NOT_FOUND: &str = "ORDER_NOT_FOUND";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const CASH_SERVER_UNAVAILABLE: &str = "CASH_SERVER_UNAVAILABLE";
    pub const LICENSE_INVALID: &str = "LICENSE_INVALID";
    pub const INTERNAL: &str = "INTERNAL";
}

/// The short order comment r_keeper shows in its order list is limited to 30 characters
/// (CONFIRMED §6.3). Whether ProCart truncates or rejects a longer one is unknown, so the client
/// truncates before sending.
pub const SHORT_COMMENT_MAX_CHARS: usize = 30;

// ---------------------------------------------------------------------------------------------
// Scalars: codes, quantities, statuses, GUIDs
// ---------------------------------------------------------------------------------------------

/// An r_keeper code (dish, modifier, category, currency...). Kept as text so a non-numeric code
/// from a differently configured gateway still round-trips.
///
/// Accepted on the wire: an integer, an integral float (`1001.0`), or a non-empty string.
/// Written: as a JSON integer when the text is a canonical integer (`"1001"`, `"-3"`, but not
/// `"007"`, which would lose its zeros), otherwise as a JSON string (ASSUMED §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

impl Code {
    pub fn new(text: impl Into<String>) -> Code {
        Code(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The integer this code stands for, when it is written canonically.
    pub fn as_integer(&self) -> Option<i64> {
        let n: i64 = self.0.parse().ok()?;
        (n.to_string() == self.0).then_some(n)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Code {
    fn from(s: &str) -> Code {
        Code(s.to_string())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_integer() {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Null => Err(de::Error::custom("a code is null")),
            Scalar::Text(t) if t.is_empty() => Err(de::Error::custom("a code is empty")),
            other => other.into_text().map(Code).map_err(de::Error::custom),
        }
    }
}

/// A quantity (portions, or kilograms for weight dishes: §4.3 says not to assume integers).
/// Read with the same lenient rules as money; written as an exact JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub Decimal);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        Money::deserialize(d).map(|m| Quantity(m.decimal()))
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        raw_number(&self.0.normalize().to_string(), s)
    }
}

/// An order status (values BRIEF: `deferred`, `open`, `bill`, `close`, `deleted`; §6.12).
/// Parsed case-insensitively; anything else is kept verbatim, never guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireStatus {
    Deferred,
    Open,
    Bill,
    Close,
    Deleted,
    Unknown(String),
}

impl WireStatus {
    pub fn parse(raw: &str) -> WireStatus {
        match raw.trim().to_ascii_lowercase().as_str() {
            "deferred" => WireStatus::Deferred,
            "open" => WireStatus::Open,
            "bill" => WireStatus::Bill,
            "close" => WireStatus::Close,
            "deleted" => WireStatus::Deleted,
            _ => WireStatus::Unknown(raw.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            WireStatus::Deferred => "deferred",
            WireStatus::Open => "open",
            WireStatus::Bill => "bill",
            WireStatus::Close => "close",
            WireStatus::Deleted => "deleted",
            WireStatus::Unknown(raw) => raw,
        }
    }
}

impl Serialize for WireStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WireStatus {
    /// A status that is a number or some other scalar is not an error: it becomes `Unknown`
    /// with its text, so a gateway that numbers its statuses still yields readable orders.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireStatus, D::Error> {
        let s = Scalar::deserialize(d)?;
        match s {
            Scalar::Text(t) => Ok(WireStatus::parse(&t)),
            other => Ok(WireStatus::Unknown(other.display())),
        }
    }
}

/// GUIDs are opaque (ASSUMED r_keeper style `{A1B2...}`, §4.2): equal when they match
/// case-insensitively once surrounding whitespace and braces are removed.
pub fn guid_eq(a: &str, b: &str) -> bool {
    let (a, b) = (guid_core(a), guid_core(b));
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

/// A GUID without braces and whitespace, upper-cased: a key for maps and logs.
pub fn guid_key(g: &str) -> String {
    guid_core(g).to_ascii_uppercase()
}

fn guid_core(g: &str) -> &str {
    let g = g.trim();
    let g = g.strip_prefix('{').unwrap_or(g);
    let g = g.strip_suffix('}').unwrap_or(g);
    g.trim()
}

// ---------------------------------------------------------------------------------------------
// Lenient helpers
// ---------------------------------------------------------------------------------------------

/// Any JSON scalar, for fields whose type varies between gateways.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
}

impl Scalar {
    fn display(&self) -> String {
        match self {
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(t) => t.clone(),
        }
    }

    /// Text for codes and labels: strings trimmed, integers (and integral floats) in decimal.
    fn into_text(self) -> Result<String, String> {
        match self {
            Scalar::Text(t) => Ok(t.trim().to_string()),
            Scalar::Int(n) => Ok(n.to_string()),
            Scalar::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007e15 => {
                Ok(format!("{}", f as i64))
            }
            other => Err(format!(
                "expected a code or text, found {}",
                other.display()
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Field deserialisers for the tolerance rules; used through `deserialize_with`.
pub(crate) mod lenient {
    use super::*;

    /// `null`, `""` → `None`; numbers and strings → the code.
    pub fn opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Code>, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Null => Ok(None),
            Scalar::Text(t) if t.trim().is_empty() => Ok(None),
            other => other
                .into_text()
                .map(|t| Some(Code(t)))
                .map_err(de::Error::custom),
        }
    }

    /// Text that some gateways send as a number (order numbers, versions). `null` → `None`.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Null => Ok(None),
            Scalar::Text(t) => Ok(Some(t)),
            Scalar::Bool(_) => Err(de::Error::custom("expected text, found a boolean")),
            other => Ok(Some(other.display())),
        }
    }

    /// `true`/`false`, `1`/`0`, or those words (and `yes`/`no`) as strings.
    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Int(0) => Ok(Some(false)),
            Scalar::Int(1) => Ok(Some(true)),
            Scalar::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(Some(true)),
                "false" | "0" | "no" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(de::Error::custom(format!(
                    "expected a boolean, found {t:?}"
                ))),
            },
            other => Err(de::Error::custom(format!(
                "expected a boolean, found {}",
                other.display()
            ))),
        }
    }

    fn opt_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Null => Ok(None),
            Scalar::Int(n) => Ok(Some(n)),
            Scalar::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007e15 => {
                Ok(Some(f as i128))
            }
            Scalar::Text(t) if t.trim().is_empty() => Ok(None),
            Scalar::Text(t) => t
                .trim()
                .parse::<i128>()
                .map(Some)
                .map_err(|_| de::Error::custom(format!("expected an integer, found {t:?}"))),
            other => Err(de::Error::custom(format!(
                "expected an integer, found {}",
                other.display()
            ))),
        }
    }

    /// A count (limits, guests). Negative or too large is a type error.
    pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        opt_integer(d)?
            .map(|n| u32::try_from(n).map_err(|_| de::Error::custom(format!("{n} is not a count"))))
            .transpose()
    }

    /// A sort key; values beyond `i32` are clamped rather than refused (order is all that matters).
    pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
        Ok(opt_integer(d)?.map(|n| n.clamp(i32::MIN as i128, i32::MAX as i128) as i32))
    }

    /// An array, with `null` read as empty.
    pub fn vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }
}

/// Writes `text` (a decimal literal) as a JSON number, exactly as written.
fn raw_number<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    let raw = serde_json::value::RawValue::from_string(text.to_string())
        .map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

/// Money as an exact JSON number (ASSUMED §4.3: amounts are numbers in roubles).
pub(crate) fn ser_money<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    raw_number(&m.to_string(), s)
}

pub(crate) fn ser_opt_money<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => ser_money(m, s),
        None => s.serialize_none(),
    }
}

/// One entry of a menu list that either parsed or did not. A bad entry keeps its raw JSON and
/// the reason, so the mapping can report it as a catalog fault and carry on with the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Tolerant<T> {
    Ok(T),
    Bad { raw: Value, error: String },
}

impl<T> Tolerant<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Tolerant::Ok(t) => Some(t),
            Tolerant::Bad { .. } => None,
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Tolerant<T> {
    /// The entry is taken as raw JSON text first (from the body's bytes that is a quick scan
    /// and a copy), then read as `T` from that text. A good entry is never built as a `Value`,
    /// which keeps a 20,000-dish menu close to the cost of parsing it once; only a bad one is
    /// parsed again, into the `Value` its fault keeps.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Ok(match serde_json::from_str::<T>(raw.get()) {
            Ok(t) => Tolerant::Ok(t),
            Err(e) => Tolerant::Bad {
                raw: serde_json::from_str(raw.get()).unwrap_or(Value::Null),
                error: without_position(&e),
            },
        })
    }
}

/// serde_json's message without its " at line L column C", which only locates the error
/// within the one entry.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(t) => t.to_string(),
        None => text,
    }
}

impl<T: Serialize> Serialize for Tolerant<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tolerant::Ok(t) => t.serialize(s),
            Tolerant::Bad { raw, .. } => raw.serialize(s),
        }
    }
}

/// Unknown fields, kept so callers can reach what this module did not anticipate (§8).
pub type Extra = Map<String, Value>;

// ---------------------------------------------------------------------------------------------
// /ping (ASSUMED §5.1; the content is CONFIRMED, every name is assumed)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PingResponse {
    #[serde(
        default,
        alias = "procartVersion",
        alias = "version",
        deserialize_with = "lenient::opt_string"
    )]
    pub procart_version: Option<String>,
    #[serde(
        default,
        alias = "rkVersion",
        alias = "rkeeper_version",
        alias = "rkeeperVersion",
        deserialize_with = "lenient::opt_string"
    )]
    pub rk_version: Option<String>,
    #[serde(
        default,
        alias = "cashServerAvailable",
        deserialize_with = "lenient::opt_bool"
    )]
    pub cash_server_available: Option<bool>,
    /// Also accepted as a bare boolean and under the British spelling.
    #[serde(default, alias = "licence")]
    pub license: Option<LicenseInfo>,
    #[serde(default, alias = "tokenValid", deserialize_with = "lenient::opt_bool")]
    pub token_valid: Option<bool>,
    #[serde(
        default,
        alias = "sourceName",
        deserialize_with = "lenient::opt_string"
    )]
    pub source_name: Option<String>,
    #[serde(
        default,
        alias = "serverTime",
        deserialize_with = "lenient::opt_string"
    )]
    pub server_time: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `license` of `/ping` (shape ASSUMED §5.1): `{valid, expires_at, message}` or just a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(from = "LicenseRepr")]
pub struct LicenseInfo {
    pub valid: Option<bool>,
    pub expires_at: Option<String>,
    pub message: Option<String>,
    pub extra: Extra,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LicenseRepr {
    Flag(bool),
    Full(LicenseFields),
}

#[derive(Deserialize)]
struct LicenseFields {
    #[serde(
        default,
        alias = "isValid",
        alias = "is_valid",
        deserialize_with = "lenient::opt_bool"
    )]
    valid: Option<bool>,
    #[serde(
        default,
        alias = "expiresAt",
        alias = "expires",
        alias = "valid_until",
        alias = "validUntil",
        deserialize_with = "lenient::opt_string"
    )]
    expires_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    message: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<LicenseRepr> for LicenseInfo {
    fn from(r: LicenseRepr) -> LicenseInfo {
        match r {
            LicenseRepr::Flag(valid) => LicenseInfo {
                valid: Some(valid),
                ..LicenseInfo::default()
            },
            LicenseRepr::Full(f) => LicenseInfo {
                valid: f.valid,
                expires_at: f.expires_at,
                message: f.message,
                extra: f.extra,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// /getmenu (ASSUMED §5.2; categories, dishes, remains, schemes and combos are CONFIRMED concepts)
// ---------------------------------------------------------------------------------------------

/// Read by a hand-written [`Deserialize`] (below) rather than a derived one: a derived struct
/// with a flattened `extra` buffers the whole document (every dish) in an intermediate tree
/// before reading it, which made ingest several times the cost of parsing the JSON once.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct MenuResponse {
    /// Changes when ProCart's cached menu changes (ASSUMED). When absent the mapping derives a
    /// version from the content.
    #[serde(
        default,
        alias = "menuVersion",
        alias = "version",
        deserialize_with = "lenient::opt_string"
    )]
    pub menu_version: Option<String>,
    /// The r_keeper price type the menu prices belong to (INFERRED §5.2, [S8]).
    #[serde(default, alias = "priceType")]
    pub price_type: Option<Tolerant<PriceType>>,
    /// Nodes of the r_keeper classification ("классификация", CONFIRMED concept).
    #[serde(default, deserialize_with = "lenient::vec")]
    pub categories: Vec<Tolerant<WireCategory>>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub dishes: Vec<Tolerant<WireDish>>,
    #[serde(default, alias = "modifierSchemes", deserialize_with = "lenient::vec")]
    pub modifier_schemes: Vec<Tolerant<WireModifierScheme>>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub combos: Vec<Tolerant<WireCombo>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Field readers for [`MenuResponse`]'s hand-written `Deserialize`, applying the same
/// `lenient` rules as the attributes on its fields.
struct LenientString(Option<String>);

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::opt_string(d).map(LenientString)
    }
}

struct LenientVec<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LenientVec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::vec(d).map(LenientVec)
    }
}

impl<'de> Deserialize<'de> for MenuResponse {
    /// The same fields, aliases and tolerance as the attributes above say; unknown keys go to
    /// `extra`; a field given twice (also under two of its aliases) is an error, as in a
    /// derived implementation.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = MenuResponse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a getmenu object")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<MenuResponse, A::Error> {
                fn once<T, E: de::Error>(
                    slot: &mut Option<T>,
                    v: T,
                    name: &'static str,
                ) -> Result<(), E> {
                    if slot.is_some() {
                        return Err(E::duplicate_field(name));
                    }
                    *slot = Some(v);
                    Ok(())
                }
                let mut version = None;
                let mut price_type = None;
                let (mut categories, mut dishes, mut schemes, mut combos) =
                    (None, None, None, None);
                let mut extra = Extra::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "menu_version" | "menuVersion" | "version" => once(
                            &mut version,
                            map.next_value::<LenientString>()?.0,
                            "menu_version",
                        )?,
                        "price_type" | "priceType" => {
                            once(&mut price_type, map.next_value()?, "price_type")?
                        }
                        "categories" => once(
                            &mut categories,
                            map.next_value::<LenientVec<_>>()?.0,
                            "categories",
                        )?,
                        "dishes" => {
                            once(&mut dishes, map.next_value::<LenientVec<_>>()?.0, "dishes")?
                        }
                        "modifier_schemes" | "modifierSchemes" => once(
                            &mut schemes,
                            map.next_value::<LenientVec<_>>()?.0,
                            "modifier_schemes",
                        )?,
                        "combos" => {
                            once(&mut combos, map.next_value::<LenientVec<_>>()?.0, "combos")?
                        }
                        _ => {
                            let v: Value = map.next_value()?;
                            extra.insert(key, v);
                        }
                    }
                }
                Ok(MenuResponse {
                    menu_version: version.flatten(),
                    price_type: price_type.flatten(),
                    categories: categories.unwrap_or_default(),
                    dishes: dishes.unwrap_or_default(),
                    modifier_schemes: schemes.unwrap_or_default(),
                    combos: combos.unwrap_or_default(),
                    extra,
                })
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceType {
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub code: Option<Code>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireCategory {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// `null` for a root. `0` is also read as a root by the mapping when no category has code 0
    /// (a common r_keeper convention; ASSUMED).
    #[serde(
        default,
        alias = "parentCode",
        alias = "parent",
        deserialize_with = "lenient::opt_code"
    )]
    pub parent_code: Option<Code>,
    #[serde(default, deserialize_with = "lenient::opt_i32")]
    pub sort: Option<i32>,
    /// Not in the reference; accepted when present (ASSUMED).
    #[serde(
        default,
        alias = "imageUrl",
        alias = "image",
        deserialize_with = "lenient::opt_string"
    )]
    pub image_url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireDish {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(
        default,
        alias = "categoryCode",
        alias = "category",
        deserialize_with = "lenient::opt_code"
    )]
    pub category_code: Option<Code>,
    /// Under the menu's price type (CONFIRMED that prices are price-type specific, [S8]).
    #[serde(default)]
    pub price: Option<Money>,
    /// `null` = unlimited, a number = left, `0` = stopped (ASSUMED §6.11).
    #[serde(default)]
    pub remains: Option<Quantity>,
    #[serde(
        default,
        alias = "modifierSchemeCode",
        alias = "scheme_code",
        alias = "schemeCode",
        deserialize_with = "lenient::opt_code"
    )]
    pub modifier_scheme_code: Option<Code>,
    /// Shown as `null` in every reference example; its shape is unknown, so it is kept raw.
    #[serde(default)]
    pub combo: Option<Value>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(
        default,
        alias = "imageUrl",
        alias = "image",
        deserialize_with = "lenient::opt_string"
    )]
    pub image_url: Option<String>,
    #[serde(default)]
    pub portion: Option<WirePortion>,
    #[serde(default, deserialize_with = "lenient::opt_i32")]
    pub sort: Option<i32>,
    /// Marketing tags: `new`, `spicy`, `vegetarian`, `hit` become badges. Not in the reference
    /// at all (ASSUMED by this project); non-string entries are ignored.
    #[serde(default, alias = "badges", deserialize_with = "lenient::vec")]
    pub tags: Vec<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `portion` (ASSUMED §5.2: `{value, unit}`); a bare number or text is accepted too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(from = "PortionRepr")]
pub struct WirePortion {
    pub value: Option<Quantity>,
    pub unit: Option<String>,
    /// A portion given only as text (`"150 г"`), which is shown as it is.
    pub text: Option<String>,
    pub extra: Extra,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PortionRepr {
    Number(Quantity),
    Text(String),
    Full(PortionFields),
}

#[derive(Deserialize)]
struct PortionFields {
    #[serde(default, alias = "amount", alias = "weight")]
    value: Option<Quantity>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    unit: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<PortionRepr> for WirePortion {
    fn from(r: PortionRepr) -> WirePortion {
        match r {
            PortionRepr::Number(q) => WirePortion {
                value: Some(q),
                ..WirePortion::default()
            },
            PortionRepr::Text(t) => WirePortion {
                text: Some(t),
                ..WirePortion::default()
            },
            PortionRepr::Full(f) => WirePortion {
                value: f.value,
                unit: f.unit,
                text: None,
                extra: f.extra,
            },
        }
    }
}

/// A modifier scheme (CONFIRMED concept §5.2; shape ASSUMED).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireModifierScheme {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub groups: Vec<Tolerant<WireModifierGroup>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group within a scheme: `min ≥ 1` makes it mandatory, `max: null` is unlimited
/// (INFERRED from r_keeper's modifier kinds, §6.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireModifierGroup {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub min: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub max: Option<u32>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub modifiers: Vec<Tolerant<WireModifier>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireModifier {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// Extra charge; 0 for free modifiers (ASSUMED §5.2).
    #[serde(default)]
    pub price: Option<Money>,
    /// How many of this one modifier a dish may carry (ASSUMED §5.2). Missing → 1.
    #[serde(default, alias = "maxQuantity", deserialize_with = "lenient::opt_u32")]
    pub max_quantity: Option<u32>,
    /// Added by r_keeper automatically. Not in the reference (ASSUMED by this project).
    #[serde(
        default,
        alias = "is_auto",
        alias = "isAuto",
        deserialize_with = "lenient::opt_bool"
    )]
    pub auto: Option<bool>,
    /// Stop-listed modifiers (§6.11 says remains "include modifiers"); `0` = unavailable.
    #[serde(default)]
    pub remains: Option<Quantity>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A combo (CONFIRMED concept §5.2; shape ASSUMED §6.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireCombo {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default)]
    pub price: Option<Money>,
    #[serde(
        default,
        alias = "categoryCode",
        alias = "category",
        deserialize_with = "lenient::opt_code"
    )]
    pub category_code: Option<Code>,
    #[serde(default)]
    pub remains: Option<Quantity>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(
        default,
        alias = "imageUrl",
        alias = "image",
        deserialize_with = "lenient::opt_string"
    )]
    pub image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i32")]
    pub sort: Option<i32>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub groups: Vec<Tolerant<WireComboGroup>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A combo component group. Missing `min` → 1 and missing `max` → `max(min, 1)`: a combo group
/// normally takes exactly one component (ASSUMED §6.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireComboGroup {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub min: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub max: Option<u32>,
    #[serde(
        default,
        alias = "defaultDishCode",
        deserialize_with = "lenient::opt_code"
    )]
    pub default_dish_code: Option<Code>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub items: Vec<Tolerant<WireComboItem>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireComboItem {
    #[serde(alias = "dishCode")]
    pub dish_code: Code,
    /// Added to the combo price when chosen (ASSUMED §6.6). Missing → 0.
    #[serde(default, alias = "priceDelta")]
    pub price_delta: Option<Money>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Tag words that become badges, compared case-insensitively. The `tags` field and this
/// vocabulary are ASSUMED by this project (the reference has no badges); unknown tags are ignored.
pub mod badge_tags {
    pub const NEW: &[&str] = &["new", "новинка"];
    pub const SPICY: &[&str] = &["spicy", "hot", "острое"];
    pub const VEGETARIAN: &[&str] = &["vegetarian", "veg", "vegan"];
    pub const HIT: &[&str] = &["hit", "bestseller", "хит"];
}

// ---------------------------------------------------------------------------------------------
// Requests: the Cart (/validate), /postorder, /getorders, /close (all ASSUMED §5.3-§5.6)
// ---------------------------------------------------------------------------------------------

/// The Cart, body of `/validate` and the base of `/postorder` (ASSUMED §5.3). Absent optional
/// fields are left out of the JSON rather than sent as `null`, so ProCart's own defaults apply
/// (its dedicated table, its default order category).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CartRequest {
    /// Selects the price list (concept CONFIRMED [S8]); must equal the one sent to `/postorder`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_category_code: Option<Code>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_type_code: Option<Code>,
    /// Omitted → ProCart's dedicated table (§6.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_code: Option<Code>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guests_count: Option<u32>,
    pub items: Vec<CartItem>,
    /// Manual discounts `{code, amount}` (sum discount: amount; dictionary discount: null; §6.8).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<AdjustmentRequest>,
    /// Markups, ProCart ≥ 1.9.1.64 (§6.9).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub markups: Vec<AdjustmentRequest>,
    /// Long comment, stored by ProCart and printed on r_keeper forms (CONFIRMED §6.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// At most [`SHORT_COMMENT_MAX_CHARS`] characters (CONFIRMED §6.3; name ASSUMED).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartItem {
    pub code: Code,
    #[serde(serialize_with = "ser_quantity_u32")]
    pub quantity: u32,
    pub modifiers: Vec<ModifierRequest>,
    /// Dish comment; ProCart turns it into an open modifier (CONFIRMED ≥ 1.5.0.30, §6.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combo_items: Vec<ComboItemRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModifierRequest {
    pub code: Code,
    #[serde(serialize_with = "ser_quantity_u32")]
    pub quantity: u32,
}

/// A chosen combo component (ASSUMED §6.6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComboItemRequest {
    pub group_code: Code,
    pub code: Code,
    #[serde(serialize_with = "ser_quantity_u32")]
    pub quantity: u32,
    pub modifiers: Vec<ModifierRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustmentRequest {
    pub code: Code,
    /// Written as `null` for a dictionary discount, as in the reference's example.
    #[serde(serialize_with = "ser_opt_money")]
    pub amount: Option<Money>,
}

fn ser_quantity_u32<S: Serializer>(q: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(*q)
}

/// `/postorder` body: the Cart plus order data (ASSUMED §5.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostOrderRequest {
    #[serde(flatten)]
    pub cart: CartRequest,
    /// Our id; the simulator (not necessarily ProCart) de-duplicates on it and `/getorders`
    /// finds the order by it after a lost answer.
    pub external_id: String,
    /// Push subscription for this order (name BRIEF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The amount charged; the server compares it with its own total.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_money"
    )]
    pub expected_total: Option<Money>,
    /// Empty → an order with dishes only, paid later (§6.7).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<PaymentRequest>,
}

/// A payment already taken (ASSUMED §5.4): r_keeper records payments as currencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentRequest {
    pub currency_code: Code,
    #[serde(serialize_with = "ser_money")]
    pub amount: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
}

/// `/getorders` filter (ASSUMED §5.5). Both lists are always sent; both empty asks for the
/// token's recent orders.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct GetOrdersRequest {
    pub guids: Vec<String>,
    pub external_ids: Vec<String>,
}

/// `/close` body (ASSUMED §5.6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CloseRequest {
    pub guid: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<PaymentRequest>,
}

/// `/internal/print_info` as POST, when configured so (ASSUMED §5.7: GET with `?guid=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrintInfoRequest {
    pub guid: String,
}

// ---------------------------------------------------------------------------------------------
// Responses: the priced order (/validate), orders (/postorder, /getorders, /close)
// ---------------------------------------------------------------------------------------------

/// The priced order `/validate` returns (ASSUMED §5.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PricedOrder {
    /// `false` is a refusal (the alternative error mode of §5.3); decoding turns it into an error.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub valid: Option<bool>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub items: Vec<PricedItem>,
    /// All applied discounts, automatic ones included (`auto: true`, CONFIRMED concept §6.10).
    #[serde(default, deserialize_with = "lenient::vec")]
    pub discounts: Vec<AppliedAdjustment>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub markups: Vec<AppliedAdjustment>,
    /// Before discounts and markups.
    #[serde(default)]
    pub sum: Option<Money>,
    #[serde(default, alias = "discountSum")]
    pub discount_sum: Option<Money>,
    #[serde(default, alias = "markupSum")]
    pub markup_sum: Option<Money>,
    /// The amount to pay (concept BRIEF): exactly this is charged and sent back in payments.
    #[serde(default, alias = "totalSum", alias = "total_sum")]
    pub total: Option<Money>,
    /// `[{code, message, item_index}]` in the `valid:false` error mode (ASSUMED §5.3).
    #[serde(default, deserialize_with = "lenient::vec")]
    pub errors: Vec<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedItem {
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, alias = "qty", alias = "amount")]
    pub quantity: Option<Quantity>,
    /// Unit price as recalculated for this category and table.
    #[serde(default)]
    pub price: Option<Money>,
    /// `price × quantity`, dish only.
    #[serde(default)]
    pub sum: Option<Money>,
    #[serde(default, alias = "discountSum")]
    pub discount_sum: Option<Money>,
    #[serde(default, alias = "markupSum")]
    pub markup_sum: Option<Money>,
    /// `sum + Σ modifier sums − discount_sum + markup_sum` (ASSUMED §5.3).
    #[serde(default)]
    pub total: Option<Money>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub modifiers: Vec<PricedModifier>,
    #[serde(default, alias = "comboItems", deserialize_with = "lenient::vec")]
    pub combo_items: Vec<PricedComboItem>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub comment: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedModifier {
    /// Absent on some open modifiers (dish comments, §6.4).
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub code: Option<Code>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, alias = "qty", alias = "amount")]
    pub quantity: Option<Quantity>,
    #[serde(default)]
    pub price: Option<Money>,
    /// modifier price × modifier qty × dish qty (INFERRED §5.3).
    #[serde(default)]
    pub sum: Option<Money>,
    /// An open modifier carrying a dish comment (ASSUMED §6.4).
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub open: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedComboItem {
    #[serde(default, alias = "groupCode", deserialize_with = "lenient::opt_code")]
    pub group_code: Option<Code>,
    pub code: Code,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, alias = "qty", alias = "amount")]
    pub quantity: Option<Quantity>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub modifiers: Vec<PricedModifier>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An applied discount or markup (ASSUMED §6.8-§6.10). `sum` is read as a magnitude: the
/// mapping decides the sign from whether it is a discount or a markup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedAdjustment {
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub code: Option<Code>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, alias = "amount")]
    pub sum: Option<Money>,
    #[serde(
        default,
        alias = "is_auto",
        alias = "isAuto",
        deserialize_with = "lenient::opt_bool"
    )]
    pub auto: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An order: the answer of `/postorder` and `/close`, an entry of `/getorders` (ASSUMED §5.4,
/// §5.5). It carries the priced-order fields too (§5.4: "Priced order plus ...").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WireOrder {
    /// r_keeper order GUID (concept BRIEF). Aliases from §8.
    #[serde(
        default,
        alias = "order_guid",
        alias = "orderGuid",
        deserialize_with = "lenient::opt_string"
    )]
    pub guid: Option<String>,
    #[serde(
        default,
        alias = "orderNumber",
        alias = "number",
        deserialize_with = "lenient::opt_string"
    )]
    pub order_number: Option<String>,
    #[serde(
        default,
        alias = "externalId",
        deserialize_with = "lenient::opt_string"
    )]
    pub external_id: Option<String>,
    #[serde(
        default,
        alias = "state",
        alias = "orderStatus",
        alias = "order_status"
    )]
    pub status: Option<WireStatus>,
    #[serde(default, alias = "tableCode", deserialize_with = "lenient::opt_code")]
    pub table_code: Option<Code>,
    #[serde(
        default,
        alias = "orderCategoryCode",
        deserialize_with = "lenient::opt_code"
    )]
    pub order_category_code: Option<Code>,
    #[serde(default, alias = "totalSum", alias = "total_sum")]
    pub total: Option<Money>,
    #[serde(default, alias = "paidSum", alias = "paid")]
    pub paid_sum: Option<Money>,
    #[serde(default, alias = "createdAt", deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, alias = "updatedAt", deserialize_with = "lenient::opt_string")]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub items: Vec<PricedItem>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub discounts: Vec<AppliedAdjustment>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub markups: Vec<AppliedAdjustment>,
    #[serde(default)]
    pub sum: Option<Money>,
    #[serde(default, alias = "discountSum")]
    pub discount_sum: Option<Money>,
    #[serde(default, alias = "markupSum")]
    pub markup_sum: Option<Money>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Keys under which a `/getorders` answer may carry its list: `{"orders": [...]}` (ASSUMED
/// §5.5) or `{"data": [...]}`; a bare array and a single order object are accepted too.
pub const ORDERS_LIST_KEYS: &[&str] = &["orders", "data"];

/// The `/getorders` answer. Unlike menus, one unreadable order fails the whole answer: a
/// reconciliation that skipped an entry could wrongly conclude an order does not exist.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct OrdersResponse {
    pub orders: Vec<WireOrder>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for OrdersResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let list = |v: &Value| Vec::<WireOrder>::deserialize(v).map_err(de::Error::custom);
        match v {
            Value::Array(_) => Ok(OrdersResponse {
                orders: list(&v)?,
                extra: Extra::new(),
            }),
            Value::Object(mut map) => {
                for key in ORDERS_LIST_KEYS {
                    if let Some(found) = map.remove(*key) {
                        let orders = match found {
                            Value::Null => vec![],
                            other => list(&other)?,
                        };
                        return Ok(OrdersResponse { orders, extra: map });
                    }
                }
                if ["guid", "order_guid", "orderGuid"]
                    .iter()
                    .any(|k| map.contains_key(*k))
                {
                    let one =
                        WireOrder::deserialize(&Value::Object(map)).map_err(de::Error::custom)?;
                    return Ok(OrdersResponse {
                        orders: vec![one],
                        extra: Extra::new(),
                    });
                }
                Err(de::Error::custom("the answer has no list of orders"))
            }
            _ => Err(de::Error::custom("expected a list of orders")),
        }
    }
}

/// `/internal/print_info` as JSON (ASSUMED §5.7: `{"guid", "comment"}`; by default it is text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PrintInfoJson {
    #[serde(
        default,
        alias = "order_guid",
        alias = "orderGuid",
        deserialize_with = "lenient::opt_string"
    )]
    pub guid: Option<String>,
    #[serde(
        default,
        alias = "text",
        alias = "long_comment",
        deserialize_with = "lenient::opt_string"
    )]
    pub comment: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

// ---------------------------------------------------------------------------------------------
// Errors (ASSUMED §4.7)
// ---------------------------------------------------------------------------------------------

/// Where an error body keeps its text, in the order tried (§4.7): `detail` (a string or a
/// FastAPI-style array of `{msg}`), `message`, `error` (a string or an object with `message`),
/// `error_message`, `description`. `errors` (the `valid:false` list of §5.3) comes last.
pub const ERROR_MESSAGE_KEYS: &[&str] = &[
    "detail",
    "message",
    "error",
    "error_message",
    "errorMessage",
    "description",
    "errors",
];

/// Where an error body keeps its machine code (`code` in the canonical envelope).
pub const ERROR_CODE_KEYS: &[&str] = &["code", "error_code", "errorCode"];

/// Where an error body may name the dish at fault. None of these is in the reference (ASSUMED);
/// without them the dish code is read from the message text.
pub const ERROR_DISH_KEYS: &[&str] = &["dish_code", "dishCode", "item_code", "itemCode", "dish"];

/// What an error body says, read tolerantly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorInfo {
    pub code: Option<String>,
    pub message: Option<String>,
    pub dish: Option<String>,
}

impl ErrorInfo {
    /// Reads any JSON body; fields it cannot find stay `None`.
    pub fn from_body(v: &Value) -> ErrorInfo {
        let Value::Object(map) = v else {
            return ErrorInfo {
                message: text_of(v),
                ..ErrorInfo::default()
            };
        };
        let mut info = ErrorInfo {
            code: ERROR_CODE_KEYS
                .iter()
                .find_map(|k| map.get(*k).and_then(scalar_text)),
            message: ERROR_MESSAGE_KEYS
                .iter()
                .find_map(|k| map.get(*k).and_then(text_of)),
            dish: ERROR_DISH_KEYS
                .iter()
                .find_map(|k| map.get(*k).and_then(scalar_text)),
        };
        // Nested forms: `error: {code, message}` and `errors: [{code, message, dish_code}]`.
        for nested in [map.get("error"), map.get("errors").and_then(|e| e.get(0))]
            .into_iter()
            .flatten()
        {
            if let Value::Object(inner) = nested {
                if info.code.is_none() {
                    info.code = ERROR_CODE_KEYS
                        .iter()
                        .find_map(|k| inner.get(*k).and_then(scalar_text));
                }
                if info.dish.is_none() {
                    info.dish = ERROR_DISH_KEYS
                        .iter()
                        .find_map(|k| inner.get(*k).and_then(scalar_text));
                }
            }
        }
        info
    }
}

/// Whether a 2xx body is in fact an error (§4.7: `success:false`, `result:false`, a non-null
/// `error`; §5.3: `valid:false`).
pub fn body_signals_error(v: &Value) -> bool {
    let Value::Object(map) = v else {
        return false;
    };
    let is_false = |k: &str| matches!(map.get(k), Some(Value::Bool(false)));
    let error_set = match map.get("error") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    };
    is_false("success") || is_false("result") || is_false("valid") || error_set
}

/// Text of a message field: a string; an array of `{msg}`/`{message}` or strings, joined;
/// an object with `message`/`msg`/`detail`.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(m) => ["msg", "message", "detail", "description"]
            .iter()
            .find_map(|k| m.get(*k).and_then(text_of)),
        _ => None,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Push notifications (ASSUMED §6.12)
// ---------------------------------------------------------------------------------------------

/// Field names of the callback payload (ASSUMED §6.12), with the §8 aliases.
pub mod callback_fields {
    pub const GUID: &[&str] = &["guid", "order_guid", "orderGuid"];
    pub const EXTERNAL_ID: &[&str] = &["external_id", "externalId"];
    pub const NUMBER: &[&str] = &["order_number", "orderNumber", "number"];
    pub const STATUS: &[&str] = &["status", "state"];
    pub const PREVIOUS: &[&str] = &["previous_status", "previousStatus", "previous"];
    pub const TOTAL: &[&str] = &["total", "totalSum", "total_sum"];
    pub const PAID: &[&str] = &["paid_sum", "paidSum", "paid"];
    pub const CHANGED_AT: &[&str] = &["changed_at", "changedAt", "updated_at", "updatedAt"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_go_out_as_integers_only_when_canonical() {
        let out = serde_json::to_string(&[
            Code::new("1001"),
            Code::new("007"),
            Code::new("-3"),
            Code::new("A-1"),
        ])
        .unwrap();
        assert_eq!(out, r#"[1001,"007",-3,"A-1"]"#);
    }

    #[test]
    fn codes_come_in_as_numbers_or_strings() {
        let v: Vec<Code> = serde_json::from_str(r#"[1001, "1002", 1003.0, " 7 "]"#).unwrap();
        assert_eq!(
            v.iter().map(Code::as_str).collect::<Vec<_>>(),
            ["1001", "1002", "1003", "7"]
        );
        assert!(serde_json::from_str::<Code>("1.5").is_err());
        assert!(serde_json::from_str::<Code>("\"\"").is_err());
        assert!(serde_json::from_str::<Code>("true").is_err());
    }

    #[test]
    fn statuses_are_case_insensitive_and_keep_unknowns() {
        let v: Vec<WireStatus> =
            serde_json::from_str(r#"["BILL", " Close ", "cooking", 3]"#).unwrap();
        assert_eq!(
            v,
            vec![
                WireStatus::Bill,
                WireStatus::Close,
                WireStatus::Unknown("cooking".into()),
                WireStatus::Unknown("3".into())
            ]
        );
    }

    #[test]
    fn guids_compare_without_braces_or_case() {
        assert!(guid_eq("{a1b2-c3}", "A1B2-C3"));
        assert!(guid_eq(" {A1B2-C3} ", "{a1b2-c3}"));
        assert!(!guid_eq("{}", ""));
        assert!(!guid_eq("A1", "A2"));
        assert_eq!(guid_key("{ab-cd}"), "AB-CD");
    }

    #[test]
    fn money_goes_out_as_an_exact_number() {
        let p = PaymentRequest {
            currency_code: Code::new("5"),
            amount: Money::parse("849.1").unwrap(),
            transaction_id: None,
            auth_code: None,
            card_mask: None,
            paid_at: None,
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"currency_code":5,"amount":849.10}"#
        );
    }

    #[test]
    fn flattened_cart_keeps_exact_money() {
        let req = PostOrderRequest {
            cart: CartRequest {
                discounts: vec![AdjustmentRequest {
                    code: Code::new("7"),
                    amount: None,
                }],
                markups: vec![AdjustmentRequest {
                    code: Code::new("8"),
                    amount: Some(Money::parse("50").unwrap()),
                }],
                ..CartRequest::default()
            },
            external_id: "k-1".into(),
            callback_url: None,
            expected_total: Some(Money::parse("0.1").unwrap()),
            payments: vec![],
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"items":[],"discounts":[{"code":7,"amount":null}],"markups":[{"code":8,"amount":50.00}],"external_id":"k-1","expected_total":0.10}"#
        );
    }

    #[test]
    fn aliases_work_next_to_flatten() {
        let o: WireOrder = serde_json::from_str(
            r#"{"orderGuid":"{X}","orderNumber":12,"paidSum":"10,50","status":"OPEN","zzz":1}"#,
        )
        .unwrap();
        assert_eq!(o.guid.as_deref(), Some("{X}"));
        assert_eq!(o.order_number.as_deref(), Some("12"));
        assert_eq!(o.paid_sum.unwrap().to_string(), "10.50");
        assert_eq!(o.status, Some(WireStatus::Open));
        assert_eq!(o.extra.get("zzz"), Some(&Value::from(1)));
    }

    #[test]
    fn error_bodies_are_read_in_every_documented_form() {
        let read = |s: &str| ErrorInfo::from_body(&serde_json::from_str(s).unwrap());
        let canonical = read(r#"{"detail":"Блюдо 1001 в стоп-листе","code":"DISH_STOPPED"}"#);
        assert_eq!(canonical.code.as_deref(), Some("DISH_STOPPED"));
        assert_eq!(
            canonical.message.as_deref(),
            Some("Блюдо 1001 в стоп-листе")
        );
        let fastapi = read(r#"{"detail":[{"loc":["body"],"msg":"field required"},{"msg":"bad"}]}"#);
        assert_eq!(fastapi.message.as_deref(), Some("field required; bad"));
        let nested = read(r#"{"error":{"code":"X","message":"boom"}}"#);
        assert_eq!(nested.code.as_deref(), Some("X"));
        assert_eq!(nested.message.as_deref(), Some("boom"));
        assert_eq!(
            read(r#"{"error_message":"m"}"#).message.as_deref(),
            Some("m")
        );
        assert_eq!(read(r#"{"description":"d"}"#).message.as_deref(), Some("d"));
        let listed = read(
            r#"{"valid":false,"errors":[{"code":"NOT_ENOUGH_REMAINS","message":"few","dish_code":1101}]}"#,
        );
        assert_eq!(listed.code.as_deref(), Some("NOT_ENOUGH_REMAINS"));
        assert_eq!(listed.dish.as_deref(), Some("1101"));
        assert_eq!(listed.message.as_deref(), Some("few"));
    }

    #[test]
    fn success_bodies_can_signal_errors() {
        let f = |s: &str| body_signals_error(&serde_json::from_str(s).unwrap());
        assert!(f(r#"{"success":false}"#));
        assert!(f(r#"{"result":false}"#));
        assert!(f(r#"{"valid":false}"#));
        assert!(f(r#"{"error":"x"}"#));
        assert!(f(r#"{"error":{"message":"x"}}"#));
        assert!(!f(r#"{"error":null,"valid":true}"#));
        assert!(!f(r#"{"result":{"a":1}}"#));
        assert!(!f(r#"[1,2]"#));
    }
}
