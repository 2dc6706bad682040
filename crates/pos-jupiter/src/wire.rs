//! The JPOS wire format: every command name, field name and representation assumption in one
//! place.
//!
//! The only public description of JPOS is the vendor page (seed `004_…`, "S1" in the
//! reference). Where it is silent or inconsistent the reference marks a choice as ASSUMED; each
//! such choice is commented here as `ASSUMED` so adopting the real contract is a one-file change.
//!
//! Decoding is lenient on purpose (reference §3 and the survival checklist in §7):
//! * numbers arrive as JSON numbers or as strings (`"270.00"`, `"300"`, `549`, `89.9`), and an
//!   empty string means "none"; money goes through [`kiosk_core::Money`]'s exact decoder;
//! * booleans are `0/1`, `"0"/"1"`, `"yes"/"no"`, `true/false` or `""`;
//! * every field may be missing or `null`; PHP sends an empty object as `[]`;
//! * dates are `"YYYY-MM-DD HH:MM:SS"` or `""`; MySQL's zero date also means unset;
//! * ORDER_JSON comes in two shapes: the normal one (nested `selected_modifiers`, payment
//!   `sum`) and `lock_order`'s variant (extra `kod` and `status`, modifiers flattened into
//!   `order_line`, payment `summa`). [`Order`] reads both.
//!
//! Encoding is strict: requests are plain JSON with the key spelling each command documents
//! (`server_id` for `checkUpdate`, `serverId` elsewhere), money as two-decimal strings and
//! quantities as decimal strings.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

use kiosk_core::Money;
use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------------
// Commands and framing
// ---------------------------------------------------------------------------------------------

/// The `command` values. Case matters and the styles are mixed, exactly as in S1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    CheckUpdate,
    GetTt,
    GetUserId,
    AddNewOrder,
    PrintBill,
    GetClosedOrders,
    LockOrder,
    UnlockOrder,
    AddClientToOrder,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::CheckUpdate => "checkUpdate",
            Command::GetTt => "getTT",
            Command::GetUserId => "get_user_id",
            Command::AddNewOrder => "add_new_order",
            Command::PrintBill => "print_bill",
            Command::GetClosedOrders => "get_closed_orders",
            Command::LockOrder => "lock_order",
            Command::UnlockOrder => "unlock_order",
            Command::AddClientToOrder => "add_client_to_order",
        }
    }

    /// Settings commands are CONFIRMED to go to the cloud URL; ASSUMED: order commands may be
    /// routed to a separate URL (reference §1.1), so the client keeps two.
    pub fn is_settings(self) -> bool {
        matches!(self, Command::CheckUpdate | Command::GetTt)
    }

    /// Safe to resend blindly (reference §1.6). `add_new_order` is also safe with an identical
    /// payload, but the [`kiosk_core::ports::Pos`] contract leaves order retries to the caller.
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            Command::CheckUpdate | Command::GetTt | Command::GetUserId | Command::GetClosedOrders
        )
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CONFIRMED default endpoint of the cloud server.
pub const DEFAULT_URL: &str = "https://jupiter.report/jpos/index.php";
/// ASSUMED: relative image links resolve against the cloud's host (reference §5.2.6).
pub const DEFAULT_IMAGE_BASE: &str = "https://jupiter.report/";
/// ASSUMED: the raw JSON object is the POST body with this content type (reference §1.2).
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// `"status"` of every response envelope.
pub const STATUS_OK: &str = "ok";
pub const STATUS_ERROR: &str = "error";

/// Russian `vid` values (CONFIRMED S1).
pub const VID_EAT_IN: &str = "Обычный заказ";
pub const VID_TAKEAWAY: &str = "На вынос";
pub const VID_DELIVERY: &str = "Доставка";
/// `type` of a normal order (CONFIRMED S1); a refund is `"Возврат"`.
pub const ORDER_TYPE_ORDER: &str = "Заказ";
/// lock_order's inner `status` for a closed order (CONFIRMED S1); anything else is open.
pub const LOCK_STATUS_CLOSED: &str = "closed";

/// The error texts the client recognises. S1 has no error codes; the reference allows
/// recognising the CONFIRMED texts with a generic fallback, and we only use them to pick a
/// [`kiosk_core::PosError`] variant, never to decide whether something succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectKind {
    /// "Не найден открытый рабочий день" (CONFIRMED): nobody opened the workday yet.
    NoWorkday,
    /// "SERVER_ID не зарегистрирован" (CONFIRMED).
    UnknownServer,
    /// "Пользователя с таким паролем не существует" (CONFIRMED).
    BadPassword,
    /// "Пользователь с таким id не существует" (CONFIRMED).
    UnknownUser,
    /// "Клиент не найден" (CONFIRMED), "Заказ не найден" (ASSUMED).
    NotFound,
    Other,
}

