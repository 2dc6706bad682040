//! Every ProCart JSON shape the simulator reads or writes, in one file.
//!
//! The real schema is published only in ProCart's Swagger, so these names are the reference's
//! ASSUMED contract (§3–§7): snake_case keys, integer codes, money as JSON numbers with two
//! decimals. Keeping them here (and nowhere else) makes adopting the real schema a one-file
//! change. These types are written from the reference independently of the client crate on
//! purpose: a wire mistake in one of the two then shows up as a failing integration test.
//!
//! Requests are read leniently, as a gateway in the field would: codes as integers or numeric
//! strings, amounts as numbers or strings, `null` wherever a field may be absent.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::money::{de_code, de_decimal, de_opt_code, de_opt_decimal, Amount, Qty};

/// `null` and absent both mean the type's default (§4.5).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn dec_one() -> Decimal {
    Decimal::ONE
}

// ---------------------------------------------------------------- requests

/// The Cart (§5.3), also the body of `/postorder` (§5.4) with its extra fields.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct CartReq {
    #[serde(default, deserialize_with = "de_opt_code")]
    pub order_category_code: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_code")]
    pub order_type_code: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_code")]
    pub table_code: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_code")]
    pub guests_count: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub items: Vec<ItemReq>,
    #[serde(default, deserialize_with = "null_default")]
    pub discounts: Vec<AdjustmentReq>,
    #[serde(default, deserialize_with = "null_default")]
    pub markups: Vec<AdjustmentReq>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub short_comment: Option<String>,
    // `/postorder` only
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub callback_url: Option<String>,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub expected_total: Option<Decimal>,
    #[serde(default, deserialize_with = "null_default")]
    pub payments: Vec<PaymentReq>,
    #[serde(default)]
    pub customer: Option<CustomerReq>,
    #[serde(default)]
    pub deferred_until: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ItemReq {
    #[serde(deserialize_with = "de_code")]
    pub code: i64,
    #[serde(default = "dec_one", deserialize_with = "de_decimal")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "null_default")]
    pub modifiers: Vec<ModifierReq>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub combo_items: Vec<ComboItemReq>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModifierReq {
    #[serde(deserialize_with = "de_code")]
    pub code: i64,
    /// Per one unit of the dish.
    #[serde(default = "dec_one", deserialize_with = "de_decimal")]
    pub quantity: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComboItemReq {
    #[serde(deserialize_with = "de_code")]
    pub group_code: i64,
    #[serde(deserialize_with = "de_code")]
    pub code: i64,
    /// Per one combo unit.
    #[serde(default = "dec_one", deserialize_with = "de_decimal")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "null_default")]
    pub modifiers: Vec<ModifierReq>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AdjustmentReq {
    #[serde(deserialize_with = "de_code")]
    pub code: i64,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub amount: Option<Decimal>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PaymentReq {
    #[serde(deserialize_with = "de_code")]
    pub currency_code: i64,
    #[serde(
        deserialize_with = "de_decimal",
        serialize_with = "crate::money::ser_amount"
    )]
    pub amount: Decimal,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub auth_code: Option<String>,
    #[serde(default)]
    pub card_mask: Option<String>,
    #[serde(default)]
    pub rrn: Option<String>,
    #[serde(default)]
    pub paid_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct CustomerReq {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// `/getorders` body (§5.5).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct GetOrdersReq {
    #[serde(default, deserialize_with = "null_default")]
    pub guids: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub external_ids: Vec<String>,
    /// A single-guid form some clients use.
    #[serde(default)]
    pub guid: Option<String>,
}

/// `/close` body (§5.6).
#[derive(Debug, Clone, Deserialize)]
pub struct CloseReq {
    pub guid: String,
    #[serde(default, deserialize_with = "null_default")]
    pub payments: Vec<PaymentReq>,
}

/// Only the `token` of a body, for authentication (§3).
#[derive(Debug, Deserialize)]
pub struct BodyToken {
    #[serde(default)]
    pub token: Option<String>,
}

// ---------------------------------------------------------------- responses

#[derive(Debug, Serialize)]
pub struct PingResp {
    pub procart_version: String,
    pub rk_version: String,
    pub cash_server_available: bool,
    pub license: LicenseResp,
    pub token_valid: bool,
    pub source_name: Option<String>,
    pub server_time: String,
}

#[derive(Debug, Serialize)]
pub struct LicenseResp {
    pub valid: bool,
    pub expires_at: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MenuResp {
    pub menu_version: String,
    pub price_type: Option<CodeName>,
    pub categories: Vec<CategoryResp>,
    pub dishes: Vec<DishResp>,
    pub modifier_schemes: Vec<SchemeResp>,
    pub combos: Vec<ComboResp>,
    pub order_categories: Vec<CodeName>,
    pub tables: Vec<CodeName>,
    pub currencies: Vec<CodeName>,
    pub discounts: Vec<AdjustmentInfo>,
    pub markups: Vec<AdjustmentInfo>,
}

#[derive(Debug, Serialize)]
pub struct CodeName {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct AdjustmentInfo {
    pub code: i64,
    pub name: String,
    pub auto: bool,
    /// `percent`, `fixed` or `open` (a sum amount given by the caller).
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CategoryResp {
    pub code: i64,
    pub name: String,
    pub parent_code: Option<i64>,
    pub sort: i32,
    pub image_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DishResp {
    pub code: i64,
    pub name: String,
    pub category_code: i64,
    pub price: Amount,
    pub remains: Option<Qty>,
    pub modifier_scheme_code: Option<i64>,
    pub combo: Option<i64>,
    pub description: Option<String>,
    pub image_url: Option<String>,
    pub portion: Option<PortionResp>,
    pub sort: i32,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PortionResp {
    pub value: Qty,
    pub unit: String,
}

#[derive(Debug, Serialize)]
pub struct SchemeResp {
    pub code: i64,
    pub name: String,
    pub groups: Vec<GroupResp>,
}

#[derive(Debug, Serialize)]
pub struct GroupResp {
    pub code: i64,
    pub name: String,
    pub min: u32,
    pub max: Option<u32>,
    pub modifiers: Vec<ModifierResp>,
}

#[derive(Debug, Serialize)]
pub struct ModifierResp {
    pub code: i64,
    pub name: String,
    pub price: Amount,
    pub max_quantity: u32,
    pub remains: Option<Qty>,
}

#[derive(Debug, Serialize)]
pub struct ComboResp {
    pub code: i64,
    pub name: String,
    pub description: Option<String>,
    pub price: Amount,
    pub category_code: i64,
    pub remains: Option<Qty>,
    pub image_url: Option<String>,
    pub sort: i32,
    pub tags: Vec<String>,
    pub groups: Vec<ComboGroupResp>,
}

#[derive(Debug, Serialize)]
pub struct ComboGroupResp {
    pub code: i64,
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub default_dish_code: Option<i64>,
    pub items: Vec<ComboItemResp>,
}

#[derive(Debug, Serialize)]
pub struct ComboItemResp {
    pub dish_code: i64,
    pub price_delta: Amount,
}

/// The Priced order (§5.3), the result of `/validate` and the core of every order.
#[derive(Debug, Clone, Serialize)]
pub struct PricedOrder {
    pub valid: bool,
    pub order_category_code: Option<i64>,
    pub table_code: i64,
    pub items: Vec<PricedLine>,
    pub discounts: Vec<AppliedAdjustment>,
    pub markups: Vec<AppliedAdjustment>,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub discount_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub markup_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub total: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricedLine {
    pub code: i64,
    pub name: String,
    #[serde(serialize_with = "crate::money::ser_qty")]
    pub quantity: Decimal,
    /// Unit price: the dish price, or for a combo its price plus the chosen deltas.
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub price: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub discount_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub markup_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub total: Decimal,
    pub modifiers: Vec<PricedModifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combo_items: Vec<PricedComboItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricedModifier {
    pub code: i64,
    pub name: String,
    #[serde(serialize_with = "crate::money::ser_qty")]
    pub quantity: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub price: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub sum: Decimal,
    /// An open modifier carrying a dish comment (§6.4).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricedComboItem {
    pub group_code: i64,
    pub code: i64,
    pub name: String,
    #[serde(serialize_with = "crate::money::ser_qty")]
    pub quantity: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub price_delta: Decimal,
    pub modifiers: Vec<PricedModifier>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppliedAdjustment {
    pub code: i64,
    pub name: String,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub sum: Decimal,
    pub auto: bool,
}

/// `/validate` with `error_mode = valid_false`.
#[derive(Debug, Serialize)]
pub struct InvalidResp<'a> {
    pub valid: bool,
    pub errors: &'a [crate::error::CartProblem],
}

/// An order as `/postorder`, `/getorders` and `/close` return it (§5.4–5.6).
#[derive(Debug, Clone, Serialize)]
pub struct OrderResp {
    pub guid: String,
    pub order_number: String,
    pub external_id: Option<String>,
    pub status: &'static str,
    pub table_code: i64,
    pub order_category_code: Option<i64>,
    pub valid: bool,
    pub items: Vec<PricedLine>,
    pub discounts: Vec<AppliedAdjustment>,
    pub markups: Vec<AppliedAdjustment>,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub discount_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub markup_sum: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub total: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub paid_sum: Decimal,
    pub payments: Vec<PaymentReq>,
    pub comment: Option<String>,
    pub short_comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Simulator admin view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sim: Option<OrderAdminExtra>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderAdminExtra {
    pub token: String,
    pub callback_url: Option<String>,
    pub customer: Option<CustomerReq>,
    pub deferred_until: Option<String>,
    pub guests_count: Option<i64>,
    pub order_type_code: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct OrdersResp {
    pub orders: Vec<OrderResp>,
}

#[derive(Debug, Serialize)]
pub struct PrintInfoResp {
    pub guid: String,
    pub comment: String,
}

/// The push notification POSTed to `callback_url` (§6.12).
#[derive(Debug, Clone, Serialize)]
pub struct CallbackPayload {
    pub guid: String,
    pub external_id: Option<String>,
    pub order_number: String,
    pub status: &'static str,
    pub previous_status: &'static str,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub total: Decimal,
    #[serde(serialize_with = "crate::money::ser_amount")]
    pub paid_sum: Decimal,
    pub changed_at: String,
}