impl RejectKind {
    pub fn classify(message: &str) -> RejectKind {
        let m = message.to_lowercase();
        if m.contains("рабочий день") {
            RejectKind::NoWorkday
        } else if m.contains("server_id") || m.contains("serverid") {
            RejectKind::UnknownServer
        } else if m.contains("с таким паролем") {
            RejectKind::BadPassword
        } else if m.contains("с таким id") {
            RejectKind::UnknownUser
        } else if m.contains("не найден") {
            RejectKind::NotFound
        } else {
            RejectKind::Other
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests (strict JSON, the key spellings of S1)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct CheckUpdateRequest<'a> {
    pub command: &'static str,
    /// snake_case here only (CONFIRMED S1).
    pub server_id: &'a str,
    /// The `settingsDate` of the cached menu; `""` when there is none (ASSUMED: server says yes).
    pub date_from_request: &'a str,
}

#[derive(Debug, Serialize)]
pub struct GetTtRequest<'a> {
    pub command: &'static str,
    #[serde(rename = "serverId")]
    pub server_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct GetUserIdRequest<'a> {
    pub command: &'static str,
    #[serde(rename = "serverId")]
    pub server_id: &'a str,
    /// Sent exactly as entered, untrimmed (reference §5.3).
    pub password: &'a str,
}

/// `add_new_order` and `print_bill` (identical bodies, CONFIRMED S1).
#[derive(Debug, Serialize)]
pub struct OrderRequest<'a> {
    pub command: &'static str,
    #[serde(rename = "serverId")]
    pub server_id: &'a str,
    pub user_id: &'a str,
    pub order: &'a Order,
}

#[derive(Debug, Serialize)]
pub struct GetClosedOrdersRequest<'a> {
    pub command: &'static str,
    #[serde(rename = "serverId")]
    pub server_id: &'a str,
    pub user_id: &'a str,
    /// An empty list is valid: it only asks for `open_orders`.
    pub orders: &'a [String],
}

/// `lock_order` and `unlock_order`. S1 shows no server id on them; ASSUMED safe extra: we send
/// `serverId` too so a multi-tenant server can route the call (the simulator ignores it).
#[derive(Debug, Serialize)]
pub struct LockRequest<'a> {
    pub command: &'static str,
    pub user_id: &'a str,
    pub order_uid: &'a str,
    #[serde(rename = "serverId", skip_serializing_if = "Option::is_none")]
    pub server_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct AddClientRequest<'a> {
    pub command: &'static str,
    pub user_id: &'a str,
    #[serde(rename = "serverId")]
    pub server_id: &'a str,
    /// The code the customer typed or scanned (not the client's uid).
    pub client_id: &'a str,
    pub order_uid: &'a str,
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// The `{"status": "ok"|"error", "message": ...}` envelope around every answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckUpdateResponse {
    /// `"yes"`/`"no"` (CONFIRMED S1).
    #[serde(default, deserialize_with = "lenient::flag")]
    pub update: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetUserIdResponse {
    #[serde(default, deserialize_with = "lenient::string")]
    pub user_id: String,
    /// ASSUMED: empty or missing when no workday is open (reference §5.3).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub workday_id: Option<String>,
}

/// `add_new_order`, `print_bill` and `add_client_to_order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderResponse {
    pub order: Order,
}

/// `lock_order`: CONFIRMED success for an unknown order, ASSUMED without `order` (or `null`/`[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockResponse {
    #[serde(default, deserialize_with = "lenient::opt_object")]
    pub order: Option<Order>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedOrdersResponse {
    #[serde(default, deserialize_with = "lenient::string_vec")]
    pub closed_orders: Vec<String>,
    /// The user's open orders, also those opened in Jupiter (their uid is then a Jupiter UID).
    #[serde(default, deserialize_with = "lenient::vec")]
    pub open_orders: Vec<OpenOrder>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenOrder {
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
    /// `"HH:MM"`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub open_time: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_fakt: Money,
}

// ---------------------------------------------------------------------------------------------
// getTT: restaurant data and the menu graph
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetTtResponse {
    #[serde(default, deserialize_with = "lenient::opt_object")]
    pub data: Option<TtData>,
    pub menu: TtMenu,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TtData {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub print_header: String,
}

/// `payment` and `modifiersSections` sit inside `menu`, next to `menuSections` (CONFIRMED S1).
/// Each element decodes on its own so one broken section never loses the whole menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TtMenu {
    #[serde(rename = "settingsDate", default, deserialize_with = "lenient::string")]
    pub settings_date: String,
    #[serde(rename = "menuSections", default, deserialize_with = "lenient::vec")]
    pub menu_sections: Vec<Lenient<Section>>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub payment: Vec<Lenient<PaymentType>>,
    #[serde(
        rename = "modifiersSections",
        default,
        deserialize_with = "lenient::vec"
    )]
    pub modifiers_sections: Vec<Lenient<Section>>,
}

/// A layout (`menuSections[]`) or a modifier group (`modifiersSections[]`): same shape, the
/// group adds `is_auto_modifier` and the weight limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
    /// Always `""`; S1 itself marks its meaning "???". Kept, ignored.
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_main: bool,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_modifier: bool,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_auto_modifier: bool,
    /// `null` (or missing) means no limit (reference §5.2.3).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub weight_min: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub weight_max: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub buttons: Vec<Lenient<Button>>,
}

/// A button: a product (`is_button == 1`, with `options`) or a link to another layout
/// (`is_button == 0`, its `uid` is the target layout). CONFIRMED S1: decide by `is_button`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_button: bool,
    #[serde(default, deserialize_with = "lenient::opt_object")]
    pub options: Option<ProductOptions>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductOptions {
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: String,
    /// A JSON number in S1; ASSUMED: may be a string or fractional. Missing means no price.
    #[serde(default, deserialize_with = "lenient::opt_money")]
    pub price: Option<Money>,
    #[serde(default)]
    pub tax: Tax,
    /// Modifier group uids; may name groups that do not exist (S1 sample, product "ХИТ").
    #[serde(default, deserialize_with = "lenient::string_vec")]
    pub modifiers: Vec<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub show_modifiers_always: bool,
    /// Upper limit of the total modifier weight on one unit; `null` = none.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub max_weight_summ: Option<Decimal>,
    /// Always `""` in S1; meaning unknown. Kept for the log.
    #[serde(default, deserialize_with = "lenient::string")]
    pub action: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub subgroup_name: String,
    /// A link to the picture, `""` for none (reference §5.2.6).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub image: Option<String>,
    /// Missing on some products and `""` on others (S1).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// Modifier items only: default quantity added when picked (a string in S1, e.g. `"2"`).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub quantity: Option<Decimal>,
    /// Modifier items only: weight of one unit, counted against the weight limits.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub weight: Option<Decimal>,
}

/// `options.tax`: documented as "10, 20, no_tax"; ASSUMED numbers or strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tax {
    /// `"no_tax"` or absent.
    #[default]
    NoTax,
    Percent(Decimal),
    /// Anything else, passed through to the order as written.
    Other(String),
}

impl Tax {
    /// The `product_tax` code of an order line: ASSUMED `no_tax` → `"0"` (reference §3.4; the
    /// fiscal difference between "0 %" and "no VAT" is a question for the vendor).
    pub fn order_code(&self) -> String {
        match self {
            Tax::NoTax => "0".into(),
            Tax::Percent(p) => p.normalize().to_string(),
            Tax::Other(s) => s.clone(),
        }
    }
}

impl Serialize for Tax {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tax::NoTax => s.serialize_str("no_tax"),
            Tax::Percent(p) => s.collect_str(&p.normalize()),
            Tax::Other(o) => s.serialize_str(o),
        }
    }
}

impl<'de> Deserialize<'de> for Tax {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::tax(d)
    }
}

/// `menu.payment[]`: the payment types getTT lists. DERIVED S1: the list may hold only the
/// bonus type with the non-UID uid `"paymentBonus"`, so types are also configured locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentType {
    /// `"yes"`/`"no"` here, while ORDER_JSON uses `"1"`/`"0"` for the same idea.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub cash: bool,
    #[serde(default, deserialize_with = "lenient::string")]
    pub fiscal_num: String,
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
}

/// The getTT payment type for loyalty points (CONFIRMED S1 sample).
pub const PAY_TYPE_BONUS: &str = "paymentBonus";

// ---------------------------------------------------------------------------------------------
// ORDER_JSON
// ---------------------------------------------------------------------------------------------

/// ORDER_JSON in both shapes (reference §4 and §4.6). Unknown keys are kept in `extra` so an
/// order read from the server can be sent back without losing what the server added.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Order {
    /// The order id. Ours is the kiosk's external id; orders opened inside Jupiter carry a
    /// Jupiter UID. Opaque: compared exactly, never parsed.
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
    /// The pickup number, digits (ASSUMED: the client assigns it, Jupiter may replace it).
    #[serde(default, deserialize_with = "lenient::string")]
    pub num: String,
    /// "Workday date"; S1's sample holds the full open date-time, which is what we send.
    #[serde(default, deserialize_with = "lenient::date")]
    pub date: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub hour: String,
    /// `"Пон"`…; passed through, never validated (reference §3.3).
    #[serde(default, deserialize_with = "lenient::string")]
    pub day_week: String,
    #[serde(default, deserialize_with = "lenient::date")]
    pub open_date: String,
    /// Non-empty means closed (CONFIRMED S1, 2019-10-17).
    #[serde(default, deserialize_with = "lenient::date")]
    pub close_date: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub vid: String,
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub source: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub waiter: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub cashier: String,
    /// Before discounts, modifiers included (DERIVED S1 §4.4).
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_rozn: Money,
    /// What the guest pays.
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_fakt: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_skidki: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub bonus_nach: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub bonus_trat: Money,
    #[serde(default, deserialize_with = "lenient::string")]
    pub address: String,
    /// `"<lon> <lat>"` (DERIVED S1: longitude first).
    #[serde(default, deserialize_with = "lenient::string")]
    pub coordinates: String,
    /// `"1"` once the bill is printed: the goods part is closed to changes.
    #[serde(default)]
    pub block_change: Flag,
    /// Absent, `null`, `{}` or PHP's `[]` all mean no client.
    #[serde(
        default,
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub client: Option<Client>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub order_line: Vec<Line>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub order_discounts: Vec<Discount>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub order_payment: Vec<Payment>,
    /// lock_order variant only: Jupiter's internal order code.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kod: Option<String>,
    /// lock_order variant only: `"closed"` or `"open"`. Not the envelope's status.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Order {
    /// Closed by a non-empty `close_date`, or by the lock variant's `status`.
    pub fn is_closed(&self) -> bool {
        !self.close_date.is_empty()
            || self
                .status
                .as_deref()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case(LOCK_STATUS_CLOSED))
    }

    /// The lock_order variant (§4.6): its modifiers are flattened into `order_line`, so the
    /// parent link is lost and totals must not be rebuilt from line nesting.
    pub fn is_lock_variant(&self) -> bool {
        self.kod.is_some() || self.status.is_some()
    }

    /// Sum of the payments without change (`sum`, or `summa` in the lock variant).
    pub fn paid(&self) -> Money {
        self.order_payment.iter().map(|p| p.sum).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Client {
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_uid: String,
    /// The client's code/number, not the code typed into `add_client_to_order`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub card: String,
    /// Points balance.
    #[serde(default, deserialize_with = "lenient::money")]
    pub bonus: Money,
}

/// An order line, or a modifier row inside `selected_modifiers` (the same format, CONFIRMED
/// S1; DERIVED: modifier rows leave out `product_code`, `product_tax` and `block_change`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Line {
    /// Unique within the order; the merge key of `add_new_order` (CONFIRMED S1).
    #[serde(default, deserialize_with = "lenient::string")]
    pub uid: String,
    #[serde(default, deserialize_with = "lenient::date")]
    pub date: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub product_uid: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub product_code: Option<String>,
    /// `"20"`, `"10"` or `"0"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub product_tax: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub product: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub subgroup: String,
    /// Unit price before discounts, without modifiers.
    #[serde(default, deserialize_with = "lenient::money")]
    pub price_rozn: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub price_fakt: Money,
    /// For a modifier row: per unit of the parent line (CONFIRMED S1).
    #[serde(default)]
    pub quantity: Qty,
    /// ASSUMED for modifier rows: `price × quantity × parent quantity` (reference §4.3.2).
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_rozn: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum_fakt: Money,
    /// `"1"` once sent to the kitchen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_change: Option<Flag>,
    /// Present (maybe empty) on lines, absent on modifier rows.
    #[serde(
        default,
        deserialize_with = "lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub selected_modifiers: Option<Vec<Line>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Line {
    pub fn modifiers(&self) -> &[Line] {
        self.selected_modifiers.as_deref().unwrap_or(&[])
    }
}

/// Order-level discount (positive) or surcharge (negative).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Discount {
    #[serde(default, deserialize_with = "lenient::date")]
    pub date: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::money")]
    pub sum: Money,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Payment {
    /// Payment document uid (ЛК only); ASSUMED: JPOS may leave it out.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub uid: Option<String>,
    /// Number of the payment within the receipt (`"1"`…).
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::date")]
    pub date: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub pay_type_uid: String,
    /// `"1"` cash, `"0"` non-cash.
    #[serde(default)]
    pub cash: Flag,
    /// Paid without change; `summa` in the lock_order variant (CONFIRMED S1).
    #[serde(default, alias = "summa", deserialize_with = "lenient::money")]
    pub sum: Money,
    #[serde(default, deserialize_with = "lenient::money")]
    pub change: Money,
}

/// A `"0"`/`"1"` flag that reads every boolean flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0 { "1" } else { "0" })
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::flag(d).map(Flag)
    }
}

/// A quantity: a decimal string on the wire (`"1"`, `"0.5"`), read from a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Qty(pub Decimal);

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.normalize())
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::opt_decimal(d).map(|q| Qty(q.unwrap_or_default()))
    }
}

/// The date-time format of every JPOS date: no timezone, no `T` (CONFIRMED S1).
pub const DATE_TIME_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// ASSUMED weekday abbreviations for `day_week` (only "Пон" appears in S1).
pub fn day_week(weekday: time::Weekday) -> &'static str {
    use time::Weekday::*;
    match weekday {
        Monday => "Пон",
        Tuesday => "Вто",
        Wednesday => "Сре",
        Thursday => "Чет",
        Friday => "Пят",
        Saturday => "Суб",
        Sunday => "Вос",
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient elements and primitives
// ---------------------------------------------------------------------------------------------

/// One element of a list that decodes on its own: a malformed menu section becomes a fault
/// instead of failing the whole menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Lenient<T>(pub Result<T, Malformed>);

/// What could not be read, with the element's `uid`/`name` when it has them (for the fault).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malformed {
    pub uid: Option<String>,
    pub name: Option<String>,
    pub error: String,
}

/// A broken element is kept as a tree, for its uid and name in the fault; elements are read
/// from that tree (the careful way, which is how every caller but [`decode_ok_body`] reads).
///
/// [`decode_ok_body`] first tries an optimistic pass in which elements are read in place,
/// without a tree, and any failure fails the whole pass; only a body with a broken element is
/// read a second time, the careful way. A 20,000-dish getTT is thus never built as a tree.
impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if OPTIMISTIC.with(Cell::get) {
            return T::deserialize(d).map(|t| Lenient(Ok(t)));
        }
        let v = Value::deserialize(d)?;
        Ok(Lenient(T::deserialize(&v).map_err(|e| {
            let field = |k: &str| {
                v.get(k)
                    .and_then(lenient::string_of)
                    .filter(|s| !s.is_empty())
            };
            Malformed {
                uid: field("uid"),
                name: field("name"),
                error: e.to_string(),
            }
        })))
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        enum Repr<'a, T> {
            #[serde(rename = "ok")]
            Ok(&'a T),
            #[serde(rename = "malformed")]
            Bad(&'a Malformed),
        }
        match &self.0 {
            Ok(t) => Repr::Ok(t).serialize(s),
            Err(m) => Repr::<T>::Bad(m).serialize(s),
        }
    }
}

thread_local! {
    /// Set during [`decode_ok_body`]'s optimistic pass (see [`Lenient`]).
    static OPTIMISTIC: Cell<bool> = const { Cell::new(false) };
}

/// Sets [`OPTIMISTIC`] for a scope.
struct Optimistic(bool);

impl Optimistic {
    fn set(on: bool) -> Optimistic {
        Optimistic(OPTIMISTIC.with(|c| c.replace(on)))
    }
}

impl Drop for Optimistic {
    fn drop(&mut self) {
        OPTIMISTIC.with(|c| c.set(self.0));
    }
}

/// The tolerant field decoders (reference §3). The rules are written once, over a
/// `serde_json::Value` (the `*_of` functions). The decoders read the shapes a server really
/// sends (strings, numbers, flags, lists of them) straight from the parser and hand only the
/// odd ones (an object where a string belongs, a float flag, …) to those functions as a
/// `Value`: every representation gets the same answer and the same error text, and a
/// 20,000-dish getTT is not built as a tree field by field.
pub mod lenient {
    use super::*;
    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
    use std::marker::PhantomData;

    /// Visitor methods for the shapes a decoder leaves to its `Value` rules: the input is
    /// collected into a `Value` and handed to `self.value(v)`.
    macro_rules! through_value {
        ($($shape:ident),*) => { $( through_value!(@ $shape); )* };
        (@ bool) => {
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                self.value(Value::Bool(v))
            }
        };
        (@ int) => {
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.value(Value::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.value(Value::from(v))
            }
        };
        (@ f64) => {
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                // `Value`'s own rule: a non-finite float is null.
                self.value(Value::from(v))
            }
        };
        (@ str) => {
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                self.value(Value::String(v.to_owned()))
            }
        };
        (@ unit) => {
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                self.value(Value::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                self.value(Value::Null)
            }
        };
        (@ some) => {
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        };
        (@ seq) => {
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let v = Value::deserialize(SeqAccessDeserializer::new(seq))?;
                self.value(v)
            }
        };
        (@ map) => {
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let v = Value::deserialize(MapAccessDeserializer::new(map))?;
                self.value(v)
            }
        };
    }

    // --- strings -----------------------------------------------------------------------------

    /// A string from a string, a number or a bool; `null` is `""`.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(StringV { id: false })
    }

    /// `None` for `null`, a missing key or a blank string.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let s = string(d)?;
        Ok((!s.trim().is_empty()).then_some(s))
    }

    pub fn string_of(v: &Value) -> Option<String> {
        match v {
            Value::Null => Some(String::new()),
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
            _ => None,
        }
    }

    /// [`string_of`] as a visitor; `id` picks the error text of an element of [`string_vec`].
    #[derive(Clone, Copy)]
    struct StringV {
        id: bool,
    }

    impl StringV {
        fn value<E: de::Error>(self, v: Value) -> Result<String, E> {
            string_of(&v).ok_or_else(|| {
                E::custom(if self.id {
                    format!("expected an id, got {v}")
                } else {
                    format!("expected a string, got {v}")
                })
            })
        }
    }

    impl<'de> Visitor<'de> for StringV {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string, a number or a flag")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(if v { "1" } else { "0" }.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        through_value!(f64, some, seq, map);
    }

    impl<'de> DeserializeSeed<'de> for StringV {
        type Value = String;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(self)
        }
    }

    /// A date-time; `null` and MySQL's zero date mean unset (`""`, ASSUMED reference §3.3).
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let s = string(d)?;
        let t = s.trim();
        Ok(if t.is_empty() || t.starts_with("0000-00-00") {
            String::new()
        } else {
            t.to_string()
        })
    }

    // --- amounts and numbers -----------------------------------------------------------------

    /// Money: `null` and `""` are zero. Numbers keep the literal the server wrote.
    pub fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        opt_money(d).map(Option::unwrap_or_default)
    }

    pub fn opt_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        d.deserialize_any(OptMoneyV)
    }

    pub fn money_of(v: &Value) -> Result<Option<Money>, String> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            // Money's own deserialiser is the exact, lenient one the whole project uses.
            other => Money::deserialize(other)
                .map(Some)
                .map_err(|e| e.to_string()),
        }
    }

    struct OptMoneyV;

    impl OptMoneyV {
        fn value<E: de::Error>(self, v: Value) -> Result<Option<Money>, E> {
            money_of(&v).map_err(E::custom)
        }
    }

    impl<'de> Visitor<'de> for OptMoneyV {
        type Value = Option<Money>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an amount")
        }
        // Numbers and non-blank strings go to Money's own deserialiser, as in `money_of`.
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Money>, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            Money::deserialize(IntoDeserializer::<E>::into_deserializer(v)).map(Some)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Money>, E> {
            Money::deserialize(IntoDeserializer::<E>::into_deserializer(v)).map(Some)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Money>, E> {
            Money::deserialize(IntoDeserializer::<E>::into_deserializer(v)).map(Some)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Money>, E> {
            if !v.is_finite() {
                return self.value(Value::from(v));
            }
            if let Some(m) = money_of_f64(v) {
                return Ok(Some(m));
            }
            Money::deserialize(IntoDeserializer::<E>::into_deserializer(v)).map(Some)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<Money>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<Money>, E> {
            Ok(None)
        }
        through_value!(bool, some, seq, map);
    }

    /// `Money::from_f64_exact` (the float's shortest text, parsed) without its two heap
    /// strings; `None` leaves the unusual cases to it.
    fn money_of_f64(v: f64) -> Option<Money> {
        use std::io::Write;
        let mut buf = [0u8; 48];
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        write!(cursor, "{v}").ok()?;
        let len = cursor.position() as usize;
        let text = std::str::from_utf8(&buf[..len]).ok()?;
        Decimal::from_str(text)
            .ok()
            .map(|d| Money::new(d.normalize()))
    }

    pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(OptDecimalV)
    }

    pub fn decimal_of(v: &Value) -> Result<Option<Decimal>, String> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => decimal_str(s),
            // Display of a serde_json number is its shortest round-trip text: 89.9 stays 89.9.
            Value::Number(n) => decimal_text(&n.to_string()),
            Value::Bool(b) => Ok(Some(Decimal::from(*b as u8))),
            other => Err(format!("expected a number, got {other}")),
        }
    }

    /// A number written as text: trimmed, a decimal comma allowed, blank is `None`.
    fn decimal_str(s: &str) -> Result<Option<Decimal>, String> {
        let t = s.trim();
        if t.contains(',') {
            decimal_text(&t.replace(',', "."))
        } else {
            decimal_text(t)
        }
    }

    fn decimal_text(text: &str) -> Result<Option<Decimal>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map(|d| Some(d.normalize()))
            .map_err(|_| format!("not a number: {text:?}"))
    }

    struct OptDecimalV;

    impl OptDecimalV {
        fn value<E: de::Error>(self, v: Value) -> Result<Option<Decimal>, E> {
            decimal_of(&v).map_err(E::custom)
        }
    }

    impl<'de> Visitor<'de> for OptDecimalV {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Decimal>, E> {
            decimal_str(v).map_err(E::custom)
        }
        // An integer's text parses back to the same integer: no need to print it.
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Decimal>, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Decimal>, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Decimal>, E> {
            Ok(Some(Decimal::from(v as u8)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }
        through_value!(f64, some, seq, map);
    }

    // --- flags -------------------------------------------------------------------------------

    /// Booleans in every flavour JPOS uses (reference §3.2).
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(FlagV)
    }

    pub fn flag_of(v: &Value) -> Result<bool, String> {
        match v {
            Value::Null => Ok(false),
            Value::Bool(b) => Ok(*b),
            Value::Number(n) => Ok(n.as_f64().is_some_and(|f| f != 0.0)),
            Value::String(s) => flag_str(s),
            other => Err(format!("not a flag: {other}")),
        }
    }

    fn flag_str(s: &str) -> Result<bool, String> {
        let t = s.trim();
        let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
        if is(&["", "0", "no", "false", "n"]) {
            Ok(false)
        } else if is(&["1", "yes", "true", "y"]) {
            Ok(true)
        } else {
            Err(format!("not a flag: {:?}", t.to_ascii_lowercase()))
        }
    }

    struct FlagV;

    impl FlagV {
        fn value<E: de::Error>(self, v: Value) -> Result<bool, E> {
            flag_of(&v).map_err(E::custom)
        }
    }

    impl<'de> Visitor<'de> for FlagV {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a flag")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            flag_str(v).map_err(E::custom)
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_none<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        through_value!(f64, some, seq, map);
    }

    // --- lists and objects -------------------------------------------------------------------

    /// A list; `null`, a missing key, `{}` and `""` are empty.
    pub fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
        opt_vec(d).map(Option::unwrap_or_default)
    }

    pub fn opt_vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        d.deserialize_any(OptVecV(PhantomData))
    }

    /// [`opt_vec`]'s rules over a `Value`.
    fn opt_vec_of<T: DeserializeOwned, E: de::Error>(v: Value) -> Result<Option<Vec<T>>, E> {
        match v {
            Value::Null => Ok(None),
            // PHP writes an empty list as `{}` or, from an unset string field, `""`.
            Value::Object(m) if m.is_empty() => Ok(Some(Vec::new())),
            Value::String(s) if s.trim().is_empty() => Ok(Some(Vec::new())),
            Value::Array(_) => serde_json::from_value(v).map(Some).map_err(E::custom),
            other => Err(E::custom(format!("expected a list, got {other}"))),
        }
    }

    struct OptVecV<T>(PhantomData<T>);

    impl<T: DeserializeOwned> OptVecV<T> {
        fn value<E: de::Error>(self, v: Value) -> Result<Option<Vec<T>>, E> {
            opt_vec_of(v)
        }
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for OptVecV<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element::<T>()? {
                out.push(item);
            }
            Ok(Some(out))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        through_value!(bool, int, f64, str, some, map);
    }

    /// A list of ids, each a string or a number.
    pub fn string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(StringVecV)
    }

    fn string_vec_of<E: de::Error>(v: Value) -> Result<Vec<String>, E> {
        let items: Vec<Value> = opt_vec_of(v)?.unwrap_or_default();
        items
            .into_iter()
            .map(|v| StringV { id: true }.value(v))
            .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
            .collect()
    }

    struct StringVecV;

    impl StringVecV {
        fn value<E: de::Error>(self, v: Value) -> Result<Vec<String>, E> {
            string_vec_of(v)
        }
    }

    impl<'de> Visitor<'de> for StringVecV {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of ids")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
            while let Some(id) = seq.next_element_seed(StringV { id: true })? {
                if !id.is_empty() {
                    out.push(id);
                }
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        through_value!(bool, int, f64, str, some, map);
    }

    /// An optional object: `null`, `{}`, `[]` (PHP's empty array) and `""` are `None`.
    pub fn opt_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        d.deserialize_any(OptObjectV(PhantomData))
    }

    fn opt_object_of<T: DeserializeOwned, E: de::Error>(v: Value) -> Result<Option<T>, E> {
        match &v {
            Value::Null => Ok(None),
            Value::Array(a) if a.is_empty() => Ok(None),
            Value::Object(m) if m.is_empty() => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            _ => serde_json::from_value(v).map(Some).map_err(E::custom),
        }
    }

    struct OptObjectV<T>(PhantomData<T>);

    impl<T: DeserializeOwned> OptObjectV<T> {
        fn value<E: de::Error>(self, v: Value) -> Result<Option<T>, E> {
            opt_object_of(v)
        }
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for OptObjectV<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        /// The object is read in place; its first key is read first to tell `{}` from the rest.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
            let Some(first) = map.next_key::<Key<'de>>()? else {
                return Ok(None);
            };
            T::deserialize(MapAccessDeserializer::new(Replay {
                first: Some(first),
                map,
            }))
            .map(Some)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        through_value!(bool, int, f64, str, some, seq);
    }

    /// A map key as the parser has it: borrowed from the body when it can be.
    pub(super) enum Key<'de> {
        Borrowed(&'de str),
        Owned(String),
    }

    impl<'de> Key<'de> {
        pub(super) fn as_str(&self) -> &str {
            match self {
                Key::Borrowed(s) => s,
                Key::Owned(s) => s,
            }
        }

        /// Hands the key to whoever reads the map (a derived struct's field names).
        pub(super) fn give<K: DeserializeSeed<'de>, E: de::Error>(
            self,
            seed: K,
        ) -> Result<K::Value, E> {
            match self {
                Key::Borrowed(s) => seed.deserialize(de::value::BorrowedStrDeserializer::new(s)),
                Key::Owned(s) => seed.deserialize(IntoDeserializer::<E>::into_deserializer(s)),
            }
        }
    }

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key::Borrowed(v))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                    Ok(Key::Owned(v.to_owned()))
                }
                fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                    Ok(Key::Owned(v))
                }
            }
            d.deserialize_str(V)
        }
    }

    /// A map whose first key was already read.
    struct Replay<'de, A> {
        first: Option<Key<'de>>,
        map: A,
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
        type Error = A::Error;
        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            match self.first.take() {
                Some(k) => k.give(seed).map(Some),
                None => self.map.next_key_seed(seed),
            }
        }
        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, A::Error> {
            self.map.next_value_seed(seed)
        }
    }

    // --- tax ---------------------------------------------------------------------------------

    /// [`Tax`] from any representation: blank and `no_tax` are none, a number is a rate,
    /// anything else is kept as written.
    pub(super) fn tax<'de, D: Deserializer<'de>>(d: D) -> Result<Tax, D::Error> {
        d.deserialize_any(TaxV)
    }

    fn tax_of(v: &Value) -> Tax {
        match v {
            Value::Null => Tax::NoTax,
            Value::String(s) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("no_tax") => {
                Tax::NoTax
            }
            other => match decimal_of(other) {
                Ok(Some(p)) => Tax::Percent(p),
                _ => Tax::Other(
                    other
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string()),
                ),
            },
        }
    }

    struct TaxV;

    impl TaxV {
        fn value<E: de::Error>(self, v: Value) -> Result<Tax, E> {
            Ok(tax_of(&v))
        }
    }

    impl<'de> Visitor<'de> for TaxV {
        type Value = Tax;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a tax")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Tax, E> {
            let t = v.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("no_tax") {
                return Ok(Tax::NoTax);
            }
            Ok(match decimal_str(v) {
                Ok(Some(p)) => Tax::Percent(p),
                _ => Tax::Other(v.to_owned()),
            })
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tax, E> {
            Ok(Tax::Percent(Decimal::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tax, E> {
            Ok(Tax::Percent(Decimal::from(v)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Tax, E> {
            Ok(Tax::NoTax)
        }
        fn visit_none<E: de::Error>(self) -> Result<Tax, E> {
            Ok(Tax::NoTax)
        }
        through_value!(bool, f64, some, seq, map);
    }
}

// ---------------------------------------------------------------------------------------------
// Body framing
// ---------------------------------------------------------------------------------------------

/// Reads a response body the way a PHP server may send it: a UTF-8 BOM is stripped, and when
/// the body does not parse, parsing is retried from the first `{` (PHP notices printed before
/// the JSON). Trailing noise after the object is ignored. The content type is never consulted.
pub fn parse_body(bytes: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err("the body is empty".into());
    }
    let first = |s: &str| -> Result<Value, String> {
        serde_json::Deserializer::from_str(s)
            .into_iter::<Value>()
            .next()
            .unwrap_or_else(|| Err(serde::de::Error::custom("no JSON value")))
            .map_err(|e| e.to_string())
    };
    match first(text) {
        Ok(v) => Ok(v),
        Err(e) => match text.find('{') {
            Some(i) if i > 0 => {
                first(&text[i..]).map_err(|e2| format!("{e2} (after skipping {i} bytes of noise)"))
            }
            _ => Err(e),
        },
    }
}

/// The common answer in one pass: a body that is an object with `status: "ok"` and reads as
/// `T`, decoded straight into `T` with the envelope read on the way (a 20,000-dish getTT is
/// never a `serde_json::Value` tree). `None` for anything else (another status, an unreadable
/// envelope, a body `T` cannot read, a body that is not an object): the caller then takes the
/// general path through [`parse_body`], which decides every such case. Noise before the
/// object is skipped as [`parse_body`] does.
pub fn decode_ok_body<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim();
    let first = |s: &str| {
        serde_json::Deserializer::from_str(s)
            .into_iter::<OkBody<T>>()
            .next()
    };
    let optimistic = {
        let _on = Optimistic::set(true);
        first(text)
    };
    if let Some(Ok(body)) = optimistic {
        return body.0;
    }
    let body = match first(text)? {
        Ok(body) => body,
        // Only what does not parse at all is retried after the noise, as in `parse_body`.
        Err(e) if e.is_syntax() || e.is_eof() => match text.find('{') {
            Some(i) if i > 0 => first(&text[i..])?.ok()?,
            _ => return None,
        },
        Err(_) => return None,
    };
    body.0
}

/// `T` when the envelope says `ok`.
struct OkBody<T>(Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for OkBody<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for V<T> {
            type Value = OkBody<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JPOS answer")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<OkBody<T>, A::Error> {
                let mut probe = EnvelopeProbe {
                    map,
                    field: None,
                    status: None,
                    readable: true,
                };
                let t = T::deserialize(serde::de::value::MapAccessDeserializer::new(&mut probe))?;
                let ok =
                    probe.readable && probe.status.as_deref().map(str::trim) == Some(STATUS_OK);
                Ok(OkBody(ok.then_some(t)))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Passes an answer's keys to `T` and notes its envelope (`status`, `message`) on the way:
/// the same values [`Envelope`] would read.
struct EnvelopeProbe<A> {
    map: A,
    /// The envelope key whose value comes next: `true` for `status`, `false` for `message`.
    field: Option<bool>,
    status: Option<String>,
    /// `false` once `status` or `message` is something [`Envelope`] cannot read.
    readable: bool,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for EnvelopeProbe<A> {
    type Error = A::Error;
    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<lenient::Key<'de>>()? else {
            return Ok(None);
        };
        self.field = match key.as_str() {
            "status" => Some(true),
            "message" => Some(false),
            _ => None,
        };
        key.give(seed).map(Some)
    }
    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        let Some(is_status) = self.field.take() else {
            return self.map.next_value_seed(seed);
        };
        let v: Value = self.map.next_value()?;
        match lenient::string_of(&v) {
            Some(s) if is_status => self.status = Some(s),
            Some(_) => {}
            None => self.readable = false,
        }
        seed.deserialize(v).map_err(serde::de::Error::custom)
    }
}

/// `application/x-www-form-urlencoded` encoding of one field, for servers that read the JSON
/// from a form field (ASSUMED alternative framing, reference §1.2).
pub fn form_encode(field: &str, json: &str) -> String {
    fn enc(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::with_capacity(json.len() * 2);
    enc(field, &mut out);
    out.push('=');
    enc(json, &mut out);
    out
}
